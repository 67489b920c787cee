/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Kernel tests of src/linux/caps.c: each test runs in Check's forked child
 * as root, applies a plan with hr_caps_apply_child and reads the result back
 * from /proc/self/status (CapInh/CapPrm/CapEff/CapBnd/CapAmb, Uid, Gid,
 * Groups), which is the kernel's own view.  Capability numbers are literal
 * (<linux/capability.h>); name parsing belongs to core.  Exits 77 when not
 * root, since only root can switch ids and drop the bounding set.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/capability.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hardrun/caps.h"
#include "hardrun/strutil.h"

#define BIT(c) (UINT64_C(1) << (c))

/* Value of "Name:\t..." from a /proc status text, or NULL (static buffer). */
static const char *status_field(const char *text, const char *name)
{
	static char val[256];
	size_t nlen = strlen(name);

	for (const char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		if (strncmp(p, name, nlen) == 0 && p[nlen] == ':') {
			const char *v = p + nlen + 1, *end;
			size_t len;

			while (*v == '\t' || *v == ' ')
				v++;
			end = strchr(v, '\n');
			len = end ? (size_t)(end - v) : strlen(v);
			if (len >= sizeof(val))
				len = sizeof(val) - 1;
			memcpy(val, v, len);
			val[len] = '\0';
			return val;
		}
	}
	return NULL;
}

static char *read_self_status(void)
{
	static char buf[8192];
	FILE *f = fopen("/proc/self/status", "re");
	size_t n;

	ck_assert_ptr_nonnull(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static uint64_t cap_field(const char *text, const char *name)
{
	const char *v = status_field(text, name);

	ck_assert_ptr_nonnull(v);
	return strtoull(v, NULL, 16);
}

static void apply_ok(const struct hr_caps *caps, const struct hr_user *user, bool setgroups_allowed)
{
	struct hr_err *err = NULL;

	if (hr_caps_apply_child(caps, user, setgroups_allowed, &err) < 0)
		ck_abort_msg("apply: %s (errno %d)", err->msg, err->errnum);
}

static void assert_sets(uint64_t bnd, uint64_t eff, uint64_t prm, uint64_t inh, uint64_t amb)
{
	const char *s = read_self_status();

	ck_assert_uint_eq(cap_field(s, "CapBnd"), bnd);
	ck_assert_uint_eq(cap_field(s, "CapEff"), eff);
	ck_assert_uint_eq(cap_field(s, "CapPrm"), prm);
	ck_assert_uint_eq(cap_field(s, "CapInh"), inh);
	ck_assert_uint_eq(cap_field(s, "CapAmb"), amb);
}

/* Give the test process some inheritable and ambient caps, as a careless parent might. */
static void pollute_inh_amb(void)
{
	struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3};
	struct __user_cap_data_struct d[2];

	ck_assert_int_eq(syscall(SYS_capget, &hdr, d), 0);
	d[0].inheritable |= (uint32_t)(BIT(CAP_NET_BIND_SERVICE) | BIT(CAP_CHOWN));
	ck_assert_int_eq(syscall(SYS_capset, &hdr, d), 0);
	ck_assert_int_eq(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_NET_BIND_SERVICE, 0, 0), 0);
	ck_assert_uint_ne(cap_field(read_self_status(), "CapAmb"), 0);
}

/* /proc/self/status of a freshly exec'd cat(1): what the workload would see after execve. */
static void exec_status(char *buf, size_t len)
{
	int pfd[2], status;
	size_t total = 0;
	ssize_t n;
	pid_t pid;

	ck_assert_int_eq(pipe2(pfd, O_CLOEXEC), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		dup2(pfd[1], 1);
		execl("/bin/cat", "cat", "/proc/self/status", (char *)NULL);
		_exit(127);
	}
	close(pfd[1]);
	while ((n = read(pfd[0], buf + total, len - 1 - total)) > 0)
		total += (size_t)n;
	buf[total] = '\0';
	close(pfd[0]);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_int_eq(status, 0);
}

START_TEST(root_keeps_listed)
{
	uint64_t m = BIT(CAP_CHOWN) | BIT(CAP_KILL) | BIT(CAP_NET_BIND_SERVICE);
	struct hr_caps caps = {.bounding = m, .effective = m, .permitted = m};
	struct hr_user user = {.uid = 0, .gid = 0};

	apply_ok(&caps, &user, true);
	assert_sets(m, m, m, 0, 0);
	ck_assert_int_eq(prctl(PR_GET_KEEPCAPS, 0, 0, 0, 0), 0);
}
END_TEST

START_TEST(inheritable_ambient_cleared_by_default)
{
	/* CVE-2022-29162: never hand inheritable/ambient caps to the workload unless asked */
	uint64_t m = BIT(CAP_CHOWN) | BIT(CAP_NET_BIND_SERVICE);
	struct hr_caps caps = {.bounding = m, .effective = m, .permitted = m};
	struct hr_user user = {.uid = 0, .gid = 0};

	pollute_inh_amb();
	apply_ok(&caps, &user, true);
	assert_sets(m, m, m, 0, 0);
}
END_TEST

