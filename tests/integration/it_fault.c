/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Crash safety, with hardrun-fault (the test build whose named points
 * SIGKILL it, src/runtime/fault.h): a traced create -> start -> exec ->
 * update -> kill -> delete cycle lists every point the commands pass, then
 * each point in turn kills its command there, and `delete --force` must
 * leave no state dir, cgroup, process, mount, id range, temporary or
 * AppArmor profile behind.  A half-made container shows in `list` and
 * plain `delete` says what it is.  Races: two creates of one id, delete
 * against start, kill --all against the exit.  The policy is level 2 (id
 * pool, seccomp, filter cache, restart ledger) unless a test says other.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bundle.h"

#define POLICY_L2 "{\"level\": 2}"

/* Every point the full cycle passes; the trace must show each (a point dropped by a refactor fails here). */
static const char *const expected_points[] = {
	"create.statedir",
	"create.intent",
	"create.idrange",
	"create.policy",
	"create.config",
	"create.fifo",
	"create.cgroup-recorded",
	"create.cgroup",
	"create.filters",
	"create.idmap",
	"create.spawned",
	"create.init-recorded",
	"create.entered",
	"create.go",
	"create.ready",
	"create.resources",
	"create.state",
	"create.pidfile",
	"create.commit",
	"start.loaded",
	"start.written",
	"start.unlinked",
	"exec.loaded",
	"exec.policy",
	"exec.spawned",
	"exec.entered",
	"exec.ready",
	"update.loaded",
	"update.applied",
	"delete.loaded",
	"delete.ledger",
	"delete.killed",
	"delete.cgroup",
	"delete.idrange",
	"delete.poststop",
	"delete.undone",
	"delete.files",
	"write.config",
	"write.decisions",
	"write.idpool",
	"write.state",
	"write.ledger",
	"create.watcher",
	NULL,
};

static void fault_bundle(struct hb *b)
{
	hb_new(b);
	hb_set_policy(b, POLICY_L2);
	hb_set_args(b, "/probe", "sleep", "60", NULL);
}

/*
 * The cycle, stopping after the first command that was killed (status
 * 137).  Returns the index of that command, or -1 when none was.
 */
static int cycle(struct hb *b)
{
	char pidfile[320];
	struct hb_result r;
	int step = 0;

	snprintf(pidfile, sizeof(pidfile), "%s/init.pid", b->dir);
#define STEP(...)                                                                                                      \
	do {                                                                                                           \
		r = hb_run(b, 30, __VA_ARGS__, NULL);                                                                  \
		if (r.status == 137) {                                                                                 \
			hb_result_free(&r);                                                                            \
			return step;                                                                                   \
		}                                                                                                      \
		ck_assert_msg(r.status == 0, "step %d: status %d: %s", step, r.status, r.err);                         \
		hb_result_free(&r);                                                                                    \
		step++;                                                                                                \
	} while (0)
	STEP("create", "--bundle", b->dir, "--pid-file", pidfile, b->id);
	STEP("start", b->id);
	STEP("exec", b->id, "/probe", "exit", "0");
	STEP("update", "--pids-limit", "90", b->id);
	STEP("kill", b->id, "KILL");
	for (int i = 0; i < 500; i++) {
		r = hb_run(b, 10, "state", b->id, NULL);
		if (r.status != 0 || strstr(r.out, "\"stopped\"")) {
			hb_result_free(&r);
			break;
		}
		hb_result_free(&r);
		usleep(10000);
	}
	STEP("delete", b->id);
#undef STEP
	return -1;
}

static char **read_trace(const char *path, size_t *n)
{
	FILE *f = fopen(path, "re");
	char line[256];
	char **v = NULL;

	*n = 0;
	ck_assert_msg(f != NULL, "no trace %s", path);
	while (fgets(line, sizeof(line), f)) {
		bool seen = false;

		line[strcspn(line, "\n")] = '\0';
		for (size_t i = 0; i < *n && !seen; i++)
			seen = strcmp(v[i], line) == 0;
		if (seen)
			continue;
		v = realloc(v, (*n + 1) * sizeof(*v));
		v[(*n)++] = strdup(line);
	}
	fclose(f);
	return v;
}

