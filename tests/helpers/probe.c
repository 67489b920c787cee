/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Static multi-call probe copied into test rootfs: prints what the
 * container sees, one fact per line, in a stable format for exact asserts.
 * Plain libc only, so it works in an empty rootfs.
 */
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *errname(int e)
{
	switch (e) {
	case 0:
		return "ok";
	case EPERM:
		return "EPERM";
	case ENOENT:
		return "ENOENT";
	case EACCES:
		return "EACCES";
	case EROFS:
		return "EROFS";
	case EAGAIN:
		return "EAGAIN";
	case ENOSYS:
		return "ENOSYS";
	case EINVAL:
		return "EINVAL";
	case EEXIST:
		return "EEXIST";
	case ENOTDIR:
		return "ENOTDIR";
	case EXDEV:
		return "EXDEV";
	case ESRCH:
		return "ESRCH";
	case EDOM:
		return "EDOM";
	case ETXTBSY:
		return "ETXTBSY";
	case EBUSY:
		return "EBUSY";
	case 133:
		return "EHWPOISON";
	default:
		return "EOTHER";
	}
}

static void cat_matching(const char *path, const char *const *prefixes)
{
	char line[4096];
	FILE *f = fopen(path, "re");

	if (!f) {
		printf("%s: %s\n", path, errname(errno));
		return;
	}
	while (fgets(line, sizeof(line), f))
		for (const char *const *p = prefixes; *p; p++)
			if (strncmp(line, *p, strlen(*p)) == 0)
				fputs(line, stdout);
	fclose(f);
}

static void on_term(int sig)
{
	(void)sig;
	(void)!write(1, "term\n", 5);
	_exit(42);
}

static int ids(void)
{
	gid_t groups[64];
	int n = getgroups(64, groups);

	printf("uid=%u gid=%u euid=%u egid=%u groups=", getuid(), getgid(), geteuid(), getegid());
	for (int i = 0; i < n; i++)
		printf("%s%u", i ? "," : "", groups[i]);
	printf("\n");
	return 0;
}

static int fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int self = d ? dirfd(d) : -1;

	while (d && (e = readdir(d)) != NULL) {
		char p[300], t[PATH_MAX];
		ssize_t n;

		if (e->d_name[0] == '.' || atoi(e->d_name) == self)
			continue;
		snprintf(p, sizeof(p), "/proc/self/fd/%s", e->d_name);
		n = readlink(p, t, sizeof(t) - 1);
		t[n > 0 ? n : 0] = '\0';
		printf("%s %s\n", e->d_name, t);
	}
	if (d)
		closedir(d);
	return 0;
}

/* "put PATH TEXT": write TEXT into an existing file, print the errno name of the open or the write. */
static int put(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : write(fd, text, strlen(text));

	printf("%s\n", errname(n < 0 ? errno : 0));
	return 0;
}

/*
 * CVE-2019-5736 watcher: wait for a process that is not one of the
 * container's own binaries, hold its /proc/PID/exe open, and once it has
 * exited try to open that file for writing and overwrite it.  Writes
 * "exe LINK", "write-open ERR", "write ERR", "done" to the result file.
 */
static int watch_exe(const char *result, int seconds)
{
	FILE *outf = fopen(result, "we");

	if (!outf)
		return 2;
	for (time_t end = time(NULL) + seconds; time(NULL) < end;) {
		DIR *d = opendir("/proc");
		struct dirent *e;

		while (d && (e = readdir(d)) != NULL) {
			char p[300], link[PATH_MAX];
			int pid = atoi(e->d_name), fd, wfd;
			ssize_t n;

			if (pid <= 1 || pid == getpid())
				continue;
			snprintf(p, sizeof(p), "/proc/%d/exe", pid);
			n = readlink(p, link, sizeof(link) - 1);
			if (n <= 0)
				continue; /* a non-dumpable runtime helper: no access */
			link[n] = '\0';
			if (!strcmp(link, "/probe") || !strcmp(link, "/bin/busybox"))
				continue;
			fd = open(p, O_RDONLY | O_CLOEXEC);
			if (fd < 0)
				continue;
			/* the host binary is busy while it runs: wait for the process to go */
			for (int i = 0; i < 5000 && kill(pid, 0) == 0; i++)
				usleep(1000);
			snprintf(p, sizeof(p), "/proc/self/fd/%d", fd);
			wfd = open(p, O_WRONLY | O_CLOEXEC);
			fprintf(outf, "exe %s\nwrite-open %s\n", link, errname(wfd < 0 ? errno : 0));
			if (wfd >= 0) {
				ssize_t w = pwrite(wfd, "PWNED", 5, 0);

				fprintf(outf, "write %s\n", errname(w < 0 ? errno : 0));
				close(wfd);
			}
			fprintf(outf, "done\n");
			fclose(outf);
			return 0;
		}
		if (d)
			closedir(d);
	}
	fprintf(outf, "timeout\n");
	fclose(outf);
	return 1;
}

