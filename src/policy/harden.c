/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The harden stage (see harden.h): one function per row of DESIGN.md's
 * table of secure defaults, each editing the config JSON and recording
 * its decision.  Refusals come first, so a refused container is refused
 * for the first reason a reader of the config would see.  Works on JSON
 * and not on struct hr_spec so that the result is an ordinary config.json
 * the parser and validator check again, and the state dir stores.  No
 * kernel calls; host facts come in struct hr_harden_ctx.
 */
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hardrun/harden.h"
#include "hardrun/spec.h"
#include "hardrun/strutil.h"

static const char *const action_names[] = {"kept", "tightened", "added", "refused"};

const char *hr_decision_action_name(enum hr_decision_action a)
{
	return (unsigned)a < HR_ARRAY_SIZE(action_names) ? action_names[a] : "?";
}

void hr_decisions_clear(struct hr_decisions *d)
{
	for (size_t i = 0; i < d->n; i++) {
		free(d->v[i].control);
		free(d->v[i].detail);
	}
	free(d->v);
	d->v = NULL;
	d->n = 0;
}

json_t *hr_decisions_json(const struct hr_decisions *d)
{
	json_t *a = json_array();

	for (size_t i = 0; i < d->n; i++)
		json_array_append_new(a, json_pack("{s:s, s:s, s:s}", "control", d->v[i].control, "action",
						   hr_decision_action_name(d->v[i].action), "detail", d->v[i].detail));
	return a;
}

struct hctx {
	const struct hr_policy *p;
	const struct hr_harden_ctx *c;
	json_t *cfg;
	const char *name; /* container name for exemption globs, may be NULL */
	json_t *ann;	  /* config annotations (borrowed, may be NULL) */
	struct hr_decisions *out;
	struct hr_err **err;
};

static void decide(struct hctx *h, const char *control, enum hr_decision_action a, const char *fmt, ...)
	HR_PRINTF(4, 5);

static void decide(struct hctx *h, const char *control, enum hr_decision_action a, const char *fmt, ...)
{
	struct hr_decision *d;
	va_list ap;

	h->out->v = xrealloc(h->out->v, (h->out->n + 1) * sizeof(*h->out->v));
	d = &h->out->v[h->out->n++];
	d->control = xstrdup(control);
	d->action = a;
	va_start(ap, fmt);
	d->detail = xvasprintf(fmt, ap);
	va_end(ap);
}

/* Record a refusal and fail with its one line. */
static int refuse(struct hctx *h, const char *control, const char *fmt, ...) HR_PRINTF(3, 4);

static int refuse(struct hctx *h, const char *control, const char *fmt, ...)
{
	cleanup_free char *detail = NULL;
	va_list ap;

	va_start(ap, fmt);
	detail = xvasprintf(fmt, ap);
	va_end(ap);
	decide(h, control, HR_DECISION_REFUSED, "%s", detail);
	if (control[0] >= '0' && control[0] <= '9')
		return hr_fail(h->err, 0, "refused by policy (CSVS %s): %s", control, detail);
	return hr_fail(h->err, 0, "refused by policy (%s): %s", control, detail);
}

/* A bundle value looser than the policy: fixed (tightened) below level 3, refused at on_violation refuse. */
static int tighten(struct hctx *h, const char *control, const char *fmt, ...) HR_PRINTF(3, 4);

static int tighten(struct hctx *h, const char *control, const char *fmt, ...)
{
	cleanup_free char *detail = NULL;
	va_list ap;

	va_start(ap, fmt);
	detail = xvasprintf(fmt, ap);
	va_end(ap);
	if (h->p->on_violation == HR_POLICY_REFUSE)
		return refuse(h, control, "%s", detail);
	decide(h, control, HR_DECISION_TIGHTENED, "%s", detail);
	return 0;
}

static bool exempt(struct hctx *h, const char *control)
{
	if (!hr_policy_exempt(h->p, control, h->c->id, h->name, h->ann))
		return false;
	decide(h, control, HR_DECISION_KEPT, "exempted by policy: the bundle's settings stay");
	return true;
}

/* obj[key] as an object, created when missing; NULL when it is there but not an object. */
static json_t *child(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);

	if (!v) {
		v = json_object();
		json_object_set_new(obj, key, v);
	}
	return json_is_object(v) ? v : NULL;
}

static int bad_type(struct hctx *h, const char *path, const char *what)
{
	return hr_fail(h->err, 0, "config.json: %s: expected %s", path, what);
}

static bool strv_has(json_t *arr, const char *s)
{
	size_t i;
	json_t *v;

	json_array_foreach(arr, i, v)
	{
		if (json_is_string(v) && strcmp(json_string_value(v), s) == 0)
			return true;
	}
	return false;
}

/* Remove every string equal to s from arr. */
static void strv_remove(json_t *arr, const char *s)
{
	for (size_t i = json_array_size(arr); i-- > 0;) {
		json_t *v = json_array_get(arr, i);

		if (json_is_string(v) && strcmp(json_string_value(v), s) == 0)
			json_array_remove(arr, i);
	}
}

/* "a, b, c" of a JSON string array; new string. */
static char *join(json_t *arr)
{
	char *s = xstrdup("");
	size_t i;
	json_t *v;

	json_array_foreach(arr, i, v)
	{
		char *t = xasprintf("%s%s%s", s, i ? ", " : "", json_string_value(v));

		free(s);
		s = t;
	}
	return s;
}

/* ---- paths (lexical; the runtime's resolver adds the view through symbolic links) ---- */

/* Clean an absolute path: no "//", ".", ".." (at / stays /), no trailing slash.  New string. */
static char *clean_path(const char *path)
{
	char *out = xmalloc(strlen(path) + 2);
	size_t n = 0;
	const char *p = path;

	out[n++] = '/';
	while (*p) {
		const char *e;
		size_t len;

		while (*p == '/')
			p++;
		e = strchrnul(p, '/');
		len = (size_t)(e - p);
		if (len == 0 || (len == 1 && p[0] == '.')) {
			/* nothing */
		} else if (len == 2 && p[0] == '.' && p[1] == '.') {
			while (n > 1 && out[n - 1] != '/')
				n--;
			if (n > 1)
				n--;
		} else {
			if (n > 1)
				out[n++] = '/';
			memcpy(out + n, p, len);
			n += len;
		}
		p = e;
	}
	out[n] = '\0';
	return out;
}

