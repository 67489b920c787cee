/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The container init: the plan the runtime computes before clone(), the
 * spawn that clones the child, and the child's fail-closed sequence
 * (namespaces → mounts → pivot_root → hostname/sysctl/rlimits → LSM →
 * no_new_privs → ids and capabilities → seccomp → wait for start → execve).
 * Everything that can be computed before clone() is in struct hr_plan.
 */
#ifndef HARDRUN_INIT_H
#define HARDRUN_INIT_H

#include <stdbool.h>
#include <sys/types.h>

#include "hardrun/error.h"
#include "hardrun/spec.h"

struct hr_bpf;

/* Namespace clone flags, from <sched.h>, kept here so callers need not include it. */
unsigned long hr_ns_clone_flag(enum hr_ns_type t);

/* One host cgroup hierarchy, as the container's cgroup mount reproduces it. */
struct hr_cgmount {
	char *name;	/* directory under /sys/fs/cgroup: "memory", "cpu,cpuacct", "unified", "" for pure v2 */
	char *fstype;	/* "cgroup" or "cgroup2" */
	char *options;	/* v1 subsystems / name=, as given to mount(2) under a cgroup namespace */
	char *host_dir; /* the container's cgroup directory on the host, bound without a cgroup namespace */
};

/* Parent: list the host's cgroup hierarchies from /proc/self/mountinfo for cgroup_path. */
int hr_cgmounts_plan(const char *cgroup_path, struct hr_cgmount **out, size_t *n, struct hr_err **err);
void hr_cgmounts_free(struct hr_cgmount *m, size_t n);

struct hr_cgjoin;

struct hr_plan {
	const struct hr_spec *spec; /* borrowed */
	const char *id;
	const char *rootfs;	    /* absolute host path of the rootfs */
	const char *cgroup_path;    /* resolved cgroupsPath (for the cgroup mount), "" when none */
	unsigned long new_ns_flags; /* CLONE_NEW* to create (cgroup excluded: unshared after entering) */
	bool new_cgroupns;
	bool slow_path; /* joins a namespace by path or makes a time namespace: stage1 forks the init */
	bool no_pivot;
	bool host_mntns;     /* no mount namespace: the runtime's mount table, chroot instead of pivot_root */
	bool userns;	     /* the container runs in a user namespace (new or joined) */
	int sync_fd;	     /* child end of the socketpair */
	int fifo_fd;	     /* exec fifo, O_RDWR, the init blocks reading one byte from it */
	int procsys_fd;	     /* O_PATH fd of the host's /proc/sys, for namespaced sysctls */
	int devnull_fd;	     /* child: host /dev/null, verified char 1:3, for masked files */
	int preserve_fds;    /* fds 3 .. 3+n-1 pass to the workload */
	int log_fd;	     /* log sink or -1; closed before the workload runs */
	int console_fd;	     /* connected --console-socket or -1 */
	bool redirect_stdio; /* the launcher's log pipes: stdio_fds[i] >= 3 becomes fd i */
	int stdio_fds[3];
	const struct hr_bpf *bpf;	  /* compiled seccomp filter or NULL */
	const struct hr_bpf *bpf_policy;  /* the policy's filter, loaded before bpf, or NULL */
	const struct hr_bpf *bpf_profile; /* the container-specific profile, loaded first, or NULL */
	const struct hr_bpf *bpf_learn;	  /* learn mode's NOTIFY filter, loaded last, or NULL */
	struct hr_cgmount *cgmounts;	  /* host hierarchies, for a cgroup mount in the config */
	struct hr_cgjoin *cgjoin;	  /* v1 cgroups the init joins itself, the v2 one at the clone; or NULL */
	size_t n_cgmounts;
	int *idmap_trees;   /* per mount: a prepared idmapped tree, or -1; NULL when none */
	int root_tree;	    /* the prepared idmapped rootfs (tree or rebuilt overlay), or -1 */
	bool rootfs_is_cwd; /* the init starts with the rootfs as its cwd (see hr_spawn) */
	char **exec_argv;   /* process.args with argv[0] as given */
	char **exec_env;
};

/*
 * Clone the container init for plan.  Returns the pid of the init as seen
 * from the caller (for the slow path: stage1's pid; the init's pid arrives
 * later with HR_SYNC_PID).  The child never returns.
 */
