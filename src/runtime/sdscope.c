/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The container side of the systemd cgroup driver: which unit a container
 * has (recorded in its state dir, or derived from its config copy), putting
 * the init into it and checking where systemd placed it, and stopping it.
 * The D-Bus calls are in src/linux/systemd.c, the cgroup files in
 * src/linux/cgroup*.c; this file only sequences them.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "hardrun/log.h"
#include "hardrun/strutil.h"
#include "sdscope.h"
#include "statedir.h"

int hr_sdscope_record(int dir_fd, const struct hr_sd_unit *u, struct hr_err **err)
{
	return hr_statedir_write(dir_fd, HR_SD_UNIT_FILE, u->name, strlen(u->name), err);
}

int hr_sdscope_recorded(int dir_fd, char **name, struct hr_err **err)
{
	cleanup_free char *buf = NULL;
	size_t len = 0;

	if (hr_statedir_read(dir_fd, HR_SD_UNIT_FILE, &buf, &len, err) < 0) {
		if ((*err)->errnum == ENOENT) {
			hr_err_free(err);
			return 0;
		}
		return -1;
	}
	if (len == 0 || len > HR_SD_UNIT_NAME_MAX || strlen(buf) != len || strchr(buf, '/') ||
	    !(hr_str_has_suffix(buf, ".scope") || hr_str_has_suffix(buf, ".slice")))
		return hr_fail(err, EINVAL, "state file `%s`: not a unit name", HR_SD_UNIT_FILE);
	*name = steal_ptr(&buf);
	return 1;
}

/* The cgroup of pid in the hierarchy systemd tracks it by: "0::" on v2, "name=systemd" on v1. */
static int pid_cgroup(pid_t pid, bool unified, char **out, struct hr_err **err)
{
	char path[64];
	cleanup_close int fd = -1;
	cleanup_free char *buf = NULL;
	const char *key = unified ? "0::" : ":name=systemd:";
	char *save = NULL, *line;
	size_t len = 0;

	snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return hr_fail(err, errno, "open `%s`", path);
	if (hr_read_fd_all(fd, path, &buf, &len, err) < 0)
		return -1;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *at = unified ? (hr_str_has_prefix(line, key) ? line : NULL) : strstr(line, key);

		if (at) {
			*out = xstrdup(at + strlen(key));
			return 0;
		}
	}
	return hr_fail(err, ENOENT, "read `%s`: no `%s` line", path, key);
}

int hr_sdscope_join(struct hr_cgroup *cg, const struct hr_sd_unit *u, pid_t pid, const struct hr_resources *res,
		    bool *asked, struct hr_err **err)
{
	bool unified = hr_cgroup_layout(cg) == HR_CGROUP_UNIFIED;
	cleanup_free char *where = NULL;

	if (hr_sd_start_unit(u, pid, res, unified, asked, err) < 0)
		return -1;
	/*
	 * A job that is "done" has still been seen to leave the pid where it
	 * was (runc #2313): limits would then land on someone else's cgroup.
	 */
	if (!u->is_slice) {
		if (pid_cgroup(pid, unified, &where, err) < 0)
			return -1;
		if (!where || strcmp(where, u->path) != 0)
			return hr_fail(err, 0, "systemd cgroup driver: unit `%s` put pid %d in `%s`, not in `%s`",
				       u->name, (int)pid, where, u->path);
	}
	if (hr_cgroup_adopt(cg, err) < 0)
		return -1;
	return hr_cgroup_enter(cg, pid, err);
}

int hr_sdscope_cleanup(int dir_fd, const char *id, bool systemd_flag, struct hr_err **err)
{
	cleanup_free char *name = NULL;
	int r = hr_sdscope_recorded(dir_fd, &name, err);

	if (r < 0)
		return -1;
	if (r == 0 && systemd_flag) {
		cleanup_free char *buf = NULL;
		struct hr_spec *spec = NULL;
		struct hr_sd_unit u = {0};
		size_t len = 0;

		if (hr_statedir_read(dir_fd, "config.json", &buf, &len, err) < 0) {
			if ((*err)->errnum != ENOENT)
				return -1;
			hr_err_free(err);
			return 0;
		}
		if (hr_spec_load_buf(buf, len, &spec, err) < 0)
			return -1;
		r = hr_sd_unit_parse(spec->lnx.cgroups_path, id, &u, err);
		hr_spec_free(spec);
		if (r < 0)
			return -1;
		name = steal_ptr(&u.name);
		hr_sd_unit_clear(&u);
	}
	if (name == NULL)
		return 0;
	return hr_sd_stop_unit(name, err);
}
