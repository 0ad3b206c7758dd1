#!/usr/bin/env bash
# output_test.sh BIN — what strat writes, and where: `-o FILE`, `strat fmt`
# in place, and the Markdown and JSON/SARIF reports a CI job publishes.
#
#   bash tests/security/output_test.sh build/strat
#
# The threat: CI runs strat as root on a pull request's checkout, so the
# files around the output and the text inside it come from someone the
# repository does not trust.  Checked here:
#   a. `-o` onto a character device (a private node made with mknod, then
#      /dev/null itself; root only) leaves it a device; as anyone, `-o
#      /dev/null`, `-o /dev/stdout` and `-o FIFO` write through;
#   b. `-o` onto a symbolic link, or through a linked directory, and `fmt`
#      of a link are refused, and what the link points to is untouched;
#   c. the old file's setuid/setgid/sticky bits are not carried over; a new
#      file's mode follows the umask (027 -> 640);
#   d. SIGTERM, SIGINT, SIGHUP and SIGPIPE while the output is being
#      written leave no FILE.tmp* behind, the old FILE intact, and strat
#      dead of that signal (STRAT_TEST_PAUSE_BEFORE_RENAME holds strat with
#      its temporary complete; a large portfolio gives a signal mid-write);
#   e. `fmt` of a sparse 4 GiB + 30 B file is refused (exit 2) without
#      reading it (its atime does not move), and so is stdin, read from a
#      1 GiB pipe no further than the limit of 256 MiB;
#   f. JSON and SARIF give the count of the diagnostics the per-code cap
#      of 1000 dropped;
#   g. Markdown (`decide`, `diff --format md`) rendered by cmark-gfm (when
#      installed) has no HTML, link or @mention from the strategy, and a
#      table row keeps its cells.
# No failure leaves a temporary file: every case checks.
# Prints `N passed, M failed` last; exit 1 on any failure.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=$(realpath "${1:-$root/build/strat}")
# shellcheck source=../lib.sh
. "$root/tests/lib.sh"
export STRAT_STDLIB=${STRAT_STDLIB:-$root/stdlib}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$root/tests/lsan.supp:print_suppressions=0}
export LC_ALL=C TZ=UTC
today=2027-01-15
tmp=$(mktemp -d)
export XDG_CACHE_HOME=$tmp/cache
trap 'rm -rf "$tmp"' EXIT
out=$tmp/out
mkdir -p "$out"
ex=$root/examples/retail
old_text="old contents that must survive"

