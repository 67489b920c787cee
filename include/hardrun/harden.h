/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The harden stage: policy + config.json (as parsed JSON, before
 * hr_spec_parse) → the hardened config.json and a list of decisions.  Pure
 * code: whatever it must know of the host (the id range acquired for the
 * container, whether AppArmor exists, the restart ledger, which
 * directories the image has) comes in the context, from the runtime.
 * The parser and validator then check the hardened JSON as they check any
 * bundle's.  A refusal is one line "refused by policy (CSVS 3.15): bind
 * mount of /var/run/docker.sock" (controls that are not CSVS numbers read
 * "refused by policy (restart): …").  No kernel calls.
 */
#ifndef HARDRUN_HARDEN_H
#define HARDRUN_HARDEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hardrun/error.h"
#include "hardrun/policy.h"
#include "hardrun/spec.h"

struct json_t;

/* Annotations harden sets for the stages after it. */
/* HR_ANN_ROOTFS_IDMAP ("true") and HR_ANN_ROOTFS_IDMAP_FALLBACK ("refuse"/"unmapped") are spec.h's */
#define HR_ANN_ROOTFS_NOSUID HR_SPEC_ANN_ROOTFS_NOSUID /* "true": root mount nosuid,nodev */
#define HR_ANN_SECCOMP "org.hardrun.seccomp"	       /* bundle's choice of profile */
#define HR_ANN_NAME "org.hardrun.name"		       /* container name for globs */
/* a bundle's request: learn into seccomp.learn.dir/NAME.json, or enforce seccomp.container_dir/NAME.json */
#define HR_ANN_SECCOMP_LEARN "org.hardrun.seccomp.learn"
#define HR_ANN_SECCOMP_PROFILE "org.hardrun.seccomp.profile"
/* How the 3.4 decisions' details begin: audit tells a container-specific profile and learn mode by them. */
#define HR_DECISION_SECCOMP_SPECIFIC "container-specific profile"
#define HR_DECISION_SECCOMP_LEARN "learn mode"
/* linux.<this>: the policy's seccomp filter, loaded in addition to linux.seccomp */
#define HR_POLICY_SECCOMP_KEY HR_SPEC_POLICY_SECCOMP

enum hr_decision_action { HR_DECISION_KEPT = 0, HR_DECISION_TIGHTENED, HR_DECISION_ADDED, HR_DECISION_REFUSED };

/* "kept", "tightened", "added", "refused". */
const char *hr_decision_action_name(enum hr_decision_action a);

struct hr_decision {
	char *control; /* "3.5", "setuid", "restart", … */
	enum hr_decision_action action;
	char *detail;
};

struct hr_decisions {
	struct hr_decision *v;
	size_t n;
};

/* A run of unknown exit status this short counts against the restart cap (policyrt.h uses it too). */
#define HR_HARDEN_QUICK_SECONDS 10

struct hr_harden_ctx {
	const char *id;
	const char *bundle; /* absolute; relative bind sources are relative to it */
	/* the first host id of the range acquired for the container (see hr_harden_wants_userns) */
	bool has_userns_base;
	uint32_t userns_base;
	/* `spec --hardened`: leave the user namespace to create, which takes a range from the pool */
	bool defer_userns;
	bool apparmor_available;
	/* 3.10: the previous container of this id was tainted by exec, at tainted_time (may be NULL) */
	bool tainted;
	const char *tainted_time;
	/*
	 * The restart ledger: times (seconds) of failed exits (a non-zero
	 * status hardrun learnt) of containers with this id; times of runs
	 * whose status it could not learn that ended by themselves within
	 * HR_HARDEN_QUICK_SECONDS of their start (restarts); and now.
	 */
	const int64_t *failure_times;
	size_t n_failures;
	const int64_t *restart_times;
	size_t n_restarts;
	int64_t now;
	/*
	 * Optional host lookups, NULL to skip: whether directory path exists
	 * in the image's rootfs; a bind source with symbolic links resolved
	 * (new string or NULL); and the text of seccomp profile dir/name.json
	 * (0, -1 with errnum ENOENT to fall back to the built-in, or -1).
	 */
	bool (*rootfs_has_dir)(void *arg, const char *path);
	char *(*resolve_source)(void *arg, const char *path);
	int (*read_profile)(void *arg, const char *dir, const char *name, char **text, size_t *len,
			    struct hr_err **err);
	/*
	 * The launcher's own choices (its caller is root, not a bundle): learn
	 * into this absolute file, or enforce this profile (an OCI
	 * linux.seccomp object, borrowed) named profile_name in decisions.
	 */
	const char *learn_path;
	const struct json_t *profile;
	const char *profile_name;
	void *arg;
};

/*
 * Whether harden will add a user namespace to config (borrowed): the
 * policy wants one, the config has none and the container is not exempt.
 * The runtime then acquires a range and passes its base in the context.
 */
bool hr_harden_wants_userns(const struct hr_policy *p, const struct json_t *config, const struct hr_harden_ctx *ctx);

/*
 * Harden config (a config.json object, modified in place) with policy p.
 * Every decision is appended to *out (the caller clears it), the refusal
 * too.  Returns 0, or -1 with *err: a refusal (errnum 0: a policy decision, not a failed call; text
 * "refused by policy (CSVS N): …"), a profile that cannot be read, or a
 * config whose types are too wrong to harden (errnum 0; the parser would
 * refuse it anyway).
 */
int hr_harden(const struct hr_policy *p, struct json_t *config, const struct hr_harden_ctx *ctx,
	      struct hr_decisions *out, struct hr_err **err);

/*
 * The same policy for an exec'd process (an OCI process object, modified in
 * place): no_new_privileges, the capability cut, inheritable and ambient.
 * id and annotations (may be NULL) select exemptions.
 */
int hr_harden_process(const struct hr_policy *p, struct json_t *process, const char *id,
		      const struct json_t *annotations, struct hr_decisions *out, struct hr_err **err);

/*
 * The same limits for `update` (res: a LinuxResources object, modified in
 * place): a pids, memory or CPU-shares value above the policy's maximum,
 * or "no limit", is lowered to the maximum (refused at on_violation
 * refuse); with swap_equals_memory a new memory limit brings its swap.
 */
int hr_harden_resources(const struct hr_policy *p, struct json_t *res, const char *id, const struct json_t *annotations,
			struct hr_decisions *out, struct hr_err **err);

/* The decisions as a JSON array of {"control","action","detail"} (new reference). */
struct json_t *hr_decisions_json(const struct hr_decisions *d);

void hr_decisions_clear(struct hr_decisions *d);

#endif
