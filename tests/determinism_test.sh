#!/usr/bin/env bash
# determinism_test.sh BIN — the same inputs give the same bytes, whatever
# the environment.
#
#   bash tests/determinism_test.sh build/strat
#   DETERMINISM_EXAMPLES="retail" bash tests/determinism_test.sh build/strat
#
# For each example (examples/NAME/NAME.strat, or those named), the outputs
#   check --format json, decide --format table|json|csv|md, explain SERVICE,
#   sensitivity --runs 40 --format json
#   (the first service decided), test
# are produced once in a reference setting (LC_ALL=C, TZ=UTC, a small
# environment, --today pinned) and again under each variant, and compared
# byte for byte (stdout, stderr and exit code):
#   again       the same setting a second time (no run-to-run randomness)
#   locale      LC_ALL=de_DE.UTF-8, a decimal-comma locale built with
#               localedef into a temporary LOCPATH (skipped with a message
#               when localedef or the de_DE source is missing)
#   tz          TZ=Pacific/Kiritimati (UTC+14; a POSIX TZ string without tzdata)
#   env         1000 extra environment variables of 100 bytes each
#   jit         --jit on against the reference's --jit off (decide and
#               sensitivity: the JIT must give the interpreter's results,
#               to the bit)
# and for file order, `decide A B` against `decide B A` where neither file
# imports the other: tests/reliability/twofile/ (a strategy split in two
# files), and each example's main file with the files it imports named too,
# in both orders (the same files, so the same decisions and input hash).
# Without --today, TZ must not change "today" (the doc says UTC): checked
# with `test` under both time zones.
# Prints `N passed, M failed` last; exit 1 on any failure.
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
bin=$(realpath "${1:-$root/build/strat}")
export STRAT_STDLIB=${STRAT_STDLIB:-$root/stdlib}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$root/tests/lsan.supp:print_suppressions=0}
today=2027-01-15
pass=0
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export XDG_CACHE_HOME=$tmp/cache

. "$root/tests/lib.sh"

# ---- the variants ---------------------------------------------------------------
locpath=""
mkdir -p "$tmp/loc"
if command -v localedef >/dev/null 2>&1; then
    # localedef exits 1 on mere warnings: judge by what it built
    localedef -i de_DE -f UTF-8 "$tmp/loc/de_DE.UTF-8" >/dev/null 2>&1
    [ -f "$tmp/loc/de_DE.UTF-8/LC_NUMERIC" ] && locpath=$tmp/loc
fi
[ -z "$locpath" ] &&
    echo "skip locale variant: localedef cannot build de_DE.UTF-8 (install the locales package)"
kiritimati=Pacific/Kiritimati
[ -f /usr/share/zoneinfo/Pacific/Kiritimati ] || kiritimati='<+14>-14'
bigenv=$tmp/bigenv
for i in $(seq 1 1000); do
    printf 'STRAT_DETERMINISM_DUMMY_%04d=%s\n' "$i" "$(printf '%0100d' "$i")"
done >"$bigenv"

# run VARIANT DIR OUTPREFIX ARGS...: runs strat in DIR under VARIANT
run() {
    local variant=$1 dir=$2 o=$3
    shift 3
    local envs=(LC_ALL=C TZ=UTC)
    case $variant in
        locale) envs=(LC_ALL=de_DE.UTF-8 LANG=de_DE.UTF-8 LOCPATH="$locpath" TZ=UTC) ;;
        tz) envs=(LC_ALL=C TZ="$kiritimati") ;;
        env) mapfile -t extra <"$bigenv"; envs+=("${extra[@]}") ;;
    esac
    (cd "$dir" && env "${envs[@]}" "$bin" "$@" >"$o.out" 2>"$o.err" </dev/null)
    echo $? >"$o.code"
}

same() {
    cmp -s "$1.out" "$2.out" && cmp -s "$1.err" "$2.err" && cmp -s "$1.code" "$2.code"
}

show_diff() {
    { diff "$1.code" "$2.code"; diff "$1.out" "$2.out" | head -6; diff "$1.err" "$2.err" | head -6; } 2>&1
}

examples=()
if [ -n "${DETERMINISM_EXAMPLES:-}" ]; then
    for e in $DETERMINISM_EXAMPLES; do examples+=("$root/examples/$e/$e.strat"); done
else
    mapfile -t examples < <(example_mains)
fi

