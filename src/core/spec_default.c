/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The config.json `hardrun spec` writes: runc's example config (runc spec / crun spec agree). */
#include <jansson.h>

#include "hardrun/spec.h"

json_t *hr_spec_default_json(void)
{
	json_t *caps = json_pack("[s,s,s]", "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE");

	json_t *spec = json_pack(
		"{s:s, s:{s:b, s:{s:i, s:i}, s:[s], s:[s,s], s:s, s:{s:O, s:O, s:O}, s:[{s:s, s:i, s:i}], s:b}, "
		"s:{s:s, s:b}, s:s, "
		"s:[{s:s, s:s, s:s}, {s:s, s:s, s:s, s:[s,s,s,s]}, {s:s, s:s, s:s, s:[s,s,s,s,s,s]}, "
		"{s:s, s:s, s:s, s:[s,s,s,s,s]}, {s:s, s:s, s:s, s:[s,s,s]}, {s:s, s:s, s:s, s:[s,s,s,s]}, "
		"{s:s, s:s, s:s, s:[s,s,s,s,s]}], "
		"s:{s:{s:[{s:b, s:s}]}, s:[{s:s}, {s:s}, {s:s}, {s:s}, {s:s}], s:[s,s,s,s,s,s,s,s,s,s], "
		"s:[s,s,s,s,s]}}",
		"ociVersion", "1.0.2", "process", "terminal", 1, "user", "uid", 0, "gid", 0, "args", "sh", "env",
		"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm", "cwd", "/",
		"capabilities", "bounding", caps, "effective", caps, "permitted", caps, "rlimits", "type",
		"RLIMIT_NOFILE", "hard", 1024, "soft", 1024, "noNewPrivileges", 1, "root", "path", "rootfs", "readonly",
		1, "hostname", "hardrun", "mounts", "destination", "/proc", "type", "proc", "source", "proc",
		"destination", "/dev", "type", "tmpfs", "source", "tmpfs", "options", "nosuid", "strictatime",
		"mode=755", "size=65536k", "destination", "/dev/pts", "type", "devpts", "source", "devpts", "options",
		"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5", "destination", "/dev/shm",
		"type", "tmpfs", "source", "shm", "options", "nosuid", "noexec", "nodev", "mode=1777", "size=65536k",
		"destination", "/dev/mqueue", "type", "mqueue", "source", "mqueue", "options", "nosuid", "noexec",
		"nodev", "destination", "/sys", "type", "sysfs", "source", "sysfs", "options", "nosuid", "noexec",
		"nodev", "ro", "destination", "/sys/fs/cgroup", "type", "cgroup", "source", "cgroup", "options",
		"nosuid", "noexec", "nodev", "relatime", "ro", "linux", "resources", "devices", "allow", 0, "access",
		"rwm", "namespaces", "type", "pid", "type", "network", "type", "ipc", "type", "uts", "type", "mount",
		"maskedPaths", "/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
		"/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware", "/proc/scsi",
		"readonlyPaths", "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger");

	json_decref(caps); /* the "O" conversions took their own references */
	return spec;
}
