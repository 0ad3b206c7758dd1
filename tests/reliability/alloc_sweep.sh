#!/usr/bin/env bash
# alloc_sweep.sh BIN [EXAMPLE...] — fail the Nth allocation, for N = 1, 2, 3 ...
# until the run behaves like the unfailed one; every failure point must give
# a clean error.
#
#   make asan && bash tests/reliability/alloc_sweep.sh build/asan/strat
#   ALLOC_COMMANDS="check decide" bash tests/reliability/alloc_sweep.sh build/asan/strat retail
#
# strat fails the Nth request to its allocator, and every later one, when
# STRAT_FAIL_ALLOC=N is set (src/cli/cli.c).  For each example main file
# (examples/NAME/NAME.strat, or the EXAMPLEs named) and each command —
# check, decide -o FILE, explain SERVICE (the first service decided), test,
# fmt --check and sensitivity --runs 3 -o FILE, and when named in
# ALLOC_COMMANDS csv and json (decide --format csv|json -o FILE) — the unfailed run is the
# reference; then at each N the run must either
#   - fail cleanly: exit 2, "out of memory" on stderr, no sanitizer report
#     (use the ASan build: leaks count as failures, with tests/lsan.supp),
#     no signal, and for decide no output file left behind; or
#   - behave exactly like the reference (same exit, stdout and stderr): the
#     Nth allocation was never reached, and the sweep of this command ends.
# A run with the reference's exit code but other output is a failure (an
# allocation failure swallowed into a wrong answer).
#
# Sampling (the sweep for large N is slow under ASan): every N up to 200,
# then every 7th N (ALLOC_STEP) up to the point of success; a success found
# on a sampled N is confirmed by walking back to the first N that succeeds.
# Prints one line per command with the points swept, and `N passed, M failed`
# last (a pass is one failure point that failed cleanly, or a sweep that
# reached success).  Exit 1 on any failure.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=$(realpath "${1:-$root/build/asan/strat}")
shift || true
dense=${ALLOC_DENSE:-200}
step=${ALLOC_STEP:-7}
max_n=${ALLOC_MAX:-200000}
commands=${ALLOC_COMMANDS:-check decide explain test fmt sensitivity}
today=2027-01-15
export STRAT_STDLIB=${STRAT_STDLIB:-$root/stdlib}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$root/tests/lsan.supp:print_suppressions=0}
export LC_ALL=C TZ=UTC
if ! grep -q __asan_init "$bin" 2>/dev/null; then
    echo "alloc: note: $bin is not an ASan build: leaks and memory errors go unseen (make asan)"
fi

examples=()
want_synthetic=${ALLOC_SYNTHETIC:-1}
if [ $# -gt 0 ]; then
    want_synthetic=0
    for e in "$@"; do
        if [ "$e" = synthetic ]; then want_synthetic=1; continue; fi
        examples+=("$root/examples/$e/$e.strat")
    done
else
    . "$root/tests/lib.sh"
    mapfile -t examples < <(example_mains)
fi

pass=0
fail=0
points=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The examples are small: the arena takes memory in 64 kB blocks, so a run
# makes only a dozen or two requests.  A synthetic portfolio of 5000
# services loaded from CSV makes many more (the CSV reader, the interner,
# the columns and the decisions grow), so failures strike in more places.
# (name it as `synthetic` to sweep it alone; with STRAT_CSV_BLOCK=4096 in
# the environment its CSV is parsed by worker threads, so failures strike
# while they run)
if [ "$want_synthetic" = 1 ]; then
    syn=$tmp/synthetic
    mkdir -p "$syn"
    cat >"$syn/synthetic.strat" <<'EOF'
# 5000 services from a CSV, for the allocation-failure sweep
import "std/itil"
strategy "synthetic" {
  vision = "v"  horizon = 2027-01-01 .. 2027-12-31
  currency = "EUR"  budget = 100B  run_max = 100%
}
role cio { title = "CIO" }
customer shoppers { title = "Shoppers" }
objective up { metric = "m"  baseline = 1%  target = 2%  due = 2027-12-31  weight = 1  owner = cio }
service web { owner = cio  kind = business  investment = grow  supports = [up]  customers = [shoppers]  incidents = 1 }
value_stream sell { delivers = up  stage engage { services = [web] } }
score health(s) = clamp(1 - s.incidents / 100, 0, 1)
score size(s) = log(1 + s.cost)
decide {
  invest   when health(s) >= 0.9  because "healthy"
  migrate  when health(s) < 0.3
  tolerate otherwise
  rank by size(s) desc
}
test web_invested { expect decision(web) == invest }
load service from "synthetic.csv" { key = "id" }
EOF
    awk 'BEGIN { srand(11); print "id,title,owner,kind,investment,cost,incidents,csat,supports"
        for (i = 0; i < 5000; i++)
            printf "svc%05d,Service number %d,cio,supporting,run,%d,%d,%.1f,up\n", i, i,
                   int(rand() * 100000), int(rand() * 120), rand() * 5
    }' >"$syn/synthetic.csv"
    examples+=("$syn/synthetic.strat")
fi

# run N DIR ARGS...: runs strat (N = 0: no failure); sets code, out, err files
run() {
    local n=$1 dir=$2
    shift 2
    rm -f "$tmp/decide.out"
    if [ "$n" = 0 ]; then
        (cd "$dir" && timeout 120 "$bin" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null)
    else
        (cd "$dir" && STRAT_FAIL_ALLOC=$n timeout 120 "$bin" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null)
    fi
    code=$?
}

same_as_ref() {
    [ "$code" = "$ref_code" ] && cmp -s "$tmp/out" "$tmp/ref.out" && cmp -s "$tmp/err" "$tmp/ref.err"
}

