/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * /dev inside the container: the default nodes the runtime-spec requires
 * (null, zero, full, random, urandom, tty), the config's linux.devices,
 * and the usual symlinks.  All work is relative to an fd of the rootfs
 * /dev resolved inside the root, never a host path (CVE-2026-41579,
 * CVE-2026-47766).  In a user namespace mknod is not allowed, so nodes are
 * bind mounts of the host's nodes.  Child only.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "hardrun/fs.h"
#include "hardrun/init.h"
#include "hardrun/strutil.h"

struct devnode {
	const char *path;
	char type;
	unsigned int major, minor;
	mode_t mode;
	bool has_uid, has_gid;
	uid_t uid;
	gid_t gid;
};

static const struct devnode default_nodes[] = {
	{"/dev/null", 'c', 1, 3, 0666, false, false, 0, 0},    {"/dev/zero", 'c', 1, 5, 0666, false, false, 0, 0},
	{"/dev/full", 'c', 1, 7, 0666, false, false, 0, 0},    {"/dev/random", 'c', 1, 8, 0666, false, false, 0, 0},
	{"/dev/urandom", 'c', 1, 9, 0666, false, false, 0, 0}, {"/dev/tty", 'c', 5, 0, 0666, false, false, 0, 0},
};

static mode_t type_bits(char t)
{
	switch (t) {
	case 'b':
		return S_IFBLK;
	case 'p':
		return S_IFIFO;
	default:
		return S_IFCHR;
	}
}

static int make_node(const struct hr_plan *plan, int rootfs_fd, const struct devnode *d, bool is_default,
		     struct hr_err **err)
{
	cleanup_free char *parent = NULL;
	cleanup_close int pfd = -1;
	cleanup_close int existing = -1;
	const char *base = strrchr(d->path, '/');
	dev_t rdev = makedev(d->major, d->minor);
	struct stat st;

	parent = xstrndup(d->path, (size_t)(base - d->path));
	base++;
	pfd = hr_fs_mkdir_p_at(rootfs_fd, parent[0] ? parent : "/", 0755, err);
	if (pfd < 0)
		return hr_fail_wrap(err, "create device `%s`", d->path);
	existing = openat(pfd, base, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (existing >= 0) {
		if (fstat(existing, &st) < 0)
			return hr_fail(err, errno, "stat `%s`", d->path);
		if ((st.st_mode & S_IFMT) == type_bits(d->type) && (d->type == 'p' || st.st_rdev == rdev))
			return 0;
		/* an image's stale regular file or symlink at a default node is replaced, never followed */
		if (!is_default || S_ISDIR(st.st_mode))
			return hr_fail(err, EEXIST, "create device `%s`: a different file exists there", d->path);
		if (unlinkat(pfd, base, 0) < 0)
			return hr_fail(err, errno, "remove `%s`", d->path);
	}
	if (!plan->userns) {
		if (mknodat(pfd, base, type_bits(d->type) | (d->mode & 07777), rdev) < 0)
			return hr_fail(err, errno, "mknod `%s`", d->path);
		if (fchmodat(pfd, base, d->mode & 07777, 0) < 0)
			return hr_fail(err, errno, "chmod `%s`", d->path);
		if ((d->has_uid || d->has_gid) && fchownat(pfd, base, d->has_uid ? d->uid : (uid_t)-1,
							   d->has_gid ? d->gid : (gid_t)-1, AT_SYMLINK_NOFOLLOW) < 0)
			return hr_fail(err, errno, "chown `%s`", d->path);
		return 0;
	}
	/* user namespace: bind the host's node over an empty file */
	{
		cleanup_close int f = openat(pfd, base, O_CREAT | O_EXCL | O_NOFOLLOW | O_WRONLY | O_CLOEXEC, 0600);
		cleanup_close int target = -1;
		cleanup_close int tree = -1;
		cleanup_free char *host = NULL;
		const uint64_t nosuid_noexec = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC;

		if (f < 0)
			return hr_fail(err, errno, "create `%s`", d->path);
		target = openat(pfd, base, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (target < 0)
			return hr_fail(err, errno, "open `%s`", d->path);
		host = xstrdup(d->path);
		tree = open_tree(AT_FDCWD, host, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
		if (tree < 0)
			return hr_fail(err, errno, "bind host `%s`", d->path);
		/* a node needs dev, nothing else: as the nodes mknod makes on a nosuid,noexec /dev */
		if (mount_setattr(tree, "", AT_EMPTY_PATH, &(struct mount_attr){.attr_set = nosuid_noexec},
				  sizeof(struct mount_attr)) < 0)
			return hr_fail(err, errno, "make host `%s` nosuid,noexec", d->path);
		if (move_mount(tree, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
			return hr_fail(err, errno, "bind host `%s`", d->path);
	}
	return 0;
}

int hr_dev_setup_child(const struct hr_plan *plan, int rootfs_fd, struct hr_err **err)
{
	static const struct {
		const char *target, *name;
	} links[] = {
		{"/proc/self/fd", "fd"},
		{"/proc/self/fd/0", "stdin"},
		{"/proc/self/fd/1", "stdout"},
		{"/proc/self/fd/2", "stderr"},
	};
	const struct hr_linux *lx = &plan->spec->lnx;
	cleanup_close int devfd = -1;
	cleanup_close int ptmx = -1;

	for (size_t i = 0; i < HR_ARRAY_SIZE(default_nodes); i++)
		if (make_node(plan, rootfs_fd, &default_nodes[i], true, err) < 0)
			return -1;
	for (size_t i = 0; i < lx->n_devices; i++) {
		const struct hr_device *d = &lx->devices[i];
		struct devnode n = {
			.path = d->path,
			.type = d->type == 'u' ? 'c' : d->type,
			.major = (unsigned int)d->major,
			.minor = (unsigned int)d->minor,
			.mode = d->has_file_mode ? d->file_mode : 0666,
			.has_uid = d->has_uid,
			.uid = d->uid,
			.has_gid = d->has_gid,
			.gid = d->gid,
		};

		if (make_node(plan, rootfs_fd, &n, false, err) < 0)
			return -1;
	}
	devfd = hr_fs_mkdir_p_at(rootfs_fd, "/dev", 0755, err);
	if (devfd < 0)
		return -1;
	for (size_t i = 0; i < HR_ARRAY_SIZE(links); i++)
		if (symlinkat(links[i].target, devfd, links[i].name) < 0 && errno != EEXIST)
			return hr_fail(err, errno, "symlink `/dev/%s`", links[i].name);
	/* /dev/ptmx → pts/ptmx when a devpts is mounted and the image has no ptmx of its own */
	ptmx = openat(devfd, "ptmx", O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (ptmx < 0 && errno == ENOENT) {
		if (symlinkat("pts/ptmx", devfd, "ptmx") < 0)
			return hr_fail(err, errno, "symlink `/dev/ptmx`");
	}
	return 0;
}
