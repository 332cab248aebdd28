//
// Copyright (c) 2026 The asio_future Authors.
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// A blocking caller with get(): concurrent.futures.Future.result(timeout). The io_context runs
// on its own thread; main, a plain thread outside it, blocks on the results. Inside the
// context, get() refuses at once instead of deadlocking.

#include <boost/asio_future.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>
#include <iostream>
#include <string>
#include <thread>

namespace af = boost::asio_future;
namespace asio = boost::asio;
using namespace std::chrono_literals;

asio::awaitable<std::string> fetch(std::string key, std::chrono::milliseconds latency)
{
    asio::steady_timer timer(co_await asio::this_coro::executor, latency);
    co_await timer.async_wait(asio::use_awaitable);
    co_return "value of " + key;
}

int main()
{
    asio::io_context ctx;
    auto work = asio::make_work_guard(ctx);
    std::thread io([&] { ctx.run(); });

    // tag::example_blocking_get[]
    auto fast = asio::co_spawn(ctx, fetch("a", 10ms), af::use_async_future);
    std::cout << fast.get() << '\n'; // blocks main until the coroutine is done

    auto slow = asio::co_spawn(ctx, fetch("b", 2s), af::use_async_future);
    try
    {
        slow.get(50ms);
    }
    catch (const af::timeout_error&)
    {
        std::cout << "b: no answer within 50 ms, still pending: " << !slow.done() << '\n';
    }
    slow.cancel(); // the future is not abandoned: cancel it, or get() it later

    // On the context's own thread get() would wait for itself: it throws at once.
    auto refused = af::make_future<std::string>(ctx);
    asio::post(
        ctx,
        [fast, refused]
        {
            try
            {
                fast.get(); // done, but refused all the same
            }
            catch (const af::invalid_state_error&)
            {
                refused.set_result("get() inside run() refused");
            }
        });
    std::cout << refused.get() << '\n';
    // end::example_blocking_get[]

    work.reset();
    io.join();
}
