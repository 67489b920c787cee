/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The table reader (see spec_table.h): reads a JSON object row by row into
 * the struct its table describes, runs the rows' validators, and frees by
 * the same rows.  Knows the kinds of member, not config.json: the tables
 * and the spec-specific checks are spec.c's.  No kernel calls.
 */
#include <jansson.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "hardrun/spec.h"
#include "hardrun/strutil.h"
#include "spec_table.h"

/* "config.json: PATH: reason", the one line every structural error is. */
int hr_spec_fail(struct hr_err **err, const char *path, const char *fmt, ...)
{
	cleanup_free char *why = NULL;
	va_list ap;

	va_start(ap, fmt);
	why = xvasprintf(fmt, ap);
	va_end(ap);
	return hr_fail(err, 0, "config.json: %s: %s", path, why);
}

char *hr_spec_path(const char *path, const char *key)
{
	return *path ? xasprintf("%s.%s", path, key) : xstrdup(key);
}

static char *idx(const char *path, size_t i)
{
	return xasprintf("%s[%zu]", path, i);
}

/* NULL when v is of type t, else the reason: "expected string". */
static const char *expect(json_t *v, json_type t)
{
	static const char *const names[] = {
		[JSON_OBJECT] = "expected object",   [JSON_ARRAY] = "expected array", [JSON_STRING] = "expected string",
		[JSON_INTEGER] = "expected integer", [JSON_REAL] = "expected number", [JSON_TRUE] = "expected boolean",
		[JSON_FALSE] = "expected boolean",   [JSON_NULL] = "expected null",
	};

	if (json_typeof(v) == t || (t == JSON_TRUE && json_is_boolean(v)))
		return NULL;
	return names[t];
}

int hr_spec_want(json_t *v, json_type t, const char *path, struct hr_err **err)
{
	const char *why = expect(v, t);

	return why ? hr_spec_fail(err, path, "%s", why) : 0;
}

static void *member(const struct hr_spec_ctx *c, const struct hr_spec_row *r)
{
	return (char *)c->obj + r->off;
}

char **hr_spec_str_at(struct hr_spec_ctx *c, const struct hr_spec_row *r)
{
	return r->tmp || r->kind == K_ENUM ? &c->tmp[r - c->d->rows] : member(c, r);
}

/* The row of key; a validator naming a key its table lacks sees it absent (fails closed). */
static const struct hr_spec_row *row_of(const struct hr_spec_ctx *c, const char *key)
{
	for (size_t i = 0; i < c->d->n_rows; i++)
		if (c->d->rows[i].key && strcmp(c->d->rows[i].key, key) == 0)
			return &c->d->rows[i];
	return NULL;
}

bool hr_spec_seen(const struct hr_spec_ctx *c, const char *key)
{
	const struct hr_spec_row *r = row_of(c, key);

	return r && (c->seen & (1U << (r - c->d->rows)));
}

/* Where a K_STR or K_ENUM row's string is (NULL inside when absent). */
char **hr_spec_str_of(struct hr_spec_ctx *c, const char *key)
{
	static char *none;
	const struct hr_spec_row *r = row_of(c, key);

	none = NULL;
	return r ? hr_spec_str_at(c, r) : &none;
}

/* An integer of any width; values are range-checked before. */
static void store_int(void *p, size_t size, int64_t v)
{
	switch (size) {
	case 1:
		*(char *)p = (char)v;
		break;
	case 2:
		*(uint16_t *)p = (uint16_t)v;
		break;
	case 4:
		if (v < 0)
			*(int32_t *)p = (int32_t)v;
		else
			*(uint32_t *)p = (uint32_t)v;
		break;
	default:
		*(int64_t *)p = v;
		break;
	}
}

/* NULL when v is an integer within [r->lo, r->hi] (in *out), else the reason. */
static const char *int_in(json_t *v, const struct hr_spec_row *r, int64_t *out)
{
	if (!json_is_integer(v))
		return "expected integer";
	if (json_integer_value(v) < r->lo || json_integer_value(v) > r->hi)
		return "out of range";
	*out = json_integer_value(v);
	return NULL;
}

