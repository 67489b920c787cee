/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Running OCI hooks: the state JSON on stdin, the hook's own args and env,
 * a timeout enforced with a pidfd and SIGKILL.  Used by the runtime for
 * runtime-namespace hooks and by the init for container-namespace hooks.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hardrun/init.h"
#include "hardrun/log.h"
#include "hardrun/strutil.h"

static int pidfd_open_(pid_t pid)
{
	return (int)syscall(SYS_pidfd_open, pid, 0);
}

int hr_hook_exec(const struct hr_hook *hook, const char *state_json, struct hr_err **err)
{
	int pipefd[2];
	cleanup_close int pidfd = -1;
	char *empty_argv[2] = {hook->path, NULL};
	char *empty_env[1] = {NULL};
	pid_t pid;
	int status = 0;

	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return hr_fail(err, errno, "run hook `%s`: pipe", hook->path);
	pid = fork();
	if (pid < 0) {
		close(pipefd[0]);
		close(pipefd[1]);
		return hr_fail(err, errno, "run hook `%s`: fork", hook->path);
	}
	if (pid == 0) {
		sigset_t all;

		sigemptyset(&all);
		sigprocmask(SIG_SETMASK, &all, NULL);
		/* its own process group: a timeout kills what the hook started too (a script's sleep) */
		setpgid(0, 0);
		if (dup2(pipefd[0], 0) < 0)
			_exit(127);
		/* the hook's stdout/stderr stay the runtime's; nothing else leaks */
		syscall(SYS_close_range, 3, ~0U, 0);
		execve(hook->path, hook->args ? hook->args : empty_argv, hook->env ? hook->env : empty_env);
		_exit(127);
	}
	/* both sides, so the group exists whichever runs first */
	setpgid(pid, pid);
	close(pipefd[0]);
	/*
	 * a hook that does not read stdin is fine: one that exits first (false)
	 * must not kill the runtime with SIGPIPE, the write just fails
	 */
	{
		struct sigaction ign = {.sa_handler = SIG_IGN}, old;

		sigaction(SIGPIPE, &ign, &old);
		(void)hr_write_all(pipefd[1], state_json, strlen(state_json));
		sigaction(SIGPIPE, &old, NULL);
	}
	close(pipefd[1]);

	pidfd = pidfd_open_(pid);
	if (hook->has_timeout && pidfd >= 0) {
		struct pollfd p = {.fd = pidfd, .events = POLLIN};
		int r;

		do
			r = poll(&p, 1, hook->timeout * 1000);
		while (r < 0 && errno == EINTR);
		if (r == 0) {
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
				;
			return hr_fail(err, ETIMEDOUT, "run hook `%s`: timed out after %d s", hook->path,
				       hook->timeout);
		}
	}
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			return hr_fail(err, errno, "run hook `%s`: wait", hook->path);
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFEXITED(status)) {
		if (WEXITSTATUS(status) == 127 && access(hook->path, X_OK) < 0)
			return hr_fail(err, errno, "run hook `%s`", hook->path);
		return hr_fail(err, 0, "run hook `%s`: exit status %d", hook->path, WEXITSTATUS(status));
	}
	return hr_fail(err, 0, "run hook `%s`: killed by signal %d", hook->path, WTERMSIG(status));
}

int hr_hooks_exec(const struct hr_hook_list *list, const char *kind, const char *state_json, struct hr_err **err)
{
	for (size_t i = 0; i < list->n; i++) {
		if (hr_hook_exec(&list->hooks[i], state_json, err) < 0)
			return hr_fail_wrap(err, "%s hook %zu", kind, i);
	}
	return 0;
}

size_t hr_hooks_exec_warn(const struct hr_hook_list *list, const char *kind, const char *state_json)
{
	size_t failed = 0;

	for (size_t i = 0; i < list->n; i++) {
		struct hr_err *err = NULL;

		if (hr_hook_exec(&list->hooks[i], state_json, &err) < 0) {
			hr_log_warn("%s hook %zu: %s", kind, i, err->msg);
			hr_err_free(&err);
			failed++;
		}
	}
	return failed;
}
