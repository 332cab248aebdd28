//
// Copyright (c) 2026 The asio_future Authors.
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_ASIO_FUTURE_AS_COMPLETED_HPP
#define BOOST_ASIO_FUTURE_AS_COMPLETED_HPP

#include <boost/asio_future/async_future.hpp>

#include <boost/asio_future/detail/as_completed_state.hpp>
#include <boost/asio_future/detail/combinator.hpp>
#include <boost/asio_future/detail/config.hpp>
#include <boost/asio_future/detail/source_location.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>

#include <cstddef>
#include <exception>
#include <iterator>
#include <type_traits>
#include <utility>
#include <vector>

namespace boost
{
namespace asio_future
{

/// The children of `as_completed`, handed out in completion order.
/**
 * A copyable handle to a shared state (copies hand out from the same children). Made by
 * `as_completed(range)`; every member may be called from any thread.
 *
 * @tparam F The children's future type, a `basic_async_future<T, E>`.
 */
template <class F>
class as_completed_queue
{
    using state_type = detail::as_completed_state<F>;

public:
    /// The children's future type.
    using future_type = F;

    /// The executor of the first child (`asio::system_executor` for no children).
    using executor_type = boost::asio::any_io_executor;

    /// The completion signature of `async_next`.
    using completion_signature = void(std::exception_ptr, F);

    /// Starts watching `fs` (as `as_completed(fs)`).
    /** @throws invalid_state_error when a handle in `fs` is empty. */
    explicit as_completed_queue(
        const std::vector<F>& fs,
        const detail::source_location& where = detail::source_location::current())
        : state_(state_type::create(fs, where))
    {
    }

    as_completed_queue(const as_completed_queue& other) noexcept : state_(other.state_)
    {
        state_->add_ref();
    }

    as_completed_queue& operator=(const as_completed_queue& other) noexcept
    {
        as_completed_queue(other).swap(*this);
        return *this;
    }

    ~as_completed_queue() { state_->release(); }

    /// The number of children.
    std::size_t size() const noexcept { return state_->size(); }

    /// How many children have not been handed out yet (to a completed or pending
    /// `async_next`). `while (q.remaining()) co_await q.async_next(...)` visits every child.
    std::size_t remaining() const { return state_->remaining(); }

    /// The executor of the first child.
    executor_type get_executor() const noexcept { return state_->executor(); }

    /// Waits for the next child to complete and delivers it, done.
    /**
     * Children are delivered in completion order; those already done when the queue was
     * made, in input order. Several calls may wait at once: each gets a different child, in
     * call order. The completion is queued on the handler's associated executor (the first
     * child's for a handler without one), never run inside this call.
     *
     * With nothing remaining, completes with `invalid_state_error`. Bound a call with
     * `af::timeout`: a call that times out gives up only its turn.
     *
     * @par Completion Signature
     * @code void(std::exception_ptr, F) @endcode
     * (an empty `F` beside an error).
     *
     * @par Per-Operation Cancellation
     * @li `terminal`, `partial`, `total`: only this call ends, with `cancelled_error`; the
     * child it would have received goes to the next call. A child handed over before the
     * cancellation took effect is delivered.
     */
    template <
        BOOST_ASIO_COMPLETION_TOKEN_FOR(completion_signature)
            CompletionToken = boost::asio::default_completion_token_t<executor_type>>
    auto async_next(
        CompletionToken&& token = boost::asio::default_completion_token_t<executor_type>()) const
    {
        return boost::asio::async_initiate<CompletionToken, completion_signature>(
            detail::initiate_async_next<F>(state_),
            token);
    }

    void swap(as_completed_queue& other) noexcept { std::swap(state_, other.state_); }

private:
    state_type* state_;
};

/// Hands out futures as they complete: `asyncio.as_completed(fs)`.
/**
 * Returns an `as_completed_queue<F>` over a copy of the forward range `range`:
 * @code
 * auto q = af::as_completed(fs);
 * while (q.remaining())
 * {
 *     auto f = co_await q.async_next(asio::use_awaitable);
 *     use(f.result());
 * }
 * @endcode
 * Never cancels a child. An empty range gives a queue with nothing remaining.
 *
 * @throws invalid_state_error at once when a handle in the range is empty.
 */
template <class Range>
auto as_completed(
    Range&& range,
    const detail::source_location& where = detail::source_location::current())
{
    using F = std::decay_t<decltype(*std::begin(range))>;
    static_assert(
        is_async_future_v<F>,
        "as_completed(range): the range holds basic_async_future handles");
    return as_completed_queue<F>(detail::collect_range(std::forward<Range>(range)), where);
}

} // namespace asio_future
} // namespace boost

#endif // BOOST_ASIO_FUTURE_AS_COMPLETED_HPP
