/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cgroup v1, v2 and the hybrid layout (v1 controllers plus a cgroup2 mount,
 * as on the development machines).  Owns the container's cgroup
 * directories and the controller files in them; knows nothing of the
 * container beyond its path.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "hardrun/cgroup.h"
#include "hardrun/strutil.h"

#define MAX_HIER 24

struct hier {
	char *mnt;   /* mount point */
	char *ctrls; /* ",memory," style list of v1 controllers / name=; "" for cgroup2 */
	char *dir;   /* mnt + path */
	bool v2;
	bool created; /* we made the leaf */
};

struct hr_cgroup {
	char *path;
	bool v2only;
	struct hier h[MAX_HIER];
	size_t n;
};

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

int hr_cgroup_resolve_path(const char *cgroups_path, const char *id, char **out, struct hr_err **err)
{
	if (cgroups_path == NULL || *cgroups_path == '\0') {
		*out = xasprintf("/%s", id);
		return 0;
	}
	if (cgroups_path[0] != '/' && strchr(cgroups_path, ':'))
		return hr_fail(err, 0, "cgroupsPath `%s`: systemd cgroup paths need systemd, which is not running",
			       cgroups_path);
	*out = cgroups_path[0] == '/' ? xstrdup(cgroups_path) : xasprintf("/%s", cgroups_path);
	if (!hr_path_is_clean_abs(*out)) {
		free(*out);
		*out = NULL;
		return hr_fail(err, 0, "cgroupsPath `%s`: must not contain \"..\"", cgroups_path);
	}
	return 0;
}

void hr_cgroup_free(struct hr_cgroup *cg)
{
	if (!cg)
		return;
	for (size_t i = 0; i < cg->n; i++) {
		free(cg->h[i].mnt);
		free(cg->h[i].ctrls);
		free(cg->h[i].dir);
	}
	free(cg->path);
	free(cg);
}

static char *unescape(const char *s)
{
	char *out = xmalloc(strlen(s) + 1), *o = out;

	while (*s) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' && s[3] >= '0' &&
		    s[3] <= '7') {
			*o++ = (char)(((s[1] - '0') << 6) | ((s[2] - '0') << 3) | (s[3] - '0'));
			s += 4;
		} else {
			*o++ = *s++;
		}
	}
	*o = '\0';
	return out;
}

int hr_cgroup_open_at(const char *path, const char *mountinfo, const char *prefix, struct hr_cgroup **out,
		      struct hr_err **err)
{
	struct hr_cgroup *cg = xzalloc(sizeof(*cg));
	cleanup_free char *text = xstrdup(mountinfo);
	char *save = NULL;

	cg->path = xstrdup(path);
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *sep = strstr(line, " - ");
		char *f[6] = {0}, *s2 = NULL, *fstype, *opts;
		int nf = 0;

		if (!sep)
			continue;
		*sep = '\0';
		for (char *t = strtok_r(line, " ", &s2); t && nf < 6; t = strtok_r(NULL, " ", &s2))
			f[nf++] = t;
		s2 = NULL;
		fstype = strtok_r(sep + 3, " ", &s2);
		(void)strtok_r(NULL, " ", &s2);
		opts = strtok_r(NULL, " ", &s2);
		if (nf < 5 || !fstype || (strcmp(fstype, "cgroup") != 0 && strcmp(fstype, "cgroup2") != 0))
			continue;
		if (cg->n == MAX_HIER)
			break;
		{
			struct hier *h = &cg->h[cg->n++];
			cleanup_free char *mnt = unescape(f[4]);

			h->mnt = xasprintf("%s%s", prefix, mnt);
			h->v2 = strcmp(fstype, "cgroup2") == 0;
			h->ctrls = h->v2 ? xstrdup("") : xasprintf(",%s,", opts ? opts : "");
			h->dir = hr_path_join(h->mnt, path);
			if (h->v2 && strcmp(mnt, "/sys/fs/cgroup") == 0)
				cg->v2only = true;
		}
	}
	if (cg->n == 0) {
		hr_cgroup_free(cg);
		return hr_fail(err, ENOENT, "cgroup `%s`: no cgroup filesystem is mounted", path);
	}
	*out = cg;
	return 0;
}

