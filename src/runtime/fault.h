/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Internal to src/runtime: fault injection for the crash tests.  Only the
 * test build `hardrun-fault` (CMake option HR_FAULT, compiled with
 * -DHR_FAULT=1) has it; in `hardrun` HR_FAULT_POINT() is nothing, so no
 * environment variable can make the release binary kill itself.
 *
 * In hardrun-fault, HR_FAULT_POINT("create.cgroup") SIGKILLs the process
 * when $HARDRUN_FAULT is exactly that name, and appends the name as a line
 * to the file $HARDRUN_FAULT_TRACE when that is set, so a test can list
 * every point a command passes and then kill it at each in turn.
 */
#ifndef HARDRUN_RUNTIME_FAULT_H
#define HARDRUN_RUNTIME_FAULT_H

#if defined(HR_FAULT) && HR_FAULT
void hr_fault_point(const char *name);
#define HR_FAULT_POINT(name) hr_fault_point(name)
#else
#define HR_FAULT_POINT(name) ((void)0)
#endif

#endif
