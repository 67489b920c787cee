/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The D-Bus half of the systemd cgroup driver, over sd-bus from libsystemd
 * (as crun does): StartTransientUnit for the container's scope, StopUnit and
 * ResetFailedUnit on delete, SetUnitProperties on update, each waiting a
 * bounded time for its job's JobRemoved signal, whose match is installed
 * before the call so the signal cannot be missed.  One short-lived
 * connection per operation: the system bus, else (as root, like go-systemd)
 * systemd's private socket, which needs no dbus-daemon.  It never writes
 * cgroup files (cgroup.c does) and never adopts a unit it did not create.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-bus.h>
#include <time.h>

#include "hardrun/log.h"
#include "hardrun/strutil.h"
#include "hardrun/systemd.h"

#define SD_DEST "org.freedesktop.systemd1"
#define SD_PATH "/org/freedesktop/systemd1"
#define SD_MANAGER "org.freedesktop.systemd1.Manager"
#define SD_PRIVATE "unix:path=/run/systemd/private"
#define SD_SYSTEM_BUS "unix:path=/run/dbus/system_bus_socket"
#define JOB_TIMEOUT_USEC (30ULL * 1000 * 1000)
#define MAX_JOBS_SEEN 64

static void bus_closep(sd_bus **b)
{
	if (*b)
		sd_bus_flush_close_unref(*b);
}
static void msg_unrefp(sd_bus_message **m)
{
	if (*m)
		sd_bus_message_unref(*m);
}
static void slot_unrefp(sd_bus_slot **s)
{
	if (*s)
		sd_bus_slot_unref(*s);
}
#define cleanup_bus __attribute__((cleanup(bus_closep)))
#define cleanup_msg __attribute__((cleanup(msg_unrefp)))
#define cleanup_slot __attribute__((cleanup(slot_unrefp)))

struct sd_conn {
	sd_bus *bus;
	bool direct; /* systemd's private socket: no bus daemon, no sender names */
};

/* The JobRemoved signals seen so far: the reply naming our job may come after its signal. */
struct jobs_seen {
	char *path[MAX_JOBS_SEEN];
	char *result[MAX_JOBS_SEEN];
	size_t n;
};

static void jobs_clear(struct jobs_seen *j)
{
	for (size_t i = 0; i < j->n; i++) {
		free(j->path[i]);
		free(j->result[i]);
	}
	j->n = 0;
}

static int on_job_removed(sd_bus_message *m, void *userdata, sd_bus_error *ret_error)
{
	struct jobs_seen *j = userdata;
	const char *path = NULL, *unit = NULL, *result = NULL;
	uint32_t id = 0;

	(void)ret_error;
	if (sd_bus_message_read(m, "uoss", &id, &path, &unit, &result) < 0 || j->n == MAX_JOBS_SEEN)
		return 0;
	j->path[j->n] = xstrdup(path);
	j->result[j->n] = xstrdup(result);
	j->n++;
	return 0;
}

static const char *system_bus_address(void)
{
	const char *a = getenv("DBUS_SYSTEM_BUS_ADDRESS");

	return a && *a ? a : SD_SYSTEM_BUS;
}

/* call names the D-Bus method the connection is for, so the error says which call systemd could not take. */
static int conn_open(struct sd_conn *c, const char *call, const char *unit, struct hr_err **err)
{
	sd_bus *b = NULL;
	int r;

	c->bus = NULL;
	c->direct = false;
	r = sd_bus_open_system(&b);
	if (r >= 0) {
		c->bus = b;
		return 0;
	}
	/* root reaches systemd without a dbus-daemon on its private socket, as go-systemd falls back */
	if (sd_bus_new(&b) >= 0 && sd_bus_set_address(b, SD_PRIVATE) >= 0 && sd_bus_start(b) >= 0) {
		c->bus = b;
		c->direct = true;
		return 0;
	}
	if (b)
		sd_bus_unref(b);
	return hr_fail(err, -r,
		       "systemd cgroup driver: %s `%s`: systemd is not reachable: cannot connect to the system bus "
		       "`%s` nor to `%s`",
		       call, unit, system_bus_address(), SD_PRIVATE);
}

static void conn_close(struct sd_conn *c)
{
	bus_closep(&c->bus);
	c->bus = NULL;
}

