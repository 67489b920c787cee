/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The systemd cgroup driver (--systemd-cgroup, --cgroup-manager systemd).
 * Two halves: the pure mapping from linux.cgroupsPath "slice:prefix:name"
 * to a unit name, its parent slice and its cgroup path, plus the cpuset
 * bitmasks systemd wants (src/core/sdunit.c, no syscalls, unit-tested
 * without root); and the D-Bus calls to systemd's manager over sd-bus
 * (src/linux/systemd.c): StartTransientUnit, StopUnit, ResetFailedUnit and
 * SetUnitProperties, each waiting for its job.  The driver only asks
 * systemd for the unit; the limits are also written into the delegated
 * cgroup by cgroup.c, so both agree and nothing systemd lacks is dropped.
 */
#ifndef HARDRUN_SYSTEMD_H
#define HARDRUN_SYSTEMD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "hardrun/error.h"
#include "hardrun/sdunit.h"
#include "hardrun/spec.h"

/* --- src/linux/systemd.c: sd-bus (hr_linux only) --- */

/*
 * Create the unit u (borrowed) with StartTransientUnit in mode "fail":
 * Description, Slice + Delegate=yes + PIDs=[pid] for a scope (Wants=slice
 * for a slice unit, which gets no pid: the caller writes cgroup.procs),
 * DefaultDependencies=no, CPU/memory/IO/tasks accounting, and res
 * (borrowed, may be NULL) as the unit properties systemd has: on cgroup v2
 * (unified) MemoryMax, MemoryLow, MemorySwapMax, TasksMax, CPUWeight,
 * CPUQuotaPerSecUSec + CPUQuotaPeriodUSec, AllowedCPUs and
 * AllowedMemoryNodes, IOWeight; on v1 MemoryLimit, CPUShares, TasksMax,
 * CPUQuotaPerSecUSec, BlockIOWeight.  The JobRemoved match is in place
 * before the call, and the wait is bounded (30 s).  A failed job or a
 * timeout resets the unit (ResetFailedUnit) and is an error naming it.  A
 * unit of that name that already exists is reset once (a leftover failed
 * one goes away) and otherwise refused (errnum 0), "systemd unit `…`
 * already exists": hardrun never joins a cgroup that is not its own.
 * Without systemd the error names the call and says "systemd is not
 * reachable" (errnum from sd-bus: ENOENT, ECONNREFUSED, EHOSTDOWN…).
 * *asked turns true once systemd was sent the request: only then can a
 * unit exist that a rollback must stop.
 */
int hr_sd_start_unit(const struct hr_sd_unit *u, pid_t pid, const struct hr_resources *res, bool unified, bool *asked,
		     struct hr_err **err);

/*
 * StopUnit(name, "replace"), wait for the job (bounded), then
 * ResetFailedUnit.  A unit that does not exist (any more) is success:
 * idempotent, so delete --force after a crashed create can call it.
 */
int hr_sd_stop_unit(const char *name, struct hr_err **err);

/*
 * SetUnitProperties(name, runtime=true, …) with the properties of res
 * (borrowed) as hr_sd_start_unit() sends them; nothing is sent when res has
 * none.  Used by update before the files are written.
 */
int hr_sd_set_resources(const char *name, const struct hr_resources *res, bool unified, struct hr_err **err);

#endif
