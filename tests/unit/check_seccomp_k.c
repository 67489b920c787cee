/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Kernel tests of src/linux/seccomp.c: compile a rule list, load it in the
 * forked test process (after no_new_privs, so no root is needed) and prove
 * every action and operator with syscalls whose arguments hit or miss.
 * getpgrp(2) ignores its arguments, so it is the probe: the filter still
 * sees the register values we pass, and an allowed call just returns.  (Not
 * getppid: LeakSanitizer calls that one at exit.)  Default-deny filters run
 * in a grandchild that reports through its exit status, because Check
 * itself needs syscalls after the test body; children leave with a raw
 * exit_group so no sanitizer exit hook runs under the filter.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hardrun/seccomp.h"
#include "hardrun/strutil.h"

#define HWPOISON 133 /* EHWPOISON: no syscall returns it by accident */

/* Leave a forked child without libc/sanitizer exit hooks, which the filter may deny. */
static HR_NORETURN void child_exit(int code)
{
	syscall(SYS_exit_group, code);
	__builtin_unreachable();
}

/* ---- building profiles by hand (the JSON parser lives elsewhere) ---- */

static char *probe_names[] = {"getpgrp", NULL};

static struct hr_seccomp_rule one_rule(enum hr_seccomp_action act, unsigned int errno_ret)
{
	struct hr_seccomp_rule r = {.names = probe_names, .action = act};

	if (act == HR_SCMP_ACT_ERRNO) {
		r.has_errno_ret = true;
		r.errno_ret = errno_ret;
	}
	return r;
}

static struct hr_bpf *compile_ok(const struct hr_seccomp *sc)
{
	struct hr_bpf *b = NULL;
	struct hr_err *err = NULL;

	if (hr_seccomp_compile(sc, &b, &err) < 0)
		ck_abort_msg("compile: %s (errno %d)", err->msg, err->errnum);
	ck_assert_ptr_nonnull(b);
	ck_assert_uint_gt(b->len, 0);
	return b;
}

static char *compile_err(const struct hr_seccomp *sc, int *errnum)
{
	struct hr_bpf *b = NULL;
	struct hr_err *err = NULL;
	char *msg;

	ck_assert_int_eq(hr_seccomp_compile(sc, &b, &err), -1);
	ck_assert_ptr_null(b);
	ck_assert_ptr_nonnull(err);
	*errnum = err->errnum;
	msg = xstrdup(err->msg);
	hr_err_free(&err);
	return msg;
}

/* Sets NNP and installs the filter on this (forked test) process; returns the listener fd or -1. */
static int load_here(const struct hr_seccomp *sc)
{
	struct hr_bpf *b = compile_ok(sc);
	struct hr_err *err = NULL;
	int fd = -2;

	ck_assert_int_eq(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), 0);
	if (hr_seccomp_load_child(b, &fd, &err) < 0)
		ck_abort_msg("load: %s (errno %d)", err->msg, err->errnum);
	ck_assert_int_eq(fd >= 0, b->notify);
	hr_bpf_free(b);
	return fd;
}

static long probe(uint64_t a0, uint64_t a1)
{
	return syscall(SYS_getpgrp, a0, a1, 0, 0, 0, 0);
}

/* 0 when the probe was allowed, else its errno. */
static int probe_errno(uint64_t a0, uint64_t a1)
{
	errno = 0;
	if (probe(a0, a1) >= 0)
		return 0;
	return errno;
}

static struct hr_seccomp allow_default(struct hr_seccomp_rule *rules, size_t n)
{
	struct hr_seccomp sc = {.default_action = HR_SCMP_ACT_ALLOW, .rules = rules, .n_rules = n};

	return sc;
}

/* ---- actions ---- */

START_TEST(errno_exact)
{
	struct hr_seccomp_rule r = one_rule(HR_SCMP_ACT_ERRNO, HWPOISON);
	struct hr_seccomp sc = allow_default(&r, 1);

	load_here(&sc);
	ck_assert_int_eq(probe_errno(0, 0), HWPOISON);
	ck_assert_int_gt(getpid(), 0);
}
END_TEST

START_TEST(errno_default_eperm)
{
	struct hr_seccomp_rule r = {.names = probe_names, .action = HR_SCMP_ACT_ERRNO};
	struct hr_seccomp sc = allow_default(&r, 1);

	load_here(&sc);
	ck_assert_int_eq(probe_errno(0, 0), EPERM);
}
END_TEST

START_TEST(kill_thread_sigsys)
{
	struct hr_seccomp_rule r = one_rule(_i == 0 ? HR_SCMP_ACT_KILL : HR_SCMP_ACT_KILL_THREAD, 0);
	struct hr_seccomp sc = allow_default(&r, 1);

	load_here(&sc);
	probe(0, 0);
	ck_abort_msg("survived a kill rule");
}
END_TEST

START_TEST(kill_process_sigsys)
{
	struct hr_seccomp_rule r = one_rule(HR_SCMP_ACT_KILL_PROCESS, 0);
	struct hr_seccomp sc = allow_default(&r, 1);

	load_here(&sc);
	probe(0, 0);
	ck_abort_msg("survived SCMP_ACT_KILL_PROCESS");
}
END_TEST

