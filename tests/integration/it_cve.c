/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The runtime CVEs of SECURITY.md §4 not covered by it_errors and it_exec:
 * each test plays the hostile side (bundle or payload) and asserts the
 * observable that proves the attack failed.  CVE-2019-5736 (overwrite the
 * runtime through /proc/PID/exe), CVE-2023-25809 (writable cgroupfs in a
 * user namespace), CVE-2024-45310 (mkdir through a swapped symlink),
 * CVE-2025-52565 (/dev/console redirect), CVE-2025-52881 (redirected
 * procfs writes).
 */
#include <check.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bundle.h"

#define RUN(b, ...) hb_run(b, 30, __VA_ARGS__, NULL)

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "re");
	char *buf = NULL;
	size_t len = 0;

	if (!f)
		return NULL;
	if (getdelim(&buf, &len, '\0', f) < 0) {
		free(buf);
		buf = strdup("");
	}
	fclose(f);
	return buf;
}

static bool same_file(const char *a, const char *b)
{
	char cmd[1024];

	snprintf(cmd, sizeof(cmd), "cmp -s %s %s", a, b);
	return system(cmd) == 0;
}

static void add_mount(struct hb *b, json_t *m)
{
	json_array_append_new(json_object_get(b->config, "mounts"), m);
}

/*
 * CVE-2019-5736: /bin/evil is "#!/proc/self/exe", so `exec ctr /bin/evil`
 * makes the kernel run whatever binary the exec helper is.  The container's
 * watcher holds that binary open and, after it exits, tries to overwrite it.
 * The runtime under test is a copy, so a failure damages nothing else.
 */
START_TEST(cve_2019_5736_exe_overwrite)
{
	struct hb b;
	struct hb_result r;
	char copy[400], cmd[2400], result[400];
	const char *orig = hb_runtime();
	const char *base = strrchr(orig, '/') ? strrchr(orig, '/') + 1 : orig;
	bool hardrun = hb_is_hardrun();
	char *res = NULL;

	hb_new(&b);
	snprintf(copy, sizeof(copy), "%s/bin/%s", b.dir, base);
	/* the image carries the runtime's loader and libraries, as any glibc-based image does */
	snprintf(
		cmd, sizeof(cmd),
		"mkdir -p %s/bin && cp %s %s && printf '#!/proc/self/exe\\n' > %s/bin/evil && chmod 755 %s/bin/evil && "
		"for l in $(ldd %s | grep -o '/[^ ]*'); do cp --parents -L $l %s; done",
		b.dir, orig, copy, b.rootfs, b.rootfs, orig, b.rootfs);
	ck_assert_int_eq(system(cmd), 0);
	setenv("HR_TEST_RUNTIME", copy, 1);
	json_object_set_new(json_object_get(b.config, "root"), "readonly", json_false());
	hb_set_args(&b, "/probe", "watch-exe", "/result", "60", NULL);
	r = RUN(&b, "run", "--detach", "--bundle", b.dir, b.id);
	ck_assert_msg(r.status == 0, "run -d: %s", r.err);
	hb_result_free(&r);
	snprintf(result, sizeof(result), "%s/result", b.rootfs);
	for (int i = 0; i < 300; i++) {
		r = RUN(&b, "exec", b.id, "/bin/evil");
		hb_result_free(&r);
		free(res);
		res = slurp(result);
		if (res && (strstr(res, "done\n") || strstr(res, "timeout\n")))
			break;
	}
	ck_assert_msg(res && strstr(res, "done\n"), "the watcher never caught the runtime: %s", res ? res : "");
	/* the attack was tried for real: the exe was held open; it must not have been writable */
	ck_assert_msg(strstr(res, "write-open ok\n") == NULL || strstr(res, "write ok\n") == NULL, "%s", res);
	ck_assert_msg(same_file(orig, copy), "the runtime binary was changed through /proc/PID/exe: %s", res);
	if (hardrun)
		ck_assert_msg(strncmp(res, "exe /memfd:hardrun (deleted)\n", 29) == 0, "%s", res);
	free(res);
	hb_finish(&b);
}
END_TEST

/*
 * CVE-2023-25809: a user-namespaced container without a cgroup namespace,
 * with the host's /sys bound read-only (the rootless layout) and a cgroup
 * mount: every cgroup mount must be read-only, and writes must fail.
 */
