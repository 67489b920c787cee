/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * config.json → struct hr_spec, as one table of rows per JSON object read by
 * spec_read.c (see spec_table.h): strict about types and values, silent about
 * unknown keys (runtime-spec), and every message names the JSON path:
 * "config.json: linux.namespaces[2].type: unknown namespace \"pidd\"".
 * The same tables free the spec; the validators the rows name are in
 * spec_check.c.  No kernel calls; runs under unit tests and fuzzers.
 */
#include <errno.h>
#include <jansson.h>
#include <linux/mount.h>
#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "hardrun/spec.h"
#include "hardrun/strutil.h"
#include "spec_table.h"

/* ---- names ---- */

static const char *const ns_names[HR_NS_COUNT] = {"pid", "network", "mount", "ipc", "uts", "user", "cgroup", "time"};
static const char *const ns_proc[HR_NS_COUNT] = {"pid", "net", "mnt", "ipc", "uts", "user", "cgroup", "time"};
static const char *const hook_names[HR_HOOK_COUNT] = {"prestart",	"createRuntime", "createContainer",
						      "startContainer", "poststart",	 "poststop"};
#define ACT(x) [HR_SCMP_ACT_##x] = "SCMP_ACT_" #x
#define CMP(x) [HR_SCMP_CMP_##x] = "SCMP_CMP_" #x
static const char *const action_names[] = {ACT(KILL),  ACT(KILL_PROCESS), ACT(KILL_THREAD), ACT(TRAP),	ACT(ERRNO),
					   ACT(TRACE), ACT(ALLOW),	  ACT(LOG),	    ACT(NOTIFY)};
static const char *const op_names[] = {CMP(NE), CMP(LT), CMP(LE), CMP(EQ), CMP(GE), CMP(GT), CMP(MASKED_EQ)};
#undef ACT
#undef CMP

/* The index of s in names[0..n), or -1; and back, "?" out of range. */
static int name_index(const char *const *names, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(s, names[i]) == 0)
			return (int)i;
	return -1;
}

static const char *name_at(const char *const *names, size_t n, size_t i)
{
	return i < n ? names[i] : "?";
}

const char *hr_ns_type_name(enum hr_ns_type t)
{
	return name_at(ns_names, HR_NS_COUNT, t);
}

const char *hr_ns_proc_name(enum hr_ns_type t)
{
	return name_at(ns_proc, HR_NS_COUNT, t);
}

const char *hr_hook_kind_name(enum hr_hook_kind k)
{
	return name_at(hook_names, HR_HOOK_COUNT, k);
}

int hr_seccomp_action_parse(const char *s)
{
	return name_index(action_names, HR_ARRAY_SIZE(action_names), s);
}

const char *hr_seccomp_action_name(enum hr_seccomp_action a)
{
	return name_at(action_names, HR_ARRAY_SIZE(action_names), a);
}

int hr_seccomp_op_parse(const char *s)
{
	return name_index(op_names, HR_ARRAY_SIZE(op_names), s);
}

const char *hr_seccomp_op_name(enum hr_seccomp_op op)
{
	return name_at(op_names, HR_ARRAY_SIZE(op_names), op);
}

