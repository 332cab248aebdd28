//
// Copyright (c) 2026 The asio_future Authors.
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_ASIO_FUTURE_DETAIL_TIMEOUT_OP_HPP
#define BOOST_ASIO_FUTURE_DETAIL_TIMEOUT_OP_HPP

#include <boost/asio_future/error.hpp>

#include <boost/asio_future/detail/config.hpp>
#include <boost/asio_future/detail/initiation_executor.hpp>
#include <boost/asio_future/detail/timeout_fsm.hpp>
#include <boost/asio_future/detail/wait_op.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/associated_allocator.hpp>
#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/core/empty_value.hpp>
#include <boost/system/system_error.hpp>

#include <chrono>
#include <exception>
#include <memory>
#include <type_traits>
#include <utility>

namespace boost
{
namespace asio_future
{
namespace detail
{

// True when `e` reports a cancellation: cancelled_error, or a system_error with
// operation_aborted (co_spawn's cancellation).
inline bool is_cancellation(const std::exception_ptr& e) noexcept
{
    if (!e)
        return false;
    try
    {
        std::rethrow_exception(e);
    }
    catch (const cancelled_error&)
    {
        return true;
    }
    catch (const boost::system::system_error& se)
    {
        return se.code() == boost::asio::error::operation_aborted;
    }
    catch (...)
    {
        return false;
    }
}

// A completion's disposition, translated when the deadline caused the cancellation.
template <class Arg>
decltype(auto) translate_timeout(Arg&& arg, bool timed_out)
{
    using arg_type = std::decay_t<Arg>;
    if constexpr (std::is_same_v<arg_type, boost::system::error_code>)
    {
        if (timed_out && (arg == boost::asio::error::operation_aborted ||
                          arg == make_error_code(error::cancelled)))
            return boost::system::error_code(make_error_code(error::timeout));
        return boost::system::error_code(arg);
    }
    else if constexpr (std::is_same_v<arg_type, std::exception_ptr>)
    {
        if (timed_out && is_cancellation(arg))
            return std::make_exception_ptr(timeout_error());
        return std::exception_ptr(std::forward<Arg>(arg));
    }
    else
        return std::forward<Arg>(arg);
}

template <class Handler>
class timeout_op;

// The handler the bounded operation receives: the user's handler's associators, but the
// timeout's cancellation slot.
template <class Handler>
class timeout_handler
{
public:
    using cancellation_slot_type = boost::asio::cancellation_slot;

    explicit timeout_handler(timeout_op<Handler>* op) noexcept : op_(op) {}
    timeout_handler(timeout_handler&& other) noexcept : op_(std::exchange(other.op_, nullptr)) {}
    timeout_handler& operator=(timeout_handler&&) = delete;

    // Destroyed unrun (the operation's context shut down): the timeout lets go.
    ~timeout_handler()
    {
        if (op_)
            op_->abandon();
    }

    cancellation_slot_type get_cancellation_slot() const noexcept { return op_->slot(); }

    const Handler& inner() const noexcept { return op_->inner(); }

