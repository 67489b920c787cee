/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The harden rows on resource limits: the policy's ceilings on memory, cpu,
 * pids and the like, at create (hd_row_resources) and at update
 * (hr_harden_resources).
 */
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hardrun/harden.h"
#include "hardrun/spec.h"
#include "hardrun/strutil.h"
#include "harden_int.h"

/*
 * One limit: res[key] (an integer, absent or <= 0 meaning none) gets the
 * policy's default when it has none, and is lowered to the maximum.
 */
static int limit(struct hctx *h, json_t *obj, const char *key, const char *path, const struct hr_policy_limit *l)
{
	json_t *v = json_object_get(obj, key);
	json_int_t cur = json_is_integer(v) ? json_integer_value(v) : 0;

	if (v && !json_is_integer(v))
		return hd_bad_type(h, path, "an integer");
	if (cur <= 0) {
		if (!l->def)
			return 0;
		json_object_set_new(obj, key, json_integer(l->def));
		hd_decide(h, "3.14", HR_DECISION_ADDED, "%s %" PRId64, path, l->def);
		return 0;
	}
	if (l->max && cur > l->max) {
		if (hd_tighten(h, "3.14", "%s %" JSON_INTEGER_FORMAT " lowered to %" PRId64, path, cur, l->max) < 0)
			return -1;
		json_object_set_new(obj, key, json_integer(l->max));
		return 0;
	}
	hd_decide(h, "3.14", HR_DECISION_KEPT, "%s %" JSON_INTEGER_FORMAT, path, cur);
	return 0;
}

int hd_row_resources(struct hctx *h)
{
	const struct hr_policy *p = h->p;
	json_t *lnx, *res, *pids, *mem, *cpu, *lim;

	if ((!p->pids.def && !p->pids.max && !p->memory.def && !p->memory.max && !p->swap_equals_memory &&
	     !p->cpu_shares.def && !p->cpu_shares.max) ||
	    hd_exempt(h, "3.14"))
		return 0;
	lnx = hd_child(h->cfg, "linux");
	res = lnx ? hd_child(lnx, "resources") : NULL;
	pids = res ? hd_child(res, "pids") : NULL;
	mem = res ? hd_child(res, "memory") : NULL;
	cpu = res ? hd_child(res, "cpu") : NULL;
	if (!pids || !mem || !cpu)
		return hd_bad_type(h, "linux.resources", "objects");
	if (limit(h, pids, "limit", "linux.resources.pids.limit", &p->pids) < 0 ||
	    limit(h, mem, "limit", "linux.resources.memory.limit", &p->memory) < 0 ||
	    limit(h, cpu, "shares", "linux.resources.cpu.shares", &p->cpu_shares) < 0)
		return -1;
	lim = json_object_get(mem, "limit");
	if (p->swap_equals_memory && json_is_integer(lim) && json_integer_value(lim) > 0) {
		json_t *swap = json_object_get(mem, "swap");

		if (json_is_integer(swap) && json_integer_value(swap) == json_integer_value(lim)) {
			hd_decide(h, "3.14", HR_DECISION_KEPT, "linux.resources.memory.swap equals the memory limit");
		} else {
			/* no swap beyond memory is tighter than any bundle value, also an absent one */
			if (swap && json_is_integer(swap) && json_integer_value(swap) > 0 &&
			    json_integer_value(swap) < json_integer_value(lim)) {
				/* below the limit: already tighter, keep */
				hd_decide(h, "3.14", HR_DECISION_KEPT,
					  "linux.resources.memory.swap %" JSON_INTEGER_FORMAT,
					  json_integer_value(swap));
			} else {
				if (swap &&
				    hd_tighten(h, "3.14", "linux.resources.memory.swap set to the memory limit") < 0)
					return -1;
				if (!swap)
					hd_decide(h, "3.14", HR_DECISION_ADDED,
						  "linux.resources.memory.swap %" JSON_INTEGER_FORMAT " (no swap)",
						  json_integer_value(lim));
				json_object_set_new(mem, "swap", json_integer(json_integer_value(lim)));
			}
		}
	}
	/* empty objects the policy had nothing to put in are not left behind */
	if (!json_object_size(pids))
		json_object_del(res, "pids");
	if (!json_object_size(mem))
		json_object_del(res, "memory");
	if (!json_object_size(cpu))
		json_object_del(res, "cpu");
	return 0;
}

/* update: a value the bundle sends is held to the maximum; "no limit" (<= 0) becomes the maximum. */
static int update_limit(struct hctx *h, json_t *obj, const char *key, const char *path, const struct hr_policy_limit *l)
{
	json_t *v = json_object_get(obj, key);
	json_int_t cur;

	if (!v || !l->max)
		return 0;
	if (!json_is_integer(v))
		return hd_bad_type(h, path, "an integer");
	cur = json_integer_value(v);
	if (cur > 0 && cur <= l->max)
		return 0;
	if (cur <= 0 && hd_tighten(h, "3.14", "update: %s unlimited set to %" PRId64, path, l->max) < 0)
		return -1;
	if (cur > 0 &&
	    hd_tighten(h, "3.14", "update: %s %" JSON_INTEGER_FORMAT " lowered to %" PRId64, path, cur, l->max) < 0)
		return -1;
	json_object_set_new(obj, key, json_integer(l->max));
	return 0;
}

int hr_harden_resources(const struct hr_policy *p, json_t *res, const char *id, const json_t *annotations,
			struct hr_decisions *out, struct hr_err **err)
{
	struct hr_harden_ctx c = {.id = id};
	struct hctx h = {.p = p, .c = &c, .out = out, .err = err, .ann = (json_t *)annotations};
	json_t *mem = json_object_get(res, "memory"), *lim, *swap;

	h.name = hd_container_name(h.ann);
	if ((!p->pids.max && !p->memory.max && !p->cpu_shares.max && !p->swap_equals_memory) || hd_exempt(&h, "3.14"))
		return 0;
	if (update_limit(&h, json_object_get(res, "pids"), "limit", "pids.limit", &p->pids) < 0 ||
	    update_limit(&h, mem, "limit", "memory.limit", &p->memory) < 0 ||
	    update_limit(&h, json_object_get(res, "cpu"), "shares", "cpu.shares", &p->cpu_shares) < 0)
		return -1;
	lim = json_object_get(mem, "limit");
	swap = json_object_get(mem, "swap");
	if (p->swap_equals_memory && json_is_integer(lim) && json_integer_value(lim) > 0 &&
	    (!json_is_integer(swap) || json_integer_value(swap) <= 0 ||
	     json_integer_value(swap) > json_integer_value(lim))) {
		if (swap && hd_tighten(&h, "3.14", "update: memory.swap set to the memory limit") < 0)
			return -1;
		json_object_set_new(mem, "swap", json_integer(json_integer_value(lim)));
	}
	return 0;
}
