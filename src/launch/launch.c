/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The launcher's pure half (see include/hardrun/launch.h): flag parsing,
 * tightening a config.json with docker-like flags, the --rootfs config, and
 * the json-file, syslog and event record formats.  No kernel calls, no I/O.
 */
#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hardrun/launch.h"
#include "hardrun/spec.h"
#include "hardrun/strutil.h"

int hr_restart_parse(const char *s, unsigned ceiling, struct hr_restart *out, struct hr_err **err)
{
	const char *colon = strchr(s, ':');
	size_t head = colon ? (size_t)(colon - s) : strlen(s);
	uint32_t n = ceiling < HR_RESTART_DEFAULT_MAX ? ceiling : HR_RESTART_DEFAULT_MAX;

	if (head == 2 && strncmp(s, "no", 2) == 0 && !colon) {
		*out = (struct hr_restart){HR_RESTART_NO, 0};
		return 0;
	}
	if (head == 10 && strncmp(s, "on-failure", 10) == 0)
		out->mode = HR_RESTART_ON_FAILURE;
	else if (head == 6 && strncmp(s, "always", 6) == 0)
		out->mode = HR_RESTART_ALWAYS;
	else
		return hr_fail(err, 0, "--restart: `%s` is not no, on-failure[:N] or always[:N]", s);
	if (colon && hr_parse_u32(colon + 1, &n) < 0)
		return hr_fail(err, 0, "--restart: `%s`: N must be a whole number", s);
	if (n > ceiling)
		return hr_fail(err, 0, "--restart: `%s` exceeds the restart cap of %u", s, ceiling);
	out->max = n;
	return 0;
}

bool hr_restart_wanted(const struct hr_restart *r, int status, unsigned done)
{
	switch (r->mode) {
	case HR_RESTART_NO:
		return false;
	case HR_RESTART_ON_FAILURE:
		return status != 0 && done < r->max;
	case HR_RESTART_ALWAYS:
		return done < r->max;
	}
	return false;
}

uint64_t hr_backoff_ms(unsigned n, uint64_t start_ms, uint64_t max_ms)
{
	uint64_t d = start_ms;

	for (unsigned i = 1; i < n && d < max_ms; i++)
		d = d > UINT64_MAX / 2 ? UINT64_MAX : d * 2;
	return d < max_ms ? d : max_ms;
}

/* number then a unit from units (exact, case-insensitive); "" is allowed when default_mult is non-zero */
static int parse_scaled(const char *s, const char *const *names, const uint64_t *mults, size_t n, uint64_t default_mult,
			uint64_t *out)
{
	char num[32];
	size_t i = 0;
	uint64_t v;

	while (i < sizeof(num) - 1 && isdigit((unsigned char)s[i])) {
		num[i] = s[i];
		i++;
	}
	num[i] = '\0';
	if (i == 0 || hr_parse_u64(num, &v) < 0)
		return -1;
	if (s[i] == '\0') {
		if (!default_mult || v > UINT64_MAX / default_mult)
			return -1;
		*out = v * default_mult;
		return 0;
	}
	for (size_t u = 0; u < n; u++)
		if (strcasecmp(s + i, names[u]) == 0) {
			if (v > UINT64_MAX / mults[u])
				return -1;
			*out = v * mults[u];
			return 0;
		}
	return -1;
}

int hr_parse_size(const char *s, uint64_t *out)
{
	static const char *const names[] = {"b", "k", "kb", "m", "mb", "g", "gb"};
	static const uint64_t mults[] = {1, 1024, 1024, 1 << 20, 1 << 20, 1 << 30, 1 << 30};

	return parse_scaled(s, names, mults, HR_ARRAY_SIZE(names), 1, out);
}

int hr_parse_duration_ms(const char *s, uint64_t *out)
{
	static const char *const names[] = {"ms", "s", "m", "h"};
	static const uint64_t mults[] = {1, 1000, 60000, 3600000};

	return parse_scaled(s, names, mults, HR_ARRAY_SIZE(names), 1000, out);
}

