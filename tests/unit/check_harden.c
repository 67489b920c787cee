/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The harden stage: every row at every level, decisions compared as golden
 * JSON, refusal texts exact, loosening attempts refused, exemptions, and
 * the hardened config accepted by the parser and validator.
 */
#include <check.h>
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "hardrun/harden.h"
#include "hardrun/policy.h"
#include "hardrun/spec.h"
#include "hardrun/strutil.h"

/* runc's `spec` config as the integration harness writes it, with a busybox rootfs */
static json_t *runc_config(void)
{
	json_t *c = json_loads(
		"{\"ociVersion\": \"1.0.2\","
		" \"process\": {\"terminal\": false, \"user\": {\"uid\": 0, \"gid\": 0}, \"args\": [\"/probe\"],"
		"  \"env\": [\"PATH=/bin\"], \"cwd\": \"/\","
		"  \"capabilities\": {\"bounding\": [\"CAP_AUDIT_WRITE\", \"CAP_KILL\", \"CAP_NET_BIND_SERVICE\"],"
		"   \"effective\": [\"CAP_AUDIT_WRITE\", \"CAP_KILL\", \"CAP_NET_BIND_SERVICE\"],"
		"   \"permitted\": [\"CAP_AUDIT_WRITE\", \"CAP_KILL\", \"CAP_NET_BIND_SERVICE\"]},"
		"  \"noNewPrivileges\": true},"
		" \"root\": {\"path\": \"rootfs\", \"readonly\": true}, \"hostname\": \"hrit\","
		" \"mounts\": [{\"destination\": \"/proc\", \"type\": \"proc\", \"source\": \"proc\"},"
		"  {\"destination\": \"/dev\", \"type\": \"tmpfs\", \"source\": \"tmpfs\", \"options\": [\"nosuid\"]},"
		"  {\"destination\": \"/sys\", \"type\": \"sysfs\", \"source\": \"sysfs\", \"options\": [\"nosuid\","
		"\"noexec\", \"nodev\", \"ro\"]}],"
		" \"linux\": {\"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"network\"}, {\"type\": \"ipc\"},"
		"  {\"type\": \"uts\"}, {\"type\": \"mount\"}],"
		"  \"maskedPaths\": [\"/proc/kcore\", \"/proc/keys\"], \"readonlyPaths\": [\"/proc/sys\"]}}",
		0, NULL);

	ck_assert_ptr_nonnull(c);
	return c;
}

static struct hr_policy *level(int l)
{
	struct hr_policy *p = NULL;
	struct hr_err *err = NULL;

	ck_assert_int_eq(hr_policy_parse(NULL, 0, "policy", l, &p, &err), 0);
	return p;
}

static struct hr_policy *policy(const char *text)
{
	struct hr_policy *p = NULL;
	struct hr_err *err = NULL;

	if (hr_policy_parse(text, strlen(text), "policy.json", -1, &p, &err) < 0)
		ck_abort_msg("%s", err->msg);
	return p;
}

static bool only_tmp(void *arg, const char *path)
{
	(void)arg;
	return strcmp(path, "/tmp") == 0;
}

static struct hr_harden_ctx ctx(void)
{
	return (struct hr_harden_ctx){.id = "web",
				      .bundle = "/srv/web",
				      .has_userns_base = true,
				      .userns_base = 1065536,
				      .now = 100000,
				      .rootfs_has_dir = only_tmp};
}

/* Harden and expect success; returns the decisions as compact JSON text (new string). */
static char *harden_ok(const struct hr_policy *p, json_t *cfg, const struct hr_harden_ctx *c)
{
	struct hr_decisions d = {0};
	struct hr_err *err = NULL;
	json_t *j;
	char *s;

	if (hr_harden(p, cfg, c, &d, &err) < 0)
		ck_abort_msg("harden failed: %s", err->msg);
	j = hr_decisions_json(&d);
	s = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	hr_decisions_clear(&d);
	return s;
}

static void harden_refused(const struct hr_policy *p, json_t *cfg, const struct hr_harden_ctx *c, const char *msg)
{
	struct hr_decisions d = {0};
	struct hr_err *err = NULL;

	ck_assert_int_eq(hr_harden(p, cfg, c, &d, &err), -1);
	ck_assert_str_eq(err->msg, msg);
	ck_assert_int_eq(err->errnum, 0);
	/* the refusal is the last decision, with the same detail */
	ck_assert_uint_ge(d.n, 1);
	ck_assert_int_eq(d.v[d.n - 1].action, HR_DECISION_REFUSED);
	ck_assert_ptr_nonnull(strstr(msg, d.v[d.n - 1].detail));
	hr_err_free(&err);
	hr_decisions_clear(&d);
}

/* The hardened JSON must pass the parser and the validator unchanged. */
static struct hr_spec *parse_spec(json_t *cfg)
{
	struct hr_spec *s = NULL;
	struct hr_err *err = NULL;

	if (hr_spec_parse(cfg, &s, &err) < 0 || hr_spec_validate(s, &err) < 0)
		ck_abort_msg("hardened config refused: %s", err->msg);
	return s;
}

static void parses(json_t *cfg)
{
	hr_spec_free(parse_spec(cfg));
}

static json_t *path(json_t *j, const char *p)
{
	cleanup_free char *copy = xstrdup(p);
	char *save = NULL;

	for (char *k = strtok_r(copy, ".", &save); k && j; k = strtok_r(NULL, ".", &save))
		j = json_is_array(j) ? json_array_get(j, strtoul(k, NULL, 10)) : json_object_get(j, k);
	return j;
}

static void assert_json(json_t *v, const char *expected)
{
	cleanup_free char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);

	ck_assert_str_eq(s, expected);
}

