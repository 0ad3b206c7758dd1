#!/usr/bin/env bash
# tests/install_test.sh — `make install` and `make uninstall` produce a
# working, relocatable installation, and take it away again.
#
#  * `make install DESTDIR=$tmp PREFIX=/usr/local` puts every file where
#    docs/install.md says, with strat.pc filled in;
#  * the installed binary checks examples/retail/retail.strat using the
#    stdlib of the DESTDIR tree (found relative to the binary);
#  * the installed man page renders (man -l, else groff; skipped if neither);
#  * the bash completion loads (`complete -p strat`) and completes commands,
#    options, --format/--jit values, .strat files and scenario names;
#  * libstrat.so is installed with its soname link and exports strat_*
#    alone; strat.h is installed, the tests' strat_test.h is not;
#  * a small C program compiles against the installed libstrat through
#    pkg-config, runs strat_new/strat_load/strat_check and prints the error
#    count; it links with and without --static;
#  * examples/embed/embed.c (the header's example: a strategy from memory
#    importing std/itil, decided, each decision read by the accessors)
#    builds with `pkg-config --cflags --libs strat` alone, runs against the
#    installed libstrat.so and stdlib, and prints what `strat decide`
#    does;
#  * `make uninstall` with the same DESTDIR and PREFIX leaves no file behind
#    and touches no file it did not install.
#
# Usage: bash tests/install_test.sh BIN       (VERBOSE=1 lists every check)
# BIN is the built strat (its directory is used as the make BUILD directory
# when it holds libstrat.a).  pkg-config is installed from Debian if missing.
# The last line is `N passed, M failed`; the exit status is 1 if M > 0.

# shellcheck disable=SC2016,SC2317,SC2001,SC2013  # bash -c scripts in single quotes; helpers run via check

set -u