/* Whether a is b or a directory above b. */
static bool is_at_or_above(const char *a, const char *b)
{
	size_t n = strlen(a);

	if (strcmp(a, "/") == 0)
		return true;
	return strncmp(a, b, n) == 0 && (b[n] == '\0' || b[n] == '/');
}

static bool is_bind(json_t *m)
{
	const char *type = json_string_value(json_object_get(m, "type"));
	json_t *opts = json_object_get(m, "options");

	return (type && strcmp(type, "bind") == 0) || strv_has(opts, "bind") || strv_has(opts, "rbind");
}

/* The reason a (clean, absolute) bind source is refused by 3.15, or NULL. */
static const char *source_refused(const struct hr_policy *p, const char *src)
{
	const char *base = strrchr(src, '/') + 1;

	for (char **s = p->engine_sockets; *s; s++)
		if (strcmp(base, *s) == 0)
			return "engine socket";
	for (char **s = p->engine_paths; *s; s++)
		if (is_at_or_above(src, *s))
			return "engine path";
	for (char **s = p->sensitive_paths; *s; s++)
		if (is_at_or_above(src, *s))
			return "sensitive host path";
	return NULL;
}

/* ---- rows ---- */

static int row_restart(struct hctx *h)
{
	const struct hr_policy *p = h->p;
	int64_t since = h->c->now - p->restart_window_seconds;
	size_t n = 0, quick = 0;

	if (h->c->tainted && !p->restart_tainted && !exempt(h, "3.10"))
		return refuse(h, "3.10", "container `%s` was tainted by exec%s%s%s", h->c->id,
			      h->c->tainted_time ? " (" : "", h->c->tainted_time ? h->c->tainted_time : "",
			      h->c->tainted_time ? ")" : "");
	if (p->restart_max_failures <= 0)
		return 0;
	for (size_t i = 0; i < h->c->n_failures; i++)
		n += h->c->failure_times[i] > since;
	for (size_t i = 0; i < h->c->n_restarts; i++)
		quick += h->c->restart_times[i] > since;
	/* say what was counted: failures where the exit status was known, quick restarts where it was not */
	if (n + quick >= (size_t)p->restart_max_failures && !exempt(h, "restart")) {
		if (quick == 0)
			return refuse(h, "restart", "container `%s` failed %zu times in the last %" PRId64 " s",
				      h->c->id, n, p->restart_window_seconds);
		if (n == 0)
			return refuse(h, "restart",
				      "container `%s` restarted %zu times in the last %" PRId64
				      " s, each run shorter than %d s (exit status unknown to hardrun)",
				      h->c->id, quick, p->restart_window_seconds, HR_HARDEN_QUICK_SECONDS);
		return refuse(h, "restart",
			      "container `%s` restarted %zu times in the last %" PRId64
			      " s: %zu failed, %zu shorter than %d s with an exit status unknown to hardrun",
			      h->c->id, n + quick, p->restart_window_seconds, n, quick, HR_HARDEN_QUICK_SECONDS);
	}
	if (n && !quick)
		decide(h, "restart", HR_DECISION_KEPT, "%zu failed exits in the last %" PRId64 " s, cap %d", n,
		       p->restart_window_seconds, p->restart_max_failures);
	else if (n || quick)
		decide(h, "restart", HR_DECISION_KEPT,
		       "%zu failed exits and %zu runs shorter than %d s of unknown status in the last %" PRId64
		       " s, cap %d",
		       n, quick, HR_HARDEN_QUICK_SECONDS, p->restart_window_seconds, p->restart_max_failures);
	return 0;
}

static int row_privileged(struct hctx *h)
{
	static const char *const sets[] = {"bounding", "effective", "permitted"};
	json_t *caps = json_object_get(json_object_get(h->cfg, "process"), "capabilities");
	json_t *lnx = json_object_get(h->cfg, "linux");
	json_t *devs = json_object_get(json_object_get(lnx, "resources"), "devices");
	json_t *mounts = json_object_get(h->cfg, "mounts"), *v;
	size_t i;

	if (!h->p->refuse_privileged || exempt(h, "3.1"))
		return 0;
	for (size_t s = 0; s < HR_ARRAY_SIZE(sets); s++) {
		json_t *list = json_object_get(caps, sets[s]);
		size_t known = 0, named = 0;

		if (strv_has(list, "CAP_SYS_ADMIN"))
			return refuse(h, "3.1", "privileged configuration: CAP_SYS_ADMIN in process.capabilities.%s",
				      sets[s]);
		for (int c = 0; c <= hr_cap_last(); c++) {
			named += hr_cap_name(c) != NULL;
			known += hr_cap_name(c) && strv_has(list, hr_cap_name(c));
		}
		if (known > 0 && known == named)
			return refuse(h, "3.1", "privileged configuration: every capability in process.capabilities.%s",
				      sets[s]);
	}
	json_array_foreach(devs, i, v)
	{
		const char *type = json_string_value(json_object_get(v, "type"));
		const char *access = json_string_value(json_object_get(v, "access"));

		if (json_is_true(json_object_get(v, "allow")) && (!type || strcmp(type, "a") == 0) &&
		    !json_object_get(v, "major") && !json_object_get(v, "minor") && (!access || strchr(access, 'w')) &&
		    !json_object_get(lnx, "seccomp"))
			return refuse(h, "3.1", "privileged configuration: every device allowed and no seccomp filter");
	}
	json_array_foreach(mounts, i, v)
	{
		const char *dest = json_string_value(json_object_get(v, "destination"));
		json_t *opts = json_object_get(v, "options");
		cleanup_free char *clean = dest && dest[0] == '/' ? clean_path(dest) : NULL;

		if (clean && strcmp(clean, "/sys") == 0 && !strv_has(opts, "ro") && !strv_has(opts, "rro"))
			return refuse(h, "3.1", "privileged configuration: /sys mounted writable");
	}
	return 0;
}

