/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Black-box lifecycle tests against real containers: exit codes and
 * signals, process fields, create/start/state/kill/delete, list, hooks,
 * what the container sees of its mounts, capabilities and cgroup limits.
 * Every test ends with hb_finish(): delete --force and a leak check.
 */
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bundle.h"

#define RUN(b, ...) hb_run(b, 30, __VA_ARGS__, NULL)

static struct hb_result run_probe(struct hb *b)
{
	return RUN(b, "run", "--bundle", b->dir, b->id);
}

START_TEST(exit_codes)
{
	static const char *const codes[] = {"0", "1", "42"};

	for (size_t i = 0; i < 3; i++) {
		struct hb b;
		struct hb_result r;

		hb_new(&b);
		hb_set_args(&b, "/probe", "exit", codes[i], NULL);
		r = run_probe(&b);
		ck_assert_msg(r.status == atoi(codes[i]), "exit %s gave %d: %s", codes[i], r.status, r.err);
		hb_result_free(&r);
		hb_finish(&b);
	}
}
END_TEST

START_TEST(signal_deaths)
{
	/* pid 1 of a pid namespace cannot kill itself: signal it from outside, as docker stop does */
	static const char *const sigs[] = {"9", "15", "10"};

	for (size_t i = 0; i < 3; i++) {
		struct hb b;
		struct hb_result r;
		pid_t pid;
		int ws;

		hb_new(&b);
		hb_set_args(&b, "/probe", "sleep", "60", NULL);
		/* the init of a pid namespace ignores signals it has no handler for, except KILL/STOP */
		if (strcmp(sigs[i], "9") != 0)
			json_object_set_new(json_object_get(b.config, "linux"), "namespaces",
					    json_pack("[{s:s}, {s:s}, {s:s}, {s:s}]", "type", "network", "type", "ipc",
						      "type", "uts", "type", "mount"));
		hb_write(&b);
		pid = fork();
		ck_assert_int_ge(pid, 0);
		if (pid == 0) {
			r = run_probe(&b);
			_exit(r.status < 0 ? 255 : r.status);
		}
		/* up to 30 s: a create under TCG on a loaded host takes seconds (the VM stage) */
		bool running = false;

		for (int k = 0; k < 1500 && !running; k++) {
			r = RUN(&b, "state", b.id);
			running = strstr(r.out, "\"running\"") != NULL;
			hb_result_free(&r);
			if (!running)
				usleep(20000);
		}
		ck_assert_msg(running, "signal %s: the container never reached running", sigs[i]);
		r = RUN(&b, "kill", b.id, sigs[i]);
		ck_assert_msg(r.status == 0, "kill: %s", r.err);
		hb_result_free(&r);
		ck_assert_int_eq(waitpid(pid, &ws, 0), pid);
		ck_assert_int_eq(WEXITSTATUS(ws), 128 + atoi(sigs[i]));
		hb_finish(&b);
	}
}
END_TEST

START_TEST(process_fields)
{
	struct hb b;
	struct hb_result r;
	json_t *p;

	hb_new(&b);
	p = json_object_get(b.config, "process");
	json_object_set_new(p, "env", json_pack("[s,s]", "PATH=/bin", "GREETING=hello world"));
	json_object_set_new(p, "cwd", json_string("/tmp"));
	json_object_set_new(p, "user",
			    json_pack("{s:i, s:i, s:[i,i], s:i}", "uid", 1000, "gid", 1001, "additionalGids", 10, 20,
				      "umask", 027));
	hb_set_args(&b, "/bin/sh", "-c", "/probe ids; /probe cwd; /probe hostname; /probe umask", NULL);
	r = run_probe(&b);
	ck_assert_msg(r.status == 0, "%s", r.err);
	ck_assert_str_eq(r.out, "uid=1000 gid=1001 euid=1000 egid=1001 groups=10,20\n/tmp\nhrit\n0027\n");
	hb_result_free(&r);
	hb_finish(&b);

	/* the probe as the init itself: exact environment, pid 1 */
	hb_new(&b);
	json_object_set_new(json_object_get(b.config, "process"), "env",
			    json_pack("[s,s]", "PATH=/bin", "GREETING=hello world"));
	hb_set_args(&b, "/probe", "env", NULL);
	r = run_probe(&b);
	ck_assert_str_eq(r.out, "PATH=/bin\nGREETING=hello world\nHOME=/\n");
	hb_result_free(&r);
	hb_set_args(&b, "/probe", "pid", NULL);
	r = run_probe(&b);
	ck_assert_str_eq(r.out, "1\n");
	hb_result_free(&r);
	hb_finish(&b);
}
END_TEST

START_TEST(capabilities_and_nnp)
{
	struct hb b;
	struct hb_result r;

	hb_new(&b);
	hb_set_args(&b, "/probe", "caps", NULL);
	r = run_probe(&b);
	ck_assert_msg(r.status == 0, "%s", r.err);
	/* AUDIT_WRITE|KILL|NET_BIND_SERVICE, nothing inheritable or ambient (CVE-2022-29162) */
	ck_assert_str_eq(r.out, "CapInh:\t0000000000000000\nCapPrm:\t0000000020000420\nCapEff:\t0000000020000420\n"
				"CapBnd:\t0000000020000420\nCapAmb:\t0000000000000000\nNoNewPrivs:\t1\nSeccomp:\t0\n");
	hb_result_free(&r);
	hb_finish(&b);
}
END_TEST

