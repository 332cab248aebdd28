//
// Copyright (c) 2026 The asio_future Authors.
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// Many calls at once: fetch three keys concurrently with af::gather under one deadline
// (asyncio.gather inside asyncio.wait_for). The results keep argument order whatever the order
// the replies come in; the first failure fails the gather; on expiry every fetch still running
// is cancelled.

#include <boost/asio_future.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>
#include <exception>
#include <iostream>
#include <memory>
#include <string>

namespace af = boost::asio_future;
namespace asio = boost::asio;
using namespace std::chrono_literals;

// A stand-in for a vendor SDK call: replies with "<key>=v" after `latency`, from a timer.
af::async_future<std::string>
fetch_async(asio::io_context& ctx, std::string key, std::chrono::milliseconds latency)
{
    auto fut = af::make_future<std::string>(ctx);
    auto timer = std::make_shared<asio::steady_timer>(ctx, latency);
    timer->async_wait([timer, fut, key](boost::system::error_code)
                      { fut.try_set_result(key + "=v"); });
    // A cancelled fetch says so (the SDK would abort its request here).
    fut.add_done_callback(
        [key](const af::async_future<std::string>& f)
        {
            if (f.cancelled())
                std::cout << "  fetch " << key << " cancelled\n";
        });
    return fut;
}

// tag::example_gather[]
asio::awaitable<void> fetch_all(asio::io_context& ctx)
{
    // Three calls in flight at once; the replies come in the order c, a, b.
    auto [a, b, c] = co_await af::gather(
                         fetch_async(ctx, "a", 20ms),
                         fetch_async(ctx, "b", 30ms),
                         fetch_async(ctx, "c", 10ms))
                         .async_wait(af::timeout(1s, asio::use_awaitable));
    std::cout << "gather: " << a << ' ' << b << ' ' << c << '\n';

    // The same for a range, under a deadline too short for one of them: the gather is
    // cancelled on expiry, and with it the fetch still running.
    std::vector<af::async_future<std::string>> calls{
        fetch_async(ctx, "x", 5ms),
        fetch_async(ctx, "slow", 500ms)};
    try
    {
        co_await af::gather(calls).async_wait(af::timeout(50ms, asio::use_awaitable));
    }
    catch (const af::timeout_error&)
    {
        std::cout << "gather of a range: timed out; x done: " << calls[0].done()
                  << ", slow cancelled: " << calls[1].cancelled() << '\n';
    }
}
// end::example_gather[]

int main()
{
    asio::io_context ctx;
    std::cout << std::boolalpha;
    asio::co_spawn(
        ctx,
        fetch_all(ctx),
        [](std::exception_ptr e)
        {
            if (e)
                std::cout << "failed\n";
        });
    ctx.run();
}
