//
// Copyright (c) 2026 The asio_future Authors.
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_ASIO_FUTURE_DETAIL_INITIATION_EXECUTOR_HPP
#define BOOST_ASIO_FUTURE_DETAIL_INITIATION_EXECUTOR_HPP

#include <boost/asio_future/detail/config.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/system_executor.hpp>

#include <type_traits>
#include <utility>

namespace boost
{
namespace asio_future
{
namespace detail
{

template <class Initiation, class = void>
struct has_executor : std::false_type
{
};

template <class Initiation>
struct has_executor<
    Initiation,
    std::void_t<decltype(std::declval<const Initiation&>().get_executor())>> : std::true_type
{
};

// The executor an operation runs on: its initiation's (the I/O object's), else `fallback`.
template <class Initiation, class Fallback>
boost::asio::any_io_executor initiation_executor(const Initiation& init, const Fallback& fallback)
{
    if constexpr (has_executor<Initiation>::value)
        return boost::asio::any_io_executor(init.get_executor());
    else
        return boost::asio::any_io_executor(fallback);
}

} // namespace detail
} // namespace asio_future
} // namespace boost

#endif // BOOST_ASIO_FUTURE_DETAIL_INITIATION_EXECUTOR_HPP
