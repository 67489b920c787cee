/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Every failure path: exit status 1, exactly one error line (hardrun's
 * wording is asserted; other runtimes only by status), and nothing left
 * behind (mounts, cgroup, state dir, processes).  Includes the hostile
 * bundles of SECURITY.md §4 that must make create fail.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bundle.h"

/* run the container; expect exit 1 with one line that starts with prefix (hardrun only) */
static void expect_failure(struct hb *b, const char *cmd, const char *want)
{
	struct hb_result r = hb_run(b, 30, cmd, "--bundle", b->dir, b->id, NULL);

	ck_assert_msg(r.status == 1, "status %d, stderr: %s", r.status, r.err);
	if (hb_is_hardrun()) {
		ck_assert_msg(hb_lines(r.err) == 1, "not one line: %s", r.err);
		ck_assert_msg(strstr(r.err, want) != NULL, "want `%s` in: %s", want, r.err);
		ck_assert_msg(strncmp(r.err, "hardrun: ", 9) == 0, "%s", r.err);
	}
	hb_result_free(&r);
	hb_finish(b);
}

START_TEST(malformed_json)
{
	struct hb b;
	char p[400];
	FILE *f;

	hb_new(&b);
	hb_write(&b);
	snprintf(p, sizeof(p), "%s/config.json", b.dir);
	/* hb_run rewrites config.json from b.config: break the JSON itself through an invalid value */
	json_object_set_new(b.config, "ociVersion", json_integer(1));
	f = fopen(p, "we");
	fclose(f);
	expect_failure(&b, "create", "config.json: ociVersion: expected string");
}
END_TEST

START_TEST(unknown_namespace)
{
	struct hb b;

	hb_new(&b);
	json_array_append_new(json_object_get(json_object_get(b.config, "linux"), "namespaces"),
			      json_pack("{s:s}", "type", "pidd"));
	expect_failure(&b, "create", "config.json: linux.namespaces[5].type: unknown namespace \"pidd\"");
}
END_TEST

START_TEST(missing_rootfs)
{
	struct hb b;

	hb_new(&b);
	json_object_set_new(json_object_get(b.config, "root"), "path", json_string("nope"));
	expect_failure(&b, "create", "rootfs `");
}
END_TEST

START_TEST(relative_cwd)
{
	struct hb b;

	hb_new(&b);
	json_object_set_new(json_object_get(b.config, "process"), "cwd", json_string("tmp"));
	expect_failure(&b, "create", "process.cwd: must be an absolute path");
}
END_TEST

START_TEST(missing_executable)
{
	struct hb b;

	hb_new(&b);
	hb_set_args(&b, "does-not-exist", NULL);
	expect_failure(&b, "create", "exec `does-not-exist`: executable file not found in $PATH");
}
END_TEST

/* dockerd turns these exact lowercase words into exit status 127 and 126 */
START_TEST(missing_executable_path)
{
	struct hb b;

	hb_new(&b);
	hb_set_args(&b, "/no/such/binary", NULL);
	expect_failure(&b, "create", "exec `/no/such/binary`: no such file or directory");
	hb_new(&b);
	hb_set_args(&b, "/etc", NULL);
	expect_failure(&b, "create", "exec `/etc`: is a directory: permission denied");
}
END_TEST

START_TEST(missing_bind_source)
{
	struct hb b;

	hb_new(&b);
	json_array_append_new(json_object_get(b.config, "mounts"),
			      json_pack("{s:s, s:s, s:s, s:[s]}", "destination", "/data", "type", "bind", "source",
					"/nonexistent-hardrun-test", "options", "rbind"));
	expect_failure(&b, "create", "bind mount `/nonexistent-hardrun-test` on `/data`: No such file or directory");
}
END_TEST

START_TEST(failing_create_runtime_hook)
{
	struct hb b;

	hb_new(&b);
	json_object_set_new(b.config, "hooks", json_pack("{s:[{s:s}]}", "createRuntime", "path", "/bin/false"));
	expect_failure(&b, "create", "createRuntime hook 0: run hook `/bin/false`: exit status 1");
}
END_TEST

