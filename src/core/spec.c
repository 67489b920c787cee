/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * config.json → struct hr_spec, driven by one table of rows per JSON object
 * (see "the reader" below): strict about types and values, silent about
 * unknown keys (runtime-spec), and every message names the JSON path:
 * "config.json: linux.namespaces[2].type: unknown namespace \"pidd\"".
 * The same tables free the spec.  No kernel calls; runs under unit tests
 * and fuzzers.
 */
#include <errno.h>
#include <jansson.h>
#include <linux/mount.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
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

/*
 * ---- the reader ----
 *
 * Every JSON object of config.json is described by a table of rows (struct
 * desc): the member's key, what it must be (kind), where it lands in the
 * struct the object fills, and its validator.  read_object() goes through the
 * rows in order; each row's type, range and "required" errors come as it is
 * read, and its validator runs at the next CHECK row (or at the end of the
 * object), after the desc's rows up to there have been read, so that type
 * errors come before value errors.  Validators run in row order, then the
 * CHECK row's own check (at the end, the desc's).  A member absent or null is
 * absent.  free_object() releases what the same rows allocated, so a new
 * runtime-spec field is one row.
 */

enum kind {
	K_STR,	 /* string → char * (with tmp: kept for the validators only) */
	K_BOOL,	 /* boolean → bool */
	K_INT,	 /* integer within [lo, hi] → an integer of the member's size */
	K_U64,	 /* unsigned 64 bit; jansson hands values above INT64_MAX over as reals */
	K_ENUM,	 /* string, looked up by its validator → an integer of the member's size */
	K_STRV,	 /* array of strings → NULL-terminated char ** */
	K_INTV,	 /* array of integers within [lo, hi] → an array of the member's element size, count */
	K_MAP,	 /* object of strings → struct hr_kv *, count */
	K_CAPS,	 /* array of capability names → a bit mask (unknown names: struct hr_caps.unknown) */
	K_OBJ,	 /* object → sub's rows, on the member (or, with alloc, on a new struct it points to) */
	K_ARR,	 /* array of objects → a new array of sub's structs, count */
	K_EACH,	 /* array of objects read with sub's rows into tmp strings; sub's check stores them */
	K_UNSUP, /* any value → "not supported by hardrun" */
	K_CHECK, /* no member: run the pending validators, then check */
};

struct ctx;
struct row;

typedef int check_fn(const struct row *r, struct ctx *c, struct hr_err **err);

struct desc {
	const struct row *rows;
	size_t n_rows;
	size_t size;		  /* of the struct the rows land in (K_ARR elements, alloc objects) */
	check_fn *check;	  /* after the last row */
	void (*release)(void *o); /* what the rows do not free (derived members) */
};

struct row {
	const char *key;
	enum kind kind;
	size_t off;   /* the member, in the object's struct */
	size_t size;  /* its size (K_INTV: of one element) */
	size_t has;   /* 1 + offset of the bool set when the member is present; 0: none */
	size_t count; /* K_ARR, K_INTV, K_MAP: offset of the size_t element count */
	int64_t lo, hi;
	bool req;   /* absent: "required" */
	bool dflt;  /* absent: the member is lo */
	bool need;  /* absent: check_needed fails, naming every need row */
	bool tmp;   /* K_STR: not stored, only for the validators */
	bool alloc; /* K_OBJ: the member points to a new struct */
	const struct desc *sub;
	int (*lookup)(const char *s); /* K_ENUM: value ≥ 0, or -1 */
	const char *what;	      /* K_ENUM: "namespace" in "unknown namespace \"x\"" */
	check_fn *check;
};

#define HR_SPEC_MAX_ROWS 32

struct ctx {
	const struct desc *d;
	json_t *json;
	const char *path; /* of this object: "linux.seccomp.syscalls[3]" */
	void *obj;	  /* the struct its rows land in */
	void *parent;	  /* the struct of the enclosing object */
	void *first;	  /* in an array: its element 0, and this one's index */
	size_t index;
	uint32_t seen; /* bit i: row i was present */
	char *tmp[HR_SPEC_MAX_ROWS];
};

#define AT(T, m) .off = offsetof(T, m), .size = sizeof(((T *)0)->m)
#define HAS(T, m) .has = offsetof(T, m) + 1
#define COUNT(T, m) .count = offsetof(T, m)
#define ARRAY(T, m) AT(T, m), COUNT(T, n_##m)
#define RANGE(a, b) .lo = (a), .hi = (b)
#define I64 RANGE(INT64_MIN, INT64_MAX)
#define U32 RANGE(0, UINT32_MAX)
#define REQ .req = true
#define NEED .need = true
#define R(k, kd, ...)                                                                                                  \
	{                                                                                                              \
		.key = (k), .kind = (kd), __VA_ARGS__                                                                  \
	}
#define CHECK(fn)                                                                                                      \
	{                                                                                                              \
		.kind = K_CHECK, .check = (fn)                                                                         \
	}
