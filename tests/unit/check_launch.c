/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The launcher's pure half: flag parsing, config tightening, log and event record formats. */
#include <check.h>
#include <jansson.h>
#include <string.h>

#include "hardrun/launch.h"
#include "hardrun/strutil.h"

START_TEST(restart_policies)
{
	struct hr_restart r;
	struct hr_err *err = NULL;

	ck_assert_int_eq(hr_restart_parse("no", 10, &r, &err), 0);
	ck_assert_int_eq(r.mode, HR_RESTART_NO);
	ck_assert(!hr_restart_wanted(&r, 1, 0));
	ck_assert_int_eq(hr_restart_parse("on-failure:3", 10, &r, &err), 0);
	ck_assert_int_eq(r.mode, HR_RESTART_ON_FAILURE);
	ck_assert_uint_eq(r.max, 3);
	ck_assert(hr_restart_wanted(&r, 1, 2));
	ck_assert(!hr_restart_wanted(&r, 1, 3));
	ck_assert(!hr_restart_wanted(&r, 0, 0));
	ck_assert_int_eq(hr_restart_parse("always", 10, &r, &err), 0);
	ck_assert_int_eq(r.mode, HR_RESTART_ALWAYS);
	ck_assert_uint_eq(r.max, 10);
	ck_assert(hr_restart_wanted(&r, 0, 9));
	ck_assert(!hr_restart_wanted(&r, 0, 10));
	/* the policy's ceiling lowers the default and refuses more */
	ck_assert_int_eq(hr_restart_parse("always", 4, &r, &err), 0);
	ck_assert_uint_eq(r.max, 4);
	ck_assert_int_eq(hr_restart_parse("always:50", 10, &r, &err), -1);
	ck_assert_str_eq(err->msg, "--restart: `always:50` exceeds the restart cap of 10");
	hr_err_free(&err);
	ck_assert_int_eq(hr_restart_parse("unless-stopped", 10, &r, &err), -1);
	ck_assert_str_eq(err->msg, "--restart: `unless-stopped` is not no, on-failure[:N] or always[:N]");
	hr_err_free(&err);
	ck_assert_int_eq(hr_restart_parse("on-failure:x", 10, &r, &err), -1);
	hr_err_free(&err);
	ck_assert_int_eq(hr_restart_parse("no:3", 10, &r, &err), -1);
	hr_err_free(&err);
}
END_TEST

START_TEST(backoff_and_units)
{
	uint64_t v;

	ck_assert_uint_eq(hr_backoff_ms(1, 100, 1000), 100);
	ck_assert_uint_eq(hr_backoff_ms(2, 100, 1000), 200);
	ck_assert_uint_eq(hr_backoff_ms(4, 100, 1000), 800);
	ck_assert_uint_eq(hr_backoff_ms(5, 100, 1000), 1000);
	ck_assert_uint_eq(hr_backoff_ms(200, 100, 1000), 1000);
	ck_assert_int_eq(hr_parse_size("512m", &v), 0);
	ck_assert_uint_eq(v, 512ULL << 20);
	ck_assert_int_eq(hr_parse_size("1G", &v), 0);
	ck_assert_uint_eq(v, 1ULL << 30);
	ck_assert_int_eq(hr_parse_size("100k", &v), 0);
	ck_assert_uint_eq(v, 102400);
	ck_assert_int_eq(hr_parse_size("4096", &v), 0);
	ck_assert_uint_eq(v, 4096);
	ck_assert_int_eq(hr_parse_size("1x", &v), -1);
	ck_assert_int_eq(hr_parse_size("-1m", &v), -1);
	ck_assert_int_eq(hr_parse_size("m", &v), -1);
	ck_assert_int_eq(hr_parse_duration_ms("250ms", &v), 0);
	ck_assert_uint_eq(v, 250);
	ck_assert_int_eq(hr_parse_duration_ms("2s", &v), 0);
	ck_assert_uint_eq(v, 2000);
	ck_assert_int_eq(hr_parse_duration_ms("5", &v), 0);
	ck_assert_uint_eq(v, 5000);
	ck_assert_int_eq(hr_parse_duration_ms("1h", &v), 0);
	ck_assert_uint_eq(v, 3600000);
	ck_assert_int_eq(hr_parse_duration_ms("1d", &v), -1);
	ck_assert_int_eq(hr_parse_rfc3339("2026-12-01T08:00:00.5Z", &v), 0);
	ck_assert_uint_eq(v, 1796112000ULL * 1000000000ULL + 500000000ULL);
	ck_assert_int_eq(hr_parse_rfc3339("2026-12-01T08:00:00+01:00", &v), -1);
	ck_assert_int_eq(hr_parse_since("10m", 3600ULL * 1000000000ULL, &v), 0);
	ck_assert_uint_eq(v, 3000ULL * 1000000000ULL);
	ck_assert_int_eq(hr_parse_since("1796112000", 0, &v), 0);
	ck_assert_uint_eq(v, 1796112000ULL * 1000000000ULL);
}
END_TEST