START_TEST(l2_hardens_a_plain_bundle)
{
	struct hr_policy *p = level(2);
	struct hr_harden_ctx c = ctx();
	json_t *cfg = runc_config();
	cleanup_free char *d = harden_ok(p, cfg, &c);

	ck_assert_str_eq(
		d,
		"[{\"control\":\"3.1\",\"action\":\"kept\",\"detail\":\"process.noNewPrivileges is true\"},"
		"{\"control\":\"3.5\",\"action\":\"tightened\",\"detail\":\"process.capabilities: dropped "
		"CAP_AUDIT_WRITE\"},"
		"{\"control\":\"3.2\",\"action\":\"added\",\"detail\":\"user namespace: container ids 0-65535 on "
		"host ids 1065536-1131071\"},"
		"{\"control\":\"3.9\",\"action\":\"kept\",\"detail\":\"root.readonly is true\"},"
		"{\"control\":\"3.9\",\"action\":\"added\",\"detail\":\"tmpfs on /tmp "
		"(nosuid,nodev,noexec,size=67108864)\"},"
		"{\"control\":\"3.9\",\"action\":\"kept\",\"detail\":\"/var/tmp: not in the image, no tmpfs\"},"
		"{\"control\":\"3.9\",\"action\":\"kept\",\"detail\":\"/run: not in the image, no tmpfs\"},"
		"{\"control\":\"setuid\",\"action\":\"added\",\"detail\":\"rootfs: nosuid,nodev\"},"
		"{\"control\":\"setuid\",\"action\":\"tightened\",\"detail\":\"mounts made nosuid (and nodev "
		"but /dev, /dev/pts): /proc\"},"
		"{\"control\":\"3.14\",\"action\":\"added\",\"detail\":\"linux.resources.pids.limit 1024\"},"
		"{\"control\":\"3.14\",\"action\":\"added\",\"detail\":\"linux.resources.memory.limit 1073741824\"},"
		"{\"control\":\"3.14\",\"action\":\"added\",\"detail\":\"linux.resources.cpu.shares 1024\"},"
		"{\"control\":\"3.14\",\"action\":\"added\",\"detail\":\"linux.resources.memory.swap 1073741824 (no "
		"swap)\"},"
		"{\"control\":\"masked\",\"action\":\"added\",\"detail\":\"masked: /proc/acpi, /proc/asound, "
		"/proc/interrupts, /proc/latency_stats, /proc/sched_debug, /proc/scsi, /proc/timer_list, "
		"/proc/timer_stats, /sys/devices/virtual/powercap, /sys/firmware\"},"
		"{\"control\":\"masked\",\"action\":\"added\",\"detail\":\"read-only: /proc/bus, /proc/fs, /proc/irq, "
		"/proc/sysrq-trigger\"},"
		"{\"control\":\"3.4\",\"action\":\"added\",\"detail\":\"seccomp profile \\\"default\\\"\"},"
		"{\"control\":\"apparmor\",\"action\":\"kept\",\"detail\":\"the kernel has no AppArmor: no "
		"profile\"}]");
	assert_json(path(cfg, "process.capabilities.bounding"), "[\"CAP_KILL\",\"CAP_NET_BIND_SERVICE\"]");
	assert_json(path(cfg, "process.capabilities.effective"), "[\"CAP_KILL\",\"CAP_NET_BIND_SERVICE\"]");
	assert_json(path(cfg, "linux.namespaces.5"), "{\"type\":\"user\"}");
	assert_json(path(cfg, "linux.uidMappings"), "[{\"containerID\":0,\"hostID\":1065536,\"size\":65536}]");
	assert_json(path(cfg, "linux.gidMappings"), "[{\"containerID\":0,\"hostID\":1065536,\"size\":65536}]");
	assert_json(path(cfg, "annotations"), "{\"org.hardrun.rootfs.idmap\":\"true\",\"org.hardrun.rootfs.idmap-"
					      "fallback\":\"refuse\",\"org.hardrun.rootfs.nosuid\":\"true\"}");
	assert_json(path(cfg, "mounts.3"),
		    "{\"destination\":\"/tmp\",\"type\":\"tmpfs\",\"source\":\"tmpfs\","
		    "\"options\":[\"nosuid\",\"nodev\",\"noexec\",\"mode=1777\",\"size=67108864\"]}");
	ck_assert_uint_eq(json_array_size(path(cfg, "mounts")), 4);
	assert_json(path(cfg, "linux.resources"), "{\"pids\":{\"limit\":1024},\"memory\":{\"limit\":1073741824,"
						  "\"swap\":1073741824},\"cpu\":{\"shares\":1024}}");
	ck_assert_uint_eq(json_array_size(path(cfg, "linux.maskedPaths")), 12);
	assert_json(path(cfg, "linux.readonlyPaths"),
		    "[\"/proc/sys\",\"/proc/bus\",\"/proc/fs\",\"/proc/irq\",\"/proc/sysrq-trigger\"]");
	assert_json(path(cfg, "linux.seccomp.defaultAction"), "\"SCMP_ACT_ERRNO\"");
	ck_assert_ptr_null(json_object_get(path(cfg, "linux"), HR_POLICY_SECCOMP_KEY));
	{
		struct hr_spec *sp = parse_spec(cfg);

		ck_assert(sp->root_nosuid_nodev);
		ck_assert(sp->root_readonly);
		ck_assert_ptr_nonnull(sp->lnx.seccomp);
		ck_assert_ptr_null(sp->lnx.policy_seccomp);
		ck_assert(sp->lnx.namespaces[HR_NS_USER].present);
		ck_assert_uint_eq(sp->lnx.uid_mappings[0].host_id, 1065536);
		ck_assert_int_eq(sp->lnx.resources.pids_limit, 1024);
		ck_assert_uint_eq(sp->process->caps.bounding, (1ull << 5) | (1ull << 10));
		hr_spec_free(sp);
	}
	json_decref(cfg);
	hr_policy_free(p);
}
END_TEST

START_TEST(passthrough_changes_nothing)
{
	struct hr_policy *p = level(0);
	struct hr_harden_ctx c = ctx();
	json_t *cfg = runc_config(), *orig = json_deep_copy(cfg);
	cleanup_free char *d = NULL;

	/* even a privileged config with a docker.sock bind: level 0 enforces only what the bundle asks */
	json_array_append_new(path(cfg, "process.capabilities.bounding"), json_string("CAP_SYS_ADMIN"));
	json_array_append_new(path(cfg, "mounts"), json_pack("{s:s, s:s, s:[s]}", "destination", "/s", "source",
							     "/var/run/docker.sock", "options", "bind"));
	json_object_set_new(path(cfg, "process"), "noNewPrivileges", json_false());
	json_decref(orig);
	orig = json_deep_copy(cfg);
	ck_assert(!hr_harden_wants_userns(p, cfg, &c));
	d = harden_ok(p, cfg, &c);
	ck_assert_str_eq(d, "[]");
	ck_assert(json_equal(cfg, orig));
	json_decref(cfg);
	json_decref(orig);
	hr_policy_free(p);
}
END_TEST

START_TEST(l1_runs_images_unchanged)
{
	struct hr_policy *p = level(1);
	struct hr_harden_ctx c = ctx();
	json_t *cfg = runc_config();
	cleanup_free char *d = NULL;

	json_object_set_new(path(cfg, "root"), "readonly", json_false());
	ck_assert(!hr_harden_wants_userns(p, cfg, &c));
	d = harden_ok(p, cfg, &c);
	/* AUDIT_WRITE is in Docker's 14; the rootfs stays writable; no user namespace */
	assert_json(path(cfg, "process.capabilities.bounding"),
		    "[\"CAP_AUDIT_WRITE\",\"CAP_KILL\",\"CAP_NET_BIND_SERVICE\"]");
	assert_json(path(cfg, "root.readonly"), "false");
	ck_assert_uint_eq(json_array_size(path(cfg, "linux.namespaces")), 5);
	assert_json(path(cfg, "linux.resources"), "{\"pids\":{\"limit\":4096}}");
	ck_assert_ptr_nonnull(path(cfg, "linux.seccomp"));
	ck_assert_ptr_null(strstr(d, "\"3.2\""));
	ck_assert_ptr_null(strstr(d, "\"3.9\""));
	parses(cfg);
	json_decref(cfg);
	hr_policy_free(p);
}
END_TEST

