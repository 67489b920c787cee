/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fuzz hr_seccomp_compile with structure-aware input: the bytes are read
 * as a seccomp section (default action, architectures, flags, rules with
 * conditions) without any JSON parser, so the fuzzer spends its time in
 * the rule builder and libseccomp rather than in jansson.  The filter is
 * compiled and exported, never loaded.
 *
 * Layout (every field is taken mod its range; missing bytes read as 0):
 *   u8 default action, u8 flags (bit0 has defaultErrnoRet), u16 errno,
 *   u8 architecture mask, u8 seccomp flag mask, u8 rule count, then per rule:
 *   u8 name index, u8 second name index (0xff: none), u8 action,
 *   u8 has errnoRet, u16 errnoRet, u8 arg count, then per arg:
 *   u8 index, u8 op, u64 value, u64 valueTwo.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hardrun/seccomp.h"
#include "hardrun/strutil.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct reader {
	const uint8_t *p;
	size_t left;
};

static uint64_t take(struct reader *r, size_t n)
{
	uint64_t v = 0;

	for (size_t i = 0; i < n; i++) {
		v <<= 8;
		if (r->left) {
			v |= *r->p++;
			r->left--;
		}
	}
	return v;
}

static const char *const names[] = {
	"getppid",     "read",	     "write",	   "clone",	 "clone3",  "socket",
	"personality", "socketcall", "ptrace",	   "mount",	 "_llseek", "hr_not_a_syscall",
	"open",	       "openat",     "ioctl",	   "exit_group", "kill",    "sendmsg",
	"arch_prctl",  "",	     "modify_ldt", "futex",	 "mmap",    "ipc",
};

static char *const archs[] = {
	"SCMP_ARCH_X86_64", "SCMP_ARCH_X86",   "SCMP_ARCH_X32",		"SCMP_ARCH_AARCH64",
	"SCMP_ARCH_ARM",    "SCMP_ARCH_S390X", "SCMP_ARCH_LOONGARCH64", "SCMP_ARCH_BOGUS",
};

static char *const flags[] = {
	"SECCOMP_FILTER_FLAG_TSYNC",	  "SECCOMP_FILTER_FLAG_LOG",
	"SECCOMP_FILTER_FLAG_SPEC_ALLOW", "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV",
	"SECCOMP_FILTER_FLAG_BOGUS",
};

#define MAX_RULES 64
#define MAX_ARGS 8

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct reader r = {data, size};
	struct hr_seccomp sc;
	struct hr_seccomp_rule rules[MAX_RULES];
	struct hr_seccomp_arg args[MAX_RULES][MAX_ARGS];
	char *rule_names[MAX_RULES][3];
	char *arch_v[HR_ARRAY_SIZE(archs) + 1];
	char *flag_v[HR_ARRAY_SIZE(flags) + 1];
	struct hr_bpf *b = NULL;
	struct hr_err *err = NULL;
	size_t n = 0, n_conds = 0;
	unsigned int mask;

	memset(&sc, 0, sizeof(sc));
	memset(rules, 0, sizeof(rules));
	sc.default_action = (enum hr_seccomp_action)(take(&r, 1) % 10); /* 9 is out of range on purpose */
	sc.has_default_errno_ret = take(&r, 1) & 1;
	sc.default_errno_ret = (unsigned int)take(&r, 2);
	mask = (unsigned int)take(&r, 1);
	for (size_t i = 0; i < HR_ARRAY_SIZE(archs); i++) {
		if (mask & (1u << i))
			arch_v[n++] = archs[i];
	}
	arch_v[n] = NULL;
	sc.architectures = n ? arch_v : NULL;
	mask = (unsigned int)take(&r, 1);
	n = 0;
	for (size_t i = 0; i < HR_ARRAY_SIZE(flags); i++) {
		if (mask & (1u << i))
			flag_v[n++] = flags[i];
	}
	flag_v[n] = NULL;
	sc.flags = n ? flag_v : NULL;

	sc.n_rules = take(&r, 1) % (MAX_RULES + 1);
	sc.rules = rules;
	for (size_t i = 0; i < sc.n_rules; i++) {
		struct hr_seccomp_rule *rule = &rules[i];
		unsigned int second;

		rule_names[i][0] = (char *)names[take(&r, 1) % HR_ARRAY_SIZE(names)];
		second = (unsigned int)take(&r, 1);
		rule_names[i][1] = second == 0xff ? NULL : (char *)names[second % HR_ARRAY_SIZE(names)];
		rule_names[i][2] = NULL;
		rule->names = rule_names[i];
		rule->action = (enum hr_seccomp_action)(take(&r, 1) % 10);
		rule->has_errno_ret = take(&r, 1) & 1;
		rule->errno_ret = (unsigned int)take(&r, 2);
		rule->n_args = take(&r, 1) % (MAX_ARGS + 1);
		rule->args = args[i];
		for (size_t k = 0; k < rule->n_args; k++) {
			args[i][k].index = (unsigned int)(take(&r, 1) % 8);
			args[i][k].op = (enum hr_seccomp_op)(take(&r, 1) % 8);
			args[i][k].value = take(&r, 8);
			args[i][k].value_two = take(&r, 8);
		}
	}

	/*
	 * libseccomp 2.5.4 spins for minutes on some sets of comparisons (see
	 * check_seccomp_k), even on four of them among 34 rules (the corpus's
	 * slow-*): inputs with any comparison, or many rules, go through the
	 * bounded compile the runtime uses, so they end in an error instead of
	 * a hung fuzzer.  Coverage is only seen in this process, so the rest
	 * compiles here.
	 * A crash of the compiling child surfaces as "the compiling process
	 * failed": abort.
	 */
	for (size_t i = 0; i < sc.n_rules; i++)
		n_conds += rules[i].n_args;
	if ((n_conds > 0 || sc.n_rules > 8 ? hr_seccomp_compile_bounded(&sc, 2, &b, &err)
					   : hr_seccomp_compile(&sc, &b, &err)) == 0) {
		if (b == NULL || b->len == 0 || b->filter == NULL)
			abort();
		hr_bpf_free(b);
	} else {
		if (err == NULL || err->msg == NULL || strstr(err->msg, "the compiling process failed"))
			abort();
		hr_err_free(&err);
	}
	return 0;
}
