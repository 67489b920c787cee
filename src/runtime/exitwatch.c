/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The exit watcher (see exitwatch.h).  It must not hold anything of the
 * container: it opens its own, unlocked fd of the state dir, closes every
 * other fd, leaves the caller's stdio (a shim's pipes) and cwd (the bundle),
 * and is never in the container's cgroup.  delete --force kills it through
 * the intent record ("watcher PID START").
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "exitwatch.h"
#include "hardrun/init.h"
#include "hardrun/strutil.h"
#include "statedir.h"

/* include/uapi/linux/pidfd.h of Linux 6.15; Debian 12's headers predate it */
struct pidfd_info_v0 {
	uint64_t mask;
	uint64_t cgroupid;
	uint32_t pid, tgid, ppid, ruid, rgid, euid, egid, suid, sgid, fsuid, fsgid;
	int32_t exit_code;
};
#define HR_PIDFD_INFO_EXIT (1UL << 3)
#define HR_PIDFD_GET_INFO _IOWR(0xFF, 11, struct pidfd_info_v0)

/* How long an exited init may stay unreaped before the watcher gives up. */
#define REAP_WAIT_MS 60000

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static _Noreturn void watch_child(int pidfd, int dir_fd)
{
	struct pidfd_info_v0 info = {.mask = HR_PIDFD_INFO_EXIT};
	int nul = open("/dev/null", O_RDWR | O_CLOEXEC);
	sigset_t all;
	long waited = 0;

	/* only the pidfd (3) and the state dir (4) stay; above 9 first, so neither overwrites the other */
	pidfd = fcntl(pidfd, F_DUPFD_CLOEXEC, 10);
	dir_fd = fcntl(dir_fd, F_DUPFD_CLOEXEC, 10);
	if (nul < 0 || pidfd < 0 || dir_fd < 0 || dup3(pidfd, 3, 0) < 0 || dup3(dir_fd, 4, 0) < 0 || dup2(nul, 0) < 0 ||
	    dup2(nul, 1) < 0 || dup2(nul, 2) < 0)
		_exit(1);
	syscall(SYS_close_range, 5, ~0U, 0);
	if (chdir("/") < 0)
		_exit(1);
	setsid();
	sigemptyset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	prctl(PR_SET_NAME, "hardrun-exitw", 0, 0, 0);
	for (;;) {
		struct pollfd p = {3, POLLIN, 0};

		if (poll(&p, 1, -1) < 0 && errno != EINTR)
			_exit(1);
		/* POLLIN once it exited, POLLHUP once it was reaped: only then is the status there */
		if (p.revents & POLLHUP)
			break;
		if (p.revents & POLLIN) {
			if (waited >= REAP_WAIT_MS)
				_exit(0);
			sleep_ms(10);
			waited += 10;
		}
	}
	if (ioctl(3, HR_PIDFD_GET_INFO, &info) == 0 && (info.mask & HR_PIDFD_INFO_EXIT)) {
		struct hr_err *e = NULL;
		int ws = info.exit_code, code = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
		char buf[16];
		int n = snprintf(buf, sizeof(buf), "%d", code);

		if (hr_statedir_write(4, HR_EXIT_STATUS_FILE, buf, (size_t)n, &e) < 0)
			_exit(1);
	}
	_exit(0);
}

pid_t hr_exitwatch_start(int root_fd, const char *id, pid_t init, struct hr_err **err)
{
	struct pidfd_info_v0 probe = {.mask = HR_PIDFD_INFO_EXIT};
	cleanup_close int pidfd = (int)syscall(SYS_pidfd_open, init, 0);
	cleanup_close int dir_fd = -1;
	pid_t pid;

	if (pidfd < 0)
		return hr_fail(err, errno, "pidfd_open %d", (int)init);
	/* a kernel without PIDFD_GET_INFO: no status channel, the cap counts quick restarts */
	if (ioctl(pidfd, HR_PIDFD_GET_INFO, &probe) < 0)
		return errno == ENOTTY || errno == EINVAL ? 0 : hr_fail(err, errno, "PIDFD_GET_INFO %d", (int)init);
	/* a new open file description: the create's holds its flock, the watcher must not */
	dir_fd = openat(root_fd, id, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dir_fd < 0)
		return hr_fail(err, errno, "open state dir for `%s`", id);
	pid = fork();
	if (pid < 0)
		return hr_fail(err, errno, "fork the exit watcher");
	if (pid == 0)
		watch_child(pidfd, dir_fd);
	return pid;
}

int hr_exitwatch_status(int dir_fd, pid_t init, unsigned long long init_start, pid_t watcher,
			unsigned long long watcher_start)
{
	cleanup_free char *buf = NULL;
	struct hr_err *e = NULL;
	size_t len = 0;
	int code = -1;
	/* an init not reaped yet (a zombie): no status until its reaper acts, and a shim reaps before delete */
	bool reaped = hr_proc_start_time(init) != init_start;

	/* the shim reaps, the watcher writes: a delete right after the reap may be a moment early */
	for (int i = 0; reaped && i < 100 && faccessat(dir_fd, HR_EXIT_STATUS_FILE, F_OK, AT_SYMLINK_NOFOLLOW) < 0 &&
			hr_proc_alive(watcher, watcher_start);
	     i++)
		sleep_ms(5);
	if (hr_statedir_read(dir_fd, HR_EXIT_STATUS_FILE, &buf, &len, &e) < 0) {
		hr_err_free(&e);
		return -1;
	}
	if (hr_parse_int(buf, &code) < 0 || code < 0 || code > 255)
		return -1;
	return code;
}