static int row_host_namespaces(struct hctx *h)
{
	static const char *const types[] = {"pid", "network", "ipc", "uts"};
	static const char *const proc[] = {"pid", "net", "ipc", "uts"};
	json_t *nss = json_object_get(json_object_get(h->cfg, "linux"), "namespaces");

	if (!h->p->refuse_host_namespaces || exempt(h, "3.1"))
		return 0;
	for (size_t t = 0; t < HR_ARRAY_SIZE(types); t++) {
		json_t *found = NULL, *v;
		const char *path;
		size_t i;

		json_array_foreach(nss, i, v)
		{
			const char *type = json_string_value(json_object_get(v, "type"));

			if (type && strcmp(type, types[t]) == 0)
				found = v;
		}
		if (!found)
			return refuse(h, "3.1", "host %s namespace: not in linux.namespaces", types[t]);
		path = json_string_value(json_object_get(found, "path"));
		if (path) {
			cleanup_free char *clean = path[0] == '/' ? clean_path(path) : NULL;
			cleanup_free char *p1 = xasprintf("/proc/1/ns/%s", proc[t]);
			cleanup_free char *ps = xasprintf("/proc/self/ns/%s", proc[t]);

			if (clean && (strcmp(clean, p1) == 0 || strcmp(clean, ps) == 0))
				return refuse(h, "3.1", "host %s namespace: joins %s", types[t], path);
		}
	}
	return 0;
}

static int row_root_user(struct hctx *h)
{
	json_t *user = json_object_get(json_object_get(h->cfg, "process"), "user");
	json_t *uid = json_object_get(user, "uid");

	if (!h->p->refuse_root_user || exempt(h, "3.3"))
		return 0;
	if (!uid || (json_is_integer(uid) && json_integer_value(uid) == 0))
		return refuse(h, "3.3", "the workload runs as uid 0 (process.user.uid)");
	decide(h, "3.3", HR_DECISION_KEPT, "process.user.uid %" JSON_INTEGER_FORMAT, json_integer_value(uid));
	return 0;
}

static int row_binds(struct hctx *h)
{
	json_t *mounts = json_object_get(h->cfg, "mounts"), *m;
	bool monitor = hr_policy_is_monitor(h->p, h->c->id, h->name);
	bool is_exempt = false, checked = false;
	size_t i;

	json_array_foreach(mounts, i, m)
	{
		const char *src = json_string_value(json_object_get(m, "source"));
		cleanup_free char *abs = NULL;
		cleanup_free char *clean = NULL;
		cleanup_free char *resolved = NULL;
		const char *why;
		json_t *opts;

		if (!is_bind(m) || !src)
			continue;
		if (!checked) {
			checked = true;
			is_exempt = exempt(h, "3.15");
		}
		if (is_exempt)
			return 0;
		abs = src[0] == '/' ? xstrdup(src) : hr_path_join(h->c->bundle ? h->c->bundle : "/", src);
		clean = clean_path(abs);
		why = source_refused(h->p, clean);
		if (!why && h->c->resolve_source) {
			resolved = h->c->resolve_source(h->c->arg, clean);
			if (resolved && resolved[0] == '/') {
				char *r = clean_path(resolved);

				free(resolved);
				resolved = r;
				why = source_refused(h->p, resolved);
			}
		}
		if (!why)
			continue;
		if (!monitor)
			return refuse(h, "3.15", "bind mount of %s", src);
		opts = json_object_get(m, "options");
		if (!opts) {
			opts = json_array();
			json_object_set_new(m, "options", opts);
		}
		if (!json_is_array(opts))
			return bad_type(h, "mounts[].options", "an array");
		if (strv_has(opts, "ro") && !strv_has(opts, "rw")) {
			decide(h, "3.15", HR_DECISION_KEPT, "bind mount of %s, read-only, for a monitor", src);
			continue;
		}
		strv_remove(opts, "rw");
		json_array_append_new(opts, json_string("ro"));
		decide(h, "3.15", HR_DECISION_TIGHTENED, "bind mount of %s made read-only for a monitor", src);
	}
	return 0;
}

static int row_nnp(struct hctx *h)
{
	json_t *proc = json_object_get(h->cfg, "process");

	if (!h->p->no_new_privileges || exempt(h, "3.1"))
		return 0;
	if (json_is_true(json_object_get(proc, "noNewPrivileges"))) {
		decide(h, "3.1", HR_DECISION_KEPT, "process.noNewPrivileges is true");
		return 0;
	}
	if (tighten(h, "3.1", "process.noNewPrivileges set to true") < 0)
		return -1;
	json_object_set_new(proc, "noNewPrivileges", json_true());
	return 0;
}

static json_t *allow_list(const struct hr_policy *p)
{
	json_t *a = json_array();

	for (int c = 0; c < 64; c++)
		if ((p->caps_allow >> c) & 1)
			json_array_append_new(a, json_string(hr_cap_name(c)));
	return a;
}

static int cut_caps(struct hctx *h, json_t *proc, const char *where)
{
	static const char *const sets[] = {"bounding", "effective", "permitted"};
	json_t *caps = json_object_get(proc, "capabilities");
	json_t *dropped = json_array();
	cleanup_free char *list = NULL;
	int r = 0;

	if (!caps) {
		json_object_set_new(proc, "capabilities",
				    json_pack("{s:o, s:o, s:o}", "bounding", allow_list(h->p), "effective",
					      allow_list(h->p), "permitted", allow_list(h->p)));
		decide(h, "3.5", HR_DECISION_ADDED, "%s.capabilities: the policy's allowlist", where);
		json_decref(dropped);
		return 0;
	}
	if (!json_is_object(caps)) {
		json_decref(dropped);
		return bad_type(h, "process.capabilities", "an object");
	}
	for (size_t s = 0; s < HR_ARRAY_SIZE(sets); s++) {
		json_t *l = json_object_get(caps, sets[s]);

		for (size_t i = json_array_size(l); i-- > 0;) {
			const char *name = json_string_value(json_array_get(l, i));
			int c = name ? hr_cap_from_name(name) : -1;

			if (c >= 0 && ((h->p->caps_allow >> c) & 1))
				continue;
			if (name && !strv_has(dropped, name))
				json_array_append_new(dropped, json_string(name));
			json_array_remove(l, i);
		}
	}
	if (json_array_size(dropped)) {
		list = join(dropped);
		r = tighten(h, "3.5", "%s.capabilities: dropped %s", where, list);
	} else {
		decide(h, "3.5", HR_DECISION_KEPT, "%s.capabilities within the allowlist", where);
	}
	json_decref(dropped);
	if (r < 0)
		return -1;
	if (!h->p->caps_inheritable && json_array_size(json_object_get(caps, "inheritable"))) {
		if (tighten(h, "3.5", "%s.capabilities.inheritable emptied", where) < 0)
			return -1;
		json_object_set_new(caps, "inheritable", json_array());
	}
	if (!h->p->caps_ambient && json_array_size(json_object_get(caps, "ambient"))) {
		if (tighten(h, "3.5", "%s.capabilities.ambient emptied", where) < 0)
			return -1;
		json_object_set_new(caps, "ambient", json_array());
	}
	return 0;
}

