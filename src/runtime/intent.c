/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The intent record (see intent.h): appending, reading, and the undo that
 * `delete --force` runs for a container whose create or delete was
 * killed.  It removes only what a record line or a name derived from the
 * container id names, never by guessing: a cgroup parent is removed only
 * when empty, a process only while it is still the one recorded.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hardrun/apparmor.h"
#include "hardrun/cgroup.h"
#include "hardrun/init.h"
#include "hardrun/log.h"
#include "hardrun/policy.h"
#include "hardrun/strutil.h"
#include "intent.h"
#include "policyrt.h"
#include "statedir.h"

#define CACHE_DIR ".hardrun-bpf"

int hr_intent_add_lines(int dir_fd, const char *text, size_t len, struct hr_err **err)
{
	cleanup_close int fd =
		openat(dir_fd, HR_INTENT_FILE, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	ssize_t n;

	if (fd < 0)
		return hr_fail(err, errno, "write `%s`", HR_INTENT_FILE);
	/* one write: a kill lands before or after it, never inside a line */
	n = write(fd, text, len);
	if (n < 0 || (size_t)n != len)
		return hr_fail(err, n < 0 ? errno : EIO, "write `%s`", HR_INTENT_FILE);
	return 0;
}

int hr_intent_add(int dir_fd, struct hr_err **err, const char *kind, const char *fmt, ...)
{
	cleanup_free char *value = NULL;
	cleanup_free char *line = NULL;
	va_list ap;

	va_start(ap, fmt);
	value = xvasprintf(fmt, ap);
	va_end(ap);
	if (strchr(value, '\n'))
		return hr_fail(err, EINVAL, "%s `%s`: a newline cannot be recorded", kind, value);
	line = xasprintf("%s %s\n", kind, value);
	return hr_intent_add_lines(dir_fd, line, strlen(line), err);
}

int hr_intent_read(int dir_fd, struct hr_intent *out, struct hr_err **err)
{
	cleanup_free char *buf = NULL;
	size_t len = 0;
	char *save = NULL, *line;

	memset(out, 0, sizeof(*out));
	if (hr_statedir_read(dir_fd, HR_INTENT_FILE, &buf, &len, err) < 0) {
		if ((*err)->errnum != ENOENT)
			return -1;
		hr_err_free(err);
		return 0;
	}
	out->exists = true;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *sp = strchr(line, ' ');

		if (!sp || sp == line) {
			hr_intent_clear(out);
			return hr_fail(err, 0, "%s: broken line `%s`", HR_INTENT_FILE, line);
		}
		out->v = xrealloc(out->v, (out->n + 1) * sizeof(*out->v));
		out->v[out->n].kind = xstrndup(line, (size_t)(sp - line));
		out->v[out->n].value = xstrdup(sp + 1);
		out->n++;
	}
	return 0;
}

void hr_intent_clear(struct hr_intent *in)
{
	for (size_t i = 0; i < in->n; i++) {
		free(in->v[i].kind);
		free(in->v[i].value);
	}
	free(in->v);
	memset(in, 0, sizeof(*in));
}

const char *hr_intent_get(const struct hr_intent *in, const char *kind)
{
	for (size_t i = 0; i < in->n; i++)
		if (strcmp(in->v[i].kind, kind) == 0)
			return in->v[i].value;
	return NULL;
}

static void keep_first(struct hr_err **err, struct hr_err **tmp)
{
	if (!*tmp)
		return;
	if (err && !*err) {
		*err = *tmp;
		*tmp = NULL;
	} else {
		hr_log_warn("%s", (*tmp)->msg);
		hr_err_free(tmp);
	}
}

/* "PID START": SIGKILL it while it is still that process, and wait (2 s at most) until it is gone. */
static int kill_recorded(const char *value, struct hr_err **err)
{
	unsigned long long start = 0;
	int pid = 0;

	if (sscanf(value, "%d %llu", &pid, &start) != 2 || pid <= 0 || start == 0)
		return hr_fail(err, 0, "%s: bad process `%s`", HR_INTENT_FILE, value);
	for (int i = 0; i < 2000 && hr_proc_alive(pid, start); i++) {
		struct timespec ts = {0, 1000000};

		if (i == 0 || i % 100 == 0)
			kill(pid, SIGKILL);
		nanosleep(&ts, NULL);
	}
	if (hr_proc_alive(pid, start))
		return hr_fail(err, EBUSY, "kill pid %d: still alive", pid);
	return 0;
}

