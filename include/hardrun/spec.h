/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The parsed OCI runtime-spec configuration (config.json, runtime-spec 1.x,
 * Linux).  Parsing is strict about types and values, ignores unknown fields
 * as the spec demands, and reports the JSON path of the first problem:
 *   "config.json: linux.namespaces[2].type: unknown namespace \"pidd\"".
 * This module makes no kernel calls; it runs in unit tests and fuzzers.
 *
 * Conventions for the structures below: every optional scalar has a
 * has_<name> flag; strings are NULL when absent; arrays are (pointer, count)
 * pairs, NULL/0 when absent; string vectors are NULL-terminated.  All memory
 * belongs to the struct hr_spec and is released by hr_spec_free().
 */
#ifndef HARDRUN_SPEC_H
#define HARDRUN_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "hardrun/error.h"

struct json_t;

/* Annotations hardrun reads (see hardrun(8), USER NAMESPACES). */
#define HR_ANN_ROOTFS_IDMAP "org.hardrun.rootfs.idmap"
#define HR_ANN_ROOTFS_IDMAP_FALLBACK "org.hardrun.rootfs.idmap-fallback"
/*
 * Extensions the harden stage writes into the config it hardens (see
 * hardrun-policy(5)): the policy's seccomp filter, stacked on the bundle's
 * (an OCI linux.seccomp object under this key of "linux"), and the
 * annotation that makes the root mount nosuid,nodev.
 */
#define HR_SPEC_POLICY_SECCOMP "org.hardrun.policySeccomp"
/* the container-specific profile the policy chose (learned, say), loaded before the other filters */
#define HR_SPEC_PROFILE_SECCOMP "org.hardrun.profileSeccomp"
/* learn mode: the absolute path of the profile to write; only harden sets it (it removes the bundle's) */
#define HR_SPEC_ANN_SECCOMP_LEARNING "org.hardrun.seccomp.learning"
#define HR_SPEC_ANN_ROOTFS_NOSUID "org.hardrun.rootfs.nosuid"

enum hr_ns_type {
	HR_NS_PID = 0,
	HR_NS_NET,
	HR_NS_MOUNT,
	HR_NS_IPC,
	HR_NS_UTS,
	HR_NS_USER,
	HR_NS_CGROUP,
	HR_NS_TIME,
	HR_NS_COUNT
};

/* "pid", "network", "mount", "ipc", "uts", "user", "cgroup", "time". */
const char *hr_ns_type_name(enum hr_ns_type t);
/* Name used under /proc/PID/ns/: "pid", "net", "mnt", "ipc", "uts", "user", "cgroup", "time". */
const char *hr_ns_proc_name(enum hr_ns_type t);

struct hr_idmap {
	uint32_t container_id;
	uint32_t host_id;
	uint32_t size;
};

struct hr_kv {
	char *key;
	char *value;
};

/*
 * Parsed mount options (see hr_mount_opts_parse).  flags are MS_* bits for
 * mount(2); clear_flags are MS_* bits explicitly cleared ("rw", "suid", …);
 * propagation is one of MS_SHARED/MS_SLAVE/MS_PRIVATE/MS_UNBINDABLE possibly
 * with MS_REC, 0 when not given; rec_attr_set/rec_attr_clr are
 * MOUNT_ATTR_* bits for the recursive variants ("rro", "rnosuid", …) applied
 * with mount_setattr(AT_RECURSIVE); data is the comma-joined list of
 * options that are not flags (passed to the filesystem), NULL when empty.
 */
struct hr_mount_opts {
	unsigned long flags;
	unsigned long clear_flags;
	unsigned long propagation;
	uint64_t rec_attr_set;
	uint64_t rec_attr_clr;
	bool bind;	/* "bind" or "rbind" */
	bool recursive; /* "rbind" */
	bool idmap;	/* "idmap" */
	bool ridmap;	/* "ridmap" */
	bool tmpcopyup; /* accepted, refused later when unsupported */
	char *data;
};

struct hr_mount {
	char *destination; /* absolute (a relative one is made absolute, as the spec allows) */
	char *type;	   /* may be NULL for bind mounts */
	char *source;	   /* may be NULL */
	char **options;	   /* raw option strings, NULL-terminated, may be NULL */
	struct hr_mount_opts opts;
	struct hr_idmap *uid_mappings;
	size_t n_uid_mappings;
	struct hr_idmap *gid_mappings;
	size_t n_gid_mappings;
};

