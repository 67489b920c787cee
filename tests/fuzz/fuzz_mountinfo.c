/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A mountinfo line → its fields → the overlay layers of its super options
 * (with its mount point, as the rootfs rebuild calls it); the bytes as
 * super options alone too, against dockerd's layout.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hardrun/mountinfo.h"
#include "hardrun/strutil.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = xstrndup((const char *)data, size);
	struct hr_mountinfo mi;
	struct hr_overlay_layers o;
	struct hr_err *err = NULL;

	if (hr_mountinfo_parse_line(s, &mi) == 0) {
		if (hr_overlay_layers_parse(mi.super_opts, mi.mount_point, &o, &err) == 0)
			hr_overlay_layers_clear(&o);
		hr_err_free(&err);
	}
	hr_mountinfo_clear(&mi);
	if (hr_overlay_layers_parse(s, "/var/lib/docker/overlay2/c0ffee/merged", &o, &err) == 0)
		hr_overlay_layers_clear(&o);
	hr_err_free(&err);
	free(s);
	return 0;
}