START_TEST(lifecycle_states)
{
	struct hb b;
	struct hb_result r;
	char pidfile[400], buf[32] = {0};
	FILE *f;

	hb_new(&b);
	hb_set_args(&b, "/probe", "sleep", "60", NULL);
	snprintf(pidfile, sizeof(pidfile), "%s/init.pid", b.dir);
	r = RUN(&b, "create", "--bundle", b.dir, "--pid-file", pidfile, b.id);
	ck_assert_msg(r.status == 0, "create: %s", r.err);
	hb_result_free(&r);
	f = fopen(pidfile, "re");
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(fgets(buf, sizeof(buf), f));
	fclose(f);
	ck_assert_int_gt(atoi(buf), 1);

	r = RUN(&b, "state", b.id);
	ck_assert_int_eq(r.status, 0);
	ck_assert_ptr_nonnull(strstr(r.out, "\"status\": \"created\""));
	hb_result_free(&r);

	r = RUN(&b, "list", "-q");
	ck_assert_int_eq(r.status, 0);
	ck_assert_ptr_nonnull(strstr(r.out, b.id));
	hb_result_free(&r);

	r = RUN(&b, "start", b.id);
	ck_assert_msg(r.status == 0, "start: %s", r.err);
	hb_result_free(&r);
	r = RUN(&b, "state", b.id);
	ck_assert_ptr_nonnull(strstr(r.out, "\"status\": \"running\""));
	hb_result_free(&r);

	/* start twice is an error */
	r = RUN(&b, "start", b.id);
	ck_assert_int_eq(r.status, 1);
	hb_result_free(&r);

	r = RUN(&b, "list", "--format", "json");
	ck_assert_ptr_nonnull(strstr(r.out, "\"status\":\"running\""));
	hb_result_free(&r);

	r = RUN(&b, "kill", b.id, "KILL");
	ck_assert_int_eq(r.status, 0);
	hb_result_free(&r);
	for (int i = 0; i < 100; i++) {
		r = RUN(&b, "state", b.id);
		if (strstr(r.out, "\"status\": \"stopped\"")) {
			hb_result_free(&r);
			break;
		}
		hb_result_free(&r);
		usleep(20000);
	}
	r = RUN(&b, "state", b.id);
	ck_assert_ptr_nonnull(strstr(r.out, "\"status\": \"stopped\""));
	hb_result_free(&r);

	r = RUN(&b, "delete", b.id);
	ck_assert_msg(r.status == 0, "delete: %s", r.err);
	hb_result_free(&r);
	r = RUN(&b, "state", b.id);
	ck_assert_int_eq(r.status, 1);
	hb_result_free(&r);
	/* --force on a container that is gone is success, twice */
	r = RUN(&b, "delete", "--force", b.id);
	ck_assert_int_eq(r.status, 0);
	hb_result_free(&r);
	hb_finish(&b);
}
END_TEST

START_TEST(kill_all_and_force_delete)
{
	struct hb b;
	struct hb_result r;

	hb_new(&b);
	hb_set_args(&b, "/probe", "ignore-term", "60", NULL);
	r = RUN(&b, "run", "--detach", "--bundle", b.dir, b.id);
	ck_assert_msg(r.status == 0, "run -d: %s", r.err);
	hb_result_free(&r);
	r = RUN(&b, "kill", "--all", b.id, "9");
	ck_assert_int_eq(r.status, 0);
	hb_result_free(&r);
	/* a running container refuses a plain delete but not --force */
	hb_finish(&b);
}
END_TEST

START_TEST(hooks_in_order)
{
	struct hb b;
	struct hb_result r;
	static const char *const kinds[] = {"prestart",	      "createRuntime", "createContainer",
					    "startContainer", "poststart",     "poststop"};
	json_t *hooks = json_object();
	char log[400], script[600], want[512];
	FILE *f;
	char got[512] = {0};

	hb_new(&b);
	snprintf(log, sizeof(log), "%s/hooks.log", b.dir);
	/* container-namespace hooks write inside the rootfs; runtime-namespace ones into the bundle */
	snprintf(script, sizeof(script),
		 "#!/bin/sh\nread -r state\ncase \"$state\" in *'\"%s\"'*) ;; *) echo bad-state >> \"$2\";; esac\n"
		 "echo \"$1\" >> \"$2\"\n",
		 b.id);
	hb_write_file(&b, "hook.sh", script, 0755);
	snprintf(script, sizeof(script), "%s/rootfs/hook.sh", b.dir);
	f = fopen(script, "we");
	fprintf(f, "#!/bin/sh\nread -r state\necho \"$1\" >> /tmp/hooks.log\n");
	fclose(f);
	chmod(script, 0755);
	for (int i = 0; i < 6; i++) {
		char path[400];
		bool in_container = i == 2 || i == 3;

		if (in_container && i == 2)
			/* createContainer runs before pivot_root: the host path works */
			snprintf(path, sizeof(path), "%s/hook.sh", b.dir);
		else if (in_container)
			snprintf(path, sizeof(path), "/hook.sh");
		else
			snprintf(path, sizeof(path), "%s/hook.sh", b.dir);
		json_object_set_new(hooks, kinds[i],
				    json_pack("[{s:s, s:[s,s,s]}]", "path", path, "args", "hook", kinds[i],
					      i == 3 ? "/tmp/hooks.log" : log));
	}
	json_object_set_new(b.config, "hooks", hooks);
	json_object_set_new(json_object_get(b.config, "root"), "readonly", json_false());
	hb_set_args(&b, "/bin/sh", "-c", "cat /tmp/hooks.log", NULL);
	r = run_probe(&b);
	ck_assert_msg(r.status == 0, "%s", r.err);
	ck_assert_str_eq(r.out, "startContainer\n");
	hb_result_free(&r);
	f = fopen(log, "re");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_gt(fread(got, 1, sizeof(got) - 1, f), 0);
	fclose(f);
	snprintf(want, sizeof(want), "prestart\ncreateRuntime\ncreateContainer\npoststart\npoststop\n");
	ck_assert_str_eq(got, want);
	hb_finish(&b);
}
END_TEST

