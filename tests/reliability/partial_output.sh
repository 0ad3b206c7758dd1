#!/usr/bin/env bash
# partial_output.sh BIN — `-o FILE` never leaves a half-written FILE.
#
#   bash tests/reliability/partial_output.sh build/strat
#
# Writes an old FILE, then makes `strat decide -o FILE` (and `check --format
# json -o FILE`) fail in the middle of writing, and checks each time that
# FILE still holds the old bytes (or, where the run may have finished, the
# complete new output), that strat said why (exit 2 and "cannot write"),
# and that no temporary FILE.tmpXXXXXX is left behind:
#   a. a write error: the file-size limit (`ulimit -f`, SIGXFSZ ignored so
#      write() returns EFBIG), for decide in each format and for check;
#   b. SIGXFSZ not ignored: strat is killed by the signal mid-write;
#   c. a full file system: a 64 kB tmpfs (skipped when mount is not allowed);
#   d. a directory without write permission (skipped as root, where it does
#      not stop writes — CI runs as root);
#   e. FILE is a directory; FILE's directory does not exist;
#   f. the strategy has errors: nothing to write, FILE stays as it was;
#   g. `kill -9` while writing a large output (a 200k-service CSV
#      portfolio): once at ~0.3 s, and once as soon as the temporary file
#      has data in it.  kill -9 cannot clean up, so a leftover FILE.tmpXXXXXX
#      is accepted there; FILE itself must be intact;
#   h. (not a failure mode, but checked here) the file written gets the
#      mode a new file gets, not mkstemp's 0600;
#   i. a mapped input CSV (1 MiB or more) truncated while strat reads it;
#   j. a flush that fails while a large output grows (src/cli/cli.c,
#      "syncing ahead"): fdatasync made to fail with EIO by a preloaded
#      shim; the kernel reports a failed writeback once per open file, so
#      the final fsync would not see it again: strat must fail, exit 2.
# Prints `N passed, M failed` last; exit 1 on any failure.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=$(realpath "${1:-$root/build/strat}")
export STRAT_STDLIB=${STRAT_STDLIB:-$root/stdlib}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$root/tests/lsan.supp:print_suppressions=0}
export LC_ALL=C TZ=UTC
today=2027-01-15
pass=0
fail=0
tmp=$(mktemp -d)
export XDG_CACHE_HOME=$tmp/cache
cleanup() {
    [ -n "${mounted:-}" ] && umount "$tmp/full" 2>/dev/null
    chmod -R u+rwx "$tmp" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT

ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() {
    fail=$((fail + 1))
    echo "FAIL $1"
    [ -n "${2:-}" ] && printf '%s\n' "$2" | head -10 | sed 's/^/    /'
    return 0
}

ex=$root/examples/retail
main=retail.strat
old_text="old contents that must survive
"

# verify NAME TARGET: TARGET holds the old text, no temporary files beside it
verify() {
    local name=$1 target=$2 why=""
    if [ ! -f "$target" ]; then
        why="$target is gone"
    elif [ "$(cat "$target"; echo x)" != "${old_text}x" ]; then
        why="$target was changed: $(head -c 80 "$target" | tr '\n' ' ')"
    fi
    local left
    left=$(ls -d "$target".tmp* 2>/dev/null | head -3)
    [ -n "$left" ] && why="${why:+$why; }temporary file left: $left"
    if [ "$code" != 2 ]; then
        why="${why:+$why; }exit $code, want 2"
    fi
    if ! grep -aqE 'cannot write|error writing' "$tmp/err"; then
        why="${why:+$why; }no \"cannot write\" message"
    fi
    if grep -aqE 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$tmp/err"; then
        why="${why:+$why; }sanitizer report"
    fi
    if [ -z "$why" ]; then ok "$name"; else bad "$name: $why" "$(head -5 "$tmp/err")"; fi
    rm -f "$target".tmp*
}

# ---- a. write error through the file-size limit -------------------------------
out=$tmp/out
mkdir -p "$out"
for fmt in table json csv md html; do
    printf '%s' "$old_text" >"$out/decisions"
    # 1 block of 1024 bytes: every format of retail is larger
    (cd "$ex" && trap '' XFSZ && ulimit -f 1 &&
        "$bin" decide --today "$today" --format "$fmt" -o "$out/decisions" "$main" \
            >/dev/null 2>"$tmp/err")
    code=$?
    verify "write error (EFBIG) in decide --format $fmt" "$out/decisions"
done
printf '%s' "$old_text" >"$out/report.json"
(cd "$root/examples/broken" && trap '' XFSZ && ulimit -f 1 &&
    "$bin" check --format json --today "$today" -o "$out/report.json" \
        --max-errors 1000 ../retail/retail.strat csv_bad_cell.strat >/dev/null 2>"$tmp/err")
code=$?
# check exits 2 on the write error even though the strategy has findings
verify "write error (EFBIG) in check --format json" "$out/report.json"

# ---- b. SIGXFSZ kills strat mid-write ------------------------------------------------
printf '%s' "$old_text" >"$out/decisions"
{ (cd "$ex" && ulimit -f 1 &&
    exec "$bin" decide --today "$today" --format json -o "$out/decisions" "$main" >/dev/null 2>"$tmp/err"); } 2>/dev/null
code=$?
if [ "$code" -lt 128 ]; then
    bad "SIGXFSZ: exit $code, expected death by SIGXFSZ"
elif [ "$(cat "$out/decisions"; echo x)" != "${old_text}x" ]; then
    bad "SIGXFSZ: the target was changed"
else
    ok "killed by SIGXFSZ mid-write: target intact"
fi
rm -f "$out"/decisions.tmp*

# ---- c. a full file system ------------------------------------------------------------
mkdir -p "$tmp/full"
if mount -t tmpfs -o size=64k tmpfs "$tmp/full" 2>/dev/null; then
    mounted=1
    printf '%s' "$old_text" >"$tmp/full/decisions"
    head -c 60000 /dev/zero >"$tmp/full/filler" 2>/dev/null
    (cd "$ex" && "$bin" decide --today "$today" --format json -o "$tmp/full/decisions" "$main" \
        >/dev/null 2>"$tmp/err")
    code=$?
    verify "full file system (ENOSPC)" "$tmp/full/decisions"
    umount "$tmp/full" 2>/dev/null && mounted=""
else
    echo "skip full file system: cannot mount a tmpfs here"
fi

# ---- d. no permission to create the temporary file ---------------------------------------
if [ "$(id -u)" = 0 ]; then
    echo "skip read-only directory: running as root, which writes anyway"
else
    mkdir -p "$tmp/ro"
    printf '%s' "$old_text" >"$tmp/ro/decisions"
    chmod 555 "$tmp/ro"
    (cd "$ex" && "$bin" decide --today "$today" -o "$tmp/ro/decisions" "$main" >/dev/null 2>"$tmp/err")
    code=$?
    chmod 755 "$tmp/ro"
    verify "read-only directory" "$tmp/ro/decisions"
fi

# ---- e. the target is a directory; its directory is missing ---------------------------------
mkdir -p "$out/adir"
(cd "$ex" && "$bin" decide --today "$today" -o "$out/adir" "$main" >/dev/null 2>"$tmp/err")
code=$?
left=$(ls -d "$out"/adir.tmp* 2>/dev/null | head -1)
if [ "$code" = 2 ] && [ -d "$out/adir" ] && [ -z "$left" ] && grep -q 'cannot write' "$tmp/err"; then
    ok "target is a directory"
else
    bad "target is a directory: exit $code${left:+, left $left}" "$(head -3 "$tmp/err")"
fi
rm -rf "$out"/adir.tmp*
(cd "$ex" && "$bin" decide --today "$today" -o "$out/missing/dir/decisions" "$main" >/dev/null 2>"$tmp/err")
code=$?
if [ "$code" = 2 ] && [ ! -e "$out/missing" ] && grep -q 'cannot write' "$tmp/err"; then
    ok "target directory missing"
else
    bad "target directory missing: exit $code" "$(head -3 "$tmp/err")"
fi

# ---- f. a strategy with errors writes nothing -------------------------------------------------
printf '%s' "$old_text" >"$out/decisions"
(cd "$root/examples/broken" && "$bin" decide --today "$today" -o "$out/decisions" \
    undefined_reference.strat >/dev/null 2>"$tmp/err")
code=$?
left=$(ls -d "$out"/decisions.tmp* 2>/dev/null | head -1)
if [ "$code" = 1 ] && [ "$(cat "$out/decisions"; echo x)" = "${old_text}x" ] && [ -z "$left" ]; then
    ok "strategy with errors: target untouched"
else
    bad "strategy with errors: exit $code${left:+, left $left}" "$(head -c 200 "$out/decisions")"
fi

# ---- h. the file written has the mode any new file gets ------------------------------------------
# (the temporary file comes from mkstemp, mode 0600: without a chmod the
# report is unreadable to the group and the web server that should read it)
rm -f "$out/fresh.html"
(umask 022 && cd "$ex" && "$bin" decide --today "$today" --format html -o "$out/fresh.html" "$main" \
    >/dev/null 2>"$tmp/err")
mode=$(stat -c %a "$out/fresh.html" 2>/dev/null)
if [ "$mode" = 644 ]; then
    ok "new output file has mode 644 under umask 022"
else
    bad "new output file has mode ${mode:-?} under umask 022, want 644 (as any new file)"
fi
printf '%s' "$old_text" >"$out/kept.md"
chmod 664 "$out/kept.md"
(umask 022 && cd "$ex" && "$bin" decide --today "$today" --format md -o "$out/kept.md" "$main" \
    >/dev/null 2>"$tmp/err")
mode=$(stat -c %a "$out/kept.md" 2>/dev/null)
if [ "$mode" = 664 ] || [ "$mode" = 644 ]; then
    ok "replaced output file keeps a readable mode ($mode)"
else
    bad "replaced output file has mode ${mode:-?}, it was 664"
fi

# ---- g. kill -9 while writing a large output ----------------------------------------------------
big=$tmp/big
mkdir -p "$big"
cat >"$big/big.strat" <<'EOF'
# 200k services from a CSV, to have a large output to kill strat in
strategy "big" {
  vision = "v"  horizon = 2027-01-01 .. 2027-12-31
  currency = "EUR"  budget = 100B  run_max = 100%
}
schema service {
  cost : number >= 0 = 0
  incidents : number >= 0 = 0
}
role cio { title = "CIO" }
customer shoppers { title = "Shoppers" }
objective up { metric = "m"  baseline = 1%  target = 2%  due = 2027-12-31  weight = 1  owner = cio }
service web { owner = cio  kind = business  investment = grow  supports = [up]  customers = [shoppers] }
value_stream sell { delivers = up  stage engage { services = [web] } }
score health(s) = clamp(1 - s.incidents / 100, 0, 1)
score size(s) = log(1 + s.cost)
decide {
  invest   when health(s) >= 0.9
  migrate  when health(s) < 0.3
  tolerate otherwise
  rank by size(s) desc
}
load service from "big.csv" { key = "id" }
EOF
awk 'BEGIN { srand(7); print "id,title,owner,kind,investment,cost,incidents,supports"
    for (i = 0; i < 200000; i++)
        printf "svc%06d,Service %d,cio,supporting,run,%d,%d,up\n", i, i, int(rand() * 100000), int(rand() * 120)
}' >"$big/big.csv"
target=$big/decisions.json
# the complete output, for the case where strat finished before the kill
(cd "$big" && "$bin" decide --jit off --today "$today" --format json -o "$big/complete.json" big.strat \
    >/dev/null 2>"$tmp/err")
