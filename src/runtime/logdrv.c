/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The launcher's log drivers: the workload's stdout and stderr, read by the
 * supervisor from two pipes, become docker json-file lines in the launch
 * dir (rotated at max-size, max-file files kept) or syslog datagrams to
 * /dev/log or a unix socket.  Also `hardrun logs`, which reads the
 * json-file log back.  The launch dir helpers live here too.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "hardrun/log.h"
#include "hardrun/strutil.h"
#include "launch_int.h"
#include "statedir.h"

/* A partial line longer than this is written as it is, as docker does at 16 KiB. */
#define LINE_MAX_PENDING 16384

uint64_t hr_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

uint64_t hr_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

int hr_launchdir_open(const char *root, const char *name, bool create, struct hr_err **err)
{
	cleanup_close int root_fd = -1;
	cleanup_close int base = -1;
	int fd;

	if (!hr_id_valid(name))
		return hr_fail(err, EINVAL, "invalid container name `%s`", name);
	root_fd = hr_statedir_open_root(root, err);
	if (root_fd < 0)
		return -1;
	if (create && mkdirat(root_fd, HR_LAUNCH_DIR, 0700) < 0 && errno != EEXIST)
		return hr_fail(err, errno, "create `%s/%s`", root, HR_LAUNCH_DIR);
	base = openat(root_fd, HR_LAUNCH_DIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (base < 0)
		return hr_fail(err, errno,
			       errno == ENOENT ? "no logs or events of `%s` (never launched, or deleted)"
					       : "open launch dir of `%s`",
			       name);
	if (create && mkdirat(base, name, 0700) < 0 && errno != EEXIST)
		return hr_fail(err, errno, "create `%s/%s/%s`", root, HR_LAUNCH_DIR, name);
	fd = openat(base, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return hr_fail(err, errno,
			       errno == ENOENT ? "no logs or events of `%s` (never launched, or deleted)"
					       : "open launch dir of `%s`",
			       name);
	return fd;
}

bool hr_launchdir_supervised(int dir_fd, pid_t *pid)
{
	cleanup_close int fd = openat(dir_fd, HR_LAUNCH_LOCK, O_RDONLY | O_CLOEXEC);
	cleanup_free char *buf = NULL;
	struct hr_err *e = NULL;
	size_t len = 0;
	int v;

	*pid = 0;
	if (fd < 0)
		return false;
	if (flock(fd, LOCK_SH | LOCK_NB) == 0)
		return false; /* nobody holds it */
	if (hr_statedir_read(dir_fd, HR_LAUNCH_PID, &buf, &len, &e) == 0 && hr_parse_int(buf, &v) == 0 && v > 0)
		*pid = v;
	hr_err_free(&e);
	return true;
}

void hr_launchdir_remove(const char *root, const char *name)
{
	struct hr_err *e = NULL;
	cleanup_close int root_fd = hr_statedir_open_root(root, &e);
	cleanup_close int base = -1;
	cleanup_close int dir_fd = -1;
	cleanup_close int lock = -1;
	cleanup_dir DIR *d = NULL;
	struct dirent *de;

	hr_err_free(&e);
	if (root_fd < 0 || !hr_id_valid(name))
		return;
	base = openat(root_fd, HR_LAUNCH_DIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	dir_fd = base < 0 ? -1 : openat(base, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dir_fd < 0)
		return;
	/* holding the lock keeps a supervisor from starting while its files go */
	lock = openat(dir_fd, HR_LAUNCH_LOCK, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (lock >= 0 && flock(lock, LOCK_EX | LOCK_NB) < 0) {
		hr_log_warn("`%s` is supervised: its logs and events stay; stop it first", name);
		return;
	}
	d = fdopendir(dup(dir_fd));
	while (d && (de = readdir(d)) != NULL)
		if (de->d_name[0] != '.' && unlinkat(dir_fd, de->d_name, 0) < 0)
			hr_log_warn("remove `%s/%s`: %s", name, de->d_name, strerror(errno));
	if (unlinkat(base, name, AT_REMOVEDIR) < 0)
		hr_log_warn("remove launch dir of `%s`: %s", name, strerror(errno));
}

int hr_syslog_connect(const char *address, struct hr_err **err)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	const char *path = address ? address : "/dev/log";
	cleanup_close int s = -1;

	if (strlen(path) >= sizeof(sa.sun_path))
		return hr_fail(err, ENAMETOOLONG, "syslog socket `%s`", path);
	memcpy(sa.sun_path, path, strlen(path) + 1);
	s = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return hr_fail(err, errno, "socket for syslog");
	if (connect(s, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return hr_fail(err, errno, "connect to syslog `%s`", path);
	return steal_fd(&s);
}

static int open_log(struct hr_logdrv *d, struct hr_err **err)
{
	struct stat st;

	d->fd = openat(d->dir_fd, HR_LAUNCH_LOG, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (d->fd < 0)
		return hr_fail(err, errno, "open `%s`", HR_LAUNCH_LOG);
	d->size = fstat(d->fd, &st) == 0 ? (uint64_t)st.st_size : 0;
	return 0;
}

int hr_logdrv_open(struct hr_logdrv *d, int dir_fd, const struct hr_log_opts *o, const char *name, struct hr_err **err)
{
	*d = (struct hr_logdrv){.o = o, .tag = o->tag ? o->tag : name, .dir_fd = dir_fd, .fd = -1, .sock = -1};
	if (o->driver == HR_LOGDRV_JSON_FILE) {
		/* a new supervision starts a new log, as a new docker container does */
		for (unsigned i = 1; i < (o->max_file ? o->max_file : 1) + 1; i++) {
			char old[64];

			snprintf(old, sizeof(old), "%s.%u", HR_LAUNCH_LOG, i);
			(void)unlinkat(dir_fd, old, 0);
		}
		if (unlinkat(dir_fd, HR_LAUNCH_LOG, 0) < 0 && errno != ENOENT)
			return hr_fail(err, errno, "remove old `%s`", HR_LAUNCH_LOG);
		return open_log(d, err);
	}
	if (o->driver == HR_LOGDRV_SYSLOG) {
		d->sock = hr_syslog_connect(o->address, err);
		return d->sock < 0 ? hr_fail_wrap(err, "--log-driver syslog") : 0;
	}
	return 0;
}

/* container.log → .1 → .2 …, the oldest dropped; with max-file 1 the file starts again empty */
static void rotate(struct hr_logdrv *d)
{
	unsigned keep = d->o->max_file ? d->o->max_file : 1;
	struct hr_err *e = NULL;

	close(d->fd);
	d->fd = -1;
	for (unsigned i = keep - 1; i >= 1; i--) {
		char from[64], to[64];

		if (i == 1)
			snprintf(from, sizeof(from), "%s", HR_LAUNCH_LOG);
		else
			snprintf(from, sizeof(from), "%s.%u", HR_LAUNCH_LOG, i - 1);
		snprintf(to, sizeof(to), "%s.%u", HR_LAUNCH_LOG, i);
		if (renameat(d->dir_fd, from, d->dir_fd, to) < 0 && errno != ENOENT)
			hr_log_warn("rotate `%s`: %s", from, strerror(errno));
	}
	if (keep == 1)
		(void)unlinkat(d->dir_fd, HR_LAUNCH_LOG, 0);
	if (open_log(d, &e) < 0) {
		hr_log_warn("%s", e->msg);
		hr_err_free(&e);
	}
}

static void write_line(struct hr_logdrv *d, int stream, const char *data, size_t len)
{
	if (d->o->driver == HR_LOGDRV_JSON_FILE) {
		char ts[64];
		cleanup_free char *line = NULL;
		size_t n;

		hr_time_rfc3339(ts, sizeof(ts));
		line = hr_logline_json(stream == 1 ? "stdout" : "stderr", data, len, ts);
		n = strlen(line);
		if (d->o->max_size && d->size > 0 && d->size + n > d->o->max_size)
			rotate(d);
		if (d->fd >= 0 && hr_write_all(d->fd, line, n) == 0)
			d->size += n;
	} else if (d->o->driver == HR_LOGDRV_SYSLOG && d->sock >= 0) {
		/* syslog lines carry no newline */
		size_t body = len > 0 && data[len - 1] == '\n' ? len - 1 : len;
		cleanup_free char *msg =
			hr_syslog_line(d->o->facility, stream == 1 ? 6 : 3, (long)(hr_now_ns() / 1000000000ULL), d->tag,
				       (int)getpid(), data, body);

		if (send(d->sock, msg, strlen(msg), MSG_DONTWAIT) < 0 && errno != EAGAIN)
			hr_log_debug("syslog: %s", strerror(errno));
	}
}

void hr_logdrv_feed(struct hr_logdrv *d, int stream, const char *buf, size_t n)
{
	int s = stream == 1 ? 0 : 1;

	if (d->o->driver != HR_LOGDRV_JSON_FILE && d->o->driver != HR_LOGDRV_SYSLOG)
		return;
	d->pending[s] = xrealloc(d->pending[s], d->plen[s] + n + 1);
	memcpy(d->pending[s] + d->plen[s], buf, n);
	d->plen[s] += n;
	for (;;) {
		char *nl = memchr(d->pending[s], '\n', d->plen[s]);
		size_t len;

		if (!nl && d->plen[s] < LINE_MAX_PENDING)
			break;
		len = nl ? (size_t)(nl - d->pending[s]) + 1 : d->plen[s];
		write_line(d, stream, d->pending[s], len);
		memmove(d->pending[s], d->pending[s] + len, d->plen[s] - len);
		d->plen[s] -= len;
		if (d->plen[s] == 0)
			break;
	}
}

void hr_logdrv_flush(struct hr_logdrv *d)
{
	for (int s = 0; s < 2; s++) {
		if (d->plen[s] > 0)
			write_line(d, s + 1, d->pending[s], d->plen[s]);
		d->plen[s] = 0;
	}
}

void hr_logdrv_close(struct hr_logdrv *d)
{
	hr_logdrv_flush(d);
	if (d->fd >= 0)
		close(d->fd);
	if (d->sock >= 0)
		close(d->sock);
	free(d->pending[0]);
	free(d->pending[1]);
	d->pending[0] = d->pending[1] = NULL;
	d->fd = d->sock = -1;
}

/* ---- hardrun logs ---- */

struct logline {
	char *text;
	bool err;
};

/* One json-file line into *l; false when it is not one (a torn last line, another writer). */
static bool parse_line(const char *s, uint64_t since_ns, struct logline *l)
{
	json_error_t je;
	json_t *o = json_loads(s, 0, &je);
	const char *log = json_string_value(json_object_get(o, "log"));
	const char *stream = json_string_value(json_object_get(o, "stream"));
	const char *t = json_string_value(json_object_get(o, "time"));
	uint64_t ns = 0;
	bool ok = log && stream && t && hr_parse_rfc3339(t, &ns) == 0 && ns >= since_ns;

	if (ok) {
		l->text = xstrdup(log);
		l->err = strcmp(stream, "stderr") == 0;
	}
	json_decref(o);
	return ok;
}

static void print_line(const struct logline *l, FILE *out, FILE *errout)
{
	FILE *f = l->err ? errout : out;

	fputs(l->text, f);
	fflush(f);
}

/* Read complete lines from fd (from its current offset) and hand each to the ring or print it. */
static void read_lines(FILE *f, uint64_t since_ns, struct logline *ring, long tail, size_t *count, FILE *out,
		       FILE *errout)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	while ((n = getline(&line, &cap, f)) > 0) {
		struct logline l;

		if (line[n - 1] != '\n') {
			/* a line still being written: read it again next time */
			fseeko(f, -(off_t)n, SEEK_CUR);
			break;
		}
		if (!parse_line(line, since_ns, &l))
			continue;
		if (ring) {
			struct logline *slot = &ring[*count % (size_t)tail];

			free(slot->text);
			*slot = l;
			(*count)++;
		} else {
			print_line(&l, out, errout);
			free(l.text);
		}
	}
	free(line);
}

int hr_launch_logs(const char *root, const char *name, long tail, uint64_t since_ns, bool follow, FILE *out,
		   FILE *errout, struct hr_err **err)
{
	cleanup_close int dir_fd = hr_launchdir_open(root, name, false, err);
	cleanup_fclose FILE *f = NULL;
	struct logline *ring = NULL;
	size_t count = 0;
	ino_t ino = 0;
	int fd;
	pid_t pid;

	if (dir_fd < 0)
		return hr_fail_wrap(err, "logs `%s`", name);
	fd = openat(dir_fd, HR_LAUNCH_LOG, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return hr_fail(err, errno, "logs `%s`: no json-file log (run it with --log-driver json-file)", name);
	f = fdopen(fd, "r");
	if (!f) {
		close(fd);
		return hr_fail(err, errno, "logs `%s`", name);
	}
	{
		struct stat st;

		if (fstat(fd, &st) == 0)
			ino = st.st_ino;
	}
	if (tail >= 0)
		ring = tail > 0 ? xcalloc((size_t)tail, sizeof(*ring)) : NULL;
	if (tail != 0) {
		unsigned rotated = 0;
		char fname[64];

		/* the rotated files first, oldest (highest number) first: the log reads as one */
		for (;; rotated++) {
			snprintf(fname, sizeof(fname), "%s.%u", HR_LAUNCH_LOG, rotated + 1);
			if (faccessat(dir_fd, fname, F_OK, AT_SYMLINK_NOFOLLOW) != 0)
				break;
		}
		for (unsigned i = rotated; i >= 1; i--) {
			int rfd;
			FILE *rf;

			snprintf(fname, sizeof(fname), "%s.%u", HR_LAUNCH_LOG, i);
			rfd = openat(dir_fd, fname, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
			rf = rfd >= 0 ? fdopen(rfd, "r") : NULL;
			if (!rf) {
				if (rfd >= 0)
					close(rfd);
				continue; /* rotated away meanwhile */
			}
			read_lines(rf, since_ns, ring, tail, &count, out, errout);
			fclose(rf);
		}
		read_lines(f, since_ns, ring, tail, &count, out, errout);
	}
	if (ring) {
		size_t first = count > (size_t)tail ? count - (size_t)tail : 0;

		for (size_t i = first; i < count; i++)
			print_line(&ring[i % (size_t)tail], out, errout);
		for (long i = 0; i < tail; i++)
			free(ring[i].text);
		free(ring);
	} else if (tail == 0) {
		(void)fseeko(f, 0, SEEK_END);
	}
	while (follow) {
		struct stat st;
		bool supervised = hr_launchdir_supervised(dir_fd, &pid);

		clearerr(f);
		read_lines(f, since_ns, NULL, 0, &count, out, errout);
		/* rotated: the name now points at a new file, which is read from its start */
		if (fstatat(dir_fd, HR_LAUNCH_LOG, &st, 0) == 0 && st.st_ino != ino) {
			int nfd = openat(dir_fd, HR_LAUNCH_LOG, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
			FILE *nf = nfd >= 0 ? fdopen(nfd, "r") : NULL;

			if (nf) {
				fclose(f);
				f = nf;
				ino = st.st_ino;
				continue;
			}
			if (nfd >= 0)
				close(nfd);
		}
		if (!supervised)
			break;
		poll(NULL, 0, 100);
	}
	return 0;
}
