/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Internal to src/runtime: the launcher's pieces shared by supervise.c,
 * logdrv.c, lifecycle_events.c, stats.c and exec.c.  A supervised
 * container NAME keeps, beside its ordinary state dir (which comes and goes
 * with each run), a launch dir <root>/.launch/NAME that outlives the runs:
 * `lock` (held by the supervisor for its whole life), `supervisor.pid`,
 * `events.jsonl`, `container.log[.N]` (json-file) and `config.json` (the
 * tightened config of the last run).  A name starting with '.' is never a
 * container id, so `list` and runc's readers skip it.
 */
#ifndef HARDRUN_RUNTIME_LAUNCH_INT_H
#define HARDRUN_RUNTIME_LAUNCH_INT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "hardrun/error.h"
#include "hardrun/launch.h"

#define HR_LAUNCH_DIR ".launch"
#define HR_LAUNCH_EVENTS "events.jsonl"
#define HR_LAUNCH_LOG "container.log"
#define HR_LAUNCH_LOCK "lock"
#define HR_LAUNCH_PID "supervisor.pid"

/* Open <root>/.launch/name (creating it and its parent, mode 0700, when create); returns a dir fd. */
int hr_launchdir_open(const char *root, const char *name, bool create, struct hr_err **err);
/* Whether a supervisor holds the lock of the launch dir; *pid gets its pid when known (else 0). */
bool hr_launchdir_supervised(int dir_fd, pid_t *pid);
/* Remove the launch dir of name (logs, events) unless a supervisor holds it; problems are logged. */
void hr_launchdir_remove(const char *root, const char *name);
/* Monotonic milliseconds. */
uint64_t hr_now_ms(void);
/* Realtime nanoseconds since the epoch. */
uint64_t hr_now_ns(void);

/* The log driver of one supervision: json-file in the launch dir, or syslog datagrams. */
struct hr_logdrv {
	const struct hr_log_opts *o; /* borrowed */
	const char *tag;	     /* borrowed: o->tag or the name */
	int dir_fd;		     /* borrowed */
	int fd;			     /* json-file: the current file */
	uint64_t size;
	int sock; /* syslog: connected datagram socket */
	char *pending[2];
	size_t plen[2];
};

/* Open the sink (truncating an older json-file log).  Errors name the file or socket. */
int hr_logdrv_open(struct hr_logdrv *d, int dir_fd, const struct hr_log_opts *o, const char *name, struct hr_err **err);
/* Bytes the workload wrote on stream 1 (stdout) or 2 (stderr); complete lines are written, the rest waits. */
void hr_logdrv_feed(struct hr_logdrv *d, int stream, const char *buf, size_t n);
/* Write what is pending of both streams as lines (at the end of a run). */
void hr_logdrv_flush(struct hr_logdrv *d);
void hr_logdrv_close(struct hr_logdrv *d);
/* The syslog socket of address (NULL: /dev/log), connected; -1 with *err. */
int hr_syslog_connect(const char *address, struct hr_err **err);

/* `logs NAME`: the json-file log's text, stdout lines to out and stderr lines to errout. */
int hr_launch_logs(const char *root, const char *name, long tail, uint64_t since_ns, bool follow, FILE *out,
		   FILE *errout, struct hr_err **err);

/* Lifecycle events of one supervision. */
struct hr_levents {
	const char *name; /* borrowed */
	int fd;		  /* events.jsonl, O_APPEND */
	int syslog_fd;	  /* or -1 when no syslog is reachable */
	int facility;
	const char *notify_prog; /* borrowed, or NULL */
	unsigned notify_mask;
};

int hr_levents_open(struct hr_levents *ev, int dir_fd, const char *name, const char *syslog_address, int facility,
		    struct hr_err **err);
/*
 * Record one event (fields are stolen, may be NULL): a line in
 * events.jsonl, a syslog datagram, and PROG with the line on stdin when
 * its kind is in notify_mask (waited for, at most 10 s).  Failures are
 * logged as warnings: an event sink never stops the service.
 */
void hr_levent_emit(struct hr_levents *ev, enum hr_event_kind k, json_t *fields);
void hr_levents_close(struct hr_levents *ev);
/* Append one event to the event log of a supervised container `name`, if it has one (exec's `tainted`). */
void hr_levent_record(const char *root, const char *name, enum hr_event_kind k, json_t *fields);
/* `events --log NAME [-f]`: print the event lines; with follow, until the supervisor is gone. */
int hr_launch_events(const char *root, const char *name, bool follow, FILE *out, struct hr_err **err);

#endif
