/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * linux.seccomp seen from inside real containers: every action (exact
 * errno, SIGSYS death or delivery, ENOSYS without a tracer, NOTIFY answered
 * by a listener that received the fd and the state over listenerPath),
 * every argument operator (a matching and a non-matching value), flags and
 * architectures, allowlist and denylist profiles, Docker's default profile
 * unchanged, and invalid rules refused in one line with nothing left.
 * The probe's `sys` command makes one raw call and prints "ok" or the errno.
 */
#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bundle.h"

#define RUN(b, ...) hb_run(b, 30, __VA_ARGS__, NULL)

static json_t *profile(struct hb *b, const char *default_action)
{
	json_t *sc = json_pack("{s:s, s:[s,s,s], s:[]}", "defaultAction", default_action, "architectures",
			       "SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32", "syscalls");

	json_object_set_new(json_object_get(b->config, "linux"), "seccomp", sc);
	return sc;
}

static json_t *rule(json_t *sc, const char *name, const char *action)
{
	json_t *r = json_pack("{s:[s], s:s}", "names", name, "action", action);

	json_array_append_new(json_object_get(sc, "syscalls"), r);
	return r;
}

static struct hb_result run_sh(struct hb *b, const char *script)
{
	hb_set_args(b, "/bin/sh", "-c", script, NULL);
	return RUN(b, "run", "--bundle", b->dir, b->id);
}

static void expect_out(struct hb *b, const char *script, int status, const char *out)
{
	struct hb_result r = run_sh(b, script);

	ck_assert_msg(r.status == status, "status %d (want %d): %s%s", r.status, status, r.out, r.err);
	ck_assert_str_eq(r.out, out);
	hb_result_free(&r);
	hb_finish(b);
}

/* The one entry of <state>/.hardrun-bpf into path (>= 512 bytes); fails unless there is exactly one. */
static void cache_entry(struct hb *b, char *path)
{
	char cmd[400], line[100];
	FILE *f;
	int n = 0;

	snprintf(cmd, sizeof(cmd), "ls %s/.hardrun-bpf", b->state);
	f = popen(cmd, "r");
	ck_assert_ptr_nonnull(f);
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		snprintf(path, 512, "%s/.hardrun-bpf/%s", b->state, line);
		n++;
	}
	pclose(f);
	ck_assert_int_eq(n, 1);
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = malloc(1 << 20);

	ck_assert_ptr_nonnull(f);
	*len = fread(buf, 1, 1 << 20, f);
	fclose(f);
	return buf;
}

static void spit(const char *path, const char *buf, size_t len)
{
	FILE *f = fopen(path, "wb");

	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(buf, 1, len, f), len);
	fclose(f);
}

static void expect_umask(struct hb *b, const char *want)
{
	struct hb_result r = RUN(b, "run", "--bundle", b->dir, b->id);

	ck_assert_msg(r.status == 0, "status %d: %s", r.status, r.err);
	ck_assert_str_eq(r.out, want);
	hb_result_free(&r);
}

/*
 * Compiled filters are cached under the state root by the exact text they
 * were compiled from: a second create takes the entry, a damaged or foreign
 * entry is compiled again and replaced.
 */
