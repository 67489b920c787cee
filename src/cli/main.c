/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Entry point; the runc-compatible command table lands in the next commit. */
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--version") == 0) {
		printf("hardrun version %s\n", HR_VERSION);
		return 0;
	}
	fprintf(stderr, "hardrun: no command given\n");
	return 1;
}
