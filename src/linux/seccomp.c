/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Seccomp filters.  Owns the translation of a parsed linux.seccomp section
 * into classic BPF with libseccomp (parent side, before clone), the raw
 * seccomp(2) load in the child; the hand-over of a user-notification fd
 * to the listener socket is seccomp_listener.c.  Must not parse config.json and must not use
 * libseccomp after clone: the child only installs a finished program.
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hardrun/log.h"
#include "hardrun/seccomp.h"
#include "hardrun/scprof.h"
#include "hardrun/sync.h"
#include "hardrun/strutil.h"

#ifndef SECCOMP_FILTER_FLAG_TSYNC_ESRCH
#define SECCOMP_FILTER_FLAG_TSYNC_ESRCH (1UL << 4)
#endif
#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif

/* The kernel caps SECCOMP_RET_DATA at 16 bits; libseccomp masks silently, so 65536 would become errno 0. */
#define ERRNO_RET_MAX 0xffffu

static void release_ctx(scmp_filter_ctx *ctx)
{
	int saved = errno;

	if (*ctx)
		seccomp_release(*ctx);
	*ctx = NULL;
	errno = saved;
}

#define cleanup_scmp __attribute__((cleanup(release_ctx)))

struct arch_name {
	const char *name;
	uint32_t token; /* 0: in the runtime-spec list but unknown to this libseccomp */
};

static const struct arch_name arch_names[] = {
	{"SCMP_ARCH_X86", SCMP_ARCH_X86},
	{"SCMP_ARCH_X86_64", SCMP_ARCH_X86_64},
	{"SCMP_ARCH_X32", SCMP_ARCH_X32},
	{"SCMP_ARCH_ARM", SCMP_ARCH_ARM},
	{"SCMP_ARCH_AARCH64", SCMP_ARCH_AARCH64},
	{"SCMP_ARCH_MIPS", SCMP_ARCH_MIPS},
	{"SCMP_ARCH_MIPS64", SCMP_ARCH_MIPS64},
	{"SCMP_ARCH_MIPS64N32", SCMP_ARCH_MIPS64N32},
	{"SCMP_ARCH_MIPSEL", SCMP_ARCH_MIPSEL},
	{"SCMP_ARCH_MIPSEL64", SCMP_ARCH_MIPSEL64},
	{"SCMP_ARCH_MIPSEL64N32", SCMP_ARCH_MIPSEL64N32},
	{"SCMP_ARCH_PPC", SCMP_ARCH_PPC},
	{"SCMP_ARCH_PPC64", SCMP_ARCH_PPC64},
	{"SCMP_ARCH_PPC64LE", SCMP_ARCH_PPC64LE},
	{"SCMP_ARCH_S390", SCMP_ARCH_S390},
	{"SCMP_ARCH_S390X", SCMP_ARCH_S390X},
	{"SCMP_ARCH_PARISC", SCMP_ARCH_PARISC},
	{"SCMP_ARCH_PARISC64", SCMP_ARCH_PARISC64},
	{"SCMP_ARCH_RISCV64", SCMP_ARCH_RISCV64},
#ifdef SCMP_ARCH_LOONGARCH64
	{"SCMP_ARCH_LOONGARCH64", SCMP_ARCH_LOONGARCH64},
#else
	{"SCMP_ARCH_LOONGARCH64", 0},
#endif
#ifdef SCMP_ARCH_M68K
	{"SCMP_ARCH_M68K", SCMP_ARCH_M68K},
#else
	{"SCMP_ARCH_M68K", 0},
#endif
#ifdef SCMP_ARCH_SH
	{"SCMP_ARCH_SH", SCMP_ARCH_SH},
	{"SCMP_ARCH_SHEB", SCMP_ARCH_SHEB},
#else
	{"SCMP_ARCH_SH", 0},
	{"SCMP_ARCH_SHEB", 0},
#endif
};

struct flag_name {
	const char *name;
	unsigned int flag;
};

