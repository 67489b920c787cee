#!/usr/bin/env bash
# What org.hardrun.rootfs.idmap costs: `hardrun create` in a user namespace
# (65536 ids from host 1000000000) with and without the annotation, on a
# plain directory rootfs and on an overlay rootfs (lower = the busybox tree,
# upper and work in one layer directory, as dockerd mounts it).  Without the
# annotation the files show as nobody, which /bin/true does not mind.  Not a
# test: numbers go to README.md.
#
# Usage (root): tests/bench/idmap.sh [path/to/hardrun]   (RUNS=N, default 30)
set -euo pipefail

HR=$(readlink -f "${1:-$(dirname "$0")/../../build/hardrun}")
RUNS=${RUNS:-30}
[ "$(id -u)" -eq 0 ] || { echo "run as root" >&2; exit 1; }

W=$(mktemp -d /tmp/hardrun-bench-idmap.XXXXXX)
chmod 0711 "$W"
cleanup() {
	for b in plain plain-idmap ovl ovl-idmap; do "$HR" --root "$W/state" delete --force "$b" >/dev/null 2>&1 || true; done
	umount "$W/ovl/rootfs" 2>/dev/null || true
	rm -rf "$W"
}
trap cleanup EXIT

tree() { # dir: a busybox rootfs owned by host root
	mkdir -p "$1"/{bin,etc,proc,dev,tmp,sys}
	cp /bin/busybox "$1/bin/"
	ln -s busybox "$1/bin/true"
}
config() { # bundle dir, idmap true|false
	"$HR" spec --bundle "$1"
	python3 - "$1/config.json" "$2" <<'EOF'
import json, sys
path, idmap = sys.argv[1], sys.argv[2]
c = json.load(open(path))
c["process"]["terminal"] = False
c["process"]["args"] = ["/bin/true"]
lx = c["linux"]
lx["namespaces"].append({"type": "user"})
lx["uidMappings"] = lx["gidMappings"] = [{"containerID": 0, "hostID": 1000000000, "size": 65536}]
c["mounts"] = [m for m in c["mounts"] if not m["destination"].startswith("/sys")]  # sysfs needs the netns owner
if idmap == "true":
    c["annotations"] = {"org.hardrun.rootfs.idmap": "true"}
json.dump(c, open(path, "w"))
EOF
}

mkdir -p "$W/plain" "$W/ovl/rootfs" "$W/ovl/layer/diff" "$W/ovl/layer/work" "$W/state"
chmod 700 "$W/state"
tree "$W/plain/rootfs"
tree "$W/ovl/lower"
mount -t overlay overlay -o "lowerdir=$W/ovl/lower,upperdir=$W/ovl/layer/diff,workdir=$W/ovl/layer/work" "$W/ovl/rootfs"
for kind in plain ovl; do
	mkdir -p "$W/$kind-idmap"
	config "$W/$kind" false
	config "$W/$kind-idmap" true
	ln -s "$W/$kind/rootfs" "$W/$kind-idmap/rootfs"
done

cd "$W"
"$HR" --root "$W/state" run --bundle "$W/plain" plain || exit 1
echo "create, $RUNS interleaved runs each (the four variants take turns, so this VM's noise spreads"
echo "evenly; every create is followed by an untimed delete --force): median (min) in ms"
python3 - "$HR" "$W" "$RUNS" <<'PY'
import statistics, subprocess, sys, time
hr, w, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
variants = [("plain", "plain"), ("plain-idmap", "plain-idmap"), ("overlay", "ovl"), ("overlay-idmap", "ovl-idmap")]
times = {name: [] for name, _ in variants}
def hrun(*args):
    subprocess.run([hr, "--root", w + "/state", *args], check=True, stdin=subprocess.DEVNULL,
                   stdout=subprocess.DEVNULL)
for i in range(runs + 3):
    for name, bundle in variants:
        t = time.perf_counter()
        hrun("create", "--bundle", w + "/" + bundle, bundle)
        dt = (time.perf_counter() - t) * 1000
        hrun("delete", "--force", bundle)
        if i >= 3:  # warm-up
            times[name].append(dt)
print("| rootfs | without idmap | with idmap | extra |")
print("|---|---|---|---|")
for base in ("plain", "overlay"):
    a, b = times[base], times[base + "-idmap"]
    ma, mb = statistics.median(a), statistics.median(b)
    print(f"| {base} | {ma:.2f} ({min(a):.2f}) | {mb:.2f} ({min(b):.2f}) | {mb - ma:+.2f} ({min(b) - min(a):+.2f}) |")
PY
