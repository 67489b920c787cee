/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * start (run the user process: the init's exec fifo) and kill.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <linux/capability.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bpfcache.h"
#include "container.h"
#include "exitwatch.h"
#include "fault.h"
#include "hardrun/apparmor.h"
#include "hardrun/cgroup.h"
#include "hardrun/init.h"
#include "hardrun/log.h"
#include "hardrun/policy.h"
#include "hardrun/seccomp.h"
#include "learn.h"
#include "hardrun/selinux.h"
#include "hardrun/state.h"
#include "hardrun/strutil.h"
#include "hardrun/sync.h"
#include "intent.h"
#include "policyrt.h"
#include "sdscope.h"
#include "statedir.h"

/* Whether an ociVersion "1.M[.p...]" has M >= minor. */
static bool spec_version_at_least(const char *v, unsigned int minor)
{
	uint32_t m = 0;
	char buf[16];
	size_t n;

	if (!v || !hr_str_has_prefix(v, "1."))
		return false;
	v += 2;
	n = strcspn(v, ".-+");
	if (n == 0 || n >= sizeof(buf))
		return false;
	memcpy(buf, v, n);
	buf[n] = '\0';
	return hr_parse_u32(buf, &m) == 0 && m >= minor;
}

int hr_container_do_start(struct hr_loaded *c, struct hr_err **err)
{
	cleanup_close int fd = -1;
	cleanup_free char *json = NULL;
	struct hr_err *tmp = NULL;

	HR_FAULT_POINT("start.loaded");
	if (c->status != HR_STATUS_CREATED)
		return hr_fail(err, 0, "container `%s` is %s, not created", c->st->id, hr_status_name(c->status));
	fd = openat(c->dir_fd, HR_FIFO_NAME, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return hr_fail(err, errno == ENXIO ? 0 : errno, "container `%s`: the init is not waiting", c->st->id);
	if (write(fd, "0", 1) != 1)
		return hr_fail(err, errno, "start `%s`: write exec fifo", c->st->id);
	HR_FAULT_POINT("start.written");
	if (unlinkat(c->dir_fd, HR_FIFO_NAME, 0) < 0)
		hr_log_warn("remove exec fifo of `%s`: %s", c->st->id, strerror(errno));
	HR_FAULT_POINT("start.unlinked");
	if (!c->spec)
		return 0;
	/*
	 * poststart hooks run "after the user-specified process is executed":
	 * the init closes its end of the fifo right before execve (after the
	 * startContainer hooks), which the writer sees as POLLERR.  Bounded, in
	 * case something else holds the fifo open.
	 */
	if (c->spec->hooks[HR_HOOK_POSTSTART].n) {
		struct pollfd pfd = {.fd = fd, .events = 0};

		while (poll(&pfd, 1, 30000) < 0 && errno == EINTR)
			;
	}
	json = hook_state_json(c->st, HR_STATUS_RUNNING);
	/*
	 * runtime-spec up to 1.2 (hardrun's version): "If any poststart hook
	 * fails, the runtime MUST log a warning, but the remaining hooks and
	 * lifecycle continue as if the hook had succeeded".  1.3 made it "MUST
	 * generate an error, stop the container": a config that declares 1.3
	 * or later gets that.
	 */
	if (!spec_version_at_least(c->spec->oci_version, 3)) {
		hr_hooks_exec_warn(&c->spec->hooks[HR_HOOK_POSTSTART], "poststart", json);
		return 0;
	}
	if (hr_hooks_exec(&c->spec->hooks[HR_HOOK_POSTSTART], "poststart", json, &tmp) < 0) {
		kill(c->st->pid, SIGKILL);
		*err = tmp;
		return -1;
	}
	return 0;
}

int hr_container_start(const struct hr_rt *rt, const char *id, struct hr_err **err)
{
	struct hr_loaded *c = NULL;
	int r;

	if (hr_container_load(rt, id, true, &c, err) < 0)
		return hr_fail_wrap(err, "start `%s`", id);
	r = hr_container_do_start(c, err);
	hr_loaded_free(c);
	if (r < 0)
		return hr_fail_wrap(err, "start `%s`", id);
	return 0;
}

int hr_container_kill(const struct hr_rt *rt, const char *id, int sig, bool all, struct hr_err **err)
{
	struct hr_loaded *c = NULL;
	int r = 0;

	if (hr_container_load(rt, id, false, &c, err) < 0)
		return hr_fail_wrap(err, "kill `%s`", id);
	if (all && c->st->cgroup_path && *c->st->cgroup_path) {
		struct hr_cgroup *cg = NULL;

		r = hr_cgroup_open(c->st->cgroup_path, &cg, err);
		if (r == 0)
			r = hr_cgroup_kill_all(cg, sig, err);
		hr_cgroup_free(cg);
	} else if (c->status == HR_STATUS_STOPPED) {
		r = hr_fail(err, ESRCH, "container `%s` is not running", id);
	} else if (kill(c->st->pid, sig) < 0) {
		r = hr_fail(err, errno, "signal %d to pid %d", sig, c->st->pid);
	}
	if (r == 0 && sig != 0) {
		struct hr_err *tmp = NULL;

		/* an exit after a requested signal is a stop, not a failure the restart cap counts */
		if (hr_statedir_write(c->dir_fd, HR_KILLED_FILE, "", 0, &tmp) < 0) {
			hr_log_warn("kill `%s`: %s", id, tmp->msg);
			hr_err_free(&tmp);
		}
	}
	hr_loaded_free(c);
	if (r < 0)
		return hr_fail_wrap(err, "kill `%s`", id);
	return 0;
}
