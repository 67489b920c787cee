/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The systemd cgroup driver's pure mapping: linux.cgroupsPath to unit,
 * parent slice and cgroup path (the forms docker, podman, containerd CRI
 * and kubelet send), nested slice expansion, the characters systemd needs
 * escaped, every malformed path with its exact error line, and the
 * AllowedCPUs bitmask.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "hardrun/error.h"
#include "hardrun/systemd.h"

static void expect_unit(const char *path, const char *id, const char *slice, const char *name, const char *cg,
			bool is_slice)
{
	struct hr_sd_unit u = {0};
	struct hr_err *err = NULL;

	ck_assert_msg(hr_sd_unit_parse(path, id, &u, &err) == 0, "%s: %s", path ? path : "(null)", err ? err->msg : "");
	ck_assert_str_eq(u.slice, slice);
	ck_assert_str_eq(u.name, name);
	ck_assert_str_eq(u.path, cg);
	ck_assert(u.is_slice == is_slice);
	hr_sd_unit_clear(&u);
	ck_assert_ptr_null(u.name);
}

static void expect_fail(const char *path, const char *id, const char *msg)
{
	struct hr_sd_unit u = {0};
	struct hr_err *err = NULL;

	ck_assert_int_eq(hr_sd_unit_parse(path, id, &u, &err), -1);
	ck_assert_ptr_nonnull(err);
	ck_assert_str_eq(err->msg, msg);
	ck_assert_int_eq(err->errnum, 0);
	ck_assert_ptr_null(u.name);
	hr_err_free(&err);
}

START_TEST(engines)
{
	/* dockerd, podman, containerd CRI with SystemdCgroup, as SYSTEMD.md §0 lists them */
	expect_unit("system.slice:docker:4f1c", "4f1c", "system.slice", "docker-4f1c.scope",
		    "/system.slice/docker-4f1c.scope", false);
	expect_unit("machine.slice:libpod:abc", "abc", "machine.slice", "libpod-abc.scope",
		    "/machine.slice/libpod-abc.scope", false);
	expect_unit("kubepods-besteffort-pod12ab_cd34.slice:cri-containerd:c1", "c1",
		    "kubepods-besteffort-pod12ab_cd34.slice", "cri-containerd-c1.scope",
		    "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod12ab_cd34.slice/"
		    "cri-containerd-c1.scope",
		    false);
	expect_unit("user.slice:docker:x", "x", "user.slice", "docker-x.scope", "/user.slice/docker-x.scope", false);
}
END_TEST

START_TEST(defaults)
{
	expect_unit(NULL, "web", "system.slice", "hardrun-web.scope", "/system.slice/hardrun-web.scope", false);
	expect_unit("", "web.1", "system.slice", "hardrun-web.1.scope", "/system.slice/hardrun-web.1.scope", false);
	expect_unit(":docker:x", "x", "system.slice", "docker-x.scope", "/system.slice/docker-x.scope", false);
	expect_unit("system.slice::x", "x", "system.slice", "x.scope", "/system.slice/x.scope", false);
	/* the root slice */
	expect_unit("-.slice:p:x", "x", "-.slice", "p-x.scope", "/p-x.scope", false);
}
END_TEST

START_TEST(slice_units)
{
	/* a name ending in .slice is the unit itself, as runc does for kubelet's pod slices */
	expect_unit("kubepods.slice:p:kubepods-burstable.slice", "x", "kubepods.slice", "kubepods-burstable.slice",
		    "/kubepods.slice/kubepods-burstable.slice", true);
	expect_unit("::a-b.slice", "x", "a.slice", "a-b.slice", "/a.slice/a-b.slice", true);
	expect_unit("::top.slice", "x", "-.slice", "top.slice", "/top.slice", true);
	expect_fail("system.slice:p:kubepods-burstable.slice", "x",
		    "config.json: linux.cgroupsPath: `system.slice:p:kubepods-burstable.slice`: slice unit "
		    "`kubepods-burstable.slice` belongs in `kubepods.slice`, not in `system.slice`");
}
END_TEST

START_TEST(expand)
{
	struct hr_err *err = NULL;
	char *p = NULL;

	ck_assert_int_eq(hr_sd_slice_expand("-.slice", &p, &err), 0);
	ck_assert_str_eq(p, "/");
	free(p);
	ck_assert_int_eq(hr_sd_slice_expand("a.slice", &p, &err), 0);
	ck_assert_str_eq(p, "/a.slice");
	free(p);
	ck_assert_int_eq(hr_sd_slice_expand("a-b-c.slice", &p, &err), 0);
	ck_assert_str_eq(p, "/a.slice/a-b.slice/a-b-c.slice");
	free(p);
	ck_assert_int_eq(hr_sd_slice_expand("a_b-c:d.slice", &p, &err), 0);
	ck_assert_str_eq(p, "/a_b.slice/a_b-c:d.slice");
	free(p);
}
END_TEST

