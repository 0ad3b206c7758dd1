#!/usr/bin/env bash
# bench/run.sh — strat's performance comparison (`make bench`).
#
#   bash bench/run.sh build/strat
#   SECTIONS=analyst bash bench/run.sh build/strat      # one section only
#
# In one run: installs the peer tools if missing (gawk, mawk, sqlite3,
# luajit, GNU time), builds bench/gen.c and bench/ref.c into build/bench/,
# then runs these sections (all of them unless SECTIONS names some):
#
# portfolio    for each size, generates services.csv (with portfolio.strat
#              next to it) and runs, round-robin, REPS times each:
#   strat-jit-cold   strat decide --jit on, a fresh, empty JIT cache each run
#   strat-jit-warm   strat decide --jit on, the compiled code from the cache
#   strat-interp     strat decide --jit off
#   ref.c            bench/ref.c: the same formulas by hand in C, strtod CSV
#   gawk, mawk       bench/decide.awk
#   sqlite3          bench/decide.sql: .import into REAL columns, one SELECT
#   luajit           bench/decide.lua, reading the CSV line by line
#              checks that every runner gives identical decision counts
#              (exit 1 if not), and prints median wall times, ratios, peak
#              RSS, the kernel-only comparison and memory against the raw
#              columnar data; then the targets at 1M (with frontend's MB/s)
# crossover    the --jit=auto crossover (small sizes, JIT against interpreter)
# sensitivity  strat sensitivity with and without the JIT
# frontend     the .strat front end's MB/s
# analyst      the analyst's job (bench/analyst.sh): per-service CSV and
#              JSON output of a CMDB export (bench/gen_cmdb.c) through
#              bench/analyst.strat, with and without `import "std/itil"`,
#              against DuckDB (npm @duckdb/node-api, installed into a cache
#              directory; skipped with a message when npm cannot get it),
#              the C floor (bench/ref_out.c) and mawk (bench/analyst.awk);
#              every output checked equal by bench/outcheck.c before its
#              time counts; targets printed met or MISSED
# lsp          the language server's latency, didChange -> publishDiagnostics,
#              on a generated 10k-service strategy in 21 files and on
#              examples/bank (bench/lsp_latency.py; LSP_EDITS=21 edits each)
# sql          bench/sql.sh: strat decide against strat sql's query in DuckDB
#              (SQL_SIZES, default 10M services; docs/sql.md)
# See docs/performance.md.
#
# Environment:
#   REPS=3          repetitions per runner (the median is reported)
#   FULL=1          also 10M services (portfolio and analyst)
#   SECTIONS="..."  the sections to run, from: portfolio crossover
#                   sensitivity frontend analyst lsp sql (default: all seven)
#   SIZES="..."     override the sizes (default 10000 100000 1000000); the
#                   analyst section takes them too unless ANALYST_SIZES is set
#   ANALYST_SIZES   the analyst section's sizes (default 1000000, and
#                   10000000 with FULL=1)
#   ANALYST_REPS_LARGE   the analyst section's repetitions at 10M services
#                   and more (default REPS)
#   BENCH_DATA_DIR  where the analyst section keeps its generated CSVs
#                   (build/bench/data; made once per size)
#   BENCH_NPM_DIR   where @duckdb/node-api is installed (build/bench/npm)
#   DUCKDB_NPM_VERSION   the version installed (1.5.6-r.1)
#   CROSS_SIZES     sizes for the --jit=auto crossover
#                   (1000 5000 10000 20000 50000 100000)
#   CROSS_REPS=7    repetitions for the crossover
#   FE_MB=20        size of the generated .strat file for the front-end MB/s
#   SENS_N=100000 SENS_RUNS=20   the sensitivity section's portfolio and runs
#
# A quick check that the analyst section works (a few seconds):
#   SIZES=1000 REPS=1 SECTIONS=analyst bash bench/run.sh build/strat
# shellcheck disable=SC2086,SC2017  # value lists split into words on purpose; integer rounding
set -u
set -o pipefail
export LC_ALL=C

if [ $# -lt 1 ]; then
    echo "usage: bash bench/run.sh path/to/strat" >&2
    exit 2
fi
STRAT=$(realpath "$1")
if [ ! -x "$STRAT" ]; then
    echo "bench: $1 is not an executable (run make first)" >&2
    exit 2
fi
BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUT=$(dirname "$STRAT")/bench
REPS=${REPS:-3}
FULL=${FULL:-0}
ALL_SECTIONS="portfolio crossover sensitivity frontend analyst lsp sql"
SECTIONS=${SECTIONS:-$ALL_SECTIONS}
for s in $SECTIONS; do
    case " $ALL_SECTIONS " in
    *" $s "*) ;;
    *)
        echo "bench: unknown section '$s' in SECTIONS (known: $ALL_SECTIONS)" >&2
        exit 2
        ;;
    esac
done
# want SECTION: whether SECTIONS names it
want() { case " $SECTIONS " in *" $1 "*) return 0 ;; esac; return 1; }
if [ -z "${ANALYST_SIZES:-}" ]; then
    if [ -n "${SIZES:-}" ]; then
        ANALYST_SIZES=$SIZES
    else
        ANALYST_SIZES=1000000
        [ "$FULL" = 1 ] && ANALYST_SIZES="$ANALYST_SIZES 10000000"
    fi
