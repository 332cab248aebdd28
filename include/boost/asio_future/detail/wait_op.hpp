//
// Copyright (c) 2026 The asio_future Authors.
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_ASIO_FUTURE_DETAIL_WAIT_OP_HPP
#define BOOST_ASIO_FUTURE_DETAIL_WAIT_OP_HPP

#include <boost/asio_future/error.hpp>

#include <boost/asio_future/detail/config.hpp>
#include <boost/asio_future/detail/future_state.hpp>
#include <boost/asio_future/detail/initiation_executor.hpp>
#include <boost/asio_future/detail/outcome.hpp>
#include <boost/asio_future/detail/state_ref.hpp>

#include <boost/asio/associated_allocator.hpp>
#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/associated_executor.hpp>
#if defined(BOOST_ASIO_FUTURE_HAS_IMMEDIATE_EXECUTOR)
#include <boost/asio/associated_immediate_executor.hpp>
#endif
#include <boost/asio/cancellation_type.hpp>
#include <boost/asio/defer.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/execution/blocking.hpp>
#include <boost/asio/execution/executor.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/asio/recycling_allocator.hpp>
#include <boost/asio/require.hpp>
#include <boost/asio/system_executor.hpp>

#include <exception>
#include <memory>
#include <optional>
#include <type_traits>
#include <utility>

namespace boost
{
namespace asio_future
{
namespace detail
{

#if defined(BOOST_ASIO_FUTURE_HAS_IMMEDIATE_EXECUTOR)
// True when `Handler` has an immediate executor of its own (Asio marks the unspecialised
// associator, whose default is the I/O executor with blocking.never, a post).
template <class Handler, class Executor, class = void>
inline constexpr bool has_immediate_executor_v = true;

template <class Handler, class Executor>
inline constexpr bool has_immediate_executor_v<
    Handler,
    Executor,
    std::void_t<typename boost::asio::associated_immediate_executor<Handler, Executor>::
                    asio_associated_immediate_executor_is_unspecialised>> = false;
#endif

// The executor a wait completes on: the handler's associated executor, `fallback` (the
// future's executor) when it has none, and also when its own cannot post (Asio 1.37 made
// inline_executor the default association, which Asio's ranged parallel_group then binds to
// the handlers it passes): a completion is never run inline.
template <class Handler, class Fallback>
auto completion_executor(const Handler& h, const Fallback& fallback)
{
    auto ex = boost::asio::get_associated_executor(h, fallback);
    using ex_type = decltype(ex);
    if constexpr (
        boost::asio::execution::is_executor<ex_type>::value &&
        !boost::asio::can_require<ex_type, boost::asio::execution::blocking_t::never_t>::value)
        return fallback;
    else
        return ex;
}

// The allocator a wait uses for its own storage: the handler's associated allocator, with
// std::allocator replaced by Asio's per-thread recycling allocator (as Asio's own operations do).
template <class Handler>
auto wait_allocator(const Handler& h) noexcept
{
    auto a = boost::asio::get_associated_allocator(h);
    if constexpr (std::is_same_v<decltype(a), std::allocator<void>>)
        return boost::asio::recycling_allocator<void>();
    else
        return a;
}

// The placeholder passed beside an exception (see completion_value_t). An I/O object is built
// from the executor the handler completes on: its own when it has one (always alive there,
// even once the future's context is gone and the future let go of its executor), else the
// future's, whose context is then the one running the handler.
template <class V, class Executor, class Handler>
V make_placeholder(const Handler& h, const Executor* future_executor)
{
    using own = boost::asio::associated_executor_t<Handler, no_associated_executor>;
    if constexpr (std::is_default_constructible_v<V>)
        return V();
    else if constexpr (std::is_same_v<own, no_associated_executor>)
    {
        if (!future_executor)
            throw invalid_state_error(
                "asio_future: no executor to build the placeholder I/O object from");
        return V(*future_executor);
    }
    else
    {
        own ex = boost::asio::get_associated_executor(h);
        if constexpr (std::is_constructible_v<V, const own&>)
            return V(ex);
        else if constexpr (std::is_constructible_v<Executor, const own&>)
            return V(Executor(ex));
        else
        {
            if (!future_executor)
                throw invalid_state_error(
                    "asio_future: no executor to build the placeholder I/O object from");
            return V(*future_executor);
        }
    }
}

// The future's executor while it has one (the context has not shut down), else null.
template <class State>
const typename State::executor_type* live_executor(const State& st) noexcept
{
    return st.orphaned() ? nullptr : &st.executor();
}

// Invokes `h` with the outcome of `*st` (or cancelled_error for a detached waiter). The state
// reference is dropped before the upcall: the handler receives its own copy of the value.
template <bool Take, class T, class Executor, class Handler>
void deliver(state_ref<future_state<T, Executor>> st, Handler& h, bool detached)
{
    std::exception_ptr e;
    if constexpr (std::is_void_v<T>)
    {
        e = detached ? std::make_exception_ptr(cancelled_error()) : st->retrieve_error();
        st.reset();
        std::move(h)(std::move(e));
    }
    else
    {
        using value_type = completion_value_t<T, Executor>;
        std::optional<value_type> v;
        if (detached)
            e = std::make_exception_ptr(cancelled_error());
        else
            e = st->template extract<Take>(v);
        if (!v)
            v.emplace(make_placeholder<value_type, Executor>(h, live_executor(*st)));
        st.reset();
        std::move(h)(std::move(e), std::move(*v));
    }
}

// A wait on a future that is already done: no node, just the posted completion.
template <bool Take, class T, class Executor, class Handler>
class ready_completion
{
public:
    using allocator_type = boost::asio::associated_allocator_t<Handler>;

