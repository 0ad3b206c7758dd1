#!/usr/bin/env bash
# csv_seams_test.sh BIN — the parallel CSV reader gives the sequential
# reader's bytes, whatever the threads and block sizes.
#
#   bash tests/csv_seams_test.sh build/strat
#
# A CSV of 2 MiB or more is cut into blocks that worker threads parse (see
# read_rows in src/csv_load.c); a smaller file is one block, parsed by the
# main thread through the same fast path.  So the reference here is the
# full reader alone (STRAT_CSV_RECORDS=1: every record read and checked as
# the fast path's refusals are), and the block reader is compared with it.
# The environment variable STRAT_CSV_BLOCK=N forces blocks of about N bytes
# even on small files, so every seam case can be put between two records,
# or (with a wrong guess) inside one.  For every strategy here that loads
# a CSV (tests/golden/csv, examples/inventory, and the awkward files this
# script writes: quoted fields with newlines and "" escapes, CRLF and lone
# CR line ends, a BOM, blank lines, a literal quote inside an unquoted field,
# bad cells of every kind, an unterminated quote, more records in one block
# than a block holds), it runs
#   check --format json       and     decide --format csv
# with the full reader, then with STRAT_CSV_BLOCK in 1 5 37 4096 1000000
# (1 and 37 also with STRAT_CSV_SLEEP=1: threads that sleep at once when
# they wait for each other) and --threads 1 2 3, and compares stdout,
# stderr and the exit code.  Last, a
# 3 MB file read with the defaults (parallel, and the inputs hash computed
# on a thread once it is loaded) against --threads 1, its inputs hash
# against Python's hashlib, and its rows split over two files against one.
# Prints `N passed, M failed` last; exit 1 on any failure.
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:?usage: csv_seams_test.sh BIN}
case "$bin" in /*) ;; *) bin=$PWD/$bin ;; esac
tmp=$(mktemp -d)
trap '[ -n "${KEEP:-}" ] && echo "kept $tmp" >&2 || rm -rf "$tmp"' EXIT
export LC_ALL=C TZ=UTC
pass=0 fail=0

# ---- awkward files, one strategy each --------------------------------------
mkdir -p "$tmp/gen"
strategy() {   # strategy NAME CSVFILE
    cat > "$tmp/gen/$1.strat" <<EOF
strategy "seams" { horizon = 2027-01-01 .. 2027-12-31  budget = 1000B }
customer everyone { title = "Everyone" }
customer staff { title = "Staff" }
schema service {
  cost : number >= 0 = 0
  csat : number in 0 .. 5 = 3
}
load service from "$2" { key = "id" }
score value(s) = s.csat / 5 - s.cost / 1M
decide {
  retire   when s.status == retired
  invest   when value(s) >= 0.5
  tolerate otherwise
  rank by value(s) desc
}
EOF
}

{   # quoted fields, escapes, newlines inside quotes, CRLF, blank lines, BOM
    printf '\xef\xbb\xbfid,title,status,customers,cost,csat\r\n'
    for i in $(seq 1 60); do
        case $((i % 6)) in
        0) printf 's%d,"Title, with comma %d",catalogue,everyone,%d,4\r\n' "$i" "$i" "$((i * 100))" ;;
        1) printf 's%d,"He said ""hi"" %d",retired,"everyone;staff",1e3,2.5\n' "$i" "$i" ;;
        2) printf 's%d,"two\nlines %d",pipeline,,  7 ,\n' "$i" "$i" ;;
        3) printf '\n' ; printf 's%d,plain %d,catalogue,staff,0,5\n' "$i" "$i" ;;
        4) printf 's%d,"quoted ""%d"" and\r\nCRLF inside",catalogue,everyone,12500,1\n' "$i" "$i" ;;
        5) printf '"s%d",Ünïcödé %d,retired,everyone,3,"3"\n' "$i" "$i" ;;
        esac
    done
} > "$tmp/gen/quoted.csv"
strategy quoted quoted.csv

{   # lone CR line ends, and a literal quote inside an unquoted field (its
    # odd quote count puts the guessed block starts inside records)
    printf 'id,title,cost\r'
    for i in $(seq 1 40); do printf 'q%d,say "hi %d,%d\r' "$i" "$i" "$i"; done
} > "$tmp/gen/lonecr.csv"
strategy lonecr lonecr.csv

{   # a literal quote in an unquoted field, then a quoted field with a line
    # break: the even-quote guess puts block starts inside the quoted field
    printf 'id,title,capability,cost\n'
    for i in $(seq 1 50); do
        printf 'm%d,say "hi %d,"multi\nline %d",%d\n' "$i" "$i" "$i" "$i"
    done
} > "$tmp/gen/oddquote.csv"
strategy oddquote oddquote.csv

{   # every kind of bad cell, spread among good rows
    printf 'id,title,status,customers,cost,csat\n'
    for i in $(seq 1 80); do
        case $((i % 10)) in
        0) printf 'b%d,t,catalogue,everyone,lots,1\n' "$i" ;;
        1) printf 'b%d,t,catalogue,everyone,5,9\n' "$i" ;;
        2) printf 'b%d,t\xff\xfe,catalogue,everyone,5,1\n' "$i" ;;
        3) printf 'b%d,t,catalgue,everyone,5,1\n' "$i" ;;
        4) printf 'b%d,t,catalogue,nobody,5,1\n' "$i" ;;
        5) printf 'b1,dup,catalogue,everyone,5,1\n' ;;
        6) printf 'b%d,t,catalogue\n' "$i" ;;
        7) printf ',empty key,catalogue,everyone,5,1\n' ;;
        8) printf 'b%d,t,catalogue,everyone,1e-400,1\n' "$i" ;;
        9) printf 'b%d,t,catalogue,everyone,-3,1\n' "$i" ;;
        esac
        printf 'g%d,good %d,catalogue,everyone,%d,2\n' "$i" "$i" "$i"
    done
} > "$tmp/gen/bad.csv"
strategy bad bad.csv

{   # long text cells (past a word of ASCII) with a bad byte or a NUL at
    # every position of a word, and good ones with UTF-8 after the ASCII
    printf 'id,title,cost\n'
    for i in $(seq 0 11); do
        pad=$(printf '%*s' "$i" '' | tr ' ' x)
        printf 'long-key-%d,A longer title %s\xff and more,1\n' "$i" "$pad"
        printf 'nul-%d,A longer title %s\0 and more,2\n' "$i" "$pad"
        printf 'ok-%d,A longer title %s caf\xc3\xa9 r\xc3\xa9sum\xc3\xa9,3\n' "$i" "$pad"
        printf 'badkey-%s\xc3(,title,4\n' "$pad"
        printf 'trunc-%d,A longer title %s\xe2\x82,5\n' "$i" "$pad"
    done
} > "$tmp/gen/longtext.csv"
strategy longtext longtext.csv

{   # good rows, then a quote that never closes
    printf 'id,title,cost\n'
    for i in $(seq 1 30); do printf 'u%d,t%d,%d\n' "$i" "$i" "$i"; done
    printf 'u99,"never closed,5\nu100,t,1\n'
} > "$tmp/gen/unterminated.csv"
strategy unterminated unterminated.csv

{   # more records than one block holds (16384), tiny ones
    printf 'id,cost\n'
    seq 1 20000 | sed 's/.*/k&,&/'
} > "$tmp/gen/tiny.csv"
strategy tiny tiny.csv

