/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The cgroup v2 device allowlist: an eBPF program of type
 * BPF_PROG_TYPE_CGROUP_DEVICE built from linux.resources.devices and
 * attached to the container's cgroup with BPF_CGROUP_DEVICE (v2 has no
 * devices.allow file; see Documentation/admin-guide/cgroup-v2.rst "Device
 * controller").  Owns the instruction emitter, bpf(2) load/attach and the
 * replacement of a previous program on update.  Must not touch v1 files.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cgroup_int.h"
#include "hardrun/log.h"
#include "hardrun/strutil.h"

#define MAX_INSNS 4096
#define MAX_OLD_PROGS 64

/* Registers after the prologue: type, access, major, minor; r1 is scratch. */
enum { R_CTX = 1, R_TYPE = 2, R_ACC = 3, R_MAJ = 4, R_MIN = 5 };

static struct bpf_insn insn(uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm)
{
	struct bpf_insn i = {.code = code, .dst_reg = dst & 0xf, .src_reg = src & 0xf, .off = off, .imm = imm};

	return i;
}

#define LDX_W(dst, src, off) insn(BPF_LDX | BPF_W | BPF_MEM, dst, src, off, 0)
#define ALU32_IMM(op, dst, imm) insn(BPF_ALU | BPF_K | (op), dst, 0, 0, imm)
#define MOV32_REG(dst, src) insn(BPF_ALU | BPF_X | BPF_MOV, dst, src, 0, 0)
#define MOV64_IMM(dst, imm) insn(BPF_ALU64 | BPF_K | BPF_MOV, dst, 0, 0, imm)
#define JMP_IMM(op, dst, imm, off) insn(BPF_JMP | BPF_K | (op), dst, 0, off, imm)
#define EXIT_INSN() insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)

static int access_bits(const char *access)
{
	int bits = 0;

	for (const char *p = access ? access : "rwm"; *p; p++) {
		if (*p == 'r')
			bits |= BPF_DEVCG_ACC_READ;
		else if (*p == 'w')
			bits |= BPF_DEVCG_ACC_WRITE;
		else if (*p == 'm')
			bits |= BPF_DEVCG_ACC_MKNOD;
		else
			return -1;
	}
	return bits;
}

/*
 * Rules are matched last to first and the first match decides, which
 * gives the v1 outcome of applying them in order; no match denies.  An
 * allow rule matches only when every requested access is allowed; a deny
 * rule matches when any requested access is denied (stricter than v1 for
 * overlapping partial rules, never looser).
 */
int hr_cgroup_bpf_build(const struct hr_device_rule *rules, size_t n, struct bpf_insn **out, size_t *len,
			struct hr_err **err)
{
	cleanup_free struct bpf_insn *p = xcalloc(MAX_INSNS, sizeof(*p));
	size_t k = 0;

	if (n > (MAX_INSNS - 16) / 10)
		return hr_fail(err, E2BIG, "apply device rules: %zu rules are too many", n);
	p[k++] = LDX_W(R_TYPE, R_CTX, offsetof(struct bpf_cgroup_dev_ctx, access_type));
	p[k++] = MOV32_REG(R_ACC, R_TYPE);
	p[k++] = ALU32_IMM(BPF_AND, R_TYPE, 0xffff);
	p[k++] = ALU32_IMM(BPF_RSH, R_ACC, 16);
	p[k++] = LDX_W(R_MAJ, R_CTX, offsetof(struct bpf_cgroup_dev_ctx, major));
	p[k++] = LDX_W(R_MIN, R_CTX, offsetof(struct bpf_cgroup_dev_ctx, minor));
	for (size_t r = n; r-- > 0;) {
		const struct hr_device_rule *d = &rules[r];
		int acc = access_bits(d->access);
		size_t jumps[4], nj = 0;

		if (acc <= 0)
			return hr_fail(err, 0, "apply device rules: bad access `%s`", d->access);
		if (d->type == 'c' || d->type == 'b') {
			jumps[nj++] = k;
			p[k++] = JMP_IMM(BPF_JNE, R_TYPE, d->type == 'c' ? BPF_DEVCG_DEV_CHAR : BPF_DEVCG_DEV_BLOCK, 0);
		} else if (d->type != 'a') {
			return hr_fail(err, 0, "apply device rules: bad type `%c`", d->type);
		}
		if (d->type != 'a' && d->major >= 0) {
			if (d->major > UINT32_MAX / 2)
				return hr_fail(err, 0, "apply device rules: bad major `%lld`", (long long)d->major);
			jumps[nj++] = k;
			p[k++] = JMP_IMM(BPF_JNE, R_MAJ, (int32_t)d->major, 0);
		}
		if (d->type != 'a' && d->minor >= 0) {
			if (d->minor > UINT32_MAX / 2)
				return hr_fail(err, 0, "apply device rules: bad minor `%lld`", (long long)d->minor);
			jumps[nj++] = k;
			p[k++] = JMP_IMM(BPF_JNE, R_MIN, (int32_t)d->minor, 0);
		}
		p[k++] = MOV32_REG(R_CTX, R_ACC);
		if (d->allow) {
			p[k++] = ALU32_IMM(BPF_AND, R_CTX, ~acc & 0x7);
			jumps[nj++] = k;
			p[k++] = JMP_IMM(BPF_JNE, R_CTX, 0, 0);
		} else {
			p[k++] = ALU32_IMM(BPF_AND, R_CTX, acc);
			jumps[nj++] = k;
			p[k++] = JMP_IMM(BPF_JEQ, R_CTX, 0, 0);
		}
		p[k++] = MOV64_IMM(0, d->allow ? 1 : 0);
		p[k++] = EXIT_INSN();
		/* Every "no match" jump lands on the next (earlier) rule. */
		for (size_t j = 0; j < nj; j++)
			p[jumps[j]].off = (int16_t)(k - jumps[j] - 1);
	}
	p[k++] = MOV64_IMM(0, 0);
	p[k++] = EXIT_INSN();
	*out = steal_ptr(&p);
	*len = k;
	return 0;
}

