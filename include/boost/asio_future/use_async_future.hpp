//
// Copyright (c) 2026 The asio_future Authors.
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_ASIO_FUTURE_USE_ASYNC_FUTURE_HPP
#define BOOST_ASIO_FUTURE_USE_ASYNC_FUTURE_HPP

#include <boost/asio_future/async_future.hpp>

#include <boost/asio_future/detail/config.hpp>
#include <boost/asio_future/detail/source_location.hpp>

#include <memory>
#include <type_traits>
#include <utility>

namespace boost
{
namespace asio_future
{

/// The completion token type that makes an asynchronous operation return an `async_future`.
/**
 * Any Asio asynchronous operation started with `af::use_async_future` returns an
 * `async_future` of its result, like `asyncio.ensure_future`:
 * @li `void()`, `void(error_code)`, `void(std::exception_ptr)` give `async_future<void>`;
 * @li `void(error_code, T)`, `void(std::exception_ptr, T)` and `void(T)` give `async_future<T>`;
 * @li more values give `async_future<std::tuple<...>>`.
 *
 * A non-zero `error_code` is stored as `boost::system::system_error`, except
 * `asio::error::operation_aborted`: an operation that completes with it (after `fut.cancel()`,
 * `timer.cancel()`, `socket.close()`, ...) leaves the future cancelled, as asyncio leaves a
 * task whose coroutine was cancelled, and a cancelled future is never reported as "exception
 * was never retrieved". A non-null `std::exception_ptr` is stored as is.
 *
 * @par Executor
 * The future is bound to the executor of the operation's initiation (its I/O object's
 * executor, or the executor given to `asio::post`, `asio::co_spawn`, ...). An initiation that has
 * none (`asio::post(token)` without an executor) binds it to `asio::system_executor`. To choose
 * another executor for done callbacks and waits, create a future with `make_future` and resolve
 * it from the operation's handler, or wait with `bind_executor`.
 *
 * @par Cancellation
 * The operation's completion handler has an associated cancellation slot. Cancelling the future
 * (`fut.cancel()`, or a terminal/partial cancellation of one of its waits) leaves the future
 * cancelled at once and emits `cancellation_type::terminal` to the operation, on the future's
 * executor: inline when `cancel()` runs there, otherwise queued ahead of the future's waiters,
 * so a waiter that runs on that executor (one handler at a time) may destroy the operation's
 * I/O object. The operation's later completion
 * (typically `operation_aborted`) is ignored. If queuing the emission fails to allocate, the
 * future is still cancelled and `cancel()` throws `std::bad_alloc`. So
 * `co_spawn(ex, coro(), af::use_async_future)` is `asyncio.create_task`: awaitable from many
 * places, and `cancel()` stops the coroutine at its next suspension point.
 *
 * @par Broken promise
 * An operation whose handler is destroyed without being invoked (its context shut down) leaves
 * the future failed with `broken_promise_error`, or cancelled by the shutdown itself.
 *
 * @tparam Allocator Allocates the future's shared state.
 */
template <class Allocator = std::allocator<void>>
class use_async_future_t
{
public:
    /// The allocator of the future's shared state.
    using allocator_type = Allocator;

    /// Constructs the token with a default-constructed allocator.
    /**
     * `where` is the site that `future_service` debug mode records for the futures the token
     * makes: by default where the token is constructed, that is the user's line for
     * `af::use_async_future_t<>()` written at the call site and for the default token of an
     * I/O object made by `as_default_on` (Asio constructs it in the default argument of the
     * initiating function). The namespace-scope `af::use_async_future` object cannot know its
     * user's line: its futures record no site.
     */
    constexpr use_async_future_t(
        const detail::source_location& where =
            detail::source_location::current()) noexcept(noexcept(Allocator()))
        : allocator_(), where_(where)
    {
    }

    /// Constructs the token with `a`.
    explicit use_async_future_t(
        const Allocator& a,
        const detail::source_location& where = detail::source_location::current()) noexcept
        : allocator_(a), where_(where)
    {
    }

    /// The same token with another allocator (and the same recorded site).
    template <class OtherAllocator>
    use_async_future_t<OtherAllocator> rebind(const OtherAllocator& a) const noexcept
    {
        return use_async_future_t<OtherAllocator>(a, where_);
    }

    /// The allocator of the future's shared state.
    allocator_type get_allocator() const noexcept { return allocator_; }

    /// The site recorded for the futures the token makes (see the constructor).
    constexpr const detail::source_location& where() const noexcept { return where_; }

    /// Adapts an executor to make `use_async_future` its default completion token.
    template <class InnerExecutor>
    struct executor_with_default : InnerExecutor
    {
        /// The default completion token of an I/O object using this executor.
        using default_completion_token_type = use_async_future_t;

        /// Wraps `ex`.
        executor_with_default(const InnerExecutor& ex) noexcept : InnerExecutor(ex) {}

        /// Converts from another executor that `InnerExecutor` can be built from.
        template <
            class OtherExecutor,
            class = std::enable_if_t<
                !std::is_same_v<OtherExecutor, InnerExecutor> &&
                std::is_convertible_v<OtherExecutor, InnerExecutor>>>
        executor_with_default(const OtherExecutor& ex) noexcept : InnerExecutor(ex)
        {
        }
    };

    /// The type of an I/O object whose default completion token is `use_async_future`.
    template <class T>
    using as_default_on_t = typename T::template rebind_executor<
        executor_with_default<typename T::executor_type>>::other;

    /// Converts an I/O object to one whose default completion token is `use_async_future`.
    template <class T>
    static as_default_on_t<std::decay_t<T>> as_default_on(T&& object)
    {
        return as_default_on_t<std::decay_t<T>>(std::forward<T>(object));
    }

private:
    Allocator allocator_;
    detail::source_location where_;
};

/// The completion token that makes an asynchronous operation return an `async_future`.
/** Its futures record no creation site in debug mode: write `af::use_async_future_t<>()` at
 * the call site to record the user's line. */
inline constexpr use_async_future_t<> use_async_future{detail::source_location{}};

} // namespace asio_future
} // namespace boost

#include <boost/asio_future/impl/use_async_future.hpp>

#endif // BOOST_ASIO_FUTURE_USE_ASYNC_FUTURE_HPP
