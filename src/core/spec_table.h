/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Internal to src/core: the table reader behind spec.c.  Every JSON object
 * of config.json is described by a table of rows (struct hr_spec_desc): the
 * member's key, what it must be (kind), where it lands in the struct the
 * object fills, and its validator.  hr_spec_read_object() goes through the
 * rows in order; each row's type, range and "required" errors come as it is
 * read, and its validator runs at the next CHECK row (or at the end of the
 * object), once the rows up to there have been read, so that type errors
 * come before value errors.  Validators run in row order, then the CHECK
 * row's own check (at the end, the desc's).  A member absent or null is
 * absent.  hr_spec_free_object() releases what the same rows allocated, so
 * a new runtime-spec field is one row.  The reader is spec_read.c; the
 * tables are spec.c's.
 */
#ifndef HARDRUN_CORE_SPEC_TABLE_H
#define HARDRUN_CORE_SPEC_TABLE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hardrun/error.h"

enum hr_spec_kind {
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

struct hr_spec_ctx;
struct hr_spec_row;

typedef int hr_spec_check_fn(const struct hr_spec_row *r, struct hr_spec_ctx *c, struct hr_err **err);

struct hr_spec_desc {
	const struct hr_spec_row *rows;
	size_t n_rows;
	size_t size;		  /* of the struct the rows land in (K_ARR elements, alloc objects) */
	hr_spec_check_fn *check;  /* after the last row */
	void (*release)(void *o); /* what the rows do not free (derived members) */
};

struct hr_spec_row {
	const char *key;
	enum hr_spec_kind kind;
	size_t off;   /* the member, in the object's struct */
	size_t size;  /* its size (K_INTV: of one element) */
	size_t has;   /* 1 + offset of the bool set when the member is present; 0: none */
	size_t count; /* K_ARR, K_INTV, K_MAP: offset of the size_t element count */
	int64_t lo, hi;
	bool req;   /* absent: "required" */
	bool dflt;  /* absent: the member is lo */
	bool need;  /* absent: hr_spec_check_needed fails, naming every need row */
	bool tmp;   /* K_STR: not stored, only for the validators */
	bool alloc; /* K_OBJ: the member points to a new struct */
	const struct hr_spec_desc *sub;
	int (*lookup)(const char *s); /* K_ENUM: value ≥ 0, or -1 */
	const char *what;	      /* K_ENUM: "namespace" in "unknown namespace \"x\"" */
	hr_spec_check_fn *check;
};

#define HR_SPEC_MAX_ROWS 32

struct hr_spec_ctx {
	const struct hr_spec_desc *d;
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
	static const struct hr_spec_desc name = {rows, HR_ARRAY_SIZE(rows), sizeof(T), chk, rel}

/* "config.json: PATH: reason", the one line every structural error is; returns -1. */
int hr_spec_fail(struct hr_err **err, const char *path, const char *fmt, ...) HR_PRINTF(3, 4);
/* "path.key" (key alone at the top level), a new string. */
char *hr_spec_path(const char *path, const char *key);
/* 0 when v is of type t (JSON_TRUE: any boolean), else "PATH: expected string" and -1. */
int hr_spec_want(json_t *v, json_type t, const char *path, struct hr_err **err);
/* Where r's string is: its member, or (K_ENUM, tmp) the object's own slot. */
char **hr_spec_str_at(struct hr_spec_ctx *c, const struct hr_spec_row *r);
/* Whether key's member was present (false for a key the table lacks: fails closed). */
bool hr_spec_seen(const struct hr_spec_ctx *c, const char *key);
/* hr_spec_str_at of key's row (a slot holding NULL for a key the table lacks). */
char **hr_spec_str_of(struct hr_spec_ctx *c, const char *key);

/*
 * Read the object o (at path) with d's rows into obj; parent is the struct
 * of the enclosing object, first/index the array obj is element index of
 * (NULL/0 outside arrays).  On error, what was read stays in obj for
 * hr_spec_free_object.
 */
int hr_spec_read_object(const struct hr_spec_desc *d, json_t *o, const char *path, void *obj, void *parent, void *first,
			size_t index, struct hr_err **err);
/* Free what d's rows (and d->release) hold in obj; obj itself stays. */
void hr_spec_free_object(const struct hr_spec_desc *d, void *obj);

/* Validators for the rows' check. */
int hr_spec_check_enum(const struct hr_spec_row *r, struct hr_spec_ctx *c,
		       struct hr_err **err); /* K_ENUM: look up, store */
int hr_spec_check_required(const struct hr_spec_row *r, struct hr_spec_ctx *c, struct hr_err **err); /* present */
int hr_spec_check_needed(const struct hr_spec_row *r, struct hr_spec_ctx *c,
			 struct hr_err **err); /* all need rows present */
int hr_spec_check_abs(const struct hr_spec_row *r, struct hr_spec_ctx *c,
		      struct hr_err **err); /* absolute path or absent */
int hr_spec_check_clean(const struct hr_spec_row *r, struct hr_spec_ctx *c, struct hr_err **err); /* and without ".." */
int hr_spec_check_abs_each(const struct hr_spec_row *r, struct hr_spec_ctx *c,
			   struct hr_err **err); /* K_STRV of absolute paths */

/* spec_check.c: the field validators the tables name (one per row or object). */
hr_spec_check_fn hr_spec_check_version;
hr_spec_check_fn hr_spec_check_idmap;
hr_spec_check_fn hr_spec_check_destination;
hr_spec_check_fn hr_spec_check_mount_options;
hr_spec_check_fn hr_spec_check_mount;
hr_spec_check_fn hr_spec_check_rlimit;
hr_spec_check_fn hr_spec_check_process_args;
hr_spec_check_fn hr_spec_check_hook_timeout;
hr_spec_check_fn hr_spec_check_namespace; /* in spec.c, beside the names it reads */
hr_spec_check_fn hr_spec_check_device;
hr_spec_check_fn hr_spec_check_device_rule;
hr_spec_check_fn hr_spec_check_memory;
hr_spec_check_fn hr_spec_check_seccomp_arg;
hr_spec_check_fn hr_spec_check_rule_names;
hr_spec_check_fn hr_spec_check_rule_action;
hr_spec_check_fn hr_spec_check_seccomp;
hr_spec_check_fn hr_spec_check_propagation;
hr_spec_check_fn hr_spec_check_personality_flags;
hr_spec_check_fn hr_spec_check_time_offset;
hr_spec_check_fn hr_spec_check_time_offsets; /* in spec.c, beside the table it reads */
hr_spec_check_fn hr_spec_check_root_path;
hr_spec_check_fn hr_spec_check_annotations;

#endif
