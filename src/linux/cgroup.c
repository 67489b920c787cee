/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Cgroup layout and lifecycle: cgroupsPath resolution, mountinfo parsing
 * (unified, hybrid, legacy), mkdir/rmdir with a record of what was made,
 * entering and statistics dispatch; the processes inside (listing,
 * freezing, signalling) are cgroup_procs.c's.  Limits
 * live in cgroup_v1.c / cgroup_v2.c, file access in cgroup_fs.c.  Must not
 * keep fds across calls, talk to systemd (systemd.c does), or remove a directory it did not
 * create (shared parents belong to podman, Kubernetes, other containers).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cgroup_int.h"
#include "hardrun/log.h"
#include "hardrun/strutil.h"

#define MAX_DEPTH 64
#define RMDIR_RETRY_MS 2000

void hr_cgroup_sleep_ms(long ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

int hr_cgroup_resolve_path(const char *cgroups_path, const char *id, char **out, struct hr_err **err)
{
	cleanup_free char *copy = NULL;
	cleanup_free char *res = NULL;
	char *save = NULL, *tok;

	if (cgroups_path == NULL || cgroups_path[0] == '\0') {
		if (id == NULL || !hr_id_valid(id))
			return hr_fail(err, 0, "cgroup for container `%s`: invalid container id", id ? id : "");
		*out = xasprintf("/%s", id);
		return 0;
	}
	/* runc's systemd driver takes "slice:prefix:name"; a cgroupfs path never needs a ':' before its first '/'. */
	if (cgroups_path[0] != '/' && strchr(cgroups_path, ':'))
		return hr_fail(err, 0, "cgroupsPath `%s`: a systemd cgroup path needs --systemd-cgroup", cgroups_path);
	copy = xstrdup(cgroups_path);
	res = xstrdup("");
	for (tok = strtok_r(copy, "/", &save); tok; tok = strtok_r(NULL, "/", &save)) {
		char *next;

		if (strcmp(tok, ".") == 0)
			continue;
		/* ".." could climb out of the hierarchy or into a sibling's cgroup. */
		if (strcmp(tok, "..") == 0)
			return hr_fail(err, 0, "cgroupsPath `%s`: `..` is not allowed", cgroups_path);
		next = xasprintf("%s/%s", res, tok);
		free(res);
		res = next;
	}
	/* Limits written to the root cgroup would apply to the whole host. */
	if (res[0] == '\0')
		return hr_fail(err, 0, "cgroupsPath `%s`: refers to the root cgroup", cgroups_path);
	*out = steal_ptr(&res);
	return 0;
}

/* Undo mountinfo's octal escapes ("\040" for a space) in place. */
static void unescape_octal(char *s)
{
	char *w = s;

	for (char *r = s; *r;) {
		if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] >= '0' && r[2] <= '7' && r[3] >= '0' &&
		    r[3] <= '7') {
			*w++ = (char)(((r[1] - '0') << 6) | ((r[2] - '0') << 3) | (r[3] - '0'));
			r += 4;
		} else {
			*w++ = *r++;
		}
	}
	*w = '\0';
}

static const char *const v1_known[] = {"cpu",  "cpuacct", "cpuset",  "memory",	 "devices",    "freezer", "blkio",
				       "pids", "hugetlb", "net_cls", "net_prio", "perf_event", "rdma",	  "misc"};

/* ",cpu,cpuacct," from super options "rw,cpu,cpuacct"; NULL when none is a controller. */
static char *v1_controllers(const char *superopts)
{
	cleanup_free char *copy = xstrdup(superopts);
	cleanup_free char *res = xstrdup(",");
	char *save = NULL, *tok;
	bool any = false;

	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		bool known = hr_str_has_prefix(tok, "name=");
		char *next;

		for (size_t i = 0; !known && i < HR_ARRAY_SIZE(v1_known); i++)
			known = strcmp(tok, v1_known[i]) == 0;
		if (!known)
			continue;
		next = xasprintf("%s%s,", res, tok);
		free(res);
		res = next;
		any = true;
	}
	return any ? steal_ptr(&res) : NULL;
}

