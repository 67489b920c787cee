/* SPDX-License-Identifier: GPL-2.0-or-later */
/* config.json bytes → parse → validate → free.  Must never crash, leak or exit. */
#include <stdint.h>
#include <stdlib.h>

#include "hardrun/spec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hr_spec *s = NULL;
	struct hr_err *err = NULL;

	if (hr_spec_load_buf((const char *)data, size, &s, &err) == 0)
		(void)hr_spec_validate(s, &err);
	hr_spec_free(s);
	hr_err_free(&err);
	return 0;
}
