/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Capabilities and credentials of the container process.  Owns the
 * bounding-set drop, the switch to the container user and the final
 * capability sets (libcap-ng for capset).  Must not parse capability names
 * (core does) and must not read /proc in the child: after pivot_root the
 * container's /proc is not trusted (CVE-2025-52881 class).
 */
#include <cap-ng.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <stdint.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "hardrun/caps.h"
#include "hardrun/log.h"
#include "hardrun/strutil.h"

#define CAP_BIT(c) (UINT64_C(1) << (c))

/* Highest cap PR_CAPBSET_READ accepts; -1 when even cap 0 is refused. */
static int probe_last_cap(void)
{
	int last = -1;

	for (int c = 0; c < 64; c++) {
		if (prctl(PR_CAPBSET_READ, (unsigned long)c, 0, 0, 0) < 0)
			break;
		last = c;
	}
	return last;
}

int hr_caps_last_cap(void)
{
	cleanup_close int fd = -1;
	char buf[16];
	ssize_t n;
	int v, last;

	fd = open("/proc/sys/kernel/cap_last_cap", O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		n = read(fd, buf, sizeof(buf) - 1);
		if (n > 0) {
			buf[n] = '\0';
			if (buf[n - 1] == '\n')
				buf[n - 1] = '\0';
			if (hr_parse_int(buf, &v) == 0 && v >= 0 && v < 64)
				return v;
		}
	}
	last = probe_last_cap();
	return last >= 0 ? last : CAP_LAST_CAP;
}

static int get_caps(uint64_t *eff, uint64_t *prm, uint64_t *inh, struct hr_err **err)
{
	struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];

	memset(data, 0, sizeof(data));
	if (syscall(SYS_capget, &hdr, data) < 0)
		return hr_fail(err, errno, "capget");
	*eff = data[0].effective | ((uint64_t)data[1].effective << 32);
	*prm = data[0].permitted | ((uint64_t)data[1].permitted << 32);
	*inh = data[0].inheritable | ((uint64_t)data[1].inheritable << 32);
	return 0;
}

static uint64_t drop_warn(uint64_t want, uint64_t ok, const char *set)
{
	if (want & ~ok)
		hr_log_warn("capabilities %#llx of the %s set cannot be granted; left out",
			    (unsigned long long)(want & ~ok), set);
	return want & ok;
}

static int capng_set(capng_type_t type, uint64_t mask, int last, struct hr_err **err)
{
	for (int c = 0; c <= last; c++) {
		if ((mask & CAP_BIT(c)) && capng_update(CAPNG_ADD, type, (unsigned int)c) < 0)
			return hr_fail(err, errno ? errno : EINVAL, "capng_update `%d`", c);
	}
	return 0;
}

int hr_caps_apply_child(const struct hr_caps *caps, const struct hr_user *user, bool setgroups_allowed,
			struct hr_err **err)
{
	uint64_t known, bnd = 0, eff = 0, inh = 0, prm = 0, amb = 0;
	uint64_t cur_eff = 0, cur_prm = 0, cur_inh = 0, cur_bnd = 0;
	int last;

	if (user == NULL)
		return hr_fail(err, EINVAL, "apply credentials: no user");
	last = probe_last_cap();
	if (last < 0)
		return hr_fail(err, errno, "prctl `PR_CAPBSET_READ`");
	known = last >= 63 ? ~UINT64_C(0) : CAP_BIT(last + 1) - 1;
	if (caps) {
		if ((caps->bounding | caps->effective | caps->inheritable | caps->permitted | caps->ambient) & ~known)
			hr_log_warn("capabilities above cap_last_cap %d are unknown to the kernel; left out", last);
		bnd = caps->bounding & known;
		eff = caps->effective & known;
		inh = caps->inheritable & known;
		prm = caps->permitted & known;
		amb = caps->ambient & known;
	}
	if (get_caps(&cur_eff, &cur_prm, &cur_inh, err) < 0)
		return -1;

