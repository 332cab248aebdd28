//
// Copyright (c) 2026 The asio_future Authors.
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_ASIO_FUTURE_DETAIL_COMBINATOR_HPP
#define BOOST_ASIO_FUTURE_DETAIL_COMBINATOR_HPP

#include <boost/asio_future/async_future.hpp>
#include <boost/asio_future/error.hpp>

#include <boost/asio_future/detail/config.hpp>
#include <boost/asio_future/detail/future_state.hpp>
#include <boost/asio_future/detail/state_base.hpp>
#include <boost/asio_future/detail/state_ref.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/associated_allocator.hpp>
#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/cancellation_type.hpp>

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
namespace detail
{

// The node a combinator puts in each child's list (the library's own done-callback mechanism,
// without an allocation or a posted handler per child). It runs on the stack of the child's
// resolution (or of the push that found the child done), with the child's outcome published:
// the owner's on_child_done(index) only does atomic bookkeeping and may resolve the
// combinator's own future, whose waiters are then queued, never run inline. It holds one
// memory reference on the owner, which on_child_done releases.
template <class Owner>
class child_node final : public list_node
{
public:
    child_node() noexcept : list_node(&child_node::act) {}

    Owner* owner = nullptr;
    std::size_t index = 0;

private:
    // complete, dispatch and destroy (the child's context shut down: its outcome is
    // "cancelled") alike: the combinator treats the child as done. Never detach: a combinator's
    // node is removed only by the combinator itself.
    static void act(list_node* n, node_action) noexcept
    {
        auto* self = static_cast<child_node*>(n);
        self->owner->on_child_done(self->index);
    }
};

// The shared state of a child, seen by a combinator.
template <class F>
using child_state_t = typename F::state_type;

// A memory reference to a child: it keeps the state alive but does not count as an owner, so a
// child nobody can resolve any more still completes with broken_promise_error.
template <class F>
using child_ref = state_ref<child_state_t<F>>;

// The state of a child handle given to a combinator: a clear error for an empty handle.
template <class T, class Executor>
future_state<T, Executor>& checked_child(const basic_async_future<T, Executor>& f)
{
    if (!f.valid())
        throw invalid_state_error(
            "asio_future: a combinator was given an empty future (default-constructed or "
            "moved-from)");
    return *combinator_access::state(f);
}

// Copies a forward range of futures into a vector, checking each handle.
template <class Range>
auto collect_range(Range&& range)
{
    using F = std::decay_t<decltype(*std::begin(range))>;
    static_assert(is_async_future_v<F>, "a combinator's range holds basic_async_future handles");
    std::vector<F> out;
    out.reserve(static_cast<std::size_t>(std::distance(std::begin(range), std::end(range))));
    for (auto&& f : range)
        out.push_back(f);
    return out;
}

// Installed in the user's cancellation slot by af::wait and as_completed::async_next: any
// cancellation type cancels the private future the operation waits on, which ends only that
// operation (the children are never cancelled). Runs in emit(): never completes inline (the
// future's waiter is queued).
struct cancel_private_future
{
    explicit cancel_private_future(state_ref<state_base> s) noexcept : state(std::move(s)) {}

    state_ref<state_base> state;

    void operator()(boost::asio::cancellation_type_t type)
    {
        if (type != boost::asio::cancellation_type::none)
            state->cancel({});
    }
};

// The handler given to the wait on a combinator's private future: the user's handler's
// executor and allocator, no cancellation slot (the user's slot is handled by
// cancel_private_future). It holds an owner handle of the private future (without one, a
// pending future nobody can resolve would break its promise) and clears the user's slot before
// the upcall. `Unpack` turns the private future's value into the user's completion arguments
// and may clean up first (the duration form of af::wait cancels its timer there).
template <class Handler, class Future, class Unpack>
class private_wait_handler
{
public:
    private_wait_handler(
        Handler&& h,
        Future fut,
        boost::asio::cancellation_slot slot,
        Unpack unpack)
        : handler_(std::move(h)), future_(std::move(fut)), slot_(slot), unpack_(std::move(unpack))
    {
    }

    private_wait_handler(private_wait_handler&& other) noexcept(
        std::is_nothrow_move_constructible_v<Handler>)
        : handler_(std::move(other.handler_)),
          future_(std::move(other.future_)),
          slot_(std::exchange(other.slot_, boost::asio::cancellation_slot())),
          unpack_(std::move(other.unpack_))
    {
    }

    private_wait_handler& operator=(private_wait_handler&&) = delete;

    // Destroyed unrun (the executor shut down): the user's slot lets go of the private future.
    ~private_wait_handler() { clear_slot(); }

    const Handler& inner() const noexcept { return handler_; }

    template <class... Args>
    void operator()(Args&&... args)
    {
        clear_slot();
        Future fut = std::move(future_);
        Handler h(std::move(handler_));
        unpack_(std::move(h), std::move(fut), std::forward<Args>(args)...);
    }

private:
    void clear_slot() noexcept
    {
        if (slot_.is_connected())
        {
            slot_.clear();
            slot_ = boost::asio::cancellation_slot();
        }
    }

    Handler handler_;
    Future future_;
    boost::asio::cancellation_slot slot_;
    Unpack unpack_;
};

// Connects the user's slot (if any) to the private future `s`. The slot's handler allocates:
// on failure nothing was installed.
inline boost::asio::cancellation_slot connect_user_slot(
    boost::asio::cancellation_slot slot,
    state_base* s)
{
    if (!slot.is_connected())
        return {};
    s->add_ref();
    state_ref<state_base> ref = state_ref<state_base>::adopt(s);
    slot.template emplace<cancel_private_future>(std::move(ref));
    return slot;
}

} // namespace detail
} // namespace asio_future

#if !defined(BOOST_ASIO_FUTURE_DOXYGEN)
namespace asio
{

template <class Handler, class Future, class Unpack, class Executor>
struct associated_executor<
    asio_future::detail::private_wait_handler<Handler, Future, Unpack>,
    Executor>
{
    using type = associated_executor_t<Handler, Executor>;

    static type get(
        const asio_future::detail::private_wait_handler<Handler, Future, Unpack>& h,
        const Executor& ex = Executor()) noexcept
    {
        return associated_executor<Handler, Executor>::get(h.inner(), ex);
    }
};

template <class Handler, class Future, class Unpack, class Allocator>
struct associated_allocator<
    asio_future::detail::private_wait_handler<Handler, Future, Unpack>,
    Allocator>
{
    using type = associated_allocator_t<Handler, Allocator>;

    static type get(
        const asio_future::detail::private_wait_handler<Handler, Future, Unpack>& h,
        const Allocator& a = Allocator()) noexcept
    {
        return associated_allocator<Handler, Allocator>::get(h.inner(), a);
    }
};

} // namespace asio
#endif

} // namespace boost

#endif // BOOST_ASIO_FUTURE_DETAIL_COMBINATOR_HPP
