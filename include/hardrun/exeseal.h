/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * CVE-2019-5736: a container must never reach the host's hardrun binary
 * through /proc/<pid>/exe.  Commands that put hardrun processes into a
 * container first re-execute hardrun from a sealed memfd copy of itself,
 * so every process inside sees an anonymous, write-sealed file.
 */
#ifndef HARDRUN_EXESEAL_H
#define HARDRUN_EXESEAL_H

#include "hardrun/error.h"

/*
 * Unless already sealed: copy /proc/self/exe into a memfd, seal it against
 * writes, growing, shrinking and further sealing (and exec-mode changes where
 * the kernel has F_SEAL_EXEC), and execveat() it with argv and the current
 * environment.  Returns only on error (or 0 when already sealed); the fds of
 * the caller are inherited unchanged, the memfd is close-on-exec.
 */
int hr_exe_seal_reexec(char **argv, struct hr_err **err);

#endif
