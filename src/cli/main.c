/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * argv → one runtime call → output.  The only place that prints an error:
 * one line "hardrun: <context>: <cause>: <strerror>" on stderr, and the
 * same line as a JSON record in the --log file, which is all that
 * containerd and docker show their users.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "cli.h"
#include "hardrun/exeseal.h"
#include "hardrun/log.h"
#include "hardrun/strutil.h"

static const struct {
	const char *name;
	hr_cmd_fn fn;
	const char *help;
} commands[] = {
	{"create", hr_cmd_create, "create a container from a bundle, parked before the workload"},
	{"start", hr_cmd_start, "start the workload of a created container"},
	{"run", hr_cmd_run, "create and start a container, and wait for it; with launcher flags, supervise it"},
	{"stop", hr_cmd_stop, "stop a supervised service and its supervisor"},
	{"logs", hr_cmd_logs, "print the json-file log of a supervised service"},
	{"stats", hr_cmd_stats, "CPU, memory, pids, network and block I/O of containers"},
	{"exec", hr_cmd_exec, "run a new process in a running container"},
	{"ps", hr_cmd_ps, "list the processes of a container"},
	{"pause", hr_cmd_pause, "freeze every process of a container"},
	{"resume", hr_cmd_resume, "thaw a paused container"},
	{"update", hr_cmd_update, "change the resource limits of a running container"},
	{"events", hr_cmd_events, "print stats and OOM events of a container as JSON lines (--log: launcher events)"},
	{"checkpoint", hr_cmd_checkpoint, "not supported: hardrun has no CRIU support"},
	{"restore", hr_cmd_restore, "not supported: hardrun has no CRIU support"},
	{"state", hr_cmd_state, "print the state of a container as JSON"},
	{"kill", hr_cmd_kill, "send a signal to a container's init (or all its processes)"},
	{"delete", hr_cmd_delete, "delete a container and everything it holds"},
	{"list", hr_cmd_list, "list containers"},
	{"spec", hr_cmd_spec, "write a default config.json"},
	{"audit", hr_cmd_audit, "which CSVS V3 controls hold for a container or bundle"},
	{"features", hr_cmd_features, "print what this runtime supports, as JSON"},
	{"policy", hr_cmd_policy, "print the effective hardening policy (policy show)"},
	{"seccomp", hr_cmd_seccomp, "merge learned seccomp profiles (seccomp merge A B... > C)"},
};

static const struct option global_opts[] = {
	{"root", required_argument, NULL, 'r'},
	{"log", required_argument, NULL, 'l'},
	{"log-format", required_argument, NULL, 'f'},
	{"debug", no_argument, NULL, 'd'},
	{"policy", required_argument, NULL, 'p'},
	{"systemd-cgroup", no_argument, NULL, 's'},
	{"cgroup-manager", required_argument, NULL, 'c'},
	{"version", no_argument, NULL, 'v'},
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
};

static char *abspaths[16];
static size_t n_abspaths;

static void abspaths_free(void)
{
	for (size_t i = 0; i < n_abspaths; i++)
		free(abspaths[i]);
	n_abspaths = 0;
}

const char *hr_cli_abspath(const char *arg)
{
	cleanup_free char *cwd = NULL;

	if (arg[0] == '/')
		return arg;
	if (n_abspaths == HR_ARRAY_SIZE(abspaths)) {
		errno = E2BIG;
		return NULL;
	}
	cwd = getcwd(NULL, 0);
	if (!cwd)
		return NULL;
	if (n_abspaths == 0)
		atexit(abspaths_free);
	abspaths[n_abspaths] = hr_path_join(cwd, arg);
	return abspaths[n_abspaths++];
}

int hr_cli_abspath_opt(const char *cmd, const char *flag, const char *arg, const char **out, struct hr_err **err)
{
	*out = hr_cli_abspath(arg);
	if (!*out)
		return hr_fail(err, errno, "%s: %s `%s`: cannot make it absolute", cmd, flag, arg);
	return 0;
}