int hr_cgroup_open(const char *path, struct hr_cgroup **out, struct hr_err **err)
{
	cleanup_close int fd = open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC);
	cleanup_free char *buf = NULL;
	size_t cap = 16384, n = 0;
	ssize_t r;

	if (fd < 0)
		return hr_fail(err, errno, "open `/proc/self/mountinfo`");
	buf = xmalloc(cap);
	while ((r = read(fd, buf + n, cap - n - 1)) > 0) {
		n += (size_t)r;
		if (n + 1 >= cap) {
			cap *= 2;
			buf = xrealloc(buf, cap);
		}
	}
	buf[n] = '\0';
	return hr_cgroup_open_at(path, buf, "", out, err);
}

bool hr_cgroup_is_v2(const struct hr_cgroup *cg)
{
	return cg->v2only;
}

static struct hier *find(struct hr_cgroup *cg, const char *ctrl)
{
	cleanup_free char *key = xasprintf(",%s,", ctrl);

	for (size_t i = 0; i < cg->n; i++) {
		if (cg->v2only && cg->h[i].v2)
			return &cg->h[i];
		if (!cg->h[i].v2 && strstr(cg->h[i].ctrls, key))
			return &cg->h[i];
	}
	return NULL;
}

const char *hr_cgroup_dir(struct hr_cgroup *cg, const char *controller)
{
	struct hier *h = find(cg, controller);

	return h ? h->dir : NULL;
}

static int write_at(const char *dir, const char *file, const char *val, struct hr_err **err)
{
	cleanup_free char *p = hr_path_join(dir, file);
	cleanup_close int fd = open(p, O_WRONLY | O_CLOEXEC);
	size_t len = strlen(val);

	if (fd < 0)
		return hr_fail(err, errno, "open `%s`", p);
	if (write(fd, val, len) != (ssize_t)len)
		return hr_fail(err, errno, "write `%s` to `%s`", val, p);
	return 0;
}

static int read_at(const char *dir, const char *file, char *buf, size_t len)
{
	cleanup_free char *p = hr_path_join(dir, file);
	cleanup_close int fd = open(p, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, len - 1);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	return 0;
}

static bool exists_at(const char *dir, const char *file)
{
	cleanup_free char *p = hr_path_join(dir, file);

	return access(p, F_OK) == 0;
}

/*
 * mkdir -p below the mount; cpuset v1 levels inherit cpus/mems; on a pure
 * v2 host each parent delegates its controllers.  The cgroup2 mount of a
 * hybrid host is left as it is: enabling a controller there is host state
 * that other tools (crun) depend on.
 */
