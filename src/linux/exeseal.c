/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Re-exec from a sealed memfd copy (CVE-2019-5736).  runc and crun do the
 * same; hardrun is small (under a megabyte): the copy and the second execve
 * cost about 1.5 ms (tests/bench/README.md) and need no overlayfs or state
 * on the host.  Only the part of the file that execve and the loader read is
 * copied: the ELF and program headers and the segments, not the section
 * headers and debug information after them (three quarters of a
 * RelWithDebInfo build).
 */
#include <elf.h>
#include <errno.h>
#include <link.h>
#include <stdbool.h>
#include <string.h>
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

/*
 * How much of the executable the kernel and the dynamic loader read: the
 * end of the furthest program header's bytes.  The whole file when its
 * headers do not parse as this machine's ELF (the copy then stays exact).
 */
static off_t exec_extent(int fd, off_t size)
{
	ElfW(Ehdr) eh;
	ElfW(Phdr) ph[64];
	size_t len;
	off_t end;

	if (pread(fd, &eh, sizeof(eh), 0) != (ssize_t)sizeof(eh) || memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 ||
	    eh.e_ident[EI_CLASS] != (sizeof(void *) == 8 ? ELFCLASS64 : ELFCLASS32) ||
	    eh.e_phentsize != sizeof(ph[0]) || eh.e_phnum == 0 || eh.e_phnum > HR_ARRAY_SIZE(ph))
		return size;
	/* the program headers in one read */
	len = eh.e_phnum * sizeof(ph[0]);
	if (pread(fd, ph, len, (off_t)eh.e_phoff) != (ssize_t)len)
		return size;
	end = (off_t)(eh.e_phoff + len);
	if (end < (off_t)sizeof(eh))
		end = (off_t)sizeof(eh);
	for (unsigned i = 0; i < eh.e_phnum; i++) {
		if (ph[i].p_offset > (ElfW(Off))size || ph[i].p_filesz > (ElfW(Off))size - ph[i].p_offset)
			return size;
		if ((off_t)(ph[i].p_offset + ph[i].p_filesz) > end)
			end = (off_t)(ph[i].p_offset + ph[i].p_filesz);
	}
	return end <= size ? end : size;
}

int hr_exe_seal_reexec(char **argv, struct hr_err **err)
{
	cleanup_close int exe = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	cleanup_close int mfd = -1;
	struct stat st;
	off_t off = 0, len;

	if (exe < 0)
		return hr_fail(err, errno, "seal the runtime binary: open /proc/self/exe");
	if (fd_sealed(exe))
		return 0;
	if (fstat(exe, &st) < 0)
		return hr_fail(err, errno, "seal the runtime binary: stat /proc/self/exe");
	len = exec_extent(exe, st.st_size);
	mfd = make_memfd(err);
	if (mfd < 0)
		return -1;
	while (off < len) {
		ssize_t n = sendfile(mfd, exe, &off, (size_t)(len - off));

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
