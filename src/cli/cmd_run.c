/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `run` and the launcher's commands: stop, logs, stats.  `run` with only
 * runc's options is runc's run (create, start, wait; run.c); any launcher
 * flag (limits, --restart, --log-driver, --rootfs, …) makes it a
 * supervised service (supervise.c).
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "hardrun/strutil.h"

enum {
	OPT_BUNDLE = 'b',
	OPT_DETACH = 'd',
	OPT_ENV = 'e',
	OPT_MEMORY = 'm',
	OPT_USER = 'u',
	OPT_VOLUME = 'v',
	OPT_PID_FILE = 256,
	OPT_CONSOLE,
	OPT_NO_PIVOT,
	OPT_NO_KEYRING,
	OPT_PRESERVE,
	/* from here on: launcher flags */
	OPT_LAUNCHER,
	OPT_MEMORY_SWAP = OPT_LAUNCHER,
	OPT_CPUS,
	OPT_CPU_SHARES,
	OPT_PIDS_LIMIT,
	OPT_ULIMIT,
	OPT_CAP_DROP,
	OPT_CAP_ADD,
	OPT_READ_ONLY,
	OPT_TMPFS,
	OPT_HOSTNAME,
	OPT_SECCOMP_PROFILE,
	OPT_SECCOMP_LEARN,
	OPT_ROOTFS,
	OPT_RESTART,
	OPT_RESTART_DELAY,
	OPT_RESTART_MAX_DELAY,
	OPT_STOP_SIGNAL,
	OPT_STOP_TIMEOUT,
	OPT_LOG_DRIVER,
	OPT_LOG_OPT,
	OPT_NOTIFY_EXEC,
	OPT_NOTIFY_ON,
	OPT_ALERT_MEMORY,
	OPT_ALERT_PIDS,
	OPT_ALERT_CPU,
};

static const struct option run_opts[] = {
	{"bundle", required_argument, NULL, OPT_BUNDLE},
	{"pid-file", required_argument, NULL, OPT_PID_FILE},
	{"console-socket", required_argument, NULL, OPT_CONSOLE},
	{"no-pivot", no_argument, NULL, OPT_NO_PIVOT},
	{"no-new-keyring", no_argument, NULL, OPT_NO_KEYRING},
	{"preserve-fds", required_argument, NULL, OPT_PRESERVE},
	{"detach", no_argument, NULL, OPT_DETACH},
	{"memory", required_argument, NULL, OPT_MEMORY},
	{"memory-swap", required_argument, NULL, OPT_MEMORY_SWAP},
	{"cpus", required_argument, NULL, OPT_CPUS},
	{"cpu-shares", required_argument, NULL, OPT_CPU_SHARES},
	{"pids-limit", required_argument, NULL, OPT_PIDS_LIMIT},
	{"ulimit", required_argument, NULL, OPT_ULIMIT},
	{"cap-drop", required_argument, NULL, OPT_CAP_DROP},
	{"cap-add", required_argument, NULL, OPT_CAP_ADD},
	{"read-only", no_argument, NULL, OPT_READ_ONLY},
	{"user", required_argument, NULL, OPT_USER},
	{"env", required_argument, NULL, OPT_ENV},
	{"volume", required_argument, NULL, OPT_VOLUME},
	{"tmpfs", required_argument, NULL, OPT_TMPFS},
	{"hostname", required_argument, NULL, OPT_HOSTNAME},
	{"seccomp-profile", required_argument, NULL, OPT_SECCOMP_PROFILE},
	{"seccomp-learn", required_argument, NULL, OPT_SECCOMP_LEARN},
	{"rootfs", required_argument, NULL, OPT_ROOTFS},
	{"restart", required_argument, NULL, OPT_RESTART},
	{"restart-delay", required_argument, NULL, OPT_RESTART_DELAY},
	{"restart-max-delay", required_argument, NULL, OPT_RESTART_MAX_DELAY},
	{"stop-signal", required_argument, NULL, OPT_STOP_SIGNAL},
	{"stop-timeout", required_argument, NULL, OPT_STOP_TIMEOUT},
	{"log-driver", required_argument, NULL, OPT_LOG_DRIVER},
	{"log-opt", required_argument, NULL, OPT_LOG_OPT},
	{"notify-exec", required_argument, NULL, OPT_NOTIFY_EXEC},
	{"notify-on", required_argument, NULL, OPT_NOTIFY_ON},
	{"alert-memory", required_argument, NULL, OPT_ALERT_MEMORY},
	{"alert-pids", required_argument, NULL, OPT_ALERT_PIDS},
	{"alert-cpu", required_argument, NULL, OPT_ALERT_CPU},
	{NULL, 0, NULL, 0},
};

