/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The field validators that spec.c's table rows and objects name as their
 * .check (hr_spec_check_*): ranges and combinations a row's kind cannot
 * say, each failing with one line naming the JSON path.  No kernel calls.
 */
#include <errno.h>
#include <jansson.h>
#include <linux/mount.h>
#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include "hardrun/spec.h"
#include "hardrun/strutil.h"
#include "spec_table.h"

/* ---- the tables, innermost first ---- */

int hr_spec_check_version(const struct hr_spec_row *r, struct hr_spec_ctx *c, struct hr_err **err)
{
	const char *v = *hr_spec_str_at(c, r);
	cleanup_free char *p = NULL;

	if (hr_str_has_prefix(v, "1."))
		return 0;
	p = hr_spec_path(c->path, r->key);
	return hr_spec_fail(err, p, "unsupported version \"%s\"", v);
}

int hr_spec_check_idmap(const struct hr_spec_row *r, struct hr_spec_ctx *c, struct hr_err **err)
{
	const struct hr_idmap *m = c->obj;

	if (hr_spec_check_needed(r, c, err) < 0)
		return -1;
	if (m->size == 0)
		return hr_fail(err, 0, "config.json: %s.size: must be greater than 0", c->path);
	if ((uint64_t)m->container_id + m->size > 1ULL << 32 || (uint64_t)m->host_id + m->size > 1ULL << 32)
		return hr_spec_fail(err, c->path, "range out of bounds");
	return 0;
}

/* A relative destination is deprecated but defined: relative to "/". */
int hr_spec_check_destination(const struct hr_spec_row *r, struct hr_spec_ctx *c, struct hr_err **err)
{
	struct hr_mount *m = c->obj;

	(void)r;
	if (m->destination[0] == '\0')
		return hr_fail(err, 0, "config.json: %s.destination: must not be empty", c->path);
	if (m->destination[0] != '/') {
		char *absd = xasprintf("/%s", m->destination);

		free(m->destination);
		m->destination = absd;
	}
	if (!hr_path_is_clean_abs(m->destination))
		return hr_fail(err, 0, "config.json: %s.destination: must not contain \"..\"", c->path);
	return 0;
}

int hr_spec_check_mount_options(const struct hr_spec_row *r, struct hr_spec_ctx *c, struct hr_err **err)
{
	struct hr_mount *m = c->obj;
	cleanup_free char *p = hr_spec_path(c->path, r->key);

	return hr_mount_opts_parse(m->options, p, &m->opts, err);
}

int hr_spec_check_mount(const struct hr_spec_row *r, struct hr_spec_ctx *c, struct hr_err **err)
{
	const struct hr_mount *m = c->obj;

	(void)r;
	if ((m->n_uid_mappings == 0) != (m->n_gid_mappings == 0))
		return hr_spec_fail(err, c->path, "uidMappings and gidMappings go together");
	return 0;
}

int hr_spec_check_rlimit(const struct hr_spec_row *r, struct hr_spec_ctx *c, struct hr_err **err)
{
	const struct hr_rlimit *rl = c->obj, *prev = c->first;

	for (size_t k = 0; k < c->index; k++)
		if (prev[k].resource == rl->resource)
			return hr_fail(err, 0, "config.json: %s.type: duplicate rlimit \"%s\"", c->path,
				       *hr_spec_str_of(c, "type"));
	if (hr_spec_check_needed(r, c, err) < 0)
		return -1;
	if (rl->soft > rl->hard)
		return hr_spec_fail(err, c->path, "soft limit exceeds hard limit");
	return 0;
}

/* The first checks of process, before the members read after them. */
int hr_spec_check_process_args(const struct hr_spec_row *r, struct hr_spec_ctx *c, struct hr_err **err)
{
	const struct hr_process *pr = c->obj;

	(void)r;
	if (pr->args == NULL || pr->args[0] == NULL)
		return hr_fail(err, 0, "config.json: process.args: must have at least one element");
	if (pr->cwd == NULL)
		return hr_fail(err, 0, "config.json: process.cwd: required");
	if (pr->cwd[0] != '/')
		return hr_fail(err, 0, "config.json: process.cwd: must be an absolute path");
	for (char **e = pr->env; e && *e; e++)
		if (!strchr(*e, '=') || (*e)[0] == '=')
			return hr_fail(err, 0, "config.json: process.env[%td]: expected KEY=value", e - pr->env);
	return 0;
}

int hr_spec_check_hook_timeout(const struct hr_spec_row *r, struct hr_spec_ctx *c, struct hr_err **err)
{
	const struct hr_hook *h = c->obj;

	(void)r;
	if (h->has_timeout && h->timeout <= 0)
		return hr_fail(err, 0, "config.json: %s.timeout: must be greater than 0", c->path);
	return 0;
}

int hr_spec_check_device(const struct hr_spec_row *r, struct hr_spec_ctx *c, struct hr_err **err)
{
	const struct hr_device *d = c->obj;

	(void)r;
	if (d->type != 'p' && (!hr_spec_seen(c, "major") || !hr_spec_seen(c, "minor")))
		return hr_fail(err, 0, "config.json: %s: major and minor are required for type \"%c\"", c->path,
			       d->type);
	return 0;
}

