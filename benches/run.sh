#!/usr/bin/env bash
# The side-by-side benchmark: Ferry against the physical floor and against
# the tools a migration engineer would otherwise use, all in one run so the
# ratios hold on a noisy machine.
#
#   benches/run.sh                              # full: 1M and 5M rows, ~15-20 min on 2 cores
#   BENCH_QUICK=1 BENCH_ROWS=100000 benches/run.sh   # a quick look, ~3 min
#
# In: nothing but this repository; installs hyperfine, wrk and GNU time
# (Debian) and a Python venv (target/bench-venv: frictionless, aiohttp) when
# missing, builds release, generates its data with `ferry gen` under
# target/bench-data/ (kept and reused), works in target/bench-work/.
# Out: one markdown table on stdout, also written to target/bench-results.md;
# raw tool outputs stay in target/bench-work/ to check a figure against.
# Fails (non-zero, with the step named) when a tool cannot be installed,
# a command fails, or a run does not process the rows it was given.
#
# Knobs (environment):
#   BENCH_ROWS        rows of the dry-run file (default 1000000)
#   BENCH_BIG_ROWS    rows of the flat-memory check (default 5 x BENCH_ROWS)
#   BENCH_QUICK=1     hyperfine runs 3 -> 1, skip the big file, shorter push and rate runs
#   BENCH_RUNS        hyperfine runs (default 3)
#   BENCH_FL_ROWS     rows frictionless validates (default 100000; it is slow)
#   BENCH_PUSH_ROWS   rows of the import file (default 100000)
#   BENCH_RATES       rates to check (default "50 200 1000")
#   BENCH_RATE_SECS   seconds of sending per rate (default 22)
#   BENCH_PORT        first loopback port used for sandboxes (default 18080)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

QUICK=${BENCH_QUICK:-0}
ROWS=${BENCH_ROWS:-1000000}
BIG_ROWS=${BENCH_BIG_ROWS:-$((ROWS * 5))}
if [[ $QUICK == 1 ]]; then
    RUNS=${BENCH_RUNS:-1}
    FL_ROWS=${BENCH_FL_ROWS:-20000}
    PUSH_ROWS=${BENCH_PUSH_ROWS:-20000}
    RATE_SECS=${BENCH_RATE_SECS:-6}
    WRK_SECS=5
else
    RUNS=${BENCH_RUNS:-3}
    FL_ROWS=${BENCH_FL_ROWS:-100000}
    PUSH_ROWS=${BENCH_PUSH_ROWS:-100000}
    RATE_SECS=${BENCH_RATE_SECS:-22}
    WRK_SECS=10
fi
RATES=${BENCH_RATES:-"50 200 1000"}
PORT=${BENCH_PORT:-18080}
CONC=32

DATA=$ROOT/target/bench-data
WORK=$ROOT/target/bench-work
RESULTS=$ROOT/target/bench-results.md
VENV=$ROOT/target/bench-venv
FERRY=$ROOT/target/release/ferry
FLOOR=$ROOT/target/release/examples/parse_floor
MAPPING=$ROOT/mappings/clients-wide.toml
TENANT=$ROOT/samples/tenant.json
export MAMBU_API_KEY=${MAMBU_API_KEY:-bench-key}

say() { printf '\n== %s\n' "$*" >&2; }
die() {
    printf 'benches/run.sh: %s\n' "$*" >&2
    exit 1
}

