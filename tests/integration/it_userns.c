/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Files keep their real owners inside a user namespace (CSVS 3.2): with
 * org.hardrun.rootfs.idmap, a container whose ids start at host 1000000000
 * sees a rootfs owned by host root as its own root's, on a plain directory
 * and on an overlay rootfs (rebuilt from idmapped layers, the host's overlay
 * untouched), writes files that are host root's on disk, keeps a read-only
 * rootfs read-only, idmaps its bind mounts too, and where a filesystem
 * refuses idmapping (ramfs; an overlay mount as a bind source) refuses with
 * one line or, with the fallback annotation "unmapped", runs unmapped.
 */
#include <check.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "bundle.h"

#define RUN(b, ...) hb_run(b, 30, __VA_ARGS__, NULL)
#define HOST_BASE 1000000000

static void sh(const char *cmd)
{
	ck_assert_msg(system(cmd) == 0, "command failed: %s", cmd);
}

/*
 * A user namespace of 65536 ids from host 1000000000, the rootfs left owned
 * by host root (a file of uid 1000 in it), and, when idmap, the annotation.
 */
static void userns_bundle(struct hb *b, bool idmap)
{
	json_t *lx = json_object_get(b->config, "linux");
	json_t *map = json_pack("[{s:i, s:i, s:i}]", "containerID", 0, "hostID", HOST_BASE, "size", 65536);
	char cmd[1400];

	snprintf(cmd, sizeof(cmd), "chmod 0711 %s && touch %s/etc/u1000 && chown 1000:1000 %s/etc/u1000", b->dir,
		 b->rootfs, b->rootfs);
	sh(cmd);
	json_array_append_new(json_object_get(lx, "namespaces"), json_pack("{s:s}", "type", "user"));
	json_object_set(lx, "uidMappings", map);
	json_object_set_new(lx, "gidMappings", map);
	hb_drop_mount(b, "/sys"); /* sysfs needs the network namespace's owner */
	if (idmap)
		json_object_set_new(b->config, "annotations", json_pack("{s:s}", "org.hardrun.rootfs.idmap", "true"));
}

static void set_annotation(struct hb *b, const char *key, const char *value)
{
	json_t *a = json_object_get(b->config, "annotations");

	if (!a) {
		a = json_object();
		json_object_set_new(b->config, "annotations", a);
	}
	json_object_set_new(a, key, json_string(value));
}

static void set_readonly(struct hb *b, bool ro)
{
	json_object_set_new(json_object_get(b->config, "root"), "readonly", json_boolean(ro));
}

static void assert_owner(const char *path, uid_t uid, gid_t gid)
{
	struct stat st;

	ck_assert_msg(lstat(path, &st) == 0, "stat %s", path);
	ck_assert_msg(st.st_uid == uid && st.st_gid == gid, "%s is %u:%u, want %u:%u", path, st.st_uid, st.st_gid, uid,
		      gid);
}

/* host root's busybox shows as 0 with the annotation, as nobody without */
START_TEST(rootfs_owners)
{
	struct hb b;
	struct hb_result r;

	for (int idmap = 0; idmap < 2; idmap++) {
		hb_new(&b);
		userns_bundle(&b, idmap);
		hb_set_args(&b, "/bin/stat", "-c", "%u %g", "/bin/busybox", "/etc/u1000", NULL);
		r = RUN(&b, "run", "--bundle", b.dir, b.id);
		ck_assert_msg(r.status == 0, "%s", r.err);
		ck_assert_str_eq(r.out, idmap ? "0 0\n1000 1000\n" : "65534 65534\n65534 65534\n");
		ck_assert_str_eq(r.err, "");
		hb_result_free(&r);
		hb_finish(&b);
	}
}
END_TEST

/* the container's root writes where host root could, and its files are host root's on disk */
START_TEST(rootfs_writes_are_host_root)
{
	struct hb b;
	struct hb_result r;
	char p[400];

	hb_new(&b);
	userns_bundle(&b, true);
	set_readonly(&b, false);
	hb_set_args(&b, "/bin/sh", "-c", "touch /tmp/new && mkdir /made && echo x >> /etc/passwd && id -u", NULL);
	r = RUN(&b, "run", "--bundle", b.dir, b.id);
	ck_assert_msg(r.status == 0, "%s", r.err);
	ck_assert_str_eq(r.out, "0\n");
	hb_result_free(&r);
	snprintf(p, sizeof(p), "%s/tmp/new", b.rootfs);
	assert_owner(p, 0, 0);
	snprintf(p, sizeof(p), "%s/made", b.rootfs);
	assert_owner(p, 0, 0);
	snprintf(p, sizeof(p), "%s/etc/passwd", b.rootfs);
	assert_owner(p, 0, 0);
	hb_finish(&b);
}
END_TEST