fi
if [ -z "${SIZES:-}" ]; then
    SIZES="10000 100000 1000000"
    [ "$FULL" = 1 ] && SIZES="$SIZES 10000000"
fi
CROSS_SIZES=${CROSS_SIZES:-"1000 5000 10000 20000 50000 100000"}
CROSS_REPS=${CROSS_REPS:-7}
FE_MB=${FE_MB:-20}

TMP=$(mktemp -d "${TMPDIR:-/tmp}/strat-bench.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
# a snapshot of the binary, so a rebuild during the run cannot change it
cp "$STRAT" "$TMP/strat" || exit 2
STRAT_SRC=$STRAT
STRAT=$TMP/strat
# the copy finds no stdlib next to itself: give it a copy of the one the
# binary would find (strat's own rule, src/cli/main.c), unless set already
if [ -z "${STRAT_STDLIB:-}" ]; then
    for rel in ../share/strat/stdlib ../stdlib ../../stdlib; do
        if [ -r "$(dirname "$STRAT_SRC")/$rel/std/itil.strat" ]; then
            cp -r "$(dirname "$STRAT_SRC")/$rel" "$TMP/stdlib" || exit 2
            export STRAT_STDLIB=$TMP/stdlib
            break
        fi
    done
fi
FAIL=0
BENCH_T0=$EPOCHREALTIME

# ---- 1. peer tools ------------------------------------------------------------

have_tool() {
    case $1 in
    time) [ -x /usr/bin/time ] && /usr/bin/time -f %M true >/dev/null 2>&1 ;;
    *) command -v "$1" >/dev/null 2>&1 ;;
    esac
}

install_peers() {
    local missing=() t
    local needed=(time)
    want portfolio && needed+=(gawk mawk sqlite3 luajit)
    want analyst && needed+=(mawk)
    for t in "${needed[@]}"; do
        have_tool "$t" || missing+=("$t")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    echo "== installing missing peer tools: ${missing[*]}"
    if ! command -v apt-get >/dev/null 2>&1; then
        echo "bench: apt-get not found; cannot install ${missing[*]}"
        return 0
    fi
    local sudo=()
    if [ "$(id -u)" != 0 ]; then
        if ! command -v sudo >/dev/null 2>&1; then
            echo "bench: not root and no sudo; cannot install ${missing[*]}"
            return 0
        fi
        if [ -t 0 ]; then sudo=(sudo); else sudo=(sudo -n); fi
    fi
    export DEBIAN_FRONTEND=noninteractive
    if ! "${sudo[@]}" apt-get install -y -qq "${missing[@]}" >"$TMP/apt.log" 2>&1; then
        "${sudo[@]}" apt-get update -qq >>"$TMP/apt.log" 2>&1
        for t in "${missing[@]}"; do
            "${sudo[@]}" apt-get install -y -qq "$t" >>"$TMP/apt.log" 2>&1 ||
                echo "bench: could not install $t (see apt-get output below)"
        done
    fi
    for t in "${missing[@]}"; do
        have_tool "$t" || { echo "bench: $t still missing:"; tail -n 3 "$TMP/apt.log"; }
    done
}
install_peers

RUNNERS=(strat-jit-cold strat-jit-warm strat-interp ref.c)
for t in gawk mawk sqlite3 luajit; do
    if have_tool "$t"; then
        RUNNERS+=("$t")
    elif want portfolio; then
        echo "bench: $t is not installed; skipping the $t runner"
    fi
done
GNU_TIME=0
if have_tool time; then
    GNU_TIME=1
else
    echo "bench: GNU time (/usr/bin/time) is not installed; peak RSS not measured"
fi

# ---- 2. build the generator and the C baseline ------------------------------------

mkdir -p "$OUT"
CC=${CC:-cc}
echo "== building $OUT/gen and $OUT/ref"
"$CC" -std=c11 -O2 -o "$OUT/gen" "$BENCH/gen.c" || exit 2
"$CC" -std=c11 -O2 -ffp-contract=off -pthread -o "$OUT/ref" "$BENCH/ref.c" || exit 2
if want analyst; then
    echo "== building $OUT/gen_cmdb, $OUT/ref_out, $OUT/ref_out_printf and $OUT/outcheck"
    "$CC" -std=c11 -O2 -o "$OUT/gen_cmdb" "$BENCH/gen_cmdb.c" || exit 2
    "$CC" -std=c11 -O2 -o "$OUT/outcheck" "$BENCH/outcheck.c" || exit 2
    "$CC" -std=c11 -O2 -ffp-contract=off -o "$OUT/ref_out_printf" "$BENCH/ref_out.c" || exit 2
    # the floor writes scores with strat's own formatter (src/dtoa.c, which
    # needs nothing else from src/), so that its bytes are strat's
    REF_OUT_DTOA=1
    if ! "$CC" -std=c11 -O2 -ffp-contract=off -DREF_DTOA -I"$BENCH/../src" -o "$OUT/ref_out" \
        "$BENCH/ref_out.c" "$BENCH/../src/dtoa.c" 2>"$TMP/ref_out.log"; then
        echo "bench: cannot build ref_out with src/dtoa.c (below); the C floor prints %.17g instead"
        head -n 5 "$TMP/ref_out.log"
        cp "$OUT/ref_out_printf" "$OUT/ref_out" || exit 2
        REF_OUT_DTOA=0
    fi
