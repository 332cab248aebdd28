//
// Copyright (c) 2026 The asio_future Authors.
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// af::timeout and af::deadline: the completion-token adapters that bound any Asio operation by a
// deadline. Over a steady_timer (error_code signature), a future wait (exception_ptr signature:
// asyncio.wait_for), custom operations (honouring, observing or ignoring cancellation), and the
// tokens plain callback, deferred, use_async_future, use_awaitable, as_tuple(use_awaitable).
// Outer cancellation, the cancellation type, associated executor/allocator, allocations.
//
// Timing: real timers with generous margins (a deadline of 50ms against an operation of 5s, a
// winning result posted at once against a deadline of 5s). Tests assert order and outcome; the
// only duration checked is "did not linger": ctx.run() returns well before a cancelled 5s timer.

// The header under test comes first: it must be self-contained.
#include <boost/asio_future/timeout.hpp>

#define BOOST_TEST_MODULE timeout
#include <boost/asio_future/async_future.hpp>
#include <boost/asio_future/error.hpp>
#include <boost/asio_future/resolver.hpp>
#include <boost/asio_future/use_async_future.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/bind_allocator.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/system/error_code.hpp>
#include <boost/system/system_error.hpp>
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdlib>
#include <exception>
#include <memory>
#include <new>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#if defined(BOOST_ASIO_FUTURE_HAS_CO_AWAIT)
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#endif

#if defined(__SANITIZE_THREAD__)
#define ASIO_FUTURE_TEST_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define ASIO_FUTURE_TEST_TSAN 1
#endif
#endif

namespace af = boost::asio_future;
namespace asio = boost::asio;
using namespace std::chrono_literals;
using boost::system::error_code;

// ---------------------------------------------------------------------------------------------
// A counting global operator new (not under TSan, whose runtime owns the allocation functions).
// ---------------------------------------------------------------------------------------------

#if !defined(ASIO_FUTURE_TEST_TSAN)

namespace
{
std::atomic<long> g_news{0};

void* counted_alloc(std::size_t size) noexcept
{
    g_news.fetch_add(1, std::memory_order_relaxed);
    return std::malloc(size ? size : 1);
}

void* counted_aligned_alloc(std::size_t size, std::align_val_t al) noexcept
{
    g_news.fetch_add(1, std::memory_order_relaxed);
    std::size_t align = static_cast<std::size_t>(al);
    if (align < sizeof(void*))
        align = sizeof(void*);
    void* p = nullptr;
    if (::posix_memalign(&p, align, size ? size : 1) != 0)
        return nullptr;
    return p;
}
} // namespace

void* operator new(std::size_t size)
{
    if (void* p = counted_alloc(size))
        return p;
    throw std::bad_alloc();
}
void* operator new[](std::size_t size)
{
    if (void* p = counted_alloc(size))
        return p;
    throw std::bad_alloc();
}
void* operator new(std::size_t size, const std::nothrow_t&) noexcept
{
    return counted_alloc(size);
}
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept
{
    return counted_alloc(size);
}
void* operator new(std::size_t size, std::align_val_t al)
{
    if (void* p = counted_aligned_alloc(size, al))
        return p;
    throw std::bad_alloc();
}
void* operator new[](std::size_t size, std::align_val_t al)
{
    if (void* p = counted_aligned_alloc(size, al))
        return p;
    throw std::bad_alloc();
}
void* operator new(std::size_t size, std::align_val_t al, const std::nothrow_t&) noexcept
{
    return counted_aligned_alloc(size, al);
}
void* operator new[](std::size_t size, std::align_val_t al, const std::nothrow_t&) noexcept
{
    return counted_aligned_alloc(size, al);
}
void operator delete(void* p) noexcept
{
    std::free(p);
}
void operator delete[](void* p) noexcept
{
    std::free(p);
}
void operator delete(void* p, std::size_t) noexcept
{
    std::free(p);
}
void operator delete[](void* p, std::size_t) noexcept
{
    std::free(p);
}
void operator delete(void* p, const std::nothrow_t&) noexcept
{
    std::free(p);
}
void operator delete[](void* p, const std::nothrow_t&) noexcept
{
    std::free(p);
}
void operator delete(void* p, std::align_val_t) noexcept
{
    std::free(p);
}
void operator delete[](void* p, std::align_val_t) noexcept
{
    std::free(p);
}
void operator delete(void* p, std::size_t, std::align_val_t) noexcept
{
    std::free(p);
}
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept
{
    std::free(p);
}
void operator delete(void* p, std::align_val_t, const std::nothrow_t&) noexcept
{
    std::free(p);
}
void operator delete[](void* p, std::align_val_t, const std::nothrow_t&) noexcept
{
    std::free(p);
}

#endif // !ASIO_FUTURE_TEST_TSAN

namespace
{

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

using clock_type = std::chrono::steady_clock;

template <class E>
bool holds(const std::exception_ptr& e)
{
    if (!e)
        return false;
    try
    {
        std::rethrow_exception(e);
    }
    catch (const E&)
    {
        return true;
    }
    catch (...)
    {
        return false;
    }
}

error_code code_of(const std::exception_ptr& e)
{
    try
    {
        std::rethrow_exception(e);
    }
    catch (const boost::system::system_error& se)
    {
        return se.code();
    }
    catch (...)
    {
        return {};
    }
}

// A timeout_error with the timeout code, and not a cancelled_error.
bool is_timeout(const std::exception_ptr& e)
{
    return holds<af::timeout_error>(e) && !holds<af::cancelled_error>(e) &&
           code_of(e) == af::make_error_code(af::error::timeout);
}

// A cancelled_error (what an un-translated cancellation of a future wait delivers).
bool is_cancelled(const std::exception_ptr& e)
{
    return holds<af::cancelled_error>(e) && !holds<af::timeout_error>(e) &&
           code_of(e) == af::make_error_code(af::error::cancelled);
}

std::string cancel_message_of(const std::exception_ptr& e)
{
    try
    {
        std::rethrow_exception(e);
    }
    catch (const af::cancelled_error& ce)
    {
        return ce.cancel_message();
    }
    catch (...)
    {
        return "<not cancelled_error>";
    }
}

// What one wait of signature void(std::exception_ptr, int) saw.
struct waiter
{
    int calls = 0;
    std::exception_ptr error;
    int value = -1;

    auto handler()
    {
        return [this](std::exception_ptr e, int v)
        {
            ++calls;
            error = std::move(e);
            value = v;
        };
    }
};

// What one wait of signature void(error_code) saw.
struct ec_waiter
{
    int calls = 0;
    error_code ec;

    auto handler()
    {
        return [this](error_code e)
        {
            ++calls;
            ec = e;
        };
    }
};

// Runs ctx (bounded by a watchdog) and returns the elapsed time.
clock_type::duration timed_run(asio::io_context& ctx)
{
    const auto start = clock_type::now();
    ctx.run_for(10s);
    return clock_type::now() - start;
}

// ---------------------------------------------------------------------------------------------
// A custom operation "slow": completes after `after` on its io_context with
// void(error_code, int) or void(std::exception_ptr). On cancellation it:
//   ignore_unbound: never looks at its cancellation slot (the handler's slot is not bound);
//   observe_only:   records the emitted types but goes on until `after` (ignores them);
//   abort:          completes at once with `cancel_ec` / `cancel_ep`.
// The initiation has an executor (like an I/O object's), so the timer of af::timeout runs on
// the same io_context.
// ---------------------------------------------------------------------------------------------

enum class on_cancel
{
    ignore_unbound,
    observe_only,
    abort
};

struct slow_probe
{
    int emissions = 0;
    asio::cancellation_type_t seen = asio::cancellation_type::none;
    bool completed = false;
};

struct slow_config
{
    slow_config(std::chrono::milliseconds a, on_cancel m, int v = 7) : after(a), mode(m), value(v)
    {
    }

    std::chrono::milliseconds after;
    on_cancel mode;
    int value;
    error_code cancel_ec = asio::error::operation_aborted;
    std::exception_ptr cancel_ep;
};

template <bool ExceptionPtr>
struct initiate_slow
{
    using executor_type = asio::io_context::executor_type;

    asio::io_context* ctx;

    executor_type get_executor() const noexcept { return ctx->get_executor(); }

    template <class Handler>
    void operator()(Handler&& h, slow_config cfg, slow_probe* probe) const
    {
        using handler_type = std::decay_t<Handler>;
        struct op
        {
            op(asio::io_context& c, std::chrono::milliseconds after, handler_type&& h)
                : timer(c, after), handler(std::move(h))
            {
            }
            asio::steady_timer timer;
            handler_type handler;
            asio::cancellation_slot slot;
        };
        auto st = std::make_shared<op>(*ctx, cfg.after, std::move(h));
        if (cfg.mode != on_cancel::ignore_unbound)
        {
            auto slot = asio::get_associated_cancellation_slot(st->handler);
            if (slot.is_connected())
            {
                st->slot = slot;
                op* raw = st.get();
                const on_cancel mode = cfg.mode;
                slot.assign(
                    [raw, probe, mode](asio::cancellation_type_t t)
                    {
                        ++probe->emissions;
                        probe->seen = probe->seen | t;
                        if (mode == on_cancel::abort)
                            raw->timer.cancel();
                    });
            }
        }
        st->timer.async_wait(
            [st, probe, cfg](error_code ec)
            {
                if (st->slot.is_connected())
                    st->slot.clear();
                probe->completed = true;
                handler_type handler(std::move(st->handler));
                if constexpr (ExceptionPtr)
                    std::move(handler)(ec ? cfg.cancel_ep : std::exception_ptr());
                else if (ec)
                    std::move(handler)(cfg.cancel_ec, cfg.value);
                else
                    std::move(handler)(error_code(), cfg.value);
            });
    }
};

template <class Token>
auto async_slow_ec(asio::io_context& ctx, slow_config cfg, slow_probe& probe, Token&& token)
{
    return asio::async_initiate<Token, void(error_code, int)>(
        initiate_slow<false>{&ctx},
        token,
        std::move(cfg),
        &probe);
}

template <class Token>
auto async_slow_ep(asio::io_context& ctx, slow_config cfg, slow_probe& probe, Token&& token)
{
    return asio::async_initiate<Token, void(std::exception_ptr)>(
        initiate_slow<true>{&ctx},
        token,
        std::move(cfg),
        &probe);
}

// An operation whose initiation throws.
struct initiate_throwing
{
    using executor_type = asio::io_context::executor_type;
    asio::io_context* ctx;
    executor_type get_executor() const noexcept { return ctx->get_executor(); }

