#!/usr/bin/env python3
# Distributed under the Boost Software License, Version 1.0. (See accompanying
# file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
"""Check that test/Jamfile and test/CMakeLists.txt list the same tests.

test/CMakeLists.txt: ASIO_FUTURE_TESTS + ASIO_FUTURE_CXX20_TESTS  <->  test/Jamfile: run <name>.cpp
test/CMakeLists.txt: ASIO_FUTURE_COMPILE_FAIL_TESTS               <->  test/Jamfile: compile-fail <name>.cpp
Every listed <name>.cpp must exist, and every test/*.cpp must be listed.

  check_test_lists.py            check, exit 1 with a message on mismatch
  check_test_lists.py --b2-names print the b2 test names (one per line) and exit
  check_test_lists.py --run-names print the names of the tests that run (no compile-fail)
"""
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
TEST = ROOT / "test"


def cmake_list(text, name):
    m = re.search(r"\bset\(\s*" + name + r"\b([^)]*)\)", text)
    if not m:
        sys.exit(f"check_test_lists: set({name} ...) not found in test/CMakeLists.txt")
    return m.group(1).split()


def main():
    cmake_text = "\n".join(
        line.split("#", 1)[0] for line in (TEST / "CMakeLists.txt").read_text().splitlines()
    )
    jam_text = "\n".join(
        line.split("#", 1)[0] for line in (TEST / "Jamfile").read_text().splitlines()
    )
    cmake_run = cmake_list(cmake_text, "ASIO_FUTURE_TESTS") + cmake_list(
        cmake_text, "ASIO_FUTURE_CXX20_TESTS"
    )
    cmake_fail = cmake_list(cmake_text, "ASIO_FUTURE_COMPILE_FAIL_TESTS")
    jam_run = re.findall(r"^\s*run\s+([\w./-]+)\.cpp\b", jam_text, re.M)
    jam_fail = re.findall(r"^\s*compile-fail\s+([\w./-]+)\.cpp\b", jam_text, re.M)

    if sys.argv[1:] == ["--b2-names"]:
        print("\n".join(jam_run + jam_fail))
        return 0
    if sys.argv[1:] == ["--run-names"]:
        print("\n".join(jam_run))
        return 0

    errors = []

    def compare(kind, cmake_names, jam_names):
        for n in sorted(set(cmake_names) - set(jam_names)):
            errors.append(f"{kind} '{n}' is in test/CMakeLists.txt but not in test/Jamfile")
        for n in sorted(set(jam_names) - set(cmake_names)):
            errors.append(f"{kind} '{n}' is in test/Jamfile but not in test/CMakeLists.txt")
        for where, names in (("test/CMakeLists.txt", cmake_names), ("test/Jamfile", jam_names)):
            for n in sorted({n for n in names if names.count(n) > 1}):
                errors.append(f"{kind} '{n}' is listed more than once in {where}")

    compare("test", cmake_run, jam_run)
    compare("compile-fail test", cmake_fail, jam_fail)

    listed = set(cmake_run) | set(cmake_fail) | set(jam_run) | set(jam_fail)
    for n in sorted(listed):
        if not (TEST / f"{n}.cpp").is_file():
            errors.append(f"test/{n}.cpp is listed but does not exist")
    for f in sorted(TEST.glob("*.cpp")):
        if f.stem not in listed:
            errors.append(f"test/{f.name} is not listed in test/CMakeLists.txt and test/Jamfile")

    if errors:
        print("check_test_lists: test/Jamfile and test/CMakeLists.txt disagree:", file=sys.stderr)
        for e in errors:
            print("  - " + e, file=sys.stderr)
        return 1
    print(f"check_test_lists: OK ({len(listed)} tests listed in both files)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