BIN=${1:-build/strat}
case $BIN in /*) ;; *) BIN=$PWD/$BIN ;; esac
ROOT=$(cd "$(dirname "$0")/.." && pwd) || exit 2
cd "$ROOT" || exit 2

pass=0
fail=0
skip=0
ok()   { pass=$((pass + 1)); if [ -n "${VERBOSE:-}" ]; then echo "ok   - $*"; fi; }
bad()  { fail=$((fail + 1)); echo "FAIL - $*"; }
skipped() { skip=$((skip + 1)); echo "skip - $*"; }
check() {   # check LABEL COMMAND...: one check, passing when COMMAND succeeds
    local label=$1
    shift
    if "$@"; then ok "$label"; else bad "$label"; fi
}
finish() {
    if [ "$skip" -gt 0 ]; then echo "($skip skipped)"; fi
    echo "$pass passed, $fail failed"
    [ "$fail" -eq 0 ]
    exit $?
}
quiet() { "$@" >/dev/null 2>&1; }
show() {   # show FILE: the last lines of a log, indented
    tail -n 15 "$1" | sed 's/^/       /'
}

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
DEST=$WORK/destdir          # the DESTDIR: nothing else is written there
mkdir -p "$DEST"
P=/usr/local
INST=$DEST$P

# A nested make must not inherit the flags of a `make scripts` around us.
mk() { env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make --no-print-directory "$@"; }
BUILD_ARG=()
if [ -f "$(dirname "$BIN")/libstrat.a" ]; then
    BUILD_ARG=(BUILD="$(dirname "$BIN")")
fi

# ---- make install -------------------------------------------------------------

if mk install DESTDIR="$DEST" PREFIX="$P" "${BUILD_ARG[@]}" >"$WORK/install.log" 2>&1; then
    ok "make install DESTDIR=... PREFIX=$P"
else
    bad "make install DESTDIR=... PREFIX=$P"
    show "$WORK/install.log"
    finish
fi

check "bin/strat is executable" test -x "$INST/bin/strat"
for f in stdlib/std/*.strat; do
    check "share/strat/$f installed" cmp -s "$f" "$INST/share/strat/$f"
done
check "include/strat/strat.h installed" cmp -s include/strat/strat.h "$INST/include/strat/strat.h"
check "include/strat/strat_test.h (the tests' knobs) not installed" \
    test ! -e "$INST/include/strat/strat_test.h"
check "lib/libstrat.a installed" test -s "$INST/lib/libstrat.a"
check "lib/libstrat.so.0 installed" test -s "$INST/lib/libstrat.so.0"
check "lib/libstrat.so links to libstrat.so.0" test "$(readlink "$INST/lib/libstrat.so")" = libstrat.so.0
if command -v readelf >/dev/null 2>&1 && command -v nm >/dev/null 2>&1; then
    check "libstrat.so.0 has the soname libstrat.so.0" \
        bash -c 'readelf -d "$1" | grep -q "SONAME.*\[libstrat.so.0\]"' _ "$INST/lib/libstrat.so.0"
    exported=$(nm -D --defined-only "$INST/lib/libstrat.so.0" | awk '$2 ~ /^[TDBRVW]$/ { print $3 }')
    check "libstrat.so exports strat_* functions (strat_load_buffer, strat_service_decision)" \
        bash -c 'grep -qx strat_load_buffer <<<"$1" && grep -qx strat_service_decision <<<"$1"' _ "$exported"
    others=$(grep -v '^strat_' <<<"$exported")
    check "libstrat.so exports nothing but strat_* (got: $(head -3 <<<"$others" | tr '\n' ' '))" \
        test -z "$others"
else
    skipped "readelf or nm missing: libstrat.so's symbols not inspected"
fi
check "bash completion installed" \
    cmp -s packaging/strat.bash "$INST/share/bash-completion/completions/strat"
if [ -f docs/strat.1 ]; then
    check "share/man/man1/strat.1 installed" cmp -s docs/strat.1 "$INST/share/man/man1/strat.1"
else
    skipped "docs/strat.1 does not exist: no man page to install"
fi
for f in README.md LICENSE docs/*.md; do
    check "share/doc/strat/$(basename "$f") installed" cmp -s "$f" "$INST/share/doc/strat/$(basename "$f")"
done
PC=$INST/lib/pkgconfig/strat.pc
check "lib/pkgconfig/strat.pc installed" test -s "$PC"
check "strat.pc: prefix=$P" grep -qx "prefix=$P" "$PC"
version=$(sed -n 's/^#define STRAT_VERSION "\(.*\)"/\1/p' include/strat/strat.h)
check "strat.pc: Version: $version" grep -qx "Version: $version" "$PC"
check "strat.pc: no @PLACEHOLDER@ left" bash -c '! grep -q "@[A-Z_]*@" "$1"' _ "$PC"
check "strat.pc: Libs: -L\${libdir} -lstrat" grep -qx 'Libs: -L${libdir} -lstrat' "$PC"

# ---- the installed binary ---------------------------------------------------------

unset STRAT_STDLIB
out=$("$INST/bin/strat" --version 2>&1)
check "installed strat --version says $version" test "$out" = "strat $version"

run_check() {   # the installed binary, from outside the source tree
    (cd "$WORK" && "$INST/bin/strat" check --today 2027-01-15 --color never \
        "$ROOT/examples/retail/retail.strat") >"$WORK/check.log" 2>&1
}
if run_check; then
    ok "installed strat check examples/retail/retail.strat exits 0"
else
    bad "installed strat check examples/retail/retail.strat exits 0"
    show "$WORK/check.log"
fi
# It really read the DESTDIR's stdlib: without it, std/itil is not found
# (unless a real installation sits at the compiled-in default).
if [ -e "$P/share/strat/stdlib" ]; then
    skipped "$P/share/strat/stdlib exists: cannot show the DESTDIR stdlib is the one used"
else
    mv "$INST/share/strat" "$WORK/stdlib.moved"
    if run_check; then
        bad "without the DESTDIR stdlib, check fails (so the DESTDIR one was used)"
    else
        ok "without the DESTDIR stdlib, check fails (so the DESTDIR one was used)"
    fi
    mv "$WORK/stdlib.moved" "$INST/share/strat"
fi
out=$( (cd "$WORK" && "$INST/bin/strat" decide --today 2027-01-15 --format csv \
    "$ROOT/examples/retail/retail.strat") 2>&1)
check "installed strat decide prints decisions" \
    grep -Eq '(invest|enhance|migrate|retire|experiment|tolerate)' <<<"$out"

# ---- the man page -------------------------------------------------------------------

MAN1=$INST/share/man/man1/strat.1
if [ ! -f "$MAN1" ]; then
    skipped "man page not installed"
elif command -v man >/dev/null 2>&1 && man -l "$MAN1" >/dev/null 2>&1; then
    out=$(MANPAGER=cat MANWIDTH=80 man -l "$MAN1" 2>/dev/null)
    check "man -l renders strat.1 (NAME, SYNOPSIS)" \
        bash -c 'grep -q "^NAME" <<<"$1" && grep -q "^SYNOPSIS" <<<"$1"' _ "$out"
    out=$(MANPAGER=cat MANWIDTH=80 man -M "$INST/share/man" strat 2>/dev/null)
    check "man -M <prefix>/share/man strat finds the page" grep -q "^NAME" <<<"$out"
elif command -v groff >/dev/null 2>&1; then
    out=$(groff -man -Tutf8 "$MAN1" 2>/dev/null)
    check "groff renders strat.1 (NAME, SYNOPSIS)" \
        bash -c 'grep -q "NAME" <<<"$1" && grep -q "SYNOPSIS" <<<"$1"' _ "$out"
else
    skipped "neither man nor groff: man page not rendered"
fi

# ---- bash completion ------------------------------------------------------------------

COMPL=$INST/share/bash-completion/completions/strat
# complete WORDS...: the candidates for the last word, one a line, from the
# installed completion function run in a fresh bash.
complete_words() {
    (cd "$ROOT" && bash --norc --noprofile -c '
        . "$1" || exit 3
        shift
        spec=$(complete -p strat 2>/dev/null) || exit 4
        fn=$(sed -n "s/.*-F \([^ ]*\).*/\1/p" <<<"$spec")
        [ -n "$fn" ] || exit 5
        COMP_WORDS=("$@")
        COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
        COMP_LINE="$*"
        COMP_POINT=${#COMP_LINE}
        COMPREPLY=()
        "$fn" strat "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
        printf "%s\n" "${COMPREPLY[@]}"' _ "$COMPL" "$@")
}
offers() {   # offers WORD WORDS...: completing WORDS offers WORD
    local want=$1
    shift
    complete_words "$@" | grep -qx -- "$want"
}
lacks() {    # lacks WORD WORDS...: completing WORDS does not offer WORD
    local unwanted=$1
    shift
    ! complete_words "$@" | grep -qx -- "$unwanted"
}
check "sourcing the completion sets complete -p strat" \
    bash --norc --noprofile -c '. "$1" && complete -p strat | grep -q -- "-F "' _ "$COMPL"
