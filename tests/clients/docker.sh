#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# hardrun behind the real dockerd (Debian's docker.io, its containerd and
# containerd-shim-runc-v2): a private daemon on a unix socket under a temp dir,
# no bridge, no iptables, every container --network none, stopped by pid.
# hardrun is registered with --add-runtime and made the default runtime in
# daemon.json, so plain `docker run` lines go through it; an argv-logging
# wrapper proves that it served every call and records the argv shapes of
# CLIENTS.md.
. "$(dirname "$0")/lib.sh"
cl_init docker
cl_install docker.io containerd busybox-static bsdutils

D=/usr/bin/docker # Debian's CLI, the daemon's version
RT=$W/bin/hardrun
MOBY_ROOT=$W/dexec/runtime-runc/moby
cl_wrapper "$RT"
# daemon.json registers "hardrun" and makes it the default; --add-runtime a second name
cat >"$W/daemon.json" <<EOF
{
  "runtimes": {
    "hardrun": { "path": "$RT" },
    "hardrun-debug": { "path": "$RT", "runtimeArgs": ["--debug"] }
  },
  "default-runtime": "hardrun"
}
EOF

docker_cleanup() {
	local ids
	ids=$($D ps -aq 2>/dev/null)
	[ -n "$ids" ] && $D rm -f $ids
}
CL_CLEANUP_HOOK=docker_cleanup

cl_start_dockerd --add-runtime "hardrun-flag=$RT"

tar=$W/busybox.tar
cl_busybox_tar "$tar"
$D import --change 'CMD ["/bin/sh"]' "$tar" test/busybox >/dev/null || cl_die "docker import failed"
run() { $D run --network none "$@"; }
st() { $D inspect -f "$1" "$2"; }

# --- run, stdin, detach
out=$(run --rm test/busybox sh -c 'echo hello from hardrun; exit 42')
cl_eq "run --rm: exit status 42" 42 $?
cl_eq "run --rm: output" "hello from hardrun" "$out"
cl_eq "run --rm --runtime hardrun-flag (--add-runtime)" "explicit" "$(run --rm --runtime hardrun-flag test/busybox echo explicit)"

cl_eq "run --runtime hardrun-debug (runtimeArgs)" "with args" "$(run --rm --runtime hardrun-debug test/busybox echo with args)"
cl_eq "run -i: stdin reaches the workload" "piped line" "$(echo 'piped line' | run --rm -i test/busybox cat)"

run -d --name d1 test/busybox sh -c 'echo started; exec sleep 300' >/dev/null
cl_eq "run -d: running" true "$(st '{{.State.Running}}' d1)"
cl_eq "run -d: served by hardrun" hardrun "$(st '{{.HostConfig.Runtime}}' d1)"
d1_id=$(st '{{.Id}}' d1)
[ -f "$MOBY_ROOT/$d1_id/state.json" ]
cl_eq "run -d: hardrun's state dir in runc's --root" 0 $?

# --- exec
$D exec d1 sh -c 'exit 3'
cl_eq "exec: exit status 3" 3 $?
cl_eq "exec: output" "in d1" "$($D exec d1 echo in d1)"
out=$(script -qec "$D exec -t d1 tty" /dev/null | tr -d '\r')
cl_match "exec -t: a pty" '^/dev/pts/[0-9]+$' "$out"

# --- logs, top
cl_eq "logs" started "$($D logs d1)"
cl_match "top: docker top lists the workload" 'sleep 300' "$($D top d1)"

# --- pause / unpause
$D pause d1 >/dev/null
cl_eq "pause: status" paused "$(st '{{.State.Status}}' d1)"
cl_eq "pause: freezer" FROZEN "$($D exec d1 true 2>/dev/null; cl_frozen "$(st '{{.State.Pid}}' d1)")"
$D unpause d1 >/dev/null
cl_eq "unpause: status" running "$(st '{{.State.Status}}' d1)"
cl_eq "unpause: exec works again" back "$($D exec d1 echo back)"

# --- update
$D update --memory 48m --memory-swap 48m --pids-limit 30 d1 >/dev/null
cl_eq "update: memory and pids seen from inside" "50331648 30" \
	"$($D exec d1 cat $CL_IN_MEM $CL_IN_PIDS | xargs)"

