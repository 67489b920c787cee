/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * OCI mount options → mount(2) flags, recursive mount_setattr attributes,
 * propagation and filesystem data; id-map strings.  Pure code: the
 * constants come from the uapi header, no mount is made here.
 */
#include <linux/mount.h>
#include <string.h>

#include "hardrun/spec.h"
#include "hardrun/strutil.h"

enum opt_kind { SET, CLR, PROP, RSET, RCLR, RATIME, SPECIAL };

static const struct {
	const char *name;
	enum opt_kind kind;
	uint64_t v;
} table[] = {
	{"defaults", SET, 0},
	{"ro", SET, MS_RDONLY},
	{"rw", CLR, MS_RDONLY},
	{"nosuid", SET, MS_NOSUID},
	{"suid", CLR, MS_NOSUID},
	{"nodev", SET, MS_NODEV},
	{"dev", CLR, MS_NODEV},
	{"noexec", SET, MS_NOEXEC},
	{"exec", CLR, MS_NOEXEC},
	{"sync", SET, MS_SYNCHRONOUS},
	{"async", CLR, MS_SYNCHRONOUS},
	{"dirsync", SET, MS_DIRSYNC},
	{"remount", SET, MS_REMOUNT},
	{"mand", SET, MS_MANDLOCK},
	{"nomand", CLR, MS_MANDLOCK},
	{"atime", CLR, MS_NOATIME},
	{"noatime", SET, MS_NOATIME},
	{"diratime", CLR, MS_NODIRATIME},
	{"nodiratime", SET, MS_NODIRATIME},
	{"relatime", SET, MS_RELATIME},
	{"norelatime", CLR, MS_RELATIME},
	{"strictatime", SET, MS_STRICTATIME},
	{"nostrictatime", CLR, MS_STRICTATIME},
	{"lazytime", SET, MS_LAZYTIME},
	{"nolazytime", CLR, MS_LAZYTIME},
	{"silent", SET, MS_SILENT},
	{"loud", CLR, MS_SILENT},
	{"nosymfollow", SET, MS_NOSYMFOLLOW},
	{"symfollow", CLR, MS_NOSYMFOLLOW},
	{"bind", SPECIAL, 0},
	{"rbind", SPECIAL, 1},
	{"idmap", SPECIAL, 2},
	{"ridmap", SPECIAL, 3},
	{"tmpcopyup", SPECIAL, 4},
	{"private", PROP, MS_PRIVATE},
	{"rprivate", PROP, MS_PRIVATE | MS_REC},
	{"shared", PROP, MS_SHARED},
	{"rshared", PROP, MS_SHARED | MS_REC},
	{"slave", PROP, MS_SLAVE},
	{"rslave", PROP, MS_SLAVE | MS_REC},
	{"unbindable", PROP, MS_UNBINDABLE},
	{"runbindable", PROP, MS_UNBINDABLE | MS_REC},
	{"rro", RSET, MOUNT_ATTR_RDONLY},
	{"rrw", RCLR, MOUNT_ATTR_RDONLY},
	{"rnosuid", RSET, MOUNT_ATTR_NOSUID},
	{"rsuid", RCLR, MOUNT_ATTR_NOSUID},
	{"rnodev", RSET, MOUNT_ATTR_NODEV},
	{"rdev", RCLR, MOUNT_ATTR_NODEV},
	{"rnoexec", RSET, MOUNT_ATTR_NOEXEC},
	{"rexec", RCLR, MOUNT_ATTR_NOEXEC},
	{"rnodiratime", RSET, MOUNT_ATTR_NODIRATIME},
	{"rdiratime", RCLR, MOUNT_ATTR_NODIRATIME},
	{"rnosymfollow", RSET, MOUNT_ATTR_NOSYMFOLLOW},
	{"rsymfollow", RCLR, MOUNT_ATTR_NOSYMFOLLOW},
	{"rrelatime", RATIME, MOUNT_ATTR_RELATIME},
	{"rnorelatime", RATIME, MOUNT_ATTR_STRICTATIME},
	{"rnoatime", RATIME, MOUNT_ATTR_NOATIME},
	{"ratime", RATIME, MOUNT_ATTR_RELATIME},
	{"rstrictatime", RATIME, MOUNT_ATTR_STRICTATIME},
	{"rnostrictatime", RATIME, MOUNT_ATTR_RELATIME},
};

