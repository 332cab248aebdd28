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

#include <cstdio>
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

// What went wrong outside any caller's reach: one line on stderr.
inline void
report_exception(const char* message, std::exception_ptr e, const std::string& repr) noexcept
{
    try
    {
        std::fprintf(
            stderr,
            "asio_future: %s: %s; future: %s\n",
            message,
            describe_exception(e).c_str(),
            repr.c_str());
    }
    catch (...)
    {
        std::fprintf(stderr, "asio_future: %s\n", message);
    }
}

} // namespace detail
} // namespace asio_future
} // namespace boost

#endif // BOOST_ASIO_FUTURE_DETAIL_REPORT_HPP
