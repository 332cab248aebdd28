//
// Copyright (c) 2026 The asio_future Authors.
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_ASIO_FUTURE_DETAIL_TO_THREAD_OP_HPP
#define BOOST_ASIO_FUTURE_DETAIL_TO_THREAD_OP_HPP

#include <boost/asio_future/error.hpp>

#include <boost/asio_future/detail/config.hpp>
#include <boost/asio_future/detail/outcome.hpp>
#include <boost/asio_future/detail/wait_op.hpp>

#include <boost/asio/associated_allocator.hpp>
#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/cancellation_type.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>

#include <atomic>
#include <cstdint>
#include <exception>
#include <functional>
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

// The result type of to_thread(ex, fn): fn() called once as an rvalue, decayed (a reference
// result is delivered as a copy). `invocable` is false for a callable that needs arguments.
template <class F, class = void>
struct to_thread_result
{
    static constexpr bool invocable = false;
    using type = void;
};

template <class F>
struct to_thread_result<F, std::enable_if_t<std::is_invocable_v<std::decay_t<F>>>>
{
    static constexpr bool invocable = true;
    using type = std::decay_t<std::invoke_result_t<std::decay_t<F>>>;
};

template <class F, class Executor>
using to_thread_signature_t =
    typename wait_signature<typename to_thread_result<F>::type, Executor>::type;

// The signature as `typename decltype(to_thread_signature_of(type_tag<F>(),
// type_tag<Executor>()))::type`: a form without a bare comma, for the
// BOOST_ASIO_COMPLETION_TOKEN_FOR macro.
template <class T>
struct type_tag
{
};

template <class F, class Executor>
struct to_thread_signature
{
    using type = to_thread_signature_t<F, Executor>;
};

template <class F, class Executor>
to_thread_signature<F, Executor> to_thread_signature_of(type_tag<F>, type_tag<Executor>);

// Builds the value passed beside an exception (placeholder_value): from nothing for a
// default-constructible value, which then needs no copy of the executor, or from the executor.
template <class V, class Executor, bool = std::is_default_constructible_v<V>>
struct placeholder_maker
{
    explicit placeholder_maker(const Executor&) noexcept {}
    V make() const { return V(); }
};

template <class V, class Executor>
struct placeholder_maker<V, Executor, false>
{
    explicit placeholder_maker(const Executor& e) : ex(e) {}
    V make() const { return V(ex); }
    Executor ex;
};

// The outcome of fn(): what the handler receives, in the form of a wait's completion
// (completion_value_t: R itself, or std::optional<R> for an R without a placeholder).
template <class R, class Executor>
struct thread_outcome
{
    using value_type = completion_value_t<R, Executor>;
    using maker_type = placeholder_maker<value_type, Executor>;

    explicit thread_outcome(const maker_type& m) : maker(m) {}

    std::exception_ptr error;
    std::optional<value_type> value;
    maker_type maker;

    template <class F>
    void run(F& fn) noexcept
    {
        try
        {
            value.emplace(std::invoke(std::move(fn)));
        }
        catch (...)
        {
            value.reset();
            error = std::current_exception();
        }
    }

    void fail(std::exception_ptr e) noexcept
    {
        error = std::move(e);
        value.reset();
    }

    template <class Handler>
    void deliver(Handler& h)
    {
        if (!value)
            value.emplace(maker.make());
        std::move(h)(std::move(error), std::move(*value));
    }
};

template <class Executor>
struct thread_outcome<void, Executor>
{
    struct maker_type
    {
        explicit maker_type(const Executor&) noexcept {}
    };

    explicit thread_outcome(const maker_type&) noexcept {}

    std::exception_ptr error;

    template <class F>
    void run(F& fn) noexcept
    {
        try
        {
            std::invoke(std::move(fn));
        }
        catch (...)
        {
            error = std::current_exception();
        }
    }

    void fail(std::exception_ptr e) noexcept { error = std::move(e); }

    template <class Handler>
    void deliver(Handler& h)
    {
        std::move(h)(std::move(error));
    }
};

template <class Handler, class Executor>
using tracked_executor_t = std::decay_t<decltype(boost::asio::prefer(
    std::declval<const boost::asio::associated_executor_t<Handler, Executor>&>(),
    boost::asio::execution::outstanding_work.tracked))>;

// The completion of a to_thread without a cancellation slot: the handler and the outcome,
// queued on the handler's executor by the job.
template <class Handler, class R, class Executor>
class thread_completion
{
public:
    using allocator_type = boost::asio::associated_allocator_t<Handler>;

    thread_completion(Handler&& h, thread_outcome<R, Executor>&& out)
        : handler_(std::move(h)), outcome_(std::move(out))
    {
    }

    thread_completion(thread_completion&&) = default;

