/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The operator's hardening policy: levels 0 ("passthrough", applies
 * nothing), 1, 2 (the default) and 3 (strict: refuses instead of fixing),
 * built in from profiles/policy/l<N>.json, and a policy file that names its
 * base "level" and overrides keys.  Parsing only: reading the file and
 * checking its owner and mode is the runtime's job.  Every key is
 * documented in hardrun-policy(5).  No kernel calls.
 */
#ifndef HARDRUN_POLICY_H
#define HARDRUN_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hardrun/error.h"

struct json_t;

#define HR_POLICY_LEVEL_MAX 3
#define HR_POLICY_DEFAULT_LEVEL 2
#define HR_POLICY_PATH "/etc/hardrun/policy.json"

/* A bundle value that is looser than the policy: lower it (L0–L2) or refuse the container (L3). */
enum hr_policy_violation { HR_POLICY_FIX = 0, HR_POLICY_REFUSE };

/* userns.unmapped: what the idmap stage does where no filesystem can be idmapped. */
enum hr_policy_unmapped { HR_UNMAPPED_REFUSE = 0, HR_UNMAPPED_ALLOW };

enum hr_policy_apparmor { HR_APPARMOR_OFF = 0, HR_APPARMOR_PREFERRED, HR_APPARMOR_REQUIRED };

/* A limit: the value set when the bundle sets none (0 = none), and the highest allowed (0 = no maximum). */
struct hr_policy_limit {
	int64_t def;
	int64_t max;
};

/*
 * One exemption: containers whose id or name matches the glob id (NULL =
 * any), and that carry annotation key with value (NULL = not required), may
 * keep what the bundle asks for in the listed controls ("3.5", "3.15", …).
 * At least one of id and annotation is set.
 */
struct hr_policy_exemption {
	char *id;
	char *annotation_key;
	char *annotation_value;
	char **controls;
};

struct hr_policy {
	int level;
	enum hr_policy_violation on_violation;
	bool no_new_privileges;
	bool caps_enforce;
	uint64_t caps_allow; /* bit N = capability N */
	bool caps_inheritable;
	bool caps_ambient;
	bool refuse_privileged;
	bool refuse_host_namespaces;
	bool rootfs_readonly;
	bool rootfs_nosuid_nodev;
	char **tmpfs_paths;
	uint64_t tmpfs_size; /* bytes */
	bool mounts_nosuid_nodev;
	char **engine_sockets;	/* basenames */
	char **engine_paths;	/* absolute */
	char **sensitive_paths; /* absolute */
	char **monitors;	/* globs on the container id or name */
	struct hr_policy_limit pids;
	struct hr_policy_limit memory; /* bytes */
	bool swap_equals_memory;
	struct hr_policy_limit cpu_shares;
	char **masked_paths;
	char **readonly_paths;
	char *seccomp_profile; /* "none" = no policy filter */
	char *seccomp_dir;
	char **seccomp_allowed;
	/* container-specific profiles: seccomp.container_dir/NAME.json for containers matching a glob */
	char *seccomp_container_dir;
	char **seccomp_profile_globs; /* seccomp.profiles[i].match, NULL-terminated */
	char **seccomp_profile_names; /* seccomp.profiles[i].profile, same order */
	/* learn mode: containers matching seccomp.learn.containers write seccomp.learn.dir/<name or id>.json */
	char *seccomp_learn_dir;
	char **seccomp_learn_globs;
	bool refuse_root_user;
	bool userns;
	uint32_t userns_pool_start;
	uint32_t userns_pool_size; /* ids, a multiple of HR_USERNS_RANGE */
	enum hr_policy_unmapped userns_unmapped;
	enum hr_policy_apparmor apparmor;
	bool restart_tainted;
	int restart_max_failures; /* 0 = no cap */
	int64_t restart_window_seconds;
	struct hr_policy_exemption *exemptions;
	size_t n_exemptions;
	struct json_t *effective; /* the merged policy JSON (all keys), owned */
};

/* Ids per container in the user-namespace pool. */
#define HR_USERNS_RANGE 65536u

/*
 * The built-in policy of level 0..3 (text of profiles/policy/l<N>.json).
 * NULL for other levels.  Static storage.
 */
const char *hr_policy_builtin_text(int level, size_t *len);

/*
 * Parse a policy.  buf (len bytes, need not be NUL-terminated) is a policy
 * file: a JSON object with an optional "level" (default
 * HR_POLICY_DEFAULT_LEVEL) whose other keys override the built-in policy of
 * that level, objects key by key and everything else as a whole.  buf NULL
 * means the built-in policy of level (level < 0: the default level).
 * name prefixes every message: "policy.json: capabilities.allow[2]: unknown
 * capability \"CAP_FOO\""; syntax errors read "policy.json:LINE:COL: …".
 * Unknown keys are errors.  On success *out owns a new policy (free with
 * hr_policy_free).  Never exits on bad input.
 */
int hr_policy_parse(const char *buf, size_t len, const char *name, int level, struct hr_policy **out,
		    struct hr_err **err);

void hr_policy_free(struct hr_policy *p);

/* The effective policy as indented JSON text (every key, the level's defaults merged); new string. */
char *hr_policy_dump(const struct hr_policy *p);

/*
 * Whether the policy exempts the container (id, name may be NULL,
 * annotations as a JSON object or NULL) from control.
 */
bool hr_policy_exempt(const struct hr_policy *p, const char *control, const char *id, const char *name,
		      const struct json_t *annotations);

/* The container-specific profile name of the first seccomp.profiles entry whose glob matches id or name, or NULL. */
const char *hr_policy_seccomp_profile_for(const struct hr_policy *p, const char *id, const char *name);

/* Whether id or name matches a glob of seccomp.learn.containers. */
bool hr_policy_seccomp_learns(const struct hr_policy *p, const char *id, const char *name);

/* Whether id or name matches one of the policy's monitor globs. */
bool hr_policy_is_monitor(const struct hr_policy *p, const char *id, const char *name);

/* Built-in seccomp profiles by name ("default", "docker"): OCI linux.seccomp JSON text, or NULL. */
const char *hr_policy_builtin_seccomp(const char *name, size_t *len);

/* The AppArmor profile template (profiles/apparmor/hardrun-default). Static storage. */
const char *hr_policy_apparmor_template(void);

/*
 * Whether profile (process.apparmorProfile) is the one hardrun generates
 * for container id: "hardrun-<id>", alone or stacked on the bundle's
 * profile as "hardrun-<id>//&<bundle's>".  Only such a profile is loaded
 * at create and unloaded at delete.
 */
bool hr_policy_apparmor_is_own(const char *profile, const char *id);

/*
 * The per-container AppArmor profile text: the template with every
 * "@PROFILE@" replaced by profile_name, which must be a plain name
 * ([A-Za-z0-9_.+-]+, else NULL).  New string.
 */
char *hr_policy_apparmor_profile(const char *profile_name);

/*
 * A size: a non-negative integer of bytes, or a string "N", "Nk", "Nm",
 * "Ng" (powers of 1024).  Returns -1 when malformed or too large.
 */
int hr_policy_parse_size(const char *s, uint64_t *out);

#endif