/* An error reply as one line; "systemd is not reachable" when nothing on the bus answers as systemd. */
static int call_fail(struct hr_err **err, const sd_bus_error *e, int r, const char *call, const char *unit)
{
	if (sd_bus_error_has_names(e, SD_BUS_ERROR_SERVICE_UNKNOWN, SD_BUS_ERROR_NAME_HAS_NO_OWNER,
				   SD_BUS_ERROR_NO_REPLY, SD_BUS_ERROR_DISCONNECTED) ||
	    (!sd_bus_error_is_set(e) && (r == -ECONNREFUSED || r == -ENOENT || r == -ECONNRESET || r == -ENOTCONN)))
		return hr_fail(err, 0, "systemd cgroup driver: %s `%s`: systemd is not reachable: %s", call, unit,
			       sd_bus_error_is_set(e) && e->message ? e->message : strerror(-r));
	if (sd_bus_error_is_set(e))
		return hr_fail(err, 0, "systemd cgroup driver: %s `%s`: %s (%s)", call, unit,
			       e->message ? e->message : "", e->name);
	return hr_fail(err, -r, "systemd cgroup driver: %s `%s`", call, unit);
}

static int new_call(struct sd_conn *c, const char *method, sd_bus_message **m, const char *unit, struct hr_err **err)
{
	int r = sd_bus_message_new_method_call(c->bus, m, SD_DEST, SD_PATH, SD_MANAGER, method);

	if (r < 0)
		return hr_fail(err, -r, "systemd cgroup driver: %s `%s`: build message", method, unit);
	return 0;
}

static int match_jobs(struct sd_conn *c, sd_bus_slot **slot, struct jobs_seen *j, const char *unit, struct hr_err **err)
{
	/* on the bus only systemd itself may end our job; the private socket has no sender names */
	int r = sd_bus_match_signal(c->bus, slot, c->direct ? NULL : SD_DEST, SD_PATH, SD_MANAGER, "JobRemoved",
				    on_job_removed, j);

	if (r < 0)
		return hr_fail(err, -r, "systemd cgroup driver: AddMatch JobRemoved for `%s`", unit);
	return 0;
}

static uint64_t now_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000ULL + (uint64_t)ts.tv_nsec / 1000;
}

/* Wait for JobRemoved of job; *result is a new string ("done", "failed", "timeout"…). */
static int wait_job(struct sd_conn *c, struct jobs_seen *j, const char *job, const char *what, const char *unit,
		    char **result, struct hr_err **err)
{
	uint64_t deadline = now_usec() + JOB_TIMEOUT_USEC;

	for (;;) {
		uint64_t t;
		int r;

		for (size_t i = 0; i < j->n; i++) {
			if (strcmp(j->path[i], job) == 0) {
				*result = xstrdup(j->result[i]);
				return 0;
			}
		}
		r = sd_bus_process(c->bus, NULL);
		if (r < 0)
			return hr_fail(err, -r, "systemd cgroup driver: %s `%s`: wait for job `%s`", what, unit, job);
		if (r > 0)
			continue;
		t = now_usec();
		if (t >= deadline)
			return hr_fail(err, ETIMEDOUT, "systemd cgroup driver: %s `%s`: job `%s` did not finish", what,
				       unit, job);
		r = sd_bus_wait(c->bus, deadline - t);
		if (r < 0 && r != -EINTR)
			return hr_fail(err, -r, "systemd cgroup driver: %s `%s`: wait for job `%s`", what, unit, job);
	}
}

static int append_prop(sd_bus_message *m, const char *name, const char *sig, ...)
{
	va_list ap;
	int r;

	r = sd_bus_message_open_container(m, 'r', "sv");
	if (r >= 0)
		r = sd_bus_message_append(m, "s", name);
	if (r >= 0)
		r = sd_bus_message_open_container(m, 'v', sig);
	if (r >= 0) {
		va_start(ap, sig);
		r = sd_bus_message_appendv(m, sig, ap);
		va_end(ap);
	}
	if (r >= 0)
		r = sd_bus_message_close_container(m);
	if (r >= 0)
		r = sd_bus_message_close_container(m);
	return r;
}

static int append_mask(sd_bus_message *m, const char *name, const char *list, const char *what, struct hr_err **err)
{
	cleanup_free uint8_t *mask = NULL;
	size_t len = 0;
	int r;

	if (hr_sd_cpuset_mask(list, what, &mask, &len, err) < 0)
		return -1;
	r = sd_bus_message_open_container(m, 'r', "sv");
	if (r >= 0)
		r = sd_bus_message_append(m, "s", name);
	if (r >= 0)
		r = sd_bus_message_open_container(m, 'v', "ay");
	if (r >= 0)
		r = sd_bus_message_append_array(m, 'y', mask ? mask : (const uint8_t *)"", len);
	if (r >= 0)
		r = sd_bus_message_close_container(m);
	if (r >= 0)
		r = sd_bus_message_close_container(m);
	if (r < 0)
		return hr_fail(err, -r, "systemd cgroup driver: append `%s`", name);
	return 0;
}

