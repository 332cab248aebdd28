//
// Copyright (c) 2026 The asio_future Authors.
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_ASIO_FUTURE_DETAIL_FUTURE_STATE_HPP
#define BOOST_ASIO_FUTURE_DETAIL_FUTURE_STATE_HPP

#include <boost/asio_future/error.hpp>
#include <boost/asio_future/future_service.hpp>

#include <boost/asio_future/detail/config.hpp>
#include <boost/asio_future/detail/outcome.hpp>
#include <boost/asio_future/detail/report.hpp>
#include <boost/asio_future/detail/source_location.hpp>
#include <boost/asio_future/detail/state_base.hpp>

#include <boost/asio/execution/context.hpp>
#include <boost/asio/execution_context.hpp>
#include <boost/asio/query.hpp>
#include <boost/core/type_name.hpp>

#include <exception>
#include <optional>
#include <ostream>
#include <sstream>
#include <stdexcept>
#include <string_view>
#include <type_traits>
#include <utility>

namespace boost
{
namespace asio_future
{
namespace detail
{

template <class T, class = void>
struct is_streamable : std::false_type
{
};

template <class T>
struct is_streamable<
    T,
    std::void_t<decltype(std::declval<std::ostream&>() << std::declval<const T&>())>>
    : std::true_type
{
};

// The shared state of a future: the state word and list, the executor and the outcome.
template <class T, class Executor>
class future_state : public state_base
{
public:
    using value_type = T;
    using executor_type = Executor;

    // Allocates a state holding one owner reference, registered with the executor's context.
    static future_state* create(const Executor& ex, const source_location& where)
    {
        auto* s = new future_state(ex);
        try
        {
            s->attach_registry(where);
        }
        catch (...)
        {
            delete s;
            throw;
        }
        return s;
    }

    void describe(std::ostream& os) const override
    {
        os << "<async_future<" << boost::core::type_name<T>() << "> ";
        if (!is_done())
            return void(os << "pending>");
        switch (kind_)
        {
        case outcome_kind::cancelled:
            return void(os << "cancelled>");
        case outcome_kind::error:
            return void(os << "finished exception=" << describe_exception(outcome_.error()) << '>');
        default:
            break;
        }
        os << "finished";
        if constexpr (!std::is_void_v<T>)
        {
            if (taken())
                os << " result=<taken>";
            else if constexpr (is_streamable<T>::value)
                os << " result=" << outcome_.value();
            else
                os << " result=<" << boost::core::type_name<T>() << '>';
        }
        os << '>';
    }

    // The executor, for a state that is not orphaned(): once the context shut down it is gone.
    // (A handler with an executor of its own may take the reference as its default, unread.)
    const executor_type& executor() const noexcept { return executor_; }

    // A copy of the executor, for get_executor(): invalid_state_error once the context shut
    // down. Safe against a shutdown on another thread, which waits for the copy.
    executor_type executor_copy() const
    {
        if (!begin_executor_read())
            throw invalid_state_error(
                "asio_future: get_executor() after the execution context shut down (the future "
                "let go of its executor then)");
        struct end_read
        {
            const future_state* s;
            ~end_read() { s->end_executor_read(); }
        } guard{this};
        return executor_;
    }

    // True once the execution context shut down: nothing may be posted to it, and the executor
    // is gone.
    bool orphaned() const noexcept { return is_orphaned(); }

    // The execution context the future is bound to (its address, to compare: it may be gone).
    const boost::asio::execution_context* context() const noexcept { return registry_->context(); }

    // The outcome, valid once is_done(). It is immutable then, but for async_take.
    outcome_kind kind() const noexcept { return kind_; }
    // Null for a value outcome.
    std::exception_ptr error() const noexcept
    {
        return kind_ == outcome_kind::value ? std::exception_ptr() : outcome_.error();
    }

    // The error, marked as seen: it will not be reported as never retrieved.
    std::exception_ptr retrieve_error() noexcept
    {
        if (kind_ == outcome_kind::value)
            return {};
        flags_.fetch_or(retrieved_flag, std::memory_order_relaxed);
        return outcome_.error();
    }

    bool taken() const noexcept
    {
        return (flags_.load(std::memory_order_acquire) & taken_flag) != 0;
    }

    template <class U = T, class = std::enable_if_t<!std::is_void_v<U>>>
    const U& value() const noexcept
    {
        return outcome_.value();
    }

    // Fills `out` with a copy of the value (Take: the value itself, once) or returns the error
    // to deliver instead.
    template <bool Take, class V>
    std::exception_ptr extract(std::optional<V>& out) noexcept
    {
        if (kind_ != outcome_kind::value)
            return retrieve_error();
        try
        {
            if constexpr (Take)
            {
                if (flags_.fetch_or(taken_flag, std::memory_order_acq_rel) & taken_flag)
                    throw invalid_state_error("asio_future: result already taken");
                out.emplace(std::move(outcome_.value()));
            }
            else
            {
                if (taken())
                    throw invalid_state_error("asio_future: result already taken");
                out.emplace(outcome_.value());
            }
        }
        catch (...)
        {
            return std::current_exception();
        }
        return {};
    }

