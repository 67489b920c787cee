/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * linux.resources on the unified hierarchy (cgroup v2): memory and swap,
 * pids, cpu weight/max/burst, cpuset, io, hugetlb and the `unified`
 * key/values, plus v2 statistics.  A limit needs its controller in the
 * cgroup's cgroup.controllers, else it is an error.  Device rules need an
 * eBPF program that is not implemented: they are refused, never dropped.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <linux/bpf.h>
#include <string.h>

#include "cgroup_int.h"
#include "hardrun/log.h"
#include "hardrun/strutil.h"

struct v2 {
	struct hr_cgroup *cg;
	const char *dir;
	char *controllers; /* cgroup.controllers of dir, read lazily */
};

static const char *need(struct v2 *v, const char *ctrl, const char *what, struct hr_err **err)
{
	if (v->controllers == NULL) {
		cleanup_err struct hr_err *tmp = NULL;

		/* An unreadable list counts as empty: then every limit is refused. */
		if (hr_cgroup_read(v->dir, "cgroup.controllers", &v->controllers, &tmp) < 0)
			v->controllers = xstrdup("");
	}
	if (!hr_cgroup_word_in(v->controllers, ctrl)) {
		hr_fail(err, 0, "apply %s: controller `%s` is not available in `%s`", what, ctrl, v->dir);
		return NULL;
	}
	return v->dir;
}

static int write_max(struct v2 *v, const char *dir, const char *file, int64_t n, struct hr_err **err)
{
	if (n < 0)
		return hr_cgroup_write(v->cg, dir, file, "max", err);
	return hr_cgroup_write_i64(v->cg, dir, file, n, err);
}

static int v2_memory(struct v2 *v, const struct hr_memory *m, struct hr_err **err)
{
	int64_t limit = m->has_limit ? m->limit : 0;
	int64_t swap = m->has_swap ? m->swap : 0;
	bool set_swap = true;
	int64_t swap_v2 = 0;
	const char *dir;

	if (m->has_kernel && m->kernel != 0)
		hr_log_warn("cgroup: memory.kernel is deprecated and ignored");
	if (m->has_kernel_tcp && m->kernel_tcp != 0)
		hr_log_warn("cgroup: memory.kernelTCP has no cgroup v2 file and is ignored");
	if (m->has_swappiness)
		hr_log_warn("cgroup: memory.swappiness has no cgroup v2 file and is ignored");
	if (m->has_disable_oom_killer && m->disable_oom_killer)
		hr_log_warn("cgroup: memory.disableOOMKiller has no cgroup v2 file and is ignored");
	/*
	 * update --memory-swap alone: swap is measured against the memory limit
	 * in force, as runc's update takes the container's own (memory.max is
	 * left as it is).  "max" there is no limit.
	 */
	int64_t base = limit;

	if (swap > 0 && limit == 0) {
		cleanup_err struct hr_err *tmp = NULL;
		uint64_t cur;

		dir = need(v, "memory", "memory swap", err);
		if (dir == NULL)
			return -1;
		if (hr_cgroup_read_u64(dir, "memory.max", &cur, &tmp) == 0 && cur <= INT64_MAX)
			base = (int64_t)cur;
	}
	/* OCI swap is memory+swap (the v1 memsw meaning); v2 limits swap alone. */
	if (limit == -1 && swap == 0)
		swap_v2 = -1; /* unlimited memory with swap unset means both unlimited, as on v1 */
	else if (swap == -1)
		swap_v2 = -1;
	else if (swap == 0)
		set_swap = false;
	else if (base <= 0)
		return hr_fail(err, 0, "apply memory swap: a swap limit needs a memory limit");
	else if (swap < base)
		return hr_fail(err, 0,
			       "apply memory swap: memory+swap `%" PRId64 "` is below the memory limit `%" PRId64 "`",
			       swap, base);
	else
		swap_v2 = swap - base;
	if (limit == 0 && !set_swap && !(m->has_reservation && m->reservation != 0))
		return 0;
	dir = need(v, "memory", limit != 0 ? "memory limit" : "memory", err);
	if (dir == NULL)
		return -1;
	if (limit > 0 && m->has_check_before_update && m->check_before_update) {
		uint64_t cur;

		if (hr_cgroup_read_u64(dir, "memory.current", &cur, err) < 0)
			return -1;
		if (cur > (uint64_t)limit)
			return hr_fail(err, EBUSY, "apply memory limit: usage `%" PRIu64 "` is above `%" PRId64 "`",
				       cur, limit);
	}
	/* Without swap accounting (no memory.swap.max) only "unlimited" can be honoured. */
	if (set_swap && !(swap_v2 == -1 && !hr_cgroup_file_exists(dir, "memory.swap.max")) &&
	    write_max(v, dir, "memory.swap.max", swap_v2, err) < 0)
		return -1;
	if (limit != 0 && write_max(v, dir, "memory.max", limit, err) < 0)
		return -1;
	if (m->has_reservation && m->reservation != 0 && write_max(v, dir, "memory.low", m->reservation, err) < 0)
		return -1;
	return 0;
}

