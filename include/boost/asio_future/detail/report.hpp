//
// Copyright (c) 2026 The asio_future Authors.
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_ASIO_FUTURE_DETAIL_REPORT_HPP
#define BOOST_ASIO_FUTURE_DETAIL_REPORT_HPP

#include <boost/asio_future/detail/config.hpp>

#include <boost/core/demangle.hpp>

#include <exception>
#include <string>
#include <typeinfo>

namespace boost
{
namespace asio_future
{
namespace detail
{

// "type: what()" for an exception, or its type alone when it is no std::exception.
inline std::string describe_exception(const std::exception_ptr& e)
{
    try
    {
        std::rethrow_exception(e);
    }
    catch (const std::exception& ex)
    {
        return boost::core::demangle(typeid(ex).name()) + "('" + ex.what() + "')";
    }
    catch (...)
    {
        return "unknown exception";
    }
}

} // namespace detail
} // namespace asio_future
} // namespace boost

#endif // BOOST_ASIO_FUTURE_DETAIL_REPORT_HPP
