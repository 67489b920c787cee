/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * linux.sysctl: written below /proc/sys of the container's own namespaces,
 * after the mounts.  Child side only.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hardrun/apparmor.h"
#include "hardrun/caps.h"
#include "hardrun/fs.h"
#include "hardrun/init.h"
#include "hardrun/log.h"
#include "hardrun/seccomp.h"
#include "hardrun/seccomp_learn.h"
#include "hardrun/selinux.h"
#include "hardrun/strutil.h"
#include "hardrun/sync.h"

int sysctls_child(const struct hr_plan *plan, struct hr_err **err)
{
	const struct hr_linux *lx = &plan->spec->lnx;

	for (size_t i = 0; i < lx->n_sysctl; i++) {
		cleanup_free char *rel = xstrdup(lx->sysctl[i].key);
		cleanup_close int fd = -1;
		size_t len = strlen(lx->sysctl[i].value);

		for (char *p = rel; *p; p++)
			if (*p == '.')
				*p = '/';
		if (strstr(rel, "..") || rel[0] == '/')
			return hr_fail(err, EINVAL, "sysctl `%s`: invalid name", lx->sysctl[i].key);
		/*
		 * Opened relative to the host's /proc/sys fd taken before clone,
		 * so no container mount can redirect the write (CVE-2025-52881);
		 * the lookup happens in this process's own namespaces.
		 */
		fd = openat(plan->procsys_fd, rel, O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			return hr_fail(err, errno, "sysctl `%s`", lx->sysctl[i].key);
		if (write(fd, lx->sysctl[i].value, len) != (ssize_t)len)
			return hr_fail(err, errno, "sysctl `%s`", lx->sysctl[i].key);
	}
	return 0;
}
