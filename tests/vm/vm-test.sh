#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The `vm` test stage: boots the VM test host once (run.sh) and runs there,
# one after the other, the suites of tests/vm/suites/: every executable
# *.sh, run as root with cwd = the tree, the build in ./build and
# HR_TEST_MUST_RUN=1; exit 0 is a pass.  Prints one line per suite and the
# closing line `vm: N passed, M failed`; exits 0 only when all passed.
#
#   vm-test.sh [--tree DIR] [SUITE...]     (SUITE: a name such as integration)
#
# Without SUITE arguments HR_VM_SUITES (space-separated names) picks the
# suites, else every executable suite runs.
#
# HR_VM_SUITE_TIMEOUT (s, default 1500) bounds each suite inside the guest;
# the whole boot is bounded by the sum plus ten minutes.  HR_VM_CLIENTS
# (default "docker podman containerd") picks the engines of the clients suite,
# HR_VM_CLIENT_RUNTIMES="runc hardrun" adds the runc baseline run; HR_VM_IT
# (it_a,it_b) picks the integration suites (all by default).

set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TREE=$(cd "$HERE/../.." && pwd)
if [ "${1:-}" = --tree ]; then
	TREE=$(cd "${2:?}" && pwd)
	shift 2
fi
PER=${HR_VM_SUITE_TIMEOUT:-1500}
[ -x "$TREE/build/hardrun" ] || {
	echo "vm: $TREE/build/hardrun is missing: build the tree first" >&2
	exit 1
}

suites=()
if [ $# -gt 0 ]; then
	for s in "$@"; do
		[ -x "$TREE/tests/vm/suites/$s.sh" ] || {
			echo "vm: no suite $s (tests/vm/suites/$s.sh)" >&2
			exit 1
		}
		suites+=("$s")
	done
elif [ -n "${HR_VM_SUITES:-}" ]; then
	read -ra suites <<<"$HR_VM_SUITES"
	for s in "${suites[@]}"; do
		[ -x "$TREE/tests/vm/suites/$s.sh" ] || {
			echo "vm: no suite $s (tests/vm/suites/$s.sh)" >&2
			exit 1
		}
	done
else
	for f in "$TREE"/tests/vm/suites/*.sh; do
		[ -x "$f" ] && suites+=("$(basename "$f" .sh)")
	done
fi
[ ${#suites[@]} -gt 0 ] || {
	echo "vm: no suites in $TREE/tests/vm/suites" >&2
	exit 1
}

# the guest side: one bash script, the suite names baked in
guest=$(
	cat <<EOF
export HR_TEST_MUST_RUN=1 IT="${HR_VM_IT:-}" CLIENTS="${HR_VM_CLIENTS:-docker podman containerd}" CLIENT_RUNTIMES="${HR_VM_CLIENT_RUNTIMES:-hardrun}"
echo "vm: host \$(uname -r), \$(systemctl --version | head -1), cgroup \$(stat -fc %T /sys/fs/cgroup), apparmor \$(cat /sys/module/apparmor/parameters/enabled 2>/dev/null || echo absent)"
p=0 f=0 failed=""
for s in ${suites[*]}; do
	echo "=== suite \$s"
	t0=\$SECONDS
	timeout -k 10 $PER "tests/vm/suites/\$s.sh"
	rc=\$?
	if [ \$rc -eq 0 ]; then
		p=\$((p + 1)); echo "vm: suite \$s: pass (\$((SECONDS - t0)) s)"
	else
		f=\$((f + 1)); failed="\$failed \$s"; echo "vm: suite \$s: FAIL, exit \$rc (\$((SECONDS - t0)) s)"
	fi
done
[ \$f -eq 0 ] || echo "vm: failed:\$failed"
echo "vm: \$p passed, \$f failed"
[ \$f -eq 0 ]
EOF
)
exec "$HERE/run.sh" --tree "$TREE" --follow --timeout $((PER * ${#suites[@]} + 600)) -- "$guest"
