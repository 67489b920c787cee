/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `hardrun seccomp merge A B…`: the union of learned seccomp profiles
 * (several runs of one service) on stdout.  Parsing and writing are
 * scprof.c's; this file only reads the files and prints.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "hardrun/scprof.h"
#include "hardrun/strutil.h"

static int read_path(const char *path, char **out, size_t *len, struct hr_err **err)
{
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t cap = 4096, n = 0;
	char *buf;

	if (fd < 0)
		return hr_fail(err, errno, "open `%s`", path);
	buf = xmalloc(cap);
	for (;;) {
		ssize_t r = read(fd, buf + n, cap - n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			free(buf);
			return hr_fail(err, errno, "read `%s`", path);
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (n > (16u << 20)) {
			free(buf);
			return hr_fail(err, EFBIG, "read `%s`", path);
		}
		if (n == cap)
			buf = xrealloc(buf, cap *= 2);
	}
	*out = buf;
	*len = n;
	return 0;
}

int hr_cmd_seccomp(const struct hr_rt *rt, int argc, char **argv, struct hr_err **err)
{
	struct hr_scprof p = {0};
	cleanup_free char *text = NULL;
	int r = -1;

	(void)rt;
	if (argc < 2 || strcmp(argv[1], "merge") != 0)
		return hr_fail(err, 0, "seccomp: expected `seccomp merge PROFILE...`");
	if (argc < 3)
		return hr_fail(err, 0, "seccomp merge: expected at least one profile");
	for (int i = 2; i < argc; i++) {
		cleanup_free char *buf = NULL;
		size_t len = 0;

		if (read_path(argv[i], &buf, &len, err) < 0 || hr_scprof_parse(buf, len, argv[i], &p, err) < 0) {
			hr_fail_wrap(err, "seccomp merge");
			goto out;
		}
	}
	text = hr_scprof_dump(&p);
	if (fputs(text, stdout) == EOF || fflush(stdout) == EOF) {
		hr_fail(err, errno, "seccomp merge: write the profile");
		goto out;
	}
	r = 0;
out:
	hr_scprof_free(&p);
	return r;
}
