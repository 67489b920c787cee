#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# hardrun behind the real podman (Debian's podman 4.3 with conmon): rootful,
# daemonless, storage and run root under a temp dir, every container without
# a network (netns "none").  The runtime is given by name in containers.conf
# (with runtime_supports_json, so podman passes --log-format=json --log) and by
# path with --runtime (no JSON log: podman reads errors from stderr).  An
# argv-logging wrapper proves that hardrun served every call.
. "$(dirname "$0")/lib.sh"
cl_init podman
cl_install podman conmon catatonit busybox-static bsdutils

RT=$W/bin/hardrun
cl_wrapper "$RT"
# by path, under a name podman does not know: no JSON log, errors from stderr
RTP=$W/path/hr-by-path
cl_wrapper "$RTP"
cl_podman_conf hardrun "hardrun=$RT"
P=("${PM[@]}")
pm() { "${P[@]}" "$@"; }
podman_cleanup() {
	pm rm -af -t 0
	# podman unmounts its overlay layers only on request
	pm system reset -f
}
CL_CLEANUP_HOOK=podman_cleanup

tar=$W/busybox.tar
cl_busybox_tar "$tar"
pm import --change 'CMD ["/bin/sh"]' "$tar" test/busybox >/dev/null || cl_die "podman import failed"
st() { pm inspect -f "$1" "$2"; }

cl_match "podman info: the runtime by name is hardrun" "path: $RT" "$(pm info 2>/dev/null)"

# --- run, stdin, detach
out=$(pm run --rm test/busybox sh -c 'echo hello from hardrun; exit 42')
cl_eq "run --rm: exit status 42" 42 $?
cl_eq "run --rm: output" "hello from hardrun" "$out"
cl_eq "run -i: stdin reaches the workload" "piped line" "$(echo 'piped line' | pm run --rm -i test/busybox cat)"
out=$("${P[@]}" --runtime "$RTP" run --rm test/busybox sh -c 'echo by path; exit 7')
cl_eq "--runtime PATH: exit status 7" 7 $?
cl_eq "--runtime PATH: output" "by path" "$out"

pm run -d --name d1 test/busybox sh -c 'echo started; exec sleep 300' >/dev/null
cl_eq "run -d: running" running "$(st '{{.State.Status}}' d1)"
cl_eq "run -d: served by hardrun" "$RT" "$(st '{{.OCIRuntime}}' d1 | sed "s|^hardrun\$|$RT|")"
d1_id=$(st '{{.Id}}' d1)
[ -f "/run/hardrun/$d1_id/state.json" ]
cl_eq "run -d: hardrun's state dir" 0 $?

# --- exec
pm exec d1 sh -c 'exit 3'
cl_eq "exec: exit status 3" 3 $?
cl_eq "exec: output" "in d1" "$(pm exec d1 echo in d1)"
out=$(script -qec "${P[*]} exec -t d1 tty" /dev/null | tr -d '\r')
cl_match "exec -t: a pty" '^/dev/pts/[0-9]+$' "$out"

# --- logs, top
cl_eq "logs" started "$(pm logs d1)"
cl_match "top" 'sleep 300' "$(pm top d1)"

# --- pause / unpause, update
pm pause d1 >/dev/null
cl_eq "pause: status" paused "$(st '{{.State.Status}}' d1)"
pm unpause d1 >/dev/null
cl_eq "unpause: exec works again" back "$(pm exec d1 echo back)"
pm update --memory 48m --memory-swap 48m d1 >/dev/null
cl_eq "update --memory: seen from inside" 50331648 "$(pm exec d1 cat $CL_IN_MEM)"

# --- stop of a workload that ignores TERM, rm -f of a running container
pm run -d --name t1 test/busybox sh -c 'trap "" TERM; while true; do sleep 1; done' >/dev/null
pm stop -t 2 t1 >/dev/null 2>&1
cl_eq "stop -t 2: TERM ignored, killed: 137" 137 "$(st '{{.State.ExitCode}}' t1)"
pm rm t1 >/dev/null
pm rm -f -t 0 d1 >/dev/null
cl_eq "rm -f of a running container" "" "$(pm ps -aq --filter name=d1)"
cl_eq "rm -f: hardrun's state dir is gone" "" "$(ls /run/hardrun 2>/dev/null | grep -x "$d1_id")"

# --- a terminal for the init
out=$(script -qec "${P[*]} run --rm -t test/busybox tty" /dev/null | tr -d '\r')
cl_match "run -t: the init's stdio is a pty" '^/dev/pts/[0-9]+$' "$out"
out=$(script -qec "${P[*]} run --rm -it test/busybox sh -c 'read x; echo got \$x'" /dev/null <<<"typed" | tr -d '\r')
cl_match "run -it: typed input reaches the init" '^got typed$' "$out"