START_TEST(every_point)
{
	struct hb b;
	char trace[320];
	char **points;
	size_t n;

	fault_bundle(&b);
	snprintf(trace, sizeof(trace), "%s/.trace", b.dir);
	setenv("HARDRUN_FAULT_TRACE", trace, 1);
	ck_assert_int_eq(cycle(&b), -1);
	unsetenv("HARDRUN_FAULT_TRACE");
	hb_assert_no_leak(&b);
	points = read_trace(trace, &n);
	hb_finish(&b);
	for (const char *const *e = expected_points; *e; e++) {
		bool found = false;

		/* no PIDFD_GET_INFO (Linux < 6.15): hardrun starts no exit watcher, so never passes its point */
		if (strcmp(*e, "create.watcher") == 0 && !hb_kernel_exit_info()) {
			for (size_t i = 0; i < n; i++)
				ck_assert_msg(strcmp(points[i], *e) != 0,
					      "fault point `%s` passed without PIDFD_GET_INFO", *e);
			continue;
		}

		for (size_t i = 0; i < n && !found; i++)
			found = strcmp(points[i], *e) == 0;
		ck_assert_msg(found, "fault point `%s` was not passed", *e);
	}
	for (size_t i = 0; i < n; i++) {
		struct hb_result r;
		int killed;

		fault_bundle(&b);
		setenv("HARDRUN_FAULT", points[i], 1);
		killed = cycle(&b);
		unsetenv("HARDRUN_FAULT");
		ck_assert_msg(killed >= 0, "fault point `%s`: no command was killed", points[i]);
		r = hb_run(&b, 30, "delete", "--force", b.id, NULL);
		ck_assert_msg(r.status == 0, "fault point `%s`: delete --force: %d %s", points[i], r.status, r.err);
		hb_result_free(&r);
		r = hb_run(&b, 10, "list", "-q", NULL);
		ck_assert_msg(r.status == 0 && strstr(r.out, b.id) == NULL, "fault point `%s`: list: %s", points[i],
			      r.out);
		hb_result_free(&r);
		hb_assert_no_leak(&b);
		fprintf(stderr, "it_fault: %-24s killed step %d, nothing left\n", points[i], killed);
		hb_finish(&b);
		free(points[i]);
	}
	free(points);
}
END_TEST

/* A create killed after its cgroup: list shows it stopped, delete names it, delete --force removes it. */
START_TEST(half_made_container)
{
	struct hb b;
	struct hb_result r;
	char p[512];

	fault_bundle(&b);
	setenv("HARDRUN_FAULT", "create.cgroup", 1);
	r = hb_run(&b, 30, "create", "--bundle", b.dir, b.id, NULL);
	unsetenv("HARDRUN_FAULT");
	ck_assert_int_eq(r.status, 137);
	hb_result_free(&r);
	{
		char rel[300];

		snprintf(rel, sizeof(rel), "/%s", b.id);
		hb_pids_cgroup(p, sizeof(p), rel);
	}
	ck_assert_msg(access(p, F_OK) == 0, "the killed create made no cgroup %s", p);
	r = hb_run(&b, 10, "list", NULL);
	ck_assert_int_eq(r.status, 0);
	ck_assert_msg(strstr(r.out, b.id) && strstr(r.out, "stopped"), "list: %s", r.out);
	hb_result_free(&r);
	r = hb_run(&b, 10, "delete", b.id, NULL);
	ck_assert_int_eq(r.status, 1);
	ck_assert_int_eq(hb_lines(r.err), 1);
	ck_assert_msg(strstr(r.err, "was killed before it finished") && strstr(r.err, "delete --force"), "%s", r.err);
	hb_result_free(&r);
	/* nothing was removed by the refusal */
	ck_assert_msg(access(p, F_OK) == 0, "plain delete removed %s", p);
	r = hb_run(&b, 10, "state", b.id, NULL);
	ck_assert_int_eq(r.status, 1);
	ck_assert_msg(strstr(r.err, "was killed"), "%s", r.err);
	hb_result_free(&r);
	/* the id cannot be taken again until it is removed */
	r = hb_run(&b, 30, "create", "--bundle", b.dir, b.id, NULL);
	ck_assert_int_eq(r.status, 1);
	ck_assert_msg(strstr(r.err, "already exists"), "%s", r.err);
	hb_result_free(&r);
	hb_finish(&b);
}
END_TEST

