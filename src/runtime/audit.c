/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Facts for `audit`, from the kernel's view of a running container, never
 * from its config.json: the init's /proc/PID/status, uid_map, mountinfo,
 * attr/current, the ns links (against the auditing process's own), environ (names
 * only), the limits in its cgroup files and the comm of every process in
 * that cgroup, a bounded walk of its rootfs through /proc/PID/root for
 * setuid/setgid files, and the policy engine's decisions.json and tainted
 * in the state dir.  For a bundle the facts come from its config.json and
 * a walk of its rootfs.  Read-only: nothing here writes or signals.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "container.h"
#include "hardrun/apparmor.h"
#include "hardrun/audit.h"
#include "hardrun/cgroup.h"
#include "hardrun/runtime.h"
#include "hardrun/selinux.h"
#include "hardrun/strutil.h"
#include "statedir.h"

/* Bounds of the rootfs walk: a huge image is reported as scanned in part, never walked for minutes. */
#define WALK_MAX_ENTRIES 200000
#define WALK_MAX_DEPTH 48

static int read_path(const char *path, char **buf, size_t *len, struct hr_err **err)
{
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return hr_fail(err, errno, "read `%s`", path);
	return hr_read_fd_all(fd, path, buf, len, err);
}

/* Read /proc/PID/name whole. */
static int read_proc(pid_t pid, const char *name, char **buf, size_t *len, struct hr_err **err)
{
	cleanup_free char *path = xasprintf("/proc/%d/%s", pid, name);

	return read_path(path, buf, len, err);
}

struct walk {
	dev_t dev;
	size_t entries;
	bool truncated;
	char **found;
	const struct hr_audit_mount *mounts; /* the container's: never stat'ed, see walk_dir */
	size_t n_mounts;
};

static bool is_mount_point(const struct walk *w, const char *path)
{
	for (size_t i = 0; i < w->n_mounts; i++)
		if (strcmp(w->mounts[i].target, path) == 0)
			return true;
	return false;
}

/*
 * Depth-first through dir fd `dfd` (owned), never following a symlink and
 * never leaving the rootfs's filesystem, collecting setuid/setgid regular
 * files as "path (mode)".
 */
