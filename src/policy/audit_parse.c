/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Parsers of what the kernel and the policy engine write, into audit facts:
 * /proc/PID/status, uid_map, mountinfo and environ, and the state-dir files
 * decisions.json and tainted.  Pure: the runtime reads the files and hands
 * the bytes over, so every format is tested from strings.  Environment
 * values are never copied: only names are looked at.
 */
#include <ctype.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "hardrun/audit.h"
#include "hardrun/strutil.h"

/* The next line of buf[*pos..len) as a new string without '\n'; NULL at the end. */
static char *next_line(const char *buf, size_t len, size_t *pos)
{
	size_t start = *pos, end;

	if (start >= len)
		return NULL;
	end = start;
	while (end < len && buf[end] != '\n')
		end++;
	*pos = end < len ? end + 1 : end;
	return xstrndup(buf + start, end - start);
}

static int parse_hex64(const char *s, uint64_t *out)
{
	uint64_t v = 0;

	if (*s == '\0' || strlen(s) > 16)
		return -1;
	for (; *s; s++) {
		int d;

		if (*s >= '0' && *s <= '9')
			d = *s - '0';
		else if (*s >= 'a' && *s <= 'f')
			d = *s - 'a' + 10;
		else if (*s >= 'A' && *s <= 'F')
			d = *s - 'A' + 10;
		else
			return -1;
		v = v << 4 | (uint64_t)d;
	}
	*out = v;
	return 0;
}

int hr_audit_parse_status(const char *buf, size_t len, const char *src, struct hr_audit_facts *f, struct hr_err **err)
{
	static const char *const caps[] = {"CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"};
	struct hr_audit_value *capv[] = {&f->cap_inh, &f->cap_prm, &f->cap_eff, &f->cap_bnd, &f->cap_amb};
	size_t pos = 0;
	char *line;

	for (size_t i = 0; i < HR_ARRAY_SIZE(caps); i++)
		hr_audit_value_absent(capv[i], caps[i], "no such line", src);
	hr_audit_value_absent(&f->no_new_privs, "NoNewPrivs", "no such line", src);
	hr_audit_value_absent(&f->seccomp, "Seccomp", "no such line", src);
	hr_audit_value_absent(&f->seccomp_filters, "Seccomp_filters", "no such line", src);
	hr_audit_value_absent(&f->uid, "Uid", "no such line", src);
	while ((line = next_line(buf, len, &pos)) != NULL) {
		cleanup_free char *l = line;
		char *colon = strchr(l, ':'), *val;
		uint64_t num = 0;
		bool ok = false, known = false;

		if (colon == NULL)
			continue;
		*colon = '\0';
		val = colon + 1;
		while (*val == ' ' || *val == '\t')
			val++;
		for (size_t i = 0; i < HR_ARRAY_SIZE(caps); i++) {
			if (strcmp(l, caps[i]) != 0)
				continue;
			known = true;
			ok = parse_hex64(val, &num) == 0;
			if (ok)
				hr_audit_value_set(capv[i], caps[i], val, src, num);
		}
		if (strcmp(l, "NoNewPrivs") == 0 || strcmp(l, "Seccomp") == 0 || strcmp(l, "Seccomp_filters") == 0) {
			struct hr_audit_value *v = l[0] == 'N'	 ? &f->no_new_privs
						   : l[7] == '_' ? &f->seccomp_filters
								 : &f->seccomp;

			known = true;
			ok = hr_parse_u64(val, &num) == 0;
			if (ok)
				hr_audit_value_set(v, l, val, src, num);
		} else if (strcmp(l, "Uid") == 0) {
			cleanup_free char *copy = xstrdup(val);
			char *save = NULL, *real = strtok_r(copy, " \t", &save), *eff = strtok_r(NULL, " \t", &save);
			cleanup_free char *shown = NULL;

			known = true;
			ok = real && eff && hr_parse_u64(eff, &num) == 0;
			if (ok) {
				/* the four ids as one space-separated quote: real, effective, saved, fs */
				shown = xstrdup(val);
				for (char *p = shown; *p; p++)
					if (*p == '\t')
						*p = ' ';
				hr_audit_value_set(&f->uid, "Uid", shown, src, num);
			}
		}
		if (known && !ok)
			return hr_fail(err, 0, "`%s`: `%s`: malformed value", src, l);
	}
	return 0;
}

