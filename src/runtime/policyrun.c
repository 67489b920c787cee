/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The policy's steps in the lifecycle (see policyrt.h): what create, exec
 * and delete do for the hardening policy around the pure harden stage,
 * i.e. everything that touches the host: the policy file, the id pool,
 * the restart ledger, the image's directories, symbolic links of bind
 * sources, profile files and the log.
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "hardrun/apparmor.h"
#include "hardrun/fs.h"
#include "hardrun/harden.h"
#include "hardrun/log.h"
#include "hardrun/policy.h"
#include "hardrun/runtime.h"
#include "hardrun/spec.h"
#include "hardrun/strutil.h"
#include "fault.h"
#include "intent.h"
#include "policyrt.h"
#include "statedir.h"

struct host {
	int rootfs_fd;
};

static bool rootfs_has_dir(void *arg, const char *path)
{
	struct host *h = arg;
	struct hr_err *e = NULL;
	int fd;

	if (h->rootfs_fd < 0)
		return true; /* let the mount step report a missing rootfs */
	fd = hr_fs_open_in_root_at(h->rootfs_fd, path, O_PATH | O_DIRECTORY, 0, &e);
	hr_err_free(&e);
	if (fd < 0)
		return false;
	close(fd);
	return true;
}

static char *resolve_source(void *arg, const char *path)
{
	(void)arg;
	return realpath(path, NULL);
}

