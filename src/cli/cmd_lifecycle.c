/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The runc lifecycle commands: create, start, state, kill, delete, list (run is cmd_run.c). */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "hardrun/strutil.h"

enum {
	OPT_BUNDLE = 'b',
	OPT_PID_FILE = 'p',
	OPT_CONSOLE = 'c',
	OPT_NO_PIVOT = 'P',
	OPT_NO_KEYRING = 'K',
	OPT_PRESERVE = 'F',
};

static const struct option create_opts[] = {
	{"bundle", required_argument, NULL, OPT_BUNDLE},
	{"pid-file", required_argument, NULL, OPT_PID_FILE},
	{"console-socket", required_argument, NULL, OPT_CONSOLE},
	{"no-pivot", no_argument, NULL, OPT_NO_PIVOT},
	{"no-new-keyring", no_argument, NULL, OPT_NO_KEYRING},
	{"preserve-fds", required_argument, NULL, OPT_PRESERVE},
	{NULL, 0, NULL, 0},
};

static int bad_option(const char *cmd, char **argv, struct hr_err **err)
{
	return hr_fail(err, 0, "%s: unknown or incomplete option `%s`", cmd, argv[optind - 1]);
}

/* Exactly `want` positional arguments after the options. */
static int positional(const char *cmd, int argc, char **argv, int want, struct hr_err **err)
{
	(void)argv;
	if (argc - optind != want)
		return hr_fail(err, 0, "%s: expected %d argument%s, got %d", cmd, want, want == 1 ? "" : "s",
			       argc - optind);
	return 0;
}

static int parse_create(const char *cmd, int argc, char **argv, struct hr_create_opts *o, struct hr_err **err)
{
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long_only(argc, argv, "+b:", create_opts, NULL)) != -1) {
		switch (c) {
		case OPT_BUNDLE:
			o->bundle = optarg;
			break;
		case OPT_PID_FILE:
			if (hr_cli_abspath_opt(cmd, "--pid-file", optarg, &o->pid_file, err) < 0)
				return -1;
			break;
		case OPT_CONSOLE:
			if (hr_cli_abspath_opt(cmd, "--console-socket", optarg, &o->console_socket, err) < 0)
				return -1;
			break;
		case OPT_NO_PIVOT:
			o->no_pivot = true;
			break;
		case OPT_NO_KEYRING:
			o->no_new_keyring = true;
			break;
		case OPT_PRESERVE:
			if (hr_parse_int(optarg, &o->preserve_fds) < 0 || o->preserve_fds < 0 ||
			    o->preserve_fds > 65536)
				return hr_fail(err, 0, "%s: --preserve-fds: invalid number `%s`", cmd, optarg);
			break;
		default:
			return bad_option(cmd, argv, err);
		}
	}
	return positional(cmd, argc, argv, 1, err);
}

int hr_cmd_create(const struct hr_rt *rt, int argc, char **argv, struct hr_err **err)
{
	struct hr_create_opts o = {0};

	if (parse_create("create", argc, argv, &o, err) < 0)
		return -1;
	return hr_container_create(rt, argv[optind], &o, err) < 0 ? -1 : 0;
}

static const struct option no_opts[] = {{NULL, 0, NULL, 0}};

static int parse_none(const char *cmd, int argc, char **argv, struct hr_err **err)
{
	optind = 1;
	opterr = 0;
	if (getopt_long_only(argc, argv, "+", no_opts, NULL) != -1)
		return bad_option(cmd, argv, err);
	return positional(cmd, argc, argv, 1, err);
}

int hr_cmd_start(const struct hr_rt *rt, int argc, char **argv, struct hr_err **err)
{
	if (parse_none("start", argc, argv, err) < 0)
		return -1;
	return hr_container_start(rt, argv[optind], err) < 0 ? -1 : 0;
}

int hr_cmd_state(const struct hr_rt *rt, int argc, char **argv, struct hr_err **err)
{
	if (parse_none("state", argc, argv, err) < 0)
		return -1;
	return hr_container_state(rt, argv[optind], stdout, err) < 0 ? -1 : 0;
}

static const struct option kill_opts[] = {
	{"all", no_argument, NULL, 'a'},
	{NULL, 0, NULL, 0},
};

int hr_cmd_kill(const struct hr_rt *rt, int argc, char **argv, struct hr_err **err)
{
	bool all = false;
	int c, sig = 15;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long_only(argc, argv, "+a", kill_opts, NULL)) != -1) {
		if (c != 'a')
			return bad_option("kill", argv, err);
		all = true;
	}
	if (argc - optind < 1 || argc - optind > 2)
		return hr_fail(err, 0, "kill: expected ID [SIGNAL], got %d arguments", argc - optind);
	if (argc - optind == 2) {
		sig = hr_signal_parse(argv[optind + 1]);
		if (sig < 0)
			return hr_fail(err, 0, "kill `%s`: unknown signal `%s`", argv[optind], argv[optind + 1]);
	}
	return hr_container_kill(rt, argv[optind], sig, all, err) < 0 ? -1 : 0;
}

static const struct option delete_opts[] = {
	{"force", no_argument, NULL, 'f'},
	{NULL, 0, NULL, 0},
};

int hr_cmd_delete(const struct hr_rt *rt, int argc, char **argv, struct hr_err **err)
{
	bool force = false;
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long_only(argc, argv, "+f", delete_opts, NULL)) != -1) {
		if (c != 'f')
			return bad_option("delete", argv, err);
		force = true;
	}
	if (positional("delete", argc, argv, 1, err) < 0)
		return -1;
	if (hr_container_delete(rt, argv[optind], force, err) < 0)
		return -1;
	/* a launched service's logs and events go with it, as docker rm takes them */
	return hr_container_forget(rt, argv[optind]);
}

static const struct option list_opts[] = {
	{"quiet", no_argument, NULL, 'q'},
	{"format", required_argument, NULL, 'f'},
	{NULL, 0, NULL, 0},
};

int hr_cmd_list(const struct hr_rt *rt, int argc, char **argv, struct hr_err **err)
{
	bool quiet = false, json = false;
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long_only(argc, argv, "+qf:", list_opts, NULL)) != -1) {
		switch (c) {
		case 'q':
			quiet = true;
			break;
		case 'f':
			if (strcmp(optarg, "json") == 0)
				json = true;
			else if (strcmp(optarg, "table") != 0)
				return hr_fail(err, 0, "list: --format: unknown format `%s`", optarg);
			break;
		default:
			return bad_option("list", argv, err);
		}
	}
	if (positional("list", argc, argv, 0, err) < 0)
		return -1;
	return hr_container_list(rt, quiet, json, stdout, err) < 0 ? -1 : 0;
}
