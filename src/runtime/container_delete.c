/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * delete and its undo: kill and wait for the init, run the poststop hooks,
 * remove the cgroup, the host-side mounts (container_delete.c owns their
 * record) and the state dir, also of a half-made container.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <linux/capability.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bpfcache.h"
#include "container.h"
#include "exitwatch.h"
#include "fault.h"
#include "hardrun/apparmor.h"
#include "hardrun/cgroup.h"
#include "hardrun/init.h"
#include "hardrun/log.h"
#include "hardrun/policy.h"
#include "hardrun/seccomp.h"
#include "learn.h"
#include "hardrun/selinux.h"
#include "hardrun/state.h"
#include "hardrun/strutil.h"
#include "hardrun/sync.h"
#include "intent.h"
#include "policyrt.h"
#include "sdscope.h"
#include "statedir.h"

/*
 * A container without a mount namespace mounts in the runtime's own mount
 * table, stacked on its rootfs.  Before the init exists, the state dir
 * records the mount id found at the rootfs then, and its path; delete (and
 * a failed create) detach whatever is stacked above that id, and nothing
 * that was there before.
 */
#define HOST_MOUNTS_FILE "host-mounts"

static int mnt_id_at(const char *path, uint64_t *id)
{
	struct statx stx;

	if (statx(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW, STATX_MNT_ID, &stx) < 0)
		return -1;
	if (!(stx.stx_mask & STATX_MNT_ID)) {
		errno = EOPNOTSUPP;
		return -1;
	}
	*id = stx.stx_mnt_id;
	return 0;
}

int host_mounts_record(int dir_fd, const char *rootfs, struct hr_err **err)
{
	cleanup_free char *text = NULL;
	uint64_t id;

	if (mnt_id_at(rootfs, &id) < 0)
		return hr_fail(err, errno, "mount id of rootfs `%s`", rootfs);
	text = xasprintf("%llu %s\n", (unsigned long long)id, rootfs);
	return hr_statedir_write(dir_fd, HOST_MOUNTS_FILE, text, strlen(text), err);
}

void host_mounts_undo(int dir_fd, const char *id)
{
	cleanup_close int fd = openat(dir_fd, HOST_MOUNTS_FILE, O_RDONLY | O_CLOEXEC);
	char buf[PATH_MAX + 32], *sp, *nl;
	uint64_t was = 0, now;
	ssize_t n;

	if (fd < 0)
		return;
	n = read(fd, buf, sizeof(buf) - 1);
	if (n <= 0)
		return;
	buf[n] = '\0';
	sp = strchr(buf, ' ');
	nl = strchr(buf, '\n');
	if (!sp || !nl || nl < sp) {
		hr_log_warn("delete `%s`: `%s` is not \"MOUNT_ID PATH\"", id, HOST_MOUNTS_FILE);
		return;
	}
	*sp = *nl = '\0';
	if (hr_parse_u64(buf, &was) < 0) {
		hr_log_warn("delete `%s`: `%s`: bad mount id", id, HOST_MOUNTS_FILE);
		return;
	}
	/* MNT_DETACH takes a mount with everything below it: one per mount stacked on the rootfs */
	for (int i = 0; i < 64 && mnt_id_at(sp + 1, &now) == 0 && now != was; i++)
		if (umount2(sp + 1, MNT_DETACH | UMOUNT_NOFOLLOW) < 0) {
			hr_log_warn("delete `%s`: unmount `%s`: %s", id, sp + 1, strerror(errno));
			return;
		}
}

/* Kill the cgroup's processes (or the init) and wait until the init is gone. */
static void kill_and_wait(struct hr_state *st, struct hr_cgroup *cg)
{
	struct hr_err *tmp = NULL;

	if (cg && hr_cgroup_kill_all(cg, SIGKILL, &tmp) < 0) {
		hr_log_warn("kill container processes: %s", tmp->msg);
		hr_err_free(&tmp);
	}
	if (st->pid > 0 && hr_proc_alive(st->pid, st->pid_start))
		kill(st->pid, SIGKILL);
	for (int i = 0; i < 5000 && hr_proc_alive(st->pid, st->pid_start); i++) {
		struct timespec ts = {0, 1000000};

		/* reap it if it is our own child (run, failed create) */
		waitpid(st->pid, NULL, WNOHANG);
		nanosleep(&ts, NULL);
	}
}

