#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The systemd cgroup driver on the VM test host (systemd 252, cgroup v2):
# a --systemd-cgroup container's scope exists while it runs (systemctl
# show) with Delegate=yes, the init in it and the limits both as unit
# properties and in the scope's files; pause/resume, update (unit and
# files), ps, events --stats and exec inside the scope; delete leaves no
# unit and no cgroup; the default path and the policy's limits; an existing
# unit of the same name is refused and left alone; kill -9 of hardrun during
# create followed by delete --force leaves no unit.
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=hrlib.bash
. "$here/hrlib.bash"

[ -d /run/systemd/system ] || { bad "systemd is not running in this VM"; finish; exit 1; }
echo '{"level": 0}' >"$WORK/pass.json"
chmod 0644 "$WORK/pass.json"
P=(--policy "$WORK/pass.json")

# --- 1. the scope of a running container, its limits, pause/update/exec/events, delete
B=$WORK/b1
mkbundle "$B" 'c["linux"]["cgroupsPath"] = "system.slice:hrvm:sd1"' \
	'c["linux"]["resources"].update({"memory": {"limit": 67108864, "reservation": 33554432, "swap": 134217728}, "pids": {"limit": 50}, "cpu": {"quota": 50000, "period": 100000, "shares": 512, "cpus": "0"}})'
U=hrvm-sd1.scope
CG=/sys/fs/cgroup/system.slice/$U
# into a file: the init keeps create's stdio, so $(...) would wait for the container to exit
hr "${P[@]}" --systemd-cgroup create --bundle "$B" sd1 >"$WORK/create.out" 2>&1
eq "create --systemd-cgroup status" "$?" 0
[ -s "$WORK/create.out" ] && bad "create printed: $(cat "$WORK/create.out")"
eq "ActiveState of $U" "$(unit_prop $U ActiveState)" active
eq "Delegate of $U" "$(unit_prop $U Delegate)" yes
eq "Slice of $U" "$(unit_prop $U Slice)" system.slice
eq "ControlGroup of $U" "$(unit_prop $U ControlGroup)" /system.slice/$U
pid=$(hr state sd1 | python3 -c 'import json,sys; print(json.load(sys.stdin)["pid"])')
eq "cgroup of the init" "$(grep '^0::' /proc/"$pid"/cgroup)" "0::/system.slice/$U"
eq "MainPID/ControlGroup holds init" "$(grep -cx "$pid" "$CG/cgroup.procs")" 1
eq "memory.max" "$(cat $CG/memory.max)" 67108864
eq "memory.low" "$(cat $CG/memory.low)" 33554432
eq "memory.swap.max" "$(cat $CG/memory.swap.max)" 67108864
eq "pids.max" "$(cat $CG/pids.max)" 50
eq "cpu.max" "$(cat $CG/cpu.max)" "50000 100000"
eq "cpu.weight" "$(cat $CG/cpu.weight)" 20
eq "cpuset.cpus" "$(cat $CG/cpuset.cpus)" 0
eq "MemoryMax of $U" "$(unit_prop $U MemoryMax)" 67108864
eq "MemoryLow of $U" "$(unit_prop $U MemoryLow)" 33554432
eq "MemorySwapMax of $U" "$(unit_prop $U MemorySwapMax)" 67108864
eq "TasksMax of $U" "$(unit_prop $U TasksMax)" 50
eq "CPUWeight of $U" "$(unit_prop $U CPUWeight)" 20
eq "CPUQuotaPerSecUSec of $U" "$(unit_prop $U CPUQuotaPerSecUSec)" 500ms
eq "AllowedCPUs of $U" "$(unit_prop $U AllowedCPUs)" 0
# a daemon-reload re-applies the unit's values: the files must not change
systemctl daemon-reload
eq "memory.max after daemon-reload" "$(cat $CG/memory.max)" 67108864
eq "pids.max after daemon-reload" "$(cat $CG/pids.max)" 50
hr start sd1
eq "start status" "$?" 0
out=$(hr exec sd1 /bin/cat /proc/self/cgroup 2>&1)
eq "exec status" "$?" 0
n=$(hr ps sd1 2>/dev/null | grep -c .)
[ "$n" -ge 2 ] && ok "ps lists processes ($n lines)" || bad "ps: $(hr ps sd1 2>&1)"
hr pause sd1
eq "pause status" "$?" 0
eq "cgroup.freeze after pause" "$(cat $CG/cgroup.freeze)" 1
eq "status after pause" "$(hr state sd1 | python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])')" paused
hr resume sd1
eq "cgroup.freeze after resume" "$(cat $CG/cgroup.freeze)" 0
hr update --memory 134217728 --pids-limit 60 sd1
eq "update status" "$?" 0
eq "memory.max after update" "$(cat $CG/memory.max)" 134217728
eq "MemoryMax after update" "$(unit_prop $U MemoryMax)" 134217728
eq "pids.max after update" "$(cat $CG/pids.max)" 60
eq "TasksMax after update" "$(unit_prop $U TasksMax)" 60
ev=$(hr events --stats sd1 2>&1)
has "events --stats" "$ev" '"type":"stats"'
has "events --stats memory" "$ev" '"memory"'
hr kill sd1 KILL
sleep 1
hr delete sd1
eq "delete status" "$?" 0
eq "LoadState after delete" "$(unit_prop $U LoadState)" not-found
[ ! -e "$CG" ] && ok "scope cgroup removed" || bad "$CG still exists"
[ ! -e "$ROOT/sd1" ] && ok "state dir removed" || bad "state dir left"

