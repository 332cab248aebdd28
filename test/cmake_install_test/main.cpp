//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#include <boost/asio_future.hpp>

#include <boost/asio/io_context.hpp>

int main()
{
    boost::asio::io_context ctx;
    auto f = boost::asio_future::make_future<int>(ctx);
    f.set_result(42);
    return f.result() == 42 ? 0 : 1;
}