START_TEST(non_namespaced_sysctl)
{
	struct hb b;

	hb_new(&b);
	json_object_set_new(json_object_get(b.config, "linux"), "sysctl", json_pack("{s:s}", "vm.swappiness", "10"));
	expect_failure(&b, "create", "linux.sysctl.\"vm.swappiness\": not namespaced, refused");
}
END_TEST

START_TEST(apparmor_without_apparmor)
{
	struct hb b;

	if (access("/sys/kernel/security/apparmor", F_OK) == 0)
		return; /* this case is about kernels without AppArmor */
	hb_new(&b);
	json_object_set_new(json_object_get(b.config, "process"), "apparmorProfile", json_string("docker-default"));
	expect_failure(&b, "create", "AppArmor is not enabled");
}
END_TEST

/* run with global flags; expect exit 1 and exactly the line want (hardrun only) */
static void expect_line(struct hb *b, const char *flag1, const char *flag2, const char *want)
{
	struct hb_result r = flag2 ? hb_run(b, 30, flag1, flag2, "create", "--bundle", b->dir, b->id, NULL)
				   : hb_run(b, 30, flag1, "create", "--bundle", b->dir, b->id, NULL);

	ck_assert_msg(r.status == 1, "status %d, stderr: %s", r.status, r.err);
	if (hb_is_hardrun())
		ck_assert_str_eq(r.err, want);
	hb_result_free(&r);
	hb_finish(b);
}

/*
 * The systemd cgroup driver on a host without systemd (the development
 * machines): the D-Bus call that failed and "not reachable", one line,
 * nothing left.  The VM suite tests/vm/suites/systemd.sh covers the host
 * with systemd.
 */
START_TEST(systemd_not_reachable)
{
	struct hb b;
	char want[1024];

	if (access("/run/systemd/system", F_OK) == 0 || access("/run/dbus/system_bus_socket", F_OK) == 0 ||
	    getenv("DBUS_SYSTEM_BUS_ADDRESS"))
		return; /* this case is about hosts where systemd cannot be reached */
	hb_new(&b);
	/* no cgroupsPath: the default unit, as runc's "runc-<id>.scope" */
	json_object_del(json_object_get(b.config, "linux"), "cgroupsPath");
	snprintf(want, sizeof(want),
		 "hardrun: create `%s`: systemd cgroup driver: StartTransientUnit `hardrun-%s.scope`: systemd is not "
		 "reachable: cannot connect to the system bus `unix:path=/run/dbus/system_bus_socket` nor to "
		 "`unix:path=/run/systemd/private`: No such file or directory\n",
		 b.id, b.id);
	expect_line(&b, "--systemd-cgroup", NULL, want);
	/* docker's form of the path, through --cgroup-manager as podman passes it */
	hb_new(&b);
	{
		char path[128];

		snprintf(path, sizeof(path), "system.slice:docker:%s", b.id);
		json_object_set_new(json_object_get(b.config, "linux"), "cgroupsPath", json_string(path));
	}
	snprintf(want, sizeof(want),
		 "hardrun: create `%s`: systemd cgroup driver: StartTransientUnit `docker-%s.scope`: systemd is not "
		 "reachable: cannot connect to the system bus `unix:path=/run/dbus/system_bus_socket` nor to "
		 "`unix:path=/run/systemd/private`: No such file or directory\n",
		 b.id, b.id);
	expect_line(&b, "--cgroup-manager", "systemd", want);
	/* a malformed path is refused before systemd is asked */
	hb_new(&b);
	json_object_set_new(json_object_get(b.config, "linux"), "cgroupsPath", json_string("/hardrun/x"));
	snprintf(want, sizeof(want),
		 "hardrun: create `%s`: config.json: linux.cgroupsPath: `/hardrun/x`: expected \"slice:prefix:name\" "
		 "for the systemd cgroup driver\n",
		 b.id);
	expect_line(&b, "--systemd-cgroup", NULL, want);
	hb_new(&b);
	json_object_set_new(json_object_get(b.config, "linux"), "cgroupsPath", json_string("a--b.slice:p:x"));
	snprintf(want, sizeof(want),
		 "hardrun: create `%s`: config.json: linux.cgroupsPath: `a--b.slice:p:x`: slice `a--b.slice`: empty "
		 "component between dashes\n",
		 b.id);
	expect_line(&b, "--systemd-cgroup", NULL, want);
}
END_TEST

