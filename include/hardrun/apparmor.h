/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * AppArmor: whether the kernel enforces it, and the exec-time transition
 * of the container init.  A requested profile that cannot be applied is an
 * error (runtime-spec: a property that cannot be applied MUST fail create).
 */
#ifndef HARDRUN_APPARMOR_H
#define HARDRUN_APPARMOR_H

#include <stdbool.h>

#include "hardrun/error.h"

/* True when the running kernel has AppArmor enabled (libapparmor's aa_is_enabled). */
bool hr_apparmor_enabled(void);

/* Refuse a profile this kernel cannot apply: "process.apparmorProfile `x` requested, but AppArmor …". */
int hr_apparmor_check(const char *profile, struct hr_err **err);

/* Child only: arrange for the next execve to run under profile.  errno EINVAL/ENOENT when unknown. */
int hr_apparmor_apply_child(const char *profile, struct hr_err **err);

/*
 * Load (or replace) the profile in text with apparmor_parser -r -K, text on
 * its stdin; hr_apparmor_unload removes the profile name whose text it is
 * (-R), and is a no-op (0) when the kernel does not list name (never
 * loaded, or removed already: a rollback and a delete may both ask).
 * Parent only.  Errors name the exit status; ENOENT when apparmor_parser is
 * not installed.
 */
int hr_apparmor_load(const char *text, struct hr_err **err);
int hr_apparmor_unload(const char *name, const char *text, struct hr_err **err);

#endif
