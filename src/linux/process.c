/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The init's process state: closing inherited fds, signal dispositions, the
 * host's /dev/null for stdio, rlimits, the working directory, and HOME as
 * runc defaults it.  Child side only.
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

static int cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

/*
 * Close every fd the runtime happened to hold (state root, state dir and
 * its lock, the caller's leftovers) except stdio, the preserved fds and
 * the plan's own: host directory fds must never reach the container
 * (CVE-2024-21626), and an inherited flock would block the runtime.
 */
void hr_close_fds_except_child(int preserve_fds, const int *keep_in, size_t n_keep)
{
	cleanup_free int *keep = xcalloc(n_keep + 1, sizeof(int));
	size_t n = 0;
	unsigned int from = 3 + (unsigned int)preserve_fds;

	for (size_t i = 0; i < n_keep; i++)
		keep[n++] = keep_in[i];
	qsort(keep, n, sizeof(int), cmp_int);
	for (size_t i = 0; i < n; i++) {
		if (keep[i] < 0 || (unsigned int)keep[i] < from)
			continue;
		if ((unsigned int)keep[i] > from)
			syscall(SYS_close_range, from, (unsigned int)keep[i] - 1, 0);
		from = (unsigned int)keep[i] + 1;
	}
	syscall(SYS_close_range, from, ~0U, 0);
}

void hr_reset_signals_child(void)
{
	sigset_t none;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	for (int s = 1; s < NSIG; s++)
		if (s != SIGKILL && s != SIGSTOP)
			signal(s, SIG_DFL);
}

int open_devnull_child(struct hr_err **err)
{
	cleanup_close int fd = open("/dev/null", O_PATH | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;

	if (fd < 0)
		return hr_fail(err, errno, "open host `/dev/null`");
	if (fstat(fd, &st) < 0)
		return hr_fail(err, errno, "stat host `/dev/null`");
	if (!S_ISCHR(st.st_mode) || major(st.st_rdev) != 1 || minor(st.st_rdev) != 3)
		return hr_fail(err, EPERM, "host `/dev/null` is not the 1:3 character device");
	return steal_fd(&fd);
}

int hr_rlimits_apply_child(const struct hr_process *p, struct hr_err **err)
{
	for (size_t i = 0; i < p->n_rlimits; i++) {
		struct rlimit rl = {.rlim_cur = p->rlimits[i].soft, .rlim_max = p->rlimits[i].hard};

		if (setrlimit(p->rlimits[i].resource, &rl) < 0)
			return hr_fail(err, errno, "setrlimit %d to %llu:%llu", p->rlimits[i].resource,
				       (unsigned long long)rl.rlim_cur, (unsigned long long)rl.rlim_max);
	}
	return 0;
}

/* chdir into process.cwd and prove it is inside the container (CVE-2024-21626). */
int hr_cwd_enter_child(const char *cwd, struct hr_err **err)
{
	char buf[PATH_MAX];

	if (chdir(cwd) < 0)
		return hr_fail(err, errno, "chdir to cwd `%s`", cwd);
	if (getcwd(buf, sizeof(buf)) == NULL)
		return hr_fail(err, errno, "verify cwd `%s`", cwd);
	if (buf[0] != '/')
		return hr_fail(err, EPERM, "cwd `%s` is outside the container: possible breakout", cwd);
	return 0;
}

/*
 * runc sets HOME when process.env lacks it: the user's home from the
 * container's own /etc/passwd (read after pivot_root), else "/".
 */
void default_home_child(struct hr_plan *plan)
{
	char line[1024], *home = NULL;
	FILE *f;
	size_t n = 0;

	for (char **e = plan->exec_env; e && *e; e++, n++)
		if (hr_str_has_prefix(*e, "HOME="))
			return;
	f = fopen("/etc/passwd", "re");
	while (f && fgets(line, sizeof(line), f)) {
		char *fields[7] = {0}, *save = NULL, *p = line;
		int nf = 0;
		uint32_t uid;

		/* strtok would merge empty fields: split by hand */
		for (; nf < 7 && p; nf++) {
			fields[nf] = strsep(&p, ":");
		}
		(void)save;
		if (nf >= 6 && hr_parse_u32(fields[2], &uid) == 0 && uid == plan->spec->process->user.uid) {
			home = fields[5][0] ? xstrdup(fields[5]) : NULL;
			break;
		}
	}
	if (f)
		fclose(f);
	plan->exec_env = xrealloc(n ? hr_strv_dup(plan->exec_env) : NULL, (n + 2) * sizeof(char *));
	plan->exec_env[n] = xasprintf("HOME=%s", home ? home : "/");
	plan->exec_env[n + 1] = NULL;
	free(home);
}