START_TEST(failing_hook_timeout)
{
	struct hb b;
	struct hb_result r;
	char path[400];

	hb_new(&b);
	hb_write_file(&b, "slow.sh", "#!/bin/sh\nsleep 30\n", 0755);
	snprintf(path, sizeof(path), "%s/slow.sh", b.dir);
	json_object_set_new(b.config, "hooks",
			    json_pack("{s:[{s:s, s:i}]}", "createRuntime", "path", path, "timeout", 1));
	r = run_probe(&b);
	ck_assert_int_eq(r.status, 1);
	if (hb_is_hardrun()) {
		ck_assert_int_eq(hb_lines(r.err), 1);
		ck_assert_ptr_nonnull(strstr(r.err, "timed out after 1 s"));
	}
	hb_result_free(&r);
	hb_finish(&b);
}
END_TEST

START_TEST(mounts_seen_inside)
{
	struct hb b;
	struct hb_result r;

	hb_new(&b);
	json_array_append_new(json_object_get(b.config, "mounts"),
			      json_pack("{s:s, s:s, s:s, s:[s,s]}", "destination", "/data", "type", "bind", "source",
					b.dir, "options", "rbind", "ro"));
	json_array_append_new(json_object_get(b.config, "mounts"),
			      json_pack("{s:s, s:s, s:s, s:[s,s,s]}", "destination", "/scratch", "type", "tmpfs",
					"source", "tmpfs", "options", "nosuid", "nodev", "size=1m"));
	hb_set_args(
		&b, "/bin/sh", "-c",
		"/probe write /x; /probe write /data/x; /probe write /scratch/x; /probe write "
		"/proc/sys/kernel/hostname; "
		"/probe stat /dev/null; /probe stat /dev/zero; /probe stat /dev/full; /probe stat /dev/random; "
		"/probe stat /dev/urandom; /probe stat /dev/tty; /probe stat /proc/timer_list; /probe stat /proc/acpi; "
		"/probe read /proc/timer_list; ls /proc/acpi | wc -l",
		NULL);
	r = run_probe(&b);
	ck_assert_msg(r.status == 0, "%s", r.err);
	ck_assert_str_eq(r.out, "EROFS\nEROFS\nok\nEROFS\nchar 1:3\nchar 1:5\nchar 1:7\nchar 1:8\nchar 1:9\nchar 5:0\n"
				"char 1:3\ndir\n0 bytes\n0\n");
	hb_result_free(&r);
	hb_finish(&b);
}
END_TEST

START_TEST(cgroup_limits)
{
	struct hb b;
	struct hb_result r;

	hb_new(&b);
	json_object_set_new(json_object_get(b.config, "linux"), "resources",
			    json_pack("{s:{s:i, s:i}, s:{s:i}, s:{s:i}}", "memory", "limit", 33554432, "swap", 33554432,
				      "pids", "limit", 10, "cpu", "shares", 256));
	json_array_append_new(json_object_get(b.config, "mounts"),
			      json_pack("{s:s, s:s, s:s, s:[s,s,s,s]}", "destination", "/sys/fs/cgroup", "type",
					"cgroup", "source", "cgroup", "options", "nosuid", "noexec", "nodev", "ro"));
	/* v2: the container's own cgroup is the mount's root; cpu.shares 256 is cpu.weight 10 (runc's mapping) */
	if (hb_cgroup_v2())
		hb_set_args(&b, "/bin/sh", "-c",
			    "cat /sys/fs/cgroup/memory.max /sys/fs/cgroup/pids.max /sys/fs/cgroup/cpu.weight; "
			    "/probe write /sys/fs/cgroup/x; /probe forkbomb 50",
			    NULL);
	else
		hb_set_args(&b, "/bin/sh", "-c",
			    "cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/pids/pids.max "
			    "/sys/fs/cgroup/cpu/cpu.shares; /probe write /sys/fs/cgroup/pids/x; /probe forkbomb 50",
			    NULL);
	r = run_probe(&b);
	ck_assert_msg(r.status == 0 || r.status == 137, "%s", r.err);
	{
		const char *pfx =
			hb_cgroup_v2() ? "33554432\n10\n10\nEROFS\nforked " : "33554432\n10\n256\nEROFS\nforked ";

		ck_assert_msg(strncmp(r.out, pfx, strlen(pfx)) == 0, "got: %s", r.out);
		/* busybox sh execs its last command: the probe and its 9 children fill pids.max=10 */
		ck_assert_int_eq(atoi(r.out + strlen(pfx)), 9);
	}
	hb_result_free(&r);
	hb_finish(&b);

	/* past the memory limit the workload is OOM-killed */
	hb_new(&b);
	json_object_set_new(json_object_get(b.config, "linux"), "resources",
			    json_pack("{s:{s:i, s:i}}", "memory", "limit", 33554432, "swap", 33554432));
	hb_set_args(&b, "/probe", "alloc", "128", NULL);
	r = run_probe(&b);
	ck_assert_int_eq(r.status, 137);
	hb_result_free(&r);
	hb_finish(&b);
}
END_TEST

