#!/usr/bin/env bash
# check_examples.sh BIN — the example strategies stay clean and runnable.
#
#   bash tests/check_examples.sh build/strat
#
# For each example strategy examples/NAME/NAME.strat (or, one level deeper,
# examples/GROUP/NAME/NAME.strat), where NAME is its directory's name:
#   check    exit 0 and no diagnostics at all (not even warnings)
#   test     exit 0, and the last line of output is `N passed, 0 failed`
#   decide   exit 0
# For each file examples/broken/*.strat: `check --werror` exits 1 with at
# least one diagnostic (file:line:col: error|warning: ...); --werror because
# some broken examples show a check whose finding is a warning.  A broken
# example that checks clean but has test blocks must instead fail
# `strat test` (exit 1, a failed expectation).  Files there that are not
# meant to stand alone are skipped: names ending in `_b.strat` (the other
# half of a two-file example) and files another broken example imports.
# Everything runs from the file's own directory with a pinned --today, as
# the golden tests do.  Prints `N passed, M failed` last; exit 1 on failure.
set -u
bin=$(realpath "${1:-build/strat}")
root=$(cd "$(dirname "$0")/.." && pwd)
today=2027-01-15
pass=0
fail=0

. "$root/tests/lib.sh"

# run DIR FILE CMD [OPTIONS...]: sets out, err, code
run() {
    local d=$1 f=$2 o e
    shift 2
    o=$(mktemp) e=$(mktemp)
    (cd "$d" && LC_ALL=C TZ=UTC "$bin" "$@" --today "$today" --color never "$f" \
        >"$o" 2>"$e" </dev/null)
    code=$?
    out=$(cat "$o")
    err=$(cat "$e")
    rm -f "$o" "$e"
}

shopt -s nullglob
examples=()
for f in "$root"/examples/*/*.strat "$root"/examples/*/*/*.strat; do
    d=$(dirname "$f")
    [ "$(basename "$f" .strat)" = "$(basename "$d")" ] || continue
    case "$d" in "$root"/examples/broken|"$root"/examples/broken/*) continue ;; esac
    examples+=("$f")
done
if [ ${#examples[@]} = 0 ]; then
    bad "no example strategies found under $root/examples"
fi

for f in "${examples[@]}"; do
    d=$(dirname "$f")
    b=$(basename "$f")
    rel=${f#"$root"/}

    run "$d" "$b" check
    if [ "$code" = 0 ] && [ -z "$err" ] && [ -z "$out" ]; then ok
    else bad "check $rel (exit $code, want 0 and no diagnostics)" "$err$out"; fi

    run "$d" "$b" test
    last=$(printf '%s\n' "$out" | tail -n 1)
    if [ "$code" = 0 ] && [[ "$last" =~ ^[0-9]+\ passed,\ 0\ failed$ ]]; then ok
    else bad "test $rel (exit $code, last line \`$last\`)" "$err"; fi

    run "$d" "$b" decide
    if [ "$code" = 0 ] && [ -n "$out" ]; then ok
    else bad "decide $rel (exit $code, want 0 and decisions)" "$err"; fi
done

# broken examples: each must fail `check --werror` (or `test`) with a diagnostic
diag_re='^[^ ]+:[0-9]+:[0-9]+: (error|warning): '
candidates=()
for f in "$root"/examples/broken/*.strat; do
    case "$(basename "$f")" in *_b.strat) continue ;; esac
    candidates+=("$f")
done
for f in "${candidates[@]}"; do
    b=$(basename "$f")
    stem=${b%.strat}
    imported=0
    for g in "${candidates[@]}"; do
        [ "$g" = "$f" ] && continue
        if grep -Eq "^[[:space:]]*import[[:space:]]+\"(\./)?$stem(\.strat)?\"" "$g"; then
            imported=1
            break
        fi
    done
    [ $imported = 1 ] && continue
    d=$(dirname "$f")
    run "$d" "$b" check --werror
    if [ "$code" = 1 ] && printf '%s\n' "$err" | grep -Eq "$diag_re"; then
        ok
    elif [ "$code" = 0 ] && [ -z "$err" ] && grep -Eq '^[[:space:]]*test[[:space:]]' "$f"; then
        run "$d" "$b" test
        if [ "$code" = 1 ] && printf '%s\n' "$err" | grep -q 'S1002'; then ok
        else bad "test examples/broken/$b (exit $code, want 1 and a failed expectation)" "$err$out"; fi
    else
        bad "check --werror examples/broken/$b (exit $code, want 1 and a diagnostic)" "$err"
    fi
done

echo "examples: $pass passed, $fail failed"
[ "$fail" = 0 ]
