/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The harden rows on seccomp and AppArmor: the policy's profile, a
 * container-specific profile, the AppArmor profile name.
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

static int load_profile(struct hctx *h, const char *name, json_t **out)
{
	cleanup_free char *text = NULL;
	size_t len = 0;
	const char *builtin;
	json_error_t je;

	if (h->c->read_profile) {
		struct hr_err *e = NULL;

		if (h->c->read_profile(h->c->arg, h->p->seccomp_dir, name, &text, &len, &e) < 0) {
			if (e->errnum != ENOENT) {
				*h->err = e;
				return -1;
			}
			hr_err_free(&e);
		}
	}
	if (!text) {
		builtin = hr_policy_builtin_seccomp(name, &len);
		if (!builtin)
			return hr_fail(h->err, ENOENT, "seccomp profile \"%s\": no %s/%s.json and no built-in profile",
				       name, h->p->seccomp_dir, name);
		text = xstrndup(builtin, len);
	}
	*out = json_loadb(text, len, 0, &je);
	if (!*out || !json_is_object(*out)) {
		json_decref(*out);
		*out = NULL;
		return hr_fail(h->err, 0, "seccomp profile \"%s\":%d:%d: %s", name, je.line, je.column,
			       je.text[0] ? je.text : "expected an object");
	}
	return 0;
}

static bool name_allowed(const struct hr_policy *p, const char *name)
{
	for (char **a = p->seccomp_allowed; *a; a++)
		if (strcmp(*a, name) == 0)
			return true;
	return false;
}

int hd_row_seccomp(struct hctx *h)
{
	const char *asked = json_string_value(json_object_get(h->ann, HR_ANN_SECCOMP));
	const char *name = h->p->seccomp_profile;
	json_t *lnx, *prof = NULL;

	if (!asked && strcmp(name, "none") == 0)
		return 0;
	if (hd_exempt(h, "3.4"))
		return 0;
	if (asked && !name_allowed(h->p, asked))
		return hd_refuse(h, "3.4", "seccomp profile \"%s\" (annotation %s) is not allowed", asked,
				 HR_ANN_SECCOMP);
	if (asked)
		name = asked;
	if (strcmp(name, "none") == 0) {
		hd_decide(h, "3.4", HR_DECISION_KEPT, "seccomp profile \"none\": no policy filter");
		return 0;
	}
	lnx = hd_child(h->cfg, "linux");
	if (!lnx)
		return hd_bad_type(h, "linux", "an object");
	if (load_profile(h, name, &prof) < 0)
		return -1;
	if (!json_object_get(lnx, "seccomp")) {
		json_object_set_new(lnx, "seccomp", prof);
		hd_decide(h, "3.4", HR_DECISION_ADDED, "seccomp profile \"%s\"", name);
		return 0;
	}
	if (json_equal(json_object_get(lnx, "seccomp"), prof)) {
		/* a config hardened before (spec --hardened): one copy of the same filter is enough */
		json_decref(prof);
		hd_decide(h, "3.4", HR_DECISION_KEPT, "seccomp profile \"%s\" is the bundle's filter", name);
		return 0;
	}
	/* the kernel runs both filters and takes the stricter answer: never weaker than either */
	json_object_set_new(lnx, HR_POLICY_SECCOMP_KEY, prof);
	hd_decide(h, "3.4", HR_DECISION_ADDED, "seccomp profile \"%s\" stacked on the bundle's filter", name);
	return 0;
}

static int load_container_profile(struct hctx *h, const char *name, json_t **out)
{
	cleanup_free char *text = NULL;
	struct hr_err *e = NULL;
	json_error_t je;
	size_t len = 0;

	if (!h->c->read_profile)
		return hr_fail(h->err, ENOENT, "seccomp profile \"%s\": no %s/%s.json", name,
			       h->p->seccomp_container_dir, name);
	if (h->c->read_profile(h->c->arg, h->p->seccomp_container_dir, name, &text, &len, &e) < 0) {
		*h->err = e;
		return -1;
	}
	*out = json_loadb(text, len, 0, &je);
	if (!*out || !json_is_object(*out)) {
		json_decref(*out);
		*out = NULL;
		return hr_fail(h->err, 0, "seccomp profile %s/%s.json:%d:%d: %s", h->p->seccomp_container_dir, name,
			       je.line, je.column, je.text[0] ? je.text : "expected an object");
	}
	return 0;
}

static bool profile_name_ok(const char *s)
{
	return s && *s && !strchr(s, '/') && strcmp(s, ".") != 0 && strcmp(s, "..") != 0;
}

/*
 * CSVS 3.4's container-specific profile: learn mode (the launcher's
 * --seccomp-learn, seccomp.learn.containers, or the bundle's annotation)
 * or a profile stacked with every other filter (--seccomp-profile,
 * seccomp.profiles, or the annotation).  The operator's choices come
 * before the bundle's, and a bundle cannot trade a profile the operator
 * chose for learn mode.  Learn mode keeps every other filter: it only adds
 * the recorder's, so it never loosens the policy.
 */
