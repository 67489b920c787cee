# SPDX-License-Identifier: GPL-2.0-or-later
# Shared by the client suites (docker.sh, podman.sh, containerd.sh): a private
# work dir, a busybox-static image tarball, an argv-logging wrapper in front of
# the built hardrun, daemons started on unix sockets under the work dir and
# stopped by pid, and plain ok/not ok results with one closing count line.
#
# Environment: HR_TEST_HARDRUN (the built binary, set by CTest),
# HR_TEST_MUST_RUN=1 turns a missing prerequisite into a failure (exit 1)
# instead of a skip (exit 77).  HR_CLIENTS_DEFAULTS=1 keeps each engine's
# default cgroup management of the host (tests/vm/suites/clients.sh): on a
# systemd host dockerd's and podman's systemd driver, and ctr with the runc
# shim's systemd option (SystemdCgroup = true) and a slice:prefix:name path.

set -u
CL_DEFAULTS=${HR_CLIENTS_DEFAULTS:-0}
CL_SYSTEMD=0
[ "$CL_DEFAULTS" = 1 ] && [ -d /run/systemd/system ] && CL_SYSTEMD=1
# a container's own limits, as it sees them in its cgroup namespace
if [ "$(stat -fc %T /sys/fs/cgroup 2>/dev/null)" = cgroup2fs ]; then
	CL_CGV2=1
	CL_IN_MEM=/sys/fs/cgroup/memory.max
	CL_IN_PIDS=/sys/fs/cgroup/pids.max
else
	CL_CGV2=0
	CL_IN_MEM=/sys/fs/cgroup/memory/memory.limit_in_bytes
	CL_IN_PIDS=/sys/fs/cgroup/pids/pids.max
fi
CL_SKIP=77
cl_pass=0
cl_fail=0
cl_failed=()
CL_PIDS=()

cl_die() {
	echo "$CL_SUITE: $*" >&2
	exit 1
}

# Skip (77) for a missing prerequisite, or fail when HR_TEST_MUST_RUN=1.
cl_skip() {
	echo "$CL_SUITE: skip: $*"
	[ "${HR_TEST_MUST_RUN:-0}" = 1 ] && exit 1
	exit $CL_SKIP
}

# cl_init SUITE: checks root and the binary, makes the work dir, installs the cleanup.
cl_init() {
	CL_SUITE=$1
	[ "$(id -u)" -eq 0 ] || cl_skip "needs root"
	HR=${HR_TEST_HARDRUN:-}
	[ -x "$HR" ] || cl_die "HR_TEST_HARDRUN is not an executable: \`$HR\`"
	W=$(mktemp -d "/tmp/hardrun-$CL_SUITE.XXXXXX")
	chmod 0711 "$W"
	# conmon drops an `oom` file into its working directory
	cd "$W" || exit 1
	trap cl_cleanup EXIT
	trap 'exit 130' INT TERM
	CL_T0=$SECONDS
}

# cl_install PKG...: installs the Debian packages that are missing.
cl_install() {
	local missing=() p
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	echo "$CL_SUITE: installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q >/dev/null 2>&1
	apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null 2>&1 ||
		cl_skip "apt-get install ${missing[*]} failed"
}

# cl_track PID: a daemon to stop (TERM, then KILL) at exit, last started first.
cl_track() { CL_PIDS+=("$1"); }

# cl_stop_pid PID: TERM, wait up to 20 s, then KILL.
cl_stop_pid() {
	local pid=$1 i
	kill -0 "$pid" 2>/dev/null || return 0
	kill -TERM "$pid" 2>/dev/null
	for i in $(seq 100); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.2
	done
	echo "$CL_SUITE: pid $pid ignored TERM for 20 s, killing it"
	kill -KILL "$pid" 2>/dev/null
	sleep 0.2
}

