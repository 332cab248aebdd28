#!/usr/bin/env bash
# Distributed under the Boost Software License, Version 1.0. (See accompanying
# file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
#
# Builds and runs every test in several configurations, then prints a summary that ends
# with the line "N passed, N failed". Exits non-zero if anything failed.
#
#   bash tools/test.sh                                  all configurations
#   ASIO_FUTURE_CONFIGS="gcc-cxx20 tsan" bash tools/test.sh   a subset ("" for none: trees only)
#
# Configurations (CMake builds go to build/<cfg>, b2 to build/b2):
#   gcc-cxx17    g++-12, C++17
#   gcc-cxx20    g++-12, C++20, plus the add_subdirectory / find_package consumer tests
#   clang-cxx20  clang++-16, C++20 (not in the default list: the sanitizer builds are clang++-16
#                C++20 builds with the same warnings)
#   asan-ubsan   clang++-16, C++20, AddressSanitizer + UndefinedBehaviorSanitizer
#   tsan         clang++-16, C++20, ThreadSanitizer
#   b2           b2 toolset=gcc-12 cxxstd=20 test
#   doc          every doc/*.adoc page (tools/build_doc.py, asciidoctor warnings are errors)
#                and the reference-completeness check (tools/check_reference.py)
#   valgrind     every test of the gcc-cxx20 build (listed before it) under valgrind memcheck:
#                invalid accesses, uninitialised reads and definite or indirect leaks fail
#   fuzz         clang++-16 libFuzzer + ASan + UBSan build of test/fuzz/model_fuzzer.cpp, run
#                for ASIO_FUTURE_FUZZ_SECONDS (default 60) over a copy of test/fuzz/corpus
#
# Other Boost.Asio versions: ASIO_FUTURE_ASIO_TREES="PATH ..." adds, after the configurations
# above, one configuration per tree (named asio-<version>): every test and example built with
# g++-12, C++20, against that Asio (put before Debian's Boost 1.81 headers with -isystem; the
# other Boost libraries stay 1.81), plus the umbrella header compiled as C++17 with -Wpedantic
# -Werror. A PATH is a folder holding boost/asio.hpp (a Boost or Boost.Asio tree) or a .tar.xz /
# .tar.gz archive of one (unpacked under build/asio-trees/). A PATH that does not exist or holds
# no Asio is reported as not tested, and counted as neither passed nor failed.
#
#   ASIO_FUTURE_ASIO_TREES="$HOME/boost_1_90_0" bash tools/test.sh
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

bash tools/install_deps.sh

configs=${ASIO_FUTURE_CONFIGS-"doc gcc-cxx17 gcc-cxx20 valgrind asan-ubsan tsan b2 fuzz"}
jobs=2

total_passed=0
total_failed=0
summary=()
umbrella_result=()

# Adds one line to the summary and to the totals: record <cfg> <passed> <failed> <seconds> [note]
record() {
    total_passed=$((total_passed + $2))
    total_failed=$((total_failed + $3))
    summary+=("$(printf '%-12s %3d passed, %3d failed  %4ds  %s' "$1" "$2" "$3" "$4" "${5:-}")")
}

