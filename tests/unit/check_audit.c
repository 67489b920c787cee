/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The audit module, pure: the CSVS table, every control's verdict from
 * facts at every level, the exit rule, the parsers of the kernel's text
 * (status, uid_map, mountinfo, environ) and of the policy engine's files,
 * facts from a config, and the text and JSON renderers (JSON against a
 * golden file).  Facts start from a container that passes everything; each
 * case breaks one fact.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hardrun/audit.h"
#include "hardrun/strutil.h"

static const char *const STATUS =
	"Name:\tprobe\nUmask:\t0022\nState:\tS (sleeping)\nUid:\t101000\t101000\t101000\t101000\n"
	"Gid:\t101000\t101000\t101000\t101000\nCapInh:\t0000000000000000\nCapPrm:\t0000000000000020\n"
	"CapEff:\t0000000000000020\nCapBnd:\t0000000000000020\nCapAmb:\t0000000000000000\nNoNewPrivs:\t1\n"
	"Seccomp:\t2\nSeccomp_filters:\t1\nSpeculation_Store_Bypass:\tthread vulnerable\n";

static const char *const MOUNTINFO = "102 53 254:0 /tmp/b/rootfs / ro,nosuid,nodev,relatime - ext4 /dev/vda rw\n"
				     "103 102 0:56 / /proc rw,nosuid,nodev,noexec,relatime - proc proc rw\n"
				     "104 102 0:57 / /dev rw,nosuid - tmpfs tmpfs rw,size=65536k,mode=755\n"
				     "105 104 0:58 / /dev/pts rw,nosuid,noexec,relatime - devpts devpts rw,gid=5\n"
				     "121 103 0:6 /null /proc/keys rw,relatime - devtmpfs devtmpfs rw,mode=755\n";

static const char *const SECCOMP_CHOSEN = "[{\"control\":\"3.4\",\"action\":\"added\",\"detail\":\"container-specific "
					  "profile \\\"web\\\" (--seccomp-profile)\"}]";

static void set(struct hr_audit_value *v, const char *name, const char *text, const char *src, uint64_t num)
{
	hr_audit_value_set(v, name, text, src, num);
}

/* A running container that passes every control hardrun can check. */
static void good(struct hr_audit_facts *f)
{
	memset(f, 0, sizeof(*f));
	f->subject = xstrdup("web");
	f->kernel = true;
	f->pid = 42;
	ck_assert_int_eq(hr_audit_parse_status(STATUS, strlen(STATUS), "/proc/42/status", f, NULL), 0);
	ck_assert_int_eq(hr_audit_parse_uid_map("         0     100000      65536\n", 33, "/proc/42/uid_map", f, NULL),
			 0);
	ck_assert_int_eq(hr_audit_parse_mountinfo(MOUNTINFO, strlen(MOUNTINFO), "/proc/42/mountinfo", f, NULL), 0);
	hr_audit_parse_environ("PATH=/bin\0HOME=/\0", 17, "/proc/42/environ", f);
	set(&f->userns, "ns/user", "user:[4026532500], the host's is user:[4026531837]", "/proc/42", 1);
	set(&f->lsm, "attr/current", "hardrun-web (enforce)", "/proc/42", 1);
	set(&f->ns[HR_AUDIT_NS_PID], "ns/pid", "pid:[4026532501], the host's is pid:[4026531836]", "/proc/42", 0);
	set(&f->ns[HR_AUDIT_NS_NET], "ns/net", "net:[4026532502], the host's is net:[4026531840]", "/proc/42", 0);
	set(&f->ns[HR_AUDIT_NS_IPC], "ns/ipc", "ipc:[4026532503], the host's is ipc:[4026531839]", "/proc/42", 0);
	set(&f->ns[HR_AUDIT_NS_UTS], "ns/uts", "uts:[4026532504], the host's is uts:[4026531838]", "/proc/42", 0);
	set(&f->mem_limit, "memory.limit_in_bytes", "33554432", "/sys/fs/cgroup/memory/web", 33554432);
	set(&f->swap_limit, "memory.memsw.limit_in_bytes", "33554432", "/sys/fs/cgroup/memory/web", 33554432);
	set(&f->pids_max, "pids.max", "100", "/sys/fs/cgroup/pids/web", 100);
	set(&f->cpu_quota, "cpu.cfs_quota_us", "50000", "/sys/fs/cgroup/cpu/web", 50000);
	set(&f->cpu_weight, "cpu.shares", "1024", "/sys/fs/cgroup/cpu/web", 1024);
	set(&f->setuid_scan, "rootfs", "12 entries scanned", "/proc/42/root", 12);
	set(&f->procs, "cgroup.procs", "1 process", "/web", 1);
	set(&f->tainted, "tainted", "no such file, no exec since create", "the state dir", 0);
	/* 3.4 needs the policy engine's word that the profile is this container's */
	ck_assert_int_eq(hr_audit_parse_decisions(SECCOMP_CHOSEN, strlen(SECCOMP_CHOSEN), f, NULL), 0);
}

static struct hr_audit_report *eval(const struct hr_audit_facts *f, int level)
{
	struct hr_err *e = NULL;
	struct hr_audit_report *r = hr_audit_evaluate(f, level, &e);

	ck_assert_msg(r != NULL, "%s", e ? e->msg : "");
	return r;
}

static const struct hr_audit_row *row(const struct hr_audit_report *r, const char *id)
{
	for (size_t i = 0; i < r->n_rows; i++)
		if (strcmp(r->rows[i].ctl->id, id) == 0)
			return &r->rows[i];
	ck_abort_msg("no row %s", id);
	return NULL;
}

