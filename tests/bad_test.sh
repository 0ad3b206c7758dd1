#!/usr/bin/env bash
# bad_test.sh BIN — hostile input never crashes or hangs strat, and always
# gets a located diagnostic and a non-zero exit.
#
#   bash tests/bad_test.sh build/strat
#
# The cases are tests/bad/NAME.strat (or NAME) with NAME.expect, written by
# tests/bad/gen.py (see there for the format); cases too large to commit are
# generated into a temporary directory by `gen.py --large` (needs python3,
# skipped with a message without it).  Cases that need the file system at
# run time are made here: symlinks out of the project, symlink loops,
# unreadable files (skipped as root, where permissions do not stop reads:
# CI runs as root), directories and FIFOs where files are expected, a 1 GB
# line, a 250 MB line read and scanned (under `timeout 60` and a memory
# limit), 100k lines of random tokens, a million nested parentheses, odd
# file names.
#
# Each case runs `strat check --format json --today 2027-01-15 FILE` from
# the case's directory under `timeout 60`, with an ASan+UBSan build when
# one is newer than every source — build/asan/strat (`make asan`), or
# build/fuzz/strat (tests/fuzz/run.sh) — else BIN; STRAT_BAD_NO_ASAN=1
# always uses BIN.  A case passes when
#   - the exit code is non-zero and not from a signal or the timeout,
#   - stderr holds no sanitizer report,
#   - (unless the case expects `EXIT n`) the JSON report has at least one
#     diagnostic with a line number, and every `CODE LINE:COL [FILE]` line of
#     the .expect file appears in it (FILE defaults to the case's file).
# Prints `N passed, M failed` last; exit 1 on any failure.
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
bin=$(realpath "${1:-$root/build/strat}")
given_bin=$bin
# an ASan build newer than every source, if there is one: build/asan/strat
# (make asan), or the one tests/fuzz/run.sh links in build/fuzz/
fresh() {
    [ -x "$1" ] && [ -z "$(find "$root/src" "$root/grammar" "$root/include" -newer "$1" -type f 2>/dev/null | head -1)" ]
}
if [ -z "${STRAT_BAD_NO_ASAN:-}" ] && ! grep -q __asan_init "$bin" 2>/dev/null; then
    if fresh "$root/build/asan/strat"; then
        bin=$root/build/asan/strat
    elif fresh "${FUZZ_DIR:-$root/build/fuzz}/strat"; then
        bin=${FUZZ_DIR:-$root/build/fuzz}/strat
    fi
