/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The container init's privileged sequence, in the order of runc's
 * standard_init_linux.go / finalizeNamespace.  It only applies the plan the
 * parent computed; every failure is reported over the sync socket and ends
 * the child with _exit(HR_EXIT_CHILD_SETUP).  There is no "warn and
 * continue" for a protection the spec asked for.  This file is the
 * sequence only; each step is a call into the file that owns it:
 *
 *  0. hygiene: non-dumpable, log pipes as stdio, only the planned fds
 *     (process.c), signals reset (process.c), parent-death signal
 *  1. namespaces: stage1 joins by path and forks into new pid/time
 *     namespaces (nsenter.c); wait for the id maps and the cgroup (sync.c);
 *     root of the user namespace (nsenter.c); the cgroup namespace; `/`
 *     made private
 *  2. filesystem: the rootfs mount (rootfs*.c, mount.c), the host's
 *     /dev/null (process.c), config mounts (mount.c) and /dev nodes (dev.c),
 *     the pty (terminal.c), sysctls (sysctl.c), prestart/createRuntime and
 *     createContainer hooks (hook.c), masked and read-only paths (mount.c),
 *     read-only and nosuid,nodev root, pivot_root (rootfs*.c)
 *  3. identity of the process: hostname, domainname, personality, rlimits
 *     (process.c)
 *  4. LSM labels for the next execve: AppArmor (apparmor.c), SELinux
 *     (selinux.c); setsid and the controlling pty (terminal.c)
 *  5. no_new_privs
 *  6. without no_new_privs: seccomp while still privileged (seccomp.c,
 *     seccomp_learn.c)
 *  7. host fds closed, cwd entered and proven inside (process.c), HOME
 *     (process.c)
 *  8. bounding set, groups, uid/gid, capabilities (caps.c); the program
 *     resolved with the process's own ids (execpath.c)
 *  9. with no_new_privs: seccomp as the last step (seccomp.c); READY to the
 *     parent, park on the exec fifo until `start`, startContainer hooks,
 *     execve (execpath.c reports a failure)
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hardrun/apparmor.h"
#include "hardrun/caps.h"
#include "hardrun/fs.h"
#include "hardrun/cgroup.h"
#include "hardrun/init.h"
#include "hardrun/log.h"
#include "hardrun/seccomp.h"
#include "hardrun/seccomp_learn.h"
#include "hardrun/selinux.h"
#include "hardrun/strutil.h"
#include "hardrun/sync.h"

static HR_NORETURN void die(const struct hr_plan *plan, struct hr_err *err)
{
	hr_sync_die_child(plan->sync_fd, err);
}

