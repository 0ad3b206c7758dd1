#!/usr/bin/env bash
# `strat check` on a project: with no files it checks every entry file (a
# .strat file with a `strategy` block) under the current directory, in
# path order, skipping hidden directories, build/ and node_modules/, exit
# status the worst of them; `strat check FILE` on a file with no strategy
# block checks it as part of the entries that import it, found from the
# nearest directory holding .git (else the current directory); a clean
# check at a terminal prints one line on stdout, and nothing elsewhere.
# (The golden cases tests/golden/cli/imported/ cover --root and the
# merged JSON and SARIF documents.)
set -u
bin=$(realpath "${1:-build/strat}")
root=$(cd "$(dirname "$0")/.." && pwd)
pass=0; fail=0
# shellcheck source=tests/lib.sh
. "$root/tests/lib.sh"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
today=2027-01-15

strategy() {   # strategy FILE TITLE [IMPORT]: a clean entry
    {
        [ -n "${3:-}" ] && echo "import \"$3\""
        echo "strategy \"$2\" {"
        echo "  horizon = 2027-01-01 .. 2027-12-31"
        echo "  budget  = 1M"
        echo "}"
    } >"$1"
}
broken() {     # broken FILE TITLE: an entry with one error (undefined owner)
    strategy "$1" "$2"
    printf 'service s {\n  owner = nobody_%s\n  kind = supporting\n}\n' "$2" >>"$1"
}

# ---- strat check with no files --------------------------------------------------
p=$tmp/proj
mkdir -p "$p/sub" "$p/.hidden" "$p/build" "$p/node_modules/pkg" "$p/lib"
strategy "$p/a.strat" A "lib/people"
printf 'role cio { title = "CIO" }\n' >"$p/lib/people.strat"
broken "$p/sub/b.strat" B
broken "$p/.hidden/c.strat" C
broken "$p/build/d.strat" D
broken "$p/node_modules/pkg/e.strat" E
out=$(cd "$p" && "$bin" check --today $today 2>&1 </dev/null); rc=$?
[ $rc = 1 ] && ok || bad "project with an error: exit $rc, want 1" "$out"
printf '%s\n' "$out" | grep -q 'sub/b.strat:.*nobody_B' && ok || bad "project: sub/b.strat's error not reported" "$out"
printf '%s\n' "$out" | grep -qE 'nobody_[CDE]' && bad "project: hidden, build or node_modules checked" "$out" || ok
printf '%s\n' "$out" | grep -q 'people.strat' && bad "project: lib/people.strat (no strategy) checked alone" "$out" || ok
again=$(cd "$p" && "$bin" check --today $today 2>&1 </dev/null)
[ "$out" = "$again" ] && ok || bad "project: two runs differ"

# path order: a.strat, then sub/b.strat, then z.strat (each error names its entry)
broken "$p/z.strat" Z
strategy "$p/sub/b.strat" B
broken "$p/a.strat" A
out=$(cd "$p" && "$bin" check --today $today --format github 2>/dev/null </dev/null); rc=$?
order=$(printf '%s\n' "$out" | grep -o 'nobody_[A-Z]' | tr '\n' ' ')
[ "$order" = "nobody_A nobody_Z " ] && ok || bad "project: order '$order', want A then Z" "$out"
[ $rc = 1 ] && ok || bad "project: worst exit $rc, want 1"

# every entry clean: exit 0, nothing on stdout or stderr when not a terminal
q=$tmp/clean
mkdir -p "$q/x"
strategy "$q/one.strat" One
strategy "$q/x/two.strat" Two
out=$(cd "$q" && "$bin" check --today $today 2>&1 </dev/null); rc=$?
[ $rc = 0 ] && [ -z "$out" ] && ok || bad "clean project: exit $rc, output '$out'"
# json: one document for both entries
out=$(cd "$q" && "$bin" check --today $today --format json 2>/dev/null </dev/null)
if command -v python3 >/dev/null; then
    printf '%s' "$out" | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["format_version"]=="1.0" and d["diagnostics"]==[]' \
        && ok || bad "clean project: --format json is not one empty document" "$out"
fi