/*
 * A cgroup left behind by an earlier container at the same path: its
 * deny-all device list must not break the next container's /dev, and a
 * cgroup that still has processes is not taken over (hardrun refuses).
 */
START_TEST(reused_cgroup)
{
	struct hb b;
	struct hb_result r;
	char cmd[600];
	pid_t squatter;

	hb_new(&b);
	/* v2 has no devices files (a device list is a BPF program of the cgroup): the left directory alone */
	if (hb_cgroup_v2())
		snprintf(cmd, sizeof(cmd), "mkdir -p /sys/fs/cgroup/%s", b.id);
	else
		snprintf(cmd, sizeof(cmd),
			 "mkdir -p /sys/fs/cgroup/devices/%s && echo a > /sys/fs/cgroup/devices/%s/devices.deny", b.id,
			 b.id);
	ck_assert_int_eq(system(cmd), 0);
	hb_set_args(&b, "/probe", "stat", "/dev/null", NULL);
	r = run_probe(&b);
	ck_assert_msg(r.status == 0, "%s", r.err);
	ck_assert_str_eq(r.out, "char 1:3\n");
	hb_result_free(&r);
	hb_finish(&b);

	hb_new(&b);
	squatter = fork();
	ck_assert_int_ge(squatter, 0);
	if (squatter == 0) {
		pause();
		_exit(0);
	}
	{
		char rel[200], dir[256];

		snprintf(rel, sizeof(rel), "/%s", b.id);
		hb_pids_cgroup(dir, sizeof(dir), rel);
		snprintf(cmd, sizeof(cmd), "mkdir -p %s && echo %d > %s/cgroup.procs", dir, (int)squatter, dir);
	}
	ck_assert_int_eq(system(cmd), 0);
	r = run_probe(&b);
	if (hb_is_hardrun()) {
		ck_assert_int_eq(r.status, 1);
		ck_assert_msg(hb_lines(r.err) == 1 && strstr(r.err, "is not empty: 1 process(es)") != NULL, "%s",
			      r.err);
	}
	hb_result_free(&r);
	kill(squatter, SIGKILL);
	waitpid(squatter, NULL, 0);
	/* the squatter's cgroup was not hardrun's to remove */
	{
		char rel[300];

		snprintf(rel, sizeof(rel), "/%s", b.id);
		hb_pids_cgroup(cmd, sizeof(cmd), rel);
	}
	if (hb_is_hardrun())
		ck_assert_int_eq(access(cmd, F_OK), 0);
	rmdir(cmd);
	hb_finish(&b);
}
END_TEST

START_TEST(run_forwards_signals)
{
	struct hb b;
	struct hb_result r;
	pid_t pid;
	int ws;
	char runner[400];

	hb_new(&b);
	hb_set_args(&b, "/probe", "wait-term", NULL);
	hb_write(&b);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		r = RUN(&b, "run", "--bundle", b.dir, b.id);
		_exit(r.status < 0 ? 255 : r.status);
	}
	/* wait for the container (30 s: TCG), then signal the runtime process itself, as a shell or systemd would */
	for (int k = 0; k < 1500; k++) {
		r = RUN(&b, "state", b.id);
		if (strstr(r.out, "\"running\"")) {
			hb_result_free(&r);
			break;
		}
		hb_result_free(&r);
		usleep(20000);
	}
	usleep(100000);
	snprintf(runner, sizeof(runner), "pkill -TERM -f -- '[r]un --bundle %s'", b.dir);
	ck_assert_int_eq(system(runner), 0);
	ck_assert_int_eq(waitpid(pid, &ws, 0), pid);
	ck_assert_int_eq(WEXITSTATUS(ws), 42);
	hb_finish(&b);
}
END_TEST