START_TEST(selinux_without_selinux)
{
	struct hb b;

	if (access("/sys/fs/selinux/enforce", F_OK) == 0)
		return; /* this case is about kernels without SELinux */
	hb_new(&b);
	json_object_set_new(json_object_get(b.config, "process"), "selinuxLabel",
			    json_string("system_u:system_r:container_t:s0:c1,c2"));
	expect_failure(&b, "create",
		       "process.selinuxLabel `system_u:system_r:container_t:s0:c1,c2` requested, "
		       "but SELinux is not enabled on this host");
	/*
	 * a mount label alone labels nothing without SELinux: left out, as crun
	 * does (runc 1.1.5 passes it to the tmpfs mount, which fails with EINVAL)
	 */
	if (hb_is_hardrun()) {
		hb_new(&b);
		json_object_set_new(json_object_get(b.config, "linux"), "mountLabel",
				    json_string("system_u:object_r:container_file_t:s0:c1,c2"));
		hb_set_args(&b, "/probe", "exit", "7", NULL);
		{
			struct hb_result r = hb_run(&b, 30, "run", "--bundle", b.dir, b.id, NULL);

			ck_assert_msg(r.status == 7, "status %d: %s", r.status, r.err);
			ck_assert_str_eq(r.err, "");
			hb_result_free(&r);
		}
		hb_finish(&b);
	}
	/* with a process label too, the process label is still refused */
	hb_new(&b);
	json_object_set_new(json_object_get(b.config, "linux"), "mountLabel",
			    json_string("system_u:object_r:container_file_t:s0:c1,c2"));
	json_object_set_new(json_object_get(b.config, "process"), "selinuxLabel",
			    json_string("system_u:system_r:container_t:s0:c1,c2"));
	expect_failure(&b, "create",
		       "process.selinuxLabel `system_u:system_r:container_t:s0:c1,c2` requested, "
		       "but SELinux is not enabled on this host");
}
END_TEST

START_TEST(bad_capability_set)
{
	struct hb b;

	hb_new(&b);
	json_object_set_new(json_object_get(json_object_get(b.config, "process"), "capabilities"), "bounding",
			    json_pack("[s,i]", "CAP_KILL", 42));
	expect_failure(&b, "create", "config.json: process.capabilities.bounding[1]: expected string");
}
END_TEST

START_TEST(idmap_on_a_tmpfs)
{
	struct hb b;

	hb_new(&b);
	json_array_append_new(json_object_get(b.config, "mounts"),
			      json_pack("{s:s, s:s, s:s, s:[s], s:[{s:i, s:i, s:i}], s:[{s:i, s:i, s:i}]}",
					"destination", "/scratch", "type", "tmpfs", "source", "tmpfs", "options",
					"idmap", "uidMappings", "containerID", 0, "hostID", 100000, "size", 65536,
					"gidMappings", "containerID", 0, "hostID", 100000, "size", 65536));
	expect_failure(&b, "create", "config.json: mounts[5].options: idmap is supported on bind mounts only");
}
END_TEST

