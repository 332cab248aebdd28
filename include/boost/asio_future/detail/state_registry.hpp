//
// Copyright (c) 2026 The asio_future Authors.
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_ASIO_FUTURE_DETAIL_STATE_REGISTRY_HPP
#define BOOST_ASIO_FUTURE_DETAIL_STATE_REGISTRY_HPP

#include <boost/asio_future/detail/config.hpp>
#include <boost/asio_future/detail/state_base.hpp>

#include <boost/asio/execution_context.hpp>

#include <memory>
#include <mutex>

namespace boost
{
namespace asio_future
{
namespace detail
{

// The live states bound to one execution context. Shared with the states so that a state that
// outlives its context can still unregister safely.
class state_registry_core
{
public:
    // False when the context already shut down: the state is then born orphaned.
    bool add(state_base* s)
    {
        std::lock_guard<std::mutex> lock(mutex_);
        if (shut_down_)
            return false;
        s->reg_next_ = head_;
        s->reg_prev_ = nullptr;
        if (head_)
            head_->reg_prev_ = s;
        head_ = s;
        s->registered_ = true;
        return true;
    }

    void remove(state_base* s) noexcept
    {
        std::lock_guard<std::mutex> lock(mutex_);
        unlink(s);
    }

    // Resolves every live state as cancelled and destroys its pending handlers unrun.
    void shutdown() noexcept
    {
        for (;;)
        {
            state_base* s = nullptr;
            {
                std::lock_guard<std::mutex> lock(mutex_);
                shut_down_ = true;
                while (head_ && !s)
                {
                    state_base* candidate = head_;
                    unlink(candidate);
                    // A state whose last reference is going is being destroyed: skip it.
                    if (candidate->try_add_ref())
                        s = candidate;
                }
            }
            if (!s)
                return;
            s->on_context_shutdown();
            s->release();
        }
    }

private:
    void unlink(state_base* s) noexcept
    {
        if (!s->registered_)
            return;
        if (s->reg_prev_)
            s->reg_prev_->reg_next_ = s->reg_next_;
        else
            head_ = s->reg_next_;
        if (s->reg_next_)
            s->reg_next_->reg_prev_ = s->reg_prev_;
        s->reg_prev_ = s->reg_next_ = nullptr;
        s->registered_ = false;
    }

    std::mutex mutex_;
    state_base* head_ = nullptr;
    bool shut_down_ = false;
};

// The execution_context service that owns the registry core of its context.
class state_registry : public boost::asio::execution_context::service
{
public:
    static inline boost::asio::execution_context::id id;

    explicit state_registry(boost::asio::execution_context& ctx)
        : service(ctx), core_(std::make_shared<state_registry_core>())
    {
    }

    const std::shared_ptr<state_registry_core>& core() const noexcept { return core_; }

private:
    void shutdown() override { core_->shutdown(); }

    std::shared_ptr<state_registry_core> core_;
};

} // namespace detail
} // namespace asio_future
} // namespace boost

#endif // BOOST_ASIO_FUTURE_DETAIL_STATE_REGISTRY_HPP
