/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Identity and capability switch of the init, in the order runc's
 * finalizeNamespace uses: bounding set first (needs CAP_SETPCAP), then
 * keep-caps across the uid change, groups, gid, uid, and finally the exact
 * sets.  No allocation (child code).
 */
#include <cap-ng.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "hardrun/caps.h"
#include "hardrun/strutil.h"

int hr_caps_last_cap(void)
{
	char buf[16] = {0};
	cleanup_close int fd = open("/proc/sys/kernel/cap_last_cap", O_RDONLY | O_CLOEXEC);
	int v;

	if (fd >= 0 && read(fd, buf, sizeof(buf) - 1) > 0) {
		for (char *p = buf; *p; p++)
			if (*p == '\n')
				*p = '\0';
		if (hr_parse_int(buf, &v) == 0)
			return v;
	}
	return CAP_LAST_CAP;
}

static int kernel_last_cap_child(void)
{
	int c = 0;

	/* PR_CAPBSET_READ fails with EINVAL past the kernel's last capability */
	while (c < 63 && prctl(PR_CAPBSET_READ, c + 1, 0, 0, 0) >= 0)
		c++;
	return c;
}

int hr_caps_apply_child(const struct hr_caps *caps, const struct hr_user *user, bool setgroups_allowed,
			struct hr_err **err)
{
	int last = kernel_last_cap_child();
	uint64_t bnd = caps ? caps->bounding : 0;

	for (int c = 0; c <= last; c++) {
		if ((bnd >> c) & 1)
			continue;
		if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0 && errno != EINVAL)
			return hr_fail(err, errno, "drop capability %d from the bounding set", c);
	}
	/* keep the permitted set across the switch away from uid 0 */
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
		return hr_fail(err, errno, "set keepcaps");
	if (user->n_additional_gids && !setgroups_allowed)
		return hr_fail(err, EPERM, "additionalGids: setgroups is denied in this user namespace");
	if (setgroups_allowed && setgroups(user->n_additional_gids, user->additional_gids) < 0)
		return hr_fail(err, errno, "setgroups");
	if (setresgid(user->gid, user->gid, user->gid) < 0)
		return hr_fail(err, errno, "setresgid `%u`", (unsigned)user->gid);
	if (setresuid(user->uid, user->uid, user->uid) < 0)
		return hr_fail(err, errno, "setresuid `%u`", (unsigned)user->uid);

	capng_clear(CAPNG_SELECT_CAPS);
	for (int c = 0; c <= last && c < 64; c++) {
		if (!caps)
			break;
		if ((caps->effective >> c) & 1)
			capng_update(CAPNG_ADD, CAPNG_EFFECTIVE, (unsigned int)c);
		if ((caps->permitted >> c) & 1)
			capng_update(CAPNG_ADD, CAPNG_PERMITTED, (unsigned int)c);
		if ((caps->inheritable >> c) & 1)
			capng_update(CAPNG_ADD, CAPNG_INHERITABLE, (unsigned int)c);
	}
	if (capng_apply(CAPNG_SELECT_CAPS) < 0)
		return hr_fail(err, errno ? errno : EPERM, "capset");
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
		return hr_fail(err, errno, "clear ambient capabilities");
	/* an ambient cap needs to be inheritable and permitted; others were warned about by the parent */
	for (int c = 0; caps && c <= last && c < 64; c++)
		if (((caps->ambient & caps->inheritable & caps->permitted) >> c & 1) &&
		    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, c, 0, 0) < 0)
			return hr_fail(err, errno, "raise ambient capability %d", c);
	if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
		return hr_fail(err, errno, "clear keepcaps");
	return 0;
}
