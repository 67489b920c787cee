/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The restart cap tells the truth (policy level 2: 5 in 300 s).  Under
 * create -> start -> exit -> delete, as an engine drives it, the exit
 * watcher gives delete the status: clean exits never count, non-zero ones
 * are "failed N times".  Without the watcher (killed here, as on a kernel
 * before 6.15) the status is unknown and the cap counts quick restarts,
 * saying so.  On a kernel without PIDFD_GET_INFO (Debian 12's 6.1) hardrun
 * starts no watcher at all: every test expects the quick-restart count and
 * its "exit status unknown to hardrun" line there, probed, never skipped.
 */
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bundle.h"

static void want_unknown(char *want, size_t n, const char *id)
{
	snprintf(want, n,
		 "hardrun: create `%s`: refused by policy (restart): container `%s` restarted 5 times in the last 300 "
		 "s, each run shorter than 10 s (exit status unknown to hardrun)\n",
		 id, id);
}

/* As a shim does: the test is the subreaper of the inits and reaps them at once. */
static void reap(void)
{
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
}

/* create, (kill the exit watcher), start, wait until stopped, delete; returns create's result */
static struct hb_result cycle(struct hb *b, bool kill_watcher)
{
	struct hb_result r, s;
	char p[600];

	ck_assert_int_eq(prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0), 0);
	r = hb_run(b, 30, "create", "--bundle", b->dir, b->id, NULL);

	if (r.status != 0)
		return r;
	if (kill_watcher) {
		FILE *f;
		char line[256];
		int pid = 0;

		snprintf(p, sizeof(p), "%s/%s/intent", b->state, b->id);
		f = fopen(p, "re");
		ck_assert_ptr_nonnull(f);
		while (fgets(line, sizeof(line), f))
			if (sscanf(line, "watcher %d", &pid) == 1)
				break;
		fclose(f);
		if (hb_kernel_exit_info()) {
			ck_assert_msg(pid > 0, "no exit watcher recorded");
			ck_assert_int_eq(kill(pid, SIGKILL), 0);
			usleep(20000);
		} else {
			/* no status channel: hardrun must not have started a watcher */
			ck_assert_msg(pid == 0, "an exit watcher %d on a kernel without PIDFD_GET_INFO", pid);
		}
	}
	s = hb_run(b, 10, "start", b->id, NULL);
	ck_assert_msg(s.status == 0, "start: %s", s.err);
	hb_result_free(&s);
	for (int i = 0; i < 500; i++) {
		s = hb_run(b, 10, "state", b->id, NULL);
		reap();
		if (strstr(s.out, "\"stopped\"")) {
			hb_result_free(&s);
			break;
		}
		hb_result_free(&s);
		usleep(10000);
	}
	/* the engine calls delete once it has reaped the init */
	reap();
	s = hb_run(b, 10, "delete", b->id, NULL);
	reap();
	ck_assert_msg(s.status == 0, "delete: %s", s.err);
	hb_result_free(&s);
	return r;
}

static void restart_bundle(struct hb *b, const char *code)
{
	hb_new(b);
	hb_set_policy(b, "{\"level\": 2}");
	hb_set_args(b, "/probe", "exit", code, NULL);
}

START_TEST(clean_exits_never_count)
{
	struct hb b;
	char p[600];

	restart_bundle(&b, "0");
	if (!hb_kernel_exit_info()) {
		/* the status is unknown: five quick clean runs count as restarts */
		struct hb_result r;
		char want[400];

		for (int i = 0; i < 5; i++) {
			r = cycle(&b, false);
			ck_assert_msg(r.status == 0, "create %d: %s", i + 1, r.err);
			hb_result_free(&r);
		}
		r = hb_run(&b, 30, "create", "--bundle", b.dir, b.id, NULL);
		want_unknown(want, sizeof(want), b.id);
		ck_assert_int_eq(r.status, 1);
		ck_assert_str_eq(r.err, want);
		hb_result_free(&r);
		hb_finish(&b);
		return;
	}
	for (int i = 0; i < 7; i++) {
		struct hb_result r = cycle(&b, false);

		ck_assert_msg(r.status == 0, "create %d: %s", i + 1, r.err);
		hb_result_free(&r);
	}
	/* nothing recorded: no ledger for the id at all */
	snprintf(p, sizeof(p), "%s/.hardrun-restarts/%s.json", b.state, b.id);
	ck_assert_msg(access(p, F_OK) != 0, "a ledger for clean exits: %s", p);
	hb_finish(&b);
}
END_TEST

START_TEST(failures_known_by_status)
{
	struct hb b;
	struct hb_result r;
	char want[300];

	restart_bundle(&b, "3");
	for (int i = 0; i < 5; i++) {
		r = cycle(&b, false);
		ck_assert_msg(r.status == 0, "create %d: %s", i + 1, r.err);
		hb_result_free(&r);
	}
	r = hb_run(&b, 30, "create", "--bundle", b.dir, b.id, NULL);
	if (hb_kernel_exit_info())
		snprintf(want, sizeof(want),
			 "hardrun: create `%s`: refused by policy (restart): container `%s` failed 5 times in the last "
			 "300 s\n",
			 b.id, b.id);
	else
		want_unknown(want, sizeof(want), b.id);
	ck_assert_int_eq(r.status, 1);
	ck_assert_str_eq(r.err, want);
	hb_result_free(&r);
	hb_finish(&b);
}
END_TEST

START_TEST(unknown_status_counts_restarts)
{
	struct hb b;
	struct hb_result r;
	char want[400];

	restart_bundle(&b, "0");
	for (int i = 0; i < 5; i++) {
		r = cycle(&b, true);
		ck_assert_msg(r.status == 0, "create %d: %s", i + 1, r.err);
		hb_result_free(&r);
	}
	r = hb_run(&b, 30, "create", "--bundle", b.dir, b.id, NULL);
	want_unknown(want, sizeof(want), b.id);
	ck_assert_int_eq(r.status, 1);
	ck_assert_str_eq(r.err, want);
	hb_result_free(&r);
	hb_finish(&b);
}
END_TEST

int main(void)
{
	const TTest *const tests[] = {clean_exits_never_count, failures_known_by_status, unknown_status_counts_restarts,
				      NULL};

	return hb_main("it_restart", 300, tests);
}
