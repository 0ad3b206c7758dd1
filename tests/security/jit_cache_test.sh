#!/usr/bin/env bash
# jit_cache_test.sh BIN — nobody else can make strat run their code through
# the cache of compiled code, and a broken cache never breaks a run.
#
#   bash tests/security/jit_cache_test.sh build/strat
#
# examples/retail is decided with `--jit on --verbose` against a cache
# directory (XDG_CACHE_HOME) set up for each case; every case asserts that
# the decisions are byte-identical to `--jit off`, and:
#   baseline     an empty cache is filled (object + sha256sum-style index),
#                the next run loads it
#   unsafe dir   the cache directory, or a parent, writable by group or
#                others (or owned by another uid) holding a consistent
#                planted object and index: the cache is not used (one
#                note), the object's constructor never runs; below a sticky
#                world-writable parent a private (0700) cache is used
#   $HOME        the default cache (~/.cache/strat): parents checked up to
#                $HOME, $HOME included, not above it
#   planted      the object replaced under the exact name strat loads, by
#                one whose constructor creates a marker file: root-owned,
#                owned by the attacker uid, a symlink to it: the marker is
#                never created, the object is deleted and compiled again
#   truncated    half or none of the object left: no crash (it was SIGBUS
#                in dlopen), rejected, compiled again, the cache healed
#   symlinks     links to a precious file planted at the object's and
#                index's names and at the temporary name an older strat
#                used (HASH.so.tmpPID, with the pid strat will have): the
#                precious file is untouched, the cache filled with files
#   unwritable   the object's name taken by a directory (root), or a cache
#                directory the user cannot write (a non-root uid): the
#                kernel still runs compiled, from memory (--verbose says so)
#   attacker uid as root and as a non-root victim: an attacker (uid 54321
#                via setpriv) pre-creates the cache directory in a shared
#                sticky directory and plants an object: not used, no mark
# Cases that need root and setpriv (util-linux), or cc for the planted
# object, are skipped with a message.  Prints `N passed, M failed` last;
# exit 1 on any failure.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=$(realpath "${1:-$root/build/strat}")
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$root/tests/lsan.supp:print_suppressions=0}
export LC_ALL=C TZ=UTC
today=2027-01-15
attacker=54321
victim=54322
pass=0
fail=0
. "$root/tests/lib.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# everything a non-root uid runs is copied where it can read it
chmod 755 "$tmp"
mkdir -p "$tmp/pub/bin" "$tmp/marks"
chmod 1777 "$tmp/marks"
cp "$bin" "$tmp/pub/bin/strat"
cp -r "$root/stdlib" "$tmp/pub/stdlib"
cp -r "$root/examples/retail" "$tmp/pub/retail"
chmod -R a+rX "$tmp/pub"
strat=$tmp/pub/bin/strat
strategy=$tmp/pub/retail/retail.strat
export STRAT_STDLIB=$tmp/pub/stdlib

"$strat" decide --jit off --today "$today" "$strategy" >"$tmp/ref" 2>"$tmp/ref.err" ||
    { bad "reference run (--jit off)" "$(cat "$tmp/ref.err")"; echo "$pass passed, $fail failed"; exit 1; }

is_root=0
[ "$(id -u)" = 0 ] && is_root=1
have_setpriv=0
command -v setpriv >/dev/null 2>&1 && have_setpriv=1
as_uid() {   # as_uid UID CMD...: CMD run as UID (and its gid), no groups
    local uid=$1
    shift
    setpriv --reuid "$uid" --regid "$uid" --clear-groups -- "$@"
}