START_TEST(table_levels)
{
	static const struct {
		const char *id;
		int level;
	} want[] = {{"3.1", 2},	   {"3.2", 2},	{"3.3", 3},  {"3.4", 3},    {"3.5", 1},	   {"3.6", 3},
		    {"3.7", 3},	   {"3.8", 1},	{"3.9", 2},  {"3.10", 2},   {"3.11", 1},   {"3.12", 1},
		    {"3.13", 1},   {"3.14", 3}, {"3.15", 1}, {"lsm", 3},    {"nosuid", 2}, {"setuid", 3},
		    {"memory", 2}, {"swap", 2}, {"cpu", 3},  {"hostns", 2}, {"secrets", 3}};
	size_t n;
	const struct hr_csvs_control *t = hr_csvs_table(&n);

	ck_assert_uint_eq(n, HR_ARRAY_SIZE(want));
	for (size_t i = 0; i < n; i++) {
		ck_assert_str_eq(t[i].id, want[i].id);
		ck_assert_int_eq(t[i].level, want[i].level);
		ck_assert(strlen(t[i].title) > 0 && strlen(t[i].title) <= 45);
		ck_assert(strlen(t[i].check) > 0);
	}
	ck_assert_ptr_eq(hr_csvs_find("3.10"), &t[9]);
	ck_assert_ptr_null(hr_csvs_find("3.16"));
}
END_TEST

START_TEST(all_pass_every_level)
{
	static const char *const na[] = {"3.6", "3.7", "3.8", "3.11", "3.13"};
	struct hr_audit_facts f;

	good(&f);
	for (int level = 1; level <= 3; level++) {
		struct hr_audit_report *r = eval(&f, level);

		ck_assert(r->pass);
		ck_assert_int_eq(r->level, level);
		for (size_t i = 0; i < r->n_rows; i++) {
			bool is_na = false;

			for (size_t k = 0; k < HR_ARRAY_SIZE(na); k++)
				is_na = is_na || strcmp(na[k], r->rows[i].ctl->id) == 0;
			ck_assert_msg(r->rows[i].status == (is_na ? HR_AUDIT_NA : HR_AUDIT_PASS), "%s at L%d: %s: %s",
				      r->rows[i].ctl->id, level, hr_audit_status_name(r->rows[i].status),
				      r->rows[i].evidence);
		}
		hr_audit_report_free(r);
	}
	hr_audit_facts_free(&f);
}
END_TEST

/* One broken fact per case: the row's status at L1, L2, L3 and its exact evidence. */
struct breakage {
	const char *control;
	void (*brk)(struct hr_audit_facts *f);
	enum hr_audit_status at[3];
	const char *evidence;
};