# decide ARGS...: the retail example, decided with ARGS (e.g. -o FILE)
decide() { (cd "$ex" && "$bin" decide --today "$today" "$@" retail.strat); }
# temporaries DIR...: any FILE.tmp* left in the directories
temporaries() { ls -d "$@" 2>/dev/null | while read -r d; do ls -d "$d"/*.tmp* 2>/dev/null; done | head -3; }
# check LABEL CONDITION-RESULT [DETAIL]: ok when $2 is empty, else bad
check() { if [ -z "$2" ]; then ok; echo "ok   $1"; else bad "$1: $2" "${3:-}"; fi; }
is_old() { [ -f "$1" ] && [ "$(cat "$1")" = "$old_text" ]; }

decide >"$tmp/expected.table" 2>/dev/null

# ---- a. devices ------------------------------------------------------------------
if [ "$(id -u)" = 0 ] && mknod "$tmp/nulldev" c 1 3 2>/dev/null; then
    decide -o "$tmp/nulldev" >/dev/null 2>"$tmp/err"; code=$?
    why=""
    [ -c "$tmp/nulldev" ] || why="the device node was replaced by a $(stat -c %F "$tmp/nulldev")"
    [ $code = 0 ] || why="${why:+$why; }exit $code"
    check "-o onto a character device (as root) leaves a character device" "$why" "$(cat "$tmp/err")"
    if [ -c "$tmp/nulldev" ]; then
        decide -o /dev/null >/dev/null 2>"$tmp/err"; code=$?
        if [ ! -c /dev/null ]; then
            # a bug replaced the machine's /dev/null: put it back first
            rm -f /dev/null && mknod -m 666 /dev/null c 1 3
            bad "-o /dev/null as root replaced /dev/null (restored)"
        else
            check "-o /dev/null as root: still a character device" "$([ $code = 0 ] || echo "exit $code")"
        fi
    else
        echo "skip -o /dev/null as root: the private device was replaced, /dev/null is not tried"
    fi
else
    echo "skip root-only device checks: not root, or mknod not allowed"
    decide -o /dev/null >/dev/null 2>"$tmp/err"; code=$?
    check "-o /dev/null writes through" "$([ $code = 0 ] && [ -c /dev/null ] || echo "exit $code")" \
        "$(cat "$tmp/err")"
fi
decide -o /dev/stdout >"$tmp/stdout.table" 2>"$tmp/err"; code=$?
check "-o /dev/stdout writes to standard output" \
    "$([ $code = 0 ] && cmp -s "$tmp/stdout.table" "$tmp/expected.table" || echo "exit $code, or other bytes")" \
    "$(cat "$tmp/err")"
mkfifo "$out/fifo"
cat "$out/fifo" >"$tmp/fifo.table" &
reader=$!
decide -o "$out/fifo" >/dev/null 2>"$tmp/err"; code=$?
wait "$reader"
why=""
[ -p "$out/fifo" ] || why="the FIFO was replaced"
[ $code = 0 ] || why="${why:+$why; }exit $code"
cmp -s "$tmp/fifo.table" "$tmp/expected.table" || why="${why:+$why; }the reader got other bytes"
check "-o FIFO writes through to its reader" "$why" "$(cat "$tmp/err")"

# ---- b. symbolic links --------------------------------------------------------------
mkdir -p "$tmp/victim"
printf '%s' "$old_text" >"$tmp/victim/secret"
ln -s "$tmp/victim/secret" "$out/link.table"
decide -o "$out/link.table" >/dev/null 2>"$tmp/err"; code=$?
why=""
[ $code = 2 ] || why="exit $code, want 2"
is_old "$tmp/victim/secret" || why="${why:+$why; }the link's target was changed"
[ -L "$out/link.table" ] || why="${why:+$why; }the link was replaced"
grep -q 'symbolic link' "$tmp/err" || why="${why:+$why; }no message about the link"
left=$(temporaries "$out" "$tmp/victim")
[ -z "$left" ] || why="${why:+$why; }left $left"
check "-o onto a symbolic link is refused, its target untouched" "$why" "$(cat "$tmp/err")"

ln -s "$tmp/victim/new.table" "$out/dangling.table"
decide -o "$out/dangling.table" >/dev/null 2>"$tmp/err"; code=$?
check "-o onto a dangling link creates nothing where it points" \
    "$([ $code = 2 ] && [ ! -e "$tmp/victim/new.table" ] || echo "exit $code")"

ln -s "$tmp/victim" "$out/linked_dir"
decide -o "$out/linked_dir/secret" >/dev/null 2>"$tmp/err"; code=$?
why=""
[ $code = 2 ] || why="exit $code, want 2"
is_old "$tmp/victim/secret" || why="${why:+$why; }the file behind the linked directory was changed"
left=$(temporaries "$tmp/victim")
[ -z "$left" ] || why="${why:+$why; }left $left"
check "-o through a linked directory is refused" "$why" "$(cat "$tmp/err")"

printf 'const   a=1\n' >"$tmp/victim/code.strat"
ln -s "$tmp/victim/code.strat" "$out/link.strat"
"$bin" fmt "$out/link.strat" 2>"$tmp/err"; code=$?
check "fmt of a symbolic link is refused, its target untouched" \
    "$([ $code = 2 ] && [ "$(cat "$tmp/victim/code.strat")" = 'const   a=1' ] || echo "exit $code")" \
    "$(cat "$tmp/err")"

# ---- c. modes ------------------------------------------------------------------------
for bits in 4755 2755 6755 1777; do
    printf '%s' "$old_text" >"$out/mode.table"
    chmod "$bits" "$out/mode.table"
    (umask 022 && decide -o "$out/mode.table" >/dev/null 2>"$tmp/err"); code=$?
    mode=$(stat -c %a "$out/mode.table")
    want=$(printf '%o' $((8#$bits & 8#777)))
    check "an old file of mode $bits is replaced by one of $want" \
        "$([ $code = 0 ] && [ "$mode" = "$want" ] || echo "mode $mode, exit $code")" "$(cat "$tmp/err")"
done
rm -f "$out/new.table"
(umask 027 && decide -o "$out/new.table" >/dev/null 2>"$tmp/err"); code=$?
mode=$(stat -c %a "$out/new.table" 2>/dev/null)
check "a new file under umask 027 has mode 640" \
    "$([ $code = 0 ] && [ "$mode" = 640 ] || echo "mode ${mode:-none}, exit $code")" "$(cat "$tmp/err")"
check "no temporary file after the runs above" "$(temporaries "$out")"

# ---- d. signals ------------------------------------------------------------------------
# A background job of a non-interactive shell starts with SIGINT ignored,
# and strat rightly keeps an ignored signal ignored: env puts it back.
default_signals=()
if env --default-signal=INT true 2>/dev/null; then
    default_signals=(env --default-signal=HUP,INT,PIPE,TERM)
fi
for sig in TERM INT HUP PIPE; do
    if [ "$sig" = INT ] && [ ${#default_signals[@]} = 0 ]; then
        echo "skip SIGINT: env --default-signal is missing"
        continue
    fi
    printf '%s' "$old_text" >"$out/sig.table"
    (cd "$ex" && STRAT_TEST_PAUSE_BEFORE_RENAME=30000 exec "${default_signals[@]}" "$bin" decide \
        --today "$today" -o "$out/sig.table" retail.strat >/dev/null 2>"$tmp/err") &
    pid=$!
    for _ in $(seq 1 400); do
        [ -n "$(temporaries "$out")" ] && break
        sleep 0.05
    done
    seen=$(temporaries "$out")
    kill -"$sig" "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null; code=$?
    want=$((128 + $(kill -l "$sig")))
    why=""
    [ -n "$seen" ] || why="no temporary file appeared to be interrupted"
    [ "$code" = "$want" ] || why="${why:+$why; }exit $code, want $want (death by SIG$sig)"
    is_old "$out/sig.table" || why="${why:+$why; }the target was changed"
    left=$(temporaries "$out")
    [ -z "$left" ] || why="${why:+$why; }left $left"
    check "SIG$sig with the temporary complete: removed, target intact" "$why" "$(cat "$tmp/err")"
    rm -f "$out"/*.tmp*
done

# a signal in the middle of a long write (200k services as JSON)
big=$tmp/big
mkdir -p "$big"
cat >"$big/big.strat" <<'EOF'
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
decide {
  invest   when health(s) >= 0.9
  tolerate otherwise
  rank by health(s) desc
}
load service from "big.csv" { key = "id" }
EOF
awk 'BEGIN { srand(7); print "id,title,owner,kind,investment,cost,incidents,supports"
    for (i = 0; i < 200000; i++)
        printf "svc%06d,Service %d,cio,supporting,run,%d,%d,up\n", i, i, int(rand() * 100000), int(rand() * 120)
}' >"$big/big.csv"
printf '%s' "$old_text" >"$out/big.json"
(cd "$big" && exec "$bin" decide --jit off --today "$today" --format json -o "$out/big.json" big.strat \
    >/dev/null 2>"$tmp/err") &
pid=$!
seen=""
for _ in $(seq 1 1200); do
    f=$(temporaries "$out")
    if [ -n "$f" ] && [ -s "$f" ]; then seen=$f; break; fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.01
done
kill -TERM "$pid" 2>/dev/null
wait "$pid" 2>/dev/null; code=$?
left=$(temporaries "$out")
if [ -z "$seen" ]; then
    echo "skip SIGTERM mid-write: strat finished before its temporary had data (exit $code)"
elif [ "$code" = 0 ]; then
    check "SIGTERM mid-write arrived after the rename: no temporary left" "$left"
else
    why=""
    [ "$code" = 143 ] || why="exit $code, want 143"
    is_old "$out/big.json" || why="${why:+$why; }the target was changed"
    [ -z "$left" ] || why="${why:+$why; }left $left"
    check "SIGTERM mid-write: temporary removed, target intact" "$why" "$(head -5 "$tmp/err")"
fi
rm -rf "$big"

# ---- e. fmt under the size limit --------------------------------------------------------
sparse=$out/huge.strat
printf 'const a   =   1   # 30 bytes.\n' >"$sparse"
truncate -s $((4 * 1024 * 1024 * 1024 + 30)) "$sparse"
size_before=$(stat -c %s "$sparse")
for how in fmt check; do
    touch -a -d 2000-01-01 "$sparse"
    if [ $how = fmt ]; then
        timeout 60 "$bin" fmt "$sparse" >"$tmp/fmt.out" 2>"$tmp/err"; code=$?
    else
        timeout 60 "$bin" fmt --check "$sparse" >"$tmp/fmt.out" 2>"$tmp/err"; code=$?
    fi
    why=""
    [ $code = 2 ] || why="exit $code, want 2"
    grep -q 'larger than 256 MiB' "$tmp/err" || why="${why:+$why; }no message about the size"
    [ "$(stat -c %s "$sparse")" = "$size_before" ] || why="${why:+$why; }the file was rewritten"
    [ -s "$tmp/fmt.out" ] && why="${why:+$why; }printed $(head -c 60 "$tmp/fmt.out")"
    # relatime updates an atime older than the mtime on any read
    [ "$(stat -c %X "$sparse")" = "$(date -d 2000-01-01 +%s)" ] || why="${why:+$why; }the file was read"
    left=$(temporaries "$out")
    [ -z "$left" ] || why="${why:+$why; }left $left"
    label="fmt"
    [ $how = check ] && label="fmt --check"
    check "$label of a sparse 4 GiB + 30 B file: refused before reading" "$why" "$(cat "$tmp/err")"
done
timeout 60 "$bin" fmt - <"$sparse" >"$tmp/fmt.out" 2>"$tmp/err"; code=$?
check "fmt - with the 4 GiB file on stdin: refused" \
    "$([ $code = 2 ] && [ ! -s "$tmp/fmt.out" ] && grep -q 'larger than' "$tmp/err" || echo "exit $code")" \
    "$(cat "$tmp/err")"
rm -f "$sparse"
# stdin from a pipe: strat must stop reading at the limit, not take all of
# it and refuse afterwards; the writer counts what the pipe took from it
# (at most a chunk and the pipe's buffer more than strat read)
if command -v python3 >/dev/null; then
    python3 -c '
import os, sys
chunk, total = bytes(1 << 20), 0
try:
    while total < 1 << 30:
        total += os.write(1, chunk)
except BrokenPipeError:
    pass
sys.stderr.write("%d\n" % total)' 2>"$tmp/written" | timeout 120 "$bin" fmt - >"$tmp/fmt.out" 2>"$tmp/err"
    code=${PIPESTATUS[1]}
    written=$(cat "$tmp/written")
    why=""
    [ "$code" = 2 ] || why="exit $code, want 2"
    [ -s "$tmp/fmt.out" ] && why="${why:+$why; }printed something"
    grep -q 'larger than' "$tmp/err" || why="${why:+$why; }no message about the size"
    [ "${written:-0}" -le $(((256 + 4) * 1024 * 1024)) ] ||
        why="${why:+$why; }it read $((written >> 20)) MiB of a 1 GiB pipe, past the limit of 256"
    check "fmt - of a 1 GiB pipe: refused after reading 256 MiB" "$why" "$(cat "$tmp/err")"
fi

# ---- f. the per-code cap, counted in JSON and SARIF -----------------------------------------
if command -v python3 >/dev/null; then
    flood=$tmp/flood
    mkdir -p "$flood"
    {
        echo 'strategy "s" { vision = "v" horizon = 2027-01-01 .. 2027-12-31 currency = "EUR" budget = 1M }'
        echo 'role cio { title = "CIO" }'
        for i in $(seq 1 1234); do echo "service s$i { owner = cio }"; done
    } >"$flood/flood.strat"
    (cd "$flood" && "$bin" check --today "$today" --format json -o flood.json flood.strat 2>/dev/null)
    (cd "$flood" && "$bin" check --today "$today" --format sarif -o flood.sarif flood.strat 2>/dev/null)
    why=$(python3 - "$flood/flood.json" "$flood/flood.sarif" <<'PY'
import json, sys
problems = []
diags = json.load(open(sys.argv[1]))["diagnostics"]
kept = sum(1 for d in diags if d["code"] == "S0707")
notes = [d for d in diags if d.get("omitted")]
if kept != 1000:
    problems.append("json keeps %d S0707, want 1000" % kept)
if [(n["code"], n["severity"], n["omitted"]) for n in notes] != [("S1201", "note", {"code": "S0707", "count": 234})]:
    problems.append("json omitted: %r" % notes)
doc = json.load(open(sys.argv[2]))
run = doc["runs"][0]
ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
results = [r for r in run["results"] if r["ruleId"] == "S0707"]
if len(results) != 1000:
    problems.append("sarif has %d S0707 results, want 1000" % len(results))
inv = run.get("invocations", [])
if len(inv) != 1 or inv[0].get("executionSuccessful") is not True:
    problems.append("sarif invocations: %r" % inv)
else:
    ns = inv[0].get("toolExecutionNotifications", [])
    if len(ns) != 1:
        problems.append("sarif notifications: %r" % ns)
    for n in ns:
        rule = n["associatedRule"]
        if rule["id"] != "S0707" or ids[rule["index"]] != "S0707":
            problems.append("sarif associatedRule %r" % rule)
        if n["properties"].get("omittedCount") != 234 or n["level"] != "note" \
                or "234 more" not in n["message"]["text"]:
            problems.append("sarif notification %r" % n)
print("; ".join(problems))
PY
)
    check "JSON and SARIF count the 234 diagnostics past the cap of 1000" "$why"
else
    echo "skip the per-code cap in JSON and SARIF: python3 not found"
fi

# ---- g. Markdown as GitHub renders it ---------------------------------------------------------
if command -v cmark-gfm >/dev/null && command -v python3 >/dev/null; then
    g=$root/tests/golden
    (cd "$g/decide" && "$bin" decide --today "$today" --format md md_escape.strat 2>/dev/null) \
        | cmark-gfm --unsafe -e table -e autolink -e strikethrough -e tagfilter >"$tmp/decide.html"
    (cd "$g/diff" && "$bin" diff --today "$today" --format md md_escape_old.strat -- md_escape.strat \
        2>/dev/null) | cmark-gfm --unsafe -e table -e autolink -e strikethrough -e tagfilter >"$tmp/diff.html"
    why=$(python3 - "$tmp/decide.html" "$tmp/diff.html" <<'PY'
import html, re, sys
problems = []
for path in sys.argv[1:]:
    doc = open(path).read()
    # the tags strat writes itself: <br> between lines of a cell, <sub>, <span>$</span>
    tags = set(re.findall(r"<\s*([a-zA-Z][a-zA-Z0-9]*)", doc)) - {
        "h2", "table", "thead", "tbody", "tr", "th", "td", "p", "code", "strong",
        "ul", "li", "br", "sub", "span"}
    if tags:
        problems.append("%s: tags from the strategy: %s" % (path, sorted(tags)))
    text = html.unescape(re.sub(r"<[^>]*>", " ", doc))
    for m in re.finditer(r"(?<![\w\u200b])@[A-Za-z0-9]", text):
        problems.append("%s: a mention: %r" % (path, text[m.start():m.start() + 12]))
    for m in re.finditer(r"://|www\.", text):
        problems.append("%s: an autolink: %r" % (path, text[max(0, m.start() - 6):m.start() + 10]))
doc = open(sys.argv[1]).read()
tables = re.findall(r"<table>(.*?)</table>", doc, re.S)
rows = re.findall(r"<tr>(.*?)</tr>", tables[1], re.S)
widths = [len(re.findall(r"<t[dh][ >]", r)) for r in rows]
if len(set(widths)) != 1 or len(rows) != 3:
    problems.append("decide: the table's rows have %r cells" % widths)
because = re.findall(r"<td>(.*?)</td>", rows[1], re.S)[3]
shown = html.unescape(re.sub(r"<[^>]*>", "", because)).replace("\u200b", "")
want = "<script>alert(1)</script> ping @team, see [x](http://evil) | www.evil.example mail me@evil.example"
if shown != want:
    problems.append("decide: the because shows %r" % shown)
print("; ".join(problems))
PY
)
    check "Markdown rendered by cmark-gfm: strategy text literal, no HTML, link or mention" "$why"
else
    echo "skip Markdown rendering: cmark-gfm (Debian package cmark-gfm) or python3 not found"
fi

check "no temporary file left anywhere" "$(temporaries "$out" "$tmp" "$tmp/victim")"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
