/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Internal to src/runtime: a container loaded from its state dir, shared by create/start/run/delete. */
#ifndef HARDRUN_RUNTIME_CONTAINER_H
#define HARDRUN_RUNTIME_CONTAINER_H

#include "hardrun/runtime.h"
#include "hardrun/spec.h"
#include "hardrun/state.h"

struct hr_loaded {
	int root_fd;
	int dir_fd; /* locked */
	struct hr_state *st;
	struct hr_spec *spec; /* the config copy, when asked for */
	enum hr_status status;
};

int hr_container_load(const struct hr_rt *rt, const char *id, bool with_spec, struct hr_loaded **out,
		      struct hr_err **err);
void hr_loaded_free(struct hr_loaded *c);
/*
 * keep_child: `run` in the foreground.  term_out (run only, may be NULL):
 * with process.terminal and no --console-socket, the runtime's end of the
 * socket the init sends its pty master over; -1 otherwise.
 */
int hr_container_do_create(const struct hr_rt *rt, const char *id, const struct hr_create_opts *o, bool keep_child,
			   pid_t *init_out, int *term_out, struct hr_err **err);
int hr_container_do_start(struct hr_loaded *c, struct hr_err **err);
int hr_container_destroy(struct hr_loaded *c, struct hr_err **err);
/* delete with the init's exit status when the caller reaped it (run), -1 when unknown. */
int hr_container_delete_exited(const struct hr_rt *rt, const char *id, bool force, int exit_status,
			       struct hr_err **err);

/* The files of a container's state dir that create, delete and list share. */
#define CONFIG_COPY "config.json"
#define STATE_FILE "state.json"
#define CGROUP_LEVELS "cgroup.levels"

struct hr_cgroup;
struct hr_hardened;

/* container.c: load (the dir locked; *half set when the state file is not written yet), hook state. */
int load_locked(const struct hr_rt *rt, const char *id, bool with_spec, struct hr_loaded **out, bool *half,
		struct hr_err **err);
char *hook_state_json(const struct hr_state *st, enum hr_status status);

/* container_cgroup.c: the cgroup side of create. */
bool has_cgroup_mount(const struct hr_spec *spec);
int apply_resources(struct hr_cgroup *cg, const struct hr_spec *spec, struct hr_err **err);
int check_no_cgroup(const struct hr_spec *spec, const struct hr_hardened *hard, const char *id, struct hr_err **err);
int record_cgroup(int dir_fd, const struct hr_cgroup *cg, const char *path, struct hr_err **err);

/* container_delete.c: the host-side mount record of a container without a mount namespace. */
int host_mounts_record(int dir_fd, const char *rootfs, struct hr_err **err);
void host_mounts_undo(int dir_fd, const char *id);

#endif