/*
 * root.readonly holds on the idmapped rootfs, and rootfsPropagation still
 * applies to it: "/" is one read-only, idmapped, private mount (no peer or
 * master tag before " - ")
 */
START_TEST(readonly_rootfs_stays_readonly)
{
	struct hb b;
	struct hb_result r;

	hb_new(&b);
	userns_bundle(&b, true);
	json_object_set_new(json_object_get(b.config, "linux"), "rootfsPropagation", json_string("private"));
	hb_set_args(&b, "/bin/sh", "-c",
		    "stat -c %u /bin/busybox; touch /x 2>&1; echo $?; "
		    "grep -cE '^[0-9]+ [0-9]+ [0-9:]+ [^ ]+ / ro,[^ ]*idmapped[^ ]* - ' /proc/self/mountinfo",
		    NULL);
	r = RUN(&b, "run", "--bundle", b.dir, b.id);
	ck_assert_msg(r.status == 0, "%s", r.err);
	ck_assert_str_eq(r.out, "0\ntouch: /x: Read-only file system\n1\n1\n");
	hb_result_free(&r);
	hb_finish(&b);
}
END_TEST

/*
 * The test's own mounts (ramfs, overlay) go into a private mount namespace
 * of the forked test, which plays the host: whatever the outcome, they end
 * with it.  hardrun runs in it too, so the leak check still sees its mounts.
 */
static void private_mount_ns(void)
{
	ck_assert_int_eq(unshare(CLONE_NEWNS), 0);
	ck_assert_int_eq(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL), 0);
}

static char *mountinfo_lines(const char *needle)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char line[4096], *all = strdup("");

	while (f && fgets(line, sizeof(line), f)) {
		char *joined;

		if (!strstr(line, needle))
			continue;
		ck_assert_int_ne(asprintf(&joined, "%s%s", all, line), -1);
		free(all);
		all = joined;
	}
	if (f)
		fclose(f);
	return all;
}

/*
 * An overlay rootfs as dockerd mounts it (lower = a busybox tree, upper and
 * work in one layer directory on the host fs) is rebuilt from idmapped
 * layers: owners right inside, an opaque directory of the upper layer
 * (trusted.overlay.opaque) still hides the lower one, what the container
 * writes lands in the upper dir as host root's, the host's overlay mount is
 * the same before and after, and nothing else stays mounted.  *how is the
 * rebuilt overlay's first layer option as the container's mountinfo shows
 * it: "lowerdir+=/" when built from fds, "lowerdir=l0" when built from
 * paths (kernels before 6.15, or forced).
 */