START_TEST(sysctl_rlimits_devices)
{
	struct hb b;
	struct hb_result r;
	json_t *lx;

	hb_new(&b);
	lx = json_object_get(b.config, "linux");
	json_object_set_new(lx, "sysctl", json_pack("{s:s, s:s}", "net.ipv4.ip_forward", "1", "kernel.shmmni", "1234"));
	json_object_set_new(lx, "devices",
			    json_pack("[{s:s, s:s, s:i, s:i, s:i}]", "path", "/dev/myfull", "type", "c", "major", 1,
				      "minor", 7, "fileMode", 0600));
	json_object_set_new(json_object_get(b.config, "process"), "rlimits",
			    json_pack("[{s:s, s:i, s:i}]", "type", "RLIMIT_NOFILE", "soft", 512, "hard", 2048));
	hb_set_args(&b, "/bin/sh", "-c",
		    "cat /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/shmmni; /probe stat /dev/myfull; "
		    "stat -c %a /dev/myfull; /probe rlimit-nofile; /probe stat /dev/ptmx; readlink /dev/ptmx",
		    NULL);
	r = RUN(&b, "run", "--bundle", b.dir, b.id);
	ck_assert_msg(r.status == 0, "%s", r.err);
	ck_assert_str_eq(r.out, "1\n1234\nchar 1:7\n600\n512 2048\nlink\npts/ptmx\n");
	hb_result_free(&r);
	hb_finish(&b);
	/* the host's values are untouched */
	{
		FILE *f = fopen("/proc/sys/kernel/shmmni", "re");
		long v = 0;

		ck_assert_int_eq(fscanf(f, "%ld", &v), 1);
		fclose(f);
		ck_assert_int_ne(v, 1234);
	}
}
END_TEST

START_TEST(no_pivot_and_preserve_fds)
{
	struct hb b;
	struct hb_result r;
	int sp[2];
	char *args[] = {"run", "--no-pivot", "--preserve-fds", "1", "--bundle", NULL, NULL, NULL};

	hb_new(&b);
	hb_set_args(&b, "/bin/sh", "-c", "/probe fds; /probe stat /probe", NULL);
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sp), 0);
	args[5] = b.dir;
	args[6] = b.id;
	r = hb_runv(&b, 30, sp[0], args);
	ck_assert_msg(r.status == 0, "%s", r.err);
	/* fd 3 was asked for: it reaches the workload as a socket */
	ck_assert_msg(strstr(r.out, "\n3 socket:") != NULL, "fds: %s", r.out);
	ck_assert_ptr_nonnull(strstr(r.out, "file\n"));
	hb_result_free(&r);
	close(sp[0]);
	close(sp[1]);
	hb_finish(&b);
}
END_TEST

/* runc's console protocol: the pty master arrives over --console-socket; the workload's stdio is the pty */
START_TEST(console_socket)
{
	struct hb b;
	struct hb_result r;
	char sock[108];
	int ls, master = -1;
	char buf[512] = {0};
	size_t got = 0;

	hb_new(&b);
	json_object_set_new(json_object_get(b.config, "process"), "terminal", json_true());
	json_object_set_new(json_object_get(b.config, "process"), "consoleSize",
			    json_pack("{s:i, s:i}", "height", 33, "width", 101));
	hb_set_args(&b, "/bin/sh", "-c", "stty size; /probe stat /dev/console; tty", NULL);
	ls = hb_listen(&b, "console.sock", sock);
	r = RUN(&b, "create", "--bundle", b.dir, "--console-socket", sock, b.id);
	ck_assert_msg(r.status == 0, "%s", r.err);
	hb_result_free(&r);
	master = hb_recv_fd(ls);
	ck_assert_int_ge(master, 0);
	r = RUN(&b, "start", b.id);
	ck_assert_msg(r.status == 0, "%s", r.err);
	hb_result_free(&r);
	for (int i = 0; i < 200 && !strstr(buf, "/dev/pts/0"); i++) {
		ssize_t n = read(master, buf + got, sizeof(buf) - got - 1);

		if (n <= 0)
			break;
		got += (size_t)n;
	}
	ck_assert_msg(strstr(buf, "33 101") != NULL, "pty output: %s", buf);
	ck_assert_msg(strstr(buf, "char 136:0") != NULL, "pty output: %s", buf);
	ck_assert_msg(strstr(buf, "/dev/pts/0") != NULL, "pty output: %s", buf);
	close(master);
	close(ls);
	hb_finish(&b);
}
END_TEST

/* `run` with a terminal and no --console-socket: the runtime itself relays the pty (runc's foreground mode) */
START_TEST(run_with_terminal_in_foreground)
{
	struct hb b;
	struct hb_result r;

	hb_new(&b);
	json_object_set_new(json_object_get(b.config, "process"), "terminal", json_true());
	json_object_set_new(json_object_get(b.config, "process"), "consoleSize",
			    json_pack("{s:i, s:i}", "height", 24, "width", 80));
	hb_set_args(&b, "/bin/sh", "-c", "tty; stty size; /probe stat /dev/console; exit 3", NULL);
	r = hb_run(&b, 30, "run", "--bundle", b.dir, b.id, NULL);
	ck_assert_msg(r.status == 3, "status %d: %s", r.status, r.err);
	ck_assert_str_eq(r.out, "/dev/pts/0\r\n24 80\r\nchar 136:0\r\n");
	hb_result_free(&r);
	/* detached, nobody could take the terminal: refused before anything is built */
	r = hb_run(&b, 30, "run", "--detach", "--bundle", b.dir, b.id, NULL);
	ck_assert_int_ne(r.status, 0);
	if (hb_is_hardrun())
		ck_assert_msg(r.status == 1 && hb_lines(r.err) == 1 && strstr(r.err, "--console-socket is required"),
			      "%s", r.err);
	hb_result_free(&r);
	hb_finish(&b);
}
END_TEST

