#!/usr/bin/env bash
# Where the dry run's time goes: `perf record` on one `ferry validate` of a
# generated wide file, then the top entries by self time and by inclusive
# time within Ferry's own functions.
#
#   benches/profile.sh               # 100,000 rows, --threads 1
#   PROFILE_ROWS=300000 PROFILE_THREADS=2 benches/profile.sh
#
# In: the release build and `ferry gen` (run benches/run.sh once first, or
# this builds it). Out: two perf report listings on stdout; the recording
# stays in target/bench-work/perf.data. Fails when perf is missing or not
# allowed (as non-root, kernel.perf_event_paranoid must be <= 1).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
ROWS=${PROFILE_ROWS:-100000}
THREADS=${PROFILE_THREADS:-1}
DATA=$ROOT/target/bench-data
WORK=$ROOT/target/bench-work
FERRY=$ROOT/target/release/ferry

command -v perf >/dev/null || {
    echo "benches/profile.sh: perf is missing (apt-get install linux-perf)" >&2
    exit 1
}
cargo build --release --bins >&2
mkdir -p "$DATA" "$WORK"
FILE=$DATA/wide-$ROWS.csv
if [[ ! -s $FILE ]]; then
    "$FERRY" gen --rows "$ROWS" --layout wide --invalid-ratio 0.05 --seed 1 --out "$FILE.part" >&2
    mv "$FILE.part" "$FILE"
fi

# DWARF unwinding: the release build keeps line tables but no frame
# pointers, so frame-pointer call graphs stop at the first libc frame.
rm -rf "$WORK/profile-report"
perf record -F 499 --call-graph dwarf,16384 -o "$WORK/perf.data" -- \
    "$FERRY" validate "$FILE" --mapping mappings/clients-wide.toml --tenant samples/tenant.json \
    --report-dir "$WORK/profile-report" --threads "$THREADS" >/dev/null 2>"$WORK/perf.err" || true

echo "## self time (top 25)"
perf report -i "$WORK/perf.data" --no-children --stdio -g none --sort symbol --percent-limit 0.8 2>/dev/null |
    grep -E '^ +[0-9]' | sed -E 's/ +/ /g; s/ - - *$//' | cut -c1-150 | head -25
echo
echo "## inclusive time, Ferry's functions (top 25)"
perf report -i "$WORK/perf.data" --children --stdio -g none --sort symbol --percent-limit 2 2>/dev/null |
    grep -E '^ +[0-9]' | grep -E 'ferry::|serde_json::ser::to|csv_reader' | grep -v 'closure_env' |
    sed -E 's/ +/ /g; s/ - - *$//' | cut -c1-150 | head -25
