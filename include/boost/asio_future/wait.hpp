//
// Copyright (c) 2026 The asio_future Authors.
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_ASIO_FUTURE_WAIT_HPP
#define BOOST_ASIO_FUTURE_WAIT_HPP

#include <boost/asio_future/async_future.hpp>

#include <boost/asio_future/detail/combinator.hpp>
#include <boost/asio_future/detail/config.hpp>
#include <boost/asio_future/detail/source_location.hpp>

#include <boost/asio/async_result.hpp>

#include <chrono>
#include <exception>
#include <iterator>
#include <optional>
#include <type_traits>
#include <utility>
#include <vector>

namespace boost
{
namespace asio_future
{

/// When `af::wait` completes (asyncio's `FIRST_COMPLETED`, `FIRST_EXCEPTION`, `ALL_COMPLETED`).
enum class return_when
{
    /// When any child is done (or at once if one already is).
    first_completed,
    /// When a child fails with an exception (a cancelled child does not count), else when all
    /// are done.
    first_exception,
    /// When every child is done.
    all_completed
};

} // namespace asio_future
} // namespace boost

// The implementation needs return_when.
#include <boost/asio_future/detail/wait_state.hpp>

namespace boost
{
namespace asio_future
{

#if !defined(BOOST_ASIO_FUTURE_DOXYGEN)
namespace detail
{
template <class Range>
using range_future_t = std::decay_t<decltype(*std::begin(std::declval<Range&>()))>;

template <class Range>
using wait_signature_t = void(
    std::exception_ptr,
    std::vector<range_future_t<Range>>,
    std::vector<range_future_t<Range>>);

template <class Range>
using wait_default_token_t =
    boost::asio::default_completion_token_t<typename range_future_t<Range>::executor_type>;

template <class T>
struct is_chrono_duration : std::false_type
{
};

template <class Rep, class Period>
struct is_chrono_duration<std::chrono::duration<Rep, Period>> : std::true_type
{
};

template <class CompletionToken, class Range>
auto async_wait_sets(
    Range&& range,
    return_when when,
    std::optional<std::chrono::steady_clock::duration> duration,
    CompletionToken&& token,
    const source_location& where)
{
    using F = range_future_t<Range>;
    static_assert(is_async_future_v<F>, "wait(range): the range holds basic_async_future handles");
    std::vector<F> fs = collect_range(std::forward<Range>(range));
    initiate_wait_sets<F> init(fs);
    return boost::asio::async_initiate<CompletionToken, wait_signature_t<Range>>(
        std::move(init),
        token,
        std::move(fs),
        when,
        duration,
        where);
}
} // namespace detail
#endif

/// Waits until some or all futures of a range are done: `asyncio.wait(fs, return_when=...)`.
/**
 * @param range A forward range of `basic_async_future<T, E>` (`std::vector<F>`, ...); it is
 * copied when the call is made.
 * @param when `return_when::first_completed`, `first_exception` (a child that failed with an
 * exception; a cancelled child does not count; none does: as `all_completed`) or
 * `all_completed`.
 * @param token A completion token: `auto [done, pending] = co_await af::wait(fs,
 * af::return_when::first_completed, asio::use_awaitable);`.
 *
 * Completes with the children split into those done and those still pending, each in input
 * order, as they are when the condition is met. Never cancels a child and never retrieves a
 * child's exception (ask the futures in `done`). The completion is queued on the handler's
 * associated executor (the first child's executor for a handler without one), never run inside
 * this call, even when a child is already done. A pending wait is outstanding work of that
 * executor; a completed one holds no reference to the children it no longer needs.
 *
 * Errors through the handler: `std::invalid_argument` for an empty range (asyncio's
 * ValueError), `invalid_state_error` for an empty handle in it, both queued on the handler's
 * associated executor, else `asio::system_executor`.
 *
 * @par Completion Signature
 * @code void(std::exception_ptr, std::vector<F> done, std::vector<F> pending) @endcode
 *
 * @par Per-Operation Cancellation
 * @li `terminal`, `partial`, `total`: the wait ends with `cancelled_error` (empty sets);
 * the children go on. If the condition was met before the cancellation took effect, the sets
 * are delivered.
 */
template <
    class Range,
    BOOST_ASIO_COMPLETION_TOKEN_FOR(detail::wait_signature_t<Range>)
        CompletionToken = detail::wait_default_token_t<Range>
#if !defined(BOOST_ASIO_FUTURE_DOXYGEN)
    ,
    class = std::enable_if_t<!detail::is_chrono_duration<std::decay_t<CompletionToken>>::value>
#endif
    >
auto wait(
    Range&& range,
    return_when when,
    CompletionToken&& token = detail::wait_default_token_t<Range>(),
    const detail::source_location& where = detail::source_location::current())
{
    return detail::async_wait_sets(
        std::forward<Range>(range),
        when,
        std::nullopt,
        std::forward<CompletionToken>(token),
        where);
}

/// `af::wait` with a duration: `asyncio.wait(fs, timeout=..., return_when=...)`.
/**
 * As `wait(range, when, token)`, but when `duration` expires first the wait completes normally
 * (no error) with the sets as they are then; the pending children go on. The deadline's timer
 * runs on the first child's executor and is cancelled when the wait completes.
 *
 * @par Completion Signature
 * @code void(std::exception_ptr, std::vector<F> done, std::vector<F> pending) @endcode
 *
 * @par Per-Operation Cancellation
 * @li `terminal`, `partial`, `total`: the wait ends with `cancelled_error`; the children go on.
 */
template <
    class Range,
    class Rep,
    class Period,
    BOOST_ASIO_COMPLETION_TOKEN_FOR(detail::wait_signature_t<Range>)
        CompletionToken = detail::wait_default_token_t<Range>>
auto wait(
    Range&& range,
    return_when when,
    std::chrono::duration<Rep, Period> duration,
    CompletionToken&& token = detail::wait_default_token_t<Range>(),
    const detail::source_location& where = detail::source_location::current())
{
    return detail::async_wait_sets(
        std::forward<Range>(range),
        when,
        std::chrono::ceil<std::chrono::steady_clock::duration>(duration),
        std::forward<CompletionToken>(token),
        where);
}

} // namespace asio_future
} // namespace boost

#endif // BOOST_ASIO_FUTURE_WAIT_HPP