    template <class Handler>
    void operator()(Handler&&) const
    {
        throw std::runtime_error("initiation failed");
    }
};

// An operation that drops its handler without ever calling it.
struct initiate_dropping
{
    using executor_type = asio::io_context::executor_type;
    asio::io_context* ctx;
    executor_type get_executor() const noexcept { return ctx->get_executor(); }

    template <class Handler>
    void operator()(Handler&& h) const
    {
        std::decay_t<Handler> dropped(std::move(h));
        (void)dropped;
    }
};

// A std::allocator-like allocator that counts what goes through it.
struct alloc_stats
{
    std::atomic<long> allocs{0};
    std::atomic<long> deallocs{0};
};

template <class T>
struct counting_allocator
{
    using value_type = T;

    alloc_stats* stats;

    explicit counting_allocator(alloc_stats& s) noexcept : stats(&s) {}
    template <class U>
    counting_allocator(const counting_allocator<U>& other) noexcept : stats(other.stats)
    {
    }

    T* allocate(std::size_t n)
    {
        stats->allocs.fetch_add(1);
        return std::allocator<T>().allocate(n);
    }
    void deallocate(T* p, std::size_t n) noexcept
    {
        stats->deallocs.fetch_add(1);
        std::allocator<T>().deallocate(p, n);
    }

    template <class U>
    friend bool operator==(const counting_allocator& a, const counting_allocator<U>& b) noexcept
    {
        return a.stats == b.stats;
    }
    template <class U>
    friend bool operator!=(const counting_allocator& a, const counting_allocator<U>& b) noexcept
    {
        return a.stats != b.stats;
    }
};

} // namespace

// =============================================================================================
// 1. Over a steady_timer: signature void(error_code)
// =============================================================================================

BOOST_AUTO_TEST_SUITE(timer)

// tag::ref_timeout_timer[]
BOOST_AUTO_TEST_CASE(expiry_gives_error_timeout)
{
    asio::io_context ctx;
    asio::steady_timer t(ctx, 5s);
    ec_waiter w;
    t.async_wait(af::timeout(50ms, w.handler()));
    BOOST_TEST(w.calls == 0);
    const auto elapsed = timed_run(ctx);
    BOOST_TEST(w.calls == 1);
    BOOST_TEST((w.ec == af::error::timeout));
    BOOST_TEST((w.ec == af::make_error_code(af::error::timeout)));
    BOOST_TEST((w.ec != asio::error::operation_aborted));
    BOOST_TEST(std::string(w.ec.category().name()) == "asio_future");
    BOOST_TEST((elapsed < 4s)); // the 5s timer was cancelled: nothing lingers
}
// end::ref_timeout_timer[]

BOOST_AUTO_TEST_CASE(result_first_is_unchanged_and_nothing_lingers)
{
    asio::io_context ctx;
    asio::steady_timer t(ctx, 0ms);
    ec_waiter w;
    t.async_wait(af::timeout(5s, w.handler()));
    const auto start = clock_type::now();
    ctx.run();
    BOOST_TEST(w.calls == 1);
    BOOST_TEST(!w.ec);
    BOOST_TEST((clock_type::now() - start < 4s)); // the deadline's 5s timer was cancelled
}

BOOST_AUTO_TEST_CASE(deadline_behaves_like_timeout)
{
    asio::io_context ctx;
    asio::steady_timer t(ctx, 5s);
    ec_waiter w;
    t.async_wait(af::deadline(clock_type::now() + 50ms, w.handler()));
    const auto elapsed = timed_run(ctx);
    BOOST_TEST(w.calls == 1);
    BOOST_TEST((w.ec == af::error::timeout));
    BOOST_TEST((elapsed < 4s));
}

BOOST_AUTO_TEST_CASE(deadline_with_another_duration_type)
{
    asio::io_context ctx;
    asio::steady_timer t(ctx, 5s);
    ec_waiter w;
    const auto when =
        std::chrono::time_point_cast<std::chrono::milliseconds>(clock_type::now()) + 50ms;
    t.async_wait(af::deadline(when, w.handler()));
    timed_run(ctx);
    BOOST_TEST(w.calls == 1);
    BOOST_TEST((w.ec == af::error::timeout));
}

BOOST_AUTO_TEST_CASE(deadline_in_the_past_times_out)
{
    asio::io_context ctx;
    asio::steady_timer t(ctx, 5s);
    ec_waiter w;
    t.async_wait(af::deadline(clock_type::now() - 1h, w.handler()));
    BOOST_TEST(w.calls == 0); // never inline
    const auto elapsed = timed_run(ctx);
    BOOST_TEST(w.calls == 1);
    BOOST_TEST((w.ec == af::error::timeout));
    BOOST_TEST((elapsed < 4s));
}

BOOST_AUTO_TEST_CASE(each_cancellation_type_times_a_timer_out)
{
    for (auto type :
         {asio::cancellation_type::terminal,
          asio::cancellation_type::partial,
          asio::cancellation_type::total})
    {
        asio::io_context ctx;
        asio::steady_timer t(ctx, 5s);
        ec_waiter w;
        t.async_wait(af::timeout(50ms, w.handler(), type));
        const auto elapsed = timed_run(ctx);
        BOOST_TEST(w.calls == 1);
        BOOST_TEST((w.ec == af::error::timeout));
        BOOST_TEST((elapsed < 4s));
    }
}

BOOST_AUTO_TEST_CASE(outer_cancellation_is_not_translated)
{
    // The outer slot bound around the adapter, and inside it (on the handler): both reach the
    // timer, which completes with operation_aborted, left as is.
    for (int inside = 1; inside >= 0; --inside)
    {
        asio::io_context ctx;
        asio::steady_timer t(ctx, 5s);
        asio::cancellation_signal sig;
        ec_waiter w;
        if (inside)
            t.async_wait(af::timeout(5s, asio::bind_cancellation_slot(sig.slot(), w.handler())));
        else
            t.async_wait(asio::bind_cancellation_slot(sig.slot(), af::timeout(5s, w.handler())));
        asio::post(ctx, [&] { sig.emit(asio::cancellation_type::terminal); });
        const auto elapsed = timed_run(ctx);
        BOOST_TEST(w.calls == 1);
        BOOST_TEST((w.ec == asio::error::operation_aborted), "inside=" << inside);
        BOOST_TEST((elapsed < 4s));
    }
}

BOOST_AUTO_TEST_SUITE_END()

// =============================================================================================
// 2. Over a future wait: signature void(std::exception_ptr, T) (asyncio.wait_for)
// =============================================================================================

BOOST_AUTO_TEST_SUITE(future_wait)

BOOST_AUTO_TEST_CASE(expiry_gives_timeout_error_and_cancels_the_future)
{
    asio::io_context ctx;
    auto fut = af::make_future<int>(ctx);
    auto r = fut.get_resolver();
    waiter timed, plain;
    fut.async_wait(af::timeout(50ms, timed.handler()));
    fut.async_wait(plain.handler()); // another waiter, without deadline
    BOOST_TEST(timed.calls == 0);
    timed_run(ctx);
    BOOST_TEST(timed.calls == 1);
    BOOST_TEST(is_timeout(timed.error));
    // asyncio.wait_for: the future itself was cancelled; other waiters see a cancellation.
    BOOST_TEST(fut.cancelled());
    BOOST_TEST(plain.calls == 1);
    BOOST_TEST(is_cancelled(plain.error));
    BOOST_CHECK_THROW(fut.result(), af::cancelled_error);
    // A late result is a harmless no-op.
    BOOST_TEST(r.set_result(1) == false);
    BOOST_TEST(fut.try_set_result(2) == false);
    BOOST_TEST(fut.cancelled());
    ctx.restart();
    ctx.run();
    BOOST_TEST(timed.calls == 1);
    BOOST_TEST(plain.calls == 1);
}

BOOST_AUTO_TEST_CASE(result_first_is_unchanged_and_nothing_lingers)
{
    asio::io_context ctx;
    auto fut = af::make_future<int>(ctx);
    waiter w;
    fut.async_wait(af::timeout(5s, w.handler()));
    asio::post(ctx, [fut]() { fut.set_result(42); });
    const auto start = clock_type::now();
    ctx.run();
    BOOST_TEST((clock_type::now() - start < 4s)); // the 5s timer was cancelled
    BOOST_TEST(w.calls == 1);
    BOOST_TEST(!w.error);
    BOOST_TEST(w.value == 42);
    BOOST_TEST(fut.done());
    BOOST_TEST(!fut.cancelled());
}

BOOST_AUTO_TEST_CASE(exception_first_is_unchanged)
{
    asio::io_context ctx;
    auto fut = af::make_future<int>(ctx);
    waiter w;
    fut.async_wait(af::timeout(5s, w.handler()));
    asio::post(ctx, [fut]() { fut.set_exception(std::runtime_error("boom")); });
    const auto elapsed = timed_run(ctx);
    BOOST_TEST(w.calls == 1);
    BOOST_TEST(holds<std::runtime_error>(w.error));
    BOOST_TEST(!holds<af::timeout_error>(w.error));
    BOOST_TEST((elapsed < 4s));
}

BOOST_AUTO_TEST_CASE(cancelled_by_someone_else_first_is_not_a_timeout)
{
    asio::io_context ctx;
    auto fut = af::make_future<int>(ctx);
    waiter w;
    fut.async_wait(af::timeout(5s, w.handler()));
    asio::post(ctx, [fut]() { fut.cancel("bye"); });
    const auto elapsed = timed_run(ctx);
    BOOST_TEST(w.calls == 1);
    BOOST_TEST(is_cancelled(w.error));
    BOOST_TEST(cancel_message_of(w.error) == "bye");
    BOOST_TEST((elapsed < 4s));
}

BOOST_AUTO_TEST_CASE(done_future_delivers_its_result_not_inline)
{
    asio::io_context ctx;
    auto fut = af::make_future<int>(ctx);
    fut.set_result(5);
    waiter w;
    fut.async_wait(af::timeout(5s, w.handler()));
    BOOST_TEST(w.calls == 0); // never inside the initiating call
    const auto start = clock_type::now();
    ctx.run();
    BOOST_TEST((clock_type::now() - start < 4s));
    BOOST_TEST(w.calls == 1);
    BOOST_TEST(!w.error);
    BOOST_TEST(w.value == 5);
}