START_TEST(l3_refuses_instead_of_fixing)
{
	struct hr_policy *p = level(3);
	struct hr_policy *p3 = policy("{\"level\": 3, \"user\": {\"root\": \"allow\"}}");
	struct hr_harden_ctx c = ctx();
	json_t *cfg = runc_config();

	c.apparmor_available = true;
	harden_refused(p, cfg, &c, "refused by policy (CSVS 3.3): the workload runs as uid 0 (process.user.uid)");
	json_decref(cfg);
	cfg = runc_config();
	harden_refused(p3, cfg, &c, "refused by policy (CSVS 3.5): process.capabilities: dropped CAP_AUDIT_WRITE");
	json_decref(cfg);
	cfg = runc_config();
	json_object_set_new(path(cfg, "process"), "noNewPrivileges", json_false());
	harden_refused(p3, cfg, &c, "refused by policy (CSVS 3.1): process.noNewPrivileges set to true");
	json_decref(cfg);
	cfg = runc_config();
	json_array_remove(path(cfg, "process.capabilities.bounding"), 0);
	json_array_remove(path(cfg, "process.capabilities.effective"), 0);
	json_array_remove(path(cfg, "process.capabilities.permitted"), 0);
	json_object_set_new(path(cfg, "linux"), "resources", json_pack("{s:{s:i}}", "pids", "limit", 5000));
	harden_refused(p3, cfg, &c, "refused by policy (CSVS 3.14): linux.resources.pids.limit 5000 lowered to 4096");
	json_decref(cfg);
	/* without AppArmor, required refuses */
	cfg = runc_config();
	c.apparmor_available = false;
	json_array_remove(path(cfg, "process.capabilities.bounding"), 0);
	json_array_remove(path(cfg, "process.capabilities.effective"), 0);
	json_array_remove(path(cfg, "process.capabilities.permitted"), 0);
	harden_refused(p3, cfg, &c,
		       "refused by policy (apparmor): the kernel has no AppArmor and the policy requires it");
	json_decref(cfg);
	hr_policy_free(p);
	hr_policy_free(p3);
}
END_TEST

START_TEST(l2_lowers_limits_and_keeps_tighter_ones)
{
	struct hr_policy *p = level(2);
	struct hr_harden_ctx c = ctx();
	json_t *cfg = runc_config();
	cleanup_free char *d = NULL;

	json_object_set_new(path(cfg, "linux"), "resources",
			    json_pack("{s:{s:i}, s:{s:I, s:I}, s:{s:i}}", "pids", "limit", 100000, "memory", "limit",
				      (json_int_t)(128ll << 20), "swap", (json_int_t)-1, "cpu", "shares", 512));
	d = harden_ok(p, cfg, &c);
	assert_json(path(cfg, "linux.resources"), "{\"pids\":{\"limit\":32768},\"memory\":{\"limit\":134217728,"
						  "\"swap\":134217728},\"cpu\":{\"shares\":512}}");
	ck_assert_ptr_nonnull(strstr(d, "{\"control\":\"3.14\",\"action\":\"tightened\",\"detail\":\"linux.resources."
					"pids.limit 100000 lowered to 32768\"},{\"control\":\"3.14\",\"action\":"
					"\"kept\",\"detail\":\"linux.resources.memory.limit 134217728\"},{\"control\":"
					"\"3.14\",\"action\":\"kept\",\"detail\":\"linux.resources.cpu.shares 512\"},"
					"{\"control\":\"3.14\",\"action\":\"tightened\",\"detail\":\"linux.resources."
					"memory.swap set to the memory limit\"}"));
	parses(cfg);
	json_decref(cfg);
	hr_policy_free(p);
}
END_TEST

START_TEST(engine_sockets_and_sensitive_paths_refused)
{
	static const struct {
		const char *source, *msg;
	} cases[] = {
		{"/var/run/docker.sock", "refused by policy (CSVS 3.15): bind mount of /var/run/docker.sock"},
		{"/srv/x/podman.sock", "refused by policy (CSVS 3.15): bind mount of /srv/x/podman.sock"},
		{"/run/containerd", "refused by policy (CSVS 3.15): bind mount of /run/containerd"},
		{"/var/run", "refused by policy (CSVS 3.15): bind mount of /var/run"},
		{"/run", "refused by policy (CSVS 3.15): bind mount of /run"},
		{"/", "refused by policy (CSVS 3.15): bind mount of /"},
		{"/etc", "refused by policy (CSVS 3.15): bind mount of /etc"},
		{"/etc/", "refused by policy (CSVS 3.15): bind mount of /etc/"},
		{"/tmp/../proc", "refused by policy (CSVS 3.15): bind mount of /tmp/../proc"},
		{"/var/lib/docker", "refused by policy (CSVS 3.15): bind mount of /var/lib/docker"},
		{"/var/lib", "refused by policy (CSVS 3.15): bind mount of /var/lib"},
		{"../../../../etc", "refused by policy (CSVS 3.15): bind mount of ../../../../etc"},
	};
	struct hr_policy *p = level(2);
	struct hr_harden_ctx c = ctx();

	for (size_t i = 0; i < HR_ARRAY_SIZE(cases); i++) {
		json_t *cfg = runc_config();

		json_array_append_new(path(cfg, "mounts"),
				      json_pack("{s:s, s:s, s:s, s:[s]}", "destination", "/mnt", "type", "bind",
						"source", cases[i].source, "options", "rbind"));
		harden_refused(p, cfg, &c, cases[i].msg);
		json_decref(cfg);
	}
	hr_policy_free(p);
}
END_TEST

static char *resolve_to_docker_sock(void *arg, const char *path)
{
	(void)arg;
	return strcmp(path, "/srv/web/innocent") == 0 ? xstrdup("/run/docker.sock") : NULL;
}

