/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `exec`: a new process in a running container.  The process comes from
 * --process (an OCI process object) or from the container's own process
 * with the command line's overrides, as runc does; it is validated by the
 * same parser as config.json and confined like the init.
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bpfcache.h"
#include "container.h"
#include "fault.h"
#include "hardrun/apparmor.h"
#include "hardrun/cgroup.h"
#include "hardrun/init.h"
#include "hardrun/log.h"
#include "hardrun/seccomp.h"
#include "learn.h"
#include "policyrt.h"
#include "hardrun/selinux.h"
#include "hardrun/strutil.h"
#include "hardrun/sync.h"
#include "launch_int.h"
#include "statedir.h"

static json_t *strv_json(char *const *v)
{
	json_t *a = json_array();

	for (; v && *v; v++)
		json_array_append_new(a, json_string(*v));
	return a;
}

/* The process object, as JSON, before validation. */
static json_t *exec_process_json(struct hr_loaded *c, const struct hr_exec_opts *o, char **argv, struct hr_err **err)
{
	cleanup_free char *cfg = NULL;
	size_t len = 0;
	json_t *root, *p;

	if (o->process_file) {
		json_error_t je;

		p = json_load_file(o->process_file, 0, &je);
		if (!p) {
			hr_fail(err, 0, "%s:%d:%d: %s", o->process_file, je.line, je.column, je.text);
			return NULL;
		}
		return p;
	}
	if (hr_statedir_read(c->dir_fd, "config.json", &cfg, &len, err) < 0)
		return NULL;
	root = json_loadb(cfg, len, 0, NULL);
	p = root ? json_incref(json_object_get(root, "process")) : NULL;
	json_decref(root);
	if (!p) {
		hr_fail(err, 0, "config.json: process: missing in the container's config");
		return NULL;
	}
	if (!argv || !argv[0]) {
		json_decref(p);
		hr_fail(err, 0, "exec: no command given");
		return NULL;
	}
	json_object_set_new(p, "args", strv_json(argv));
	json_object_set_new(p, "terminal", json_boolean(o->tty));
	json_object_del(p, "consoleSize");
	if (o->cwd)
		json_object_set_new(p, "cwd", json_string(o->cwd));
	if (o->env) {
		json_t *env = json_object_get(p, "env");

		if (!json_is_array(env)) {
			env = json_array();
			json_object_set_new(p, "env", env);
		}
		for (char **e = o->env; *e; e++)
			json_array_append_new(env, json_string(*e));
	}
	if (o->user) {
		uint32_t uid = 0, gid = 0;
		cleanup_free char *u = xstrdup(o->user);
		char *colon = strchr(u, ':');

		if (colon)
			*colon = '\0';
		/* numbers only, parsed strictly: "1" is uid 1 (CVE-2026-30892) */
		if (hr_parse_u32(u, &uid) < 0 || (colon && hr_parse_u32(colon + 1, &gid) < 0)) {
			json_decref(p);
			hr_fail(err, 0, "exec: --user `%s`: expected UID[:GID]", o->user);
			return NULL;
		}
		json_object_set_new(json_object_get(p, "user"), "uid", json_integer(uid));
		json_object_set_new(json_object_get(p, "user"), "gid", json_integer(gid));
	}
	if (o->additional_gids) {
		json_t *a = json_array();

		for (char **g = o->additional_gids; *g; g++) {
			uint32_t gid;

			if (hr_parse_u32(*g, &gid) < 0) {
				json_decref(a);
				json_decref(p);
				hr_fail(err, 0, "exec: --additional-gids `%s`: expected a number", *g);
				return NULL;
			}
			json_array_append_new(a, json_integer(gid));
		}
		json_object_set_new(json_object_get(p, "user"), "additionalGids", a);
	}
	if (o->caps) {
		/* runc 1.2: added caps go to bounding, effective and permitted, never inheritable or ambient */
		static const char *const sets[] = {"bounding", "effective", "permitted"};
		json_t *caps = json_object_get(p, "capabilities");

		if (!json_is_object(caps)) {
			caps = json_object();
			json_object_set_new(p, "capabilities", caps);
		}
		for (size_t i = 0; i < HR_ARRAY_SIZE(sets); i++) {
			json_t *a = json_object_get(caps, sets[i]);

			if (!json_is_array(a)) {
				a = json_array();
				json_object_set_new(caps, sets[i], a);
			}
			for (char **cp = o->caps; *cp; cp++)
				json_array_append_new(a, json_string(*cp));
		}
	}
	if (o->no_new_privs)
		json_object_set_new(p, "noNewPrivileges", json_true());
	if (o->apparmor)
		json_object_set_new(p, "apparmorProfile", json_string(o->apparmor));
	if (o->process_label)
		json_object_set_new(p, "selinuxLabel", json_string(o->process_label));
	return p;
}

static int parse_process(json_t *pj, struct hr_spec **out, struct hr_err **err)
{
	json_t *wrap = json_pack("{s:s, s:{s:s}, s:O}", "ociVersion", "1.0.2", "root", "path", "/", "process", pj);
	int r = hr_spec_parse(wrap, out, err);

	json_decref(wrap);
	if (r == 0 && (*out)->process == NULL)
		return hr_fail(err, 0, "exec: no process given");
	return r;
}