static json_t *bundle_config(void)
{
	json_t *c = hr_launch_rootfs_config("/srv/rootfs", (char *[]){"/bin/sh", "-c", "true", NULL});

	ck_assert_ptr_nonnull(c);
	return c;
}

static const char *err_of(json_t *c, const struct hr_launch_opts *o)
{
	static char buf[512];
	struct hr_err *err = NULL;

	if (hr_launch_tighten(c, o, &err) == 0)
		return NULL;
	snprintf(buf, sizeof(buf), "%s", err->msg);
	hr_err_free(&err);
	return buf;
}

START_TEST(rootfs_config)
{
	json_t *c = bundle_config();

	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(c, "root"), "path")), "/srv/rootfs");
	ck_assert(json_is_false(json_object_get(json_object_get(c, "process"), "terminal")));
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(json_object_get(c, "process"), "args"), 2)),
			 "true");
	json_decref(c);
}
END_TEST

START_TEST(tighten_limits)
{
	json_t *c = bundle_config();
	json_t *res;
	struct hr_launch_opts o = {.has_memory = true,
				   .memory = 64 << 20,
				   .has_pids = true,
				   .pids = 50,
				   .has_cpus = true,
				   .cpus_milli = 1500,
				   .has_cpu_shares = true,
				   .cpu_shares = 512};

	ck_assert_ptr_null(err_of(c, &o));
	res = json_object_get(json_object_get(c, "linux"), "resources");
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(res, "memory"), "limit")), 64 << 20);
	/* no swap unless asked */
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(res, "memory"), "swap")), 64 << 20);
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(res, "pids"), "limit")), 50);
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(res, "cpu"), "quota")), 150000);
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(res, "cpu"), "period")), 100000);
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(res, "cpu"), "shares")), 512);
	/* lower again: fine; higher than the bundle: refused, naming the flag and the bundle's value */
	o.memory = 32 << 20;
	o.pids = 10;
	o.cpus_milli = 500;
	o.cpu_shares = 100;
	ck_assert_ptr_null(err_of(c, &o));
	o = (struct hr_launch_opts){.has_memory = true, .memory = 1 << 30};
	ck_assert_str_eq(err_of(c, &o),
			 "--memory `1073741824`: looser than the bundle's linux.resources.memory.limit (33554432)");
	o = (struct hr_launch_opts){.has_pids = true, .pids = 11};
	ck_assert_str_eq(err_of(c, &o), "--pids-limit `11`: looser than the bundle's linux.resources.pids.limit (10)");
	o = (struct hr_launch_opts){.has_cpus = true, .cpus_milli = 2000};
	ck_assert_str_eq(err_of(c, &o),
			 "--cpus `2.000`: looser than the bundle's linux.resources.cpu.quota (50000 of 100000)");
	o = (struct hr_launch_opts){.has_memory_swap = true, .memory_swap = 1 << 20};
	ck_assert_str_eq(err_of(c, &o), "--memory-swap `1048576`: below the memory limit (33554432)");
	o = (struct hr_launch_opts){.has_pids = true, .pids = 0};
	ck_assert_str_eq(err_of(c, &o), "--pids-limit `0`: must be positive");
	json_decref(c);
}
END_TEST