int hr_parse_rfc3339(const char *s, uint64_t *out)
{
	struct tm tm = {0};
	const char *p = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	uint64_t frac = 0, scale = 1000000000ULL;
	time_t t;

	if (!p)
		return -1;
	if (*p == '.') {
		p++;
		if (!isdigit((unsigned char)*p))
			return -1;
		for (; isdigit((unsigned char)*p); p++)
			if (scale > 1) {
				scale /= 10;
				frac += (uint64_t)(*p - '0') * scale;
			}
	}
	if (strcmp(p, "Z") != 0)
		return -1;
	t = timegm(&tm);
	if (t < 0)
		return -1;
	*out = (uint64_t)t * 1000000000ULL + frac;
	return 0;
}

int hr_parse_since(const char *s, uint64_t now_ns, uint64_t *out)
{
	uint64_t v;

	if (strchr(s, 'T'))
		return hr_parse_rfc3339(s, out);
	if (hr_parse_u64(s, &v) == 0) {
		if (v > UINT64_MAX / 1000000000ULL)
			return -1;
		*out = v * 1000000000ULL;
		return 0;
	}
	if (hr_parse_duration_ms(s, &v) < 0 || v > now_ns / 1000000ULL)
		return -1;
	*out = now_ns - v * 1000000ULL;
	return 0;
}

/* ---- tightening ---- */

static json_t *obj_child(json_t *parent, const char *key)
{
	json_t *o = json_object_get(parent, key);

	if (!json_is_object(o)) {
		o = json_object();
		json_object_set_new(parent, key, o);
	}
	return o;
}

static int64_t int_or(json_t *o, const char *key, int64_t dflt)
{
	json_t *v = json_object_get(o, key);

	return json_is_integer(v) ? (int64_t)json_integer_value(v) : dflt;
}

/* Set key to value unless the bundle's (positive) value is already lower; a higher flag is refused. */
static int tighten_limit(json_t *o, const char *key, const char *jpath, const char *flag, const char *arg,
			 int64_t value, struct hr_err **err)
{
	int64_t cur = int_or(o, key, 0);

	if (cur > 0 && value > cur)
		return hr_fail(err, 0, "%s `%s`: looser than the bundle's %s (%lld)", flag, arg, jpath, (long long)cur);
	json_object_set_new(o, key, json_integer(value));
	return 0;
}

static const struct {
	const char *name, *oci;
} rlimit_names[] = {
	{"as", "RLIMIT_AS"},	       {"core", "RLIMIT_CORE"},		{"cpu", "RLIMIT_CPU"},
	{"data", "RLIMIT_DATA"},       {"fsize", "RLIMIT_FSIZE"},	{"locks", "RLIMIT_LOCKS"},
	{"memlock", "RLIMIT_MEMLOCK"}, {"msgqueue", "RLIMIT_MSGQUEUE"}, {"nice", "RLIMIT_NICE"},
	{"nofile", "RLIMIT_NOFILE"},   {"nproc", "RLIMIT_NPROC"},	{"rss", "RLIMIT_RSS"},
	{"rtprio", "RLIMIT_RTPRIO"},   {"rttime", "RLIMIT_RTTIME"},	{"sigpending", "RLIMIT_SIGPENDING"},
	{"stack", "RLIMIT_STACK"},
};

