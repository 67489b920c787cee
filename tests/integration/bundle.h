/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Integration test harness: a temporary OCI bundle (busybox-static and the
 * probe in its rootfs, a runc-like config.json built with jansson), runs of
 * the runtime under test with a timeout and captured output, and the leak
 * check every test ends with.  The runtime is $HR_TEST_RUNTIME (e.g.
 * /usr/sbin/runc) or else the built hardrun ($HR_TEST_HARDRUN).
 */
#ifndef HR_IT_BUNDLE_H
#define HR_IT_BUNDLE_H

#include <check.h>
#include <jansson.h>
#include <stdbool.h>

struct hb {
	char dir[256]; /* bundle */
	char rootfs[300];
	char state[300];  /* --root */
	char id[64];	  /* container id, also the cgroup leaf */
	char policy[320]; /* --policy for hardrun; "" = none (hardrun's own default) */
	json_t *config;	  /* edited by tests, written by hb_write */
	const char *cwd;  /* the runtime's working directory; NULL: the bundle */
};

struct hb_result {
	int status; /* exit status, 128+N when killed, -1 on timeout */
	char *out;
	char *err;
};

/* Exit 77 (skip) unless root and the kernel has what the suite needs; HR_TEST_MUST_RUN=1 makes it fail. */
void hb_require_root(void);
const char *hb_runtime(void);
bool hb_is_hardrun(void);

void hb_new(struct hb *b);
void hb_set_args(struct hb *b, ...); /* NULL-terminated */
void hb_write(struct hb *b);
/* Run the runtime with --root b->state plus args (NULL-terminated); stdin is /dev/null. */
struct hb_result hb_run(struct hb *b, int timeout_s, ...);
/* Same, with extra fds: fd 3 of the runtime is fd3 when >= 0. */
struct hb_result hb_runv(struct hb *b, int timeout_s, int fd3, char **argv);
void hb_result_free(struct hb_result *r);
/* Number of lines of stderr (the one-error-line rule). */
int hb_lines(const char *s);

/* delete --force, then assert nothing of the container is left: mounts, cgroups, state, processes. */
void hb_finish(struct hb *b);
/* The same leak check alone. */
void hb_assert_no_leak(struct hb *b);
/* 1 when /sys/fs/cgroup is the unified (cgroup v2) hierarchy */
int hb_cgroup_v2(void);
/* A pids-controller cgroup dir of path REL ("/id"): /sys/fs/cgroup/REL on v2, /sys/fs/cgroup/pids/REL on v1 */
void hb_pids_cgroup(char *buf, size_t n, const char *rel);
/*
 * 1 when the kernel gives an exit status through a pidfd (PIDFD_GET_INFO,
 * Linux 6.15): without it hardrun starts no exit watcher and the restart cap
 * counts quick restarts (Debian 12's 6.1).  Fails the test when the probe itself fails.
 */
int hb_kernel_exit_info(void);

/*
 * A user namespace mapping 0..65535 to 100000..165535, the rootfs owned by
 * the mapped root, and no sysfs mount (it needs the network namespace's
 * owner).
 */
void hb_userns(struct hb *b);
/* Remove the config's mounts with this destination. */
void hb_drop_mount(struct hb *b, const char *dest);
/*
 * A listening unix socket at <bundle>/<name> (beside the bundle: sun_path is
 * short); its path goes to path (>= 108 bytes).
 */
int hb_listen(struct hb *b, const char *name, char *path);
/* Accept one connection on a listening socket and return the fd it sends with SCM_RIGHTS (-1 if none). */
int hb_recv_fd(int listening);
/* Run the suite: every test in the NULL-terminated list, one tcase with the timeout; exit status for main. */
int hb_main(const char *name, int timeout_s, const TTest *const *tests);

/*
 * The hardening policy hardrun runs with: hb_new points --policy at a copy
 * of tests/data/policy/passthrough.json (level 0), so the suites test the
 * runtime's mechanisms exactly as the bundle asks; this writes text as the
 * bundle's policy file instead (root-owned, 0644).  Never passed to
 * another runtime.
 */
void hb_set_policy(struct hb *b, const char *text);

/* Write a file into the bundle dir (hook scripts) with mode. */
void hb_write_file(struct hb *b, const char *name, const char *text, int mode);

#endif
