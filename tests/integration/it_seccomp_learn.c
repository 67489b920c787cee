/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Seccomp learn mode seen from real containers: a busybox workload learned
 * with `run --seccomp-learn` then enforced with `--seccomp-profile` runs
 * the same, while a call it never made (ionice's ioprio_set) is refused
 * with EPERM; threads and forked children are recorded; a container that
 * learns through the annotation and the policy's learn dir, with an exec,
 * is killed and still leaves a valid profile, its recorder gone with it;
 * the same profile enforced by annotation makes audit's 3.4 pass, and an
 * exec'd call outside it gets EPERM.
 */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bundle.h"

#define RUN(b, ...) hb_run(b, 60, __VA_ARGS__, NULL)

/* The learned profile at path: checked for the learned shape; returns its names array (borrowed from *doc). */
static json_t *load_profile(const char *path, json_t **doc)
{
	json_error_t je;
	json_t *rules, *names, *archs;
	size_t i;
	json_t *n;

	*doc = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
	ck_assert_msg(*doc != NULL, "%s: %s", path, je.text);
	ck_assert_str_eq(json_string_value(json_object_get(*doc, "defaultAction")), "SCMP_ACT_ERRNO");
	archs = json_object_get(*doc, "architectures");
	ck_assert(json_is_array(archs));
	ck_assert_str_eq(json_string_value(json_array_get(archs, 0)), "SCMP_ARCH_X86_64");
	rules = json_object_get(*doc, "syscalls");
	ck_assert_int_eq(json_array_size(rules), 1);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(rules, 0), "action")), "SCMP_ACT_ALLOW");
	names = json_object_get(json_array_get(rules, 0), "names");
	ck_assert(json_array_size(names) > 0);
	json_array_foreach(names, i, n)
	{
		if (i > 0)
			ck_assert_msg(strcmp(json_string_value(json_array_get(names, i - 1)), json_string_value(n)) < 0,
				      "names not sorted at %zu", i);
	}
	return names;
}

static bool has_name(json_t *names, const char *name)
{
	size_t i;
	json_t *n;

	json_array_foreach(names, i, n)
	{
		if (strcmp(json_string_value(n), name) == 0)
			return true;
	}
	return false;
}

/* Syscall names in Docker's default profile (profiles/seccomp/docker.json): what a learned one is compared with. */
static size_t docker_names(void)
{
	const char *src = getenv("HR_SOURCE_DIR");
	char path[512];
	json_t *doc, *r;
	size_t i, n = 0;

	snprintf(path, sizeof(path), "%s/profiles/seccomp/docker.json", src ? src : "..");
	doc = json_load_file(path, 0, NULL);
	ck_assert_msg(doc != NULL, "cannot read %s", path);
	json_array_foreach(json_object_get(doc, "syscalls"), i, r)
	{
		if (strcmp(json_string_value(json_object_get(r, "action")), "SCMP_ACT_ALLOW") == 0)
			n += json_array_size(json_object_get(r, "names"));
	}
	json_decref(doc);
	return n;
}

static void expect_run(struct hb *b, const char *flag, const char *file, int status, const char *out, const char *err)
{
	struct hb_result r = RUN(b, "run", flag, file, "--bundle", b->dir, b->id);

	ck_assert_msg(r.status == status, "run %s: status %d (want %d): %s%s", flag, r.status, status, r.out, r.err);
	ck_assert_str_eq(r.out, out);
	if (err)
		ck_assert_str_eq(r.err, err);
	hb_result_free(&r);
}

