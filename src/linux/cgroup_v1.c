/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * linux.resources on cgroup v1 (legacy and hybrid layouts): memory,
 * memory+swap, pids, cpu, cpuset, blkio, hugetlb, net_cls/net_prio and the
 * devices allowlist, plus v1 statistics.  Fail-closed: a requested limit
 * whose controller is not mounted is an error.  Must not create
 * directories (cgroup.c does) or touch the hybrid cgroup2 directory except
 * for `unified` keys.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cgroup_int.h"
#include "hardrun/log.h"
#include "hardrun/strutil.h"

/* The kernel reports "no limit" as INT64_MAX rounded down to a page. */
#define V1_UNLIMITED_MIN 0x7ffffffffffff000ULL

static const char *need(const struct hr_cgroup *cg, const char *ctrl, const char *what, struct hr_err **err)
{
	struct cg_hier *h = hr_cgroup_find_hier(cg, ctrl);

	if (h == NULL) {
		hr_fail(err, 0, "apply %s: controller `%s` is not mounted", what, ctrl);
		return NULL;
	}
	return h->dir;
}

static int v1_memory(struct hr_cgroup *cg, const struct hr_memory *m, struct hr_err **err)
{
	bool lim = m->has_limit && m->limit != 0;
	bool swap = m->has_swap && m->swap != 0;
	bool resv = m->has_reservation && m->reservation != 0;
	bool oom = m->has_disable_oom_killer && m->disable_oom_killer;
	bool tcp = m->has_kernel_tcp && m->kernel_tcp != 0;
	const char *dir;

	if (m->has_kernel && m->kernel != 0)
		hr_log_warn("cgroup: memory.kernel is deprecated and ignored");
	if (!lim && !swap && !resv && !oom && !tcp && !m->has_swappiness && !m->has_use_hierarchy)
		return 0;
	dir = need(cg, "memory", lim ? "memory limit" : "memory", err);
	if (dir == NULL)
		return -1;
	if (swap && !hr_cgroup_file_exists(dir, "memory.memsw.limit_in_bytes")) {
		/* Without swap accounting the only honourable swap request is "unlimited". */
		if (m->swap != -1)
			return hr_fail(err, ENOENT, "apply memory swap: `%s/memory.memsw.limit_in_bytes` is missing",
				       dir);
		swap = false;
	}
	if (lim && swap) {
		uint64_t cur;

		/* The kernel keeps limit <= memsw at every step: raise memsw first, lower the limit first. */
		if (hr_cgroup_read_u64(dir, "memory.limit_in_bytes", &cur, err) < 0)
			return -1;
		if (m->swap == -1 || (m->swap > 0 && (uint64_t)m->swap > cur)) {
			if (hr_cgroup_write_i64(cg, dir, "memory.memsw.limit_in_bytes", m->swap, err) < 0 ||
			    hr_cgroup_write_i64(cg, dir, "memory.limit_in_bytes", m->limit, err) < 0)
				return -1;
		} else {
			if (hr_cgroup_write_i64(cg, dir, "memory.limit_in_bytes", m->limit, err) < 0 ||
			    hr_cgroup_write_i64(cg, dir, "memory.memsw.limit_in_bytes", m->swap, err) < 0)
				return -1;
		}
	} else if (lim) {
		if (hr_cgroup_write_i64(cg, dir, "memory.limit_in_bytes", m->limit, err) < 0)
			return -1;
	} else if (swap) {
		if (hr_cgroup_write_i64(cg, dir, "memory.memsw.limit_in_bytes", m->swap, err) < 0)
			return -1;
	}
	if (resv && hr_cgroup_write_i64(cg, dir, "memory.soft_limit_in_bytes", m->reservation, err) < 0)
		return -1;
	if (m->has_swappiness && hr_cgroup_write_i64(cg, dir, "memory.swappiness", (int64_t)m->swappiness, err) < 0)
		return -1;
	if (oom && hr_cgroup_write(cg, dir, "memory.oom_control", "1", err) < 0)
		return -1;
	if (tcp && hr_cgroup_write_i64(cg, dir, "memory.kmem.tcp.limit_in_bytes", m->kernel_tcp, err) < 0)
		return -1;
	if (m->has_use_hierarchy &&
	    hr_cgroup_write(cg, dir, "memory.use_hierarchy", m->use_hierarchy ? "1" : "0", err) < 0)
		return -1;
	return 0;
}