static int mkdir_hier(struct hier *h, bool delegate, struct hr_err **err)
{
	cleanup_free char *rel = NULL;
	cleanup_free char *cur = xstrdup(h->mnt);
	bool cpuset = !h->v2 && strstr(h->ctrls, ",cpuset,");
	char *save = NULL;

	rel = xstrdup(h->dir + strlen(h->mnt));
	for (char *c = strtok_r(rel, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
		char *next = hr_path_join(cur, c);

		if (h->v2 && delegate) {
			char ctrls[512];

			/* delegate every available controller to the level below */
			if (read_at(cur, "cgroup.controllers", ctrls, sizeof(ctrls)) == 0 && ctrls[0]) {
				cleanup_free char *plus = NULL;
				char *s3 = NULL;

				for (char *t = strtok_r(ctrls, " ", &s3); t; t = strtok_r(NULL, " ", &s3)) {
					char *x = plus ? xasprintf("%s +%s", plus, t) : xasprintf("+%s", t);

					free(plus);
					plus = x;
				}
				if (plus)
					(void)write_at(cur, "cgroup.subtree_control", plus, NULL);
			}
		}
		if (mkdir(next, 0755) < 0) {
			if (errno != EEXIST) {
				hr_fail(err, errno, "mkdir `%s`", next);
				free(next);
				return -1;
			}
		} else {
			if (strcmp(next, h->dir) == 0)
				h->created = true;
			if (cpuset) {
				char v[1024];

				if ((read_at(cur, "cpuset.cpus", v, sizeof(v)) == 0 &&
				     write_at(next, "cpuset.cpus", v, err) < 0) ||
				    (read_at(cur, "cpuset.mems", v, sizeof(v)) == 0 &&
				     write_at(next, "cpuset.mems", v, err) < 0)) {
					free(next);
					return -1;
				}
			}
		}
		free(cur);
		cur = next;
	}
	return 0;
}

static int need(struct hr_cgroup *cg, const char *ctrl, const char *what, struct hier **out, struct hr_err **err)
{
	*out = find(cg, ctrl);
	if (!*out)
		return hr_fail(err, ENODEV, "apply %s: controller `%s` is not mounted", what, ctrl);
	return 0;
}

static int write_i64(const char *dir, const char *file, int64_t v, struct hr_err **err)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%" PRId64, v);
	return write_at(dir, file, buf, err);
}

static int write_u64(const char *dir, const char *file, uint64_t v, struct hr_err **err)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%" PRIu64, v);
	return write_at(dir, file, buf, err);
}

static int apply_devices_v1(struct hr_cgroup *cg, const struct hr_resources *r, struct hr_err **err)
{
	struct hier *h = NULL;

	if (r->n_devices == 0)
		return 0;
	if (cg->v2only)
		return hr_fail(err, EOPNOTSUPP,
			       "apply device rules: cgroup v2 needs an eBPF device program, not supported yet");
	if (need(cg, "devices", "device rules", &h, err) < 0)
		return -1;
	for (size_t i = 0; i < r->n_devices; i++) {
		const struct hr_device_rule *d = &r->devices[i];
		char maj[24], min[24], rule[96];

		if (d->major < 0)
			snprintf(maj, sizeof(maj), "*");
		else
			snprintf(maj, sizeof(maj), "%" PRId64, d->major);
		if (d->minor < 0)
			snprintf(min, sizeof(min), "*");
		else
			snprintf(min, sizeof(min), "%" PRId64, d->minor);
		if (d->type == 'a')
			snprintf(rule, sizeof(rule), "a");
		else
			snprintf(rule, sizeof(rule), "%c %s:%s %s", d->type, maj, min, d->access ? d->access : "rwm");
		if (write_at(h->dir, d->allow ? "devices.allow" : "devices.deny", rule, err) < 0)
			return -1;
	}
	return 0;
}

