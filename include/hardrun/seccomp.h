/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Seccomp: compile the OCI linux.seccomp section into classic BPF in the
 * parent (libseccomp, before clone), load the finished program in the child
 * with the raw seccomp(2) syscall (no libseccomp, no allocation on the
 * success path), and hand a user-notification fd to the listener named by
 * linux.seccomp.listenerPath.  Parsing of config.json is not done here: the
 * input is an already parsed struct hr_seccomp.
 */
#ifndef HARDRUN_SECCOMP_H
#define HARDRUN_SECCOMP_H

#include <linux/filter.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "hardrun/error.h"
#include "hardrun/spec.h"

/* A compiled filter, ready for hr_seccomp_load_child(). */
struct hr_bpf {
	struct sock_filter *filter; /* len instructions, owned by the struct */
	unsigned short len;	    /* 1..BPF_MAXINSNS */
	unsigned int flags;	    /* SECCOMP_FILTER_FLAG_* passed to seccomp(2), NEW_LISTENER included */
	bool notify;		    /* some rule uses SCMP_ACT_NOTIFY: loading returns a listener fd */
};

/*
 * Compile sc (borrowed) into a new *out (free with hr_bpf_free).
 *
 * - defaultAction/defaultErrnoRet become the filter's default action;
 *   SCMP_ACT_NOTIFY as default action is refused (the runtime itself would
 *   block on its own syscalls before the listener has the fd).
 * - architectures: each SCMP_ARCH_* name is added next to the native one
 *   (as runc does).  A name of the runtime-spec list that this libseccomp
 *   does not know is skipped with a warning: a missing architecture is
 *   killed by the filter, so skipping never weakens it.  Other names fail.
 * - flags: SECCOMP_FILTER_FLAG_{TSYNC,LOG,SPEC_ALLOW,WAIT_KILLABLE_RECV};
 *   the final flag set is probed against the kernel, unsupported → error
 *   (EINVAL).  WAIT_KILLABLE_RECV needs a NOTIFY rule.
 * - rules: a syscall name libseccomp does not know is skipped (debug log),
 *   as runc does, so newer profiles load on older libseccomp.  A rule whose
 *   action (errno included) equals the default action is skipped, because
 *   libseccomp refuses it as redundant.  errnoRet is accepted for ERRNO and
 *   TRACE only (default EPERM) and must fit 16 bits.  When one rule names
 *   the same argument index more than once, every condition becomes its own
 *   rule (OR), as runc does; otherwise the conditions are ANDed.
 * - the program is exported through a memfd and must not exceed
 *   BPF_MAXINSNS instructions (E2BIG).
 *
 * Errors name the failing object, e.g. "seccomp_rule_add `clone`" with the
 * errno libseccomp reported.  errno values callers may test: EINVAL (bad
 * value or unsupported flag), EOPNOTSUPP (action unsupported by the
 * kernel), E2BIG.  Never loads anything into the calling process.
 */
int hr_seccomp_compile(const struct hr_seccomp *sc, struct hr_bpf **out, struct hr_err **err);

/* The CPU budget create and exec give the compiler; Docker's default profile needs ~15 ms. */
#define HR_SECCOMP_CPU_SECONDS 5

/*
 * hr_seccomp_compile in a forked child limited to cpu_seconds of CPU time:
 * libseccomp 2.5.4 can spin for minutes on some sets of 64-bit argument
 * comparisons (found by fuzz_seccomp_policy), and a config must not stall
 * create or exec.  Errors are the compiler's own text, or "did not compile
 * within N s of CPU time".
 */
int hr_seccomp_compile_bounded(const struct hr_seccomp *sc, unsigned int cpu_seconds, struct hr_bpf **out,
			       struct hr_err **err);

/* The running libseccomp's version, "MAJOR.MINOR.MICRO", into buf. */
void hr_seccomp_lib_version(char *buf, size_t len);

/* Free b and its program; NULL is fine. */
void hr_bpf_free(struct hr_bpf *b);

