/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The integration harness; see bundle.h. */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bundle.h"

static const char *const applets[] = {"sh",   "cat",   "echo", "ls",   "id",	   "hostname", "sleep",
				      "true", "false", "stat", "grep", "readlink", "mkdir",    "touch",
				      "env",  "pwd",   "head", "wc",   NULL};

static pid_t main_pid;
static void cleanup_leftovers(void);

void hb_require_root(void)
{
	const char *why = NULL;

	main_pid = getpid();
	atexit(cleanup_leftovers);

	if (geteuid() != 0)
		why = "integration tests need root";
	else if (access("/bin/busybox", X_OK) != 0)
		why = "busybox-static is not installed (/bin/busybox)";
	else if (access(hb_runtime(), X_OK) != 0)
		why = "the runtime under test is missing";
	if (!why)
		return;
	if (getenv("HR_TEST_MUST_RUN") && strcmp(getenv("HR_TEST_MUST_RUN"), "1") == 0) {
		fprintf(stderr, "FAIL (HR_TEST_MUST_RUN): %s\n", why);
		exit(1);
	}
	fprintf(stderr, "SKIP: %s\n", why);
	exit(77);
}

const char *hb_runtime(void)
{
	const char *r = getenv("HR_TEST_RUNTIME");

	if (r && *r)
		return r;
	r = getenv("HR_TEST_HARDRUN");
	return r ? r : "hardrun";
}

bool hb_is_hardrun(void)
{
	const char *r = hb_runtime();
	const char *base = strrchr(r, '/');

	/* hardrun, or its fault-injection build hardrun-fault */
	return strcmp(base ? base + 1 : r, "hardrun") == 0 || strcmp(base ? base + 1 : r, "hardrun-fault") == 0;
}

static void sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void sh(const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	ck_assert_msg(system(cmd) == 0, "command failed: %s", cmd);
}

void hb_write_file(struct hb *b, const char *name, const char *text, int mode)
{
	char p[512];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", b->dir, name);
	f = fopen(p, "we");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
	chmod(p, (mode_t)mode);
}

/*
 * Leftovers of failed tests.  A failing ck_assert ends the forked test
 * process with _exit(), before hb_finish; every bundle therefore records
 * the pid of the suite's main process, which removes at its exit whatever
 * bundles of its own are still there: the container, its processes, its
 * cgroups.  A failed test must not leave containers running on CI.
 */
static void cleanup_leftovers(void)
{
	glob_t g;

	if (getpid() != main_pid || glob("/tmp/hrit.*/.owner", 0, NULL, &g) != 0)
		return;
	for (size_t i = 0; i < g.gl_pathc; i++) {
		char dir[256], id[64] = {0}, p[1200], t[512];
		FILE *f = fopen(g.gl_pathv[i], "re");
		long owner = 0;
		DIR *d;
		struct dirent *e;
		size_t rootlen;

		if (!f)
			continue;
		if (fscanf(f, "%ld %63s", &owner, id) != 2 || owner != main_pid) {
			fclose(f);
			continue;
		}
		fclose(f);
		snprintf(dir, sizeof(dir), "%.*s", (int)(strlen(g.gl_pathv[i]) - strlen("/.owner")), g.gl_pathv[i]);
		snprintf(p, sizeof(p),
			 "%s --root %s/state delete --force %s >/dev/null 2>&1; rm -rf %s/state/.hardrun-*",
			 hb_runtime(), dir, id, dir);
		(void)!system(p);
		snprintf(p, sizeof(p), "%s/rootfs", dir);
		rootlen = strlen(p);
		d = opendir("/proc");
		while (d && (e = readdir(d)) != NULL) {
			char rp[300];
			ssize_t n;

			snprintf(rp, sizeof(rp), "/proc/%s/root", e->d_name);
			n = readlink(rp, t, sizeof(t) - 1);
			if (n > 0 && (t[n] = '\0', strncmp(t, p, rootlen) == 0))
				kill(atoi(e->d_name), SIGKILL);
		}
		if (d)
			closedir(d);
		usleep(200000);
		/* v1 hierarchies hold it one level down; the unified (v2) root directly */
		snprintf(p, sizeof(p), "rmdir /sys/fs/cgroup/*/%s /sys/fs/cgroup/%s 2>/dev/null; rm -rf %s", id, id,
			 dir);
		(void)!system(p);
		fprintf(stderr, "it: removed the leftovers of a failed test: %s (%s)\n", id, dir);
	}
	globfree(&g);
}

