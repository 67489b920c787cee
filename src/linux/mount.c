/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The container's mounts, in config order, inside the rootfs: bind mounts
 * as detached trees (open_tree → mount_setattr → move_mount, so read-only
 * and the other flags hold before the mount is visible and no path is
 * resolved twice), filesystem mounts onto an O_PATH fd of the target, the
 * cgroup mount (mount_cgroup.c), masked and read-only paths, and
 * pivot_root.  Child only.  Every target is resolved through fs.c inside
 * the rootfs.
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

#define PROC_SUPER_MAGIC 0x9fa0
#define SYSFS_MAGIC 0x62656572

/* MS_* flags that map to per-mount attributes. */
void flags_to_attr(unsigned long set, unsigned long clr, struct mount_attr *a)
{
	if (set & MS_RDONLY)
		a->attr_set |= MOUNT_ATTR_RDONLY;
	if (set & MS_NOSUID)
		a->attr_set |= MOUNT_ATTR_NOSUID;
	if (set & MS_NODEV)
		a->attr_set |= MOUNT_ATTR_NODEV;
	if (set & MS_NOEXEC)
		a->attr_set |= MOUNT_ATTR_NOEXEC;
	if (set & MS_NODIRATIME)
		a->attr_set |= MOUNT_ATTR_NODIRATIME;
	if (set & MS_NOSYMFOLLOW)
		a->attr_set |= MOUNT_ATTR_NOSYMFOLLOW;
	if (set & (MS_NOATIME | MS_STRICTATIME | MS_RELATIME)) {
		a->attr_clr |= MOUNT_ATTR__ATIME;
		if (set & MS_NOATIME)
			a->attr_set |= MOUNT_ATTR_NOATIME;
		else if (set & MS_STRICTATIME)
			a->attr_set |= MOUNT_ATTR_STRICTATIME;
		else
			a->attr_set |= MOUNT_ATTR_RELATIME;
	}
	if (clr & MS_RDONLY)
		a->attr_clr |= MOUNT_ATTR_RDONLY;
	if (clr & MS_NOSUID)
		a->attr_clr |= MOUNT_ATTR_NOSUID;
	if (clr & MS_NODEV)
		a->attr_clr |= MOUNT_ATTR_NODEV;
	if (clr & MS_NOEXEC)
		a->attr_clr |= MOUNT_ATTR_NOEXEC;
	if (clr & MS_NODIRATIME)
		a->attr_clr |= MOUNT_ATTR_NODIRATIME;
	if (clr & MS_NOSYMFOLLOW)
		a->attr_clr |= MOUNT_ATTR_NOSYMFOLLOW;
}

int setattr_fd(int fd, bool recursive, const struct mount_attr *a, const char *what, struct hr_err **err)
{
	struct mount_attr attr = *a;

	if (attr.attr_set == 0 && attr.attr_clr == 0 && attr.propagation == 0)
		return 0;
	if (mount_setattr(fd, "", AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0), &attr, sizeof(attr)) < 0)
		return hr_fail(err, errno, "set mount attributes of `%s`", what);
	return 0;
}