START_TEST(ordinary_binds_get_nosuid_nodev)
{
	struct hr_policy *p = level(2);
	struct hr_harden_ctx c = ctx();
	json_t *cfg = runc_config();
	cleanup_free char *d = NULL;

	/* docker's own binds below /var/lib/docker are fine, and get nosuid,nodev */
	json_array_append_new(path(cfg, "mounts"),
			      json_pack("{s:s, s:s, s:s, s:[s,s]}", "destination", "/etc/hosts", "type", "bind",
					"source", "/var/lib/docker/containers/abc/hosts", "options", "rbind",
					"rprivate"));
	json_array_append_new(path(cfg, "mounts"), json_pack("{s:s, s:s, s:[s,s,s]}", "destination", "/data", "source",
							     "/srv/data", "options", "bind", "suid", "nodev"));
	d = harden_ok(p, cfg, &c);
	assert_json(path(cfg, "mounts.3.options"), "[\"rbind\",\"rprivate\",\"nosuid\",\"nodev\"]");
	assert_json(path(cfg, "mounts.4.options"), "[\"bind\",\"nodev\",\"nosuid\"]");
	ck_assert_ptr_nonnull(strstr(d, "{\"control\":\"setuid\",\"action\":\"tightened\",\"detail\":\"bind mounts "
					"made nosuid,nodev: /etc/hosts, /data\"}"));
	parses(cfg);
	json_decref(cfg);
	/* a source that resolves to an engine socket is refused too */
	cfg = runc_config();
	c.resolve_source = resolve_to_docker_sock;
	json_array_append_new(path(cfg, "mounts"), json_pack("{s:s, s:s, s:[s]}", "destination", "/x", "source",
							     "innocent", "options", "bind"));
	harden_refused(p, cfg, &c, "refused by policy (CSVS 3.15): bind mount of innocent");
	json_decref(cfg);
	hr_policy_free(p);
}
END_TEST

START_TEST(monitors_get_engine_sockets_read_only)
{
	struct hr_policy *p = policy("{\"mounts\": {\"monitors\": [\"mon-*\"]}}");
	struct hr_harden_ctx c = ctx();
	json_t *cfg = runc_config();
	cleanup_free char *d = NULL;

	c.id = "mon-1";
	json_array_append_new(path(cfg, "mounts"),
			      json_pack("{s:s, s:s, s:s, s:[s,s]}", "destination", "/var/run/docker.sock", "type",
					"bind", "source", "/var/run/docker.sock", "options", "rbind", "rw"));
	d = harden_ok(p, cfg, &c);
	assert_json(path(cfg, "mounts.3.options"), "[\"rbind\",\"ro\",\"nosuid\",\"nodev\"]");
	ck_assert_ptr_nonnull(strstr(d, "{\"control\":\"3.15\",\"action\":\"tightened\",\"detail\":\"bind mount of "
					"/var/run/docker.sock made read-only for a monitor\"}"));
	json_decref(cfg);
	hr_policy_free(p);
}
END_TEST

START_TEST(privileged_configs_refused)
{
	struct hr_policy *p = level(2);
	struct hr_harden_ctx c = ctx();
	json_t *cfg = runc_config();

	json_array_append_new(path(cfg, "process.capabilities.permitted"), json_string("CAP_SYS_ADMIN"));
	harden_refused(p, cfg, &c,
		       "refused by policy (CSVS 3.1): privileged configuration: CAP_SYS_ADMIN in "
		       "process.capabilities.permitted");
	json_decref(cfg);

	cfg = runc_config();
	{
		json_t *all = json_array();

		for (int i = 0; i <= hr_cap_last(); i++)
			if (hr_cap_name(i) && i != 21)
				json_array_append_new(all, json_string(hr_cap_name(i)));
		json_object_set_new(path(cfg, "process.capabilities"), "bounding", all);
	}
	/* every capability but CAP_SYS_ADMIN is not "every capability" */
	{
		struct hr_decisions d = {0};
		struct hr_err *err = NULL;

		ck_assert_int_eq(hr_harden(p, cfg, &c, &d, &err), 0);
		hr_decisions_clear(&d);
	}
	json_decref(cfg);

	cfg = runc_config();
	json_object_set_new(path(cfg, "linux"), "resources",
			    json_pack("{s:[{s:b, s:s}]}", "devices", "allow", 1, "access", "rwm"));
	harden_refused(p, cfg, &c,
		       "refused by policy (CSVS 3.1): privileged configuration: every device allowed and no seccomp "
		       "filter");
	json_decref(cfg);

	cfg = runc_config();
	json_array_remove(path(cfg, "mounts.2.options"), 3);
	harden_refused(p, cfg, &c, "refused by policy (CSVS 3.1): privileged configuration: /sys mounted writable");
	json_decref(cfg);

	cfg = runc_config();
	json_array_remove(path(cfg, "linux.namespaces"), 1);
	harden_refused(p, cfg, &c, "refused by policy (CSVS 3.1): host network namespace: not in linux.namespaces");
	json_decref(cfg);

	cfg = runc_config();
	json_object_set_new(path(cfg, "linux.namespaces.0"), "path", json_string("/proc/1/ns/pid"));
	harden_refused(p, cfg, &c, "refused by policy (CSVS 3.1): host pid namespace: joins /proc/1/ns/pid");
	json_decref(cfg);

	/* joining another container's namespace is fine */
	cfg = runc_config();
	json_object_set_new(path(cfg, "linux.namespaces.2"), "path", json_string("/proc/4242/ns/ipc"));
	free(harden_ok(p, cfg, &c));
	json_decref(cfg);
	hr_policy_free(p);
}
END_TEST

START_TEST(exemptions_let_a_bundle_loosen)
{
	struct hr_policy *p = policy("{\"exemptions\": [{\"id\": \"db-*\", \"controls\": [\"3.5\", \"3.1\", \"3.9\"]},"
				     " {\"annotation\": \"org.example/raw=1\", \"controls\": [\"3.14\", \"3.15\"]}]}");
	struct hr_harden_ctx c = ctx();
	json_t *cfg = runc_config();
	cleanup_free char *d = NULL;
	cleanup_free char *d2 = NULL;

	c.id = "db-main";
	json_array_append_new(path(cfg, "process.capabilities.bounding"), json_string("CAP_SYS_ADMIN"));
	json_object_set_new(path(cfg, "root"), "readonly", json_false());
	d = harden_ok(p, cfg, &c);
	assert_json(path(cfg, "process.capabilities.bounding"),
		    "[\"CAP_AUDIT_WRITE\",\"CAP_KILL\",\"CAP_NET_BIND_SERVICE\",\"CAP_SYS_ADMIN\"]");
	assert_json(path(cfg, "root.readonly"), "false");
	ck_assert_ptr_nonnull(strstr(d, "{\"control\":\"3.1\",\"action\":\"kept\",\"detail\":\"exempted by policy: "
					"the bundle's settings stay\"}"));
	json_decref(cfg);

	/* the same bundle under another id is refused */
	cfg = runc_config();
	c.id = "web";
	json_array_append_new(path(cfg, "process.capabilities.bounding"), json_string("CAP_SYS_ADMIN"));
	harden_refused(p, cfg, &c,
		       "refused by policy (CSVS 3.1): privileged configuration: CAP_SYS_ADMIN in "
		       "process.capabilities.bounding");
	json_decref(cfg);

	/* an annotation exemption */
	cfg = runc_config();
	json_object_set_new(cfg, "annotations", json_pack("{s:s}", "org.example/raw", "1"));
	json_object_set_new(path(cfg, "linux"), "resources", json_pack("{s:{s:i}}", "pids", "limit", 1000000));
	json_array_append_new(path(cfg, "mounts"),
			      json_pack("{s:s, s:s, s:[s]}", "destination", "/h", "source", "/etc", "options", "bind"));
	d2 = harden_ok(p, cfg, &c);
	assert_json(path(cfg, "linux.resources.pids.limit"), "1000000");
	json_decref(cfg);
	hr_policy_free(p);
}
END_TEST