struct run_args {
	struct hr_create_opts co;
	struct hr_supervise_opts so;
	bool launcher;
	bool has_log_opts;
	char **log_opts;
};

static void run_args_free(struct run_args *a)
{
	struct hr_launch_opts *t = &a->so.tighten;

	hr_strv_free(t->ulimits);
	hr_strv_free(t->cap_drop);
	hr_strv_free(t->cap_add);
	hr_strv_free(t->env);
	hr_strv_free(t->volumes);
	hr_strv_free(t->tmpfs);
	hr_strv_free(a->log_opts);
	hr_log_opts_free(&a->so.log);
}

/* "1.5" → 1500; at most three decimals, above zero */
static int parse_cpus(const char *s, uint64_t *milli)
{
	const char *dot = strchr(s, '.');
	char whole[24] = "0", frac[4] = "000";
	uint64_t w, f;
	size_t wl = dot ? (size_t)(dot - s) : strlen(s);

	if (wl >= sizeof(whole) || (dot && (strlen(dot + 1) == 0 || strlen(dot + 1) > 3)))
		return -1;
	if (wl > 0) {
		memcpy(whole, s, wl);
		whole[wl] = '\0';
	}
	if (dot)
		memcpy(frac, dot + 1, strlen(dot + 1));
	if (hr_parse_u64(whole, &w) < 0 || hr_parse_u64(frac, &f) < 0 || w > 100000)
		return -1;
	*milli = w * 1000 + f;
	return *milli > 0 ? 0 : -1;
}

static int parse_pct(const char *flag, const char *s, unsigned max, double *out, struct hr_err **err)
{
	uint32_t v;

	if (hr_parse_u32(s, &v) < 0 || v == 0 || v > max)
		return hr_fail(err, 0, "run: %s: `%s` is not a percentage from 1 to %u", flag, s, max);
	*out = v;
	return 0;
}

