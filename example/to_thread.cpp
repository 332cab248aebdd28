//
// Copyright (c) 2026 The asio_future Authors.
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// asyncio.to_thread: a blocking call runs on a thread pool while the coroutine that awaits it
// stays on its own executor; a deadline gives up on the call (its result is discarded), and a
// call cancelled before it started never runs.

#include <boost/asio_future.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <atomic>
#include <chrono>
#include <iostream>
#include <numeric>
#include <string>
#include <thread>
#include <vector>

namespace af = boost::asio_future;
namespace asio = boost::asio;
using namespace std::chrono_literals;

// A blocking function of some library that knows nothing of Asio.
int blocking_sum(const std::vector<int>& v)
{
    std::this_thread::sleep_for(20ms);
    return std::accumulate(v.begin(), v.end(), 0);
}

std::vector<int> numbers()
{
    return {40, 2};
}

// tag::example_to_thread[]
asio::awaitable<void> run(asio::thread_pool& pool, asio::io_context& ctx)
{
    // fn owns its data: it runs on a pool thread. (Named before the co_await: GCC 12 destroys
    // a lambda's init-captures twice when the lambda is a temporary inside a co_await.)
    auto sum_job = [v = numbers()] { return blocking_sum(v); };
    int sum = co_await af::to_thread(pool, std::move(sum_job), asio::use_awaitable);
    std::cout << "sum: " << sum
              << ", back on the io thread: " << ctx.get_executor().running_in_this_thread() << '\n';

    try
    {
        co_await af::to_thread(
            pool,
            [] { std::this_thread::sleep_for(300ms); },
            af::timeout(30ms, asio::use_awaitable));
    }
    catch (const af::timeout_error&)
    {
        std::cout << "slow call: timed out, the coroutine goes on\n";
    }

    try
    {
        co_await af::to_thread(
            pool,
            []() -> std::string { throw std::runtime_error("disk on fire"); },
            asio::use_awaitable);
    }
    catch (const std::runtime_error& e)
    {
        std::cout << "failed call: " << e.what() << '\n';
    }
}
// end::example_to_thread[]

int main()
{
    asio::io_context ctx;
    asio::thread_pool pool(2);
    asio::co_spawn(ctx, run(pool, ctx), asio::detached);
    ctx.run();
    pool.join();
}
