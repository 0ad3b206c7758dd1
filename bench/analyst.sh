# shellcheck shell=bash disable=SC2086,SC2153,SC2034  # value lists split into words on purpose; STRAT, FAIL, ... are run.sh's
# bench/analyst.sh — the "analyst" section of bench/run.sh, sourced by it
# (it uses run.sh's helpers and variables: timed, median, ratio, met, mb,
# human, canon, stage_ms, split_csv, shuffle_order, have_tool, STRAT, OUT,
# BENCH, TMP, REPS, WARM_CACHE, FAIL, REF_OUT_DTOA, ANALYST_SIZES).
#
# The analyst's job: a CMDB export (bench/gen_cmdb.c: id, revenue, risk,
# cost, demand, customers) decided by one score and a three-arm table
# (bench/analyst.strat) and written out per service.  For each size in
# ANALYST_SIZES the runners below run REPS times, the first repetition in
# the listed order and each later one shuffled:
#
#   strat-csv      strat decide --format csv -o out.csv analyst.strat
#   strat-cols     the same with --columns service,decision,roi: the three
#                  columns DuckDB's query writes
#   strat-json     strat decide --format json -o out.json analyst.strat
#   itil-csv       the same as strat-csv, with `import "std/itil"` added
#   itil-json      the same as strat-json, with `import "std/itil"` added
#   strat-summary  strat decide --format summary (the counting job)
#   c-floor        bench/ref_out.c writing strat's CSV (strat's formatter)
#   c-printf       the same, scores with printf("%.17g")
#   c-count        bench/ref_out.c counting decisions (the counting job)
#   mawk-csv       mawk -f bench/analyst.awk > out.csv
#   duckdb-csv     DuckDB: COPY (SELECT id, CASE ... END, roi FROM
#                  read_csv(...)) TO 'out.csv' (bench/duckdb_out.js)
#   duckdb-json    the same to JSON
#
# strat runs with --verbose (for its stage times), its default --jit
# (auto) and a JIT cache filled beforehand, as an analyst's repeated runs
# find it.  Before a run's time counts its output is checked: outcheck.c
# reads it, requires every id exactly once and nothing else, and its
# canonical form (decision and score as a double, by id) must be the C
# floor's byte for byte; the counting jobs' counts must be the floor's.
# A failed check prints the first differing row and fails the bench.

ANALYST_RUNNERS=(strat-csv strat-cols strat-json itil-csv itil-json strat-summary c-floor c-printf c-count
    mawk-csv duckdb-csv duckdb-json)
declare -A AW=() AR=() AS=() AB=() AC=()

# duckdb_setup: DUCKDB_OK=1 and DUCKDB_VERSION when @duckdb/node-api loads
# from BENCH_NPM_DIR, installing it there with npm when it is missing or of
# another version; otherwise a message and DUCKDB_OK=0
duckdb_setup() {
    local dir=${BENCH_NPM_DIR:-$OUT/npm} want=${DUCKDB_NPM_VERSION:-1.5.6-r.1} have
    DUCKDB_OK=0
    DUCKDB_MODULES=$(realpath -m "$dir/node_modules")
    if ! have_tool node; then
        echo "bench: node is not installed; skipping the DuckDB runners"
        return 0
    fi
    have=$(node -p "require('$DUCKDB_MODULES/@duckdb/node-api/package.json').version" 2>/dev/null)
    if [ "$have" != "$want" ]; then
        if ! have_tool npm; then
            echo "bench: npm is not installed; skipping the DuckDB runners"
            return 0
        fi
        echo "== installing @duckdb/node-api@$want into $dir with npm"
        mkdir -p "$dir" || return 0
        if ! timeout 600 npm install --prefix "$dir" --no-audit --no-fund --no-save \
            --no-package-lock --loglevel=error --fetch-retries=1 --fetch-timeout=60000 \
            "@duckdb/node-api@$want" >"$TMP/npm.log" 2>&1; then
            echo "bench: npm could not install @duckdb/node-api@$want; skipping the DuckDB runners:"
            tail -n 5 "$TMP/npm.log" | sed 's/^/   /'
            return 0
        fi
    fi
    if ! DUCKDB_VERSION=$(node "$BENCH/duckdb_out.js" "$DUCKDB_MODULES" version 2>"$TMP/duckdb.err"); then
        echo "bench: @duckdb/node-api does not load from $dir; skipping the DuckDB runners:"
        tail -n 5 "$TMP/duckdb.err" | sed 's/^/   /'
        return 0
    fi
    DUCKDB_OK=1
}

