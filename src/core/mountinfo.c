/* SPDX-License-Identifier: GPL-2.0-or-later */
/* mountinfo lines and overlayfs super options; see mountinfo.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hardrun/mountinfo.h"
#include "hardrun/strutil.h"

static bool is_octal(char c)
{
	return c >= '0' && c <= '7';
}

char *hr_mountinfo_unescape(const char *s)
{
	char *out = xmalloc(strlen(s) + 1), *o = out;

	while (*s) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && is_octal(s[2]) && is_octal(s[3])) {
			*o++ = (char)(((s[1] - '0') << 6) | ((s[2] - '0') << 3) | (s[3] - '0'));
			s += 4;
		} else {
			*o++ = *s++;
		}
	}
	*o = '\0';
	return out;
}

void hr_mountinfo_clear(struct hr_mountinfo *m)
{
	free(m->root);
	free(m->mount_point);
	free(m->mount_opts);
	free(m->fstype);
	free(m->source);
	free(m->super_opts);
	memset(m, 0, sizeof(*m));
}

/*
 * "36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue":
 * six fixed fields, optional fields up to " - ", then fstype, source, super options.
 */
int hr_mountinfo_parse_line(const char *line, struct hr_mountinfo *out)
{
	cleanup_free char *copy = xstrndup(line, strcspn(line, "\n"));
	char *fields[6] = {0}, *tail[3] = {0}, *save = NULL, *sep;
	int nf = 0, nt = 0;

	memset(out, 0, sizeof(*out));
	sep = strstr(copy, " - ");
	if (!sep)
		return -1;
	*sep = '\0';
	for (char *t = strtok_r(copy, " ", &save); t && nf < 6; t = strtok_r(NULL, " ", &save))
		fields[nf++] = t;
	save = NULL;
	for (char *t = strtok_r(sep + 3, " ", &save); t && nt < 3; t = strtok_r(NULL, " ", &save))
		tail[nt++] = t;
	if (nf < 6 || nt < 3 || hr_parse_int(fields[0], &out->id) < 0)
		return -1;
	out->root = hr_mountinfo_unescape(fields[3]);
	out->mount_point = hr_mountinfo_unescape(fields[4]);
	out->mount_opts = hr_mountinfo_unescape(fields[5]);
	out->fstype = hr_mountinfo_unescape(tail[0]);
	out->source = hr_mountinfo_unescape(tail[1]);
	/* the super options stay escaped: a ',' inside a path is \054 and must not split the list */
	out->super_opts = xstrdup(tail[2]);
	return 0;
}

void hr_overlay_layers_clear(struct hr_overlay_layers *o)
{
	hr_strv_free(o->lower);
	free(o->upper);
	free(o->work);
	hr_strv_free(o->extra);
	memset(o, 0, sizeof(*o));
}

/* Relative paths are kept for now: dockerd's overlay2 layout makes them absolute once all are known. */
static int layer_path(const char *p, const char *what, struct hr_err **err)
{
	if (p[0] == '\0')
		return hr_fail(err, EINVAL, "overlay %s is empty", what);
	return 0;
}

/*
 * dockerd's overlay2 mounts long layer lists from its home H (chdir, then
 * relative paths): mount point H/<id>/merged, upperdir <id>/diff, workdir
 * <id>/work, lowerdirs l/<short link>.  That layout, and only that, tells
 * which directory the relative paths started from: it must match exactly.
 */
static char *dockerd_home(const struct hr_overlay_layers *o, const char *mount_point)
{
	size_t mlen = strlen(mount_point), ilen;
	const char *slash;

	if (!o->upper || o->upper[0] == '/' || !hr_str_has_suffix(o->upper, "/diff") || !o->work)
		return NULL;
	ilen = strlen(o->upper) - strlen("/diff");
	if (ilen == 0 || memchr(o->upper, '/', ilen) || strncmp(o->work, o->upper, ilen) != 0 ||
	    strcmp(o->work + ilen, "/work") != 0)
		return NULL;
	/* mount_point = H "/" id "/merged", H not empty */
	if (mlen < ilen + strlen("//merged") + 1 || !hr_str_has_suffix(mount_point, "/merged"))
		return NULL;
	slash = mount_point + mlen - strlen("/merged") - ilen - 1;
	if (slash == mount_point || slash[0] != '/' || strncmp(slash + 1, o->upper, ilen) != 0)
		return NULL;
	return xstrndup(mount_point, (size_t)(slash - mount_point));
}

