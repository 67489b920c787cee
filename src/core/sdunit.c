/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The pure half of the systemd cgroup driver: linux.cgroupsPath
 * "slice:prefix:name" to a unit name, its parent slice and the cgroup path
 * systemd gives it (nested slice names expanded as systemd's
 * unit_name_to_path does), and cpuset lists to the bitmasks of
 * AllowedCPUs/AllowedMemoryNodes.  No syscalls and no D-Bus: the create,
 * delete and update paths derive the same unit from the same config copy,
 * so a container whose create was killed can still be cleaned up.
 */
#include <string.h>

#include "hardrun/strutil.h"
#include "hardrun/sdunit.h"

#define DEFAULT_SLICE "system.slice"
#define DEFAULT_PREFIX "hardrun"
#define CPUSET_MAX 8191

/* The characters a systemd unit name may hold without \x escapes (unit_name_is_valid). */
static bool unit_char_ok(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == ':' || c == '_' ||
	       c == '.' || c == '-';
}

static int check_chars(const char *s, const char *what, struct hr_err **err)
{
	for (const char *p = s; *p; p++)
		if (!unit_char_ok(*p))
			return hr_fail(err, 0, "%s `%s`: character `%c` needs escaping in a systemd unit name", what, s,
				       *p);
	return 0;
}

int hr_sd_slice_expand(const char *slice, char **out, struct hr_err **err)
{
	cleanup_free char *res = NULL;
	size_t n;

	if (strcmp(slice, "-.slice") == 0) {
		*out = xstrdup("/");
		return 0;
	}
	if (!hr_str_has_suffix(slice, ".slice") || strlen(slice) == strlen(".slice"))
		return hr_fail(err, 0, "slice `%s`: a slice name ends in `.slice`", slice);
	if (strchr(slice, '/'))
		return hr_fail(err, 0, "slice `%s`: must not contain `/`", slice);
	if (check_chars(slice, "slice", err) < 0)
		return -1;
	if (strlen(slice) > HR_SD_UNIT_NAME_MAX)
		return hr_fail(err, 0, "slice `%s`: longer than %d characters", slice, HR_SD_UNIT_NAME_MAX);
	n = strlen(slice) - strlen(".slice");
	/* '-' separates the levels, so "a--b", "-a" and "a-" would name a slice without a name. */
	if (slice[0] == '-' || slice[n - 1] == '-' || strstr(slice, "--"))
		return hr_fail(err, 0, "slice `%s`: empty component between dashes", slice);
	res = xstrdup("");
	for (size_t i = 0; i <= n; i++) {
		if (i < n && slice[i] != '-')
			continue;
		{
			char *next = xasprintf("%s/%.*s.slice", res, (int)i, slice);

			free(res);
			res = next;
		}
	}
	*out = steal_ptr(&res);
	return 0;
}

static int parse_fail(struct hr_err **err, const char *path)
{
	return hr_fail_wrap(err, "config.json: linux.cgroupsPath: `%s`", path);
}

