/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * events: runc's JSON lines from the container's cgroup -- {"type":"stats"}
 * every interval (or once with --stats) and {"type":"oom"} when the kernel
 * OOM-kills inside the container.  The container's lock is held only while
 * its state is read, so delete and kill are never blocked by a watcher.
 */
#include <errno.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "container.h"
#include "hardrun/cgroup.h"
#include "hardrun/init.h"
#include "hardrun/strutil.h"

/* runc prints 0 for a limit that is not set */
static json_int_t limit_or_0(uint64_t v)
{
	return v == HR_CGROUP_UNLIMITED ? 0 : (json_int_t)v;
}

static json_t *stats_json(const char *id, const struct hr_cgroup_stats *s)
{
	json_t *data = json_object();

	if (s->has_cpu)
		json_object_set_new(data, "cpu",
				    json_pack("{s:{s:I, s:I, s:I}, s:{s:I, s:I, s:I}}", "usage", "total",
					      (json_int_t)s->cpu_usage_ns, "kernel", (json_int_t)s->cpu_system_ns,
					      "user", (json_int_t)s->cpu_user_ns, "throttling", "periods",
					      (json_int_t)s->cpu_nr_periods, "throttledPeriods",
					      (json_int_t)s->cpu_nr_throttled, "throttledTime",
					      (json_int_t)s->cpu_throttled_ns));
	if (s->has_memory)
		json_object_set_new(data, "memory",
				    json_pack("{s:{s:I, s:I, s:I, s:I}}", "usage", "limit", limit_or_0(s->memory_limit),
					      "usage", (json_int_t)s->memory_usage, "max",
					      (json_int_t)s->memory_max_usage, "failcnt",
					      (json_int_t)s->memory_failcnt));
	if (s->has_pids)
		json_object_set_new(data, "pids",
				    json_pack("{s:I, s:I}", "current", (json_int_t)s->pids_current, "limit",
					      limit_or_0(s->pids_limit)));
	return json_pack("{s:s, s:s, s:o}", "type", "stats", "id", id, "data", data);
}

static void emit(FILE *out, json_t *ev)
{
	char *line = json_dumps(ev, JSON_COMPACT);

	if (line) {
		fprintf(out, "%s\n", line);
		fflush(out);
	}
	free(line);
	json_decref(ev);
}

static bool alive(pid_t pid, uint64_t start)
{
	if (kill(pid, 0) < 0 && errno == ESRCH)
		return false;
	return start == 0 || hr_proc_start_time(pid) == start;
}

int hr_container_events(const struct hr_rt *rt, const char *id, bool once, long interval_ms, FILE *out,
			struct hr_err **err)
{
	struct hr_loaded *c = NULL;
	struct hr_cgroup *cg = NULL;
	struct hr_cgroup_stats s;
	pid_t pid;
	uint64_t start, ooms;
	long since_stats = 0;
	const long tick = interval_ms < 100 ? interval_ms : 100;
	int r = -1;

	if (hr_container_load(rt, id, false, &c, err) < 0)
		return -1;
	if (c->status != HR_STATUS_RUNNING && c->status != HR_STATUS_PAUSED && c->status != HR_STATUS_CREATED) {
		hr_fail(err, 0, "container `%s` is %s: no events", id, hr_status_name(c->status));
		goto out;
	}
	if (!c->st->cgroup_path || !*c->st->cgroup_path) {
		hr_fail(err, ENOENT, "container `%s` has no cgroup", id);
		goto out;
	}
	pid = c->st->pid;
	start = c->st->pid_start;
	if (hr_cgroup_open(c->st->cgroup_path, &cg, err) < 0)
		goto out;
	hr_loaded_free(c);
	c = NULL;
	memset(&s, 0, sizeof(s));
	if (hr_cgroup_stats(cg, &s, err) < 0)
		goto out;
	if (once) {
		emit(out, stats_json(id, &s));
		r = 0;
		goto out;
	}
	ooms = s.oom_kill;
	emit(out, stats_json(id, &s));
	for (;;) {
		struct timespec ts = {tick / 1000, (tick % 1000) * 1000000L};
		bool live;

		nanosleep(&ts, NULL);
		since_stats += tick;
		live = alive(pid, start);
		memset(&s, 0, sizeof(s));
		if (hr_cgroup_stats(cg, &s, err) < 0)
			goto out;
		if (s.oom_kill > ooms)
			emit(out, json_pack("{s:s, s:s}", "type", "oom", "id", id));
		ooms = s.oom_kill;
		if (!live)
			break;
		if (since_stats >= interval_ms) {
			since_stats = 0;
			emit(out, stats_json(id, &s));
		}
	}
	r = 0;
out:
	hr_loaded_free(c);
	hr_cgroup_free(cg);
	return r;
}
