/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * linux.seccomp.listenerPath: hand the filter's notify fd, with the OCI
 * state and listenerMetadata, to the seccomp agent over its unix socket
 * (runtime-spec's seccomp state message).
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>
#include "hardrun/log.h"
#include "hardrun/seccomp.h"
#include "hardrun/sync.h"
#include "hardrun/strutil.h"

#define cleanup_jsonv __attribute__((cleanup(decref_json)))

static void decref_json(json_t **j)
{
	int saved = errno;

	json_decref(*j);
	*j = NULL;
	errno = saved;
}

static char *build_state_msg(const char *metadata, const char *state_json, pid_t pid, struct hr_err **err)
{
	cleanup_jsonv json_t *root = NULL;
	cleanup_jsonv json_t *state = NULL;
	json_t *fds;
	json_error_t jerr;
	char *s;

	state = json_loads(state_json ? state_json : "", JSON_REJECT_DUPLICATES, &jerr);
	if (state == NULL || !json_is_object(state)) {
		hr_fail(err, EINVAL, "seccomp listener state: not a JSON object");
		return NULL;
	}
	root = json_object();
	fds = json_array();
	json_array_append_new(fds, json_string("seccompFd"));
	json_object_set_new(root, "ociVersion", json_string("1.0.2"));
	json_object_set_new(root, "fds", fds);
	json_object_set_new(root, "pid", json_integer(pid));
	if (metadata && *metadata) {
		json_t *m = json_string(metadata);

		if (m == NULL) {
			hr_fail(err, EINVAL, "seccomp listener metadata: not valid UTF-8");
			return NULL;
		}
		json_object_set_new(root, "metadata", m);
	}
	json_object_set(root, "state", state);
	s = json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (s == NULL)
		hr_fail(err, ENOMEM, "encode seccomp listener state");
	return s;
}

int hr_seccomp_send_listener(const char *listener_path, int notify_fd, const char *metadata, const char *state_json,
			     pid_t pid, struct hr_err **err)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	cleanup_close int sock = -1;
	cleanup_free char *msg = NULL;
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctrl;
	struct iovec iov;
	struct msghdr mh = {0};
	struct cmsghdr *cm;
	size_t len, done;
	ssize_t n;

	if (listener_path == NULL || strlen(listener_path) >= sizeof(addr.sun_path))
		return hr_fail(err, ENAMETOOLONG, "connect `%s`", listener_path ? listener_path : "");
	if (notify_fd < 0)
		return hr_fail(err, EBADF, "send seccomp fd to `%s`", listener_path);
	msg = build_state_msg(metadata, state_json, pid, err);
	if (msg == NULL)
		return hr_fail_wrap(err, "send seccomp fd to `%s`", listener_path);
	memcpy(addr.sun_path, listener_path, strlen(listener_path) + 1);

	sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (sock < 0)
		return hr_fail(err, errno, "socket `AF_UNIX`");
	while (connect(sock, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		if (errno != EINTR)
			return hr_fail(err, errno, "connect `%s`", listener_path);
	}

	len = strlen(msg);
	memset(&ctrl, 0, sizeof(ctrl));
	iov.iov_base = msg;
	iov.iov_len = len;
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = ctrl.buf;
	mh.msg_controllen = sizeof(ctrl.buf);
	cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &notify_fd, sizeof(int));

	/* The runtime-spec wants the fd on the first sendmsg; a short write is finished without it. */
	do {
		n = sendmsg(sock, &mh, MSG_NOSIGNAL);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return hr_fail(err, errno, "send seccomp state to `%s`", listener_path);
	for (done = (size_t)n; done < len; done += (size_t)n) {
		n = send(sock, msg + done, len - done, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR) {
			n = 0;
			continue;
		}
		if (n < 0)
			return hr_fail(err, errno, "send seccomp state to `%s`", listener_path);
	}
	return 0;
}
