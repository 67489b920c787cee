/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Log sinks: text on stderr, text or runc-shaped JSON lines in a file.
 * One write(2) per line so that concurrent writers (the shim reads the same
 * file) never see interleaved halves.
 */
#include <fcntl.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "hardrun/log.h"
#include "hardrun/strutil.h"

static int log_fd = -1;
static enum hr_log_format log_format = HR_LOG_FORMAT_TEXT;
static enum hr_log_level log_level = HR_LOG_WARN;
static bool log_stderr = true;

static const char *const level_names[] = {
	[HR_LOG_ERROR] = "error",
	[HR_LOG_WARN] = "warning",
	[HR_LOG_INFO] = "info",
	[HR_LOG_DEBUG] = "debug",
};

int hr_log_init(const char *path, enum hr_log_format format, enum hr_log_level level, bool stderr_enabled)
{
	log_format = format;
	log_level = level;
	log_stderr = stderr_enabled;
	if (path && *path) {
		int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);

		if (fd < 0)
			return -1;
		hr_log_close();
		log_fd = fd;
	}
	return 0;
}

void hr_log_set_fd(int fd, enum hr_log_format format)
{
	hr_log_close();
	log_fd = fd;
	log_format = format;
}

int hr_log_fd(void)
{
	return log_fd;
}

void hr_log_close(void)
{
	if (log_fd >= 0)
		close(log_fd);
	log_fd = -1;
}

void hr_log_set_stderr(bool enabled)
{
	log_stderr = enabled;
}

enum hr_log_level hr_log_get_level(void)
{
	return log_level;
}

void hr_log_msg(enum hr_log_level level, const char *fmt, ...)
{
	va_list ap;
	cleanup_free char *msg = NULL;
	cleanup_free char *line = NULL;
	int saved = errno;

	if (level > log_level)
		return;
	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);

	if (log_stderr) {
		cleanup_free char *text = xasprintf("hardrun: %s: %s\n", level_names[level], msg);

		(void)hr_write_all(2, text, strlen(text));
	}
	if (log_fd >= 0) {
		char ts[64];

		hr_time_rfc3339(ts, sizeof(ts));
		if (log_format == HR_LOG_FORMAT_JSON) {
			json_t *o = json_pack("{s:s, s:s, s:s}", "level", level_names[level], "msg", msg, "time", ts);
			char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;

			if (s)
				line = xasprintf("%s\n", s);
			free(s);
			json_decref(o);
		} else {
			line = xasprintf("time=\"%s\" level=%s msg=\"%s\"\n", ts, level_names[level], msg);
		}
		if (line)
			(void)hr_write_all(log_fd, line, strlen(line));
	}
	errno = saved;
}
