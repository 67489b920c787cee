/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `exec` in a running container: a helper joins the container's
 * namespaces (user first, so the others are joined with its capabilities),
 * forks into its pid namespace, and the new process is confined exactly
 * like the init before it execs.  The helper and the process stay
 * non-dumpable until execve, so the container cannot ptrace them or open
 * their fds (CVE-2016-9962).  Child side only, besides hr_exec_spawn.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "hardrun/apparmor.h"
#include "hardrun/caps.h"
#include "hardrun/init.h"
#include "hardrun/log.h"
#include "hardrun/seccomp.h"
#include "hardrun/seccomp_learn.h"
#include "hardrun/selinux.h"
#include "hardrun/strutil.h"
#include "hardrun/sync.h"

#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif

/* Join order: user first; mount last, so that paths opened before it still resolve on the host. */
static const enum hr_ns_type join_order[] = {HR_NS_USER, HR_NS_IPC,    HR_NS_UTS,  HR_NS_NET,
					     HR_NS_PID,	 HR_NS_CGROUP, HR_NS_TIME, HR_NS_MOUNT};

/* A pty from the container's devpts (we are in its mount namespace); the peer via TIOCGPTPEER. */
static int exec_terminal_child(const struct hr_exec_plan *p, struct hr_err **err)
{
	cleanup_close int master = open("/dev/pts/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	cleanup_close int peer = -1;
	int unlock = 0;

	if (master < 0)
		return hr_fail(err, errno, "open `/dev/pts/ptmx` in the container");
	if (ioctl(master, TIOCSPTLCK, &unlock) < 0)
		return hr_fail(err, errno, "unlock pty");
	peer = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (peer < 0)
		return hr_fail(err, errno, "open pty peer");
	if (p->proc->has_console_size) {
		struct winsize ws = {.ws_row = (unsigned short)p->proc->console_height,
				     .ws_col = (unsigned short)p->proc->console_width};

		if (ioctl(peer, TIOCSWINSZ, &ws) < 0)
			return hr_fail(err, errno, "set console size");
	}
	if (hr_console_send_master(p->console_fd, master, err) < 0)
		return -1;
	if (setsid() < 0 || ioctl(peer, TIOCSCTTY, 0) < 0)
		return hr_fail(err, errno, "set controlling terminal");
	for (int fd = 0; fd < 3; fd++)
		if (dup3(peer, fd, 0) < 0)
			return hr_fail(err, errno, "dup pty to fd %d", fd);
	return 0;
}

static HR_NORETURN void process_child(struct hr_exec_plan *p)
{
	const struct hr_process *proc = p->proc;
	struct hr_err *err = NULL;
	char exe[PATH_MAX];
	int notify_fd = -1;

	/* the same order as the init: terminal, rlimits, LSM, no_new_privs, cwd, ids and caps, seccomp last */
	if (p->console_fd >= 0) {
		if (exec_terminal_child(p, &err) < 0)
			hr_sync_die_child(p->sync_fd, err);
		close(p->console_fd);
	}
	if (hr_rlimits_apply_child(proc, &err) < 0)
		hr_sync_die_child(p->sync_fd, err);
	if (proc->apparmor_profile && hr_apparmor_apply_child(proc->apparmor_profile, &err) < 0)
		hr_sync_die_child(p->sync_fd, err);
	if (proc->selinux_label && proc->selinux_label[0] && hr_selinux_apply_child(proc->selinux_label, &err) < 0)
		hr_sync_die_child(p->sync_fd, err);
	if (proc->no_new_privileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		hr_fail(&err, errno, "set no_new_privs");
		hr_sync_die_child(p->sync_fd, err);
	}
	/* the cwd check (getcwd) before any filter, which may deny getcwd */
	if (hr_cwd_enter_child(proc->cwd, &err) < 0)
		hr_sync_die_child(p->sync_fd, err);
	if (proc->user.has_umask)
		umask(proc->user.umask);
	/* the container's own profile first, learn mode's filter last, as in the init */
	if (!proc->no_new_privileges && hr_seccomp_load_extra_child(p->bpf_profile, NULL, -1, &err) < 0)
		hr_sync_die_child(p->sync_fd, err);
	if (!proc->no_new_privileges && hr_seccomp_load_stack_child(p->bpf_policy, p->bpf, &notify_fd, &err) < 0)
		hr_sync_die_child(p->sync_fd, err);
	if (!proc->no_new_privileges && hr_seccomp_load_extra_child(NULL, p->bpf_learn, p->sync_fd, &err) < 0)
		hr_sync_die_child(p->sync_fd, err);
	if (hr_caps_apply_child(proc->has_capabilities ? &proc->caps : NULL, &proc->user, true, &err) < 0)
		hr_sync_die_child(p->sync_fd, err);
	if (hr_exec_resolve_child(p->argv, p->envp, exe, sizeof(exe), &err) < 0)
		hr_sync_die_child(p->sync_fd, err);
	/* the container's own profile first, learn mode's filter last, as in the init */
	if (proc->no_new_privileges && hr_seccomp_load_extra_child(p->bpf_profile, NULL, -1, &err) < 0)
		hr_sync_die_child(p->sync_fd, err);
	if (proc->no_new_privileges && hr_seccomp_load_stack_child(p->bpf_policy, p->bpf, &notify_fd, &err) < 0)
		hr_sync_die_child(p->sync_fd, err);
	if (proc->no_new_privileges && hr_seccomp_load_extra_child(NULL, p->bpf_learn, p->sync_fd, &err) < 0)
		hr_sync_die_child(p->sync_fd, err);
	if (notify_fd >= 0)
		close(notify_fd);
	if (hr_sync_send(p->sync_fd, HR_SYNC_READY, 0, NULL, 0, -1) < 0)
		_exit(HR_EXIT_CHILD_SETUP);
	/* the sync socket is close-on-exec; everything else not preserved is closed now */
	hr_close_fds_except_child(p->preserve_fds, NULL, 0);
	execve(exe, p->argv, p->envp);
	hr_exec_failed_child(p->argv[0], errno);
}

static HR_NORETURN void helper_child(struct hr_exec_plan *p)
{
	struct hr_err *err = NULL;
	struct hr_sync_msg *m = xmalloc(sizeof(*m));
	pid_t pid;

	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	hr_log_set_stderr(false);
	hr_reset_signals_child();
	{
		int keep[HR_NS_COUNT + 3];
		size_t n = 0;

		keep[n++] = p->sync_fd;
		keep[n++] = p->console_fd;
		keep[n++] = p->root_fd;
		for (int t = 0; t < HR_NS_COUNT; t++)
			keep[n++] = p->ns_fds[t];
		hr_close_fds_except_child(p->preserve_fds, keep, n);
	}
	/* wait until the parent put us into the container's cgroup */
	if (hr_sync_expect(p->sync_fd, HR_SYNC_GO, m, &err) < 0)
		_exit(HR_EXIT_CHILD_SETUP);
	for (size_t i = 0; i < HR_ARRAY_SIZE(join_order); i++) {
		enum hr_ns_type t = join_order[i];

		if (p->ns_fds[t] < 0)
			continue;
		if (setns(p->ns_fds[t], (int)hr_ns_clone_flag(t)) < 0) {
			hr_fail(&err, errno, "join the container's %s namespace", hr_ns_type_name(t));
			hr_sync_die_child(p->sync_fd, err);
		}
		close(p->ns_fds[t]);
		p->ns_fds[t] = -1;
	}
	/* no mount namespace to join: the container's root is its init's chroot */
	if (p->root_fd >= 0 && (fchdir(p->root_fd) < 0 || chroot(".") < 0 || chdir("/") < 0)) {
		hr_fail(&err, errno, "enter the container's root");
		hr_sync_die_child(p->sync_fd, err);
	}
	if (p->root_fd >= 0) {
		close(p->root_fd);
		p->root_fd = -1;
	}
	/* the pid namespace applies to children: the process is a fork of this helper */
	pid = fork();
	if (pid < 0) {
		hr_fail(&err, errno, "fork into the container");
		hr_sync_die_child(p->sync_fd, err);
	}
	if (pid == 0) {
		free(m);
		process_child(p);
	}
	if (hr_sync_send(p->sync_fd, HR_SYNC_PID, (int32_t)pid, NULL, 0, -1) < 0)
		_exit(HR_EXIT_CHILD_SETUP);
	_exit(0);
}

pid_t hr_exec_spawn(struct hr_exec_plan *p, struct hr_err **err)
{
	pid_t pid = fork();

	if (pid < 0)
		return hr_fail(err, errno, "fork exec helper");
	if (pid == 0)
		helper_child(p);
	return pid;
}
