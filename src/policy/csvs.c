/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The OWASP CSVS V3 controls 3.1–3.15 with their levels, plus the hardening
 * rules of the requirement documents (LSM, nosuid/nodev, setuid files,
 * memory and swap, CPU, host namespaces, secrets in the environment), and
 * for each the check that turns facts into a verdict with evidence quoting
 * where the fact came from.  Pure: reads facts only, never the system.
 * Controls a runtime cannot decide (image provenance, Dockerfiles,
 * packages, service authentication) say so as N/A instead of guessing.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "audit_int.h"
#include "hardrun/harden.h"
#include "hardrun/strutil.h"

#define CAPBIT(n) (1ULL << (n))
/* CAP_CHOWN 0, DAC_OVERRIDE 1, FOWNER 3, FSETID 4, KILL 5, SETGID 6, SETUID 7, SETPCAP 8, NET_BIND_SERVICE 10 */
#define CAPS_HARDRUN                                                                                                   \
	(CAPBIT(0) | CAPBIT(1) | CAPBIT(3) | CAPBIT(4) | CAPBIT(5) | CAPBIT(6) | CAPBIT(7) | CAPBIT(8) | CAPBIT(10))
/* Docker's default adds NET_RAW 13, SYS_CHROOT 18, MKNOD 27, AUDIT_WRITE 29, SETFCAP 31. */
#define CAPS_DOCKER (CAPS_HARDRUN | CAPBIT(13) | CAPBIT(18) | CAPBIT(27) | CAPBIT(29) | CAPBIT(31))

void hr_audit_ev(struct hr_audit_verdict *v, const char *fmt, ...)
{
	va_list ap;
	char *part, *joined;

	va_start(ap, fmt);
	part = xvasprintf(fmt, ap);
	va_end(ap);
	if (v->evidence == NULL) {
		v->evidence = part;
		return;
	}
	joined = xasprintf("%s; %s", v->evidence, part);
	free(part);
	free(v->evidence);
	v->evidence = joined;
}

/* "Name: text in src", or "Name: not read (why) in src". */
static void ev_value(struct hr_audit_verdict *v, const struct hr_audit_value *val)
{
	if (val->present)
		hr_audit_ev(v, "%s: %s in %s", val->name, val->text, val->src);
	else
		hr_audit_ev(v, "%s: not read (%s) in %s", val->name ? val->name : "?", val->text ? val->text : "absent",
			    val->src ? val->src : "?");
}

/* The fact is missing: N/A quoting why. */
static bool need(struct hr_audit_verdict *v, const struct hr_audit_value *val)
{
	if (val->present)
		return true;
	v->raw = HR_RAW_NA;
	ev_value(v, val);
	return false;
}

/* "CAP_SYS_ADMIN,CAP_NET_RAW" for the bits of mask; new string. */
static char *cap_list(uint64_t mask)
{
	char *s = xstrdup("");

	for (int i = 0; i < 64; i++) {
		const char *name;
		char *next;

		if (!(mask & CAPBIT(i)))
			continue;
		name = hr_cap_name(i);
		next = name ? xasprintf("%s%s%s", s, *s ? "," : "", name)
			    : xasprintf("%s%scapability %d", s, *s ? "," : "", i);
		free(s);
		s = next;
	}
	return s;
}

static void eval_privs(const struct hr_audit_facts *f, struct hr_audit_verdict *v)
{
	const struct hr_audit_value *held[] = {&f->cap_eff, &f->cap_prm, &f->cap_amb};
	uint64_t any = 0;

	for (size_t i = 0; i < HR_ARRAY_SIZE(held); i++) {
		if (!need(v, held[i]))
			return;
		any |= held[i]->num;
	}
	for (size_t i = 0; i < HR_ARRAY_SIZE(held); i++) {
		cleanup_free char *extra = cap_list(held[i]->num & ~CAPS_DOCKER);

		if (*extra) {
			v->raw = HR_RAW_VIOLATED;
			ev_value(v, held[i]);
			hr_audit_ev(v, "holds %s, beyond Docker's default set", extra);
			return;
		}
	}
	if (f->cap_bnd.present && (f->cap_bnd.num & ~CAPS_DOCKER)) {
		cleanup_free char *extra = cap_list(f->cap_bnd.num & ~CAPS_DOCKER);

		v->raw = HR_RAW_WARN;
		ev_value(v, &f->cap_bnd);
		hr_audit_ev(v, "the bounding set keeps %s, which a file capability could raise", extra);
		return;
	}
	if (any & ~CAPS_HARDRUN) {
		cleanup_free char *extra = cap_list(any & ~CAPS_HARDRUN);

		v->raw = HR_RAW_WARN;
		ev_value(v, &f->cap_eff);
		hr_audit_ev(v, "holds %s, which hardrun's default policy drops", extra);
		return;
	}
	ev_value(v, &f->cap_eff);
	ev_value(v, &f->cap_prm);
	ev_value(v, &f->cap_amb);
}