START_TEST(seccomp_stacked_and_chosen)
{
	struct hr_policy *p = policy("{\"seccomp\": {\"allowed\": [\"default\", \"docker\"]}}");
	struct hr_harden_ctx c = ctx();
	json_t *cfg = runc_config();
	json_t *own = json_pack("{s:s, s:[{s:[s], s:s, s:i}]}", "defaultAction", "SCMP_ACT_ALLOW", "syscalls", "names",
				"getppid", "action", "SCMP_ACT_ERRNO", "errnoRet", 133);
	cleanup_free char *d = NULL;

	json_object_set(path(cfg, "linux"), "seccomp", own);
	d = harden_ok(p, cfg, &c);
	/* the bundle's filter stays as it was; the policy's is the second one */
	ck_assert(json_equal(path(cfg, "linux.seccomp"), own));
	assert_json(json_object_get(json_object_get(path(cfg, "linux"), HR_POLICY_SECCOMP_KEY), "defaultAction"),
		    "\"SCMP_ACT_ERRNO\"");
	ck_assert_ptr_nonnull(strstr(d, "{\"control\":\"3.4\",\"action\":\"added\",\"detail\":\"seccomp profile "
					"\\\"default\\\" stacked on the bundle's filter\"}"));
	{
		struct hr_spec *sp = parse_spec(cfg);

		ck_assert_int_eq(sp->lnx.seccomp->default_action, HR_SCMP_ACT_ALLOW);
		ck_assert_ptr_nonnull(sp->lnx.policy_seccomp);
		ck_assert_int_eq(sp->lnx.policy_seccomp->default_action, HR_SCMP_ACT_ERRNO);
		hr_spec_free(sp);
	}
	/* the policy's filter never has a listener */
	{
		struct hr_spec *sp = NULL;
		struct hr_err *err = NULL;

		json_object_set_new(json_object_get(path(cfg, "linux"), HR_POLICY_SECCOMP_KEY), "listenerPath",
				    json_string("/run/l.sock"));
		ck_assert_int_eq(hr_spec_parse(cfg, &sp, &err), -1);
		ck_assert_str_eq(err->msg, "config.json: linux.org.hardrun.policySeccomp.listenerPath: not supported");
		hr_err_free(&err);
	}
	json_decref(cfg);

	/* an allowed name by annotation */
	cfg = runc_config();
	json_object_set_new(cfg, "annotations", json_pack("{s:s}", HR_ANN_SECCOMP, "docker"));
	free(harden_ok(p, cfg, &c));
	ck_assert_ptr_nonnull(path(cfg, "linux.seccomp.syscalls"));
	json_decref(cfg);

	/* a name the policy does not allow */
	cfg = runc_config();
	json_object_set_new(cfg, "annotations", json_pack("{s:s}", HR_ANN_SECCOMP, "none"));
	harden_refused(p, cfg, &c,
		       "refused by policy (CSVS 3.4): seccomp profile \"none\" (annotation org.hardrun.seccomp) is not "
		       "allowed");
	json_decref(cfg);
	json_decref(own);
	hr_policy_free(p);
}
END_TEST

static int read_profile_missing(void *arg, const char *dir, const char *name, char **text, size_t *len,
				struct hr_err **err)
{
	(void)arg;
	(void)text;
	(void)len;
	return hr_fail(err, ENOENT, "open `%s/%s.json`", dir, name);
}

static int read_profile_custom(void *arg, const char *dir, const char *name, char **text, size_t *len,
			       struct hr_err **err)
{
	(void)arg;
	(void)dir;
	(void)err;
	*text = xasprintf("{\"defaultAction\": \"SCMP_ACT_LOG\", \"syscalls\": [{\"names\": [\"%s\"], "
			  "\"action\": \"SCMP_ACT_ERRNO\"}]}",
			  name);
	*len = strlen(*text);
	return 0;
}

START_TEST(seccomp_profiles_from_the_directory)
{
	struct hr_policy *p = policy("{\"seccomp\": {\"profile\": \"mine\", \"allowed\": []}}");
	struct hr_harden_ctx c = ctx();
	json_t *cfg = runc_config();
	struct hr_decisions d = {0};
	struct hr_err *err = NULL;

	c.read_profile = read_profile_custom;
	free(harden_ok(p, cfg, &c));
	assert_json(path(cfg, "linux.seccomp"),
		    "{\"defaultAction\":\"SCMP_ACT_LOG\",\"syscalls\":[{\"names\":[\"mine\"],\"action\":\"SCMP_ACT_"
		    "ERRNO\"}]}");
	json_decref(cfg);
	cfg = runc_config();
	c.read_profile = read_profile_missing;
	ck_assert_int_eq(hr_harden(p, cfg, &c, &d, &err), -1);
	ck_assert_str_eq(err->msg, "seccomp profile \"mine\": no /usr/local/share/hardrun/seccomp/mine.json and no "
				   "built-in profile");
	hr_err_free(&err);
	hr_decisions_clear(&d);
	json_decref(cfg);
	hr_policy_free(p);
}
END_TEST

/* CSVS 3.4's container-specific part: learn mode and the container's own profile, who may ask, and the bundle's
 * injections dropped. */
