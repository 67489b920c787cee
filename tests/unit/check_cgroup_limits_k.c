/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hr_cgroup_limits: the limits `audit` reads back from a container's
 * cgroup, on a fake v2 tree and a fake v1 tree in a tmpdir (the v2 paths
 * cannot run for real on the hybrid development machines): which file,
 * its text, its value, "max"/-1/v1's huge number as unlimited, a missing
 * memsw as absent, and a garbage value as an error naming the path.
 */
#include <check.h>
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hardrun/cgroup.h"
#include "hardrun/strutil.h"

static const char *const MI_V2 = "41 31 0:38 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 "
				 "cgroup2 rw,nsdelegate\n";

static const char *const MI_V1 = "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
				 "32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
				 "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
				 "39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids\n"
				 "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n";

static char tmp[64];

static void put(const char *rel, const char *content)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s%s", tmp, rel);
	for (char *p = path + strlen(tmp) + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		(void)mkdir(path, 0755);
		*p = '/';
	}
	f = fopen(path, "we");
	ck_assert_ptr_nonnull(f);
	fputs(content, f);
	fclose(f);
}

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static void setup(void)
{
	snprintf(tmp, sizeof(tmp), "/tmp/hr-cglim.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmp));
}

static void teardown(void)
{
	(void)nftw(tmp, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void rm(const char *rel)
{
	char path[512];

	snprintf(path, sizeof(path), "%s%s", tmp, rel);
	ck_assert_int_eq(unlink(path), 0);
}

static struct hr_cgroup *open_fake(const char *mountinfo)
{
	struct hr_cgroup *cg = NULL;
	struct hr_err *err = NULL;

	ck_assert_msg(hr_cgroup_open_at("/web", mountinfo, tmp, &cg, &err) == 0, "%s", err ? err->msg : "");
	return cg;
}

static void expect(const struct hr_cgroup_file *f, const char *dir_rel, const char *name, const char *text,
		   uint64_t value)
{
	char dir[512];

	snprintf(dir, sizeof(dir), "%s%s", tmp, dir_rel);
	ck_assert_ptr_nonnull(f->dir);
	ck_assert_str_eq(f->dir, dir);
	ck_assert_str_eq(f->name, name);
	ck_assert_str_eq(f->text, text);
	ck_assert_uint_eq(f->value, value);
}

START_TEST(v2_limits)
{
	char want[256];
	struct hr_cgroup *cg;
	struct hr_cgroup_limits l;
	struct hr_err *err = NULL;

	put("/sys/fs/cgroup/web/memory.max", "33554432\n");
	put("/sys/fs/cgroup/web/memory.swap.max", "0\n");
	put("/sys/fs/cgroup/web/pids.max", "max\n");
	put("/sys/fs/cgroup/web/cpu.max", "50000 100000\n");
	put("/sys/fs/cgroup/web/cpu.weight", "100\n");
	cg = open_fake(MI_V2);
	ck_assert_int_eq(hr_cgroup_limits(cg, &l, &err), 0);
	ck_assert(l.v2);
	expect(&l.memory, "/sys/fs/cgroup/web", "memory.max", "33554432", 33554432);
	expect(&l.swap, "/sys/fs/cgroup/web", "memory.swap.max", "0", 0);
	expect(&l.pids, "/sys/fs/cgroup/web", "pids.max", "max", HR_CGROUP_UNLIMITED);
	expect(&l.cpu_quota, "/sys/fs/cgroup/web", "cpu.max", "50000 100000", 50000);
	expect(&l.cpu_weight, "/sys/fs/cgroup/web", "cpu.weight", "100", 100);
	hr_cgroup_limits_free(&l);

	/* no quota; the swap controller file absent (memory controller not enabled for swap) */
	put("/sys/fs/cgroup/web/cpu.max", "max 100000\n");
	rm("/sys/fs/cgroup/web/memory.swap.max");
	ck_assert_int_eq(hr_cgroup_limits(cg, &l, &err), 0);
	expect(&l.cpu_quota, "/sys/fs/cgroup/web", "cpu.max", "max 100000", HR_CGROUP_UNLIMITED);
	ck_assert_ptr_null(l.swap.dir);
	ck_assert_str_eq(l.swap.name, "memory.swap.max");
	hr_cgroup_limits_free(&l);

	put("/sys/fs/cgroup/web/pids.max", "lots\n");
	ck_assert_int_eq(hr_cgroup_limits(cg, &l, &err), -1);
	ck_assert_int_eq(err->errnum, EINVAL);
	snprintf(want, sizeof(want), "read `%s/sys/fs/cgroup/web/pids.max`: `lots` is not a number", tmp);
	ck_assert_str_eq(err->msg, want);
	ck_assert_ptr_null(l.memory.dir);
	hr_err_free(&err);
	hr_cgroup_free(cg);
}
END_TEST

START_TEST(v1_limits)
{
	struct hr_cgroup *cg;
	struct hr_cgroup_limits l;
	struct hr_err *err = NULL;

	put("/sys/fs/cgroup/memory/web/memory.limit_in_bytes", "9223372036854771712\n");
	put("/sys/fs/cgroup/memory/web/memory.memsw.limit_in_bytes", "9223372036854771712\n");
	put("/sys/fs/cgroup/pids/web/pids.max", "64\n");
	put("/sys/fs/cgroup/cpu/web/cpu.cfs_quota_us", "-1\n");
	put("/sys/fs/cgroup/cpu/web/cpu.shares", "1024\n");
	cg = open_fake(MI_V1);
	ck_assert_int_eq(hr_cgroup_limits(cg, &l, &err), 0);
	ck_assert(!l.v2);
	expect(&l.memory, "/sys/fs/cgroup/memory/web", "memory.limit_in_bytes", "9223372036854771712",
	       HR_CGROUP_UNLIMITED);
	expect(&l.swap, "/sys/fs/cgroup/memory/web", "memory.memsw.limit_in_bytes", "9223372036854771712",
	       HR_CGROUP_UNLIMITED);
	expect(&l.pids, "/sys/fs/cgroup/pids/web", "pids.max", "64", 64);
	expect(&l.cpu_quota, "/sys/fs/cgroup/cpu/web", "cpu.cfs_quota_us", "-1", HR_CGROUP_UNLIMITED);
	expect(&l.cpu_weight, "/sys/fs/cgroup/cpu/web", "cpu.shares", "1024", 1024);
	hr_cgroup_limits_free(&l);

	/* without swap accounting the memsw file does not exist: absent, not an error */
	put("/sys/fs/cgroup/memory/web/memory.limit_in_bytes", "33554432\n");
	rm("/sys/fs/cgroup/memory/web/memory.memsw.limit_in_bytes");
	ck_assert_int_eq(hr_cgroup_limits(cg, &l, &err), 0);
	expect(&l.memory, "/sys/fs/cgroup/memory/web", "memory.limit_in_bytes", "33554432", 33554432);
	ck_assert_ptr_null(l.swap.dir);
	hr_cgroup_limits_free(&l);
	hr_cgroup_free(cg);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("cgroup_limits");
	TCase *tc = tcase_create("cgroup_limits");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 20);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, v2_limits);
	tcase_add_test(tc, v1_limits);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