void hb_new(struct hb *b)
{
	static unsigned counter;
	const char *probe = getenv("HR_TEST_PROBE");

	memset(b, 0, sizeof(*b));
	snprintf(b->dir, sizeof(b->dir), "/tmp/hrit.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(b->dir));
	snprintf(b->rootfs, sizeof(b->rootfs), "%s/rootfs", b->dir);
	snprintf(b->state, sizeof(b->state), "%s/state", b->dir);
	snprintf(b->id, sizeof(b->id), "hrit-%d-%u", getpid(), counter++);
	sh("mkdir -p %s/bin %s/etc %s/proc %s/sys %s/dev %s/tmp %s/state && chmod 700 %s/state", b->rootfs, b->rootfs,
	   b->rootfs, b->rootfs, b->rootfs, b->rootfs, b->dir, b->dir);
	sh("cp /bin/busybox %s/bin/busybox", b->rootfs);
	for (const char *const *a = applets; *a; a++)
		sh("ln -s busybox %s/bin/%s", b->rootfs, *a);
	ck_assert_msg(probe != NULL, "HR_TEST_PROBE is not set");
	sh("cp %s %s/probe", probe, b->rootfs);
	sh("printf 'root:x:0:0:root:/:/bin/sh\\nnobody:x:65534:65534::/:/bin/sh\\n' > %s/etc/passwd", b->rootfs);
	sh("printf 'root:x:0:\\nnogroup:x:65534:\\n' > %s/etc/group", b->rootfs);
	b->config = json_pack(
		"{s:s, s:{s:b, s:{s:i, s:i}, s:[s], s:[s,s], s:s, s:{s:[s,s,s], s:[s,s,s], s:[s,s,s]}, "
		"s:[{s:s, s:i, s:i}], s:b}, s:{s:s, s:b}, s:s, "
		"s:[{s:s, s:s, s:s}, {s:s, s:s, s:s, s:[s,s,s,s]}, {s:s, s:s, s:s, s:[s,s,s,s,s,s]}, "
		"{s:s, s:s, s:s, s:[s,s,s,s,s]}, {s:s, s:s, s:s, s:[s,s,s,s]}], "
		"s:{s:s, s:[{s:s}, {s:s}, {s:s}, {s:s}, {s:s}], s:[s,s,s,s,s], s:[s,s,s]}}",
		"ociVersion", "1.0.2", "process", "terminal", 0, "user", "uid", 0, "gid", 0, "args", "/probe", "env",
		"PATH=/bin", "TERM=xterm", "cwd", "/", "capabilities", "bounding", "CAP_AUDIT_WRITE", "CAP_KILL",
		"CAP_NET_BIND_SERVICE", "effective", "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE", "permitted",
		"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE", "rlimits", "type", "RLIMIT_NOFILE", "hard", 1024,
		"soft", 1024, "noNewPrivileges", 1, "root", "path", "rootfs", "readonly", 1, "hostname", "hrit",
		"mounts", "destination", "/proc", "type", "proc", "source", "proc", "destination", "/dev", "type",
		"tmpfs", "source", "tmpfs", "options", "nosuid", "strictatime", "mode=755", "size=65536k",
		"destination", "/dev/pts", "type", "devpts", "source", "devpts", "options", "nosuid", "noexec",
		"newinstance", "ptmxmode=0666", "mode=0620", "gid=5", "destination", "/dev/shm", "type", "tmpfs",
		"source", "shm", "options", "nosuid", "noexec", "nodev", "mode=1777", "size=65536k", "destination",
		"/sys", "type", "sysfs", "source", "sysfs", "options", "nosuid", "noexec", "nodev", "ro", "linux",
		"cgroupsPath", "", "namespaces", "type", "pid", "type", "network", "type", "ipc", "type", "uts", "type",
		"mount", "maskedPaths", "/proc/kcore", "/proc/keys", "/proc/timer_list", "/proc/acpi", "/sys/firmware",
		"readonlyPaths", "/proc/sys", "/proc/sysrq-trigger", "/proc/irq");
	ck_assert_ptr_nonnull(b->config);
	{
		char cg[128];

		snprintf(cg, sizeof(cg), "/%s", b->id);
		json_object_set_new(json_object_get(b->config, "linux"), "cgroupsPath", json_string(cg));
	}
	sh("echo %ld %s > %s/.owner", (long)main_pid, b->id, b->dir);
	/* hardrun's policy stays out of mechanism tests: passthrough; other runtimes get no --policy */
	if (hb_is_hardrun()) {
		const char *data = getenv("HR_TEST_DATA");

		ck_assert_msg(data != NULL, "HR_TEST_DATA is not set");
		snprintf(b->policy, sizeof(b->policy), "%s/.policy.json", b->dir);
		sh("install -m 0644 %s/policy/passthrough.json %s", data, b->policy);
	}
}

void hb_set_policy(struct hb *b, const char *text)
{
	hb_write_file(b, ".policy.json", text, 0644);
	snprintf(b->policy, sizeof(b->policy), "%s/.policy.json", b->dir);
}

void hb_set_args(struct hb *b, ...)
{
	json_t *a = json_array();
	va_list ap;
	const char *s;

	va_start(ap, b);
	while ((s = va_arg(ap, const char *)) != NULL)
		json_array_append_new(a, json_string(s));
	va_end(ap);
	json_object_set_new(json_object_get(b->config, "process"), "args", a);
}

void hb_write(struct hb *b)
{
	char p[512];

	snprintf(p, sizeof(p), "%s/config.json", b->dir);
	ck_assert_int_eq(json_dump_file(b->config, p, JSON_INDENT(1)), 0);
}

static char *drain(int fd)
{
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap);
	ssize_t r;

	while ((r = read(fd, buf + n, cap - n - 1)) > 0) {
		n += (size_t)r;
		if (n + 1 >= cap)
			buf = realloc(buf, cap *= 2);
	}
	buf[n] = '\0';
	return buf;
}