struct hr_rlimit {
	int resource; /* RLIMIT_* */
	uint64_t soft;
	uint64_t hard;
};

/* Capability sets as bit masks (bit N = capability N). */
struct hr_caps {
	uint64_t bounding;
	uint64_t effective;
	uint64_t inheritable;
	uint64_t permitted;
	uint64_t ambient;
	char **unknown; /* names that were not recognised: warn, do not fail (spec) */
};

struct hr_user {
	uid_t uid;
	gid_t gid;
	bool has_umask;
	mode_t umask;
	gid_t *additional_gids;
	size_t n_additional_gids;
	char *username; /* Windows only in the spec; kept for completeness */
};

struct hr_process {
	bool terminal;
	bool has_console_size;
	unsigned int console_height;
	unsigned int console_width;
	struct hr_user user;
	char **args; /* NULL-terminated, at least one element */
	char **env;  /* NULL-terminated, may be NULL */
	char *cwd;   /* absolute */
	bool has_capabilities;
	struct hr_caps caps;
	struct hr_rlimit *rlimits;
	size_t n_rlimits;
	bool no_new_privileges;
	char *apparmor_profile;
	bool has_oom_score_adj;
	int oom_score_adj;
	char *selinux_label;
};

enum hr_hook_kind {
	HR_HOOK_PRESTART = 0,
	HR_HOOK_CREATE_RUNTIME,
	HR_HOOK_CREATE_CONTAINER,
	HR_HOOK_START_CONTAINER,
	HR_HOOK_POSTSTART,
	HR_HOOK_POSTSTOP,
	HR_HOOK_COUNT
};

/* "prestart", "createRuntime", … as in config.json */
const char *hr_hook_kind_name(enum hr_hook_kind k);

struct hr_hook {
	char *path;  /* absolute */
	char **args; /* may be NULL */
	char **env;  /* may be NULL */
	bool has_timeout;
	int timeout; /* seconds, > 0 */
};

struct hr_hook_list {
	struct hr_hook *hooks;
	size_t n;
};

struct hr_namespace {
	bool present; /* listed in linux.namespaces */
	char *path;   /* join this namespace; NULL = create a new one */
};

struct hr_device {
	char *path;
	char type; /* 'c', 'b', 'u', 'p' */
	int64_t major;
	int64_t minor;
	bool has_file_mode;
	uint32_t file_mode;
	bool has_uid;
	uid_t uid;
	bool has_gid;
	gid_t gid;
};

/* linux.resources.devices[] entry; major/minor -1 = wildcard. */
struct hr_device_rule {
	bool allow;
	char type; /* 'a', 'c', 'b' */
	int64_t major;
	int64_t minor;
	char *access; /* subset of "rwm", NULL = "rwm" */
};

struct hr_memory {
	bool has_limit;
	int64_t limit;
	bool has_reservation;
	int64_t reservation;
	bool has_swap;
	int64_t swap;
	bool has_kernel;
	int64_t kernel;
	bool has_kernel_tcp;
	int64_t kernel_tcp;
	bool has_swappiness;
	uint64_t swappiness;
	bool has_disable_oom_killer;
	bool disable_oom_killer;
	bool has_use_hierarchy;
	bool use_hierarchy;
	bool has_check_before_update;
	bool check_before_update;
};

struct hr_cpu {
	bool has_shares;
	uint64_t shares;
	bool has_quota;
	int64_t quota;
	bool has_burst;
	uint64_t burst;
	bool has_period;
	uint64_t period;
	bool has_realtime_runtime;
	int64_t realtime_runtime;
	bool has_realtime_period;
	uint64_t realtime_period;
	char *cpus;
	char *mems;
	bool has_idle;
	int64_t idle;
};

struct hr_blkio_weight_device {
	int64_t major;
	int64_t minor;
	bool has_weight;
	uint16_t weight;
	bool has_leaf_weight;
	uint16_t leaf_weight;
};

struct hr_blkio_throttle {
	int64_t major;
	int64_t minor;
	uint64_t rate;
};

