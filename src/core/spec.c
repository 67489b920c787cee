/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * config.json → struct hr_spec.  Strict about types and values, silent
 * about unknown keys (runtime-spec), and every message names the JSON
 * path: "config.json: linux.namespaces[2].type: unknown namespace \"pidd\"".
 * No kernel calls; runs under unit tests and fuzzers.
 */
#include <errno.h>
#include <jansson.h>
#include <linux/mount.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "hardrun/spec.h"
#include "hardrun/strutil.h"

/* ---- names ---- */

static const char *const ns_names[HR_NS_COUNT] = {"pid", "network", "mount", "ipc", "uts", "user", "cgroup", "time"};
static const char *const ns_proc[HR_NS_COUNT] = {"pid", "net", "mnt", "ipc", "uts", "user", "cgroup", "time"};
static const char *const hook_names[HR_HOOK_COUNT] = {"prestart",	"createRuntime", "createContainer",
						      "startContainer", "poststart",	 "poststop"};
static const char *const action_names[] = {
	[HR_SCMP_ACT_KILL] = "SCMP_ACT_KILL",
	[HR_SCMP_ACT_KILL_PROCESS] = "SCMP_ACT_KILL_PROCESS",
	[HR_SCMP_ACT_KILL_THREAD] = "SCMP_ACT_KILL_THREAD",
	[HR_SCMP_ACT_TRAP] = "SCMP_ACT_TRAP",
	[HR_SCMP_ACT_ERRNO] = "SCMP_ACT_ERRNO",
	[HR_SCMP_ACT_TRACE] = "SCMP_ACT_TRACE",
	[HR_SCMP_ACT_ALLOW] = "SCMP_ACT_ALLOW",
	[HR_SCMP_ACT_LOG] = "SCMP_ACT_LOG",
	[HR_SCMP_ACT_NOTIFY] = "SCMP_ACT_NOTIFY",
};
static const char *const op_names[] = {
	[HR_SCMP_CMP_NE] = "SCMP_CMP_NE",
	[HR_SCMP_CMP_LT] = "SCMP_CMP_LT",
	[HR_SCMP_CMP_LE] = "SCMP_CMP_LE",
	[HR_SCMP_CMP_EQ] = "SCMP_CMP_EQ",
	[HR_SCMP_CMP_GE] = "SCMP_CMP_GE",
	[HR_SCMP_CMP_GT] = "SCMP_CMP_GT",
	[HR_SCMP_CMP_MASKED_EQ] = "SCMP_CMP_MASKED_EQ",
};

const char *hr_ns_type_name(enum hr_ns_type t)
{
	return (unsigned)t < HR_NS_COUNT ? ns_names[t] : "?";
}

const char *hr_ns_proc_name(enum hr_ns_type t)
{
	return (unsigned)t < HR_NS_COUNT ? ns_proc[t] : "?";
}

const char *hr_hook_kind_name(enum hr_hook_kind k)
{
	return (unsigned)k < HR_HOOK_COUNT ? hook_names[k] : "?";
}

int hr_seccomp_action_parse(const char *s)
{
	for (size_t i = 0; i < HR_ARRAY_SIZE(action_names); i++)
		if (strcmp(s, action_names[i]) == 0)
			return (int)i;
	return -1;
}

const char *hr_seccomp_action_name(enum hr_seccomp_action a)
{
	return (size_t)a < HR_ARRAY_SIZE(action_names) ? action_names[a] : "?";
}

int hr_seccomp_op_parse(const char *s)
{
	for (size_t i = 0; i < HR_ARRAY_SIZE(op_names); i++)
		if (strcmp(s, op_names[i]) == 0)
			return (int)i;
	return -1;
}

const char *hr_seccomp_op_name(enum hr_seccomp_op op)
{
	return (size_t)op < HR_ARRAY_SIZE(op_names) ? op_names[op] : "?";
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

/* ---- JSON access with paths ---- */

#define FAIL(err, path, ...) hr_fail(err, 0, "config.json: %s: " __VA_ARGS__)

static char *sub(const char *path, const char *key)
{
	return *path ? xasprintf("%s.%s", path, key) : xstrdup(key);
}

static char *idx(const char *path, size_t i)
{
	return xasprintf("%s[%zu]", path, i);
}

static int want(json_t *v, json_type t, const char *path, struct hr_err **err)
{
	static const char *const names[] = {
		[JSON_OBJECT] = "object", [JSON_ARRAY] = "array",  [JSON_STRING] = "string", [JSON_INTEGER] = "integer",
		[JSON_REAL] = "number",	  [JSON_TRUE] = "boolean", [JSON_FALSE] = "boolean", [JSON_NULL] = "null",
	};

	if (json_typeof(v) == t || (t == JSON_TRUE && json_is_boolean(v)))
		return 0;
	return hr_fail(err, 0, "config.json: %s: expected %s", path, names[t]);
}

/* Optional string member: *out stays NULL when absent. */
static int opt_str(json_t *o, const char *key, const char *path, char **out, struct hr_err **err)
{
	json_t *v = json_object_get(o, key);
	cleanup_free char *p = NULL;

	if (!v || json_is_null(v))
		return 0;
	if (!json_is_string(v)) {
		p = sub(path, key);
		return want(v, JSON_STRING, p, err);
	}
	*out = xstrdup(json_string_value(v));
	return 0;
}

static int req_str(json_t *o, const char *key, const char *path, char **out, struct hr_err **err)
{
	if (opt_str(o, key, path, out, err) < 0)
		return -1;
	if (*out == NULL) {
		cleanup_free char *p = sub(path, key);

		return hr_fail(err, 0, "config.json: %s: required", p);
	}
	return 0;
}

static int opt_bool(json_t *o, const char *key, const char *path, bool *has, bool *out, struct hr_err **err)
{
	json_t *v = json_object_get(o, key);

	if (!v || json_is_null(v))
		return 0;
	if (!json_is_boolean(v)) {
		cleanup_free char *p = sub(path, key);

		return want(v, JSON_TRUE, p, err);
	}
	*out = json_is_true(v);
	if (has)
		*has = true;
	return 0;
}

/* Integer member within [lo, hi]. */
static int opt_int(json_t *o, const char *key, const char *path, int64_t lo, int64_t hi, bool *has, int64_t *out,
		   struct hr_err **err)
{
	json_t *v = json_object_get(o, key);
	cleanup_free char *p = NULL;

	if (!v || json_is_null(v))
		return 0;
	p = sub(path, key);
	if (!json_is_integer(v))
		return want(v, JSON_INTEGER, p, err);
	if (json_integer_value(v) < lo || json_integer_value(v) > hi)
		return hr_fail(err, 0, "config.json: %s: out of range", p);
	*out = json_integer_value(v);
	if (has)
		*has = true;
	return 0;
}

/*
 * Unsigned 64-bit member.  jansson keeps integers as signed 64 bit; values
 * above INT64_MAX (seccomp masks, rlimits "infinity") arrive as reals,
 * which are accepted when they are whole numbers in range.
 */
static int opt_u64(json_t *o, const char *key, const char *path, bool *has, uint64_t *out, struct hr_err **err)
{
	json_t *v = json_object_get(o, key);
	cleanup_free char *p = NULL;

	if (!v || json_is_null(v))
		return 0;
	p = sub(path, key);
	if (json_is_integer(v)) {
		if (json_integer_value(v) < 0)
			return hr_fail(err, 0, "config.json: %s: out of range", p);
		*out = (uint64_t)json_integer_value(v);
	} else if (json_is_real(v)) {
		double d = json_real_value(v);

		if (d < 0 || d >= 18446744073709551616.0 || d != (double)(uint64_t)d)
			return hr_fail(err, 0, "config.json: %s: out of range", p);
		*out = (uint64_t)d;
	} else {
		return want(v, JSON_INTEGER, p, err);
	}
	if (has)
		*has = true;
	return 0;
}

static int opt_u32(json_t *o, const char *key, const char *path, bool *has, uint32_t *out, struct hr_err **err)
{
	int64_t v = 0;
	bool h = false;

	if (opt_int(o, key, path, 0, UINT32_MAX, &h, &v, err) < 0)
		return -1;
	if (h) {
		*out = (uint32_t)v;
		if (has)
			*has = true;
	}
	return 0;
}

/* Optional array of strings → NULL-terminated vector (NULL when absent). */
static int opt_strv(json_t *o, const char *key, const char *path, char ***out, struct hr_err **err)
{
	json_t *v = json_object_get(o, key);
	cleanup_free char *p = NULL;
	size_t i;
	json_t *e;
	char **r;

	if (!v || json_is_null(v))
		return 0;
	p = sub(path, key);
	if (!json_is_array(v))
		return want(v, JSON_ARRAY, p, err);
	r = xcalloc(json_array_size(v) + 1, sizeof(char *));
	json_array_foreach(v, i, e)
	{
		if (!json_is_string(e)) {
			cleanup_free char *ip = idx(p, i);

			hr_strv_free(r);
			return want(e, JSON_STRING, ip, err);
		}
		r[i] = xstrdup(json_string_value(e));
	}
	*out = r;
	return 0;
}

static int get_obj(json_t *o, const char *key, const char *path, json_t **out, struct hr_err **err)
{
	json_t *v = json_object_get(o, key);

	*out = NULL;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_object(v)) {
		cleanup_free char *p = sub(path, key);

		return want(v, JSON_OBJECT, p, err);
	}
	*out = v;
	return 0;
}

