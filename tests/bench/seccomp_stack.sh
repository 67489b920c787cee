#!/usr/bin/env bash
# Per-syscall cost of seccomp in a hardrun container: no filter, one filter
# (Docker's profile from the bundle, policy level 0) and two stacked filters
# (the same bundle at level 2, which adds hardrun's default profile on top).
# The probe calls getppid (or personality) N times (default 10^6) and prints ns per call;
# each case runs RUNS times (default 15) and the script prints the median.
# Not a test: numbers go to tests/bench/README.md.
#
# Usage (root): tests/bench/seccomp_stack.sh [build dir]   (N=…, RUNS=…)
set -euo pipefail

B=$(readlink -f "${1:-$(dirname "$0")/../../build}")
SRC=$(readlink -f "$(dirname "$0")/../..")
N=${N:-1000000}
RUNS=${RUNS:-15}
[ "$(id -u)" -eq 0 ] || { echo "run as root" >&2; exit 1; }
[ -x /bin/busybox ] || { echo "needs busybox-static" >&2; exit 1; }

W=$(mktemp -d /tmp/hardrun-bench-sc.XXXXXX)
trap 'rm -rf "$W"' EXIT
chmod 0711 "$W"
mkdir -p "$W/rootfs/bin" "$W/rootfs/proc" "$W/rootfs/dev" "$W/rootfs/sys" "$W/rootfs/tmp"
cp /bin/busybox "$W/rootfs/bin/" && cp "$B/tests/probe" "$W/rootfs/probe"
printf '{"level": 0}\n' > "$W/l0.json"
printf '{"level": 2, "userns": {"enabled": false}}\n' > "$W/l2.json"
chmod 0644 "$W/l0.json" "$W/l2.json"

config() { # $1: seccomp profile file or "" for none
	python3 - "$1" "$N" "$CALL" > "$W/config.json" <<'PY'
import json, sys
prof, n, call = sys.argv[1], sys.argv[2], sys.argv[3]
c = {"ociVersion": "1.0.2",
     "process": {"user": {"uid": 0, "gid": 0}, "args": ["/probe", "getppid-loop", n, call], "cwd": "/",
                 "env": ["PATH=/bin"], "noNewPrivileges": True,
                 "capabilities": {k: ["CAP_KILL"] for k in ("bounding", "effective", "permitted")}},
     "root": {"path": "rootfs", "readonly": True},
     "mounts": [{"destination": "/proc", "type": "proc", "source": "proc"}],
     "linux": {"namespaces": [{"type": t} for t in ("pid", "network", "ipc", "uts", "mount")]}}
if prof:
    c["linux"]["seccomp"] = json.load(open(prof))
json.dump(c, sys.stdout)
PY
}

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

run_case() { # $1 label, $2 policy, $3 profile
	config "$3"
	local out
	out=$(for _ in $(seq "$RUNS"); do
		"$B/hardrun" --policy "$2" --root "$W/state" run --bundle "$W" bench
	done | median)
	printf '%-44s %8s ns/call\n' "$1" "$out"
}

# getppid is allowed whatever its arguments: the kernel's action cache (5.11+)
# answers it without running BPF.  personality(0xffffffff) is allowed only by
# an argument rule, so every filter's BPF runs on every call.
for CALL in getppid personality; do
	echo "$CALL x $N, median of $RUNS runs, $(uname -r)"
	run_case "no filter" "$W/l0.json" ""
	run_case "one filter (Docker's profile, level 0)" "$W/l0.json" "$SRC/tests/data/seccomp/docker-default.json"
	run_case "one filter (hardrun's default, level 2)" "$W/l2.json" ""
	run_case "two filters (Docker's + hardrun's, level 2)" "$W/l2.json" "$SRC/tests/data/seccomp/docker-default.json"
done