if [ $? != 0 ] || [ ! -s "$big/complete.json" ]; then
    bad "kill -9: the 200k-service portfolio does not decide" "$(head -5 "$tmp/err")"
else
    for how in 0.3s tmpfile; do
        printf '%s' "$old_text" >"$target"
        (cd "$big" && exec "$bin" decide --jit off --today "$today" --format json -o "$target" big.strat \
            >/dev/null 2>"$tmp/err") &
        pid=$!
        if [ "$how" = 0.3s ]; then
            sleep 0.3
        else
            # until the temporary file has data (or strat is done)
            for _ in $(seq 1 600); do
                f=$(ls "$target".tmp* 2>/dev/null | head -1)
                [ -n "$f" ] && [ -s "$f" ] && break
                kill -0 "$pid" 2>/dev/null || break
                sleep 0.02
            done
        fi
        kill -9 "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
        code=$?
        if [ "$(cat "$target"; echo x)" = "${old_text}x" ]; then
            ok "kill -9 at $how (exit $code): target intact$(ls "$target".tmp* >/dev/null 2>&1 && echo ', temporary file left (expected after kill -9)')"
        elif cmp -s "$target" "$big/complete.json"; then
            ok "kill -9 at $how: strat had finished; target complete"
        else
            bad "kill -9 at $how: target is neither the old nor the complete new file ($(wc -c <"$target") bytes)"
        fi
        rm -f "$target".tmp*
    done