static int get_arr(json_t *o, const char *key, const char *path, json_t **out, struct hr_err **err)
{
	json_t *v = json_object_get(o, key);

	*out = NULL;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_array(v)) {
		cleanup_free char *p = sub(path, key);

		return want(v, JSON_ARRAY, p, err);
	}
	*out = v;
	return 0;
}

static int abs_path(const char *s, const char *path, struct hr_err **err)
{
	if (s && s[0] != '/')
		return hr_fail(err, 0, "config.json: %s: must be an absolute path", path);
	return 0;
}

static int string_map(json_t *o, const char *key, const char *path, struct hr_kv **out, size_t *n, struct hr_err **err)
{
	json_t *m, *v;
	const char *k;

	if (get_obj(o, key, path, &m, err) < 0)
		return -1;
	if (!m)
		return 0;
	*out = xcalloc(json_object_size(m) + 1, sizeof(struct hr_kv));
	json_object_foreach(m, k, v)
	{
		if (!json_is_string(v)) {
			cleanup_free char *p = sub(path, key);
			cleanup_free char *kp = xasprintf("%s.\"%s\"", p, k);

			return want(v, JSON_STRING, kp, err);
		}
		(*out)[*n].key = xstrdup(k);
		(*out)[*n].value = xstrdup(json_string_value(v));
		(*n)++;
	}
	return 0;
}

/* The annotations that steer hardrun itself; others are the bundle's business. */
static int parse_hardrun_annotations(struct hr_spec *s, struct hr_err **err)
{
	for (size_t i = 0; i < s->n_annotations; i++) {
		const char *k = s->annotations[i].key, *v = s->annotations[i].value;

		if (strcmp(k, HR_ANN_ROOTFS_IDMAP) == 0) {
			if (strcmp(v, "true") != 0 && strcmp(v, "false") != 0)
				return hr_fail(err, 0,
					       "config.json: annotations.\"%s\": expected \"true\" or \"false\"", k);
			s->root_idmap = strcmp(v, "true") == 0;
		} else if (strcmp(k, HR_ANN_ROOTFS_IDMAP_FALLBACK) == 0) {
			if (strcmp(v, "refuse") != 0 && strcmp(v, "unmapped") != 0)
				return hr_fail(err, 0,
					       "config.json: annotations.\"%s\": expected \"refuse\" or \"unmapped\"",
					       k);
			s->root_idmap_unmapped = strcmp(v, "unmapped") == 0;
		}
	}
	return 0;
}

static int unsupported(json_t *o, const char *key, const char *path, struct hr_err **err)
{
	json_t *v = json_object_get(o, key);

	if (!v || json_is_null(v))
		return 0;
	{
		cleanup_free char *p = sub(path, key);

		return hr_fail(err, 0, "config.json: %s: not supported by hardrun", p);
	}
}

/* ---- sections ---- */

static int parse_idmaps(json_t *o, const char *key, const char *path, struct hr_idmap **out, size_t *n,
			struct hr_err **err)
{
	json_t *a, *e;
	cleanup_free char *p = sub(path, key);
	size_t i;

	if (get_arr(o, key, path, &a, err) < 0)
		return -1;
	if (!a)
		return 0;
	*out = xcalloc(json_array_size(a) + 1, sizeof(struct hr_idmap));
	json_array_foreach(a, i, e)
	{
		cleanup_free char *ip = idx(p, i);
		struct hr_idmap *m = &(*out)[i];
		bool hc = false, hh = false, hs = false;

		*n = i + 1;
		if (want(e, JSON_OBJECT, ip, err) < 0 ||
		    opt_u32(e, "containerID", ip, &hc, &m->container_id, err) < 0 ||
		    opt_u32(e, "hostID", ip, &hh, &m->host_id, err) < 0 ||
		    opt_u32(e, "size", ip, &hs, &m->size, err) < 0)
			return -1;
		if (!hc || !hh || !hs)
			return hr_fail(err, 0, "config.json: %s: containerID, hostID and size are required", ip);
		if (m->size == 0)
			return hr_fail(err, 0, "config.json: %s.size: must be greater than 0", ip);
		if ((uint64_t)m->container_id + m->size > 1ULL << 32 || (uint64_t)m->host_id + m->size > 1ULL << 32)
			return hr_fail(err, 0, "config.json: %s: range out of bounds", ip);
	}
	return 0;
}

