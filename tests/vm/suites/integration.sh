#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# VM suite: the integration suites (build/tests/it_*) on the VM test host:
# cgroup v2 only, systemd as PID 1, AppArmor enabled.  The guest has no
# ctest: each suite runs with the environment tests/CMakeLists.txt gives it
# (IT=it_a,it_b picks suites).  One line per suite; exit 0 when all pass.
set -uo pipefail
echo "integration: $(stat -fc %T /sys/fs/cgroup), AppArmor $(cat /sys/module/apparmor/parameters/enabled 2>/dev/null || echo absent), PID 1 $(cat /proc/1/comm)"
export HR_TEST_HARDRUN=$PWD/build/hardrun HR_TEST_PROBE=$PWD/build/tests/probe HR_TEST_DATA=$PWD/tests/data \
	HR_SOURCE_DIR=$PWD HR_TEST_MUST_RUN=1
p=0 f=0 failed=""
for t in build/tests/it_*; do
	n=${t##*/}
	[ -n "${IT:-}" ] && [[ ",$IT," != *",$n,"* ]] && continue
	t0=$SECONDS
	# the crash suite drives the build with fault-injection points (tests/CMakeLists.txt)
	if [ "$n" = it_fault ]; then
		HR_TEST_HARDRUN=$PWD/build/hardrun-fault timeout -k 10 "${IT_TIMEOUT:-900}" "$t"
	else
		timeout -k 10 "${IT_TIMEOUT:-900}" "$t"
	fi
	rc=$?
	if [ $rc -eq 0 ]; then
		p=$((p + 1))
		echo "integration: $n: pass ($((SECONDS - t0)) s)"
	else
		f=$((f + 1))
		failed="$failed $n"
		echo "integration: $n: FAIL, exit $rc ($((SECONDS - t0)) s)"
	fi
done
[ $f -eq 0 ] || echo "integration: failed:$failed"
echo "integration: $p passed, $f failed"
[ $f -eq 0 ]
