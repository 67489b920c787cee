#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# CSVS 3.4 with real services through dockerd: nginx and redis from the same
# Debian minbase rootfs as services.sh, each run once in seccomp learn mode
# (the policy's seccomp.learn.containers naming the container's id: dockerd
# 20.10 passes no annotations, and calls the runtime's create only at `docker
# start`, after `docker create` told us the id), then again with the learned
# profile (seccomp.profiles mapping the new container's id to it).  Both serve
# requests in their network namespace (loopback only) in both modes; `audit
# --level 3` fails 3.4 while learning and passes it, naming the profile, when
# enforcing; a call outside the profile (busybox ionice's ioprio_set, through
# docker exec) is refused with EPERM.  The profile sizes are printed.
. "$(dirname "$0")/lib.sh"
cl_init services_seccomp
cl_install docker.io containerd debootstrap

CACHE=${HR_TEST_CACHE:-/var/cache/hardrun-test}
ROOTFS=$CACHE/bookworm-web
if [ ! -x "$ROOTFS/usr/sbin/nginx" ] || [ ! -x "$ROOTFS/usr/bin/redis-server" ]; then
	mkdir -p "$CACHE"
	rm -rf "$ROOTFS.tmp"
	echo "services_seccomp: debootstrap bookworm (minbase, nginx-light, redis-server, busybox) into $ROOTFS"
	debootstrap --variant=minbase --include=nginx-light,redis-server,busybox bookworm "$ROOTFS.tmp" \
		http://deb.debian.org/debian >"$W/debootstrap.log" 2>&1 ||
		{ tail -20 "$W/debootstrap.log"; cl_die "debootstrap failed"; }
	mv "$ROOTFS.tmp" "$ROOTFS"
fi

mkdir -p "$W/learned" "$W/profiles" "$W/bin"
set_policy() { # learn globs (JSON array), profiles (JSON array)
	printf '{ "seccomp": { "container_dir": "%s/profiles", "profiles": %s, "learn": { "dir": "%s/learned", "containers": %s } } }\n' \
		"$W" "$2" "$W" "$1" >"$W/policy.json"
	chmod 0644 "$W/policy.json"
}
set_policy '[]' '[]'
RT=$W/bin/hardrun
printf '#!/bin/sh\nexec %s --policy %s/policy.json "$@"\n' "$HR" "$W" >"$RT"
chmod 0755 "$RT"
MOBY_ROOT=$W/dexec/runtime-runc/moby
cl_services_dockerd "$RT"

row34() { "$HR" --policy "$W/policy.json" --root "$MOBY_ROOT" audit --level 3 "$($D inspect -f '{{.Id}}' "$1")" | grep '^3\.4 '; }
# live recorder processes (a zombie waiting for init to reap it is gone already)
recorders() {
	local p
	for p in $(pgrep -x hardrun-learn); do
		[ "$(awk '{print $3}' "/proc/$p/stat" 2>/dev/null)" = Z ] || echo "$p"
	done
}
no_recorders() { [ -z "$(recorders)" ]; }
ncalls() { python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["syscalls"][0]["names"]))' "$1"; }

nginx_create() { # name
	$D create --name "$1" --network none --tmpfs /var/lib/nginx --tmpfs /var/log/nginx \
		test/web nginx -g 'daemon off; error_log stderr;'
}
nginx_check() { # name, mode
	cl_wait_for 20 cl_in_netns "$1" /bin/busybox wget -q -O /dev/null http://127.0.0.1/
	out=$(cl_in_netns "$1" /bin/busybox wget -q -O - http://127.0.0.1/ 2>&1)
	cl_match "nginx answers in its network namespace ($2)" '<title>Welcome to nginx!</title>' "$out"
	out=$(cl_in_netns "$1" /bin/busybox wget -q -O - http://127.0.0.1/missing 2>&1)
	cl_match "nginx answers 404 for a missing page ($2)" '404 Not Found' "$out"
}
redis_create() { # name
	$D create --name "$1" --network none test/web redis-server --save '' --appendonly no --bind 127.0.0.1
}
redis_up() { printf 'PING\r\n' | cl_in_netns "$1" /bin/busybox nc 127.0.0.1 6379 | grep -q PONG; }
redis_check() { # name, mode
	cl_wait_for 20 redis_up "$1"
	out=$(printf 'SET k hardened\r\nGET k\r\nQUIT\r\n' | cl_in_netns "$1" /bin/busybox nc 127.0.0.1 6379 | tr -d '\r')
	cl_eq "redis answers in its network namespace ($2)" "+OK
\$8
hardened
+OK" "$out"
}

for svc in nginx redis; do
	# learn: the service's startup, requests and a clean stop (docker stop: SIGTERM)
	id=$(${svc}_create "$svc-learn")
	set_policy "[\"$id\"]" '[]'
	$D start "$svc-learn" >/dev/null
	${svc}_check "$svc-learn" learning
	cl_match "audit $svc-learn: 3.4 fails while it learns" \
		'^3\.4 +L3 +FAIL .*learning: no container-specific profile is enforced' "$(row34 "$svc-learn")"
	$D stop "$svc-learn" >/dev/null
	$D rm "$svc-learn" >/dev/null
	cl_wait_for 10 no_recorders
	cl_eq "$svc: the recorder ended with the container" "" "$(recorders)"
	"$HR" seccomp merge "$W/learned/$id.json" >"$W/profiles/$svc.json"
	cl_eq "$svc: the learned profile is a valid learned profile (seccomp merge)" 0 $?
	echo "# $svc: $(ncalls "$W/profiles/$svc.json") calls learned; Docker's default profile allows 375"
	# enforce
	id=$(${svc}_create "$svc")
	set_policy '[]' "[{\"match\": \"$id\", \"profile\": \"$svc\"}]"
	$D start "$svc" >/dev/null
	${svc}_check "$svc" enforcing
	cl_match "audit $svc: 3.4 passes and names the profile" \
		"^3\\.4 +L3 +PASS .*container-specific profile \"$svc\"" "$(row34 "$svc")"
done

out=$($D exec nginx busybox ionice -c 3 true 2>&1)
cl_eq "a call outside nginx's profile is refused (docker exec busybox ionice)" \
	"ionice: ioprio_set: Operation not permitted" "$out"
$D rm -f nginx redis >/dev/null
cl_no_state "nothing left in the shared --root" "$MOBY_ROOT"
cl_done
