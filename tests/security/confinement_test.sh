#!/usr/bin/env bash
# confinement_test.sh BIN — a hostile pull request cannot make strat read,
# print or probe a file outside the project root, and the output does not
# depend on how the files were named.
#
#   bash tests/security/confinement_test.sh build/strat
#
# The project is a temporary directory; next to it lies `outside/`, whose
# files hold a marker string.  The cases (issue 17, items 1 and 5):
#   marker      a committed symlink to an outside file, named on the command
#               line (absolute and relative link, default root, --root . and
#               --root of its own directory; check, decide, explain, graph,
#               test, fmt --check), imported, loaded as CSV, or reached
#               through a symlinked directory: exit non-zero, "leaves the
#               project root", and the marker never on stdout or stderr
#   dangling    a dangling symlink as the first command-line file does not
#               unset the root: a `..` import in the next file is refused
#   oracle      each of those, and `..` imports and loads, run with the
#               outside target present, with only its directory present, and
#               with neither: stdout, stderr and exit code identical (the
#               messages do not say whether the target exists)
#   untouched   (needs strace) no open/stat system call names anything
#               outside the root: a refused file is never opened
#   inside      symlinks that stay inside the root still work (file, dir,
#               absolute), and `..` out and back in is a cycle, not an escape
#   spelling    decide with `./x` against `x`, in either order, gives the
#               same bytes in every format; an absolute spelling the same
#               input hash and table order
#   order       `check a/x.strat b/y.strat` and `check b/y.strat a/x.strat`,
#               where a/x.strat imports ../b: same result (the root does not
#               depend on the order)
#   read once   41 loads of one CSV (40 alike, one spelled otherwise) read it
#               once: the --verbose count says 1 file and the CSV's size in
#               bytes; with strace, one open a spelling
# Prints `N passed, M failed` last; exit 1 on any failure.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=$(realpath "${1:-$root/build/strat}")
export STRAT_STDLIB=${STRAT_STDLIB:-$root/stdlib}
export LC_ALL=C TZ=UTC
today=2027-01-15
. "$root/tests/lib.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

marker=CONFINE-MARKER-7f3a9c1e
proj=$tmp/proj
outside=$tmp/outside
mkdir -p "$proj/strategy" "$proj/sub" "$outside"
cp "$root/tests/bad/_base.strat" "$proj/_base.strat"

make_outside() {   # the outside files, with the marker in their first line
    mkdir -p "$outside"
    printf '%s first line of a secret\nrole leaked { title = "%s" }\n' "$marker" "$marker" \
        >"$outside/secret.strat"
    printf '%s,title\nx,%s\n' "$marker" "$marker" >"$outside/secret.csv"
}
make_outside

# committed links: absolute and relative, to outside files, and a dir
ln -s "$outside/secret.strat" "$proj/strategy/main.strat"
ln -s ../../outside/secret.strat "$proj/strategy/rel.strat"
ln -s ../outside/secret.strat "$proj/link_imp.strat"
ln -s "$outside/secret.strat" "$proj/link_abs.strat"
ln -s ../outside/secret.csv "$proj/link.csv"
ln -s ../outside "$proj/outdir"
ln -s ../outside/nowhere.strat "$proj/a_dangling.strat"
w() { printf '%s' "$2" >"$proj/$1"; }
w imp_dotdot.strat $'import "_base"\nimport "../outside/secret"\n'
w imp_link.strat $'import "_base"\nimport "link_imp"\n'
w imp_abs.strat $'import "_base"\nimport "link_abs"\n'
w imp_dir.strat $'import "_base"\nimport "outdir/secret"\n'
w imp_deep.strat $'import "_base"\nimport "sub/../../outside/secret"\n'
w csv_dotdot.strat $'import "_base"\nload service from "../outside/secret.csv" { key = "id" }\n'
w csv_link.strat $'import "_base"\nload service from "link.csv" { key = "id" }\n'
w csv_dir.strat $'import "_base"\nload service from "outdir/secret.csv" { key = "id" }\n'
w second.strat $'import "_base"\nimport "../outside/secret"\n'