/*
 * NULL when v is an unsigned 64-bit integer (in *out), else the reason.
 * jansson keeps integers as signed 64 bit; values above INT64_MAX (seccomp
 * masks, rlimits "infinity") arrive as reals, accepted when whole and in range.
 */
static const char *u64_of(json_t *v, uint64_t *out)
{
	double d;

	if (json_is_integer(v)) {
		if (json_integer_value(v) < 0)
			return "out of range";
		*out = (uint64_t)json_integer_value(v);
		return NULL;
	}
	if (!json_is_real(v))
		return "expected integer";
	d = json_real_value(v);
	if (d < 0 || d >= 18446744073709551616.0 || d != (double)(uint64_t)d)
		return "out of range";
	*out = (uint64_t)d;
	return NULL;
}

/* Arrays of strings (K_STRV), integers (K_INTV) or objects (K_ARR, K_EACH), element by element. */
static int read_array(json_t *v, const struct hr_spec_row *r, const char *path, void *o, struct hr_err **err)
{
	char **arr = (char **)((char *)o + r->off);
	size_t *n = r->kind == K_ARR || r->kind == K_INTV ? (size_t *)((char *)o + r->count) : NULL;
	size_t size = r->kind == K_STRV ? sizeof(char *) : r->kind == K_INTV ? r->size : 0;
	size_t i;
	json_t *e;

	if (r->kind == K_ARR)
		size = r->sub->size;
	if (hr_spec_want(v, JSON_ARRAY, path, err) < 0)
		return -1;
	if (size)
		*arr = xcalloc(json_array_size(v) + 1, size);
	json_array_foreach(v, i, e)
	{
		cleanup_free char *ip = NULL;
		void *elem = size ? *arr + i * size : o;
		const char *why = NULL;
		int64_t x = 0;

		if (n)
			*n = i + 1;
		if (r->kind == K_STRV) {
			why = expect(e, JSON_STRING);
			if (!why)
				*(char **)elem = xstrdup(json_string_value(e));
		} else if (r->kind == K_INTV) {
			why = int_in(e, r, &x);
			if (!why)
				store_int(elem, size, x);
		} else {
			ip = idx(path, i);
			if (hr_spec_want(e, JSON_OBJECT, ip, err) < 0 ||
			    hr_spec_read_object(r->sub, e, ip, elem, o, size ? *arr : NULL, i, err) < 0)
				return -1;
		}
		if (why) {
			ip = idx(path, i);
			return hr_spec_fail(err, ip, "%s", why);
		}
	}
	return 0;
}

static int read_map(json_t *v, const struct hr_spec_row *r, const char *path, void *o, struct hr_err **err)
{
	struct hr_kv **kv = (struct hr_kv **)((char *)o + r->off);
	size_t *n = (size_t *)((char *)o + r->count);
	const char *k;
	json_t *e;

	if (hr_spec_want(v, JSON_OBJECT, path, err) < 0)
		return -1;
	*kv = xcalloc(json_object_size(v) + 1, sizeof(struct hr_kv));
	json_object_foreach(v, k, e)
	{
		if (!json_is_string(e)) {
			cleanup_free char *kp = xasprintf("%s.\"%s\"", path, k);

			return hr_spec_want(e, JSON_STRING, kp, err);
		}
		(*kv)[*n].key = xstrdup(k);
		(*kv)[*n].value = xstrdup(json_string_value(e));
		(*n)++;
	}
	return 0;
}

static int read_caps(json_t *v, const char *path, uint64_t *mask, char ***unknown, struct hr_err **err)
{
	static const struct hr_spec_row strv = {.kind = K_STRV};
	cleanup_strv char **names = NULL;

	if (read_array(v, &strv, path, &names, err) < 0)
		return -1;
	for (char **c = names; *c; c++) {
		int n = hr_cap_from_name(*c);
		bool dup = false;

		if (n >= 0 && n <= 63) {
			*mask |= 1ULL << n;
			continue;
		}
		for (char **u = *unknown; u && *u; u++)
			dup = dup || strcmp(*u, *c) == 0;
		if (!dup)
			hr_strv_push(unknown, *c);
	}
	return 0;
}

