#!/usr/bin/env bash
# Golden tests of the CLI.  Each case is tests/golden/**/NAME.strat with
#   NAME.exit     the expected exit code (the marker of a case)
#   NAME.stderr   expected standard error   (missing: must be empty)
#   NAME.stdout   expected standard output  (missing: must be empty)
#   NAME.args     the command and options before the file (default: check);
#                 `{}` in it stands for the file (for `explain {} SERVICE`)
# Cases run from their own directory with a relative file name and a pinned
# --today, so output is the same on every machine.
#   UPDATE=1 tests/golden/run.sh build/strat   rewrites the expected files
#   (read every rewritten file before committing it).
set -u
bin=$(realpath "${1:-build/strat}")
root=$(cd "$(dirname "$0")" && pwd)
pass=0
fail=0
failed=()
while IFS= read -r -d '' exitfile; do
    dir=$(dirname "$exitfile")
    name=$(basename "$exitfile" .exit)
    src="$name.strat"
    [ -f "$dir/$src" ] || src="$name"   # cases whose input is not .strat
    args="check"
    [ -f "$dir/$name.args" ] && args=$(cat "$dir/$name.args")
    out=$(mktemp) err=$(mktemp)
    case "$args" in
        *"{}"*) args="${args//\{\}/$src}"; last="" ;;
        *) last="$src" ;;
    esac
    # shellcheck disable=SC2086
    (cd "$dir" && LC_ALL=C TZ=UTC "$bin" $args --today 2027-01-15 --color never $last \
        >"$out" 2>"$err" </dev/null)
    code=$?
    if [ "${UPDATE:-0}" = 1 ]; then
        echo "$code" >"$dir/$name.exit"
        if [ -s "$err" ]; then cp "$err" "$dir/$name.stderr"; else rm -f "$dir/$name.stderr"; fi
        if [ -s "$out" ]; then cp "$out" "$dir/$name.stdout"; else rm -f "$dir/$name.stdout"; fi
    fi
    ok=1
    [ "$code" = "$(cat "$exitfile")" ] || ok=0
    if [ -f "$dir/$name.stderr" ]; then cmp -s "$err" "$dir/$name.stderr" || ok=0
    else [ -s "$err" ] && ok=0; fi
    if [ -f "$dir/$name.stdout" ]; then cmp -s "$out" "$dir/$name.stdout" || ok=0
    else [ -s "$out" ] && ok=0; fi
    if [ $ok = 1 ]; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        failed+=("${dir#"$root"/}/$name")
        echo "FAIL ${dir#"$root"/}/$name (exit $code, want $(cat "$exitfile"))"
        [ -f "$dir/$name.stderr" ] && diff -u "$dir/$name.stderr" "$err" | head -20
        [ -f "$dir/$name.stdout" ] && diff -u "$dir/$name.stdout" "$out" | head -20
    fi
    rm -f "$out" "$err"
done < <(find "$root" -name '*.exit' -print0 | sort -z)
echo "golden: $pass passed, $fail failed"
[ "$fail" = 0 ]