static void no_nnp(struct hr_audit_facts *f)
{
	set(&f->no_new_privs, "NoNewPrivs", "0", "/proc/42/status", 0);
}
static void sys_admin(struct hr_audit_facts *f)
{
	set(&f->cap_eff, "CapEff", "0000000000200020", "/proc/42/status", 0x200020);
}
static void net_raw(struct hr_audit_facts *f)
{
	set(&f->cap_eff, "CapEff", "0000000000002020", "/proc/42/status", 0x2020);
}
static void wide_bounding(struct hr_audit_facts *f)
{
	set(&f->cap_bnd, "CapBnd", "000001ffffffffff", "/proc/42/status", 0x1ffffffffffULL);
}
static void host_userns(struct hr_audit_facts *f)
{
	set(&f->userns, "ns/user", "user:[4026531837], the host's", "/proc/42", 0);
	ck_assert_int_eq(hr_audit_parse_uid_map("0 0 4294967295\n", 15, "/proc/42/uid_map", f, NULL), 0);
	set(&f->uid, "Uid", "0 0 0 0", "/proc/42/status", 0);
}
static void root_inside(struct hr_audit_facts *f)
{
	set(&f->uid, "Uid", "100000 100000 100000 100000", "/proc/42/status", 100000);
}
static void seccomp_not_chosen(struct hr_audit_facts *f);
static void no_seccomp(struct hr_audit_facts *f)
{
	seccomp_not_chosen(f);
	set(&f->seccomp, "Seccomp", "0", "/proc/42/status", 0);
	set(&f->seccomp_filters, "Seccomp_filters", "0", "/proc/42/status", 0);
}
static void rw_rootfs(struct hr_audit_facts *f)
{
	free(f->mounts[0].opts);
	f->mounts[0].opts = xstrdup("rw,nosuid,nodev,relatime");
	f->mounts[0].ro = false;
}
static void tainted(struct hr_audit_facts *f)
{
	ck_assert_int_eq(hr_audit_parse_tainted("{\"time\":\"2026-12-01T08:00:00Z\",\"argv0\":\"sh\"}", 44, f, NULL),
			 0);
}
static void sshd(struct hr_audit_facts *f)
{
	hr_strv_push(&f->daemons, "comm `sshd` of pid 43 in /proc/43/comm");
}
static void no_pids(struct hr_audit_facts *f)
{
	set(&f->pids_max, "pids.max", "max", "/sys/fs/cgroup/pids/web", HR_AUDIT_UNLIMITED);
}
static void add_mount(struct hr_audit_facts *f, const char *line)
{
	struct hr_audit_facts more = {0};

	ck_assert_int_eq(hr_audit_parse_mountinfo(line, strlen(line), "/proc/42/mountinfo", &more, NULL), 0);
	f->mounts = xrealloc(f->mounts, (f->n_mounts + 1) * sizeof(*f->mounts));
	f->mounts[f->n_mounts++] = more.mounts[0];
	more.n_mounts = 0;
	hr_audit_facts_free(&more);
}
static void docker_sock(struct hr_audit_facts *f)
{
	add_mount(f, "130 102 254:0 /tmp/b/docker.sock /var/run/docker.sock ro,nosuid,nodev - ext4 /dev/vda rw\n");
}
static void docker_sock_monitor(struct hr_audit_facts *f)
{
	const char *kept = "[{\"control\":\"3.15\",\"action\":\"kept\",\"detail\":\"monitor\"}]";

	docker_sock(f);
	ck_assert_int_eq(hr_audit_parse_decisions(kept, strlen(kept), f, NULL), 0);
}
static void seccomp_not_chosen(struct hr_audit_facts *f)
{
	/* the decision in good() is the only one: drop it */
	free(f->decisions[0].control);
	f->decisions[0].control = xstrdup("3.5");
}
/* learn mode: the policy's decision says nothing of the container's own is enforced */
static void seccomp_learning(struct hr_audit_facts *f)
{
	free(f->decisions[0].detail);
	f->decisions[0].detail = xstrdup("learn mode: recording the calls into /l/web.json; no container-specific "
					 "profile is enforced");
}
/* only the policy's default profile: a filter, but not one made for this container */
static void seccomp_default_only(struct hr_audit_facts *f)
{
	free(f->decisions[0].detail);
	f->decisions[0].detail = xstrdup("seccomp profile \"default\"");
}
static void unconfined(struct hr_audit_facts *f)
{
	set(&f->lsm, "attr/current", "unconfined", "/proc/42", 0);
}
static void no_lsm(struct hr_audit_facts *f)
{
	hr_audit_value_absent(&f->lsm, "attr/current",
			      "Invalid argument; no AppArmor in this kernel and SELinux is off", "/proc/42");
}
static void suid_mount(struct hr_audit_facts *f)
{
	add_mount(f, "131 102 254:0 /data /data rw,relatime - ext4 /dev/vda rw\n");
}
static void setuid_file(struct hr_audit_facts *f)
{
	hr_strv_push(&f->setuid_files, "/bin/su (4755)");
}
static void setuid_bound(struct hr_audit_facts *f)
{
	f->setuid_truncated = true;
}
static void no_memory(struct hr_audit_facts *f)
{
	set(&f->mem_limit, "memory.limit_in_bytes", "9223372036854771712", "/sys/fs/cgroup/memory/web",
	    HR_AUDIT_UNLIMITED);
}
static void swap_above(struct hr_audit_facts *f)
{
	set(&f->swap_limit, "memory.memsw.limit_in_bytes", "67108864", "/sys/fs/cgroup/memory/web", 67108864);
}
static void swap_v2(struct hr_audit_facts *f)
{
	f->swap_is_v2 = true;
	set(&f->swap_limit, "memory.swap.max", "max", "/sys/fs/cgroup/web", HR_AUDIT_UNLIMITED);
}
static void no_swap_accounting(struct hr_audit_facts *f)
{
	hr_audit_value_absent(&f->swap_limit, "memory.memsw.limit_in_bytes", "no such file: swap accounting is off",
			      "the container's cgroup");
}
static void no_cpu(struct hr_audit_facts *f)
{
	set(&f->cpu_quota, "cpu.cfs_quota_us", "-1", "/sys/fs/cgroup/cpu/web", HR_AUDIT_UNLIMITED);
}
static void cpu_weight_only(struct hr_audit_facts *f)
{
	no_cpu(f);
	set(&f->cpu_weight, "cpu.shares", "512", "/sys/fs/cgroup/cpu/web", 512);
}
static void cpu_v2_default(struct hr_audit_facts *f)
{
	f->cpu_is_v2 = true;
	set(&f->cpu_quota, "cpu.max", "max 100000", "/sys/fs/cgroup/web", HR_AUDIT_UNLIMITED);
	set(&f->cpu_weight, "cpu.weight", "100", "/sys/fs/cgroup/web", 100);
}
static void host_net(struct hr_audit_facts *f)
{
	set(&f->ns[HR_AUDIT_NS_NET], "ns/net", "net:[4026531840], the host's", "/proc/42", 1);
}
static void db_password(struct hr_audit_facts *f)
{
	hr_audit_parse_environ("PATH=/bin\0DB_PASSWORD=hunter2\0api_token=x\0", 42, "/proc/42/environ", f);
}

#define P HR_AUDIT_PASS
#define F HR_AUDIT_FAIL
#define W HR_AUDIT_WARN
#define N HR_AUDIT_NA

