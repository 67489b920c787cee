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

#define CONFIG_COPY "config.json"
#define STATE_FILE "state.json"
#define CGROUP_LEVELS "cgroup.levels"

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
static int load_locked(const struct hr_rt *rt, const char *id, bool with_spec, struct hr_loaded **out, bool *half,
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

static char *hook_state_json(const struct hr_state *st, enum hr_status status)
{
	return hr_state_oci_json(st, status, false);
}

static int read_file(const char *path, char **buf, size_t *len, struct hr_err **err)
{
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return hr_fail(err, errno, "open `%s`", path);
	return hr_read_fd_all(fd, path, buf, len, err);
}

/*
 * A container without a mount namespace mounts in the runtime's own mount
 * table, stacked on its rootfs.  Before the init exists, the state dir
 * records the mount id found at the rootfs then, and its path; delete (and
 * a failed create) detach whatever is stacked above that id, and nothing
 * that was there before.
 */
#define HOST_MOUNTS_FILE "host-mounts"

static int mnt_id_at(const char *path, uint64_t *id)
{
	struct statx stx;

	if (statx(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW, STATX_MNT_ID, &stx) < 0)
		return -1;
	if (!(stx.stx_mask & STATX_MNT_ID)) {
		errno = EOPNOTSUPP;
		return -1;
	}
	*id = stx.stx_mnt_id;
	return 0;
}

static int host_mounts_record(int dir_fd, const char *rootfs, struct hr_err **err)
{
	cleanup_free char *text = NULL;
	uint64_t id;

	if (mnt_id_at(rootfs, &id) < 0)
		return hr_fail(err, errno, "mount id of rootfs `%s`", rootfs);
	text = xasprintf("%llu %s\n", (unsigned long long)id, rootfs);
	return hr_statedir_write(dir_fd, HOST_MOUNTS_FILE, text, strlen(text), err);
}

static void host_mounts_undo(int dir_fd, const char *id)
{
	cleanup_close int fd = openat(dir_fd, HOST_MOUNTS_FILE, O_RDONLY | O_CLOEXEC);
	char buf[PATH_MAX + 32], *sp, *nl;
	uint64_t was = 0, now;
	ssize_t n;

	if (fd < 0)
		return;
	n = read(fd, buf, sizeof(buf) - 1);
	if (n <= 0)
		return;
	buf[n] = '\0';
	sp = strchr(buf, ' ');
	nl = strchr(buf, '\n');
	if (!sp || !nl || nl < sp) {
		hr_log_warn("delete `%s`: `%s` is not \"MOUNT_ID PATH\"", id, HOST_MOUNTS_FILE);
		return;
	}
	*sp = *nl = '\0';
	if (hr_parse_u64(buf, &was) < 0) {
		hr_log_warn("delete `%s`: `%s`: bad mount id", id, HOST_MOUNTS_FILE);
		return;
	}
	/* MNT_DETACH takes a mount with everything below it: one per mount stacked on the rootfs */
	for (int i = 0; i < 64 && mnt_id_at(sp + 1, &now) == 0 && now != was; i++)
		if (umount2(sp + 1, MNT_DETACH | UMOUNT_NOFOLLOW) < 0) {
			hr_log_warn("delete `%s`: unmount `%s`: %s", id, sp + 1, strerror(errno));
			return;
		}
}

/* Kill the cgroup's processes (or the init) and wait until the init is gone. */
static void kill_and_wait(struct hr_state *st, struct hr_cgroup *cg)
{
	struct hr_err *tmp = NULL;

	if (cg && hr_cgroup_kill_all(cg, SIGKILL, &tmp) < 0) {
		hr_log_warn("kill container processes: %s", tmp->msg);
		hr_err_free(&tmp);
	}
	if (st->pid > 0 && hr_proc_alive(st->pid, st->pid_start))
		kill(st->pid, SIGKILL);
	for (int i = 0; i < 5000 && hr_proc_alive(st->pid, st->pid_start); i++) {
		struct timespec ts = {0, 1000000};

		/* reap it if it is our own child (run, failed create) */
		waitpid(st->pid, NULL, WNOHANG);
		nanosleep(&ts, NULL);
	}
}

static void fill_plan_namespaces(struct hr_plan *plan, const struct hr_spec *spec)
{
	for (int t = 0; t < HR_NS_COUNT; t++) {
		const struct hr_namespace *ns = &spec->lnx.namespaces[t];

		if (!ns->present)
			continue;
		if (ns->path) {
			plan->slow_path = true;
		} else if (t == HR_NS_CGROUP) {
			plan->new_cgroupns = true;
		} else {
			plan->new_ns_flags |= hr_ns_clone_flag((enum hr_ns_type)t);
			if (t == HR_NS_TIME)
				plan->slow_path = true;
		}
	}
	plan->userns = spec->lnx.namespaces[HR_NS_USER].present;
}

static int write_oom_score_adj(pid_t pid, int v, struct hr_err **err)
{
	char path[64], buf[32];
	cleanup_close int fd = -1;
	int n;

	snprintf(path, sizeof(path), "/proc/%d/oom_score_adj", pid);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	n = snprintf(buf, sizeof(buf), "%d", v);
	if (fd < 0 || write(fd, buf, (size_t)n) != n)
		return hr_fail(err, errno, "write `%s`", path);
	return 0;
}

static bool has_cgroup_mount(const struct hr_spec *spec)
{
	for (size_t i = 0; i < spec->n_mounts; i++)
		if (spec->mounts[i].type &&
		    (strcmp(spec->mounts[i].type, "cgroup") == 0 || strcmp(spec->mounts[i].type, "cgroup2") == 0))
			return true;
	return false;
}

/*
 * The config's limits plus, after its device rules, the devices the
 * container needs whatever they say, as runc appends them: the nodes the
 * runtime itself creates, the pty multiplexer and the ptys (docker exec -t),
 * and every linux.devices node.  runc's tun and mknod wildcards are left out.
 */
static int apply_resources(struct hr_cgroup *cg, const struct hr_spec *spec, struct hr_err **err)
{
	static const struct {
		int64_t major, minor;
	} defaults[] = {{1, 3}, {1, 5}, {1, 7}, {1, 8}, {1, 9}, {5, 0}, {5, 2}, {136, -1}};
	struct hr_resources res = spec->lnx.resources;
	cleanup_free struct hr_device_rule *rules = NULL;
	size_t n = res.n_devices;
	int r;

	if (res.n_devices == 0)
		return hr_cgroup_apply(cg, &res, err);
	rules = xcalloc(n + HR_ARRAY_SIZE(defaults) + spec->lnx.n_devices, sizeof(*rules));
	memcpy(rules, res.devices, n * sizeof(*rules));
	for (size_t i = 0; i < HR_ARRAY_SIZE(defaults); i++)
		rules[n++] = (struct hr_device_rule){.allow = true,
						     .type = 'c',
						     .major = defaults[i].major,
						     .minor = defaults[i].minor,
						     .access = "rwm"};
	for (size_t i = 0; i < spec->lnx.n_devices; i++) {
		const struct hr_device *d = &spec->lnx.devices[i];

		if (d->type == 'p')
			continue;
		rules[n++] = (struct hr_device_rule){.allow = true,
						     .type = d->type == 'b' ? 'b' : 'c',
						     .major = d->major,
						     .minor = d->minor,
						     .access = "rwm"};
	}
	res.devices = rules;
	res.n_devices = n;
	r = hr_cgroup_apply(cg, &res, err);
	return r;
}

/*
 * --cgroup-manager disabled (podman --cgroups=disabled): limits cannot be
 * applied without a cgroup, so asking for one is an error.  Device rules are
 * kept only when the container cannot make device nodes (no CAP_MKNOD, or a
 * user namespace): then the nodes hardrun creates are all it can open,
 * which is what the rules would allow.
 */
/*
 * The policy's decision that added the field at `path` (a decision detail
 * "linux.resources.memory.limit 268435456" adds linux.resources.memory), or
 * NULL: the bundle asked for it itself, which a kept or tightened value
 * under the same path shows.
 */
static json_t *policy_added(const json_t *decisions, const char *path)
{
	size_t i, n = strlen(path);
	json_t *d, *added = NULL;

	json_array_foreach(decisions, i, d)
	{
		const char *detail = json_string_value(json_object_get(d, "detail"));
		const char *action = json_string_value(json_object_get(d, "action"));

		if (!detail || !action || strncmp(detail, path, n) != 0 ||
		    (detail[n] != '.' && detail[n] != ' ' && detail[n] != '\0'))
			continue;
		if (strcmp(action, "added") != 0)
			return NULL;
		if (!added)
			added = d;
	}
	return added;
}

static int check_no_cgroup(const struct hr_spec *spec, const struct hr_hardened *hard, const char *id,
			   struct hr_err **err)
{
	const struct hr_resources *r = &spec->lnx.resources;
	const char *what = NULL;

	if (r->has_memory)
		what = "memory";
	else if (r->has_cpu)
		what = "cpu";
	else if (r->has_pids)
		what = "pids";
	else if (r->has_blkio)
		what = "blockIO";
	else if (r->n_hugepage_limits)
		what = "hugepageLimits";
	else if (r->has_net_class_id || r->n_net_priorities)
		what = "network";
	else if (r->n_unified)
		what = "unified";
	if (what) {
		cleanup_free char *path = xasprintf("linux.resources.%s", what);
		json_t *d = policy_added(hard->decisions, path);

		/* the user asked for no limit: say that the policy requires it, and how to exempt */
		if (d)
			return hr_fail(err, 0,
				       "config.json: %s: cannot be applied with --cgroup-manager disabled: the policy "
				       "(level %d, control %s) added %s; exempt the container in `%s`: "
				       "\"exemptions\": [{\"id\": \"%s\", \"controls\": [\"%s\"]}]",
				       path, hard->level, json_string_value(json_object_get(d, "control")),
				       json_string_value(json_object_get(d, "detail")), hard->policy_file, id,
				       json_string_value(json_object_get(d, "control")));
		return hr_fail(err, 0, "config.json: %s: cannot be applied with --cgroup-manager disabled", path);
	}
	/* the kernel refuses device nodes made in a user namespace whatever its capabilities */
	if (r->n_devices && spec->process->has_capabilities && (spec->process->caps.bounding >> CAP_MKNOD) & 1 &&
	    !spec->lnx.namespaces[HR_NS_USER].present)
		return hr_fail(
			err, 0,
			"config.json: linux.resources.devices: cannot be enforced with --cgroup-manager disabled "
			"while CAP_MKNOD is in the bounding set");
	return 0;
}

/*
 * The cgroup in the intent record before it is made: its path, and each
 * directory that does not exist yet (a parent, or the container's leaf),
 * in one write.  A leaf that exists already is not ours and is not named.
 */
static int record_cgroup(int dir_fd, const struct hr_cgroup *cg, const char *path, struct hr_err **err)
{
	char **dirs = NULL;
	bool *leaf = NULL;
	size_t n = 0, len = 0;
	cleanup_free char *text = NULL;
	int r = 0;

	if (strchr(path, '\n'))
		return hr_fail(err, EINVAL, "linux.cgroupsPath: a newline cannot be recorded");
	if (hr_cgroup_plan_dirs(cg, &dirs, &leaf, &n) < 0)
		r = hr_fail(err, errno, "cgroup `%s`: examine its directories", path);
	text = xasprintf("cgroup %s\n", path);
	len = strlen(text);
	for (size_t i = 0; i < n; i++) {
		cleanup_free char *line = xasprintf("%s %s\n", leaf[i] ? "cgleaf" : "cgdir", dirs[i]);

		if (strchr(dirs[i], '\n'))
			r = hr_fail(err, EINVAL, "cgroup `%s`: a newline cannot be recorded", dirs[i]);
		text = xrealloc(text, len + strlen(line) + 1);
		memcpy(text + len, line, strlen(line) + 1);
		len += strlen(line);
		free(dirs[i]);
	}
	free(dirs);
	free(leaf);
	if (r < 0)
		return -1;
	return hr_intent_add_lines(dir_fd, text, len, err);
}

/*
 * Drive the init through setup.  Returns the init's pid (it is still
 * parked on the exec fifo) or -1; on -1 *spawned holds whatever pid must be
 * killed.
 */
static pid_t drive_init(struct hr_plan *plan, struct hr_cgroup *cg, const struct hr_sd_unit *sdu, bool *unit_asked,
			int sock, int dir_fd, struct hr_state *st, pid_t *spawned, struct hr_err **err)
{
	const struct hr_spec *spec = plan->spec;
	struct hr_sync_msg *m = xmalloc(sizeof(*m));
	cleanup_free char *hook_json = NULL;
	size_t init_json_len;
	/*
	 * The first write to a cgroup.procs waits for an RCU grace period (the
	 * kernel's threadgroup lock, 1-4 ms on the 2-core VM): on the fast path
	 * it overlaps the init's mount setup, which needs no cgroup.  The init
	 * is moved before any message of its is read, so hooks, limits and the
	 * workload see it in the cgroup.  A new cgroup namespace takes its root
	 * from the cgroup the init is in, and the slow path forks: both enter
	 * first.
	 */
	bool late_enter = cg && !sdu && !plan->slow_path && !plan->new_cgroupns;
	pid_t first, init_pid;

	first = hr_spawn(plan, err);
	if (first < 0)
		goto fail;
	*spawned = first;
	close(plan->sync_fd);
	plan->sync_fd = -1;
	/* until the commit byte the child dies with us (EOF on the sync socket); recorded all the same */
	HR_FAULT_POINT("create.spawned");
	if (hr_intent_add(dir_fd, err, "init", "%d %llu", (int)first, (unsigned long long)hr_proc_start_time(first)) <
	    0)
		goto fail;
	HR_FAULT_POINT("create.init-recorded");
	/* the first process joins before it forks the init: every process of the container starts inside */
	if (sdu && hr_sdscope_join(cg, sdu, first, &spec->lnx.resources, unit_asked, err) < 0)
		goto fail;
	if (!sdu && cg && !late_enter && hr_cgroup_enter(cg, first, err) < 0)
		goto fail;
	HR_FAULT_POINT("create.entered");
	if (!plan->slow_path) {
		init_pid = first;
		if ((plan->new_ns_flags & hr_ns_clone_flag(HR_NS_USER)) && hr_idmap_write(init_pid, spec, err) < 0)
			goto fail;
	} else {
		int status;

		if (hr_sync_send(sock, HR_SYNC_MAPS_DONE, 0, NULL, 0, -1) < 0) {
			hr_fail(err, errno, "write to container init");
			goto fail;
		}
		for (;;) {
			if (hr_sync_recv(sock, m) < 0) {
				hr_fail(err, errno == EPIPE ? 0 : errno, "container init exited during setup");
				goto fail;
			}
			if (m->type == HR_SYNC_ERROR) {
				hr_fail(err, m->errnum, "%s", m->data);
				goto fail;
			}
			if (m->type == HR_SYNC_USERNS) {
				if (hr_idmap_write(first, spec, err) < 0)
					goto fail;
				if (hr_sync_send(sock, HR_SYNC_MAPS_DONE, 0, NULL, 0, -1) < 0) {
					hr_fail(err, errno, "write to container init");
					goto fail;
				}
				continue;
			}
			if (m->type == HR_SYNC_PID)
				break;
			hr_fail(err, EPROTO, "unexpected message %u from container init", m->type);
			goto fail;
		}
		init_pid = (pid_t)m->errnum;
		while (waitpid(first, &status, 0) < 0 && errno == EINTR)
			;
		*spawned = init_pid;
		if (hr_intent_add(dir_fd, err, "init", "%d %llu", (int)init_pid,
				  (unsigned long long)hr_proc_start_time(init_pid)) < 0)
			goto fail;
	}
	st->pid = init_pid;
	st->pid_start = hr_proc_start_time(init_pid);
	if (spec->process->has_oom_score_adj && write_oom_score_adj(init_pid, spec->process->oom_score_adj, err) < 0)
		goto fail;
	/*
	 * prestart, createRuntime, createContainer and startContainer hooks all
	 * run after lifecycle step 2, and runtime-spec's state says `created`
	 * means "after step 2"
	 */
	hook_json = hook_state_json(st, HR_STATUS_CREATED);
	/* the init needs the state only for the hooks it runs itself; it may outgrow one message (annotations) */
	init_json_len = spec->hooks[HR_HOOK_CREATE_CONTAINER].n || spec->hooks[HR_HOOK_START_CONTAINER].n
				? strlen(hook_json)
				: 0;
	if (init_json_len > HR_SYNC_LARGE_MAX) {
		hr_fail(err, 0,
			"the container state for createContainer/startContainer hooks is %zu bytes (annotations "
			"included), over the limit of %u bytes",
			init_json_len, HR_SYNC_LARGE_MAX);
		goto fail;
	}
	if (hr_sync_send_large(sock, HR_SYNC_GO, hook_json, init_json_len) < 0) {
		int e = errno;

		/* the init may have said why it stopped reading */
		if (hr_sync_recv(sock, m) == 0 && m->type == HR_SYNC_ERROR)
			hr_fail(err, m->errnum, "%s", m->data);
		else
			hr_fail(err, e, "write to container init");
		goto fail;
	}
	HR_FAULT_POINT("create.go");
	if (late_enter && hr_cgroup_enter(cg, init_pid, err) < 0) {
		/* an init that failed its setup meanwhile: its own error line is the one to report */
		if (hr_sync_recv(sock, m) == 0 && m->type == HR_SYNC_ERROR) {
			hr_err_free(err);
			hr_fail(err, m->errnum, "%s", m->data);
		}
		goto fail;
	}
	for (;;) {
		if (hr_sync_recv(sock, m) < 0) {
			hr_fail(err, errno == EPIPE ? 0 : errno, "container init exited during setup");
			goto fail;
		}
		if (m->type == HR_SYNC_ERROR) {
			hr_fail(err, m->errnum, "%s", m->data);
			goto fail;
		}
		if (m->type == HR_SYNC_HOOKS) {
			if (hr_hooks_exec(&spec->hooks[HR_HOOK_PRESTART], "prestart", hook_json, err) < 0 ||
			    hr_hooks_exec(&spec->hooks[HR_HOOK_CREATE_RUNTIME], "createRuntime", hook_json, err) < 0)
				goto fail;
			HR_FAULT_POINT("create.hooks");
			if (hr_sync_send(sock, HR_SYNC_HOOKS_DONE, 0, NULL, 0, -1) < 0) {
				hr_fail(err, errno, "write to container init");
				goto fail;
			}
			continue;
		}
		if (m->type == HR_SYNC_READY)
			break;
		if (m->type == HR_SYNC_LEARN && plan->bpf_learn) {
			/* the init waits in its next call until the recorder reads the listener */
			int r = hr_learn_spawn(m->fd, init_pid, hr_learn_path(spec), err);

			close(m->fd);
			if (r < 0)
				goto fail;
			continue;
		}
		hr_fail(err, EPROTO, "unexpected message %u from container init", m->type);
		goto fail;
	}
	if (m->fd >= 0) {
		const struct hr_seccomp *sc = spec->lnx.seccomp;
		int r = 0;

		if (sc && sc->listener_path)
			r = hr_seccomp_send_listener(sc->listener_path, m->fd, sc->listener_metadata, hook_json,
						     init_pid, err);
		close(m->fd);
		if (r < 0)
			goto fail;
	}
	free(m);
	HR_FAULT_POINT("create.ready");
	return init_pid;
fail:
	free(m);
	return -1;
}

int hr_container_do_create(const struct hr_rt *rt, const char *id, const struct hr_create_opts *o, bool keep_child,
			   pid_t *init_out, int *term_out, struct hr_err **err)
{
	struct hr_spec *spec = NULL;
	struct hr_state st = {0};
	struct hr_plan plan = {0};
	struct hr_cgroup *cg = NULL;
	struct hr_sd_unit sdu = {0};
	bool use_sd = rt->systemd_cgroup && !rt->no_cgroup;
	bool unit_asked = false;
	struct hr_bpf *bpf = NULL;
	struct hr_bpf *bpf_policy = NULL;
	struct hr_bpf *bpf_profile = NULL;
	struct hr_bpf *bpf_learn = NULL;
	struct hr_hardened hard = {0};
	json_t *cfg_doc = NULL;
	struct hr_err *tmp_release = NULL;
	cleanup_free char *cfg = NULL;
	cleanup_free char *bundle = NULL;
	cleanup_free char *rootfs = NULL;
	cleanup_free char *cfg_path = NULL;
	cleanup_free char *cgpath = NULL;
	cleanup_free char *state_json = NULL;
	cleanup_close int root_fd = -1;
	cleanup_close int dir_fd = -1;
	cleanup_close int fifo_fd = -1;
	cleanup_close int procsys_fd = -1;
	cleanup_close int console_fd = -1;
	int sv[2] = {-1, -1};
	size_t cfg_len = 0;
	bool dir_made = false;
	pid_t spawned = -1, pid;
	char created[64];
	int ret = -1;

	plan.sync_fd = plan.fifo_fd = plan.procsys_fd = plan.devnull_fd = plan.console_fd = plan.log_fd = -1;
	plan.root_tree = -1;
	if (term_out)
		*term_out = -1;
	if (!hr_id_valid(id))
		return hr_fail(err, EINVAL, "invalid container id `%s`", id);
	bundle = realpath(o->bundle ? o->bundle : ".", NULL);
	if (!bundle)
		return hr_fail(err, errno, "bundle `%s`", o->bundle ? o->bundle : ".");
	if (o->config_json) {
		cfg = xstrndup(o->config_json, o->config_len);
		cfg_len = o->config_len;
	} else {
		cfg_path = hr_path_join(bundle, "config.json");
		if (read_file(cfg_path, &cfg, &cfg_len, err) < 0)
			return -1;
	}
	root_fd = hr_statedir_open_root(rt->root, err);
	if (root_fd < 0)
		return -1;
	/*
	 * The state dir first: its mkdir decides between two creates of one
	 * id before either touches anything, and its intent record names each
	 * thing on the host before it is made, so that delete --force can undo
	 * a create killed at any point (and the failure path below too).
	 */
	dir_fd = hr_statedir_create(root_fd, id, err);
	if (dir_fd < 0)
		return -1;
	dir_made = true;
	HR_FAULT_POINT("create.statedir");
	hr_time_rfc3339(created, sizeof(created));
	{
		pid_t self = getpid();
		cleanup_free char *head = xasprintf("owner %d %llu\ncreated %s\n", (int)self,
						    (unsigned long long)hr_proc_start_time(self), created);

		if (hr_intent_add_lines(dir_fd, head, strlen(head), err) < 0 ||
		    hr_intent_add(dir_fd, err, "bundle", "%s", bundle) < 0)
			goto fail;
	}
	HR_FAULT_POINT("create.intent");
	/* the policy hardens the bundle's JSON; the parser and validator then check the result */
	if (hr_policy_create_step(rt, root_fd, dir_fd, id, bundle, cfg, cfg_len, o, &hard, err) < 0)
		goto fail;
	HR_FAULT_POINT("create.policy");
	if (hr_spec_load_buf(hard.text, hard.len, &spec, err) < 0 || hr_spec_validate(spec, err) < 0)
		goto fail;
	if (spec->process == NULL) {
		hr_fail(err, 0, "config.json: process: required by hardrun");
		goto fail;
	}
	/* no mount namespace: the runtime's own mount table, where only the rootfs's own subtree is touched */
	if (!spec->lnx.namespaces[HR_NS_MOUNT].present && spec->lnx.rootfs_propagation) {
		hr_fail(err, 0, "config.json: linux.rootfsPropagation: requires a mount namespace");
		goto fail;
	}
	{
		cleanup_free char *rp =
			spec->root_path[0] == '/' ? xstrdup(spec->root_path) : hr_path_join(bundle, spec->root_path);
		struct stat sb;

		rootfs = realpath(rp, NULL);
		if (!rootfs || stat(rootfs, &sb) < 0) {
			hr_fail(err, errno, "rootfs `%s`", rp);
			goto fail;
		}
		if (!S_ISDIR(sb.st_mode)) {
			hr_fail(err, ENOTDIR, "rootfs `%s`", rp);
			goto fail;
		}
	}
	/* relative bind sources are the bundle's (as runc); the init starts in the rootfs, not there */
	for (size_t i = 0; i < spec->n_mounts; i++) {
		struct hr_mount *m = &spec->mounts[i];

		if (m->source && m->source[0] != '/' && (m->opts.bind || (m->type && strcmp(m->type, "bind") == 0))) {
			char *abs = hr_path_join(bundle, m->source);

			free(m->source);
			m->source = abs;
		}
	}
	if (hr_apparmor_check(spec->process->apparmor_profile, err) < 0)
		goto fail;
	if (hr_selinux_check(spec->process, spec->lnx.mount_label, err) < 0)
		goto fail;
	if (rt->no_cgroup && check_no_cgroup(spec, &hard, id, err) < 0)
		goto fail;
	/* the unit name is checked with the rest of the config, before anything exists */
	if (use_sd && hr_sd_unit_parse(spec->lnx.cgroups_path, id, &sdu, err) < 0)
		goto fail;
	if (spec->process->terminal && !o->console_socket && !term_out) {
		hr_fail(err, 0, "process.terminal is set: --console-socket is required");
		goto fail;
	}
	if (spec->process->has_capabilities) {
		const struct hr_caps *cp = &spec->process->caps;
		uint64_t lost = cp->ambient & ~(cp->inheritable & cp->permitted);

		for (char **u = cp->unknown; u && *u; u++)
			hr_log_warn("process.capabilities: unknown capability `%s` ignored", *u);
		for (int c = 0; c < 64; c++)
			if ((lost >> c) & 1)
				hr_log_warn("process.capabilities.ambient: `%s` is not inheritable and permitted, not "
					    "raised",
					    hr_cap_name(c) ? hr_cap_name(c) : "?");
	}
	/* everything that can fail without touching the host has been checked: now build */
	/* the hardened config is the container's: exec, update and ps see what runs */
	if (hr_statedir_write(dir_fd, CONFIG_COPY, hard.text, hard.len, err) < 0)
		goto fail;
	{
		cleanup_free char *dj = json_dumps(hard.decisions, JSON_COMPACT);

		if (hr_statedir_write(dir_fd, HR_DECISIONS_FILE, dj, strlen(dj), err) < 0)
			goto fail;
	}
	HR_FAULT_POINT("create.config");
	if (mkfifoat(dir_fd, HR_FIFO_NAME, 0600) < 0) {
		hr_fail(err, errno, "mkfifo `%s`", HR_FIFO_NAME);
		goto fail;
	}
	/* O_RDWR never blocks on a FIFO; the init blocks in read() until start writes */
	fifo_fd = openat(dir_fd, HR_FIFO_NAME, O_RDWR | O_CLOEXEC);
	if (fifo_fd < 0) {
		hr_fail(err, errno, "open `%s`", HR_FIFO_NAME);
		goto fail;
	}
	HR_FAULT_POINT("create.fifo");
	if (rt->no_cgroup) {
		cgpath = xstrdup("");
	} else if (use_sd) {
		/* recorded first: a create killed from here on leaves a unit that delete --force finds */
		cgpath = xstrdup(sdu.path);
		if (hr_sdscope_record(dir_fd, &sdu, err) < 0)
			goto fail;
		if (hr_cgroup_open(cgpath, &cg, err) < 0)
			goto fail;
	} else if (hr_cgroup_resolve_path(spec->lnx.cgroups_path, id, &cgpath, err) < 0 ||
		   hr_cgroup_open(cgpath, &cg, err) < 0 || record_cgroup(dir_fd, cg, cgpath, err) < 0) {
		goto fail;
	} else {
		HR_FAULT_POINT("create.cgroup-recorded");
		if (hr_cgroup_create(cg, NULL, err) < 0)
			goto fail;
		HR_FAULT_POINT("create.cgroup");
	}
	/* the filters' JSON, parsed once, keys the compiled-filter cache */
	if (spec->lnx.seccomp || spec->lnx.policy_seccomp || spec->lnx.profile_seccomp)
		cfg_doc = json_loadb(hard.text, hard.len, 0, NULL);
	if (spec->lnx.seccomp && hr_bpf_cached(root_fd, json_object_get(json_object_get(cfg_doc, "linux"), "seccomp"),
					       spec->lnx.seccomp, &bpf, err) < 0)
		goto fail;
	if (spec->lnx.policy_seccomp &&
	    hr_bpf_cached(root_fd, json_object_get(json_object_get(cfg_doc, "linux"), HR_SPEC_POLICY_SECCOMP),
			  spec->lnx.policy_seccomp, &bpf_policy, err) < 0) {
		hr_fail_wrap(err, "linux.%s", HR_SPEC_POLICY_SECCOMP);
		goto fail;
	}
	if (spec->lnx.profile_seccomp &&
	    hr_bpf_cached(root_fd, json_object_get(json_object_get(cfg_doc, "linux"), HR_SPEC_PROFILE_SECCOMP),
			  spec->lnx.profile_seccomp, &bpf_profile, err) < 0) {
		hr_fail_wrap(err, "linux.%s", HR_SPEC_PROFILE_SECCOMP);
		goto fail;
	}
	HR_FAULT_POINT("create.filters");
	/* detached mount trees: fds only, gone with this process whenever it dies */
	if (hr_idmap_trees_prepare(spec, rootfs, &plan.idmap_trees, &plan.root_tree, err) < 0)
		goto fail;
	HR_FAULT_POINT("create.idmap");
	/* without a cgroup there is nothing of the container's to show: the cgroup mount is left out */
	if (cg && has_cgroup_mount(spec) && hr_cgmounts_plan(cgpath, &plan.cgmounts, &plan.n_cgmounts, err) < 0)
		goto fail;
	procsys_fd = open("/proc/sys", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (procsys_fd < 0) {
		hr_fail(err, errno, "open `/proc/sys`");
		goto fail;
	}
	if (spec->process->terminal && !o->console_socket) {
		/* `run` in the foreground: the runtime itself receives the master */
		int tsv[2];

		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, tsv) < 0) {
			hr_fail(err, errno, "process.terminal: socketpair");
			goto fail;
		}
		*term_out = tsv[0];
		console_fd = tsv[1];
	} else if (spec->process->terminal) {
		console_fd = hr_console_connect(o->console_socket, err);
		if (console_fd < 0)
			goto fail;
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		hr_fail(err, errno, "socketpair");
		goto fail;
	}
	/* learn mode's filter lets the handoff through on the init's end of the socket only */
	if (hr_learn_prepare(spec, bpf, sv[1], &bpf_learn, err) < 0)
		goto fail;
	/* relative mount sources are relative to the bundle, as with runc */
	if (chdir(bundle) < 0) {
		hr_fail(err, errno, "chdir `%s`", bundle);
		goto fail;
	}

	plan.spec = spec;
	plan.id = id;
	plan.rootfs = rootfs;
	plan.cgroup_path = cgpath;
	plan.no_pivot = o->no_pivot;
	plan.host_mntns = !spec->lnx.namespaces[HR_NS_MOUNT].present;
	plan.sync_fd = sv[1];
	plan.fifo_fd = fifo_fd;
	plan.procsys_fd = procsys_fd;
	plan.preserve_fds = o->preserve_fds;
	plan.console_fd = console_fd;
	plan.redirect_stdio = o->redirect_stdio;
	memcpy(plan.stdio_fds, o->stdio, sizeof(plan.stdio_fds));
	plan.log_fd = hr_log_fd();
	plan.bpf = bpf;
	plan.bpf_policy = bpf_policy;
	plan.bpf_profile = bpf_profile;
	plan.bpf_learn = bpf_learn;
	plan.exec_argv = spec->process->args;
	plan.exec_env = spec->process->env ? spec->process->env : (char *[]){NULL};
	fill_plan_namespaces(&plan, spec);

	st.oci_version = spec->oci_version;
	st.id = (char *)id;
	st.bundle = bundle;
	st.rootfs = rootfs;
	st.created = created;
	st.cgroup_path = cgpath;
	st.userns = plan.userns;
	st.annotations = spec->annotations;
	st.n_annotations = spec->n_annotations;

	if (plan.host_mntns && host_mounts_record(dir_fd, rootfs, err) < 0)
		goto fail;
	pid = drive_init(&plan, cg, use_sd ? &sdu : NULL, &unit_asked, sv[0], dir_fd, &st, &spawned, err);
	sv[1] = -1; /* closed by drive_init after the clone */
	if (pid < 0)
		goto fail;
	/*
	 * Limits go on once the init is parked, as runc does: the device
	 * rules would otherwise forbid the mknod of /dev's own nodes.  The
	 * workload has not run yet, so nothing escapes them.
	 */
	if (cg && spec->lnx.has_resources && apply_resources(cg, spec, err) < 0)
		goto fail;
	HR_FAULT_POINT("create.resources");
	/* which parents create made: delete, another process, removes those too */
	if (cg) {
		cleanup_free char *rec = hr_cgroup_created_record(cg);

		if (hr_statedir_write(dir_fd, CGROUP_LEVELS, rec, strlen(rec), err) < 0)
			goto fail;
	}
	state_json = hr_state_to_json(&st);
	if (hr_statedir_write(dir_fd, STATE_FILE, state_json, strlen(state_json), err) < 0)
		goto fail;
	HR_FAULT_POINT("create.state");
	if (o->pid_file) {
		char buf[32];
		int n = snprintf(buf, sizeof(buf), "%d", pid);

		/* a relative pid file is the bundle's (the cwd since the spawn): the record needs it whole */
		cleanup_free char *abs =
			o->pid_file[0] == '/' ? xstrdup(o->pid_file) : hr_path_join(bundle, o->pid_file);

		if (hr_intent_add(dir_fd, err, "tmp", "%s.hardrun-tmp", abs) < 0 ||
		    hr_write_file_atomic(o->pid_file, buf, (size_t)n, err) < 0)
			goto fail;
		HR_FAULT_POINT("create.pidfile");
	}
	/*
	 * The container exists now: let the init park.  Until this byte it
	 * waits on the sync socket, so a create that dies on the way (a crash,
	 * a shim's SIGKILL on timeout) takes its init with it.
	 */
	if (write(sv[0], "c", 1) != 1) {
		hr_fail(err, errno, "commit the init");
		goto fail;
	}
	HR_FAULT_POINT("create.commit");
	/* an engine's shim reaps the init: a watcher of ours reads its status for the restart cap */
	if (!keep_child) {
		struct hr_err *tmp = NULL;
		pid_t w = hr_exitwatch_start(root_fd, id, pid, &tmp);

		if (w < 0) {
			hr_log_warn("create `%s`: exit watcher: %s", id, tmp->msg);
			hr_err_free(&tmp);
		} else if (w > 0) {
			HR_FAULT_POINT("create.watcher");
			if (hr_intent_add(dir_fd, &tmp, "watcher", "%d %llu", (int)w,
					  (unsigned long long)hr_proc_start_time(w)) < 0) {
				hr_log_warn("create `%s`: %s", id, tmp->msg);
				hr_err_free(&tmp);
			}
		}
	}
	hr_log_debug("created container %s, init pid %d", id, pid);
	if (init_out)
		*init_out = pid;
	ret = 0;
	goto out;

fail : {
	struct hr_err *tmp = NULL;

	if (spawned > 0) {
		st.pid = spawned;
		st.pid_start = 0;
		kill(spawned, SIGKILL);
		while (waitpid(spawned, NULL, 0) < 0 && errno == EINTR)
			;
	}
	if (unit_asked && hr_sd_stop_unit(sdu.name, &tmp) < 0) {
		hr_log_warn("rollback: %s", tmp->msg);
		hr_err_free(&tmp);
	}
	/* with systemd the cgroup is the unit's: another's (a taken name) is never killed or removed */
	if (cg && (!use_sd || unit_asked) && hr_cgroup_destroy(cg, &tmp) < 0) {
		hr_log_warn("rollback: %s", tmp->msg);
		hr_err_free(&tmp);
	}
	/* the same undo as delete --force after a killed create: what the record names */
	if (dir_made) {
		struct hr_intent in = {0};

		host_mounts_undo(dir_fd, id);
		if (hr_intent_read(dir_fd, &in, &tmp) < 0 || hr_intent_undo(root_fd, id, &in, false, &tmp) < 0) {
			hr_log_warn("rollback: %s", tmp->msg);
			hr_err_free(&tmp);
		}
		hr_intent_clear(&in);
		if (hr_statedir_remove(root_fd, id, &tmp) < 0) {
			hr_log_warn("rollback: %s", tmp->msg);
			hr_err_free(&tmp);
		}
	}
}
out:
	if (ret < 0 && hard.range_acquired && hr_idpool_release(root_fd, id, &tmp_release) < 0) {
		hr_log_warn("rollback: %s", tmp_release->msg);
		hr_err_free(&tmp_release);
	}
	/* a failed create must not leave its generated profile in the kernel (seen in the VM) */
	if (ret < 0 && hard.profile_loaded) {
		cleanup_free char *text = hr_policy_apparmor_profile(hard.profile_loaded);

		if (text && hr_apparmor_unload(hard.profile_loaded, text, &tmp_release) < 0) {
			hr_log_warn("rollback: %s", tmp_release->msg);
			hr_err_free(&tmp_release);
		}
	}
	hr_hardened_clear(&hard);
	if (sv[0] >= 0)
		close(sv[0]);
	if (sv[1] >= 0)
		close(sv[1]);
	hr_cgmounts_free(plan.cgmounts, plan.n_cgmounts);
	hr_idmap_trees_free(plan.idmap_trees, spec ? spec->n_mounts : 0);
	if (plan.root_tree >= 0)
		close(plan.root_tree);
	hr_bpf_free(bpf);
	hr_bpf_free(bpf_policy);
	hr_bpf_free(bpf_profile);
	hr_bpf_free(bpf_learn);
	json_decref(cfg_doc);
	hr_cgroup_free(cg);
	hr_sd_unit_clear(&sdu);
	hr_spec_free(spec);
	return ret;
}