static void overlay_rebuilt_checks(const char *upper, char **how)
{
	struct hb b;
	struct hb_result r;
	char cmd[2400], p[400], opts[1200];
	char *before, *after, *nl;
	struct stat st;

	private_mount_ns();
	hb_new(&b);
	userns_bundle(&b, true);
	set_readonly(&b, false);
	snprintf(cmd, sizeof(cmd),
		 "mv %s %s/lower && mkdir -p %s/lower/etc/hidden '%s/layer/%s/etc/hidden' %s/layer/work %s && "
		 "touch %s/lower/etc/hidden/file",
		 b.rootfs, b.dir, b.dir, b.dir, upper, b.dir, b.rootfs, b.dir);
	sh(cmd);
	snprintf(p, sizeof(p), "%s/layer/%s/etc/hidden", b.dir, upper);
	ck_assert_int_eq(setxattr(p, "trusted.overlay.opaque", "y", 1, 0), 0);
	snprintf(opts, sizeof(opts), "lowerdir=%s/lower,upperdir=%s/layer/%s,workdir=%s/layer/work", b.dir, b.dir,
		 upper, b.dir);
	ck_assert_int_eq(mount("overlay", b.rootfs, "overlay", 0, opts), 0);
	before = mountinfo_lines(b.dir);
	ck_assert_int_eq(hb_lines(before), 1);

	hb_set_args(&b, "/bin/sh", "-c",
		    "stat -c '%u %g' /bin/busybox /etc/u1000; ls /etc/hidden; touch /new; echo x >> /etc/passwd; "
		    "grep -cE '^[0-9]+ [0-9]+ [0-9:]+ / / rw,[^ ]* - overlay ' /proc/self/mountinfo; "
		    "grep -E ' / / [^ ]* - overlay ' /proc/self/mountinfo | grep -oE 'lowerdir[^,:]*'",
		    NULL);
	r = RUN(&b, "run", "--bundle", b.dir, b.id);
	ck_assert_msg(r.status == 0, "%s", r.err);
	ck_assert_msg(strncmp(r.out, "0 0\n1000 1000\n1\n", 16) == 0, "%s", r.out);
	ck_assert_str_eq(r.err, "");
	*how = strdup(r.out + 16);
	nl = strchr(*how, '\n');
	ck_assert_ptr_nonnull(nl);
	ck_assert_str_eq(nl, "\n");
	*nl = '\0';
	hb_result_free(&r);

	snprintf(p, sizeof(p), "%s/layer/%s/new", b.dir, upper);
	assert_owner(p, 0, 0);
	snprintf(p, sizeof(p), "%s/layer/%s/etc/passwd", b.dir, upper); /* copied up, with its owner */
	assert_owner(p, 0, 0);
	snprintf(p, sizeof(p), "%s/lower/etc/passwd", b.dir);
	ck_assert_int_eq(stat(p, &st), 0);
	ck_assert_int_eq(st.st_size, 58); /* the lower layer is untouched: root and nobody, no "x" */
	after = mountinfo_lines(b.dir);
	ck_assert_str_eq(after, before);
	free(before);
	free(after);
	ck_assert_int_eq(umount(b.rootfs), 0);
	hb_finish(&b);
}

/* The kernel decides how: from fds where it takes them, else from paths. */
START_TEST(overlay_rootfs_rebuilt)
{
	char *how = NULL;

	overlay_rebuilt_checks("diff", &how);
	ck_assert_msg(strcmp(how, "lowerdir+=/") == 0 || strcmp(how, "lowerdir=l0") == 0, "%s", how);
	free(how);
}
END_TEST

/*
 * The same through the fallback of kernels without fd layers (a helper in
 * a mount namespace of its own builds the overlay from paths), forced by
 * the test build hardrun-fault next to hardrun ($HARDRUN_FAULT_OVERLAY_PATHS);
 * an upper dir whose name holds a ':' (overlay's lowerdir separator, which
 * the helper escapes) tests the options' escaping.
 * Nothing of the helper stays (mounts, processes: hb_finish's leak check).
 */
START_TEST(overlay_rootfs_rebuilt_from_paths)
{
	const char *rt = hb_runtime();
	const char *slash = strrchr(rt, '/');
	char fault[512], *how = NULL;

	ck_assert_msg(hb_is_hardrun() && slash, "needs the built hardrun, not %s", rt);
	snprintf(fault, sizeof(fault), "%.*s/hardrun-fault", (int)(slash - rt), rt);
	ck_assert_msg(access(fault, X_OK) == 0, "no test build `%s` (cmake -DHR_FAULT=ON)", fault);
	setenv("HR_TEST_RUNTIME", fault, 1);
	setenv("HARDRUN_FAULT_OVERLAY_PATHS", "1", 1);
	overlay_rebuilt_checks("di:ff", &how);
	ck_assert_str_eq(how, "lowerdir=l0");
	free(how);
}
END_TEST

/*
 * dockerd's overlay2 with a long layer list mounts from its home with
 * relative paths (lowerdir=l/<link>, upperdir=<id>/diff) onto
 * <home>/<id>/merged, which is the bundle's root.path: the rebuild finds
 * the layers from the mount point.
 */