static const struct flag_name flag_names[] = {
	{"SECCOMP_FILTER_FLAG_TSYNC", SECCOMP_FILTER_FLAG_TSYNC},
	{"SECCOMP_FILTER_FLAG_LOG", SECCOMP_FILTER_FLAG_LOG},
	{"SECCOMP_FILTER_FLAG_SPEC_ALLOW", SECCOMP_FILTER_FLAG_SPEC_ALLOW},
	{"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV},
};

/* Printable action for messages; the core table (hr_seccomp_action_name) is not needed here. */
static const char *action_str(enum hr_seccomp_action a)
{
	switch (a) {
	case HR_SCMP_ACT_KILL:
		return "SCMP_ACT_KILL";
	case HR_SCMP_ACT_KILL_PROCESS:
		return "SCMP_ACT_KILL_PROCESS";
	case HR_SCMP_ACT_KILL_THREAD:
		return "SCMP_ACT_KILL_THREAD";
	case HR_SCMP_ACT_TRAP:
		return "SCMP_ACT_TRAP";
	case HR_SCMP_ACT_ERRNO:
		return "SCMP_ACT_ERRNO";
	case HR_SCMP_ACT_TRACE:
		return "SCMP_ACT_TRACE";
	case HR_SCMP_ACT_ALLOW:
		return "SCMP_ACT_ALLOW";
	case HR_SCMP_ACT_LOG:
		return "SCMP_ACT_LOG";
	case HR_SCMP_ACT_NOTIFY:
		return "SCMP_ACT_NOTIFY";
	}
	return "unknown";
}

/*
 * The libseccomp action value.  errnoRet is honoured for ERRNO and TRACE
 * (runc defaults both to EPERM); the runtime-spec makes errnoRet on any
 * other action an error.  what names the rule in messages.
 */
static int action_value(enum hr_seccomp_action a, bool has_errno_ret, unsigned int errno_ret, const char *what,
			uint32_t *out, struct hr_err **err)
{
	unsigned int ret = has_errno_ret ? errno_ret : EPERM;

	if (has_errno_ret && a != HR_SCMP_ACT_ERRNO && a != HR_SCMP_ACT_TRACE)
		return hr_fail(err, EINVAL, "seccomp action `%s` of `%s`: errnoRet is not allowed", action_str(a),
			       what);
	if (ret > ERRNO_RET_MAX)
		return hr_fail(err, EINVAL, "seccomp errnoRet `%u` of `%s`: out of range", ret, what);
	switch (a) {
	case HR_SCMP_ACT_KILL:
	case HR_SCMP_ACT_KILL_THREAD:
		*out = SCMP_ACT_KILL_THREAD;
		return 0;
	case HR_SCMP_ACT_KILL_PROCESS:
		*out = SCMP_ACT_KILL_PROCESS;
		return 0;
	case HR_SCMP_ACT_TRAP:
		*out = SCMP_ACT_TRAP;
		return 0;
	case HR_SCMP_ACT_ERRNO:
		*out = SCMP_ACT_ERRNO(ret);
		return 0;
	case HR_SCMP_ACT_TRACE:
		*out = SCMP_ACT_TRACE(ret);
		return 0;
	case HR_SCMP_ACT_ALLOW:
		*out = SCMP_ACT_ALLOW;
		return 0;
	case HR_SCMP_ACT_LOG:
		*out = SCMP_ACT_LOG;
		return 0;
	case HR_SCMP_ACT_NOTIFY:
		*out = SCMP_ACT_NOTIFY;
		return 0;
	}
	return hr_fail(err, EINVAL, "seccomp action `%d` of `%s`: unknown", (int)a, what);
}

static int cmp_op(enum hr_seccomp_op op, enum scmp_compare *out)
{
	switch (op) {
	case HR_SCMP_CMP_NE:
		*out = SCMP_CMP_NE;
		return 0;
	case HR_SCMP_CMP_LT:
		*out = SCMP_CMP_LT;
		return 0;
	case HR_SCMP_CMP_LE:
		*out = SCMP_CMP_LE;
		return 0;
	case HR_SCMP_CMP_EQ:
		*out = SCMP_CMP_EQ;
		return 0;
	case HR_SCMP_CMP_GE:
		*out = SCMP_CMP_GE;
		return 0;
	case HR_SCMP_CMP_GT:
		*out = SCMP_CMP_GT;
		return 0;
	case HR_SCMP_CMP_MASKED_EQ:
		*out = SCMP_CMP_MASKED_EQ;
		return 0;
	}
	return -1;
}

static int add_archs(scmp_filter_ctx ctx, char *const *archs, struct hr_err **err)
{
	for (; archs && *archs; archs++) {
		const struct arch_name *a = NULL;
		int rc;

		for (size_t i = 0; i < HR_ARRAY_SIZE(arch_names); i++) {
			if (strcmp(arch_names[i].name, *archs) == 0) {
				a = &arch_names[i];
				break;
			}
		}
		if (a == NULL)
			return hr_fail(err, EINVAL, "seccomp architecture `%s`: unknown", *archs);
		if (a->token == 0) {
			/* Syscalls of an architecture missing from the filter hit the bad-arch kill: stricter, not
			 * weaker. */
			hr_log_warn("seccomp architecture `%s` is not supported by libseccomp %u.%u.%u; skipped",
				    *archs, SCMP_VER_MAJOR, SCMP_VER_MINOR, SCMP_VER_MICRO);
			continue;
		}
		rc = seccomp_arch_add(ctx, a->token);
		if (rc < 0 && rc != -EEXIST)
			return hr_fail(err, -rc, "seccomp_arch_add `%s`", *archs);
	}
	return 0;
}

static int parse_flags(char *const *flags, unsigned int *out, struct hr_err **err)
{
	*out = 0;
	for (; flags && *flags; flags++) {
		bool found = false;

		for (size_t i = 0; i < HR_ARRAY_SIZE(flag_names); i++) {
			if (strcmp(flag_names[i].name, *flags) == 0) {
				*out |= flag_names[i].flag;
				found = true;
				break;
			}
		}
		if (!found)
			return hr_fail(err, EINVAL, "seccomp flag `%s`: unknown", *flags);
	}
	return 0;
}

/*
 * Ask the kernel whether it accepts exactly these flags: with a NULL
 * program a known flag set fails with EFAULT (copying the program), an
 * unknown one or a refused combination with EINVAL before that.  This is how
 * libseccomp probes too; nothing is installed.
 */
static int probe_flags(unsigned int flags, struct hr_err **err)
{
	long rc = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, NULL);

	if (rc < 0 && errno == EFAULT)
		return 0;
	if (rc >= 0) /* cannot happen with a NULL program; never leave a listener fd behind */
		close((int)rc);
	return hr_fail(err, rc < 0 ? errno : EINVAL, "probe seccomp filter flags `%#x`", flags);
}

