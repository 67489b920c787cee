# SPDX-License-Identifier: GPL-2.0-or-later
# Shared by the VM suites systemd.sh, cgroup2.sh and apparmor.sh (sourced, not
# a suite itself): bundles with busybox-static, a check helper that counts
# failures, and the exact-outcome assertions every suite uses.  Runs inside
# the VM test host (tests/vm/run.sh) as root, cwd = the tree.
set -uo pipefail

H=${HR_TEST_HARDRUN:-$PWD/build/hardrun}
WORK=$(mktemp -d /tmp/hr-vm-suite.XXXXXX)
ROOT=$WORK/state
FAILS=0
PASSES=0

ok() {
	PASSES=$((PASSES + 1))
	echo "PASS: $*"
}
bad() {
	FAILS=$((FAILS + 1))
	echo "FAIL: $*"
}
# eq WHAT GOT WANT
eq() {
	if [ "$2" = "$3" ]; then ok "$1 = $3"; else bad "$1: got \`$2\`, want \`$3\`"; fi
}
# has WHAT TEXT NEEDLE
has() {
	case $2 in
	*"$3"*) ok "$1 contains \`$3\`" ;;
	*) bad "$1: \`$3\` not in \`$2\`" ;;
	esac
}

# mkbundle DIR [python statements editing c (the config dict)]
mkbundle() {
	local dir=$1
	shift
	mkdir -p "$dir/rootfs/bin" "$dir/rootfs/proc" "$dir/rootfs/sys" "$dir/rootfs/dev" "$dir/rootfs/tmp"
	cp /bin/busybox "$dir/rootfs/bin/busybox"
	for t in sh cat sleep echo head tail tr ls grep wc mknod; do ln -sf busybox "$dir/rootfs/bin/$t"; done
	(cd "$dir" && "$H" spec >/dev/null)
	python3 - "$dir/config.json" "$@" <<'PY'
import json, sys
p = sys.argv[1]
c = json.load(open(p))
c["process"]["terminal"] = False
c["process"]["args"] = ["/bin/sleep", "600"]
c["process"]["env"] = ["PATH=/bin"]
c["root"]["readonly"] = False
for stmt in sys.argv[2:]:
    exec(stmt)
json.dump(c, open(p, "w"), indent=1)
PY
}

hr() { "$H" --root "$ROOT" "$@"; }

# unit_prop UNIT PROP
unit_prop() { systemctl show -p "$2" --value "$1" 2>/dev/null; }

finish() {
	echo "== $PASSES passed, $FAILS failed"
	rm -rf "$WORK"
	[ "$FAILS" -eq 0 ]
}
