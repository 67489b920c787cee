/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The OCI seccomp object → libseccomp → exported BPF (parent), and the
 * raw seccomp(2) load (child).  The child never calls libseccomp.
 */
#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include "hardrun/log.h"
#include "hardrun/seccomp.h"
#include "hardrun/strutil.h"

#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif

static void release_ctx(scmp_filter_ctx *c)
{
	if (*c)
		seccomp_release(*c);
}
#define cleanup_seccomp __attribute__((cleanup(release_ctx)))

void hr_bpf_free(struct hr_bpf *b)
{
	if (!b)
		return;
	free(b->filter);
	free(b);
}

static uint32_t to_action(enum hr_seccomp_action a, bool has_errno, unsigned int errnum)
{
	switch (a) {
	case HR_SCMP_ACT_KILL:
	case HR_SCMP_ACT_KILL_THREAD:
		return SCMP_ACT_KILL_THREAD;
	case HR_SCMP_ACT_KILL_PROCESS:
		return SCMP_ACT_KILL_PROCESS;
	case HR_SCMP_ACT_TRAP:
		return SCMP_ACT_TRAP;
	case HR_SCMP_ACT_ERRNO:
		return SCMP_ACT_ERRNO(has_errno ? errnum : EPERM);
	case HR_SCMP_ACT_TRACE:
		return SCMP_ACT_TRACE(has_errno ? errnum : EPERM);
	case HR_SCMP_ACT_ALLOW:
		return SCMP_ACT_ALLOW;
	case HR_SCMP_ACT_LOG:
		return SCMP_ACT_LOG;
	case HR_SCMP_ACT_NOTIFY:
		return SCMP_ACT_NOTIFY;
	}
	return SCMP_ACT_KILL_PROCESS;
}

static enum scmp_compare to_op(enum hr_seccomp_op op)
{
	switch (op) {
	case HR_SCMP_CMP_NE:
		return SCMP_CMP_NE;
	case HR_SCMP_CMP_LT:
		return SCMP_CMP_LT;
	case HR_SCMP_CMP_LE:
		return SCMP_CMP_LE;
	case HR_SCMP_CMP_EQ:
		return SCMP_CMP_EQ;
	case HR_SCMP_CMP_GE:
		return SCMP_CMP_GE;
	case HR_SCMP_CMP_GT:
		return SCMP_CMP_GT;
	case HR_SCMP_CMP_MASKED_EQ:
		return SCMP_CMP_MASKED_EQ;
	}
	return SCMP_CMP_EQ;
}

static int add_arch(scmp_filter_ctx ctx, const char *name, struct hr_err **err)
{
	char lower[32];
	const char *n = name + strlen("SCMP_ARCH_");
	uint32_t arch;
	int r;
	size_t i;

	for (i = 0; i < sizeof(lower) - 1 && n[i]; i++)
		lower[i] = (char)tolower((unsigned char)n[i]);
	lower[i] = '\0';
	arch = seccomp_arch_resolve_name(lower);
	if (arch == 0)
		return hr_fail(err, 0, "seccomp: architecture `%s` is unknown to libseccomp", name);
	r = seccomp_arch_add(ctx, arch);
	if (r < 0 && r != -EEXIST)
		return hr_fail(err, -r, "seccomp_arch_add `%s`", name);
	return 0;
}

static int add_rule(scmp_filter_ctx ctx, const struct hr_seccomp_rule *rule, uint32_t action, int nr, const char *name,
		    struct hr_err **err)
{
	struct scmp_arg_cmp cmps[6];
	bool dup = false;
	int r;

	if (rule->n_args > 6)
		return hr_fail(err, E2BIG, "seccomp rule for `%s`: more than 6 argument conditions", name);
	for (size_t i = 0; i < rule->n_args; i++) {
		for (size_t k = 0; k < i; k++)
			dup = dup || rule->args[k].index == rule->args[i].index;
		cmps[i] = (struct scmp_arg_cmp){.arg = rule->args[i].index,
						.op = to_op(rule->args[i].op),
						.datum_a = rule->args[i].value,
						.datum_b = rule->args[i].value_two};
	}
	/*
	 * libseccomp refuses two conditions on one argument in one rule; like
	 * runc, such a list becomes one rule per condition.
	 */
	if (dup) {
		for (size_t i = 0; i < rule->n_args; i++) {
			r = seccomp_rule_add_array(ctx, action, nr, 1, &cmps[i]);
			if (r < 0)
				return hr_fail(err, -r, "seccomp_rule_add `%s`", name);
		}
		return 0;
	}
	r = seccomp_rule_add_array(ctx, action, nr, (unsigned int)rule->n_args, cmps);
	if (r < 0)
		return hr_fail(err, -r, "seccomp_rule_add `%s`", name);
	return 0;
}