# analyst_run NAME DIR: one run of a runner in DIR (which holds cmdb.csv,
# analyst.strat and itiljob.strat); stdout in $TMP/out, stderr in
# $TMP/err; AOUT = the output file to check ("" for the counting jobs)
analyst_run() {
    local name=$1 dir=$2
    pushd "$dir" >/dev/null || exit 2
    rm -f out.csv out.json
    AOUT=""
    case $name in
    strat-csv | itil-csv | strat-json | itil-json)
        local strat=analyst.strat format=${name#*-}
        [ "${name%%-*}" = itil ] && strat=itiljob.strat
        AOUT=out.$format
        XDG_CACHE_HOME=$WARM_CACHE timed "$TMP/out" "$TMP/err" \
            "$STRAT" decide --verbose --format "$format" -o "$AOUT" "$strat"
        ;;
    strat-cols)
        AOUT=out.csv
        XDG_CACHE_HOME=$WARM_CACHE timed "$TMP/out" "$TMP/err" \
            "$STRAT" decide --verbose --format csv --columns service,decision,roi -o "$AOUT" \
            analyst.strat
        ;;
    strat-summary)
        XDG_CACHE_HOME=$WARM_CACHE timed "$TMP/out" "$TMP/err" \
            "$STRAT" decide --verbose --format summary analyst.strat
        ;;
    c-floor)
        AOUT=out.csv
        timed "$TMP/out" "$TMP/err" "$OUT/ref_out" csv cmdb.csv out.csv "${ARMS[@]}"
        ;;
    c-printf)
        AOUT=out.csv
        timed "$TMP/out" "$TMP/err" "$OUT/ref_out_printf" csv cmdb.csv out.csv "${ARMS[@]}"
        ;;
    c-count) timed "$TMP/out" "$TMP/err" "$OUT/ref_out" count cmdb.csv ;;
    mawk-csv)
        AOUT=out.csv
        timed out.csv "$TMP/err" mawk -F, -f "$BENCH/analyst.awk" cmdb.csv
        ;;
    duckdb-csv | duckdb-json)
        AOUT=out.${name#duckdb-}
        timed "$TMP/out" "$TMP/err" node "$BENCH/duckdb_out.js" "$DUCKDB_MODULES" \
            "${name#duckdb-}" cmdb.csv "$AOUT"
        ;;
    esac
    popd >/dev/null || exit 2
}

# analyst_check NAME DIR N H: whether the run's output is right (see the top
# of this file); prints why not
analyst_check() {
    local name=$1 dir=$2 n=$3 h=$4 c line
    if [ -z "$AOUT" ]; then
        c=$(canon "$TMP/out")
        if [ "$c" != "$EXPECT_COUNTS" ]; then
            echo "bench: MISMATCH: $name at $h services counts $c"
            echo "   the C floor's: $EXPECT_COUNTS"
            return 1
        fi
        return 0
    fi
    if ! "$OUT/outcheck" "$n" "$dir/$AOUT" "$dir/run.canon" >"$TMP/check.out" 2>"$TMP/check.err"; then
        echo "bench: MISMATCH: $name at $h services: its output does not check:"
        sed 's/^/   /' "$TMP/check.err"
        return 1
    fi
    if ! cmp -s "$dir/ref.canon" "$dir/run.canon"; then
        line=$(cmp "$dir/ref.canon" "$dir/run.canon" 2>/dev/null | awk '{ print $NF }')
        printf 'bench: MISMATCH: %s at %s services, first at svc%07d (decision, score in hex):\n' \
            "$name" "$h" "$((line - 1))"
        echo "   the C floor: $(sed -n "${line}p" "$dir/ref.canon")"
        echo "   $name: $(sed -n "${line}p" "$dir/run.canon")"
        return 1
    fi
    [ -n "${AB[$n|$name]:-}" ] || AB[$n|$name]=$(stat -c %s "$dir/$AOUT")
    if [ "$name" = strat-csv ] && [ -z "${SAME_BYTES[$n]:-}" ]; then
        if cmp -s "$dir/ref.csv" "$dir/out.csv"; then SAME_BYTES[$n]=yes; else SAME_BYTES[$n]=no; fi
    fi
    return 0
}

