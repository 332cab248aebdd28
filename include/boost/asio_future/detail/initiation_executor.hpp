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
#include <boost/asio/execution/context.hpp>
#include <boost/asio/execution_context.hpp>
#include <boost/asio/query.hpp>
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

// The default executor type of a query for a handler's associated executor: the result has
// this type when the handler has no executor of its own.
struct no_associated_executor
{
};

// The address of the execution context of `ex`, to compare contexts (null for an executor
// whose context is not an Asio execution_context).
template <class Executor>
const boost::asio::execution_context* context_address(const Executor& ex) noexcept
{
    auto& ctx = boost::asio::query(ex, boost::asio::execution::context);
    using context_type = std::remove_reference_t<decltype(ctx)>;
    if constexpr (std::is_convertible_v<context_type*, const boost::asio::execution_context*>)
        return &ctx;
    else
        return nullptr;
}

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