pid_t hr_spawn(struct hr_plan *plan, struct hr_err **err);

/* Child only: the whole init sequence; never returns. */
HR_NORETURN void hr_init_child(struct hr_plan *plan);

/* Child only: apply the config's mounts, /dev, masked and read-only paths inside rootfs_fd. */
int hr_mounts_apply_child(const struct hr_plan *plan, int rootfs_fd, struct hr_err **err);
/* Child only: populate /dev (default nodes, config devices, symlinks). */
int hr_dev_setup_child(const struct hr_plan *plan, int rootfs_fd, struct hr_err **err);
/* Child only: masked and read-only paths, after all mounts. */
int hr_paths_protect_child(const struct hr_plan *plan, int rootfs_fd, struct hr_err **err);
/* Child only: pivot_root (or MS_MOVE+chroot with no_pivot) into rootfs_fd and detach the old root. */
int hr_rootfs_pivot_child(const struct hr_plan *plan, int rootfs_fd, struct hr_err **err);

/* Parent: connect to the --console-socket; returns the fd. */
int hr_console_connect(const char *path, struct hr_err **err);
/* Send a pty master over a console socket with SCM_RIGHTS, as runc does (name "/dev/ptmx"). */
int hr_console_send_master(int sock, int master, struct hr_err **err);
/* The master hr_console_send_master queued on sock, without waiting; -1 when none is there. */
int hr_console_recv_master(int sock);
/* Child only: make the pty, bind its peer on /dev/console, send the master; returns the peer fd. */
int hr_terminal_setup_child(const struct hr_plan *plan, int rootfs_fd, struct hr_err **err);
/* Child only: new session with the peer as controlling terminal and stdio. */
int hr_terminal_attach_child(int peer, struct hr_err **err);

/* Parent: write uid_map/gid_map of pid from the spec. */
int hr_idmap_write(pid_t pid, const struct hr_spec *spec, struct hr_err **err);
/* Parent: write the given uid and gid maps of pid's user namespace. */
int hr_idmap_write_maps(pid_t pid, const struct hr_idmap *u, size_t nu, const struct hr_idmap *g, size_t ng,
			struct hr_err **err);
/* Parent: a user namespace with the given maps, held by a short-lived child; returns its fd. */
int hr_idmap_userns_open(const struct hr_idmap *u, size_t nu, const struct hr_idmap *g, size_t ng, struct hr_err **err);
/*
 * Parent, before clone: for every (bind) mount with `idmap`/`ridmap`, a
 * detached tree of its source with its mount attributes set and idmapped
 * through a user namespace with the mount's mappings (else the
 * container's).  The child only attaches them: idmapping needs privilege
 * over the source's filesystem, which the container's user namespace lacks.
 * *trees gets one fd per mount (-1 where none), NULL when no mount asks.
 * With spec->root_idmap, binds without idmap options of their own get the
 * container's mappings too, and *root_tree the idmapped rootfs
 * (hr_rootfs_idmap_prepare); where a filesystem refuses, the fallback
 * annotation decides: refuse (the error) or unmapped (a warning, -1 there).
 */
int hr_idmap_trees_prepare(const struct hr_spec *spec, const char *rootfs, int **trees, int *root_tree,
			   struct hr_err **err);
/*
 * Parent: the rootfs as a detached mount whose files show their real
 * owners in the container's user namespace (userns holds its mappings): a
 * recursive idmapped clone of a plain directory, or, when the rootfs is the
 * root of an overlay mount, a new overlay built from idmapped copies of its
 * layers.  Returns the mount fd, or -1 with *refused set when the
 * filesystem (or this kernel) cannot do it, so that a fallback may apply.
 */
int hr_rootfs_idmap_prepare(const struct hr_spec *spec, const char *rootfs, int userns, bool *refused,
			    struct hr_err **err);
/* Test build only (hardrun-fault): rebuild overlays through the path fallback even where fds work. */
void hr_rootfs_idmap_force_paths(bool on);
/*
 * Child only: make the rootfs a mount of its own, plan->root_tree over it,
 * else a recursive self-bind.  Returns an O_PATH fd of its root (the tree
 * fd; plan->root_tree is taken), or -1.
 */
