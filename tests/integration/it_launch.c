/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The sysadmin's launcher: `run` with --restart, back-off, graceful stop,
 * log drivers, lifecycle events, --notify-exec, thresholds, --rootfs,
 * --detach/stop and `stats`, all on real containers as root.  Timing is
 * asserted only as order (gaps grow) and as generous "did not hang" bounds.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bundle.h"

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "re");
	char *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = calloc(1, (size_t)n + 1);
	ck_assert_int_eq(fread(buf, 1, (size_t)n, f), n);
	fclose(f);
	return buf;
}

static void launch_path(struct hb *b, const char *file, char *out, size_t len)
{
	snprintf(out, len, "%s/.launch/%s/%s", b->state, b->id, file);
}

/* The events of the last supervision of b, parsed, in order. */
static json_t *events(struct hb *b)
{
	char p[512];
	char *text, *save = NULL;
	json_t *arr = json_array();

	launch_path(b, "events.jsonl", p, sizeof(p));
	text = slurp(p);
	ck_assert_msg(text != NULL, "no events file %s", p);
	for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		json_error_t je;
		json_t *e = json_loads(l, 0, &je);

		ck_assert_msg(e != NULL, "event line is not JSON: %s", l);
		ck_assert_str_eq(json_string_value(json_object_get(e, "name")), b->id);
		json_array_append_new(arr, e);
	}
	free(text);
	return arr;
}

static int count_type(json_t *evs, const char *type)
{
	size_t i;
	json_t *e;
	int n = 0;

	json_array_foreach(evs, i, e)
	{
		n += strcmp(json_string_value(json_object_get(e, "type")), type) == 0;
	}
	return n;
}

static json_t *nth_type(json_t *evs, const char *type, int nth)
{
	size_t i;
	json_t *e;

	json_array_foreach(evs, i, e)
	{
		if (strcmp(json_string_value(json_object_get(e, "type")), type) == 0 && nth-- == 0)
			return e;
	}
	return NULL;
}

static double event_time(json_t *e)
{
	const char *t = json_string_value(json_object_get(e, "time"));
	struct tm tm = {0};
	const char *frac = strptime(t, "%Y-%m-%dT%H:%M:%S", &tm);

	ck_assert_ptr_nonnull(frac);
	return (double)timegm(&tm) + (*frac == '.' ? strtod(frac, NULL) : 0);
}

/* hardrun with --root b->state and args, in the background; stdout/stderr to files in the bundle. */
static pid_t spawn(struct hb *b, char **args)
{
	char *argv[64];
	int n = 0;
	pid_t pid;

	argv[n++] = (char *)hb_runtime();
	argv[n++] = "--root";
	argv[n++] = b->state;
	if (hb_is_hardrun() && b->policy[0]) {
		argv[n++] = "--policy";
		argv[n++] = b->policy;
	}
	for (char **a = args; *a && n < 62; a++)
		argv[n++] = *a;
	argv[n] = NULL;
	hb_write(b);
	/* an earlier supervision's events must not be mistaken for this one's */
	{
		char p[512];

		launch_path(b, "events.jsonl", p, sizeof(p));
		(void)unlink(p);
	}
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		char p[320];
		int nul = open("/dev/null", O_RDONLY);
		int out, err;

		snprintf(p, sizeof(p), "%s/.bg.out", b->dir);
		out = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		snprintf(p, sizeof(p), "%s/.bg.err", b->dir);
		err = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		dup2(nul, 0);
		dup2(out, 1);
		dup2(err, 2);
		execv(argv[0], argv);
		_exit(127);
	}
	return pid;
}

