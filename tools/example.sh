#!/usr/bin/env bash
# Distributed under the Boost Software License, Version 1.0. (See accompanying
# file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
#
# Builds and runs the headline example with g++-12 and C++20 (build dir: build/example).
set -euo pipefail

example=bridge

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

bash tools/install_deps.sh

cmake -S . -B build/example -G "Unix Makefiles" \
    -DCMAKE_BUILD_TYPE=Debug \
    -DCMAKE_CXX_COMPILER=g++-12 \
    -DCMAKE_CXX_STANDARD=20 \
    -DCMAKE_CXX_EXTENSIONS=OFF \
    -DBOOST_ASIO_FUTURE_BUILD_TESTS=OFF \
    -DBOOST_ASIO_FUTURE_BUILD_EXAMPLES=ON
cmake --build build/example -j 2 --target "example_$example"

echo "=== example/$example.cpp ==="
"build/example/example/example_$example"
