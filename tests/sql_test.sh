#!/usr/bin/env bash
# sql_test.sh BIN — `strat sql` decides as `strat decide` does, in real
# engines: for every example strategy and a generated portfolio
# (tests/sql/portfolio.strat, SQL_N services from tests/sql/gen.awk,
# default 100000), the query of `strat sql --dialect D` runs over the
# inventory loaded from the CSV, and every row is compared with `strat
# decide --format csv`: the same services, rank, decision, arm, because and
# approvers, and every score equal or within one ulp (NaN as NULL).
#
#   PostgreSQL 15 (Debian's postgresql package): a cluster made with initdb
#     in a temporary directory, run by pg_ctl as an unprivileged user (uid
#     65534 through setpriv when the test runs as root) on a private port
#     with only a Unix socket, the CSV loaded with COPY (psql's \copy), the
#     server stopped at the end.
#   DuckDB: npm @duckdb/node-api, installed into a cache directory
#     (SQL_NPM_DIR, default build/sql/npm next to BIN) when missing.
#   (and tests/golden/tables/two_tables.strat: three decide tables)
#   Spark: the query's syntax, checked by DuckDB's parser after the few
#     spellings Spark alone has are mapped back (docs/sql.md: the Spark
#     dialect is untested at runtime).
# Also: what cannot be translated is a located error and no query; usage
# errors (a table or view name that is not a plain name, --scenario) exit 2.
# A missing engine (no initdb, no node or npm unreachable) skips its part
# with a message.
set -u
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin=$(realpath "${1:-$root/build/strat}")
export LC_ALL=C TZ=UTC
today=2027-01-15
N=${SQL_N:-100000}
pass=0
fail=0
. "$root/tests/lib.sh"

tmp=$(mktemp -d)
pg_data=""
cleanup() {
    [ -n "$pg_data" ] && as_pg "$pg_bin/pg_ctl" -D "$pg_data" -m immediate stop >/dev/null 2>&1
    [ -n "${SQL_KEEP:-}" ] && echo "kept $tmp" || rm -rf "$tmp"
}
trap cleanup EXIT
chmod 755 "$tmp"

# ---- the cases: NAME, main file, table (empty: no load) -------------------------
cases=()
# examples outside the SQL subset (docs/sql.md: forecasts and show-back's
# allocation): strat sql must refuse them, located (S1301), and write no query
outside_sql=" itdept "
for f in $(example_mains); do
    name=$(basename "$(dirname "$f")")
    if [[ "$outside_sql" == *" $name "* ]]; then
        query=$("$bin" sql --dialect postgres --today "$today" "$f" 2>"$tmp/refused.txt")
        code=$?
        if [ "$code" = 1 ] && [ -z "$query" ] && grep -q '\.strat:[0-9]*:[0-9]*: error: .*\[S1301\]' "$tmp/refused.txt"; then
            ok
        else
            bad "$name: strat sql should refuse it with S1301 (exit $code)" "$(head -3 "$tmp/refused.txt")"
        fi
        continue
    fi
    cases+=("$name|$f")
done
mkdir -p "$tmp/gen"
cp "$root/tests/sql/portfolio.strat" "$tmp/gen/"
awk -v n="$N" -v seed=11 -f "$root/tests/sql/gen.awk" >"$tmp/gen/portfolio.csv"
cases+=("generated|$tmp/gen/portfolio.strat")
# three decide tables, one reading another, `because` texts that interpolate
mkdir -p "$tmp/two"
cp "$root/tests/golden/tables/two_tables.strat" "$root/tests/golden/tables/two_tables_base.strat" "$tmp/two/"
cases+=("two_tables|$tmp/two/two_tables.strat")
chmod -R a+rX "$tmp"