check "completing 'strat de' offers decide" offers decide strat de
check "completing 'strat de' offers only decide" \
    test "$(complete_words strat de | tr '\n' ' ')" = "decide "
check "completing 'strat ' offers every command" \
    bash -c 'for c in check decide explain test fmt diff graph; do grep -qx "$c" <<<"$1" || exit 1; done' \
    _ "$(complete_words strat '')"
check "completing 'strat check --f' offers --format" offers --format strat check --f
check "completing 'strat fmt --' offers --check" offers --check strat fmt --
check "completing 'strat check --' does not offer --check" lacks --check strat check --
check "completing 'strat decide --format ' offers html" offers html strat decide --format ''
check "completing 'strat check --format ' offers sarif" offers sarif strat check --format ''
check "completing 'strat check --format ' does not offer csv" lacks csv strat check --format ''
check "completing 'strat decide --format=' offers json" offers json strat decide --format = ''
check "completing 'strat decide --jit ' offers auto on off" \
    bash -c '[ "$(tr "\n" " " <<<"$1")" = "auto on off " ]' _ "$(complete_words strat decide --jit '')"
check "completing a file argument offers .strat files" \
    offers examples/retail/retail.strat strat check examples/retail/r
check "completing a file argument does not offer .csv files" \
    lacks examples/retail/inventory.csv strat check examples/retail/i