START_TEST(cve_2023_25809_cgroup_ro_in_userns)
{
	struct hb b;
	struct hb_result r;
	char *line, *save = NULL, *all;
	int cgroup_lines = 0;

	hb_new(&b);
	hb_userns(&b);
	add_mount(&b, json_pack("{s:s, s:s, s:s, s:[s,s,s,s,s]}", "destination", "/sys", "type", "none", "source",
				"/sys", "options", "rbind", "nosuid", "noexec", "nodev", "ro"));
	add_mount(&b, json_pack("{s:s, s:s, s:s, s:[s,s,s,s,s]}", "destination", "/sys/fs/cgroup", "type", "cgroup",
				"source", "cgroup", "options", "nosuid", "noexec", "nodev", "relatime", "ro"));
	/* the same three writes into a v1 hierarchy or into the unified root */
	hb_set_args(&b, "/bin/sh", "-c",
		    hb_cgroup_v2()
			    ? "/probe put /sys/fs/cgroup/cgroup.procs 0; /probe mkdir /sys/fs/cgroup/x; "
			      "/probe write /sys/fs/cgroup/y; grep cgroup /proc/self/mounts"
			    : "/probe put /sys/fs/cgroup/pids/cgroup.procs 0; /probe mkdir /sys/fs/cgroup/pids/x; "
			      "/probe write /sys/fs/cgroup/x; grep cgroup /proc/self/mounts",
		    NULL);
	r = RUN(&b, "run", "--bundle", b.dir, b.id);
	ck_assert_msg(r.status == 0, "%s", r.err);
	all = strdup(r.out);
	line = strtok_r(r.out, "\n", &save);
	for (int i = 0; i < 3; i++, line = strtok_r(NULL, "\n", &save)) {
		ck_assert_ptr_nonnull(line);
		ck_assert_msg(strcmp(line, "EROFS") == 0 || strcmp(line, "EACCES") == 0, "write %d: %s", i, line);
	}
	for (; line; line = strtok_r(NULL, "\n", &save)) {
		char *opts = strchr(line, ' ') ? strchr(strchr(line, ' ') + 1, ' ') : NULL;

		opts = opts ? strchr(opts + 1, ' ') : NULL;
		ck_assert_msg(opts && strncmp(opts + 1, "ro,", 3) == 0, "writable cgroup mount: %s in\n%s", line, all);
		cgroup_lines++;
	}
	ck_assert_int_gt(cgroup_lines, 1);
	free(all);
	hb_result_free(&r);
	hb_finish(&b);
}
END_TEST

/*
 * CVE-2024-45310: while the container is created, /v/a is swapped between a
 * directory and a symlink to a host directory.  A mount at /v/a/b/c must
 * never create anything there, in any of the runs.
 */
START_TEST(cve_2024_45310_mkdir_race)
{
	struct hb b;
	char host[64] = "/tmp/hrit-host.XXXXXX", dir[400], lnk[400], cmd[1400];
	pid_t racer;
	bool clean;

	ck_assert_ptr_nonnull(mkdtemp(host));
	hb_new(&b);
	snprintf(dir, sizeof(dir), "%s/v/a", b.rootfs);
	snprintf(lnk, sizeof(lnk), "%s/v/l", b.rootfs);
	snprintf(cmd, sizeof(cmd), "mkdir -p %s && ln -s ../../../../../../../../..%s %s", dir, host, lnk);
	ck_assert_int_eq(system(cmd), 0);
	add_mount(&b, json_pack("{s:s, s:s, s:s}", "destination", "/v/a/b/c", "type", "tmpfs", "source", "tmpfs"));
	hb_set_args(&b, "/probe", "pid", NULL);
	racer = fork();
	ck_assert_int_ge(racer, 0);
	if (racer == 0) {
		for (int i = 0; i < 20000000; i++)
			renameat2(AT_FDCWD, dir, AT_FDCWD, lnk, RENAME_EXCHANGE);
		_exit(0);
	}
	for (int i = 0; i < 40; i++) {
		struct hb_result r = RUN(&b, "run", "--bundle", b.dir, b.id);

		/* either outcome is fine for the container; the host directory is what matters */
		hb_result_free(&r);
		hb_assert_no_leak(&b);
	}
	kill(racer, SIGKILL);
	waitpid(racer, NULL, 0);
	snprintf(cmd, sizeof(cmd), "test -z \"$(ls -A %s)\"", host);
	clean = system(cmd) == 0;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", host);
	ck_assert_int_eq(system(cmd), 0);
	ck_assert_msg(clean, "the runtime created files in the host directory %s", host);
	hb_finish(&b);
}
END_TEST

/*
 * CVE-2025-52565: no /dev tmpfs, a terminal, and /dev/console in the rootfs
 * a symlink to a marker file: the pty must never be mounted over the marker.
 */
