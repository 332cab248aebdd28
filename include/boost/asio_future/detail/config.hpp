//
// Copyright (c) 2026 The asio_future Authors.
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_ASIO_FUTURE_DETAIL_CONFIG_HPP
#define BOOST_ASIO_FUTURE_DETAIL_CONFIG_HPP

#include <boost/asio/detail/config.hpp>
#include <boost/asio/version.hpp>

#if __cplusplus < 201703L && (!defined(_MSVC_LANG) || _MSVC_LANG < 201703L)
#error "boost::asio_future requires C++17 or later"
#endif

// Coroutine conveniences (co_await on a future) need C++20 coroutines and
// Asio's awaitable support.
#if defined(BOOST_ASIO_HAS_CO_AWAIT)
#define BOOST_ASIO_FUTURE_HAS_CO_AWAIT 1
#endif

// Immediate executors (asio::bind_immediate_executor): Asio 1.27, Boost 1.82.
#if BOOST_ASIO_VERSION >= 102700
#define BOOST_ASIO_FUTURE_HAS_IMMEDIATE_EXECUTOR 1
#endif

#endif // BOOST_ASIO_FUTURE_DETAIL_CONFIG_HPP
