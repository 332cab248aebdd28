//
// Copyright (c) 2026 The asio_future Authors.
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// asio::cancel_after (Asio 1.31, Boost 1.86) where the Asio under test has it, and a Boost.Test
// precondition that skips a suite where it does not, saying so on stdout.

#ifndef ASIO_FUTURE_TEST_SUPPORT_CANCEL_AFTER_HPP
#define ASIO_FUTURE_TEST_SUPPORT_CANCEL_AFTER_HPP

#include <boost/asio/version.hpp>
#include <boost/test/unit_test.hpp>

#include <iostream>

#if BOOST_ASIO_VERSION >= 103100
#include <boost/asio/cancel_after.hpp>
#define ASIO_FUTURE_TEST_HAS_CANCEL_AFTER 1
#endif

namespace asio_future_test
{

inline boost::test_tools::assertion_result has_cancel_after(boost::unit_test::test_unit_id)
{
#if defined(ASIO_FUTURE_TEST_HAS_CANCEL_AFTER)
    return true;
#else
    boost::test_tools::assertion_result r(false);
    r.message() << "Asio " << BOOST_ASIO_VERSION / 100000 << '.' << BOOST_ASIO_VERSION / 100 % 1000
                << " has no asio::cancel_after (Asio 1.31, Boost 1.86)";
    std::cout << "skipped: " << r.message().str() << '\n';
    return r;
#endif
}

} // namespace asio_future_test

#endif // ASIO_FUTURE_TEST_SUPPORT_CANCEL_AFTER_HPP
