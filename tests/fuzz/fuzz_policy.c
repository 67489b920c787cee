/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * policy.json bytes → hr_policy_parse → harden a fixed runc-like config
 * with it → the parser and validator on the result → free.  Any policy the
 * parser accepts must harden without crashing.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>

#include "hardrun/harden.h"
#include "hardrun/policy.h"
#include "hardrun/spec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char config[] =
	"{\"ociVersion\": \"1.0.2\", \"process\": {\"user\": {\"uid\": 0, \"gid\": 0}, \"args\": [\"sh\"], \"cwd\": "
	"\"/\", \"capabilities\": {\"bounding\": [\"CAP_KILL\", \"CAP_NET_RAW\"], \"inheritable\": [\"CAP_KILL\"]}},"
	" \"root\": {\"path\": \"rootfs\"}, \"annotations\": {\"org.hardrun.seccomp\": \"docker\"},"
	" \"mounts\": [{\"destination\": \"/proc\", \"type\": \"proc\", \"source\": \"proc\"},"
	" {\"destination\": \"/data\", \"source\": \"/srv/data\", \"options\": [\"rbind\"]}],"
	" \"linux\": {\"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"network\"}, {\"type\": \"ipc\"},"
	" {\"type\": \"uts\"}, {\"type\": \"mount\"}], \"resources\": {\"pids\": {\"limit\": 99999}}}}";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hr_policy *p = NULL;
	struct hr_err *err = NULL;
	struct hr_decisions d = {0};
	int64_t times[] = {1, 2, 3};
	struct hr_harden_ctx ctx = {.id = "fuzz",
				    .bundle = "/b",
				    .has_userns_base = true,
				    .userns_base = 1000000,
				    .failure_times = times,
				    .n_failures = 3,
				    .now = 4};
	json_t *cfg;

	if (hr_policy_parse((const char *)data, size, "policy.json", -1, &p, &err) < 0) {
		hr_err_free(&err);
		return 0;
	}
	free(hr_policy_dump(p));
	cfg = json_loads(config, 0, NULL);
	if (hr_harden(p, cfg, &ctx, &d, &err) == 0) {
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
	return 0;
}