static int row_caps(struct hctx *h)
{
	json_t *proc = json_object_get(h->cfg, "process");

	if (!h->p->caps_enforce || !json_is_object(proc) || exempt(h, "3.5"))
		return 0;
	return cut_caps(h, proc, "process");
}

static bool has_namespace(json_t *cfg, const char *type)
{
	json_t *nss = json_object_get(json_object_get(cfg, "linux"), "namespaces"), *v;
	size_t i;

	json_array_foreach(nss, i, v)
	{
		const char *t = json_string_value(json_object_get(v, "type"));

		if (t && strcmp(t, type) == 0)
			return true;
	}
	return false;
}

static void set_annotation(struct hctx *h, const char *key, const char *value)
{
	json_t *ann = json_object_get(h->cfg, "annotations");

	if (!json_is_object(ann)) {
		ann = json_object();
		json_object_set_new(h->cfg, "annotations", ann);
		h->ann = ann;
	}
	json_object_set_new(ann, key, json_string(value));
}

/*
 * dockerd asks for net.ipv4.ping_group_range "0 2147483647" in every
 * container; in the user namespace the policy adds, the kernel refuses gids
 * it does not map.  The range shrinks to the mapped gids: the same groups
 * inside, nothing more.
 */
static void clamp_ping_group_range(struct hctx *h, json_t *lnx)
{
	json_t *v = json_object_get(json_object_get(lnx, "sysctl"), "net.ipv4.ping_group_range");
	unsigned long lo, hi, max = HR_USERNS_RANGE - 1;
	char *end;
	char buf[64];

	if (!json_is_string(v))
		return;
	errno = 0;
	lo = strtoul(json_string_value(v), &end, 10);
	hi = strtoul(end, &end, 10);
	if (errno || *end != '\0' || lo > hi || hi <= max)
		return; /* malformed values are the kernel's to refuse; ranges inside the map stay */
	if (lo > max)
		lo = max;
	snprintf(buf, sizeof(buf), "%lu %lu", lo, max);
	decide(h, "3.2", HR_DECISION_TIGHTENED, "sysctl net.ipv4.ping_group_range: \"%s\" -> \"%s\", the mapped gids",
	       json_string_value(v), buf);
	json_object_set_new(json_object_get(lnx, "sysctl"), "net.ipv4.ping_group_range", json_string(buf));
}

static int row_userns(struct hctx *h)
{
	json_t *lnx, *nss, *map;
	uint32_t b = h->c->userns_base;

	if (!h->p->userns)
		return 0;
	if (has_namespace(h->cfg, "user")) {
		decide(h, "3.2", HR_DECISION_KEPT, "the bundle's user namespace");
		return 0;
	}
	if (exempt(h, "3.2"))
		return 0;
	if (h->c->defer_userns) {
		decide(h, "3.2", HR_DECISION_KEPT, "user namespace: added at create, with a range from the id pool");
		return 0;
	}
	if (!h->c->has_userns_base)
		return hr_fail(h->err, 0, "harden: no user-namespace id range was acquired");
	lnx = child(h->cfg, "linux");
	if (!lnx)
		return bad_type(h, "linux", "an object");
	nss = json_object_get(lnx, "namespaces");
	if (!json_is_array(nss))
		return bad_type(h, "linux.namespaces", "an array");
	json_array_append_new(nss, json_pack("{s:s}", "type", "user"));
	map = json_pack("[{s:i, s:I, s:i}]", "containerID", 0, "hostID", (json_int_t)b, "size", (int)HR_USERNS_RANGE);
	json_object_set_new(lnx, "uidMappings", json_deep_copy(map));
	json_object_set_new(lnx, "gidMappings", map);
	set_annotation(h, HR_ANN_ROOTFS_IDMAP, "true");
	set_annotation(h, HR_ANN_ROOTFS_IDMAP_FALLBACK,
		       h->p->userns_unmapped == HR_UNMAPPED_ALLOW ? "unmapped" : "refuse");
	decide(h, "3.2", HR_DECISION_ADDED, "user namespace: container ids 0-65535 on host ids %" PRIu32 "-%" PRIu32, b,
	       b + HR_USERNS_RANGE - 1);
	clamp_ping_group_range(h, lnx);
	return 0;
}

static bool mounted_at(json_t *mounts, const char *path)
{
	json_t *m;
	size_t i;

	json_array_foreach(mounts, i, m)
	{
		const char *d = json_string_value(json_object_get(m, "destination"));
		cleanup_free char *clean = d && d[0] == '/' ? clean_path(d) : NULL;

		if (clean && strcmp(clean, path) == 0)
			return true;
	}
	return false;
}

