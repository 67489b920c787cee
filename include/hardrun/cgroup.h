/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Container cgroups on every layout the kernel offers: unified (cgroup v2
 * only), hybrid (v1 controllers plus a cgroup2 mount, as on the development
 * machines) and legacy (v1 only).  The layout is read from
 * /proc/self/mountinfo.  This module turns linux.cgroupsPath into a cgroup,
 * creates it, applies linux.resources to it (also for `update`), moves
 * processes in, freezes, signals, reports statistics and removes it.  It is
 * fail-closed: a limit whose controller or file is missing is an error.
 * It never talks to systemd (systemd.h does) and never keeps an fd open between calls, so
 * nothing of the host cgroupfs can leak into a container (CVE-2024-21626).
 *
 * Every function returns -1 with *err set on failure (STYLE §4); messages
 * name the file and the value, e.g. "write `33554432` to
 * `/sys/fs/cgroup/memory/web/memory.limit_in_bytes`" with errnum EINVAL.
 */
#ifndef HARDRUN_CGROUP_H
#define HARDRUN_CGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "hardrun/error.h"
#include "hardrun/spec.h"

/* How the host mounts cgroups. */
enum hr_cgroup_layout {
	HR_CGROUP_UNIFIED = 0, /* cgroup2 only */
	HR_CGROUP_HYBRID,      /* v1 controllers + a cgroup2 mount without them */
	HR_CGROUP_LEGACY,      /* v1 only */
};

/* An opened container cgroup; opaque.  Owns strings only, never an fd. */
struct hr_cgroup;

/* "No limit" in struct hr_cgroup_stats. */
#define HR_CGROUP_UNLIMITED UINT64_MAX

/*
 * Counters read by hr_cgroup_stats().  has_* tells which groups could be
 * read (the controller is mounted/enabled).  Limits of "max" (v2) or the v1
 * page-rounded INT64_MAX read as HR_CGROUP_UNLIMITED.
 */
struct hr_cgroup_stats {
	bool has_memory;
	uint64_t memory_usage;	   /* bytes: memory.usage_in_bytes / memory.current */
	uint64_t memory_limit;	   /* bytes: memory.limit_in_bytes / memory.max */
	uint64_t memory_max_usage; /* bytes: memory.max_usage_in_bytes / memory.peak (0 if absent) */
	uint64_t memory_failcnt;   /* memory.failcnt / memory.events "max" */
	uint64_t oom_kill;	   /* memory.oom_control / memory.events "oom_kill" */
	bool has_pids;
	uint64_t pids_current;
	uint64_t pids_limit;
	bool has_cpu;
	uint64_t cpu_usage_ns;	 /* cpuacct.usage / cpu.stat usage_usec */
	uint64_t cpu_user_ns;	 /* cpuacct.stat user / cpu.stat user_usec */
	uint64_t cpu_system_ns;	 /* cpuacct.stat system / cpu.stat system_usec */
	uint64_t cpu_nr_periods; /* cpu.stat */
	uint64_t cpu_nr_throttled;
	uint64_t cpu_throttled_ns;
};

/*
 * Turn linux.cgroupsPath into the cgroup path used by hr_cgroup_open():
 * NULL or "" gives "/<id>"; an absolute path is kept, with repeated and
 * trailing slashes and "." components removed; a relative "a/b" gives
 * "/a/b".  ".." components, the root cgroup itself and the systemd form
 * "slice:prefix:name" are refused (errnum 0); the last one reads
 * "cgroupsPath `…`: a systemd cgroup path needs --systemd-cgroup".  id must be a valid container id (hr_id_valid) when
 * it is used. On success *out is a new string owned by the caller.  Pure: no syscalls.
 */
int hr_cgroup_resolve_path(const char *cgroups_path, const char *id, char **out, struct hr_err **err);

/*
 * Detect the layout from /proc/self/mountinfo and describe the cgroup at
 * path (a result of hr_cgroup_resolve_path, borrowed) in every hierarchy:
 * each v1 hierarchy (also name=systemd and ones hardrun has no limits
 * for) and the cgroup2 mount.  Nothing is created.  A cgroup opened this way
 * (for example from saved state) is destroyed leaf-only.  *out is new; free
 * with hr_cgroup_free().  Fails when no cgroup filesystem is mounted
 * (ENOENT) or mountinfo cannot be read.
 */