# xr A B: A / B as "1.23x", or "n/a"
xr() {
    local r
    r=$(ratio "$1" "$2")
    if [ "$r" = n/a ]; then echo n/a; else echo "${r}x"; fi
}

# per_row VALUE N SCALE: VALUE * SCALE / N, one decimal ("n/a" passes)
per_row() {
    awk -v v="$1" -v n="$2" -v s="$3" 'BEGIN {
        if (v == "n/a" || v == "") print "n/a"; else printf "%.1f\n", v * s / n }'
}

# analyst_data N DIR: DIR/cmdb.csv of N services, generated once into the
# data cache BENCH_DATA_DIR (build/bench/data) and linked from there (a
# copy across file systems): the 10M file takes a minute to make.  The
# cache's name holds gen_cmdb.c's hash, so a changed generator makes anew.
analyst_data() {
    local n=$1 dir=$2 cache=${BENCH_DATA_DIR:-$OUT/data} sum file
    sum=$(sha256sum "$BENCH/gen_cmdb.c" | cut -c1-12)
    file=$cache/cmdb-$n-$sum.csv
    if [ ! -s "$file" ]; then
        mkdir -p "$cache" || return 1
        rm -f "$cache"/cmdb-"$n"-*.csv
        if ! "$OUT/gen_cmdb" "$n" >"$file.part" || ! mv "$file.part" "$file"; then
            rm -f "$file.part"
            return 1
        fi
    fi
    ln -f "$file" "$dir/cmdb.csv" 2>/dev/null || cp "$file" "$dir/cmdb.csv"
}

# analyst_room N: whether this machine has the memory and disk for N
# services (strat needs some 400 B a row at its peak, DuckDB and node less;
# the data cache, the split copy for strat and the JSON output some 3 kB a
# row of disk); prints why not
analyst_room() {
    local n=$1 avail_kb disk_kb need_mem_kb need_disk_kb cache=${BENCH_DATA_DIR:-$OUT/data}
    need_mem_kb=$((n * 600 / 1024 + 512 * 1024))
    need_disk_kb=$((n * 3))
    [ -s "$cache/cmdb-$n-$(sha256sum "$BENCH/gen_cmdb.c" | cut -c1-12).csv" ] &&
        need_disk_kb=$((n * 2))
    avail_kb=$(awk '/^MemAvailable:/ { print $2 }' /proc/meminfo 2>/dev/null)
    disk_kb=$(df -Pk "$TMP" 2>/dev/null | awk 'NR == 2 { print $4 }')
    if [ -n "$avail_kb" ] && [ "$avail_kb" -lt "$need_mem_kb" ]; then
        echo "bench: skipping $(human "$n") services: $((avail_kb >> 10)) MB of memory available," \
            "$((need_mem_kb >> 10)) MB wanted"
        return 1
    fi
    if [ -n "$disk_kb" ] && [ "$disk_kb" -lt "$need_disk_kb" ]; then
        echo "bench: skipping $(human "$n") services: $((disk_kb >> 10)) MB free under $TMP," \
            "$((need_disk_kb >> 10)) MB wanted"
        return 1
    fi
    return 0
}