struct hb_result hb_runv(struct hb *b, int timeout_s, int fd3, char **args)
{
	struct hb_result res = {.status = -1};
	char *argv[64];
	int out[2], err[2], n = 0, ws;
	char outf[320], errf[320];
	pid_t pid;

	argv[n++] = (char *)hb_runtime();
	/* as a daemon.json runtimeArgs entry: before --root */
	if (hb_is_hardrun() && b->policy[0]) {
		argv[n++] = "--policy";
		argv[n++] = b->policy;
	}
	argv[n++] = "--root";
	argv[n++] = b->state;
	for (char **a = args; *a && n < 62; a++)
		argv[n++] = *a;
	argv[n] = NULL;
	hb_write(b);
	/* files, not pipes: a created container keeps the runtime's stdio open */
	snprintf(outf, sizeof(outf), "%s/.out", b->dir);
	snprintf(errf, sizeof(errf), "%s/.err", b->dir);
	out[1] = open(outf, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	err[1] = open(errf, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		int nul = open("/dev/null", O_RDONLY);

		dup2(nul, 0);
		dup2(out[1], 1);
		dup2(err[1], 2);
		if (fd3 >= 0)
			dup2(fd3, 3);
		if (chdir(b->cwd ? b->cwd : b->dir) < 0)
			_exit(126);
		execv(argv[0], argv);
		_exit(127);
	}
	for (int i = 0; i < timeout_s * 100; i++) {
		struct timespec ts = {0, 10000000};
		pid_t r = waitpid(pid, &ws, WNOHANG);

		if (r == pid) {
			res.status = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
			break;
		}
		nanosleep(&ts, NULL);
	}
	if (res.status == -1) {
		kill(pid, SIGKILL);
		waitpid(pid, &ws, 0);
	}
	close(out[1]);
	close(err[1]);
	out[0] = open(outf, O_RDONLY | O_CLOEXEC);
	err[0] = open(errf, O_RDONLY | O_CLOEXEC);
	res.out = drain(out[0]);
	res.err = drain(err[0]);
	close(out[0]);
	close(err[0]);
	return res;
}

struct hb_result hb_run(struct hb *b, int timeout_s, ...)
{
	char *args[48];
	int n = 0;
	va_list ap;

