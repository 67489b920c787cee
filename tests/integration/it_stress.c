/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Load with crashes: HR_STRESS_WORKERS workers (default 4) each run
 * HR_STRESS_CYCLES cycles (default 12) of create -> start -> exec -> kill
 * -> delete on one shared --root at policy level 2 (id pool, restart
 * ledger, filter cache), and in every third cycle one of create, start,
 * exec or delete is SIGKILLed after a delay spread over 0-45 ms, followed by
 * `delete --force`.  At the end the exact count of what is left (state
 * dirs, id ranges, cgroup dirs, live processes, temporaries) must be 0.
 * Prints cycles/s.  Label `stress`; CI runs it at the default size.
 */
#include <check.h>
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bundle.h"

static int env_int(const char *name, int def)
{
	const char *v = getenv(name);
	char *end;
	long n;

	if (!v || !*v)
		return def;
	n = strtol(v, &end, 10);
	return *end || n <= 0 || n > 1000 ? def : (int)n;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * Run the runtime with args; kill_ms >= 0 SIGKILLs it that many ms after
 * it starts.  Returns its exit status (128+N when killed), -1 after 30 s.
 */
static int rt(const struct hb *b, int kill_ms, char *const *args)
{
	char *argv[32], errf[400];
	int n = 0, ws;
	pid_t pid;

	argv[n++] = (char *)hb_runtime();
	argv[n++] = "--policy";
	argv[n++] = (char *)b->policy;
	argv[n++] = "--root";
	argv[n++] = (char *)b->state;
	for (; *args && n < 30; args++)
		argv[n++] = *args;
	argv[n] = NULL;
	snprintf(errf, sizeof(errf), "%s/.err-%d", b->dir, (int)getpid());
	pid = fork();
	if (pid == 0) {
		int nul = open("/dev/null", O_RDWR);
		int ef = open(errf, O_WRONLY | O_CREAT | O_TRUNC, 0600);

		dup2(nul, 0);
		dup2(nul, 1);
		dup2(ef, 2);
		if (chdir(b->dir) < 0)
			_exit(126);
		execv(argv[0], argv);
		_exit(127);
	}
	if (pid < 0)
		return -1;
	for (int i = 0; i < 30000; i++) {
		struct timespec ts = {0, 1000000};
		pid_t r = waitpid(pid, &ws, WNOHANG);

		if (r == pid) {
			int st = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);

			/* what went wrong, for the log (a refused delete of a running container is expected) */
			if (st != 0 && st != 137 && getenv("HR_STRESS_VERBOSE")) {
				char line[512] = "";
				FILE *f = fopen(errf, "re");

				if (f && fgets(line, sizeof(line), f))
					fprintf(stderr, "it_stress: %s %s: %d: %s", args[0], args[1], st, line);
				if (f)
					fclose(f);
			}
			return st;
		}
		if (i == kill_ms)
			kill(pid, SIGKILL);
		nanosleep(&ts, NULL);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &ws, 0);
	return -1;
}

#define RT(kill_ms, ...) rt(b, kill_ms, (char *const[]){__VA_ARGS__, NULL})

/* One worker: its cycles; returns the number of failures (a command that neither succeeded nor was killed). */
static int worker(const struct hb *b, int w, int cycles)
{
	int bad = 0;

	for (int c = 0; c < cycles; c++) {
		char id[96];
		/* every third cycle kills one command: create, start, exec, delete in turn, at spread-out moments */
		int victim = (c % 3 == 2) ? ((w + c / 3) % 4) : -1;
		int delay = (w * 31 + c * 17) % 46;
		int s;

		snprintf(id, sizeof(id), "%s-w%d-c%d", b->id, w, c);
		s = RT(victim == 0 ? delay : -1, "create", "--bundle", (char *)b->dir, id);
		if (victim == 0 || s != 0)
			goto force;
		s = RT(victim == 1 ? delay : -1, "start", id);
		if (victim == 1 || s != 0)
			goto force;
		s = RT(victim == 2 ? delay : -1, "exec", id, "/probe", "exit", "0");
		if (victim == 2 || s != 0)
			goto force;
		if (RT(-1, "kill", id, "KILL") != 0)
			bad++;
		if (victim == 3) {
			/* killed in the middle of the delete of a container that may still be dying */
			s = RT(delay, "delete", "--force", id);
			goto force;
		}
		for (int i = 0; i < 200; i++) {
			/* delete refuses a running container: wait until the kill has landed */
			s = RT(-1, "delete", id);
			if (s != 1)
				break;
			usleep(5000);
		}
		if (s != 0)
			goto force;
		continue;
	force:
		if (s != 0 && s != 137)
			bad++;
		if (RT(-1, "delete", "--force", id) != 0)
			bad++;
	}
	return bad;
}

