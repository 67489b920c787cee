#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Runs one command as root inside the VM test host (image.sh): boots the
# cached Debian 12 image under qemu TCG with no network and the root disk in
# snapshot mode, brings a tree in on a second disk mounted in the guest at the
# same absolute path as here (so build/ paths baked by CMake still work), runs
# CMD there with bash once multi-user.target is reached (systemd, dbus,
# docker and containerd up), reads its output and exit status back from a
# third disk with debugfs, prints the output and exits with CMD's status.
#
#   run.sh [--tree DIR] [--at PATH] [--timeout S] [--follow] [--mem MiB] [--smp N] -- CMD...
#
# DIR defaults to the repository this script is in; the guest's cwd is DIR.
# DIR's top level comes in without .git and build-* (only build/ is needed).
# --at PATH mounts it at PATH in the guest instead of at DIR.
# --follow prints the output live (from a second serial port) instead of at the end.
# Exit: CMD's status; 124 on timeout (qemu killed by pid); 125 when the VM
# could not run the command.  Boots hold `flock /tmp/hr-vm.lock`.  Nothing
# stays behind: the temporary disks are removed and qemu is stopped.
# HR_VM_CONSOLE=FILE keeps the serial console log there.

set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TREE=$(cd "$HERE/../.." && pwd)
TIMEOUT=1800
FOLLOW=0
MEM=4096
SMP=${HR_VM_SMP:-2}

usage() {
	echo "usage: run.sh [--tree DIR] [--at PATH] [--timeout S] [--follow] [--mem MiB] [--smp N] -- CMD..." >&2
	exit 125
}
die() {
	echo "vm: $*" >&2
	exit 125
}

while [ $# -gt 0 ]; do
	case $1 in
	--tree) TREE=$(cd "${2:?}" 2>/dev/null && pwd) || die "--tree: no such directory: $2"; shift 2 ;;
	--at) AT=${2:?}; shift 2 ;;
	--timeout) TIMEOUT=${2:?}; shift 2 ;;
	--follow) FOLLOW=1; shift ;;
	--mem) MEM=${2:?}; shift 2 ;;
	--smp) SMP=${2:?}; shift 2 ;;
	--) shift; break ;;
	*) usage ;;
	esac
done
[ $# -gt 0 ] || usage
[[ $TIMEOUT =~ ^[0-9]+$ ]] || die "--timeout: not a number of seconds: $TIMEOUT"
[ "$(id -u)" -eq 0 ] || die "needs root"
[ "$TREE" != / ] || die "--tree: / cannot be brought in"
AT=${AT:-$TREE}
[[ $AT == /?* ]] || die "--at: not an absolute path: $AT"
for t in qemu-system-x86_64 mkfs.ext4 debugfs flock; do
	command -v "$t" >/dev/null || die "missing $t (apt-get install qemu-system-x86 e2fsprogs)"
done

IMG=$("$HERE/image.sh") || die "image.sh failed"

T=$(mktemp -d /tmp/hr-vm.XXXXXX)
QPID=
TAILPID=
cleanup() {
	local rc=$?
	set +e
	[ -n "$TAILPID" ] && kill "$TAILPID" 2>/dev/null
	if [ -n "$QPID" ] && kill -0 "$QPID" 2>/dev/null; then
		kill -TERM "$QPID" 2>/dev/null
		sleep 1
		kill -KILL "$QPID" 2>/dev/null
		wait "$QPID" 2>/dev/null
	fi
	[ -n "${HR_VM_CONSOLE:-}" ] && cp "$T/console.log" "$HR_VM_CONSOLE" 2>/dev/null
	rm -rf "$T"
	exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# the command, as one bash script
mkdir "$T/ctl"
printf '%s\n' "$AT" >"$T/ctl/path"
{
	echo 'export HR_VM=1'
	printf '%s ' "$@"
	echo
} >"$T/ctl/cmd"
mkfs.ext4 -q -F -L hr-ctl -d "$T/ctl" "$T/ctl.img" 256M >/dev/null 2>&1 || die "mkfs.ext4 of the control disk failed"

# the tree without .git and the other build dirs (build-asan, build-fuzz...):
# hard links where the file system allows, with room for what CMD writes
mkdir "$T/tree"
for e in "$TREE"/* "$TREE"/.[!.]*; do
	[ -e "$e" ] || [ -L "$e" ] || continue
	case ${e##*/} in .git | build-*) continue ;; esac
	cp -al "$e" "$T/tree/" 2>/dev/null || cp -a "$e" "$T/tree/" || die "cannot copy $e"