run_cmake_config() {
    local cfg=$1 asio_tree=${2:-}
    local dir=build/$cfg
    local cxx std flags=""
    local -a extra=() env=()
    case $cfg in
        asio-*)
            # Another Asio, ahead of the system's Boost headers.
            cxx=g++-12 std=20 flags="-isystem $asio_tree"
            ;;
        gcc-cxx17) cxx=g++-12 std=17 extra=(-DBOOST_ASIO_FUTURE_PCH=OFF) ;;
        gcc-cxx20) cxx=g++-12 std=20 extra=(-DBOOST_ASIO_FUTURE_CONSUMER_TESTS=ON) ;;
        clang-cxx20) cxx=clang++-16 std=20 ;;
        asan-ubsan)
            cxx=clang++-16 std=20
            flags="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer -O1"
            env=(ASAN_OPTIONS=detect_leaks=1:detect_stack_use_after_return=1
                 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1)
            ;;
        tsan)
            cxx=clang++-16 std=20
            flags="-fsanitize=thread -O1 -g"
            env=(TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1)
            ;;
        *)
            echo "test.sh: unknown configuration '$cfg'" >&2
            record "$cfg" 0 1 0 "unknown configuration"
            return
            ;;
    esac

    local start=$SECONDS note=""
    echo "=== [$cfg] configure ($cxx, C++$std) ==="
    if ! cmake -S . -B "$dir" -G "Unix Makefiles" \
        -DCMAKE_BUILD_TYPE=Debug \
        -DCMAKE_CXX_COMPILER="$cxx" \
        -DCMAKE_CXX_STANDARD="$std" \
        -DCMAKE_CXX_EXTENSIONS=OFF \
        -DCMAKE_CXX_FLAGS="$flags" \
        -DCMAKE_EXE_LINKER_FLAGS="$flags" \
        -DBOOST_ASIO_FUTURE_BUILD_TESTS=ON \
        -DBOOST_ASIO_FUTURE_BUILD_EXAMPLES=ON \
        "${extra[@]}"; then
        record "$cfg" 0 1 $((SECONDS - start)) "configure failed"
        return
    fi

    echo "=== [$cfg] build ==="
    local build_failed=0
    # -k: build what can be built; tests whose executable is missing fail in ctest.
    if ! cmake --build "$dir" -j "$jobs" -- -k; then
        build_failed=1
        note="build failed"
    fi

    echo "=== [$cfg] test ==="
    local log=$dir/ctest.log
    (cd "$dir" && env "${env[@]}" ctest --output-on-failure -j "$jobs") 2>&1 | tee "$log" || true

    local passed=0 failed=0 line
    line=$(grep -E '^[0-9]+% tests passed, [0-9]+ tests? failed out of [0-9]+' "$log" | tail -n 1 || true)
    if [ -n "$line" ]; then
        local out_of
        failed=$(sed -E 's/.* ([0-9]+) tests? failed out of.*/\1/' <<<"$line")
        out_of=$(sed -E 's/.*failed out of ([0-9]+).*/\1/' <<<"$line")
        passed=$((out_of - failed))
    elif ! grep -q 'No tests were found' "$log"; then
        failed=1
        note="${note:+$note; }ctest did not run"
    fi
    # A build failure counts once, on top of the tests it broke.
    failed=$((failed + build_failed))
    # An Asio tree's umbrella-header check (run_asio_tree) counts on the tree's line.
    if [ "${#umbrella_result[@]}" -gt 0 ]; then
        passed=$((passed + umbrella_result[0]))
        failed=$((failed + umbrella_result[1]))
        note="${note:+$note; }${umbrella_result[2]}"
        umbrella_result=()
    fi

    local consumer
    consumer=$(sed -nE 's/.*Test +#[0-9]+: (cmake_[a-z_]+) [. ]*(\**[A-Za-z]+( [A-Za-z]+)?).*/\1: \2/p' \
        "$log" | paste -sd ',' -)
    if [ -n "$consumer" ]; then
        note="${note:+$note; }${consumer//,/, }"
    fi
    record "$cfg" "$passed" "$failed" $((SECONDS - start)) "$note"
}