START_TEST(compiled_filter_cache)
{
	struct hb b, other;
	json_t *sc;
	char path[512], opath[512];
	char *good, *buf, *obuf, *planted;
	size_t len, glen, olen;
	struct stat st;

	if (!hb_is_hardrun())
		return;
	hb_new(&b);
	sc = profile(&b, "SCMP_ACT_ALLOW");
	json_object_set_new(rule(sc, "umask", "SCMP_ACT_ERRNO"), "errnoRet", json_integer(EXDEV));
	hb_set_args(&b, "/probe", "sys", "umask", "0", NULL);
	expect_umask(&b, "EXDEV\n");
	cache_entry(&b, path);
	good = slurp(path, &glen);

	/* the entry is what the next create runs: plant the program of another profile under this key */
	hb_new(&other);
	sc = profile(&other, "SCMP_ACT_ALLOW");
	json_object_set_new(rule(sc, "umask", "SCMP_ACT_ERRNO"), "errnoRet", json_integer(EDOM));
	hb_set_args(&other, "/probe", "sys", "umask", "0", NULL);
	expect_umask(&other, "EDOM\n");
	cache_entry(&other, opath);
	obuf = slurp(opath, &olen);
	ck_assert_uint_eq(olen, glen); /* same key length, same program length: only the errno differs */
	{
		/* MAGIC (7), key length (4), key, flags (4), notify (1), instructions (2), program */
		uint32_t kl;

		memcpy(&kl, good + 7, 4);
		planted = malloc(glen);
		memcpy(planted, good, 11 + kl);
		memcpy(planted + 11 + kl, obuf + 11 + kl, glen - 11 - kl);
		spit(path, planted, glen);
	}
	expect_umask(&b, "EDOM\n");

	/* a key that does not match byte for byte: compiled again, the entry rewritten */
	buf = slurp(path, &len);
	buf[20] ^= 1;
	spit(path, buf, len);
	free(buf);
	expect_umask(&b, "EXDEV\n");
	buf = slurp(path, &len);
	ck_assert(len == glen && memcmp(buf, good, glen) == 0);
	free(buf);

	/* an entry others may write is not used, and is replaced by one only we may */
	spit(path, planted, glen);
	ck_assert_int_eq(chmod(path, 0666), 0);
	expect_umask(&b, "EXDEV\n");
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0600);
	free(planted);
	free(obuf);
	free(good);
	hb_finish(&other);
	hb_finish(&b);
}
END_TEST

START_TEST(errno_actions)
{
	struct hb b;
	json_t *sc;

	/* errnoRet given, and absent (EPERM, as the spec says) */
	hb_new(&b);
	sc = profile(&b, "SCMP_ACT_ALLOW");
	json_object_set_new(rule(sc, "umask", "SCMP_ACT_ERRNO"), "errnoRet", json_integer(EXDEV));
	rule(sc, "unshare", "SCMP_ACT_ERRNO");
	expect_out(&b, "/probe sys umask 0; /probe sys unshare 0; /probe sys getppid",
		   0, /* sh execs its last command: the probe is pid 1, its parent outside the namespace */
		   "EXDEV\nEPERM\nok 0\n");

	/* allowlist: defaultAction ERRNO with defaultErrnoRet */
	hb_new(&b);
	sc = profile(&b, "SCMP_ACT_ERRNO");
	json_object_set_new(sc, "defaultErrnoRet", json_integer(EDOM));
	json_array_append_new(
		json_object_get(sc, "syscalls"),
		json_pack("{s:[s,s,s,s,s,s,s,s,s,s,s,s,s,s,s,s,s,s,s,s,s,s,s,s,s,s,s], s:s}", "names",
			  /* what the runtime itself does after loading the filter: READY, the fifo, execve */
			  "sendmsg", "read", "close", "close_range", "rt_sigprocmask", "execve",
			  /* what the static probe needs */
			  "brk", "arch_prctl", "set_tid_address", "set_robust_list", "rseq", "prlimit64", "mprotect",
			  "mmap", "munmap", "readlink", "getrandom", "write", "exit_group", "exit", "newfstatat",
			  "fstat", "ioctl", "rt_sigaction", "uname", "getppid", "futex", "action", "SCMP_ACT_ALLOW"));
	hb_set_args(&b, "/probe", "sys", "umask", "0", NULL);
	{
		struct hb_result r = RUN(&b, "run", "--bundle", b.dir, b.id);

		ck_assert_msg(r.status == 0, "status %d: %s", r.status, r.err);
		ck_assert_str_eq(r.out, "EDOM\n");
		hb_result_free(&r);
	}
	hb_finish(&b);
}
END_TEST