static int apply_v1(struct hr_cgroup *cg, const struct hr_resources *r, struct hr_err **err)
{
	struct hier *h = NULL;

	if (apply_devices_v1(cg, r, err) < 0)
		return -1;
	if (r->has_memory) {
		const struct hr_memory *m = &r->memory;

		if ((m->has_limit || m->has_swap || m->has_reservation || m->has_swappiness || m->disable_oom_killer) &&
		    need(cg, "memory", "memory limits", &h, err) < 0)
			return -1;
		if (m->has_limit || m->has_swap) {
			/* memsw must stay >= limit at every step: order the two writes accordingly */
			bool swap = m->has_swap && exists_at(h->dir, "memory.memsw.limit_in_bytes");
			struct hr_err *tmp = NULL;

			if (m->has_swap && !swap && m->swap != 0 && m->swap != -1)
				return hr_fail(err, ENODEV, "apply memory swap limit: swap accounting is off");
			if (m->has_limit && write_i64(h->dir, "memory.limit_in_bytes", m->limit, &tmp) < 0) {
				if (!swap) {
					*err = tmp;
					return -1;
				}
				hr_err_free(&tmp);
				if (write_i64(h->dir, "memory.memsw.limit_in_bytes", m->swap, err) < 0 ||
				    write_i64(h->dir, "memory.limit_in_bytes", m->limit, err) < 0)
					return -1;
			} else if (swap && write_i64(h->dir, "memory.memsw.limit_in_bytes", m->swap, err) < 0) {
				return -1;
			}
		}
		if (m->has_reservation && write_i64(h->dir, "memory.soft_limit_in_bytes", m->reservation, err) < 0)
			return -1;
		if (m->has_swappiness && write_u64(h->dir, "memory.swappiness", m->swappiness, err) < 0)
			return -1;
		if (m->has_disable_oom_killer && m->disable_oom_killer &&
		    write_at(h->dir, "memory.oom_control", "1", err) < 0)
			return -1;
	}
	if (r->has_pids) {
		if (need(cg, "pids", "pids limit", &h, err) < 0)
			return -1;
		if (r->pids_limit < 0 ? write_at(h->dir, "pids.max", "max", err) < 0
				      : write_i64(h->dir, "pids.max", r->pids_limit, err) < 0)
			return -1;
	}
	if (r->has_cpu) {
		const struct hr_cpu *c = &r->cpu;

		if ((c->has_shares || c->has_quota || c->has_period || c->has_burst || c->has_realtime_period ||
		     c->has_realtime_runtime) &&
		    need(cg, "cpu", "cpu limits", &h, err) < 0)
			return -1;
		if (c->has_shares && c->shares && write_u64(h->dir, "cpu.shares", c->shares, err) < 0)
			return -1;
		if (c->has_period && c->period && write_u64(h->dir, "cpu.cfs_period_us", c->period, err) < 0)
			return -1;
		if (c->has_quota && c->quota && write_i64(h->dir, "cpu.cfs_quota_us", c->quota, err) < 0)
			return -1;
		if (c->has_burst && c->burst && write_u64(h->dir, "cpu.cfs_burst_us", c->burst, err) < 0)
			return -1;
		if (c->has_realtime_period && c->realtime_period &&
		    write_u64(h->dir, "cpu.rt_period_us", c->realtime_period, err) < 0)
			return -1;
		if (c->has_realtime_runtime && c->realtime_runtime &&
		    write_i64(h->dir, "cpu.rt_runtime_us", c->realtime_runtime, err) < 0)
			return -1;
		if ((c->cpus && *c->cpus) || (c->mems && *c->mems)) {
			if (need(cg, "cpuset", "cpuset", &h, err) < 0)
				return -1;
			if (c->cpus && *c->cpus && write_at(h->dir, "cpuset.cpus", c->cpus, err) < 0)
				return -1;
			if (c->mems && *c->mems && write_at(h->dir, "cpuset.mems", c->mems, err) < 0)
				return -1;
		}
	}
	if (r->has_blkio) {
		const struct hr_blkio *b = &r->blkio;
		const struct {
			const char *file;
			const struct hr_blkio_throttle *v;
			size_t n;
		} t[] = {
			{"blkio.throttle.read_bps_device", b->throttle_read_bps, b->n_throttle_read_bps},
			{"blkio.throttle.write_bps_device", b->throttle_write_bps, b->n_throttle_write_bps},
			{"blkio.throttle.read_iops_device", b->throttle_read_iops, b->n_throttle_read_iops},
			{"blkio.throttle.write_iops_device", b->throttle_write_iops, b->n_throttle_write_iops},
		};
		bool any = (b->has_weight && b->weight) || b->n_weight_device;

		for (size_t i = 0; i < HR_ARRAY_SIZE(t); i++)
			any = any || t[i].n;
		if (any && need(cg, "blkio", "block I/O limits", &h, err) < 0)
			return -1;
		/* docker sends weight 0 even where the kernel has no blkio.weight: 0 means unset */
		if (b->has_weight && b->weight && write_u64(h->dir, "blkio.weight", b->weight, err) < 0)
			return -1;
		for (size_t i = 0; i < b->n_weight_device; i++) {
			char v[64];

			if (!b->weight_device[i].has_weight)
				continue;
			snprintf(v, sizeof(v), "%" PRId64 ":%" PRId64 " %u", b->weight_device[i].major,
				 b->weight_device[i].minor, b->weight_device[i].weight);
			if (write_at(h->dir, "blkio.weight_device", v, err) < 0)
				return -1;
		}
		for (size_t i = 0; i < HR_ARRAY_SIZE(t); i++)
			for (size_t k = 0; k < t[i].n; k++) {
				char v[80];

				snprintf(v, sizeof(v), "%" PRId64 ":%" PRId64 " %" PRIu64, t[i].v[k].major,
					 t[i].v[k].minor, t[i].v[k].rate);
				if (write_at(h->dir, t[i].file, v, err) < 0)
					return -1;
			}
	}
	for (size_t i = 0; i < r->n_hugepage_limits; i++) {
		cleanup_free char *f = xasprintf("hugetlb.%s.limit_in_bytes", r->hugepage_limits[i].page_size);

		if (need(cg, "hugetlb", "hugepage limits", &h, err) < 0 ||
		    write_u64(h->dir, f, r->hugepage_limits[i].limit, err) < 0)
			return -1;
	}
	if (r->has_net_class_id && (need(cg, "net_cls", "network class id", &h, err) < 0 ||
				    write_u64(h->dir, "net_cls.classid", r->net_class_id, err) < 0))
		return -1;
	for (size_t i = 0; i < r->n_net_priorities; i++) {
		char v[128];

		snprintf(v, sizeof(v), "%s %u", r->net_priorities[i].name, r->net_priorities[i].priority);
		if (need(cg, "net_prio", "network priorities", &h, err) < 0 ||
		    write_at(h->dir, "net_prio.ifpriomap", v, err) < 0)
			return -1;
	}
	if (r->n_unified)
		return hr_fail(err, ENODEV, "apply linux.resources.unified: this host has no cgroup v2 controllers");
	return 0;
}

