/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Internal to src/runtime: the exit watcher, the status channel of the
 * restart cap.  An engine's shim reaps the init, so `delete` never sees its
 * exit status.  After `create`, a small process of hardrun's (not the
 * init's parent: the shim still reaps it) holds a pidfd of the init and,
 * once the init has been reaped, reads its status with PIDFD_GET_INFO
 * (PIDFD_INFO_EXIT, Linux 6.15) and writes it to the state dir as
 * `exit-status`; then it exits.  On older kernels there is no watcher and
 * the status stays unknown.
 */
#ifndef HARDRUN_RUNTIME_EXITWATCH_H
#define HARDRUN_RUNTIME_EXITWATCH_H

#include <sys/types.h>

#include "hardrun/error.h"

#define HR_EXIT_STATUS_FILE "exit-status"

/*
 * Start the watcher of init (a process of container id under root_fd).
 * Returns its pid, 0 when the kernel cannot report a reaped process's
 * status (no watcher), -1 with *err on failure.
 */
pid_t hr_exitwatch_start(int root_fd, const char *id, pid_t init, struct hr_err **err);

/*
 * The init's exit status as the watcher recorded it (the code, or 128 +
 * signal), waiting up to 500 ms while the watcher (pid, start time) is still
 * at work, once the init (pid, start time) has been reaped; -1 when unknown.
 */
int hr_exitwatch_status(int dir_fd, pid_t init, unsigned long long init_start, pid_t watcher,
			unsigned long long watcher_start);

#endif
