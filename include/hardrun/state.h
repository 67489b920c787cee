/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The per-container state file (state.json in <root>/<id>/): what hardrun
 * needs to find the container again (pid and its start time against pid
 * reuse, bundle, cgroup path, namespaces) plus the OCI state fields.
 * Serialisation only; reading and writing files atomically is the
 * runtime's job.  No kernel calls.
 */
#ifndef HARDRUN_STATE_H
#define HARDRUN_STATE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "hardrun/error.h"
#include "hardrun/spec.h"

#define HR_STATE_OWNER "hardrun"

enum hr_status {
	HR_STATUS_CREATING = 0,
	HR_STATUS_CREATED,
	HR_STATUS_RUNNING,
	HR_STATUS_PAUSED,
	HR_STATUS_STOPPED,
};

const char *hr_status_name(enum hr_status s);

struct hr_state {
	char *oci_version;
	char *id;
	pid_t pid;
	uint64_t pid_start; /* field 22 of /proc/PID/stat, against pid reuse */
	char *bundle;	    /* absolute */
	char *rootfs;	    /* absolute */
	char *created;	    /* RFC3339 */
	char *cgroup_path;  /* resolved cgroupsPath, "" when none */
	bool userns;	    /* the container has its own user namespace */
	struct hr_kv *annotations;
	size_t n_annotations;
};

/* Serialise to JSON text; returns a new string. */
char *hr_state_to_json(const struct hr_state *st);

/*
 * Parse state.json text.  Messages read "state.json: <field>: <reason>".
 * A file without owner "hardrun" is refused with errnum ENOENT, so a
 * --root shared with runc never mistakes runc's containers for ours.
 */
int hr_state_parse_buf(const char *buf, size_t len, struct hr_state **out, struct hr_err **err);

/*
 * The runtime-spec state JSON printed by `hardrun state`: ociVersion, id,
 * status, pid (when created/running/paused), bundle, annotations; plus
 * rootfs, created and owner as runc prints them.  pretty indents it (the
 * `state` command); hooks get one compact line.  Returns a new string.
 */
char *hr_state_oci_json(const struct hr_state *st, enum hr_status status, bool pretty);

void hr_state_free(struct hr_state *st);

#endif