START_TEST(trap_sigsys)
{
	struct hr_seccomp_rule r = one_rule(HR_SCMP_ACT_TRAP, 0);
	struct hr_seccomp sc = allow_default(&r, 1);

	load_here(&sc);
	probe(0, 0);
	ck_abort_msg("survived SCMP_ACT_TRAP");
}
END_TEST

START_TEST(log_allows)
{
	struct hr_seccomp_rule r = one_rule(HR_SCMP_ACT_LOG, 0);
	struct hr_seccomp sc = allow_default(&r, 1);

	load_here(&sc);
	ck_assert_int_eq(probe(0, 0), getpgid(0));
}
END_TEST

START_TEST(trace_without_tracer_enosys)
{
	/* With no ptracer attached the kernel fails a TRACE'd syscall with ENOSYS. */
	struct hr_seccomp_rule r = {.names = probe_names, .action = HR_SCMP_ACT_TRACE};
	struct hr_seccomp sc = allow_default(&r, 1);

	load_here(&sc);
	ck_assert_int_eq(probe_errno(0, 0), ENOSYS);
}
END_TEST

/* ---- operators ---- */

struct op_case {
	enum hr_seccomp_op op;
	uint64_t value, value_two;
	uint64_t hit, miss;
};

static const struct op_case op_cases[] = {
	{HR_SCMP_CMP_NE, 5, 0, 6, 5},
	{HR_SCMP_CMP_LT, 5, 0, 4, 5},
	{HR_SCMP_CMP_LE, 5, 0, 5, 6},
	{HR_SCMP_CMP_EQ, 5, 0, 5, 4},
	{HR_SCMP_CMP_GE, 5, 0, 5, 4},
	{HR_SCMP_CMP_GT, 5, 0, 6, 5},
	{HR_SCMP_CMP_MASKED_EQ, 0xf0, 0x30, 0x3f, 0x40},
	/* 64-bit values: the upper word must be compared too */
	{HR_SCMP_CMP_EQ, 0x100000005ull, 0, 0x100000005ull, 5},
	{HR_SCMP_CMP_GT, 0x100000000ull, 0, 0x100000001ull, 0xffffffffull},
	{HR_SCMP_CMP_MASKED_EQ, 0x7E020000ull, 0, 0x11, 0x10000000ull /* CLONE_NEWUSER */},
};

START_TEST(operator_hit_miss)
{
	const struct op_case *c = &op_cases[_i];
	struct hr_seccomp_arg arg = {.index = 1, .value = c->value, .value_two = c->value_two, .op = c->op};
	struct hr_seccomp_rule r = one_rule(HR_SCMP_ACT_ERRNO, HWPOISON);
	struct hr_seccomp sc = allow_default(&r, 1);

	r.args = &arg;
	r.n_args = 1;
	load_here(&sc);
	ck_assert_msg(probe_errno(0, c->hit) == HWPOISON, "case %d: hit %#llx not denied", _i,
		      (unsigned long long)c->hit);
	ck_assert_msg(probe_errno(0, c->miss) == 0, "case %d: miss %#llx denied", _i, (unsigned long long)c->miss);
}
END_TEST

START_TEST(same_index_twice_is_or)
{
	struct hr_seccomp_arg args[] = {
		{.index = 0, .value = 1, .op = HR_SCMP_CMP_EQ},
		{.index = 0, .value = 2, .op = HR_SCMP_CMP_EQ},
	};
	struct hr_seccomp_rule r = one_rule(HR_SCMP_ACT_ERRNO, HWPOISON);
	struct hr_seccomp sc = allow_default(&r, 1);

	r.args = args;
	r.n_args = 2;
	load_here(&sc);
	ck_assert_int_eq(probe_errno(1, 0), HWPOISON);
	ck_assert_int_eq(probe_errno(2, 0), HWPOISON);
	ck_assert_int_eq(probe_errno(3, 0), 0);
}
END_TEST

START_TEST(distinct_indexes_are_and)
{
	struct hr_seccomp_arg args[] = {
		{.index = 0, .value = 1, .op = HR_SCMP_CMP_EQ},
		{.index = 1, .value = 2, .op = HR_SCMP_CMP_EQ},
	};
	struct hr_seccomp_rule r = one_rule(HR_SCMP_ACT_ERRNO, HWPOISON);
	struct hr_seccomp sc = allow_default(&r, 1);

	r.args = args;
	r.n_args = 2;
	load_here(&sc);
	ck_assert_int_eq(probe_errno(1, 2), HWPOISON);
	ck_assert_int_eq(probe_errno(1, 3), 0);
	ck_assert_int_eq(probe_errno(0, 2), 0);
}
END_TEST

/* ---- default action, skipped rules, arches, flags ---- */

/* Fork, load sc in the grandchild, run fn there and return its exit status (or 1000+signal). */
/*
 * What a process needs to exit and report, sanitizer runtimes included:
 * default-deny filters allow these so that only the probe syscall
 * (getpgrp) meets the default action.
 */
