/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The container's terminal: a pty from the container's own devpts, its
 * peer obtained with TIOCGPTPEER (no path lookup, CVE-2025-52565), bound
 * onto /dev/console through fds, the master sent over --console-socket
 * with SCM_RIGHTS as runc does.  Child only, except hr_console_connect.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include "hardrun/fs.h"
#include "hardrun/init.h"
#include "hardrun/strutil.h"
#include "hardrun/sync.h"

#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif

int hr_console_connect(const char *path, struct hr_err **err)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	cleanup_close int fd = -1;

	if (strlen(path) >= sizeof(sa.sun_path))
		return hr_fail(err, ENAMETOOLONG, "console socket `%s`", path);
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return hr_fail(err, errno, "console socket `%s`", path);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return hr_fail(err, errno, "connect to console socket `%s`", path);
	return steal_fd(&fd);
}

int hr_console_send_master(int sock, int master, struct hr_err **err)
{
	static const char name[] = "/dev/ptmx";
	struct iovec iov = {(void *)name, sizeof(name) - 1};
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof(u.buf)};
	struct cmsghdr *c;

	memset(&u, 0, sizeof(u));
	c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &master, sizeof(int));
	if (sendmsg(sock, &msg, MSG_NOSIGNAL) < 0)
		return hr_fail(err, errno, "send the pty master to the console socket");
	return 0;
}

int hr_console_recv_master(int sock)
{
	char data[64];
	struct iovec iov = {data, sizeof(data)};
	union {
		char c[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.c, .msg_controllen = sizeof(u.c)};
	int fd = -1;

	if (recvmsg(sock, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC) <= 0)
		return -1;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
			memcpy(&fd, CMSG_DATA(c), sizeof(int));
	return fd;
}

/*
 * The mount target for the pty: /dev/console itself, never what a symlink
 * there names (CVE-2025-52565: a rootfs without a /dev mount could point it
 * at a file the masking done later would not cover).  A missing node is
 * created with O_EXCL, so nothing can be swapped in between.
 */
static int open_console_target(int rootfs_fd, struct hr_err **err)
{
	cleanup_close int dev = -1;
	struct stat st;
	int fd;

	dev = hr_fs_open_in_root_at(rootfs_fd, "/dev", O_PATH | O_DIRECTORY, 0, err);
	if (dev < 0)
		return hr_fail_wrap(err, "create `/dev/console`");
	fd = openat(dev, "console", O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT) {
		fd = openat(dev, "console", O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd < 0)
			return hr_fail(err, errno, "create `/dev/console`");
		return fd;
	}
	if (fd < 0)
		return hr_fail(err, errno, "open `/dev/console`");
	if (fstat(fd, &st) < 0 || !(S_ISREG(st.st_mode) || S_ISCHR(st.st_mode))) {
		close(fd);
		return hr_fail(err, EPERM, "`/dev/console` in the container is not a file or device (a symlink?)");
	}
	return fd;
}

int hr_terminal_setup_child(const struct hr_plan *plan, int rootfs_fd, struct hr_err **err)
{
	const struct hr_process *p = plan->spec->process;
	cleanup_close int master = -1;
	cleanup_close int peer = -1;
	cleanup_close int console = -1;
	cleanup_close int tree = -1;
	int unlock = 0;

	/* the container's devpts instance, reached inside the rootfs */
	master = hr_fs_open_in_root_at(rootfs_fd, "/dev/pts/ptmx", O_RDWR | O_NOCTTY, 0, err);
	if (master < 0)
		return hr_fail_wrap(err, "create terminal");
	if (ioctl(master, TIOCSPTLCK, &unlock) < 0)
		return hr_fail(err, errno, "unlock pty");
	peer = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (peer < 0)
		return hr_fail(err, errno, "open pty peer");
	if (p->has_console_size) {
		struct winsize ws = {.ws_row = (unsigned short)p->console_height,
				     .ws_col = (unsigned short)p->console_width};

		if (ioctl(peer, TIOCSWINSZ, &ws) < 0)
			return hr_fail(err, errno, "set console size");
	}
	console = open_console_target(rootfs_fd, err);
	if (console < 0)
		return -1;
	tree = open_tree(peer, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
	if (tree < 0)
		return hr_fail(err, errno, "bind pty onto `/dev/console`");
	if (move_mount(tree, "", console, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return hr_fail(err, errno, "bind pty onto `/dev/console`");
	if (hr_console_send_master(plan->console_fd, master, err) < 0)
		return -1;
	return steal_fd(&peer);
}

int hr_terminal_attach_child(int peer, struct hr_err **err)
{
	if (setsid() < 0)
		return hr_fail(err, errno, "setsid");
	if (ioctl(peer, TIOCSCTTY, 0) < 0)
		return hr_fail(err, errno, "set controlling terminal");
	for (int fd = 0; fd < 3; fd++)
		if (dup3(peer, fd, 0) < 0)
			return hr_fail(err, errno, "dup pty to fd %d", fd);
	return 0;
}