static int row_rootfs(struct hctx *h)
{
	json_t *root = json_object_get(h->cfg, "root"), *mounts;

	if (!h->p->rootfs_readonly || exempt(h, "3.9"))
		return 0;
	if (!json_is_object(root))
		return bad_type(h, "root", "an object");
	if (json_is_true(json_object_get(root, "readonly"))) {
		decide(h, "3.9", HR_DECISION_KEPT, "root.readonly is true");
	} else {
		if (tighten(h, "3.9", "root.readonly set to true") < 0)
			return -1;
		json_object_set_new(root, "readonly", json_true());
	}
	mounts = json_object_get(h->cfg, "mounts");
	if (!mounts) {
		mounts = json_array();
		json_object_set_new(h->cfg, "mounts", mounts);
	}
	if (!json_is_array(mounts))
		return bad_type(h, "mounts", "an array");
	for (char **t = h->p->tmpfs_paths; *t; t++) {
		cleanup_free char *size = NULL;

		if (mounted_at(mounts, *t)) {
			decide(h, "3.9", HR_DECISION_KEPT, "%s: the bundle's mount", *t);
			continue;
		}
		if (h->c->rootfs_has_dir && !h->c->rootfs_has_dir(h->c->arg, *t)) {
			decide(h, "3.9", HR_DECISION_KEPT, "%s: not in the image, no tmpfs", *t);
			continue;
		}
		size = xasprintf("size=%" PRIu64, h->p->tmpfs_size);
		json_array_append_new(mounts,
				      json_pack("{s:s, s:s, s:s, s:[s,s,s,s,s]}", "destination", *t, "type", "tmpfs",
						"source", "tmpfs", "options", "nosuid", "nodev", "noexec",
						strcmp(*t, "/run") == 0 ? "mode=755" : "mode=1777", size));
		decide(h, "3.9", HR_DECISION_ADDED, "tmpfs on %s (nosuid,nodev,noexec,%s)", *t, size);
	}
	return 0;
}

static int row_setuid(struct hctx *h)
{
	json_t *mounts = json_object_get(h->cfg, "mounts"), *m;
	json_t *changed = json_array();
	json_t *kernel_fs = json_array();
	cleanup_free char *list = NULL;
	size_t i;
	int r = 0;

	if ((!h->p->rootfs_nosuid_nodev && !h->p->mounts_nosuid_nodev) || exempt(h, "setuid")) {
		json_decref(changed);
		json_decref(kernel_fs);
		return 0;
	}
	if (h->p->rootfs_nosuid_nodev) {
		const char *have = json_string_value(json_object_get(h->ann, HR_ANN_ROOTFS_NOSUID));

		if (have && strcmp(have, "true") == 0) {
			decide(h, "setuid", HR_DECISION_KEPT, "rootfs: nosuid,nodev");
		} else {
			set_annotation(h, HR_ANN_ROOTFS_NOSUID, "true");
			decide(h, "setuid", HR_DECISION_ADDED, "rootfs: nosuid,nodev");
		}
	}
	json_array_foreach(mounts, i, m)
	{
		const char *dest = json_string_value(json_object_get(m, "destination"));
		/* device nodes live in /dev and /dev/pts: those keep dev */
		bool want_nodev = !dest || !(strcmp(dest, "/dev") == 0 || strcmp(dest, "/dev/pts") == 0);
		json_t *opts;

		if (!h->p->mounts_nosuid_nodev)
			continue;
		opts = json_object_get(m, "options");
		if (strv_has(opts, "nosuid") && !strv_has(opts, "suid") &&
		    (!want_nodev || (strv_has(opts, "nodev") && !strv_has(opts, "dev"))))
			continue;
		if (!json_is_array(opts)) {
			opts = json_array();
			json_object_set_new(m, "options", opts);
		}
		strv_remove(opts, "suid");
		if (!strv_has(opts, "nosuid"))
			json_array_append_new(opts, json_string("nosuid"));
		if (want_nodev) {
			strv_remove(opts, "dev");
			if (!strv_has(opts, "nodev"))
				json_array_append_new(opts, json_string("nodev"));
		}
		json_array_append(is_bind(m) ? changed : kernel_fs, json_object_get(m, "destination"));
	}
	/*
	 * proc, sysfs, tmpfs and the like hold no image files: the flags
	 * change nothing the workload may rely on, so even L3 fixes them
	 */
	if (json_array_size(kernel_fs)) {
		cleanup_free char *fs_list = join(kernel_fs);

		decide(h, "setuid", HR_DECISION_TIGHTENED, "mounts made nosuid (and nodev but /dev, /dev/pts): %s",
		       fs_list);
	}
	if (json_array_size(changed)) {
		list = join(changed);
		r = tighten(h, "setuid", "bind mounts made nosuid,nodev: %s", list);
	}
	json_decref(kernel_fs);
	json_decref(changed);
	return r;
}

/*
 * One limit: res[key] (an integer, absent or <= 0 meaning none) gets the
 * policy's default when it has none, and is lowered to the maximum.
 */
static int limit(struct hctx *h, json_t *obj, const char *key, const char *path, const struct hr_policy_limit *l)
{
	json_t *v = json_object_get(obj, key);
	json_int_t cur = json_is_integer(v) ? json_integer_value(v) : 0;

	if (v && !json_is_integer(v))
		return bad_type(h, path, "an integer");
	if (cur <= 0) {
		if (!l->def)
			return 0;
		json_object_set_new(obj, key, json_integer(l->def));
		decide(h, "3.14", HR_DECISION_ADDED, "%s %" PRId64, path, l->def);
		return 0;
	}
	if (l->max && cur > l->max) {
		if (tighten(h, "3.14", "%s %" JSON_INTEGER_FORMAT " lowered to %" PRId64, path, cur, l->max) < 0)
			return -1;
		json_object_set_new(obj, key, json_integer(l->max));
		return 0;
	}
	decide(h, "3.14", HR_DECISION_KEPT, "%s %" JSON_INTEGER_FORMAT, path, cur);
	return 0;
}

