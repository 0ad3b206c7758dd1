#!/usr/bin/env bash
# writer_test.sh BIN — the parallel CSV and JSON writers give the serial
# writer's bytes, whatever the threads and block sizes.
#
#   bash tests/writer_test.sh build/strat
#   make tsan        (runs it under ThreadSanitizer as well)
#
# `strat decide --format csv|json` formats its rows in blocks (write_rows
# in src/emit.c): more rows than one block holds (1024) are formatted by
# worker threads, a round of blocks at a time, and written in order; a
# block whose buffer fills (long rows) leaves its last rows to the calling
# thread.  STRAT_OUTPUT_BLOCK=N (a testing knob) sets the rows per block,
# and a block size above the row count gives the serial writer.
#
# The strategy here has 3000 services from a CSV, names and `because`
# texts that need quoting in CSV and escaping in JSON, an arm whose
# `because` is 3000 characters (so a block of its rows overflows its
# buffer), approvals with one or two approvers, ties in rank, a score that
# is not a number for some rows (decision `error`), and two scores.  For
# csv and json it compares the serial writer's output with the default
# and with blocks of 1, 7, 333 and 2999 rows on 1, 2, 3 and 8 threads, and
# `-o FILE` with standard output (also with the file flushed as it grows,
# STRAT_TEST_SYNC_BYTES); table and md (serial writers) against
# themselves over threads.  Prints `N passed, M failed` last; exit 1 on
# any failure.
set -u
bin=${1:?usage: writer_test.sh BIN}
case "$bin" in /*) ;; *) bin=$PWD/$bin ;; esac
tmp=$(mktemp -d)
trap '[ -n "${KEEP:-}" ] && echo "kept $tmp" >&2 || rm -rf "$tmp"' EXIT
export LC_ALL=C TZ=UTC
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
n=${WRITER_ROWS:-3000}

long=$(for i in $(seq 1 300); do printf 'word%d, \\"q\\" ' "$i"; done)
cat >"$tmp/w.strat" <<STRAT
strategy "writer, \"test\"" { horizon = 2027-01-01 .. 2027-12-31  budget = 100000B }
customer everyone { title = "Everyone" }
role cfo { title = "CFO" }
role cio { title = "CIO" }
schema service {
  cost : number >= 0 = 0
  csat : number in 0 .. 5 = 3
  users : number >= 0 = 1
}
load service from "w.csv" { key = "id" }
score value(s) = s.csat / 5 - s.cost / 1M
score per_user(s) = s.cost / s.users
decide {
  retire   when s.status == retired because "retired, \"as\" planned\tnow"
  invest   when value(s) >= 0.7 because "$long"
  enhance  when per_user(s) > 200 because "é, ü; new\nline"
  tolerate otherwise
  rank by value(s) desc
}
approval big { when = decision == invest and s.cost > 500  approver = cfo }
approval also { when = decision == invest and s.cost > 800  approver = cio }
STRAT
{
    echo "id,title,status,customers,cost,csat,users"
    for ((i = 0; i < n; i++)); do
        st=catalogue
        ((i % 17 == 0)) && st=retired
        # users 0 on some rows: per_user is not a number (decision error)
        printf 's%d,"Svc, %d",%s,everyone,%d,%d.%d,%d\n' "$i" "$i" "$st" \
            $(((i * 7919) % 1000)) $((i % 5)) $((i % 10)) $((i % 97 ? i % 13 + 1 : 0))
    done
} >"$tmp/w.csv"

cd "$tmp" || exit 2
run() {   # OUT=FILE run ARGS... : stdout to FILE, stderr to FILE.err, exit code to FILE.rc
    "$bin" decide --today 2027-01-15 "$@" w.strat >"$OUT" 2>"$OUT.err"
    echo $? >"$OUT.rc"
}
same() {   # same WHAT A B
    if cmp -s "$2" "$3" && cmp -s "$2.rc" "$3.rc" && cmp -s "$2.err" "$3.err"; then
        ok
    else
        bad "$1: $(cmp "$2" "$3" 2>&1 | head -1)"
    fi
}

for fmt in csv json; do
    OUT=$fmt.serial STRAT_OUTPUT_BLOCK=1000000 run --format "$fmt"
    rows=$(grep -c '"*s[0-9]' "$fmt.serial")
    # exit 1: the error rows are findings
    if [ "$(cat "$fmt.serial.rc")" = 1 ] && [ "$rows" = "$n" ]; then ok; else
        bad "$fmt: serial run: exit $(cat "$fmt.serial.rc"), $rows rows"
        sed 's/^/    /' "$fmt.serial.err" | head -5
    fi
    if grep -q ',error,\|"decision": null' "$fmt.serial" && grep -q 'cfo, cio\|"cfo", "cio"' "$fmt.serial" &&
        grep -q 'word300' "$fmt.serial"; then ok; else
        bad "$fmt: the error rows, the two approvers or the long because are missing"
    fi
    OUT=$fmt.default run --format "$fmt"
    same "$fmt default blocks" "$fmt.serial" "$fmt.default"
    for block in 1 7 333 $((n - 1)); do
        for threads in 1 2 3 8; do
            OUT=$fmt.$block.$threads STRAT_OUTPUT_BLOCK=$block run --format "$fmt" --threads "$threads"
            same "$fmt block $block threads $threads" "$fmt.serial" "$fmt.$block.$threads"
        done
    done
    OUT=$fmt.file run --format "$fmt" -o "out.$fmt"
    if cmp -s "out.$fmt" "$fmt.serial"; then ok; else bad "$fmt: -o FILE differs from standard output"; fi
    # the file made durable as it grows (src/cli/cli.c, "syncing ahead"):
    # past 2 x STRAT_TEST_SYNC_BYTES a thread flushes it while the rows
    # are written, every 8 kB here; under strace, the flushes are seen
    size=$(wc -c <"$fmt.serial")
    if [ "$size" -lt 65536 ]; then
        bad "$fmt: a $size-byte output is too small to meet the syncer"
    fi
    OUT=$fmt.synced STRAT_TEST_SYNC_BYTES=4096 STRAT_OUTPUT_BLOCK=7 run --format "$fmt" --threads 3 \
        -o "out.sync.$fmt"
    if cmp -s "out.sync.$fmt" "$fmt.serial" && [ ! -s "$fmt.synced" ]; then ok; else
        bad "$fmt: -o FILE synced as it grows differs from standard output"
    fi
    if command -v strace >/dev/null 2>&1 && strace -o /dev/null true 2>/dev/null; then
        STRAT_TEST_SYNC_BYTES=4096 strace -f -qq -e trace=fdatasync -o "$fmt.strace" \
            "$bin" decide --today 2027-01-15 --format "$fmt" -o "out.sync.$fmt" w.strat 2>/dev/null
        flushes=$(grep -c 'fdatasync' "$fmt.strace")
        # (asks that come while a flush runs are one flush: how many is
        # timing; none is a syncer that never ran)
        if [ "$flushes" -ge 1 ]; then ok; else bad "$fmt: no flush while the output grew"; fi
    fi
done
# --columns: a projection of the full CSV, in the order named (checked
# with Python's csv module), the same from the serial and threaded writers
score=$(head -1 csv.serial | tr -d '\r' | awk -F, '{ print $(NF - 1) }')
cols="because,$score,service,decision"
OUT=cols.serial STRAT_OUTPUT_BLOCK=1000000 run --format csv --columns "$cols"
OUT=cols.7.3 STRAT_OUTPUT_BLOCK=7 run --format csv --columns "$cols" --threads 3
same "csv --columns block 7 threads 3" cols.serial cols.7.3
if ! command -v python3 >/dev/null 2>&1; then
    echo "writer_test: python3 not installed: --columns is compared between writers only"
elif python3 - csv.serial cols.serial "$cols" <<'EOF'
import csv, sys
full = list(csv.reader(open(sys.argv[1], newline='')))
picked = list(csv.reader(open(sys.argv[2], newline='')))
names = sys.argv[3].split(',')
at = [full[0].index(n) for n in names]
want = [[row[k] for k in at] for row in full]
sys.exit(0 if picked == want and len(want) > 3000 else 1)
EOF
then ok; else bad "csv --columns $cols is not the full CSV's columns"; fi

for fmt in table md; do
    OUT=$fmt.1 run --format "$fmt" --threads 1
    OUT=$fmt.3 run --format "$fmt" --threads 3
    same "$fmt threads 1 and 3" "$fmt.1" "$fmt.3"
done

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