/* No recorder process is left (it ends with the container's last task); waits up to 5 s. */
static void assert_no_recorder(void)
{
	for (int tries = 0; tries < 50; tries++) {
		DIR *d = opendir("/proc");
		struct dirent *e;
		bool found = false;

		ck_assert_ptr_nonnull(d);
		while ((e = readdir(d))) {
			char p[300], comm[64] = "";
			FILE *f;

			snprintf(p, sizeof(p), "/proc/%s/comm", e->d_name);
			f = fopen(p, "re");
			if (!f)
				continue;
			if (fgets(comm, sizeof(comm), f) && strcmp(comm, "hardrun-learn\n") == 0) {
				/* a zombie waiting for init to reap it is gone already */
				char st[300], line[256];
				FILE *s;

				snprintf(st, sizeof(st), "/proc/%s/stat", e->d_name);
				s = fopen(st, "re");
				if (s && fgets(line, sizeof(line), s) && !strstr(line, ") Z "))
					found = true;
				if (s)
					fclose(s);
			}
			fclose(f);
		}
		closedir(d);
		if (!found)
			return;
		usleep(100000);
	}
	ck_abort_msg("a hardrun-learn recorder is still running after the container ended");
}

/* busybox learned with --seccomp-learn, then enforced: the same run, ioprio_set refused, far fewer calls than Docker's.
 */
START_TEST(learn_then_enforce_busybox)
{
	struct hb b;
	char path[400];
	json_t *doc, *names;
	size_t n, docker;

	hb_new(&b);
	snprintf(path, sizeof(path), "%s/busybox.json", b.dir);
	hb_set_args(&b, "/bin/sh", "-c", "echo hi; ls / >/dev/null; cat /etc/passwd >/dev/null", NULL);
	expect_run(&b, "--seccomp-learn", path, 0, "hi\n", NULL);
	assert_no_recorder();
	names = load_profile(path, &doc);
	/* hardrun's own calls after the filter and the workload's */
	ck_assert(has_name(names, "sendmsg"));
	ck_assert(has_name(names, "close_range"));
	ck_assert(has_name(names, "execve"));
	ck_assert(has_name(names, "exit_group"));
	ck_assert(!has_name(names, "ioprio_set"));
	n = json_array_size(names);
	docker = docker_names();
	fprintf(stderr, "learn_then_enforce_busybox: %zu calls learned, Docker's default allows %zu\n", n, docker);
	ck_assert_msg(n * 4 < docker, "%zu learned calls is not far fewer than Docker's %zu", n, docker);
	json_decref(doc);
	expect_run(&b, "--seccomp-profile", path, 0, "hi\n", "");
	/* a call the workload never made */
	hb_set_args(&b, "/bin/busybox", "ionice", "-c", "3", "true", NULL);
	expect_run(&b, "--seccomp-profile", path, 1, "", "ionice: ioprio_set: Operation not permitted\n");
	hb_finish(&b);
}
END_TEST

/* Calls made only by threads and by a forked child are learned; enforced, the workload answers the same. */
START_TEST(threads_and_forks)
{
	struct hb b;
	char path[400];
	json_t *doc, *names;
	const char *script = "/probe thread-sys 4 getpriority; (/probe sys personality 0xffffffff)";
	const char *out = "ok\nok\nok\nok\nok 0\n";

	hb_new(&b);
	snprintf(path, sizeof(path), "%s/probe.json", b.dir);
	hb_set_args(&b, "/bin/sh", "-c", script, NULL);
	/*
	 * Docker's profile answers clone3 with ENOSYS so glibc falls back to
	 * clone: enforced, the learned profile (which never saw clone3) must
	 * not turn that into its EPERM, or no thread starts.
	 */
	json_object_set_new(json_object_get(b.config, "linux"), "seccomp",
			    json_pack("{s:s, s:[{s:[s], s:s, s:i}]}", "defaultAction", "SCMP_ACT_ALLOW", "syscalls",
				      "names", "clone3", "action", "SCMP_ACT_ERRNO", "errnoRet", 38));
	expect_run(&b, "--seccomp-learn", path, 0, out, NULL);
	names = load_profile(path, &doc);
	ck_assert(has_name(names, "getpriority"));
	ck_assert(has_name(names, "personality"));
	ck_assert(has_name(names, "clone"));
	ck_assert(!has_name(names, "clone3"));
	ck_assert(has_name(names, "seccomp"));
	json_decref(doc);
	expect_run(&b, "--seccomp-profile", path, 0, out, "");
	hb_finish(&b);
}
END_TEST