/* A create blocked in a prestart hook is listed as creating; its parent's kill leaves it to delete --force. */
START_TEST(list_creating)
{
	struct hb b;
	struct hb_result r;
	char gate[320], cmd[700];
	pid_t pid;
	int ws;

	hb_new(&b);
	hb_set_args(&b, "/probe", "sleep", "60", NULL);
	snprintf(gate, sizeof(gate), "%s/gate", b.dir);
	snprintf(cmd, sizeof(cmd), "#!/bin/sh\nwhile [ ! -e %s ]; do sleep 0.05; done\n", gate);
	hb_write_file(&b, "hook.sh", cmd, 0755);
	snprintf(cmd, sizeof(cmd), "%s/hook.sh", b.dir);
	json_object_set_new(b.config, "hooks", json_pack("{s:[{s:s}]}", "createRuntime", "path", cmd));
	hb_write(&b);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		r = hb_run(&b, 30, "create", "--bundle", b.dir, b.id, NULL);
		_exit(r.status == 0 ? 0 : 1);
	}
	for (int i = 0; i < 500; i++) {
		r = hb_run(&b, 10, "list", NULL);
		if (strstr(r.out, "creating"))
			break;
		hb_result_free(&r);
		usleep(20000);
	}
	ck_assert_msg(r.out && strstr(r.out, b.id) && strstr(r.out, "creating"), "list: %s", r.out);
	hb_result_free(&r);
	{
		FILE *f = fopen(gate, "we");

		ck_assert_ptr_nonnull(f);
		fclose(f);
	}
	ck_assert_int_eq(waitpid(pid, &ws, 0), pid);
	ck_assert_int_eq(WEXITSTATUS(ws), 0);
	r = hb_run(&b, 10, "list", NULL);
	ck_assert_msg(strstr(r.out, "created"), "list: %s", r.out);
	hb_result_free(&r);
	hb_finish(&b);
}
END_TEST

/* A runtime command in the background: its pid; stdout and stderr go to files under the bundle. */
static pid_t spawn_rt(struct hb *b, const char *tag, char *const *args)
{
	char *argv[32];
	int n = 0;
	pid_t pid;

	argv[n++] = (char *)hb_runtime();
	argv[n++] = "--policy";
	argv[n++] = b->policy;
	argv[n++] = "--root";
	argv[n++] = b->state;
	for (; *args && n < 30; args++)
		argv[n++] = *args;
	argv[n] = NULL;
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		char path[400];
		int nul = open("/dev/null", O_RDWR), fd;

		snprintf(path, sizeof(path), "%s/.%s.err", b->dir, tag);
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		dup2(nul, 0);
		dup2(nul, 1);
		dup2(fd, 2);
		if (chdir(b->dir) < 0)
			_exit(126);
		execv(argv[0], argv);
		_exit(127);
	}
	return pid;
}

static int wait_rt(pid_t pid)
{
	int ws;

	ck_assert_int_eq(waitpid(pid, &ws, 0), pid);
	return WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
}

static char *err_of(struct hb *b, const char *tag)
{
	char path[400], *buf = calloc(1, 4096);
	FILE *f;

	snprintf(path, sizeof(path), "%s/.%s.err", b->dir, tag);
	f = fopen(path, "re");
	if (f) {
		size_t n = fread(buf, 1, 4095, f);

		buf[n] = '\0';
		fclose(f);
	}
	return buf;
}

/* Two creates of one id at once: one wins, the other says so in one line and touches nothing of the winner. */
START_TEST(same_id_twice)
{
	for (int round = 0; round < 8; round++) {
		struct hb b;
		struct hb_result r;
		char *args[] = {"create", "--bundle", NULL, NULL, NULL};
		int s1, s2;
		char *e1, *e2, *loser;
		pid_t p1, p2;

		fault_bundle(&b);
		hb_write(&b);
		args[2] = b.dir;
		args[3] = b.id;
		p1 = spawn_rt(&b, "a", args);
		p2 = spawn_rt(&b, "b", args);
		s1 = wait_rt(p1);
		s2 = wait_rt(p2);
		e1 = err_of(&b, "a");
		e2 = err_of(&b, "b");
		ck_assert_msg((s1 == 0) != (s2 == 0), "round %d: statuses %d and %d: %s / %s", round, s1, s2, e1, e2);
		loser = s1 == 0 ? e2 : e1;
		ck_assert_int_eq(s1 == 0 ? s2 : s1, 1);
		ck_assert_int_eq(hb_lines(loser), 1);
		ck_assert_msg(strstr(loser, "already exists"), "round %d: %s", round, loser);
		free(e1);
		free(e2);
		/* the winner is whole: created, and it starts */
		r = hb_run(&b, 10, "state", b.id, NULL);
		ck_assert_msg(r.status == 0 && strstr(r.out, "\"created\""), "round %d: %s%s", round, r.out, r.err);
		hb_result_free(&r);
		r = hb_run(&b, 10, "start", b.id, NULL);
		ck_assert_msg(r.status == 0, "round %d: start: %s", round, r.err);
		hb_result_free(&r);
		hb_finish(&b);
	}
}
END_TEST