static const struct breakage cases[] = {
	{"3.5", no_nnp, {F, F, F}, "NoNewPrivs: 0 in /proc/42/status"},
	{"3.1",
	 sys_admin,
	 {W, F, F},
	 "CapEff: 0000000000200020 in /proc/42/status; holds CAP_SYS_ADMIN, beyond Docker's default set"},
	{"3.1",
	 net_raw,
	 {W, W, W},
	 "CapEff: 0000000000002020 in /proc/42/status; holds CAP_NET_RAW, which hardrun's default policy drops"},
	{"3.1",
	 wide_bounding,
	 {W, W, W},
	 "CapBnd: 000001ffffffffff in /proc/42/status; the bounding set keeps "
	 "CAP_DAC_READ_SEARCH,CAP_LINUX_IMMUTABLE,CAP_NET_BROADCAST,CAP_NET_ADMIN,CAP_IPC_LOCK,CAP_IPC_OWNER,CAP_SYS_"
	 "MODULE,CAP_SYS_RAWIO,"
	 "CAP_SYS_PTRACE,CAP_SYS_PACCT,CAP_SYS_ADMIN,CAP_SYS_BOOT,CAP_SYS_NICE,CAP_SYS_RESOURCE,CAP_SYS_TIME,"
	 "CAP_SYS_TTY_CONFIG,CAP_LEASE,CAP_AUDIT_CONTROL,CAP_MAC_OVERRIDE,CAP_MAC_ADMIN,CAP_SYSLOG,CAP_WAKE_ALARM,"
	 "CAP_BLOCK_SUSPEND,CAP_AUDIT_READ,CAP_PERFMON,CAP_BPF,CAP_CHECKPOINT_RESTORE, which a file capability could "
	 "raise"},
	{"3.2",
	 host_userns,
	 {W, F, F},
	 "ns/user: user:[4026531837], the host's in /proc/42; uid_map: 0 0 4294967295 in /proc/42/uid_map"},
	{"3.3",
	 host_userns,
	 {W, W, F},
	 "Uid: 0 0 0 0 in /proc/42/status; no user namespace: uid 0 on the host too; the workload runs as root"},
	{"3.3",
	 root_inside,
	 {W, W, F},
	 "Uid: 100000 100000 100000 100000 in /proc/42/status; uid 0 in the container; the workload runs as root"},
	{"3.4",
	 no_seccomp,
	 {W, W, F},
	 "Seccomp: 0 in /proc/42/status; Seccomp_filters: 0 in /proc/42/status; no seccomp filter"},
	{"3.4",
	 seccomp_not_chosen,
	 {W, W, W},
	 "Seccomp: 2 in /proc/42/status; Seccomp_filters: 1 in /proc/42/status; a filter is loaded, but no policy "
	 "decision says it was chosen for this container"},
	{"3.4",
	 seccomp_learning,
	 {W, W, F},
	 "Seccomp: 2 in /proc/42/status; Seccomp_filters: 1 in /proc/42/status; learning: no container-specific "
	 "profile is enforced; policy added: learn mode: recording the calls into /l/web.json; no container-specific "
	 "profile is enforced"},
	{"3.4",
	 seccomp_default_only,
	 {W, W, W},
	 "Seccomp: 2 in /proc/42/status; Seccomp_filters: 1 in /proc/42/status; the policy's filter is loaded, but no "
	 "container-specific profile; policy added: seccomp profile \"default\""},
	{"3.9", rw_rootfs, {W, F, F}, "/ is rw,nosuid,nodev,relatime (ext4) in /proc/42/mountinfo"},
	{"3.10",
	 tainted,
	 {W, F, F},
	 "tainted: exec of `sh` at 2026-12-01T08:00:00Z in the state dir; replace the container with a new one"},
	{"3.12", sshd, {F, F, F}, "comm `sshd` of pid 43 in /proc/43/comm"},
	{"3.14", no_pids, {W, W, F}, "pids.max: max in /sys/fs/cgroup/pids/web"},
	{"3.15",
	 docker_sock,
	 {F, F, F},
	 "/var/run/docker.sock is a bind of `/tmp/b/docker.sock` (ro,nosuid,nodev) in /proc/42/mountinfo; read-only or "
	 "not, the socket gives control of the engine"},
	{"3.15",
	 docker_sock_monitor,
	 {W, W, W},
	 "/var/run/docker.sock is a bind of `/tmp/b/docker.sock` (ro,nosuid,nodev) in /proc/42/mountinfo; allowed by "
	 "the policy for a monitor; read-only does not stop connect(2); policy kept: monitor"},
	{"lsm", unconfined, {W, W, F}, "attr/current: unconfined in /proc/42"},
	{"lsm",
	 no_lsm,
	 {W, W, F},
	 "attr/current: not read (Invalid argument; no AppArmor in this kernel and SELinux is off) in /proc/42"},
	{"nosuid", suid_mount, {W, F, F}, "/data lacks nosuid,nodev (rw,relatime); in /proc/42/mountinfo"},
	{"setuid", setuid_file, {W, W, F}, "/bin/su (4755); rootfs: 12 entries scanned in /proc/42/root"},
	{"setuid",
	 setuid_bound,
	 {W, W, W},
	 "rootfs: 12 entries scanned in /proc/42/root; the scan stopped at its bound"},
	{"memory", no_memory, {W, F, F}, "memory.limit_in_bytes: 9223372036854771712 in /sys/fs/cgroup/memory/web"},
	{"swap",
	 swap_above,
	 {W, F, F},
	 "memory.memsw.limit_in_bytes: 67108864 in /sys/fs/cgroup/memory/web; memory.limit_in_bytes: 33554432 in "
	 "/sys/fs/cgroup/memory/web; swap is not capped at the memory limit"},
	{"swap", swap_v2, {W, F, F}, "memory.swap.max: max in /sys/fs/cgroup/web"},
	{"swap",
	 no_swap_accounting,
	 {N, N, N},
	 "memory.memsw.limit_in_bytes: not read (no such file: swap accounting is off) in the container's cgroup"},
	{"cpu",
	 no_cpu,
	 {W, W, F},
	 "cpu.cfs_quota_us: -1 in /sys/fs/cgroup/cpu/web; cpu.shares: 1024 in /sys/fs/cgroup/cpu/web; neither a CPU "
	 "quota nor a weight other than the default 1024"},
	{"cpu",
	 cpu_weight_only,
	 {P, P, P},
	 "cpu.cfs_quota_us: -1 in /sys/fs/cgroup/cpu/web; cpu.shares: 512 in /sys/fs/cgroup/cpu/web; a CPU weight is "
	 "set, no quota"},
	{"cpu",
	 cpu_v2_default,
	 {W, W, F},
	 "cpu.max: max 100000 in /sys/fs/cgroup/web; cpu.weight: 100 in /sys/fs/cgroup/web; neither a CPU quota nor a "
	 "weight other than the default 100"},
	{"hostns", host_net, {W, F, F}, "ns/net: net:[4026531840], the host's in /proc/42; shared with the host"},
	{"secrets",
	 db_password,
	 {W, W, F},
	 "DB_PASSWORD, api_token in /proc/42/environ (values not shown); pass secrets as files"},
};

