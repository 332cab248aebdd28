//
// Copyright (c) 2026 The asio_future Authors.
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_ASIO_FUTURE_IMPL_ASYNC_FUTURE_HPP
#define BOOST_ASIO_FUTURE_IMPL_ASYNC_FUTURE_HPP

#include <boost/asio_future/resolver.hpp>

#include <boost/asio_future/detail/blocking_wait.hpp>
#include <boost/asio_future/detail/callback_node.hpp>
#include <boost/asio_future/detail/report.hpp>
#include <boost/asio_future/detail/wait_op.hpp>

#include <boost/core/type_name.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <ostream>
#include <type_traits>
#include <utility>

namespace boost
{
namespace asio_future
{
template <class T, class Executor>
template <bool Take, bool Shielded>
class basic_async_future<T, Executor>::initiate_wait
{
public:
    using executor_type = Executor;

    explicit initiate_wait(handle_type h) noexcept : state_(std::move(h)) {}

    // An empty handle has no executor: an empty any_io_executor, or an exception for other
    // executor types (strand<> declares a default constructor that does not compile).
    // Throws invalid_state_error once the context shut down: an operation needing it (the
    // timer of af::timeout for a handler without an executor) cannot start there.
    executor_type get_executor() const
    {
        if (state_)
            return state_->executor_copy();
        if constexpr (std::is_same_v<executor_type, boost::asio::any_io_executor>)
            return executor_type();
        else
            throw invalid_state_error(
                "asio_future: empty future (default-constructed or moved-from)");
    }

    // Some initiators (experimental::use_promise) pass the handler as an lvalue they keep
    // using: it is copied then, as Asio's own initiations do. On an empty handle the handler
    // completes with invalid_state_error (Asio may run this after suspending a coroutine, where
    // an exception would end the program).
    template <class Handler>
    void operator()(Handler&& handler) const
    {
        using handler_type = std::decay_t<Handler>;
        if (!state_)
            return detail::complete_empty<T, Executor>(
                handler_type(std::forward<Handler>(handler)));
        detail::wait_op<Take, T, Executor, handler_type, Shielded>::start(
            *state_,
            handler_type(std::forward<Handler>(handler)));
    }

private:
    handle_type state_; // keeps the future alive until a deferred initiation runs
};

template <class T, class Executor>
detail::result_reference_t<T> basic_async_future<T, Executor>::result() const
{
    state_type& s = state();
    if (!s.is_done())
        throw invalid_state_error("asio_future: result() on a pending future");
    if (s.kind() != detail::outcome_kind::value)
        std::rethrow_exception(s.retrieve_error());
    const auto& out = s;
    if constexpr (!std::is_void_v<T>)
    {
        if (out.taken())
            throw invalid_state_error("asio_future: result already taken");
        return out.value();
    }
}

template <class T, class Executor>
std::exception_ptr basic_async_future<T, Executor>::exception() const
{
    state_type& s = state();
    if (!s.is_done())
        throw invalid_state_error("asio_future: exception() on a pending future");
    if (s.kind() == detail::outcome_kind::cancelled)
        std::rethrow_exception(s.error());
    return s.retrieve_error();
}

template <class T, class Executor>
typename basic_async_future<T, Executor>::state_type&
basic_async_future<T, Executor>::blocking_state() const
{
    state_type& s = state();
    if (detail::running_in_this_thread(s.executor()))
        throw invalid_state_error(
            "asio_future: get() on a thread running the future's execution context would "
            "deadlock: co_await the future, or call get() from another thread");
    return s;
}

template <class T, class Executor>
T basic_async_future<T, Executor>::blocking_outcome(state_type& s) const
{
    if constexpr (std::is_void_v<T>)
    {
        if (std::exception_ptr e = s.retrieve_error())
            std::rethrow_exception(std::move(e));
    }
    else
    {
        std::optional<T> v;
        if (std::exception_ptr e = s.template extract<!copyable_value>(v))
            std::rethrow_exception(std::move(e));
        return std::move(*v);
    }
}

template <class T, class Executor>
T basic_async_future<T, Executor>::get() const
{
    state_type& s = blocking_state();
    const handle_type keep = state_; // the state outlives a concurrent reassignment of *this
    if (!s.is_done())
    {
        detail::blocking_waiter w;
        if (s.push(&w))
            w.wait();
    }
    return blocking_outcome(s);
}

template <class T, class Executor>
template <class Rep, class Period>
T basic_async_future<T, Executor>::get(const std::chrono::duration<Rep, Period>& timeout) const
{
    using clock = std::chrono::steady_clock;
    state_type& s = blocking_state();
    const handle_type keep = state_;
    if (s.is_done())
        return blocking_outcome(s);
    const clock::time_point now = clock::now();
    // A timeout too long to add to now() is no timeout.
    if (std::chrono::duration<double>(timeout) >
        std::chrono::duration<double>(clock::time_point::max() - now) / 2)
        return get();
    const clock::time_point deadline =
        now + std::chrono::ceil<clock::duration>(
                  timeout < std::chrono::duration<Rep, Period>::zero()
                      ? std::chrono::duration<Rep, Period>::zero()
                      : timeout);
    detail::blocking_waiter w;
    if (s.push(&w) && !w.wait_until(deadline))
    {
        if (s.remove(&w))
            throw timeout_error();
        w.wait(); // resolved meanwhile: the outcome is delivered, never lost
    }
    return blocking_outcome(s);
}

template <class T, class Executor>
template <class F>
callback_id basic_async_future<T, Executor>::add_done_callback(F&& fn) const
{
    static_assert(
        std::is_invocable_v<std::decay_t<F>&, const basic_async_future&>,
        "a done callback is called as fn(const basic_async_future&)");
    using node_type = detail::callback_node<basic_async_future, std::decay_t<F>>;
    state_type& s = state();
    const std::uint64_t id = detail::next_callback_id();
    auto node = std::make_unique<node_type>(s, std::decay_t<F>(std::forward<F>(fn)), id);
    if (s.push(node.get()))
        node.release();
    else
        node_type::schedule(node.release()); // already done: posted at once
    return callback_id(id);
}

template <class T, class Executor>
std::size_t basic_async_future<T, Executor>::remove_done_callback(callback_id id) const
{
    std::size_t count = 0;
    detail::state_base::run_all(
        state().remove_callbacks(id.value(), count),
        detail::node_action::destroy);
    return count;
}

template <class T, class Executor>
typename basic_async_future<T, Executor>::resolver_type
basic_async_future<T, Executor>::get_resolver() const
{
    return resolver_type(state());
}

template <class U, class E>
std::ostream& operator<<(std::ostream& os, const basic_async_future<U, E>& f)
{
    if (!f.state_)
        return os << "<async_future<" << boost::core::type_name<U>() << "> empty>";
    f.state_->describe(os);
    return os;
}

} // namespace asio_future
} // namespace boost

#endif // BOOST_ASIO_FUTURE_IMPL_ASYNC_FUTURE_HPP
