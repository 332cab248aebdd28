# Distributed under the Boost Software License, Version 1.0. (See accompanying
# file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)

# Usage: cmake -DEXAMPLE=<path to executable> -P run_example.cmake
# Runs the example with its output passed through unchanged, and prints a marker line
# (matched by the test's FAIL_REGULAR_EXPRESSION) when it exits with a non-zero status.
execute_process(COMMAND ${EXAMPLE} RESULT_VARIABLE status)
if(NOT status STREQUAL "0")
    message("run_example: exit status ${status}")
    message(FATAL_ERROR "${EXAMPLE} failed")
endif()