out=$tmp/out err=$tmp/err
# run ARGS...: strat from the project directory; $code, $out, $err
run() {
    (cd "$proj" && timeout 60 "$bin" "$@" >"$out" 2>"$err" </dev/null)
    code=$?
}

# refused LABEL ARGS...: non-zero exit (not a signal), "leaves the project
# root" said, the marker nowhere
refused() {
    local label=$1
    shift
    run "$@"
    if [ "$code" = 0 ] || [ "$code" -ge 124 ]; then
        bad "$label: exit $code" "$(cat "$err")"
    elif grep -q "$marker" "$out" "$err"; then
        bad "$label: the outside file's content was printed" "$(grep -h "$marker" "$out" "$err")"
    elif ! grep -q "leaves the project root" "$out" "$err"; then
        bad "$label: no \"leaves the project root\"" "$(cat "$err")"
    else
        ok
    fi
}

# ---- marker: command-line files, imports, loads ------------------------------
for f in strategy/main.strat strategy/rel.strat; do
    for r in "" "--root ." "--root strategy"; do
        # shellcheck disable=SC2086
        refused "marker: check $r $f" check $r --today $today "$f"
    done
    refused "marker: decide $f" decide --today $today "$f"
    refused "marker: explain $f" explain --today $today "$f" web
    refused "marker: graph $f" graph --today $today "$f"
    refused "marker: test $f" test --today $today "$f"
    refused "marker: fmt --check $f" fmt --check "$f"
    refused "marker: check --format json $f" check --format json --today $today "$f"
done
for f in imp_dotdot imp_link imp_abs imp_dir imp_deep csv_dotdot csv_link csv_dir; do
    refused "marker: $f" check --today $today "$f.strat"
    refused "marker: --root . $f" check --root . --today $today "$f.strat"
done

# ---- dangling: a dangling symlink first on the command line -----------------
# (it used to leave the root unset, and every `..` import was then read)
refused "dangling: first file, then a .. import" check --today $today a_dangling.strat second.strat
[ "$code" = 2 ] && ok || bad "dangling: exit $code, want 2 (a command-line file is refused)" "$(cat "$err")"
grep -q "second.strat:2:8: error: import .* leaves the project root" "$err" && ok ||
    bad "dangling: the .. import of second.strat is not refused at 2:8" "$(cat "$err")"
ln -s nowhere_inside.strat "$proj/b_dangling_in.strat"
refused "dangling: a link to a missing file inside, then a .. import" \
    check --today $today b_dangling_in.strat second.strat
grep -q "cannot read .b_dangling_in.strat.: No such file" "$err" && ok ||
    bad "dangling: a dangling link inside the root is not \"No such file\"" "$(cat "$err")"
rm -f "$proj/b_dangling_in.strat"

# ---- oracle: the outside target present or not, the same bytes ---------------
# three states of the outside world: all there, the directory without the
# files, nothing
oracle() {
    local label=$1
    shift
    local ref_out ref_err ref_code
    make_outside
    run "$@"
    ref_out=$(cat "$out") ref_err=$(cat "$err") ref_code=$code
    rm -f "$outside/secret.strat" "$outside/secret.csv"
    run "$@"
    if [ "$code" != "$ref_code" ] || [ "$(cat "$out")" != "$ref_out" ] || [ "$(cat "$err")" != "$ref_err" ]; then
        bad "oracle: $label: a missing target gives another answer than an existing one" \
            "$(diff <(printf '%s\n' "$ref_err") "$err")"
    else
        ok
    fi
    rm -rf "$outside"
    run "$@"
    if [ "$code" != "$ref_code" ] || [ "$(cat "$out")" != "$ref_out" ] || [ "$(cat "$err")" != "$ref_err" ]; then
        bad "oracle: $label: a missing directory gives another answer than an existing file" \
            "$(diff <(printf '%s\n' "$ref_err") "$err")"
    else
        ok
    fi
    make_outside
}
for r in "" "--root ."; do
    for f in imp_dotdot imp_link imp_abs imp_dir imp_deep csv_dotdot csv_link csv_dir; do
        # shellcheck disable=SC2086
        oracle "$r $f" check $r --today $today "$f.strat"
    done
    for f in strategy/main.strat strategy/rel.strat; do
        # shellcheck disable=SC2086
        oracle "$r $f" check $r --today $today "$f"
    done
    # shellcheck disable=SC2086
    oracle "$r fmt --check strategy/main.strat" fmt $r --check strategy/main.strat
