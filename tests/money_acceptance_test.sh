#!/usr/bin/env bash
# money_acceptance_test.sh BIN — issue 16's acceptance ("Money, demand and
# lifecycle"): a held-out strategy written from DESIGN §5.7-§5.9 and the
# user docs alone (tests/acceptance/money/: campus.strat imports
# services.strat; ledger.csv, usage.csv, demand.csv), a university's IT
# charging four faculties. It uses every pool method (even, a driver,
# shares, a ledger-only pool), every charging method (proportional,
# capacity with unused capacity, tiered), every forecasting method (naive,
# seasonal_naive(12), moving_average(k), holt, holt_winters(.., 12)) and
# lifecycle milestones near, passed with a waiver, far and absent, and
# allocated_cost, charge, forecast and lifecycle_risk in scores that drive
# the decide table.
#
#   bash tests/money_acceptance_test.sh build/strat
#
# Checks, all with --today 2027-01-15:
#   * `check --werror` exits 0 and prints nothing; `fmt --check` is clean;
#     at 2027-07-01 the waiver has lapsed: S0911 and S0935 (legacy_sis)
#     and S0935 (research_portal), exit 1;
#   * tests/acceptance/money/hand.py, an independent computation from the
#     CSVs (python3), agrees with `showback --format csv` and `json` on every
#     charge line to the cent (direct, shared, total; quantity, rate, share),
#     every customer total, the unallocated lines and the reconciliation;
#     with `forecast --format csv` (horizons 1 and 12) on every service's
#     forecast and MASE to 1e-9 relative; with `decide --format csv --scores
#     all` on lifecycle_risk, lifecycle_days, allocated_cost, charge and
#     forecast in scores, every decision and the ranking;
#   * the hand computation can fail: strat run on a copy whose ledger has
#     one amount a cent off disagrees with it;
#   * decide (csv with every score, json, table) with --jit off and on
#     writes the same bytes, and the JIT compiled the scores read and the
#     table.
# Prints `N passed, M failed` last; exit 1 on failure.
set -u
bin=$(realpath "${1:-build/strat}")
root=$(cd "$(dirname "$0")/.." && pwd)
pass=0
fail=0

. "$root/tests/lib.sh"

cd "$root" || exit 2
dir=tests/acceptance/money
main=$dir/campus.strat
today=(--today 2027-01-15)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export XDG_CACHE_HOME="$tmp/cache"

if ! command -v python3 >/dev/null 2>&1; then
    echo "money_acceptance_test: python3 is missing: skipped"
    echo "0 passed, 0 failed"
    exit 0
fi

# ---- check, fmt, the waiver lapsing -------------------------------------

out=$("$bin" check --werror "${today[@]}" "$main" 2>"$tmp/check.err")
code=$?
if [ $code -eq 0 ] && [ ! -s "$tmp/check.err" ] && [ -z "$out" ]; then ok
else bad "check --werror: exit $code, expected 0 and no output" "$out$(cat "$tmp/check.err")"; fi