static int tighten_ulimit(json_t *proc, const char *arg, struct hr_err **err)
{
	const char *eq = strchr(arg, '=');
	const char *oci = NULL;
	cleanup_free char *name = NULL, *vals = NULL;
	uint64_t soft, hard;
	json_t *list, *v;
	char *colon;
	size_t i;

	if (!eq)
		return hr_fail(err, 0, "--ulimit `%s`: expected NAME=SOFT[:HARD]", arg);
	name = xstrndup(arg, (size_t)(eq - arg));
	vals = xstrdup(eq + 1);
	for (i = 0; i < HR_ARRAY_SIZE(rlimit_names); i++)
		if (strcmp(name, rlimit_names[i].name) == 0)
			oci = rlimit_names[i].oci;
	if (!oci)
		return hr_fail(err, 0, "--ulimit `%s`: unknown limit `%s`", arg, name);
	colon = strchr(vals, ':');
	if (colon)
		*colon = '\0';
	if (hr_parse_u64(vals, &soft) < 0 || (colon && hr_parse_u64(colon + 1, &hard) < 0))
		return hr_fail(err, 0, "--ulimit `%s`: limits must be whole numbers", arg);
	if (!colon)
		hard = soft;
	if (soft > hard)
		return hr_fail(err, 0, "--ulimit `%s`: soft limit above the hard limit", arg);
	list = json_object_get(proc, "rlimits");
	if (!json_is_array(list)) {
		list = json_array();
		json_object_set_new(proc, "rlimits", list);
	}
	json_array_foreach(list, i, v)
	{
		if (!json_is_string(json_object_get(v, "type")) ||
		    strcmp(json_string_value(json_object_get(v, "type")), oci) != 0)
			continue;
		if ((uint64_t)int_or(v, "hard", INT64_MAX) < hard)
			return hr_fail(err, 0, "--ulimit `%s`: looser than the bundle's %s hard limit (%lld)", arg, oci,
				       (long long)int_or(v, "hard", 0));
		json_object_set_new(v, "soft", json_integer((json_int_t)soft));
		json_object_set_new(v, "hard", json_integer((json_int_t)hard));
		return 0;
	}
	json_array_append_new(
		list, json_pack("{s:s, s:I, s:I}", "type", oci, "hard", (json_int_t)hard, "soft", (json_int_t)soft));
	return 0;
}

static bool strarr_has(json_t *a, const char *s)
{
	size_t i;
	json_t *v;

	json_array_foreach(a, i, v)
	{
		if (json_is_string(v) && strcmp(json_string_value(v), s) == 0)
			return true;
	}
	return false;
}

static void strarr_remove(json_t *a, const char *s)
{
	for (size_t i = json_array_size(a); i-- > 0;) {
		json_t *v = json_array_get(a, i);

		if (json_is_string(v) && (!s || strcmp(json_string_value(v), s) == 0))
			json_array_remove(a, i);
	}
}

/* "net_raw", "NET_RAW" and "CAP_NET_RAW" all name CAP_NET_RAW; NULL when unknown.  "ALL" gives "ALL". */
static char *cap_canon(const char *s)
{
	char *c = hr_str_has_prefix(s, "CAP_") || hr_str_has_prefix(s, "cap_") ? xstrdup(s) : xasprintf("CAP_%s", s);

	for (char *p = c; *p; p++)
		*p = (char)toupper((unsigned char)*p);
	if (strcmp(c, "CAP_ALL") == 0) {
		free(c);
		return xstrdup("ALL");
	}
	if (hr_cap_from_name(c) < 0) {
		free(c);
		return NULL;
	}
	return c;
}

static const char *const cap_sets[] = {"bounding", "effective", "permitted", "inheritable", "ambient"};

static int tighten_caps(json_t *proc, const struct hr_launch_opts *o, struct hr_err **err)
{
	json_t *caps = obj_child(proc, "capabilities");
	json_t *bounding = json_deep_copy(json_object_get(caps, "bounding"));
	int r = 0;

	for (char **d = o->cap_drop; d && *d && r == 0; d++) {
		cleanup_free char *c = cap_canon(*d);

		if (!c) {
			r = hr_fail(err, 0, "--cap-drop `%s`: unknown capability", *d);
			break;
		}
		for (size_t i = 0; i < HR_ARRAY_SIZE(cap_sets); i++)
			strarr_remove(json_object_get(caps, cap_sets[i]), strcmp(c, "ALL") == 0 ? NULL : c);
	}
	for (char **a = o->cap_add; a && *a && r == 0; a++) {
		cleanup_free char *c = cap_canon(*a);

		if (!c || strcmp(c, "ALL") == 0) {
			r = hr_fail(err, 0, "--cap-add `%s`: %s", *a,
				    c ? "ALL would loosen the bundle" : "unknown capability");
			break;
		}
		if (!strarr_has(bounding, c)) {
			r = hr_fail(err, 0, "--cap-add `%s`: not in the bundle's bounding set", *a);
			break;
		}
		for (size_t i = 0; i < 3; i++) {
			json_t *set = json_object_get(caps, cap_sets[i]);

			if (!json_is_array(set)) {
				set = json_array();
				json_object_set_new(caps, cap_sets[i], set);
			}
			if (!strarr_has(set, c))
				json_array_append_new(set, json_string(c));
		}
	}
	json_decref(bounding);
	return r;
}

