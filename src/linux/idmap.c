/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The parent writes a child's /proc/PID/uid_map and gid_map: the
 * container's user namespace (from the spec) and the short-lived user
 * namespaces of idmapped mounts (mount.c).  A leaf below spawn.c and
 * mount.c; it never runs in the container's init.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <unistd.h>

#include "hardrun/init.h"

static int write_map(pid_t pid, const char *file, const struct hr_idmap *m, size_t n, struct hr_err **err)
{
	char path[64];
	char buf[4096];
	size_t off = 0;
	cleanup_close int fd = -1;

	for (size_t i = 0; i < n; i++) {
		int w = snprintf(buf + off, sizeof(buf) - off, "%" PRIu32 " %" PRIu32 " %" PRIu32 "\n",
				 m[i].container_id, m[i].host_id, m[i].size);

		if (w < 0 || (size_t)w >= sizeof(buf) - off)
			return hr_fail(err, E2BIG, "write `/proc/%d/%s`: too many mappings", pid, file);
		off += (size_t)w;
	}
	snprintf(path, sizeof(path), "/proc/%d/%s", pid, file);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return hr_fail(err, errno, "open `%s`", path);
	if (write(fd, buf, off) != (ssize_t)off)
		return hr_fail(err, errno, "write `%s`", path);
	return 0;
}

int hr_idmap_write_maps(pid_t pid, const struct hr_idmap *u, size_t nu, const struct hr_idmap *g, size_t ng,
			struct hr_err **err)
{
	if (write_map(pid, "uid_map", u, nu, err) < 0)
		return -1;
	return write_map(pid, "gid_map", g, ng, err);
}

int hr_idmap_write(pid_t pid, const struct hr_spec *spec, struct hr_err **err)
{
	if (write_map(pid, "uid_map", spec->lnx.uid_mappings, spec->lnx.n_uid_mappings, err) < 0)
		return -1;
	return write_map(pid, "gid_map", spec->lnx.gid_mappings, spec->lnx.n_gid_mappings, err);
}
