/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `exec`: runc's flags, then ID and the command. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "hardrun/strutil.h"

enum {
	OPT_PROCESS = 'p',
	OPT_TTY = 't',
	OPT_DETACH = 'd',
	OPT_ENV = 'e',
	OPT_USER = 'u',
	OPT_GIDS = 'g',
	OPT_CAP = 'c',
	OPT_CONSOLE = 256,
	OPT_PID_FILE,
	OPT_CWD,
	OPT_NNP,
	OPT_PRESERVE,
	OPT_APPARMOR,
	OPT_LABEL,
};

static const struct option exec_opts[] = {
	{"process", required_argument, NULL, OPT_PROCESS},
	{"tty", no_argument, NULL, OPT_TTY},
	{"console-socket", required_argument, NULL, OPT_CONSOLE},
	{"detach", no_argument, NULL, OPT_DETACH},
	{"pid-file", required_argument, NULL, OPT_PID_FILE},
	{"cwd", required_argument, NULL, OPT_CWD},
	{"env", required_argument, NULL, OPT_ENV},
	{"user", required_argument, NULL, OPT_USER},
	{"additional-gids", required_argument, NULL, OPT_GIDS},
	{"cap", required_argument, NULL, OPT_CAP},
	{"no-new-privs", no_argument, NULL, OPT_NNP},
	{"preserve-fds", required_argument, NULL, OPT_PRESERVE},
	{"apparmor", required_argument, NULL, OPT_APPARMOR},
	{"process-label", required_argument, NULL, OPT_LABEL},
	{NULL, 0, NULL, 0},
};

int hr_cmd_exec(const struct hr_rt *rt, int argc, char **argv, struct hr_err **err)
{
	struct hr_exec_opts o = {0};
	cleanup_strv char **env = NULL;
	cleanup_strv char **gids = NULL;
	cleanup_strv char **caps = NULL;
	int c, status = 0;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long_only(argc, argv, "+p:tde:u:g:c:", exec_opts, NULL)) != -1) {
		switch (c) {
		case OPT_PROCESS:
			o.process_file = optarg;
			break;
		case OPT_TTY:
			o.tty = true;
			break;
		case OPT_CONSOLE:
			if (hr_cli_abspath_opt("exec", "--console-socket", optarg, &o.console_socket, err) < 0)
				return -1;
			break;
		case OPT_DETACH:
			o.detach = true;
			break;
		case OPT_PID_FILE:
			if (hr_cli_abspath_opt("exec", "--pid-file", optarg, &o.pid_file, err) < 0)
				return -1;
			break;
		case OPT_CWD:
			o.cwd = optarg;
			break;
		case OPT_ENV:
			hr_strv_push(&env, optarg);
			break;
		case OPT_USER:
			o.user = optarg;
			break;
		case OPT_GIDS:
			hr_strv_push(&gids, optarg);
			break;
		case OPT_CAP:
			hr_strv_push(&caps, optarg);
			break;
		case OPT_NNP:
			o.no_new_privs = true;
			break;
		case OPT_PRESERVE:
			if (hr_parse_int(optarg, &o.preserve_fds) < 0 || o.preserve_fds < 0 || o.preserve_fds > 65536)
				return hr_fail(err, 0, "exec: --preserve-fds: invalid number `%s`", optarg);
			break;
		case OPT_APPARMOR:
			o.apparmor = optarg;
			break;
		case OPT_LABEL:
			o.process_label = optarg;
			break;
		default:
			return hr_fail(err, 0, "exec: unknown or incomplete option `%s`", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return hr_fail(err, 0, "exec: expected ID [COMMAND...]");
	o.env = env;
	o.additional_gids = gids;
	o.caps = caps;
	if (hr_container_exec(rt, argv[optind], &o, argv + optind + 1, &status, err) < 0)
		return -1;
	return status;
}
