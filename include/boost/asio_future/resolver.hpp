//
// Copyright (c) 2026 The asio_future Authors.
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_ASIO_FUTURE_RESOLVER_HPP
#define BOOST_ASIO_FUTURE_RESOLVER_HPP

#include <boost/asio_future/error.hpp>

#include <boost/asio_future/detail/config.hpp>
#include <boost/asio_future/detail/future_state.hpp>
#include <boost/asio_future/detail/outcome.hpp>
#include <boost/asio_future/detail/state_ref.hpp>

#include <boost/asio/any_io_executor.hpp>

#include <exception>
#include <string_view>
#include <type_traits>
#include <utility>

namespace boost
{
namespace asio_future
{

template <class T, class Executor>
class basic_async_future;

/// The producer's handle of a future: hand it to a callback API or another thread.
/**
 * Obtained from `basic_async_future::get_resolver()`. Copyable; every member may be called from
 * any thread, concurrently. Each resolving member returns `bool`: the first resolution wins and
 * later calls are harmless no-ops that return false, so a library that calls back twice cannot
 * hurt. When the last resolver of a pending future is destroyed, the future completes with
 * `broken_promise_error` (a dropped callback no longer hangs its waiter). A resolver that
 * outlives its execution context, whatever its executor (a strand included), is a harmless
 * no-op: the context's shutdown cancelled the future. It may be used, and destroyed, on
 * another thread while the context is being destroyed.
 */
template <class T, class Executor = boost::asio::any_io_executor>
class resolver
{
    using state_type = detail::future_state<T, Executor>;
    using handle_type = detail::state_ref<state_type, detail::state_base::one_resolver>;

public:
    /// The result type.
    using value_type = T;

    /// The executor of the future.
    using executor_type = Executor;

    /// Constructs an empty resolver: its members throw `invalid_state_error`.
    resolver() noexcept = default;

    /// True unless the resolver is empty.
    bool valid() const noexcept { return static_cast<bool>(state_); }

    /// True when the future is done.
    bool done() const { return state().is_done(); }

    /// Resolves the future with a `T` built from `args`; false when it was already done.
    template <class... Args>
    bool set_result(Args&&... args) const
    {
        static_assert(
            std::is_void_v<T> ? sizeof...(Args) == 0 : std::is_constructible_v<T, Args&&...>,
            "set_result: T must be constructible from the arguments (none for void)");
        return state().try_set_value(std::forward<Args>(args)...);
    }

    /// Fails the future with `e`; false when it was already done.
    /** @throws std::invalid_argument when `e` is null. */
    bool set_exception(std::exception_ptr e) const
    {
        return state().try_set_exception(std::move(e));
    }

    /// Fails the future with a copy of the exception object `e`; false when already done.
    template <class E, class = std::enable_if_t<detail::is_exception_object_v<E>>>
    bool set_exception(E&& e) const
    {
        if (state().is_claimed())
            return false;
        return set_exception(std::make_exception_ptr(std::forward<E>(e)));
    }

    /// Cancels the future with `msg`; false when it was already done.
    bool cancel(std::string_view msg = {}) const { return state().cancel(msg); }

    /// The executor of the future.
    /**
     * @throws invalid_state_error once the future's execution context has shut down: the
     * future lets go of its executor then (a strand must not outlive its context).
     */
    executor_type get_executor() const { return state().executor_copy(); }

    /// A future sharing the resolver's state.
    basic_async_future<T, Executor> get_future() const
    {
        return basic_async_future<T, Executor>::from_state(&state());
    }

private:
    template <class, class>
    friend class basic_async_future;

    explicit resolver(state_type& s) noexcept : state_(handle_type::share(&s)) {}

    state_type& state() const
    {
        if (!state_)
            throw invalid_state_error(
                "asio_future: empty resolver (default-constructed or moved-from)");
        return *state_;
    }

    handle_type state_;
};

} // namespace asio_future
} // namespace boost

#endif // BOOST_ASIO_FUTURE_RESOLVER_HPP
