/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Namespaces: each new one differs from the host's, a namespace can be
 * joined by path (the slow path: stage1 joins, then forks the init), the
 * hostname set in a joined uts namespace, the rootfs propagation modes, user
 * namespaces get their id maps, time namespaces their offsets, and
 * containers started concurrently do not interfere.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bundle.h"

#define RUN(b, ...) hb_run(b, 30, __VA_ARGS__, NULL)

static char *host_ns(const char *name)
{
	char p[64], t[128];
	ssize_t n;

	snprintf(p, sizeof(p), "/proc/self/ns/%s", name);
	n = readlink(p, t, sizeof(t) - 1);
	t[n > 0 ? n : 0] = '\0';
	return strdup(t);
}

static const char *ns_line(const char *out, const char *name)
{
	static char line[160];
	char key[32];
	const char *p;

	snprintf(key, sizeof(key), "%s ", name);
	for (p = out; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (strncmp(p, key, strlen(key)) == 0) {
			size_t n = strcspn(p + strlen(key), "\n");

			snprintf(line, sizeof(line), "%.*s", (int)n, p + strlen(key));
			return line;
		}
	return "";
}

START_TEST(new_namespaces_differ_from_host)
{
	static const char *const mine[] = {"pid", "net", "ipc", "uts", "mnt", "cgroup"};
	struct hb b;
	struct hb_result r;

	hb_new(&b);
	json_array_append_new(json_object_get(json_object_get(b.config, "linux"), "namespaces"),
			      json_pack("{s:s}", "type", "cgroup"));
	hb_set_args(&b, "/probe", "ns", NULL);
	r = RUN(&b, "run", "--bundle", b.dir, b.id);
	ck_assert_msg(r.status == 0, "%s", r.err);
	for (size_t i = 0; i < 6; i++) {
		char *h = host_ns(mine[i]);

		ck_assert_msg(strcmp(ns_line(r.out, mine[i]), h) != 0, "%s namespace is the host's", mine[i]);
		free(h);
	}
	{
		/* not asked for: shared with the host */
		char *h = host_ns("user");

		ck_assert_str_eq(ns_line(r.out, "user"), h);
		free(h);
	}
	hb_result_free(&r);
	hb_finish(&b);
}
END_TEST

START_TEST(join_network_namespace_by_path)
{
	struct hb a, b;
	struct hb_result r;
	char pidfile[400], buf[32] = {0}, path[64], want[160];
	FILE *f;
	ssize_t n;

	hb_new(&a);
	hb_set_args(&a, "/probe", "sleep", "30", NULL);
	snprintf(pidfile, sizeof(pidfile), "%s/a.pid", a.dir);
	r = RUN(&a, "create", "--bundle", a.dir, "--pid-file", pidfile, a.id);
	ck_assert_msg(r.status == 0, "%s", r.err);
	hb_result_free(&r);
	f = fopen(pidfile, "re");
	ck_assert_ptr_nonnull(fgets(buf, sizeof(buf), f));
	fclose(f);
	snprintf(path, sizeof(path), "/proc/%d/ns/net", atoi(buf));
	n = readlink(path, want, sizeof(want) - 1);
	ck_assert_int_gt(n, 0);
	want[n] = '\0';

	hb_new(&b);
	json_object_set_new(json_object_get(b.config, "linux"), "namespaces",
			    json_pack("[{s:s}, {s:s, s:s}, {s:s}, {s:s}, {s:s}]", "type", "pid", "type", "network",
				      "path", path, "type", "ipc", "type", "uts", "type", "mount"));
	hb_set_args(&b, "/bin/sh", "-c", "/probe ns; /probe pid", NULL);
	r = RUN(&b, "run", "--bundle", b.dir, b.id);
	ck_assert_msg(r.status == 0, "%s", r.err);
	ck_assert_str_eq(ns_line(r.out, "net"), want);
	/* the slow path forks the init after unsharing: it is still pid 1 of its new pid namespace */
	ck_assert_ptr_nonnull(strstr(r.out, "\n1\n"));
	hb_result_free(&r);
	hb_finish(&b);
	hb_finish(&a);
}
END_TEST

static void userns_case(bool slow)
{
	struct hb b;
	struct hb_result r;

	hb_new(&b);
	/* the rootfs belongs to the mapped root, as a runtime that does not chown expects */
	hb_userns(&b);
	if (slow) { /* a time namespace forces the stage1 path */
		json_t *lx = json_object_get(b.config, "linux");

		json_array_append_new(json_object_get(lx, "namespaces"), json_pack("{s:s}", "type", "time"));
		json_object_set_new(lx, "timeOffsets", json_pack("{s:{s:i}}", "monotonic", "secs", 3600));
	}
	hb_set_args(&b, "/bin/sh", "-c", "/probe ids; cat /proc/self/uid_map /proc/self/gid_map; /probe caps", NULL);
	r = RUN(&b, "run", "--bundle", b.dir, b.id);
	ck_assert_msg(r.status == 0, "%s", r.err);
	ck_assert_str_eq(r.out, "uid=0 gid=0 euid=0 egid=0 groups=\n"
				"         0     100000      65536\n"
				"         0     100000      65536\n"
				"CapInh:\t0000000000000000\nCapPrm:\t0000000020000420\nCapEff:\t0000000020000420\n"
				"CapBnd:\t0000000020000420\nCapAmb:\t0000000000000000\nNoNewPrivs:\t1\nSeccomp:\t0\n");
	hb_result_free(&r);
	hb_finish(&b);
}

START_TEST(user_namespace_fast_path)
{
	userns_case(false);
}
END_TEST

START_TEST(user_namespace_slow_path)
{
	if (access("/proc/self/ns/time", F_OK) != 0)
		return; /* no time namespaces in this kernel */
	userns_case(true);
}
END_TEST

/* host bound at /own, idmapped with its own mappings 0 -> 100000 (65536 ids) */
static void add_own_idmap_mount(struct hb *b, const char *host)
{
	json_t *map = json_pack("[{s:i, s:i, s:i}]", "containerID", 0, "hostID", 100000, "size", 65536);

	json_array_append_new(json_object_get(b->config, "mounts"),
			      json_pack("{s:s, s:s, s:s, s:[s,s], s:O, s:o}", "destination", "/own", "type", "bind",
					"source", host, "options", "bind", "idmap", "uidMappings", map, "gidMappings",
					map));
}

/*
 * Idmapped bind mounts: in a user namespace mapping 0 to 100000, a host
 * directory of files owned by 0 and 1000 shows them as 0 and 1000 through
 * `idmap` (the mount's own mappings) and `ridmap` (the container's), as
 * nobody without; a file the container's root creates is root's on disk.
 * Without a user namespace the mount's own mappings still apply.
 */
START_TEST(idmapped_bind_mounts)
{
	struct hb b;
	struct hb_result r;
	char host[64] = "/tmp/hrit-idm.XXXXXX", cmd[900];
	struct stat st;

	ck_assert_ptr_nonnull(mkdtemp(host));
	snprintf(cmd, sizeof(cmd), "chmod 0755 %s && touch %s/a %s/b && chown 0:0 %s/a && chown 1000:1000 %s/b", host,
		 host, host, host, host);
	ck_assert_int_eq(system(cmd), 0);
	hb_new(&b);
	hb_userns(&b);
	add_own_idmap_mount(&b, host);
	json_array_append_new(json_object_get(b.config, "mounts"),
			      json_pack("{s:s, s:s, s:s, s:[s,s]}", "destination", "/ctr", "type", "bind", "source",
					host, "options", "rbind", "ridmap"));
	json_array_append_new(json_object_get(b.config, "mounts"),
			      json_pack("{s:s, s:s, s:s, s:[s]}", "destination", "/plain", "type", "bind", "source",
					host, "options", "bind"));
	hb_set_args(&b, "/bin/sh", "-c",
		    "stat -c '%n %u:%g' /own/a /own/b /ctr/a /ctr/b /plain/a /plain/b; touch /own/new", NULL);
	r = RUN(&b, "run", "--bundle", b.dir, b.id);
	ck_assert_msg(r.status == 0, "%s", r.err);
	ck_assert_str_eq(r.out, "/own/a 0:0\n/own/b 1000:1000\n/ctr/a 0:0\n/ctr/b 1000:1000\n"
				"/plain/a 65534:65534\n/plain/b 65534:65534\n");
	hb_result_free(&r);
	snprintf(cmd, sizeof(cmd), "%s/new", host);
	ck_assert_int_eq(stat(cmd, &st), 0);
	ck_assert_int_eq(st.st_uid, 0);
	hb_finish(&b);

	/* no user namespace: the mount's mappings show on-disk 0 as 100000 */
	hb_new(&b);
	add_own_idmap_mount(&b, host);
	hb_set_args(&b, "/bin/stat", "-c", "%u:%g", "/own/a", NULL);
	r = RUN(&b, "run", "--bundle", b.dir, b.id);
	ck_assert_msg(r.status == 0, "%s", r.err);
	ck_assert_str_eq(r.out, "100000:100000\n");
	hb_result_free(&r);
	hb_finish(&b);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", host);
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

START_TEST(time_namespace_offsets)
{
	struct hb b;
	struct hb_result r;
	json_t *lx;
	long host_up, cont_up;
	FILE *f;

	if (access("/proc/self/ns/time", F_OK) != 0)
		return;
	hb_new(&b);
	lx = json_object_get(b.config, "linux");
	json_array_append_new(json_object_get(lx, "namespaces"), json_pack("{s:s}", "type", "time"));
	json_object_set_new(lx, "timeOffsets", json_pack("{s:{s:i, s:i}}", "boottime", "secs", 86400, "nanosecs", 0));
	hb_set_args(&b, "/bin/cat", "/proc/uptime", NULL);
	r = RUN(&b, "run", "--bundle", b.dir, b.id);
	ck_assert_msg(r.status == 0, "%s", r.err);
	f = fopen("/proc/uptime", "re");
	ck_assert_int_eq(fscanf(f, "%ld", &host_up), 1);
	fclose(f);
	cont_up = atol(r.out);
	/* boottime moved one day ahead inside */
	ck_assert_msg(cont_up - host_up >= 86390 && cont_up - host_up <= 86410, "host %ld container %ld", host_up,
		      cont_up);
	hb_result_free(&r);
	hb_finish(&b);
}
END_TEST

START_TEST(concurrent_containers)
{
	enum { N = 6 };
	struct hb b[N];
	pid_t pids[N];

	for (int i = 0; i < N; i++) {
		hb_new(&b[i]);
		hb_set_args(&b[i], "/probe", "hostname", NULL);
		json_object_set_new(b[i].config, "hostname", json_sprintf("c%d", i));
		hb_write(&b[i]);
	}
	for (int i = 0; i < N; i++) {
		pids[i] = fork();
		ck_assert_int_ge(pids[i], 0);
		if (pids[i] == 0) {
			struct hb_result r = RUN(&b[i], "run", "--bundle", b[i].dir, b[i].id);
			char want[16];

			snprintf(want, sizeof(want), "c%d\n", i);
			_exit(r.status == 0 && strcmp(r.out, want) == 0 ? 0 : 1);
		}
	}
	for (int i = 0; i < N; i++) {
		int ws;

		ck_assert_int_eq(waitpid(pids[i], &ws, 0), pids[i]);
		ck_assert_msg(WIFEXITED(ws) && WEXITSTATUS(ws) == 0, "container %d failed", i);
	}
	for (int i = 0; i < N; i++)
		hb_finish(&b[i]);
}
END_TEST

static int first_pid(struct hb *b, const char *pidfile)
{
	char buf[32] = {0};
	FILE *f = fopen(pidfile, "re");

	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(fgets(buf, sizeof(buf), f));
	fclose(f);
	(void)b;
	return atoi(buf);
}

/* runtime-spec: hostname sets "the container UTS namespace", which may be one joined by path */
START_TEST(hostname_in_a_joined_uts_namespace)
{
	struct hb a, b;
	struct hb_result r;
	char pidfile[400], path[64], cmd[160], line[160] = {0};
	FILE *p;
	int pid;

	hb_new(&a);
	hb_set_args(&a, "/probe", "sleep", "30", NULL);
	snprintf(pidfile, sizeof(pidfile), "%s/a.pid", a.dir);
	r = RUN(&a, "create", "--bundle", a.dir, "--pid-file", pidfile, a.id);
	ck_assert_msg(r.status == 0, "%s", r.err);
	hb_result_free(&r);
	pid = first_pid(&a, pidfile);
	snprintf(path, sizeof(path), "/proc/%d/ns/uts", pid);

	hb_new(&b);
	json_object_set_new(json_object_get(b.config, "linux"), "namespaces",
			    json_pack("[{s:s}, {s:s, s:s}, {s:s}, {s:s}, {s:s}]", "type", "pid", "type", "uts", "path",
				      path, "type", "ipc", "type", "network", "type", "mount"));
	json_object_set_new(b.config, "hostname", json_string("joined"));
	hb_set_args(&b, "/probe", "hostname", NULL);
	r = RUN(&b, "run", "--bundle", b.dir, b.id);
	ck_assert_msg(r.status == 0, "%s", r.err);
	ck_assert_str_eq(r.out, "joined\n");
	hb_result_free(&r);
	hb_finish(&b);
	/* the namespace is shared: its holder sees the new name too */
	snprintf(cmd, sizeof(cmd), "nsenter -u -t %d hostname", pid);
	p = popen(cmd, "re");
	ck_assert_ptr_nonnull(p);
	ck_assert_ptr_nonnull(fgets(line, sizeof(line), p));
	pclose(p);
	ck_assert_str_eq(line, "joined\n");
	hb_finish(&a);

	/* a path naming the runtime's own uts namespace would rename the host: refused, nothing left */
	if (hb_is_hardrun()) {
		hb_new(&b);
		snprintf(path, sizeof(path), "/proc/%d/ns/uts", (int)getpid());
		json_object_set_new(json_object_get(b.config, "linux"), "namespaces",
				    json_pack("[{s:s}, {s:s, s:s}, {s:s}, {s:s}, {s:s}]", "type", "pid", "type", "uts",
					      "path", path, "type", "ipc", "type", "network", "type", "mount"));
		r = RUN(&b, "run", "--bundle", b.dir, b.id);
		ck_assert_int_eq(r.status, 1);
		ck_assert_int_eq(hb_lines(r.err), 1);
		snprintf(line, sizeof(line), "the uts namespace `%s` is the runtime's\n", path);
		ck_assert_msg(strstr(r.err, "config.json: hostname: ") && strstr(r.err, line), "%s", r.err);
		hb_result_free(&r);
		hb_finish(&b);
	}
}
END_TEST

/*
 * linux.rootfsPropagation seen on the container's `/` (mountinfo's optional
 * fields), and nothing of the container propagated to the host's mounts
 */
START_TEST(rootfs_propagation_modes)
{
	static const char *const modes[] = {"shared", "slave", "private", "unbindable"};
	/* slave shows `master:` only when the host's mount is shared (it is private on a host without systemd) */
	static const char *const field[] = {" shared:", NULL, NULL, " unbindable"};

	for (size_t i = 0; i < 4; i++) {
		struct hb b;
		struct hb_result r;
		char line[4096];
		FILE *f;

		hb_new(&b);
		json_object_set_new(json_object_get(b.config, "linux"), "rootfsPropagation", json_string(modes[i]));
		hb_set_args(&b, "/bin/sh", "-c", "awk '$5 == \"/\"' /proc/self/mountinfo", NULL);
		r = RUN(&b, "run", "--bundle", b.dir, b.id);
		ck_assert_msg(r.status == 0, "%s: %s", modes[i], r.err);
		ck_assert_int_eq(hb_lines(r.out), 1);
		if (field[i]) {
			ck_assert_msg(strstr(r.out, field[i]), "%s: %s", modes[i], r.out);
		} else {
			ck_assert_msg(!strstr(r.out, " shared:") && !strstr(r.out, " unbindable") &&
					      (i == 1 || !strstr(r.out, " master:")),
				      "%s: %s", modes[i], r.out);
		}
		hb_result_free(&r);
		/* the host's mount table never saw the rootfs (a shared parent would have propagated it) */
		f = fopen("/proc/self/mountinfo", "re");
		ck_assert_ptr_nonnull(f);
		while (fgets(line, sizeof(line), f))
			ck_assert_msg(!strstr(line, b.rootfs), "%s: host mount %s", modes[i], line);
		fclose(f);
		hb_finish(&b);
	}
}
END_TEST

static void drop_namespace(struct hb *b, const char *type)
{
	json_t *ns = json_object_get(json_object_get(b->config, "linux"), "namespaces"), *kept = json_array(), *n;
	size_t i;

	json_array_foreach(ns, i, n) if (strcmp(json_string_value(json_object_get(n, "type")), type) != 0)
		json_array_append(kept, n);
	json_object_set_new(json_object_get(b->config, "linux"), "namespaces", kept);
}

static bool host_has_mount_under(const char *path)
{
	char line[4096];
	FILE *f = fopen("/proc/self/mountinfo", "re");
	bool found = false;

	ck_assert_ptr_nonnull(f);
	while (fgets(line, sizeof(line), f))
		if (strstr(line, path))
			found = true;
	fclose(f);
	return found;
}

/*
 * runtime-spec: a namespace type not in the list is the runtime's.  Without
 * a mount namespace the container is in the host's mount namespace, its
 * mounts (procfs, masks) stacked on its rootfs in the host's table, its root
 * a chroot there; exec enters the same root; delete takes every one of
 * those mounts away and nothing else
 */
START_TEST(no_mount_namespace)
{
	struct hb b;
	struct hb_result r;
	char *h = host_ns("mnt");

	hb_new(&b);
	drop_namespace(&b, "mount");
	hb_set_args(&b, "/probe", "sleep", "30", NULL);
	r = RUN(&b, "run", "--detach", "--bundle", b.dir, b.id);
	ck_assert_msg(r.status == 0, "%s", r.err);
	hb_result_free(&r);
	ck_assert(host_has_mount_under(b.rootfs));
	/* only /probe's rootfs has /probe: exec runs in the container's root, sees the masks and its own /proc */
	r = RUN(&b, "exec", b.id, "/bin/sh", "-c", "/probe ns; /probe stat /proc/timer_list; /probe pid");
	ck_assert_msg(r.status == 0, "exec: %s", r.err);
	ck_assert_str_eq(ns_line(r.out, "mnt"), h);
	/* /proc/timer_list masked by the host's /dev/null; the pid namespace is the container's own */
	ck_assert_msg(strstr(r.out, "\nchar 1:3\n"), "%s", r.out);
	hb_result_free(&r);
	r = RUN(&b, "delete", "--force", b.id);
	ck_assert_msg(r.status == 0, "delete: %s", r.err);
	hb_result_free(&r);
	ck_assert(!host_has_mount_under(b.rootfs));
	hb_finish(&b);

	/* a create that fails after its mounts (no such executable) takes them away too */
	hb_new(&b);
	drop_namespace(&b, "mount");
	hb_set_args(&b, "/no/such/binary", NULL);
	r = RUN(&b, "create", "--bundle", b.dir, b.id);
	ck_assert_int_eq(r.status, 1);
	hb_result_free(&r);
	ck_assert(!host_has_mount_under(b.rootfs));
	hb_finish(&b);
	free(h);
}
END_TEST

int main(void)
{
	const TTest *const tests[] = {
		new_namespaces_differ_from_host,
		join_network_namespace_by_path,
		user_namespace_fast_path,
		user_namespace_slow_path,
		time_namespace_offsets,
		idmapped_bind_mounts,
		concurrent_containers,
		hostname_in_a_joined_uts_namespace,
		rootfs_propagation_modes,
		no_mount_namespace,
		NULL,
	};

	return hb_main("namespaces", 120, tests);
}