static int v1_cpu(struct hr_cgroup *cg, const struct hr_cpu *c, struct hr_err **err)
{
	bool shares = c->has_shares && c->shares != 0;
	bool period = c->has_period && c->period != 0;
	bool quota = c->has_quota && c->quota != 0;
	bool rtp = c->has_realtime_period && c->realtime_period != 0;
	bool rtr = c->has_realtime_runtime && c->realtime_runtime != 0;
	const char *dir;

	if (shares || period || quota || rtp || rtr || c->has_burst || c->has_idle) {
		dir = need(cg, "cpu", "cpu limit", err);
		if (dir == NULL)
			return -1;
		if (shares && hr_cgroup_write_i64(cg, dir, "cpu.shares", (int64_t)c->shares, err) < 0)
			return -1;
		/* Period before quota, as runc: the pair is validated against the new period. */
		if (period && hr_cgroup_write_i64(cg, dir, "cpu.cfs_period_us", (int64_t)c->period, err) < 0)
			return -1;
		if (quota && hr_cgroup_write_i64(cg, dir, "cpu.cfs_quota_us", c->quota, err) < 0)
			return -1;
		if (c->has_burst && hr_cgroup_write_i64(cg, dir, "cpu.cfs_burst_us", (int64_t)c->burst, err) < 0)
			return -1;
		/* A runtime is checked against the period, so the period goes first. */
		if (rtp && hr_cgroup_write_i64(cg, dir, "cpu.rt_period_us", (int64_t)c->realtime_period, err) < 0)
			return -1;
		if (rtr && hr_cgroup_write_i64(cg, dir, "cpu.rt_runtime_us", c->realtime_runtime, err) < 0)
			return -1;
		if (c->has_idle && hr_cgroup_write_i64(cg, dir, "cpu.idle", c->idle, err) < 0)
			return -1;
	}
	if ((c->cpus && c->cpus[0]) || (c->mems && c->mems[0])) {
		dir = need(cg, "cpuset", "cpuset", err);
		if (dir == NULL)
			return -1;
		if (c->cpus && c->cpus[0] && hr_cgroup_write(cg, dir, "cpuset.cpus", c->cpus, err) < 0)
			return -1;
		if (c->mems && c->mems[0] && hr_cgroup_write(cg, dir, "cpuset.mems", c->mems, err) < 0)
			return -1;
	}
	return 0;
}

static int v1_throttle(struct hr_cgroup *cg, const char *dir, const char *file, const struct hr_blkio_throttle *t,
		       size_t n, struct hr_err **err)
{
	for (size_t i = 0; i < n; i++) {
		char buf[96];

		snprintf(buf, sizeof(buf), "%" PRId64 ":%" PRId64 " %" PRIu64, t[i].major, t[i].minor, t[i].rate);
		if (hr_cgroup_write(cg, dir, file, buf, err) < 0)
			return -1;
	}
	return 0;
}

/* blkio.weight exists only with CFQ; BFQ kernels name it blkio.bfq.weight. */
static const char *weight_file(const char *dir, const char *plain, const char *bfq)
{
	if (hr_cgroup_file_exists(dir, plain))
		return plain;
	if (hr_cgroup_file_exists(dir, bfq))
		return bfq;
	return NULL;
}

