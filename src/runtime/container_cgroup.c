/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The cgroup side of create: apply the spec's resources, refuse limits when
 * there is no cgroup (--cgroup-manager disabled), record where the cgroup is.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <linux/capability.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bpfcache.h"
#include "container.h"
#include "exitwatch.h"
#include "fault.h"
#include "hardrun/apparmor.h"
#include "hardrun/cgroup.h"
#include "hardrun/init.h"
#include "hardrun/log.h"
#include "hardrun/policy.h"
#include "hardrun/seccomp.h"
#include "learn.h"
#include "hardrun/selinux.h"
#include "hardrun/state.h"
#include "hardrun/strutil.h"
#include "hardrun/sync.h"
#include "intent.h"
#include "policyrt.h"
#include "sdscope.h"
#include "statedir.h"

bool has_cgroup_mount(const struct hr_spec *spec)
{
	for (size_t i = 0; i < spec->n_mounts; i++)
		if (spec->mounts[i].type &&
		    (strcmp(spec->mounts[i].type, "cgroup") == 0 || strcmp(spec->mounts[i].type, "cgroup2") == 0))
			return true;
	return false;
}

/*
 * The config's limits plus, after its device rules, the devices the
 * container needs whatever they say, as runc appends them: the nodes the
 * runtime itself creates, the pty multiplexer and the ptys (docker exec -t),
 * and every linux.devices node.  runc's tun and mknod wildcards are left out.
 */
int apply_resources(struct hr_cgroup *cg, const struct hr_spec *spec, struct hr_err **err)
{
	static const struct {
		int64_t major, minor;
	} defaults[] = {{1, 3}, {1, 5}, {1, 7}, {1, 8}, {1, 9}, {5, 0}, {5, 2}, {136, -1}};
	struct hr_resources res = spec->lnx.resources;
	cleanup_free struct hr_device_rule *rules = NULL;
	size_t n = res.n_devices;
	int r;

	if (res.n_devices == 0)
		return hr_cgroup_apply(cg, &res, err);
	rules = xcalloc(n + HR_ARRAY_SIZE(defaults) + spec->lnx.n_devices, sizeof(*rules));
	memcpy(rules, res.devices, n * sizeof(*rules));
	for (size_t i = 0; i < HR_ARRAY_SIZE(defaults); i++)
		rules[n++] = (struct hr_device_rule){.allow = true,
						     .type = 'c',
						     .major = defaults[i].major,
						     .minor = defaults[i].minor,
						     .access = "rwm"};
	for (size_t i = 0; i < spec->lnx.n_devices; i++) {
		const struct hr_device *d = &spec->lnx.devices[i];

		if (d->type == 'p')
			continue;
		rules[n++] = (struct hr_device_rule){.allow = true,
						     .type = d->type == 'b' ? 'b' : 'c',
						     .major = d->major,
						     .minor = d->minor,
						     .access = "rwm"};
	}
	res.devices = rules;
	res.n_devices = n;
	r = hr_cgroup_apply(cg, &res, err);
	return r;
}

/*
 * --cgroup-manager disabled (podman --cgroups=disabled): limits cannot be
 * applied without a cgroup, so asking for one is an error.  Device rules are
 * kept only when the container cannot make device nodes (no CAP_MKNOD, or a
 * user namespace): then the nodes hardrun creates are all it can open,
 * which is what the rules would allow.
 */
/*
 * The policy's decision that added the field at `path` (a decision detail
 * "linux.resources.memory.limit 268435456" adds linux.resources.memory), or
 * NULL: the bundle asked for it itself, which a kept or tightened value
 * under the same path shows.
 */
