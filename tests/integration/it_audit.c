/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * audit against real containers: each control that can be shown on this
 * machine is made to pass and to fail by building the container so, and
 * the row's status and its evidence — quoting the kernel's value and the
 * file it came from — are asserted exactly: no new privileges, CAP_SYS_ADMIN
 * in CapEff, no user namespace, uid 0, a writable rootfs, a bind of a fake
 * docker.sock, memory/swap/pids/cpu limits, a setuid binary in the rootfs, a
 * process named sshd, DB_PASSWORD in the environment, the host's network
 * namespace, no LSM, and tainted after exec.  audit --bundle reads the
 * config; bad input is one error line and exit 1.
 */
#include <check.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bundle.h"

#define RUN(b, ...) hb_run(b, 60, __VA_ARGS__, NULL)

static bool ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && strcmp(s + a - b, suffix) == 0;
}

static size_t tree_entries;

static int count_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)p;
	(void)st;
	(void)flag;
	tree_entries += ftw->level > 0;
	return 0;
}

/* Entries below dir, counted here independently of the runtime's walk. */
static size_t count_tree(const char *dir)
{
	tree_entries = 0;
	ck_assert_int_eq(nftw(dir, count_one, 16, FTW_PHYS), 0);
	return tree_entries;
}

/* Lines of /proc/PID/mountinfo as the test reads it. */
static size_t count_mounts(int pid)
{
	char p[64], *line = NULL;
	size_t n = 0, cap = 0;
	FILE *f;

	snprintf(p, sizeof(p), "/proc/%d/mountinfo", pid);
	f = fopen(p, "re");
	ck_assert_ptr_nonnull(f);
	while (getline(&line, &cap, f) > 0)
		n++;
	free(line);
	fclose(f);
	return n;
}