START_TEST(one_violation)
{
	const struct breakage *c = &cases[_i];

	for (int level = 1; level <= 3; level++) {
		struct hr_audit_facts f;
		struct hr_audit_report *r;
		const struct hr_audit_row *rw;
		size_t fails = 0;

		good(&f);
		c->brk(&f);
		r = eval(&f, level);
		rw = row(r, c->control);
		ck_assert_msg(rw->status == c->at[level - 1], "%s (case %d) at L%d: got %s: %s", c->control, _i, level,
			      hr_audit_status_name(rw->status), rw->evidence);
		ck_assert_str_eq(rw->evidence, c->evidence);
		/* the exit rule: pass exactly when no required control fails */
		for (size_t i = 0; i < r->n_rows; i++)
			fails += r->rows[i].status == HR_AUDIT_FAIL;
		ck_assert_int_eq(r->pass, fails == 0);
		hr_audit_report_free(r);
		hr_audit_facts_free(&f);
	}
}
END_TEST

START_TEST(level_out_of_range)
{
	struct hr_audit_facts f;
	struct hr_err *e = NULL;

	good(&f);
	ck_assert_ptr_null(hr_audit_evaluate(&f, 4, &e));
	ck_assert_str_eq(e->msg, "level `4`: expected 1, 2 or 3");
	hr_err_free(&e);
	ck_assert_ptr_null(hr_audit_evaluate(&f, 0, &e));
	hr_err_free(&e);
	hr_audit_facts_free(&f);
}
END_TEST

START_TEST(unread_facts_are_na)
{
	struct hr_audit_facts f = {0};
	struct hr_audit_report *r;

	/* nothing gathered at all: no check may claim PASS, and the LSM row says it is unconfined */
	f.kernel = true;
	r = eval(&f, 3);
	for (size_t i = 0; i < r->n_rows; i++) {
		if (strcmp(r->rows[i].ctl->id, "lsm") == 0)
			ck_assert_int_eq(r->rows[i].status, HR_AUDIT_FAIL);
		else
			ck_assert_msg(r->rows[i].status == HR_AUDIT_NA, "%s: %s", r->rows[i].ctl->id,
				      hr_audit_status_name(r->rows[i].status));
	}
	ck_assert(!r->pass);
	hr_audit_report_free(r);
}
END_TEST

START_TEST(parse_status)
{
	struct hr_audit_facts f = {0};
	struct hr_err *e = NULL;
	const char *bad = "CapEff:\t00000000zz000000\n";

	ck_assert_int_eq(hr_audit_parse_status(STATUS, strlen(STATUS), "/proc/7/status", &f, NULL), 0);
	ck_assert(f.cap_prm.present);
	ck_assert_uint_eq(f.cap_prm.num, 0x20);
	ck_assert_str_eq(f.cap_eff.text, "0000000000000020");
	ck_assert_str_eq(f.cap_eff.src, "/proc/7/status");
	ck_assert_uint_eq(f.no_new_privs.num, 1);
	ck_assert_uint_eq(f.seccomp.num, 2);
	ck_assert_uint_eq(f.seccomp_filters.num, 1);
	ck_assert_str_eq(f.uid.text, "101000 101000 101000 101000");
	ck_assert_uint_eq(f.uid.num, 101000);
	hr_audit_facts_free(&f);
	/* a kernel without the line: absent, not zero */
	ck_assert_int_eq(hr_audit_parse_status("Name:\tx\n", 8, "/proc/7/status", &f, NULL), 0);
	ck_assert(!f.seccomp_filters.present);
	ck_assert_str_eq(f.seccomp_filters.text, "no such line");
	hr_audit_facts_free(&f);
	ck_assert_int_eq(hr_audit_parse_status(bad, strlen(bad), "/proc/7/status", &f, &e), -1);
	ck_assert_str_eq(e->msg, "`/proc/7/status`: `CapEff`: malformed value");
	hr_err_free(&e);
	hr_audit_facts_free(&f);
}
END_TEST

START_TEST(parse_uid_map_and_mountinfo)
{
	struct hr_audit_facts f = {0};
	struct hr_err *e = NULL;
	const char *maps = "0 100000 1000\n1000 1000 1\n";
	const char *mi = "36 35 98:0 /my\\040dir /mnt/with\\040space rw,nosuid master:1 - ext3 /dev/root rw\n";

	ck_assert_int_eq(hr_audit_parse_uid_map(maps, strlen(maps), "/proc/7/uid_map", &f, NULL), 0);
	ck_assert_uint_eq(f.n_uid_maps, 2);
	ck_assert_str_eq(f.uid_map.text, "0 100000 1000, 1000 1000 1");
	ck_assert_int_eq(hr_audit_parse_uid_map("0 1\n", 4, "/proc/7/uid_map", &f, &e), -1);
	ck_assert_str_eq(e->msg, "`/proc/7/uid_map`: line 1: expected three numbers");
	hr_err_free(&e);
	ck_assert_int_eq(hr_audit_parse_mountinfo(mi, strlen(mi), "/proc/7/mountinfo", &f, NULL), 0);
	ck_assert_uint_eq(f.n_mounts, 1);
	ck_assert_str_eq(f.mounts[0].target, "/mnt/with space");
	ck_assert_str_eq(f.mounts[0].root, "/my dir");
	ck_assert_str_eq(f.mounts[0].fstype, "ext3");
	ck_assert_str_eq(f.mounts[0].source, "/dev/root");
	ck_assert(f.mounts[0].nosuid && !f.mounts[0].nodev && !f.mounts[0].ro);
	ck_assert_int_eq(hr_audit_parse_mountinfo("1 2 3:4 / /x rw\n", 16, "/proc/7/mountinfo", &f, &e), -1);
	ck_assert_str_eq(e->msg, "`/proc/7/mountinfo`: line 1: malformed mount entry");
	hr_err_free(&e);
	hr_audit_facts_free(&f);
}
END_TEST