START_TEST(tighten_process)
{
	json_t *c = bundle_config();
	json_t *proc = json_object_get(c, "process");
	json_t *caps = json_object_get(proc, "capabilities");
	struct hr_launch_opts o = {.cap_drop = (char *[]){"ALL", NULL},
				   .cap_add = (char *[]){"kill", NULL},
				   .ulimits = (char *[]){"nofile=512:800", "nproc=20", NULL},
				   .user = "1000:1000",
				   .env = (char *[]){"TERM=dumb", "MODE=prod", NULL},
				   .read_only = true,
				   .hostname = "web"};

	ck_assert_ptr_null(err_of(c, &o));
	ck_assert_uint_eq(json_array_size(json_object_get(caps, "bounding")), 1);
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(caps, "effective"), 0)), "CAP_KILL");
	ck_assert_uint_eq(json_array_size(json_object_get(caps, "inheritable")), 0);
	ck_assert_int_eq(
		json_integer_value(json_object_get(json_array_get(json_object_get(proc, "rlimits"), 0), "hard")), 800);
	ck_assert_int_eq(
		json_integer_value(json_object_get(json_array_get(json_object_get(proc, "rlimits"), 1), "soft")), 20);
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(proc, "user"), "uid")), 1000);
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(proc, "env"), 1)), "TERM=dumb");
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(proc, "env"), 2)), "MODE=prod");
	ck_assert_str_eq(json_string_value(json_object_get(c, "hostname")), "web");
	/* the bundle's bounding set is the ceiling for --cap-add */
	o = (struct hr_launch_opts){.cap_add = (char *[]){"CAP_SYS_ADMIN", NULL}};
	ck_assert_str_eq(err_of(c, &o), "--cap-add `CAP_SYS_ADMIN`: not in the bundle's bounding set");
	o = (struct hr_launch_opts){.cap_add = (char *[]){"ALL", NULL}};
	ck_assert_str_eq(err_of(c, &o), "--cap-add `ALL`: ALL would loosen the bundle");
	o = (struct hr_launch_opts){.cap_drop = (char *[]){"NOPE", NULL}};
	ck_assert_str_eq(err_of(c, &o), "--cap-drop `NOPE`: unknown capability");
	o = (struct hr_launch_opts){.ulimits = (char *[]){"nofile=4096", NULL}};
	ck_assert_str_eq(err_of(c, &o),
			 "--ulimit `nofile=4096`: looser than the bundle's RLIMIT_NOFILE hard limit (800)");
	o = (struct hr_launch_opts){.ulimits = (char *[]){"files=1", NULL}};
	ck_assert_str_eq(err_of(c, &o), "--ulimit `files=1`: unknown limit `files`");
	o = (struct hr_launch_opts){.user = "0"};
	ck_assert_str_eq(err_of(c, &o), "--user `0`: the bundle runs as uid 1000; --user cannot make it root");
	o = (struct hr_launch_opts){.user = "www"};
	ck_assert_str_eq(err_of(c, &o), "--user `www`: expected numeric UID[:GID]");
	o = (struct hr_launch_opts){.env = (char *[]){"NOVALUE", NULL}};
	ck_assert_str_eq(err_of(c, &o), "--env `NOVALUE`: expected KEY=VALUE");
	json_decref(c);
}
END_TEST

