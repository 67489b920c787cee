#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Builds, once, the VM test host that stands for hardrun's users' hosts: a
# Debian 12 (bookworm) root filesystem with systemd, cgroup v2, AppArmor, the
# container engines and hardrun's runtime libraries, made with debootstrap
# from the Debian mirror of /etc/apt/sources.list* and packed into an ext4
# image with `mkfs.ext4 -d` (no loop mounts), plus the kernel and initrd that
# run.sh boots with -kernel/-initrd.  The result is cached under
# /var/cache/hardrun-test/vm/<key>/, the key being a hash of this script
# (which holds the package lists) and of guest-run, so a change rebuilds.  Prints the cache
# directory on stdout; everything else goes to stderr.  Run as root.

set -euo pipefail

HR_VM_CACHE=${HR_VM_CACHE:-/var/cache/hardrun-test/vm}
SUITE=bookworm

# first step: debootstrap (minbase plus the init system, so that the
# second step's maintainer scripts see a systemd host)
BASE_PKGS=(systemd-sysv dbus udev kmod apt ca-certificates)
# second step: apt-get inside the chroot, with a policy-rc.d that keeps
# every daemon from starting there.  containernetworking-plugins is here
# because debootstrap cannot pick the virtual container-network-stack.
PKGS=(linux-image-cloud-amd64 initramfs-tools apparmor iproute2 procps psmisc util-linux
	e2fsprogs
	docker.io containerd podman conmon catatonit tini runc crun containernetworking-plugins
	golang-github-containers-common iptables busybox-static hyperfine python3 strace
	libseccomp2 libcap-ng0 libapparmor1 libjansson4 libsystemd0 libsubunit0)

log() { echo "vm-image: $*" >&2; }
die() {
	log "$*"
	exit 1
}

[ "$(id -u)" -eq 0 ] || die "needs root (debootstrap and chroot)"
for t in debootstrap mkfs.ext4 sha256sum; do
	command -v "$t" >/dev/null || die "missing $t (apt-get install debootstrap e2fsprogs)"
done

# the mirror the host uses
mirror() {
	local m
	m=$(grep -hE '^(URIs:|deb )' /etc/apt/sources.list /etc/apt/sources.list.d/* 2>/dev/null |
		grep -oE 'https?://[^ ]*/debian/?( |$)' | grep -v security | head -1 | tr -d ' ')
	echo "${m:-http://deb.debian.org/debian}"
}
MIRROR=${HR_VM_MIRROR:-$(mirror)}

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
KEY=$(cat "$HERE/image.sh" "$HERE/guest-run" | sha256sum | cut -c1-16)
OUT=$HR_VM_CACHE/$KEY
if [ -f "$OUT/done" ]; then
	echo "$OUT"
	exit 0
fi

mkdir -p "$HR_VM_CACHE"
exec 9>"$HR_VM_CACHE/.build.lock"
flock 9
if [ -f "$OUT/done" ]; then
	echo "$OUT"
	exit 0
fi

T0=$SECONDS
WORK=$(mktemp -d "$HR_VM_CACHE/build.XXXXXX")
R=$WORK/root
cleanup() {
	local rc=$? m
	for m in $(awk -v r="$R" 'index($5, r) == 1 {print $5}' /proc/self/mountinfo 2>/dev/null | sort -r); do
		umount -l "$m" 2>/dev/null || true
	done
	rm -rf "$WORK"
	[ $rc -eq 0 ] || log "failed (exit $rc); nothing kept"
	exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log "debootstrap $SUITE from $MIRROR into $R"
debootstrap --variant=minbase --include="$(
	IFS=,
	echo "${BASE_PKGS[*]}"
)" "$SUITE" "$R" "$MIRROR" >"$WORK/debootstrap.log" 2>&1 || {
	tail -30 "$WORK/debootstrap.log" >&2
	die "debootstrap failed"
}

cat >"$R/etc/apt/sources.list" <<EOF
deb $MIRROR $SUITE main
deb $MIRROR $SUITE-updates main
deb ${MIRROR%/debian*}/debian-security $SUITE-security main
EOF
printf '#!/bin/sh\nexit 101\n' >"$R/usr/sbin/policy-rc.d"
chmod 0755 "$R/usr/sbin/policy-rc.d"
# the initrd needs only the virtio root disk (ext4 is built in); small and
# gzip, because under TCG unpacking a large zstd initrd costs seconds
mkdir -p "$R/etc/initramfs-tools/conf.d"
printf 'MODULES=list\nCOMPRESS=gzip\n' >"$R/etc/initramfs-tools/conf.d/hr-vm.conf"