    ready_completion(state_ref<future_state<T, Executor>> st, Handler&& h)
        : state_(std::move(st)), handler_(std::move(h))
    {
    }

    ready_completion(ready_completion&&) = default;

    allocator_type get_allocator() const noexcept
    {
        return boost::asio::get_associated_allocator(handler_);
    }

    void operator()() { deliver<Take>(std::move(state_), handler_, false); }

    const Handler& handler() const noexcept { return handler_; }

private:
    state_ref<future_state<T, Executor>> state_;
    Handler handler_;
};

// A completion whose arguments are known when the wait starts: a copying wait on a done future
// (the outcome is immutable, so the queued completion needs no reference to the state), or a
// wait on an empty handle. `Value` is the value argument, void for a void future.
template <class Value, class Handler>
class ready_copy_completion
{
public:
    using allocator_type = boost::asio::associated_allocator_t<Handler>;

    ready_copy_completion(Handler&& h, std::exception_ptr e, std::optional<Value>&& v)
        : handler_(std::move(h)), error_(std::move(e)), value_(std::move(v))
    {
    }

    ready_copy_completion(ready_copy_completion&&) = default;

    allocator_type get_allocator() const noexcept
    {
        return boost::asio::get_associated_allocator(handler_);
    }

    void operator()() { std::move(handler_)(std::move(error_), std::move(*value_)); }

    const Handler& handler() const noexcept { return handler_; }

private:
    Handler handler_;
    std::exception_ptr error_;
    std::optional<Value> value_;
};

template <class Handler>
class ready_copy_completion<void, Handler>
{
public:
    using allocator_type = boost::asio::associated_allocator_t<Handler>;

    ready_copy_completion(Handler&& h, std::exception_ptr e) noexcept
        : handler_(std::move(h)), error_(std::move(e))
    {
    }

    ready_copy_completion(ready_copy_completion&&) = default;

    allocator_type get_allocator() const noexcept
    {
        return boost::asio::get_associated_allocator(handler_);
    }

    void operator()() { std::move(handler_)(std::move(error_)); }

    const Handler& handler() const noexcept { return handler_; }

private:
    Handler handler_;
    std::exception_ptr error_;
};

// A wait started on an empty (default-constructed or moved-from) handle, typically by
// `co_await std::move(f)` after Asio suspended the coroutine: the handler receives
// invalid_state_error through a post to its associated executor (asio::system_executor when it
// has none) rather than an exception out of the initiation, which would end the program.
template <class T, class Executor, class Handler>
void complete_empty(Handler&& h)
{
    auto ex = completion_executor(h, boost::asio::system_executor());
    std::exception_ptr e = std::make_exception_ptr(invalid_state_error(
        "asio_future: wait on an empty future (default-constructed or moved-from)"));
    if constexpr (std::is_void_v<T>)
        boost::asio::post(ex, ready_copy_completion<void, Handler>(std::move(h), std::move(e)));
    else
    {
        using value_type = completion_value_t<T, Executor>;
        std::optional<value_type> v;
        if constexpr (std::is_default_constructible_v<value_type>)
            v.emplace();
        else if constexpr (std::is_constructible_v<value_type, const decltype(ex)&>)
            v.emplace(ex);
        else if constexpr (std::is_constructible_v<Executor, const decltype(ex)&>)
            v.emplace(Executor(ex));
        else
            std::rethrow_exception(e); // no executor to build the placeholder I/O object from
        boost::asio::post(
            ex,
            ready_copy_completion<value_type, Handler>(std::move(h), std::move(e), std::move(v)));
    }
}

// A pending wait: a node in the future's list holding the handler, outstanding work on the
// handler's executor, a reference to the state, and the cancellation slot it registered with.
// A shielded wait (af::shield) treats every cancellation type as total: it only detaches.
template <bool Take, class T, class Executor, class Handler, bool Shielded = false>
class wait_op final : public list_node
{
public:
    using state_type = future_state<T, Executor>;
    using handler_executor = decltype(completion_executor(
        std::declval<const Handler&>(),
        std::declval<const Executor&>()));
    using work_executor = std::decay_t<decltype(boost::asio::prefer(
        std::declval<const handler_executor&>(),
        boost::asio::execution::outstanding_work.tracked))>;
    using allocator_type = typename std::allocator_traits<decltype(wait_allocator(
        std::declval<const Handler&>()))>::template rebind_alloc<wait_op>;