	/*
	 * 1. Bounding set first, while uid 0 still holds CAP_SETPCAP; it also
	 * caps what a later execve of a setuid/file-cap binary may gain.
	 */
	for (int c = 0; c <= last; c++) {
		int r = prctl(PR_CAPBSET_READ, (unsigned long)c, 0, 0, 0);

		if (r < 0)
			return hr_fail(err, errno, "read bounding capability `%d`", c);
		if (r == 1 && !(bnd & CAP_BIT(c)) && prctl(PR_CAPBSET_DROP, (unsigned long)c, 0, 0, 0) < 0)
			return hr_fail(err, errno, "drop bounding capability `%d`", c);
		if (r == 1 && (bnd & CAP_BIT(c)))
			cur_bnd |= CAP_BIT(c);
	}
	drop_warn(bnd, cur_bnd, "bounding");

	/* What capset and PR_CAP_AMBIENT_RAISE will accept from this process (capabilities(7)). */
	prm = drop_warn(prm, cur_prm, "permitted");
	eff = drop_warn(eff, prm, "effective");
	inh = drop_warn(inh, (cur_inh | cur_prm) & (cur_inh | cur_bnd), "inheritable");
	amb = drop_warn(amb, prm & inh, "ambient");
	hr_log_debug("capabilities: bounding %#llx effective %#llx permitted %#llx inheritable %#llx ambient %#llx",
		     (unsigned long long)cur_bnd, (unsigned long long)eff, (unsigned long long)prm,
		     (unsigned long long)inh, (unsigned long long)amb);

	/* 2. Keep permitted across the switch away from uid 0; effective is recomputed by capset below. */
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
		return hr_fail(err, errno, "prctl `PR_SET_KEEPCAPS`");

	/* 3. Supplementary groups: setgroups also clears the runtime's own groups, which must not leak. */
	if (setgroups_allowed) {
		if (setgroups(user->n_additional_gids, user->additional_gids) < 0)
			return hr_fail(err, errno, "setgroups `%zu groups`", user->n_additional_gids);
	} else if (user->n_additional_gids > 0) {
		return hr_fail(err, EPERM, "setgroups `%zu groups`: denied in this user namespace",
			       user->n_additional_gids);
	}

	/* 4. gid before uid: after setresuid the process may no longer hold CAP_SETGID. */
	if (setresgid(user->gid, user->gid, user->gid) < 0)
		return hr_fail(err, errno, "setresgid `%u`", (unsigned int)user->gid);
	if (setresuid(user->uid, user->uid, user->uid) < 0)
		return hr_fail(err, errno, "setresuid `%u`", (unsigned int)user->uid);

	/*
	 * 5. Exact sets.  capng_setpid(0) targets the calling thread: libcap-ng
	 * caches the tid of whoever used it first, and a clone()d child runs no
	 * atfork handler to reset it.
	 */
	capng_clear(CAPNG_SELECT_BOTH);
	capng_setpid(0);
	if (capng_set(CAPNG_EFFECTIVE, eff, last, err) < 0 || capng_set(CAPNG_PERMITTED, prm, last, err) < 0 ||
	    capng_set(CAPNG_INHERITABLE, inh, last, err) < 0)
		return -1;
	errno = 0;
	if (capng_apply(CAPNG_SELECT_CAPS) < 0)
		return hr_fail(err, errno ? errno : EPERM, "capset");

	/* 6. Ambient: clear whatever the runtime inherited, then raise only what was asked. */
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && (amb != 0 || errno != EINVAL))
		return hr_fail(err, errno, "prctl `PR_CAP_AMBIENT_CLEAR_ALL`");
	for (int c = 0; c <= last; c++) {
		if ((amb & CAP_BIT(c)) && prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, (unsigned long)c, 0, 0) < 0)
			return hr_fail(err, errno, "raise ambient capability `%d`", c);
	}

	/* 7. No further uid change may keep capabilities. */
	if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
		return hr_fail(err, errno, "prctl `PR_SET_KEEPCAPS`");
	return 0;
}