START_TEST(overlay_dockerd_relative_layers)
{
	struct hb b;
	struct hb_result r;
	char cmd[4096], home[320], merged[400], p[400];
	int cwd;

	private_mount_ns();
	hb_new(&b);
	userns_bundle(&b, true);
	set_readonly(&b, false);
	snprintf(home, sizeof(home), "%s/overlay2", b.dir);
	snprintf(cmd, sizeof(cmd),
		 "mkdir -p %s/lowerid %s/l %s/c0ffee/diff %s/c0ffee/work %s/c0ffee/merged && mv %s %s/lowerid/diff && "
		 "ln -s ../lowerid/diff %s/l/AAA",
		 home, home, home, home, home, b.rootfs, home, home);
	sh(cmd);
	cwd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	ck_assert_int_eq(chdir(home), 0);
	ck_assert_int_eq(mount("overlay", "c0ffee/merged", "overlay", 0,
			       "lowerdir=l/AAA,upperdir=c0ffee/diff,workdir=c0ffee/work"),
			 0);
	ck_assert_int_eq(fchdir(cwd), 0);
	close(cwd);
	snprintf(merged, sizeof(merged), "%s/c0ffee/merged", home);
	json_object_set_new(json_object_get(b.config, "root"), "path", json_string(merged));
	hb_set_args(&b, "/bin/sh", "-c", "stat -c '%u %g' /bin/busybox /etc/u1000 && touch /new", NULL);
	r = RUN(&b, "run", "--bundle", b.dir, b.id);
	ck_assert_msg(r.status == 0, "%s", r.err);
	ck_assert_str_eq(r.out, "0 0\n1000 1000\n");
	hb_result_free(&r);
	snprintf(p, sizeof(p), "%s/c0ffee/diff/new", home);
	assert_owner(p, 0, 0);
	ck_assert_int_eq(umount(merged), 0);
	hb_finish(&b);
}
END_TEST

/*
 * The whole lifecycle on an idmapped overlay rootfs, through the slow path
 * (a time namespace makes stage1 fork the init): create, start, exec sees
 * the same owners and the rebuilt overlay, delete leaves nothing.
 */
START_TEST(overlay_lifecycle_slow_path_and_exec)
{
	struct hb b;
	struct hb_result r;
	char cmd[2400], opts[900];
	json_t *lx;

	if (access("/proc/self/ns/time", F_OK) != 0)
		return; /* no time namespaces in this kernel */
	private_mount_ns();
	hb_new(&b);
	userns_bundle(&b, true);
	lx = json_object_get(b.config, "linux");
	json_array_append_new(json_object_get(lx, "namespaces"), json_pack("{s:s}", "type", "time"));
	snprintf(cmd, sizeof(cmd), "mv %s %s/lower && mkdir -p %s/layer/diff %s/layer/work %s", b.rootfs, b.dir, b.dir,
		 b.dir, b.rootfs);
	sh(cmd);
	snprintf(opts, sizeof(opts), "lowerdir=%s/lower,upperdir=%s/layer/diff,workdir=%s/layer/work", b.dir, b.dir,
		 b.dir);
	ck_assert_int_eq(mount("overlay", b.rootfs, "overlay", 0, opts), 0);
	hb_set_args(&b, "/bin/sleep", "30", NULL);
	r = RUN(&b, "create", "--bundle", b.dir, b.id);
	ck_assert_msg(r.status == 0, "%s", r.err);
	hb_result_free(&r);
	r = RUN(&b, "start", b.id);
	ck_assert_msg(r.status == 0, "%s", r.err);
	hb_result_free(&r);
	r = RUN(&b, "exec", b.id, "/bin/sh", "-c",
		"stat -c '%u %g' /bin/busybox /etc/u1000; grep -c ' / / [^ ]* - overlay ' /proc/self/mountinfo");
	ck_assert_msg(r.status == 0, "%s", r.err);
	ck_assert_str_eq(r.out, "0 0\n1000 1000\n1\n");
	hb_result_free(&r);
	r = RUN(&b, "delete", "--force", b.id);
	ck_assert_msg(r.status == 0, "%s", r.err);
	hb_result_free(&r);
	ck_assert_int_eq(umount(b.rootfs), 0);
	hb_finish(&b);
}
END_TEST

