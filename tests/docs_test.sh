#!/usr/bin/env bash
# tests/docs_test.sh — the documentation in docs/ keeps up with the tool.
#
#  * every diagnostic code of src/diag_codes.def has a row (code, check name)
#    in the check names table and a section
#    `#### CODE — title` in docs/diagnostics.md, with the title of the .def
#    file, and its default severity stated;
#  * every command of the command table in src/cli/main.c has a subsection
#    (`.SS name`) in the man page docs/strat.1, and every long option that
#    main.c parses is mentioned there;
#  * the man page has the sections NAME, SYNOPSIS, DESCRIPTION, OPTIONS,
#    EXIT STATUS, ENVIRONMENT, FILES, EXAMPLES and SEE ALSO;
#  * the man page renders without warnings: with groff installed,
#    `groff -man -ww -z`; with man installed, `man --warnings -l`
#    (each check is skipped when its tool is missing);
#  * docs/language.md and docs/stdlib.md exist and are not empty;
#  * the `--jit=auto` switch points of src/jit.h (JIT_AUTO_WARM,
#    JIT_AUTO_COLD) are the numbers the man page, docs/language.md and
#    docs/performance.md give.
#
# Usage: bash tests/docs_test.sh          (VERBOSE=1 lists every check)
# The last line is `N passed, M failed`; the exit status is 1 if M > 0.

set -u
cd "$(dirname "$0")/.." || exit 2

CODES=src/diag_codes.def
MAIN=src/cli/main.c
DIAG_MD=docs/diagnostics.md
MAN=docs/strat.1

pass=0
fail=0
ok()   { pass=$((pass + 1)); if [ -n "${VERBOSE:-}" ]; then echo "ok   - $*"; fi; }
bad()  { fail=$((fail + 1)); echo "FAIL - $*"; }
skip() { if [ -n "${VERBOSE:-}" ]; then echo "skip - $*"; fi; }

finish() {
    echo "$pass passed, $fail failed"
    if [ "$fail" -gt 0 ]; then exit 1; fi
    exit 0
}

for f in "$CODES" "$MAIN" "$DIAG_MD" "$MAN" docs/language.md docs/stdlib.md; do
    if [ -s "$f" ]; then ok "$f exists"; else bad "$f is missing or empty"; fi
done
if [ ! -s "$CODES" ] || [ ! -s "$MAIN" ] || [ ! -s "$DIAG_MD" ] || [ ! -s "$MAN" ]; then
    finish
fi

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# ---- diagnostic codes ----------------------------------------------------------
#
# X(D_LEX_CHAR, "S0101", "invalid_character", ERROR, "invalid character", "help...")

sed -n 's/^[[:space:]]*X([[:space:]]*[A-Z_0-9]*[[:space:]]*,[[:space:]]*"\(S[0-9][0-9]*\)"[[:space:]]*,[[:space:]]*"\([a-z_0-9]*\)"[[:space:]]*,[[:space:]]*\([A-Z]*\)[[:space:]]*,[[:space:]]*"\([^"]*\)".*$/\1|\3|\4|\2/p' \
    "$CODES" >"$TMP/codes"
ncodes=$(wc -l <"$TMP/codes")
if [ "$ncodes" -gt 0 ]; then
    ok "read $ncodes codes from $CODES"
else
    bad "no X(...) entries found in $CODES"
fi
# every X( line must have been understood
nx=$(grep -c '^[[:space:]]*X(' "$CODES")
if [ "$nx" -eq "$ncodes" ]; then
    ok "every X(...) line of $CODES parsed"
else
    bad "$CODES has $nx X(...) lines but only $ncodes were parsed"
fi

while IFS='|' read -r code sev title name; do
    # the check's name in the table of check names
    if grep -q "^| $code | \`$name\` |" "$DIAG_MD"; then
        ok "$code name $name listed"
    else
        bad "$code: no row '| $code | \`$name\` |' in the check names table of $DIAG_MD"
    fi
    heading=$(grep -m1 "^#### $code\\b" "$DIAG_MD")
    if [ -z "$heading" ]; then
        bad "$code ($title) has no '#### $code' section in $DIAG_MD"
        continue
    fi
    ok "$code documented"
    case "$heading" in
        *"$title"*) ok "$code title matches" ;;
        *) bad "$code: heading '$heading' lacks the title '$title' of $CODES" ;;
    esac
    # the line after the heading states the default severity, e.g. *error.*
    word=$(printf '%s' "$sev" | tr 'A-Z' 'a-z')
    body=$(awk -v h="#### $code" 'index($0, h) == 1 { on = 1; next }
                                  on && /^#### / { exit }
                                  on { print }' "$DIAG_MD")
    if printf '%s' "$body" | grep -qi "\\*$word\\b\\|severity of the rule"; then
        ok "$code severity stated"
    else
        bad "$code: the section does not state its default severity ($word)"
    fi
done <"$TMP/codes"

# codes documented that no longer exist (stale sections)
grep -o '^#### S[0-9][0-9]*' "$DIAG_MD" | sed 's/^#### //' | while read -r code; do
    if ! grep -q "^$code|" "$TMP/codes"; then
        echo "$code"
    fi
done >"$TMP/stale"
if [ -s "$TMP/stale" ]; then
    bad "$DIAG_MD documents codes not in $CODES: $(tr '\n' ' ' <"$TMP/stale")"
else
    ok "no stale codes in $DIAG_MD"
fi

# ---- commands and options --------------------------------------------------------
#
# static const Command commands[] = {
#     {"check", cmd_check, ...

awk '/^static const Command commands\[\][[:space:]]*=/ { on = 1 }
     on { print }
     on && /^};/ { exit }' "$MAIN" |
    sed -n 's/^[[:space:]]*{[[:space:]]*"\([a-z][a-z0-9_-]*\)"[[:space:]]*,[[:space:]]*cmd_.*$/\1/p' \
    >"$TMP/commands"
