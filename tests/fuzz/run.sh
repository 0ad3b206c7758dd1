#!/usr/bin/env bash
# run.sh SECONDS [TARGET...] — build the libFuzzer targets and fuzz each one.
#
#   bash tests/fuzz/run.sh 600                 # 10 minutes split across targets
#   bash tests/fuzz/run.sh 60 fuzz_csv         # one target only
#   make fuzz FUZZ_SECONDS=600                 # the same through make
#
# Also links build/fuzz/strat, the command line on the same ASan+UBSan
# objects (tests/reliability_test.sh sweeps allocation failures with it).
# Targets (tests/fuzz/*.c): fuzz_fmt (bytes -> strat_format twice, in
# memory: formatting must be idempotent), fuzz_parse (bytes -> strat_load), fuzz_check
# (strat_load + strat_check, which scores and decides, then every emitter,
# `explain` of each service and the HTML report),
# fuzz_csv (a fixed strategy loading the input as its CSV inventory),
# fuzz_explain (a strategy decided by the interpreter and by the JIT:
# `explain` of each service and the HTML report must be the same bytes),
# fuzz_lsp (bytes -> the message loop of `strat lsp`, read in pieces;
# seeded with the byte streams of tests/lsp/*.script).
# Each is compiled with clang -fsanitize=fuzzer,address,undefined against the
# library sources (interpreter only, but for fuzz_explain's second run) into
# build/fuzz/ (FUZZ_DIR overrides), seeded from examples/ and tests/golden/
# and run for SECONDS / number-of-targets with
#   -max_len=4096 -timeout=10 -rss_limit_mb=2048 -dict=tests/fuzz/strat.dict
# The corpus grows in build/fuzz/corpus/TARGET across runs; a crash, leak,
# timeout or out-of-memory leaves its input in build/fuzz/artifacts/ and
# makes this script fail.  Reproduce one with
#   build/fuzz/fuzz_check build/fuzz/artifacts/fuzz_check-crash-...
# or turn it into a tests/bad/ case (see tests/bad/README.md).
#
# Needs clang and libFuzzer (Debian: clang, libclang-rt-14-dev; `make
# test-deps` installs them); without them it says so and exits 3.
# Exit status: 0 no crash, 1 a target crashed or did not build, 3 no
# toolchain (the caller may treat it as a skip).  Prints per target the
# executions and the coverage reached, and `fuzz: N execs, M crashes` last.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
secs=${1:-60}
shift || true
targets=("$@")
all_targets=(fuzz_parse fuzz_check fuzz_csv fuzz_fmt fuzz_explain fuzz_lsp)
[ ${#targets[@]} = 0 ] && targets=("${all_targets[@]}")
out=${FUZZ_DIR:-$root/build/fuzz}
case "$secs" in ''|*[!0-9]*) echo "usage: run.sh SECONDS [TARGET...]" >&2; exit 2 ;; esac

CLANG=${CLANG:-}
find_clang() {
    for c in "$CLANG" clang clang-16 clang-15 clang-14; do
        [ -n "$c" ] && command -v "$c" >/dev/null 2>&1 || continue
        # libFuzzer is in the compiler-rt package, not in clang itself
        if echo 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n){(void)d;(void)n;return 0;}' |
            "$c" -x c -fsanitize=fuzzer -o /dev/null - 2>/dev/null; then
            CLANG=$c
            return 0
        fi
    done
    return 1
}
if ! find_clang; then
    echo "fuzz: SKIP: no clang with libFuzzer (make test-deps, or apt-get install" \
         "clang libclang-rt-14-dev)"
    exit 3
fi

