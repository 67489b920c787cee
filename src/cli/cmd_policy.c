/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `policy show [--level N]`: the effective hardening policy as JSON, every key with its value. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "hardrun/policy.h"
#include "hardrun/strutil.h"

static const struct option policy_opts[] = {
	{"level", required_argument, NULL, 'L'},
	{NULL, 0, NULL, 0},
};

int hr_cmd_policy(const struct hr_rt *rt, int argc, char **argv, struct hr_err **err)
{
	struct hr_policy *p = NULL;
	cleanup_free char *text = NULL;
	int level = -1, c;

	optind = 1;
	opterr = 0;
	if (argc < 2 || strcmp(argv[1], "show") != 0)
		return hr_fail(err, 0, "policy: expected `policy show [--level N]`");
	argc--;
	argv++;
	while ((c = getopt_long_only(argc, argv, "+", policy_opts, NULL)) != -1) {
		if (c == 'L' && hr_parse_int(optarg, &level) == 0 && level >= 0 && level <= HR_POLICY_LEVEL_MAX)
			continue;
		if (c == 'L')
			return hr_fail(err, 0, "policy show: --level: expected 0 to %d, not `%s`", HR_POLICY_LEVEL_MAX,
				       optarg);
		return hr_fail(err, 0, "policy show: unknown or incomplete option `%s`", argv[optind - 1]);
	}
	if (optind != argc)
		return hr_fail(err, 0, "policy show: unexpected argument `%s`", argv[optind]);
	if (level >= 0 ? hr_policy_parse(NULL, 0, "policy", level, &p, err) < 0
		       : hr_runtime_policy_load(rt, &p, err) < 0)
		return hr_fail_wrap(err, "policy show");
	text = hr_policy_dump(p);
	printf("%s\n", text);
	hr_policy_free(p);
	return 0;
}
