//
// Copyright (c) 2026 The asio_future Authors.
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// Diagnostics: debug mode lists a forgotten pending future with its creation site, and a failed
// future that nobody looked at is reported as "exception was never retrieved".

#include <boost/asio_future.hpp>

#include <boost/asio/io_context.hpp>

#include <iostream>
#include <stdexcept>
#include <string>

namespace af = boost::asio_future;
namespace asio = boost::asio;

// tag::example_debug_mode[]
int main()
{
    asio::io_context ctx;
    auto& service = asio::use_service<af::future_service>(ctx);
    service.set_debug(true); // asyncio: loop.set_debug(True)
    service.set_exception_handler(
        [](const af::exception_context& c)
        { std::cout << "handler: " << c.message << ": " << c.future << '\n'; });

    auto forgotten = af::make_future<int>(ctx); // nobody will ever resolve it

    {
        auto failed = af::make_future<int>(ctx);
        failed.set_exception(std::runtime_error("nobody looked"));
    } // destroyed unread: reported through the handler

    for (const af::pending_future_info& p : service.pending_futures())
    {
        const std::string file = p.file.substr(p.file.find_last_of("/\\") + 1);
        std::cout << "pending: " << p.future << " created at " << file << ':' << p.line << '\n';
    }
}
// end::example_debug_mode[]