/* Attach the detached tree onto the O_PATH target fd. */
int attach_tree(int tree, int target, const char *dest, struct hr_err **err)
{
	if (move_mount(tree, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return hr_fail(err, errno, "move mount onto `%s`", dest);
	return 0;
}

/*
 * runc's rule for mounts under /proc (CVE-2019-16884, CVE-2025-52881): only
 * procfs on /proc itself, and binds over a few files lxcfs provides.
 */
static bool proc_dest_allowed(const char *dest, const char *type)
{
	static const char *const ok_files[] = {
		"/proc/cpuinfo",
		"/proc/diskstats",
		"/proc/meminfo",
		"/proc/stat",
		"/proc/swaps",
		"/proc/uptime",
		"/proc/loadavg",
		"/proc/slabinfo",
		"/proc/sys/kernel/ns_last_pid",
		"/proc/sys/kernel/random/boot_id",
	};
	const char *rest;

	if (!hr_str_has_prefix(dest, "/proc"))
		return true;
	rest = dest + 5;
	if (*rest == '\0' || strcmp(rest, "/") == 0)
		return type && strcmp(type, "proc") == 0;
	if (*rest != '/')
		return true; /* e.g. /procfoo */
	for (size_t i = 0; i < HR_ARRAY_SIZE(ok_files); i++)
		if (strcmp(dest, ok_files[i]) == 0)
			return true;
	return false;
}

/* /proc, /sys and their kind must be real directories inside the rootfs (CVE-2019-19921, CVE-2023-27561). */
static int check_not_symlink(int rootfs_fd, const char *dest, struct hr_err **err)
{
	cleanup_close int fd = -1;
	struct stat st;

	fd = hr_fs_open_in_root_at(rootfs_fd, dest, O_PATH | O_NOFOLLOW, 0, NULL);
	if (fd < 0)
		return 0; /* missing: created as a directory later */
	if (fstat(fd, &st) < 0)
		return hr_fail(err, errno, "stat `%s`", dest);
	if (S_ISLNK(st.st_mode))
		return hr_fail(err, ELOOP, "mount on `%s`: the destination is a symlink", dest);
	if (!S_ISDIR(st.st_mode))
		return hr_fail(err, ENOTDIR, "mount on `%s`: the destination is not a directory", dest);
	return 0;
}

/* The bind's own attributes on its detached tree (top and recursive, as the options say). */
static int bind_tree_attrs(const struct hr_mount *m, int tree, struct hr_err **err)
{
	struct mount_attr top = {0}, rec = {0};

	flags_to_attr(m->opts.flags, m->opts.clear_flags, &top);
	rec.attr_set = m->opts.rec_attr_set;
	rec.attr_clr = m->opts.rec_attr_clr;
	rec.propagation = m->opts.propagation & ~(unsigned long)MS_REC;
	/*
	 * Plain flags apply to the top mount only, the r* variants to the
	 * whole tree (runtime-spec) -- except read-only: `rbind,ro` makes every
	 * submount read-only too, as docker does since v25.  A read-only bind
	 * of the host's /sys would otherwise carry its writable cgroup
	 * hierarchies into the container (CVE-2023-25809).
	 */
	if (m->opts.recursive && (top.attr_set & MOUNT_ATTR_RDONLY))
		rec.attr_set |= MOUNT_ATTR_RDONLY;
	if (setattr_fd(tree, false, &top, m->destination, err) < 0 ||
	    setattr_fd(tree, true, &rec, m->destination, err) < 0)
		return -1;
	return 0;
}

static int open_bind_tree(const struct hr_mount *m, struct hr_err **err)
{
	unsigned int otflags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC;
	int tree;

	if (m->source == NULL)
		return hr_fail(err, EINVAL, "mount `%s`: bind mount without a source", m->destination);
	if (m->opts.recursive)
		otflags |= AT_RECURSIVE;
	tree = open_tree(AT_FDCWD, m->source, otflags);
	if (tree < 0)
		return hr_fail(err, errno, "bind mount `%s` on `%s`", m->source, m->destination);
	return tree;
}

/* prepared: a tree the parent made (idmapped), or -1 to clone the source here */
static int bind_mount(const struct hr_mount *m, int prepared, int rootfs_fd, struct hr_err **err)
{
	cleanup_close int tree = -1;
	cleanup_close int target = -1;
	struct stat st;

	if (prepared >= 0) {
		tree = prepared;
	} else {
		tree = open_bind_tree(m, err);
		if (tree < 0 || bind_tree_attrs(m, tree, err) < 0)
			return -1;
	}
	if (fstat(tree, &st) < 0)
		return hr_fail(err, errno, "stat `%s`", m->source);
	target =
		hr_fs_ensure_at(rootfs_fd, m->destination, S_ISDIR(st.st_mode), S_ISDIR(st.st_mode) ? 0755 : 0644, err);
	if (target < 0)
		return hr_fail_wrap(err, "bind mount `%s` on `%s`", m->source, m->destination);
	if (attach_tree(tree, target, m->destination, err) < 0)
		return -1;
	/* a tree the parent cloned in the host's namespace is a peer of its source: not a path back to the host */
	if (prepared >= 0) {
		struct mount_attr prop = {.propagation = MS_SLAVE};

		return setattr_fd(tree, true, &prop, m->destination, err);
	}
	return 0;
}

int hr_idmap_userns_open(const struct hr_idmap *u, size_t nu, const struct hr_idmap *g, size_t ng, struct hr_err **err)
{
	int ready[2], hold[2], fd = -1;
	char path[64], c;
	pid_t pid;

	if (pipe2(ready, O_CLOEXEC) < 0)
		return hr_fail(err, errno, "idmapped mount: pipe");
	if (pipe2(hold, O_CLOEXEC) < 0) {
		close(ready[0]);
		close(ready[1]);
		return hr_fail(err, errno, "idmapped mount: pipe");
	}
	pid = fork();
	if (pid == 0) {
		close(ready[0]);
		close(hold[1]);
		if (unshare(CLONE_NEWUSER) < 0)
			_exit(1);
		(void)!write(ready[1], "1", 1);
		(void)!read(hold[0], &c, 1); /* until the parent has the namespace */
		_exit(0);
	}
	close(ready[1]);
	close(hold[0]);
	if (pid < 0) {
		hr_fail(err, errno, "idmapped mount: fork");
	} else if (read(ready[0], &c, 1) != 1) {
		hr_fail(err, EPERM, "idmapped mount: cannot create a user namespace");
	} else if (hr_idmap_write_maps(pid, u, nu, g, ng, err) == 0) {
		snprintf(path, sizeof(path), "/proc/%d/ns/user", pid);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			hr_fail(err, errno, "open `%s`", path);
	}
	close(ready[0]);
	close(hold[1]);
	if (pid > 0)
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
	return fd;
}

void hr_idmap_trees_free(int *trees, size_t n)
{
	for (size_t i = 0; trees && i < n; i++)
		if (trees[i] >= 0)
			close(trees[i]);
	free(trees);
}

/*
 * What org.hardrun.rootfs.idmap-fallback says where the filesystem refuses
 * idmapping (refused): "refuse" keeps the error, "unmapped" logs it as a
 * warning and goes on without the idmapping (0).
 */
static int idmap_fallback(const struct hr_spec *spec, bool refused, struct hr_err **err)
{
	cleanup_free char *line = NULL;

	if (!refused || !spec->root_idmap_unmapped)
		return -1;
	line = hr_err_format(*err);
	hr_log_warn("%s: the files stay unmapped (%s is \"unmapped\")", line, HR_ANN_ROOTFS_IDMAP_FALLBACK);
	hr_err_free(err);
	return 0;
}

static bool is_bind_mount(const struct hr_mount *m)
{
	return m->opts.bind || (m->type && strcmp(m->type, "bind") == 0);
}

/*
 * One mount's idmapped tree: its own idmap/ridmap option, or (implicit) a
 * bind the root_idmap annotation covers, recursive as the bind is.  Returns
 * the tree, or -1; *refused when the filesystem cannot be idmapped.
 */
static int idmap_mount_tree(const struct hr_mount *m, int userns, bool implicit, bool *refused, struct hr_err **err)
{
	struct mount_attr a = {.attr_set = MOUNT_ATTR_IDMAP, .userns_fd = (uint64_t)userns};
	bool recursive = implicit ? m->opts.recursive : m->opts.ridmap;
	cleanup_close int tree = open_bind_tree(m, err);

	*refused = false;
	if (tree < 0)
		return -1;
	if (mount_setattr(tree, "", AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0), &a, sizeof(a)) < 0) {
		*refused = errno == EINVAL;
		return hr_fail(err, errno, "idmapped mount of `%s` on `%s`%s", m->source, m->destination,
			       errno == EINVAL ? ": the filesystem cannot be idmapped" : "");
	}
	if (bind_tree_attrs(m, tree, err) < 0)
		return -1;
	return steal_fd(&tree);
}

int hr_idmap_trees_prepare(const struct hr_spec *spec, const char *rootfs, int **trees, int *root_tree,
			   struct hr_err **err)
{
	const struct hr_linux *lx = &spec->lnx;
	cleanup_close int ctr_userns = -1; /* the container's mappings, made once */
	int *t = NULL;

	*trees = NULL;
	*root_tree = -1;
	for (size_t i = 0; i < spec->n_mounts; i++) {
		const struct hr_mount *m = &spec->mounts[i];
		bool own = m->n_uid_mappings > 0 || m->n_gid_mappings > 0;
		bool implicit = !m->opts.idmap && !m->opts.ridmap && spec->root_idmap && is_bind_mount(m);
		cleanup_close int own_userns = -1;
		bool refused = false;
		int tree;

		if (!m->opts.idmap && !m->opts.ridmap && !implicit)
			continue;
		if (!t) {
			t = xcalloc(spec->n_mounts, sizeof(int));
			for (size_t k = 0; k < spec->n_mounts; k++)
				t[k] = -1;
		}
		if (own)
			own_userns = hr_idmap_userns_open(m->uid_mappings, m->n_uid_mappings, m->gid_mappings,
							  m->n_gid_mappings, err);
		else if (ctr_userns < 0)
			ctr_userns = hr_idmap_userns_open(lx->uid_mappings, lx->n_uid_mappings, lx->gid_mappings,
							  lx->n_gid_mappings, err);
		if (own ? own_userns < 0 : ctr_userns < 0) {
			hr_idmap_trees_free(t, spec->n_mounts);
			return hr_fail_wrap(err, "idmapped mount on `%s`", m->destination);
		}
		tree = idmap_mount_tree(m, own ? own_userns : ctr_userns, implicit, &refused, err);
		/* only the annotation's implicit idmapping has a fallback: an explicit idmap option must hold */
		if (tree < 0 && !(implicit && idmap_fallback(spec, refused, err) == 0)) {
			hr_idmap_trees_free(t, spec->n_mounts);
			return -1;
		}
		t[i] = tree;
	}
	if (spec->root_idmap) {
		bool refused = false;

		if (ctr_userns < 0)
			ctr_userns = hr_idmap_userns_open(lx->uid_mappings, lx->n_uid_mappings, lx->gid_mappings,
							  lx->n_gid_mappings, err);
		*root_tree = ctr_userns < 0 ? -1 : hr_rootfs_idmap_prepare(spec, rootfs, ctr_userns, &refused, err);
		if (*root_tree < 0 && !(ctr_userns >= 0 && idmap_fallback(spec, refused, err) == 0)) {
			hr_idmap_trees_free(t, spec->n_mounts);
			return -1;
		}
	}
	*trees = t;
	return 0;
}

static int mnt_id_fd(int fd, uint64_t *id)
{
	struct statx stx;

	if (statx(fd, "", AT_EMPTY_PATH, STATX_MNT_ID, &stx) < 0)
		return -1;
	if (!(stx.stx_mask & STATX_MNT_ID)) {
		errno = EOPNOTSUPP;
		return -1;
	}
	*id = stx.stx_mnt_id;
	return 0;
}

/*
 * With a rootfsPropagation of shared, `/` was just made so recursively.
 * The mount the rootfs lives on then becomes private (runc's
 * rootfsParentMountPrivate): a tree attached under a shared mount would
 * propagate to its peers, the host's mounts, and could not be pivot_root's
 * new root (EINVAL).  Found by walking `..` from the rootfs until the mount
 * changes, so no path above the rootfs is looked up by name.  The config's
 * propagation is applied to the new `/` after pivot_root.
 */
static int rootfs_parent_private(const char *at, const char *rootfs, struct hr_err **err)
{
	cleanup_close int cur = open(at, O_PATH | O_DIRECTORY | O_CLOEXEC);
	struct mount_attr priv = {.propagation = MS_PRIVATE};
	uint64_t id, up_id;

	if (cur < 0 || mnt_id_fd(cur, &id) < 0)
		return hr_fail(err, errno, "find the mount of rootfs `%s`", rootfs);
	for (int depth = 0; depth < PATH_MAX / 2; depth++) {
		cleanup_close int up = openat(cur, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
		struct stat a, b;

		if (up < 0 || mnt_id_fd(up, &up_id) < 0 || fstat(cur, &a) < 0 || fstat(up, &b) < 0)
			return hr_fail(err, errno, "find the mount of rootfs `%s`", rootfs);
		if (up_id != id || (a.st_dev == b.st_dev && a.st_ino == b.st_ino))
			break;
		hr_cleanup_closep(&cur);
		cur = steal_fd(&up);
	}
	if (mount_setattr(cur, "", AT_EMPTY_PATH, &priv, sizeof(priv)) < 0)
		return hr_fail(err, errno, "make the mount of rootfs `%s` private", rootfs);
	return 0;
}

int hr_rootfs_mount_child(struct hr_plan *plan, struct hr_err **err)
{
	/*
	 * In a user namespace the path may cross host directories the
	 * container's root cannot search (dockerd's 0710 data root): the init
	 * starts in the rootfs instead, and never walks the path.
	 */
	const char *at = plan->rootfs_is_cwd ? "." : plan->rootfs;
	cleanup_close int tree = plan->root_tree;
	cleanup_close int target = -1;
	bool prepared = tree >= 0;

	plan->root_tree = -1;
	if ((plan->spec->lnx.rootfs_propagation_flags & MS_SHARED) && rootfs_parent_private(at, plan->rootfs, err) < 0)
		return -1;
	/* the idmapped tree (or rebuilt overlay) goes over the rootfs; the host's mount stays below */
	if (tree < 0) {
		tree = open_tree(AT_FDCWD, at, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
		if (tree < 0)
			return hr_fail(err, errno, "bind mount rootfs `%s`", plan->rootfs);
	}
	target = open(at, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (target < 0)
		return hr_fail(err, errno, "open rootfs `%s`", plan->rootfs);
	if (attach_tree(tree, target, plan->rootfs, err) < 0)
		return -1;
	/*
	 * A tree the parent cloned in the host's mount namespace is a peer of
	 * its source: on a host whose / is shared (every systemd host) each
	 * mount made below it would propagate back to the host, and pivot_root
	 * refuses a shared new root.  It becomes what a clone made here is, a
	 * slave (or private when the config asks), before anything is mounted
	 * on it.
	 */
	if (prepared) {
		struct mount_attr prop = {
			.propagation = (plan->spec->lnx.rootfs_propagation_flags & MS_PRIVATE) ? MS_PRIVATE : MS_SLAVE};

		if (setattr_fd(tree, true, &prop, plan->rootfs, err) < 0)
			return -1;
	}
	/* a tree the parent prepared may be shared with its host source: pivot_root refuses a shared new root */
	if (plan->spec->lnx.rootfs_propagation_flags & MS_SHARED) {
		struct mount_attr priv = {.propagation = MS_PRIVATE};

		if (setattr_fd(tree, false, &priv, plan->rootfs, err) < 0)
			return -1;
	}
	/* once attached, the tree's fd is the root of the container's rootfs mount */
	return steal_fd(&tree);
}

/* The mount data without its gid=N options (new string), or NULL when it has none. */
static char *without_gid_option(const char *data)
{
	char *out = xcalloc(strlen(data) + 1, 1);
	size_t n = 0;
	bool dropped = false;

	for (const char *o = data; *o;) {
		size_t len = strcspn(o, ",");

		if (hr_str_has_prefix(o, "gid=") && len >= 4) {
			dropped = true;
		} else if (len) {
			if (n)
				out[n++] = ',';
			memcpy(out + n, o, len);
			n += len;
		}
		o += len;
		if (*o == ',')
			o++;
	}
	out[n] = '\0';
	if (!dropped) {
		free(out);
		return NULL;
	}
	return out;
}

static int fs_mount(const struct hr_mount *m, int rootfs_fd, struct hr_err **err)
{
	cleanup_close int target = -1;
	char fdpath[32];
	unsigned long flags = m->opts.flags & ~(unsigned long)(MS_BIND | MS_REC | MS_REMOUNT);

	target = hr_fs_mkdir_p_at(rootfs_fd, m->destination, 0755, err);
	if (target < 0)
		return hr_fail_wrap(err, "mount `%s` on `%s`", m->type, m->destination);
	if (mount(m->source ? m->source : m->type, hr_fs_fd_path(target, fdpath, sizeof(fdpath)), m->type, flags,
		  m->opts.data) < 0) {
		cleanup_free char *nogid = NULL;

		/*
		 * devpts' gid= must be mapped in the user namespace: a bundle
		 * mapping only a few gids (rootless) gets EINVAL for gid=5, and
		 * ptys then belong to the caller's group, as runc and crun retry
		 */
		if (errno != EINVAL || strcmp(m->type, "devpts") != 0 || !m->opts.data ||
		    !(nogid = without_gid_option(m->opts.data)))
			return hr_fail(err, errno, "mount `%s` on `%s`", m->type, m->destination);
		hr_log_debug("mount devpts on `%s`: gid= refused, retried without it", m->destination);
		if (mount(m->source ? m->source : m->type, fdpath, m->type, flags, nogid) < 0)
			return hr_fail(err, errno, "mount `%s` on `%s`", m->type, m->destination);
	}
	if (m->opts.propagation || m->opts.rec_attr_set || m->opts.rec_attr_clr) {
		cleanup_close int top = hr_fs_open_in_root_at(rootfs_fd, m->destination, O_PATH | O_DIRECTORY, 0, err);
		struct mount_attr rec = {.attr_set = m->opts.rec_attr_set,
					 .attr_clr = m->opts.rec_attr_clr,
					 .propagation = m->opts.propagation & ~(unsigned long)MS_REC};

		if (top < 0)
			return -1;
		if (setattr_fd(top, true, &rec, m->destination, err) < 0)
			return -1;
	}
	return 0;
}

int hr_mounts_apply_child(const struct hr_plan *plan, int rootfs_fd, struct hr_err **err)
{
	const struct hr_spec *spec = plan->spec;

	for (size_t i = 0; i < spec->n_mounts; i++) {
		const struct hr_mount *m = &spec->mounts[i];
		const char *type = m->type;
		bool is_bind = m->opts.bind || (type && strcmp(type, "bind") == 0);
		int r;

		if (!proc_dest_allowed(m->destination, is_bind ? NULL : type))
			return hr_fail(
				err, EPERM,
				"mount on `%s`: only procfs may be mounted on /proc, and only a few files under it",
				m->destination);
		if (strcmp(m->destination, "/proc") == 0 || strcmp(m->destination, "/sys") == 0 ||
		    (type && (strcmp(type, "proc") == 0 || strcmp(type, "sysfs") == 0))) {
			if (check_not_symlink(rootfs_fd, m->destination, err) < 0)
				return -1;
		}
		if (is_bind)
			r = bind_mount(m, plan->idmap_trees ? plan->idmap_trees[i] : -1, rootfs_fd, err);
		else if (type && (strcmp(type, "cgroup") == 0 || strcmp(type, "cgroup2") == 0))
			r = cgroup_mount(plan, m, rootfs_fd, err);
		else if (type == NULL)
			r = hr_fail(err, EINVAL, "mount on `%s`: no type given", m->destination);
		else
			r = fs_mount(m, rootfs_fd, err);
		if (r < 0)
			return -1;
		/* what landed on /proc must be procfs, whatever the config said (CVE-2019-16884) */
		if (strcmp(m->destination, "/proc") == 0) {
			cleanup_close int fd = hr_fs_open_in_root_at(rootfs_fd, "/proc", O_PATH | O_DIRECTORY, 0, err);
			struct statfs sfs;

			if (fd < 0)
				return -1;
			if (fstatfs(fd, &sfs) < 0)
				return hr_fail(err, errno, "statfs `/proc`");
			if (sfs.f_type != PROC_SUPER_MAGIC)
				return hr_fail(err, EPERM, "mount on `/proc`: not a procfs");
		}
	}
	return 0;
}

static int mask_path(const struct hr_plan *plan, int rootfs_fd, const char *path, struct hr_err **err)
{
	cleanup_close int fd = -1;
	struct stat st;
	char fdpath[32];

	fd = hr_fs_open_in_root_at(rootfs_fd, path, O_PATH, 0, NULL);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		return hr_fail(err, errno, "mask `%s`", path);
	}
	if (fstat(fd, &st) < 0)
		return hr_fail(err, errno, "stat `%s`", path);
	if (S_ISDIR(st.st_mode)) {
		if (mount("tmpfs", hr_fs_fd_path(fd, fdpath, sizeof(fdpath)), "tmpfs",
			  MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=0,mode=0555") < 0)
			return hr_fail(err, errno, "mask `%s`", path);
		return 0;
	}
	{
		/*
		 * The host's /dev/null, opened and verified as 1:3 before
		 * clone: never the container's (CVE-2025-31133).
		 */
		cleanup_close int tree =
			open_tree(plan->devnull_fd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);

		if (tree < 0)
			return hr_fail(err, errno, "mask `%s`: clone /dev/null", path);
		return attach_tree(tree, fd, path, err);
	}
}

static int readonly_path(int rootfs_fd, const char *path, struct hr_err **err)
{
	cleanup_close int fd = -1;
	cleanup_close int tree = -1;
	struct mount_attr ro = {.attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV};

	fd = hr_fs_open_in_root_at(rootfs_fd, path, O_PATH, 0, NULL);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		return hr_fail(err, errno, "make `%s` read-only", path);
	}
	tree = open_tree(fd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH | AT_RECURSIVE);
	if (tree < 0)
		return hr_fail(err, errno, "make `%s` read-only", path);
	if (setattr_fd(tree, true, &ro, path, err) < 0)
		return -1;
	return attach_tree(tree, fd, path, err);
}

int hr_paths_protect_child(const struct hr_plan *plan, int rootfs_fd, struct hr_err **err)
{
	const struct hr_linux *lx = &plan->spec->lnx;

	for (char **p = lx->masked_paths; p && *p; p++)
		if (mask_path(plan, rootfs_fd, *p, err) < 0)
			return -1;
	for (char **p = lx->readonly_paths; p && *p; p++)
		if (readonly_path(rootfs_fd, *p, err) < 0)
			return -1;
	return 0;
}

int hr_rootfs_pivot_child(const struct hr_plan *plan, int rootfs_fd, struct hr_err **err)
{
	if (fchdir(rootfs_fd) < 0)
		return hr_fail(err, errno, "chdir `%s`", plan->rootfs);
	/*
	 * no mount namespace: the mount table is the runtime's, and pivot_root
	 * would change the root of every process in it.  chroot, with every
	 * host fd closed before the workload runs (CVE-2024-21626)
	 */
	if (plan->host_mntns) {
		if (chroot(".") < 0)
			return hr_fail(err, errno, "chroot `%s`", plan->rootfs);
		if (chdir("/") < 0)
			return hr_fail(err, errno, "chdir `/`");
		return 0;
	}
	if (plan->no_pivot) {
		if (mount(".", "/", NULL, MS_MOVE, NULL) < 0)
			return hr_fail(err, errno, "move `%s` to /", plan->rootfs);
		if (chroot(".") < 0)
			return hr_fail(err, errno, "chroot `%s`", plan->rootfs);
	} else {
		/* pivot_root(".", ".") stacks the old root on top of the new one; detach it */
		if (syscall(SYS_pivot_root, ".", ".") < 0)
			return hr_fail(err, errno, "pivot_root `%s`", plan->rootfs);
		/* make sure the detach below cannot propagate to the host */
		if (mount(NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0)
			return hr_fail(err, errno, "make the old root a slave");
		if (umount2(".", MNT_DETACH) < 0)
			return hr_fail(err, errno, "detach the old root");
	}
	if (chdir("/") < 0)
		return hr_fail(err, errno, "chdir `/`");
	if (plan->spec->lnx.rootfs_propagation_flags &&
	    mount(NULL, "/", NULL, plan->spec->lnx.rootfs_propagation_flags, NULL) < 0)
		return hr_fail(err, errno, "set rootfs propagation `%s`", plan->spec->lnx.rootfs_propagation);
	return 0;
}
