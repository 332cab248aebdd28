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
#include <boost/asio/steady_timer.hpp>
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

// tag::example_catch_timeout[]
// Over an operation with an error_code signature (a timer, a socket read) the deadline gives
// the code af::error::timeout, which use_awaitable throws as boost::system::system_error; over a
// future it gives af::timeout_error, a system_error with the same code. One catch for both:
asio::awaitable<void> wait_for_both(asio::steady_timer& slow_operation, af::async_future<int> fut)
{
    for (int i = 0; i < 2; ++i)
    {
        try
        {
            if (i == 0)
                co_await slow_operation.async_wait(af::timeout(20ms, asio::use_awaitable));
            else
                co_await fut.async_wait(af::timeout(20ms, asio::use_awaitable));
        }
        catch (const boost::system::system_error& e)
        {
            if (e.code() != af::error::timeout)
                throw;
            std::cout << (i == 0 ? "operation" : "future") << " timed out\n";
        }
    }
}
// end::example_catch_timeout[]

int main()
{
    asio::io_context ctx;
    asio::co_spawn(ctx, run_client(), asio::detached);
    ctx.run();

    asio::steady_timer slow_operation(ctx, 1h);
    auto never_resolved = af::make_future<int>(ctx);
    ctx.restart();
    asio::co_spawn(ctx, wait_for_both(slow_operation, never_resolved), asio::detached);
    ctx.run();
}