/* Tear down a loaded container: processes, cgroup, poststop hooks, what its intent record names, state dir. */
int hr_container_destroy(struct hr_loaded *c, struct hr_err **err)
{
	struct hr_cgroup *cg = NULL;
	struct hr_err *tmp = NULL;
	struct hr_intent in = {0};
	cleanup_free char *json = NULL;

	if (c->st->cgroup_path && *c->st->cgroup_path && hr_cgroup_open(c->st->cgroup_path, &cg, &tmp) < 0) {
		hr_log_warn("delete `%s`: %s", c->st->id, tmp->msg);
		hr_err_free(&tmp);
	}
	if (cg) {
		cleanup_free char *rec = NULL;
		size_t len = 0;
		const char *v2dir = hr_cgroup_dir(cg, "");
		struct stat sb;

		if (hr_statedir_read(c->dir_fd, CGROUP_LEVELS, &rec, &len, &tmp) == 0)
			hr_cgroup_created_restore(cg, rec);
		hr_err_free(&tmp);
		/* systemd collects a scope whose processes are gone: nothing left to kill there */
		if (hr_cgroup_layout(cg) == HR_CGROUP_UNIFIED && v2dir && stat(v2dir, &sb) < 0 && errno == ENOENT &&
		    c->status == HR_STATUS_STOPPED) {
			hr_cgroup_free(cg);
			cg = NULL;
		}
	}
	if (c->status != HR_STATUS_STOPPED || cg)
		kill_and_wait(c->st, cg);
	HR_FAULT_POINT("delete.killed");
	/* systemd removes the scope's cgroup itself once the unit stops; the directories hardrun made go next */
	if (hr_sdscope_cleanup(c->dir_fd, c->st->id, false, err) < 0) {
		hr_cgroup_free(cg);
		return -1;
	}
	if (cg && hr_cgroup_destroy(cg, err) < 0) {
		hr_cgroup_free(cg);
		return -1;
	}
	hr_cgroup_free(cg);
	HR_FAULT_POINT("delete.cgroup");
	/* the id range goes back to the pool once nothing of the container runs */
	if (hr_idpool_release(c->root_fd, c->st->id, &tmp) < 0) {
		hr_log_warn("delete `%s`: %s", c->st->id, tmp->msg);
		hr_err_free(&tmp);
	}
	HR_FAULT_POINT("delete.idrange");
	json = hook_state_json(c->st, HR_STATUS_STOPPED);
	host_mounts_undo(c->dir_fd, c->st->id);
	/* runtime-spec: a failing poststop hook is a warning; "the remaining hooks and lifecycle continue" */
	if (c->spec)
		hr_hooks_exec_warn(&c->spec->hooks[HR_HOOK_POSTSTOP], "poststop", json);
	HR_FAULT_POINT("delete.poststop");
	/* what create recorded: parents of the cgroup it made, the profile, temporaries */
	if (hr_intent_read(c->dir_fd, &in, err) < 0 || hr_intent_undo(c->root_fd, c->st->id, &in, false, err) < 0) {
		hr_intent_clear(&in);
		return -1;
	}
	hr_intent_clear(&in);
	HR_FAULT_POINT("delete.undone");
	return hr_statedir_remove(c->root_fd, c->st->id, err);
}

/*
 * delete --force of a container without state.json (its create was
 * killed): its systemd unit, if one was recorded, is stopped all the same.
 */
static int delete_unit_of_torso(const struct hr_rt *rt, const char *id, struct hr_err **err)
{
	cleanup_close int root_fd = -1;
	cleanup_close int dir_fd = -1;

	if (!hr_id_valid(id))
		return 0;
	root_fd = hr_statedir_open_root(rt->root, err);
	if (root_fd < 0)
		return hr_fail_wrap(err, "delete `%s`", id);
	dir_fd = hr_statedir_open(root_fd, id, err);
	if (dir_fd < 0) {
		if ((*err)->errnum == ENOENT) {
			hr_err_free(err);
			return 0;
		}
		return hr_fail_wrap(err, "delete `%s`", id);
	}
	if (hr_sdscope_cleanup(dir_fd, id, rt->systemd_cgroup, err) < 0)
		return hr_fail_wrap(err, "delete `%s`", id);
	return 0;
}

int hr_container_delete(const struct hr_rt *rt, const char *id, bool force, struct hr_err **err)
{
	return hr_container_delete_exited(rt, id, force, -1, err);
}

