/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ps, pause/resume, update and events against a running container, seen in its cgroup files. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bundle.h"

#define RUN(b, ...) hb_run(b, 30, __VA_ARGS__, NULL)

static char *cg_file(const char *ctrl, const char *id, const char *file)
{
	char p[512], *buf = calloc(1, 128);
	FILE *f;

	snprintf(p, sizeof(p), "/sys/fs/cgroup/%s/%s/%s", ctrl, id, file);
	f = fopen(p, "re");
	ck_assert_msg(f != NULL, "missing %s", p);
	ck_assert_ptr_nonnull(fgets(buf, 127, f));
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	return buf;
}

START_TEST(ps_pause_resume_update)
{
	struct hb b;
	struct hb_result r;
	char res[400], pid[32], want[48];
	char *v;

	if (access("/sys/fs/cgroup/freezer", F_OK) != 0 || access("/sys/fs/cgroup/memory", F_OK) != 0)
		return; /* cgroup v1 layout checks; v2 is covered by check_cgroup_k */
	hb_new(&b);
	hb_set_args(&b, "/probe", "sleep", "60", NULL);
	r = RUN(&b, "run", "--detach", "--bundle", b.dir, b.id);
	ck_assert_msg(r.status == 0, "%s", r.err);
	hb_result_free(&r);
	r = RUN(&b, "state", b.id);
	snprintf(pid, sizeof(pid), "%d", atoi(strstr(r.out, "\"pid\": ") + 7));
	hb_result_free(&r);

	/* docker top / ctr task ps: a JSON array of host pids */
	r = RUN(&b, "ps", "--format", "json", b.id);
	snprintf(want, sizeof(want), "[%s]\n", pid);
	ck_assert_str_eq(r.out, want);
	hb_result_free(&r);

	r = RUN(&b, "pause", b.id);
	ck_assert_msg(r.status == 0, "%s", r.err);
	hb_result_free(&r);
	r = RUN(&b, "state", b.id);
	ck_assert_ptr_nonnull(strstr(r.out, "\"status\": \"paused\""));
	hb_result_free(&r);
	v = cg_file("freezer", b.id, "freezer.state");
	ck_assert_str_eq(v, "FROZEN");
	free(v);
	r = RUN(&b, "pause", b.id);
	ck_assert_int_eq(r.status, 1);
	hb_result_free(&r);
	r = RUN(&b, "resume", b.id);
	ck_assert_msg(r.status == 0, "%s", r.err);
	hb_result_free(&r);
	r = RUN(&b, "state", b.id);
	ck_assert_ptr_nonnull(strstr(r.out, "\"status\": \"running\""));
	hb_result_free(&r);

	/* docker update: LinuxResources JSON (here from a file; "-" is stdin) */
	snprintf(res, sizeof(res), "%s/res.json", b.dir);
	hb_write_file(&b, "res.json",
		      "{\"memory\":{\"limit\":104857600,\"swap\":104857600},\"pids\":{\"limit\":50},"
		      "\"blockIO\":{\"weight\":0}}",
		      0644);
	r = RUN(&b, "update", "--resources", res, b.id);
	ck_assert_msg(r.status == 0, "%s", r.err);
	hb_result_free(&r);
	v = cg_file("memory", b.id, "memory.limit_in_bytes");
	ck_assert_str_eq(v, "104857600");
	free(v);
	v = cg_file("pids", b.id, "pids.max");
	ck_assert_str_eq(v, "50");
	free(v);
	r = RUN(&b, "update", "--memory", "50m", "--pids-limit", "30", "--cpu-share", "300", b.id);
	ck_assert_msg(r.status == 0, "%s", r.err);
	hb_result_free(&r);
	v = cg_file("memory", b.id, "memory.limit_in_bytes");
	ck_assert_str_eq(v, "52428800");
	free(v);
	v = cg_file("pids", b.id, "pids.max");
	ck_assert_str_eq(v, "30");
	free(v);
	v = cg_file("cpu", b.id, "cpu.shares");
	ck_assert_str_eq(v, "300");
	free(v);
	/* invalid resources: one line naming the field, nothing changed */
	hb_write_file(&b, "bad.json", "{\"pids\":{\"limit\":\"x\"}}", 0644);
	snprintf(res, sizeof(res), "%s/bad.json", b.dir);
	r = RUN(&b, "update", "--resources", res, b.id);
	ck_assert_int_eq(r.status, 1);
	if (hb_is_hardrun())
		ck_assert_msg(hb_lines(r.err) == 1 && strstr(r.err, "pids.limit: expected integer"), "%s", r.err);
	hb_result_free(&r);
	v = cg_file("pids", b.id, "pids.max");
	ck_assert_str_eq(v, "30");
	free(v);
	hb_finish(&b);
}
END_TEST

