//
// Copyright (c) 2026 The asio_future Authors.
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// Archetypal asynchronous operations, one initiating function per completion signature shape,
// for testing completion tokens. Every operation is started with asio::async_initiate; unless
// stated otherwise its initiation has get_executor() and the operation completes by posting
// the handler to its associated executor (never inside the initiating call).
//
//   async_op_0(ex, token)                   void()
//   async_op_ec_0(ex, ok, token)            void(error_code)            failure: invalid_argument
//   async_op_ex_0(ex, ok, token)            void(exception_ptr)         failure: runtime_error
//   async_op_1(ex, token)                   void(int)                   42
//   async_op_ec_1(ex, ok, token)            void(error_code, int)       42
//   async_op_ex_1(ex, ok, token)            void(exception_ptr, int)    42
//   async_op_2(ex, token)                   void(int, double)           42, 2.5
//   async_op_ec_2(ex, ok, token)            void(error_code, int, double)
//   async_op_ex_2(ex, ok, token)            void(exception_ptr, int, double)
//   async_op_ec_0_with(ex, ec, token)       void(error_code) completing with `ec`
//   async_op_1_no_executor(ex, token)       void(int); the initiation has NO get_executor()
//   async_op_cancellable(ex, d, probe, token)
//                                           void(error_code, int): waits `d` on an internal
//                                           steady_timer bound to the handler's cancellation
//                                           slot; operation_aborted when cancelled
//   async_op_hang(ex, token)                void(int): never completes; the handler is kept by a
//                                           service of the context and destroyed, unrun, when
//                                           the context shuts down (it holds no work)
//   async_op_drop(ex, token)                void(int): destroys its handler without invoking it
//   async_op_stash(ex, slot, token)         void(int): stores the handler in `slot`
//                                           (any_completion_handler) for the test to invoke

#ifndef BOOST_ASIO_FUTURE_TEST_ARCHETYPES_ASYNC_OPS_HPP
#define BOOST_ASIO_FUTURE_TEST_ARCHETYPES_ASYNC_OPS_HPP

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/append.hpp>
#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/cancellation_type.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/execution/context.hpp>
#include <boost/asio/execution_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/query.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/system/error_code.hpp>

#include <chrono>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <type_traits>
#include <utility>
#include <vector>

namespace archetypes
{

namespace asio = boost::asio;

/// The values the archetypes complete with.
inline constexpr int int_value = 42;
inline constexpr double double_value = 2.5;

/// The error code of a failing error_code archetype.
inline boost::system::error_code failure_code()
{
    return asio::error::invalid_argument;
}

/// The message of the exception of a failing exception_ptr archetype.
inline constexpr const char* failure_message = "archetype failure";

inline std::exception_ptr failure_exception()
{
    return std::make_exception_ptr(std::runtime_error(failure_message));
}

// ---------------------------------------------------------------------------------------------
// Posting completions
// ---------------------------------------------------------------------------------------------

// Completes `handler` with `args` through a post to the handler's associated executor (falling
// back to `ex`). asio::append keeps the handler's associated allocator and executor.
template <class Executor, class Handler, class... Args>
void post_completion(const Executor& ex, Handler&& handler, Args&&... args)
{
    auto handler_ex = asio::get_associated_executor(handler, ex);
    asio::post(
        handler_ex,
        asio::append(std::forward<Handler>(handler), std::forward<Args>(args)...));
}

// An initiation with an executor. `Complete` receives (executor, handler, args...).
template <class Executor, class Complete>
class initiate_with_executor
{
public:
    using executor_type = Executor;

    explicit initiate_with_executor(const Executor& ex) : ex_(ex) {}

    executor_type get_executor() const noexcept { return ex_; }