static int tighten_user(json_t *proc, const char *arg, struct hr_err **err)
{
	json_t *user = obj_child(proc, "user");
	cleanup_free char *u = xstrdup(arg);
	char *colon = strchr(u, ':');
	uint32_t uid, gid;
	int64_t cur = int_or(user, "uid", 0);

	if (colon)
		*colon = '\0';
	if (hr_parse_u32(u, &uid) < 0 || (colon && hr_parse_u32(colon + 1, &gid) < 0))
		return hr_fail(err, 0, "--user `%s`: expected numeric UID[:GID]", arg);
	if (uid == 0 && cur != 0)
		return hr_fail(err, 0, "--user `%s`: the bundle runs as uid %lld; --user cannot make it root", arg,
			       (long long)cur);
	json_object_set_new(user, "uid", json_integer(uid));
	if (colon) {
		if (gid == 0 && int_or(user, "gid", 0) != 0)
			return hr_fail(err, 0, "--user `%s`: the bundle runs as gid %lld; --user cannot make it gid 0",
				       arg, (long long)int_or(user, "gid", 0));
		json_object_set_new(user, "gid", json_integer(gid));
	}
	return 0;
}

static int add_env(json_t *proc, const char *kv, struct hr_err **err)
{
	const char *eq = strchr(kv, '=');
	json_t *env = json_object_get(proc, "env");
	size_t klen;

	if (!eq || eq == kv)
		return hr_fail(err, 0, "--env `%s`: expected KEY=VALUE", kv);
	klen = (size_t)(eq - kv) + 1;
	if (!json_is_array(env)) {
		env = json_array();
		json_object_set_new(proc, "env", env);
	}
	for (size_t i = 0; i < json_array_size(env); i++) {
		const char *e = json_string_value(json_array_get(env, i));

		if (e && strncmp(e, kv, klen) == 0) {
			json_array_set_new(env, i, json_string(kv));
			return 0;
		}
	}
	json_array_append_new(env, json_string(kv));
	return 0;
}

static json_t *mounts_of(json_t *config)
{
	json_t *m = json_object_get(config, "mounts");

	if (!json_is_array(m)) {
		m = json_array();
		json_object_set_new(config, "mounts", m);
	}
	return m;
}

static int add_volume(json_t *config, const char *arg, struct hr_err **err)
{
	cleanup_free char *s = xstrdup(arg);
	char *dst = strchr(s, ':'), *mode;
	json_t *opts;

	if (!dst)
		return hr_fail(err, 0, "--volume `%s`: expected SRC:DST[:ro|rw]", arg);
	*dst++ = '\0';
	mode = strchr(dst, ':');
	if (mode)
		*mode++ = '\0';
	if (!hr_path_is_clean_abs(s))
		return hr_fail(err, 0, "--volume `%s`: source must be an absolute path without `..`", arg);
	if (!hr_path_is_clean_abs(dst) || strcmp(dst, "/") == 0)
		return hr_fail(err, 0, "--volume `%s`: destination must be an absolute path below / without `..`", arg);
	if (mode && strcmp(mode, "ro") != 0 && strcmp(mode, "rw") != 0)
		return hr_fail(err, 0, "--volume `%s`: mode `%s` is not ro or rw", arg, mode);
	/* binds never carry setuid binaries or device nodes into the container */
	opts = json_pack("[s,s,s]", "rbind", "nosuid", "nodev");
	if (mode && strcmp(mode, "ro") == 0)
		json_array_append_new(opts, json_string("ro"));
	json_array_append_new(mounts_of(config), json_pack("{s:s, s:s, s:s, s:o}", "destination", dst, "type", "bind",
							   "source", s, "options", opts));
	return 0;
}

