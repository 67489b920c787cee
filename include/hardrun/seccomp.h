/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * seccomp: linux.seccomp compiled with libseccomp into classic BPF in the
 * parent, before clone; loaded by the init with seccomp(2), no library
 * code and no allocation in the child.  SCMP_ACT_NOTIFY listener fds go to
 * linux.seccomp.listenerPath as the runtime-spec describes.
 */
#ifndef HARDRUN_SECCOMP_H
#define HARDRUN_SECCOMP_H

#include <linux/filter.h>
#include <stdbool.h>
#include <sys/types.h>

#include "hardrun/error.h"
#include "hardrun/spec.h"

struct hr_bpf {
	struct sock_filter *filter;
	unsigned short len;
	unsigned int flags; /* SECCOMP_FILTER_FLAG_* for seccomp(2) */
	bool notify;	    /* has SCMP_ACT_NOTIFY rules: loading returns a listener fd */
	size_t n_rules;	    /* rules added (for the debug log) */
};

/*
 * Compile sc.  Syscall names libseccomp does not know are skipped (runc
 * does the same, so Docker's profile loads on any kernel); a rule equal to
 * the default action is skipped (libseccomp would refuse it).  Errors name
 * the syscall or the field.  *out is owned by the caller (hr_bpf_free).
 */
int hr_seccomp_compile(const struct hr_seccomp *sc, struct hr_bpf **out, struct hr_err **err);
void hr_bpf_free(struct hr_bpf *b);

/*
 * Child only: install the filter.  Needs no_new_privs or CAP_SYS_ADMIN.
 * *notify_fd gets the listener fd (O_CLOEXEC) when b->notify, else -1.
 */
int hr_seccomp_load_child(const struct hr_bpf *b, int *notify_fd, struct hr_err **err);

/*
 * Parent: connect to listener_path (AF_UNIX, SOCK_STREAM) and send the
 * container process state JSON with notify_fd in SCM_RIGHTS, then close.
 * state_json is the OCI state of the container.
 */
int hr_seccomp_send_listener(const char *listener_path, int notify_fd, const char *metadata, const char *state_json,
			     pid_t pid, struct hr_err **err);

#endif
