//
// Copyright (c) 2026 The asio_future Authors.
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// asyncio.TaskGroup: fetch several keys at once; every task ends before the group's join does,
// and the first failure cancels the others.

#include <boost/asio_future.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>
#include <iostream>
#include <stdexcept>
#include <string>
#include <vector>

namespace af = boost::asio_future;
namespace asio = boost::asio;
using namespace std::chrono_literals;

asio::awaitable<std::string> fetch(std::string key, std::chrono::milliseconds latency)
{
    asio::steady_timer timer(co_await asio::this_coro::executor, latency);
    co_await timer.async_wait(asio::use_awaitable);
    if (key == "broken")
        throw std::runtime_error("no such key: " + key);
    co_return "value of " + key;
}

// tag::example_task_group[]
asio::awaitable<void> all_keys()
{
    af::task_group g(co_await asio::this_coro::executor);
    std::vector<af::async_future<std::string>> replies;
    for (auto key : {"a", "b", "c"})
        replies.push_back(g.spawn(fetch(key, 10ms)));
    co_await g.async_join(asio::use_awaitable); // every task is done here
    for (auto& r : replies)
        std::cout << r.result() << '\n';
}

asio::awaitable<void> one_fails()
{
    af::task_group g(co_await asio::this_coro::executor);
    auto slow = g.spawn(fetch("slow", 10s));
    g.spawn(fetch("broken", 10ms));
    try
    {
        co_await g.async_join(asio::use_awaitable);
    }
    catch (const std::runtime_error& e)
    {
        std::cout << "join failed: " << e.what() << '\n';
    }
    std::cout << "slow task cancelled: " << slow.cancelled()
              << ", failures: " << g.exceptions().size() << '\n';
}
// end::example_task_group[]

int main()
{
    asio::io_context ctx;
    asio::co_spawn(
        ctx,
        []() -> asio::awaitable<void>
        {
            co_await all_keys();
            co_await one_fails();
        },
        asio::detached);
    ctx.run();
}
