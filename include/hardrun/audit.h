/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `hardrun audit`: which OWASP CSVS V3 controls (3.1–3.15) and which
 * hardening rules of the requirement documents hold for one container.
 * The runtime gathers *facts* (for a running container from the kernel:
 * /proc/PID/…, its cgroup files, its rootfs; for a bundle from config.json)
 * into struct hr_audit_facts; everything here is pure: parsing the kernel's
 * text formats into facts, evaluating facts into one row per control, the
 * exit rule and the text/JSON renderers.  No kernel calls, no printing
 * except into the FILE a renderer is given.
 */
#ifndef HARDRUN_AUDIT_H
#define HARDRUN_AUDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "hardrun/error.h"
#include "hardrun/spec.h"

#define HR_AUDIT_LEVEL_MIN 1
#define HR_AUDIT_LEVEL_MAX 3
#define HR_AUDIT_LEVEL_DEFAULT 2
/* A limit of "max" (v2), the v1 page-rounded INT64_MAX, or an unset config value. */
#define HR_AUDIT_UNLIMITED UINT64_MAX

enum hr_audit_status {
	HR_AUDIT_PASS = 0,
	HR_AUDIT_FAIL, /* violated, and the control is required at the chosen level */
	HR_AUDIT_WARN, /* violated but not required at this level, or worth a look */
	HR_AUDIT_NA,   /* not decidable by a runtime, or the fact could not be read */
};

/* "PASS", "FAIL", "WARN", "N/A". */
const char *hr_audit_status_name(enum hr_audit_status s);

/*
 * One fact as evidence quotes it: "<name>: <text> in <src>", e.g.
 * "NoNewPrivs: 0 in /proc/42/status" or "process.noNewPrivileges: false in
 * config.json".  present is false when the fact could not be read; then
 * text holds why (e.g. "no such file").  num is the parsed value.
 */
struct hr_audit_value {
	bool present;
	char *name;
	char *text;
	char *src;
	uint64_t num;
};

struct hr_audit_mount {
	char *target; /* as the container sees it */
	char *root;   /* the path inside the mounted filesystem (a bind's source), "/" for whole ones */
	char *fstype;
	char *source;
	char *opts; /* per-mount options, "rw,nosuid,nodev,relatime" */
	bool ro, nosuid, nodev;
};

/* One entry of the policy engine's decisions.json. */
struct hr_audit_decision {
	char *control; /* "3.5" */
	char *action;  /* kept, tightened, added, refused */
	char *detail;
};

/* Namespaces whose sharing with the host the audit reports. */
enum hr_audit_ns { HR_AUDIT_NS_PID = 0, HR_AUDIT_NS_NET, HR_AUDIT_NS_IPC, HR_AUDIT_NS_UTS, HR_AUDIT_NS_COUNT };

struct hr_audit_facts {
	char *subject; /* the container id, or the bundle directory */
	bool kernel;   /* gathered from the kernel (running container), else from config.json */
	pid_t pid;

	/* /proc/PID/status, or process.* in the config */
	struct hr_audit_value cap_eff, cap_prm, cap_bnd, cap_inh, cap_amb; /* num: bit mask */
	struct hr_audit_value no_new_privs;				   /* num: 0/1 */
	struct hr_audit_value seccomp;					   /* num: 0 off, 1 strict, 2 filter */
	struct hr_audit_value seccomp_filters;				   /* num: count; optional */
	struct hr_audit_value uid;					   /* num: effective uid as src shows it */

	/* user namespace: userns.num is 1 when the container has its own */
	struct hr_audit_value userns;
	struct hr_audit_value uid_map; /* text: the mapping lines joined by ", " */
	struct hr_idmap *uid_maps;
	size_t n_uid_maps;

	/* the container's mount table; the last mount at "/" is its rootfs */
	bool has_mounts;
	char *mounts_src; /* "/proc/42/mountinfo" or "config.json" */
	struct hr_audit_mount *mounts;
	size_t n_mounts;
	struct hr_audit_value rootfs_ro; /* bundle: root.readonly; kernel: derived from mounts when not set */