static void wait_for_name(const char *path, const char *a, const char *b)
{
	for (int tries = 0; tries < 100; tries++) {
		json_t *doc = json_load_file(path, 0, NULL);
		json_t *names = json_object_get(json_array_get(json_object_get(doc, "syscalls"), 0), "names");
		bool ok = names && (has_name(names, a) || has_name(names, b));

		json_decref(doc);
		if (ok)
			return;
		usleep(100000);
	}
	ck_abort_msg("%s never listed %s", path, a);
}

static const char *row_status(struct hb *b, const char *control, char *evidence, size_t len)
{
	static char status[16];
	struct hb_result r = RUN(b, "audit", "--level", "3", "--format", "json", b->id);
	json_t *doc = json_loads(r.out, 0, NULL), *c;
	size_t i;

	ck_assert_msg(doc != NULL, "audit: %s%s", r.out, r.err);
	status[0] = '\0';
	json_array_foreach(json_object_get(doc, "controls"), i, c)
	{
		if (strcmp(json_string_value(json_object_get(c, "control")), control) == 0) {
			snprintf(status, sizeof(status), "%s", json_string_value(json_object_get(c, "status")));
			snprintf(evidence, len, "%s", json_string_value(json_object_get(c, "evidence")));
		}
	}
	json_decref(doc);
	hb_result_free(&r);
	return status;
}

/*
 * Runtime mode: the annotation and the policy's learn dir; no_new_privs off,
 * so the filters load before the capabilities drop and hardrun's own calls
 * from there on wait for the recorder.  An exec learns into the same
 * profile; SIGKILL while learning still leaves it valid.  Then the profile,
 * put in the policy's container_dir, enforced by annotation.
 */
START_TEST(runtime_annotation_exec_kill)
{
	struct hb b;
	char pol[1200], learned[400], prof[400], ev[2048];
	json_t *doc, *names, *ann;
	struct hb_result r;
	char cmd[1000];

	hb_new(&b);
	snprintf(learned, sizeof(learned), "%s/learned", b.dir);
	snprintf(prof, sizeof(prof), "%s/profiles", b.dir);
	ck_assert_int_eq(mkdir(learned, 0700), 0);
	ck_assert_int_eq(mkdir(prof, 0700), 0);
	snprintf(pol, sizeof(pol),
		 "{\"level\": 0, \"seccomp\": {\"container_dir\": \"%s\", \"learn\": {\"dir\": \"%s\"}}}", prof,
		 learned);
	hb_set_policy(&b, pol);
	hb_set_args(&b, "/probe", "sleep", "100", NULL);
	json_object_set_new(json_object_get(b.config, "process"), "noNewPrivileges", json_false());
	ann = json_pack("{s:s}", "org.hardrun.seccomp.learn", "svc");
	json_object_set_new(b.config, "annotations", ann);
	r = RUN(&b, "create", "--bundle", b.dir, b.id);
	ck_assert_msg(r.status == 0, "create: %s", r.err);
	hb_result_free(&r);
	r = RUN(&b, "start", b.id);
	ck_assert_msg(r.status == 0, "start: %s", r.err);
	hb_result_free(&r);
	snprintf(learned, sizeof(learned), "%s/learned/svc.json", b.dir);
	wait_for_name(learned, "clock_nanosleep", "nanosleep");
	/* learning is not enforcing: 3.4 fails and says why */
	ck_assert_str_eq(row_status(&b, "3.4", ev, sizeof(ev)), "FAIL");
	ck_assert_msg(strstr(ev, "learning: no container-specific profile is enforced"), "%s", ev);
	r = RUN(&b, "exec", b.id, "/probe", "sys", "getpriority");
	ck_assert_msg(r.status == 0, "exec: %s", r.err);
	ck_assert_str_eq(r.out, "ok 20\n");
	hb_result_free(&r);
	r = RUN(&b, "kill", b.id, "KILL");
	ck_assert_int_eq(r.status, 0);
	hb_result_free(&r);
	r = RUN(&b, "delete", "--force", b.id);
	ck_assert_msg(r.status == 0, "delete: %s", r.err);
	hb_result_free(&r);
	hb_assert_no_leak(&b);
	assert_no_recorder();
	names = load_profile(learned, &doc);
	ck_assert(has_name(names, "getpriority")); /* the exec's */
	ck_assert(has_name(names, "capset"));	   /* hardrun's own, after the filter without no_new_privs */
	json_decref(doc);

	/* enforce: the profile from the policy's container_dir, chosen by annotation */
	snprintf(cmd, sizeof(cmd), "cp %s %s/svc.json", learned, prof);
	ck_assert_int_eq(system(cmd), 0);
	json_object_set_new(b.config, "annotations", json_pack("{s:s}", "org.hardrun.seccomp.profile", "svc"));
	r = RUN(&b, "create", "--bundle", b.dir, b.id);
	ck_assert_msg(r.status == 0, "create: %s", r.err);
	hb_result_free(&r);
	r = RUN(&b, "start", b.id);
	ck_assert_msg(r.status == 0, "start: %s", r.err);
	hb_result_free(&r);
	ck_assert_str_eq(row_status(&b, "3.4", ev, sizeof(ev)), "PASS");
	snprintf(cmd, sizeof(cmd), "policy added: container-specific profile \"svc\" (%s/svc.json, annotation ", prof);
	ck_assert_msg(strstr(ev, cmd), "%s", ev);
	r = RUN(&b, "exec", b.id, "/probe", "sys", "getpriority");
	ck_assert_msg(r.status == 0, "exec: %s", r.err);
	ck_assert_str_eq(r.out, "ok 20\n");
	hb_result_free(&r);
	/* never made while learning: refused */
	r = RUN(&b, "exec", b.id, "/probe", "sys", "keyctl");
	ck_assert_msg(r.status == 0, "exec: %s", r.err);
	ck_assert_str_eq(r.out, "EPERM\n");
	hb_result_free(&r);
	hb_finish(&b);
}
END_TEST

