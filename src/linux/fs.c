/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Root-scoped path resolution for everything inside a container rootfs.
 * Owns openat2(RESOLVE_IN_ROOT) and its fallback walk.  Must not mount,
 * and must never hand out a string path of the rootfs for later use.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "hardrun/fs.h"
#include "hardrun/strutil.h"

#define MAX_SYMLINKS 40

static bool openat2_disabled;
static bool openat2_missing;

void hr_fs_disable_openat2(bool disable)
{
	openat2_disabled = disable;
}

const char *hr_fs_fd_path(int fd, char *buf, size_t len)
{
	snprintf(buf, len, "/proc/self/fd/%d", fd);
	return buf;
}

static int sys_openat2(int dirfd, const char *path, struct open_how *how)
{
	return (int)syscall(SYS_openat2, dirfd, path, how, sizeof(*how));
}

/*
 * Fallback: walk the path one component at a time with O_PATH|O_NOFOLLOW,
 * keeping a stack-free "current directory" fd.  ".." at the root stays at
 * the root, and a symlink is expanded by splicing its target into the
 * remaining path, restarting at the root for absolute targets: the same
 * semantics as RESOLVE_IN_ROOT.
 */
static int walk_in_root(int root_fd, const char *path, int flags, mode_t mode)
{
	cleanup_free char *rest = xstrdup(path);
	cleanup_close int cur = -1;
	int links = 0;
	char *p;

	cur = openat(root_fd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (cur < 0)
		return -1;
	p = rest;
	for (;;) {
		char *slash, *name;
		bool last;
		struct stat st;
		cleanup_close int next = -1;

		while (*p == '/')
			p++;
		if (*p == '\0') {
			/* path ended on a directory: reopen it with the caller's flags */
			if (flags & O_PATH)
				return steal_fd(&cur);
			return openat(cur, ".", (flags & ~(O_CREAT | O_EXCL | O_NOFOLLOW)) | O_CLOEXEC, mode);
		}
		name = p;
		slash = strchr(p, '/');
		if (slash) {
			*slash = '\0';
			p = slash + 1;
		} else {
			p += strlen(p);
		}
		while (*p == '/')
			p++;
		last = (*p == '\0');

		if (strcmp(name, ".") == 0)
			continue;
		if (strcmp(name, "..") == 0) {
			struct stat a, b;

			if (fstat(cur, &a) < 0 || fstat(root_fd, &b) < 0)
				return -1;
			if (a.st_dev == b.st_dev && a.st_ino == b.st_ino)
				continue; /* ".." of the root is the root */
			next = openat(cur, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
			if (next < 0)
				return -1;
			hr_cleanup_closep(&cur);
			cur = steal_fd(&next);
			continue;
		}
		if (last) {
			int fd = openat(cur, name, flags | O_NOFOLLOW | O_CLOEXEC, mode);

			if (fd >= 0 || (errno != ELOOP && errno != EMLINK))
				return fd;
			if (flags & O_NOFOLLOW)
				return -1;
			/* a trailing symlink that the caller wants followed: fall through */
		}
		next = openat(cur, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (next < 0)
			return -1;
		if (fstat(next, &st) < 0)
			return -1;
		if (S_ISLNK(st.st_mode)) {
			char target[PATH_MAX];
			ssize_t n;
			char *joined;

			if (++links > MAX_SYMLINKS) {
				errno = ELOOP;
				return -1;
			}
			n = readlinkat(next, "", target, sizeof(target) - 1);
			if (n < 0)
				return -1;
			target[n] = '\0';
			joined = xasprintf("%s/%s", target, p);
			free(rest);
			rest = joined;
			p = rest;
			if (target[0] == '/') {
				hr_cleanup_closep(&cur);
				cur = openat(root_fd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
				if (cur < 0)
					return -1;
			}
			continue;
		}
		if (!S_ISDIR(st.st_mode)) {
			if (last)
				return openat(cur, name, flags | O_NOFOLLOW | O_CLOEXEC, mode);
			errno = ENOTDIR;
			return -1;
		}
		hr_cleanup_closep(&cur);
		cur = steal_fd(&next);
		if (last) {
			if (flags & O_PATH)
				return steal_fd(&cur);
			return openat(cur, ".", (flags & ~(O_CREAT | O_EXCL | O_NOFOLLOW)) | O_CLOEXEC, mode);
		}
	}
}

int hr_fs_open_in_root_at(int root_fd, const char *path, int flags, mode_t mode, struct hr_err **err)
{
	int fd;

	if (!openat2_disabled && !openat2_missing) {
		struct open_how how = {
			.flags = (unsigned long long)(flags | O_CLOEXEC),
			.mode = (flags & (O_CREAT | O_TMPFILE)) ? mode : 0,
			.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
		};

		do
			fd = sys_openat2(root_fd, path, &how);
		while (fd < 0 && errno == EAGAIN);
		if (fd >= 0)
			return fd;
		if (errno != ENOSYS && errno != EPERM)
			return hr_fail(err, errno, "open `%s` in container root", path);
		/* ENOSYS: old kernel; EPERM: a seccomp filter blocks openat2 */
		openat2_missing = (errno == ENOSYS);
	}
	fd = walk_in_root(root_fd, path, flags, mode);
	if (fd < 0)
		return hr_fail(err, errno, "open `%s` in container root", path);
	return fd;
}

int hr_fs_mkdir_p_at(int root_fd, const char *path, mode_t mode, struct hr_err **err)
{
	cleanup_free char *copy = xstrdup(path);
	cleanup_close int cur = -1;
	char *p = copy;

	cur = openat(root_fd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (cur < 0)
		return hr_fail(err, errno, "open container root");
	/*
	 * Resolve each prefix inside the root (symlinks included) and create
	 * only the final missing component relative to a verified directory fd.
	 */
	for (;;) {
		char *slash;
		cleanup_free char *prefix = NULL;
		int next;

		while (*p == '/')
			p++;
		if (*p == '\0')
			return steal_fd(&cur);
		slash = strchr(p, '/');
		if (slash)
			*slash = '\0';
		prefix = xstrdup(copy[0] == '/' ? copy : copy);
		next = hr_fs_open_in_root_at(root_fd, prefix, O_PATH | O_DIRECTORY, 0, NULL);
		if (next < 0) {
			cleanup_free char *base = xstrdup(p);

			if (errno != ENOENT)
				return hr_fail(err, errno, "open `%s` in container root", prefix);
			if (mkdirat(cur, base, mode) < 0 && errno != EEXIST)
				return hr_fail(err, errno, "mkdir `%s` in container root", prefix);
			next = hr_fs_open_in_root_at(root_fd, prefix, O_PATH | O_DIRECTORY, 0, err);
			if (next < 0)
				return -1;
		}
		hr_cleanup_closep(&cur);
		cur = next;
		if (!slash)
			return steal_fd(&cur);
		*slash = '/';
		p = slash + 1;
	}
}

int hr_fs_ensure_at(int root_fd, const char *path, bool is_dir, mode_t mode, struct hr_err **err)
{
	cleanup_free char *parent = NULL;
	cleanup_close int pfd = -1;
	const char *base;
	struct stat st;
	int fd;

	if (is_dir)
		return hr_fs_mkdir_p_at(root_fd, path, mode, err);

	fd = hr_fs_open_in_root_at(root_fd, path, O_PATH, 0, NULL);
	if (fd >= 0) {
		if (fstat(fd, &st) < 0) {
			close(fd);
			return hr_fail(err, errno, "stat `%s` in container root", path);
		}
		if (S_ISDIR(st.st_mode)) {
			close(fd);
			return hr_fail(err, EISDIR, "mount target `%s`", path);
		}
		return fd;
	}
	if (errno != ENOENT)
		return hr_fail(err, errno, "open `%s` in container root", path);

	base = strrchr(path, '/');
	if (base) {
		parent = xstrndup(path, (size_t)(base - path));
		base++;
	} else {
		parent = xstrdup("/");
		base = path;
	}
	if (*base == '\0' || strcmp(base, "..") == 0 || strcmp(base, ".") == 0)
		return hr_fail(err, EINVAL, "mount target `%s`: not a file name", path);
	pfd = hr_fs_mkdir_p_at(root_fd, *parent ? parent : "/", 0755, err);
	if (pfd < 0)
		return -1;
	{
		cleanup_close int dfd = openat(pfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		cleanup_close int nfd = -1;

		if (dfd < 0)
			return hr_fail(err, errno, "open `%s` in container root", parent);
		nfd = openat(dfd, base, O_CREAT | O_EXCL | O_NOFOLLOW | O_WRONLY | O_CLOEXEC, mode);
		if (nfd < 0 && errno != EEXIST)
			return hr_fail(err, errno, "create `%s` in container root", path);
		fd = openat(dfd, base, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			return hr_fail(err, errno, "open `%s` in container root", path);
	}
	return fd;
}