static int add_tmpfs(json_t *config, const char *arg, struct hr_err **err)
{
	static const char *const loosening[] = {"exec", "suid", "dev"};
	cleanup_free char *s = xstrdup(arg);
	char *opt = strchr(s, ':'), *save = NULL;
	json_t *opts = json_pack("[s,s,s]", "nosuid", "nodev", "noexec");

	if (opt)
		*opt++ = '\0';
	if (!hr_path_is_clean_abs(s) || strcmp(s, "/") == 0) {
		json_decref(opts);
		return hr_fail(err, 0, "--tmpfs `%s`: destination must be an absolute path below / without `..`", arg);
	}
	for (char *t = opt ? strtok_r(opt, ",", &save) : NULL; t; t = strtok_r(NULL, ",", &save)) {
		for (size_t i = 0; i < HR_ARRAY_SIZE(loosening); i++)
			if (strcmp(t, loosening[i]) == 0) {
				json_decref(opts);
				return hr_fail(err, 0, "--tmpfs `%s`: option `%s` would loosen the mount", arg, t);
			}
		json_array_append_new(opts, json_string(t));
	}
	json_array_append_new(mounts_of(config), json_pack("{s:s, s:s, s:s, s:o}", "destination", s, "type", "tmpfs",
							   "source", "tmpfs", "options", opts));
	return 0;
}

static bool has_namespace(json_t *config, const char *type)
{
	size_t i;
	json_t *v;

	json_array_foreach(json_object_get(json_object_get(config, "linux"), "namespaces"), i, v)
	{
		const char *t = json_string_value(json_object_get(v, "type"));

		if (t && strcmp(t, type) == 0 && !json_object_get(v, "path"))
			return true;
	}
	return false;
}

static int tighten_resources(json_t *config, const struct hr_launch_opts *o, struct hr_err **err)
{
	json_t *res = obj_child(obj_child(config, "linux"), "resources");
	char arg[32];

	if (o->has_memory || o->has_memory_swap) {
		json_t *mem = obj_child(res, "memory");
		int64_t limit = o->has_memory ? (int64_t)o->memory : int_or(mem, "limit", 0);

		if (o->has_memory) {
			snprintf(arg, sizeof(arg), "%llu", (unsigned long long)o->memory);
			if (tighten_limit(mem, "limit", "linux.resources.memory.limit", "--memory", arg, limit, err) <
			    0)
				return -1;
		}
		if (o->has_memory_swap && limit > 0 && (int64_t)o->memory_swap < limit)
			return hr_fail(err, 0, "--memory-swap `%llu`: below the memory limit (%lld)",
				       (unsigned long long)o->memory_swap, (long long)limit);
		/* no --memory-swap: no swap at all (DESIGN: swap equal to memory) */
		snprintf(arg, sizeof(arg), "%llu",
			 (unsigned long long)(o->has_memory_swap ? o->memory_swap : (uint64_t)limit));
		if (limit > 0 && tighten_limit(mem, "swap", "linux.resources.memory.swap", "--memory-swap", arg,
					       o->has_memory_swap ? (int64_t)o->memory_swap : limit, err) < 0)
			return -1;
	}
	if (o->has_cpus) {
		json_t *cpu = obj_child(res, "cpu");
		int64_t period = int_or(cpu, "period", 0) > 0 ? int_or(cpu, "period", 0) : 100000;
		int64_t quota = (int64_t)(o->cpus_milli * (uint64_t)period / 1000);
		int64_t cur = int_or(cpu, "quota", 0);

		if (quota <= 0)
			return hr_fail(err, 0, "--cpus: too small for a cpu period of %lld us", (long long)period);
		if (cur > 0 && quota > cur)
			return hr_fail(err, 0,
				       "--cpus `%llu.%03llu`: looser than the bundle's linux.resources.cpu.quota "
				       "(%lld of %lld)",
				       (unsigned long long)(o->cpus_milli / 1000),
				       (unsigned long long)(o->cpus_milli % 1000), (long long)cur, (long long)period);
		json_object_set_new(cpu, "quota", json_integer(quota));
		json_object_set_new(cpu, "period", json_integer(period));
	}
	if (o->has_cpu_shares) {
		snprintf(arg, sizeof(arg), "%llu", (unsigned long long)o->cpu_shares);
		if (tighten_limit(obj_child(res, "cpu"), "shares", "linux.resources.cpu.shares", "--cpu-shares", arg,
				  (int64_t)o->cpu_shares, err) < 0)
			return -1;
	}
	if (o->has_pids) {
		snprintf(arg, sizeof(arg), "%lld", (long long)o->pids);
		if (o->pids <= 0)
			return hr_fail(err, 0, "--pids-limit `%s`: must be positive", arg);
		if (tighten_limit(obj_child(res, "pids"), "limit", "linux.resources.pids.limit", "--pids-limit", arg,
				  o->pids, err) < 0)
			return -1;
	}
	return 0;
}

