/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Learn mode for create and exec: the seed read from the profile being
 * learned, the learn filter compiled for the child's sync socket, and the
 * recorder, a small process of hardrun's that outlives create (as the
 * launcher's supervisor does) and ends with the container.  It holds no fd
 * of the runtime's (an inherited state-dir lock would block delete, an
 * inherited pipe would keep a shim waiting for create's output) and is in
 * a session of its own, so a terminal's signals never stop the recorder
 * before the workload.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hardrun/init.h"
#include "hardrun/log.h"
#include "hardrun/scprof.h"
#include "hardrun/seccomp_learn.h"
#include "hardrun/strutil.h"
#include "learn.h"
#include "statedir.h"

const char *hr_learn_path(const struct hr_spec *spec)
{
	for (size_t i = 0; spec && i < spec->n_annotations; i++)
		if (strcmp(spec->annotations[i].key, HR_SPEC_ANN_SECCOMP_LEARNING) == 0)
			return spec->annotations[i].value;
	return NULL;
}

int hr_learn_prepare(const struct hr_spec *spec, const struct hr_bpf *bundle, int sync_fd, struct hr_bpf **out,
		     struct hr_err **err)
{
	const char *path = hr_learn_path(spec);
	struct hr_scprof seed = {0};
	cleanup_free char *text = NULL;
	cleanup_close int fd = -1;
	size_t len = 0;
	int r = -1;

	*out = NULL;
	if (!path)
		return 0;
	if (!hr_path_is_clean_abs(path))
		return hr_fail(err, EINVAL, "seccomp learn: `%s` is not a clean absolute path", path);
	if (hr_seccomp_learn_supported(err) < 0)
		return -1;
	if (bundle && bundle->notify)
		return hr_fail(err, EBUSY,
			       "seccomp learn: the bundle's filter has a SCMP_ACT_NOTIFY listener of its own (one per "
			       "process)");
	{
		/* the recorder writes beside the file: a missing directory is create's error, not a silent loss */
		cleanup_free char *dir = xstrdup(path);
		cleanup_close int dfd = -1;

		*strrchr(dir, '/') = '\0';
		dfd = open(dir[0] ? dir : "/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dfd < 0)
			return hr_fail(err, errno, "seccomp learn: directory `%s`", dir[0] ? dir : "/");
	}
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && errno != ENOENT)
		return hr_fail(err, errno, "seccomp learn: open `%s`", path);
	if (fd >= 0 &&
	    (hr_read_fd_all(fd, path, &text, &len, err) < 0 || hr_scprof_parse(text, len, path, &seed, err) < 0)) {
		hr_fail_wrap(err, "seccomp learn: the seed");
		goto out;
	}
	r = hr_seccomp_compile_learn(&seed, sync_fd, out, err);
	if (r == 0)
		hr_log_debug("seccomp learn: recording into %s (%zu calls known), not enforcing a container profile",
			     path, seed.n_names);
out:
	hr_scprof_free(&seed);
	return r;
}

/* Kernels before 5.8 never hang the listener up when the filter's last task is gone. */
static bool no_hangup(void)
{
	struct utsname u;
	unsigned long major, minor = 0;
	char *end = NULL;

	if (uname(&u) < 0)
		return true;
	major = strtoul(u.release, &end, 10);
	if (end && *end == '.')
		minor = strtoul(end + 1, NULL, 10);
	return major < 5 || (major == 5 && minor < 8);
}

static HR_NORETURN void recorder_child(int notify_fd, pid_t pid, const char *path)
{
	struct hr_err *e = NULL;
	int keep[3] = {notify_fd, -1, hr_log_fd()};
	int devnull;

	if (setsid() < 0)
		_exit(1);
	switch (fork()) {
	case -1:
		_exit(1);
	case 0:
		break;
	default:
		_exit(0);
	}
	prctl(PR_SET_NAME, "hardrun-learn", 0, 0, 0);
	hr_log_set_stderr(false);
	hr_reset_signals_child();
	devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	for (int i = 0; devnull >= 0 && i < 3; i++)
		(void)dup2(devnull, i);
	if (no_hangup())
		keep[1] = (int)syscall(SYS_pidfd_open, pid, 0);
	hr_close_fds_except_child(0, keep, HR_ARRAY_SIZE(keep));
	if (hr_seccomp_learn_serve(notify_fd, keep[1], path, &e) < 0) {
		hr_log_error("%s", e->msg);
		hr_err_free(&e);
		_exit(1);
	}
	_exit(0);
}

int hr_learn_spawn(int notify_fd, pid_t pid, const char *path, struct hr_err **err)
{
	pid_t child;
	int ws = 0;

	if (notify_fd < 0)
		return hr_fail(err, EBADF, "seccomp learn: no listener fd from the container");
	child = fork();
	if (child < 0)
		return hr_fail(err, errno, "seccomp learn: fork the recorder");
	if (child == 0)
		recorder_child(notify_fd, pid, path);
	while (waitpid(child, &ws, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(ws) || WEXITSTATUS(ws) != 0)
		return hr_fail(err, ECHILD, "seccomp learn: the recorder did not start");
	hr_log_debug("seccomp learn: recorder started for %s", path);
	return 0;
}
