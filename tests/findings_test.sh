#!/usr/bin/env bash
# findings_test.sh BIN — findings about a well-formed portfolio do not stop
# it from running (docs/architecture.md, "what stops a run").
#
#   bash tests/findings_test.sh build/strat
#
# examples/retail on 2031-12-01, after its waiver `till_refresh` expired on
# 2031-09-30: the expired waiver is an error (S0911) and the violation it
# covered (store_pos breaks incident_ceiling, S0913) is reported again;
# every command still runs and writes its output, and exits 1:
#   decide in every format (table, json, csv, md, summary, html): every
#     service of the portfolio is in the output, and `-o FILE` writes FILE;
#   test runs the strategy's tests; explain and sensitivity write theirs;
#   check reports both errors.
# On 2027-01-15, with the waiver in force, the same commands exit 0 and
# report neither.  Prints `N passed, M failed` last; exit 1 on failure.
set -u
bin=$(realpath "${1:-build/strat}")
root=$(cd "$(dirname "$0")/.." && pwd)
pass=0
fail=0

. "$root/tests/lib.sh"

dir=$root/examples/retail
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# run TODAY CMD [OPTIONS...]: runs BIN on retail.strat (and $subject after
# it, when set); sets code, out, err
subject=
run() {
    local today=$1
    shift
    # shellcheck disable=SC2086  # an empty subject is no argument
    (cd "$dir" && LC_ALL=C "$bin" "$@" --today "$today" --color never retail.strat \
        $subject >"$work/out" 2>"$work/err" </dev/null)
    code=$?
    out=$(cat "$work/out")
    err=$(cat "$work/err")
}

expired=2031-12-01
in_force=2027-01-15

# the services of the portfolio, from the clean day's CSV
run "$in_force" decide --format csv
services=$(printf '%s\n' "$out" | tail -n +2 | cut -d, -f2)
nservices=$(printf '%s\n' "$services" | grep -c .)
if [ "$code" = 0 ] && [ "$nservices" -ge 20 ]; then ok
else bad "decide --format csv on $in_force (exit $code, $nservices services)" "$err"; fi

# every_service LABEL TEXT: each service name appears in TEXT
every_service() {
    local label=$1 text=$2 s missing=""
    text=${text//\\/}   # Markdown escapes the underscores of names
    for s in $services; do
        grep -q -- "$s" <<<"$text" || missing="$missing $s"
    done
    if [ -z "$missing" ]; then ok; else bad "$label: services missing:$missing"; fi
}

# reported_again LABEL: stderr holds the expired waiver and the violation
reported_again() {
    if grep -q "waiver \`till_refresh\` expired on 2031-09-30 \[S0911\]" <<<"$err" &&
        grep -q "service \`store_pos\` breaks rule \`incident_ceiling\`.*\[S0913\]" <<<"$err"
    then ok; else bad "$1: S0911 and the covered S0913 not both reported" "$err"; fi
}

for fmt in table json csv md summary html; do
    run "$expired" decide --format "$fmt"
    if [ "$code" = 1 ] && [ -n "$out" ]; then ok
    else bad "decide --format $fmt on $expired: exit $code (want 1) and output" "$err"; fi
    reported_again "decide --format $fmt"
    [ "$fmt" = summary ] || every_service "decide --format $fmt" "$out"
done

# the summary counts every service
run "$expired" decide --format summary
total=$(printf '%s\n' "$out" | awk '!/^#/ { n += $2 } END { print n + 0 }')
if [ "$total" = "$nservices" ]; then ok
else bad "decide --format summary counts $total services, want $nservices" "$out"; fi

# -o FILE is written, atomically, with every service in it
rm -f "$work/report.html"
run "$expired" decide --format html -o "$work/report.html"
if [ "$code" = 1 ] && [ -s "$work/report.html" ]; then ok
else bad "decide --format html -o report.html: exit $code (want 1), file written" "$err"; fi
every_service "-o report.html" "$(cat "$work/report.html" 2>/dev/null)"

# test runs the strategy's tests
run "$expired" test
ntests=$(grep -c '^test ' "$dir"/*.strat | awk -F: '{ n += $2 } END { print n + 0 }')
last=$(printf '%s\n' "$out" | tail -n 1)
if [ "$code" = 1 ] && [ "$last" = "$ntests passed, 0 failed" ]; then ok
else bad "test on $expired: exit $code (want 1), last line \`$last\` (want $ntests passed)" "$err"; fi
reported_again "test"

subject=store_pos run "$expired" explain
if [ "$code" = 1 ] && grep -q '^decision: ' <<<"$out"; then ok
else bad "explain store_pos on $expired: exit $code (want 1) and an explanation" "$err"; fi

run "$expired" sensitivity --runs 5
if [ "$code" = 1 ] && grep -q '^# sensitivity: 5 runs' <<<"$out"; then ok
else bad "sensitivity on $expired: exit $code (want 1) and a report" "$err"; fi

run "$expired" check
if [ "$code" = 1 ] && [ -z "$out" ]; then ok
else bad "check on $expired: exit $code (want 1)" "$err"; fi
reported_again "check"

# with the waiver in force: clean
for cmd in check decide test; do
    run "$in_force" "$cmd"
    if [ "$code" = 0 ] && ! grep -q 'S0911\|S0913' <<<"$err"; then ok
    else bad "$cmd on $in_force: exit $code (want 0), no S0911 or S0913" "$err"; fi
done

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