	va_start(ap, timeout_s);
	while (n < 47 && (args[n] = va_arg(ap, char *)) != NULL)
		n++;
	va_end(ap);
	args[n] = NULL;
	return hb_runv(b, timeout_s, -1, args);
}

void hb_result_free(struct hb_result *r)
{
	free(r->out);
	free(r->err);
	r->out = r->err = NULL;
}

int hb_lines(const char *s)
{
	int n = 0;

	for (; s && *s; s++)
		n += *s == '\n';
	return n;
}

/* Whether a cgroup directory whose name contains id is anywhere in hierarchy dir, down to depth levels. */
static bool cgroup_named(const char *dir, const char *id, int depth, char *found, size_t len)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	bool hit = false;

	while (d && !hit && (e = readdir(d)) != NULL) {
		char p[1024];

		if (e->d_type != DT_DIR || e->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
		if (strstr(e->d_name, id)) {
			snprintf(found, len, "%s", p);
			hit = true;
		} else if (depth > 1) {
			hit = cgroup_named(p, id, depth - 1, found, len);
		}
	}
	if (d)
		closedir(d);
	return hit;
}

/* Temporaries under the state root: NAME.tmp (atomic writes), HASH.PID (filter cache). */
static void assert_no_temporaries(const char *dir, int depth)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	while (d && (e = readdir(d)) != NULL) {
		char p[1024];
		size_t n = strlen(e->d_name);
		const char *dot = strchr(e->d_name, '.');

		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
		ck_assert_msg(!(n > 4 && strcmp(e->d_name + n - 4, ".tmp") == 0), "temporary left behind: %s", p);
		ck_assert_msg(!(dot && dot - e->d_name == 16 && strspn(e->d_name, "0123456789abcdef") == 16),
			      "filter-cache temporary left behind: %s", p);
		ck_assert_msg(strstr(e->d_name, ".hardrun-tmp") == NULL, "temporary left behind: %s", p);
		if (e->d_type == DT_DIR && depth > 1)
			assert_no_temporaries(p, depth - 1);
	}
	if (d)
		closedir(d);
}

int hb_cgroup_v2(void)
{
	struct statfs s;

	return statfs("/sys/fs/cgroup", &s) == 0 && s.f_type == 0x63677270; /* CGROUP2_SUPER_MAGIC */
}

void hb_pids_cgroup(char *buf, size_t n, const char *rel)
{
	snprintf(buf, n, "/sys/fs/cgroup%s%s", hb_cgroup_v2() ? "" : "/pids", rel);
}

/* include/uapi/linux/pidfd.h of Linux 6.15 (as src/runtime/exitwatch.c) */
struct hb_pidfd_info_v0 {
	uint64_t mask;
	uint64_t cgroupid;
	uint32_t pid, tgid, ppid, ruid, rgid, euid, egid, suid, sgid, fsuid, fsgid;
	int32_t exit_code;
};
#define HB_PIDFD_GET_INFO _IOWR(0xFF, 11, struct hb_pidfd_info_v0)

int hb_kernel_exit_info(void)
{
	struct hb_pidfd_info_v0 info = {.mask = 1UL << 3}; /* PIDFD_INFO_EXIT */
	int fd = (int)syscall(SYS_pidfd_open, getpid(), 0), rc, e;

	ck_assert_msg(fd >= 0, "pidfd_open: %s", strerror(errno));
	rc = ioctl(fd, HB_PIDFD_GET_INFO, &info);
	e = errno;
	close(fd);
	if (rc == 0)
		return 1;
	ck_assert_msg(e == ENOTTY || e == EINVAL, "PIDFD_GET_INFO: %s", strerror(e));
	return 0;
}

