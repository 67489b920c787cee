#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# A long fuzzing campaign, outside the default CI run (whose fuzz stage gives each target 45 s).
# It builds the libFuzzer targets (clang, -DHR_FUZZ=ON) in build-fuzz/, fuzzes every target in
# turn for SECONDS seconds, starting from a copy of its committed corpus, then minimizes what the
# run found with libFuzzer's -merge=1 into tests/fuzz/corpus/<target>/ (only inputs that add
# coverage are kept) and prints executions and crashes per target.  A crash does not end the
# target's time: its reproducer is kept under OUT/crashes/ and fuzzing resumes.  The targets run
# one after another, so the campaign uses one core; run it under `nice -n 19` on a shared host.
#
#   tests/fuzz/campaign.sh [-s SECONDS] [-o OUT] [-t TARGET]...
#     -s SECONDS  fuzzing time per target (default 515: 7 targets make one CPU-hour)
#     -o OUT      where logs and crash reproducers go (default: a new directory under /tmp)
#     -t TARGET   fuzz only TARGET (repeatable; default every tests/fuzz/fuzz_*.c)
#     -n          do not merge new inputs into tests/fuzz/corpus/
#
# Exit status: 0 when no target crashed, 1 otherwise (or on a usage or build error).
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
secs=515
out=
merge=1
targets=()
while getopts 's:o:t:nh' opt; do
	case $opt in
	s) secs=$OPTARG ;;
	o) out=$OPTARG ;;
	t) targets+=("$OPTARG") ;;
	n) merge=0 ;;
	*)
		sed -n '4,18s/^# \{0,1\}//p' "$0"
		exit 1
		;;
	esac
done
[[ $secs =~ ^[1-9][0-9]*$ ]] || {
	echo "campaign: -s: expected a positive number of seconds, got \`$secs\`" >&2
	exit 1
}
if [ ${#targets[@]} -eq 0 ]; then
	for src in "$top"/tests/fuzz/fuzz_*.c; do
		t=${src##*/fuzz_}
		targets+=("${t%.c}")
	done
fi
for t in "${targets[@]}"; do
	[ -f "$top/tests/fuzz/fuzz_$t.c" ] || {
		echo "campaign: no fuzz target \`$t\` (tests/fuzz/fuzz_$t.c)" >&2
		exit 1
	}
done
[ -n "$out" ] || out=$(mktemp -d /tmp/hardrun-campaign.XXXXXX)
mkdir -p "$out/crashes" || exit 1

echo "campaign: building the fuzz targets in build-fuzz/"
if ! { CC=clang cmake -S "$top" -B "$top/build-fuzz" -DHR_WERROR=ON -DHR_FUZZ=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null &&
	cmake --build "$top/build-fuzz" -j 1 >"$out/build.log" 2>&1; }; then
	echo "campaign: build failed, see $out/build.log" >&2
	exit 1
fi

total_crashes=0
rows=()
for t in "${targets[@]}"; do
	bin=$top/build-fuzz/tests/fuzz_$t
	corpus=$top/tests/fuzz/corpus/$t
	work=$out/work-$t
	mkdir -p "$work" "$corpus" || exit 1
	cp -r "$corpus/." "$work/"
	# the same options as the CI stage; libseccomp 2.5.4 leaks inside seccomp_release on one
	# error path (not ours), so leak detection is off for the target that drives it
	extra=()
	[ "$t" = seccomp_policy ] && extra=(-detect_leaks=0)
	execs=0 crashes=0 runs=0
	end=$((SECONDS + secs))
	echo "campaign: fuzz $t for $secs s"
	while [ $SECONDS -lt $end ]; do
		left=$((end - SECONDS))
		runs=$((runs + 1))
		log=$out/$t.$runs.log
		rc=0
		"$bin" -max_total_time="$left" -timeout=30 -rss_limit_mb=2048 -dict="$top/tests/fuzz/json.dict" \
			-artifact_prefix="$out/crashes/$t-" -print_final_stats=1 "${extra[@]}" "$work" >"$log" 2>&1 || rc=$?
		n=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
		# a crashed run prints no final stats: take the last status line's count
		[ -n "$n" ] || n=$(grep -oE '^#[0-9]+' "$log" | tail -n 1 | tr -d '#')
		execs=$((execs + ${n:-0}))
		if [ $rc -ne 0 ]; then
			crashes=$((crashes + 1))
			echo "campaign: $t crashed (exit $rc), see $log"
			grep -E 'ERROR|SUMMARY|Test unit written|artifact' "$log" | head -n 5
		fi
	done
	new=0
	if [ $merge -eq 1 ]; then
		before=$(find "$corpus" -type f | wc -l)
		"$bin" -merge=1 -timeout=30 -rss_limit_mb=2048 "${extra[@]}" "$corpus" "$work" >"$out/$t.merge.log" 2>&1 || {
			echo "campaign: merge of $t failed, see $out/$t.merge.log" >&2
			crashes=$((crashes + 1))
		}
		new=$(($(find "$corpus" -type f | wc -l) - before))
	fi
	total_crashes=$((total_crashes + crashes))
	rows+=("$(printf '%-16s %8d %12d %8d %12d' "$t" "$secs" "$execs" "$crashes" "$new")")
done

printf '\n%-16s %8s %12s %8s %12s\n' target seconds executions crashes new-corpus
printf '%s\n' "${rows[@]}"
echo "campaign: logs and crash reproducers in $out"
[ $total_crashes -eq 0 ]
