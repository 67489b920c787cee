/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * config.json bytes → harden at levels 2 and 3 → the parser and validator
 * on the result → free.  Harden sees configs before the parser does, so it
 * must survive any JSON.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>

#include "hardrun/harden.h"
#include "hardrun/policy.h"
#include "hardrun/spec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hr_harden_ctx ctx = {.id = "fuzz", .bundle = "/b", .has_userns_base = true, .userns_base = 1000000};

	for (int level = 2; level <= 3; level++) {
		struct hr_policy *p = NULL;
		struct hr_err *err = NULL;
		struct hr_decisions d = {0};
		json_t *cfg = json_loadb((const char *)data, size, 0, NULL);

		if (cfg && hr_policy_parse(NULL, 0, "policy", level, &p, &err) == 0 &&
		    hr_harden(p, cfg, &ctx, &d, &err) == 0) {
			struct hr_spec *s = NULL;

			json_decref(hr_decisions_json(&d));
			if (hr_spec_parse(cfg, &s, &err) == 0)
				(void)hr_spec_validate(s, &err);
			hr_spec_free(s);
		}
		hr_err_free(&err);
		hr_decisions_clear(&d);
		json_decref(cfg);
		hr_policy_free(p);
	}
	return 0;
}