# judge N: 0 clean failure, 1 success (like the reference), 2 bad
judge() {
    local n=$1 why=""
    if same_as_ref; then
        if [ "$want_file" = 1 ] && ! cmp -s "$tmp/decide.out" "$tmp/ref.file"; then
            why="output file differs from the unfailed run"
        else
            return 1
        fi
    fi
    if [ -z "$why" ]; then
        if [ "$code" -ge 124 ]; then
            why="exit $code (signal or timeout)"
        elif [ "$code" != 2 ]; then
            why="exit $code, want 2 (or the unfailed run's $ref_code with its output)"
        elif ! grep -aq 'out of memory' "$tmp/err"; then
            why="no \"out of memory\" message"
        fi
        local rep
        rep=$(grep -aE -m2 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:|SUMMARY:' "$tmp/err")
        [ -n "$rep" ] && why="${why:+$why; }sanitizer: $rep"
        if [ "$want_file" = 1 ] && [ -e "$tmp/decide.out" ]; then
            why="${why:+$why; }output file written"
        fi
        if ls "$tmp"/decide.out.tmp* >/dev/null 2>&1; then
            why="${why:+$why; }temporary file left: $(ls "$tmp"/decide.out.tmp* | head -1)"
            rm -f "$tmp"/decide.out.tmp*
        fi
    fi
    if [ -n "$why" ]; then
        fail=$((fail + 1))
        # the first few of a command in full; the rest as one line each
        if [ $((fail - fails_before)) -le 3 ]; then
            echo "FAIL $label at STRAT_FAIL_ALLOC=$n: $why"
            grep -av '^ *[0-9]* |' "$tmp/err" | head -12 | sed 's/^/    /'
        else
            echo "FAIL $label at STRAT_FAIL_ALLOC=$n: ${why%%$'\n'*}"
        fi
        return 2
    fi
    pass=$((pass + 1))
    return 0
}

for f in "${examples[@]}"; do
    dir=$(dirname "$f")
    file=$(basename "$f")
    ex=$(basename "$dir")
    service=$(cd "$dir" && "$bin" decide --format csv --today "$today" "$file" 2>/dev/null |
              sed -n '2p' | cut -d, -f2)
    for cmd in $commands; do
        want_file=0
        case $cmd in
            check) args=(check --today "$today" --color never "$file") ;;
            decide) args=(decide --today "$today" -o "$tmp/decide.out" "$file"); want_file=1 ;;
            csv | json)
                args=(decide --format "$cmd" --today "$today" -o "$tmp/decide.out" "$file")
                want_file=1 ;;
            explain)
                if [ -z "$service" ]; then
                    echo "skip $ex explain: no decided service"
                    continue
                fi
                args=(explain --today "$today" --color never "$file" "$service") ;;
            test) args=(test --today "$today" --color never "$file") ;;
            sensitivity)
                args=(sensitivity --today "$today" --runs 3 -o "$tmp/decide.out" "$file")
                want_file=1 ;;
            fmt)
                run 0 "$dir" fmt --check "$file"
                if grep -q 'not available' "$tmp/err"; then
                    echo "skip $ex fmt: strat fmt is not available yet"
                    continue
                fi
                args=(fmt --check "$file") ;;
            *) echo "alloc: unknown command $cmd" >&2; exit 2 ;;
        esac
        label="$ex ${args[0]}"
        [ "$cmd" = csv ] || [ "$cmd" = json ] && label="$ex decide $cmd"
        run 0 "$dir" "${args[@]}"
        ref_code=$code
        cp "$tmp/out" "$tmp/ref.out"
        cp "$tmp/err" "$tmp/ref.err"
        rm -f "$tmp/ref.file"
        [ "$want_file" = 1 ] && cp "$tmp/decide.out" "$tmp/ref.file" 2>/dev/null
        if [ "$ref_code" -ge 2 ] || grep -aqE 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$tmp/err"; then
            fail=$((fail + 1))
            echo "FAIL $label: the unfailed run exits $ref_code"
            head -5 "$tmp/err" | sed 's/^/    /'
            continue
        fi
        n=1
        swept=0
        fails_before=$fail
        success=""
        while [ "$n" -le "$max_n" ]; do
            run "$n" "$dir" "${args[@]}"
            swept=$((swept + 1))
            judge "$n"
            r=$?
            if [ $r = 1 ]; then
                success=$n
                break
            fi
            if [ "$n" -lt "$dense" ]; then n=$((n + 1)); else n=$((n + step)); fi
        done
        if [ -n "$success" ] && [ "$success" -gt "$dense" ]; then
            # walk back from a sampled success to the first N that succeeds
            m=$((success - 1))
            while [ "$m" -gt $((success - step)) ]; do
                run "$m" "$dir" "${args[@]}"
                swept=$((swept + 1))
                judge "$m"
                [ $? = 1 ] || break
                success=$m
                m=$((m - 1))
            done
        fi
        points=$((points + swept))
        if [ "$success" = 1 ]; then
            # nothing went through the injected allocator: not covered
            points=$((points - 1))
            echo "skip $label: STRAT_FAIL_ALLOC=1 changes nothing: this command does not" \
                 "allocate through strat's allocator (strat_new(NULL) instead of the CLI's)"
        elif [ -z "$success" ]; then
            fail=$((fail + 1))
            echo "FAIL $label: still failing at STRAT_FAIL_ALLOC=$max_n"
        else
            pass=$((pass + 1))
            sampled=""
            [ "$success" -gt "$dense" ] && sampled=" (every N to $dense, then every ${step}th)"
            printf '%-4s %-22s %4d allocation points swept%s, succeeds from N=%d, %d bad\n' \
                ok "$label" "$swept" "$sampled" "$success" $((fail - fails_before))
        fi
    done
done
echo "alloc: $points failure points swept"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