void hb_assert_no_leak(struct hb *b)
{
	char line[4096], p[512];
	FILE *f = fopen("/proc/self/mountinfo", "re");
	DIR *d;
	struct dirent *e;

	/* no mount of the bundle left in our (the host's) namespace */
	while (f && fgets(line, sizeof(line), f))
		ck_assert_msg(strstr(line, b->dir) == NULL, "mount left behind: %s", line);
	if (f)
		fclose(f);
	/* no cgroup directory named after the container: in the unified (v2)
	 * root itself, and in any v1 hierarchy below it */
	snprintf(p, sizeof(p), "/sys/fs/cgroup/%s", b->id);
	ck_assert_msg(access(p, F_OK) != 0, "cgroup left behind: %s", p);
	d = opendir("/sys/fs/cgroup");
	while (d && (e = readdir(d)) != NULL) {
		char found[1024];

		if (e->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "/sys/fs/cgroup/%s", e->d_name);
		ck_assert_msg(!cgroup_named(p, b->id, 3, found, sizeof(found)), "cgroup left behind: %s", found);
	}
	if (d)
		closedir(d);
	/* no state dir */
	snprintf(p, sizeof(p), "%s/%s", b->state, b->id);
	ck_assert_msg(access(p, F_OK) != 0, "state dir left behind: %s", p);
	/* no id range of the container in the pool */
	snprintf(p, sizeof(p), "%s/.hardrun-idpool.json", b->state);
	f = fopen(p, "re");
	if (f) {
		char quoted[80];

		snprintf(quoted, sizeof(quoted), "\"%s\"", b->id);
		while (fgets(line, sizeof(line), f))
			ck_assert_msg(strstr(line, quoted) == NULL, "id range left behind: %s", line);
		fclose(f);
	}
	/* no temporaries of the state root, the ledger, the filter cache, or a pid file */
	assert_no_temporaries(b->state, 2);
	assert_no_temporaries(b->dir, 1);
	/* no AppArmor profile of the container (when the kernel has AppArmor) */
	f = fopen("/sys/kernel/security/apparmor/profiles", "re");
	if (f) {
		char name[96];

		snprintf(name, sizeof(name), "hardrun-%s ", b->id);
		while (fgets(line, sizeof(line), f))
			ck_assert_msg(strncmp(line, name, strlen(name)) != 0, "AppArmor profile left behind: %s", line);
		fclose(f);
	}
	/* no live process with the bundle as its root or cwd, or in a cgroup of the container */
	for (int attempt = 0;; attempt++) {
		char left[600] = "";

		d = opendir("/proc");
		while (d && (e = readdir(d)) != NULL && !left[0]) {
			char t[512], st[600], *c;
			ssize_t n;
			FILE *sf;
			size_t idlen = strlen(b->id);

			if (e->d_name[0] < '0' || e->d_name[0] > '9')
				continue;
			/* a zombie holds nothing; its reaping is its parent's */
			snprintf(p, sizeof(p), "/proc/%s/stat", e->d_name);
			sf = fopen(p, "re");
			if (!sf)
				continue;
			n = (ssize_t)fread(st, 1, sizeof(st) - 1, sf);
			fclose(sf);
			st[n > 0 ? n : 0] = '\0';
			c = strrchr(st, ')');
			if (!c || c[1] != ' ' || c[2] == 'Z' || c[2] == 'X')
				continue;
			for (int k = 0; k < 2 && !left[0]; k++) {
				snprintf(p, sizeof(p), "/proc/%s/%s", e->d_name, k ? "cwd" : "root");
				n = readlink(p, t, sizeof(t) - 1);
				if (n <= 0)
					continue;
				t[n] = '\0';
				if (strncmp(t, k ? b->dir : b->rootfs, strlen(k ? b->dir : b->rootfs)) == 0)
					snprintf(left, sizeof(left), "process %.16s (%s %.300s)", e->d_name,
						 k ? "cwd" : "root", t);
			}
			snprintf(p, sizeof(p), "/proc/%s/cgroup", e->d_name);
			sf = fopen(p, "re");
			while (sf && !left[0] && fgets(line, sizeof(line), sf)) {
				char *hit = strstr(line, b->id);

				if (hit && (hit[idlen] == '\n' || hit[idlen] == '/' || hit[idlen] == ' ') &&
				    hit[-1] == '/')
					snprintf(left, sizeof(left), "process %.16s in cgroup %.300s", e->d_name, line);
			}
			if (sf)
				fclose(sf);
		}
		if (d)
			closedir(d);
		if (!left[0])
			break;
		/* a SIGKILLed process takes a moment to leave */
		ck_assert_msg(attempt < 100, "%s left behind", left);
		usleep(20000);
	}
}

