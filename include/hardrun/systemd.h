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
#include "hardrun/spec.h"

/* The unit a container's cgroup is, as derived by hr_sd_unit_parse(). */
struct hr_sd_unit {
	char *slice; /* parent slice unit: "system.slice"; "-.slice" is the root */
	char *name;  /* unit to create: "docker-<id>.scope", or "<x>.slice" */
	char *path;  /* its cgroup below the hierarchy root: "/system.slice/docker-<id>.scope" */
	bool is_slice;
};

/* Longest unit name systemd accepts (UNIT_NAME_MAX - 1). */
#define HR_SD_UNIT_NAME_MAX 255

/*
 * Map linux.cgroupsPath (borrowed; NULL or "" allowed) of container id
 * (borrowed) to a unit, as runc's systemd driver does:
 *   ""                      → hardrun-<id>.scope in system.slice
 *   "slice:prefix:name"     → prefix-name.scope in slice (an empty slice is
 *                             system.slice, an empty prefix gives name.scope)
 *   "slice:prefix:x.slice"  → the slice unit x.slice itself (prefix ignored);
 *                             its parent is what its name says, and a
 *                             non-empty slice part must agree with it.
 * The path expands nested slice names as systemd does: "a-b-c.slice" lives
 * at /a.slice/a-b.slice/a-b-c.slice and "-.slice" is the root.  Every name
 * must consist of the characters systemd allows unescaped
 * ([A-Za-z0-9:_.-]); hardrun never escapes silently, so a caller that needs
 * a '-' inside a slice component writes '_' as kubelet does.  Errors
 * (errnum 0) read "config.json: linux.cgroupsPath: `…`: <reason>".  On
 * success *out is filled with new strings; free with hr_sd_unit_clear().
 */
int hr_sd_unit_parse(const char *cgroups_path, const char *id, struct hr_sd_unit *out, struct hr_err **err);

/*
 * "a-b-c.slice" → "/a.slice/a-b.slice/a-b-c.slice", "-.slice" → "/".
 * Errors (errnum 0) name the slice: not ending in ".slice", a '/', an
 * empty component ("a--b.slice", "-a.slice"), a character systemd would
 * need escaped.  *out is new.
 */
int hr_sd_slice_expand(const char *slice, char **out, struct hr_err **err);

void hr_sd_unit_clear(struct hr_sd_unit *u);

/*
 * A cpuset list such as "0-3,8" (linux.resources.cpu.cpus/mems) as the
 * byte array AllowedCPUs/AllowedMemoryNodes take: bit n of byte n/8 set
 * for each listed n (systemd's cpu_set_to_dbus()).  what names the field
 * in errors ("config.json: linux.resources.cpu.cpus: `…`: …").  *mask is
 * new, *len bytes; an empty list gives *len 0.  Numbers above 8191 are
 * refused.
 */
int hr_sd_cpuset_mask(const char *list, const char *what, uint8_t **mask, size_t *len, struct hr_err **err);

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
