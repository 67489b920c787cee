/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The hardening policy seen from inside real containers: a bundle with no
 * hardening of its own, run at level 2, gets no_new_privs, the cut
 * capability sets, seccomp (stacked on the bundle's filter when it has
 * one), a user namespace from the id pool, a read-only root with a capped
 * noexec /tmp and the cgroup limits; refusals are one exact line and
 * leave nothing behind; the restart cap, the taint of exec, and the id
 * pool (one range per live container, reused after delete).  hardrun only:
 * the policy is hardrun's.
 */
#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bundle.h"

#define RUN(b, ...) hb_run(b, 30, __VA_ARGS__, NULL)

/* Level 2 with a pool of its own, so the first range is known. */
#define L2 "{\"level\": 2, \"userns\": {\"pool_start\": 3000000, \"pool_size\": 655360}}"

static void at_l2(struct hb *b, const char *policy)
{
	char cmd[400];

	hb_set_policy(b, policy ? policy : L2);
	/* the container's root is host uid 3000000: it must reach its rootfs through the bundle dir */
	snprintf(cmd, sizeof(cmd), "chmod 0711 %s", b->dir);
	ck_assert_int_eq(system(cmd), 0);
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "re");
	size_t n = 0, cap = 4096, got;
	char *buf;

	if (!f)
		return NULL;
	buf = malloc(cap);
	/* cgroup and proc files report size 0: read until the end */
	while ((got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
		n += got;
		if (n + 1 >= cap)
			buf = realloc(buf, cap *= 2);
	}
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static char *cgroup_file(struct hb *b, const char *ctl, const char *file)
{
	char p[512];
	char *s;

	/* v2: one directory, the v1 names mapped to theirs (memsw to swap alone, shares to weight) */
	if (hb_cgroup_v2()) {
		if (strcmp(file, "memory.limit_in_bytes") == 0)
			file = "memory.max";
		else if (strcmp(file, "memory.memsw.limit_in_bytes") == 0)
			file = "memory.swap.max";
		else if (strcmp(file, "cpu.shares") == 0)
			file = "cpu.weight";
		snprintf(p, sizeof(p), "/sys/fs/cgroup/%s/%s", b->id, file);
	} else {
		snprintf(p, sizeof(p), "/sys/fs/cgroup/%s/%s/%s", ctl, b->id, file);
	}
	s = slurp(p);
	ck_assert_msg(s != NULL, "no %s", p);
	s[strcspn(s, "\n")] = '\0';
	return s;
}

/* The mountinfo line of mount point mp in text, split: per-mount options and super options. */
static void mount_opts(const char *text, const char *mp, char *opts, char *super, size_t len)
{
	const char *line = text;

	opts[0] = super[0] = '\0';
	while (line && *line) {
		char buf[1024], *f[12] = {0}, *save = NULL, *sep;
		const char *nl = strchr(line, '\n');
		size_t l = nl ? (size_t)(nl - line) : strlen(line);
		int n = 0;

		snprintf(buf, sizeof(buf), "%.*s", (int)l, line);
		line = nl ? nl + 1 : NULL;
		sep = strstr(buf, " - ");
		if (!sep)
			continue;
		*sep = '\0';
		for (char *t = strtok_r(buf, " ", &save); t && n < 12; t = strtok_r(NULL, " ", &save))
			f[n++] = t;
		if (n < 6 || strcmp(f[4], mp) != 0)
			continue;
		snprintf(opts, len, "%s", f[5]);
		/* after " - ": fstype source superopts */
		{
			char *s2 = NULL, *fs = strtok_r(sep + 3, " ", &s2), *src = strtok_r(NULL, " ", &s2);
			char *so = strtok_r(NULL, " ", &s2);

			(void)fs;
			(void)src;
			snprintf(super, len, "%s", so ? so : "");
		}
	}
}

START_TEST(l2_hardens_a_plain_bundle)
{
	static const char head[] = "CapInh:\t0000000000000000\n"
				   "CapEff:\t0000000000000420\n"
				   "CapBnd:\t0000000000000420\n"
				   "CapAmb:\t0000000000000000\n"
				   "NoNewPrivs:\t1\n"
				   "Seccomp:\t2\n"
				   "Seccomp_filters:\t1\n"
				   "         0    3000000      65536\n"
				   "         0    3000000      65536\n---\n";
	struct hb b;
	struct hb_result r;
	char opts[512], super[512];

	hb_new(&b);
	at_l2(&b, NULL);
	hb_set_args(&b, "/bin/sh", "-c",
		    "grep -E '^(CapInh|CapEff|CapBnd|CapAmb|NoNewPrivs|Seccomp|Seccomp_filters):' /proc/self/status; "
		    "cat /proc/self/uid_map /proc/self/gid_map; echo ---; cat /proc/self/mountinfo; echo ---; "
		    "echo w > /tmp/w && echo tmp-writable; /probe write /x hi; cp /bin/busybox /tmp/bb && /tmp/bb true "
		    "|| echo tmp-noexec",
		    NULL);
	r = RUN(&b, "run", "--bundle", b.dir, b.id);
	ck_assert_msg(r.status == 0, "run: %s", r.err);
	/* the harness config asks for AUDIT_WRITE, KILL, NET_BIND_SERVICE: AUDIT_WRITE is cut */
	ck_assert_msg(strncmp(r.out, head, strlen(head)) == 0, "%s", r.out);
	mount_opts(r.out, "/", opts, super, sizeof(opts));
	ck_assert_msg(strstr(opts, "ro,") == opts && strstr(opts, "nosuid") && strstr(opts, "nodev"), "/: %s", opts);
	mount_opts(r.out, "/tmp", opts, super, sizeof(opts));
	ck_assert_str_eq(opts, "rw,nosuid,nodev,noexec,relatime");
	ck_assert_msg(strstr(super, "size=65536k") != NULL, "/tmp: %s", super);
	ck_assert_msg(strstr(r.out, "---\ntmp-writable\nEROFS\ntmp-noexec\n") != NULL, "%s", r.out);
	hb_result_free(&r);
	hb_finish(&b);
}
END_TEST

START_TEST(l2_limits_decisions_and_hardened_copy)
{
	struct hb b;
	struct hb_result r;
	char p[512];
	char *s;
	json_t *j, *d, *cfg;
	size_t i;
	bool saw_caps = false, saw_userns = false;

	hb_new(&b);
	at_l2(&b, NULL);
	r = RUN(&b, "create", "--bundle", b.dir, b.id);
	ck_assert_msg(r.status == 0, "create: %s", r.err);
	ck_assert_str_eq(r.err, "");
	hb_result_free(&r);
	s = cgroup_file(&b, "pids", "pids.max");
	ck_assert_str_eq(s, "1024");
	free(s);
	s = cgroup_file(&b, "memory", "memory.limit_in_bytes");
	ck_assert_str_eq(s, "1073741824");
	free(s);
	/* swap equal to memory: no swap (v2's memory.swap.max 0); shares 1024 is weight 39 (runc's mapping) */
	s = cgroup_file(&b, "memory", "memory.memsw.limit_in_bytes");
	ck_assert_str_eq(s, hb_cgroup_v2() ? "0" : "1073741824");
	free(s);
	s = cgroup_file(&b, "cpu", "cpu.shares");
	ck_assert_str_eq(s, hb_cgroup_v2() ? "39" : "1024");
	free(s);
	/* docker update cannot lift the policy's maximum, and may lower the limit */
	r = RUN(&b, "update", "--pids-limit", "100000", b.id);
	ck_assert_msg(r.status == 0, "update: %s", r.err);
	hb_result_free(&r);
	s = cgroup_file(&b, "pids", "pids.max");
	ck_assert_str_eq(s, "32768");
	free(s);
	r = RUN(&b, "update", "--pids-limit", "50", b.id);
	ck_assert_msg(r.status == 0, "update: %s", r.err);
	hb_result_free(&r);
	s = cgroup_file(&b, "pids", "pids.max");
	ck_assert_str_eq(s, "50");
	free(s);
	/* decisions.json: the shape `audit` reads */
	snprintf(p, sizeof(p), "%s/%s/decisions.json", b.state, b.id);
	d = json_load_file(p, 0, NULL);
	ck_assert_ptr_nonnull(d);
	ck_assert(json_is_array(d));
	json_array_foreach(d, i, j)
	{
		ck_assert_uint_eq(json_object_size(j), 3);
		ck_assert(json_is_string(json_object_get(j, "control")));
		ck_assert(json_is_string(json_object_get(j, "detail")));
		if (strcmp(json_string_value(json_object_get(j, "detail")),
			   "process.capabilities: dropped CAP_AUDIT_WRITE") == 0) {
			ck_assert_str_eq(json_string_value(json_object_get(j, "control")), "3.5");
			ck_assert_str_eq(json_string_value(json_object_get(j, "action")), "tightened");
			saw_caps = true;
		}
		if (strcmp(json_string_value(json_object_get(j, "detail")),
			   "user namespace: container ids 0-65535 on host ids 3000000-3065535") == 0)
			saw_userns = true;
	}
	ck_assert(saw_caps && saw_userns);
	json_decref(d);
	/* the state dir keeps the hardened config: what exec and update see */
	snprintf(p, sizeof(p), "%s/%s/config.json", b.state, b.id);
	cfg = json_load_file(p, 0, NULL);
	ck_assert_ptr_nonnull(cfg);
	ck_assert(json_is_true(json_object_get(json_object_get(cfg, "process"), "noNewPrivileges")));
	ck_assert_int_eq(
		json_integer_value(json_object_get(
			json_array_get(json_object_get(json_object_get(cfg, "linux"), "uidMappings"), 0), "hostID")),
		3000000);
	ck_assert_str_eq(
		json_string_value(json_object_get(json_object_get(cfg, "annotations"), "org.hardrun.rootfs.idmap")),
		"true");
	json_decref(cfg);
	hb_finish(&b);
}
END_TEST

/* A bundle with its own filter keeps it, and the policy's comes on top: two filters. */
START_TEST(l2_stacks_seccomp_on_the_bundles_filter)
{
	struct hb b;
	struct hb_result r;

	hb_new(&b);
	at_l2(&b, NULL);
	json_object_set_new(json_object_get(b.config, "linux"), "seccomp",
			    json_pack("{s:s, s:[{s:[s], s:s, s:i}]}", "defaultAction", "SCMP_ACT_ALLOW", "syscalls",
				      "names", "getppid", "action", "SCMP_ACT_ERRNO", "errnoRet", 133));
	hb_set_args(&b, "/bin/sh", "-c",
		    "grep -E '^Seccomp(_filters)?:' /proc/self/status; /probe sys getppid; /probe sys personality 8; "
		    "/probe sys personality 0xffffffff",
		    NULL);
	r = RUN(&b, "run", "--bundle", b.dir, b.id);
	ck_assert_msg(r.status == 0, "run: %s", r.err);
	/* the bundle's errno for getppid; PER_LINUX32 denied by the policy's profile although the bundle allows it */
	ck_assert_str_eq(r.out, "Seccomp:\t2\nSeccomp_filters:\t2\nEHWPOISON\nEPERM\nok 0\n");
	hb_result_free(&r);
	hb_finish(&b);
}
END_TEST

static void expect_refused(struct hb *b, const char *reason)
{
	struct hb_result r = RUN(b, "create", "--bundle", b->dir, b->id);
	char want[1024], p[512];
	char *pool;

	snprintf(want, sizeof(want), "hardrun: create `%s`: %s\n", b->id, reason);
	ck_assert_int_eq(r.status, 1);
	ck_assert_str_eq(r.err, want);
	ck_assert_int_eq(hb_lines(r.err), 1);
	hb_result_free(&r);
	hb_assert_no_leak(b);
	/* no id range held either */
	snprintf(p, sizeof(p), "%s/.hardrun-idpool.json", b->state);
	pool = slurp(p);
	if (pool)
		ck_assert_str_eq(pool, "{\"ranges\":{}}");
	free(pool);
}

START_TEST(docker_sock_bind_refused)
{
	struct hb b;

	hb_new(&b);
	at_l2(&b, NULL);
	json_array_append_new(json_object_get(b.config, "mounts"),
			      json_pack("{s:s, s:s, s:s, s:[s,s]}", "destination", "/var/run/docker.sock", "type",
					"bind", "source", "/var/run/docker.sock", "options", "rbind", "rprivate"));
	expect_refused(&b, "refused by policy (CSVS 3.15): bind mount of /var/run/docker.sock");
	hb_finish(&b);
}
END_TEST

START_TEST(privileged_config_refused)
{
	struct hb b;

	hb_new(&b);
	at_l2(&b, NULL);
	json_array_append_new(
		json_object_get(json_object_get(json_object_get(b.config, "process"), "capabilities"), "bounding"),
		json_string("CAP_SYS_ADMIN"));
	expect_refused(&b, "refused by policy (CSVS 3.1): privileged configuration: CAP_SYS_ADMIN in "
			   "process.capabilities.bounding");
	hb_finish(&b);
}
END_TEST

START_TEST(policy_file_must_be_root_only)
{
	struct hb b;
	struct hb_result r;
	char want[1024];

	hb_new(&b);
	at_l2(&b, NULL);
	ck_assert_int_eq(chmod(b.policy, 0666), 0);
	r = RUN(&b, "create", "--bundle", b.dir, b.id);
	snprintf(want, sizeof(want),
		 "hardrun: create `%s`: policy `%s`: must be owned by root and not writable by group or others: "
		 "Operation not permitted\n",
		 b.id, b.policy);
	ck_assert_int_eq(r.status, 1);
	ck_assert_str_eq(r.err, want);
	hb_result_free(&r);
	hb_assert_no_leak(&b);
	/* a key error names the key path */
	hb_set_policy(&b, "{\"level\": 2, \"capabilities\": {\"allow\": [\"CAP_KILL\", \"CAP_FOO\"]}}");
	r = RUN(&b, "create", "--bundle", b.dir, b.id);
	snprintf(want, sizeof(want),
		 "hardrun: create `%s`: .policy.json: capabilities.allow[1]: unknown capability \"CAP_FOO\"\n", b.id);
	ck_assert_int_eq(r.status, 1);
	ck_assert_str_eq(r.err, want);
	hb_result_free(&r);
	hb_finish(&b);
}
END_TEST

/* A create that fails after the range was taken (a bind source that does not exist) gives it back. */
START_TEST(failed_create_releases_the_range)
{
	struct hb b;

	hb_new(&b);
	at_l2(&b, NULL);
	json_array_append_new(json_object_get(b.config, "mounts"),
			      json_pack("{s:s, s:s, s:s, s:[s]}", "destination", "/data", "type", "bind", "source",
					"/nonexistent-hardrun-test", "options", "rbind"));
	expect_refused(&b, "bind mount `/nonexistent-hardrun-test` on `/data`: No such file or directory");
	{
		char p[512];
		char *pool;

		/* the range was taken (the file exists) and given back */
		snprintf(p, sizeof(p), "%s/.hardrun-idpool.json", b.state);
		pool = slurp(p);
		ck_assert_ptr_nonnull(pool);
		ck_assert_str_eq(pool, "{\"ranges\":{}}");
		free(pool);
	}
	hb_finish(&b);
}
END_TEST

/* docker restarts a container by creating it again under its id: after N failed exits, create refuses. */
START_TEST(restart_cap_refuses_create)
{
	struct hb b;
	struct hb_result r;
	char want[512];

	hb_new(&b);
	at_l2(&b, "{\"level\": 2, \"userns\": {\"pool_start\": 3000000}, \"restart\": {\"max_failures\": 2, "
		  "\"window_seconds\": 600}}");
	hb_set_args(&b, "/bin/false", NULL);
	/* one failure seen by run in the foreground */
	r = RUN(&b, "run", "--bundle", b.dir, b.id);
	ck_assert_int_eq(r.status, 1);
	hb_result_free(&r);
	/* one seen only at delete, as with a detached container reaped by its engine (the test reaps, as a shim) */
	ck_assert_int_eq(prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0), 0);
	r = RUN(&b, "run", "--detach", "--bundle", b.dir, b.id);
	ck_assert_msg(r.status == 0, "run -d: %s", r.err);
	hb_result_free(&r);
	for (int i = 0; i < 200; i++) {
		r = RUN(&b, "state", b.id);
		if (strstr(r.out, "\"stopped\"")) {
			hb_result_free(&r);
			break;
		}
		hb_result_free(&r);
		usleep(10000);
	}
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	r = RUN(&b, "delete", b.id);
	ck_assert_msg(r.status == 0, "delete: %s", r.err);
	hb_result_free(&r);
	/* without PIDFD_GET_INFO (Linux < 6.15) the second exit's status is unknown: a quick restart */
	if (hb_kernel_exit_info())
		snprintf(want, sizeof(want),
			 "refused by policy (restart): container `%s` failed 2 times in the last 600 s", b.id);
	else
		snprintf(want, sizeof(want),
			 "refused by policy (restart): container `%s` restarted 2 times in the last 600 s: 1 failed, 1 "
			 "shorter than 10 s with an exit status unknown to hardrun",
			 b.id);
	expect_refused(&b, want);
	hb_finish(&b);
}
END_TEST