fi

# ---- helpers ------------------------------------------------------------------------

# timed OUTFILE ERRFILE CMD...: run CMD (stdin from /dev/null); sets WALL (ms),
# RSS (KB, or "n/a") and RC
timed() {
    local out=$1 err=$2
    shift 2
    local t0 t1
    t0=$EPOCHREALTIME
    if [ "$GNU_TIME" = 1 ]; then
        /usr/bin/time -f '%U %S %M' -o "$TMP/rss" "$@" >"$out" 2>"$err" </dev/null
        RC=$?
    else
        "$@" >"$out" 2>"$err" </dev/null
        RC=$?
    fi
    t1=$EPOCHREALTIME
    WALL=$(awk -v a="${t0/./}" -v b="${t1/./}" 'BEGIN { printf "%.1f", (b - a) / 1000 }')
    if [ "$GNU_TIME" = 1 ]; then
        # user and system CPU seconds, peak RSS kB (the last line: a
        # killed child's line comes after a message)
        RSS=$(tail -n 1 "$TMP/rss" | awk '{ print $3 }')
        CPU=$(tail -n 1 "$TMP/rss" | awk '{ if (NF == 3) printf "%.0f", ($1 + $2) * 1000 }')
        case $RSS in '' | *[!0-9]*) RSS=n/a ;; esac
        case $CPU in '' | *[!0-9]*) CPU=n/a ;; esac
    else
        RSS=n/a
        CPU=n/a
    fi
}

# run_runner NAME DIR: one run of a runner in DIR (which holds services.csv and
# portfolio.strat); output in $TMP/out, $TMP/err
run_runner() {
    local name=$1 dir=$2 cache
    pushd "$dir" >/dev/null || exit 2
    case $name in
    strat-jit-cold)
        cache=$(mktemp -d "$TMP/cache.XXXXXX")
        XDG_CACHE_HOME=$cache timed "$TMP/out" "$TMP/err" \
            "$STRAT" decide --format summary --verbose --jit on portfolio.strat
        rm -rf "$cache"
        ;;
    strat-jit-warm)
        XDG_CACHE_HOME=$WARM_CACHE timed "$TMP/out" "$TMP/err" \
            "$STRAT" decide --format summary --verbose --jit on portfolio.strat
        ;;
    strat-interp)
        XDG_CACHE_HOME=$WARM_CACHE timed "$TMP/out" "$TMP/err" \
            "$STRAT" decide --format summary --verbose --jit off portfolio.strat
        ;;
    ref.c) timed "$TMP/out" "$TMP/err" "$OUT/ref" services.csv ;;
    gawk) timed "$TMP/out" "$TMP/err" gawk -F, -f "$BENCH/decide.awk" services.csv ;;
    mawk) timed "$TMP/out" "$TMP/err" mawk -F, -f "$BENCH/decide.awk" services.csv ;;
    sqlite3) timed "$TMP/out" "$TMP/err" sqlite3 -batch :memory: ".read $BENCH/decide.sql" ;;
    luajit) timed "$TMP/out" "$TMP/err" luajit "$BENCH/decide.lua" services.csv ;;
    esac
    popd >/dev/null || exit 2
}

# canonical decision counts of a runner's stdout
canon() {
    awk '!/^#/ && NF == 2 { c[$1] = $2 }
         END { printf "invest=%d enhance=%d migrate=%d retire=%d experiment=%d tolerate=%d",
                      c["invest"], c["enhance"], c["migrate"], c["retire"],
                      c["experiment"], c["tolerate"] }' "$1"
}

# the compiled kernel's own time from --verbose ("strat: jit: kernel 13.2 ms ...")
kernel_ms() {
    awk '/^strat: jit: kernel / { v = $4 } END { print v }' "$1"
}

# a stage time from strat's --verbose stderr: stage_ms FILE "score (jit)"
stage_ms() {
    awk -v s="$2" 'index($0, "strat: time: " s " ") == 1 { v = $(NF - 1) } END { print v }' "$1"
}

# median [-p DIGITS] VALUES...: the median, printed with DIGITS decimals (1)
median() {
    local digits=1
    if [ "${1:-}" = -p ]; then
        digits=$2
        shift 2
    fi
    printf '%s\n' "$@" | awk '$1 != "" && $1 != "n/a"' | sort -g |
        awk -v d="$digits" '{ a[NR] = $1 }
             END { if (NR == 0) { print "n/a"; exit }
                   m = NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2
                   printf "%." d "f\n", m }'
}

# ratio A B [FMT]: A / B, "n/a" when either is missing
ratio() {
    awk -v a="$1" -v b="$2" -v f="${3:-%.2f}" 'BEGIN {
        if (a == "n/a" || b == "n/a" || a == "" || b == "" || b + 0 == 0) print "n/a";
        else printf f "\n", a / b }'
}

mb() { awk -v k="$1" 'BEGIN { if (k == "n/a" || k == "") print "n/a"; else printf "%.1f\n", k / 1024 }'; }