START_TEST(seccomp_learn_and_container_profiles)
{
	struct hr_policy *p = policy("{\"level\": 0, \"seccomp\": {\"container_dir\": \"/etc/hr/sc\", \"learn\": "
				     "{\"dir\": \"/var/learn\", \"containers\": [\"we*\"]}, \"profiles\": "
				     "[{\"match\": \"db\", \"profile\": \"pg\"}]}}");
	struct hr_harden_ctx c = ctx();
	json_t *cfg = runc_config();
	char *d;

	/* the policy's glob: learn into dir/<id>.json; a bundle's own learning path is replaced */
	json_object_set_new(cfg, "annotations", json_pack("{s:s}", HR_SPEC_ANN_SECCOMP_LEARNING, "/etc/shadow"));
	d = harden_ok(p, cfg, &c);
	ck_assert_str_eq(d, "[{\"control\":\"3.4\",\"action\":\"added\",\"detail\":\"learn mode: recording the calls "
			    "into /var/learn/web.json; no container-specific profile is enforced\"}]");
	free(d);
	ck_assert_str_eq(
		json_string_value(json_object_get(json_object_get(cfg, "annotations"), HR_SPEC_ANN_SECCOMP_LEARNING)),
		"/var/learn/web.json");
	ck_assert_ptr_null(json_object_get(json_object_get(cfg, "linux"), HR_SPEC_PROFILE_SECCOMP));
	json_decref(cfg);
	/* no glob matches: the bundle's injected path is dropped, nothing learns */
	c.id = "db";
	c.read_profile = read_profile_custom;
	cfg = runc_config();
	json_object_set_new(cfg, "annotations", json_pack("{s:s}", HR_SPEC_ANN_SECCOMP_LEARNING, "/etc/shadow"));
	d = harden_ok(p, cfg, &c);
	ck_assert_str_eq(d, "[{\"control\":\"3.4\",\"action\":\"added\",\"detail\":\"container-specific profile "
			    "\\\"pg\\\" (/etc/hr/sc/pg.json, seccomp.profiles)\"}]");
	free(d);
	ck_assert_ptr_null(json_object_get(json_object_get(cfg, "annotations"), HR_SPEC_ANN_SECCOMP_LEARNING));
	assert_json(json_object_get(json_object_get(cfg, "linux"), HR_SPEC_PROFILE_SECCOMP),
		    "{\"defaultAction\":\"SCMP_ACT_LOG\",\"syscalls\":[{\"names\":[\"pg\"],\"action\":\"SCMP_ACT_"
		    "ERRNO\"}]}");
	json_decref(cfg);
	/* a bundle cannot trade the operator's profile for learn mode, nor name a path */
	cfg = runc_config();
	json_object_set_new(cfg, "annotations", json_pack("{s:s}", HR_ANN_SECCOMP_LEARN, "x"));
	harden_refused(p, cfg, &c,
		       "refused by policy (CSVS 3.4): annotation org.hardrun.seccomp.learn: the policy enforces "
		       "seccomp profile \"pg\"");
	json_decref(cfg);
	c.id = "other";
	cfg = runc_config();
	json_object_set_new(cfg, "annotations", json_pack("{s:s}", HR_ANN_SECCOMP_PROFILE, "../etc/x"));
	harden_refused(p, cfg, &c,
		       "refused by policy (CSVS 3.4): annotation org.hardrun.seccomp.profile=\"../etc/x\" is not a "
		       "profile name");
	json_decref(cfg);
	/* the bundle's annotations without a policy choice; the launcher's choice before all */
	cfg = runc_config();
	json_object_set_new(cfg, "annotations", json_pack("{s:s}", HR_ANN_SECCOMP_LEARN, "svc"));
	free(harden_ok(p, cfg, &c));
	ck_assert_str_eq(
		json_string_value(json_object_get(json_object_get(cfg, "annotations"), HR_SPEC_ANN_SECCOMP_LEARNING)),
		"/var/learn/svc.json");
	json_decref(cfg);
	c.learn_path = "/root/l.json";
	cfg = runc_config();
	free(harden_ok(p, cfg, &c));
	ck_assert_str_eq(
		json_string_value(json_object_get(json_object_get(cfg, "annotations"), HR_SPEC_ANN_SECCOMP_LEARNING)),
		"/root/l.json");
	json_decref(cfg);
	hr_policy_free(p);
}
END_TEST

START_TEST(restart_cap_and_taint)
{
	struct hr_policy *p = level(2);
	struct hr_policy *strict = policy("{\"restart_tainted\": false}");
	struct hr_harden_ctx c = ctx();
	int64_t times[] = {99000, 99800, 99900, 99950, 99990, 99999};
	json_t *cfg = runc_config();
	cleanup_free char *d = NULL;
	char *d2;

	c.failure_times = times;
	c.n_failures = 5; /* 99000 is outside the 300 s window: 4 */
	d = harden_ok(p, cfg, &c);
	ck_assert_ptr_nonnull(
		strstr(d, "{\"control\":\"restart\",\"action\":\"kept\",\"detail\":\"4 failed exits in the last 300 s, "
			  "cap 5\"}"));
	json_decref(cfg);
	cfg = runc_config();
	c.n_failures = 6;
	harden_refused(p, cfg, &c, "refused by policy (restart): container `web` failed 5 times in the last 300 s");
	json_decref(cfg);
	cfg = runc_config();
	c.n_failures = 0;
	c.tainted = true;
	c.tainted_time = "2026-12-01T10:00:00Z";
	free(harden_ok(p, cfg, &c));
	json_decref(cfg);
	cfg = runc_config();
	harden_refused(strict, cfg, &c,
		       "refused by policy (CSVS 3.10): container `web` was tainted by exec (2026-12-01T10:00:00Z)");
	json_decref(cfg);
	c.tainted = false;
	c.tainted_time = NULL;
	/* runs of unknown status: the cap counts restarts and says so */
	c.n_failures = 0;
	c.restart_times = times;
	c.n_restarts = 6;
	cfg = runc_config();
	harden_refused(p, cfg, &c,
		       "refused by policy (restart): container `web` restarted 5 times in the last 300 s, each run "
		       "shorter than 10 s (exit status unknown to hardrun)");
	json_decref(cfg);
	/* both kinds */
	c.n_failures = 3; /* 2 in the window */
	c.n_restarts = 4; /* 3 in the window */
	cfg = runc_config();
	harden_refused(p, cfg, &c,
		       "refused by policy (restart): container `web` restarted 5 times in the last 300 s: 2 failed, 3 "
		       "shorter than 10 s with an exit status unknown to hardrun");
	json_decref(cfg);
	c.n_restarts = 2; /* 1 in the window: 3 in all, under the cap */
	cfg = runc_config();
	d2 = harden_ok(p, cfg, &c);
	ck_assert_msg(strstr(d2, "\"2 failed exits and 1 runs shorter than 10 s of unknown status in the last 300 s, "
				 "cap 5\""),
		      "%s", d2);
	free(d2);
	json_decref(cfg);
	hr_policy_free(p);
	hr_policy_free(strict);
}
END_TEST

