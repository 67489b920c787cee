/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The one error object of hardrun.  A failing function returns -1 (or NULL)
 * and fills *err; callers add context with hr_fail_wrap() at module
 * boundaries; cli/main.c prints it once.  No function here prints.
 */
#ifndef HARDRUN_ERROR_H
#define HARDRUN_ERROR_H

#include "hardrun/compiler.h"

struct hr_err {
	int errnum; /* errno value, or 0 when the failure is not a syscall's */
	char *msg;  /* "context: context: cause", without strerror text */
};

/*
 * Record a failure.  errnum is an errno value or 0.  If *err is already set
 * it is kept (the first error wins) and the new message is dropped.
 * err may be NULL, in which case nothing is recorded.  Always returns -1.
 */
int hr_fail(struct hr_err **err, int errnum, const char *fmt, ...) HR_PRINTF(3, 4);

/*
 * Prefix the message of *err with "context: ".  If *err is NULL a new error
 * with errnum 0 and just the context is made.  Always returns -1.
 */
int hr_fail_wrap(struct hr_err **err, const char *fmt, ...) HR_PRINTF(2, 3);

/* Free *err (may be NULL) and set it to NULL.  Preserves errno. */
void hr_err_free(struct hr_err **err);

/*
 * Format the error as one line "msg: strerror(errnum)" (or just msg when
 * errnum is 0) into a new string owned by the caller.  Never fails (OOM
 * aborts).
 */
char *hr_err_format(const struct hr_err *err);

/* Build an error from an errnum and a ready message (used across the clone boundary). */
struct hr_err *hr_err_new(int errnum, const char *msg);

#define cleanup_err __attribute__((cleanup(hr_err_free)))

/* Exit status of the post-clone child when its setup failed. */
#define HR_EXIT_CHILD_SETUP 125

#endif