fi

# ---- j. a flush that fails while the output grows -----------------------------------------------
# Past 16 MB, a thread makes the temporary durable as it grows (fdatasync);
# an error it meets must fail the run even though the final fsync, which
# the shim leaves alone, succeeds.  The shim leaves a mark when it is
# called: no mark, and the output never reached the syncer.
if [ -s "$big/complete.json" ] && [ "$(wc -c <"$big/complete.json")" -gt $((40 << 20)) ] &&
   command -v cc >/dev/null 2>&1; then
    cat >"$tmp/eio.c" <<'EOF3'
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
int fdatasync(int fd)
{
    (void)fd;
    const char *mark = getenv("EIO_MARK");
    if (mark)
        close(open(mark, O_WRONLY | O_CREAT, 0644));
    errno = EIO;
    return -1;
}
EOF3
    if cc -shared -fPIC -o "$tmp/eio.so" "$tmp/eio.c" 2>"$tmp/cc.err"; then
        printf '%s' "$old_text" >"$target"
        rm -f "$tmp/eio.mark"
        (cd "$big" && EIO_MARK=$tmp/eio.mark LD_PRELOAD=$tmp/eio.so \
            ASAN_OPTIONS=$ASAN_OPTIONS:verify_asan_link_order=0 \
            exec "$bin" decide --jit off --today "$today" --format json -o "$target" big.strat \
            >/dev/null 2>"$tmp/err")
        code=$?
        if [ ! -e "$tmp/eio.mark" ]; then
            bad "failed flush: strat never called fdatasync on a $(wc -c <"$big/complete.json")-byte output"
        elif [ "$code" = 2 ] && grep -q "cannot write.*Input/output error" "$tmp/err" &&
             [ "$(cat "$target"; echo x)" = "${old_text}x" ] && ! ls "$target".tmp* >/dev/null 2>&1; then
            ok "failed flush while the output grows: exit 2, said so, target intact, no temporary"
        else
            bad "failed flush while the output grows: exit $code, want 2 with a message and the old target" \
                "$(cat "$tmp/err")"
        fi
        rm -f "$target".tmp*
    else
        bad "cc could not build the fdatasync shim" "$(cat "$tmp/cc.err")"
    fi
