/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Internal to src/runtime: the host-side state the policy needs, kept
 * under the state root next to the container directories (dot names, so
 * list and other runtimes skip them): the user-namespace id pool and the
 * restart ledger.  Each file is changed only under its own flock.
 */
#ifndef HARDRUN_RUNTIME_POLICYRT_H
#define HARDRUN_RUNTIME_POLICYRT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "hardrun/error.h"

#define HR_IDPOOL_FILE ".hardrun-idpool.json"
#define HR_IDPOOL_LOCK ".hardrun-idpool.lock"
#define HR_LEDGER_DIR ".hardrun-restarts"
#define HR_TAINTED_FILE "tainted"
#define HR_DECISIONS_FILE "decisions.json"
#define HR_KILLED_FILE "killed"

/*
 * Take a free range of HR_USERNS_RANGE ids from the pool [start, start +
 * size) for container id and return its first id.  A range is in use while
 * its container's state dir exists or the process that took it is alive
 * (a create in progress); others are taken back first.  EEXIST when id
 * already holds a range of a live container, ENOSPC when the pool is full.
 */
int hr_idpool_acquire(int root_fd, const char *id, uint32_t start, uint32_t size, uint32_t *base, struct hr_err **err);
/* Return id's range (if any) to the pool. */
int hr_idpool_release(int root_fd, const char *id, struct hr_err **err);

/*
 * The ledger of container id: the times (seconds since the epoch) of its
 * failed exits, newest last (*times a new array, *n its length), and the
 * time of the exec that tainted it (*tainted_time a new string or NULL).
 * A missing ledger is empty.
 */
int hr_ledger_read(int root_fd, const char *id, int64_t **times, size_t *n, char **tainted_time, struct hr_err **err);
/* Record a failed exit at now; tainted_json (may be NULL) marks the ledger tainted. */
int hr_ledger_record(int root_fd, const char *id, bool failed, int64_t now, const char *tainted_json,
		     struct hr_err **err);

struct hr_rt;
struct hr_policy;
struct json_t;

/* What create's policy step hands on: the hardened config text and the decisions. */
struct hr_hardened {
	char *text; /* the hardened config.json */
	size_t len;
	struct json_t *decisions; /* JSON array, as decisions.json */
	bool range_acquired;	  /* an id range is held for the container: release it on failure */
	char *profile_loaded;	  /* the generated AppArmor profile's name: unload it on failure */
};

/*
 * create's policy step: load the policy, read the restart ledger, take an
 * id range when harden adds a user namespace, harden cfg (len bytes of the
 * bundle's config.json) and log every decision at info level.  On -1
 * nothing is held (the range is released).  The refusal text is harden's.
 */
int hr_policy_create_step(const struct hr_rt *rt, int root_fd, const char *id, const char *bundle, const char *cfg,
			  size_t len, struct hr_hardened *out, struct hr_err **err);
void hr_hardened_clear(struct hr_hardened *h);

/*
 * At delete: record in the ledger whether the
 * container's init failed (exit_status >= 0 when known, -1 unknown: an init
 * that exited on its own after start, not after `kill`, within
 * HR_RESTART_QUICK_SECONDS of pid_start, its start in clock ticks, counts)
 * and whether exec tainted it.  dir_fd is the locked state dir; started
 * says the workload was started; errors are logged, never returned.
 */
/* An exit of unknown status this soon after start counts against the restart cap. */
#define HR_RESTART_QUICK_SECONDS 10

void hr_policy_delete_step(int root_fd, int dir_fd, const char *id, bool init_gone, bool started, int exit_status,
			   uint64_t pid_start);

/* exec: apply the policy to the process object and mark the container tainted (state dir file "tainted"). */
int hr_policy_exec_step(const struct hr_rt *rt, int dir_fd, const char *id, struct json_t *process,
			const struct json_t *annotations, struct hr_err **err);

struct hr_spec;

/* update: hold res (a LinuxResources object) to the policy's maxima; spec is the container's, for exemptions. */
int hr_policy_update_step(const struct hr_rt *rt, const char *id, struct json_t *res, const struct hr_spec *spec,
			  struct hr_err **err);

#endif
