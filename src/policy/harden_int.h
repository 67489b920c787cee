/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Internal to src/policy: what the harden rows share.  harden.c owns the
 * decision record (hd_decide, hd_refuse, hd_tighten, hd_exempt), the JSON
 * and path helpers and the order of the rows; harden_access.c,
 * harden_fs.c, harden_limits.c and harden_lsm.c hold the rows.
 */
#ifndef HARDRUN_POLICY_HARDEN_INT_H
#define HARDRUN_POLICY_HARDEN_INT_H

#include <jansson.h>
#include <stdbool.h>

#include "hardrun/compiler.h"
#include "hardrun/harden.h"

struct hctx {
	const struct hr_policy *p;
	const struct hr_harden_ctx *c;
	json_t *cfg;
	const char *name; /* container name for exemption globs, may be NULL */
	json_t *ann;	  /* config annotations (borrowed, may be NULL) */
	struct hr_decisions *out;
	struct hr_err **err;
};

void hd_decide(struct hctx *h, const char *control, enum hr_decision_action a, const char *fmt, ...) HR_PRINTF(4, 5);
int hd_refuse(struct hctx *h, const char *control, const char *fmt, ...) HR_PRINTF(3, 4);
int hd_tighten(struct hctx *h, const char *control, const char *fmt, ...) HR_PRINTF(3, 4);
bool hd_exempt(struct hctx *h, const char *control);
json_t *hd_child(json_t *obj, const char *key);
int hd_bad_type(struct hctx *h, const char *path, const char *what);
bool hd_strv_has(json_t *arr, const char *s);
void hd_strv_remove(json_t *arr, const char *s);
char *hd_join(json_t *arr);
char *hd_clean_path(const char *path);
bool hd_is_bind(json_t *m);
const char *hd_source_refused(const struct hr_policy *p, const char *src);
const char *hd_container_name(json_t *ann);
int hd_cut_caps(struct hctx *h, json_t *proc, const char *where);
bool hd_has_namespace(json_t *cfg, const char *type);
void hd_set_annotation(struct hctx *h, const char *key, const char *value);

/* The rows, one per line of DESIGN.md's table of secure defaults; hr_harden holds their order. */
int hd_row_restart(struct hctx *h);
int hd_row_privileged(struct hctx *h);
int hd_row_host_namespaces(struct hctx *h);
int hd_row_root_user(struct hctx *h);
int hd_row_binds(struct hctx *h);
int hd_row_nnp(struct hctx *h);
int hd_row_caps(struct hctx *h);
int hd_row_userns(struct hctx *h);
int hd_row_rootfs(struct hctx *h);
int hd_row_setuid(struct hctx *h);
int hd_row_masked(struct hctx *h);
int hd_row_resources(struct hctx *h);
int hd_row_seccomp(struct hctx *h);
int hd_row_seccomp_specific(struct hctx *h);
int hd_row_apparmor(struct hctx *h);

#endif
