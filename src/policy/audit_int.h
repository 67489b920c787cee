/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Internal to src/policy: the verdict a control's check gives before the level is applied. */
#ifndef HARDRUN_POLICY_AUDIT_INT_H
#define HARDRUN_POLICY_AUDIT_INT_H

#include "hardrun/audit.h"

enum hr_audit_raw {
	HR_RAW_PASS = 0,
	HR_RAW_VIOLATED, /* FAIL when required at the level, else WARN */
	HR_RAW_WARN,	 /* holds, but with something worth a look */
	HR_RAW_NA,
};

struct hr_audit_verdict {
	enum hr_audit_raw raw;
	char *evidence; /* new string, parts joined by "; " */
};

/* Append one part to v->evidence. */
void hr_audit_ev(struct hr_audit_verdict *v, const char *fmt, ...) HR_PRINTF(2, 3);

#endif
