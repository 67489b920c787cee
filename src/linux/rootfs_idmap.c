/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The idmapped rootfs (org.hardrun.rootfs.idmap), prepared by the parent
 * before clone, like the idmapped binds in mount.c: idmapping needs
 * privilege over the source's filesystem, which the container's user
 * namespace lacks.  A plain directory becomes a recursive idmapped clone.
 * An overlay mount cannot be idmapped itself, but an overlay whose layers
 * are idmapped mounts can: its layers are read from mountinfo, each lower
 * layer and the directory holding upper and work are idmapped, and a new
 * overlay is built from them with the new mount API: from the trees as
 * fds where the kernel takes them (6.15 and later), else by a helper in a
 * mount namespace of its own that attaches them and gives their paths.
 * The child attaches
 * the result over the rootfs path in its own mount namespace; the host's
 * overlay mount is never changed.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hardrun/fs.h"
#include "hardrun/init.h"
#include "hardrun/mountinfo.h"
#include "hardrun/strutil.h"
#include "hardrun/sync.h"

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

/* Set the options the host's overlay has besides its layers ("index=off", "volatile"). */
static int set_extra(int fs, char *const *extra, bool *refused, struct hr_err **err)
{
	for (char *const *x = extra; x && *x; x++) {
		cleanup_free char *key = xstrdup(*x);
		char *eq = strchr(key, '=');
		int r;

		if (eq)
			*eq = '\0';
		r = eq ? fsconfig(fs, FSCONFIG_SET_STRING, key, eq + 1, 0)
		       : fsconfig(fs, FSCONFIG_SET_FLAG, key, NULL, 0);
		if (r < 0) {
			*refused = true;
			return hr_fail(err, errno, "overlay option `%s`", *x);
		}
	}
	return 0;
}

/* The idmapped layers of one rebuild, and where upper and work are inside base. */
struct idmapped_layers {
	const struct hr_overlay_layers *layers;
	const int *lowers; /* idmapped trees, uppermost first */
	size_t n_lowers;
	int base;	       /* the idmapped tree holding upper and work, or -1 (no upper) */
	const char *upper_rel; /* upper under base ("/diff"; "" is base itself) */
	const char *work_rel;
	unsigned int attrs;
};

/* hardrun-fault's $HARDRUN_FAULT_OVERLAY_PATHS: the test build forces the path fallback. */
static bool force_paths;

void hr_rootfs_idmap_force_paths(bool on)
{
	force_paths = on;
}

/* Make the superblock as the container's root; a refusal comes with the kernel's words in *why. */
static int create_overlay(int fs, const struct hr_spec *spec, char **why, struct hr_err **err)
{
	int e;

	if (create_as_mapped_root(fs, spec, err) == 0)
		return 0;
	e = errno;
	if (!*err)
		*why = fs_context_log(fs);
	errno = e;
	return -1;
}

static int fail_create(int e, const char *why, bool *refused, struct hr_err **err)
{
	*refused = true;
	return hr_fail(err, e, "create an overlay of idmapped layers%s%s", why[0] ? ": " : "", why);
}

/*
 * The overlay from the trees themselves: "lowerdir+", "upperdir" and
 * "workdir" given as fds.  Kernels that cannot do that say so in ways that
 * set *unsupported with no error, for overlay_by_paths: EINVAL for an fd
 * as the first layer (no "lowerdir+" before 6.8, strings only before
 * 6.13), EBADF for an O_PATH fd, or EINVAL from the superblock when the
 * kernel takes the fds but cannot clone a layer that is in no mount
 * namespace of the caller ("failed to clone", before 6.15).
 */
