//
// Copyright (c) 2026 The asio_future Authors.
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_ASIO_FUTURE_ASYNC_BRIDGE_HPP
#define BOOST_ASIO_FUTURE_ASYNC_BRIDGE_HPP

#include <boost/asio_future/async_future.hpp>
#include <boost/asio_future/resolver.hpp>

#include <boost/asio_future/detail/config.hpp>
#include <boost/asio_future/detail/timeout_op.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/associated_allocator.hpp>
#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/associated_executor.hpp>
#if defined(BOOST_ASIO_FUTURE_HAS_IMMEDIATE_EXECUTOR)
#include <boost/asio/associated_immediate_executor.hpp>
#endif
#include <boost/asio/async_result.hpp>
#include <boost/system/error_code.hpp>

#include <exception>
#include <optional>
#include <stdexcept>
#include <type_traits>
#include <utility>

namespace boost
{
namespace asio_future
{

/// The `on_done` callable that `async_bridge` hands to a callback API.
/**
 * Copyable, callable from any thread, any number of times: the first call resolves the wait,
 * later calls are no-ops. Accepted arguments: the value (the arguments of `T`'s constructor;
 * none for `void`), a `std::exception_ptr` (null means success for `void`), or an
 * `error_code` (non-zero is stored as `boost::system::system_error`; zero means success for
 * `void`). Adapt a library's own `(value, error)` shape in the register lambda. When every copy
 * is destroyed without a call, the wait completes with `broken_promise_error`.
 */
template <class T, class Executor = boost::asio::any_io_executor>
class bridge_callback
{
public:
    /// Wraps a resolver.
    explicit bridge_callback(resolver<T, Executor> r) noexcept : resolver_(std::move(r)) {}

    /// Resolves with a value, an `std::exception_ptr` or an `error_code`.
    /** @returns true when this call resolved the wait. */
    template <class... Args>
    bool operator()(Args&&... args) const
    {
        if constexpr (sizeof...(Args) == 1 && is_disposition<Args...>)
            return resolve_disposition(std::forward<Args>(args)...);
        else
        {
            static_assert(
                std::is_void_v<T> ? sizeof...(Args) == 0 : std::is_constructible_v<T, Args&&...>,
                "on_done: pass a value of the bridge's T (its constructor's arguments; none for "
                "void), an std::exception_ptr or an error_code");
            if constexpr (
                std::is_void_v<T> ? sizeof...(Args) == 0 : std::is_constructible_v<T, Args&&...>)
                return resolver_.set_result(std::forward<Args>(args)...);
            else
                return false;
        }
    }

private:
    template <class A>
    static constexpr bool is_disposition_one =
        std::is_same_v<std::decay_t<A>, std::exception_ptr> ||
        std::is_same_v<std::decay_t<A>, boost::system::error_code>;

    template <class... A>
    static constexpr bool is_disposition = (is_disposition_one<A> && ...);

    bool resolve_disposition(std::exception_ptr e) const
    {
        if (e)
            return resolver_.set_exception(std::move(e));
        return succeed_without_value();
    }

    bool resolve_disposition(const boost::system::error_code& ec) const
    {
        if (ec)
            return resolver_.set_exception(boost::system::system_error(ec));
        return succeed_without_value();
    }

    bool succeed_without_value() const
    {
        if constexpr (std::is_void_v<T>)
            return resolver_.set_result();
        else
            return resolver_.set_exception(std::make_exception_ptr(std::invalid_argument(
                "asio_future: bridge callback called with success but no value")));
    }

    resolver<T, Executor> resolver_;
};

namespace detail
{

// Runs the deregistration returned by `register` when the wait ends cancelled or timed out
// (asyncio's "deregister in a finally"), never after a normal completion.
template <class Handler, class Deregister, class Future>
class bridge_handler
{
public:
    // An lvalue handler (a token passed by lvalue) is copied, as Asio's own operations do.
    template <class H>
    bridge_handler(H&& h, Deregister&& d, Future f)
        : handler_(std::forward<H>(h)), deregister_(std::move(d)), future_(std::move(f))
    {
    }

    // The executor and allocator are forwarded by the associator specialisations below, so
    // that a handler without an associated executor keeps the future's.
    const Handler& inner() const noexcept { return handler_; }

    using cancellation_slot_type = boost::asio::associated_cancellation_slot_t<Handler>;
    cancellation_slot_type get_cancellation_slot() const noexcept
    {
        return boost::asio::get_associated_cancellation_slot(handler_);
    }

    // Runs the deregistration when the wait was cancelled (terminal, partial or total, or by
    // a deadline, before af::timeout translates it). A cancelled_error that the callback API
    // itself reported is a normal completion.
    template <class... Args>
    void operator()(std::exception_ptr e, Args&&... args)
    {
        if (wait_was_cancelled(e))
            deregister_();
        future_ = Future();
        std::move(handler_)(std::move(e), std::forward<Args>(args)...);
    }

private:
    bool wait_was_cancelled(const std::exception_ptr& e) const
    {
        if (!is_cancellation(e))
            return false;
        if (!future_.done() || future_.cancelled())
            return true; // detached, or the future was cancelled
        return future_.exception() != e;
    }

    Handler handler_;
    Deregister deregister_;
    Future future_;
};

struct no_deregistration
{
    void operator()() const noexcept {}
};

template <class T, class Executor>
class initiate_bridge
{
public:
    using executor_type = Executor;

    initiate_bridge(const Executor& ex, const source_location& where) : executor_(ex), where_(where)
    {
    }

    executor_type get_executor() const noexcept { return executor_; }

