#!/usr/bin/env bash
# Distributed under the Boost Software License, Version 1.0. (See accompanying
# file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
#
# Installs the Debian (bookworm) packages the build and tests need, if any is missing.
# Does nothing when all are installed. Needs root (or sudo) only when something is missing.
set -euo pipefail

packages=(
    g++-12
    clang-16
    libclang-rt-16-dev
    make
    cmake
    libboost1.81-dev
    libboost-test1.81-dev
    libboost1.81-tools-dev
    clang-format
    valgrind
    asciidoctor
    python3
    pkg-config
    libcurl4-openssl-dev
    libc-ares-dev
)

missing=()
for p in "${packages[@]}"; do
    if [ "$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null)" != installed ]; then
        missing+=("$p")
    fi
done

if [ "${#missing[@]}" -eq 0 ]; then
    exit 0
fi

echo "install_deps: installing missing packages: ${missing[*]}"
sudo=()
if [ "$(id -u)" -ne 0 ]; then
    sudo=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update
"${sudo[@]}" apt-get install -y --no-install-recommends "${packages[@]}"
