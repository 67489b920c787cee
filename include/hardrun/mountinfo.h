/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * /proc/self/mountinfo lines and the super options of an overlayfs mount,
 * parsed without kernel calls (the caller reads the file), so that the
 * rootfs rebuild of an idmapped overlay is unit-tested on exact strings.
 */
#ifndef HARDRUN_MOUNTINFO_H
#define HARDRUN_MOUNTINFO_H

#include <stdbool.h>
#include <stddef.h>

#include "hardrun/error.h"

/* One mountinfo line, every field unescaped ("\040" → ' '). */
struct hr_mountinfo {
	int id;
	char *root;	   /* path of the mount's root inside its filesystem */
	char *mount_point; /* in the reader's mount namespace */
	char *mount_opts;  /* per-mount: "rw,nosuid,relatime" */
	char *fstype;
	char *source;
	char *super_opts; /* per-superblock: "rw,lowerdir=…" */
};

/* mountinfo's octal escapes (\ooo) decoded; a new string. */
char *hr_mountinfo_unescape(const char *s);
/* Parse one line (with or without its newline).  Returns 0, or -1 when it is malformed. */
int hr_mountinfo_parse_line(const char *line, struct hr_mountinfo *out);
void hr_mountinfo_clear(struct hr_mountinfo *m);

/*
 * The layers of an overlay mount from its super options: lowerdir=a:b (a
 * ':' inside a path written "\:"), or one lowerdir+= per layer as the new
 * mount API shows them; upperdir and workdir (NULL when the overlay is
 * read-only); every other option except rw/ro goes to extra[] as written
 * ("index=off", "volatile"), for the rebuilt overlay to keep.  Relative
 * layer paths depend on the mounter's cwd; they are made absolute only in
 * dockerd's overlay2 layout (mount_point H/<id>/merged, upperdir <id>/diff,
 * workdir <id>/work: relative to H), which it uses for long layer lists.
 * Other relative paths and data-only layers ("::", datadir+=) are refused
 * with a message naming them: a rebuild cannot find them.
 */
struct hr_overlay_layers {
	char **lower; /* NULL-terminated, uppermost first, at least one */
	char *upper;
	char *work;
	char **extra; /* NULL-terminated, may be NULL */
};

int hr_overlay_layers_parse(const char *super_opts, const char *mount_point, struct hr_overlay_layers *out,
			    struct hr_err **err);
void hr_overlay_layers_clear(struct hr_overlay_layers *o);

#endif
