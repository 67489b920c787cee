/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Logging: stderr as text ("hardrun: level: msg") and, when configured, a
 * log file as text or as runc-shaped JSON lines
 * {"level":"…","msg":"…","time":"RFC3339"} which containerd reads.
 * Library code logs only warnings it handles itself; errors are returned.
 */
#ifndef HARDRUN_LOG_H
#define HARDRUN_LOG_H

#include <stdbool.h>

#include "hardrun/compiler.h"

enum hr_log_level {
	HR_LOG_ERROR = 0,
	HR_LOG_WARN,
	HR_LOG_INFO,
	HR_LOG_DEBUG,
};

enum hr_log_format {
	HR_LOG_FORMAT_TEXT = 0,
	HR_LOG_FORMAT_JSON,
};

/*
 * Configure the sinks.  path may be NULL (no file).  The file is opened
 * O_APPEND|O_CLOEXEC and kept open.  stderr_enabled controls the text copy on
 * stderr.  Returns -1 with errno set when the file cannot be opened.
 */
int hr_log_init(const char *path, enum hr_log_format format, enum hr_log_level level, bool stderr_enabled);

/* Use an already open fd as the file sink (e.g. the child's log pipe).  Takes ownership. */
void hr_log_set_fd(int fd, enum hr_log_format format);

/* The file sink fd or -1, so the spawner can keep it from leaking into the container. */
int hr_log_fd(void);

void hr_log_close(void);
/* Turn the stderr copy on or off (the CLI prints the final error itself). */
void hr_log_set_stderr(bool enabled);
enum hr_log_level hr_log_get_level(void);

void hr_log_msg(enum hr_log_level level, const char *fmt, ...) HR_PRINTF(2, 3);

#define hr_log_error(...) hr_log_msg(HR_LOG_ERROR, __VA_ARGS__)
#define hr_log_warn(...) hr_log_msg(HR_LOG_WARN, __VA_ARGS__)
#define hr_log_info(...) hr_log_msg(HR_LOG_INFO, __VA_ARGS__)
#define hr_log_debug(...)                                                                                              \
	do {                                                                                                           \
		if (hr_log_get_level() >= HR_LOG_DEBUG)                                                                \
			hr_log_msg(HR_LOG_DEBUG, __VA_ARGS__);                                                         \
	} while (0)

#endif