int hr_spec_check_device_rule(const struct hr_spec_row *r, struct hr_spec_ctx *c, struct hr_err **err)
{
	const char *a = ((const struct hr_device_rule *)c->obj)->access;

	(void)r;
	if (a && (a[0] == '\0' || strspn(a, "rwm") != strlen(a)))
		return hr_fail(err, 0, "config.json: %s.access: must be letters of \"rwm\"", c->path);
	return 0;
}

/* docker sends swappiness -1 as 2^64-1, meaning "unset" */
int hr_spec_check_memory(const struct hr_spec_row *r, struct hr_spec_ctx *c, struct hr_err **err)
{
	struct hr_memory *m = c->obj;

	(void)r;
	if (m->has_swappiness && m->swappiness > 100 && m->swappiness != UINT64_MAX)
		return hr_fail(err, 0, "config.json: %s.swappiness: out of range", c->path);
	if (m->has_swappiness && m->swappiness == UINT64_MAX)
		m->has_swappiness = false;
	if (m->has_limit && m->limit < -1)
		return hr_fail(err, 0, "config.json: %s.limit: out of range", c->path);
	return 0;
}

int hr_spec_check_seccomp_arg(const struct hr_spec_row *r, struct hr_spec_ctx *c, struct hr_err **err)
{
	struct hr_seccomp_arg *sa = c->obj;
	const char *op = *hr_spec_str_of(c, "op");
	int opn;

	if (hr_spec_check_needed(r, c, err) < 0)
		return -1;
	opn = op ? hr_seccomp_op_parse(op) : -1;
	if (opn < 0)
		return hr_fail(err, 0, "config.json: %s.op: unknown operator \"%s\"", c->path, op);
	sa->op = (enum hr_seccomp_op)opn;
	return 0;
}

/* The deprecated single "name" joins "names". */
int hr_spec_check_rule_names(const struct hr_spec_row *r, struct hr_spec_ctx *c, struct hr_err **err)
{
	struct hr_seccomp_rule *rule = c->obj;
	const char *name = *hr_spec_str_at(c, r);

	if (name)
		hr_strv_push(&rule->names, name);
	if (!rule->names || !rule->names[0])
		return hr_fail(err, 0, "config.json: %s.names: must have at least one element", c->path);
	return 0;
}

static bool errno_action(enum hr_seccomp_action a)
{
	return a == HR_SCMP_ACT_ERRNO || a == HR_SCMP_ACT_TRACE;
}

int hr_spec_check_rule_action(const struct hr_spec_row *r, struct hr_spec_ctx *c, struct hr_err **err)
{
	const struct hr_seccomp_rule *rule = c->obj;
	const struct hr_seccomp *sc = c->parent;

	(void)r;
	if (rule->has_errno_ret && !errno_action(rule->action))
		return hr_fail(err, 0, "config.json: %s.errnoRet: only valid with SCMP_ACT_ERRNO and SCMP_ACT_TRACE",
			       c->path);
	if (rule->action == HR_SCMP_ACT_NOTIFY && !sc->listener_path)
		return hr_fail(err, 0, "config.json: %s.action: SCMP_ACT_NOTIFY requires linux.seccomp.listenerPath",
			       c->path);
	return 0;
}

/* The architectures the runtime-spec names for linux.seccomp. */
static bool seccomp_arch_known(const char *a)
{
	static const char *const known[] = {
		"SCMP_ARCH_X86",     "SCMP_ARCH_X86_64",   "SCMP_ARCH_X32",	    "SCMP_ARCH_ARM",
		"SCMP_ARCH_AARCH64", "SCMP_ARCH_MIPS",	   "SCMP_ARCH_MIPS64",	    "SCMP_ARCH_MIPS64N32",
		"SCMP_ARCH_MIPSEL",  "SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC",
		"SCMP_ARCH_PPC64",   "SCMP_ARCH_PPC64LE",  "SCMP_ARCH_S390",	    "SCMP_ARCH_S390X",
		"SCMP_ARCH_PARISC",  "SCMP_ARCH_PARISC64", "SCMP_ARCH_RISCV64",	    "SCMP_ARCH_LOONGARCH64",
		"SCMP_ARCH_M68K",    "SCMP_ARCH_SH",	   "SCMP_ARCH_SHEB",
	};

	for (size_t i = 0; i < HR_ARRAY_SIZE(known); i++)
		if (strcmp(a, known[i]) == 0)
			return true;
	return false;
}

static bool seccomp_flag_known(const char *f)
{
	return strcmp(f, "SECCOMP_FILTER_FLAG_TSYNC") == 0 || strcmp(f, "SECCOMP_FILTER_FLAG_LOG") == 0 ||
	       strcmp(f, "SECCOMP_FILTER_FLAG_SPEC_ALLOW") == 0 ||
	       strcmp(f, "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV") == 0;
}