static void eval_userns(const struct hr_audit_facts *f, struct hr_audit_verdict *v)
{
	if (!need(v, &f->userns))
		return;
	ev_value(v, &f->userns);
	if (f->uid_map.present)
		ev_value(v, &f->uid_map);
	if (f->userns.num != 1)
		v->raw = HR_RAW_VIOLATED;
}

/* The uid the container sees for host uid `host`, through the uid map; -1 when unmapped. */
static int64_t inside_uid(const struct hr_audit_facts *f, uint64_t host)
{
	for (size_t i = 0; i < f->n_uid_maps; i++) {
		const struct hr_idmap *m = &f->uid_maps[i];

		if (host >= m->host_id && host - m->host_id < m->size)
			return (int64_t)m->container_id + (int64_t)(host - m->host_id);
	}
	return -1;
}

static void eval_user(const struct hr_audit_facts *f, struct hr_audit_verdict *v)
{
	int64_t in;

	if (!need(v, &f->uid))
		return;
	ev_value(v, &f->uid);
	if (!f->kernel || f->userns.num != 1) {
		/* the config's uid is the container's; without a user namespace it is the host's too */
		in = (int64_t)f->uid.num;
		if (f->kernel)
			hr_audit_ev(v, "no user namespace: uid %lld on the host too", (long long)in);
	} else {
		in = inside_uid(f, f->uid.num);
		if (in < 0) {
			v->raw = HR_RAW_NA;
			hr_audit_ev(v, "uid %llu is not in the container's uid_map", (unsigned long long)f->uid.num);
			return;
		}
		hr_audit_ev(v, "uid %lld in the container", (long long)in);
	}
	if (in == 0) {
		v->raw = HR_RAW_VIOLATED;
		hr_audit_ev(v, "the workload runs as root");
	}
}

/* A decision of the policy engine for this control with this action. */
static const struct hr_audit_decision *decision(const struct hr_audit_facts *f, const char *control, const char *action)
{
	for (size_t i = 0; i < f->n_decisions; i++)
		if (strcmp(f->decisions[i].control, control) == 0 && strcmp(f->decisions[i].action, action) == 0)
			return &f->decisions[i];
	return NULL;
}

static void eval_seccomp(const struct hr_audit_facts *f, struct hr_audit_verdict *v)
{
	if (!need(v, &f->seccomp))
		return;
	ev_value(v, &f->seccomp);
	if (f->seccomp_filters.present)
		ev_value(v, &f->seccomp_filters);
	if (f->seccomp.num == 0) {
		v->raw = HR_RAW_VIOLATED;
		hr_audit_ev(v, "no seccomp filter");
		return;
	}
	/*
	 * 3.4 asks for a profile made for this container.  Neither the kernel
	 * (it counts filters) nor a config (Docker's default looks like any
	 * other) says whose profile it is; only the policy engine's record does.
	 */
	for (size_t i = 0; i < f->n_decisions; i++) {
		const struct hr_audit_decision *d = &f->decisions[i];

		if (strcmp(d->control, "3.4") == 0 && hr_str_has_prefix(d->detail, HR_DECISION_SECCOMP_LEARN)) {
			/* the recorder lets every call through: nothing of the container's own is enforced */
			v->raw = HR_RAW_VIOLATED;
			hr_audit_ev(v, "learning: no container-specific profile is enforced");
			return;
		}
	}
	for (size_t i = 0; i < f->n_decisions; i++) {
		const struct hr_audit_decision *d = &f->decisions[i];

		if (strcmp(d->control, "3.4") == 0 && strcmp(d->action, "refused") != 0 &&
		    hr_str_has_prefix(d->detail, HR_DECISION_SECCOMP_SPECIFIC))
			return;
	}
	v->raw = HR_RAW_WARN;
	if (decision(f, "3.4", "kept") || decision(f, "3.4", "tightened") || decision(f, "3.4", "added"))
		hr_audit_ev(v, "the policy's filter is loaded, but no container-specific profile");
	else
		hr_audit_ev(v, "a filter is loaded, but no policy decision says it was chosen for this container");
}