# decide XDG_CACHE_HOME [as UID]: stdout in $tmp/out, stderr in $tmp/err,
# the exit status in $code
decide() {
    local cache=$1
    shift
    local run=()
    [ $# -gt 0 ] && run=(as_uid "$2")
    "${run[@]}" env XDG_CACHE_HOME="$cache" HOME="$tmp/home" \
        "$strat" decide --jit on --verbose --today "$today" "$strategy" >"$tmp/out" 2>"$tmp/err"
    code=$?
}
mkdir -p "$tmp/home"

# the run's decisions are --jit off's, and it ran compiled code
decided_right() {
    local label=$1
    if [ "$code" != 0 ]; then
        bad "$label: exit $code" "$(cat "$tmp/err")"
    elif ! cmp -s "$tmp/out" "$tmp/ref"; then
        bad "$label: decisions differ from --jit off" "$(diff "$tmp/ref" "$tmp/out")"
    elif ! grep -q 'scores compiled, decide compiled' "$tmp/err"; then
        bad "$label: the kernel did not run compiled" "$(cat "$tmp/err")"
    else
        ok
    fi
}

says() {   # says LABEL PATTERN: stderr has a line matching PATTERN
    if grep -q -- "$2" "$tmp/err"; then ok; else bad "$1: no \"$2\" on stderr" "$(cat "$tmp/err")"; fi
}

says_not() {
    if grep -q -- "$2" "$tmp/err"; then bad "$1: \"$2\" on stderr" "$(cat "$tmp/err")"; else ok; fi
}

healed() {   # healed LABEL DIR: DIR/KEY.so is a regular file its index vouches for
    local d=$2
    if [ -f "$d/$key.so" ] && [ ! -L "$d/$key.so" ] && [ ! -L "$d/$key.sha256" ] &&
        (cd "$d" && sha256sum --status -c "$key.sha256"); then
        ok
    else
        bad "$1: the cache was not healed" "$(ls -la "$d"; cat "$tmp/err")"
    fi
}

# ---- baseline: fill, then load --------------------------------------------------
decide "$tmp/base"
decided_right "baseline, empty cache"
says "baseline, empty cache" "compiled and cached"
key=$(basename "$(ls "$tmp"/base/strat/*.so 2>/dev/null | head -1)" .so)
if [ -z "$key" ] || [ ! -f "$tmp/base/strat/$key.sha256" ]; then
    bad "baseline: no object and index in the cache" "$(ls -laR "$tmp/base")"
    echo "$pass passed, $fail failed"
    exit 1
fi
healed "baseline" "$tmp/base/strat"
mode=$(stat -c %a "$tmp/base/strat")
[ "$mode" = 700 ] && ok || bad "baseline: cache directory created $mode, not 700"
decide "$tmp/base"
decided_right "baseline, warm cache"
says "baseline, warm cache" "loaded .* from the cache"

# fill DIR (an XDG_CACHE_HOME) with this strategy's object, as the user
fill() {
    mkdir -p "$1/strat"
    chmod 700 "$1/strat"
    cp -p "$tmp/base/strat/$key.so" "$tmp/base/strat/$key.sha256" "$1/strat/"
}

# ---- the planted object ---------------------------------------------------------
# evil.so: the names strat looks up, and a constructor that leaves a mark
evil=""
mark=$tmp/marks/constructor-ran
if command -v cc >/dev/null 2>&1; then
    cat >"$tmp/evil.c" <<EOF
#include <fcntl.h>
#include <unistd.h>
__attribute__((constructor)) static void planted(void)
{
    int fd = open("$mark", O_WRONLY | O_CREAT, 0666);
    if (fd >= 0)
        close(fd);
}
const char *strat_key(void) { return "$key"; }
void strat_kernel(void) {}
EOF
    if cc -shared -fPIC -o "$tmp/evil.so" "$tmp/evil.c" 2>"$tmp/cc.err"; then
        chmod 755 "$tmp/evil.so"
        # the plant works: loaded, it leaves the mark
        env LD_PRELOAD="$tmp/evil.so" true
        if [ -e "$mark" ]; then evil=$tmp/evil.so; else bad "evil.so leaves no mark when preloaded"; fi
        rm -f "$mark"
    else
        bad "cc could not build the planted object" "$(cat "$tmp/cc.err")"
    fi
else
    echo "skip planted objects: no cc"
fi

no_mark() {
    if [ -e "$mark" ]; then
        bad "$1: the planted object's constructor ran (as uid $(stat -c %u "$mark"))"
        rm -f "$mark"
    else
        ok
    fi
}

# plant DIR [OWNER]: evil.so under the object's name in DIR, with an index
# entry that vouches for it (what an attacker who can write DIR writes)
plant() {
    local d=$1
    rm -f "$d/$key.so" "$d/$key.sha256"
    cp "$evil" "$d/$key.so"
    chmod 600 "$d/$key.so"
    (cd "$d" && sha256sum "$key.so" >"$key.sha256")
    chmod 600 "$d/$key.sha256"
    if [ $# -gt 1 ]; then chown "$2:$2" "$d/$key.so" "$d/$key.sha256"; fi
}

if [ -n "$evil" ]; then
    # replaced by the user's own file, the old index kept: the hash differs
    fill "$tmp/p1"
    cp "$evil" "$tmp/p1/strat/$key.so"
    chmod 600 "$tmp/p1/strat/$key.so"
    decide "$tmp/p1"
    decided_right "planted object, old index"
    no_mark "planted object, old index"
    says "planted object, old index" "rejected (its SHA-256 does not match the index)"
    healed "planted object, old index" "$tmp/p1/strat"

    # a symlink to the object, with an index that vouches for its bytes
    fill "$tmp/p2"
    rm -f "$tmp/p2/strat/$key.so"
    ln -s "$evil" "$tmp/p2/strat/$key.so"
    (cd "$tmp/p2/strat" && sha256sum <"$evil" | sed "s/-\$/$key.so/" >"$key.sha256")
    decide "$tmp/p2"
    decided_right "planted symlink"
    no_mark "planted symlink"
    says "planted symlink" "rejected"
    healed "planted symlink" "$tmp/p2/strat"

    if [ "$is_root" = 1 ]; then
        # owned by the attacker, index and all
        fill "$tmp/p3"
        plant "$tmp/p3/strat" "$attacker"
        decide "$tmp/p3"
        decided_right "planted object owned by uid $attacker"
        no_mark "planted object owned by uid $attacker"
        says "planted object owned by uid $attacker" "rejected (owned by uid $attacker)"
        healed "planted object owned by uid $attacker" "$tmp/p3/strat"
    else
        echo "skip planted object owned by another uid: not root"
    fi
fi

# ---- an unsafe directory --------------------------------------------------------
# a consistent plant (the index vouches for it) in a directory others could
# write: only the directory check stands between it and dlopen
unsafe_case() {   # unsafe_case LABEL CACHE CHMOD-TARGET MODE WHY
    local label=$1 cache=$2
    fill "$cache"
    if [ -n "$evil" ]; then plant "$cache/strat"; fi
    chmod "$4" "$3"
    local before
    before=$(ls -la "$cache/strat")
    decide "$cache"
    decided_right "$label"
    no_mark "$label"
    says "$label" "cache .* not used: .*$5"
    says_not "$label" "loaded .* from the cache"
    [ "$(grep -c 'not used' "$tmp/err")" = 1 ] && ok || bad "$label: not one note" "$(cat "$tmp/err")"
    [ "$(ls -la "$cache/strat")" = "$before" ] && ok || bad "$label: the cache was written"
}
unsafe_case "cache directory 0777" "$tmp/u1" "$tmp/u1/strat" 777 "writable by group or others"
unsafe_case "cache directory 0770" "$tmp/u2" "$tmp/u2/strat" 770 "writable by group or others"
unsafe_case "parent directory 0777" "$tmp/u3" "$tmp/u3" 777 "u3 is writable by group or others"
unsafe_case "parent directory 0775" "$tmp/u4" "$tmp/u4" 775 "u4 is writable by group or others"
mkdir -p "$tmp/u5"
chmod 1777 "$tmp/u5"
unsafe_case "cache 0755 below a sticky 1777 parent" "$tmp/u5" "$tmp/u5/strat" 755 \
    "below a world-writable directory and not 0700"
# a private cache below a sticky parent (/tmp) is the user's own
fill "$tmp/s1"
chmod 1777 "$tmp/s1"
decide "$tmp/s1"
decided_right "private cache below a sticky parent"
says "private cache below a sticky parent" "loaded .* from the cache"

# ---- the default cache under $HOME ---------------------------------------------------
# the parents are checked up to $HOME (which is checked too), not above it
decide_home() {   # decide_home HOME: XDG_CACHE_HOME unset
    env -u XDG_CACHE_HOME HOME="$1" \
        "$strat" decide --jit on --verbose --today "$today" "$strategy" >"$tmp/out" 2>"$tmp/err"
    code=$?
}
mkdir -p "$tmp/homes/alice"
chmod 777 "$tmp/homes"
chmod 700 "$tmp/homes/alice"
decide_home "$tmp/homes/alice"
decided_right "cache under \$HOME, \$HOME's parent 0777"
says "cache under \$HOME, \$HOME's parent 0777" "compiled and cached .*/homes/alice/.cache/strat/"
decide_home "$tmp/homes/alice"
says "cache under \$HOME, \$HOME's parent 0777, next run" "loaded .* from the cache"
chmod 775 "$tmp/homes/alice"
decide_home "$tmp/homes/alice"
decided_right "cache under \$HOME, \$HOME 0775"
says "cache under \$HOME, \$HOME 0775" "not used: .*/homes/alice is writable by group or others"

# ---- truncated objects ----------------------------------------------------------
for size in half 0; do
    fill "$tmp/t-$size"
    obj=$tmp/t-$size/strat/$key.so
    if [ "$size" = half ]; then truncate -s $(($(stat -c %s "$obj") / 2)) "$obj"; else : >"$obj"; fi
    decide "$tmp/t-$size"
    decided_right "object truncated to $size bytes"
    says "object truncated to $size bytes" "rejected"
    healed "object truncated to $size bytes" "$tmp/t-$size/strat"
    decide "$tmp/t-$size"
    says "object truncated to $size bytes, next run" "loaded .* from the cache"
done
# an object with no index entry (written by an older strat) is not loaded
fill "$tmp/t-noindex"
rm "$tmp/t-noindex/strat/$key.sha256"
decide "$tmp/t-noindex"
decided_right "object without an index entry"
says "object without an index entry" "rejected (no index entry)"
healed "object without an index entry" "$tmp/t-noindex/strat"

# ---- symlinks where the cache writes ---------------------------------------------
precious=$tmp/precious
printf 'precious\n' >"$precious"
chmod 644 "$precious"
mkdir -p "$tmp/l1/strat"
chmod 700 "$tmp/l1/strat"
d=$tmp/l1/strat
ln -s "$precious" "$d/$key.so"
ln -s "$precious" "$d/$key.sha256"
ln -s "$tmp/l1-created" "$d/$key.so.tmp" # a dangling one
# the temporary name strat 0.1 used, with the pid this strat will run as
(
    ln -s "$precious" "$d/$key.so.tmp$BASHPID"
    exec env XDG_CACHE_HOME="$tmp/l1" HOME="$tmp/home" \
        "$strat" decide --jit on --verbose --today "$today" "$strategy" >"$tmp/out" 2>"$tmp/err"
)
code=$?
decided_right "symlinks at the cache's names"
if [ "$(cat "$precious")" = precious ] && [ "$(stat -c %a "$precious")" = 644 ] &&
    [ ! -e "$tmp/l1-created" ]; then
    ok
else
    bad "symlinks at the cache's names: a link's target was written" \
        "$(ls -la "$precious" "$tmp/l1-created" 2>&1; head -c 64 "$precious" | od -c | head -3)"
fi
healed "symlinks at the cache's names" "$d"

# ---- a cache that cannot be written -----------------------------------------------
# the object's name taken by a directory: the rename fails after compiling
mkdir -p "$tmp/w1/strat/$key.so/in-the-way"
chmod 700 "$tmp/w1/strat"
decide "$tmp/w1"
decided_right "object's name taken by a directory"
says "object's name taken by a directory" "could not cache it .*from memory"
if [ "$is_root" = 1 ] && [ "$have_setpriv" = 1 ]; then
    # a cache the user owns but cannot write (root could write anything)
    mkdir -p "$tmp/w2/strat"
    chown -R "$victim:$victim" "$tmp/w2"
    chmod 500 "$tmp/w2/strat"
    decide "$tmp/w2" as "$victim"
    decided_right "unwritable cache directory (uid $victim)"
    says "unwritable cache directory (uid $victim)" "compiling in memory"
    says "unwritable cache directory (uid $victim)" "compiled in memory"
elif [ "$is_root" = 0 ]; then
    # not root: the user's own directory, made read-only
    mkdir -p "$tmp/w2/strat"
    chmod 500 "$tmp/w2/strat"
    decide "$tmp/w2"
    decided_right "unwritable cache directory"
    says "unwritable cache directory" "compiling in memory"
    says "unwritable cache directory" "compiled in memory"
    chmod 700 "$tmp/w2/strat"
else
    echo "skip unwritable cache directory as a non-root uid: no setpriv"
fi

# ---- an attacker uid ------------------------------------------------------------
if [ "$is_root" = 1 ] && [ "$have_setpriv" = 1 ] && [ -n "$evil" ]; then
    # a shared sticky directory (as /tmp): the attacker creates the cache
    # directory the victim will use, before the victim does, and plants an
    # object with an index entry that vouches for it
    for who in root "$victim"; do
        shared=$tmp/shared-$who
        mkdir -p "$shared"
        chmod 1777 "$shared"
        as_uid "$attacker" mkdir -m 777 "$shared/strat"
        as_uid "$attacker" cp "$evil" "$shared/strat/$key.so"
        as_uid "$attacker" sh -c "cd '$shared/strat' && sha256sum '$key.so' >'$key.sha256'"
        as_uid "$attacker" chmod 644 "$shared/strat/$key.so" "$shared/strat/$key.sha256"
        if [ "$who" = root ]; then decide "$shared"; else decide "$shared" as "$who"; fi
        decided_right "cache pre-created by uid $attacker, run as $who"
        no_mark "cache pre-created by uid $attacker, run as $who"
        says "cache pre-created by uid $attacker, run as $who" "not used: .*owned by uid $attacker"
        # the same, made 0700 by the attacker: still theirs
        as_uid "$attacker" chmod 700 "$shared/strat"
        if [ "$who" = root ]; then decide "$shared"; else decide "$shared" as "$who"; fi
        decided_right "private cache of uid $attacker, run as $who"
        no_mark "private cache of uid $attacker, run as $who"
    done
    # the attacker's own object in the victim's directory (shared group
    # write taken away again): owned by the attacker, refused
    mkdir -p "$tmp/v1/strat"
    chown -R "$victim:$victim" "$tmp/v1"
    chmod 700 "$tmp/v1/strat"
    plant "$tmp/v1/strat" "$attacker"
    decide "$tmp/v1" as "$victim"
    decided_right "object of uid $attacker in the cache of uid $victim"
    no_mark "object of uid $attacker in the cache of uid $victim"
    says "object of uid $attacker in the cache of uid $victim" "owned by uid $attacker"
else
    echo "skip attacker uid cases: need root, setpriv and cc"
fi

# ---- --no-cache ------------------------------------------------------------------
mkdir -p "$tmp/n1"
env XDG_CACHE_HOME="$tmp/n1" HOME="$tmp/home" "$strat" decide --jit on --no-cache --verbose \
    --today "$today" "$strategy" >"$tmp/out" 2>"$tmp/err"
code=$?
decided_right "--no-cache"
[ -z "$(ls -A "$tmp/n1")" ] && ok || bad "--no-cache wrote the cache" "$(ls -laR "$tmp/n1")"

# ---- the key names the code generator's source ---------------------------------------
# An object compiled by a build whose src/jit.c differs (a fix, a planted
# bug) under the same version must not be loaded: the Makefile passes the
# first 16 hex digits of src/jit.c's SHA-256 into the key text.
src_hash=$(sha256sum "$root/src/jit.c" | cut -c1-16)
if grep -aq "$src_hash" "$strat"; then
    ok
else
    bad "the binary does not carry src/jit.c's hash $src_hash for the cache key (built from another source?)"
fi

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