static char *exit_names[] = {"exit_group",
			     "exit",
			     "write",
			     "writev",
			     "read",
			     "close",
			     "mmap",
			     "munmap",
			     "mprotect",
			     "madvise",
			     "brk",
			     "rt_sigaction",
			     "rt_sigprocmask",
			     "rt_sigreturn",
			     "sigaltstack",
			     "getpid",
			     "getppid",
			     "gettid",
			     "tgkill",
			     "futex",
			     "sched_yield",
			     "prctl",
			     "clock_gettime",
			     "nanosleep",
			     "openat",
			     "readlink",
			     "readlinkat",
			     "newfstatat",
			     "fstat",
			     "lseek",
			     "pread64",
			     "ioctl",
			     "uname",
			     "getrlimit",
			     "prlimit64",
			     "arch_prctl",
			     "set_robust_list",
			     "wait4",
			     "clone",
			     "ptrace",
			     NULL};

static int in_grandchild(const struct hr_seccomp *sc, int (*fn)(void))
{
	struct hr_bpf *b = compile_ok(sc);
	int status;
	pid_t pid;

	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		struct hr_err *err = NULL;
		int fd;

		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || hr_seccomp_load_child(b, &fd, &err) < 0)
			child_exit(200);
		child_exit(fn());
	}
	hr_bpf_free(b);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	if (WIFSIGNALED(status))
		return 1000 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

static int gc_probe_errno(void)
{
	return probe_errno(0, 0);
}

START_TEST(default_errno_ret)
{
	struct hr_seccomp_rule r = {.names = exit_names, .action = HR_SCMP_ACT_ALLOW};
	struct hr_seccomp sc = {.default_action = HR_SCMP_ACT_ERRNO,
				.has_default_errno_ret = true,
				.default_errno_ret = HWPOISON,
				.rules = &r,
				.n_rules = 1};

	ck_assert_int_eq(in_grandchild(&sc, gc_probe_errno), HWPOISON);
}
END_TEST

START_TEST(default_kill_process)
{
	char *names[] = {"exit_group", "exit", NULL};
	struct hr_seccomp_rule r = {.names = names, .action = HR_SCMP_ACT_ALLOW};
	struct hr_seccomp sc = {.default_action = HR_SCMP_ACT_KILL_PROCESS, .rules = &r, .n_rules = 1};

	ck_assert_int_eq(in_grandchild(&sc, gc_probe_errno), 1000 + SIGSYS);
}
END_TEST

START_TEST(unknown_syscall_skipped)
{
	char *names[] = {"hr_no_such_syscall", "getpgrp", NULL};
	struct hr_seccomp_rule r = one_rule(HR_SCMP_ACT_ERRNO, HWPOISON);
	struct hr_seccomp sc = allow_default(&r, 1);

	r.names = names;
	load_here(&sc);
	ck_assert_int_eq(probe_errno(0, 0), HWPOISON);
}
END_TEST

START_TEST(rule_equal_to_default_skipped)
{
	struct hr_seccomp_rule rules[] = {
		{.names = exit_names, .action = HR_SCMP_ACT_ALLOW},
		/* ERRNO(EPERM) equals the default: libseccomp would refuse it */
		{.names = probe_names, .action = HR_SCMP_ACT_ERRNO},
	};
	struct hr_seccomp sc = {.default_action = HR_SCMP_ACT_ERRNO, .rules = rules, .n_rules = 2};

	ck_assert_int_eq(in_grandchild(&sc, gc_probe_errno), EPERM);
	/* a different errno is not equal to the default and must stay */
	rules[1].has_errno_ret = true;
	rules[1].errno_ret = HWPOISON;
	ck_assert_int_eq(in_grandchild(&sc, gc_probe_errno), HWPOISON);
}
END_TEST

START_TEST(errno_ret_on_allow_refused)
{
	struct hr_seccomp_rule r = {
		.names = probe_names, .action = HR_SCMP_ACT_ALLOW, .has_errno_ret = true, .errno_ret = 1};
	struct hr_seccomp sc = {.default_action = HR_SCMP_ACT_ERRNO, .rules = &r, .n_rules = 1};
	int e;
	char *msg = compile_err(&sc, &e);

	ck_assert_str_eq(msg, "seccomp action `SCMP_ACT_ALLOW` of `getpgrp`: errnoRet is not allowed");
	ck_assert_int_eq(e, EINVAL);
	free(msg);
}
END_TEST

START_TEST(errno_ret_out_of_range_refused)
{
	/* 65536 would be masked to errno 0, i.e. a faked success */
	struct hr_seccomp_rule r = one_rule(HR_SCMP_ACT_ERRNO, 65536);
	struct hr_seccomp sc = allow_default(&r, 1);
	int e;
	char *msg = compile_err(&sc, &e);

	ck_assert_str_eq(msg, "seccomp errnoRet `65536` of `getpgrp`: out of range");
	free(msg);
}
END_TEST

START_TEST(bad_index_names_syscall)
{
	struct hr_seccomp_arg arg = {.index = 6, .op = HR_SCMP_CMP_EQ};
	struct hr_seccomp_rule r = one_rule(HR_SCMP_ACT_ERRNO, HWPOISON);
	struct hr_seccomp sc = allow_default(&r, 1);
	int e;
	char *msg;

	r.args = &arg;
	r.n_args = 1;
	msg = compile_err(&sc, &e);
	ck_assert_str_eq(msg, "seccomp argument index `6` of `getpgrp`: out of range");
	ck_assert_int_eq(e, EINVAL);
	free(msg);
}
END_TEST