/* runc's conversion: systemd takes the quota per second, in steps of 10 ms. */
static uint64_t quota_per_sec(int64_t quota, uint64_t period)
{
	uint64_t q;

	if (period == 0)
		period = 100000;
	q = (uint64_t)quota * 1000000ULL / period;
	if (q % 10000 != 0)
		q = (q / 10000 + 1) * 10000;
	return q;
}

static uint64_t clamp_weight(uint64_t shares)
{
	if (shares < 2)
		shares = 2;
	if (shares > 262144)
		shares = 262144;
	return 1 + ((shares - 2) * 9999) / 262142;
}

/*
 * The properties systemd has for res.  Values the cgroup writers would
 * refuse (swap below the limit…) are left out here: the writers report
 * them with the config field named.
 */
static int append_resources(sd_bus_message *m, const struct hr_resources *res, bool unified, size_t *count,
			    struct hr_err **err)
{
	const struct hr_memory *mem = &res->memory;
	const struct hr_cpu *cpu = &res->cpu;
	int r = 0;

	*count = 0;
#define PROP(...)                                                                                                      \
	do {                                                                                                           \
		if (r >= 0) {                                                                                          \
			r = append_prop(m, __VA_ARGS__);                                                               \
			(*count)++;                                                                                    \
		}                                                                                                      \
	} while (0)
	if (res->has_memory) {
		int64_t limit = mem->has_limit ? mem->limit : 0;

		if (limit > 0 || limit == -1)
			PROP(unified ? "MemoryMax" : "MemoryLimit", "t", limit > 0 ? (uint64_t)limit : UINT64_MAX);
		if (unified && mem->has_reservation && mem->reservation > 0)
			PROP("MemoryLow", "t", (uint64_t)mem->reservation);
		if (unified && mem->has_swap && mem->swap == -1)
			PROP("MemorySwapMax", "t", UINT64_MAX);
		else if (unified && mem->has_swap && mem->swap > 0 && limit > 0 && mem->swap >= limit)
			PROP("MemorySwapMax", "t", (uint64_t)(mem->swap - limit));
	}
	if (res->has_pids && res->pids_limit != 0)
		PROP("TasksMax", "t", res->pids_limit > 0 ? (uint64_t)res->pids_limit : UINT64_MAX);
	if (res->has_cpu) {
		if (cpu->has_shares && cpu->shares != 0)
			PROP(unified ? "CPUWeight" : "CPUShares", "t",
			     unified ? clamp_weight(cpu->shares) : cpu->shares);
		if (cpu->has_quota && cpu->quota != 0)
			PROP("CPUQuotaPerSecUSec", "t",
			     cpu->quota > 0 ? quota_per_sec(cpu->quota, cpu->has_period ? cpu->period : 0)
					    : UINT64_MAX);
		if (unified && cpu->has_period && cpu->period != 0)
			PROP("CPUQuotaPeriodUSec", "t", cpu->period);
	}
	if (res->has_blkio && res->blkio.has_weight && res->blkio.weight != 0) {
		uint64_t w = res->blkio.weight < 10 ? 10 : res->blkio.weight > 1000 ? 1000 : res->blkio.weight;

		PROP(unified ? "IOWeight" : "BlockIOWeight", "t", unified ? 1 + ((w - 10) * 9999) / 990 : w);
	}
#undef PROP
	if (r < 0)
		return hr_fail(err, -r, "systemd cgroup driver: append resource properties");
	if (unified && res->has_cpu && res->cpu.cpus && res->cpu.cpus[0]) {
		if (append_mask(m, "AllowedCPUs", res->cpu.cpus, "linux.resources.cpu.cpus", err) < 0)
			return -1;
		(*count)++;
	}
	if (unified && res->has_cpu && res->cpu.mems && res->cpu.mems[0]) {
		if (append_mask(m, "AllowedMemoryNodes", res->cpu.mems, "linux.resources.cpu.mems", err) < 0)
			return -1;
		(*count)++;
	}
	return 0;
}

