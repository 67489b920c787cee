/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `run`: create + start + wait in the foreground.  hardrun stays the
 * parent (or, for the slow path, the subreaper) of the init, forwards the
 * signals it receives, returns the workload's status (128+N for signal N),
 * and deletes the container afterwards.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "container.h"
#include "hardrun/log.h"
#include "hardrun/strutil.h"

static const int forwarded[] = {SIGHUP,	 SIGINT,   SIGQUIT, SIGTERM, SIGUSR1,
				SIGUSR2, SIGWINCH, SIGCONT, SIGALRM, SIGPIPE};

int hr_wait_forward(pid_t pid, int *status, struct hr_err **err)
{
	sigset_t mask;
	cleanup_close int sfd = -1;

	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	for (size_t i = 0; i < HR_ARRAY_SIZE(forwarded); i++)
		sigaddset(&mask, forwarded[i]);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC);
	if (sfd < 0)
		return hr_fail(err, errno, "signalfd");
	for (;;) {
		struct signalfd_siginfo si;
		int ws;
		pid_t r;

		/* reap first: the init may have exited before we started listening */
		while ((r = waitpid(-1, &ws, WNOHANG)) > 0) {
			if (r == pid) {
				*status = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
				return 0;
			}
		}
		if (r < 0 && errno == ECHILD)
			return hr_fail(err, ECHILD, "wait for container init %d", pid);
		if (read(sfd, &si, sizeof(si)) != sizeof(si)) {
			if (errno == EINTR)
				continue;
			return hr_fail(err, errno, "read signalfd");
		}
		if (si.ssi_signo != SIGCHLD && kill(pid, (int)si.ssi_signo) < 0 && errno != ESRCH)
			hr_log_warn("forward signal %u to %d: %s", si.ssi_signo, pid, strerror(errno));
	}
}

int hr_container_run(const struct hr_rt *rt, const char *id, const struct hr_create_opts *o, int *status,
		     struct hr_err **err)
{
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
	if (hr_container_do_create(rt, id, o, !o->detach, &pid, err) < 0)
		return hr_fail_wrap(err, "run `%s`", id);
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
	/* release the container's lock while it runs so state/kill work */
	close(c->dir_fd);
	c->dir_fd = -1;
	r = hr_wait_forward(pid, status, err);
	hr_loaded_free(c);
	c = NULL;
	{
		struct hr_err *tmp = NULL;

		if (hr_container_delete(rt, id, true, &tmp) < 0) {
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