static int row_resources(struct hctx *h)
{
	const struct hr_policy *p = h->p;
	json_t *lnx, *res, *pids, *mem, *cpu, *lim;

	if ((!p->pids.def && !p->pids.max && !p->memory.def && !p->memory.max && !p->swap_equals_memory &&
	     !p->cpu_shares.def && !p->cpu_shares.max) ||
	    exempt(h, "3.14"))
		return 0;
	lnx = child(h->cfg, "linux");
	res = lnx ? child(lnx, "resources") : NULL;
	pids = res ? child(res, "pids") : NULL;
	mem = res ? child(res, "memory") : NULL;
	cpu = res ? child(res, "cpu") : NULL;
	if (!pids || !mem || !cpu)
		return bad_type(h, "linux.resources", "objects");
	if (limit(h, pids, "limit", "linux.resources.pids.limit", &p->pids) < 0 ||
	    limit(h, mem, "limit", "linux.resources.memory.limit", &p->memory) < 0 ||
	    limit(h, cpu, "shares", "linux.resources.cpu.shares", &p->cpu_shares) < 0)
		return -1;
	lim = json_object_get(mem, "limit");
	if (p->swap_equals_memory && json_is_integer(lim) && json_integer_value(lim) > 0) {
		json_t *swap = json_object_get(mem, "swap");

		if (json_is_integer(swap) && json_integer_value(swap) == json_integer_value(lim)) {
			decide(h, "3.14", HR_DECISION_KEPT, "linux.resources.memory.swap equals the memory limit");
		} else {
			/* no swap beyond memory is tighter than any bundle value, also an absent one */
			if (swap && json_is_integer(swap) && json_integer_value(swap) > 0 &&
			    json_integer_value(swap) < json_integer_value(lim)) {
				/* below the limit: already tighter, keep */
				decide(h, "3.14", HR_DECISION_KEPT, "linux.resources.memory.swap %" JSON_INTEGER_FORMAT,
				       json_integer_value(swap));
			} else {
				if (swap &&
				    tighten(h, "3.14", "linux.resources.memory.swap set to the memory limit") < 0)
					return -1;
				if (!swap)
					decide(h, "3.14", HR_DECISION_ADDED,
					       "linux.resources.memory.swap %" JSON_INTEGER_FORMAT " (no swap)",
					       json_integer_value(lim));
				json_object_set_new(mem, "swap", json_integer(json_integer_value(lim)));
			}
		}
	}
	/* empty objects the policy had nothing to put in are not left behind */
	if (!json_object_size(pids))
		json_object_del(res, "pids");
	if (!json_object_size(mem))
		json_object_del(res, "memory");
	if (!json_object_size(cpu))
		json_object_del(res, "cpu");
	return 0;
}

static int add_paths(struct hctx *h, json_t *lnx, const char *key, char **paths, const char *what)
{
	json_t *arr = json_object_get(lnx, key);
	json_t *added = json_array();
	cleanup_free char *list = NULL;

	if (!arr) {
		arr = json_array();
		json_object_set_new(lnx, key, arr);
	}
	if (!json_is_array(arr)) {
		json_decref(added);
		return bad_type(h, key, "an array");
	}
	for (char **p = paths; *p; p++) {
		if (strv_has(arr, *p))
			continue;
		json_array_append_new(arr, json_string(*p));
		json_array_append_new(added, json_string(*p));
	}
	list = join(added);
	if (json_array_size(added))
		decide(h, "masked", HR_DECISION_ADDED, "%s: %s", what, list);
	else if (*paths)
		decide(h, "masked", HR_DECISION_KEPT, "%s: the bundle lists the policy's", what);
	json_decref(added);
	return 0;
}

static int row_masked(struct hctx *h)
{
	json_t *lnx;

	if ((!h->p->masked_paths[0] && !h->p->readonly_paths[0]) || exempt(h, "masked"))
		return 0;
	lnx = child(h->cfg, "linux");
	if (!lnx)
		return bad_type(h, "linux", "an object");
	if (add_paths(h, lnx, "maskedPaths", h->p->masked_paths, "masked") < 0 ||
	    add_paths(h, lnx, "readonlyPaths", h->p->readonly_paths, "read-only") < 0)
		return -1;
	return 0;
}

static int load_profile(struct hctx *h, const char *name, json_t **out)
{
	cleanup_free char *text = NULL;
	size_t len = 0;
	const char *builtin;
	json_error_t je;

	if (h->c->read_profile) {
		struct hr_err *e = NULL;

		if (h->c->read_profile(h->c->arg, h->p->seccomp_dir, name, &text, &len, &e) < 0) {
			if (e->errnum != ENOENT) {
				*h->err = e;
				return -1;
			}
			hr_err_free(&e);
		}
	}
	if (!text) {
		builtin = hr_policy_builtin_seccomp(name, &len);
		if (!builtin)
			return hr_fail(h->err, ENOENT, "seccomp profile \"%s\": no %s/%s.json and no built-in profile",
				       name, h->p->seccomp_dir, name);
		text = xstrndup(builtin, len);
	}
	*out = json_loadb(text, len, 0, &je);
	if (!*out || !json_is_object(*out)) {
		json_decref(*out);
		*out = NULL;
		return hr_fail(h->err, 0, "seccomp profile \"%s\":%d:%d: %s", name, je.line, je.column,
			       je.text[0] ? je.text : "expected an object");
	}
	return 0;
}

static bool name_allowed(const struct hr_policy *p, const char *name)
{
	for (char **a = p->seccomp_allowed; *a; a++)
		if (strcmp(*a, name) == 0)
			return true;
	return false;
}

static int row_seccomp(struct hctx *h)
{
	const char *asked = json_string_value(json_object_get(h->ann, HR_ANN_SECCOMP));
	const char *name = h->p->seccomp_profile;
	json_t *lnx, *prof = NULL;

	if (!asked && strcmp(name, "none") == 0)
		return 0;
	if (exempt(h, "3.4"))
		return 0;
	if (asked && !name_allowed(h->p, asked))
		return refuse(h, "3.4", "seccomp profile \"%s\" (annotation %s) is not allowed", asked, HR_ANN_SECCOMP);
	if (asked)
		name = asked;
	if (strcmp(name, "none") == 0) {
		decide(h, "3.4", HR_DECISION_KEPT, "seccomp profile \"none\": no policy filter");
		return 0;
	}
	lnx = child(h->cfg, "linux");
	if (!lnx)
		return bad_type(h, "linux", "an object");
	if (load_profile(h, name, &prof) < 0)
		return -1;
	if (!json_object_get(lnx, "seccomp")) {
		json_object_set_new(lnx, "seccomp", prof);
		decide(h, "3.4", HR_DECISION_ADDED, "seccomp profile \"%s\"", name);
		return 0;
	}
	if (json_equal(json_object_get(lnx, "seccomp"), prof)) {
		/* a config hardened before (spec --hardened): one copy of the same filter is enough */
		json_decref(prof);
		decide(h, "3.4", HR_DECISION_KEPT, "seccomp profile \"%s\" is the bundle's filter", name);
		return 0;
	}
	/* the kernel runs both filters and takes the stricter answer: never weaker than either */
	json_object_set_new(lnx, HR_POLICY_SECCOMP_KEY, prof);
	decide(h, "3.4", HR_DECISION_ADDED, "seccomp profile \"%s\" stacked on the bundle's filter", name);
	return 0;
}

