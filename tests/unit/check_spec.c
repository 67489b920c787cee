/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The config parser and validator: valid configs give the exact structure,
 * every tests/data/spec/invalid/NAME.json gives exactly the one error line
 * in NAME.expected.err (doas regress style).  HR_GOLDEN_WRITE=1 rewrites
 * the golden files instead of comparing (review the diff before committing).
 */
#include <check.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <jansson.h>

#include "hardrun/spec.h"
#include "hardrun/strutil.h"

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "re");
	char *buf;
	long n;

	ck_assert_msg(f != NULL, "open %s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = xmalloc((size_t)n + 1);
	ck_assert_int_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/* Parse + validate; returns NULL on success or the error line. */
static char *load(const char *buf, size_t len, struct hr_spec **out)
{
	struct hr_err *err = NULL;
	struct hr_spec *s = NULL;
	char *line;

	if (hr_spec_load_buf(buf, len, &s, &err) == 0 && hr_spec_validate(s, &err) == 0) {
		if (out)
			*out = s;
		else
			hr_spec_free(s);
		return NULL;
	}
	hr_spec_free(s);
	line = hr_err_format(err);
	hr_err_free(&err);
	return line;
}

static struct hr_spec *load_file_ok(const char *name)
{
	cleanup_free char *path = xasprintf("%s/spec/valid/%s", HR_TEST_DATA, name);
	cleanup_free char *buf = NULL;
	cleanup_free char *e = NULL;
	struct hr_spec *s = NULL;
	size_t len;

	buf = slurp(path, &len);
	e = load(buf, len, &s);
	ck_assert_msg(e == NULL, "%s: %s", name, e);
	return s;
}

START_TEST(valid_minimal)
{
	struct hr_spec *s = load_file_ok("minimal.json");

	ck_assert_str_eq(s->oci_version, "1.0.2");
	ck_assert_str_eq(s->root_path, "rootfs");
	ck_assert(s->root_readonly);
	ck_assert_str_eq(s->process->args[0], "sh");
	ck_assert_ptr_null(s->process->args[1]);
	ck_assert_str_eq(s->process->cwd, "/");
	ck_assert(!s->process->has_capabilities);
	ck_assert(s->lnx.namespaces[HR_NS_PID].present);
	ck_assert_ptr_null(s->lnx.namespaces[HR_NS_PID].path);
	ck_assert(!s->lnx.namespaces[HR_NS_USER].present);
	ck_assert_uint_eq(s->n_mounts, 1);
	hr_spec_free(s);
}
END_TEST

START_TEST(valid_full)
{
	struct hr_spec *s = load_file_ok("full.json");
	const struct hr_process *p = s->process;
	const struct hr_seccomp *sc = s->lnx.seccomp;

	ck_assert_uint_eq(p->caps.bounding, (1ULL << 0) | (1ULL << 5) | (1ULL << 10));
	ck_assert_uint_eq(p->caps.inheritable, 0);
	ck_assert_uint_eq(p->caps.ambient, 0);
	ck_assert_uint_eq(p->n_rlimits, 1);
	ck_assert_int_eq(p->rlimits[0].resource, RLIMIT_NOFILE);
	ck_assert_uint_eq(p->rlimits[0].hard, 1024);
	ck_assert(p->no_new_privileges);
	ck_assert(p->has_oom_score_adj);
	ck_assert_int_eq(p->oom_score_adj, 100);
	ck_assert(p->user.has_umask);
	ck_assert_uint_eq(p->user.umask, 022);
	ck_assert_uint_eq(p->user.n_additional_gids, 2);
	ck_assert_uint_eq(p->user.additional_gids[1], 20);
	ck_assert_uint_eq(s->n_mounts, 3);
	ck_assert_str_eq(s->mounts[1].opts.data, "mode=1777,size=65536k");
	ck_assert(s->mounts[2].opts.bind && s->mounts[2].opts.recursive);
	ck_assert_uint_eq(s->mounts[2].opts.flags & 1, 1); /* MS_RDONLY */
	ck_assert_uint_eq(s->hooks[HR_HOOK_PRESTART].n, 1);
	ck_assert_int_eq(s->hooks[HR_HOOK_PRESTART].hooks[0].timeout, 5);
	ck_assert_str_eq(s->lnx.cgroups_path, "/test/x");
	ck_assert(s->lnx.resources.has_memory && s->lnx.resources.memory.has_limit);
	ck_assert_int_eq(s->lnx.resources.memory.limit, 67108864);
	ck_assert_int_eq(s->lnx.resources.pids_limit, 100);
	ck_assert_uint_eq(s->lnx.resources.cpu.shares, 512);
	ck_assert_str_eq(s->lnx.resources.cpu.cpus, "0");
	ck_assert_uint_eq(s->lnx.resources.n_devices, 2);
	ck_assert(!s->lnx.resources.devices[0].allow);
	ck_assert_int_eq(s->lnx.resources.devices[0].major, -1);
	ck_assert_uint_eq(s->lnx.n_sysctl, 2);
	ck_assert_ptr_nonnull(sc);
	ck_assert_int_eq(sc->default_action, HR_SCMP_ACT_ERRNO);
	ck_assert_uint_eq(sc->default_errno_ret, 1);
	ck_assert_uint_eq(sc->n_rules, 2);
	ck_assert_int_eq(sc->rules[1].args[0].op, HR_SCMP_CMP_MASKED_EQ);
	ck_assert_uint_eq(sc->rules[1].args[0].value, 2114060288u);
	ck_assert_uint_eq(s->lnx.n_devices, 1);
	ck_assert_uint_eq(s->lnx.devices[0].file_mode, 0666);
	ck_assert_str_eq(s->annotations[0].key, "a");
	hr_spec_free(s);
}
END_TEST

START_TEST(unknown_caps_warn_not_fail)
{
	static const char cfg[] = "{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"r\"},\"process\":{\"args\":[\"a\"],"
				  "\"cwd\":\"/\",\"user\":{\"uid\":0,\"gid\":0},\"capabilities\":{\"bounding\":"
				  "[\"CAP_KILL\",\"CAP_FLY\",\"CAP_FLY\"],\"ambient\":[\"CAP_KILL\"]}}}";
	struct hr_spec *s = NULL;
	char *e = load(cfg, strlen(cfg), &s);

	ck_assert_ptr_null(e);
	ck_assert_uint_eq(s->process->caps.bounding, 1ULL << 5);
	ck_assert_uint_eq(s->process->caps.ambient, 1ULL << 5);
	ck_assert_str_eq(s->process->caps.unknown[0], "CAP_FLY");
	ck_assert_ptr_null(s->process->caps.unknown[1]);
	hr_spec_free(s);
}
END_TEST

START_TEST(relative_mount_destination_made_absolute)
{
	static const char cfg[] = "{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"r\"},"
				  "\"mounts\":[{\"destination\":\"data\",\"type\":\"tmpfs\"}]}";
	struct hr_spec *s = NULL;
	char *e = load(cfg, strlen(cfg), &s);

	ck_assert_ptr_null(e);
	ck_assert_str_eq(s->mounts[0].destination, "/data");
	hr_spec_free(s);
}
END_TEST

/* org.hardrun.rootfs.idmap and its fallback: absent is off and refuse */
#define ROOTFS_IDMAP_CFG(ann)                                                                                          \
	("{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"r\"},\"annotations\":{" ann "},"                              \
	 "\"linux\":{\"namespaces\":[{\"type\":\"user\"}],"                                                            \
	 "\"uidMappings\":[{\"containerID\":0,\"hostID\":1000000000,\"size\":65536}],"                                 \
	 "\"gidMappings\":[{\"containerID\":0,\"hostID\":1000000000,\"size\":65536}]}}")

START_TEST(rootfs_idmap_annotations)
{
	struct hr_spec *s = load_file_ok("rootfs-idmap.json");
	const char *off = ROOTFS_IDMAP_CFG("\"org.hardrun.rootfs.idmap\":\"false\"");
	const char *none = ROOTFS_IDMAP_CFG("\"other\":\"x\"");
	const char *bad = ROOTFS_IDMAP_CFG("\"org.hardrun.rootfs.idmap\":\"yes\"");
	cleanup_free char *e = NULL;

	ck_assert(s->root_idmap);
	ck_assert(s->root_idmap_unmapped);
	ck_assert(s->root_readonly);
	hr_spec_free(s);
	s = NULL;
	ck_assert_ptr_null(load(off, strlen(off), &s));
	ck_assert(!s->root_idmap && !s->root_idmap_unmapped);
	hr_spec_free(s);
	s = NULL;
	ck_assert_ptr_null(load(none, strlen(none), &s));
	ck_assert(!s->root_idmap && !s->root_idmap_unmapped);
	hr_spec_free(s);
	e = load(bad, strlen(bad), NULL);
	ck_assert_str_eq(e, "config.json: annotations.\"org.hardrun.rootfs.idmap\": expected \"true\" or \"false\"");
}
END_TEST

START_TEST(invalid_golden)
{
	cleanup_free char *dir = xasprintf("%s/spec/invalid", HR_TEST_DATA);
	DIR *d = opendir(dir);
	struct dirent *e;
	bool write = getenv("HR_GOLDEN_WRITE") != NULL;
	int count = 0;

	ck_assert_ptr_nonnull(d);
	while ((e = readdir(d)) != NULL) {
		cleanup_free char *path = NULL;
		cleanup_free char *gpath = NULL;
		cleanup_free char *buf = NULL;
		cleanup_free char *got = NULL;
		size_t len, glen;

		if (!hr_str_has_suffix(e->d_name, ".json"))
			continue;
		path = xasprintf("%s/%s", dir, e->d_name);
		gpath = xasprintf("%s/%.*s.expected.err", dir, (int)(strlen(e->d_name) - 5), e->d_name);
		buf = slurp(path, &len);
		got = load(buf, len, NULL);
		ck_assert_msg(got != NULL, "%s was accepted", e->d_name);
		if (write) {
			FILE *f = fopen(gpath, "we");

			fprintf(f, "%s\n", got);
			fclose(f);
		} else {
			cleanup_free char *want = slurp(gpath, &glen);

			ck_assert_msg(glen > 0 && want[glen - 1] == '\n', "%s: golden file without newline", gpath);
			want[glen - 1] = '\0';
			ck_assert_msg(strcmp(got, want) == 0, "%s:\n got: %s\nwant: %s", e->d_name, got, want);
		}
		count++;
	}
	closedir(d);
	ck_assert_int_ge(count, 25);
}
END_TEST

START_TEST(mount_options)
{
	char *opts[] = {"rbind", "ro", "nosuid", "rshared", "rro", "rnoatime", "size=10m", "mode=755", NULL};
	struct hr_mount_opts o;
	struct hr_err *err = NULL;

	ck_assert_int_eq(hr_mount_opts_parse(opts, "mounts[0].options", &o, &err), 0);
	ck_assert(o.bind && o.recursive);
	ck_assert_uint_eq(o.flags, 1 | 2); /* MS_RDONLY | MS_NOSUID */
	ck_assert_uint_eq(o.propagation, (1UL << 20) | 16384);
	ck_assert_uint_eq(o.rec_attr_set, 0x1 | 0x10); /* MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOATIME */
	ck_assert_uint_eq(o.rec_attr_clr, 0x70);       /* MOUNT_ATTR__ATIME */
	ck_assert_str_eq(o.data, "size=10m,mode=755");
	hr_mount_opts_clear(&o);
}
END_TEST

START_TEST(mount_options_two_propagations)
{
	char *opts[] = {"private", "shared", NULL};
	struct hr_mount_opts o;
	struct hr_err *err = NULL;

	ck_assert_int_eq(hr_mount_opts_parse(opts, "mounts[1].options", &o, &err), -1);
	ck_assert_str_eq(err->msg, "config.json: mounts[1].options[1]: more than one propagation option");
	hr_err_free(&err);
	hr_mount_opts_clear(&o);
}
END_TEST

START_TEST(idmap_strings)
{
	struct hr_idmap *m = NULL;
	struct hr_err *err = NULL;

	ck_assert_int_eq(hr_idmap_parse("0:100000:65536,65536:1000:1", &m, &err), 2);
	ck_assert_uint_eq(m[0].host_id, 100000);
	ck_assert_uint_eq(m[1].container_id, 65536);
	free(m);
	ck_assert_int_eq(hr_idmap_parse("0:4294967295:2", &m, &err), -1);
	ck_assert_str_eq(err->msg, "id map `0:4294967295:2`: invalid numbers");
	hr_err_free(&err);
	ck_assert_int_eq(hr_idmap_parse("0:1", &m, &err), -1);
	hr_err_free(&err);
}
END_TEST

START_TEST(cap_names)
{
	ck_assert_int_eq(hr_cap_from_name("CAP_SYS_ADMIN"), 21);
	ck_assert_int_eq(hr_cap_from_name("cap_sys_admin"), 21);
	ck_assert_int_eq(hr_cap_from_name("CAP_NOPE"), -1);
	ck_assert_str_eq(hr_cap_name(40), "CAP_CHECKPOINT_RESTORE");
	ck_assert_ptr_null(hr_cap_name(hr_cap_last() + 1));
}
END_TEST

START_TEST(default_spec_parses)
{
	json_t *j = hr_spec_default_json();
	struct hr_spec *s = NULL;
	struct hr_err *err = NULL;

	ck_assert_ptr_nonnull(j);
	ck_assert_int_eq(hr_spec_parse(j, &s, &err), 0);
	ck_assert_int_eq(hr_spec_validate(s, &err), 0);
	ck_assert(s->process->terminal);
	ck_assert(s->process->no_new_privileges);
	ck_assert_uint_eq(s->process->caps.bounding, (1ULL << 29) | (1ULL << 5) | (1ULL << 10));
	ck_assert_uint_eq(s->n_mounts, 7);
	ck_assert_str_eq(s->lnx.masked_paths[0], "/proc/acpi");
	hr_spec_free(s);
	json_decref(j);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("spec");
	TCase *tc = tcase_create("parse");

	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, valid_minimal);
	tcase_add_test(tc, valid_full);
	tcase_add_test(tc, unknown_caps_warn_not_fail);
	tcase_add_test(tc, relative_mount_destination_made_absolute);
	tcase_add_test(tc, invalid_golden);
	tcase_add_test(tc, rootfs_idmap_annotations);
	tcase_add_test(tc, mount_options);
	tcase_add_test(tc, mount_options_two_propagations);
	tcase_add_test(tc, idmap_strings);
	tcase_add_test(tc, cap_names);
	tcase_add_test(tc, default_spec_parses);
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