    template <class Handler, class Register>
    void operator()(Handler&& handler, Register&& reg) const
    {
        using future_type = basic_async_future<T, Executor>;
        future_type fut(executor_, where_);
        // Held until `register` returned: if it throws, its exception wins over the broken
        // promise of an `on_done` it took by value and destroyed while unwinding.
        const resolver<T, Executor> keep = fut.get_resolver();
        bridge_callback<T, Executor> on_done(keep);
        using result_type = std::invoke_result_t<Register&, bridge_callback<T, Executor>>;
        if constexpr (std::is_void_v<result_type>)
        {
            call_register(fut, reg, std::move(on_done));
            fut.async_wait(bridge_handler<std::decay_t<Handler>, no_deregistration, future_type>(
                std::forward<Handler>(handler),
                no_deregistration(),
                fut));
        }
        else
        {
            static_assert(
                std::is_invocable_v<std::decay_t<result_type>&>,
                "register(on_done) returns nothing or a deregistration callable taking no "
                "argument");
            std::optional<std::decay_t<result_type>> dereg;
            call_register(fut, reg, std::move(on_done), &dereg);
            auto run_dereg = [d = std::move(dereg)]() mutable
            {
                if (d)
                    (*d)();
            };
            fut.async_wait(bridge_handler<std::decay_t<Handler>, decltype(run_dereg), future_type>(
                std::forward<Handler>(handler),
                std::move(run_dereg),
                fut));
        }
    }

private:
    // `register` throwing completes the wait with that exception.
    template <class Future, class Register, class Callback, class Out = void>
    static void call_register(Future& fut, Register& reg, Callback&& on_done, Out* out = nullptr)
    {
        try
        {
            if constexpr (std::is_void_v<Out>)
                reg(std::move(on_done));
            else
                out->emplace(reg(std::move(on_done)));
        }
        catch (...)
        {
            fut.try_set_exception(std::current_exception());
        }
    }

    Executor executor_;
    source_location where_;
};

} // namespace detail

/// Turns a `register(on_done)` callback API into an asynchronous operation: the guide's
/// `bridge()` helper.
/**
 * Creates a future on `ex`, calls `reg(on_done)` with a `bridge_callback` (thread-safe,
 * first call wins, from any thread, any number of times), and waits for the future with
 * `token`. `reg` may return a deregistration callable: it is invoked when the wait is
 * cancelled or times out (no leaked registrations), not after a normal completion. `reg`
 * throwing completes the wait with that exception; `on_done` destroyed uncalled completes it
 * with `broken_promise_error`. Composes with `af::timeout`. `where` is the creation site that
 * `future_service` debug mode records for the bridge's future: the caller's line.
 *
 * @par Completion signature
 * `void(std::exception_ptr, T)` (as `async_future<T>::completion_signature`).
 *
 * @par Per-Operation Cancellation
 * As `async_future::async_wait`: terminal and partial cancel the bridge's future (and run the
 * deregistration); total detaches the wait (and runs the deregistration).
 *
 * @par Example
 * @code
 * std::string v = co_await af::async_bridge<std::string>(ex,
 *     [&](auto on_done) { client.fetch("a", [on_done](auto value, auto error) {
 *         if (error) on_done(error); else on_done(*value); }); },
 *     af::timeout(2s, asio::use_awaitable));
 * @endcode
 */
template <
    class T,
    class Executor,
    class Register,
    BOOST_ASIO_COMPLETION_TOKEN_FOR(typename async_future<T>::completion_signature)
        CompletionToken = boost::asio::default_completion_token_t<Executor>>
auto async_bridge(
    const Executor& ex,
    Register&& reg,
    CompletionToken&& token = boost::asio::default_completion_token_t<Executor>(),
    const detail::source_location& where = detail::source_location::current())
{
    using executor_type = boost::asio::any_io_executor;
    return boost::asio::async_initiate<
        CompletionToken,
        typename basic_async_future<T, executor_type>::completion_signature>(
        detail::initiate_bridge<T, executor_type>(executor_type(ex), where),
        token,
        std::forward<Register>(reg));
}

} // namespace asio_future

#if !defined(BOOST_ASIO_FUTURE_DOXYGEN)
namespace asio
{

template <class Handler, class Deregister, class Future, class Executor>
struct associated_executor<
    asio_future::detail::bridge_handler<Handler, Deregister, Future>,
    Executor>
{
    using type = associated_executor_t<Handler, Executor>;

    static type get(
        const asio_future::detail::bridge_handler<Handler, Deregister, Future>& h,
        const Executor& ex = Executor()) noexcept
    {
        return associated_executor<Handler, Executor>::get(h.inner(), ex);
    }
};

template <class Handler, class Deregister, class Future, class Allocator>
struct associated_allocator<
    asio_future::detail::bridge_handler<Handler, Deregister, Future>,
    Allocator>
{
    using type = associated_allocator_t<Handler, Allocator>;

    static type get(
        const asio_future::detail::bridge_handler<Handler, Deregister, Future>& h,
        const Allocator& a = Allocator()) noexcept
    {
        return associated_allocator<Handler, Allocator>::get(h.inner(), a);
    }
};

#if defined(BOOST_ASIO_FUTURE_HAS_IMMEDIATE_EXECUTOR)
// Derived from the inner handler's, so that it stays marked unspecialised where that is.
template <class Handler, class Deregister, class Future, class Executor>
struct associated_immediate_executor<
    asio_future::detail::bridge_handler<Handler, Deregister, Future>,
    Executor> : associated_immediate_executor<Handler, Executor>
{
    static decltype(auto) get(
        const asio_future::detail::bridge_handler<Handler, Deregister, Future>& h,
        const Executor& ex) noexcept
    {
        return associated_immediate_executor<Handler, Executor>::get(h.inner(), ex);
    }
};
#endif

} // namespace asio
#endif

} // namespace boost

#endif // BOOST_ASIO_FUTURE_ASYNC_BRIDGE_HPP
