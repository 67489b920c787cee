/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The audit facts' values and lifetime: set a value with its source, mark
 * it absent with the reason, free the whole set.  A leaf below the parsers
 * (audit_parse.c, audit_spec.c) that fill the facts and the report
 * (audit.c, csvs.c) that reads them; it calls none of them.
 */
#include <stdlib.h>
#include <string.h>

#include "hardrun/audit.h"
#include "hardrun/strutil.h"

static void value_clear(struct hr_audit_value *v)
{
	free(v->name);
	free(v->text);
	free(v->src);
	memset(v, 0, sizeof(*v));
}

void hr_audit_value_set(struct hr_audit_value *v, const char *name, const char *text, const char *src, uint64_t num)
{
	value_clear(v);
	v->present = true;
	v->name = xstrdup(name);
	v->text = xstrdup(text);
	v->src = xstrdup(src);
	v->num = num;
}

void hr_audit_value_absent(struct hr_audit_value *v, const char *name, const char *why, const char *src)
{
	value_clear(v);
	v->name = xstrdup(name);
	v->text = xstrdup(why);
	v->src = xstrdup(src);
}

void hr_audit_facts_free(struct hr_audit_facts *f)
{
	struct hr_audit_value *vals[] = {
		&f->cap_eff,	 &f->cap_prm,	      &f->cap_bnd,    &f->cap_inh,  &f->cap_amb,   &f->no_new_privs,
		&f->seccomp,	 &f->seccomp_filters, &f->uid,	      &f->userns,   &f->uid_map,   &f->rootfs_ro,
		&f->lsm,	 &f->mem_limit,	      &f->swap_limit, &f->pids_max, &f->cpu_quota, &f->cpu_weight,
		&f->setuid_scan, &f->procs,	      &f->env,	      &f->tainted,
	};

	if (f == NULL)
		return;
	for (size_t i = 0; i < HR_ARRAY_SIZE(vals); i++)
		value_clear(vals[i]);
	for (size_t i = 0; i < HR_AUDIT_NS_COUNT; i++)
		value_clear(&f->ns[i]);
	for (size_t i = 0; i < f->n_mounts; i++) {
		free(f->mounts[i].target);
		free(f->mounts[i].root);
		free(f->mounts[i].fstype);
		free(f->mounts[i].source);
		free(f->mounts[i].opts);
	}
	free(f->mounts);
	for (size_t i = 0; i < f->n_decisions; i++) {
		free(f->decisions[i].control);
		free(f->decisions[i].action);
		free(f->decisions[i].detail);
	}
	free(f->decisions);
	free(f->uid_maps);
	free(f->mounts_src);
	free(f->subject);
	hr_strv_free(f->setuid_files);
	hr_strv_free(f->daemons);
	hr_strv_free(f->secret_names);
	memset(f, 0, sizeof(*f));
}
