#!/usr/bin/env bash
# strat fmt: idempotent (fmt of fmt is fmt) on every example, stdlib and
# golden file that parses, at the default width and at 40 and 1000;
# meaning-preserving (every example laid out at width 40 and at 1000
# decides, checks and tests the same: `decide --format json` compared with
# the input hash and line numbers taken out, as fmt moves lines); --check
# prints what `diff -u` prints and `patch` applies it; --width, stdin and
# in-place writing behave.
set -u
bin=$(realpath "${1:-build/strat}")
cd "$(dirname "$0")/.."
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# idempotence on everything that parses, at three widths
while IFS= read -r -d '' f; do
    for w in 100 40 1000; do
        "$bin" fmt --width $w - <"$f" >"$tmp/a.strat" 2>/dev/null || continue   # syntax errors: skipped
        "$bin" fmt --width $w - <"$tmp/a.strat" >"$tmp/b.strat" 2>/dev/null
        if cmp -s "$tmp/a.strat" "$tmp/b.strat"; then ok; else
            bad "not idempotent at width $w: $f"; diff -u "$tmp/a.strat" "$tmp/b.strat" | head -10; fi
    done
done < <(find examples tests/golden stdlib -name '*.strat' -print0 | sort -z)

# meaning: each example laid out at width 40 (broken everywhere it can be)
# and at 1000 (joined wherever it can be) decides, checks and tests the same
strip() { sed -E 's/"inputs_sha256": "[0-9a-f]+"//; s/"(end_)?(line|column)": [0-9]+//g'; }
for dir in examples/*/; do
    name=$(basename "$dir")
    main="$dir$name.strat"
    [ -f "$main" ] || continue
    for w in 40 1000; do
        rm -rf "$tmp/ex" && cp -r "$dir" "$tmp/ex"
        "$bin" fmt --quiet --width $w "$tmp"/ex/*.strat || { bad "fmt --width $w failed on $dir"; continue; }
        if [ $w = 40 ] && diff -r -q "$dir" "$tmp/ex" >/dev/null; then bad "--width 40 changed nothing in $dir"; fi
        for cmd in "decide --format json" "check --format json" "test"; do
            # shellcheck disable=SC2086
            a=$("$bin" $cmd --today 2027-01-15 "$main" 2>&1 | strip)
            # shellcheck disable=SC2086
            b=$(cd "$tmp/ex" && "$bin" $cmd --today 2027-01-15 "$name.strat" 2>&1 | strip)
            a=${a//examples\/$name\//}
            if [ -n "$a" ] && [ "$a" = "$b" ]; then ok; else bad "meaning changed at width $w: $cmd on $main"
                diff <(echo "$a") <(echo "$b") | head -10; fi
        done
    done
done

# --check prints a unified diff and exits 1; the file is untouched; the
# diff is what `diff -u` prints, and `patch -p1` applies it
mkdir -p "$tmp/p"
for f in examples/retail/retail.strat examples/bank/organisation.strat stdlib/std/itil.strat; do
    b=$(basename "$f")
    "$bin" fmt --width 60 - <"$f" >"$tmp/p/$b"     # a layout that is not the canonical one
done
cp -r "$tmp/p" "$tmp/q"
out=$(cd "$tmp/p" && "$bin" fmt --check ./*.strat); rc=$?
if [ $rc = 1 ] && [ -n "$out" ]; then ok; else bad "--check on three changed files (rc $rc)"; fi
if diff -r -q "$tmp/p" "$tmp/q" >/dev/null; then ok; else bad "--check changed a file"; fi
for b in retail.strat organisation.strat itil.strat; do
    want=$(cd "$tmp/p" && "$bin" fmt - <"$b" | diff -u --label "a/./$b" --label "b/./$b" "$b" -)
    got=$(cd "$tmp/p" && "$bin" fmt --check "./$b")
    if [ "$want" = "$got" ]; then ok; else bad "--check on $b is not what diff -u prints"
        diff <(echo "$want") <(echo "$got") | head -10; fi
done
if command -v patch >/dev/null; then
    if (cd "$tmp/q" && patch -p1 --dry-run -s <<<"$out" >/dev/null); then ok; else bad "patch --dry-run refused the --check diff"; fi
    (cd "$tmp/q" && patch -p1 -s <<<"$out" >/dev/null)
    for b in retail.strat organisation.strat itil.strat; do
        if "$bin" fmt - <"$tmp/p/$b" | cmp -s - "$tmp/q/$b"; then ok; else bad "patch did not give fmt's output for $b"; fi
    done
else
    echo "skip: patch is not installed"
fi
printf 'role   cfo{title="CFO"}\n' >"$tmp/u.strat"
cp "$tmp/u.strat" "$tmp/u.orig"
out=$("$bin" fmt --check "$tmp/u.strat"); rc=$?
first=$(grep -n '^-role' <<<"$out" | cut -d: -f1)
second=$(grep -n '^+role cfo { title = "CFO" }' <<<"$out" | cut -d: -f1)
if [ $rc = 1 ] && [ -n "$first" ] && [ -n "$second" ] && [ "$first" -lt "$second" ] &&
   grep -q "^--- a/$tmp/u.strat\$" <<<"$out" && grep -q "^+++ b/$tmp/u.strat\$" <<<"$out" &&
   cmp -s "$tmp/u.strat" "$tmp/u.orig"; then ok; else bad "--check diff (rc $rc): $out"; fi
# a file already in layout: --check says nothing, exit 0
"$bin" fmt - <"$tmp/u.strat" >"$tmp/c.strat"
out=$("$bin" fmt --check "$tmp/c.strat"); rc=$?
if [ $rc = 0 ] && [ -z "$out" ]; then ok; else bad "--check on a clean file (rc $rc): $out"; fi
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

# --width: a line fits or breaks by it; a bad value is a usage error
printf 'score value(s) = 0.5 * s.a + 0.3 * s.b + 0.2 * s.c\n' >"$tmp/w.strat"
n30=$("$bin" fmt --width 30 - <"$tmp/w.strat" | wc -l)
n60=$("$bin" fmt --width=60 - <"$tmp/w.strat" | wc -l)
if [ "$n30" -gt 1 ] && [ "$n60" = 1 ]; then ok; else bad "--width 30 gave $n30 lines, --width=60 $n60"; fi
for v in 0 -3 x 10001; do
    "$bin" fmt --width "$v" - <"$tmp/w.strat" >/dev/null 2>&1; rc=$?
    if [ $rc = 2 ]; then ok; else bad "--width $v: exit $rc, want 2"; fi
done
"$bin" check --width 80 "$tmp/w.strat" >/dev/null 2>&1; rc=$?
if [ $rc = 2 ]; then ok; else bad "check --width: exit $rc, want 2"; fi

# scaling: 600,000 one-line blocks on consecutive lines, each with a
# trailing comment (one run to align), format in a few seconds; a pass
# over the earlier rows for each row takes minutes
awk 'BEGIN { for (i = 0; i < 600000; i++)
             printf "role r%d { title = \"Role %d\" }  # note %d\n", i, i, i }' >"$tmp/big.strat"
if timeout 60 "$bin" fmt - <"$tmp/big.strat" >"$tmp/big.out" &&
   [ "$(wc -l <"$tmp/big.out")" = 600000 ]; then ok; else bad "600,000 rows did not format within 60 s"; fi

echo "fmt: $pass passed, $fail failed"
[ "$fail" = 0 ]
