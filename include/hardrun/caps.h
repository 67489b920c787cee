/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Capabilities and identity of the container init (libcap-ng): bounding
 * set, groups, uid/gid, then exactly the configured effective, permitted,
 * inheritable and ambient sets.  Inheritable and ambient stay empty unless
 * listed (CVE-2022-29162).
 */
#ifndef HARDRUN_CAPS_H
#define HARDRUN_CAPS_H

#include <stdbool.h>

#include "hardrun/error.h"
#include "hardrun/spec.h"

/*
 * Child only, called as uid 0 of the container (host root or root of its
 * user namespace).  caps == NULL means every set empty.  setgroups_allowed
 * false (a user namespace with setgroups denied) makes additional gids an
 * error.  Capabilities above the kernel's last one are skipped (the spec
 * wants a warning, which the parent logged).  errno of the failing step.
 */
int hr_caps_apply_child(const struct hr_caps *caps, const struct hr_user *user, bool setgroups_allowed,
			struct hr_err **err);

/* Parent: the kernel's last capability (/proc/sys/kernel/cap_last_cap). */
int hr_caps_last_cap(void);

#endif
