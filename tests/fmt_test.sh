#!/usr/bin/env bash
# strat fmt: idempotent (fmt of fmt is fmt) on every example and golden
# file that parses, meaning-preserving (check and decide give the same
# results before and after, up to line numbers and the input hash), and
# --check / stdin behave.
set -u
bin=$(realpath "${1:-build/strat}")
cd "$(dirname "$0")/.."
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# idempotence on everything that parses
while IFS= read -r -d '' f; do
    "$bin" fmt - <"$f" >"$tmp/a.strat" 2>/dev/null || continue   # syntax errors: skipped
    "$bin" fmt - <"$tmp/a.strat" >"$tmp/b.strat" 2>/dev/null
    if cmp -s "$tmp/a.strat" "$tmp/b.strat"; then ok; else
        bad "not idempotent: $f"; diff -u "$tmp/a.strat" "$tmp/b.strat" | head -10; fi
done < <(find examples tests/golden stdlib -name '*.strat' -print0 | sort -z)

# meaning: each example formatted in a copy decides and checks the same
strip() { sed -E 's/"inputs_sha256": "[0-9a-f]+"//; s/"line": [0-9]+//g; s/"(end_)?(line|column)": [0-9]+//g'; }
for dir in examples/*/; do
    name=$(basename "$dir")
    main="$dir$name.strat"
    [ -f "$main" ] || continue
    rm -rf "$tmp/ex" && cp -r "$dir" "$tmp/ex"
    "$bin" fmt --quiet "$tmp"/ex/*.strat || { bad "fmt failed on $dir"; continue; }
    for cmd in "decide --format json" "check --format json" "test"; do
        # shellcheck disable=SC2086
        a=$("$bin" $cmd --today 2027-01-15 "$main" 2>&1 | strip)
        # shellcheck disable=SC2086
        b=$(cd "$tmp/ex" && "$bin" $cmd --today 2027-01-15 "$name.strat" 2>&1 | strip)
        a=${a//examples\/$name\//}
        if [ "$a" = "$b" ]; then ok; else bad "meaning changed: $cmd on $main"
            diff <(echo "$a") <(echo "$b") | head -10; fi
    done
    # a formatted tree passes --check; the original need not
    if "$bin" fmt --check "$tmp"/ex/*.strat >/dev/null; then ok; else bad "--check on formatted $dir"; fi
done

# --check prints a unified diff and exits 1; the file is untouched
printf 'role   cfo{title="CFO"}\n' >"$tmp/u.strat"
cp "$tmp/u.strat" "$tmp/u.orig"
out=$("$bin" fmt --check "$tmp/u.strat"); rc=$?
if [ $rc = 1 ] && grep -q '^+role cfo { title = "CFO" }' <<<"$out" && grep -q '^-role' <<<"$out" &&
   cmp -s "$tmp/u.strat" "$tmp/u.orig"; then ok; else bad "--check diff (rc $rc): $out"; fi
# in place: rewritten, exit 0
"$bin" fmt --quiet "$tmp/u.strat"; rc=$?
if [ $rc = 0 ] && [ "$(cat "$tmp/u.strat")" = 'role cfo { title = "CFO" }' ]; then ok; else bad "in place (rc $rc)"; fi
# syntax errors: exit 1, file untouched
printf 'role cfo {\n' >"$tmp/s.strat"; cp "$tmp/s.strat" "$tmp/s.orig"
"$bin" fmt "$tmp/s.strat" 2>/dev/null; rc=$?
if [ $rc = 1 ] && cmp -s "$tmp/s.strat" "$tmp/s.orig"; then ok; else bad "syntax error (rc $rc)"; fi
# comments survive in order
printf '# head\nrole a { # after brace\n  title = "A" # trailing\n  # inside\n}\n\n# between\nrole b {}\n# tail\n' >"$tmp/c.strat"
"$bin" fmt - <"$tmp/c.strat" >"$tmp/c.out"
if [ "$(grep -o '#.*' "$tmp/c.strat")" = "$(grep -o '#.*' "$tmp/c.out")" ]; then ok; else
    bad "comments moved or lost"; cat "$tmp/c.out"; fi

echo "fmt: $pass passed, $fail failed"
[ "$fail" = 0 ]
