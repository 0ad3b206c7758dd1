#!/usr/bin/env bash
# tests/mutation/run.sh — does the test suite catch plausible bugs?
#
#   bash tests/mutation/run.sh            every mutant in mutants.txt
#   bash tests/mutation/run.sh ID...      only these (to rerun the missed ones)
#   bash tests/mutation/run.sh --check    only verify that every mutant's
#                                         original text is still in the tree
#   make mutation                         the same as the first
#
# Takes tests/mutation/mutants.txt: planted bugs, each a small textual
# substitution (file, exact original text, replacement).  Gives one line a
# mutant, `caught ID (by STEP)` or `MISSED ID ...`, and the score last.
#
# The working tree is never modified: the tracked and untracked (not
# ignored) files are copied to a scratch directory, built there once, and
# the unmutated suite must pass there first.  Then each mutant in turn is
# applied, rebuilt (incrementally), and run against a fast subset of the
# suite, stopping at the first step that fails:
#   make unit, make golden, make check-examples, then the mutant's script.
# A mutant is caught when any step fails (or times out: TIMEOUT seconds a
# step, 600 by default), missed when all pass.  A mutant whose original
# text is not found exactly once, or that does not build, stops the run
# with exit 2: the list has rotted and must be fixed with the code.
# Each mutant runs with a fresh, empty JIT cache (XDG_CACHE_HOME), so a
# cached object compiled by the unmutated code cannot hide a JIT mutant.
#
# Environment: TIMEOUT (seconds per step), JOBS (make -j, default 2),
# KEEP=1 keeps the scratch directory and the logs of each step.
# Exit: 0 when the run completed (missed mutants are reported, not fatal),
# 2 when the list or the unmutated suite is broken.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
list="$root/tests/mutation/mutants.txt"
timeout_s=${TIMEOUT:-600}
jobs=${JOBS:-2}

die() { echo "mutation: $*" >&2; exit 2; }
command -v perl >/dev/null || die "perl is needed to apply the mutants"
command -v timeout >/dev/null || die "timeout (coreutils) is needed"

# ---- the list ---------------------------------------------------------------
ids=() stages=() files=() froms=() tos=() scripts=()
flush() {
    [ -n "$id" ] || return 0
    [ -n "$file" ] && [ -n "$from" ] && [ -n "$to_set" ] ||
        die "$list: mutant '$id' needs file, from and to"
    for seen in "${ids[@]+"${ids[@]}"}"; do
        [ "$seen" != "$id" ] || die "$list: mutant '$id' is listed twice"
    done
    ids+=("$id"); stages+=("${stage:-?}"); files+=("$file")
    froms+=("${from//\{NL\}/$'\n'}"); tos+=("${to//\{NL\}/$'\n'}"); scripts+=("$script")
}
id='' stage='' file='' from='' to='' to_set='' script=''
while IFS= read -r line || [ -n "$line" ]; do
    case "$line" in
        '#'*) ;;
        '') flush; id='' stage='' file='' from='' to='' to_set='' script='' ;;
        'id: '*) id=${line#id: } ;;
        'stage: '*) stage=${line#stage: } ;;
        'file: '*) file=${line#file: } ;;
        'from: '*) from=${line#from: } ;;
        'to: '*) to=${line#to: }; to_set=1 ;;
        'script: '*) script=${line#script: } ;;
        *) die "$list: cannot read the line: $line" ;;
    esac
