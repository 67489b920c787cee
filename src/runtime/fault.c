/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The fault-injection points of the test build (see fault.h).  Compiled to
 * nothing in the release binary; in hardrun-fault a point traces itself and
 * SIGKILLs the process when $HARDRUN_FAULT names it, as a shim's timeout
 * or the OOM killer would.  $HARDRUN_FAULT_OVERLAY_PATHS=1 makes the
 * idmapped overlay rebuild take its fallback for kernels without fd layers.
 */
#include "fault.h"

#if defined(HR_FAULT) && HR_FAULT
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hardrun/init.h"

/* $HARDRUN_FAULT_OVERLAY_PATHS=1: the overlay rebuild takes the path fallback of old kernels. */
__attribute__((constructor)) static void fault_overlay_paths(void)
{
	const char *v = getenv("HARDRUN_FAULT_OVERLAY_PATHS");

	if (v && strcmp(v, "1") == 0)
		hr_rootfs_idmap_force_paths(true);
}

void hr_fault_point(const char *name)
{
	const char *trace = getenv("HARDRUN_FAULT_TRACE");
	const char *want = getenv("HARDRUN_FAULT");

	if (trace && *trace) {
		int fd = open(trace, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);

		if (fd >= 0) {
			size_t n = strlen(name);
			char line[128];

			if (n < sizeof(line) - 1) {
				memcpy(line, name, n);
				line[n] = '\n';
				(void)!write(fd, line, n + 1);
			}
			close(fd);
		}
	}
	if (want && strcmp(want, name) == 0)
		kill(getpid(), SIGKILL);
}
#else
/* ISO C wants a translation unit to declare something */
typedef int hr_fault_unused;
#endif
