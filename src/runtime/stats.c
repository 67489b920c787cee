/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `hardrun stats`, as `docker stats` shows it: CPU % (of one CPU, over the
 * sampling interval), memory usage and limit, pids, network I/O from the
 * init's /proc/PID/net/dev (loopback left out) and block I/O from the blkio
 * controller (v1 blkio.throttle.io_service_bytes, v2 io.stat).  Read-only:
 * it never takes a container's lock for longer than loading its state.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "container.h"
#include "hardrun/cgroup.h"
#include "hardrun/init.h"
#include "hardrun/strutil.h"
#include "launch_int.h"
#include "statedir.h"

struct sample {
	char *id;
	bool alive;
	struct hr_cgroup_stats cg;
	uint64_t at_ns;
	uint64_t rx, tx;
	uint64_t blk_read, blk_write;
	double cpu_pct; /* NAN until two samples */
};

static void read_net(pid_t pid, uint64_t *rx, uint64_t *tx)
{
	char path[64], line[512];
	cleanup_fclose FILE *f = NULL;

	*rx = *tx = 0;
	snprintf(path, sizeof(path), "/proc/%d/net/dev", (int)pid);
	f = fopen(path, "re");
	while (f && fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':'), *name = line;
		unsigned long long v[9];

		if (!colon)
			continue;
		*colon = '\0';
		while (*name == ' ')
			name++;
		if (strcmp(name, "lo") == 0)
			continue;
		/* rx: bytes packets errs drop fifo frame compressed multicast; then tx bytes */
		if (sscanf(colon + 1, "%llu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3], &v[4],
			   &v[5], &v[6], &v[7], &v[8]) == 9) {
			*rx += v[0];
			*tx += v[8];
		}
	}
}

static void read_blkio(struct hr_cgroup *cg, uint64_t *rd, uint64_t *wr)
{
	const char *dir = hr_cgroup_dir(cg, "blkio");
	cleanup_free char *path = NULL;
	cleanup_fclose FILE *f = NULL;
	char line[256];

	*rd = *wr = 0;
	if (dir) {
		path = hr_path_join(dir, "blkio.throttle.io_service_bytes");
		f = fopen(path, "re");
		while (f && fgets(line, sizeof(line), f)) {
			char dev[64], op[16];
			unsigned long long v;

			/* "8:0 Read 4096"; the "Total" lines repeat the sums */
			if (sscanf(line, "%63s %15s %llu", dev, op, &v) != 3)
				continue;
			if (strcmp(op, "Read") == 0)
				*rd += v;
			else if (strcmp(op, "Write") == 0)
				*wr += v;
		}
		return;
	}
	dir = hr_cgroup_layout(cg) == HR_CGROUP_UNIFIED ? hr_cgroup_dir(cg, "") : NULL;
	if (!dir)
		return;
	path = hr_path_join(dir, "io.stat");
	f = fopen(path, "re");
	while (f && fgets(line, sizeof(line), f)) {
		char *save = NULL;

		/* "8:0 rbytes=4096 wbytes=0 rios=1 …" */
		for (char *t = strtok_r(line, " \n", &save); t; t = strtok_r(NULL, " \n", &save)) {
			uint64_t v;

			if (hr_str_has_prefix(t, "rbytes=") && hr_parse_u64(t + 7, &v) == 0)
				*rd += v;
			else if (hr_str_has_prefix(t, "wbytes=") && hr_parse_u64(t + 7, &v) == 0)
				*wr += v;
		}
	}
}

static void take(const struct hr_rt *rt, struct sample *s)
{
	struct hr_loaded *c = NULL;
	struct hr_cgroup *cg = NULL;
	struct hr_err *e = NULL;

	s->alive = false;
	if (hr_container_load(rt, s->id, false, &c, &e) < 0) {
		hr_err_free(&e);
		return;
	}
	if (c->status != HR_STATUS_STOPPED && c->st->cgroup_path && *c->st->cgroup_path &&
	    hr_cgroup_open(c->st->cgroup_path, &cg, &e) == 0 && hr_cgroup_stats(cg, &s->cg, &e) == 0) {
		s->alive = true;
		s->at_ns = hr_now_ns();
		read_net(c->st->pid, &s->rx, &s->tx);
		read_blkio(cg, &s->blk_read, &s->blk_write);
	}
	hr_err_free(&e);
	hr_cgroup_free(cg);
	hr_loaded_free(c);
}

static void human(uint64_t v, char *buf, size_t len)
{
	static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
	double d = (double)v;
	size_t u = 0;

	if (v == HR_CGROUP_UNLIMITED) {
		snprintf(buf, len, "unlimited");
		return;
	}
	while (d >= 1024 && u < HR_ARRAY_SIZE(units) - 1) {
		d /= 1024;
		u++;
	}
	snprintf(buf, len, u ? "%.2f%s" : "%.0f%s", d, units[u]);
}

static json_t *jlimit(uint64_t v)
{
	return v == HR_CGROUP_UNLIMITED ? json_null() : json_integer((json_int_t)v);
}

