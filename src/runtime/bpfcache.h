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

/*
 * *out (new) is sc compiled, as hr_seccomp_compile_bounded gives it, taken
 * from the cache when an entry compiled from the same text exists.  cfg
 * (cfg_len bytes) is the container's config.json text and member the key of
 * "linux" that sc was parsed from ("seccomp" or the policy's); without them
 * (NULL) nothing is cached.  Cache faults are never errors: the filter is
 * then compiled.
 */
int hr_bpf_cached(int root_fd, const char *cfg, size_t cfg_len, const char *member, const struct hr_seccomp *sc,
		  struct hr_bpf **out, struct hr_err **err);

#endif
