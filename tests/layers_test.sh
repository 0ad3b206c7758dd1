#!/usr/bin/env bash
# layers_test.sh [BIN] — the library's files depend only downward, and on
# nothing in a circle (docs/architecture.md draws the layers).
#
#   bash tests/layers_test.sh build/strat
#
# The graph is read from the `#include "..."` lines of src/, src/cli/,
# include/ and grammar/.  A module is a .c and its .h (or a header alone);
# the parse module is also grammar/strat.l and grammar/strat.y (and what
# bison makes of them).  Each module sits in one layer, listed below:
#
#   core < front < program < checks < run < outputs < api < cli
#
# It fails on:
#   - a file of src/ or include/ that no module of the list holds (a new
#     module must say where it stands);
#   - an include of a module in a higher layer than the includer's;
#   - a circle of modules (x.c including x.h is no edge), found by tsort;
#   - the command line (src/cli/) including a library header other than
#     the public strat/strat.h;
#   - with BIN, from the objects beside it (DIR/obj/*.o, as make builds
#     them): a function an object of the library exports that its own
#     module's header does not declare (strat_* in include/strat/strat.h),
#     so that the include lines really are the dependency graph.
# Prints `N passed, M failed` last; exit 1 on failure.
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-}
pass=0
fail=0

. "$root/tests/lib.sh"

# ---- the modules and their layers ------------------------------------------------

layers=(core front program checks run outputs api cli)
declare -A layer_of=(
    [strat]=core [arena]=core [compiler]=core [intern]=core [source]=core
    [diag]=core [parallel]=core [digest]=core [dates]=core [json]=core
    [dtoa]=core [numeric]=core [forecast]=core [csv]=core [markdown]=core [layout]=core
    [ast]=front [parse]=front [load]=front [entries]=front [unparse]=front
    [program]=program
    [resolve]=checks [report]=checks [csv_load]=checks [showback_load]=checks [typecheck]=checks [consistency]=checks [demand]=checks
    [eval]=run [jit]=run [decide]=run [showback]=run
    [emit]=outputs [emit_html]=outputs [explain]=outputs [diff]=outputs
    [graph]=outputs [sensitivity]=outputs [fmt]=outputs [sql]=outputs
    [api]=api
    [cli]=cli
)
declare -A rank
for i in "${!layers[@]}"; do rank[${layers[$i]}]=$i; done

# module_of PATH: the module a file (as written in the tree, or as an
# include names it) belongs to; empty when none
module_of() {
    local f=$1 b
    case $f in
        src/cli/*|cli.h|commands.h) echo cli; return ;;
        include/strat/strat.h|strat/strat.h|include/strat/strat_test.h|strat/strat_test.h) echo strat; return ;;
        grammar/strat.l|grammar/strat.y|strat.tab.h) echo parse; return ;;
        *.def) echo def; return ;;   # tables included by their owner
    esac
    b=$(basename "$f")
    b=${b%.[ch]}
    [ -n "${layer_of[$b]:-}" ] && echo "$b"
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cd "$root" || exit 2
files=$(ls src/*.c src/*.h src/*.def src/cli/*.c src/cli/*.h include/strat/*.h \
    grammar/strat.l grammar/strat.y 2>/dev/null)

# ---- every file has a module -------------------------------------------------------

unplaced=""
for f in $files; do
    [ -n "$(module_of "$f")" ] || unplaced="$unplaced $f"
done
if [ -z "$unplaced" ]; then ok
else bad "files in no module of tests/layers_test.sh:$unplaced"; fi

# ---- include edges: downward only, the CLI through the public header ------------------

: >"$tmp/edges"
upward="" cli_reach=""
for f in $files; do
    from=$(module_of "$f")
    [ "$from" = def ] && continue
    while IFS= read -r inc; do
        to=$(module_of "$inc")
        if [ -z "$to" ]; then
            unplaced="$unplaced $f->$inc"
            continue
        fi
        [ "$to" = def ] || [ "$to" = "$from" ] && continue
        echo "$from $to" >>"$tmp/edges"
        if [ "${rank[${layer_of[$to]}]}" -gt "${rank[${layer_of[$from]}]}" ]; then
            upward="$upward
  $f includes \"$inc\": $from (${layer_of[$from]}) -> $to (${layer_of[$to]})"
        fi
        if [ "$from" = cli ] && [ "$to" != strat ]; then
            cli_reach="$cli_reach $f->$inc"
        fi
    done < <(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$f")
done
nedges=$(sort -u "$tmp/edges" | wc -l)
if [ "$nedges" -ge 40 ]; then ok
else bad "only $nedges include edges between modules were found: is the parse right?"; fi
if [ -z "$upward" ]; then ok
else bad "includes that go up a layer:$upward"; fi
if [ -z "$cli_reach" ]; then ok
else bad "src/cli/ includes library headers other than strat/strat.h:$cli_reach"; fi

# ---- no circle ---------------------------------------------------------------------

if sort -u "$tmp/edges" | tsort >/dev/null 2>"$tmp/tsort"; then ok
else bad "a circle of modules (tsort):" "$(grep -v '^tsort: -: input contains a loop:$' "$tmp/tsort")"; fi

# ---- with the objects: each module's header declares what its .c exports ---------------

objdir=
[ -n "$bin" ] && objdir=$(dirname "$bin")/obj
if [ -z "$objdir" ] || [ ! -d "$objdir" ] || ! command -v nm >/dev/null 2>&1; then
    echo "layers_test: skip: no objects (pass the binary built by make) or no nm"
else
    undeclared=""
    for c in src/*.c; do
        m=$(basename "$c" .c)
        obj=$objdir/$m.o
        [ -f "$obj" ] || { undeclared="$undeclared $obj(missing)"; continue; }
        header=src/$m.h
        [ "$m" = api ] && header=include/strat/strat.h
        for sym in $(nm --defined-only -g "$obj" | awk '$2 == "T" { print $3 }'); do
            # a prototype starts a line (not a comment) and names it before `(`
            # (api.c's strat_set_test_knobs: include/strat/strat_test.h)
            grep -Eq "^[A-Za-z_].*[^A-Za-z0-9_]$sym\(" "$header" \
                $([ "$m" = api ] && echo include/strat/strat_test.h) 2>/dev/null ||
                undeclared="$undeclared $m.c:$sym"
        done
    done
    # parse_source is the scanner's (grammar/strat.l), declared in parse.h
    if [ -f "$objdir/lex.yy.o" ] &&
        nm --defined-only -g "$objdir/lex.yy.o" | grep -q ' T parse_source$' &&
        ! grep -q '^void parse_source(' src/parse.h; then
        undeclared="$undeclared lex.yy.c:parse_source"
    fi
    if [ -z "$undeclared" ]; then ok
    else bad "functions exported but not declared in their own module's header:$undeclared"; fi
fi

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