# at a terminal (script(1) gives one): a one-line summary on stdout
if command -v script >/dev/null; then
    out=$(cd "$q" && script -qec "$bin check --today $today" /dev/null 2>/dev/null </dev/null | tr -d '\r')
    printf '%s\n' "$out" | grep -q '^strat: 2 strategies: ok' && ok || bad "terminal: no summary line" "$out"
    out=$(cd "$q" && script -qec "$bin check --today $today one.strat" /dev/null 2>/dev/null </dev/null | tr -d '\r')
    printf '%s\n' "$out" | grep -q '^strat: one.strat: ok (1 file, 0 warnings)' && ok || bad "terminal: no summary line for a file" "$out"
    out=$(cd "$q" && script -qec "$bin check -q --today $today one.strat" /dev/null 2>/dev/null </dev/null | tr -d '\r')
    [ -z "$out" ] && ok || bad "terminal with -q: '$out'"
else
    echo "project_check: script(1) not found: the terminal summary is not tested"
fi

# no entry at all: a usage error
e=$tmp/empty
mkdir -p "$e"
printf 'role r { title = "R" }\n' >"$e/lib.strat"
out=$(cd "$e" && "$bin" check --today $today 2>&1 </dev/null); rc=$?
[ $rc = 2 ] && printf '%s\n' "$out" | grep -q 'no .strat file' && ok || bad "no entries: exit $rc" "$out"

# ---- strat check FILE, FILE imported by an entry ------------------------------------
g=$tmp/repo
mkdir -p "$g/.git" "$g/strategy/lib"
strategy "$g/strategy/main.strat" Main "lib/services"
printf 'role cio { title = "CIO" }\n' >>"$g/strategy/main.strat"
printf 'service portal {\n  owner = cio\n  kind = supporting\n}\n' >"$g/strategy/lib/services.strat"
# from the file's own directory: the entry is found through .git
out=$(cd "$g/strategy/lib" && "$bin" check --today $today services.strat 2>&1 </dev/null); rc=$?
[ $rc = 0 ] && printf '%s\n' "$out" | grep -q 'as part of `../main.strat`' && ok \
    || bad "imported file (found through .git): exit $rc" "$out"
# an absolute path: the entry is named absolutely too
out=$("$bin" check --today $today "$g/strategy/lib/services.strat" 2>&1 </dev/null); rc=$?
[ $rc = 0 ] && printf '%s\n' "$out" | grep -q "as part of \`$g/strategy/main.strat\`" && ok \
    || bad "imported file, absolute path: exit $rc" "$out"
# a real error in the file is still found, at its place
printf 'service broken {\n  owner = cioo\n  kind = supporting\n}\n' >>"$g/strategy/lib/services.strat"
out=$(cd "$g/strategy/lib" && "$bin" check --today $today services.strat 2>&1 </dev/null); rc=$?
[ $rc = 1 ] && printf '%s\n' "$out" | grep -q 'services.strat:6:11: error: undefined role or team `cioo`' \
    && ! printf '%s\n' "$out" | grep -q 'S0404' && ok || bad "imported file with an error: exit $rc" "$out"
# without .git: found from the current directory when it holds the file
rm -rf "$g/.git"
out=$(cd "$g" && "$bin" check --today $today strategy/lib/services.strat 2>&1 </dev/null); rc=$?
printf '%s\n' "$out" | grep -q 'as part of `strategy/main.strat`' && ok || bad "imported file (under the current directory)" "$out"
# ... and not from below: checked alone, as before (no strategy)
out=$(cd "$g/strategy/lib" && "$bin" check --today $today services.strat 2>&1 </dev/null); rc=$?
[ $rc = 1 ] && printf '%s\n' "$out" | grep -q 'S0404' && ok || bad "no .git, entry above the current directory: exit $rc" "$out"
# an entry whose import leaves its root (S0303) does not count
mkdir -p "$g/.git" "$g/other"
printf 'import "../strategy/lib/services"\nstrategy "Escape" {\n  horizon = 2027-01-01 .. 2027-12-31\n  budget = 1M\n}\n' >"$g/other/escape.strat"
out=$(cd "$g/strategy/lib" && "$bin" check --today $today services.strat 2>&1 </dev/null)
printf '%s\n' "$out" | grep -q 'escape.strat' && bad "an entry importing across its root was used" "$out" || ok

echo "project_check: $pass passed, $fail failed"
[ "$fail" = 0 ]
