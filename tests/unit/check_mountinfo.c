/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mountinfo lines and overlay super options, as the kernel prints them
 * (strings copied from this machine's /proc/self/mountinfo): escapes, both
 * lowerdir spellings, the layers a rebuild cannot find.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "hardrun/mountinfo.h"
#include "hardrun/strutil.h"

START_TEST(line_fields)
{
	struct hr_mountinfo m;

	ck_assert_int_eq(hr_mountinfo_parse_line("51 27 0:43 / /tmp/a\\040b rw,nosuid,relatime shared:7 master:1 - "
						 "overlay overlay rw,lowerdir=/l\\054x,upperdir=/u,workdir=/w\n",
						 &m),
			 0);
	ck_assert_int_eq(m.id, 51);
	ck_assert_str_eq(m.root, "/");
	ck_assert_str_eq(m.mount_point, "/tmp/a b");
	ck_assert_str_eq(m.mount_opts, "rw,nosuid,relatime");
	ck_assert_str_eq(m.fstype, "overlay");
	ck_assert_str_eq(m.source, "overlay");
	/* still escaped: a ',' in a path must not split the option list */
	ck_assert_str_eq(m.super_opts, "rw,lowerdir=/l\\054x,upperdir=/u,workdir=/w");
	hr_mountinfo_clear(&m);
	ck_assert_int_eq(hr_mountinfo_parse_line("51 27 0:43 / /tmp rw,relatime", &m), -1);
	ck_assert_int_eq(hr_mountinfo_parse_line("x 27 0:43 / /tmp rw - ext4 /dev/vda rw", &m), -1);
	hr_mountinfo_clear(&m);
}
END_TEST

START_TEST(overlay_lowerdir_list)
{
	struct hr_overlay_layers o;
	struct hr_err *err = NULL;

	ck_assert_int_eq(hr_overlay_layers_parse("rw,lowerdir=/a:/b\\054c:/d\\134:e,upperdir=/u/diff,workdir=/u/work,"
						 "index=off,volatile",
						 "/m", &o, &err),
			 0);
	ck_assert_uint_eq(hr_strv_len(o.lower), 3);
	ck_assert_str_eq(o.lower[0], "/a");
	ck_assert_str_eq(o.lower[1], "/b,c");
	ck_assert_str_eq(o.lower[2], "/d:e");
	ck_assert_str_eq(o.upper, "/u/diff");
	ck_assert_str_eq(o.work, "/u/work");
	ck_assert_uint_eq(hr_strv_len(o.extra), 2);
	ck_assert_str_eq(o.extra[0], "index=off");
	ck_assert_str_eq(o.extra[1], "volatile");
	hr_overlay_layers_clear(&o);
}
END_TEST

START_TEST(overlay_new_api_and_read_only)
{
	struct hr_overlay_layers o;
	struct hr_err *err = NULL;

	ck_assert_int_eq(hr_overlay_layers_parse("ro,lowerdir+=/l1,lowerdir+=/l\\0542", "/m", &o, &err), 0);
	ck_assert_uint_eq(hr_strv_len(o.lower), 2);
	ck_assert_str_eq(o.lower[1], "/l,2");
	ck_assert_ptr_null(o.upper);
	ck_assert_ptr_null(o.work);
	ck_assert_ptr_null(o.extra);
	hr_overlay_layers_clear(&o);
}
END_TEST

/* dockerd's overlay2 for long layer lists: relative to its home, found from the mount point */
START_TEST(overlay_dockerd_relative_layers)
{
	struct hr_overlay_layers o;
	struct hr_err *err = NULL;

	ck_assert_int_eq(
		hr_overlay_layers_parse("rw,lowerdir=l/AAA:l/BBB:/abs,upperdir=c0ffee/diff,workdir=c0ffee/work,"
					"index=off",
					"/var/lib/docker/overlay2/c0ffee/merged", &o, &err),
		0);
	ck_assert_uint_eq(hr_strv_len(o.lower), 3);
	ck_assert_str_eq(o.lower[0], "/var/lib/docker/overlay2/l/AAA");
	ck_assert_str_eq(o.lower[1], "/var/lib/docker/overlay2/l/BBB");
	ck_assert_str_eq(o.lower[2], "/abs");
	ck_assert_str_eq(o.upper, "/var/lib/docker/overlay2/c0ffee/diff");
	ck_assert_str_eq(o.work, "/var/lib/docker/overlay2/c0ffee/work");
	ck_assert_str_eq(o.extra[0], "index=off");
	hr_overlay_layers_clear(&o);
	/* the home must not be empty: "/c0ffee/merged" has none */
	ck_assert_int_eq(hr_overlay_layers_parse("rw,lowerdir=l/AAA,upperdir=c0ffee/diff,workdir=c0ffee/work",
						 "/c0ffee/merged", &o, &err),
			 -1);
	hr_err_free(&err);
}
END_TEST

START_TEST(overlay_refused)
{
	static const char *const cases[][2] = {
		{"rw,lowerdir=l/ABC:l/DEF,upperdir=x/diff,workdir=x/work",
		 "overlay lowerdir `l/ABC` is a relative path outside dockerd's overlay2 layout"},
		/* dockerd's layout, but the mount point names another layer */
		{"rw,lowerdir=l/ABC,upperdir=abc/diff,workdir=abc/work",
		 "overlay lowerdir `l/ABC` is a relative path outside dockerd's overlay2 layout"},
		{"rw,lowerdir=../l/A,upperdir=xyz/diff,workdir=xyz/work",
		 "overlay lowerdir `../l/A` is a relative path outside dockerd's overlay2 layout"},
		{"rw,lowerdir=/a::/data,upperdir=/u,workdir=/w", "overlay lowerdir `/a::/data` has data-only layers"},
		{"rw,lowerdir+=/a,datadir+=/d", "overlay has data-only layers"},
		{"rw,lowerdir=/a,upperdir=/u", "overlay options `rw,lowerdir=/a,upperdir=/u`: no lowerdir, or upperdir "
					       "without workdir"},
		{"rw,upperdir=/u,workdir=/w", "overlay options `rw,upperdir=/u,workdir=/w`: no lowerdir, or upperdir "
					      "without workdir"},
		{"rw,lowerdir=/a,upperdir=u,workdir=/w",
		 "overlay upperdir `u` is a relative path outside dockerd's overlay2 layout"},
	};

	for (size_t i = 0; i < HR_ARRAY_SIZE(cases); i++) {
		struct hr_overlay_layers o;
		struct hr_err *err = NULL;

		ck_assert_int_eq(hr_overlay_layers_parse(cases[i][0], "/var/lib/docker/overlay2/xyz/merged", &o, &err),
				 -1);
		ck_assert_str_eq(err->msg, cases[i][1]);
		ck_assert_ptr_null(o.lower);
		hr_err_free(&err);
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("mountinfo");
	TCase *tc = tcase_create("parse");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, line_fields);
	tcase_add_test(tc, overlay_lowerdir_list);
	tcase_add_test(tc, overlay_new_api_and_read_only);
	tcase_add_test(tc, overlay_dockerd_relative_layers);
	tcase_add_test(tc, overlay_refused);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
