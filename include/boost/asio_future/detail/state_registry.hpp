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

#include <atomic>
#include <cstdint>
#include <mutex>

namespace boost
{
namespace asio_future
{
namespace detail
{

// The live states bound to one execution context. Reference counted, shared by the context's
// service and its states, so that a state that outlives its context can still unregister.
class state_registry_core
{
public:
    void add_ref() noexcept { refs_.fetch_add(1, std::memory_order_relaxed); }

    void release() noexcept
    {
        if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1)
            delete this;
    }

    bool is_shut_down() const noexcept { return shut_down_.load(std::memory_order_acquire); }

    // False when the context already shut down: the state is then born orphaned.
    bool add(state_base* s)
    {
        std::lock_guard<std::mutex> lock(mutex_);
        if (shut_down_.load(std::memory_order_relaxed))
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
                shut_down_.store(true, std::memory_order_release);
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

    std::atomic<std::uint32_t> refs_{1};
    std::atomic<bool> shut_down_{false};
    std::mutex mutex_;
    state_base* head_ = nullptr;
};

// The execution_context service that owns the registry core of its context.
class state_registry : public boost::asio::execution_context::service
{
public:
    static inline boost::asio::execution_context::id id;

    explicit state_registry(boost::asio::execution_context& ctx)
        : service(ctx), core_(new state_registry_core)
    {
    }

    ~state_registry() override { core_->release(); }

    state_registry_core* core() const noexcept { return core_; }

private:
    void shutdown() override { core_->shutdown(); }

    state_registry_core* core_;
};

// The registry core of `ctx`, with a reference for the caller. The last context seen by this
// thread is cached: a context at the same address is the same one as long as its registry has
// not shut down, since a context always shuts its services down before it is destroyed.
inline state_registry_core* acquire_registry(boost::asio::execution_context& ctx)
{
    struct cache
    {
        boost::asio::execution_context* ctx = nullptr;
        state_registry_core* core = nullptr;

        ~cache()
        {
            if (core)
                core->release();
        }
    };
    static thread_local cache last;
    if (last.ctx != &ctx || !last.core || last.core->is_shut_down())
    {
        state_registry_core* core = boost::asio::use_service<state_registry>(ctx).core();
        core->add_ref();
        if (last.core)
            last.core->release();
        last.ctx = &ctx;
        last.core = core;
    }
    last.core->add_ref();
    return last.core;
}

} // namespace detail
} // namespace asio_future
} // namespace boost

#endif // BOOST_ASIO_FUTURE_DETAIL_STATE_REGISTRY_HPP