# ---- build (skipped when no source changed since the last build) ---------
mkdir -p "$out/obj" "$out/gen" "$out/artifacts" "$out/seeds" "$out/corpus"
# shellcheck disable=SC2054  # the commas belong to one flag
SAN=(-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
CFLAGS=(-std=c11 -D_GNU_SOURCE -g -O1 -ffp-contract=off -w -Iinclude -Isrc "-I$out/gen"
        -idirafter /usr/lib/gcc/x86_64-linux-gnu/12/include
        "-DSTRAT_STDLIB_DIR=\"$root/stdlib\"" "-DFUZZ_STDLIB_DIR=\"$root/stdlib\"")
stamp=$( (cd "$root" && cat grammar/strat.y grammar/strat.l src/*.c src/*.h src/*.def \
          src/cli/*.c src/cli/*.h src/lsp/*.c src/lsp/*.h include/strat/*.h tests/fuzz/*.c tests/fuzz/*.h; echo "$CLANG ${CFLAGS[*]}") |
        sha256sum | cut -c1-16)
if [ "$(cat "$out/stamp" 2>/dev/null)" != "$stamp" ] ||
   [ ! -x "$out/fuzz_explain" ] || [ ! -x "$out/strat" ]; then
    echo "fuzz: building with $CLANG into $out"
    rm -f "$out/stamp" "$out"/obj/*.o "$out"/obj/cli/*.o "$out"/obj/lsp/*.o
    (cd "$root" &&
        bison -Wnone --defines="$out/gen/strat.tab.h" -o "$out/gen/strat.tab.c" grammar/strat.y &&
        flex -o "$out/gen/lex.yy.c" grammar/strat.l) || { echo "fuzz: FAIL: bison/flex"; exit 1; }
    srcs=("$root"/src/*.c "$out/gen/strat.tab.c" "$out/gen/lex.yy.c")
    # two compilers at a time
    pids=()
    for s in "${srcs[@]}"; do
        o="$out/obj/$(basename "$s" .c).o"
        (cd "$root" && "$CLANG" "${CFLAGS[@]}" "${SAN[@]}" -fsanitize=fuzzer-no-link -c -o "$o" "$s") &
        pids+=($!)
        if [ ${#pids[@]} -ge 2 ]; then wait "${pids[0]}" || { echo "fuzz: FAIL: compile"; exit 1; }; pids=("${pids[@]:1}"); fi
    done
    for p in "${pids[@]}"; do wait "$p" || { echo "fuzz: FAIL: compile"; exit 1; }; done
    # the language server: part of the command, not of the library
    mkdir -p "$out/obj/lsp"
    for s in "$root"/src/lsp/*.c; do
        (cd "$root" && "$CLANG" "${CFLAGS[@]}" "${SAN[@]}" -fsanitize=fuzzer-no-link \
            -c -o "$out/obj/lsp/$(basename "$s" .c).o" "$s") ||
            { echo "fuzz: FAIL: compile $s"; exit 1; }
    done
    for t in "${all_targets[@]}"; do
        (cd "$root" && "$CLANG" "${CFLAGS[@]}" -Isrc/lsp "${SAN[@]}" -fsanitize=fuzzer -o "$out/$t" \
            "tests/fuzz/$t.c" "$out"/obj/*.o "$out"/obj/lsp/*.o -lgccjit -lnettle -lm -ldl -lpthread) ||
            { echo "fuzz: FAIL: link $t"; exit 1; }
    done
    # the command line on the same objects: an ASan+UBSan `strat` that
    # tests/reliability_test.sh uses for the allocation sweep when
    # build/asan/strat is missing or older than the sources
    mkdir -p "$out/obj/cli"
    for s in "$root"/src/cli/*.c; do
        (cd "$root" && "$CLANG" "${CFLAGS[@]}" -Isrc/cli -Isrc/lsp "${SAN[@]}" -c -o "$out/obj/cli/$(basename "$s" .c).o" "$s") ||
            { echo "fuzz: FAIL: compile $s"; exit 1; }
    done
    (cd "$root" && "$CLANG" "${SAN[@]}" -o "$out/strat" "$out"/obj/cli/*.o "$out"/obj/lsp/*.o "$out"/obj/*.o \
        -lgccjit -lnettle -lm -ldl -lpthread) || { echo "fuzz: FAIL: link strat"; exit 1; }
    echo "$stamp" >"$out/stamp"
fi

# ---- seeds ----------------------------------------------------------------
for t in "${all_targets[@]}"; do
    rm -rf "$out/seeds/$t"
    mkdir -p "$out/seeds/$t" "$out/corpus/$t"
done
i=0
while IFS= read -r -d '' f; do
    i=$((i + 1))
    cp "$f" "$out/seeds/fuzz_parse/$i-$(basename "$f")"
    cp "$f" "$out/seeds/fuzz_check/$i-$(basename "$f")"
    cp "$f" "$out/seeds/fuzz_fmt/$i-$(basename "$f")"
    cp "$f" "$out/seeds/fuzz_explain/$i-$(basename "$f")"
done < <(find "$root/examples" "$root/tests/golden" -name '*.strat' -type f -print0 2>/dev/null)
while IFS= read -r -d '' f; do
    i=$((i + 1))
    cp "$f" "$out/seeds/fuzz_csv/$i-$(basename "$f")"
done < <(find "$root/examples" "$root/tests/golden" -name '*.csv' -type f -print0 2>/dev/null)
# fuzz_lsp: what each scripted client sends, as one stream (a first byte
# of 0xff: reads of up to 256 bytes); the 64 MiB message is left out
for f in "$root"/tests/lsp/*.script; do
    [ -f "$f" ] || continue
    python3 "$root/tests/lsp/client.py" --stream "$f" \
        >"$out/seeds/fuzz_lsp/$(basename "$f" .script)" 2>/dev/null ||
        rm -f "$out/seeds/fuzz_lsp/$(basename "$f" .script)"
done
# not tests/bad/: a seed that crashes stops libFuzzer before it starts, and
# tests/bad_test.sh runs those cases anyway

# ---- run --------------------------------------------------------------------
per=$((secs / ${#targets[@]}))
[ "$per" -lt 1 ] && per=1
total_execs=0
crashes=0
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
# libgccjit (fuzz_explain's second run) keeps memory it never frees
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$root/tests/lsan.supp:print_suppressions=0}
for t in "${targets[@]}"; do
    if [ ! -x "$out/$t" ]; then
        echo "fuzz: FAIL: no target $t"
        crashes=$((crashes + 1))
        continue
    fi
    log="$out/$t.log"
    before=$(ls "$out/artifacts" | wc -l)
    (cd "$out" && "./$t" -max_len=4096 -timeout=10 -rss_limit_mb=2048 \
        -max_total_time="$per" -print_final_stats=1 -use_value_profile=1 \
        -dict="$root/tests/fuzz/strat.dict" -artifact_prefix="$out/artifacts/$t-" \
        "$out/corpus/$t" "$out/seeds/$t") >"$log" 2>&1
    rc=$?
    execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
    cov=$(grep -oE '(cov|ft): [0-9]+' "$log" | tail -2 | tr '\n' ' ')
    total_execs=$((total_execs + ${execs:-0}))
    after=$(ls "$out/artifacts" | wc -l)
    if [ "$rc" != 0 ] || [ "$after" != "$before" ]; then
        crashes=$((crashes + 1))
        echo "FAIL $t: exit $rc after ${execs:-?} execs; log $log"
        grep -E 'ERROR:|runtime error|SUMMARY|Test unit written|#[0-9]+ 0x' "$log" | head -30 | sed 's/^/    /'
    else
        echo "ok   $t: ${execs:-?} execs in ${per}s, $cov, corpus $(ls "$out/corpus/$t" | wc -l) files"
    fi
done
echo "fuzz: $total_execs execs, $crashes crashes"
[ "$crashes" = 0 ]