    // Starts a wait on `st` (the initiation of async_wait / async_take).
    static void start(state_type& st, Handler&& h)
    {
        if (st.is_done())
            return post_ready(st, std::move(h));
        // A future born after its context shut down: a handler that would complete there is
        // destroyed, per Asio's rule.
        if (st.orphaned() && completes_on_dead_context(h, st))
            return;

        wait_op* op = create(st, std::move(h));
        auto slot = boost::asio::get_associated_cancellation_slot(op->handler_);
        // The slot is set up before the node is visible: from then on a completion may run.
        if (slot.is_connected())
        {
            // emplace allocates: on failure the op (with its outstanding work and state
            // reference) is freed before the exception reaches the caller.
            try
            {
                slot.template emplace<cancel_handler>(&st, op);
            }
            catch (...)
            {
                op->destroy_unrun();
                throw;
            }
            op->slot_ = slot;
        }
        if (!st.push(op))
            op->run(node_action::complete);
    }

private:
    // Runs in the slot's emit(): terminal and partial cancel the future itself (every waiter then
    // sees cancelled_error), total detaches only this waiter. Never completes inline.
    struct cancel_handler
    {
        cancel_handler(state_base* s, list_node* n) noexcept : state(s), node(n) {}

        state_base* state;
        list_node* node;
        // Set once this wait has left the future: its completion is queued, and a later emit
        // on the slot (before that completion clears it) must not cancel the future under the
        // other waiters.
        bool detached = false;

        void operator()(boost::asio::cancellation_type_t type)
        {
            using ct = boost::asio::cancellation_type;
            if (detached)
                return;
            if (!Shielded && (type & (ct::terminal | ct::partial)) != ct::none)
                state->cancel({});
            else if (type != ct::none && state->remove(node))
            {
                detached = true;
                node->run(node_action::detach);
            }
        }
    };

    // The completion queued on the handler's executor; owns the op until it runs.
    class completion
    {
    public:
        using allocator_type = boost::asio::associated_allocator_t<Handler>;

        completion(wait_op* op, bool detached) noexcept : op_(op), detached_(detached) {}
        completion(completion&& other) noexcept
            : op_(std::exchange(other.op_, nullptr)), detached_(other.detached_)
        {
        }
        completion& operator=(completion&&) = delete;

        // Destroyed unrun (the executor shut down): the handler is destroyed, not invoked.
        ~completion()
        {
            if (op_)
                op_->destroy_unrun();
        }

        allocator_type get_allocator() const noexcept
        {
            return boost::asio::get_associated_allocator(op_->handler_);
        }

        void operator()() { std::exchange(op_, nullptr)->finish(detached_); }

    private:
        wait_op* op_;
        bool detached_;
    };

    wait_op(state_type& st, Handler&& h)
        : list_node(&wait_op::act),
          handler_(std::move(h)),
          work_(boost::asio::prefer(
              completion_executor(handler_, st.executor()),
              boost::asio::execution::outstanding_work.tracked)),
          state_(state_ref<state_type>::share(&st))
    {
    }

    static wait_op* create(state_type& st, Handler&& h)
    {
        allocator_type alloc(wait_allocator(h));
        wait_op* p = std::allocator_traits<allocator_type>::allocate(alloc, 1);
        try
        {
            return ::new (static_cast<void*>(p)) wait_op(st, std::move(h));
        }
        catch (...)
        {
            std::allocator_traits<allocator_type>::deallocate(alloc, p, 1);
            throw;
        }
    }

