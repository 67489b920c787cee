/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Commands that act on a running container through its cgroup: ps,
 * pause/resume (freezer), update (new limits, validated by the config
 * parser as linux.resources).
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "container.h"
#include "fault.h"
#include "policyrt.h"
#include "hardrun/cgroup.h"
#include "sdscope.h"
#include "hardrun/strutil.h"

static int open_cgroup(struct hr_loaded *c, struct hr_cgroup **cg, struct hr_err **err)
{
	if (!c->st->cgroup_path || !*c->st->cgroup_path)
		return hr_fail(err, ENOENT, "container `%s` has no cgroup", c->st->id);
	return hr_cgroup_open(c->st->cgroup_path, cg, err);
}

int hr_container_ps(const struct hr_rt *rt, const char *id, bool json, FILE *out, struct hr_err **err)
{
	struct hr_loaded *c = NULL;
	struct hr_cgroup *cg = NULL;
	cleanup_free pid_t *pids = NULL;
	size_t n = 0;
	int r = -1;

	if (hr_container_load(rt, id, false, &c, err) < 0 || open_cgroup(c, &cg, err) < 0 ||
	    hr_cgroup_pids(cg, &pids, &n, err) < 0)
		goto out;
	if (json) {
		fputc('[', out);
		for (size_t i = 0; i < n; i++)
			fprintf(out, "%s%d", i ? "," : "", pids[i]);
		fputs("]\n", out);
	} else {
		fprintf(out, "%-8s %s\n", "PID", "CMD");
		for (size_t i = 0; i < n; i++) {
			char path[64], cmd[256] = {0};
			int fd;
			ssize_t len = 0;

			snprintf(path, sizeof(path), "/proc/%d/cmdline", pids[i]);
			fd = open(path, O_RDONLY | O_CLOEXEC);
			if (fd >= 0) {
				len = read(fd, cmd, sizeof(cmd) - 1);
				close(fd);
			}
			for (ssize_t k = 0; k < len - 1; k++)
				if (cmd[k] == '\0')
					cmd[k] = ' ';
			fprintf(out, "%-8d %s\n", pids[i], cmd);
		}
	}
	r = 0;
out:
	hr_cgroup_free(cg);
	hr_loaded_free(c);
	return r < 0 ? hr_fail_wrap(err, "ps `%s`", id) : 0;
}

int hr_container_pause(const struct hr_rt *rt, const char *id, bool pause, struct hr_err **err)
{
	struct hr_loaded *c = NULL;
	struct hr_cgroup *cg = NULL;
	const char *verb = pause ? "pause" : "resume";
	int r = -1;

	if (hr_container_load(rt, id, false, &c, err) < 0)
		goto out;
	if (c->status != (pause ? HR_STATUS_RUNNING : HR_STATUS_PAUSED)) {
		hr_fail(err, 0, "container `%s` is %s, not %s", id, hr_status_name(c->status),
			pause ? "running" : "paused");
		goto out;
	}
	if (open_cgroup(c, &cg, err) < 0 || hr_cgroup_freeze(cg, pause, err) < 0)
		goto out;
	r = 0;
out:
	hr_cgroup_free(cg);
	hr_loaded_free(c);
	return r < 0 ? hr_fail_wrap(err, "%s `%s`", verb, id) : 0;
}

int hr_container_update(const struct hr_rt *rt, const char *id, const char *resources_json, struct hr_err **err)
{
	struct hr_loaded *c = NULL;
	struct hr_cgroup *cg = NULL;
	struct hr_spec *s = NULL;
	json_error_t je;
	json_t *res = NULL, *wrap = NULL;
	int r = -1;

	res = json_loads(resources_json, 0, &je);
	if (!res) {
		hr_fail(err, 0, "resources:%d:%d: %s", je.line, je.column, je.text);
		goto out;
	}
	if (hr_container_load(rt, id, true, &c, err) < 0)
		goto out;
	HR_FAULT_POINT("update.loaded");
	/* the policy's maxima hold for update too: docker update cannot lift them */
	if (hr_policy_update_step(rt, id, res, c->spec, err) < 0)
		goto out;
	/* the same validation as linux.resources in config.json */
	wrap = json_pack("{s:s, s:{s:s}, s:{s:O}}", "ociVersion", "1.0.2", "root", "path", "/", "linux", "resources",
			 res);
	if (hr_spec_parse(wrap, &s, err) < 0)
		goto out;
	if (c->status == HR_STATUS_STOPPED) {
		hr_fail(err, 0, "container `%s` is stopped", id);
		goto out;
	}
	if (open_cgroup(c, &cg, err) < 0)
		goto out;
	/* systemd first: a later daemon-reload re-applies the unit's values over the files */
	{
		cleanup_free char *unit = NULL;
		int has = hr_sdscope_recorded(c->dir_fd, &unit, err);

		if (has < 0 || (has == 1 && hr_sd_set_resources(unit, &s->lnx.resources,
								hr_cgroup_layout(cg) == HR_CGROUP_UNIFIED, err) < 0))
			goto out;
	}
	if (hr_cgroup_apply(cg, &s->lnx.resources, err) < 0)
		goto out;
	HR_FAULT_POINT("update.applied");
	r = 0;
out:
	json_decref(wrap);
	json_decref(res);
	hr_spec_free(s);
	hr_cgroup_free(cg);
	hr_loaded_free(c);
	return r < 0 ? hr_fail_wrap(err, "update `%s`", id) : 0;
}
