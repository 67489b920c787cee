/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The launcher's supervisor: `run` with docker-like flags.  Each run is a
 * fresh container made from the bundle (or --rootfs) with the flags
 * applied; hardrun stays its parent, relays its stdout/stderr to the log
 * driver, watches its cgroup (OOM kills, --alert-* thresholds), records
 * lifecycle events, and restarts it under --restart with exponential
 * back-off up to the cap.  SIGTERM/SIGINT end the supervision gracefully.
 * A plain OCI `run` (none of these flags) never comes here: it stays
 * run.c's fast path.  The supervisor is single-threaded: one poll loop over
 * a signalfd and the two log pipes.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "container.h"
#include "fault.h"
#include "hardrun/cgroup.h"
#include "hardrun/log.h"
#include "hardrun/strutil.h"
#include "launch_int.h"
#include "statedir.h"

#ifndef HR_SECCOMP_DIR
#define HR_SECCOMP_DIR "/etc/hardrun/seccomp"
#endif

/* How often the cgroup is read for OOM kills and thresholds. */
#define MONITOR_MS 250

/* Signals forwarded to the service; SIGTERM and SIGINT stop it instead. */
static const int forwarded[] = {SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2};

struct sup {
	const struct hr_rt *rt;
	const char *name;
	const struct hr_supervise_opts *so;
	struct hr_create_opts co;
	char *bundle;	  /* absolute; the launch dir for --rootfs */
	char *rootfs;	  /* --rootfs, absolute */
	json_t *seccomp;  /* --seccomp-profile, loaded */
	char *learn_path; /* --seccomp-learn, absolute */
	int dir_fd;	  /* the launch dir */
	int sfd;	  /* signalfd */
	int devnull;
	int ready_fd;  /* --detach: tells the caller the first run started */
	bool stopping; /* SIGTERM/SIGINT received */
	struct hr_logdrv log;
	struct hr_levents ev;
	struct hr_alert a_mem, a_pids, a_cpu;
};

static json_t *load_seccomp(const char *name, struct hr_err **err)
{
	cleanup_free char *path = NULL;
	json_error_t je;
	json_t *sc;

	if (!strchr(name, '/') && !hr_id_valid(name)) {
		hr_fail(err, 0, "--seccomp-profile `%s`: not a profile name", name);
		return NULL;
	}
	path = strchr(name, '/') ? xstrdup(name) : xasprintf("%s/%s.json", HR_SECCOMP_DIR, name);
	sc = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
	if (!sc) {
		if (je.line < 0)
			hr_fail(err, errno, "--seccomp-profile `%s`: open `%s`", name, path);
		else
			hr_fail(err, 0, "--seccomp-profile `%s`: %s:%d:%d: %s", name, path, je.line, je.column,
				je.text);
		return NULL;
	}
	if (!json_is_object(sc) || !json_is_string(json_object_get(sc, "defaultAction"))) {
		json_decref(sc);
		hr_fail(err, 0, "--seccomp-profile `%s`: `%s` is not an OCI linux.seccomp object", name, path);
		return NULL;
	}
	return sc;
}

/* --seccomp-learn FILE as an absolute path in an existing directory (the recorder runs elsewhere). */
static char *learn_file(const char *arg, struct hr_err **err)
{
	cleanup_free char *copy = xstrdup(arg);
	cleanup_free char *dir = NULL;
	char *slash = strrchr(copy, '/');
	const char *base = slash ? slash + 1 : copy;
	char *path;

	if (!*base || strcmp(base, ".") == 0 || strcmp(base, "..") == 0) {
		hr_fail(err, 0, "--seccomp-learn `%s`: not a file name", arg);
		return NULL;
	}
	if (slash)
		*slash = '\0';
	dir = realpath(slash ? (copy[0] ? copy : "/") : ".", NULL);
	if (!dir) {
		hr_fail(err, errno, "--seccomp-learn `%s`: directory", arg);
		return NULL;
	}
	path = strcmp(dir, "/") == 0 ? xasprintf("/%s", base) : xasprintf("%s/%s", dir, base);
	if (!hr_path_is_clean_abs(path)) {
		hr_fail(err, 0, "--seccomp-learn `%s`: not a clean path", arg);
		free(path);
		return NULL;
	}
	return path;
}