START_TEST(duplicate_id_and_unknown_ids)
{
	struct hb b;
	struct hb_result r;

	hb_new(&b);
	hb_set_args(&b, "/probe", "sleep", "30", NULL);
	r = hb_run(&b, 30, "create", "--bundle", b.dir, b.id, NULL);
	ck_assert_msg(r.status == 0, "%s", r.err);
	hb_result_free(&r);
	r = hb_run(&b, 30, "create", "--bundle", b.dir, b.id, NULL);
	ck_assert_int_eq(r.status, 1);
	if (hb_is_hardrun())
		ck_assert_msg(strstr(r.err, "already exists") && hb_lines(r.err) == 1, "%s", r.err);
	hb_result_free(&r);
	r = hb_run(&b, 30, "kill", b.id, "NOTASIGNAL", NULL);
	ck_assert_int_eq(r.status, 1);
	hb_result_free(&r);
	r = hb_run(&b, 30, "state", "no-such-container", NULL);
	ck_assert_int_eq(r.status, 1);
	if (hb_is_hardrun())
		ck_assert_str_eq(r.err,
				 "hardrun: state `no-such-container`: container `no-such-container` does not exist: "
				 "No such file or directory\n");
	hb_result_free(&r);
	r = hb_run(&b, 30, "kill", "no-such-container", "9", NULL);
	ck_assert_int_eq(r.status, 1);
	hb_result_free(&r);
	r = hb_run(&b, 30, "delete", "no-such-container", NULL);
	ck_assert_int_eq(r.status, 1);
	hb_result_free(&r);
	r = hb_run(&b, 30, "delete", "--force", "no-such-container", NULL);
	ck_assert_int_eq(r.status, 0);
	hb_result_free(&r);
	hb_finish(&b);
}
END_TEST

/* CVE-2019-19921 / CVE-2023-27561: /proc as a symlink must make create fail */
START_TEST(cve_2019_19921_proc_symlink)
{
	struct hb b;
	char cmd[2048];

	hb_new(&b);
	snprintf(cmd, sizeof(cmd), "rmdir %s/proc && mkdir %s/bad-proc && ln -s /bad-proc %s/proc", b.rootfs, b.rootfs,
		 b.rootfs);
	ck_assert_int_eq(system(cmd), 0);
	expect_failure(&b, "create", "mount on `/proc`: the destination is a symlink");
}
END_TEST

/* CVE-2019-16884: nothing but procfs may be mounted on /proc */
START_TEST(cve_2019_16884_fake_proc)
{
	struct hb b;
	json_t *m;

	hb_new(&b);
	m = json_object_get(b.config, "mounts");
	json_array_remove(m, 0);
	json_array_insert_new(m, 0,
			      json_pack("{s:s, s:s, s:s, s:[s]}", "destination", "/proc", "type", "bind", "source",
					b.dir, "options", "rbind"));
	expect_failure(&b, "create", "only procfs may be mounted on /proc");
}
END_TEST

/* CVE-2019-18837 / CVE-2021-30465 (static): a mount through a symlink pointing out of the rootfs stays inside */
START_TEST(cve_2021_30465_symlink_destination)
{
	struct hb b;
	struct hb_result r;
	char cmd[2048], outside[400];
	struct stat st;

	hb_new(&b);
	snprintf(outside, sizeof(outside), "%s/outside", b.dir);
	snprintf(cmd, sizeof(cmd), "mkdir %s && ln -s ../../../../../../../..%s %s/mnt", outside, outside, b.rootfs);
	ck_assert_int_eq(system(cmd), 0);
	json_array_append_new(json_object_get(b.config, "mounts"),
			      json_pack("{s:s, s:s, s:s, s:[s]}", "destination", "/mnt/x", "type", "tmpfs", "source",
					"tmpfs", "options", "size=1m"));
	hb_set_args(&b, "/probe", "stat", "/mnt/x", NULL);
	r = hb_run(&b, 30, "run", "--bundle", b.dir, b.id, NULL);
	/* either refused or mounted inside the rootfs; never at the host path */
	snprintf(cmd, sizeof(cmd), "%s/x", outside);
	ck_assert_msg(stat(cmd, &st) != 0, "a directory was created outside the rootfs");
	/* hardrun resolves /mnt inside the root, finds a dangling link and refuses, fail-closed */
	if (hb_is_hardrun()) {
		ck_assert_int_eq(r.status, 1);
		ck_assert_msg(hb_lines(r.err) == 1 && strstr(r.err, "open `/mnt` in container root"), "%s", r.err);
	}
	hb_result_free(&r);
	hb_finish(&b);
}
END_TEST