START_TEST(notify_default_refused)
{
	struct hr_seccomp sc = {.default_action = HR_SCMP_ACT_NOTIFY};
	int e;
	char *msg = compile_err(&sc, &e);

	ck_assert_str_eq(msg, "seccomp default action `SCMP_ACT_NOTIFY`: not allowed");
	free(msg);
}
END_TEST

START_TEST(architectures)
{
	char *archs[] = {"SCMP_ARCH_X86", "SCMP_ARCH_X32", NULL};
	char *bad[] = {"SCMP_ARCH_VAX", NULL};
	struct hr_seccomp_rule r = one_rule(HR_SCMP_ACT_ERRNO, HWPOISON);
	struct hr_seccomp sc = allow_default(&r, 1);
	struct hr_bpf *plain;
	int e;
	char *msg;

	plain = compile_ok(&sc);
	sc.architectures = bad;
	msg = compile_err(&sc, &e);
	ck_assert_str_eq(msg, "seccomp architecture `SCMP_ARCH_VAX`: unknown");
	free(msg);
	sc.architectures = archs;
	{
		struct hr_bpf *multi = compile_ok(&sc);

		/* extra arches make a longer program; the native one stays filtered */
		ck_assert_uint_gt(multi->len, plain->len);
		hr_bpf_free(multi);
	}
	hr_bpf_free(plain);
	load_here(&sc);
	ck_assert_int_eq(probe_errno(0, 0), HWPOISON);
}
END_TEST

START_TEST(flags)
{
	char *good[] = {"SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW", "SECCOMP_FILTER_FLAG_TSYNC", NULL};
	char *unknown[] = {"SECCOMP_FILTER_FLAG_BOGUS", NULL};
	char *killable[] = {"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", NULL};
	struct hr_seccomp_rule r = one_rule(HR_SCMP_ACT_ERRNO, HWPOISON);
	struct hr_seccomp sc = allow_default(&r, 1);
	struct hr_bpf *b;
	int e;
	char *msg;

	sc.flags = unknown;
	msg = compile_err(&sc, &e);
	ck_assert_str_eq(msg, "seccomp flag `SECCOMP_FILTER_FLAG_BOGUS`: unknown");
	free(msg);
	sc.flags = killable;
	msg = compile_err(&sc, &e);
	ck_assert_str_eq(msg, "seccomp flag `SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV`: needs a SCMP_ACT_NOTIFY rule");
	free(msg);
	sc.flags = good;
	b = compile_ok(&sc);
	ck_assert_uint_eq(b->flags,
			  SECCOMP_FILTER_FLAG_LOG | SECCOMP_FILTER_FLAG_SPEC_ALLOW | SECCOMP_FILTER_FLAG_TSYNC);
	ck_assert(!b->notify);
	hr_bpf_free(b);
	load_here(&sc);
	ck_assert_int_eq(probe_errno(0, 0), HWPOISON);
}
END_TEST

START_TEST(load_without_nnp_needs_cap)
{
	/* Without NNP and without CAP_SYS_ADMIN the kernel refuses: the caller's ordering duty. */
	struct hr_seccomp_rule r = one_rule(HR_SCMP_ACT_ERRNO, HWPOISON);
	struct hr_seccomp sc = allow_default(&r, 1);
	struct hr_bpf *b = compile_ok(&sc);
	struct hr_err *err = NULL;
	int fd;

	if (geteuid() == 0)
		ck_assert_int_eq(setresuid(65534, 65534, 65534), 0);
	ck_assert_int_eq(hr_seccomp_load_child(b, &fd, &err), -1);
	ck_assert_int_eq(err->errnum, EACCES);
	ck_assert_int_eq(fd, -1);
	{
		char want[64];

		snprintf(want, sizeof(want), "load seccomp filter `%u instructions`", b->len);
		ck_assert_str_eq(err->msg, want);
	}
	hr_err_free(&err);
	hr_bpf_free(b);
}
END_TEST

/* ---- user notification ---- */

static void answer_one(int listener, int expect_nr, int error)
{
	struct seccomp_notif req;
	struct seccomp_notif_resp resp;

	memset(&req, 0, sizeof(req));
	ck_assert_int_eq(ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, &req), 0);
	ck_assert_int_eq(req.data.nr, expect_nr);
	ck_assert_uint_eq(req.data.args[0], 0x5eed);
	memset(&resp, 0, sizeof(resp));
	resp.id = req.id;
	resp.error = -error;
	ck_assert_int_eq(ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &resp), 0);
}

/* A child (it inherits the filter) makes the notified call; the test answers it. */
static void serve_child_call(int listener)
{
	int status;
	pid_t pid = fork();

	ck_assert_int_ge(pid, 0);
	if (pid == 0)
		child_exit(probe_errno(0x5eed, 0));
	answer_one(listener, SYS_getpgrp, HWPOISON);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), HWPOISON);
}