void hb_finish(struct hb *b)
{
	struct hb_result r = hb_run(b, 20, "delete", "--force", b->id, NULL);

	ck_assert_msg(r.status == 0, "delete --force: %s", r.err);
	hb_result_free(&r);
	hb_assert_no_leak(b);
	sh("rm -rf %s", b->dir);
	json_decref(b->config);
}

void hb_drop_mount(struct hb *b, const char *dest)
{
	json_t *keep = json_array(), *v;
	size_t i;

	json_array_foreach(json_object_get(b->config, "mounts"), i, v)
	{
		if (strcmp(json_string_value(json_object_get(v, "destination")), dest) != 0)
			json_array_append(keep, v);
	}
	json_object_set_new(b->config, "mounts", keep);
}

void hb_userns(struct hb *b)
{
	json_t *lx = json_object_get(b->config, "linux");

	/* like docker's 0711 data dirs: the mapped root must be able to reach its rootfs */
	sh("chmod 0711 %s && chown -R 100000:100000 %s", b->dir, b->rootfs);
	json_array_append_new(json_object_get(lx, "namespaces"), json_pack("{s:s}", "type", "user"));
	json_object_set_new(lx, "uidMappings",
			    json_pack("[{s:i, s:i, s:i}]", "containerID", 0, "hostID", 100000, "size", 65536));
	json_object_set_new(lx, "gidMappings",
			    json_pack("[{s:i, s:i, s:i}]", "containerID", 0, "hostID", 100000, "size", 65536));
	hb_drop_mount(b, "/sys");
}

int hb_listen(struct hb *b, const char *name, char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int ls;

	ck_assert_int_lt(strlen(b->dir) + 1 + strlen(name), sizeof(sa.sun_path));
	memcpy(sa.sun_path, b->dir, strlen(b->dir));
	sa.sun_path[strlen(b->dir)] = '/';
	memcpy(sa.sun_path + strlen(b->dir) + 1, name, strlen(name) + 1);
	ls = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(ls, 0);
	ck_assert_int_eq(bind(ls, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(listen(ls, 1), 0);
	memcpy(path, sa.sun_path, sizeof(sa.sun_path));
	return ls;
}

int hb_recv_fd(int listening)
{
	int conn = accept(listening, NULL, NULL), fd = -1;
	char data[256];
	struct iovec iov = {data, sizeof(data)};
	union {
		char c[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.c, .msg_controllen = sizeof(u.c)};

	if (conn < 0)
		return -1;
	if (recvmsg(conn, &mh, 0) > 0)
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
			if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
				memcpy(&fd, CMSG_DATA(c), sizeof(int));
	close(conn);
	return fd;
}

int hb_main(const char *name, int timeout_s, const TTest *const *tests)
{
	Suite *s = suite_create(name);
	TCase *tc = tcase_create(name);
	SRunner *sr;
	int failed;

	hb_require_root();
	tcase_set_timeout(tc, timeout_s);
	for (; *tests; tests++)
		tcase_add_test(tc, *tests);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