/* Wait for pid with a "did not hang" bound; its exit status (128+N when killed). */
static int wait_exit(pid_t pid, int timeout_s)
{
	int ws;

	for (int i = 0; i < timeout_s * 100; i++) {
		if (waitpid(pid, &ws, WNOHANG) == pid)
			return WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
		usleep(10000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &ws, 0);
	ck_abort_msg("hardrun %d did not exit within %d s", pid, timeout_s);
	return -1;
}

/* Wait until the events file holds n events of type. */
static void wait_event(struct hb *b, const char *type, int n, int timeout_s)
{
	char p[512];

	launch_path(b, "events.jsonl", p, sizeof(p));
	for (int i = 0; i < timeout_s * 50; i++) {
		if (access(p, R_OK) == 0) {
			json_t *evs = events(b);
			int have = count_type(evs, type);

			json_decref(evs);
			if (have >= n)
				return;
		}
		usleep(20000);
	}
	ck_abort_msg("no %d `%s` event within %d s", n, type, timeout_s);
}

/* A unix datagram socket bound at <bundle>/name (the bundle path is short: sun_path fits). */
static int dgram(struct hb *b, const char *name, struct sockaddr_un *sa)
{
	size_t dl = strlen(b->dir), nl = strlen(name);
	int s;

	ck_assert_int_lt(dl + 1 + nl, sizeof(sa->sun_path));
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	memcpy(sa->sun_path, b->dir, dl);
	sa->sun_path[dl] = '/';
	memcpy(sa->sun_path + dl + 1, name, nl + 1);
	s = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(s, 0);
	ck_assert_int_eq(bind(s, (struct sockaddr *)sa, sizeof(*sa)), 0);
	return s;
}

START_TEST(on_failure_restarts_n_times_with_growing_gaps)
{
	struct hb b;
	struct hb_result r;
	json_t *evs, *g;
	double t[4];

	hb_new(&b);
	hb_set_args(&b, "/probe", "exit", "1", NULL);
	r = hb_run(&b, 60, "run", "--restart", "on-failure:3", "--restart-delay", "200ms", "--bundle", b.dir, b.id,
		   NULL);
	ck_assert_msg(r.status == 1, "status %d: %s", r.status, r.err);
	evs = events(&b);
	ck_assert_int_eq(count_type(evs, "create"), 4);
	ck_assert_int_eq(count_type(evs, "start"), 4);
	ck_assert_int_eq(count_type(evs, "exit"), 4);
	ck_assert_int_eq(count_type(evs, "restart"), 3);
	ck_assert_int_eq(count_type(evs, "give-up"), 1);
	for (int i = 0; i < 4; i++) {
		json_t *e = nth_type(evs, "exit", i);

		ck_assert_int_eq(json_integer_value(json_object_get(e, "code")), 1);
		ck_assert_str_eq(json_string_value(json_object_get(e, "signal")), "");
		t[i] = event_time(nth_type(evs, "start", i));
	}
	/* 200, 400, 800 ms of back-off: each gap between starts is longer than the one before */
	ck_assert_msg(t[2] - t[1] > t[1] - t[0] && t[3] - t[2] > t[2] - t[1], "gaps %f %f %f", t[1] - t[0], t[2] - t[1],
		      t[3] - t[2]);
	ck_assert_int_eq(json_integer_value(json_object_get(nth_type(evs, "restart", 2), "delay_ms")), 800);
	g = nth_type(evs, "give-up", 0);
	ck_assert_int_eq(json_integer_value(json_object_get(g, "restarts")), 3);
	ck_assert_int_eq(json_integer_value(json_object_get(g, "code")), 1);
	/* give-up is the last word */
	ck_assert_ptr_eq(json_array_get(evs, json_array_size(evs) - 1), g);
	json_decref(evs);
	hb_result_free(&r);
	hb_finish(&b);
}
END_TEST

START_TEST(on_failure_leaves_success_alone)
{
	struct hb b;
	struct hb_result r;
	json_t *evs;

	hb_new(&b);
	hb_set_args(&b, "/probe", "exit", "0", NULL);
	r = hb_run(&b, 30, "run", "--restart", "on-failure:5", "--bundle", b.dir, b.id, NULL);
	ck_assert_msg(r.status == 0, "status %d: %s", r.status, r.err);
	evs = events(&b);
	ck_assert_int_eq(count_type(evs, "start"), 1);
	ck_assert_int_eq(count_type(evs, "restart"), 0);
	ck_assert_int_eq(count_type(evs, "give-up"), 0);
	json_decref(evs);
	hb_result_free(&r);
	hb_finish(&b);
}
END_TEST

START_TEST(always_stops_at_n)
{
	struct hb b;
	struct hb_result r;
	json_t *evs;

	hb_new(&b);
	hb_set_args(&b, "/probe", "exit", "0", NULL);
	r = hb_run(&b, 30, "run", "--restart", "always:2", "--restart-delay", "50ms", "--bundle", b.dir, b.id, NULL);
	ck_assert_msg(r.status == 0, "status %d: %s", r.status, r.err);
	evs = events(&b);
	ck_assert_int_eq(count_type(evs, "start"), 3);
	ck_assert_int_eq(count_type(evs, "restart"), 2);
	ck_assert_int_eq(count_type(evs, "give-up"), 1);
	json_decref(evs);
	hb_result_free(&r);
	/* above the cap: refused before anything runs */
	r = hb_run(&b, 30, "run", "--restart", "always:11", "--bundle", b.dir, b.id, NULL);
	ck_assert_int_eq(r.status, 1);
	ck_assert_str_eq(r.err, "hardrun: run: --restart: `always:11` exceeds the restart cap of 10\n");
	hb_result_free(&r);
	hb_finish(&b);
}
END_TEST

START_TEST(sigterm_while_running_stops_gracefully)
{
	struct hb b;
	pid_t pid;
	json_t *evs, *e;
	char p[512];

	hb_new(&b);
	hb_set_args(&b, "/probe", "wait-term", NULL);
	pid = spawn(&b, (char *[]){"run", "--restart", "always", "--log-driver", "json-file", "--bundle", b.dir, b.id,
				   NULL});
	wait_event(&b, "start", 1, 20);
	/* the probe says "ready" once its handler is in place: pid 1 without one ignores SIGTERM */
	launch_path(&b, "container.log", p, sizeof(p));
	for (int i = 0; i < 1000; i++) {
		char *t = slurp(p);
		bool ready = t && strstr(t, "\"log\":\"ready\\n\"");

		free(t);
		if (ready)
			break;
		usleep(20000);
	}
	kill(pid, SIGTERM);
	/* the probe exits 42 on SIGTERM: that is the service's, and so hardrun's, status */
	ck_assert_int_eq(wait_exit(pid, 20), 42);
	evs = events(&b);
	ck_assert_int_eq(count_type(evs, "start"), 1);
	ck_assert_int_eq(count_type(evs, "restart"), 0);
	ck_assert_int_eq(count_type(evs, "give-up"), 0);
	e = nth_type(evs, "exit", 0);
	ck_assert_int_eq(json_integer_value(json_object_get(e, "code")), 42);
	json_decref(evs);
	launch_path(&b, "supervisor.pid", p, sizeof(p));
	ck_assert_int_ne(access(p, F_OK), 0);
	hb_assert_no_leak(&b);
	hb_finish(&b);
}
END_TEST

START_TEST(sigterm_kills_after_the_stop_timeout)
{
	struct hb b;
	pid_t pid;
	json_t *evs;

	hb_new(&b);
	/* pid 1 without a handler ignores SIGTERM */
	hb_set_args(&b, "/probe", "sleep", "100", NULL);
	pid = spawn(&b,
		    (char *[]){"run", "--stop-timeout", "500ms", "--restart", "always", "--bundle", b.dir, b.id, NULL});
	wait_event(&b, "start", 1, 20);
	kill(pid, SIGTERM);
	ck_assert_int_eq(wait_exit(pid, 20), 137);
	evs = events(&b);
	ck_assert_str_eq(json_string_value(json_object_get(nth_type(evs, "exit", 0), "signal")), "SIGKILL");
	ck_assert_int_eq(count_type(evs, "restart"), 0);
	json_decref(evs);
	hb_finish(&b);
}
END_TEST

START_TEST(sigterm_during_backoff_ends_supervision)
{
	struct hb b;
	pid_t pid;
	json_t *evs;

	hb_new(&b);
	hb_set_args(&b, "/probe", "exit", "3", NULL);
	pid = spawn(&b, (char *[]){"run", "--restart", "on-failure:5", "--restart-delay", "20s", "--bundle", b.dir,
				   b.id, NULL});
	wait_event(&b, "restart", 1, 20);
	kill(pid, SIGTERM);
	/* well before the 20 s back-off ends; the status is the service's last */
	ck_assert_int_eq(wait_exit(pid, 10), 3);
	evs = events(&b);
	ck_assert_int_eq(count_type(evs, "start"), 1);
	ck_assert_int_eq(count_type(evs, "give-up"), 0);
	json_decref(evs);
	hb_finish(&b);
}
END_TEST

START_TEST(json_file_rotates_at_max_size)
{
	struct hb b;
	struct hb_result r;
	char p[512];
	struct stat st;
	char *text;

	hb_new(&b);
	hb_set_args(&b, "/bin/sh", "-c", "i=0; while [ $i -lt 300 ]; do echo line-$i; i=$((i+1)); done; echo bye >&2",
		    NULL);
	r = hb_run(&b, 30, "run", "--log-driver", "json-file", "--log-opt", "max-size=2k", "--log-opt", "max-file=3",
		   "--bundle", b.dir, b.id, NULL);
	ck_assert_msg(r.status == 0, "status %d: %s", r.status, r.err);
	/* the workload's output went to the log, not to hardrun's stdout */
	ck_assert_str_eq(r.out, "");
	hb_result_free(&r);
	for (int i = 0; i < 3; i++) {
		char name[32];

		snprintf(name, sizeof(name), i ? "container.log.%d" : "container.log", i);
		launch_path(&b, name, p, sizeof(p));
		ck_assert_msg(stat(p, &st) == 0, "%s missing", p);
		ck_assert_msg(st.st_size > 0 && st.st_size <= 2048, "%s has %lld bytes", p, (long long)st.st_size);
	}
	launch_path(&b, "container.log.3", p, sizeof(p));
	ck_assert_int_ne(access(p, F_OK), 0);
	launch_path(&b, "container.log", p, sizeof(p));
	text = slurp(p);
	ck_assert_ptr_nonnull(strstr(text, "{\"log\":\"line-299\\n\",\"stream\":\"stdout\",\"time\":\"20"));
	ck_assert_ptr_nonnull(strstr(text, "{\"log\":\"bye\\n\",\"stream\":\"stderr\",\"time\":\"20"));
	free(text);
	r = hb_run(&b, 20, "logs", "--tail", "2", b.id, NULL);
	ck_assert_int_eq(r.status, 0);
	ck_assert_str_eq(r.out, "line-299\n");
	ck_assert_str_eq(r.err, "bye\n");
	hb_result_free(&r);
	/* without --tail: the rotated files, oldest first, then the current one, as one log */
	r = hb_run(&b, 20, "logs", b.id, NULL);
	ck_assert_int_eq(r.status, 0);
	{
		int kept = 0, first = -1, n = 0;
		char *save = NULL;

		for (int i = 0; i < 3; i++) {
			char name[32];
			char *t;

			snprintf(name, sizeof(name), i ? "container.log.%d" : "container.log", i);
			launch_path(&b, name, p, sizeof(p));
			t = slurp(p);
			kept += hb_lines(t);
			free(t);
		}
		/* every line kept is printed, stdout ones in order with no gap; "bye" went to stderr */
		ck_assert_int_eq(hb_lines(r.out), kept - 1);
		for (char *l = strtok_r(r.out, "\n", &save); l; l = strtok_r(NULL, "\n", &save), n++) {
			int v = -1;

			ck_assert_int_eq(sscanf(l, "line-%d", &v), 1);
			if (first < 0)
				first = v;
			ck_assert_int_eq(v, first + n);
		}
		ck_assert_int_eq(first + n - 1, 299);
		ck_assert_int_gt(first, 0);
	}
	hb_result_free(&r);
	r = hb_run(&b, 20, "logs", "--tail", "x", b.id, NULL);
	ck_assert_int_eq(r.status, 1);
	ck_assert_str_eq(r.err, "hardrun: logs: --tail: `x` is not a number of lines or `all`\n");
	hb_result_free(&r);
	/* delete takes the service's logs and events with it */
	r = hb_run(&b, 20, "delete", "--force", b.id, NULL);
	ck_assert_int_eq(r.status, 0);
	hb_result_free(&r);
	snprintf(p, sizeof(p), "%s/.launch/%s", b.state, b.id);
	ck_assert_int_ne(access(p, F_OK), 0);
	r = hb_run(&b, 20, "logs", b.id, NULL);
	ck_assert_int_eq(r.status, 1);
	snprintf(p, sizeof(p),
		 "hardrun: logs `%s`: no logs or events of `%s` (never launched, or deleted): No such file or "
		 "directory\n",
		 b.id, b.id);
	ck_assert_str_eq(r.err, p);
	hb_result_free(&r);
	hb_finish(&b);
}
END_TEST

START_TEST(logs_follow_until_the_supervisor_ends)
{
	struct hb b;
	struct hb_result r;

	hb_new(&b);
	hb_set_args(&b, "/bin/sh", "-c", "echo one; sleep 1; echo two", NULL);
	r = hb_run(&b, 30, "run", "--detach", "--log-driver", "json-file", "--bundle", b.dir, b.id, NULL);
	ck_assert_msg(r.status == 0, "status %d: %s", r.status, r.err);
	hb_result_free(&r);
	r = hb_run(&b, 30, "logs", "-f", b.id, NULL);
	ck_assert_int_eq(r.status, 0);
	ck_assert_str_eq(r.out, "one\ntwo\n");
	hb_result_free(&r);
	/* the supervisor has ended: events -f prints the whole event log and returns */
	r = hb_run(&b, 30, "events", "--log", "-f", b.id, NULL);
	ck_assert_int_eq(r.status, 0);
	{
		char p[512];
		char *want;

		launch_path(&b, "events.jsonl", p, sizeof(p));
		want = slurp(p);
		ck_assert_str_eq(r.out, want);
		ck_assert_int_eq(hb_lines(want), 3);
		free(want);
	}
	hb_result_free(&r);
	r = hb_run(&b, 30, "events", "-f", b.id, NULL);
	ck_assert_int_eq(r.status, 1);
	ck_assert_str_eq(r.err, "hardrun: events: --follow goes with --log\n");
	hb_result_free(&r);
	r = hb_run(&b, 20, "logs", "--since", "2000-01-01T00:00:00Z", b.id, NULL);
	ck_assert_str_eq(r.out, "one\ntwo\n");
	hb_result_free(&r);
	r = hb_run(&b, 20, "logs", "--since", "2999-01-01T00:00:00Z", b.id, NULL);
	ck_assert_str_eq(r.out, "");
	hb_result_free(&r);
	hb_finish(&b);
}
END_TEST

START_TEST(syslog_lines_reach_the_listener)
{
	struct hb b;
	struct hb_result r;
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	char addr[160], buf[2048];
	int s, got_out = 0, got_err = 0, got_exit = 0;
	ssize_t n;

	hb_new(&b);
	s = dgram(&b, "log", &sa);
	snprintf(addr, sizeof(addr), "syslog-address=unix://%s", sa.sun_path);
	hb_set_args(&b, "/bin/sh", "-c", "echo hello; echo oops >&2", NULL);
	r = hb_run(&b, 30, "run", "--log-driver", "syslog", "--log-opt", addr, "--log-opt",
		   "tag=web,syslog-facility=local3", "--bundle", b.dir, b.id, NULL);
	ck_assert_msg(r.status == 0, "status %d: %s", r.status, r.err);
	hb_result_free(&r);
	while ((n = recv(s, buf, sizeof(buf) - 1, MSG_DONTWAIT)) > 0) {
		char *colon;

		buf[n] = '\0';
		colon = strstr(buf, "]: ");
		ck_assert_msg(colon != NULL, "not a syslog line: %s", buf);
		/* local3 = 19: info (6) for stdout, err (3) for stderr, events under the tag hardrun */
		if (strncmp(buf, "<158>", 5) == 0 && strstr(buf, " web[") && strcmp(colon, "]: hello") == 0)
			got_out++;
		else if (strncmp(buf, "<155>", 5) == 0 && strstr(buf, " web[") && strcmp(colon, "]: oops") == 0)
			got_err++;
		else if (strstr(buf, " hardrun[") && strstr(colon, "\"type\":\"exit\""))
			got_exit++;
	}
	ck_assert_int_eq(got_out, 1);
	ck_assert_int_eq(got_err, 1);
	ck_assert_int_eq(got_exit, 1);
	close(s);
	/* an address nobody listens on: refused before the service runs */
	r = hb_run(&b, 30, "run", "--log-driver", "syslog", "--log-opt", "syslog-address=unix:///nonexistent/log",
		   "--bundle", b.dir, b.id, NULL);
	ck_assert_int_eq(r.status, 1);
	ck_assert_int_eq(hb_lines(r.err), 1);
	ck_assert_ptr_nonnull(strstr(r.err, "connect to syslog `/nonexistent/log`"));
	hb_result_free(&r);
	hb_finish(&b);
}
END_TEST

/* A notify script that appends its stdin to <bundle>/notified. */
static void notify_script(struct hb *b, char *prog, size_t len)
{
	char text[600];

	snprintf(text, sizeof(text), "#!/bin/sh\ncat >> %s/notified\n", b->dir);
	hb_write_file(b, "notify.sh", text, 0755);
	snprintf(prog, len, "%s/notify.sh", b->dir);
}

/* The lines of events.jsonl whose type is one of types, concatenated. */
static char *event_lines(struct hb *b, const char *const *types)
{
	char p[512];
	char *text, *save = NULL;
	size_t cap = 65536;
	char *out = calloc(1, cap);

	launch_path(b, "events.jsonl", p, sizeof(p));
	text = slurp(p);
	ck_assert_ptr_nonnull(text);
	for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
		for (const char *const *t = types; *t; t++) {
			char want[64];

			snprintf(want, sizeof(want), "\"type\":\"%s\"", *t);
			if (strstr(l, want) && strlen(out) + strlen(l) + 2 < cap) {
				strcat(out, l);
				strcat(out, "\n");
			}
		}
	free(text);
	return out;
}

START_TEST(notify_exec_gets_exit_restart_give_up)
{
	struct hb b;
	struct hb_result r;
	char prog[400], p[400];
	char *want, *got;

	hb_new(&b);
	notify_script(&b, prog, sizeof(prog));
	hb_set_args(&b, "/probe", "exit", "1", NULL);
	r = hb_run(&b, 30, "run", "--restart", "on-failure:1", "--restart-delay", "50ms", "--notify-exec", prog,
		   "--notify-on", "exit,restart,give-up", "--bundle", b.dir, b.id, NULL);
	ck_assert_msg(r.status == 1, "status %d: %s", r.status, r.err);
	hb_result_free(&r);
	want = event_lines(&b, (const char *const[]){"exit", "restart", "give-up", NULL});
	snprintf(p, sizeof(p), "%s/notified", b.dir);
	got = slurp(p);
	ck_assert_ptr_nonnull(got);
	/* exit, restart, exit, give-up: each exactly the line of the event log */
	ck_assert_int_eq(hb_lines(want), 4);
	ck_assert_str_eq(got, want);
	free(want);
	free(got);
	hb_finish(&b);
}
END_TEST

START_TEST(oom_kill_is_an_event_and_notified)
{
	struct hb b;
	struct hb_result r;
	char prog[400], p[400];
	char *want, *got;
	json_t *evs;

	hb_new(&b);
	notify_script(&b, prog, sizeof(prog));
	hb_set_args(&b, "/probe", "alloc", "256", NULL);
	r = hb_run(&b, 30, "run", "--memory", "16m", "--notify-exec", prog, "--notify-on", "oom", "--bundle", b.dir,
		   b.id, NULL);
	ck_assert_msg(r.status == 137, "status %d: %s", r.status, r.err);
	hb_result_free(&r);
	evs = events(&b);
	ck_assert_int_eq(count_type(evs, "oom"), 1);
	ck_assert_int_eq(json_integer_value(json_object_get(nth_type(evs, "oom", 0), "limit")), 16 << 20);
	ck_assert_str_eq(json_string_value(json_object_get(nth_type(evs, "exit", 0), "signal")), "SIGKILL");
	json_decref(evs);
	want = event_lines(&b, (const char *const[]){"oom", NULL});
	snprintf(p, sizeof(p), "%s/notified", b.dir);
	got = slurp(p);
	ck_assert_ptr_nonnull(got);
	ck_assert_str_eq(got, want);
	free(want);
	free(got);
	hb_finish(&b);
}
END_TEST

START_TEST(memory_threshold_fires_once)
{
	struct hb b;
	struct hb_result r;
	json_t *evs, *e;
	char want[256];

	hb_new(&b);
	/* 20 MiB of 32 MiB held for 2 s: about eight looks at the cgroup above 50 % */
	hb_set_args(&b, "/probe", "alloc", "20", "2", NULL);
	r = hb_run(&b, 30, "run", "--memory", "32m", "--alert-memory", "50", "--bundle", b.dir, b.id, NULL);
	ck_assert_msg(r.status == 0, "status %d: %s", r.status, r.err);
	hb_result_free(&r);
	evs = events(&b);
	ck_assert_int_eq(count_type(evs, "limit"), 1);
	e = nth_type(evs, "limit", 0);
	ck_assert_str_eq(json_string_value(json_object_get(e, "resource")), "memory");
	ck_assert_int_eq(json_integer_value(json_object_get(e, "threshold")), 50);
	ck_assert_int_ge(json_integer_value(json_object_get(e, "percent")), 50);
	ck_assert_int_eq(json_integer_value(json_object_get(e, "limit")), 32 << 20);
	json_decref(evs);
	/* a threshold without a limit is refused */
	r = hb_run(&b, 30, "run", "--alert-memory", "50", "--bundle", b.dir, b.id, NULL);
	ck_assert_int_eq(r.status, 1);
	snprintf(want, sizeof(want),
		 "hardrun: run `%s`: --alert-memory: the container has no memory limit (--memory)\n", b.id);
	ck_assert_str_eq(r.err, want);
	hb_result_free(&r);
	hb_finish(&b);
}
END_TEST

START_TEST(pids_threshold_fires_once)
{
	struct hb b;
	struct hb_result r;
	json_t *evs, *e;

	hb_new(&b);
	/* the shell and five sleeps: 6 of 10, and only 6 crosses 55 % */
	hb_set_args(&b, "/bin/sh", "-c", "sleep 2 & sleep 2 & sleep 2 & sleep 2 & sleep 2 & wait", NULL);
	r = hb_run(&b, 30, "run", "--pids-limit", "10", "--alert-pids", "55", "--bundle", b.dir, b.id, NULL);
	ck_assert_msg(r.status == 0, "status %d: %s", r.status, r.err);
	hb_result_free(&r);
	evs = events(&b);
	ck_assert_int_eq(count_type(evs, "limit"), 1);
	e = nth_type(evs, "limit", 0);
	ck_assert_str_eq(json_string_value(json_object_get(e, "resource")), "pids");
	ck_assert_int_eq(json_integer_value(json_object_get(e, "usage")), 6);
	ck_assert_int_eq(json_integer_value(json_object_get(e, "limit")), 10);
	ck_assert_int_eq(json_integer_value(json_object_get(e, "percent")), 60);
	json_decref(evs);
	hb_finish(&b);
}
END_TEST

START_TEST(cpu_threshold_raises_limit_events)
{
	struct hb b;
	struct hb_result r;
	json_t *evs, *e;
	size_t i;

	hb_new(&b);
	/* a second or more of a busy shell: far above 10 % of one CPU even on a loaded machine */
	hb_set_args(&b, "/bin/sh", "-c", "i=0; while [ $i -lt 1000000 ]; do i=$((i+1)); done", NULL);
	r = hb_run(&b, 60, "run", "--alert-cpu", "10", "--bundle", b.dir, b.id, NULL);
	ck_assert_msg(r.status == 0, "status %d: %s", r.status, r.err);
	hb_result_free(&r);
	evs = events(&b);
	ck_assert_int_ge(count_type(evs, "limit"), 1);
	json_array_foreach(evs, i, e)
	{
		if (strcmp(json_string_value(json_object_get(e, "type")), "limit") != 0)
			continue;
		ck_assert_str_eq(json_string_value(json_object_get(e, "resource")), "cpu");
		ck_assert_int_ge(json_integer_value(json_object_get(e, "percent")), 10);
	}
	json_decref(evs);
	hb_finish(&b);
}
END_TEST

START_TEST(rootfs_runs_without_a_config)
{
	struct hb b;
	struct hb_result r;
	char p[512];

	hb_new(&b);
	r = hb_run(&b, 30, "run", "--rootfs", b.rootfs, "--hostname", "svc", "--env", "GREETING=hi", b.id, "--",
		   "/bin/sh", "-c", "echo $GREETING from $(hostname)", NULL);
	ck_assert_msg(r.status == 0, "status %d: %s", r.status, r.err);
	ck_assert_str_eq(r.out, "hi from svc\n");
	hb_result_free(&r);
	/* the config made on the fly is kept beside the events */
	launch_path(&b, "config.json", p, sizeof(p));
	ck_assert_int_eq(access(p, R_OK), 0);
	r = hb_run(&b, 30, "run", "--rootfs", b.rootfs, b.id, NULL);
	ck_assert_int_eq(r.status, 1);
	ck_assert_str_eq(r.err, "hardrun: run: --rootfs needs a command: run --rootfs DIR NAME -- CMD [ARG...]\n");
	hb_result_free(&r);
	hb_finish(&b);
}
END_TEST

/* --rootfs under the default policy: the service runs hardened, and audit passes at level 2 */
START_TEST(rootfs_runs_hardened)
{
	struct hb b;
	struct hb_result r;

	if (!hb_is_hardrun())
		return;
	hb_new(&b);
	hb_set_policy(&b, "{\"level\": 2}");
	r = hb_run(&b, 30, "run", "--detach", "--rootfs", b.rootfs, b.id, "--", "/probe", "sleep", "60", NULL);
	ck_assert_msg(r.status == 0, "status %d: %s", r.status, r.err);
	hb_result_free(&r);
	r = hb_run(&b, 30, "audit", b.id, NULL);
	ck_assert_msg(r.status == 0, "status %d: %s%s", r.status, r.out, r.err);
	ck_assert_msg(strstr(r.out, " at level 2: PASS (0 of 14 required controls fail)"), "%s", r.out);
	hb_result_free(&r);
	r = hb_run(&b, 30, "stop", b.id, NULL);
	ck_assert_msg(r.status == 0, "status %d: %s", r.status, r.err);
	hb_result_free(&r);
	hb_finish(&b);
}
END_TEST

static long long cgroup_value(struct hb *b, const char *ctl, const char *file)
{
	char p[512];
	long long v = -1;
	FILE *f;

	/* cgroupfs files have no size: read them as a stream; v2 names the usage and the limit apart */
	if (hb_cgroup_v2()) {
		if (strcmp(file, "memory.usage_in_bytes") == 0)
			file = "memory.current";
		else if (strcmp(file, "memory.limit_in_bytes") == 0)
			file = "memory.max";
		snprintf(p, sizeof(p), "/sys/fs/cgroup/%s/%s", b->id, file);
	} else {
		snprintf(p, sizeof(p), "/sys/fs/cgroup/%s/%s/%s", ctl, b->id, file);
	}
	f = fopen(p, "re");
	ck_assert_msg(f != NULL, "open %s", p);
	ck_assert_int_eq(fscanf(f, "%lld", &v), 1);
	fclose(f);
	return v;
}

START_TEST(stats_match_the_cgroup)
{
	struct hb b;
	struct hb_result r;
	json_t *s, *mem, *pids;
	json_error_t je;
	long long usage;
	char want[256];

	hb_new(&b);
	hb_set_args(&b, "/bin/sh", "-c", "sleep 100 & sleep 100 & wait", NULL);
	r = hb_run(&b, 30, "run", "-d", "--stop-timeout", "1s", "--memory", "64m", "--pids-limit", "20", "--bundle",
		   b.dir, b.id, NULL);
	ck_assert_msg(r.status == 0, "status %d: %s", r.status, r.err);
	hb_result_free(&r);
	/* the shell and its two sleeps */
	for (int i = 0; i < 200 && cgroup_value(&b, "pids", "pids.current") < 3; i++)
		usleep(10000);
	r = hb_run(&b, 20, "stats", "--no-stream", "--format", "json", b.id, NULL);
	ck_assert_msg(r.status == 0, "status %d: %s", r.status, r.err);
	usage = cgroup_value(&b, "memory", "memory.usage_in_bytes");
	ck_assert_int_eq(hb_lines(r.out), 1);
	s = json_loads(r.out, 0, &je);
	ck_assert_msg(s != NULL, "not JSON: %s", r.out);
	ck_assert_str_eq(json_string_value(json_object_get(s, "id")), b.id);
	mem = json_object_get(s, "memory");
	pids = json_object_get(s, "pids");
	ck_assert_int_eq(json_integer_value(json_object_get(mem, "limit")),
			 cgroup_value(&b, "memory", "memory.limit_in_bytes"));
	ck_assert_int_eq(json_integer_value(json_object_get(mem, "limit")), 64 << 20);
	/* usage moves a little between two reads; the same order of magnitude is the same figure */
	ck_assert_msg(llabs(json_integer_value(json_object_get(mem, "usage")) - usage) <= usage / 4 + 65536,
		      "stats %lld, cgroup %lld", (long long)json_integer_value(json_object_get(mem, "usage")), usage);
	ck_assert_int_eq(json_integer_value(json_object_get(pids, "current")),
			 cgroup_value(&b, "pids", "pids.current"));
	ck_assert_int_eq(json_integer_value(json_object_get(pids, "current")), 3);
	ck_assert_int_eq(json_integer_value(json_object_get(pids, "limit")), 20);
	ck_assert(json_is_real(json_object_get(s, "cpu_percent")));
	ck_assert(json_is_integer(json_object_get(json_object_get(s, "net"), "rx_bytes")));
	ck_assert(json_is_integer(json_object_get(json_object_get(s, "block"), "read_bytes")));
	json_decref(s);
	hb_result_free(&r);
	/* exec into a supervised service taints it */
	r = hb_run(&b, 20, "exec", b.id, "/bin/true", NULL);
	ck_assert_int_eq(r.status, 0);
	hb_result_free(&r);
	r = hb_run(&b, 40, "stop", b.id, NULL);
	ck_assert_msg(r.status == 0, "stop: %s", r.err);
	hb_result_free(&r);
	{
		json_t *evs = events(&b);

		ck_assert_int_eq(count_type(evs, "tainted"), 1);
		ck_assert_str_eq(json_string_value(json_object_get(nth_type(evs, "tainted", 0), "exec")), "/bin/true");
		json_decref(evs);
	}
	r = hb_run(&b, 20, "stop", b.id, NULL);
	ck_assert_int_eq(r.status, 1);
	snprintf(want, sizeof(want), "hardrun: stop `%s`: no supervisor is running: No such process\n", b.id);
	ck_assert_str_eq(r.err, want);
	hb_result_free(&r);
	hb_finish(&b);
}
END_TEST

START_TEST(flags_tighten_the_container)
{
	struct hb b;
	struct hb_result r;
	char vol[600], p[1200];
	char *cfg;
	json_t *c, *res;
	json_error_t je;

	hb_new(&b);
	json_object_set_new(json_object_get(b.config, "root"), "readonly", json_false());
	snprintf(p, sizeof(p), "mkdir -p %s/vol %s/rootfs/data %s/rootfs/scratch && echo hi > %s/vol/hello", b.dir,
		 b.dir, b.dir, b.dir);
	ck_assert_int_eq(system(p), 0);
	snprintf(vol, sizeof(vol), "%s/vol:/data:ro", b.dir);
	hb_set_args(&b, "/bin/sh", "-c",
		    "/probe ids; /probe caps | grep CapBnd; /probe rlimit-nofile; /probe write /x; "
		    "/probe write /data/f; /probe read /data/hello; /probe write /scratch/f; /probe env | grep MODE",
		    NULL);
	r = hb_run(&b, 30, "run", "--user", "1000:1000", "--cap-drop", "ALL", "--cap-add", "kill", "--ulimit",
		   "nofile=100:200", "--read-only", "-v", vol, "--tmpfs", "/scratch:size=1m", "-e", "MODE=prod",
		   "--cpus", "0.5", "--cpu-shares", "512", "--pids-limit", "7", "-m", "48m", "--memory-swap", "64m",
		   "--bundle", b.dir, b.id, NULL);
	ck_assert_msg(r.status == 0, "status %d: %s", r.status, r.err);
	ck_assert_str_eq(r.out, "uid=1000 gid=1000 euid=1000 egid=1000 groups=\n"
				"CapBnd:\t0000000000000020\n"
				"100 200\n"
				"EROFS\n"
				"EROFS\n"
				"3 bytes\n"
				"ok\n"
				"MODE=prod\n");
	hb_result_free(&r);
	/* the limits went into the config the container was made from */
	snprintf(p, sizeof(p), "%s/.launch/%s/config.json", b.state, b.id);
	cfg = slurp(p);
	c = json_loads(cfg, 0, &je);
	ck_assert_ptr_nonnull(c);
	res = json_object_get(json_object_get(c, "linux"), "resources");
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(res, "cpu"), "quota")), 50000);
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(res, "pids"), "limit")), 7);
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(res, "memory"), "limit")), 48 << 20);
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(res, "memory"), "swap")), 64 << 20);
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(res, "cpu"), "shares")), 512);
	json_decref(c);
	free(cfg);
	hb_finish(&b);
}
END_TEST