fi
is_asan=0
grep -q __asan_init "$bin" 2>/dev/null && is_asan=1
echo "bad: using $bin$([ $is_asan = 1 ] && echo ' (ASan+UBSan)')"
export STRAT_STDLIB=${STRAT_STDLIB:-$root/stdlib}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$root/tests/lsan.supp:print_suppressions=0}
export LC_ALL=C TZ=UTC
today=2027-01-15
vmem_kb=""
case_timeout=60
pass=0
fail=0
skip=0
tmp=$(mktemp -d)
cleanup() { chmod -R u+rwx "$tmp" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT

. "$root/tests/lib.sh"
skipped() { skip=$((skip + 1)); echo "skip $1: $2"; }

sanitizer_report() {
    grep -aE -m3 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:|SUMMARY: (Address|Undefined|Leak)' "$1"
}

# check_case NAME DIR FILE EXPECT_TEXT [extra strat args...]
# Runs the case and judges it; EXPECT_TEXT is the .expect content.
check_case() {
    local name=$1 dir=$2 file=$3 expect=$4
    shift 4
    local out=$tmp/out err=$tmp/err code start secs
    start=$(date +%s)
    (if [ -n "$vmem_kb" ]; then ulimit -v "$vmem_kb"; fi
     cd "$dir" && timeout -k 5 "$case_timeout" "$bin" check --format json --today "$today" --color never \
        "$@" -- "$file" >"$out" 2>"$err" </dev/null)
    code=$?
    secs=$(( $(date +%s) - start ))
    local why=""
    if [ "$code" = 124 ] || [ "$code" = 137 ]; then
        # timeout: 124, or 137 when it had to kill
        why="timed out after ${secs}s (exit $code)"
    elif [ "$code" -ge 128 ]; then
        why="killed by signal $((code - 128))"
    elif [ "$code" = 0 ]; then
        why="exit 0: hostile input accepted"
    fi
    local rep
    rep=$(sanitizer_report "$err")
    [ -n "$rep" ] && why="${why:+$why; }sanitizer: $rep"
    local want_exit
    want_exit=$(printf '%s\n' "$expect" | sed -n 's/^EXIT \([0-9]*\)$/\1/p' | head -1)
    if [ -n "$want_exit" ]; then
        [ "$code" = "$want_exit" ] || why="${why:+$why; }exit $code, want $want_exit"
        # the message is on stderr, or in the JSON report on stdout
        cat "$err" "$out" | grep -q . || why="${why:+$why; }no message"
    else
        grep -aqE '"line": [1-9]' "$out" || why="${why:+$why; }no located diagnostic"
        local line alt found c lc f l col
        while IFS= read -r line; do
            case "$line" in ''|'#'*|EXIT*) continue ;; esac
            # `A | B`: either diagnostic will do
            found=0
            while IFS= read -r alt; do
                # shellcheck disable=SC2086
                set -- $alt
                c=$1 lc=$2 f=${3:-$file}
                l=${lc%%:*} col=${lc#*:}
                [ "$l" = '*' ] && l='[0-9]+'
                [ "$col" = '*' ] && col='[0-9]+'
                if grep -aE "\"file\": \"$(printf '%s' "$f" | sed 's/[][\.*^$+?(){}|]/\\&/g')\", \"line\": $l, \"column\": $col," "$out" |
                     grep -aqF "\"code\": \"$c\""; then
                    found=1
                fi
            done < <(printf '%s\n' "$line" | sed 's/ | /\n/g')
            [ $found = 1 ] || why="${why:+$why; }missing $line"
        done <<<"$expect"
    fi
    if [ -z "$why" ]; then
        ok
    else
        local got
        got=$(grep -aE '^ *\{"file"' "$out" | sed -E 's/^ *\{"file": "([^"]*)", "line": ([0-9]+), "column": ([0-9]+),.*"code": "(S[0-9]+)", "message": "(.{0,90}).*/\1:\2:\3 \4 \5/' | head -5)
        bad "$name: $why" "${got:-$(head -c 600 "$err")}"
    fi
}

# ---- the committed cases, and the large generated ones ------------------------
run_dir() {
    local dir=$1 e name file
    for e in "$dir"/*.expect; do
        [ -e "$e" ] || continue
        name=$(basename "$e" .expect)
        file=$name.strat
        [ -f "$dir/$file" ] || file=$name
        if [ ! -e "$dir/$file" ]; then
            bad "$name: no input file next to $e"
            continue
        fi
        check_case "$name" "$dir" "$file" "$(cat "$e")"
    done
}
run_dir "$root/tests/bad"
if command -v python3 >/dev/null 2>&1; then
    python3 "$root/tests/bad/gen.py" --large "$tmp/large" 2>/dev/null
    run_dir "$tmp/large"
    rm -rf "$tmp/large"
else
    skipped "large cases" "python3 not found (tests/bad/gen.py --large makes them)"
fi

# ---- cases made at run time ----------------------------------------------------
base=$root/tests/bad/_base.strat
proj=$tmp/proj
mkdir -p "$proj" "$tmp/outside"
cp "$base" "$proj/_base.strat"
printf 'role outsider { title = "from outside the project" }\n' >"$tmp/outside/outside.strat"
printf 'id,title\nx,X\n' >"$tmp/outside/outside.csv"

# rt NAME CONTENT EXPECT: writes proj/NAME.strat and runs it
rt() {
    printf '%s' "$2" >"$proj/$1.strat"
    check_case "$1" "$proj" "$1.strat" "$3"
}

ln -s ../outside/outside.strat "$proj/link_out.strat"
rt symlink_escape $'import "_base"\nimport "link_out"\n' "S0303 2:8"
ln -s "$tmp/outside/outside.strat" "$proj/link_abs.strat"
rt symlink_escape_abs $'import "_base"\nimport "link_abs"\n' "S0303 2:8"
ln -s "$tmp/outside" "$proj/outdir"
rt symlink_dir_escape $'import "_base"\nimport "outdir/outside"\n' "S0303 2:8"
ln -s ../outside/outside.csv "$proj/link_out.csv"
rt symlink_csv_escape $'import "_base"\nload service from "link_out.csv" { key = "id" }\n' "S0303 2:19"
ln -s loop_b.strat "$proj/loop_a.strat"
ln -s loop_a.strat "$proj/loop_b.strat"
rt symlink_loop $'import "_base"\nimport "loop_a"\n' "S0301 2:8"
ln -s nowhere.strat "$proj/dangling.strat"
rt symlink_dangling $'import "_base"\nimport "dangling"\n' "S0301 2:8"
ln -s symlink_self.strat "$proj/self_link.strat"
rt symlink_self $'import "_base"\nimport "self_link"\n' "S0302 2:8"
mkdir -p "$proj/sub"
printf 'import "../../outside/outside"\n' >"$proj/sub/inner.strat"
rt dotdot_from_sub $'import "_base"\nimport "sub/inner"\n' "S0303 1:8 sub/inner.strat"

# a project whose main file is reached through a symlinked directory: the
# root is where the file really is, and `..` from there still escapes
mkdir -p "$tmp/real/p"
cp "$base" "$tmp/real/p/_base.strat"
printf 'import "_base"\nimport "../../outside/outside"\n' >"$tmp/real/p/main.strat"
ln -s "$tmp/real/p" "$tmp/linked_proj"
check_case symlinked_root "$tmp/linked_proj" main.strat "S0303 2:8"

if [ "$(id -u)" = 0 ]; then
    skipped "unreadable_*" "running as root, which reads files whatever their mode"
else
    printf 'import "_base"\n' >"$proj/noread.strat"
    chmod 000 "$proj/noread.strat"
    check_case unreadable_main "$proj" noread.strat "EXIT 2"
    printf 'role r { title = "x" }\n' >"$proj/noread_lib.strat"
    chmod 000 "$proj/noread_lib.strat"
    rt unreadable_import $'import "_base"\nimport "noread_lib"\n' "S0301 2:8"
    printf 'id,title\n' >"$proj/noread.csv"
    chmod 000 "$proj/noread.csv"
    rt unreadable_csv $'import "_base"\nload service from "noread.csv" { key = "id" }\n' "S0301 2:19"
    mkdir -p "$proj/locked"
    printf 'role r { title = "x" }\n' >"$proj/locked/lib.strat"
    chmod 000 "$proj/locked"
    rt unreadable_dir $'import "_base"\nimport "locked/lib"\n' "S0301 2:8"
fi

mkdir -p "$proj/adir" "$proj/dir_import.strat" "$proj/dir.csv"
check_case directory_main "$proj" adir "EXIT 2"
rt directory_import $'import "_base"\nimport "dir_import"\n' "S0301 2:8"
rt directory_csv $'import "_base"\nload service from "dir.csv" { key = "id" }\n' "S0301 2:19"
check_case dev_zero_main "$proj" /dev/zero "EXIT 2"
check_case dev_null_main "$proj" /dev/null "EXIT 2"
check_case missing_main "$proj" no_such_file.strat "EXIT 2"
check_case empty_name "$proj" "" "EXIT 2"

if mkfifo "$proj/fifo.strat" "$proj/fifo_lib.strat" "$proj/fifo.csv" 2>/dev/null; then
    # nobody ever writes to these: opening one must not block (a short
    # timeout: a hang here is the failure)
    case_timeout=10
    check_case fifo_main "$proj" fifo.strat "EXIT 2"
    rt fifo_import $'import "_base"\nimport "fifo_lib"\n' "S0301 2:8"
    rt fifo_csv $'import "_base"\nload service from "fifo.csv" { key = "id" }\n' "S0301 2:19"
    case_timeout=60
else
    skipped "fifo_*" "mkfifo failed"
fi

# odd file names: the JSON report must stay valid JSON
odd=$'odd "name"\\\n\t.strat'
printf 'import "_base"\nservice web2 { owner = nobody }\n' >"$proj/$odd"
check_case odd_file_name "$proj" "$odd" ""
if command -v python3 >/dev/null 2>&1; then
    if python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))["diagnostics"]; assert any(x["code"]=="S0401" and x["line"]==2 and x["column"]==24 for x in d)' "$tmp/out" 2>/dev/null; then
        ok
    else
        bad "odd_file_name_json: the report is not valid JSON or lacks S0401 2:24" "$(head -c 400 "$tmp/out")"
    fi
fi
dashname=-dash.strat
printf 'import "_base"\nservice web2 { owner = nobody }\n' >"$proj/$dashname"
check_case dash_file_name "$proj" "$dashname" "S0401 2:24"

# one million nested parentheses
{
    printf 'import "_base"\nscore deep(s) = '
    head -c 1000000 /dev/zero | tr '\0' '('
    printf '1'
    head -c 1000000 /dev/zero | tr '\0' ')'
    printf '\n'
} >"$proj/nest_1m.strat"
check_case nest_parens_1m "$proj" nest_1m.strat "S0202 2:*"
rm -f "$proj/nest_1m.strat"

# an import chain 3000 files long (c0 imports c1 imports c2 ...), the last
# with an error: no stack overflow, whether strat follows the whole chain
# or refuses it past some depth
mkdir -p "$proj/chain"
for i in $(seq 0 2999); do
    printf 'import "c%d"\nrole r%d { title = "t" }\n' $((i + 1)) "$i" >"$proj/chain/c$i.strat"
done
printf 'role r3000 { title = 5 }\n' >"$proj/chain/c3000.strat"
rt import_chain_3000 $'import "_base"\nimport "chain/c0"\n' ""
rm -rf "$proj/chain"

# 100k lines of random tokens (a fixed seed, so a failure reproduces)
awk 'BEGIN {
    srand(20270115)
    n = split("import strategy role team customer objective service offering value_stream " \
              "appetite schema score rule decide approval scenario load from waiver limit " \
              "test const risk stage when because otherwise rank by asc desc all any in " \
              "where for if then else and or not true false none set expect required " \
              "{ } ( ) [ ] , . : == != <= >= < > = + - * / .. x s cost s.cost 0 1 42 1.5 " \
              "30% 420k 1.2M 1e400 2027-01-01 2027-02-30 \"str\" \"\" # @ $ ` ; ~", tok, " ")
    for (i = 0; i < 100000; i++) {
        k = 1 + int(rand() * 12)
        line = ""
        for (j = 0; j < k; j++) line = line tok[1 + int(rand() * n)] " "
        print line
    }
}' >"$proj/random_tokens.strat"
check_case random_tokens_100k "$proj" random_tokens.strat ""
rm -f "$proj/random_tokens.strat"

# huge lines: 1 GB (over the 256 MiB source limit: refused before reading)
# and 250 MB (read and scanned), each under timeout 60 and a 3 GB
# address-space limit, so time and memory stay bounded
if { printf 'import "_base"\n# '; head -c 1073741824 /dev/zero | tr '\0' 'x'; printf '\n'; } \
        >"$proj/gig.strat" 2>/dev/null; then
    # memory is bounded with the binary given when it is not an ASan build
    # (ASan's shadow memory defeats ulimit -v); else only time is
    saved_bin=$bin
    if ! grep -q __asan_init "$given_bin" 2>/dev/null; then
        bin=$given_bin
        vmem_kb=3145728
    fi
    check_case line_1g_main "$proj" gig.strat "EXIT 2"
    rt line_1g_import $'import "_base"\nimport "gig"\n' "S0305 2:8"
    rm -f "$proj/gig.strat"
    { printf 'import "_base"\nrole r { title = "'; head -c 262144000 /dev/zero | tr '\0' 'x'; printf '" }\n'; } \
        >"$proj/line_250m.strat"
    check_case line_250m_string "$proj" line_250m.strat "S0107 2:18"
    rm -f "$proj/line_250m.strat"
    { printf 'import "_base"\nrole '; head -c 262144000 /dev/zero | tr '\0' 'y'; printf ' { title = "t" }\n'; } \
        >"$proj/ident_250m.strat"
    check_case line_250m_ident "$proj" ident_250m.strat "S0107 2:6"
    rm -f "$proj/ident_250m.strat"
    { printf 'import "_base"\n# '; head -c 262144000 /dev/zero | tr '\0' 'z'; printf '\nservice web2 { owner = nobody }\n'; } \
        >"$proj/comment_250m.strat"
    check_case line_250m_comment "$proj" comment_250m.strat "S0401 3:24"
    rm -f "$proj/comment_250m.strat"
    vmem_kb=""
    bin=$saved_bin
else
    rm -f "$proj/gig.strat"
    skipped "line_1g_*" "no room for a 1 GB file in ${TMPDIR:-/tmp}"
fi

# a flood of warnings (600 orphan services from a CSV, sorted before the
# main file) must not push the one error out of the capped text report
{
    printf 'id,title,owner,kind,investment,cost\n'
    for i in $(seq 1 600); do printf 's%d,S,cio,supporting,run,1\n' "$i"; done
} >"$proj/flood.csv"
printf 'import "_base"\nload service from "flood.csv" { key = "id" }\nservice web2 { owner = nobody }\n' \
    >"$proj/zz_flood.strat"
(cd "$proj" && timeout 60 "$bin" check --today "$today" --color never zz_flood.strat >/dev/null 2>"$tmp/err")
code=$?
if [ "$code" = 1 ] && grep -aq 'zz_flood.strat:3:24: error:' "$tmp/err"; then
    ok
else
    bad "warning_flood: the error at zz_flood.strat:3:24 is not in the text report (exit $code)" \
        "$(grep -a -E 'error:|S1201' "$tmp/err" | head -3)"
fi

# the report of a check must not be written where it cannot be
(cd "$proj" && timeout 60 "$bin" check --format json -o /nonexistent/dir/report.json \
    --today "$today" _base.strat >/dev/null 2>"$tmp/err")
code=$?
if [ "$code" = 2 ] && grep -q 'cannot write' "$tmp/err" && [ -z "$(sanitizer_report "$tmp/err")" ]; then
    ok
else
    bad "output_dir_missing: exit $code" "$(head -5 "$tmp/err")"
fi

[ $skip -gt 0 ] && echo "bad: $skip skipped (see above)"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