ncmd=$(wc -l <"$TMP/commands")
if [ "$ncmd" -gt 0 ]; then
    ok "read $ncmd commands from $MAIN"
else
    bad "no commands found in the command table of $MAIN"
fi
while read -r cmd; do
    if grep -q "^\\.SS \"\\{0,1\\}$cmd\"\\{0,1\\}[[:space:]]*$" "$MAN"; then
        ok "command $cmd has a section in $MAN"
    else
        bad "command $cmd has no '.SS $cmd' section in $MAN"
    fi
done <"$TMP/commands"

# long options parsed by main.c: strcmp(a, "--werror"), TAKES("--format"), ...
grep -o '"--[a-z][a-z-]*"' "$MAIN" | tr -d '"' | sort -u >"$TMP/options"
sed 's/\\-/-/g; s/\\&//g' "$MAN" >"$TMP/man.txt"
while read -r opt; do
    if grep -q -- "$opt\\b" "$TMP/man.txt"; then
        ok "option $opt in $MAN"
    else
        bad "option $opt (parsed in $MAIN) is not in $MAN"
    fi
done <"$TMP/options"

# ---- --jit=auto switch points ---------------------------------------------------------
#
# enum { JIT_AUTO_WARM = 1000, JIT_AUTO_COLD = 150000 };

JIT_H=src/jit.h
if [ -s "$JIT_H" ]; then
    for const in JIT_AUTO_WARM JIT_AUTO_COLD; do
        val=$(sed -n "s/.*\b$const[[:space:]]*=[[:space:]]*\([0-9][0-9]*\).*/\1/p" "$JIT_H" | head -n 1)
        if [ -z "$val" ]; then
            bad "$const not found in $JIT_H"
            continue
        fi
        ok "$const = $val in $JIT_H"
        # 150000 may be written 150,000 in prose
        pretty=$(printf '%s' "$val" | sed ':a; s/\([0-9]\)\([0-9]\{3\}\)\($\|,\)/\1,\2\3/; ta')
        for doc in "$MAN" docs/language.md docs/performance.md; do
            if grep -q -e "\b$val\b" -e "\b$pretty\b" "$doc"; then
                ok "$doc gives $const ($val)"
            else
                bad "$doc does not give $const = $val of $JIT_H (the --jit=auto switch point)"
            fi
        done
        if grep -q "$const" docs/performance.md; then
            ok "docs/performance.md names $const"
        else
            bad "docs/performance.md does not name $const of $JIT_H"
        fi
    done
else
    skip "$JIT_H not found"
fi

# ---- the man page --------------------------------------------------------------------

for section in NAME SYNOPSIS DESCRIPTION OPTIONS "EXIT STATUS" ENVIRONMENT FILES EXAMPLES "SEE ALSO"; do
    if grep -q "^\\.SH \"\\{0,1\\}$section\"\\{0,1\\}[[:space:]]*$" "$MAN"; then
        ok "$MAN has $section"
    else
        bad "$MAN lacks the section $section"
    fi
done
for var in STRAT_STDLIB NO_COLOR; do
    if grep -q "$var" "$MAN"; then ok "$MAN mentions $var"; else bad "$MAN does not mention $var"; fi
done

if command -v groff >/dev/null 2>&1; then
    if groff -man -ww -z "$MAN" >"$TMP/groff.out" 2>&1 && [ ! -s "$TMP/groff.out" ]; then
        ok "groff -man -ww renders $MAN cleanly"
    else
        bad "groff -man -ww warns about $MAN:"
        sed 's/^/       /' "$TMP/groff.out"
    fi
else
    skip "groff not installed"
fi
if command -v man >/dev/null 2>&1; then
    if MANWIDTH=80 man --warnings -l "$MAN" >"$TMP/man.out" 2>"$TMP/man.err" &&
        [ ! -s "$TMP/man.err" ] && [ -s "$TMP/man.out" ]; then
        ok "man --warnings -l renders $MAN cleanly"
    else
        bad "man --warnings -l complains about $MAN:"
        sed 's/^/       /' "$TMP/man.err"
    fi
else
    skip "man not installed"
fi

finish