static int v1_blkio(struct hr_cgroup *cg, const struct hr_blkio *b, struct hr_err **err)
{
	bool weight = b->has_weight && b->weight != 0; /* docker sends 0 when it has nothing to say */
	bool leaf = b->has_leaf_weight && b->leaf_weight != 0;
	const char *dir, *file;

	if (!weight && !leaf && b->n_weight_device == 0 && b->n_throttle_read_bps == 0 &&
	    b->n_throttle_write_bps == 0 && b->n_throttle_read_iops == 0 && b->n_throttle_write_iops == 0)
		return 0;
	dir = need(cg, "blkio", "block io", err);
	if (dir == NULL)
		return -1;
	if (weight) {
		file = weight_file(dir, "blkio.weight", "blkio.bfq.weight");
		if (file == NULL)
			return hr_fail(err, ENOENT, "apply blkio weight: `%s/blkio.weight` is missing", dir);
		if (hr_cgroup_write_i64(cg, dir, file, b->weight, err) < 0)
			return -1;
	}
	if (leaf && hr_cgroup_write_i64(cg, dir, "blkio.leaf_weight", b->leaf_weight, err) < 0)
		return -1;
	for (size_t i = 0; i < b->n_weight_device; i++) {
		const struct hr_blkio_weight_device *w = &b->weight_device[i];
		char buf[96];

		if (w->has_weight && w->weight != 0) {
			file = weight_file(dir, "blkio.weight_device", "blkio.bfq.weight_device");
			if (file == NULL)
				return hr_fail(err, ENOENT, "apply blkio weight: `%s/blkio.weight_device` is missing",
					       dir);
			snprintf(buf, sizeof(buf), "%" PRId64 ":%" PRId64 " %u", w->major, w->minor, w->weight);
			if (hr_cgroup_write(cg, dir, file, buf, err) < 0)
				return -1;
		}
		if (w->has_leaf_weight && w->leaf_weight != 0) {
			snprintf(buf, sizeof(buf), "%" PRId64 ":%" PRId64 " %u", w->major, w->minor, w->leaf_weight);
			if (hr_cgroup_write(cg, dir, "blkio.leaf_weight_device", buf, err) < 0)
				return -1;
		}
	}
	if (v1_throttle(cg, dir, "blkio.throttle.read_bps_device", b->throttle_read_bps, b->n_throttle_read_bps, err) <
		    0 ||
	    v1_throttle(cg, dir, "blkio.throttle.write_bps_device", b->throttle_write_bps, b->n_throttle_write_bps,
			err) < 0 ||
	    v1_throttle(cg, dir, "blkio.throttle.read_iops_device", b->throttle_read_iops, b->n_throttle_read_iops,
			err) < 0 ||
	    v1_throttle(cg, dir, "blkio.throttle.write_iops_device", b->throttle_write_iops, b->n_throttle_write_iops,
			err) < 0)
		return -1;
	return 0;
}

/* "2MB": a page size never contains a path separator; refuse anything that would leave the directory. */
static bool page_size_ok(const char *s)
{
	return s && s[0] && strchr(s, '/') == NULL && strcmp(s, ".") != 0 && strcmp(s, "..") != 0;
}

static int v1_hugetlb(struct hr_cgroup *cg, const struct hr_resources *r, struct hr_err **err)
{
	const char *dir;

	if (r->n_hugepage_limits == 0)
		return 0;
	/* Fresh hybrid hosts keep hugetlb only in the cgroup2 mount; honour the limit there. */
	if (hr_cgroup_find_hier(cg, "hugetlb") == NULL && hr_cgroup_find_hier(cg, "") &&
	    hr_cgroup_v2_has_controller(hr_cgroup_find_hier(cg, "")->dir, "hugetlb"))
		return hr_cgroup_v2_apply_hugetlb(cg, hr_cgroup_find_hier(cg, "")->dir, r, err);
	dir = need(cg, "hugetlb", "hugepage limit", err);
	if (dir == NULL)
		return -1;
	for (size_t i = 0; i < r->n_hugepage_limits; i++) {
		cleanup_free char *file = NULL;

		if (!page_size_ok(r->hugepage_limits[i].page_size))
			return hr_fail(err, 0, "apply hugepage limit: bad page size `%s`",
				       r->hugepage_limits[i].page_size ? r->hugepage_limits[i].page_size : "");
		file = xasprintf("hugetlb.%s.limit_in_bytes", r->hugepage_limits[i].page_size);
		if (hr_cgroup_write_i64(cg, dir, file, (int64_t)r->hugepage_limits[i].limit, err) < 0)
			return -1;
	}
	return 0;
}

