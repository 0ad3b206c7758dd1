#!/usr/bin/env bash
# SARIF checked by Microsoft's SARIF Multitool (`validate`, npm package
# @microsoft/sarif-multitool), the validator GitHub's documentation points
# to: `strat check --format sarif` on examples with errors, warnings,
# related locations in the stdlib and fixes, each named by a relative and
# by an absolute path (what CI does with $GITHUB_WORKSPACE/...), and a
# file whose name needs percent-encoding.  Any result of level error or
# warning fails (notes are advice: snippets, help URIs...).
#
# The multitool is installed with npm into a cache directory, as bench/
# installs DuckDB: $STRAT_NPM_DIR, else $XDG_CACHE_HOME/strat/npm-sarif,
# else build/npm-sarif.  Without node, npm or the network: skipped with a
# message.
set -u
bin=$(realpath "${1:-build/strat}")
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
pass=0; fail=0
# shellcheck source=tests/lib.sh
. tests/lib.sh
want=${SARIF_MULTITOOL_VERSION:-5.7.0}
skip() {
    echo "sarif_validate: $1; skipped"
    echo "sarif_validate: 0 passed, 0 failed"
    exit 0
}
command -v node >/dev/null || skip "node is not installed"
if [ -n "${STRAT_NPM_DIR:-}" ]; then dir=$STRAT_NPM_DIR
elif [ -n "${XDG_CACHE_HOME:-}" ]; then dir=$XDG_CACHE_HOME/strat/npm-sarif
else dir=$root/build/npm-sarif; fi
modules=$(realpath -m "$dir/node_modules")
have=$(node -p "require('$modules/@microsoft/sarif-multitool/package.json').version" 2>/dev/null)
if [ "$have" != "$want" ]; then
    command -v npm >/dev/null || skip "npm is not installed"
    echo "== installing @microsoft/sarif-multitool@$want into $dir with npm"
    mkdir -p "$dir" || skip "cannot create $dir"
    if ! log=$(timeout 600 npm install --prefix "$dir" --no-audit --no-fund --no-save \
        --no-package-lock --loglevel=error --fetch-retries=1 --fetch-timeout=60000 \
        "@microsoft/sarif-multitool@$want" 2>&1); then
        printf '%s\n' "$log" | tail -n 5 | sed 's/^/   /'
        skip "npm could not install @microsoft/sarif-multitool@$want (offline?)"
    fi
fi
# the platform package's native executable, run directly: the npm wrapper
# passes its arguments through a shell, which splits "Error;Warning"
tool=$(node -p "require('$modules/@microsoft/sarif-multitool-linux')" 2>/dev/null)
[ -x "$tool" ] || skip "the multitool's linux executable is missing from $dir"

tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
# a file whose name and directory need percent-encoding in a URI
mkdir -p "$tmp/dir with space#1"
cp examples/broken/out_of_range.strat "$tmp/dir with space#1/ränge 100%.strat"

n=0
sarif_for() {   # sarif_for LABEL ARGS...: writes $tmp/N.sarif, records its label
    n=$((n + 1))
    label[n]=$1; shift
    "$bin" check --today 2027-01-15 --format sarif "$@" >"$tmp/$n.sarif" 2>"$tmp/$n.err"
    local rc=$?
    if [ $rc -gt 1 ] || ! [ -s "$tmp/$n.sarif" ]; then
        bad "${label[n]}: strat check exit $rc" "$(cat "$tmp/$n.err")"
        rm -f "$tmp/$n.sarif"
    fi
}
declare -a label
for f in examples/broken/out_of_range.strat examples/broken/unused_waiver.strat \
         examples/broken/undefined_reference.strat examples/broken/orphan_service.strat \
         examples/broken/syntax_missing_brace.strat examples/broken/csv_bad_cell.strat \
         examples/retail/retail.strat; do
    sarif_for "relative $f" "$f"
    sarif_for "absolute $f" "$root/$f"
done
sarif_for "percent-encoded absolute path" "$tmp/dir with space#1/ränge 100%.strat"
(cd "$tmp" && "$bin" check --today 2027-01-15 --format sarif "dir with space#1/ränge 100%.strat" \
    >"$tmp/rel_enc.sarif" 2>/dev/null)
n=$((n + 1)); label[n]="percent-encoded relative path"; mv "$tmp/rel_enc.sarif" "$tmp/$n.sarif"
# two entries' results merged into one run (a file both import, checked alone)
(cd tests/golden/cli/imported/lib && "$bin" check --root .. --today 2027-01-15 --format sarif \
    staff.strat >"$tmp/merged.sarif" 2>/dev/null)
n=$((n + 1)); label[n]="two entries merged"; mv "$tmp/merged.sarif" "$tmp/$n.sarif"

# every document must hold results, or the check proves little
results=0
for ((i = 1; i <= n; i++)); do
    [ -f "$tmp/$i.sarif" ] || continue
    k=$(grep -c '"ruleId"' "$tmp/$i.sarif")
    results=$((results + k))
done
[ "$results" -ge 10 ] && ok || bad "too few results to validate ($results)"
grep -q '"uri": "file:///' "$tmp"/*.sarif && ok || bad "no absolute file:/// URI was produced"

# one run of the multitool over every document (it takes seconds to start)
files=()
for ((i = 1; i <= n; i++)); do [ -f "$tmp/$i.sarif" ] && files+=("$tmp/$i.sarif"); done
out=$("$tool" validate --level "Error;Warning" "${files[@]}" 2>&1)
rc=$?
if [ $rc -ne 0 ] || ! printf '%s\n' "$out" | grep -q "files scanned"; then
    bad "the multitool failed (exit $rc)" "$out"
fi
for ((i = 1; i <= n; i++)); do
    [ -f "$tmp/$i.sarif" ] || continue
    problems=$(printf '%s\n' "$out" | grep -F "$tmp/$i.sarif(" | grep -E ': (error|warning) ')
    if [ -z "$problems" ]; then ok
    else bad "${label[i]}: SARIF the multitool rejects" "$problems"; fi
done
echo "sarif_validate: $pass passed, $fail failed"
[ "$fail" = 0 ]
