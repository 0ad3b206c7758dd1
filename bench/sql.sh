#!/usr/bin/env bash
# bench/sql.sh — the "sql" section of `make bench` (bench/run.sh runs it;
# it also runs alone): the benchmark portfolio (bench/gen.c,
# bench/portfolio.strat) decided by `strat decide` and by the query of
# `strat sql --dialect duckdb` in DuckDB (npm @duckdb/node-api, on all cores).
#
#   bash bench/sql.sh build/strat            # SQL_SIZES (default 10000000)
#   SQL_SIZES=1000000 REPS=1 bash bench/sql.sh build/strat
#
# For each size, REPS times each (the median is printed):
#   strat-decide   strat decide --format csv -o out.csv portfolio.strat
#   duckdb-load    CREATE TABLE services AS SELECT * FROM read_csv(...)
#   duckdb-query   COPY (strat sql's query) TO 'out.csv' (HEADER)
# The query is generated once, from a one-row copy of services.csv (it
# depends on the header only), so its time is not strat reading the CSV.
# Both outputs must hold the same decision for every service (checked with
# sort and cmp on service,decision,rank), else the bench fails.
# Environment: REPS (3), SQL_SIZES, SQL_NPM_DIR (where @duckdb/node-api is,
# or is installed: build/sql/npm next to the binary).
set -u
set -o pipefail
export LC_ALL=C
STRAT=$(realpath "${1:?usage: bash bench/sql.sh path/to/strat}")
BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$BENCH")
OUT=$(dirname "$STRAT")/bench
REPS=${REPS:-3}
SIZES=${SQL_SIZES:-10000000}
npm_dir=${SQL_NPM_DIR:-$(dirname "$STRAT")/sql/npm}
modules=$(realpath -m "$npm_dir/node_modules")
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
mkdir -p "$OUT"

echo "== sql: strat decide against strat sql's query in DuckDB"
if ! command -v node >/dev/null 2>&1; then
    echo "bench: node is not installed; skipping the sql section"
    exit 0
fi
if ! node "$ROOT/tests/sql/duckdb_run.js" "$modules" version >/dev/null 2>&1; then
    mkdir -p "$npm_dir"
    if ! timeout 600 npm install --prefix "$npm_dir" --no-audit --no-fund --no-save \
        --no-package-lock --loglevel=error "@duckdb/node-api@1.5.6-r.1" >"$TMP/npm.log" 2>&1; then
        echo "bench: npm could not install @duckdb/node-api; skipping the sql section"
        exit 0
    fi
fi
"${CC:-cc}" -std=c11 -O2 -o "$OUT/gen" "$BENCH/gen.c" || exit 2

. "$BENCH/split_csv.sh"
ms() { date +%s%3N; }
median() { tr ' ' '\n' | sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }

fail=0
for n in $SIZES; do
    dir=$TMP/n$n
    mkdir -p "$dir/one"
    "$OUT/gen" "$n" >"$dir/services.csv" || exit 2
    cp "$BENCH/portfolio.strat" "$dir/"
    cp "$BENCH/portfolio.strat" "$dir/one/"
    head -2 "$dir/services.csv" >"$dir/one/services.csv"
    # strat reads a CSV above its limit for one file as several (DuckDB
    # reads the one file)
    if [ "$(stat -c %s "$dir/services.csv")" -gt $((MAX_SOURCE_MB << 20)) ]; then
        mkdir -p "$dir/split"
        mv "$dir/portfolio.strat" "$dir/split/"
        ln "$dir/services.csv" "$dir/split/services.csv"
        split_csv "$dir/split" services.csv portfolio.strat
        rm "$dir/split/services.csv"
        strat_dir=$dir/split
    else
        strat_dir=$dir
    fi
    if ! "$STRAT" sql --dialect duckdb --table services "$dir/one/portfolio.strat" \
        >"$dir/query.sql" 2>"$dir/sql.err"; then
        echo "bench: strat sql failed:"; head -5 "$dir/sql.err"; exit 1
    fi
    printf "CREATE TABLE services AS SELECT * FROM read_csv('%s', header = true);\n" \
        "$dir/services.csv" >"$dir/load.sql"
    { cat "$dir/load.sql"; echo "-- @@"; echo "SELECT COUNT(*) FROM services"; } >"$dir/load_only.sql"
    { cat "$dir/load.sql"; echo "-- @@"
      printf "COPY (%s) TO '%s' (HEADER);\n" "$(sed 's/;$//' "$dir/query.sql")" "$dir/duck.csv"
    } >"$dir/all.sql"
    t_strat="" t_load="" t_all=""
    for ((r = 0; r < REPS; r++)); do
        t0=$(ms)
        if ! "$STRAT" decide --format csv -o "$dir/strat.csv" "$strat_dir/portfolio.strat" \
            2>"$dir/strat.err" && [ ! -s "$dir/strat.csv" ]; then
            echo "bench: strat decide failed at $n services:"; head -5 "$dir/strat.err"; exit 1
        fi
        t1=$(ms)
        node "$ROOT/tests/sql/duckdb_run.js" "$modules" "$dir/load_only.sql" >/dev/null || exit 1
        t2=$(ms)
        node "$ROOT/tests/sql/duckdb_run.js" "$modules" "$dir/all.sql" >/dev/null || exit 1
        t3=$(ms)
        t_strat+=" $((t1 - t0))" t_load+=" $((t2 - t1))" t_all+=" $((t3 - t2))"
    done
    # the same decision and rank for every service
    cut -d, -f1-3 "$dir/strat.csv" | tail -n +2 | tr -d '\r' | sort >"$dir/a"
    cut -d, -f1-3 "$dir/duck.csv" | tail -n +2 | tr -d '\r' | sort >"$dir/b"
    if ! cmp -s "$dir/a" "$dir/b"; then
        echo "bench: DuckDB's decisions differ from strat's at $n services:"
        diff "$dir/a" "$dir/b" | head -5
        fail=1
    fi
    s=$(echo $t_strat | median) l=$(echo $t_load | median) a=$(echo $t_all | median)
    q=$((a - l))
    echo "   $n services, median of $REPS (ms):"
    printf "     %-44s %8d\n" "strat decide --format csv -o out.csv" "$s" \
        "DuckDB: load services.csv into a table" "$l" \
        "DuckDB: strat sql's query, COPY to out.csv" "$q" \
        "DuckDB: both" "$a"
    awk -v s="$s" -v a="$a" 'BEGIN { printf "     DuckDB (load + query) / strat decide: %.2fx\n", a / s }'
done
[ "$fail" = 0 ]