run_b2() {
    local start=$SECONDS note=""
    echo "=== [b2] b2 -j$jobs toolset=gcc-12 cxxstd=20 test ==="
    # A test counts as passed when b2 has written its <name>.test file; delete the old ones
    # (up-to-date tests are not re-run, only re-marked).
    if [ -d build/b2 ]; then
        find build/b2 -type f -name '*.test' -delete
    fi
    if ! b2 -j"$jobs" toolset=gcc-12 cxxstd=20 test; then
        note="b2 failed"
    fi
    local passed=0 failed=0 name
    while read -r name; do
        [ -n "$name" ] || continue
        # b2 names a test after its source file: fuzz/model_fuzzer -> model_fuzzer.test
        if [ -n "$(find build/b2/test -type f -name "$(basename "$name").test" 2>/dev/null | head -n 1)" ]; then
            passed=$((passed + 1))
        else
            failed=$((failed + 1))
            note="${note:+$note; }$name failed"
        fi
    done < <(python3 tools/check_test_lists.py --b2-names)
    if [ -n "$note" ] && [ "$failed" -eq 0 ]; then
        failed=1
    fi
    record b2 "$passed" "$failed" $((SECONDS - start)) "$note"
}

# The documentation builds without a warning (its code is included from the examples and
# tests), and its reference names every public declaration of the headers.
run_doc() {
    local start=$SECONDS passed=0 failed=0 note=""
    echo "=== [doc] tools/build_doc.py, tools/check_reference.py ==="
    if python3 tools/build_doc.py --out build/doc; then
        passed=$((passed + 1))
        note="build/doc/index.html"
    else
        failed=$((failed + 1))
        note="asciidoctor failed or warned"
    fi
    if python3 tools/check_reference.py; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        note="$note; reference incomplete"
    fi
    record doc "$passed" "$failed" $((SECONDS - start)) "$note"
}

# The model fuzzer under libFuzzer for a bounded time. New inputs go to a scratch copy of the
# corpus (commit interesting ones by hand); a divergence or sanitizer report fails the run and
# leaves the crashing input in build/fuzz.
run_fuzz() {
    local start=$SECONDS dir=build/fuzz seconds=${ASIO_FUTURE_FUZZ_SECONDS:-60}
    echo "=== [fuzz] build test/fuzz/model_fuzzer.cpp (libFuzzer, ASan, UBSan) ==="
    mkdir -p "$dir"
    if ! clang++-16 -std=c++20 -O1 -g -Wall -Wextra -Wpedantic -Werror \
        -DBOOST_ASIO_NO_DEPRECATED -DBOOST_ASIO_FUTURE_LIBFUZZER -Iinclude \
        -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
        test/fuzz/model_fuzzer.cpp -o "$dir/model_fuzzer"; then
        record fuzz 0 1 $((SECONDS - start)) "build failed"
        return
    fi
    echo "=== [fuzz] run ${seconds}s ==="
    rm -rf "$dir/corpus"
    cp -r test/fuzz/corpus "$dir/corpus"
    local log=$dir/fuzz.log
    if (cd "$dir" && ASAN_OPTIONS=detect_leaks=1 ./model_fuzzer -max_total_time="$seconds" \
        -max_len=512 -print_final_stats=1 corpus) >"$log" 2>&1; then
        local runs
        runs=$(sed -nE 's/^Done ([0-9]+) runs.*/\1/p' "$log" | tail -n 1)
        record fuzz 1 0 $((SECONDS - start)) "${runs:-?} executions, corpus $(ls "$dir/corpus" | wc -l)"
    else
        tail -n 40 "$log"
        record fuzz 0 1 $((SECONDS - start)) "divergence or sanitizer report: see $log"
    fi
}