    template <class Handler, class... Args>
    void operator()(Handler&& handler, Args&&... args) const
    {
        Complete()(ex_, std::forward<Handler>(handler), std::forward<Args>(args)...);
    }

private:
    Executor ex_;
};

// --- the completion functions of the signature shapes -----------------------------------------

struct complete_0
{
    template <class Ex, class H>
    void operator()(const Ex& ex, H&& h) const
    {
        post_completion(ex, std::forward<H>(h));
    }
};

struct complete_ec_0
{
    template <class Ex, class H>
    void operator()(const Ex& ex, H&& h, bool ok) const
    {
        post_completion(ex, std::forward<H>(h), ok ? boost::system::error_code() : failure_code());
    }
};

struct complete_ec_0_with
{
    template <class Ex, class H>
    void operator()(const Ex& ex, H&& h, boost::system::error_code ec) const
    {
        post_completion(ex, std::forward<H>(h), ec);
    }
};

struct complete_ex_0
{
    template <class Ex, class H>
    void operator()(const Ex& ex, H&& h, bool ok) const
    {
        post_completion(ex, std::forward<H>(h), ok ? std::exception_ptr() : failure_exception());
    }
};

struct complete_1
{
    template <class Ex, class H>
    void operator()(const Ex& ex, H&& h) const
    {
        post_completion(ex, std::forward<H>(h), int_value);
    }
};

struct complete_ec_1
{
    template <class Ex, class H>
    void operator()(const Ex& ex, H&& h, bool ok) const
    {
        if (ok)
            post_completion(ex, std::forward<H>(h), boost::system::error_code(), int_value);
        else
            post_completion(ex, std::forward<H>(h), failure_code(), 0);
    }
};

struct complete_ex_1
{
    template <class Ex, class H>
    void operator()(const Ex& ex, H&& h, bool ok) const
    {
        if (ok)
            post_completion(ex, std::forward<H>(h), std::exception_ptr(), int_value);
        else
            post_completion(ex, std::forward<H>(h), failure_exception(), 0);
    }
};

struct complete_2
{
    template <class Ex, class H>
    void operator()(const Ex& ex, H&& h) const
    {
        post_completion(ex, std::forward<H>(h), int_value, double_value);
    }
};

struct complete_ec_2
{
    template <class Ex, class H>
    void operator()(const Ex& ex, H&& h, bool ok) const
    {
        if (ok)
            post_completion(
                ex,
                std::forward<H>(h),
                boost::system::error_code(),
                int_value,
                double_value);
        else
            post_completion(ex, std::forward<H>(h), failure_code(), 0, 0.0);
    }
};

struct complete_ex_2
{
    template <class Ex, class H>
    void operator()(const Ex& ex, H&& h, bool ok) const
    {
        if (ok)
            post_completion(ex, std::forward<H>(h), std::exception_ptr(), int_value, double_value);
        else
            post_completion(ex, std::forward<H>(h), failure_exception(), 0, 0.0);
    }
};

// ---------------------------------------------------------------------------------------------
// The initiating functions of the signature shapes
// ---------------------------------------------------------------------------------------------

template <class Executor, class CompletionToken>
auto async_op_0(const Executor& ex, CompletionToken&& token)
{
    return asio::async_initiate<CompletionToken, void()>(
        initiate_with_executor<Executor, complete_0>(ex),
        token);
}

template <class Executor, class CompletionToken>
auto async_op_ec_0(const Executor& ex, bool ok, CompletionToken&& token)
{
    return asio::async_initiate<CompletionToken, void(boost::system::error_code)>(
        initiate_with_executor<Executor, complete_ec_0>(ex),
        token,
        ok);
}

template <class Executor, class CompletionToken>
auto async_op_ec_0_with(const Executor& ex, boost::system::error_code ec, CompletionToken&& token)
{
    return asio::async_initiate<CompletionToken, void(boost::system::error_code)>(
        initiate_with_executor<Executor, complete_ec_0_with>(ex),
        token,
        ec);
}

template <class Executor, class CompletionToken>
auto async_op_ex_0(const Executor& ex, bool ok, CompletionToken&& token)
{
    return asio::async_initiate<CompletionToken, void(std::exception_ptr)>(
        initiate_with_executor<Executor, complete_ex_0>(ex),
        token,
        ok);
}

template <class Executor, class CompletionToken>
auto async_op_1(const Executor& ex, CompletionToken&& token)
{
    return asio::async_initiate<CompletionToken, void(int)>(
        initiate_with_executor<Executor, complete_1>(ex),
        token);
}

template <class Executor, class CompletionToken>
auto async_op_ec_1(const Executor& ex, bool ok, CompletionToken&& token)
{
    return asio::async_initiate<CompletionToken, void(boost::system::error_code, int)>(
        initiate_with_executor<Executor, complete_ec_1>(ex),
        token,
        ok);
}

template <class Executor, class CompletionToken>
auto async_op_ex_1(const Executor& ex, bool ok, CompletionToken&& token)
{
    return asio::async_initiate<CompletionToken, void(std::exception_ptr, int)>(
        initiate_with_executor<Executor, complete_ex_1>(ex),
        token,
        ok);
}

template <class Executor, class CompletionToken>
auto async_op_2(const Executor& ex, CompletionToken&& token)
{
    return asio::async_initiate<CompletionToken, void(int, double)>(
        initiate_with_executor<Executor, complete_2>(ex),
        token);
}

template <class Executor, class CompletionToken>
auto async_op_ec_2(const Executor& ex, bool ok, CompletionToken&& token)
{
    return asio::async_initiate<CompletionToken, void(boost::system::error_code, int, double)>(
        initiate_with_executor<Executor, complete_ec_2>(ex),
        token,
        ok);
}

template <class Executor, class CompletionToken>
auto async_op_ex_2(const Executor& ex, bool ok, CompletionToken&& token)
{
    return asio::async_initiate<CompletionToken, void(std::exception_ptr, int, double)>(
        initiate_with_executor<Executor, complete_ex_2>(ex),
        token,
        ok);
}

// ---------------------------------------------------------------------------------------------
// An initiation without get_executor()
// ---------------------------------------------------------------------------------------------

// Completes on `ex` (or the handler's associated executor) but does not expose it: a token
// cannot learn the operation's executor from the initiation.
template <class Executor>
class initiate_without_executor
{
public:
    explicit initiate_without_executor(const Executor& ex) : ex_(ex) {}

