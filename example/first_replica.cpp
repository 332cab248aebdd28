//
// Copyright (c) 2026 The asio_future Authors.
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// Take the first replica that answers: af::wait with return_when::first_completed
// (asyncio.wait(..., return_when=FIRST_COMPLETED)). Unlike parallel_group's wait_for_one, the
// wait never cancels the others: it hands back (done, pending) and the caller decides.

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

// A replica that answers after `latency` (or fails, for "down").
af::async_future<std::string>
query_replica(asio::io_context& ctx, std::string name, std::chrono::milliseconds latency)
{
    auto fut = af::make_future<std::string>(ctx);
    auto timer = std::make_shared<asio::steady_timer>(ctx, latency);
    timer->async_wait(
        [timer, fut, name](boost::system::error_code)
        {
            if (name == "down")
                fut.try_set_exception(std::runtime_error("replica down"));
            else
                fut.try_set_result("answer from " + name);
        });
    return fut;
}

// tag::example_first_replica[]
asio::awaitable<void> first_replica(asio::io_context& ctx)
{
    std::vector<af::async_future<std::string>> replicas{
        query_replica(ctx, "eu", 30ms),
        query_replica(ctx, "us", 10ms),
        query_replica(ctx, "asia", 60ms)};

    auto [done, pending] =
        co_await af::wait(replicas, af::return_when::first_completed, asio::use_awaitable);
    std::cout << done.front().result() << '\n';
    std::cout << "still pending: " << pending.size() << '\n';
    for (auto& f : pending)
        f.cancel(); // the caller's choice: the wait itself cancels nothing

    // first_exception: stop at the first failure, with a deadline for the whole wait.
    std::vector<af::async_future<std::string>> more{
        query_replica(ctx, "down", 10ms),
        query_replica(ctx, "eu", 500ms)};
    auto [failed, rest] =
        co_await af::wait(more, af::return_when::first_exception, 200ms, asio::use_awaitable);
    try
    {
        failed.front().result();
    }
    catch (const std::exception& e)
    {
        std::cout << "first exception: " << e.what() << "; pending: " << rest.size() << '\n';
    }
    rest.front().cancel();
}
// end::example_first_replica[]

int main()
{
    asio::io_context ctx;
    asio::co_spawn(ctx, first_replica(ctx), asio::detached);
    ctx.run();
}