static void on_sigsys(int sig, siginfo_t *si, void *ctx)
{
	char b[64];
	int n = snprintf(b, sizeof(b), "sigsys %d\n", si->si_syscall);

	(void)sig;
	(void)ctx;
	(void)!write(1, b, (size_t)n);
	_exit(0);
}

/*
 * "sys NAME [A0 [A1]]": one raw system call, printing "ok" or the errno
 * name; a SIGSYS from a TRAP rule prints "sigsys NR".  Only calls with no
 * side effect on the container: the seccomp tests match on their arguments.
 */
static int sys_call(int argc, char **argv)
{
	static const struct {
		const char *name;
		long nr;
	} calls[] = {{"umask", SYS_umask},     {"unshare", SYS_unshare},	 {"keyctl", SYS_keyctl},
		     {"getppid", SYS_getppid}, {"getpriority", SYS_getpriority}, {"personality", SYS_personality}};
	struct sigaction sa = {.sa_sigaction = on_sigsys, .sa_flags = SA_SIGINFO};
	long a0 = argc > 3 ? strtol(argv[3], NULL, 0) : 0, a1 = argc > 4 ? strtol(argv[4], NULL, 0) : 0;
	long r;

	sigaction(SIGSYS, &sa, NULL);
	for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
		if (strcmp(argv[2], calls[i].name) != 0)
			continue;
		r = syscall(calls[i].nr, a0, a1, 0, 0, 0);
		if (r < 0)
			printf("%s\n", errname(errno));
		else if (calls[i].nr == SYS_getppid || calls[i].nr == SYS_getpriority || calls[i].nr == SYS_personality)
			printf("ok %ld\n", r);
		else
			printf("ok\n");
		return 0;
	}
	fprintf(stderr, "probe: unknown call `%s`\n", argv[2]);
	return 2;
}

struct thread_arg {
	long nr;
	long r;
	int e;
};

static void *thread_call(void *p)
{
	struct thread_arg *t = p;

	t->r = syscall(t->nr, 0, 0, 0, 0, 0);
	t->e = errno;
	return NULL;
}

/*
 * "thread-sys N getpriority|getppid": the call made only by N threads of
 * their own (the main thread never makes it), each result printed in
 * order: seccomp learn mode must see every thread.
 */
static int thread_sys(long n, const char *call)
{
	pthread_t th[16];
	struct thread_arg a[16];
	long nr = strcmp(call, "getpriority") == 0 ? SYS_getpriority : strcmp(call, "getppid") == 0 ? SYS_getppid : -1;

	if (n <= 0 || n > 16 || nr < 0)
		return 2;
	for (long i = 0; i < n; i++) {
		a[i] = (struct thread_arg){.nr = nr};
		if (pthread_create(&th[i], NULL, thread_call, &a[i]) != 0)
			return 3;
	}
	for (long i = 0; i < n; i++) {
		pthread_join(th[i], NULL);
		if (a[i].r < 0)
			printf("%s\n", errname(a[i].e));
		else
			printf("ok\n");
	}
	return 0;
}

/*
 * "getppid-loop N [personality]": N raw getppid calls, or N personality
 * queries (0xffffffff: a call the profiles filter on its argument, which
 * the kernel's per-syscall action cache cannot skip); prints the mean
 * nanoseconds per call (tests/bench/seccomp_stack.sh).
 */
