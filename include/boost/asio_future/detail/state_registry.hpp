//
// Copyright (c) 2026 The asio_future Authors.
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_ASIO_FUTURE_DETAIL_STATE_REGISTRY_HPP
#define BOOST_ASIO_FUTURE_DETAIL_STATE_REGISTRY_HPP

#include <boost/asio_future/detail/config.hpp>
#include <boost/asio_future/detail/report.hpp>
#include <boost/asio_future/detail/source_location.hpp>
#include <boost/asio_future/detail/state_base.hpp>

#include <boost/asio/execution_context.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <functional>
#include <mutex>
#include <sstream>
#include <string>
#include <unordered_map>
#include <vector>

namespace boost
{
namespace asio_future
{
namespace detail
{

// What an exception handler receives, like asyncio's exception handler context.
struct exception_context
{
    // What happened: "exception in done callback", "exception was never retrieved", ...
    std::string message;
    // The exception; null for a warning (a slow callback).
    std::exception_ptr exception;
    // The future's repr, e.g. "<async_future<int> finished exception=...>".
    std::string future;
};

// A pending future listed by future_service::pending_futures().
struct pending_future_info
{
    // The future's repr.
    std::string future;
    // Where it was created (empty unless debug mode was on then).
    std::string file;
    unsigned line = 0;
    std::string function;
    // How long ago it was created (zero unless debug mode was on then).
    std::chrono::steady_clock::duration age{};
};

// The default exception handler: one line on stderr.
inline void print_exception_context(const exception_context& c) noexcept
{
    try
    {
        std::string line = "asio_future: " + c.message;
        if (c.exception)
            line += ": " + describe_exception(c.exception);
        if (!c.future.empty())
            line += "; future: " + c.future;
        line += '\n';
        std::fputs(line.c_str(), stderr);
    }
    catch (...)
    {
        std::fputs("asio_future: an error could not be reported\n", stderr);
    }
}

// The registry's lock. Held for a few instructions at a future's creation and destruction, and
// uncontended unless many threads create futures of one context at once: an exchange and a
// store, where a std::mutex costs a hundred instructions per future.
class spin_mutex
{
public:
    void lock() noexcept
    {
        unsigned spins = 0;
        while (locked_.exchange(true, std::memory_order_acquire))
        {
            while (locked_.load(std::memory_order_relaxed))
                backoff(spins);
        }
    }

    void unlock() noexcept { locked_.store(false, std::memory_order_release); }

private:
    std::atomic<bool> locked_{false};
};

// The live states bound to one execution context, and the knobs of its future_service.
// Reference counted, shared by the service and the states, so that a state that outlives its
// context can still unregister and report.
class state_registry_core
{
public:
    using handler_type = std::function<void(const exception_context&)>;

    explicit state_registry_core(boost::asio::execution_context& ctx) noexcept : context_(&ctx) {}

    // The context, to compare with a handler's once the states let go of their executors. Its
    // address only: the core may outlive it.
    const boost::asio::execution_context* context() const noexcept { return context_; }

    void add_ref() noexcept { refs_.fetch_add(1, std::memory_order_relaxed); }

    void release() noexcept
    {
        if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1)
            delete this;
    }

    bool is_shut_down() const noexcept { return shut_down_.load(std::memory_order_acquire); }

    // False when the context already shut down: the state is then born orphaned.
    bool add(state_base* s, const source_location& where)
    {
        std::lock_guard<spin_mutex> lock(mutex_);
        if (shut_down_.load(std::memory_order_relaxed))
            return false;
        if (debug())
            created_.emplace(s, creation{where, std::chrono::steady_clock::now()});
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
        std::lock_guard<spin_mutex> lock(mutex_);
        unlink(s);
    }

    // Resolves every live state as cancelled, destroys its pending handlers unrun and makes it
    // let go of its executor (a strand must not outlive its context). A state whose last
    // reference is going on another thread is left to its destructor, which lets go of the
    // executor before it leaves the list: the shutdown waits for that, so that no executor of
    // the context is destroyed after the context.
    void shutdown() noexcept
    {
        unsigned spins = 0;
        for (;;)
        {
            state_base* s = nullptr;
            bool dying = false;
            {
                std::lock_guard<spin_mutex> lock(mutex_);
                shut_down_.store(true, std::memory_order_release);
                for (state_base* c = head_; c && !s; c = c->reg_next_)
                {
                    if (c->try_add_ref())
                        s = c;
                    else
                        dying = true;
                }
                if (s)
                    unlink(s);
            }
            if (s)
            {
                s->on_context_shutdown();
                s->release();
            }
            else if (dying)
                backoff(spins);
            else
                return;
        }
    }

    // --- future_service ---------------------------------------------------------------------

    void set_handler(handler_type h)
    {
        std::lock_guard<spin_mutex> lock(mutex_);
        handler_ = std::move(h);
    }

    handler_type handler() const
    {
        std::lock_guard<spin_mutex> lock(mutex_);
        return handler_;
    }

    // Calls the exception handler (outside the lock); an exception escaping it is printed.
    void report(const exception_context& c) const noexcept
    {
        try
        {
            handler_type h = handler();
            if (h)
                return h(c);
        }
        catch (...)
        {
            print_exception_context(
                {"exception in the exception handler", std::current_exception(), c.future});
        }
        print_exception_context(c);
    }

    bool debug() const noexcept { return debug_.load(std::memory_order_relaxed); }
    void set_debug(bool on) noexcept { debug_.store(on, std::memory_order_relaxed); }

    std::chrono::steady_clock::duration slow_callback_duration() const noexcept
    {
        return std::chrono::steady_clock::duration(slow_.load(std::memory_order_relaxed));
    }

    void set_slow_callback_duration(std::chrono::steady_clock::duration d) noexcept
    {
        slow_.store(d.count(), std::memory_order_relaxed);
    }

    std::vector<pending_future_info> pending() const
    {
        std::vector<pending_future_info> out;
        const auto now = std::chrono::steady_clock::now();
        std::lock_guard<spin_mutex> lock(mutex_);
        for (const state_base* s = head_; s; s = s->reg_next_)
        {
            if (s->is_done())
                continue;
            pending_future_info info;
            std::ostringstream repr;
            s->describe(repr);
            info.future = repr.str();
            auto it = created_.find(s);
            if (it != created_.end())
            {
                info.file = it->second.where.file;
                info.line = it->second.where.line;
                info.function = it->second.where.function;
                info.age = now - it->second.when;
            }
            out.push_back(std::move(info));
        }
        return out;
    }

private:
    struct creation
    {
        source_location where;
        std::chrono::steady_clock::time_point when;
    };

    void unlink(state_base* s) noexcept
    {
        if (!created_.empty())
            created_.erase(s);
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

    const boost::asio::execution_context* context_;
    std::atomic<std::uint32_t> refs_{1};
    std::atomic<bool> shut_down_{false};
    std::atomic<bool> debug_{false};
    std::atomic<std::chrono::steady_clock::rep> slow_{
        std::chrono::duration_cast<std::chrono::steady_clock::duration>(
            std::chrono::milliseconds(100))
            .count()};
    mutable spin_mutex mutex_;
    state_base* head_ = nullptr;
    handler_type handler_;
    std::unordered_map<const state_base*, creation> created_;
};

// The registry core of a context: its future_service's (defined with the service).
inline state_registry_core* registry_of(boost::asio::execution_context& ctx);

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
        state_registry_core* core = registry_of(ctx);
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