void hr_mount_opts_clear(struct hr_mount_opts *o)
{
	free(o->data);
	o->data = NULL;
}

int hr_mount_opts_parse(char *const *options, const char *jpath, struct hr_mount_opts *out, struct hr_err **err)
{
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; options && options[i]; i++) {
		const char *o = options[i];
		bool known = false;

		if (o[0] == '\0')
			return hr_fail(err, 0, "config.json: %s[%zu]: empty option", jpath, i);
		for (size_t k = 0; k < HR_ARRAY_SIZE(table) && !known; k++) {
			if (strcmp(o, table[k].name) != 0)
				continue;
			known = true;
			switch (table[k].kind) {
			case SET:
				out->flags |= table[k].v;
				out->clear_flags &= ~table[k].v;
				break;
			case CLR:
				out->clear_flags |= table[k].v;
				out->flags &= ~table[k].v;
				break;
			case PROP:
				if (out->propagation)
					return hr_fail(err, 0, "config.json: %s[%zu]: more than one propagation option",
						       jpath, i);
				out->propagation = table[k].v;
				break;
			case RSET:
				out->rec_attr_set |= table[k].v;
				out->rec_attr_clr &= ~table[k].v;
				break;
			case RCLR:
				out->rec_attr_clr |= table[k].v;
				out->rec_attr_set &= ~table[k].v;
				break;
			case RATIME:
				out->rec_attr_clr |= MOUNT_ATTR__ATIME;
				out->rec_attr_set = (out->rec_attr_set & ~(uint64_t)MOUNT_ATTR__ATIME) | table[k].v;
				break;
			case SPECIAL:
				switch (table[k].v) {
				case 0:
					out->bind = true;
					break;
				case 1:
					out->bind = out->recursive = true;
					break;
				case 2:
					out->idmap = true;
					break;
				case 3:
					out->ridmap = true;
					break;
				default:
					out->tmpcopyup = true;
					break;
				}
				break;
			}
		}
		if (!known) {
			/* unknown options are filesystem data (runtime-spec) */
			char *d = out->data ? xasprintf("%s,%s", out->data, o) : xstrdup(o);

			free(out->data);
			out->data = d;
		}
	}
	return 0;
}

int hr_idmap_parse(const char *s, struct hr_idmap **out, struct hr_err **err)
{
	cleanup_free char *copy = xstrdup(s);
	struct hr_idmap *v = NULL;
	char *save = NULL;
	int n = 0;

	for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *a = tok, *b = strchr(a, ':'), *c;
		struct hr_idmap m;

		if (!b || !(c = strchr(b + 1, ':'))) {
			free(v);
			return hr_fail(err, 0, "id map `%s`: expected containerID:hostID:size", tok);
		}
		*b++ = '\0';
		*c++ = '\0';
		if (hr_parse_u32(a, &m.container_id) < 0 || hr_parse_u32(b, &m.host_id) < 0 ||
		    hr_parse_u32(c, &m.size) < 0 || m.size == 0 || (uint64_t)m.container_id + m.size > 1ULL << 32 ||
		    (uint64_t)m.host_id + m.size > 1ULL << 32) {
			free(v);
			return hr_fail(err, 0, "id map `%s`: invalid numbers", s);
		}
		v = xrealloc(v, (size_t)(n + 1) * sizeof(*v));
		v[n++] = m;
		if (n > 340) {
			free(v);
			return hr_fail(err, 0, "id map `%s`: too many ranges", s);
		}
	}
	if (n == 0)
		return hr_fail(err, 0, "id map `%s`: empty", s);
	*out = v;
	return n;
}