int hr_cgroup_open(const char *path, struct hr_cgroup **out, struct hr_err **err);

/*
 * Test variant of hr_cgroup_open(): mountinfo_text (borrowed) replaces
 * /proc/self/mountinfo and every mount point is prefixed with fake_prefix
 * (NULL: none), so unit tests can point at a fake cgroupfs tree in a
 * tmpdir.  With a fake_prefix every write is also appended as
 * "<path below fake_prefix> <value>\n" to fake_prefix/journal, so tests can
 * check the order of writes; files are never created by writes, as on a
 * real cgroupfs.  Instead of attaching a v2 device program, the number of
 * its instructions is written to the (pre-made) file `bpf.device`.
 */
int hr_cgroup_open_at(const char *path, const char *mountinfo_text, const char *fake_prefix, struct hr_cgroup **out,
		      struct hr_err **err);

/* The layout cg was opened on. */
enum hr_cgroup_layout hr_cgroup_layout(const struct hr_cgroup *cg);

/*
 * The directory of cg in the hierarchy holding controller (v1 name such as
 * "memory", "name=systemd"; "" for the cgroup2 mount), or NULL when it is
 * not mounted.  Borrowed from cg.
 */
const char *hr_cgroup_dir(const struct hr_cgroup *cg, const char *controller);

/*
 * Create the cgroup in every hierarchy (mkdir -p; existing directories are
 * fine, so the same cgroupsPath is the same cgroup and parents shared with
 * podman or Kubernetes are left alone), make cpuset usable on v1 by copying
 * cpuset.cpus/mems from the parent into each empty level, enable the
 * available controllers on v2 (on a systemd host only in the levels it
 * made: the others are systemd's), and then apply res (may be NULL).  Records
 * which directories it created, so that hr_cgroup_destroy() after a failed
 * create removes exactly those.  In the hybrid layout the cgroup2 directory
 * is created as runc does; failing there is only logged.  A leaf that
 * already existed gets its v1 device list reset to the parent's, and is
 * refused with EBUSY ("linux.cgroupsPath: cgroup `…` is not empty") while it
 * has processes.  Errors: mkdir and write errnos (EACCES, EROFS, ENOSPC,
 * EINVAL), and errnum 0 for missing controllers.  On failure directories already made stay recorded; the
 * caller rolls back with hr_cgroup_destroy().
 */
int hr_cgroup_create(struct hr_cgroup *cg, const struct hr_resources *res, struct hr_err **err);

/*
 * The systemd driver's create: systemd has made the cgroup (the cgroup2
 * directory on v2, the hierarchies it manages on v1) and owns it; create
 * (mkdir -p, cpuset filled, as hr_cgroup_create) only the v1 hierarchies
 * still missing it, recording what it made.  Writes no subtree_control
 * and checks no emptiness (the init is already inside).  A missing v2
 * directory on a unified host is an error (systemd did not make it).
 */
int hr_cgroup_adopt(struct hr_cgroup *cg, struct hr_err **err);

/*
 * Write res (borrowed) into the existing cgroup; also used by `update`.
 * Fail-closed: a requested limit whose controller is not mounted (v1) or
 * not enabled (v2) is an error naming the controller, e.g. "apply memory
 * limit: controller `memory` is not mounted" (errnum 0); a missing limit
 * file is an error naming the file (ENOENT).  Zero values that runc treats
 * as "unset" (memory limit/reservation/swap, cpu shares/quota/period, blkio
 * weight 0 as docker sends it) are skipped; pids limit 0 is a real limit
 * (runtime-spec), negative means "max".  v1 memory and memory+swap are
 * written in the order the kernel needs when raising or lowering.  On v2
 * OCI swap (memory+swap) becomes memory.swap.max = swap - limit, shares
 * become cpu.weight = 1 + ((shares - 2) * 9999) / 262142, and device rules
 * become a BPF_PROG_TYPE_CGROUP_DEVICE program attached with
 * BPF_F_ALLOW_MULTI that replaces the cgroup's earlier ones (rules matched
 * last to first, no match denies; needs CAP_SYS_ADMIN).  On
 * v1 a non-empty rule list is applied as "a" written to devices.deny
 * (default deny) followed by each rule in order ("c 1:3 rwm", '*' for a
 * wildcard); an empty list leaves the devices cgroup alone.  On a hybrid
 * host `unified` keys, and hugepage limits when hugetlb lives only in
 * cgroup2, go to the cgroup2 directory; on a legacy host `unified` is an
 * error.  `unified` keys are written verbatim, last, after checking the
 * controller named by their prefix ("cgroup.*" needs none).  Kernel memory
 * limits (deprecated, ignored by the kernel) are skipped with a warning.
 * A failure may leave earlier values written.
 */
