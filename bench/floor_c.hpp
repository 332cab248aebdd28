//
// Copyright (c) 2026 The asio_future Authors.
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// Floor C: the smallest one-shot with the guarantees that cost something in async_future:
// one heap state per future (reference counted, shared by the setter and the waiter), one
// atomic exchange to resolve, one stored waiter allocated with the handler's allocator, the
// pending wait counted as outstanding work, and the waiter resumed by asio::defer, never inline
// inside set(). It completes with void(std::exception_ptr, T), as async_future does (a future
// that can fail delivers an error slot); floor_c::oneshot<T, false> completes with void(T).
// No cancellation, no done callbacks, no shutdown handling.

#ifndef BOOST_ASIO_FUTURE_BENCH_FLOOR_C_HPP
#define BOOST_ASIO_FUTURE_BENCH_FLOOR_C_HPP

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/associated_allocator.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/defer.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/recycling_allocator.hpp>

#include <atomic>
#include <cstdint>
#include <exception>
#include <memory>
#include <type_traits>
#include <utility>

namespace floor_c
{

namespace asio = boost::asio;

template <class T, bool WithError = true>
class oneshot
{
    using signature = std::conditional_t<WithError, void(std::exception_ptr, T), void(T)>;

    template <class Handler>
    static void invoke(Handler& h, T v)
    {
        if constexpr (WithError)
            std::move(h)(std::exception_ptr(), std::move(v));
        else
            std::move(h)(std::move(v));
    }

    struct waiter
    {
        void (*fire)(waiter*, T) noexcept;
    };

    struct state
    {
        explicit state(asio::any_io_executor e) : ex(std::move(e)) {}
        std::atomic<std::uint32_t> refs{1};
        std::atomic<std::uintptr_t> slot{0}; // 0: empty, 1: set, else the waiter
        T value{};
        asio::any_io_executor ex;
    };

    static constexpr std::uintptr_t set_tag = 1;

    // The handler's allocator, with Asio's recycling allocator in place of std::allocator.
    template <class Handler>
    static auto allocator_for(const Handler& h)
    {
        auto a = asio::get_associated_allocator(h);
        if constexpr (std::is_same_v<decltype(a), std::allocator<void>>)
            return asio::recycling_allocator<void>();
        else
            return a;
    }

    template <class Handler>
    struct wait_op : waiter
    {
        using executor_type = asio::associated_executor_t<Handler, asio::any_io_executor>;

        wait_op(Handler&& h, const asio::any_io_executor& fallback)
            : waiter{&wait_op::fire_op},
              handler(std::move(h)),
              work(asio::get_associated_executor(handler, fallback))
        {
        }

        static void fire_op(waiter* w, T v) noexcept
        {
            auto* op = static_cast<wait_op*>(w);
            Handler h(std::move(op->handler));
            auto work = std::move(op->work);
            destroy(op);
            asio::defer(
                work.get_executor(),
                [h = std::move(h), v = std::move(v)]() mutable { invoke(h, std::move(v)); });
        }

        static wait_op* create(Handler&& h, const asio::any_io_executor& fallback)
        {
            using alloc_t = typename std::allocator_traits<decltype(allocator_for(
                h))>::template rebind_alloc<wait_op>;
            alloc_t a(allocator_for(h));
            wait_op* p = std::allocator_traits<alloc_t>::allocate(a, 1);
            return new (p) wait_op(std::move(h), fallback);
        }

        static void destroy(wait_op* p) noexcept
        {
            using alloc_t = typename std::allocator_traits<decltype(allocator_for(
                p->handler))>::template rebind_alloc<wait_op>;
            alloc_t a(allocator_for(p->handler));
            p->~wait_op();
            std::allocator_traits<alloc_t>::deallocate(a, p, 1);
        }

        Handler handler;
        asio::executor_work_guard<executor_type> work;
    };

public:
    static oneshot create(asio::any_io_executor ex) { return oneshot(new state(std::move(ex))); }

    oneshot(const oneshot& o) noexcept : s_(o.s_)
    {
        s_->refs.fetch_add(1, std::memory_order_relaxed);
    }
    oneshot(oneshot&& o) noexcept : s_(std::exchange(o.s_, nullptr)) {}
    oneshot& operator=(const oneshot&) = delete;
    ~oneshot()
    {
        if (s_ && s_->refs.fetch_sub(1, std::memory_order_acq_rel) == 1)
            delete s_;
    }

    // Resolves; a waiter already there is deferred to its executor.
    void set(T v) noexcept
    {
        s_->value = v;
        const std::uintptr_t prev = s_->slot.exchange(set_tag, std::memory_order_acq_rel);
        if (prev > set_tag)
            reinterpret_cast<waiter*>(prev)->fire(reinterpret_cast<waiter*>(prev), std::move(v));
    }

    template <class CompletionToken>
    auto async_wait(CompletionToken&& token)
    {
        return asio::async_initiate<CompletionToken, signature>(
            [s = s_](auto handler)
            {
                using handler_t = decltype(handler);
                if (s->slot.load(std::memory_order_acquire) == set_tag)
                {
                    auto ex = asio::get_associated_executor(handler, s->ex);
                    asio::defer(
                        ex,
                        [h = std::move(handler), v = s->value]() mutable { invoke(h, v); });
                    return;
                }
                auto* op = wait_op<handler_t>::create(std::move(handler), s->ex);
                std::uintptr_t expected = 0;
                if (!s->slot.compare_exchange_strong(
                        expected,
                        reinterpret_cast<std::uintptr_t>(static_cast<waiter*>(op)),
                        std::memory_order_acq_rel))
                    op->fire(op, s->value); // set in between
            },
            token);
    }

private:
    explicit oneshot(state* s) noexcept : s_(s) {}
    state* s_;
};

} // namespace floor_c

#endif // BOOST_ASIO_FUTURE_BENCH_FLOOR_C_HPP
