/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The learn-mode recorder: the loop that receives a container's seccomp
 * user notifications, records each (architecture, syscall) and lets the
 * call go on with SECCOMP_USER_NOTIF_FLAG_CONTINUE, and the atomic write
 * of the learned profile after every call not seen before, so a container
 * killed while learning still leaves a valid profile of what it did.  It
 * never reads the target's memory or arguments: CONTINUE cannot enforce
 * anything (TOCTOU, include/uapi/linux/seccomp.h), so this is recording
 * only, and the container is labelled as not enforcing while it learns.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "hardrun/log.h"
#include "hardrun/scprof.h"
#include "hardrun/seccomp_learn.h"
#include "hardrun/strutil.h"

#ifndef __X32_SYSCALL_BIT
#define __X32_SYSCALL_BIT 0x40000000
#endif

struct learner {
	struct hr_scprof prof;
	int dir_fd;
	char *base; /* file name inside dir_fd */
	/* (arch, nr) pairs already answered, so the file is written only for new ones */
	uint64_t *seen;
	size_t n_seen, cap_seen;
};

/* The whole file; -1 on error or more than 1 MiB (no learned profile is that large). */
static int read_all(int fd, char **out, size_t *len)
{
	size_t cap = 4096, n = 0;
	char *buf = xmalloc(cap);

	for (;;) {
		ssize_t r = read(fd, buf + n, cap - n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 || n > (1u << 20)) {
			free(buf);
			return -1;
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (n == cap)
			buf = xrealloc(buf, cap *= 2);
	}
	*out = buf;
	*len = n;
	return 0;
}

static bool seen_add(struct learner *l, uint32_t arch, int nr)
{
	uint64_t key = ((uint64_t)arch << 32) | (uint32_t)nr;

	for (size_t i = 0; i < l->n_seen; i++)
		if (l->seen[i] == key)
			return false;
	if (l->n_seen == l->cap_seen) {
		l->cap_seen = l->cap_seen ? 2 * l->cap_seen : 256;
		l->seen = xrealloc(l->seen, l->cap_seen * sizeof(*l->seen));
	}
	l->seen[l->n_seen++] = key;
	return true;
}

/* Merge with what the file holds now (an exec'd process may learn into it too) and replace it atomically. */
static int write_profile(struct learner *l, struct hr_err **err)
{
	cleanup_free char *cur = NULL;
	cleanup_free char *text = NULL;
	cleanup_free char *tmp = xasprintf(".%s.%d.tmp", l->base, (int)getpid());
	cleanup_close int fd = -1;
	size_t len = 0;
	int r = -1;

	while (flock(l->dir_fd, LOCK_EX) < 0)
		if (errno != EINTR)
			return hr_fail(err, errno, "lock the directory of `%s`", l->base);
	fd = openat(l->dir_fd, l->base, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd >= 0) {
		struct hr_err *e = NULL;

		if (read_all(fd, &cur, &len) < 0)
			hr_fail(&e, errno, "read `%s`", l->base);
		if (e || hr_scprof_parse(cur, len, l->base, &l->prof, &e) < 0) {
			/* not a learned profile any more: ours replaces it, and says so */
			hr_log_warn("seccomp learn: %s: replaced", e->msg);
			hr_err_free(&e);
		}
		close(fd);
	}
	text = hr_scprof_dump(&l->prof);
	(void)unlinkat(l->dir_fd, tmp, 0);
	fd = openat(l->dir_fd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0) {
		hr_fail(err, errno, "create `%s`", tmp);
		goto out;
	}
	if (hr_write_all(fd, text, strlen(text)) < 0 || fsync(fd) < 0) {
		hr_fail(err, errno, "write `%s`", tmp);
		(void)unlinkat(l->dir_fd, tmp, 0);
		goto out;
	}
	if (renameat(l->dir_fd, tmp, l->dir_fd, l->base) < 0) {
		hr_fail(err, errno, "rename `%s` to `%s`", tmp, l->base);
		(void)unlinkat(l->dir_fd, tmp, 0);
		goto out;
	}
	r = 0;
out:
	flock(l->dir_fd, LOCK_UN);
	return r;
}

/* Name (arch, nr) and add it; true when the profile grew. */
static bool record(struct learner *l, uint32_t arch, int nr)
{
	uint32_t a = arch;
	const char *an;
	char *name;
	bool grew;

	if (arch == AUDIT_ARCH_X86_64 && (nr & __X32_SYSCALL_BIT))
		a = SCMP_ARCH_X32;
	an = hr_seccomp_arch_name(a);
	name = seccomp_syscall_resolve_num_arch(a, nr);
	if (!name && a == SCMP_ARCH_X32)
		name = seccomp_syscall_resolve_num_arch(a, nr & ~__X32_SYSCALL_BIT);
	if (!an || !name || !hr_scprof_name_valid(name)) {
		/* an enforced profile can only name calls libseccomp knows: this one stays refused there */
		hr_log_warn("seccomp learn: syscall %d of architecture %#x has no name in libseccomp: not recorded", nr,
			    arch);
		free(name);
		return false;
	}
	grew = hr_scprof_add_arch(&l->prof, an);
	grew = hr_scprof_add_name(&l->prof, name) || grew;
	free(name);
	return grew;
}

static int serve_loop(struct learner *l, int fd, int pidfd, struct hr_err **err)
{
	struct seccomp_notif_sizes sz = {0};
	cleanup_free struct seccomp_notif *req = NULL;
	cleanup_free struct seccomp_notif_resp *resp = NULL;
	size_t req_len, resp_len;

	if (syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sz) < 0)
		return hr_fail(err, errno, "seccomp learn: SECCOMP_GET_NOTIF_SIZES");
	/* the kernel's structs may be larger than our headers' */
	req_len = sz.seccomp_notif > sizeof(*req) ? sz.seccomp_notif : sizeof(*req);
	resp_len = sz.seccomp_notif_resp > sizeof(*resp) ? sz.seccomp_notif_resp : sizeof(*resp);
	req = xzalloc(req_len);
	resp = xzalloc(resp_len);
	for (;;) {
		struct pollfd p[2] = {{fd, POLLIN, 0}, {pidfd, POLLIN, 0}};
		uint64_t id;

		if (poll(p, pidfd >= 0 ? 2 : 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			return hr_fail(err, errno, "seccomp learn: poll");
		}
		if (!(p[0].revents & POLLIN)) {
			if (p[0].revents & (POLLHUP | POLLERR | POLLNVAL))
				return 0; /* no task of the filter is left: the container ended */
			if (pidfd >= 0 && p[1].revents)
				return 0; /* kernels before 5.8 never hang up: the init's exit ends learning */
			continue;
		}
		/* the kernel refuses a receive buffer that is not zeroed (EINVAL) */
		memset(req, 0, req_len);
		if (ioctl(fd, SECCOMP_IOCTL_NOTIF_RECV, req) < 0) {
			if (errno == EINTR || errno == ENOENT)
				continue; /* the task was interrupted or died before we read it */
			return hr_fail(err, errno, "seccomp learn: SECCOMP_IOCTL_NOTIF_RECV");
		}
		id = req->id;
		/* a notification whose task died meanwhile is not a call the workload made */
		if (ioctl(fd, SECCOMP_IOCTL_NOTIF_ID_VALID, &id) == 0 && seen_add(l, req->data.arch, req->data.nr) &&
		    record(l, req->data.arch, req->data.nr)) {
			struct hr_err *e = NULL;

			/* a full disk must not break the workload: the next new call tries again */
			if (write_profile(l, &e) < 0) {
				hr_log_warn("seccomp learn: %s", e->msg);
				hr_err_free(&e);
			}
		}
		memset(resp, 0, resp_len);
		resp->id = req->id;
		resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
		if (ioctl(fd, SECCOMP_IOCTL_NOTIF_SEND, resp) < 0 && errno != ENOENT && errno != EINTR)
			return hr_fail(err, errno, "seccomp learn: SECCOMP_IOCTL_NOTIF_SEND");
	}
}

static const char *const timing_calls[] = {"futex", "restart_syscall", "sched_yield"};

int hr_seccomp_learn_serve(int notify_fd, int pidfd, const char *out_path, struct hr_err **err)
{
	struct learner l = {.dir_fd = -1};
	cleanup_free char *dir = xstrdup(out_path);
	char *slash = strrchr(dir, '/');
	const char *native = hr_seccomp_arch_name(seccomp_arch_native());
	int r = -1;

	if (!slash || !slash[1])
		return hr_fail(err, EINVAL, "seccomp learn: `%s` is not an absolute file path", out_path);
	*slash = '\0';
	l.base = slash + 1;
	l.dir_fd = open(dir[0] ? dir : "/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (l.dir_fd < 0)
		return hr_fail(err, errno, "seccomp learn: open `%s`", dir[0] ? dir : "/");
	/* what the profile always needs: the native architecture and the handoff call the filter lets through */
	if (native)
		hr_scprof_add_arch(&l.prof, native);
	hr_scprof_add_name(&l.prof, "sendmsg");
	/* enforced, the profile is the first filter: the ones after it are loaded through it */
	hr_scprof_add_name(&l.prof, "seccomp");
	/*
	 * Calls whose use depends on timing, not on the program: a futex wait
	 * only under contention (pthread_join of a thread still running),
	 * restart_syscall only after a signal interrupts a sleep.  A run that
	 * happened not to make them would learn a profile on which the next
	 * run crashes (glibc treats a failing futex as fatal).
	 */
	for (size_t i = 0; i < HR_ARRAY_SIZE(timing_calls); i++)
		hr_scprof_add_name(&l.prof, timing_calls[i]);
	if (write_profile(&l, err) < 0)
		goto out;
	r = serve_loop(&l, notify_fd, pidfd, err);
out:
	close(l.dir_fd);
	hr_scprof_free(&l.prof);
	free(l.seen);
	return r;
}

int hr_seccomp_learn_supported(struct hr_err **err)
{
	struct utsname u;
	unsigned long major = 0, minor = 0;
	char *end = NULL;

	if (uname(&u) < 0)
		return hr_fail(err, errno, "seccomp learn mode: uname");
	major = strtoul(u.release, &end, 10);
	if (end && *end == '.')
		minor = strtoul(end + 1, NULL, 10);
	if (major < 5 || (major == 5 && minor < 5))
		return hr_fail(err, ENOSYS,
			       "seccomp learn mode needs Linux 5.5 or newer (SECCOMP_USER_NOTIF_FLAG_CONTINUE); this "
			       "kernel is %s",
			       u.release);
	return 0;
}