// tag::ref_timeout_total[]
BOOST_AUTO_TEST_CASE(cancellation_type_total_keeps_the_future_pending)
{
    asio::io_context ctx;
    auto fut = af::make_future<int>(ctx);
    waiter timed, later;
    fut.async_wait(af::timeout(50ms, timed.handler(), asio::cancellation_type::total));
    timed_run(ctx);
    BOOST_TEST(timed.calls == 1);
    BOOST_TEST(is_timeout(timed.error));
    BOOST_TEST(!fut.done()); // only the wait ended
    fut.async_wait(later.handler());
    asio::post(ctx, [fut]() { fut.set_result(9); });
    ctx.restart();
    timed_run(ctx);
    BOOST_TEST(later.calls == 1);
    BOOST_TEST(!later.error);
    BOOST_TEST(later.value == 9);
    BOOST_TEST(timed.calls == 1);
}
// end::ref_timeout_total[]

BOOST_AUTO_TEST_CASE(cancellation_type_partial_cancels_the_future)
{
    asio::io_context ctx;
    auto fut = af::make_future<int>(ctx);
    waiter timed;
    fut.async_wait(af::timeout(50ms, timed.handler(), asio::cancellation_type::partial));
    timed_run(ctx);
    BOOST_TEST(timed.calls == 1);
    BOOST_TEST(is_timeout(timed.error));
    BOOST_TEST(fut.cancelled());
}

// tag::ref_deadline[]
BOOST_AUTO_TEST_CASE(deadline_on_a_future)
{
    asio::io_context ctx;
    auto fut = af::make_future<int>(ctx);
    waiter w;
    fut.async_wait(af::deadline(clock_type::now() + 50ms, w.handler()));
    timed_run(ctx);
    BOOST_TEST(w.calls == 1);
    BOOST_TEST(is_timeout(w.error));
    BOOST_TEST(fut.cancelled());
}
// end::ref_deadline[]

BOOST_AUTO_TEST_CASE(void_future)
{
    asio::io_context ctx;
    auto fut = af::make_future<void>(ctx);
    int calls = 0;
    std::exception_ptr error;
    fut.async_wait(af::timeout(
        50ms,
        [&](std::exception_ptr e)
        {
            ++calls;
            error = std::move(e);
        }));
    timed_run(ctx);
    BOOST_TEST(calls == 1);
    BOOST_TEST(is_timeout(error));
    BOOST_TEST(fut.cancelled());
}

namespace
{
struct no_default
{
    explicit no_default(int x) : v(x) {}
    int v;
};
} // namespace

BOOST_AUTO_TEST_CASE(non_default_constructible_value)
{
    // Signature void(std::exception_ptr, std::optional<no_default>): the translation keeps
    // the value argument as it is.
    for (int win = 0; win < 2; ++win)
    {
        asio::io_context ctx;
        auto fut = af::make_future<no_default>(ctx);
        int calls = 0;
        std::exception_ptr error;
        std::optional<no_default> value;
        fut.async_wait(af::timeout(
            win ? 5s : 50ms,
            [&](std::exception_ptr e, std::optional<no_default> v)
            {
                ++calls;
                error = std::move(e);
                value = std::move(v);
            }));
        if (win)
            asio::post(ctx, [fut]() { fut.set_result(3); });
        timed_run(ctx);
        BOOST_TEST(calls == 1);
        if (win)
        {
            BOOST_TEST(!error);
            BOOST_TEST_REQUIRE(value.has_value());
            BOOST_TEST(value->v == 3);
        }
        else
        {
            BOOST_TEST(is_timeout(error));
            BOOST_TEST(!value.has_value());
        }
    }
}

BOOST_AUTO_TEST_CASE(async_take_move_only_under_timeout)
{
    asio::io_context ctx;
    auto fut = af::make_future<std::unique_ptr<int>>(ctx);
    int calls = 0;
    std::unique_ptr<int> got;
    fut.async_take(af::timeout(
        5s,
        [&](std::exception_ptr e, std::unique_ptr<int> v)
        {
            ++calls;
            if (!e)
                got = std::move(v);
        }));
    asio::post(ctx, [fut]() { fut.set_result(std::make_unique<int>(11)); });
    const auto elapsed = timed_run(ctx);
    BOOST_TEST(calls == 1);
    BOOST_TEST_REQUIRE((got != nullptr));
    BOOST_TEST(*got == 11);
    BOOST_TEST((elapsed < 4s));
}

BOOST_AUTO_TEST_CASE(late_result_after_the_deadline_is_a_no_op)
{
    asio::io_context ctx;
    auto fut = af::make_future<int>(ctx);
    auto r = fut.get_resolver();
    waiter w;
    bool late = true;
    fut.async_wait(af::timeout(
        50ms,
        [&, r](std::exception_ptr e, int v) mutable
        {
            w.handler()(std::move(e), v);
            late = r.set_result(1); // from inside the handler, after the deadline
        }));
    timed_run(ctx);
    BOOST_TEST(w.calls == 1);
    BOOST_TEST(is_timeout(w.error));
    BOOST_TEST(late == false);
    BOOST_TEST(r.set_result(2) == false);
    BOOST_TEST(r.set_exception(std::make_exception_ptr(std::runtime_error("x"))) == false);
    BOOST_TEST(r.cancel() == false);
    BOOST_TEST(fut.cancelled());
}

BOOST_AUTO_TEST_CASE(several_timed_waits_each_time_out)
{
    // The first deadline cancels the future; the second wait then sees the cancellation, which
    // it did not cause: it is not translated.
    asio::io_context ctx;
    auto fut = af::make_future<int>(ctx);
    waiter first, second;
    fut.async_wait(af::timeout(50ms, first.handler()));
    fut.async_wait(af::timeout(5s, second.handler()));
    const auto elapsed = timed_run(ctx);
    BOOST_TEST(first.calls == 1);
    BOOST_TEST(is_timeout(first.error));
    BOOST_TEST(second.calls == 1);
    BOOST_TEST(is_cancelled(second.error));
    BOOST_TEST((elapsed < 4s));
}

BOOST_AUTO_TEST_SUITE_END()

// =============================================================================================
// 3. Tokens inside the adapter
// =============================================================================================

BOOST_AUTO_TEST_SUITE(tokens)

BOOST_AUTO_TEST_CASE(use_async_future_over_a_timer)
{
    asio::io_context ctx;
    asio::steady_timer t(ctx, 5s);
    af::async_future<void> f = t.async_wait(af::timeout(50ms, af::use_async_future));
    BOOST_TEST(!f.done());
    const auto elapsed = timed_run(ctx);
    BOOST_TEST_REQUIRE(f.done());
    BOOST_TEST(!f.cancelled());
    const auto e = f.exception();
    BOOST_TEST(holds<boost::system::system_error>(e));
    BOOST_TEST((code_of(e) == af::error::timeout));
    BOOST_TEST((elapsed < 4s));
}

BOOST_AUTO_TEST_CASE(use_async_future_over_a_timer_result_first)
{
    asio::io_context ctx;
    asio::steady_timer t(ctx, 0ms);
    af::async_future<void> f = t.async_wait(af::timeout(5s, af::use_async_future));
    const auto start = clock_type::now();
    ctx.run();
    BOOST_TEST((clock_type::now() - start < 4s));
    BOOST_TEST_REQUIRE(f.done());
    BOOST_TEST(!f.exception());
}

BOOST_AUTO_TEST_CASE(use_async_future_over_a_future_wait)
{
    asio::io_context ctx;
    auto fut = af::make_future<int>(ctx);
    af::async_future<int> f = fut.async_wait(af::timeout(50ms, af::use_async_future));
    timed_run(ctx);
    BOOST_TEST_REQUIRE(f.done());
    BOOST_TEST(is_timeout(f.exception()));
    BOOST_TEST(fut.cancelled());

    // Result first.
    auto fut2 = af::make_future<int>(ctx);
    af::async_future<int> f2 = fut2.async_wait(af::timeout(5s, af::use_async_future));
    asio::post(ctx, [fut2]() mutable { fut2.set_result(8); });
    ctx.restart();
    const auto elapsed = timed_run(ctx);
    BOOST_TEST_REQUIRE(f2.done());
    BOOST_TEST(f2.result() == 8);
    BOOST_TEST((elapsed < 4s));
}

BOOST_AUTO_TEST_CASE(use_async_future_outer_cancel_reaches_the_operation)
{
    // Cancelling the outer future emits terminal through the adapter: the timer stops at once
    // (nothing lingers), the completion is not translated (the future is cancelled).
    asio::io_context ctx;
    asio::steady_timer t(ctx, 5s);
    af::async_future<void> f = t.async_wait(af::timeout(5s, af::use_async_future));
    asio::post(ctx, [f]() { f.cancel("outer"); });
    const auto elapsed = timed_run(ctx);
    BOOST_TEST(f.cancelled());
    BOOST_TEST((elapsed < 4s));

    // Over a future wait: the inner future is cancelled too (terminal), not timed out.
    auto fut = af::make_future<int>(ctx);
    af::async_future<int> g = fut.async_wait(af::timeout(5s, af::use_async_future));
    asio::post(ctx, [g]() mutable { g.cancel(); });
    ctx.restart();
    const auto elapsed2 = timed_run(ctx);
    BOOST_TEST(g.cancelled());
    BOOST_TEST(fut.cancelled());
    BOOST_TEST((elapsed2 < 4s));
}

BOOST_AUTO_TEST_CASE(deferred_over_a_timer_and_a_future)
{
    asio::io_context ctx;
    asio::steady_timer t(ctx, 5s);
    ec_waiter w;
    auto op = t.async_wait(af::timeout(50ms, asio::deferred));
    BOOST_TEST(ctx.poll() == 0); // nothing started yet
    ctx.restart();
    std::move(op)(w.handler());
    timed_run(ctx);
    BOOST_TEST(w.calls == 1);
    BOOST_TEST((w.ec == af::error::timeout));

    auto fut = af::make_future<int>(ctx);
    waiter fw;
    auto fop = fut.async_wait(af::timeout(5s, asio::deferred));
    std::move(fop)(fw.handler());
    asio::post(ctx, [fut]() { fut.set_result(4); });
    ctx.restart();
    const auto elapsed = timed_run(ctx);
    BOOST_TEST(fw.calls == 1);
    BOOST_TEST(!fw.error);
    BOOST_TEST(fw.value == 4);
    BOOST_TEST((elapsed < 4s));

    auto fut2 = af::make_future<int>(ctx);
    waiter fw2;
    fut2.async_wait(af::timeout(50ms, asio::deferred))(fw2.handler());
    ctx.restart();
    timed_run(ctx);
    BOOST_TEST(fw2.calls == 1);
    BOOST_TEST(is_timeout(fw2.error));
    BOOST_TEST(fut2.cancelled());
}