	/* LSM label: text is the label, num 1 when the process is confined */
	struct hr_audit_value lsm;

	/* num 1 when the namespace is the host's (the auditing process's) */
	struct hr_audit_value ns[HR_AUDIT_NS_COUNT];

	/* cgroup: limits as the files say; num HR_AUDIT_UNLIMITED for none */
	struct hr_audit_value mem_limit;
	struct hr_audit_value swap_limit; /* v1: memory+swap (memsw); v2: swap alone (memory.swap.max) */
	bool swap_is_v2;
	struct hr_audit_value pids_max;
	struct hr_audit_value cpu_quota;  /* HR_AUDIT_UNLIMITED for no quota */
	struct hr_audit_value cpu_weight; /* cpu.shares (v1, default 1024) / cpu.weight (v2, default 100) */
	bool cpu_is_v2;

	/* setuid/setgid regular files in the rootfs: "path (mode)" each */
	struct hr_audit_value setuid_scan; /* num: entries scanned; text says where */
	char **setuid_files;		   /* NULL-terminated, may be NULL */
	bool setuid_truncated;		   /* the scan stopped at its bound */

	/* remote-access daemons among the processes: "comm `sshd` of pid 7" each */
	struct hr_audit_value procs; /* num: processes looked at */
	char **daemons;

	/* environment variable NAMES of the init that look like secrets; never values */
	struct hr_audit_value env; /* num: variables looked at */
	char **secret_names;

	/* the policy engine's record (state dir files decisions.json and tainted) */
	struct hr_audit_decision *decisions;
	size_t n_decisions;
	struct hr_audit_value tainted; /* num 1 when tainted; text "exec of `sh` at <time>" */
};

void hr_audit_facts_free(struct hr_audit_facts *f);
/* Set v (freeing what it held): present, with name, text, src copied. */
void hr_audit_value_set(struct hr_audit_value *v, const char *name, const char *text, const char *src, uint64_t num);
/* Set v to absent: name and src copied, text says why. */
void hr_audit_value_absent(struct hr_audit_value *v, const char *name, const char *why, const char *src);

/* --- the CSVS table --- */

struct hr_audit_verdict;
typedef void (*hr_audit_eval_fn)(const struct hr_audit_facts *f, struct hr_audit_verdict *v);

struct hr_csvs_control {
	const char *id;	   /* "3.1" … "3.15", or a hardening rule: "lsm", "nosuid", "setuid", … */
	int level;	   /* lowest CSVS level that requires it (1, 2 or 3) */
	const char *title; /* short English text */
	const char *check; /* what hardrun checks, for the man page and --help */
	hr_audit_eval_fn eval;
};

/* The table, in report order: CSVS 3.1–3.15, then the hardening rules. */
const struct hr_csvs_control *hr_csvs_table(size_t *n);
/* The control with this id, or NULL. */
const struct hr_csvs_control *hr_csvs_find(const char *id);
/*
 * The row a policy decision's control belongs to: its own id, or the row
 * for the names DESIGN.md uses ("AppArmor" and "SELinux" → lsm, "DoS" →
 * memory); NULL when none.
 */
const struct hr_csvs_control *hr_csvs_for_decision(const char *control);

/* --- evaluation and report --- */

struct hr_audit_row {
	const struct hr_csvs_control *ctl;
	enum hr_audit_status status;
	char *evidence;
};

struct hr_audit_report {
	char *subject;
	int level;
	bool pass; /* the exit rule: no control required at level has status FAIL */
	struct hr_audit_row *rows;
	size_t n_rows;
	/* decisions of the policy engine for no row of the table: "control action: detail" */
	char **other_decisions;
};