static int load_container_profile(struct hctx *h, const char *name, json_t **out)
{
	cleanup_free char *text = NULL;
	struct hr_err *e = NULL;
	json_error_t je;
	size_t len = 0;

	if (!h->c->read_profile)
		return hr_fail(h->err, ENOENT, "seccomp profile \"%s\": no %s/%s.json", name,
			       h->p->seccomp_container_dir, name);
	if (h->c->read_profile(h->c->arg, h->p->seccomp_container_dir, name, &text, &len, &e) < 0) {
		*h->err = e;
		return -1;
	}
	*out = json_loadb(text, len, 0, &je);
	if (!*out || !json_is_object(*out)) {
		json_decref(*out);
		*out = NULL;
		return hr_fail(h->err, 0, "seccomp profile %s/%s.json:%d:%d: %s", h->p->seccomp_container_dir, name,
			       je.line, je.column, je.text[0] ? je.text : "expected an object");
	}
	return 0;
}

static bool profile_name_ok(const char *s)
{
	return s && *s && !strchr(s, '/') && strcmp(s, ".") != 0 && strcmp(s, "..") != 0;
}

/*
 * CSVS 3.4's container-specific profile: learn mode (the launcher's
 * --seccomp-learn, seccomp.learn.containers, or the bundle's annotation)
 * or a profile stacked with every other filter (--seccomp-profile,
 * seccomp.profiles, or the annotation).  The operator's choices come
 * before the bundle's, and a bundle cannot trade a profile the operator
 * chose for learn mode.  Learn mode keeps every other filter: it only adds
 * the recorder's, so it never loosens the policy.
 */
static int row_seccomp_specific(struct hctx *h)
{
	const char *ask_learn = json_string_value(json_object_get(h->ann, HR_ANN_SECCOMP_LEARN));
	const char *ask_prof = json_string_value(json_object_get(h->ann, HR_ANN_SECCOMP_PROFILE));
	const char *who = h->name ? h->name : h->c->id;
	const char *pol_prof = hr_policy_seccomp_profile_for(h->p, h->c->id, h->name);
	cleanup_free char *learn = NULL;
	json_t *lnx, *prof = NULL;

	/* only harden writes where a learned profile goes: a bundle's own value is dropped */
	if (h->ann)
		json_object_del(h->ann, HR_SPEC_ANN_SECCOMP_LEARNING);
	if (h->c->learn_path)
		learn = xstrdup(h->c->learn_path);
	else if (hr_policy_seccomp_learns(h->p, h->c->id, h->name) && profile_name_ok(who))
		learn = xasprintf("%s/%s.json", h->p->seccomp_learn_dir, who);
	else if (ask_learn) {
		if (!profile_name_ok(ask_learn))
			return refuse(h, "3.4", "annotation %s=\"%s\" is not a profile name", HR_ANN_SECCOMP_LEARN,
				      ask_learn);
		if (h->c->profile || pol_prof)
			return refuse(h, "3.4", "annotation %s: the policy enforces seccomp profile \"%s\"",
				      HR_ANN_SECCOMP_LEARN, h->c->profile ? h->c->profile_name : pol_prof);
		learn = xasprintf("%s/%s.json", h->p->seccomp_learn_dir, ask_learn);
	}
	if (learn) {
		if (!h->ann) {
			h->ann = json_object();
			json_object_set_new(h->cfg, "annotations", h->ann);
		}
		json_object_set_new(h->ann, HR_SPEC_ANN_SECCOMP_LEARNING, json_string(learn));
		decide(h, "3.4", HR_DECISION_ADDED,
		       HR_DECISION_SECCOMP_LEARN ": recording the calls into %s; no container-specific profile is "
						 "enforced",
		       learn);
		return 0;
	}
	if (ask_prof && !profile_name_ok(ask_prof))
		return refuse(h, "3.4", "annotation %s=\"%s\" is not a profile name", HR_ANN_SECCOMP_PROFILE, ask_prof);
	if (!h->c->profile && !pol_prof && !ask_prof)
		return 0;
	lnx = child(h->cfg, "linux");
	if (!lnx)
		return bad_type(h, "linux", "an object");
	if (h->c->profile) {
		prof = json_deep_copy(h->c->profile);
	} else if (load_container_profile(h, pol_prof ? pol_prof : ask_prof, &prof) < 0)
		return -1;
	/* stacked with the bundle's and the policy's filters: the kernel takes the strictest answer */
	json_object_set_new(lnx, HR_SPEC_PROFILE_SECCOMP, prof);
	if (h->c->profile)
		decide(h, "3.4", HR_DECISION_ADDED, HR_DECISION_SECCOMP_SPECIFIC " \"%s\" (--seccomp-profile)",
		       h->c->profile_name);
	else
		decide(h, "3.4", HR_DECISION_ADDED, HR_DECISION_SECCOMP_SPECIFIC " \"%s\" (%s/%s.json, %s)",
		       pol_prof ? pol_prof : ask_prof, h->p->seccomp_container_dir, pol_prof ? pol_prof : ask_prof,
		       pol_prof ? "seccomp.profiles" : "annotation " HR_ANN_SECCOMP_PROFILE);
	return 0;
}

