/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The container init's privileged sequence, in the order of runc's
 * standard_init_linux.go / finalizeNamespace.  It only applies the plan the
 * parent computed; every failure is reported over the sync socket and ends
 * the child with _exit(HR_EXIT_CHILD_SETUP).  There is no "warn and
 * continue" for a protection the spec asked for.
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

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

static HR_NORETURN void die(const struct hr_plan *plan, struct hr_err *err)
{
	hr_sync_die_child(plan->sync_fd, err);
}

static int cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

/*
 * Close every fd the runtime happened to hold (state root, state dir and
 * its lock, the caller's leftovers) except stdio, the preserved fds and
 * the plan's own: host directory fds must never reach the container
 * (CVE-2024-21626), and an inherited flock would block the runtime.
 */
void hr_close_fds_except_child(int preserve_fds, const int *keep_in, size_t n_keep)
{
	cleanup_free int *keep = xcalloc(n_keep + 1, sizeof(int));
	size_t n = 0;
	unsigned int from = 3 + (unsigned int)preserve_fds;

	for (size_t i = 0; i < n_keep; i++)
		keep[n++] = keep_in[i];
	qsort(keep, n, sizeof(int), cmp_int);
	for (size_t i = 0; i < n; i++) {
		if (keep[i] < 0 || (unsigned int)keep[i] < from)
			continue;
		if ((unsigned int)keep[i] > from)
			syscall(SYS_close_range, from, (unsigned int)keep[i] - 1, 0);
		from = (unsigned int)keep[i] + 1;
	}
	syscall(SYS_close_range, from, ~0U, 0);
}

void hr_reset_signals_child(void)
{
	sigset_t none;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	for (int s = 1; s < NSIG; s++)
		if (s != SIGKILL && s != SIGSTOP)
			signal(s, SIG_DFL);
}

/* Become uid/gid 0 of a new user namespace when 0 is mapped (files we create must not be owned by overflowuid). */
static void become_ns_root_child(void)
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
static void stage1_child(struct hr_plan *plan)
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