# Memcheck over the tests already built by the gcc-cxx20 configuration (unoptimised, with
# debug information). Valgrind keeps the tests' own operator new replacements (the allocation
# counting tests), and runs the threads one at a time: the stress tests still interleave.
run_valgrind() {
    local start=$SECONDS dir=build/gcc-cxx20 passed=0 failed=0 note="" name
    echo "=== [valgrind] memcheck over the tests of $dir ==="
    if [ ! -f "$dir/CMakeCache.txt" ]; then
        record valgrind 0 1 0 "needs the gcc-cxx20 build: list gcc-cxx20 before valgrind"
        return
    fi
    # Up to date after the gcc-cxx20 configuration; rebuilt if the sources changed since.
    cmake --build "$dir" -j "$jobs" >/dev/null 2>&1 || note="build failed"
    mkdir -p build/valgrind
    while read -r name; do
        [ -n "$name" ] || continue
        local exe=$dir/test/test_${name//\//_} log=build/valgrind/${name//\//_}.log
        # The watchdog of ctest's 300 s, with valgrind's slowdown.
        if timeout 900 valgrind --tool=memcheck --error-exitcode=99 --leak-check=full \
            --errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect \
            --soname-synonyms=somalloc=nouserintercepts -q "$exe" >"$log" 2>&1; then
            passed=$((passed + 1))
            echo "valgrind: $name passed"
        else
            failed=$((failed + 1))
            note="${note:+$note; }$name failed (see $log)"
            tail -n 40 "$log"
        fi
    done < <(python3 tools/check_test_lists.py --run-names)
    record valgrind "$passed" "$failed" $((SECONDS - start)) "$note"
}

# The Asio version of a tree, from its boost/asio/version.hpp: 1.38.0 for 103800.
asio_version_of() {
    local v
    v=$(sed -nE 's/^#define BOOST_ASIO_VERSION ([0-9]+).*/\1/p' "$1/boost/asio/version.hpp")
    [ -n "$v" ] && echo "$((v / 100000)).$((v / 100 % 1000)).$((v % 100))"
}

# A folder holding boost/asio.hpp, for a folder or an archive; empty when there is none.
asio_tree_dir() {
    local path=$1 dir
    case $path in
        *.tar.xz | *.tar.gz | *.tgz)
            [ -f "$path" ] || return 0
            dir=build/asio-trees/$(basename "$path" | sed -E 's/\.(tar\.xz|tar\.gz|tgz)$//')
            if [ ! -f "$dir/.unpacked" ]; then
                rm -rf "$dir" && mkdir -p "$dir"
                tar -C "$dir" -xf "$path" && touch "$dir/.unpacked"
            fi
            ;;
        *) dir=$path ;;
    esac
    [ -f "$dir/boost/asio.hpp" ] && (cd "$dir" && pwd)
    return 0
}

# Every test and example against another Asio tree, and the umbrella header as C++17.
run_asio_tree() {
    local path=$1 tree version
    tree=$(asio_tree_dir "$path")
    if [ -z "$tree" ]; then
        echo "=== [asio tree] $path: no boost/asio.hpp there, not tested ==="
        summary+=("$(printf '%-12s %s' "asio-?" "NOT TESTED: no Asio tree at $path")")
        return
    fi
    version=$(asio_version_of "$tree")
    echo "=== [asio-$version] umbrella header, C++17, -Wpedantic -Werror ($tree) ==="
    if echo '#include <boost/asio_future.hpp>' | g++-12 -std=c++17 -x c++ -fsyntax-only \
        -Wall -Wextra -Wpedantic -Werror -DBOOST_ASIO_NO_DEPRECATED -isystem "$tree" -Iinclude -; then
        umbrella_result=(1 0 "umbrella C++17 passed")
    else
        umbrella_result=(0 1 "umbrella C++17 FAILED")
    fi
    run_cmake_config "asio-$version" "$tree"
}

for cfg in $configs; do
    if [ "$cfg" = b2 ]; then
        run_b2
    elif [ "$cfg" = valgrind ]; then
        run_valgrind
    elif [ "$cfg" = doc ]; then
        run_doc
    elif [ "$cfg" = fuzz ]; then
        run_fuzz
    else
        run_cmake_config "$cfg"
    fi
done

for tree in ${ASIO_FUTURE_ASIO_TREES:-}; do
    run_asio_tree "$tree"
done

echo
echo "=== Summary ==="
printf '%s\n' "${summary[@]}"
echo "$total_passed passed, $total_failed failed"
[ "$total_failed" -eq 0 ]