# --- 2. default cgroupsPath: hardrun-<id>.scope; the policy's limits land in the scope
# level 2's limits; its user namespace (an idmapped rootfs) is apparmor.sh's matter
echo '{"level": 2, "userns": {"enabled": false}}' >"$WORK/l2.json"
chmod 0644 "$WORK/l2.json"
B=$WORK/b2
mkbundle "$B" 'c["linux"].pop("cgroupsPath", None)'
hr --policy "$WORK/l2.json" --systemd-cgroup create --bundle "$B" sd2 >"$WORK/sd2.out" 2>&1
eq "create (level 2 policy, default path)" "$?" 0
[ -s "$WORK/sd2.out" ] && cat "$WORK/sd2.out"
U=hardrun-sd2.scope
eq "ActiveState of $U" "$(unit_prop $U ActiveState)" active
eq "policy memory limit in the scope" "$(cat /sys/fs/cgroup/system.slice/$U/memory.max)" 1073741824
eq "policy pids limit as TasksMax" "$(unit_prop $U TasksMax)" 1024
hr delete --force sd2
eq "delete --force" "$?" 0
eq "LoadState after delete --force" "$(unit_prop $U LoadState)" not-found

# --- 3. a unit of that name exists already: refused, and the other unit is left alone
systemd-run --unit=hrvm-taken --scope /bin/sleep 300 >/dev/null 2>&1 &
for _ in $(seq 150); do [ "$(unit_prop hrvm-taken.scope ActiveState)" = active ] && break; sleep 0.2; done
eq "the other unit runs" "$(unit_prop hrvm-taken.scope ActiveState)" active
B=$WORK/b3
mkbundle "$B" 'c["linux"]["cgroupsPath"] = "system.slice::hrvm-taken"'
out=$(hr "${P[@]}" --systemd-cgroup create --bundle "$B" sd3 2>&1 </dev/null)
eq "create into an existing unit: status" "$?" 1
eq "create into an existing unit: error" "$out" \
	"hardrun: create \`sd3\`: systemd cgroup driver: StartTransientUnit: systemd unit \`hrvm-taken.scope\` already exists; hardrun never joins a unit it did not create"
eq "the other unit still runs" "$(unit_prop hrvm-taken.scope ActiveState)" active
[ "$(unit_prop hrvm-taken.scope ActiveState)" = active ] || systemctl status hrvm-taken.scope --no-pager 2>&1 | head -15
[ ! -e "$ROOT/sd3" ] && ok "no state dir after the refusal" || bad "state dir of sd3 left"
systemctl stop hrvm-taken.scope

# --- 4. kill -9 of hardrun during create, then delete --force
B=$WORK/b4
mkbundle "$B" 'c["linux"]["cgroupsPath"] = "system.slice:hrvm:sd4"' \
	"c[\"hooks\"] = {\"createRuntime\": [{\"path\": \"/bin/sh\", \"args\": [\"sh\", \"-c\", \"echo \$\$ >$WORK/hook.pid; exec sleep 60\"]}]}"
hr "${P[@]}" --systemd-cgroup create --bundle "$B" sd4 >/dev/null 2>&1 &
cpid=$!
U=hrvm-sd4.scope
for _ in $(seq 100); do [ "$(unit_prop $U ActiveState)" = active ] && break; sleep 0.2; done
eq "scope exists during create" "$(unit_prop $U ActiveState)" active
kill -9 "$cpid"
wait "$cpid" 2>/dev/null
[ -s "$WORK/hook.pid" ] && kill "$(cat "$WORK/hook.pid")" 2>/dev/null
hr --systemd-cgroup delete --force sd4
eq "delete --force after kill -9: status" "$?" 0
eq "LoadState after kill -9 + delete --force" "$(unit_prop $U LoadState)" not-found
[ ! -e /sys/fs/cgroup/system.slice/$U ] && ok "no cgroup after kill -9 + delete --force" || bad "cgroup of $U left"
[ -e "$ROOT/sd4" ] && echo "NOTE: state dir of sd4 left after kill -9 (crash-recovery records are another change)"

# --- 5. nested slices (containerd CRI's pod slices)
B=$WORK/b5
mkbundle "$B" 'c["linux"]["cgroupsPath"] = "hrvm-pod-pod1_2.slice:cri-containerd:sd5"'
hr "${P[@]}" --systemd-cgroup create --bundle "$B" sd5 >/dev/null 2>&1
eq "create in a nested slice" "$?" 0
eq "ControlGroup of nested scope" "$(unit_prop cri-containerd-sd5.scope ControlGroup)" \
	/hrvm.slice/hrvm-pod.slice/hrvm-pod-pod1_2.slice/cri-containerd-sd5.scope
hr delete --force sd5
eq "LoadState after delete (nested)" "$(unit_prop cri-containerd-sd5.scope LoadState)" not-found

finish