static int open_devnull_child(struct hr_err **err)
{
	cleanup_close int fd = open("/dev/null", O_PATH | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;

	if (fd < 0)
		return hr_fail(err, errno, "open host `/dev/null`");
	if (fstat(fd, &st) < 0)
		return hr_fail(err, errno, "stat host `/dev/null`");
	if (!S_ISCHR(st.st_mode) || major(st.st_rdev) != 1 || minor(st.st_rdev) != 3)
		return hr_fail(err, EPERM, "host `/dev/null` is not the 1:3 character device");
	return steal_fd(&fd);
}

static int sysctls_child(const struct hr_plan *plan, struct hr_err **err)
{
	const struct hr_linux *lx = &plan->spec->lnx;

	for (size_t i = 0; i < lx->n_sysctl; i++) {
		cleanup_free char *rel = xstrdup(lx->sysctl[i].key);
		cleanup_close int fd = -1;
		size_t len = strlen(lx->sysctl[i].value);

		for (char *p = rel; *p; p++)
			if (*p == '.')
				*p = '/';
		if (strstr(rel, "..") || rel[0] == '/')
			return hr_fail(err, EINVAL, "sysctl `%s`: invalid name", lx->sysctl[i].key);
		/*
		 * Opened relative to the host's /proc/sys fd taken before clone,
		 * so no container mount can redirect the write (CVE-2025-52881);
		 * the lookup happens in this process's own namespaces.
		 */
		fd = openat(plan->procsys_fd, rel, O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			return hr_fail(err, errno, "sysctl `%s`", lx->sysctl[i].key);
		if (write(fd, lx->sysctl[i].value, len) != (ssize_t)len)
			return hr_fail(err, errno, "sysctl `%s`", lx->sysctl[i].key);
	}
	return 0;
}

int hr_rlimits_apply_child(const struct hr_process *p, struct hr_err **err)
{
	for (size_t i = 0; i < p->n_rlimits; i++) {
		struct rlimit rl = {.rlim_cur = p->rlimits[i].soft, .rlim_max = p->rlimits[i].hard};

		if (setrlimit(p->rlimits[i].resource, &rl) < 0)
			return hr_fail(err, errno, "setrlimit %d to %llu:%llu", p->rlimits[i].resource,
				       (unsigned long long)rl.rlim_cur, (unsigned long long)rl.rlim_max);
	}
	return 0;
}

/* chdir into process.cwd and prove it is inside the container (CVE-2024-21626). */
int hr_cwd_enter_child(const char *cwd, struct hr_err **err)
{
	char buf[PATH_MAX];

	if (chdir(cwd) < 0)
		return hr_fail(err, errno, "chdir to cwd `%s`", cwd);
	if (getcwd(buf, sizeof(buf)) == NULL)
		return hr_fail(err, errno, "verify cwd `%s`", cwd);
	if (buf[0] != '/')
		return hr_fail(err, EPERM, "cwd `%s` is outside the container: possible breakout", cwd);
	return 0;
}

/*
 * dockerd maps a failed create to exit status 127 or 126 by looking for Go's
 * errno texts, which are lowercase ("no such file or directory",
 * "permission denied"), in the runtime's error; strerror's capitalised text
 * gives 125.  Spell the two the way runc's messages do.
 */
static int fail_exec(struct hr_err **err, int errnum, const char *arg0)
{
	if (errnum == ENOENT)
		return hr_fail(err, 0, "exec `%s`: no such file or directory", arg0);
	if (errnum == EACCES)
		return hr_fail(err, 0, "exec `%s`: permission denied", arg0);
	return hr_fail(err, errnum, "exec `%s`", arg0);
}

/* Look up args[0] in the container's PATH, from process.env (not our own environment). */
int hr_exec_resolve_child(char *const *argv, char *const *envp, char *out, size_t outlen, struct hr_err **err)
{
	const char *arg0 = argv[0];
	const char *path = DEFAULT_PATH;
	int last_errno = ENOENT;

	if (strchr(arg0, '/')) {
		struct stat st;

		if (stat(arg0, &st) < 0)
			return fail_exec(err, errno, arg0);
		if (S_ISDIR(st.st_mode))
			return hr_fail(err, 0, "exec `%s`: is a directory: permission denied", arg0);
		snprintf(out, outlen, "%s", arg0);
		return 0;
	}
	for (char *const *e = envp; e && *e; e++)
		if (hr_str_has_prefix(*e, "PATH="))
			path = *e + 5;
	while (path) {
		const char *colon = strchr(path, ':');
		size_t dlen = colon ? (size_t)(colon - path) : strlen(path);
		struct stat st;
		int n;

		n = snprintf(out, outlen, "%.*s/%s", (int)dlen, dlen ? path : ".", arg0);
		if (n > 0 && (size_t)n < outlen && stat(out, &st) == 0 && S_ISREG(st.st_mode)) {
			if (access(out, X_OK) == 0)
				return 0;
			last_errno = EACCES;
		}
		path = colon ? colon + 1 : NULL;
	}
	if (last_errno == EACCES)
		return fail_exec(err, EACCES, arg0);
	return hr_fail(err, 0, "exec `%s`: executable file not found in $PATH", arg0);
}

/*
 * runc sets HOME when process.env lacks it: the user's home from the
 * container's own /etc/passwd (read after pivot_root), else "/".
 */
static void default_home_child(struct hr_plan *plan)
{
	char line[1024], *home = NULL;
	FILE *f;
	size_t n = 0;

	for (char **e = plan->exec_env; e && *e; e++, n++)
		if (hr_str_has_prefix(*e, "HOME="))
			return;
	f = fopen("/etc/passwd", "re");
	while (f && fgets(line, sizeof(line), f)) {
		char *fields[7] = {0}, *save = NULL, *p = line;
		int nf = 0;
		uint32_t uid;

		/* strtok would merge empty fields: split by hand */
		for (; nf < 7 && p; nf++) {
			fields[nf] = strsep(&p, ":");
		}
		(void)save;
		if (nf >= 6 && hr_parse_u32(fields[2], &uid) == 0 && uid == plan->spec->process->user.uid) {
			home = fields[5][0] ? xstrdup(fields[5]) : NULL;
			break;
		}
	}
	if (f)
		fclose(f);
	plan->exec_env = xrealloc(n ? hr_strv_dup(plan->exec_env) : NULL, (n + 2) * sizeof(char *));
	plan->exec_env[n] = xasprintf("HOME=%s", home ? home : "/");
	plan->exec_env[n + 1] = NULL;
	free(home);
}

HR_NORETURN void hr_exec_failed_child(const char *what, int e)
{
	char buf[512];
	int n = snprintf(buf, sizeof(buf), "hardrun: exec `%s`: %s\n", what, strerror(e));

	if (n > 0)
		(void)!write(2, buf, (size_t)n);
	_exit(e == ENOENT ? 127 : 126);
}

void hr_init_child(struct hr_plan *plan)
{
	const struct hr_spec *spec = plan->spec;
	const struct hr_process *proc = spec->process;
	struct hr_err *err = NULL;
	struct hr_sync_msg *msg = xmalloc(sizeof(*msg));
	cleanup_free char *state_json = NULL;
	size_t state_len = 0;
	cleanup_close int rootfs_fd = -1;
	char exe[PATH_MAX];
	int notify_fd = -1;
	int term_fd = -1;
	char byte;
	ssize_t n;

	/* 0. no ptrace or /proc/PID access from the container until execve (CVE-2016-9962) */
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	/*
	 * 0. the child's stderr is the container's: its log lines go only to
	 * the log file, which it closes before the workload's cwd is entered
	 */
	hr_log_set_stderr(false);
	/* 0. the launcher's log pipes become the workload's stdio, before the close below drops the originals */
	for (int i = 0; plan->redirect_stdio && i < 3; i++)
		if (plan->stdio_fds[i] >= 3 && dup2(plan->stdio_fds[i], i) < 0)
			_exit(HR_EXIT_CHILD_SETUP);
	/* 0. only the planned fds survive */
	{
		size_t nm = plan->idmap_trees ? plan->spec->n_mounts : 0;
		cleanup_free int *keep = xcalloc(6 + nm, sizeof(int));

		keep[0] = plan->sync_fd;
		keep[1] = plan->fifo_fd;
		keep[2] = plan->procsys_fd;
		keep[3] = plan->console_fd;
		keep[4] = plan->log_fd;
		keep[5] = plan->root_tree;
		for (size_t i = 0; i < nm; i++)
			keep[6 + i] = plan->idmap_trees[i];
		hr_close_fds_except_child(plan->preserve_fds, keep, 6 + nm);
	}
	/* 0. the runtime may block signals for forwarding; the workload starts clean */
	hr_reset_signals_child();
	/* 0. die with the runtime while it still supervises the setup */
	if (!plan->slow_path)
		prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	/* 1. slow path: join namespaces by path, fork the init into new pid/time namespaces */
	if (plan->slow_path)
		stage1_child(plan);
	/* 1. wait until the parent wrote the id maps and moved us into the cgroup */
	if (hr_sync_expect_large(plan->sync_fd, HR_SYNC_GO, msg, &state_json, &state_len, &err) < 0)
		die(plan, err);
	if (plan->userns && !plan->slow_path)
		become_ns_root_child();
	/* 1. the cgroup namespace is made after entering the cgroup, so its root is the container's cgroup */
	if (plan->new_cgroupns && unshare(CLONE_NEWCGROUP) < 0) {
		hr_fail(&err, errno, "unshare cgroup namespace");
		die(plan, err);
	}

	/*
	 * 2. keep our mounts from propagating to the host.  unbindable waits
	 * for the new `/` (after pivot_root): made now, the host's /dev/null
	 * and every bind source could no longer be cloned
	 */
	if (!plan->host_mntns &&
	    mount(NULL, "/", NULL,
		  MS_REC | (spec->lnx.rootfs_propagation_flags & (MS_SHARED | MS_SLAVE | MS_PRIVATE) ?: MS_SLAVE),
		  NULL) < 0) {
		hr_fail(&err, errno, "set propagation of `/`");
		die(plan, err);
	}
	/*
	 * 2. the rootfs becomes a mount of its own, so pivot_root and read-only
	 * apply to it: the idmapped tree the parent prepared, else a self-bind
	 */
	rootfs_fd = hr_rootfs_mount_child(plan, &err);
	if (rootfs_fd < 0)
		die(plan, err);
	/*
	 * 2. the host's /dev/null for masking, opened in our mount namespace
	 * (open_tree cannot clone a mount of another namespace) before any
	 * container mount exists, and verified as 1:3 (CVE-2025-31133)
	 */
	plan->devnull_fd = open_devnull_child(&err);
	if (plan->devnull_fd < 0)
		die(plan, err);
	/* 2. config mounts in order, then /dev nodes */
	if (hr_mounts_apply_child(plan, rootfs_fd, &err) < 0 || hr_dev_setup_child(plan, rootfs_fd, &err) < 0)
		die(plan, err);
	/* 2. the terminal comes from the container's devpts; /dev/console is its peer */
	if (proc->terminal) {
		term_fd = hr_terminal_setup_child(plan, rootfs_fd, &err);
		if (term_fd < 0)
			die(plan, err);
		close(plan->console_fd);
		plan->console_fd = -1;
	}
	/* 3. namespaced sysctls through the host /proc/sys fd, while nothing of the container runs */
	if (sysctls_child(plan, &err) < 0)
		die(plan, err);
	/* 2. prestart/createRuntime hooks run in the runtime namespace, now that ours exist */
	if (spec->hooks[HR_HOOK_PRESTART].n || spec->hooks[HR_HOOK_CREATE_RUNTIME].n) {
		if (hr_sync_send(plan->sync_fd, HR_SYNC_HOOKS, 0, NULL, 0, -1) < 0 ||
		    hr_sync_expect(plan->sync_fd, HR_SYNC_HOOKS_DONE, msg, &err) < 0)
			_exit(HR_EXIT_CHILD_SETUP);
	}
	/* 2. createContainer hooks: container namespaces, before pivot_root (runtime-spec) */
	if (hr_hooks_exec(&spec->hooks[HR_HOOK_CREATE_CONTAINER], "createContainer", state_json, &err) < 0)
		die(plan, err);
	/* 2. masked and read-only paths after every mount, so nothing mounted later uncovers them */
	if (hr_paths_protect_child(plan, rootfs_fd, &err) < 0)
		die(plan, err);
	/* 2. read-only rootfs: only the root mount, submounts keep their own flags */
	if (spec->root_readonly) {
		struct mount_attr ro = {.attr_set = MOUNT_ATTR_RDONLY};

		if (mount_setattr(rootfs_fd, "", AT_EMPTY_PATH, &ro, sizeof(ro)) < 0) {
			hr_fail(&err, errno, "make rootfs read-only");
			die(plan, err);
		}
	}
	/* 2. the policy's nosuid,nodev for the root mount (runtime-spec has no root mount options) */
	if (spec->root_nosuid_nodev) {
		struct mount_attr ns = {.attr_set = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV};

		if (mount_setattr(rootfs_fd, "", AT_EMPTY_PATH, &ns, sizeof(ns)) < 0) {
			hr_fail(&err, errno, "make rootfs nosuid,nodev");
			die(plan, err);
		}
	}
	/* 2. pivot_root and detach the host's tree */
	if (hr_rootfs_pivot_child(plan, rootfs_fd, &err) < 0)
		die(plan, err);
	hr_cleanup_closep(&rootfs_fd);

	/* 3. hostname, domainname, personality, rlimits */
	if (spec->hostname && sethostname(spec->hostname, strlen(spec->hostname)) < 0) {
		hr_fail(&err, errno, "sethostname `%s`", spec->hostname);
		die(plan, err);
	}
	if (spec->domainname && setdomainname(spec->domainname, strlen(spec->domainname)) < 0) {
		hr_fail(&err, errno, "setdomainname `%s`", spec->domainname);
		die(plan, err);
	}
	if (spec->lnx.has_personality && personality(spec->lnx.personality) < 0) {
		hr_fail(&err, errno, "personality %#lx", spec->lnx.personality);
		die(plan, err);
	}
	if (hr_rlimits_apply_child(proc, &err) < 0)
		die(plan, err);
	/* 4. AppArmor label for the next execve, while still privileged */
	if (proc->apparmor_profile && hr_apparmor_apply_child(proc->apparmor_profile, &err) < 0)
		die(plan, err);
	if (proc->selinux_label && proc->selinux_label[0] && hr_selinux_apply_child(proc->selinux_label, &err) < 0)
		die(plan, err);
	/*
	 * 3. a session of its own: in the runtime's process group, kill(0)
	 * from inside the container would reach processes outside it
	 */
	if (term_fd < 0 && setsid() < 0) {
		hr_fail(&err, errno, "setsid");
		die(plan, err);
	}
	/* 3. a new session on the pty, before ids change */
	if (term_fd >= 0) {
		if (hr_terminal_attach_child(term_fd, &err) < 0)
			die(plan, err);
		close(term_fd);
	}
	/* 5. no_new_privs */
	if (proc->no_new_privileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		hr_fail(&err, errno, "set no_new_privs");
		die(plan, err);
	}
	/* 7. host fds must be gone before the cwd is resolved (CVE-2024-21626) */
	hr_cleanup_closep(&plan->procsys_fd);
	hr_cleanup_closep(&plan->devnull_fd);
	if (plan->log_fd >= 0) {
		close(plan->log_fd);
		plan->log_fd = -1;
	}
	/*
	 * 7. the cwd and its check (getcwd), and HOME from /etc/passwd, come
	 * before any filter: a config's filter may deny getcwd or open, which
	 * the workload never asked the runtime to need
	 */
	if (hr_cwd_enter_child(proc->cwd, &err) < 0)
		die(plan, err);
	if (proc->user.has_umask)
		umask(proc->user.umask);
	default_home_child(plan);
	/*
	 * 6. without no_new_privs the filter needs CAP_SYS_ADMIN: load it before
	 * dropping capabilities.  The container's own profile goes first: on
	 * equal actions the newest filter's errno wins, so the bundle's own
	 * answers (Docker's ENOSYS for clone3, which glibc falls back on) stay.
	 */
	if (!proc->no_new_privileges && hr_seccomp_load_extra_child(plan->bpf_profile, NULL, -1, &err) < 0)
		die(plan, err);
	if (!proc->no_new_privileges && hr_seccomp_load_stack_child(plan->bpf_policy, plan->bpf, &notify_fd, &err) < 0)
		die(plan, err);
	/* 6. learn mode's filter last, and at once the handoff of its listener */
	if (!proc->no_new_privileges && hr_seccomp_load_extra_child(NULL, plan->bpf_learn, plan->sync_fd, &err) < 0)
		die(plan, err);
	/* 8. bounding set, groups, uid/gid, final capability sets */
	if (hr_caps_apply_child(proc->has_capabilities ? &proc->caps : NULL, &proc->user, true, &err) < 0)
		die(plan, err);
	/* 8. the workload must exist, seen with its own ids, before create reports success */
	if (hr_exec_resolve_child(plan->exec_argv, plan->exec_env, exe, sizeof(exe), &err) < 0)
		die(plan, err);
	/* the runtime's create exits after READY: do not die with it */
	prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0);
	/* 9. seccomp as the last step of setup, with no_new_privs no privilege is needed */
	if (proc->no_new_privileges && hr_seccomp_load_extra_child(plan->bpf_profile, NULL, -1, &err) < 0)
		die(plan, err);
	if (proc->no_new_privileges && hr_seccomp_load_stack_child(plan->bpf_policy, plan->bpf, &notify_fd, &err) < 0)
		die(plan, err);
	/* 9. learn mode's filter last: from here on every call is recorded */
	if (proc->no_new_privileges && hr_seccomp_load_extra_child(NULL, plan->bpf_learn, plan->sync_fd, &err) < 0)
		die(plan, err);
	if (hr_sync_send(plan->sync_fd, HR_SYNC_READY, 0, NULL, 0, notify_fd) < 0)
		_exit(HR_EXIT_CHILD_SETUP);
	if (notify_fd >= 0)
		close(notify_fd);
	free(msg);
	/* the parent's commit comes after state.json: EOF means create failed or died, and so do we */
	do
		n = read(plan->sync_fd, &byte, 1);
	while (n < 0 && errno == EINTR);
	if (n != 1)
		_exit(HR_EXIT_CHILD_SETUP);

	/* park until `start` writes to the exec fifo */
	do
		n = read(plan->fifo_fd, &byte, 1);
	while (n < 0 && errno == EINTR);
	if (n != 1)
		_exit(HR_EXIT_CHILD_SETUP);
	if (hr_hooks_exec(&spec->hooks[HR_HOOK_START_CONTAINER], "startContainer", state_json, &err) < 0) {
		char *line = hr_err_format(err);

		dprintf(2, "hardrun: %s\n", line);
		_exit(HR_EXIT_CHILD_SETUP);
	}
	/* only stdio and the preserved fds reach the workload */
	syscall(SYS_close_range, 3 + plan->preserve_fds, ~0U, 0);
	execve(exe, plan->exec_argv, plan->exec_env);
	hr_exec_failed_child(plan->exec_argv[0], errno);
}