# --- hardening flags, seen from inside
out=$(pm run --rm --read-only --cap-drop all --pids-limit 20 -m 64m --security-opt no-new-privileges test/busybox sh -c "
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

out=$(pm run --rm --pids-limit 10 test/busybox sh -c 'for i in $(seq 20); do sleep 5 & done; echo done' 2>&1)
cl_match "--pids-limit 10: the 10th fork fails" "can't fork" "$out"

pm run --name oom1 -m 32m --memory-swap 32m test/busybox sh -c 'x=a; while true; do x=$x$x; done'
cl_eq "-m 32m: OOM kill, exit 137" 137 $?
# conmon 2.1.6 misses the OOM event in this hybrid cgroup layout whichever runtime it runs
# (OOMKilled=false with runc too): hardrun must report what runc does
pm --runtime /usr/sbin/runc run --name oom2 -m 32m --memory-swap 32m test/busybox sh -c 'x=a; while true; do x=$x$x; done'
cl_eq "-m 32m: OOMKilled as with runc" "$(st '{{.State.OOMKilled}}' oom2)" "$(st '{{.State.OOMKilled}}' oom1)"
pm rm oom1 oom2 >/dev/null

cl_eq "--init --user 65534: catatonit as podman-init" "65534 podman-init" "$(pm run --rm --init --user 65534 test/busybox sh -c 'echo $(id -u) $(cat /proc/1/comm)')"

# --- errors: through the JSON log (by name) and through stderr (by path)
out=$(pm run --rm test/busybox /no/such/binary 2>&1)
cl_eq "error: missing executable is 127" 127 $?
cl_match "error: hardrun's own line, from the JSON log" 'exec `/no/such/binary`: no such file or directory' "$out"
out=$("${P[@]}" --runtime "$RTP" run --rm test/busybox /no/such/binary 2>&1)
cl_eq "error by path: 127" 127 $?
cl_match "error by path: hardrun's line, from stderr" 'hardrun: create `[0-9a-f]{64}`: exec `/no/such/binary`: no such file or directory' "$out"

# --- --cgroups=disabled: podman passes --cgroup-manager disabled.  The default
# policy's memory, pids and CPU limits need a cgroup: refused, fail-closed, on
# one line that names the policy's level and control, the limit it added, and
# the exemption for this very container (the runtime side of --cgroup-manager
# disabled is tested in it_lifecycle)
out=$(pm run --rm --cgroups=disabled test/busybox true 2>&1)
cl_match "--cgroups=disabled under the default policy: refused, naming the policy and the exemption" \
	'hardrun: create `([0-9a-f]{64})`: config\.json: linux\.resources\.memory: cannot be applied with --cgroup-manager disabled: the policy \(level 2, control 3\.14\) added linux\.resources\.memory\.limit [0-9]+; exempt the container in `/[^`]+`: "exemptions": \[\{"id": "\1", "controls": \["3\.14"\]\}\]' "$out"

# --- restart policy: four attempts
pm run -d --name rs1 --restart on-failure:3 test/busybox sh -c 'exit 1' >/dev/null
rs1_id=$(st '{{.Id}}' rs1)
cl_wait_for 60 sh -c "[ \"\$(${P[*]} inspect -f '{{.RestartCount}} {{.State.Status}}' rs1)\" = '3 exited' ]"
cl_eq "--restart on-failure:3: restarts and final status" "3 exited 1" \
	"$(st '{{.RestartCount}} {{.State.Status}} {{.State.ExitCode}}' rs1)"
cl_eq "--restart on-failure:3: four creates by hardrun" 4 "$(grep -c " create .* $rs1_id\$" "$W/argv.log")"
pm rm rs1 >/dev/null

# --- every call came to hardrun, in the shapes CLIENTS.md records
ID='[0-9a-f]{64}'
UD="$W/storage/overlay-containers/$ID/userdata"
RD="$W/runroot/overlay-containers/$ID/userdata"
J="--log-format=json --log $RD/oci-log"
cl_argv "--version" "--version"
cl_argv "create" "$J create --bundle $UD --pid-file $RD/pidfile $ID"
cl_argv "create --console-socket" "$J create --bundle $UD --pid-file $RD/pidfile --console-socket /tmp/conmon-term\\.[0-9A-Za-z]+ $ID"
cl_argv "create --cgroup-manager disabled" "$J --cgroup-manager disabled create --bundle $UD --pid-file $RD/pidfile $ID"
cl_argv "create by path (no JSON log)" "create --bundle $UD --pid-file $RD/pidfile $ID"
[ "$(grep -c . "$W/argv.log")" -gt 0 ] && ! grep -qvE -- "$ID|^--version\$" "$W/argv.log"
cl_eq "every logged call names a container or is --version" 0 $?
cl_argv "start" "start $ID"
cl_argv "exec" "--log-format=json --log $UD/$ID/oci-log exec --pid-file $UD/$ID/exec_pid --process $UD/$ID/exec-process-[0-9]+ --detach $ID"
cl_argv "exec --tty --console-socket" "--log-format=json --log $UD/$ID/oci-log exec --pid-file $UD/$ID/exec_pid --process $UD/$ID/exec-process-[0-9]+ --detach --tty --console-socket .*/conmon-term\\.[0-9A-Za-z]+ $ID"
cl_argv "kill 15" "kill $ID 15"
cl_argv "kill 9" "kill $ID 9"
cl_argv "delete --force" "delete --force $ID"
cl_argv "pause" "pause $ID"
cl_argv "resume" "resume $ID"
cl_argv "update --resources=FILE" "update --resources=[^ ]+ $ID"
cl_argv_systemd
cl_no_state "nothing left in hardrun's state root" /run/hardrun

cl_done