static bool config_has(json_t *cfg, const char *res_key, const char *key)
{
	json_t *v = json_object_get(
		json_object_get(json_object_get(json_object_get(cfg, "linux"), "resources"), res_key), key);

	return json_is_integer(v) && json_integer_value(v) > 0;
}

/* The config of the next run: read afresh from the bundle (or made for --rootfs) and tightened. */
static int build_config(struct sup *x, char **out, size_t *len, struct hr_err **err)
{
	struct hr_launch_opts t = x->so->tighten;
	json_t *cfg;
	json_error_t je;
	char *s;

	if (x->rootfs) {
		cfg = hr_launch_rootfs_config(x->rootfs, x->so->rootfs_argv);
	} else {
		cleanup_free char *path = hr_path_join(x->bundle, "config.json");

		cfg = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
		if (!cfg) {
			if (je.line < 0)
				return hr_fail(err, errno, "open `%s`", path);
			return hr_fail(err, 0, "config.json:%d:%d: %s", je.line, je.column, je.text);
		}
	}
	if (hr_launch_tighten(cfg, &t, err) < 0) {
		json_decref(cfg);
		return -1;
	}
	/* the output goes to the log driver, as with docker run without -t: no terminal */
	if (json_is_object(json_object_get(cfg, "process")))
		json_object_set_new(json_object_get(cfg, "process"), "terminal", json_false());
	/* a threshold needs the limit it is a percentage of */
	if (x->so->alert_memory > 0 && !config_has(cfg, "memory", "limit")) {
		json_decref(cfg);
		return hr_fail(err, 0, "--alert-memory: the container has no memory limit (--memory)");
	}
	if (x->so->alert_pids > 0 && !config_has(cfg, "pids", "limit")) {
		json_decref(cfg);
		return hr_fail(err, 0, "--alert-pids: the container has no pids limit (--pids-limit)");
	}
	s = json_dumps(cfg, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(cfg);
	if (!s)
		return hr_fail(err, 0, "config.json: cannot be serialised");
	*len = strlen(s);
	*out = s;
	return 0;
}

/* READY=1 to systemd's NOTIFY_SOCKET (path or @abstract), once the service runs. */
static void notify_ready(void)
{
	const char *p = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	cleanup_close int s = -1;
	cleanup_free char *msg = NULL;
	size_t n;

	if (!p || !*p || strlen(p) >= sizeof(sa.sun_path))
		return;
	n = strlen(p);
	memcpy(sa.sun_path, p, n);
	if (p[0] == '@')
		sa.sun_path[0] = '\0';
	s = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	msg = xasprintf("READY=1\nMAINPID=%d", (int)getpid());
	if (s < 0 || sendto(s, msg, strlen(msg), MSG_NOSIGNAL, (struct sockaddr *)&sa,
			    (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + (p[0] == '@' ? 0 : 1))) < 0)
		hr_log_warn("NOTIFY_SOCKET `%s`: %s", p, strerror(errno));
}

static void tell_ready(struct sup *x, const char *msg)
{
	if (x->ready_fd < 0)
		return;
	(void)hr_write_all(x->ready_fd, msg, strlen(msg));
	close(x->ready_fd);
	x->ready_fd = -1;
}

static double pct(uint64_t v, uint64_t limit)
{
	return limit == 0 || limit == HR_CGROUP_UNLIMITED ? NAN : 100.0 * (double)v / (double)limit;
}

struct watch {
	struct hr_cgroup *cg;
	uint64_t oom_seen;
	uint64_t cpu_ns, at_ns; /* last sample */
	pid_t pid;
};

static void limit_event(struct sup *x, const char *what, double p, double threshold, uint64_t usage, uint64_t limit)
{
	hr_levent_emit(&x->ev, HR_EV_LIMIT,
		       json_pack("{s:s, s:i, s:i, s:I, s:I}", "resource", what, "percent", (int)(p + 0.5), "threshold",
				 (int)(threshold + 0.5), "usage", (json_int_t)usage, "limit", (json_int_t)limit));
}

/* One look at the cgroup: new OOM kills and threshold crossings become events. */
static void monitor(struct sup *x, struct watch *w)
{
	struct hr_cgroup_stats st;
	struct hr_err *e = NULL;
	uint64_t now = hr_now_ns();

	if (!w->cg || hr_cgroup_stats(w->cg, &st, &e) < 0) {
		hr_err_free(&e);
		return;
	}
	if (st.has_memory && st.oom_kill > w->oom_seen) {
		hr_levent_emit(&x->ev, HR_EV_OOM,
			       json_pack("{s:i, s:I, s:I}", "pid", (int)w->pid, "oom_kills",
					 (json_int_t)(st.oom_kill - w->oom_seen), "limit",
					 (json_int_t)st.memory_limit));
		w->oom_seen = st.oom_kill;
	}
	if (st.has_memory && hr_alert_check(&x->a_mem, pct(st.memory_usage, st.memory_limit)))
		limit_event(x, "memory", pct(st.memory_usage, st.memory_limit), x->a_mem.threshold, st.memory_usage,
			    st.memory_limit);
	if (st.has_pids && hr_alert_check(&x->a_pids, pct(st.pids_current, st.pids_limit)))
		limit_event(x, "pids", pct(st.pids_current, st.pids_limit), x->a_pids.threshold, st.pids_current,
			    st.pids_limit);
	if (st.has_cpu) {
		/* percent of one CPU over the last interval, as docker stats shows it */
		if (w->at_ns && now > w->at_ns && st.cpu_usage_ns >= w->cpu_ns) {
			double p = 100.0 * (double)(st.cpu_usage_ns - w->cpu_ns) / (double)(now - w->at_ns);

			if (hr_alert_check(&x->a_cpu, p))
				limit_event(x, "cpu", p, x->a_cpu.threshold, st.cpu_usage_ns - w->cpu_ns,
					    now - w->at_ns);
		}
		w->cpu_ns = st.cpu_usage_ns;
		w->at_ns = now;
	}
}

static void drain(struct sup *x, int *fd, int stream, bool to_eof)
{
	char buf[65536];

	while (*fd >= 0) {
		ssize_t n = read(*fd, buf, sizeof(buf));

		if (n > 0) {
			hr_logdrv_feed(&x->log, stream, buf, (size_t)n);
			if (!to_eof)
				return;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN && !to_eof)
			return;
		close(*fd); /* end of file: every writer is gone */
		*fd = -1;
	}
}

/* Wait until the init exits, relaying logs, watching the cgroup and handling signals; *ws its wait status. */
static int wait_service(struct sup *x, struct watch *w, int *out_fd, int *err_fd, int *ws, struct hr_err **err)
{
	uint64_t next_tick = hr_now_ms(), kill_at = 0;
	bool killed = false;

	for (;;) {
		struct pollfd p[3] = {{x->sfd, POLLIN, 0}, {*out_fd, POLLIN, 0}, {*err_fd, POLLIN, 0}};
		struct signalfd_siginfo si;
		uint64_t now = hr_now_ms();
		int timeout;
		pid_t r;

		while ((r = waitpid(-1, ws, WNOHANG)) > 0)
			if (r == w->pid)
				return 0;
		if (r < 0 && errno == ECHILD)
			return hr_fail(err, ECHILD, "wait for container init %d", w->pid);
		if (kill_at && now >= kill_at && !killed) {
			struct hr_err *e = NULL;

			hr_log_warn("`%s` did not stop within the stop timeout: killing it", x->name);
			if (w->cg && hr_cgroup_kill_all(w->cg, SIGKILL, &e) < 0) {
				hr_log_warn("%s", e->msg);
				hr_err_free(&e);
			}
			kill(w->pid, SIGKILL);
			killed = true;
		}
		if (now >= next_tick) {
			monitor(x, w);
			next_tick = now + MONITOR_MS;
		}
		timeout = (int)(next_tick - now);
		if (kill_at && !killed && kill_at > now && kill_at - now < (uint64_t)timeout)
			timeout = (int)(kill_at - now);
		if (poll(p, 3, timeout) < 0 && errno != EINTR)
			return hr_fail(err, errno, "poll");
		while (read(x->sfd, &si, sizeof(si)) == sizeof(si)) {
			int sig = (int)si.ssi_signo;

			if (sig == SIGCHLD)
				continue;
			if (sig == SIGTERM || sig == SIGINT) {
				if (x->stopping)
					continue;
				x->stopping = true;
				kill_at = hr_now_ms() + x->so->stop_timeout_ms;
				if (kill(w->pid, x->so->stop_signal) < 0 && errno != ESRCH)
					hr_log_warn("stop `%s`: %s", x->name, strerror(errno));
			} else if (kill(w->pid, sig) < 0 && errno != ESRCH) {
				hr_log_warn("forward signal %d to %d: %s", sig, w->pid, strerror(errno));
			}
		}
		if (p[1].revents)
			drain(x, out_fd, 1, false);
		if (p[2].revents)
			drain(x, err_fd, 2, false);
	}
}

static void close_pair(int p[2])
{
	for (int i = 0; i < 2; i++)
		if (p[i] >= 0)
			close(p[i]);
	p[0] = p[1] = -1;
}

/* One run of the service.  0 with *status when it ran (whatever its exit), -1 when it could not be started. */
static int run_once(struct sup *x, unsigned attempt, int *status, struct hr_err **err)
{
	cleanup_free char *cfg = NULL;
	struct hr_loaded *c = NULL;
	struct watch w = {0};
	int outp[2] = {-1, -1}, errp[2] = {-1, -1};
	size_t len = 0;
	int ws = 0, r;
	bool pipes = x->so->log.driver == HR_LOGDRV_JSON_FILE || x->so->log.driver == HR_LOGDRV_SYSLOG;

	if (build_config(x, &cfg, &len, err) < 0)
		goto refused;
	(void)hr_statedir_write(x->dir_fd, "config.json", cfg, len, NULL);
	x->co.config_json = cfg;
	x->co.config_len = len;
	if (x->so->log.driver != HR_LOGDRV_INHERIT) {
		x->co.redirect_stdio = true;
		x->co.stdio[0] = x->co.stdio[1] = x->co.stdio[2] = x->devnull;
	}
	if (pipes) {
		if (pipe2(outp, O_CLOEXEC) < 0 || pipe2(errp, O_CLOEXEC) < 0) {
			hr_fail(err, errno, "pipe for the container's output");
			close_pair(outp);
			close_pair(errp);
			goto refused;
		}
		x->co.stdio[1] = outp[1];
		x->co.stdio[2] = errp[1];
	}
	r = hr_container_do_create(x->rt, x->name, &x->co, true, &w.pid, NULL, err);
	/* the init holds the write ends now; ours would keep the pipes from ever reaching end of file */
	if (outp[1] >= 0)
		close(outp[1]);
	if (errp[1] >= 0)
		close(errp[1]);
	outp[1] = errp[1] = -1;
	if (r < 0) {
		close_pair(outp);
		close_pair(errp);
		goto refused;
	}
	HR_FAULT_POINT("launch.created");
	hr_levent_emit(&x->ev, HR_EV_CREATE, json_pack("{s:i, s:s}", "pid", (int)w.pid, "bundle", x->bundle));
	if (hr_container_load(x->rt, x->name, true, &c, err) < 0 || hr_container_do_start(c, err) < 0) {
		struct hr_err *tmp = NULL;

		/* without its loaded state the container is removed by name, as delete --force does */
		if ((c ? hr_container_destroy(c, &tmp) : hr_container_delete(x->rt, x->name, true, &tmp)) < 0) {
			hr_log_warn("%s", tmp->msg);
			hr_err_free(&tmp);
		}
		hr_loaded_free(c);
		close_pair(outp);
		close_pair(errp);
		goto refused;
	}
	HR_FAULT_POINT("launch.started");
	hr_levent_emit(&x->ev, HR_EV_START, json_pack("{s:i, s:i}", "pid", (int)w.pid, "attempt", (int)attempt));
	if (attempt == 1) {
		notify_ready();
		tell_ready(x, "0");
	}
	{
		struct hr_err *e = NULL;

		if (c->st->cgroup_path && *c->st->cgroup_path && hr_cgroup_open(c->st->cgroup_path, &w.cg, &e) < 0) {
			hr_log_warn("%s", e->msg);
			hr_err_free(&e);
		}
	}
	/* release the container's lock while it runs so state, exec and stats work */
	hr_loaded_free(c);
	c = NULL;
	if (outp[0] >= 0)
		(void)fcntl(outp[0], F_SETFL, O_NONBLOCK);
	if (errp[0] >= 0)
		(void)fcntl(errp[0], F_SETFL, O_NONBLOCK);
	r = wait_service(x, &w, &outp[0], &errp[0], &ws, err);
	HR_FAULT_POINT("launch.waited");
	/* an OOM kill of the init itself shows only now */
	monitor(x, &w);
	{
		struct hr_err *tmp = NULL;

		if (hr_container_delete(x->rt, x->name, true, &tmp) < 0) {
			if (r == 0) {
				*err = tmp;
				r = -1;
			} else {
				hr_err_free(&tmp);
			}
		}
	}
	/* the cgroup is empty now: nothing can write any more */
	drain(x, &outp[0], 1, true);
	drain(x, &errp[0], 2, true);
	hr_logdrv_flush(&x->log);
	hr_cgroup_free(w.cg);
	if (r < 0)
		return -1;
	*status = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
	hr_levent_emit(&x->ev, HR_EV_EXIT,
		       json_pack("{s:i, s:i, s:s, s:i}", "pid", (int)w.pid, "code", *status, "signal",
				 WIFSIGNALED(ws) && hr_signal_name(WTERMSIG(ws)) ? hr_signal_name(WTERMSIG(ws)) : "",
				 "attempt", (int)attempt));
	return 0;
refused:
	hr_levent_emit(&x->ev, HR_EV_REFUSED,
		       json_pack("{s:s, s:i}", "error", *err ? (*err)->msg : "", "attempt", (int)attempt));
	return -1;
}

/* Sleep for the back-off; false when SIGTERM/SIGINT ended it early. */
static bool backoff(struct sup *x, uint64_t ms)
{
	uint64_t end = hr_now_ms() + ms;

	for (;;) {
		struct signalfd_siginfo si;
		uint64_t now = hr_now_ms();
		struct pollfd p = {x->sfd, POLLIN, 0};

		if (now >= end)
			return true;
		(void)poll(&p, 1, (int)(end - now));
		while (read(x->sfd, &si, sizeof(si)) == sizeof(si))
			if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT) {
				x->stopping = true;
				return false;
			}
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
	}
}

