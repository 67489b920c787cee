/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * audit: which CSVS V3 controls hold for a running container (read from the
 * kernel) or a bundle (read from its config.json), at a chosen level.  Exit
 * status 0 exactly when no control required at that level fails, 2 when
 * one does, 1 when the audit could not be made.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "hardrun/audit.h"
#include "hardrun/strutil.h"

#define HR_AUDIT_EXIT_FAIL 2

static const struct option audit_opts[] = {
	{"bundle", required_argument, NULL, 'b'},
	{"as-is", no_argument, NULL, 'a'},
	{"level", required_argument, NULL, 'L'},
	{"format", required_argument, NULL, 'f'},
	{NULL, 0, NULL, 0},
};

int hr_cmd_audit(const struct hr_rt *rt, int argc, char **argv, struct hr_err **err)
{
	struct hr_audit_facts facts = {0};
	struct hr_audit_report *rep = NULL;
	const char *bundle = NULL;
	bool as_is = false;
	bool json = false;
	int level = HR_AUDIT_LEVEL_DEFAULT, c, rc;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long_only(argc, argv, "+b:", audit_opts, NULL)) != -1) {
		switch (c) {
		case 'b':
			bundle = optarg;
			break;
		case 'a':
			as_is = true;
			break;
		case 'L':
			if (hr_parse_int(optarg, &level) < 0 || level < HR_AUDIT_LEVEL_MIN ||
			    level > HR_AUDIT_LEVEL_MAX)
				return hr_fail(err, 0, "audit: --level: `%s`: expected 1, 2 or 3", optarg);
			break;
		case 'f':
			if (strcmp(optarg, "json") == 0)
				json = true;
			else if (strcmp(optarg, "text") != 0)
				return hr_fail(err, 0, "audit: --format: `%s`: expected text or json", optarg);
			break;
		default:
			return hr_fail(err, 0, "audit: unknown or incomplete option `%s`", argv[optind - 1]);
		}
	}
	if (bundle ? argc - optind != 0 : argc - optind != 1)
		return hr_fail(err, 0, bundle ? "audit: --bundle takes no ID" : "audit: expected ID or --bundle DIR");
	if (as_is && !bundle)
		return hr_fail(err, 0, "audit: --as-is goes with --bundle");
	rc = bundle ? hr_bundle_audit_facts(rt, bundle, as_is, &facts, err)
		    : hr_container_audit_facts(rt, argv[optind], &facts, err);
	if (rc == 0)
		rep = hr_audit_evaluate(&facts, level, err);
	hr_audit_facts_free(&facts);
	if (rep == NULL)
		return -1;
	if (json) {
		cleanup_free char *s = hr_audit_render_json(rep);

		fputs(s, stdout);
	} else {
		hr_audit_render_text(rep, stdout);
	}
	rc = rep->pass ? 0 : HR_AUDIT_EXIT_FAIL;
	hr_audit_report_free(rep);
	return rc;
}