static int getppid_loop(long n, bool personality)
{
	struct timespec a, b;

	if (n <= 0)
		return 2;
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (long i = 0; i < n; i++)
		if (personality)
			syscall(SYS_personality, 0xffffffffL);
		else
			syscall(SYS_getppid);
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("%.1f\n", ((double)(b.tv_sec - a.tv_sec) * 1e9 + (double)(b.tv_nsec - a.tv_nsec)) / (double)n);
	return 0;
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "";

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(cmd, "ids"))
		return ids();
	if (!strcmp(cmd, "caps")) {
		static const char *const p[] = {"CapInh", "CapPrm",	"CapEff",   "CapBnd",
						"CapAmb", "NoNewPrivs", "Seccomp:", NULL};

		cat_matching("/proc/self/status", p);
		return 0;
	}
	if (!strcmp(cmd, "ns")) {
		static const char *const ns[] = {"cgroup", "ipc", "mnt", "net", "pid", "time", "user", "uts", NULL};

		for (const char *const *n = ns; *n; n++) {
			char p[64], t[128];
			ssize_t l;

			snprintf(p, sizeof(p), "/proc/self/ns/%s", *n);
			l = readlink(p, t, sizeof(t) - 1);
			t[l > 0 ? l : 0] = '\0';
			printf("%s %s\n", *n, t);
		}
		return 0;
	}
	if (!strcmp(cmd, "mounts")) {
		static const char *const all[] = {"", NULL};

		cat_matching("/proc/self/mounts", all);
		return 0;
	}
	if (!strcmp(cmd, "fds"))
		return fds();
	if (!strcmp(cmd, "cwd")) {
		char b[PATH_MAX];

		printf("%s\n", getcwd(b, sizeof(b)) ? b : errname(errno));
		return 0;
	}
	if (!strcmp(cmd, "env")) {
		extern char **environ;

		for (char **e = environ; *e; e++)
			printf("%s\n", *e);
		return 0;
	}
	if (!strcmp(cmd, "hostname")) {
		char b[256];

		gethostname(b, sizeof(b));
		printf("%s\n", b);
		return 0;
	}
	if (!strcmp(cmd, "pid")) {
		printf("%d\n", getpid());
		return 0;
	}
	if (!strcmp(cmd, "umask")) {
		mode_t m = umask(0);

		printf("%04o\n", m);
		return 0;
	}
	if (!strcmp(cmd, "rlimit-nofile")) {
		struct rlimit r;

		getrlimit(RLIMIT_NOFILE, &r);
		printf("%llu %llu\n", (unsigned long long)r.rlim_cur, (unsigned long long)r.rlim_max);
		return 0;
	}
	if (!strcmp(cmd, "write") && argc > 2) {
		int fd = open(argv[2], O_WRONLY | O_CREAT | O_CLOEXEC, 0644);

		printf("%s\n", errname(fd < 0 ? errno : 0));
		return 0;
	}
	if (!strcmp(cmd, "read") && argc > 2) {
		char b[256];
		int fd = open(argv[2], O_RDONLY | O_CLOEXEC);
		ssize_t n = fd < 0 ? -1 : read(fd, b, sizeof(b));

		if (fd < 0 || n < 0)
			printf("%s\n", errname(errno));
		else
			printf("%zd bytes\n", n);
		return 0;
	}
	if (!strcmp(cmd, "stat") && argc > 2) {
		struct stat st;

		if (lstat(argv[2], &st) < 0)
			printf("%s\n", errname(errno));
		else if (S_ISCHR(st.st_mode))
			printf("char %u:%u\n", major(st.st_rdev), minor(st.st_rdev));
		else
			printf("%s\n", S_ISDIR(st.st_mode)   ? "dir"
				       : S_ISREG(st.st_mode) ? "file"
				       : S_ISLNK(st.st_mode) ? "link"
							     : "other");
		return 0;
	}
	if (!strcmp(cmd, "mkdir") && argc > 2) {
		printf("%s\n", errname(mkdir(argv[2], 0755) < 0 ? errno : 0));
		return 0;
	}
	if (!strcmp(cmd, "sleep") && argc > 2) {
		sleep((unsigned)atoi(argv[2]));
		return 0;
	}
	if (!strcmp(cmd, "ignore-term") && argc > 2) {
		signal(SIGTERM, SIG_IGN);
		printf("ready\n");
		sleep((unsigned)atoi(argv[2]));
		return 0;
	}
	if (!strcmp(cmd, "watch-helpers") && argc > 2) {
		/*
		 * CVE-2016-9962 watcher: scan /proc for the runtime's exec
		 * helpers (comm "hardrun" or "runc:...") and list their fds >= 3,
		 * re-checking comm afterwards so an exec'd workload is not
		 * mistaken for a helper.  Appends "saw" and leaked fds to the file.
		 */
		FILE *outf = fopen(argv[2], "we");

		if (!outf)
			return 2;
		setvbuf(outf, NULL, _IOLBF, 0);
		/* bounded: a failed test must not leave a container spinning on the CI machine */
		for (time_t end = time(NULL) + 120; time(NULL) < end;) {
			DIR *d = opendir("/proc");
			struct dirent *e;

			while (d && (e = readdir(d)) != NULL) {
				char p[300], c1[32] = {0}, c2[32] = {0}, leaks[2048] = {0};
				int fd, pid = atoi(e->d_name);
				DIR *fdd;
				struct dirent *fe;

				if (pid <= 1 || pid == getpid())
					continue;
				snprintf(p, sizeof(p), "/proc/%d/comm", pid);
				fd = open(p, O_RDONLY | O_CLOEXEC);
				if (fd < 0)
					continue;
				(void)!read(fd, c1, sizeof(c1) - 1);
				close(fd);
				if (strncmp(c1, "hardrun", 7) != 0 && strncmp(c1, "runc", 4) != 0)
					continue;
				snprintf(p, sizeof(p), "/proc/%d/fd", pid);
				fdd = opendir(p);
				while (fdd && (fe = readdir(fdd)) != NULL) {
					char lp[600], t[256];
					ssize_t n;

					if (fe->d_name[0] == '.' || atoi(fe->d_name) < 3)
						continue;
					snprintf(lp, sizeof(lp), "/proc/%d/fd/%s", pid, fe->d_name);
					/* a non-dumpable helper shows fd numbers to root but never their targets */
					n = readlink(lp, t, sizeof(t) - 1);
					if (n <= 0)
						continue;
					t[n] = '\0';
					snprintf(leaks + strlen(leaks), sizeof(leaks) - strlen(leaks), "fd %s -> %s\n",
						 fe->d_name, t);
				}
				if (fdd)
					closedir(fdd);
				snprintf(p, sizeof(p), "/proc/%d/comm", pid);
				fd = open(p, O_RDONLY | O_CLOEXEC);
				if (fd < 0)
					continue;
				(void)!read(fd, c2, sizeof(c2) - 1);
				close(fd);
				if (strcmp(c1, c2) == 0)
					fprintf(outf, "saw\n%s", leaks);
			}
			if (d)
				closedir(d);
		}
		fclose(outf);
		return 0;
	}
	if (!strcmp(cmd, "wait-term")) {
		/* a handler makes SIGTERM deliverable to a pid namespace's init */
		signal(SIGTERM, on_term);
		printf("ready\n");
		for (;;)
			pause();
	}
	if (!strcmp(cmd, "exit") && argc > 2)
		return atoi(argv[2]);
	if (!strcmp(cmd, "kill-self") && argc > 2) {
		signal(atoi(argv[2]), SIG_DFL);
		kill(getpid(), atoi(argv[2]));
		pause();
		return 0;
	}
	if (!strcmp(cmd, "forkbomb") && argc > 2) {
		int n = atoi(argv[2]), ok = 0;

		for (int i = 0; i < n; i++) {
			pid_t p = fork();

			if (p == 0) {
				pause();
				_exit(0);
			}
			if (p < 0)
				break;
			ok++;
		}
		printf("forked %d\n", ok);
		kill(0, SIGKILL);
		return 0;
	}
	if (!strcmp(cmd, "alloc") && argc > 2) {
		size_t mb = (size_t)atol(argv[2]);
		char *p = mmap(NULL, mb << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED)
			return 2;
		for (size_t i = 0; i < mb << 20; i += 4096)
			p[i] = 1;
		printf("allocated %zu\n", mb);
		fflush(stdout);
		/* alloc MB SECONDS: hold it, for thresholds that need time to be seen */
		if (argc > 3)
			sleep((unsigned)atoi(argv[3]));
		return 0;
	}
	if (!strcmp(cmd, "sys") && argc > 2)
		return sys_call(argc, argv);
	if (!strcmp(cmd, "thread-sys") && argc > 3)
		return thread_sys(strtol(argv[2], NULL, 10), argv[3]);
	if (!strcmp(cmd, "getppid-loop") && argc > 2)
		return getppid_loop(strtol(argv[2], NULL, 10), argc > 3 && !strcmp(argv[3], "personality"));
	if (!strcmp(cmd, "put") && argc > 3)
		return put(argv[2], argv[3]);
	if (!strcmp(cmd, "watch-exe") && argc > 3)
		return watch_exe(argv[2], atoi(argv[3]));
	fprintf(stderr, "probe: unknown command `%s`\n", cmd);
	return 2;
}