START_TEST(environ_names_only)
{
	struct hr_audit_facts f = {0};
	const char env[] = "PATH=/bin\0DB_PASSWORD=hunter2\0GITHUB_TOKEN=ghp_x\0PWD=/\0AWS_SECRET_ACCESS_KEY=k\0"
			   "PASSPORT=1\0MY_API_KEY=z";

	hr_audit_parse_environ(env, sizeof(env) - 1, "/proc/7/environ", &f);
	ck_assert_uint_eq(f.env.num, 7);
	ck_assert_uint_eq(hr_strv_len(f.secret_names), 4);
	ck_assert_str_eq(f.secret_names[0], "DB_PASSWORD");
	ck_assert_str_eq(f.secret_names[1], "GITHUB_TOKEN");
	ck_assert_str_eq(f.secret_names[2], "AWS_SECRET_ACCESS_KEY");
	ck_assert_str_eq(f.secret_names[3], "MY_API_KEY");
	for (char **s = f.secret_names; *s; s++)
		ck_assert_ptr_null(strstr(*s, "hunter2"));
	ck_assert(hr_audit_secret_name("private_key_pem", 15));
	ck_assert(!hr_audit_secret_name("HOME", 4));
	ck_assert(hr_audit_remote_daemon("sshd"));
	ck_assert(hr_audit_remote_daemon("dropbear"));
	ck_assert(hr_audit_remote_daemon("xrdp"));
	ck_assert(!hr_audit_remote_daemon("sshd-keygen"));
	ck_assert(hr_audit_engine_socket("/run/containerd/containerd.sock"));
	ck_assert(hr_audit_engine_socket("podman.sock"));
	ck_assert(hr_audit_engine_socket("/var/run/crio/crio.sock"));
	ck_assert(!hr_audit_engine_socket("/var/run/docker.sock.bak"));
	hr_audit_facts_free(&f);
}
END_TEST

START_TEST(policy_files)
{
	struct hr_audit_facts f = {0};
	struct hr_err *e = NULL;
	const char *ok = "[{\"control\":\"3.5\",\"action\":\"kept\",\"detail\":\"noNewPrivileges already true\"},"
			 "{\"control\":\"3.14\",\"action\":\"added\",\"detail\":\"pids.limit 512\"}]";
	const char *bad_action = "[{\"control\":\"3.5\",\"action\":\"forced\",\"detail\":\"x\"}]";
	const char *no_detail = "[{\"control\":\"3.5\",\"action\":\"kept\"}]";
	struct hr_audit_report *r;

	ck_assert_int_eq(hr_audit_parse_decisions(ok, strlen(ok), &f, NULL), 0);
	ck_assert_uint_eq(f.n_decisions, 2);
	ck_assert_str_eq(f.decisions[1].detail, "pids.limit 512");
	hr_audit_facts_free(&f);
	ck_assert_int_eq(hr_audit_parse_decisions(bad_action, strlen(bad_action), &f, &e), -1);
	ck_assert_str_eq(e->msg, "decisions.json: [0].action: `forced`: expected kept, tightened, added or refused");
	hr_err_free(&e);
	hr_audit_facts_free(&f);
	ck_assert_int_eq(hr_audit_parse_decisions(no_detail, strlen(no_detail), &f, &e), -1);
	ck_assert_str_eq(e->msg, "decisions.json: [0].detail: expected string");
	ck_assert_uint_eq(f.n_decisions, 0);
	hr_err_free(&e);
	hr_audit_facts_free(&f);
	ck_assert_int_eq(hr_audit_parse_decisions("{}", 2, &f, &e), -1);
	ck_assert_str_eq(e->msg, "decisions.json: expected an array");
	hr_err_free(&e);
	hr_audit_facts_free(&f);
	ck_assert_int_eq(hr_audit_parse_decisions("[", 1, &f, &e), -1);
	ck_assert(hr_str_has_prefix(e->msg, "decisions.json:1:"));
	hr_err_free(&e);
	hr_audit_facts_free(&f);
	ck_assert_int_eq(hr_audit_parse_tainted("{\"time\":1,\"argv0\":\"sh\"}", 23, &f, &e), -1);
	ck_assert_str_eq(e->msg, "tainted: time: expected string");
	hr_err_free(&e);
	hr_audit_facts_free(&f);

	/* decisions are evidence on their control's row; DESIGN.md's names find theirs; none is dropped */
	good(&f);
	{
		const char *more = "[{\"control\":\"AppArmor\",\"action\":\"refused\",\"detail\":\"no AppArmor\"},"
				   "{\"control\":\"restart cap\",\"action\":\"added\",\"detail\":\"10 in 60s\"}]";
		char *json, *text = NULL;
		size_t tlen = 0;
		FILE *out = open_memstream(&text, &tlen);

		ck_assert_int_eq(hr_audit_parse_decisions(more, strlen(more), &f, NULL), 0);
		r = eval(&f, 2);
		ck_assert_str_eq(row(r, "lsm")->evidence,
				 "attr/current: hardrun-web (enforce) in /proc/42; policy refused: "
				 "no AppArmor");
		ck_assert_uint_eq(hr_strv_len(r->other_decisions), 1);
		ck_assert_str_eq(r->other_decisions[0], "restart cap added: 10 in 60s");
		json = hr_audit_render_json(r);
		ck_assert_msg(
			strstr(json, "\n  ],\n  \"decisions\": [\n    \"restart cap added: 10 in 60s\"\n  ]\n}\n") !=
				NULL,
			"%s", json);
		hr_audit_render_text(r, out);
		fclose(out);
		ck_assert_msg(hr_str_has_suffix(text, "\npolicy: restart cap added: 10 in 60s\n"), "%s", text);
		free(text);
		free(json);
		hr_audit_report_free(r);
		hr_audit_facts_free(&f);
	}
	good(&f);
	ck_assert_int_eq(hr_audit_parse_decisions(ok, strlen(ok), &f, NULL), 0);
	r = eval(&f, 2);
	ck_assert_str_eq(row(r, "3.5")->evidence,
			 "NoNewPrivs: 1 in /proc/42/status; policy kept: noNewPrivileges already true");
	ck_assert_str_eq(row(r, "3.14")->evidence,
			 "pids.max: 100 in /sys/fs/cgroup/pids/web; policy added: pids.limit 512");
	hr_audit_report_free(r);
	hr_audit_facts_free(&f);
}
END_TEST