struct hr_blkio {
	bool has_weight;
	uint16_t weight;
	bool has_leaf_weight;
	uint16_t leaf_weight;
	struct hr_blkio_weight_device *weight_device;
	size_t n_weight_device;
	struct hr_blkio_throttle *throttle_read_bps;
	size_t n_throttle_read_bps;
	struct hr_blkio_throttle *throttle_write_bps;
	size_t n_throttle_write_bps;
	struct hr_blkio_throttle *throttle_read_iops;
	size_t n_throttle_read_iops;
	struct hr_blkio_throttle *throttle_write_iops;
	size_t n_throttle_write_iops;
};

struct hr_hugepage_limit {
	char *page_size; /* "2MB", "1GB", … */
	uint64_t limit;
};

struct hr_net_priority {
	char *name;
	uint32_t priority;
};

struct hr_resources {
	struct hr_device_rule *devices;
	size_t n_devices;
	bool has_memory;
	struct hr_memory memory;
	bool has_cpu;
	struct hr_cpu cpu;
	bool has_pids;
	int64_t pids_limit; /* -1 or <= 0 with has_pids: see spec (0 is a valid limit) */
	bool has_blkio;
	struct hr_blkio blkio;
	struct hr_hugepage_limit *hugepage_limits;
	size_t n_hugepage_limits;
	bool has_net_class_id;
	uint32_t net_class_id;
	struct hr_net_priority *net_priorities;
	size_t n_net_priorities;
	struct hr_kv *unified;
	size_t n_unified;
};

enum hr_seccomp_action {
	HR_SCMP_ACT_KILL = 0, /* = KILL_THREAD */
	HR_SCMP_ACT_KILL_PROCESS,
	HR_SCMP_ACT_KILL_THREAD,
	HR_SCMP_ACT_TRAP,
	HR_SCMP_ACT_ERRNO,
	HR_SCMP_ACT_TRACE,
	HR_SCMP_ACT_ALLOW,
	HR_SCMP_ACT_LOG,
	HR_SCMP_ACT_NOTIFY,
};

/* "SCMP_ACT_ERRNO" → HR_SCMP_ACT_ERRNO; returns -1 when unknown. */
int hr_seccomp_action_parse(const char *s);
const char *hr_seccomp_action_name(enum hr_seccomp_action a);

enum hr_seccomp_op {
	HR_SCMP_CMP_NE = 0,
	HR_SCMP_CMP_LT,
	HR_SCMP_CMP_LE,
	HR_SCMP_CMP_EQ,
	HR_SCMP_CMP_GE,
	HR_SCMP_CMP_GT,
	HR_SCMP_CMP_MASKED_EQ,
};

int hr_seccomp_op_parse(const char *s);
const char *hr_seccomp_op_name(enum hr_seccomp_op op);

struct hr_seccomp_arg {
	unsigned int index; /* 0..5 */
	uint64_t value;
	uint64_t value_two;
	enum hr_seccomp_op op;
};

struct hr_seccomp_rule {
	char **names; /* NULL-terminated, at least one */
	enum hr_seccomp_action action;
	bool has_errno_ret;
	unsigned int errno_ret;
	struct hr_seccomp_arg *args;
	size_t n_args;
};

struct hr_seccomp {
	enum hr_seccomp_action default_action;
	bool has_default_errno_ret;
	unsigned int default_errno_ret;
	char **architectures; /* "SCMP_ARCH_X86_64", … NULL-terminated, may be NULL */
	char **flags;	      /* "SECCOMP_FILTER_FLAG_LOG", … may be NULL */
	char *listener_path;
	char *listener_metadata;
	struct hr_seccomp_rule *rules;
	size_t n_rules;
};

enum hr_time_clock { HR_CLOCK_MONOTONIC = 0, HR_CLOCK_BOOTTIME, HR_CLOCK_COUNT };

struct hr_time_offset {
	bool present;
	int64_t secs;
	uint32_t nanosecs;
};

