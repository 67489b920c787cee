#!/usr/bin/env bash
# Container start-up benchmark: hardrun at its default policy (level 2) and at
# level 0 (passthrough) against Debian's crun and runc, in one hyperfine run
# per scenario: `run` of /bin/true, the create -> start -> wait -> delete
# cycle containerd drives, and 8 `run`s at once (PAR=N workers).  Prints
# medians and each one's ratio to crun and runc.  Not a test: numbers go to
# README.md here.
#
# Usage (root): tests/bench/startup.sh [path/to/hardrun]   (RUNS=N, default 40; PAR=N, default 8)
#
# crun refuses the hybrid cgroup layout while a controller (hugetlb on the
# development machines) sits on the cgroup2 mount; for the run this script
# moves hugetlb to a v1 hierarchy at /sys/fs/cgroup/hugetlb and leaves it
# mounted there (unmounted, the kernel keeps the hierarchy alive out of sight,
# and containerd's shim then loads no container's cgroups: no OOM events).
set -euo pipefail

HR=$(readlink -f "${1:-$(dirname "$0")/../../build/hardrun}")
RUNS=${RUNS:-40}
PAR=${PAR:-8}
[ "$(id -u)" -eq 0 ] || { echo "run as root" >&2; exit 1; }
for p in hyperfine crun runc busybox-static; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$p" >/dev/null
done

W=$(mktemp -d /tmp/hardrun-bench.XXXXXX)
moved_hugetlb=0
cleanup() {
	for r in "$HR" crun runc; do
		for id in bench $(seq -f 'p%g' "$PAR"); do
			"$r" --root "$W/state-${r##*/}" delete --force "$id" >/dev/null 2>&1 || true
		done
	done
	# hugetlb stays on its v1 hierarchy: unmounted, the kernel keeps the hierarchy alive
	# out of sight, and containerd then cannot load any container's cgroups (no OOM events)
	[ $moved_hugetlb -eq 1 ] && echo "note: hugetlb stays mounted at /sys/fs/cgroup/hugetlb (v1)"
	rm -rf "$W"
}
trap cleanup EXIT

CRUN=crun
if grep -qw hugetlb /sys/fs/cgroup/unified/cgroup.controllers 2>/dev/null; then
	echo "note: moving hugetlb from /sys/fs/cgroup/unified to a v1 hierarchy so that crun accepts the layout"
	mkdir -p /sys/fs/cgroup/hugetlb
	if mount -t cgroup -o hugetlb none /sys/fs/cgroup/hugetlb; then
		moved_hugetlb=1
	else
		# another user's cgroup2 children have hugetlb enabled (docker, podman): it cannot move
		echo "note: hugetlb cannot leave cgroup2 now; crun runs with --cgroup-manager=disabled (no cgroups: less work than the others)"
		CRUN="crun --cgroup-manager=disabled"
	fi
fi

mkdir -p "$W/bundle/rootfs"/{bin,etc,proc,sys,dev,tmp}
cp /bin/busybox "$W/bundle/rootfs/bin/"
ln -s busybox "$W/bundle/rootfs/bin/true"
ln -s busybox "$W/bundle/rootfs/bin/sh"
"$HR" spec --bundle "$W/bundle"
sed -i -e 's/"terminal": true/"terminal": false/' -e 's|^\( *\)"sh"$|\1"/bin/true"|' "$W/bundle/config.json"
mkdir -p "$W/state-hardrun" "$W/state-crun" "$W/state-runc"
chmod 700 "$W"/state-*
# level 0: the bundle as given, as crun and runc run it
echo '{"level": 0}' >"$W/level0.json"
chmod 644 "$W/level0.json"
L2="$HR"
L0="$HR --policy $W/level0.json"

cycle() { # "runtime [flags]" state-dir: what containerd's shim does for one short-lived container
	local r="$1 --root $W/state-$2"
	echo "$r create --bundle $W/bundle bench </dev/null >/dev/null 2>&1 && $r start bench && while $r state bench | grep -q '\"running\"'; do :; done; $r delete bench"
}
parallel() { # "runtime [flags]" state-dir: PAR containers started at once, each `run` to its end
	echo "for i in \$(seq $PAR); do $1 --root $W/state-$2 run --bundle $W/bundle p\$i </dev/null >/dev/null & done; wait"
}

cd "$W"
hyperfine -N --warmup 3 --runs "$RUNS" --export-csv "$W/run.csv" \
	-n hardrun-L2 "$L2 --root $W/state-hardrun run --bundle $W/bundle bench" \
	-n hardrun-L0 "$L0 --root $W/state-hardrun run --bundle $W/bundle bench" \
	-n crun "$CRUN --root $W/state-crun run --bundle $W/bundle bench" \
	-n runc "runc --root $W/state-runc run --bundle $W/bundle bench" >/dev/null
hyperfine --warmup 3 --runs "$RUNS" --export-csv "$W/cycle.csv" \
	-n hardrun-L2 "$(cycle "$L2" hardrun)" -n hardrun-L0 "$(cycle "$L0" hardrun)" \
	-n crun "$(cycle "$CRUN" crun)" -n runc "$(cycle runc runc)" >/dev/null
hyperfine --warmup 2 --runs "$(((RUNS + 3) / 4))" --export-csv "$W/par.csv" \
	-n hardrun-L2 "$(parallel "$L2" hardrun)" -n hardrun-L0 "$(parallel "$L0" hardrun)" \
	-n crun "$(parallel "$CRUN" crun)" -n runc "$(parallel runc runc)" >/dev/null

report() { # csv title
	awk -F, -v title="$2" 'NR > 1 { med[$1] = $4 * 1000 }
		END {
			for (h = 2; h >= 0; h -= 2) {
				k = "hardrun-L" h
				printf "%-30s %s %7.2f ms   crun %7.2f ms   runc %7.2f ms   /crun %.2f   /runc %.2f\n",
					title, k, med[k], med["crun"], med["runc"], med[k] / med["crun"], med[k] / med["runc"]
			}
		}' "$1"
}
echo "crun: $CRUN"
echo "medians, $RUNS runs each ($(((RUNS + 3) / 4)) of the $PAR-at-once batch), $(nproc) cores, $(uname -r), $(date -u +%F)"
report "$W/run.csv" "run /bin/true"
report "$W/cycle.csv" "create+start+wait+delete"
report "$W/par.csv" "$PAR x run at once (batch)"
