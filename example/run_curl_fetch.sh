#!/usr/bin/env bash
# Distributed under the Boost Software License, Version 1.0. (See accompanying
# file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
#
# Usage: run_curl_fetch.sh <python3> <curl_fetch_server.py> <example_curl_fetch>
# Starts the test's HTTP server on 127.0.0.1, runs the example against it with its output
# passed through unchanged, and stops the server. Prints the marker line of run_example.cmake
# ("run_example: exit status N") when the example exits with a non-zero status.
set -uo pipefail

python=$1 server=$2 example=$3

out=$(mktemp)
"$python" "$server" >"$out" &
server_pid=$!
trap 'kill "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null; rm -f "$out"' EXIT

port=
for _ in $(seq 100); do
    port=$(sed -nE 's/^port ([0-9]+)$/\1/p' "$out")
    [ -n "$port" ] && break
    if ! kill -0 "$server_pid" 2>/dev/null; then
        break
    fi
    sleep 0.1
done
if [ -z "$port" ]; then
    echo "run_curl_fetch: the server did not start"
    echo "run_example: exit status server"
    exit 1
fi

"$example" "http://127.0.0.1:$port"
status=$?
if [ "$status" -ne 0 ]; then
    echo "run_example: exit status $status"
    exit 1
fi