{   # no newline after the last record, and a NUL in a cell
    printf 'id,title,cost\nn1,a,1\nn2,b\0c,2\nn3,c,3'
} > "$tmp/gen/nonl.csv"
strategy nonl nonl.csv

# ---- compare ---------------------------------------------------------------
run() {   # run OUTDIR FILE [ENV...] -- ARGS...
    local out=$1 file=$2
    shift 2
    local envs=()
    while [ "$1" != -- ]; do envs+=("$1"); shift; done
    shift
    # (a hand-over between the CSV threads that never wakes its sleeper
    # hangs: the time limit makes that a failure)
    (cd "$(dirname "$file")" &&
        env "${envs[@]}" timeout 120 "$bin" check --format json --today 2027-01-15 "$@" \
            "$(basename "$file")" > "$out.check.out" 2> "$out.check.err"
        echo $? > "$out.check.rc"
        env "${envs[@]}" timeout 120 "$bin" decide --format csv --jit off --today 2027-01-15 "$@" \
            "$(basename "$file")" > "$out.decide.out" 2> "$out.decide.err"
        echo $? > "$out.decide.rc")
}

files=()
for f in "$root"/tests/golden/csv/*.strat "$root"/examples/inventory/*.strat \
         "$tmp"/gen/*.strat; do
    grep -q '^load ' "$f" 2>/dev/null && files+=("$f")
done
for f in "$root"/examples/inventory/inventory.strat; do
    [ -f "$f" ] && ! printf '%s\n' "${files[@]}" | grep -qx "$f" && files+=("$f")
done

for f in "${files[@]}"; do
    name=$(basename "$(dirname "$f")")-$(basename "$f" .strat)
    run "$tmp/ref" "$f" STRAT_CSV_BLOCK= STRAT_CSV_RECORDS=1 -- --threads 1
    # (sleep=1: the threads sleep at once when they wait, STRAT_CSV_SLEEP)
    for config in 1 5 37 4096 1000000 1:sleep 37:sleep; do
        block=${config%:sleep} sleep_env=STRAT_CSV_SLEEP=
        [ "$config" = "$block" ] || sleep_env=STRAT_CSV_SLEEP=1
        for threads in 1 2 3; do
            run "$tmp/try" "$f" STRAT_CSV_BLOCK=$block $sleep_env -- --threads $threads
            ok=1
            for part in check.out check.err check.rc decide.out decide.err decide.rc; do
                if ! cmp -s "$tmp/ref.$part" "$tmp/try.$part"; then
                    ok=0
                    echo "FAIL $name block=$block $sleep_env threads=$threads: $part differs" >&2
                    diff "$tmp/ref.$part" "$tmp/try.$part" | head -10 >&2
                fi
            done
            if [ $ok = 1 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
        done
    done
done
# the generated files must really exercise the reader: some rows load,
# and the bad file's problems are reported
for want in quoted:tolerate quoted:retire lonecr:invest oddquote:invest tiny:invest; do
    n=${want%%:*} d=${want#*:}
    run "$tmp/sanity" "$tmp/gen/$n.strat" STRAT_CSV_BLOCK= -- --threads 1
    if grep -q ",$d," "$tmp/sanity.decide.out"; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        echo "FAIL gen/$n: expected some $d decisions" >&2
        head -5 "$tmp/sanity.decide.out" "$tmp/sanity.check.err" >&2
    fi
done
run "$tmp/sanity" "$tmp/gen/bad.strat" STRAT_CSV_BLOCK= -- --threads 1
nerr=$(grep -o '"severity": *"error"' "$tmp/sanity.check.out" | wc -l)
if [ "$nerr" -ge 8 ]; then pass=$((pass + 1)); else
    fail=$((fail + 1)); echo "FAIL gen/bad: only $nerr errors reported" >&2; fi
# a file large enough for the defaults to go parallel (2 MiB) and for the
# inputs hash to be computed on a thread once it is loaded (1 MiB): the same
# output as one thread, and the hash docs/language.md says how to recompute.
# Empty cells all through it: a row's columns are set to missing by the
# workers, ahead of the main thread, on the parallel path (rows_ready in
# src/csv_load.c), and before the load with one thread; a row not set
# reads as 0 (fresh memory), not as the schema's default.
{
    printf 'id,title,status,customers,cost,csat\n'
    seq 1 60000 | awk '{ printf "big%06d,%s,%s,everyone,%s,%s\n", $1,
                         ($1 % 13 ? "Service number " $1 : ""),
                         ($1 % 7 ? ($1 % 11 ? "catalogue" : "") : "retired"),
                         ($1 % 5 ? ($1 * 7919) % 900000 : ""),
                         ($1 % 3 ? sprintf("%.1f", ($1 % 50) / 10) : "") }'
} > "$tmp/gen/big.csv"
# (a title never set is 0 in fresh memory, an atom: `defined` tells)
missing_arm() { sed -i 's/^  retire   when s.status == retired$/  experiment when not defined(s.title)\n&/' "$1"; }
strategy big big.csv
missing_arm "$tmp/gen/big.strat"
run "$tmp/big1" "$tmp/gen/big.strat" -- --threads 1
run "$tmp/bigN" "$tmp/gen/big.strat" --
if cmp -s "$tmp/big1.decide.out" "$tmp/bigN.decide.out" &&
   cmp -s "$tmp/big1.check.out" "$tmp/bigN.check.out"; then
    pass=$((pass + 1))
else
    fail=$((fail + 1)); echo "FAIL gen/big: default threads differ from --threads 1" >&2
fi
if command -v python3 >/dev/null 2>&1; then
    want=$(cd "$tmp/gen" && python3 -c 'import hashlib;h=hashlib.sha256()
for f in ["big.strat","big.csv"]:
    b=open(f,"rb").read(); h.update(b"%d:"%len(b)+b)
print(h.hexdigest())')
    got=$(cd "$tmp/gen" && "$bin" decide --format summary --today 2027-01-15 big.strat 2>/dev/null |
          sed -n 's/^# inputs sha256: //p')
    if [ "$want" = "$got" ]; then pass=$((pass + 1)); else
        fail=$((fail + 1)); echo "FAIL gen/big: inputs sha256 $got, want $want" >&2; fi
fi
# the same rows from two files (all files are read before any is parsed,
# and their rows reserved at once): the same decisions as from one
{ head -n 30001 "$tmp/gen/big.csv"; } > "$tmp/gen/half1.csv"
{ head -n 1 "$tmp/gen/big.csv"; tail -n +30002 "$tmp/gen/big.csv"; } > "$tmp/gen/half2.csv"
strategy halves half1.csv
missing_arm "$tmp/gen/halves.strat"
echo 'load service from "half2.csv" { key = "id" }' >> "$tmp/gen/halves.strat"
(cd "$tmp/gen" && "$bin" decide --format csv --today 2027-01-15 big.strat 2>&1 |
    grep -v '^#' | cut -d, -f1-3,5- > "$tmp/one.txt")
(cd "$tmp/gen" && "$bin" decide --format csv --today 2027-01-15 halves.strat 2>&1 |
    grep -v '^#' | cut -d, -f1-3,5- > "$tmp/two.txt")
if [ "$(wc -l < "$tmp/one.txt")" -gt 60000 ] && cmp -s "$tmp/one.txt" "$tmp/two.txt"; then
    pass=$((pass + 1))
else
    fail=$((fail + 1)); echo "FAIL gen/halves: two files decide differently from one" >&2
    diff "$tmp/one.txt" "$tmp/two.txt" | head -5 >&2
fi
# a CSV file of 1 MiB or more is mapped, not read (load_read_fd in src/load.c):
# one of exactly 1 MiB (a whole number of pages, so the NULs after it are
# the next page's) whose last record has no newline, and one a byte longer,
# against the same rows from two files under 1 MiB (read)
for extra in 0 1; do
    python3 - "$tmp/gen/mapped.csv" "$extra" <<'PY'
import sys
path, extra = sys.argv[1], int(sys.argv[2])
rows, i = ["id,title,status,customers,cost,csat"], 0
while sum(len(r) + 1 for r in rows) < (1 << 20) - 200:
    rows.append("m%d,Title %d,catalogue,everyone,%d,%d" % (i, i, i * 7 % 1000, i % 6))
    i += 1
text = "\n".join(rows) + "\nlast,T,catalogue,everyone,5,"
pad = (1 << 20) + extra - len(text) - 1
text = text.replace("\nlast,T,", "\nlast,T" + "x" * pad + ",") + "4"
assert len(text) == (1 << 20) + extra and not text.endswith("\n")
open(path, "w").write(text)
PY
    n=$(wc -l < "$tmp/gen/mapped.csv")
    { head -n $((n / 2)) "$tmp/gen/mapped.csv"; } > "$tmp/gen/mhalf1.csv"
    { head -n 1 "$tmp/gen/mapped.csv"; tail -n +$((n / 2 + 1)) "$tmp/gen/mapped.csv"; } \
        > "$tmp/gen/mhalf2.csv"
    strategy mapped mapped.csv
    strategy mhalves mhalf1.csv
    echo 'load service from "mhalf2.csv" { key = "id" }' >> "$tmp/gen/mhalves.strat"
    (cd "$tmp/gen" && "$bin" decide --format csv --today 2027-01-15 mapped.strat 2>&1 |
        grep -v '^#' | cut -d, -f1-3,5- | sort > "$tmp/one.txt")
    (cd "$tmp/gen" && "$bin" decide --format csv --today 2027-01-15 mhalves.strat 2>&1 |
        grep -v '^#' | cut -d, -f1-3,5- | sort > "$tmp/two.txt")
    if [ "$(wc -c < "$tmp/gen/mhalf1.csv")" -lt 1048576 ] &&
       [ "$(wc -c < "$tmp/gen/mhalf2.csv")" -lt 1048576 ] &&
       [ "$(wc -l < "$tmp/one.txt")" -gt 20000 ] && grep -q ',last,' "$tmp/one.txt" &&
       cmp -s "$tmp/one.txt" "$tmp/two.txt"; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        echo "FAIL gen/mapped+$extra: a mapped 1 MiB file decides differently from read ones" >&2
        diff "$tmp/one.txt" "$tmp/two.txt" | head -5 >&2
    fi
done
# the pages of a mapped file are let go after the check stage
# (load_drop_mapped_pages); a diagnostic printed after that still shows
# its record, read back from the page cache
{ printf 'id,title,status,customers,cost,csat\n'
  seq 1 40000 | awk '{ print "d" $1 ",Title " $1 ",catalogue,everyone," ($1 % 1000) ",3" }'
  printf 'oddone,Odd,catalogue,everyone,12x,3\n'; } > "$tmp/gen/dropped.csv"
strategy dropped dropped.csv
(cd "$tmp/gen" && "$bin" check --today 2027-01-15 dropped.strat > /dev/null 2> "$tmp/dropped.err")
if [ "$(wc -c < "$tmp/gen/dropped.csv")" -ge 1048576 ] &&
   grep -q '^ *40002 | oddone,Odd,catalogue,everyone,12x,3$' "$tmp/dropped.err"; then
    pass=$((pass + 1))
else
    fail=$((fail + 1))
    echo "FAIL gen/dropped: the bad cell's record is not shown from a mapped file" >&2
    grep -A2 oddone "$tmp/dropped.err" | head -5 >&2
fi
echo "csv seams: $pass passed, $fail failed"
[ $fail = 0 ]