done
# a command-line name through a symlinked directory, under --root
oracle "--root . outdir/secret.strat" check --root . --today $today outdir/secret.strat

# ---- untouched: nothing outside is opened or looked up (strace) --------------
if command -v strace >/dev/null 2>&1 && strace -f -o /dev/null true 2>/dev/null; then
    untouched() {
        local label=$1
        shift
        make_outside
        (cd "$proj" && strace -f -qq -o "$tmp/trace" \
            -e trace=open,openat,openat2,creat,stat,lstat,newfstatat,statx,access,faccessat,faccessat2,readlink,readlinkat,getxattr,lgetxattr,chdir \
            "$bin" "$@" >/dev/null 2>&1 </dev/null)
        # the path each call looks up is its first string (a readlink's
        # second is the link's text, which may name the outside)
        sed -n 's/^[0-9]* *[a-z0-9_]*([^"]*"\([^"]*\)".*/\1/p' "$tmp/trace" |
            grep -E 'outside|secret' >"$tmp/hits"
        if [ -s "$tmp/hits" ]; then
            bad "untouched: $label: a system call looked outside the root" "$(cat "$tmp/hits")"
        else
            ok
        fi
    }
    for f in imp_dotdot imp_link imp_abs imp_dir imp_deep csv_dotdot csv_link csv_dir; do
        untouched "$f" check --today $today "$f.strat"
    done
    untouched "strategy/main.strat" check --today $today strategy/main.strat
    untouched "strategy/rel.strat" check --root . --today $today strategy/rel.strat
    # a file with no strategy block through a linked directory, under
    # --root: the entry scan must not follow the link to look for
    # importers (or a .git) outside.  (Without --root the root is the
    # named file's own directory, wherever that is.)
    untouched "--root . outdir/secret.strat" check --root . --today $today outdir/secret.strat
    untouched "a_dangling.strat second.strat" check --today $today a_dangling.strat second.strat
    untouched "fmt --check strategy/main.strat" fmt --check strategy/main.strat
else
    echo "skip untouched: strace not found or not permitted"
fi

# ---- inside: links that stay inside the root still work ----------------------
mkdir -p "$proj/lib/deep"
printf 'role lib_role { title = "from lib" }\n' >"$proj/lib/deep/people.strat"
ln -s lib/deep/people.strat "$proj/people_link.strat"
ln -s "$proj/lib/deep/people.strat" "$proj/people_abs.strat"
ln -s lib/deep "$proj/deeplink"
ln -s ../../_base.strat "$proj/lib/deep/base_up.strat"
w inside.strat $'import "_base"\nimport "people_link"\nimport "people_abs"\nimport "deeplink/people"\nimport "lib/deep/base_up"\nimport "../proj/lib/deep/people"\nrole r2 { title = "x" }\n'
run check --today $today inside.strat
[ "$code" = 0 ] && [ ! -s "$err" ] && ok || bad "inside: links inside the root refused (exit $code)" "$(cat "$err")"
# the same file by four names is one file (no duplicate lib_role)
w self_loop.strat $'import "_base"\nimport "../proj/self_loop"\n'
run check --today $today self_loop.strat
grep -q "S0302" "$err" && ! grep -q "S0303" "$err" && ok ||
    bad "inside: out and back in is not a cycle" "$(cat "$err")"

