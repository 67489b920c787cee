/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Learned seccomp profiles: the set of (architecture, syscall name) a
 * workload used, and its OCI/Docker JSON form (defaultAction
 * SCMP_ACT_ERRNO, architectures, one SCMP_ACT_ALLOW rule whose names are
 * sorted).  Pure code: parsing, merging and writing the text only; the
 * recording (seccomp user notification) is seccomp_learn.c's, in
 * src/linux.  Never exits on bad input.
 */
#ifndef HARDRUN_SCPROF_H
#define HARDRUN_SCPROF_H

#include <stdbool.h>
#include <stddef.h>

#include "hardrun/error.h"

/* Both lists are sorted and free of duplicates. */
struct hr_scprof {
	char **archs; /* "SCMP_ARCH_X86_64", … */
	size_t n_archs;
	char **names; /* "read", "write", … */
	size_t n_names;
};

/* Whether s can be a syscall name in a profile: [a-z0-9_], 1–63 characters. */
bool hr_scprof_name_valid(const char *s);

/* Add a syscall name (copied); true when it was not there yet.  The name must be valid. */
bool hr_scprof_add_name(struct hr_scprof *p, const char *name);

/* Add an architecture token (copied); true when it was not there yet. */
bool hr_scprof_add_arch(struct hr_scprof *p, const char *arch);

/* Whether the profile holds name. */
bool hr_scprof_has_name(const struct hr_scprof *p, const char *name);

/*
 * Parse a learned profile (buf, len bytes) and add its architectures and
 * names to *p, so calling it for several files merges them.  Only what a
 * learned profile can say is accepted: defaultAction "SCMP_ACT_ERRNO"
 * (no errnoRet), architectures as SCMP_ARCH_* strings, and syscalls rules
 * of action "SCMP_ACT_ALLOW" with names and no args, errnoRet or
 * includes/excludes: merging anything else would silently loosen it.
 * Unknown top-level keys are refused too.  what names the input in
 * messages: "web.json: syscalls[2].action: expected SCMP_ACT_ALLOW
 * (a learned profile)"; syntax errors read "web.json:LINE:COL: …".  On
 * failure *p may hold part of the input: the caller frees it.
 */
int hr_scprof_parse(const char *buf, size_t len, const char *what, struct hr_scprof *p, struct hr_err **err);

/*
 * The profile as indented JSON text ending in a newline (new string):
 * {"defaultAction":"SCMP_ACT_ERRNO","architectures":[…],
 *  "syscalls":[{"names":[…],"action":"SCMP_ACT_ALLOW"}]}.
 * An empty names list gives "syscalls": [].
 */
char *hr_scprof_dump(const struct hr_scprof *p);

void hr_scprof_free(struct hr_scprof *p);

#endif