/* Whether ",a,b," names a resource controller, not only a named hierarchy such as name=systemd. */
static bool has_real_controller(const char *ctrls)
{
	for (const char *p = ctrls; p && p[0] == ',' && p[1];) {
		if (!hr_str_has_prefix(p + 1, "name="))
			return true;
		p = strchr(p + 1, ',');
	}
	return false;
}

static void add_hier(struct hr_cgroup *cg, const char *fake_prefix, const char *mnt, char *ctrls, bool v2)
{
	struct cg_hier *h;

	cg->h = xrealloc(cg->h, (cg->n + 1) * sizeof(*cg->h));
	h = &cg->h[cg->n++];
	h->mnt = fake_prefix ? hr_path_join(fake_prefix, mnt) : xstrdup(mnt);
	h->dir = hr_path_join(h->mnt, cg->path);
	h->ctrls = ctrls;
	h->v2 = v2;
	h->created = -1;
}

/* One mountinfo line: "id parent maj:min root mountpoint opts [optional…] - fstype source superopts". */
static void parse_mount_line(struct hr_cgroup *cg, char *line, const char *fake_prefix)
{
	char *fields[8] = {0};
	char *save = NULL, *tok, *fstype = NULL, *superopts = NULL;
	size_t n = 0;
	bool after_sep = false;
	size_t after = 0;

	for (tok = strtok_r(line, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		if (!after_sep) {
			if (strcmp(tok, "-") == 0)
				after_sep = true;
			else if (n < HR_ARRAY_SIZE(fields))
				fields[n++] = tok;
			continue;
		}
		if (after == 0)
			fstype = tok;
		else if (after == 2)
			superopts = tok;
		after++;
	}
	if (n < 5 || fstype == NULL || superopts == NULL)
		return;
	unescape_octal(fields[4]);
	if (strcmp(fstype, "cgroup2") == 0) {
		if (hr_cgroup_find_hier(cg, ""))
			return; /* the first cgroup2 mount wins; later ones are bind mounts */
		add_hier(cg, fake_prefix, fields[4], NULL, true);
	} else if (strcmp(fstype, "cgroup") == 0) {
		char *ctrls = v1_controllers(superopts);

		if (ctrls == NULL)
			return;
		for (size_t i = 0; i < cg->n; i++) {
			if (!cg->h[i].v2 && strcmp(cg->h[i].ctrls, ctrls) == 0) {
				free(ctrls); /* same hierarchy mounted twice */
				return;
			}
		}
		add_hier(cg, fake_prefix, fields[4], ctrls, false);
	}
}

int hr_cgroup_open_at(const char *path, const char *mountinfo_text, const char *fake_prefix, struct hr_cgroup **out,
		      struct hr_err **err)
{
	cleanup_free char *text = NULL;
	struct hr_cgroup *cg;
	char *save = NULL, *line;
	bool v1_ctrl = false, v2 = false;

	if (path == NULL || !hr_path_is_clean_abs(path) || strcmp(path, "/") == 0)
		return hr_fail(err, EINVAL, "open cgroup `%s`: not a clean absolute path below the root",
			       path ? path : "");
	text = xstrdup(mountinfo_text);
	cg = xzalloc(sizeof(*cg));
	cg->path = xstrdup(path);
	cg->fake_prefix = fake_prefix ? xstrdup(fake_prefix) : NULL;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		parse_mount_line(cg, line, fake_prefix);
	for (size_t i = 0; i < cg->n; i++) {
		if (cg->h[i].v2)
			v2 = true;
		else if (has_real_controller(cg->h[i].ctrls))
			v1_ctrl = true;
	}
	if (!v1_ctrl && !v2) {
		hr_cgroup_free(cg);
		return hr_fail(err, ENOENT, "open cgroup `%s`: no cgroup filesystem is mounted", path);
	}
	cg->layout = !v1_ctrl ? HR_CGROUP_UNIFIED : v2 ? HR_CGROUP_HYBRID : HR_CGROUP_LEGACY;
	*out = cg;
	return 0;
}

int hr_cgroup_open(const char *path, struct hr_cgroup **out, struct hr_err **err)
{
	cleanup_free char *text = NULL;

	if (hr_cgroup_read("/proc/self", "mountinfo", &text, err) < 0)
		return -1;
	return hr_cgroup_open_at(path, text, NULL, out, err);
}

enum hr_cgroup_layout hr_cgroup_layout(const struct hr_cgroup *cg)
{
	return cg->layout;
}

const char *hr_cgroup_dir(const struct hr_cgroup *cg, const char *controller)
{
	struct cg_hier *h = hr_cgroup_find_hier(cg, controller);

	return h ? h->dir : NULL;
}

void hr_cgroup_free(struct hr_cgroup *cg)
{
	if (cg == NULL)
		return;
	for (size_t i = 0; i < cg->n; i++) {
		free(cg->h[i].mnt);
		free(cg->h[i].dir);
		free(cg->h[i].ctrls);
	}
	free(cg->h);
	free(cg->path);
	free(cg->fake_prefix);
	free(cg);
}

/* The hybrid layout's cgroup2 directory is joined only as runc does; it holds no limits. */
static bool best_effort(const struct hr_cgroup *cg, const struct cg_hier *h)
{
	return h->v2 && cg->layout == HR_CGROUP_HYBRID;
}

/*
 * A new v1 cpuset cgroup starts with empty cpus/mems and refuses tasks
 * (ENOSPC) until they are set, so copy them down from the parent.
 */
static int cpuset_fill(const struct hr_cgroup *cg, const char *parent, const char *dir, struct hr_err **err)
{
	static const char *const files[] = {"cpuset.cpus", "cpuset.mems"};

	for (size_t i = 0; i < HR_ARRAY_SIZE(files); i++) {
		cleanup_free char *cur = NULL;
		cleanup_free char *up = NULL;

		if (hr_cgroup_read(dir, files[i], &cur, err) < 0)
			return -1;
		if (cur[0] != '\0')
			continue;
		if (hr_cgroup_read(parent, files[i], &up, err) < 0)
			return -1;
		if (hr_cgroup_write(cg, dir, files[i], up, err) < 0)
			return -1;
	}
	return 0;
}

/* Let children of a v2 directory use every controller it has; a refusal is caught later by apply. */
static void v2_enable_controllers(const struct hr_cgroup *cg, const char *dir)
{
	cleanup_free char *avail = NULL;
	cleanup_free char *enabled = NULL;
	cleanup_err struct hr_err *tmp = NULL;
	char *save = NULL, *tok;

	if (hr_cgroup_read(dir, "cgroup.controllers", &avail, &tmp) < 0 ||
	    hr_cgroup_read(dir, "cgroup.subtree_control", &enabled, &tmp) < 0) {
		hr_log_debug("cgroup: %s", tmp->msg);
		return;
	}
	for (tok = strtok_r(avail, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		cleanup_free char *plus = NULL;

		if (hr_cgroup_word_in(enabled, tok))
			continue;
		plus = xasprintf("+%s", tok);
		if (hr_cgroup_write(cg, dir, "cgroup.subtree_control", plus, &tmp) < 0) {
			hr_log_debug("cgroup: %s", tmp->msg);
			hr_err_free(&tmp);
		}
	}
}

/* Whether systemd manages the cgroup2 tree (unified layout and systemd as PID 1); never on a fake tree. */
static bool systemd_owns_tree(const struct hr_cgroup *cg)
{
	struct stat st;

	return cg->fake_prefix == NULL && cg->layout == HR_CGROUP_UNIFIED && stat("/run/systemd/system", &st) == 0 &&
	       S_ISDIR(st.st_mode);
}

static int mkdir_hier(const struct hr_cgroup *cg, struct cg_hier *h, struct hr_err **err)
{
	cleanup_free char *copy = xstrdup(cg->path);
	cleanup_free char *cur = xstrdup(h->mnt);
	char *save = NULL, *tok;
	bool cpuset = !h->v2 && strstr(h->ctrls, ",cpuset,") != NULL;
	/* Hybrid too: a fresh hybrid host keeps hugetlb in cgroup2, and only enabled controllers reach the leaf. */
	bool v2_full = h->v2;
	int made = 0;

	/* A second create of the same object keeps the record of the first. */
	if (h->created < 0)
		h->created = 0;
	for (tok = strtok_r(copy, "/", &save); tok; tok = strtok_r(NULL, "/", &save)) {
		cleanup_free char *parent = cur;

		cur = hr_path_join(parent, tok);
		/*
		 * On a systemd host the levels hardrun finds belong to systemd
		 * (it enables what its units need): change subtree_control only
		 * in levels hardrun made, so nothing is left enabled after delete.
		 */
		if (v2_full && (made > 0 || !systemd_owns_tree(cg)))
			v2_enable_controllers(cg, parent);
		if (mkdir(cur, 0755) == 0) {
			made++;
			if (made > h->created)
				h->created = made;
		} else if (errno == EEXIST) {
			struct stat st;

			if (made > 0 || stat(cur, &st) < 0 || !S_ISDIR(st.st_mode))
				return hr_fail(err, EEXIST, "create cgroup `%s`: exists and is not a directory", cur);
		} else {
			return hr_fail(err, errno, "create cgroup `%s`", cur);
		}
		if (cpuset && cpuset_fill(cg, parent, cur, err) < 0)
			return -1;
	}
	return 0;
}

int hr_cgroup_create(struct hr_cgroup *cg, const struct hr_resources *res, struct hr_err **err)
{
	struct cg_hier *ph;

	for (size_t i = 0; i < cg->n; i++) {
		struct cg_hier *h = &cg->h[i];
		cleanup_err struct hr_err *tmp = NULL;

		if (!best_effort(cg, h)) {
			if (mkdir_hier(cg, h, err) < 0)
				return -1;
		} else if (mkdir_hier(cg, h, &tmp) < 0) {
			hr_log_warn("cgroup: %s", tmp->msg);
		}
		/*
		 * A leaf left behind by an earlier container keeps its
		 * deny-all device list, and the init's own mknod of /dev
		 * would fail: start it from the parent's rules again.
		 */
		if (!h->v2 && h->created == 0 && strstr(h->ctrls, ",devices,")) {
			cleanup_err struct hr_err *reset = NULL;

			if (hr_cgroup_write(cg, h->dir, "devices.allow", "a", &reset) < 0)
				hr_log_warn("cgroup: %s", reset->msg);
		}
	}
	/*
	 * A leaf that existed and still has processes belongs to someone
	 * else: sharing it would mix limits and `kill --all` (runc 1.2 refuses
	 * too).  A leaf made just now is empty; no need to read it.
	 */
	ph = hr_cgroup_procs_hier(cg);
	if (ph && ph->created == 0) {
		cleanup_free pid_t *pids = NULL;
		size_t n = 0;

		if (hr_cgroup_pids(cg, &pids, &n, err) < 0)
			return -1;
		if (n > 0)
			return hr_fail(err, EBUSY,
				       "linux.cgroupsPath: cgroup `%s` is not empty: %zu process(es), pid %d first",
				       cg->path, n, (int)pids[0]);
	}
	return hr_cgroup_apply(cg, res, err);
}

int hr_cgroup_adopt(struct hr_cgroup *cg, struct hr_err **err)
{
	for (size_t i = 0; i < cg->n; i++) {
		struct cg_hier *h = &cg->h[i];
		struct stat st;

		/* systemd made (and removes) the cgroup2 directory; never touch its parents' subtree_control */
		if (h->v2) {
			if (cg->layout != HR_CGROUP_UNIFIED)
				continue;
			if (stat(h->dir, &st) < 0)
				return hr_fail(err, errno, "open systemd's cgroup `%s`", h->dir);
			if (!S_ISDIR(st.st_mode))
				return hr_fail(err, ENOTDIR, "open systemd's cgroup `%s`", h->dir);
			continue;
		}
		if (mkdir_hier(cg, h, err) < 0)
			return -1;
	}
	return 0;
}

int hr_cgroup_apply(struct hr_cgroup *cg, const struct hr_resources *res, struct hr_err **err)
{
	if (res == NULL)
		return 0;
	if (cg->layout == HR_CGROUP_UNIFIED)
		return hr_cgroup_v2_apply(cg, res, err);
	return hr_cgroup_v1_apply(cg, res, err);
}

int hr_cgroup_enter(struct hr_cgroup *cg, pid_t pid, struct hr_err **err)
{
	return hr_cgroup_enter_rest(cg, NULL, pid, err);
}

int hr_cgroup_enter_rest(struct hr_cgroup *cg, const struct hr_cgjoin *j, pid_t pid, struct hr_err **err)
{
	for (size_t i = 0; i < cg->n; i++) {
		struct cg_hier *h = &cg->h[i];
		cleanup_err struct hr_err *tmp = NULL;

		if (hr_cgjoin_has(j, i))
			continue;
		if (hr_cgroup_write_i64(cg, h->dir, "cgroup.procs", pid, best_effort(cg, h) ? &tmp : err) < 0) {
			if (!best_effort(cg, h))
				return -1;
			hr_log_warn("cgroup: %s", tmp->msg);
		}
	}
	return 0;
}

/* rmdir, retrying while tasks are still leaving (EBUSY). */
static int rmdir_retry(const char *dir, bool retry, struct hr_err **err)
{
	for (int waited = 0;; waited += 10) {
		if (rmdir(dir) == 0 || errno == ENOENT)
			return 0;
		if (errno != EBUSY || !retry || waited >= RMDIR_RETRY_MS)
			return hr_fail(err, errno, "remove cgroup `%s`", dir);
		hr_cgroup_sleep_ms(10);
	}
}

/* Sub-cgroups the container made below its own cgroup go first: rmdir needs an empty directory. */
static int rmdir_tree(const char *dir, int depth, struct hr_err **err)
{
	cleanup_dir DIR *d = NULL;
	struct dirent *de;

	if (depth > MAX_DEPTH)
		return hr_fail(err, ELOOP, "remove cgroup `%s`: nested too deeply", dir);
	d = opendir(dir);
	if (d == NULL)
		return errno == ENOENT ? 0 : hr_fail(err, errno, "open `%s`", dir);
	while ((de = readdir(d))) {
		cleanup_free char *sub = NULL;

		if (de->d_type != DT_DIR || strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		sub = hr_path_join(dir, de->d_name);
		if (rmdir_tree(sub, depth + 1, err) < 0)
			return -1;
	}
	return rmdir_retry(dir, true, err);
}

static int destroy_hier(struct cg_hier *h, struct hr_err **err)
{
	cleanup_free char *dir = xstrdup(h->dir);
	int levels = h->created < 0 ? 1 : h->created;

	if (levels == 0)
		return 0;
	if (rmdir_tree(dir, 0, err) < 0)
		return -1;
	for (int i = 1; i < levels; i++) {
		char *slash = strrchr(dir, '/');

		if (slash == NULL || (size_t)(slash - dir) < strlen(h->mnt))
			break;
		*slash = '\0';
		/* A parent we made may meanwhile hold another container's cgroup: leave it then. */
		if (rmdir(dir) < 0 && errno != ENOENT) {
			if (errno == ENOTEMPTY || errno == EBUSY)
				break;
			return hr_fail(err, errno, "remove cgroup `%s`", dir);
		}
	}
	h->created = 0;
	return 0;
}

int hr_cgroup_destroy(struct hr_cgroup *cg, struct hr_err **err)
{
	bool owned = false;
	int rc = 0;

	for (size_t i = 0; i < cg->n; i++)
		owned = owned || cg->h[i].created != 0;
	if (!owned)
		return 0;
	hr_cgroup_kill_leftovers(cg);
	for (size_t i = 0; i < cg->n; i++) {
		struct cg_hier *h = &cg->h[i];
		cleanup_err struct hr_err *tmp = NULL;

		/* Keep going after a failure so every other hierarchy is still cleaned. */
		if (destroy_hier(h, &tmp) < 0) {
			if (best_effort(cg, h)) {
				hr_log_warn("cgroup: %s", tmp->msg);
			} else {
				rc = -1;
				if (err && *err == NULL)
					*err = steal_ptr(&tmp);
				else
					hr_log_warn("cgroup: %s", tmp->msg);
			}
		}
	}
	return rc;
}

char *hr_cgroup_created_record(const struct hr_cgroup *cg)
{
	char *rec = xstrdup("");

	for (size_t i = 0; i < cg->n; i++) {
		char *next = xasprintf("%s%s%d", rec, i ? " " : "", cg->h[i].created < 0 ? 0 : cg->h[i].created);

		free(rec);
		rec = next;
	}
	return rec;
}

void hr_cgroup_created_restore(struct hr_cgroup *cg, const char *rec)
{
	cleanup_free char *copy = xstrdup(rec);
	cleanup_free int *levels = xcalloc(cg->n ? cg->n : 1, sizeof(*levels));
	char *save = NULL, *tok;
	size_t n = 0;
	int depth = 0;

	for (const char *p = cg->path; *p; p++)
		depth += *p == '/';
	for (tok = strtok_r(copy, " \n", &save); tok; tok = strtok_r(NULL, " \n", &save)) {
		/* never more levels than the path has: the record cannot make delete climb above it */
		if (n == cg->n || hr_parse_int(tok, &levels[n]) < 0 || levels[n] < 0 || levels[n] > depth)
			return;
		n++;
	}
	if (n != cg->n)
		return;
	for (size_t i = 0; i < n; i++)
		if (levels[i] > 1)
			cg->h[i].created = levels[i];
}

int hr_cgroup_stats(struct hr_cgroup *cg, struct hr_cgroup_stats *st, struct hr_err **err)
{
	memset(st, 0, sizeof(*st));
	if (cg->layout == HR_CGROUP_UNIFIED)
		return hr_cgroup_v2_stats(cg, st, err);
	return hr_cgroup_v1_stats(cg, st, err);
}

int hr_cgroup_plan_dirs(const struct hr_cgroup *cg, char ***dirs, bool **leaf, size_t *n)
{
	*dirs = NULL;
	*leaf = NULL;
	*n = 0;
	for (size_t i = 0; i < cg->n; i++) {
		const struct cg_hier *h = &cg->h[i];
		cleanup_free char *copy = xstrdup(cg->path);
		cleanup_free char *cur = xstrdup(h->mnt);
		char *save = NULL, *tok;
		bool missing = false;
		struct stat st;

		for (tok = strtok_r(copy, "/", &save); tok; tok = strtok_r(NULL, "/", &save)) {
			char *next = hr_path_join(cur, tok);

			free(cur);
			cur = next;
			/* below a missing level everything is missing: no stat needed */
			if (!missing && stat(cur, &st) < 0) {
				if (errno != ENOENT)
					return -1;
				missing = true;
			}
			if (missing) {
				*dirs = xrealloc(*dirs, (*n + 1) * sizeof(**dirs));
				*leaf = xrealloc(*leaf, (*n + 1) * sizeof(**leaf));
				(*leaf)[*n] = strcmp(cur, h->dir) == 0;
				(*dirs)[(*n)++] = xstrdup(cur);
			}
		}
	}
	return 0;
}

/* Every pid in dir and below it, SIGKILLed until none is left (about 2 s at most). */
static void kill_dir(const char *dir)
{
	for (int i = 0; i < 200; i++) {
		cleanup_free pid_t *pids = NULL;
		cleanup_err struct hr_err *tmp = NULL;
		size_t n = 0;

		if (hr_cgroup_collect_pids(dir, 0, &pids, &n, &tmp) < 0 || n == 0)
			return;
		for (size_t k = 0; k < n; k++)
			kill(pids[k], SIGKILL);
		hr_cgroup_sleep_ms(10);
	}
}

int hr_cgroup_remove_dir(const char *dir, bool leaf, struct hr_err **err)
{
	struct stat st;

	if (stat(dir, &st) < 0)
		return errno == ENOENT ? 0 : hr_fail(err, errno, "stat cgroup `%s`", dir);
	/* a parent we made may hold another container's cgroup by now: only an empty one goes */
	if (!leaf) {
		if (rmdir(dir) < 0 && errno != ENOENT && errno != ENOTEMPTY && errno != EBUSY)
			return hr_fail(err, errno, "remove cgroup `%s`", dir);
		return 0;
	}
	/* SIGKILL waits for a v1 freezer to thaw the task */
	if (hr_cgroup_file_exists(dir, "freezer.state")) {
		cleanup_close int fd = -1;
		cleanup_free char *p = hr_path_join(dir, "freezer.state");

		fd = open(p, O_WRONLY | O_CLOEXEC);
		if (fd >= 0 && write(fd, "THAWED", 6) < 0)
			hr_log_debug("cgroup: thaw `%s`: %s", dir, strerror(errno));
	}
	kill_dir(dir);
	return rmdir_tree(dir, 0, err);
}