# met VALUE OP LIMIT: "met" or "MISSED"
met() {
    awk -v v="$1" -v op="$2" -v l="$3" 'BEGIN {
        if (v == "n/a" || v == "") { print "n/a"; exit }
        ok = op == "<=" ? v + 0 <= l + 0 : v + 0 >= l + 0
        print ok ? "met" : "MISSED" }'
}

human() {
    case $1 in
    10000000) echo 10M ;; 1000000) echo 1M ;; 100000) echo 100k ;; 10000) echo 10k ;;
    *) echo "$1" ;;
    esac
}

declare -A WALLS RSSES KERN COUNTS STAGES

# split_csv, MAX_SOURCE_MB: strat refuses a source file larger than that
. "$BENCH/split_csv.sh"


# shuffle_order REP NAME...: ORDER = the names, in the given order for
# repetition 1 and shuffled for each later one (a fixed-seed Fisher-Yates),
# so no runner always follows the same one: a 1M-row strat run right after
# another one is about 0.15 s faster than after a peer (the memory the last
# strat freed is ready to reuse), and a fixed order would hand that to one
# runner
shuffle_order() {
    local rep=$1 i j t seed
    shift
    ORDER=("$@")
    [ "$rep" -gt 1 ] || return 0
    seed=$((rep * 7919))
    for ((i = ${#ORDER[@]} - 1; i > 0; i--)); do
        seed=$(((seed * 1103515245 + 12345) % 2147483648))
        j=$((seed % (i + 1)))
        t=${ORDER[i]} ORDER[i]=${ORDER[j]} ORDER[j]=$t
    done
}

WARM_CACHE=$TMP/warm-cache
fe_rate=n/a

echo "== machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.1f GB RAM", $2 / 1048576 }' /proc/meminfo), $(uname -sr)"
echo "== $(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)"
echo "== load average at the start: $(cut -d' ' -f1-3 /proc/loadavg) (a shared machine: other jobs' load shows in every figure)"
echo "== $("$STRAT" --version 2>/dev/null | head -n 1) ($STRAT_SRC, run from a snapshot copy); REPS=$REPS; sections: $SECTIONS"

# ---- 3-6. the sizes -------------------------------------------------------------------

if want portfolio; then
    echo "== portfolio sizes: $SIZES"
    echo "== runners (repetition 1 in this order, later ones shuffled): ${RUNNERS[*]}"
    for n in $SIZES; do
        h=$(human "$n")
        dir=$TMP/n$n
        mkdir -p "$dir"
        cp "$BENCH/portfolio.strat" "$dir/"
        "$OUT/gen" "$n" >"$dir/services.csv" || exit 2
        csv_bytes=$(stat -c %s "$dir/services.csv")
        csv_mb=$(awk -v b="$csv_bytes" 'BEGIN { printf "%.1f", b / 1e6 }')
        echo
        echo "== $h services ($csv_mb MB of CSV)"
        if [ "$n" -gt 2000000 ]; then
            # gen.c's costs average ~450k: above ~2.2M services they add up to
            # more than portfolio.strat's budget of 1000B, an error (S0803) that
            # stops strat.  The budget does not enter any score or decision.
            budget=$(((n + 999999) / 1000000 * 1000))
            sed -i "s/^  budget  = 1000B$/  budget  = ${budget}B/" "$dir/portfolio.strat"
            echo "   (strat's copy of portfolio.strat has budget = ${budget}B: the generated costs exceed 1000B)"
        fi
        if [ "$csv_bytes" -gt $((MAX_SOURCE_MB << 20)) ]; then
            # strat reads no source file above 256 MiB (src/load.c): strat gets
            # the same rows split over several files, one `load` line each; the
            # other runners still read the single services.csv
            split_csv "$dir" services.csv portfolio.strat
        fi
        # the warm cache: compiled once, untimed
        (cd "$dir" && XDG_CACHE_HOME=$WARM_CACHE "$STRAT" decide --format summary --jit on \
            portfolio.strat >/dev/null 2>&1)
        for ((rep = 1; rep <= REPS; rep++)); do
            line="   rep $rep/$REPS:"
            shuffle_order "$rep" "${RUNNERS[@]}"
            for r in "${ORDER[@]}"; do
                run_runner "$r" "$dir"
                k="$n|$r"
                c=$(canon "$TMP/out")
                if [ "$RC" != 0 ]; then
                    echo "bench: $r failed at $h services (exit $RC):"
                    tail -n 5 "$TMP/err"
                    FAIL=1
                    c="FAILED(exit $RC)"
                    WALL=n/a RSS=n/a
                fi
                COUNTS[$k]="${COUNTS[$k]:-}${COUNTS[$k]:+;}$c"
                WALLS[$k]="${WALLS[$k]:-} $WALL"
                RSSES[$k]="${RSSES[$k]:-} $RSS"
                [ "$RC" = 0 ] && case $r in
                strat-jit-cold)
                    KERN[$k]="${KERN[$k]:-} $(stage_ms "$TMP/err" "score (jit)")" ;;
                strat-jit-warm)
                    KERN[$k]="${KERN[$k]:-} $(kernel_ms "$TMP/err")"
                    KERN[$k.stage]="${KERN[$k.stage]:-} $(stage_ms "$TMP/err" "score (jit)")"
                    NTHREADS=$(awk '/^strat: jit: kernel / { print $7 }' "$TMP/err")
                    ;;
                strat-interp)
                    KERN[$k]="${KERN[$k]:-} $(stage_ms "$TMP/err" "score (interpreter)")" ;;
                ref.c)
                    KERN[$k]="${KERN[$k]:-} $(awk '/^ref: time: kernel / { print $4 }' "$TMP/err")"
                    KERN[$k.mt]="${KERN[$k.mt]:-} $(awk '/^ref: time: kernel-mt / { print $4 }' "$TMP/err")"
                    ;;
                esac
                [ "$RC" = 0 ] && case $r in
                strat-*)
                    for s in parse csv check "score (jit)" "score (interpreter)" rank decide; do
                        v=$(stage_ms "$TMP/err" "$s")
                        [ -n "$v" ] && STAGES[$k|$s]="${STAGES[$k|$s]:-} $v"
                    done
                    ;;
                esac
                if [ "$RC" = 0 ]; then line="$line $r ${WALL}ms"; else line="$line $r FAILED"; fi
            done
            echo "$line"
        done
        # the compiled kernel on one thread, for the like-for-like ratio to
        # ref.c's one-thread kernel (not part of the round-robin: kernel only)
        for ((rep = 1; rep <= REPS; rep++)); do
            (cd "$dir" && XDG_CACHE_HOME=$WARM_CACHE "$STRAT" decide --format summary --verbose \
                --jit on --threads 1 portfolio.strat >/dev/null 2>"$TMP/err1")
            KERN[$n|jit1]="${KERN[$n|jit1]:-} $(kernel_ms "$TMP/err1")"
        done

        # 5. identical counts
        refc=${COUNTS[$n|ref.c]%%;*}
        for r in "${RUNNERS[@]}"; do
            IFS=';' read -r -a cs <<<"${COUNTS[$n|$r]}"
            for c in "${cs[@]}"; do
                if [ "$c" != "$refc" ]; then
                    echo "bench: MISMATCH at $h services:"
                    echo "   ref.c: $refc"
                    echo "   $r: $c"
                    FAIL=1
                    break
                fi
            done
        done
        echo "   decisions (all runners agree unless a MISMATCH is shown): $refc"

        # 6. the table
        ref_wall=$(median ${WALLS[$n|ref.c]})
        raw=$((n * 9 * 8 + n * 4 * 4))
        raw_mb=$(awk -v b="$raw" 'BEGIN { printf "%.1f", b / 1048576 }')
        echo
        printf '   %-15s %12s %9s %12s %10s\n' runner "wall ms" "x ref.c" "peak RSS MB" "RSS/raw"
        for r in "${RUNNERS[@]}"; do
            w=$(median ${WALLS[$n|$r]})
            rs=$(median ${RSSES[$n|$r]})
            rr=""
            case $r in strat-*) rr=$(ratio "$rs" "$((raw / 1024))" "%.1fx") ;; esac
            printf '   %-15s %12s %9s %12s %10s\n' "$r" "$w" "$(ratio "$w" "$ref_wall" "%.2fx")" \
                "$(mb "$rs")" "$rr"
        done
        echo "   raw columnar data: $n rows x (9 numeric x 8 B + 4 symbol x 4 B) = $raw_mb MB"

        kj=$(median ${KERN[$n|strat-jit-warm]})
        kj1=$(median ${KERN[$n|jit1]})
        kjs=$(median ${KERN[$n|strat-jit-warm.stage]})
        kjc=$(median ${KERN[$n|strat-jit-cold]})
        ki=$(median ${KERN[$n|strat-interp]})
        kc=$(median -p 3 ${KERN[$n|ref.c]})
        kcm=$(median -p 3 ${KERN[$n|ref.c.mt]})
        echo
        echo "   kernel only (scores + decisions; medians):"
        printf '   %-52s %10s ms\n' "strat JIT kernel, 1 thread (--threads 1)" "$kj1" \
            "strat JIT kernel, ${NTHREADS:-?} threads (the default here)" "$kj" \
            "strat score stage (jit), warm cache (kernel + setup)" "$kjs" \
            "strat score stage (jit), cold cache (incl. compile)" "$kjc" \
            "strat score stage (interpreter, 1 thread)" "$ki" \
            "ref.c kernel, 1 thread" "$kc" \
            "ref.c kernel, split over cores like the JIT" "$kcm"
        echo "   JIT/C kernel: 1 thread each $(ratio "$kj1" "$kc")x, ${NTHREADS:-?} threads each $(ratio "$kj" "$kcm")x" \
            "(target <= 1.25x: $(met "$(ratio "$kj1" "$kc")" "<=" 1.25) on one thread);"
        echo "   interpreter/JIT: $(ratio "$ki" "$kj" "%.1f")x against the default JIT," \
            "$(ratio "$ki" "$kj1" "%.1f")x against the JIT on 1 thread" \
            "(target >= 20x: $(met "$(ratio "$ki" "$kj")" ">=" 20) / $(met "$(ratio "$ki" "$kj1")" ">=" 20))"
        echo
        echo "   strat stage medians (ms, from --verbose):"
        printf '   %-15s' runner
        for s in parse csv check score rank decide; do printf ' %9s' "$s"; done
        echo
        for r in strat-jit-cold strat-jit-warm strat-interp; do
            printf '   %-15s' "$r"
            for s in parse csv check score rank decide; do
                if [ "$s" = score ]; then
                    [ "$r" = strat-interp ] && s="score (interpreter)" || s="score (jit)"
                fi
                printf ' %9s' "$(median ${STAGES[$n|$r|$s]:-})"
            done
            echo
        done
        rm -rf "$dir"
    done