/*
 * podman --cgroups=disabled passes crun's --cgroup-manager disabled: no
 * cgroup of the container's own, limits refused, and device rules only
 * where the container cannot make device nodes.
 */
START_TEST(cgroup_manager_disabled)
{
	struct hb b;
	struct hb_result r;

	if (!hb_is_hardrun())
		return; /* crun's flag: runc has no such option */
	hb_new(&b);
	json_object_set_new(json_object_get(b.config, "linux"), "resources",
			    json_pack("{s:[{s:b, s:s}]}", "devices", "allow", 0, "access", "rwm"));
	{
		/* the cgroup leaf would be named after the container */
		char cmd[200];

		snprintf(cmd, sizeof(cmd), "grep -c '%s' /proc/self/cgroup; cat /dev/null && echo null ok", b.id);
		hb_set_args(&b, "/bin/sh", "-c", cmd, NULL);
	}
	r = hb_run(&b, 30, "--cgroup-manager", "disabled", "run", "--bundle", b.dir, b.id, NULL);
	ck_assert_msg(r.status == 0, "status %d: %s", r.status, r.err);
	ck_assert_str_eq(r.out, "0\nnull ok\n");
	hb_result_free(&r);
	hb_finish(&b);

	hb_new(&b);
	json_object_set_new(json_object_get(b.config, "linux"), "resources",
			    json_pack("{s:{s:i}}", "pids", "limit", 10));
	r = hb_run(&b, 30, "--cgroup-manager", "disabled", "create", "--bundle", b.dir, b.id, NULL);
	ck_assert_int_eq(r.status, 1);
	ck_assert_msg(hb_lines(r.err) == 1 && strstr(r.err, "config.json: linux.resources.pids: cannot be applied with "
							    "--cgroup-manager disabled"),
		      "%s", r.err);
	hb_result_free(&r);
	hb_finish(&b);

	hb_new(&b);
	json_object_set_new(json_object_get(b.config, "linux"), "resources",
			    json_pack("{s:[{s:b, s:s}]}", "devices", "allow", 0, "access", "rwm"));
	json_array_append_new(
		json_object_get(json_object_get(json_object_get(b.config, "process"), "capabilities"), "bounding"),
		json_string("CAP_MKNOD"));
	r = hb_run(&b, 30, "--cgroup-manager", "disabled", "create", "--bundle", b.dir, b.id, NULL);
	ck_assert_int_eq(r.status, 1);
	ck_assert_msg(hb_lines(r.err) == 1 && strstr(r.err, "linux.resources.devices: cannot be enforced with "
							    "--cgroup-manager disabled while CAP_MKNOD is in "
							    "the bounding set"),
		      "%s", r.err);
	hb_result_free(&r);
	hb_finish(&b);

	hb_new(&b);
	r = hb_run(&b, 30, "--cgroup-manager", "nonesuch", "list", NULL);
	ck_assert_int_eq(r.status, 1);
	ck_assert_msg(strstr(r.err, "--cgroup-manager: unknown manager `nonesuch`"), "%s", r.err);
	hb_result_free(&r);
	hb_finish(&b);
}
END_TEST

static char *slurp(const char *path)
{
	static char buf[4096];
	FILE *f = fopen(path, "re");
	size_t n = 0;

	buf[0] = '\0';
	if (f) {
		n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
	}
	buf[n] = '\0';
	return buf;
}

/*
 * The state each hook reads on stdin: created for the create-time hooks,
 * running for poststart, which comes after the workload's execve (its
 * /proc/PID/exe is the workload, no longer the runtime)
 */
START_TEST(hook_states_and_poststart_after_exec)
{
	struct hb b;
	struct hb_result r;
	char path[400], log[400];

	hb_new(&b);
	snprintf(log, sizeof(log), "%s/states.log", b.dir);
	hb_write_file(&b, "state.sh",
		      "#!/bin/sh\nread -r state\n"
		      "status=$(echo \"$state\" | sed 's/.*\"status\":\"\\([a-z]*\\)\".*/\\1/')\n"
		      "pid=$(echo \"$state\" | sed 's/.*\"pid\":\\([0-9]*\\).*/\\1/')\n"
		      "echo \"$1 $status $(readlink /proc/$pid/exe)\" >> \"$2\"\n",
		      0755);
	snprintf(path, sizeof(path), "%s/state.sh", b.dir);
	json_object_set_new(b.config, "hooks",
			    json_pack("{s:[{s:s, s:[s,s,s]}], s:[{s:s, s:[s,s,s]}], s:[{s:s, s:[s,s,s]}]}", "prestart",
				      "path", path, "args", "h", "prestart", log, "createRuntime", "path", path, "args",
				      "h", "createRuntime", log, "poststart", "path", path, "args", "h", "poststart",
				      log));
	hb_set_args(&b, "/probe", "sleep", "30", NULL);
	r = RUN(&b, "create", "--bundle", b.dir, b.id);
	ck_assert_msg(r.status == 0, "create: %s", r.err);
	hb_result_free(&r);
	r = RUN(&b, "start", b.id);
	ck_assert_msg(r.status == 0, "start: %s", r.err);
	hb_result_free(&r);
	/* poststart sees the workload (its path in the container's mount namespace), not the runtime's init */
	ck_assert_msg(strstr(slurp(log), "\npoststart running /probe\n"), "%s", slurp(log));
	ck_assert_msg(strncmp(slurp(log), "prestart created ", 17) == 0, "%s", slurp(log));
	ck_assert_msg(strstr(slurp(log), "\ncreateRuntime created "), "%s", slurp(log));
	hb_finish(&b);
}
END_TEST

