/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Learn mode in the runtime: the learn filter for a create or exec, and
 * the recorder process that outlives them.  See learn.c.
 */
#ifndef HARDRUN_RUNTIME_LEARN_H
#define HARDRUN_RUNTIME_LEARN_H

#include <sys/types.h>

#include "hardrun/error.h"
#include "hardrun/seccomp.h"
#include "hardrun/spec.h"

/* The profile path harden chose for this container (HR_SPEC_ANN_SECCOMP_LEARNING), or NULL: not learning. */
const char *hr_learn_path(const struct hr_spec *spec);

/*
 * The learn filter for a process whose sync socket is sync_fd (new *out):
 * refuses a kernel below 5.5 and a bundle filter with a listener of its
 * own (one listener per task); the profile already at the path, if any,
 * is the seed (its calls are allowed directly and kept); a file there that
 * is not a learned profile is an error, not overwritten.
 */
int hr_learn_prepare(const struct hr_spec *spec, const struct hr_bpf *bundle, int sync_fd, struct hr_bpf **out,
		     struct hr_err **err);

/*
 * Start the recorder for notify_fd (borrowed; the recorder gets a copy) in
 * a session of its own, detached from the caller (a grandchild, reparented
 * to the nearest subreaper or init), with /dev/null as stdio and no other
 * fd of ours: it ends when the container's last task is gone.  pid is the
 * process learning (watched only on kernels without listener hang-up).
 */
int hr_learn_spawn(int notify_fd, pid_t pid, const char *path, struct hr_err **err);

#endif