static int parse_run(int argc, char **argv, struct run_args *a, struct hr_err **err)
{
	struct hr_launch_opts *t = &a->so.tighten;
	uint64_t u;
	int c;

	a->so.restart = (struct hr_restart){HR_RESTART_NO, 0};
	a->so.restart_delay_ms = 100;
	a->so.restart_max_delay_ms = 30000;
	a->so.stop_signal = SIGTERM;
	a->so.stop_timeout_ms = 10000;
	a->so.log.facility = 3; /* daemon */
	/* the launch dir is on /run, in memory: a chatty service must not fill it (docker: unlimited) */
	a->so.log.max_size = 10 << 20;
	a->so.log.max_file = 3;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long_only(argc, argv, "+b:dm:u:e:v:", run_opts, NULL)) != -1) {
		if (c >= OPT_LAUNCHER || c == OPT_MEMORY || c == OPT_USER || c == OPT_ENV || c == OPT_VOLUME)
			a->launcher = true;
		switch (c) {
		case OPT_BUNDLE:
			a->co.bundle = optarg;
			break;
		case OPT_PID_FILE:
			if (hr_cli_abspath_opt("run", "--pid-file", optarg, &a->co.pid_file, err) < 0)
				return -1;
			break;
		case OPT_CONSOLE:
			if (hr_cli_abspath_opt("run", "--console-socket", optarg, &a->co.console_socket, err) < 0)
				return -1;
			break;
		case OPT_NO_PIVOT:
			a->co.no_pivot = true;
			break;
		case OPT_NO_KEYRING:
			a->co.no_new_keyring = true;
			break;
		case OPT_PRESERVE:
			if (hr_parse_int(optarg, &a->co.preserve_fds) < 0 || a->co.preserve_fds < 0 ||
			    a->co.preserve_fds > 65536)
				return hr_fail(err, 0, "run: --preserve-fds: invalid number `%s`", optarg);
			break;
		case OPT_DETACH:
			a->co.detach = true;
			a->so.detach = true;
			break;
		case OPT_MEMORY:
			if (hr_parse_size(optarg, &t->memory) < 0 || t->memory == 0)
				return hr_fail(err, 0, "run: --memory: `%s` is not a size like 256m", optarg);
			t->has_memory = true;
			break;
		case OPT_MEMORY_SWAP:
			if (hr_parse_size(optarg, &t->memory_swap) < 0 || t->memory_swap == 0)
				return hr_fail(err, 0, "run: --memory-swap: `%s` is not a size like 512m", optarg);
			t->has_memory_swap = true;
			break;
		case OPT_CPUS:
			if (parse_cpus(optarg, &t->cpus_milli) < 0)
				return hr_fail(err, 0, "run: --cpus: `%s` is not a number of CPUs like 1.5", optarg);
			t->has_cpus = true;
			break;
		case OPT_CPU_SHARES:
			if (hr_parse_u64(optarg, &t->cpu_shares) < 0 || t->cpu_shares < 2 || t->cpu_shares > 262144)
				return hr_fail(err, 0, "run: --cpu-shares: `%s` is not a number from 2 to 262144",
					       optarg);
			t->has_cpu_shares = true;
			break;
		case OPT_PIDS_LIMIT:
			if (hr_parse_u64(optarg, &u) < 0 || u == 0 || u > INT64_MAX)
				return hr_fail(err, 0, "run: --pids-limit: `%s` is not a positive number", optarg);
			t->pids = (int64_t)u;
			t->has_pids = true;
			break;
		case OPT_ULIMIT:
			hr_strv_push(&t->ulimits, optarg);
			break;
		case OPT_CAP_DROP:
			hr_strv_push(&t->cap_drop, optarg);
			break;
		case OPT_CAP_ADD:
			hr_strv_push(&t->cap_add, optarg);
			break;
		case OPT_READ_ONLY:
			t->read_only = true;
			break;
		case OPT_USER:
			t->user = optarg;
			break;
		case OPT_ENV:
			hr_strv_push(&t->env, optarg);
			break;
		case OPT_VOLUME:
			hr_strv_push(&t->volumes, optarg);
			break;
		case OPT_TMPFS:
			hr_strv_push(&t->tmpfs, optarg);
			break;
		case OPT_HOSTNAME:
			t->hostname = optarg;
			break;
		case OPT_SECCOMP_PROFILE:
			a->so.seccomp_profile = optarg;
			break;
		case OPT_SECCOMP_LEARN:
			a->so.seccomp_learn = optarg;
			break;
		case OPT_ROOTFS:
			a->so.rootfs = optarg;
			break;
		case OPT_RESTART:
			/* the hardening policy's restart cap will be the ceiling here */
			if (hr_restart_parse(optarg, HR_RESTART_DEFAULT_MAX, &a->so.restart, err) < 0)
				return hr_fail_wrap(err, "run");
			break;
		case OPT_RESTART_DELAY:
		case OPT_RESTART_MAX_DELAY:
			if (hr_parse_duration_ms(optarg, &u) < 0 || u == 0)
				return hr_fail(err, 0, "run: --%s: `%s` is not a duration like 500ms or 2s",
					       c == OPT_RESTART_DELAY ? "restart-delay" : "restart-max-delay", optarg);
			*(c == OPT_RESTART_DELAY ? &a->so.restart_delay_ms : &a->so.restart_max_delay_ms) = u;
			break;
		case OPT_STOP_SIGNAL:
			a->so.stop_signal = hr_signal_parse(optarg);
			if (a->so.stop_signal < 0)
				return hr_fail(err, 0, "run: --stop-signal: unknown signal `%s`", optarg);
			break;
		case OPT_STOP_TIMEOUT:
			if (hr_parse_duration_ms(optarg, &a->so.stop_timeout_ms) < 0)
				return hr_fail(err, 0, "run: --stop-timeout: `%s` is not a duration like 10s", optarg);
			break;
		case OPT_LOG_DRIVER:
			if (hr_log_driver_parse(optarg, &a->so.log.driver, err) < 0)
				return hr_fail_wrap(err, "run");
			break;
		case OPT_LOG_OPT:
			hr_strv_push(&a->log_opts, optarg);
			break;
		case OPT_NOTIFY_EXEC:
			if (optarg[0] != '/')
				return hr_fail(err, 0, "run: --notify-exec: `%s` must be an absolute path", optarg);
			a->so.notify_exec = optarg;
			break;
		case OPT_NOTIFY_ON:
			if (hr_event_mask_parse(optarg, &a->so.notify_mask, err) < 0)
				return hr_fail_wrap(err, "run");
			break;
		case OPT_ALERT_MEMORY:
			if (parse_pct("--alert-memory", optarg, 100, &a->so.alert_memory, err) < 0)
				return -1;
			break;
		case OPT_ALERT_PIDS:
			if (parse_pct("--alert-pids", optarg, 100, &a->so.alert_pids, err) < 0)
				return -1;
			break;
		case OPT_ALERT_CPU:
			if (parse_pct("--alert-cpu", optarg, 100000, &a->so.alert_cpu, err) < 0)
				return -1;
			break;
		default:
			return hr_fail(err, 0, "run: unknown or incomplete option `%s`", argv[optind - 1]);
		}
	}
	for (char **o = a->log_opts; o && *o; o++)
		if (hr_log_opts_parse(*o, &a->so.log, err) < 0)
			return hr_fail_wrap(err, "run");
	if (a->log_opts && a->so.log.driver != HR_LOGDRV_JSON_FILE && a->so.log.driver != HR_LOGDRV_SYSLOG)
		return hr_fail(err, 0, "run: --log-opt needs --log-driver json-file or syslog");
	if (a->so.restart_max_delay_ms < a->so.restart_delay_ms)
		return hr_fail(err, 0, "run: --restart-max-delay is below --restart-delay");
	if (a->so.notify_exec && !a->so.notify_mask)
		a->so.notify_mask = (1U << HR_EV_EXIT) | (1U << HR_EV_OOM) | (1U << HR_EV_RESTART) |
				    (1U << HR_EV_GIVE_UP) | (1U << HR_EV_REFUSED) | (1U << HR_EV_LIMIT) |
				    (1U << HR_EV_TAINTED);
	else if (a->so.notify_mask && !a->so.notify_exec)
		return hr_fail(err, 0, "run: --notify-on needs --notify-exec");
	if (a->launcher && (a->co.console_socket || a->co.pid_file || a->co.preserve_fds))
		return hr_fail(err, 0,
			       "run: --console-socket, --pid-file and --preserve-fds are runc's; the "
			       "launcher flags do not take them");
	if (argc - optind < 1)
		return hr_fail(err, 0, "run: expected a container id");
	if (a->so.rootfs) {
		int cmd = optind + 1;

		if (a->co.bundle)
			return hr_fail(err, 0, "run: --rootfs and --bundle exclude each other");
		if (cmd < argc && strcmp(argv[cmd], "--") == 0)
			cmd++;
		if (cmd >= argc)
			return hr_fail(err, 0, "run: --rootfs needs a command: run --rootfs DIR NAME -- CMD [ARG...]");
		a->so.rootfs_argv = argv + cmd;
	} else if (argc - optind != 1) {
		return hr_fail(err, 0, "run: expected 1 argument, got %d", argc - optind);
	}
	return 0;
}