START_TEST(malformed)
{
#define MALFORMED "config.json: linux.cgroupsPath: `%s`: expected \"slice:prefix:name\" for the systemd cgroup driver"
	const char *bad[] = {"/system.slice/x", "system.slice:x", "a:b:c:d", "x"};
	char want[300];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(want, sizeof(want), MALFORMED, bad[i]);
		expect_fail(bad[i], "x", want);
	}
	expect_fail("system.slice:docker:", "x",
		    "config.json: linux.cgroupsPath: `system.slice:docker:`: the name part is empty");
	expect_fail("system:docker:x", "x",
		    "config.json: linux.cgroupsPath: `system:docker:x`: slice `system`: a slice name ends in `.slice`");
	expect_fail(".slice:docker:x", "x",
		    "config.json: linux.cgroupsPath: `.slice:docker:x`: slice `.slice`: a slice name ends in `.slice`");
	expect_fail("a--b.slice:docker:x", "x",
		    "config.json: linux.cgroupsPath: `a--b.slice:docker:x`: slice `a--b.slice`: empty component "
		    "between dashes");
	expect_fail("-a.slice:docker:x", "x",
		    "config.json: linux.cgroupsPath: `-a.slice:docker:x`: slice `-a.slice`: empty component between "
		    "dashes");
	expect_fail("a-.slice:docker:x", "x",
		    "config.json: linux.cgroupsPath: `a-.slice:docker:x`: slice `a-.slice`: empty component between "
		    "dashes");
	expect_fail("::a--b.slice", "x",
		    "config.json: linux.cgroupsPath: `::a--b.slice`: slice `a--b.slice`: empty component between "
		    "dashes");
}
END_TEST

START_TEST(escaping)
{
	char longname[300];

	/* systemd would need \x escapes for these; hardrun refuses rather than guess */
	expect_fail("system.slice:docker:a b", "x",
		    "config.json: linux.cgroupsPath: `system.slice:docker:a b`: name `a b`: character ` ` needs "
		    "escaping in a systemd unit name");
	expect_fail("system.slice:dock/er:x", "x",
		    "config.json: linux.cgroupsPath: `system.slice:dock/er:x`: prefix `dock/er`: character `/` "
		    "needs escaping in a systemd unit name");
	expect_fail("sys/tem.slice:docker:x", "x",
		    "config.json: linux.cgroupsPath: `sys/tem.slice:docker:x`: slice `sys/tem.slice`: must not "
		    "contain `/`");
	expect_fail("sys\\x2dtem.slice:docker:x", "x",
		    "config.json: linux.cgroupsPath: `sys\\x2dtem.slice:docker:x`: slice `sys\\x2dtem.slice`: "
		    "character `\\` needs escaping in a systemd unit name");
	expect_fail("system.slice:docker:a+b", "x",
		    "config.json: linux.cgroupsPath: `system.slice:docker:a+b`: name `a+b`: character `+` needs "
		    "escaping in a systemd unit name");
	/* a runc-valid container id that systemd cannot take, with the default path */
	expect_fail("", "a+b",
		    "config.json: linux.cgroupsPath: ``: container id `a+b`: character `+` needs escaping in a "
		    "systemd unit name");
	/* kubelet's escaping of a pod UID's dashes is plain text here */
	expect_unit("kubepods-pod1_2.slice:cri-containerd:x", "x", "kubepods-pod1_2.slice", "cri-containerd-x.scope",
		    "/kubepods.slice/kubepods-pod1_2.slice/cri-containerd-x.scope", false);
	memset(longname, 'a', 250);
	longname[250] = '\0';
	{
		char path[320], want[1100];

		snprintf(path, sizeof(path), "system.slice:docker:%s", longname);
		snprintf(want, sizeof(want),
			 "config.json: linux.cgroupsPath: `%s`: unit name `docker-%s.scope` is longer than 255 "
			 "characters",
			 path, longname);
		expect_fail(path, "x", want);
	}
}
END_TEST

START_TEST(cpuset_mask)
{
	struct hr_err *err = NULL;
	uint8_t *m = NULL;
	size_t n = 0;

	ck_assert_int_eq(hr_sd_cpuset_mask("0-3,8", "linux.resources.cpu.cpus", &m, &n, &err), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_uint_eq(m[0], 0x0f);
	ck_assert_uint_eq(m[1], 0x01);
	free(m);
	ck_assert_int_eq(hr_sd_cpuset_mask("1", "linux.resources.cpu.cpus", &m, &n, &err), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(m[0], 0x02);
	free(m);
	ck_assert_int_eq(hr_sd_cpuset_mask("", "linux.resources.cpu.mems", &m, &n, &err), 0);
	ck_assert_uint_eq(n, 0);
	ck_assert_ptr_null(m);
	ck_assert_int_eq(hr_sd_cpuset_mask("3-1", "linux.resources.cpu.cpus", &m, &n, &err), -1);
	ck_assert_str_eq(err->msg, "config.json: linux.resources.cpu.cpus: `3-1`: bad range");
	hr_err_free(&err);
	ck_assert_int_eq(hr_sd_cpuset_mask("0,", "linux.resources.cpu.cpus", &m, &n, &err), -1);
	ck_assert_str_eq(err->msg, "config.json: linux.resources.cpu.cpus: `0,`: expected a list such as `0-3,8`");
	hr_err_free(&err);
	ck_assert_int_eq(hr_sd_cpuset_mask("9000", "linux.resources.cpu.mems", &m, &n, &err), -1);
	ck_assert_str_eq(err->msg, "config.json: linux.resources.cpu.mems: `9000`: expected a list such as `0-3,8` "
				   "(numbers up to 8191)");
	hr_err_free(&err);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("sdunit");
	TCase *tc = tcase_create("sdunit");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, engines);
	tcase_add_test(tc, defaults);
	tcase_add_test(tc, slice_units);
	tcase_add_test(tc, expand);
	tcase_add_test(tc, malformed);
	tcase_add_test(tc, escaping);
	tcase_add_test(tc, cpuset_mask);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
