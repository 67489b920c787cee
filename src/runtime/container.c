/*
 * The container record: load a container from its locked state dir, its
 * status, the OCI state for hooks, and `state` and `list`.  The lifecycle
 * verbs live beside it: container_create.c, container_cgroup.c (the cgroup
 * side of create), container_start.c (start, kill), container_delete.c.
 */
/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Lifecycle orchestration: create (plan, spawn, drive the init's setup,
 * record state), start, kill, delete, state and list.  The only place with
 * goto-based rollback of external state: a failed create kills the init,
 * removes the cgroup and the state dir, so nothing is left behind.
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

void hr_loaded_free(struct hr_loaded *c)
{
	if (!c)
		return;
	hr_state_free(c->st);
	hr_spec_free(c->spec);
	if (c->dir_fd >= 0)
		close(c->dir_fd);
	if (c->root_fd >= 0)
		close(c->root_fd);
	free(c);
}

static enum hr_status compute_status(struct hr_loaded *c)
{
	struct stat st;

	if (!hr_proc_alive(c->st->pid, c->st->pid_start))
		return HR_STATUS_STOPPED;
	if (fstatat(c->dir_fd, HR_FIFO_NAME, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		/* a start killed between its write and the unlink leaves the fifo without its reader */
		int fd = openat(c->dir_fd, HR_FIFO_NAME, O_WRONLY | O_NONBLOCK | O_CLOEXEC);

		if (fd >= 0) {
			close(fd);
			return HR_STATUS_CREATED;
		}
	}
	if (c->st->cgroup_path && *c->st->cgroup_path) {
		struct hr_cgroup *cg = NULL;
		struct hr_err *e = NULL;
		bool frozen = false;

		if (hr_cgroup_open(c->st->cgroup_path, &cg, &e) == 0 && hr_cgroup_is_frozen(cg, &frozen, &e) == 0 &&
		    frozen) {
			hr_cgroup_free(cg);
			return HR_STATUS_PAUSED;
		}
		hr_cgroup_free(cg);
		hr_err_free(&e);
	}
	return HR_STATUS_RUNNING;
}

/*
 * Load id, locked.  With half non-NULL, a state dir without state.json
 * (a create or delete that was killed) loads too, with c->st NULL and
 * *half set.
 */
int load_locked(const struct hr_rt *rt, const char *id, bool with_spec, struct hr_loaded **out, bool *half,
		struct hr_err **err)
{
	struct hr_loaded *c = xzalloc(sizeof(*c));
	cleanup_free char *buf = NULL;
	size_t len = 0;

	c->dir_fd = c->root_fd = -1;
	if (!hr_id_valid(id)) {
		hr_fail(err, EINVAL, "invalid container id `%s`", id);
		goto fail;
	}
	c->root_fd = hr_statedir_open_root(rt->root, err);
	if (c->root_fd < 0)
		goto fail;
	c->dir_fd = hr_statedir_open(c->root_fd, id, err);
	if (c->dir_fd < 0)
		goto fail;
	if (hr_statedir_read(c->dir_fd, STATE_FILE, &buf, &len, err) < 0) {
		if ((*err)->errnum == ENOENT) {
			struct stat sb;

			hr_err_free(err);
			if (half) {
				*half = true;
				*out = c;
				return 0;
			}
			if (fstatat(c->dir_fd, HR_INTENT_FILE, &sb, AT_SYMLINK_NOFOLLOW) == 0)
				hr_fail(err, ENOENT,
					"container `%s` is stopped: its create was killed before it finished; "
					"delete --force removes what it made",
					id);
			else
				hr_fail(err, ENOENT, "container `%s` does not exist", id);
		}
		goto fail;
	}
	if (hr_state_parse_buf(buf, len, &c->st, err) < 0) {
		if ((*err)->errnum == ENOENT) {
			/* a directory of another runtime sharing the root */
			hr_err_free(err);
			hr_fail(err, ENOENT, "container `%s` does not exist", id);
		}
		goto fail;
	}
	if (with_spec) {
		free(buf);
		buf = NULL;
		if (hr_statedir_read(c->dir_fd, CONFIG_COPY, &buf, &len, err) < 0 ||
		    hr_spec_load_buf(buf, len, &c->spec, err) < 0)
			goto fail;
	}
	c->status = compute_status(c);
	*out = c;
	return 0;
fail:
	hr_loaded_free(c);
	return -1;
}

int hr_container_load(const struct hr_rt *rt, const char *id, bool with_spec, struct hr_loaded **out,
		      struct hr_err **err)
{
	return load_locked(rt, id, with_spec, out, NULL, err);
}

char *hook_state_json(const struct hr_state *st, enum hr_status status)
{
	return hr_state_oci_json(st, status, false);
}

int hr_container_state(const struct hr_rt *rt, const char *id, FILE *out, struct hr_err **err)
{
	struct hr_loaded *c = NULL;
	cleanup_free char *json = NULL;

	if (hr_container_load(rt, id, false, &c, err) < 0)
		return hr_fail_wrap(err, "state `%s`", id);
	json = hr_state_oci_json(c->st, c->status, true);
	fprintf(out, "%s\n", json);
	hr_loaded_free(c);
	return 0;
}

/* One entry of list: read without waiting for the lock (state.json is replaced atomically). */
static struct hr_loaded *list_load(const struct hr_rt *rt, int root_fd, const char *id, struct hr_intent *in)
{
	struct hr_loaded *c = xzalloc(sizeof(*c));
	struct hr_err *tmp = NULL;
	cleanup_free char *buf = NULL;
	size_t len = 0;
	bool busy = false;

