/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The policy file: built-in levels, overrides over a base level, every key's errors, exemptions, AppArmor text. */
#include <check.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "hardrun/policy.h"
#include "hardrun/spec.h"
#include "hardrun/strutil.h"

static struct hr_policy *parse_ok(const char *text)
{
	struct hr_policy *p = NULL;
	struct hr_err *err = NULL;

	if (hr_policy_parse(text, strlen(text), "policy.json", -1, &p, &err) < 0)
		ck_abort_msg("parse failed: %s", err->msg);
	return p;
}

static void parse_fails(const char *text, const char *expected)
{
	struct hr_policy *p = NULL;
	struct hr_err *err = NULL;

	ck_assert_int_eq(hr_policy_parse(text, strlen(text), "policy.json", -1, &p, &err), -1);
	ck_assert_ptr_null(p);
	ck_assert_str_eq(err->msg, expected);
	hr_err_free(&err);
}

static uint64_t caps(const char *const *names)
{
	uint64_t m = 0;

	for (; *names; names++)
		m |= 1ull << hr_cap_from_name(*names);
	return m;
}

START_TEST(builtin_levels)
{
	static const char *const l2caps[] = {
		"CAP_CHOWN",  "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL", "CAP_NET_BIND_SERVICE",
		"CAP_SETGID", "CAP_SETPCAP",	  "CAP_SETUID", NULL};
	static const char *const docker14[] = {"CAP_CHOWN",   "CAP_DAC_OVERRIDE",     "CAP_FOWNER", "CAP_FSETID",
					       "CAP_KILL",    "CAP_NET_BIND_SERVICE", "CAP_SETGID", "CAP_SETPCAP",
					       "CAP_SETUID",  "CAP_AUDIT_WRITE",      "CAP_MKNOD",  "CAP_NET_RAW",
					       "CAP_SETFCAP", "CAP_SYS_CHROOT",	      NULL};
	struct hr_policy *p[4];
	struct hr_err *err = NULL;

	for (int l = 0; l <= 3; l++) {
		ck_assert_int_eq(hr_policy_parse(NULL, 0, "policy", l, &p[l], &err), 0);
		ck_assert_int_eq(p[l]->level, l);
	}
	/* 0: passthrough applies nothing */
	ck_assert(!p[0]->no_new_privileges);
	ck_assert(!p[0]->caps_enforce);
	ck_assert(!p[0]->refuse_privileged);
	ck_assert(!p[0]->rootfs_readonly);
	ck_assert_ptr_null(p[0]->tmpfs_paths[0]);
	ck_assert_ptr_null(p[0]->masked_paths[0]);
	ck_assert_ptr_null(p[0]->engine_sockets[0]);
	ck_assert_str_eq(p[0]->seccomp_profile, "none");
	ck_assert(!p[0]->userns);
	ck_assert_int_eq(p[0]->restart_max_failures, 0);
	ck_assert_int_eq(p[0]->pids.def, 0);
	/* 1: runs ordinary images unchanged: Docker's 14 capabilities, writable rootfs, Docker's seccomp */
	ck_assert(p[1]->no_new_privileges);
	ck_assert_uint_eq(p[1]->caps_allow, caps(docker14));
	ck_assert(!p[1]->rootfs_readonly);
	ck_assert(!p[1]->userns);
	ck_assert(!p[1]->refuse_privileged);
	ck_assert(!p[1]->refuse_host_namespaces);
	ck_assert_str_eq(p[1]->seccomp_profile, "docker");
	ck_assert_int_eq(p[1]->pids.def, 4096);
	ck_assert_int_eq(p[1]->memory.def, 0);
	/* 2: the default */
	ck_assert_uint_eq(p[2]->caps_allow, caps(l2caps));
	ck_assert(!p[2]->caps_inheritable);
	ck_assert(!p[2]->caps_ambient);
	ck_assert(p[2]->refuse_privileged);
	ck_assert(p[2]->rootfs_readonly);
	ck_assert(p[2]->rootfs_nosuid_nodev);
	ck_assert(p[2]->mounts_nosuid_nodev);
	ck_assert_str_eq(p[2]->tmpfs_paths[0], "/tmp");
	ck_assert_str_eq(p[2]->tmpfs_paths[1], "/var/tmp");
	ck_assert_str_eq(p[2]->tmpfs_paths[2], "/run");
	ck_assert_uint_eq(p[2]->tmpfs_size, 64u << 20);
	ck_assert_int_eq(p[2]->pids.def, 1024);
	ck_assert_int_eq(p[2]->pids.max, 32768);
	ck_assert_int_eq(p[2]->memory.def, 1ll << 30);
	ck_assert_int_eq(p[2]->memory.max, 64ll << 30);
	ck_assert(p[2]->swap_equals_memory);
	ck_assert_int_eq(p[2]->cpu_shares.def, 1024);
	ck_assert_str_eq(p[2]->seccomp_profile, "default");
	ck_assert(p[2]->userns);
	ck_assert_uint_eq(p[2]->userns_pool_start, 1000000);
	ck_assert_uint_eq(p[2]->userns_pool_size, 100u * 65536);
	ck_assert_int_eq(p[2]->userns_unmapped, HR_UNMAPPED_REFUSE);
	ck_assert_int_eq(p[2]->apparmor, HR_APPARMOR_PREFERRED);
	ck_assert_int_eq(p[2]->on_violation, HR_POLICY_FIX);
	ck_assert(p[2]->restart_tainted);
	ck_assert_int_eq(p[2]->restart_max_failures, 5);
	ck_assert_int_eq(p[2]->restart_window_seconds, 300);
	ck_assert(!p[2]->refuse_root_user);
	/* 3: strict */
	ck_assert_int_eq(p[3]->on_violation, HR_POLICY_REFUSE);
	ck_assert_int_eq(p[3]->apparmor, HR_APPARMOR_REQUIRED);
	ck_assert(!p[3]->restart_tainted);
	ck_assert(p[3]->refuse_root_user);
	ck_assert_int_eq(p[3]->pids.max, 4096);
	for (int l = 0; l <= 3; l++)
		hr_policy_free(p[l]);
	ck_assert_int_eq(hr_policy_parse(NULL, 0, "policy", 4, &p[0], &err), -1);
	ck_assert_str_eq(err->msg, "policy: level: expected an integer from 0 to 3");
	hr_err_free(&err);
}
END_TEST

