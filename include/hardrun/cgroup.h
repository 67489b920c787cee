/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Container cgroups on unified (v2), hybrid and legacy (v1) layouts, found
 * from /proc/self/mountinfo: create, limit, enter, freeze, signal, destroy.
 * A limit whose controller is missing is an error (fail closed).  The
 * *_at variants take a mountinfo text and a path prefix so unit tests can
 * drive a fake cgroupfs tree.
 */
#ifndef HARDRUN_CGROUP_H
#define HARDRUN_CGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "hardrun/error.h"
#include "hardrun/spec.h"

struct hr_cgroup;

/*
 * cgroupsPath → the absolute path used in every hierarchy: NULL/"" gives
 * "/<id>", "a/b" gives "/a/b", "slice:prefix:name" is refused (no systemd
 * here).  *out is a new string.
 */
int hr_cgroup_resolve_path(const char *cgroups_path, const char *id, char **out, struct hr_err **err);

/* Find the hierarchies for path (nothing is created).  *out owned by the caller (hr_cgroup_free). */
int hr_cgroup_open(const char *path, struct hr_cgroup **out, struct hr_err **err);
/* Same with an explicit mountinfo text; every mount point is prefixed with prefix (tests). */
int hr_cgroup_open_at(const char *path, const char *mountinfo, const char *prefix, struct hr_cgroup **out,
		      struct hr_err **err);

/* Create the directories (cpuset v1 levels get their parent's cpus/mems) and apply res (may be NULL). */
int hr_cgroup_create(struct hr_cgroup *cg, const struct hr_resources *res, struct hr_err **err);
/* Apply res to an existing cgroup (create, update). */
int hr_cgroup_apply(struct hr_cgroup *cg, const struct hr_resources *res, struct hr_err **err);
/* Move pid into the cgroup in every hierarchy. */
int hr_cgroup_enter(struct hr_cgroup *cg, pid_t pid, struct hr_err **err);
/* The pids in the cgroup; *pids is a new array. */
int hr_cgroup_pids(struct hr_cgroup *cg, pid_t **pids, size_t *n, struct hr_err **err);
int hr_cgroup_freeze(struct hr_cgroup *cg, bool frozen, struct hr_err **err);
int hr_cgroup_is_frozen(struct hr_cgroup *cg, bool *frozen, struct hr_err **err);
/* Signal every process: freeze, signal, thaw, so nothing forks away meanwhile (runc kill --all). */
int hr_cgroup_kill_all(struct hr_cgroup *cg, int sig, struct hr_err **err);
/* SIGKILL what is left and remove the container's directories (never a parent). */
int hr_cgroup_destroy(struct hr_cgroup *cg, struct hr_err **err);
/* Absolute directory of the hierarchy holding controller (e.g. "memory"), or NULL. Borrowed. */
const char *hr_cgroup_dir(struct hr_cgroup *cg, const char *controller);
bool hr_cgroup_is_v2(const struct hr_cgroup *cg);
void hr_cgroup_free(struct hr_cgroup *cg);

#endif
