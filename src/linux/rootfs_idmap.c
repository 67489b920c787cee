/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The idmapped rootfs (org.hardrun.rootfs.idmap), prepared by the parent
 * before clone, like the idmapped binds in mount.c: idmapping needs
 * privilege over the source's filesystem, which the container's user
 * namespace lacks.  A plain directory becomes a recursive idmapped clone.
 * An overlay mount cannot be idmapped itself, but an overlay whose layers
 * are idmapped mounts can: its layers are read from mountinfo, each lower
 * layer and the directory holding upper and work are idmapped, and a new
 * overlay is built from them with the new mount API.  The child attaches
 * the result over the rootfs path in its own mount namespace; the host's
 * overlay mount is never changed.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "hardrun/fs.h"
#include "hardrun/init.h"
#include "hardrun/mountinfo.h"
#include "hardrun/strutil.h"

/* The mountinfo line of the mount rootfs lives on, found by its mount id. */
static int find_mount(const char *rootfs, struct hr_mountinfo *out, struct hr_err **err)
{
	cleanup_fclose FILE *f = NULL;
	cleanup_free char *line = NULL;
	struct statx stx;
	size_t cap = 0;

	if (statx(AT_FDCWD, rootfs, 0, STATX_MNT_ID, &stx) < 0)
		return hr_fail(err, errno, "statx `%s`", rootfs);
	if (!(stx.stx_mask & STATX_MNT_ID))
		return hr_fail(err, EOPNOTSUPP, "statx `%s`: no mount id", rootfs);
	f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return hr_fail(err, errno, "open `/proc/self/mountinfo`");
	while (getline(&line, &cap, f) > 0) {
		if (hr_mountinfo_parse_line(line, out) == 0 && (uint64_t)out->id == stx.stx_mnt_id)
			return 0;
		hr_mountinfo_clear(out);
	}
	return hr_fail(err, ENOENT, "mount %llu of `%s` is not in `/proc/self/mountinfo`",
		       (unsigned long long)stx.stx_mnt_id, rootfs);
}

/* A detached clone of path, idmapped through userns. */
static int idmapped_tree(const char *path, int userns, bool recursive, bool *refused, struct hr_err **err)
{
	struct mount_attr a = {.attr_set = MOUNT_ATTR_IDMAP, .userns_fd = (uint64_t)userns};
	cleanup_close int tree = -1;

	tree = open_tree(AT_FDCWD, path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (recursive ? AT_RECURSIVE : 0));
	if (tree < 0)
		return hr_fail(err, errno, "clone `%s`", path);
	if (mount_setattr(tree, "", AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0), &a, sizeof(a)) < 0) {
		*refused = errno == EINVAL;
		return hr_fail(err, errno, "idmap `%s`", path);
	}
	return steal_fd(&tree);
}

/* The per-mount flags of the host's mount ("rw,nosuid,nodev,relatime") for the rebuilt one. */
static unsigned int mount_attrs(const char *opts)
{
	static const struct {
		const char *name;
		unsigned int attr;
	} map[] = {
		{"ro", MOUNT_ATTR_RDONLY},
		{"nosuid", MOUNT_ATTR_NOSUID},
		{"nodev", MOUNT_ATTR_NODEV},
		{"noexec", MOUNT_ATTR_NOEXEC},
		{"noatime", MOUNT_ATTR_NOATIME},
		{"nodiratime", MOUNT_ATTR_NODIRATIME},
		{"nosymfollow", MOUNT_ATTR_NOSYMFOLLOW},
	};
	cleanup_free char *copy = xstrdup(opts);
	unsigned int attrs = 0;
	char *save = NULL;

	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save))
		for (size_t i = 0; i < HR_ARRAY_SIZE(map); i++)
			if (strcmp(t, map[i].name) == 0)
				attrs |= map[i].attr;
	return attrs;
}

/* The host id container id 0 maps to (else the first mapping's): who the overlay's mounter is on the layers. */
static uint32_t mapped_root(const struct hr_idmap *m, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (m[i].container_id == 0)
			return m[i].host_id;
	return n ? m[0].host_id : 0;
}

/*
 * overlayfs records its mounter's credentials when the superblock is made
 * and works on the layers with them (the work directory, copy-up, xattrs).
 * Host root's fsuid 0 has no id on idmapped layers (EOVERFLOW, and the
 * overlay falls back to read-only), so the filesystem ids become the
 * container root's host ids for that one call; the capabilities stay the
 * runtime's, so trusted.overlay.* xattrs (opaque directories, as dockerd
 * writes them) keep working, which a mount from inside the container's
 * user namespace could neither read nor write.
 */