START_TEST(bundle_choices_kept)
{
	struct hr_policy *p = level(2);
	struct hr_harden_ctx c = ctx();
	json_t *cfg = runc_config();
	cleanup_free char *d = NULL;

	/* its own user namespace, its own /tmp, an AppArmor profile */
	json_array_append_new(path(cfg, "linux.namespaces"), json_pack("{s:s}", "type", "user"));
	json_object_set_new(path(cfg, "linux"), "uidMappings",
			    json_pack("[{s:i, s:i, s:i}]", "containerID", 0, "hostID", 100000, "size", 65536));
	json_object_set_new(path(cfg, "linux"), "gidMappings",
			    json_pack("[{s:i, s:i, s:i}]", "containerID", 0, "hostID", 100000, "size", 65536));
	json_array_append_new(path(cfg, "mounts"),
			      json_pack("{s:s, s:s, s:s}", "destination", "/tmp/", "type", "tmpfs", "source", "tmpfs"));
	json_object_set_new(path(cfg, "process"), "apparmorProfile", json_string("mine"));
	ck_assert(!hr_harden_wants_userns(p, cfg, &c));
	c.has_userns_base = false;
	d = harden_ok(p, cfg, &c);
	ck_assert_ptr_nonnull(strstr(d, "{\"control\":\"3.2\",\"action\":\"kept\",\"detail\":\"the bundle's user "
					"namespace\"}"));
	ck_assert_ptr_nonnull(
		strstr(d, "{\"control\":\"3.9\",\"action\":\"kept\",\"detail\":\"/tmp: the bundle's mount\"}"));
	ck_assert_ptr_nonnull(
		strstr(d, "{\"control\":\"apparmor\",\"action\":\"kept\",\"detail\":\"the bundle's profile mine\"}"));
	assert_json(path(cfg, "linux.uidMappings"), "[{\"containerID\":0,\"hostID\":100000,\"size\":65536}]");
	ck_assert_uint_eq(json_array_size(path(cfg, "mounts")), 4);
	json_decref(cfg);

	/* no capabilities object: the allowlist, not all of root's */
	cfg = runc_config();
	json_object_del(path(cfg, "process"), "capabilities");
	c.has_userns_base = true;
	free(harden_ok(p, cfg, &c));
	assert_json(path(cfg, "process.capabilities.permitted"),
		    "[\"CAP_CHOWN\",\"CAP_DAC_OVERRIDE\",\"CAP_FOWNER\",\"CAP_FSETID\",\"CAP_KILL\",\"CAP_SETGID\","
		    "\"CAP_SETUID\",\"CAP_SETPCAP\",\"CAP_NET_BIND_SERVICE\"]");
	json_decref(cfg);
	hr_policy_free(p);
}
END_TEST

START_TEST(inheritable_ambient_and_exec)
{
	struct hr_policy *p = level(2);
	struct hr_harden_ctx c = ctx();
	json_t *cfg = runc_config();
	json_t *proc = json_pack("{s:[s], s:s, s:{s:[s,s], s:[s], s:[s], s:[s]}}", "args", "sh", "cwd", "/",
				 "capabilities", "bounding", "CAP_KILL", "CAP_NET_RAW", "inheritable", "CAP_KILL",
				 "ambient", "CAP_KILL", "effective", "CAP_KILL");
	struct hr_decisions d = {0};
	struct hr_err *err = NULL;
	json_t *dj;
	cleanup_free char *ds = NULL;

	json_object_set_new(path(cfg, "process.capabilities"), "inheritable", json_pack("[s]", "CAP_KILL"));
	json_object_set_new(path(cfg, "process.capabilities"), "ambient", json_pack("[s]", "CAP_KILL"));
	free(harden_ok(p, cfg, &c));
	assert_json(path(cfg, "process.capabilities.inheritable"), "[]");
	assert_json(path(cfg, "process.capabilities.ambient"), "[]");
	json_decref(cfg);

	ck_assert_int_eq(hr_harden_process(p, proc, "web", NULL, &d, &err), 0);
	dj = hr_decisions_json(&d);
	ds = json_dumps(dj, JSON_COMPACT);
	ck_assert_str_eq(ds, "[{\"control\":\"3.1\",\"action\":\"tightened\",\"detail\":\"exec: "
			     "process.noNewPrivileges set to true\"},"
			     "{\"control\":\"3.5\",\"action\":\"tightened\",\"detail\":\"exec: process.capabilities: "
			     "dropped CAP_NET_RAW\"},"
			     "{\"control\":\"3.5\",\"action\":\"tightened\",\"detail\":\"exec: "
			     "process.capabilities.inheritable emptied\"},"
			     "{\"control\":\"3.5\",\"action\":\"tightened\",\"detail\":\"exec: "
			     "process.capabilities.ambient emptied\"}]");
	assert_json(json_object_get(proc, "noNewPrivileges"), "true");
	assert_json(path(proc, "capabilities.bounding"), "[\"CAP_KILL\"]");
	json_decref(dj);
	json_decref(proc);
	hr_decisions_clear(&d);
	hr_policy_free(p);
}
END_TEST

START_TEST(apparmor_and_unmapped_keys)
{
	struct hr_policy *p = policy("{\"userns\": {\"unmapped\": \"allow\"}, \"apparmor\": \"required\"}");
	struct hr_policy *off = policy("{\"apparmor\": \"off\", \"userns\": {\"enabled\": false}}");
	struct hr_harden_ctx c = ctx();
	json_t *cfg = runc_config();
	cleanup_free char *d = NULL;
	cleanup_free char *d2 = NULL;

	c.apparmor_available = true;
	d = harden_ok(p, cfg, &c);
	assert_json(path(cfg, "process.apparmorProfile"), "\"hardrun-web\"");
	assert_json(json_object_get(path(cfg, "annotations"), HR_ANN_ROOTFS_IDMAP_FALLBACK), "\"unmapped\"");
	ck_assert_ptr_nonnull(strstr(d, "{\"control\":\"apparmor\",\"action\":\"added\",\"detail\":\"profile "
					"hardrun-web from the hardrun-default template\"}"));
	json_decref(cfg);
	/* the bundle's profile (docker-default) gets ours stacked on it; unconfined and ours stay as they are */
	{
		static const char *const keep[] = {"unconfined", "hardrun-web", "hardrun-web//&docker-default"};
		cleanup_free char *d3 = NULL;

		cfg = runc_config();
		json_object_set_new(path(cfg, "process"), "apparmorProfile", json_string("docker-default"));
		d3 = harden_ok(p, cfg, &c);
		assert_json(path(cfg, "process.apparmorProfile"), "\"hardrun-web//&docker-default\"");
		ck_assert_msg(strstr(d3, "{\"control\":\"apparmor\",\"action\":\"added\",\"detail\":\"profile "
					 "hardrun-web from the hardrun-default template stacked on "
					 "docker-default\"}"),
			      "%s", d3);
		json_decref(cfg);
		for (size_t i = 0; i < 3; i++) {
			cleanup_free char *dk = NULL;
			cleanup_free char *want = xasprintf("\"%s\"", keep[i]);

			cfg = runc_config();
			json_object_set_new(path(cfg, "process"), "apparmorProfile", json_string(keep[i]));
			dk = harden_ok(p, cfg, &c);
			assert_json(path(cfg, "process.apparmorProfile"), want);
			json_decref(cfg);
		}
		ck_assert(hr_policy_apparmor_is_own("hardrun-web", "web"));
		ck_assert(hr_policy_apparmor_is_own("hardrun-web//&docker-default", "web"));
		ck_assert(!hr_policy_apparmor_is_own("hardrun-web2", "web"));
		ck_assert(!hr_policy_apparmor_is_own("docker-default", "web"));
		ck_assert(!hr_policy_apparmor_is_own(NULL, "web"));
	}
	cfg = runc_config();
	d2 = harden_ok(off, cfg, &c);
	ck_assert_ptr_null(path(cfg, "process.apparmorProfile"));
	ck_assert_ptr_null(strstr(d2, "apparmor"));
	ck_assert_ptr_null(strstr(d2, "\"3.2\""));
	ck_assert_uint_eq(json_array_size(path(cfg, "linux.namespaces")), 5);
	json_decref(cfg);
	hr_policy_free(p);
	hr_policy_free(off);
}
END_TEST

