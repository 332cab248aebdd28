//
// Copyright (c) 2026 The asio_future Authors.
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// Step 4 of the bridging guide: resolve a future from the library's own thread. asyncio needs
// loop.call_soon_threadsafe for this; a resolver is thread-safe, and the awaiting coroutine is
// resumed on its own executor (the io_context thread), so no hop is written by hand.

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
#include <thread>
#include <vector>

namespace af = boost::asio_future;
namespace asio = boost::asio;
using namespace std::chrono_literals;

// tag::example_threaded_client_sdk[]
// A vendor SDK that does blocking work on a thread of its own, then calls on_done from it.
class threaded_client
{
public:
    using on_done_type = std::function<void(std::optional<std::string>, std::exception_ptr)>;

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
// end::example_threaded_client_sdk[]

// tag::example_threaded_client_fetch[]
asio::awaitable<std::string>
fetch_threaded(threaded_client& client, const std::string& key, std::thread::id& called_back_from)
{
    af::async_future<std::string> fut(co_await asio::this_coro::executor);
    client.fetch(
        key,
        [r = fut.get_resolver(),
         &called_back_from](std::optional<std::string> value, std::exception_ptr error)
        {
            // Runs on the client's thread: the resolver may be called right here.
            called_back_from = std::this_thread::get_id();
            if (error)
                r.set_exception(error);
            else
                r.set_result(std::move(*value));
        });
    co_return co_await fut.async_wait(af::timeout(1s, asio::use_awaitable));
}

asio::awaitable<void> run_client()
{
    const std::thread::id io_thread = std::this_thread::get_id();
    std::thread::id called_back_from;
    threaded_client client;
    std::cout << co_await fetch_threaded(client, "orders", called_back_from) << '\n';

    auto yes_no = [](bool b) { return b ? "yes" : "no"; };
    std::cout << "called back from another thread: " << yes_no(called_back_from != io_thread)
              << '\n';
    std::cout << "resumed on the io_context thread: "
              << yes_no(std::this_thread::get_id() == io_thread) << '\n';
}
// end::example_threaded_client_fetch[]

// tag::example_threaded_client_future[]
// The guide's own form of step 4: hand the future itself to a thread. A future is a handle,
// like std::shared_ptr: a lambda that captures it by value may resolve it.
asio::awaitable<void> compute_on_a_thread()
{
    af::async_future<std::string> fut(co_await asio::this_coro::executor);
    std::thread worker([fut] { fut.set_result("computed on a thread"); });
    std::cout << co_await fut.async_wait(asio::use_awaitable) << '\n';
    worker.join();
}
// end::example_threaded_client_future[]

int main()
{
    asio::io_context ctx;
    asio::co_spawn(ctx, run_client(), asio::detached);
    ctx.run();
    ctx.restart();
    asio::co_spawn(ctx, compute_on_a_thread(), asio::detached);
    ctx.run();
}
