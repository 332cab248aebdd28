//
// Copyright (c) 2026 The asio_future Authors.
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// Step 3 of the bridging guide: await a future under a deadline, so that a callback that never
// fires becomes a timeout_error instead of a coroutine stuck forever.

#include <boost/asio_future.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>
#include <exception>
#include <functional>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

namespace af = boost::asio_future;
namespace asio = boost::asio;
using namespace std::chrono_literals;

// tag::example_timeout_client[]
// A client that accepts the request, keeps the callback, and never calls it. (A client that
// dropped the callback instead would be caught at once: the wait fails with
// broken_promise_error when the last resolver is destroyed.)
class silent_client
{
public:
    using on_done_type = std::function<void(std::optional<std::string>, std::exception_ptr)>;

    void fetch(const std::string& /*key*/, on_done_type on_done)
    {
        lost_.push_back(std::move(on_done));
    }

private:
    std::vector<on_done_type> lost_;
};
// end::example_timeout_client[]

// tag::example_timeout[]
asio::awaitable<std::string>
fetch_with_timeout(silent_client& client, const std::string& key, std::chrono::milliseconds timeout)
{
    af::async_future<std::string> fut(co_await asio::this_coro::executor);
    client.fetch(
        key,
        [r = fut.get_resolver()](std::optional<std::string> value, std::exception_ptr error)
        {
            if (error)
                r.set_exception(error);
            else
                r.set_result(std::move(*value));
        });
    // asyncio.timeout(): on expiry the future is cancelled and the wait throws timeout_error.
    co_return co_await fut.async_wait(af::timeout(timeout, asio::use_awaitable));
}

asio::awaitable<void> run_client()
{
    silent_client client;
    const auto start = std::chrono::steady_clock::now();
    try
    {
        std::cout << co_await fetch_with_timeout(client, "x", 200ms) << '\n';
    }
    catch (const af::timeout_error&)
    {
        std::cout << "timed out: callback never fired\n";
    }
    const bool after_deadline = std::chrono::steady_clock::now() - start >= 200ms;
    std::cout << "returned after the deadline: " << (after_deadline ? "yes" : "no") << '\n';
}
// end::example_timeout[]

int main()
{
    asio::io_context ctx;
    asio::co_spawn(ctx, run_client(), asio::detached);
    ctx.run();
}