static int parse_mounts(struct hr_spec *s, json_t *root, struct hr_err **err)
{
	json_t *a, *e;
	size_t i;

	if (get_arr(root, "mounts", "", &a, err) < 0)
		return -1;
	if (!a)
		return 0;
	s->mounts = xcalloc(json_array_size(a) + 1, sizeof(struct hr_mount));
	json_array_foreach(a, i, e)
	{
		cleanup_free char *ip = idx("mounts", i);
		cleanup_free char *op = NULL;
		struct hr_mount *m = &s->mounts[i];

		s->n_mounts = i + 1;
		if (want(e, JSON_OBJECT, ip, err) < 0 || req_str(e, "destination", ip, &m->destination, err) < 0 ||
		    opt_str(e, "type", ip, &m->type, err) < 0 || opt_str(e, "source", ip, &m->source, err) < 0 ||
		    opt_strv(e, "options", ip, &m->options, err) < 0 ||
		    parse_idmaps(e, "uidMappings", ip, &m->uid_mappings, &m->n_uid_mappings, err) < 0 ||
		    parse_idmaps(e, "gidMappings", ip, &m->gid_mappings, &m->n_gid_mappings, err) < 0)
			return -1;
		if (m->destination[0] == '\0')
			return hr_fail(err, 0, "config.json: %s.destination: must not be empty", ip);
		if (m->destination[0] != '/') {
			/* relative destinations are deprecated but defined: relative to / */
			char *absd = xasprintf("/%s", m->destination);

			free(m->destination);
			m->destination = absd;
		}
		if (!hr_path_is_clean_abs(m->destination))
			return hr_fail(err, 0, "config.json: %s.destination: must not contain \"..\"", ip);
		op = sub(ip, "options");
		if (hr_mount_opts_parse(m->options, op, &m->opts, err) < 0)
			return -1;
		if ((m->n_uid_mappings == 0) != (m->n_gid_mappings == 0))
			return hr_fail(err, 0, "config.json: %s: uidMappings and gidMappings go together", ip);
	}
	return 0;
}

static int parse_caps_list(json_t *o, const char *key, const char *path, uint64_t *mask, char ***unknown,
			   struct hr_err **err)
{
	cleanup_strv char **v = NULL;

	if (opt_strv(o, key, path, &v, err) < 0)
		return -1;
	for (char **c = v; c && *c; c++) {
		int n = hr_cap_from_name(*c);

		if (n < 0 || n > 63) {
			bool seen = false;

			for (char **u = *unknown; u && *u; u++)
				seen = seen || strcmp(*u, *c) == 0;
			if (!seen)
				hr_strv_push(unknown, *c);
			continue;
		}
		*mask |= 1ULL << n;
	}
	return 0;
}

static int parse_process(struct hr_spec *s, json_t *root, struct hr_err **err)
{
	json_t *p, *o, *a, *e;
	struct hr_process *pr;
	int64_t v;
	bool has;
	size_t i;

	if (get_obj(root, "process", "", &p, err) < 0)
		return -1;
	if (!p)
		return 0;
	pr = s->process = xzalloc(sizeof(*pr));
	if (opt_bool(p, "terminal", "process", NULL, &pr->terminal, err) < 0 ||
	    opt_strv(p, "args", "process", &pr->args, err) < 0 || opt_strv(p, "env", "process", &pr->env, err) < 0 ||
	    opt_str(p, "cwd", "process", &pr->cwd, err) < 0 ||
	    opt_bool(p, "noNewPrivileges", "process", NULL, &pr->no_new_privileges, err) < 0 ||
	    opt_str(p, "apparmorProfile", "process", &pr->apparmor_profile, err) < 0 ||
	    opt_str(p, "selinuxLabel", "process", &pr->selinux_label, err) < 0 ||
	    unsupported(p, "scheduler", "process", err) < 0 || unsupported(p, "ioPriority", "process", err) < 0 ||
	    unsupported(p, "execCPUAffinity", "process", err) < 0)
		return -1;
	if (pr->args == NULL || pr->args[0] == NULL)
		return hr_fail(err, 0, "config.json: process.args: must have at least one element");
	if (pr->cwd == NULL)
		return hr_fail(err, 0, "config.json: process.cwd: required");
	if (abs_path(pr->cwd, "process.cwd", err) < 0)
		return -1;
	for (char **e2 = pr->env; e2 && *e2; e2++)
		if (!strchr(*e2, '=') || (*e2)[0] == '=')
			return hr_fail(err, 0, "config.json: process.env[%td]: expected KEY=value", e2 - pr->env);
	v = 0;
	has = false;
	if (opt_int(p, "oomScoreAdj", "process", -1000, 1000, &has, &v, err) < 0)
		return -1;
	pr->has_oom_score_adj = has;
	pr->oom_score_adj = (int)v;

	if (get_obj(p, "consoleSize", "process", &o, err) < 0)
		return -1;
	if (o) {
		uint32_t h = 0, w = 0;
		bool hh = false, hw = false;

		if (opt_u32(o, "height", "process.consoleSize", &hh, &h, err) < 0 ||
		    opt_u32(o, "width", "process.consoleSize", &hw, &w, err) < 0)
			return -1;
		if (!hh || !hw)
			return hr_fail(err, 0, "config.json: process.consoleSize: height and width are required");
		pr->has_console_size = true;
		pr->console_height = h;
		pr->console_width = w;
	}

	if (get_obj(p, "user", "process", &o, err) < 0)
		return -1;
	if (!o)
		return hr_fail(err, 0, "config.json: process.user: required");
	{
		uint32_t uid = 0, gid = 0;
		bool hu = false, hg = false;

		if (opt_u32(o, "uid", "process.user", &hu, &uid, err) < 0 ||
		    opt_u32(o, "gid", "process.user", &hg, &gid, err) < 0)
			return -1;
		if (!hu || !hg)
			return hr_fail(err, 0, "config.json: process.user: uid and gid are required");
		pr->user.uid = uid;
		pr->user.gid = gid;
		v = 0;
		has = false;
		if (opt_int(o, "umask", "process.user", 0, 0777, &has, &v, err) < 0 ||
		    opt_str(o, "username", "process.user", &pr->user.username, err) < 0)
			return -1;
		pr->user.has_umask = has;
		pr->user.umask = (mode_t)v;
		if (get_arr(o, "additionalGids", "process.user", &a, err) < 0)
			return -1;
		if (a) {
			pr->user.additional_gids = xcalloc(json_array_size(a) + 1, sizeof(gid_t));
			json_array_foreach(a, i, e)
			{
				cleanup_free char *ip = idx("process.user.additionalGids", i);

				if (!json_is_integer(e))
					return want(e, JSON_INTEGER, ip, err);
				if (json_integer_value(e) < 0 || json_integer_value(e) > UINT32_MAX)
					return hr_fail(err, 0, "config.json: %s: out of range", ip);
				pr->user.additional_gids[i] = (gid_t)json_integer_value(e);
				pr->user.n_additional_gids = i + 1;
			}
		}
	}

	if (get_obj(p, "capabilities", "process", &o, err) < 0)
		return -1;
	if (o) {
		pr->has_capabilities = true;
		if (parse_caps_list(o, "bounding", "process.capabilities", &pr->caps.bounding, &pr->caps.unknown, err) <
			    0 ||
		    parse_caps_list(o, "effective", "process.capabilities", &pr->caps.effective, &pr->caps.unknown,
				    err) < 0 ||
		    parse_caps_list(o, "inheritable", "process.capabilities", &pr->caps.inheritable, &pr->caps.unknown,
				    err) < 0 ||
		    parse_caps_list(o, "permitted", "process.capabilities", &pr->caps.permitted, &pr->caps.unknown,
				    err) < 0 ||
		    parse_caps_list(o, "ambient", "process.capabilities", &pr->caps.ambient, &pr->caps.unknown, err) <
			    0)
			return -1;
	}

	if (get_arr(p, "rlimits", "process", &a, err) < 0)
		return -1;
	if (a) {
		pr->rlimits = xcalloc(json_array_size(a) + 1, sizeof(struct hr_rlimit));
		json_array_foreach(a, i, e)
		{
			cleanup_free char *ip = idx("process.rlimits", i);
			cleanup_free char *type = NULL;
			struct hr_rlimit *r = &pr->rlimits[i];
			bool hs = false, hh = false;
			int res = -1;

			if (want(e, JSON_OBJECT, ip, err) < 0 || req_str(e, "type", ip, &type, err) < 0 || !type ||
			    opt_u64(e, "soft", ip, &hs, &r->soft, err) < 0 ||
			    opt_u64(e, "hard", ip, &hh, &r->hard, err) < 0)
				return -1;
			for (size_t k = 0; k < HR_ARRAY_SIZE(rlimit_names); k++)
				if (strcmp(type, rlimit_names[k].name) == 0)
					res = rlimit_names[k].res;
			if (res < 0)
				return hr_fail(err, 0, "config.json: %s.type: unknown rlimit \"%s\"", ip, type);
			for (size_t k = 0; k < i; k++)
				if (pr->rlimits[k].resource == res)
					return hr_fail(err, 0, "config.json: %s.type: duplicate rlimit \"%s\"", ip,
						       type);
			if (!hs || !hh)
				return hr_fail(err, 0, "config.json: %s: soft and hard are required", ip);
			if (r->soft > r->hard)
				return hr_fail(err, 0, "config.json: %s: soft limit exceeds hard limit", ip);
			r->resource = res;
			pr->n_rlimits = i + 1;
		}
	}
	return 0;
}

