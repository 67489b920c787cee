/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The sysadmin's launcher, its pure half: parsing of the docker-like `run`
 * flags (sizes, durations, --restart, --ulimit, --volume, --log-opt), the
 * tightening of a config.json by those flags, the config made on the fly for
 * `--rootfs DIR -- CMD…`, and the record formats the supervisor writes
 * (json-file log lines, syslog datagrams, lifecycle events).  No kernel
 * calls: everything here runs in unit tests without root.  The supervisor
 * that uses it is src/runtime/supervise.c.
 */
#ifndef HARDRUN_LAUNCH_H
#define HARDRUN_LAUNCH_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hardrun/error.h"

/* Restarts for `always` (and `on-failure`) when no N is given, and the ceiling when the policy gives none. */
#define HR_RESTART_DEFAULT_MAX 10U

enum hr_restart_mode {
	HR_RESTART_NO = 0,
	HR_RESTART_ON_FAILURE,
	HR_RESTART_ALWAYS,
};

struct hr_restart {
	enum hr_restart_mode mode;
	unsigned max; /* restarts allowed after the first run; 0 with mode NO */
};

/*
 * Parse --restart: "no", "on-failure[:N]", "always[:N]".  Without N, max is
 * min(HR_RESTART_DEFAULT_MAX, ceiling).  N above ceiling (the hardening
 * policy's restart cap; HR_RESTART_DEFAULT_MAX when it has none) is refused:
 * "--restart: `always:50` exceeds the restart cap of 10".  Errnum 0.
 */
int hr_restart_parse(const char *s, unsigned ceiling, struct hr_restart *out, struct hr_err **err);

/* Whether a run that ended with exit status status is restarted after `done` restarts so far. */
bool hr_restart_wanted(const struct hr_restart *r, int status, unsigned done);

/* Back-off before restart number n (1-based): start_ms * 2^(n-1), never above max_ms. */
uint64_t hr_backoff_ms(unsigned n, uint64_t start_ms, uint64_t max_ms);

/* "512m", "1g", "100k", "4096", "10b" (1024-based, as docker) into bytes; 0 or -1. */
int hr_parse_size(const char *s, uint64_t *out);
/* "250ms", "2s", "1m", "1h" or whole seconds "5" into milliseconds; 0 or -1. */
int hr_parse_duration_ms(const char *s, uint64_t *out);
/*
 * --since: an RFC3339 time ("2026-12-01T08:00:00Z", fraction allowed), Unix
 * seconds, or a duration back from now_ns ("10m").  *out is ns since the epoch.
 */
int hr_parse_since(const char *s, uint64_t now_ns, uint64_t *out);
/* An RFC3339 UTC time as hardrun writes it into ns since the epoch; 0 or -1. */
int hr_parse_rfc3339(const char *s, uint64_t *out);

/* The docker-like flags that tighten a bundle. */
struct hr_launch_opts {
	bool has_memory, has_memory_swap, has_cpus, has_cpu_shares, has_pids;
	uint64_t memory;      /* bytes */
	uint64_t memory_swap; /* memory + swap, bytes, as docker and OCI count it */
	uint64_t cpus_milli;  /* --cpus 1.5 → 1500 */
	uint64_t cpu_shares;
	int64_t pids;
	char **ulimits; /* "nofile=1024[:2048]" */
	char **cap_drop;
	char **cap_add;
	bool read_only;
	const char *user; /* "UID[:GID]" */
	char **env;	  /* "KEY=VALUE" */
	char **volumes;	  /* "SRC:DST[:ro|rw]" */
	char **tmpfs;	  /* "DST[:size=64m,mode=1777]" */
	const char *hostname;
	json_t *seccomp; /* an OCI linux.seccomp object (borrowed), or NULL */
};