static int apply_v2(struct hr_cgroup *cg, const struct hr_resources *r, struct hr_err **err)
{
	const char *d = cg->h[0].dir;

	for (size_t i = 0; i < cg->n; i++)
		if (cg->h[i].v2)
			d = cg->h[i].dir;
	if (apply_devices_v1(cg, r, err) < 0)
		return -1;
	if (r->has_memory) {
		const struct hr_memory *m = &r->memory;

		if (m->has_limit && (m->limit < 0 ? write_at(d, "memory.max", "max", err)
						  : write_i64(d, "memory.max", m->limit, err)) < 0)
			return -1;
		if (m->has_reservation && write_i64(d, "memory.low", m->reservation, err) < 0)
			return -1;
		if (m->has_swap) {
			/* OCI swap is memory+swap; v2 limits swap alone */
			if (m->swap < 0) {
				if (write_at(d, "memory.swap.max", "max", err) < 0)
					return -1;
			} else if (m->has_limit && m->limit >= 0) {
				if (m->swap < m->limit)
					return hr_fail(err, EINVAL,
						       "apply memory: swap %" PRId64 " is below the limit %" PRId64,
						       m->swap, m->limit);
				if (write_i64(d, "memory.swap.max", m->swap - m->limit, err) < 0)
					return -1;
			}
		}
		if (m->has_disable_oom_killer && m->disable_oom_killer)
			return hr_fail(err, EOPNOTSUPP, "apply memory: disableOOMKiller does not exist on cgroup v2");
	}
	if (r->has_pids && (r->pids_limit < 0 ? write_at(d, "pids.max", "max", err)
					      : write_i64(d, "pids.max", r->pids_limit, err)) < 0)
		return -1;
	if (r->has_cpu) {
		const struct hr_cpu *c = &r->cpu;

		if (c->has_shares && c->shares) {
			uint64_t w = c->shares < 2 ? 1 : 1 + ((c->shares - 2) * 9999) / 262142;

			if (write_u64(d, "cpu.weight", w > 10000 ? 10000 : w, err) < 0)
				return -1;
		}
		if ((c->has_quota && c->quota) || (c->has_period && c->period)) {
			char v[64];
			uint64_t period = c->has_period && c->period ? c->period : 100000;

			if (c->has_quota && c->quota > 0)
				snprintf(v, sizeof(v), "%" PRId64 " %" PRIu64, c->quota, period);
			else
				snprintf(v, sizeof(v), "max %" PRIu64, period);
			if (write_at(d, "cpu.max", v, err) < 0)
				return -1;
		}
		if (c->has_burst && write_u64(d, "cpu.max.burst", c->burst, err) < 0)
			return -1;
		if (c->cpus && *c->cpus && write_at(d, "cpuset.cpus", c->cpus, err) < 0)
			return -1;
		if (c->mems && *c->mems && write_at(d, "cpuset.mems", c->mems, err) < 0)
			return -1;
	}
	if (r->has_blkio && r->blkio.has_weight && r->blkio.weight) {
		char v[32];

		snprintf(v, sizeof(v), "default %u", r->blkio.weight);
		if (write_at(d, "io.weight", v, err) < 0)
			return -1;
	}
	for (size_t i = 0; i < r->n_hugepage_limits; i++) {
		cleanup_free char *f = xasprintf("hugetlb.%s.max", r->hugepage_limits[i].page_size);

		if (write_u64(d, f, r->hugepage_limits[i].limit, err) < 0)
			return -1;
	}
	for (size_t i = 0; i < r->n_unified; i++) {
		if (strchr(r->unified[i].key, '/'))
			return hr_fail(err, EINVAL, "apply linux.resources.unified: invalid key `%s`",
				       r->unified[i].key);
		if (write_at(d, r->unified[i].key, r->unified[i].value, err) < 0)
			return -1;
	}
	return 0;
}