/* A clean exit and a requested stop are no failures. */
START_TEST(restart_cap_ignores_clean_exits_and_kills)
{
	struct hb b;
	struct hb_result r;

	hb_new(&b);
	at_l2(&b, "{\"level\": 2, \"userns\": {\"pool_start\": 3000000}, \"restart\": {\"max_failures\": 1}}");
	hb_set_args(&b, "/bin/true", NULL);
	r = RUN(&b, "run", "--bundle", b.dir, b.id);
	ck_assert_int_eq(r.status, 0);
	hb_result_free(&r);
	hb_set_args(&b, "/probe", "sleep", "30", NULL);
	r = RUN(&b, "run", "--detach", "--bundle", b.dir, b.id);
	ck_assert_msg(r.status == 0, "run -d: %s", r.err);
	hb_result_free(&r);
	r = RUN(&b, "kill", b.id, "9");
	ck_assert_int_eq(r.status, 0);
	hb_result_free(&r);
	r = RUN(&b, "delete", "--force", b.id);
	ck_assert_int_eq(r.status, 0);
	hb_result_free(&r);
	r = RUN(&b, "run", "--bundle", b.dir, b.id);
	ck_assert_msg(r.status == 0, "a third run: %s", r.err);
	hb_result_free(&r);
	hb_finish(&b);
}
END_TEST

