#!/usr/bin/env bash
# Installs the Debian packages strat needs to build and test, if missing.
# Uses sudo only when not root.  Called by `make demo` and `make test`.
set -euo pipefail
pkgs=(make gcc flex bison libgccjit-12-dev libcmocka-dev nettle-dev)
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
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
