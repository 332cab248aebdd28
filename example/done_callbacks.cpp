//
// Copyright (c) 2026 The asio_future Authors.
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// Done callbacks, as asyncio's add_done_callback: they run in the order they were added, each
// as its own handler on the future's executor, never inside set_result. remove_done_callback
// takes one back by its id.

#include <boost/asio_future.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/this_coro.hpp>

#include <iostream>

namespace af = boost::asio_future;
namespace asio = boost::asio;

// tag::example_done_callbacks[]
asio::awaitable<void> done_callbacks(asio::io_context& ctx)
{
    af::async_future<int> fut(co_await asio::this_coro::executor);

    auto report = [&ctx](int n)
    {
        return [&ctx, n](const af::async_future<int>& f)
        {
            const bool on_executor = ctx.get_executor().running_in_this_thread();
            std::cout << "callback " << n << ": result " << f.result()
                      << ", on the io_context: " << (on_executor ? "yes" : "no") << '\n';
        };
    };
    fut.add_done_callback(report(1));
    fut.add_done_callback(report(2));
    af::callback_id unwanted =
        fut.add_done_callback([](const af::async_future<int>&) { std::cout << "never printed\n"; });
    fut.add_done_callback(report(3));

    std::cout << "removed: " << fut.remove_done_callback(unwanted) << '\n'; // removed: 1

    fut.set_result(42);
    std::cout << "set_result returned\n"; // the callbacks are queued, none has run yet
}
// end::example_done_callbacks[]

int main()
{
    asio::io_context ctx;
    asio::co_spawn(ctx, done_callbacks(ctx), asio::detached);
    ctx.run();
}