# Suites set CL_CLEANUP_HOOK to remove their containers before the daemons stop.
cl_cleanup() {
	local rc=$? i m
	[ -n "${CL_CLEANUP_HOOK:-}" ] && $CL_CLEANUP_HOOK >/dev/null 2>&1
	for ((i = ${#CL_PIDS[@]} - 1; i >= 0; i--)); do
		cl_stop_pid "${CL_PIDS[$i]}"
	done
	# what the daemons left mounted under the work dir (deepest first)
	for m in $(awk -v w="$W" 'index($5, w) == 1 {print $5}' /proc/self/mountinfo | sort -r); do
		umount -l "$m" 2>/dev/null
	done
	if [ "${HR_TEST_KEEP:-0}" = 1 ]; then
		echo "$CL_SUITE: kept $W"
	else
		rm -rf "$W"
	fi
	exit $rc
}

# cl_busybox_rootfs DIR: a busybox-static tree with passwd/group (root, nobody).
cl_busybox_rootfs() {
	local r=$1 a
	mkdir -p "$r"/{bin,etc,proc,sys,dev,tmp,root}
	cp /bin/busybox "$r/bin/"
	for a in $(/bin/busybox --list); do
		[ "$a" = busybox ] || ln -sf busybox "$r/bin/$a"
	done
	printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/sh\n' >"$r/etc/passwd"
	printf 'root:x:0:\nnobody:x:65534:\n' >"$r/etc/group"
}

# cl_busybox_tar OUT: the image tarball that docker/podman import.
cl_busybox_tar() {
	local r
	r=$(mktemp -d "$W/rootfs.XXXXXX")
	cl_busybox_rootfs "$r"
	tar --numeric-owner -C "$r" -cf "$1" .
	rm -rf "$r"
}

# cl_oci_image OUT NAME: the same tree as an OCI image layout tarball (one
# uncompressed layer) that `ctr image import` names NAME; no docker needed.
cl_oci_image() {
	local out=$1 name=$2 d blob layer l ls c cs m ms
	d=$(mktemp -d "$W/oci.XXXXXX")
	blob=$d/blobs/sha256
	mkdir -p "$blob"
	layer=$d/layer.tar
	cl_busybox_tar "$layer"
	# blob NAME FILE: store FILE under its digest; sets the digest and size
	blob() {
		local dg
		dg=$(sha256sum "$1" | cut -d' ' -f1)
		cp "$1" "$blob/$dg"
		echo "$dg $(stat -c %s "$1")"
	}
	read -r l ls < <(blob "$layer")
	printf '{"architecture":"amd64","os":"linux","config":{"Cmd":["/bin/sh"],"Env":["PATH=/bin"]},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}' \
		"$l" >"$d/config.json"
	read -r c cs < <(blob "$d/config.json")
	printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"sha256:%s","size":%s}]}' \
		"$c" "$cs" "$l" "$ls" >"$d/manifest.json"
	read -r m ms < <(blob "$d/manifest.json")
	printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"annotations":{"io.containerd.image.name":"%s"}}]}' \
		"$m" "$ms" "$name" >"$d/index.json"
	echo '{"imageLayoutVersion":"1.0.0"}' >"$d/oci-layout"
	tar -C "$d" -cf "$out" oci-layout index.json blobs
	rm -rf "$d"
}

# cl_wrapper PATH: a runtime named PATH that logs its argv (one line per call,
# to $W/argv.log) and execs the built hardrun.  The log proves that hardrun,
# not a default runc, served each call, and records every argv shape.
cl_wrapper() {
	mkdir -p "$(dirname "$1")"
	cat >"$1" <<EOF
#!/bin/sh
printf '%s\n' "\$*" >>$W/argv.log
exec $HR "\$@"
EOF
	chmod 0755 "$1"
}

# cl_wait_for SECONDS CMD...: retry CMD every 0.2 s until it succeeds.
cl_wait_for() {
	local n=$(($1 * 5)) i
	shift
	for ((i = 0; i < n; i++)); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.2
	done
	return 1
}

# cl_wait_daemon SECONDS PID CMD...: as cl_wait_for, giving up when PID is gone.
cl_wait_daemon() {
	local n=$(($1 * 5)) pid=$2 i
	shift 2
	for ((i = 0; i < n; i++)); do
		"$@" >/dev/null 2>&1 && return 0
		kill -0 "$pid" 2>/dev/null || return 1
		sleep 0.2
	done
	return 1
}