/* binds without idmap options of their own get the container's mappings */
START_TEST(volumes_idmapped)
{
	struct hb b;
	struct hb_result r;
	char host[64] = "/tmp/hrit-uvol.XXXXXX", cmd[600];
	struct stat st;

	ck_assert_ptr_nonnull(mkdtemp(host));
	snprintf(cmd, sizeof(cmd), "chmod 0755 %s && touch %s/a %s/b && chown 1000:1000 %s/b", host, host, host, host);
	sh(cmd);
	hb_new(&b);
	userns_bundle(&b, true);
	json_array_append_new(json_object_get(b.config, "mounts"),
			      json_pack("{s:s, s:s, s:s, s:[s]}", "destination", "/vol", "type", "bind", "source", host,
					"options", "rbind"));
	/* a file bind, as docker's /etc/hosts: the container's root may write it */
	snprintf(cmd, sizeof(cmd), "%s/a", host);
	json_array_append_new(json_object_get(b.config, "mounts"),
			      json_pack("{s:s, s:s, s:s, s:[s]}", "destination", "/etc/hosts", "type", "bind", "source",
					cmd, "options", "bind"));
	hb_set_args(&b, "/bin/sh", "-c",
		    "stat -c '%n %u:%g' /vol/a /vol/b /etc/hosts; touch /vol/new; echo h >> /etc/hosts", NULL);
	r = RUN(&b, "run", "--bundle", b.dir, b.id);
	ck_assert_msg(r.status == 0, "%s", r.err);
	ck_assert_str_eq(r.out, "/vol/a 0:0\n/vol/b 1000:1000\n/etc/hosts 0:0\n");
	hb_result_free(&r);
	snprintf(cmd, sizeof(cmd), "%s/new", host);
	assert_owner(cmd, 0, 0);
	snprintf(cmd, sizeof(cmd), "%s/a", host);
	ck_assert_int_eq(stat(cmd, &st), 0);
	ck_assert_int_eq(st.st_size, 2); /* "h\n" written through the file bind */
	hb_finish(&b);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", host);
	sh(cmd);
}
END_TEST

/*
 * A bind whose source is an overlay mount cannot be idmapped (overlayfs
 * refuses MOUNT_ATTR_IDMAP): the default refuses with one line naming the
 * mount, "unmapped" binds it as it is, with a warning.
 */
START_TEST(volume_fallback_on_overlay)
{
	struct hb b;
	struct hb_result r;
	char cmd[1400], opts[900], src[320], want[900];

	private_mount_ns();
	hb_new(&b);
	userns_bundle(&b, true);
	snprintf(src, sizeof(src), "%s/vol", b.dir);
	snprintf(cmd, sizeof(cmd), "mkdir -p %s/vl %s/vu %s/vw %s && touch %s/vl/a", b.dir, b.dir, b.dir, src, b.dir);
	sh(cmd);
	snprintf(opts, sizeof(opts), "lowerdir=%s/vl,upperdir=%s/vu,workdir=%s/vw", b.dir, b.dir, b.dir);
	ck_assert_int_eq(mount("overlay", src, "overlay", 0, opts), 0);
	json_array_append_new(json_object_get(b.config, "mounts"),
			      json_pack("{s:s, s:s, s:s, s:[s]}", "destination", "/vol", "type", "bind", "source", src,
					"options", "bind"));
	hb_set_args(&b, "/bin/stat", "-c", "%u", "/vol/a", NULL);
	r = RUN(&b, "create", "--bundle", b.dir, b.id);
	ck_assert_int_eq(r.status, 1);
	snprintf(want, sizeof(want),
		 "hardrun: create `%s`: idmapped mount of `%s` on `/vol`: the filesystem cannot be idmapped: Invalid "
		 "argument\n",
		 b.id, src);
	ck_assert_str_eq(r.err, want);
	hb_result_free(&r);

	set_annotation(&b, "org.hardrun.rootfs.idmap-fallback", "unmapped");
	r = RUN(&b, "run", "--bundle", b.dir, b.id);
	ck_assert_msg(r.status == 0, "%s", r.err);
	ck_assert_str_eq(r.out, "65534\n");
	snprintf(want, sizeof(want),
		 "hardrun: warning: idmapped mount of `%s` on `/vol`: the filesystem cannot be idmapped: Invalid "
		 "argument: the files stay unmapped (org.hardrun.rootfs.idmap-fallback is \"unmapped\")\n",
		 src);
	ck_assert_str_eq(r.err, want);
	hb_result_free(&r);
	ck_assert_int_eq(umount(src), 0);
	hb_finish(&b);
}
END_TEST

