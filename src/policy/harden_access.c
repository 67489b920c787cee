/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The harden rows on privilege and host access: restart cap, privileged,
 * host namespaces, root user, bind mounts, no_new_privs, capabilities and
 * the user namespace (see harden.c for the order and the decision record).
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
#include "harden_int.h"

/* ---- rows ---- */

int hd_row_restart(struct hctx *h)
{
	const struct hr_policy *p = h->p;
	int64_t since = h->c->now - p->restart_window_seconds;
	size_t n = 0, quick = 0;

	if (h->c->tainted && !p->restart_tainted && !hd_exempt(h, "3.10"))
		return hd_refuse(h, "3.10", "container `%s` was tainted by exec%s%s%s", h->c->id,
				 h->c->tainted_time ? " (" : "", h->c->tainted_time ? h->c->tainted_time : "",
				 h->c->tainted_time ? ")" : "");
	if (p->restart_max_failures <= 0)
		return 0;
	for (size_t i = 0; i < h->c->n_failures; i++)
		n += h->c->failure_times[i] > since;
	for (size_t i = 0; i < h->c->n_restarts; i++)
		quick += h->c->restart_times[i] > since;
	/* say what was counted: failures where the exit status was known, quick restarts where it was not */
	if (n + quick >= (size_t)p->restart_max_failures && !hd_exempt(h, "restart")) {
		if (quick == 0)
			return hd_refuse(h, "restart", "container `%s` failed %zu times in the last %" PRId64 " s",
					 h->c->id, n, p->restart_window_seconds);
		if (n == 0)
			return hd_refuse(h, "restart",
					 "container `%s` restarted %zu times in the last %" PRId64
					 " s, each run shorter than %d s (exit status unknown to hardrun)",
					 h->c->id, quick, p->restart_window_seconds, HR_HARDEN_QUICK_SECONDS);
		return hd_refuse(h, "restart",
				 "container `%s` restarted %zu times in the last %" PRId64
				 " s: %zu failed, %zu shorter than %d s with an exit status unknown to hardrun",
				 h->c->id, n + quick, p->restart_window_seconds, n, quick, HR_HARDEN_QUICK_SECONDS);
	}
	if (n && !quick)
		hd_decide(h, "restart", HR_DECISION_KEPT, "%zu failed exits in the last %" PRId64 " s, cap %d", n,
			  p->restart_window_seconds, p->restart_max_failures);
	else if (n || quick)
		hd_decide(h, "restart", HR_DECISION_KEPT,
			  "%zu failed exits and %zu runs shorter than %d s of unknown status in the last %" PRId64
			  " s, cap %d",
			  n, quick, HR_HARDEN_QUICK_SECONDS, p->restart_window_seconds, p->restart_max_failures);
	return 0;
}

int hd_row_privileged(struct hctx *h)
{
	static const char *const sets[] = {"bounding", "effective", "permitted"};
	json_t *caps = json_object_get(json_object_get(h->cfg, "process"), "capabilities");
	json_t *lnx = json_object_get(h->cfg, "linux");
	json_t *devs = json_object_get(json_object_get(lnx, "resources"), "devices");
	json_t *mounts = json_object_get(h->cfg, "mounts"), *v;
	size_t i;

	if (!h->p->refuse_privileged || hd_exempt(h, "3.1"))
		return 0;
	for (size_t s = 0; s < HR_ARRAY_SIZE(sets); s++) {
		json_t *list = json_object_get(caps, sets[s]);
		size_t known = 0, named = 0;

		if (hd_strv_has(list, "CAP_SYS_ADMIN"))
			return hd_refuse(h, "3.1", "privileged configuration: CAP_SYS_ADMIN in process.capabilities.%s",
					 sets[s]);
		for (int c = 0; c <= hr_cap_last(); c++) {
			named += hr_cap_name(c) != NULL;
			known += hr_cap_name(c) && hd_strv_has(list, hr_cap_name(c));
		}
		if (known > 0 && known == named)
			return hd_refuse(h, "3.1",
					 "privileged configuration: every capability in process.capabilities.%s",
					 sets[s]);
	}
	json_array_foreach(devs, i, v)
	{
		const char *type = json_string_value(json_object_get(v, "type"));
		const char *access = json_string_value(json_object_get(v, "access"));

		if (json_is_true(json_object_get(v, "allow")) && (!type || strcmp(type, "a") == 0) &&
		    !json_object_get(v, "major") && !json_object_get(v, "minor") && (!access || strchr(access, 'w')) &&
		    !json_object_get(lnx, "seccomp"))
			return hd_refuse(h, "3.1",
					 "privileged configuration: every device allowed and no seccomp filter");
	}
	json_array_foreach(mounts, i, v)
	{
		const char *dest = json_string_value(json_object_get(v, "destination"));
		json_t *opts = json_object_get(v, "options");
		cleanup_free char *clean = dest && dest[0] == '/' ? hd_clean_path(dest) : NULL;

		if (clean && strcmp(clean, "/sys") == 0 && !hd_strv_has(opts, "ro") && !hd_strv_has(opts, "rro"))
			return hd_refuse(h, "3.1", "privileged configuration: /sys mounted writable");
	}
	return 0;
}