/*
 * events: --stats gives one runc-shaped stats line with the container's
 * limits; the stream reports the OOM kill of a workload past its memory
 * limit and ends when the container has stopped.
 */
START_TEST(events_stats_and_oom)
{
	struct hb b;
	struct hb_result r;
	json_t *ev, *data;
	json_error_t je;

	if (access("/sys/fs/cgroup/memory", F_OK) != 0)
		return;
	hb_new(&b);
	json_object_set_new(json_object_get(b.config, "linux"), "resources",
			    json_pack("{s:{s:i, s:i}, s:{s:i}}", "memory", "limit", 33554432, "swap", 33554432, "pids",
				      "limit", 20));
	hb_set_args(&b, "/bin/sh", "-c", "/probe sleep 1; /probe alloc 128", NULL);
	r = RUN(&b, "run", "--detach", "--bundle", b.dir, b.id);
	ck_assert_msg(r.status == 0, "%s", r.err);
	hb_result_free(&r);
	r = RUN(&b, "events", "--stats", b.id);
	ck_assert_msg(r.status == 0, "%s", r.err);
	ck_assert_int_eq(hb_lines(r.out), 1);
	ev = json_loads(r.out, 0, &je);
	ck_assert_msg(ev != NULL, "not JSON: %s", r.out);
	ck_assert_str_eq(json_string_value(json_object_get(ev, "type")), "stats");
	ck_assert_str_eq(json_string_value(json_object_get(ev, "id")), b.id);
	data = json_object_get(ev, "data");
	ck_assert_int_eq(
		json_integer_value(json_object_get(json_object_get(json_object_get(data, "memory"), "usage"), "limit")),
		33554432);
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(data, "pids"), "limit")), 20);
	ck_assert_int_ge(json_integer_value(json_object_get(json_object_get(data, "pids"), "current")), 1);
	json_decref(ev);
	hb_result_free(&r);
	/* the stream: stats lines, then the OOM kill, then the end of the container */
	r = RUN(&b, "events", "--interval", "200ms", b.id);
	ck_assert_msg(r.status == 0, "%s", r.err);
	ck_assert_msg(strstr(r.out, "{\"type\":\"stats\",\"id\":\"") == r.out, "%s", r.out);
	ck_assert_msg(strstr(r.out, "{\"type\":\"oom\",\"id\":\"") != NULL, "no oom event: %s", r.out);
	hb_result_free(&r);
	/* CRIU is not driven: a clear refusal */
	r = RUN(&b, "checkpoint", "--image-path", "/tmp/x", "--leave-running", b.id);
	ck_assert_int_ne(r.status, 0);
	if (hb_is_hardrun())
		ck_assert_str_eq(r.err, "hardrun: checkpoint: not supported by hardrun (no CRIU support)\n");
	hb_result_free(&r);
	hb_finish(&b);
}
END_TEST

int main(void)
{
	const TTest *const tests[] = {
		ps_pause_resume_update,
		events_stats_and_oom,
		NULL,
	};

	return hb_main("manage", 120, tests);
}