static json_t *policy_added(const json_t *decisions, const char *path)
{
	size_t i, n = strlen(path);
	json_t *d, *added = NULL;

	json_array_foreach(decisions, i, d)
	{
		const char *detail = json_string_value(json_object_get(d, "detail"));
		const char *action = json_string_value(json_object_get(d, "action"));

		if (!detail || !action || strncmp(detail, path, n) != 0 ||
		    (detail[n] != '.' && detail[n] != ' ' && detail[n] != '\0'))
			continue;
		if (strcmp(action, "added") != 0)
			return NULL;
		if (!added)
			added = d;
	}
	return added;
}

int check_no_cgroup(const struct hr_spec *spec, const struct hr_hardened *hard, const char *id, struct hr_err **err)
{
	const struct hr_resources *r = &spec->lnx.resources;
	const char *what = NULL;

	if (r->has_memory)
		what = "memory";
	else if (r->has_cpu)
		what = "cpu";
	else if (r->has_pids)
		what = "pids";
	else if (r->has_blkio)
		what = "blockIO";
	else if (r->n_hugepage_limits)
		what = "hugepageLimits";
	else if (r->has_net_class_id || r->n_net_priorities)
		what = "network";
	else if (r->n_unified)
		what = "unified";
	if (what) {
		cleanup_free char *path = xasprintf("linux.resources.%s", what);
		json_t *d = policy_added(hard->decisions, path);

		/* the user asked for no limit: say that the policy requires it, and how to exempt */
		if (d)
			return hr_fail(err, 0,
				       "config.json: %s: cannot be applied with --cgroup-manager disabled: the policy "
				       "(level %d, control %s) added %s; exempt the container in `%s`: "
				       "\"exemptions\": [{\"id\": \"%s\", \"controls\": [\"%s\"]}]",
				       path, hard->level, json_string_value(json_object_get(d, "control")),
				       json_string_value(json_object_get(d, "detail")), hard->policy_file, id,
				       json_string_value(json_object_get(d, "control")));
		return hr_fail(err, 0, "config.json: %s: cannot be applied with --cgroup-manager disabled", path);
	}
	/* the kernel refuses device nodes made in a user namespace whatever its capabilities */
	if (r->n_devices && spec->process->has_capabilities && (spec->process->caps.bounding >> CAP_MKNOD) & 1 &&
	    !spec->lnx.namespaces[HR_NS_USER].present)
		return hr_fail(
			err, 0,
			"config.json: linux.resources.devices: cannot be enforced with --cgroup-manager disabled "
			"while CAP_MKNOD is in the bounding set");
	return 0;
}

/*
 * The cgroup in the intent record before it is made: its path, and each
 * directory that does not exist yet (a parent, or the container's leaf),
 * in one write.  A leaf that exists already is not ours and is not named.
 */
int record_cgroup(int dir_fd, const struct hr_cgroup *cg, const char *path, struct hr_err **err)
{
	char **dirs = NULL;
	bool *leaf = NULL;
	size_t n = 0, len = 0;
	cleanup_free char *text = NULL;
	int r = 0;

	if (strchr(path, '\n'))
		return hr_fail(err, EINVAL, "linux.cgroupsPath: a newline cannot be recorded");
	if (hr_cgroup_plan_dirs(cg, &dirs, &leaf, &n) < 0)
		r = hr_fail(err, errno, "cgroup `%s`: examine its directories", path);
	text = xasprintf("cgroup %s\n", path);
	len = strlen(text);
	for (size_t i = 0; i < n; i++) {
		cleanup_free char *line = xasprintf("%s %s\n", leaf[i] ? "cgleaf" : "cgdir", dirs[i]);

		if (strchr(dirs[i], '\n'))
			r = hr_fail(err, EINVAL, "cgroup `%s`: a newline cannot be recorded", dirs[i]);
		text = xrealloc(text, len + strlen(line) + 1);
		memcpy(text + len, line, strlen(line) + 1);
		len += strlen(line);
		free(dirs[i]);
	}
	free(dirs);
	free(leaf);
	if (r < 0)
		return -1;
	return hr_intent_add_lines(dir_fd, text, len, err);
}