int hr_launch_tighten(json_t *config, const struct hr_launch_opts *o, struct hr_err **err)
{
	json_t *proc = json_object_get(config, "process");

	if (!json_is_object(config) || !json_is_object(proc))
		return hr_fail(err, 0, "config.json: process: required by hardrun");
	if (tighten_resources(config, o, err) < 0)
		return -1;
	for (char **u = o->ulimits; u && *u; u++)
		if (tighten_ulimit(proc, *u, err) < 0)
			return -1;
	if ((o->cap_drop || o->cap_add) && tighten_caps(proc, o, err) < 0)
		return -1;
	if (o->read_only)
		json_object_set_new(obj_child(config, "root"), "readonly", json_true());
	if (o->user && tighten_user(proc, o->user, err) < 0)
		return -1;
	for (char **e = o->env; e && *e; e++)
		if (add_env(proc, *e, err) < 0)
			return -1;
	for (char **v = o->volumes; v && *v; v++)
		if (add_volume(config, *v, err) < 0)
			return -1;
	for (char **t = o->tmpfs; t && *t; t++)
		if (add_tmpfs(config, *t, err) < 0)
			return -1;
	if (o->hostname) {
		if (!has_namespace(config, "uts"))
			return hr_fail(err, 0, "--hostname `%s`: the bundle has no UTS namespace of its own",
				       o->hostname);
		json_object_set_new(config, "hostname", json_string(o->hostname));
	}
	if (o->seccomp) {
		json_t *lnx = obj_child(config, "linux");

		/* one filter per container: stacking the bundle's and the profile's is not implemented */
		if (json_object_get(lnx, "seccomp"))
			return hr_fail(err, 0, "--seccomp-profile: the bundle has its own linux.seccomp");
		json_object_set(lnx, "seccomp", o->seccomp);
	}
	return 0;
}

json_t *hr_launch_rootfs_config(const char *rootfs, char *const *argv)
{
	json_t *c = hr_spec_default_json();
	json_t *proc = json_object_get(c, "process");
	json_t *args = json_array();

	for (char *const *a = argv; *a; a++)
		json_array_append_new(args, json_string(*a));
	json_object_set_new(proc, "args", args);
	json_object_set_new(proc, "terminal", json_false());
	json_object_set_new(json_object_get(c, "root"), "path", json_string(rootfs));
	return c;
}

/* ---- log driver options and record formats ---- */

