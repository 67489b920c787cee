#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# cgroup v2 for real on the VM test host, with both drivers (cgroupfs and
# systemd): limits in the files, the device program (an allowed node opens,
# a denied one does not), pause/resume, update, ps, events --stats and an
# OOM kill seen in memory.events and as {"type":"oom"} from events; after
# delete no cgroup is left and the root's subtree_control is as before;
# docker with hardrun reports OOMKilled=true.
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=hrlib.bash
. "$here/hrlib.bash"

[ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ] || { bad "/sys/fs/cgroup is not cgroup2"; finish; exit 1; }
echo '{"level": 0}' >"$WORK/pass.json"
chmod 0644 "$WORK/pass.json"
P=(--policy "$WORK/pass.json")
root_ctl=$(cat /sys/fs/cgroup/cgroup.subtree_control)

# one_driver NAME FLAG CGROUPSPATH CGDIR
one_driver() {
	local n=$1 flag=$2 path=$3 cg=$4 B=$WORK/$1
	mkbundle "$B" "c[\"linux\"][\"cgroupsPath\"] = \"$path\"" \
		'c["linux"]["resources"].update({"memory": {"limit": 33554432, "swap": 33554432}, "pids": {"limit": 20}})' \
		'c["process"]["args"] = ["/bin/sh", "-c", "sleep 3; head -c 300000000 /dev/zero | tail; echo tail=$?; sleep 60"]' \
		'c["linux"]["devices"] = [{"path": "/dev/hrvm-zero", "type": "c", "major": 1, "minor": 5}]' \
		'[c["process"]["capabilities"][k].append("CAP_MKNOD") for k in ("bounding", "effective", "permitted")]'
	# shellcheck disable=SC2086
	hr "${P[@]}" $flag create --bundle "$B" "$n"
	eq "$n: create" "$?" 0
	eq "$n: memory.max" "$(cat "$cg/memory.max")" 33554432
	eq "$n: memory.swap.max" "$(cat "$cg/memory.swap.max")" 0
	eq "$n: pids.max" "$(cat "$cg/pids.max")" 20
	hr events --interval 500ms "$n" >"$WORK/$n.events" 2>&1 &
	local evpid=$!
	hr start "$n"
	eq "$n: start" "$?" 0
	out=$(hr exec "$n" /bin/sh -c 'head -c 4 /dev/hrvm-zero | wc -c; echo x > /dev/null && echo null-ok' 2>&1)
	has "$n: a listed device opens" "$out" null-ok
	has "$n: linux.devices node reads" "$out" 4
	# the node can be made (CAP_MKNOD) but the device program refuses to open it
	out=$(hr exec "$n" /bin/sh -c 'mknod /tmp/mem c 1 1 && head -c1 /tmp/mem; echo rc=$?' 2>&1)
	has "$n: a device outside the rules is refused" "$out" "Operation not permitted"
	hr pause "$n"
	eq "$n: cgroup.freeze" "$(cat "$cg/cgroup.freeze")" 1
	has "$n: cgroup.events frozen" "$(cat "$cg/cgroup.events")" "frozen 1"
	hr resume "$n"
	has "$n: cgroup.events thawed" "$(cat "$cg/cgroup.events")" "frozen 0"
	hr update --pids-limit 30 "$n"
	eq "$n: pids.max after update" "$(cat "$cg/pids.max")" 30
	[ "$(hr ps "$n" | grep -c .)" -ge 2 ] && ok "$n: ps lists processes" || bad "$n: ps: $(hr ps "$n" 2>&1)"
	for _ in $(seq 60); do grep -q 'oom_kill [1-9]' "$cg/memory.events" && break; sleep 0.5; done
	has "$n: memory.events after the OOM" "$(cat "$cg/memory.events")" "oom_kill 1"
	sleep 1.5
	st=$(hr events --stats "$n" 2>&1)
	has "$n: events --stats" "$st" '"type":"stats"'
	hr kill "$n" KILL
	for _ in $(seq 40); do kill -0 $evpid 2>/dev/null || break; sleep 0.25; done
	kill $evpid 2>/dev/null
	has "$n: events reported the OOM" "$(cat "$WORK/$n.events")" '"type":"oom"'
	hr delete --force "$n"
	eq "$n: delete" "$?" 0
	[ ! -e "$cg" ] && ok "$n: cgroup removed" || bad "$n: $cg left"
}

one_driver cgfs "" /hrvm/cgfs /sys/fs/cgroup/hrvm/cgfs
[ ! -e /sys/fs/cgroup/hrvm ] && ok "cgroupfs: parent /hrvm removed" || bad "/sys/fs/cgroup/hrvm left"
one_driver sdcg --systemd-cgroup system.slice:hrvm:sdcg /sys/fs/cgroup/system.slice/hrvm-sdcg.scope
eq "unit gone" "$(unit_prop hrvm-sdcg.scope LoadState)" not-found
eq "root cgroup.subtree_control unchanged" "$(cat /sys/fs/cgroup/cgroup.subtree_control)" "$root_ctl"

# docker (its default systemd driver on this host) reports OOMKilled=true
if systemctl is-active -q docker; then
	mkdir -p /etc/docker
	cp /etc/docker/daemon.json "$WORK/daemon.json.orig" 2>/dev/null
	echo "{\"runtimes\": {\"hardrun\": {\"path\": \"$H\"}}}" >/etc/docker/daemon.json
	# level 2 without its user namespace: the idmapped rootfs is apparmor.sh's finding, the OOM report is this one's
	mkdir -p /etc/hardrun
	[ -e /etc/hardrun/policy.json ] && cp /etc/hardrun/policy.json "$WORK/policy.json.orig"
	echo '{"level": 2, "userns": {"enabled": false}}' >/etc/hardrun/policy.json
	chmod 0644 /etc/hardrun/policy.json
	systemctl restart docker
	mkbundle "$WORK/img"
	tar -C "$WORK/img/rootfs" -c . | docker import - hrvm-busybox >/dev/null
	dout=$(docker run --name hrvm-oom --runtime hardrun -m 32m --memory-swap 32m hrvm-busybox \
		/bin/sh -c 'head -c 300000000 /dev/zero | tail' 2>&1 </dev/null)
	drc=$?
	eq "docker: exit status of the OOM-killed container" "$drc" 137
	eq "docker: OOMKilled" "$(docker inspect -f '{{.State.OOMKilled}}' hrvm-oom 2>&1)" true
	[ "$drc" = 137 ] || echo "docker run said: $dout"
	eq "docker: cgroup driver" "$(docker info -f '{{.CgroupDriver}}' 2>&1)" systemd
	docker rm -f hrvm-oom >/dev/null 2>&1
	if [ -e "$WORK/policy.json.orig" ]; then cp "$WORK/policy.json.orig" /etc/hardrun/policy.json; else rm -f /etc/hardrun/policy.json; fi
	if [ -e "$WORK/daemon.json.orig" ]; then cp "$WORK/daemon.json.orig" /etc/docker/daemon.json; else rm -f /etc/docker/daemon.json; fi
else
	bad "docker is not running in the VM"
fi

finish
