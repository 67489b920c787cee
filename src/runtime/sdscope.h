/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Internal to src/runtime: the container side of the systemd cgroup
 * driver.  The unit's name is recorded in the state dir before systemd is
 * asked for it, so every later command (and delete --force after a create
 * that was killed) finds the unit without --systemd-cgroup.
 */
#ifndef HARDRUN_RUNTIME_SDSCOPE_H
#define HARDRUN_RUNTIME_SDSCOPE_H

#include <stdbool.h>
#include <sys/types.h>

#include "hardrun/cgroup.h"
#include "hardrun/error.h"
#include "hardrun/systemd.h"

/* The state dir file naming the container's systemd unit. */
#define HR_SD_UNIT_FILE "systemd.unit"

/* Record u->name in the state dir dir_fd (before the unit is started). */
int hr_sdscope_record(int dir_fd, const struct hr_sd_unit *u, struct hr_err **err);

/*
 * The unit recorded in dir_fd: 1 with *name new, 0 when the container uses
 * no systemd unit, -1 on a read error.
 */
int hr_sdscope_recorded(int dir_fd, char **name, struct hr_err **err);

/*
 * Put pid (the container's first process) into the unit u: start it with
 * the resources as properties, check that systemd placed pid in u->path,
 * then join the v1 hierarchies systemd does not manage (cpuset, freezer…)
 * through cg, whose files the caller writes afterwards.  *asked as with
 * hr_sd_start_unit().
 */
int hr_sdscope_join(struct hr_cgroup *cg, const struct hr_sd_unit *u, pid_t pid, const struct hr_resources *res,
		    bool *asked, struct hr_err **err);

/*
 * Stop and reset the unit of the container whose state dir is dir_fd: the
 * one recorded there, else (when systemd_flag, i.e. --systemd-cgroup was
 * given) the one its config copy's linux.cgroupsPath names for id.  0 when
 * there is none or it is gone already.  The one hook a crash-recovery path
 * needs: it reads only the state dir.
 */
int hr_sdscope_cleanup(int dir_fd, const char *id, bool systemd_flag, struct hr_err **err);

#endif
