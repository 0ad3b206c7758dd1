#!/usr/bin/env bash
# syscall_scaling_test.sh [BIN] — a check's system calls do not grow with
# the number of services: `strat check` of a generated strategy of 1,000
# services and of 10,000 (bench/lsp_latency.py's generator: main.strat and
# 2 or 20 files of 500) opens about as many files either way (the files
# read, the stdlib), not one more per service.  The work is counted
# (strace), not timed.  Guards the case where parallel_rows asked
# sysconf(_SC_NPROCESSORS_ONLN), which reads /sys, on every call: 10,041
# openat calls for 10,000 services, and most of an editor's check time.
# Skips without strace (or where ptrace is not permitted) or python3.
# Prints `N passed, M failed` last; exit 1 on failure.
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
bin=$(realpath "${1:-$root/build/strat}")
. "$root/tests/lib.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if ! command -v python3 >/dev/null 2>&1 || ! command -v strace >/dev/null 2>&1 ||
    ! strace -f -o /dev/null true 2>/dev/null; then
    echo "syscall_scaling: skip: strace (permitted) and python3 are needed"
    echo "0 passed, 0 failed"
    exit 0
fi

# opens DIR NFILES: the open/openat calls of a check of NFILES x 500 services
opens() {
    mkdir -p "$1"
    python3 -c "import sys; sys.path.insert(0, '$root/bench'); import lsp_latency as L; L.generate('$1', nfiles=$2)" ||
        { echo -1; return; }
    (cd "$1" && STRAT_STDLIB=$root/stdlib strace -f -qq -o "$1.trace" \
        -e trace=open,openat "$bin" check -q --jit off --today 2027-01-15 main.strat \
        >/dev/null 2>&1)
    grep -c 'open' "$1.trace"
}

small=$(opens "$tmp/small" 2)
large=$(opens "$tmp/large" 20)
# 18 more files read, and some slack: nothing near one a service
if [ "$small" -gt 0 ] && [ "$large" -gt 0 ] && [ "$large" -le $((small + 60)) ]; then
    ok
else
    bad "opens grow with the services: $small for 1,000, $large for 10,000"
fi

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
