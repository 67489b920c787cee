/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The pure half of the systemd cgroup driver (src/core/sdunit.c, no
 * syscalls, unit-tested without root): the mapping from linux.cgroupsPath
 * "slice:prefix:name" to a unit name, its parent slice and its cgroup path,
 * plus the cpuset bitmasks systemd wants.  The D-Bus half is systemd.h.
 */
#ifndef HARDRUN_SDUNIT_H
#define HARDRUN_SDUNIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hardrun/error.h"

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

#endif
