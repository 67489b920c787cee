/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The user-namespace id pool: <root>/.hardrun-idpool.json maps container
 * ids to the first host id of their range and the pid of the process that
 * took it, {"ranges":{"web":{"base":1000000,"pid":42}}}, changed only under
 * flock of <root>/.hardrun-idpool.lock.  A range whose container has no
 * state dir and whose taker is gone (a create that crashed) is free again,
 * so a crash never leaks ranges for good.
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <signal.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hardrun/policy.h"
#include "hardrun/strutil.h"
#include "policyrt.h"
#include "statedir.h"

static int lock_pool(int root_fd, struct hr_err **err)
{
	cleanup_close int fd = openat(root_fd, HR_IDPOOL_LOCK, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);

	if (fd < 0)
		return hr_fail(err, errno, "open `%s`", HR_IDPOOL_LOCK);
	while (flock(fd, LOCK_EX) < 0)
		if (errno != EINTR)
			return hr_fail(err, errno, "lock `%s`", HR_IDPOOL_LOCK);
	return steal_fd(&fd);
}

static json_t *read_pool(int root_fd, struct hr_err **err)
{
	cleanup_free char *buf = NULL;
	size_t len = 0;
	json_t *j, *r;
	json_error_t je;

	if (hr_statedir_read(root_fd, HR_IDPOOL_FILE, &buf, &len, err) < 0) {
		if ((*err)->errnum != ENOENT)
			return NULL;
		hr_err_free(err);
		return json_pack("{s:{}}", "ranges");
	}
	j = json_loadb(buf, len, 0, &je);
	r = json_object_get(j, "ranges");
	if (!json_is_object(r)) {
		json_decref(j);
		hr_fail(err, 0, "%s: broken, remove it when no container runs", HR_IDPOOL_FILE);
		return NULL;
	}
	return j;
}

static int write_pool(int root_fd, json_t *j, struct hr_err **err)
{
	cleanup_free char *text = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);

	return hr_statedir_write(root_fd, HR_IDPOOL_FILE, text, strlen(text), err);
}

static bool in_use(int root_fd, const char *id, json_t *entry)
{
	json_int_t pid = json_integer_value(json_object_get(entry, "pid"));
	struct stat st;

	if (fstatat(root_fd, id, &st, AT_SYMLINK_NOFOLLOW) == 0)
		return true;
	return pid > 0 && (kill((pid_t)pid, 0) == 0 || errno == EPERM);
}

int hr_idpool_acquire(int root_fd, const char *id, uint32_t start, uint32_t size, uint32_t *base, struct hr_err **err)
{
	cleanup_close int lock = lock_pool(root_fd, err);
	json_t *pool, *ranges, *v;
	const char *key;
	void *tmp;
	uint32_t n = size / HR_USERNS_RANGE;
	cleanup_free bool *taken = NULL;
	int r = -1;

	if (lock < 0)
		return -1;
	pool = read_pool(root_fd, err);
	if (!pool)
		return -1;
	ranges = json_object_get(pool, "ranges");
	taken = xcalloc(n ? n : 1, sizeof(bool));
	json_object_foreach_safe(ranges, tmp, key, v)
	{
		json_int_t b = json_integer_value(json_object_get(v, "base"));

		/* the caller holds id's state dir: an entry of id is a leftover of a killed create */
		if (strcmp(key, id) == 0 || !in_use(root_fd, key, v)) {
			json_object_del(ranges, key);
			continue;
		}
		if (b >= start && b < (json_int_t)start + size && (b - start) % HR_USERNS_RANGE == 0)
			taken[(b - start) / HR_USERNS_RANGE] = true;
	}
	for (uint32_t i = 0; i < n; i++) {
		if (taken[i])
			continue;
		*base = start + i * HR_USERNS_RANGE;
		json_object_set_new(ranges, id,
				    json_pack("{s:I, s:I}", "base", (json_int_t)*base, "pid", (json_int_t)getpid()));
		r = write_pool(root_fd, pool, err);
		goto out;
	}
	hr_fail(err, ENOSPC, "user-namespace id pool: all %u ranges of 65536 ids from %u are in use", n, start);
out:
	json_decref(pool);
	return r;
}

int hr_idpool_release(int root_fd, const char *id, struct hr_err **err)
{
	cleanup_close int lock = lock_pool(root_fd, err);
	json_t *pool;
	int r = 0;

	if (lock < 0)
		return -1;
	pool = read_pool(root_fd, err);
	if (!pool)
		return -1;
	/* a writer killed between its write and its rename left this; writers hold the lock */
	if (unlinkat(root_fd, "." HR_IDPOOL_FILE ".tmp", 0) < 0 && errno != ENOENT)
		r = hr_fail(err, errno, "remove `.%s.tmp`", HR_IDPOOL_FILE);
	if (r == 0 && json_object_get(json_object_get(pool, "ranges"), id)) {
		json_object_del(json_object_get(pool, "ranges"), id);
		r = write_pool(root_fd, pool, err);
	}
	json_decref(pool);
	return r;
}