int hd_row_host_namespaces(struct hctx *h)
{
	static const char *const types[] = {"pid", "network", "ipc", "uts"};
	static const char *const proc[] = {"pid", "net", "ipc", "uts"};
	json_t *nss = json_object_get(json_object_get(h->cfg, "linux"), "namespaces");

	if (!h->p->refuse_host_namespaces || hd_exempt(h, "3.1"))
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
			return hd_refuse(h, "3.1", "host %s namespace: not in linux.namespaces", types[t]);
		path = json_string_value(json_object_get(found, "path"));
		if (path) {
			cleanup_free char *clean = path[0] == '/' ? hd_clean_path(path) : NULL;
			cleanup_free char *p1 = xasprintf("/proc/1/ns/%s", proc[t]);
			cleanup_free char *ps = xasprintf("/proc/self/ns/%s", proc[t]);

			if (clean && (strcmp(clean, p1) == 0 || strcmp(clean, ps) == 0))
				return hd_refuse(h, "3.1", "host %s namespace: joins %s", types[t], path);
		}
	}
	return 0;
}

int hd_row_root_user(struct hctx *h)
{
	json_t *user = json_object_get(json_object_get(h->cfg, "process"), "user");
	json_t *uid = json_object_get(user, "uid");

	if (!h->p->refuse_root_user || hd_exempt(h, "3.3"))
		return 0;
	if (!uid || (json_is_integer(uid) && json_integer_value(uid) == 0))
		return hd_refuse(h, "3.3", "the workload runs as uid 0 (process.user.uid)");
	hd_decide(h, "3.3", HR_DECISION_KEPT, "process.user.uid %" JSON_INTEGER_FORMAT, json_integer_value(uid));
	return 0;
}

int hd_row_binds(struct hctx *h)
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

		if (!hd_is_bind(m) || !src)
			continue;
		if (!checked) {
			checked = true;
			is_exempt = hd_exempt(h, "3.15");
		}
		if (is_exempt)
			return 0;
		abs = src[0] == '/' ? xstrdup(src) : hr_path_join(h->c->bundle ? h->c->bundle : "/", src);
		clean = hd_clean_path(abs);
		why = hd_source_refused(h->p, clean);
		if (!why && h->c->resolve_source) {
			resolved = h->c->resolve_source(h->c->arg, clean);
			if (resolved && resolved[0] == '/') {
				char *r = hd_clean_path(resolved);

				free(resolved);
				resolved = r;
				why = hd_source_refused(h->p, resolved);
			}
		}
		if (!why)
			continue;
		if (!monitor)
			return hd_refuse(h, "3.15", "bind mount of %s", src);
		opts = json_object_get(m, "options");
		if (!opts) {
			opts = json_array();
			json_object_set_new(m, "options", opts);
		}
		if (!json_is_array(opts))
			return hd_bad_type(h, "mounts[].options", "an array");
		if (hd_strv_has(opts, "ro") && !hd_strv_has(opts, "rw")) {
			hd_decide(h, "3.15", HR_DECISION_KEPT, "bind mount of %s, read-only, for a monitor", src);
			continue;
		}
		hd_strv_remove(opts, "rw");
		json_array_append_new(opts, json_string("ro"));
		hd_decide(h, "3.15", HR_DECISION_TIGHTENED, "bind mount of %s made read-only for a monitor", src);
	}
	return 0;
}