static bool args_share_index(const struct hr_seccomp_rule *r)
{
	unsigned int seen = 0;

	for (size_t i = 0; i < r->n_args; i++) {
		unsigned int bit = 1u << (r->args[i].index & 31);

		if (seen & bit)
			return true;
		seen |= bit;
	}
	return false;
}

static int add_rule(scmp_filter_ctx ctx, const struct hr_seccomp_rule *r, uint32_t act, const char *name,
		    size_t *n_added, struct hr_err **err)
{
	cleanup_free struct scmp_arg_cmp *conds = NULL;
	int nr, rc;

	nr = seccomp_syscall_resolve_name(name);
	if (nr == __NR_SCMP_ERROR) {
		/* runc skips names its libseccomp does not know, so newer profiles still load */
		hr_log_debug("seccomp: unknown syscall `%s` skipped", name);
		return 0;
	}
	if (r->n_args > 0)
		conds = xcalloc(r->n_args, sizeof(*conds));
	for (size_t i = 0; i < r->n_args; i++) {
		const struct hr_seccomp_arg *a = &r->args[i];
		enum scmp_compare op;

		if (a->index > 5)
			return hr_fail(err, EINVAL, "seccomp argument index `%u` of `%s`: out of range", a->index,
				       name);
		if (cmp_op(a->op, &op) < 0)
			return hr_fail(err, EINVAL, "seccomp operator `%d` of `%s`: unknown", (int)a->op, name);
		conds[i].arg = a->index;
		conds[i].op = op;
		conds[i].datum_a = a->value;
		conds[i].datum_b = a->value_two;
	}
	if (args_share_index(r)) {
		/* libseccomp refuses two conditions on one argument in a rule; runc ORs them as separate rules */
		for (size_t i = 0; i < r->n_args; i++) {
			rc = seccomp_rule_add_array(ctx, act, nr, 1, &conds[i]);
			if (rc < 0)
				return hr_fail(err, -rc, "seccomp_rule_add `%s`", name);
			(*n_added)++;
		}
		return 0;
	}
	rc = seccomp_rule_add_array(ctx, act, nr, (unsigned int)r->n_args, conds);
	if (rc < 0)
		return hr_fail(err, -rc, "seccomp_rule_add `%s`", name);
	(*n_added)++;
	return 0;
}

