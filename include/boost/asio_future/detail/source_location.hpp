//
// Copyright (c) 2026 The asio_future Authors.
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_ASIO_FUTURE_DETAIL_SOURCE_LOCATION_HPP
#define BOOST_ASIO_FUTURE_DETAIL_SOURCE_LOCATION_HPP

#include <boost/asio_future/detail/config.hpp>

#if defined(__has_include)
#if __has_include(<version>)
#include <version>
#endif
#endif

#if defined(__cpp_lib_source_location)
#include <source_location>
#endif

namespace boost
{
namespace asio_future
{
namespace detail
{

// Where a future was created, for debug mode. A default argument of the creating functions:
// std::source_location under C++20, the compilers' location builtins otherwise.
struct source_location
{
    const char* file = "";
    unsigned line = 0;
    const char* function = "";

#if defined(__cpp_lib_source_location)
    static constexpr source_location current(
        std::source_location loc = std::source_location::current()) noexcept
    {
        return {loc.file_name(), static_cast<unsigned>(loc.line()), loc.function_name()};
    }
#elif defined(__GNUC__) || defined(__clang__)
    static constexpr source_location current(
        const char* file = __builtin_FILE(),
        unsigned line = __builtin_LINE(),
        const char* function = __builtin_FUNCTION()) noexcept
    {
        return {file, line, function};
    }
#else
    static constexpr source_location current() noexcept
    {
        return {};
    }
#endif
};

} // namespace detail
} // namespace asio_future
} // namespace boost

#endif // BOOST_ASIO_FUTURE_DETAIL_SOURCE_LOCATION_HPP
