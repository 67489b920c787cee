/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The policy file: the built-in levels (profiles/policy/l<N>.json, compiled
 * in), the merge of an operator's file over its base level, and the strict
 * parse of the result into struct hr_policy.  Every message names the key
 * path.  Owns nothing of the filesystem: the runtime reads the file and
 * checks who may write it.  No kernel calls.
 */
#include <fnmatch.h>
#include <jansson.h>
#include <stdint.h>
#include <string.h>

#include "hardrun/policy.h"
#include "hardrun/spec.h"
#include "hardrun/strutil.h"

extern const char hr_builtin_policy_l0[], hr_builtin_policy_l1[], hr_builtin_policy_l2[], hr_builtin_policy_l3[];
extern const size_t hr_builtin_policy_l0_len, hr_builtin_policy_l1_len, hr_builtin_policy_l2_len,
	hr_builtin_policy_l3_len;
extern const char hr_builtin_seccomp_default[], hr_builtin_seccomp_docker[], hr_builtin_apparmor_template[];
extern const size_t hr_builtin_seccomp_default_len, hr_builtin_seccomp_docker_len, hr_builtin_apparmor_template_len;

const char *hr_policy_builtin_text(int level, size_t *len)
{
	switch (level) {
	case 0:
		*len = hr_builtin_policy_l0_len;
		return hr_builtin_policy_l0;
	case 1:
		*len = hr_builtin_policy_l1_len;
		return hr_builtin_policy_l1;
	case 2:
		*len = hr_builtin_policy_l2_len;
		return hr_builtin_policy_l2;
	case 3:
		*len = hr_builtin_policy_l3_len;
		return hr_builtin_policy_l3;
	default:
		return NULL;
	}
}

const char *hr_policy_builtin_seccomp(const char *name, size_t *len)
{
	if (strcmp(name, "default") == 0) {
		*len = hr_builtin_seccomp_default_len;
		return hr_builtin_seccomp_default;
	}
	if (strcmp(name, "docker") == 0) {
		*len = hr_builtin_seccomp_docker_len;
		return hr_builtin_seccomp_docker;
	}
	return NULL;
}

const char *hr_policy_apparmor_template(void)
{
	return hr_builtin_apparmor_template;
}

bool hr_policy_apparmor_is_own(const char *profile, const char *id)
{
	size_t n;

	if (profile == NULL || id == NULL || !hr_str_has_prefix(profile, "hardrun-") ||
	    !hr_str_has_prefix(profile + strlen("hardrun-"), id))
		return false;
	n = strlen("hardrun-") + strlen(id);
	return profile[n] == '\0' || hr_str_has_prefix(profile + n, "//&");
}