	(void)rt;
	c->root_fd = -1;
	c->dir_fd = hr_statedir_open_nb(root_fd, id, &busy, &tmp);
	if (c->dir_fd < 0)
		goto fail;
	if (hr_statedir_read(c->dir_fd, STATE_FILE, &buf, &len, &tmp) == 0) {
		if (hr_state_parse_buf(buf, len, &c->st, &tmp) < 0)
			goto fail;
		c->status = compute_status(c);
		return c;
	}
	/* no state.json: a create in progress (it holds the lock), or one that was killed */
	hr_err_free(&tmp);
	if (hr_intent_read(c->dir_fd, in, &tmp) < 0 || !in->exists)
		goto fail;
	c->st = xzalloc(sizeof(*c->st));
	c->st->id = xstrdup(id);
	c->st->bundle = xstrdup(hr_intent_get(in, "bundle") ? hr_intent_get(in, "bundle") : "");
	c->st->created = xstrdup(hr_intent_get(in, "created") ? hr_intent_get(in, "created") : "");
	c->status = busy ? HR_STATUS_CREATING : HR_STATUS_STOPPED;
	if (busy && hr_intent_get(in, "owner"))
		(void)sscanf(hr_intent_get(in, "owner"), "%d", &c->st->pid);
	return c;
fail:
	hr_err_free(&tmp);
	hr_loaded_free(c);
	return NULL;
}

int hr_container_list(const struct hr_rt *rt, bool quiet, bool json, FILE *out, struct hr_err **err)
{
	cleanup_close int root_fd = -1;
	cleanup_dir DIR *d = NULL;
	struct dirent *e;
	json_t *arr = json ? json_array() : NULL;
	bool header = false;

	root_fd = hr_statedir_open_root(rt->root, err);
	if (root_fd < 0) {
		json_decref(arr);
		return hr_fail_wrap(err, "list");
	}
	d = fdopendir(dup(root_fd));
	if (!d) {
		json_decref(arr);
		return hr_fail(err, errno, "list `%s`", rt->root);
	}
	while ((e = readdir(d)) != NULL) {
		struct hr_loaded *c = NULL;
		struct hr_intent in = {0};
		int pid;

		if (e->d_name[0] == '.' || !hr_id_valid(e->d_name))
			continue;
		c = list_load(rt, root_fd, e->d_name, &in);
		hr_intent_clear(&in);
		if (!c)
			continue; /* gone meanwhile, or another runtime's */
		pid = c->status == HR_STATUS_STOPPED ? 0 : c->st->pid;
		if (json) {
			json_t *o = json_pack("{s:s, s:s, s:i, s:s, s:s, s:s, s:s, s:s}", "ociVersion",
					      c->st->oci_version ? c->st->oci_version : "", "id", c->st->id, "pid", pid,
					      "status", hr_status_name(c->status), "bundle",
					      c->st->bundle ? c->st->bundle : "", "rootfs",
					      c->st->rootfs ? c->st->rootfs : "", "created",
					      c->st->created ? c->st->created : "", "owner", "root");

			json_array_append_new(arr, o);
		} else if (quiet) {
			fprintf(out, "%s\n", c->st->id);
		} else {
			if (!header) {
				fprintf(out, "%-20s %-8s %-10s %-40s %-31s %s\n", "ID", "PID", "STATUS", "BUNDLE",
					"CREATED", "OWNER");
				header = true;
			}
			fprintf(out, "%-20s %-8d %-10s %-40s %-31s %s\n", c->st->id, pid, hr_status_name(c->status),
				c->st->bundle ? c->st->bundle : "", c->st->created ? c->st->created : "", "root");
		}
		hr_loaded_free(c);
	}
	if (json) {
		char *s = json_dumps(arr, JSON_COMPACT);

		fprintf(out, "%s\n", s ? s : "[]");
		free(s);
		json_decref(arr);
	} else if (!quiet && !header) {
		fprintf(out, "%-20s %-8s %-10s %-40s %-31s %s\n", "ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER");
	}
	return 0;
}