static int supervise(struct sup *x, int *status, struct hr_err **err)
{
	unsigned restarts = 0;

	*status = 0;
	for (unsigned attempt = 1;; attempt++) {
		uint64_t delay;

		if (run_once(x, attempt, status, err) < 0)
			return -1;
		if (x->stopping || !hr_restart_wanted(&x->so->restart, *status, restarts)) {
			if (!x->stopping && x->so->restart.mode != HR_RESTART_NO &&
			    !(x->so->restart.mode == HR_RESTART_ON_FAILURE && *status == 0))
				hr_levent_emit(&x->ev, HR_EV_GIVE_UP,
					       json_pack("{s:i, s:i, s:i}", "restarts", (int)restarts, "max",
							 (int)x->so->restart.max, "code", *status));
			return 0;
		}
		restarts++;
		delay = hr_backoff_ms(restarts, x->so->restart_delay_ms, x->so->restart_max_delay_ms);
		hr_levent_emit(&x->ev, HR_EV_RESTART,
			       json_pack("{s:i, s:i, s:I, s:i}", "restart", (int)restarts, "max",
					 (int)x->so->restart.max, "delay_ms", (json_int_t)delay, "last_code", *status));
		if (!backoff(x, delay))
			return 0;
	}
}

/*
 * --detach: fork a supervisor in its own session with /dev/null as stdio.
 * The caller waits until the first run started ("0") or failed (the error
 * text), so errors still reach the terminal.  Returns 1 in the caller
 * (done), 0 in the supervisor.
 */