/*
 * Child only.  Install b (borrowed) on the calling thread with
 * seccomp(SECCOMP_SET_MODE_FILTER, b->flags).  The caller must already have
 * set no_new_privs or hold CAP_SYS_ADMIN in its user namespace; otherwise
 * the kernel answers EACCES.  Makes no allocation and no libseccomp call on
 * the success path.
 *
 * When b->notify, *notify_fd receives the listener fd (the kernel opens it
 * O_CLOEXEC); the caller owns it and must pass it on (see
 * hr_seccomp_send_listener) before making any syscall that the filter
 * notifies, or it will block forever.  Otherwise *notify_fd is -1.
 * errno values: EACCES (no NNP / no CAP_SYS_ADMIN), EINVAL, ENOMEM, EBUSY
 * (a listener already exists on this thread's filters).
 */
int hr_seccomp_load_child(const struct hr_bpf *b, int *notify_fd, struct hr_err **err);

/*
 * Child only.  Load the policy's filter (may be NULL) and then the
 * bundle's (may be NULL) with hr_seccomp_load_child.  The policy's comes
 * first: it must allow seccomp(2) itself, so a bundle's filter can never
 * keep the policy's from being loaded, and the kernel, which runs every
 * filter and takes the action of highest precedence, uses the most
 * recently loaded filter's data on ties, so the bundle's errnoRet values
 * (ENOSYS for clone3, a test's unusual errno) stay what the bundle says.
 * *notify_fd as for hr_seccomp_load_child (only the bundle's filter may
 * notify).
 */
int hr_seccomp_load_stack_child(const struct hr_bpf *policy, const struct hr_bpf *bundle, int *notify_fd,
				struct hr_err **err);

/*
 * Send the runtime-spec "container process state" to the seccomp agent
 * listening on the AF_UNIX stream socket listener_path:
 *   {"ociVersion":"1.0.2","fds":["seccompFd"],"pid":PID,
 *    "metadata":"…","state":<state_json>}
 * with notify_fd (borrowed, not closed) attached as SCM_RIGHTS to the first
 * sendmsg, then close the connection: exactly one message per connection.
 * metadata may be NULL (the key is then left out, as runc does);
 * state_json must be the container state as a JSON object text.
 * Errors: "connect `PATH`" (ENOENT, ECONNREFUSED, …), "send seccomp state
 * to `PATH`", EINVAL for a state that is not a JSON object, ENAMETOOLONG for
 * a path that does not fit sun_path.
 */
int hr_seccomp_send_listener(const char *listener_path, int notify_fd, const char *metadata, const char *state_json,
			     pid_t pid, struct hr_err **err);

/*
 * The learn mode's filter and its loading (hardrun/seccomp_learn.h has the
 * recorder): defined here beside the other filters, with their helpers.
 */
struct hr_scprof;

/*
 * Compile the learn filter into *out (free with hr_bpf_free): default
 * SCMP_ACT_NOTIFY for the native architecture and its compat ones (x86 and
 * x32 next to x86_64, arm next to aarch64), the seed's names (may be NULL)
 * allowed directly so only new calls pay for a notification, and
 * sendmsg(sync_fd, …) allowed so the init can hand the listener over
 * before anyone reads it (the write would otherwise wait for a supervisor
 * that does not have the fd yet).  Errors as hr_seccomp_compile's.
 */
int hr_seccomp_compile_learn(const struct hr_scprof *seed, int sync_fd, struct hr_bpf **out, struct hr_err **err);

/*
 * Child only: load the container's own profile (may be NULL; before
 * hr_seccomp_load_stack_child, so that on equal actions the later filters'
 * errno values win, and it must allow seccomp(2)), then the learn filter
 * (may be NULL; after every other filter), and send the learn filter's
 * listener fd to the parent over sync_fd (HR_SYNC_LEARN) before any other
 * call.  No allocation.
 */
int hr_seccomp_load_extra_child(const struct hr_bpf *profile, const struct hr_bpf *learn, int sync_fd,
				struct hr_err **err);

/* The SCMP_ARCH_* name of a libseccomp/audit architecture token, or NULL. */
const char *hr_seccomp_arch_name(uint32_t token);

#endif