int hr_audit_parse_uid_map(const char *buf, size_t len, const char *src, struct hr_audit_facts *f, struct hr_err **err)
{
	cleanup_free char *text = xstrdup("");
	size_t pos = 0;
	char *line;

	free(f->uid_maps);
	f->uid_maps = NULL;
	f->n_uid_maps = 0;
	while ((line = next_line(buf, len, &pos)) != NULL) {
		cleanup_free char *l = line;
		char *save = NULL, *a = strtok_r(l, " \t", &save), *b = strtok_r(NULL, " \t", &save),
		     *c = strtok_r(NULL, " \t", &save);
		struct hr_idmap m;
		char *next;

		if (a == NULL)
			continue;
		if (!b || !c || strtok_r(NULL, " \t", &save) || hr_parse_u32(a, &m.container_id) < 0 ||
		    hr_parse_u32(b, &m.host_id) < 0 || hr_parse_u32(c, &m.size) < 0)
			return hr_fail(err, 0, "`%s`: line %zu: expected three numbers", src, f->n_uid_maps + 1);
		f->uid_maps = xrealloc(f->uid_maps, (f->n_uid_maps + 1) * sizeof(m));
		f->uid_maps[f->n_uid_maps++] = m;
		next = xasprintf("%s%s%s %s %s", text, *text ? ", " : "", a, b, c);
		free(text);
		text = next;
	}
	hr_audit_value_set(&f->uid_map, "uid_map", text, src, f->n_uid_maps);
	return 0;
}

/* Undo mountinfo's octal escapes ("\040" for a space) in place. */
static void unescape_octal(char *s)
{
	char *w = s;

	for (char *r = s; *r;) {
		if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] >= '0' && r[2] <= '7' && r[3] >= '0' &&
		    r[3] <= '7') {
			*w++ = (char)(((r[1] - '0') << 6) | ((r[2] - '0') << 3) | (r[3] - '0'));
			r += 4;
		} else {
			*w++ = *r++;
		}
	}
	*w = '\0';
}

static bool has_opt(const char *opts, const char *opt)
{
	size_t n = strlen(opt);

	for (const char *p = opts; p && *p;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);

		if (len == n && strncmp(p, opt, n) == 0)
			return true;
		p = comma ? comma + 1 : NULL;
	}
	return false;
}

int hr_audit_parse_mountinfo(const char *buf, size_t len, const char *src, struct hr_audit_facts *f,
			     struct hr_err **err)
{
	size_t pos = 0, lineno = 0;
	char *line;

	free(f->mounts_src);
	f->mounts_src = xstrdup(src);
	while ((line = next_line(buf, len, &pos)) != NULL) {
		cleanup_free char *l = line;
		char *fld[6], *save = NULL, *tok, *fstype, *source;
		struct hr_audit_mount *m;
		size_t k = 0;

		lineno++;
		if (*l == '\0')
			continue;
		/* id parent maj:min root mountpoint options [optional…] - fstype source superopts */
		for (tok = strtok_r(l, " ", &save); tok && k < 6; tok = strtok_r(NULL, " ", &save))
			fld[k++] = tok;
		while (tok && strcmp(tok, "-") != 0)
			tok = strtok_r(NULL, " ", &save);
		fstype = tok ? strtok_r(NULL, " ", &save) : NULL;
		source = fstype ? strtok_r(NULL, " ", &save) : NULL;
		if (k < 6 || fstype == NULL)
			return hr_fail(err, 0, "`%s`: line %zu: malformed mount entry", src, lineno);
		unescape_octal(fld[3]);
		unescape_octal(fld[4]);
		f->mounts = xrealloc(f->mounts, (f->n_mounts + 1) * sizeof(*f->mounts));
		m = &f->mounts[f->n_mounts++];
		memset(m, 0, sizeof(*m));
		m->root = xstrdup(fld[3]);
		m->target = xstrdup(fld[4]);
		m->opts = xstrdup(fld[5]);
		m->fstype = xstrdup(fstype);
		if (source) {
			unescape_octal(source);
			m->source = xstrdup(source);
		}
		m->ro = has_opt(fld[5], "ro");
		m->nosuid = has_opt(fld[5], "nosuid");
		m->nodev = has_opt(fld[5], "nodev");
	}
	f->has_mounts = true;
	return 0;
}

bool hr_audit_secret_name(const char *name, size_t len)
{
	static const char *const pats[] = {"PASSWORD",	 "PASSWD",   "SECRET",	    "TOKEN",
					   "API_KEY",	 "APIKEY",   "PRIVATE_KEY", "ACCESS_KEY",
					   "CREDENTIAL", "AUTH_KEY", "SESSION_KEY", "CLIENT_KEY"};
	char up[256];

	if (len >= sizeof(up))
		len = sizeof(up) - 1;
	for (size_t i = 0; i < len; i++)
		up[i] = (char)toupper((unsigned char)name[i]);
	up[len] = '\0';
	for (size_t i = 0; i < HR_ARRAY_SIZE(pats); i++)
		if (strstr(up, pats[i]))
			return true;
	return false;
}

void hr_audit_parse_environ(const char *buf, size_t len, const char *src, struct hr_audit_facts *f)
{
	size_t n = 0;
	char text[64];

	hr_strv_free(f->secret_names);
	f->secret_names = NULL;
	for (size_t pos = 0; pos < len;) {
		const char *entry = buf + pos, *nul = memchr(entry, '\0', len - pos), *eq;
		size_t elen = nul ? (size_t)(nul - entry) : len - pos;

		pos += elen + 1;
		if (elen == 0)
			continue;
		n++;
		eq = memchr(entry, '=', elen);
		/* the name only: the value never leaves this loop */
		if (hr_audit_secret_name(entry, eq ? (size_t)(eq - entry) : elen)) {
			char *name = xstrndup(entry, eq ? (size_t)(eq - entry) : elen);

			hr_strv_push(&f->secret_names, name);
			free(name);
		}
	}
	snprintf(text, sizeof(text), "%zu variables", n);
	hr_audit_value_set(&f->env, "environment", text, src, n);
}