/* One present member; its path is made only for a nested object or an error. */
static int read_row(const struct hr_spec_row *r, struct hr_spec_ctx *c, json_t *v, struct hr_err **err)
{
	cleanup_free char *path = NULL;
	const char *why = NULL;
	void *p = member(c, r);
	int64_t x = 0;

	switch (r->kind) {
	case K_STR:
	case K_ENUM:
		why = expect(v, JSON_STRING);
		if (!why)
			*hr_spec_str_at(c, r) = xstrdup(json_string_value(v));
		break;
	case K_BOOL:
		why = expect(v, JSON_TRUE);
		if (!why)
			*(bool *)p = json_is_true(v);
		break;
	case K_INT:
		why = int_in(v, r, &x);
		if (!why)
			store_int(p, r->size, x);
		break;
	case K_U64:
		why = u64_of(v, p);
		break;
	case K_UNSUP:
		why = "not supported by hardrun";
		break;
	case K_MAP:
		path = hr_spec_path(c->path, r->key);
		return read_map(v, r, path, c->obj, err);
	case K_CAPS:
		path = hr_spec_path(c->path, r->key);
		return read_caps(v, path, p, &((struct hr_caps *)c->obj)->unknown, err);
	case K_OBJ:
		path = hr_spec_path(c->path, r->key);
		if (hr_spec_want(v, JSON_OBJECT, path, err) < 0)
			return -1;
		if (r->alloc)
			p = *(void **)p = xzalloc(r->sub->size);
		return hr_spec_read_object(r->sub, v, path, p, c->obj, NULL, 0, err);
	case K_STRV:
	case K_INTV:
	case K_ARR:
	case K_EACH:
		path = hr_spec_path(c->path, r->key);
		return read_array(v, r, path, c->obj, err);
	case K_CHECK:
		break;
	}
	if (!why)
		return 0;
	path = hr_spec_path(c->path, r->key);
	return hr_spec_fail(err, path, "%s", why);
}

static int run_checks(struct hr_spec_ctx *c, const struct hr_spec_row *from, const struct hr_spec_row *to,
		      hr_spec_check_fn *last, struct hr_err **err)
{
	for (const struct hr_spec_row *r = from; r < to; r++)
		if (r->check && r->kind != K_CHECK && r->check(r, c, err) < 0)
			return -1;
	return last ? last(to, c, err) : 0;
}

int hr_spec_read_object(const struct hr_spec_desc *d, json_t *o, const char *path, void *obj, void *parent, void *first,
			size_t index, struct hr_err **err)
{
	struct hr_spec_ctx c = {d, o, path, obj, parent, first, index, 0, {NULL}};
	const struct hr_spec_row *pending = d->rows;
	int ret = -1;

	for (size_t i = 0; i < d->n_rows; i++) {
		const struct hr_spec_row *r = &d->rows[i];
		json_t *v = r->key ? json_object_get(o, r->key) : NULL;

		if (r->kind == K_CHECK) {
			if (run_checks(&c, pending, r, r->check, err) < 0)
				goto out;
			pending = r + 1;
			continue;
		}
		if (!v || json_is_null(v)) {
			if (r->req) {
				cleanup_free char *p = hr_spec_path(path, r->key);

				hr_spec_fail(err, p, "required");
				goto out;
			}
			if (r->dflt)
				store_int(member(&c, r), r->size, r->lo);
			continue;
		}
		c.seen |= 1U << i;
		if (r->has)
			*(bool *)((char *)obj + r->has - 1) = true;
		if (read_row(r, &c, v, err) < 0)
			goto out;
	}
	ret = run_checks(&c, pending, d->rows + d->n_rows, d->check, err);
out:
	for (size_t i = 0; i < d->n_rows; i++)
		free(c.tmp[i]);
	return ret;
}

static void free_kv(struct hr_kv *kv, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(kv[i].key);
		free(kv[i].value);
	}
	free(kv);
}

