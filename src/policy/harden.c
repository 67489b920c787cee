/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The harden stage (see harden.h): one function per row of DESIGN.md's
 * table of secure defaults, each editing the config JSON and recording
 * its decision.  Refusals come first, so a refused container is refused
 * for the first reason a reader of the config would see.  Works on JSON
 * and not on struct hr_spec so that the result is an ordinary config.json
 * the parser and validator check again, and the state dir stores.  No
 * kernel calls; host facts come in struct hr_harden_ctx.  This file holds
 * the decision record, the helpers the rows share (harden_int.h) and the
 * order of the rows (hr_harden); the rows are in harden_access.c,
 * harden_fs.c, harden_limits.c and harden_lsm.c.
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

void hd_decide(struct hctx *h, const char *control, enum hr_decision_action a, const char *fmt, ...)
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
int hd_refuse(struct hctx *h, const char *control, const char *fmt, ...)
{
	cleanup_free char *detail = NULL;
	va_list ap;

	va_start(ap, fmt);
	detail = xvasprintf(fmt, ap);
	va_end(ap);
	hd_decide(h, control, HR_DECISION_REFUSED, "%s", detail);
	if (control[0] >= '0' && control[0] <= '9')
		return hr_fail(h->err, 0, "refused by policy (CSVS %s): %s", control, detail);
	return hr_fail(h->err, 0, "refused by policy (%s): %s", control, detail);
}

/* A bundle value looser than the policy: fixed (tightened) below level 3, refused at on_violation refuse. */
int hd_tighten(struct hctx *h, const char *control, const char *fmt, ...)
{
	cleanup_free char *detail = NULL;
	va_list ap;

	va_start(ap, fmt);
	detail = xvasprintf(fmt, ap);
	va_end(ap);
	if (h->p->on_violation == HR_POLICY_REFUSE)
		return hd_refuse(h, control, "%s", detail);
	hd_decide(h, control, HR_DECISION_TIGHTENED, "%s", detail);
	return 0;
}

bool hd_exempt(struct hctx *h, const char *control)
{
	if (!hr_policy_exempt(h->p, control, h->c->id, h->name, h->ann))
		return false;
	hd_decide(h, control, HR_DECISION_KEPT, "exempted by policy: the bundle's settings stay");
	return true;
}

/* obj[key] as an object, created when missing; NULL when it is there but not an object. */
json_t *hd_child(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);

	if (!v) {
		v = json_object();
		json_object_set_new(obj, key, v);
	}
	return json_is_object(v) ? v : NULL;
}

int hd_bad_type(struct hctx *h, const char *path, const char *what)
{
	return hr_fail(h->err, 0, "config.json: %s: expected %s", path, what);
}

bool hd_strv_has(json_t *arr, const char *s)
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
void hd_strv_remove(json_t *arr, const char *s)
{
	for (size_t i = json_array_size(arr); i-- > 0;) {
		json_t *v = json_array_get(arr, i);

		if (json_is_string(v) && strcmp(json_string_value(v), s) == 0)
			json_array_remove(arr, i);
	}
}

/* "a, b, c" of a JSON string array; new string. */
char *hd_join(json_t *arr)
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
char *hd_clean_path(const char *path)
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

bool hd_is_bind(json_t *m)
{
	const char *type = json_string_value(json_object_get(m, "type"));
	json_t *opts = json_object_get(m, "options");

	return (type && strcmp(type, "bind") == 0) || hd_strv_has(opts, "bind") || hd_strv_has(opts, "rbind");
}

/* The reason a (clean, absolute) bind source is refused by 3.15, or NULL. */
const char *hd_source_refused(const struct hr_policy *p, const char *src)
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

const char *hd_container_name(json_t *ann)
{
	const char *n = json_string_value(json_object_get(ann, HR_ANN_NAME));

	return n ? n : json_string_value(json_object_get(ann, "io.kubernetes.cri.container-name"));
}

bool hr_harden_wants_userns(const struct hr_policy *p, const json_t *config, const struct hr_harden_ctx *ctx)
{
	json_t *ann = json_object_get(config, "annotations");

	return p->userns && !hd_has_namespace((json_t *)config, "user") &&
	       !hr_policy_exempt(p, "3.2", ctx->id, hd_container_name(ann), ann);
}

int hr_harden(const struct hr_policy *p, json_t *config, const struct hr_harden_ctx *ctx, struct hr_decisions *out,
	      struct hr_err **err)
{
	struct hctx h = {.p = p, .c = ctx, .cfg = config, .out = out, .err = err};
	int (*const rows[])(struct hctx *) = {
		hd_row_restart,	  hd_row_privileged, hd_row_host_namespaces, hd_row_root_user,	      hd_row_binds,
		hd_row_nnp,	  hd_row_caps,	     hd_row_userns,	     hd_row_rootfs,	      hd_row_setuid,
		hd_row_resources, hd_row_masked,     hd_row_seccomp,	     hd_row_seccomp_specific, hd_row_apparmor,
	};

	if (!json_is_object(config))
		return hr_fail(err, 0, "config.json: expected an object");
	if (!json_is_object(json_object_get(config, "process")))
		return hr_fail(err, 0, "config.json: process: required by hardrun");
	h.ann = json_object_get(config, "annotations");
	if (!json_is_object(h.ann))
		h.ann = NULL;
	h.name = hd_container_name(h.ann);
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

	h.name = hd_container_name(h.ann);
	if (p->no_new_privileges && !json_is_true(json_object_get(process, "noNewPrivileges")) &&
	    !hd_exempt(&h, "3.1")) {
		if (hd_tighten(&h, "3.1", "exec: process.noNewPrivileges set to true") < 0)
			return -1;
		json_object_set_new(process, "noNewPrivileges", json_true());
	}
	if (p->caps_enforce && !hd_exempt(&h, "3.5") && hd_cut_caps(&h, process, "exec: process") < 0)
		return -1;
	return 0;
}