/* runc's mapping of cpu.shares [2, 262144] onto cpu.weight [1, 10000]. */
static uint64_t shares_to_weight(uint64_t shares)
{
	if (shares < 2)
		shares = 2;
	if (shares > 262144)
		shares = 262144;
	return 1 + ((shares - 2) * 9999) / 262142;
}

static int v2_cpu(struct v2 *v, const struct hr_cpu *c, struct hr_err **err)
{
	bool shares = c->has_shares && c->shares != 0;
	bool period = c->has_period && c->period != 0;
	bool quota = c->has_quota && c->quota != 0;
	const char *dir;

	if ((c->has_realtime_period && c->realtime_period != 0) ||
	    (c->has_realtime_runtime && c->realtime_runtime != 0))
		return hr_fail(err, ENOTSUP, "apply cpu realtime: not supported on cgroup v2");
	if (shares || period || quota || c->has_burst || c->has_idle) {
		dir = need(v, "cpu", "cpu limit", err);
		if (dir == NULL)
			return -1;
		if (shares &&
		    hr_cgroup_write_i64(v->cg, dir, "cpu.weight", (int64_t)shares_to_weight(c->shares), err) < 0)
			return -1;
		if (quota || period) {
			cleanup_free char *cur = NULL;
			cleanup_free char *val = NULL;
			char q[32];

			if (quota && c->quota < 0) {
				snprintf(q, sizeof(q), "max");
			} else if (quota) {
				snprintf(q, sizeof(q), "%" PRId64, c->quota);
			} else {
				/* Only the period changes: keep the quota in force. */
				if (hr_cgroup_read(dir, "cpu.max", &cur, err) < 0)
					return -1;
				snprintf(q, sizeof(q), "%.*s", (int)strcspn(cur, " "), cur);
			}
			val = period ? xasprintf("%s %" PRIu64, q, c->period) : xstrdup(q);
			if (hr_cgroup_write(v->cg, dir, "cpu.max", val, err) < 0)
				return -1;
		}
		if (c->has_burst && hr_cgroup_write_i64(v->cg, dir, "cpu.max.burst", (int64_t)c->burst, err) < 0)
			return -1;
		if (c->has_idle && hr_cgroup_write_i64(v->cg, dir, "cpu.idle", c->idle, err) < 0)
			return -1;
	}
	if ((c->cpus && c->cpus[0]) || (c->mems && c->mems[0])) {
		dir = need(v, "cpuset", "cpuset", err);
		if (dir == NULL)
			return -1;
		if (c->cpus && c->cpus[0] && hr_cgroup_write(v->cg, dir, "cpuset.cpus", c->cpus, err) < 0)
			return -1;
		if (c->mems && c->mems[0] && hr_cgroup_write(v->cg, dir, "cpuset.mems", c->mems, err) < 0)
			return -1;
	}
	return 0;
}

/* blkio.weight [10, 1000] onto io.weight [1, 10000], as runc. */
static uint64_t blkio_to_io_weight(uint16_t w)
{
	if (w < 10)
		w = 10;
	if (w > 1000)
		w = 1000;
	return 1 + ((uint64_t)(w - 10) * 9999) / 990;
}

static int v2_io_max(struct v2 *v, const char *dir, const char *key, const struct hr_blkio_throttle *t, size_t n,
		     struct hr_err **err)
{
	for (size_t i = 0; i < n; i++) {
		char buf[128];

		snprintf(buf, sizeof(buf), "%" PRId64 ":%" PRId64 " %s=%" PRIu64, t[i].major, t[i].minor, key,
			 t[i].rate);
		if (hr_cgroup_write(v->cg, dir, "io.max", buf, err) < 0)
			return -1;
	}
	return 0;
}