else
    echo "skip failed flush: no 40 MB output from case g, or no cc"
fi

# ---- i. a mapped input truncated while strat reads it ------------------------------------------
# A CSV of 1 MiB or more is mapped, not read (src/load.c, map_file); cut
# short under strat, its missing pages fault (SIGBUS).  strat must say so
# and exit 2, not die of the signal, and FILE must keep its old bytes.
# STRAT_TEST_PAUSE_AFTER_MAP holds strat just after mapping, so the
# truncation lands between the mapping and the reading.
trunc=$tmp/trunc
mkdir -p "$trunc"
{
    echo "id,cost"
    seq 1 120000 | awk '{ print "svc" $1 "," ($1 % 997) }'
} >"$trunc/big.csv"
cat >"$trunc/t.strat" <<'EOF2'
strategy "truncated" { horizon = 2027-01-01 .. 2027-12-31  budget = 1M }
schema service { cost : number }
load service from "big.csv" { key = "id" }
decide { retire when s.cost > 500  tolerate otherwise }
EOF2
if [ "$(wc -c <"$trunc/big.csv")" -lt 1048576 ]; then
    bad "truncated input: the CSV is under 1 MiB, so it would not be mapped"
else
    printf '%s' "$old_text" >"$trunc/out.csv"
    (cd "$trunc" && STRAT_TEST_PAUSE_AFTER_MAP=2000 exec "$bin" decide --today "$today" \
        --format csv -o out.csv t.strat >/dev/null 2>"$tmp/err") &
    pid=$!
    sleep 0.8
    : >"$trunc/big.csv"
    wait "$pid"
    code=$?
    if [ "$code" = 2 ] && grep -q "truncated while strat was reading it" "$tmp/err" &&
       [ "$(cat "$trunc/out.csv"; echo x)" = "${old_text}x" ] &&
       ! ls "$trunc"/out.csv.tmp* >/dev/null 2>&1; then
        ok "input truncated while mapped: exit 2, said so, target intact, no temporary"
    else
        bad "input truncated while mapped: exit $code, want 2 with a message and the old target" \
            "$(cat "$tmp/err")"
    fi
fi

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