START_TEST(setresuid_keeps_only_listed)
{
	uint64_t m = BIT(CAP_KILL) | BIT(CAP_NET_BIND_SERVICE);
	gid_t groups[] = {2000, 2001};
	struct hr_caps caps = {.bounding = m | BIT(CAP_CHOWN), .effective = m, .permitted = m};
	struct hr_user user = {.uid = 1000, .gid = 1001, .additional_gids = groups, .n_additional_gids = 2};
	const char *s;

	apply_ok(&caps, &user, true);
	assert_sets(m | BIT(CAP_CHOWN), m, m, 0, 0);
	s = read_self_status();
	ck_assert_str_eq(status_field(s, "Uid"), "1000\t1000\t1000\t1000");
	ck_assert_str_eq(status_field(s, "Gid"), "1001\t1001\t1001\t1001");
	/* the kernel prints every group followed by a space */
	ck_assert_str_eq(status_field(s, "Groups"), "2000 2001 ");
}
END_TEST

START_TEST(nonroot_null_caps_empty)
{
	struct hr_user user = {.uid = 1000, .gid = 1000};
	const char *s;

	apply_ok(NULL, &user, true);
	assert_sets(0, 0, 0, 0, 0);
	s = read_self_status();
	ck_assert_str_eq(status_field(s, "Uid"), "1000\t1000\t1000\t1000");
	/* the runtime's own supplementary groups must not leak */
	ck_assert_str_eq(status_field(s, "Groups"), "");
}
END_TEST

START_TEST(ambient_raise_survives_exec)
{
	uint64_t m = BIT(CAP_NET_BIND_SERVICE);
	struct hr_caps caps = {.bounding = m, .effective = m, .permitted = m, .inheritable = m, .ambient = m};
	struct hr_user user = {.uid = 1000, .gid = 1000};
	char buf[8192];

	apply_ok(&caps, &user, true);
	assert_sets(m, m, m, m, m);
	/* a non-root workload keeps the capability across execve only through the ambient set */
	exec_status(buf, sizeof(buf));
	ck_assert_uint_eq(cap_field(buf, "CapEff"), m);
	ck_assert_uint_eq(cap_field(buf, "CapAmb"), m);
}
END_TEST

START_TEST(without_ambient_exec_drops_caps)
{
	uint64_t m = BIT(CAP_NET_BIND_SERVICE);
	struct hr_caps caps = {.bounding = m, .effective = m, .permitted = m};
	struct hr_user user = {.uid = 1000, .gid = 1000};
	char buf[8192];

	apply_ok(&caps, &user, true);
	exec_status(buf, sizeof(buf));
	ck_assert_uint_eq(cap_field(buf, "CapEff"), 0);
	ck_assert_uint_eq(cap_field(buf, "CapPrm"), 0);
}
END_TEST

START_TEST(setgroups_denied_with_gids_fails)
{
	gid_t groups[] = {2000};
	struct hr_user user = {.uid = 1000, .gid = 1000, .additional_gids = groups, .n_additional_gids = 1};
	struct hr_err *err = NULL;

	ck_assert_int_eq(hr_caps_apply_child(NULL, &user, false, &err), -1);
	ck_assert_int_eq(err->errnum, EPERM);
	ck_assert_str_eq(err->msg, "setgroups `1 groups`: denied in this user namespace");
	hr_err_free(&err);
}
END_TEST

START_TEST(ungrantable_and_unknown_left_out)
{
	/* bit 63 is unknown to every kernel; CAP_SYS_RESOURCE is missing on some hosts (see STYLE.md) */
	struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3};
	struct __user_cap_data_struct d[2];
	uint64_t have, want = BIT(CAP_CHOWN) | BIT(CAP_SYS_RESOURCE) | BIT(63);
	struct hr_caps caps = {.bounding = want, .effective = want, .permitted = want};
	struct hr_user user = {.uid = 0, .gid = 0};
	uint64_t got;

	ck_assert_int_eq(syscall(SYS_capget, &hdr, d), 0);
	have = d[0].permitted | ((uint64_t)d[1].permitted << 32);
	apply_ok(&caps, &user, true);
	got = want & have & ~BIT(63);
	assert_sets(got, got, got, 0, 0);
}
END_TEST

START_TEST(last_cap)
{
	int last = hr_caps_last_cap();

	ck_assert_int_ge(last, CAP_AUDIT_READ);
	ck_assert_int_ge(prctl(PR_CAPBSET_READ, last, 0, 0, 0), 0);
	ck_assert_int_eq(prctl(PR_CAPBSET_READ, last + 1, 0, 0, 0), -1);
}
END_TEST

static Suite *caps_suite(void)
{
	Suite *s = suite_create("caps");
	TCase *tc = tcase_create("apply");

	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, root_keeps_listed);
	tcase_add_test(tc, inheritable_ambient_cleared_by_default);
	tcase_add_test(tc, setresuid_keeps_only_listed);
	tcase_add_test(tc, nonroot_null_caps_empty);
	tcase_add_test(tc, ambient_raise_survives_exec);
	tcase_add_test(tc, without_ambient_exec_drops_caps);
	tcase_add_test(tc, setgroups_denied_with_gids_fails);
	tcase_add_test(tc, ungrantable_and_unknown_left_out);
	tcase_add_test(tc, last_cap);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr;
	int failed;

	if (geteuid() != 0) {
		fprintf(stderr, "check_caps_k: needs root to switch ids and drop the bounding set; skipped\n");
		return 77;
	}
	sr = srunner_create(caps_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