analyst_section() {
    local n h dir csv_bytes csv_mb rep r w rs k s v rest runners=() line
    declare -gA SAME_BYTES=()
    echo
    echo "== the analyst's job: bench/analyst.strat over a CMDB export, written out per service"
    duckdb_setup
    for r in "${ANALYST_RUNNERS[@]}"; do
        case $r in
        duckdb-*) [ "$DUCKDB_OK" = 1 ] || continue ;;
        mawk-*) have_tool mawk || { echo "bench: mawk is not installed; skipping mawk-csv"; continue; } ;;
        esac
        runners+=("$r")
    done
    echo "   sizes: $ANALYST_SIZES; REPS=$REPS; runners (repetition 1 in this order, later ones shuffled):"
    echo "   ${runners[*]}"
    [ "$DUCKDB_OK" = 1 ] && echo "   DuckDB $DUCKDB_VERSION (npm @duckdb/node-api, in node $(node --version)), on all cores"
    if [ "$REF_OUT_DTOA" = 1 ]; then
        echo "   the C floor writes scores with strat's formatter (src/dtoa.c); c-printf with printf(\"%.17g\")"
    else
        echo "   the C floor writes scores with printf(\"%.17g\") (src/dtoa.c did not build)"
    fi
    echo "   (a shared machine: its load shows in every figure; ratios within a run are steadier than times)"

    for n in $ANALYST_SIZES; do
        h=$(human "$n")
        dir=$TMP/a$n
        analyst_room "$n" || continue
        mkdir -p "$dir"
        analyst_data "$n" "$dir" || { echo "bench: cannot make the CSV of $h services"; exit 2; }
        # ANALYST_REPS_LARGE: repetitions for 10M services and more
        local reps=$REPS
        [ "$n" -ge 10000000 ] && reps=${ANALYST_REPS_LARGE:-$REPS}
        cp "$BENCH/analyst.strat" "$dir/"
        # a name as long as analyst.strat's: each row names its arm's file,
        # so that the two outputs differ only by what the import adds (as
        # analyst_itil.strat, until 2026-12-05, its rows had 5 bytes more)
        { echo 'import "std/itil"'; cat "$BENCH/analyst.strat"; } >"$dir/itiljob.strat"
        csv_bytes=$(stat -c %s "$dir/cmdb.csv")
        csv_mb=$(awk -v b="$csv_bytes" 'BEGIN { printf "%.1f", b / 1e6 }')
        echo
        echo "== analyst: $h services ($csv_mb MB of CSV)"
        if [ "$csv_bytes" -gt $((MAX_SOURCE_MB << 20)) ]; then
            split_csv "$dir" cmdb.csv analyst.strat
            split_csv "$dir" cmdb.csv itiljob.strat >/dev/null
        fi
        # the arms' labels as strat prints them, for the C floor's arm column
        ARMS=()
        for s in invest retire tolerate; do
            ARMS+=("analyst.strat:$(grep -n "^  $s " "$dir/analyst.strat" | cut -d: -f1)")
        done
        # untimed: the reference output, and the JIT caches filled
        if ! "$OUT/ref_out" csv "$dir/cmdb.csv" "$dir/ref.csv" "${ARMS[@]}" ||
            ! "$OUT/outcheck" "$n" "$dir/ref.csv" "$dir/ref.canon" >"$TMP/check.out"; then
            echo "bench: the C floor's output does not check at $h services; skipping this size"
            FAIL=1
            continue
        fi
        EXPECT_COUNTS=$(awk '{ for (i = 1; i <= NF; i++) { split($i, kv, "="); c[kv[1]] = kv[2] } }
            END { printf "invest=%d enhance=0 migrate=0 retire=%d experiment=0 tolerate=%d",
                         c["invest"], c["retire"], c["tolerate"] }' "$TMP/check.out")
        for s in analyst.strat itiljob.strat; do
            (cd "$dir" && XDG_CACHE_HOME=$WARM_CACHE "$STRAT" decide --format summary --jit on \
                "$s" >/dev/null 2>&1)
        done

        line=""
        for ((rep = 1; rep <= reps; rep++)); do
            line="$line $(cut -d' ' -f1 /proc/loadavg)"
            shuffle_order "$rep" "${runners[@]}"
            local progress="   rep $rep/$reps:"
            for r in "${ORDER[@]}"; do
                analyst_run "$r" "$dir"
                k="$n|$r"
                if [ "$RC" != 0 ]; then
                    echo "bench: $r failed at $h services (exit $RC):"
                    tail -n 5 "$TMP/err" | sed 's/^/   /'
                    FAIL=1
                    progress="$progress $r FAILED"
                    continue
                fi
                if ! analyst_check "$r" "$dir" "$n" "$h"; then
                    FAIL=1
                    progress="$progress $r WRONG"
                    continue
                fi
                # only a checked run's time counts
                AW[$k]="${AW[$k]:-} $WALL"
                AR[$k]="${AR[$k]:-} $RSS"
                AC[$k]="${AC[$k]:-} ${CPU:-n/a}"
                case $r in
                strat-* | itil-*)
                    # the decide stage holds the score and rank stages
                    rest=$WALL
                    for s in parse csv check "score (jit)" "score (interpreter)" rank decide emit; do
                        v=$(stage_ms "$TMP/err" "$s")
                        [ -n "$v" ] || continue
                        [ "${s#score}" != "$s" ] && s=score
                        AS[$k|$s]="${AS[$k|$s]:-} $v"
                        case $s in score | rank) continue ;; esac
                        rest=$(awk -v a="$rest" -v b="$v" 'BEGIN { printf "%.1f", a - b }')
                    done
                    AS[$k|rest]="${AS[$k|rest]:-} $rest"
                    ;;
                esac
                progress="$progress $r ${WALL}ms"
            done
            echo "$progress"
        done
        rm -f "$dir/out.csv" "$dir/out.json" "$dir/run.canon"
        echo "   load average (1 min) before each repetition:$line; now $(cut -d' ' -f1-3 /proc/loadavg)"
        echo "   decisions (every output checked against the C floor's): $EXPECT_COUNTS"
        if [ "$REF_OUT_DTOA" = 1 ]; then
            case ${SAME_BYTES[$n]:-} in
            yes) echo "   the C floor's CSV is strat --format csv's, byte for byte" ;;
            no) echo "   (the C floor's CSV differs in bytes from strat --format csv's, though it parses the same)" ;;
            esac
        fi

        local wf wd
        wf=$(median ${AW[$n|c-floor]:-})
        wd=$(median ${AW[$n|duckdb-csv]:-})
        echo
        local cd
        cd=$(median ${AC[$n|duckdb-csv]:-})
        printf '   %-14s %10s %9s %10s %10s %9s %12s %10s %10s\n' runner "wall ms" "x floor" "x DuckDB" \
            "CPU ms" "x DuckDB" "peak RSS MB" "RSS B/row" "output MB"
        for r in "${runners[@]}"; do
            w=$(median ${AW[$n|$r]:-})
            rs=$(median ${AR[$n|$r]:-})
            local cpu
            cpu=$(median ${AC[$n|$r]:-})
            printf '   %-14s %10s %9s %10s %10s %9s %12s %10s %10s\n' "$r" "$w" "$(ratio "$w" "$wf" "%.2fx")" \
                "$(ratio "$w" "$wd" "%.2fx")" "$cpu" "$(ratio "$cpu" "$cd" "%.2fx")" "$(mb "$rs")" \
                "$(per_row "$rs" "$n" 1024 | cut -d. -f1)" \
                "$(awk -v b="${AB[$n|$r]:-}" 'BEGIN { if (b == "") print "-"; else printf "%.1f", b / 1e6 }')"
        done
        echo "   (x DuckDB: against duckdb-csv; CPU ms: user + system, every thread; RSS B/row: peak"
        echo "   RSS over the rows, fixed costs included)"

        echo
        echo "   strat stage medians (ms, from --verbose; decide includes score and rank;"
        echo "   emit = formatting and writing the output; rest = wall - parse - csv - check -"
        echo "   decide - emit: start-up, -o's fsync and rename, exit):"
        printf '   %-14s' runner
        for s in csv check score rank decide emit rest; do printf ' %9s' "$s"; done
        echo
        local pooled=""
        for r in strat-csv strat-cols strat-json itil-csv itil-json strat-summary; do
            printf '   %-14s' "$r"
            for s in csv check score rank decide emit rest; do
                printf ' %9s' "$(median ${AS[$n|$r|$s]:-})"
            done
            echo
            pooled="$pooled ${AS[$n|$r|csv]:-}"
        done
        local csv_ms rate
        csv_ms=$(median $pooled)
        rate=$(awk -v b="$csv_bytes" -v ms="$csv_ms" 'BEGIN {
            if (ms == "n/a" || ms + 0 == 0) print "n/a"; else printf "%.0f", b / 1e6 / (ms / 1000) }')
        echo "   CSV load: median csv stage $csv_ms ms over every strat run -> $rate MB/s (1 MB = 10^6 bytes)"

        local sc sj ic ij ss cc dc dj rsc rdc
        sc=$(median ${AW[$n|strat-csv]:-})
        sj=$(median ${AW[$n|strat-json]:-})
        ic=$(median ${AW[$n|itil-csv]:-})
        ij=$(median ${AW[$n|itil-json]:-})
        ss=$(median ${AW[$n|strat-summary]:-})
        cc=$(median ${AW[$n|c-count]:-})
        dc=$wd
        dj=$(median ${AW[$n|duckdb-json]:-})
        rsc=$(median ${AR[$n|strat-csv]:-})
        rdc=$(median ${AR[$n|duckdb-csv]:-})
        echo
        echo "== analyst targets at $h services (issue 14), medians of $reps"
        printf '   %-52s %10s  %s\n' \
            "strat csv / DuckDB csv, time (<= 0.5)" "$(xr "$sc" "$dc")" "$(met "$(ratio "$sc" "$dc")" "<=" 0.5)" \
            "strat csv / DuckDB csv, peak RSS (<= 1)" "$(xr "$rsc" "$rdc")" "$(met "$(ratio "$rsc" "$rdc")" "<=" 1)" \
            "strat json / strat csv, time (<= 1.5)" "$(xr "$sj" "$sc")" "$(met "$(ratio "$sj" "$sc")" "<=" 1.5)" \
            "with std/itil / without, csv time (<= 1.10)" "$(xr "$ic" "$sc")" "$(met "$(ratio "$ic" "$sc")" "<=" 1.10)" \
            "counting job: strat summary / C (<= 1.0)" "$(xr "$ss" "$cc")" "$(met "$(ratio "$ss" "$cc")" "<=" 1.0)" \
            "CSV load MB/s (>= 300)" "$rate" "$(met "$rate" ">=" 300)"
        echo "   CPU time (user + system; steadier than wall on a shared machine):" \
            "strat csv / DuckDB csv $(xr "$(median ${AC[$n|strat-csv]:-})" "$cd")," \
            "strat json / strat csv $(xr "$(median ${AC[$n|strat-json]:-})" "$(median ${AC[$n|strat-csv]:-})")," \
            "itil csv / strat csv $(xr "$(median ${AC[$n|itil-csv]:-})" "$(median ${AC[$n|strat-csv]:-})")," \
            "strat summary / C count $(xr "$(median ${AC[$n|strat-summary]:-})" "$(median ${AC[$n|c-count]:-})")"
        echo "   for comparison: strat csv --columns service,decision,roi (DuckDB's three" \
            "columns) / DuckDB csv $(xr "$(median ${AW[$n|strat-cols]:-})" "$dc") time," \
            "$(xr "$(median ${AC[$n|strat-cols]:-})" "$cd") CPU;"
        echo "   strat json / DuckDB json $(xr "$sj" "$dj");" \
            "with std/itil / without, json time $(xr "$ij" "$sj");" \
            "strat csv / C floor $(xr "$sc" "$wf")"
        rm -rf "$dir"
    done

    # 10M linearity: per row at 1M against per row at 10M
    local small="" large=""
    for n in $ANALYST_SIZES; do
        [ "$n" = 1000000 ] && small=$n
        [ "$n" = 10000000 ] && large=$n
    done
    if [ -n "$small" ] && [ -n "$large" ]; then
        echo
        echo "== analyst: linearity, 1M against 10M services (per row; 10M/1M ratio; linear: both <= 1.2)"
        printf '   %-14s %12s %12s %7s %12s %12s %7s  %s\n' runner "us/row 1M" "us/row 10M" ratio \
            "RSS B/row 1M" "RSS B/row 10M" ratio verdict
        for r in "${runners[@]}"; do
            local t1 t10 m1 m10 tr mr verdict
            t1=$(per_row "$(median ${AW[$small|$r]:-})" "$small" 1000)
            t10=$(per_row "$(median ${AW[$large|$r]:-})" "$large" 1000)
            m1=$(per_row "$(median ${AR[$small|$r]:-})" "$small" 1024)
            m10=$(per_row "$(median ${AR[$large|$r]:-})" "$large" 1024)
            tr=$(xr "$t10" "$t1")
            mr=$(xr "$m10" "$m1")
            verdict=$(met "${tr%x}" "<=" 1.2)
            [ "$verdict" = met ] && verdict=$(met "${mr%x}" "<=" 1.2)
            case $r in strat-* | itil-*) ;; *) verdict="($verdict)" ;; esac
            printf '   %-14s %12s %12s %7s %12s %12s %7s  %s\n' "$r" "$t1" "$t10" "$tr" "$m1" "$m10" \
                "$mr" "$verdict"
        done
        echo "   (the verdict is the target for strat's runners; the others' in parentheses, for reference)"
    fi
}
