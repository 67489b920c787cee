/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reading back the limits of a container's cgroup for `audit`: which
 * memory, swap, pids and CPU limits the kernel enforces, with the file each
 * came from, on v1 and v2.  Read-only; never writes a cgroup file.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup_int.h"
#include "hardrun/strutil.h"

/* v1 reports "no limit" as INT64_MAX rounded down to the page size. */
#define V1_UNLIMITED_MIN 0x7ffffffffffff000ULL

/* Read dir/name into *f; a missing dir or file leaves f->dir NULL. */
static int read_limit(const char *dir, const char *name, bool first_word, struct hr_cgroup_file *f, struct hr_err **err)
{
	cleanup_free char *text = NULL;
	cleanup_free char *word = NULL;
	int64_t signed_v;

	f->name = name;
	if (dir == NULL || !hr_cgroup_file_exists(dir, name))
		return 0;
	if (hr_cgroup_read(dir, name, &text, err) < 0)
		return -1;
	/* cpu.max is "QUOTA PERIOD": the quota decides */
	word = first_word ? xstrndup(text, strcspn(text, " ")) : xstrdup(text);
	if (strcmp(word, "max") == 0 || strcmp(word, "-1") == 0) {
		f->value = HR_CGROUP_UNLIMITED;
	} else if (hr_parse_i64(word, &signed_v) == 0 && signed_v >= 0) {
		f->value = (uint64_t)signed_v >= V1_UNLIMITED_MIN ? HR_CGROUP_UNLIMITED : (uint64_t)signed_v;
	} else if (hr_parse_u64(word, &f->value) == 0) {
		f->value = HR_CGROUP_UNLIMITED; /* above INT64_MAX: no kernel limit is that large */
	} else {
		cleanup_free char *path = hr_path_join(dir, name);

		return hr_fail(err, EINVAL, "read `%s`: `%s` is not a number", path, text);
	}
	f->dir = xstrdup(dir);
	f->text = steal_ptr(&text);
	return 0;
}

static const char *dir_of(const struct hr_cgroup *cg, const char *controller)
{
	struct cg_hier *h = hr_cgroup_find_hier(cg, controller);

	return h ? h->dir : NULL;
}

int hr_cgroup_limits(struct hr_cgroup *cg, struct hr_cgroup_limits *out, struct hr_err **err)
{
	const char *d = dir_of(cg, "");
	int rc;

	memset(out, 0, sizeof(*out));
	if (cg->layout == HR_CGROUP_UNIFIED) {
		out->v2 = true;
		rc = read_limit(d, "memory.max", false, &out->memory, err) < 0 ||
				     read_limit(d, "memory.swap.max", false, &out->swap, err) < 0 ||
				     read_limit(d, "pids.max", false, &out->pids, err) < 0 ||
				     read_limit(d, "cpu.max", true, &out->cpu_quota, err) < 0 ||
				     read_limit(d, "cpu.weight", false, &out->cpu_weight, err) < 0
			     ? -1
			     : 0;
	} else {
		d = dir_of(cg, "memory");
		rc = read_limit(d, "memory.limit_in_bytes", false, &out->memory, err) < 0 ||
				     read_limit(d, "memory.memsw.limit_in_bytes", false, &out->swap, err) < 0 ||
				     read_limit(dir_of(cg, "pids"), "pids.max", false, &out->pids, err) < 0 ||
				     read_limit(dir_of(cg, "cpu"), "cpu.cfs_quota_us", false, &out->cpu_quota, err) <
					     0 ||
				     read_limit(dir_of(cg, "cpu"), "cpu.shares", false, &out->cpu_weight, err) < 0
			     ? -1
			     : 0;
	}
	if (rc < 0)
		hr_cgroup_limits_free(out);
	return rc;
}

void hr_cgroup_limits_free(struct hr_cgroup_limits *l)
{
	struct hr_cgroup_file *fs[] = {&l->memory, &l->swap, &l->pids, &l->cpu_quota, &l->cpu_weight};

	for (size_t i = 0; i < HR_ARRAY_SIZE(fs); i++) {
		free(fs[i]->dir);
		free(fs[i]->text);
		fs[i]->dir = fs[i]->text = NULL;
	}
}
