/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * SELinux labels as runc handles them: a process label is written to
 * /proc/thread-self/attr/exec right before execve; a config that asks for a
 * label on a host without SELinux is refused (runc: "selinux label is
 * specified in config, but selinux is disabled or not supported").
 */
#ifndef HARDRUN_SELINUX_H
#define HARDRUN_SELINUX_H

#include <stdbool.h>

#include "hardrun/error.h"
#include "hardrun/spec.h"

/* True when selinuxfs is mounted at /sys/fs/selinux (the kernel runs SELinux). */
bool hr_selinux_enabled(void);

/*
 * Refuse labels this host cannot apply: process.selinuxLabel or
 * linux.mountLabel without SELinux, and linux.mountLabel with it (hardrun
 * does not yet label mounts; refusing beats running unlabelled).
 */
int hr_selinux_check(const struct hr_process *p, const char *mount_label, struct hr_err **err);

/* Child: label for the next execve, written through a verified procfs fd. */
int hr_selinux_apply_child(const char *label, struct hr_err **err);

#endif