mount -t proc proc "$R/proc"
mount -t sysfs sysfs "$R/sys"
mount --bind /dev "$R/dev"
mount -t devpts devpts "$R/dev/pts"
cp /etc/resolv.conf "$R/etc/resolv.conf" 2>/dev/null || true
log "apt-get install ${#PKGS[@]} packages in the chroot"
chroot "$R" /usr/bin/env DEBIAN_FRONTEND=noninteractive LC_ALL=C sh -c \
	"apt-get update -q && apt-get install -y -q --no-install-recommends $(printf '%s ' "${PKGS[@]}")" \
	>"$WORK/apt.log" 2>&1 || {
	tail -40 "$WORK/apt.log" >&2
	die "apt-get install in the chroot failed"
}
printf 'virtio_pci\nvirtio_blk\n' >>"$R/etc/initramfs-tools/modules"
chroot "$R" update-initramfs -u -k all >>"$WORK/apt.log" 2>&1 || die "update-initramfs failed"
chroot "$R" apt-get clean
for m in dev/pts dev sys proc; do umount "$R/$m"; done
rm -f "$R/usr/sbin/policy-rc.d" "$R/etc/resolv.conf"

log "configuring the guest"
echo hr-vm >"$R/etc/hostname"
printf '127.0.0.1 localhost\n127.0.1.1 hr-vm\n' >"$R/etc/hosts"
echo '/dev/vda / ext4 rw,errors=remount-ro 0 1' >"$R/etc/fstab"
# root logs in on the serial console without a password (a throwaway,
# network-less guest that run.sh boots with -snapshot)
sed -i 's/^root:[^:]*:/root::/' "$R/etc/shadow"
# nothing that wakes up on its own and competes with the tests
for u in apt-daily.timer apt-daily-upgrade.timer e2scrub_all.timer e2scrub_reap.service \
	fstrim.timer man-db.timer dpkg-db-backup.timer systemd-timesyncd.service \
	podman-auto-update.timer podman-auto-update.service podman-restart.service \
	podman-clean-transient.service podman.socket podman.service; do
	ln -sf /dev/null "$R/etc/systemd/system/$u"
done
# the guest side of run.sh: run the command, write the result, power off
install -m 0755 "$HERE/guest-run" "$R/usr/local/sbin/hr-vm-run"
cat >"$R/etc/systemd/system/hr-vm-run.service" <<'EOF'
[Unit]
Description=hardrun VM test: the command from the control disk
After=multi-user.target docker.service containerd.service dbus.service apparmor.service
Wants=docker.service containerd.service

[Service]
Type=oneshot
ExecStart=/usr/local/sbin/hr-vm-run
StandardOutput=journal+console
StandardError=journal+console
TimeoutStartSec=infinity

[Install]
WantedBy=multi-user.target
EOF
ln -sf /etc/systemd/system/hr-vm-run.service "$R/etc/systemd/system/multi-user.target.wants/hr-vm-run.service"

mkdir -p "$WORK/out"
cp -L "$R/vmlinuz" "$WORK/out/vmlinuz"
cp -L "$R/initrd.img" "$WORK/out/initrd.img"
chroot "$R" dpkg-query -W -f='${Package} ${Version}\n' >"$WORK/out/packages.txt"
SIZE_MB=$(($(du -sm "$R" | cut -f1) + 3072))
log "mkfs.ext4 -d (${SIZE_MB} MiB, sparse)"
mkfs.ext4 -q -F -L hr-vm-root -d "$R" "$WORK/out/rootfs.img" "${SIZE_MB}M" 2>/dev/null
echo "built $(date -u +%FT%TZ) in $((SECONDS - T0)) s from $MIRROR" >"$WORK/out/done"
rm -rf "$OUT"
mv "$WORK/out" "$OUT"
# older keys are stale: this script changed
for d in "$HR_VM_CACHE"/*/; do
	[ "${d%/}" = "$OUT" ] || [ ! -f "$d/done" ] || rm -rf "$d"
done
log "done in $((SECONDS - T0)) s: $OUT"
echo "$OUT"