    static void post_ready(state_type& st, Handler&& h)
    {
        if (st.orphaned() && completes_on_dead_context(h, st))
            return; // the context is gone: the handler is destroyed, per Asio's rule
        // The future's executor is read only for a handler without one of its own, and then the
        // future is not orphaned.
        auto ex = completion_executor(h, st.executor());
        // A continuation of the waiting code: on the context's own thread it is queued without
        // a lock, like the completion of a pending wait.
        if constexpr (!Take && !std::is_void_v<T>)
        {
            using value_type = completion_value_t<T, Executor>;
            std::optional<value_type> v;
            std::exception_ptr e = st.template extract<false>(v);
            if (!v)
                v.emplace(make_placeholder<value_type, Executor>(h, live_executor(st)));
            complete_ready(
                st,
                ex,
                ready_copy_completion<value_type, Handler>(
                    std::move(h),
                    std::move(e),
                    std::move(v)));
        }
        else
            complete_ready(
                st,
                ex,
                ready_completion<Take, T, Executor, Handler>(
                    state_ref<state_type>::share(&st),
                    std::move(h)));
    }

    // A handler with an associated immediate executor (asio::bind_immediate_executor, Asio
    // 1.27+) completes through it, as Asio's own operations that complete at once do; any
    // other is deferred to its executor.
    template <class Ex, class Completion>
    static void complete_ready(const state_type& st, const Ex& ex, Completion&& c)
    {
#if defined(BOOST_ASIO_FUTURE_HAS_IMMEDIATE_EXECUTOR)
        if constexpr (has_immediate_executor_v<Handler, Executor>)
            return boost::asio::dispatch(
                boost::asio::get_associated_immediate_executor(c.handler(), st.executor()),
                std::forward<Completion>(c));
#endif
        (void)st;
        boost::asio::defer(ex, std::forward<Completion>(c));
    }

    // For an orphaned future, whose executor is gone: true when the handler would complete on
    // the future's context (its own executor is there, or it has none and would use the
    // future's). One bound to another context still completes there. Contexts are compared by
    // address: a context made later at the dead one's address is taken for it.
    static bool completes_on_dead_context(const Handler& h, const state_type& st) noexcept
    {
        using own = boost::asio::associated_executor_t<Handler, no_associated_executor>;
        if constexpr (
            std::is_same_v<own, no_associated_executor> ||
            !std::is_same_v<decltype(completion_executor(h, std::declval<const Executor&>())), own>)
            return true; // none of its own, or one that cannot post: the future's would be used
        else
            return context_address(
                       boost::asio::associated_executor<Handler, no_associated_executor>::get(
                           h,
                           no_associated_executor())) == st.context();
    }

    // Not noexcept: a dispatch may run the handler inline, and its exception goes to the caller.
    static void act(list_node* n, node_action a)
    {
        wait_op* op = static_cast<wait_op*>(n);
        if (a == node_action::destroy)
            return op->destroy_unrun();
        // Never inline (but for a dispatch, see state_base::publish): the handler runs from its
        // executor's queue. A failure to queue it (allocation) cannot be reported to anyone and
        // ends the program.
        if (a == node_action::dispatch)
            boost::asio::dispatch(op->work_, completion(op, false));
        else
            boost::asio::defer(op->work_, completion(op, a == node_action::detach));
    }

    void finish(bool detached)
    {
        if (slot_.is_connected())
            slot_.clear();
        // Memory is freed before the upcall, so the handler may start another wait in it.
        allocator_type alloc(wait_allocator(handler_));
        Handler h(std::move(handler_));
        state_ref<state_type> st = std::move(state_);
        free_self(alloc);
        deliver<Take>(std::move(st), h, detached);
    }

    void destroy_unrun() noexcept
    {
        if (slot_.is_connected())
            slot_.clear();
        free_self(allocator_type(wait_allocator(handler_)));
    }

    void free_self(allocator_type alloc) noexcept
    {
        this->~wait_op();
        std::allocator_traits<allocator_type>::deallocate(alloc, this, 1);
    }

    Handler handler_;
    work_executor work_;
    state_ref<state_type> state_;
    boost::asio::cancellation_slot slot_;
};

} // namespace detail
} // namespace asio_future
} // namespace boost

#endif // BOOST_ASIO_FUTURE_DETAIL_WAIT_OP_HPP
