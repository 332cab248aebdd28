//
// Copyright (c) 2026 The asio_future Authors.
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// Test that header file is self-contained.
#include <boost/asio_future/error.hpp>

#define BOOST_TEST_MODULE error
#include <boost/test/unit_test.hpp>

#include <string>

namespace af = boost::asio_future;

BOOST_AUTO_TEST_CASE(enum_values_are_fixed)
{
    BOOST_TEST(static_cast<int>(af::error::cancelled) == 1);
    BOOST_TEST(static_cast<int>(af::error::invalid_state) == 2);
    BOOST_TEST(static_cast<int>(af::error::broken_promise) == 3);
    BOOST_TEST(static_cast<int>(af::error::timeout) == 4);
}

BOOST_AUTO_TEST_CASE(category_name_and_messages)
{
    const auto& cat = af::asio_future_category();
    BOOST_TEST(std::string(cat.name()) == "asio_future");
    BOOST_TEST(cat.message(1) == "cancelled");
    BOOST_TEST(cat.message(2) == "invalid state");
    BOOST_TEST(cat.message(3).find("broken promise") == 0u);
    BOOST_TEST(cat.message(4) == "timeout");
    BOOST_TEST(cat.message(99) == "unknown asio_future error");
}

// tag::ref_error_code[]
BOOST_AUTO_TEST_CASE(error_code_enum)
{
    static_assert(boost::system::is_error_code_enum<af::error>::value);
    boost::system::error_code ec = af::error::timeout;
    BOOST_TEST(ec.value() == 4);
    BOOST_TEST(&ec.category() == &af::asio_future_category());
    BOOST_TEST(ec == af::make_error_code(af::error::timeout));
    BOOST_TEST(ec != af::make_error_code(af::error::cancelled));
    BOOST_TEST(static_cast<bool>(ec));
}
// end::ref_error_code[]

// tag::ref_exceptions[]
BOOST_AUTO_TEST_CASE(exceptions_carry_their_codes)
{
    af::cancelled_error c("stop now");
    BOOST_TEST(c.code() == af::make_error_code(af::error::cancelled));
    BOOST_TEST(c.cancel_message() == "stop now");
    BOOST_TEST(std::string(c.what()).find("stop now") != std::string::npos);
    BOOST_TEST(af::cancelled_error().cancel_message().empty());

    af::invalid_state_error i("result() on a pending future");
    BOOST_TEST(i.code() == af::make_error_code(af::error::invalid_state));
    BOOST_TEST(std::string(i.what()).find("pending") != std::string::npos);

    BOOST_TEST(af::broken_promise_error().code() == af::make_error_code(af::error::broken_promise));
    BOOST_TEST(af::timeout_error().code() == af::make_error_code(af::error::timeout));
}
// end::ref_exceptions[]

BOOST_AUTO_TEST_CASE(exceptions_are_system_errors)
{
    BOOST_CHECK_THROW(throw af::timeout_error(), boost::system::system_error);
    BOOST_CHECK_THROW(throw af::cancelled_error(), boost::system::system_error);
    BOOST_CHECK_THROW(throw af::broken_promise_error(), boost::system::system_error);
    BOOST_CHECK_THROW(throw af::invalid_state_error("x"), boost::system::system_error);
}