int hr_container_create(const struct hr_rt *rt, const char *id, const struct hr_create_opts *o, struct hr_err **err)
{
	if (hr_container_do_create(rt, id, o, false, NULL, NULL, err) < 0)
		return hr_fail_wrap(err, "create `%s`", id);
	return 0;
}

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

/* Tear down a loaded container: processes, cgroup, poststop hooks, what its intent record names, state dir. */
int hr_container_destroy(struct hr_loaded *c, struct hr_err **err)
{
	struct hr_cgroup *cg = NULL;
	struct hr_err *tmp = NULL;
	struct hr_intent in = {0};
	cleanup_free char *json = NULL;

	if (c->st->cgroup_path && *c->st->cgroup_path && hr_cgroup_open(c->st->cgroup_path, &cg, &tmp) < 0) {
		hr_log_warn("delete `%s`: %s", c->st->id, tmp->msg);
		hr_err_free(&tmp);
	}
	if (cg) {
		cleanup_free char *rec = NULL;
		size_t len = 0;
		const char *v2dir = hr_cgroup_dir(cg, "");
		struct stat sb;

		if (hr_statedir_read(c->dir_fd, CGROUP_LEVELS, &rec, &len, &tmp) == 0)
			hr_cgroup_created_restore(cg, rec);
		hr_err_free(&tmp);
		/* systemd collects a scope whose processes are gone: nothing left to kill there */
		if (hr_cgroup_layout(cg) == HR_CGROUP_UNIFIED && v2dir && stat(v2dir, &sb) < 0 && errno == ENOENT &&
		    c->status == HR_STATUS_STOPPED) {
			hr_cgroup_free(cg);
			cg = NULL;
		}
	}
	if (c->status != HR_STATUS_STOPPED || cg)
		kill_and_wait(c->st, cg);
	HR_FAULT_POINT("delete.killed");
	/* systemd removes the scope's cgroup itself once the unit stops; the directories hardrun made go next */
	if (hr_sdscope_cleanup(c->dir_fd, c->st->id, false, err) < 0) {
		hr_cgroup_free(cg);
		return -1;
	}
	if (cg && hr_cgroup_destroy(cg, err) < 0) {
		hr_cgroup_free(cg);
		return -1;
	}
	hr_cgroup_free(cg);
	HR_FAULT_POINT("delete.cgroup");
	/* the id range goes back to the pool once nothing of the container runs */
	if (hr_idpool_release(c->root_fd, c->st->id, &tmp) < 0) {
		hr_log_warn("delete `%s`: %s", c->st->id, tmp->msg);
		hr_err_free(&tmp);
	}
	HR_FAULT_POINT("delete.idrange");
	json = hook_state_json(c->st, HR_STATUS_STOPPED);
	host_mounts_undo(c->dir_fd, c->st->id);
	/* runtime-spec: a failing poststop hook is a warning; "the remaining hooks and lifecycle continue" */
	if (c->spec)
		hr_hooks_exec_warn(&c->spec->hooks[HR_HOOK_POSTSTOP], "poststop", json);
	HR_FAULT_POINT("delete.poststop");
	/* what create recorded: parents of the cgroup it made, the profile, temporaries */
	if (hr_intent_read(c->dir_fd, &in, err) < 0 || hr_intent_undo(c->root_fd, c->st->id, &in, false, err) < 0) {
		hr_intent_clear(&in);
		return -1;
	}
	hr_intent_clear(&in);
	HR_FAULT_POINT("delete.undone");
	return hr_statedir_remove(c->root_fd, c->st->id, err);
}

