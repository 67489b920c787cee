/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The man page cannot drift from the CLI: every long option in a
 * `struct option` table under src/cli must appear in man/hardrun.8 as
 * `Fl -name`.  Fails when no option table is found at all.
 */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hardrun/strutil.h"

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "re");
	char *buf;
	long n;

	ck_assert_msg(f != NULL, "open %s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = xmalloc((size_t)n + 1);
	ck_assert_int_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

START_TEST(every_option_documented)
{
	cleanup_free char *man = slurp(HR_SOURCE_DIR "/man/hardrun.8");
	DIR *d = opendir(HR_SOURCE_DIR "/src/cli");
	struct dirent *e;
	int found = 0, missing = 0;

	ck_assert_ptr_nonnull(d);
	while ((e = readdir(d)) != NULL) {
		cleanup_free char *path = NULL;
		cleanup_free char *src = NULL;
		char *p;

		if (!hr_str_has_suffix(e->d_name, ".c"))
			continue;
		path = xasprintf("%s/src/cli/%s", HR_SOURCE_DIR, e->d_name);
		src = slurp(path);
		/* inside each "struct option NAME[] = { ... };" take the {"name", entries (clang-format style) */
		for (p = strstr(src, "struct option "); p; p = strstr(p + 1, "struct option ")) {
			char *end = strstr(p, "};");

			for (char *q = strstr(p, "{\""); q && end && q < end; q = strstr(q + 1, "{\"")) {
				char name[64], needle[80];
				char *close = strchr(q + 2, '"');

				if (!close || close - (q + 2) >= (long)sizeof(name))
					continue;
				memcpy(name, q + 2, (size_t)(close - (q + 2)));
				name[close - (q + 2)] = '\0';
				found++;
				snprintf(needle, sizeof(needle), "Fl -%s", name);
				if (!strstr(man, needle)) {
					fprintf(stderr, "man/hardrun.8 lacks `%s` (%s)\n", needle, e->d_name);
					missing++;
				}
			}
		}
	}
	closedir(d);
	ck_assert_msg(found >= 20, "only %d options found in src/cli: the extraction is broken", found);
	ck_assert_msg(missing == 0, "%d options undocumented", missing);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("manpage");
	TCase *tc = tcase_create("manpage");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, every_option_documented);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