int hr_seccomp_compile(const struct hr_seccomp *sc, struct hr_bpf **out, struct hr_err **err)
{
	cleanup_seccomp scmp_filter_ctx ctx = NULL;
	cleanup_close int fd = -1;
	uint32_t def = to_action(sc->default_action, sc->has_default_errno_ret, sc->default_errno_ret);
	struct hr_bpf *b = NULL;
	off_t size;
	size_t added = 0;
	int r;

	ctx = seccomp_init(def);
	if (!ctx)
		return hr_fail(err, EINVAL, "seccomp_init with default action `%s`",
			       hr_seccomp_action_name(sc->default_action));
	/* no_new_privs is hardrun's decision, made in the init, not libseccomp's */
	seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
	for (char **a = sc->architectures; a && *a; a++)
		if (add_arch(ctx, *a, err) < 0)
			return -1;
	for (size_t i = 0; i < sc->n_rules; i++) {
		const struct hr_seccomp_rule *rule = &sc->rules[i];
		uint32_t action = to_action(rule->action, rule->has_errno_ret, rule->errno_ret);

		if (action == def)
			continue; /* libseccomp refuses a rule equal to the default */
		for (char **n = rule->names; n && *n; n++) {
			int nr = seccomp_syscall_resolve_name(*n);

			if (nr == __NR_SCMP_ERROR) {
				hr_log_debug("seccomp: syscall `%s` unknown to libseccomp, skipped", *n);
				continue;
			}
			if (add_rule(ctx, rule, action, nr, *n, err) < 0)
				return -1;
			added++;
		}
	}
	fd = memfd_create("hardrun-seccomp", MFD_CLOEXEC);
	if (fd < 0)
		return hr_fail(err, errno, "memfd_create");
	r = seccomp_export_bpf(ctx, fd);
	if (r < 0)
		return hr_fail(err, -r, "seccomp_export_bpf");
	size = lseek(fd, 0, SEEK_END);
	if (size <= 0 || size % (off_t)sizeof(struct sock_filter) != 0 ||
	    size / (off_t)sizeof(struct sock_filter) > BPF_MAXINSNS)
		return hr_fail(err, E2BIG, "seccomp: filter of %lld bytes", (long long)size);
	b = xzalloc(sizeof(*b));
	b->filter = xmalloc((size_t)size);
	b->len = (unsigned short)(size / (off_t)sizeof(struct sock_filter));
	b->n_rules = added;
	if (pread(fd, b->filter, (size_t)size, 0) != size) {
		hr_bpf_free(b);
		return hr_fail(err, errno, "read exported seccomp filter");
	}
	for (size_t i = 0; i < sc->n_rules; i++)
		if (sc->rules[i].action == HR_SCMP_ACT_NOTIFY)
			b->notify = true;
	for (char **f = sc->flags; f && *f; f++) {
		if (strcmp(*f, "SECCOMP_FILTER_FLAG_LOG") == 0)
			b->flags |= SECCOMP_FILTER_FLAG_LOG;
		else if (strcmp(*f, "SECCOMP_FILTER_FLAG_SPEC_ALLOW") == 0)
			b->flags |= SECCOMP_FILTER_FLAG_SPEC_ALLOW;
		else if (strcmp(*f, "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV") == 0)
			b->flags |= SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;
		/* TSYNC: the init is single-threaded, synchronising threads is a no-op */
	}
	if (b->notify)
		b->flags |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
	hr_log_debug("seccomp: default %s, %zu rules, %u BPF instructions", hr_seccomp_action_name(sc->default_action),
		     added, b->len);
	*out = b;
	return 0;
}

int hr_seccomp_load_child(const struct hr_bpf *b, int *notify_fd, struct hr_err **err)
{
	struct sock_fprog prog = {.len = b->len, .filter = b->filter};
	long r;

	*notify_fd = -1;
	r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, b->flags, &prog);
	if (r < 0)
		return hr_fail(err, errno, "load seccomp filter");
	if (b->notify)
		*notify_fd = (int)r;
	return 0;
}

int hr_seccomp_send_listener(const char *listener_path, int notify_fd, const char *metadata, const char *state_json,
			     pid_t pid, struct hr_err **err)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	cleanup_close int fd = -1;
	json_t *st = json_loads(state_json, 0, NULL);
	json_t *msg;
	char *text;
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov;
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof(u.buf)};
	struct cmsghdr *c;
	ssize_t n;

	if (strlen(listener_path) >= sizeof(sa.sun_path)) {
		json_decref(st);
		return hr_fail(err, ENAMETOOLONG, "seccomp listener `%s`", listener_path);
	}
	memcpy(sa.sun_path, listener_path, strlen(listener_path) + 1);
	msg = json_pack("{s:s, s:[s], s:i, s:s, s:o}", "ociVersion", "1.2.0", "fds", "seccompFd", "pid", (int)pid,
			"metadata", metadata ? metadata : "", "state", st ? st : json_object());
	text = json_dumps(msg, JSON_COMPACT);
	json_decref(msg);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		free(text);
		return hr_fail(err, errno, "connect to seccomp listener `%s`", listener_path);
	}
	memset(&u, 0, sizeof(u));
	iov.iov_base = text;
	iov.iov_len = strlen(text);
	c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &notify_fd, sizeof(int));
	n = sendmsg(fd, &mh, MSG_NOSIGNAL);
	free(text);
	if (n < 0)
		return hr_fail(err, errno, "send to seccomp listener `%s`", listener_path);
	return 0;
}