static void walk_dir(struct walk *w, int dfd, const char *path, int depth)
{
	cleanup_dir DIR *d = fdopendir(dfd);
	struct dirent *e;

	if (d == NULL) {
		close(dfd);
		return;
	}
	while (!w->truncated && (e = readdir(d)) != NULL) {
		cleanup_free char *child = NULL;
		struct stat st;

		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (++w->entries > WALK_MAX_ENTRIES) {
			w->truncated = true;
			break;
		}
		child = xasprintf("%s/%s", strcmp(path, "/") == 0 ? "" : path, e->d_name);
		/*
		 * Other filesystems are not the rootfs.  A mount point is skipped
		 * before it is stat'ed: a FUSE mount the container made could
		 * otherwise hang the audit in getattr.
		 */
		if (is_mount_point(w, child) || fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    st.st_dev != w->dev)
			continue;
		if (S_ISREG(st.st_mode) && (st.st_mode & (S_ISUID | S_ISGID))) {
			cleanup_free char *item = xasprintf("%s (%04o)", child, (unsigned)(st.st_mode & 07777));

			hr_strv_push(&w->found, item);
		} else if (S_ISDIR(st.st_mode)) {
			int sub;

			if (depth >= WALK_MAX_DEPTH) {
				w->truncated = true;
				break;
			}
			sub = openat(dirfd(d), e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (sub >= 0)
				walk_dir(w, sub, child, depth + 1);
		}
	}
}

/*
 * Scan the tree at root (a /proc/PID/root magic link or a bundle's rootfs)
 * into f->setuid_*; with mounted, skipping the mount points in f->mounts
 * (a bundle's mounts are only planned: their directories are walked).
 */
static void scan_setuid(const char *root, bool mounted, struct hr_audit_facts *f)
{
	struct walk w = {.mounts = mounted ? f->mounts : NULL, .n_mounts = mounted ? f->n_mounts : 0};
	struct stat st;
	int fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	char text[64];

	if (fd < 0 || fstat(fd, &st) < 0) {
		cleanup_free char *why = xasprintf("open: %s", strerror(errno));

		if (fd >= 0)
			close(fd);
		hr_audit_value_absent(&f->setuid_scan, "rootfs", why, root);
		return;
	}
	w.dev = st.st_dev;
	walk_dir(&w, fd, "/", 0);
	snprintf(text, sizeof(text), "%zu entries scanned",
		 w.entries > WALK_MAX_ENTRIES ? WALK_MAX_ENTRIES : w.entries);
	hr_audit_value_set(&f->setuid_scan, "rootfs", text, root, w.entries);
	f->setuid_files = w.found;
	f->setuid_truncated = w.truncated;
}

/* "net:[4026531840]" of a namespace link; NULL when unreadable. */
static char *ns_link(const char *path)
{
	char buf[128];
	ssize_t n = readlink(path, buf, sizeof(buf) - 1);

	if (n < 0)
		return NULL;
	buf[n] = '\0';
	return xstrdup(buf);
}

/* num 1 when /proc/PID/ns/name is the same namespace as the auditing process's. */
static void ns_fact(pid_t pid, const char *name, struct hr_audit_value *v)
{
	cleanup_free char *path = xasprintf("/proc/%d/ns/%s", pid, name);
	cleanup_free char *self_path = xasprintf("/proc/self/ns/%s", name);
	cleanup_free char *vname = xasprintf("ns/%s", name);
	cleanup_free char *src = xasprintf("/proc/%d", pid);
	cleanup_free char *theirs = ns_link(path);
	cleanup_free char *ours = ns_link(self_path);
	cleanup_free char *text = NULL;

	if (theirs == NULL || ours == NULL) {
		hr_audit_value_absent(v, vname, strerror(errno), src);
		return;
	}
	if (strcmp(theirs, ours) == 0) {
		text = xasprintf("%s, the host's", theirs);
		hr_audit_value_set(v, vname, text, src, 1);
	} else {
		text = xasprintf("%s, the host's is %s", theirs, ours);
		hr_audit_value_set(v, vname, text, src, 0);
	}
}

static void lsm_fact(pid_t pid, struct hr_audit_facts *f)
{
	cleanup_free char *src = xasprintf("/proc/%d", pid);
	cleanup_free char *buf = NULL;
	struct hr_err *e = NULL;
	size_t len = 0;
	bool confined;

	if (read_proc(pid, "attr/current", &buf, &len, &e) < 0) {
		cleanup_free char *why = NULL;

		why = xasprintf("%s; %s", strerror(e->errnum),
				!hr_apparmor_enabled() && !hr_selinux_enabled()
					? "no AppArmor in this kernel and SELinux is off"
					: "no label");
		hr_err_free(&e);
		hr_audit_value_absent(&f->lsm, "attr/current", why, src);
		return;
	}
	while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\0'))
		buf[--len] = '\0';
	/* AppArmor: "unconfined" or "profile (complain)" do not confine; SELinux labels always do */
	confined = len > 0 && strcmp(buf, "unconfined") != 0 && !hr_str_has_suffix(buf, "(complain)") &&
		   !hr_str_has_suffix(buf, "(unconfined)") && strcmp(buf, "kernel") != 0;
	hr_audit_value_set(&f->lsm, "attr/current", len ? buf : "(empty)", src, confined ? 1 : 0);
}

static void cg_value(struct hr_audit_value *v, const struct hr_cgroup_file *cf, const char *why)
{
	if (cf->dir == NULL)
		hr_audit_value_absent(v, cf->name, why, "the container's cgroup");
	else
		hr_audit_value_set(v, cf->name, cf->text, cf->dir, cf->value);
}

/* Limits and processes from the container's cgroup. */
static int cgroup_facts(const char *cgroup_path, struct hr_audit_facts *f, struct hr_err **err)
{
	cleanup_cgroup struct hr_cgroup *cg = NULL;
	struct hr_cgroup_limits l = {0};
	cleanup_free pid_t *pids = NULL;
	size_t n = 0;
	char text[64];

	if (hr_cgroup_open(cgroup_path, &cg, err) < 0 || hr_cgroup_limits(cg, &l, err) < 0)
		return -1;
	cg_value(&f->mem_limit, &l.memory, "no memory controller");
	cg_value(&f->swap_limit, &l.swap, l.v2 ? "no memory.swap.max" : "no such file: swap accounting is off");
	cg_value(&f->pids_max, &l.pids, "no pids controller");
	cg_value(&f->cpu_quota, &l.cpu_quota, "no cpu controller");
	cg_value(&f->cpu_weight, &l.cpu_weight, "no cpu controller");
	f->swap_is_v2 = f->cpu_is_v2 = l.v2;
	hr_cgroup_limits_free(&l);
	if (hr_cgroup_pids(cg, &pids, &n, err) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		cleanup_free char *comm = NULL;
		struct hr_err *e = NULL;
		size_t len = 0;

		/* a process that exited since the listing is simply gone */
		if (read_proc(pids[i], "comm", &comm, &len, &e) < 0 || comm == NULL) {
			hr_err_free(&e);
			continue;
		}
		comm[strcspn(comm, "\n")] = '\0';
		if (hr_audit_remote_daemon(comm)) {
			cleanup_free char *item =
				xasprintf("comm `%s` of pid %d in /proc/%d/comm", comm, pids[i], pids[i]);

			hr_strv_push(&f->daemons, item);
		}
	}
	snprintf(text, sizeof(text), "%zu process%s", n, n == 1 ? "" : "es");
	hr_audit_value_set(&f->procs, "cgroup.procs", text, cgroup_path, n);
	return 0;
}

/* decisions.json and tainted from the state dir; both optional. */
static int statedir_facts(int dir_fd, struct hr_audit_facts *f, struct hr_err **err)
{
	cleanup_free char *buf = NULL;
	struct hr_err *e = NULL;
	size_t len = 0;

	if (hr_statedir_read(dir_fd, "decisions.json", &buf, &len, &e) == 0) {
		if (hr_audit_parse_decisions(buf, len, f, err) < 0)
			return -1;
	} else if (e->errnum != ENOENT) {
		*err = e;
		return -1;
	}
	hr_err_free(&e);
	free(steal_ptr(&buf));
	if (hr_statedir_read(dir_fd, "tainted", &buf, &len, &e) == 0)
		return hr_audit_parse_tainted(buf, len, f, err);
	if (e->errnum != ENOENT) {
		*err = e;
		return -1;
	}
	hr_err_free(&e);
	hr_audit_value_set(&f->tainted, "tainted", "no such file, no exec since create", "the state dir", 0);
	return 0;
}

static int proc_facts(pid_t pid, struct hr_audit_facts *f, struct hr_err **err)
{
	static const char *const ns_names[HR_AUDIT_NS_COUNT] = {"pid", "net", "ipc", "uts"};
	cleanup_free char *status_src = xasprintf("/proc/%d/status", pid);
	cleanup_free char *map_src = xasprintf("/proc/%d/uid_map", pid);
	cleanup_free char *mi_src = xasprintf("/proc/%d/mountinfo", pid);
	cleanup_free char *env_src = xasprintf("/proc/%d/environ", pid);
	cleanup_free char *root = xasprintf("/proc/%d/root", pid);
	cleanup_free char *buf = NULL;
	size_t len = 0;

	if (read_proc(pid, "status", &buf, &len, err) < 0 || hr_audit_parse_status(buf, len, status_src, f, err) < 0)
		return -1;
	free(steal_ptr(&buf));
	if (read_proc(pid, "uid_map", &buf, &len, err) < 0 || hr_audit_parse_uid_map(buf, len, map_src, f, err) < 0)
		return -1;
	free(steal_ptr(&buf));
	if (read_proc(pid, "mountinfo", &buf, &len, err) < 0 || hr_audit_parse_mountinfo(buf, len, mi_src, f, err) < 0)
		return -1;
	free(steal_ptr(&buf));
	if (read_proc(pid, "environ", &buf, &len, err) < 0)
		return -1;
	hr_audit_parse_environ(buf, len, env_src, f);
	ns_fact(pid, "user", &f->userns);
	/* ns/user is "the host's" when shared: the fact the control needs is "its own" */
	if (f->userns.present)
		f->userns.num = f->userns.num ? 0 : 1;
	for (size_t i = 0; i < HR_AUDIT_NS_COUNT; i++)
		ns_fact(pid, ns_names[i], &f->ns[i]);
	lsm_fact(pid, f);
	scan_setuid(root, true, f);
	return 0;
}

int hr_container_audit_facts(const struct hr_rt *rt, const char *id, struct hr_audit_facts *f, struct hr_err **err)
{
	struct hr_loaded *c = NULL;
	int rc = -1;

	if (hr_container_load(rt, id, false, &c, err) < 0)
		goto out;
	/* a created container's init is still hardrun's setup, parked before the workload */
	if (c->status != HR_STATUS_RUNNING && c->status != HR_STATUS_PAUSED) {
		hr_fail(err, 0, "container `%s` is %s, not running: audit reads the workload's process", id,
			hr_status_name(c->status));
		goto out;
	}
	f->subject = xstrdup(id);
	f->kernel = true;
	f->pid = c->st->pid;
	if (statedir_facts(c->dir_fd, f, err) < 0 || proc_facts(c->st->pid, f, err) < 0)
		goto out;
	if (c->st->cgroup_path && *c->st->cgroup_path) {
		if (cgroup_facts(c->st->cgroup_path, f, err) < 0)
			goto out;
	} else {
		hr_audit_value_absent(&f->mem_limit, "memory", "no cgroup", "state.json");
		hr_audit_value_absent(&f->swap_limit, "swap", "no cgroup", "state.json");
		hr_audit_value_absent(&f->pids_max, "pids", "no cgroup", "state.json");
		hr_audit_value_absent(&f->cpu_quota, "cpu", "no cgroup", "state.json");
		hr_audit_value_absent(&f->procs, "processes", "no cgroup", "state.json");
	}
	rc = 0;
out:
	hr_loaded_free(c);
	return rc < 0 ? hr_fail_wrap(err, "audit `%s`", id) : 0;
}

int hr_bundle_audit_facts(const struct hr_rt *rt, const char *bundle, bool as_is, struct hr_audit_facts *f,
			  struct hr_err **err)
{
	cleanup_free char *dir = realpath(bundle, NULL);
	cleanup_free char *cfg_path = NULL;
	cleanup_free char *buf = NULL;
	cleanup_free char *rootfs = NULL;
	json_t *cfg = NULL;
	struct hr_spec *spec = NULL;
	json_error_t je;
	size_t len = 0;

	if (dir == NULL)
		return hr_fail(err, errno, "audit bundle `%s`", bundle);
	cfg_path = hr_path_join(dir, "config.json");
	if (read_path(cfg_path, &buf, &len, err) < 0)
		return hr_fail_wrap(err, "audit bundle `%s`", dir);
	/* what create would run: the policy's hardening applied (the parser reports bad JSON below) */
	if (!as_is && (cfg = json_loadb(buf, len, 0, &je)) != NULL) {
		int r = hr_runtime_bundle_harden(rt, dir, cfg, err);

		if (r == 0) {
			free(buf);
			buf = json_dumps(cfg, JSON_COMPACT);
			len = strlen(buf);
		}
		json_decref(cfg);
		if (r < 0)
			return hr_fail_wrap(err, "audit bundle `%s`", dir);
	}
	if (hr_spec_load_buf(buf, len, &spec, err) < 0 || hr_spec_validate(spec, err) < 0) {
		hr_spec_free(spec);
		return hr_fail_wrap(err, "audit bundle `%s`", dir);
	}
	hr_audit_facts_from_spec(spec, dir, f);
	rootfs = spec->root_path[0] == '/' ? xstrdup(spec->root_path) : hr_path_join(dir, spec->root_path);
	hr_spec_free(spec);
	scan_setuid(rootfs, false, f);
	return 0;
}