int hd_row_nnp(struct hctx *h)
{
	json_t *proc = json_object_get(h->cfg, "process");

	if (!h->p->no_new_privileges || hd_exempt(h, "3.1"))
		return 0;
	if (json_is_true(json_object_get(proc, "noNewPrivileges"))) {
		hd_decide(h, "3.1", HR_DECISION_KEPT, "process.noNewPrivileges is true");
		return 0;
	}
	if (hd_tighten(h, "3.1", "process.noNewPrivileges set to true") < 0)
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

int hd_cut_caps(struct hctx *h, json_t *proc, const char *where)
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
		hd_decide(h, "3.5", HR_DECISION_ADDED, "%s.capabilities: the policy's allowlist", where);
		json_decref(dropped);
		return 0;
	}
	if (!json_is_object(caps)) {
		json_decref(dropped);
		return hd_bad_type(h, "process.capabilities", "an object");
	}
	for (size_t s = 0; s < HR_ARRAY_SIZE(sets); s++) {
		json_t *l = json_object_get(caps, sets[s]);

		for (size_t i = json_array_size(l); i-- > 0;) {
			const char *name = json_string_value(json_array_get(l, i));
			int c = name ? hr_cap_from_name(name) : -1;

			if (c >= 0 && ((h->p->caps_allow >> c) & 1))
				continue;
			if (name && !hd_strv_has(dropped, name))
				json_array_append_new(dropped, json_string(name));
			json_array_remove(l, i);
		}
	}
	if (json_array_size(dropped)) {
		list = hd_join(dropped);
		r = hd_tighten(h, "3.5", "%s.capabilities: dropped %s", where, list);
	} else {
		hd_decide(h, "3.5", HR_DECISION_KEPT, "%s.capabilities within the allowlist", where);
	}
	json_decref(dropped);
	if (r < 0)
		return -1;
	if (!h->p->caps_inheritable && json_array_size(json_object_get(caps, "inheritable"))) {
		if (hd_tighten(h, "3.5", "%s.capabilities.inheritable emptied", where) < 0)
			return -1;
		json_object_set_new(caps, "inheritable", json_array());
	}
	if (!h->p->caps_ambient && json_array_size(json_object_get(caps, "ambient"))) {
		if (hd_tighten(h, "3.5", "%s.capabilities.ambient emptied", where) < 0)
			return -1;
		json_object_set_new(caps, "ambient", json_array());
	}
	return 0;
}

int hd_row_caps(struct hctx *h)
{
	json_t *proc = json_object_get(h->cfg, "process");

	if (!h->p->caps_enforce || !json_is_object(proc) || hd_exempt(h, "3.5"))
		return 0;
	return hd_cut_caps(h, proc, "process");
}

bool hd_has_namespace(json_t *cfg, const char *type)
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

void hd_set_annotation(struct hctx *h, const char *key, const char *value)
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
	hd_decide(h, "3.2", HR_DECISION_TIGHTENED,
		  "sysctl net.ipv4.ping_group_range: \"%s\" -> \"%s\", the mapped gids", json_string_value(v), buf);
	json_object_set_new(json_object_get(lnx, "sysctl"), "net.ipv4.ping_group_range", json_string(buf));
}

int hd_row_userns(struct hctx *h)
{
	json_t *lnx, *nss, *map;
	uint32_t b = h->c->userns_base;

	if (!h->p->userns)
		return 0;
	if (hd_has_namespace(h->cfg, "user")) {
		hd_decide(h, "3.2", HR_DECISION_KEPT, "the bundle's user namespace");
		return 0;
	}
	if (hd_exempt(h, "3.2"))
		return 0;
	if (h->c->defer_userns) {
		hd_decide(h, "3.2", HR_DECISION_KEPT, "user namespace: added at create, with a range from the id pool");
		return 0;
	}
	if (!h->c->has_userns_base)
		return hr_fail(h->err, 0, "harden: no user-namespace id range was acquired");
	lnx = hd_child(h->cfg, "linux");
	if (!lnx)
		return hd_bad_type(h, "linux", "an object");
	nss = json_object_get(lnx, "namespaces");
	if (!json_is_array(nss))
		return hd_bad_type(h, "linux.namespaces", "an array");
	json_array_append_new(nss, json_pack("{s:s}", "type", "user"));
	map = json_pack("[{s:i, s:I, s:i}]", "containerID", 0, "hostID", (json_int_t)b, "size", (int)HR_USERNS_RANGE);
	json_object_set_new(lnx, "uidMappings", json_deep_copy(map));
	json_object_set_new(lnx, "gidMappings", map);
	hd_set_annotation(h, HR_ANN_ROOTFS_IDMAP, "true");
	hd_set_annotation(h, HR_ANN_ROOTFS_IDMAP_FALLBACK,
			  h->p->userns_unmapped == HR_UNMAPPED_ALLOW ? "unmapped" : "refuse");
	hd_decide(h, "3.2", HR_DECISION_ADDED, "user namespace: container ids 0-65535 on host ids %" PRIu32 "-%" PRIu32,
		  b, b + HR_USERNS_RANGE - 1);
	clamp_ping_group_range(h, lnx);
	return 0;
}