/* delete --force racing start: both end cleanly, nothing is left. */
START_TEST(delete_races_start)
{
	for (int round = 0; round < 8; round++) {
		struct hb b;
		struct hb_result r;
		char *start[] = {"start", NULL, NULL};
		char *del[] = {"delete", "--force", NULL, NULL};
		int s1, s2;
		pid_t p1, p2;

		fault_bundle(&b);
		r = hb_run(&b, 30, "create", "--bundle", b.dir, b.id, NULL);
		ck_assert_msg(r.status == 0, "%s", r.err);
		hb_result_free(&r);
		start[1] = del[2] = b.id;
		if (round % 2) {
			p1 = spawn_rt(&b, "start", start);
			p2 = spawn_rt(&b, "del", del);
		} else {
			p2 = spawn_rt(&b, "del", del);
			p1 = spawn_rt(&b, "start", start);
		}
		s1 = wait_rt(p1);
		s2 = wait_rt(p2);
		ck_assert_msg(s2 == 0, "round %d: delete --force: %d", round, s2);
		if (s1 != 0) {
			char *e = err_of(&b, "start");

			ck_assert_int_eq(s1, 1);
			ck_assert_msg(hb_lines(e) == 1, "round %d: start: %s", round, e);
			free(e);
		}
		hb_assert_no_leak(&b);
		hb_finish(&b);
	}
}
END_TEST

/* kill --all racing the container's own exit: a clear answer, and delete leaves nothing. */
START_TEST(kill_all_races_exit)
{
	for (int round = 0; round < 8; round++) {
		struct hb b;
		struct hb_result r;

		fault_bundle(&b);
		hb_set_args(&b, "/probe", "exit", "0", NULL);
		r = hb_run(&b, 30, "create", "--bundle", b.dir, b.id, NULL);
		ck_assert_msg(r.status == 0, "%s", r.err);
		hb_result_free(&r);
		r = hb_run(&b, 10, "start", b.id, NULL);
		ck_assert_int_eq(r.status, 0);
		hb_result_free(&r);
		r = hb_run(&b, 10, "kill", "--all", b.id, "KILL", NULL);
		ck_assert_msg(r.status == 0 || (r.status == 1 && hb_lines(r.err) == 1), "round %d: kill --all: %d %s",
			      round, r.status, r.err);
		hb_result_free(&r);
		for (int i = 0; i < 500; i++) {
			r = hb_run(&b, 10, "state", b.id, NULL);
			if (strstr(r.out, "\"stopped\"")) {
				hb_result_free(&r);
				break;
			}
			hb_result_free(&r);
			usleep(10000);
		}
		r = hb_run(&b, 10, "delete", b.id, NULL);
		ck_assert_msg(r.status == 0, "round %d: delete: %s", round, r.err);
		hb_result_free(&r);
		hb_assert_no_leak(&b);
		hb_finish(&b);
	}
}
END_TEST