/*
 * runtime-spec 1.2: a failing poststart or poststop hook is a warning, the
 * remaining hooks run and the lifecycle goes on; a config of 1.3 or later
 * gets 1.3's rule for poststart: start fails and the container is stopped
 */
START_TEST(failing_poststart_and_poststop_hooks)
{
	struct hb b;
	struct hb_result r;
	char log[400], echo[500], fail[400];

	for (int v13 = 0; v13 < 2; v13++) {
		hb_new(&b);
		snprintf(log, sizeof(log), "%s/hooks.log", b.dir);
		snprintf(echo, sizeof(echo), "echo \"$0\" >> %s", log);
		hb_write_file(&b, "fail.sh", "#!/bin/sh\nexit 3\n", 0755);
		snprintf(fail, sizeof(fail), "%s/fail.sh", b.dir);
		json_object_set_new(b.config, "hooks",
				    json_pack("{s:[{s:s}, {s:s, s:[s,s,s,s]}], s:[{s:s}, {s:s, s:[s,s,s,s]}]}",
					      "poststart", "path", fail, "path", "/bin/sh", "args", "sh", "-c", echo,
					      "poststart", "poststop", "path", fail, "path", "/bin/sh", "args", "sh",
					      "-c", echo, "poststop"));
		if (v13)
			json_object_set_new(b.config, "ociVersion", json_string("1.3.0"));
		hb_set_args(&b, "/probe", "sleep", "30", NULL);
		r = RUN(&b, "create", "--bundle", b.dir, b.id);
		ck_assert_msg(r.status == 0, "create: %s", r.err);
		hb_result_free(&r);
		r = RUN(&b, "start", b.id);
		if (!v13) {
			ck_assert_msg(r.status == 0, "start: %s", r.err);
			if (hb_is_hardrun())
				ck_assert_msg(strstr(r.err, "hardrun: warning: poststart hook 0: run hook `") &&
						      strstr(r.err, "fail.sh`: exit status 3\n") &&
						      hb_lines(r.err) == 1,
					      "%s", r.err);
			ck_assert_str_eq(slurp(log), "poststart\n");
			hb_result_free(&r);
			r = RUN(&b, "state", b.id);
			ck_assert_ptr_nonnull(strstr(r.out, "\"status\": \"running\""));
			hb_result_free(&r);
			r = RUN(&b, "delete", "--force", b.id);
			ck_assert_msg(r.status == 0, "delete: %s", r.err);
			if (hb_is_hardrun())
				ck_assert_msg(strstr(r.err, "hardrun: warning: poststop hook 0: run hook `") &&
						      hb_lines(r.err) == 1,
					      "%s", r.err);
			ck_assert_str_eq(slurp(log), "poststart\npoststop\n");
		} else if (hb_is_hardrun()) {
			ck_assert_int_eq(r.status, 1);
			ck_assert_int_eq(hb_lines(r.err), 1);
			ck_assert_msg(strstr(r.err, "poststart hook 0: run hook `") &&
					      strstr(r.err, "fail.sh`: exit status 3\n"),
				      "%s", r.err);
			/* the second hook never ran, and the container is stopped */
			ck_assert_str_eq(slurp(log), "");
			hb_result_free(&r);
			for (int i = 0; i < 100; i++) {
				r = RUN(&b, "state", b.id);
				if (strstr(r.out, "\"status\": \"stopped\""))
					break;
				hb_result_free(&r);
				usleep(20000);
			}
			ck_assert_ptr_nonnull(strstr(r.out, "\"status\": \"stopped\""));
		}
		hb_result_free(&r);
		hb_finish(&b);
	}
}
END_TEST

/* runtime-spec lifecycle step 2: "Any updates to config.json after this step MUST NOT affect the container" */
START_TEST(config_updates_after_create)
{
	struct hb b;
	struct hb_result r;
	char path[400];
	FILE *f;

	hb_new(&b);
	json_object_set_new(b.config, "hostname", json_string("before"));
	hb_set_args(&b, "/bin/sh", "-c", "/probe hostname > /tmp/h; cat /tmp/h", NULL);
	json_object_set_new(json_object_get(b.config, "root"), "readonly", json_false());
	r = RUN(&b, "create", "--bundle", b.dir, b.id);
	ck_assert_msg(r.status == 0, "create: %s", r.err);
	hb_result_free(&r);
	snprintf(path, sizeof(path), "%s/config.json", b.dir);
	f = fopen(path, "we");
	ck_assert_ptr_nonnull(f);
	fputs("{\"ociVersion\": \"1.0.0\"}\n", f);
	fclose(f);
	r = RUN(&b, "start", b.id);
	ck_assert_msg(r.status == 0, "start: %s", r.err);
	hb_result_free(&r);
	snprintf(path, sizeof(path), "%s/tmp/h", b.rootfs);
	for (int i = 0; i < 250 && strcmp(slurp(path), "before\n") != 0; i++)
		usleep(20000);
	ck_assert_str_eq(slurp(path), "before\n");
	r = RUN(&b, "state", b.id);
	ck_assert_msg(r.status == 0, "state: %s", r.err);
	hb_result_free(&r);
	hb_finish(&b);
}
END_TEST