fi

# ---- the --jit=auto crossover --------------------------------------------------------------
#
# strat --jit on (warm and cold cache) against --jit off at small sizes.  Wall
# times include process start and CSV loading, identical in both modes, so
# the table also shows the `decide` stage (strat_run_decide: scores, decide
# table, rank, rules), where the two modes differ; and the break-even is
# estimated from it: the JIT's fixed cost (loading or compiling the code)
# over the interpreter's extra cost per service.

if want crossover; then
    echo
    echo "== --jit=auto crossover: median over $CROSS_REPS runs: wall ms [decide stage ms]"
    printf '   %9s %21s %21s %21s   %-12s %s\n' services "jit on, warm cache" "jit on, cold cache" \
        "jit off" "fastest wall" "fastest decide stage"
    declare -A XD=()
    CROSS_DONE=""
    for n in $CROSS_SIZES; do
        dir=$TMP/x$n
        mkdir -p "$dir"
        cp "$BENCH/portfolio.strat" "$dir/"
        "$OUT/gen" "$n" >"$dir/services.csv" || exit 2
        (cd "$dir" && XDG_CACHE_HOME=$WARM_CACHE "$STRAT" decide --format summary --jit on \
            portfolio.strat >/dev/null 2>&1)
        declare -A XW=() XS=()
        xref=""
        for ((rep = 1; rep <= CROSS_REPS; rep++)); do
            for r in strat-jit-warm strat-jit-cold strat-interp; do
                run_runner "$r" "$dir"
                XW[$r]="${XW[$r]:-} $WALL"
                XS[$r]="${XS[$r]:-} $(stage_ms "$TMP/err" decide)"
                c=$(canon "$TMP/out")
                if [ "$RC" != 0 ]; then
                    echo "bench: $r failed at $n services (exit $RC)"
                    tail -n 5 "$TMP/err"
                    FAIL=1
                fi
                if [ -n "$xref" ] && [ "$c" != "$xref" ]; then
                    echo "bench: MISMATCH at $n services: $r: $c, strat-jit-warm: $xref"
                    FAIL=1
                fi
                [ -z "$xref" ] && xref=$c
            done
        done
        for r in strat-jit-warm strat-jit-cold strat-interp; do
            XD[$n|$r]=$(median -p 2 ${XS[$r]})
            XD[$n|$r|wall]=$(median ${XW[$r]})
        done
        fastest() {
            printf 'jit-warm %s\njit-cold %s\ninterpreter %s\n' "$1" "$2" "$3" |
                sort -g -k2 | head -n 1 | cut -d' ' -f1
        }
        printf '   %9s %11s [%7s] %11s [%7s] %11s [%7s]   %-12s %s\n' "$n" \
            "${XD[$n|strat-jit-warm|wall]}" "${XD[$n|strat-jit-warm]}" \
            "${XD[$n|strat-jit-cold|wall]}" "${XD[$n|strat-jit-cold]}" \
            "${XD[$n|strat-interp|wall]}" "${XD[$n|strat-interp]}" \
            "$(fastest "${XD[$n|strat-jit-warm|wall]}" "${XD[$n|strat-jit-cold|wall]}" "${XD[$n|strat-interp|wall]}")" \
            "$(fastest "${XD[$n|strat-jit-warm]}" "${XD[$n|strat-jit-cold]}" "${XD[$n|strat-interp]}")"
        CROSS_DONE="$CROSS_DONE $n"
        rm -rf "$dir"
        unset XW XS
    done
    # per-service costs from the largest size below 100000 (where the JIT starts
    # splitting rows over threads), fixed costs from the smallest
    small="" large=""
    for n in $CROSS_DONE; do
        [ -z "$small" ] && small=$n
        [ "$n" -lt 100000 ] && large=$n
    done
    if [ -n "$small" ] && [ -n "$large" ] && [ "$small" != "$large" ]; then
        awk -v s="$small" -v l="$large" \
            -v ws="${XD[$small|strat-jit-warm]}" -v cs="${XD[$small|strat-jit-cold]}" \
            -v is="${XD[$small|strat-interp]}" \
            -v wl="${XD[$large|strat-jit-warm]}" -v il="${XD[$large|strat-interp]}" 'BEGIN {
            jr = (wl - ws) / (l - s)            # JIT ms per service
            ir = (il - is) / (l - s)            # interpreter ms per service
            wf = ws - jr * s; cf = cs - jr * s  # JIT fixed ms, warm and cold
            i0 = is - ir * s                    # interpreter fixed ms
            printf "   decide stage fit: interpreter %.2f us/service, JIT %.3f us/service;", ir * 1000, jr * 1000
            printf " JIT fixed cost %.1f ms warm, %.1f ms cold (interpreter %.1f ms)\n", wf, cf, i0
            if (ir > jr) {
                bw = (wf - i0) / (ir - jr); if (bw < 0) bw = 0
                bc = (cf - i0) / (ir - jr); if (bc < 0) bc = 0
                printf "   estimated break-even: %.0f services with a warm cache, %.0f with a cold one\n", bw, bc
            }
        }'
    fi
    echo "   (--jit=auto in src/jit.h: $(grep -o 'JIT_AUTO_WARM = [0-9]*\|JIT_AUTO_COLD = [0-9]*' "$BENCH/../src/jit.h" 2>/dev/null | tr '\n' ' ')services)"
