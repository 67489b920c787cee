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
#include "hardrun/harden.h"

struct hr_create_opts;

#define HR_IDPOOL_FILE ".hardrun-idpool.json"
#define HR_IDPOOL_LOCK ".hardrun-idpool.lock"
#define HR_LEDGER_DIR ".hardrun-restarts"
#define HR_TAINTED_FILE "tainted"
#define HR_DECISIONS_FILE "decisions.json"
#define HR_KILLED_FILE "killed"
#define HR_LEDGERED_FILE "ledgered"

/*
 * Take a free range of HR_USERNS_RANGE ids from the pool [start, start +
 * size) for container id and return its first id.  A range is in use while
 * its container's state dir exists or the process that took it is alive
 * (a create in progress); others are taken back first.  The caller holds
 * id's state dir, so an entry of id itself is a leftover and is replaced.
 * ENOSPC when the pool is full.
 */
int hr_idpool_acquire(int root_fd, const char *id, uint32_t start, uint32_t size, uint32_t *base, struct hr_err **err);
/* Return id's range (if any) to the pool; a temporary a killed writer left goes too. */
int hr_idpool_release(int root_fd, const char *id, struct hr_err **err);

/*
 * The ledger of container id: the times (seconds since the epoch) of its
 * failed exits, newest last (*times a new array, *n its length), of its
 * quick restarts of unknown status (*restarts, *n_restarts), and the
 * time of the exec that tainted it (*tainted_time a new string or NULL).
 * A missing ledger is empty.
 */
int hr_ledger_read(int root_fd, const char *id, int64_t **times, size_t *n, int64_t **restarts, size_t *n_restarts,
		   char **tainted_time, struct hr_err **err);
/* What an exit adds to the ledger: nothing, a failure (known non-zero status), a quick restart (status unknown). */
enum hr_ledger_exit { HR_LEDGER_NONE, HR_LEDGER_FAILED, HR_LEDGER_RESTART };
/* Record an exit at now; tainted_json (may be NULL) marks the ledger tainted. */
int hr_ledger_record(int root_fd, const char *id, enum hr_ledger_exit what, int64_t now, const char *tainted_json,
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
	int level;		  /* the policy's level, for errors that name it */
	const char *policy_file;  /* where its exemptions go: --policy or HR_POLICY_PATH (borrowed) */
	char *profile_loaded;	  /* the generated AppArmor profile's name: unload it on failure */
};

/*
 * create's policy step: load the policy, read the restart ledger, take an
 * id range when harden adds a user namespace, harden cfg (len bytes of the
 * bundle's config.json) and log every decision at info level.  On -1
 * nothing is held (the range is released).  The refusal text is harden's.
 * dir_fd is the container's new state dir: the range and a generated
 * AppArmor profile are named in its intent record before they are taken.
 */
int hr_policy_create_step(const struct hr_rt *rt, int root_fd, int dir_fd, const char *id, const char *bundle,
			  const char *cfg, size_t len, const struct hr_create_opts *o, struct hr_hardened *out,
			  struct hr_err **err);
void hr_hardened_clear(struct hr_hardened *h);

/*
 * At delete: record in the ledger whether the
 * container's init failed (exit_status >= 0 when known, -1 unknown: an init
 * that exited on its own after start, not after `kill`, within
 * HR_RESTART_QUICK_SECONDS of pid_start, its start in clock ticks, counts)
 * and whether exec tainted it.  dir_fd is the locked state dir; started
 * says the workload was started; errors are logged, never returned.
 * unload_apparmor: remove the generated profile here (a container without
 * an intent record; otherwise the record's undo does it).  An exit is
 * recorded once, even when a killed delete is run again (file "ledgered").
 */
/* An exit of unknown status this soon after start counts against the restart cap. */
#define HR_RESTART_QUICK_SECONDS HR_HARDEN_QUICK_SECONDS

void hr_policy_delete_step(int root_fd, int dir_fd, const char *id, bool init_gone, bool started, int exit_status,
			   uint64_t pid_start, bool unload_apparmor);

/* exec: apply the policy to the process object and mark the container tainted (state dir file "tainted"). */
int hr_policy_exec_step(const struct hr_rt *rt, int dir_fd, const char *id, struct json_t *process,
			const struct json_t *annotations, struct hr_err **err);

struct hr_spec;

/* update: hold res (a LinuxResources object) to the policy's maxima; spec is the container's, for exemptions. */
int hr_policy_update_step(const struct hr_rt *rt, const char *id, struct json_t *res, const struct hr_spec *spec,
			  struct hr_err **err);

#endif