    // First resolution wins. The value is built before the race so that a throwing
    // constructor leaves the future untouched. `FromHandler`: called by an operation's
    // completion handler, which may resume the first waiter inline (state_base::publish).
    template <bool FromHandler = false, class... Args>
    bool try_set_value(Args&&... args)
    {
        if (is_claimed())
            return false;
        if constexpr (std::is_void_v<T>)
        {
            if (!claim())
                return false;
        }
        else
        {
            T value(std::forward<Args>(args)...);
            if (!claim())
                return false;
            try
            {
                outcome_.set_value(std::move(value));
            }
            catch (...)
            {
                // Only a throwing move constructor gets here: the future fails with its error.
                finish(outcome_kind::error, std::current_exception());
                throw;
            }
        }
        kind_ = outcome_kind::value;
        dispatch(publish(node_action::complete, FromHandler));
        return true;
    }

    template <bool FromHandler = false>
    bool try_set_exception(std::exception_ptr e)
    {
        if (!e)
            throw std::invalid_argument(
                "asio_future: set_exception needs a non-null exception_ptr");
        if (!claim())
            return false;
        outcome_.set_error(std::move(e));
        kind_ = outcome_kind::error;
        dispatch(publish(node_action::complete, FromHandler));
        return true;
    }

    bool cancel(std::string_view msg) override
    {
        if (is_claimed())
        {
            // asyncio: cancel() on a done future silences "exception was never retrieved".
            if (is_done())
                flags_.fetch_or(retrieved_flag, std::memory_order_relaxed);
            return false;
        }
        std::exception_ptr e = std::make_exception_ptr(cancelled_error(msg));
        if (!claim())
            return false;
        try
        {
            on_cancel_claimed();
        }
        catch (...)
        {
            finish(outcome_kind::cancelled, e);
            throw;
        }
        finish(outcome_kind::cancelled, std::move(e));
        return true;
    }

    // cancel() by an operation's completion handler (the operation was aborted): nothing is
    // emitted to the finished operation, and the first waiter may resume inline (publish).
    bool cancel_from_handler(std::string_view msg)
    {
        if (is_claimed())
            return false;
        std::exception_ptr e = std::make_exception_ptr(cancelled_error(msg));
        if (!claim())
            return false;
        outcome_.set_error(std::move(e));
        kind_ = outcome_kind::cancelled;
        dispatch(publish(node_action::complete, true));
        return true;
    }

    // After this, nothing reads the executor: it is destroyed here, while its context (a
    // strand's service) is still alive.
    void on_context_shutdown() noexcept override
    {
        mark_orphaned();
        if (!claim())
        {
            // A resolver on another thread won: let it queue its completions while the
            // scheduler still accepts them (they are then destroyed with it, never run).
            wait_for_publish();
        }
        else
            finish(
                outcome_kind::cancelled,
                std::make_exception_ptr(cancelled_error("execution context shut down")),
                node_action::destroy);
        executor_.~Executor();
    }

protected:
    explicit future_state(const Executor& ex) : executor_(ex) {}

    // Registers with the registry of the executor's context (after construction). A context
    // that already shut down makes the state orphaned at birth: it lets go of the executor at
    // once (the context is about to be destroyed).
    void attach_registry(const source_location& where)
    {
        registry_ =
            acquire_registry(boost::asio::query(executor_, boost::asio::execution::context));
        if (!registry_->add(this, where))
        {
            orphan_.store(orphaned_bit, std::memory_order_relaxed);
            executor_.~Executor();
        }
    }

    ~future_state() override
    {
        if (kind_ == outcome_kind::error &&
            !(flags_.load(std::memory_order_acquire) & retrieved_flag))
            report_unretrieved();
        outcome_.destroy(kind_);
        // Before leaving the registry: a shutdown running meanwhile waits for it.
        if (!is_orphaned())
            executor_.~Executor();
        if (registry_)
        {
            registry_->remove(this);
            registry_->release();
        }
    }

    void destroy() noexcept override { delete this; }

    // Runs when cancel() has won the resolution, before the waiters are queued. If it throws,
    // the future is still cancelled and the exception goes to the caller of cancel().
    virtual void on_cancel_claimed() {}

private:
    // Runs the waiter publish() left to be dispatched: its handler may run here, inline, and
    // may throw to the caller (the operation's completion handler), as Asio's handlers do.
    static void dispatch(list_node* waiter)
    {
        if (waiter)
            waiter->run(node_action::dispatch);
    }

    // asyncio's "Future exception was never retrieved", through the context's handler.
    void report_unretrieved() noexcept
    {
        try
        {
            std::ostringstream repr;
            describe(repr);
            exception_context c{"exception was never retrieved", outcome_.error(), repr.str()};
            if (registry_)
                registry_->report(c);
            else
                print_exception_context(c);
        }
        catch (...)
        {
        }
    }

    void abandon(bool resolver_dropped) noexcept override
    {
        if (claim())
            finish(
                outcome_kind::error,
                std::make_exception_ptr(broken_promise_error(
                    resolver_dropped
                        ? "asio_future: the last resolver was destroyed without resolving the "
                          "future"
                        : "asio_future: every handle to the pending future was dropped while "
                          "it was awaited, and it had no resolver")));
    }

    // Stores an error outcome after a successful claim() and publishes it.
    void finish(
        outcome_kind kind,
        std::exception_ptr e,
        node_action action = node_action::complete) noexcept
    {
        outcome_.set_error(std::move(e));
        kind_ = kind;
        publish(action);
    }

    // Destroyed by hand: at the context's shutdown, or with the state if that never came.
    union
    {
        Executor executor_;
    };
    outcome_storage<T> outcome_;
};

} // namespace detail
} // namespace asio_future
} // namespace boost

#endif // BOOST_ASIO_FUTURE_DETAIL_FUTURE_STATE_HPP
