/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Learned seccomp profiles: the sorted sets, the writer, and the strict parser that merges profiles. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "hardrun/scprof.h"

static const char *const two_names = "{\n"
				     "  \"defaultAction\": \"SCMP_ACT_ERRNO\",\n"
				     "  \"architectures\": [\n"
				     "    \"SCMP_ARCH_X86\",\n"
				     "    \"SCMP_ARCH_X86_64\"\n"
				     "  ],\n"
				     "  \"syscalls\": [\n"
				     "    {\n"
				     "      \"names\": [\n"
				     "        \"read\",\n"
				     "        \"write\"\n"
				     "      ],\n"
				     "      \"action\": \"SCMP_ACT_ALLOW\"\n"
				     "    }\n"
				     "  ]\n"
				     "}\n";

START_TEST(sets_sorted_unique)
{
	struct hr_scprof p = {0};
	char *s;

	ck_assert(hr_scprof_add_name(&p, "write"));
	ck_assert(hr_scprof_add_name(&p, "read"));
	ck_assert(!hr_scprof_add_name(&p, "write"));
	ck_assert(hr_scprof_add_arch(&p, "SCMP_ARCH_X86_64"));
	ck_assert(hr_scprof_add_arch(&p, "SCMP_ARCH_X86"));
	ck_assert(!hr_scprof_add_arch(&p, "SCMP_ARCH_X86"));
	ck_assert(hr_scprof_has_name(&p, "read"));
	ck_assert(!hr_scprof_has_name(&p, "open"));
	s = hr_scprof_dump(&p);
	ck_assert_str_eq(s, two_names);
	free(s);
	hr_scprof_free(&p);
}
END_TEST

START_TEST(empty_profile)
{
	struct hr_scprof p = {0};
	char *s = hr_scprof_dump(&p);

	ck_assert_str_eq(
		s, "{\n  \"defaultAction\": \"SCMP_ACT_ERRNO\",\n  \"architectures\": [],\n  \"syscalls\": []\n}\n");
	free(s);
}
END_TEST

START_TEST(names_valid)
{
	ck_assert(hr_scprof_name_valid("rt_sigaction"));
	ck_assert(hr_scprof_name_valid("io_uring_setup"));
	ck_assert(!hr_scprof_name_valid(""));
	ck_assert(!hr_scprof_name_valid("Read"));
	ck_assert(!hr_scprof_name_valid("read;"));
	ck_assert(!hr_scprof_name_valid("a_very_long_name_that_no_syscall_ever_had_aaaaaaaaaaaaaaaaaaaaaaaaaa"));
}
END_TEST

/* Merging is parsing several files into one set; the result is sorted and unique. */
START_TEST(merge_two)
{
	struct hr_scprof p = {0};
	struct hr_err *e = NULL;
	const char *b = "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"architectures\":[\"SCMP_ARCH_X86_64\"],"
			"\"syscalls\":[{\"names\":[\"openat\",\"read\"],\"action\":\"SCMP_ACT_ALLOW\"},"
			"{\"names\":[\"close\"],\"action\":\"SCMP_ACT_ALLOW\",\"comment\":\"second rule\"}]}";
	char *s;

	ck_assert_int_eq(hr_scprof_parse(two_names, strlen(two_names), "a.json", &p, &e), 0);
	ck_assert_int_eq(hr_scprof_parse(b, strlen(b), "b.json", &p, &e), 0);
	ck_assert_uint_eq(p.n_names, 4);
	ck_assert_str_eq(p.names[0], "close");
	ck_assert_str_eq(p.names[1], "openat");
	ck_assert_str_eq(p.names[2], "read");
	ck_assert_str_eq(p.names[3], "write");
	ck_assert_uint_eq(p.n_archs, 2);
	s = hr_scprof_dump(&p);
	hr_scprof_free(&p);
	/* the writer's output parses back to the same text */
	ck_assert_int_eq(hr_scprof_parse(s, strlen(s), "c.json", &p, &e), 0);
	{
		char *again = hr_scprof_dump(&p);

		ck_assert_str_eq(again, s);
		free(again);
	}
	free(s);
	hr_scprof_free(&p);
}
END_TEST

/* Anything a learned profile cannot say is refused with one exact line: a merge must never loosen it. */
START_TEST(refused_inputs)
{
	static const struct {
		const char *in, *msg;
	} cases[] = {
		{"[]", "p.json: expected an object"},
		{"{", "p.json:1:1: string or '}' expected near end of file"},
		{"{\"defaultAction\":\"SCMP_ACT_ALLOW\"}",
		 "p.json: defaultAction: expected SCMP_ACT_ERRNO (a learned profile)"},
		{"{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":1}",
		 "p.json: defaultErrnoRet: not allowed in a learned profile"},
		{"{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"architectures\":[\"x86_64\"]}",
		 "p.json: architectures[0]: expected SCMP_ARCH_*"},
		{"{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"ptrace\"],\"action\":\"SCMP_ACT_"
		 "ERRNO\"}]}",
		 "p.json: syscalls[0].action: expected SCMP_ACT_ALLOW (a learned profile)"},
		{"{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"clone\"],\"action\":\"SCMP_ACT_"
		 "ALLOW\","
		 "\"args\":[]}]}",
		 "p.json: syscalls[0].args: not allowed in a learned profile"},
		{"{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"Bad\"],\"action\":\"SCMP_ACT_"
		 "ALLOW\"}]}",
		 "p.json: syscalls[0].names[0]: expected a syscall name"},
		{"{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":{}}", "p.json: syscalls: expected an array"},
		{"{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[1]}", "p.json: syscalls[0]: expected an object"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct hr_scprof p = {0};
		struct hr_err *e = NULL;

		ck_assert_int_eq(hr_scprof_parse(cases[i].in, strlen(cases[i].in), "p.json", &p, &e), -1);
		ck_assert_str_eq(e->msg, cases[i].msg);
		hr_err_free(&e);
		hr_scprof_free(&p);
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("scprof");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, sets_sorted_unique);
	tcase_add_test(tc, empty_profile);
	tcase_add_test(tc, names_valid);
	tcase_add_test(tc, merge_two);
	tcase_add_test(tc, refused_inputs);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
