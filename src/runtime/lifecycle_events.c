/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The launcher's lifecycle events (create, start, exit, oom, restart,
 * give-up, tainted, refused, limit): one JSON line each in the launch dir's
 * events.jsonl, the same line as a syslog datagram, and --notify-exec PROG
 * with the line on stdin for the kinds of --notify-on.  Not runc's
 * `events` (stats and OOM of any container): that is events.c.  An event
 * sink that fails is logged and never stops the service.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hardrun/log.h"
#include "hardrun/strutil.h"
#include "launch_int.h"
#include "statedir.h"

/* A notify program gets this long to read its event and exit. */
#define NOTIFY_TIMEOUT_MS 10000

int hr_levents_open(struct hr_levents *ev, int dir_fd, const char *name, const char *syslog_address, int facility,
		    struct hr_err **err)
{
	struct hr_err *e = NULL;

	*ev = (struct hr_levents){.name = name, .fd = -1, .syslog_fd = -1, .facility = facility};
	ev->fd = openat(dir_fd, HR_LAUNCH_EVENTS, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_NOFOLLOW | O_CLOEXEC,
			0600);
	if (ev->fd < 0)
		return hr_fail(err, errno, "open `%s`", HR_LAUNCH_EVENTS);
	/* syslog is where a sysadmin looks first, but a host without one still runs services */
	ev->syslog_fd = hr_syslog_connect(syslog_address, &e);
	if (ev->syslog_fd < 0) {
		hr_log_debug("events go to %s only: %s", HR_LAUNCH_EVENTS, e->msg);
		hr_err_free(&e);
	}
	return 0;
}

static void notify(const struct hr_levents *ev, enum hr_event_kind k, const char *line)
{
	int p[2];
	pid_t pid;
	int ws = 0;
	uint64_t deadline;

	if (pipe2(p, O_CLOEXEC) < 0) {
		hr_log_warn("--notify-exec: pipe: %s", strerror(errno));
		return;
	}
	pid = fork();
	if (pid < 0) {
		hr_log_warn("--notify-exec: fork: %s", strerror(errno));
		close(p[0]);
		close(p[1]);
		return;
	}
	if (pid == 0) {
		sigset_t none;
		cleanup_free char *kind = xasprintf("HARDRUN_EVENT=%s", hr_event_kind_name(k));
		cleanup_free char *name = xasprintf("HARDRUN_NAME=%s", ev->name);
		char *envp[] = {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", kind, name, NULL};

		/* the supervisor blocks and ignores signals it handles itself; the program starts clean */
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		signal(SIGPIPE, SIG_DFL);
		if (dup2(p[0], 0) < 0)
			_exit(126);
		execve(ev->notify_prog, (char *[]){(char *)ev->notify_prog, (char *)hr_event_kind_name(k), NULL}, envp);
		_exit(127);
	}
	close(p[0]);
	if (hr_write_all(p[1], line, strlen(line)) < 0 || hr_write_all(p[1], "\n", 1) < 0)
		hr_log_warn("--notify-exec `%s`: write event: %s", ev->notify_prog, strerror(errno));
	close(p[1]);
	deadline = hr_now_ms() + NOTIFY_TIMEOUT_MS;
	for (;;) {
		pid_t w = waitpid(pid, &ws, WNOHANG);

		if (w == pid || (w < 0 && errno != EINTR))
			break;
		if (hr_now_ms() > deadline) {
			hr_log_warn("--notify-exec `%s`: still running after %d ms, killed", ev->notify_prog,
				    NOTIFY_TIMEOUT_MS);
			kill(pid, SIGKILL);
			waitpid(pid, &ws, 0);
			return;
		}
		poll(NULL, 0, 5);
	}
	if (!WIFEXITED(ws) || WEXITSTATUS(ws) != 0)
		hr_log_warn("--notify-exec `%s` failed for a `%s` event (status %d)", ev->notify_prog,
			    hr_event_kind_name(k), WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws));
}