check "completing --scenario offers the scenarios of the files (and their imports)" \
    bash -c 'grep -qx cloud_price_rise <<<"$1" && grep -qx peak_trading <<<"$1"' _ \
    "$(complete_words strat decide examples/retail/retail.strat --scenario '')"
check "completing 'strat explain FILE ch' offers the service checkout" \
    offers checkout strat explain examples/retail/retail.strat ch
# In step with src/cli/main.c: its commands, each command's --format values,
# and every long option it parses (offered by some command).
MAIN=src/cli/main.c
all_cmds=$(complete_words strat '')
for c in $(sed -n 's/^    {"\([a-z][a-z]*\)", cmd_.*/\1/p' "$MAIN"); do
    check "completion offers the command $c of $MAIN" grep -qx "$c" <<<"$all_cmds"
done
while IFS=: read -r c fmts; do
    got=$(complete_words strat "$c" --format '')
    for f in $fmts; do
        check "completing 'strat $c --format ' offers $f" grep -qx "$f" <<<"$got"
    done
done < <(awk '
    /^    \{"[a-z]+", cmd_/ { n = $0; sub(/^    \{"/, "", n); sub(/".*/, "", n); name = n }
    /^ +"[a-z]+(,[a-z]+)*"\},?$/ { f = $0; gsub(/[ "},]/, " ", f); print name ":" f }' "$MAIN")
all_opts=$(for c in $(sed -n 's/^    {"\([a-z][a-z]*\)", cmd_.*/\1/p' "$MAIN"); do
               complete_words strat "$c" --
           done | sort -u)
for o in $(grep -o 'TAKES("--[a-z-]*")\|strcmp(a, "--[a-z-][a-z-]*")' "$MAIN" |
           grep -o -- '--[a-z][a-z-]*' | sort -u); do
    check "completion offers the option $o of $MAIN" grep -qx -- "$o" <<<"$all_opts"
done
# bash-completion's own loader finds it under <prefix>/share (when installed)
BC=/usr/share/bash-completion/bash_completion
if [ -r "$BC" ]; then
    check "bash-completion's loader finds the installed completion" \
        env XDG_DATA_DIRS="$INST/share" bash --norc --noprofile -ic '
            . "$1" >/dev/null 2>&1
            if declare -F __load_completion >/dev/null; then __load_completion strat
            else _completion_loader strat; fi
            complete -p strat | grep -q -- "-F "' _ "$BC" 2>/dev/null
else
    skipped "bash-completion not installed: its loader not tried"
fi

# ---- pkg-config and the C library ------------------------------------------------

if ! command -v pkg-config >/dev/null 2>&1; then
    skipped "pkg-config not installed (make test-deps): the C library's checks not run"
else
    export PKG_CONFIG_PATH=$INST/lib/pkgconfig
    pc() { pkg-config --define-variable=prefix="$INST" "$@" strat; }
    check "pkg-config --exists strat" pc --exists
    check "pkg-config --modversion strat is $version" test "$(pc --modversion)" = "$version"
    check "pkg-config --cflags --libs strat" quiet pc --cflags --libs
    check "pkg-config --libs strat has -lstrat" grep -q -- "-lstrat" <<<"$(pc --libs)"
    check "pkg-config --cflags strat points into the installation" \
        grep -q -- "-I$INST/include" <<<"$(pc --cflags)"
    check "pkg-config --static --libs strat has the private libraries" \
        bash -c 'for l in -lgccjit -lnettle -lm; do grep -q -- "$l" <<<"$1" || exit 1; done' \
        _ "$(pc --static --libs)"
    cat >"$WORK/use_strat.c" <<'EOF'
/* Checks the strategy files given after the stdlib directory, and prints
 * the number of errors found. */
#include <stdio.h>
#include <strat/strat.h>

int main(int argc, char **argv)
{
    if (argc < 3) {
        fputs("usage: use_strat STDLIB FILES...\n", stderr);
        return 2;
    }
    strat_options opts = {0};
    opts.stdlib_dir = argv[1];
    opts.today = "2027-01-15";
    opts.jit = STRAT_JIT_OFF;
    strat_compilation *c = strat_new(NULL, &opts);
    if (!c)
        return 2;
    strat_status st = strat_load(c, (const char *const *)argv + 2, argc - 2);
    if (st != STRAT_FAILURE)
        st = strat_check(c);
    printf("strat %s: %u errors\n", STRAT_VERSION, strat_error_count(c));
    strat_free(c);
    return (int)st;
}
EOF
    # shellcheck disable=SC2046  # word splitting of pkg-config output is wanted
    if ${CC:-cc} -std=c11 -Wall -Wextra -Werror -o "$WORK/use_strat_shared" \
        "$WORK/use_strat.c" $(pc --cflags --libs) >"$WORK/cc.log" 2>&1; then
        ok "a C program links against libstrat.so with pkg-config --cflags --libs (no --static)"
        check "it needs libstrat.so.0 at run time" \
            bash -c 'readelf -d "$1" | grep -q "NEEDED.*\[libstrat.so.0\]"' _ "$WORK/use_strat_shared"
        out=$(LD_LIBRARY_PATH="$INST/lib" "$WORK/use_strat_shared" "$INST/share/strat/stdlib" \
            examples/retail/retail.strat 2>/dev/null)
        check "it runs on the installed libstrat.so: retail has 0 errors (got: $out)" \
            grep -q ": 0 errors$" <<<"$out"
    else
        bad "a C program links against libstrat.so with pkg-config --cflags --libs (no --static)"
        show "$WORK/cc.log"
    fi
    # shellcheck disable=SC2046  # word splitting of pkg-config output is wanted
    if ${CC:-cc} -std=c11 -Wall -Wextra -Werror -static-libgcc -o "$WORK/use_strat" "$WORK/use_strat.c" \
        "$INST/lib/libstrat.a" $(pc --cflags --static --libs | sed 's/-lstrat//') \
        >"$WORK/cc.log" 2>&1; then
        ok "a C program compiles and links against libstrat via pkg-config"
        out=$("$WORK/use_strat" "$INST/share/strat/stdlib" examples/retail/retail.strat 2>/dev/null)
        rc=$?
        check "it checks examples/retail/retail.strat: exit 0" test "$rc" -eq 0
        check "it prints '0 errors' for retail (got: $out)" grep -q ": 0 errors$" <<<"$out"
        out=$("$WORK/use_strat" "$INST/share/strat/stdlib" \
            examples/broken/undefined_reference.strat 2>/dev/null)
        rc=$?
        check "it finds the errors of examples/broken/undefined_reference.strat: exit 1" test "$rc" -eq 1
        check "it prints a non-zero error count there (got: $out)" \
            grep -Eq ": [1-9][0-9]* errors$" <<<"$out"
    else
        bad "a C program compiles and links against libstrat via pkg-config"
        show "$WORK/cc.log"
    fi

    # The header's example, examples/embed/embed.c: from memory, std/itil
    # from the installed stdlib, decisions by the accessors.
    # shellcheck disable=SC2046  # word splitting of pkg-config output is wanted
    if ${CC:-cc} -std=c11 -Wall -Wextra -Werror -o "$WORK/embed" examples/embed/embed.c \
        $(pc --cflags --libs) >"$WORK/cc.log" 2>&1; then
        ok "examples/embed/embed.c builds with pkg-config --cflags --libs strat"
        embed() { (cd "$WORK" && LD_LIBRARY_PATH="$INST/lib" STRAT_STDLIB="$INST/share/strat/stdlib" \
            "$WORK/embed" "$@"); }
        embed --source >"$WORK/inline.strat"
        check "its strategy imports std/itil" grep -q '^import "std/itil"' "$WORK/inline.strat"
        embed >"$WORK/embed.out" 2>"$WORK/embed.err"
        rc=$?
        check "it decides its in-memory strategy: exit 0, no diagnostics" \
            test "$rc" -eq 0 -a ! -s "$WORK/embed.err"
        (cd "$WORK" && "$INST/bin/strat" decide --format csv inline.strat) 2>/dev/null |
            cut -d, -f1-4 | sort >"$WORK/cli.out"
        sort "$WORK/embed.out" >"$WORK/embed.sorted"
        check "it prints each service's decision as strat decide does" \
            cmp -s "$WORK/embed.sorted" "$WORK/cli.out"
        check "it prints decisions at all (got: $(tr '\n' ' ' <"$WORK/embed.out"))" \
            grep -q '^1,web,invest,inline.strat:37$' "$WORK/embed.out"
        mv "$INST/share/strat" "$WORK/stdlib.moved"
        embed >/dev/null 2>"$WORK/embed.err"
        rc=$?
        mv "$WORK/stdlib.moved" "$INST/share/strat"
        check "without the installed stdlib it fails to import std/itil (so that one was used)" \
            bash -c '[ "$1" -eq 1 ] && grep -q "std/itil" "$2"' _ "$rc" "$WORK/embed.err"
        embed --today 2027-01-15 "$ROOT/examples/retail/retail.strat" 2>/dev/null |
            sort >"$WORK/embed.out"
        (cd "$WORK" && "$INST/bin/strat" decide --today 2027-01-15 --format csv \
            "$ROOT/examples/retail/retail.strat") 2>/dev/null | cut -d, -f1-4 | sort >"$WORK/cli.out"
        check "on examples/retail (a CSV load, several imports) it agrees with strat decide" \
            bash -c 'cmp -s "$1" "$2" && [ "$(wc -l <"$1")" -gt 5 ]' _ "$WORK/embed.out" "$WORK/cli.out"
    else
        bad "examples/embed/embed.c builds with pkg-config --cflags --libs strat"
        show "$WORK/cc.log"
    fi
fi

# ---- make uninstall -------------------------------------------------------------------

mkdir -p "$INST/bin"
echo keep >"$INST/bin/not-strat"            # not ours: must survive
if mk uninstall DESTDIR="$DEST" PREFIX="$P" "${BUILD_ARG[@]}" >"$WORK/uninstall.log" 2>&1; then
    ok "make uninstall DESTDIR=... PREFIX=$P"
else
    bad "make uninstall DESTDIR=... PREFIX=$P"
    show "$WORK/uninstall.log"
fi
check "uninstall leaves files it did not install" test -f "$INST/bin/not-strat"
rm -f "$INST/bin/not-strat"
left=$(find "$DEST" -type f -o -type l)
if [ -z "$left" ]; then
    ok "after uninstall no file is left under DESTDIR"
else
    bad "after uninstall no file is left under DESTDIR:"
    sed "s|^$DEST|       |" <<<"$left"
fi
check "uninstall removes strat's own directories" \
    test ! -e "$INST/share/strat" -a ! -e "$INST/include/strat"

finish