done
TREE_MB=$(du -sm --apparent-size "$T/tree" | cut -f1)
mkfs.ext4 -q -F -L hr-tree -E root_owner=0:0 -d "$T/tree" "$T/tree.img" "$((TREE_MB * 2 + 1024))M" >/dev/null 2>&1 ||
	die "mkfs.ext4 -d $TREE failed"
rm -rf "$T/tree"

# a caller that already holds the lock (`flock /tmp/hr-vm.lock run.sh ...`) passed its fd
# down: taking it again on a new open would wait on ourselves forever
inherited=0
for fd in /proc/$$/fd/*; do
	[ "$(readlink "$fd" 2>/dev/null)" = /tmp/hr-vm.lock ] && inherited=1
done
if [ $inherited = 0 ]; then
	exec 8>/tmp/hr-vm.lock
	# in steps, so that a TERM while another boot holds the lock ends the wait
	until flock -w 2 8; do :; done
fi
T0=$SECONDS
: >"$T/out.serial"
qemu-system-x86_64 -accel tcg -machine q35 -cpu max -m "$MEM" -smp "$SMP" \
	-nic none -nographic -no-reboot -display none -monitor none \
	-kernel "$IMG/vmlinuz" -initrd "$IMG/initrd.img" \
	-append "root=/dev/vda rw console=ttyS0 quiet systemd.show_status=0 panic=-1" \
	-drive "file=$IMG/rootfs.img,format=raw,if=virtio,snapshot=on" \
	-drive "file=$T/tree.img,format=raw,if=virtio" \
	-drive "file=$T/ctl.img,format=raw,if=virtio" \
	-serial "file:$T/console.log" -serial "file:$T/out.serial" \
	</dev/null >"$T/qemu.log" 2>&1 &
QPID=$!
if [ $FOLLOW = 1 ]; then
	tail -n +1 -f "$T/out.serial" &
	TAILPID=$!
fi
timed_out=0
while kill -0 "$QPID" 2>/dev/null; do
	if [ $((SECONDS - T0)) -ge "$TIMEOUT" ]; then
		timed_out=1
		kill -TERM "$QPID" 2>/dev/null
		sleep 1
		kill -KILL "$QPID" 2>/dev/null
		break
	fi
	sleep 1
done
wait "$QPID" 2>/dev/null || true
QPID=
if [ -n "$TAILPID" ]; then
	sleep 0.5
	kill "$TAILPID" 2>/dev/null
	TAILPID=
fi
[ $inherited = 1 ] || flock -u 8

get() { debugfs -R "cat /$1" "$T/ctl.img" 2>/dev/null; }
if [ $timed_out = 1 ]; then
	[ $FOLLOW = 1 ] || cat "$T/out.serial"
	echo "vm: timed out after $TIMEOUT s; qemu stopped; console tail:" >&2
	tail -30 "$T/console.log" >&2
	exit 124
fi
rc=$(get rc | tr -dc 0-9)
if [ -z "$rc" ]; then
	echo "vm: the guest wrote no exit status; qemu said:" >&2
	tail -5 "$T/qemu.log" >&2
	echo "vm: console tail:" >&2
	tail -40 "$T/console.log" >&2
	exit 125
fi
[ $FOLLOW = 1 ] || get out
echo "vm: $(get boot | head -1 | sed 's/^hr-vm: //'), ran in $((SECONDS - T0)) s in all, exit $rc" >&2
exit "$rc"
