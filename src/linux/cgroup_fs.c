/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * File access for the cgroup module: one write(2) per value, whole-file
 * reads, flat-keyed parsing.  Every fd is O_CLOEXEC and closed before
 * returning; nothing here keeps state.  Files are never created: a missing
 * control file is an error, which keeps the fake test trees honest.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroup_int.h"
#include "hardrun/strutil.h"

struct cg_hier *hr_cgroup_find_hier(const struct hr_cgroup *cg, const char *controller)
{
	cleanup_free char *needle = NULL;

	if (controller[0] == '\0') {
		for (size_t i = 0; i < cg->n; i++)
			if (cg->h[i].v2)
				return &cg->h[i];
		return NULL;
	}
	needle = xasprintf(",%s,", controller);
	for (size_t i = 0; i < cg->n; i++)
		if (!cg->h[i].v2 && strstr(cg->h[i].ctrls, needle))
			return &cg->h[i];
	return NULL;
}

/* Test trees record every write so tests can check ordering. */
static void journal_write(const struct hr_cgroup *cg, const char *path, const char *value)
{
	cleanup_free char *jpath = NULL;
	cleanup_free char *line = NULL;
	cleanup_close int fd = -1;
	size_t plen = strlen(cg->fake_prefix);

	jpath = hr_path_join(cg->fake_prefix, "journal");
	fd = open(jpath, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return;
	line = xasprintf("%s %s\n", strncmp(path, cg->fake_prefix, plen) == 0 ? path + plen : path, value);
	(void)!write(fd, line, strlen(line));
}

int hr_cgroup_write(const struct hr_cgroup *cg, const char *dir, const char *file, const char *value,
		    struct hr_err **err)
{
	cleanup_free char *path = hr_path_join(dir, file);
	cleanup_close int fd = -1;
	size_t len = strlen(value);
	ssize_t w;

	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return hr_fail(err, errno, "open `%s`", path);
	do {
		w = write(fd, value, len);
	} while (w < 0 && errno == EINTR);
	if (w < 0)
		return hr_fail(err, errno, "write `%s` to `%s`", value, path);
	if ((size_t)w != len)
		return hr_fail(err, EIO, "write `%s` to `%s`: short write", value, path);
	if (cg->fake_prefix)
		journal_write(cg, path, value);
	return 0;
}

int hr_cgroup_write_i64(const struct hr_cgroup *cg, const char *dir, const char *file, int64_t v, struct hr_err **err)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%" PRId64, v);
	return hr_cgroup_write(cg, dir, file, buf, err);
}

int hr_cgroup_read(const char *dir, const char *file, char **out, struct hr_err **err)
{
	cleanup_free char *path = hr_path_join(dir, file);
	cleanup_free char *buf = NULL;
	cleanup_close int fd = -1;
	size_t len = 0, cap = 4096;
	ssize_t r;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return hr_fail(err, errno, "open `%s`", path);
	buf = xmalloc(cap);
	for (;;) {
		if (cap - len < 2) {
			cap *= 2;
			buf = xrealloc(buf, cap);
		}
		r = read(fd, buf + len, cap - len - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return hr_fail(err, errno, "read `%s`", path);
		if (r == 0)
			break;
		len += (size_t)r;
	}
	while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == ' '))
		len--;
	buf[len] = '\0';
	*out = steal_ptr(&buf);
	return 0;
}

int hr_cgroup_read_u64(const char *dir, const char *file, uint64_t *out, struct hr_err **err)
{
	cleanup_free char *s = NULL;

	const char *v;

	if (hr_cgroup_read(dir, file, &s, err) < 0)
		return -1;
	v = s ? s : ""; /* never NULL; says so to scan-build, which cannot see into xmalloc */
	if (strcmp(v, "max") == 0) {
		*out = HR_CGROUP_UNLIMITED;
		return 0;
	}
	if (hr_parse_u64(v, out) < 0) {
		cleanup_free char *path = hr_path_join(dir, file);

		return hr_fail(err, EINVAL, "read `%s`: `%s` is not a number", path, v);
	}
	return 0;
}

bool hr_cgroup_keyed_u64(const char *text, const char *key, uint64_t *out)
{
	size_t klen = strlen(key);
	const char *p = text;

	while (p && *p) {
		const char *eol = strchr(p, '\n');
		size_t llen = eol ? (size_t)(eol - p) : strlen(p);

		if (llen > klen && strncmp(p, key, klen) == 0 && p[klen] == ' ') {
			cleanup_free char *num = xstrndup(p + klen + 1, llen - klen - 1);

			return hr_parse_u64(num, out) == 0;
		}
		p = eol ? eol + 1 : NULL;
	}
	return false;
}

bool hr_cgroup_file_exists(const char *dir, const char *file)
{
	cleanup_free char *path = hr_path_join(dir, file);
	struct stat st;

	return lstat(path, &st) == 0;
}

bool hr_cgroup_word_in(const char *list, const char *word)
{
	size_t wlen = strlen(word);
	const char *p = list;

	while (p && *p) {
		size_t len;

		p += strspn(p, " \n\t");
		len = strcspn(p, " \n\t");
		if (len == wlen && strncmp(p, word, wlen) == 0)
			return true;
		p += len;
	}
	return false;
}