# prepare NAME FILE: expected.csv (strat decide), the inventory CSV (if the
# strategy loads one) and its table name, in $tmp/NAME/
prepare() {
    local name=$1 file=$2 d=$tmp/$1 load
    mkdir -p "$d"
    "$bin" decide --format csv --today "$today" "$file" >"$d/expected.csv" 2>/dev/null
    load=$(grep -ho '^load service from "[^"]*"' "$(dirname "$file")"/*.strat | head -1 |
        sed 's/.*"\(.*\)"/\1/')
    csv=""
    [ -n "$load" ] && csv=$(dirname "$file")/$load
    echo "$csv" >"$d/csv"
    chmod -R a+rX "$d"
}

# compare_sql NAME: the SELECT listing rows that differ (empty when none).
# The columns are expected.csv's: rank, service, each decide table's
# decision, arm and because (D, D_arm, D_because for a named table D), the
# scores, approver; texts compare equal, scores within an ulp.
compare_sql() {
    local d=$tmp/$1 header cols="" i n
    header=$(head -1 "$d/expected.csv" | tr -d '\r')
    IFS=, read -r -a cols <<<"$header"
    n=${#cols[@]}
    local cond="e.service IS NULL OR g.service IS NULL OR CAST(e.\"rank\" AS BIGINT) <> g.\"rank\""
    cond+=" OR COALESCE(e.approver, '') <> g.approver"
    local text=" "
    for ((i = 2; i + 2 < n; i += 3)); do
        [ "${cols[$((i + 1))]}" = "${cols[$i]/#decision/}arm" ] ||
            [ "${cols[$((i + 1))]}" = "${cols[$i]}_arm" ] || break
        text+="${cols[$i]} ${cols[$((i + 1))]} ${cols[$((i + 2))]} "
    done
    for ((i = 2; i < n - 1; i++)); do
        local c="\"${cols[$i]}\""
        if [[ "$text" == *" ${cols[$i]} "* ]]; then
            cond+=" OR COALESCE(e.$c, '') <> g.$c"
            continue
        fi
        # equal, or within an ulp; nan (not a number) is NULL in the query
        # (COALESCE: a comparison with NULL must count as a difference)
        cond+=" OR NOT COALESCE((e.$c = 'nan' AND g.$c IS NULL) OR CAST(e.$c AS DOUBLE PRECISION) = g.$c"
        cond+=" OR ABS(CAST(e.$c AS DOUBLE PRECISION) - g.$c) <= ABS(g.$c) * CAST('2.220446049250313e-16' AS DOUBLE PRECISION), FALSE)"
    done
    echo "SELECT COALESCE(e.service, g.service), e.\"rank\", g.\"rank\", e.\"${cols[2]}\", g.\"${cols[2]}\""
    echo "FROM expected e FULL JOIN got g ON e.service = g.service"
    echo "WHERE $cond ORDER BY 1 LIMIT 10"
}

for c in "${cases[@]}"; do
    prepare "${c%%|*}" "${c#*|}"
done

# check_rows ENGINE NAME OUTPUT: no row differs, and something was decided
check_rows() {
    local engine=$1 name=$2 out=$3 rows
    rows=$(($(wc -l <"$tmp/$name/expected.csv") - 1))
    if [ "$rows" -lt 1 ]; then
        bad "$engine $name: strat decide decided nothing"
    elif [ -n "$out" ]; then
        bad "$engine $name: rows differ from strat decide (service, rank, rank, decision, decision)" "$out"
    else
        ok
        echo "ok $engine $name: $rows services decided identically"
    fi
}

# ---- DuckDB ------------------------------------------------------------------------
npm_dir=${SQL_NPM_DIR:-$(dirname "$bin")/sql/npm}
duck_version=1.5.6-r.1
modules=$(realpath -m "$npm_dir/node_modules")
have_duck=0
if ! command -v node >/dev/null 2>&1; then
    echo "skip DuckDB: node is not installed"
else
    have=$(node -p "require('$modules/@duckdb/node-api/package.json').version" 2>/dev/null)
    if [ "$have" != "$duck_version" ] && command -v npm >/dev/null 2>&1; then
        mkdir -p "$npm_dir"
        timeout 600 npm install --prefix "$npm_dir" --no-audit --no-fund --no-save \
            --no-package-lock --loglevel=error --fetch-retries=1 --fetch-timeout=60000 \
            "@duckdb/node-api@$duck_version" >"$tmp/npm.log" 2>&1 ||
            echo "skip DuckDB: npm could not install @duckdb/node-api ($(tail -1 "$tmp/npm.log"))"
    fi
    if node "$root/tests/sql/duckdb_run.js" "$modules" version >/dev/null 2>&1; then
        have_duck=1
    else
        echo "skip DuckDB: @duckdb/node-api does not load from $npm_dir"
    fi
fi

duck() {   # duck SCRIPT: the last statement's rows; stderr in $tmp/duck.err
    node "$root/tests/sql/duckdb_run.js" "$modules" "$1" 2>"$tmp/duck.err"
}

if [ "$have_duck" = 1 ]; then
    for c in "${cases[@]}"; do
        name=${c%%|*} file=${c#*|} d=$tmp/${c%%|*}
        csv=$(cat "$d/csv")
        # (exit 1 with a query: findings, such as a score that is not a number)
        "$bin" sql --dialect duckdb --table inventory --today "$today" "$file" >"$d/duck.sql" 2>"$d/duck.err"
        if [ $? -ge 2 ] || [ ! -s "$d/duck.sql" ]; then
            bad "duckdb $name: strat sql failed" "$(cat "$d/duck.err")"
            continue
        fi
        {
            [ -n "$csv" ] && printf "CREATE TABLE inventory AS SELECT * FROM read_csv('%s', header = true, all_varchar = true);\n-- @@\n" "$csv"
            printf "CREATE TABLE expected AS SELECT * FROM read_csv('%s', header = true, all_varchar = true);\n-- @@\n" "$d/expected.csv"
            echo "CREATE TABLE got AS"
            sed 's/;$//' "$d/duck.sql"
            echo "-- @@"
            compare_sql "$name"
        } >"$d/duck_run.sql"
        if ! out=$(duck "$d/duck_run.sql"); then
            bad "duckdb $name: the query failed" "$(cat "$tmp/duck.err")"
            continue
        fi
        check_rows duckdb "$name" "$out"
    done
fi

# ---- Spark SQL: syntax only ----------------------------------------------------------
# the SparkSQL parser of npm dt-sql-parser (a grammar after Spark's own), in
# a cache directory of its own
spark_dir=${SQL_NPM_DIR:-$(dirname "$bin")/sql/npm}-spark
spark_version=4.5.1
spark_modules=$(realpath -m "$spark_dir/node_modules")
have_spark=0
if command -v node >/dev/null 2>&1; then
    have=$(node -p "require('$spark_modules/dt-sql-parser/package.json').version" 2>/dev/null)
    if [ "$have" != "$spark_version" ] && command -v npm >/dev/null 2>&1; then
        mkdir -p "$spark_dir"
        timeout 600 npm install --prefix "$spark_dir" --no-audit --no-fund --no-save \
            --no-package-lock --loglevel=error --fetch-retries=1 --fetch-timeout=60000 \
            "dt-sql-parser@$spark_version" >"$tmp/npm-spark.log" 2>&1 ||
            echo "skip Spark: npm could not install dt-sql-parser ($(tail -1 "$tmp/npm-spark.log"))"
    fi
    printf 'SELECT 1' >"$tmp/one.sql"
    node "$root/tests/sql/spark_check.mjs" "$spark_modules" "$tmp/one.sql" >/dev/null 2>&1 &&
        have_spark=1
fi
if [ "$have_spark" = 1 ]; then
    # the checker itself: it refuses what Spark refuses
    printf 'SELECT CAST(1 AS DOUBLE PRECISION) AS x FROM t WHERE' >"$tmp/bad.sql"
    if node "$root/tests/sql/spark_check.mjs" "$spark_modules" "$tmp/bad.sql" >/dev/null 2>&1; then
        bad "spark: the syntax checker accepts a broken statement"
    else
        ok
    fi
    for c in "${cases[@]}"; do
        name=${c%%|*} file=${c#*|} d=$tmp/${c%%|*}
        "$bin" sql --dialect spark --today "$today" "$file" >"$d/spark.sql" 2>"$d/spark.err"
        if [ $? -ge 2 ] || [ ! -s "$d/spark.sql" ]; then
            bad "spark $name: strat sql failed" "$(cat "$d/spark.err")"
        elif ! out=$(node "$root/tests/sql/spark_check.mjs" "$spark_modules" "$d/spark.sql" 2>&1); then
            bad "spark $name: not Spark SQL" "$out"
        else
            ok
            echo "ok spark $name: the query parses as Spark SQL"
        fi
    done
else
    echo "skip Spark: node or npm dt-sql-parser unavailable"
fi

# ---- what cannot be translated: located errors, no query -----------------------------
# expect_errors FILE CODE@LINE:COL...: exit 1, no query, each error there
expect_errors() {
    local file=$1 want got
    shift
    "$bin" sql --dialect postgres --today "$today" "$root/tests/sql/$file" >"$tmp/untr.out" 2>"$tmp/untr.err"
    local code=$?
    if [ "$code" != 1 ] || [ -s "$tmp/untr.out" ]; then
        bad "untranslatable $file: exit $code with $(wc -c <"$tmp/untr.out") bytes of query (want exit 1, none)" "$(cat "$tmp/untr.err")"
        return
    fi
    for want in "$@"; do
        got=$(grep -c "^.*$file:${want#*@}: error: .*\[${want%@*}\]\$" "$tmp/untr.err")
        if [ "$got" = 1 ]; then ok; else bad "untranslatable $file: no error ${want%@*} at ${want#*@}" "$(grep error "$tmp/untr.err")"; fi
    done
    got=$(grep -c ': error: ' "$tmp/untr.err")
    if [ "$got" = $# ]; then ok; else bad "untranslatable $file: $got errors, want $#" "$(grep error "$tmp/untr.err")"; fi
}
expect_errors untranslatable.strat S1302@23:19 S1303@24:43 S1304@25:19 S1304@26:33 \
    S1301@27:19 S1302@30:17 S1302@36:14
expect_errors two_loads.strat S1305@26:1

# ---- the command line ------------------------------------------------------------------
# usage errors exit 2 with nothing on stdout; --view wraps the query
usage_fails() {   # usage_fails LABEL ARGS...
    local label=$1
    shift
    "$bin" "$@" >"$tmp/usage.out" 2>"$tmp/usage.err"
    local code=$?
    if [ "$code" = 2 ] && [ ! -s "$tmp/usage.out" ] && [ -s "$tmp/usage.err" ]; then
        ok
    else
        bad "usage: $label (exit $code, want 2 and a message)" "$(cat "$tmp/usage.err")"
    fi
}
retail=$root/examples/retail/retail.strat
usage_fails "no --dialect" sql "$retail"
usage_fails "unknown dialect" sql --dialect oracle "$retail"
usage_fails "table name with SQL in it" sql --dialect duckdb --table "x; DROP TABLE y" "$retail"
usage_fails "view name with a quote" sql --dialect duckdb --view "v'" "$retail"
usage_fails "row order through a table" sql --dialect duckdb --row-order "t.line" "$retail"
usage_fails "--scenario" sql --dialect duckdb --scenario x "$retail"
usage_fails "--dialect outside sql" decide --dialect duckdb "$retail"
"$bin" sql --dialect postgres --view portfolio_decisions --today "$today" "$retail" >"$tmp/view.sql" 2>/dev/null
if head -1 "$tmp/view.sql" | grep -qx 'CREATE OR REPLACE VIEW portfolio_decisions AS'; then
    ok
else
    bad "--view: the query is not wrapped in CREATE OR REPLACE VIEW" "$(head -3 "$tmp/view.sql")"
fi

# ---- PostgreSQL ----------------------------------------------------------------------
pg_bin=""
for b in /usr/lib/postgresql/15/bin "$(dirname "$(command -v initdb 2>/dev/null || echo /x/x)")"; do
    [ -x "$b/initdb" ] && [ -x "$b/pg_ctl" ] && { pg_bin=$b; break; }
done
as_pg() {   # the server runs as uid 65534 when we are root (initdb refuses root)
    if [ "$(id -u)" = 0 ]; then
        setpriv --reuid 65534 --regid 65534 --clear-groups -- "$@"
    else
        "$@"
    fi
}
have_pg=0
if [ -z "$pg_bin" ] || ! command -v psql >/dev/null 2>&1; then
    echo "skip PostgreSQL: initdb, pg_ctl or psql not found (Debian: postgresql)"
elif [ "$(id -u)" = 0 ] && ! command -v setpriv >/dev/null 2>&1; then
    echo "skip PostgreSQL: running as root without setpriv to drop privileges"
else
    mkdir -p "$tmp/pg"
    [ "$(id -u)" = 0 ] && chown 65534:65534 "$tmp/pg"
    port=$((20000 + $$ % 20000))
    if ! as_pg "$pg_bin/initdb" -D "$tmp/pg/data" -U strat --auth=trust -E UTF8 --no-locale \
        >"$tmp/pg/initdb.log" 2>&1; then
        bad "PostgreSQL: initdb failed" "$(tail -5 "$tmp/pg/initdb.log")"
    elif pg_data=$tmp/pg/data && ! as_pg "$pg_bin/pg_ctl" -D "$tmp/pg/data" -l "$tmp/pg/server.log" \
        -o "-p $port -k $tmp/pg -c listen_addresses=''" -w -t 60 start >/dev/null 2>&1; then
        bad "PostgreSQL: the server did not start" "$(tail -5 "$tmp/pg/server.log")"
        pg_data=""
    else
        have_pg=1
        echo "PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}') on socket $tmp/pg:$port as uid $(stat -c %u "$tmp/pg/data")"
    fi
fi

psql_run() {   # psql_run SCRIPT: the last statement's rows, tab-separated
    psql -h "$tmp/pg" -p "$port" -U strat -d postgres -X -q -A -t -F $'\t' \
        -v ON_ERROR_STOP=1 -f "$1" 2>"$tmp/psql.err"
}

if [ "$have_pg" = 1 ]; then
    for c in "${cases[@]}"; do
        name=${c%%|*} file=${c#*|} d=$tmp/${c%%|*}
        csv=$(cat "$d/csv")
        # (exit 1 with a query: findings, such as a score that is not a number)
        "$bin" sql --dialect postgres --table inventory --row-order line --today "$today" "$file" >"$d/pg.sql" 2>"$d/pg.err"
        if [ $? -ge 2 ] || [ ! -s "$d/pg.sql" ]; then
            bad "postgres $name: strat sql failed" "$(cat "$d/pg.err")"
            continue
        fi
        {
            echo "SET client_min_messages = warning;"
            echo "DROP TABLE IF EXISTS inventory, expected, got;"
            if [ -n "$csv" ]; then
                # every column text (the query casts what it reads), and the
                # rows numbered as COPY reads them: the heap's order is not
                # the file's (COPY fills free space in earlier pages)
                cols=$(head -1 "$csv" | tr -d '\r' | awk -F, '{for (i = 1; i <= NF; i++) printf "%s\"%s\"", (i > 1 ? ", " : ""), $i}')
                printf "CREATE TABLE inventory (%s, line BIGINT GENERATED ALWAYS AS IDENTITY);\n" \
                    "$(head -1 "$csv" | tr -d '\r' | awk -F, '{for (i = 1; i <= NF; i++) printf "%s\"%s\" TEXT", (i > 1 ? ", " : ""), $i}')"
                printf "\\\\copy inventory (%s) FROM '%s' WITH (FORMAT csv, HEADER true)\n" "$cols" "$csv"
            fi
            printf "CREATE TABLE expected (%s);\n" \
                "$(head -1 "$d/expected.csv" | tr -d '\r' | awk -F, '{for (i = 1; i <= NF; i++) printf "%s\"%s\" TEXT", (i > 1 ? ", " : ""), $i}')"
            printf "\\\\copy expected FROM '%s' WITH (FORMAT csv, HEADER true)\n" "$d/expected.csv"
            echo "CREATE TABLE got AS"
            cat "$d/pg.sql"
            compare_sql "$name"
            echo ";"
        } >"$d/pg_run.sql"
        if ! out=$(psql_run "$d/pg_run.sql"); then
            bad "postgres $name: the query failed" "$(cat "$tmp/psql.err")"
            continue
        fi
        check_rows postgres "$name" "$out"
    done
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