START_TEST(kill_trap_trace_log_allow)
{
	static const char *const kills[] = {"SCMP_ACT_KILL", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_KILL_PROCESS"};
	struct hb b;
	json_t *sc;

	/* the KILL family: the calling process dies of SIGSYS (128 + 31) */
	for (size_t i = 0; i < 3; i++) {
		struct hb_result r;

		hb_new(&b);
		sc = profile(&b, "SCMP_ACT_ALLOW");
		rule(sc, "umask", kills[i]);
		hb_set_args(&b, "/probe", "sys", "umask", "0", NULL);
		r = RUN(&b, "run", "--bundle", b.dir, b.id);
		ck_assert_msg(r.status == 128 + 31, "%s: status %d: %s", kills[i], r.status, r.err);
		ck_assert_str_eq(r.out, "");
		hb_result_free(&r);
		hb_finish(&b);
	}
	/* TRAP delivers SIGSYS with the call's number; TRACE without a tracer fails with ENOSYS */
	hb_new(&b);
	sc = profile(&b, "SCMP_ACT_ALLOW");
	rule(sc, "umask", "SCMP_ACT_TRAP");
	json_object_set_new(rule(sc, "getpriority", "SCMP_ACT_TRACE"), "errnoRet", json_integer(1));
	rule(sc, "getppid", "SCMP_ACT_LOG");
	rule(sc, "unshare", "SCMP_ACT_ALLOW");
	{
		char want[64];

		/* the probe runs as a child of sh, pid 1 */
		snprintf(want, sizeof(want), "sigsys %d\nENOSYS\nok 1\nok\n", (int)SYS_umask);
		expect_out(&b,
			   "/probe sys umask 0; /probe sys getpriority 0 0; /probe sys getppid; "
			   "/probe sys unshare 0",
			   0, want);
	}
}
END_TEST

/* each operator on umask's argument: one value that matches (EXDEV) and one that does not */
START_TEST(argument_operators)
{
	static const struct {
		const char *op;
		int value, two;
		const char *hit, *miss;
	} ops[] = {
		{"SCMP_CMP_NE", 7, 0, "8", "7"},
		{"SCMP_CMP_LT", 7, 0, "6", "7"},
		{"SCMP_CMP_LE", 7, 0, "7", "8"},
		{"SCMP_CMP_EQ", 7, 0, "7", "6"},
		{"SCMP_CMP_GE", 7, 0, "7", "6"},
		{"SCMP_CMP_GT", 7, 0, "8", "7"},
		{"SCMP_CMP_MASKED_EQ", 0x70, 0x20, "0x27", "0x47"},
	};

	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		struct hb b;
		json_t *sc, *r, *arg;
		char script[128];

		hb_new(&b);
		sc = profile(&b, "SCMP_ACT_ALLOW");
		r = rule(sc, "umask", "SCMP_ACT_ERRNO");
		json_object_set_new(r, "errnoRet", json_integer(EXDEV));
		arg = json_pack("{s:i, s:i, s:s}", "index", 0, "value", ops[i].value, "op", ops[i].op);
		if (ops[i].two)
			json_object_set_new(arg, "valueTwo", json_integer(ops[i].two));
		json_object_set_new(r, "args", json_pack("[o]", arg));
		snprintf(script, sizeof(script), "/probe sys umask %s; /probe sys umask %s", ops[i].hit, ops[i].miss);
		{
			struct hb_result res = run_sh(&b, script);

			ck_assert_msg(res.status == 0, "%s: %s", ops[i].op, res.err);
			ck_assert_msg(strcmp(res.out, "EXDEV\nok\n") == 0, "%s: %s", ops[i].op, res.out);
			hb_result_free(&res);
		}
		hb_finish(&b);
	}
}
END_TEST

START_TEST(flags_accepted)
{
	struct hb b;
	json_t *sc;

	hb_new(&b);
	sc = profile(&b, "SCMP_ACT_ALLOW");
	json_object_set_new(sc, "flags",
			    json_pack("[s,s]", "SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW"));
	json_object_set_new(rule(sc, "umask", "SCMP_ACT_ERRNO"), "errnoRet", json_integer(EXDEV));
	expect_out(&b, "/probe sys umask 0; grep Seccomp: /proc/self/status", 0, "EXDEV\nSeccomp:\t2\n");
}
END_TEST

