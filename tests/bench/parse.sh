#!/usr/bin/env bash
# What parsing config.json costs, in instructions (callgrind; this VM has no
# hardware counters and the parse is too short for wall-clock timing): the
# config `hardrun spec` writes, and the hardened config a `create` at policy
# level 0 parses (taken from its state directory), and for more of the
# runtime-spec tests/data/spec/valid/full.json.  Each is run once through
# replay_spec (load → parse → validate → free); the table gives callgrind's
# inclusive instructions of hr_spec_load_buf, of jansson's json_loadb inside
# it (load_buf - json_loadb is hardrun's own parse and the json_decref),
# hr_spec_parse (empty where the compiler inlined it into load_buf),
# hr_spec_validate and hr_spec_free.  Run it against two builds to compare.
# Not a test: numbers go to README.md.
#
# Usage (root, for the create): tests/bench/parse.sh [path/to/hardrun [path/to/replay_spec]]
set -euo pipefail

SRC=$(cd "$(dirname "$0")/../.." && pwd)
HR=$(readlink -f "${1:-$SRC/build/hardrun}")
REPLAY=$(readlink -f "${2:-$(dirname "$HR")/tests/replay_spec}")
[ "$(id -u)" -eq 0 ] || { echo "run as root" >&2; exit 1; }
command -v valgrind >/dev/null || { echo "needs valgrind" >&2; exit 1; }

W=$(mktemp -d /tmp/hardrun-bench-parse.XXXXXX)
chmod 0711 "$W"
cleanup() {
	"$HR" --root "$W/state" delete --force parse-bench >/dev/null 2>&1 || true
	rm -rf "$W"
}
trap cleanup EXIT

mkdir -p "$W/b/rootfs"/{bin,etc,proc,dev,tmp,sys} "$W/state"
chmod 0700 "$W/state"
cp /bin/busybox "$W/b/rootfs/bin/"
ln -s busybox "$W/b/rootfs/bin/true"
"$HR" spec --bundle "$W/b"
python3 - "$W/b/config.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
c["process"]["terminal"] = False
c["process"]["args"] = ["/bin/true"]
json.dump(c, open(sys.argv[1], "w"), indent="\t")
PY
printf '{"level": 0}\n' > "$W/l0.json"
chmod 0600 "$W/l0.json"
cp "$W/b/config.json" "$W/spec.json"
# the create launches a container: hold the integration tests' lock
flock /tmp/hr-it.lock "$HR" --root "$W/state" --policy "$W/l0.json" create --bundle "$W/b" parse-bench
cp "$W/state/parse-bench/config.json" "$W/create-l0.json"
cp "$SRC/tests/data/spec/valid/full.json" "$W/full.json"
"$HR" --root "$W/state" delete --force parse-bench

printf '| config | bytes | load_buf | json_loadb | parse | validate | free | whole run |\n|---|---|---|---|---|---|---|---|\n'
for c in spec create-l0 full; do
	valgrind --tool=callgrind --callgrind-out-file="$W/cg.$c" "$REPLAY" "$W/$c.json" >/dev/null 2>"$W/vg.$c"
	callgrind_annotate --inclusive=yes "$W/cg.$c" >"$W/ann.$c"
	ir() { awk -v f="$1" '$0 ~ ":" f "( |$)" { gsub(",", "", $1); print $1; exit }' "$W/ann.$c"; }
	total=$(awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1 }' "$W/ann.$c")
	printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "$c" "$(wc -c <"$W/$c.json")" "$(ir hr_spec_load_buf)" \
		"$(ir json_loadb)" "$(ir hr_spec_parse)" "$(ir hr_spec_validate)" "$(ir hr_spec_free)" "$total"
done
