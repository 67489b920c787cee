/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Finding the user's program as runc does ($PATH of the process env, the
 * default PATH otherwise) and the exit of a failed execve.  Child side only.
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
#include "hardrun/init.h"
#include "hardrun/log.h"
#include "hardrun/seccomp.h"
#include "hardrun/seccomp_learn.h"
#include "hardrun/selinux.h"
#include "hardrun/strutil.h"
#include "hardrun/sync.h"

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/*
 * dockerd maps a failed create to exit status 127 or 126 by looking for Go's
 * errno texts, which are lowercase ("no such file or directory",
 * "permission denied"), in the runtime's error; strerror's capitalised text
 * gives 125.  Spell the two the way runc's messages do.
 */
static int fail_exec(struct hr_err **err, int errnum, const char *arg0)
{
	if (errnum == ENOENT)
		return hr_fail(err, 0, "exec `%s`: no such file or directory", arg0);
	if (errnum == EACCES)
		return hr_fail(err, 0, "exec `%s`: permission denied", arg0);
	return hr_fail(err, errnum, "exec `%s`", arg0);
}

/* Look up args[0] in the container's PATH, from process.env (not our own environment). */
int hr_exec_resolve_child(char *const *argv, char *const *envp, char *out, size_t outlen, struct hr_err **err)
{
	const char *arg0 = argv[0];
	const char *path = DEFAULT_PATH;
	int last_errno = ENOENT;

	if (strchr(arg0, '/')) {
		struct stat st;

		if (stat(arg0, &st) < 0)
			return fail_exec(err, errno, arg0);
		if (S_ISDIR(st.st_mode))
			return hr_fail(err, 0, "exec `%s`: is a directory: permission denied", arg0);
		snprintf(out, outlen, "%s", arg0);
		return 0;
	}
	for (char *const *e = envp; e && *e; e++)
		if (hr_str_has_prefix(*e, "PATH="))
			path = *e + 5;
	while (path) {
		const char *colon = strchr(path, ':');
		size_t dlen = colon ? (size_t)(colon - path) : strlen(path);
		struct stat st;
		int n;

		n = snprintf(out, outlen, "%.*s/%s", (int)dlen, dlen ? path : ".", arg0);
		if (n > 0 && (size_t)n < outlen && stat(out, &st) == 0 && S_ISREG(st.st_mode)) {
			if (access(out, X_OK) == 0)
				return 0;
			last_errno = EACCES;
		}
		path = colon ? colon + 1 : NULL;
	}
	if (last_errno == EACCES)
		return fail_exec(err, EACCES, arg0);
	return hr_fail(err, 0, "exec `%s`: executable file not found in $PATH", arg0);
}

HR_NORETURN void hr_exec_failed_child(const char *what, int e)
{
	char buf[512];
	int n = snprintf(buf, sizeof(buf), "hardrun: exec `%s`: %s\n", what, strerror(e));

	if (n > 0)
		(void)!write(2, buf, (size_t)n);
	_exit(e == ENOENT ? 127 : 126);
}
