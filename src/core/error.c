/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The error object: creation, wrapping with context, formatting.  Owns no
 * policy about printing; cli/main.c prints.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hardrun/error.h"
#include "hardrun/strutil.h"

struct hr_err *hr_err_new(int errnum, const char *msg)
{
	struct hr_err *e = xzalloc(sizeof(*e));

	e->errnum = errnum;
	e->msg = xstrdup(msg ? msg : "");
	return e;
}

int hr_fail(struct hr_err **err, int errnum, const char *fmt, ...)
{
	va_list ap;
	int saved = errno;

	if (err == NULL || *err != NULL) {
		errno = saved;
		return -1;
	}
	*err = xzalloc(sizeof(**err));
	(*err)->errnum = errnum;
	va_start(ap, fmt);
	(*err)->msg = xvasprintf(fmt, ap);
	va_end(ap);
	errno = saved;
	return -1;
}

int hr_fail_wrap(struct hr_err **err, const char *fmt, ...)
{
	va_list ap;
	cleanup_free char *ctx = NULL;
	char *joined;
	int saved = errno;

	if (err == NULL)
		return -1;
	va_start(ap, fmt);
	ctx = xvasprintf(fmt, ap);
	va_end(ap);
	if (*err == NULL) {
		*err = hr_err_new(0, ctx);
	} else {
		joined = xasprintf("%s: %s", ctx, (*err)->msg);
		free((*err)->msg);
		(*err)->msg = joined;
	}
	errno = saved;
	return -1;
}

void hr_err_free(struct hr_err **err)
{
	int saved = errno;

	if (err && *err) {
		free((*err)->msg);
		free(*err);
		*err = NULL;
	}
	errno = saved;
}

char *hr_err_format(const struct hr_err *err)
{
	if (err == NULL)
		return xstrdup("unknown error");
	if (err->errnum != 0)
		return xasprintf("%s: %s", err->msg, strerror(err->errnum));
	return xstrdup(err->msg);
}