#if defined(BOOST_ASIO_FUTURE_HAS_CO_AWAIT)

BOOST_AUTO_TEST_CASE(use_awaitable_over_a_future)
{
    asio::io_context ctx;
    auto fut = af::make_future<int>(ctx);
    auto fut2 = af::make_future<int>(ctx);
    int outcome = 0;
    int value = -1;
    asio::co_spawn(
        ctx,
        [&]() -> asio::awaitable<void>
        {
            try
            {
                co_await fut.async_wait(af::timeout(50ms, asio::use_awaitable));
                outcome = 1;
            }
            catch (const af::timeout_error& e)
            {
                outcome = e.code() == af::error::timeout ? 2 : 3;
            }
            catch (...)
            {
                outcome = 4;
            }
            asio::post(ctx, [&] { fut2.set_result(21); });
            value = co_await fut2.async_wait(af::timeout(5s, asio::use_awaitable));
        },
        asio::detached);
    const auto elapsed = timed_run(ctx);
    BOOST_TEST(outcome == 2);
    BOOST_TEST(fut.cancelled());
    BOOST_TEST(value == 21);
    BOOST_TEST((elapsed < 4s));
}

BOOST_AUTO_TEST_CASE(use_awaitable_over_a_timer)
{
    asio::io_context ctx;
    error_code caught;
    bool finished = false;
    asio::co_spawn(
        ctx,
        [&]() -> asio::awaitable<void>
        {
            asio::steady_timer t(ctx, 5s);
            try
            {
                co_await t.async_wait(af::timeout(50ms, asio::use_awaitable));
            }
            catch (const boost::system::system_error& e)
            {
                caught = e.code();
            }
            asio::steady_timer quick(ctx, 0ms);
            co_await quick.async_wait(af::timeout(5s, asio::use_awaitable));
            finished = true;
        },
        asio::detached);
    const auto elapsed = timed_run(ctx);
    BOOST_TEST((caught == af::error::timeout));
    BOOST_TEST(finished);
    BOOST_TEST((elapsed < 4s));
}

BOOST_AUTO_TEST_CASE(as_tuple_use_awaitable)
{
    asio::io_context ctx;
    auto fut = af::make_future<int>(ctx);
    std::exception_ptr fe;
    error_code tec;
    int value = -1;
    std::exception_ptr ve = std::make_exception_ptr(std::runtime_error("unset"));
    asio::co_spawn(
        ctx,
        [&]() -> asio::awaitable<void>
        {
            auto [e, v] =
                co_await fut.async_wait(af::timeout(50ms, asio::as_tuple(asio::use_awaitable)));
            fe = e;
            (void)v;

            asio::steady_timer t(ctx, 5s);
            auto [ec] =
                co_await t.async_wait(af::timeout(50ms, asio::as_tuple(asio::use_awaitable)));
            tec = ec;

            auto fut2 = af::make_future<int>(ctx);
            asio::post(ctx, [fut2]() mutable { fut2.set_result(6); });
            auto [e2, v2] =
                co_await fut2.async_wait(af::timeout(5s, asio::as_tuple(asio::use_awaitable)));
            ve = e2;
            value = v2;
        },
        asio::detached);
    const auto elapsed = timed_run(ctx);
    BOOST_TEST(is_timeout(fe));
    BOOST_TEST((tec == af::error::timeout));
    BOOST_TEST(!ve);
    BOOST_TEST(value == 6);
    BOOST_TEST((elapsed < 4s));
}

#endif // BOOST_ASIO_FUTURE_HAS_CO_AWAIT

BOOST_AUTO_TEST_SUITE_END()

// =============================================================================================
// 4. Outer cancellation through the adapter
// =============================================================================================

BOOST_AUTO_TEST_SUITE(outer_cancellation)

BOOST_AUTO_TEST_CASE(slot_bound_outside_reaches_the_operation_not_translated)
{
    asio::io_context ctx;
    auto fut = af::make_future<int>(ctx);
    asio::cancellation_signal sig;
    waiter w;
    fut.async_wait(asio::bind_cancellation_slot(sig.slot(), af::timeout(5s, w.handler())));
    asio::post(ctx, [&] { sig.emit(asio::cancellation_type::terminal); });
    const auto elapsed = timed_run(ctx);
    BOOST_TEST(w.calls == 1);
    BOOST_TEST(is_cancelled(w.error));
    BOOST_TEST(!holds<af::timeout_error>(w.error));
    BOOST_TEST(fut.cancelled());
    BOOST_TEST((elapsed < 4s));                  // the 5s deadline timer does not linger
    sig.emit(asio::cancellation_type::terminal); // after completion: harmless
    ctx.restart();
    ctx.run();
    BOOST_TEST(w.calls == 1);
}

BOOST_AUTO_TEST_CASE(slot_bound_inside_is_forwarded_not_translated)
{
    for (auto type :
         {asio::cancellation_type::terminal,
          asio::cancellation_type::partial,
          asio::cancellation_type::total})
    {
        asio::io_context ctx;
        auto fut = af::make_future<int>(ctx);
        asio::cancellation_signal sig;
        waiter w;
        fut.async_wait(af::timeout(5s, asio::bind_cancellation_slot(sig.slot(), w.handler())));
        asio::post(ctx, [&sig, type] { sig.emit(type); });
        const auto elapsed = timed_run(ctx);
        BOOST_TEST(w.calls == 1);
        BOOST_TEST(is_cancelled(w.error));
        // The type is forwarded as emitted: total only detaches the wait.
        BOOST_TEST(fut.cancelled() == (type != asio::cancellation_type::total));
        BOOST_TEST((elapsed < 4s));
        sig.emit(asio::cancellation_type::terminal); // after completion: harmless
        BOOST_TEST(fut.cancelled() == (type != asio::cancellation_type::total));
    }
}

BOOST_AUTO_TEST_CASE(never_completes_inside_emit)
{
    asio::io_context ctx;
    auto fut = af::make_future<int>(ctx);
    asio::cancellation_signal sig;
    waiter w;
    fut.async_wait(af::timeout(5s, asio::bind_cancellation_slot(sig.slot(), w.handler())));
    int during_emit = -1;
    asio::post(
        ctx,
        [&]
        {
            sig.emit(asio::cancellation_type::terminal);
            during_emit = w.calls;
        });
    timed_run(ctx);
    BOOST_TEST(during_emit == 0);
    BOOST_TEST(w.calls == 1);
}

BOOST_AUTO_TEST_CASE(deadline_fires_with_an_outer_slot_bound_inside)
{
    asio::io_context ctx;
    auto fut = af::make_future<int>(ctx);
    asio::cancellation_signal sig;
    waiter w;
    fut.async_wait(af::timeout(50ms, asio::bind_cancellation_slot(sig.slot(), w.handler())));
    timed_run(ctx);
    BOOST_TEST(w.calls == 1);
    BOOST_TEST(is_timeout(w.error));
    BOOST_TEST(fut.cancelled());
    sig.emit(asio::cancellation_type::terminal); // the outer slot was cleared: harmless
}

// bind_cancellation_slot around the adapter is rewritten as the adapter around the bound
// handler: the deadline still reaches the operation, and the outer slot is forwarded.
BOOST_AUTO_TEST_CASE(deadline_fires_with_an_outer_slot_bound_outside)
{
    asio::io_context ctx;
    auto fut = af::make_future<int>(ctx);
    asio::cancellation_signal sig;
    waiter w;
    fut.async_wait(asio::bind_cancellation_slot(sig.slot(), af::timeout(50ms, w.handler())));
    const auto elapsed = timed_run(ctx);
    BOOST_TEST(w.calls == 1);
    BOOST_TEST(is_timeout(w.error));
    BOOST_TEST(fut.cancelled());
    BOOST_TEST((elapsed < 4s));
    sig.emit(asio::cancellation_type::terminal); // the outer slot was cleared: harmless
}

// A binder held in a variable and used twice: the rewrite copies the caller's token.
BOOST_AUTO_TEST_CASE(lvalue_binder_around_the_adapter_is_copied)
{
    asio::io_context ctx;
    auto a = af::make_future<int>(ctx);
    auto b = af::make_future<int>(ctx);
    int calls = 0, sum = 0;
    auto h = [&](std::exception_ptr e, int v)
    {
        ++calls;
        if (!e)
            sum += v;
    };
    const auto token = asio::bind_executor(ctx.get_executor(), af::timeout(5s, h));
    a.async_wait(token);
    b.async_wait(token);
    a.set_result(1);
    b.set_result(2);
    const auto elapsed = timed_run(ctx);
    BOOST_TEST(calls == 2);
    BOOST_TEST(sum == 3);
    BOOST_TEST((elapsed < 4s));
}

#if defined(BOOST_ASIO_FUTURE_HAS_CO_AWAIT)

BOOST_AUTO_TEST_CASE(co_spawn_cancellation_is_not_a_timeout)
{
    asio::io_context ctx;
    auto fut = af::make_future<int>(ctx);
    asio::cancellation_signal sig;
    int outcome = 0;
    std::exception_ptr spawn_result = std::make_exception_ptr(std::runtime_error("unset"));
    asio::co_spawn(
        ctx,
        [&]() -> asio::awaitable<void>
        {
            // Emitted once this coroutine is suspended in the wait.
            asio::post(ctx, [&] { sig.emit(asio::cancellation_type::terminal); });
            try
            {
                co_await fut.async_wait(af::timeout(5s, asio::use_awaitable));
                outcome = 1;
            }
            catch (const af::timeout_error&)
            {
                outcome = 2;
            }
            catch (const af::cancelled_error&)
            {
                outcome = 3;
            }
            catch (...)
            {
                outcome = 4;
            }
        },
        asio::bind_cancellation_slot(sig.slot(), [&](std::exception_ptr e) { spawn_result = e; }));
    const auto elapsed = timed_run(ctx);
    BOOST_TEST(outcome == 3);
    BOOST_TEST(!spawn_result);
    BOOST_TEST(fut.cancelled());
    BOOST_TEST((elapsed < 4s));
}