START_TEST(seccomp_profile_and_stop_signal)
{
	struct hb b;
	struct hb_result r;
	char prof[400], want[512];
	pid_t pid;
	uint64_t t0;

	hb_new(&b);
	hb_write_file(&b, "profile.json",
		      "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"mkdir\", "
		      "\"mkdirat\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 1}]}",
		      0600);
	snprintf(prof, sizeof(prof), "%s/profile.json", b.dir);
	hb_set_args(&b, "/probe", "mkdir", "/tmp/x", NULL);
	r = hb_run(&b, 30, "run", "--seccomp-profile", prof, "--bundle", b.dir, b.id, NULL);
	ck_assert_msg(r.status == 0, "status %d: %s", r.status, r.err);
	ck_assert_str_eq(r.out, "EPERM\n");
	hb_result_free(&r);
	/* a name is looked up in /etc/hardrun/seccomp */
	r = hb_run(&b, 30, "run", "--seccomp-profile", "no-such-profile", "--bundle", b.dir, b.id, NULL);
	ck_assert_int_eq(r.status, 1);
	snprintf(want, sizeof(want),
		 "hardrun: run `%s`: --seccomp-profile `no-such-profile`: open "
		 "`/etc/hardrun/seccomp/no-such-profile.json`: No such file or directory\n",
		 b.id);
	ck_assert_str_eq(r.err, want);
	hb_result_free(&r);
	/* the stop signal is what stops it: KILL does at once, long before the stop timeout */
	hb_set_args(&b, "/probe", "sleep", "100", NULL);
	pid = spawn(&b, (char *[]){"run", "--stop-signal", "KILL", "--stop-timeout", "60s", "--restart", "always",
				   "--bundle", b.dir, b.id, NULL});
	wait_event(&b, "start", 1, 20);
	t0 = (uint64_t)time(NULL);
	kill(pid, SIGTERM);
	ck_assert_int_eq(wait_exit(pid, 20), 137);
	ck_assert_int_lt((uint64_t)time(NULL) - t0, 30);
	hb_finish(&b);
}
END_TEST