out=$("$bin" fmt --check "$dir"/*.strat 2>&1)
[ $? -eq 0 ] && ok || bad "fmt --check $dir" "$out"

"$bin" check --today 2027-07-01 "$main" >/dev/null 2>"$tmp/late.err"
code=$?
codes=$(grep -o 'S[0-9]\{4\}' "$tmp/late.err" | sort | tr '\n' ' ')
if [ $code -eq 1 ] && [ "$codes" = "S0911 S0935 S0935 " ] \
   && grep -q 'services.strat:83:31: error: service `legacy_sis` is live past its end of life' "$tmp/late.err" \
   && grep -q 'service `research_portal` is live past its end of life (2027-03-16)' "$tmp/late.err"; then ok
else bad "check at 2027-07-01: expected S0911 and S0935 for legacy_sis and research_portal, exit 1 (exit $code, $codes)" \
         "$(cat "$tmp/late.err")"; fi

# ---- figures against the hand computation -------------------------------

run_outputs() {   # DIR OUT: strat's outputs on DIR/campus.strat into OUT.*
    "$bin" showback "${today[@]}" --format csv "$1/campus.strat" >"$2.sb.csv" 2>>"$2.err"
    "$bin" showback "${today[@]}" --format json "$1/campus.strat" >"$2.sb.json" 2>>"$2.err"
    "$bin" forecast "${today[@]}" --format csv "$1/campus.strat" >"$2.f1.csv" 2>>"$2.err"
    "$bin" forecast "${today[@]}" --horizon 12 --format csv "$1/campus.strat" >"$2.f12.csv" 2>>"$2.err"
    "$bin" decide "${today[@]}" --jit off --format csv --scores all "$1/campus.strat" \
        >"$2.d.csv" 2>>"$2.err"
}
hand() {          # OUT: hand.py on the checked-in CSVs against OUT.*
    python3 "$dir/hand.py" "$dir" "$1.sb.csv" "$1.sb.json" "$1.f1.csv" "$1.f12.csv" "$1.d.csv" 2>&1
}

run_outputs "$dir" "$tmp/real"
[ -s "$tmp/real.err" ] && bad "strat wrote to stderr" "$(cat "$tmp/real.err")" || ok
hand "$tmp/real" >"$tmp/hand.out"
n=$(grep -c '^ok ' "$tmp/hand.out")
while IFS= read -r line; do
    case $line in
        "ok "*) ok ;;
        "bad "*) bad "${line#bad }" ;;
        *) bad "hand.py: $line" ;;
    esac
done <"$tmp/hand.out"
# 31 charge lines x 2, 4 customer totals, 2 unallocated, 7 services x 6
# forecast figures x 2 horizons, 8 services x 5 decide figures, ...
[ "$n" -ge 150 ] && ok || bad "hand.py made only $n checks"

# the plant: one ledger amount a cent off in a copy; the hand computation
# (on the checked-in files) must disagree with what strat makes of the copy
mkdir -p "$tmp/plant"
cp "$dir"/* "$tmp/plant/"
sed -i 's/^GL-1003,datacenter,45333.33,/GL-1003,datacenter,45333.34,/' "$tmp/plant/ledger.csv"
if cmp -s "$dir/ledger.csv" "$tmp/plant/ledger.csv"; then bad "the plant did not change ledger.csv"
else
    run_outputs "$tmp/plant" "$tmp/plant"
    hand "$tmp/plant" >"$tmp/plant.out"
    if grep -q '^bad showback csv total line' "$tmp/plant.out" \
       && grep -q '^bad allocated_cost' "$tmp/plant.out"; then ok
    else bad "a ledger a cent off was not caught by the hand computation" "$(grep -v '^ok' "$tmp/plant.out")"; fi
fi

# ---- the JIT: the same bytes ---------------------------------------------

"$bin" decide -v --no-cache --jit on "${today[@]}" --format csv "$main" \
    >/dev/null 2>"$tmp/probe.err"
jit=on
if grep -q 'jit: 8 services, 9 of 17 scores compiled, decide compiled' "$tmp/probe.err"; then ok
elif grep -qi 'libgccjit' "$tmp/probe.err"; then
    echo "money_acceptance_test: the JIT is not available here: --jit on compared as given" \
         "($(grep -i -m1 libgccjit "$tmp/probe.err"))"
    jit=unavailable
else bad "decide --jit on -v: the 9 scores read and the table were not all compiled" \
         "$(grep 'jit:' "$tmp/probe.err")"; fi

for f in csv json table; do
    "$bin" decide --jit off "${today[@]}" --scores all --format $f "$main" >"$tmp/off.$f" 2>&1
    c1=$?
    "$bin" decide --jit on "${today[@]}" --scores all --format $f "$main" >"$tmp/on.$f" 2>&1
    c2=$?
    if [ $c1 -eq 0 ] && [ $c2 -eq 0 ] && [ -s "$tmp/off.$f" ] && cmp -s "$tmp/off.$f" "$tmp/on.$f"; then ok
    else bad "decide --format $f: --jit off and on differ (exit $c1, $c2; jit $jit)" \
             "$(diff "$tmp/off.$f" "$tmp/on.$f" | head -10)"; fi
done

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