BOOST_AUTO_TEST_CASE(co_spawn_with_a_slot_still_times_out)
{
    asio::io_context ctx;
    auto fut = af::make_future<int>(ctx);
    asio::cancellation_signal sig;
    int outcome = 0;
    asio::co_spawn(
        ctx,
        [&]() -> asio::awaitable<void>
        {
            try
            {
                co_await fut.async_wait(af::timeout(50ms, asio::use_awaitable));
                outcome = 1;
            }
            catch (const af::timeout_error&)
            {
                outcome = 2;
            }
            catch (...)
            {
                outcome = 3;
            }
        },
        asio::bind_cancellation_slot(sig.slot(), asio::detached));
    timed_run(ctx);
    BOOST_TEST(outcome == 2);
    BOOST_TEST(fut.cancelled());
}

#endif // BOOST_ASIO_FUTURE_HAS_CO_AWAIT

BOOST_AUTO_TEST_SUITE_END()

// =============================================================================================
// 5. Operations: honouring, observing or ignoring cancellation; throwing; dropping the handler
// =============================================================================================

BOOST_AUTO_TEST_SUITE(operations)

// An operation that ignores cancellation (it never binds the slot: its 300ms timer is not
// tied to it) is still waited for, per Asio's rule that an operation owns its handler until it
// completes. Its real result arrives, untranslated: it did not complete because of the
// cancellation, it completed successfully.
BOOST_AUTO_TEST_CASE(operation_ignoring_cancellation_is_still_waited_for)
{
    asio::io_context ctx;
    slow_probe probe;
    int calls = 0;
    error_code ec = asio::error::eof;
    int value = -1;
    async_slow_ec(
        ctx,
        slow_config{300ms, on_cancel::ignore_unbound, 7},
        probe,
        af::timeout(
            20ms,
            [&](error_code e, int v)
            {
                ++calls;
                ec = e;
                value = v;
            }));
    timed_run(ctx);
    BOOST_TEST(calls == 1);
    BOOST_TEST(probe.completed);
    BOOST_TEST(!ec);
    BOOST_TEST(value == 7);
}

// The same with an operation that sees the deadline's emission (proving the deadline fired
// first) but goes on: the real result arrives, untranslated.
BOOST_AUTO_TEST_CASE(operation_observing_but_ignoring_cancellation)
{
    asio::io_context ctx;
    slow_probe probe;
    int calls = 0;
    error_code ec = asio::error::eof;
    int value = -1;
    async_slow_ec(
        ctx,
        slow_config{300ms, on_cancel::observe_only, 7},
        probe,
        af::timeout(
            20ms,
            [&](error_code e, int v)
            {
                ++calls;
                ec = e;
                value = v;
            }));
    timed_run(ctx);
    BOOST_TEST(probe.emissions == 1);
    BOOST_TEST((probe.seen == asio::cancellation_type::terminal));
    BOOST_TEST(calls == 1);
    BOOST_TEST(!ec);
    BOOST_TEST(value == 7);
}

BOOST_AUTO_TEST_CASE(operation_aborted_with_values_is_translated_values_kept)
{
    asio::io_context ctx;
    slow_probe probe;
    int calls = 0;
    error_code ec;
    int value = -1;
    async_slow_ec(
        ctx,
        slow_config{5000ms, on_cancel::abort, 3},
        probe,
        af::timeout(
            50ms,
            [&](error_code e, int v)
            {
                ++calls;
                ec = e;
                value = v;
            }));
    const auto elapsed = timed_run(ctx);
    BOOST_TEST(calls == 1);
    BOOST_TEST((ec == af::error::timeout));
    BOOST_TEST(value == 3);
    BOOST_TEST((elapsed < 4s));
}

BOOST_AUTO_TEST_CASE(error_cancelled_code_is_translated)
{
    asio::io_context ctx;
    slow_probe probe;
    error_code ec;
    slow_config cfg{5000ms, on_cancel::abort, 3};
    cfg.cancel_ec = af::make_error_code(af::error::cancelled);
    async_slow_ec(ctx, cfg, probe, af::timeout(50ms, [&](error_code e, int) { ec = e; }));
    timed_run(ctx);
    BOOST_TEST((ec == af::error::timeout));
}

BOOST_AUTO_TEST_CASE(other_error_after_cancellation_is_not_translated)
{
    asio::io_context ctx;
    slow_probe probe;
    error_code ec;
    slow_config cfg{5000ms, on_cancel::abort, 3};
    cfg.cancel_ec = asio::error::connection_reset;
    async_slow_ec(ctx, cfg, probe, af::timeout(50ms, [&](error_code e, int) { ec = e; }));
    timed_run(ctx);
    BOOST_TEST(probe.emissions == 1);
    BOOST_TEST((ec == asio::error::connection_reset));
}

BOOST_AUTO_TEST_CASE(exception_ptr_operation_aborted_is_translated)
{
    asio::io_context ctx;
    slow_probe probe;
    int calls = 0;
    std::exception_ptr error;
    slow_config cfg{5000ms, on_cancel::abort};
    cfg.cancel_ep =
        std::make_exception_ptr(boost::system::system_error(asio::error::operation_aborted));
    async_slow_ep(
        ctx,
        cfg,
        probe,
        af::timeout(
            50ms,
            [&](std::exception_ptr e)
            {
                ++calls;
                error = std::move(e);
            }));
    timed_run(ctx);
    BOOST_TEST(calls == 1);
    BOOST_TEST(is_timeout(error));
}

BOOST_AUTO_TEST_CASE(exception_ptr_cancelled_error_is_translated)
{
    asio::io_context ctx;
    slow_probe probe;
    std::exception_ptr error;
    slow_config cfg{5000ms, on_cancel::abort};
    cfg.cancel_ep = std::make_exception_ptr(af::cancelled_error("gone"));
    async_slow_ep(ctx, cfg, probe, af::timeout(50ms, [&](std::exception_ptr e) { error = e; }));
    timed_run(ctx);
    BOOST_TEST(is_timeout(error));
}

BOOST_AUTO_TEST_CASE(exception_ptr_other_error_is_not_translated)
{
    asio::io_context ctx;
    slow_probe probe;
    std::exception_ptr error;
    slow_config cfg{5000ms, on_cancel::abort};
    cfg.cancel_ep = std::make_exception_ptr(std::runtime_error("other"));
    async_slow_ep(ctx, cfg, probe, af::timeout(50ms, [&](std::exception_ptr e) { error = e; }));
    timed_run(ctx);
    BOOST_TEST(probe.emissions == 1);
    BOOST_TEST(holds<std::runtime_error>(error));
    BOOST_TEST(!holds<af::timeout_error>(error));
}

BOOST_AUTO_TEST_CASE(throwing_initiation_propagates_and_nothing_lingers)
{
    asio::io_context ctx;
    int calls = 0;
    auto token = af::timeout(5s, [&](error_code) { ++calls; });
    BOOST_CHECK_THROW(
        (asio::async_initiate<decltype(token), void(error_code)>(initiate_throwing{&ctx}, token)),
        std::runtime_error);
    const auto start = clock_type::now();
    ctx.run();
    BOOST_TEST((clock_type::now() - start < 4s)); // the deadline's timer was let go
    BOOST_TEST(calls == 0);
}

BOOST_AUTO_TEST_CASE(dropped_handler_lets_go_and_nothing_lingers)
{
    asio::io_context ctx;
    int calls = 0;
    auto token = af::timeout(5s, [&](error_code) { ++calls; });
    asio::async_initiate<decltype(token), void(error_code)>(initiate_dropping{&ctx}, token);
    const auto start = clock_type::now();
    ctx.run();
    BOOST_TEST((clock_type::now() - start < 4s));
    BOOST_TEST(calls == 0);
}

BOOST_AUTO_TEST_CASE(context_destroyed_with_a_pending_timed_wait)
{
    int calls = 0;
    af::async_future<int> fut;
    {
        asio::io_context ctx;
        fut = af::make_future<int>(ctx);
        fut.async_wait(af::timeout(5s, [&](std::exception_ptr, int) { ++calls; }));
        asio::steady_timer t(ctx, 5s);
        t.async_wait(af::timeout(5s, [&](error_code) { ++calls; }));
        ctx.poll();
    } // no leak (ASan), no crash, handlers destroyed uninvoked
    BOOST_TEST(calls == 0);
    BOOST_TEST(fut.cancelled());
}

BOOST_AUTO_TEST_SUITE_END()

// =============================================================================================
// 6. Associated executor and allocator
// =============================================================================================

BOOST_AUTO_TEST_SUITE(associators)

BOOST_AUTO_TEST_CASE(handler_executor_is_kept)
{
    // Result first, and deadline first; the context is run by two threads.
    for (int timed_out = 0; timed_out < 2; ++timed_out)
    {
        asio::io_context ctx;
        auto strand = asio::make_strand(ctx);
        auto fut = af::make_future<int>(ctx);
        std::atomic<int> calls{0};
        std::atomic<bool> on_strand{false};
        std::atomic<bool> got_timeout{false};
        fut.async_wait(af::timeout(
            timed_out ? 50ms : 5000ms,
            asio::bind_executor(
                strand,
                [&](std::exception_ptr e, int)
                {
                    on_strand = strand.running_in_this_thread();
                    got_timeout = is_timeout(e);
                    ++calls;
                })));
        if (!timed_out)
            asio::post(ctx, [fut]() { fut.set_result(1); });
        std::thread other([&] { ctx.run_for(10s); });
        ctx.run_for(10s);
        other.join();
        BOOST_TEST(calls.load() == 1);
        BOOST_TEST(on_strand.load());
        BOOST_TEST(got_timeout.load() == (timed_out == 1));
    }
}

// The deadline's timer belongs to the executor the handler completes on: a waiter bound to
// another context times out with only that context running.
BOOST_AUTO_TEST_CASE(deadline_runs_on_the_handler_executor_context)
{
    asio::io_context ctx, other;
    auto fut = af::make_future<int>(ctx);
    waiter w;
    fut.async_wait(af::timeout(20ms, asio::bind_executor(other, w.handler())));
    const auto elapsed = timed_run(other);
    BOOST_TEST(w.calls == 1);
    BOOST_TEST(is_timeout(w.error));
    BOOST_TEST(fut.cancelled());
    BOOST_TEST((elapsed < 4s));
}