static struct hr_audit_report *eval_config(const char *json, int level)
{
	struct hr_spec *s = NULL;
	struct hr_audit_facts f = {0};
	struct hr_audit_report *r;
	struct hr_err *e = NULL;

	ck_assert_msg(hr_spec_load_buf(json, strlen(json), &s, &e) == 0, "%s", e ? e->msg : "");
	hr_audit_facts_from_spec(s, "/srv/web", &f);
	hr_spec_free(s);
	r = eval(&f, level);
	hr_audit_facts_free(&f);
	return r;
}

START_TEST(facts_from_config)
{
	const char *weak =
		"{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"rootfs\"},\"process\":{\"cwd\":\"/\","
		"\"args\":[\"/usr/sbin/sshd\",\"-D\"],\"env\":[\"DB_PASSWORD=x\"],\"user\":{\"uid\":0,\"gid\":0},"
		"\"capabilities\":{\"effective\":[\"CAP_SYS_ADMIN\"],\"permitted\":[\"CAP_SYS_ADMIN\"]}},"
		"\"mounts\":[{\"destination\":\"/var/run/docker.sock\",\"type\":\"bind\",\"source\":\"/run/"
		"docker.sock\","
		"\"options\":[\"rbind\",\"ro\"]}],\"linux\":{\"namespaces\":[{\"type\":\"mount\"},{\"type\":\"pid\"}]}"
		"}";
	const char *strong =
		"{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"rootfs\",\"readonly\":true},\"process\":{\"cwd\":\"/\","
		"\"args\":[\"/app\"],\"user\":{\"uid\":1000,\"gid\":1000},\"noNewPrivileges\":true,"
		"\"apparmorProfile\":\"web\"},"
		"\"mounts\":[{\"destination\":\"/proc\",\"type\":\"proc\",\"source\":\"proc\",\"options\":[\"nosuid\","
		"\"nodev\"]}],"
		"\"linux\":{\"namespaces\":[{\"type\":\"mount\"},{\"type\":\"pid\"},{\"type\":\"network\"},"
		"{\"type\":\"ipc\"},{\"type\":\"uts\"},{\"type\":\"user\"}],"
		"\"uidMappings\":[{\"containerID\":0,\"hostID\":100000,\"size\":65536}],"
		"\"gidMappings\":[{\"containerID\":0,\"hostID\":100000,\"size\":65536}],"
		"\"resources\":{\"memory\":{\"limit\":33554432,\"swap\":33554432},\"pids\":{\"limit\":64},"
		"\"cpu\":{\"quota\":50000,\"period\":100000}},"
		"\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"read\"],"
		"\"action\":\"SCMP_ACT_ALLOW\"}]}}}";
	struct hr_audit_report *r = eval_config(weak, 3);

	ck_assert_str_eq(r->subject, "/srv/web");
	ck_assert_int_eq(row(r, "3.5")->status, HR_AUDIT_FAIL);
	ck_assert_str_eq(row(r, "3.5")->evidence, "process.noNewPrivileges: false in config.json");
	ck_assert_int_eq(row(r, "3.1")->status, HR_AUDIT_FAIL);
	ck_assert_str_eq(row(r, "3.1")->evidence, "process.capabilities.effective: CAP_SYS_ADMIN in config.json; holds "
						  "CAP_SYS_ADMIN, beyond Docker's default set");
	ck_assert_str_eq(row(r, "3.2")->evidence, "linux.namespaces user: absent in config.json");
	ck_assert_str_eq(row(r, "3.3")->evidence, "process.user.uid: 0 in config.json; the workload runs as root");
	ck_assert_str_eq(row(r, "3.4")->evidence, "linux.seccomp: absent in config.json; no seccomp filter");
	ck_assert_str_eq(row(r, "3.9")->evidence, "root.readonly: false in config.json");
	ck_assert_int_eq(row(r, "3.10")->status, HR_AUDIT_NA);
	ck_assert_str_eq(row(r, "3.12")->evidence, "process.args[0] `/usr/sbin/sshd` in config.json");
	ck_assert_int_eq(row(r, "3.12")->status, HR_AUDIT_FAIL);
	ck_assert_str_eq(row(r, "3.15")->evidence,
			 "mount of `/run/docker.sock` on /var/run/docker.sock (rbind,ro) in config.json mounts; "
			 "read-only or not, the socket gives control of the engine");
	ck_assert_str_eq(
		row(r, "hostns")->evidence,
		"linux.namespaces network: absent, so the host's in config.json; linux.namespaces ipc: absent, "
		"so the host's in config.json; linux.namespaces uts: absent, so the host's in config.json; "
		"shared with the host");
	ck_assert_str_eq(row(r, "memory")->evidence, "linux.resources.memory.limit: unset in config.json");
	ck_assert_str_eq(row(r, "secrets")->evidence,
			 "DB_PASSWORD in config.json (values not shown); pass secrets as files");
	ck_assert_str_eq(row(r, "setuid")->evidence, "rootfs: not read (not scanned) in config.json");
	ck_assert_int_eq(row(r, "setuid")->status, HR_AUDIT_NA);
	ck_assert(!r->pass);
	hr_audit_report_free(r);

	r = eval_config(strong, 3);
	for (size_t i = 0; i < r->n_rows; i++) {
		const char *id = r->rows[i].ctl->id;
		bool na = strcmp(id, "3.6") == 0 || strcmp(id, "3.7") == 0 || strcmp(id, "3.8") == 0 ||
			  strcmp(id, "3.10") == 0 || strcmp(id, "3.11") == 0 || strcmp(id, "3.13") == 0 ||
			  strcmp(id, "setuid") == 0;

		/* a config's filter may be anyone's: only the policy engine says it is this container's */
		if (strcmp(id, "3.4") == 0)
			continue;
		ck_assert_msg(r->rows[i].status == (na ? HR_AUDIT_NA : HR_AUDIT_PASS), "%s: %s: %s", id,
			      hr_audit_status_name(r->rows[i].status), r->rows[i].evidence);
	}
	ck_assert_int_eq(row(r, "3.4")->status, HR_AUDIT_WARN);
	ck_assert_str_eq(row(r, "3.3")->evidence, "process.user.uid: 1000 in config.json");
	ck_assert_str_eq(row(r, "3.2")->evidence,
			 "linux.namespaces user: new in config.json; linux.uidMappings: 0 100000 65536 in config.json");
	ck_assert_str_eq(row(r, "3.4")->evidence,
			 "linux.seccomp: defaultAction SCMP_ACT_ERRNO, 1 rules in config.json; a "
			 "filter is loaded, but no policy decision says it was chosen for this "
			 "container");
	ck_assert(r->pass);
	hr_audit_report_free(r);
}
END_TEST

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "re");
	char *buf = NULL;
	size_t cap = 0;
	ssize_t n;

	ck_assert_msg(f != NULL, "open %s", path);
	n = getdelim(&buf, &cap, '\0', f);
	fclose(f);
	ck_assert_int_gt(n, 0);
	return buf;
}

