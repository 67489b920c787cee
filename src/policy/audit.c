/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The audit report: facts → one row per control of the CSVS table (the
 * level decides whether a violation is FAIL or WARN), the exit rule, and
 * the text and JSON renderers.  Pure: the facts come from the runtime; their
 * values and lifetime are audit_facts.c's.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "audit_int.h"
#include "hardrun/strutil.h"

static const char *const status_names[] = {
	[HR_AUDIT_PASS] = "PASS",
	[HR_AUDIT_FAIL] = "FAIL",
	[HR_AUDIT_WARN] = "WARN",
	[HR_AUDIT_NA] = "N/A",
};

const char *hr_audit_status_name(enum hr_audit_status s)
{
	if ((size_t)s >= HR_ARRAY_SIZE(status_names))
		return "?";
	return status_names[s];
}

struct hr_audit_report *hr_audit_evaluate(const struct hr_audit_facts *f, int level, struct hr_err **err)
{
	struct hr_audit_report *r;
	const struct hr_csvs_control *t;
	size_t n;

	if (level < HR_AUDIT_LEVEL_MIN || level > HR_AUDIT_LEVEL_MAX) {
		hr_fail(err, 0, "level `%d`: expected 1, 2 or 3", level);
		return NULL;
	}
	t = hr_csvs_table(&n);
	r = xzalloc(sizeof(*r));
	r->subject = xstrdup(f->subject ? f->subject : "");
	r->level = level;
	r->rows = xcalloc(n, sizeof(*r->rows));
	r->n_rows = n;
	r->pass = true;
	for (size_t i = 0; i < n; i++) {
		struct hr_audit_verdict v = {.raw = HR_RAW_PASS};
		struct hr_audit_row *row = &r->rows[i];

		t[i].eval(f, &v);
		for (size_t k = 0; k < f->n_decisions; k++)
			if (hr_csvs_for_decision(f->decisions[k].control) == &t[i])
				hr_audit_ev(&v, "policy %s: %s", f->decisions[k].action, f->decisions[k].detail);
		row->ctl = &t[i];
		row->evidence = v.evidence ? v.evidence : xstrdup("");
		switch (v.raw) {
		case HR_RAW_PASS:
			row->status = HR_AUDIT_PASS;
			break;
		case HR_RAW_VIOLATED:
			row->status = t[i].level <= level ? HR_AUDIT_FAIL : HR_AUDIT_WARN;
			break;
		case HR_RAW_WARN:
			row->status = HR_AUDIT_WARN;
			break;
		case HR_RAW_NA:
			row->status = HR_AUDIT_NA;
			break;
		}
		if (row->status == HR_AUDIT_FAIL)
			r->pass = false;
	}
	for (size_t k = 0; k < f->n_decisions; k++) {
		const struct hr_audit_decision *d = &f->decisions[k];

		if (hr_csvs_for_decision(d->control) == NULL) {
			cleanup_free char *line = xasprintf("%s %s: %s", d->control, d->action, d->detail);

			hr_strv_push(&r->other_decisions, line);
		}
	}
	return r;
}

void hr_audit_report_free(struct hr_audit_report *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < r->n_rows; i++)
		free(r->rows[i].evidence);
	free(r->rows);
	free(r->subject);
	hr_strv_free(r->other_decisions);
	free(r);
}

/*
 * Evidence quotes what a container controls (mount paths, comm, label), so
 * the text report shows control characters as '?': a newline in a mount
 * path must not forge a row.
 */
static void put_clean(FILE *out, const char *s)
{
	for (; *s; s++)
		fputc((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s, out);
}

/* JSON needs UTF-8: a string that is not becomes ASCII with '?' for every other byte. */
static json_t *json_str(const char *s)
{
	json_t *j = json_string(s);
	char *copy;

	if (j)
		return j;
	copy = xstrdup(s);
	for (char *p = copy; *p; p++)
		if ((unsigned char)*p >= 0x80)
			*p = '?';
	j = json_string(copy);
	free(copy);
	return j;
}

void hr_audit_render_text(const struct hr_audit_report *r, FILE *out)
{
	int wid = 7, wtitle = 5;
	size_t fails = 0, required = 0;

	for (size_t i = 0; i < r->n_rows; i++) {
		int a = (int)strlen(r->rows[i].ctl->id), b = (int)strlen(r->rows[i].ctl->title);

		wid = a > wid ? a : wid;
		wtitle = b > wtitle ? b : wtitle;
		if (r->rows[i].ctl->level <= r->level)
			required++;
		if (r->rows[i].status == HR_AUDIT_FAIL)
			fails++;
	}
	fputs("audit of `", out);
	put_clean(out, r->subject);
	fprintf(out, "` at level %d: %s (%zu of %zu required controls fail)\n", r->level, r->pass ? "PASS" : "FAIL",
		fails, required);
	fprintf(out, "%-*s  %-5s  %-6s  %-*s  %s\n", wid, "CONTROL", "LEVEL", "STATUS", wtitle, "TITLE", "EVIDENCE");
	for (size_t i = 0; i < r->n_rows; i++) {
		const struct hr_audit_row *row = &r->rows[i];

		fprintf(out, "%-*s  L%-4d  %-6s  %-*s  ", wid, row->ctl->id, row->ctl->level,
			hr_audit_status_name(row->status), wtitle, row->ctl->title);
		put_clean(out, row->evidence);
		fputc('\n', out);
	}
	for (char **d = r->other_decisions; d && *d; d++) {
		fputs("policy: ", out);
		put_clean(out, *d);
		fputc('\n', out);
	}
}

char *hr_audit_render_json(const struct hr_audit_report *r)
{
	json_t *o = json_object(), *rows = json_array();
	char *s, *res;

	json_object_set_new(o, "id", json_str(r->subject));
	json_object_set_new(o, "level", json_integer(r->level));
	json_object_set_new(o, "pass", json_boolean(r->pass));
	for (size_t i = 0; i < r->n_rows; i++) {
		const struct hr_audit_row *row = &r->rows[i];
		json_t *c = json_object();

		json_object_set_new(c, "control", json_string(row->ctl->id));
		json_object_set_new(c, "level", json_integer(row->ctl->level));
		json_object_set_new(c, "title", json_string(row->ctl->title));
		json_object_set_new(c, "status", json_string(hr_audit_status_name(row->status)));
		json_object_set_new(c, "evidence", json_str(row->evidence));
		json_array_append_new(rows, c);
	}
	json_object_set_new(o, "controls", rows);
	if (r->other_decisions) {
		json_t *d = json_array();

		for (char **p = r->other_decisions; *p; p++)
			json_array_append_new(d, json_str(*p));
		json_object_set_new(o, "decisions", d);
	}
	s = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(o);
	if (s == NULL)
		abort();
	res = xasprintf("%s\n", s);
	free(s);
	return res;
}
