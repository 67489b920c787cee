/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Internals shared by cgroup.c (layout, lifecycle), cgroup_fs.c (file
 * access), cgroup_v1.c and cgroup_v2.c (limits).  Not a public header.
 */
#ifndef HARDRUN_CGROUP_INT_H
#define HARDRUN_CGROUP_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "hardrun/cgroup.h"

struct cg_hier {
	char *mnt;   /* mount point, fake prefix applied */
	char *dir;   /* mnt + cgroup path */
	char *ctrls; /* ",cpu,cpuacct," / ",name=systemd," for v1; NULL for cgroup2 */
	bool v2;
	int created; /* levels made by hr_cgroup_create (0 = none); -1 = opened: leaf only */
};

struct hr_cgroup {
	enum hr_cgroup_layout layout;
	char *path;	   /* "/a/b" */
	char *fake_prefix; /* NULL on a real system */
	struct cg_hier *h;
	size_t n;
};

/* The hierarchy holding controller (v1 name) or, for "", the cgroup2 one. */
struct cg_hier *hr_cgroup_find_hier(const struct hr_cgroup *cg, const char *controller);

/*
 * Write value to dir/file (O_WRONLY|O_TRUNC, never creating it), as one
 * write(2) so the kernel sees it whole.  Error "write `value` to `path`".
 */
int hr_cgroup_write(const struct hr_cgroup *cg, const char *dir, const char *file, const char *value,
		    struct hr_err **err);
/* hr_cgroup_write of a decimal number. */
int hr_cgroup_write_i64(const struct hr_cgroup *cg, const char *dir, const char *file, int64_t v, struct hr_err **err);
/* Read dir/file whole into a new string without the trailing newline. */
int hr_cgroup_read(const char *dir, const char *file, char **out, struct hr_err **err);
/* Read a single unsigned number; "max" reads as HR_CGROUP_UNLIMITED. */
int hr_cgroup_read_u64(const char *dir, const char *file, uint64_t *out, struct hr_err **err);
/* Look up "key N" in a flat-keyed file such as memory.events; false when absent. */
bool hr_cgroup_keyed_u64(const char *text, const char *key, uint64_t *out);
bool hr_cgroup_file_exists(const char *dir, const char *file);
/* Whether word is one of the space-separated words of list. */
bool hr_cgroup_word_in(const char *list, const char *word);

int hr_cgroup_v1_apply(struct hr_cgroup *cg, const struct hr_resources *res, struct hr_err **err);
int hr_cgroup_v2_apply(struct hr_cgroup *cg, const struct hr_resources *res, struct hr_err **err);
/* Write res->unified into the cgroup2 directory dir (also used by the hybrid layout). */
int hr_cgroup_v2_apply_unified(struct hr_cgroup *cg, const char *dir, const struct hr_resources *res,
			       struct hr_err **err);
struct bpf_insn;
/* Build the BPF_PROG_TYPE_CGROUP_DEVICE program for rules; *out is new (len instructions). */
int hr_cgroup_bpf_build(const struct hr_device_rule *rules, size_t n, struct bpf_insn **out, size_t *len,
			struct hr_err **err);
/* Load it and attach it to the cgroup2 directory dir, replacing device programs attached there before. */
int hr_cgroup_bpf_devices(const char *dir, const struct hr_device_rule *rules, size_t n, struct hr_err **err);
/* hugepageLimits into the cgroup2 directory dir (hybrid hosts whose hugetlb lives in cgroup2). */
int hr_cgroup_v2_apply_hugetlb(struct hr_cgroup *cg, const char *dir, const struct hr_resources *res,
			       struct hr_err **err);
/* Whether controller is listed in dir/cgroup.controllers (false when unreadable). */
bool hr_cgroup_v2_has_controller(const char *dir, const char *controller);
int hr_cgroup_v1_stats(struct hr_cgroup *cg, struct hr_cgroup_stats *st, struct hr_err **err);
int hr_cgroup_v2_stats(struct hr_cgroup *cg, struct hr_cgroup_stats *st, struct hr_err **err);

/* cgroup.c: a sleep that EINTR does not cut short */
void hr_cgroup_sleep_ms(long ms);
/* cgroup_procs.c: where processes are listed (the v2 directory, else a v1 hierarchy that tracks every task) */
struct cg_hier *hr_cgroup_procs_hier(const struct hr_cgroup *cg);
/* cgroup_procs.c: the pids of dir and of its sub-cgroups (depth: the recursion's, 0 at the top) */
int hr_cgroup_collect_pids(const char *dir, int depth, pid_t **pids, size_t *n, struct hr_err **err);
/* cgroup_procs.c: thaw, then SIGKILL whatever is left until the cgroup is empty (2 s at most) */
void hr_cgroup_kill_leftovers(struct hr_cgroup *cg);

#endif