bool hr_audit_remote_daemon(const char *comm)
{
	static const char *const names[] = {"sshd",	  "dropbear", "xrdp",	    "xrdp-sesman", "telnetd",
					    "in.telnetd", "Xvnc",     "x11vnc",	    "vncserver",   "rshd",
					    "in.rshd",	  "rlogind",  "in.rlogind", "tinysshd",	   "teleport"};

	for (size_t i = 0; i < HR_ARRAY_SIZE(names); i++)
		if (strcmp(comm, names[i]) == 0)
			return true;
	return false;
}

bool hr_audit_engine_socket(const char *path)
{
	static const char *const names[] = {"docker.sock", "containerd.sock", "podman.sock", "crio.sock",
					    "dockershim.sock"};
	const char *base;

	if (path == NULL)
		return false;
	base = strrchr(path, '/');
	base = base ? base + 1 : path;
	for (size_t i = 0; i < HR_ARRAY_SIZE(names); i++)
		if (strcmp(base, names[i]) == 0)
			return true;
	return false;
}

static int get_string(json_t *o, const char *key, const char *file, size_t idx, bool indexed, char **out,
		      struct hr_err **err)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_string(v)) {
		if (indexed)
			return hr_fail(err, 0, "%s: [%zu].%s: expected string", file, idx, key);
		return hr_fail(err, 0, "%s: %s: expected string", file, key);
	}
	*out = xstrdup(json_string_value(v));
	return 0;
}

int hr_audit_parse_decisions(const char *buf, size_t len, struct hr_audit_facts *f, struct hr_err **err)
{
	static const char *const actions[] = {"kept", "tightened", "added", "refused"};
	json_error_t je;
	json_t *root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &je), *e;
	size_t i, before = f->n_decisions;
	int rc = 0;

	if (root == NULL)
		return hr_fail(err, 0, "decisions.json:%d:%d: %s", je.line, je.column, je.text);
	if (!json_is_array(root)) {
		json_decref(root);
		return hr_fail(err, 0, "decisions.json: expected an array");
	}
	f->decisions = xrealloc(f->decisions, (before + json_array_size(root) + 1) * sizeof(*f->decisions));
	memset(f->decisions + before, 0, (json_array_size(root) + 1) * sizeof(*f->decisions));
	json_array_foreach(root, i, e)
	{
		struct hr_audit_decision *d = &f->decisions[f->n_decisions];
		bool known = false;

		if (!json_is_object(e)) {
			rc = hr_fail(err, 0, "decisions.json: [%zu]: expected object", i);
			break;
		}
		f->n_decisions++;
		if (get_string(e, "control", "decisions.json", i, true, &d->control, err) < 0 ||
		    get_string(e, "action", "decisions.json", i, true, &d->action, err) < 0 ||
		    get_string(e, "detail", "decisions.json", i, true, &d->detail, err) < 0) {
			rc = -1;
			break;
		}
		for (size_t k = 0; k < HR_ARRAY_SIZE(actions); k++)
			known = known || strcmp(d->action, actions[k]) == 0;
		if (!known) {
			rc = hr_fail(err, 0,
				     "decisions.json: [%zu].action: `%s`: expected kept, tightened, added or refused",
				     i, d->action);
			break;
		}
	}
	json_decref(root);
	if (rc < 0) {
		/* all or nothing: a half-read list must not reach the evaluation */
		for (size_t k = before; k < f->n_decisions; k++) {
			free(f->decisions[k].control);
			free(f->decisions[k].action);
			free(f->decisions[k].detail);
		}
		f->n_decisions = before;
	}
	return rc;
}

int hr_audit_parse_tainted(const char *buf, size_t len, struct hr_audit_facts *f, struct hr_err **err)
{
	json_error_t je;
	json_t *root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &je);
	cleanup_free char *time = NULL;
	cleanup_free char *argv0 = NULL;
	cleanup_free char *text = NULL;
	int rc;

	if (root == NULL)
		return hr_fail(err, 0, "tainted:%d:%d: %s", je.line, je.column, je.text);
	if (!json_is_object(root))
		rc = hr_fail(err, 0, "tainted: expected an object");
	else
		rc = get_string(root, "time", "tainted", 0, false, &time, err) < 0 ||
				     get_string(root, "argv0", "tainted", 0, false, &argv0, err) < 0
			     ? -1
			     : 0;
	json_decref(root);
	if (rc < 0)
		return -1;
	text = xasprintf("exec of `%s` at %s", argv0, time);
	hr_audit_value_set(&f->tainted, "tainted", text, "the state dir", 1);
	return 0;
}
