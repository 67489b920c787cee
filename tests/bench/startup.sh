#!/usr/bin/env bash
# Container start-up benchmark: hardrun at its default policy (level 2) and at
# level 0 (passthrough) against Debian's crun and runc, in one hyperfine run
# per scenario: `run` of /bin/true, the create -> start -> wait -> delete
# cycle containerd drives, and 8 `run`s at once (PAR=N workers).  Prints
# medians and each one's ratio to crun and runc.  Not a test: numbers go to
# README.md here.
#
# Usage (root): tests/bench/startup.sh [path/to/hardrun]   (RUNS=N, default 40; PAR=N, default 8)
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
			"$r" ${G:-} --root "$W/state-${r##*/}" delete --force "$id" >/dev/null 2>&1 || true
		done
	done
	# hugetlb stays on its v1 hierarchy: unmounted, the kernel keeps the hierarchy alive
	# out of sight, and containerd then cannot load any container's cgroups (no OOM events)
	[ $moved_hugetlb -eq 1 ] && echo "note: hugetlb stays mounted at /sys/fs/cgroup/hugetlb (v1)"
	rm -rf "$W"
}
trap cleanup EXIT

if [ -n "${HR_BENCH_NO_UNIFIED:-}" ]; then
	# in the private mount namespace below: every runtime sees the nine v1 hierarchies only
	umount /sys/fs/cgroup/unified
elif grep -qw hugetlb /sys/fs/cgroup/unified/cgroup.controllers 2>/dev/null; then
	echo "note: moving hugetlb from /sys/fs/cgroup/unified to a v1 hierarchy so that crun accepts the layout"
	mkdir -p /sys/fs/cgroup/hugetlb
	if mount -t cgroup -o hugetlb none /sys/fs/cgroup/hugetlb 2>/dev/null; then
		moved_hugetlb=1
	else
		# other users' cgroup2 children enable hugetlb (docker's, podman's): it cannot move.
		# All four runtimes then run in a private mount namespace without the cgroup2 mount.
		echo "note: hugetlb cannot leave cgroup2; every runtime runs without the cgroup2 mount (private mount namespace)"
		rm -rf "$W"
		trap - EXIT
		exec unshare -m --propagation private env HR_BENCH_NO_UNIFIED=1 bash "$0" "$HR"
	fi
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
# level 0: the bundle as given, as crun and runc run it
echo '{"level": 0}' >"$W/level0.json"
chmod 644 "$W/level0.json"
L2="$HR $G"
L0="$HR $G --policy $W/level0.json"

cycle() { # "runtime [flags]" state-dir: what containerd's shim does for one short-lived container
	local r="$1 --root $W/state-$2"
	echo "$r create --bundle $W/bundle bench </dev/null >/dev/null 2>&1 && $r start bench && while $r state bench | grep -q '\"running\"'; do :; done; $r delete bench"
}
parallel() { # "runtime [flags]" state-dir: PAR containers started at once, each `run` to its end
	echo "for i in \$(seq $PAR); do $1 --root $W/state-$2 run --bundle $W/bundle p\$i </dev/null >/dev/null & done; wait"
}

cd "$W"
hyperfine -N --warmup 3 --runs "$RUNS" -i --export-json "$W/run.json" \
	-n hardrun-L2 "$L2 --root $W/state-hardrun run --bundle $W/bundle bench" \
	-n hardrun-L0 "$L0 --root $W/state-hardrun run --bundle $W/bundle bench" \
	-n crun "crun $G --root $W/state-crun run --bundle $W/bundle bench" \
	-n runc "runc $G --root $W/state-runc run --bundle $W/bundle bench" >/dev/null
# one id for every cycle, as a shim that reuses it: its quick exits of unknown status would
# trip hardrun's restart cap (create refused) after a few, so its ledger is emptied, untimed
hyperfine --warmup 3 --runs "$RUNS" -i --export-json "$W/cycle.json" \
	--prepare "rm -f $W/state-hardrun/.hardrun-restarts/bench.json" \
	-n hardrun-L2 "$(cycle "$L2" hardrun)" -n hardrun-L0 "$(cycle "$L0" hardrun)" \
	-n crun "$(cycle "crun $G" crun)" -n runc "$(cycle "runc $G" runc)" >/dev/null
hyperfine --warmup 2 --runs "$(((RUNS + 3) / 4))" -i --export-json "$W/par.json" \
	-n hardrun-L2 "$(parallel "$L2" hardrun)" -n hardrun-L0 "$(parallel "$L0" hardrun)" \
	-n crun "$(parallel "crun $G" crun)" -n runc "$(parallel "runc $G" runc)" >/dev/null

report() { # json title: medians of the runs that exited 0, and how many did not
	python3 - "$1" "$2" <<'PY'
import json, statistics, sys
res = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
def med(k):
	r = res[k]
	ok = [t for t, c in zip(r["times"], r["exit_codes"]) if c == 0]
	return statistics.median(ok) * 1000, len(r["times"]) - len(ok)
crun, fc = med("crun")
runc, fr = med("runc")
for k in ("hardrun-L2", "hardrun-L0"):
	m, f = med(k)
	print("%-28s %s %7.2f ms  crun %7.2f ms  runc %7.2f ms  /crun %.2f  /runc %.2f  failed (this/crun/runc) %d/%d/%d"
	      % (sys.argv[2], k, m, crun, runc, m / crun, m / runc, f, fc, fr))
PY
}
[ -n "${HR_BENCH_NO_UNIFIED:-}" ] && echo "(all four without the cgroup2 mount: nine v1 hierarchies)"
echo "medians, $RUNS runs each, $(stat -fc %T /sys/fs/cgroup), ${G:-cgroupfs driver} ($(((RUNS + 3) / 4)) of the $PAR-at-once batch), $(nproc) cores, $(uname -r), $(date -u +%F)"
report "$W/run.json" "run /bin/true"
report "$W/cycle.json" "create+start+wait+delete"
report "$W/par.json" "$PAR x run at once (batch)"