char *hr_policy_apparmor_profile(const char *profile_name)
{
	const char *t = hr_builtin_apparmor_template, *hit;
	static const char mark[] = "@PROFILE@";
	size_t cap, n = 0, nl = strlen(profile_name);
	char *out;

	if (nl == 0 || nl > 200 ||
	    strspn(profile_name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.+-") != nl)
		return NULL;
	cap = strlen(t) * 2 + 1;
	out = xmalloc(cap);
	while ((hit = strstr(t, mark)) != NULL) {
		size_t k = (size_t)(hit - t);

		if (n + k + nl + 1 > cap)
			out = xrealloc(out, cap = (n + k + nl + 1) * 2);
		memcpy(out + n, t, k);
		n += k;
		memcpy(out + n, profile_name, nl);
		n += nl;
		t = hit + sizeof(mark) - 1;
	}
	if (n + strlen(t) + 1 > cap)
		out = xrealloc(out, n + strlen(t) + 1);
	memcpy(out + n, t, strlen(t) + 1);
	return out;
}

int hr_policy_parse_size(const char *s, uint64_t *out)
{
	uint64_t v = 0, mul = 1;
	size_t n = strlen(s);
	cleanup_free char *num = NULL;

	if (n == 0)
		return -1;
	switch (s[n - 1]) {
	case 'k':
	case 'K':
		mul = 1024;
		break;
	case 'm':
	case 'M':
		mul = 1024 * 1024;
		break;
	case 'g':
	case 'G':
		mul = 1024ull * 1024 * 1024;
		break;
	default:
		break;
	}
	num = xstrndup(s, mul == 1 ? n : n - 1);
	if (hr_parse_u64(num, &v) < 0 || v > INT64_MAX / mul)
		return -1;
	*out = v * mul;
	return 0;
}

/* ---- merge ---- */

/* Merge over (the operator's object) into base (a copy of the level's), refusing keys the level does not have. */
static int merge(json_t *base, json_t *over, const char *name, const char *path, struct hr_err **err)
{
	const char *key;
	json_t *v;

	json_object_foreach(over, key, v)
	{
		cleanup_free char *p = *path ? xasprintf("%s.%s", path, key) : xstrdup(key);
		json_t *b = json_object_get(base, key);

		if (!b)
			return hr_fail(err, 0, "%s: %s: unknown key", name, p);
		if (json_is_object(b) && !json_is_object(v))
			return hr_fail(err, 0, "%s: %s: expected an object", name, p);
		if (json_is_object(b)) {
			if (merge(b, v, name, p, err) < 0)
				return -1;
			continue;
		}
		json_object_set(base, key, v);
	}
	return 0;
}

/* ---- typed getters on the merged object; every key exists (the level's files have all) ---- */

struct pctx {
	const char *name;
	struct hr_err **err;
};

static json_t *at(json_t *o, const char *key)
{
	return json_object_get(o, key);
}

static int get_bool(struct pctx *c, json_t *o, const char *key, const char *path, bool *out)
{
	json_t *v = at(o, key);

	if (!json_is_boolean(v))
		return hr_fail(c->err, 0, "%s: %s%s%s: expected true or false", c->name, path, *path ? "." : "", key);
	*out = json_is_true(v);
	return 0;
}

static int get_int(struct pctx *c, json_t *o, const char *key, const char *path, int64_t lo, int64_t hi, int64_t *out)
{
	json_t *v = at(o, key);

	if (!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi)
		return hr_fail(c->err, 0, "%s: %s%s%s: expected an integer from %lld to %lld", c->name, path,
			       *path ? "." : "", key, (long long)lo, (long long)hi);
	*out = json_integer_value(v);
	return 0;
}

/* A size: bytes as an integer, or "64m"-style text. */
static int get_size(struct pctx *c, json_t *o, const char *key, const char *path, int64_t *out)
{
	json_t *v = at(o, key);
	uint64_t u = 0;

	if (json_is_integer(v) && json_integer_value(v) >= 0) {
		*out = json_integer_value(v);
		return 0;
	}
	if (json_is_string(v) && hr_policy_parse_size(json_string_value(v), &u) == 0) {
		*out = (int64_t)u;
		return 0;
	}
	return hr_fail(c->err, 0, "%s: %s.%s: expected a size (bytes, or a number with k, m or g)", c->name, path, key);
}

/* One of the words in choices (NULL-terminated); *out is its index. */
static int get_enum(struct pctx *c, json_t *o, const char *key, const char *path, const char *const *choices, int *out)
{
	json_t *v = at(o, key);
	const char *s = json_string_value(v);

	for (int i = 0; s && choices[i]; i++)
		if (strcmp(s, choices[i]) == 0) {
			*out = i;
			return 0;
		}
	{
		cleanup_free char *list = xstrdup(choices[0]);

		for (int i = 1; choices[i]; i++) {
			char *t = xasprintf("%s%s%s", list, choices[i + 1] ? ", " : " or ", choices[i]);

			free(list);
			list = t;
		}
		if (s)
			return hr_fail(c->err, 0, "%s: %s%s%s: unknown value \"%s\", expected %s", c->name, path,
				       *path ? "." : "", key, s, list);
		return hr_fail(c->err, 0, "%s: %s%s%s: expected %s", c->name, path, *path ? "." : "", key, list);
	}
}

enum strv_kind { STRV_ANY = 0, STRV_ABS, STRV_NAME };

static int get_strv(struct pctx *c, json_t *o, const char *key, const char *path, enum strv_kind kind, char ***out)
{
	json_t *a = at(o, key), *e;
	cleanup_free char *p = *path ? xasprintf("%s.%s", path, key) : xstrdup(key);
	char **v = xzalloc(sizeof(char *));
	size_t i;

	if (!json_is_array(a)) {
		free(v);
		return hr_fail(c->err, 0, "%s: %s: expected an array of strings", c->name, p);
	}
	json_array_foreach(a, i, e)
	{
		const char *s = json_string_value(e);

		if (!s || !*s) {
			hr_strv_free(v);
			return hr_fail(c->err, 0, "%s: %s[%zu]: expected a non-empty string", c->name, p, i);
		}
		if (kind == STRV_ABS && !hr_path_is_clean_abs(s)) {
			hr_strv_free(v);
			return hr_fail(c->err, 0, "%s: %s[%zu]: \"%s\" is not a clean absolute path", c->name, p, i, s);
		}
		if (kind == STRV_NAME && (strchr(s, '/') || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)) {
			hr_strv_free(v);
			return hr_fail(c->err, 0, "%s: %s[%zu]: \"%s\" is not a file name", c->name, p, i, s);
		}
		hr_strv_push(&v, s);
	}
	*out = v;
	return 0;
}

static int get_limit(struct pctx *c, json_t *res, const char *key, bool size, struct hr_policy_limit *l)
{
	json_t *o = at(res, key);
	cleanup_free char *p = xasprintf("resources.%s", key);

	if (size) {
		if (get_size(c, o, "default", p, &l->def) < 0 || get_size(c, o, "max", p, &l->max) < 0)
			return -1;
	} else if (get_int(c, o, "default", p, 0, INT32_MAX, &l->def) < 0 ||
		   get_int(c, o, "max", p, 0, INT32_MAX, &l->max) < 0) {
		return -1;
	}
	if (l->max && l->def > l->max)
		return hr_fail(c->err, 0, "%s: %s.default: above %s.max", c->name, p, p);
	return 0;
}

static int parse_caps(struct pctx *c, json_t *root, struct hr_policy *p)
{
	json_t *o = at(root, "capabilities"), *a = at(o, "allow"), *e;
	size_t i;

	if (get_bool(c, o, "enforce", "capabilities", &p->caps_enforce) < 0 ||
	    get_bool(c, o, "inheritable", "capabilities", &p->caps_inheritable) < 0 ||
	    get_bool(c, o, "ambient", "capabilities", &p->caps_ambient) < 0)
		return -1;
	if (!json_is_array(a))
		return hr_fail(c->err, 0, "%s: capabilities.allow: expected an array of capability names", c->name);
	json_array_foreach(a, i, e)
	{
		const char *s = json_string_value(e);
		int cap = s ? hr_cap_from_name(s) : -1;

		if (!s)
			return hr_fail(c->err, 0, "%s: capabilities.allow[%zu]: expected a string", c->name, i);
		if (cap < 0 || strncmp(s, "CAP_", 4) != 0)
			return hr_fail(c->err, 0, "%s: capabilities.allow[%zu]: unknown capability \"%s\"", c->name, i,
				       s);
		p->caps_allow |= 1ull << cap;
	}
	return 0;
}

static int get_abs_dir(struct pctx *c, json_t *o, const char *key, const char *path, char **out)
{
	const char *s = json_string_value(at(o, key));

	if (!s || !hr_path_is_clean_abs(s))
		return hr_fail(c->err, 0, "%s: %s.%s: expected a clean absolute path", c->name, path, key);
	*out = xstrdup(s);
	return 0;
}

/* seccomp.container_dir, seccomp.profiles [{"match": GLOB, "profile": NAME}], seccomp.learn {dir, containers}. */
static int get_seccomp_specific(struct pctx *c, json_t *o, struct hr_policy *p)
{
	json_t *a = at(o, "profiles"), *e;
	size_t i;

	if (get_abs_dir(c, o, "container_dir", "seccomp", &p->seccomp_container_dir) < 0 ||
	    get_abs_dir(c, at(o, "learn"), "dir", "seccomp.learn", &p->seccomp_learn_dir) < 0 ||
	    get_strv(c, at(o, "learn"), "containers", "seccomp.learn", STRV_ANY, &p->seccomp_learn_globs) < 0)
		return -1;
	if (!json_is_array(a))
		return hr_fail(c->err, 0, "%s: seccomp.profiles: expected an array", c->name);
	p->seccomp_profile_globs = xzalloc(sizeof(char *));
	p->seccomp_profile_names = xzalloc(sizeof(char *));
	json_array_foreach(a, i, e)
	{
		const char *m = json_string_value(at(e, "match")), *n = json_string_value(at(e, "profile"));

		if (!json_is_object(e) || json_object_size(e) != 2 || !m || !*m || !n)
			return hr_fail(c->err, 0,
				       "%s: seccomp.profiles[%zu]: expected {\"match\": GLOB, \"profile\": NAME}",
				       c->name, i);
		if (!*n || strchr(n, '/') || strcmp(n, ".") == 0 || strcmp(n, "..") == 0)
			return hr_fail(c->err, 0, "%s: seccomp.profiles[%zu].profile: \"%s\" is not a profile name",
				       c->name, i, n);
		hr_strv_push(&p->seccomp_profile_globs, m);
		hr_strv_push(&p->seccomp_profile_names, n);
	}
	return 0;
}

static int parse_exemptions(struct pctx *c, json_t *root, struct hr_policy *p)
{
	static const char *const keys[] = {"id", "annotation", "controls", NULL};
	json_t *a = at(root, "exemptions"), *e;
	size_t i;

	if (!json_is_array(a))
		return hr_fail(c->err, 0, "%s: exemptions: expected an array", c->name);
	p->exemptions = xcalloc(json_array_size(a) + 1, sizeof(*p->exemptions));
	json_array_foreach(a, i, e)
	{
		struct hr_policy_exemption *x = &p->exemptions[i];
		cleanup_free char *path = xasprintf("exemptions[%zu]", i);
		json_t *id, *ann;
		const char *key;
		json_t *v;

		p->n_exemptions = i + 1;
		if (!json_is_object(e))
			return hr_fail(c->err, 0, "%s: %s: expected an object", c->name, path);
		json_object_foreach(e, key, v)
		{
			bool known = false;

			for (int k = 0; keys[k]; k++)
				known |= strcmp(key, keys[k]) == 0;
			if (!known)
				return hr_fail(c->err, 0, "%s: %s.%s: unknown key", c->name, path, key);
		}
		id = at(e, "id");
		ann = at(e, "annotation");
		if (id && (!json_is_string(id) || !*json_string_value(id)))
			return hr_fail(c->err, 0, "%s: %s.id: expected a non-empty glob", c->name, path);
		if (ann) {
			const char *s = json_string_value(ann), *eq = s ? strchr(s, '=') : NULL;

			if (!s || !*s || eq == s)
				return hr_fail(c->err, 0, "%s: %s.annotation: expected \"KEY\" or \"KEY=VALUE\"",
					       c->name, path);
			x->annotation_key = eq ? xstrndup(s, (size_t)(eq - s)) : xstrdup(s);
			x->annotation_value = eq ? xstrdup(eq + 1) : NULL;
		}
		if (!id && !ann)
			return hr_fail(c->err, 0, "%s: %s: needs id or annotation", c->name, path);
		x->id = id ? xstrdup(json_string_value(id)) : NULL;
		if (!at(e, "controls"))
			return hr_fail(c->err, 0, "%s: %s.controls: required", c->name, path);
		if (get_strv(c, e, "controls", path, STRV_ANY, &x->controls) < 0)
			return -1;
		for (char **ctl = x->controls; *ctl; ctl++) {
			static const char *const known[] = {"3.1",    "3.2",	 "3.3",	     "3.4",  "3.5",
							    "3.9",    "3.10",	 "3.14",     "3.15", "setuid",
							    "masked", "restart", "apparmor", NULL};
			bool ok = false;

			for (int k = 0; known[k]; k++)
				ok |= strcmp(*ctl, known[k]) == 0;
			if (!ok)
				return hr_fail(c->err, 0, "%s: %s.controls[%td]: unknown control \"%s\"", c->name, path,
					       ctl - x->controls, *ctl);
		}
	}
	return 0;
}

static int parse_merged(struct pctx *c, json_t *r, struct hr_policy *p)
{
	static const char *const violation[] = {"fix", "refuse", NULL};
	static const char *const allow_refuse[] = {"allow", "refuse", NULL};
	static const char *const unmapped[] = {"refuse", "allow", NULL};
	static const char *const apparmor[] = {"off", "preferred", "required", NULL};
	json_t *o;
	int64_t v = 0;
	int e = 0;

	if (get_int(c, r, "level", "", 0, HR_POLICY_LEVEL_MAX, &v) < 0)
		return -1;
	p->level = (int)v;
	if (get_enum(c, r, "on_violation", "", violation, &e) < 0)
		return -1;
	p->on_violation = (enum hr_policy_violation)e;
	if (get_bool(c, r, "no_new_privileges", "", &p->no_new_privileges) < 0 || parse_caps(c, r, p) < 0)
		return -1;
	if (get_enum(c, r, "privileged", "", allow_refuse, &e) < 0)
		return -1;
	p->refuse_privileged = e == 1;
	if (get_enum(c, r, "host_namespaces", "", allow_refuse, &e) < 0)
		return -1;
	p->refuse_host_namespaces = e == 1;
	o = at(r, "rootfs");
	if (get_bool(c, o, "readonly", "rootfs", &p->rootfs_readonly) < 0 ||
	    get_bool(c, o, "nosuid_nodev", "rootfs", &p->rootfs_nosuid_nodev) < 0)
		return -1;
	o = at(r, "tmpfs");
	if (get_strv(c, o, "paths", "tmpfs", STRV_ABS, &p->tmpfs_paths) < 0 || get_size(c, o, "size", "tmpfs", &v) < 0)
		return -1;
	if (v < 4096)
		return hr_fail(c->err, 0, "%s: tmpfs.size: must be at least 4k", c->name);
	p->tmpfs_size = (uint64_t)v;
	o = at(r, "mounts");
	if (get_bool(c, o, "nosuid_nodev", "mounts", &p->mounts_nosuid_nodev) < 0 ||
	    get_strv(c, o, "engine_sockets", "mounts", STRV_NAME, &p->engine_sockets) < 0 ||
	    get_strv(c, o, "engine_paths", "mounts", STRV_ABS, &p->engine_paths) < 0 ||
	    get_strv(c, o, "sensitive_paths", "mounts", STRV_ABS, &p->sensitive_paths) < 0 ||
	    get_strv(c, o, "monitors", "mounts", STRV_ANY, &p->monitors) < 0)
		return -1;
	o = at(r, "resources");
	if (get_limit(c, o, "pids", false, &p->pids) < 0 || get_limit(c, o, "memory", true, &p->memory) < 0 ||
	    get_bool(c, at(o, "memory"), "swap_equals_memory", "resources.memory", &p->swap_equals_memory) < 0 ||
	    get_limit(c, o, "cpu_shares", false, &p->cpu_shares) < 0)
		return -1;
	if (p->memory.def && p->memory.def < 4 * 1024 * 1024)
		return hr_fail(c->err, 0, "%s: resources.memory.default: must be 0 or at least 4m", c->name);
	if (p->cpu_shares.def == 1 || p->cpu_shares.max == 1)
		return hr_fail(c->err, 0, "%s: resources.cpu_shares: the kernel's minimum is 2", c->name);
	if (get_strv(c, r, "masked_paths", "", STRV_ABS, &p->masked_paths) < 0 ||
	    get_strv(c, r, "readonly_paths", "", STRV_ABS, &p->readonly_paths) < 0)
		return -1;
	o = at(r, "seccomp");
	if (!json_is_string(at(o, "profile")) || !json_is_string(at(o, "profile_dir")))
		return hr_fail(c->err, 0, "%s: seccomp.profile, seccomp.profile_dir: expected strings", c->name);
	p->seccomp_profile = xstrdup(json_string_value(at(o, "profile")));
	p->seccomp_dir = xstrdup(json_string_value(at(o, "profile_dir")));
	if (!*p->seccomp_profile || strchr(p->seccomp_profile, '/'))
		return hr_fail(c->err, 0, "%s: seccomp.profile: \"%s\" is not a profile name", c->name,
			       p->seccomp_profile);
	if (!hr_path_is_clean_abs(p->seccomp_dir))
		return hr_fail(c->err, 0, "%s: seccomp.profile_dir: \"%s\" is not a clean absolute path", c->name,
			       p->seccomp_dir);
	if (get_strv(c, o, "allowed", "seccomp", STRV_NAME, &p->seccomp_allowed) < 0)
		return -1;
	if (get_seccomp_specific(c, o, p) < 0)
		return -1;
	if (get_enum(c, at(r, "user"), "root", "user", allow_refuse, &e) < 0)
		return -1;
	p->refuse_root_user = e == 1;
	o = at(r, "userns");
	if (get_bool(c, o, "enabled", "userns", &p->userns) < 0 ||
	    get_int(c, o, "pool_start", "userns", 1, UINT32_MAX, &v) < 0)
		return -1;
	p->userns_pool_start = (uint32_t)v;
	if (get_int(c, o, "pool_size", "userns", HR_USERNS_RANGE, UINT32_MAX, &v) < 0)
		return -1;
	p->userns_pool_size = (uint32_t)v;
	if (p->userns_pool_size % HR_USERNS_RANGE)
		return hr_fail(c->err, 0, "%s: userns.pool_size: must be a multiple of 65536", c->name);
	if ((uint64_t)p->userns_pool_start + p->userns_pool_size > UINT32_MAX)
		return hr_fail(c->err, 0, "%s: userns: pool_start + pool_size must stay below 2^32", c->name);
	if (get_enum(c, o, "unmapped", "userns", unmapped, &e) < 0)
		return -1;
	p->userns_unmapped = (enum hr_policy_unmapped)e;
	if (get_enum(c, r, "apparmor", "", apparmor, &e) < 0)
		return -1;
	p->apparmor = (enum hr_policy_apparmor)e;
	if (get_bool(c, r, "restart_tainted", "", &p->restart_tainted) < 0)
		return -1;
	o = at(r, "restart");
	if (get_int(c, o, "max_failures", "restart", 0, 1000000, &v) < 0)
		return -1;
	p->restart_max_failures = (int)v;
	if (get_int(c, o, "window_seconds", "restart", 1, INT32_MAX, &p->restart_window_seconds) < 0)
		return -1;
	return parse_exemptions(c, r, p);
}

int hr_policy_parse(const char *buf, size_t len, const char *name, int level, struct hr_policy **out,
		    struct hr_err **err)
{
	json_t *over = NULL, *base = NULL;
	struct hr_policy *p = NULL;
	struct pctx c = {name, err};
	json_error_t je;
	const char *text;
	size_t tlen = 0;

	if (buf) {
		json_t *lv;

		over = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &je);
		if (!over)
			return hr_fail(err, 0, "%s:%d:%d: %s", name, je.line, je.column, je.text);
		if (!json_is_object(over)) {
			json_decref(over);
			return hr_fail(err, 0, "%s: expected a JSON object", name);
		}
		lv = json_object_get(over, "level");
		level = HR_POLICY_DEFAULT_LEVEL;
		if (lv) {
			if (!json_is_integer(lv) || json_integer_value(lv) < 0 ||
			    json_integer_value(lv) > HR_POLICY_LEVEL_MAX) {
				json_decref(over);
				return hr_fail(err, 0, "%s: level: expected an integer from 0 to %d", name,
					       HR_POLICY_LEVEL_MAX);
			}
			level = (int)json_integer_value(lv);
		}
	} else if (level < 0) {
		level = HR_POLICY_DEFAULT_LEVEL;
	}
	text = hr_policy_builtin_text(level, &tlen);
	if (!text) {
		json_decref(over);
		return hr_fail(err, 0, "%s: level: expected an integer from 0 to %d", name, HR_POLICY_LEVEL_MAX);
	}
	base = json_loadb(text, tlen, 0, &je);
	if (!base) {
		json_decref(over);
		return hr_fail(err, 0, "built-in policy level %d:%d:%d: %s", level, je.line, je.column, je.text);
	}
	if (over && merge(base, over, name, "", err) < 0)
		goto fail;
	p = xzalloc(sizeof(*p));
	if (parse_merged(&c, base, p) < 0)
		goto fail;
	p->effective = base;
	json_decref(over);
	*out = p;
	return 0;
fail:
	json_decref(over);
	json_decref(base);
	hr_policy_free(p);
	return -1;
}

void hr_policy_free(struct hr_policy *p)
{
	if (!p)
		return;
	hr_strv_free(p->tmpfs_paths);
	hr_strv_free(p->engine_sockets);
	hr_strv_free(p->engine_paths);
	hr_strv_free(p->sensitive_paths);
	hr_strv_free(p->monitors);
	hr_strv_free(p->masked_paths);
	hr_strv_free(p->readonly_paths);
	free(p->seccomp_profile);
	free(p->seccomp_dir);
	hr_strv_free(p->seccomp_allowed);
	free(p->seccomp_container_dir);
	hr_strv_free(p->seccomp_profile_globs);
	hr_strv_free(p->seccomp_profile_names);
	free(p->seccomp_learn_dir);
	hr_strv_free(p->seccomp_learn_globs);
	for (size_t i = 0; i < p->n_exemptions; i++) {
		free(p->exemptions[i].id);
		free(p->exemptions[i].annotation_key);
		free(p->exemptions[i].annotation_value);
		hr_strv_free(p->exemptions[i].controls);
	}
	free(p->exemptions);
	json_decref(p->effective);
	free(p);
}

char *hr_policy_dump(const struct hr_policy *p)
{
	return json_dumps(p->effective, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
}

static bool glob_match(const char *pattern, const char *id, const char *name)
{
	return (id && fnmatch(pattern, id, 0) == 0) || (name && fnmatch(pattern, name, 0) == 0);
}

bool hr_policy_exempt(const struct hr_policy *p, const char *control, const char *id, const char *name,
		      const json_t *annotations)
{
	for (size_t i = 0; i < p->n_exemptions; i++) {
		const struct hr_policy_exemption *x = &p->exemptions[i];
		bool listed = false;

		for (char **c = x->controls; c && *c; c++)
			listed |= strcmp(*c, control) == 0;
		if (!listed)
			continue;
		if (x->id && !glob_match(x->id, id, name))
			continue;
		if (x->annotation_key) {
			const char *v = json_string_value(json_object_get(annotations, x->annotation_key));

			if (!v || (x->annotation_value && strcmp(v, x->annotation_value) != 0))
				continue;
		}
		return true;
	}
	return false;
}

const char *hr_policy_seccomp_profile_for(const struct hr_policy *p, const char *id, const char *name)
{
	for (size_t i = 0; p->seccomp_profile_globs && p->seccomp_profile_globs[i]; i++)
		if (glob_match(p->seccomp_profile_globs[i], id, name))
			return p->seccomp_profile_names[i];
	return NULL;
}

bool hr_policy_seccomp_learns(const struct hr_policy *p, const char *id, const char *name)
{
	for (char **m = p->seccomp_learn_globs; m && *m; m++)
		if (glob_match(*m, id, name))
			return true;
	return false;
}

bool hr_policy_is_monitor(const struct hr_policy *p, const char *id, const char *name)
{
	for (char **m = p->monitors; m && *m; m++)
		if (glob_match(*m, id, name))
			return true;
	return false;
}