static int parse_hooks(struct hr_spec *s, json_t *root, struct hr_err **err)
{
	json_t *h;

	if (get_obj(root, "hooks", "", &h, err) < 0)
		return -1;
	if (!h)
		return 0;
	for (int k = 0; k < HR_HOOK_COUNT; k++) {
		cleanup_free char *kp = sub("hooks", hook_names[k]);
		json_t *a, *e;
		size_t i;

		if (get_arr(h, hook_names[k], "hooks", &a, err) < 0)
			return -1;
		if (!a)
			continue;
		s->hooks[k].hooks = xcalloc(json_array_size(a) + 1, sizeof(struct hr_hook));
		json_array_foreach(a, i, e)
		{
			cleanup_free char *ip = idx(kp, i);
			struct hr_hook *hk = &s->hooks[k].hooks[i];
			int64_t t = 0;
			cleanup_free char *pp = NULL;

			s->hooks[k].n = i + 1;
			if (want(e, JSON_OBJECT, ip, err) < 0 || req_str(e, "path", ip, &hk->path, err) < 0 ||
			    opt_strv(e, "args", ip, &hk->args, err) < 0 || opt_strv(e, "env", ip, &hk->env, err) < 0 ||
			    opt_int(e, "timeout", ip, INT_MIN, INT_MAX, &hk->has_timeout, &t, err) < 0)
				return -1;
			pp = sub(ip, "path");
			if (abs_path(hk->path, pp, err) < 0)
				return -1;
			if (hk->has_timeout && t <= 0)
				return hr_fail(err, 0, "config.json: %s.timeout: must be greater than 0", ip);
			hk->timeout = (int)t;
		}
	}
	return 0;
}

static int parse_namespaces(struct hr_linux *lx, json_t *l, struct hr_err **err)
{
	json_t *a, *e;
	size_t i;

	if (get_arr(l, "namespaces", "linux", &a, err) < 0)
		return -1;
	if (!a)
		return 0;
	json_array_foreach(a, i, e)
	{
		cleanup_free char *ip = idx("linux.namespaces", i);
		cleanup_free char *type = NULL;
		cleanup_free char *path = NULL;
		cleanup_free char *pp = NULL;
		int t = -1;

		if (want(e, JSON_OBJECT, ip, err) < 0 || req_str(e, "type", ip, &type, err) < 0 ||
		    opt_str(e, "path", ip, &path, err) < 0)
			return -1;
		for (int k = 0; k < HR_NS_COUNT; k++)
			if (strcmp(type, ns_names[k]) == 0)
				t = k;
		if (t < 0)
			return hr_fail(err, 0, "config.json: %s.type: unknown namespace \"%s\"", ip, type);
		if (lx->namespaces[t].present)
			return hr_fail(err, 0, "config.json: %s.type: duplicate namespace \"%s\"", ip, type);
		pp = sub(ip, "path");
		if (path && path[0] == '\0') {
			free(path);
			path = NULL;
		}
		if (abs_path(path, pp, err) < 0)
			return -1;
		lx->namespaces[t].present = true;
		lx->namespaces[t].path = steal_ptr(&path);
	}
	return 0;
}

static int parse_devices(struct hr_linux *lx, json_t *l, struct hr_err **err)
{
	json_t *a, *e;
	size_t i;

	if (get_arr(l, "devices", "linux", &a, err) < 0)
		return -1;
	if (!a)
		return 0;
	lx->devices = xcalloc(json_array_size(a) + 1, sizeof(struct hr_device));
	json_array_foreach(a, i, e)
	{
		cleanup_free char *ip = idx("linux.devices", i);
		cleanup_free char *type = NULL;
		cleanup_free char *pp = NULL;
		struct hr_device *d = &lx->devices[i];
		bool hmaj = false, hmin = false;
		int64_t fm = 0, uid = 0, gid = 0;

		lx->n_devices = i + 1;
		if (want(e, JSON_OBJECT, ip, err) < 0 || req_str(e, "path", ip, &d->path, err) < 0 ||
		    req_str(e, "type", ip, &type, err) < 0 ||
		    opt_int(e, "major", ip, 0, UINT32_MAX, &hmaj, &d->major, err) < 0 ||
		    opt_int(e, "minor", ip, 0, UINT32_MAX, &hmin, &d->minor, err) < 0 ||
		    opt_int(e, "fileMode", ip, 0, 07777, &d->has_file_mode, &fm, err) < 0 ||
		    opt_int(e, "uid", ip, 0, UINT32_MAX, &d->has_uid, &uid, err) < 0 ||
		    opt_int(e, "gid", ip, 0, UINT32_MAX, &d->has_gid, &gid, err) < 0)
			return -1;
		pp = sub(ip, "path");
		if (abs_path(d->path, pp, err) < 0)
			return -1;
		if (!hr_path_is_clean_abs(d->path))
			return hr_fail(err, 0, "config.json: %s: must not contain \"..\"", pp);
		if (strlen(type) != 1 || !strchr("cbup", type[0]))
			return hr_fail(err, 0, "config.json: %s.type: unknown device type \"%s\"", ip, type);
		d->type = type[0];
		if (d->type != 'p' && (!hmaj || !hmin))
			return hr_fail(err, 0, "config.json: %s: major and minor are required for type \"%s\"", ip,
				       type);
		d->file_mode = (uint32_t)fm;
		d->uid = (uid_t)uid;
		d->gid = (gid_t)gid;
	}
	return 0;
}

static int parse_blkio_list(json_t *o, const char *key, const char *path, struct hr_blkio_throttle **out, size_t *n,
			    struct hr_err **err)
{
	json_t *a, *e;
	cleanup_free char *p = sub(path, key);
	size_t i;

