#!/usr/bin/env bash
# explain_scaling_test.sh BIN — scores calling scores stay linear wherever
# a score is evaluated again outside the pipeline's columns.
#
#   bash tests/security/explain_scaling_test.sh build/strat
#
# The input is a doubling chain: `score s0(s) = s.x`, then
# `score sK(s) = sK-1(s) + sK-1(s)` up to s20 and s30, a few hundred bytes.
# Evaluated naively, sK costs 2^K evaluations of s0 (a chain of 20 took
# over a minute in `explain`; 30 would take a day).  Each run below must
# finish within a generous 20 s timeout (it takes milliseconds when the
# scores are memoised) and print the right numbers:
#   explain        `strat explain` of one service: every score, the arms,
#                  the flip (x 1 -> 1.5001: strictly past the threshold)
#   html           `decide --format html`, whose rows hold the explanations
#   nan report     `decide` where one service's x is missing, so every score
#                  is NaN and each is reported with the inputs it read (a
#                  traced re-evaluation)
#   norm of chain  `decide --jit on` and `explain` where a score and an arm
#                  take norm() of the chain's last score (the JIT fixes every
#                  norm() range before the columns exist)
# Not a performance claim: only that the work does not grow as 2^K.
# Prints `N passed, M failed` last; exit 1 on failure.
set -u
bin=$(realpath "${1:-build/strat}")
root=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=../lib.sh
. "$root/tests/lib.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
limit=20

# chain N [norm]: the strategy; service a has x = 1, b has x = 2 (or none
# with nan), so sN is 2^N and 2^(N+1); invest above 1.5 * 2^N
chain() {
    local n=$1 mode=${2:-} bx=2 i
    [ "$mode" = nan ] && bx=none
    cat <<EOF
strategy "t" { horizon = 2027-01-01 .. 2027-12-31  budget = 10M }
role cfo { }
objective o1 { metric = "m" baseline = 1 target = 2 due = 2027-06-30 weight = 1 owner = cfo }
value_stream vs { delivers = o1  stage engage { services = [a, b] } }
schema service { x : number }
service a { owner = cfo supports = [o1] status = catalogue x = 1 }
service b { owner = cfo supports = [o1] status = catalogue x = $bx }
score s0(s) = s.x
EOF
    for ((i = 1; i <= n; i++)); do
        echo "score s$i(s) = s$((i - 1))(s) + s$((i - 1))(s)"
    done
    [ "$mode" = norm ] && echo "score t(s) = norm(s$n(s))"
    echo "decide {"
    echo "  invest when s$n(s) > $((3 << (n - 1)))"
    [ "$mode" = norm ] && echo "  retire when norm(s$n(s)) > 5"
    echo "  tolerate otherwise"
    echo "}"
}

# run LABEL EXPECTED-EXIT PATTERN... -- ARGS: within the time limit, the
# exit status, and each PATTERN (grep -E) in stdout+stderr
run() {
    local label=$1 want=$2 out code pat
    shift 2
    local pats=()
    while [ "$1" != -- ]; do pats+=("$1"); shift; done
    shift
    out=$(cd "$work" && timeout "$limit" "$bin" "$@" --today 2027-01-15 --color never 2>&1)
    code=$?
    if [ "$code" = 124 ]; then
        bad "$label: still running after ${limit}s"
        return
    fi
    if [ "$code" != "$want" ]; then
        bad "$label: exit $code, want $want" "$out"
        return
    fi
    for pat in "${pats[@]}"; do
        if ! grep -qE -- "$pat" <<<"$out"; then
            bad "$label: no /$pat/ in the output" "$out"
            return
        fi
    done
    ok
}

for n in 20 30; do
    chain "$n" >"$work/c$n.strat"
    chain "$n" nan >"$work/nan$n.strat"
    chain "$n" norm >"$work/norm$n.strat"
    big=$((1 << n))
    run "explain, chain of $n" 0 "^  s$n +=  *$big " "^decision: tolerate" \
        "^  x +1 -> 1\\.5001 \\(\\+50\\.0%\\)  would make it invest" -- explain "c$n.strat" a
    run "html, chain of $n" 0 "x +1 -&gt; 1\\.5001 \\(\\+50\\.0%\\)  would make it invest" \
        "s$n +=  *$((2 * big)) " -- decide --format html "c$n.strat"
    run "nan report, chain of $n" 1 "score \`s$n\` is not a number for service \`b\` \\(x = nan\\)" \
        -- decide "nan$n.strat"
    run "norm of the chain, decide --jit on, $n" 0 "a +tolerate" "b +invest" \
        -- decide --jit on --no-cache "norm$n.strat"
    run "norm of the chain, explain, $n" 0 "^  norm\\(s$n\\(s\\)\\) +min $big, max $((2 * big))" \
        "would make it invest" -- explain "norm$n.strat" a
done

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
