/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The init joins its own v1 cgroups.  Writing a pid into a cgroup.procs
 * takes the kernel's cgroup threadgroup lock for writing, which waits for an
 * RCU grace period (4 ms on an idle 2-core machine, 5-17 ms loaded, once per
 * create).  A single-threaded process that writes "0" into a v1 `tasks` file
 * moves only itself, and the kernel then takes no threadgroup lock (0.05 ms).
 * The runtime opens the `tasks` files (the kernel checks the opener's
 * credentials at the write, so a user namespace the init is already in does
 * not matter); the init writes them first thing, before it reads anything
 * from the runtime, and dies with one line naming the cgroup when a write
 * fails.  The runtime checks /proc/PID/cgroup once the init is ready.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup_int.h"
#include "hardrun/strutil.h"

void hr_cgjoin_free(struct hr_cgjoin *j)
{
	for (size_t i = 0; i < j->n; i++) {
		if (j->fds[i] >= 0)
			close(j->fds[i]);
		free(j->paths[i]);
	}
	/* a zeroed, never opened join has no fds: v2fd 0 is not ours */
	if (j->fds && j->v2fd >= 0)
		close(j->v2fd);
	free(j->fds);
	free(j->paths);
	free(j->idx);
	memset(j, 0, sizeof(*j));
	j->v2fd = -1;
}

void hr_cgjoin_close_fds(struct hr_cgjoin *j)
{
	for (size_t i = 0; i < j->n; i++) {
		if (j->fds[i] >= 0)
			close(j->fds[i]);
		j->fds[i] = -1;
	}
	if (j->fds && j->v2fd >= 0)
		close(j->v2fd);
	j->v2fd = -1;
}

int hr_cgjoin_open(const struct hr_cgroup *cg, struct hr_cgjoin *j, struct hr_err **err)
{
	memset(j, 0, sizeof(*j));
	j->v2fd = -1;
	/* test trees journal the runtime's writes: the runtime joins those */
	if (cg == NULL || cg->fake_prefix)
		return 0;
	j->fds = xcalloc(cg->n ? cg->n : 1, sizeof(int));
	j->paths = xcalloc(cg->n ? cg->n : 1, sizeof(char *));
	j->idx = xcalloc(cg->n ? cg->n : 1, sizeof(size_t));
	for (size_t i = 0; i < cg->n; i++) {
		const struct cg_hier *h = &cg->h[i];
		char *path;
		int fd;

		if (h->v2) {
			/* no fd: the runtime joins it as before (cgroup.procs), with its own error line */
			j->v2fd = open(h->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
			j->v2idx = i;
			continue;
		}
		path = hr_path_join(h->dir, "tasks");
		fd = open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
		if (fd < 0) {
			int e = errno;

			free(path);
			hr_cgjoin_free(j);
			return hr_fail(err, e, "open `%s/tasks`", h->dir);
		}
		j->fds[j->n] = fd;
		j->paths[j->n] = path;
		j->idx[j->n] = i;
		j->n++;
	}
	return 0;
}

bool hr_cgjoin_has(const struct hr_cgjoin *j, size_t hier)
{
	if (j && j->v2_joined && j->v2idx == hier)
		return true;
	for (size_t i = 0; j && i < j->n; i++)
		if (j->idx[i] == hier)
			return true;
	return false;
}

int hr_cgjoin_child(const struct hr_cgjoin *j, struct hr_err **err)
{
	for (size_t i = 0; j && i < j->n; i++) {
		ssize_t w;

		do {
			w = write(j->fds[i], "0", 1);
		} while (w < 0 && errno == EINTR);
		if (w != 1)
			return hr_fail(err, w < 0 ? errno : EIO, "container init: join cgroup `%s`", j->paths[i]);
	}
	return 0;
}

int hr_cgjoin_verify(const struct hr_cgroup *cg, const struct hr_cgjoin *j, pid_t pid, struct hr_err **err)
{
	char dir[64];
	cleanup_free char *text = NULL;

	if (j == NULL || j->n == 0)
		return 0;
	snprintf(dir, sizeof(dir), "/proc/%d", (int)pid);
	if (hr_cgroup_read(dir, "cgroup", &text, err) < 0)
		return -1;
	for (size_t i = 0; i < j->n; i++) {
		const struct cg_hier *h = &cg->h[j->idx[i]];
		size_t cl = strlen(h->ctrls) - 2; /* ",cpu,cpuacct," without its commas */
		bool found = false;

		for (char *l = text; l && *l && !found;) {
			char *nl = strchr(l, '\n');
			char *c = strchr(l, ':');
			size_t ll = nl ? (size_t)(nl - l) : strlen(l);

			if (c && (size_t)(c - l) < ll) {
				char *p = c + 1;

				if (strncmp(p, h->ctrls + 1, cl) == 0 && p[cl] == ':') {
					size_t pl = ll - (size_t)(p + cl + 1 - l);

					found = pl == strlen(cg->path) && strncmp(p + cl + 1, cg->path, pl) == 0;
					if (!found)
						return hr_fail(err, EPERM,
							       "cgroup `%s`: container init %d is in `%.*s`", h->dir,
							       (int)pid, (int)pl, p + cl + 1);
				}
			}
			l = nl ? nl + 1 : NULL;
		}
		if (!found)
			return hr_fail(err, ENOENT, "cgroup `%s`: container init %d is not listed in it", h->dir,
				       (int)pid);
	}
	return 0;
}