static int export_bpf(scmp_filter_ctx ctx, struct hr_bpf *b, struct hr_err **err)
{
	cleanup_close int fd = -1;
	struct stat st;
	size_t size, done = 0;
	int rc;

	fd = memfd_create("hardrun-seccomp", MFD_CLOEXEC);
	if (fd < 0)
		return hr_fail(err, errno, "memfd_create `hardrun-seccomp`");
	rc = seccomp_export_bpf(ctx, fd);
	if (rc < 0)
		return hr_fail(err, -rc, "seccomp_export_bpf");
	if (fstat(fd, &st) < 0)
		return hr_fail(err, errno, "stat `hardrun-seccomp`");
	size = (size_t)st.st_size;
	if (size == 0 || size % sizeof(struct sock_filter) != 0)
		return hr_fail(err, EINVAL, "seccomp_export_bpf: `%zu` bytes is not a program", size);
	if (size / sizeof(struct sock_filter) > BPF_MAXINSNS)
		return hr_fail(err, E2BIG, "seccomp filter `%zu instructions`: more than %d",
			       size / sizeof(struct sock_filter), BPF_MAXINSNS);
	b->filter = xmalloc(size);
	while (done < size) {
		ssize_t n = pread(fd, (char *)b->filter + done, size - done, (off_t)done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return hr_fail(err, n < 0 ? errno : EIO, "read `hardrun-seccomp`");
		done += (size_t)n;
	}
	b->len = (unsigned short)(size / sizeof(struct sock_filter));
	return 0;
}

int hr_seccomp_compile(const struct hr_seccomp *sc, struct hr_bpf **out, struct hr_err **err)
{
	cleanup_scmp scmp_filter_ctx ctx = NULL;
	struct hr_bpf *b = NULL;
	uint32_t def_act = SCMP_ACT_KILL_PROCESS; /* set by action_value; fail-closed if not */
	unsigned int flags;
	size_t n_added = 0, n_same = 0;
	bool notify = false;
	int rc;

	if (sc == NULL)
		return hr_fail(err, EINVAL, "compile seccomp filter: no profile");
	if (sc->default_action == HR_SCMP_ACT_NOTIFY)
		return hr_fail(err, EINVAL, "seccomp default action `SCMP_ACT_NOTIFY`: not allowed");
	if (action_value(sc->default_action, sc->has_default_errno_ret, sc->default_errno_ret, "defaultAction",
			 &def_act, err) < 0)
		return -1;
	if (parse_flags(sc->flags, &flags, err) < 0)
		return -1;

	ctx = seccomp_init(def_act);
	if (ctx == NULL)
		return hr_fail(err, EINVAL, "seccomp_init `%s`", action_str(sc->default_action));
	if (add_archs(ctx, sc->architectures, err) < 0)
		return -1;

	for (size_t i = 0; i < sc->n_rules; i++) {
		const struct hr_seccomp_rule *r = &sc->rules[i];
		const char *what = r->names && r->names[0] ? r->names[0] : "(none)";
		uint32_t act = SCMP_ACT_KILL_PROCESS;

		if (r->names == NULL || r->names[0] == NULL)
			return hr_fail(err, EINVAL, "seccomp rule `%zu`: no syscall names", i);
		if (action_value(r->action, r->has_errno_ret, r->errno_ret, what, &act, err) < 0)
			return -1;
		if (act == def_act) {
			/* libseccomp rejects a rule equal to the default as redundant (EACCES); so does runc */
			n_same++;
			continue;
		}
		if (r->action == HR_SCMP_ACT_NOTIFY)
			notify = true;
		for (char **n = r->names; *n; n++) {
			if (add_rule(ctx, r, act, *n, &n_added, err) < 0)
				return -1;
		}
	}

	if (notify) {
		flags |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
		/* the kernel refuses TSYNC together with a listener unless TSYNC failures report ESRCH */
		if (flags & SECCOMP_FILTER_FLAG_TSYNC)
			flags |= SECCOMP_FILTER_FLAG_TSYNC_ESRCH;
	} else if (flags & SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV) {
		return hr_fail(err, EINVAL,
			       "seccomp flag `SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV`: needs a SCMP_ACT_NOTIFY rule");
	}
	if (probe_flags(flags, err) < 0)
		return -1;

	b = xzalloc(sizeof(*b));
	b->flags = flags;
	b->notify = notify;
	rc = export_bpf(ctx, b, err);
	if (rc < 0) {
		hr_bpf_free(b);
		return -1;
	}
	hr_log_debug("seccomp: default action %s, %zu rules added, %zu equal to the default skipped, %u instructions, "
		     "flags %#x",
		     action_str(sc->default_action), n_added, n_same, b->len, b->flags);
	*out = b;
	return 0;
}

/* what the compiling child sends back: a header, then the filter or the error text */
struct bounded_msg {
	uint32_t ok;
	uint32_t flags;
	uint32_t notify;
	uint32_t len; /* instructions when ok, else bytes of error text */
};

static HR_NORETURN void compile_child(const struct hr_seccomp *sc, unsigned int cpu_seconds, int fd)
{
	struct rlimit cpu = {cpu_seconds, cpu_seconds + 1}, core = {0, 0};
	struct hr_bpf *b = NULL;
	struct hr_err *e = NULL;
	struct bounded_msg m = {0};
	int r;

	setrlimit(RLIMIT_CORE, &core);
	setrlimit(RLIMIT_CPU, &cpu); /* SIGXCPU, then SIGKILL at the hard limit */
	if (hr_seccomp_compile(sc, &b, &e) < 0) {
		cleanup_free char *text = hr_err_format(e);

		m.len = (uint32_t)strlen(text);
		r = hr_write_all(fd, &m, sizeof(m)) < 0 ? -1 : hr_write_all(fd, text, m.len);
	} else if (b == NULL) {
		_exit(1);
	} else {
		m = (struct bounded_msg){.ok = 1, .flags = b->flags, .notify = b->notify, .len = b->len};
		r = hr_write_all(fd, &m, sizeof(m)) < 0 ? -1 : hr_write_all(fd, b->filter, b->len * sizeof(*b->filter));
	}
	_exit(r < 0 ? 1 : 0);
}

/* Read the child's whole answer (before reaping it, so it never blocks on a full pipe). */
static int read_answer(int fd, struct bounded_msg *m, char **payload)
{
	size_t n;

	*payload = NULL;
	if (hr_read_all(fd, m, sizeof(*m)) < 0)
		return -1;
	n = m->ok ? (size_t)m->len * sizeof(struct sock_filter) : m->len;
	if (m->ok ? m->len == 0 || m->len > BPF_MAXINSNS : n > 65536)
		return -1;
	*payload = xcalloc(1, n + 1); /* + 1: an error text ends in NUL */
	if (hr_read_all(fd, *payload, n) < 0) {
		free(*payload);
		*payload = NULL;
		return -1;
	}
	return 0;
}

int hr_seccomp_compile_bounded(const struct hr_seccomp *sc, unsigned int cpu_seconds, struct hr_bpf **out,
			       struct hr_err **err)
{
	struct bounded_msg m;
	cleanup_free char *payload = NULL;
	struct hr_bpf *b;
	int p[2], ws = 0, got;
	pid_t pid;

	*out = NULL;
	if (pipe2(p, O_CLOEXEC) < 0)
		return hr_fail(err, errno, "linux.seccomp: pipe");
	pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return hr_fail(err, errno, "linux.seccomp: fork");
	}
	if (pid == 0) {
		close(p[0]);
		compile_child(sc, cpu_seconds, p[1]);
	}
	close(p[1]);
	got = read_answer(p[0], &m, &payload);
	close(p[0]);
	while (waitpid(pid, &ws, 0) < 0 && errno == EINTR)
		;
	if (WIFSIGNALED(ws) && (WTERMSIG(ws) == SIGXCPU || WTERMSIG(ws) == SIGKILL))
		return hr_fail(err, 0,
			       "linux.seccomp: the filter did not compile within %u s of CPU time (libseccomp); "
			       "simplify the rules",
			       cpu_seconds);
	if (got < 0)
		return hr_fail(err, EIO, "linux.seccomp: the compiling process failed (status %d)", ws);
	if (!m.ok)
		return hr_fail(err, 0, "%s", payload);
	b = xcalloc(1, sizeof(*b));
	b->filter = (struct sock_filter *)steal_ptr(&payload);
	b->len = (unsigned short)m.len;
	b->flags = m.flags;
	b->notify = m.notify != 0;
	*out = b;
	return 0;
}