fi

# ---- strat sensitivity ------------------------------------------------------------------------
# The Monte-Carlo re-decides the whole portfolio once per run, so it is the
# JIT's home ground: SENS_RUNS runs over SENS_N services, JIT (warm cache)
# against the interpreter, interleaved; the two reports must be identical.

if want sensitivity; then
    SENS_N=${SENS_N:-100000}
    SENS_RUNS=${SENS_RUNS:-20}
    echo
    echo "== sensitivity: $SENS_RUNS runs over $SENS_N services, median of $REPS: wall ms"
    sdir=$TMP/sens
    mkdir -p "$sdir"
    cp "$BENCH/portfolio.strat" "$sdir/"
    "$OUT/gen" "$SENS_N" >"$sdir/services.csv" || exit 2
    (cd "$sdir" && XDG_CACHE_HOME=$TMP/warm-cache "$STRAT" decide --format summary --jit on \
        portfolio.strat >/dev/null 2>&1)
    SJ="" SI=""
    for ((rep = 1; rep <= REPS; rep++)); do
        for mode in on off; do
            pushd "$sdir" >/dev/null || exit 2
            XDG_CACHE_HOME=$TMP/warm-cache timed "$TMP/sens.$mode" "$TMP/err" \
                "$STRAT" sensitivity --runs "$SENS_RUNS" --jit "$mode" portfolio.strat
            popd >/dev/null || exit 2
            if [ "$RC" != 0 ]; then
                echo "bench: sensitivity --jit $mode failed (exit $RC)"
                tail -n 5 "$TMP/err"
                FAIL=1
            fi
            if [ "$mode" = on ]; then SJ="$SJ $WALL"; else SI="$SI $WALL"; fi
        done
        if ! cmp -s "$TMP/sens.on" "$TMP/sens.off"; then
            echo "bench: MISMATCH: sensitivity reports differ between the JIT and the interpreter"
            FAIL=1
        fi
    done
    sj=$(median $SJ)
    si=$(median $SI)
    printf '   %-28s %10s ms\n' "strat sensitivity --jit on" "$sj" "strat sensitivity --jit off" "$si"
    echo "   interpreter/JIT = $(ratio "$si" "$sj" "%.1f")x;" \
        "$(tail -n 1 "$TMP/sens.on")"