static int read_profile(void *arg, const char *dir, const char *name, char **text, size_t *len, struct hr_err **err)
{
	cleanup_free char *p = xasprintf("%s/%s.json", dir, name);
	cleanup_close int fd = open(p, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

	(void)arg;
	if (fd < 0)
		return hr_fail(err, errno, "seccomp profile `%s`", p);
	return hr_read_fd_all(fd, p, text, len, err);
}

void hr_hardened_clear(struct hr_hardened *h)
{
	free(h->text);
	free(h->profile_loaded);
	json_decref(h->decisions);
	memset(h, 0, sizeof(*h));
}

static void log_decisions(const char *id, const struct hr_decisions *d)
{
	for (size_t i = 0; i < d->n; i++)
		hr_log_info("policy: %s: %s %s: %s", id, d->v[i].control, hr_decision_action_name(d->v[i].action),
			    d->v[i].detail);
}

/* root.path of the bundle's config, opened as a directory (or -1). */
static int open_rootfs(json_t *cfg, const char *bundle)
{
	const char *rp = json_string_value(json_object_get(json_object_get(cfg, "root"), "path"));
	cleanup_free char *path = NULL;

	if (!rp || !*rp)
		return -1;
	path = rp[0] == '/' ? xstrdup(rp) : hr_path_join(bundle, rp);
	return open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
}

int hr_policy_create_step(const struct hr_rt *rt, int root_fd, int dir_fd, const char *id, const char *bundle,
			  const char *cfg, size_t len, const struct hr_create_opts *o, struct hr_hardened *out,
			  struct hr_err **err)
{
	struct hr_policy *p = NULL;
	struct hr_decisions d = {0};
	struct hr_harden_ctx ctx = {.id = id, .bundle = bundle};
	struct host host = {.rootfs_fd = -1};
	cleanup_free int64_t *times = NULL;
	cleanup_free int64_t *restarts = NULL;
	cleanup_free char *tainted = NULL;
	json_error_t je;
	json_t *j;
	int r = -1;

	memset(out, 0, sizeof(*out));
	j = json_loadb(cfg, len, JSON_REJECT_DUPLICATES, &je);
	if (!j)
		return hr_fail(err, 0, "config.json:%d:%d: %s", je.line, je.column, je.text);
	if (hr_runtime_policy_load(rt, &p, err) < 0)
		goto out;
	if (hr_ledger_read(root_fd, id, &times, &ctx.n_failures, &restarts, &ctx.n_restarts, &tainted, err) < 0)
		goto out;
	ctx.failure_times = times;
	ctx.restart_times = restarts;
	ctx.now = (int64_t)time(NULL);
	ctx.tainted = tainted != NULL;
	ctx.tainted_time = tainted && *tainted ? tainted : NULL;
	ctx.apparmor_available = hr_apparmor_enabled();
	host.rootfs_fd = open_rootfs(j, bundle);
	ctx.rootfs_has_dir = rootfs_has_dir;
	ctx.resolve_source = resolve_source;
	ctx.read_profile = read_profile;
	ctx.arg = &host;
	ctx.learn_path = o ? o->seccomp_learn : NULL;
	ctx.profile = o ? o->seccomp_profile : NULL;
	ctx.profile_name = o ? o->seccomp_profile_name : NULL;
	if (hr_harden_wants_userns(p, j, &ctx)) {
		/* recorded first: delete --force gives the range back whenever create dies */
		if (hr_intent_add(dir_fd, err, "idrange", "%s", id) < 0)
			goto out;
		if (hr_idpool_acquire(root_fd, id, p->userns_pool_start, p->userns_pool_size, &ctx.userns_base, err) <
		    0)
			goto out;
		ctx.has_userns_base = true;
		out->range_acquired = true;
		HR_FAULT_POINT("create.idrange");
	}
	out->level = p->level;
	out->policy_file = rt->policy_path ? rt->policy_path : HR_POLICY_PATH;
	r = hr_harden(p, j, &ctx, &d, err);
	log_decisions(id, &d);
	if (r < 0)
		goto out;
	/* harden named a generated profile: it must be in the kernel before the init asks for it */
	if (ctx.apparmor_available && p->apparmor != HR_APPARMOR_OFF) {
		const char *prof = json_string_value(json_object_get(json_object_get(j, "process"), "apparmorProfile"));
		cleanup_free char *name = xasprintf("hardrun-%s", id);

		if (hr_policy_apparmor_is_own(prof, id)) {
			cleanup_free char *text = hr_policy_apparmor_profile(name);

			if (!text) {
				r = hr_fail(err, EINVAL, "apparmor: `%s` is not a valid profile name", name);
				goto out;
			}
			if (hr_intent_add(dir_fd, err, "apparmor", "%s", name) < 0) {
				r = -1;
				goto out;
			}
			if (hr_apparmor_load(text, err) < 0) {
				r = hr_fail_wrap(err, "apparmor: load profile `%s`", name);
				goto out;
			}
			out->profile_loaded = xstrdup(name);
		}
	}
	out->decisions = hr_decisions_json(&d);
	if (d.n == 0) {
		/* nothing hardened (passthrough): the bundle's own bytes */
		out->text = xstrndup(cfg, len);
		out->len = len;
	} else {
		out->text = json_dumps(j, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
		out->len = strlen(out->text);
	}
out:
	if (r < 0 && out->range_acquired) {
		struct hr_err *tmp = NULL;

		if (hr_idpool_release(root_fd, id, &tmp) < 0) {
			hr_log_warn("rollback: %s", tmp->msg);
			hr_err_free(&tmp);
		}
		out->range_acquired = false;
	}
	if (host.rootfs_fd >= 0)
		close(host.rootfs_fd);
	hr_decisions_clear(&d);
	hr_policy_free(p);
	json_decref(j);
	return r;
}

/*
 * Seconds the init has been gone-or-alive since it started: /proc/uptime
 * against its start time (clock ticks since boot); -1 when unknown.
 */
static double init_age(uint64_t pid_start)
{
	long hz = sysconf(_SC_CLK_TCK);
	char buf[64];
	ssize_t n = -1;
	char *end;
	double up;
	int fd;

	if (hz <= 0 || pid_start == 0)
		return -1;
	fd = open("/proc/uptime", O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
	}
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	up = strtod(buf, &end);
	if (end == buf)
		return -1;
	return up - (double)pid_start / (double)hz;
}

void hr_policy_delete_step(int root_fd, int dir_fd, const char *id, bool init_gone, bool started, int exit_status,
			   uint64_t pid_start, bool unload_apparmor)
{
	cleanup_free char *tainted = NULL;
	struct hr_err *tmp = NULL;
	struct stat st;
	size_t len = 0;
	enum hr_ledger_exit what = HR_LEDGER_NONE;
	bool killed = fstatat(dir_fd, HR_KILLED_FILE, &st, AT_SYMLINK_NOFOLLOW) == 0;

	if (hr_statedir_read(dir_fd, HR_TAINTED_FILE, &tainted, &len, &tmp) < 0)
		hr_err_free(&tmp);
	if (exit_status >= 0) {
		/* the status is known (run reaped the init, or the exit watcher read it): it decides */
		if (exit_status != 0 && !(killed && exit_status > 128))
			what = HR_LEDGER_FAILED;
	} else {
		/*
		 * A shim reaped the init, so its status is unknown here.  What
		 * burns the host is a container re-made again and again: an init
		 * that ended by itself within HR_RESTART_QUICK_SECONDS of its start
		 * counts, whatever its status (a crash loop looks like that).
		 */
		double age = init_age(pid_start);

		if (started && init_gone && !killed && age >= 0 && age < HR_RESTART_QUICK_SECONDS)
			what = HR_LEDGER_RESTART;
	}
	if (unload_apparmor && hr_apparmor_enabled()) {
		cleanup_free char *name = xasprintf("hardrun-%s", id);
		cleanup_free char *text = hr_policy_apparmor_profile(name);
		cleanup_free char *cfg = NULL;

		/* only a profile hardrun generated for this container is removed */
		if (text && hr_statedir_read(dir_fd, "config.json", &cfg, &len, &tmp) == 0) {
			json_t *c = json_loadb(cfg, len, 0, NULL);
			const char *prof =
				json_string_value(json_object_get(json_object_get(c, "process"), "apparmorProfile"));

			if (hr_policy_apparmor_is_own(prof, id) && hr_apparmor_unload(name, text, &tmp) < 0) {
				hr_log_warn("delete `%s`: %s", id, tmp->msg);
				hr_err_free(&tmp);
			}
			json_decref(c);
		}
		hr_err_free(&tmp);
		len = 0;
	}
	if (what == HR_LEDGER_NONE && !tainted)
		return;
	/* a delete killed after recording must not count the same exit again */
	if (fstatat(dir_fd, HR_LEDGERED_FILE, &st, AT_SYMLINK_NOFOLLOW) == 0)
		return;
	if (hr_ledger_record(root_fd, id, what, (int64_t)time(NULL), tainted, &tmp) < 0) {
		hr_log_warn("delete `%s`: restart ledger: %s", id, tmp->msg);
		hr_err_free(&tmp);
		return;
	}
	HR_FAULT_POINT("delete.ledger");
	if (hr_statedir_write(dir_fd, HR_LEDGERED_FILE, "", 0, &tmp) < 0) {
		hr_log_warn("delete `%s`: %s", id, tmp->msg);
		hr_err_free(&tmp);
	}
}

int hr_policy_exec_step(const struct hr_rt *rt, int dir_fd, const char *id, json_t *process, const json_t *annotations,
			struct hr_err **err)
{
	struct hr_policy *p = NULL;
	struct hr_decisions d = {0};
	cleanup_free char *text = NULL;
	json_t *args = json_object_get(process, "args");
	char now[64];
	int r;

	if (hr_runtime_policy_load(rt, &p, err) < 0)
		return -1;
	r = hr_harden_process(p, process, id, annotations, &d, err);
	log_decisions(id, &d);
	hr_decisions_clear(&d);
	if (r == 0 && p->level > 0) {
		/* 3.10: the container now runs something its image did not start */
		json_t *t;

		hr_time_rfc3339(now, sizeof(now));
		t = json_pack("{s:s, s:s}", "time", now, "argv0",
			      json_is_string(json_array_get(args, 0)) ? json_string_value(json_array_get(args, 0))
								      : "");
		text = json_dumps(t, JSON_COMPACT);
		json_decref(t);
		r = hr_statedir_write(dir_fd, HR_TAINTED_FILE, text, strlen(text), err);
	}
	hr_policy_free(p);
	return r;
}

static int harden_preview(const struct hr_rt *rt, const char *bundle, json_t *config, bool pool_userns,
			  struct hr_err **err)
{
	struct hr_policy *p = NULL;
	struct hr_decisions d = {0};
	struct hr_harden_ctx ctx = {.id = "spec", .bundle = bundle, .defer_userns = !pool_userns};
	struct host host = {.rootfs_fd = -1};
	cleanup_free char *abs = realpath(bundle, NULL);
	int r;

	if (hr_runtime_policy_load(rt, &p, err) < 0)
		return -1;
	ctx.bundle = abs ? abs : bundle;
	/* the range the pool's first container gets: what audit shows for a bundle */
	ctx.has_userns_base = pool_userns;
	ctx.userns_base = p->userns_pool_start;
	ctx.apparmor_available = hr_apparmor_enabled();
	host.rootfs_fd = open_rootfs(config, ctx.bundle);
	if (host.rootfs_fd >= 0) {
		ctx.rootfs_has_dir = rootfs_has_dir;
		ctx.arg = &host;
	}
	ctx.read_profile = read_profile;
	r = hr_harden(p, config, &ctx, &d, err);
	/* the container's profile is named at create, after its id */
	if (r == 0 && p->apparmor != HR_APPARMOR_OFF && ctx.apparmor_available)
		json_object_del(json_object_get(config, "process"), "apparmorProfile");
	if (host.rootfs_fd >= 0)
		close(host.rootfs_fd);
	hr_decisions_clear(&d);
	hr_policy_free(p);
	return r;
}

int hr_runtime_spec_harden(const struct hr_rt *rt, const char *bundle, json_t *config, struct hr_err **err)
{
	return harden_preview(rt, bundle, config, false, err);
}

int hr_runtime_bundle_harden(const struct hr_rt *rt, const char *bundle, json_t *config, struct hr_err **err)
{
	return harden_preview(rt, bundle, config, true, err);
}

int hr_policy_update_step(const struct hr_rt *rt, const char *id, json_t *res, const struct hr_spec *spec,
			  struct hr_err **err)
{
	struct hr_policy *p = NULL;
	struct hr_decisions d = {0};
	json_t *ann = json_object();
	int r;

	if (!json_is_object(res)) {
		/* the parser names what is wrong with it */
		json_decref(ann);
		return 0;
	}
	if (hr_runtime_policy_load(rt, &p, err) < 0) {
		json_decref(ann);
		return -1;
	}
	for (size_t i = 0; spec && i < spec->n_annotations; i++)
		json_object_set_new(ann, spec->annotations[i].key, json_string(spec->annotations[i].value));
	r = hr_harden_resources(p, res, id, ann, &d, err);
	log_decisions(id, &d);
	hr_decisions_clear(&d);
	json_decref(ann);
	hr_policy_free(p);
	return r;
}