int hr_sd_unit_parse(const char *cgroups_path, const char *id, struct hr_sd_unit *out, struct hr_err **err)
{
	struct hr_sd_unit u = {0};
	cleanup_free char *copy = NULL;
	cleanup_free char *parent = NULL;
	const char *slice, *prefix, *name;
	char *c1, *c2;

	if (cgroups_path == NULL || cgroups_path[0] == '\0') {
		/* runc's default is "runc-<id>.scope" in system.slice */
		if (id == NULL || check_chars(id, "container id", err) < 0)
			return hr_fail_wrap(err, "config.json: linux.cgroupsPath: ``");
		u.slice = xstrdup(DEFAULT_SLICE);
		u.name = xasprintf("%s-%s.scope", DEFAULT_PREFIX, id);
	} else {
		copy = xstrdup(cgroups_path);
		c1 = strchr(copy, ':');
		c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		if (c1 == NULL || c2 == NULL || strchr(c2 + 1, ':'))
			return hr_fail(err, 0,
				       "config.json: linux.cgroupsPath: `%s`: expected \"slice:prefix:name\" for the "
				       "systemd cgroup driver",
				       cgroups_path);
		*c1 = *c2 = '\0';
		slice = copy;
		prefix = c1 + 1;
		name = c2 + 1;
		if (name[0] == '\0')
			return hr_fail(err, 0, "config.json: linux.cgroupsPath: `%s`: the name part is empty",
				       cgroups_path);
		if (check_chars(prefix, "prefix", err) < 0 || check_chars(name, "name", err) < 0)
			return parse_fail(err, cgroups_path);
		if (hr_str_has_suffix(name, ".slice")) {
			/* a slice unit: systemd derives its parent from its name, whatever Slice= says */
			cleanup_free char *self = NULL;
			const char *dash = strrchr(name, '-');

			if (hr_sd_slice_expand(name, &self, err) < 0)
				return parse_fail(err, cgroups_path);
			parent = dash ? xasprintf("%.*s.slice", (int)(dash - name), name) : xstrdup("-.slice");
			if (slice[0] != '\0' && strcmp(slice, parent) != 0)
				return hr_fail(err, 0,
					       "config.json: linux.cgroupsPath: `%s`: slice unit `%s` belongs in `%s`, "
					       "not in `%s`",
					       cgroups_path, name, parent, slice);
			u.is_slice = true;
			u.slice = steal_ptr(&parent);
			u.name = xstrdup(name);
			u.path = steal_ptr(&self);
		} else {
			u.slice = xstrdup(slice[0] ? slice : DEFAULT_SLICE);
			u.name = prefix[0] ? xasprintf("%s-%s.scope", prefix, name) : xasprintf("%s.scope", name);
		}
	}
	if (strlen(u.name) > HR_SD_UNIT_NAME_MAX) {
		hr_fail(err, 0, "config.json: linux.cgroupsPath: `%s`: unit name `%s` is longer than %d characters",
			cgroups_path ? cgroups_path : "", u.name, HR_SD_UNIT_NAME_MAX);
		hr_sd_unit_clear(&u);
		return -1;
	}
	if (u.path == NULL) {
		cleanup_free char *dir = NULL;

		if (hr_sd_slice_expand(u.slice, &dir, err) < 0) {
			hr_sd_unit_clear(&u);
			return parse_fail(err, cgroups_path ? cgroups_path : "");
		}
		u.path = !dir || strcmp(dir, "/") == 0 ? xasprintf("/%s", u.name) : xasprintf("%s/%s", dir, u.name);
	}
	*out = u;
	return 0;
}

void hr_sd_unit_clear(struct hr_sd_unit *u)
{
	free(u->slice);
	free(u->name);
	free(u->path);
	*u = (struct hr_sd_unit){0};
}

static int parse_cpu(const char **p, unsigned *out)
{
	unsigned v = 0;

	if (**p < '0' || **p > '9')
		return -1;
	while (**p >= '0' && **p <= '9') {
		v = v * 10 + (unsigned)(**p - '0');
		if (v > CPUSET_MAX)
			return -1;
		(*p)++;
	}
	*out = v;
	return 0;
}

int hr_sd_cpuset_mask(const char *list, const char *what, uint8_t **mask, size_t *len, struct hr_err **err)
{
	cleanup_free uint8_t *m = NULL;
	const char *p = list;
	size_t n = 0;

	while (*p) {
		unsigned lo, hi;

		if (parse_cpu(&p, &lo) < 0)
			return hr_fail(err, 0,
				       "config.json: %s: `%s`: expected a list such as `0-3,8` (numbers up to %d)",
				       what, list, CPUSET_MAX);
		hi = lo;
		if (*p == '-') {
			p++;
			if (parse_cpu(&p, &hi) < 0 || hi < lo)
				return hr_fail(err, 0, "config.json: %s: `%s`: bad range", what, list);
		}
		if (*p == ',' && p[1] != '\0')
			p++;
		else if (*p != '\0')
			return hr_fail(err, 0, "config.json: %s: `%s`: expected a list such as `0-3,8`", what, list);
		if (!m || hi / 8 + 1 > n) {
			m = xrealloc(m, hi / 8 + 1);
			memset(m + n, 0, hi / 8 + 1 - n);
			n = hi / 8 + 1;
		}
		for (unsigned i = lo; i <= hi; i++)
			m[i / 8] |= (uint8_t)(1u << (i % 8));
	}
	*mask = steal_ptr(&m);
	*len = n;
	return 0;
}