/* 3.10: exec taints; with restart_tainted false the id cannot be created again. */
START_TEST(exec_taints_the_container)
{
	struct hb b;
	struct hb_result r;
	char p[512], want[512];
	json_t *t;
	const char *time;

	hb_new(&b);
	at_l2(&b, "{\"level\": 2, \"userns\": {\"pool_start\": 3000000}, \"restart_tainted\": false}");
	hb_set_args(&b, "/probe", "sleep", "30", NULL);
	r = RUN(&b, "run", "--detach", "--bundle", b.dir, b.id);
	ck_assert_msg(r.status == 0, "run -d: %s", r.err);
	hb_result_free(&r);
	r = RUN(&b, "exec", "--cap", "CAP_NET_RAW", b.id, "/probe", "caps");
	ck_assert_msg(r.status == 0, "exec: %s", r.err);
	/* the exec'd process gets the same confinement: --cap CAP_NET_RAW is cut like the init's */
	ck_assert_msg(strstr(r.out, "CapBnd:\t0000000000000420\n") && strstr(r.out, "NoNewPrivs:\t1\n"), "%s", r.out);
	hb_result_free(&r);
	snprintf(p, sizeof(p), "%s/%s/tainted", b.state, b.id);
	t = json_load_file(p, 0, NULL);
	ck_assert_ptr_nonnull(t);
	ck_assert_uint_eq(json_object_size(t), 2);
	ck_assert_str_eq(json_string_value(json_object_get(t, "argv0")), "/probe");
	time = json_string_value(json_object_get(t, "time"));
	ck_assert_msg(time && strlen(time) > 20 && time[4] == '-' && time[10] == 'T', "%s", time);
	r = RUN(&b, "delete", "--force", b.id);
	ck_assert_int_eq(r.status, 0);
	hb_result_free(&r);
	snprintf(want, sizeof(want), "refused by policy (CSVS 3.10): container `%s` was tainted by exec (%s)", b.id,
		 time);
	expect_refused(&b, want);
	json_decref(t);
	hb_finish(&b);
}
END_TEST