START_TEST(a_container_that_cannot_be_made_is_refused)
{
	struct hb b;
	struct hb_result r;
	json_t *evs, *e;
	char p[512];

	hb_new(&b);
	hb_set_args(&b, "/probe", "exit", "0", NULL);
	r = hb_run(&b, 30, "run", "--restart", "always", "-v", "/nonexistent/src:/data", "--bundle", b.dir, b.id, NULL);
	ck_assert_int_eq(r.status, 1);
	ck_assert_int_eq(hb_lines(r.err), 1);
	ck_assert_ptr_nonnull(strstr(r.err, "/nonexistent/src"));
	hb_result_free(&r);
	evs = events(&b);
	ck_assert_int_eq(json_array_size(evs), 1);
	e = nth_type(evs, "refused", 0);
	ck_assert_ptr_nonnull(e);
	ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(e, "error")), "/nonexistent/src"));
	json_decref(evs);
	hb_assert_no_leak(&b);
	/* detached, the error still reaches the caller, and no supervisor stays */
	r = hb_run(&b, 30, "run", "-d", "--restart", "always", "-v", "/nonexistent/src:/data", "--bundle", b.dir, b.id,
		   NULL);
	ck_assert_int_eq(r.status, 1);
	ck_assert_int_eq(hb_lines(r.err), 1);
	ck_assert_ptr_nonnull(strstr(r.err, "/nonexistent/src"));
	hb_result_free(&r);
	snprintf(p, sizeof(p), "%s/.launch/%s/supervisor.pid", b.state, b.id);
	for (int i = 0; i < 100 && access(p, F_OK) == 0; i++)
		usleep(20000);
	ck_assert_int_ne(access(p, F_OK), 0);
	hb_finish(&b);
}
END_TEST

