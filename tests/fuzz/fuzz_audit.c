/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The audit parsers, then evaluation at every level and both renderers.
 * The first byte picks the parser ('0' status, '1' uid_map, '2' mountinfo,
 * '3' environ, '4' decisions.json, '5' tainted; its high bit says kernel
 * facts or config facts); the rest is the file's content.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "hardrun/audit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hr_audit_facts f = {0};
	struct hr_err *err = NULL;
	const char *buf = (const char *)data + 1;
	size_t len = size - 1;
	int rc = 0;

	if (size < 1)
		return 0;
	f.kernel = (data[0] & 0x80) != 0;
	switch (data[0] % 6) {
	case 0:
		rc = hr_audit_parse_status(buf, len, "/proc/1/status", &f, &err);
		break;
	case 1:
		rc = hr_audit_parse_uid_map(buf, len, "/proc/1/uid_map", &f, &err);
		break;
	case 2:
		rc = hr_audit_parse_mountinfo(buf, len, "/proc/1/mountinfo", &f, &err);
		break;
	case 3:
		hr_audit_parse_environ(buf, len, "/proc/1/environ", &f);
		break;
	case 4:
		rc = hr_audit_parse_decisions(buf, len, &f, &err);
		break;
	default:
		rc = hr_audit_parse_tainted(buf, len, &f, &err);
		break;
	}
	/* a failed parse may leave facts half-filled: evaluating them must still be safe */
	(void)rc;
	for (int level = HR_AUDIT_LEVEL_MIN; level <= HR_AUDIT_LEVEL_MAX; level++) {
		struct hr_audit_report *r = hr_audit_evaluate(&f, level, &err);
		FILE *out = fopen("/dev/null", "we");

		if (r == NULL)
			abort();
		free(hr_audit_render_json(r));
		if (out) {
			hr_audit_render_text(r, out);
			fclose(out);
		}
		hr_audit_report_free(r);
	}
	hr_audit_facts_free(&f);
	hr_err_free(&err);
	return 0;
}