static void eval_nnp(const struct hr_audit_facts *f, struct hr_audit_verdict *v)
{
	if (!need(v, &f->no_new_privs))
		return;
	ev_value(v, &f->no_new_privs);
	if (f->no_new_privs.num != 1)
		v->raw = HR_RAW_VIOLATED;
}

static void na(struct hr_audit_verdict *v, const char *why)
{
	v->raw = HR_RAW_NA;
	hr_audit_ev(v, "%s", why);
}

static void eval_image_hash(const struct hr_audit_facts *f, struct hr_audit_verdict *v)
{
	(void)f;
	na(v, "a runtime gets an unpacked rootfs, not the image reference: check the digest where images are pulled");
}

static void eval_image_sig(const struct hr_audit_facts *f, struct hr_audit_verdict *v)
{
	(void)f;
	na(v, "a runtime never sees the image or its signature: verify it where images are pulled");
}

static void eval_packages(const struct hr_audit_facts *f, struct hr_audit_verdict *v)
{
	(void)f;
	na(v, "which packages are needed is decided when the image is built; see `setuid` for setuid files");
}

static void eval_dockerfile(const struct hr_audit_facts *f, struct hr_audit_verdict *v)
{
	(void)f;
	na(v, "Dockerfiles are not visible to a runtime");
}

static void eval_services(const struct hr_audit_facts *f, struct hr_audit_verdict *v)
{
	(void)f;
	na(v, "whether exposed services authenticate is the application's; see `hostns` for a shared network");
}

/* The mount the container sees as "/": the last one mounted there. */
static const struct hr_audit_mount *rootfs_mount(const struct hr_audit_facts *f)
{
	const struct hr_audit_mount *r = NULL;

	for (size_t i = 0; i < f->n_mounts; i++)
		if (strcmp(f->mounts[i].target, "/") == 0)
			r = &f->mounts[i];
	return r;
}

static void eval_rootfs_ro(const struct hr_audit_facts *f, struct hr_audit_verdict *v)
{
	const struct hr_audit_mount *m;

	if (!f->kernel) {
		if (!need(v, &f->rootfs_ro))
			return;
		ev_value(v, &f->rootfs_ro);
		if (f->rootfs_ro.num != 1)
			v->raw = HR_RAW_VIOLATED;
		return;
	}
	m = f->has_mounts ? rootfs_mount(f) : NULL;
	if (m == NULL) {
		na(v, "no mount at `/` in the container's mountinfo");
		return;
	}
	hr_audit_ev(v, "/ is %s (%s) in %s", m->opts, m->fstype, f->mounts_src);
	if (!m->ro)
		v->raw = HR_RAW_VIOLATED;
}

static void eval_tainted(const struct hr_audit_facts *f, struct hr_audit_verdict *v)
{
	if (!f->kernel) {
		na(v, "a bundle has not run: nothing can have been executed in it yet");
		return;
	}
	if (!need(v, &f->tainted))
		return;
	ev_value(v, &f->tainted);
	if (f->tainted.num == 1) {
		v->raw = HR_RAW_VIOLATED;
		hr_audit_ev(v, "replace the container with a new one");
	}
}

static void eval_remote(const struct hr_audit_facts *f, struct hr_audit_verdict *v)
{
	if (!need(v, &f->procs))
		return;
	if (f->daemons && f->daemons[0]) {
		v->raw = HR_RAW_VIOLATED;
		for (char **d = f->daemons; *d; d++)
			hr_audit_ev(v, "%s", *d);
		return;
	}
	ev_value(v, &f->procs);
	hr_audit_ev(v, "no sshd, dropbear, xrdp, telnetd or VNC server");
}

