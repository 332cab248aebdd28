//
// Copyright (c) 2026 The asio_future Authors.
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_ASIO_FUTURE_HPP
#define BOOST_ASIO_FUTURE_HPP

#include <boost/asio_future/as_completed.hpp>
#include <boost/asio_future/async_bridge.hpp>
#include <boost/asio_future/async_future.hpp>
#include <boost/asio_future/error.hpp>
#include <boost/asio_future/future_service.hpp>
#include <boost/asio_future/gather.hpp>
#include <boost/asio_future/resolver.hpp>
#include <boost/asio_future/shield.hpp>
#include <boost/asio_future/task_group.hpp>
#include <boost/asio_future/timeout.hpp>
#include <boost/asio_future/to_thread.hpp>
#include <boost/asio_future/use_async_future.hpp>
#include <boost/asio_future/version.hpp>
#include <boost/asio_future/wait.hpp>

#endif // BOOST_ASIO_FUTURE_HPP