static int v1_network(struct hr_cgroup *cg, const struct hr_resources *r, struct hr_err **err)
{
	const char *dir;

	if (r->has_net_class_id) {
		dir = need(cg, "net_cls", "network class", err);
		if (dir == NULL || hr_cgroup_write_i64(cg, dir, "net_cls.classid", r->net_class_id, err) < 0)
			return -1;
	}
	if (r->n_net_priorities) {
		dir = need(cg, "net_prio", "network priority", err);
		if (dir == NULL)
			return -1;
		for (size_t i = 0; i < r->n_net_priorities; i++) {
			cleanup_free char *v = NULL;

			v = xasprintf("%s %u", r->net_priorities[i].name, r->net_priorities[i].priority);
			if (hr_cgroup_write(cg, dir, "net_prio.ifpriomap", v, err) < 0)
				return -1;
		}
	}
	return 0;
}

static void dev_num(char *buf, size_t len, int64_t n)
{
	if (n < 0)
		snprintf(buf, len, "*");
	else
		snprintf(buf, len, "%" PRId64, n);
}

static int v1_devices(struct hr_cgroup *cg, const struct hr_resources *r, struct hr_err **err)
{
	const char *dir;

	if (r->n_devices == 0)
		return 0;
	dir = need(cg, "devices", "device rules", err);
	if (dir == NULL)
		return -1;
	/* Start from deny-all so the result is exactly the listed allowlist, whatever the parent allows. */
	if (hr_cgroup_write(cg, dir, "devices.deny", "a", err) < 0)
		return -1;
	for (size_t i = 0; i < r->n_devices; i++) {
		const struct hr_device_rule *d = &r->devices[i];
		const char *access = d->access ? d->access : "rwm";
		char maj[24], min[24], buf[96];

		if (access[0] == '\0' || strspn(access, "rwm") != strlen(access))
			return hr_fail(err, 0, "apply device rules: bad access `%s`", access);
		if (d->type == 'a') {
			snprintf(buf, sizeof(buf), "a *:* %s", access);
		} else if (d->type == 'c' || d->type == 'b') {
			dev_num(maj, sizeof(maj), d->major);
			dev_num(min, sizeof(min), d->minor);
			snprintf(buf, sizeof(buf), "%c %s:%s %s", d->type, maj, min, access);
		} else {
			return hr_fail(err, 0, "apply device rules: bad type `%c`", d->type);
		}
		if (hr_cgroup_write(cg, dir, d->allow ? "devices.allow" : "devices.deny", buf, err) < 0)
			return -1;
	}
	return 0;
}