static int count_dir(const char *path, const char *prefix, int depth)
{
	DIR *d = opendir(path);
	struct dirent *e;
	int n = 0;

	while (d && (e = readdir(d)) != NULL) {
		char p[1024];

		if (e->d_name[0] == '.' || e->d_type != DT_DIR)
			continue;
		snprintf(p, sizeof(p), "%s/%s", path, e->d_name);
		if (strncmp(e->d_name, prefix, strlen(prefix)) == 0)
			n++;
		else if (depth > 1)
			n += count_dir(p, prefix, depth - 1);
	}
	if (d)
		closedir(d);
	return n;
}

START_TEST(workers_with_kills)
{
	int workers = env_int("HR_STRESS_WORKERS", 4), cycles = env_int("HR_STRESS_CYCLES", 12);
	struct hb b;
	pid_t pids[1000];
	int bad = 0, states, cgroups, ranges = 0;
	double t0, dt;
	char p[600], line[8192];
	FILE *f;

	hb_new(&b);
	hb_set_policy(&b, "{\"level\": 2}");
	hb_set_args(&b, "/probe", "sleep", "30", NULL);
	/* each container its own cgroup, /<id> */
	json_object_del(json_object_get(b.config, "linux"), "cgroupsPath");
	hb_write(&b);
	t0 = now_s();
	for (int w = 0; w < workers; w++) {
		pids[w] = fork();
		ck_assert_int_ge(pids[w], 0);
		if (pids[w] == 0) {
			int n = worker(&b, w, cycles);

			_exit(n > 100 ? 100 : n);
		}
	}
	for (int w = 0; w < workers; w++) {
		int ws;

		ck_assert_int_eq(waitpid(pids[w], &ws, 0), pids[w]);
		bad += WIFEXITED(ws) ? WEXITSTATUS(ws) : 1;
	}
	dt = now_s() - t0;
	fprintf(stderr, "it_stress: %d workers x %d cycles (a third with a kill -9) in %.2f s: %.1f cycles/s\n",
		workers, cycles, dt, workers * cycles / dt);
	/* the exact leftover count */
	states = count_dir(b.state, b.id, 1);
	cgroups = count_dir("/sys/fs/cgroup", b.id, 4);
	snprintf(p, sizeof(p), "%s/.hardrun-idpool.json", b.state);
	f = fopen(p, "re");
	while (f && fgets(line, sizeof(line), f))
		for (char *s = line; (s = strstr(s, "\"base\"")); s++)
			ranges++;
	if (f)
		fclose(f);
	fprintf(stderr, "it_stress: left: %d state dirs, %d id ranges, %d cgroup dirs\n", states, ranges, cgroups);
	ck_assert_int_eq(bad, 0);
	ck_assert_int_eq(states, 0);
	ck_assert_int_eq(ranges, 0);
	ck_assert_int_eq(cgroups, 0);
	/* processes, mounts, temporaries, profiles: the suites' checker (the ids all contain b.id) */
	hb_assert_no_leak(&b);
	hb_finish(&b);
}
END_TEST

int main(void)
{
	const TTest *const tests[] = {workers_with_kills, NULL};

	return hb_main("it_stress", 900, tests);
}