int hr_cgroup_apply(struct hr_cgroup *cg, const struct hr_resources *res, struct hr_err **err)
{
	if (!res)
		return 0;
	if (cg->v2only)
		return apply_v2(cg, res, err);
	return apply_v1(cg, res, err);
}

int hr_cgroup_create(struct hr_cgroup *cg, const struct hr_resources *res, struct hr_err **err)
{
	for (size_t i = 0; i < cg->n; i++)
		if (mkdir_hier(&cg->h[i], cg->v2only, err) < 0)
			return -1;
	return hr_cgroup_apply(cg, res, err);
}

int hr_cgroup_enter(struct hr_cgroup *cg, pid_t pid, struct hr_err **err)
{
	char buf[16];

	snprintf(buf, sizeof(buf), "%d", pid);
	for (size_t i = 0; i < cg->n; i++)
		if (write_at(cg->h[i].dir, "cgroup.procs", buf, err) < 0)
			return -1;
	return 0;
}

static struct hier *procs_hier(struct hr_cgroup *cg)
{
	static const char *const pref[] = {"pids", "freezer", "memory", "devices", "cpu"};

	for (size_t i = 0; i < HR_ARRAY_SIZE(pref); i++) {
		struct hier *h = find(cg, pref[i]);

		if (h)
			return h;
	}
	return cg->n ? &cg->h[0] : NULL;
}

int hr_cgroup_pids(struct hr_cgroup *cg, pid_t **pids, size_t *n, struct hr_err **err)
{
	struct hier *h = procs_hier(cg);
	cleanup_free char *p = NULL;
	cleanup_fclose FILE *f = NULL;
	pid_t *v = NULL;
	size_t count = 0;
	long pid;

	*pids = NULL;
	*n = 0;
	if (!h)
		return 0;
	p = hr_path_join(h->dir, "cgroup.procs");
	f = fopen(p, "re");
	if (!f) {
		if (errno == ENOENT)
			return 0;
		return hr_fail(err, errno, "open `%s`", p);
	}
	while (fscanf(f, "%ld", &pid) == 1) {
		v = xrealloc(v, (count + 1) * sizeof(pid_t));
		v[count++] = (pid_t)pid;
	}
	*pids = v;
	*n = count;
	return 0;
}