int hr_log_driver_parse(const char *s, enum hr_log_driver *out, struct hr_err **err)
{
	if (strcmp(s, "json-file") == 0)
		*out = HR_LOGDRV_JSON_FILE;
	else if (strcmp(s, "syslog") == 0)
		*out = HR_LOGDRV_SYSLOG;
	else if (strcmp(s, "none") == 0)
		*out = HR_LOGDRV_NONE;
	else
		return hr_fail(err, 0, "--log-driver: `%s` is not json-file, syslog or none", s);
	return 0;
}

static const struct {
	const char *name;
	int code;
} facilities[] = {
	{"kern", 0},	  {"user", 1},	  {"mail", 2},	  {"daemon", 3},  {"auth", 4},
	{"syslog", 5},	  {"lpr", 6},	  {"news", 7},	  {"uucp", 8},	  {"cron", 9},
	{"authpriv", 10}, {"ftp", 11},	  {"local0", 16}, {"local1", 17}, {"local2", 18},
	{"local3", 19},	  {"local4", 20}, {"local5", 21}, {"local6", 22}, {"local7", 23},
};

int hr_syslog_facility(const char *name)
{
	for (size_t i = 0; i < HR_ARRAY_SIZE(facilities); i++)
		if (strcmp(name, facilities[i].name) == 0)
			return facilities[i].code;
	return -1;
}

int hr_log_opts_parse(const char *s, struct hr_log_opts *o, struct hr_err **err)
{
	cleanup_free char *copy = xstrdup(s);
	char *save = NULL;

	for (char *kv = strtok_r(copy, ",", &save); kv; kv = strtok_r(NULL, ",", &save)) {
		char *v = strchr(kv, '=');
		uint32_t n;

		if (!v)
			return hr_fail(err, 0, "--log-opt `%s`: expected KEY=VALUE", kv);
		*v++ = '\0';
		if (strcmp(kv, "max-size") == 0) {
			if (hr_parse_size(v, &o->max_size) < 0 || o->max_size == 0)
				return hr_fail(err, 0, "--log-opt max-size: `%s` is not a size like 10m", v);
		} else if (strcmp(kv, "max-file") == 0) {
			if (hr_parse_u32(v, &n) < 0 || n == 0 || n > 1000)
				return hr_fail(err, 0, "--log-opt max-file: `%s` is not a number from 1 to 1000", v);
			o->max_file = n;
		} else if (strcmp(kv, "tag") == 0) {
			if (!*v || strlen(v) > 64)
				return hr_fail(err, 0, "--log-opt tag: must be 1 to 64 characters");
			for (const char *p = v; *p; p++)
				if (!isgraph((unsigned char)*p) || *p == '[' || *p == ':')
					return hr_fail(err, 0,
						       "--log-opt tag `%s`: only printable characters, no "
						       "space, `[` or `:`",
						       v);
			free(o->tag);
			o->tag = xstrdup(v);
		} else if (strcmp(kv, "syslog-facility") == 0) {
			o->facility = hr_syslog_facility(v);
			if (o->facility < 0)
				return hr_fail(err, 0, "--log-opt syslog-facility: unknown facility `%s`", v);
		} else if (strcmp(kv, "syslog-address") == 0) {
			if (!hr_str_has_prefix(v, "unix://") || v[7] != '/')
				return hr_fail(err, 0, "--log-opt syslog-address `%s`: only unix:///PATH is supported",
					       v);
			free(o->address);
			o->address = xstrdup(v + 7);
		} else {
			return hr_fail(err, 0, "--log-opt: unknown option `%s`", kv);
		}
	}
	return 0;
}

void hr_log_opts_free(struct hr_log_opts *o)
{
	free(o->tag);
	free(o->address);
	o->tag = o->address = NULL;
}