static int build_start(sd_bus_message *m, const struct hr_sd_unit *u, pid_t pid, const struct hr_resources *res,
		       bool unified, struct hr_err **err)
{
	cleanup_free char *desc = xasprintf("hardrun container %s", u->name);
	size_t count = 0;
	int r;

	r = sd_bus_message_append(m, "ss", u->name, "fail");
	if (r >= 0)
		r = sd_bus_message_open_container(m, 'a', "(sv)");
	if (r >= 0)
		r = append_prop(m, "Description", "s", desc);
	if (r >= 0 && u->is_slice)
		r = append_prop(m, "Wants", "as", 1, u->slice);
	if (r >= 0 && !u->is_slice)
		r = append_prop(m, "Slice", "s", u->slice);
	/* the container may manage its own sub-cgroups, and systemd must leave the limits hardrun writes alone */
	if (r >= 0 && !u->is_slice)
		r = append_prop(m, "Delegate", "b", 1);
	if (r >= 0 && !u->is_slice)
		r = append_prop(m, "PIDs", "au", 1, (uint32_t)pid);
	/* no ordering against shutdown.target & co: the container's engine owns its lifetime */
	if (r >= 0)
		r = append_prop(m, "DefaultDependencies", "b", 0);
	if (r >= 0)
		r = append_prop(m, "MemoryAccounting", "b", 1);
	if (r >= 0)
		r = append_prop(m, "CPUAccounting", "b", 1);
	if (r >= 0)
		r = append_prop(m, unified ? "IOAccounting" : "BlockIOAccounting", "b", 1);
	if (r >= 0)
		r = append_prop(m, "TasksAccounting", "b", 1);
	if (r < 0)
		return hr_fail(err, -r, "systemd cgroup driver: StartTransientUnit `%s`: build message", u->name);
	if (res && append_resources(m, res, unified, &count, err) < 0)
		return -1;
	r = sd_bus_message_close_container(m);
	if (r >= 0)
		r = sd_bus_message_append(m, "a(sa(sv))", 0);
	if (r < 0)
		return hr_fail(err, -r, "systemd cgroup driver: StartTransientUnit `%s`: build message", u->name);
	return 0;
}

static void reset_failed(struct sd_conn *c, const char *unit)
{
	sd_bus_error e = SD_BUS_ERROR_NULL;
	int r = sd_bus_call_method(c->bus, SD_DEST, SD_PATH, SD_MANAGER, "ResetFailedUnit", &e, NULL, "s", unit);

	if (r < 0 && !sd_bus_error_has_name(&e, "org.freedesktop.systemd1.NoSuchUnit"))
		hr_log_debug("systemd: ResetFailedUnit `%s`: %s", unit, e.message ? e.message : strerror(-r));
	sd_bus_error_free(&e);
}

/* One StartTransientUnit call; 1 when the name is taken (UnitExists), 0 with *job set, -1 on error. */
static int start_once(struct sd_conn *c, const struct hr_sd_unit *u, pid_t pid, const struct hr_resources *res,
		      bool unified, char **job, struct hr_err **err)
{
	cleanup_msg sd_bus_message *m = NULL;
	cleanup_msg sd_bus_message *reply = NULL;
	sd_bus_error e = SD_BUS_ERROR_NULL;
	const char *path = NULL;
	int r;

	if (new_call(c, "StartTransientUnit", &m, u->name, err) < 0 || build_start(m, u, pid, res, unified, err) < 0)
		return -1;
	r = sd_bus_call(c->bus, m, 0, &e, &reply);
	if (r < 0) {
		if (sd_bus_error_has_name(&e, "org.freedesktop.systemd1.UnitExists")) {
			sd_bus_error_free(&e);
			return 1;
		}
		call_fail(err, &e, r, "StartTransientUnit", u->name);
		sd_bus_error_free(&e);
		return -1;
	}
	r = sd_bus_message_read(reply, "o", &path);
	if (r < 0)
		return hr_fail(err, -r, "systemd cgroup driver: StartTransientUnit `%s`: read the job", u->name);
	*job = xstrdup(path);
	return 0;
}

int hr_sd_start_unit(const struct hr_sd_unit *u, pid_t pid, const struct hr_resources *res, bool unified, bool *asked,
		     struct hr_err **err)
{
	struct sd_conn c = {0};
	cleanup_slot sd_bus_slot *slot = NULL;
	struct jobs_seen jobs = {0};
	cleanup_free char *job = NULL;
	cleanup_free char *result = NULL;
	int r, ret = -1;