int hr_cgroup_apply(struct hr_cgroup *cg, const struct hr_resources *res, struct hr_err **err);

/*
 * Move pid (and its threads) into the cgroup: cgroup.procs of every v1
 * hierarchy (incl. name=systemd) or of the v2 directory.  The hybrid
 * cgroup2 directory is joined best-effort.  Errors: ESRCH, ENOSPC (empty v1
 * cpuset), EBUSY (v2 no-internal-process rule).
 */
int hr_cgroup_enter(struct hr_cgroup *cg, pid_t pid, struct hr_err **err);

/*
 * The v1 hierarchies the init joins itself (cgroup_join.c): `tasks` files
 * the runtime opened, written "0" by the single-threaded init before it reads
 * anything from the runtime, which skips the kernel's threadgroup lock and
 * its RCU grace period.  Empty for test trees and for systemd's scopes.
 */
struct hr_cgjoin {
	size_t n;
	int *fds;     /* O_WRONLY `tasks` of each */
	char **paths; /* for the error line */
	size_t *idx;  /* index of the hierarchy in the cgroup */
	/*
	 * The cgroup2 directory, for clone3(CLONE_INTO_CGROUP): the kernel
	 * places the child at the fork, under the read side of the lock
	 * whose write side (a cgroup.procs write) waits for the grace period.
	 * -1 when there is none; v2_joined once the clone put the init there.
	 */
	int v2fd;
	size_t v2idx;
	bool v2_joined;
};
int hr_cgjoin_open(const struct hr_cgroup *cg, struct hr_cgjoin *j, struct hr_err **err);
void hr_cgjoin_free(struct hr_cgjoin *j);
#define cleanup_cgjoin __attribute__((cleanup(hr_cgjoin_free)))
/* Parent, once the init is cloned: close the `tasks` fds, keep what verify needs. */
void hr_cgjoin_close_fds(struct hr_cgjoin *j);
/* Whether hierarchy number hier is joined by the init itself. */
bool hr_cgjoin_has(const struct hr_cgjoin *j, size_t hier);
/* Child only: join them; the error names the cgroup. */
int hr_cgjoin_child(const struct hr_cgjoin *j, struct hr_err **err);
/* Parent: /proc/PID/cgroup lists pid in the cgroup in every hierarchy of j. */
int hr_cgjoin_verify(const struct hr_cgroup *cg, const struct hr_cgjoin *j, pid_t pid, struct hr_err **err);
/* hr_cgroup_enter of the hierarchies j does not cover. */
int hr_cgroup_enter_rest(struct hr_cgroup *cg, const struct hr_cgjoin *j, pid_t pid, struct hr_err **err);

/*
 * The pids in the cgroup and its descendants, in no particular order.
 * *pids is a new array owned by the caller (NULL when *n is 0).
 */
int hr_cgroup_pids(struct hr_cgroup *cg, pid_t **pids, size_t *n, struct hr_err **err);

/*
 * Freeze or thaw every task, waiting (up to about 5 s) until the freezer
 * reports the new state: v1 freezer.state FROZEN/THAWED, v2 cgroup.freeze
 * and "frozen" in cgroup.events.  If freezing does not settle the cgroup is
 * thawed again and ETIMEDOUT returned.  errnum 0 when no freezer exists.
 */
int hr_cgroup_freeze(struct hr_cgroup *cg, bool frozen, struct hr_err **err);

/* Whether the cgroup is frozen (v1 FROZEN/FREEZING count as frozen). */
int hr_cgroup_is_frozen(struct hr_cgroup *cg, bool *frozen, struct hr_err **err);

/*
 * Send sig to every process in the cgroup, as `runc kill --all`: freeze
 * (when a freezer exists; a failure to freeze is logged), signal every pid,
 * thaw.  ESRCH for a process that just exited is ignored.
 */