START_TEST(update_held_to_the_maxima)
{
	struct hr_policy *p = level(2);
	struct hr_policy *p3 = level(3);
	struct hr_policy *ex = policy("{\"exemptions\": [{\"id\": \"web\", \"controls\": [\"3.14\"]}]}");
	json_t *res = json_pack("{s:{s:i}, s:{s:I, s:i}, s:{s:i}}", "pids", "limit", -1, "memory", "limit",
				(json_int_t)(100ll << 30), "swap", -1, "cpu", "shares", 100);
	json_t *orig = json_deep_copy(res);
	struct hr_decisions d = {0};
	struct hr_err *err = NULL;
	json_t *dj;
	cleanup_free char *ds = NULL;

	ck_assert_int_eq(hr_harden_resources(ex, res, "web", NULL, &d, &err), 0);
	ck_assert(json_equal(res, orig));
	hr_decisions_clear(&d);
	ck_assert_int_eq(hr_harden_resources(p3, res, "web", NULL, &d, &err), -1);
	ck_assert_str_eq(err->msg, "refused by policy (CSVS 3.14): update: pids.limit unlimited set to 4096");
	hr_err_free(&err);
	hr_decisions_clear(&d);
	ck_assert_int_eq(hr_harden_resources(p, res, "web", NULL, &d, &err), 0);
	assert_json(res, "{\"pids\":{\"limit\":32768},\"memory\":{\"limit\":68719476736,\"swap\":68719476736},"
			 "\"cpu\":{\"shares\":100}}");
	dj = hr_decisions_json(&d);
	ds = json_dumps(dj, JSON_COMPACT);
	ck_assert_str_eq(ds, "[{\"control\":\"3.14\",\"action\":\"tightened\",\"detail\":\"update: pids.limit "
			     "unlimited set to 32768\"},{\"control\":\"3.14\",\"action\":\"tightened\",\"detail\":"
			     "\"update: memory.limit 107374182400 lowered to 68719476736\"},{\"control\":\"3.14\","
			     "\"action\":\"tightened\",\"detail\":\"update: memory.swap set to the memory limit\"}]");
	json_decref(dj);
	json_decref(res);
	json_decref(orig);
	hr_decisions_clear(&d);
	hr_policy_free(p);
	hr_policy_free(p3);
	hr_policy_free(ex);
}
END_TEST

/* A hardened config hardened again is unchanged, and every decision is "kept". */
START_TEST(hardening_is_idempotent)
{
	for (int l = 1; l <= 2; l++) {
		struct hr_policy *p = level(l);
		struct hr_harden_ctx c = ctx();
		json_t *cfg = runc_config(), *once;
		struct hr_decisions d = {0};
		struct hr_err *err = NULL;

		free(harden_ok(p, cfg, &c));
		once = json_deep_copy(cfg);
		ck_assert_int_eq(hr_harden(p, cfg, &c, &d, &err), 0);
		ck_assert(json_equal(cfg, once));
		for (size_t i = 0; i < d.n; i++)
			ck_assert_msg(d.v[i].action == HR_DECISION_KEPT, "level %d: %s %s: %s", l, d.v[i].control,
				      hr_decision_action_name(d.v[i].action), d.v[i].detail);
		hr_decisions_clear(&d);
		json_decref(once);
		json_decref(cfg);
		hr_policy_free(p);
	}
}
END_TEST

START_TEST(bad_configs)
{
	struct hr_policy *p = level(2);
	struct hr_harden_ctx c = ctx();
	struct hr_decisions d = {0};
	struct hr_err *err = NULL;
	json_t *cfg = json_pack("{s:s}", "ociVersion", "1.0.2");

	ck_assert_int_eq(hr_harden(p, cfg, &c, &d, &err), -1);
	ck_assert_str_eq(err->msg, "config.json: process: required by hardrun");
	hr_err_free(&err);
	json_decref(cfg);
	cfg = runc_config();
	json_object_set_new(cfg, "mounts", json_integer(1));
	ck_assert_int_eq(hr_harden(p, cfg, &c, &d, &err), -1);
	ck_assert_str_eq(err->msg, "config.json: mounts: expected an array");
	hr_err_free(&err);
	json_decref(cfg);
	/* a user namespace is due but the runtime acquired no range */
	cfg = runc_config();
	c.has_userns_base = false;
	ck_assert_int_eq(hr_harden(p, cfg, &c, &d, &err), -1);
	ck_assert_str_eq(err->msg, "harden: no user-namespace id range was acquired");
	hr_err_free(&err);
	json_decref(cfg);
	hr_decisions_clear(&d);
	hr_policy_free(p);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("harden");
	TCase *tc = tcase_create("harden");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, l2_hardens_a_plain_bundle);
	tcase_add_test(tc, passthrough_changes_nothing);
	tcase_add_test(tc, l1_runs_images_unchanged);
	tcase_add_test(tc, l3_refuses_instead_of_fixing);
	tcase_add_test(tc, l2_lowers_limits_and_keeps_tighter_ones);
	tcase_add_test(tc, engine_sockets_and_sensitive_paths_refused);
	tcase_add_test(tc, ordinary_binds_get_nosuid_nodev);
	tcase_add_test(tc, monitors_get_engine_sockets_read_only);
	tcase_add_test(tc, privileged_configs_refused);
	tcase_add_test(tc, exemptions_let_a_bundle_loosen);
	tcase_add_test(tc, seccomp_stacked_and_chosen);
	tcase_add_test(tc, seccomp_profiles_from_the_directory);
	tcase_add_test(tc, restart_cap_and_taint);
	tcase_add_test(tc, bundle_choices_kept);
	tcase_add_test(tc, inheritable_ambient_and_exec);
	tcase_add_test(tc, apparmor_and_unmapped_keys);
	tcase_add_test(tc, update_held_to_the_maxima);
	tcase_add_test(tc, hardening_is_idempotent);
	tcase_add_test(tc, bad_configs);
	tcase_add_test(tc, seccomp_learn_and_container_profiles);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