/* Replace each byte that does not start or continue a well-formed UTF-8 sequence with '?' (all >= 0x80 with all). */
static void utf8_scrub(char *p, size_t len, bool all)
{
	for (size_t i = 0; i < len;) {
		unsigned char c = (unsigned char)p[i];
		size_t n = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 : (c & 0xf8) == 0xf0 ? 4 : 0;
		bool ok = n > 0 && i + n <= len && !(all && n > 1);

		for (size_t k = 1; ok && k < n; k++)
			ok = ((unsigned char)p[i + k] & 0xc0) == 0x80;
		if (!ok) {
			p[i++] = '?';
			continue;
		}
		i += n;
	}
}

char *hr_logline_json(const char *stream, const char *data, size_t len, const char *time_rfc3339)
{
	json_t *o = json_object();
	json_t *log = json_stringn(data, len);
	char *s, *line;

	/* a JSON string is UTF-8: bytes that are not (a binary workload) become '?', the line is kept */
	for (int pass = 0; !log && pass < 2; pass++) {
		cleanup_free char *clean = xmalloc(len + 1);

		memcpy(clean, data, len);
		utf8_scrub(clean, len, pass == 1);
		log = json_stringn(clean, len);
	}
	/* docker's key order; jansson keeps insertion order */
	json_object_set_new(o, "log", log ? log : json_string(""));
	json_object_set_new(o, "stream", json_string(stream));
	json_object_set_new(o, "time", json_string(time_rfc3339));
	s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	line = xasprintf("%s\n", s ? s : "{}");
	free(s);
	return line;
}

char *hr_syslog_line(int facility, int severity, long epoch_s, const char *tag, int pid, const char *msg, size_t len)
{
	time_t t = (time_t)epoch_s;
	struct tm tm;
	char ts[32];

	gmtime_r(&t, &tm);
	strftime(ts, sizeof(ts), "%b %e %H:%M:%S", &tm);
	return xasprintf("<%d>%s %s[%d]: %.*s", facility * 8 + severity, ts, tag, pid, (int)len, msg);
}

static const char *const event_names[HR_EV_COUNT] = {
	[HR_EV_CREATE] = "create",   [HR_EV_START] = "start",	  [HR_EV_EXIT] = "exit",
	[HR_EV_OOM] = "oom",	     [HR_EV_RESTART] = "restart", [HR_EV_GIVE_UP] = "give-up",
	[HR_EV_TAINTED] = "tainted", [HR_EV_REFUSED] = "refused", [HR_EV_LIMIT] = "limit",
};

const char *hr_event_kind_name(enum hr_event_kind k)
{
	return (unsigned)k < HR_EV_COUNT ? event_names[k] : "?";
}

int hr_event_mask_parse(const char *s, unsigned *mask, struct hr_err **err)
{
	cleanup_free char *copy = xstrdup(s);
	char *save = NULL;

	*mask = 0;
	for (char *k = strtok_r(copy, ",", &save); k; k = strtok_r(NULL, ",", &save)) {
		int found = -1;

		if (strcmp(k, "all") == 0) {
			*mask = (1U << HR_EV_COUNT) - 1;
			continue;
		}
		for (int i = 0; i < HR_EV_COUNT; i++)
			if (strcmp(k, event_names[i]) == 0)
				found = i;
		if (found < 0)
			return hr_fail(err, 0, "--notify-on: unknown event `%s`", k);
		*mask |= 1U << found;
	}
	if (*mask == 0)
		return hr_fail(err, 0, "--notify-on: no event named");
	return 0;
}

char *hr_event_json(enum hr_event_kind k, const char *name, const char *time_rfc3339, json_t *fields)
{
	json_t *o = json_pack("{s:s, s:s, s:s}", "time", time_rfc3339, "name", name, "type", hr_event_kind_name(k));
	const char *key;
	json_t *v;
	char *s;

	json_object_foreach(fields, key, v)
	{
		json_object_set(o, key, v);
	}
	s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	return s ? s : xstrdup("{}");
}

bool hr_alert_check(struct hr_alert *a, double pct)
{
	if (a->threshold <= 0 || isnan(pct))
		return false;
	if (pct < a->threshold) {
		a->fired = false;
		return false;
	}
	if (a->fired)
		return false;
	a->fired = true;
	return true;
}
