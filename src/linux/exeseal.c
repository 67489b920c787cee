/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Re-exec from a sealed memfd copy (CVE-2019-5736).  runc and crun do the
 * same; hardrun is small (under a megabyte): the copy and the second execve
 * cost about 1.5 ms (tests/bench/README.md) and need no overlayfs or state
 * on the host.
 */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "hardrun/compiler.h"
#include "hardrun/exeseal.h"

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif
#ifndef F_SEAL_EXEC
#define F_SEAL_EXEC 0x0020
#endif

#define HR_SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)

extern char **environ;

static bool fd_sealed(int fd)
{
	int seals = fcntl(fd, F_GET_SEALS);

	return seals >= 0 && (seals & HR_SEALS) == HR_SEALS;
}

static int make_memfd(struct hr_err **err)
{
	/* MFD_EXEC: kernels with vm.memfd_noexec would otherwise make it non-executable */
	int fd = memfd_create("hardrun", MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);

	if (fd < 0 && errno == EINVAL)
		fd = memfd_create("hardrun", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0)
		return hr_fail(err, errno, "seal the runtime binary: memfd_create");
	return fd;
}

int hr_exe_seal_reexec(char **argv, struct hr_err **err)
{
	cleanup_close int exe = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	cleanup_close int mfd = -1;
	struct stat st;
	off_t off = 0;

	if (exe < 0)
		return hr_fail(err, errno, "seal the runtime binary: open /proc/self/exe");
	if (fd_sealed(exe))
		return 0;
	if (fstat(exe, &st) < 0)
		return hr_fail(err, errno, "seal the runtime binary: stat /proc/self/exe");
	mfd = make_memfd(err);
	if (mfd < 0)
		return -1;
	while (off < st.st_size) {
		ssize_t n = sendfile(mfd, exe, &off, (size_t)(st.st_size - off));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return hr_fail(err, n < 0 ? errno : EIO, "seal the runtime binary: copy");
	}
	if (fcntl(mfd, F_ADD_SEALS, HR_SEALS | F_SEAL_EXEC) < 0 &&
	    (errno != EINVAL || fcntl(mfd, F_ADD_SEALS, HR_SEALS) < 0))
		return hr_fail(err, errno, "seal the runtime binary: F_ADD_SEALS");
	syscall(SYS_execveat, mfd, "", argv, environ, AT_EMPTY_PATH);
	return hr_fail(err, errno, "seal the runtime binary: execveat");
}