static void print(const struct sample *s, bool json, FILE *out)
{
	double mem_pct = s->cg.has_memory && s->cg.memory_limit != HR_CGROUP_UNLIMITED && s->cg.memory_limit
				 ? 100.0 * (double)s->cg.memory_usage / (double)s->cg.memory_limit
				 : 0;

	if (json) {
		json_t *o = json_pack("{s:s, s:o, s:{s:I, s:o, s:f}, s:{s:I, s:o}, s:{s:I, s:I}, s:{s:I, s:I}}", "id",
				      s->id, "cpu_percent", isnan(s->cpu_pct) ? json_null() : json_real(s->cpu_pct),
				      "memory", "usage", (json_int_t)s->cg.memory_usage, "limit",
				      jlimit(s->cg.memory_limit), "percent", mem_pct, "pids", "current",
				      (json_int_t)s->cg.pids_current, "limit", jlimit(s->cg.pids_limit), "net",
				      "rx_bytes", (json_int_t)s->rx, "tx_bytes", (json_int_t)s->tx, "block",
				      "read_bytes", (json_int_t)s->blk_read, "write_bytes", (json_int_t)s->blk_write);
		char *line = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);

		fprintf(out, "%s\n", line ? line : "{}");
		free(line);
		json_decref(o);
	} else {
		char mu[32], ml[32], rx[32], tx[32], br[32], bw[32], cpu[16], pl[32];

		human(s->cg.memory_usage, mu, sizeof(mu));
		human(s->cg.memory_limit, ml, sizeof(ml));
		human(s->rx, rx, sizeof(rx));
		human(s->tx, tx, sizeof(tx));
		human(s->blk_read, br, sizeof(br));
		human(s->blk_write, bw, sizeof(bw));
		if (isnan(s->cpu_pct))
			snprintf(cpu, sizeof(cpu), "--");
		else
			snprintf(cpu, sizeof(cpu), "%.2f%%", s->cpu_pct);
		if (s->cg.pids_limit == HR_CGROUP_UNLIMITED)
			snprintf(pl, sizeof(pl), "%" PRIu64, s->cg.pids_current);
		else
			snprintf(pl, sizeof(pl), "%" PRIu64 "/%" PRIu64, s->cg.pids_current, s->cg.pids_limit);
		{
			cleanup_free char *mem = xasprintf("%s / %s", mu, ml);
			cleanup_free char *net = xasprintf("%s / %s", rx, tx);
			cleanup_free char *blk = xasprintf("%s / %s", br, bw);
			char mp[16];

			snprintf(mp, sizeof(mp), "%.2f%%", mem_pct);
			fprintf(out, "%-20s %-8s %-22s %-7s %-22s %-22s %s\n", s->id, cpu, mem, mp, net, blk, pl);
		}
	}
}

static char **all_ids(const struct hr_rt *rt, struct hr_err **err)
{
	cleanup_close int root_fd = hr_statedir_open_root(rt->root, err);
	DIR *d;
	struct dirent *e;
	char **ids = xcalloc(1, sizeof(char *));

	if (root_fd < 0) {
		free(ids);
		return NULL;
	}
	d = fdopendir(dup(root_fd));
	while (d && (e = readdir(d)) != NULL)
		if (e->d_name[0] != '.' && hr_id_valid(e->d_name))
			hr_strv_push(&ids, e->d_name);
	if (d)
		closedir(d);
	return ids;
}

int hr_container_stats(const struct hr_rt *rt, char **names, size_t n, bool json, bool stream, FILE *out,
		       struct hr_err **err)
{
	cleanup_strv char **ids = NULL;
	struct sample *s;
	size_t count;
	bool any = true;

	if (n == 0) {
		ids = all_ids(rt, err);
		if (!ids)
			return hr_fail_wrap(err, "stats");
	} else {
		ids = hr_strv_dup(names);
		/* a named container that does not exist is an error, as with docker stats */
		for (size_t i = 0; i < n; i++) {
			struct hr_loaded *c = NULL;

			if (hr_container_load(rt, ids[i], false, &c, err) < 0)
				return hr_fail_wrap(err, "stats");
			hr_loaded_free(c);
		}
	}
	count = hr_strv_len(ids);
	s = xcalloc(count ? count : 1, sizeof(*s));
	for (size_t i = 0; i < count; i++) {
		s[i].id = ids[i];
		s[i].cpu_pct = NAN;
		take(rt, &s[i]);
	}
	while (any) {
		struct sample prev;

		poll(NULL, 0, stream ? 1000 : 500);
		if (!json)
			fprintf(out, "%-20s %-8s %-22s %-7s %-22s %-22s %s\n", "ID", "CPU %", "MEM USAGE / LIMIT",
				"MEM %", "NET I/O", "BLOCK I/O", "PIDS");
		any = false;
		for (size_t i = 0; i < count; i++) {
			prev = s[i];
			take(rt, &s[i]);
			if (!s[i].alive)
				continue;
			any = true;
			if (prev.alive && s[i].at_ns > prev.at_ns && s[i].cg.cpu_usage_ns >= prev.cg.cpu_usage_ns)
				s[i].cpu_pct = 100.0 * (double)(s[i].cg.cpu_usage_ns - prev.cg.cpu_usage_ns) /
					       (double)(s[i].at_ns - prev.at_ns);
			print(&s[i], json, out);
		}
		fflush(out);
		if (!stream)
			break;
	}
	free(s);
	return 0;
}
