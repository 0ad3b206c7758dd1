#!/usr/bin/env bash
# acceptance_test.sh BIN — issue 12's acceptance: a portfolio written from
# DESIGN §5 and docs/language.md alone (tests/acceptance/: pawnee.strat and
# the files it imports, inventory.csv), using every feature of the issue:
# backtick names (CSV keys and teams that are not identifiers), round /
# floor / ceil / trunc / mod / let, two named decide tables (the second
# reads the first; approvals on both; `because` with {expressions}), text
# predicates, `int` attributes, and a strategy without budget or horizon.
#
#   bash tests/acceptance_test.sh build/strat
#
# Checks, all with --today 2027-01-15:
#   * `check --werror` exits 0 and prints nothing; `strat test` passes every
#     test block, with --jit off and on (their expectations are computed by
#     hand in comments);
#   * `decide` in every format (table, csv, json, md, html, summary) with
#     --jit off and --jit on writes the same bytes, and the JIT really ran
#     (scores and the first table compiled); each format shows both tables;
#   * figures computed by hand, read from the CSV output by column name;
#     money as people read it in the HTML report;
#   * an `int` cell of 2.5 in a copy of the CSV: a located S1103, exit 1;
#     the waiver lapsing brings the rule violation back (exit 1);
#   * `fmt --check` on the portfolio; `explain --table action` names the
#     arm that fired, at its line; explain's smallest change of an input
#     that is 0 (no percentage).
# Prints `N passed, M failed` last; exit 1 on failure.
set -u
bin=$(realpath "${1:-build/strat}")
root=$(cd "$(dirname "$0")/.." && pwd)
pass=0
fail=0

. "$root/tests/lib.sh"

cd "$root" || exit 2
dir=tests/acceptance
main=$dir/pawnee.strat
today=(--today 2027-01-15)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# a cache of compiled code of this run's own: the cache is keyed by the rules
# and strat's version, so a user's cache may hold code an older build of the
# same version compiled (a JIT bug just fixed, or planted, would not show)
export XDG_CACHE_HOME="$tmp/cache"

# ---- check and test -----------------------------------------------------

out=$("$bin" check --werror "${today[@]}" "$main" 2>"$tmp/check.err")
code=$?
if [ $code -eq 0 ] && [ ! -s "$tmp/check.err" ] && [ -z "$out" ]; then ok
else bad "check --werror: exit $code, expected 0 and no output" "$out$(cat "$tmp/check.err")"; fi