static const struct {
	const char *name;
	int res;
} rlimit_names[] = {
	{"RLIMIT_AS", RLIMIT_AS},
	{"RLIMIT_CORE", RLIMIT_CORE},
	{"RLIMIT_CPU", RLIMIT_CPU},
	{"RLIMIT_DATA", RLIMIT_DATA},
	{"RLIMIT_FSIZE", RLIMIT_FSIZE},
	{"RLIMIT_LOCKS", RLIMIT_LOCKS},
	{"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK},
	{"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE},
	{"RLIMIT_NICE", RLIMIT_NICE},
	{"RLIMIT_NOFILE", RLIMIT_NOFILE},
	{"RLIMIT_NPROC", RLIMIT_NPROC},
	{"RLIMIT_RSS", RLIMIT_RSS},
	{"RLIMIT_RTPRIO", RLIMIT_RTPRIO},
	{"RLIMIT_RTTIME", RLIMIT_RTTIME},
	{"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING},
	{"RLIMIT_STACK", RLIMIT_STACK},
};

/* The structs the tables fill, short, so that a row fits on a line. */
#define T_BLKIO struct hr_blkio
#define T_BLKIO_THROTTLE struct hr_blkio_throttle
#define T_BLKIO_WEIGHT_DEVICE struct hr_blkio_weight_device
#define T_CAPS struct hr_caps
#define T_CPU struct hr_cpu
#define T_DEVICE struct hr_device
#define T_DEVICE_RULE struct hr_device_rule
#define T_HOOK struct hr_hook
#define T_HUGEPAGE_LIMIT struct hr_hugepage_limit
#define T_IDMAP struct hr_idmap
#define T_LINUX struct hr_linux
#define T_MEMORY struct hr_memory
#define T_MOUNT struct hr_mount
#define T_NET_PRIORITY struct hr_net_priority
#define T_PROCESS struct hr_process
#define T_RESOURCES struct hr_resources
#define T_RLIMIT struct hr_rlimit
#define T_SECCOMP struct hr_seccomp
#define T_SECCOMP_ARG struct hr_seccomp_arg
#define T_SECCOMP_RULE struct hr_seccomp_rule
#define T_SPEC struct hr_spec
#define T_TIME_OFFSET struct hr_time_offset
#define T_USER struct hr_user

static const struct hr_spec_row idmap_rows[] = {
	R("containerID", K_INT, AT(T_IDMAP, container_id), U32, NEED),
	R("hostID", K_INT, AT(T_IDMAP, host_id), U32, NEED),
	R("size", K_INT, AT(T_IDMAP, size), U32, NEED),
};
DESC(idmap_desc, T_IDMAP, idmap_rows, hr_spec_check_idmap, NULL);

static void release_mount(void *o)
{
	hr_mount_opts_clear(&((struct hr_mount *)o)->opts);
}

static const struct hr_spec_row mount_rows[] = {
	R("destination", K_STR, AT(T_MOUNT, destination), REQ, .check = hr_spec_check_destination),
	R("type", K_STR, AT(T_MOUNT, type)),
	R("source", K_STR, AT(T_MOUNT, source)),
	R("options", K_STRV, AT(T_MOUNT, options), .check = hr_spec_check_mount_options),
	R("uidMappings", K_ARR, ARRAY(T_MOUNT, uid_mappings), .sub = &idmap_desc),
	R("gidMappings", K_ARR, ARRAY(T_MOUNT, gid_mappings), .sub = &idmap_desc),
};
DESC(mount_desc, T_MOUNT, mount_rows, hr_spec_check_mount, release_mount);

static const struct hr_spec_row console_rows[] = {
	R("height", K_INT, AT(T_PROCESS, console_height), U32, NEED),
	R("width", K_INT, AT(T_PROCESS, console_width), U32, NEED),
};
DESC(console_desc, T_PROCESS, console_rows, hr_spec_check_needed, NULL);

static const struct hr_spec_row user_rows[] = {
	R("uid", K_INT, AT(T_USER, uid), U32, NEED),
	R("gid", K_INT, AT(T_USER, gid), U32, NEED),
	CHECK(hr_spec_check_needed),
	R("umask", K_INT, AT(T_USER, umask), HAS(T_USER, has_umask), RANGE(0, 0777)),
	R("username", K_STR, AT(T_USER, username)),
	R("additionalGids", K_INTV, .off = offsetof(T_USER, additional_gids), .size = sizeof(gid_t),
	  COUNT(T_USER, n_additional_gids), U32),
};
DESC(user_desc, T_USER, user_rows, NULL, NULL);

static void release_caps(void *o)
{
	hr_strv_free(((struct hr_caps *)o)->unknown);
}

static const struct hr_spec_row caps_rows[] = {
	R("bounding", K_CAPS, AT(T_CAPS, bounding)),	   R("effective", K_CAPS, AT(T_CAPS, effective)),
	R("inheritable", K_CAPS, AT(T_CAPS, inheritable)), R("permitted", K_CAPS, AT(T_CAPS, permitted)),
	R("ambient", K_CAPS, AT(T_CAPS, ambient)),
};
DESC(caps_desc, T_CAPS, caps_rows, NULL, release_caps);

static int rlimit_lookup(const char *s)
{
	for (size_t k = 0; k < HR_ARRAY_SIZE(rlimit_names); k++)
		if (strcmp(s, rlimit_names[k].name) == 0)
			return rlimit_names[k].res;
	return -1;
}

static const struct hr_spec_row rlimit_rows[] = {
	R("type", K_ENUM, AT(T_RLIMIT, resource), REQ, .lookup = rlimit_lookup, .what = "rlimit",
	  .check = hr_spec_check_enum),
	R("soft", K_U64, AT(T_RLIMIT, soft), NEED),
	R("hard", K_U64, AT(T_RLIMIT, hard), NEED),
};
DESC(rlimit_desc, T_RLIMIT, rlimit_rows, hr_spec_check_rlimit, NULL);

static const struct hr_spec_row process_rows[] = {
	R("terminal", K_BOOL, AT(T_PROCESS, terminal)),
	R("args", K_STRV, AT(T_PROCESS, args)),
	R("env", K_STRV, AT(T_PROCESS, env)),
	R("cwd", K_STR, AT(T_PROCESS, cwd)),
	R("noNewPrivileges", K_BOOL, AT(T_PROCESS, no_new_privileges)),
	R("apparmorProfile", K_STR, AT(T_PROCESS, apparmor_profile)),
	R("selinuxLabel", K_STR, AT(T_PROCESS, selinux_label)),
	R("scheduler", K_UNSUP),
	R("ioPriority", K_UNSUP),
	R("execCPUAffinity", K_UNSUP),
	CHECK(hr_spec_check_process_args),
	R("oomScoreAdj", K_INT, AT(T_PROCESS, oom_score_adj), HAS(T_PROCESS, has_oom_score_adj), RANGE(-1000, 1000)),
	R("consoleSize", K_OBJ, .off = 0, HAS(T_PROCESS, has_console_size), .sub = &console_desc),
	R("user", K_OBJ, AT(T_PROCESS, user), REQ, .sub = &user_desc),
	R("capabilities", K_OBJ, AT(T_PROCESS, caps), HAS(T_PROCESS, has_capabilities), .sub = &caps_desc),
	R("rlimits", K_ARR, ARRAY(T_PROCESS, rlimits), .sub = &rlimit_desc),
};
DESC(process_desc, T_PROCESS, process_rows, NULL, NULL);

static const struct hr_spec_row hook_rows[] = {
	R("path", K_STR, AT(T_HOOK, path), REQ, .check = hr_spec_check_abs),
	R("args", K_STRV, AT(T_HOOK, args)),
	R("env", K_STRV, AT(T_HOOK, env)),
	R("timeout", K_INT, AT(T_HOOK, timeout), HAS(T_HOOK, has_timeout), RANGE(INT_MIN, INT_MAX),
	  .check = hr_spec_check_hook_timeout),
};
DESC(hook_desc, T_HOOK, hook_rows, NULL, NULL);

#define LIST(T, m) AT(T, m.hooks), COUNT(T, m.n)
static const struct hr_spec_row hooks_rows[] = {
	R("prestart", K_ARR, LIST(T_SPEC, hooks[HR_HOOK_PRESTART]), .sub = &hook_desc),
	R("createRuntime", K_ARR, LIST(T_SPEC, hooks[HR_HOOK_CREATE_RUNTIME]), .sub = &hook_desc),
	R("createContainer", K_ARR, LIST(T_SPEC, hooks[HR_HOOK_CREATE_CONTAINER]), .sub = &hook_desc),
	R("startContainer", K_ARR, LIST(T_SPEC, hooks[HR_HOOK_START_CONTAINER]), .sub = &hook_desc),
	R("poststart", K_ARR, LIST(T_SPEC, hooks[HR_HOOK_POSTSTART]), .sub = &hook_desc),
	R("poststop", K_ARR, LIST(T_SPEC, hooks[HR_HOOK_POSTSTOP]), .sub = &hook_desc),
};
DESC(hooks_desc, T_SPEC, hooks_rows, NULL, NULL);

/* linux.namespaces[]: each lands in namespaces[type], at most once. */
int hr_spec_check_namespace(const struct hr_spec_row *r, struct hr_spec_ctx *c, struct hr_err **err)
{
	struct hr_linux *lx = c->obj;
	const char *type = *hr_spec_str_of(c, "type");
	char **path = hr_spec_str_of(c, "path");
	int t = type ? name_index(ns_names, HR_NS_COUNT, type) : -1;

	(void)r;
	if (t < 0)
		return hr_fail(err, 0, "config.json: %s.type: unknown namespace \"%s\"", c->path, type);
	if (lx->namespaces[t].present)
		return hr_fail(err, 0, "config.json: %s.type: duplicate namespace \"%s\"", c->path, type);
	if (*path && (*path)[0] == '\0') {
		free(*path);
		*path = NULL;
	}
	if (*path && (*path)[0] != '/')
		return hr_fail(err, 0, "config.json: %s.path: must be an absolute path", c->path);
	lx->namespaces[t].present = true;
	lx->namespaces[t].path = steal_ptr(path);
	return 0;
}

static const struct hr_spec_row namespace_rows[] = {
	R("type", K_STR, REQ, .tmp = true),
	R("path", K_STR, .tmp = true),
};
DESC(namespace_desc, T_LINUX, namespace_rows, hr_spec_check_namespace, NULL);

static int device_type_lookup(const char *s)
{
	return strlen(s) == 1 && strchr("cbup", s[0]) ? s[0] : -1;
}

static const struct hr_spec_row device_rows[] = {
	R("path", K_STR, AT(T_DEVICE, path), REQ, .check = hr_spec_check_clean),
	R("type", K_ENUM, AT(T_DEVICE, type), REQ, .lookup = device_type_lookup, .what = "device type",
	  .check = hr_spec_check_enum),
	R("major", K_INT, AT(T_DEVICE, major), U32),
	R("minor", K_INT, AT(T_DEVICE, minor), U32),
	R("fileMode", K_INT, AT(T_DEVICE, file_mode), HAS(T_DEVICE, has_file_mode), RANGE(0, 07777)),
	R("uid", K_INT, AT(T_DEVICE, uid), HAS(T_DEVICE, has_uid), U32),
	R("gid", K_INT, AT(T_DEVICE, gid), HAS(T_DEVICE, has_gid), U32),
};
DESC(device_desc, T_DEVICE, device_rows, hr_spec_check_device, NULL);

static int rule_type_lookup(const char *s)
{
	return strlen(s) == 1 && strchr("abc", s[0]) ? s[0] : -1;
}

static const struct hr_spec_row device_rule_rows[] = {
	R("allow", K_BOOL, AT(T_DEVICE_RULE, allow), .check = hr_spec_check_required),
	R("type", K_ENUM, AT(T_DEVICE_RULE, type), .dflt = true, .lo = 'a', .lookup = rule_type_lookup,
	  .what = "device type", .check = hr_spec_check_enum),
	R("major", K_INT, AT(T_DEVICE_RULE, major), .dflt = true, RANGE(-1, UINT32_MAX)),
	R("minor", K_INT, AT(T_DEVICE_RULE, minor), .dflt = true, RANGE(-1, UINT32_MAX)),
	R("access", K_STR, AT(T_DEVICE_RULE, access)),
};
DESC(device_rule_desc, T_DEVICE_RULE, device_rule_rows, hr_spec_check_device_rule, NULL);

static const struct hr_spec_row memory_rows[] = {
	R("limit", K_INT, AT(T_MEMORY, limit), HAS(T_MEMORY, has_limit), I64),
	R("reservation", K_INT, AT(T_MEMORY, reservation), HAS(T_MEMORY, has_reservation), I64),
	R("swap", K_INT, AT(T_MEMORY, swap), HAS(T_MEMORY, has_swap), I64),
	R("kernel", K_INT, AT(T_MEMORY, kernel), HAS(T_MEMORY, has_kernel), I64),
	R("kernelTCP", K_INT, AT(T_MEMORY, kernel_tcp), HAS(T_MEMORY, has_kernel_tcp), I64),
	R("swappiness", K_U64, AT(T_MEMORY, swappiness), HAS(T_MEMORY, has_swappiness)),
	R("disableOOMKiller", K_BOOL, AT(T_MEMORY, disable_oom_killer), HAS(T_MEMORY, has_disable_oom_killer)),
	R("useHierarchy", K_BOOL, AT(T_MEMORY, use_hierarchy), HAS(T_MEMORY, has_use_hierarchy)),
	R("checkBeforeUpdate", K_BOOL, AT(T_MEMORY, check_before_update), HAS(T_MEMORY, has_check_before_update)),
};
DESC(memory_desc, T_MEMORY, memory_rows, hr_spec_check_memory, NULL);

static const struct hr_spec_row cpu_rows[] = {
	R("shares", K_U64, AT(T_CPU, shares), HAS(T_CPU, has_shares)),
	R("quota", K_INT, AT(T_CPU, quota), HAS(T_CPU, has_quota), I64),
	R("burst", K_U64, AT(T_CPU, burst), HAS(T_CPU, has_burst)),
	R("period", K_U64, AT(T_CPU, period), HAS(T_CPU, has_period)),
	R("realtimeRuntime", K_INT, AT(T_CPU, realtime_runtime), HAS(T_CPU, has_realtime_runtime), I64),
	R("realtimePeriod", K_U64, AT(T_CPU, realtime_period), HAS(T_CPU, has_realtime_period)),
	R("cpus", K_STR, AT(T_CPU, cpus)),
	R("mems", K_STR, AT(T_CPU, mems)),
	R("idle", K_INT, AT(T_CPU, idle), HAS(T_CPU, has_idle), I64),
};
DESC(cpu_desc, T_CPU, cpu_rows, NULL, NULL);

static const struct hr_spec_row pids_rows[] = {
	R("limit", K_INT, AT(T_RESOURCES, pids_limit), HAS(T_RESOURCES, has_pids), I64),
};
DESC(pids_desc, T_RESOURCES, pids_rows, NULL, NULL);

static const struct hr_spec_row weight_device_rows[] = {
	R("major", K_INT, AT(T_BLKIO_WEIGHT_DEVICE, major), U32, NEED),
	R("minor", K_INT, AT(T_BLKIO_WEIGHT_DEVICE, minor), U32, NEED),
	R("weight", K_INT, AT(T_BLKIO_WEIGHT_DEVICE, weight), HAS(T_BLKIO_WEIGHT_DEVICE, has_weight), RANGE(0, 1000)),
	R("leafWeight", K_INT, AT(T_BLKIO_WEIGHT_DEVICE, leaf_weight), HAS(T_BLKIO_WEIGHT_DEVICE, has_leaf_weight),
	  RANGE(0, 1000)),
};
DESC(weight_device_desc, T_BLKIO_WEIGHT_DEVICE, weight_device_rows, hr_spec_check_needed, NULL);

static const struct hr_spec_row throttle_rows[] = {
	R("major", K_INT, AT(T_BLKIO_THROTTLE, major), U32, NEED),
	R("minor", K_INT, AT(T_BLKIO_THROTTLE, minor), U32, NEED),
	R("rate", K_U64, AT(T_BLKIO_THROTTLE, rate), NEED),
};
DESC(throttle_desc, T_BLKIO_THROTTLE, throttle_rows, hr_spec_check_needed, NULL);

static const struct hr_spec_row blkio_rows[] = {
	R("weight", K_INT, AT(T_BLKIO, weight), HAS(T_BLKIO, has_weight), RANGE(0, 1000)),
	R("leafWeight", K_INT, AT(T_BLKIO, leaf_weight), HAS(T_BLKIO, has_leaf_weight), RANGE(0, 1000)),
	R("weightDevice", K_ARR, ARRAY(T_BLKIO, weight_device), .sub = &weight_device_desc),
	R("throttleReadBpsDevice", K_ARR, ARRAY(T_BLKIO, throttle_read_bps), .sub = &throttle_desc),
	R("throttleWriteBpsDevice", K_ARR, ARRAY(T_BLKIO, throttle_write_bps), .sub = &throttle_desc),
	R("throttleReadIOPSDevice", K_ARR, ARRAY(T_BLKIO, throttle_read_iops), .sub = &throttle_desc),
	R("throttleWriteIOPSDevice", K_ARR, ARRAY(T_BLKIO, throttle_write_iops), .sub = &throttle_desc),
};
DESC(blkio_desc, T_BLKIO, blkio_rows, NULL, NULL);

static const struct hr_spec_row hugepage_rows[] = {
	R("pageSize", K_STR, AT(T_HUGEPAGE_LIMIT, page_size), REQ),
	R("limit", K_U64, AT(T_HUGEPAGE_LIMIT, limit), .check = hr_spec_check_required),
};
DESC(hugepage_desc, T_HUGEPAGE_LIMIT, hugepage_rows, NULL, NULL);

static const struct hr_spec_row net_priority_rows[] = {
	R("name", K_STR, AT(T_NET_PRIORITY, name), REQ),
	R("priority", K_INT, AT(T_NET_PRIORITY, priority), U32),
};
DESC(net_priority_desc, T_NET_PRIORITY, net_priority_rows, NULL, NULL);

static const struct hr_spec_row network_rows[] = {
	R("classID", K_INT, AT(T_RESOURCES, net_class_id), HAS(T_RESOURCES, has_net_class_id), U32),
	R("priorities", K_ARR, ARRAY(T_RESOURCES, net_priorities), .sub = &net_priority_desc),
};
DESC(network_desc, T_RESOURCES, network_rows, NULL, NULL);

static const struct hr_spec_row resources_rows[] = {
	R("rdma", K_UNSUP),
	R("devices", K_ARR, ARRAY(T_RESOURCES, devices), .sub = &device_rule_desc),
	R("memory", K_OBJ, AT(T_RESOURCES, memory), HAS(T_RESOURCES, has_memory), .sub = &memory_desc),
	R("cpu", K_OBJ, AT(T_RESOURCES, cpu), HAS(T_RESOURCES, has_cpu), .sub = &cpu_desc),
	R("pids", K_OBJ, .off = 0, .sub = &pids_desc),
	R("blockIO", K_OBJ, AT(T_RESOURCES, blkio), HAS(T_RESOURCES, has_blkio), .sub = &blkio_desc),
	R("hugepageLimits", K_ARR, ARRAY(T_RESOURCES, hugepage_limits), .sub = &hugepage_desc),
	R("network", K_OBJ, .off = 0, .sub = &network_desc),
	R("unified", K_MAP, ARRAY(T_RESOURCES, unified)),
};
DESC(resources_desc, T_RESOURCES, resources_rows, NULL, NULL);

static const struct hr_spec_row seccomp_arg_rows[] = {
	R("index", K_INT, AT(T_SECCOMP_ARG, index), RANGE(0, 5), NEED),
	R("value", K_U64, AT(T_SECCOMP_ARG, value), NEED),
	R("valueTwo", K_U64, AT(T_SECCOMP_ARG, value_two)),
	R("op", K_STR, REQ, .tmp = true),
};
DESC(seccomp_arg_desc, T_SECCOMP_ARG, seccomp_arg_rows, hr_spec_check_seccomp_arg, NULL);

static const struct hr_spec_row seccomp_rule_rows[] = {
	R("names", K_STRV, AT(T_SECCOMP_RULE, names)),
	R("name", K_STR, .tmp = true, .check = hr_spec_check_rule_names),
	R("action", K_ENUM, AT(T_SECCOMP_RULE, action), REQ, .lookup = hr_seccomp_action_parse, .what = "action",
	  .check = hr_spec_check_enum),
	R("errnoRet", K_INT, AT(T_SECCOMP_RULE, errno_ret), HAS(T_SECCOMP_RULE, has_errno_ret), RANGE(0, 4095)),
	CHECK(hr_spec_check_rule_action),
	R("args", K_ARR, ARRAY(T_SECCOMP_RULE, args), .sub = &seccomp_arg_desc),
};
DESC(seccomp_rule_desc, T_SECCOMP_RULE, seccomp_rule_rows, NULL, NULL);

static const struct hr_spec_row seccomp_rows[] = {
	R("defaultAction", K_ENUM, AT(T_SECCOMP, default_action), REQ, .lookup = hr_seccomp_action_parse,
	  .what = "action", .check = hr_spec_check_enum),
	CHECK(NULL),
	R("defaultErrnoRet", K_INT, AT(T_SECCOMP, default_errno_ret), HAS(T_SECCOMP, has_default_errno_ret),
	  RANGE(0, 4095)),
	R("architectures", K_STRV, AT(T_SECCOMP, architectures)),
	R("flags", K_STRV, AT(T_SECCOMP, flags)),
	R("listenerPath", K_STR, AT(T_SECCOMP, listener_path)),
	R("listenerMetadata", K_STR, AT(T_SECCOMP, listener_metadata)),
	CHECK(hr_spec_check_seccomp),
	R("syscalls", K_ARR, ARRAY(T_SECCOMP, rules), .sub = &seccomp_rule_desc),
};
DESC(seccomp_desc, T_SECCOMP, seccomp_rows, NULL, NULL);

static int domain_lookup(const char *s)
{
	return strcmp(s, "LINUX") == 0 ? 0 : strcmp(s, "LINUX32") == 0 ? 8 : -1;
}

static const struct hr_spec_row personality_rows[] = {
	R("domain", K_ENUM, AT(T_LINUX, personality), REQ, .lookup = domain_lookup, .what = "domain",
	  .check = hr_spec_check_enum),
};
DESC(personality_desc, T_LINUX, personality_rows, hr_spec_check_personality_flags, NULL);

static const struct hr_spec_row time_offset_rows[] = {
	R("secs", K_INT, AT(T_TIME_OFFSET, secs), I64),
	R("nanosecs", K_INT, AT(T_TIME_OFFSET, nanosecs), RANGE(0, 999999999)),
};
DESC(time_offset_desc, T_TIME_OFFSET, time_offset_rows, hr_spec_check_time_offset, NULL);

/* linux.timeOffsets: an object keyed by clock, so its keys are checked here, in their order. */
int hr_spec_check_time_offsets(const struct hr_spec_row *r, struct hr_spec_ctx *c, struct hr_err **err)
{
	struct hr_linux *lx = c->obj;
	json_t *o = json_object_get(c->json, r->key), *v;
	const char *key;

	if (!o || json_is_null(o))
		return 0;
	if (hr_spec_want(o, JSON_OBJECT, "linux.timeOffsets", err) < 0)
		return -1;
	json_object_foreach(o, key, v)
	{
		cleanup_free char *kp = xasprintf("linux.timeOffsets.%s", key);
		int k = strcmp(key, "monotonic") == 0  ? HR_CLOCK_MONOTONIC
			: strcmp(key, "boottime") == 0 ? HR_CLOCK_BOOTTIME
						       : -1;

		if (k < 0)
			return hr_spec_fail(err, kp, "unknown clock");
		if (hr_spec_want(v, JSON_OBJECT, kp, err) < 0 ||
		    hr_spec_read_object(&time_offset_desc, v, kp, &lx->time_offsets[k], lx, NULL, 0, err) < 0)
			return -1;
	}
	return 0;
}

static void release_linux(void *o)
{
	struct hr_linux *lx = o;

	for (int t = 0; t < HR_NS_COUNT; t++)
		free(lx->namespaces[t].path);
}

static const struct hr_spec_row linux_rows[] = {
	R("namespaces", K_EACH, .sub = &namespace_desc),
	R("uidMappings", K_ARR, ARRAY(T_LINUX, uid_mappings), .sub = &idmap_desc),
	R("gidMappings", K_ARR, ARRAY(T_LINUX, gid_mappings), .sub = &idmap_desc),
	R("devices", K_ARR, ARRAY(T_LINUX, devices), .sub = &device_desc),
	R("cgroupsPath", K_STR, AT(T_LINUX, cgroups_path)),
	R("resources", K_OBJ, AT(T_LINUX, resources), HAS(T_LINUX, has_resources), .sub = &resources_desc),
	R("sysctl", K_MAP, ARRAY(T_LINUX, sysctl)),
	R("seccomp", K_OBJ, AT(T_LINUX, seccomp), .alloc = true, .sub = &seccomp_desc),
	R(HR_SPEC_POLICY_SECCOMP, K_OBJ, AT(T_LINUX, policy_seccomp), .alloc = true, .sub = &seccomp_desc),
	R(HR_SPEC_PROFILE_SECCOMP, K_OBJ, AT(T_LINUX, profile_seccomp), .alloc = true, .sub = &seccomp_desc),
	R("rootfsPropagation", K_STR, AT(T_LINUX, rootfs_propagation), .check = hr_spec_check_propagation),
	R("maskedPaths", K_STRV, AT(T_LINUX, masked_paths), .check = hr_spec_check_abs_each),
	R("readonlyPaths", K_STRV, AT(T_LINUX, readonly_paths), .check = hr_spec_check_abs_each),
	R("mountLabel", K_STR, AT(T_LINUX, mount_label)),
	R("intelRdt", K_UNSUP),
	R("memoryPolicy", K_UNSUP),
	R("netDevices", K_UNSUP),
	CHECK(NULL),
	R("personality", K_OBJ, .off = 0, HAS(T_LINUX, has_personality), .sub = &personality_desc),
	R("timeOffsets", K_CHECK, .check = hr_spec_check_time_offsets),
};
DESC(linux_desc, T_LINUX, linux_rows, NULL, release_linux);

static const struct hr_spec_row root_rows[] = {
	R("path", K_STR, AT(T_SPEC, root_path), REQ, .check = hr_spec_check_root_path),
	R("readonly", K_BOOL, AT(T_SPEC, root_readonly)),
};
DESC(root_desc, T_SPEC, root_rows, NULL, NULL);

static const struct hr_spec_row spec_rows[] = {
	R("ociVersion", K_STR, AT(T_SPEC, oci_version), REQ, .check = hr_spec_check_version),
	CHECK(NULL),
	R("root", K_OBJ, .off = 0, REQ, .sub = &root_desc),
	R("mounts", K_ARR, ARRAY(T_SPEC, mounts), .sub = &mount_desc),
	R("process", K_OBJ, AT(T_SPEC, process), .alloc = true, .sub = &process_desc),
	R("hostname", K_STR, AT(T_SPEC, hostname)),
	R("domainname", K_STR, AT(T_SPEC, domainname)),
	R("hooks", K_OBJ, .off = 0, .sub = &hooks_desc),
	R("annotations", K_MAP, ARRAY(T_SPEC, annotations), .check = hr_spec_check_annotations),
	CHECK(NULL),
	R("linux", K_OBJ, AT(T_SPEC, lnx), HAS(T_SPEC, has_linux), .sub = &linux_desc),
};
DESC(spec_desc, T_SPEC, spec_rows, NULL, NULL);

int hr_spec_parse(json_t *root, struct hr_spec **out, struct hr_err **err)
{
	struct hr_spec *s;

	if (!json_is_object(root))
		return hr_fail(err, 0, "config.json: expected a JSON object");
	s = xzalloc(sizeof(*s));
	if (hr_spec_read_object(&spec_desc, root, "", s, NULL, NULL, 0, err) < 0) {
		hr_spec_free(s);
		return -1;
	}
	*out = s;
	return 0;
}

int hr_spec_load_buf(const char *buf, size_t len, struct hr_spec **out, struct hr_err **err)
{
	json_error_t jerr;
	json_t *root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
	int r;

	if (!root)
		return hr_fail(err, 0, "config.json:%d:%d: %s", jerr.line, jerr.column, jerr.text);
	r = hr_spec_parse(root, out, err);
	json_decref(root);
	return r;
}

void hr_spec_free(struct hr_spec *spec)
{
	if (!spec)
		return;
	hr_spec_free_object(&spec_desc, spec);
	free(spec);
}
