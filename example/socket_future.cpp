//
// Copyright (c) 2026 The asio_future Authors.
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// Any Asio operation as a future: a loopback TCP echo whose accept, connect, writes and reads
// are started with af::use_async_future, each bounded by af::timeout.

#include <boost/asio_future.hpp>

#include <boost/asio/buffer.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/write.hpp>

#include <array>
#include <chrono>
#include <cstddef>
#include <exception>
#include <iostream>
#include <string>

namespace af = boost::asio_future;
namespace asio = boost::asio;
using asio::ip::tcp;
using namespace std::chrono_literals;

// tag::example_socket_future[]
asio::awaitable<void> echo_once()
{
    auto ex = co_await asio::this_coro::executor;
    tcp::acceptor acceptor(ex, {asio::ip::address_v4::loopback(), 0});

    // Both operations start now and run side by side; each future is awaited later. The
    // accepted socket is the future's value: a socket, not an optional.
    tcp::socket client(ex);
    af::async_future<tcp::socket> accepted =
        acceptor.async_accept(af::timeout(2s, af::use_async_future));
    af::async_future<void> connected =
        client.async_connect(acceptor.local_endpoint(), af::timeout(2s, af::use_async_future));
    co_await std::move(connected);
    tcp::socket server = co_await std::move(accepted);

    // The client says hello; the server echoes what it read.
    const std::string hello = "hello";
    auto sent =
        asio::async_write(client, asio::buffer(hello), af::timeout(2s, af::use_async_future));

    std::array<char, 5> in{};
    co_await asio::async_read(server, asio::buffer(in), af::timeout(2s, af::use_async_future));
    co_await asio::async_write(server, asio::buffer(in), af::timeout(2s, af::use_async_future));

    std::array<char, 5> echoed{};
    std::size_t n = co_await asio::async_read(
        client,
        asio::buffer(echoed),
        af::timeout(2s, af::use_async_future));
    co_await std::move(sent);
    std::cout << "received: " << std::string(echoed.data(), n) << '\n';
}
// end::example_socket_future[]

int main()
{
    asio::io_context ctx;
    asio::co_spawn(
        ctx,
        echo_once(),
        [](std::exception_ptr e)
        {
            if (e)
                std::rethrow_exception(e);
        });
    ctx.run();
}