START_TEST(notify_listener)
{
	struct hr_seccomp_rule r = {.names = probe_names, .action = HR_SCMP_ACT_NOTIFY};
	struct hr_seccomp sc = allow_default(&r, 1);
	struct hr_bpf *b = compile_ok(&sc);
	int fd;

	ck_assert(b->notify);
	ck_assert(b->flags & SECCOMP_FILTER_FLAG_NEW_LISTENER);
	hr_bpf_free(b);
	fd = load_here(&sc);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(fcntl(fd, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
	serve_child_call(fd);
	close(fd);
}
END_TEST

START_TEST(notify_with_tsync)
{
	char *fl[] = {"SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", NULL};
	struct hr_seccomp_rule r = {.names = probe_names, .action = HR_SCMP_ACT_NOTIFY};
	struct hr_seccomp sc = allow_default(&r, 1);
	int fd;

	sc.flags = fl;
	fd = load_here(&sc);
	serve_child_call(fd);
	close(fd);
}
END_TEST

static int recv_with_fd(int conn, char *buf, size_t len, int *fd)
{
	union {
		char b[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctrl;
	struct iovec iov = {.iov_base = buf, .iov_len = len};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctrl.b, .msg_controllen = sizeof(ctrl.b)};
	struct cmsghdr *cm;
	ssize_t n;

	*fd = -1;
	n = recvmsg(conn, &mh, MSG_CMSG_CLOEXEC);
	ck_assert_int_gt(n, 0);
	cm = CMSG_FIRSTHDR(&mh);
	ck_assert_ptr_nonnull(cm);
	ck_assert_int_eq(cm->cmsg_type, SCM_RIGHTS);
	memcpy(fd, CMSG_DATA(cm), sizeof(int));
	return (int)n;
}

START_TEST(send_listener)
{
	char dir[] = "/tmp/hr-seccomp-XXXXXX";
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char buf[4096];
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	struct hr_seccomp_rule r = {.names = probe_names, .action = HR_SCMP_ACT_NOTIFY};
	struct hr_seccomp sc = allow_default(&r, 1);
	struct hr_err *err = NULL;
	const char *state = "{\"ociVersion\":\"1.2.0\",\"id\":\"c1\",\"status\":\"creating\",\"pid\":42,"
			    "\"bundle\":\"/b\"}";
	json_t *j, *st;
	json_error_t jerr;
	int lsn, conn, notify, got_fd;
	size_t total = 0;
	ssize_t n;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/agent.sock", dir);
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path);
	lsn = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(lsn, 0);
	ck_assert_int_eq(bind(lsn, (struct sockaddr *)&addr, sizeof(addr)), 0);
	ck_assert_int_eq(listen(lsn, 4), 0);

	notify = load_here(&sc);
	ck_assert_int_eq(hr_seccomp_send_listener(path, notify, "agent \"meta\"", state, 42, &err), 0);
	ck_assert_ptr_null(err);
	close(notify);

	conn = accept4(lsn, NULL, NULL, SOCK_CLOEXEC);
	ck_assert_int_ge(conn, 0);
	total = (size_t)recv_with_fd(conn, buf, sizeof(buf) - 1, &got_fd);
	while ((n = recv(conn, buf + total, sizeof(buf) - 1 - total, 0)) > 0)
		total += (size_t)n;
	ck_assert_int_eq(n, 0); /* the runtime closed: one message per connection */
	buf[total] = '\0';
	close(conn);

	j = json_loads(buf, 0, &jerr);
	ck_assert_msg(j != NULL, "bad JSON: %s", buf);
	ck_assert_str_eq(json_string_value(json_object_get(j, "ociVersion")), "1.0.2");
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(j, "fds"), 0)), "seccompFd");
	ck_assert_uint_eq(json_array_size(json_object_get(j, "fds")), 1);
	ck_assert_int_eq(json_integer_value(json_object_get(j, "pid")), 42);
	ck_assert_str_eq(json_string_value(json_object_get(j, "metadata")), "agent \"meta\"");
	st = json_object_get(j, "state");
	ck_assert_str_eq(json_string_value(json_object_get(st, "id")), "c1");
	ck_assert_str_eq(json_string_value(json_object_get(st, "status")), "creating");
	json_decref(j);

	/* the fd the agent received answers notifications */
	ck_assert_int_ge(got_fd, 0);
	serve_child_call(got_fd);
	close(got_fd);

	/* no listener: the error names the path */
	unlink(path);
	close(lsn);
	ck_assert_int_eq(hr_seccomp_send_listener(path, 0, NULL, state, 1, &err), -1);
	ck_assert_int_eq(err->errnum, ENOENT);
	snprintf(buf, sizeof(buf), "connect `%s`", path);
	ck_assert_str_eq(err->msg, buf);
	hr_err_free(&err);
	ck_assert_int_eq(hr_seccomp_send_listener(path, 0, NULL, "[1]", 1, &err), -1);
	ck_assert_int_eq(err->errnum, EINVAL);
	hr_err_free(&err);
	rmdir(dir);
}
END_TEST

/* ---- Docker's default profile, read from JSON with a minimal reader ---- */