/*
 * Apply o to config (a parsed config.json, modified in place).  Flags only
 * tighten: a limit looser than the bundle's, --cap-add of a capability the
 * bundle's bounding set lacks, --user 0 for a bundle that runs as another
 * uid, a tmpfs option that loosens (exec, suid, dev), --hostname without a
 * UTS namespace and --seccomp-profile for a bundle with its own filter are
 * refused, with errnum 0 and the flag and value named, e.g.
 * "--memory `1g`: looser than the bundle's linux.resources.memory.limit (268435456)".
 * --memory without --memory-swap gives no swap (swap = memory).  On failure
 * config may be partly changed; the caller drops it.
 */
int hr_launch_tighten(json_t *config, const struct hr_launch_opts *o, struct hr_err **err);

/*
 * The config for `run --rootfs DIR -- CMD…`: `hardrun spec`'s default with
 * root.path = rootfs (absolute, borrowed), process.args = argv (non-empty),
 * no terminal.  Returns a new reference.
 */
json_t *hr_launch_rootfs_config(const char *rootfs, char *const *argv);

/* --log-driver and --log-opt. */
enum hr_log_driver {
	HR_LOGDRV_INHERIT = 0, /* no --log-driver: the workload keeps hardrun's stdio */
	HR_LOGDRV_NONE,
	HR_LOGDRV_JSON_FILE,
	HR_LOGDRV_SYSLOG,
};

struct hr_log_opts {
	enum hr_log_driver driver;
	uint64_t max_size; /* json-file: rotate when a file would exceed it; 0 = never (the CLI defaults to 10 MiB) */
	unsigned max_file; /* json-file: files kept, current included (the CLI defaults to 3) */
	char *tag;	   /* syslog tag; default the container name */
	int facility;	   /* syslog facility code (LOG_DAEMON >> 3 = 3 by default) */
	char *address;	   /* syslog: a unix datagram socket path; default /dev/log */
};

int hr_log_driver_parse(const char *s, enum hr_log_driver *out, struct hr_err **err);
/* One --log-opt value, "k=v[,k=v…]", into o; unknown keys and bad values are refused naming them. */
int hr_log_opts_parse(const char *s, struct hr_log_opts *o, struct hr_err **err);
void hr_log_opts_free(struct hr_log_opts *o);
/* Syslog facility by name ("daemon", "local3", …); -1 when unknown. */
int hr_syslog_facility(const char *name);

/* One docker json-file line, newline included: {"log":"…","stream":"stdout","time":"…"}\n.  New string. */
char *hr_logline_json(const char *stream, const char *data, size_t len, const char *time_rfc3339);
/*
 * One syslog datagram as /dev/log takes it (RFC 3164 with the local
 * form): "<PRI>Mmm dd hh:mm:ss TAG[PID]: MSG", PRI = facility*8 + severity
 * (6 for stdout, 3 for stderr).  tm_utc is the time to print.  New string.
 */
char *hr_syslog_line(int facility, int severity, long epoch_s, const char *tag, int pid, const char *msg, size_t len);

/* Lifecycle event kinds, one bit each for --notify-on. */
enum hr_event_kind {
	HR_EV_CREATE = 0,
	HR_EV_START,
	HR_EV_EXIT,
	HR_EV_OOM,
	HR_EV_RESTART,
	HR_EV_GIVE_UP,
	HR_EV_TAINTED,
	HR_EV_REFUSED,
	HR_EV_LIMIT,
	HR_EV_COUNT,
};

const char *hr_event_kind_name(enum hr_event_kind k);
/* --notify-on "exit,oom,restart" (or "all") into a bit mask; unknown kinds refused by name. */
int hr_event_mask_parse(const char *s, unsigned *mask, struct hr_err **err);
/*
 * One event line without the newline: {"time":…,"name":…,"type":…} followed
 * by the keys of fields (may be NULL; borrowed) in their order.  New string.
 */
char *hr_event_json(enum hr_event_kind k, const char *name, const char *time_rfc3339, json_t *fields);

/*
 * A threshold that fires once per crossing: hr_alert_check returns true
 * when pct reaches threshold while armed, and disarms; it re-arms when pct
 * drops below the threshold again.
 */
struct hr_alert {
	double threshold; /* percent; 0 = off */
	bool fired;
};
bool hr_alert_check(struct hr_alert *a, double pct);

#endif
