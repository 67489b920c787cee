/* SPDX-License-Identifier: GPL-2.0-or-later */
/* SELinux process labels without libselinux: selinuxfs detection and attr/exec. */
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <string.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "hardrun/compiler.h"
#include "hardrun/log.h"
#include "hardrun/selinux.h"

#ifndef SELINUX_MAGIC
#define SELINUX_MAGIC 0xf97cff8c
#endif

bool hr_selinux_enabled(void)
{
	struct statfs sf;

	return statfs("/sys/fs/selinux", &sf) == 0 && (unsigned long)sf.f_type == SELINUX_MAGIC;
}

int hr_selinux_check(const struct hr_process *p, const char *mount_label, struct hr_err **err)
{
	bool want = (p && p->selinux_label && p->selinux_label[0]) || (mount_label && mount_label[0]);
	bool on = want && hr_selinux_enabled(); /* no statfs on the start path when nothing is asked */

	if (!want)
		return 0;
	if (p && p->selinux_label && p->selinux_label[0] && !on)
		return hr_fail(err, 0, "process.selinuxLabel `%s` requested, but SELinux is not enabled on this host",
			       p->selinux_label);
	/*
	 * A mount label is the file context SELinux gives the container's
	 * mounts; without SELinux no policy reads it and no kernel accepts the
	 * context= option, so it protects nothing and is left out (as runc and
	 * crun do).  A process label, which is what confines, is still refused
	 * above.  With SELinux on, hardrun cannot label mounts yet: refused.
	 */
	if (mount_label && mount_label[0] && on)
		return hr_fail(err, EOPNOTSUPP,
			       "linux.mountLabel `%s`: labelling mounts is not supported by hardrun yet", mount_label);
	if (mount_label && mount_label[0])
		hr_log_debug("linux.mountLabel `%s` left out: SELinux is not enabled on this host", mount_label);
	return 0;
}

int hr_selinux_apply_child(const char *label, struct hr_err **err)
{
	cleanup_close int fd = open("/proc/thread-self/attr/exec", O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
	struct statfs sf;
	size_t len = strlen(label);

	if (fd < 0)
		return hr_fail(err, errno, "apply selinux label `%s`", label);
	/* what is there must be procfs, not something a mount put in its place (CVE-2019-16884) */
	if (fstatfs(fd, &sf) < 0 || sf.f_type != PROC_SUPER_MAGIC)
		return hr_fail(err, EPERM, "apply selinux label `%s`: attr/exec is not on procfs", label);
	if (write(fd, label, len) != (ssize_t)len)
		return hr_fail(err, errno, "apply selinux label `%s`", label);
	return 0;
}