START_TEST(overrides_keep_the_base)
{
	struct hr_policy *p = parse_ok("{\"level\": 3, \"resources\": {\"pids\": {\"max\": 100, \"default\": 50}},"
				       " \"tmpfs\": {\"size\": 1048576}, \"apparmor\": \"off\"}");
	struct hr_policy *d = parse_ok("{}");
	cleanup_free char *dump = hr_policy_dump(p);
	json_t *j = json_loads(dump, 0, NULL);

	ck_assert_int_eq(p->level, 3);
	ck_assert_int_eq(p->pids.max, 100);
	ck_assert_int_eq(p->pids.def, 50);
	ck_assert_uint_eq(p->tmpfs_size, 1048576);
	ck_assert_int_eq(p->apparmor, HR_APPARMOR_OFF);
	/* untouched keys are the level's */
	ck_assert_int_eq(p->on_violation, HR_POLICY_REFUSE);
	ck_assert_int_eq(p->memory.max, 8ll << 30);
	/* no level: the default level 2 */
	ck_assert_int_eq(d->level, 2);
	/* the dump is the merged policy, every key */
	ck_assert_int_eq(
		json_integer_value(json_object_get(json_object_get(json_object_get(j, "resources"), "pids"), "max")),
		100);
	ck_assert_str_eq(json_string_value(json_object_get(j, "apparmor")), "off");
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(j, "restart"), "max_failures")), 3);
	json_decref(j);
	hr_policy_free(p);
	hr_policy_free(d);
}
END_TEST

