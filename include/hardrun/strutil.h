/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Allocation and string helpers with no kernel-facing behaviour: x*alloc
 * abort on OOM (the only place hardrun aborts), strict number parsing (never
 * atoi), string vectors, signal names, and JSON-safe string building.
 */
#ifndef HARDRUN_STRUTIL_H
#define HARDRUN_STRUTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hardrun/compiler.h"

void *xmalloc(size_t n);
void *xzalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* asprintf that aborts on OOM; returns a new string. */
char *xasprintf(const char *fmt, ...) HR_PRINTF(1, 2);
char *xvasprintf(const char *fmt, va_list ap) HR_PRINTF(1, 0);

/*
 * Strict decimal parsers: the whole string must be a number in range,
 * no sign for unsigned, no leading/trailing space.  Return 0 or -1.
 */
int hr_parse_u64(const char *s, uint64_t *out);
int hr_parse_i64(const char *s, int64_t *out);
int hr_parse_u32(const char *s, uint32_t *out);
int hr_parse_int(const char *s, int *out);

/* NULL-terminated string vectors. */
size_t hr_strv_len(char *const *v);
char **hr_strv_dup(char *const *v);
void hr_strv_free(char **v);
/* Appends a copy of s; *v may be NULL. */
void hr_strv_push(char ***v, const char *s);

bool hr_str_has_prefix(const char *s, const char *prefix);
bool hr_str_has_suffix(const char *s, const char *suffix);

/*
 * Signal names: "TERM", "SIGTERM", "term" and "15" all give 15.
 * Returns the signal number or -1 when unknown.
 */
int hr_signal_parse(const char *s);
/* "SIGTERM" for 15, NULL when unknown.  Static storage. */
const char *hr_signal_name(int sig);

/*
 * Container ids follow runc: [A-Za-z0-9][A-Za-z0-9_+.-]* of at most 1024
 * bytes, never "." or "..".  Returns true when valid.
 */
bool hr_id_valid(const char *id);

/* Whether path is absolute and has no ".." component. */
bool hr_path_is_clean_abs(const char *path);

/*
 * Join a and b with exactly one '/', returns a new string.  b may start
 * with '/'.
 */
char *hr_path_join(const char *a, const char *b);

/*
 * Write or read exactly len bytes, retrying on EINTR and short transfers.
 * 0 on success; -1 with errno set (EIO for an unexpected end of file).
 */
int hr_write_all(int fd, const void *buf, size_t len);
int hr_read_all(int fd, void *buf, size_t len);

/* RFC3339 UTC time with nanoseconds, e.g. "2026-11-22T10:00:00.123456789Z" into buf (>= 40 bytes). */
void hr_time_rfc3339(char *buf, size_t len);

#endif
