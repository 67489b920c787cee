/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Audit facts of a bundle, derived from its parsed config.json: what the
 * container would get if it were created as written.  Evidence quotes the
 * JSON path.  Pure; the runtime scans the rootfs for setuid files itself.
 */
#include <stdlib.h>
#include <string.h>

#include "hardrun/audit.h"
#include "hardrun/strutil.h"

#define SRC "config.json"

static char *cap_names(uint64_t mask)
{
	char *s = xstrdup("");

	for (int i = 0; i < 64; i++) {
		const char *name = hr_cap_name(i);
		char *next;

		if (!(mask & (1ULL << i)))
			continue;
		next = name ? xasprintf("%s%s%s", s, *s ? "," : "", name) : xasprintf("%s%s%d", s, *s ? "," : "", i);
		free(s);
		s = next;
	}
	if (*s == '\0') {
		free(s);
		s = xstrdup("[]");
	}
	return s;
}

static void set_caps(struct hr_audit_value *v, const char *set, uint64_t mask)
{
	cleanup_free char *name = xasprintf("process.capabilities.%s", set);
	cleanup_free char *text = cap_names(mask);

	hr_audit_value_set(v, name, text, SRC, mask);
}

static void set_u64(struct hr_audit_value *v, const char *name, bool has, int64_t val, bool zero_unset)
{
	char text[32];

	if (!has || val < 0 || (zero_unset && val == 0)) {
		hr_audit_value_set(v, name, has ? "unlimited" : "unset", SRC, HR_AUDIT_UNLIMITED);
		return;
	}
	snprintf(text, sizeof(text), "%lld", (long long)val);
	hr_audit_value_set(v, name, text, SRC, (uint64_t)val);
}

static bool has_opt(char *const *opts, const char *opt)
{
	for (char *const *o = opts; o && *o; o++)
		if (strcmp(*o, opt) == 0)
			return true;
	return false;
}

static void spec_mounts(const struct hr_spec *s, struct hr_audit_facts *f)
{
	f->mounts = xcalloc(s->n_mounts + 1, sizeof(*f->mounts));
	for (size_t i = 0; i < s->n_mounts; i++) {
		const struct hr_mount *sm = &s->mounts[i];
		struct hr_audit_mount *m = &f->mounts[f->n_mounts++];
		char *opts = xstrdup("");

		for (char **o = sm->options; o && *o; o++) {
			char *next = xasprintf("%s%s%s", opts, *opts ? "," : "", *o);

			free(opts);
			opts = next;
		}
		m->target = xstrdup(sm->destination);
		m->root = xstrdup(sm->opts.bind && sm->source ? sm->source : "/");
		m->fstype = xstrdup(sm->type ? sm->type : "bind");
		m->source = sm->source ? xstrdup(sm->source) : NULL;
		m->opts = opts;
		m->ro = has_opt(sm->options, "ro");
		m->nosuid = has_opt(sm->options, "nosuid");
		m->nodev = has_opt(sm->options, "nodev");
	}
	f->mounts_src = xstrdup(SRC " mounts");
	f->has_mounts = true;
}

static void spec_namespaces(const struct hr_spec *s, struct hr_audit_facts *f)
{
	static const struct {
		enum hr_audit_ns a;
		enum hr_ns_type t;
	} map[] = {{HR_AUDIT_NS_PID, HR_NS_PID},
		   {HR_AUDIT_NS_NET, HR_NS_NET},
		   {HR_AUDIT_NS_IPC, HR_NS_IPC},
		   {HR_AUDIT_NS_UTS, HR_NS_UTS}};
	const struct hr_namespace *user = &s->lnx.namespaces[HR_NS_USER];

	for (size_t i = 0; i < HR_ARRAY_SIZE(map); i++) {
		const struct hr_namespace *ns = &s->lnx.namespaces[map[i].t];
		cleanup_free char *name = xasprintf("linux.namespaces %s", hr_ns_type_name(map[i].t));
		cleanup_free char *text = NULL;

		if (!ns->present) {
			hr_audit_value_set(&f->ns[map[i].a], name, "absent, so the host's", SRC, 1);
			continue;
		}
		text = ns->path ? xasprintf("joins `%s`", ns->path) : xstrdup("new");
		hr_audit_value_set(&f->ns[map[i].a], name, text, SRC, 0);
	}
	if (user->present) {
		cleanup_free char *text = user->path ? xasprintf("joins `%s`", user->path) : xstrdup("new");
		cleanup_free char *maps = xstrdup("");

		hr_audit_value_set(&f->userns, "linux.namespaces user", text, SRC, 1);
		f->uid_maps = xcalloc(s->lnx.n_uid_mappings + 1, sizeof(*f->uid_maps));
		for (size_t i = 0; i < s->lnx.n_uid_mappings; i++) {
			const struct hr_idmap *m = &s->lnx.uid_mappings[i];
			char *next = xasprintf("%s%s%u %u %u", maps, *maps ? ", " : "", m->container_id, m->host_id,
					       m->size);

			free(maps);
			maps = next;
			f->uid_maps[f->n_uid_maps++] = *m;
		}
		if (s->lnx.n_uid_mappings)
			hr_audit_value_set(&f->uid_map, "linux.uidMappings", maps, SRC, s->lnx.n_uid_mappings);
	} else {
		hr_audit_value_set(&f->userns, "linux.namespaces user", "absent", SRC, 0);
	}
}

