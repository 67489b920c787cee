/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The cgroup mount of a container: the parent plans it from the host's
 * hierarchies (hr_cgmounts_plan), the child builds it inside the rootfs as
 * a tmpfs with one directory per hierarchy (cgroup_mount, called by
 * mount.c's hr_mounts_apply_child).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "hardrun/fs.h"
#include "hardrun/init.h"
#include "hardrun/log.h"
#include "hardrun/mountinfo.h"
#include "hardrun/strutil.h"
#include "mount_int.h"

/*
 * The cgroup mount: a tmpfs with one directory per host hierarchy, each
 * either a fresh cgroup mount rooted at the container's cgroup (cgroup
 * namespace) or a bind of the container's host cgroup directory.  Read-only
 * is applied to every piece (CVE-2023-25809).
 */
int cgroup_mount(const struct hr_plan *plan, const struct hr_mount *m, int rootfs_fd, struct hr_err **err)
{
	cleanup_close int target = -1;
	cleanup_close int top = -1;
	char fdpath[32];
	unsigned long flags = m->opts.flags & ~(unsigned long)(MS_BIND | MS_REC | MS_REMOUNT);
	struct mount_attr ro = {.attr_set = MOUNT_ATTR_RDONLY};
	bool pure_v2 = plan->n_cgmounts == 1 && plan->cgmounts[0].name[0] == '\0';

	target = hr_fs_mkdir_p_at(rootfs_fd, m->destination, 0755, err);
	if (target < 0)
		return hr_fail_wrap(err, "mount cgroup on `%s`", m->destination);
	hr_fs_fd_path(target, fdpath, sizeof(fdpath));

	if (pure_v2) {
		const struct hr_cgmount *c = &plan->cgmounts[0];

		if (plan->new_cgroupns) {
			if (mount("cgroup2", fdpath, "cgroup2", flags, NULL) < 0)
				return hr_fail(err, errno, "mount `cgroup2` on `%s`", m->destination);
			return 0;
		}
		{
			cleanup_close int tree = open_tree(AT_FDCWD, c->host_dir, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
			struct mount_attr a = {0};

			if (tree < 0)
				return hr_fail(err, errno, "bind `%s` on `%s`", c->host_dir, m->destination);
			flags_to_attr(flags, 0, &a);
			if (setattr_fd(tree, false, &a, m->destination, err) < 0)
				return -1;
			return attach_tree(tree, target, m->destination, err);
		}
	}

	if (mount("tmpfs", fdpath, "tmpfs", (flags & ~(unsigned long)MS_RDONLY) | MS_NOSUID | MS_NODEV | MS_NOEXEC,
		  "mode=755") < 0)
		return hr_fail(err, errno, "mount `tmpfs` on `%s`", m->destination);
	top = hr_fs_open_in_root_at(rootfs_fd, m->destination, O_PATH | O_DIRECTORY, 0, err);
	if (top < 0)
		return -1;
	for (size_t i = 0; i < plan->n_cgmounts; i++) {
		const struct hr_cgmount *c = &plan->cgmounts[i];
		cleanup_close int dir = -1;
		char dpath[32];

		if (mkdirat(top, c->name, 0755) < 0 && errno != EEXIST)
			return hr_fail(err, errno, "mkdir `%s/%s`", m->destination, c->name);
		dir = openat(top, c->name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (dir < 0)
			return hr_fail(err, errno, "open `%s/%s`", m->destination, c->name);
		if (plan->new_cgroupns) {
			if (mount("cgroup", hr_fs_fd_path(dir, dpath, sizeof(dpath)), c->fstype, flags,
				  c->options[0] ? c->options : NULL) < 0)
				return hr_fail(err, errno, "mount `%s` on `%s/%s`", c->fstype, m->destination, c->name);
		} else {
			cleanup_close int tree = open_tree(AT_FDCWD, c->host_dir, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
			struct mount_attr a = {0};

			if (tree < 0)
				return hr_fail(err, errno, "bind `%s` on `%s/%s`", c->host_dir, m->destination,
					       c->name);
			flags_to_attr(flags | MS_NOSUID | MS_NODEV | MS_NOEXEC, 0, &a);
			if (setattr_fd(tree, false, &a, m->destination, err) < 0)
				return -1;
			if (attach_tree(tree, dir, c->name, err) < 0)
				return -1;
		}
		/* co-mounted controllers ("cpu,cpuacct") get one symlink per name, as on the host */
		if (strchr(c->name, ',')) {
			cleanup_free char *names = xstrdup(c->name);
			char *save = NULL;

			for (char *tok = strtok_r(names, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
				if (symlinkat(c->name, top, tok) < 0 && errno != EEXIST)
					return hr_fail(err, errno, "symlink `%s/%s`", m->destination, tok);
		}
	}
	if ((flags & MS_RDONLY) && setattr_fd(top, false, &ro, m->destination, err) < 0)
		return -1;
	return 0;
}

/* ---- parent side: the host's cgroup hierarchies ---- */

void hr_cgmounts_free(struct hr_cgmount *m, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(m[i].name);
		free(m[i].fstype);
		free(m[i].options);
		free(m[i].host_dir);
	}
	free(m);
}

int hr_cgmounts_plan(const char *cgroup_path, struct hr_cgmount **out, size_t *n, struct hr_err **err)
{
	cleanup_fclose FILE *f = fopen("/proc/self/mountinfo", "re");
	cleanup_free char *line = NULL;
	size_t cap = 0;
	struct hr_cgmount *v = NULL;
	size_t count = 0;

	if (!f)
		return hr_fail(err, errno, "open `/proc/self/mountinfo`");
	while (getline(&line, &cap, f) > 0) {
		char *fields[12] = {0};
		char *save = NULL, *sep;
		int nf = 0;
		cleanup_free char *mnt = NULL;
		const char *fstype, *super;
		char *name;

		sep = strstr(line, " - ");
		if (!sep)
			continue;
		*sep = '\0';
		for (char *t = strtok_r(line, " ", &save); t && nf < 6; t = strtok_r(NULL, " ", &save))
			fields[nf++] = t;
		if (nf < 5)
			continue;
		save = NULL;
		fstype = strtok_r(sep + 3, " ", &save);
		(void)strtok_r(NULL, " ", &save);
		super = strtok_r(NULL, " \n", &save);
		if (!fstype || (strcmp(fstype, "cgroup") != 0 && strcmp(fstype, "cgroup2") != 0))
			continue;
		mnt = hr_mountinfo_unescape(fields[4]);
		if (strcmp(mnt, "/sys/fs/cgroup") == 0)
			name = xstrdup("");
		else if (hr_str_has_prefix(mnt, "/sys/fs/cgroup/") && !strchr(mnt + 15, '/'))
			name = xstrdup(mnt + 15);
		else
			continue;
		v = xrealloc(v, (count + 1) * sizeof(*v));
		v[count].name = name;
		v[count].fstype = xstrdup(fstype);
		v[count].host_dir = hr_path_join(mnt, cgroup_path && *cgroup_path ? cgroup_path : "/");
		/* keep only the subsystem / name= options a cgroup v1 mount needs */
		{
			cleanup_free char *opts = xstrdup(super ? super : "");
			char *keep = xstrdup("");
			char *s2 = NULL;

			for (char *o = strtok_r(opts, ",", &s2); o; o = strtok_r(NULL, ",", &s2)) {
				char *joined;

				if (strcmp(o, "rw") == 0 || strcmp(o, "ro") == 0 ||
				    hr_str_has_prefix(o, "release_agent") || strcmp(o, "nsdelegate") == 0 ||
				    strcmp(o, "memory_recursiveprot") == 0 || strcmp(o, "clone_children") == 0 ||
				    strcmp(o, "noprefix") == 0 || strcmp(fstype, "cgroup2") == 0)
					continue;
				joined = keep[0] ? xasprintf("%s,%s", keep, o) : xstrdup(o);
				free(keep);
				keep = joined;
			}
			v[count].options = keep;
		}
		count++;
	}
	*out = v;
	*n = count;
	return 0;
}
