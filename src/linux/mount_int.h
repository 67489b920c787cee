/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Internal to src/linux: the mount helpers that mount.c and mount_cgroup.c share (child side). */
#ifndef HARDRUN_LINUX_MOUNT_INT_H
#define HARDRUN_LINUX_MOUNT_INT_H

#include <sys/mount.h>
#include <stdbool.h>

#include "hardrun/error.h"
#include "hardrun/init.h"

/* MS_* flags to set and to clear as a struct mount_attr. */
void flags_to_attr(unsigned long set, unsigned long clr, struct mount_attr *a);
/* mount_setattr(2) on fd (the tree below it when recursive); what names it in errors. */
int setattr_fd(int fd, bool recursive, const struct mount_attr *a, const char *what, struct hr_err **err);
/* move_mount(2) of a detached tree onto target (dest names it in errors). */
int attach_tree(int tree, int target, const char *dest, struct hr_err **err);
/* The cgroup mount m inside the rootfs (mount_cgroup.c). */
int cgroup_mount(const struct hr_plan *plan, const struct hr_mount *m, int rootfs_fd, struct hr_err **err);

#endif
