/* SPDX-License-Identifier: GPL-2.0-or-later */
/* String helpers, the error object and state.json (de)serialisation. */
#include <check.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "hardrun/error.h"
#include "hardrun/state.h"
#include "hardrun/strutil.h"

START_TEST(numbers)
{
	uint64_t u;
	int64_t i;
	int n;

	ck_assert_int_eq(hr_parse_u64("18446744073709551615", &u), 0);
	ck_assert_uint_eq(u, UINT64_MAX);
	ck_assert_int_eq(hr_parse_u64("18446744073709551616", &u), -1);
	ck_assert_int_eq(hr_parse_u64("-1", &u), -1);
	ck_assert_int_eq(hr_parse_u64(" 1", &u), -1);
	ck_assert_int_eq(hr_parse_u64("1x", &u), -1);
	ck_assert_int_eq(hr_parse_u64("", &u), -1);
	ck_assert_int_eq(hr_parse_i64("-42", &i), 0);
	ck_assert_int_eq(i, -42);
	ck_assert_int_eq(hr_parse_int("2147483648", &n), -1);
	ck_assert_int_eq(hr_parse_int("7", &n), 0);
	ck_assert_int_eq(n, 7);
}
END_TEST

START_TEST(signals)
{
	ck_assert_int_eq(hr_signal_parse("TERM"), SIGTERM);
	ck_assert_int_eq(hr_signal_parse("SIGKILL"), SIGKILL);
	ck_assert_int_eq(hr_signal_parse("kill"), SIGKILL);
	ck_assert_int_eq(hr_signal_parse("15"), 15);
	ck_assert_int_eq(hr_signal_parse("0"), -1);
	ck_assert_int_eq(hr_signal_parse("65"), -1);
	ck_assert_int_eq(hr_signal_parse("RTMIN+1"), SIGRTMIN + 1);
	ck_assert_int_eq(hr_signal_parse("NOPE"), -1);
	ck_assert_str_eq(hr_signal_name(SIGUSR1), "SIGUSR1");
}
END_TEST

START_TEST(ids_and_paths)
{
	char *j;

	ck_assert(hr_id_valid("web-1_a.b+c"));
	ck_assert(!hr_id_valid(""));
	ck_assert(!hr_id_valid(".."));
	ck_assert(!hr_id_valid("a/b"));
	ck_assert(!hr_id_valid("-a"));
	ck_assert(hr_path_is_clean_abs("/a/b"));
	ck_assert(!hr_path_is_clean_abs("a/b"));
	ck_assert(!hr_path_is_clean_abs("/a/../b"));
	ck_assert(hr_path_is_clean_abs("/a/..b"));
	j = hr_path_join("/", "x");
	ck_assert_str_eq(j, "/x");
	free(j);
	j = hr_path_join("/a/", "/b");
	ck_assert_str_eq(j, "/a/b");
	free(j);
}
END_TEST

START_TEST(errors)
{
	struct hr_err *err = NULL;
	char *s;

	ck_assert_int_eq(hr_fail(&err, ENOENT, "open `%s`", "/x"), -1);
	ck_assert_int_eq(hr_fail(&err, EPERM, "second"), -1); /* first error wins */
	ck_assert_int_eq(hr_fail_wrap(&err, "create `%s`", "web"), -1);
	ck_assert_str_eq(err->msg, "create `web`: open `/x`");
	s = hr_err_format(err);
	ck_assert_str_eq(s, "create `web`: open `/x`: No such file or directory");
	free(s);
	hr_err_free(&err);
	ck_assert_ptr_null(err);
}
END_TEST

START_TEST(state_roundtrip)
{
	struct hr_kv ann = {"k", "v"};
	struct hr_state st = {.oci_version = "1.0.2",
			      .id = "c1",
			      .pid = 42,
			      .pid_start = 99,
			      .bundle = "/b",
			      .rootfs = "/b/rootfs",
			      .created = "2026-01-01T00:00:00Z",
			      .cgroup_path = "/c1",
			      .annotations = &ann,
			      .n_annotations = 1};
	char *json = hr_state_to_json(&st);
	struct hr_state *back = NULL;
	struct hr_err *err = NULL;
	char *oci;

	ck_assert_int_eq(hr_state_parse_buf(json, strlen(json), &back, &err), 0);
	ck_assert_str_eq(back->id, "c1");
	ck_assert_int_eq(back->pid, 42);
	ck_assert_uint_eq(back->pid_start, 99);
	ck_assert_str_eq(back->cgroup_path, "/c1");
	ck_assert_str_eq(back->annotations[0].value, "v");
	oci = hr_state_oci_json(back, HR_STATUS_STOPPED, true);
	ck_assert_ptr_nonnull(strstr(oci, "\"status\": \"stopped\""));
	ck_assert_ptr_nonnull(strstr(oci, "\"pid\": 0"));
	free(oci);
	free(json);
	hr_state_free(back);
}
END_TEST

START_TEST(state_of_another_runtime)
{
	static const char runc[] = "{\"id\":\"c1\",\"init_process_pid\":1}";
	struct hr_state *st = NULL;
	struct hr_err *err = NULL;

	ck_assert_int_eq(hr_state_parse_buf(runc, strlen(runc), &st, &err), -1);
	ck_assert_int_eq(err->errnum, ENOENT);
	hr_err_free(&err);
	ck_assert_int_eq(hr_state_parse_buf("{", 1, &st, &err), -1);
	ck_assert_str_eq(err->msg, "state.json:1:1: string or '}' expected near end of file");
	hr_err_free(&err);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("core");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, numbers);
	tcase_add_test(tc, signals);
	tcase_add_test(tc, ids_and_paths);
	tcase_add_test(tc, errors);
	tcase_add_test(tc, state_roundtrip);
	tcase_add_test(tc, state_of_another_runtime);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
