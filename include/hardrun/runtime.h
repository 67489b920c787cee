/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The container lifecycle, one call per CLI command.  Each call takes the
 * global options and returns 0 or -1 with *err; nothing here prints except
 * where the command's output is its result (state, list), which goes to the
 * FILE given.
 */
#ifndef HARDRUN_RUNTIME_H
#define HARDRUN_RUNTIME_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

#include "hardrun/error.h"
#include "hardrun/launch.h"

struct hr_rt {
	const char *root;	 /* state root, default /run/hardrun */
	const char *policy_path; /* --policy, NULL = /etc/hardrun/policy.json or the built-in default */
	bool systemd_cgroup;
	bool no_cgroup; /* --cgroup-manager disabled: create makes no cgroup */
};

struct hr_policy;

/*
 * The effective policy: rt->policy_path, else /etc/hardrun/policy.json
 * when it exists, else the built-in default level.  A file not owned by
 * root, group/other-writable or not regular is refused (EPERM, EINVAL);
 * parse errors name the file's base name and the key path.
 */
int hr_runtime_policy_load(const struct hr_rt *rt, struct hr_policy **out, struct hr_err **err);

struct json_t;

/*
 * `spec --hardened`: harden config (a config.json object, modified in
 * place) with the effective policy, as create would for a container of id
 * "spec" whose rootfs is bundle/rootfs, except that the user namespace is
 * left to create (it takes the range from the pool).
 */
int hr_runtime_spec_harden(const struct hr_rt *rt, const char *bundle, struct json_t *config, struct hr_err **err);
/* audit --bundle: as hr_runtime_spec_harden, with the user namespace the pool's first range would give. */
int hr_runtime_bundle_harden(const struct hr_rt *rt, const char *bundle, struct json_t *config, struct hr_err **err);

struct hr_create_opts {
	const char *bundle; /* default "." */
	const char *pid_file;
	const char *console_socket;
	bool no_pivot;
	bool no_new_keyring;
	int preserve_fds;
	bool detach; /* run only */
	/* the launcher (src/runtime/supervise.c): a made or tightened config instead of <bundle>/config.json */
	const char *config_json;
	size_t config_len;
	/* the launcher: when redirect_stdio, the workload's fds 0-2 are these (each >= 3, or -1 to inherit) */
	bool redirect_stdio;
	int stdio[3];
	/* the launcher: --seccomp-learn (an absolute file), --seccomp-profile (a linux.seccomp object and its name) */
	const char *seccomp_learn;
	const struct json_t *seccomp_profile;
	const char *seccomp_profile_name;
};

int hr_container_create(const struct hr_rt *rt, const char *id, const struct hr_create_opts *o, struct hr_err **err);
int hr_container_start(const struct hr_rt *rt, const char *id, struct hr_err **err);
/* create + start + wait; *status is the workload's exit status (128+N when killed by signal N). */
int hr_container_run(const struct hr_rt *rt, const char *id, const struct hr_create_opts *o, int *status,
		     struct hr_err **err);
int hr_container_state(const struct hr_rt *rt, const char *id, FILE *out, struct hr_err **err);
int hr_container_kill(const struct hr_rt *rt, const char *id, int sig, bool all, struct hr_err **err);
int hr_container_delete(const struct hr_rt *rt, const char *id, bool force, struct hr_err **err);
struct hr_exec_opts {
	const char *process_file; /* --process: an OCI process object */
	bool tty;
	const char *console_socket;
	bool detach;
	const char *pid_file;
	const char *cwd;
	char **env;		/* appended, NULL-terminated */
	const char *user;	/* "UID[:GID]" */
	char **additional_gids; /* numbers as strings */
	char **caps;		/* added to bounding, effective, permitted */
	bool no_new_privs;
	int preserve_fds;
	const char *apparmor;
	const char *process_label;
};

/* Run a process in a running container; *status as for run (0 with detach). */
int hr_container_exec(const struct hr_rt *rt, const char *id, const struct hr_exec_opts *o, char **argv, int *status,
		      struct hr_err **err);
/* Wait for pid (our child) forwarding the blocked signals; *status is its exit status or 128+N. */
int hr_wait_forward(pid_t pid, int *status, struct hr_err **err);
/*
 * hr_wait_forward for `run` with a terminal: also copies stdin to the pty
 * master and the master to stdout, and passes the window size of a
 * terminal on stdin to the pty (at start and on SIGWINCH).
 */