	if (conn_open(&c, "StartTransientUnit", u->name, err) < 0)
		return -1;
	if (match_jobs(&c, &slot, &jobs, u->name, err) < 0)
		goto out;
	*asked = true;
	r = start_once(&c, u, pid, res, unified, &job, err);
	if (r == 1) {
		/* a failed leftover of the same name goes away when reset; an active one stays and is refused */
		reset_failed(&c, u->name);
		r = start_once(&c, u, pid, res, unified, &job, err);
		if (r == 1) {
			/* someone else's unit: a rollback must not stop it (the VM suite caught that) */
			*asked = false;
			hr_fail(err, 0,
				"systemd cgroup driver: StartTransientUnit: systemd unit `%s` already exists; hardrun "
				"never joins a unit it did not create",
				u->name);
			goto out;
		}
	}
	if (r < 0)
		goto out;
	if (wait_job(&c, &jobs, job, "StartTransientUnit", u->name, &result, err) < 0) {
		reset_failed(&c, u->name);
		goto out;
	}
	if (strcmp(result, "done") != 0) {
		reset_failed(&c, u->name);
		hr_fail(err, 0,
			"systemd cgroup driver: StartTransientUnit `%s`: job finished with `%s` (see journalctl -u %s)",
			u->name, result, u->name);
		goto out;
	}
	hr_log_debug("systemd: started %s in %s (%s)", u->name, u->slice, u->path);
	ret = 0;
out:
	slot_unrefp(&slot);
	slot = NULL;
	jobs_clear(&jobs);
	conn_close(&c);
	return ret;
}

int hr_sd_stop_unit(const char *name, struct hr_err **err)
{
	struct sd_conn c = {0};
	cleanup_slot sd_bus_slot *slot = NULL;
	cleanup_msg sd_bus_message *reply = NULL;
	struct jobs_seen jobs = {0};
	sd_bus_error e = SD_BUS_ERROR_NULL;
	cleanup_free char *result = NULL;
	const char *job = NULL;
	int r, ret = -1;

	if (conn_open(&c, "StopUnit", name, err) < 0)
		return -1;
	if (match_jobs(&c, &slot, &jobs, name, err) < 0)
		goto out;
	r = sd_bus_call_method(c.bus, SD_DEST, SD_PATH, SD_MANAGER, "StopUnit", &e, &reply, "ss", name, "replace");
	if (r < 0) {
		if (sd_bus_error_has_name(&e, "org.freedesktop.systemd1.NoSuchUnit")) {
			/* gone already: a scope whose processes all died is collected by systemd */
			reset_failed(&c, name);
			ret = 0;
			goto out;
		}
		call_fail(err, &e, r, "StopUnit", name);
		goto out;
	}
	r = sd_bus_message_read(reply, "o", &job);
	if (r < 0) {
		hr_fail(err, -r, "systemd cgroup driver: StopUnit `%s`: read the job", name);
		goto out;
	}
	if (wait_job(&c, &jobs, job, "StopUnit", name, &result, err) < 0)
		goto out;
	if (!result || strcmp(result, "done") != 0)
		hr_log_warn("systemd: stop %s: job finished with `%s`", name, result ? result : "?");
	/* a unit stopped after its processes were killed may be left "failed": that state would block the name */
	reset_failed(&c, name);
	ret = 0;
out:
	sd_bus_error_free(&e);
	slot_unrefp(&slot);
	slot = NULL;
	jobs_clear(&jobs);
	conn_close(&c);
	return ret;
}

int hr_sd_set_resources(const char *name, const struct hr_resources *res, bool unified, struct hr_err **err)
{
	struct sd_conn c = {0};
	cleanup_msg sd_bus_message *m = NULL;
	cleanup_msg sd_bus_message *reply = NULL;
	sd_bus_error e = SD_BUS_ERROR_NULL;
	size_t count = 0;
	int r, ret = -1;

	if (conn_open(&c, "SetUnitProperties", name, err) < 0)
		return -1;
	if (new_call(&c, "SetUnitProperties", &m, name, err) < 0)
		goto out;
	r = sd_bus_message_append(m, "sb", name, 1);
	if (r >= 0)
		r = sd_bus_message_open_container(m, 'a', "(sv)");
	if (r < 0) {
		hr_fail(err, -r, "systemd cgroup driver: SetUnitProperties `%s`: build message", name);
		goto out;
	}
	if (append_resources(m, res, unified, &count, err) < 0)
		goto out;
	r = sd_bus_message_close_container(m);
	if (r < 0) {
		hr_fail(err, -r, "systemd cgroup driver: SetUnitProperties `%s`: build message", name);
		goto out;
	}
	if (count == 0) {
		ret = 0;
		goto out;
	}
	r = sd_bus_call(c.bus, m, 0, &e, &reply);
	if (r < 0) {
		call_fail(err, &e, r, "SetUnitProperties", name);
		goto out;
	}
	ret = 0;
out:
	sd_bus_error_free(&e);
	conn_close(&c);
	return ret;
}
