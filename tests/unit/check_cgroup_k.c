/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The cgroup module: path resolution, layout detection and the exact files
 * written on v2 and v1, against fake cgroupfs trees in a tmpdir; then, as
 * root on a v1/hybrid host, real limits, enter, freeze, kill_all, destroy,
 * a fork bomb stopped by pids.max and an OOM kill.  Real cgroups live under
 * /hardrun-test-<pid> and are removed by an unchecked fixture even when a
 * test fails.  Exits 77 when the real tests could not run (not root, or no
 * v1 memory/pids/cpu/cpuset/freezer), after running the fake ones.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hardrun/cgroup.h"
#include "hardrun/strutil.h"

static const char *const MI_V2 =
	"41 31 0:38 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 "
	"rw,nsdelegate,memory_recursiveprot\n";

static const char *const MI_V1 =
	"22 1 0:20 / /sys rw - sysfs sysfs rw\n"
	"31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
	"32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
	"33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct\n"
	"34 31 0:31 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset\n"
	"35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
	"36 31 0:33 / /sys/fs/cgroup/devices rw,relatime - cgroup cgroup rw,devices\n"
	"37 31 0:34 / /sys/fs/cgroup/freezer rw,relatime - cgroup cgroup rw,freezer\n"
	"38 31 0:35 / /sys/fs/cgroup/blkio rw,relatime - cgroup cgroup rw,blkio\n"
	"39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids\n"
	"40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,name=systemd\n"
	"41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n";

static char tmp[64];
static char real_base[64];

/* --- fake tree helpers --- */

/* Whole file without the trailing newline; NULL when it cannot be read. */
static char *slurp(const char *dir, const char *file)
{
	char *path = xasprintf("%s/%s", dir, file);
	char *buf = NULL;
	size_t cap = 0, len;
	FILE *f = fopen(path, "re");

	free(path);
	if (f == NULL)
		return NULL;
	len = getdelim(&buf, &cap, '\0', f);
	fclose(f);
	if (len == (size_t)-1) {
		free(buf);
		return xstrdup("");
	}
	while (len > 0 && buf[len - 1] == '\n')
		buf[--len] = '\0';
	return buf;
}

static void mkdir_p(const char *path)
{
	char buf[512];

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *p = buf + 1; *p; p++) {
		if (*p == '/') {
			*p = '\0';
			(void)mkdir(buf, 0755);
			*p = '/';
		}
	}
	(void)mkdir(buf, 0755);
}

static void mkdir_rel(const char *rel)
{
	char path[512];

	snprintf(path, sizeof(path), "%s%s", tmp, rel);
	mkdir_p(path);
}

