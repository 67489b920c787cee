/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * state.json (de)serialisation.  Pure code on top of jansson; the runtime
 * does the file I/O.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "hardrun/state.h"
#include "hardrun/strutil.h"

static const char *const status_names[] = {
	[HR_STATUS_CREATING] = "creating", [HR_STATUS_CREATED] = "created", [HR_STATUS_RUNNING] = "running",
	[HR_STATUS_PAUSED] = "paused",	   [HR_STATUS_STOPPED] = "stopped",
};

const char *hr_status_name(enum hr_status s)
{
	if ((size_t)s >= HR_ARRAY_SIZE(status_names))
		return "unknown";
	return status_names[s];
}

static json_t *annotations_json(const struct hr_state *st)
{
	json_t *a = json_object();

	for (size_t i = 0; i < st->n_annotations; i++)
		json_object_set_new(a, st->annotations[i].key, json_string(st->annotations[i].value));
	return a;
}

char *hr_state_to_json(const struct hr_state *st)
{
	json_t *o = json_object();
	char *s, *r;

	json_object_set_new(o, "owner", json_string(HR_STATE_OWNER));
	json_object_set_new(o, "ociVersion", json_string(st->oci_version ? st->oci_version : "1.0.2"));
	json_object_set_new(o, "id", json_string(st->id));
	json_object_set_new(o, "pid", json_integer(st->pid));
	json_object_set_new(o, "pidStart", json_integer((json_int_t)st->pid_start));
	json_object_set_new(o, "bundle", json_string(st->bundle));
	json_object_set_new(o, "rootfs", json_string(st->rootfs));
	json_object_set_new(o, "created", json_string(st->created ? st->created : ""));
	json_object_set_new(o, "cgroupPath", json_string(st->cgroup_path ? st->cgroup_path : ""));
	json_object_set_new(o, "userns", json_boolean(st->userns));
	json_object_set_new(o, "annotations", annotations_json(st));
	s = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	if (!s)
		abort();
	r = xstrdup(s);
	free(s);
	return r;
}

static int get_str(json_t *o, const char *key, bool required, char **out, struct hr_err **err)
{
	json_t *v = json_object_get(o, key);

	if (v == NULL) {
		if (required)
			return hr_fail(err, 0, "state.json: %s: missing", key);
		*out = xstrdup("");
		return 0;
	}
	if (!json_is_string(v))
		return hr_fail(err, 0, "state.json: %s: expected string", key);
	*out = xstrdup(json_string_value(v));
	return 0;
}

int hr_state_parse_buf(const char *buf, size_t len, struct hr_state **out, struct hr_err **err)
{
	json_error_t jerr;
	json_t *root = json_loadb(buf, len, 0, &jerr);
	json_t *v, *ann;
	struct hr_state *st = NULL;
	const char *key;
	json_t *val;

	if (root == NULL)
		return hr_fail(err, 0, "state.json:%d:%d: %s", jerr.line, jerr.column, jerr.text);
	if (!json_is_object(root)) {
		json_decref(root);
		return hr_fail(err, 0, "state.json: expected object");
	}
	v = json_object_get(root, "owner");
	if (!json_is_string(v) || strcmp(json_string_value(v), HR_STATE_OWNER) != 0) {
		json_decref(root);
		return hr_fail(err, ENOENT, "state.json: not a hardrun container");
	}
	st = xzalloc(sizeof(*st));
	if (get_str(root, "ociVersion", false, &st->oci_version, err) < 0 ||
	    get_str(root, "id", true, &st->id, err) < 0 || get_str(root, "bundle", true, &st->bundle, err) < 0 ||
	    get_str(root, "rootfs", false, &st->rootfs, err) < 0 ||
	    get_str(root, "created", false, &st->created, err) < 0 ||
	    get_str(root, "cgroupPath", false, &st->cgroup_path, err) < 0)
		goto fail;
	v = json_object_get(root, "pid");
	if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > INT32_MAX) {
		hr_fail(err, 0, "state.json: pid: expected a non-negative integer");
		goto fail;
	}
	st->pid = (pid_t)json_integer_value(v);
	v = json_object_get(root, "pidStart");
	if (v && (!json_is_integer(v) || json_integer_value(v) < 0)) {
		hr_fail(err, 0, "state.json: pidStart: expected a non-negative integer");
		goto fail;
	}
	st->pid_start = v ? (uint64_t)json_integer_value(v) : 0;
	st->userns = json_is_true(json_object_get(root, "userns"));
	ann = json_object_get(root, "annotations");
	if (ann && !json_is_object(ann)) {
		hr_fail(err, 0, "state.json: annotations: expected object");
		goto fail;
	}
	if (ann && json_object_size(ann) > 0) {
		st->annotations = xcalloc(json_object_size(ann), sizeof(struct hr_kv));
		json_object_foreach(ann, key, val)
		{
			if (!json_is_string(val)) {
				hr_fail(err, 0, "state.json: annotations.%s: expected string", key);
				goto fail;
			}
			st->annotations[st->n_annotations].key = xstrdup(key);
			st->annotations[st->n_annotations].value = xstrdup(json_string_value(val));
			st->n_annotations++;
		}
	}
	json_decref(root);
	*out = st;
	return 0;
fail:
	json_decref(root);
	hr_state_free(st);
	return -1;
}

char *hr_state_oci_json(const struct hr_state *st, enum hr_status status, bool pretty)
{
	json_t *o = json_object();
	char *s, *r;

	json_object_set_new(o, "ociVersion", json_string(st->oci_version ? st->oci_version : "1.0.2"));
	json_object_set_new(o, "id", json_string(st->id));
	json_object_set_new(o, "pid", json_integer(status == HR_STATUS_STOPPED ? 0 : st->pid));
	json_object_set_new(o, "status", json_string(hr_status_name(status)));
	json_object_set_new(o, "bundle", json_string(st->bundle));
	json_object_set_new(o, "rootfs", json_string(st->rootfs ? st->rootfs : ""));
	json_object_set_new(o, "created", json_string(st->created ? st->created : ""));
	json_object_set_new(o, "owner", json_string(""));
	if (st->n_annotations)
		json_object_set_new(o, "annotations", annotations_json(st));
	s = json_dumps(o, pretty ? JSON_INDENT(2) : JSON_COMPACT);
	json_decref(o);
	if (!s)
		abort();
	r = xstrdup(s);
	free(s);
	return r;
}

void hr_state_free(struct hr_state *st)
{
	if (!st)
		return;
	free(st->oci_version);
	free(st->id);
	free(st->bundle);
	free(st->rootfs);
	free(st->created);
	free(st->cgroup_path);
	for (size_t i = 0; i < st->n_annotations; i++) {
		free(st->annotations[i].key);
		free(st->annotations[i].value);
	}
	free(st->annotations);
	free(st);
}