static void eval_pids(const struct hr_audit_facts *f, struct hr_audit_verdict *v)
{
	if (!need(v, &f->pids_max))
		return;
	ev_value(v, &f->pids_max);
	if (f->pids_max.num == HR_AUDIT_UNLIMITED)
		v->raw = HR_RAW_VIOLATED;
}

static void eval_engine_socket(const struct hr_audit_facts *f, struct hr_audit_verdict *v)
{
	bool found = false;

	if (!f->has_mounts) {
		na(v, "the container's mounts could not be read");
		return;
	}
	for (size_t i = 0; i < f->n_mounts; i++) {
		const struct hr_audit_mount *m = &f->mounts[i];

		if (!hr_audit_engine_socket(m->target) && !hr_audit_engine_socket(m->root) &&
		    !(m->source && hr_audit_engine_socket(m->source)))
			continue;
		found = true;
		if (f->kernel)
			hr_audit_ev(v, "%s is a bind of `%s` (%s) in %s", m->target, m->root, m->opts, f->mounts_src);
		else
			hr_audit_ev(v, "mount of `%s` on %s (%s) in %s", m->source ? m->source : "", m->target, m->opts,
				    f->mounts_src);
	}
	if (!found) {
		hr_audit_ev(v, "no docker, containerd, podman or CRI-O socket among %zu mounts in %s", f->n_mounts,
			    f->mounts_src);
		return;
	}
	/* read-only does not help: connect(2) on a unix socket ignores the mount's ro flag */
	if (decision(f, "3.15", "kept")) {
		v->raw = HR_RAW_WARN;
		hr_audit_ev(v, "allowed by the policy for a monitor; read-only does not stop connect(2)");
	} else {
		v->raw = HR_RAW_VIOLATED;
		hr_audit_ev(v, "read-only or not, the socket gives control of the engine");
	}
}

static void eval_lsm(const struct hr_audit_facts *f, struct hr_audit_verdict *v)
{
	if (!f->lsm.present) {
		/* no LSM to confine with is not "unknown": the process is unconfined */
		v->raw = HR_RAW_VIOLATED;
		ev_value(v, &f->lsm);
		return;
	}
	ev_value(v, &f->lsm);
	if (f->lsm.num != 1)
		v->raw = HR_RAW_VIOLATED;
}

/*
 * Device nodes live in /dev; everything else should refuse them.  A masked
 * path is the host's /dev/null bound over a file (root "/null" of
 * devtmpfs): a device by design, and harmless.
 */
static bool may_have_devices(const struct hr_audit_mount *m)
{
	return strcmp(m->target, "/dev") == 0 || hr_str_has_prefix(m->target, "/dev/");
}

static bool is_null_mask(const struct hr_audit_mount *m)
{
	return strcmp(m->root, "/null") == 0 && strcmp(m->fstype, "devtmpfs") == 0;
}

static void eval_nosuid(const struct hr_audit_facts *f, struct hr_audit_verdict *v)
{
	size_t bad = 0, masks = 0;

	if (!f->has_mounts) {
		na(v, "the container's mounts could not be read");
		return;
	}
	for (size_t i = 0; i < f->n_mounts; i++) {
		const struct hr_audit_mount *m = &f->mounts[i];
		bool suid = !m->nosuid, dev = !m->nodev && !may_have_devices(m);

		if (is_null_mask(m)) {
			masks++;
			continue;
		}
		if (!suid && !dev)
			continue;
		if (bad++ < 4)
			hr_audit_ev(v, "%s lacks %s%s%s (%s)", m->target, suid ? "nosuid" : "", suid && dev ? "," : "",
				    dev ? "nodev" : "", m->opts);
	}
	if (bad) {
		v->raw = HR_RAW_VIOLATED;
		if (bad > 4)
			hr_audit_ev(v, "and %zu more", bad - 4);
		hr_audit_ev(v, "in %s", f->mounts_src);
		return;
	}
	hr_audit_ev(v, "all %zu mounts nosuid, and nodev outside /dev, in %s", f->n_mounts - masks, f->mounts_src);
	if (masks)
		hr_audit_ev(v, "%zu mask%s of /dev/null not counted", masks, masks == 1 ? "" : "s");
}

