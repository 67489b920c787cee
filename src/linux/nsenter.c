/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Init step 1 (the slow path's stage1): join the namespaces the spec names
 * by path, unshare the rest, write the time offsets and fork the init into
 * the new pid and time namespaces; and becoming root of a new user
 * namespace.  Child side only.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hardrun/apparmor.h"
#include "hardrun/caps.h"
#include "hardrun/fs.h"
#include "hardrun/init.h"
#include "hardrun/log.h"
#include "hardrun/seccomp.h"
#include "hardrun/seccomp_learn.h"
#include "hardrun/selinux.h"
#include "hardrun/strutil.h"
#include "hardrun/sync.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

static HR_NORETURN void die(const struct hr_plan *plan, struct hr_err *err)
{
	hr_sync_die_child(plan->sync_fd, err);
}

/* Become uid/gid 0 of a new user namespace when 0 is mapped (files we create must not be owned by overflowuid). */
void become_ns_root_child(void)
{
	(void)!setresgid(0, 0, 0);
	(void)!setresuid(0, 0, 0);
}

static int join_ns_child(const char *path, int nstype, const char *name, struct hr_err **err)
{
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return hr_fail(err, errno, "open %s namespace `%s`", name, path);
	if (setns(fd, nstype) < 0)
		return hr_fail(err, errno, "join %s namespace `%s`", name, path);
	return 0;
}

static bool same_ns_child(const char *a, const char *b)
{
	struct stat sa, sb;

	return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/*
 * stage1 of the slow path: join namespaces by path (user first, so that
 * the others are joined with its capabilities), create the rest, write the
 * time offsets, then fork the init, which lands in the new pid and time
 * namespaces.  stage1 reports the init's pid and exits.
 */
void stage1_child(struct hr_plan *plan)
{
	const struct hr_linux *lx = &plan->spec->lnx;
	struct hr_err *err = NULL;
	struct hr_sync_msg *m = xmalloc(sizeof(*m));
	unsigned long unshare_flags = plan->new_ns_flags & ~(unsigned long)CLONE_NEWUSER;
	pid_t pid;

	/* the parent moves stage1 into the cgroup first, so that the init is born inside it */
	if (hr_sync_expect(plan->sync_fd, HR_SYNC_MAPS_DONE, m, &err) < 0)
		_exit(HR_EXIT_CHILD_SETUP);
	if (lx->namespaces[HR_NS_USER].present) {
		if (lx->namespaces[HR_NS_USER].path) {
			if (join_ns_child(lx->namespaces[HR_NS_USER].path, CLONE_NEWUSER, "user", &err) < 0)
				die(plan, err);
		} else {
			if (unshare(CLONE_NEWUSER) < 0) {
				hr_fail(&err, errno, "unshare user namespace");
				die(plan, err);
			}
			if (hr_sync_send(plan->sync_fd, HR_SYNC_USERNS, 0, NULL, 0, -1) < 0)
				_exit(HR_EXIT_CHILD_SETUP);
			if (hr_sync_expect(plan->sync_fd, HR_SYNC_MAPS_DONE, m, &err) < 0)
				_exit(HR_EXIT_CHILD_SETUP);
		}
		become_ns_root_child();
	}
	for (int t = 0; t < HR_NS_COUNT; t++) {
		if (t == HR_NS_USER || !lx->namespaces[t].present || !lx->namespaces[t].path)
			continue;
		/* hostname in a joined uts namespace, but never in the runtime's own */
		if (t == HR_NS_UTS && (plan->spec->hostname || plan->spec->domainname) &&
		    same_ns_child(lx->namespaces[t].path, "/proc/self/ns/uts")) {
			hr_fail(&err, 0, "config.json: hostname: the uts namespace `%s` is the runtime's",
				lx->namespaces[t].path);
			die(plan, err);
		}
		if (join_ns_child(lx->namespaces[t].path, (int)hr_ns_clone_flag((enum hr_ns_type)t),
				  hr_ns_type_name((enum hr_ns_type)t), &err) < 0)
			die(plan, err);
	}
	if (unshare_flags && unshare((int)unshare_flags) < 0) {
		hr_fail(&err, errno, "unshare namespaces");
		die(plan, err);
	}
	if ((unshare_flags & CLONE_NEWTIME) &&
	    (lx->time_offsets[HR_CLOCK_MONOTONIC].present || lx->time_offsets[HR_CLOCK_BOOTTIME].present)) {
		char buf[128];
		int len;
		cleanup_close int fd = -1;

		/*
		 * A non-dumpable process's /proc/self files belong to host root,
		 * which the root of a new user namespace is not: be dumpable just
		 * for this write.  Nothing of the container exists yet.
		 */
		prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
		fd = open("/proc/self/timens_offsets", O_WRONLY | O_CLOEXEC);
		prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);

		len = snprintf(buf, sizeof(buf), "monotonic %lld %u\nboottime %lld %u\n",
			       (long long)lx->time_offsets[HR_CLOCK_MONOTONIC].secs,
			       lx->time_offsets[HR_CLOCK_MONOTONIC].nanosecs,
			       (long long)lx->time_offsets[HR_CLOCK_BOOTTIME].secs,
			       lx->time_offsets[HR_CLOCK_BOOTTIME].nanosecs);
		if (fd < 0 || write(fd, buf, (size_t)len) != len) {
			hr_fail(&err, errno, "write `/proc/self/timens_offsets`");
			die(plan, err);
		}
	}
	free(m);
	pid = fork();
	if (pid < 0) {
		hr_fail(&err, errno, "fork container init");
		die(plan, err);
	}
	if (pid == 0)
		return; /* the init continues with the sequence */
	if (hr_sync_send(plan->sync_fd, HR_SYNC_PID, (int32_t)pid, NULL, 0, -1) < 0)
		_exit(HR_EXIT_CHILD_SETUP);
	_exit(0);
}