static void spec_resources(const struct hr_spec *s, struct hr_audit_facts *f)
{
	const struct hr_resources *r = &s->lnx.resources;
	bool res = s->lnx.has_resources;
	bool mem = res && r->has_memory, cpu = res && r->has_cpu;
	char text[32];

	set_u64(&f->mem_limit, "linux.resources.memory.limit", mem && r->memory.has_limit, r->memory.limit, true);
	set_u64(&f->swap_limit, "linux.resources.memory.swap", mem && r->memory.has_swap, r->memory.swap, true);
	set_u64(&f->pids_max, "linux.resources.pids.limit", res && r->has_pids, r->pids_limit, false);
	set_u64(&f->cpu_quota, "linux.resources.cpu.quota", cpu && r->cpu.has_quota, r->cpu.quota, true);
	if (cpu && r->cpu.has_shares && r->cpu.shares > 0) {
		snprintf(text, sizeof(text), "%llu", (unsigned long long)r->cpu.shares);
		hr_audit_value_set(&f->cpu_weight, "linux.resources.cpu.shares", text, SRC, r->cpu.shares);
	} else {
		hr_audit_value_set(&f->cpu_weight, "linux.resources.cpu.shares", "unset", SRC, 1024);
	}
}

static void spec_process(const struct hr_process *p, struct hr_audit_facts *f)
{
	const char *base;
	char text[32];
	size_t n = 0;

	set_caps(&f->cap_eff, "effective", p->caps.effective);
	set_caps(&f->cap_prm, "permitted", p->caps.permitted);
	set_caps(&f->cap_bnd, "bounding", p->caps.bounding);
	set_caps(&f->cap_inh, "inheritable", p->caps.inheritable);
	set_caps(&f->cap_amb, "ambient", p->caps.ambient);
	hr_audit_value_set(&f->no_new_privs, "process.noNewPrivileges", p->no_new_privileges ? "true" : "false", SRC,
			   p->no_new_privileges ? 1 : 0);
	snprintf(text, sizeof(text), "%u", (unsigned)p->user.uid);
	hr_audit_value_set(&f->uid, "process.user.uid", text, SRC, p->user.uid);
	if (p->apparmor_profile || p->selinux_label) {
		cleanup_free char *t = xstrdup(p->apparmor_profile ? p->apparmor_profile : p->selinux_label);

		hr_audit_value_set(&f->lsm, p->apparmor_profile ? "process.apparmorProfile" : "process.selinuxLabel", t,
				   SRC, 1);
	} else {
		hr_audit_value_set(&f->lsm, "process.apparmorProfile", "unset, and no process.selinuxLabel", SRC, 0);
	}
	base = strrchr(p->args[0], '/');
	base = base ? base + 1 : p->args[0];
	if (hr_audit_remote_daemon(base)) {
		cleanup_free char *d = xasprintf("process.args[0] `%s` in " SRC, p->args[0]);

		hr_strv_push(&f->daemons, d);
	}
	{
		cleanup_free char *t = xasprintf("`%s`", p->args[0]);

		hr_audit_value_set(&f->procs, "process.args[0]", t, SRC, 1);
	}
	for (char **e = p->env; e && *e; e++) {
		const char *eq = strchr(*e, '=');
		size_t len = eq ? (size_t)(eq - *e) : strlen(*e);

		n++;
		if (hr_audit_secret_name(*e, len)) {
			cleanup_free char *name = xstrndup(*e, len);

			hr_strv_push(&f->secret_names, name);
		}
	}
	snprintf(text, sizeof(text), "%zu variables", n);
	hr_audit_value_set(&f->env, "process.env", text, SRC, n);
}

void hr_audit_facts_from_spec(const struct hr_spec *spec, const char *bundle, struct hr_audit_facts *f)
{
	const struct hr_seccomp *sc = spec->lnx.seccomp;

	f->subject = xstrdup(bundle);
	f->kernel = false;
	if (spec->process) {
		spec_process(spec->process, f);
	} else {
		hr_audit_value_absent(&f->cap_eff, "process", "absent", SRC);
		hr_audit_value_absent(&f->cap_prm, "process", "absent", SRC);
		hr_audit_value_absent(&f->cap_amb, "process", "absent", SRC);
		hr_audit_value_absent(&f->no_new_privs, "process", "absent", SRC);
		hr_audit_value_absent(&f->uid, "process", "absent", SRC);
		hr_audit_value_absent(&f->procs, "process", "absent", SRC);
		hr_audit_value_absent(&f->env, "process", "absent", SRC);
		hr_audit_value_set(&f->lsm, "process", "absent", SRC, 0);
	}
	if (sc) {
		cleanup_free char *t = xasprintf("defaultAction %s, %zu rules",
						 hr_seccomp_action_name(sc->default_action), sc->n_rules);

		hr_audit_value_set(&f->seccomp, "linux.seccomp", t, SRC, 2);
	} else {
		hr_audit_value_set(&f->seccomp, "linux.seccomp", "absent", SRC, 0);
	}
	hr_audit_value_set(&f->rootfs_ro, "root.readonly", spec->root_readonly ? "true" : "false", SRC,
			   spec->root_readonly ? 1 : 0);
	spec_mounts(spec, f);
	spec_namespaces(spec, f);
	spec_resources(spec, f);
	hr_audit_value_absent(&f->setuid_scan, "rootfs", "not scanned", SRC);
}