BOOST_AUTO_TEST_CASE(executor_bound_around_the_adapter)
{
    asio::io_context ctx;
    auto strand = asio::make_strand(ctx);
    auto fut = af::make_future<int>(ctx);
    int calls = 0;
    bool on_strand = false;
    fut.async_wait(asio::bind_executor(
        strand,
        af::timeout(
            5s,
            [&](std::exception_ptr e, int v)
            {
                on_strand = strand.running_in_this_thread();
                if (!e && v == 2)
                    ++calls;
            })));
    asio::post(ctx, [fut]() { fut.set_result(2); });
    const auto elapsed = timed_run(ctx);
    BOOST_TEST(calls == 1);
    BOOST_TEST(on_strand);
    BOOST_TEST((elapsed < 4s));
}

namespace
{

// Waits whose result races the deadline on an io_context run by two threads, the handler bound
// to a strand inside the adapter (af::timeout(d, bind_executor(strand, h))) or around it
// (bind_executor(strand, af::timeout(d, h))). The deadline's timer and the operation must then
// complete on the strand one at a time: ThreadSanitizer reports any overlap. Returns the number
// of iterations whose outcome was wrong.
int strand_race(bool inside, int iterations)
{
    int bad = 0;
    for (int i = 0; i < iterations; ++i)
    {
        asio::io_context ctx;
        auto strand = asio::make_strand(ctx);
        auto fut = af::make_future<int>(ctx);
        std::atomic<int> calls{0};
        std::atomic<bool> on_strand{false};
        std::atomic<bool> consistent{false};
        auto h = [&](std::exception_ptr e, int v)
        {
            on_strand = strand.running_in_this_thread();
            consistent = (!e && v == 1) || is_timeout(e);
            ++calls;
        };
        const auto d = std::chrono::microseconds(100 + 10 * (i % 20));
        if (inside)
            fut.async_wait(af::timeout(d, asio::bind_executor(strand, h)));
        else
            fut.async_wait(asio::bind_executor(strand, af::timeout(d, h)));
        asio::steady_timer resolve(ctx, std::chrono::microseconds(100 + 10 * (i % 17)));
        resolve.async_wait([fut](error_code) mutable { fut.try_set_result(1); });
        std::thread other([&] { ctx.run_for(10s); });
        ctx.run_for(10s);
        other.join();
        if (calls.load() != 1 || !on_strand.load() || !consistent.load())
            ++bad;
    }
    return bad;
}

} // namespace

BOOST_AUTO_TEST_CASE(strand_inside_the_adapter_on_a_thread_pool)
{
    BOOST_TEST(strand_race(true, 200) == 0);
}

// bind_executor around the adapter: Asio binds the strand to the handler the adapter hands the
// operation, so the operation completes on the strand; the deadline's timer must run there too
// (the adapter only sees the inner handler's executor).
BOOST_AUTO_TEST_CASE(strand_around_the_adapter_on_a_thread_pool)
{
    BOOST_TEST(strand_race(false, 200) == 0);
}

BOOST_AUTO_TEST_CASE(handler_allocator_is_kept)
{
    for (int timed_out = 0; timed_out < 2; ++timed_out)
    {
        alloc_stats stats;
        {
            asio::io_context ctx;
            auto fut = af::make_future<int>(ctx);
            waiter w;
            fut.async_wait(af::timeout(
                timed_out ? 50ms : 5000ms,
                asio::bind_allocator(counting_allocator<void>(stats), w.handler())));
            // The adapter's own storage (and the wait's) comes from the handler's allocator.
            BOOST_TEST(stats.allocs.load() >= 2);
            if (!timed_out)
                asio::post(ctx, [fut]() { fut.set_result(1); });
            timed_run(ctx);
            BOOST_TEST(w.calls == 1);
            BOOST_TEST(is_timeout(w.error) == (timed_out == 1));
        }
        BOOST_TEST_MESSAGE(
            "allocator uses (timed_out=" << timed_out << "): " << stats.allocs.load());
        BOOST_TEST(stats.allocs.load() == stats.deallocs.load());
    }
}

#if !defined(ASIO_FUTURE_TEST_TSAN)

namespace
{

constexpr int warm_up = 100;
constexpr int measured = 100;

// One iteration: create a future, one wait (optionally under af::timeout(5s)), a result posted
// at once; the next iteration starts from the completion handler, all inside one run().
struct wait_loop
{
    asio::io_context& ctx;
    bool with_timeout;
    std::vector<long>& news;
    int remaining;
    int bad = 0;
    long before = 0;

    void step()
    {
        before = g_news.load();
        auto fut = af::make_future<int>(ctx);
        const int expect = remaining;
        auto h = [this, expect](std::exception_ptr e, int v)
        {
            news.push_back(g_news.load() - before); // reserved: no allocation
            if (e || v != expect)
                ++bad;
            if (--remaining > 0)
                step();
        };
        if (with_timeout)
            fut.async_wait(af::timeout(5s, std::move(h)));
        else
            fut.async_wait(std::move(h));
        asio::post(ctx, [fut, expect]() mutable { fut.set_result(expect); });
    }
};

long steady_max(const std::vector<long>& v)
{
    long m = 0;
    for (std::size_t i = warm_up; i < v.size(); ++i)
        m = std::max(m, v[i]);
    return m;
}

} // namespace

BOOST_AUTO_TEST_CASE(allocations_per_timed_wait)
{
    long per_iteration[2] = {0, 0};
    for (int with_timeout = 0; with_timeout < 2; ++with_timeout)
    {
        asio::io_context ctx;
        std::vector<long> news;
        news.reserve(warm_up + measured);
        wait_loop loop{ctx, with_timeout == 1, news, warm_up + measured};
        asio::post(ctx, [&] { loop.step(); });
        const auto start = clock_type::now();
        ctx.run();
        BOOST_TEST((clock_type::now() - start < 4s)); // 200 cancelled 5s timers: none lingers
        BOOST_TEST_REQUIRE(news.size() == std::size_t(warm_up + measured));
        BOOST_TEST(loop.bad == 0);
        per_iteration[with_timeout] = steady_max(news);
    }
    BOOST_TEST_MESSAGE(
        "steady-state operator new per iteration: plain wait "
        << per_iteration[0] << ", under af::timeout " << per_iteration[1]);
    BOOST_TEST(per_iteration[0] == 1); // the future's own state
    BOOST_TEST(per_iteration[1] - per_iteration[0] <= 1);
}

#endif // !ASIO_FUTURE_TEST_TSAN

BOOST_AUTO_TEST_SUITE_END()

// =============================================================================================
// 7. A result racing the deadline from another thread
// =============================================================================================

BOOST_AUTO_TEST_CASE(result_from_another_thread_races_the_deadline)
{
    // Whoever wins, the outcome is consistent: a result that won is delivered (never lost, never
    // reported as a timeout); a deadline that won cancels the future and the result is refused.
    asio::io_context ctx;
    auto guard = asio::make_work_guard(ctx);
    std::thread runner([&] { ctx.run(); });
    int values = 0, timeouts = 0, inconsistent = 0;
    for (int i = 0; i < 200; ++i)
    {
        auto fut = af::make_future<int>(ctx);
        auto r = fut.get_resolver();
        std::atomic<int> calls{0};
        std::atomic<bool> got_value{false};
        std::atomic<bool> got_timeout{false};
        std::atomic<bool> started{false};
        asio::post(
            ctx,
            [&, fut]
            {
                fut.async_wait(af::timeout(
                    std::chrono::microseconds(200 + 10 * (i % 40)),
                    [&, i](std::exception_ptr e, int v)
                    {
                        got_value = !e && v == i;
                        got_timeout = is_timeout(e);
                        ++calls;
                    }));
                started = true;
            });
        while (!started.load())
            std::this_thread::yield();
        std::this_thread::sleep_for(std::chrono::microseconds(10 * (i % 50)));
        const bool won = r.set_result(i);
        const auto limit = clock_type::now() + 10s; // watchdog
        while (calls.load() == 0 && clock_type::now() < limit)
            std::this_thread::yield();
        if (calls.load() != 1)
        {
            guard.reset();
            ctx.stop();
            runner.join();
            BOOST_FAIL("iteration " << i << ": the wait did not complete");
        }
        if (won && got_value.load() && !fut.cancelled())
            ++values;
        else if (!won && got_timeout.load() && fut.cancelled())
            ++timeouts;
        else
            ++inconsistent;
    }
    guard.reset();
    runner.join();
    BOOST_TEST_MESSAGE("values " << values << ", timeouts " << timeouts);
    BOOST_TEST(inconsistent == 0);
    BOOST_TEST(values + timeouts == 200);
}

// The deadline expires while another thread is still initiating the wait (a deadline in the
// past, the context run by its own thread): the expiry waits for the wait to register with the
// slot, so the cancellation is neither lost (the wait would hang: nothing resolves the future)
// nor racing the registration (ThreadSanitizer). Both a plain and a strand-bound handler.
BOOST_AUTO_TEST_CASE(deadline_expiring_during_an_initiation_on_another_thread)
{
    asio::io_context ctx;
    auto guard = asio::make_work_guard(ctx);
    auto strand = asio::make_strand(ctx);
    std::thread runner([&] { ctx.run(); });
    constexpr int waits = 400;
    std::atomic<int> timeouts{0};
    std::atomic<int> others{0};
    std::vector<af::async_future<int>> futures;
    for (int i = 0; i < waits; ++i)
    {
        auto fut = af::make_future<int>(ctx);
        futures.push_back(fut);
        auto record = [&](std::exception_ptr e, int) { ++(is_timeout(e) ? timeouts : others); };
        if (i % 2)
            fut.async_wait(af::deadline(clock_type::now(), record));
        else
            fut.async_wait(af::deadline(clock_type::now(), asio::bind_executor(strand, record)));
    }
    const auto limit = clock_type::now() + 20s; // watchdog: a lost cancellation hangs
    while (timeouts.load() + others.load() < waits && clock_type::now() < limit)
        std::this_thread::sleep_for(1ms);
    guard.reset();
    if (timeouts.load() + others.load() < waits)
    {
        ctx.stop();
        runner.join();
        BOOST_FAIL(waits - timeouts.load() - others.load() << " waits never completed");
    }
    runner.join();
    BOOST_TEST(timeouts.load() == waits);
    BOOST_TEST(others.load() == 0);
    for (auto& f : futures)
        BOOST_TEST(f.cancelled());
}