/* the listener gets the notify fd and the state over listenerPath, and answers the call */
START_TEST(notify_listener)
{
	struct hb b;
	struct hb_result r;
	char sock[108];
	char statef[400], *state = NULL;
	size_t len = 0;
	int ls, ws;
	json_t *sc;
	pid_t listener;
	FILE *f;

	hb_new(&b);
	ls = hb_listen(&b, "notify.sock", sock);
	snprintf(statef, sizeof(statef), "%s/listener-state", b.dir);
	listener = fork();
	ck_assert_int_ge(listener, 0);
	if (listener == 0) {
		char buf[8192] = {0};
		struct iovec iov = {buf, sizeof(buf) - 1};
		union {
			char c[CMSG_SPACE(sizeof(int))];
			struct cmsghdr align;
		} u;
		struct msghdr mh = {
			.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.c, .msg_controllen = sizeof(u.c)};
		struct seccomp_notif_sizes sz;
		struct seccomp_notif *req;
		struct seccomp_notif_resp *resp;
		int conn = accept(ls, NULL, NULL), fd = -1;
		FILE *out;

		if (conn < 0 || recvmsg(conn, &mh, 0) <= 0)
			_exit(1);
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
			if (c->cmsg_type == SCM_RIGHTS)
				memcpy(&fd, CMSG_DATA(c), sizeof(int));
		out = fopen(statef, "we");
		if (fd < 0 || !out)
			_exit(2);
		fputs(buf, out);
		fclose(out);
		if (syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sz) < 0)
			_exit(3);
		req = calloc(1, sz.seccomp_notif > sizeof(*req) ? sz.seccomp_notif : sizeof(*req));
		resp = calloc(1, sz.seccomp_notif_resp > sizeof(*resp) ? sz.seccomp_notif_resp : sizeof(*resp));
		if (ioctl(fd, SECCOMP_IOCTL_NOTIF_RECV, req) < 0)
			_exit(4);
		resp->id = req->id;
		resp->val = req->data.nr == SYS_getppid ? 4242 : 0;
		resp->error = req->data.nr == SYS_getppid ? 0 : -EXDEV;
		if (ioctl(fd, SECCOMP_IOCTL_NOTIF_SEND, resp) < 0)
			_exit(5);
		_exit(0);
	}
	close(ls);
	sc = profile(&b, "SCMP_ACT_ALLOW");
	json_object_set_new(sc, "listenerPath", json_string(sock));
	json_object_set_new(sc, "listenerMetadata", json_string("hrit-metadata"));
	rule(sc, "getppid", "SCMP_ACT_NOTIFY");
	hb_set_args(&b, "/probe", "sys", "getppid", NULL);
	r = RUN(&b, "run", "--bundle", b.dir, b.id);
	ck_assert_msg(r.status == 0, "%s", r.err);
	/* the listener's answer, not the kernel's (getppid in a pid namespace's init is 0) */
	ck_assert_str_eq(r.out, "ok 4242\n");
	hb_result_free(&r);
	ck_assert_int_eq(waitpid(listener, &ws, 0), listener);
	ck_assert_msg(WIFEXITED(ws) && WEXITSTATUS(ws) == 0, "listener failed: %d", ws);
	f = fopen(statef, "re");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_gt(getdelim(&state, &len, '\0', f), 0);
	fclose(f);
	ck_assert_msg(strstr(state, "\"seccompFd\"") && strstr(state, "\"hrit-metadata\"") && strstr(state, b.id),
		      "container process state: %s", state);
	free(state);
	hb_finish(&b);
}
END_TEST

/* the linux.seccomp dockerd writes into every config.json, unchanged */
START_TEST(docker_default_profile)
{
	struct hb b;
	char path[512];
	json_error_t je;
	json_t *sc;
	const char *data = getenv("HR_TEST_DATA");

	ck_assert_ptr_nonnull(data);
	snprintf(path, sizeof(path), "%s/seccomp/docker-default.json", data);
	sc = json_load_file(path, 0, &je);
	ck_assert_msg(sc != NULL, "%s: %s", path, je.text);
	hb_new(&b);
	json_object_set_new(json_object_get(b.config, "linux"), "seccomp", sc);
	/* ordinary work runs; namespaces and keyrings stay closed without CAP_SYS_ADMIN */
	expect_out(&b,
		   "echo hi | cat; ls / >/dev/null && echo ls; /probe sys umask 0; /probe sys unshare 0x20000; "
		   "/probe sys keyctl 0",
		   0, "hi\nls\nok\nEPERM\nEPERM\n");
}
END_TEST