/* Filter-cache temporaries, "<16 hex>.<pid>", whose writer is gone. */
static void remove_cache_temps(int root_fd)
{
	cleanup_dir DIR *d = NULL;
	struct dirent *e;
	int fd = openat(root_fd, CACHE_DIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0)
		return;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return;
	}
	while ((e = readdir(d)) != NULL) {
		const char *dot = strchr(e->d_name, '.');
		int pid;

		if (!dot || dot - e->d_name != 16 || strspn(e->d_name, "0123456789abcdef") != 16 ||
		    hr_parse_int(dot + 1, &pid) < 0 || pid <= 0)
			continue;
		if (kill(pid, 0) == 0 || errno == EPERM)
			continue;
		if (unlinkat(dirfd(d), e->d_name, 0) < 0 && errno != ENOENT)
			hr_log_warn("seccomp cache: remove `%s`: %s", e->d_name, strerror(errno));
	}
}

int hr_intent_undo(int root_fd, const char *id, const struct hr_intent *in, bool skip_apparmor, struct hr_err **err)
{
	struct hr_err *tmp = NULL;
	int rc = 0;

	/* processes first: a cgroup with tasks cannot be removed */
	for (size_t i = in->n; i-- > 0;) {
		if ((strcmp(in->v[i].kind, "init") == 0 || strcmp(in->v[i].kind, "watcher") == 0) &&
		    kill_recorded(in->v[i].value, &tmp) < 0)
			rc = -1;
		keep_first(err, &tmp);
	}
	for (size_t i = in->n; i-- > 0;) {
		const struct hr_intent_rec *r = &in->v[i];
		int k = 0;

		if (strcmp(r->kind, "cgleaf") == 0 || strcmp(r->kind, "cgdir") == 0) {
			/* only cgroupfs directories: the record is ours, but check what it names */
			if (strncmp(r->value, "/sys/fs/cgroup/", 15) != 0 || strstr(r->value, "/../"))
				k = hr_fail(&tmp, 0, "%s: `%s` is not a cgroup directory", HR_INTENT_FILE, r->value);
			else
				k = hr_cgroup_remove_dir(r->value, strcmp(r->kind, "cgleaf") == 0, &tmp);
		} else if (strcmp(r->kind, "apparmor") == 0) {
			cleanup_free char *want = xasprintf("hardrun-%s", id);
			cleanup_free char *text = NULL;

			if (strcmp(r->value, want) != 0)
				k = hr_fail(&tmp, 0, "%s: apparmor profile `%s` is not this container's",
					    HR_INTENT_FILE, r->value);
			else if (!skip_apparmor && hr_apparmor_enabled() &&
				 (text = hr_policy_apparmor_profile(r->value)) &&
				 hr_apparmor_unload(r->value, text, &tmp) < 0)
				k = -1;
		} else if (strcmp(r->kind, "idrange") == 0) {
			if (strcmp(r->value, id) != 0)
				k = hr_fail(&tmp, 0, "%s: id range of `%s` is not this container's", HR_INTENT_FILE,
					    r->value);
			else
				k = hr_idpool_release(root_fd, id, &tmp);
		} else if (strcmp(r->kind, "tmp") == 0) {
			if (r->value[0] != '/' || unlink(r->value) < 0) {
				if (r->value[0] != '/' || errno != ENOENT)
					k = hr_fail(&tmp, errno, "remove `%s`", r->value);
			}
		} else if (strcmp(r->kind, "owner") != 0 && strcmp(r->kind, "bundle") != 0 &&
			   strcmp(r->kind, "created") != 0 && strcmp(r->kind, "cgroup") != 0 &&
			   strcmp(r->kind, "init") != 0 && strcmp(r->kind, "watcher") != 0) {
			/* the systemd driver (#7) records "unit NAME" and undoes it here */
			k = hr_fail(&tmp, 0, "%s: `%s %s`: unknown to this hardrun, left alone", HR_INTENT_FILE,
				    r->kind, r->value);
		}
		if (k < 0)
			rc = -1;
		keep_first(err, &tmp);
	}
	/* names derived from the id, and temporaries of writers that are gone */
	{
		cleanup_free char *ledger_tmp = xasprintf("%s/.%s.json.tmp", HR_LEDGER_DIR, id);

		if (unlinkat(root_fd, ledger_tmp, 0) < 0 && errno != ENOENT)
			hr_log_warn("remove `%s`: %s", ledger_tmp, strerror(errno));
	}
	remove_cache_temps(root_fd);
	return rc;
}