// =============================================================================================
// 8. Nested deadlines: an overall deadline around a per-call one. The earlier wins and is the
//    only one that acts (its cancellation type, its translation); the later one's timer does
//    not linger: every later deadline here is 30s, and run() must return well before.
// =============================================================================================

BOOST_AUTO_TEST_SUITE(nested)

namespace
{

// The three shapes of two nested deadlines, the earlier one 50ms away.
enum class nesting
{
    inner_earlier, // af::timeout(30s, af::timeout(50ms, token))
    outer_earlier, // af::timeout(50ms, af::timeout(30s, token))
    equal          // af::deadline(t, af::deadline(t, token))
};

constexpr nesting every_nesting[] = {
    nesting::inner_earlier,
    nesting::outer_earlier,
    nesting::equal};

const char* name_of(nesting n)
{
    switch (n)
    {
    case nesting::inner_earlier:
        return "inner earlier";
    case nesting::outer_earlier:
        return "outer earlier";
    default:
        return "equal";
    }
}

template <class Token>
auto nest(nesting n, Token&& token)
{
    // One type for the three shapes: deadlines relative to now.
    const auto now = clock_type::now();
    const auto early = now + 50ms;
    const auto late = now + 30s;
    switch (n)
    {
    case nesting::inner_earlier:
        return af::deadline(late, af::deadline(early, std::forward<Token>(token)));
    case nesting::outer_earlier:
        return af::deadline(early, af::deadline(late, std::forward<Token>(token)));
    default:
        return af::deadline(early, af::deadline(early, std::forward<Token>(token)));
    }
}

// Records the cancellation types an operation sees and completes with `operation_aborted` on
// the first one: void(error_code).
struct initiate_cancellable
{
    using executor_type = asio::io_context::executor_type;
    asio::io_context* ctx;
    executor_type get_executor() const noexcept { return ctx->get_executor(); }

    template <class Handler>
    void operator()(Handler&& h, std::vector<asio::cancellation_type_t>* seen) const
    {
        auto timer = std::make_shared<asio::steady_timer>(*ctx, 30s);
        auto slot = asio::get_associated_cancellation_slot(h);
        if (slot.is_connected())
            slot.assign(
                [timer, seen](asio::cancellation_type_t t)
                {
                    seen->push_back(t);
                    timer->cancel();
                });
        timer->async_wait(
            [timer, h = std::forward<Handler>(h)](error_code ec) mutable
            {
                auto slot = asio::get_associated_cancellation_slot(h);
                if (slot.is_connected())
                    slot.clear();
                std::move(h)(ec);
            });
    }
};

template <class Token>
auto async_cancellable(
    asio::io_context& ctx,
    std::vector<asio::cancellation_type_t>& seen,
    Token&& token)
{
    return asio::async_initiate<Token, void(error_code)>(initiate_cancellable{&ctx}, token, &seen);
}

} // namespace

BOOST_AUTO_TEST_CASE(on_a_future_wait)
{
    for (nesting n : every_nesting)
    {
        asio::io_context ctx;
        auto fut = af::make_future<int>(ctx);
        waiter w;
        fut.async_wait(nest(n, w.handler()));
        BOOST_TEST(w.calls == 0);
        const auto elapsed = timed_run(ctx);
        BOOST_TEST(w.calls == 1, name_of(n));
        BOOST_TEST(is_timeout(w.error), name_of(n));
        BOOST_TEST(fut.cancelled(), name_of(n));
        BOOST_TEST((elapsed < 4s), name_of(n)); // the 30s deadline does not linger
    }
}

BOOST_AUTO_TEST_CASE(on_a_timer_wait)
{
    for (nesting n : every_nesting)
    {
        asio::io_context ctx;
        asio::steady_timer t(ctx, 30s);
        ec_waiter w;
        t.async_wait(nest(n, w.handler()));
        const auto elapsed = timed_run(ctx);
        BOOST_TEST(w.calls == 1, name_of(n));
        BOOST_TEST((w.ec == af::error::timeout), name_of(n));
        BOOST_TEST((elapsed < 4s), name_of(n));
    }
}

// The operation sees one cancellation, of the earlier deadline's type: only it acted.
BOOST_AUTO_TEST_CASE(the_operation_sees_only_the_earlier_deadline)
{
    for (nesting n : every_nesting)
    {
        asio::io_context ctx;
        std::vector<asio::cancellation_type_t> seen;
        ec_waiter w;
        const auto now = clock_type::now();
        const auto outer = n == nesting::inner_earlier ? now + 30s : now + 50ms;
        const auto inner = n == nesting::outer_earlier ? now + 30s : now + 50ms;
        async_cancellable(
            ctx,
            seen,
            af::deadline(
                outer,
                af::deadline(inner, w.handler(), asio::cancellation_type::partial),
                asio::cancellation_type::total));
        const auto elapsed = timed_run(ctx);
        BOOST_TEST(w.calls == 1, name_of(n));
        BOOST_TEST((w.ec == af::error::timeout), name_of(n));
        BOOST_TEST_REQUIRE(seen.size() == 1u, name_of(n));
        // Equal deadlines: the outer adapter's applies.
        const auto expected = n == nesting::inner_earlier ? asio::cancellation_type::partial
                                                          : asio::cancellation_type::total;
        BOOST_TEST((seen[0] == expected), name_of(n));
        BOOST_TEST((elapsed < 4s), name_of(n));
    }
}

// On a future wait the type decides what the deadline does: total only ends the wait,
// terminal cancels the future. Which happened tells which deadline acted.
BOOST_AUTO_TEST_CASE(which_deadline_acted_on_a_future_wait)
{
    for (nesting n : every_nesting)
    {
        asio::io_context ctx;
        auto fut = af::make_future<int>(ctx);
        waiter w;
        const auto now = clock_type::now();
        const auto outer = n == nesting::inner_earlier ? now + 30s : now + 50ms;
        const auto inner = n == nesting::outer_earlier ? now + 30s : now + 50ms;
        fut.async_wait(af::deadline(
            outer,
            af::deadline(inner, w.handler(), asio::cancellation_type::terminal),
            asio::cancellation_type::total));
        const auto elapsed = timed_run(ctx);
        BOOST_TEST(w.calls == 1, name_of(n));
        BOOST_TEST(is_timeout(w.error), name_of(n));
        // The inner (terminal) one cancelled the future; the outer (total) one left it pending.
        BOOST_TEST(fut.cancelled() == (n == nesting::inner_earlier), name_of(n));
        BOOST_TEST(fut.done() == (n == nesting::inner_earlier), name_of(n));
        BOOST_TEST((elapsed < 4s), name_of(n));
    }
}

BOOST_AUTO_TEST_CASE(three_levels)
{
    // The 50ms deadline at each of the three places.
    for (int earliest = 0; earliest < 3; ++earliest)
    {
        asio::io_context ctx;
        auto fut = af::make_future<int>(ctx);
        waiter w;
        auto d = [&](int level) { return level == earliest ? 50ms : 30000ms; };
        fut.async_wait(af::timeout(d(0), af::timeout(d(1), af::timeout(d(2), w.handler()))));
        asio::steady_timer t(ctx, 30s);
        ec_waiter tw;
        t.async_wait(af::timeout(d(0), af::timeout(d(1), af::timeout(d(2), tw.handler()))));
        const auto elapsed = timed_run(ctx);
        BOOST_TEST(w.calls == 1, "earliest " << earliest);
        BOOST_TEST(is_timeout(w.error), "earliest " << earliest);
        BOOST_TEST(fut.cancelled(), "earliest " << earliest);
        BOOST_TEST(tw.calls == 1, "earliest " << earliest);
        BOOST_TEST((tw.ec == af::error::timeout), "earliest " << earliest);
        BOOST_TEST((elapsed < 4s), "earliest " << earliest);
    }
}

BOOST_AUTO_TEST_CASE(result_before_both_is_unchanged)
{
    for (nesting n : every_nesting)
    {
        asio::io_context ctx;
        auto fut = af::make_future<int>(ctx);
        waiter w;
        fut.async_wait(af::timeout(30s, af::timeout(20s, w.handler())));
        asio::post(ctx, [fut]() { fut.set_result(42); });
        asio::steady_timer t(ctx, 0ms);
        ec_waiter tw;
        t.async_wait(nest(n, tw.handler()));
        const auto elapsed = timed_run(ctx);
        BOOST_TEST(w.calls == 1);
        BOOST_TEST(!w.error);
        BOOST_TEST(w.value == 42);
        BOOST_TEST(!fut.cancelled());
        BOOST_TEST(tw.calls == 1, name_of(n));
        BOOST_TEST(!tw.ec, name_of(n));
        BOOST_TEST((elapsed < 4s), name_of(n)); // neither timer lingers
    }
}

// An outer slot emitted before both deadlines: the operation is cancelled, not timed out. The
// slot bound around both adapters, between them, and inside both.
BOOST_AUTO_TEST_CASE(outer_cancellation_before_both_is_not_translated)
{
    for (int where = 0; where < 3; ++where)
    {
        asio::io_context ctx;
        auto fut = af::make_future<int>(ctx);
        asio::steady_timer t(ctx, 30s);
        asio::cancellation_signal fsig, tsig;
        waiter w;
        ec_waiter tw;
        switch (where)
        {
        case 0:
            fut.async_wait(asio::bind_cancellation_slot(
                fsig.slot(),
                af::timeout(30s, af::timeout(20s, w.handler()))));
            t.async_wait(asio::bind_cancellation_slot(
                tsig.slot(),
                af::timeout(20s, af::timeout(30s, tw.handler()))));
            break;
        case 1:
            fut.async_wait(af::timeout(
                30s,
                asio::bind_cancellation_slot(fsig.slot(), af::timeout(20s, w.handler()))));
            t.async_wait(af::timeout(
                20s,
                asio::bind_cancellation_slot(tsig.slot(), af::timeout(30s, tw.handler()))));
            break;
        default:
            fut.async_wait(af::timeout(
                30s,
                af::timeout(20s, asio::bind_cancellation_slot(fsig.slot(), w.handler()))));
            t.async_wait(af::timeout(
                20s,
                af::timeout(30s, asio::bind_cancellation_slot(tsig.slot(), tw.handler()))));
            break;
        }
        asio::post(
            ctx,
            [&]
            {
                fsig.emit(asio::cancellation_type::terminal);
                tsig.emit(asio::cancellation_type::terminal);
            });
        const auto elapsed = timed_run(ctx);
        BOOST_TEST(w.calls == 1, "where " << where);
        BOOST_TEST(is_cancelled(w.error), "where " << where);
        BOOST_TEST(fut.cancelled(), "where " << where);
        BOOST_TEST(tw.calls == 1, "where " << where);
        BOOST_TEST((tw.ec == asio::error::operation_aborted), "where " << where);
        BOOST_TEST((elapsed < 4s), "where " << where);
        fsig.emit(asio::cancellation_type::terminal); // after completion: harmless
        tsig.emit(asio::cancellation_type::terminal);
    }
}

