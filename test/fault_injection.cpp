//
// Copyright (c) 2026 The asio_future Authors.
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// Fault injection: the k-th heap allocation of an initiating call fails with std::bad_alloc,
// for every k, in each scenario (async_wait, add_done_callback, use_async_future, af::timeout,
// af::async_bridge, co_await, af::gather, af::wait, af::as_completed, af::to_thread,
// task_group::spawn and async_join). The call reports the error, every object stays usable,
// waiters registered before it still complete exactly once, and no shared state leaks. Also
// throwing value constructors, throwing done callbacks and throwing
// completion handlers.

// Asio allocates handler memory with std::aligned_alloc; route it through operator new so that
// the injection reaches it (this test is built without the shared precompiled header).
#define BOOST_ASIO_DISABLE_STD_ALIGNED_ALLOC 1
#define BOOST_ASIO_DISABLE_BOOST_ALIGN 1
#define BOOST_ASIO_FUTURE_COUNT_LIVE_STATES 1

#include <boost/asio_future.hpp>

#define BOOST_TEST_MODULE fault_injection
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/version.hpp>
#include <boost/test/unit_test.hpp>

#if defined(BOOST_ASIO_FUTURE_HAS_CO_AWAIT)
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>
#endif

#include <chrono>
#include <cstdlib>
#include <exception>
#include <functional>
#include <memory>
#include <new>
#include <optional>
#include <stdexcept>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

namespace af = boost::asio_future;
namespace asio = boost::asio;
using namespace std::chrono_literals;

// ---------------------------------------------------------------------------------------------
// Failing replacements of the global allocation functions. ThreadSanitizer's runtime defines
// them itself: there the scenarios run once, without injection.
// ---------------------------------------------------------------------------------------------

#if defined(__SANITIZE_THREAD__)
#define ASIO_FUTURE_TEST_NO_INJECTION 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define ASIO_FUTURE_TEST_NO_INJECTION 1
#endif
#endif

namespace
{

// Armed on the test thread only: allocations are counted, and the fail_at-th one fails.
thread_local bool g_armed = false;
thread_local long g_count = 0;
thread_local long g_fail_at = 0;
thread_local bool g_injected = false;

[[maybe_unused]] bool should_fail() noexcept
{
    if (!g_armed)
        return false;
    if (++g_count != g_fail_at)
        return false;
    g_injected = true;
    return true;
}

// Arms the injection for one initiating call (fail_at 0: count only).
class armed
{
public:
    explicit armed(long fail_at) noexcept
    {
        g_fail_at = fail_at;
        g_armed = true;
    }
    ~armed() { g_armed = false; }
    armed(const armed&) = delete;
    armed& operator=(const armed&) = delete;
};

long live_states()
{
    return af::detail::live_state_count().load();
}

} // namespace

#if !defined(ASIO_FUTURE_TEST_NO_INJECTION)

namespace
{

void* checked_alloc(std::size_t size)
{
    if (should_fail())
        throw std::bad_alloc();
    if (void* p = std::malloc(size ? size : 1))
        return p;
    throw std::bad_alloc();
}

void* checked_aligned_alloc(std::size_t size, std::align_val_t al)
{
    if (should_fail())
        throw std::bad_alloc();
    std::size_t align = static_cast<std::size_t>(al);
    if (align < sizeof(void*))
        align = sizeof(void*);
    void* p = nullptr;
    if (::posix_memalign(&p, align, size ? size : 1) != 0)
        throw std::bad_alloc();
    return p;
}

} // namespace