static void put(const char *rel, const char *content)
{
	char path[512], dir[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s%s", tmp, rel);
	snprintf(dir, sizeof(dir), "%s", path);
	*strrchr(dir, '/') = '\0';
	mkdir_p(dir);
	f = fopen(path, "we");
	ck_assert_ptr_nonnull(f);
	fputs(content, f);
	fclose(f);
}

static char *get(const char *rel)
{
	char path[512];

	snprintf(path, sizeof(path), "%s%s", tmp, rel);
	*strrchr(path, '/') = '\0';
	return slurp(path, strrchr(rel, '/') + 1);
}

static void expect(const char *rel, const char *want)
{
	char *got = get(rel);

	ck_assert_msg(got != NULL, "missing %s", rel);
	ck_assert_msg(strcmp(got, want) == 0, "%s: got `%s`, want `%s`", rel, got, want);
	free(got);
}

static bool exists(const char *rel)
{
	char path[512];
	struct stat st;

	snprintf(path, sizeof(path), "%s%s", tmp, rel);
	return stat(path, &st) == 0;
}

/* Position of a whole journal line, or -1. */
static long journal_pos(const char *line)
{
	char *j = get("/journal");
	char *needle = xasprintf("%s\n", line);
	char *hit;
	long pos = -1;

	if (j) {
		char *jn = xasprintf("\n%s\n", j);
		char *nn = xasprintf("\n%s", needle);

		hit = strstr(jn, nn);
		pos = hit ? hit - jn : -1;
		free(jn);
		free(nn);
	}
	free(j);
	free(needle);
	return pos;
}

static int rm_cb(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static void fake_setup(void)
{
	snprintf(tmp, sizeof(tmp), "/tmp/hr-cgroup-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmp));
}

static void fake_teardown(void)
{
	if (tmp[0])
		nftw(tmp, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
}

static struct hr_cgroup *open_fake(const char *path, const char *mountinfo)
{
	struct hr_cgroup *cg = NULL;
	struct hr_err *err = NULL;

	ck_assert_msg(hr_cgroup_open_at(path, mountinfo, tmp, &cg, &err) == 0, "%s", err ? err->msg : "");
	return cg;
}

static void expect_err(int rc, struct hr_err **err, int errnum, const char *msg)
{
	ck_assert_int_eq(rc, -1);
	ck_assert_ptr_nonnull(*err);
	ck_assert_str_eq((*err)->msg, msg);
	ck_assert_int_eq((*err)->errnum, errnum);
	hr_err_free(err);
}

/* --- path resolution and layout --- */

START_TEST(resolve_paths)
{
	struct hr_err *err = NULL;
	char *p = NULL;

	ck_assert_int_eq(hr_cgroup_resolve_path(NULL, "web", &p, &err), 0);
	ck_assert_str_eq(p, "/web");
	free(p);
	ck_assert_int_eq(hr_cgroup_resolve_path("", "web", &p, &err), 0);
	ck_assert_str_eq(p, "/web");
	free(p);
	ck_assert_int_eq(hr_cgroup_resolve_path("/docker//abc/./def/", "x", &p, &err), 0);
	ck_assert_str_eq(p, "/docker/abc/def");
	free(p);
	ck_assert_int_eq(hr_cgroup_resolve_path("a/b", "x", &p, &err), 0);
	ck_assert_str_eq(p, "/a/b");
	free(p);
	ck_assert_int_eq(hr_cgroup_resolve_path("/kubepods/pod:1/c", "x", &p, &err), 0);
	ck_assert_str_eq(p, "/kubepods/pod:1/c");
	free(p);
	expect_err(hr_cgroup_resolve_path("/a/../b", "x", &p, &err), &err, 0,
		   "cgroupsPath `/a/../b`: `..` is not allowed");
	expect_err(hr_cgroup_resolve_path("system.slice:docker:abc", "x", &p, &err), &err, 0,
		   "cgroupsPath `system.slice:docker:abc`: a systemd cgroup path needs --systemd-cgroup");
	expect_err(hr_cgroup_resolve_path("//./", "x", &p, &err), &err, 0,
		   "cgroupsPath `//./`: refers to the root cgroup");
	expect_err(hr_cgroup_resolve_path(NULL, "a/b", &p, &err), &err, 0,
		   "cgroup for container `a/b`: invalid container id");
}
END_TEST

START_TEST(layouts)
{
	struct hr_cgroup *cg = NULL;
	struct hr_err *err = NULL;
	const char *comounted = "32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct\n"
				"35 31 0:32 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n"
				"36 31 0:32 / /mnt/memory\\040bind rw - cgroup cgroup rw,memory\n";

	cg = open_fake("/c", MI_V2);
	ck_assert_int_eq(hr_cgroup_layout(cg), HR_CGROUP_UNIFIED);
	ck_assert_ptr_null(hr_cgroup_dir(cg, "memory"));
	hr_cgroup_free(cg);

	cg = open_fake("/c", MI_V1);
	ck_assert_int_eq(hr_cgroup_layout(cg), HR_CGROUP_HYBRID);
	ck_assert_ptr_nonnull(strstr(hr_cgroup_dir(cg, "cpu"), "/sys/fs/cgroup/cpu/c"));
	ck_assert_ptr_nonnull(strstr(hr_cgroup_dir(cg, "cpuacct"), "/sys/fs/cgroup/cpuacct/c"));
	ck_assert_ptr_nonnull(strstr(hr_cgroup_dir(cg, "name=systemd"), "/sys/fs/cgroup/systemd/c"));
	ck_assert_ptr_nonnull(strstr(hr_cgroup_dir(cg, ""), "/sys/fs/cgroup/unified/c"));
	hr_cgroup_free(cg);

	cg = open_fake("/c", comounted);
	ck_assert_int_eq(hr_cgroup_layout(cg), HR_CGROUP_LEGACY);
	ck_assert_str_eq(hr_cgroup_dir(cg, "cpu"), hr_cgroup_dir(cg, "cpuacct"));
	ck_assert_ptr_nonnull(strstr(hr_cgroup_dir(cg, "cpu"), "/sys/fs/cgroup/cpu,cpuacct/c"));
	ck_assert_ptr_nonnull(strstr(hr_cgroup_dir(cg, "memory"), "/sys/fs/cgroup/memory/c"));
	ck_assert_ptr_null(hr_cgroup_dir(cg, ""));
	hr_cgroup_free(cg);

	/* A named hierarchy alone does not make a v1 layout. */
	cg = open_fake("/c", "40 31 0:37 / /sys/fs/cgroup/systemd rw - cgroup cgroup rw,name=systemd\n"
			     "41 31 0:38 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw\n");
	ck_assert_int_eq(hr_cgroup_layout(cg), HR_CGROUP_UNIFIED);
	hr_cgroup_free(cg);

	expect_err(hr_cgroup_open_at("/c", "22 1 0:20 / /sys rw - sysfs sysfs rw\n", tmp, &cg, &err), &err, ENOENT,
		   "open cgroup `/c`: no cgroup filesystem is mounted");
	expect_err(hr_cgroup_open_at("/a/../b", MI_V2, tmp, &cg, &err), &err, EINVAL,
		   "open cgroup `/a/../b`: not a clean absolute path below the root");
}
END_TEST

/* --- v2 fake tree --- */

static void v2_tree(void)
{
	static const char *const leaf[] = {"memory.max", "memory.low",	  "memory.swap.max", "memory.high", "pids.max",
					   "cpu.weight", "cpu.max.burst", "cpuset.cpus",     "cpuset.mems", "io.weight",
					   "io.max",	 "cgroup.procs",  "cgroup.freeze"};

	put("/sys/fs/cgroup/cgroup.controllers", "cpuset cpu io memory hugetlb pids\n");
	put("/sys/fs/cgroup/cgroup.subtree_control", "\n");
	put("/sys/fs/cgroup/c/cgroup.controllers", "cpuset cpu io memory pids\n");
	put("/sys/fs/cgroup/c/cgroup.subtree_control", "\n");
	for (size_t i = 0; i < HR_ARRAY_SIZE(leaf); i++) {
		char rel[128];

		snprintf(rel, sizeof(rel), "/sys/fs/cgroup/c/%s", leaf[i]);
		put(rel, "");
	}
	put("/sys/fs/cgroup/c/cpu.max", "max 100000\n");
	put("/sys/fs/cgroup/c/memory.current", "4096\n");
}

START_TEST(v2_apply_exact)
{
	struct hr_blkio_throttle rbps = {.major = 8, .minor = 0, .rate = 1048576};
	struct hr_kv unified[] = {{"memory.high", "30000000"}};
	struct hr_resources r = {0};
	struct hr_cgroup *cg = NULL;
	struct hr_err *err = NULL;

	v2_tree();
	r.has_memory = true;
	r.memory.has_limit = true;
	r.memory.limit = 33554432;
	r.memory.has_swap = true;
	r.memory.swap = 67108864;
	r.memory.has_reservation = true;
	r.memory.reservation = 1048576;
	r.has_pids = true;
	r.pids_limit = 5;
	r.has_cpu = true;
	r.cpu.has_shares = true;
	r.cpu.shares = 1024;
	r.cpu.has_quota = true;
	r.cpu.quota = 50000;
	r.cpu.has_period = true;
	r.cpu.period = 100000;
	r.cpu.has_burst = true;
	r.cpu.burst = 1000;
	r.cpu.cpus = "0-1";
	r.cpu.mems = "0";
	r.has_blkio = true;
	r.blkio.has_weight = true;
	r.blkio.weight = 500;
	r.blkio.throttle_read_bps = &rbps;
	r.blkio.n_throttle_read_bps = 1;
	r.unified = unified;
	r.n_unified = 1;

	cg = open_fake("/c", MI_V2);
	ck_assert_msg(hr_cgroup_create(cg, &r, &err) == 0, "%s", err ? err->msg : "");
	expect("/sys/fs/cgroup/c/memory.max", "33554432");
	expect("/sys/fs/cgroup/c/memory.swap.max", "33554432"); /* swap total 64M - memory 32M */
	expect("/sys/fs/cgroup/c/memory.low", "1048576");
	expect("/sys/fs/cgroup/c/pids.max", "5");
	expect("/sys/fs/cgroup/c/cpu.weight", "39"); /* 1 + (1022 * 9999) / 262142 */
	expect("/sys/fs/cgroup/c/cpu.max", "50000 100000");
	expect("/sys/fs/cgroup/c/cpu.max.burst", "1000");
	expect("/sys/fs/cgroup/c/cpuset.cpus", "0-1");
	expect("/sys/fs/cgroup/c/cpuset.mems", "0");
	expect("/sys/fs/cgroup/c/io.weight", "4950"); /* 1 + (490 * 9999) / 990 */
	expect("/sys/fs/cgroup/c/io.max", "8:0 rbps=1048576");
	expect("/sys/fs/cgroup/c/memory.high", "30000000");
	/* The parent hands every controller it has down; swap is set before memory as runc does. */
	ck_assert_int_ge(journal_pos("/sys/fs/cgroup/cgroup.subtree_control +memory"), 0);
	ck_assert_int_ge(journal_pos("/sys/fs/cgroup/cgroup.subtree_control +hugetlb"), 0);
	ck_assert_int_lt(journal_pos("/sys/fs/cgroup/c/memory.swap.max 33554432"),
			 journal_pos("/sys/fs/cgroup/c/memory.max 33554432"));

	/* update: "unlimited" forms, 0 pids is a limit, swap equal to memory means no swap, period alone keeps quota.
	 */
	memset(&r, 0, sizeof(r));
	r.has_pids = true;
	r.pids_limit = 0;
	r.has_memory = true;
	r.memory.has_limit = true;
	r.memory.limit = 1 << 20;
	r.memory.has_swap = true;
	r.memory.swap = 1 << 20;
	r.has_cpu = true;
	r.cpu.has_period = true;
	r.cpu.period = 250000;
	put("/sys/fs/cgroup/c/cpu.max", "max 100000\n");
	ck_assert_msg(hr_cgroup_apply(cg, &r, &err) == 0, "%s", err ? err->msg : "");
	expect("/sys/fs/cgroup/c/pids.max", "0");
	expect("/sys/fs/cgroup/c/memory.swap.max", "0");
	expect("/sys/fs/cgroup/c/memory.max", "1048576");
	expect("/sys/fs/cgroup/c/cpu.max", "max 250000");

	r.pids_limit = -1;
	r.memory.limit = -1;
	r.memory.has_swap = false;
	r.cpu.has_quota = true;
	r.cpu.quota = -1;
	r.cpu.has_period = false;
	r.cpu.has_shares = true;
	r.cpu.shares = 2;
	ck_assert_msg(hr_cgroup_apply(cg, &r, &err) == 0, "%s", err ? err->msg : "");
	expect("/sys/fs/cgroup/c/pids.max", "max");
	expect("/sys/fs/cgroup/c/memory.max", "max");
	expect("/sys/fs/cgroup/c/memory.swap.max", "max");
	expect("/sys/fs/cgroup/c/cpu.max", "max");
	expect("/sys/fs/cgroup/c/cpu.weight", "1");
	r.cpu.shares = 262144;
	ck_assert_int_eq(hr_cgroup_apply(cg, &r, &err), 0);
	expect("/sys/fs/cgroup/c/cpu.weight", "10000");

	/* update --memory-swap alone (docker update): against the memory.max in force, which stays */
	memset(&r, 0, sizeof(r));
	r.has_memory = true;
	r.memory.has_swap = true;
	r.memory.swap = 100663296;
	put("/sys/fs/cgroup/c/memory.max", "33554432");
	ck_assert_msg(hr_cgroup_apply(cg, &r, &err) == 0, "%s", err ? err->msg : "");
	expect("/sys/fs/cgroup/c/memory.swap.max", "67108864"); /* 96M total - 32M memory */
	expect("/sys/fs/cgroup/c/memory.max", "33554432");
	/* no memory limit in force: a swap limit has nothing to be measured against */
	put("/sys/fs/cgroup/c/memory.max", "max");
	expect_err(hr_cgroup_apply(cg, &r, &err), &err, 0, "apply memory swap: a swap limit needs a memory limit");
	hr_cgroup_free(cg);
}
END_TEST

START_TEST(v2_errors)
{
	struct hr_hugepage_limit huge = {.page_size = "2MB", .limit = 1 << 21};
	struct hr_device_rule deny = {.allow = false, .type = 'a', .major = -1, .minor = -1};
	struct hr_kv bad_ctrl[] = {{"hugetlb.2MB.max", "0"}};
	struct hr_kv no_file[] = {{"memory.nonexistent", "1"}};
	struct hr_kv escape[] = {{"../memory.max", "1"}};
	struct hr_resources r = {0};
	struct hr_cgroup *cg = NULL;
	struct hr_err *err = NULL;
	char *dir;

	v2_tree();
	cg = open_fake("/c", MI_V2);
	dir = xasprintf("%s/sys/fs/cgroup/c", tmp);

	r.hugepage_limits = &huge;
	r.n_hugepage_limits = 1;
	{
		char *want = xasprintf("apply hugepage limit: controller `hugetlb` is not available in `%s`", dir);

		expect_err(hr_cgroup_apply(cg, &r, &err), &err, 0, want);
		free(want);
	}
	memset(&r, 0, sizeof(r));
	r.unified = bad_ctrl;
	r.n_unified = 1;
	{
		char *want = xasprintf("apply unified `hugetlb.2MB.max`: controller `hugetlb` is not available in `%s`",
				       dir);

		expect_err(hr_cgroup_apply(cg, &r, &err), &err, 0, want);
		free(want);
	}
	r.unified = no_file;
	{
		char *want = xasprintf("open `%s/memory.nonexistent`", dir);

		expect_err(hr_cgroup_apply(cg, &r, &err), &err, ENOENT, want);
		free(want);
	}
	r.unified = escape;
	expect_err(hr_cgroup_apply(cg, &r, &err), &err, 0, "apply unified: bad key `../memory.max`");

	memset(&r, 0, sizeof(r));
	r.devices = &deny;
	r.n_devices = 1;
	put("/sys/fs/cgroup/c/bpf.device", "");
	ck_assert_msg(hr_cgroup_apply(cg, &r, &err) == 0, "%s", err ? err->msg : "");
	expect("/sys/fs/cgroup/c/bpf.device", "13"); /* 6 prologue + 5 for the rule + 2 default deny */
	deny.access = "rx";
	expect_err(hr_cgroup_apply(cg, &r, &err), &err, 0, "apply device rules: bad access `rx`");

	memset(&r, 0, sizeof(r));
	r.has_memory = true;
	r.memory.has_limit = true;
	r.memory.limit = 2 << 20;
	r.memory.has_swap = true;
	r.memory.swap = 1 << 20;
	expect_err(hr_cgroup_apply(cg, &r, &err), &err, 0,
		   "apply memory swap: memory+swap `1048576` is below the memory limit `2097152`");
	r.memory.has_limit = false;
	expect_err(hr_cgroup_apply(cg, &r, &err), &err, 0, "apply memory swap: a swap limit needs a memory limit");

	memset(&r, 0, sizeof(r));
	r.has_cpu = true;
	r.cpu.has_realtime_runtime = true;
	r.cpu.realtime_runtime = 1000;
	expect_err(hr_cgroup_apply(cg, &r, &err), &err, ENOTSUP, "apply cpu realtime: not supported on cgroup v2");

	/* Controller not delegated to this cgroup. */
	put("/sys/fs/cgroup/c/cgroup.controllers", "cpu\n");
	memset(&r, 0, sizeof(r));
	r.has_pids = true;
	r.pids_limit = 10;
	{
		char *want = xasprintf("apply pids limit: controller `pids` is not available in `%s`", dir);

		expect_err(hr_cgroup_apply(cg, &r, &err), &err, 0, want);
		free(want);
	}
	free(dir);
	hr_cgroup_free(cg);
}
END_TEST

START_TEST(v2_stats_freeze)
{
	struct hr_cgroup_stats st;
	struct hr_cgroup *cg = NULL;
	struct hr_err *err = NULL;
	bool frozen = true;

	v2_tree();
	put("/sys/fs/cgroup/c/memory.max", "max\n");
	put("/sys/fs/cgroup/c/memory.events", "low 0\nhigh 0\nmax 7\noom 2\noom_kill 2\n");
	put("/sys/fs/cgroup/c/pids.current", "3\n");
	put("/sys/fs/cgroup/c/pids.max", "5\n");
	put("/sys/fs/cgroup/c/cpu.stat", "usage_usec 1500\nuser_usec 1000\nsystem_usec 500\nnr_periods 4\n"
					 "nr_throttled 2\nthrottled_usec 30\n");
	put("/sys/fs/cgroup/c/cgroup.events", "populated 1\nfrozen 0\n");
	cg = open_fake("/c", MI_V2);
	ck_assert_msg(hr_cgroup_stats(cg, &st, &err) == 0, "%s", err ? err->msg : "");
	ck_assert(st.has_memory && st.has_pids && st.has_cpu);
	ck_assert_uint_eq(st.memory_usage, 4096);
	ck_assert_uint_eq(st.memory_limit, HR_CGROUP_UNLIMITED);
	ck_assert_uint_eq(st.memory_failcnt, 7);
	ck_assert_uint_eq(st.oom_kill, 2);
	ck_assert_uint_eq(st.pids_current, 3);
	ck_assert_uint_eq(st.pids_limit, 5);
	ck_assert_uint_eq(st.cpu_usage_ns, 1500000);
	ck_assert_uint_eq(st.cpu_throttled_ns, 30000);
	ck_assert_int_eq(hr_cgroup_is_frozen(cg, &frozen, &err), 0);
	ck_assert(!frozen);
	/* The fake kernel never reports frozen: the request times out and is undone. */
	put("/sys/fs/cgroup/c/cgroup.events", "populated 1\nfrozen 0\n");
	ck_assert_int_eq(hr_cgroup_freeze(cg, false, &err), 0);
	expect("/sys/fs/cgroup/c/cgroup.freeze", "0");
	hr_cgroup_free(cg);
}
END_TEST

START_TEST(v2_create_destroy_records)
{
	struct hr_cgroup *cg = NULL;
	struct hr_err *err = NULL;

	put("/sys/fs/cgroup/cgroup.controllers", "memory pids\n");
	put("/sys/fs/cgroup/cgroup.subtree_control", "memory\n");
	mkdir_rel("/sys/fs/cgroup/shared");

	/* Rollback removes exactly what create made: the three new levels. */
	cg = open_fake("/a/b/c", MI_V2);
	ck_assert_msg(hr_cgroup_create(cg, NULL, &err) == 0, "%s", err ? err->msg : "");
	ck_assert(exists("/sys/fs/cgroup/a/b/c"));
	ck_assert_int_eq(journal_pos("/sys/fs/cgroup/cgroup.subtree_control +memory"), -1);
	ck_assert_int_ge(journal_pos("/sys/fs/cgroup/cgroup.subtree_control +pids"), 0);
	ck_assert_msg(hr_cgroup_destroy(cg, &err) == 0, "%s", err ? err->msg : "");
	ck_assert(!exists("/sys/fs/cgroup/a"));
	ck_assert(exists("/sys/fs/cgroup/cgroup.controllers"));
	ck_assert_int_eq(hr_cgroup_destroy(cg, &err), 0); /* idempotent */
	hr_cgroup_free(cg);

	/* A shared parent that existed before is never removed. */
	cg = open_fake("/shared/c", MI_V2);
	ck_assert_int_eq(hr_cgroup_create(cg, NULL, &err), 0);
	mkdir_rel("/sys/fs/cgroup/shared/c/sub"); /* a cgroup the container made */
	ck_assert_int_eq(hr_cgroup_destroy(cg, &err), 0);
	ck_assert(!exists("/sys/fs/cgroup/shared/c"));
	ck_assert(exists("/sys/fs/cgroup/shared"));
	hr_cgroup_free(cg);

	/* create twice on one object keeps the record of what the first made. */
	cg = open_fake("/t/u", MI_V2);
	ck_assert_int_eq(hr_cgroup_create(cg, NULL, &err), 0);
	ck_assert_int_eq(hr_cgroup_create(cg, NULL, &err), 0);
	ck_assert_int_eq(hr_cgroup_destroy(cg, &err), 0);
	ck_assert(!exists("/sys/fs/cgroup/t"));
	hr_cgroup_free(cg);

	/* Same path again: nothing created, nothing removed by a rollback. */
	mkdir_rel("/sys/fs/cgroup/shared/d");
	put("/sys/fs/cgroup/shared/d/cgroup.procs", ""); /* as the kernel has it in every cgroup */
	cg = open_fake("/shared/d", MI_V2);
	ck_assert_int_eq(hr_cgroup_create(cg, NULL, &err), 0);
	ck_assert_int_eq(hr_cgroup_destroy(cg, &err), 0);
	ck_assert(exists("/sys/fs/cgroup/shared/d"));
	hr_cgroup_free(cg);

	/* An existing leaf with processes is someone else's: refused, and left alone. */
	put("/sys/fs/cgroup/shared/d/cgroup.procs", "4242\n");
	cg = open_fake("/shared/d", MI_V2);
	expect_err(hr_cgroup_create(cg, NULL, &err), &err, EBUSY,
		   "linux.cgroupsPath: cgroup `/shared/d` is not empty: 1 process(es), pid 4242 first");
	ck_assert_int_eq(hr_cgroup_destroy(cg, &err), 0);
	ck_assert(exists("/sys/fs/cgroup/shared/d"));
	hr_cgroup_free(cg);

	/* Opened from state: only the leaf goes. */
	mkdir_rel("/sys/fs/cgroup/p/q");
	cg = open_fake("/p/q", MI_V2);
	ck_assert_int_eq(hr_cgroup_destroy(cg, &err), 0);
	ck_assert(!exists("/sys/fs/cgroup/p/q"));
	ck_assert(exists("/sys/fs/cgroup/p"));
	hr_cgroup_free(cg);

	/* ...unless the state dir's record says create made the parents too (delete is another process). */
	cg = open_fake("/r/s", MI_V2);
	ck_assert_int_eq(hr_cgroup_create(cg, NULL, &err), 0);
	{
		char *rec = hr_cgroup_created_record(cg);

		ck_assert_str_eq(rec, "2");
		hr_cgroup_free(cg);
		cg = open_fake("/r/s", MI_V2);
		/* a record that does not fit is ignored: too many levels, other hierarchy count, junk */
		hr_cgroup_created_restore(cg, "3");
		hr_cgroup_created_restore(cg, "2 2");
		hr_cgroup_created_restore(cg, "x");
		ck_assert_int_eq(hr_cgroup_destroy(cg, &err), 0);
		ck_assert(exists("/sys/fs/cgroup/r"));
		ck_assert(!exists("/sys/fs/cgroup/r/s"));
		hr_cgroup_free(cg);
		mkdir_rel("/sys/fs/cgroup/r/s");
		cg = open_fake("/r/s", MI_V2);
		hr_cgroup_created_restore(cg, rec);
		ck_assert_int_eq(hr_cgroup_destroy(cg, &err), 0);
		ck_assert(!exists("/sys/fs/cgroup/r"));
		hr_cgroup_free(cg);
		free(rec);
	}
}
END_TEST

/* --- v1 fake tree --- */

static void v1_tree(void)
{
	static const char *const files[] = {
		"memory/c/memory.limit_in_bytes",
		"memory/c/memory.memsw.limit_in_bytes",
		"memory/c/memory.soft_limit_in_bytes",
		"memory/c/memory.swappiness",
		"memory/c/memory.oom_control",
		"pids/c/pids.max",
		"cpu/c/cpu.shares",
		"cpu/c/cpu.cfs_quota_us",
		"cpu/c/cpu.cfs_period_us",
		"cpu/c/cpu.rt_period_us",
		"cpu/c/cpu.rt_runtime_us",
		"cpuset/c/cpuset.cpus",
		"cpuset/c/cpuset.mems",
		"devices/c/devices.allow",
		"devices/c/devices.deny",
		"blkio/c/blkio.throttle.read_bps_device",
		"blkio/c/blkio.throttle.write_iops_device",
		"freezer/c/freezer.state",
	};
	static const char *const hiers[] = {"cpu",     "cpuacct", "cpuset", "memory",  "devices",
					    "freezer", "blkio",	  "pids",   "systemd", "unified"};

	for (size_t i = 0; i < HR_ARRAY_SIZE(files); i++) {
		char rel[160];

		snprintf(rel, sizeof(rel), "/sys/fs/cgroup/%s", files[i]);
		put(rel, "");
	}
	for (size_t i = 0; i < HR_ARRAY_SIZE(hiers); i++) {
		char rel[160];

		snprintf(rel, sizeof(rel), "/sys/fs/cgroup/%s/c/cgroup.procs", hiers[i]);
		put(rel, "");
	}
	put("/sys/fs/cgroup/memory/c/memory.limit_in_bytes", "9223372036854771712\n");
	put("/sys/fs/cgroup/memory/c/memory.memsw.limit_in_bytes", "9223372036854771712\n");
	put("/sys/fs/cgroup/cpuset/cpuset.cpus", "0-3\n");
	put("/sys/fs/cgroup/cpuset/cpuset.mems", "0\n");
}

START_TEST(v1_apply_exact)
{
	struct hr_device_rule rules[] = {
		{.allow = false, .type = 'a', .major = -1, .minor = -1, .access = "rwm"},
		{.allow = true, .type = 'c', .major = 1, .minor = 3, .access = "rwm"},
		{.allow = true, .type = 'c', .major = -1, .minor = -1, .access = "m"},
		{.allow = true, .type = 'b', .major = 8, .minor = -1, .access = "r"},
		{.allow = false, .type = 'c', .major = 5, .minor = 1, .access = NULL},
	};
	struct hr_blkio_throttle wiops = {.major = 8, .minor = 16, .rate = 100};
	struct hr_resources r = {0};
	struct hr_cgroup *cg = NULL;
	struct hr_err *err = NULL;

	v1_tree();
	r.has_memory = true;
	r.memory.has_limit = true;
	r.memory.limit = 33554432;
	r.memory.has_swap = true;
	r.memory.swap = 67108864;
	r.memory.has_reservation = true;
	r.memory.reservation = 16777216;
	r.memory.has_swappiness = true;
	r.memory.swappiness = 0;
	r.memory.has_disable_oom_killer = true;
	r.memory.disable_oom_killer = true;
	r.has_pids = true;
	r.pids_limit = 5;
	r.has_cpu = true;
	r.cpu.has_shares = true;
	r.cpu.shares = 512;
	r.cpu.has_quota = true;
	r.cpu.quota = 20000;
	r.cpu.has_period = true;
	r.cpu.period = 100000;
	r.cpu.mems = "0";
	r.has_blkio = true;
	r.blkio.has_weight = true;
	r.blkio.weight = 0; /* docker: "nothing to say", blkio.weight is missing here */
	r.blkio.throttle_write_iops = &wiops;
	r.blkio.n_throttle_write_iops = 1;
	r.devices = rules;
	r.n_devices = HR_ARRAY_SIZE(rules);

	cg = open_fake("/c", MI_V1);
	ck_assert_msg(hr_cgroup_create(cg, &r, &err) == 0, "%s", err ? err->msg : "");
	expect("/sys/fs/cgroup/memory/c/memory.limit_in_bytes", "33554432");
	expect("/sys/fs/cgroup/memory/c/memory.memsw.limit_in_bytes", "67108864");
	expect("/sys/fs/cgroup/memory/c/memory.soft_limit_in_bytes", "16777216");
	expect("/sys/fs/cgroup/memory/c/memory.swappiness", "0");
	expect("/sys/fs/cgroup/memory/c/memory.oom_control", "1");
	expect("/sys/fs/cgroup/pids/c/pids.max", "5");
	expect("/sys/fs/cgroup/cpu/c/cpu.shares", "512");
	expect("/sys/fs/cgroup/cpu/c/cpu.cfs_quota_us", "20000");
	expect("/sys/fs/cgroup/cpu/c/cpu.cfs_period_us", "100000");
	expect("/sys/fs/cgroup/cpuset/c/cpuset.cpus", "0-3"); /* copied from the parent */
	expect("/sys/fs/cgroup/cpuset/c/cpuset.mems", "0");
	expect("/sys/fs/cgroup/blkio/c/blkio.throttle.write_iops_device", "8:16 100");
	/* Lowering from unlimited: the limit goes first, memsw must never be below it. */
	ck_assert_int_lt(journal_pos("/sys/fs/cgroup/memory/c/memory.limit_in_bytes 33554432"),
			 journal_pos("/sys/fs/cgroup/memory/c/memory.memsw.limit_in_bytes 67108864"));
	ck_assert_int_lt(journal_pos("/sys/fs/cgroup/cpu/c/cpu.cfs_period_us 100000"),
			 journal_pos("/sys/fs/cgroup/cpu/c/cpu.cfs_quota_us 20000"));
	/* Device rules: deny-all, then each rule in order. */
	{
		long a = journal_pos("/sys/fs/cgroup/devices/c/devices.deny a");
		long b = journal_pos("/sys/fs/cgroup/devices/c/devices.deny a *:* rwm");
		long c = journal_pos("/sys/fs/cgroup/devices/c/devices.allow c 1:3 rwm");
		long d = journal_pos("/sys/fs/cgroup/devices/c/devices.allow c *:* m");
		long e = journal_pos("/sys/fs/cgroup/devices/c/devices.allow b 8:* r");
		long f = journal_pos("/sys/fs/cgroup/devices/c/devices.deny c 5:1 rwm");

		ck_assert(a >= 0 && a < b && b < c && c < d && d < e && e < f);
	}
	/* Hybrid: the cgroup2 directory is made as runc does, and every hierarchy is entered. */
	ck_assert(exists("/sys/fs/cgroup/unified/c"));
	ck_assert_int_eq(hr_cgroup_enter(cg, 4242, &err), 0);
	expect("/sys/fs/cgroup/systemd/c/cgroup.procs", "4242");
	expect("/sys/fs/cgroup/cpuacct/c/cgroup.procs", "4242");
	expect("/sys/fs/cgroup/unified/c/cgroup.procs", "4242");

	/* Raising both: memsw first. */
	memset(&r, 0, sizeof(r));
	r.has_memory = true;
	r.memory.has_limit = true;
	r.memory.limit = 134217728;
	r.memory.has_swap = true;
	r.memory.swap = 268435456;
	r.has_pids = true;
	r.pids_limit = -1;
	ck_assert_msg(hr_cgroup_apply(cg, &r, &err) == 0, "%s", err ? err->msg : "");
	ck_assert_int_lt(journal_pos("/sys/fs/cgroup/memory/c/memory.memsw.limit_in_bytes 268435456"),
			 journal_pos("/sys/fs/cgroup/memory/c/memory.limit_in_bytes 134217728"));
	expect("/sys/fs/cgroup/pids/c/pids.max", "max");
	r.pids_limit = 0;
	ck_assert_int_eq(hr_cgroup_apply(cg, &r, &err), 0);
	expect("/sys/fs/cgroup/pids/c/pids.max", "0");
	hr_cgroup_free(cg);
}
END_TEST

START_TEST(v1_errors)
{
	struct hr_hugepage_limit huge = {.page_size = "2MB", .limit = 1 << 21};
	struct hr_kv unified[] = {{"memory.high", "1"}};
	struct hr_resources r = {0};
	struct hr_cgroup *cg = NULL;
	struct hr_err *err = NULL;
	char *want;

	v1_tree();
	cg = open_fake("/c", MI_V1);
	r.hugepage_limits = &huge;
	r.n_hugepage_limits = 1;
	expect_err(hr_cgroup_apply(cg, &r, &err), &err, 0, "apply hugepage limit: controller `hugetlb` is not mounted");
	/* A hybrid host whose cgroup2 mount holds hugetlb takes the limit there. */
	put("/sys/fs/cgroup/unified/c/cgroup.controllers", "hugetlb\n");
	put("/sys/fs/cgroup/unified/c/hugetlb.2MB.max", "max\n");
	ck_assert_msg(hr_cgroup_apply(cg, &r, &err) == 0, "%s", err ? err->msg : "");
	expect("/sys/fs/cgroup/unified/c/hugetlb.2MB.max", "2097152");
	memset(&r, 0, sizeof(r));
	r.has_net_class_id = true;
	r.net_class_id = 0x100001;
	expect_err(hr_cgroup_apply(cg, &r, &err), &err, 0, "apply network class: controller `net_cls` is not mounted");

	memset(&r, 0, sizeof(r));
	r.has_blkio = true;
	r.blkio.has_weight = true;
	r.blkio.weight = 500;
	want = xasprintf("apply blkio weight: `%s/sys/fs/cgroup/blkio/c/blkio.weight` is missing", tmp);
	expect_err(hr_cgroup_apply(cg, &r, &err), &err, ENOENT, want);
	free(want);

	memset(&r, 0, sizeof(r));
	r.has_cpu = true;
	r.cpu.has_burst = true;
	r.cpu.burst = 10;
	want = xasprintf("open `%s/sys/fs/cgroup/cpu/c/cpu.cfs_burst_us`", tmp);
	expect_err(hr_cgroup_apply(cg, &r, &err), &err, ENOENT, want);
	free(want);

	/* unified keys go to the hybrid cgroup2 directory, which has no controllers. */
	memset(&r, 0, sizeof(r));
	r.unified = unified;
	r.n_unified = 1;
	want = xasprintf(
		"apply unified `memory.high`: controller `memory` is not available in `%s/sys/fs/cgroup/unified/c`",
		tmp);
	expect_err(hr_cgroup_apply(cg, &r, &err), &err, 0, want);
	free(want);
	hr_cgroup_free(cg);

	/* A host without the memory hierarchy cannot honour a memory limit. */
	cg = open_fake("/c", "39 31 0:36 / /sys/fs/cgroup/pids rw - cgroup cgroup rw,pids\n");
	memset(&r, 0, sizeof(r));
	r.has_memory = true;
	r.memory.has_limit = true;
	r.memory.limit = 1 << 20;
	expect_err(hr_cgroup_apply(cg, &r, &err), &err, 0, "apply memory limit: controller `memory` is not mounted");
	memset(&r, 0, sizeof(r));
	r.unified = unified;
	r.n_unified = 1;
	expect_err(hr_cgroup_apply(cg, &r, &err), &err, 0, "apply unified: cgroup v2 is not mounted");
	hr_cgroup_free(cg);
}
END_TEST

START_TEST(v1_stats)
{
	struct hr_cgroup_stats st;
	struct hr_cgroup *cg = NULL;
	struct hr_err *err = NULL;

	v1_tree();
	put("/sys/fs/cgroup/memory/c/memory.usage_in_bytes", "1000\n");
	put("/sys/fs/cgroup/memory/c/memory.max_usage_in_bytes", "2000\n");
	put("/sys/fs/cgroup/memory/c/memory.failcnt", "3\n");
	put("/sys/fs/cgroup/memory/c/memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 4\n");
	put("/sys/fs/cgroup/pids/c/pids.current", "2\n");
	put("/sys/fs/cgroup/pids/c/pids.max", "max\n");
	put("/sys/fs/cgroup/cpuacct/c/cpuacct.usage", "123456789\n");
	put("/sys/fs/cgroup/cpuacct/c/cpuacct.stat", "user 10\nsystem 5\n");
	put("/sys/fs/cgroup/cpu/c/cpu.stat", "nr_periods 9\nnr_throttled 8\nthrottled_time 7\n");
	cg = open_fake("/c", MI_V1);
	ck_assert_msg(hr_cgroup_stats(cg, &st, &err) == 0, "%s", err ? err->msg : "");
	ck_assert_uint_eq(st.memory_usage, 1000);
	ck_assert_uint_eq(st.memory_limit, HR_CGROUP_UNLIMITED);
	ck_assert_uint_eq(st.memory_max_usage, 2000);
	ck_assert_uint_eq(st.memory_failcnt, 3);
	ck_assert_uint_eq(st.oom_kill, 4);
	ck_assert_uint_eq(st.pids_current, 2);
	ck_assert_uint_eq(st.pids_limit, HR_CGROUP_UNLIMITED);
	ck_assert_uint_eq(st.cpu_usage_ns, 123456789);
	ck_assert_uint_eq(st.cpu_user_ns, 10 * (1000000000ULL / (uint64_t)sysconf(_SC_CLK_TCK)));
	ck_assert_uint_eq(st.cpu_nr_throttled, 8);
	ck_assert_uint_eq(st.cpu_throttled_ns, 7);
	hr_cgroup_free(cg);
}
END_TEST

/* --- real v1 cgroups (root) --- */

static bool real_ok(void)
{
	struct hr_cgroup *cg = NULL;
	struct hr_err *err = NULL;
	bool ok;

	if (geteuid() != 0)
		return false;
	if (hr_cgroup_open("/probe", &cg, &err) < 0) {
		hr_err_free(&err);
		return false;
	}
	ok = hr_cgroup_layout(cg) != HR_CGROUP_UNIFIED && hr_cgroup_dir(cg, "memory") && hr_cgroup_dir(cg, "pids") &&
	     hr_cgroup_dir(cg, "cpu") && hr_cgroup_dir(cg, "cpuset") && hr_cgroup_dir(cg, "freezer");
	hr_cgroup_free(cg);
	return ok;
}

static void real_setup(void)
{
	snprintf(real_base, sizeof(real_base), "/hardrun-test-%d", (int)getpid());
}

/* Runs in the runner process even when a test failed: kill and remove everything below real_base. */
static void real_teardown(void)
{
	struct hr_cgroup *cg = NULL;
	struct hr_err *err = NULL;

	if (hr_cgroup_open(real_base, &cg, &err) == 0 && hr_cgroup_destroy(cg, &err) < 0)
		fprintf(stderr, "cleanup %s: %s\n", real_base, err->msg);
	hr_err_free(&err);
	hr_cgroup_free(cg);
}

static struct hr_cgroup *real_create(const char *leaf, const struct hr_resources *r)
{
	char *path = xasprintf("%s/%s", real_base, leaf);
	struct hr_cgroup *cg = NULL;
	struct hr_err *err = NULL;

	ck_assert_msg(hr_cgroup_open(path, &cg, &err) == 0, "%s", err ? err->msg : "");
	ck_assert_msg(hr_cgroup_create(cg, r, &err) == 0, "%s", err ? err->msg : "");
	free(path);
	return cg;
}

static char *read_at(const char *dir, const char *file)
{
	char *s = slurp(dir, file);

	ck_assert_msg(s != NULL, "read %s/%s: %s", dir, file, strerror(errno));
	return s;
}

/* A child that waits on a pipe before running fn, so the parent can move it first. */
static pid_t spawn_waiting(int *go_fd, int *res_fd, void (*fn)(int res))
{
	int go[2], res[2];
	pid_t pid;

	ck_assert_int_eq(pipe2(go, O_CLOEXEC), 0);
	ck_assert_int_eq(pipe2(res, O_CLOEXEC), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		char c;

		close(go[1]);
		close(res[0]);
		if (read(go[0], &c, 1) != 1)
			_exit(2);
		fn(res[1]);
		_exit(0);
	}
	close(go[0]);
	close(res[1]);
	*go_fd = go[1];
	*res_fd = res[0];
	return pid;
}

static void just_pause(int res)
{
	(void)res;
	for (;;)
		pause();
}

START_TEST(real_lifecycle)
{
	static const char *const ctrls[] = {"cpu",     "cpuacct", "cpuset", "memory",	    "devices",
					    "freezer", "blkio",	  "pids",   "name=systemd", ""};
	struct hr_cgroup *base = NULL;
	struct hr_resources r = {0};
	struct hr_cgroup *cg;
	struct hr_err *err = NULL;
	pid_t *pids = NULL;
	size_t n = 0;
	int go, res, status;
	bool frozen = false;
	pid_t child;
	char *s, *root_cpus;

	r.has_memory = true;
	r.memory.has_limit = true;
	r.memory.limit = 64 << 20;
	r.memory.has_swap = true;
	r.memory.swap = 64 << 20;
	r.has_pids = true;
	r.pids_limit = 10;
	r.has_cpu = true;
	r.cpu.has_shares = true;
	r.cpu.shares = 512;
	cg = real_create("x", &r);

	s = read_at(hr_cgroup_dir(cg, "memory"), "memory.limit_in_bytes");
	ck_assert_str_eq(s, "67108864");
	free(s);
	s = read_at(hr_cgroup_dir(cg, "memory"), "memory.memsw.limit_in_bytes");
	ck_assert_str_eq(s, "67108864");
	free(s);
	s = read_at(hr_cgroup_dir(cg, "pids"), "pids.max");
	ck_assert_str_eq(s, "10");
	free(s);
	s = read_at(hr_cgroup_dir(cg, "cpu"), "cpu.shares");
	ck_assert_str_eq(s, "512");
	free(s);
	{
		/* The cpuset mount point: the cgroup's directory without its path. */
		const char *d = hr_cgroup_dir(cg, "cpuset");
		char *mnt = xstrndup(d, strlen(d) - strlen(real_base) - strlen("/x"));

		root_cpus = read_at(mnt, "cpuset.cpus");
		free(mnt);
	}
	s = read_at(hr_cgroup_dir(cg, "cpuset"), "cpuset.cpus");
	ck_assert_str_eq(s, root_cpus);
	free(s);
	free(root_cpus);

	child = spawn_waiting(&go, &res, just_pause);
	ck_assert_msg(hr_cgroup_enter(cg, child, &err) == 0, "%s", err ? err->msg : "");
	ck_assert_int_eq(write(go, "g", 1), 1);
	ck_assert_msg(hr_cgroup_pids(cg, &pids, &n, &err) == 0, "%s", err ? err->msg : "");
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(pids[0], child);
	free(pids);

	ck_assert_msg(hr_cgroup_freeze(cg, true, &err) == 0, "%s", err ? err->msg : "");
	ck_assert_int_eq(hr_cgroup_is_frozen(cg, &frozen, &err), 0);
	ck_assert(frozen);
	ck_assert_msg(hr_cgroup_freeze(cg, false, &err) == 0, "%s", err ? err->msg : "");
	ck_assert_int_eq(hr_cgroup_is_frozen(cg, &frozen, &err), 0);
	ck_assert(!frozen);

	ck_assert_msg(hr_cgroup_kill_all(cg, SIGKILL, &err) == 0, "%s", err ? err->msg : "");
	ck_assert_int_eq(waitpid(child, &status, 0), child);
	ck_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	close(go);
	close(res);

	ck_assert_msg(hr_cgroup_destroy(cg, &err) == 0, "%s", err ? err->msg : "");
	/* x and its parent real_base were both made by create: nothing is left anywhere. */
	ck_assert_int_eq(hr_cgroup_open(real_base, &base, &err), 0);
	for (size_t i = 0; i < HR_ARRAY_SIZE(ctrls); i++) {
		const char *p = hr_cgroup_dir(base, ctrls[i]);
		struct stat st;

		ck_assert_msg(p == NULL || (stat(p, &st) < 0 && errno == ENOENT), "%s left behind", p);
	}
	hr_cgroup_free(base);
	hr_cgroup_free(cg);
}
END_TEST

static void fork_bomb(int res)
{
	int forked = 0, e = 0;

	for (int i = 0; i < 100; i++) {
		pid_t p = fork();

		if (p < 0) {
			e = errno;
			break;
		}
		if (p == 0) {
			for (;;)
				pause();
		}
		forked++;
	}
	{
		int out[2] = {forked, e};

		(void)!write(res, out, sizeof(out));
	}
	for (;;)
		pause();
}

static void try_devices(int res)
{
	int rc = 0, fd;

	/* Bit per unexpected outcome. */
	fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		rc |= 1;
	close(fd);
	fd = open("/dev/zero", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		rc |= 2;
	close(fd);
	fd = open("/dev/zero", O_WRONLY | O_CLOEXEC);
	if (fd >= 0 || errno != EPERM)
		rc |= 4;
	close(fd);
	fd = open("/dev/full", O_RDONLY | O_CLOEXEC);
	if (fd >= 0 || errno != EPERM)
		rc |= 8;
	close(fd);
	_exit(rc == 0 ? 0 : 10 + rc);
	(void)res;
}

/* The eBPF device program, on the hybrid host's real (controller-less) cgroup2 mount. */
START_TEST(real_v2_devices)
{
	struct hr_device_rule rules[] = {
		{.allow = false, .type = 'a', .major = -1, .minor = -1, .access = "rwm"},
		{.allow = true, .type = 'c', .major = 1, .minor = 3, .access = NULL},
		{.allow = true, .type = 'c', .major = 1, .minor = -1, .access = "r"},
		{.allow = false, .type = 'c', .major = 1, .minor = 7, .access = "r"},
	};
	struct hr_resources r = {0};
	struct hr_cgroup *probe = NULL, *cg = NULL;
	struct hr_err *err = NULL;
	char *mnt, *mi, *path;
	int go, res, status;
	pid_t child;

	ck_assert_int_eq(hr_cgroup_open("/probe", &probe, &err), 0);
	if (hr_cgroup_dir(probe, "") == NULL) {
		hr_cgroup_free(probe);
		return; /* legacy host: no cgroup2 mount to try the program on */
	}
	mnt = xstrndup(hr_cgroup_dir(probe, ""), strlen(hr_cgroup_dir(probe, "")) - strlen("/probe"));
	mi = xasprintf("1 1 0:0 / %s rw - cgroup2 cgroup2 rw\n", mnt);
	path = xasprintf("%s/dev", real_base);
	ck_assert_int_eq(hr_cgroup_open_at(path, mi, NULL, &cg, &err), 0);
	ck_assert_int_eq(hr_cgroup_layout(cg), HR_CGROUP_UNIFIED);
	r.devices = rules;
	r.n_devices = HR_ARRAY_SIZE(rules);
	ck_assert_msg(hr_cgroup_create(cg, &r, &err) == 0, "%s", err ? err->msg : "");
	/* Applying again replaces the program instead of stacking a second one. */
	ck_assert_msg(hr_cgroup_apply(cg, &r, &err) == 0, "%s", err ? err->msg : "");
	child = spawn_waiting(&go, &res, try_devices);
	ck_assert_msg(hr_cgroup_enter(cg, child, &err) == 0, "%s", err ? err->msg : "");
	ck_assert_int_eq(write(go, "g", 1), 1);
	ck_assert_int_eq(waitpid(child, &status, 0), child);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "status %#x", status);
	ck_assert_msg(hr_cgroup_destroy(cg, &err) == 0, "%s", err ? err->msg : "");
	close(go);
	close(res);
	free(mnt);
	free(mi);
	free(path);
	hr_cgroup_free(cg);
	hr_cgroup_free(probe);
}
END_TEST

START_TEST(real_pids_limit)
{
	struct hr_resources r = {0};
	struct hr_cgroup *cg;
	struct hr_err *err = NULL;
	int go, res, out[2] = {-1, -1};
	pid_t child;

	r.has_pids = true;
	r.pids_limit = 5;
	cg = real_create("bomb", &r);
	child = spawn_waiting(&go, &res, fork_bomb);
	ck_assert_msg(hr_cgroup_enter(cg, child, &err) == 0, "%s", err ? err->msg : "");
	ck_assert_int_eq(write(go, "g", 1), 1);
	ck_assert_int_eq(read(res, out, sizeof(out)), sizeof(out));
	/* The child itself counts: 4 more, then EAGAIN. */
	ck_assert_int_eq(out[0], 4);
	ck_assert_int_eq(out[1], EAGAIN);
	ck_assert_msg(hr_cgroup_destroy(cg, &err) == 0, "%s", err ? err->msg : "");
	ck_assert_int_eq(waitpid(child, NULL, 0), child);
	close(go);
	close(res);
	hr_cgroup_free(cg);
}
END_TEST

/* The init's own join (cgroup_join.c): `tasks` files opened here, "0" written by the child itself. */
static struct hr_cgjoin self_join;

static void join_self(int res)
{
	struct hr_err *err = NULL;
	int r = hr_cgjoin_child(&self_join, &err);

	(void)!write(res, &r, sizeof(r));
	hr_err_free(&err);
	for (;;)
		pause();
}

START_TEST(real_self_join)
{
	struct hr_cgroup *cg;
	struct hr_err *err = NULL;
	int go, res, r = -1;
	pid_t child;

	cg = real_create("self", NULL);
	ck_assert_msg(hr_cgjoin_open(cg, &self_join, &err) == 0, "%s", err ? err->msg : "");
	ck_assert_uint_gt(self_join.n, 0);
	child = spawn_waiting(&go, &res, join_self);
	/* not joined yet: the check refuses it, naming the cgroup */
	ck_assert_int_eq(hr_cgjoin_verify(cg, &self_join, child, &err), -1);
	ck_assert_ptr_nonnull(strstr(err->msg, "/self"));
	hr_err_free(&err);
	ck_assert_int_eq(write(go, "g", 1), 1);
	ck_assert_int_eq(read(res, &r, sizeof(r)), sizeof(r));
	ck_assert_int_eq(r, 0);
	ck_assert_msg(hr_cgjoin_verify(cg, &self_join, child, &err) == 0, "%s", err ? err->msg : "");
	hr_cgjoin_free(&self_join);
	kill(child, SIGKILL);
	ck_assert_int_eq(waitpid(child, NULL, 0), child);
	ck_assert_msg(hr_cgroup_destroy(cg, &err) == 0, "%s", err ? err->msg : "");
	close(go);
	close(res);
	hr_cgroup_free(cg);
}
END_TEST

static void hog(int res)
{
	(void)res;
	for (int i = 0; i < 1024; i++) {
		char *p = malloc(1 << 20);

		if (p == NULL)
			_exit(3);
		memset(p, 0x5a, 1 << 20);
	}
	_exit(4);
}

START_TEST(real_oom)
{
	struct hr_cgroup_stats st;
	struct hr_resources r = {0};
	struct hr_cgroup *cg;
	struct hr_err *err = NULL;
	int go, res, status;
	pid_t child;

	r.has_memory = true;
	r.memory.has_limit = true;
	r.memory.limit = 32 << 20;
	r.memory.has_swap = true;
	r.memory.swap = 32 << 20;
	cg = real_create("oom", &r);
	child = spawn_waiting(&go, &res, hog);
	ck_assert_msg(hr_cgroup_enter(cg, child, &err) == 0, "%s", err ? err->msg : "");
	ck_assert_int_eq(write(go, "g", 1), 1);
	ck_assert_int_eq(waitpid(child, &status, 0), child);
	ck_assert_msg(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "status %#x", status);
	ck_assert_msg(hr_cgroup_stats(cg, &st, &err) == 0, "%s", err ? err->msg : "");
	ck_assert(st.has_memory);
	ck_assert_uint_ge(st.oom_kill, 1);
	ck_assert_uint_eq(st.memory_limit, 32 << 20);
	ck_assert_msg(hr_cgroup_destroy(cg, &err) == 0, "%s", err ? err->msg : "");
	close(go);
	close(res);
	hr_cgroup_free(cg);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("cgroup");
	TCase *tc;
	SRunner *sr;
	bool real = real_ok();
	int failed;

	tc = tcase_create("path");
	tcase_set_timeout(tc, 10);
	tcase_add_checked_fixture(tc, fake_setup, fake_teardown);
	tcase_add_test(tc, resolve_paths);
	tcase_add_test(tc, layouts);
	suite_add_tcase(s, tc);

	tc = tcase_create("v2_fake");
	tcase_set_timeout(tc, 20);
	tcase_add_checked_fixture(tc, fake_setup, fake_teardown);
	tcase_add_test(tc, v2_apply_exact);
	tcase_add_test(tc, v2_errors);
	tcase_add_test(tc, v2_stats_freeze);
	tcase_add_test(tc, v2_create_destroy_records);
	suite_add_tcase(s, tc);

	tc = tcase_create("v1_fake");
	tcase_set_timeout(tc, 20);
	tcase_add_checked_fixture(tc, fake_setup, fake_teardown);
	tcase_add_test(tc, v1_apply_exact);
	tcase_add_test(tc, v1_errors);
	tcase_add_test(tc, v1_stats);
	suite_add_tcase(s, tc);

	if (real) {
		tc = tcase_create("v1_real");
		tcase_set_timeout(tc, 60);
		tcase_add_unchecked_fixture(tc, real_setup, real_teardown);
		tcase_add_test(tc, real_lifecycle);
		tcase_add_test(tc, real_pids_limit);
		tcase_add_test(tc, real_self_join);
		tcase_add_test(tc, real_oom);
		tcase_add_test(tc, real_v2_devices);
		suite_add_tcase(s, tc);
	} else {
		fprintf(stderr, "check_cgroup_k: real cgroup tests skipped: %s\n",
			geteuid() != 0 ? "not root" : "no v1 memory/pids/cpu/cpuset/freezer hierarchies");
	}

	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	if (failed)
		return EXIT_FAILURE;
	if (!real && getenv("HR_TEST_MUST_RUN") && strcmp(getenv("HR_TEST_MUST_RUN"), "1") == 0)
		return EXIT_FAILURE;
	return real ? EXIT_SUCCESS : 77;
}
