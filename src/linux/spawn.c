/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Clone of the container init and the small /proc/PID helpers the runtime
 * needs to find a container's process again.  The child side lives in
 * init.c; the namespace flags are in ns.c and the id maps the parent writes
 * in idmap.c, below both, so that mount.c and init.c need nothing from here.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hardrun/cgroup.h"
#include "hardrun/init.h"
#include "hardrun/log.h"
#include "hardrun/strutil.h"

#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif

/* clone3's argument, version 2 (Linux 5.7): the fields up to cgroup */
struct clone3_args {
	uint64_t flags;
	uint64_t pidfd;
	uint64_t child_tid;
	uint64_t parent_tid;
	uint64_t exit_signal;
	uint64_t stack;
	uint64_t stack_size;
	uint64_t tls;
	uint64_t set_tid;
	uint64_t set_tid_size;
	uint64_t cgroup;
};

/*
 * The clone, straight into the cgroup2 directory where there is one: the
 * kernel then places the child under the read side of the lock whose write
 * side, a cgroup.procs write, waits for an RCU grace period (4 ms idle, more
 * under load).  Any refusal of clone3 (a kernel before 5.7, a seccomp
 * filter around us that answers ENOSYS, a directory that takes no process)
 * falls back to the plain clone, and the runtime joins the directory as
 * before, with its own error line.  No new stack: both behave like fork().
 */
static long clone_init(unsigned long ns_flags, struct hr_cgjoin *j)
{
	if (j && j->v2fd >= 0) {
		struct clone3_args a = {
			.flags = ns_flags | CLONE_INTO_CGROUP, .exit_signal = SIGCHLD, .cgroup = (uint64_t)j->v2fd};
		long pid = syscall(SYS_clone3, &a, sizeof(a));

		if (pid >= 0) {
			j->v2_joined = true;
			return pid;
		}
		hr_log_debug("clone3 into the cgroup2 directory: %s; plain clone", strerror(errno));
	}
	return syscall(SYS_clone, ns_flags | SIGCHLD, NULL, NULL, NULL, NULL);
}

pid_t hr_spawn(struct hr_plan *plan, struct hr_err **err)
{
	unsigned long flags = 0;
	cleanup_close int back = -1;
	long pid;

	/*
	 * Fast path: one clone() creates every namespace at once and the
	 * child is the init.  The time namespace only applies to children of
	 * the unsharing process, and joining by path needs setns() first, so
	 * those go through stage1 (init.c), which forks the init.
	 */
	if (!plan->slow_path)
		flags |= plan->new_ns_flags;
	/*
	 * The init inherits the rootfs as its cwd, and a new mount namespace
	 * carries the cwd over to its copy of the mount, so the init reaches
	 * the rootfs without searching the directories above it.  Joining a
	 * mount namespace by path resets the cwd: the init walks the path then.
	 */
	plan->rootfs_is_cwd = !plan->spec->lnx.namespaces[HR_NS_MOUNT].path;
	if (plan->rootfs_is_cwd) {
		back = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (back < 0)
			return hr_fail(err, errno, "open the working directory");
		if (chdir(plan->rootfs) < 0)
			return hr_fail(err, errno, "chdir `%s`", plan->rootfs);
	}
	pid = clone_init(flags, plan->cgjoin);
	if (pid == 0)
		hr_init_child(plan);
	if (back >= 0 && fchdir(back) < 0 && pid > 0) {
		hr_fail(err, errno, "return to the working directory");
		kill((pid_t)pid, SIGKILL);
		waitpid((pid_t)pid, NULL, 0);
		return -1;
	}
	if (pid < 0)
		return hr_fail(err, errno, "clone container init");
	return (pid_t)pid;
}

uint64_t hr_proc_start_time(pid_t pid)
{
	char path[64], buf[1024];
	cleanup_close int fd = -1;
	ssize_t n;
	char *p;
	uint64_t v = 0;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	/* comm may contain spaces and parentheses: skip to the last ')' */
	p = strrchr(buf, ')');
	if (!p)
		return 0;
	p++;
	/* fields after comm start at 3 (state); starttime is field 22, the 20th token from here */
	p++;
	for (int field = 3; field < 22; field++) {
		while (*p == ' ')
			p++;
		p = strchr(p, ' ');
		if (!p)
			return 0;
	}
	while (*p == ' ')
		p++;
	v = strtoull(p, NULL, 10);
	return v;
}

bool hr_proc_alive(pid_t pid, uint64_t start)
{
	char path[64], buf[512];
	cleanup_close int fd = -1;
	ssize_t n;
	char *p;

	if (pid <= 0)
		return false;
	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	p = strrchr(buf, ')');
	if (!p || p[1] != ' ')
		return false;
	if (p[2] == 'Z' || p[2] == 'X')
		return false;
	if (start != 0 && hr_proc_start_time(pid) != start)
		return false;
	return true;
}
