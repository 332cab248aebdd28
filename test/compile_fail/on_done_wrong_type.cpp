//
// Copyright (c) 2026 The asio_future Authors.
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// expect: on_done: pass a value of the bridge's T
// An `on_done` of a bridge of `int` called with a string: the error names `on_done`.
#include <boost/asio_future/async_bridge.hpp>

#include <boost/asio/io_context.hpp>

namespace af = boost::asio_future;

int main()
{
    boost::asio::io_context ctx;
    af::async_bridge<int>(
        ctx.get_executor(),
        [](auto on_done) { on_done("not an int"); },
        [](std::exception_ptr, int) {});
    ctx.run();
}
