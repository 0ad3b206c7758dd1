# shellcheck shell=bash
# bench/split_csv.sh — sourced by bench/run.sh and bench/sql.sh: a CSV
# above strat's limit for one source file (MAX_SOURCE_BYTES in src/load.c)
# split into files strat loads one after another, in the same row order.
MAX_SOURCE_MB=256

# split_csv DIR CSV STRAT: DIR/CSV into DIR/BASE-K.csv (BASE: CSV without
# ".csv") of at most 200 MB, each with the header, and in DIR/STRAT the
# `load ... from "CSV" ...` line repeated, once for each part
split_csv() {
    local d=$1 csv=$2 strat=$3 base=${2%.csv} parts
    awk -v dir="$d" -v base="$base" -v max=200000000 '
        NR == 1 { header = $0; next }
        bytes == 0 || bytes + length($0) + 1 > max {
            if (out) close(out)
            k++; out = dir "/" base "-" k ".csv"
            print header > out; bytes = length(header) + 1
        }
        { print > out; bytes += length($0) + 1 }
        END { print k > (dir "/parts") }' "$d/$csv"
    parts=$(cat "$d/parts")
    awk -v k="$parts" -v csv="\"$csv\"" -v base="$base" '
        /^load / && index($0, csv) {
            for (i = 1; i <= k; i++) {
                line = $0
                sub(csv, "\"" base "-" i ".csv\"", line)
                print line
            }
            next
        }
        { print }' "$d/$strat" >"$d/$strat.split" &&
        mv "$d/$strat.split" "$d/$strat"
    echo "   (the CSV is above strat's $MAX_SOURCE_MB MiB limit for one source file: strat loads the" \
        "same rows from $parts file(s) of <= 200 MB, one load line each; the other runners read $csv)"
}