static void usage(FILE *out)
{
	fprintf(out, "usage: hardrun [--root DIR] [--log FILE] [--log-format text|json] [--debug]\n"
		     "               [--policy FILE] [--systemd-cgroup] [--cgroup-manager cgroupfs|systemd|disabled]\n"
		     "               COMMAND [OPTIONS] ...\n\ncommands:\n");
	for (size_t i = 0; i < HR_ARRAY_SIZE(commands); i++)
		fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].help);
	fprintf(out, "\nSee hardrun(8).\n");
}

/* The one error line: on stderr, and the same line in the log file (docker and ctr read only that). */
static int report(struct hr_err **err)
{
	cleanup_free char *line = hr_err_format(*err);

	fprintf(stderr, "hardrun: %s\n", line);
	hr_log_set_stderr(false);
	hr_log_error("%s", line);
	hr_err_free(err);
	hr_log_close();
	return 1;
}

int main(int argc, char **argv)
{
	struct hr_rt rt = {.root = "/run/hardrun"};
	const char *log_path = NULL;
	enum hr_log_format fmt = HR_LOG_FORMAT_TEXT;
	enum hr_log_level level = HR_LOG_WARN;
	struct hr_err *err = NULL;
	int c, rc;

	opterr = 0;
	while ((c = getopt_long_only(argc, argv, "+", global_opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			rt.root = hr_cli_abspath(optarg);
			if (!rt.root) {
				fprintf(stderr, "hardrun: --root `%s`: cannot make it absolute: %m\n", optarg);
				return 1;
			}
			break;
		case 'l':
			log_path = optarg;
			break;
		case 'f':
			if (strcmp(optarg, "json") == 0) {
				fmt = HR_LOG_FORMAT_JSON;
			} else if (strcmp(optarg, "text") == 0) {
				fmt = HR_LOG_FORMAT_TEXT;
			} else {
				fprintf(stderr, "hardrun: --log-format: unknown format `%s`\n", optarg);
				return 1;
			}
			break;
		case 'd':
			level = HR_LOG_DEBUG;
			break;
		case 'p':
			rt.policy_path = optarg;
			break;
		case 's':
			rt.systemd_cgroup = true;
			break;
		case 'c':
			/* crun's flag; podman passes "disabled" for --cgroups=disabled */
			if (strcmp(optarg, "systemd") == 0) {
				rt.systemd_cgroup = true;
			} else if (strcmp(optarg, "disabled") == 0) {
				rt.no_cgroup = true;
			} else if (strcmp(optarg, "cgroupfs") != 0) {
				fprintf(stderr, "hardrun: --cgroup-manager: unknown manager `%s`\n", optarg);
				return 1;
			}
			break;
		case 'v':
			printf("hardrun version %s\nspec: 1.2.0\n", HR_VERSION);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			fprintf(stderr, "hardrun: unknown global option `%s`\n", argv[optind - 1]);
			return 1;
		}
	}
	if (hr_log_init(log_path, fmt, level, true) < 0) {
		fprintf(stderr, "hardrun: open log `%s`: %m\n", log_path);
		return 1;
	}
	if (optind >= argc) {
		usage(stderr);
		hr_log_close();
		return 1;
	}
	/*
	 * Processes that enter a container run from a sealed copy.  The log is
	 * open first (close-on-exec, appended to again by the copy), so a shim
	 * caller sees a sealing failure in its log file too.
	 */
	if (strcmp(argv[optind], "create") == 0 || strcmp(argv[optind], "run") == 0 ||
	    strcmp(argv[optind], "exec") == 0) {
		if (hr_exe_seal_reexec(argv, &err) < 0)
			return report(&err);
		/* the sealed copy would show as "memfd:hardrun" in ps and pgrep */
		prctl(PR_SET_NAME, "hardrun", 0, 0, 0);
	}
	for (size_t i = 0; i < HR_ARRAY_SIZE(commands); i++) {
		if (strcmp(argv[optind], commands[i].name) != 0)
			continue;
		rc = commands[i].fn(&rt, argc - optind, argv + optind, &err);
		if (rc < 0)
			return report(&err);
		hr_log_close();
		return rc;
	}
	fprintf(stderr, "hardrun: unknown command `%s`\n", argv[optind]);
	hr_log_set_stderr(false);
	hr_log_error("unknown command `%s`", argv[optind]);
	hr_log_close();
	return 1;
}
