/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Namespace types → CLONE_NEW* flags, for clone(), unshare() and setns().
 * A leaf: the spawn, the init and exec all use it, and it calls nothing of
 * theirs.
 */
#include <sched.h>

#include "hardrun/init.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

unsigned long hr_ns_clone_flag(enum hr_ns_type t)
{
	switch (t) {
	case HR_NS_PID:
		return CLONE_NEWPID;
	case HR_NS_NET:
		return CLONE_NEWNET;
	case HR_NS_MOUNT:
		return CLONE_NEWNS;
	case HR_NS_IPC:
		return CLONE_NEWIPC;
	case HR_NS_UTS:
		return CLONE_NEWUTS;
	case HR_NS_USER:
		return CLONE_NEWUSER;
	case HR_NS_CGROUP:
		return CLONE_NEWCGROUP;
	case HR_NS_TIME:
		return CLONE_NEWTIME;
	case HR_NS_COUNT:
		break;
	}
	return 0;
}