/* CVE-2025-31133: maskedPaths must not use the container's /dev/null */
START_TEST(cve_2025_31133_devnull_symlink)
{
	struct hb b;
	struct hb_result r;
	char cmd[2048], marker[400], got[64] = {0};
	FILE *f;
	json_t *m, *keep = json_array();
	size_t i;
	json_t *v;

	hb_new(&b);
	/* no /dev tmpfs: the rootfs /dev is used as it is, with /dev/null -> /etc/marker */
	m = json_object_get(b.config, "mounts");
	json_array_foreach(m, i, v)
	{
		const char *d = json_string_value(json_object_get(v, "destination"));

		if (strncmp(d, "/dev", 4) != 0)
			json_array_append(keep, v);
	}
	json_object_set_new(b.config, "mounts", keep);
	json_object_set_new(json_object_get(b.config, "root"), "readonly", json_false());
	snprintf(marker, sizeof(marker), "%s/etc/marker", b.rootfs);
	snprintf(cmd, sizeof(cmd), "echo untouched > %s && ln -s /etc/marker %s/dev/null", marker, b.rootfs);
	ck_assert_int_eq(system(cmd), 0);
	hb_set_args(&b, "/probe", "stat", "/proc/keys", NULL);
	r = hb_run(&b, 30, "run", "--bundle", b.dir, b.id, NULL);
	if (hb_is_hardrun()) {
		ck_assert_msg(r.status == 0, "%s", r.err);
		ck_assert_str_eq(r.out, "char 1:3\n");
	}
	f = fopen(marker, "re");
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(fgets(got, sizeof(got), f));
	fclose(f);
	ck_assert_str_eq(got, "untouched\n");
	hb_result_free(&r);
	hb_finish(&b);
}
END_TEST

/* CVE-2024-21626: a cwd through a leaked fd must never land outside the container */
START_TEST(cve_2024_21626_cwd_fd)
{
	for (int fd = 3; fd <= 9; fd++) {
		struct hb b;
		struct hb_result r;
		char cwd[32];

		hb_new(&b);
		snprintf(cwd, sizeof(cwd), "/proc/self/fd/%d", fd);
		json_object_set_new(json_object_get(b.config, "process"), "cwd", json_string(cwd));
		hb_set_args(&b, "/probe", "cwd", NULL);
		r = hb_run(&b, 30, "run", "--bundle", b.dir, b.id, NULL);
		ck_assert_msg(r.status != 0 || (r.out[0] == '/' && strncmp(r.out, "/proc", 5) != 0),
			      "fd %d: status %d cwd %s", fd, r.status, r.out);
		hb_result_free(&r);
		hb_finish(&b);
	}
}
END_TEST

/* no mount namespace: the config's mounts go into the host's table; rootfsPropagation there would be the host's */
START_TEST(propagation_without_mount_namespace)
{
	struct hb b;
	json_t *ns, *kept, *n;
	size_t i;

	hb_new(&b);
	kept = json_array();
	ns = json_object_get(json_object_get(b.config, "linux"), "namespaces");
	json_array_foreach(ns, i, n) if (strcmp(json_string_value(json_object_get(n, "type")), "mount") != 0)
		json_array_append(kept, n);
	json_object_set_new(json_object_get(b.config, "linux"), "namespaces", kept);
	json_object_set_new(json_object_get(b.config, "linux"), "rootfsPropagation", json_string("shared"));
	if (!hb_is_hardrun()) {
		hb_finish(&b);
		return;
	}
	expect_failure(&b, "create", "config.json: linux.rootfsPropagation: requires a mount namespace");
}
END_TEST

int main(void)
{
	const TTest *const tests[] = {
		malformed_json,
		propagation_without_mount_namespace,
		unknown_namespace,
		missing_rootfs,
		relative_cwd,
		missing_executable,
		missing_executable_path,
		missing_bind_source,
		failing_create_runtime_hook,
		non_namespaced_sysctl,
		apparmor_without_apparmor,
		systemd_not_reachable,
		selinux_without_selinux,
		bad_capability_set,
		idmap_on_a_tmpfs,
		duplicate_id_and_unknown_ids,
		cve_2019_19921_proc_symlink,
		cve_2019_16884_fake_proc,
		cve_2021_30465_symlink_destination,
		cve_2025_31133_devnull_symlink,
		cve_2024_21626_cwd_fd,
		NULL,
	};

	return hb_main("errors", 120, tests);
}