    template <class Handler>
    void operator()(Handler&& handler) const
    {
        post_completion(ex_, std::forward<Handler>(handler), int_value);
    }

private:
    Executor ex_;
};

template <class Executor, class CompletionToken>
auto async_op_1_no_executor(const Executor& ex, CompletionToken&& token)
{
    return asio::async_initiate<CompletionToken, void(int)>(
        initiate_without_executor<Executor>(ex),
        token);
}

// ---------------------------------------------------------------------------------------------
// A cancellable operation
// ---------------------------------------------------------------------------------------------

/// What a cancellable archetype observed. Touched only on the operation's executor.
struct cancel_probe
{
    bool started = false;
    bool aborted = false;   // completed with operation_aborted
    bool completed = false; // completed after the full wait
    int emits = 0;          // cancellation signals delivered through the handler's slot
    asio::cancellation_type last_emit = asio::cancellation_type::none;
    // Called inside every delivered cancellation signal (e.g. to check the executor).
    std::function<void(asio::cancellation_type)> on_emit;
};

namespace detail
{

// The state of one cancellable operation: the timer and the inner signal it is bound to.
// The handler's slot gets a forwarder that records the emit in the probe and re-emits it to
// the timer, so the timer is bound (through the forwarder) to the handler's slot.
struct cancellable_state
{
    template <class Executor>
    cancellable_state(const Executor& ex, std::chrono::steady_clock::duration d) : timer(ex, d)
    {
    }

    asio::steady_timer timer;
    asio::cancellation_signal inner;
};

struct cancel_forwarder
{
    cancellable_state* state;
    cancel_probe* probe;

    void operator()(asio::cancellation_type type) const
    {
        ++probe->emits;
        probe->last_emit = type;
        if (probe->on_emit)
            probe->on_emit(type);
        state->inner.emit(type);
    }
};

template <class Handler>
class cancellable_completion
{
public:
    cancellable_completion(
        Handler h,
        std::unique_ptr<cancellable_state> s,
        asio::cancellation_slot outer,
        cancel_probe* probe)
        : handler_(std::move(h)), state_(std::move(s)), outer_(outer), probe_(probe)
    {
    }

    cancellable_completion(cancellable_completion&&) = default;

    // Destroyed unrun (context shutdown): the forwarder must not outlive the state it names.
    // handler_ is destroyed after this body, so the slot is still valid here.
    ~cancellable_completion()
    {
        if (state_ && outer_.is_connected())
            outer_.clear();
    }

    void operator()(boost::system::error_code ec)
    {
        if (ec == asio::error::operation_aborted)
            probe_->aborted = true;
        else
            probe_->completed = true;
        // A well-behaved operation: its slot handler is removed before the upcall and the
        // state is freed before the upcall.
        if (outer_.is_connected())
            outer_.clear();
        state_.reset();
        Handler h(std::move(handler_));
        std::move(h)(ec, ec ? 0 : int_value);
    }

private:
    Handler handler_;
    std::unique_ptr<cancellable_state> state_;
    asio::cancellation_slot outer_;
    cancel_probe* probe_;
};

} // namespace detail

template <class Executor>
class initiate_cancellable
{
public:
    using executor_type = Executor;

    explicit initiate_cancellable(const Executor& ex) : ex_(ex) {}

    executor_type get_executor() const noexcept { return ex_; }

    template <class Handler>
    void operator()(Handler&& handler, std::chrono::steady_clock::duration d, cancel_probe* probe)
        const
    {
        using handler_type = std::decay_t<Handler>;
        probe->started = true;
        auto state = std::make_unique<detail::cancellable_state>(ex_, d);
        detail::cancellable_state& s = *state;
        asio::cancellation_slot outer = asio::get_associated_cancellation_slot(handler);
        if (outer.is_connected())
            outer.template emplace<detail::cancel_forwarder>(detail::cancel_forwarder{&s, probe});
        auto handler_ex = asio::get_associated_executor(handler, ex_);
        s.timer.async_wait(asio::bind_cancellation_slot(
            s.inner.slot(),
            asio::bind_executor(
                handler_ex,
                detail::cancellable_completion<handler_type>(
                    handler_type(std::forward<Handler>(handler)),
                    std::move(state),
                    outer,
                    probe))));
    }

private:
    Executor ex_;
};

/// Waits `d`; completes with (success, 42), or (operation_aborted, 0) when cancelled through
/// the handler's associated cancellation slot. `probe` must outlive the operation.
template <class Executor, class CompletionToken>
auto async_op_cancellable(
    const Executor& ex,
    std::chrono::steady_clock::duration d,
    cancel_probe* probe,
    CompletionToken&& token)
{
    return asio::async_initiate<CompletionToken, void(boost::system::error_code, int)>(
        initiate_cancellable<Executor>(ex),
        token,
        d,
        probe);
}

// ---------------------------------------------------------------------------------------------
// An operation that never completes
// ---------------------------------------------------------------------------------------------

/// Keeps handlers that are never invoked; destroys them when the context shuts down.
class hang_service : public asio::execution_context::service
{
public:
    static inline asio::execution_context::id id;