fi

# ---- the .strat front end ------------------------------------------------------------------

if want frontend; then
    echo
    fe_n=$((FE_MB * 1000000 / 120))
    fedir=$TMP/fe
    mkdir -p "$fedir"
    {
        cat <<'EOF'
strategy "Front-end benchmark" {
  horizon = 2027-01-01 .. 2027-12-31
  budget  = 1000B
}
customer everyone { title = "Everyone" }
schema service {
  cost             : number >= 0 = 0
  csat             : number in 0 .. 5 = 3
  incidents        : number >= 0 = 0
  functional_fit   : number in 1 .. 4 = 2.5
}
EOF
        awk -v n="$fe_n" 'BEGIN {
            for (i = 0; i < n; i++)
                printf "service svc%d {\n  title = \"Service %d\"\n  customers = [everyone]\n" \
                       "  cost = %d\n  csat = %d.%d\n  incidents = %d\n  functional_fit = %d.%d\n}\n",
                       i, i, 1000 + (i * 7919) % 900000, i % 5, (i * 7) % 10, (i * 13) % 120,
                       1 + i % 3, (i * 3) % 10
        }'
    } >"$fedir/fe.strat"
    fe_bytes=$(stat -c %s "$fedir/fe.strat")
    fe_mb=$(awk -v b="$fe_bytes" 'BEGIN { printf "%.1f", b / 1e6 }')
    echo "== front end: strat check --verbose on a generated $fe_mb MB .strat ($fe_n services)"
    FP="" FW="" FR=""
    for ((rep = 1; rep <= REPS; rep++)); do
        (cd "$fedir" && XDG_CACHE_HOME=$TMP/fe-cache timed "$TMP/out" "$TMP/err" \
            "$STRAT" check --verbose fe.strat
        echo "$WALL $RSS $RC" >"$TMP/fe.res")
        read -r w rs rc <"$TMP/fe.res"
        if [ "$rc" != 0 ]; then
            echo "bench: strat check failed on the front-end file (exit $rc):"
            grep -v '^strat: ' "$TMP/err" | head -n 5
            FAIL=1
        fi
        FP="$FP $(stage_ms "$TMP/err" parse)" FW="$FW $w" FR="$FR $rs"
    done
    fe_parse=$(median $FP)
    fe_rate=$(awk -v b="$fe_bytes" -v ms="$fe_parse" 'BEGIN { if (ms == "n/a" || ms + 0 == 0) print "n/a"; else printf "%.1f", b / 1e6 / (ms / 1000) }')
    echo "   parse stage median $fe_parse ms -> $fe_rate MB/s (1 MB = 10^6 bytes; target >= 50 MB/s: $(met "$fe_rate" ">=" 50))"
    echo "   whole strat check: median $(median $FW) ms wall, peak RSS $(mb "$(median $FR)") MB"