int hr_cmd_run(const struct hr_rt *rt, int argc, char **argv, struct hr_err **err)
{
	struct run_args a = {0};
	int status = 0, r;

	if (parse_run(argc, argv, &a, err) < 0) {
		run_args_free(&a);
		return -1;
	}
	/* runc's run, untouched, unless a launcher flag asks for more */
	if (!a.launcher)
		r = hr_container_run(rt, argv[optind], &a.co, &status, err);
	else
		r = hr_supervise_run(rt, argv[optind], &a.co, &a.so, &status, err);
	run_args_free(&a);
	return r < 0 ? -1 : status;
}

static const struct option stop_opts[] = {
	{"timeout", required_argument, NULL, 't'},
	{NULL, 0, NULL, 0},
};

int hr_cmd_stop(const struct hr_rt *rt, int argc, char **argv, struct hr_err **err)
{
	uint64_t timeout = 60000;
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long_only(argc, argv, "+t:", stop_opts, NULL)) != -1) {
		if (c != 't')
			return hr_fail(err, 0, "stop: unknown or incomplete option `%s`", argv[optind - 1]);
		if (hr_parse_duration_ms(optarg, &timeout) < 0)
			return hr_fail(err, 0, "stop: --timeout: `%s` is not a duration like 30s", optarg);
	}
	if (argc - optind != 1)
		return hr_fail(err, 0, "stop: expected NAME");
	return hr_supervise_stop(rt, argv[optind], timeout, err) < 0 ? -1 : 0;
}

