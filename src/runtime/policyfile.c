/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reading the operator's policy file: /etc/hardrun/policy.json when it
 * exists (else the built-in default level), or the file --policy names.
 * Like doas with its config, a file that someone other than root owns or
 * that group or others may write is refused: it decides how every
 * container is confined.  Parsing is hr_policy_parse's.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hardrun/policy.h"
#include "hardrun/runtime.h"
#include "hardrun/strutil.h"
#include "statedir.h"

int hr_runtime_policy_load(const struct hr_rt *rt, struct hr_policy **out, struct hr_err **err)
{
	const char *path = rt->policy_path ? rt->policy_path : HR_POLICY_PATH;
	const char *base = strrchr(path, '/');
	cleanup_close int fd = -1;
	cleanup_free char *buf = NULL;
	size_t len = 0;
	struct stat st;

	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT && !rt->policy_path)
		return hr_policy_parse(NULL, 0, "policy", HR_POLICY_DEFAULT_LEVEL, out, err);
	if (fd < 0)
		return hr_fail(err, errno, "policy `%s`", path);
	if (fstat(fd, &st) < 0)
		return hr_fail(err, errno, "policy `%s`", path);
	if (!S_ISREG(st.st_mode))
		return hr_fail(err, EINVAL, "policy `%s`: not a regular file", path);
	if (st.st_uid != 0 || (st.st_mode & (S_IWGRP | S_IWOTH)))
		return hr_fail(err, EPERM, "policy `%s`: must be owned by root and not writable by group or others",
			       path);
	if (hr_read_fd_all(fd, path, &buf, &len, err) < 0)
		return -1;
	return hr_policy_parse(buf, len, base ? base + 1 : path, -1, out, err);
}