# cl_start_dockerd [dockerd args...]: a private dockerd reading $W/daemon.json
# (the caller writes it), on $W/docker.sock with no bridge, no iptables and
# no forwarding; DOCKER_HOST points at it.
# The services suites: dockerd with RUNTIME as its default runtime, the web rootfs
# (debootstrap, ROOTFS) imported as test/web; D is the docker client afterwards.
cl_services_dockerd() { # runtime
	printf '{ "runtimes": { "hardrun": { "path": "%s" } }, "default-runtime": "hardrun" }\n' "$1" >"$W/daemon.json"
	CL_CLEANUP_HOOK=cl_docker_rm_all
	cl_start_dockerd
	D=/usr/bin/docker
	tar --numeric-owner -C "$ROOTFS" --exclude=./usr/share/doc --exclude=./usr/share/man \
		--exclude=./usr/share/locale --exclude=./var/cache/apt -cf - . |
		$D import --change 'CMD ["/bin/sh"]' - test/web >/dev/null || cl_die "docker import of the rootfs failed"
}
cl_docker_rm_all() {
	local ids
	ids=$(/usr/bin/docker ps -aq 2>/dev/null)
	[ -n "$ids" ] && /usr/bin/docker rm -f $ids
}
# in the container's network namespace, through busybox from the image
cl_in_netns() { # container, command...
	local c=$1
	shift
	nsenter -t "$(/usr/bin/docker inspect -f '{{.State.Pid}}' "$c")" -n "$@"
}

cl_start_dockerd() {
	dockerd --config-file "$W/daemon.json" --data-root "$W/docker" --exec-root "$W/dexec" \
		--pidfile "$W/dockerd.pid" -H "unix://$W/docker.sock" --bridge=none --iptables=false \
		--ip-forward=false --ip-masq=false "$@" >"$W/dockerd.log" 2>&1 &
	cl_track $!
	export DOCKER_HOST=unix://$W/docker.sock
	cl_wait_daemon 60 $! /usr/bin/docker version || {
		tail -20 "$W/dockerd.log"
		cl_die "dockerd did not answer in 60 s"
	}
}

# cl_start_containerd: a private containerd (CRI plugin off) on $W/containerd.sock.
cl_start_containerd() {
	cat >"$W/config.toml" <<EOF
version = 2
root = "$W/root"
state = "$W/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "$W/containerd.sock"
[ttrpc]
  address = "$W/containerd.sock.ttrpc"
[debug]
  address = "$W/debug.sock"
EOF
	containerd --config "$W/config.toml" >"$W/containerd.log" 2>&1 &
	cl_track $!
	cl_wait_daemon 60 $! ctr -a "$W/containerd.sock" version || {
		tail -20 "$W/containerd.log"
		cl_die "containerd did not answer in 60 s"
	}
}

# cl_podman_conf DEFAULT NAME=PATH...: containers.conf for a rootful podman
# without networks or systemd, CONTAINERS_CONF pointing at it, and PM the
# podman command line with storage under $W.
cl_podman_conf() {
	local def=$1 r names='"crun", "runc"'
	shift
	for r in "$@"; do names="$names, \"${r%%=*}\""; done
	{
		cat <<EOF
[containers]
netns = "none"
# root here lacks CAP_SYS_RESOURCE: podman's default rlimits cannot be set
$([ "$CL_DEFAULTS" = 1 ] || echo 'default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]')
[engine]
$([ "$CL_DEFAULTS" = 1 ] || echo 'cgroup_manager = "cgroupfs"')
events_logger = "file"
events_logfile_path = "$W/events.log"
runtime = "$def"
runtime_supports_json = [$names]
runtime_supports_nocgroup = [$names]
[engine.runtimes]
EOF
		for r in "$@"; do echo "${r%%=*} = [\"${r#*=}\"]"; done
	} >"$W/containers.conf"
	export CONTAINERS_CONF=$W/containers.conf
	PM=(podman --root "$W/storage" --runroot "$W/runroot" --tmpdir "$W/tmp" --storage-driver overlay)
}

# Does the kernel give an exit status through a pidfd (PIDFD_GET_INFO, Linux
# 6.15)?  Without it hardrun starts no exit watcher and the restart cap counts
# quick restarts "with an exit status unknown to hardrun" (Debian 12's 6.1).
# Status 0: yes, 1: no (ENOTTY/EINVAL), 2: the probe itself failed.
cl_kernel_exit_info() {
	python3 - <<'PY'
import errno, fcntl, os, sys
fd = os.pidfd_open(os.getpid())
buf = bytearray(64)  # struct pidfd_info_v0; mask = PIDFD_INFO_EXIT
buf[0] = 8
try:
    fcntl.ioctl(fd, 0xC040FF0B, buf)  # _IOWR(0xFF, 11, 64 bytes)
except OSError as e:
    sys.exit(1 if e.errno in (errno.ENOTTY, errno.EINVAL) else 2)
PY
}