/*
 * A hook that exits without reading its state (false): the runtime's write
 * fails, it is not killed by SIGPIPE.  Whether the hook is gone before the
 * write is a race; a state of some KiB (an annotation) and ten rounds make
 * it likely (runtime-tools' poststart_fail lost it about one run in three).
 */
START_TEST(hook_not_reading_stdin)
{
	char big[6001];

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	for (int i = 0; i < 10; i++) {
		struct hb b;
		struct hb_result r;

		hb_new(&b);
		json_object_set_new(b.config, "annotations", json_pack("{s:s}", "org.hrit.big", big));
		json_object_set_new(
			b.config, "hooks",
			json_pack("{s:[{s:s, s:[s]}]}", "poststart", "path", "/bin/false", "args", "false"));
		hb_set_args(&b, "/probe", "sleep", "30", NULL);
		r = RUN(&b, "create", "--bundle", b.dir, b.id);
		ck_assert_msg(r.status == 0, "create: %s", r.err);
		hb_result_free(&r);
		r = RUN(&b, "start", b.id);
		ck_assert_msg(r.status == 0, "round %d: start: status %d: %s", i, r.status, r.err);
		hb_result_free(&r);
		hb_finish(&b);
	}
}
END_TEST

/*
 * The state the init hands its createContainer/startContainer hooks holds
 * the annotations, far larger than one sync message with a big one (like
 * Kubernetes' last-applied-configuration): both hooks see all 256 KiB of
 * it on stdin.  A state over the limit is refused, naming it.
 */
START_TEST(large_annotation_reaches_container_hooks)
{
	static const char script[] = "#!/bin/sh\nn=$(grep -o '\"org.hrit.big\":\"x*\"' | wc -c)\n"
				     "echo \"$1 $n\" >> \"$2\"\n";
	const size_t sizes[] = {256 << 10, (16 << 20) + 1};

	for (size_t i = 0; i < 2; i++) {
		char *big = malloc(sizes[i] + 1);
		char path[400], log[400], want[200];
		struct hb b;
		struct hb_result r;

		ck_assert_ptr_nonnull(big);
		memset(big, 'x', sizes[i]);
		big[sizes[i]] = '\0';
		hb_new(&b);
		json_object_set_new(b.config, "annotations", json_pack("{s:s}", "org.hrit.big", big));
		free(big);
		hb_write_file(&b, "rootfs/hook.sh", script, 0755);
		snprintf(path, sizeof(path), "%s/rootfs/hook.sh", b.dir);
		snprintf(log, sizeof(log), "%s/len.log", b.dir);
		/* createContainer runs before pivot_root (host paths); startContainer in the container's root */
		json_object_set_new(b.config, "hooks",
				    json_pack("{s:[{s:s, s:[s,s,s]}], s:[{s:s, s:[s,s,s]}]}", "createContainer", "path",
					      path, "args", "h", "createContainer", log, "startContainer", "path",
					      "/hook.sh", "args", "h", "startContainer", "/tmp/len.log"));
		json_object_set_new(json_object_get(b.config, "root"), "readonly", json_false());
		hb_set_args(&b, "/bin/cat", "/tmp/len.log", NULL);
		r = run_probe(&b);
		if (i == 0) {
			/* the match, its quotes and key, and grep's newline */
			size_t n = sizes[i] + strlen("\"org.hrit.big\":\"\"") + 1;

			ck_assert_msg(r.status == 0, "%s", r.err);
			snprintf(want, sizeof(want), "startContainer %zu\n", n);
			ck_assert_str_eq(r.out, want);
			snprintf(want, sizeof(want), "createContainer %zu\n", n);
			ck_assert_str_eq(slurp(log), want);
		} else {
			ck_assert_int_eq(r.status, 1);
			ck_assert_msg(hb_lines(r.err) == 1 &&
					      strstr(r.err, "the container state for createContainer/startContainer "
							    "hooks is ") &&
					      strstr(r.err, " bytes (annotations included), over the limit of "
							    "16777216 bytes\n"),
				      "%s", r.err);
			ck_assert_int_eq(access(log, F_OK), -1);
		}
		hb_result_free(&r);
		hb_finish(&b);
	}
}
END_TEST

int main(void)
{
	const TTest *const tests[] = {
		exit_codes,
		signal_deaths,
		process_fields,
		capabilities_and_nnp,
		lifecycle_states,
		kill_all_and_force_delete,
		hooks_in_order,
		failing_hook_timeout,
		mounts_seen_inside,
		cgroup_limits,
		reused_cgroup,
		run_forwards_signals,
		sysctl_rlimits_devices,
		no_pivot_and_preserve_fds,
		console_socket,
		run_with_terminal_in_foreground,
		cgroup_manager_disabled,
		hook_states_and_poststart_after_exec,
		failing_poststart_and_poststop_hooks,
		config_updates_after_create,
		hook_not_reading_stdin,
		large_annotation_reaches_container_hooks,
		NULL,
	};

	return hb_main("lifecycle", 120, tests);
}