/* A create killed inside a nested cgroupsPath: the parents it made go too, a parent that was there stays. */
START_TEST(nested_cgroup_parents)
{
	struct hb b;
	struct hb_result r;
	char cg[400], parent[600], keep[300];

	fault_bundle(&b);
	snprintf(cg, sizeof(cg), "/%s-keep", b.id);
	hb_pids_cgroup(keep, sizeof(keep), cg);
	ck_assert_int_eq(mkdir(keep, 0755), 0);
	snprintf(cg, sizeof(cg), "/%s-keep/%s-par/%s", b.id, b.id, b.id);
	json_object_set_new(json_object_get(b.config, "linux"), "cgroupsPath", json_string(cg));
	setenv("HARDRUN_FAULT", "create.entered", 1);
	r = hb_run(&b, 30, "create", "--bundle", b.dir, b.id, NULL);
	unsetenv("HARDRUN_FAULT");
	ck_assert_int_eq(r.status, 137);
	hb_result_free(&r);
	snprintf(parent, sizeof(parent), "%s/%s-par", keep, b.id);
	ck_assert_msg(access(parent, F_OK) == 0, "no parent %s", parent);
	r = hb_run(&b, 30, "delete", "--force", b.id, NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	hb_result_free(&r);
	ck_assert_msg(access(parent, F_OK) != 0, "parent made by the create left: %s", parent);
	ck_assert_msg(access(keep, F_OK) == 0, "a parent that was there was removed: %s", keep);
	ck_assert_int_eq(rmdir(keep), 0);
	hb_assert_no_leak(&b);
	hb_finish(&b);
}
END_TEST

/* A state dir hardrun did not make (no state.json, no intent record, other files) is left alone. */
START_TEST(foreign_dir_left_alone)
{
	struct hb b;
	struct hb_result r;
	char p[600];

	hb_new(&b);
	snprintf(p, sizeof(p), "%s/%s", b.state, b.id);
	ck_assert_int_eq(mkdir(p, 0700), 0);
	snprintf(p, sizeof(p), "%s/%s/theirs", b.state, b.id);
	hb_write_file(&b, ".x", "", 0600);
	{
		FILE *f = fopen(p, "we");

		ck_assert_ptr_nonnull(f);
		fclose(f);
	}
	r = hb_run(&b, 10, "delete", "--force", b.id, NULL);
	ck_assert_int_eq(r.status, 1);
	ck_assert_int_eq(hb_lines(r.err), 1);
	ck_assert_msg(strstr(r.err, "not hardrun's"), "%s", r.err);
	hb_result_free(&r);
	ck_assert_int_eq(access(p, F_OK), 0);
	unlink(p);
	snprintf(p, sizeof(p), "%s/%s", b.state, b.id);
	ck_assert_int_eq(rmdir(p), 0);
	hb_finish(&b);
}
END_TEST

/* `run` and the launcher killed at their points: delete --force (run), stop then delete (launcher) clean up. */
START_TEST(run_and_launcher_points)
{
	static const char *const points[] = {"run.created",    "run.started",	"run.waited", "launch.created",
					     "launch.started", "launch.waited", NULL};

	for (const char *const *p = points; *p; p++) {
		bool launcher = strncmp(*p, "launch.", 7) == 0;
		struct hb b;
		struct hb_result r;

		fault_bundle(&b);
		if (strstr(*p, "waited"))
			hb_set_args(&b, "/probe", "exit", "0", NULL);
		setenv("HARDRUN_FAULT", *p, 1);
		if (launcher)
			r = hb_run(&b, 30, "run", "--restart", "on-failure:1", "--bundle", b.dir, b.id, NULL);
		else
			r = hb_run(&b, 30, "run", "--bundle", b.dir, b.id, NULL);
		unsetenv("HARDRUN_FAULT");
		ck_assert_msg(r.status == 137, "%s: status %d: %s", *p, r.status, r.err);
		hb_result_free(&r);
		if (launcher) {
			/* the service outlives its supervisor; stop finds no supervisor and removes it */
			r = hb_run(&b, 30, "stop", b.id, NULL);
			ck_assert_msg(r.status == 0 || (r.status == 1 && strstr(r.err, "no supervisor")),
				      "%s: stop: %s", *p, r.err);
			hb_result_free(&r);
		}
		r = hb_run(&b, 30, "delete", "--force", b.id, NULL);
		ck_assert_msg(r.status == 0, "%s: delete --force: %s", *p, r.err);
		hb_result_free(&r);
		hb_assert_no_leak(&b);
		fprintf(stderr, "it_fault: %-24s nothing left\n", *p);
		hb_finish(&b);
	}
}
END_TEST

int main(void)
{
	const TTest *const tests[] = {every_point,
				      half_made_container,
				      list_creating,
				      same_id_twice,
				      delete_races_start,
				      kill_all_races_exit,
				      nested_cgroup_parents,
				      foreign_dir_left_alone,
				      run_and_launcher_points,
				      NULL};
	const char *rt = getenv("HR_TEST_HARDRUN");

	if (!rt || !strstr(rt, "hardrun-fault")) {
		fprintf(stderr, "it_fault: needs HR_TEST_HARDRUN=.../hardrun-fault (cmake -DHR_FAULT=ON)\n");
		return getenv("HR_TEST_MUST_RUN") ? 1 : 77;
	}
	return hb_main("it_fault", 600, tests);
}