START_TEST(every_key_checked)
{
	parse_fails("{\"capabilities\": {\"allow\": [\"CAP_CHOWN\", \"CAP_KILL\", \"CAP_FOO\"]}}",
		    "policy.json: capabilities.allow[2]: unknown capability \"CAP_FOO\"");
	parse_fails("{\"capabilities\": {\"allow\": [\"chown\"]}}",
		    "policy.json: capabilities.allow[0]: unknown capability \"chown\"");
	parse_fails("{\"capabilities\": {\"enforce\": 1}}",
		    "policy.json: capabilities.enforce: expected true or false");
	parse_fails("{\"capabilities\": 1}", "policy.json: capabilities: expected an object");
	parse_fails("{\"level\": 7}", "policy.json: level: expected an integer from 0 to 3");
	parse_fails("{\"level\": \"2\"}", "policy.json: level: expected an integer from 0 to 3");
	parse_fails("{\"levle\": 2}", "policy.json: levle: unknown key");
	parse_fails("{\"resources\": {\"pids\": {\"maximum\": 2}}}",
		    "policy.json: resources.pids.maximum: unknown key");
	parse_fails("{\"on_violation\": \"warn\"}",
		    "policy.json: on_violation: unknown value \"warn\", expected fix or refuse");
	parse_fails("{\"privileged\": true}", "policy.json: privileged: expected allow or refuse");
	parse_fails("{\"host_namespaces\": \"maybe\"}",
		    "policy.json: host_namespaces: unknown value \"maybe\", expected allow or refuse");
	parse_fails("{\"no_new_privileges\": \"yes\"}", "policy.json: no_new_privileges: expected true or false");
	parse_fails("{\"rootfs\": {\"readonly\": null}}", "policy.json: rootfs.readonly: expected true or false");
	parse_fails("{\"rootfs\": {\"nosuid_nodev\": 0}}", "policy.json: rootfs.nosuid_nodev: expected true or false");
	parse_fails("{\"tmpfs\": {\"paths\": [\"tmp\"]}}",
		    "policy.json: tmpfs.paths[0]: \"tmp\" is not a clean absolute path");
	parse_fails("{\"tmpfs\": {\"size\": \"64x\"}}",
		    "policy.json: tmpfs.size: expected a size (bytes, or a number with k, m or g)");
	parse_fails("{\"tmpfs\": {\"size\": 100}}", "policy.json: tmpfs.size: must be at least 4k");
	parse_fails("{\"mounts\": {\"nosuid_nodev\": \"x\"}}",
		    "policy.json: mounts.nosuid_nodev: expected true or false");
	parse_fails("{\"mounts\": {\"engine_sockets\": [\"/run/docker.sock\"]}}",
		    "policy.json: mounts.engine_sockets[0]: \"/run/docker.sock\" is not a file name");
	parse_fails("{\"mounts\": {\"engine_paths\": [\"/run/../x\"]}}",
		    "policy.json: mounts.engine_paths[0]: \"/run/../x\" is not a clean absolute path");
	parse_fails("{\"mounts\": {\"sensitive_paths\": [\"\"]}}",
		    "policy.json: mounts.sensitive_paths[0]: expected a non-empty string");
	parse_fails("{\"mounts\": {\"monitors\": \"mon-*\"}}",
		    "policy.json: mounts.monitors: expected an array of strings");
	parse_fails("{\"resources\": {\"pids\": {\"default\": -1}}}",
		    "policy.json: resources.pids.default: expected an integer from 0 to 2147483647");
	parse_fails("{\"resources\": {\"pids\": {\"default\": 100, \"max\": 10}}}",
		    "policy.json: resources.pids.default: above resources.pids.max");
	parse_fails("{\"resources\": {\"memory\": {\"max\": \"lots\"}}}",
		    "policy.json: resources.memory.max: expected a size (bytes, or a number with k, m or g)");
	parse_fails("{\"resources\": {\"memory\": {\"default\": \"1m\"}}}",
		    "policy.json: resources.memory.default: must be 0 or at least 4m");
	parse_fails("{\"resources\": {\"memory\": {\"swap_equals_memory\": 1}}}",
		    "policy.json: resources.memory.swap_equals_memory: expected true or false");
	parse_fails("{\"resources\": {\"cpu_shares\": {\"default\": 1}}}",
		    "policy.json: resources.cpu_shares: the kernel's minimum is 2");
	parse_fails("{\"masked_paths\": [\"/proc/kcore\", \"proc\"]}",
		    "policy.json: masked_paths[1]: \"proc\" is not a clean absolute path");
	parse_fails("{\"readonly_paths\": 3}", "policy.json: readonly_paths: expected an array of strings");
	parse_fails("{\"seccomp\": {\"profile\": \"../x\"}}",
		    "policy.json: seccomp.profile: \"../x\" is not a profile name");
	parse_fails("{\"seccomp\": {\"profile_dir\": \"rel\"}}",
		    "policy.json: seccomp.profile_dir: \"rel\" is not a clean absolute path");
	parse_fails("{\"seccomp\": {\"allowed\": [\"a/b\"]}}",
		    "policy.json: seccomp.allowed[0]: \"a/b\" is not a file name");
	parse_fails("{\"seccomp\": {\"container_dir\": \"etc\"}}",
		    "policy.json: seccomp.container_dir: expected a clean absolute path");
	parse_fails("{\"seccomp\": {\"learn\": {\"dir\": \"/var/../x\"}}}",
		    "policy.json: seccomp.learn.dir: expected a clean absolute path");
	parse_fails("{\"seccomp\": {\"learn\": {\"containers\": \"web\"}}}",
		    "policy.json: seccomp.learn.containers: expected an array of strings");
	parse_fails("{\"seccomp\": {\"profiles\": [{\"match\": \"web\"}]}}",
		    "policy.json: seccomp.profiles[0]: expected {\"match\": GLOB, \"profile\": NAME}");
	parse_fails("{\"seccomp\": {\"profiles\": [{\"match\": \"web\", \"profile\": \"../x\"}]}}",
		    "policy.json: seccomp.profiles[0].profile: \"../x\" is not a profile name");
	parse_fails("{\"user\": {\"root\": \"deny\"}}",
		    "policy.json: user.root: unknown value \"deny\", expected allow or refuse");
	parse_fails("{\"userns\": {\"enabled\": 1}}", "policy.json: userns.enabled: expected true or false");
	parse_fails("{\"userns\": {\"pool_start\": 0}}",
		    "policy.json: userns.pool_start: expected an integer from 1 to 4294967295");
	parse_fails("{\"userns\": {\"pool_size\": 65537}}",
		    "policy.json: userns.pool_size: must be a multiple of 65536");
	parse_fails("{\"userns\": {\"pool_start\": 4294000000}}",
		    "policy.json: userns: pool_start + pool_size must stay below 2^32");
	parse_fails("{\"userns\": {\"unmapped\": \"warn\"}}",
		    "policy.json: userns.unmapped: unknown value \"warn\", expected refuse or allow");
	parse_fails("{\"apparmor\": \"on\"}",
		    "policy.json: apparmor: unknown value \"on\", expected off, preferred or required");
	parse_fails("{\"restart_tainted\": \"no\"}", "policy.json: restart_tainted: expected true or false");
	parse_fails("{\"restart\": {\"max_failures\": -1}}",
		    "policy.json: restart.max_failures: expected an integer from 0 to 1000000");
	parse_fails("{\"restart\": {\"window_seconds\": 0}}",
		    "policy.json: restart.window_seconds: expected an integer from 1 to 2147483647");
	parse_fails("{\"exemptions\": {}}", "policy.json: exemptions: expected an array");
	parse_fails("{\"exemptions\": [{\"controls\": [\"3.5\"]}]}",
		    "policy.json: exemptions[0]: needs id or annotation");
	parse_fails("{\"exemptions\": [{\"id\": \"a*\"}]}", "policy.json: exemptions[0].controls: required");
	parse_fails("{\"exemptions\": [{\"id\": \"a*\", \"controls\": [\"3.5\", \"3.99\"]}]}",
		    "policy.json: exemptions[0].controls[1]: unknown control \"3.99\"");
	parse_fails("{\"exemptions\": [{\"id\": \"a*\", \"controls\": [], \"why\": 1}]}",
		    "policy.json: exemptions[0].why: unknown key");
	parse_fails("{\"exemptions\": [{\"annotation\": \"=x\", \"controls\": []}]}",
		    "policy.json: exemptions[0].annotation: expected \"KEY\" or \"KEY=VALUE\"");
	parse_fails("{\"a\": 1, \"a\": 2}", "policy.json:1:12: duplicate object key near '\"a\"'");
	parse_fails("[1]", "policy.json: expected a JSON object");
	parse_fails("{", "policy.json:1:1: string or '}' expected near end of file");
}
END_TEST

