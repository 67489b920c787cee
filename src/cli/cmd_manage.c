/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ps, pause, resume, update, events; checkpoint and restore refused. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "hardrun/strutil.h"

static const struct option ps_opts[] = {
	{"format", required_argument, NULL, 'f'},
	{NULL, 0, NULL, 0},
};

int hr_cmd_ps(const struct hr_rt *rt, int argc, char **argv, struct hr_err **err)
{
	bool json = false;
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long_only(argc, argv, "+f:", ps_opts, NULL)) != -1) {
		if (c != 'f')
			return hr_fail(err, 0, "ps: unknown or incomplete option `%s`", argv[optind - 1]);
		if (strcmp(optarg, "json") == 0)
			json = true;
		else if (strcmp(optarg, "table") != 0)
			return hr_fail(err, 0, "ps: --format: unknown format `%s`", optarg);
	}
	/* runc passes extra arguments to ps(1); the table here is hardrun's own */
	if (argc - optind < 1)
		return hr_fail(err, 0, "ps: expected ID");
	return hr_container_ps(rt, argv[optind], json, stdout, err) < 0 ? -1 : 0;
}

static int one_id(const char *cmd, int argc, char **argv, struct hr_err **err)
{
	if (argc != 2 || argv[1][0] == '-')
		return hr_fail(err, 0, "%s: expected ID", cmd);
	return 0;
}

int hr_cmd_pause(const struct hr_rt *rt, int argc, char **argv, struct hr_err **err)
{
	if (one_id("pause", argc, argv, err) < 0)
		return -1;
	return hr_container_pause(rt, argv[1], true, err) < 0 ? -1 : 0;
}

int hr_cmd_resume(const struct hr_rt *rt, int argc, char **argv, struct hr_err **err)
{
	if (one_id("resume", argc, argv, err) < 0)
		return -1;
	return hr_container_pause(rt, argv[1], false, err) < 0 ? -1 : 0;
}

enum { U_RES = 256, U_MEM, U_SWAP, U_PIDS, U_SHARES, U_QUOTA, U_PERIOD, U_CPUS, U_MEMS };

static const struct option update_opts[] = {
	{"resources", required_argument, NULL, U_RES},
	{"memory", required_argument, NULL, U_MEM},
	{"memory-swap", required_argument, NULL, U_SWAP},
	{"pids-limit", required_argument, NULL, U_PIDS},
	{"cpu-shares", required_argument, NULL, U_SHARES},
	{"cpu-share", required_argument, NULL, U_SHARES},
	/* runc's spelling */ {"cpu-quota", required_argument, NULL, U_QUOTA},
	{"cpu-period", required_argument, NULL, U_PERIOD},
	{"cpuset-cpus", required_argument, NULL, U_CPUS},
	{"cpuset-mems", required_argument, NULL, U_MEMS},
	{NULL, 0, NULL, 0},
};

/* Sizes as runc takes them: bytes, or with a k/m/g suffix (1024-based); -1 = unlimited. */
static int parse_size(const char *s, int64_t *out)
{
	cleanup_free char *num = xstrdup(s);
	size_t n = strlen(num);
	int64_t mult = 1;

	if (n > 1 && strchr("kKmMgG", num[n - 1])) {
		char u = (char)(num[n - 1] | 0x20);

		mult = u == 'k' ? 1024 : u == 'm' ? 1024 * 1024 : 1024LL * 1024 * 1024;
		num[n - 1] = '\0';
	}
	if (hr_parse_i64(num, out) < 0 || *out < -1 || (*out > 0 && *out > INT64_MAX / mult))
		return -1;
	if (*out > 0)
		*out *= mult;
	return 0;
}