void* operator new(std::size_t size)
{
    return checked_alloc(size);
}
void* operator new[](std::size_t size)
{
    return checked_alloc(size);
}
void* operator new(std::size_t size, const std::nothrow_t&) noexcept
{
    return should_fail() ? nullptr : std::malloc(size ? size : 1);
}
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept
{
    return should_fail() ? nullptr : std::malloc(size ? size : 1);
}
void* operator new(std::size_t size, std::align_val_t al)
{
    return checked_aligned_alloc(size, al);
}
void* operator new[](std::size_t size, std::align_val_t al)
{
    return checked_aligned_alloc(size, al);
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

#endif // !ASIO_FUTURE_TEST_NO_INJECTION

namespace
{

// What one wait received.
struct record
{
    int calls = 0;
    std::exception_ptr error;
    int value = 0;

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

// Runs `scenario(fail_at)` for fail_at = 1, 2, ... until a run completes without the injection
// firing, then once more with injection off; checks that no shared state outlives a run, that
// the armed calls reached operator new at all (a scenario that stops allocating would test
// nothing), and, on Boost 1.81, that they made `expected` allocations (the k of the matrix in
// the reference's "Out of memory"). Returns that count.
template <class Scenario>
long for_every_k(const char* name, long expected, Scenario scenario)
{
    BOOST_TEST_REQUIRE(live_states() == 0);
    long k = 1;
#if !defined(ASIO_FUTURE_TEST_NO_INJECTION)
    for (;; ++k)
    {
        g_count = 0;
        g_injected = false;
        scenario(k);
        BOOST_TEST(live_states() == 0, name << ": leak after failing allocation " << k);
        if (!g_injected)
            break;
    }
#endif
    g_count = 0;
    g_injected = false;
    scenario(0);
    BOOST_TEST(live_states() == 0, name << ": leak without injection");
    BOOST_TEST_MESSAGE(name << ": " << k - 1 << " allocations, each failed once");
#if !defined(ASIO_FUTURE_TEST_NO_INJECTION)
    BOOST_TEST(k - 1 >= 1, name << ": the scenario made no allocation to fail");
#if BOOST_ASIO_VERSION == 102600
    BOOST_TEST(
        k - 1 == expected,
        name << ": " << k - 1 << " allocations, " << expected << " expected");
#endif
#endif
    (void)expected;
    return k - 1;
}

bool is_bad_alloc(const std::exception_ptr& e)
{
    try
    {
        std::rethrow_exception(e);
    }
    catch (const std::bad_alloc&)
    {
        return true;
    }
    catch (...)
    {
        return false;
    }
}

} // namespace

BOOST_AUTO_TEST_SUITE(bad_alloc_in_initiation)

BOOST_AUTO_TEST_CASE(async_wait_with_a_callback)
{
    for_every_k(
        "async_wait",
        1,
        [](long k)
        {
            asio::io_context ctx;
            auto fut = af::make_future<int>(ctx);
            record before, after, tried;
            fut.async_wait(before.handler());
            bool threw = false;
            {
                armed a(k);
                try
                {
                    fut.async_wait(tried.handler());
                }
                catch (const std::bad_alloc&)
                {
                    threw = true;
                }
            }
            BOOST_TEST(threw == g_injected);
            fut.async_wait(after.handler()); // the future is still usable
            BOOST_TEST(!fut.done());
            fut.set_result(7);
            ctx.run();
            BOOST_TEST(before.calls == 1);
            BOOST_TEST(before.value == 7);
            BOOST_TEST(after.calls == 1);
            BOOST_TEST(tried.calls == (threw ? 0 : 1));
            BOOST_TEST(fut.result() == 7);
        });
}

BOOST_AUTO_TEST_CASE(async_wait_with_a_cancellation_slot)
{
    for_every_k(
        "async_wait + slot",
        2,
        [](long k)
        {
            asio::io_context ctx;
            auto fut = af::make_future<int>(ctx);
            asio::cancellation_signal sig;
            record before, tried;
            fut.async_wait(before.handler());
            bool threw = false;
            {
                armed a(k);
                try
                {
                    fut.async_wait(asio::bind_cancellation_slot(sig.slot(), tried.handler()));
                }
                catch (const std::bad_alloc&)
                {
                    threw = true;
                }
            }
            BOOST_TEST(threw == g_injected);
            // A failed wait left no handler behind in the slot; a successful one detaches.
            BOOST_TEST(sig.slot().has_handler() == !threw);
            sig.emit(asio::cancellation_type::total);
            ctx.poll();
            BOOST_TEST(tried.calls == (threw ? 0 : 1));
            BOOST_TEST(!fut.done());
            fut.set_result(3);
            ctx.run();
            BOOST_TEST(before.calls == 1);
            BOOST_TEST(before.value == 3);
        });
}

BOOST_AUTO_TEST_CASE(add_done_callback)
{
    for_every_k(
        "add_done_callback",
        1,
        [](long k)
        {
            asio::io_context ctx;
            auto fut = af::make_future<int>(ctx);
            std::string order;
            fut.add_done_callback([&](const af::async_future<int>&) { order += 'a'; });
            bool threw = false;
            {
                armed a(k);
                try
                {
                    fut.add_done_callback([&](const af::async_future<int>&) { order += 'b'; });
                }
                catch (const std::bad_alloc&)
                {
                    threw = true;
                }
            }
            BOOST_TEST(threw == g_injected);
            fut.add_done_callback([&](const af::async_future<int>&) { order += 'c'; });
            fut.set_result(1);
            ctx.run();
            BOOST_TEST(order == (threw ? "ac" : "abc"));
        });
}

BOOST_AUTO_TEST_CASE(use_async_future_token)
{
    for_every_k(
        "use_async_future",
        4,
        [](long k)
        {
            asio::io_context ctx;
            int reports = 0;
            asio::use_service<af::future_service>(ctx).set_exception_handler(
                [&](const af::exception_context&) { ++reports; });
            asio::steady_timer timer(ctx, 1ms);
            std::optional<af::async_future<void>> fut;
            bool threw = false;
            {
                armed a(k);
                try
                {
                    fut.emplace(timer.async_wait(af::use_async_future));
                }
                catch (const std::bad_alloc&)
                {
                    threw = true;
                }
            }
            BOOST_TEST(threw == g_injected);
            BOOST_TEST(fut.has_value() == !threw);
            ctx.run(); // never hangs: a failed initiation left no work behind
            if (fut)
            {
                BOOST_TEST(fut->done());
                BOOST_TEST(!fut->exception());
            }
            fut.reset();
            // A future the caller never received is not reported as never retrieved.
            BOOST_TEST(reports == 0);
        });
}

BOOST_AUTO_TEST_CASE(timeout_adapter)
{
    for_every_k(
        "af::timeout",
        7,
        [](long k)
        {
            asio::io_context ctx;
            auto fut = af::make_future<int>(ctx);
            record before, tried;
            fut.async_wait(before.handler());
            bool threw = false;
            {
                armed a(k);
                try
                {
                    fut.async_wait(af::timeout(1h, tried.handler()));
                }
                catch (const std::bad_alloc&)
                {
                    threw = true;
                }
            }
            BOOST_TEST(threw == g_injected);
            BOOST_TEST(!fut.done());
            fut.set_result(9);
            ctx.run(); // returns: no timer of an hour is left behind
            BOOST_TEST(before.calls == 1);
            BOOST_TEST(before.value == 9);
            BOOST_TEST(tried.calls == (threw ? 0 : 1));
            if (!threw)
                BOOST_TEST(tried.value == 9);
        });
}

// Nested adapters share one op and one timer: the same allocations as one adapter.
BOOST_AUTO_TEST_CASE(nested_timeout_adapters)
{
    long single = 0;
    for (int nested = 0; nested < 2; ++nested)
    {
        const long n = for_every_k(
            nested ? "af::timeout(af::timeout)" : "af::timeout (for comparison)",
            7,
            [nested](long k)
            {
                asio::io_context ctx;
                auto fut = af::make_future<int>(ctx);
                record before, tried;
                fut.async_wait(before.handler());
                bool threw = false;
                {
                    armed a(k);
                    try
                    {
                        if (nested)
                            fut.async_wait(af::timeout(2h, af::timeout(1h, tried.handler())));
                        else
                            fut.async_wait(af::timeout(1h, tried.handler()));
                    }
                    catch (const std::bad_alloc&)
                    {
                        threw = true;
                    }
                }
                BOOST_TEST(threw == g_injected);
                BOOST_TEST(!fut.done());
                fut.set_result(9);
                ctx.run(); // returns: no timer is left behind
                BOOST_TEST(before.calls == 1);
                BOOST_TEST(before.value == 9);
                BOOST_TEST(tried.calls == (threw ? 0 : 1));
                if (!threw)
                    BOOST_TEST(tried.value == 9);
            });
        if (nested)
            BOOST_TEST(n == single);
        else
            single = n;
    }
}

BOOST_AUTO_TEST_CASE(async_bridge)
{
    for_every_k(
        "af::async_bridge",
        6, // its future is the context's first: the service, its registry, the strand service
        [](long k)
        {
            asio::io_context ctx;
            std::function<bool(int)> stored;
            record r;
            bool threw = false;
            {
                armed a(k);
                try
                {
                    af::async_bridge<int>(
                        ctx.get_executor(),
                        [&](auto on_done) { stored = [on_done](int v) { return on_done(v); }; },
                        r.handler());
                }
                catch (const std::bad_alloc&)
                {
                    threw = true;
                }
            }
            // The register call's own failure is reported through the completion instead.
            const bool register_failed = g_injected && !threw && !stored;
            if (stored)
                stored(11);
            stored = nullptr; // dropped: a pending bridge would see a broken promise
            ctx.run();
            if (threw)
            {
                // Either the failure came before the wait (no completion) or the register
                // call saw it and reported it through the completion.
                BOOST_TEST(r.calls == 0);
            }
            else if (register_failed)
            {
                BOOST_TEST(r.calls == 1);
                BOOST_TEST(is_bad_alloc(r.error));
            }
            else
            {
                BOOST_TEST(r.calls == 1);
                BOOST_TEST(!r.error);
                BOOST_TEST(r.value == 11);
            }
        });
}

// gather(f1, f2): the gather's state (nodes included) is the only allocation; on failure
// nothing is linked into the children, which stay usable.
BOOST_AUTO_TEST_CASE(gather_variadic)
{
    for_every_k(
        "af::gather(a, b)",
        1,
        [](long k)
        {
            asio::io_context ctx;
            auto a = af::make_future<int>(ctx);
            auto b = af::make_future<int>(ctx);
            std::optional<af::async_future<std::tuple<int, int>>> g;
            bool threw = false;
            {
                armed arm(k);
                try
                {
                    g.emplace(af::gather(a, b));
                }
                catch (const std::bad_alloc&)
                {
                    threw = true;
                }
            }
            BOOST_TEST(threw == g_injected);
            a.set_result(1);
            b.set_result(2);
            ctx.run();
            if (g)
                BOOST_TEST((g->result() == std::make_tuple(1, 2)));
            BOOST_TEST(a.result() == 1);
        });
}

// gather(range): the copy of the range, the state and one array of nodes.
BOOST_AUTO_TEST_CASE(gather_range)
{
    for_every_k(
        "af::gather(range)",
        3,
        [](long k)
        {
            asio::io_context ctx;
            std::vector<af::async_future<int>> v{
                af::make_future<int>(ctx),
                af::make_future<int>(ctx),
                af::make_future<int>(ctx)};
            v[1].set_result(1); // a done child runs its node during the call
            std::optional<af::async_future<std::vector<af::gather_element_t<int, true>>>> g;
            bool threw = false;
            {
                armed arm(k);
                try
                {
                    g.emplace(af::gather(af::return_exceptions, v));
                }
                catch (const std::bad_alloc&)
                {
                    threw = true;
                }
            }
            BOOST_TEST(threw == g_injected);
            v[0].set_result(0);
            v[2].set_exception(std::runtime_error("x"));
            ctx.run();
            if (g)
                BOOST_TEST(g->result().size() == 3u);
            else
                BOOST_CHECK_THROW(v[2].result(), std::runtime_error); // retrieved here
        });
}

// af::wait with a callback and a cancellation slot: the range's copy, the private future, the
// array of nodes, the slot's handler and the wait on the private future.
BOOST_AUTO_TEST_CASE(wait_with_a_cancellation_slot)
{
    for_every_k(
        "af::wait + slot",
        5,
        [](long k)
        {
            asio::io_context ctx;
            std::vector<af::async_future<int>> v{
                af::make_future<int>(ctx),
                af::make_future<int>(ctx)};
            asio::cancellation_signal sig;
            int calls = 0;
            std::size_t done = 0;
            bool threw = false;
            {
                armed arm(k);
                try
                {
                    af::wait(
                        v,
                        af::return_when::first_completed,
                        asio::bind_cancellation_slot(
                            sig.slot(),
                            [&](std::exception_ptr e,
                                std::vector<af::async_future<int>> d,
                                std::vector<af::async_future<int>>)
                            {
                                ++calls;
                                BOOST_TEST(!e);
                                done = d.size();
                            }));
                }
                catch (const std::bad_alloc&)
                {
                    threw = true;
                }
            }
            BOOST_TEST(threw == g_injected);
            BOOST_TEST(sig.slot().has_handler() == !threw);
            v[0].set_result(1);
            ctx.run(); // never hangs: a failed initiation left no work behind
            BOOST_TEST(calls == (threw ? 0 : 1));
            if (!threw)
                BOOST_TEST(done == 1u);
            BOOST_TEST(!sig.slot().has_handler());
        });
}

// The duration form adds the timer (its service and its wait) and needs no slot.
BOOST_AUTO_TEST_CASE(wait_with_a_duration)
{
    for_every_k(
        "af::wait(duration)",
        8,
        [](long k)
        {
            asio::io_context ctx;
            std::vector<af::async_future<int>> v{af::make_future<int>(ctx)};
            int calls = 0;
            bool threw = false;
            {
                armed arm(k);
                try
                {
                    af::wait(
                        v,
                        af::return_when::all_completed,
                        1h,
                        [&](std::exception_ptr,
                            std::vector<af::async_future<int>>,
                            std::vector<af::async_future<int>>) { ++calls; });
                }
                catch (const std::bad_alloc&)
                {
                    threw = true;
                }
            }
            BOOST_TEST(threw == g_injected);
            v[0].set_result(1);
            ctx.run(); // returns: no timer of an hour is left behind
            BOOST_TEST(calls == (threw ? 0 : 1));
        });
}

// as_completed(range): the range's copy, the state, the nodes and the ready queue.
BOOST_AUTO_TEST_CASE(as_completed_construction)
{
    for_every_k(
        "af::as_completed",
        4,
        [](long k)
        {
            asio::io_context ctx;
            std::vector<af::async_future<int>> v{
                af::make_future<int>(ctx),
                af::make_future<int>(ctx)};
            v[0].set_result(0);
            std::optional<af::as_completed_queue<af::async_future<int>>> q;
            bool threw = false;
            {
                armed arm(k);
                try
                {
                    q.emplace(af::as_completed(v));
                }
                catch (const std::bad_alloc&)
                {
                    threw = true;
                }
            }
            BOOST_TEST(threw == g_injected);
            v[1].set_result(1);
            int sum = 0;
            if (q)
            {
                for (int i = 0; i < 2; ++i)
                    q->async_next([&](std::exception_ptr, af::async_future<int> f)
                                  { sum += 1 + f.result(); });
                ctx.run();
                BOOST_TEST(sum == 3);
            }
        });
}

// async_next with a slot: the private future, its slot handler and its wait; a failed call
// reserves nothing (the next call gets the child).
BOOST_AUTO_TEST_CASE(as_completed_async_next)
{
    for_every_k(
        "as_completed async_next + slot",
        3,
        [](long k)
        {
            asio::io_context ctx;
            std::vector<af::async_future<int>> v{af::make_future<int>(ctx)};
            auto q = af::as_completed(v);
            asio::cancellation_signal sig;
            int got = -1;
            bool threw = false;
            auto h = [&](std::exception_ptr e, af::async_future<int> f)
            {
                if (!e)
                    got = f.result();
            };
            {
                armed arm(k);
                try
                {
                    q.async_next(asio::bind_cancellation_slot(sig.slot(), h));
                }
                catch (const std::bad_alloc&)
                {
                    threw = true;
                }
            }
            BOOST_TEST(threw == g_injected);
            BOOST_TEST(q.remaining() == (threw ? 1u : 0u));
            if (threw)
                q.async_next(h);
            v[0].set_result(5);
            ctx.run();
            BOOST_TEST(got == 5);
        });
}

#if defined(BOOST_ASIO_FUTURE_HAS_CO_AWAIT)

BOOST_AUTO_TEST_CASE(co_await_a_future)
{
    for_every_k(
        "co_await",
        6,
        [](long k)
        {
            asio::io_context ctx;
            auto fut = af::make_future<int>(ctx);
            record before;
            fut.async_wait(before.handler());
            int got = 0;
            std::exception_ptr failure;
            bool spawn_threw = false;
            bool done = false;
            {
                armed a(k);
                try
                {
                    asio::co_spawn(
                        ctx,
                        [fut, &got]() -> asio::awaitable<void>
                        { got = co_await fut.async_wait(asio::use_awaitable); },
                        [&](std::exception_ptr e)
                        {
                            done = true;
                            failure = e;
                        });
                    ctx.poll(); // the coroutine starts and its wait is initiated, armed
                }
                catch (const std::bad_alloc&)
                {
                    spawn_threw = true;
                }
            }
            if (g_injected && !spawn_threw)
                BOOST_TEST(done); // the failure reached the coroutine's completion
            fut.set_result(4);
            ctx.restart();
            ctx.run();
            BOOST_TEST(before.calls == 1);
            BOOST_TEST(before.value == 4);
            if (!g_injected)
            {
                BOOST_TEST(done);
                BOOST_TEST(!failure);
                BOOST_TEST(got == 4);
            }
            else if (done && failure)
                BOOST_TEST(is_bad_alloc(failure));
        });
}

#endif

// to_thread without a cancellation slot: the job posted to the pool.
BOOST_AUTO_TEST_CASE(to_thread_with_a_callback)
{
    for_every_k(
        "to_thread",
        1,
        [](long k)
        {
            asio::io_context ctx;
            asio::thread_pool pool(1);
            record tried;
            bool threw = false;
            {
                armed a(k);
                try
                {
                    af::to_thread(
                        pool,
                        [] { return 5; },
                        asio::bind_executor(ctx, tried.handler()));
                }
                catch (const std::bad_alloc&)
                {
                    threw = true;
                }
            }
            BOOST_TEST(threw == g_injected);
            ctx.run(); // never hangs: a failed initiation left no work behind
            pool.join();
            BOOST_TEST(tried.calls == (threw ? 0 : 1));
            if (!threw)
                BOOST_TEST(tried.value == 5);
        });
}

// to_thread with a cancellation slot: the shared state, the slot's handler, the job.
BOOST_AUTO_TEST_CASE(to_thread_with_a_cancellation_slot)
{
    for_every_k(
        "to_thread + slot",
        3,
        [](long k)
        {
            asio::io_context ctx;
            asio::thread_pool pool(1);
            asio::cancellation_signal sig;
            record tried;
            bool threw = false;
            {
                armed a(k);
                try
                {
                    af::to_thread(
                        pool,
                        [] { return 6; },
                        asio::bind_cancellation_slot(
                            sig.slot(),
                            asio::bind_executor(ctx, tried.handler())));
                }
                catch (const std::bad_alloc&)
                {
                    threw = true;
                }
            }
            BOOST_TEST(threw == g_injected);
            BOOST_TEST(sig.slot().has_handler() == !threw); // a failed call left none behind
            ctx.run();
            pool.join();
            BOOST_TEST(tried.calls == (threw ? 0 : 1));
            BOOST_TEST(!sig.slot().has_handler());
        });
}

#if defined(BOOST_ASIO_FUTURE_HAS_CO_AWAIT)

// task_group::spawn: the coroutine's start (co_spawn, the future's state), the group's entry
// and the done callback. A failed spawn leaves the group usable and its join unaffected.
BOOST_AUTO_TEST_CASE(task_group_spawn)
{
    for_every_k(
        "task_group::spawn",
        10,
        [](long k)
        {
            asio::io_context ctx;
            int reports = 0;
            asio::use_service<af::future_service>(ctx).set_exception_handler(
                [&](const af::exception_context&) { ++reports; });
            std::optional<af::task_group> g(std::in_place, ctx);
            auto before = g->spawn([]() -> asio::awaitable<int> { co_return 1; });
            auto task = []() -> asio::awaitable<int> { co_return 2; }();
            bool threw = false;
            std::optional<af::async_future<int>> tried;
            {
                armed a(k);
                try
                {
                    tried.emplace(g->spawn(std::move(task)));
                }
                catch (const std::bad_alloc&)
                {
                    threw = true;
                }
            }
            BOOST_TEST(threw == g_injected);
            int joined = 0;
            g->async_join([&](std::exception_ptr e) { joined += e ? 10 : 1; });
            ctx.run();
            BOOST_TEST(joined == 1);
            BOOST_TEST(before.result() == 1);
            if (tried)
                BOOST_TEST(tried->result() == 2);
            BOOST_TEST(g->size() == 0u);
            g.reset();
            tried.reset();
            BOOST_TEST(reports == 0);
        });
}

// task_group::async_join with a cancellation slot: the join's own storage and its slot handler.
BOOST_AUTO_TEST_CASE(task_group_async_join)
{
    for_every_k(
        "task_group::async_join",
        2,
        [](long k)
        {
            asio::io_context ctx;
            af::task_group g(ctx);
            auto t = g.spawn([]() -> asio::awaitable<int> { co_return 3; });
            asio::cancellation_signal sig;
            int before = 0, tried = 0;
            g.async_join([&](std::exception_ptr e) { before += e ? 10 : 1; });
            bool threw = false;
            {
                armed a(k);
                try
                {
                    g.async_join(asio::bind_cancellation_slot(
                        sig.slot(),
                        [&](std::exception_ptr e) { tried += e ? 10 : 1; }));
                }
                catch (const std::bad_alloc&)
                {
                    threw = true;
                }
            }
            BOOST_TEST(threw == g_injected);
            BOOST_TEST(sig.slot().has_handler() == !threw);
            ctx.run();
            BOOST_TEST(before == 1);
            BOOST_TEST(tried == (threw ? 0 : 1));
            BOOST_TEST(t.result() == 3);
        });
}

// task_group::async_join on a group with no task: the completion is queued at once.
BOOST_AUTO_TEST_CASE(task_group_async_join_at_once)
{
    for_every_k(
        "task_group::async_join, no task",
        4,
        [](long k)
        {
            asio::io_context ctx;
            af::task_group g(ctx);
            asio::cancellation_signal sig;
            int tried = 0;
            bool threw = false;
            {
                armed a(k);
                try
                {
                    g.async_join(asio::bind_cancellation_slot(
                        sig.slot(),
                        [&](std::exception_ptr e) { tried += e ? 10 : 1; }));
                }
                catch (const std::bad_alloc&)
                {
                    threw = true;
                }
            }
            BOOST_TEST(threw == g_injected);
            BOOST_TEST(sig.slot().has_handler() == !threw);
            ctx.run();
            BOOST_TEST(tried == (threw ? 0 : 1));
            BOOST_TEST(!sig.slot().has_handler());
        });
}

#endif

BOOST_AUTO_TEST_SUITE_END()

// ---------------------------------------------------------------------------------------------
// Throwing user code.
// ---------------------------------------------------------------------------------------------

namespace
{

// A value whose copy or move constructor throws on demand.
struct fragile
{
    static inline bool throw_on_copy = false;
    static inline int moves_until_throw = 0; // the n-th move from now throws (0: none)

    int v = 0;
    explicit fragile(int x) : v(x) {}
    fragile(const fragile& o) : v(o.v)
    {
        if (throw_on_copy)
            throw std::runtime_error("copy");
    }
    fragile(fragile&& o) : v(o.v)
    {
        if (moves_until_throw > 0 && --moves_until_throw == 0)
            throw std::runtime_error("move");
    }
    fragile& operator=(const fragile&) = default;
    fragile& operator=(fragile&&) = default;
};

struct record_fragile
{
    int calls = 0;
    std::exception_ptr error;
    int value = 0;

    auto handler()
    {
        return [this](std::exception_ptr e, std::optional<fragile> v)
        {
            ++calls;
            error = std::move(e);
            value = v ? v->v : -1;
        };
    }
};

} // namespace

BOOST_AUTO_TEST_SUITE(throwing_user_code)

// The value is built before the race: a constructor throwing there leaves the future pending.
BOOST_AUTO_TEST_CASE(throwing_constructor_before_the_race_leaves_the_future_pending)
{
    {
        asio::io_context ctx;
        auto fut = af::make_future<fragile>(ctx);
        record_fragile r;
        fut.async_wait(r.handler());
        fragile::moves_until_throw = 1;
        BOOST_CHECK_THROW(fut.set_result(fragile(1)), std::runtime_error);
        fragile::moves_until_throw = 0;
        BOOST_TEST(!fut.done());
        BOOST_TEST(fut.try_set_result(fragile(2)));
        ctx.run();
        BOOST_TEST(r.calls == 1);
        BOOST_TEST(r.value == 2);
    }
    BOOST_TEST(live_states() == 0);
}

// A move throwing into the state, after the race was won, fails the future with that
// exception: the caller sees it too, and every waiter completes.
BOOST_AUTO_TEST_CASE(throwing_move_into_the_state_fails_the_future)
{
    {
        asio::io_context ctx;
        auto fut = af::make_future<fragile>(ctx);
        record_fragile r;
        fut.async_wait(r.handler());
        fragile::moves_until_throw = 2;
        BOOST_CHECK_THROW(fut.set_result(fragile(1)), std::runtime_error);
        fragile::moves_until_throw = 0;
        BOOST_TEST(fut.done());
        BOOST_CHECK_THROW(fut.result(), std::runtime_error);
        BOOST_TEST(!fut.try_set_result(fragile(2))); // resolved once, by the failure
        ctx.run();
        BOOST_TEST(r.calls == 1);
        BOOST_TEST(static_cast<bool>(r.error));
    }
    BOOST_TEST(live_states() == 0);
}

// A throwing copy fails only the waiter whose copy failed; the future keeps its value.
BOOST_AUTO_TEST_CASE(throwing_copy_constructor_for_one_waiter)
{
    {
        asio::io_context ctx;
        auto fut = af::make_future<fragile>(ctx);
        int failed = 0, ok = 0;
        auto h = [&](std::exception_ptr e, std::optional<fragile> v)
        {
            if (e)
                ++failed;
            else if (v && v->v == 5)
                ++ok;
        };
        fut.async_wait(h);
        fut.async_wait(h);
        fut.set_result(fragile(5));
        fragile::throw_on_copy = true;
        ctx.run_one();
        fragile::throw_on_copy = false;
        ctx.run();
        BOOST_TEST(failed == 1);
        BOOST_TEST(ok == 1);
        BOOST_TEST(fut.result().v == 5);
    }
    BOOST_TEST(live_states() == 0);
}

// A throwing done callback goes to the exception handler; later callbacks and waiters run.
BOOST_AUTO_TEST_CASE(throwing_done_callback)
{
    {
        asio::io_context ctx;
        int reports = 0;
        asio::use_service<af::future_service>(ctx).set_exception_handler(
            [&](const af::exception_context& c)
            {
                if (c.message == "exception in done callback")
                    ++reports;
            });
        auto fut = af::make_future<int>(ctx);
        std::string order;
        fut.add_done_callback(
            [&](const af::async_future<int>&)
            {
                order += 'a';
                throw std::runtime_error("callback");
            });
        fut.add_done_callback([&](const af::async_future<int>&) { order += 'b'; });
        record r;
        fut.async_wait(r.handler());
        fut.set_result(2);
        BOOST_CHECK_NO_THROW(ctx.run());
        BOOST_TEST(order == "ab");
        BOOST_TEST(reports == 1);
        BOOST_TEST(r.calls == 1);
        BOOST_TEST(r.value == 2);
    }
    BOOST_TEST(live_states() == 0);
}

// A throwing completion handler propagates out of run() (Asio's rule); the future is intact,
// the other waiters complete when run() is called again, and nothing leaks.
BOOST_AUTO_TEST_CASE(throwing_completion_handler)
{
    {
        asio::io_context ctx;
        auto fut = af::make_future<int>(ctx);
        record first, last;
        fut.async_wait(first.handler());
        fut.async_wait([](std::exception_ptr, int) { throw std::logic_error("handler"); });
        fut.async_wait(last.handler());
        fut.set_result(8);
        BOOST_CHECK_THROW(ctx.run(), std::logic_error);
        BOOST_TEST(first.calls == 1);
        BOOST_TEST(last.calls == 0);
        BOOST_TEST(fut.done());
        BOOST_TEST(fut.result() == 8);
        ctx.restart();
        ctx.run();
        BOOST_TEST(last.calls == 1);
        BOOST_TEST(last.value == 8);

        // A new wait after the throw still works.
        record again;
        fut.async_wait(again.handler());
        ctx.restart();
        ctx.run();
        BOOST_TEST(again.calls == 1);
    }
    BOOST_TEST(live_states() == 0);
}

// A throwing handler destroyed unrun (context destroyed after the throw) leaks nothing.
BOOST_AUTO_TEST_CASE(throwing_handler_then_context_destroyed)
{
    {
        auto ctx = std::make_unique<asio::io_context>();
        auto fut = af::make_future<int>(*ctx);
        record last;
        fut.async_wait([](std::exception_ptr, int) { throw std::logic_error("handler"); });
        fut.async_wait(last.handler());
        fut.cancel("x");
        BOOST_CHECK_THROW(ctx->run(), std::logic_error);
        ctx.reset(); // the second completion is destroyed unrun
        BOOST_TEST(last.calls == 0);
        BOOST_TEST(fut.cancelled());
    }
    BOOST_TEST(live_states() == 0);
}

BOOST_AUTO_TEST_SUITE_END()

// ---------------------------------------------------------------------------------------------
// Allocations made while a resolution queues its completions (noexcept: a failure there ends
// the program). Measured, not injected.
// ---------------------------------------------------------------------------------------------

// The combinators allocate O(1) per call, not per child: the same count for 1 and 100 children.
BOOST_AUTO_TEST_CASE(combinator_allocations_do_not_grow_with_children)
{
#if !defined(ASIO_FUTURE_TEST_NO_INJECTION)
    auto count = [](int n, auto op)
    {
        asio::io_context ctx;
        std::vector<af::async_future<int>> v;
        for (int i = 0; i < n; ++i)
            v.push_back(af::make_future<int>(ctx));
        g_count = 0;
        {
            armed a(0);
            op(v);
            for (auto& f : v)
                f.set_result(1);
        }
        const long c = g_count;
        ctx.run();
        return c;
    };
    auto gather = [](auto& v) { (void)af::gather(v); };
    auto wait = [](auto& v)
    {
        af::wait(
            v,
            af::return_when::all_completed,
            [](std::exception_ptr,
               std::vector<af::async_future<int>>,
               std::vector<af::async_future<int>>) {});
    };
    auto as_completed = [](auto& v) { (void)af::as_completed(v); };
    for (auto [name, one, hundred] :
         {std::make_tuple("gather", count(1, gather), count(100, gather)),
          std::make_tuple("wait", count(1, wait), count(100, wait)),
          std::make_tuple("as_completed", count(1, as_completed), count(100, as_completed))})
    {
        BOOST_TEST_MESSAGE(
            name << ": " << one << " allocations for 1 child, " << hundred << " for 100");
        BOOST_TEST(
            one == hundred,
            name << ": " << one << " allocations for 1 child, " << hundred << " for 100");
    }
#endif
}

BOOST_AUTO_TEST_CASE(allocations_while_resolving)
{
#if !defined(ASIO_FUTURE_TEST_NO_INJECTION)
    for (int waiters : {1, 3})
    {
        asio::io_context ctx;
        auto fut = af::make_future<int>(ctx);
        std::vector<record> rs(static_cast<std::size_t>(waiters));
        for (record& r : rs)
            fut.async_wait(r.handler());
        g_count = 0;
        {
            armed a(0);
            fut.set_result(1);
        }
        const long from_outside = g_count;
        ctx.run();
        BOOST_TEST_MESSAGE(
            "set_result with " << waiters << " waiter(s) from outside run(): " << from_outside
                               << " allocation(s)");
        // Each queued completion is an allocation of the executor's: a failure there cannot be
        // reported (see wait_op::act). Pin the number so that a change is noticed.
        BOOST_TEST(from_outside == 2 * waiters);
        for (record& r : rs)
            BOOST_TEST(r.calls == 1);
    }
#endif
    BOOST_TEST(live_states() == 0);
}
