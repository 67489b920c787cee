/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Messages between the runtime (parent) and the container init (child) over
 * a SOCK_SEQPACKET socketpair: one message per packet, an optional fd in
 * SCM_RIGHTS.  Errors cross the clone boundary as {errnum, text} and are
 * rebuilt into a struct hr_err by the parent.
 */
#ifndef HARDRUN_SYNC_H
#define HARDRUN_SYNC_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "hardrun/error.h"

enum hr_sync_type {
	HR_SYNC_ERROR = 1,  /* child → parent: errnum + message, then _exit */
	HR_SYNC_GO,	    /* parent → child: maps written, cgroup entered; payload: state JSON for hooks */
	HR_SYNC_USERNS,	    /* stage1 → parent: new user namespace made, write the maps */
	HR_SYNC_MAPS_DONE,  /* parent → stage1: cgroup entered / id maps written, go on */
	HR_SYNC_PID,	    /* stage1 → parent: the init's pid (int32 in errnum) */
	HR_SYNC_HOOKS,	    /* child → parent: namespaces ready, run prestart/createRuntime hooks */
	HR_SYNC_HOOKS_DONE, /* parent → child */
	HR_SYNC_READY,	    /* child → parent: set up, waiting on the exec fifo; may carry the seccomp notify fd */
	HR_SYNC_LEARN,	    /* child → parent: the learn filter's listener fd, right after loading it */
	HR_SYNC_DATA,	    /* one piece of a large payload (hr_sync_send_large) */
};

/* one message's payload is less than this (hr_sync_recv NUL-terminates it) */
#define HR_SYNC_MAX 8192
/* the largest payload hr_sync_send_large carries (the hook state, annotations included) */
#define HR_SYNC_LARGE_MAX (16U << 20)

struct hr_sync_msg {
	uint32_t type;
	int32_t errnum;
	uint32_t len;
	int fd; /* received fd or -1 */
	char data[HR_SYNC_MAX];
};

/* Send one message; fd < 0 means none.  Returns 0 or -1 with errno. No allocation (child-safe). */
int hr_sync_send(int sock, enum hr_sync_type type, int32_t errnum, const void *data, size_t len, int fd);

/* Receive one message into *m (data NUL-terminated).  Returns 0, or -1 with errno (EPIPE on EOF). */
int hr_sync_recv(int sock, struct hr_sync_msg *m);

/*
 * Receive a message of the expected type.  An HR_SYNC_ERROR message
 * becomes *err (message text from the child); EOF becomes "container init
 * exited during setup".
 */
int hr_sync_expect(int sock, enum hr_sync_type type, struct hr_sync_msg *m, struct hr_err **err);

/*
 * Send a payload of up to HR_SYNC_LARGE_MAX bytes: a message of `type`
 * carrying its length (uint32), then HR_SYNC_DATA pieces of less than
 * HR_SYNC_MAX bytes.  The peer must be reading (hr_sync_expect_large) while
 * the pieces go out.  Returns 0, or -1 with errno (EMSGSIZE over the limit).
 */
int hr_sync_send_large(int sock, enum hr_sync_type type, const void *data, size_t len);

/*
 * Receive what hr_sync_send_large sent: *out gets a NUL-terminated copy
 * (malloc'd) of the payload, *len its length.  Errors as hr_sync_expect.
 */
int hr_sync_expect_large(int sock, enum hr_sync_type type, struct hr_sync_msg *m, char **out, size_t *len,
			 struct hr_err **err);

/* Child only: report *err (or errnum+text) to the parent and _exit(HR_EXIT_CHILD_SETUP). */
HR_NORETURN void hr_sync_die_child(int sock, struct hr_err *err);

#endif