	if (get_arr(o, key, path, &a, err) < 0)
		return -1;
	if (!a)
		return 0;
	*out = xcalloc(json_array_size(a) + 1, sizeof(**out));
	json_array_foreach(a, i, e)
	{
		cleanup_free char *ip = idx(p, i);
		struct hr_blkio_throttle *t = &(*out)[i];
		bool h1 = false, h2 = false, h3 = false;

		*n = i + 1;
		if (want(e, JSON_OBJECT, ip, err) < 0 ||
		    opt_int(e, "major", ip, 0, UINT32_MAX, &h1, &t->major, err) < 0 ||
		    opt_int(e, "minor", ip, 0, UINT32_MAX, &h2, &t->minor, err) < 0 ||
		    opt_u64(e, "rate", ip, &h3, &t->rate, err) < 0)
			return -1;
		if (!h1 || !h2 || !h3)
			return hr_fail(err, 0, "config.json: %s: major, minor and rate are required", ip);
	}
	return 0;
}

static int parse_resources(struct hr_linux *lx, json_t *l, struct hr_err **err)
{
	struct hr_resources *r = &lx->resources;
	json_t *res, *o, *a, *e;
	size_t i;
	const char *P = "linux.resources";

	if (get_obj(l, "resources", "linux", &res, err) < 0)
		return -1;
	if (!res)
		return 0;
	lx->has_resources = true;
	if (unsupported(res, "rdma", P, err) < 0)
		return -1;

	if (get_arr(res, "devices", P, &a, err) < 0)
		return -1;
	if (a) {
		r->devices = xcalloc(json_array_size(a) + 1, sizeof(struct hr_device_rule));
		json_array_foreach(a, i, e)
		{
			cleanup_free char *ip = idx("linux.resources.devices", i);
			cleanup_free char *type = NULL;
			struct hr_device_rule *d = &r->devices[i];
			bool hallow = false;

			r->n_devices = i + 1;
			d->major = d->minor = -1;
			if (want(e, JSON_OBJECT, ip, err) < 0 ||
			    opt_bool(e, "allow", ip, &hallow, &d->allow, err) < 0 ||
			    opt_str(e, "type", ip, &type, err) < 0 ||
			    opt_int(e, "major", ip, -1, UINT32_MAX, NULL, &d->major, err) < 0 ||
			    opt_int(e, "minor", ip, -1, UINT32_MAX, NULL, &d->minor, err) < 0 ||
			    opt_str(e, "access", ip, &d->access, err) < 0)
				return -1;
			if (!hallow)
				return hr_fail(err, 0, "config.json: %s.allow: required", ip);
			d->type = type ? type[0] : 'a';
			if (type && (strlen(type) != 1 || !strchr("abc", type[0])))
				return hr_fail(err, 0, "config.json: %s.type: unknown device type \"%s\"", ip, type);
			if (d->access && (d->access[0] == '\0' || strspn(d->access, "rwm") != strlen(d->access)))
				return hr_fail(err, 0, "config.json: %s.access: must be letters of \"rwm\"", ip);
		}
	}

	if (get_obj(res, "memory", P, &o, err) < 0)
		return -1;
	if (o) {
		struct hr_memory *m = &r->memory;
		const char *mp = "linux.resources.memory";

		r->has_memory = true;
		if (opt_int(o, "limit", mp, INT64_MIN, INT64_MAX, &m->has_limit, &m->limit, err) < 0 ||
		    opt_int(o, "reservation", mp, INT64_MIN, INT64_MAX, &m->has_reservation, &m->reservation, err) <
			    0 ||
		    opt_int(o, "swap", mp, INT64_MIN, INT64_MAX, &m->has_swap, &m->swap, err) < 0 ||
		    opt_int(o, "kernel", mp, INT64_MIN, INT64_MAX, &m->has_kernel, &m->kernel, err) < 0 ||
		    opt_int(o, "kernelTCP", mp, INT64_MIN, INT64_MAX, &m->has_kernel_tcp, &m->kernel_tcp, err) < 0 ||
		    opt_u64(o, "swappiness", mp, &m->has_swappiness, &m->swappiness, err) < 0 ||
		    opt_bool(o, "disableOOMKiller", mp, &m->has_disable_oom_killer, &m->disable_oom_killer, err) < 0 ||
		    opt_bool(o, "useHierarchy", mp, &m->has_use_hierarchy, &m->use_hierarchy, err) < 0 ||
		    opt_bool(o, "checkBeforeUpdate", mp, &m->has_check_before_update, &m->check_before_update, err) < 0)
			return -1;
		/* docker sends swappiness -1 as 2^64-1 meaning "unset" */
		if (m->has_swappiness && m->swappiness > 100 && m->swappiness != UINT64_MAX)
			return hr_fail(err, 0, "config.json: %s.swappiness: out of range", mp);
		if (m->has_swappiness && m->swappiness == UINT64_MAX)
			m->has_swappiness = false;
		if (m->has_limit && m->limit < -1)
			return hr_fail(err, 0, "config.json: %s.limit: out of range", mp);
	}

	if (get_obj(res, "cpu", P, &o, err) < 0)
		return -1;
	if (o) {
		struct hr_cpu *c = &r->cpu;
		const char *cp = "linux.resources.cpu";

		r->has_cpu = true;
		if (opt_u64(o, "shares", cp, &c->has_shares, &c->shares, err) < 0 ||
		    opt_int(o, "quota", cp, INT64_MIN, INT64_MAX, &c->has_quota, &c->quota, err) < 0 ||
		    opt_u64(o, "burst", cp, &c->has_burst, &c->burst, err) < 0 ||
		    opt_u64(o, "period", cp, &c->has_period, &c->period, err) < 0 ||
		    opt_int(o, "realtimeRuntime", cp, INT64_MIN, INT64_MAX, &c->has_realtime_runtime,
			    &c->realtime_runtime, err) < 0 ||
		    opt_u64(o, "realtimePeriod", cp, &c->has_realtime_period, &c->realtime_period, err) < 0 ||
		    opt_str(o, "cpus", cp, &c->cpus, err) < 0 || opt_str(o, "mems", cp, &c->mems, err) < 0 ||
		    opt_int(o, "idle", cp, INT64_MIN, INT64_MAX, &c->has_idle, &c->idle, err) < 0)
			return -1;
	}

	if (get_obj(res, "pids", P, &o, err) < 0)
		return -1;
	if (o &&
	    opt_int(o, "limit", "linux.resources.pids", INT64_MIN, INT64_MAX, &r->has_pids, &r->pids_limit, err) < 0)
		return -1;

	if (get_obj(res, "blockIO", P, &o, err) < 0)
		return -1;
	if (o) {
		struct hr_blkio *b = &r->blkio;
		const char *bp = "linux.resources.blockIO";
		int64_t w = 0, lw = 0;

		r->has_blkio = true;
		if (opt_int(o, "weight", bp, 0, 1000, &b->has_weight, &w, err) < 0 ||
		    opt_int(o, "leafWeight", bp, 0, 1000, &b->has_leaf_weight, &lw, err) < 0)
			return -1;
		b->weight = (uint16_t)w;
		b->leaf_weight = (uint16_t)lw;
		if (get_arr(o, "weightDevice", bp, &a, err) < 0)
			return -1;
		if (a) {
			b->weight_device = xcalloc(json_array_size(a) + 1, sizeof(*b->weight_device));
			json_array_foreach(a, i, e)
			{
				cleanup_free char *ip = idx("linux.resources.blockIO.weightDevice", i);
				struct hr_blkio_weight_device *wd = &b->weight_device[i];
				bool h1 = false, h2 = false;

				b->n_weight_device = i + 1;
				w = lw = 0;
				if (want(e, JSON_OBJECT, ip, err) < 0 ||
				    opt_int(e, "major", ip, 0, UINT32_MAX, &h1, &wd->major, err) < 0 ||
				    opt_int(e, "minor", ip, 0, UINT32_MAX, &h2, &wd->minor, err) < 0 ||
				    opt_int(e, "weight", ip, 0, 1000, &wd->has_weight, &w, err) < 0 ||
				    opt_int(e, "leafWeight", ip, 0, 1000, &wd->has_leaf_weight, &lw, err) < 0)
					return -1;
				if (!h1 || !h2)
					return hr_fail(err, 0, "config.json: %s: major and minor are required", ip);
				wd->weight = (uint16_t)w;
				wd->leaf_weight = (uint16_t)lw;
			}
		}
		if (parse_blkio_list(o, "throttleReadBpsDevice", bp, &b->throttle_read_bps, &b->n_throttle_read_bps,
				     err) < 0 ||
		    parse_blkio_list(o, "throttleWriteBpsDevice", bp, &b->throttle_write_bps, &b->n_throttle_write_bps,
				     err) < 0 ||
		    parse_blkio_list(o, "throttleReadIOPSDevice", bp, &b->throttle_read_iops, &b->n_throttle_read_iops,
				     err) < 0 ||
		    parse_blkio_list(o, "throttleWriteIOPSDevice", bp, &b->throttle_write_iops,
				     &b->n_throttle_write_iops, err) < 0)
			return -1;
	}

	if (get_arr(res, "hugepageLimits", P, &a, err) < 0)
		return -1;
	if (a) {
		r->hugepage_limits = xcalloc(json_array_size(a) + 1, sizeof(*r->hugepage_limits));
		json_array_foreach(a, i, e)
		{
			cleanup_free char *ip = idx("linux.resources.hugepageLimits", i);
			bool hl = false;

			r->n_hugepage_limits = i + 1;
			if (want(e, JSON_OBJECT, ip, err) < 0 ||
			    req_str(e, "pageSize", ip, &r->hugepage_limits[i].page_size, err) < 0 ||
			    opt_u64(e, "limit", ip, &hl, &r->hugepage_limits[i].limit, err) < 0)
				return -1;
			if (!hl)
				return hr_fail(err, 0, "config.json: %s.limit: required", ip);
		}
	}

	if (get_obj(res, "network", P, &o, err) < 0)
		return -1;
	if (o) {
		if (opt_u32(o, "classID", "linux.resources.network", &r->has_net_class_id, &r->net_class_id, err) < 0 ||
		    get_arr(o, "priorities", "linux.resources.network", &a, err) < 0)
			return -1;
		if (a) {
			r->net_priorities = xcalloc(json_array_size(a) + 1, sizeof(*r->net_priorities));
			json_array_foreach(a, i, e)
			{
				cleanup_free char *ip = idx("linux.resources.network.priorities", i);
				bool hp = false;

				r->n_net_priorities = i + 1;
				if (want(e, JSON_OBJECT, ip, err) < 0 ||
				    req_str(e, "name", ip, &r->net_priorities[i].name, err) < 0 ||
				    opt_u32(e, "priority", ip, &hp, &r->net_priorities[i].priority, err) < 0)
					return -1;
			}
		}
	}
	return string_map(res, "unified", P, &r->unified, &r->n_unified, err);
}

