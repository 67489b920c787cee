/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `spec` (a default config.json, as runc spec writes it) and `features` (runtime-spec features.md). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "hardrun/spec.h"
#include "hardrun/strutil.h"

static const struct option spec_opts[] = {
	{"bundle", required_argument, NULL, 'b'},
	{"rootless", no_argument, NULL, 'R'},
	{"hardened", no_argument, NULL, 'H'},
	{NULL, 0, NULL, 0},
};

/* runc spec --rootless: a single-id user namespace of the caller, no network namespace, /sys bound read-only. */
static void make_rootless(json_t *spec)
{
	json_t *lnx = json_object_get(spec, "linux");
	json_t *nss = json_object_get(lnx, "namespaces");
	json_t *mounts = json_object_get(spec, "mounts");
	json_t *nns = json_array();
	size_t i;
	json_t *v;

	json_array_foreach(nss, i, v)
	{
		if (strcmp(json_string_value(json_object_get(v, "type")), "network") != 0)
			json_array_append(nns, v);
	}
	json_array_append_new(nns, json_pack("{s:s}", "type", "user"));
	json_object_set_new(lnx, "namespaces", nns);
	json_object_set_new(lnx, "uidMappings",
			    json_pack("[{s:i, s:i, s:i}]", "containerID", 0, "hostID", (int)geteuid(), "size", 1));
	json_object_set_new(lnx, "gidMappings",
			    json_pack("[{s:i, s:i, s:i}]", "containerID", 0, "hostID", (int)getegid(), "size", 1));
	json_object_del(lnx, "resources");
	json_array_foreach(mounts, i, v)
	{
		if (strcmp(json_string_value(json_object_get(v, "destination")), "/sys") == 0)
			json_array_set_new(mounts, i,
					   json_pack("{s:s, s:s, s:s, s:[s,s,s,s,s]}", "destination", "/sys", "type",
						     "none", "source", "/sys", "options", "rbind", "nosuid", "noexec",
						     "nodev", "ro"));
	}
}

int hr_cmd_spec(const struct hr_rt *rt, int argc, char **argv, struct hr_err **err)
{
	const char *bundle = ".";
	bool rootless = false, hardened = false;
	cleanup_free char *path = NULL;
	cleanup_close int fd = -1;
	json_t *spec;
	char *text;
	size_t len;
	int c, r = 0;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long_only(argc, argv, "+b:", spec_opts, NULL)) != -1) {
		if (c == 'b')
			bundle = optarg;
		else if (c == 'R')
			rootless = true;
		else if (c == 'H')
			hardened = true;
		else
			return hr_fail(err, 0, "spec: unknown or incomplete option `%s`", argv[optind - 1]);
	}
	if (optind != argc)
		return hr_fail(err, 0, "spec: unexpected argument `%s`", argv[optind]);
	if (rootless && hardened)
		return hr_fail(err, 0, "spec: --rootless and --hardened exclude each other");
	path = hr_path_join(bundle, "config.json");
	spec = hr_spec_default_json();
	if (rootless)
		make_rootless(spec);
	/* hardened before the file exists: a refusing policy leaves nothing behind */
	if (hardened && hr_runtime_spec_harden(rt, bundle, spec, err) < 0) {
		json_decref(spec);
		return hr_fail_wrap(err, "spec --hardened");
	}
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0) {
		json_decref(spec);
		return hr_fail(err, errno, "spec: create `%s`", path);
	}
	text = json_dumps(spec, JSON_INDENT(8) | JSON_PRESERVE_ORDER);
	json_decref(spec);
	len = strlen(text);
	if (write(fd, text, len) != (ssize_t)len || write(fd, "\n", 1) != 1) {
		r = hr_fail(err, errno, "spec: write `%s`", path);
		unlink(path);
	}
	free(text);
	return r;
}

static json_t *strs(const char *const *v)
{
	json_t *a = json_array();

	for (; *v; v++)
		json_array_append_new(a, json_string(*v));
	return a;
}

