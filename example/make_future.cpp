//
// Copyright (c) 2026 The asio_future Authors.
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// Step 1 of the bridging guide: create a future bound to the running executor, look at it,
// resolve it, await it.

#include <boost/asio_future.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <iostream>
#include <string>

namespace af = boost::asio_future;
namespace asio = boost::asio;

// tag::example_make_future[]
asio::awaitable<void> make_future()
{
    // asyncio: loop.create_future()
    af::async_future<std::string> fut(co_await asio::this_coro::executor);

    std::cout << std::boolalpha << fut.done() << '\n'; // false: nobody resolved it yet
    std::cout << fut << '\n';                          // <async_future<std::string> pending>

    fut.set_result("manual");
    std::cout << fut.done() << '\n';                                   // true
    std::cout << co_await fut.async_wait(asio::use_awaitable) << '\n'; // manual
    std::cout << fut << '\n'; // <async_future<std::string> finished result=manual>
}
// end::example_make_future[]

int main()
{
    asio::io_context ctx;
    asio::co_spawn(ctx, make_future(), asio::detached);
    ctx.run();
}
