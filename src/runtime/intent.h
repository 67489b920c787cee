/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Internal to src/runtime: the intent record, <root>/<id>/intent.  Before
 * create makes anything on the host it appends a line "KIND VALUE" naming
 * it, so a create (or delete) killed at any point leaves a record of
 * exactly what may exist, and `delete --force` undoes that and nothing
 * else.  Each line is one write(2) with O_APPEND: a SIGKILL never leaves
 * half a line, and lines are ordered without fsync (power loss is out of
 * scope; the kernel state a record names does not survive it either).
 *
 * Kinds (one VALUE, no newline):
 *   owner PID START     the create that writes the record (START: clock ticks)
 *   bundle PATH         for list
 *   created TIME        RFC 3339, for list
 *   idrange ID          an id range is (about to be) held in the pool
 *   apparmor NAME       a generated AppArmor profile is (about to be) loaded
 *   cgroup PATH         the resolved cgroup path
 *   cgdir DIR           a cgroupfs parent directory about to be made
 *   cgleaf DIR          the container's cgroup directory about to be made
 *   init PID START      a process of the container (first child, init)
 *   watcher PID START   hardrun's exit watcher of the init (exitwatch.h)
 *   tmp PATH            a temporary file outside the state dir (pid file)
 * A kind this build does not know is an error on undo (fail closed):
 * a newer hardrun, or another driver (a systemd unit, #7), made it.
 */
#ifndef HARDRUN_RUNTIME_INTENT_H
#define HARDRUN_RUNTIME_INTENT_H

#include <stdbool.h>
#include <stddef.h>

#include "hardrun/error.h"
#include "statedir.h" /* HR_INTENT_FILE */

struct hr_intent_rec {
	char *kind;
	char *value;
};

struct hr_intent {
	struct hr_intent_rec *v;
	size_t n;
	bool exists; /* the file was there */
};

/* Append "kind value\n" (value printf-formatted) to dir_fd's record; EINVAL for a value with a newline. */
int hr_intent_add(int dir_fd, struct hr_err **err, const char *kind, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Several "kind value" lines (the caller's text, newline-terminated) in one write. */
int hr_intent_add_lines(int dir_fd, const char *text, size_t len, struct hr_err **err);
/* Read dir_fd's record; a missing file is an empty record (exists false). */
int hr_intent_read(int dir_fd, struct hr_intent *out, struct hr_err **err);
void hr_intent_clear(struct hr_intent *in);
/* The value of the first record of kind, or NULL. */
const char *hr_intent_get(const struct hr_intent *in, const char *kind);

/*
 * Undo what the record names, newest first: kill the recorded processes
 * still alive with their recorded start time, remove the recorded cgroup
 * directories (a leaf with its processes, a parent only when empty), unload
 * the AppArmor profile (unless skip_apparmor), release the id range, remove
 * temporaries, and the temporaries derived from the id (ledger) and from
 * dead writers (filter cache).  Every step runs even when an earlier one
 * failed; the first error is returned.  root_fd/dir_fd: the state root and
 * the locked state dir of id.
 */
int hr_intent_undo(int root_fd, const char *id, const struct hr_intent *in, bool skip_apparmor, struct hr_err **err);

#endif