int hr_cmd_features(const struct hr_rt *rt, int argc, char **argv, struct hr_err **err)
{
	static const char *const hooks[] = {
		"prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop", NULL};
	static const char *const mount_opts[] = {"async",
						 "atime",
						 "bind",
						 "defaults",
						 "dev",
						 "diratime",
						 "dirsync",
						 "exec",
						 "lazytime",
						 "loud",
						 "mand",
						 "noatime",
						 "nodev",
						 "nodiratime",
						 "noexec",
						 "nolazytime",
						 "nomand",
						 "norelatime",
						 "nostrictatime",
						 "nosuid",
						 "nosymfollow",
						 "private",
						 "ratime",
						 "rbind",
						 "rdev",
						 "rdiratime",
						 "relatime",
						 "remount",
						 "rexec",
						 "rnoatime",
						 "rnodev",
						 "rnodiratime",
						 "rnoexec",
						 "rnorelatime",
						 "rnostrictatime",
						 "rnosuid",
						 "rnosymfollow",
						 "ro",
						 "rprivate",
						 "rrelatime",
						 "rro",
						 "rrw",
						 "rshared",
						 "rslave",
						 "rstrictatime",
						 "rsuid",
						 "rsymfollow",
						 "runbindable",
						 "rw",
						 "shared",
						 "silent",
						 "slave",
						 "strictatime",
						 "suid",
						 "sync",
						 "unbindable",
						 NULL};
	static const char *const namespaces[] = {"cgroup", "ipc",  "mount", "network", "pid",
						 "time",   "user", "uts",   NULL};
	static const char *const actions[] = {
		"SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO",  "SCMP_ACT_KILL",  "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD",
		"SCMP_ACT_LOG",	  "SCMP_ACT_NOTIFY", "SCMP_ACT_TRACE", "SCMP_ACT_TRAP",		NULL};
	static const char *const ops[] = {"SCMP_CMP_EQ", "SCMP_CMP_GE",	       "SCMP_CMP_GT", "SCMP_CMP_LE",
					  "SCMP_CMP_LT", "SCMP_CMP_MASKED_EQ", "SCMP_CMP_NE", NULL};
	static const char *const archs[] = {"SCMP_ARCH_X86_64",	 "SCMP_ARCH_X86", "SCMP_ARCH_X32",
					    "SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM", NULL};
	static const char *const flags[] = {"SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG",
					    "SECCOMP_FILTER_FLAG_SPEC_ALLOW", "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV",
					    NULL};
	json_t *f = json_object(), *lnx = json_object(), *caps = json_array(), *sc = json_object();
	char *text;

	(void)rt;
	(void)argv;
	if (argc != 1) {
		json_decref(f);
		json_decref(lnx);
		json_decref(caps);
		json_decref(sc);
		return hr_fail(err, 0, "features: takes no arguments");
	}
	for (int i = 0; i <= hr_cap_last(); i++)
		if (hr_cap_name(i))
			json_array_append_new(caps, json_string(hr_cap_name(i)));
	json_object_set_new(f, "ociVersionMin", json_string("1.0.0"));
	json_object_set_new(f, "ociVersionMax", json_string("1.2.0"));
	json_object_set_new(f, "hooks", strs(hooks));
	json_object_set_new(f, "mountOptions", strs(mount_opts));
	json_object_set_new(lnx, "namespaces", strs(namespaces));
	json_object_set_new(lnx, "capabilities", caps);
	/* only what is implemented and enforced: systemd cgroups as root (no user manager); idmap on bind mounts */
	json_object_set_new(
		lnx, "cgroup",
		json_pack("{s:b, s:b, s:b, s:b, s:b}", "v1", 1, "v2", 1, "systemd", 1, "systemdUser", 0, "rdma", 0));
	json_object_set_new(sc, "enabled", json_true());
	json_object_set_new(sc, "actions", strs(actions));
	json_object_set_new(sc, "operators", strs(ops));
	json_object_set_new(sc, "archs", strs(archs));
	json_object_set_new(sc, "knownFlags", strs(flags));
	json_object_set_new(sc, "supportedFlags", strs(flags));
	json_object_set_new(lnx, "seccomp", sc);
	json_object_set_new(lnx, "apparmor", json_pack("{s:b}", "enabled", 1));
	json_object_set_new(lnx, "selinux", json_pack("{s:b}", "enabled", 0));
	json_object_set_new(lnx, "intelRdt", json_pack("{s:b}", "enabled", 0));
	json_object_set_new(lnx, "mountExtensions", json_pack("{s:{s:b}}", "idmap", "enabled", 1));
	json_object_set_new(f, "linux", lnx);
	json_object_set_new(f, "annotations", json_pack("{s:s}", "io.github.hardrun.version", HR_VERSION));
	text = json_dumps(f, JSON_INDENT(4) | JSON_PRESERVE_ORDER);
	json_decref(f);
	printf("%s\n", text);
	free(text);
	return 0;
}
