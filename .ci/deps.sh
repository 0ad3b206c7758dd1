#!/usr/bin/env bash
# Installs the Debian packages strat needs, if missing; sudo only when not
# root.  `make deps` and `make demo` call it for building; with --test
# (`make test-deps`, and .ci/run before `make test`) it also installs what
# the test suite drives (Chromium for the HTML report, Graphviz for graphs,
# cmark-gfm for Markdown rendering, clang's libFuzzer for the fuzz smoke,
# pkg-config for the install test, Neovim for the language server's
# editor test, PostgreSQL 15 for `strat sql`'s test, which runs a server of
# its own).  `make test` itself installs nothing: a test whose tool is
# missing skips with a message rather than failing.
set -euo pipefail
pkgs=(make gcc flex bison libgccjit-12-dev libcmocka-dev nettle-dev)
if [ "${1:-}" = "--test" ]; then
    pkgs+=(chromium graphviz clang libclang-rt-14-dev pkg-config groff-base man-db locales cmark-gfm neovim postgresql)
fi
missing=()
for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "deps: installing ${missing[*]}" >&2
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
if ! $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2; then
    # the build packages are required; the test tools are best effort
    if [ "${1:-}" = "--test" ]; then
        echo "deps: some test tools could not be installed; their tests will skip" >&2
        exit 0
    fi
    exit 1
fi