/*
 * Evaluate every control of the table against f (borrowed) at level
 * (1..3): a violation is FAIL when the control is required at level and
 * WARN when it is not; facts that could not be read give N/A.  Decisions
 * of the policy engine for a control are appended to its evidence; those
 * for no row go to other_decisions, so none is dropped.
 * Returns a new report (free with hr_audit_report_free), or NULL with *err
 * (errnum 0) for a level outside 1..3, the only failure.
 */
struct hr_audit_report *hr_audit_evaluate(const struct hr_audit_facts *f, int level, struct hr_err **err);
void hr_audit_report_free(struct hr_audit_report *r);

/* One row per control, aligned columns, headed by a summary line; other decisions as "policy: …" lines last. */
void hr_audit_render_text(const struct hr_audit_report *r, FILE *out);
/*
 * {"id":…, "level":N, "pass":bool, "controls":[{"control","level","title",
 * "status","evidence"}…]} with keys in this order, plus "decisions":
 * ["control action: detail"…] when other_decisions is not empty; indented,
 * one newline at the end.  Returns a new string.
 */
char *hr_audit_render_json(const struct hr_audit_report *r);

/* --- parsers of the kernel's text (pure; buf need not be NUL-terminated) --- */

/*
 * /proc/PID/status: CapInh/CapPrm/CapEff/CapBnd/CapAmb, NoNewPrivs,
 * Seccomp, Seccomp_filters and Uid into f, with src as the file name for
 * evidence.  A missing line leaves that value absent; a malformed one is an
 * error "`src`: `Key`: malformed value".
 */
int hr_audit_parse_status(const char *buf, size_t len, const char *src, struct hr_audit_facts *f, struct hr_err **err);
/* /proc/PID/uid_map into f->uid_maps and f->uid_map ("0 100000 65536" lines joined by ", "). */
int hr_audit_parse_uid_map(const char *buf, size_t len, const char *src, struct hr_audit_facts *f, struct hr_err **err);
/* /proc/PID/mountinfo into f->mounts (octal escapes undone). */
int hr_audit_parse_mountinfo(const char *buf, size_t len, const char *src, struct hr_audit_facts *f,
			     struct hr_err **err);
/*
 * /proc/PID/environ (NUL-separated NAME=value): counts the variables and
 * keeps the names that match a secret pattern (hr_audit_secret_name).
 * Values are never copied.
 */
void hr_audit_parse_environ(const char *buf, size_t len, const char *src, struct hr_audit_facts *f);
/* Whether an environment variable name looks like it holds a secret (PASSWORD, TOKEN, API_KEY, …). */
bool hr_audit_secret_name(const char *name, size_t len);
/* Whether a process name (comm) is a remote-administration daemon (sshd, dropbear, xrdp, …). */
bool hr_audit_remote_daemon(const char *comm);
/* Whether a path's last component is a container-engine socket (docker.sock, containerd.sock, …). */
bool hr_audit_engine_socket(const char *path);
/*
 * decisions.json of the state dir: a JSON array of {"control","action",
 * "detail"}, action one of kept|tightened|added|refused.  Errors name the
 * element: "decisions.json: [1].action: expected kept, tightened, added or
 * refused".  The file's decisions are added to f->decisions; on failure
 * none of them is.
 */
int hr_audit_parse_decisions(const char *buf, size_t len, struct hr_audit_facts *f, struct hr_err **err);
/* tainted of the state dir: {"time":"RFC3339","argv0":"…"}; sets f->tainted. */
int hr_audit_parse_tainted(const char *buf, size_t len, struct hr_audit_facts *f, struct hr_err **err);

/*
 * Facts of a bundle from its parsed config (borrowed): capabilities, no new
 * privileges, seccomp, user, namespaces and mappings, root.readonly,
 * mounts, LSM labels, resources, process.args[0] and env names.  The
 * rootfs scan for setuid files and the state-dir files are the runtime's.
 */
void hr_audit_facts_from_spec(const struct hr_spec *spec, const char *bundle, struct hr_audit_facts *f);

#endif
