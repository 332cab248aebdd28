//
// Copyright (c) 2026 The asio_future Authors.
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// expect: to_thread\(ex, fn, token\): fn must be callable with no arguments
// A callable that needs an argument (asyncio's to_thread(fn, *args) form): the error names
// to_thread and says to bind the arguments.
#include <boost/asio_future/to_thread.hpp>

#include <boost/asio/thread_pool.hpp>

#include <exception>

namespace af = boost::asio_future;

int main()
{
    boost::asio::thread_pool pool(1);
    af::to_thread(
        pool,
        [](int x) { return x; },
        [](std::exception_ptr) {});
    pool.join();
}