static int overlay_by_fds(const struct hr_spec *spec, const struct idmapped_layers *il, bool *unsupported,
			  bool *refused, struct hr_err **err)
{
	cleanup_close int fs = -1;
	cleanup_close int upper = -1;
	cleanup_close int work = -1;
	cleanup_free char *why = NULL;
	int mnt;

	if (force_paths) {
		*unsupported = true;
		return -1;
	}
	fs = fsopen("overlay", FSOPEN_CLOEXEC);
	if (fs < 0) {
		*refused = true;
		return hr_fail(err, errno, "fsopen `overlay`");
	}
	for (size_t i = 0; i < il->n_lowers; i++) {
		if (fsconfig(fs, FSCONFIG_SET_FD, "lowerdir+", NULL, il->lowers[i]) == 0)
			continue;
		if (i == 0 && (errno == EINVAL || errno == EOPNOTSUPP || errno == EBADF)) {
			*unsupported = true;
			return -1;
		}
		*refused = true;
		return hr_fail(err, errno, "overlay lowerdir+ `%s`", il->layers->lower[i]);
	}
	if (il->base >= 0) {
		upper = hr_fs_open_in_root_at(il->base, *il->upper_rel ? il->upper_rel : ".", O_PATH | O_DIRECTORY, 0,
					      err);
		if (upper < 0)
			return -1;
		work = hr_fs_open_in_root_at(il->base, *il->work_rel ? il->work_rel : ".", O_PATH | O_DIRECTORY, 0,
					     err);
		if (work < 0)
			return -1;
		if (fsconfig(fs, FSCONFIG_SET_FD, "upperdir", NULL, upper) < 0 ||
		    fsconfig(fs, FSCONFIG_SET_FD, "workdir", NULL, work) < 0) {
			if (errno == EBADF) {
				*unsupported = true;
				return -1;
			}
			*refused = true;
			return hr_fail(err, errno, "overlay upperdir `%s`, workdir `%s`", il->layers->upper,
				       il->layers->work);
		}
	}
	if (set_extra(fs, il->layers->extra, refused, err) < 0)
		return -1;
	if (create_overlay(fs, spec, &why, err) < 0) {
		int e = errno;

		if (*err)
			return -1;
		if (e == EINVAL && strstr(why, "failed to clone")) {
			*unsupported = true;
			return -1;
		}
		return fail_create(e, why, refused, err);
	}
	mnt = fsmount(fs, FSMOUNT_CLOEXEC, il->attrs);
	if (mnt < 0)
		return hr_fail(err, errno, "fsmount the overlay of idmapped layers");
	return mnt;
}

/* A layer path for overlay's string options: ':' ',' '\' escaped with '\'. */
static char *escape_layer(const char *prefix, const char *rel)
{
	size_t n = strlen(prefix), cap = n + 2 * strlen(rel) + 1;
	char *out = xcalloc(cap, 1);

	memcpy(out, prefix, n);
	for (const char *c = rel; *c; c++) {
		if (*c == ':' || *c == ',' || *c == '\\')
			out[n++] = '\\';
		out[n++] = *c;
	}
	return out;
}

/*
 * The child of overlay_by_paths, in a mount namespace of its own: a tmpfs
 * over the host overlay's mount point (seen by nobody else), each lower
 * tree attached at l<i> in it and the upper's base at b, the overlay made
 * from those relative paths (cwd = the tmpfs) as string options, which
 * every kernel with idmapped layers (5.19) takes, mounted detached and
 * sent to the parent.  Everything it attached dies with its namespace;
 * the overlay keeps private clones of its layers.  The first byte of an
 * error message says whether the kernel refused ('r') or something failed.
 */
static _Noreturn void paths_child(int sock, const struct hr_spec *spec, const struct idmapped_layers *il,
				  const char *at)
{
	struct hr_err *err = NULL;
	bool refused = false;
	cleanup_free char *lowerdir = xstrdup("");
	cleanup_free char *why = NULL;
	int fs, mnt;

	if (unshare(CLONE_NEWNS) < 0) {
		hr_fail(&err, errno, "unshare a mount namespace");
		goto fail;
	}
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
		hr_fail(&err, errno, "make the helper's mounts private");
		goto fail;
	}
	if (mount("tmpfs", at, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=0755") < 0 || chdir(at) < 0) {
		hr_fail(&err, errno, "mount a tmpfs for the layers on `%s`", at);
		goto fail;
	}
	for (size_t i = 0; i <= il->n_lowers; i++) {
		char name[32];
		int tree = i < il->n_lowers ? il->lowers[i] : il->base;

		if (tree < 0)
			continue;
		if (i < il->n_lowers)
			snprintf(name, sizeof(name), "l%zu", i);
		else
			snprintf(name, sizeof(name), "b");
		if (mkdir(name, 0755) < 0 || move_mount(tree, "", AT_FDCWD, name, MOVE_MOUNT_F_EMPTY_PATH) < 0) {
			hr_fail(&err, errno, "attach the idmapped layer `%s`",
				i < il->n_lowers ? il->layers->lower[i] : il->layers->upper);
			goto fail;
		}
		if (i < il->n_lowers) {
			char *joined = xasprintf("%s%s%s", lowerdir, i ? ":" : "", name);

			free(lowerdir);
			lowerdir = joined;
		}
	}
	fs = fsopen("overlay", FSOPEN_CLOEXEC);
	if (fs < 0) {
		refused = true;
		hr_fail(&err, errno, "fsopen `overlay`");
		goto fail;
	}
	if (fsconfig(fs, FSCONFIG_SET_STRING, "lowerdir", lowerdir, 0) < 0) {
		refused = true;
		hr_fail(&err, errno, "overlay lowerdir `%s`", lowerdir);
		goto fail;
	}
	if (il->base >= 0) {
		cleanup_free char *upper = escape_layer("b", il->upper_rel);
		cleanup_free char *work = escape_layer("b", il->work_rel);

		if (fsconfig(fs, FSCONFIG_SET_STRING, "upperdir", upper, 0) < 0 ||
		    fsconfig(fs, FSCONFIG_SET_STRING, "workdir", work, 0) < 0) {
			refused = true;
			hr_fail(&err, errno, "overlay upperdir `%s`, workdir `%s`", il->layers->upper,
				il->layers->work);
			goto fail;
		}
	}
	if (set_extra(fs, il->layers->extra, &refused, &err) < 0)
		goto fail;
	if (create_overlay(fs, spec, &why, &err) < 0) {
		if (!err)
			fail_create(errno, why, &refused, &err);
		goto fail;
	}
	mnt = fsmount(fs, FSMOUNT_CLOEXEC, il->attrs);
	if (mnt < 0) {
		hr_fail(&err, errno, "fsmount the overlay of idmapped layers");
		goto fail;
	}
	if (hr_sync_send(sock, HR_SYNC_READY, 0, NULL, 0, mnt) < 0)
		_exit(1);
	_exit(0);
fail:
	(void)hr_sync_send(sock, HR_SYNC_ERROR, 0, refused ? "r" : "-", 1, -1);
	hr_sync_die_child(sock, err);
}