ntests=$(cat "$dir"/*.strat | grep -c '^test ')
for j in off on; do
    out=$("$bin" test --jit $j "${today[@]}" "$main" 2>&1)
    code=$?
    if [ $code -eq 0 ] && [ "$(printf '%s\n' "$out" | tail -1)" = "$ntests passed, 0 failed" ] \
       && ! printf '%s\n' "$out" | grep -q '^FAIL'; then ok
    else bad "strat test --jit $j: exit $code, expected all $ntests tests to pass" "$out"; fi
done
[ "$ntests" -ge 15 ] && ok || bad "only $ntests test blocks in $dir"

# ---- decide in every format, interpreter and JIT ------------------------

formats="table csv json md html summary"
jit=on
"$bin" decide -v --no-cache --jit on "${today[@]}" --format csv "$main" \
    >"$tmp/probe.csv" 2>"$tmp/probe.err"
if grep -q 'jit: 16 services, 9 of 9 scores compiled, decide compiled' "$tmp/probe.err"; then ok
elif grep -qi 'libgccjit' "$tmp/probe.err"; then
    echo "acceptance_test: the JIT is not available here: --jit on compared as given" \
         "($(grep -i -m1 libgccjit "$tmp/probe.err"))"
    jit=unavailable
else bad "decide --jit on -v: the scores and the first table were not all compiled" \
         "$(cat "$tmp/probe.err")"; fi

for f in $formats; do
    "$bin" decide --jit off "${today[@]}" --format "$f" "$main" >"$tmp/off.$f" 2>"$tmp/off.$f.err"
    c1=$?
    "$bin" decide --jit on "${today[@]}" --format "$f" "$main" >"$tmp/on.$f" 2>"$tmp/on.$f.err"
    c2=$?
    if [ $c1 -eq 0 ] && [ $c2 -eq 0 ] && [ ! -s "$tmp/off.$f.err" ] && [ ! -s "$tmp/on.$f.err" ] \
       && [ -s "$tmp/off.$f" ]; then ok
    else bad "decide --format $f: exits $c1 (jit off) and $c2 (jit on), expected 0 and no diagnostics" \
             "$(cat "$tmp/off.$f.err" "$tmp/on.$f.err")"; fi
    if cmp -s "$tmp/off.$f" "$tmp/on.$f"; then ok
    else bad "decide --format $f: --jit off and --jit on differ" \
             "$(diff "$tmp/off.$f" "$tmp/on.$f" | head -20)"; fi
done
[ "$jit" = on ] && { cmp -s "$tmp/probe.csv" "$tmp/off.csv" && ok ||
    bad "decide --format csv: freshly compiled (--no-cache) differs from the interpreter"; }

# has FORMAT TEXT...: each TEXT occurs (fixed string) in the FORMAT output
has() {
    local f=$1 t
    shift
    for t in "$@"; do
        if grep -qF -- "$t" "$tmp/off.$f"; then ok
        else bad "decide --format $f: no \`$t\`"; fi
    done
}
has table 'time_arm' 'time_because' 'action_arm' 'action_because' \
    '# summary time: invest 4, migrate 3, tolerate 6, eliminate 3' \
    '# summary action: retain 5, invest 5, modernise 2, consolidate 1, replace 1, retire 2'
has csv 'rank,service,time,time_arm,time_because,action,action_arm,action_because,'
has json '"table_summaries": {"time": {"invest": 4, "migrate": 3, "tolerate": 6, "eliminate": 3, "undecided": 0}, "action": {"retain": 5, "invest": 5, "modernise": 2, "consolidate": 1, "replace": 1, "retire": 2, "undecided": 0}}'
has md '| time | services |' '| action | services |' \
    '| time | time\_arm | time\_because | action | action\_arm | action\_because |'
has html '<th>time</th>' '<th>action</th>' 'action_<wbr>because' '<h2>Summary by time</h2>'
has summary '# table time' '# table action' 'eliminate  3' 'consolidate 1' 'retire      2'   # aligned

# every JSON row carries both tables
n=$(grep -c '"tables": {"time": {"decision": "[a-z]*", .*"action": {"decision": "[a-z]*"' "$tmp/off.json")
[ "$n" = 16 ] && ok || bad "decide --format json: $n of 16 rows hold tables.time and tables.action"
if command -v python3 >/dev/null 2>&1; then
    if python3 - "$tmp/off.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
rows = {r["service"]: r for r in d["decisions"]}
assert len(rows) == 16, len(rows)
e = rows["Email Archive Platform"]
assert e["decision"] == "eliminate" and e["tables"]["time"]["decision"] == "eliminate", e
assert e["tables"]["action"]["decision"] == "retire", e
assert e["tables"]["action"]["because"] == "Email Archive Platform: nobody needs it at value 2.6", e
assert e["scores"]["business"] == 2.6 and e["scores"]["priority"] == 2.7, e
assert rows["Legacy Payroll"]["approvers"] == ["City Manager"], rows["Legacy Payroll"]
assert rows["Water Quality Monitor"]["approvers"] == ["cio"], rows["Water Quality Monitor"]
EOF
    then ok; else bad "decide --format json: the hand-computed figures of the JSON rows"; fi
else
    echo "acceptance_test: python3 not installed: the JSON rows are checked with grep only"
fi

# ---- figures computed by hand (tests/acceptance/expectations.strat) -----

# col SERVICE COLUMN: the cell of SERVICE's row under header COLUMN in the
# CSV output (RFC 4180 quoting of commas and quotes; CRLF line ends)
col() {
    gawk -v RS='\r\n' -v FPAT='([^,]*)|("([^"]|"")*")' -v svc="$1" -v name="$2" '
        NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next }
        $(h["service"]) == svc {
            if (!(name in h)) { print "<no column " name ">"; exit }
            v = $(h[name])
            if (v ~ /^".*"$/) { v = substr(v, 2, length(v) - 2); gsub(/""/, "\"", v) }
            print v; exit
        }' "$tmp/off.csv"
}
# expect_cell SERVICE COLUMN VALUE
expect_cell() {
    local got
    got=$(col "$1" "$2")
    if [ "$got" = "$3" ]; then ok
    else bad "decide --format csv: $1's $2 is \`$got\`, computed by hand: \`$3\`"; fi
}
if command -v gawk >/dev/null 2>&1; then
    # Email Archive Platform: business round(0.8 + 1.8, 2) = 2.6, technical
    # round(4.5 - 1.5, 2) = 3, priority round(8.2 / 3, 1) = 2.7: eliminate, retire
    expect_cell 'Email Archive Platform' time eliminate
    expect_cell 'Email Archive Platform' action retire
    expect_cell 'Email Archive Platform' business 2.6
    expect_cell 'Email Archive Platform' technical 3
    expect_cell 'Email Archive Platform' priority 2.7
    expect_cell 'Email Archive Platform' time_because 'low value 2.6, weak platform 3'
    expect_cell 'Email Archive Platform' drift 1.5
    expect_cell 'Email Archive Platform' approver ''
    # Utility Billing: technical round(6.8 - 1.75, 2) = 5.05; priority
    # round(22.25 / 3, 1) = 7.4; migrate, modernise
    expect_cell 'Utility Billing' technical 5.05
    expect_cell 'Utility Billing' priority 7.4
    expect_cell 'Utility Billing' action_because 're-platform: health 5.05 of 10'
    # the decimal ties 17.55 / 3 = 5.85 and 10.05 / 3 = 3.35: the doubles
    # lie above them, so both round up
    expect_cell 'Scanned Records Archive' priority 5.9
    # a because that prints an entity, an int and another table's outcome
    expect_cell 'Scanned Records Archive' action_because \
        'one archive for the city (City Clerk, tier 3, tolerate)'
    expect_cell 'Fleet Maintenance' priority 3.4
    expect_cell 'Fleet Maintenance' action_because 'value 3.3 for 88000 a year'
    # Parks Booking Portal: 95000 / 5200 = 18.269.. -> 18.27; ceil(10.4) = 11
    expect_cell 'Parks Booking Portal' cost_per_user 18.27
    expect_cell 'Parks Booking Portal' licence_packs 11
    expect_cell 'Parks Booking Portal' action invest
    # 52000 / 6400 = 8.125 exactly: a tie, to the even 2
    expect_cell 'Library Catalogue' cost_per_user 8.12
    # {{ and }} write braces; round((2 * 5.8 + 8) / 3, 1) = round(6.533.., 1) = 6.5
    expect_cell 'GIS Viewer' time_because 'good enough: {priority 6.5}'
    # a score named in backticks is a column of that name: 5 * (4 - 1)
    expect_cell 'Legacy Payroll' 'vendor exposure' 15
    # approvals: one on each table
    expect_cell 'Legacy Payroll' approver 'City Manager'
    expect_cell 'Water Quality Monitor' approver cio
    # technical exactly 6: invest (>= 6); the JIT must compare as the interpreter
    expect_cell 'Council Agenda Manager' time invest
    expect_cell 'Council Agenda Manager' time_because 'value 6.9, health 6'
    # rank by priority desc: Water 8.1, Utility 7.4, 311 7.3; Parks and
    # Benefits tie at 6.7, the declared service (org.strat) before the CSV
    # row; then Council 6.6
    expect_cell 'Water Quality Monitor' rank 1
    expect_cell 'Parks Booking Portal' rank 4
    expect_cell 'Benefits Administration' rank 5
    expect_cell 'Council Agenda Manager' rank 6
else
    echo "acceptance_test: gawk not installed: the CSV figures are not checked"
fi

# money as people read it (HTML report); CSV and JSON keep it exact.
# 180000 + 240000 + 130000 + 60000 + 310000 + 45000 + 420000 + 75000 + 52000
# + 88000 + 35000 + 270000 + 20000 + 150000 + 95000 + 12000 = 2182000
has html 'total cost (USD)' '>2,182,000.00<' '>620,000.00<' 'cost 270,000.00 USD'

# ---- int in CSV, and the waiver's date ----------------------------------

mkdir "$tmp/bad"
cp "$dir"/*.strat "$dir"/*.csv "$tmp/bad/"
sed -i 's/^GIS Viewer,Public Works,60000,5,7,8,3,/GIS Viewer,Public Works,60000,5,7,8,2.5,/' \
    "$tmp/bad/inventory.csv"
if grep -q '^GIS Viewer,Public Works,60000,5,7,8,2.5,' "$tmp/bad/inventory.csv"; then
    out=$("$bin" check "${today[@]}" "$tmp/bad/pawnee.strat" 2>&1)
    code=$?
    if [ $code -eq 1 ] && printf '%s\n' "$out" | grep -q 'inventory.csv:5:37: error: .*whole number.*2\.5.*\[S1103\]'; then ok
    else bad "an int cell of 2.5: exit $code, expected 1 and S1103 at inventory.csv:5:37" "$out"; fi
else bad "could not plant 2.5 in the Tier column of a copy of inventory.csv"; fi

out=$("$bin" check --today 2027-07-01 "$main" 2>&1)
code=$?
if [ $code -eq 1 ] && printf '%s\n' "$out" | grep -q 'waiver `billing_stabilising` expired on 2027-06-30' \
   && printf '%s\n' "$out" | grep -q 'Utility Billing.*breaks rule `tier_one_stable`'; then ok
else bad "check --today 2027-07-01: expected the lapsed waiver and the violation it covered" "$out"; fi

# ---- fmt and explain -----------------------------------------------------

out=$("$bin" fmt --check "$dir"/*.strat 2>&1)
code=$?
[ $code -eq 0 ] && [ -z "$out" ] && ok || bad "fmt --check $dir/*.strat: exit $code" "$out"

line=$(grep -n '^  retire ' "$dir/model.strat" | cut -d: -f1)
out=$("$bin" explain "${today[@]}" --table action "$main" '`Email Archive Platform`' 2>&1)
code=$?
if [ $code -eq 0 ] && printf '%s\n' "$out" | grep -q '^decide table: action$' \
   && printf '%s\n' "$out" | grep -Eq "^  > retire +line $line +true " \
   && printf '%s\n' "$out" | grep -q 'because "Email Archive Platform: nobody needs it at value 2.6"'; then ok
else bad "explain --table action \`Email Archive Platform\`: expected the retire arm (line $line)" "$out"; fi

# Parks Booking Portal in action: four arms false (it is migrate in time, and
# its title ends with "Portal"), then invest fires; the arms' `line` column
# lines up though `consolidate` is longer than ten characters
out=$("$bin" explain "${today[@]}" --table action "$main" 'Parks Booking Portal' 2>&1)
code=$?
arms=$(printf '%s\n' "$out" | grep -E '^  [ >] [a-z]+ +line [0-9]+ ')
if [ $code -eq 0 ] && [ "$(printf '%s\n' "$arms" | wc -l)" = 5 ] \
   && printf '%s\n' "$arms" | tail -1 | grep -q '^  > invest .* true ' \
   && [ "$(printf '%s\n' "$arms" | awk '{ print index($0, " line ") }' | sort -u | wc -l)" = 1 ]; then ok
else bad "explain --table action \`Parks Booking Portal\`: expected four false arms, then invest, aligned" "$out"; fi

# Council Agenda Manager sits on the invest boundary (technical exactly 6):
# one incident makes technical round(6 - 0.25, 2) = 5.75 < 6 -> migrate.  A
# change from 0 has no relative size, so no percentage is printed.
out=$("$bin" explain "${today[@]}" "$main" 'Council Agenda Manager' 2>&1)
code=$?
if [ $code -eq 0 ] && printf '%s\n' "$out" | grep -Eq '^  incidents +0 -> 1  would make it migrate$'; then ok
else bad "explain \`Council Agenda Manager\`: expected \`incidents 0 -> 1  would make it migrate\`" "$out"; fi

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
