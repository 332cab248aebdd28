//
// Copyright (c) 2026 The asio_future Authors.
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// Step 5 of the bridging guide: one reusable helper, built on af::async_bridge, for any
// callback API. It serves a client that calls back on the caller's thread and one that calls
// back from a thread of its own, under a deadline, with no future in sight.

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
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace af = boost::asio_future;
namespace asio = boost::asio;
using namespace std::chrono_literals;

using on_done_type = std::function<void(std::optional<std::string>, std::exception_ptr)>;

// The guide's fake SDKs: both report on_done(value, error).
class callback_client
{
public:
    void fetch(const std::string& key, on_done_type on_done)
    {
        if (key == "boom")
            on_done(std::nullopt, std::make_exception_ptr(std::runtime_error("upstream failure")));
        else
            on_done("value-for-" + key, nullptr);
    }
};

class threaded_client
{
public:
    threaded_client() = default;
    threaded_client(const threaded_client&) = delete;
    threaded_client& operator=(const threaded_client&) = delete;

    ~threaded_client()
    {
        for (auto& t : workers_)
            t.join();
    }

    void fetch(const std::string& key, on_done_type on_done)
    {
        workers_.emplace_back(
            [key, on_done = std::move(on_done)]
            {
                std::this_thread::sleep_for(100ms); // blocking work on a worker thread
                on_done("value-for-" + key, nullptr);
            });
    }

private:
    std::vector<std::thread> workers_;
};

// tag::example_bridge[]
// The guide's bridge(): any client whose fetch reports on_done(value, error).
template <class Client>
asio::awaitable<std::string>
fetch_via(Client& client, std::string key, std::chrono::milliseconds timeout)
{
    co_return co_await af::async_bridge<std::string>(
        co_await asio::this_coro::executor,
        [&](auto on_done)
        {
            client.fetch(
                key,
                [on_done](std::optional<std::string> value, std::exception_ptr error)
                {
                    if (error)
                        on_done(error);
                    else
                        on_done(std::move(*value));
                });
        },
        af::timeout(timeout, asio::use_awaitable));
}

asio::awaitable<void> run_clients()
{
    callback_client cb;
    threaded_client th;
    std::cout << co_await fetch_via(cb, "a", 1s) << '\n'; // value-for-a
    std::cout << co_await fetch_via(th, "b", 2s) << '\n'; // value-for-b
}
// end::example_bridge[]

int main()
{
    asio::io_context ctx;
    asio::co_spawn(ctx, run_clients(), asio::detached);
    ctx.run();
}