/* Variables in /proc/PID/environ as the test reads it. */
static size_t count_env(int pid)
{
	char p[64], buf[8192];
	size_t n = 0;
	ssize_t len;
	int fd;

	snprintf(p, sizeof(p), "/proc/%d/environ", pid);
	fd = open(p, O_RDONLY | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	len = read(fd, buf, sizeof(buf));
	close(fd);
	for (ssize_t i = 0; i < len; i++)
		n += buf[i] == '\0';
	return n;
}

static void start(struct hb *b)
{
	struct hb_result r = RUN(b, "run", "--detach", "--bundle", b->dir, b->id);

	ck_assert_msg(r.status == 0, "run -d: %s", r.err);
	hb_result_free(&r);
}

static int init_pid(struct hb *b)
{
	struct hb_result r = RUN(b, "state", b->id);
	json_t *st = json_loads(r.out, 0, NULL);
	int pid;

	ck_assert_msg(st != NULL, "state: %s", r.out);
	pid = (int)json_integer_value(json_object_get(st, "pid"));
	ck_assert_int_gt(pid, 1);
	json_decref(st);
	hb_result_free(&r);
	return pid;
}

/* audit --level N --format json; asserts the exit status and the document's shape. */
static json_t *audit(struct hb *b, int level, int want_status)
{
	char lv[8];
	struct hb_result r;
	json_t *doc;
	json_error_t je;

	snprintf(lv, sizeof(lv), "%d", level);
	r = RUN(b, "audit", "--level", lv, "--format", "json", b->id);
	ck_assert_msg(r.status == want_status, "audit exit %d, want %d: %s%s", r.status, want_status, r.err, r.out);
	ck_assert_str_eq(r.err, "");
	doc = json_loads(r.out, 0, &je);
	ck_assert_msg(doc != NULL, "not JSON (%s): %s", je.text, r.out);
	ck_assert_str_eq(json_string_value(json_object_get(doc, "id")), b->id);
	ck_assert_int_eq(json_integer_value(json_object_get(doc, "level")), level);
	ck_assert(json_is_boolean(json_object_get(doc, "pass")));
	ck_assert_int_eq(json_is_true(json_object_get(doc, "pass")), want_status == 0);
	ck_assert_int_eq(json_array_size(json_object_get(doc, "controls")), 23);
	hb_result_free(&r);
	return doc;
}

static json_t *row(json_t *doc, const char *control)
{
	size_t i;
	json_t *c;

	json_array_foreach(json_object_get(doc, "controls"), i, c)
	{
		if (strcmp(json_string_value(json_object_get(c, "control")), control) == 0) {
			ck_assert_int_eq(json_object_size(c), 5);
			return c;
		}
	}
	ck_abort_msg("no row %s", control);
	return NULL;
}

/* The row's status, and its evidence exactly (fmt formatted). */
static void expect(json_t *doc, const char *control, const char *status, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void expect(json_t *doc, const char *control, const char *status, const char *fmt, ...)
{
	json_t *c = row(doc, control);
	const char *got = json_string_value(json_object_get(c, "status"));
	const char *ev = json_string_value(json_object_get(c, "evidence"));
	char want[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(want, sizeof(want), fmt, ap);
	va_end(ap);
	ck_assert_msg(strcmp(got, status) == 0, "%s: status %s, want %s (%s)", control, got, status, ev);
	ck_assert_msg(strcmp(ev, want) == 0, "%s evidence:\n got: %s\nwant: %s", control, ev, want);
}

static void copy_file(const char *from, const char *to, mode_t mode)
{
	char buf[65536];
	int in = open(from, O_RDONLY | O_CLOEXEC), out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
	ssize_t n;

	ck_assert_int_ge(in, 0);
	ck_assert_int_ge(out, 0);
	while ((n = read(in, buf, sizeof(buf))) > 0)
		ck_assert_int_eq(write(out, buf, (size_t)n), n);
	close(in);
	close(out);
	/* chmod after writing: a write by root would not clear it, but be explicit about the final mode */
	ck_assert_int_eq(chmod(to, mode), 0);
}

static json_t *process(struct hb *b)
{
	return json_object_get(b->config, "process");
}

static void set_caps(struct hb *b, json_t *list)
{
	json_t *caps = json_object_get(process(b), "capabilities");

	json_object_set(caps, "bounding", list);
	json_object_set(caps, "effective", list);
	json_object_set(caps, "permitted", list);
	json_decref(list);
}

static char *ns_of(const char *ns)
{
	char p[64], t[128];
	ssize_t n;

	snprintf(p, sizeof(p), "/proc/self/ns/%s", ns);
	n = readlink(p, t, sizeof(t) - 1);
	ck_assert_int_gt(n, 0);
	t[n] = '\0';
	return strdup(t);
}

/* 3.5, 3.1: NoNewPrivs and the capability sets as /proc/PID/status shows them. */
START_TEST(nnp_and_capabilities)
{
	struct hb b;
	json_t *doc;
	int pid;

	hb_new(&b);
	hb_set_args(&b, "/probe", "sleep", "60", NULL);
	set_caps(&b, json_pack("[s,s]", "CAP_KILL", "CAP_NET_BIND_SERVICE"));
	start(&b);
	pid = init_pid(&b);
	doc = audit(&b, 1, 0);
	expect(doc, "3.5", "PASS", "NoNewPrivs: 1 in /proc/%d/status", pid);
	expect(doc, "3.1", "PASS",
	       "CapEff: 0000000000000420 in /proc/%d/status; CapPrm: 0000000000000420 in /proc/%d/status; CapAmb: "
	       "0000000000000000 in /proc/%d/status",
	       pid, pid, pid);
	json_decref(doc);
	hb_finish(&b);

	hb_new(&b);
	hb_set_args(&b, "/probe", "sleep", "60", NULL);
	json_object_set_new(process(&b), "noNewPrivileges", json_false());
	set_caps(&b, json_pack("[s,s,s,s]", "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_SYS_ADMIN"));
	start(&b);
	pid = init_pid(&b);
	doc = audit(&b, 1, 2);
	expect(doc, "3.5", "FAIL", "NoNewPrivs: 0 in /proc/%d/status", pid);
	/* 3.1 is an L2 control: a violation is a warning at L1 and a failure at L2 */
	expect(doc, "3.1", "WARN",
	       "CapEff: 0000000020200420 in /proc/%d/status; holds CAP_SYS_ADMIN, beyond Docker's default set", pid);
	json_decref(doc);
	doc = audit(&b, 2, 2);
	expect(doc, "3.1", "FAIL",
	       "CapEff: 0000000020200420 in /proc/%d/status; holds CAP_SYS_ADMIN, beyond Docker's default set", pid);
	json_decref(doc);
	doc = audit(&b, 3, 2);
	expect(doc, "3.4", "FAIL",
	       "Seccomp: 0 in /proc/%d/status; Seccomp_filters: 0 in /proc/%d/status; no seccomp filter", pid, pid);
	json_decref(doc);
	hb_finish(&b);
}
END_TEST

static void write_state_file(struct hb *b, const char *name, const char *text)
{
	char p[512];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s/%s", b->state, b->id, name);
	f = fopen(p, "we");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

/* 3.4: a loaded filter is a warning until the policy engine says it was chosen for this container. */
START_TEST(seccomp_profile)
{
	struct hb b;
	json_t *doc;
	int pid;

	hb_new(&b);
	hb_set_args(&b, "/probe", "sleep", "60", NULL);
	json_object_set_new(json_object_get(b.config, "linux"), "seccomp",
			    json_pack("{s:s, s:[{s:[s], s:s}]}", "defaultAction", "SCMP_ACT_ALLOW", "syscalls", "names",
				      "mknodat", "action", "SCMP_ACT_ERRNO"));
	start(&b);
	pid = init_pid(&b);
	doc = audit(&b, 3, 2);
	expect(doc, "3.4", "WARN",
	       "Seccomp: 2 in /proc/%d/status; Seccomp_filters: 1 in /proc/%d/status; a filter is loaded, but no "
	       "policy "
	       "decision says it was chosen for this container",
	       pid, pid);
	json_decref(doc);
	write_state_file(
		&b, "decisions.json",
		"[{\"control\":\"3.4\",\"action\":\"added\",\"detail\":\"container-specific profile \\\"web\\\"\"}]");
	doc = audit(&b, 3, 2);
	expect(doc, "3.4", "PASS",
	       "Seccomp: 2 in /proc/%d/status; Seccomp_filters: 1 in /proc/%d/status; policy added: container-specific "
	       "profile \"web\"",
	       pid, pid);
	json_decref(doc);
	hb_finish(&b);
}
END_TEST

/* 3.2, 3.3: the user namespace and the uid the workload has inside it. */
START_TEST(userns_and_uid)
{
	struct hb b;
	json_t *doc;
	char *host_user = ns_of("user");
	int pid;

	hb_new(&b);
	hb_set_args(&b, "/probe", "sleep", "60", NULL);
	start(&b);
	pid = init_pid(&b);
	doc = audit(&b, 3, 2);
	expect(doc, "3.2", "FAIL", "ns/user: %s, the host's in /proc/%d; uid_map: 0 0 4294967295 in /proc/%d/uid_map",
	       host_user, pid, pid);
	expect(doc, "3.3", "FAIL",
	       "Uid: 0 0 0 0 in /proc/%d/status; no user namespace: uid 0 on the host too; the workload runs as root",
	       pid);
	json_decref(doc);
	doc = audit(&b, 2, 2);
	expect(doc, "3.3", "WARN",
	       "Uid: 0 0 0 0 in /proc/%d/status; no user namespace: uid 0 on the host too; the workload runs as root",
	       pid);
	json_decref(doc);
	hb_finish(&b);

	/* a user namespace, root inside: 3.2 holds, 3.3 does not */
	hb_new(&b);
	hb_userns(&b);
	hb_set_args(&b, "/probe", "sleep", "60", NULL);
	start(&b);
	pid = init_pid(&b);
	doc = audit(&b, 3, 2);
	ck_assert_str_eq(json_string_value(json_object_get(row(doc, "3.2"), "status")), "PASS");
	ck_assert_msg(strstr(json_string_value(json_object_get(row(doc, "3.2"), "evidence")), ", the host's is ") !=
			      NULL,
		      "%s", json_string_value(json_object_get(row(doc, "3.2"), "evidence")));
	expect(doc, "3.3", "FAIL",
	       "Uid: 100000 100000 100000 100000 in /proc/%d/status; uid 0 in the container; the workload runs as "
	       "root",
	       pid);
	json_decref(doc);
	hb_finish(&b);

	/* and a user of its own */
	hb_new(&b);
	hb_userns(&b);
	hb_set_args(&b, "/probe", "sleep", "60", NULL);
	json_object_set_new(process(&b), "user", json_pack("{s:i, s:i}", "uid", 1000, "gid", 1000));
	start(&b);
	pid = init_pid(&b);
	doc = audit(&b, 3, 2);
	expect(doc, "3.3", "PASS", "Uid: 101000 101000 101000 101000 in /proc/%d/status; uid 1000 in the container",
	       pid);
	{
		const char *ev = json_string_value(json_object_get(row(doc, "3.2"), "evidence"));
		char tail[128];

		snprintf(tail, sizeof(tail), "in /proc/%d; uid_map: 0 100000 65536 in /proc/%d/uid_map", pid, pid);
		ck_assert_msg(ends_with(ev, tail), "%s", ev);
	}
	json_decref(doc);
	hb_finish(&b);
	free(host_user);
}
END_TEST

/* 3.9 and 3.15: the rootfs mount and a bind of an engine socket, from mountinfo. */
START_TEST(rootfs_and_engine_socket)
{
	struct hb b;
	json_t *doc, *m;
	char sock[108], target[512];
	const char *ev;
	int pid, ls;

	hb_new(&b);
	hb_set_args(&b, "/probe", "sleep", "60", NULL);
	json_object_set_new(json_object_get(b.config, "root"), "readonly", json_false());
	start(&b);
	pid = init_pid(&b);
	doc = audit(&b, 2, 2);
	expect(doc, "3.9", "FAIL", "/ is rw,relatime (ext4) in /proc/%d/mountinfo", pid);
	expect(doc, "3.15", "PASS",
	       "no docker, containerd, podman or CRI-O socket among %zu mounts in /proc/%d/mountinfo",
	       count_mounts(pid), pid);
	json_decref(doc);
	hb_finish(&b);

	/* a fake docker.sock made by the test, bound read-only: still a failure, connect(2) ignores ro */
	hb_new(&b);
	hb_set_args(&b, "/probe", "sleep", "60", NULL);
	ls = hb_listen(&b, "docker.sock", sock);
	snprintf(target, sizeof(target), "%s/var", b.rootfs);
	ck_assert_int_eq(mkdir(target, 0755), 0);
	snprintf(target, sizeof(target), "%s/var/run", b.rootfs);
	ck_assert_int_eq(mkdir(target, 0755), 0);
	snprintf(target, sizeof(target), "%s/var/run/docker.sock", b.rootfs);
	close(open(target, O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
	m = json_pack("{s:s, s:s, s:s, s:[s,s]}", "destination", "/var/run/docker.sock", "type", "bind", "source", sock,
		      "options", "bind", "ro");
	json_array_append_new(json_object_get(b.config, "mounts"), m);
	start(&b);
	pid = init_pid(&b);
	doc = audit(&b, 1, 2);
	expect(doc, "3.9", "PASS", "/ is ro,relatime (ext4) in /proc/%d/mountinfo", pid);
	row(doc, "3.15");
	ev = json_string_value(json_object_get(row(doc, "3.15"), "evidence"));
	ck_assert_str_eq(json_string_value(json_object_get(row(doc, "3.15"), "status")), "FAIL");
	snprintf(target, sizeof(target), "/var/run/docker.sock is a bind of `%s` (ro,", sock);
	ck_assert_msg(strncmp(ev, target, strlen(target)) == 0, "%s", ev);
	snprintf(target, sizeof(target),
		 ") in /proc/%d/mountinfo; read-only or not, the socket gives control of the engine", pid);
	ck_assert_msg(ends_with(ev, target), "%s", ev);
	json_decref(doc);

	/* the policy engine kept it for a monitor: a warning, with its decision as evidence */
	snprintf(target, sizeof(target), "%s/%s/decisions.json", b.state, b.id);
	{
		FILE *f = fopen(target, "we");

		ck_assert_ptr_nonnull(f);
		fputs("[{\"control\":\"3.15\",\"action\":\"kept\",\"detail\":\"monitor: read-only\"}]", f);
		fclose(f);
	}
	doc = audit(&b, 1, 0);
	ck_assert_str_eq(json_string_value(json_object_get(row(doc, "3.15"), "status")), "WARN");
	ev = json_string_value(json_object_get(row(doc, "3.15"), "evidence"));
	ck_assert_msg(ends_with(ev, "; allowed by the policy for a monitor; read-only does not stop connect(2); "
				    "policy kept: monitor: read-only"),
		      "%s", ev);
	json_decref(doc);
	close(ls);
	hb_finish(&b);
}
END_TEST

/* memory, swap, 3.14, cpu: the files of the container's v1 cgroup. */
/* cgroup_limits' second half on v2: a container with limits, swap above memory, then none */
static void cgroup_limits_v2_set(void)
{
	struct hb b;
	json_t *doc;

	hb_new(&b);
	hb_set_args(&b, "/probe", "sleep", "60", NULL);
	json_object_set_new(json_object_get(b.config, "linux"), "resources",
			    json_pack("{s:{s:I, s:I}, s:{s:i}, s:{s:I, s:I}}", "memory", "limit", (json_int_t)33554432,
				      "swap", (json_int_t)67108864, "pids", "limit", 20, "cpu", "quota",
				      (json_int_t)50000, "period", (json_int_t)100000));
	start(&b);
	doc = audit(&b, 3, 2);
	expect(doc, "memory", "PASS", "memory.max: 33554432 in /sys/fs/cgroup/%s", b.id);
	/* the spec's swap is memory+swap: 32 MiB of swap on v2 */
	expect(doc, "swap", "FAIL", "memory.swap.max: 33554432 in /sys/fs/cgroup/%s", b.id);
	expect(doc, "3.14", "PASS", "pids.max: 20 in /sys/fs/cgroup/%s", b.id);
	expect(doc, "cpu", "PASS", "cpu.max: 50000 100000 in /sys/fs/cgroup/%s; cpu.weight: 100 in /sys/fs/cgroup/%s",
	       b.id, b.id);
	json_decref(doc);
	{
		struct hb_result r = RUN(&b, "update", "--memory-swap", "32m", b.id);

		ck_assert_msg(r.status == 0, "%s", r.err);
		hb_result_free(&r);
	}
	{
		struct hb_result r = RUN(&b, "pause", b.id);

		ck_assert_msg(r.status == 0, "%s", r.err);
		hb_result_free(&r);
	}
	doc = audit(&b, 3, 2);
	expect(doc, "swap", "PASS", "memory.swap.max: 0 in /sys/fs/cgroup/%s", b.id);
	expect(doc, "3.5", "PASS", "NoNewPrivs: 1 in /proc/%d/status", init_pid(&b));
	json_decref(doc);
	{
		struct hb_result r = RUN(&b, "resume", b.id);

		ck_assert_msg(r.status == 0, "%s", r.err);
		hb_result_free(&r);
	}
	hb_finish(&b);
}

START_TEST(cgroup_limits)
{
	struct hb b;
	json_t *doc;

	hb_new(&b);
	hb_set_args(&b, "/probe", "sleep", "60", NULL);
	start(&b);
	doc = audit(&b, 3, 2);
	if (hb_cgroup_v2()) {
		/* v2: one directory; memory.swap.max is swap alone; cpu.max is "QUOTA PERIOD", the weight's default 100
		 */
		expect(doc, "memory", "FAIL", "memory.max: max in /sys/fs/cgroup/%s", b.id);
		expect(doc, "swap", "FAIL", "memory.swap.max: max in /sys/fs/cgroup/%s", b.id);
		expect(doc, "3.14", "FAIL", "pids.max: max in /sys/fs/cgroup/%s", b.id);
		expect(doc, "cpu", "FAIL",
		       "cpu.max: max 100000 in /sys/fs/cgroup/%s; cpu.weight: 100 in /sys/fs/cgroup/%s; neither a CPU "
		       "quota "
		       "nor a weight other than the default 100",
		       b.id, b.id);
		json_decref(doc);
		doc = audit(&b, 2, 2);
		expect(doc, "3.14", "WARN", "pids.max: max in /sys/fs/cgroup/%s", b.id);
		json_decref(doc);
		hb_finish(&b);
		cgroup_limits_v2_set();
		return;
	}
	expect(doc, "memory", "FAIL", "memory.limit_in_bytes: 9223372036854771712 in /sys/fs/cgroup/memory/%s", b.id);
	expect(doc, "swap", "FAIL",
	       "memory.memsw.limit_in_bytes: 9223372036854771712 in /sys/fs/cgroup/memory/%s; memory.limit_in_bytes: "
	       "9223372036854771712 in /sys/fs/cgroup/memory/%s; swap is not capped at the memory limit",
	       b.id, b.id);
	expect(doc, "3.14", "FAIL", "pids.max: max in /sys/fs/cgroup/pids/%s", b.id);
	expect(doc, "cpu", "FAIL",
	       "cpu.cfs_quota_us: -1 in /sys/fs/cgroup/cpu/%s; cpu.shares: 1024 in /sys/fs/cgroup/cpu/%s; neither a "
	       "CPU quota nor a weight other than the default 1024",
	       b.id, b.id);
	json_decref(doc);
	doc = audit(&b, 2, 2);
	expect(doc, "3.14", "WARN", "pids.max: max in /sys/fs/cgroup/pids/%s", b.id);
	json_decref(doc);
	hb_finish(&b);

	/* swap above memory */
	hb_new(&b);
	hb_set_args(&b, "/probe", "sleep", "60", NULL);
	json_object_set_new(json_object_get(b.config, "linux"), "resources",
			    json_pack("{s:{s:I, s:I}, s:{s:i}, s:{s:I, s:I}}", "memory", "limit", (json_int_t)33554432,
				      "swap", (json_int_t)67108864, "pids", "limit", 20, "cpu", "quota",
				      (json_int_t)50000, "period", (json_int_t)100000));
	start(&b);
	doc = audit(&b, 3, 2);
	expect(doc, "memory", "PASS", "memory.limit_in_bytes: 33554432 in /sys/fs/cgroup/memory/%s", b.id);
	expect(doc, "swap", "FAIL",
	       "memory.memsw.limit_in_bytes: 67108864 in /sys/fs/cgroup/memory/%s; memory.limit_in_bytes: 33554432 in "
	       "/sys/fs/cgroup/memory/%s; swap is not capped at the memory limit",
	       b.id, b.id);
	expect(doc, "3.14", "PASS", "pids.max: 20 in /sys/fs/cgroup/pids/%s", b.id);
	expect(doc, "cpu", "PASS",
	       "cpu.cfs_quota_us: 50000 in /sys/fs/cgroup/cpu/%s; cpu.shares: 1024 in /sys/fs/cgroup/cpu/%s", b.id,
	       b.id);
	json_decref(doc);
	/* docker update --memory-swap equal to --memory: no swap at all */
	{
		struct hb_result r = RUN(&b, "update", "--memory-swap", "32m", b.id);

		ck_assert_msg(r.status == 0, "%s", r.err);
		hb_result_free(&r);
	}
	/* a paused container is audited as it is: frozen tasks still show their /proc files */
	{
		struct hb_result r = RUN(&b, "pause", b.id);

		ck_assert_msg(r.status == 0, "%s", r.err);
		hb_result_free(&r);
	}
	doc = audit(&b, 3, 2);
	expect(doc, "swap", "PASS",
	       "memory.memsw.limit_in_bytes: 33554432 in /sys/fs/cgroup/memory/%s; memory.limit_in_bytes: 33554432 in "
	       "/sys/fs/cgroup/memory/%s",
	       b.id, b.id);
	expect(doc, "3.5", "PASS", "NoNewPrivs: 1 in /proc/%d/status", init_pid(&b));
	json_decref(doc);
	{
		struct hb_result r = RUN(&b, "resume", b.id);

		ck_assert_msg(r.status == 0, "%s", r.err);
		hb_result_free(&r);
	}
	hb_finish(&b);
}
END_TEST

/* setuid, 3.12, secrets: the rootfs walk, the comm of the cgroup's processes, environ names. */
START_TEST(setuid_sshd_secrets)
{
	struct hb b;
	struct hb_result r;
	json_t *doc;
	char path[512];
	int pid;

	hb_new(&b);
	hb_set_args(&b, "/probe", "sleep", "60", NULL);
	start(&b);
	pid = init_pid(&b);
	doc = audit(&b, 3, 2);
	expect(doc, "setuid", "PASS", "rootfs: %zu entries scanned in /proc/%d/root", count_tree(b.rootfs), pid);
	expect(doc, "3.12", "PASS", "cgroup.procs: 1 process in /%s; no sshd, dropbear, xrdp, telnetd or VNC server",
	       b.id);
	expect(doc, "secrets", "PASS",
	       "environment: %zu variables in /proc/%d/environ; no name like PASSWORD, SECRET, TOKEN, API_KEY or "
	       "PRIVATE_KEY",
	       count_env(pid), pid);
	json_decref(doc);
	hb_finish(&b);

	hb_new(&b);
	snprintf(path, sizeof(path), "%s/bin/probe-suid", b.rootfs);
	copy_file(getenv("HR_TEST_PROBE"), path, 04755);
	snprintf(path, sizeof(path), "%s/sshd", b.rootfs);
	copy_file(getenv("HR_TEST_PROBE"), path, 0755);
	hb_set_args(&b, "/sshd", "sleep", "60", NULL);
	json_array_append_new(json_object_get(process(&b), "env"), json_string("DB_PASSWORD=hunter2"));
	start(&b);
	pid = init_pid(&b);
	doc = audit(&b, 3, 2);
	expect(doc, "setuid", "FAIL", "/bin/probe-suid (4755); rootfs: %zu entries scanned in /proc/%d/root",
	       count_tree(b.rootfs), pid);
	expect(doc, "3.12", "FAIL", "comm `sshd` of pid %d in /proc/%d/comm", pid, pid);
	expect(doc, "secrets", "FAIL", "DB_PASSWORD in /proc/%d/environ (values not shown); pass secrets as files",
	       pid);
	json_decref(doc);
	doc = audit(&b, 2, 2);
	expect(doc, "setuid", "WARN", "/bin/probe-suid (4755); rootfs: %zu entries scanned in /proc/%d/root",
	       count_tree(b.rootfs), pid);
	expect(doc, "secrets", "WARN", "DB_PASSWORD in /proc/%d/environ (values not shown); pass secrets as files",
	       pid);
	json_decref(doc);
	/* the value never reaches any output */
	r = RUN(&b, "audit", "--level", "3", b.id);
	ck_assert_int_eq(r.status, 2);
	ck_assert_ptr_null(strstr(r.out, "hunter2"));
	ck_assert_ptr_nonnull(strstr(r.out, "DB_PASSWORD"));
	hb_result_free(&r);
	hb_finish(&b);
}
END_TEST

/*
 * The setuid scan covers the rootfs only: a volume bound from the same
 * filesystem (same st_dev) is a mount point and is not walked, so a setuid
 * file there is not reported as the image's, and a FUSE mount could not
 * hang the walk.
 */
START_TEST(setuid_scan_skips_mounts)
{
	struct hb b;
	json_t *doc;
	char vol[512], path[600];
	int pid;

	hb_new(&b);
	hb_set_args(&b, "/probe", "sleep", "60", NULL);
	snprintf(vol, sizeof(vol), "%s/vol", b.dir);
	ck_assert_int_eq(mkdir(vol, 0755), 0);
	snprintf(path, sizeof(path), "%s/suid-in-volume", vol);
	copy_file(getenv("HR_TEST_PROBE"), path, 04755);
	snprintf(path, sizeof(path), "%s/vol", b.rootfs);
	ck_assert_int_eq(mkdir(path, 0755), 0);
	json_array_append_new(json_object_get(b.config, "mounts"),
			      json_pack("{s:s, s:s, s:s, s:[s,s]}", "destination", "/vol", "type", "bind", "source",
					vol, "options", "bind", "nosuid"));
	start(&b);
	pid = init_pid(&b);
	doc = audit(&b, 3, 2);
	expect(doc, "setuid", "PASS", "rootfs: %zu entries scanned in /proc/%d/root", count_tree(b.rootfs), pid);
	json_decref(doc);
	hb_finish(&b);
}
END_TEST

/* AppArmor enabled in this kernel (as the host has it, probed) */
static bool apparmor_enabled(void)
{
	FILE *f = fopen("/sys/module/apparmor/parameters/enabled", "re");
	int c = f ? fgetc(f) : EOF;

	if (f)
		fclose(f);
	return c == 'Y';
}

/* hostns and lsm: the namespaces against ours, attr/current as the kernel's LSM gives it. */
START_TEST(host_namespaces_and_lsm)
{
	struct hb b;
	json_t *doc, *ns, *keep = json_array(), *v;
	char *host_net = ns_of("net");
	size_t i;
	int pid;

	hb_new(&b);
	hb_set_args(&b, "/probe", "sleep", "60", NULL);
	start(&b);
	pid = init_pid(&b);
	doc = audit(&b, 3, 2);
	expect(doc, "hostns", "PASS", "pid, net, ipc and uts namespaces of its own (inodes differ from the host's)");
	/* the passthrough policy adds no profile: on an AppArmor kernel the init is "unconfined" */
	if (apparmor_enabled()) {
		expect(doc, "lsm", "FAIL", "attr/current: unconfined in /proc/%d", pid);
		json_decref(doc);
		doc = audit(&b, 2, 2);
		expect(doc, "lsm", "WARN", "attr/current: unconfined in /proc/%d", pid);
	} else {
		expect(doc, "lsm", "FAIL",
		       "attr/current: not read (Invalid argument; no AppArmor in this kernel and SELinux is off) in "
		       "/proc/%d",
		       pid);
		json_decref(doc);
		doc = audit(&b, 2, 2);
		expect(doc, "lsm", "WARN",
		       "attr/current: not read (Invalid argument; no AppArmor in this kernel and SELinux is off) in "
		       "/proc/%d",
		       pid);
	}
	json_decref(doc);
	hb_finish(&b);

	/* docker run --network host */
	hb_new(&b);
	hb_set_args(&b, "/probe", "sleep", "60", NULL);
	ns = json_object_get(json_object_get(b.config, "linux"), "namespaces");
	json_array_foreach(ns, i, v)
	{
		if (strcmp(json_string_value(json_object_get(v, "type")), "network") != 0)
			json_array_append(keep, v);
	}
	json_object_set_new(json_object_get(b.config, "linux"), "namespaces", keep);
	hb_drop_mount(&b, "/sys");
	start(&b);
	pid = init_pid(&b);
	doc = audit(&b, 2, 2);
	expect(doc, "hostns", "FAIL", "ns/net: %s, the host's in /proc/%d; shared with the host", host_net, pid);
	json_decref(doc);
	hb_finish(&b);
	free(host_net);
}
END_TEST

static void write_tainted(struct hb *b)
{
	char p[512];
	FILE *f;

	/* the policy engine writes this on exec; until it lands the test stands in for it */
	snprintf(p, sizeof(p), "%s/%s/tainted", b->state, b->id);
	if (access(p, F_OK) == 0)
		return;
	f = fopen(p, "we");
	ck_assert_ptr_nonnull(f);
	fputs("{\"time\":\"2026-12-01T08:00:00Z\",\"argv0\":\"/bin/sh\"}", f);
	fclose(f);
}

/* 3.10: tainted after exec; and the whole report at L1 passes for a well-built container. */
START_TEST(tainted_after_exec)
{
	struct hb b;
	struct hb_result r;
	json_t *doc;
	const char *ev;

	hb_new(&b);
	hb_set_args(&b, "/probe", "sleep", "60", NULL);
	start(&b);
	doc = audit(&b, 1, 0);
	expect(doc, "3.10", "PASS", "tainted: no such file, no exec since create in the state dir");
	json_decref(doc);
	r = RUN(&b, "exec", b.id, "/bin/sh", "-c", "true");
	ck_assert_msg(r.status == 0, "%s", r.err);
	hb_result_free(&r);
	write_tainted(&b);
	doc = audit(&b, 1, 0);
	ck_assert_str_eq(json_string_value(json_object_get(row(doc, "3.10"), "status")), "WARN");
	json_decref(doc);
	doc = audit(&b, 2, 2);
	ck_assert_str_eq(json_string_value(json_object_get(row(doc, "3.10"), "status")), "FAIL");
	ev = json_string_value(json_object_get(row(doc, "3.10"), "evidence"));
	ck_assert_msg(strncmp(ev, "tainted: exec of `", 18) == 0 &&
			      ends_with(ev, " in the state dir; replace the container with a new one"),
		      "%s", ev);
	json_decref(doc);

	/* a state-dir file the policy engine wrote badly is one error line, exit 1 */
	{
		char p[512];
		FILE *f;

		snprintf(p, sizeof(p), "%s/%s/decisions.json", b.state, b.id);
		f = fopen(p, "we");
		ck_assert_ptr_nonnull(f);
		fputs("[{\"control\":\"3.5\",\"action\":\"maybe\",\"detail\":\"\"}]", f);
		fclose(f);
	}
	r = RUN(&b, "audit", b.id);
	ck_assert_int_eq(r.status, 1);
	ck_assert_str_eq(r.out, "");
	{
		char want[256];

		snprintf(want, sizeof(want),
			 "hardrun: audit `%s`: decisions.json: [0].action: `maybe`: expected kept, tightened, added or "
			 "refused\n",
			 b.id);
		ck_assert_str_eq(r.err, want);
	}
	hb_result_free(&r);
	hb_finish(&b);
}
END_TEST

/* audit --bundle: rows from config.json; and bad input. */
START_TEST(bundle_and_errors)
{
	struct hb b;
	struct hb_result r;
	json_t *doc;
	char want[512];

	hb_new(&b);
	hb_set_args(&b, "/probe", "sleep", "60", NULL);
	hb_write(&b);
	r = RUN(&b, "audit", "--bundle", b.dir, "--format", "json", "--level", "1");
	ck_assert_msg(r.status == 0, "%s%s", r.err, r.out);
	doc = json_loads(r.out, 0, NULL);
	ck_assert_ptr_nonnull(doc);
	ck_assert_str_eq(json_string_value(json_object_get(doc, "id")), b.dir);
	expect(doc, "3.5", "PASS", "process.noNewPrivileges: true in config.json");
	expect(doc, "3.9", "PASS", "root.readonly: true in config.json");
	expect(doc, "3.2", "WARN", "linux.namespaces user: absent in config.json");
	expect(doc, "setuid", "PASS", "rootfs: %zu entries scanned in %s", count_tree(b.rootfs), b.rootfs);
	expect(doc, "3.10", "N/A", "a bundle has not run: nothing can have been executed in it yet");
	json_decref(doc);
	hb_result_free(&r);

	/* the text report: a summary line, a header, 23 rows */
	r = RUN(&b, "audit", "--bundle", b.dir);
	ck_assert_int_eq(r.status, 2);
	snprintf(want, sizeof(want), "audit of `%s` at level 2: FAIL (", b.dir);
	ck_assert_msg(strncmp(r.out, want, strlen(want)) == 0, "%s", r.out);
	ck_assert_int_eq(hb_lines(r.out), 25);
	hb_result_free(&r);

	r = RUN(&b, "audit", "--level", "4", b.id);
	ck_assert_int_eq(r.status, 1);
	ck_assert_str_eq(r.err, "hardrun: audit: --level: `4`: expected 1, 2 or 3\n");
	ck_assert_str_eq(r.out, "");
	hb_result_free(&r);
	r = RUN(&b, "audit", "--format", "yaml", b.id);
	ck_assert_int_eq(r.status, 1);
	ck_assert_str_eq(r.err, "hardrun: audit: --format: `yaml`: expected text or json\n");
	hb_result_free(&r);
	r = RUN(&b, "audit");
	ck_assert_int_eq(r.status, 1);
	ck_assert_str_eq(r.err, "hardrun: audit: expected ID or --bundle DIR\n");
	hb_result_free(&r);
	r = RUN(&b, "audit", "--bundle", "/nonexistent/bundle");
	ck_assert_int_eq(r.status, 1);
	ck_assert_str_eq(r.err, "hardrun: audit bundle `/nonexistent/bundle`: No such file or directory\n");
	hb_result_free(&r);
	r = RUN(&b, "audit", "nosuch");
	ck_assert_int_eq(r.status, 1);
	ck_assert_str_eq(r.err,
			 "hardrun: audit `nosuch`: container `nosuch` does not exist: No such file or directory\n");
	hb_result_free(&r);

	/* created, not started: the init is still hardrun's setup, not the workload */
	r = RUN(&b, "create", "--bundle", b.dir, b.id);
	ck_assert_msg(r.status == 0, "%s", r.err);
	hb_result_free(&r);
	r = RUN(&b, "audit", b.id);
	ck_assert_int_eq(r.status, 1);
	snprintf(want, sizeof(want),
		 "hardrun: audit `%s`: container `%s` is created, not running: audit reads the workload's process\n",
		 b.id, b.id);
	ck_assert_str_eq(r.err, want);
	ck_assert_str_eq(r.out, "");
	hb_result_free(&r);
	hb_finish(&b);
}
END_TEST

/* audit --bundle shows what create would run: the bundle hardened by the policy; --as-is the bundle alone. */
START_TEST(bundle_as_the_policy_runs_it)
{
	struct hb b;
	struct hb_result r;
	json_t *doc;

	if (!hb_is_hardrun())
		return;
	hb_new(&b);
	hb_set_policy(&b, "{\"level\": 2}");
	json_object_set_new(json_object_get(b.config, "process"), "noNewPrivileges", json_false());
	json_object_set_new(json_object_get(b.config, "root"), "readonly", json_false());
	hb_write(&b);
	r = RUN(&b, "audit", "--bundle", b.dir, "--format", "json");
	ck_assert_msg(r.status == 0, "status %d: %s %s", r.status, r.out, r.err);
	doc = json_loads(r.out, 0, NULL);
	ck_assert_ptr_nonnull(doc);
	expect(doc, "3.5", "PASS", "process.noNewPrivileges: true in config.json");
	expect(doc, "3.9", "PASS", "root.readonly: true in config.json");
	ck_assert_str_eq(json_string_value(json_object_get(row(doc, "3.2"), "status")), "PASS");
	json_decref(doc);
	hb_result_free(&r);

	r = RUN(&b, "audit", "--bundle", b.dir, "--as-is", "--format", "json");
	ck_assert_int_eq(r.status, 2);
	doc = json_loads(r.out, 0, NULL);
	ck_assert_ptr_nonnull(doc);
	expect(doc, "3.5", "FAIL", "process.noNewPrivileges: false in config.json");
	json_decref(doc);
	hb_result_free(&r);

	r = RUN(&b, "audit", "--as-is", b.id);
	ck_assert_int_eq(r.status, 1);
	ck_assert_str_eq(r.err, "hardrun: audit: --as-is goes with --bundle\n");
	hb_result_free(&r);
	hb_finish(&b);
}
END_TEST

int main(void)
{
	const TTest *const tests[] = {
		nnp_and_capabilities,	  bundle_as_the_policy_runs_it,
		seccomp_profile,	  userns_and_uid,
		rootfs_and_engine_socket, cgroup_limits,
		setuid_sshd_secrets,	  setuid_scan_skips_mounts,
		host_namespaces_and_lsm,  tainted_after_exec,
		bundle_and_errors,	  NULL,
	};

	return hb_main("audit", 120, tests);
}