/* The architectures the runtime-spec names for linux.seccomp. */
static bool seccomp_arch_known(const char *a)
{
	static const char *const known[] = {
		"SCMP_ARCH_X86",     "SCMP_ARCH_X86_64",   "SCMP_ARCH_X32",	    "SCMP_ARCH_ARM",
		"SCMP_ARCH_AARCH64", "SCMP_ARCH_MIPS",	   "SCMP_ARCH_MIPS64",	    "SCMP_ARCH_MIPS64N32",
		"SCMP_ARCH_MIPSEL",  "SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC",
		"SCMP_ARCH_PPC64",   "SCMP_ARCH_PPC64LE",  "SCMP_ARCH_S390",	    "SCMP_ARCH_S390X",
		"SCMP_ARCH_PARISC",  "SCMP_ARCH_PARISC64", "SCMP_ARCH_RISCV64",	    "SCMP_ARCH_LOONGARCH64",
		"SCMP_ARCH_M68K",    "SCMP_ARCH_SH",	   "SCMP_ARCH_SHEB",
	};

	for (size_t i = 0; i < HR_ARRAY_SIZE(known); i++)
		if (strcmp(a, known[i]) == 0)
			return true;
	return false;
}

static int parse_seccomp(struct hr_seccomp **out, json_t *l, const char *key, struct hr_err **err)
{
	json_t *o, *a, *e;
	struct hr_seccomp *sc;
	cleanup_free char *def = NULL;
	cleanup_free char *P = xasprintf("linux.%s", key);
	int64_t v = 0;
	size_t i;
	int act;

	if (get_obj(l, key, "linux", &o, err) < 0)
		return -1;
	if (!o)
		return 0;
	sc = *out = xzalloc(sizeof(*sc));
	if (req_str(o, "defaultAction", P, &def, err) < 0)
		return -1;
	act = hr_seccomp_action_parse(def);
	if (act < 0)
		return hr_fail(err, 0, "config.json: %s.defaultAction: unknown action \"%s\"", P, def);
	sc->default_action = (enum hr_seccomp_action)act;
	if (opt_int(o, "defaultErrnoRet", P, 0, 4095, &sc->has_default_errno_ret, &v, err) < 0 ||
	    opt_strv(o, "architectures", P, &sc->architectures, err) < 0 ||
	    opt_strv(o, "flags", P, &sc->flags, err) < 0 ||
	    opt_str(o, "listenerPath", P, &sc->listener_path, err) < 0 ||
	    opt_str(o, "listenerMetadata", P, &sc->listener_metadata, err) < 0)
		return -1;
	sc->default_errno_ret = (unsigned int)v;
	if (sc->has_default_errno_ret && act != HR_SCMP_ACT_ERRNO && act != HR_SCMP_ACT_TRACE)
		return hr_fail(err, 0,
			       "config.json: %s.defaultErrnoRet: only valid with SCMP_ACT_ERRNO and SCMP_ACT_TRACE", P);
	if (sc->listener_metadata && !sc->listener_path)
		return hr_fail(err, 0, "config.json: %s.listenerMetadata: requires listenerPath", P);
	/* one listener per container: the policy's filter never notifies */
	if (sc->listener_path && strcmp(key, "seccomp") != 0)
		return hr_fail(err, 0, "config.json: %s.listenerPath: not supported", P);
	if (sc->listener_path && abs_path(sc->listener_path, "linux.seccomp.listenerPath", err) < 0)
		return -1;
	for (char **f = sc->flags; f && *f; f++)
		if (strcmp(*f, "SECCOMP_FILTER_FLAG_TSYNC") != 0 && strcmp(*f, "SECCOMP_FILTER_FLAG_LOG") != 0 &&
		    strcmp(*f, "SECCOMP_FILTER_FLAG_SPEC_ALLOW") != 0 &&
		    strcmp(*f, "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV") != 0)
			return hr_fail(err, 0, "config.json: %s.flags[%td]: unknown flag \"%s\"", P, f - sc->flags, *f);
	for (char **ar = sc->architectures; ar && *ar; ar++)
		if (!seccomp_arch_known(*ar))
			return hr_fail(err, 0, "config.json: %s.architectures[%td]: unknown architecture \"%s\"", P,
				       ar - sc->architectures, *ar);

	if (get_arr(o, "syscalls", P, &a, err) < 0)
		return -1;
	if (!a)
		return 0;
	sc->rules = xcalloc(json_array_size(a) + 1, sizeof(struct hr_seccomp_rule));
	json_array_foreach(a, i, e)
	{
		cleanup_free char *sp = xasprintf("%s.syscalls", P);
		cleanup_free char *ip = idx(sp, i);
		cleanup_free char *action = NULL;
		cleanup_free char *name = NULL;
		struct hr_seccomp_rule *r = &sc->rules[i];
		json_t *args, *ae;
		size_t k;

		sc->n_rules = i + 1;
		v = 0;
		if (want(e, JSON_OBJECT, ip, err) < 0 || opt_strv(e, "names", ip, &r->names, err) < 0 ||
		    opt_str(e, "name", ip, &name, err) < 0 || req_str(e, "action", ip, &action, err) < 0 ||
		    opt_int(e, "errnoRet", ip, 0, 4095, &r->has_errno_ret, &v, err) < 0)
			return -1;
		if (name)
			hr_strv_push(&r->names, name);
		if (!r->names || !r->names[0])
			return hr_fail(err, 0, "config.json: %s.names: must have at least one element", ip);
		act = hr_seccomp_action_parse(action);
		if (act < 0)
			return hr_fail(err, 0, "config.json: %s.action: unknown action \"%s\"", ip, action);
		r->action = (enum hr_seccomp_action)act;
		r->errno_ret = (unsigned int)v;
		if (r->has_errno_ret && act != HR_SCMP_ACT_ERRNO && act != HR_SCMP_ACT_TRACE)
			return hr_fail(err, 0,
				       "config.json: %s.errnoRet: only valid with SCMP_ACT_ERRNO and SCMP_ACT_TRACE",
				       ip);
		if (act == HR_SCMP_ACT_NOTIFY && !sc->listener_path)
			return hr_fail(err, 0,
				       "config.json: %s.action: SCMP_ACT_NOTIFY requires linux.seccomp.listenerPath",
				       ip);
		if (get_arr(e, "args", ip, &args, err) < 0)
			return -1;
		if (!args)
			continue;
		r->args = xcalloc(json_array_size(args) + 1, sizeof(struct hr_seccomp_arg));
		json_array_foreach(args, k, ae)
		{
			cleanup_free char *ap0 = sub(ip, "args");
			cleanup_free char *ap = idx(ap0, k);
			cleanup_free char *op = NULL;
			struct hr_seccomp_arg *sa = &r->args[k];
			bool hi = false, hv = false;
			int64_t index = 0;
			int opn;

			r->n_args = k + 1;
			if (want(ae, JSON_OBJECT, ap, err) < 0 ||
			    opt_int(ae, "index", ap, 0, 5, &hi, &index, err) < 0 ||
			    opt_u64(ae, "value", ap, &hv, &sa->value, err) < 0 ||
			    opt_u64(ae, "valueTwo", ap, NULL, &sa->value_two, err) < 0 ||
			    req_str(ae, "op", ap, &op, err) < 0)
				return -1;
			if (!hi || !hv)
				return hr_fail(err, 0, "config.json: %s: index and value are required", ap);
			opn = hr_seccomp_op_parse(op);
			if (opn < 0)
				return hr_fail(err, 0, "config.json: %s.op: unknown operator \"%s\"", ap, op);
			sa->index = (unsigned int)index;
			sa->op = (enum hr_seccomp_op)opn;
		}
	}
	return 0;
}

