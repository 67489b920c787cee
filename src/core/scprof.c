/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Learned seccomp profiles as data: sorted sets of architectures and
 * syscall names, the strict parser that merges learned profiles (nothing a
 * learned profile cannot say is accepted, so a merge never loosens a rule
 * it does not understand) and the writer of the OCI/Docker JSON text.  No
 * kernel calls and no libseccomp: syscall numbers are resolved to names by
 * the recorder in src/linux before they get here.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "hardrun/scprof.h"
#include "hardrun/strutil.h"

#define NAME_MAX_LEN 63

bool hr_scprof_name_valid(const char *s)
{
	size_t n = 0;

	if (!s || !*s)
		return false;
	for (; s[n]; n++) {
		char c = s[n];

		if (n >= NAME_MAX_LEN || !((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
			return false;
	}
	return true;
}

static bool arch_valid(const char *s)
{
	if (!hr_str_has_prefix(s, "SCMP_ARCH_") || strlen(s) > 32 || !s[10])
		return false;
	for (const char *c = s + 10; *c; c++)
		if (!((*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') || *c == '_'))
			return false;
	return true;
}

/* Binary search; *at is where s is or would go. */
static bool find(char *const *v, size_t n, const char *s, size_t *at)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(v[mid], s);

		if (c == 0) {
			*at = mid;
			return true;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*at = lo;
	return false;
}

static bool insert(char ***v, size_t *n, const char *s)
{
	size_t at;

	if (find(*v, *n, s, &at))
		return false;
	*v = xrealloc(*v, (*n + 1) * sizeof(char *));
	memmove(*v + at + 1, *v + at, (*n - at) * sizeof(char *));
	(*v)[at] = xstrdup(s);
	(*n)++;
	return true;
}

bool hr_scprof_add_name(struct hr_scprof *p, const char *name)
{
	return insert(&p->names, &p->n_names, name);
}

bool hr_scprof_add_arch(struct hr_scprof *p, const char *arch)
{
	return insert(&p->archs, &p->n_archs, arch);
}

bool hr_scprof_has_name(const struct hr_scprof *p, const char *name)
{
	size_t at;

	return find(p->names, p->n_names, name, &at);
}

static bool only_keys(json_t *o, const char *const *keys, const char **bad)
{
	const char *k;
	json_t *v;

	json_object_foreach(o, k, v)
	{
		bool ok = false;

		for (const char *const *a = keys; *a; a++)
			ok = ok || strcmp(*a, k) == 0;
		if (!ok) {
			*bad = k;
			return false;
		}
	}
	return true;
}

static int parse_rule(json_t *r, size_t i, const char *what, struct hr_scprof *p, struct hr_err **err)
{
	static const char *const keys[] = {"names", "action", "comment", NULL};
	const char *bad = NULL;
	json_t *names = json_object_get(r, "names"), *n;
	size_t j;

	if (!json_is_object(r))
		return hr_fail(err, 0, "%s: syscalls[%zu]: expected an object", what, i);
	if (!only_keys(r, keys, &bad))
		return hr_fail(err, 0, "%s: syscalls[%zu].%s: not allowed in a learned profile", what, i, bad);
	if (!json_is_string(json_object_get(r, "action")) ||
	    strcmp(json_string_value(json_object_get(r, "action")), "SCMP_ACT_ALLOW") != 0)
		return hr_fail(err, 0, "%s: syscalls[%zu].action: expected SCMP_ACT_ALLOW (a learned profile)", what,
			       i);
	if (!json_is_array(names))
		return hr_fail(err, 0, "%s: syscalls[%zu].names: expected an array", what, i);
	json_array_foreach(names, j, n)
	{
		if (!hr_scprof_name_valid(json_string_value(n)))
			return hr_fail(err, 0, "%s: syscalls[%zu].names[%zu]: expected a syscall name", what, i, j);
		hr_scprof_add_name(p, json_string_value(n));
	}
	return 0;
}

int hr_scprof_parse(const char *buf, size_t len, const char *what, struct hr_scprof *p, struct hr_err **err)
{
	static const char *const keys[] = {"defaultAction", "architectures", "syscalls", NULL};
	json_error_t je;
	json_t *root, *v, *a;
	const char *bad = NULL;
	size_t i;
	int r = -1;

	root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &je);
	if (!root)
		return hr_fail(err, 0, "%s:%d:%d: %s", what, je.line, je.column, je.text);
	if (!json_is_object(root)) {
		hr_fail(err, 0, "%s: expected an object", what);
		goto out;
	}
	if (!only_keys(root, keys, &bad)) {
		hr_fail(err, 0, "%s: %s: not allowed in a learned profile", what, bad);
		goto out;
	}
	v = json_object_get(root, "defaultAction");
	if (!json_is_string(v) || strcmp(json_string_value(v), "SCMP_ACT_ERRNO") != 0) {
		hr_fail(err, 0, "%s: defaultAction: expected SCMP_ACT_ERRNO (a learned profile)", what);
		goto out;
	}
	a = json_object_get(root, "architectures");
	if (a && !json_is_array(a)) {
		hr_fail(err, 0, "%s: architectures: expected an array", what);
		goto out;
	}
	json_array_foreach(a, i, v)
	{
		if (!json_is_string(v) || !arch_valid(json_string_value(v))) {
			hr_fail(err, 0, "%s: architectures[%zu]: expected SCMP_ARCH_*", what, i);
			goto out;
		}
		hr_scprof_add_arch(p, json_string_value(v));
	}
	a = json_object_get(root, "syscalls");
	if (a && !json_is_array(a)) {
		hr_fail(err, 0, "%s: syscalls: expected an array", what);
		goto out;
	}
	json_array_foreach(a, i, v)
	{
		if (parse_rule(v, i, what, p, err) < 0)
			goto out;
	}
	r = 0;
out:
	json_decref(root);
	return r;
}

static json_t *strv_json(char *const *v, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_string(v[i]));
	return a;
}

char *hr_scprof_dump(const struct hr_scprof *p)
{
	json_t *root = json_object(), *rules = json_array();
	char *s, *out;

	json_object_set_new(root, "defaultAction", json_string("SCMP_ACT_ERRNO"));
	json_object_set_new(root, "architectures", strv_json(p->archs, p->n_archs));
	if (p->n_names)
		json_array_append_new(rules, json_pack("{s:o, s:s}", "names", strv_json(p->names, p->n_names), "action",
						       "SCMP_ACT_ALLOW"));
	json_object_set_new(root, "syscalls", rules);
	s = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(root);
	if (!s)
		abort(); /* only out of memory */
	out = xasprintf("%s\n", s);
	free(s);
	return out;
}

void hr_scprof_free(struct hr_scprof *p)
{
	for (size_t i = 0; i < p->n_archs; i++)
		free(p->archs[i]);
	for (size_t i = 0; i < p->n_names; i++)
		free(p->names[i]);
	free(p->archs);
	free(p->names);
	p->archs = p->names = NULL;
	p->n_archs = p->n_names = 0;
}