/* the annotation without a user namespace: the validator's one line, nothing left behind */
START_TEST(refused_without_userns)
{
	struct hb b;
	struct hb_result r;
	char want[300];

	hb_new(&b);
	set_annotation(&b, "org.hardrun.rootfs.idmap", "true");
	r = RUN(&b, "create", "--bundle", b.dir, b.id);
	ck_assert_int_eq(r.status, 1);
	snprintf(want, sizeof(want),
		 "hardrun: create `%s`: config.json: annotations.\"org.hardrun.rootfs.idmap\": requires a user "
		 "namespace with uidMappings and gidMappings\n",
		 b.id);
	ck_assert_str_eq(r.err, want);
	hb_result_free(&r);
	hb_assert_no_leak(&b);
	hb_finish(&b);
}
END_TEST

/*
 * ramfs refuses MOUNT_ATTR_IDMAP: by default create fails with one line
 * naming the rootfs and leaves nothing; "unmapped" runs with the files
 * shown as nobody and says so in a warning.
 */
START_TEST(fallback_on_ramfs)
{
	struct hb b;
	struct hb_result r;
	char cmd[2400], want[800];

	hb_new(&b);
	userns_bundle(&b, true);
	snprintf(cmd, sizeof(cmd),
		 "mv %s %s/tree && mkdir %s && mount -t ramfs -o mode=0755 ramfs %s && cp -a %s/tree/. %s", b.rootfs,
		 b.dir, b.rootfs, b.rootfs, b.dir, b.rootfs);
	sh(cmd);
	hb_set_args(&b, "/bin/stat", "-c", "%u %g", "/bin/busybox", NULL);
	r = RUN(&b, "create", "--bundle", b.dir, b.id);
	ck_assert_int_eq(r.status, 1);
	snprintf(want, sizeof(want),
		 "hardrun: create `%s`: idmapped rootfs `%s`: the filesystem (ramfs) cannot be idmapped: Invalid "
		 "argument\n",
		 b.id, b.rootfs);
	ck_assert_str_eq(r.err, want);
	hb_result_free(&r);
	/* only the test's own ramfs is mounted under the bundle */
	{
		FILE *f = fopen("/proc/self/mountinfo", "re");
		char line[4096];
		int n = 0;

		while (f && fgets(line, sizeof(line), f))
			n += strstr(line, b.dir) != NULL;
		fclose(f);
		ck_assert_int_eq(n, 1);
	}

	/* a ramfs under an idmappable rootfs refuses too, and the line says where */
	{
		struct hb c;

		hb_new(&c);
		userns_bundle(&c, true);
		snprintf(cmd, sizeof(cmd), "mount -t ramfs ramfs %s/tmp", c.rootfs);
		sh(cmd);
		r = RUN(&c, "create", "--bundle", c.dir, c.id);
		ck_assert_int_eq(r.status, 1);
		snprintf(want, sizeof(want),
			 "hardrun: create `%s`: idmapped rootfs `%s`: a mount under it cannot be idmapped: Invalid "
			 "argument\n",
			 c.id, c.rootfs);
		ck_assert_str_eq(r.err, want);
		hb_result_free(&r);
		snprintf(cmd, sizeof(cmd), "%s/tmp", c.rootfs);
		ck_assert_int_eq(umount(cmd), 0);
		hb_finish(&c);
	}

	set_annotation(&b, "org.hardrun.rootfs.idmap-fallback", "unmapped");
	r = RUN(&b, "run", "--bundle", b.dir, b.id);
	ck_assert_msg(r.status == 0, "%s", r.err);
	ck_assert_str_eq(r.out, "65534 65534\n");
	snprintf(want, sizeof(want),
		 "hardrun: warning: idmapped rootfs `%s`: the filesystem (ramfs) cannot be idmapped: Invalid argument: "
		 "the files stay unmapped (org.hardrun.rootfs.idmap-fallback is \"unmapped\")\n",
		 b.rootfs);
	ck_assert_str_eq(r.err, want);
	hb_result_free(&r);
	ck_assert_int_eq(umount(b.rootfs), 0);
	hb_finish(&b);
}
END_TEST

/*
 * A rootless-style bundle mapping one uid and one gid: devpts' gid=5 has no
 * mapping and the kernel answers EINVAL; the mount is retried without it,
 * so the container gets its devpts (ptys owned by its one group)
 */