/*
 * delete --force of a container without state.json (its create was
 * killed): its systemd unit, if one was recorded, is stopped all the same.
 */
static int delete_unit_of_torso(const struct hr_rt *rt, const char *id, struct hr_err **err)
{
	cleanup_close int root_fd = -1;
	cleanup_close int dir_fd = -1;

	if (!hr_id_valid(id))
		return 0;
	root_fd = hr_statedir_open_root(rt->root, err);
	if (root_fd < 0)
		return hr_fail_wrap(err, "delete `%s`", id);
	dir_fd = hr_statedir_open(root_fd, id, err);
	if (dir_fd < 0) {
		if ((*err)->errnum == ENOENT) {
			hr_err_free(err);
			return 0;
		}
		return hr_fail_wrap(err, "delete `%s`", id);
	}
	if (hr_sdscope_cleanup(dir_fd, id, rt->systemd_cgroup, err) < 0)
		return hr_fail_wrap(err, "delete `%s`", id);
	return 0;
}

int hr_container_delete(const struct hr_rt *rt, const char *id, bool force, struct hr_err **err)
{
	return hr_container_delete_exited(rt, id, force, -1, err);
}

/* Files a hardrun state dir can hold before state.json exists (an older hardrun wrote no intent record). */
static bool only_ours(int dir_fd)
{
	static const char *const names[] = {CONFIG_COPY,      HR_DECISIONS_FILE, HR_FIFO_NAME,	 HR_TAINTED_FILE,
					    HR_KILLED_FILE,   HR_LEDGERED_FILE,	 HR_INTENT_FILE, HR_EXIT_STATUS_FILE,
					    HOST_MOUNTS_FILE, HR_SD_UNIT_FILE,	 CGROUP_LEVELS};
	cleanup_dir DIR *d = NULL;
	struct dirent *e;
	int fd = dup(dir_fd);

	if (fd < 0 || !(d = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return false;
	}
	while ((e = readdir(d)) != NULL) {
		bool known = e->d_name[0] == '.'; /* ".", "..", temporaries ".NAME.tmp" */

		for (size_t i = 0; !known && i < HR_ARRAY_SIZE(names); i++)
			known = strcmp(e->d_name, names[i]) == 0;
		if (!known)
			return false;
	}
	return true;
}

/*
 * A state dir without state.json, locked by us: its create (or a delete)
 * was killed, since a live one holds the lock.  With force, undo what its
 * intent record names and remove it; without, say what it is.
 */
static int delete_half_made(int root_fd, int dir_fd, const char *id, bool force, bool systemd, struct hr_err **err)
{
	struct hr_intent in = {0};
	const char *owner;
	int r;

	if (hr_intent_read(dir_fd, &in, err) < 0)
		return -1;
	if (!in.exists && !only_ours(dir_fd)) {
		hr_intent_clear(&in);
		return hr_fail(err, ENOENT,
			       "container `%s` does not exist (its state dir is not hardrun's, left alone)", id);
	}
	if (!force) {
		owner = hr_intent_get(&in, "owner");
		if (owner) {
			int pid = 0;

			(void)sscanf(owner, "%d", &pid);
			r = hr_fail(err, 0,
				    "container `%s` is stopped: its create (pid %d) was killed before it finished; "
				    "delete --force removes what it made",
				    id, pid);
		} else {
			r = hr_fail(err, 0,
				    "container `%s` is stopped: its state is incomplete; delete --force removes it",
				    id);
		}
		hr_intent_clear(&in);
		return r;
	}
	/* the systemd unit create recorded (or would have: the config copy names it), then the rest */
	if (hr_sdscope_cleanup(dir_fd, id, systemd, err) < 0) {
		hr_intent_clear(&in);
		return -1;
	}
	/* without a mount namespace the init's mounts are the host's: detach what stands on the rootfs */
	host_mounts_undo(dir_fd, id);
	r = hr_intent_undo(root_fd, id, &in, false, err);
	hr_intent_clear(&in);
	HR_FAULT_POINT("delete.undone");
	if (r < 0)
		return -1;
	return hr_statedir_remove(root_fd, id, err);
}

int hr_container_delete_exited(const struct hr_rt *rt, const char *id, bool force, int exit_status, struct hr_err **err)
{
	struct hr_loaded *c = NULL;
	struct stat sb;
	struct hr_intent in = {0};
	bool has_intent, half = false;
	int r;

	if (load_locked(rt, id, true, &c, &half, err) < 0) {
		if (force && *err && (*err)->errnum == ENOENT) {
			hr_err_free(err);
			return delete_unit_of_torso(rt, id, err);
		}
		return hr_fail_wrap(err, "delete `%s`", id);
	}
	if (half) {
		r = delete_half_made(c->root_fd, c->dir_fd, id, force, rt->systemd_cgroup, err);
		hr_loaded_free(c);
		return r < 0 ? hr_fail_wrap(err, "delete `%s`", id) : 0;
	}
	HR_FAULT_POINT("delete.loaded");
	if (!force && (c->status == HR_STATUS_RUNNING || c->status == HR_STATUS_PAUSED)) {
		hr_fail(err, 0, "container `%s` is %s: stop it first or use --force", id, hr_status_name(c->status));
		hr_loaded_free(c);
		return hr_fail_wrap(err, "delete `%s`", id);
	}
	if (hr_intent_read(c->dir_fd, &in, err) < 0) {
		hr_loaded_free(c);
		return hr_fail_wrap(err, "delete `%s`", id);
	}
	has_intent = in.exists;
	/* a shim reaped the init: its status, if the exit watcher could read it */
	if (exit_status < 0 && c->status == HR_STATUS_STOPPED && hr_intent_get(&in, "watcher")) {
		unsigned long long wstart = 0;
		int wpid = 0;

		if (sscanf(hr_intent_get(&in, "watcher"), "%d %llu", &wpid, &wstart) == 2)
			exit_status = hr_exitwatch_status(c->dir_fd, c->st->pid, c->st->pid_start, wpid, wstart);
	}
	hr_intent_clear(&in);
	/* the restart ledger: failed exits and taint outlive the container, docker reuses its id */
	hr_policy_delete_step(c->root_fd, c->dir_fd, id, c->status == HR_STATUS_STOPPED,
			      fstatat(c->dir_fd, HR_FIFO_NAME, &sb, AT_SYMLINK_NOFOLLOW) != 0, exit_status,
			      c->st->pid_start, !has_intent);
	r = hr_container_destroy(c, err);
	hr_loaded_free(c);
	if (r < 0)
		return hr_fail_wrap(err, "delete `%s`", id);
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