START_TEST(exemptions_and_monitors)
{
	struct hr_policy *p = parse_ok("{\"mounts\": {\"monitors\": [\"mon-*\"]}, \"exemptions\": ["
				       "{\"id\": \"db-*\", \"controls\": [\"3.5\", \"3.14\"]},"
				       "{\"annotation\": \"org.example/trusted=yes\", \"controls\": [\"3.9\"]},"
				       "{\"id\": \"x\", \"annotation\": \"k\", \"controls\": [\"3.2\"]}]}");
	json_t *yes = json_pack("{s:s}", "org.example/trusted", "yes");
	json_t *no = json_pack("{s:s}", "org.example/trusted", "no");
	json_t *k = json_pack("{s:s}", "k", "");

	ck_assert(hr_policy_exempt(p, "3.5", "db-1", NULL, NULL));
	ck_assert(hr_policy_exempt(p, "3.14", "web", "db-main", NULL));
	ck_assert(!hr_policy_exempt(p, "3.9", "db-1", NULL, NULL));
	ck_assert(!hr_policy_exempt(p, "3.5", "web", NULL, NULL));
	ck_assert(hr_policy_exempt(p, "3.9", "web", NULL, yes));
	ck_assert(!hr_policy_exempt(p, "3.9", "web", NULL, no));
	ck_assert(!hr_policy_exempt(p, "3.5", "web", NULL, yes));
	/* id and annotation: both must hold */
	ck_assert(hr_policy_exempt(p, "3.2", "x", NULL, k));
	ck_assert(!hr_policy_exempt(p, "3.2", "x", NULL, NULL));
	ck_assert(!hr_policy_exempt(p, "3.2", "y", NULL, k));
	ck_assert(hr_policy_is_monitor(p, "mon-1", NULL));
	ck_assert(hr_policy_is_monitor(p, "abc", "mon-prom"));
	ck_assert(!hr_policy_is_monitor(p, "web", "web"));
	json_decref(yes);
	json_decref(no);
	json_decref(k);
	hr_policy_free(p);
}
END_TEST

