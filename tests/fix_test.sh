#!/usr/bin/env bash
# fix_test.sh — `strat fix` on copies of the retail example broken the ways
# issue 11 lists: each breakage is one located error with a
# machine-applicable fix, `strat fix --diff` previews it without writing,
# `strat fix` puts the file back byte for byte and the copy checks clean,
# and a second `strat fix` has nothing to do.  Also: the stdlib is never
# written, and a file strat cannot read exits 2.
#   bash tests/fix_test.sh build/strat
set -u
bin=$(realpath "${1:-build/strat}")
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/tests/lib.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
today=--today=2027-06-01

# NAME SED-SCRIPT FILE: a copy of examples/retail with FILE edited
breakage() {
    local name=$1 script=$2 file=$3 dir="$tmp/$1"
    cp -r "$root/examples/retail" "$dir"
    sed -i "$script" "$dir/$file"
    if cmp -s "$dir/$file" "$root/examples/retail/$file"; then
        bad "$name: the breakage did not apply"
        return
    fi
    local out errs
    out=$("$bin" check "$today" --color never "$dir/retail.strat" 2>&1)
    errs=$(printf '%s\n' "$out" | grep -c ': error:')
    [ "$errs" = 1 ] && ok || bad "$name: check gives $errs errors, want 1" "$out"
    printf '%s\n' "$out" | grep -q '(strat fix applies this)' && ok ||
        bad "$name: no machine-applicable fix" "$out"
    local before
    before=$(cat "$dir/$file")
    out=$("$bin" fix --diff "$today" "$dir/retail.strat" 2>&1)
    [ $? = 1 ] && ok || bad "$name: fix --diff should exit 1" "$out"
    printf '%s\n' "$out" | grep -q '^+++ b/' && ok || bad "$name: fix --diff printed no diff" "$out"
    [ "$before" = "$(cat "$dir/$file")" ] && ok || bad "$name: fix --diff wrote the file"
    out=$("$bin" fix "$today" --color never "$dir/retail.strat" 2>&1)
    [ $? = 0 ] && ok || bad "$name: fix should exit 0 (clean after fixing)" "$out"
    cmp -s "$dir/$file" "$root/examples/retail/$file" && ok ||
        bad "$name: fixed file differs from the original" "$(diff "$root/examples/retail/$file" "$dir/$file")"
    "$bin" check "$today" "$dir/retail.strat" >/dev/null 2>&1 && ok || bad "$name: fixed copy does not check clean"
    out=$("$bin" fix --diff "$today" "$dir/retail.strat" 2>&1)
    [ $? = 0 ] && [ -z "$out" ] && ok || bad "$name: a second fix --diff has work" "$out"
}

breakage import_typo  's/^import "people"/import "peple"/' retail.strat
breakage missing_open 's/^service checkout {/service checkout/' retail.strat
breakage horizon_to   's/2027-01-01 \.\. 2029-12-31/2027-01-01 to 2029-12-31/' retail.strat
breakage stage_brace  '494s/ }$//' retail.strat
breakage owner_typo   '128s/mobile_squad/mobile_sqaud/' retail.strat
breakage risk_typo    '353s/risk security/risk securty/' retail.strat
# the common mistakes of issue 11 item 5, each one error with the fix
breakage and_and      '26s/s.pci_scope and s.status/s.pci_scope \&\& s.status/' governance.strat
breakage or_or        '51s/migrate or decision/migrate || decision/' governance.strat
breakage assign_eq    '549s/s.status == retired/s.status = retired/' retail.strat
breakage rank_score   's/rank by wsjf(s) desc/rank by wsjf desc/' retail.strat
breakage bare_attr    '23s/: s.incidents < 100/: incidents < 100/' governance.strat
breakage date_slash   '45s/2028-12-31/31\/12\/2028/' retail.strat
breakage date_short   '56s/2028-06-30/2028-6-30/' retail.strat
breakage suffix_m     '22s/14M/14m/' retail.strat
breakage date_quoted  '45s/2028-12-31/"2028-12-31"/' retail.strat
breakage suffix_case  '41s/500k/500K/' governance.strat
breakage suffix_space '41s/500k/500 k/' governance.strat
breakage customer     '109s/customers        =/customer        =/' retail.strat
breakage appetite     '13s/availability = moderate/availability = medium/' governance.strat

# the stdlib is never written: a copy with a typo only there keeps it
cp -r "$root/stdlib" "$tmp/stdlib"
cp -r "$root/examples/retail" "$tmp/std_untouched"
sum=$(cat "$tmp"/stdlib/std/*.strat | sha256sum)
"$bin" fix "$today" --stdlib "$tmp/stdlib" "$tmp/std_untouched/retail.strat" >/dev/null 2>&1
[ "$sum" = "$(cat "$tmp"/stdlib/std/*.strat | sha256sum)" ] && ok || bad "stdlib was written"

# a file that cannot be read: exit 2, nothing created
"$bin" fix "$tmp/nosuch.strat" >/dev/null 2>&1
[ $? = 2 ] && ok || bad "fix of a missing file should exit 2"
[ ! -e "$tmp/nosuch.strat" ] && ok || bad "fix created a missing file"

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