checks=0
for f in "${examples[@]}"; do
    dir=$(dirname "$f")
    file=$(basename "$f")
    ex=$(basename "$dir")
    service=$( (cd "$dir" && LC_ALL=C "$bin" decide --format csv --today "$today" "$file" 2>/dev/null) |
              sed -n '2p' | cut -d, -f2)
    cmds=("check --format json" "decide --format table" "decide --format json"
          "decide --format csv" "decide --format md" "test"
          "sensitivity --runs 40 --seed 3 --format json")
    [ -n "$service" ] && cmds+=("explain @ $service")
    for c in "${cmds[@]}"; do
        # shellcheck disable=SC2206
        words=($c)
        args=()
        for w in "${words[@]}"; do
            if [ "$w" = @ ]; then args+=("$file"); else args+=("$w"); fi
        done
        [[ "$c" == *@* ]] || args+=("$file")
        args=("${args[0]}" --today "$today" --color never --jit off "${args[@]:1}")
        ref=$tmp/ref
        run ref "$dir" "$ref" "${args[@]}"
        if grep -aqE 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$ref.err"; then
            bad "$ex $c: sanitizer report" "$(head -5 "$ref.err")"
            continue
        fi
        variants=(again tz env)
        [ -n "$locpath" ] && variants+=(locale)
        [[ "$c" == decide* || "$c" == sensitivity* ]] && variants+=(jit)
        for v in "${variants[@]}"; do
            o=$tmp/var
            if [ "$v" = jit ]; then
                jargs=("${args[@]}")
                for i in "${!jargs[@]}"; do [ "${jargs[$i]}" = off ] && jargs[$i]=on; done
                run ref "$dir" "$o" "${jargs[@]}"
            else
                run "$v" "$dir" "$o" "${args[@]}"
            fi
            checks=$((checks + 1))
            if same "$ref" "$o"; then ok; else bad "$ex $c: differs under $v" "$(show_diff "$ref" "$o")"; fi
        done
    done

    # file order: the main file and the files it imports (relative, not
    # std/), named in both orders
    mapfile -t imps < <(sed -n 's/^import "\([^"]*\)".*/\1/p' "$f" | grep -v '^std/' | sed 's/$/.strat/')
    if [ ${#imps[@]} -ge 2 ]; then
        fwd=("${imps[@]}" "$file")
        rev=()
        for ((i = ${#imps[@]} - 1; i >= 0; i--)); do rev+=("${imps[$i]}"); done
        rev+=("$file")
        for fmt in table json; do
            run ref "$dir" "$tmp/a" decide --today "$today" --jit off --format "$fmt" "${fwd[@]}"
            run ref "$dir" "$tmp/b" decide --today "$today" --jit off --format "$fmt" "${rev[@]}"
            checks=$((checks + 1))
            if same "$tmp/a" "$tmp/b"; then ok; else
                bad "$ex decide --format $fmt: ${fwd[*]} vs ${rev[*]} differ" "$(show_diff "$tmp/a" "$tmp/b")"
            fi
        done
        run ref "$dir" "$tmp/a" check --format json --today "$today" "${fwd[@]}"
        run ref "$dir" "$tmp/b" check --format json --today "$today" "${rev[@]}"
        checks=$((checks + 1))
        if same "$tmp/a" "$tmp/b"; then ok; else
            bad "$ex check: ${fwd[*]} vs ${rev[*]} differ" "$(show_diff "$tmp/a" "$tmp/b")"
        fi
    fi

    # no --today: "today" is the UTC date, whatever TZ says
    run ref "$dir" "$tmp/a" test --color never "$file"
    run tz "$dir" "$tmp/b" test --color never "$file"
    checks=$((checks + 1))
    if same "$tmp/a" "$tmp/b"; then ok; else
        bad "$ex test without --today: differs between TZ=UTC and TZ=$kiritimati" "$(show_diff "$tmp/a" "$tmp/b")"
    fi
done

# ---- two files, neither importing the other ------------------------------------------
two=$root/tests/reliability/twofile
for c in "decide --format table" "decide --format json" "decide --format csv" "check --format json" "test"; do
    # shellcheck disable=SC2206
    words=($c)
    run ref "$two" "$tmp/a" "${words[0]}" --today "$today" --jit off "${words[@]:1}" portfolio.strat services.strat
    run ref "$two" "$tmp/b" "${words[0]}" --today "$today" --jit off "${words[@]:1}" services.strat portfolio.strat
    checks=$((checks + 1))
    if [ "$(cat "$tmp/a.code")" -ge 2 ]; then
        bad "twofile $c: exit $(cat "$tmp/a.code")" "$(head -5 "$tmp/a.err")"
    elif same "$tmp/a" "$tmp/b"; then
        ok
    else
        bad "twofile $c: portfolio.strat services.strat vs services.strat portfolio.strat differ" \
            "$(show_diff "$tmp/a" "$tmp/b")"
    fi
done

echo "determinism: $checks comparisons"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