static const char *const action_names[] = {
	[HR_SCMP_ACT_KILL] = "SCMP_ACT_KILL",
	[HR_SCMP_ACT_KILL_PROCESS] = "SCMP_ACT_KILL_PROCESS",
	[HR_SCMP_ACT_KILL_THREAD] = "SCMP_ACT_KILL_THREAD",
	[HR_SCMP_ACT_TRAP] = "SCMP_ACT_TRAP",
	[HR_SCMP_ACT_ERRNO] = "SCMP_ACT_ERRNO",
	[HR_SCMP_ACT_TRACE] = "SCMP_ACT_TRACE",
	[HR_SCMP_ACT_ALLOW] = "SCMP_ACT_ALLOW",
	[HR_SCMP_ACT_LOG] = "SCMP_ACT_LOG",
	[HR_SCMP_ACT_NOTIFY] = "SCMP_ACT_NOTIFY",
};

static const char *const op_names[] = {
	[HR_SCMP_CMP_NE] = "SCMP_CMP_NE",
	[HR_SCMP_CMP_LT] = "SCMP_CMP_LT",
	[HR_SCMP_CMP_LE] = "SCMP_CMP_LE",
	[HR_SCMP_CMP_EQ] = "SCMP_CMP_EQ",
	[HR_SCMP_CMP_GE] = "SCMP_CMP_GE",
	[HR_SCMP_CMP_GT] = "SCMP_CMP_GT",
	[HR_SCMP_CMP_MASKED_EQ] = "SCMP_CMP_MASKED_EQ",
};

static int lookup(const char *const *tab, size_t n, const char *s)
{
	for (size_t i = 0; s && i < n; i++) {
		if (strcmp(tab[i], s) == 0)
			return (int)i;
	}
	ck_abort_msg("unknown name %s", s ? s : "(null)");
	return -1;
}

static char **strv_from_json(json_t *a)
{
	char **v = xcalloc(json_array_size(a) + 1, sizeof(char *));

	for (size_t i = 0; i < json_array_size(a); i++)
		v[i] = xstrdup(json_string_value(json_array_get(a, i)));
	return v;
}

static struct hr_seccomp *read_profile(const char *path)
{
	struct hr_seccomp *sc = xzalloc(sizeof(*sc));
	json_error_t jerr;
	json_t *root = json_load_file(path, 0, &jerr), *rules, *v;

	ck_assert_msg(root != NULL, "%s:%d: %s", path, jerr.line, jerr.text);
	sc->default_action = lookup(action_names, HR_ARRAY_SIZE(action_names),
				    json_string_value(json_object_get(root, "defaultAction")));
	if ((v = json_object_get(root, "defaultErrnoRet"))) {
		sc->has_default_errno_ret = true;
		sc->default_errno_ret = (unsigned int)json_integer_value(v);
	}
	if ((v = json_object_get(root, "architectures")))
		sc->architectures = strv_from_json(v);
	if ((v = json_object_get(root, "flags")))
		sc->flags = strv_from_json(v);
	rules = json_object_get(root, "syscalls");
	sc->n_rules = json_array_size(rules);
	sc->rules = xcalloc(sc->n_rules, sizeof(*sc->rules));
	for (size_t i = 0; i < sc->n_rules; i++) {
		json_t *jr = json_array_get(rules, i), *args = json_object_get(jr, "args");
		struct hr_seccomp_rule *r = &sc->rules[i];

		r->names = strv_from_json(json_object_get(jr, "names"));
		r->action = lookup(action_names, HR_ARRAY_SIZE(action_names),
				   json_string_value(json_object_get(jr, "action")));
		if ((v = json_object_get(jr, "errnoRet"))) {
			r->has_errno_ret = true;
			r->errno_ret = (unsigned int)json_integer_value(v);
		}
		r->n_args = json_array_size(args);
		r->args = r->n_args ? xcalloc(r->n_args, sizeof(*r->args)) : NULL;
		for (size_t k = 0; k < r->n_args; k++) {
			json_t *ja = json_array_get(args, k);

			r->args[k].index = (unsigned int)json_integer_value(json_object_get(ja, "index"));
			r->args[k].value = (uint64_t)json_integer_value(json_object_get(ja, "value"));
			r->args[k].value_two = (uint64_t)json_integer_value(json_object_get(ja, "valueTwo"));
			r->args[k].op =
				lookup(op_names, HR_ARRAY_SIZE(op_names), json_string_value(json_object_get(ja, "op")));
		}
	}
	json_decref(root);
	return sc;
}

static void free_profile(struct hr_seccomp *sc)
{
	for (size_t i = 0; i < sc->n_rules; i++) {
		hr_strv_free(sc->rules[i].names);
		free(sc->rules[i].args);
	}
	free(sc->rules);
	hr_strv_free(sc->architectures);
	hr_strv_free(sc->flags);
	free(sc);
}

#define DOCKER_PROFILE HR_TEST_DATA "/seccomp/docker-default.json"

