#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# hardrun behind the real containerd (Debian's containerd 1.6) and ctr, through
# containerd-shim-runc-v2 with --runc-binary, as Kubernetes' RuntimeClass
# reaches it: a private containerd on unix sockets under a temp dir (the CRI
# plugin off), an OCI image made here and imported, containers without a
# network (ctr's default), stopped by pid.  An argv-logging wrapper proves that
# hardrun served every call.
. "$(dirname "$0")/lib.sh"
cl_init containerd
cl_install containerd busybox-static bsdutils

RT=$W/bin/hardrun
cl_wrapper "$RT"
RUNC_ROOT=$W/runc-root
# ctr's pty may echo script's end of input as a literal ^@ before the output
PTY_RE='^(\^@)?/dev/pts/[0-9]+$'
C=(ctr -a "$W/containerd.sock" -n test)
ct() { "${C[@]}" "$@"; }
IMG=docker.io/test/busybox:latest
# with the host's defaults on a systemd host, the runc shim's systemd cgroup
# option (the SystemdCgroup = true of Kubernetes' containerd) and a
# slice:prefix:name path for the container NAME
sd_() { [ $CL_SYSTEMD = 1 ] && echo "--runc-systemd-cgroup --cgroup system.slice:hrtest:$1"; }
# the runc shim with hardrun as its runc, and the state root it shares with runc;
# the container's name is the argument after the image
crun_() {
	local a prev= sd=()
	for a in "$@"; do
		[ "$prev" = "$IMG" ] && read -ra sd <<<"$(sd_ "$a")"
		prev=$a
	done
	ct run --runtime io.containerd.runc.v2 --runc-binary "$RT" --runc-root "$RUNC_ROOT" "${sd[@]}" "$@"
}
containerd_cleanup() {
	local t
	for t in $(ct task ls -q); do ct task kill -a -s SIGKILL "$t"; done
	sleep 0.5
	for t in $(ct task ls -q); do ct task rm -f "$t"; done
	for t in $(ct container ls -q); do ct container rm "$t"; done
}
CL_CLEANUP_HOOK=containerd_cleanup

cl_start_containerd
cl_oci_image "$W/image.tar" "$IMG"
ct image import "$W/image.tar" >/dev/null || cl_die "ctr image import failed"

# --- run, output and exit status
out=$(crun_ --rm "$IMG" r1 sh -c 'echo hello from hardrun; exit 42')
cl_eq "run --rm: exit status 42" 42 $?
cl_eq "run --rm: output" "hello from hardrun" "$out"
cl_eq "run --rm: nothing left in --runc-root" "" "$(ls "$RUNC_ROOT/test" 2>/dev/null)"

# --- a detached task: exec, ps, pause/resume, kill -a
crun_ -d "$IMG" d1 sh -c 'exec sleep 300' >/dev/null
cl_wait_for 20 sh -c "${C[*]} task ls | grep -q '^d1 .*RUNNING'"
cl_match "run -d: RUNNING" '^d1 +[0-9]+ +RUNNING' "$(ct task ls)"
[ -f "$RUNC_ROOT/test/d1/state.json" ]
cl_eq "run -d: hardrun's state dir in --runc-root" 0 $?
ct task exec --exec-id e1 d1 sh -c 'exit 3'
cl_eq "task exec: exit status 3" 3 $?
cl_eq "task exec: output" "in d1" "$(ct task exec --exec-id e2 d1 echo in d1)"
# the process outlives its output by a moment: ctr attaches to the pty master after the
# start, and a tty that is gone before that loses what it wrote (seen once in 6 runs)
out=$(script -qec "${C[*]} task exec -t --exec-id e3 d1 sh -c 'tty; sleep 1'" /dev/null | tr -d '\r')
cl_match "task exec -t: a pty" "$PTY_RE" "$out"
pid=$(ct task ls | awk '$1 == "d1" {print $2}')
cl_match "task ps: the init's host pid" "^$pid( |\$)" "$(ct task ps d1)"
ct task pause d1
cl_match "task pause: PAUSED" '^d1 +[0-9]+ +PAUSED' "$(ct task ls)"
ct task resume d1
cl_match "task resume: RUNNING" '^d1 +[0-9]+ +RUNNING' "$(ct task ls)"

# checkpoint is refused in one clear line, and the task keeps running
out=$(ct task checkpoint d1 2>&1)
cl_match "task checkpoint: refused by hardrun" 'hardrun: checkpoint: not supported by hardrun \(no CRIU support\)' "$out"
cl_match "task checkpoint: the task still runs" '^d1 +[0-9]+ +RUNNING' "$(ct task ls)"

ct task kill -a -s SIGKILL d1
cl_wait_for 20 sh -c "${C[*]} task ls | grep -q '^d1 .*STOPPED'"
cl_match "task kill -a: STOPPED" '^d1 +[0-9]+ +STOPPED' "$(ct task ls)"
ct task rm d1 >/dev/null
ct container rm d1
cl_eq "task rm: hardrun's state dir is gone" "" "$(ls "$RUNC_ROOT/test" 2>/dev/null)"

# task rm -f of a running task
crun_ -d "$IMG" d2 sleep 300 >/dev/null
cl_wait_for 20 sh -c "${C[*]} task ls | grep -q '^d2 .*RUNNING'"
ct task rm -f d2 >/dev/null
cl_eq "task rm -f of a running task" "" "$(ct task ls -q)"
ct container rm d2

