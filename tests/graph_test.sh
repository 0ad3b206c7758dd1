#!/usr/bin/env bash
# graph_test.sh BIN — `strat graph` output is DOT that Graphviz accepts.
#
#   bash tests/graph_test.sh build/strat
#
# Renders with `dot -Tsvg`, failing when dot exits non-zero or prints an
# error:
#   * every golden DOT output, tests/golden/graph/*.stdout starting with
#     `digraph` (the stored files the golden runner compares against);
#   * the DOT that BIN writes now for each golden graph case drawn as DOT,
#     and for each example strategy examples/NAME/NAME.strat (or one level
#     deeper, as check_examples.sh finds them) — run from the file's own
#     directory with a pinned --today.
# Also checks that `-o FILE` writes the same bytes as standard output.
# Needs Graphviz's dot (Debian: graphviz; `make test-deps` installs it);
# without it every check is skipped with a message.  Prints `N passed, M failed` last; exit 1 on failure.
set -u
bin=$(realpath "${1:-build/strat}")
root=$(cd "$(dirname "$0")/.." && pwd)
today=2027-01-15
pass=0
fail=0

. "$root/tests/lib.sh"

if ! command -v dot >/dev/null 2>&1; then
    echo "graph_test: skipped: Graphviz dot is not installed (make test-deps," \
         "or apt-get install graphviz)"
    echo "0 passed, 0 failed"
    exit 0
fi

# render NAME FILE: dot must accept FILE (DOT text) without an error
render() {
    local name=$1 file=$2 err
    err=$(dot -Tsvg "$file" 2>&1 >/dev/null)
    local code=$?
    if [ $code -ne 0 ] || printf '%s' "$err" | grep -qi 'error'; then
        bad "$name: dot -Tsvg (exit $code)" "$err"
    elif ! head -c 7 "$file" | grep -q '^digraph'; then
        bad "$name: not DOT" "$(head -3 "$file")"
    else
        ok
    fi
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

shopt -s nullglob
# 1. the stored golden DOT outputs
for f in "$root"/tests/golden/graph/*.stdout; do
    head -c 7 "$f" | grep -q '^digraph' || continue
    render "golden ${f#"$root"/}" "$f"
done

# 2. what BIN draws now: golden DOT cases, and the examples
cases=()
for f in "$root"/tests/golden/graph/*.strat; do
    n=${f%.strat}
    [ -f "$n.exit" ] || continue
    args=graph
    [ -f "$n.args" ] && args=$(cat "$n.args")
    case "$args" in *mermaid*) continue ;; esac
    cases+=("$f")
done
for f in "$root"/examples/*/*.strat "$root"/examples/*/*/*.strat; do
    d=$(dirname "$f")
    [ "$(basename "$f" .strat)" = "$(basename "$d")" ] && cases+=("$f")
done
for f in "${cases[@]}"; do
    name=${f#"$root"/}
    out="$tmp/$(printf '%s' "$name" | tr '/' '_').dot"
    (cd "$(dirname "$f")" && LC_ALL=C TZ=UTC "$bin" graph --today "$today" --color never \
        "$(basename "$f")" >"$out" 2>"$tmp/err" </dev/null)
    code=$?
    if [ $code -ge 2 ] || [ ! -s "$out" ]; then
        bad "$name: strat graph exit $code, $(wc -c <"$out") bytes" "$(cat "$tmp/err")"
        continue
    fi
    render "$name" "$out"
done

# 3. -o FILE: the same bytes, written atomically (no temporary left over)
ex="$root/tests/golden/graph/dot.strat"
if [ -f "$ex" ]; then
    (cd "$(dirname "$ex")" && "$bin" graph --today "$today" dot.strat >"$tmp/a.dot" 2>/dev/null &&
        "$bin" graph --today "$today" -o "$tmp/b.dot" dot.strat 2>/dev/null)
    if cmp -s "$tmp/a.dot" "$tmp/b.dot" && [ -z "$(ls "$tmp" | grep 'tmp')" ]; then
        ok
    else
        bad "graph -o FILE differs from standard output, or left a temporary file"
    fi
fi

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