struct hr_linux {
	struct hr_namespace namespaces[HR_NS_COUNT];
	struct hr_idmap *uid_mappings;
	size_t n_uid_mappings;
	struct hr_idmap *gid_mappings;
	size_t n_gid_mappings;
	struct hr_device *devices;
	size_t n_devices;
	char *cgroups_path;
	bool has_resources;
	struct hr_resources resources;
	struct hr_kv *sysctl;
	size_t n_sysctl;
	struct hr_seccomp *seccomp;		/* NULL when absent */
	struct hr_seccomp *policy_seccomp;	/* linux[HR_SPEC_POLICY_SECCOMP]: loaded before seccomp, or NULL */
	struct hr_seccomp *profile_seccomp;	/* linux[HR_SPEC_PROFILE_SECCOMP]: loaded first, or NULL */
	char *rootfs_propagation;		/* validated: shared, slave, private, unbindable (r-prefixed too) */
	unsigned long rootfs_propagation_flags; /* MS_* | MS_REC, 0 when absent */
	char **masked_paths;
	char **readonly_paths;
	char *mount_label;
	bool has_personality;
	unsigned long personality; /* PER_LINUX or PER_LINUX32 */
	struct hr_time_offset time_offsets[HR_CLOCK_COUNT];
};

struct hr_spec {
	char *oci_version;
	char *root_path; /* as written; may be relative to the bundle */
	bool root_readonly;
	/*
	 * annotation org.hardrun.rootfs.idmap = "true": the rootfs (an overlay
	 * is rebuilt from idmapped layers) and every bind without idmap options
	 * of its own are idmapped with the container's mappings
	 */
	bool root_idmap;
	/* org.hardrun.rootfs.idmap-fallback = "unmapped" (default "refuse"): what to do where idmapping fails */
	bool root_idmap_unmapped;
	bool root_nosuid_nodev; /* annotation HR_SPEC_ANN_ROOTFS_NOSUID is "true" */
	struct hr_mount *mounts;
	size_t n_mounts;
	struct hr_process *process; /* NULL when absent */
	char *hostname;
	char *domainname;
	struct hr_hook_list hooks[HR_HOOK_COUNT];
	struct hr_kv *annotations;
	size_t n_annotations;
	bool has_linux;
	struct hr_linux lnx; /* "linux" is a predefined macro in gnu11 */
};

/*
 * Parse config.json text (buf, len; need not be NUL-terminated).
 * JSON syntax errors read "config.json:LINE:COL: <jansson text>"; structural
 * errors "config.json: <json.path>: <reason>".  On success *out owns a new
 * spec.  Never exits or aborts on bad input (OOM aside).
 */
int hr_spec_load_buf(const char *buf, size_t len, struct hr_spec **out, struct hr_err **err);

/* As hr_spec_load_buf, from an already parsed JSON value (borrowed). */
int hr_spec_parse(struct json_t *root, struct hr_spec **out, struct hr_err **err);

/*
 * Cross-field validation that needs the whole spec: namespaces vs mappings,
 * user namespace needed for idmapped mounts, sysctl vs namespaces,
 * process required, terminal/console, hostname needs a UTS namespace, …
 * Same message format as the parser.
 */
int hr_spec_validate(const struct hr_spec *spec, struct hr_err **err);

void hr_spec_free(struct hr_spec *spec);

/*
 * Parse a list of OCI mount option strings into *out (zeroed first; free
 * with hr_mount_opts_clear).  jpath is used in messages, e.g.
 * "mounts[3].options".  Unknown options become fs data as the spec says;
 * malformed known ones are errors.
 */
int hr_mount_opts_parse(char *const *options, const char *jpath, struct hr_mount_opts *out, struct hr_err **err);
void hr_mount_opts_clear(struct hr_mount_opts *o);

/*
 * Parse an id-map string "containerID:hostID:size[,…]" (used by CLI flags
 * and mount options) into a new array.  Returns the count or -1.
 */
int hr_idmap_parse(const char *s, struct hr_idmap **out, struct hr_err **err);

/* Capability names: "CAP_SYS_ADMIN" ↔ 21.  Returns -1 / NULL when unknown. */
int hr_cap_from_name(const char *name);
const char *hr_cap_name(int cap);
/* Highest capability number hardrun knows (CAP_LAST_CAP of the headers it was built with). */
int hr_cap_last(void);

/*
 * The default config.json that `hardrun spec` writes, as runc's: args
 * ["sh"], terminal true, 3 capabilities, NNP, the 7 standard mounts, masked
 * and read-only paths, rootfs "rootfs" read-only.  New reference.
 */
struct json_t *hr_spec_default_json(void);

#endif