static int create_as_mapped_root(int fs, const struct hr_spec *spec, struct hr_err **err)
{
	struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3};
	struct __user_cap_data_struct saved[2], raised[2];
	uid_t old_uid = (uid_t)setfsuid((uid_t)-1);
	gid_t old_gid = (gid_t)setfsgid((gid_t)-1);
	uid_t fsuid = mapped_root(spec->lnx.uid_mappings, spec->lnx.n_uid_mappings);
	gid_t fsgid = mapped_root(spec->lnx.gid_mappings, spec->lnx.n_gid_mappings);
	bool switched;
	int r, e;

	if (syscall(SYS_capget, &hdr, saved) < 0)
		return hr_fail(err, errno, "capget");
	memcpy(raised, saved, sizeof(raised));
	raised[0].effective = raised[0].permitted;
	raised[1].effective = raised[1].permitted;
	setfsgid(fsgid);
	setfsuid(fsuid);
	/* setfsuid cannot say why it failed; it returns the ids in force */
	switched = (uid_t)setfsuid((uid_t)-1) == fsuid && (gid_t)setfsgid((gid_t)-1) == fsgid;
	/* a non-zero fsuid drops the file capabilities from the effective set: take them back */
	r = switched ? (int)syscall(SYS_capset, &hdr, raised) : -1;
	if (r == 0)
		r = fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0);
	e = errno;
	setfsuid(old_uid);
	setfsgid(old_gid);
	if (syscall(SYS_capset, &hdr, saved) < 0 || (uid_t)setfsuid((uid_t)-1) != old_uid ||
	    (gid_t)setfsgid((gid_t)-1) != old_gid)
		return hr_fail(err, errno, "restore the runtime's filesystem ids");
	if (!switched)
		return hr_fail(err, EPERM, "switch to the filesystem ids %u:%u", fsuid, fsgid);
	errno = e;
	return r;
}

/* The kernel's own words about a refused overlay ("overlay: …"), read from the fs context. */
static char *fs_context_log(int fs)
{
	char *out = xstrdup(""), buf[512];
	ssize_t n;

	while ((n = read(fs, buf, sizeof(buf) - 1)) > 0) {
		char *joined;

		buf[n] = '\0';
		if (n > 2 && buf[1] == ' ') /* "e overlay: …" */
			joined = xasprintf("%s%s%s", out, out[0] ? "; " : "", buf + 2);
		else
			joined = xasprintf("%s%s%s", out, out[0] ? "; " : "", buf);
		free(out);
		out = joined;
	}
	return out;
}