# ---------------------------------------------------------------- tools
install_debian() {
    local missing=()
    command -v hyperfine >/dev/null || missing+=(hyperfine)
    command -v wrk >/dev/null || missing+=(wrk)
    [[ -x /usr/bin/time ]] || missing+=(time)
    command -v perf >/dev/null || true
    ((${#missing[@]} == 0)) && return
    say "installing ${missing[*]} (Debian)"
    local sudo=()
    ((EUID == 0)) || sudo=(sudo)
    "${sudo[@]}" apt-get update -qq >&2
    "${sudo[@]}" apt-get install -y -qq "${missing[@]}" >&2 || die "apt-get install ${missing[*]} failed"
}

install_venv() {
    if [[ -x $VENV/bin/frictionless && -x $VENV/bin/python ]] &&
        "$VENV/bin/python" -c 'import aiohttp' 2>/dev/null; then
        return
    fi
    say "creating $VENV (frictionless, aiohttp)"
    python3 -m venv "$VENV" || die "python3 -m venv failed (apt-get install python3-venv?)"
    "$VENV/bin/pip" install -q frictionless aiohttp >&2 || die "pip install frictionless aiohttp failed"
}

install_debian
install_venv
PY=$VENV/bin/python

say "building release (ferry, examples)"
cargo build --release --bins --examples >&2
mkdir -p "$DATA" "$WORK"
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)

# ---------------------------------------------------------------- helpers
# gen FILE ROWS RATIO: a wide export, written once and reused after.
gen() {
    local out=$1 rows=$2 ratio=$3
    [[ -s $out ]] && return
    say "ferry gen $rows rows (invalid ratio $ratio) -> $out"
    "$FERRY" gen --rows "$rows" --layout wide --invalid-ratio "$ratio" --seed 1 --out "$out.part" >&2
    mv "$out.part" "$out"
}

# median_of JSON: hyperfine's median of the one command in its export.
median_of() { "$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["results"][0]["median"])' "$1"; }

# rss_mb TIMEFILE: peak RSS in MB from a `/usr/bin/time -v -o` file.
rss_mb() { awk -F': ' '/Maximum resident set size/ {printf "%.1f", $2 / 1024}' "$1"; }

# wall_s TIMEFILE: elapsed seconds from a `/usr/bin/time -v -o` file.
wall_s() {
    awk -F': ' '/Elapsed \(wall clock\)/ {
        n = split($2, p, ":"); s = 0
        for (i = 1; i <= n; i++) s = s * 60 + p[i]
        printf "%.3f", s }' "$1"
}

calc() { "$PY" -c "import sys; print(format(eval(sys.argv[1]), sys.argv[2]))" "$1" "${2:-.1f}"; }

# checked_validate FILE DIR TIMEFILE [ferry flags]: one dry run under
# /usr/bin/time; exit 0 or 1 (rows rejected) is a run, anything else fails.
checked_validate() {
    local file=$1 dir=$2 timefile=$3
    shift 3
    rm -rf "$dir"
    local rc=0
    /usr/bin/time -v -o "$timefile" "$FERRY" validate "$file" --mapping "$MAPPING" \
        --tenant "$TENANT" --report-dir "$dir" "$@" >"$dir.out" 2>&1 || rc=$?
    ((rc <= 1)) || die "ferry validate $file exited $rc (see $dir.out)"
}

# rows_read DIR: rows_read from a report.json.
rows_read() { "$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["rows_read"])' "$1/report.json"; }
rows_valid() { "$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["rows_valid"])' "$1/report.json"; }

SANDBOX_PID=
stop_sandbox() {
    if [[ -n $SANDBOX_PID ]]; then
        kill -INT "$SANDBOX_PID" 2>/dev/null || true
        wait "$SANDBOX_PID" 2>/dev/null || true
        SANDBOX_PID=
    fi
}
trap stop_sandbox EXIT

# start_sandbox LOG [flags]: a fresh in-memory sandbox on the next port;
# sets SANDBOX_URL once it listens.
start_sandbox() {
    local log=$1
    shift
    stop_sandbox
    PORT=$((PORT + 1))
    "$FERRY" sandbox --memory --tenant "$TENANT" --bind "127.0.0.1:$PORT" "$@" >"$log" 2>&1 &
    SANDBOX_PID=$!
    for _ in $(seq 100); do
        grep -q 'sandbox listening' "$log" 2>/dev/null && break
        kill -0 "$SANDBOX_PID" 2>/dev/null || die "sandbox did not start (see $log)"
        sleep 0.1
    done
    grep -q 'sandbox listening' "$log" || die "sandbox not listening after 10 s (see $log)"
    SANDBOX_URL=http://127.0.0.1:$PORT
}

# import_line OUT LABEL: a figure from `ferry import`'s summary.
import_line() { awk -v l="$2" 'index($0, l) { gsub(",", "", $NF); print $NF; exit }' "$1"; }

# ferry_import FILE DIR [flags]: `ferry import` against SANDBOX_URL with a
# fresh ledger, under /usr/bin/time; output in DIR.out, time in DIR.time.
ferry_import() {
    local file=$1 dir=$2
    shift 2
    rm -rf "$dir" "$dir.ledger"*
    local rc=0
    /usr/bin/time -v -o "$dir.time" "$FERRY" import "$file" --mapping "$MAPPING" --tenant "$TENANT" \
        --target "$SANDBOX_URL" --ledger "$dir.ledger" --report-dir "$dir" "$@" \
        >"$dir.out" 2>"$dir.err" </dev/null || rc=$?
    ((rc <= 1)) || die "ferry import $file exited $rc (see $dir.out, $dir.err)"
}

TABLE=()
row() {
    local line="|" cell
    for cell in "$@"; do line+=" ${cell//|/\\|} |"; done
    TABLE+=("$line")
}
verdict() { if "$PY" -c "import sys; eps = 1e-9; sys.exit(0 if ($1) else 1)"; then echo pass; else echo MISS; fi; }
fmt_int() { "$PY" -c 'import sys; print(f"{round(float(sys.argv[1])):,}")' "$1"; }

# ---------------------------------------------------------------- dry run
FILE=$DATA/wide-$ROWS.csv
gen "$FILE" "$ROWS" 0.05

say "dry run: the floor (parse_floor, hyperfine --runs $RUNS)"
/usr/bin/time -v -o "$WORK/floor.time" "$FLOOR" "$FILE" >"$WORK/floor.out"
floor_rows=$(awk '{print $1; exit}' "$WORK/floor.out")
[[ $floor_rows == "$ROWS" ]] || die "parse_floor read $floor_rows rows, expected $ROWS"
hyperfine --runs "$RUNS" --style basic --export-json "$WORK/floor.json" \
    "'$FLOOR' '$FILE'" >&2
floor_s=$(median_of "$WORK/floor.json")
floor_rps=$(calc "$ROWS / $floor_s" .0f)

# dry_run LABEL TAG [flags]: a checked run (RSS, row count), then hyperfine.
dry_run() {
    local tag=$1
    shift
    say "dry run: ferry validate $* (hyperfine --runs $RUNS)"
    checked_validate "$FILE" "$WORK/dry-$tag" "$WORK/dry-$tag.time" "$@"
    local got
    got=$(rows_read "$WORK/dry-$tag")
    [[ $got == "$ROWS" ]] || die "ferry validate read $got rows, expected $ROWS"
    hyperfine --runs "$RUNS" --style basic -i --export-json "$WORK/dry-$tag.json" \
        "'$FERRY' validate '$FILE' --mapping '$MAPPING' --tenant '$TENANT' --report-dir '$WORK/dry-$tag-h' $*" >&2
    rm -rf "$WORK/dry-$tag-h"
}
dry_run 1t --threads 1
one_s=$(median_of "$WORK/dry-1t.json")
one_rps=$(calc "$ROWS / $one_s" .0f)
dry_run all
all_s=$(median_of "$WORK/dry-all.json")
all_rps=$(calc "$ROWS / $all_s" .0f)
all_rss=$(rss_mb "$WORK/dry-all.time")
valid=$(rows_valid "$WORK/dry-all")
invalid=$((ROWS - valid))
threads=$(nproc)

# ---------------------------------------------------------------- frictionless
say "frictionless validate on the first $FL_ROWS rows"
# The same seed writes the same first rows whatever --rows says, so this is
# the dry-run file's first FL_ROWS rows (`head` would cut quoted newlines).
SLICE=$DATA/wide-$FL_ROWS.csv
gen "$SLICE" "$FL_ROWS" 0.05
cmp -s -n "$(stat -c %s "$SLICE")" "$SLICE" "$FILE" || die "$SLICE is not the first $FL_ROWS rows of $FILE"
fl_rc=0
/usr/bin/time -v -o "$WORK/frictionless.time" "$VENV/bin/frictionless" validate "$SLICE" \
    --schema "$ROOT/benches/frictionless/schema.json" --limit-errors 100000000 --json --trusted \
    >"$WORK/frictionless.json" 2>"$WORK/frictionless.err" || fl_rc=$?
((fl_rc <= 1)) || die "frictionless validate exited $fl_rc (see $WORK/frictionless.err)"
fl_s=$(wall_s "$WORK/frictionless.time")
fl_rps=$(calc "$FL_ROWS / $fl_s" .0f)
fl_rss=$(rss_mb "$WORK/frictionless.time")
read -r fl_errors fl_bad_rows fl_read < <("$PY" -c '
import json, sys
r = json.load(open(sys.argv[1]))
errs = [e for t in r.get("tasks", []) for e in t.get("errors", [])]
rows = sum(t.get("stats", {}).get("rows", 0) for t in r.get("tasks", []))
print(len(errs), len({e.get("rowNumber") for e in errs if e.get("rowNumber")}), rows)' "$WORK/frictionless.json")
[[ $fl_read == "$FL_ROWS" ]] || die "frictionless read $fl_read rows, expected $FL_ROWS (see $WORK/frictionless.json)"
ferry_slice_invalid=$("$PY" -c '
import csv, sys
n = int(sys.argv[2])
with open(sys.argv[1], encoding="utf-8-sig", newline="") as f:
    print(sum(1 for r in csv.DictReader(f) if int(r["ferry_row"]) <= n))' "$WORK/dry-all/rejects.csv" "$FL_ROWS")

# ---------------------------------------------------------------- flat memory
big_note="skipped (BENCH_QUICK)"
if [[ $QUICK != 1 ]]; then
    BIG=$DATA/wide-$BIG_ROWS.csv
    gen "$BIG" "$BIG_ROWS" 0.05
    say "dry run: ferry validate on $BIG_ROWS rows (one run, peak RSS)"
    checked_validate "$BIG" "$WORK/dry-big" "$WORK/dry-big.time"
    got=$(rows_read "$WORK/dry-big")
    [[ $got == "$BIG_ROWS" ]] || die "ferry validate read $got rows, expected $BIG_ROWS"
    big_s=$(wall_s "$WORK/dry-big.time")
    big_rss=$(rss_mb "$WORK/dry-big.time")
    rm -rf "$WORK/dry-big" # gigabytes of payloads nobody reads
fi

# ---------------------------------------------------------------- push
PUSH=$DATA/wide-push-$PUSH_ROWS.csv
gen "$PUSH" "$PUSH_ROWS" 0.05
say "push: payloads of $PUSH (dry run)"
checked_validate "$PUSH" "$WORK/push-dry" "$WORK/push-dry.time" --payloads
PAYLOADS=$WORK/push-dry/payloads.ndjson
push_valid=$(wc -l <"$PAYLOADS")
"$PY" "$ROOT/benches/wrk/make_template.py" "$PAYLOADS" >"$WORK/wrk-body.json"

say "push: wrk -c $CONC -t 2 -d ${WRK_SECS}s (one valid body, unique ids)"
start_sandbox "$WORK/sandbox-wrk.log"
wrk -c "$CONC" -t 2 -d "${WRK_SECS}s" -s "$ROOT/benches/wrk/create.lua" "$SANDBOX_URL" \
    -- "$WORK/wrk-body.json" >"$WORK/wrk.out"
stop_sandbox
wrk_rps=$(awk '/^Requests\/sec:/ {print $2}' "$WORK/wrk.out")
wrk_total=$(awk '/requests in/ {print $1; exit}' "$WORK/wrk.out")
wrk_non2xx=$(awk -F': *' '/Non-2xx/ {print $2}' "$WORK/wrk.out")
wrk_non2xx=${wrk_non2xx:-0}
((wrk_total > 0)) || die "wrk sent nothing (see $WORK/wrk.out)"
((wrk_non2xx * 100 <= wrk_total)) || die "wrk: $wrk_non2xx of $wrk_total answers not 2xx (see $WORK/wrk.out)"

say "push: ferry import $PUSH --concurrency $CONC (ledger on)"
start_sandbox "$WORK/sandbox-ferry.log"
ferry_import "$PUSH" "$WORK/push-ferry" --concurrency "$CONC"
stop_sandbox
OUT=$WORK/push-ferry.out
ferry_created=$(import_line "$OUT" "clients created")
ferry_failed=$(import_line "$OUT" "failed at the target")
ferry_rps=$(import_line "$OUT" "requests per second (sending)")
ferry_elapsed=$(import_line "$OUT" "seconds")
ferry_push_rss=$(rss_mb "$WORK/push-ferry.time")
[[ $ferry_created == "$push_valid" ]] || die "ferry import created $ferry_created, expected $push_valid (see $OUT)"

say "push: benches/python_loader.py --concurrency $CONC"
start_sandbox "$WORK/sandbox-python.log"
/usr/bin/time -v -o "$WORK/python.time" "$PY" "$ROOT/benches/python_loader.py" "$PAYLOADS" \
    --target "$SANDBOX_URL" --concurrency "$CONC" >"$WORK/python.out"
stop_sandbox
py_created=$(awk '/^created/ {print $2}' "$WORK/python.out")
py_rps=$(awk '/^rows\/s/ {print $2}' "$WORK/python.out")
py_rss=$(rss_mb "$WORK/python.time")
[[ $py_created == "$push_valid" ]] || die "python loader created $py_created, expected $push_valid"

# ---------------------------------------------------------------- rate accuracy
declare -A RATE_RESULT
for r in $RATES; do
    n=$((r * RATE_SECS))
    slice=$DATA/wide-valid-$n.csv
    gen "$slice" "$n" 0
    c=8
    ((r >= 1000)) && c=$CONC
    say "rate: ferry import $n rows --rate $r --concurrency $c against --rate-limit $r"
    start_sandbox "$WORK/sandbox-rate-$r.log" --rate-limit "$r"
    ferry_import "$slice" "$WORK/rate-$r" --rate "$r" --concurrency "$c"
    stop_sandbox
    out=$WORK/rate-$r.out
    RATE_RESULT[$r]="$(import_line "$out" "requests per second (sending)") $(import_line "$out" "throttled (429)") $(import_line "$out" "clients created") $c"
done

# ---------------------------------------------------------------- table
say "writing $RESULTS"
row "stage" "tool" "rows" "median s" "rows/s" "peak RSS MB" "ratio" "target" "ok"
row "---" "---" "---:" "---:" "---:" "---:" "---:" "---" "---"
row "dry run" "parse floor: csv::ByteRecord (examples/parse_floor.rs)" "$(fmt_int "$ROWS")" \
    "$(calc "$floor_s" .3f)" "$(fmt_int "$floor_rps")" "$(rss_mb "$WORK/floor.time")" "1.00× floor" "" ""
row "dry run" "ferry validate --threads 1" "$(fmt_int "$ROWS")" "$(calc "$one_s" .3f)" \
    "$(fmt_int "$one_rps")" "$(rss_mb "$WORK/dry-1t.time")" \
    "$(calc "$one_rps / $floor_rps * 100" .1f)% of floor" "" ""
row "dry run" "ferry validate ($threads threads)" "$(fmt_int "$ROWS")" "$(calc "$all_s" .3f)" \
    "$(fmt_int "$all_rps")" "$all_rss" \
    "$(calc "$all_rps / $floor_rps * 100" .1f)% of floor; $(calc "$all_rps / $one_rps" .2f)× 1 thread" \
    "≥ 500,000 rows/s, ≥ 25% of floor, ≥ 1.8× 1 thread" \
    "$(verdict "$all_rps >= 500000 and $all_rps >= 0.25 * $floor_rps and $all_rps >= 1.8 * $one_rps")"
row "dry run" "frictionless validate, Table Schema (first $(fmt_int "$FL_ROWS") rows, 1 run, rows/s scaled)" \
    "$(fmt_int "$FL_ROWS")" "$(calc "$fl_s" .3f)" "$(fmt_int "$fl_rps")" "$fl_rss" \
    "ferry $(calc "$all_rps / $fl_rps" .0f)× faster" "≥ 50×" "$(verdict "$all_rps >= 50 * $fl_rps")"
if [[ $QUICK != 1 ]]; then
    row "dry run" "ferry validate ($threads threads), $(fmt_int "$BIG_ROWS") rows (1 run)" \
        "$(fmt_int "$BIG_ROWS")" "$big_s" "$(fmt_int "$(calc "$BIG_ROWS / $big_s")")" "$big_rss" \
        "per row $(calc "$big_s / $BIG_ROWS / ($all_s / $ROWS)" .2f)× and RSS $(calc "$big_rss / $all_rss" .2f)× the $(fmt_int "$ROWS")-row run" \
        "per-row cost and RSS within 10%, ≤ 150 MB" \
        "$(verdict "abs($big_s / $BIG_ROWS / ($all_s / $ROWS) - 1) <= 0.10 and $big_rss <= 150 and $all_rss <= 150 and abs($big_rss / $all_rss - 1) <= 0.10")"
else
    row "dry run" "ferry validate peak RSS at $(fmt_int "$ROWS") rows; the $(fmt_int "$BIG_ROWS")-row flatness run is $big_note" \
        "" "" "" "$all_rss" "" "≤ 150 MB (flatness not measured)" "$(verdict "$all_rss <= 150")"
fi
wrk_s=$(calc "$wrk_total / $wrk_rps" .1f)
row "push" "wrk -c $CONC -t 2, one valid body (ids made unique), $wrk_non2xx non-2xx" \
    "$(fmt_int "$wrk_total")" "$wrk_s" "$(fmt_int "$wrk_rps")" "" "1.00× floor" "" ""
row "push" "ferry import --concurrency $CONC, ledger on ($ferry_failed failed at target)" \
    "$(fmt_int "$ferry_created")" "$(calc "$ferry_created / $ferry_rps" .2f)" "$(fmt_int "$ferry_rps")" \
    "$ferry_push_rss" "$(calc "$ferry_rps / $wrk_rps * 100" .1f)% of wrk" "≥ 90% of wrk" \
    "$(verdict "$ferry_rps >= 0.9 * $wrk_rps")"
row "push" "python loader: asyncio + aiohttp, $CONC concurrent, retries (benches/python_loader.py)" \
    "$(fmt_int "$py_created")" "$(awk '/^seconds/ {print $2}' "$WORK/python.out")" "$(fmt_int "$py_rps")" \
    "$py_rss" "$(calc "$py_rps / $wrk_rps * 100" .1f)% of wrk; ferry $(calc "$ferry_rps / $py_rps" .2f)×" "" ""
for r in $RATES; do
    read -r got throttled created c <<<"${RATE_RESULT[$r]}"
    row "rate $r/s" "ferry import --rate $r --concurrency $c vs sandbox --rate-limit $r; 429s: $throttled" \
        "$(fmt_int "$created")" "$(calc "$created / $got" .1f)" "$got" "$(rss_mb "$WORK/rate-$r.time")" \
        "$(calc "$got / $r * 100" .1f)% of target" "within 2%, zero 429" \
        "$(verdict "abs($got / $r - 1) <= 0.02 + eps and $throttled == 0")"
done

{
    echo "# Ferry side-by-side benchmark"
    echo
    echo "$(date -u '+%Y-%m-%d %H:%M UTC'); $(nproc) cores ($(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)); $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo) RAM; $(uname -sr); $(rustc --version)."
    echo "Dry-run file: \`ferry gen --rows $ROWS --layout wide --invalid-ratio 0.05 --seed 1\` ($(du -m "$FILE" | cut -f1) MB, $invalid rows rejected by ferry)."
    echo "Load average (1, 5, 15 min) at the start: $LOAD_START; at the end: $(cut -d' ' -f1-3 /proc/loadavg). Other work on the machine slows every row alike; compare ratios within one run."
    echo "Hyperfine runs: $RUNS (median). Peak RSS from \`/usr/bin/time -v\` in a separate run. Sandbox: \`ferry sandbox --memory\` on loopback, restarted per run, faults off."
    echo "frictionless found $fl_errors errors in $fl_bad_rows rows of its slice; ferry rejects $ferry_slice_invalid rows of the same slice."
    echo
    printf '%s\n' "${TABLE[@]}"
} >"$RESULTS"
cat "$RESULTS"
