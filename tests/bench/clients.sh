#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# What a user waits for: `docker run --rm`, `podman run --rm` and `ctr run --rm`
# of /bin/true with hardrun, Debian's crun and runc behind them, all measured
# in one hyperfine run per client, against private daemons started as the
# client tests start them (tests/clients/lib.sh).  Prints medians and ratios.
# Not a test: nothing asserts on time.
#
# Usage (root): tests/bench/clients.sh [path/to/hardrun]   (RUNS=N, default 20)
#
# crun refuses this machine's hybrid cgroup layout while hugetlb sits on the
# cgroup2 mount; as startup.sh does, hugetlb moves to a v1 hierarchy at
# /sys/fs/cgroup/hugetlb, and stays there.
set -uo pipefail
HR_TEST_HARDRUN=$(readlink -f "${1:-$(dirname "$0")/../../build/hardrun}")
export HR_TEST_HARDRUN
RUNS=${RUNS:-20}
. "$(dirname "$0")/../clients/lib.sh"
cl_init bench-clients
cl_install hyperfine docker.io containerd podman conmon crun runc busybox-static

moved_hugetlb=0
if grep -qw hugetlb /sys/fs/cgroup/unified/cgroup.controllers 2>/dev/null; then
	echo "note: moving hugetlb from /sys/fs/cgroup/unified to a v1 hierarchy so that crun accepts the layout"
	# the move needs a cgroup2 tree without children: runc leaves its engines' empty
	# parents there (docker, libpod_parent, ...); rmdir takes only unused ones
	find /sys/fs/cgroup/unified -mindepth 1 -depth -type d -exec rmdir -v {} \; 2>/dev/null
	# and hugetlb not enabled for children (hardrun and runc enable it to set hugetlb limits)
	echo -hugetlb >/sys/fs/cgroup/unified/cgroup.subtree_control 2>/dev/null
	mkdir -p /sys/fs/cgroup/hugetlb
	mount -t cgroup -o hugetlb none /sys/fs/cgroup/hugetlb && moved_hugetlb=1
fi
bench_cleanup() {
	/usr/bin/docker rm -f $(/usr/bin/docker ps -aq) 2>/dev/null
	"${PM[@]}" rm -af -t 0 2>/dev/null
	"${PM[@]}" system reset -f 2>/dev/null
	# hugetlb stays on its v1 hierarchy: unmounted, the kernel keeps the hierarchy alive
	# out of sight, and containerd then cannot load any container's cgroups (no OOM events)
	[ $moved_hugetlb -eq 1 ] && echo "note: hugetlb stays mounted at /sys/fs/cgroup/hugetlb (v1)"
}
CL_CLEANUP_HOOK=bench_cleanup

cat >"$W/daemon.json" <<EOF
{ "runtimes": { "hardrun": { "path": "$HR" }, "crun": { "path": "/usr/bin/crun" } } }
EOF
cl_start_dockerd
cl_start_containerd
cl_podman_conf hardrun "hardrun=$HR"
cl_busybox_tar "$W/busybox.tar"
cl_oci_image "$W/image.tar" docker.io/test/busybox:latest
/usr/bin/docker import "$W/busybox.tar" test/busybox >/dev/null || cl_die "docker import failed"
"${PM[@]}" import "$W/busybox.tar" test/busybox >/dev/null || cl_die "podman import failed"
CTR=(ctr -a "$W/containerd.sock" -n bench)
"${CTR[@]}" image import "$W/image.tar" >/dev/null || cl_die "ctr image import failed"

declare -A BIN=([hardrun]=$HR [crun]=/usr/bin/crun [runc]=/usr/sbin/runc)
cmds() { # client runtime
	case $1 in
	docker) echo "/usr/bin/docker run --rm --network none --runtime $2 test/busybox /bin/true" ;;
	podman) echo "${PM[*]} --runtime ${BIN[$2]} run --rm test/busybox /bin/true" ;;
	ctr) echo "${CTR[*]} run --rm --runtime io.containerd.runc.v2 --runc-binary ${BIN[$2]} --runc-root $W/runc-root-$2 docker.io/test/busybox:latest b-$2 /bin/true" ;;
	esac
}
echo "medians over $RUNS runs each, $(nproc) cores, $(uname -r), $(date -u +%F), hardrun $(git -C "$(dirname "$0")" rev-parse --short HEAD 2>/dev/null)"
for client in docker podman ctr; do
	args=()
	for r in hardrun crun runc; do
		c=$(cmds $client $r)
		# each must work before it is timed
		$c >/dev/null 2>&1 || cl_die "$client with $r failed: $c"
		rm -f "$W/runc-root-hardrun/bench/.hardrun-restarts/b-hardrun.json"
		args+=(-n "$r" "$c")
	done
	# ctr reuses the container id, and the shim reaps the init: to hardrun every quick exit
	# of an unknown status counts against the restart cap, so the ledger is emptied
	# before each run (untimed)
	prep=()
	[ $client = ctr ] && prep=(--prepare "rm -f $W/runc-root-hardrun/bench/.hardrun-restarts/b-hardrun.json")
	hyperfine -N --warmup 3 --runs "$RUNS" "${prep[@]}" --export-csv "$W/$client.csv" "${args[@]}" >"$W/hyperfine-$client.log" 2>&1 || { tail -5 "$W/hyperfine-$client.log"; 
		cl_die "hyperfine $client failed"; }
	awk -F, -v title="$client run --rm" 'NR > 1 { med[$1] = $4 * 1000 }
		END {
			printf "%-18s hardrun %7.1f ms   crun %7.1f ms   runc %7.1f ms   hardrun/crun %.2f   hardrun/runc %.2f\n",
				title, med["hardrun"], med["crun"], med["runc"], med["hardrun"] / med["crun"], med["hardrun"] / med["runc"]
		}' "$W/$client.csv"
done
