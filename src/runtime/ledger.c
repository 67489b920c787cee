/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The restart ledger: <root>/.hardrun-restarts/<id>.json holds, per
 * container id, the times of failed exits (non-zero status), of quick
 * restarts (a short run whose status hardrun could not learn) and the
 * taint left by exec, {"failures":[1764582000,…],"restarts":[…],
 * "tainted":{"time":…,"argv0":…}}, and survives
 * delete, because docker restarts a container by creating it again under
 * the same id.  Written under flock of the directory's .lock file.
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hardrun/strutil.h"
#include "policyrt.h"
#include "statedir.h"

/* Failures older than the newest this many are dropped: no window needs more. */
#define LEDGER_KEEP 256

static int open_dir(int root_fd, struct hr_err **err)
{
	int fd;

	if (mkdirat(root_fd, HR_LEDGER_DIR, 0700) < 0 && errno != EEXIST)
		return hr_fail(err, errno, "create `%s`", HR_LEDGER_DIR);
	fd = openat(root_fd, HR_LEDGER_DIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return hr_fail(err, errno, "open `%s`", HR_LEDGER_DIR);
	return fd;
}

static int lock_dir(int dir_fd, struct hr_err **err)
{
	cleanup_close int fd = openat(dir_fd, ".lock", O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);

	if (fd < 0)
		return hr_fail(err, errno, "open `%s/.lock`", HR_LEDGER_DIR);
	while (flock(fd, LOCK_EX) < 0)
		if (errno != EINTR)
			return hr_fail(err, errno, "lock `%s/.lock`", HR_LEDGER_DIR);
	return steal_fd(&fd);
}

static json_t *load(int dir_fd, const char *name, struct hr_err **err)
{
	cleanup_free char *buf = NULL;
	size_t len = 0;
	json_t *j;

	if (hr_statedir_read(dir_fd, name, &buf, &len, err) < 0) {
		if ((*err)->errnum != ENOENT)
			return NULL;
		hr_err_free(err);
		return json_pack("{s:[]}", "failures");
	}
	j = json_loadb(buf, len, 0, NULL);
	if (!json_is_object(j) || !json_is_array(json_object_get(j, "failures"))) {
		json_decref(j);
		hr_fail(err, 0, "%s/%s: broken", HR_LEDGER_DIR, name);
		return NULL;
	}
	return j;
}

static int64_t *times_of(json_t *arr, size_t *n)
{
	int64_t *t = xcalloc(json_array_size(arr) + 1, sizeof(int64_t));
	size_t i;
	json_t *v;

	*n = 0;
	json_array_foreach(arr, i, v)
	{
		if (json_is_integer(v))
			t[(*n)++] = json_integer_value(v);
	}
	return t;
}

int hr_ledger_read(int root_fd, const char *id, int64_t **times, size_t *n, int64_t **restarts, size_t *n_restarts,
		   char **tainted_time, struct hr_err **err)
{
	cleanup_close int dir_fd = open_dir(root_fd, err);
	cleanup_close int lock = -1;
	cleanup_free char *name = xasprintf("%s.json", id);
	json_t *j, *v;

	*times = NULL;
	*n = 0;
	*restarts = NULL;
	*n_restarts = 0;
	*tainted_time = NULL;
	if (dir_fd < 0)
		return -1;
	lock = lock_dir(dir_fd, err);
	if (lock < 0)
		return -1;
	j = load(dir_fd, name, err);
	if (!j)
		return -1;
	*times = times_of(json_object_get(j, "failures"), n);
	*restarts = times_of(json_object_get(j, "restarts"), n_restarts);
	v = json_object_get(json_object_get(j, "tainted"), "time");
	if (json_is_string(v))
		*tainted_time = xstrdup(json_string_value(v));
	else if (json_object_get(j, "tainted"))
		*tainted_time = xstrdup("");
	json_decref(j);
	return 0;
}

int hr_ledger_record(int root_fd, const char *id, enum hr_ledger_exit what, int64_t now, const char *tainted_json,
		     struct hr_err **err)
{
	cleanup_close int dir_fd = open_dir(root_fd, err);
	cleanup_close int lock = -1;
	cleanup_free char *name = xasprintf("%s.json", id);
	cleanup_free char *text = NULL;
	json_t *j;
	int r;

	if (dir_fd < 0)
		return -1;
	lock = lock_dir(dir_fd, err);
	if (lock < 0)
		return -1;
	j = load(dir_fd, name, err);
	if (!j)
		return -1;
	if (what != HR_LEDGER_NONE) {
		const char *key = what == HR_LEDGER_FAILED ? "failures" : "restarts";
		json_t *f = json_object_get(j, key);

		if (!json_is_array(f)) {
			f = json_array();
			json_object_set_new(j, key, f);
		}
		json_array_append_new(f, json_integer(now));
		while (json_array_size(f) > LEDGER_KEEP)
			json_array_remove(f, 0);
	}
	if (tainted_json) {
		json_t *t = json_loads(tainted_json, 0, NULL);

		json_object_set_new(j, "tainted", t ? t : json_object());
	}
	text = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	r = hr_statedir_write(dir_fd, name, text, strlen(text), err);
	return r;
}
