#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The cost of seccomp learn mode per system call, and of enforcing what it
# learned: the probe calls getppid N times (default 10^5) in a container
# started by `hardrun run` and prints ns per call; each case runs RUNS times
# (default 7) and the script prints the median.  Cases: no filter; the
# learned profile enforced (--seccomp-profile); learn mode with the call new
# (every call is a notification the recorder answers with CONTINUE: the
# first is recorded, the others only answered); learn mode with the call in
# the seed (the profile learned before: allowed directly by the filter).
# Not a test: numbers go to tests/bench/README.md.
#
# Usage (root): tests/bench/seccomp_learn.sh [build dir]   (N=…, RUNS=…)
set -euo pipefail

B=$(readlink -f "${1:-$(dirname "$0")/../../build}")
N=${N:-100000}
RUNS=${RUNS:-7}
[ "$(id -u)" -eq 0 ] || { echo "run as root" >&2; exit 1; }
[ -x /bin/busybox ] || { echo "needs busybox-static" >&2; exit 1; }

W=$(mktemp -d /tmp/hardrun-bench-learn.XXXXXX)
trap 'rm -rf "$W"' EXIT
chmod 0711 "$W"
mkdir -p "$W/rootfs/bin" "$W/rootfs/proc" "$W/rootfs/dev" "$W/rootfs/sys" "$W/rootfs/tmp"
cp /bin/busybox "$W/rootfs/bin/" && cp "$B/tests/probe" "$W/rootfs/probe"
printf '{"level": 0}\n' >"$W/l0.json"
chmod 0644 "$W/l0.json"
python3 - "$N" >"$W/config.json" <<'PY'
import json, sys
c = {"ociVersion": "1.0.2",
     "process": {"user": {"uid": 0, "gid": 0}, "args": ["/probe", "getppid-loop", sys.argv[1]], "cwd": "/",
                 "env": ["PATH=/bin"], "noNewPrivileges": True,
                 "capabilities": {k: ["CAP_KILL"] for k in ("bounding", "effective", "permitted")}},
     "root": {"path": "rootfs", "readonly": True},
     "mounts": [{"destination": "/proc", "type": "proc", "source": "proc"}],
     "linux": {"namespaces": [{"type": t} for t in ("pid", "network", "ipc", "uts", "mount")]}}
json.dump(c, sys.stdout)
PY

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
hr() { "$B/hardrun" --policy "$W/l0.json" --root "$W/state" run "$@" --bundle "$W" bench; }

case_() { # $1 label, $2 before each run (shell), rest: run flags
	local label=$1 before=$2 out
	shift 2
	out=$(for _ in $(seq "$RUNS"); do
		eval "$before"
		hr "$@"
	done | median)
	printf '%-44s %9s ns/call\n' "$label" "$out"
}

echo "getppid x $N, median of $RUNS runs, $(uname -r)"
case_ "no filter" ":"
case_ "learn mode, the call new (NOTIFY + CONTINUE)" "rm -f $W/learned.json" --seccomp-learn "$W/learned.json"
case_ "learn mode, the call in the seed" ":" --seccomp-learn "$W/learned.json"
case_ "learned profile enforced" ":" --seccomp-profile "$W/learned.json"
echo "profile: $(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["syscalls"][0]["names"]))' "$W/learned.json") calls"
