#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# AppArmor for real on the VM test host: the per-container profile from
# profiles/apparmor/hardrun-default is loaded, the workload runs under it
# (/proc/self/attr/current from inside) and a write it denies is refused
# while the same write succeeds with AppArmor off in the policy (so the
# test can fail); a bundle naming docker-default gets hardrun's profile
# stacked on it; audit's lsm row passes; the profile is unloaded at delete.
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=hrlib.bash
. "$here/hrlib.bash"

PROFILES=/sys/kernel/security/apparmor/profiles
[ -r "$PROFILES" ] || { bad "no AppArmor in this VM's kernel"; finish; exit 1; }
# level 0 keeps the bundle as written; apparmor required adds only the profile
echo '{"level": 0, "apparmor": "required"}' >"$WORK/aa.json"
echo '{"level": 0, "apparmor": "off"}' >"$WORK/off.json"
chmod 0644 "$WORK/aa.json" "$WORK/off.json"
# no read-only /proc/sys and no masks: only AppArmor stands between the workload and the write
NOPROT='c["linux"]["readonlyPaths"] = []; c["linux"]["maskedPaths"] = []'
WRITE='c["process"]["args"] = ["/bin/sh", "-c", "cat /proc/self/attr/current; echo hrvm > /proc/sys/kernel/hostname && echo WROTE || echo DENIED"]'

# --- 1. the generated profile confines the workload
B=$WORK/a1
mkbundle "$B" "$NOPROT" "$WRITE"
out=$(hr --policy "$WORK/aa.json" run --bundle "$B" aa1 2>&1)
eq "run under hardrun-aa1: status" "$?" 0
has "attr/current inside" "$out" "hardrun-aa1 (enforce)"
has "write to /proc/sys/kernel/hostname" "$out" "Permission denied"
has "write refused" "$out" DENIED
grep -q '^hardrun-aa1 ' "$PROFILES" && bad "profile hardrun-aa1 still loaded after run" ||
	ok "profile hardrun-aa1 unloaded after the container is gone"

# the same write with AppArmor off goes through: the check above can fail
B=$WORK/a2
mkbundle "$B" "$NOPROT" "$WRITE"
out=$(hr --policy "$WORK/off.json" run --bundle "$B" aa2 2>&1)
has "same write without AppArmor" "$out" WROTE
has "attr/current without a profile" "$out" unconfined

# --- 2. loaded while the container exists, audit's lsm row, unloaded at delete
B=$WORK/a3
mkbundle "$B" "$NOPROT"
hr --policy "$WORK/aa.json" create --bundle "$B" aa3
eq "create aa3" "$?" 0
grep -q '^hardrun-aa3 (enforce)' "$PROFILES" && ok "hardrun-aa3 loaded in enforce mode" || bad "hardrun-aa3 not loaded"
pid=$(hr state aa3 | python3 -c 'import json,sys; print(json.load(sys.stdin)["pid"])')
hr start aa3
eq "attr/current of the init" "$(tr -d '\0' </proc/"$pid"/attr/current)" "hardrun-aa3 (enforce)"
out=$(hr exec aa3 /bin/cat /proc/self/attr/current 2>&1)
eq "attr/current of an exec" "$out" "hardrun-aa3 (enforce)"
lsm=$(hr --policy "$WORK/aa.json" audit --level 3 aa3 2>&1 | grep '^lsm ')
has "audit lsm row" "$lsm" PASS
hr delete --force aa3
grep -q '^hardrun-aa3 ' "$PROFILES" && bad "hardrun-aa3 still loaded after delete" || ok "hardrun-aa3 unloaded at delete"

# --- 3. docker-default named by the bundle: hardrun's profile stacked on it
if ! grep -q '^docker-default ' "$PROFILES"; then
	systemctl restart docker >/dev/null 2>&1
fi
if grep -q '^docker-default ' "$PROFILES"; then
	B=$WORK/a4
	mkbundle "$B" "$NOPROT" "$WRITE" 'c["process"]["apparmorProfile"] = "docker-default"'
	out=$(hr --policy "$WORK/aa.json" run --bundle "$B" aa4 2>&1)
	eq "run with docker-default: status" "$?" 0
	# the kernel shows a stack's profiles in its own (sorted) order
	has "attr/current is the stack" "$out" "docker-default//&hardrun-aa4 (enforce)"
	has "stacked: /proc/sys write refused" "$out" DENIED
	grep -q '^hardrun-aa4 ' "$PROFILES" && bad "hardrun-aa4 still loaded" || ok "hardrun-aa4 unloaded after run"
	grep -q '^docker-default ' "$PROFILES" && ok "docker-default stays loaded" || bad "docker-default was unloaded"
else
	bad "docker-default is not loaded (dockerd loads it at start)"
fi

# --- 4. the default policy (level 2, apparmor preferred) under docker's usual profile name
B=$WORK/a5
mkbundle "$B"
hr create --bundle "$B" aa5 >"$WORK/aa5.out" 2>&1
eq "create with the default policy" "$?" 0
[ -s "$WORK/aa5.out" ] && cat "$WORK/aa5.out"
grep -q " $WORK/" /proc/self/mountinfo && bad "mounts left under $WORK: $(grep -c " $WORK/" /proc/self/mountinfo)"
pid=$(hr state aa5 | python3 -c 'import json,sys; print(json.load(sys.stdin)["pid"])')
# the profile is applied at the workload's execve, as in aa3: after start
hr start aa5
eq "default policy: attr/current" "$(tr -d '\0' </proc/"$pid"/attr/current)" "hardrun-aa5 (enforce)"
hr delete --force aa5
grep -q '^hardrun-aa5 ' "$PROFILES" && bad "hardrun-aa5 still loaded" || ok "hardrun-aa5 unloaded"

finish
