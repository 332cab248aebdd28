//
// Copyright (c) 2026 The asio_future Authors.
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// One future, three ways to wait for it: a coroutine, a plain callback, and asio::deferred
// (an operation object started later, or composed). Each waiter gets its own copy of the result.

#include <boost/asio_future.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <exception>
#include <iostream>
#include <utility>

namespace af = boost::asio_future;
namespace asio = boost::asio;

// tag::example_wait_styles[]
asio::awaitable<void> coroutine_waiter(af::async_future<int> fut)
{
    // Returns the value, or throws the stored exception.
    const int v = co_await fut.async_wait(asio::use_awaitable);
    std::cout << "coroutine: " << v << '\n';
}

int main()
{
    asio::io_context ctx;
    auto fut = af::make_future<int>(ctx);

    // 1. A coroutine.
    asio::co_spawn(ctx, coroutine_waiter(fut), asio::detached);

    // 2. A plain callback: the exception first, then the value (co_spawn's convention).
    fut.async_wait(
        [](std::exception_ptr e, int v)
        {
            if (!e)
                std::cout << "callback: " << v << '\n';
        });

    // 3. asio::deferred: nothing starts until the operation is invoked with a token; here a
    //    continuation doubles the value first.
    auto doubled = fut.async_wait(asio::deferred(
        [](std::exception_ptr e, int v) { return asio::deferred.values(std::move(e), v * 2); }));
    std::move(doubled)(
        [](std::exception_ptr e, int v)
        {
            if (!e)
                std::cout << "deferred: " << v << '\n';
        });

    fut.set_result(21); // queues the three completions; none runs inside set_result
    ctx.run();
}
// end::example_wait_styles[]