void hr_spec_free_object(const struct hr_spec_desc *d, void *obj)
{
	for (size_t i = 0; i < d->n_rows; i++) {
		const struct hr_spec_row *r = &d->rows[i];
		void **p = (void **)((char *)obj + r->off);
		size_t n = r->count ? *(size_t *)((char *)obj + r->count) : 0;

		switch (r->kind) {
		case K_STR:
			if (!r->tmp)
				free(*p);
			break;
		case K_STRV:
			hr_strv_free(*p);
			break;
		case K_INTV:
			free(*p);
			break;
		case K_MAP:
			free_kv(*p, n);
			break;
		case K_OBJ:
			if (!r->alloc)
				hr_spec_free_object(r->sub, p);
			else if (*p)
				hr_spec_free_object(r->sub, *p);
			if (r->alloc)
				free(*p);
			break;
		case K_ARR:
			for (size_t k = 0; k < n; k++)
				hr_spec_free_object(r->sub, (char *)*p + k * r->sub->size);
			free(*p);
			break;
		case K_BOOL:
		case K_INT:
		case K_U64:
		case K_ENUM:
		case K_CAPS:
		case K_EACH:
		case K_UNSUP:
		case K_CHECK:
			break;
		}
	}
	if (d->release)
		d->release(obj);
}

/* ---- validators ---- */

int hr_spec_check_enum(const struct hr_spec_row *r, struct hr_spec_ctx *c, struct hr_err **err)
{
	const char *s = *hr_spec_str_at(c, r);
	cleanup_free char *p = NULL;
	int v;

	if (!s)
		return 0;
	v = r->lookup(s);
	if (v < 0) {
		p = hr_spec_path(c->path, r->key);
		return hr_spec_fail(err, p, "unknown %s \"%s\"", r->what, s);
	}
	store_int(member(c, r), r->size, v);
	return 0;
}

int hr_spec_check_required(const struct hr_spec_row *r, struct hr_spec_ctx *c, struct hr_err **err)
{
	cleanup_free char *p = NULL;

	if (c->seen & (1U << (r - c->d->rows)))
		return 0;
	p = hr_spec_path(c->path, r->key);
	return hr_spec_fail(err, p, "required");
}

/* The need rows, all present: else "A, B and C are required", naming them all. */
int hr_spec_check_needed(const struct hr_spec_row *r, struct hr_spec_ctx *c, struct hr_err **err)
{
	cleanup_free char *names = NULL;
	bool missing = false;
	size_t n = 0, k = 0;

	(void)r;
	for (size_t i = 0; i < c->d->n_rows; i++)
		if (c->d->rows[i].need) {
			n++;
			missing = missing || !(c->seen & (1U << i));
		}
	if (!missing)
		return 0;
	for (size_t i = 0; i < c->d->n_rows; i++) {
		char *t;

		if (!c->d->rows[i].need)
			continue;
		k++;
		t = names ? xasprintf("%s%s%s", names, k == n ? " and " : ", ", c->d->rows[i].key)
			  : xstrdup(c->d->rows[i].key);
		free(names);
		names = t;
	}
	return hr_spec_fail(err, c->path, "%s are required", names);
}

int hr_spec_check_abs(const struct hr_spec_row *r, struct hr_spec_ctx *c, struct hr_err **err)
{
	const char *s = *hr_spec_str_at(c, r);
	cleanup_free char *p = NULL;

	if (!s || s[0] == '/')
		return 0;
	p = hr_spec_path(c->path, r->key);
	return hr_spec_fail(err, p, "must be an absolute path");
}

/* An absolute path without "..": what the runtime creates or opens inside the rootfs. */
int hr_spec_check_clean(const struct hr_spec_row *r, struct hr_spec_ctx *c, struct hr_err **err)
{
	cleanup_free char *p = NULL;

	if (hr_spec_check_abs(r, c, err) < 0)
		return -1;
	if (hr_path_is_clean_abs(*hr_spec_str_at(c, r)))
		return 0;
	p = hr_spec_path(c->path, r->key);
	return hr_spec_fail(err, p, "must not contain \"..\"");
}

int hr_spec_check_abs_each(const struct hr_spec_row *r, struct hr_spec_ctx *c, struct hr_err **err)
{
	char **v = *(char ***)member(c, r);

	for (char **p = v; p && *p; p++)
		if ((*p)[0] != '/')
			return hr_fail(err, 0, "config.json: %s.%s[%td]: must be an absolute path", c->path, r->key,
				       p - v);
	return 0;
}