#define DESC(name, T, rows, chk, rel)                                                                                  \
	_Static_assert(HR_ARRAY_SIZE(rows) <= HR_SPEC_MAX_ROWS, #rows ": too many rows");                              \
	static const struct desc name = {rows, HR_ARRAY_SIZE(rows), sizeof(T), chk, rel}

/* "config.json: PATH: reason", the one line every structural error is. */
static int bad(struct hr_err **err, const char *path, const char *fmt, ...) HR_PRINTF(3, 4);

static int bad(struct hr_err **err, const char *path, const char *fmt, ...)
{
	cleanup_free char *why = NULL;
	va_list ap;

	va_start(ap, fmt);
	why = xvasprintf(fmt, ap);
	va_end(ap);
	return hr_fail(err, 0, "config.json: %s: %s", path, why);
}

static char *sub(const char *path, const char *key)
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

static int want(json_t *v, json_type t, const char *path, struct hr_err **err)
{
	const char *why = expect(v, t);

	return why ? bad(err, path, "%s", why) : 0;
}

static void *member(const struct ctx *c, const struct row *r)
{
	return (char *)c->obj + r->off;
}

static char **str_at(struct ctx *c, const struct row *r)
{
	return r->tmp || r->kind == K_ENUM ? &c->tmp[r - c->d->rows] : member(c, r);
}

/* The row of key; a validator naming a key its table lacks sees it absent (fails closed). */
static const struct row *row_of(const struct ctx *c, const char *key)
{
	for (size_t i = 0; i < c->d->n_rows; i++)
		if (c->d->rows[i].key && strcmp(c->d->rows[i].key, key) == 0)
			return &c->d->rows[i];
	return NULL;
}

static bool seen(const struct ctx *c, const char *key)
{
	const struct row *r = row_of(c, key);

	return r && (c->seen & (1U << (r - c->d->rows)));
}

/* Where a K_STR or K_ENUM row's string is (NULL inside when absent). */
static char **str_of(struct ctx *c, const char *key)
{
	static char *none;
	const struct row *r = row_of(c, key);

	none = NULL;
	return r ? str_at(c, r) : &none;
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
static const char *int_in(json_t *v, const struct row *r, int64_t *out)
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

static int read_object(const struct desc *d, json_t *o, const char *path, void *obj, void *parent, void *first,
		       size_t index, struct hr_err **err);

/* Arrays of strings (K_STRV), integers (K_INTV) or objects (K_ARR, K_EACH), element by element. */
static int read_array(json_t *v, const struct row *r, const char *path, void *o, struct hr_err **err)
{
	char **arr = (char **)((char *)o + r->off);
	size_t *n = r->kind == K_ARR || r->kind == K_INTV ? (size_t *)((char *)o + r->count) : NULL;
	size_t size = r->kind == K_STRV ? sizeof(char *) : r->kind == K_INTV ? r->size : 0;
	size_t i;
	json_t *e;

	if (r->kind == K_ARR)
		size = r->sub->size;
	if (want(v, JSON_ARRAY, path, err) < 0)
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
			if (want(e, JSON_OBJECT, ip, err) < 0 ||
			    read_object(r->sub, e, ip, elem, o, size ? *arr : NULL, i, err) < 0)
				return -1;
		}
		if (why) {
			ip = idx(path, i);
			return bad(err, ip, "%s", why);
		}
	}
	return 0;
}

static int read_map(json_t *v, const struct row *r, const char *path, void *o, struct hr_err **err)
{
	struct hr_kv **kv = (struct hr_kv **)((char *)o + r->off);
	size_t *n = (size_t *)((char *)o + r->count);
	const char *k;
	json_t *e;

	if (want(v, JSON_OBJECT, path, err) < 0)
		return -1;
	*kv = xcalloc(json_object_size(v) + 1, sizeof(struct hr_kv));
	json_object_foreach(v, k, e)
	{
		if (!json_is_string(e)) {
			cleanup_free char *kp = xasprintf("%s.\"%s\"", path, k);

			return want(e, JSON_STRING, kp, err);
		}
		(*kv)[*n].key = xstrdup(k);
		(*kv)[*n].value = xstrdup(json_string_value(e));
		(*n)++;
	}
	return 0;
}

static int read_caps(json_t *v, const char *path, uint64_t *mask, char ***unknown, struct hr_err **err)
{
	static const struct row strv = {.kind = K_STRV};
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
static int read_row(const struct row *r, struct ctx *c, json_t *v, struct hr_err **err)
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
			*str_at(c, r) = xstrdup(json_string_value(v));
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
		path = sub(c->path, r->key);
		return read_map(v, r, path, c->obj, err);
	case K_CAPS:
		path = sub(c->path, r->key);
		return read_caps(v, path, p, &((struct hr_caps *)c->obj)->unknown, err);
	case K_OBJ:
		path = sub(c->path, r->key);
		if (want(v, JSON_OBJECT, path, err) < 0)
			return -1;
		if (r->alloc)
			p = *(void **)p = xzalloc(r->sub->size);
		return read_object(r->sub, v, path, p, c->obj, NULL, 0, err);
	case K_STRV:
	case K_INTV:
	case K_ARR:
	case K_EACH:
		path = sub(c->path, r->key);
		return read_array(v, r, path, c->obj, err);
	case K_CHECK:
		break;
	}
	if (!why)
		return 0;
	path = sub(c->path, r->key);
	return bad(err, path, "%s", why);
}

static int run_checks(struct ctx *c, const struct row *from, const struct row *to, check_fn *last, struct hr_err **err)
{
	for (const struct row *r = from; r < to; r++)
		if (r->check && r->kind != K_CHECK && r->check(r, c, err) < 0)
			return -1;
	return last ? last(to, c, err) : 0;
}

