#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# VM suite: the client suites of tests/clients (docker, podman, containerd)
# with each engine's default cgroup management on this host
# (HR_CLIENTS_DEFAULTS=1: dockerd's and podman's systemd driver, ctr with the
# runc shim's systemd option) with the built hardrun; with
# CLIENT_RUNTIMES="runc hardrun" first with Debian's runc behind the argv
# wrapper, which proves the harness on this host (under TCG each engine's
# suite takes minutes: not by default), then prints both counts and the
# scenarios runc passes that hardrun fails.  Exit 0 when hardrun passes every
# scenario (CLIENTS="docker podman" picks engines).
set -uo pipefail
export HR_CLIENTS_DEFAULTS=1 HR_TEST_MUST_RUN=1
HR=$PWD/build/hardrun
OUT=$(mktemp -d /tmp/hr-vm-clients.XXXXXX)
trap 'rm -rf "$OUT"' EXIT
rc=0
for c in ${CLIENTS:-docker podman containerd}; do
	for r in ${CLIENT_RUNTIMES:-hardrun}; do
		bin=$HR
		[ $r = runc ] && bin=$(command -v runc)
		echo "=== clients: $c with $r ($bin)"
		HR_TEST_HARDRUN=$bin timeout -k 10 900 bash "tests/clients/$c.sh" 2>&1 | sed -u "s/^/$r| /"
		st=${PIPESTATUS[0]}
		echo "$r| exit $st"
	done | tee "$OUT/$c.log"
	for r in runc hardrun; do
		touch "$OUT/$c.$r"
		sed -n "s/^$r| //p" "$OUT/$c.log" >"$OUT/$c.$r"
	done
	sed -n 's/^ok - //p' "$OUT/$c.runc" | sort >"$OUT/$c.runc.ok"
	sed -n 's/^ok - //p' "$OUT/$c.hardrun" | sort >"$OUT/$c.hardrun.ok"
	worse=$(comm -23 "$OUT/$c.runc.ok" "$OUT/$c.hardrun.ok")
	echo "clients: $c: runc $(grep -E ': [0-9]+ passed' "$OUT/$c.runc" | sed 's/.*: //'), hardrun $(grep -E ': [0-9]+ passed' "$OUT/$c.hardrun" | sed 's/.*: //')"
	if [ -n "$worse" ]; then
		echo "clients: $c: runc passes, hardrun fails:"
		printf '  %s\n' "$worse"
	fi
	grep -qx 'exit 0' "$OUT/$c.hardrun" || rc=1
done
exit $rc
