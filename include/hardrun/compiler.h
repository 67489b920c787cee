/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Annotation macros used everywhere: cleanup attributes for automatic release
 * of memory, fds, streams, directories, json values and error objects, and the
 * steal_* helpers that move ownership out of such a variable.  Every cleanup
 * helper accepts NULL / -1 and preserves errno.  Nothing here allocates.
 */
#ifndef HARDRUN_COMPILER_H
#define HARDRUN_COMPILER_H

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define HR_UNUSED __attribute__((unused))
#define HR_NORETURN __attribute__((noreturn))
#define HR_PRINTF(a, b) __attribute__((format(printf, a, b)))
#define HR_WARN_UNUSED __attribute__((warn_unused_result))
#define HR_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static inline void hr_cleanup_freep(void *p)
{
	void **pp = (void **)p;
	int saved = errno;

	free(*pp);
	*pp = NULL;
	errno = saved;
}

/*
 * close(2) is never retried on EINTR: on Linux the descriptor is released
 * even when close reports EINTR, and retrying could close an fd another
 * part of the program just received.  EBADF is ignored.
 */
static inline void hr_cleanup_closep(int *fd)
{
	int saved = errno;

	if (*fd >= 0)
		(void)close(*fd);
	*fd = -1;
	errno = saved;
}

static inline void hr_cleanup_fclosep(FILE **f)
{
	int saved = errno;

	if (*f)
		(void)fclose(*f);
	*f = NULL;
	errno = saved;
}

static inline void hr_cleanup_closedirp(DIR **d)
{
	int saved = errno;

	if (*d)
		(void)closedir(*d);
	*d = NULL;
	errno = saved;
}

/* Frees a NULL-terminated vector of strings and the vector itself. */
static inline void hr_cleanup_strvp(char ***v)
{
	int saved = errno;

	if (*v) {
		for (char **s = *v; *s; s++)
			free(*s);
		free(*v);
	}
	*v = NULL;
	errno = saved;
}

#define cleanup_free __attribute__((cleanup(hr_cleanup_freep)))
#define cleanup_close __attribute__((cleanup(hr_cleanup_closep)))
#define cleanup_fclose __attribute__((cleanup(hr_cleanup_fclosep)))
#define cleanup_dir __attribute__((cleanup(hr_cleanup_closedirp)))
#define cleanup_strv __attribute__((cleanup(hr_cleanup_strvp)))

static inline void *hr_steal_ptr(void *pp)
{
	void **p = (void **)pp;
	void *v = *p;

	*p = NULL;
	return v;
}

static inline int hr_steal_fd(int *fd)
{
	int v = *fd;

	*fd = -1;
	return v;
}

#define steal_ptr(pp) hr_steal_ptr(pp)
#define steal_fd(pfd) hr_steal_fd(pfd)

#endif