static void eval_setuid(const struct hr_audit_facts *f, struct hr_audit_verdict *v)
{
	size_t n = 0;

	if (!need(v, &f->setuid_scan))
		return;
	for (char **p = f->setuid_files; p && *p; p++)
		if (n++ < 4)
			hr_audit_ev(v, "%s", *p);
	if (n > 4)
		hr_audit_ev(v, "and %zu more", n - 4);
	ev_value(v, &f->setuid_scan);
	if (n) {
		v->raw = HR_RAW_VIOLATED;
	} else if (f->setuid_truncated) {
		v->raw = HR_RAW_WARN;
		hr_audit_ev(v, "the scan stopped at its bound");
	}
}

static void eval_memory(const struct hr_audit_facts *f, struct hr_audit_verdict *v)
{
	if (!need(v, &f->mem_limit))
		return;
	ev_value(v, &f->mem_limit);
	if (f->mem_limit.num == HR_AUDIT_UNLIMITED)
		v->raw = HR_RAW_VIOLATED;
}

static void eval_swap(const struct hr_audit_facts *f, struct hr_audit_verdict *v)
{
	if (!need(v, &f->swap_limit))
		return;
	ev_value(v, &f->swap_limit);
	if (f->swap_is_v2) {
		if (f->swap_limit.num != 0)
			v->raw = HR_RAW_VIOLATED;
		return;
	}
	if (f->mem_limit.present)
		ev_value(v, &f->mem_limit);
	/* v1 memsw is memory+swap: equal to the memory limit means no swap at all */
	if (!f->mem_limit.present || f->swap_limit.num == HR_AUDIT_UNLIMITED || f->swap_limit.num > f->mem_limit.num) {
		v->raw = HR_RAW_VIOLATED;
		hr_audit_ev(v, "swap is not capped at the memory limit");
	}
}

static void eval_cpu(const struct hr_audit_facts *f, struct hr_audit_verdict *v)
{
	uint64_t dflt = f->cpu_is_v2 ? 100 : 1024;

	if (!need(v, &f->cpu_quota))
		return;
	ev_value(v, &f->cpu_quota);
	if (f->cpu_weight.present)
		ev_value(v, &f->cpu_weight);
	if (f->cpu_quota.num != HR_AUDIT_UNLIMITED)
		return;
	if (f->cpu_weight.present && f->cpu_weight.num != dflt) {
		hr_audit_ev(v, "a CPU weight is set, no quota");
		return;
	}
	v->raw = HR_RAW_VIOLATED;
	hr_audit_ev(v, "neither a CPU quota nor a weight other than the default %llu", (unsigned long long)dflt);
}

static void eval_hostns(const struct hr_audit_facts *f, struct hr_audit_verdict *v)
{
	bool shared = false;

	for (size_t i = 0; i < HR_AUDIT_NS_COUNT; i++)
		if (!need(v, &f->ns[i]))
			return;
	for (size_t i = 0; i < HR_AUDIT_NS_COUNT; i++) {
		if (f->ns[i].num != 1)
			continue;
		shared = true;
		ev_value(v, &f->ns[i]);
	}
	if (shared) {
		v->raw = HR_RAW_VIOLATED;
		hr_audit_ev(v, "shared with the host");
		return;
	}
	hr_audit_ev(v, "pid, net, ipc and uts namespaces of its own (%s)",
		    f->kernel ? "inodes differ from the host's" : "linux.namespaces in config.json");
}

static void eval_secrets(const struct hr_audit_facts *f, struct hr_audit_verdict *v)
{
	cleanup_free char *names = xstrdup("");
	size_t n = 0;

	if (!need(v, &f->env))
		return;
	for (char **s = f->secret_names; s && *s; s++) {
		char *next;

		if (n++ >= 6)
			continue;
		next = xasprintf("%s%s%s", names, *names ? ", " : "", *s);
		free(names);
		names = next;
	}
	if (n) {
		v->raw = HR_RAW_VIOLATED;
		if (n > 6)
			hr_audit_ev(v, "%s and %zu more in %s (values not shown)", names, n - 6, f->env.src);
		else
			hr_audit_ev(v, "%s in %s (values not shown)", names, f->env.src);
		hr_audit_ev(v, "pass secrets as files");
		return;
	}
	ev_value(v, &f->env);
	hr_audit_ev(v, "no name like PASSWORD, SECRET, TOKEN, API_KEY or PRIVATE_KEY");
}