static int daemonize(struct sup *x, struct hr_err **err)
{
	int p[2];
	pid_t pid;
	char buf[4096];
	ssize_t n, total = 0;

	if (pipe2(p, O_CLOEXEC) < 0)
		return hr_fail(err, errno, "pipe");
	pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return hr_fail(err, errno, "fork the supervisor");
	}
	if (pid > 0) {
		int ws;

		close(p[1]);
		while ((n = read(p[0], buf + total, sizeof(buf) - 1 - (size_t)total)) > 0 || (n < 0 && errno == EINTR))
			if (n > 0)
				total += n;
		close(p[0]);
		buf[total] = '\0';
		/* the intermediate child exits at once; the supervisor is its child */
		while (waitpid(pid, &ws, 0) < 0 && errno == EINTR)
			;
		if (total > 0 && strcmp(buf, "0") == 0)
			return 1;
		return hr_fail(err, 0, "%s", total > 0 ? buf + 1 : "the supervisor exited before the service started");
	}
	close(p[0]);
	if (setsid() < 0 || (pid = fork()) < 0)
		_exit(1);
	if (pid > 0)
		_exit(0);
	x->ready_fd = p[1];
	dup2(x->devnull, 0);
	dup2(x->devnull, 1);
	dup2(x->devnull, 2);
	return 0;
}