    allocator_type get_allocator() const noexcept
    {
        return boost::asio::get_associated_allocator(handler_);
    }

    void operator()() { outcome_.deliver(handler_); }

private:
    Handler handler_;
    thread_outcome<R, Executor> outcome_;
};

// A to_thread whose handler has no cancellation slot: the job posted to `ex` carries
// everything by value, like a hand-written post(pool) + post(back). Destroyed unrun (the pool
// was stopped or destroyed first), fn never runs and the handler is destroyed uninvoked.
template <class Handler, class F, class R, class Executor>
class thread_job
{
public:
    using allocator_type = boost::asio::associated_allocator_t<Handler>;

    thread_job(Handler&& h, F&& fn, const Executor& ex)
        : handler_(std::move(h)),
          work_(boost::asio::prefer(
              boost::asio::get_associated_executor(handler_, ex),
              boost::asio::execution::outstanding_work.tracked)),
          fn_(std::move(fn)),
          maker_(ex)
    {
    }

    thread_job(thread_job&&) = default;

    allocator_type get_allocator() const noexcept
    {
        return boost::asio::get_associated_allocator(handler_);
    }

    void operator()()
    {
        thread_outcome<R, Executor> out(maker_);
        out.run(fn_);
        boost::asio::post(
            work_,
            thread_completion<Handler, R, Executor>(std::move(handler_), std::move(out)));
    }

private:
    using maker_type = typename thread_outcome<R, Executor>::maker_type;

    Handler handler_;
    tracked_executor_t<Handler, Executor> work_;
    F fn_;
    maker_type maker_; // empty unless the error path builds its value from ex
};

// A to_thread whose handler has a cancellation slot: the job on `ex` and the completion on the
// handler's executor share this state, and exactly one completion is queued, by whoever moves
// the phase out of queued/running first: the job when fn() returns, or the slot's handler.
template <class Handler, class F, class R, class Executor>
class cancellable_thread_op
{
    using allocator_type = typename std::allocator_traits<decltype(wait_allocator(
        std::declval<const Handler&>()))>::template rebind_alloc<cancellable_thread_op>;

    using maker_type = typename thread_outcome<R, Executor>::maker_type;

    enum phase : std::uint8_t
    {
        initiating, // the job is being posted
        queued,     // the job waits on ex
        running,    // fn() runs
        finished,   // fn() returned: the completion with its outcome is queued
        cancelled,  // the slot's handler won: the completion with cancelled_error is queued
        abandoned   // the job was destroyed unrun: the handler is destroyed uninvoked
    };

public:
    // The initiation. Throws (with nothing queued and the handler destroyed) if the state, the
    // slot's handler or the job cannot be allocated.
    static void start(Handler&& h, F&& fn, const Executor& ex)
    {
        allocator_type alloc(wait_allocator(h));
        cancellable_thread_op* op = std::allocator_traits<allocator_type>::allocate(alloc, 1);
        try
        {
            ::new (static_cast<void*>(op)) cancellable_thread_op(std::move(h), std::move(fn), ex);
        }
        catch (...)
        {
            std::allocator_traits<allocator_type>::deallocate(alloc, op, 1);
            throw;
        }
        auto slot = boost::asio::get_associated_cancellation_slot(*op->handler_);
        bool job_made = false;
        try
        {
            slot.template emplace<cancel_handler>(op);
            op->slot_ = slot;
            job_made = true;
            boost::asio::post(ex, job(op));
        }
        catch (...)
        {
            // The job, if it was made, released its reference without running.
            if (!job_made)
                op->refs_.fetch_sub(1, std::memory_order_relaxed);
            op->phase_.store(abandoned, std::memory_order_relaxed);
            op->drop_handler();
            op->release(); // the initiation's
            throw;
        }
        // The job may have run and completed by now: the initiation's reference keeps the
        // state alive for this last step.
        std::uint8_t p = initiating;
        op->phase_.compare_exchange_strong(p, queued, std::memory_order_acq_rel);
        op->release();
    }

private:
    cancellable_thread_op(Handler&& h, F&& fn, const Executor& ex)
        : handler_(std::in_place, std::move(h)),
          work_(boost::asio::prefer(
              boost::asio::get_associated_executor(*handler_, ex),
              boost::asio::execution::outstanding_work.tracked)),
          fn_(std::in_place, std::move(fn)),
          ex_(ex),
          alloc_(wait_allocator(*handler_))
    {
    }

    // Runs in the slot's emit(), on the emitting thread: queues the completion, never inline.
    // terminal and partial end the wait whether or not fn() started (its result is then
    // discarded); total only before it started (fn's effects cannot be undone).
    struct cancel_handler
    {
        explicit cancel_handler(cancellable_thread_op* o) noexcept : op(o) {}
        cancellable_thread_op* op;