int hr_wait_forward_pty(pid_t pid, int master, int *status, struct hr_err **err);
/* ps: the container's pids (host view), as a JSON array or a PID/CMD table. */
int hr_container_ps(const struct hr_rt *rt, const char *id, bool json, FILE *out, struct hr_err **err);
/* pause (freeze) a running container, or resume (thaw) a paused one. */
int hr_container_pause(const struct hr_rt *rt, const char *id, bool pause, struct hr_err **err);
/* Apply a LinuxResources JSON object (validated as linux.resources) to the container's cgroup. */
int hr_container_update(const struct hr_rt *rt, const char *id, const char *resources_json, struct hr_err **err);
/*
 * runc's events: with once, one {"type":"stats","id":…,"data":{…}} line;
 * else a stats line every interval_ms and {"type":"oom","id":…} whenever
 * the kernel OOM-kills in the container's cgroup, until the init is gone.
 */
int hr_container_events(const struct hr_rt *rt, const char *id, bool once, long interval_ms, FILE *out,
			struct hr_err **err);
/* The launcher: `run` with any of its flags (src/runtime/supervise.c). */
struct hr_supervise_opts {
	struct hr_launch_opts tighten; /* docker-like flags applied to the config */
	const char *rootfs;	       /* --rootfs DIR: config made on the fly, argv the workload */
	char **rootfs_argv;
	const char *seccomp_profile; /* NAME (HR_SECCOMP_DIR/NAME.json) or a path with a '/' */
	const char *seccomp_learn;   /* learn mode into this file (made absolute) */
	struct hr_restart restart;
	unsigned
		restart_cap; /* the policy's restart cap; 0: HR_RESTART_DEFAULT_MAX.  restart.max above it is refused */
	uint64_t restart_delay_ms;     /* first back-off (default 100 ms), doubled per restart */
	uint64_t restart_max_delay_ms; /* back-off ceiling (default 30 s) */
	int stop_signal;	       /* default SIGTERM */
	uint64_t stop_timeout_ms;      /* then SIGKILL; default 10 s */
	bool detach;		       /* leave a supervisor running */
	struct hr_log_opts log;
	const char *notify_exec;
	unsigned notify_mask;
	double alert_memory, alert_pids, alert_cpu; /* percent, 0 = off */
};

/*
 * Supervise the service `name`: a fresh container per run from the bundle
 * (o->bundle, or --rootfs), restarted as so->restart says with exponential
 * back-off, logs through the log driver, lifecycle events to the launch
 * dir, syslog and --notify-exec.  SIGTERM/SIGINT stop it: the stop signal,
 * then SIGKILL after the stop timeout.  *status is the service's last exit
 * status (128+N when killed by signal N).  With so->detach it returns once
 * the first run started (0 in *status) and a supervisor stays behind.
 * Bad flags or a config that cannot be created fail before anything runs,
 * leaving nothing behind.
 */
int hr_supervise_run(const struct hr_rt *rt, const char *name, const struct hr_create_opts *o,
		     const struct hr_supervise_opts *so, int *status, struct hr_err **err);
/* `stop NAME`: SIGTERM to the supervisor of name, and wait (up to timeout_ms) until it is gone. */
int hr_supervise_stop(const struct hr_rt *rt, const char *name, uint64_t timeout_ms, struct hr_err **err);
/* After `delete`: remove the launch dir of name (its logs and events) unless a supervisor runs. */
int hr_container_forget(const struct hr_rt *rt, const char *name);
/* `logs NAME`: tail < 0 prints every line; since_ns 0 means from the start. */
int hr_container_logs(const struct hr_rt *rt, const char *name, long tail, uint64_t since_ns, bool follow, FILE *out,
		      FILE *errout, struct hr_err **err);
/* `events --log NAME`: the launcher's lifecycle events. */
int hr_container_levents(const struct hr_rt *rt, const char *name, bool follow, FILE *out, struct hr_err **err);
/*
 * `stats`: CPU %, memory usage/limit, pids, network and block I/O of the
 * named containers (all when n is 0), as a table or JSON lines; without
 * stream one sample (over 500 ms), else one per second until none is left.
 */
int hr_container_stats(const struct hr_rt *rt, char **names, size_t n, bool json, bool stream, FILE *out,
		       struct hr_err **err);
int hr_container_list(const struct hr_rt *rt, bool quiet, bool json, FILE *out, struct hr_err **err);

struct hr_audit_facts;
/*
 * audit: fill *f (zeroed by the caller, freed with hr_audit_facts_free) from
 * the kernel's view of the running or paused container id: /proc/PID of its
 * init, its cgroup files, its rootfs through /proc/PID/root, and the policy
 * engine's decisions.json and tainted in its state dir.  A created or
 * stopped container is refused (errnum 0).
 */
int hr_container_audit_facts(const struct hr_rt *rt, const char *id, struct hr_audit_facts *f, struct hr_err **err);
/*
 * audit --bundle: *f from the bundle's config.json as create would run it
 * (hardened with the effective policy; as_is: as written), parsed and
 * validated, and a walk of its rootfs.
 */
int hr_bundle_audit_facts(const struct hr_rt *rt, const char *bundle, bool as_is, struct hr_audit_facts *f,
			  struct hr_err **err);

#endif