    explicit hang_service(asio::execution_context& ctx) : service(ctx) {}

    template <class Handler>
    void keep(Handler h)
    {
        auto holder = std::make_unique<held<Handler>>(std::move(h));
        std::lock_guard<std::mutex> lock(mutex_);
        handlers_.push_back(std::move(holder));
    }

    std::size_t size()
    {
        std::lock_guard<std::mutex> lock(mutex_);
        return handlers_.size();
    }

private:
    struct held_base
    {
        virtual ~held_base() = default;
    };

    template <class Handler>
    struct held final : held_base
    {
        explicit held(Handler h) : handler(std::move(h)) {}
        Handler handler;
    };

    void shutdown() override
    {
        std::vector<std::unique_ptr<held_base>> handlers;
        {
            std::lock_guard<std::mutex> lock(mutex_);
            handlers.swap(handlers_);
        }
        handlers.clear(); // destroyed without being invoked
    }

    std::mutex mutex_;
    std::vector<std::unique_ptr<held_base>> handlers_;
};

template <class Executor>
class initiate_hang
{
public:
    using executor_type = Executor;

    explicit initiate_hang(const Executor& ex) : ex_(ex) {}

    executor_type get_executor() const noexcept { return ex_; }

    template <class Handler>
    void operator()(Handler&& handler) const
    {
        asio::execution_context& ctx = asio::query(ex_, asio::execution::context);
        asio::use_service<hang_service>(ctx).keep(
            std::decay_t<Handler>(std::forward<Handler>(handler)));
    }

private:
    Executor ex_;
};

template <class Executor, class CompletionToken>
auto async_op_hang(const Executor& ex, CompletionToken&& token)
{
    return asio::async_initiate<CompletionToken, void(int)>(initiate_hang<Executor>(ex), token);
}

// ---------------------------------------------------------------------------------------------
// An operation that drops its handler
// ---------------------------------------------------------------------------------------------

template <class Executor>
class initiate_drop
{
public:
    using executor_type = Executor;

    explicit initiate_drop(const Executor& ex) : ex_(ex) {}

    executor_type get_executor() const noexcept { return ex_; }

    template <class Handler>
    void operator()(Handler&& handler) const
    {
        // The handler is destroyed, never invoked, inside a posted job.
        auto h = std::make_shared<std::decay_t<Handler>>(std::forward<Handler>(handler));
        asio::post(ex_, [h]() mutable { h.reset(); });
    }

private:
    Executor ex_;
};

template <class Executor, class CompletionToken>
auto async_op_drop(const Executor& ex, CompletionToken&& token)
{
    return asio::async_initiate<CompletionToken, void(int)>(initiate_drop<Executor>(ex), token);
}

// ---------------------------------------------------------------------------------------------
// An operation whose handler the test holds
// ---------------------------------------------------------------------------------------------

template <class Executor>
class initiate_stash
{
public:
    using executor_type = Executor;

    explicit initiate_stash(const Executor& ex) : ex_(ex) {}

    executor_type get_executor() const noexcept { return ex_; }

    template <class Handler>
    void operator()(Handler&& handler, asio::any_completion_handler<void(int)>* slot) const
    {
        // Not `*slot = ...`: Asio 1.26's move assignment of any_completion_handler copies
        // `other` as an lvalue into its converting constructor and recurses without end.
        asio::any_completion_handler<void(int)> h(std::forward<Handler>(handler));
        slot->swap(h);
    }

private:
    Executor ex_;
};

/// Stores the handler in `*slot`: the test completes it (or destroys it) when it likes.
template <class Executor, class CompletionToken>
auto async_op_stash(
    const Executor& ex,
    asio::any_completion_handler<void(int)>& slot,
    CompletionToken&& token)
{
    return asio::async_initiate<CompletionToken, void(int)>(
        initiate_stash<Executor>(ex),
        token,
        &slot);
}

} // namespace archetypes

#endif // BOOST_ASIO_FUTURE_TEST_ARCHETYPES_ASYNC_OPS_HPP