static void share_state(struct hb *dst, const struct hb *src)
{
	snprintf(dst->state, sizeof(dst->state), "%s", src->state);
}

static long host_uid_base(const struct hb *b)
{
	char p[512];
	json_t *cfg;
	long v;

	snprintf(p, sizeof(p), "%s/%s/config.json", b->state, b->id);
	cfg = json_load_file(p, 0, NULL);
	ck_assert_ptr_nonnull(cfg);
	v = (long)json_integer_value(json_object_get(
		json_array_get(json_object_get(json_object_get(cfg, "linux"), "uidMappings"), 0), "hostID"));
	json_decref(cfg);
	return v;
}

START_TEST(id_ranges_are_exclusive_and_reused)
{
	struct hb a, b, c;
	struct hb_result r;

	hb_new(&a);
	hb_new(&b);
	hb_new(&c);
	at_l2(&a, NULL);
	at_l2(&b, NULL);
	at_l2(&c, NULL);
	share_state(&b, &a);
	share_state(&c, &a);
	r = RUN(&a, "create", "--bundle", a.dir, a.id);
	ck_assert_msg(r.status == 0, "create a: %s", r.err);
	hb_result_free(&r);
	r = RUN(&b, "create", "--bundle", b.dir, b.id);
	ck_assert_msg(r.status == 0, "create b: %s", r.err);
	hb_result_free(&r);
	ck_assert_int_eq(host_uid_base(&a), 3000000);
	ck_assert_int_eq(host_uid_base(&b), 3065536);
	r = RUN(&a, "delete", "--force", a.id);
	ck_assert_int_eq(r.status, 0);
	hb_result_free(&r);
	/* a's range is free again: the next container gets it */
	r = RUN(&c, "create", "--bundle", c.dir, c.id);
	ck_assert_msg(r.status == 0, "create c: %s", r.err);
	hb_result_free(&r);
	ck_assert_int_eq(host_uid_base(&c), 3000000);
	hb_finish(&c);
	hb_finish(&b);
	hb_finish(&a);
}
END_TEST