static int severity(enum hr_event_kind k, json_t *fields)
{
	switch (k) {
	case HR_EV_OOM:
	case HR_EV_GIVE_UP:
	case HR_EV_REFUSED:
	case HR_EV_LIMIT:
	case HR_EV_TAINTED:
		return 4; /* warning */
	case HR_EV_EXIT:
		return json_integer_value(json_object_get(fields, "code")) != 0 ? 4 : 6;
	case HR_EV_CREATE:
	case HR_EV_START:
	case HR_EV_RESTART:
	case HR_EV_COUNT:
		break;
	}
	return 6;
}

static void write_event(int fd, int syslog_fd, int facility, const char *name, enum hr_event_kind k, json_t *fields,
			char **line_out)
{
	char ts[64];
	char *line;

	hr_time_rfc3339(ts, sizeof(ts));
	line = hr_event_json(k, name, ts, fields);
	if (fd >= 0) {
		cleanup_free char *nl = xasprintf("%s\n", line);

		/* one write of the whole line: O_APPEND keeps concurrent writers' lines whole */
		if (hr_write_all(fd, nl, strlen(nl)) < 0)
			hr_log_warn("write `%s`: %s", HR_LAUNCH_EVENTS, strerror(errno));
	}
	if (syslog_fd >= 0) {
		cleanup_free char *msg =
			hr_syslog_line(facility, severity(k, fields), (long)(hr_now_ns() / 1000000000ULL), "hardrun",
				       (int)getpid(), line, strlen(line));

		(void)send(syslog_fd, msg, strlen(msg), MSG_DONTWAIT);
	}
	*line_out = line;
}

void hr_levent_emit(struct hr_levents *ev, enum hr_event_kind k, json_t *fields)
{
	cleanup_free char *line = NULL;

	write_event(ev->fd, ev->syslog_fd, ev->facility, ev->name, k, fields, &line);
	hr_log_debug("event %s", line);
	if (ev->notify_prog && (ev->notify_mask & (1U << k)))
		notify(ev, k, line);
	json_decref(fields);
}

void hr_levents_close(struct hr_levents *ev)
{
	if (ev->fd >= 0)
		close(ev->fd);
	if (ev->syslog_fd >= 0)
		close(ev->syslog_fd);
	ev->fd = ev->syslog_fd = -1;
}

void hr_levent_record(const char *root, const char *name, enum hr_event_kind k, json_t *fields)
{
	struct hr_err *e = NULL;
	cleanup_close int dir_fd = hr_launchdir_open(root, name, false, &e);
	cleanup_close int fd = -1;
	cleanup_close int sock = -1;
	cleanup_free char *line = NULL;
	pid_t pid;

	hr_err_free(&e);
	/* only a container under a supervisor has an event log to add to */
	if (dir_fd < 0 || !hr_launchdir_supervised(dir_fd, &pid)) {
		json_decref(fields);
		return;
	}
	fd = openat(dir_fd, HR_LAUNCH_EVENTS, O_WRONLY | O_APPEND | O_NOFOLLOW | O_CLOEXEC);
	sock = hr_syslog_connect(NULL, &e);
	hr_err_free(&e);
	write_event(fd, sock, 3, name, k, fields, &line);
	json_decref(fields);
}

int hr_launch_events(const char *root, const char *name, bool follow, FILE *out, struct hr_err **err)
{
	cleanup_close int dir_fd = hr_launchdir_open(root, name, false, err);
	cleanup_close int fd = -1;
	char buf[4096];
	pid_t pid;

	if (dir_fd < 0)
		return hr_fail_wrap(err, "events `%s`", name);
	fd = openat(dir_fd, HR_LAUNCH_EVENTS, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return hr_fail(err, errno, "events `%s`: open `%s`", name, HR_LAUNCH_EVENTS);
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));
		bool supervised;

		if (n > 0) {
			fwrite(buf, 1, (size_t)n, out);
			continue;
		}
		if (n < 0 && errno != EINTR)
			return hr_fail(err, errno, "events `%s`: read", name);
		fflush(out);
		if (!follow)
			break;
		supervised = hr_launchdir_supervised(dir_fd, &pid);
		/* one more read after the supervisor ended: its last events */
		if (!supervised) {
			while ((n = read(fd, buf, sizeof(buf))) > 0)
				fwrite(buf, 1, (size_t)n, out);
			fflush(out);
			break;
		}
		poll(NULL, 0, 100);
	}
	return 0;
}