START_TEST(sizes)
{
	uint64_t v;

	ck_assert_int_eq(hr_policy_parse_size("64m", &v), 0);
	ck_assert_uint_eq(v, 64u << 20);
	ck_assert_int_eq(hr_policy_parse_size("2G", &v), 0);
	ck_assert_uint_eq(v, 2ull << 30);
	ck_assert_int_eq(hr_policy_parse_size("512k", &v), 0);
	ck_assert_uint_eq(v, 512u << 10);
	ck_assert_int_eq(hr_policy_parse_size("4096", &v), 0);
	ck_assert_uint_eq(v, 4096);
	ck_assert_int_eq(hr_policy_parse_size("m", &v), -1);
	ck_assert_int_eq(hr_policy_parse_size("", &v), -1);
	ck_assert_int_eq(hr_policy_parse_size("-1m", &v), -1);
	ck_assert_int_eq(hr_policy_parse_size("99999999999999g", &v), -1);
}
END_TEST

START_TEST(apparmor_text)
{
	cleanup_free char *t = hr_policy_apparmor_profile("hardrun-web");

	ck_assert_ptr_nonnull(t);
	ck_assert_ptr_null(strstr(t, "@PROFILE@"));
	ck_assert_ptr_nonnull(strstr(t, "profile hardrun-web flags=(attach_disconnected,mediate_deleted) {"));
	ck_assert_ptr_nonnull(strstr(t, "signal (send,receive) peer=hardrun-web,"));
	ck_assert_ptr_nonnull(strstr(t, "deny mount,"));
	ck_assert_ptr_null(hr_policy_apparmor_profile("a b"));
	ck_assert_ptr_null(hr_policy_apparmor_profile("x{y}"));
	ck_assert_ptr_null(hr_policy_apparmor_profile(""));
}
END_TEST