int hr_cmd_update(const struct hr_rt *rt, int argc, char **argv, struct hr_err **err)
{
	const char *res_file = NULL;
	json_t *res = json_object();
	char *text = NULL;
	int c, r;

#define SUB(name)                                                                                                      \
	(json_object_get(res, name) ? json_object_get(res, name)                                                       \
				    : (json_object_set_new(res, name, json_object()), json_object_get(res, name)))
	optind = 1;
	opterr = 0;
	while ((c = getopt_long_only(argc, argv, "+r:", update_opts, NULL)) != -1) {
		int64_t v;

		switch (c) {
		case U_RES:
			res_file = optarg;
			continue;
		case U_MEM:
		case U_SWAP:
		case U_PIDS:
		case U_SHARES:
		case U_QUOTA:
		case U_PERIOD:
			if ((c == U_MEM || c == U_SWAP) ? parse_size(optarg, &v) < 0 : hr_parse_i64(optarg, &v) < 0) {
				json_decref(res);
				return hr_fail(err, 0, "update: `%s`: expected a number", optarg);
			}
			if (c == U_MEM)
				json_object_set_new(SUB("memory"), "limit", json_integer(v));
			else if (c == U_SWAP)
				json_object_set_new(SUB("memory"), "swap", json_integer(v));
			else if (c == U_PIDS)
				json_object_set_new(SUB("pids"), "limit", json_integer(v));
			else if (c == U_SHARES)
				json_object_set_new(SUB("cpu"), "shares", json_integer(v));
			else if (c == U_QUOTA)
				json_object_set_new(SUB("cpu"), "quota", json_integer(v));
			else
				json_object_set_new(SUB("cpu"), "period", json_integer(v));
			continue;
		case U_CPUS:
			json_object_set_new(SUB("cpu"), "cpus", json_string(optarg));
			continue;
		case U_MEMS:
			json_object_set_new(SUB("cpu"), "mems", json_string(optarg));
			continue;
		default:
			json_decref(res);
			return hr_fail(err, 0, "update: unknown or incomplete option `%s`", argv[optind - 1]);
		}
	}
#undef SUB
	if (argc - optind != 1) {
		json_decref(res);
		return hr_fail(err, 0, "update: expected ID");
	}
	if (res_file) {
		/* docker: `update --resources - ID` with LinuxResources JSON on stdin */
		int fd = strcmp(res_file, "-") == 0 ? dup(0) : open(res_file, O_RDONLY | O_CLOEXEC);
		json_error_t je;
		json_t *fromfile;
		FILE *f = fd >= 0 ? fdopen(fd, "re") : NULL;

		if (!f) {
			json_decref(res);
			return hr_fail(err, errno, "update: read `%s`", res_file);
		}
		fromfile = json_loadf(f, 0, &je);
		fclose(f);
		if (!fromfile) {
			json_decref(res);
			return hr_fail(err, 0, "update: %s:%d:%d: %s", res_file, je.line, je.column, je.text);
		}
		json_decref(res);
		res = fromfile;
	}
	text = json_dumps(res, JSON_COMPACT);
	json_decref(res);
	r = hr_container_update(rt, argv[optind], text, err);
	free(text);
	return r < 0 ? -1 : 0;
}

static const struct option events_opts[] = {
	{"stats", no_argument, NULL, 's'},
	{"interval", required_argument, NULL, 'i'},
	{"log", no_argument, NULL, 'l'},
	{"follow", no_argument, NULL, 'f'},
	{NULL, 0, NULL, 0},
};

/* A Go-style duration as runc takes it: "5s", "500ms", "1m", "1h"; whole numbers only. */
static int parse_duration_ms(const char *s, long *out)
{
	static const struct {
		const char *unit;
		long ms;
	} units[] = {{"ms", 1}, {"s", 1000}, {"m", 60000}, {"h", 3600000}};
	char *end = NULL;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || v <= 0)
		return -1;
	for (size_t i = 0; i < HR_ARRAY_SIZE(units); i++)
		if (strcmp(end, units[i].unit) == 0 && v <= LONG_MAX / units[i].ms) {
			*out = v * units[i].ms;
			return 0;
		}
	return -1;
}

int hr_cmd_events(const struct hr_rt *rt, int argc, char **argv, struct hr_err **err)
{
	bool once = false, launcher = false, follow = false;
	long interval = 5000;
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long_only(argc, argv, "+f", events_opts, NULL)) != -1) {
		if (c == 'l') {
			launcher = true;
		} else if (c == 'f') {
			follow = true;
		} else if (c == 's') {
			once = true;
		} else if (c == 'i') {
			if (parse_duration_ms(optarg, &interval) < 0)
				return hr_fail(err, 0, "events: --interval: `%s` is not a duration like 5s or 500ms",
					       optarg);
		} else {
			return hr_fail(err, 0, "events: unknown or incomplete option `%s`", argv[optind - 1]);
		}
	}
	if (argc - optind != 1)
		return hr_fail(err, 0, "events: expected ID");
	/* runc's stream stays the default; the launcher's event log is asked for by name */
	if (launcher)
		return hr_container_levents(rt, argv[optind], follow, stdout, err) < 0 ? -1 : 0;
	if (follow)
		return hr_fail(err, 0, "events: --follow goes with --log");
	return hr_container_events(rt, argv[optind], once, interval, stdout, err) < 0 ? -1 : 0;
}

/* checkpoint and restore need CRIU, which hardrun does not drive: say so, whatever the flags. */
int hr_cmd_checkpoint(const struct hr_rt *rt, int argc, char **argv, struct hr_err **err)
{
	(void)rt;
	(void)argc;
	(void)argv;
	return hr_fail(err, 0, "checkpoint: not supported by hardrun (no CRIU support)");
}

int hr_cmd_restore(const struct hr_rt *rt, int argc, char **argv, struct hr_err **err)
{
	(void)rt;
	(void)argc;
	(void)argv;
	return hr_fail(err, 0, "restore: not supported by hardrun (no CRIU support)");
}
