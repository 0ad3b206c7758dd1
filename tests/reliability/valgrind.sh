#!/usr/bin/env bash
# valgrind.sh BIN — the golden CLI cases under valgrind: no invalid read or
# write, no use of uninitialised memory, no definite leak.
#
#   bash tests/reliability/valgrind.sh build/strat      (or: make valgrind)
#
# Runs every golden case (tests/golden/**/NAME.exit, with NAME.args, exactly
# as tests/golden/run.sh does) under
#   valgrind --error-exitcode=99 --leak-check=full
#            --errors-for-leak-kinds=definite
#            --suppressions=tests/reliability/valgrind.supp
# and checks that valgrind found nothing (exit 99 or a report) and that the
# case still exits as its .exit file says.  Use a build without ASan (ASan
# and valgrind do not mix).  The golden cases mostly use the interpreter;
# what libgccjit keeps for the life of the process is suppressed in
# valgrind.supp (the same property tests/lsan.supp records for ASan).
# One more run, retail decided with --jit on, covers the JIT path
# (VALGRIND_JIT=0 leaves it out).  VALGRIND_JOBS=N runs N cases at once
# (default: the number of CPUs).
# Prints `N passed, M failed` last; exit 1 on any failure, 2 when valgrind
# is missing.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=$(realpath "${1:-$root/build/strat}")
if ! command -v valgrind >/dev/null 2>&1; then
    echo "valgrind: not installed (apt-get install valgrind)"
    exit 2
fi
if grep -q __asan_init "$bin" 2>/dev/null; then
    echo "valgrind: $bin is an ASan build; give a plain build (make)"
    exit 2
fi
export STRAT_STDLIB=${STRAT_STDLIB:-$root/stdlib}
export LC_ALL=C TZ=UTC
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export XDG_CACHE_HOME=$tmp/cache
supp=$root/tests/reliability/valgrind.supp
jobs=${VALGRIND_JOBS:-$(nproc 2>/dev/null || echo 2)}

# one case: writes $tmp/results/ID as "ok NAME" or "FAIL NAME ..." plus the log
run_case() {
    local exitfile=$1 id=$2 dir name src args last code want
    dir=$(dirname "$exitfile")
    name=$(basename "$exitfile" .exit)
    src="$name.strat"
    [ -f "$dir/$src" ] || src="$name"
    args="check"
    [ -f "$dir/$name.args" ] && args=$(cat "$dir/$name.args")
    case "$args" in
        *"{}"*) args="${args//\{\}/$src}"; last="" ;;
        *) last="$src" ;;
    esac
    local log=$tmp/logs/$id
    # shellcheck disable=SC2086
    (cd "$dir" && valgrind -q --error-exitcode=99 --leak-check=full \
        --errors-for-leak-kinds=definite --show-leak-kinds=definite \
        --suppressions="$supp" --log-file="$log" \
        "$bin" $args --today 2027-01-15 --color never $last >/dev/null 2>&1 </dev/null)
    code=$?
    want=$(cat "$exitfile")
    local rel=${dir#"$root"/tests/golden/}/$name
    if [ "$code" = 99 ] || grep -q '^==[0-9]*== [A-Z]' "$log" 2>/dev/null; then
        echo "FAIL $rel: valgrind errors (exit $code)" >"$tmp/results/$id"
    elif [ "$code" != "$want" ]; then
        echo "FAIL $rel: exit $code under valgrind, want $want" >"$tmp/results/$id"
    else
        echo "ok $rel" >"$tmp/results/$id"
    fi
}

# one run through the JIT as well (slow under valgrind: about 40 s)
run_jit() {
    local id=$1 log=$tmp/logs/$1 code
    (cd "$root/examples/retail" && valgrind -q --error-exitcode=99 --leak-check=full \
        --errors-for-leak-kinds=definite --show-leak-kinds=definite \
        --suppressions="$supp" --log-file="$log" \
        "$bin" decide --jit on --no-cache --today 2027-01-15 retail.strat >/dev/null 2>&1 </dev/null)
    code=$?
    if [ "$code" = 99 ] || grep -q '^==[0-9]*== [A-Z]' "$log" 2>/dev/null; then
        echo "FAIL examples/retail decide --jit on: valgrind errors (exit $code)" >"$tmp/results/$id"
    elif [ "$code" != 0 ]; then
        echo "FAIL examples/retail decide --jit on: exit $code" >"$tmp/results/$id"
    else
        echo "ok jit" >"$tmp/results/$id"
    fi
}

mkdir -p "$tmp/logs" "$tmp/results"
mapfile -d '' cases < <(find "$root/tests/golden" -name '*.exit' -print0 | sort -z)
i=1
[ "${VALGRIND_JIT:-1}" = 1 ] && run_jit 1 &
for c in "${cases[@]}"; do
    i=$((i + 1))
    run_case "$c" "$i" &
    # at most $jobs at once
    while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n 2>/dev/null || sleep 0.1; done
done
wait

pass=0
fail=0
for ((j = 1; j <= i; j++)); do
    [ $j = 1 ] && [ "${VALGRIND_JIT:-1}" != 1 ] && continue
    r=$(cat "$tmp/results/$j" 2>/dev/null || echo "FAIL case $j: no result")
    case $r in
        ok*) pass=$((pass + 1)) ;;
        *)
            fail=$((fail + 1))
            echo "$r"
            grep -v '^==[0-9]*== *$' "$tmp/logs/$j" 2>/dev/null | head -25 | sed 's/^/    /'
            ;;
    esac
done
echo "valgrind: ${#cases[@]} golden cases$([ "${VALGRIND_JIT:-1}" = 1 ] && echo ' and one JIT run')"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