START_TEST(bad_flags_leave_nothing)
{
	struct hb b;
	struct hb_result r;
	char p[400];

	hb_new(&b);
	r = hb_run(&b, 20, "stop", b.id, NULL);
	ck_assert_int_eq(r.status, 1);
	snprintf(p, sizeof(p), "hardrun: stop `%s`: no supervisor is running: No such process\n", b.id);
	ck_assert_str_eq(r.err, p);
	hb_result_free(&r);
	r = hb_run(&b, 20, "stats", "--no-stream", b.id, NULL);
	ck_assert_int_eq(r.status, 1);
	snprintf(p, sizeof(p), "hardrun: stats: container `%s` does not exist: No such file or directory\n", b.id);
	ck_assert_str_eq(r.err, p);
	hb_result_free(&r);
	r = hb_run(&b, 20, "run", "--memory", "1x", "--bundle", b.dir, b.id, NULL);
	ck_assert_int_eq(r.status, 1);
	ck_assert_str_eq(r.err, "hardrun: run: --memory: `1x` is not a size like 256m\n");
	hb_result_free(&r);
	r = hb_run(&b, 20, "run", "--cap-add", "CAP_SYS_ADMIN", "--bundle", b.dir, b.id, NULL);
	ck_assert_int_eq(r.status, 1);
	ck_assert_int_eq(hb_lines(r.err), 1);
	ck_assert_ptr_nonnull(strstr(r.err, "--cap-add `CAP_SYS_ADMIN`: not in the bundle's bounding set\n"));
	hb_result_free(&r);
	r = hb_run(&b, 20, "run", "--log-driver", "journald", "--bundle", b.dir, b.id, NULL);
	ck_assert_int_eq(r.status, 1);
	ck_assert_str_eq(r.err, "hardrun: run: --log-driver: `journald` is not json-file, syslog or none\n");
	hb_result_free(&r);
	/* refused flags never made a launch dir */
	snprintf(p, sizeof(p), "%s/.launch/%s", b.state, b.id);
	ck_assert_int_ne(access(p, F_OK), 0);
	hb_finish(&b);
}
END_TEST