int hr_cgroup_v1_apply(struct hr_cgroup *cg, const struct hr_resources *res, struct hr_err **err)
{
	if (res->has_memory && v1_memory(cg, &res->memory, err) < 0)
		return -1;
	if (res->has_pids) {
		const char *dir = need(cg, "pids", "pids limit", err);

		/* runtime-spec: -1 (any negative) is "max"; 0 is a real limit. */
		if (dir == NULL ||
		    (res->pids_limit < 0 ? hr_cgroup_write(cg, dir, "pids.max", "max", err)
					 : hr_cgroup_write_i64(cg, dir, "pids.max", res->pids_limit, err)) < 0)
			return -1;
	}
	if (res->has_cpu && v1_cpu(cg, &res->cpu, err) < 0)
		return -1;
	if (res->has_blkio && v1_blkio(cg, &res->blkio, err) < 0)
		return -1;
	if (v1_hugetlb(cg, res, err) < 0 || v1_network(cg, res, err) < 0 || v1_devices(cg, res, err) < 0)
		return -1;
	if (res->n_unified) {
		struct cg_hier *h = hr_cgroup_find_hier(cg, "");

		if (h == NULL)
			return hr_fail(err, 0, "apply unified: cgroup v2 is not mounted");
		if (hr_cgroup_v2_apply_unified(cg, h->dir, res, err) < 0)
			return -1;
	}
	return 0;
}

static int stat_u64(const char *dir, const char *file, uint64_t *out, struct hr_err **err)
{
	if (hr_cgroup_read_u64(dir, file, out, err) < 0)
		return -1;
	if (*out >= V1_UNLIMITED_MIN)
		*out = HR_CGROUP_UNLIMITED;
	return 0;
}

int hr_cgroup_v1_stats(struct hr_cgroup *cg, struct hr_cgroup_stats *st, struct hr_err **err)
{
	struct cg_hier *h;

	if ((h = hr_cgroup_find_hier(cg, "memory"))) {
		cleanup_free char *oom = NULL;

		if (stat_u64(h->dir, "memory.usage_in_bytes", &st->memory_usage, err) < 0 ||
		    stat_u64(h->dir, "memory.limit_in_bytes", &st->memory_limit, err) < 0 ||
		    stat_u64(h->dir, "memory.max_usage_in_bytes", &st->memory_max_usage, err) < 0 ||
		    stat_u64(h->dir, "memory.failcnt", &st->memory_failcnt, err) < 0 ||
		    hr_cgroup_read(h->dir, "memory.oom_control", &oom, err) < 0)
			return -1;
		(void)hr_cgroup_keyed_u64(oom, "oom_kill", &st->oom_kill);
		st->has_memory = true;
	}
	if ((h = hr_cgroup_find_hier(cg, "pids"))) {
		if (stat_u64(h->dir, "pids.current", &st->pids_current, err) < 0 ||
		    stat_u64(h->dir, "pids.max", &st->pids_limit, err) < 0)
			return -1;
		st->has_pids = true;
	}
	if ((h = hr_cgroup_find_hier(cg, "cpuacct"))) {
		cleanup_free char *s = NULL;
		long hz = sysconf(_SC_CLK_TCK);
		uint64_t ticks;

		if (stat_u64(h->dir, "cpuacct.usage", &st->cpu_usage_ns, err) < 0 ||
		    hr_cgroup_read(h->dir, "cpuacct.stat", &s, err) < 0)
			return -1;
		if (hz <= 0)
			hz = 100;
		/* cpuacct.stat counts USER_HZ ticks. */
		if (hr_cgroup_keyed_u64(s, "user", &ticks))
			st->cpu_user_ns = ticks * (1000000000ULL / (uint64_t)hz);
		if (hr_cgroup_keyed_u64(s, "system", &ticks))
			st->cpu_system_ns = ticks * (1000000000ULL / (uint64_t)hz);
		st->has_cpu = true;
	}
	if ((h = hr_cgroup_find_hier(cg, "cpu")) && hr_cgroup_file_exists(h->dir, "cpu.stat")) {
		cleanup_free char *s = NULL;

		if (hr_cgroup_read(h->dir, "cpu.stat", &s, err) < 0)
			return -1;
		(void)hr_cgroup_keyed_u64(s, "nr_periods", &st->cpu_nr_periods);
		(void)hr_cgroup_keyed_u64(s, "nr_throttled", &st->cpu_nr_throttled);
		(void)hr_cgroup_keyed_u64(s, "throttled_time", &st->cpu_throttled_ns);
	}
	return 0;
}
