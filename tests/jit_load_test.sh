#!/usr/bin/env bash
# jit_load_test.sh BIN — libgccjit is loaded when a run may compile, not
# at start-up, and a run whose libgccjit cannot be loaded interprets.
#
#   bash tests/jit_load_test.sh build/strat
#
#   1. the binary does not need libgccjit (readelf: no NEEDED entry), so
#      the loader does not map and relocate it for every process;
#   2. `strat check` and a small `strat decide` (interpreted under
#      --jit=auto) never load it: LD_DEBUG=files lists what the dynamic
#      loader opened;
#   3. `strat decide --jit on` loads it (the same listing), with a cache of
#      its own, and decides as `--jit off` does;
#   4. with STRAT_LIBGCCJIT naming a file that does not exist, `--jit on`
#      says why with --verbose, interprets, and its output and exit code
#      are those of `--jit off`;
#   5. a warm run (the code in the cache, and the cache's note of the
#      library that compiled it) does not load libgccjit, and decides as
#      `--jit off` does; a note that no longer describes the file at its
#      path (its size changed), a note that is a symbolic link, or
#      LD_LIBRARY_PATH set: the library is loaded to ask its version, the
#      cached code still runs, and a stale note is written afresh (the
#      link replaced, its target left alone).
# Prints `N passed, M failed` last; exit 1 on any failure.
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:?usage: jit_load_test.sh BIN}
case "$bin" in /*) ;; *) bin=$PWD/$bin ;; esac
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export LC_ALL=C TZ=UTC XDG_CACHE_HOME=$tmp/cache
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
example=$root/examples/retail/retail.strat
args=(--today 2027-01-15 --format csv)

# 1 ------------------------------------------------------------------------
if command -v readelf >/dev/null 2>&1; then
    if readelf -d "$bin" | grep -q 'NEEDED.*libgccjit'; then
        bad "$bin is linked with libgccjit: $(readelf -d "$bin" | grep libgccjit)"
    else ok; fi
else
    echo "skip: readelf not installed (binutils)"
fi

# loaded RUN...: does the dynamic loader open libgccjit during RUN?
loaded() {
    LD_DEBUG=files LD_DEBUG_OUTPUT=$tmp/ld "$@" >/dev/null 2>&1
    cat "$tmp"/ld.* 2>/dev/null | grep -q 'file=libgccjit'
    local r=$?
    rm -f "$tmp"/ld.*
    return $r
}

# 2 ------------------------------------------------------------------------
if loaded "$bin" --version; then
    echo "skip: LD_DEBUG lists libgccjit for --version (a preload?): parts 2 and 3 not run"
else
    if loaded "$bin" check --today 2027-01-15 "$example"; then
        bad "strat check loads libgccjit"
    else ok; fi
    if loaded "$bin" decide "${args[@]}" "$example"; then
        bad "a small strat decide (--jit=auto: interpreted) loads libgccjit"
    else ok; fi
    # 3 --------------------------------------------------------------------
    if loaded "$bin" decide --jit on "${args[@]}" "$example"; then ok; else
        bad "strat decide --jit on does not load libgccjit"
    fi
fi
"$bin" decide --jit off "${args[@]}" "$example" >"$tmp/off" 2>"$tmp/off.err"
off_rc=$?
"$bin" decide --jit on "${args[@]}" "$example" >"$tmp/on" 2>"$tmp/on.err"
on_rc=$?
if [ "$on_rc" = "$off_rc" ] && cmp -s "$tmp/on" "$tmp/off" && [ -s "$tmp/on" ]; then ok; else
    bad "--jit on (exit $on_rc) and --jit off (exit $off_rc) differ"
fi

# 4 ------------------------------------------------------------------------
STRAT_LIBGCCJIT=$tmp/no/libgccjit.so.0 "$bin" decide --jit on --verbose "${args[@]}" \
    "$example" >"$tmp/none" 2>"$tmp/none.err"
none_rc=$?
if [ "$none_rc" = "$off_rc" ] && cmp -s "$tmp/none" "$tmp/off"; then ok; else
    bad "without libgccjit, --jit on (exit $none_rc) does not give --jit off's output (exit $off_rc)"
    head -5 "$tmp/none.err" | sed 's/^/    /'
fi
if grep -q "^strat: jit: libgccjit cannot be loaded (.*no/libgccjit.so.0.*): interpreting" \
    "$tmp/none.err"; then ok; else
    bad "without libgccjit, --verbose does not say so"
    grep jit "$tmp/none.err" | head -3 | sed 's/^/    /'
fi

# 5 ------------------------------------------------------------------------
note=$XDG_CACHE_HOME/strat/libgccjit.identity
warm() {   # warm WHAT: a warm run that must decide as --jit off does
    "$bin" decide --jit on "${args[@]}" "$example" >"$tmp/warm" 2>&1
    if cmp -s "$tmp/warm" "$tmp/off"; then ok; else bad "$1: the output differs from --jit off"; fi
}
if loaded "$bin" --version; then
    echo "skip: LD_DEBUG lists libgccjit for --version: part 5 not run"
elif [ ! -f "$note" ]; then
    bad "no note of the library in the cache after a compile: $(ls "$XDG_CACHE_HOME/strat" 2>&1)"
else
    if loaded "$bin" decide --jit on "${args[@]}" "$example"; then
        bad "a warm run loads libgccjit"
    else ok; fi
    warm "a warm run"
    if "$bin" decide --jit on --verbose "${args[@]}" "$example" 2>&1 >/dev/null |
        grep -q "^strat: jit: libgccjit [0-9.]*, as the cache notes: not loaded"; then ok; else
        bad "--verbose does not say the version came from the cache's note"
    fi
    good=$(cat "$note")
    # the size field (fourth) off by one: the note no longer holds
    awk '{ $4 = $4 + 1; print }' "$note" >"$note.tmp" && mv "$note.tmp" "$note"
    if loaded "$bin" decide --jit on "${args[@]}" "$example"; then ok; else
        bad "a note whose size is not the library's: libgccjit not loaded"
    fi
    if [ "$(cat "$note")" = "$good" ]; then ok; else
        bad "a stale note is not written afresh: $(cat "$note")"
    fi
    warm "after a stale note"
    # a note that is a link (to a note that would hold): not followed
    mv "$note" "$tmp/linked-note"
    ln -s "$tmp/linked-note" "$note"
    if loaded "$bin" decide --jit on "${args[@]}" "$example"; then ok; else
        bad "a note that is a symbolic link is followed"
    fi
    if [ -f "$note" ] && [ ! -L "$note" ] && [ "$(cat "$tmp/linked-note")" = "$good" ]; then ok; else
        bad "the linked note is not replaced by a file, or its target changed"
    fi
    mkdir -p "$tmp/empty"
    if LD_LIBRARY_PATH=$tmp/empty loaded "$bin" decide --jit on "${args[@]}" "$example"; then ok; else
        bad "with LD_LIBRARY_PATH set, libgccjit is not loaded to ask its version"
    fi
    LD_LIBRARY_PATH=$tmp/empty warm "with LD_LIBRARY_PATH set"
    if loaded "$bin" decide --jit on "${args[@]}" "$example"; then
        bad "a warm run loads libgccjit after the note was written afresh"
    else ok; fi
fi

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