START_TEST(policy_show_and_decision_log)
{
	struct hb b;
	struct hb_result r;
	char log[400], *text;
	json_t *j;
	int policy_lines = 0;

	hb_new(&b);
	r = RUN(&b, "policy", "show", "--level", "3");
	ck_assert_int_eq(r.status, 0);
	j = json_loads(r.out, 0, NULL);
	ck_assert_ptr_nonnull(j);
	ck_assert_int_eq(json_integer_value(json_object_get(j, "level")), 3);
	ck_assert_str_eq(json_string_value(json_object_get(j, "on_violation")), "refuse");
	json_decref(j);
	hb_result_free(&r);
	/* without --level: the --policy file, merged over its level */
	r = RUN(&b, "policy", "show");
	j = json_loads(r.out, 0, NULL);
	ck_assert_int_eq(json_integer_value(json_object_get(j, "level")), 0);
	json_decref(j);
	hb_result_free(&r);
	r = RUN(&b, "policy", "show", "--level", "4");
	ck_assert_int_eq(r.status, 1);
	ck_assert_str_eq(r.err, "hardrun: policy show: --level: expected 0 to 3, not `4`\n");
	hb_result_free(&r);
	/* every decision is an info line of the JSON log */
	at_l2(&b, NULL);
	snprintf(log, sizeof(log), "%s/log.json", b.dir);
	r = RUN(&b, "--debug", "--log", log, "--log-format", "json", "create", "--bundle", b.dir, b.id);
	ck_assert_msg(r.status == 0, "create: %s", r.err);
	hb_result_free(&r);
	text = slurp(log);
	ck_assert_ptr_nonnull(text);
	for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
		json_t *l = json_loads(line, 0, NULL);
		const char *msg = json_string_value(json_object_get(l, "msg"));

		ck_assert_msg(l != NULL, "not JSON: %s", line);
		if (msg && strstr(msg, "policy: ") == msg) {
			policy_lines++;
			ck_assert_str_eq(json_string_value(json_object_get(l, "level")), "info");
		}
		if (msg && strstr(msg, "3.5 tightened: process.capabilities: dropped CAP_AUDIT_WRITE"))
			policy_lines += 100;
		json_decref(l);
	}
	free(text);
	ck_assert_int_gt(policy_lines, 110);
	hb_finish(&b);
}
END_TEST

