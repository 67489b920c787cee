/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Seccomp learn mode (see hardrun(8), SECCOMP PROFILES): a filter whose
 * default action is SCMP_ACT_NOTIFY, loaded exactly where enforce mode
 * loads its last filter, and the recorder that answers every notification
 * with SECCOMP_USER_NOTIF_FLAG_CONTINUE while it writes the calls it saw
 * as a learned profile (hardrun/scprof.h).  The other filters stay loaded
 * beside it: learning never loosens them.
 */
#ifndef HARDRUN_SECCOMP_LEARN_H
#define HARDRUN_SECCOMP_LEARN_H

#include <stdint.h>

#include "hardrun/error.h"
#include "hardrun/scprof.h"
#include "hardrun/seccomp.h"

/*
 * Whether this kernel can learn: SECCOMP_USER_NOTIF_FLAG_CONTINUE needs
 * Linux 5.5.  Fails with errnum ENOSYS and a message naming the running
 * kernel below that.
 */
int hr_seccomp_learn_supported(struct hr_err **err);

/*
 * The recorder's loop (a process of its own, see runtime/learn.c): until
 * the listener hangs up (no task of the filter is left, Linux 5.8) or, on
 * older kernels, pidfd (>= 0) becomes readable, receive each
 * notification (the struct is zeroed first: the kernel refuses a dirty
 * one), check its id is still valid, record (arch, syscall) and, for a call
 * not seen before, rewrite out_path atomically (merged under a lock with
 * what is there, so exec'd processes learning into the same file add up),
 * then answer CONTINUE.  An answer to a task that was killed meanwhile
 * (ENOENT) is normal.  Returns 0, or -1 with *err when the listener or the
 * file fails; the workload is never left waiting (closing the listener
 * makes pending calls fail with ENOSYS).  The profile always holds the
 * native architecture, sendmsg (the handoff call the filter allows) and
 * seccomp (enforced, the profile is the first filter).
 */
int hr_seccomp_learn_serve(int notify_fd, int pidfd, const char *out_path, struct hr_err **err);

#endif
