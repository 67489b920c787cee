/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The parent/child message channel.  Sending must stay allocation-free so
 * that the child can report errors from any point of its sequence.  Payloads
 * larger than one message (the hook state with its annotations) go as a
 * length and then pieces, which the receiver gathers into one buffer.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "hardrun/strutil.h"
#include "hardrun/sync.h"

struct wire_hdr {
	uint32_t type;
	int32_t errnum;
	uint32_t len;
};

int hr_sync_send(int sock, enum hr_sync_type type, int32_t errnum, const void *data, size_t len, int fd)
{
	struct wire_hdr h = {.type = type, .errnum = errnum, .len = (uint32_t)len};
	struct iovec iov[2] = {{&h, sizeof(h)}, {(void *)data, len}};
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct msghdr msg = {.msg_iov = iov, .msg_iovlen = len ? 2 : 1};
	ssize_t n;

	if (len >= HR_SYNC_MAX) {
		errno = EMSGSIZE;
		return -1;
	}
	if (fd >= 0) {
		struct cmsghdr *c;

		memset(&u, 0, sizeof(u));
		msg.msg_control = u.buf;
		msg.msg_controllen = sizeof(u.buf);
		c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	do
		n = sendmsg(sock, &msg, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	return n < 0 ? -1 : 0;
}

int hr_sync_recv(int sock, struct hr_sync_msg *m)
{
	struct wire_hdr h;
	struct iovec iov[2] = {{&h, sizeof(h)}, {m->data, sizeof(m->data) - 1}};
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct msghdr msg = {.msg_iov = iov, .msg_iovlen = 2, .msg_control = u.buf, .msg_controllen = sizeof(u.buf)};
	struct cmsghdr *c;
	ssize_t n;

	m->fd = -1;
	do
		n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -1;
	if (n == 0) {
		errno = EPIPE;
		return -1;
	}
	if ((size_t)n < sizeof(h) || h.len != (size_t)n - sizeof(h)) {
		errno = EPROTO;
		return -1;
	}
	for (c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
			memcpy(&m->fd, CMSG_DATA(c), sizeof(int));
	m->type = h.type;
	m->errnum = h.errnum;
	m->len = h.len;
	m->data[h.len] = '\0';
	return 0;
}

int hr_sync_expect(int sock, enum hr_sync_type type, struct hr_sync_msg *m, struct hr_err **err)
{
	if (hr_sync_recv(sock, m) < 0) {
		if (errno == EPIPE)
			return hr_fail(err, 0, "container init exited during setup");
		return hr_fail(err, errno, "read from container init");
	}
	if (m->type == HR_SYNC_ERROR) {
		if (m->fd >= 0)
			close(m->fd);
		return hr_fail(err, m->errnum, "%s", m->data);
	}
	if (m->type != (uint32_t)type) {
		if (m->fd >= 0)
			close(m->fd);
		return hr_fail(err, EPROTO, "unexpected message %u from container init (wanted %d)", m->type, type);
	}
	return 0;
}

int hr_sync_send_large(int sock, enum hr_sync_type type, const void *data, size_t len)
{
	uint32_t total = (uint32_t)len;
	const char *p = data;

	if (len > HR_SYNC_LARGE_MAX) {
		errno = EMSGSIZE;
		return -1;
	}
	if (hr_sync_send(sock, type, 0, &total, sizeof(total), -1) < 0)
		return -1;
	while (len) {
		/* hr_sync_recv keeps a byte of its buffer for the NUL */
		size_t n = len < HR_SYNC_MAX - 1 ? len : HR_SYNC_MAX - 1;

		if (hr_sync_send(sock, HR_SYNC_DATA, 0, p, n, -1) < 0)
			return -1;
		p += n;
		len -= n;
	}
	return 0;
}

int hr_sync_expect_large(int sock, enum hr_sync_type type, struct hr_sync_msg *m, char **out, size_t *len,
			 struct hr_err **err)
{
	uint32_t total;
	size_t got = 0;
	char *buf;

	if (hr_sync_expect(sock, type, m, err) < 0)
		return -1;
	if (m->len != sizeof(total))
		return hr_fail(err, EPROTO, "message %d from the runtime: %u bytes where its length was due", type,
			       m->len);
	memcpy(&total, m->data, sizeof(total));
	if (total > HR_SYNC_LARGE_MAX)
		return hr_fail(err, EMSGSIZE, "message %d from the runtime: %u bytes, over the limit of %u", type,
			       total, HR_SYNC_LARGE_MAX);
	buf = xmalloc((size_t)total + 1);
	while (got < total) {
		if (hr_sync_expect(sock, HR_SYNC_DATA, m, err) < 0) {
			free(buf);
			return -1;
		}
		if (m->len == 0 || m->len > total - got) {
			free(buf);
			return hr_fail(err, EPROTO, "message %d from the runtime: a piece overruns its length %u", type,
				       total);
		}
		memcpy(buf + got, m->data, m->len);
		got += m->len;
	}
	buf[total] = '\0';
	*out = buf;
	*len = total;
	return 0;
}

void hr_sync_die_child(int sock, struct hr_err *err)
{
	const char *msg = err && err->msg ? err->msg : "container setup failed";

	(void)hr_sync_send(sock, HR_SYNC_ERROR, err ? err->errnum : 0, msg, strnlen(msg, HR_SYNC_MAX - 1), -1);
	_exit(HR_EXIT_CHILD_SETUP);
}