/* Files a hardrun state dir can hold before state.json exists (an older hardrun wrote no intent record). */
static bool only_ours(int dir_fd)
{
	static const char *const names[] = {CONFIG_COPY,      HR_DECISIONS_FILE, HR_FIFO_NAME,	 HR_TAINTED_FILE,
					    HR_KILLED_FILE,   HR_LEDGERED_FILE,	 HR_INTENT_FILE, HR_EXIT_STATUS_FILE,
					    HOST_MOUNTS_FILE, HR_SD_UNIT_FILE,	 CGROUP_LEVELS};
	cleanup_dir DIR *d = NULL;
	struct dirent *e;
	int fd = dup(dir_fd);

	if (fd < 0 || !(d = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return false;
	}
	while ((e = readdir(d)) != NULL) {
		bool known = e->d_name[0] == '.'; /* ".", "..", temporaries ".NAME.tmp" */

		for (size_t i = 0; !known && i < HR_ARRAY_SIZE(names); i++)
			known = strcmp(e->d_name, names[i]) == 0;
		if (!known)
			return false;
	}
	return true;
}

/*
 * A state dir without state.json, locked by us: its create (or a delete)
 * was killed, since a live one holds the lock.  With force, undo what its
 * intent record names and remove it; without, say what it is.
 */
static int delete_half_made(int root_fd, int dir_fd, const char *id, bool force, bool systemd, struct hr_err **err)
{
	struct hr_intent in = {0};
	const char *owner;
	int r;

	if (hr_intent_read(dir_fd, &in, err) < 0)
		return -1;
	if (!in.exists && !only_ours(dir_fd)) {
		hr_intent_clear(&in);
		return hr_fail(err, ENOENT,
			       "container `%s` does not exist (its state dir is not hardrun's, left alone)", id);
	}
	if (!force) {
		owner = hr_intent_get(&in, "owner");
		if (owner) {
			int pid = 0;

			(void)sscanf(owner, "%d", &pid);
			r = hr_fail(err, 0,
				    "container `%s` is stopped: its create (pid %d) was killed before it finished; "
				    "delete --force removes what it made",
				    id, pid);
		} else {
			r = hr_fail(err, 0,
				    "container `%s` is stopped: its state is incomplete; delete --force removes it",
				    id);
		}
		hr_intent_clear(&in);
		return r;
	}
	/* the systemd unit create recorded (or would have: the config copy names it), then the rest */
	if (hr_sdscope_cleanup(dir_fd, id, systemd, err) < 0) {
		hr_intent_clear(&in);
		return -1;
	}
	/* without a mount namespace the init's mounts are the host's: detach what stands on the rootfs */
	host_mounts_undo(dir_fd, id);
	r = hr_intent_undo(root_fd, id, &in, false, err);
	hr_intent_clear(&in);
	HR_FAULT_POINT("delete.undone");
	if (r < 0)
		return -1;
	return hr_statedir_remove(root_fd, id, err);
}

int hr_container_delete_exited(const struct hr_rt *rt, const char *id, bool force, int exit_status, struct hr_err **err)
{
	struct hr_loaded *c = NULL;
	struct stat sb;
	struct hr_intent in = {0};
	bool has_intent, half = false;
	int r;

	if (load_locked(rt, id, true, &c, &half, err) < 0) {
		if (force && *err && (*err)->errnum == ENOENT) {
			hr_err_free(err);
			return delete_unit_of_torso(rt, id, err);
		}
		return hr_fail_wrap(err, "delete `%s`", id);
	}
	if (half) {
		r = delete_half_made(c->root_fd, c->dir_fd, id, force, rt->systemd_cgroup, err);
		hr_loaded_free(c);
		return r < 0 ? hr_fail_wrap(err, "delete `%s`", id) : 0;
	}
	HR_FAULT_POINT("delete.loaded");
	if (!force && (c->status == HR_STATUS_RUNNING || c->status == HR_STATUS_PAUSED)) {
		hr_fail(err, 0, "container `%s` is %s: stop it first or use --force", id, hr_status_name(c->status));
		hr_loaded_free(c);
		return hr_fail_wrap(err, "delete `%s`", id);
	}
	if (hr_intent_read(c->dir_fd, &in, err) < 0) {
		hr_loaded_free(c);
		return hr_fail_wrap(err, "delete `%s`", id);
	}
	has_intent = in.exists;
	/* a shim reaped the init: its status, if the exit watcher could read it */
	if (exit_status < 0 && c->status == HR_STATUS_STOPPED && hr_intent_get(&in, "watcher")) {
		unsigned long long wstart = 0;
		int wpid = 0;

		if (sscanf(hr_intent_get(&in, "watcher"), "%d %llu", &wpid, &wstart) == 2)
			exit_status = hr_exitwatch_status(c->dir_fd, c->st->pid, c->st->pid_start, wpid, wstart);
	}
	hr_intent_clear(&in);
	/* the restart ledger: failed exits and taint outlive the container, docker reuses its id */
	hr_policy_delete_step(c->root_fd, c->dir_fd, id, c->status == HR_STATUS_STOPPED,
			      fstatat(c->dir_fd, HR_FIFO_NAME, &sb, AT_SYMLINK_NOFOLLOW) != 0, exit_status,
			      c->st->pid_start, !has_intent);
	r = hr_container_destroy(c, err);
	hr_loaded_free(c);
	if (r < 0)
		return hr_fail_wrap(err, "delete `%s`", id);
	return 0;
}
