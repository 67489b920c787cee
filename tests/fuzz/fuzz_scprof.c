/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A learned seccomp profile's bytes → parse (merge into an empty set) → write → parse the output again → free. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hardrun/scprof.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hr_scprof p = {0};
	struct hr_err *err = NULL;

	if (hr_scprof_parse((const char *)data, size, "fuzz", &p, &err) == 0) {
		char *s = hr_scprof_dump(&p);
		struct hr_scprof q = {0};

		/* the writer's text must always parse back */
		if (hr_scprof_parse(s, strlen(s), "dump", &q, &err) < 0 || q.n_names != p.n_names)
			abort();
		hr_scprof_free(&q);
		free(s);
	}
	hr_scprof_free(&p);
	hr_err_free(&err);
	return 0;
}
