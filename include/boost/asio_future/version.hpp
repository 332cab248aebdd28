//
// Copyright (c) 2026 The asio_future Authors.
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_ASIO_FUTURE_VERSION_HPP
#define BOOST_ASIO_FUTURE_VERSION_HPP

/// The library version: major * 100000 + minor * 100 + patch (the format of BOOST_VERSION).
#define BOOST_ASIO_FUTURE_VERSION 100 // 0.1.0

#endif // BOOST_ASIO_FUTURE_VERSION_HPP