START_TEST(ready_goes_to_notify_socket)
{
	struct hb b;
	struct hb_result r;
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	char buf[256];
	ssize_t n;
	int s;

	hb_new(&b);
	s = dgram(&b, "notify", &sa);
	hb_set_args(&b, "/probe", "exit", "0", NULL);
	setenv("NOTIFY_SOCKET", sa.sun_path, 1);
	r = hb_run(&b, 30, "run", "--restart", "no", "--bundle", b.dir, b.id, NULL);
	unsetenv("NOTIFY_SOCKET");
	ck_assert_msg(r.status == 0, "status %d: %s", r.status, r.err);
	hb_result_free(&r);
	n = recv(s, buf, sizeof(buf) - 1, MSG_DONTWAIT);
	ck_assert_int_gt(n, 0);
	buf[n] = '\0';
	ck_assert_ptr_nonnull(strstr(buf, "READY=1\n"));
	ck_assert_int_lt(recv(s, buf, sizeof(buf), MSG_DONTWAIT), 0);
	close(s);
	hb_finish(&b);
}
END_TEST

int main(void)
{
	const TTest *const tests[] = {
		on_failure_restarts_n_times_with_growing_gaps,
		on_failure_leaves_success_alone,
		always_stops_at_n,
		sigterm_while_running_stops_gracefully,
		sigterm_kills_after_the_stop_timeout,
		sigterm_during_backoff_ends_supervision,
		json_file_rotates_at_max_size,
		logs_follow_until_the_supervisor_ends,
		syslog_lines_reach_the_listener,
		notify_exec_gets_exit_restart_give_up,
		oom_kill_is_an_event_and_notified,
		memory_threshold_fires_once,
		pids_threshold_fires_once,
		cpu_threshold_raises_limit_events,
		rootfs_runs_without_a_config,
		rootfs_runs_hardened,
		stats_match_the_cgroup,
		flags_tighten_the_container,
		seccomp_profile_and_stop_signal,
		a_container_that_cannot_be_made_is_refused,
		bad_flags_leave_nothing,
		ready_goes_to_notify_socket,
		NULL,
	};

	return hb_main("launch", 120, tests);
}