static int parse_propagation(const char *s, unsigned long *out)
{
	static const struct {
		const char *name;
		unsigned long flags;
	} t[] = {
		{"shared", MS_SHARED},	       {"rshared", MS_SHARED},	       {"slave", MS_SLAVE},
		{"rslave", MS_SLAVE},	       {"private", MS_PRIVATE},	       {"rprivate", MS_PRIVATE},
		{"unbindable", MS_UNBINDABLE}, {"runbindable", MS_UNBINDABLE},
	};

	/* the rootfs propagation always applies to the whole tree, as runc does */
	for (size_t i = 0; i < HR_ARRAY_SIZE(t); i++)
		if (strcmp(s, t[i].name) == 0) {
			*out = t[i].flags | MS_REC;
			return 0;
		}
	return -1;
}

static int parse_linux(struct hr_spec *s, json_t *root, struct hr_err **err)
{
	json_t *l, *o;
	struct hr_linux *lx = &s->lnx;

	if (get_obj(root, "linux", "", &l, err) < 0)
		return -1;
	if (!l)
		return 0;
	s->has_linux = true;
	if (parse_namespaces(lx, l, err) < 0 ||
	    parse_idmaps(l, "uidMappings", "linux", &lx->uid_mappings, &lx->n_uid_mappings, err) < 0 ||
	    parse_idmaps(l, "gidMappings", "linux", &lx->gid_mappings, &lx->n_gid_mappings, err) < 0 ||
	    parse_devices(lx, l, err) < 0 || opt_str(l, "cgroupsPath", "linux", &lx->cgroups_path, err) < 0 ||
	    parse_resources(lx, l, err) < 0 || string_map(l, "sysctl", "linux", &lx->sysctl, &lx->n_sysctl, err) < 0 ||
	    parse_seccomp(&lx->seccomp, l, "seccomp", err) < 0 ||
	    parse_seccomp(&lx->policy_seccomp, l, HR_SPEC_POLICY_SECCOMP, err) < 0 ||
	    parse_seccomp(&lx->profile_seccomp, l, HR_SPEC_PROFILE_SECCOMP, err) < 0 ||
	    opt_str(l, "rootfsPropagation", "linux", &lx->rootfs_propagation, err) < 0 ||
	    opt_strv(l, "maskedPaths", "linux", &lx->masked_paths, err) < 0 ||
	    opt_strv(l, "readonlyPaths", "linux", &lx->readonly_paths, err) < 0 ||
	    opt_str(l, "mountLabel", "linux", &lx->mount_label, err) < 0 ||
	    unsupported(l, "intelRdt", "linux", err) < 0 || unsupported(l, "memoryPolicy", "linux", err) < 0 ||
	    unsupported(l, "netDevices", "linux", err) < 0)
		return -1;
	if (lx->rootfs_propagation && parse_propagation(lx->rootfs_propagation, &lx->rootfs_propagation_flags) < 0)
		return hr_fail(err, 0, "config.json: linux.rootfsPropagation: unknown propagation \"%s\"",
			       lx->rootfs_propagation);
	for (char **p = lx->masked_paths; p && *p; p++)
		if ((*p)[0] != '/')
			return hr_fail(err, 0, "config.json: linux.maskedPaths[%td]: must be an absolute path",
				       p - lx->masked_paths);
	for (char **p = lx->readonly_paths; p && *p; p++)
		if ((*p)[0] != '/')
			return hr_fail(err, 0, "config.json: linux.readonlyPaths[%td]: must be an absolute path",
				       p - lx->readonly_paths);

	if (get_obj(l, "personality", "linux", &o, err) < 0)
		return -1;
	if (o) {
		cleanup_free char *domain = NULL;
		json_t *flags = json_object_get(o, "flags");

		if (req_str(o, "domain", "linux.personality", &domain, err) < 0 || !domain)
			return -1;
		if (strcmp(domain, "LINUX") == 0)
			lx->personality = 0;
		else if (strcmp(domain, "LINUX32") == 0)
			lx->personality = 8;
		else
			return hr_fail(err, 0, "config.json: linux.personality.domain: unknown domain \"%s\"", domain);
		if (flags && !(json_is_array(flags) && json_array_size(flags) == 0) && !json_is_null(flags))
			return hr_fail(err, 0, "config.json: linux.personality.flags: not supported by hardrun");
		lx->has_personality = true;
	}

	if (get_obj(l, "timeOffsets", "linux", &o, err) < 0)
		return -1;
	if (o) {
		const char *key;
		json_t *v;

		json_object_foreach(o, key, v)
		{
			cleanup_free char *kp = xasprintf("linux.timeOffsets.%s", key);
			int c = strcmp(key, "monotonic") == 0  ? HR_CLOCK_MONOTONIC
				: strcmp(key, "boottime") == 0 ? HR_CLOCK_BOOTTIME
							       : -1;
			int64_t secs = 0, ns = 0;

			if (c < 0)
				return hr_fail(err, 0, "config.json: %s: unknown clock", kp);
			if (want(v, JSON_OBJECT, kp, err) < 0 ||
			    opt_int(v, "secs", kp, INT64_MIN, INT64_MAX, NULL, &secs, err) < 0 ||
			    opt_int(v, "nanosecs", kp, 0, 999999999, NULL, &ns, err) < 0)
				return -1;
			lx->time_offsets[c].present = true;
			lx->time_offsets[c].secs = secs;
			lx->time_offsets[c].nanosecs = (uint32_t)ns;
		}
	}
	return 0;
}