fi

# ---- the analyst's job ---------------------------------------------------------------------------

if want lsp; then
    echo
    echo "== lsp: didChange -> publishDiagnostics (bench/lsp_latency.py)"
    if command -v python3 >/dev/null 2>&1; then
        python3 "$BENCH/lsp_latency.py" "$STRAT" "${LSP_EDITS:-21}" || FAIL=1
    else
        echo "lsp: SKIP: python3 is needed for the scripted client"
    fi
fi

if want analyst; then
    # shellcheck source=bench/analyst.sh
    . "$BENCH/analyst.sh"
    analyst_section
fi

# ---- summary -----------------------------------------------------------------------------------

if want portfolio; then
    big=""
    for n in $SIZES; do [ "$n" = 1000000 ] && big=$n; done
    [ -z "$big" ] && big=${SIZES##* }
    h=$(human "$big")
    ww=$(median ${WALLS[$big|strat-jit-warm]})
    wc=$(median ${WALLS[$big|strat-jit-cold]})
    wr=$(median ${WALLS[$big|ref.c]})
    fast="" fastname=""
    for r in mawk sqlite3 luajit; do
        [ -n "${WALLS[$big|$r]:-}" ] || continue
        w=$(median ${WALLS[$big|$r]})
        if [ -z "$fast" ] || awk -v a="$w" -v b="$fast" 'BEGIN { exit !(a + 0 < b + 0) }'; then
            fast=$w fastname=$r
        fi
    done
    kj=$(median ${KERN[$big|strat-jit-warm]})
    kj1=$(median ${KERN[$big|jit1]})
    ki=$(median ${KERN[$big|strat-interp]})
    kc=$(median -p 3 ${KERN[$big|ref.c]})
    kcm=$(median -p 3 ${KERN[$big|ref.c.mt]})
    rssw=$(median ${RSSES[$big|strat-jit-warm]})
    raw=$((big * 9 * 8 + big * 4 * 4))
    echo
    echo "== targets at $h services (DESIGN.md §4), medians"
    printf '   %-58s %12s  %s\n' \
        "JIT kernel / C kernel, 1 thread each (<= 1.25x)" "$(ratio "$kj1" "$kc")x" "$(met "$(ratio "$kj1" "$kc")" "<=" 1.25)" \
        "JIT kernel / C kernel, ${NTHREADS:-?} threads each (<= 1.25x)" "$(ratio "$kj" "$kcm")x" "$(met "$(ratio "$kj" "$kcm")" "<=" 1.25)" \
        "interpreter / JIT kernel, default threads (>= 20x)" "$(ratio "$ki" "$kj" "%.1f")x" "$(met "$(ratio "$ki" "$kj")" ">=" 20)" \
        "interpreter / JIT kernel, 1 thread each (>= 20x)" "$(ratio "$ki" "$kj1" "%.1f")x" "$(met "$(ratio "$ki" "$kj1")" ">=" 20)" \
        "end to end, JIT warm / ref.c (<= 1.2x)" "$(ratio "$ww" "$wr")x" "$(met "$(ratio "$ww" "$wr")" "<=" 1.2)" \
        "end to end, JIT cold / ref.c (<= 1.2x)" "$(ratio "$wc" "$wr")x" "$(met "$(ratio "$wc" "$wr")" "<=" 1.2)" \
        "fastest peer ($fastname) / JIT warm (>= 3x)" "$(ratio "$fast" "$ww")x" "$(met "$(ratio "$fast" "$ww")" ">=" 3)" \
        "loaded, scored and decided in under 1 s (JIT warm)" "$ww ms" "$(met "$ww" "<=" 1000)" \
        "peak RSS / raw columnar data (<= 2x, JIT warm)" "$(ratio "${rssw}" "$((raw / 1024))" "%.1f")x" "$(met "$(ratio "$rssw" "$((raw / 1024))")" "<=" 2)" \
        "front end MB/s (>= 50)" "$fe_rate" "$(met "$fe_rate" ">=" 50)"
fi
# ---- strat sql's query in DuckDB (bench/sql.sh) -----------------------------------------------
if want sql; then
    echo
    bash "$BENCH/sql.sh" "$STRAT" || FAIL=1
fi

echo
echo "== bench took $(awk -v a="${BENCH_T0/./}" -v b="${EPOCHREALTIME/./}" 'BEGIN { printf "%.0f", (b - a) / 1e6 }') s"
if [ "$FAIL" != 0 ]; then
    echo "bench: FAILED (a runner failed or the decision counts differ)"
    exit 1
fi
echo "bench: all runners agree on every size"