/* spec --hardened writes what create would run; create from it adds only the user namespace. */
START_TEST(spec_hardened_runs)
{
	struct hb b;
	struct hb_result r;
	char dir[400], cmd[1400], p[512];
	json_t *cfg, *d;
	size_t i;
	json_t *v;
	int changed = 0;

	hb_new(&b);
	at_l2(&b, NULL);
	snprintf(dir, sizeof(dir), "%s/h", b.dir);
	snprintf(cmd, sizeof(cmd), "mkdir -p %s %s/run %s/var/tmp", dir, b.rootfs, b.rootfs);
	ck_assert_int_eq(system(cmd), 0);
	r = RUN(&b, "spec", "--hardened", "--bundle", dir);
	ck_assert_msg(r.status == 0, "spec --hardened: %s", r.err);
	hb_result_free(&r);
	snprintf(p, sizeof(p), "%s/config.json", dir);
	cfg = json_load_file(p, 0, NULL);
	ck_assert_ptr_nonnull(cfg);
	ck_assert(json_is_true(json_object_get(json_object_get(cfg, "root"), "readonly")));
	ck_assert_ptr_nonnull(json_object_get(json_object_get(cfg, "linux"), "seccomp"));
	ck_assert_uint_eq(json_array_size(json_object_get(
				  json_object_get(json_object_get(cfg, "process"), "capabilities"), "bounding")),
			  2);
	/* no user namespace yet: create takes the range */
	ck_assert_ptr_null(json_object_get(json_object_get(cfg, "linux"), "uidMappings"));
	json_decref(b.config);
	b.config = cfg;
	json_object_set_new(json_object_get(cfg, "process"), "terminal", json_false());
	json_object_set_new(json_object_get(cfg, "linux"), "cgroupsPath", json_pack("s++", "/", b.id, ""));
	hb_set_args(&b, "/probe", "caps", NULL);
	r = RUN(&b, "create", "--bundle", b.dir, b.id);
	ck_assert_msg(r.status == 0, "create: %s", r.err);
	hb_result_free(&r);
	/* hardening the hardened config again changes nothing but the user namespace */
	snprintf(p, sizeof(p), "%s/%s/decisions.json", b.state, b.id);
	d = json_load_file(p, 0, NULL);
	ck_assert_ptr_nonnull(d);
	json_array_foreach(d, i, v)
	{
		const char *a = json_string_value(json_object_get(v, "action"));

		if (strcmp(a, "kept") != 0) {
			changed++;
			ck_assert_str_eq(json_string_value(json_object_get(v, "control")), "3.2");
		}
	}
	ck_assert_int_eq(changed, 1);
	json_decref(d);
	r = RUN(&b, "start", b.id);
	ck_assert_int_eq(r.status, 0);
	hb_result_free(&r);
	hb_finish(&b);
}
END_TEST

