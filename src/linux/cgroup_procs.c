/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The processes of a container's cgroup: listing them (the whole subtree),
 * the freezer (v1 freezer.state, v2 cgroup.freeze) and signalling all of
 * them, frozen first so that none forks away between the list and the
 * signal.  The layout and the directories are cgroup.c's.
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup_int.h"
#include "hardrun/log.h"
#include "hardrun/strutil.h"

#define MAX_DEPTH 64
#define FREEZE_TIMEOUT_MS 5000

/* Where processes are listed: the v2 directory, else a v1 hierarchy that always tracks every task. */
struct cg_hier *hr_cgroup_procs_hier(const struct hr_cgroup *cg)
{
	static const char *const pref[] = {"pids", "freezer", "memory", "cpu", "devices", "name=systemd"};
	struct cg_hier *h;

	if (cg->layout == HR_CGROUP_UNIFIED)
		return hr_cgroup_find_hier(cg, "");
	for (size_t i = 0; i < HR_ARRAY_SIZE(pref); i++)
		if ((h = hr_cgroup_find_hier(cg, pref[i])))
			return h;
	return cg->n ? &cg->h[0] : NULL;
}

int hr_cgroup_collect_pids(const char *dir, int depth, pid_t **pids, size_t *n, struct hr_err **err)
{
	cleanup_free char *text = NULL;
	cleanup_dir DIR *d = NULL;
	struct dirent *de;
	char *save = NULL, *tok;

	if (depth > MAX_DEPTH)
		return hr_fail(err, ELOOP, "list cgroup `%s`: nested too deeply", dir);
	if (hr_cgroup_read(dir, "cgroup.procs", &text, err) < 0)
		return -1;
	for (tok = strtok_r(text, "\n", &save); tok; tok = strtok_r(NULL, "\n", &save)) {
		int pid;

		if (hr_parse_int(tok, &pid) < 0 || pid <= 0)
			return hr_fail(err, EINVAL, "list cgroup `%s`: bad pid `%s`", dir, tok);
		*pids = xrealloc(*pids, (*n + 1) * sizeof(**pids));
		(*pids)[(*n)++] = pid;
	}
	d = opendir(dir);
	if (d == NULL)
		return hr_fail(err, errno, "open `%s`", dir);
	while ((de = readdir(d))) {
		cleanup_free char *sub = NULL;

		if (de->d_type != DT_DIR || strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		sub = hr_path_join(dir, de->d_name);
		if (hr_cgroup_collect_pids(sub, depth + 1, pids, n, err) < 0)
			return -1;
	}
	return 0;
}

int hr_cgroup_pids(struct hr_cgroup *cg, pid_t **pids, size_t *n, struct hr_err **err)
{
	cleanup_free pid_t *list = NULL;
	struct cg_hier *h = hr_cgroup_procs_hier(cg);
	size_t count = 0;

	if (h == NULL)
		return hr_fail(err, ENOENT, "list cgroup `%s`: no hierarchy", cg->path);
	if (hr_cgroup_collect_pids(h->dir, 0, &list, &count, err) < 0)
		return -1;
	*pids = steal_ptr(&list);
	*n = count;
	return 0;
}

static int freezer_state(const struct hr_cgroup *cg, bool *frozen, struct hr_err **err)
{
	cleanup_free char *s = NULL;
	struct cg_hier *h;
	uint64_t v = 0;

	if (cg->layout == HR_CGROUP_UNIFIED) {
		h = hr_cgroup_find_hier(cg, "");
		if (hr_cgroup_read(h->dir, "cgroup.events", &s, err) < 0)
			return -1;
		if (!hr_cgroup_keyed_u64(s, "frozen", &v))
			return hr_fail(err, ENOTSUP, "read `%s/cgroup.events`: no `frozen` key", h->dir);
		*frozen = v == 1;
		return 0;
	}
	h = hr_cgroup_find_hier(cg, "freezer");
	if (h == NULL)
		return hr_fail(err, 0, "freezer state: controller `freezer` is not mounted");
	if (hr_cgroup_read(h->dir, "freezer.state", &s, err) < 0)
		return -1;
	*frozen = strcmp(s, "THAWED") != 0;
	/* FREEZING is neither: report it as not settled through the return value. */
	return strcmp(s, "FREEZING") == 0 ? 1 : 0;
}

static int freeze_once(struct hr_cgroup *cg, bool frozen, struct hr_err **err)
{
	struct cg_hier *h;

	if (cg->layout == HR_CGROUP_UNIFIED) {
		h = hr_cgroup_find_hier(cg, "");
		return hr_cgroup_write(cg, h->dir, "cgroup.freeze", frozen ? "1" : "0", err);
	}
	h = hr_cgroup_find_hier(cg, "freezer");
	if (h == NULL)
		return hr_fail(err, 0, "%s: controller `freezer` is not mounted", frozen ? "freeze" : "thaw");
	return hr_cgroup_write(cg, h->dir, "freezer.state", frozen ? "FROZEN" : "THAWED", err);
}

int hr_cgroup_freeze(struct hr_cgroup *cg, bool frozen, struct hr_err **err)
{
	if (cg->layout == HR_CGROUP_UNIFIED && hr_cgroup_find_hier(cg, "") == NULL)
		return hr_fail(err, 0, "freeze: no cgroup2 mount");
	for (int waited = 0; waited <= FREEZE_TIMEOUT_MS; waited++) {
		bool now = !frozen;
		int rc;

		/* The v1 freezer can stay in FREEZING while tasks fork; asking again restarts the walk (runc does so).
		 */
		if (waited % 20 == 0 && freeze_once(cg, frozen, err) < 0)
			return -1;
		rc = freezer_state(cg, &now, err);
		if (rc < 0)
			return -1;
		if (rc == 0 && now == frozen)
			return 0;
		hr_cgroup_sleep_ms(1);
	}
	if (frozen) {
		cleanup_err struct hr_err *tmp = NULL;

		if (freeze_once(cg, false, &tmp) < 0)
			hr_log_warn("cgroup: %s", tmp->msg);
	}
	return hr_fail(err, ETIMEDOUT, "%s cgroup `%s`", frozen ? "freeze" : "thaw", cg->path);
}

int hr_cgroup_is_frozen(struct hr_cgroup *cg, bool *frozen, struct hr_err **err)
{
	if (cg->layout == HR_CGROUP_UNIFIED && hr_cgroup_find_hier(cg, "") == NULL)
		return hr_fail(err, 0, "freezer state: no cgroup2 mount");
	return freezer_state(cg, frozen, err) < 0 ? -1 : 0;
}

static bool has_freezer(const struct hr_cgroup *cg)
{
	if (cg->layout == HR_CGROUP_UNIFIED)
		return hr_cgroup_find_hier(cg, "") != NULL;
	return hr_cgroup_find_hier(cg, "freezer") != NULL;
}

static int signal_all(struct hr_cgroup *cg, int sig, size_t *count, struct hr_err **err)
{
	cleanup_free pid_t *pids = NULL;
	size_t n = 0;

	if (hr_cgroup_pids(cg, &pids, &n, err) < 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (kill(pids[i], sig) < 0 && errno != ESRCH)
			return hr_fail(err, errno, "kill pid %d in cgroup `%s`", (int)pids[i], cg->path);
	if (count)
		*count = n;
	return 0;
}

int hr_cgroup_kill_all(struct hr_cgroup *cg, int sig, struct hr_err **err)
{
	cleanup_err struct hr_err *tmp = NULL;
	cleanup_free pid_t *pids = NULL;
	bool frozen = false;
	size_t n = 0;
	int rc;

	/*
	 * An empty cgroup stays empty: nothing inside is left to fork, and
	 * nothing joins a stopped container.  The freeze and thaw (2.5 ms on
	 * delete after every short run) are for a cgroup with tasks.
	 */
	if (hr_cgroup_pids(cg, &pids, &n, err) < 0)
		return -1;
	if (n == 0)
		return 0;
	/* Frozen tasks cannot fork, so no child escapes between listing and signalling. */
	if (has_freezer(cg)) {
		if (hr_cgroup_freeze(cg, true, &tmp) < 0) {
			hr_log_warn("cgroup: kill all: %s", tmp->msg);
			hr_err_free(&tmp);
		} else {
			frozen = true;
		}
	}
	rc = signal_all(cg, sig, NULL, err);
	if (frozen && hr_cgroup_freeze(cg, false, rc < 0 ? &tmp : err) < 0) {
		if (rc < 0)
			hr_log_warn("cgroup: kill all: %s", tmp->msg);
		return -1;
	}
	return rc;
}

void hr_cgroup_kill_leftovers(struct hr_cgroup *cg)
{
	cleanup_err struct hr_err *tmp = NULL;
	bool frozen = false;

	/* SIGKILL is not delivered to a frozen task on v1 until it thaws. */
	if (has_freezer(cg) && hr_cgroup_is_frozen(cg, &frozen, &tmp) == 0 && frozen &&
	    hr_cgroup_freeze(cg, false, &tmp) < 0)
		hr_log_warn("cgroup: %s", tmp->msg);
	hr_err_free(&tmp);
	for (int i = 0; i < 200; i++) {
		size_t n = 0;

		if (signal_all(cg, SIGKILL, &n, &tmp) < 0) {
			hr_log_debug("cgroup: %s", tmp->msg);
			return;
		}
		if (n == 0)
			return;
		hr_cgroup_sleep_ms(10);
	}
}