void hr_seccomp_lib_version(char *buf, size_t len)
{
	const struct scmp_version *v = seccomp_version();

	snprintf(buf, len, "%u.%u.%u", v->major, v->minor, v->micro);
}

void hr_bpf_free(struct hr_bpf *b)
{
	int saved = errno;

	if (b) {
		free(b->filter);
		free(b);
	}
	errno = saved;
}

int hr_seccomp_load_child(const struct hr_bpf *b, int *notify_fd, struct hr_err **err)
{
	struct sock_fprog prog;
	long rc;

	*notify_fd = -1;
	if (b == NULL || b->filter == NULL || b->len == 0)
		return hr_fail(err, EINVAL, "load seccomp filter: empty program");
	prog.len = b->len;
	prog.filter = b->filter;
	rc = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, b->flags, &prog);
	if (rc < 0)
		return hr_fail(err, errno, "load seccomp filter `%u instructions`", b->len);
	if (b->notify)
		*notify_fd = (int)rc;
	return 0;
}

int hr_seccomp_load_stack_child(const struct hr_bpf *policy, const struct hr_bpf *bundle, int *notify_fd,
				struct hr_err **err)
{
	int unused = -1;

	*notify_fd = -1;
	if (policy && hr_seccomp_load_child(policy, &unused, err) < 0)
		return hr_fail_wrap(err, "policy seccomp filter");
	if (unused >= 0)
		close(unused);
	if (bundle && hr_seccomp_load_child(bundle, notify_fd, err) < 0)
		return -1;
	return 0;
}