static void expect_refused(const char *field, json_t *sc, const char *want)
{
	struct hb b;
	struct hb_result r;

	hb_new(&b);
	json_object_set_new(json_object_get(b.config, "linux"), "seccomp", sc);
	r = RUN(&b, "create", "--bundle", b.dir, b.id);
	ck_assert_msg(r.status != 0, "%s accepted", field);
	if (hb_is_hardrun()) {
		ck_assert_int_eq(r.status, 1);
		ck_assert_msg(hb_lines(r.err) == 1 && strstr(r.err, want) != NULL, "%s: want `%s` in: %s", field, want,
			      r.err);
	}
	hb_result_free(&r);
	hb_finish(&b);
}

START_TEST(invalid_rules_refused)
{
	expect_refused("action",
		       json_pack("{s:s, s:[{s:[s], s:s}]}", "defaultAction", "SCMP_ACT_ALLOW", "syscalls", "names",
				 "umask", "action", "SCMP_ACT_FOO"),
		       "linux.seccomp.syscalls[0].action");
	expect_refused("op",
		       json_pack("{s:s, s:[{s:[s], s:s, s:[{s:i, s:i, s:s}]}]}", "defaultAction", "SCMP_ACT_ALLOW",
				 "syscalls", "names", "umask", "action", "SCMP_ACT_ERRNO", "args", "index", 0, "value",
				 1, "op", "SCMP_CMP_FOO"),
		       "linux.seccomp.syscalls[0].args[0].op");
	expect_refused("arch",
		       json_pack("{s:s, s:[s]}", "defaultAction", "SCMP_ACT_ALLOW", "architectures", "SCMP_ARCH_FOO"),
		       "config.json: linux.seccomp.architectures[0]: unknown architecture \"SCMP_ARCH_FOO\"");
	expect_refused("defaultAction", json_pack("{s:s}", "defaultAction", "SCMP_ACT_NOTIFY"), "SCMP_ACT_NOTIFY");
	expect_refused("arg index",
		       json_pack("{s:s, s:[{s:[s], s:s, s:[{s:i, s:i, s:s}]}]}", "defaultAction", "SCMP_ACT_ALLOW",
				 "syscalls", "names", "umask", "action", "SCMP_ACT_ERRNO", "args", "index", 6, "value",
				 1, "op", "SCMP_CMP_EQ"),
		       "linux.seccomp.syscalls[0].args[0].index");
}
END_TEST

/*
 * A filter that denies getcwd (or open, for HOME) is the workload's, not the
 * runtime's: the cwd check against CVE-2024-21626 runs before any filter is
 * loaded, with and without noNewPrivileges, in create and in exec
 */
START_TEST(filter_denying_getcwd)
{
	for (int nnp = 0; nnp < 2; nnp++) {
		struct hb b;
		struct hb_result r;
		json_t *sc;

		hb_new(&b);
		json_object_set_new(json_object_get(b.config, "process"), "noNewPrivileges", json_boolean(nnp));
		json_object_set_new(json_object_get(b.config, "process"), "cwd", json_string("/tmp"));
		sc = profile(&b, "SCMP_ACT_ALLOW");
		rule(sc, "getcwd", "SCMP_ACT_ERRNO");
		hb_set_args(&b, "/probe", "sleep", "30", NULL);
		r = RUN(&b, "run", "--detach", "--bundle", b.dir, b.id);
		ck_assert_msg(r.status == 0, "nnp %d: %s", nnp, r.err);
		hb_result_free(&r);
		r = RUN(&b, "exec", b.id, "/probe", "cwd");
		ck_assert_msg(r.status == 0, "nnp %d: exec: %s", nnp, r.err);
		ck_assert_str_eq(r.out, "EPERM\n");
		hb_result_free(&r);
		hb_finish(&b);
	}
}
END_TEST

int main(void)
{
	const TTest *const tests[] = {
		compiled_filter_cache,
		errno_actions,
		kill_trap_trace_log_allow,
		argument_operators,
		flags_accepted,
		notify_listener,
		docker_default_profile,
		invalid_rules_refused,
		filter_denying_getcwd,
		NULL,
	};

	return hb_main("seccomp", 120, tests);
}
