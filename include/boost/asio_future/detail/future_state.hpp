//
// Copyright (c) 2026 The asio_future Authors.
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_ASIO_FUTURE_DETAIL_FUTURE_STATE_HPP
#define BOOST_ASIO_FUTURE_DETAIL_FUTURE_STATE_HPP

#include <boost/asio_future/error.hpp>

#include <boost/asio_future/detail/config.hpp>
#include <boost/asio_future/detail/outcome.hpp>
#include <boost/asio_future/detail/state_base.hpp>
#include <boost/asio_future/detail/state_registry.hpp>

#include <boost/asio/execution/context.hpp>
#include <boost/asio/query.hpp>

#include <exception>
#include <memory>
#include <string_view>
#include <utility>

namespace boost
{
namespace asio_future
{
namespace detail
{

// The shared state of a future: the state word and list, the executor and the outcome.
template <class T, class Executor>
class future_state final : public state_base
{
public:
    using value_type = T;
    using executor_type = Executor;

    // Allocates a state holding one owner reference, registered with the executor's context.
    static future_state* create(const Executor& ex)
    {
        auto* s = new future_state(ex);
        try
        {
            auto& ctx = boost::asio::query(ex, boost::asio::execution::context);
            s->registry_ = boost::asio::use_service<state_registry>(ctx).core();
            if (!s->registry_->add(s))
                s->orphaned_.store(true, std::memory_order_relaxed);
        }
        catch (...)
        {
            delete s;
            throw;
        }
        return s;
    }

    const executor_type& executor() const noexcept { return executor_; }

    outcome<T>& result_storage() noexcept { return outcome_; }

    // Only after is_done(): the outcome is then immutable but for async_take.
    const outcome<T>& result_storage() const noexcept { return outcome_; }

    bool orphaned() const noexcept { return orphaned_.load(std::memory_order_acquire); }

    // First resolution wins. The value is built before the race so that a throwing
    // constructor leaves the future untouched.
    template <class... Args>
    bool try_set_value(Args&&... args)
    {
        if (is_claimed())
            return false;
        if constexpr (std::is_void_v<T>)
        {
            if (!claim())
                return false;
            outcome_.set_value();
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
                outcome_.set_error(std::current_exception());
                publish();
                throw;
            }
        }
        publish();
        return true;
    }

    bool try_set_exception(std::exception_ptr e)
    {
        if (!e)
            throw std::invalid_argument(
                "asio_future: set_exception needs a non-null exception_ptr");
        if (!claim())
            return false;
        outcome_.set_error(std::move(e));
        publish();
        return true;
    }

    bool cancel(std::string_view msg) override
    {
        if (is_claimed())
            return false;
        std::exception_ptr e = std::make_exception_ptr(cancelled_error(msg));
        if (!claim())
            return false;
        outcome_.set_cancelled(std::move(e));
        publish();
        return true;
    }

    void on_context_shutdown() noexcept override
    {
        orphaned_.store(true, std::memory_order_release);
        if (!claim())
            return;
        outcome_.set_cancelled(
            std::make_exception_ptr(cancelled_error("execution context shut down")));
        publish(node_action::destroy);
    }

private:
    explicit future_state(const Executor& ex) : executor_(ex) {}

    ~future_state() override
    {
        if (registry_)
            registry_->remove(this);
    }

    void destroy() noexcept override { delete this; }

    void abandon(bool) noexcept override
    {
        if (!claim())
            return;
        outcome_.set_error(std::make_exception_ptr(broken_promise_error()));
        publish();
    }

    Executor executor_;
    outcome<T> outcome_;
};

} // namespace detail
} // namespace asio_future
} // namespace boost

#endif // BOOST_ASIO_FUTURE_DETAIL_FUTURE_STATE_HPP
