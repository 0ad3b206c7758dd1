#!/usr/bin/env bash
# dogfood_test.sh BIN — the project keeps its own formatter on: every
# example, every stdlib file and every whole-file snippet of the docs is
# already in the layout `strat fmt` gives.
#
#   bash tests/dogfood_test.sh build/strat
#
#  * `strat fmt --check examples/*/*.strat stdlib/std/*.strat` (the
#    README's command) exits 0 and prints nothing; so does every .strat
#    file one level deeper (examples/GROUP/NAME/*.strat);
#  * every fenced block opened with exactly ```strat (indented or not) in
#    README.md and docs/*.md is a whole file: it parses and
#    `strat fmt --check` finds nothing to change.  A block that is only
#    part of a file is marked ```strat fragment and is not checked;
#  * every example strategy (not examples/broken) passes
#    `strat check --werror`, on the tests' pinned day and on today.
#
# A file made to show a syntax error carries `# fmt: off` (fmt leaves it as
# written).  Prints `N passed, M failed` last; exit 1 on failure.
set -u
bin=$(realpath "${1:-build/strat}")
root=$(cd "$(dirname "$0")/.." && pwd)
pass=0
fail=0
. "$root/tests/lib.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$root" || exit 2

# the README's command, as CI runs it
out=$("$bin" fmt --check examples/*/*.strat stdlib/std/*.strat 2>&1)
code=$?
if [ "$code" = 0 ] && [ -z "$out" ]; then ok
else bad "strat fmt --check examples/*/*.strat stdlib/std/*.strat (exit $code)" "$out"; fi

# each file on its own, so a failure names it
shopt -s nullglob
files=(examples/*/*.strat examples/*/*/*.strat stdlib/std/*.strat)
if [ ${#files[@]} -lt 10 ]; then bad "only ${#files[@]} example and stdlib files found"; fi
for f in "${files[@]}"; do
    out=$("$bin" fmt --check "$f" 2>&1)
    code=$?
    if [ "$code" = 0 ] && [ -z "$out" ]; then ok; else bad "not fmt-clean: $f (exit $code)" "$out"; fi
done

# docs snippets: ```strat blocks, each written to a file named after where it is
nsnip=0
for doc in README.md docs/*.md; do
    # a fence may be indented (in a list item): its lines lose that indent
    awk -v dir="$tmp" -v doc="$(printf '%s' "$doc" | tr '/.' '__')" '
        /^ *```/ {
            if (out != "") { close(out); out = ""; next }
            line = $0
            sub(/^ */, "", line)
            if (line == "```strat") {
                indent = length($0) - length(line)
                out = dir "/" doc "_" NR ".strat"
                printf "" > out
            }
            next
        }
        out != "" { line = $0; if (substr(line, 1, indent) ~ /^ *$/) line = substr(line, indent + 1); print line > out }
    ' "$doc"
done
for f in "$tmp"/*.strat; do
    nsnip=$((nsnip + 1))
    name=$(basename "$f" .strat)
    where="${name%_*}:${name##*_}"       # docs_language_md:41
    where="${where/_md:/.md:}"
    where="${where/docs_/docs/}"
    out=$("$bin" fmt --check "$f" 2>&1)
    code=$?
    if [ "$code" = 0 ] && [ -z "$out" ]; then ok
    else bad "docs snippet not fmt-clean: $where (mark a partial one \`\`\`strat fragment)" "$out"; fi
done
if [ "$nsnip" -ge 10 ]; then ok; else bad "only $nsnip \`\`\`strat snippets found in README.md and docs/"; fi

# --werror on every example strategy (examples/*/ but broken/: the files
# with a strategy block), with only the lint settings written in the files:
# clean on the tests' pinned day and on the real one (waivers must not
# lapse under the README's first command)
nwerror=0
for f in examples/*/*.strat; do
    case "$f" in examples/broken/*) continue ;; esac
    grep -q '^strategy ' "$f" || continue
    nwerror=$((nwerror + 1))
    for day in 2027-01-15 ""; do
        out=$("$bin" check --werror ${day:+--today "$day"} --color never "$f" 2>&1)
        code=$?
        if [ "$code" = 0 ] && [ -z "$out" ]; then ok
        else bad "strat check --werror ${day:+--today $day }$f (exit $code)" "$out"; fi
    done
done
if [ "$nwerror" -ge 4 ]; then ok; else bad "only $nwerror example strategies found for --werror"; fi

echo "dogfood: $pass passed, $fail failed"
[ "$fail" = 0 ]
