/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Internal to src/runtime: the state root and per-container directories. */
#ifndef HARDRUN_RUNTIME_STATEDIR_H
#define HARDRUN_RUNTIME_STATEDIR_H

#include <stdbool.h>
#include <stddef.h>

#include "hardrun/error.h"
#include "hardrun/state.h"

#define HR_FIFO_NAME "exec.fifo"
/* the intent record (intent.h) of a verb that changes the dir; remove_dir knows it */
#define HR_INTENT_FILE "intent"

/* Open (creating with mode 0700 if missing) the state root; refuse one writable by others. */
int hr_statedir_open_root(const char *root, struct hr_err **err);
/* Create <root>/<id> and lock it; EEXIST when taken.  Returns the dir fd (locked). */
int hr_statedir_create(int root_fd, const char *id, struct hr_err **err);
/* Open and lock <root>/<id>; errnum ENOENT when missing. */
int hr_statedir_open(int root_fd, const char *id, struct hr_err **err);
/*
 * Open <root>/<id> for list without waiting: locked when *busy is false;
 * *busy true means another hardrun holds it (a create in progress, say).
 */
int hr_statedir_open_nb(int root_fd, const char *id, bool *busy, struct hr_err **err);
/* Write name in dir_fd atomically (temp file + rename). */
int hr_statedir_write(int dir_fd, const char *name, const char *data, size_t len, struct hr_err **err);
/* Read a whole file of dir_fd into a new buffer. */
int hr_statedir_read(int dir_fd, const char *name, char **buf, size_t *len, struct hr_err **err);
/* Read all of fd into a new NUL-terminated buffer; name is for messages. */
int hr_read_fd_all(int fd, const char *name, char **buf, size_t *len, struct hr_err **err);
/* Remove <root>/<id> and its files, the intent record last. */
int hr_statedir_remove(int root_fd, const char *id, struct hr_err **err);
/* Write a file anywhere atomically (pid files). */
int hr_write_file_atomic(const char *path, const char *data, size_t len, struct hr_err **err);

#endif