START_TEST(json_golden)
{
	struct hr_audit_facts f;
	struct hr_audit_report *r;
	char *got, *want;

	good(&f);
	no_nnp(&f);
	r = eval(&f, 2);
	got = hr_audit_render_json(r);
	if (getenv("HR_UPDATE_GOLDEN")) {
		/* regenerate after a deliberate change, then review the diff */
		FILE *g = fopen(HR_TEST_DATA "/audit/report-l2.json", "we");

		ck_assert_ptr_nonnull(g);
		fputs(got, g);
		fclose(g);
	}
	want = slurp(HR_TEST_DATA "/audit/report-l2.json");
	ck_assert_str_eq(got, want);
	free(got);
	free(want);
	hr_audit_report_free(r);
	hr_audit_facts_free(&f);
}
END_TEST

START_TEST(text_rows_aligned)
{
	struct hr_audit_facts f;
	struct hr_audit_report *r;
	char *buf = NULL, *line, *save = NULL;
	size_t len = 0, n = 0, col;
	FILE *out = open_memstream(&buf, &len);

	good(&f);
	no_nnp(&f);
	r = eval(&f, 2);
	hr_audit_render_text(r, out);
	fclose(out);
	line = strtok_r(buf, "\n", &save);
	ck_assert_str_eq(line, "audit of `web` at level 2: FAIL (1 of 14 required controls fail)");
	line = strtok_r(NULL, "\n", &save);
	ck_assert_str_eq(line, "CONTROL  LEVEL  STATUS  TITLE                                    EVIDENCE");
	col = (size_t)(strstr(line, "EVIDENCE") - line);
	while ((line = strtok_r(NULL, "\n", &save)) != NULL) {
		/* every row's evidence starts in the same column as the header's */
		ck_assert_msg(strlen(line) > col && line[col - 1] == ' ' && line[col] != ' ', "%s", line);
		if (n == 4)
			ck_assert_str_eq(line, "3.5      L1     FAIL    No new privileges at runtime             "
					       "NoNewPrivs: 0 in /proc/42/status");
		n++;
	}
	ck_assert_uint_eq(n, r->n_rows);
	free(buf);
	hr_audit_report_free(r);
	hr_audit_facts_free(&f);
}
END_TEST

START_TEST(hostile_evidence)
{
	struct hr_audit_facts f;
	struct hr_audit_report *r;
	char *buf = NULL, *json;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	/* a mount path with a newline (mountinfo escapes it as \012) and a name that is not UTF-8 */
	good(&f);
	add_mount(&f, "140 102 254:0 /x /a\\012PASS\377 rw - ext4 /dev/vda rw\n");
	r = eval(&f, 2);
	hr_audit_render_text(r, out);
	fclose(out);
	ck_assert_ptr_nonnull(strstr(buf, "/a?PASS\377 lacks nosuid,nodev"));
	ck_assert_ptr_null(strstr(buf, "/a\nPASS"));
	json = hr_audit_render_json(r);
	ck_assert_ptr_nonnull(strstr(json, "/a\\nPASS? lacks nosuid,nodev"));
	free(json);
	free(buf);
	hr_audit_report_free(r);
	hr_audit_facts_free(&f);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("audit");
	TCase *tc = tcase_create("audit");

	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, table_levels);
	tcase_add_test(tc, all_pass_every_level);
	tcase_add_loop_test(tc, one_violation, 0, (int)HR_ARRAY_SIZE(cases));
	tcase_add_test(tc, level_out_of_range);
	tcase_add_test(tc, unread_facts_are_na);
	tcase_add_test(tc, parse_status);
	tcase_add_test(tc, parse_uid_map_and_mountinfo);
	tcase_add_test(tc, environ_names_only);
	tcase_add_test(tc, policy_files);
	tcase_add_test(tc, facts_from_config);
	tcase_add_test(tc, json_golden);
	tcase_add_test(tc, text_rows_aligned);
	tcase_add_test(tc, hostile_evidence);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