# --- a runc container beside hardrun's in the same --root
run -d --runtime runc --name rc1 test/busybox sleep 300 >/dev/null
cl_eq "runc beside hardrun: runc container runs" "runc ok" "$($D exec rc1 echo runc ok)"
rc1_id=$(st '{{.Id}}' rc1)
out=$("$HR" --root "$MOBY_ROOT" list -q)
cl_eq "shared --root: hardrun lists only its own containers" "$d1_id" "$out"
$D rm -f rc1 >/dev/null
cl_eq "shared --root: runc's container removed by runc" "" "$(ls "$MOBY_ROOT" | grep -x "$rc1_id")"

# --- stop of a workload that ignores TERM, rm -f of a running container
run -d --name t1 test/busybox sh -c 'trap "" TERM; while true; do sleep 1; done' >/dev/null
$D stop -t 2 t1 >/dev/null
cl_eq "stop -t 2: TERM ignored, killed: 137" 137 "$(st '{{.State.ExitCode}}' t1)"
$D rm t1 >/dev/null
$D rm -f d1 >/dev/null
cl_eq "rm -f of a running container" "" "$($D ps -aq --filter name=d1)"

# --- a terminal for the init
out=$(script -qec "$D run --rm --network none -t test/busybox tty" /dev/null | tr -d '\r')
cl_match "run -t: the init's stdio is a pty" '^/dev/pts/[0-9]+$' "$out"
out=$(script -qec "$D run --rm --network none -it test/busybox sh -c 'read x; echo got \$x'" /dev/null <<<"typed" | tr -d '\r')
cl_match "run -it: typed input reaches the init" '^got typed$' "$out"

# --- hardening flags, seen from inside
out=$(run --rm --read-only --cap-drop all --pids-limit 20 -m 64m --security-opt no-new-privileges test/busybox sh -c "
	grep -E '^(CapEff|CapBnd|NoNewPrivs|Seccomp):' /proc/self/status
	touch /x 2>&1
	cat $CL_IN_PIDS $CL_IN_MEM")
want="CapEff:	0000000000000000
CapBnd:	0000000000000000
NoNewPrivs:	1
Seccomp:	2
touch: /x: Read-only file system
20
67108864"
cl_eq "--read-only --cap-drop all --pids-limit 20 -m 64m --security-opt no-new-privileges" "$want" "$out"

out=$(run --rm --pids-limit 10 test/busybox sh -c 'for i in $(seq 20); do sleep 5 & done; echo done' 2>&1)
cl_match "--pids-limit 10: the 10th fork fails" "can't fork" "$out"

run --name oom1 -m 32m --memory-swap 32m test/busybox sh -c 'x=a; while true; do x=$x$x; done'
cl_eq "-m 32m: OOM kill, exit 137" 137 $?
cl_eq "-m 32m: OOMKilled" true "$(st '{{.State.OOMKilled}}' oom1)"
$D rm oom1 >/dev/null

cl_eq "--init --user 65534" "65534 docker-init" "$(run --rm --init --user 65534 test/busybox sh -c 'echo $(id -u) $(cat /proc/1/comm)')"

# --- errors reach the docker user through the JSON --log file
out=$(run --rm test/busybox /no/such/binary 2>&1)
cl_eq "error: missing executable is 127" 127 $?
cl_match "error: hardrun's own line is shown by docker" 'create `[0-9a-f]{64}`: exec `/no/such/binary`' "$out"
cl_no_state "error: a failed create leaves no state dir" "$MOBY_ROOT"

# --- restart policy: four attempts
run -d --name rs1 --restart on-failure:3 test/busybox sh -c 'exit 1' >/dev/null
rs1_id=$(st '{{.Id}}' rs1)
cl_wait_for 60 sh -c "[ \"\$($D inspect -f '{{.RestartCount}} {{.State.Status}}' rs1)\" = '3 exited' ]"
cl_eq "--restart on-failure:3: restarts and final status" "3 exited 1" \
	"$(st '{{.RestartCount}} {{.State.Status}} {{.State.ExitCode}}' rs1)"
cl_eq "--restart on-failure:3: four creates by hardrun" 4 "$(grep -c " create .* $rs1_id\$" "$W/argv.log")"
$D rm rs1 >/dev/null

# --- no hardening flags: hardrun's default policy (issue #5), seen through docker
run -d --name a1 test/busybox sleep 300 >/dev/null
out=$("$HR" --root "$MOBY_ROOT" audit "$(st '{{.Id}}' a1)")
cl_eq "audit of a plain docker run at level 2: exit status 0" 0 $?
cl_eq "audit of a plain docker run at level 2: no FAIL row" "" "$(echo "$out" | grep -w FAIL)"
cl_match "audit: a user namespace of its own, from the kernel" '^3\.2 +L2 +PASS ' "$out"
$D rm -f a1 >/dev/null
out=$(run --rm --privileged test/busybox true 2>&1)
cl_match "--privileged: refused by the policy, shown by docker" 'refused by policy \(CSVS 3\.[0-9]+\): ' "$out"
out=$(run --rm -v "$W/docker.sock:/var/run/docker.sock" test/busybox true 2>&1)
cl_match "-v docker.sock: refused by the policy, shown by docker" 'refused by policy \(CSVS 3\.15\): bind mount of [^ ]*docker\.sock' "$out"
cl_no_state "refusals leave no state dir" "$MOBY_ROOT"

# a crash loop under --restart always stops at the policy's restart cap
cap=$("$HR" policy show | sed -n 's/.*"max_failures": *\([0-9]*\).*/\1/p')
run -d --name crash --restart always test/busybox false >/dev/null
cl_wait_for 90 sh -c "[ \"\$($D inspect -f '{{.State.Restarting}} {{.State.Status}}' crash)\" = 'false exited' ]"
cl_eq "--restart always: docker gives up after the cap ($cap failures)" "exited $cap" "$(st '{{.State.Status}} {{.RestartCount}}' crash)"
# without PIDFD_GET_INFO (Linux < 6.15, probed) the status is unknown: the cap counts quick restarts
cl_kernel_exit_info
case $? in
0) why="failed $cap times" ;;
1) why="restarted $cap times in the last [0-9]+ s, each run shorter than [0-9]+ s \\(exit status unknown to hardrun\\)" ;;
*) cl_die "the PIDFD_GET_INFO probe failed" ;;
esac
cl_match "--restart always: hardrun's refusal is the container's error" \
	"refused by policy \\(restart\\): container \`[0-9a-f]{64}\` $why" "$(st '{{.State.Error}}' crash)"