int hr_cgroup_kill_all(struct hr_cgroup *cg, int sig, struct hr_err **err);

/*
 * SIGKILL whatever is left, then rmdir the cgroup in every hierarchy,
 * deepest first (sub-cgroups the container made included), retrying
 * briefly on EBUSY.  After hr_cgroup_create() it removes exactly the
 * directories create made (none when the cgroup already existed); after
 * hr_cgroup_open() only the leaf.  Never removes a parent it did not
 * create.  Idempotent: ENOENT is success.  Errors: EBUSY when processes
 * stay.
 */
int hr_cgroup_destroy(struct hr_cgroup *cg, struct hr_err **err);

/*
 * Crash recovery (the intent record of src/runtime).  Before
 * hr_cgroup_create(): the directories it is going to make, in every
 * hierarchy, each hierarchy's parents before its leaf, so that a record of
 * them written first names exactly what is ours; (*leaf)[i] says dirs[i] is
 * the container's own cgroup rather than a parent.  *dirs (new strings)
 * and *leaf are new arrays of *n entries.  -1 with errno when a level
 * cannot be examined.
 */
int hr_cgroup_plan_dirs(const struct hr_cgroup *cg, char ***dirs, bool **leaf, size_t *n);

/*
 * Crash recovery of a directory from hr_cgroup_plan_dirs.  A leaf: thaw,
 * SIGKILL every process in it and below it until none is left, then remove
 * its sub-cgroups and itself.  A parent: rmdir only when empty (it may hold
 * another container's cgroup by now; then it stays and that is success).
 * ENOENT is success.  Callers pass only directories recorded as made by
 * this container.
 */
int hr_cgroup_remove_dir(const char *dir, bool leaf, struct hr_err **err);

/*
 * The levels hr_cgroup_create()/hr_cgroup_adopt() made in each hierarchy,
 * as text for the state dir ("2 2 0"); a new string.  A later command
 * opens the cgroup with hr_cgroup_open() and restores it with
 * hr_cgroup_created_restore(), so delete removes the parents create made
 * (/a of /a/b) and no more.  A record that does not fit (another number
 * of hierarchies, bad numbers) is ignored: then only the leaf is removed.
 */
char *hr_cgroup_created_record(const struct hr_cgroup *cg);
void hr_cgroup_created_restore(struct hr_cgroup *cg, const char *rec);

/* Fill *st (zeroed first) from the controllers that exist. */
int hr_cgroup_stats(struct hr_cgroup *cg, struct hr_cgroup_stats *st, struct hr_err **err);

/* One limit file as hr_cgroup_limits() read it. */
struct hr_cgroup_file {
	char *dir;	  /* the directory it lives in; NULL when the controller is not there */
	const char *name; /* "memory.limit_in_bytes", "pids.max", … (static) */
	char *text;	  /* its content without the trailing newline */
	uint64_t value;	  /* parsed; HR_CGROUP_UNLIMITED for "max", -1 or v1's page-rounded INT64_MAX */
};

/*
 * The limits in force, for `audit`: v1 memory.limit_in_bytes,
 * memory.memsw.limit_in_bytes (memory+swap), pids.max, cpu.cfs_quota_us,
 * cpu.shares; v2 memory.max, memory.swap.max (swap alone), pids.max, the
 * quota of cpu.max, cpu.weight.  A controller or file that is not there
 * leaves dir NULL (not an error: v1 memsw exists only with swap
 * accounting).  Unreadable or non-numeric files are errors naming the path.
 * Free with hr_cgroup_limits_free().
 */
struct hr_cgroup_limits {
	bool v2;
	struct hr_cgroup_file memory, swap, pids, cpu_quota, cpu_weight;
};

int hr_cgroup_limits(struct hr_cgroup *cg, struct hr_cgroup_limits *out, struct hr_err **err);
void hr_cgroup_limits_free(struct hr_cgroup_limits *l);

/* Free cg (may be NULL).  Touches nothing on disk. */
void hr_cgroup_free(struct hr_cgroup *cg);

#define cleanup_cgroup __attribute__((cleanup(hr_cgroup_freep)))
static inline void hr_cgroup_freep(struct hr_cgroup **cg)
{
	hr_cgroup_free(*cg);
	*cg = NULL;
}

#endif