/*
 * --cgroup-manager disabled (podman --cgroups=disabled) with limits the
 * bundle never asked for: the line says the policy added them, at which
 * level and control, and how to exempt the container; that exemption then
 * runs it.  A limit of the bundle's own gets the plain line.
 */
START_TEST(no_cgroup_names_the_policy)
{
	struct hb b;
	struct hb_result r;
	char want[1024], policy[400];

	hb_new(&b);
	at_l2(&b, NULL);
	r = RUN(&b, "--cgroup-manager", "disabled", "create", "--bundle", b.dir, b.id);
	ck_assert_int_eq(r.status, 1);
	ck_assert_int_eq(hb_lines(r.err), 1);
	snprintf(want, sizeof(want),
		 "hardrun: create `%s`: config.json: linux.resources.memory: cannot be applied with --cgroup-manager "
		 "disabled: the policy (level 2, control 3.14) added linux.resources.memory.limit 1073741824; exempt "
		 "the container in `%s`: \"exemptions\": [{\"id\": \"%s\", \"controls\": [\"3.14\"]}]\n",
		 b.id, b.policy, b.id);
	ck_assert_str_eq(r.err, want);
	hb_result_free(&r);
	hb_finish(&b);

	/* the advice, followed */
	hb_new(&b);
	snprintf(policy, sizeof(policy),
		 "{\"level\": 2, \"userns\": {\"pool_start\": 3000000, \"pool_size\": 655360}, \"exemptions\": "
		 "[{\"id\": \"%s\", \"controls\": [\"3.14\"]}]}",
		 b.id);
	at_l2(&b, policy);
	hb_set_args(&b, "/probe", "exit", "5", NULL);
	r = RUN(&b, "--cgroup-manager", "disabled", "run", "--bundle", b.dir, b.id);
	ck_assert_msg(r.status == 5, "status %d: %s", r.status, r.err);
	hb_result_free(&r);
	hb_finish(&b);

	/* the bundle's own limit: nothing to say about the policy */
	hb_new(&b);
	at_l2(&b, NULL);
	json_object_set_new(json_object_get(b.config, "linux"), "resources",
			    json_pack("{s:{s:i}}", "memory", "limit", 64 << 20));
	r = RUN(&b, "--cgroup-manager", "disabled", "create", "--bundle", b.dir, b.id);
	ck_assert_int_eq(r.status, 1);
	snprintf(want, sizeof(want),
		 "hardrun: create `%s`: config.json: linux.resources.memory: cannot be applied with --cgroup-manager "
		 "disabled\n",
		 b.id);
	ck_assert_str_eq(r.err, want);
	hb_result_free(&r);
	hb_finish(&b);
}
END_TEST

int main(void)
{
	const TTest *const tests[] = {l2_hardens_a_plain_bundle,
				      l2_limits_decisions_and_hardened_copy,
				      l2_stacks_seccomp_on_the_bundles_filter,
				      docker_sock_bind_refused,
				      privileged_config_refused,
				      policy_file_must_be_root_only,
				      failed_create_releases_the_range,
				      restart_cap_refuses_create,
				      restart_cap_ignores_clean_exits_and_kills,
				      exec_taints_the_container,
				      id_ranges_are_exclusive_and_reused,
				      policy_show_and_decision_log,
				      spec_hardened_runs,
				      no_cgroup_names_the_policy,
				      NULL};

	if (!hb_is_hardrun()) {
		fprintf(stderr, "SKIP: the hardening policy is hardrun's\n");
		return 77;
	}
	return hb_main("policy", 60, tests);
}
