/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `run`: create + start + wait in the foreground.  hardrun stays the
 * parent (or, for the slow path, the subreaper) of the init, forwards the
 * signals it receives, returns the workload's status (128+N for signal N),
 * and deletes the container afterwards.  With process.terminal and no
 * --console-socket, hardrun takes the pty master itself and connects it to
 * its own stdin and stdout, as runc does.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "container.h"
#include "fault.h"
#include "hardrun/init.h"
#include "hardrun/log.h"
#include "hardrun/strutil.h"

static const int forwarded[] = {SIGHUP,	 SIGINT,   SIGQUIT, SIGTERM, SIGUSR1,
				SIGUSR2, SIGWINCH, SIGCONT, SIGALRM, SIGPIPE};

static void copy_winsize(int master)
{
	struct winsize ws;

	if (ioctl(0, TIOCGWINSZ, &ws) == 0)
		(void)ioctl(master, TIOCSWINSZ, &ws);
}

/* true when the init has been reaped (*status set, *r = 0) or cannot be waited for (*r = -1) */
static bool reap(pid_t pid, int *status, int *r, struct hr_err **err)
{
	int ws;
	pid_t w;

	while ((w = waitpid(-1, &ws, WNOHANG)) > 0) {
		if (w == pid) {
			*status = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
			*r = 0;
			return true;
		}
	}
	if (w < 0 && errno == ECHILD) {
		*r = hr_fail(err, ECHILD, "wait for container init %d", pid);
		return true;
	}
	return false;
}

/* Copy one read's worth from one side to the other: bytes moved, 0 at end of file or error, -1 when nothing is ready.
 */
static ssize_t relay(int from, int to)
{
	char buf[4096];
	ssize_t n = read(from, buf, sizeof(buf));

	if (n > 0) {
		(void)hr_write_all(to, buf, (size_t)n); /* a reader that went away does not end the wait */
		return n;
	}
	return n < 0 && (errno == EAGAIN || errno == EINTR) ? -1 : 0;
}

int hr_wait_forward_pty(pid_t pid, int master, int *status, struct hr_err **err)
{
	sigset_t mask;
	cleanup_close int sfd = -1;
	struct termios saved, raw;
	bool tty = master >= 0 && isatty(0) && tcgetattr(0, &saved) == 0;
	bool in_open = master >= 0, out_open = master >= 0;
	int r = -1;

	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	for (size_t i = 0; i < HR_ARRAY_SIZE(forwarded); i++)
		sigaddset(&mask, forwarded[i]);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sfd < 0)
		return hr_fail(err, errno, "signalfd");
	if (tty) {
		raw = saved;
		cfmakeraw(&raw);
		(void)tcsetattr(0, TCSANOW, &raw);
		copy_winsize(master);
	}
	if (master >= 0)
		(void)fcntl(master, F_SETFL, O_NONBLOCK);
	for (;;) {
		struct pollfd p[3] = {
			{sfd, POLLIN, 0}, {out_open ? master : -1, POLLIN, 0}, {in_open ? 0 : -1, POLLIN, 0}};
		struct signalfd_siginfo si;

		/* reap first: the init may have exited before we started listening */
		if (reap(pid, status, &r, err)) {
			if (master >= 0) /* the workload's last output */
				while (relay(master, 1) > 0)
					;
			break;
		}
		if (poll(p, 3, -1) < 0 && errno != EINTR) {
			r = hr_fail(err, errno, "poll");
			break;
		}
		while (read(sfd, &si, sizeof(si)) == sizeof(si)) {
			if (si.ssi_signo == SIGWINCH && tty)
				copy_winsize(master); /* the kernel signals the pty's foreground group */
			else if (si.ssi_signo != SIGCHLD && kill(pid, (int)si.ssi_signo) < 0 && errno != ESRCH)
				hr_log_warn("forward signal %u to %d: %s", si.ssi_signo, pid, strerror(errno));
		}
		if (p[1].revents && relay(master, 1) == 0)
			out_open = false; /* EIO: every holder of the pty has gone */
		if (p[2].revents && relay(0, master) == 0)
			in_open = false;
	}
	if (tty)
		(void)tcsetattr(0, TCSANOW, &saved);
	return r;
}

int hr_wait_forward(pid_t pid, int *status, struct hr_err **err)
{
	return hr_wait_forward_pty(pid, -1, status, err);
}

int hr_container_run(const struct hr_rt *rt, const char *id, const struct hr_create_opts *o, int *status,
		     struct hr_err **err)
{
	cleanup_close int term_sock = -1;
	cleanup_close int master = -1;
	struct hr_loaded *c = NULL;
	sigset_t mask, old;
	pid_t pid = -1;
	int r;

	/*
	 * Block forwarded signals before the clone so none is lost between
	 * create and the wait; the init unblocks them for the workload.
	 */
	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	for (size_t i = 0; i < HR_ARRAY_SIZE(forwarded); i++)
		sigaddset(&mask, forwarded[i]);
	if (!o->detach) {
		sigprocmask(SIG_BLOCK, &mask, &old);
		/* the slow path's init is a grandchild: become its reaper */
		prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
	}
	if (hr_container_do_create(rt, id, o, !o->detach, &pid, o->detach ? NULL : &term_sock, err) < 0)
		return hr_fail_wrap(err, "run `%s`", id);
	HR_FAULT_POINT("run.created");
	if (term_sock >= 0)
		master = hr_console_recv_master(term_sock);
	if (hr_container_load(rt, id, true, &c, err) < 0)
		return hr_fail_wrap(err, "run `%s`", id);
	r = hr_container_do_start(c, err);
	if (r < 0 || o->detach) {
		if (r < 0) {
			struct hr_err *tmp = NULL;

			if (hr_container_destroy(c, &tmp) < 0) {
				hr_log_warn("%s", tmp->msg);
				hr_err_free(&tmp);
			}
		}
		hr_loaded_free(c);
		return r < 0 ? hr_fail_wrap(err, "run `%s`", id) : 0;
	}
	HR_FAULT_POINT("run.started");
	/* release the container's lock while it runs so state/kill work */
	close(c->dir_fd);
	c->dir_fd = -1;
	r = master >= 0 ? hr_wait_forward_pty(pid, master, status, err) : hr_wait_forward(pid, status, err);
	HR_FAULT_POINT("run.waited");
	hr_loaded_free(c);
	c = NULL;
	{
		struct hr_err *tmp = NULL;

		if (hr_container_delete_exited(rt, id, true, r == 0 ? *status : -1, &tmp) < 0) {
			if (r == 0) {
				*err = tmp;
				r = -1;
			} else {
				hr_err_free(&tmp);
			}
		}
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (r < 0)
		return hr_fail_wrap(err, "run `%s`", id);
	return 0;
}
