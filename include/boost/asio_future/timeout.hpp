//
// Copyright (c) 2026 The asio_future Authors.
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_ASIO_FUTURE_TIMEOUT_HPP
#define BOOST_ASIO_FUTURE_TIMEOUT_HPP

#include <boost/asio_future/detail/config.hpp>

#include <boost/asio/cancellation_type.hpp>

#include <chrono>
#include <type_traits>
#include <utility>

namespace boost
{
namespace asio_future
{

/// A completion token adapter that bounds an operation by a deadline. Made by `timeout` and
/// `deadline`.
template <class CompletionToken>
class timeout_t
{
public:
    /// The clock of the deadline.
    using clock_type = std::chrono::steady_clock;

    /// Adapts `token` to expire at `expiry`, emitting `type` to the operation.
    template <class Token>
    timeout_t(clock_type::time_point expiry, Token&& token, boost::asio::cancellation_type_t type)
        : token_(std::forward<Token>(token)), expiry_(expiry), type_(type)
    {
    }

    /// The adapted token.
    CompletionToken token_;

    /// When the deadline expires.
    clock_type::time_point expiry_;

    /// The cancellation emitted on expiry.
    boost::asio::cancellation_type_t type_;
};

/// Bounds any asynchronous operation by a duration: `asyncio.timeout` / `asyncio.wait_for`.
/**
 * Starts a `steady_timer` beside the operation and binds a cancellation signal as the
 * handler's associated cancellation slot. When the timer expires first it emits `type`
 * (terminal by default) to the operation; when the operation then completes because of that
 * cancellation, the completion is translated: an `error_code` disposition becomes
 * `af::error::timeout`, an `std::exception_ptr` disposition becomes `timeout_error`. A result
 * that arrived first is delivered unchanged, and the timer is cancelled when the operation
 * completes. An outer cancellation slot of the handler (a `co_spawn`'s) is forwarded to the
 * operation.
 *
 * An operation that ignores cancellation is still waited for (Asio's rule: it owns its handler
 * and buffers until it completes). Waits on futures honour cancellation at once, so
 * `fut.async_wait(af::timeout(200ms, asio::use_awaitable))` always ends on time: like
 * `asyncio.wait_for`, the future is cancelled and the waiter gets `timeout_error`. Wait on
 * `af::shield(fut)` to keep the future running.
 *
 * A cancellation slot or executor bound around the adapter
 * (`asio::bind_cancellation_slot(slot, af::timeout(d, token))`, `asio::bind_executor(strand,
 * af::timeout(d, token))`) is moved inside it, onto the token: the deadline keeps its slot, the
 * outer slot is forwarded, and the timer runs on the bound executor.
 *
 * Adapters nest: `af::timeout(30s, af::timeout(1s, token))` (an overall deadline around a
 * per-call one), at any depth, equal deadlines included. The earlier deadline wins: only it
 * emits its cancellation type and translates the completion; with equal deadlines the outer
 * adapter's type applies. Nested directly (or through the binders above), the adapters share
 * one timer set to the earlier deadline: a nested wait costs what a single one does, and no
 * later timer lingers. With another token adapter between them (`af::timeout(a,
 * asio::bind_allocator(alloc, af::timeout(b, token)))`), each keeps its own timer, cancelled
 * when the operation completes (the outer adapter's op is then the one nearest the operation, and
 * forwards the inner one's cancellation to it); the inner one cannot see the operation's
 * executor through that token's initiation, so its timer runs on the handler's associated
 * executor: bind one (`asio::bind_executor`) when the handler has none. An adapter translates only
 * the disposition it sees: one inside `asio::as_tuple` (`asio::as_tuple(af::timeout(d, token))`, or
 * the inner one of `af::timeout(a, asio::as_tuple(af::timeout(b, token)))`) receives a tuple and
 * leaves it as is; put `as_tuple` innermost: `af::timeout(a, af::timeout(b,
 * asio::as_tuple(token)))`.
 *
 * The timer and the operation complete on the handler's associated executor, which must run
 * them one at a time (a strand, or a context run by one thread), as any per-operation
 * cancellation requires. The operation may be started from any thread that may start it (a
 * future's wait from any thread): a deadline that expires while the initiation still runs
 * elsewhere is emitted once the operation has registered with the slot.
 *
 * @par Example
 * @code
 * int v = co_await fut.async_wait(af::timeout(200ms, asio::use_awaitable));
 * auto [ec, n] = co_await sock.async_read_some(buf, af::timeout(1s,
 * asio::as_tuple(asio::use_awaitable)));
 * @endcode
 */
template <class Rep, class Period, class CompletionToken>
timeout_t<std::decay_t<CompletionToken>> timeout(
    std::chrono::duration<Rep, Period> duration,
    CompletionToken&& token,
    boost::asio::cancellation_type_t type = boost::asio::cancellation_type::terminal)
{
    return timeout_t<std::decay_t<CompletionToken>>(
        std::chrono::steady_clock::now() +
            std::chrono::duration_cast<std::chrono::steady_clock::duration>(duration),
        std::forward<CompletionToken>(token),
        type);
}

/// Bounds any asynchronous operation by a point in time of `std::chrono::steady_clock`.
/** Otherwise the same as `timeout`. */
template <class Duration, class CompletionToken>
timeout_t<std::decay_t<CompletionToken>> deadline(
    std::chrono::time_point<std::chrono::steady_clock, Duration> expiry,
    CompletionToken&& token,
    boost::asio::cancellation_type_t type = boost::asio::cancellation_type::terminal)
{
    return timeout_t<std::decay_t<CompletionToken>>(
        std::chrono::time_point_cast<std::chrono::steady_clock::duration>(expiry),
        std::forward<CompletionToken>(token),
        type);
}

} // namespace asio_future
} // namespace boost

#include <boost/asio_future/impl/timeout.hpp>

#endif // BOOST_ASIO_FUTURE_TIMEOUT_HPP
