/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * containerd's runc shim, replayed: the exact argv shapes of CLIENTS.md
 * (global --root --log --log-format json, create --bundle --pid-file,
 * start, state, kill with signal numbers, delete, delete --force), with the
 * shim's listening socket open as fd 3.  Proves fd 3 never reaches the
 * container and every log line is runc-shaped JSON, errors included.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bundle.h"

static void assert_json_log(const char *path, bool want_error, const char *want_msg)
{
	FILE *f = fopen(path, "re");
	char line[8192];
	bool saw_error = false;
	int n = 0;

	ck_assert_msg(f != NULL, "no log file %s", path);
	while (fgets(line, sizeof(line), f)) {
		json_error_t je;
		json_t *o = json_loads(line, 0, &je);
		const char *level;

		ck_assert_msg(o != NULL, "log line is not JSON: %s", line);
		level = json_string_value(json_object_get(o, "level"));
		ck_assert_ptr_nonnull(level);
		ck_assert_ptr_nonnull(json_string_value(json_object_get(o, "msg")));
		ck_assert_ptr_nonnull(json_string_value(json_object_get(o, "time")));
		if (strcmp(level, "error") == 0) {
			saw_error = true;
			if (want_msg)
				ck_assert_msg(strstr(json_string_value(json_object_get(o, "msg")), want_msg),
					      "error line: %s", line);
		}
		json_decref(o);
		n++;
	}
	fclose(f);
	ck_assert_int_eq(saw_error, want_error);
}

START_TEST(containerd_shim_sequence)
{
	struct hb b;
	struct hb_result r;
	char log[400], pidfile[400];
	int sp[2];

	hb_new(&b);
	snprintf(log, sizeof(log), "%s/log.json", b.dir);
	snprintf(pidfile, sizeof(pidfile), "%s/init.pid", b.dir);
	/* the workload lists its fds once started */
	hb_set_args(&b, "/probe", "fds", NULL);
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sp), 0); /* stands for the shim's ttrpc socket */
	{
		char *argv[] = {"--log", log,	       "--log-format", "json", "create", "--bundle",
				b.dir,	 "--pid-file", pidfile,	       b.id,   NULL};
		char *args[16];
		int n = 0;

		/* hb_runv puts --root first, as the shim does */
		for (char **a = argv; *a; a++)
			args[n++] = *a;
		args[n] = NULL;
		r = hb_runv(&b, 30, sp[0], args);
	}
	ck_assert_msg(r.status == 0, "create: %s", r.err);
	hb_result_free(&r);
	{
		char *args[] = {"--log", log, "--log-format", "json", "start", b.id, NULL};

		r = hb_runv(&b, 30, sp[0], args);
		ck_assert_msg(r.status == 0, "start: %s", r.err);
		hb_result_free(&r);
	}
	/* the container's stdout was the create call's stdout: read it from the harness' capture file */
	for (int i = 0; i < 100; i++) {
		r = hb_run(&b, 30, "--log", log, "--log-format", "json", "state", b.id, NULL);
		if (strstr(r.out, "\"stopped\"")) {
			hb_result_free(&r);
			break;
		}
		hb_result_free(&r);
		usleep(20000);
	}
	r = hb_run(&b, 30, "--log", log, "--log-format", "json", "kill", b.id, "15", NULL);
	/* kill of a stopped container is an error, which goes to the JSON log */
	ck_assert_int_eq(r.status, 1);
	hb_result_free(&r);
	r = hb_run(&b, 30, "--log", log, "--log-format", "json", "delete", b.id, NULL);
	ck_assert_msg(r.status == 0, "delete: %s", r.err);
	hb_result_free(&r);
	r = hb_run(&b, 30, "--log", log, "--log-format", "json", "delete", "--force", b.id, NULL);
	ck_assert_int_eq(r.status, 0);
	hb_result_free(&r);
	if (hb_is_hardrun())
		assert_json_log(log, true, "is not running");
	close(sp[0]);
	close(sp[1]);
	hb_finish(&b);
}
END_TEST