static int v2_io(struct v2 *v, const struct hr_blkio *b, struct hr_err **err)
{
	bool weight = b->has_weight && b->weight != 0; /* docker sends 0 when it has nothing to say */
	bool bfq;
	const char *dir;

	if (b->has_leaf_weight && b->leaf_weight != 0)
		hr_log_warn("cgroup: blockIO.leafWeight has no cgroup v2 file and is ignored");
	if (!weight && b->n_weight_device == 0 && b->n_throttle_read_bps == 0 && b->n_throttle_write_bps == 0 &&
	    b->n_throttle_read_iops == 0 && b->n_throttle_write_iops == 0)
		return 0;
	dir = need(v, "io", "block io", err);
	if (dir == NULL)
		return -1;
	/* BFQ takes the v1 weight scale unchanged; io.weight needs the conversion. */
	bfq = hr_cgroup_file_exists(dir, "io.bfq.weight");
	if (weight && hr_cgroup_write_i64(v->cg, dir, bfq ? "io.bfq.weight" : "io.weight",
					  bfq ? b->weight : (int64_t)blkio_to_io_weight(b->weight), err) < 0)
		return -1;
	for (size_t i = 0; i < b->n_weight_device; i++) {
		const struct hr_blkio_weight_device *w = &b->weight_device[i];
		char buf[96];

		if (!w->has_weight || w->weight == 0)
			continue;
		snprintf(buf, sizeof(buf), "%" PRId64 ":%" PRId64 " %" PRIu64, w->major, w->minor,
			 bfq ? (uint64_t)w->weight : blkio_to_io_weight(w->weight));
		if (hr_cgroup_write(v->cg, dir, bfq ? "io.bfq.weight" : "io.weight", buf, err) < 0)
			return -1;
	}
	if (v2_io_max(v, dir, "rbps", b->throttle_read_bps, b->n_throttle_read_bps, err) < 0 ||
	    v2_io_max(v, dir, "wbps", b->throttle_write_bps, b->n_throttle_write_bps, err) < 0 ||
	    v2_io_max(v, dir, "riops", b->throttle_read_iops, b->n_throttle_read_iops, err) < 0 ||
	    v2_io_max(v, dir, "wiops", b->throttle_write_iops, b->n_throttle_write_iops, err) < 0)
		return -1;
	return 0;
}

static bool name_ok(const char *s)
{
	return s && s[0] && s[0] != '.' && strchr(s, '/') == NULL;
}

static int v2_hugetlb(struct v2 *v, const struct hr_resources *r, struct hr_err **err)
{
	const char *dir;

	if (r->n_hugepage_limits == 0)
		return 0;
	dir = need(v, "hugetlb", "hugepage limit", err);
	if (dir == NULL)
		return -1;
	for (size_t i = 0; i < r->n_hugepage_limits; i++) {
		cleanup_free char *file = NULL;

		if (!name_ok(r->hugepage_limits[i].page_size))
			return hr_fail(err, 0, "apply hugepage limit: bad page size `%s`",
				       r->hugepage_limits[i].page_size ? r->hugepage_limits[i].page_size : "");
		file = xasprintf("hugetlb.%s.max", r->hugepage_limits[i].page_size);
		if (hr_cgroup_write_i64(v->cg, dir, file, (int64_t)r->hugepage_limits[i].limit, err) < 0)
			return -1;
	}
	return 0;
}

static int apply_unified(struct v2 *v, const struct hr_resources *res, struct hr_err **err)
{
	for (size_t i = 0; i < res->n_unified; i++) {
		const char *key = res->unified[i].key;
		cleanup_free char *ctrl = NULL;
		cleanup_free char *what = NULL;

		/* The key names a file in this directory, never a path to elsewhere. */
		if (!name_ok(key) || strchr(key, '.') == NULL)
			return hr_fail(err, 0, "apply unified: bad key `%s`", key ? key : "");
		ctrl = xstrndup(key, strcspn(key, "."));
		what = xasprintf("unified `%s`", key);
		/* cgroup.* files belong to the core, not to a controller. */
		if (strcmp(ctrl, "cgroup") != 0 && need(v, ctrl, what, err) == NULL)
			return -1;
		if (hr_cgroup_write(v->cg, v->dir, key, res->unified[i].value, err) < 0)
			return -1;
	}
	return 0;
}

bool hr_cgroup_v2_has_controller(const char *dir, const char *controller)
{
	cleanup_free char *list = NULL;
	cleanup_err struct hr_err *tmp = NULL;

	return hr_cgroup_read(dir, "cgroup.controllers", &list, &tmp) == 0 && hr_cgroup_word_in(list, controller);
}

int hr_cgroup_v2_apply_hugetlb(struct hr_cgroup *cg, const char *dir, const struct hr_resources *res,
			       struct hr_err **err)
{
	struct v2 v = {.cg = cg, .dir = dir};
	int rc = v2_hugetlb(&v, res, err);

	free(v.controllers);
	return rc;
}

int hr_cgroup_v2_apply_unified(struct hr_cgroup *cg, const char *dir, const struct hr_resources *res,
			       struct hr_err **err)
{
	struct v2 v = {.cg = cg, .dir = dir};
	int rc = apply_unified(&v, res, err);

	free(v.controllers);
	return rc;
}