int hr_rootfs_mount_child(struct hr_plan *plan, struct hr_err **err);
void hr_idmap_trees_free(int *trees, size_t n);

/*
 * Run one hook: fork, the hook's stdin gets state_json, execve(path, args,
 * env), wait with its timeout (SIGKILL when it expires).  Usable in the
 * parent and, before the workload exec, in the child.
 */
int hr_hook_exec(const struct hr_hook *hook, const char *state_json, struct hr_err **err);
int hr_hooks_exec(const struct hr_hook_list *list, const char *kind, const char *state_json, struct hr_err **err);
/* Run every hook of the list; each failure is logged as a warning and the rest still run.  Returns the failures. */
size_t hr_hooks_exec_warn(const struct hr_hook_list *list, const char *kind, const char *state_json);

/* Child only: pieces of the init sequence that exec reuses. */
int hr_rlimits_apply_child(const struct hr_process *p, struct hr_err **err);
/* chdir and prove with getcwd that the cwd is inside the container (CVE-2024-21626). */
int hr_cwd_enter_child(const char *cwd, struct hr_err **err);
/* argv[0] looked up in the PATH of envp (not ours); the path goes into out. */
int hr_exec_resolve_child(char *const *argv, char *const *envp, char *out, size_t outlen, struct hr_err **err);
/* Report a failed execve on stderr and _exit(127 or 126). */
HR_NORETURN void hr_exec_failed_child(const char *what, int e);
/* Close every fd >= 3 except the preserved ones (3 .. 3+preserve-1) and keep[]. */
void hr_close_fds_except_child(int preserve_fds, const int *keep, size_t n_keep);
/* Unblock every signal and restore default dispositions. */
void hr_reset_signals_child(void);

/* Child only: the init sequence's steps that live beside init.c (see its numbered list). */
/* nsenter.c: stage1 joins and unshares the namespaces and forks the init, which returns. */
void stage1_child(struct hr_plan *plan);
/* nsenter.c: uid/gid 0 of a new user namespace when 0 is mapped. */
void become_ns_root_child(void);
/* process.c: an O_PATH fd of the host's /dev/null, proven the 1:3 character device. */
int open_devnull_child(struct hr_err **err);
/* process.c: HOME from the container's /etc/passwd (after pivot_root) when process.env lacks it. */
void default_home_child(struct hr_plan *plan);
/* sysctl.c: write linux.sysctl below /proc/sys. */
int sysctls_child(const struct hr_plan *plan, struct hr_err **err);

/*
 * exec: run a new process in a running container.  ns_fds[t] >= 0 are
 * joined (user first); the process then gets the same confinement as the
 * init: rlimits, AppArmor, no_new_privs, capabilities, seccomp, cwd check.
 */
struct hr_exec_plan {
	const struct hr_process *proc; /* borrowed */
	int ns_fds[HR_NS_COUNT];
	int root_fd; /* the container's root when it has no mount namespace (chroot), else -1 */
	int sync_fd;
	int console_fd; /* --console-socket connection or -1 */
	int preserve_fds;
	const struct hr_bpf *bpf;	  /* or NULL */
	const struct hr_bpf *bpf_policy;  /* loaded before bpf, or NULL */
	const struct hr_bpf *bpf_profile; /* loaded first, or NULL */
	const struct hr_bpf *bpf_learn;	  /* loaded last, or NULL */
	char **argv;
	char **envp;
};

/*
 * Fork the exec helper.  Protocol on sync_fd: parent sends HR_SYNC_GO once
 * the helper is in the cgroup; the helper answers HR_SYNC_PID with the
 * process's pid, then HR_SYNC_READY just before execve, or HR_SYNC_ERROR.
 * Returns the helper's pid (to reap).
 */
pid_t hr_exec_spawn(struct hr_exec_plan *p, struct hr_err **err);

/* Process helpers on the host /proc. */
/* Field 22 (starttime) of /proc/PID/stat, 0 on error. */
uint64_t hr_proc_start_time(pid_t pid);
/* Whether pid is alive (not a zombie) and, when start != 0, still the same process. */
bool hr_proc_alive(pid_t pid, uint64_t start);

#endif