done <"$list"
flush
[ ${#ids[@]} -gt 0 ] || die "no mutants in $list"

# occurrences FILE TEXT: how many times TEXT occurs in FILE, literally
occurrences() {
    FROM=$2 perl -0777 -ne 'my $n = () = /\Q$ENV{FROM}\E/g; print $n' "$1"
}

# apply FILE FROM TO: the one occurrence replaced, in place
apply() {
    FROM=$2 TO=$3 perl -0777 -pi -e 's/\Q$ENV{FROM}\E/$ENV{TO}/' "$1"
}

# every original text exactly once in TREE, or exit 2
verify() {
    local tree=$1 bad=0 i n
    for i in "${!ids[@]}"; do
        if [ ! -f "$tree/${files[$i]}" ]; then
            echo "mutation: ${ids[$i]}: no file ${files[$i]}" >&2; bad=1; continue
        fi
        n=$(occurrences "$tree/${files[$i]}" "${froms[$i]}")
        if [ "$n" != 1 ]; then
            echo "mutation: ${ids[$i]}: the original text occurs $n times in ${files[$i]}" \
                 "(must be exactly once): ${froms[$i]}" >&2
            bad=1
        fi
        [ "${froms[$i]}" != "${tos[$i]}" ] ||
            { echo "mutation: ${ids[$i]}: from and to are the same" >&2; bad=1; }
        if [ -n "${scripts[$i]}" ] && [ ! -f "$tree/${scripts[$i]}" ]; then
            echo "mutation: ${ids[$i]}: no script ${scripts[$i]}" >&2; bad=1
        fi
    done
    [ $bad = 0 ] || die "the mutant list does not match the code (fix $list)"
}

# which mutants: all, or those named
selected=()
if [ "${1:-}" = --check ]; then
    verify "$root"
    echo "mutation: ${#ids[@]} mutants, every original text found once"
    exit 0
elif [ $# -gt 0 ]; then
    for want in "$@"; do
        found=''
        for i in "${!ids[@]}"; do [ "${ids[$i]}" = "$want" ] && found=$i; done
        [ -n "$found" ] || die "no mutant named '$want' in $list"
        selected+=("$found")
    done
else
    selected=("${!ids[@]}")
fi
verify "$root"

# ---- the scratch tree -------------------------------------------------------
scratch=$(mktemp -d "${TMPDIR:-/tmp}/strat-mutation-XXXXXX")
cleanup() { [ "${KEEP:-0}" = 1 ] && echo "mutation: kept $scratch" || rm -rf "$scratch"; }
trap cleanup EXIT
trap 'exit 130' INT TERM
tree="$scratch/tree"
mkdir -p "$tree" "$scratch/logs" "$scratch/cache"
if git -C "$root" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    (cd "$root" && git ls-files -z -co --exclude-standard |
        tar --null -T - -cf -) | tar -xf - -C "$tree" || die "could not copy the tree"
else
    (cd "$root" && tar --exclude=./build -cf - .) | tar -xf - -C "$tree" ||
        die "could not copy the tree"
fi

# build LOG: the binary and the unit tests.  The bison outputs first and
# alone: the Makefile's rule for strat.tab.c and strat.tab.h is two targets
# of one recipe, which make -j may run twice at once (a torn parser).
build() {
    make -C "$tree" -j1 --no-print-directory build/gen/strat.tab.c build/gen/lex.yy.c \
        >"$1" 2>&1 || return 1
    make -C "$tree" -j"$jobs" --no-print-directory build/strat \
        $(cd "$tree" && ls tests/unit/test_*.c | sed 's|tests/unit/\(.*\)\.c|build/tests/\1|') \
        >>"$1" 2>&1
}

# suite NAME SCRIPT: runs the steps in order; sets caught_by to the first
# step that failed, or '' when every step passed
suite() {
    local name=$1 script=$2 step rc
    caught_by=''
    local steps=(unit golden check-examples)
    [ -n "$script" ] && steps+=("$script")
    for step in "${steps[@]}"; do
        local log="$scratch/logs/$name.${step//\//_}.log"
        rm -rf "$scratch/cache/$name"
        mkdir -p "$scratch/cache/$name"
        case "$step" in
            *.sh) (cd "$tree" && XDG_CACHE_HOME="$scratch/cache/$name" \
                      timeout -k 10 "$timeout_s" bash "$step" build/strat) >"$log" 2>&1 ;;
            *) XDG_CACHE_HOME="$scratch/cache/$name" \
                   timeout -k 10 "$timeout_s" make -C "$tree" --no-print-directory "$step" \
                   >"$log" 2>&1 ;;
        esac
        rc=$?
        if [ $rc != 0 ]; then
            caught_by=$step
            [ $rc = 124 ] || [ $rc = 137 ] && caught_by="$step, timed out"
            return
        fi
    done
}

echo "mutation: building the unmutated tree in $tree"
build "$scratch/logs/baseline.build.log" ||
    { tail -20 "$scratch/logs/baseline.build.log"; die "the unmutated tree does not build"; }
suite baseline ""
if [ -n "$caught_by" ]; then
    tail -30 "$scratch/logs/baseline.${caught_by%%,*}.log" 2>/dev/null
    die "the unmutated suite fails ($caught_by): no score without a passing suite"
fi

# ---- the mutants ------------------------------------------------------------
caught=0
missed=()
start=$(date +%s)
for i in "${selected[@]}"; do
    id=${ids[$i]} f="$tree/${files[$i]}"
    cp -p "$f" "$scratch/original"
    apply "$f" "${froms[$i]}" "${tos[$i]}"
    touch "$f"
    if cmp -s "$f" "$scratch/original"; then
        die "$id: the substitution changed nothing"
    fi
    t0=$(date +%s)
    if ! build "$scratch/logs/$id.build.log"; then
        tail -20 "$scratch/logs/$id.build.log"
        cp "$scratch/original" "$f"
        die "$id: the mutant does not build (fix it in $list)"
    fi
    suite "$id" "${scripts[$i]}"
    # the original back, newer than the objects built from the mutant
    cp "$scratch/original" "$f"
    touch "$f"
    secs=$(( $(date +%s) - t0 ))
    if [ -n "$caught_by" ]; then
        caught=$((caught + 1))
        printf 'caught  %-32s (by %s, %ss)\n' "$id" "$caught_by" "$secs"
    else
        missed+=("$id")
        printf 'MISSED  %-32s %s: %s -> %s (%ss)\n' "$id" "${files[$i]}" \
            "${froms[$i]//$'\n'/ }" "${tos[$i]//$'\n'/ }" "$secs"
    fi
done
# leave the scratch tree built from the original code
build "$scratch/logs/final.build.log" || true

total=${#selected[@]}
echo "mutation: ${#missed[@]} missed: ${missed[*]:-none}"
echo "mutation score: $caught of $total caught ($(( 100 * caught / total ))%)" \
     "in $(( ($(date +%s) - start) / 60 )) min"