static const struct hr_csvs_control table[] = {
	{"3.1", 2, "Root only for setup, privileges dropped",
	 "CapEff/CapPrm/CapAmb hold nothing beyond Docker's default set; CapBnd and the caps hardrun drops warn",
	 eval_privs},
	{"3.2", 2, "User namespace enabled", "/proc/PID/ns/user differs from the host's; uid_map quoted", eval_userns},
	{"3.3", 3, "Workload runs as a non-root user", "the effective uid, mapped through uid_map, is not 0",
	 eval_user},
	{"3.4", 3, "Container-specific seccomp profile",
	 "Seccomp is 2 (filter) with filters loaded; the policy's decisions name the profile", eval_seccomp},
	{"3.5", 1, "No new privileges at runtime", "NoNewPrivs is 1", eval_nnp},
	{"3.6", 3, "Base images pinned by digest", "not decidable by a runtime", eval_image_hash},
	{"3.7", 3, "Image signatures verified before use", "not decidable by a runtime", eval_image_sig},
	{"3.8", 1, "Only required packages in the image", "not decidable by a runtime", eval_packages},
	{"3.9", 2, "Root filesystem mounted read-only", "the mount at / is ro", eval_rootfs_ro},
	{"3.10", 2, "Replaced after interactive access", "no `tainted` file (written by exec) in the state dir",
	 eval_tainted},
	{"3.11", 1, "COPY instead of ADD in Dockerfiles", "not decidable by a runtime", eval_dockerfile},
	{"3.12", 1, "No SSH/RDP or other remote-admin daemon", "the comm of every process in the container's cgroup",
	 eval_remote},
	{"3.13", 1, "Exposed services require authentication", "not decidable by a runtime", eval_services},
	{"3.14", 3, "Process count limited (pids limit)", "pids.max is a number, not max", eval_pids},
	{"3.15", 1, "No container-engine socket mounted",
	 "no mount of docker.sock, containerd.sock, podman.sock or crio.sock, unless the policy keeps one for a "
	 "monitor",
	 eval_engine_socket},
	{"lsm", 3, "AppArmor or SELinux confinement", "/proc/PID/attr/current names a confining label", eval_lsm},
	{"nosuid", 2, "Mounts nosuid, and nodev outside /dev", "the per-mount flags in mountinfo", eval_nosuid},
	{"setuid", 3, "No setuid/setgid files in the rootfs", "a bounded walk of the rootfs through /proc/PID/root",
	 eval_setuid},
	{"memory", 2, "Memory limited", "memory.limit_in_bytes / memory.max is not unlimited", eval_memory},
	{"swap", 2, "Swap no larger than memory",
	 "memory.memsw.limit_in_bytes equals the memory limit / memory.swap.max is 0", eval_swap},
	{"cpu", 3, "CPU quota or weight set", "cpu.cfs_quota_us / cpu.max, cpu.shares / cpu.weight", eval_cpu},
	{"hostns", 2, "No host pid/net/ipc/uts namespace", "/proc/PID/ns/* differ from the auditing process's",
	 eval_hostns},
	{"secrets", 3, "No secrets in environment variables", "names (never values) in /proc/PID/environ",
	 eval_secrets},
};

const struct hr_csvs_control *hr_csvs_table(size_t *n)
{
	*n = HR_ARRAY_SIZE(table);
	return table;
}

const struct hr_csvs_control *hr_csvs_find(const char *id)
{
	for (size_t i = 0; i < HR_ARRAY_SIZE(table); i++)
		if (strcmp(table[i].id, id) == 0)
			return &table[i];
	return NULL;
}

const struct hr_csvs_control *hr_csvs_for_decision(const char *control)
{
	static const struct {
		const char *name;
		const char *id;
	} aliases[] = {
		{"AppArmor", "lsm"}, {"apparmor", "lsm"}, {"SELinux", "lsm"}, {"selinux", "lsm"}, {"DoS", "memory"}};

	for (size_t i = 0; i < HR_ARRAY_SIZE(aliases); i++)
		if (strcmp(control, aliases[i].name) == 0)
			return hr_csvs_find(aliases[i].id);
	return hr_csvs_find(control);
}