// The earlier deadline still fires with an outer slot bound (and never emitted) around both.
BOOST_AUTO_TEST_CASE(deadline_fires_with_an_outer_slot_around_both)
{
    for (nesting n : every_nesting)
    {
        asio::io_context ctx;
        auto fut = af::make_future<int>(ctx);
        asio::cancellation_signal sig;
        waiter w;
        fut.async_wait(asio::bind_cancellation_slot(sig.slot(), nest(n, w.handler())));
        const auto elapsed = timed_run(ctx);
        BOOST_TEST(w.calls == 1, name_of(n));
        BOOST_TEST(is_timeout(w.error), name_of(n));
        BOOST_TEST((elapsed < 4s), name_of(n));
        sig.emit(asio::cancellation_type::terminal); // the outer slot was cleared: harmless
    }
}

BOOST_AUTO_TEST_CASE(strand_bound_around_both)
{
    for (nesting n : every_nesting)
    {
        asio::io_context ctx;
        auto strand = asio::make_strand(ctx);
        auto fut = af::make_future<int>(ctx);
        int calls = 0;
        bool on_strand = false, timed_out = false;
        fut.async_wait(asio::bind_executor(
            strand,
            nest(
                n,
                [&](std::exception_ptr e, int)
                {
                    on_strand = strand.running_in_this_thread();
                    timed_out = is_timeout(e);
                    ++calls;
                })));
        const auto elapsed = timed_run(ctx);
        BOOST_TEST(calls == 1, name_of(n));
        BOOST_TEST(on_strand, name_of(n));
        BOOST_TEST(timed_out, name_of(n));
        BOOST_TEST((elapsed < 4s), name_of(n));
    }
}

BOOST_AUTO_TEST_CASE(use_async_future_and_deferred)
{
    for (nesting n : every_nesting)
    {
        asio::io_context ctx;
        asio::steady_timer t(ctx, 30s);
        af::async_future<void> f = t.async_wait(nest(n, af::use_async_future));
        auto fut = af::make_future<int>(ctx);
        waiter w;
        auto op = fut.async_wait(nest(n, asio::deferred));
        std::move(op)(w.handler());
        const auto elapsed = timed_run(ctx);
        BOOST_TEST_REQUIRE(f.done(), name_of(n));
        BOOST_TEST((code_of(f.exception()) == af::error::timeout), name_of(n));
        BOOST_TEST(w.calls == 1, name_of(n));
        BOOST_TEST(is_timeout(w.error), name_of(n));
        BOOST_TEST((elapsed < 4s), name_of(n));
    }
}

// Another token between the adapters (not a binder the adapters see through): each adapter
// keeps its own timer, chained; the earlier still wins and nothing lingers. The inner adapter
// cannot see the operation's executor through Asio's initiation wrapper: the handler is bound
// to the context, so that both timers run there, one at a time with the operation.
BOOST_AUTO_TEST_CASE(a_token_between_the_adapters)
{
    for (int outer_earlier = 0; outer_earlier < 2; ++outer_earlier)
    {
        alloc_stats stats;
        {
            asio::io_context ctx;
            auto fut = af::make_future<int>(ctx);
            waiter w;
            const auto outer = outer_earlier ? 50ms : 30000ms;
            const auto inner = outer_earlier ? 30000ms : 50ms;
            fut.async_wait(af::timeout(
                outer,
                asio::bind_allocator(
                    counting_allocator<void>(stats),
                    af::timeout(inner, asio::bind_executor(ctx, w.handler())))));
            asio::steady_timer t(ctx, 30s);
            ec_waiter tw;
            t.async_wait(af::timeout(
                outer,
                asio::bind_allocator(
                    counting_allocator<void>(stats),
                    af::timeout(inner, asio::bind_executor(ctx, tw.handler())))));
            const auto elapsed = timed_run(ctx);
            BOOST_TEST(w.calls == 1, "outer earlier " << outer_earlier);
            BOOST_TEST(is_timeout(w.error), "outer earlier " << outer_earlier);
            BOOST_TEST(fut.cancelled(), "outer earlier " << outer_earlier);
            BOOST_TEST(tw.calls == 1, "outer earlier " << outer_earlier);
            BOOST_TEST((tw.ec == af::error::timeout), "outer earlier " << outer_earlier);
            BOOST_TEST((elapsed < 4s), "outer earlier " << outer_earlier);
        }
        BOOST_TEST(stats.allocs.load() > 0);
        BOOST_TEST(stats.allocs.load() == stats.deallocs.load());
    }
}

#if defined(BOOST_ASIO_FUTURE_HAS_CO_AWAIT)

BOOST_AUTO_TEST_CASE(use_awaitable)
{
    for (nesting n : every_nesting)
    {
        asio::io_context ctx;
        auto fut = af::make_future<int>(ctx);
        int outcome = 0;
        error_code timer_ec, tuple_ec;
        int value = -1;
        asio::co_spawn(
            ctx,
            [&]() -> asio::awaitable<void>
            {
                try
                {
                    co_await fut.async_wait(nest(n, asio::use_awaitable));
                    outcome = 1;
                }
                catch (const af::timeout_error& e)
                {
                    outcome = e.code() == af::error::timeout ? 2 : 3;
                }
                catch (...)
                {
                    outcome = 4;
                }
                asio::steady_timer t(ctx, 30s);
                try
                {
                    co_await t.async_wait(nest(n, asio::use_awaitable));
                }
                catch (const boost::system::system_error& e)
                {
                    timer_ec = e.code();
                }
                asio::steady_timer t2(ctx, 30s);
                auto [ec] = co_await t2.async_wait(nest(n, asio::as_tuple(asio::use_awaitable)));
                tuple_ec = ec;
                auto fut2 = af::make_future<int>(ctx);
                asio::post(ctx, [fut2]() mutable { fut2.set_result(5); });
                value = co_await fut2.async_wait(
                    af::timeout(30s, af::timeout(20s, asio::use_awaitable)));
            },
            asio::detached);
        const auto elapsed = timed_run(ctx);
        BOOST_TEST(outcome == 2, name_of(n));
        BOOST_TEST(fut.cancelled(), name_of(n));
        BOOST_TEST((timer_ec == af::error::timeout), name_of(n));
        BOOST_TEST((tuple_ec == af::error::timeout), name_of(n));
        BOOST_TEST(value == 5, name_of(n));
        BOOST_TEST((elapsed < 4s), name_of(n));
    }
}

// co_spawn's cancellation reaches the operation through both adapters, before either
// deadline: a cancellation, not a timeout.
BOOST_AUTO_TEST_CASE(co_spawn_cancellation_through_both)
{
    asio::io_context ctx;
    auto fut = af::make_future<int>(ctx);
    asio::cancellation_signal sig;
    int outcome = 0;
    asio::co_spawn(
        ctx,
        [&]() -> asio::awaitable<void>
        {
            asio::post(ctx, [&] { sig.emit(asio::cancellation_type::terminal); });
            try
            {
                co_await fut.async_wait(af::timeout(30s, af::timeout(20s, asio::use_awaitable)));
                outcome = 1;
            }
            catch (const af::timeout_error&)
            {
                outcome = 2;
            }
            catch (const af::cancelled_error&)
            {
                outcome = 3;
            }
            catch (...)
            {
                outcome = 4;
            }
        },
        asio::bind_cancellation_slot(sig.slot(), asio::detached));
    const auto elapsed = timed_run(ctx);
    BOOST_TEST(outcome == 3);
    BOOST_TEST(fut.cancelled());
    BOOST_TEST((elapsed < 4s));
}

#endif // BOOST_ASIO_FUTURE_HAS_CO_AWAIT

// Nested directly, the adapters share one op and one timer: through the handler's allocator
// (which Asio does not recycle), a nested wait allocates what a single one does.
BOOST_AUTO_TEST_CASE(nested_adapters_allocate_as_one)
{
    long allocs[4] = {0, 0, 0, 0};
    for (int levels = 1; levels <= 3; ++levels)
    {
        alloc_stats stats;
        {
            asio::io_context ctx;
            auto fut = af::make_future<int>(ctx);
            waiter w;
            auto h = asio::bind_allocator(counting_allocator<void>(stats), w.handler());
            if (levels == 1)
                fut.async_wait(af::timeout(5s, h));
            else if (levels == 2)
                fut.async_wait(af::timeout(10s, af::timeout(5s, h)));
            else
                fut.async_wait(af::timeout(10s, af::timeout(5s, af::timeout(20s, h))));
            asio::post(ctx, [fut]() { fut.set_result(1); });
            const auto elapsed = timed_run(ctx);
            BOOST_TEST(w.calls == 1);
            BOOST_TEST(w.value == 1);
            BOOST_TEST((elapsed < 4s));
        }
        BOOST_TEST(stats.allocs.load() == stats.deallocs.load());
        allocs[levels] = stats.allocs.load();
    }
    BOOST_TEST_MESSAGE(
        "handler allocator uses: 1 level " << allocs[1] << ", 2 levels " << allocs[2]
                                           << ", 3 levels " << allocs[3]);
    BOOST_TEST(allocs[1] >= 2); // the wait's op and the adapter's
    BOOST_TEST(allocs[2] == allocs[1]);
    BOOST_TEST(allocs[3] == allocs[1]);
}

BOOST_AUTO_TEST_SUITE_END()