static int v2_devices(struct v2 *v, const struct hr_resources *res, struct hr_err **err)
{
	cleanup_free struct bpf_insn *insns = NULL;
	char buf[64];
	size_t len = 0;

	/* A fake tree is no cgroup2 fd: build the program (so rule errors show) and journal it. */
	if (v->cg->fake_prefix) {
		if (hr_cgroup_bpf_build(res->devices, res->n_devices, &insns, &len, err) < 0)
			return -1;
		snprintf(buf, sizeof(buf), "%zu", len);
		return hr_cgroup_write(v->cg, v->dir, "bpf.device", buf, err);
	}
	return hr_cgroup_bpf_devices(v->dir, res->devices, res->n_devices, err);
}

static int apply(struct v2 *v, const struct hr_resources *res, struct hr_err **err)
{
	if (res->n_devices && v2_devices(v, res, err) < 0)
		return -1;
	if (res->n_net_priorities || res->has_net_class_id)
		return hr_fail(err, ENOTSUP, "apply network class/priority: not supported on cgroup v2");
	if (res->has_memory && v2_memory(v, &res->memory, err) < 0)
		return -1;
	if (res->has_pids) {
		const char *dir = need(v, "pids", "pids limit", err);

		/* runtime-spec: -1 (any negative) is "max"; 0 is a real limit. */
		if (dir == NULL || write_max(v, dir, "pids.max", res->pids_limit, err) < 0)
			return -1;
	}
	if (res->has_cpu && v2_cpu(v, &res->cpu, err) < 0)
		return -1;
	if (res->has_blkio && v2_io(v, &res->blkio, err) < 0)
		return -1;
	if (v2_hugetlb(v, res, err) < 0)
		return -1;
	/* Last, so an explicit unified value wins over the converted ones (as runc). */
	return apply_unified(v, res, err);
}

int hr_cgroup_v2_apply(struct hr_cgroup *cg, const struct hr_resources *res, struct hr_err **err)
{
	struct cg_hier *h = hr_cgroup_find_hier(cg, "");
	struct v2 v = {.cg = cg};
	int rc;

	if (h == NULL)
		return hr_fail(err, 0, "apply resources: no cgroup2 mount");
	v.dir = h->dir;
	rc = apply(&v, res, err);
	free(v.controllers);
	return rc;
}

int hr_cgroup_v2_stats(struct hr_cgroup *cg, struct hr_cgroup_stats *st, struct hr_err **err)
{
	struct cg_hier *h = hr_cgroup_find_hier(cg, "");
	cleanup_free char *s = NULL;
	uint64_t usec;

	if (h == NULL)
		return hr_fail(err, 0, "read stats: no cgroup2 mount");
	if (hr_cgroup_file_exists(h->dir, "memory.current")) {
		if (hr_cgroup_read_u64(h->dir, "memory.current", &st->memory_usage, err) < 0 ||
		    hr_cgroup_read_u64(h->dir, "memory.max", &st->memory_limit, err) < 0 ||
		    hr_cgroup_read(h->dir, "memory.events", &s, err) < 0)
			return -1;
		if (hr_cgroup_file_exists(h->dir, "memory.peak") &&
		    hr_cgroup_read_u64(h->dir, "memory.peak", &st->memory_max_usage, err) < 0)
			return -1;
		(void)hr_cgroup_keyed_u64(s, "max", &st->memory_failcnt);
		(void)hr_cgroup_keyed_u64(s, "oom_kill", &st->oom_kill);
		st->has_memory = true;
		free(steal_ptr(&s));
	}
	if (hr_cgroup_file_exists(h->dir, "pids.current")) {
		if (hr_cgroup_read_u64(h->dir, "pids.current", &st->pids_current, err) < 0 ||
		    hr_cgroup_read_u64(h->dir, "pids.max", &st->pids_limit, err) < 0)
			return -1;
		st->has_pids = true;
	}
	/* cpu.stat exists without the cpu controller too, with usage only. */
	if (hr_cgroup_file_exists(h->dir, "cpu.stat")) {
		if (hr_cgroup_read(h->dir, "cpu.stat", &s, err) < 0)
			return -1;
		if (hr_cgroup_keyed_u64(s, "usage_usec", &usec))
			st->cpu_usage_ns = usec * 1000;
		if (hr_cgroup_keyed_u64(s, "user_usec", &usec))
			st->cpu_user_ns = usec * 1000;
		if (hr_cgroup_keyed_u64(s, "system_usec", &usec))
			st->cpu_system_ns = usec * 1000;
		(void)hr_cgroup_keyed_u64(s, "nr_periods", &st->cpu_nr_periods);
		(void)hr_cgroup_keyed_u64(s, "nr_throttled", &st->cpu_nr_throttled);
		if (hr_cgroup_keyed_u64(s, "throttled_usec", &usec))
			st->cpu_throttled_ns = usec * 1000;
		st->has_cpu = true;
	}
	return 0;
}