START_TEST(tighten_mounts)
{
	json_t *c = bundle_config();
	json_t *mounts = json_object_get(c, "mounts");
	size_t before = json_array_size(mounts);
	json_t *m;
	struct hr_launch_opts o = {.volumes = (char *[]){"/srv/data:/data:ro", NULL},
				   .tmpfs = (char *[]){"/cache:size=1m", NULL}};
	json_t *sc = json_pack("{s:s}", "defaultAction", "SCMP_ACT_ALLOW");

	ck_assert_ptr_null(err_of(c, &o));
	ck_assert_uint_eq(json_array_size(mounts), before + 2);
	m = json_array_get(mounts, before);
	ck_assert_str_eq(json_string_value(json_object_get(m, "source")), "/srv/data");
	ck_assert_str_eq(json_string_value(json_object_get(m, "destination")), "/data");
	ck_assert_uint_eq(json_array_size(json_object_get(m, "options")), 4);
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(m, "options"), 3)), "ro");
	m = json_array_get(mounts, before + 1);
	ck_assert_str_eq(json_string_value(json_object_get(m, "type")), "tmpfs");
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(m, "options"), 2)), "noexec");
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(m, "options"), 3)), "size=1m");
	o = (struct hr_launch_opts){.volumes = (char *[]){"data:/data", NULL}};
	ck_assert_str_eq(err_of(c, &o), "--volume `data:/data`: source must be an absolute path without `..`");
	o = (struct hr_launch_opts){.volumes = (char *[]){"/a:/../etc", NULL}};
	ck_assert_str_eq(err_of(c, &o),
			 "--volume `/a:/../etc`: destination must be an absolute path below / without `..`");
	o = (struct hr_launch_opts){.volumes = (char *[]){"/a:/b:z", NULL}};
	ck_assert_str_eq(err_of(c, &o), "--volume `/a:/b:z`: mode `z` is not ro or rw");
	o = (struct hr_launch_opts){.tmpfs = (char *[]){"/x:exec", NULL}};
	ck_assert_str_eq(err_of(c, &o), "--tmpfs `/x:exec`: option `exec` would loosen the mount");
	o = (struct hr_launch_opts){.seccomp = sc};
	ck_assert_ptr_null(err_of(c, &o));
	ck_assert_str_eq(err_of(c, &o), "--seccomp-profile: the bundle has its own linux.seccomp");
	json_object_del(json_object_get(c, "linux"), "namespaces");
	o = (struct hr_launch_opts){.hostname = "x"};
	ck_assert_str_eq(err_of(c, &o), "--hostname `x`: the bundle has no UTS namespace of its own");
	json_decref(sc);
	json_decref(c);
}
END_TEST

START_TEST(log_options)
{
	struct hr_log_opts o = {0};
	struct hr_err *err = NULL;
	enum hr_log_driver d;

	ck_assert_int_eq(hr_log_driver_parse("json-file", &d, &err), 0);
	ck_assert_int_eq(d, HR_LOGDRV_JSON_FILE);
	ck_assert_int_eq(hr_log_driver_parse("journald", &d, &err), -1);
	ck_assert_str_eq(err->msg, "--log-driver: `journald` is not json-file, syslog or none");
	hr_err_free(&err);
	ck_assert_int_eq(hr_log_opts_parse("max-size=10k,max-file=3", &o, &err), 0);
	ck_assert_int_eq(hr_log_opts_parse("tag=web,syslog-facility=local3,syslog-address=unix:///tmp/s", &o, &err), 0);
	ck_assert_uint_eq(o.max_size, 10240);
	ck_assert_uint_eq(o.max_file, 3);
	ck_assert_str_eq(o.tag, "web");
	ck_assert_int_eq(o.facility, 19);
	ck_assert_str_eq(o.address, "/tmp/s");
	ck_assert_int_eq(hr_log_opts_parse("syslog-address=udp://1.2.3.4:514", &o, &err), -1);
	ck_assert_str_eq(err->msg, "--log-opt syslog-address `udp://1.2.3.4:514`: only unix:///PATH is supported");
	hr_err_free(&err);
	ck_assert_int_eq(hr_log_opts_parse("colour=red", &o, &err), -1);
	ck_assert_str_eq(err->msg, "--log-opt: unknown option `colour`");
	hr_err_free(&err);
	ck_assert_int_eq(hr_log_opts_parse("max-file=0", &o, &err), -1);
	hr_err_free(&err);
	ck_assert_int_eq(hr_log_opts_parse("tag=a b", &o, &err), -1);
	hr_err_free(&err);
	hr_log_opts_free(&o);
}
END_TEST

