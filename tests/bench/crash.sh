#!/usr/bin/env bash
# What a SIGKILL leaves behind: K times, start `RUNTIME create` of a fresh id,
# kill -9 it after a delay spread evenly over 0..MAXMS ms, then run
# `RUNTIME delete --force` of that id.  Afterwards count what is left of
# those containers: state dirs, cgroup directories (any hierarchy, any
# depth), processes (cwd, root or cgroup of theirs), mounts of the bundle,
# id-pool ranges and temporaries under the state root.  A measurement, not a
# test (tests/integration/it_fault.c and it_stress.c assert on it).
#
# Usage (root): tests/bench/crash.sh [RUNTIME]   K=42 MAXMS=60 POLICY=default|passthrough
set -uo pipefail

RT=$(readlink -f "${1:-$(dirname "$0")/../../build/hardrun}")
K=${K:-42}
MAXMS=${MAXMS:-60}
POLICY=${POLICY:-default}
SRC=$(cd "$(dirname "$0")/../.." && pwd)
[ "$(id -u)" -eq 0 ] || { echo "run as root" >&2; exit 1; }

W=$(mktemp -d /tmp/hrcrash.XXXXXX)
R=$W/state
PFX=hrcrash-$$-
mkdir -p "$W/bundle/rootfs"/{bin,etc,proc,sys,dev,tmp} "$R"
chmod 700 "$R"
cp /bin/busybox "$W/bundle/rootfs/bin/"
for a in sh true sleep; do ln -s busybox "$W/bundle/rootfs/bin/$a"; done
"$RT" spec --bundle "$W/bundle" 2>/dev/null || cp "$SRC/tests/data/spec/valid/minimal.json" "$W/bundle/config.json"
sed -i -e 's/"terminal": true/"terminal": false/' -e 's|^\( *\)"sh"$|\1"sleep", "1000"|' "$W/bundle/config.json"
args=(--root "$R")
case $RT in
*hardrun*) [ "$POLICY" = passthrough ] && args+=(--policy "$SRC/tests/data/policy/passthrough.json") ;;
esac

for ((i = 0; i < K; i++)); do
	id=$PFX$i
	ms=$((i * MAXMS / (K > 1 ? K - 1 : 1)))
	"$RT" "${args[@]}" create --bundle "$W/bundle" "$id" </dev/null >/dev/null 2>&1 &
	pid=$!
	sleep "$(printf '0.%03d' "$ms")"
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	"$RT" "${args[@]}" delete --force "$id" </dev/null >/dev/null 2>"$W/del.err" || echo "delete --force $id: $(head -1 "$W/del.err")"
done
sleep 0.3

[ -n "${VERBOSE:-}" ] && ls -la "$R"/* 2>/dev/null
states=$(find "$R" -mindepth 1 -maxdepth 1 -name "$PFX*" | wc -l)
cgroups=$(find /sys/fs/cgroup -mindepth 1 -maxdepth 4 -type d -name "$PFX*" 2>/dev/null | wc -l)
# processes of theirs that are not zombies (a zombie's reaping is its parent's business); settle 2 s
count_procs() {
	local n=0 p c r st
	for p in /proc/[0-9]*; do
		st=$(awk '{print $3}' "$p/stat" 2>/dev/null)
		[ -z "$st" ] || [ "$st" = Z ] || [ "$st" = X ] && continue
		c=$(readlink "$p/cwd" 2>/dev/null) r=$(readlink "$p/root" 2>/dev/null)
		if [[ $c == "$W"* || $r == "$W"* ]] || grep -q "$PFX" "$p/cgroup" 2>/dev/null; then
			n=$((n + 1))
			[ -n "${VERBOSE:-}" ] && echo "left: ${p#/proc/} $st $(tr '\0' ' ' <"$p/cmdline") cwd=$c $(grep -m1 "$PFX" "$p/cgroup")" >&2
		fi
	done
	echo $n
}
for _ in 1 2 3 4 5 6 7 8 9 10; do
	procs=$(count_procs 2>/dev/null)
	[ "$procs" -eq 0 ] && break
	sleep 0.2
done
procs=$(count_procs)
mounts=$(grep -c "$W" /proc/self/mountinfo)
ranges=0
[ -f "$R/.hardrun-idpool.json" ] && ranges=$(grep -o "\"$PFX[0-9]*\"" "$R/.hardrun-idpool.json" | wc -l)
temps=$(find "$R" -name '*.tmp' 2>/dev/null | wc -l)
echo "$(basename "$RT"): $K kills of create at 0-$MAXMS ms + delete --force: state dirs $states, cgroup dirs $cgroups, processes $procs, mounts $mounts, id ranges $ranges, temporaries $temps"

# clean up by hand whatever the runtime left
for p in /proc/[0-9]*; do
	c=$(readlink "$p/cwd" 2>/dev/null) r=$(readlink "$p/root" 2>/dev/null)
	if [[ $c == "$W"* || $r == "$W"* ]] || grep -q "$PFX" "$p/cgroup" 2>/dev/null; then kill -9 "${p#/proc/}" 2>/dev/null; fi
done
sleep 0.3
find /sys/fs/cgroup -mindepth 1 -maxdepth 4 -depth -type d -name "$PFX*" -exec rmdir {} \; 2>/dev/null
rm -rf "$W"