static int row_apparmor(struct hctx *h)
{
	json_t *proc = json_object_get(h->cfg, "process");
	const char *have = json_string_value(json_object_get(proc, "apparmorProfile"));

	if (h->p->apparmor == HR_APPARMOR_OFF || exempt(h, "apparmor"))
		return 0;
	if (have) {
		cleanup_free char *own = xasprintf("hardrun-%s", h->c->id);

		/*
		 * Without AppArmor create refuses the bundle's profile anyway;
		 * "unconfined" is the engine's explicit opt-out (docker
		 * --security-opt apparmor=unconfined), and a profile hardened
		 * before already carries ours.
		 */
		if (!h->c->apparmor_available || strcmp(have, "unconfined") == 0 ||
		    hr_policy_apparmor_is_own(have, h->c->id) || strstr(have, "//&")) {
			decide(h, "apparmor", HR_DECISION_KEPT, "the bundle's profile %s", have);
			return 0;
		}
		/* a stack: every access must pass both, so the bundle's profile is never weakened */
		{
			cleanup_free char *stack = xasprintf("%s//&%s", own, have);

			decide(h, "apparmor", HR_DECISION_ADDED,
			       "profile %s from the hardrun-default template stacked on %s", own, have);
			/* replaces (and frees) the string have points into */
			json_object_set_new(proc, "apparmorProfile", json_string(stack));
		}
		return 0;
	}
	if (!h->c->apparmor_available) {
		if (h->p->apparmor == HR_APPARMOR_REQUIRED)
			return refuse(h, "apparmor", "the kernel has no AppArmor and the policy requires it");
		decide(h, "apparmor", HR_DECISION_KEPT, "the kernel has no AppArmor: no profile");
		return 0;
	}
	{
		cleanup_free char *name = xasprintf("hardrun-%s", h->c->id);

		json_object_set_new(proc, "apparmorProfile", json_string(name));
		decide(h, "apparmor", HR_DECISION_ADDED, "profile %s from the hardrun-default template", name);
	}
	return 0;
}

static const char *container_name(json_t *ann)
{
	const char *n = json_string_value(json_object_get(ann, HR_ANN_NAME));

	return n ? n : json_string_value(json_object_get(ann, "io.kubernetes.cri.container-name"));
}

bool hr_harden_wants_userns(const struct hr_policy *p, const json_t *config, const struct hr_harden_ctx *ctx)
{
	json_t *ann = json_object_get(config, "annotations");

	return p->userns && !has_namespace((json_t *)config, "user") &&
	       !hr_policy_exempt(p, "3.2", ctx->id, container_name(ann), ann);
}

int hr_harden(const struct hr_policy *p, json_t *config, const struct hr_harden_ctx *ctx, struct hr_decisions *out,
	      struct hr_err **err)
{
	struct hctx h = {.p = p, .c = ctx, .cfg = config, .out = out, .err = err};
	int (*const rows[])(struct hctx *) = {
		row_restart,   row_privileged, row_host_namespaces, row_root_user,	  row_binds,
		row_nnp,       row_caps,       row_userns,	    row_rootfs,		  row_setuid,
		row_resources, row_masked,     row_seccomp,	    row_seccomp_specific, row_apparmor,
	};

	if (!json_is_object(config))
		return hr_fail(err, 0, "config.json: expected an object");
	if (!json_is_object(json_object_get(config, "process")))
		return hr_fail(err, 0, "config.json: process: required by hardrun");
	h.ann = json_object_get(config, "annotations");
	if (!json_is_object(h.ann))
		h.ann = NULL;
	h.name = container_name(h.ann);
	for (size_t i = 0; i < HR_ARRAY_SIZE(rows); i++)
		if (rows[i](&h) < 0)
			return -1;
	return 0;
}

int hr_harden_process(const struct hr_policy *p, json_t *process, const char *id, const json_t *annotations,
		      struct hr_decisions *out, struct hr_err **err)
{
	struct hr_harden_ctx c = {.id = id};
	struct hctx h = {.p = p, .c = &c, .out = out, .err = err, .ann = (json_t *)annotations};

	h.name = container_name(h.ann);
	if (p->no_new_privileges && !json_is_true(json_object_get(process, "noNewPrivileges")) && !exempt(&h, "3.1")) {
		if (tighten(&h, "3.1", "exec: process.noNewPrivileges set to true") < 0)
			return -1;
		json_object_set_new(process, "noNewPrivileges", json_true());
	}
	if (p->caps_enforce && !exempt(&h, "3.5") && cut_caps(&h, process, "exec: process") < 0)
		return -1;
	return 0;
}

/* update: a value the bundle sends is held to the maximum; "no limit" (<= 0) becomes the maximum. */
static int update_limit(struct hctx *h, json_t *obj, const char *key, const char *path, const struct hr_policy_limit *l)
{
	json_t *v = json_object_get(obj, key);
	json_int_t cur;

	if (!v || !l->max)
		return 0;
	if (!json_is_integer(v))
		return bad_type(h, path, "an integer");
	cur = json_integer_value(v);
	if (cur > 0 && cur <= l->max)
		return 0;
	if (cur <= 0 && tighten(h, "3.14", "update: %s unlimited set to %" PRId64, path, l->max) < 0)
		return -1;
	if (cur > 0 &&
	    tighten(h, "3.14", "update: %s %" JSON_INTEGER_FORMAT " lowered to %" PRId64, path, cur, l->max) < 0)
		return -1;
	json_object_set_new(obj, key, json_integer(l->max));
	return 0;
}

int hr_harden_resources(const struct hr_policy *p, json_t *res, const char *id, const json_t *annotations,
			struct hr_decisions *out, struct hr_err **err)
{
	struct hr_harden_ctx c = {.id = id};
	struct hctx h = {.p = p, .c = &c, .out = out, .err = err, .ann = (json_t *)annotations};
	json_t *mem = json_object_get(res, "memory"), *lim, *swap;

	h.name = container_name(h.ann);
	if ((!p->pids.max && !p->memory.max && !p->cpu_shares.max && !p->swap_equals_memory) || exempt(&h, "3.14"))
		return 0;
	if (update_limit(&h, json_object_get(res, "pids"), "limit", "pids.limit", &p->pids) < 0 ||
	    update_limit(&h, mem, "limit", "memory.limit", &p->memory) < 0 ||
	    update_limit(&h, json_object_get(res, "cpu"), "shares", "cpu.shares", &p->cpu_shares) < 0)
		return -1;
	lim = json_object_get(mem, "limit");
	swap = json_object_get(mem, "swap");
	if (p->swap_equals_memory && json_is_integer(lim) && json_integer_value(lim) > 0 &&
	    (!json_is_integer(swap) || json_integer_value(swap) <= 0 ||
	     json_integer_value(swap) > json_integer_value(lim))) {
		if (swap && tighten(&h, "3.14", "update: memory.swap set to the memory limit") < 0)
			return -1;
		json_object_set_new(mem, "swap", json_integer(json_integer_value(lim)));
	}
	return 0;
}