const char *hr_seccomp_arch_name(uint32_t token)
{
	for (size_t i = 0; i < HR_ARRAY_SIZE(arch_names); i++)
		if (arch_names[i].token == token && token != 0)
			return arch_names[i].name;
	return NULL;
}

/* The compat architectures a native one runs: their calls are learned too instead of hitting the bad-arch kill. */
static void add_compat_archs(scmp_filter_ctx ctx)
{
	uint32_t native = seccomp_arch_native();

	if (native == SCMP_ARCH_X86_64) {
		seccomp_arch_add(ctx, SCMP_ARCH_X86);
		seccomp_arch_add(ctx, SCMP_ARCH_X32);
	} else if (native == SCMP_ARCH_AARCH64) {
		seccomp_arch_add(ctx, SCMP_ARCH_ARM);
	}
}

int hr_seccomp_compile_learn(const struct hr_scprof *seed, int sync_fd, struct hr_bpf **out, struct hr_err **err)
{
	cleanup_scmp scmp_filter_ctx ctx = NULL;
	struct hr_bpf *b = NULL;
	bool seed_sendmsg = false;
	unsigned int flags = SECCOMP_FILTER_FLAG_NEW_LISTENER;
	size_t n_seed = 0;
	int rc;

	if (sync_fd < 0)
		return hr_fail(err, EBADF, "compile seccomp learn filter: no sync socket");
	ctx = seccomp_init(SCMP_ACT_NOTIFY);
	if (ctx == NULL)
		return hr_fail(err, EINVAL, "seccomp_init `SCMP_ACT_NOTIFY`");
	add_compat_archs(ctx);
	for (size_t i = 0; seed && i < seed->n_names; i++) {
		int nr = seccomp_syscall_resolve_name(seed->names[i]);

		if (nr == __NR_SCMP_ERROR) {
			hr_log_debug("seccomp learn: unknown syscall `%s` of the seed skipped", seed->names[i]);
			continue;
		}
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
		if (rc < 0)
			return hr_fail(err, -rc, "seccomp_rule_add `%s`", seed->names[i]);
		seed_sendmsg = seed_sendmsg || strcmp(seed->names[i], "sendmsg") == 0;
		n_seed++;
	}
	/*
	 * The handoff of the listener itself: without this rule the init's
	 * sendmsg would wait for a supervisor that does not have the fd yet
	 * (runc refuses NOTIFY as a default action for this reason).  Only on
	 * the sync socket's number; the profile lists sendmsg regardless.
	 */
	if (!seed_sendmsg) {
		struct scmp_arg_cmp on_sync = {
			.arg = 0, .op = SCMP_CMP_EQ, .datum_a = (scmp_datum_t)sync_fd, .datum_b = 0};

		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(sendmsg), 1, on_sync);
		if (rc < 0)
			return hr_fail(err, -rc, "seccomp_rule_add `sendmsg`");
	}
	if (probe_flags(flags, err) < 0)
		return -1;
	b = xzalloc(sizeof(*b));
	b->flags = flags;
	b->notify = true;
	if (export_bpf(ctx, b, err) < 0) {
		hr_bpf_free(b);
		return -1;
	}
	hr_log_debug("seccomp learn: default action SCMP_ACT_NOTIFY, %zu seed calls allowed, %u instructions", n_seed,
		     b->len);
	*out = b;
	return 0;
}

int hr_seccomp_load_extra_child(const struct hr_bpf *profile, const struct hr_bpf *learn, int sync_fd,
				struct hr_err **err)
{
	int fd = -1;

	if (profile && hr_seccomp_load_child(profile, &fd, err) < 0)
		return hr_fail_wrap(err, "container seccomp profile");
	if (fd >= 0)
		close(fd);
	fd = -1;
	if (!learn)
		return 0;
	if (hr_seccomp_load_child(learn, &fd, err) < 0)
		return hr_fail_wrap(err, "seccomp learn filter");
	/* the first call after the load: the one the filter allows on the sync socket */
	if (hr_sync_send(sync_fd, HR_SYNC_LEARN, 0, NULL, 0, fd) < 0) {
		int e = errno;

		close(fd);
		return hr_fail(err, e, "send the seccomp learn listener");
	}
	close(fd);
	return 0;
}