$D rm -f crash >/dev/null

# --- every call came to hardrun, in the shapes CLIENTS.md records
# dockerd starts a containerd of its own unless the host runs one on
# /run/containerd/containerd.sock (Debian's containerd.service; dockerd looks
# for that socket): the shim's task dirs are that containerd's
if [ -S /run/containerd/containerd.sock ]; then
	T="/run/containerd/io.containerd.runtime.v2.task/moby"
else
	T="$W/dexec/containerd/daemon/io.containerd.runtime.v2.task/moby"
fi
G="--root $MOBY_ROOT --log $T/[0-9a-f]{64}/log.json --log-format json"
B="$T/[0-9a-f]{64}"
cl_argv "runtimeArgs before --root" "--debug $G create --bundle $B --pid-file $B/init.pid [0-9a-f]{64}"
cl_argv "create" "$G create --bundle $B --pid-file $B/init.pid [0-9a-f]{64}"
cl_argv "create --console-socket" "$G create --bundle $B --pid-file $B/init.pid --console-socket /tmp/pty[0-9]+/pty.sock [0-9a-f]{64}"
cl_argv "start" "$G start [0-9a-f]{64}"
cl_argv "exec" "$G exec --process /tmp/runc-process[0-9]+ --detach --pid-file $B/[0-9a-f]{64}.pid [0-9a-f]{64}"
cl_argv "exec --console-socket" "$G exec --process /tmp/runc-process[0-9]+ --console-socket /tmp/pty[0-9]+/pty.sock --detach --pid-file $B/[0-9a-f]{64}.pid [0-9a-f]{64}"
cl_argv "kill 15" "$G kill [0-9a-f]{64} 15"
cl_argv "kill 9" "$G kill [0-9a-f]{64} 9"
cl_argv "delete" "$G delete [0-9a-f]{64}"
cl_argv "delete --force" "$G delete --force [0-9a-f]{64}"
cl_argv "pause" "$G pause [0-9a-f]{64}"
cl_argv "resume" "$G resume [0-9a-f]{64}"
cl_argv "ps --format json" "$G ps --format json [0-9a-f]{64}"
cl_argv "update --resources -" "$G update --resources - [0-9a-f]{64}"
cl_argv_systemd
cl_no_state "nothing left in the shared --root" "$MOBY_ROOT"

cl_done