static int sys_bpf(int cmd, union bpf_attr *attr)
{
	return (int)syscall(SYS_bpf, cmd, attr, sizeof(*attr));
}

static int load_prog(const struct bpf_insn *insns, size_t len, struct hr_err **err)
{
	static char log[16384];
	union bpf_attr attr;
	int fd;

	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
	attr.insns = (uintptr_t)insns;
	attr.insn_cnt = (uint32_t)len;
	attr.license = (uintptr_t) "GPL";
	fd = sys_bpf(BPF_PROG_LOAD, &attr);
	if (fd >= 0)
		return fd;
	/* Load again with the verifier log so the error says why. */
	attr.log_buf = (uintptr_t)log;
	attr.log_size = sizeof(log);
	attr.log_level = 1;
	log[0] = '\0';
	fd = sys_bpf(BPF_PROG_LOAD, &attr);
	if (fd >= 0)
		return fd;
	return hr_fail(err, errno, "load device eBPF program (%zu insns)%s%.200s", len, log[0] ? ": " : "", log);
}

/* Ids of the device programs attached to the cgroup itself (not inherited). */
static int query_progs(int cgfd, uint32_t *ids, uint32_t *n, struct hr_err **err)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.query.target_fd = (uint32_t)cgfd;
	attr.query.attach_type = BPF_CGROUP_DEVICE;
	attr.query.prog_ids = (uintptr_t)ids;
	attr.query.prog_cnt = *n;
	if (sys_bpf(BPF_PROG_QUERY, &attr) < 0)
		return hr_fail(err, errno, "query device eBPF programs");
	*n = attr.query.prog_cnt < *n ? attr.query.prog_cnt : *n;
	return 0;
}

int hr_cgroup_bpf_devices(const char *dir, const struct hr_device_rule *rules, size_t n, struct hr_err **err)
{
	cleanup_free struct bpf_insn *insns = NULL;
	cleanup_close int cgfd = -1;
	cleanup_close int prog = -1;
	uint32_t old[MAX_OLD_PROGS];
	uint32_t n_old = MAX_OLD_PROGS;
	union bpf_attr attr;
	size_t len = 0;

	if (hr_cgroup_bpf_build(rules, n, &insns, &len, err) < 0)
		return -1;
	cgfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cgfd < 0)
		return hr_fail(err, errno, "open `%s`", dir);
	if (query_progs(cgfd, old, &n_old, err) < 0)
		return -1;
	prog = load_prog(insns, len, err);
	if (prog < 0)
		return -1;
	/* Attach the new program before detaching old ones, so no moment runs without a filter. */
	memset(&attr, 0, sizeof(attr));
	attr.target_fd = (uint32_t)cgfd;
	attr.attach_bpf_fd = (uint32_t)prog;
	attr.attach_type = BPF_CGROUP_DEVICE;
	attr.attach_flags = BPF_F_ALLOW_MULTI;
	if (sys_bpf(BPF_PROG_ATTACH, &attr) < 0)
		return hr_fail(err, errno, "attach device eBPF program to `%s`", dir);
	for (uint32_t i = 0; i < n_old; i++) {
		cleanup_close int ofd = -1;

		memset(&attr, 0, sizeof(attr));
		attr.prog_id = old[i];
		ofd = sys_bpf(BPF_PROG_GET_FD_BY_ID, &attr);
		if (ofd < 0)
			continue; /* already gone */
		memset(&attr, 0, sizeof(attr));
		attr.target_fd = (uint32_t)cgfd;
		attr.attach_bpf_fd = (uint32_t)ofd;
		attr.attach_type = BPF_CGROUP_DEVICE;
		if (sys_bpf(BPF_PROG_DETACH, &attr) < 0 && errno != ENOENT)
			return hr_fail(err, errno, "detach old device eBPF program %u from `%s`", old[i], dir);
	}
	hr_log_debug("cgroup: device eBPF program, %zu rules, %zu insns, attached to %s", n, len, dir);
	return 0;
}