START_TEST(fd3_does_not_leak)
{
	struct hb b;
	struct hb_result r;
	int sp[2];
	char *args[] = {"run", "--bundle", NULL, NULL, NULL};

	hb_new(&b);
	hb_set_args(&b, "/probe", "fds", NULL);
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sp), 0);
	args[2] = b.dir;
	args[3] = b.id;
	r = hb_runv(&b, 30, sp[0], args);
	ck_assert_msg(r.status == 0, "%s", r.err);
	/* only stdio: fd 0 /dev/null, 1 and 2 the capture files */
	ck_assert_msg(strstr(r.out, "\n3 ") == NULL && strncmp(r.out, "3 ", 2) != 0, "fds: %s", r.out);
	ck_assert_msg(strstr(r.out, "socket:") == NULL, "fds: %s", r.out);
	hb_result_free(&r);
	close(sp[0]);
	close(sp[1]);
	hb_finish(&b);
}
END_TEST

START_TEST(failed_create_logs_json_error)
{
	struct hb b;
	struct hb_result r;
	char log[400];

	hb_new(&b);
	snprintf(log, sizeof(log), "%s/log.json", b.dir);
	json_object_set_new(json_object_get(b.config, "process"), "cwd", json_string("relative"));
	r = hb_run(&b, 30, "--log", log, "--log-format", "json", "create", "--bundle", b.dir, "--pid-file", "x", b.id,
		   NULL);
	ck_assert_int_eq(r.status, 1);
	hb_result_free(&r);
	/* the shim's cleanup after a failed create */
	r = hb_run(&b, 30, "--log", log, "--log-format", "json", "delete", "--force", b.id, NULL);
	ck_assert_int_eq(r.status, 0);
	hb_result_free(&r);
	if (hb_is_hardrun())
		assert_json_log(log, true, "process.cwd: must be an absolute path");
	hb_finish(&b);
}
END_TEST

START_TEST(features_is_json)
{
	struct hb b;
	struct hb_result r;
	json_t *f;

	hb_new(&b);
	r = hb_run(&b, 30, "features", NULL);
	ck_assert_int_eq(r.status, 0);
	f = json_loads(r.out, 0, NULL);
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(json_object_get(json_object_get(f, "linux"), "namespaces"));
	json_decref(f);
	hb_result_free(&r);
	hb_finish(&b);
}
END_TEST

/*
 * Paths on the command line are the caller's, as runc makes them absolute
 * (filepath.Abs) before anything: a relative --root, --pid-file and --bundle
 * from a working directory that is not the bundle.  hardrun moves into the
 * bundle for the spawn (relative mount sources); a `run` then lost its
 * state root and left the created container behind.
 */
START_TEST(relative_paths_are_the_callers)
{
	struct hb b;
	struct hb_result r;
	char pid[64] = "";
	char path[400];
	FILE *f;

	hb_new(&b);
	hb_set_args(&b, "/probe", "fds", NULL);
	/* the caller sits in /tmp: everything relative names a path under the bundle's parent */
	b.cwd = "/tmp";
	{
		const char *rel = b.dir + strlen("/tmp/");
		char root[300], pidf[300];

		snprintf(root, sizeof(root), "%.250s/state", rel);
		snprintf(pidf, sizeof(pidf), "%.250s/run.pid", rel);
		r = hb_run(&b, 30, "--root", root, "create", "--bundle", rel, "--pid-file", pidf, b.id, NULL);
		ck_assert_msg(r.status == 0, "create: %s", r.err);
		hb_result_free(&r);
		snprintf(path, sizeof(path), "%s/run.pid", b.dir);
		f = fopen(path, "re");
		ck_assert_msg(f != NULL, "no pid file at %s: a relative --pid-file is the caller's", path);
		ck_assert_ptr_nonnull(fgets(pid, sizeof(pid), f));
		fclose(f);
		ck_assert_int_gt(atoi(pid), 1);
		unlink(path);
		r = hb_run(&b, 30, "--root", root, "delete", "--force", b.id, NULL);
		ck_assert_msg(r.status == 0, "delete: %s", r.err);
		hb_result_free(&r);
		/* run: create and start in one process, the state root looked up again after the spawn */
		r = hb_run(&b, 30, "--root", root, "run", "--bundle", rel, b.id, NULL);
		ck_assert_msg(r.status == 0, "run: %s", r.err);
		hb_result_free(&r);
	}
	b.cwd = NULL;
	hb_finish(&b);
}
END_TEST

int main(void)
{
	const TTest *const tests[] = {
		containerd_shim_sequence,	fd3_does_not_leak,
		failed_create_logs_json_error,	features_is_json,
		relative_paths_are_the_callers, NULL,
	};

	return hb_main("cli_runc", 120, tests);
}