static int read_object(const struct desc *d, json_t *o, const char *path, void *obj, void *parent, void *first,
		       size_t index, struct hr_err **err)
{
	struct ctx c = {d, o, path, obj, parent, first, index, 0, {NULL}};
	const struct row *pending = d->rows;
	int ret = -1;

	for (size_t i = 0; i < d->n_rows; i++) {
		const struct row *r = &d->rows[i];
		json_t *v = r->key ? json_object_get(o, r->key) : NULL;

		if (r->kind == K_CHECK) {
			if (run_checks(&c, pending, r, r->check, err) < 0)
				goto out;
			pending = r + 1;
			continue;
		}
		if (!v || json_is_null(v)) {
			if (r->req) {
				cleanup_free char *p = sub(path, r->key);

				bad(err, p, "required");
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

static void free_object(const struct desc *d, void *obj)
{
	for (size_t i = 0; i < d->n_rows; i++) {
		const struct row *r = &d->rows[i];
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
				free_object(r->sub, p);
			else if (*p)
				free_object(r->sub, *p);
			if (r->alloc)
				free(*p);
			break;
		case K_ARR:
			for (size_t k = 0; k < n; k++)
				free_object(r->sub, (char *)*p + k * r->sub->size);
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

static int check_version(const struct row *r, struct ctx *c, struct hr_err **err)
{
	const char *v = *str_at(c, r);
	cleanup_free char *p = NULL;

	if (hr_str_has_prefix(v, "1."))
		return 0;
	p = sub(c->path, r->key);
	return bad(err, p, "unsupported version \"%s\"", v);
}

static int check_enum(const struct row *r, struct ctx *c, struct hr_err **err)
{
	const char *s = *str_at(c, r);
	cleanup_free char *p = NULL;
	int v;

	if (!s)
		return 0;
	v = r->lookup(s);
	if (v < 0) {
		p = sub(c->path, r->key);
		return bad(err, p, "unknown %s \"%s\"", r->what, s);
	}
	store_int(member(c, r), r->size, v);
	return 0;
}

static int check_required(const struct row *r, struct ctx *c, struct hr_err **err)
{
	cleanup_free char *p = NULL;

	if (c->seen & (1U << (r - c->d->rows)))
		return 0;
	p = sub(c->path, r->key);
	return bad(err, p, "required");
}

/* The need rows, all present: else "A, B and C are required", naming them all. */
static int check_needed(const struct row *r, struct ctx *c, struct hr_err **err)
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
	return bad(err, c->path, "%s are required", names);
}

static int check_abs(const struct row *r, struct ctx *c, struct hr_err **err)
{
	const char *s = *str_at(c, r);
	cleanup_free char *p = NULL;

	if (!s || s[0] == '/')
		return 0;
	p = sub(c->path, r->key);
	return bad(err, p, "must be an absolute path");
}

/* An absolute path without "..": what the runtime creates or opens inside the rootfs. */
static int check_clean(const struct row *r, struct ctx *c, struct hr_err **err)
{
	cleanup_free char *p = NULL;

	if (check_abs(r, c, err) < 0)
		return -1;
	if (hr_path_is_clean_abs(*str_at(c, r)))
		return 0;
	p = sub(c->path, r->key);
	return bad(err, p, "must not contain \"..\"");
}

static int check_abs_each(const struct row *r, struct ctx *c, struct hr_err **err)
{
	char **v = *(char ***)member(c, r);

	for (char **p = v; p && *p; p++)
		if ((*p)[0] != '/')
			return hr_fail(err, 0, "config.json: %s.%s[%td]: must be an absolute path", c->path, r->key,
				       p - v);
	return 0;
}

/* ---- the tables, innermost first ---- */

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

static int check_idmap(const struct row *r, struct ctx *c, struct hr_err **err)
{
	const struct hr_idmap *m = c->obj;

	if (check_needed(r, c, err) < 0)
		return -1;
	if (m->size == 0)
		return hr_fail(err, 0, "config.json: %s.size: must be greater than 0", c->path);
	if ((uint64_t)m->container_id + m->size > 1ULL << 32 || (uint64_t)m->host_id + m->size > 1ULL << 32)
		return bad(err, c->path, "range out of bounds");
	return 0;
}

static const struct row idmap_rows[] = {
	R("containerID", K_INT, AT(T_IDMAP, container_id), U32, NEED),
	R("hostID", K_INT, AT(T_IDMAP, host_id), U32, NEED),
	R("size", K_INT, AT(T_IDMAP, size), U32, NEED),
};
DESC(idmap_desc, T_IDMAP, idmap_rows, check_idmap, NULL);

/* A relative destination is deprecated but defined: relative to "/". */
static int check_destination(const struct row *r, struct ctx *c, struct hr_err **err)
{
	struct hr_mount *m = c->obj;

	(void)r;
	if (m->destination[0] == '\0')
		return hr_fail(err, 0, "config.json: %s.destination: must not be empty", c->path);
	if (m->destination[0] != '/') {
		char *absd = xasprintf("/%s", m->destination);

		free(m->destination);
		m->destination = absd;
	}
	if (!hr_path_is_clean_abs(m->destination))
		return hr_fail(err, 0, "config.json: %s.destination: must not contain \"..\"", c->path);
	return 0;
}

static int check_mount_options(const struct row *r, struct ctx *c, struct hr_err **err)
{
	struct hr_mount *m = c->obj;
	cleanup_free char *p = sub(c->path, r->key);

	return hr_mount_opts_parse(m->options, p, &m->opts, err);
}

static int check_mount(const struct row *r, struct ctx *c, struct hr_err **err)
{
	const struct hr_mount *m = c->obj;

	(void)r;
	if ((m->n_uid_mappings == 0) != (m->n_gid_mappings == 0))
		return bad(err, c->path, "uidMappings and gidMappings go together");
	return 0;
}

static void release_mount(void *o)
{
	hr_mount_opts_clear(&((struct hr_mount *)o)->opts);
}

static const struct row mount_rows[] = {
	R("destination", K_STR, AT(T_MOUNT, destination), REQ, .check = check_destination),
	R("type", K_STR, AT(T_MOUNT, type)),
	R("source", K_STR, AT(T_MOUNT, source)),
	R("options", K_STRV, AT(T_MOUNT, options), .check = check_mount_options),
	R("uidMappings", K_ARR, ARRAY(T_MOUNT, uid_mappings), .sub = &idmap_desc),
	R("gidMappings", K_ARR, ARRAY(T_MOUNT, gid_mappings), .sub = &idmap_desc),
};
DESC(mount_desc, T_MOUNT, mount_rows, check_mount, release_mount);

static const struct row console_rows[] = {
	R("height", K_INT, AT(T_PROCESS, console_height), U32, NEED),
	R("width", K_INT, AT(T_PROCESS, console_width), U32, NEED),
};
DESC(console_desc, T_PROCESS, console_rows, check_needed, NULL);

static const struct row user_rows[] = {
	R("uid", K_INT, AT(T_USER, uid), U32, NEED),
	R("gid", K_INT, AT(T_USER, gid), U32, NEED),
	CHECK(check_needed),
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

static const struct row caps_rows[] = {
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

static int check_rlimit(const struct row *r, struct ctx *c, struct hr_err **err)
{
	const struct hr_rlimit *rl = c->obj, *prev = c->first;

	for (size_t k = 0; k < c->index; k++)
		if (prev[k].resource == rl->resource)
			return hr_fail(err, 0, "config.json: %s.type: duplicate rlimit \"%s\"", c->path,
				       *str_of(c, "type"));
	if (check_needed(r, c, err) < 0)
		return -1;
	if (rl->soft > rl->hard)
		return bad(err, c->path, "soft limit exceeds hard limit");
	return 0;
}

static const struct row rlimit_rows[] = {
	R("type", K_ENUM, AT(T_RLIMIT, resource), REQ, .lookup = rlimit_lookup, .what = "rlimit", .check = check_enum),
	R("soft", K_U64, AT(T_RLIMIT, soft), NEED),
	R("hard", K_U64, AT(T_RLIMIT, hard), NEED),
};
DESC(rlimit_desc, T_RLIMIT, rlimit_rows, check_rlimit, NULL);

/* The first checks of process, before the members read after them. */
static int check_process_args(const struct row *r, struct ctx *c, struct hr_err **err)
{
	const struct hr_process *pr = c->obj;

	(void)r;
	if (pr->args == NULL || pr->args[0] == NULL)
		return hr_fail(err, 0, "config.json: process.args: must have at least one element");
	if (pr->cwd == NULL)
		return hr_fail(err, 0, "config.json: process.cwd: required");
	if (pr->cwd[0] != '/')
		return hr_fail(err, 0, "config.json: process.cwd: must be an absolute path");
	for (char **e = pr->env; e && *e; e++)
		if (!strchr(*e, '=') || (*e)[0] == '=')
			return hr_fail(err, 0, "config.json: process.env[%td]: expected KEY=value", e - pr->env);
	return 0;
}

static const struct row process_rows[] = {
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
	CHECK(check_process_args),
	R("oomScoreAdj", K_INT, AT(T_PROCESS, oom_score_adj), HAS(T_PROCESS, has_oom_score_adj), RANGE(-1000, 1000)),
	R("consoleSize", K_OBJ, .off = 0, HAS(T_PROCESS, has_console_size), .sub = &console_desc),
	R("user", K_OBJ, AT(T_PROCESS, user), REQ, .sub = &user_desc),
	R("capabilities", K_OBJ, AT(T_PROCESS, caps), HAS(T_PROCESS, has_capabilities), .sub = &caps_desc),
	R("rlimits", K_ARR, ARRAY(T_PROCESS, rlimits), .sub = &rlimit_desc),
};
DESC(process_desc, T_PROCESS, process_rows, NULL, NULL);

static int check_hook_timeout(const struct row *r, struct ctx *c, struct hr_err **err)
{
	const struct hr_hook *h = c->obj;

	(void)r;
	if (h->has_timeout && h->timeout <= 0)
		return hr_fail(err, 0, "config.json: %s.timeout: must be greater than 0", c->path);
	return 0;
}

static const struct row hook_rows[] = {
	R("path", K_STR, AT(T_HOOK, path), REQ, .check = check_abs),
	R("args", K_STRV, AT(T_HOOK, args)),
	R("env", K_STRV, AT(T_HOOK, env)),
	R("timeout", K_INT, AT(T_HOOK, timeout), HAS(T_HOOK, has_timeout), RANGE(INT_MIN, INT_MAX),
	  .check = check_hook_timeout),
};
DESC(hook_desc, T_HOOK, hook_rows, NULL, NULL);

#define LIST(T, m) AT(T, m.hooks), COUNT(T, m.n)
static const struct row hooks_rows[] = {
	R("prestart", K_ARR, LIST(T_SPEC, hooks[HR_HOOK_PRESTART]), .sub = &hook_desc),
	R("createRuntime", K_ARR, LIST(T_SPEC, hooks[HR_HOOK_CREATE_RUNTIME]), .sub = &hook_desc),
	R("createContainer", K_ARR, LIST(T_SPEC, hooks[HR_HOOK_CREATE_CONTAINER]), .sub = &hook_desc),
	R("startContainer", K_ARR, LIST(T_SPEC, hooks[HR_HOOK_START_CONTAINER]), .sub = &hook_desc),
	R("poststart", K_ARR, LIST(T_SPEC, hooks[HR_HOOK_POSTSTART]), .sub = &hook_desc),
	R("poststop", K_ARR, LIST(T_SPEC, hooks[HR_HOOK_POSTSTOP]), .sub = &hook_desc),
};
DESC(hooks_desc, T_SPEC, hooks_rows, NULL, NULL);

/* linux.namespaces[]: each lands in namespaces[type], at most once. */
static int check_namespace(const struct row *r, struct ctx *c, struct hr_err **err)
{
	struct hr_linux *lx = c->obj;
	const char *type = *str_of(c, "type");
	char **path = str_of(c, "path");
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

static const struct row namespace_rows[] = {
	R("type", K_STR, REQ, .tmp = true),
	R("path", K_STR, .tmp = true),
};
DESC(namespace_desc, T_LINUX, namespace_rows, check_namespace, NULL);

static int device_type_lookup(const char *s)
{
	return strlen(s) == 1 && strchr("cbup", s[0]) ? s[0] : -1;
}

static int check_device(const struct row *r, struct ctx *c, struct hr_err **err)
{
	const struct hr_device *d = c->obj;

	(void)r;
	if (d->type != 'p' && (!seen(c, "major") || !seen(c, "minor")))
		return hr_fail(err, 0, "config.json: %s: major and minor are required for type \"%c\"", c->path,
			       d->type);
	return 0;
}

static const struct row device_rows[] = {
	R("path", K_STR, AT(T_DEVICE, path), REQ, .check = check_clean),
	R("type", K_ENUM, AT(T_DEVICE, type), REQ, .lookup = device_type_lookup, .what = "device type",
	  .check = check_enum),
	R("major", K_INT, AT(T_DEVICE, major), U32),
	R("minor", K_INT, AT(T_DEVICE, minor), U32),
	R("fileMode", K_INT, AT(T_DEVICE, file_mode), HAS(T_DEVICE, has_file_mode), RANGE(0, 07777)),
	R("uid", K_INT, AT(T_DEVICE, uid), HAS(T_DEVICE, has_uid), U32),
	R("gid", K_INT, AT(T_DEVICE, gid), HAS(T_DEVICE, has_gid), U32),
};
DESC(device_desc, T_DEVICE, device_rows, check_device, NULL);

static int rule_type_lookup(const char *s)
{
	return strlen(s) == 1 && strchr("abc", s[0]) ? s[0] : -1;
}

static int check_device_rule(const struct row *r, struct ctx *c, struct hr_err **err)
{
	const char *a = ((const struct hr_device_rule *)c->obj)->access;

	(void)r;
	if (a && (a[0] == '\0' || strspn(a, "rwm") != strlen(a)))
		return hr_fail(err, 0, "config.json: %s.access: must be letters of \"rwm\"", c->path);
	return 0;
}

static const struct row device_rule_rows[] = {
	R("allow", K_BOOL, AT(T_DEVICE_RULE, allow), .check = check_required),
	R("type", K_ENUM, AT(T_DEVICE_RULE, type), .dflt = true, .lo = 'a', .lookup = rule_type_lookup,
	  .what = "device type", .check = check_enum),
	R("major", K_INT, AT(T_DEVICE_RULE, major), .dflt = true, RANGE(-1, UINT32_MAX)),
	R("minor", K_INT, AT(T_DEVICE_RULE, minor), .dflt = true, RANGE(-1, UINT32_MAX)),
	R("access", K_STR, AT(T_DEVICE_RULE, access)),
};
DESC(device_rule_desc, T_DEVICE_RULE, device_rule_rows, check_device_rule, NULL);

/* docker sends swappiness -1 as 2^64-1, meaning "unset" */
static int check_memory(const struct row *r, struct ctx *c, struct hr_err **err)
{
	struct hr_memory *m = c->obj;

	(void)r;
	if (m->has_swappiness && m->swappiness > 100 && m->swappiness != UINT64_MAX)
		return hr_fail(err, 0, "config.json: %s.swappiness: out of range", c->path);
	if (m->has_swappiness && m->swappiness == UINT64_MAX)
		m->has_swappiness = false;
	if (m->has_limit && m->limit < -1)
		return hr_fail(err, 0, "config.json: %s.limit: out of range", c->path);
	return 0;
}

static const struct row memory_rows[] = {
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
DESC(memory_desc, T_MEMORY, memory_rows, check_memory, NULL);

static const struct row cpu_rows[] = {
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

static const struct row pids_rows[] = {
	R("limit", K_INT, AT(T_RESOURCES, pids_limit), HAS(T_RESOURCES, has_pids), I64),
};
DESC(pids_desc, T_RESOURCES, pids_rows, NULL, NULL);

static const struct row weight_device_rows[] = {
	R("major", K_INT, AT(T_BLKIO_WEIGHT_DEVICE, major), U32, NEED),
	R("minor", K_INT, AT(T_BLKIO_WEIGHT_DEVICE, minor), U32, NEED),
	R("weight", K_INT, AT(T_BLKIO_WEIGHT_DEVICE, weight), HAS(T_BLKIO_WEIGHT_DEVICE, has_weight), RANGE(0, 1000)),
	R("leafWeight", K_INT, AT(T_BLKIO_WEIGHT_DEVICE, leaf_weight), HAS(T_BLKIO_WEIGHT_DEVICE, has_leaf_weight),
	  RANGE(0, 1000)),
};
DESC(weight_device_desc, T_BLKIO_WEIGHT_DEVICE, weight_device_rows, check_needed, NULL);

static const struct row throttle_rows[] = {
	R("major", K_INT, AT(T_BLKIO_THROTTLE, major), U32, NEED),
	R("minor", K_INT, AT(T_BLKIO_THROTTLE, minor), U32, NEED),
	R("rate", K_U64, AT(T_BLKIO_THROTTLE, rate), NEED),
};
DESC(throttle_desc, T_BLKIO_THROTTLE, throttle_rows, check_needed, NULL);

static const struct row blkio_rows[] = {
	R("weight", K_INT, AT(T_BLKIO, weight), HAS(T_BLKIO, has_weight), RANGE(0, 1000)),
	R("leafWeight", K_INT, AT(T_BLKIO, leaf_weight), HAS(T_BLKIO, has_leaf_weight), RANGE(0, 1000)),
	R("weightDevice", K_ARR, ARRAY(T_BLKIO, weight_device), .sub = &weight_device_desc),
	R("throttleReadBpsDevice", K_ARR, ARRAY(T_BLKIO, throttle_read_bps), .sub = &throttle_desc),
	R("throttleWriteBpsDevice", K_ARR, ARRAY(T_BLKIO, throttle_write_bps), .sub = &throttle_desc),
	R("throttleReadIOPSDevice", K_ARR, ARRAY(T_BLKIO, throttle_read_iops), .sub = &throttle_desc),
	R("throttleWriteIOPSDevice", K_ARR, ARRAY(T_BLKIO, throttle_write_iops), .sub = &throttle_desc),
};
DESC(blkio_desc, T_BLKIO, blkio_rows, NULL, NULL);

static const struct row hugepage_rows[] = {
	R("pageSize", K_STR, AT(T_HUGEPAGE_LIMIT, page_size), REQ),
	R("limit", K_U64, AT(T_HUGEPAGE_LIMIT, limit), .check = check_required),
};
DESC(hugepage_desc, T_HUGEPAGE_LIMIT, hugepage_rows, NULL, NULL);

static const struct row net_priority_rows[] = {
	R("name", K_STR, AT(T_NET_PRIORITY, name), REQ),
	R("priority", K_INT, AT(T_NET_PRIORITY, priority), U32),
};
DESC(net_priority_desc, T_NET_PRIORITY, net_priority_rows, NULL, NULL);

static const struct row network_rows[] = {
	R("classID", K_INT, AT(T_RESOURCES, net_class_id), HAS(T_RESOURCES, has_net_class_id), U32),
	R("priorities", K_ARR, ARRAY(T_RESOURCES, net_priorities), .sub = &net_priority_desc),
};
DESC(network_desc, T_RESOURCES, network_rows, NULL, NULL);

static const struct row resources_rows[] = {
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

static int check_seccomp_arg(const struct row *r, struct ctx *c, struct hr_err **err)
{
	struct hr_seccomp_arg *sa = c->obj;
	const char *op = *str_of(c, "op");
	int opn;

	if (check_needed(r, c, err) < 0)
		return -1;
	opn = op ? hr_seccomp_op_parse(op) : -1;
	if (opn < 0)
		return hr_fail(err, 0, "config.json: %s.op: unknown operator \"%s\"", c->path, op);
	sa->op = (enum hr_seccomp_op)opn;
	return 0;
}

static const struct row seccomp_arg_rows[] = {
	R("index", K_INT, AT(T_SECCOMP_ARG, index), RANGE(0, 5), NEED),
	R("value", K_U64, AT(T_SECCOMP_ARG, value), NEED),
	R("valueTwo", K_U64, AT(T_SECCOMP_ARG, value_two)),
	R("op", K_STR, REQ, .tmp = true),
};
DESC(seccomp_arg_desc, T_SECCOMP_ARG, seccomp_arg_rows, check_seccomp_arg, NULL);

/* The deprecated single "name" joins "names". */
static int check_rule_names(const struct row *r, struct ctx *c, struct hr_err **err)
{
	struct hr_seccomp_rule *rule = c->obj;
	const char *name = *str_at(c, r);

	if (name)
		hr_strv_push(&rule->names, name);
	if (!rule->names || !rule->names[0])
		return hr_fail(err, 0, "config.json: %s.names: must have at least one element", c->path);
	return 0;
}

static bool errno_action(enum hr_seccomp_action a)
{
	return a == HR_SCMP_ACT_ERRNO || a == HR_SCMP_ACT_TRACE;
}

static int check_rule_action(const struct row *r, struct ctx *c, struct hr_err **err)
{
	const struct hr_seccomp_rule *rule = c->obj;
	const struct hr_seccomp *sc = c->parent;

	(void)r;
	if (rule->has_errno_ret && !errno_action(rule->action))
		return hr_fail(err, 0, "config.json: %s.errnoRet: only valid with SCMP_ACT_ERRNO and SCMP_ACT_TRACE",
			       c->path);
	if (rule->action == HR_SCMP_ACT_NOTIFY && !sc->listener_path)
		return hr_fail(err, 0, "config.json: %s.action: SCMP_ACT_NOTIFY requires linux.seccomp.listenerPath",
			       c->path);
	return 0;
}

static const struct row seccomp_rule_rows[] = {
	R("names", K_STRV, AT(T_SECCOMP_RULE, names)),
	R("name", K_STR, .tmp = true, .check = check_rule_names),
	R("action", K_ENUM, AT(T_SECCOMP_RULE, action), REQ, .lookup = hr_seccomp_action_parse, .what = "action",
	  .check = check_enum),
	R("errnoRet", K_INT, AT(T_SECCOMP_RULE, errno_ret), HAS(T_SECCOMP_RULE, has_errno_ret), RANGE(0, 4095)),
	CHECK(check_rule_action),
	R("args", K_ARR, ARRAY(T_SECCOMP_RULE, args), .sub = &seccomp_arg_desc),
};
DESC(seccomp_rule_desc, T_SECCOMP_RULE, seccomp_rule_rows, NULL, NULL);

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

static bool seccomp_flag_known(const char *f)
{
	return strcmp(f, "SECCOMP_FILTER_FLAG_TSYNC") == 0 || strcmp(f, "SECCOMP_FILTER_FLAG_LOG") == 0 ||
	       strcmp(f, "SECCOMP_FILTER_FLAG_SPEC_ALLOW") == 0 ||
	       strcmp(f, "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV") == 0;
}

static int check_seccomp(const struct row *r, struct ctx *c, struct hr_err **err)
{
	const struct hr_seccomp *sc = c->obj;
	const char *P = c->path;

	(void)r;
	if (sc->has_default_errno_ret && !errno_action(sc->default_action))
		return hr_fail(err, 0,
			       "config.json: %s.defaultErrnoRet: only valid with SCMP_ACT_ERRNO and SCMP_ACT_TRACE", P);
	if (sc->listener_metadata && !sc->listener_path)
		return hr_fail(err, 0, "config.json: %s.listenerMetadata: requires listenerPath", P);
	/* one listener per container: the policy's filter never notifies */
	if (sc->listener_path && strcmp(P, "linux.seccomp") != 0)
		return hr_fail(err, 0, "config.json: %s.listenerPath: not supported", P);
	if (sc->listener_path && sc->listener_path[0] != '/')
		return hr_fail(err, 0, "config.json: %s.listenerPath: must be an absolute path", P);
	for (char **f = sc->flags; f && *f; f++)
		if (!seccomp_flag_known(*f))
			return hr_fail(err, 0, "config.json: %s.flags[%td]: unknown flag \"%s\"", P, f - sc->flags, *f);
	for (char **ar = sc->architectures; ar && *ar; ar++)
		if (!seccomp_arch_known(*ar))
			return hr_fail(err, 0, "config.json: %s.architectures[%td]: unknown architecture \"%s\"", P,
				       ar - sc->architectures, *ar);
	return 0;
}

static const struct row seccomp_rows[] = {
	R("defaultAction", K_ENUM, AT(T_SECCOMP, default_action), REQ, .lookup = hr_seccomp_action_parse,
	  .what = "action", .check = check_enum),
	CHECK(NULL),
	R("defaultErrnoRet", K_INT, AT(T_SECCOMP, default_errno_ret), HAS(T_SECCOMP, has_default_errno_ret),
	  RANGE(0, 4095)),
	R("architectures", K_STRV, AT(T_SECCOMP, architectures)),
	R("flags", K_STRV, AT(T_SECCOMP, flags)),
	R("listenerPath", K_STR, AT(T_SECCOMP, listener_path)),
	R("listenerMetadata", K_STR, AT(T_SECCOMP, listener_metadata)),
	CHECK(check_seccomp),
	R("syscalls", K_ARR, ARRAY(T_SECCOMP, rules), .sub = &seccomp_rule_desc),
};
DESC(seccomp_desc, T_SECCOMP, seccomp_rows, NULL, NULL);

/* The rootfs propagation always applies to the whole tree, as runc does. */
static int check_propagation(const struct row *r, struct ctx *c, struct hr_err **err)
{
	static const struct {
		const char *name;
		unsigned long flags;
	} t[] = {
		{"shared", MS_SHARED},	       {"rshared", MS_SHARED},	       {"slave", MS_SLAVE},
		{"rslave", MS_SLAVE},	       {"private", MS_PRIVATE},	       {"rprivate", MS_PRIVATE},
		{"unbindable", MS_UNBINDABLE}, {"runbindable", MS_UNBINDABLE},
	};
	struct hr_linux *lx = c->obj;

	(void)r;
	if (!lx->rootfs_propagation)
		return 0;
	for (size_t i = 0; i < HR_ARRAY_SIZE(t); i++)
		if (strcmp(lx->rootfs_propagation, t[i].name) == 0) {
			lx->rootfs_propagation_flags = t[i].flags | MS_REC;
			return 0;
		}
	return hr_fail(err, 0, "config.json: linux.rootfsPropagation: unknown propagation \"%s\"",
		       lx->rootfs_propagation);
}

static int domain_lookup(const char *s)
{
	return strcmp(s, "LINUX") == 0 ? 0 : strcmp(s, "LINUX32") == 0 ? 8 : -1;
}

static int check_personality_flags(const struct row *r, struct ctx *c, struct hr_err **err)
{
	json_t *flags = json_object_get(c->json, "flags");

	(void)r;
	if (flags && !(json_is_array(flags) && json_array_size(flags) == 0) && !json_is_null(flags))
		return hr_fail(err, 0, "config.json: linux.personality.flags: not supported by hardrun");
	return 0;
}

static const struct row personality_rows[] = {
	R("domain", K_ENUM, AT(T_LINUX, personality), REQ, .lookup = domain_lookup, .what = "domain",
	  .check = check_enum),
};
DESC(personality_desc, T_LINUX, personality_rows, check_personality_flags, NULL);

static int check_time_offset(const struct row *r, struct ctx *c, struct hr_err **err)
{
	struct hr_time_offset *t = c->obj;

	(void)r;
	(void)err;
	t->present = true;
	return 0;
}

static const struct row time_offset_rows[] = {
	R("secs", K_INT, AT(T_TIME_OFFSET, secs), I64),
	R("nanosecs", K_INT, AT(T_TIME_OFFSET, nanosecs), RANGE(0, 999999999)),
};
DESC(time_offset_desc, T_TIME_OFFSET, time_offset_rows, check_time_offset, NULL);

/* linux.timeOffsets: an object keyed by clock, so its keys are checked here, in their order. */
static int check_time_offsets(const struct row *r, struct ctx *c, struct hr_err **err)
{
	struct hr_linux *lx = c->obj;
	json_t *o = json_object_get(c->json, r->key), *v;
	const char *key;

	if (!o || json_is_null(o))
		return 0;
	if (want(o, JSON_OBJECT, "linux.timeOffsets", err) < 0)
		return -1;
	json_object_foreach(o, key, v)
	{
		cleanup_free char *kp = xasprintf("linux.timeOffsets.%s", key);
		int k = strcmp(key, "monotonic") == 0  ? HR_CLOCK_MONOTONIC
			: strcmp(key, "boottime") == 0 ? HR_CLOCK_BOOTTIME
						       : -1;

		if (k < 0)
			return bad(err, kp, "unknown clock");
		if (want(v, JSON_OBJECT, kp, err) < 0 ||
		    read_object(&time_offset_desc, v, kp, &lx->time_offsets[k], lx, NULL, 0, err) < 0)
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

static const struct row linux_rows[] = {
	R("namespaces", K_EACH, .sub = &namespace_desc),
	R("uidMappings", K_ARR, ARRAY(T_LINUX, uid_mappings), .sub = &idmap_desc),
	R("gidMappings", K_ARR, ARRAY(T_LINUX, gid_mappings), .sub = &idmap_desc),
	R("devices", K_ARR, ARRAY(T_LINUX, devices), .sub = &device_desc),
	R("cgroupsPath", K_STR, AT(T_LINUX, cgroups_path)),
	R("resources", K_OBJ, AT(T_LINUX, resources), HAS(T_LINUX, has_resources), .sub = &resources_desc),
	R("sysctl", K_MAP, ARRAY(T_LINUX, sysctl)),
	R("seccomp", K_OBJ, AT(T_LINUX, seccomp), .alloc = true, .sub = &seccomp_desc),
	R(HR_SPEC_POLICY_SECCOMP, K_OBJ, AT(T_LINUX, policy_seccomp), .alloc = true, .sub = &seccomp_desc),
	R("rootfsPropagation", K_STR, AT(T_LINUX, rootfs_propagation), .check = check_propagation),
	R("maskedPaths", K_STRV, AT(T_LINUX, masked_paths), .check = check_abs_each),
	R("readonlyPaths", K_STRV, AT(T_LINUX, readonly_paths), .check = check_abs_each),
	R("mountLabel", K_STR, AT(T_LINUX, mount_label)),
	R("intelRdt", K_UNSUP),
	R("memoryPolicy", K_UNSUP),
	R("netDevices", K_UNSUP),
	CHECK(NULL),
	R("personality", K_OBJ, .off = 0, HAS(T_LINUX, has_personality), .sub = &personality_desc),
	R("timeOffsets", K_CHECK, .check = check_time_offsets),
};
DESC(linux_desc, T_LINUX, linux_rows, NULL, release_linux);

static int check_root_path(const struct row *r, struct ctx *c, struct hr_err **err)
{
	(void)r;
	if (((struct hr_spec *)c->obj)->root_path[0] == '\0')
		return hr_fail(err, 0, "config.json: root.path: must not be empty");
	return 0;
}

/* The annotations that steer hardrun itself; others are the bundle's business. */
static int check_annotations(const struct row *r, struct ctx *c, struct hr_err **err)
{
	struct hr_spec *s = c->obj;

	(void)r;
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
		} else if (strcmp(k, HR_SPEC_ANN_ROOTFS_NOSUID) == 0) {
			s->root_nosuid_nodev = strcmp(v, "true") == 0;
		}
	}
	return 0;
}

static const struct row root_rows[] = {
	R("path", K_STR, AT(T_SPEC, root_path), REQ, .check = check_root_path),
	R("readonly", K_BOOL, AT(T_SPEC, root_readonly)),
};
DESC(root_desc, T_SPEC, root_rows, NULL, NULL);

static const struct row spec_rows[] = {
	R("ociVersion", K_STR, AT(T_SPEC, oci_version), REQ, .check = check_version),
	CHECK(NULL),
	R("root", K_OBJ, .off = 0, REQ, .sub = &root_desc),
	R("mounts", K_ARR, ARRAY(T_SPEC, mounts), .sub = &mount_desc),
	R("process", K_OBJ, AT(T_SPEC, process), .alloc = true, .sub = &process_desc),
	R("hostname", K_STR, AT(T_SPEC, hostname)),
	R("domainname", K_STR, AT(T_SPEC, domainname)),
	R("hooks", K_OBJ, .off = 0, .sub = &hooks_desc),
	R("annotations", K_MAP, ARRAY(T_SPEC, annotations), .check = check_annotations),
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
	if (read_object(&spec_desc, root, "", s, NULL, NULL, 0, err) < 0) {
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
	free_object(&spec_desc, spec);
	free(spec);
}