int hr_spec_parse(json_t *root, struct hr_spec **out, struct hr_err **err)
{
	struct hr_spec *s;
	json_t *r;

	if (!json_is_object(root))
		return hr_fail(err, 0, "config.json: expected a JSON object");
	s = xzalloc(sizeof(*s));
	if (req_str(root, "ociVersion", "", &s->oci_version, err) < 0)
		goto fail;
	if (!hr_str_has_prefix(s->oci_version, "1.")) {
		hr_fail(err, 0, "config.json: ociVersion: unsupported version \"%s\"", s->oci_version);
		goto fail;
	}
	if (get_obj(root, "root", "", &r, err) < 0)
		goto fail;
	if (!r) {
		hr_fail(err, 0, "config.json: root: required");
		goto fail;
	}
	if (req_str(r, "path", "root", &s->root_path, err) < 0 ||
	    opt_bool(r, "readonly", "root", NULL, &s->root_readonly, err) < 0)
		goto fail;
	if (s->root_path[0] == '\0') {
		hr_fail(err, 0, "config.json: root.path: must not be empty");
		goto fail;
	}
	if (parse_mounts(s, root, err) < 0 || parse_process(s, root, err) < 0 ||
	    opt_str(root, "hostname", "", &s->hostname, err) < 0 ||
	    opt_str(root, "domainname", "", &s->domainname, err) < 0 || parse_hooks(s, root, err) < 0 ||
	    string_map(root, "annotations", "", &s->annotations, &s->n_annotations, err) < 0 ||
	    parse_hardrun_annotations(s, err) < 0 || parse_linux(s, root, err) < 0)
		goto fail;
	for (size_t i = 0; i < s->n_annotations; i++)
		if (strcmp(s->annotations[i].key, HR_SPEC_ANN_ROOTFS_NOSUID) == 0)
			s->root_nosuid_nodev = strcmp(s->annotations[i].value, "true") == 0;
	*out = s;
	return 0;
fail:
	hr_spec_free(s);
	return -1;
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

/* ---- free ---- */

static void free_seccomp(struct hr_seccomp *sc)
{
	if (!sc)
		return;
	hr_strv_free(sc->architectures);
	hr_strv_free(sc->flags);
	free(sc->listener_path);
	free(sc->listener_metadata);
	for (size_t i = 0; i < sc->n_rules; i++) {
		hr_strv_free(sc->rules[i].names);
		free(sc->rules[i].args);
	}
	free(sc->rules);
	free(sc);
}

static void free_kv(struct hr_kv *kv, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(kv[i].key);
		free(kv[i].value);
	}
	free(kv);
}

void hr_spec_free(struct hr_spec *s)
{
	struct hr_linux *lx;
	struct hr_resources *r;

	if (!s)
		return;
	free(s->oci_version);
	free(s->root_path);
	for (size_t i = 0; i < s->n_mounts; i++) {
		struct hr_mount *m = &s->mounts[i];

		free(m->destination);
		free(m->type);
		free(m->source);
		hr_strv_free(m->options);
		hr_mount_opts_clear(&m->opts);
		free(m->uid_mappings);
		free(m->gid_mappings);
	}
	free(s->mounts);
	if (s->process) {
		struct hr_process *p = s->process;

		hr_strv_free(p->args);
		hr_strv_free(p->env);
		free(p->cwd);
		free(p->user.additional_gids);
		free(p->user.username);
		hr_strv_free(p->caps.unknown);
		free(p->rlimits);
		free(p->apparmor_profile);
		free(p->selinux_label);
		free(p);
	}
	free(s->hostname);
	free(s->domainname);
	for (int k = 0; k < HR_HOOK_COUNT; k++) {
		for (size_t i = 0; i < s->hooks[k].n; i++) {
			free(s->hooks[k].hooks[i].path);
			hr_strv_free(s->hooks[k].hooks[i].args);
			hr_strv_free(s->hooks[k].hooks[i].env);
		}
		free(s->hooks[k].hooks);
	}
	free_kv(s->annotations, s->n_annotations);
	lx = &s->lnx;
	for (int t = 0; t < HR_NS_COUNT; t++)
		free(lx->namespaces[t].path);
	free(lx->uid_mappings);
	free(lx->gid_mappings);
	for (size_t i = 0; i < lx->n_devices; i++)
		free(lx->devices[i].path);
	free(lx->devices);
	free(lx->cgroups_path);
	r = &lx->resources;
	for (size_t i = 0; i < r->n_devices; i++)
		free(r->devices[i].access);
	free(r->devices);
	free(r->cpu.cpus);
	free(r->cpu.mems);
	free(r->blkio.weight_device);
	free(r->blkio.throttle_read_bps);
	free(r->blkio.throttle_write_bps);
	free(r->blkio.throttle_read_iops);
	free(r->blkio.throttle_write_iops);
	for (size_t i = 0; i < r->n_hugepage_limits; i++)
		free(r->hugepage_limits[i].page_size);
	free(r->hugepage_limits);
	for (size_t i = 0; i < r->n_net_priorities; i++)
		free(r->net_priorities[i].name);
	free(r->net_priorities);
	free_kv(r->unified, r->n_unified);
	free_kv(lx->sysctl, lx->n_sysctl);
	free_seccomp(lx->seccomp);
	free_seccomp(lx->policy_seccomp);
	free_seccomp(lx->profile_seccomp);
	free(lx->rootfs_propagation);
	hr_strv_free(lx->masked_paths);
	hr_strv_free(lx->readonly_paths);
	free(lx->mount_label);
	free(s);
}
