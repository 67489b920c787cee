/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The harden rows on the container's filesystem: rootfs read-only and
 * nosuid, setuid binaries, masked paths.
 */
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hardrun/harden.h"
#include "hardrun/spec.h"
#include "hardrun/strutil.h"
#include "harden_int.h"

static bool mounted_at(json_t *mounts, const char *path)
{
	json_t *m;
	size_t i;

	json_array_foreach(mounts, i, m)
	{
		const char *d = json_string_value(json_object_get(m, "destination"));
		cleanup_free char *clean = d && d[0] == '/' ? hd_clean_path(d) : NULL;

		if (clean && strcmp(clean, path) == 0)
			return true;
	}
	return false;
}

int hd_row_rootfs(struct hctx *h)
{
	json_t *root = json_object_get(h->cfg, "root"), *mounts;

	if (!h->p->rootfs_readonly || hd_exempt(h, "3.9"))
		return 0;
	if (!json_is_object(root))
		return hd_bad_type(h, "root", "an object");
	if (json_is_true(json_object_get(root, "readonly"))) {
		hd_decide(h, "3.9", HR_DECISION_KEPT, "root.readonly is true");
	} else {
		if (hd_tighten(h, "3.9", "root.readonly set to true") < 0)
			return -1;
		json_object_set_new(root, "readonly", json_true());
	}
	mounts = json_object_get(h->cfg, "mounts");
	if (!mounts) {
		mounts = json_array();
		json_object_set_new(h->cfg, "mounts", mounts);
	}
	if (!json_is_array(mounts))
		return hd_bad_type(h, "mounts", "an array");
	for (char **t = h->p->tmpfs_paths; *t; t++) {
		cleanup_free char *size = NULL;

		if (mounted_at(mounts, *t)) {
			hd_decide(h, "3.9", HR_DECISION_KEPT, "%s: the bundle's mount", *t);
			continue;
		}
		if (h->c->rootfs_has_dir && !h->c->rootfs_has_dir(h->c->arg, *t)) {
			hd_decide(h, "3.9", HR_DECISION_KEPT, "%s: not in the image, no tmpfs", *t);
			continue;
		}
		size = xasprintf("size=%" PRIu64, h->p->tmpfs_size);
		json_array_append_new(mounts,
				      json_pack("{s:s, s:s, s:s, s:[s,s,s,s,s]}", "destination", *t, "type", "tmpfs",
						"source", "tmpfs", "options", "nosuid", "nodev", "noexec",
						strcmp(*t, "/run") == 0 ? "mode=755" : "mode=1777", size));
		hd_decide(h, "3.9", HR_DECISION_ADDED, "tmpfs on %s (nosuid,nodev,noexec,%s)", *t, size);
	}
	return 0;
}

int hd_row_setuid(struct hctx *h)
{
	json_t *mounts = json_object_get(h->cfg, "mounts"), *m;
	json_t *changed = json_array();
	json_t *kernel_fs = json_array();
	cleanup_free char *list = NULL;
	size_t i;
	int r = 0;

	if ((!h->p->rootfs_nosuid_nodev && !h->p->mounts_nosuid_nodev) || hd_exempt(h, "setuid")) {
		json_decref(changed);
		json_decref(kernel_fs);
		return 0;
	}
	if (h->p->rootfs_nosuid_nodev) {
		const char *have = json_string_value(json_object_get(h->ann, HR_ANN_ROOTFS_NOSUID));

		if (have && strcmp(have, "true") == 0) {
			hd_decide(h, "setuid", HR_DECISION_KEPT, "rootfs: nosuid,nodev");
		} else {
			hd_set_annotation(h, HR_ANN_ROOTFS_NOSUID, "true");
			hd_decide(h, "setuid", HR_DECISION_ADDED, "rootfs: nosuid,nodev");
		}
	}
	json_array_foreach(mounts, i, m)
	{
		const char *dest = json_string_value(json_object_get(m, "destination"));
		/* device nodes live in /dev and /dev/pts: those keep dev */
		bool want_nodev = !dest || !(strcmp(dest, "/dev") == 0 || strcmp(dest, "/dev/pts") == 0);
		json_t *opts;

		if (!h->p->mounts_nosuid_nodev)
			continue;
		opts = json_object_get(m, "options");
		if (hd_strv_has(opts, "nosuid") && !hd_strv_has(opts, "suid") &&
		    (!want_nodev || (hd_strv_has(opts, "nodev") && !hd_strv_has(opts, "dev"))))
			continue;
		if (!json_is_array(opts)) {
			opts = json_array();
			json_object_set_new(m, "options", opts);
		}
		hd_strv_remove(opts, "suid");
		if (!hd_strv_has(opts, "nosuid"))
			json_array_append_new(opts, json_string("nosuid"));
		if (want_nodev) {
			hd_strv_remove(opts, "dev");
			if (!hd_strv_has(opts, "nodev"))
				json_array_append_new(opts, json_string("nodev"));
		}
		json_array_append(hd_is_bind(m) ? changed : kernel_fs, json_object_get(m, "destination"));
	}
	/*
	 * proc, sysfs, tmpfs and the like hold no image files: the flags
	 * change nothing the workload may rely on, so even L3 fixes them
	 */
	if (json_array_size(kernel_fs)) {
		cleanup_free char *fs_list = hd_join(kernel_fs);

		hd_decide(h, "setuid", HR_DECISION_TIGHTENED, "mounts made nosuid (and nodev but /dev, /dev/pts): %s",
			  fs_list);
	}
	if (json_array_size(changed)) {
		list = hd_join(changed);
		r = hd_tighten(h, "setuid", "bind mounts made nosuid,nodev: %s", list);
	}
	json_decref(kernel_fs);
	json_decref(changed);
	return r;
}

static int add_paths(struct hctx *h, json_t *lnx, const char *key, char **paths, const char *what)
{
	json_t *arr = json_object_get(lnx, key);
	json_t *added = json_array();
	cleanup_free char *list = NULL;

	if (!arr) {
		arr = json_array();
		json_object_set_new(lnx, key, arr);
	}
	if (!json_is_array(arr)) {
		json_decref(added);
		return hd_bad_type(h, key, "an array");
	}
	for (char **p = paths; *p; p++) {
		if (hd_strv_has(arr, *p))
			continue;
		json_array_append_new(arr, json_string(*p));
		json_array_append_new(added, json_string(*p));
	}
	list = hd_join(added);
	if (json_array_size(added))
		hd_decide(h, "masked", HR_DECISION_ADDED, "%s: %s", what, list);
	else if (*paths)
		hd_decide(h, "masked", HR_DECISION_KEPT, "%s: the bundle lists the policy's", what);
	json_decref(added);
	return 0;
}

int hd_row_masked(struct hctx *h)
{
	json_t *lnx;

	if ((!h->p->masked_paths[0] && !h->p->readonly_paths[0]) || hd_exempt(h, "masked"))
		return 0;
	lnx = hd_child(h->cfg, "linux");
	if (!lnx)
		return hd_bad_type(h, "linux", "an object");
	if (add_paths(h, lnx, "maskedPaths", h->p->masked_paths, "masked") < 0 ||
	    add_paths(h, lnx, "readonlyPaths", h->p->readonly_paths, "read-only") < 0)
		return -1;
	return 0;
}
