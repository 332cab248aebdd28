//
// Copyright (c) 2026 The asio_future Authors.
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_ASIO_FUTURE_TO_THREAD_HPP
#define BOOST_ASIO_FUTURE_TO_THREAD_HPP

#include <boost/asio_future/error.hpp>

#include <boost/asio_future/detail/awaitable_fix.hpp>
#include <boost/asio_future/detail/config.hpp>
#include <boost/asio_future/detail/to_thread_op.hpp>

#include <boost/asio/async_result.hpp>
#include <boost/asio/execution/executor.hpp>
#include <boost/asio/execution_context.hpp>
#include <boost/asio/is_executor.hpp>

#include <type_traits>
#include <utility>

namespace boost
{
namespace asio_future
{

/// The completion signature of `to_thread(ex, fn, token)`.
/**
 * `void(std::exception_ptr, R)`, `void(std::exception_ptr)` when `fn()` returns `void`; `R` is
 * the decayed result of `fn()`, delivered as the waits of a future deliver their `T` (an `R`
 * without a default constructor comes as `std::optional<R>` unless it can be built from the
 * executor).
 */
template <class F, class Executor>
using to_thread_signature_t = detail::to_thread_signature_t<F, Executor>;

namespace detail
{

// The initiation object of to_thread.
template <class Executor>
class initiate_to_thread
{
public:
    using executor_type = Executor;

    explicit initiate_to_thread(const Executor& ex) : ex_(ex) {}

    executor_type get_executor() const noexcept { return ex_; }

    template <class Handler, class F>
    void operator()(Handler&& handler, F&& fn) const;

private:
    Executor ex_;
};

} // namespace detail

/// Runs `fn()` on `ex` (typically a `thread_pool`'s executor) and completes with its result on
/// the handler's executor: `asyncio.to_thread`, `loop.run_in_executor`.
/**
 * @param ex The executor `fn` runs on. An execution context (a `thread_pool`) may be given
 * instead: its executor is used.
 * @param fn A callable invoked once as `std::move(fn)()`. It must own what it uses: after a
 * cancellation it may still be running while the waiter has moved on.
 * @param token A completion token for `to_thread_signature_t<F, Executor>`.
 *
 * The handler runs on its associated executor: a coroutine resumes on its own executor, not
 * on the pool's thread. A handler with no associated executor runs on `ex`. Outstanding work is
 * held on the handler's executor until the completion. The completion is always queued, never
 * run inside this call or on the pool's thread (unless that is the handler's executor).
 *
 * If `ex`'s context is stopped or destroyed before `fn` ran, `fn` never runs and the handler is
 * destroyed without being invoked, Asio's rule for an operation that cannot complete (with
 * `use_async_future`, the future then fails with `broken_promise_error`).
 *
 * @par Completion Signature
 * @code void(std::exception_ptr, R) @endcode (`void(std::exception_ptr)` for a `void` `fn`).
 * An exception escaping `fn` is delivered as the `exception_ptr`.
 *
 * @par Per-Operation Cancellation
 * @li `terminal`, `partial`: before `fn` started, `fn` never runs; while it runs, its result is
 * discarded. Either way the handler completes at once (queued) with `cancelled_error`.
 * @li `total`: as above before `fn` started; once it runs, ignored (its effects cannot be
 * undone), and the handler receives `fn`'s result.
 *
 * @par Example
 * @code
 * asio::thread_pool pool(4);
 * std::string page = co_await af::to_thread(pool, [] { return blocking_fetch(); },
 *                                           asio::use_awaitable);
 * @endcode
 */
template <
    class Executor,
    class F,
    BOOST_ASIO_COMPLETION_TOKEN_FOR(typename decltype(detail::to_thread_signature_of(
        detail::type_tag<F>(),
        detail::type_tag<Executor>()))::type)
        CompletionToken = boost::asio::default_completion_token_t<Executor>>
auto to_thread(
    const Executor& ex,
    F&& fn,
    CompletionToken&& token = boost::asio::default_completion_token_t<Executor>(),
    std::enable_if_t<
        boost::asio::execution::is_executor<Executor>::value ||
        boost::asio::is_executor<Executor>::value>* = nullptr)
{
    return boost::asio::async_initiate<CompletionToken, to_thread_signature_t<F, Executor>>(
        detail::initiate_to_thread<Executor>(ex),
        token,
        std::forward<F>(fn));
}

/// Runs `fn()` on the executor of `ctx` (a `thread_pool`): as `to_thread(ctx.get_executor(),
/// fn, token)`.
template <
    class ExecutionContext,
    class F,
    BOOST_ASIO_COMPLETION_TOKEN_FOR(typename decltype(detail::to_thread_signature_of(
        detail::type_tag<F>(),
        detail::type_tag<typename ExecutionContext::executor_type>()))::type) CompletionToken =
        boost::asio::default_completion_token_t<typename ExecutionContext::executor_type>>
auto to_thread(
    ExecutionContext& ctx,
    F&& fn,
    CompletionToken&& token =
        boost::asio::default_completion_token_t<typename ExecutionContext::executor_type>(),
    std::enable_if_t<std::is_convertible_v<ExecutionContext&, boost::asio::execution_context&>>* =
        nullptr)
{
    return to_thread(ctx.get_executor(), std::forward<F>(fn), std::forward<CompletionToken>(token));
}

} // namespace asio_future
} // namespace boost

#include <boost/asio_future/impl/to_thread.hpp>

#endif // BOOST_ASIO_FUTURE_TO_THREAD_HPP