int hr_supervise_run(const struct hr_rt *rt, const char *name, const struct hr_create_opts *o,
		     const struct hr_supervise_opts *so, int *status, struct hr_err **err)
{
	struct sup x = {.rt = rt, .name = name, .so = so, .dir_fd = -1, .sfd = -1, .devnull = -1, .ready_fd = -1};
	cleanup_close int lock = -1;
	cleanup_free char *cfg = NULL;
	sigset_t mask, old;
	size_t len;
	int r = -1;
	char pidbuf[32];

	/*
	 * Blocked from the start, read later from a signalfd: a SIGTERM that
	 * arrives while the first container is being made stops it once it
	 * runs, instead of killing the supervisor halfway through a create.
	 */
	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	for (size_t i = 0; i < HR_ARRAY_SIZE(forwarded); i++)
		sigaddset(&mask, forwarded[i]);
	sigprocmask(SIG_BLOCK, &mask, &old);
	x.log.fd = x.log.sock = -1;
	x.ev.fd = x.ev.syslog_fd = -1;
	x.co = *o;
	x.a_mem.threshold = so->alert_memory;
	x.a_pids.threshold = so->alert_pids;
	x.a_cpu.threshold = so->alert_cpu;
	if (!hr_id_valid(name)) {
		hr_fail(err, EINVAL, "invalid container id `%s`", name);
		goto out;
	}
	/* the restart cap (the hardening policy's, else the default) bounds whatever --restart asked */
	if (so->restart.max > (so->restart_cap ? so->restart_cap : HR_RESTART_DEFAULT_MAX)) {
		hr_fail(err, 0, "--restart: %u restarts exceed the restart cap of %u", so->restart.max,
			so->restart_cap ? so->restart_cap : HR_RESTART_DEFAULT_MAX);
		goto out;
	}
	if (so->rootfs) {
		struct stat sb;

		x.rootfs = realpath(so->rootfs, NULL);
		if (!x.rootfs || stat(x.rootfs, &sb) < 0 || !S_ISDIR(sb.st_mode)) {
			hr_fail(err, x.rootfs ? ENOTDIR : errno, "--rootfs `%s`", so->rootfs);
			goto out;
		}
	} else {
		x.bundle = realpath(o->bundle ? o->bundle : ".", NULL);
		if (!x.bundle) {
			hr_fail(err, errno, "bundle `%s`", o->bundle ? o->bundle : ".");
			goto out;
		}
	}
	if (so->seccomp_profile && !(x.seccomp = load_seccomp(so->seccomp_profile, err)))
		goto out;
	/* the container's own profile, stacked with every other filter (CSVS 3.4) */
	x.co.seccomp_profile = x.seccomp;
	x.co.seccomp_profile_name = so->seccomp_profile;
	if (so->seccomp_learn) {
		if (so->seccomp_profile) {
			hr_fail(err, 0,
				"--seccomp-learn and --seccomp-profile: learn mode enforces no container profile");
			goto out;
		}
		if (!(x.learn_path = learn_file(so->seccomp_learn, err)))
			goto out;
		x.co.seccomp_learn = x.learn_path;
	}
	/* every flag and the config are checked before anything is made */
	if (build_config(&x, &cfg, &len, err) < 0)
		goto out;
	x.devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (x.devnull < 0) {
		hr_fail(err, errno, "open `/dev/null`");
		goto out;
	}
	x.dir_fd = hr_launchdir_open(rt->root, name, true, err);
	if (x.dir_fd < 0)
		goto out;
	lock = openat(x.dir_fd, HR_LAUNCH_LOCK, O_RDONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (lock < 0) {
		hr_fail(err, errno, "open `%s`", HR_LAUNCH_LOCK);
		goto out;
	}
	if (flock(lock, LOCK_EX | LOCK_NB) < 0) {
		pid_t other = 0;

		(void)hr_launchdir_supervised(x.dir_fd, &other);
		hr_fail(err, errno == EWOULDBLOCK ? 0 : errno, "`%s` is supervised already (supervisor pid %d)", name,
			(int)other);
		goto out;
	}
	if (so->rootfs) {
		/* a made config has no bundle: the launch dir, which holds its copy, stands in */
		cleanup_free char *root = realpath(rt->root, NULL);

		if (!root) {
			hr_fail(err, errno, "state root `%s`", rt->root);
			goto out;
		}
		x.bundle = xasprintf("%s/%s/%s", root, HR_LAUNCH_DIR, name);
	}
	x.co.bundle = x.bundle;
	x.co.detach = false;
	if (so->detach) {
		int d = daemonize(&x, err);

		if (d != 0) {
			*status = 0;
			r = d > 0 ? 0 : -1;
			goto out;
		}
	}
	snprintf(pidbuf, sizeof(pidbuf), "%d", (int)getpid());
	if (hr_statedir_write(x.dir_fd, HR_LAUNCH_PID, pidbuf, strlen(pidbuf), err) < 0 ||
	    hr_levents_open(&x.ev, x.dir_fd, name, so->log.driver == HR_LOGDRV_SYSLOG ? so->log.address : NULL,
			    so->log.facility, err) < 0 ||
	    hr_logdrv_open(&x.log, x.dir_fd, &so->log, name, err) < 0)
		goto out;
	x.ev.notify_prog = so->notify_exec;
	x.ev.notify_mask = so->notify_mask;

	x.sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (x.sfd < 0) {
		hr_fail(err, errno, "signalfd");
		goto out;
	}
	/* a notify program that does not read its event must not kill the supervisor */
	signal(SIGPIPE, SIG_IGN);
	/* the slow path's init is a grandchild: become its reaper */
	prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
	r = supervise(&x, status, err);
	signal(SIGPIPE, SIG_DFL);
	(void)unlinkat(x.dir_fd, HR_LAUNCH_PID, 0);
out:
	if (r < 0 && x.ready_fd >= 0) {
		cleanup_free char *line = hr_err_format(*err);
		cleanup_free char *msg = xasprintf("!%s", line);

		tell_ready(&x, msg);
	}
	tell_ready(&x, "0");
	hr_logdrv_close(&x.log);
	hr_levents_close(&x.ev);
	if (x.sfd >= 0)
		close(x.sfd);
	if (x.devnull >= 0)
		close(x.devnull);
	if (x.dir_fd >= 0)
		close(x.dir_fd);
	json_decref(x.seccomp);
	free(x.learn_path);
	free(x.bundle);
	free(x.rootfs);
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (r < 0)
		return hr_fail_wrap(err, "run `%s`", name);
	return r;
}

int hr_supervise_stop(const struct hr_rt *rt, const char *name, uint64_t timeout_ms, struct hr_err **err)
{
	cleanup_close int dir_fd = hr_launchdir_open(rt->root, name, false, err);
	uint64_t end;
	pid_t pid = 0;

	if (dir_fd < 0 && *err && (*err)->errnum == ENOENT) {
		hr_err_free(err);
		return hr_fail(err, ESRCH, "stop `%s`: no supervisor is running", name);
	}
	if (dir_fd < 0)
		return hr_fail_wrap(err, "stop `%s`", name);
	if (!hr_launchdir_supervised(dir_fd, &pid) || pid <= 0) {
		struct hr_loaded *c = NULL;
		struct hr_err *tmp = NULL;

		/*
		 * A supervisor that was killed leaves its service running with
		 * no one to stop it: stop and remove it here, as the supervisor
		 * would have.
		 */
		if (hr_container_load(rt, name, false, &c, &tmp) < 0) {
			hr_err_free(&tmp);
			return hr_fail(err, ESRCH, "stop `%s`: no supervisor is running", name);
		}
		hr_loaded_free(c);
		if (hr_container_delete(rt, name, true, err) < 0)
			return hr_fail_wrap(err, "stop `%s`", name);
		hr_log_warn("stop `%s`: its supervisor was gone; the service was stopped and removed", name);
		return 0;
	}
	if (kill(pid, SIGTERM) < 0)
		return hr_fail(err, errno, "stop `%s`: signal supervisor %d", name, (int)pid);
	end = hr_now_ms() + timeout_ms;
	while (hr_launchdir_supervised(dir_fd, &pid)) {
		if (hr_now_ms() > end)
			return hr_fail(err, ETIMEDOUT, "stop `%s`: supervisor %d still running", name, (int)pid);
		poll(NULL, 0, 20);
	}
	return 0;
}

int hr_container_forget(const struct hr_rt *rt, const char *name)
{
	hr_launchdir_remove(rt->root, name);
	return 0;
}

int hr_container_logs(const struct hr_rt *rt, const char *name, long tail, uint64_t since_ns, bool follow, FILE *out,
		      FILE *errout, struct hr_err **err)
{
	return hr_launch_logs(rt->root, name, tail, since_ns, follow, out, errout, err);
}

int hr_container_levents(const struct hr_rt *rt, const char *name, bool follow, FILE *out, struct hr_err **err)
{
	return hr_launch_events(rt->root, name, follow, out, err);
}