cl_ok() {
	cl_pass=$((cl_pass + 1))
	echo "ok - $1"
}
cl_notok() {
	cl_fail=$((cl_fail + 1))
	cl_failed+=("$1")
	echo "not ok - $1"
	shift
	[ $# -gt 0 ] && printf '#   %s\n' "$@"
}

# cl_eq NAME WANT GOT
cl_eq() {
	if [ "$2" = "$3" ]; then
		cl_ok "$1"
	else
		cl_notok "$1" "want: $2" "got:  $3"
	fi
}

# cl_match NAME ERE TEXT
cl_match() {
	if printf '%s\n' "$3" | grep -qE -- "$2"; then
		cl_ok "$1"
	else
		cl_notok "$1" "want a line matching: $2" "got: $(printf '%s' "$3" | head -c 2000)"
	fi
}

# cl_cgroup_file PID V1CONTROLLER V1FILE V2FILE: the host path of a file of
# PID's cgroup, in the v1 hierarchy of V1CONTROLLER or the unified one.
cl_cgroup_file() {
	local cg
	if [ $CL_CGV2 = 1 ]; then
		cg=$(awk -F: '$1 == "0" {print $3}' "/proc/$1/cgroup")
		echo "/sys/fs/cgroup$cg/$4"
	else
		cg=$(awk -F: -v c="$2" '$2 == c {print $3}' "/proc/$1/cgroup")
		echo "/sys/fs/cgroup/$2$cg/$3"
	fi
}

# cl_frozen PID: FROZEN or THAWED, the freezer state of PID's cgroup.
cl_frozen() {
	local f
	f=$(cl_cgroup_file "$1" freezer freezer.state cgroup.events)
	if [ $CL_CGV2 = 1 ]; then
		grep -qx 'frozen 1' "$f" && echo FROZEN || echo THAWED
	else
		cat "$f"
	fi
}

# cl_argv NAME ERE: some logged hardrun call matches ERE (a whole argv line).
# With the systemd driver the engines add --systemd-cgroup to the global
# options, each at its own place: it is left out here and proven by
# cl_argv_systemd.
cl_argv() {
	local hits
	hits=$(sed 's/ --systemd-cgroup / /; s/^--systemd-cgroup //' "$W/argv.log" 2>/dev/null | grep -cE -- "^($2)\$")
	if [ "${hits:-0}" -gt 0 ]; then
		cl_ok "argv: $1"
	else
		cl_notok "argv: $1" "no hardrun call matched: ^$2\$" "calls seen:" \
			"$(cut -c1-200 "$W/argv.log" 2>/dev/null | sed -E 's/[0-9a-f]{64}/<id>/g' | sort -u | head -40)"
	fi
}

# cl_argv_systemd: with the host's defaults on a systemd host, every create
# (but those with --cgroup-manager disabled) came with --systemd-cgroup.
cl_argv_systemd() {
	[ $CL_SYSTEMD = 1 ] || return 0
	local all sd creates
	creates=$(grep -E -- '(^| )create ' "$W/argv.log" 2>/dev/null | grep -v -- '--cgroup-manager disabled')
	all=$(printf '%s' "$creates" | grep -c .)
	sd=$(printf '%s' "$creates" | grep -cE -- '(^| )--systemd-cgroup ')
	if [ "${all:-0}" -gt 0 ] && [ "$all" = "$sd" ]; then
		cl_ok "argv: every create with --systemd-cgroup ($all)"
	else
		cl_notok "argv: every create with --systemd-cgroup" "$sd of ${all:-0} creates had it"
	fi
}

# cl_no_state NAME ROOT: hardrun's state root holds no container any more.
cl_no_state() {
	local left
	left=$(find "$2" -mindepth 2 -maxdepth 2 -name state.json 2>/dev/null)
	cl_eq "$1" "" "$left"
}

# cl_done: the closing line, and the exit status.
cl_done() {
	echo "$CL_SUITE: $((SECONDS - CL_T0)) s"
	[ $cl_fail -eq 0 ] || echo "$CL_SUITE: failed: ${cl_failed[*]}"
	echo "$CL_SUITE: $cl_pass passed, $cl_fail failed"
	[ $cl_fail -eq 0 ]
}