/* The generated profile must compile: apparmor_parser -Q (no kernel needed) on it. */
START_TEST(apparmor_compiles)
{
	cleanup_free char *t = hr_policy_apparmor_profile("hardrun-unit-test");
	char path[] = "/tmp/hr-aa.XXXXXX";
	char cmd[256];
	int fd = mkstemp(path);

	/* Debian's apparmor package has the parser; it compiles without AppArmor in the kernel */
	if (access("/sbin/apparmor_parser", X_OK) != 0 && access("/usr/sbin/apparmor_parser", X_OK) != 0 &&
	    geteuid() == 0)
		(void)!system("DEBIAN_FRONTEND=noninteractive apt-get install -y -q apparmor >/dev/null 2>&1");
	if (access("/sbin/apparmor_parser", X_OK) != 0 && access("/usr/sbin/apparmor_parser", X_OK) != 0) {
		unlink(path);
		ck_abort_msg("apparmor_parser is missing and could not be installed: apt-get install apparmor");
	}
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(hr_write_all(fd, t, strlen(t)), 0);
	close(fd);
	snprintf(cmd, sizeof(cmd), "PATH=/usr/sbin:/sbin:$PATH apparmor_parser -Q -T -K %s >/dev/null 2>&1", path);
	ck_assert_int_eq(system(cmd), 0);
	unlink(path);
}
END_TEST

START_TEST(builtin_seccomp)
{
	size_t len = 0;
	const char *d = hr_policy_builtin_seccomp("default", &len);
	json_t *j = json_loadb(d, len, 0, NULL);
	struct hr_spec *s = NULL;
	struct hr_err *err = NULL;
	json_t *cfg = json_pack("{s:s, s:{s:s}, s:{s:O}}", "ociVersion", "1.0.2", "root", "path", "rootfs", "linux",
				"seccomp", j);

	ck_assert_ptr_nonnull(j);
	ck_assert_int_eq(hr_spec_parse(cfg, &s, &err), 0);
	ck_assert_ptr_nonnull(s->lnx.seccomp);
	ck_assert_int_eq(s->lnx.seccomp->default_action, HR_SCMP_ACT_ERRNO);
	/* the differences to Docker's: none of these is allowed */
	for (size_t i = 0; i < s->lnx.seccomp->n_rules; i++) {
		const struct hr_seccomp_rule *r = &s->lnx.seccomp->rules[i];

		for (char **n = r->names; *n; n++) {
			if (r->action != HR_SCMP_ACT_ALLOW)
				continue;
			ck_assert_msg(strcmp(*n, "ptrace") && strcmp(*n, "process_vm_readv") &&
					      strcmp(*n, "process_vm_writev") && strcmp(*n, "chroot") &&
					      strcmp(*n, "modify_ldt") && strcmp(*n, "keyctl") && strcmp(*n, "bpf") &&
					      strcmp(*n, "userfaultfd") && strcmp(*n, "perf_event_open") &&
					      strncmp(*n, "io_uring", 8) && strcmp(*n, "unshare"),
				      "%s is allowed", *n);
			if (strcmp(*n, "personality") == 0)
				ck_assert(r->args[0].value == 0 || r->args[0].value == 0xffffffff);
		}
	}
	ck_assert_ptr_nonnull(hr_policy_builtin_seccomp("docker", &len));
	ck_assert_ptr_null(hr_policy_builtin_seccomp("nope", &len));
	hr_spec_free(s);
	json_decref(cfg);
	json_decref(j);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("policy");
	TCase *tc = tcase_create("policy");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, builtin_levels);
	tcase_add_test(tc, overrides_keep_the_base);
	tcase_add_test(tc, every_key_checked);
	tcase_add_test(tc, exemptions_and_monitors);
	tcase_add_test(tc, sizes);
	tcase_add_test(tc, apparmor_text);
	tcase_add_test(tc, builtin_seccomp);
	suite_add_tcase(s, tc);
	/* may install the apparmor package first */
	tc = tcase_create("apparmor_parser");
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, apparmor_compiles);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
