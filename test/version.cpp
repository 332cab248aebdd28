//
// Copyright (c) 2026 The asio_future Authors.
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// Test that header file is self-contained.
#include <boost/asio_future/version.hpp>

#define BOOST_TEST_MODULE version
#include <boost/test/unit_test.hpp>

// tag::ref_version[]
BOOST_AUTO_TEST_CASE(version_has_boost_format)
{
    // major * 100000 + minor * 100 + patch: 0.1.0
    BOOST_TEST(BOOST_ASIO_FUTURE_VERSION == 100);
    BOOST_TEST(BOOST_ASIO_FUTURE_VERSION / 100000 == 0);
    BOOST_TEST(BOOST_ASIO_FUTURE_VERSION / 100 % 1000 == 1);
}
// end::ref_version[]