int hr_container_exec(const struct hr_rt *rt, const char *id, const struct hr_exec_opts *o, char **argv, int *status,
		      struct hr_err **err)
{
	struct hr_loaded *c = NULL;
	struct hr_spec *ps = NULL;
	struct hr_bpf *bpf = NULL;
	struct hr_bpf *bpf_policy = NULL;
	struct hr_bpf *bpf_profile = NULL;
	struct hr_bpf *bpf_learn = NULL;
	struct hr_cgroup *cg = NULL;
	struct hr_exec_plan plan;
	struct hr_sync_msg *m = xmalloc(sizeof(*m));
	json_t *pj = NULL;
	int sv[2] = {-1, -1};
	pid_t helper = -1, pid = -1;
	sigset_t mask, old;
	int r = -1;

	memset(&plan, 0, sizeof(plan));
	plan.console_fd = -1;
	plan.root_fd = -1;
	for (int t = 0; t < HR_NS_COUNT; t++)
		plan.ns_fds[t] = -1;
	if (hr_container_load(rt, id, true, &c, err) < 0)
		goto out;
	HR_FAULT_POINT("exec.loaded");
	if (c->status != HR_STATUS_RUNNING && c->status != HR_STATUS_CREATED) {
		hr_fail(err, 0, "container `%s` is %s: cannot exec in it", id, hr_status_name(c->status));
		goto out;
	}
	pj = exec_process_json(c, o, argv, err);
	if (!pj)
		goto out;
	/* the policy confines the new process as it does the init, and marks the container tainted (3.10) */
	{
		json_t *ann = json_object();

		for (size_t i = 0; i < c->spec->n_annotations; i++)
			json_object_set_new(ann, c->spec->annotations[i].key,
					    json_string(c->spec->annotations[i].value));
		r = hr_policy_exec_step(rt, c->dir_fd, id, pj, ann, err);
		json_decref(ann);
		if (r < 0)
			goto out;
		r = -1;
	}
	HR_FAULT_POINT("exec.policy");
	if (parse_process(pj, &ps, err) < 0)
		goto out;
	if (ps->process->terminal && !o->console_socket) {
		hr_fail(err, 0, "exec: --tty needs --console-socket");
		goto out;
	}
	if (hr_apparmor_check(ps->process->apparmor_profile, err) < 0)
		goto out;
	if (hr_selinux_check(ps->process, NULL, err) < 0)
		goto out;
	if (c->spec->lnx.seccomp || c->spec->lnx.policy_seccomp || c->spec->lnx.profile_seccomp) {
		/* the config copy is what the filters were parsed from: the cache's key */
		cleanup_free char *cfg = NULL;
		size_t cfg_len = 0;
		struct hr_err *tmp = NULL;
		json_t *doc = NULL, *lnx;
		int rc = 0;

		if (hr_statedir_read(c->dir_fd, "config.json", &cfg, &cfg_len, &tmp) < 0)
			hr_err_free(&tmp);
		else
			doc = json_loadb(cfg, cfg_len, 0, NULL);
		lnx = json_object_get(doc, "linux");
		if (c->spec->lnx.seccomp)
			rc = hr_bpf_cached(c->root_fd, json_object_get(lnx, "seccomp"), c->spec->lnx.seccomp, &bpf,
					   err);
		if (rc == 0 && c->spec->lnx.policy_seccomp)
			rc = hr_bpf_cached(c->root_fd, json_object_get(lnx, HR_SPEC_POLICY_SECCOMP),
					   c->spec->lnx.policy_seccomp, &bpf_policy, err);
		if (rc == 0 && c->spec->lnx.profile_seccomp)
			rc = hr_bpf_cached(c->root_fd, json_object_get(lnx, HR_SPEC_PROFILE_SECCOMP),
					   c->spec->lnx.profile_seccomp, &bpf_profile, err);
		json_decref(doc);
		if (rc < 0)
			goto out;
	}
	/* the namespaces the container has of its own (or joined) */
	for (int t = 0; t < HR_NS_COUNT; t++) {
		char path[64];

		if (!c->spec->lnx.namespaces[t].present)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/ns/%s", c->st->pid, hr_ns_proc_name((enum hr_ns_type)t));
		plan.ns_fds[t] = open(path, O_RDONLY | O_CLOEXEC);
		if (plan.ns_fds[t] < 0) {
			hr_fail(err, errno, "open `%s`", path);
			goto out;
		}
	}
	if (!c->spec->lnx.namespaces[HR_NS_MOUNT].present) {
		char path[64];

		snprintf(path, sizeof(path), "/proc/%d/root", c->st->pid);
		plan.root_fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (plan.root_fd < 0) {
			hr_fail(err, errno, "open `%s`", path);
			goto out;
		}
	}
	if (c->st->cgroup_path && *c->st->cgroup_path && hr_cgroup_open(c->st->cgroup_path, &cg, err) < 0)
		goto out;
	if (o->console_socket && ps->process->terminal) {
		plan.console_fd = hr_console_connect(o->console_socket, err);
		if (plan.console_fd < 0)
			goto out;
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		hr_fail(err, errno, "socketpair");
		goto out;
	}
	/* a container that learns learns from its exec'd processes too, into the same profile */
	if (hr_learn_prepare(c->spec, bpf, sv[1], &bpf_learn, err) < 0)
		goto out;
	plan.proc = ps->process;
	plan.sync_fd = sv[1];
	plan.preserve_fds = o->preserve_fds;
	plan.bpf = bpf;
	plan.bpf_policy = bpf_policy;
	plan.bpf_profile = bpf_profile;
	plan.bpf_learn = bpf_learn;
	plan.argv = ps->process->args;
	plan.envp = ps->process->env ? ps->process->env : (char *[]){NULL};

