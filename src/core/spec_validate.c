/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Cross-field checks that need the whole config, after parsing.  Messages
 * use the parser's format, "config.json: <path>: <reason>":
 *   linux.uidMappings: requires a user namespace
 *   linux.namespaces: a new user namespace needs uidMappings and gidMappings
 *   mounts[N].options: idmap on bind mounts only, with a user namespace or the mount's own mappings
 *   linux.sysctl."K": needs a network|ipc|uts namespace
 *   linux.sysctl."K": not namespaced, refused
 *   hostname: requires a uts namespace   (likewise domainname)
 *   linux.timeOffsets: requires a new time namespace
 *   process.consoleSize: requires process.terminal
 *   annotations."org.hardrun.rootfs.idmap": requires a user namespace with uidMappings and gidMappings
 *   process.user.umask / additionalGids … are checked by the parser.
 */
#include <string.h>

#include "hardrun/spec.h"
#include "hardrun/strutil.h"

static bool ns_new(const struct hr_linux *lx, enum hr_ns_type t)
{
	return lx->namespaces[t].present && lx->namespaces[t].path == NULL;
}

static int check_sysctl(const struct hr_linux *lx, const char *key, struct hr_err **err)
{
	static const char *const ipc_keys[] = {"kernel.msgmax", "kernel.msgmnb",	 "kernel.msgmni",
					       "kernel.sem",	"kernel.shmall",	 "kernel.shmmax",
					       "kernel.shmmni", "kernel.shm_rmid_forced"};
	enum hr_ns_type need = HR_NS_COUNT;

	for (size_t i = 0; i < HR_ARRAY_SIZE(ipc_keys); i++)
		if (strcmp(key, ipc_keys[i]) == 0)
			need = HR_NS_IPC;
	if (hr_str_has_prefix(key, "fs.mqueue."))
		need = HR_NS_IPC;
	else if (hr_str_has_prefix(key, "net."))
		need = HR_NS_NET;
	else if (strcmp(key, "kernel.hostname") == 0 || strcmp(key, "kernel.domainname") == 0)
		need = HR_NS_UTS;
	if (need == HR_NS_COUNT)
		return hr_fail(err, 0, "config.json: linux.sysctl.\"%s\": not namespaced, refused", key);
	if (!lx->namespaces[need].present)
		return hr_fail(err, 0, "config.json: linux.sysctl.\"%s\": needs a %s namespace", key,
			       hr_ns_type_name(need));
	/* net.* sysctls of the host network namespace would be host-wide */
	if (need == HR_NS_NET && lx->namespaces[HR_NS_NET].path == NULL && !ns_new(lx, HR_NS_NET))
		return hr_fail(err, 0, "config.json: linux.sysctl.\"%s\": needs a network namespace", key);
	return 0;
}

int hr_spec_validate(const struct hr_spec *spec, struct hr_err **err)
{
	const struct hr_linux *lx = &spec->lnx;
	bool userns = lx->namespaces[HR_NS_USER].present;

	if ((lx->n_uid_mappings || lx->n_gid_mappings) && !userns)
		return hr_fail(err, 0, "config.json: linux.uidMappings: requires a user namespace");
	if (ns_new(lx, HR_NS_USER) && (lx->n_uid_mappings == 0 || lx->n_gid_mappings == 0))
		return hr_fail(err, 0,
			       "config.json: linux.namespaces: a new user namespace needs uidMappings and gidMappings");
	for (size_t i = 0; i < spec->n_mounts; i++) {
		const struct hr_mount *m = &spec->mounts[i];

		if ((m->opts.idmap || m->opts.ridmap) && !(m->opts.bind || (m->type && strcmp(m->type, "bind") == 0)))
			return hr_fail(err, 0,
				       "config.json: mounts[%zu].options: idmap is supported on bind mounts only", i);
		if ((m->opts.idmap || m->opts.ridmap) && !userns && m->n_uid_mappings == 0)
			return hr_fail(err, 0,
				       "config.json: mounts[%zu].options: idmap requires a user namespace or the "
				       "mount's own mappings",
				       i);
		if (m->n_uid_mappings && !(m->opts.idmap || m->opts.ridmap))
			return hr_fail(err, 0, "config.json: mounts[%zu].uidMappings: requires the idmap option", i);
	}
	/* the idmapped rootfs and volumes take the container's own mappings */
	if (spec->root_idmap && (!userns || lx->n_uid_mappings == 0 || lx->n_gid_mappings == 0))
		return hr_fail(err, 0,
			       "config.json: annotations.\"%s\": requires a user namespace with uidMappings and "
			       "gidMappings",
			       HR_ANN_ROOTFS_IDMAP);
	for (size_t i = 0; i < lx->n_sysctl; i++)
		if (check_sysctl(lx, lx->sysctl[i].key, err) < 0)
			return -1;
	/*
	 * runtime-spec: hostname changes "the container UTS namespace", which
	 * "may be the runtime UTS namespace" by the namespace configuration: a
	 * namespace joined by path is the container's; only the runtime's own
	 * (no uts entry) is refused, and the init refuses a path that turns out
	 * to name the runtime's
	 */
	if (spec->hostname && !lx->namespaces[HR_NS_UTS].present)
		return hr_fail(err, 0, "config.json: hostname: requires a uts namespace");
	if (spec->domainname && !lx->namespaces[HR_NS_UTS].present)
		return hr_fail(err, 0, "config.json: domainname: requires a uts namespace");
	if ((lx->time_offsets[HR_CLOCK_MONOTONIC].present || lx->time_offsets[HR_CLOCK_BOOTTIME].present) &&
	    !ns_new(lx, HR_NS_TIME))
		return hr_fail(err, 0, "config.json: linux.timeOffsets: requires a new time namespace");
	if (spec->process && spec->process->has_console_size && !spec->process->terminal)
		return hr_fail(err, 0, "config.json: process.consoleSize: requires process.terminal");
	return 0;
}
