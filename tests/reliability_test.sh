#!/usr/bin/env bash
# reliability_test.sh BIN — the quick reliability suite `make test` runs
# (under about two minutes); docs/reliability.md describes the long runs.
#
#   bash tests/reliability_test.sh build/strat
#
#   1. fuzz smoke: tests/fuzz/run.sh for RELIABILITY_FUZZ_SECONDS (60) split
#      across the libFuzzer targets of tests/fuzz; skipped with a message when clang
#      with libFuzzer cannot be found or installed (the first run also
#      builds the targets, about 30 s more)
#   2. allocation-failure sweep of examples/retail with check and decide,
#      and of a 5000-service CSV parsed by worker threads
#      (STRAT_CSV_BLOCK=4096) with check and sensitivity, and its decisions
#      written as CSV and JSON by the writer's threads (STRAT_OUTPUT_BLOCK=64)
#      (tests/reliability/alloc_sweep.sh, sampled past N=200) using the
#      ASan build build/asan/strat when it is present and newer than every
#      source, else the ASan+UBSan strat that step 1 linked in build/fuzz/,
#      else BIN (then leaks go unseen: it says so)
#   3. no partial output (tests/reliability/partial_output.sh)
#   4. determinism of examples/retail (tests/determinism_test.sh)
# Prints each part's result and `N passed, M failed` last (the sums of the
# parts); exit 1 on any failure.
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
bin=$(realpath "${1:-$root/build/strat}")
pass=0
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# part NAME COMMAND...: runs a part, shows its failures, adds its counts
part() {
    local name=$1 log=$tmp/log code line p f
    shift
    local start=$SECONDS
    "$@" >"$log" 2>&1
    code=$?
    line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$log" | tail -1)
    if [ -n "$line" ]; then
        p=${line%% passed*}
        f=${line#*, }
        f=${f%% failed}
    else
        p=0
        f=1
    fi
    if [ "$code" != 0 ] && [ "$f" = 0 ]; then f=1; fi
    pass=$((pass + p))
    fail=$((fail + f))
    grep -E '^(FAIL|skip|SKIP|alloc: note)' "$log" | head -40
    [ -z "$line" ] && tail -15 "$log" | sed 's/^/    /'
    printf '== %-16s %s (%ds)\n' "$name" "${line:-exit $code}" $((SECONDS - start))
}

# ---- 1. fuzz smoke ----------------------------------------------------------------
secs=${RELIABILITY_FUZZ_SECONDS:-60}
start=$SECONDS
bash "$root/tests/fuzz/run.sh" "$secs" >"$tmp/fuzz" 2>&1
code=$?
if [ "$code" = 3 ]; then
    grep -m1 SKIP "$tmp/fuzz"
    echo "== fuzz smoke       skipped: no clang with libFuzzer"
elif [ "$code" = 0 ]; then
    pass=$((pass + 1))
    grep -E '^ok' "$tmp/fuzz" | sed 's/^/    /'
    printf '== %-16s %s (%ds)\n' "fuzz smoke" "$(tail -1 "$tmp/fuzz")" $((SECONDS - start))
else
    fail=$((fail + 1))
    grep -vE '^(#|INFO|	)' "$tmp/fuzz" | tail -40 | sed 's/^/    /'
    printf '== %-16s FAILED (%ds); reproduce from build/fuzz/artifacts/\n' "fuzz smoke" $((SECONDS - start))
fi

# ---- 2. allocation failures ------------------------------------------------------------
# an ASan build newer than every source: build/asan/strat (make asan), or
# the one tests/fuzz/run.sh links beside the fuzz targets; else BIN
fresh() {
    [ -x "$1" ] && [ -z "$(find "$root/src" "$root/grammar" "$root/include" -newer "$1" -type f 2>/dev/null | head -1)" ]
}
sweep_bin=$bin
if fresh "$root/build/asan/strat"; then
    sweep_bin=$root/build/asan/strat
elif fresh "${FUZZ_DIR:-$root/build/fuzz}/strat"; then
    sweep_bin=${FUZZ_DIR:-$root/build/fuzz}/strat
fi
ALLOC_COMMANDS="check decide" part "alloc sweep" bash "$root/tests/reliability/alloc_sweep.sh" "$sweep_bin" retail
# a CSV parsed by worker threads (tiny blocks): failures strike while they
# run, and the load must stop and join them before unwinding
STRAT_CSV_BLOCK=4096 ALLOC_COMMANDS="check sensitivity" \
    part "alloc sweep, threaded CSV" bash "$root/tests/reliability/alloc_sweep.sh" "$sweep_bin" synthetic
# its decisions written as CSV and JSON by the writer's worker threads
# (blocks of 64 rows): failures strike while the blocks are set up
STRAT_OUTPUT_BLOCK=64 ALLOC_COMMANDS="csv json" \
    part "alloc sweep, threaded writer" bash "$root/tests/reliability/alloc_sweep.sh" "$sweep_bin" synthetic

# ---- 3. no partial output ----------------------------------------------------------------
part "partial output" bash "$root/tests/reliability/partial_output.sh" "$bin"

# ---- 4. determinism ------------------------------------------------------------------------
DETERMINISM_EXAMPLES=retail part "determinism" bash "$root/tests/determinism_test.sh" "$bin"

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
