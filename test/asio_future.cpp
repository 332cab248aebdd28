//
// Copyright (c) 2026 The asio_future Authors.
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// Test that the umbrella header is self-contained and brings in every public name.
#include <boost/asio_future.hpp>

#define BOOST_TEST_MODULE asio_future
#include <boost/asio/io_context.hpp>
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <string>
#include <type_traits>
#include <utility>

namespace af = boost::asio_future;

// tag::ref_traits[]
BOOST_AUTO_TEST_CASE(umbrella_declares_the_public_api)
{
    static_assert(af::is_async_future_v<af::async_future<int>>);
    static_assert(!af::is_async_future_v<int>);
    static_assert(std::is_same_v<af::async_future<int>::resolver_type, af::resolver<int>>);
    static_assert(
        std::is_same_v<af::async_future<int>::completion_signature, void(std::exception_ptr, int)>);
    static_assert(
        std::is_same_v<af::async_future<void>::completion_signature, void(std::exception_ptr)>);
    BOOST_TEST(BOOST_ASIO_FUTURE_VERSION == 100); // 0.1.0, as in version.hpp and CMakeLists.txt

    boost::asio::io_context ctx;
    auto f = af::make_future<int>(ctx);
    af::resolver<int> r = f.get_resolver();
    BOOST_TEST(r.set_result(7));
    BOOST_TEST(f.result() == 7);
    BOOST_TEST(
        af::make_error_code(af::error::timeout).category().name() == std::string("asio_future"));
}
// end::ref_traits[]

BOOST_AUTO_TEST_CASE(umbrella_declares_the_bridge_api)
{
    using namespace std::chrono_literals;
    static_assert(std::is_same_v<
                  decltype(af::timeout(1s, af::use_async_future)),
                  af::timeout_t<af::use_async_future_t<>>>);
    static_assert(std::is_same_v<
                  decltype(af::deadline(std::chrono::steady_clock::now(), af::use_async_future)),
                  af::timeout_t<af::use_async_future_t<>>>);
    static_assert(std::is_same_v<
                  decltype(af::shield(std::declval<af::async_future<int>>())),
                  af::shielded_future<int, boost::asio::any_io_executor>>);
    static_assert(std::is_same_v<af::exception_context, af::detail::exception_context>);

    boost::asio::io_context ctx;
    BOOST_TEST(!boost::asio::use_service<af::future_service>(ctx).get_debug());
    int got = 0;
    af::async_bridge<int>(
        ctx.get_executor(),
        [](af::bridge_callback<int> on_done) { on_done(5); },
        [&](std::exception_ptr e, int v)
        {
            if (!e)
                got = v;
        });
    ctx.run();
    BOOST_TEST(got == 5);
}