/* A bundle cannot trade a profile the policy chose for learn mode; a bad name is refused in one line. */
START_TEST(learn_refusals)
{
	struct hb b;
	char pol[800], want[512];
	struct hb_result r;

	hb_new(&b);
	snprintf(pol, sizeof(pol),
		 "{\"level\": 0, \"seccomp\": {\"container_dir\": \"%s\", \"profiles\": [{\"match\": \"hrit-*\", "
		 "\"profile\": \"web\"}]}}",
		 b.dir);
	hb_set_policy(&b, pol);
	hb_set_args(&b, "/bin/true", NULL);
	json_object_set_new(b.config, "annotations", json_pack("{s:s}", "org.hardrun.seccomp.learn", "svc"));
	r = RUN(&b, "run", "--bundle", b.dir, b.id);
	ck_assert_int_eq(r.status, 1);
	snprintf(want, sizeof(want),
		 "hardrun: run `%s`: refused by policy (CSVS 3.4): annotation org.hardrun.seccomp.learn: the policy "
		 "enforces seccomp profile \"web\"\n",
		 b.id);
	ck_assert_str_eq(r.err, want);
	hb_result_free(&r);
	json_object_set_new(b.config, "annotations", json_pack("{s:s}", "org.hardrun.seccomp.learn", "../x"));
	r = RUN(&b, "run", "--bundle", b.dir, b.id);
	ck_assert_int_eq(r.status, 1);
	snprintf(want, sizeof(want),
		 "hardrun: run `%s`: refused by policy (CSVS 3.4): annotation org.hardrun.seccomp.learn=\"../x\" is "
		 "not a profile name\n",
		 b.id);
	ck_assert_str_eq(r.err, want);
	hb_result_free(&r);
	hb_finish(&b);
}
END_TEST

int main(void)
{
	const TTest *const tests[] = {
		learn_then_enforce_busybox, threads_and_forks, runtime_annotation_exec_kill, learn_refusals, NULL,
	};

	hb_require_root();
	if (!hb_is_hardrun()) {
		fprintf(stderr, "seccomp learn mode is hardrun's: skipped for %s\n", hb_runtime());
		return 77;
	}
	return hb_main("seccomp_learn", 180, tests);
}
