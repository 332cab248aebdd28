# Distributed under the Boost Software License, Version 1.0. (See accompanying
# file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
"""Python's asyncio doing what the C++ variants do: create a future, resolve it from a
callback scheduled with call_soon, await it. Prints one JSON object (ns per operation)."""

import asyncio
import json
import statistics
import sys
import time


async def one_sample(n):
    loop = asyncio.get_running_loop()
    total = 0
    start = time.perf_counter_ns()
    for _ in range(n):
        fut = loop.create_future()
        loop.call_soon(fut.set_result, 1)
        total += await fut
    elapsed = time.perf_counter_ns() - start
    assert total == n
    return elapsed / n


async def main(n, rounds):
    await one_sample(n // 10)  # warm-up
    return [await one_sample(n) for _ in range(rounds)]


if __name__ == "__main__":
    ops = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 15
    samples = asyncio.run(main(ops, rounds))
    print(json.dumps({
        "python": sys.version.split()[0],
        "median_ns": statistics.median(samples),
        "min_ns": min(samples),
    }))