/*
 * The overlay from paths, for kernels that take no fds as layers: built by
 * a helper process in a mount namespace of its own (paths_child), which
 * hands back the detached mount; a detached mount lives in no namespace,
 * so the parent attaches it as it does one of its own.
 */
static int overlay_by_paths(const struct hr_spec *spec, const struct idmapped_layers *il, const char *at, bool *refused,
			    struct hr_err **err)
{
	cleanup_close int mine = -1;
	struct hr_sync_msg m;
	int sv[2], status, mnt = -1;
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return hr_fail(err, errno, "socketpair");
	mine = sv[0];
	pid = fork();
	if (pid == 0) {
		close(mine);
		paths_child(sv[1], spec, il, at);
	}
	if (pid < 0) {
		int e = errno;

		close(sv[1]);
		return hr_fail(err, e, "fork the overlay helper");
	}
	close(sv[1]); /* the helper's end is the helper's alone */
	if (hr_sync_recv(mine, &m) < 0) {
		hr_fail(err, errno == EPIPE ? 0 : errno, "the overlay helper exited without a word");
	} else if (m.type == HR_SYNC_READY && m.fd >= 0) {
		mnt = m.fd;
	} else if (m.type == HR_SYNC_ERROR) {
		*refused = m.data[0] == 'r';
		if (hr_sync_recv(mine, &m) == 0 && m.type == HR_SYNC_ERROR)
			hr_fail(err, m.errnum, "%s", m.data);
		else
			hr_fail(err, EPROTO, "the overlay helper failed without saying why");
	} else {
		if (m.fd >= 0)
			close(m.fd);
		hr_fail(err, EPROTO, "unexpected message %u from the overlay helper", m.type);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (mnt >= 0 && !(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
		close(mnt);
		mnt = hr_fail(err, ECHILD, "the overlay helper failed after sending the overlay");
	}
	return mnt;
}

static int overlay_rebuild(const struct hr_spec *spec, const struct hr_mountinfo *mi, int userns, bool *refused,
			   struct hr_err **err)
{
	struct hr_overlay_layers layers = {0};
	struct idmapped_layers il = {.layers = &layers, .base = -1, .upper_rel = "", .work_rel = ""};
	cleanup_close int base = -1;
	cleanup_free int *lowers = NULL;
	cleanup_free char *dir = NULL;
	cleanup_free char *pw = NULL;
	bool unsupported = false;
	size_t n_lowers = 0;
	int mnt = -1;

	if (hr_overlay_layers_parse(mi->super_opts, mi->mount_point, &layers, err) < 0) {
		*refused = true;
		return -1;
	}
	/* the detached trees must stay open until the superblock exists: closing one dissolves it */
	lowers = xcalloc(hr_strv_len(layers.lower), sizeof(int));
	for (char **l = layers.lower; *l; l++) {
		int t = idmapped_tree(*l, userns, false, refused, err);

		if (t < 0)
			goto out;
		lowers[n_lowers++] = t;
	}
	if (layers.upper) {
		/* upper and work must sit on one mount: idmap the directory that holds both */
		dir = common_dir(layers.upper, layers.work);
		pw = private_workdir(layers.work, err);
		if (!pw)
			goto out;
		base = idmapped_tree(dir, userns, false, refused, err);
		if (base < 0)
			goto out;
		il.base = base;
		il.upper_rel = layers.upper + strlen(dir);
		il.work_rel = pw + strlen(dir);
	}
	il.lowers = lowers;
	il.n_lowers = n_lowers;
	il.attrs = mount_attrs(mi->mount_opts);
	mnt = overlay_by_fds(spec, &il, &unsupported, refused, err);
	if (mnt < 0 && unsupported)
		mnt = overlay_by_paths(spec, &il, mi->mount_point, refused, err);
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