int hd_row_seccomp_specific(struct hctx *h)
{
	const char *ask_learn = json_string_value(json_object_get(h->ann, HR_ANN_SECCOMP_LEARN));
	const char *ask_prof = json_string_value(json_object_get(h->ann, HR_ANN_SECCOMP_PROFILE));
	const char *who = h->name ? h->name : h->c->id;
	const char *pol_prof = hr_policy_seccomp_profile_for(h->p, h->c->id, h->name);
	cleanup_free char *learn = NULL;
	json_t *lnx, *prof = NULL;

	/* only harden writes where a learned profile goes: a bundle's own value is dropped */
	if (h->ann)
		json_object_del(h->ann, HR_SPEC_ANN_SECCOMP_LEARNING);
	if (h->c->learn_path)
		learn = xstrdup(h->c->learn_path);
	else if (hr_policy_seccomp_learns(h->p, h->c->id, h->name) && profile_name_ok(who))
		learn = xasprintf("%s/%s.json", h->p->seccomp_learn_dir, who);
	else if (ask_learn) {
		if (!profile_name_ok(ask_learn))
			return hd_refuse(h, "3.4", "annotation %s=\"%s\" is not a profile name", HR_ANN_SECCOMP_LEARN,
					 ask_learn);
		if (h->c->profile || pol_prof)
			return hd_refuse(h, "3.4", "annotation %s: the policy enforces seccomp profile \"%s\"",
					 HR_ANN_SECCOMP_LEARN, h->c->profile ? h->c->profile_name : pol_prof);
		learn = xasprintf("%s/%s.json", h->p->seccomp_learn_dir, ask_learn);
	}
	if (learn) {
		if (!h->ann) {
			h->ann = json_object();
			json_object_set_new(h->cfg, "annotations", h->ann);
		}
		json_object_set_new(h->ann, HR_SPEC_ANN_SECCOMP_LEARNING, json_string(learn));
		hd_decide(h, "3.4", HR_DECISION_ADDED,
			  HR_DECISION_SECCOMP_LEARN ": recording the calls into %s; no container-specific profile is "
						    "enforced",
			  learn);
		return 0;
	}
	if (ask_prof && !profile_name_ok(ask_prof))
		return hd_refuse(h, "3.4", "annotation %s=\"%s\" is not a profile name", HR_ANN_SECCOMP_PROFILE,
				 ask_prof);
	if (!h->c->profile && !pol_prof && !ask_prof)
		return 0;
	lnx = hd_child(h->cfg, "linux");
	if (!lnx)
		return hd_bad_type(h, "linux", "an object");
	if (h->c->profile) {
		prof = json_deep_copy(h->c->profile);
	} else if (load_container_profile(h, pol_prof ? pol_prof : ask_prof, &prof) < 0)
		return -1;
	/* stacked with the bundle's and the policy's filters: the kernel takes the strictest answer */
	json_object_set_new(lnx, HR_SPEC_PROFILE_SECCOMP, prof);
	if (h->c->profile)
		hd_decide(h, "3.4", HR_DECISION_ADDED, HR_DECISION_SECCOMP_SPECIFIC " \"%s\" (--seccomp-profile)",
			  h->c->profile_name);
	else
		hd_decide(h, "3.4", HR_DECISION_ADDED, HR_DECISION_SECCOMP_SPECIFIC " \"%s\" (%s/%s.json, %s)",
			  pol_prof ? pol_prof : ask_prof, h->p->seccomp_container_dir, pol_prof ? pol_prof : ask_prof,
			  pol_prof ? "seccomp.profiles" : "annotation " HR_ANN_SECCOMP_PROFILE);
	return 0;
}

int hd_row_apparmor(struct hctx *h)
{
	json_t *proc = json_object_get(h->cfg, "process");
	const char *have = json_string_value(json_object_get(proc, "apparmorProfile"));

	if (h->p->apparmor == HR_APPARMOR_OFF || hd_exempt(h, "apparmor"))
		return 0;
	if (have) {
		cleanup_free char *own = xasprintf("hardrun-%s", h->c->id);

		/*
		 * Without AppArmor create refuses the bundle's profile anyway;
		 * "unconfined" is the engine's explicit opt-out (docker
		 * --security-opt apparmor=unconfined), and a profile hardened
		 * before already carries ours.
		 */
		if (!h->c->apparmor_available || strcmp(have, "unconfined") == 0 ||
		    hr_policy_apparmor_is_own(have, h->c->id) || strstr(have, "//&")) {
			hd_decide(h, "apparmor", HR_DECISION_KEPT, "the bundle's profile %s", have);
			return 0;
		}
		/* a stack: every access must pass both, so the bundle's profile is never weakened */
		{
			cleanup_free char *stack = xasprintf("%s//&%s", own, have);

			hd_decide(h, "apparmor", HR_DECISION_ADDED,
				  "profile %s from the hardrun-default template stacked on %s", own, have);
			/* replaces (and frees) the string have points into */
			json_object_set_new(proc, "apparmorProfile", json_string(stack));
		}
		return 0;
	}
	if (!h->c->apparmor_available) {
		if (h->p->apparmor == HR_APPARMOR_REQUIRED)
			return hd_refuse(h, "apparmor", "the kernel has no AppArmor and the policy requires it");
		hd_decide(h, "apparmor", HR_DECISION_KEPT, "the kernel has no AppArmor: no profile");
		return 0;
	}
	{
		cleanup_free char *name = xasprintf("hardrun-%s", h->c->id);

		json_object_set_new(proc, "apparmorProfile", json_string(name));
		hd_decide(h, "apparmor", HR_DECISION_ADDED, "profile %s from the hardrun-default template", name);
	}
	return 0;
}
