/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * create: plan the container, spawn the init, drive its setup over the sync
 * socket and record the state dir.  The only place with goto-based rollback
 * of external state: a failed create kills the init, removes the cgroup and
 * the state dir, so nothing is left behind.
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

static int read_file(const char *path, char **buf, size_t *len, struct hr_err **err)
{
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return hr_fail(err, errno, "open `%s`", path);
	return hr_read_fd_all(fd, path, buf, len, err);
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
	cleanup_cgjoin struct hr_cgjoin join = {.v2fd = -1};
	pid_t first, init_pid;

	if (cg && !sdu && hr_cgjoin_open(cg, &join, err) < 0)
		goto fail;
	/* only the clone below reads it: reset right after */
	plan->cgjoin = &join; // cppcheck-suppress autoVariables
	first = hr_spawn(plan, err);
	plan->cgjoin = NULL;
	hr_cgjoin_close_fds(&join);
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
	if (!sdu && cg && !late_enter && hr_cgroup_enter_rest(cg, &join, first, err) < 0)
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
	if (late_enter && hr_cgroup_enter_rest(cg, &join, init_pid, err) < 0) {
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
	if (hr_cgjoin_verify(cg, &join, init_pid, err) < 0)
		goto fail;
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

		/* the command line made it absolute (the cwd is the bundle's since the spawn) */
		if (o->pid_file[0] != '/') {
			hr_fail(err, EINVAL, "pid file `%s`: not an absolute path", o->pid_file);
			goto fail;
		}
		if (hr_intent_add(dir_fd, err, "tmp", "%s.hardrun-tmp", o->pid_file) < 0 ||
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
