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

struct hr_rt {
	const char *root;	 /* state root, default /run/hardrun */
	const char *policy_path; /* --policy, NULL = /etc/hardrun/policy.json or the built-in default */
	bool systemd_cgroup;
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

struct hr_create_opts {
	const char *bundle; /* default "." */
	const char *pid_file;
	const char *console_socket;
	bool no_pivot;
	bool no_new_keyring;
	int preserve_fds;
	bool detach; /* run only */
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
int hr_container_list(const struct hr_rt *rt, bool quiet, bool json, FILE *out, struct hr_err **err);

#endif
