#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Runs the OCI runtime-tools validation suite against hardrun (at policy level 0, passthrough:
# the suite tests the runtime-spec's mechanisms, not hardrun's hardening) and against other
# runtimes in one run, and prints one row per test with each runtime's result and the counts.
# It fetches and builds nothing: give it a runtime-tools tree in which
# `make runtimetest validation-executables` has already run (see tests/integration/README.md).
# Not part of CI: the suite is not packaged in Debian.
#
#   tests/conformance/runtime-tools.sh RUNTIME_TOOLS_DIR [HARDRUN [OTHER_RUNTIME...]]
#     HARDRUN defaults to build/hardrun; OTHER_RUNTIME defaults to crun.
#     TESTS="hooks linux_seccomp ..." runs only those; KEEP=DIR keeps every test's TAP output.
#
# A test passes when its executable exits 0, prints no `not ok` line (a TAP skip counts as
# passed, as tap does) and, when it plans no test at all (1..0), no diagnostic with a non-empty
# "error" (the hooks' *_fail tests report a runtime that breaks the spec only that way).  crun refuses the hybrid cgroup layout
# while a controller sits on the cgroup2 mount: the run then happens in a mount namespace of
# its own without /sys/fs/cgroup/unified, for every runtime alike.  It launches containers:
# hold the integration lock (`flock /tmp/hr-it.lock tests/conformance/runtime-tools.sh ...`).
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
[ $# -ge 1 ] || {
	sed -n '4,14s/^# \{0,1\}//p' "$0" >&2
	exit 1
}
rt=$(readlink -f "$1")
hr=$(readlink -f "${2:-$top/build/hardrun}")
shift $(($# >= 2 ? 2 : 1))
others=("$@")
[ ${#others[@]} -gt 0 ] || others=(crun)
[ "$(id -u)" -eq 0 ] || {
	echo "runtime-tools: run as root" >&2
	exit 1
}
if [ ! -x "$rt/runtimetest" ] || [ ! -f "$rt/rootfs-amd64.tar.gz" ]; then
	echo "runtime-tools: \`$rt\` is not a built runtime-tools tree (no runtimetest)" >&2
	exit 1
fi
[ -x "$hr" ] || {
	echo "runtime-tools: no hardrun at \`$hr\`" >&2
	exit 1
}
for o in "${others[@]}"; do
	command -v "$o" >/dev/null || {
		echo "runtime-tools: no runtime \`$o\`" >&2
		exit 1
	}
done

# crun refuses the hybrid layout while a controller sits on the cgroup2 mount: the whole run
# (every runtime and the tests) happens in a mount namespace of its own without that mount, so
# the host's cgroups stay as they are for everyone else
if [ -z "${HR_CONFORMANCE_NS:-}" ] && grep -q . /sys/fs/cgroup/unified/cgroup.controllers 2>/dev/null; then
	HR_CONFORMANCE_NS=$(tr '\n' ' ' </sys/fs/cgroup/unified/cgroup.controllers) \
		exec unshare -m --propagation private "$0" "$rt" "$hr" "${others[@]}"
fi
if [ -n "${HR_CONFORMANCE_NS:-}" ]; then
	umount -l /sys/fs/cgroup/unified || exit 1
	echo "note: /sys/fs/cgroup/unified (holding ${HR_CONFORMANCE_NS% }) is not mounted for this run"
fi

w=$(mktemp -d /tmp/hardrun-conformance.XXXXXX)
trap 'rm -rf "$w"' EXIT

# hardrun at level 0: the suite calls one command, so a wrapper adds --policy
install -m 0644 "$top/tests/data/policy/passthrough.json" "$w/policy.json"
printf '#!/bin/sh\nexec %s --policy %s "$@"\n' "$hr" "$w/policy.json" >"$w/hardrun"
chmod 0755 "$w/hardrun"
runtimes=("$w/hardrun" "${others[@]}")
names=(hardrun "${others[@]##*/}")

tests=${TESTS:-$(cd "$rt/validation" && for d in */; do
	d=${d%/}
	[ -x "$d/$d.t" ] && echo "$d"
done)}
declare -A pass
printf '%-36s' test
printf ' %-8s' "${names[@]}"
echo
for t in $tests; do
	printf '%-36s' "$t"
	for i in "${!runtimes[@]}"; do
		log=$w/$t.${names[$i]}.tap
		rc=0
		(cd "$rt" && RUNTIME=${runtimes[$i]} timeout 300 "validation/$t/$t.t" >"$log" 2>&1) || rc=$?
		if [ $rc -eq 0 ] && ! grep -q '^not ok' "$log" &&
			! { grep -qx '1\.\.0' "$log" && grep -qE '^ *"error": "[^"]' "$log"; }; then
			r=pass
			pass[${names[$i]}]=$((${pass[${names[$i]}]:-0} + 1))
		else
			r=FAIL
		fi
		printf ' %-8s' "$r"
		[ -n "${KEEP:-}" ] && mkdir -p "$KEEP" && cp "$log" "$KEEP/"
	done
	echo
done
n=$(echo "$tests" | wc -w)
for name in "${names[@]}"; do
	echo "$name: ${pass[$name]:-0} of $n passed"
done
