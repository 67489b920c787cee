/* SPDX-License-Identifier: GPL-2.0-or-later */
/* AppArmor through libapparmor: detection and change_onexec for the init. */
#include <errno.h>
#include <sys/apparmor.h>

#include "hardrun/apparmor.h"

bool hr_apparmor_enabled(void)
{
	return aa_is_enabled() == 1;
}

int hr_apparmor_check(const char *profile, struct hr_err **err)
{
	if (profile && !hr_apparmor_enabled())
		return hr_fail(err, 0,
			       "process.apparmorProfile `%s` requested, but AppArmor is not enabled in this kernel",
			       profile);
	return 0;
}

int hr_apparmor_apply_child(const char *profile, struct hr_err **err)
{
	if (aa_change_onexec(profile) < 0)
		return hr_fail(err, errno, "apply apparmor profile `%s`", profile);
	return 0;
}
