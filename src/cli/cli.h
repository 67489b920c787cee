/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Internal to src/cli: the command table. */
#ifndef HARDRUN_CLI_H
#define HARDRUN_CLI_H

#include "hardrun/error.h"
#include "hardrun/runtime.h"

/* A command parses its own argv (argv[0] is the command name) and returns the exit status, or -1 with *err. */
/*
 * A path argument as the caller means it: relative ones are made absolute
 * against the cwd at parse time, as runc's filepath.Abs, because create
 * moves into the bundle before it writes a pid file or reads the state root
 * again.  The string lives until exit; NULL (with errno) when getcwd fails.
 */
const char *hr_cli_abspath(const char *arg);
/* The same for CMD's option FLAG into *out, or -1 with *err naming both. */
int hr_cli_abspath_opt(const char *cmd, const char *flag, const char *arg, const char **out, struct hr_err **err);

typedef int (*hr_cmd_fn)(const struct hr_rt *rt, int argc, char **argv, struct hr_err **err);

int hr_cmd_create(const struct hr_rt *rt, int argc, char **argv, struct hr_err **err);
int hr_cmd_start(const struct hr_rt *rt, int argc, char **argv, struct hr_err **err);
int hr_cmd_run(const struct hr_rt *rt, int argc, char **argv, struct hr_err **err);
int hr_cmd_exec(const struct hr_rt *rt, int argc, char **argv, struct hr_err **err);
int hr_cmd_ps(const struct hr_rt *rt, int argc, char **argv, struct hr_err **err);
int hr_cmd_pause(const struct hr_rt *rt, int argc, char **argv, struct hr_err **err);
int hr_cmd_resume(const struct hr_rt *rt, int argc, char **argv, struct hr_err **err);
int hr_cmd_update(const struct hr_rt *rt, int argc, char **argv, struct hr_err **err);
int hr_cmd_events(const struct hr_rt *rt, int argc, char **argv, struct hr_err **err);
int hr_cmd_checkpoint(const struct hr_rt *rt, int argc, char **argv, struct hr_err **err);
int hr_cmd_restore(const struct hr_rt *rt, int argc, char **argv, struct hr_err **err);
int hr_cmd_state(const struct hr_rt *rt, int argc, char **argv, struct hr_err **err);
int hr_cmd_kill(const struct hr_rt *rt, int argc, char **argv, struct hr_err **err);
int hr_cmd_delete(const struct hr_rt *rt, int argc, char **argv, struct hr_err **err);
int hr_cmd_list(const struct hr_rt *rt, int argc, char **argv, struct hr_err **err);
int hr_cmd_spec(const struct hr_rt *rt, int argc, char **argv, struct hr_err **err);
int hr_cmd_audit(const struct hr_rt *rt, int argc, char **argv, struct hr_err **err);
int hr_cmd_stop(const struct hr_rt *rt, int argc, char **argv, struct hr_err **err);
int hr_cmd_logs(const struct hr_rt *rt, int argc, char **argv, struct hr_err **err);
int hr_cmd_stats(const struct hr_rt *rt, int argc, char **argv, struct hr_err **err);
int hr_cmd_policy(const struct hr_rt *rt, int argc, char **argv, struct hr_err **err);
int hr_cmd_seccomp(const struct hr_rt *rt, int argc, char **argv, struct hr_err **err);
int hr_cmd_features(const struct hr_rt *rt, int argc, char **argv, struct hr_err **err);

#endif