START_TEST(devpts_with_few_gids_mapped)
{
	struct hb b;
	struct hb_result r;
	json_t *lx;

	hb_new(&b);
	hb_userns(&b);
	lx = json_object_get(b.config, "linux");
	json_object_set_new(lx, "uidMappings",
			    json_pack("[{s:i, s:i, s:i}]", "containerID", 0, "hostID", 100000, "size", 1));
	json_object_set_new(lx, "gidMappings",
			    json_pack("[{s:i, s:i, s:i}]", "containerID", 0, "hostID", 100000, "size", 1));
	hb_set_args(&b, "/bin/sh", "-c", "grep ' /dev/pts ' /proc/self/mounts; ls /dev/pts/ptmx", NULL);
	r = RUN(&b, "run", "--bundle", b.dir, b.id);
	ck_assert_msg(r.status == 0, "%s", r.err);
	ck_assert_msg(strstr(r.out, "devpts /dev/pts devpts ") && !strstr(r.out, "gid=") &&
			      strstr(r.out, "\n/dev/pts/ptmx\n"),
		      "%s", r.out);
	hb_result_free(&r);
	hb_finish(&b);

	/* with gid 5 mapped the option stays */
	hb_new(&b);
	hb_userns(&b);
	hb_set_args(&b, "/bin/sh", "-c", "grep ' /dev/pts ' /proc/self/mounts", NULL);
	r = RUN(&b, "run", "--bundle", b.dir, b.id);
	ck_assert_msg(r.status == 0, "%s", r.err);
	ck_assert_msg(strstr(r.out, ",gid="), "%s", r.out); /* gid 5 as mounts shows it (the host gid) */
	hb_result_free(&r);
	hb_finish(&b);
}
END_TEST

/*
 * On a host whose / is shared, as on every systemd host, the trees the
 * parent clones (the idmapped rootfs, an idmapped volume) are peers of the
 * host's mounts: the container must still start (pivot_root refuses a
 * shared new root) and nothing mounted inside may show up on the host.
 */
START_TEST(shared_host_root)
{
	struct hb b;
	struct hb_result r;
	char host[64] = "/tmp/hrit-ushr.XXXXXX", line[4096];
	FILE *f;

	ck_assert_int_eq(unshare(CLONE_NEWNS), 0);
	ck_assert_int_eq(mount(NULL, "/", NULL, MS_REC | MS_SHARED, NULL), 0);
	ck_assert_ptr_nonnull(mkdtemp(host));
	ck_assert_int_eq(chmod(host, 0755), 0);
	hb_new(&b);
	userns_bundle(&b, true);
	json_array_append_new(json_object_get(b.config, "mounts"),
			      json_pack("{s:s, s:s, s:s, s:[s]}", "destination", "/vol", "type", "bind", "source", host,
					"options", "rbind"));
	hb_set_args(&b, "/bin/sh", "-c", "awk '$5 == \"/\" || $5 == \"/vol\" {print $5}' /proc/self/mountinfo | sort",
		    NULL);
	r = RUN(&b, "run", "--bundle", b.dir, b.id);
	ck_assert_msg(r.status == 0, "%s", r.err);
	ck_assert_str_eq(r.out, "/\n/vol\n");
	hb_result_free(&r);
	f = fopen("/proc/self/mountinfo", "re");
	ck_assert_ptr_nonnull(f);
	while (fgets(line, sizeof(line), f)) {
		ck_assert_msg(!strstr(line, b.rootfs), "container mount on the host: %s", line);
		ck_assert_msg(!strstr(line, host), "container mount on the host: %s", line);
	}
	fclose(f);
	hb_finish(&b);
	ck_assert_int_eq(rmdir(host), 0);
}
END_TEST

int main(void)
{
	const TTest *const tests[] = {
		rootfs_owners,
		rootfs_writes_are_host_root,
		readonly_rootfs_stays_readonly,
		volumes_idmapped,
		refused_without_userns,
		fallback_on_ramfs,
		overlay_rootfs_rebuilt,
		overlay_rootfs_rebuilt_from_paths,
		volume_fallback_on_overlay,
		overlay_lifecycle_slow_path_and_exec,
		overlay_dockerd_relative_layers,
		devpts_with_few_gids_mapped,
		shared_host_root,
		NULL,
	};

	return hb_main("userns", 120, tests);
}
