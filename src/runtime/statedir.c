/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The state root and the per-container directories under it: creation,
 * flock-based locking (one lock per container, so concurrent callers on
 * different containers never wait for each other), atomic writes, removal.
 * A root shared with runc is fine: directories without a hardrun
 * state.json are left alone.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fault.h"
#include "hardrun/strutil.h"
#include "statedir.h"

#if defined(HR_FAULT) && HR_FAULT
/* The fault point between a temporary's write and its rename, named by what it holds. */
static const char *write_point(const char *name)
{
	static const char *const known[][2] = {{"state.json", "write.state"},
					       {"config.json", "write.config"},
					       {"decisions.json", "write.decisions"},
					       {".hardrun-idpool.json", "write.idpool"}};
	size_t n = strlen(name);

	for (size_t i = 0; i < HR_ARRAY_SIZE(known); i++)
		if (strcmp(name, known[i][0]) == 0)
			return known[i][1];
	/* the restart ledger's <id>.json */
	if (n > 5 && strcmp(name + n - 5, ".json") == 0)
		return "write.ledger";
	return "write.other";
}
#endif

static int mkdir_p(const char *path, mode_t mode)
{
	cleanup_free char *copy = xstrdup(path);

	for (char *p = copy + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(copy, 0755) < 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (mkdir(copy, mode) < 0 && errno != EEXIST)
		return -1;
	return 0;
}

int hr_statedir_open_root(const char *root, struct hr_err **err)
{
	cleanup_close int fd = -1;
	struct stat st;

	fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT) {
		if (mkdir_p(root, 0700) < 0)
			return hr_fail(err, errno, "create state root `%s`", root);
		fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	}
	if (fd < 0)
		return hr_fail(err, errno, "open state root `%s`", root);
	if (fstat(fd, &st) < 0)
		return hr_fail(err, errno, "stat state root `%s`", root);
	/* like doas with its config: a root someone else can write to is refused */
	if (st.st_uid != geteuid() || (st.st_mode & (S_IWGRP | S_IWOTH)))
		return hr_fail(err, EPERM, "state root `%s` is writable by another user", root);
	return steal_fd(&fd);
}

static int lock_fd(int fd, const char *id, struct hr_err **err)
{
	while (flock(fd, LOCK_EX) < 0) {
		if (errno != EINTR)
			return hr_fail(err, errno, "lock container `%s`", id);
	}
	return 0;
}

int hr_statedir_create(int root_fd, const char *id, struct hr_err **err)
{
	cleanup_close int fd = -1;

	if (mkdirat(root_fd, id, 0700) < 0) {
		if (errno == EEXIST)
			return hr_fail(err, EEXIST, "container `%s` already exists", id);
		return hr_fail(err, errno, "create state dir for `%s`", id);
	}
	fd = openat(root_fd, id, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return hr_fail(err, errno, "open state dir for `%s`", id);
	if (lock_fd(fd, id, err) < 0)
		return -1;
	return steal_fd(&fd);
}

int hr_statedir_open(int root_fd, const char *id, struct hr_err **err)
{
	cleanup_close int fd = -1;

	fd = openat(root_fd, id, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return hr_fail(err, ENOENT, "container `%s` does not exist", id);
		return hr_fail(err, errno, "open state dir for `%s`", id);
	}
	if (lock_fd(fd, id, err) < 0)
		return -1;
	return steal_fd(&fd);
}

int hr_statedir_open_nb(int root_fd, const char *id, bool *busy, struct hr_err **err)
{
	int fd = openat(root_fd, id, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0)
		return hr_fail(err, errno, "open state dir for `%s`", id);
	*busy = flock(fd, LOCK_EX | LOCK_NB) < 0;
	return fd;
}

int hr_statedir_write(int dir_fd, const char *name, const char *data, size_t len, struct hr_err **err)
{
	cleanup_free char *tmp = xasprintf(".%s.tmp", name);
	cleanup_close int fd = -1;

	fd = openat(dir_fd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return hr_fail(err, errno, "write `%s`", name);
	if (hr_write_all(fd, data, len) < 0) {
		unlinkat(dir_fd, tmp, 0);
		return hr_fail(err, errno, "write `%s`", name);
	}
	HR_FAULT_POINT(write_point(name));
	if (renameat(dir_fd, tmp, dir_fd, name) < 0) {
		unlinkat(dir_fd, tmp, 0);
		return hr_fail(err, errno, "rename `%s`", name);
	}
	return 0;
}

int hr_write_file_atomic(const char *path, const char *data, size_t len, struct hr_err **err)
{
	cleanup_free char *tmp = xasprintf("%s.hardrun-tmp", path);
	cleanup_close int fd = -1;

	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		return hr_fail(err, errno, "write `%s`", path);
	if (hr_write_all(fd, data, len) < 0) {
		unlink(tmp);
		return hr_fail(err, errno, "write `%s`", path);
	}
	if (rename(tmp, path) < 0) {
		unlink(tmp);
		return hr_fail(err, errno, "rename `%s`", path);
	}
	return 0;
}

int hr_read_fd_all(int fd, const char *name, char **buf, size_t *len, struct hr_err **err)
{
	cleanup_free char *b = NULL;
	size_t cap = 4096, n = 0;

	b = xmalloc(cap);
	for (;;) {
		ssize_t r;

		if (n + 1 >= cap) {
			cap *= 2;
			b = xrealloc(b, cap);
		}
		r = read(fd, b + n, cap - n - 1);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return hr_fail(err, errno, "read `%s`", name);
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	b[n] = '\0';
	*buf = steal_ptr(&b);
	*len = n;
	return 0;
}

int hr_statedir_read(int dir_fd, const char *name, char **buf, size_t *len, struct hr_err **err)
{
	cleanup_close int fd = -1;

	fd = openat(dir_fd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return hr_fail(err, errno, "read `%s`", name);
	return hr_read_fd_all(fd, name, buf, len, err);
}

int hr_statedir_remove(int root_fd, const char *id, struct hr_err **err)
{
	cleanup_close int fd = -1;
	cleanup_dir DIR *d = NULL;
	struct dirent *e;

	fd = openat(root_fd, id, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		return hr_fail(err, errno, "open state dir for `%s`", id);
	}
	{
		int raw = steal_fd(&fd); /* d owns it from here */

		d = fdopendir(raw);
		if (!d) {
			close(raw);
			return hr_fail(err, errno, "read state dir for `%s`", id);
		}
	}
	while ((e = readdir(d)) != NULL) {
		/* the intent record goes last: until then a killed delete can be finished from it */
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0 ||
		    strcmp(e->d_name, HR_INTENT_FILE) == 0)
			continue;
		if (unlinkat(dirfd(d), e->d_name, 0) < 0 && errno != ENOENT)
			return hr_fail(err, errno, "remove `%s` of `%s`", e->d_name, id);
	}
	HR_FAULT_POINT("delete.files");
	if (unlinkat(dirfd(d), HR_INTENT_FILE, 0) < 0 && errno != ENOENT)
		return hr_fail(err, errno, "remove `%s` of `%s`", HR_INTENT_FILE, id);
	if (unlinkat(root_fd, id, AT_REMOVEDIR) < 0 && errno != ENOENT)
		return hr_fail(err, errno, "remove state dir for `%s`", id);
	return 0;
}
