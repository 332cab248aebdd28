//
// Copyright (c) 2026 The asio_future Authors.
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// Step 2 of the bridging guide: resolve a future from a callback API that reports
// on_done(value, error), and await it. The "boom" key fails.

#include <boost/asio_future.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/this_coro.hpp>

#include <exception>
#include <functional>
#include <iostream>
#include <optional>
#include <stdexcept>
#include <string>

namespace af = boost::asio_future;
namespace asio = boost::asio;

// tag::example_callback_client_sdk[]
// A vendor SDK that answers through a completion callback, on the caller's thread.
class callback_client
{
public:
    using on_done_type = std::function<void(std::optional<std::string>, std::exception_ptr)>;

    void fetch(const std::string& key, on_done_type on_done)
    {
        if (key == "boom")
            on_done(std::nullopt, std::make_exception_ptr(std::runtime_error("upstream failure")));
        else
            on_done("value-for-" + key, nullptr);
    }
};
// end::example_callback_client_sdk[]

// tag::example_callback_client_fetch[]
// tag::example_overview[]
asio::awaitable<std::string> fetch(callback_client& client, const std::string& key)
{
    af::async_future<std::string> fut(co_await asio::this_coro::executor);

    // A resolver ignores every call after the first: no `if (fut.done()) return;` guard needed.
    client.fetch(
        key,
        [r = fut.get_resolver()](std::optional<std::string> value, std::exception_ptr error)
        {
            if (error)
                r.set_exception(error);
            else
                r.set_result(std::move(*value));
        });
    co_return co_await std::move(fut);
}
// end::example_overview[]

asio::awaitable<void> run_client()
{
    callback_client client;
    std::cout << co_await fetch(client, "users") << '\n'; // value-for-users
    try
    {
        co_await fetch(client, "boom");
    }
    catch (const std::runtime_error& e)
    {
        std::cout << "raised: " << e.what() << '\n'; // raised: upstream failure
    }
}
// end::example_callback_client_fetch[]

int main()
{
    asio::io_context ctx;
    asio::co_spawn(ctx, run_client(), asio::detached);
    ctx.run();
}