# --- a terminal, read-only rootfs, memory limit
out=$(script -qec "${C[*]} run --rm -t --runtime io.containerd.runc.v2 --runc-binary $RT --runc-root $RUNC_ROOT $(sd_ t1) $IMG t1 tty" /dev/null | tr -d '\r')
cl_match "run -t: the init's stdio is a pty" "$PTY_RE" "$out"
out=$(crun_ --rm --read-only "$IMG" ro1 sh -c 'touch /x 2>&1; grep -E "^(NoNewPrivs|Seccomp):" /proc/self/status')
# ctr's spec has no seccomp filter: the default policy's is the one loaded
cl_eq "run --read-only" "touch: /x: Read-only file system
NoNewPrivs:	1
Seccomp:	2" "$out"
# ctr's spec mounts no cgroupfs: read the limit from the host, through the task's cgroup
crun_ -d --memory-limit 67108864 "$IMG" m1 sleep 300 >/dev/null
cl_wait_for 20 sh -c "${C[*]} task ls | grep -q '^m1 .*RUNNING'"
pid=$(ct task ls | awk '$1 == "m1" {print $2}')
cl_eq "run --memory-limit: the task's memory cgroup" 67108864 "$(cat "$(cl_cgroup_file "$pid" memory memory.limit_in_bytes memory.max)")"
ct task rm -f m1 >/dev/null
ct container rm m1
crun_ --rm --memory-limit 33554432 "$IMG" m2 sh -c 'x=a; while true; do x=$x$x; done'
cl_eq "run --memory-limit: OOM kill, exit 137" 137 $?

# --- an error reaches the ctr user through the JSON --log file
out=$(crun_ --rm "$IMG" e1 /no/such/binary 2>&1)
cl_match "error: hardrun's own line is shown by ctr" 'create `e1`: exec `/no/such/binary`: no such file or directory' "$out"
cl_eq "error: nothing left in --runc-root" "" "$(ls "$RUNC_ROOT/test" 2>/dev/null)"

# --- the restart cap under the shim: the shim reaps the init, hardrun's exit watcher
# still gives delete its status, so clean exits of one id never count (policy level 2:
# 5 failures in 300 s) and failures are named as such.  On a kernel without
# PIDFD_GET_INFO there is no watcher: the status is unknown and the cap counts quick
# restarts, saying so (probed here, as the host has it)
cl_kernel_exit_info
exit_info=$?
[ $exit_info -le 1 ] || cl_die "the PIDFD_GET_INFO probe failed"
unknown='refused by policy \(restart\): container `%s` restarted 5 times in the last 300 s, each run shorter than 10 s \(exit status unknown to hardrun\)'
if [ $exit_info -eq 0 ]; then
	for i in 1 2 3 4 5 6; do
		crun_ --rm "$IMG" rc1 true
		cl_eq "restart cap: clean run $i of one id under the shim" 0 $?
	done
else
	for i in 1 2 3 4 5; do
		crun_ --rm "$IMG" rc1 true
		cl_eq "restart cap: clean run $i of one id under the shim" 0 $?
	done
	out=$(crun_ --rm "$IMG" rc1 true 2>&1)
	# shellcheck disable=SC2059
	cl_match "restart cap: clean run 6, status unknown: refused as quick restarts" "$(printf "$unknown" rc1)" "$out"
fi
for i in 1 2 3 4 5; do crun_ --rm "$IMG" rc2 false; done
out=$(crun_ --rm "$IMG" rc2 true 2>&1)
if [ $exit_info -eq 0 ]; then
	cl_match "restart cap: five failed runs of one id are refused as failures" \
		'refused by policy \(restart\): container `rc2` failed 5 times in the last 300 s' "$out"
else
	# shellcheck disable=SC2059
	cl_match "restart cap: five failed runs, status unknown: refused as quick restarts" "$(printf "$unknown" rc2)" "$out"
fi
cl_eq "restart cap: nothing left in --runc-root" "" "$(ls "$RUNC_ROOT/test" 2>/dev/null)"

# --- every call came to hardrun, in the shapes CLIENTS.md records
B="$W/state/io.containerd.runtime.v2.task/test/[a-z0-9]+"
G="--root $RUNC_ROOT/test --log $B/log.json --log-format json"
ID='[a-z0-9]+'
cl_argv "create" "$G create --bundle $B --pid-file $B/init.pid $ID"
cl_argv "create --console-socket" "$G create --bundle $B --pid-file $B/init.pid --console-socket /tmp/pty[0-9]+/pty.sock $ID"
cl_argv "start" "$G start $ID"
cl_argv "exec" "$G exec --process /tmp/runc-process[0-9]+ --detach --pid-file $B/e[0-9].pid $ID"
cl_argv "exec --console-socket" "$G exec --process /tmp/runc-process[0-9]+ --console-socket /tmp/pty[0-9]+/pty.sock --detach --pid-file $B/e[0-9].pid $ID"
cl_argv "kill --all 9" "$G kill --all $ID 9"
cl_argv "delete" "$G delete $ID"
cl_argv "delete --force" "$G delete --force $ID"
cl_argv "pause" "$G pause $ID"
cl_argv "resume" "$G resume $ID"
cl_argv "ps --format json" "$G ps --format json $ID"
cl_argv "checkpoint" "$G checkpoint --image-path /tmp/ctd-checkpoint[0-9]+ --work-path $B/work/criu-work --leave-running $ID"
cl_argv_systemd
cl_no_state "nothing left in the --runc-root" "$RUNC_ROOT"

cl_done