static const struct option logs_opts[] = {
	{"follow", no_argument, NULL, 'f'},
	{"tail", required_argument, NULL, 'n'},
	{"since", required_argument, NULL, 's'},
	{NULL, 0, NULL, 0},
};

int hr_cmd_logs(const struct hr_rt *rt, int argc, char **argv, struct hr_err **err)
{
	bool follow = false;
	long tail = -1;
	uint64_t since = 0;
	int c, n;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long_only(argc, argv, "+fn:", logs_opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			follow = true;
			break;
		case 'n':
			if (strcmp(optarg, "all") == 0) {
				tail = -1;
			} else if (hr_parse_int(optarg, &n) < 0 || n < 0) {
				return hr_fail(err, 0, "logs: --tail: `%s` is not a number of lines or `all`", optarg);
			} else {
				tail = n;
			}
			break;
		case 's': {
			struct timespec ts;

			clock_gettime(CLOCK_REALTIME, &ts);
			if (hr_parse_since(optarg, (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec, &since) <
			    0)
				return hr_fail(err, 0,
					       "logs: --since: `%s` is not an RFC3339 time, Unix seconds or a "
					       "duration like 10m",
					       optarg);
			break;
		}
		default:
			return hr_fail(err, 0, "logs: unknown or incomplete option `%s`", argv[optind - 1]);
		}
	}
	if (argc - optind != 1)
		return hr_fail(err, 0, "logs: expected NAME");
	return hr_container_logs(rt, argv[optind], tail, since, follow, stdout, stderr, err) < 0 ? -1 : 0;
}

static const struct option stats_opts[] = {
	{"no-stream", no_argument, NULL, 'n'},
	{"format", required_argument, NULL, 'f'},
	{NULL, 0, NULL, 0},
};

int hr_cmd_stats(const struct hr_rt *rt, int argc, char **argv, struct hr_err **err)
{
	bool json = false, stream = true;
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long_only(argc, argv, "+", stats_opts, NULL)) != -1) {
		if (c == 'n') {
			stream = false;
		} else if (c == 'f' && (strcmp(optarg, "json") == 0 || strcmp(optarg, "table") == 0)) {
			json = strcmp(optarg, "json") == 0;
		} else if (c == 'f') {
			return hr_fail(err, 0, "stats: --format: unknown format `%s`", optarg);
		} else {
			return hr_fail(err, 0, "stats: unknown or incomplete option `%s`", argv[optind - 1]);
		}
	}
	return hr_container_stats(rt, argv + optind, (size_t)(argc - optind), json, stream, stdout, err) < 0 ? -1 : 0;
}
