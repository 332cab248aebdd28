//
// Copyright (c) 2026 The asio_future Authors.
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// Process replies as they come: af::as_completed hands out the futures in completion order
// (asyncio.as_completed). Each call can be bounded with af::timeout: a call that times out
// gives up only its turn, and the late reply is handed out later.

#include <boost/asio_future.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

namespace af = boost::asio_future;
namespace asio = boost::asio;
using namespace std::chrono_literals;

af::async_future<int> compute(asio::io_context& ctx, int n, std::chrono::milliseconds latency)
{
    auto fut = af::make_future<int>(ctx);
    auto timer = std::make_shared<asio::steady_timer>(ctx, latency);
    timer->async_wait([timer, fut, n](boost::system::error_code) { fut.try_set_result(n * n); });
    return fut;
}

// tag::example_as_completed[]
asio::awaitable<void> stream(asio::io_context& ctx)
{
    std::vector<af::async_future<int>> jobs{
        compute(ctx, 1, 40ms),
        compute(ctx, 2, 10ms),
        compute(ctx, 3, 25ms),
        compute(ctx, 4, 300ms)};

    auto replies = af::as_completed(jobs);
    while (replies.remaining())
    {
        try
        {
            auto f = co_await replies.async_next(af::timeout(100ms, asio::use_awaitable));
            std::cout << "reply: " << f.result() << " (" << replies.remaining() << " left)\n";
        }
        catch (const af::timeout_error&)
        {
            // The call gave up only its turn: the late reply is still to come.
            std::cout << "nothing for 100ms; still waiting for " << replies.remaining() << '\n';
        }
    }
}
// end::example_as_completed[]

int main()
{
    asio::io_context ctx;
    asio::co_spawn(ctx, stream(ctx), asio::detached);
    ctx.run();
}