int hr_cgroup_freeze(struct hr_cgroup *cg, bool frozen, struct hr_err **err)
{
	struct hier *h = NULL;
	char state[64];

	if (cg->v2only) {
		if (write_at(cg->h[0].dir, "cgroup.freeze", frozen ? "1" : "0", err) < 0)
			return -1;
		return 0;
	}
	if (need(cg, "freezer", frozen ? "pause" : "resume", &h, err) < 0)
		return -1;
	for (int i = 0; i < 1000; i++) {
		if (write_at(h->dir, "freezer.state", frozen ? "FROZEN" : "THAWED", err) < 0)
			return -1;
		if (read_at(h->dir, "freezer.state", state, sizeof(state)) == 0 &&
		    strcmp(state, frozen ? "FROZEN" : "THAWED") == 0)
			return 0;
		sleep_ms(1);
	}
	return hr_fail(err, EBUSY, "%s `%s`: the freezer did not settle", frozen ? "freeze" : "thaw", h->dir);
}

int hr_cgroup_is_frozen(struct hr_cgroup *cg, bool *frozen, struct hr_err **err)
{
	struct hier *h = cg->v2only ? &cg->h[0] : find(cg, "freezer");
	char state[64];

	(void)err;
	*frozen = false;
	if (!h)
		return 0;
	if (cg->v2only) {
		if (read_at(h->dir, "cgroup.freeze", state, sizeof(state)) == 0)
			*frozen = strcmp(state, "1") == 0;
		return 0;
	}
	if (read_at(h->dir, "freezer.state", state, sizeof(state)) == 0)
		*frozen = strcmp(state, "THAWED") != 0;
	return 0;
}

int hr_cgroup_kill_all(struct hr_cgroup *cg, int sig, struct hr_err **err)
{
	bool can_freeze = cg->v2only || find(cg, "freezer");
	cleanup_free pid_t *pids = NULL;
	size_t n = 0;
	struct hr_err *tmp = NULL;
	int r;

	if (can_freeze && hr_cgroup_freeze(cg, true, &tmp) < 0) {
		hr_err_free(&tmp);
		can_freeze = false;
	}
	r = hr_cgroup_pids(cg, &pids, &n, err);
	for (size_t i = 0; r == 0 && i < n; i++)
		if (kill(pids[i], sig) < 0 && errno != ESRCH)
			r = hr_fail(err, errno, "signal %d to pid %d", sig, pids[i]);
	if (can_freeze && hr_cgroup_freeze(cg, false, r < 0 ? &tmp : err) < 0) {
		hr_err_free(&tmp);
		return -1;
	}
	hr_err_free(&tmp);
	return r;
}

int hr_cgroup_destroy(struct hr_cgroup *cg, struct hr_err **err)
{
	for (int round = 0; round < 200; round++) {
		cleanup_free pid_t *pids = NULL;
		size_t n = 0;
		struct hr_err *tmp = NULL;

		if (hr_cgroup_pids(cg, &pids, &n, &tmp) < 0) {
			hr_err_free(&tmp);
			break;
		}
		if (n == 0)
			break;
		(void)hr_cgroup_kill_all(cg, SIGKILL, &tmp);
		hr_err_free(&tmp);
		sleep_ms(5);
	}
	for (size_t i = 0; i < cg->n; i++) {
		int tries = 0;

		while (rmdir(cg->h[i].dir) < 0) {
			if (errno == ENOENT)
				break;
			if (errno != EBUSY || ++tries > 200)
				return hr_fail(err, errno, "remove cgroup `%s`", cg->h[i].dir);
			sleep_ms(5);
		}
	}
	return 0;
}
