/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Capabilities and process credentials of the container process: the
 * bounding-set drop, the id switch (groups, gid, uid) and the final
 * effective/permitted/inheritable/ambient sets.  Capability names are
 * parsed in core (hr_cap_from_name); this module only applies bit masks.
 */
#ifndef HARDRUN_CAPS_H
#define HARDRUN_CAPS_H

#include <stdbool.h>

#include "hardrun/error.h"
#include "hardrun/spec.h"

/*
 * Parent side: the highest capability number the running kernel knows, from
 * /proc/sys/kernel/cap_last_cap, else by probing PR_CAPBSET_READ.  Never
 * fails (falls back to the headers' CAP_LAST_CAP).
 */
int hr_caps_last_cap(void);

/*
 * Child only.  Called as uid 0 (in the container's user namespace or on the
 * host), after mounts and before the final seccomp load.  In this order:
 *   1. drop every capability not in caps->bounding from the bounding set
 *      (PR_CAPBSET_DROP, up to the kernel's last cap found by probing
 *      PR_CAPBSET_READ: /proc is not read here);
 *   2. PR_SET_KEEPCAPS 1, so permitted survives the uid change;
 *   3. setgroups(user->additional_gids) when setgroups_allowed, which also
 *      clears the caller's supplementary groups when none are given; when
 *      setgroups is denied (user namespace with "deny") asking for
 *      additional gids is an error (EPERM);
 *   4. setresgid, setresuid to user->gid / user->uid;
 *   5. capset effective/permitted/inheritable exactly (libcap-ng);
 *   6. clear the ambient set, raise each requested ambient capability;
 *   7. PR_SET_KEEPCAPS 0.
 * caps == NULL means every set empty.  Inheritable and ambient stay empty
 * unless listed (CVE-2022-29162).  Capabilities the kernel does not know, or
 * that this process cannot grant (not in its permitted set, inheritable
 * outside the new bounding set, effective not in permitted, ambient not in
 * permitted and inheritable), are left out with one warning, as the
 * runtime-spec asks; the result is never wider than requested.
 * Errors name the step: "capset", "setresuid `1000`", "drop bounding
 * capability `21`", … with errno (EPERM, EINVAL).  Both pointers borrowed.
 */
int hr_caps_apply_child(const struct hr_caps *caps, const struct hr_user *user, bool setgroups_allowed,
			struct hr_err **err);

#endif