/* Remove name under dirfd and everything below it, without following symlinks. */
static int remove_tree_at(int at, const char *name, int depth)
{
	struct stat st;
	cleanup_dir DIR *d = NULL;
	struct dirent *e;
	int fd;

	if (fstatat(at, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return -1;
	if (!S_ISDIR(st.st_mode))
		return unlinkat(at, name, 0);
	if (depth > 64) {
		errno = ELOOP;
		return -1;
	}
	fd = openat(at, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -1;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return -1;
	}
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (remove_tree_at(dirfd(d), e->d_name, depth + 1) < 0)
			return -1;
	}
	return unlinkat(at, name, AT_REMOVEDIR);
}

/*
 * The rebuilt overlay's own workdir, "hardrun" inside the host overlay's:
 * two overlays must not share a workdir (a volatile one, as podman mounts
 * for --rm, leaves work/incompat/volatile, which refuses any second
 * mount), and a directory inside the workdir is on the upper's filesystem
 * and inside neither layer.  Emptied at every create: it holds only what
 * the previous rebuild's overlay kept there.
 */
static char *private_workdir(const char *work, struct hr_err **err)
{
	cleanup_close int wfd = open(work, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	if (wfd < 0) {
		hr_fail(err, errno, "open overlay workdir `%s`", work);
		return NULL;
	}
	if (remove_tree_at(wfd, "hardrun", 0) < 0 && errno != ENOENT) {
		hr_fail(err, errno, "empty `%s/hardrun`", work);
		return NULL;
	}
	if (mkdirat(wfd, "hardrun", 0700) < 0) {
		hr_fail(err, errno, "mkdir `%s/hardrun`", work);
		return NULL;
	}
	return hr_path_join(work, "hardrun");
}

/* The longest common directory of two absolute paths ("/a/b/diff", "/a/b/work" → "/a/b"). */
static char *common_dir(const char *a, const char *b)
{
	size_t n = 0, last = 0;

	while (a[n] && a[n] == b[n]) {
		if (a[n] == '/')
			last = n;
		n++;
	}
	if ((a[n] == '\0' && b[n] == '/') || (b[n] == '\0' && a[n] == '/'))
		last = n;
	return last == 0 ? xstrdup("/") : xstrndup(a, last);
}

static int set_layer(int fs, const char *key, int fd, const char *path, bool *refused, struct hr_err **err)
{
	if (fsconfig(fs, FSCONFIG_SET_FD, key, NULL, fd) < 0) {
		*refused = true;
		return hr_fail(err, errno, "overlay %s `%s`", key, path);
	}
	return 0;
}

static int overlay_rebuild(const struct hr_spec *spec, const struct hr_mountinfo *mi, int userns, bool *refused,
			   struct hr_err **err)
{
	struct hr_overlay_layers layers = {0};
	cleanup_close int fs = -1;
	cleanup_close int base = -1;
	cleanup_close int upper = -1;
	cleanup_close int work = -1;
	cleanup_free int *lowers = NULL;
	size_t n_lowers = 0;
	int mnt = -1;

	if (hr_overlay_layers_parse(mi->super_opts, mi->mount_point, &layers, err) < 0) {
		*refused = true;
		return -1;
	}
	fs = fsopen("overlay", FSOPEN_CLOEXEC);
	if (fs < 0) {
		*refused = true;
		hr_fail(err, errno, "fsopen `overlay`");
		goto out;
	}
	/* the detached trees must stay open until the superblock exists: closing one dissolves it */
	lowers = xcalloc(hr_strv_len(layers.lower), sizeof(int));
	for (char **l = layers.lower; *l; l++) {
		int t = idmapped_tree(*l, userns, false, refused, err);

		if (t < 0)
			goto out;
		lowers[n_lowers++] = t;
		if (set_layer(fs, "lowerdir+", t, *l, refused, err) < 0)
			goto out;
	}
	if (layers.upper) {
		/* upper and work must sit on one mount: idmap the directory that holds both */
		cleanup_free char *dir = common_dir(layers.upper, layers.work);
		cleanup_free char *pw = private_workdir(layers.work, err);
		const char *ru = layers.upper + strlen(dir), *rw;

		if (!pw)
			goto out;
		rw = pw + strlen(dir);
		base = idmapped_tree(dir, userns, false, refused, err);
		if (base < 0)
			goto out;
		upper = hr_fs_open_in_root_at(base, *ru ? ru : ".", O_PATH | O_DIRECTORY, 0, err);
		work = upper < 0 ? -1 : hr_fs_open_in_root_at(base, *rw ? rw : ".", O_PATH | O_DIRECTORY, 0, err);
		if (work < 0 || set_layer(fs, "upperdir", upper, layers.upper, refused, err) < 0 ||
		    set_layer(fs, "workdir", work, layers.work, refused, err) < 0)
			goto out;
	}
	for (char **x = layers.extra; x && *x; x++) {
		cleanup_free char *key = xstrdup(*x);
		char *eq = strchr(key, '=');
		int r;

		if (eq)
			*eq = '\0';
		r = eq ? fsconfig(fs, FSCONFIG_SET_STRING, key, eq + 1, 0)
		       : fsconfig(fs, FSCONFIG_SET_FLAG, key, NULL, 0);
		if (r < 0) {
			*refused = true;
			hr_fail(err, errno, "overlay option `%s`", *x);
			goto out;
		}
	}
	if (create_as_mapped_root(fs, spec, err) < 0) {
		cleanup_free char *why = NULL;
		int e = errno;

		if (*err)
			goto out;
		*refused = true;
		why = fs_context_log(fs);
		hr_fail(err, e, "create an overlay of idmapped layers%s%s", why[0] ? ": " : "", why);
		goto out;
	}
	mnt = fsmount(fs, FSMOUNT_CLOEXEC, mount_attrs(mi->mount_opts));
	if (mnt < 0)
		hr_fail(err, errno, "fsmount the overlay of idmapped layers");
out:
	for (size_t i = 0; i < n_lowers; i++)
		close(lowers[i]);
	hr_overlay_layers_clear(&layers);
	return mnt;
}

int hr_rootfs_idmap_prepare(const struct hr_spec *spec, const char *rootfs, int userns, bool *refused,
			    struct hr_err **err)
{
	struct hr_mountinfo mi = {0};
	int tree = -1;

	*refused = false;
	/* (!fstype only for scan-build, which cannot see that hr_fail returns -1) */
	if (find_mount(rootfs, &mi, err) < 0 || !mi.fstype) {
		hr_mountinfo_clear(&mi);
		return hr_fail_wrap(err, "idmapped rootfs `%s`", rootfs);
	}
	if (strcmp(mi.fstype, "overlay") == 0) {
		if (strcmp(mi.root, "/") != 0 || strcmp(mi.mount_point, rootfs) != 0) {
			*refused = true;
			hr_fail(err, EINVAL, "idmapped rootfs `%s`: inside the overlay mounted on `%s`, not its root",
				rootfs, mi.mount_point);
		} else if ((tree = overlay_rebuild(spec, &mi, userns, refused, err)) < 0) {
			hr_fail_wrap(err, "idmapped rootfs `%s`: rebuild its overlay", rootfs);
		}
	} else {
		tree = idmapped_tree(rootfs, userns, true, refused, err);
		if (tree < 0 && *refused) {
			/* the top alone tells whether its own filesystem or a mount under it refused */
			bool top_refused = false;
			struct hr_err *tmp = NULL;
			cleanup_close int top = idmapped_tree(rootfs, userns, false, &top_refused, &tmp);

			hr_err_free(&tmp);
			hr_err_free(err);
			if (top >= 0)
				hr_fail(err, EINVAL, "idmapped rootfs `%s`: a mount under it cannot be idmapped",
					rootfs);
			else
				hr_fail(err, EINVAL, "idmapped rootfs `%s`: the filesystem (%s) cannot be idmapped",
					rootfs, mi.fstype);
		} else if (tree < 0) {
			hr_fail_wrap(err, "idmapped rootfs `%s`", rootfs);
		}
	}
	hr_mountinfo_clear(&mi);
	return tree;
}