        void operator()(boost::asio::cancellation_type_t type)
        {
            using ct = boost::asio::cancellation_type;
            if ((type & (ct::terminal | ct::partial)) != ct::none)
            {
                if (op->transition(initiating, cancelled) || op->transition(queued, cancelled) ||
                    op->transition(running, cancelled))
                    op->post_completion();
            }
            else if ((type & ct::total) != ct::none)
            {
                if (op->transition(initiating, cancelled) || op->transition(queued, cancelled))
                    op->post_completion();
            }
        }
    };

    // What runs on `ex`.
    class job
    {
    public:
        using allocator_type = boost::asio::associated_allocator_t<Handler>;

        explicit job(cancellable_thread_op* op) noexcept
            : op_(op), alloc_(boost::asio::get_associated_allocator(*op->handler_))
        {
        }
        job(job&& other) noexcept : op_(std::exchange(other.op_, nullptr)), alloc_(other.alloc_) {}
        job& operator=(job&&) = delete;

        ~job()
        {
            if (op_)
                op_->job_destroyed_unrun();
        }

        allocator_type get_allocator() const noexcept { return alloc_; }

        void operator()() { std::exchange(op_, nullptr)->run_job(); }

    private:
        cancellable_thread_op* op_;
        allocator_type alloc_; // the handler may be gone (cancelled) when the job runs
    };

    // Queued on the handler's executor; owns the completion side's reference.
    class completion
    {
    public:
        using allocator_type = boost::asio::associated_allocator_t<Handler>;

        explicit completion(cancellable_thread_op* op) noexcept : op_(op) {}
        completion(completion&& other) noexcept : op_(std::exchange(other.op_, nullptr)) {}
        completion& operator=(completion&&) = delete;

        // Destroyed unrun (the handler's context shut down): the handler is destroyed.
        ~completion()
        {
            if (op_)
                op_->drop_handler();
        }

        allocator_type get_allocator() const noexcept
        {
            return boost::asio::get_associated_allocator(*op_->handler_);
        }

        void operator()() { std::exchange(op_, nullptr)->finish(); }

    private:
        cancellable_thread_op* op_;
    };

    bool transition(std::uint8_t from, std::uint8_t to) noexcept
    {
        return phase_.compare_exchange_strong(from, to, std::memory_order_acq_rel);
    }

    void run_job()
    {
        if (!transition(queued, running) && !transition(initiating, running))
        {
            // Cancelled before it started: fn never runs.
            fn_.reset();
            return release();
        }
        thread_outcome<R, Executor> out{maker_type(ex_)};
        out.run(*fn_);
        fn_.reset();
        if (transition(running, finished))
        {
            outcome_.emplace(std::move(out));
            post_completion();
        }
        // else: cancelled while fn() ran; its result is discarded here.
        release();
    }

    void job_destroyed_unrun() noexcept
    {
        fn_.reset();
        if (transition(queued, abandoned))
        {
            // Dropped on the handler's executor, where its slot may be emitted; if that fails,
            // the drop object's destructor drops the handler here.
            try
            {
                boost::asio::post(*work_, completion(this));
            }
            catch (...)
            {
            }
        }
        release();
    }

    void post_completion() { boost::asio::post(*work_, completion(this)); }

    // The completion side: runs on the handler's executor.
    void finish()
    {
        if (slot_.is_connected())
            slot_.clear();
        if (phase_.load(std::memory_order_acquire) == abandoned)
            return drop_handler();
        std::optional<thread_outcome<R, Executor>> out(std::move(outcome_));
        outcome_.reset();
        if (!out)
            out.emplace(maker_type(ex_)).fail(std::make_exception_ptr(cancelled_error()));
        Handler h(std::move(*handler_));
        handler_.reset();
        work_.reset(); // the wait is over: the job may still hold this state, not the work
        release();
        out->deliver(h);
    }

    void drop_handler() noexcept
    {
        if (slot_.is_connected())
            slot_.clear();
        handler_.reset();
        work_.reset();
        release();
    }

    void release() noexcept
    {
        if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1)
        {
            allocator_type alloc(alloc_);
            this->~cancellable_thread_op();
            std::allocator_traits<allocator_type>::deallocate(alloc, this, 1);
        }
    }

    std::optional<Handler> handler_;
    std::optional<tracked_executor_t<Handler, Executor>> work_;
    std::optional<F> fn_;
    Executor ex_;
    std::optional<thread_outcome<R, Executor>> outcome_;
    boost::asio::cancellation_slot slot_;
    allocator_type alloc_;
    std::atomic<std::uint8_t> phase_{initiating};
    std::atomic<int> refs_{3}; // the job's, the completion side's and the initiation's
};

} // namespace detail
} // namespace asio_future
} // namespace boost

#endif // BOOST_ASIO_FUTURE_DETAIL_TO_THREAD_OP_HPP
