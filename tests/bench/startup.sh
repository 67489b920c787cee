#!/usr/bin/env bash
# Container start-up benchmark: hardrun against Debian's crun and runc, in one
# hyperfine run, for `run` of /bin/true and for the create -> start -> wait ->
# delete cycle containerd drives.  Prints medians and the ratios
# hardrun/crun and hardrun/runc.  Not a test: numbers go to README.md here.
#
# Usage (root): tests/bench/startup.sh [path/to/hardrun]   (RUNS=N, default 40)
# HR_BENCH_SYSTEMD=1: every runtime with --systemd-cgroup and the cgroupsPath
# system.slice:hrbench:bench (a transient scope per container; needs systemd).
#
# crun refuses the hybrid cgroup layout while a controller (hugetlb on the
# development machines) sits on the cgroup2 mount; for the run this script
# moves hugetlb to a v1 hierarchy at /sys/fs/cgroup/hugetlb and leaves it
# mounted there (unmounted, the kernel keeps the hierarchy alive out of sight,
# and containerd's shim then loads no container's cgroups: no OOM events).
set -euo pipefail

HR=$(readlink -f "${1:-$(dirname "$0")/../../build/hardrun}")
RUNS=${RUNS:-40}
[ "$(id -u)" -eq 0 ] || { echo "run as root" >&2; exit 1; }
for p in hyperfine crun runc busybox-static; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$p" >/dev/null
done

W=$(mktemp -d /tmp/hardrun-bench.XXXXXX)
moved_hugetlb=0
cleanup() {
	for r in "$HR" crun runc; do "$r" ${G:-} --root "$W/state-${r##*/}" delete --force bench >/dev/null 2>&1 || true; done
	# hugetlb stays on its v1 hierarchy: unmounted, the kernel keeps the hierarchy alive
	# out of sight, and containerd then cannot load any container's cgroups (no OOM events)
	[ $moved_hugetlb -eq 1 ] && echo "note: hugetlb stays mounted at /sys/fs/cgroup/hugetlb (v1)"
	rm -rf "$W"
}
trap cleanup EXIT

if grep -qw hugetlb /sys/fs/cgroup/unified/cgroup.controllers 2>/dev/null; then
	echo "note: moving hugetlb from /sys/fs/cgroup/unified to a v1 hierarchy so that crun accepts the layout"
	mkdir -p /sys/fs/cgroup/hugetlb
	mount -t cgroup -o hugetlb none /sys/fs/cgroup/hugetlb
	moved_hugetlb=1
fi

mkdir -p "$W/bundle/rootfs"/{bin,etc,proc,sys,dev,tmp}
cp /bin/busybox "$W/bundle/rootfs/bin/"
ln -s busybox "$W/bundle/rootfs/bin/true"
ln -s busybox "$W/bundle/rootfs/bin/sh"
"$HR" spec --bundle "$W/bundle"
sed -i -e 's/"terminal": true/"terminal": false/' -e 's|^\( *\)"sh"$|\1"/bin/true"|' "$W/bundle/config.json"
G=
if [ "${HR_BENCH_SYSTEMD:-0}" = 1 ]; then
	[ -d /run/systemd/system ] || { echo "HR_BENCH_SYSTEMD=1: systemd is not running here" >&2; exit 1; }
	G=--systemd-cgroup
	python3 - "$W/bundle/config.json" <<'EOF'
import json, sys
c = json.load(open(sys.argv[1]))
c.setdefault("linux", {})["cgroupsPath"] = "system.slice:hrbench:bench"
json.dump(c, open(sys.argv[1], "w"), indent=1)
EOF
fi
mkdir -p "$W/state-hardrun" "$W/state-crun" "$W/state-runc"
chmod 700 "$W"/state-*

cycle() { # runtime: what containerd's shim does for one short-lived container
	local r="$1 $G" root=$W/state-${1##*/}
	echo "$r --root $root create --bundle $W/bundle bench </dev/null >/dev/null 2>&1 && $r --root $root start bench && while $r --root $root state bench | grep -q '\"running\"'; do :; done; $r --root $root delete bench"
}

cd "$W"
hyperfine -N --warmup 3 --runs "$RUNS" --export-csv "$W/run.csv" \
	-n hardrun "$HR $G --root $W/state-hardrun run --bundle $W/bundle bench" \
	-n crun "crun $G --root $W/state-crun run --bundle $W/bundle bench" \
	-n runc "runc $G --root $W/state-runc run --bundle $W/bundle bench" >/dev/null
hyperfine --warmup 3 --runs "$RUNS" --export-csv "$W/cycle.csv" \
	-n hardrun "$(cycle "$HR")" -n crun "$(cycle crun)" -n runc "$(cycle runc)" >/dev/null

report() { # csv title
	awk -F, -v title="$2" 'NR > 1 { med[$1] = $4 * 1000 }
		END {
			printf "%-34s hardrun %7.2f ms   crun %7.2f ms   runc %7.2f ms   hardrun/crun %.2f   hardrun/runc %.2f\n",
				title, med["hardrun"], med["crun"], med["runc"], med["hardrun"] / med["crun"], med["hardrun"] / med["runc"]
		}' "$1"
}
echo "medians over $RUNS runs each, $(nproc) cores, $(uname -r), $(stat -fc %T /sys/fs/cgroup), ${G:-cgroupfs driver}, $(date -u +%F)"
report "$W/run.csv" "run /bin/true"
report "$W/cycle.csv" "create+start+wait+delete"