/* Runs under Docker's profile; returns 0 or the number of the first failed check. */
static int docker_checks(void)
{
	int fd, status;
	pid_t pid;

	if (probe(0, 0) != getpgid(0)) /* getpgrp allowed */
		return 1;
	if (syscall(SYS_clone3, NULL, 0) != -1 || errno != ENOSYS)
		return 2;
	if (unshare(CLONE_NEWUSER) != -1 || errno != EPERM)
		return 3;
	if (syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0) != -1 || errno != EPERM)
		return 4;
	if (personality(0xffffffff) < 0)
		return 5;
	if (personality(READ_IMPLIES_EXEC) != -1 || errno != EPERM)
		return 6;
	if (socket(40 /* AF_VSOCK */, SOCK_STREAM, 0) != -1 || errno != EPERM)
		return 7;
	if (socket(38 /* AF_ALG */, SOCK_SEQPACKET, 0) != -1 || errno != EPERM)
		return 8;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return 9;
	close(fd);
	if (syscall(SYS_keyctl, 0, 0, 0, 0, 0) != -1 || errno != EPERM)
		return 10;
	if (syscall(SYS_io_uring_setup, 1, NULL) != -1 || errno != EPERM)
		return 11;
	if (syscall(SYS_mount, "none", "/", "tmpfs", 0, NULL) != -1 || errno != EPERM)
		return 12;
	/* plain fork is a clone without namespace flags: allowed */
	pid = fork();
	if (pid < 0)
		return 13;
	if (pid == 0)
		child_exit(7);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 7)
		return 14;
	return 0;
}

static int cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;

	return (x > y) - (x < y);
}

START_TEST(docker_default_profile)
{
	struct hr_seccomp *sc = read_profile(DOCKER_PROFILE);
	long us[100];
	struct hr_bpf *b;

	ck_assert_uint_ge(sc->rules[0].names ? hr_strv_len(sc->rules[0].names) : 0, 350);
	for (size_t i = 0; i < HR_ARRAY_SIZE(us); i++) {
		struct timespec t0, t1;

		clock_gettime(CLOCK_MONOTONIC, &t0);
		b = compile_ok(sc);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		us[i] = (t1.tv_sec - t0.tv_sec) * 1000000L + (t1.tv_nsec - t0.tv_nsec) / 1000;
		if (i + 1 < HR_ARRAY_SIZE(us))
			hr_bpf_free(b);
	}
	qsort(us, HR_ARRAY_SIZE(us), sizeof(us[0]), cmp_long);
	fprintf(stderr, "docker-default: %u BPF instructions, compile median %ld us (min %ld, max %ld)\n", b->len,
		us[HR_ARRAY_SIZE(us) / 2], us[0], us[HR_ARRAY_SIZE(us) - 1]);
	ck_assert(!b->notify);
	ck_assert_uint_eq(b->flags, 0);
	hr_bpf_free(b);
	ck_assert_int_eq(in_grandchild(sc, docker_checks), 0);
	free_profile(sc);
}
END_TEST

/*
 * An input fuzz_seccomp_policy found: libseccomp 2.5.4 spins for minutes on
 * these 64-bit GT comparisons.  The bounded compile gives up after its CPU
 * budget with one clear error, and an ordinary profile compiles through it.
 */
START_TEST(bounded_compile_gives_up)
{
	static char *getppid_v[] = {"getppid", NULL}, *socket_v[] = {"socket", "socket", NULL},
		    *both_v[] = {"getppid", "socket", NULL};
	const uint64_t f5 = 0xf5f5f5f5f5f5f5f5ULL;
	struct hr_seccomp_arg a0[] = {{5, 0xf57060f5f5f5f5f5ULL, f5, HR_SCMP_CMP_GT}, {5, f5, f5, HR_SCMP_CMP_GT}};
	struct hr_seccomp_arg a1[] = {{5, f5, 0xf500000000000000ULL, HR_SCMP_CMP_GT}, {0, 0, 0, HR_SCMP_CMP_NE}};
	struct hr_seccomp_arg a2[] = {{5, f5, 0x25602085f5f5f5f5ULL, HR_SCMP_CMP_GT}, {5, f5, f5, HR_SCMP_CMP_GT}};
	struct hr_seccomp_arg a3[] = {{5, 0, 0, HR_SCMP_CMP_NE}, {0, 0, 0, HR_SCMP_CMP_NE}};
	struct hr_seccomp_rule rules[32] = {
		{getppid_v, HR_SCMP_ACT_TRACE, true, 62965, a0, 2},
		{socket_v, HR_SCMP_ACT_TRACE, true, 62965, a1, 2},
		{both_v, HR_SCMP_ACT_TRACE, true, 62965, a2, 2},
		{socket_v, HR_SCMP_ACT_TRACE, true, 62965, a3, 2},
	};
	struct hr_seccomp sc = {.default_action = HR_SCMP_ACT_ERRNO, .rules = rules, .n_rules = 32};
	struct hr_bpf *b = NULL;
	struct hr_err *err = NULL;

	for (size_t i = 4; i < 32; i++)
		rules[i] = (struct hr_seccomp_rule){.names = getppid_v, .action = HR_SCMP_ACT_KILL};
	ck_assert_int_eq(hr_seccomp_compile_bounded(&sc, 1, &b, &err), -1);
	ck_assert_ptr_null(b);
	ck_assert_str_eq(err->msg, "linux.seccomp: the filter did not compile within 1 s of CPU time (libseccomp); "
				   "simplify the rules");
	hr_err_free(&err);
	/* the same path returns a working filter and the compiler's own errors */
	sc.n_rules = 1;
	rules[0] = (struct hr_seccomp_rule){.names = getppid_v, .action = HR_SCMP_ACT_ALLOW};
	ck_assert_int_eq(hr_seccomp_compile_bounded(&sc, 1, &b, &err), 0);
	ck_assert_ptr_nonnull(b);
	ck_assert_int_gt(b->len, 0);
	hr_bpf_free(b);
	rules[0].has_errno_ret = true;
	rules[0].errno_ret = 5;
	ck_assert_int_eq(hr_seccomp_compile_bounded(&sc, 1, &b, &err), -1);
	ck_assert_ptr_nonnull(err);
	hr_err_free(&err);
}
END_TEST

