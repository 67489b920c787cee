/* SPDX-License-Identifier: GPL-2.0-or-later */
/* state.json bytes → parse → serialise again → free. */
#include <stdint.h>
#include <stdlib.h>

#include "hardrun/state.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hr_state *st = NULL;
	struct hr_err *err = NULL;

	if (hr_state_parse_buf((const char *)data, size, &st, &err) == 0) {
		free(hr_state_to_json(st));
		free(hr_state_oci_json(st, HR_STATUS_RUNNING, false));
	}
	hr_state_free(st);
	hr_err_free(&err);
	return 0;
}
