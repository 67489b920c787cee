#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# VM suite: the integration suites (build/tests/it_*, through ctest -L
# integration, so each gets CMake's environment) on the VM test host: cgroup
# v2 only, systemd as PID 1, AppArmor enabled.  Exit 0 when all pass.
set -uo pipefail
cd build || exit 1
echo "integration: $(stat -fc %T /sys/fs/cgroup), AppArmor $(cat /sys/module/apparmor/parameters/enabled 2>/dev/null || echo absent), PID 1 $(cat /proc/1/comm)"
HR_TEST_MUST_RUN=1 ctest -L integration --output-on-failure --timeout 900
