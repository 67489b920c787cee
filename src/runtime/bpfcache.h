/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Compiled seccomp filters, kept under the state root by what they were
 * compiled from.  See bpfcache.c.
 */
#ifndef HARDRUN_RUNTIME_BPFCACHE_H
#define HARDRUN_RUNTIME_BPFCACHE_H

#include <stddef.h>

#include "hardrun/error.h"
#include "hardrun/seccomp.h"

struct json_t;

/*
 * *out (new) is sc compiled, as hr_seccomp_compile_bounded gives it, taken
 * from the cache when an entry compiled from the same text exists.  src
 * (borrowed) is the JSON object sc was parsed from (linux.seccomp or the
 * policy's filter); with NULL nothing is cached.  Cache faults are never
 * errors: the filter is then compiled.
 */
int hr_bpf_cached(int root_fd, const struct json_t *src, const struct hr_seccomp *sc, struct hr_bpf **out,
		  struct hr_err **err);

#endif