static int make_absolute(char **p, const char *home, const char *what, struct hr_err **err)
{
	char *abs;

	if (!*p || (*p)[0] == '/')
		return 0;
	if (!home || strstr(*p, "..") != NULL)
		return hr_fail(err, EINVAL, "overlay %s `%s` is a relative path outside dockerd's overlay2 layout",
			       what, *p);
	abs = hr_path_join(home, *p);
	free(*p);
	*p = abs;
	return 0;
}

/* lowerdir=a:b:c, where "\:" is a ':' inside a path and "::" starts the data-only layers */
static int split_lowerdir(const char *v, struct hr_overlay_layers *o, struct hr_err **err)
{
	cleanup_free char *cur = xmalloc(strlen(v) + 1);
	size_t n = 0;

	for (const char *p = v;; p++) {
		if (*p == '\\' && p[1] == ':') {
			cur[n++] = ':';
			p++;
			continue;
		}
		if (*p != ':' && *p != '\0') {
			cur[n++] = *p;
			continue;
		}
		cur[n] = '\0';
		if (n == 0)
			return hr_fail(err, EINVAL, "overlay lowerdir `%s` has data-only layers", v);
		if (layer_path(cur, "lowerdir", err) < 0)
			return -1;
		hr_strv_push(&o->lower, cur);
		n = 0;
		if (*p == '\0')
			return 0;
	}
}

int hr_overlay_layers_parse(const char *super_opts, const char *mount_point, struct hr_overlay_layers *out,
			    struct hr_err **err)
{
	cleanup_free char *home = NULL;
	cleanup_free char *copy = xstrdup(super_opts);
	char *save = NULL;

	memset(out, 0, sizeof(*out));
	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		cleanup_free char *opt = hr_mountinfo_unescape(t);
		char *eq = strchr(opt, '=');
		const char *v = eq ? eq + 1 : "";
		int r = 0;

		if (eq)
			*eq = '\0';
		if (strcmp(opt, "rw") == 0 || strcmp(opt, "ro") == 0)
			continue;
		if (strcmp(opt, "lowerdir") == 0) {
			r = split_lowerdir(v, out, err);
		} else if (strcmp(opt, "lowerdir+") == 0) {
			r = layer_path(v, "lowerdir", err);
			if (r == 0)
				hr_strv_push(&out->lower, v);
		} else if (strcmp(opt, "datadir+") == 0) {
			r = hr_fail(err, EINVAL, "overlay has data-only layers");
		} else if (strcmp(opt, "upperdir") == 0 || strcmp(opt, "workdir") == 0) {
			bool up = opt[0] == 'u';

			r = layer_path(v, opt, err);
			if (r == 0) {
				free(up ? out->upper : out->work);
				*(up ? &out->upper : &out->work) = xstrdup(v);
			}
		} else {
			if (eq)
				*eq = '=';
			hr_strv_push(&out->extra, opt);
		}
		if (r < 0) {
			hr_overlay_layers_clear(out);
			return -1;
		}
	}
	if (!out->lower || (!out->upper) != (!out->work)) {
		hr_overlay_layers_clear(out);
		return hr_fail(err, EINVAL, "overlay options `%s`: no lowerdir, or upperdir without workdir",
			       super_opts);
	}
	home = dockerd_home(out, mount_point);
	for (char **l = out->lower; *l; l++)
		if (make_absolute(l, home, "lowerdir", err) < 0)
			goto fail;
	if (make_absolute(&out->upper, home, "upperdir", err) < 0 ||
	    make_absolute(&out->work, home, "workdir", err) < 0)
		goto fail;
	return 0;
fail:
	hr_overlay_layers_clear(out);
	return -1;
}