void hr_init_child(struct hr_plan *plan)
{
	const struct hr_spec *spec = plan->spec;
	const struct hr_process *proc = spec->process;
	struct hr_err *err = NULL;
	struct hr_sync_msg *msg = xmalloc(sizeof(*msg));
	cleanup_free char *state_json = NULL;
	size_t state_len = 0;
	cleanup_close int rootfs_fd = -1;
	char exe[PATH_MAX];
	int notify_fd = -1;
	int term_fd = -1;
	char byte;
	ssize_t n;

	/* 0. no ptrace or /proc/PID access from the container until execve (CVE-2016-9962) */
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	/*
	 * 0. the child's stderr is the container's: its log lines go only to
	 * the log file, which it closes before the workload's cwd is entered
	 */
	hr_log_set_stderr(false);
	/* 0. into the v1 cgroups, single-threaded and before any step they limit (cgroup_join.c) */
	if (hr_cgjoin_child(plan->cgjoin, &err) < 0)
		die(plan, err);
	/* 0. the launcher's log pipes become the workload's stdio, before the close below drops the originals */
	for (int i = 0; plan->redirect_stdio && i < 3; i++)
		if (plan->stdio_fds[i] >= 3 && dup2(plan->stdio_fds[i], i) < 0)
			_exit(HR_EXIT_CHILD_SETUP);
	/* 0. only the planned fds survive */
	{
		size_t nm = plan->idmap_trees ? plan->spec->n_mounts : 0;
		cleanup_free int *keep = xcalloc(6 + nm, sizeof(int));

		keep[0] = plan->sync_fd;
		keep[1] = plan->fifo_fd;
		keep[2] = plan->procsys_fd;
		keep[3] = plan->console_fd;
		keep[4] = plan->log_fd;
		keep[5] = plan->root_tree;
		for (size_t i = 0; i < nm; i++)
			keep[6 + i] = plan->idmap_trees[i];
		hr_close_fds_except_child(plan->preserve_fds, keep, 6 + nm);
	}
	/* 0. the runtime may block signals for forwarding; the workload starts clean */
	hr_reset_signals_child();
	/* 0. die with the runtime while it still supervises the setup */
	if (!plan->slow_path)
		prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	/* 1. slow path: join namespaces by path, fork the init into new pid/time namespaces */
	if (plan->slow_path)
		stage1_child(plan);
	/* 1. wait until the parent wrote the id maps and moved us into the cgroup */
	if (hr_sync_expect_large(plan->sync_fd, HR_SYNC_GO, msg, &state_json, &state_len, &err) < 0)
		die(plan, err);
	if (plan->userns && !plan->slow_path)
		become_ns_root_child();
	/* 1. the cgroup namespace is made after entering the cgroup, so its root is the container's cgroup */
	if (plan->new_cgroupns && unshare(CLONE_NEWCGROUP) < 0) {
		hr_fail(&err, errno, "unshare cgroup namespace");
		die(plan, err);
	}

	/*
	 * 2. keep our mounts from propagating to the host.  unbindable waits
	 * for the new `/` (after pivot_root): made now, the host's /dev/null
	 * and every bind source could no longer be cloned
	 */
	if (!plan->host_mntns &&
	    mount(NULL, "/", NULL,
		  MS_REC | (spec->lnx.rootfs_propagation_flags & (MS_SHARED | MS_SLAVE | MS_PRIVATE) ?: MS_SLAVE),
		  NULL) < 0) {
		hr_fail(&err, errno, "set propagation of `/`");
		die(plan, err);
	}
	/*
	 * 2. the rootfs becomes a mount of its own, so pivot_root and read-only
	 * apply to it: the idmapped tree the parent prepared, else a self-bind
	 */
	rootfs_fd = hr_rootfs_mount_child(plan, &err);
	if (rootfs_fd < 0)
		die(plan, err);
	/*
	 * 2. the host's /dev/null for masking, opened in our mount namespace
	 * (open_tree cannot clone a mount of another namespace) before any
	 * container mount exists, and verified as 1:3 (CVE-2025-31133)
	 */
	plan->devnull_fd = open_devnull_child(&err);
	if (plan->devnull_fd < 0)
		die(plan, err);
	/* 2. config mounts in order, then /dev nodes */
	if (hr_mounts_apply_child(plan, rootfs_fd, &err) < 0 || hr_dev_setup_child(plan, rootfs_fd, &err) < 0)
		die(plan, err);
	/* 2. the terminal comes from the container's devpts; /dev/console is its peer */
	if (proc->terminal) {
		term_fd = hr_terminal_setup_child(plan, rootfs_fd, &err);
		if (term_fd < 0)
			die(plan, err);
		close(plan->console_fd);
		plan->console_fd = -1;
	}
	/* 3. namespaced sysctls through the host /proc/sys fd, while nothing of the container runs */
	if (sysctls_child(plan, &err) < 0)
		die(plan, err);
	/* 2. prestart/createRuntime hooks run in the runtime namespace, now that ours exist */
	if (spec->hooks[HR_HOOK_PRESTART].n || spec->hooks[HR_HOOK_CREATE_RUNTIME].n) {
		if (hr_sync_send(plan->sync_fd, HR_SYNC_HOOKS, 0, NULL, 0, -1) < 0 ||
		    hr_sync_expect(plan->sync_fd, HR_SYNC_HOOKS_DONE, msg, &err) < 0)
			_exit(HR_EXIT_CHILD_SETUP);
	}
	/* 2. createContainer hooks: container namespaces, before pivot_root (runtime-spec) */
	if (hr_hooks_exec(&spec->hooks[HR_HOOK_CREATE_CONTAINER], "createContainer", state_json, &err) < 0)
		die(plan, err);
	/* 2. masked and read-only paths after every mount, so nothing mounted later uncovers them */
	if (hr_paths_protect_child(plan, rootfs_fd, &err) < 0)
		die(plan, err);
	/* 2. read-only rootfs: only the root mount, submounts keep their own flags */
	if (spec->root_readonly) {
		struct mount_attr ro = {.attr_set = MOUNT_ATTR_RDONLY};

		if (mount_setattr(rootfs_fd, "", AT_EMPTY_PATH, &ro, sizeof(ro)) < 0) {
			hr_fail(&err, errno, "make rootfs read-only");
			die(plan, err);
		}
	}
	/* 2. the policy's nosuid,nodev for the root mount (runtime-spec has no root mount options) */
	if (spec->root_nosuid_nodev) {
		struct mount_attr ns = {.attr_set = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV};

		if (mount_setattr(rootfs_fd, "", AT_EMPTY_PATH, &ns, sizeof(ns)) < 0) {
			hr_fail(&err, errno, "make rootfs nosuid,nodev");
			die(plan, err);
		}
	}
	/* 2. pivot_root and detach the host's tree */
	if (hr_rootfs_pivot_child(plan, rootfs_fd, &err) < 0)
		die(plan, err);
	hr_cleanup_closep(&rootfs_fd);

	/* 3. hostname, domainname, personality, rlimits */
	if (spec->hostname && sethostname(spec->hostname, strlen(spec->hostname)) < 0) {
		hr_fail(&err, errno, "sethostname `%s`", spec->hostname);
		die(plan, err);
	}
	if (spec->domainname && setdomainname(spec->domainname, strlen(spec->domainname)) < 0) {
		hr_fail(&err, errno, "setdomainname `%s`", spec->domainname);
		die(plan, err);
	}
	if (spec->lnx.has_personality && personality(spec->lnx.personality) < 0) {
		hr_fail(&err, errno, "personality %#lx", spec->lnx.personality);
		die(plan, err);
	}
	if (hr_rlimits_apply_child(proc, &err) < 0)
		die(plan, err);
	/* 4. AppArmor label for the next execve, while still privileged */
	if (proc->apparmor_profile && hr_apparmor_apply_child(proc->apparmor_profile, &err) < 0)
		die(plan, err);
	if (proc->selinux_label && proc->selinux_label[0] && hr_selinux_apply_child(proc->selinux_label, &err) < 0)
		die(plan, err);
	/*
	 * 3. a session of its own: in the runtime's process group, kill(0)
	 * from inside the container would reach processes outside it
	 */
	if (term_fd < 0 && setsid() < 0) {
		hr_fail(&err, errno, "setsid");
		die(plan, err);
	}
	/* 3. a new session on the pty, before ids change */
	if (term_fd >= 0) {
		if (hr_terminal_attach_child(term_fd, &err) < 0)
			die(plan, err);
		close(term_fd);
	}
	/* 5. no_new_privs */
	if (proc->no_new_privileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		hr_fail(&err, errno, "set no_new_privs");
		die(plan, err);
	}
	/* 7. host fds must be gone before the cwd is resolved (CVE-2024-21626) */
	hr_cleanup_closep(&plan->procsys_fd);
	hr_cleanup_closep(&plan->devnull_fd);
	if (plan->log_fd >= 0) {
		close(plan->log_fd);
		plan->log_fd = -1;
	}
	/*
	 * 7. the cwd and its check (getcwd), and HOME from /etc/passwd, come
	 * before any filter: a config's filter may deny getcwd or open, which
	 * the workload never asked the runtime to need
	 */
	if (hr_cwd_enter_child(proc->cwd, &err) < 0)
		die(plan, err);
	if (proc->user.has_umask)
		umask(proc->user.umask);
	default_home_child(plan);
	/*
	 * 6. without no_new_privs the filter needs CAP_SYS_ADMIN: load it before
	 * dropping capabilities.  The container's own profile goes first: on
	 * equal actions the newest filter's errno wins, so the bundle's own
	 * answers (Docker's ENOSYS for clone3, which glibc falls back on) stay.
	 */
	if (!proc->no_new_privileges && hr_seccomp_load_extra_child(plan->bpf_profile, NULL, -1, &err) < 0)
		die(plan, err);
	if (!proc->no_new_privileges && hr_seccomp_load_stack_child(plan->bpf_policy, plan->bpf, &notify_fd, &err) < 0)
		die(plan, err);
	/* 6. learn mode's filter last, and at once the handoff of its listener */
	if (!proc->no_new_privileges && hr_seccomp_load_extra_child(NULL, plan->bpf_learn, plan->sync_fd, &err) < 0)
		die(plan, err);
	/* 8. bounding set, groups, uid/gid, final capability sets */
	if (hr_caps_apply_child(proc->has_capabilities ? &proc->caps : NULL, &proc->user, true, &err) < 0)
		die(plan, err);
	/* 8. the workload must exist, seen with its own ids, before create reports success */
	if (hr_exec_resolve_child(plan->exec_argv, plan->exec_env, exe, sizeof(exe), &err) < 0)
		die(plan, err);
	/* the runtime's create exits after READY: do not die with it */
	prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0);
	/* 9. seccomp as the last step of setup, with no_new_privs no privilege is needed */
	if (proc->no_new_privileges && hr_seccomp_load_extra_child(plan->bpf_profile, NULL, -1, &err) < 0)
		die(plan, err);
	if (proc->no_new_privileges && hr_seccomp_load_stack_child(plan->bpf_policy, plan->bpf, &notify_fd, &err) < 0)
		die(plan, err);
	/* 9. learn mode's filter last: from here on every call is recorded */
	if (proc->no_new_privileges && hr_seccomp_load_extra_child(NULL, plan->bpf_learn, plan->sync_fd, &err) < 0)
		die(plan, err);
	if (hr_sync_send(plan->sync_fd, HR_SYNC_READY, 0, NULL, 0, notify_fd) < 0)
		_exit(HR_EXIT_CHILD_SETUP);
	if (notify_fd >= 0)
		close(notify_fd);
	free(msg);
	/* the parent's commit comes after state.json: EOF means create failed or died, and so do we */
	do
		n = read(plan->sync_fd, &byte, 1);
	while (n < 0 && errno == EINTR);
	if (n != 1)
		_exit(HR_EXIT_CHILD_SETUP);

	/* park until `start` writes to the exec fifo */
	do
		n = read(plan->fifo_fd, &byte, 1);
	while (n < 0 && errno == EINTR);
	if (n != 1)
		_exit(HR_EXIT_CHILD_SETUP);
	if (hr_hooks_exec(&spec->hooks[HR_HOOK_START_CONTAINER], "startContainer", state_json, &err) < 0) {
		char *line = hr_err_format(err);

		dprintf(2, "hardrun: %s\n", line);
		_exit(HR_EXIT_CHILD_SETUP);
	}
	/* only stdio and the preserved fds reach the workload */
	syscall(SYS_close_range, 3 + plan->preserve_fds, ~0U, 0);
	execve(exe, plan->exec_argv, plan->exec_env);
	hr_exec_failed_child(plan->exec_argv[0], errno);
}