int hr_spec_check_seccomp(const struct hr_spec_row *r, struct hr_spec_ctx *c, struct hr_err **err)
{
	const struct hr_seccomp *sc = c->obj;
	const char *P = c->path;

	(void)r;
	if (sc->has_default_errno_ret && !errno_action(sc->default_action))
		return hr_fail(err, 0,
			       "config.json: %s.defaultErrnoRet: only valid with SCMP_ACT_ERRNO and SCMP_ACT_TRACE", P);
	if (sc->listener_metadata && !sc->listener_path)
		return hr_fail(err, 0, "config.json: %s.listenerMetadata: requires listenerPath", P);
	/* one listener per container: the policy's filter never notifies */
	if (sc->listener_path && strcmp(P, "linux.seccomp") != 0)
		return hr_fail(err, 0, "config.json: %s.listenerPath: not supported", P);
	if (sc->listener_path && sc->listener_path[0] != '/')
		return hr_fail(err, 0, "config.json: %s.listenerPath: must be an absolute path", P);
	for (char **f = sc->flags; f && *f; f++)
		if (!seccomp_flag_known(*f))
			return hr_fail(err, 0, "config.json: %s.flags[%td]: unknown flag \"%s\"", P, f - sc->flags, *f);
	for (char **ar = sc->architectures; ar && *ar; ar++)
		if (!seccomp_arch_known(*ar))
			return hr_fail(err, 0, "config.json: %s.architectures[%td]: unknown architecture \"%s\"", P,
				       ar - sc->architectures, *ar);
	return 0;
}

/* The rootfs propagation always applies to the whole tree, as runc does. */
int hr_spec_check_propagation(const struct hr_spec_row *r, struct hr_spec_ctx *c, struct hr_err **err)
{
	static const struct {
		const char *name;
		unsigned long flags;
	} t[] = {
		{"shared", MS_SHARED},	       {"rshared", MS_SHARED},	       {"slave", MS_SLAVE},
		{"rslave", MS_SLAVE},	       {"private", MS_PRIVATE},	       {"rprivate", MS_PRIVATE},
		{"unbindable", MS_UNBINDABLE}, {"runbindable", MS_UNBINDABLE},
	};
	struct hr_linux *lx = c->obj;

	(void)r;
	if (!lx->rootfs_propagation)
		return 0;
	for (size_t i = 0; i < HR_ARRAY_SIZE(t); i++)
		if (strcmp(lx->rootfs_propagation, t[i].name) == 0) {
			lx->rootfs_propagation_flags = t[i].flags | MS_REC;
			return 0;
		}
	return hr_fail(err, 0, "config.json: linux.rootfsPropagation: unknown propagation \"%s\"",
		       lx->rootfs_propagation);
}

int hr_spec_check_personality_flags(const struct hr_spec_row *r, struct hr_spec_ctx *c, struct hr_err **err)
{
	json_t *flags = json_object_get(c->json, "flags");

	(void)r;
	if (flags && !(json_is_array(flags) && json_array_size(flags) == 0) && !json_is_null(flags))
		return hr_fail(err, 0, "config.json: linux.personality.flags: not supported by hardrun");
	return 0;
}

int hr_spec_check_time_offset(const struct hr_spec_row *r, struct hr_spec_ctx *c, struct hr_err **err)
{
	struct hr_time_offset *t = c->obj;

	(void)r;
	(void)err;
	t->present = true;
	return 0;
}

int hr_spec_check_root_path(const struct hr_spec_row *r, struct hr_spec_ctx *c, struct hr_err **err)
{
	(void)r;
	if (((struct hr_spec *)c->obj)->root_path[0] == '\0')
		return hr_fail(err, 0, "config.json: root.path: must not be empty");
	return 0;
}

/* The annotations that steer hardrun itself; others are the bundle's business. */
int hr_spec_check_annotations(const struct hr_spec_row *r, struct hr_spec_ctx *c, struct hr_err **err)
{
	struct hr_spec *s = c->obj;

	(void)r;
	for (size_t i = 0; i < s->n_annotations; i++) {
		const char *k = s->annotations[i].key, *v = s->annotations[i].value;

		if (strcmp(k, HR_ANN_ROOTFS_IDMAP) == 0) {
			if (strcmp(v, "true") != 0 && strcmp(v, "false") != 0)
				return hr_fail(err, 0,
					       "config.json: annotations.\"%s\": expected \"true\" or \"false\"", k);
			s->root_idmap = strcmp(v, "true") == 0;
		} else if (strcmp(k, HR_ANN_ROOTFS_IDMAP_FALLBACK) == 0) {
			if (strcmp(v, "refuse") != 0 && strcmp(v, "unmapped") != 0)
				return hr_fail(err, 0,
					       "config.json: annotations.\"%s\": expected \"refuse\" or \"unmapped\"",
					       k);
			s->root_idmap_unmapped = strcmp(v, "unmapped") == 0;
		} else if (strcmp(k, HR_SPEC_ANN_ROOTFS_NOSUID) == 0) {
			s->root_nosuid_nodev = strcmp(v, "true") == 0;
		}
	}
	return 0;
}