	sigemptyset(&mask);
	sigfillset(&mask);
	sigdelset(&mask, SIGKILL);
	sigdelset(&mask, SIGSTOP);
	if (!o->detach) {
		sigprocmask(SIG_BLOCK, &mask, &old);
		/* the process is the helper's child: become its reaper to wait for it */
		prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
	}
	helper = hr_exec_spawn(&plan, err);
	close(sv[1]);
	sv[1] = -1;
	if (helper < 0)
		goto out;
	/* the helper waits for GO on the sync socket: killed here, it reads EOF and exits */
	HR_FAULT_POINT("exec.spawned");
	if (cg && hr_cgroup_enter(cg, helper, err) < 0)
		goto kill;
	HR_FAULT_POINT("exec.entered");
	if (hr_sync_send(sv[0], HR_SYNC_GO, 0, NULL, 0, -1) < 0) {
		hr_fail(err, errno, "write to exec helper");
		goto kill;
	}
	/*
	 * The helper reports the pid after fork() while the process itself
	 * reports READY: both write to this socket, in either order.
	 */
	for (bool ready = false; pid < 0 || !ready;) {
		if (hr_sync_recv(sv[0], m) < 0) {
			hr_fail(err, errno == EPIPE ? 0 : errno, "exec helper exited during setup");
			goto kill;
		}
		if (m->type == HR_SYNC_ERROR) {
			hr_fail(err, m->errnum, "%s", m->data);
			goto kill;
		}
		if (m->type == HR_SYNC_LEARN && bpf_learn) {
			int lr = hr_learn_spawn(m->fd, pid, hr_learn_path(c->spec), err);

			close(m->fd);
			if (lr < 0)
				goto kill;
		} else if (m->type == HR_SYNC_PID)
			pid = (pid_t)m->errnum;
		else if (m->type == HR_SYNC_READY)
			ready = true;
		else {
			hr_fail(err, EPROTO, "unexpected message %u from exec helper", m->type);
			goto kill;
		}
	}
	while (waitpid(helper, NULL, 0) < 0 && errno == EINTR)
		;
	helper = -1;
	HR_FAULT_POINT("exec.ready");
	if (o->pid_file) {
		char buf[32];
		int n = snprintf(buf, sizeof(buf), "%d", pid);

		if (hr_write_file_atomic(o->pid_file, buf, (size_t)n, err) < 0)
			goto kill;
	}
	/* the container's lock is not held while the process runs */
	hr_loaded_free(c);
	c = NULL;
	/* CSVS 3.10: an exec into a supervised service is a lifecycle event (`tainted`) */
	hr_levent_record(rt->root, id, HR_EV_TAINTED,
			 json_pack("{s:i, s:s}", "pid", (int)pid, "exec", argv && argv[0] ? argv[0] : ""));
	if (o->detach) {
		*status = 0;
		r = 0;
		goto out;
	}
	r = hr_wait_forward(pid, status, err);
	sigprocmask(SIG_SETMASK, &old, NULL);
	goto out;
kill:
	if (pid > 0)
		kill(pid, SIGKILL);
	if (helper > 0) {
		kill(helper, SIGKILL);
		while (waitpid(helper, NULL, 0) < 0 && errno == EINTR)
			;
	}
	if (pid > 0)
		waitpid(pid, NULL, WNOHANG);
	if (!o->detach)
		sigprocmask(SIG_SETMASK, &old, NULL);
out:
	for (int t = 0; t < HR_NS_COUNT; t++)
		if (plan.ns_fds[t] >= 0)
			close(plan.ns_fds[t]);
	if (plan.console_fd >= 0)
		close(plan.console_fd);
	if (plan.root_fd >= 0)
		close(plan.root_fd);
	if (sv[0] >= 0)
		close(sv[0]);
	if (sv[1] >= 0)
		close(sv[1]);
	json_decref(pj);
	free(m);
	hr_cgroup_free(cg);
	hr_bpf_free(bpf);
	hr_bpf_free(bpf_policy);
	hr_bpf_free(bpf_profile);
	hr_bpf_free(bpf_learn);
	hr_spec_free(ps);
	hr_loaded_free(c);
	if (r < 0)
		return hr_fail_wrap(err, "exec `%s`", id);
	return 0;
}
