/* SPDX-License-Identifier: GPL-2.0-or-later */
/* AppArmor through libapparmor: detection and change_onexec for the init; loading generated profiles. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/apparmor.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hardrun/apparmor.h"
#include "hardrun/strutil.h"

bool hr_apparmor_enabled(void)
{
	return aa_is_enabled() == 1;
}

int hr_apparmor_check(const char *profile, struct hr_err **err)
{
	if (profile && !hr_apparmor_enabled())
		return hr_fail(err, 0,
			       "process.apparmorProfile `%s` requested, but AppArmor is not enabled in this kernel",
			       profile);
	return 0;
}

int hr_apparmor_apply_child(const char *profile, struct hr_err **err)
{
	if (aa_change_onexec(profile) < 0)
		return hr_fail(err, errno, "apply apparmor profile `%s`", profile);
	return 0;
}

/* Run apparmor_parser with args (NULL-terminated after argv[0]) and text on stdin. */
static int run_parser(char *const argv[], const char *text, struct hr_err **err)
{
	static const char *const paths[] = {"/sbin/apparmor_parser", "/usr/sbin/apparmor_parser", NULL};
	const char *exe = NULL;
	int in[2], st;
	pid_t pid;

	for (int i = 0; paths[i] && !exe; i++)
		if (access(paths[i], X_OK) == 0)
			exe = paths[i];
	if (!exe)
		return hr_fail(err, ENOENT, "apparmor_parser: not installed");
	if (pipe2(in, O_CLOEXEC) < 0)
		return hr_fail(err, errno, "apparmor_parser: pipe");
	pid = fork();
	if (pid < 0) {
		close(in[0]);
		close(in[1]);
		return hr_fail(err, errno, "apparmor_parser: fork");
	}
	if (pid == 0) {
		if (dup2(in[0], 0) < 0)
			_exit(127);
		execv(exe, argv);
		_exit(127);
	}
	close(in[0]);
	(void)hr_write_all(in[1], text, strlen(text));
	close(in[1]);
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return hr_fail(err, errno, "apparmor_parser: wait");
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		return hr_fail(err, 0, "apparmor_parser %s: exit status %d", argv[1],
			       WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
	return 0;
}

int hr_apparmor_load(const char *text, struct hr_err **err)
{
	char *argv[] = {"apparmor_parser", "-r", "-K", NULL};

	return run_parser(argv, text, err);
}

/* Whether the kernel lists profile name ("name (mode)" lines); true when the list cannot be read. */
static bool profile_loaded(const char *name)
{
	FILE *f = fopen("/sys/kernel/security/apparmor/profiles", "re");
	char line[4096];
	size_t n = strlen(name);
	bool found = false;

	if (!f)
		return true;
	while (!found && fgets(line, sizeof(line), f))
		found = strncmp(line, name, n) == 0 && line[n] == ' ';
	fclose(f);
	return found;
}

int hr_apparmor_unload(const char *name, const char *text, struct hr_err **err)
{
	char *argv[] = {"apparmor_parser", "-R", NULL};

	if (!profile_loaded(name))
		return 0;
	return run_parser(argv, text, err);
}
