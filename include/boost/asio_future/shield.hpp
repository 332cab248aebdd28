//
// Copyright (c) 2026 The asio_future Authors.
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_ASIO_FUTURE_SHIELD_HPP
#define BOOST_ASIO_FUTURE_SHIELD_HPP

#include <boost/asio_future/async_future.hpp>

#include <boost/asio_future/detail/config.hpp>

#include <boost/asio/async_result.hpp>

#include <chrono>
#include <type_traits>
#include <utility>

namespace boost
{
namespace asio_future
{

/// A handle to a future whose waits, when cancelled or timed out, only detach.
/**
 * Made by `shield(fut)`; equivalent to `asyncio.shield`. Every cancellation type of a wait on
 * it (terminal, partial or total, including the expiry of an `af::timeout`) completes only that
 * wait with `cancelled_error` (`timeout_error` under `af::timeout`); the shielded future goes on
 * and can be waited for again. Waits have the completion signature of the future.
 */
template <class T, class Executor = boost::asio::any_io_executor>
class shielded_future
{
    using future_type = basic_async_future<T, Executor>;

public:
    /// The result type.
    using value_type = T;

    /// The executor of the future.
    using executor_type = Executor;

    /// The completion signature of its waits.
    using completion_signature = typename future_type::completion_signature;

    /// An empty handle.
    shielded_future() noexcept = default;

    /// Shields `fut`.
    explicit shielded_future(future_type fut) noexcept : future_(std::move(fut)) {}

    /// True unless empty.
    bool valid() const noexcept { return future_.valid(); }

    /// True when the future is done.
    bool done() const { return future_.done(); }

    /// True when the future was cancelled (by someone else: waits on this handle cannot).
    bool cancelled() const { return future_.cancelled(); }

    /// The executor of the future; throws `invalid_state_error` once its context shut down.
    executor_type get_executor() const { return future_.get_executor(); }

    /// The shielded future itself.
    const future_type& future() const noexcept { return future_; }

    /// Blocks until the future is done: as `basic_async_future::get()` (a blocking wait has no
    /// cancellation to shield from).
    T get() const { return future_.get(); }

    /// Blocks at most `timeout`: as `basic_async_future::get(duration)`.
    template <class Rep, class Period>
    T get(const std::chrono::duration<Rep, Period>& timeout) const
    {
        return future_.get(timeout);
    }

    /// Waits for a copy of the result; cancellation of any type only detaches this wait.
    template <
        BOOST_ASIO_COMPLETION_TOKEN_FOR(completion_signature)
            CompletionToken = boost::asio::default_completion_token_t<executor_type>>
    auto async_wait(
        CompletionToken&& token = boost::asio::default_completion_token_t<executor_type>()) const
    {
        static_assert(
            future_type::copyable_value,
            "async_wait copies the result to each waiter: use async_take for a move-only T");
        return boost::asio::async_initiate<CompletionToken, completion_signature>(
            typename future_type::template initiate_wait<false, true>(future_.handle()),
            token);
    }

    /// Waits for the result and moves it out; cancellation of any type only detaches this wait.
    template <
        BOOST_ASIO_COMPLETION_TOKEN_FOR(completion_signature)
            CompletionToken = boost::asio::default_completion_token_t<executor_type>>
    auto async_take(
        CompletionToken&& token = boost::asio::default_completion_token_t<executor_type>()) const
    {
        return boost::asio::async_initiate<CompletionToken, completion_signature>(
            typename future_type::template initiate_wait<!std::is_void_v<T>, true>(
                future_.handle()),
            token);
    }

    /// The shielded future as an asynchronous operation: `co_await af::shield(fut)`.
    template <
        BOOST_ASIO_COMPLETION_TOKEN_FOR(completion_signature)
            CompletionToken = boost::asio::default_completion_token_t<executor_type>>
    auto operator()(
        CompletionToken&& token = boost::asio::default_completion_token_t<executor_type>()) const
    {
        return boost::asio::async_initiate<CompletionToken, completion_signature>(
            typename future_type::template initiate_wait<!future_type::copyable_value, true>(
                future_.state_),
            token);
    }

private:
    future_type future_;
};

/// Shields `fut` from the cancellation of its waits: `asyncio.shield`.
template <class T, class Executor>
shielded_future<T, Executor> shield(basic_async_future<T, Executor> fut) noexcept
{
    return shielded_future<T, Executor>(std::move(fut));
}

} // namespace asio_future
} // namespace boost

#endif // BOOST_ASIO_FUTURE_SHIELD_HPP