START_TEST(cve_2025_52565_console_symlink)
{
	struct hb b;
	struct hb_result r;
	char sock[108];
	char cmd[1200], marker[400], *got;
	int ls, master;

	hb_new(&b);
	hb_drop_mount(&b, "/dev");
	json_object_set_new(json_object_get(b.config, "root"), "readonly", json_false());
	json_object_set_new(json_object_get(b.config, "process"), "terminal", json_true());
	snprintf(marker, sizeof(marker), "%s/etc/marker2", b.rootfs);
	snprintf(cmd, sizeof(cmd), "echo untouched > %s && mkdir -p %s/dev/pts && ln -s /etc/marker2 %s/dev/console",
		 marker, b.rootfs, b.rootfs);
	ck_assert_int_eq(system(cmd), 0);
	hb_set_args(&b, "/bin/sh", "-c", "/probe stat /dev/console; grep -c marker /proc/self/mountinfo", NULL);
	ls = hb_listen(&b, "console.sock", sock);
	r = RUN(&b, "create", "--bundle", b.dir, "--console-socket", sock, b.id);
	if (r.status == 0) {
		char buf[512] = {0};
		size_t n = 0;

		hb_result_free(&r);
		master = hb_recv_fd(ls);
		ck_assert_int_ge(master, 0);
		r = RUN(&b, "start", b.id);
		ck_assert_msg(r.status == 0, "%s", r.err);
		for (int i = 0; i < 100 && !strstr(buf, "\n0"); i++) {
			ssize_t k = read(master, buf + n, sizeof(buf) - n - 1);

			if (k <= 0)
				break;
			n += (size_t)k;
		}
		ck_assert_msg(strstr(buf, "char 136:") != NULL, "console is not a pty: %s", buf);
		ck_assert_msg(strstr(buf, "\n0") != NULL || strstr(buf, "\r\n0") != NULL, "marker mounted: %s", buf);
		close(master);
	} else if (hb_is_hardrun()) {
		ck_assert_msg(hb_lines(r.err) == 1 && strstr(r.err, "/dev/console") != NULL, "%s", r.err);
	}
	hb_result_free(&r);
	close(ls);
	got = slurp(marker);
	ck_assert_str_eq(got, "untouched\n");
	free(got);
	hb_finish(&b);
}
END_TEST

static void expect_refused(struct hb *b, const char *want)
{
	struct hb_result r = RUN(b, "run", "--bundle", b->dir, b->id);

	ck_assert_msg(r.status != 0, "ran: %s", r.out);
	if (hb_is_hardrun()) {
		ck_assert_int_eq(r.status, 1);
		ck_assert_msg(hb_lines(r.err) == 1 && strstr(r.err, want) != NULL, "want `%s`: %s", want, r.err);
	}
	hb_result_free(&r);
}

static char *host_sysctl(void)
{
	return slurp("/proc/sys/kernel/shm_rmid_forced");
}

/*
 * CVE-2025-52881: mounts that would redirect the runtime's own procfs
 * writes are refused, and a namespaced sysctl reaches the container's
 * namespace (never the host, never a file a mount put in its place).
 */
START_TEST(cve_2025_52881_procfs_redirect)
{
	struct hb b;
	struct hb_result r;
	char marker[400], cmd[800], *before, *after, *got;

	/* (a) a bind over the LSM attribute file the runtime would write */
	hb_new(&b);
	snprintf(marker, sizeof(marker), "%s/etc/marker", b.rootfs);
	snprintf(cmd, sizeof(cmd), "echo untouched > %s", marker);
	ck_assert_int_eq(system(cmd), 0);
	add_mount(&b, json_pack("{s:s, s:s, s:s, s:[s]}", "destination", "/proc/self/attr/apparmor/exec", "type",
				"bind", "source", marker, "options", "bind"));
	expect_refused(&b, "/proc/self/attr/apparmor/exec");
	hb_finish(&b);

	/* (b) a bind of a marker over the sysctl the config sets */
	hb_new(&b);
	snprintf(marker, sizeof(marker), "%s/etc/marker", b.rootfs);
	snprintf(cmd, sizeof(cmd), "echo untouched > %s", marker);
	ck_assert_int_eq(system(cmd), 0);
	json_object_set_new(json_object_get(b.config, "linux"), "sysctl",
			    json_pack("{s:s}", "kernel.shm_rmid_forced", "1"));
	add_mount(&b, json_pack("{s:s, s:s, s:s, s:[s]}", "destination", "/proc/sys/kernel/shm_rmid_forced", "type",
				"bind", "source", marker, "options", "bind"));
	before = host_sysctl();
	expect_refused(&b, "/proc/sys/kernel/shm_rmid_forced");
	got = slurp(marker);
	ck_assert_str_eq(got, "untouched\n");
	free(got);
	hb_finish(&b);

	/* (c) without the hostile mount the value lands in the container's IPC namespace only */
	hb_new(&b);
	json_object_set_new(json_object_get(b.config, "linux"), "sysctl",
			    json_pack("{s:s}", "kernel.shm_rmid_forced", strcmp(before, "1\n") == 0 ? "0" : "1"));
	hb_set_args(&b, "/bin/cat", "/proc/sys/kernel/shm_rmid_forced", NULL);
	r = RUN(&b, "run", "--bundle", b.dir, b.id);
	ck_assert_msg(r.status == 0, "%s", r.err);
	ck_assert_str_eq(r.out, strcmp(before, "1\n") == 0 ? "0\n" : "1\n");
	hb_result_free(&r);
	after = host_sysctl();
	ck_assert_str_eq(after, before);
	free(before);
	free(after);
	hb_finish(&b);
}
END_TEST

int main(void)
{
	const TTest *const tests[] = {
		cve_2019_5736_exe_overwrite,	cve_2023_25809_cgroup_ro_in_userns, cve_2024_45310_mkdir_race,
		cve_2025_52565_console_symlink, cve_2025_52881_procfs_redirect,	    NULL,
	};

	return hb_main("cve", 180, tests);
}