/*
 * Two stacked filters (the policy's first, the bundle's second): the
 * kernel takes the action of highest precedence, and on a tie the data of
 * the filter loaded last, so the bundle's errno wins where both deny.
 */
START_TEST(stacked_filters)
{
	struct hr_seccomp_rule pol_rules[] = {one_rule(HR_SCMP_ACT_ERRNO, EPERM)};
	struct hr_seccomp_rule bun_rules[] = {one_rule(HR_SCMP_ACT_ERRNO, HWPOISON)};
	struct hr_seccomp pol = {.default_action = HR_SCMP_ACT_ALLOW, .rules = pol_rules, .n_rules = 1};
	struct hr_seccomp bun = {.default_action = HR_SCMP_ACT_ALLOW, .rules = bun_rules, .n_rules = 1};
	struct hr_seccomp log_all = {.default_action = HR_SCMP_ACT_LOG};
	struct hr_bpf *p = compile_ok(&pol), *b = compile_ok(&bun), *a = compile_ok(&log_all);
	struct hr_err *err = NULL;
	char line[256];
	FILE *f;
	int fd = -2, filters = -1;

	ck_assert_int_eq(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), 0);
	/* a bundle filter that allows everything cannot undo the policy's denial */
	if (fork() == 0) {
		int e;

		if (hr_seccomp_load_stack_child(p, a, &fd, &err) < 0)
			child_exit(100);
		e = probe_errno(0, 0);
		child_exit(e);
	} else {
		int st;

		wait(&st);
		ck_assert(WIFEXITED(st));
		ck_assert_int_eq(WEXITSTATUS(st), EPERM);
	}
	if (hr_seccomp_load_stack_child(p, b, &fd, &err) < 0)
		ck_abort_msg("load: %s", err->msg);
	ck_assert_int_eq(fd, -1);
	ck_assert_int_eq(probe_errno(0, 0), HWPOISON);
	f = fopen("/proc/self/status", "re");
	ck_assert_ptr_nonnull(f);
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Seccomp_filters: %d", &filters) == 1)
			break;
	fclose(f);
	ck_assert_int_eq(filters, 2);
	hr_bpf_free(p);
	hr_bpf_free(b);
	hr_bpf_free(a);
}
END_TEST

static Suite *seccomp_suite(void)
{
	Suite *s = suite_create("seccomp");
	TCase *tc;

	tc = tcase_create("actions");
	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, errno_exact);
	tcase_add_test(tc, errno_default_eperm);
	tcase_add_loop_test_raise_signal(tc, kill_thread_sigsys, SIGSYS, 0, 2);
	tcase_add_test_raise_signal(tc, kill_process_sigsys, SIGSYS);
	tcase_add_test_raise_signal(tc, trap_sigsys, SIGSYS);
	tcase_add_test(tc, log_allows);
	tcase_add_test(tc, trace_without_tracer_enosys);
	suite_add_tcase(s, tc);

	tc = tcase_create("operators");
	tcase_set_timeout(tc, 10);
	tcase_add_loop_test(tc, operator_hit_miss, 0, (int)HR_ARRAY_SIZE(op_cases));
	tcase_add_test(tc, same_index_twice_is_or);
	tcase_add_test(tc, distinct_indexes_are_and);
	suite_add_tcase(s, tc);

	tc = tcase_create("compile");
	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, default_errno_ret);
	tcase_add_test(tc, default_kill_process);
	tcase_add_test(tc, unknown_syscall_skipped);
	tcase_add_test(tc, rule_equal_to_default_skipped);
	tcase_add_test(tc, errno_ret_on_allow_refused);
	tcase_add_test(tc, errno_ret_out_of_range_refused);
	tcase_add_test(tc, bad_index_names_syscall);
	tcase_add_test(tc, notify_default_refused);
	tcase_add_test(tc, architectures);
	tcase_add_test(tc, flags);
	tcase_add_test(tc, load_without_nnp_needs_cap);
	tcase_add_test(tc, bounded_compile_gives_up);
	tcase_add_test(tc, stacked_filters);
	suite_add_tcase(s, tc);

	tc = tcase_create("notify");
	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, notify_listener);
	tcase_add_test(tc, notify_with_tsync);
	tcase_add_test(tc, send_listener);
	suite_add_tcase(s, tc);

	tc = tcase_create("docker");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, docker_default_profile);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(seccomp_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
