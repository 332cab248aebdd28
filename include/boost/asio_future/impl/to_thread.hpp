//
// Copyright (c) 2026 The asio_future Authors.
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_ASIO_FUTURE_IMPL_TO_THREAD_HPP
#define BOOST_ASIO_FUTURE_IMPL_TO_THREAD_HPP

#include <boost/asio_future/detail/to_thread_op.hpp>
#include <boost/asio_future/detail/wait_op.hpp>

#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/system_executor.hpp>

#include <exception>
#include <optional>
#include <type_traits>
#include <utility>

namespace boost
{
namespace asio_future
{
namespace detail
{

template <class Executor>
template <class Handler, class F>
void initiate_to_thread<Executor>::operator()(Handler&& handler, F&& fn) const
{
    static_assert(
        to_thread_result<F>::invocable,
        "to_thread(ex, fn, token): fn must be callable with no arguments, as std::move(fn)()");
    static_assert(
        std::is_constructible_v<std::decay_t<F>, F&&>,
        "to_thread(ex, fn, token): fn must be movable (it is carried to the executor)");
    using handler_type = std::decay_t<Handler>;
    using fn_type = std::decay_t<F>;
    using result_type = typename to_thread_result<F>::type;

    // An lvalue handler (kept by its initiator) is copied, as Asio's own initiations do.
    handler_type h(std::forward<Handler>(handler));

    if constexpr (std::is_constructible_v<bool, const Executor&>)
    {
        if (!static_cast<bool>(ex_))
        {
            // No executor to run fn on: the handler receives invalid_state_error (queued on its
            // own executor, or asio::system_executor), fn never runs.
            std::exception_ptr e = std::make_exception_ptr(
                invalid_state_error("asio_future: to_thread on an empty executor"));
            auto hex = boost::asio::get_associated_executor(h, boost::asio::system_executor());
            if constexpr (std::is_void_v<result_type>)
                return boost::asio::post(
                    hex,
                    ready_copy_completion<void, handler_type>(std::move(h), std::move(e)));
            else
            {
                using value_type = completion_value_t<result_type, Executor>;
                if constexpr (std::is_default_constructible_v<value_type>)
                    return boost::asio::post(
                        hex,
                        ready_copy_completion<value_type, handler_type>(
                            std::move(h),
                            std::move(e),
                            std::optional<value_type>(std::in_place)));
                else
                    std::rethrow_exception(e); // no executor to build the placeholder from
            }
        }
    }

    fn_type f(std::forward<F>(fn));
    if (boost::asio::get_associated_cancellation_slot(h).is_connected())
        cancellable_thread_op<handler_type, fn_type, result_type, Executor>::start(
            std::move(h),
            std::move(f),
            ex_);
    else
        boost::asio::post(
            ex_,
            thread_job<handler_type, fn_type, result_type, Executor>(
                std::move(h),
                std::move(f),
                ex_));
}

} // namespace detail
} // namespace asio_future
} // namespace boost

#endif // BOOST_ASIO_FUTURE_IMPL_TO_THREAD_HPP