START_TEST(record_formats)
{
	char *s = hr_logline_json("stdout", "he said \"hi\"\n", 13, "2026-12-01T08:00:00.000000001Z");
	json_t *f = json_pack("{s:i, s:s}", "code", 1, "signal", "");
	unsigned mask;
	struct hr_err *err = NULL;
	struct hr_alert a = {.threshold = 50};

	ck_assert_str_eq(s, "{\"log\":\"he said \\\"hi\\\"\\n\",\"stream\":\"stdout\",\"time\":\"2026-12-01T08:00:"
			    "00.000000001Z\"}\n");
	free(s);
	/* bytes that are not UTF-8 cannot be a JSON string: the line is kept with them replaced */
	s = hr_logline_json("stderr",
			    "a\xff\xfe"
			    "b\n",
			    5, "T");
	ck_assert_str_eq(s, "{\"log\":\"a??b\\n\",\"stream\":\"stderr\",\"time\":\"T\"}\n");
	free(s);
	/* well-formed multibyte characters stay, and so do NUL bytes */
	s = hr_logline_json("stdout",
			    "\xc3\xa4\xff"
			    "\0"
			    "x",
			    5, "T");
	ck_assert_str_eq(s, "{\"log\":\"\xc3\xa4?\\u0000x\",\"stream\":\"stdout\",\"time\":\"T\"}\n");
	free(s);
	s = hr_syslog_line(3, 6, 1796112000, "web", 42, "hello", 5);
	ck_assert_str_eq(s, "<30>Dec  1 08:00:00 web[42]: hello");
	free(s);
	s = hr_event_json(HR_EV_EXIT, "web", "2026-12-01T08:00:00Z", f);
	ck_assert_str_eq(s, "{\"time\":\"2026-12-01T08:00:00Z\",\"name\":\"web\",\"type\":\"exit\",\"code\":1,"
			    "\"signal\":\"\"}");
	free(s);
	json_decref(f);
	ck_assert_int_eq(hr_event_mask_parse("exit,give-up", &mask, &err), 0);
	ck_assert_uint_eq(mask, (1U << HR_EV_EXIT) | (1U << HR_EV_GIVE_UP));
	ck_assert_int_eq(hr_event_mask_parse("exit,boom", &mask, &err), -1);
	ck_assert_str_eq(err->msg, "--notify-on: unknown event `boom`");
	hr_err_free(&err);
	/* once per crossing, re-armed below the threshold */
	ck_assert(!hr_alert_check(&a, 10));
	ck_assert(hr_alert_check(&a, 60));
	ck_assert(!hr_alert_check(&a, 70));
	ck_assert(!hr_alert_check(&a, 55));
	ck_assert(!hr_alert_check(&a, 40));
	ck_assert(hr_alert_check(&a, 50));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("launch");
	TCase *tc = tcase_create("launch");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, restart_policies);
	tcase_add_test(tc, backoff_and_units);
	tcase_add_test(tc, rootfs_config);
	tcase_add_test(tc, tighten_limits);
	tcase_add_test(tc, tighten_process);
	tcase_add_test(tc, tighten_mounts);
	tcase_add_test(tc, log_options);
	tcase_add_test(tc, record_formats);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
