# lib.sh — what the test scripts share; source it, with $root set to the
# repository.  Not a test itself (`make scripts` runs tests/*_test.sh).
#
#   ok                  count a pass
#   bad LABEL [DETAIL]  count a failure: prints `FAIL LABEL` and the first 20
#                       lines of DETAIL, indented; returns 0
#   example_mains       each example's main file (examples/NAME/NAME.strat),
#                       one a line, examples/broken left out
pass=${pass:-0}
fail=${fail:-0}

ok() { pass=$((pass + 1)); }

bad() {
    fail=$((fail + 1))
    echo "FAIL $1"
    if [ -n "${2:-}" ]; then printf '%s\n' "$2" | head -20 | sed 's/^/    /'; fi
    return 0
}

example_mains() {
    local f d
    for f in "$root"/examples/*/*.strat; do
        d=$(dirname "$f")
        [ "$(basename "$f" .strat)" = "$(basename "$d")" ] || continue
        [ "$(basename "$d")" = broken ] && continue
        printf '%s\n' "$f"
    done
}
