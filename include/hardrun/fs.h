/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The one way hardrun opens a path inside a container rootfs: resolution is
 * scoped to the root (symlinks, "..", absolute links all stay inside), using
 * openat2(RESOLVE_IN_ROOT|RESOLVE_NO_MAGICLINKS) and, where openat2 is
 * missing or blocked, a component-by-component walk with O_NOFOLLOW|O_PATH
 * that emulates the same semantics.  Every function here takes a dirfd of
 * the root; none re-resolves a path it already checked.
 */
#ifndef HARDRUN_FS_H
#define HARDRUN_FS_H

#include <stdbool.h>
#include <sys/types.h>

#include "hardrun/error.h"

/*
 * Open path (absolute or relative, interpreted inside root_fd) with flags
 * (O_CLOEXEC is always added).  A trailing symlink is followed inside the
 * root unless flags has O_NOFOLLOW.  Returns the fd or -1 with *err naming
 * path.  errno values callers test: ENOENT, ELOOP, ENOTDIR.
 */
int hr_fs_open_in_root_at(int root_fd, const char *path, int flags, mode_t mode, struct hr_err **err);

/*
 * Create every missing directory of path inside root_fd (mode for new ones)
 * and return an O_PATH|O_DIRECTORY fd of the last one.  Symlinks met on the
 * way resolve inside the root; nothing is ever created outside it
 * (CVE-2024-45310).
 */
int hr_fs_mkdir_p_at(int root_fd, const char *path, mode_t mode, struct hr_err **err);

/*
 * Make sure path exists inside root_fd as a regular file (created empty,
 * O_EXCL|O_NOFOLLOW, when missing) or directory (is_dir), creating parents.
 * Returns an O_PATH fd of it, suitable as a mount target via /proc/self/fd.
 * An existing entry of the other kind is an error (ENOTDIR / EISDIR).
 */
int hr_fs_ensure_at(int root_fd, const char *path, bool is_dir, mode_t mode, struct hr_err **err);

/* "/proc/self/fd/N" into buf (>= 32 bytes) for mounting through an fd. */
const char *hr_fs_fd_path(int fd, char *buf, size_t len);

/* Test hook: force the fallback walk (as if openat2 were unavailable). */
void hr_fs_disable_openat2(bool disable);

#endif
