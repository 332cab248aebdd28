//
// Copyright (c) 2026 The asio_future Authors.
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// asyncio.create_task: co_spawn with af::use_async_future starts a coroutine and returns a
// future of its result. Several coroutines may await it, and cancel() stops the coroutine at
// its next suspension point.

#include <boost/asio_future.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>
#include <iostream>
#include <string>

namespace af = boost::asio_future;
namespace asio = boost::asio;
using namespace std::chrono_literals;

asio::awaitable<void> sleep_for(std::chrono::milliseconds d)
{
    asio::steady_timer timer(co_await asio::this_coro::executor, d);
    co_await timer.async_wait(asio::use_awaitable);
}

// tag::example_create_task[]
asio::awaitable<int> answer()
{
    co_await sleep_for(50ms);
    co_return 42;
}

// Each consumer awaits the same task: a copy of the result for each.
asio::awaitable<std::string> consumer(std::string name, af::async_future<int> task)
{
    const int v = co_await task.async_wait(asio::use_awaitable);
    co_return name + " got " + std::to_string(v);
}

// Counts ticks until cancelled; `running` is false once the coroutine has left its loop.
asio::awaitable<void> ticker(int& ticks, bool& running)
{
    struct on_exit
    {
        bool& running;
        ~on_exit() { running = false; }
    } guard{running};
    running = true;
    for (;;)
    {
        co_await sleep_for(10ms);
        ++ticks;
    }
}

asio::awaitable<void> run_tasks()
{
    auto ex = co_await asio::this_coro::executor;

    // asyncio.create_task(answer())
    af::async_future<int> task = asio::co_spawn(ex, answer(), af::use_async_future);
    auto first = asio::co_spawn(ex, consumer("first", task), af::use_async_future);
    auto second = asio::co_spawn(ex, consumer("second", task), af::use_async_future);
    std::cout << co_await std::move(first) << '\n';  // first got 42
    std::cout << co_await std::move(second) << '\n'; // second got 42

    // A task that never ends by itself: cancel() stops it at its next suspension point.
    int ticks = 0;
    bool running = false;
    af::async_future<void> loop = asio::co_spawn(ex, ticker(ticks, running), af::use_async_future);
    co_await sleep_for(35ms);
    loop.cancel();
    try
    {
        co_await std::move(loop);
    }
    catch (const af::cancelled_error&)
    {
        std::cout << "task cancelled\n";
    }
    co_await sleep_for(50ms);
    const int ticks_then = ticks;
    co_await sleep_for(50ms);
    std::cout << "loop stopped: " << (!running && ticks == ticks_then ? "yes" : "no") << '\n';
}
// end::example_create_task[]

int main()
{
    asio::io_context ctx;
    asio::co_spawn(ctx, run_tasks(), asio::detached);
    ctx.run();
}
