#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Real services, unchanged, under hardrun's default policy through dockerd: a
# Debian minbase rootfs with nginx and redis (debootstrap from Debian's mirror,
# cached in /var/cache/hardrun-test between runs) imported into a private
# dockerd.  Each service answers a request made inside the container's own
# network namespace (loopback only), and `hardrun audit` at the default level
# passes for it, read from the kernel.
. "$(dirname "$0")/lib.sh"
cl_init services
cl_install docker.io containerd debootstrap

CACHE=${HR_TEST_CACHE:-/var/cache/hardrun-test}
ROOTFS=$CACHE/bookworm-web
if [ ! -x "$ROOTFS/usr/sbin/nginx" ] || [ ! -x "$ROOTFS/usr/bin/redis-server" ]; then
	mkdir -p "$CACHE"
	rm -rf "$ROOTFS.tmp"
	echo "services: debootstrap bookworm (minbase, nginx-light, redis-server, busybox) into $ROOTFS"
	debootstrap --variant=minbase --include=nginx-light,redis-server,busybox bookworm "$ROOTFS.tmp" \
		http://deb.debian.org/debian >"$W/debootstrap.log" 2>&1 ||
		{ tail -20 "$W/debootstrap.log"; cl_die "debootstrap failed"; }
	mv "$ROOTFS.tmp" "$ROOTFS"
fi

RT=$W/bin/hardrun
cl_wrapper "$RT"
MOBY_ROOT=$W/dexec/runtime-runc/moby
cl_services_dockerd "$RT"

audit() { "$HR" --root "$MOBY_ROOT" audit "$@"; }

# nginx: the image's own config (port 80, user www-data); a read-only rootfs
# needs nginx's scratch dirs as tmpfs, as with docker run --read-only
$D run -d --name web --network none --tmpfs /var/lib/nginx --tmpfs /var/log/nginx \
	test/web nginx -g 'daemon off; error_log stderr;' >/dev/null
cl_wait_for 20 cl_in_netns web /bin/busybox wget -q -O /dev/null http://127.0.0.1/
out=$(cl_in_netns web /bin/busybox wget -q -O - http://127.0.0.1/ 2>&1)
cl_match "nginx answers in its network namespace" '<title>Welcome to nginx!</title>' "$out"
web_id=$($D inspect -f '{{.Id}}' web)
out=$(audit "$web_id")
cl_eq "audit web: exit status 0 at the default level" 0 $?
cl_eq "audit web: no FAIL row" "" "$(echo "$out" | grep -w FAIL)"
echo "$out" | sed 's/^/#   /'
# an exec taints the container (CSVS 3.10): the audit says so from then on
cl_match "nginx workers run as www-data, seen inside" '^ *www-data +nginx' "$($D exec web busybox ps -o user,comm)"
out=$(audit "$web_id")
cl_eq "audit web after docker exec: exit status 2" 2 $?
cl_match "audit web after docker exec: 3.10 fails" '^3\.10 +L2 +FAIL .*tainted: exec of `busybox`' "$out"

# redis: no persistence (read-only rootfs), loopback only
$D run -d --name kv --network none test/web redis-server --save '' --appendonly no --bind 127.0.0.1 >/dev/null
cl_wait_for 20 sh -c "printf 'PING\r\n' | nsenter -t \$($D inspect -f '{{.State.Pid}}' kv) -n /bin/busybox nc 127.0.0.1 6379 | grep -q PONG"
out=$(printf 'SET k hardened\r\nGET k\r\nQUIT\r\n' | cl_in_netns kv /bin/busybox nc 127.0.0.1 6379 | tr -d '\r')
cl_eq "redis answers in its network namespace" "+OK
\$8
hardened
+OK" "$out"
kv_id=$($D inspect -f '{{.Id}}' kv)
audit "$kv_id" >"$W/audit-kv.txt"
cl_eq "audit kv: exit status 0 at the default level" 0 $?

$D rm -f web kv >/dev/null
cl_no_state "nothing left in the shared --root" "$MOBY_ROOT"
cl_done
