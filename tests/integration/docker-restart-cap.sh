#!/usr/bin/env bash
# The restart cap against the real client: a dockerd of its own (data, exec
# root and socket under a temp dir, no network) with hardrun as a runtime
# and a policy capping failures at 3, then `docker run --restart always` of
# a container that exits 1 at once.  docker re-creates the container under
# the same id after every exit; hardrun refuses the 4th create and docker's
# restart manager gives up.  Prints PASS or FAIL; exit status 0 or 1.
# Needs docker.io (dockerd, docker) and busybox-static; root.
#
# Usage: tests/integration/docker-restart-cap.sh [path/to/hardrun]
set -euo pipefail

HR=$(readlink -f "${1:-$(dirname "$0")/../../build/hardrun}")
[ "$(id -u)" -eq 0 ] || { echo "run as root" >&2; exit 1; }
W=$(mktemp -d /tmp/hardrun-restartcap.XXXXXX)
export DOCKER_HOST=unix://$W/docker.sock
cleanup() {
	docker rm -f crash >/dev/null 2>&1 || true
	[ -f "$W/docker.pid" ] && kill "$(cat "$W/docker.pid")" 2>/dev/null && sleep 3
	rm -rf "$W"
}
trap cleanup EXIT

printf '{"level": 2, "userns": {"enabled": false}, "restart": {"max_failures": 3, "window_seconds": 600}}\n' \
	>"$W/policy.json"
chmod 0644 "$W/policy.json"
cat >"$W/daemon.json" <<JSON
{"runtimes": {"hardrun": {"path": "$HR", "runtimeArgs": ["--policy", "$W/policy.json"]}},
 "bridge": "none", "iptables": false, "ip6tables": false}
JSON
dockerd --config-file "$W/daemon.json" --data-root "$W/data" --exec-root "$W/exec" \
	--pidfile "$W/docker.pid" -H "$DOCKER_HOST" >"$W/dockerd.log" 2>&1 &
for _ in $(seq 100); do docker info >/dev/null 2>&1 && break; sleep 0.2; done
mkdir -p "$W/img/bin" "$W/img/tmp" && cp /bin/busybox "$W/img/bin/" && ln -s busybox "$W/img/bin/false"
tar -C "$W/img" -c . | docker import - hardrun-crash >/dev/null
docker run -d --runtime hardrun --network none --restart always --name crash hardrun-crash /bin/false >/dev/null
for _ in $(seq 150); do
	[ "$(docker inspect crash --format '{{.State.Restarting}}')" = false ] &&
		[ "$(docker inspect crash --format '{{.State.Status}}')" = exited ] &&
		docker inspect crash --format '{{.State.Error}}' | grep -q 'refused by policy (restart)' && break
	sleep 0.2
done
state=$(docker inspect crash --format '{{.State.Status}} {{.RestartCount}} {{.State.Error}}')
echo "$state"
if [[ $state == "exited 3 "*"refused by policy (restart): container \`"*"\` failed 3 times in the last 600 s"* ]]; then
	echo PASS
else
	echo FAIL
	exit 1
fi
