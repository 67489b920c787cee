/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Kernel tests of src/linux/sync.c over a real SOCK_SEQPACKET socketpair:
 * large payloads (sizes at, around and far over one message) sent by a
 * forked writer arrive whole and in order; the limit of one message and of a
 * large payload are refused with EMSGSIZE; a reader refuses a length over
 * HR_SYNC_LARGE_MAX and a piece that overruns the announced length.
 */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hardrun/sync.h"

static void pair(int sv[2])
{
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
}

START_TEST(large_payloads_arrive_whole)
{
	const size_t sizes[] = {0, 1, HR_SYNC_MAX - 2, HR_SYNC_MAX - 1, HR_SYNC_MAX, 3 * (HR_SYNC_MAX - 1), 256 << 10};

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		struct hr_sync_msg *m = malloc(sizeof(*m));
		char *data = malloc(sizes[i] + 1), *got = NULL;
		struct hr_err *err = NULL;
		size_t len = 99;
		int sv[2], status;
		pid_t pid;

		ck_assert_ptr_nonnull(m);
		ck_assert_ptr_nonnull(data);
		for (size_t j = 0; j < sizes[i]; j++)
			data[j] = (char)('a' + (j * 7 + j / 8191) % 26);
		pair(sv);
		pid = fork();
		ck_assert_int_ge(pid, 0);
		if (pid == 0) {
			close(sv[0]);
			_exit(hr_sync_send_large(sv[1], HR_SYNC_GO, data, sizes[i]) == 0 ? 0 : 1);
		}
		close(sv[1]);
		ck_assert_int_eq(hr_sync_expect_large(sv[0], HR_SYNC_GO, m, &got, &len, &err), 0);
		ck_assert_uint_eq(len, sizes[i]);
		ck_assert_int_eq(memcmp(got, data, sizes[i]), 0);
		ck_assert_int_eq(got[len], '\0');
		ck_assert_int_eq(waitpid(pid, &status, 0), pid);
		ck_assert_int_eq(status, 0);
		/* nothing more than the payload was sent */
		ck_assert_int_eq(hr_sync_recv(sv[0], m), -1);
		ck_assert_int_eq(errno, EPIPE);
		close(sv[0]);
		free(got);
		free(data);
		free(m);
	}
}
END_TEST

START_TEST(limits_refused)
{
	static char one[HR_SYNC_MAX];
	int sv[2];

	pair(sv);
	errno = 0;
	ck_assert_int_eq(hr_sync_send(sv[1], HR_SYNC_DATA, 0, one, HR_SYNC_MAX, -1), -1);
	ck_assert_int_eq(errno, EMSGSIZE);
	errno = 0;
	/* refused before anything is read from data */
	ck_assert_int_eq(hr_sync_send_large(sv[1], HR_SYNC_GO, one, (size_t)HR_SYNC_LARGE_MAX + 1), -1);
	ck_assert_int_eq(errno, EMSGSIZE);
	close(sv[0]);
	close(sv[1]);
}
END_TEST

START_TEST(bad_lengths_refused)
{
	struct hr_sync_msg *m = malloc(sizeof(*m));
	uint32_t total = HR_SYNC_LARGE_MAX + 1;
	struct hr_err *err = NULL;
	char *got = NULL;
	size_t len;
	int sv[2];

	ck_assert_ptr_nonnull(m);
	pair(sv);
	ck_assert_int_eq(hr_sync_send(sv[1], HR_SYNC_GO, 0, &total, sizeof(total), -1), 0);
	ck_assert_int_eq(hr_sync_expect_large(sv[0], HR_SYNC_GO, m, &got, &len, &err), -1);
	ck_assert_str_eq(err->msg, "message 2 from the runtime: 16777217 bytes, over the limit of 16777216");
	hr_err_free(&err);
	err = NULL;

	total = 4;
	ck_assert_int_eq(hr_sync_send(sv[1], HR_SYNC_GO, 0, &total, sizeof(total), -1), 0);
	ck_assert_int_eq(hr_sync_send(sv[1], HR_SYNC_DATA, 0, "abcde", 5, -1), 0);
	ck_assert_int_eq(hr_sync_expect_large(sv[0], HR_SYNC_GO, m, &got, &len, &err), -1);
	ck_assert_str_eq(err->msg, "message 2 from the runtime: a piece overruns its length 4");
	ck_assert_ptr_null(got);
	hr_err_free(&err);
	close(sv[0]);
	close(sv[1]);
	free(m);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("sync");
	TCase *tc = tcase_create("sync");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, large_payloads_arrive_whole);
	tcase_add_test(tc, limits_refused);
	tcase_add_test(tc, bad_lengths_refused);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