    template <class... Args>
    void operator()(Args&&... args)
    {
        std::exchange(op_, nullptr)->complete(std::forward<Args>(args)...);
    }

private:
    timeout_op<Handler>* op_;
};

// One allocation (with the handler's allocator) holding the handler, the timer, the signal the
// operation sees, and the deadline's state machine (timeout_fsm), which counts the references
// of the operation, of the timer and of the initiating call. The allocator is kept beside the
// handler: the handler is moved out before the op is freed (a nested adapter's handler cannot
// give its allocator once moved from).
template <class Handler>
class timeout_op
    : private boost::empty_value<typename std::allocator_traits<decltype(wait_allocator(
          std::declval<const Handler&>()))>::template rebind_alloc<timeout_op<Handler>>>
{
    using alloc_type = typename std::allocator_traits<decltype(wait_allocator(
        std::declval<const Handler&>()))>::template rebind_alloc<timeout_op>;
    using alloc_base = boost::empty_value<alloc_type>;

public:
    using handler = timeout_handler<Handler>;

    static timeout_op* create(
        Handler&& h,
        const boost::asio::any_io_executor& timer_ex,
        std::chrono::steady_clock::time_point expiry,
        boost::asio::cancellation_type_t type)
    {
        alloc_type alloc(wait_allocator(h));
        timeout_op* p = std::allocator_traits<alloc_type>::allocate(alloc, 1);
        try
        {
            return ::new (static_cast<void*>(p))
                timeout_op(alloc, std::move(h), timer_ex, expiry, type);
        }
        catch (...)
        {
            std::allocator_traits<alloc_type>::deallocate(alloc, p, 1);
            throw;
        }
    }

    // Starts the timer (an I/O object of the executor the handler completes on) and forwards
    // the handler's own cancellation slot to the operation.
    // Both allocate: if the timer's wait cannot start, its handler lets go of the op at once;
    // if the slot cannot take the forwarder, the timer is running. The caller abandons the op
    // either way.
    void start_timer()
    {
        timer_.async_wait(timer_done(this));
        auto outer = boost::asio::get_associated_cancellation_slot(handler_);
        if (outer.is_connected())
        {
            outer.template emplace<forward_cancellation>(this);
            outer_ = outer;
        }
    }

    boost::asio::cancellation_slot slot() noexcept { return signal_.slot(); }
    const Handler& inner() const noexcept { return handler_; }

    // Held by the initiating function while it starts the timer and the operation: until it
    // lets go, the operation may not have registered with the slot yet, and an expiry is
    // parked. Letting go queues a parked expiry on the handler's executor.
    class initiation_scope
    {
    public:
        explicit initiation_scope(timeout_op* op) noexcept : op_(op) {}
        initiation_scope(const initiation_scope&) = delete;
        initiation_scope& operator=(const initiation_scope&) = delete;
        ~initiation_scope() { op_->end_initiation(); }

    private:
        timeout_op* op_;
    };

    // The operation never got, or dropped, its handler.
    void abandon() noexcept
    {
        clear_outer();
        act(fsm_.on_abandon());
    }

    template <class... Args>
    void complete(Args&&... args)
    {
        clear_outer();
        Handler h(std::move(handler_));
        const timeout_action a = fsm_.on_complete();
        act(a); // cancels the timer, frees the op: the op is not touched after this
        std::move(h)(
            translate_timeout(std::forward<Args>(args), has(a, timeout_action::translate))...);
    }

private:
    struct forward_cancellation
    {
        explicit forward_cancellation(timeout_op* op) noexcept : op(op) {}
        void operator()(boost::asio::cancellation_type_t type)
        {
            // The operation is being cancelled from outside: a deadline expiring now did not
            // cause the cancellation and must not add its own.
            if (has(op->fsm_.on_outer_cancellation(), timeout_action::forward_cancellation))
                op->signal_.emit(type);
        }
        timeout_op* op;
    };

    // The timer's reference, released when it goes unless dismissed: a deadline emitted is
    // reported done even if a cancellation handler throws (the op must not leak).
    class emitting
    {
    public:
        explicit emitting(timeout_op* op) noexcept : op_(op) {}
        emitting(const emitting&) = delete;
        emitting& operator=(const emitting&) = delete;
        ~emitting() { op_->act(op_->fsm_.on_emitted()); }

    private:
        timeout_op* op_;
    };

    class timer_done
    {
    public:
        explicit timer_done(timeout_op* op) noexcept : op_(op) {}
        timer_done(timer_done&& other) noexcept : op_(std::exchange(other.op_, nullptr)) {}
        timer_done& operator=(timer_done&&) = delete;
        ~timer_done()
        {
            if (op_)
                op_->act(op_->fsm_.on_timer(false));
        }

        void operator()(boost::system::error_code ec)
        {
            timeout_op* op = std::exchange(op_, nullptr);
            op->act(op->fsm_.on_timer(!ec));
        }

    private:
        timeout_op* op_;
    };

    // A parked expiry, queued when the initiation ends: owns the timer's reference.
    class expiry_retry
    {
    public:
        using allocator_type = alloc_type;

        explicit expiry_retry(timeout_op* op) noexcept : op_(op) {}
        expiry_retry(expiry_retry&& other) noexcept : op_(std::exchange(other.op_, nullptr)) {}
        expiry_retry& operator=(expiry_retry&&) = delete;
        ~expiry_retry()
        {
            if (op_)
                op_->act(op_->fsm_.on_expiry_retry(false));
        }

        allocator_type get_allocator() const noexcept { return op_->alloc(); }

        void operator()()
        {
            timeout_op* op = std::exchange(op_, nullptr);
            op->act(op->fsm_.on_expiry_retry(true));
        }

    private:
        timeout_op* op_;
    };

    // Does what the state machine asks (deliver and translate are complete's).
    void act(timeout_action a) noexcept(false)
    {
        if (has(a, timeout_action::queue_expiry))
        {
            // Queuing allocates. Without memory, the deadline could be neither delivered nor
            // reported (the operation is started): as for a resolution, the program ends.
            try
            {
                boost::asio::post(timer_.get_executor(), expiry_retry(this));
            }
            catch (...)
            {
                std::terminate();
            }
        }
        if (has(a, timeout_action::emit_deadline))
        {
            emitting scope(this);
            signal_.emit(type_);
        }
        if (has(a, timeout_action::cancel_timer))
            timer_.cancel();
        if (has(a, timeout_action::free))
            destroy();
    }

    // The initiating function lets go of its reference, and queues a parked expiry.
    void end_initiation() noexcept { act(fsm_.on_initiation_end()); }

    timeout_op(
        const alloc_type& alloc,
        Handler&& h,
        const boost::asio::any_io_executor& timer_ex,
        std::chrono::steady_clock::time_point expiry,
        boost::asio::cancellation_type_t type)
        : alloc_base(boost::empty_init_t(), alloc),
          handler_(std::move(h)),
          timer_(timer_ex, expiry),
          type_(type)
    {
    }

    const alloc_type& alloc() const noexcept { return alloc_base::get(); }

    void clear_outer() noexcept
    {
        if (outer_.is_connected())
            outer_.clear();
    }

    void destroy() noexcept
    {
        alloc_type alloc(this->alloc());
        this->~timeout_op();
        std::allocator_traits<alloc_type>::deallocate(alloc, this, 1);
    }

    Handler handler_;
    boost::asio::steady_timer timer_;
    boost::asio::cancellation_signal signal_;
    boost::asio::cancellation_slot outer_;
    boost::asio::cancellation_type_t type_;
    timeout_fsm fsm_;
};

// The timer runs where the operation does: its initiation's executor, else the handler's.
// The deadline's timer is an I/O object of the executor the handler completes on (the
// operation's, for a handler without one): the timer then completes there without a binder.

template <class Initiation, class Handler>
boost::asio::any_io_executor initiation_timer_executor(const Initiation& init, const Handler& h)
{
    using own = boost::asio::associated_executor_t<Handler, no_associated_executor>;
    if constexpr (std::is_same_v<own, no_associated_executor>)
        return initiation_executor(init, boost::asio::system_executor());
    else
        return boost::asio::get_associated_executor(h);
}

} // namespace detail
} // namespace asio_future

#if !defined(BOOST_ASIO_FUTURE_DOXYGEN)
namespace asio
{

// The timeout handler keeps the executor and allocator its user's handler is associated with.
template <class Handler, class Executor>
struct associated_executor<asio_future::detail::timeout_handler<Handler>, Executor>
{
    using type = associated_executor_t<Handler, Executor>;

    static type get(
        const asio_future::detail::timeout_handler<Handler>& h,
        const Executor& ex = Executor()) noexcept
    {
        return associated_executor<Handler, Executor>::get(h.inner(), ex);
    }
};

template <class Handler, class Allocator>
struct associated_allocator<asio_future::detail::timeout_handler<Handler>, Allocator>
{
    using type = associated_allocator_t<Handler, Allocator>;

    static type get(
        const asio_future::detail::timeout_handler<Handler>& h,
        const Allocator& a = Allocator()) noexcept
    {
        return associated_allocator<Handler, Allocator>::get(h.inner(), a);
    }
};

} // namespace asio
#endif

} // namespace boost

#endif // BOOST_ASIO_FUTURE_DETAIL_TIMEOUT_OP_HPP