# ---- spelling: ./x and x, either order, the same bytes -----------------------
two=$root/tests/reliability/twofile
spell() {   # spell FORMAT ARGS... -> stdout+stderr+exit of decide
    (cd "$two" && "$bin" decide --today $today --format "$1" "${@:2}" 2>&1; echo "exit $?")
}
for fmt in table json csv md html summary; do
    ref=$(spell $fmt services.strat portfolio.strat)
    for args in "./services.strat portfolio.strat" "portfolio.strat ./services.strat" \
        ".//services.strat ./portfolio.strat" "portfolio.strat services.strat"; do
        # shellcheck disable=SC2086
        got=$(spell $fmt $args)
        [ "$got" = "$ref" ] && ok ||
            bad "spelling: decide --format $fmt $args differs from services.strat portfolio.strat" \
                "$(diff <(printf '%s\n' "$ref") <(printf '%s\n' "$got") | head -8)"
    done
done
hash_of() { grep -o '"inputs_sha256": "[0-9a-f]*"'; }
ref=$(spell json services.strat portfolio.strat | hash_of)
got=$(spell json "$two/portfolio.strat" ../twofile/services.strat | hash_of)
[ -n "$ref" ] && [ "$got" = "$ref" ] && ok ||
    bad "spelling: an absolute and a ../ spelling change the input hash" "$ref / $got"
ref=$(spell csv services.strat portfolio.strat | cut -d, -f1-3)
got=$(spell csv "$two/portfolio.strat" ../twofile/services.strat | cut -d, -f1-3)
[ "$got" = "$ref" ] && ok || bad "spelling: an absolute spelling changes the order of ties" \
    "$(diff <(printf '%s\n' "$ref") <(printf '%s\n' "$got") | head -8)"

# ---- order: the root does not depend on the order of the files ---------------
ord=$tmp/ord
mkdir -p "$ord/a" "$ord/b"
cp "$root/tests/bad/_base.strat" "$ord/b/y.strat"
printf 'role lib_role { title = "lib" }\n' >"$ord/b/lib.strat"
printf 'import "../b/lib"\nrole x_role { title = "x" }\n' >"$ord/a/x.strat"
o1=$(cd "$ord" && "$bin" check --today $today a/x.strat b/y.strat 2>&1; echo "exit $?")
o2=$(cd "$ord" && "$bin" check --today $today b/y.strat a/x.strat 2>&1; echo "exit $?")
[ "$o1" = "$o2" ] && ok || bad "order: check a/x b/y and b/y a/x differ" "$(diff <(echo "$o1") <(echo "$o2"))"
[ "$o1" = "exit 0" ] && ok || bad "order: the import of ../b from a/x is refused" "$o1"

# ---- read once: 40 loads of one CSV ------------------------------------------
csvdir=$tmp/csv
mkdir -p "$csvdir"
cp "$root/tests/bad/_base.strat" "$csvdir/_base.strat"
{
    printf 'id,title\n'
    for i in $(seq 1 16); do printf 'r%d,%s\n' "$i" "$(head -c 25000 /dev/zero | tr '\0' x)"; done
} >"$csvdir/big.csv"
{
    printf 'import "_base"\n'
    for _ in $(seq 1 40); do printf 'load service from "big.csv" { key = "id" }\n'; done
    # another spelling of the same file
    printf 'load service from "../csv/./big.csv" { key = "id" }\n'
} >"$csvdir/main.strat"
size=$(wc -c <"$csvdir/big.csv")
line=$(cd "$csvdir" && "$bin" check --verbose --format json --today $today main.strat 2>&1 >/dev/null | grep '^strat: read:')
want="strat: read: 41 CSV loads, 1 files, $size bytes"
[ "$line" = "$want" ] && ok || bad "read once: 41 loads of one CSV" "want: $want" "got: $line"
if command -v strace >/dev/null 2>&1 && strace -f -o /dev/null true 2>/dev/null; then
    (cd "$csvdir" && strace -f -qq -o "$tmp/trace" -e trace=open,openat,openat2 \
        "$bin" check --format json --today $today main.strat >/dev/null 2>&1)
    # once for the 40 loads spelled alike; once more to resolve the other
    # spelling, found to be the same file (closed unread: see the count above)
    opens=$(grep -c '"big.csv"' "$tmp/trace")
    [ "$opens" = 2 ] && ok || bad "read once: big.csv opened $opens times, want 2 (one a spelling)" "$(grep big.csv "$tmp/trace" | head -3)"
fi

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
