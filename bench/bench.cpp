//
// Copyright (c) 2026 The asio_future Authors.
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// One program for every benchmark of bench/run. Each variant is "create, resolve, await" a
// one-shot, repeated; variants are run in interleaved rounds so that a noisy machine hits all
// alike, and the program prints one JSON document (see bench/report.py).
//
//   asio_future_bench                      every variant, timed, with allocations per op
//   asio_future_bench --list               the names of the single-thread variants
//   asio_future_bench --variant V --ops N  runs V once for N ops (for callgrind)
//   asio_future_bench --time V --ops N     prints ns/op of one timed run of V
//   asio_future_bench --allocs V --ops N   prints the heap allocations per op of V
//   asio_future_bench --variant round_trip round-trip latencies alone

#include <boost/asio_future.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/experimental/channel.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/experimental/promise.hpp>
#include <boost/asio/experimental/use_promise.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/asio/version.hpp>
#if BOOST_ASIO_VERSION >= 103100
#include <boost/asio/cancel_after.hpp>
#endif

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <future>
#include <iostream>
#include <malloc.h>
#include <memory>
#include <new>
#include <string>
#include <thread>
#include <vector>

#include "floor_c.hpp"

namespace asio = boost::asio;
namespace af = boost::asio_future;
using asio::awaitable;
using asio::use_awaitable;
using clock_type = std::chrono::steady_clock;
using namespace std::chrono_literals;
using boost::system::error_code;

// --- allocation counting -------------------------------------------------------------------

namespace
{
std::atomic<bool> counting{false};
std::atomic<std::uint64_t> allocations{0};

void* counted_alloc(std::size_t n)
{
    if (counting.load(std::memory_order_relaxed))
        allocations.fetch_add(1, std::memory_order_relaxed);
    if (void* p = std::malloc(n ? n : 1))
        return p;
    throw std::bad_alloc();
}

void* counted_aligned_alloc(std::size_t n, std::align_val_t a)
{
    if (counting.load(std::memory_order_relaxed))
        allocations.fetch_add(1, std::memory_order_relaxed);
    const std::size_t align = static_cast<std::size_t>(a);
    if (void* p = std::aligned_alloc(align, (n + align - 1) / align * align))
        return p;
    throw std::bad_alloc();
}
} // namespace

void* operator new(std::size_t n)
{
    return counted_alloc(n);
}
void* operator new[](std::size_t n)
{
    return counted_alloc(n);
}
void* operator new(std::size_t n, std::align_val_t a)
{
    return counted_aligned_alloc(n, a);
}
void* operator new[](std::size_t n, std::align_val_t a)
{
    return counted_aligned_alloc(n, a);
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

namespace
{

// Keeps results observable so that nothing is optimised away.
std::atomic<long> sink{0};

// Fails loudly: a benchmark whose variant misbehaves must not report a number.
void check(bool ok, const char* what)
{
    if (!ok)
    {
        std::fprintf(stderr, "asio_future_bench: check failed: %s\n", what);
        std::exit(2);
    }
}

// Runs `body` as a coroutine on a fresh io_context and returns the time of ctx.run().
template <class Body>
double run_coro(std::size_t n, Body body)
{
    asio::io_context ctx;
    long sum = 0;
    asio::co_spawn(ctx, body(n, sum), asio::detached);
    const auto t0 = clock_type::now();
    ctx.run();
    const auto t1 = clock_type::now();
    check(sum == static_cast<long>(n), "every op delivered its value");
    sink += sum;
    return std::chrono::duration<double, std::nano>(t1 - t0).count();
}

// --- floors ----------------------------------------------------------------------------------

// Floor A: a chain of posted handlers.
double floor_a(std::size_t n)
{
    asio::io_context ctx;
    long sum = 0;
    struct link
    {
        asio::io_context::executor_type ex;
        std::size_t left;
        long* sum;
        void operator()()
        {
            ++*sum;
            if (--left)
                asio::post(ex, std::move(*this));
        }
    };
    asio::post(ctx, link{ctx.get_executor(), n, &sum});
    const auto t0 = clock_type::now();
    ctx.run();
    const auto t1 = clock_type::now();
    check(sum == static_cast<long>(n), "floor A ran every link");
    return std::chrono::duration<double, std::nano>(t1 - t0).count();
}

// Floor B: a coroutine resuming through asio::post.
double floor_b(std::size_t n)
{
    return run_coro(
        n,
        [](std::size_t n, long& sum) -> awaitable<void>
        {
            auto ex = co_await asio::this_coro::executor;
            for (std::size_t i = 0; i < n; ++i)
            {
                co_await asio::post(ex, use_awaitable);
                ++sum;
            }
        });
}

// Floor C: the hand-written one-shot, resolved by a posted handler.
template <bool WithError>
double floor_c_posted(std::size_t n)
{
    return run_coro(
        n,
        [](std::size_t n, long& sum) -> awaitable<void>
        {
            auto ex = co_await asio::this_coro::executor;
            for (std::size_t i = 0; i < n; ++i)
            {
                auto s = floor_c::oneshot<int, WithError>::create(ex);
                asio::post(ex, [s]() mutable { s.set(1); });
                sum += co_await s.async_wait(use_awaitable);
            }
        });
}

// Floor C resolved before the wait (its "ready path").
double floor_c_ready(std::size_t n)
{
    return run_coro(
        n,
        [](std::size_t n, long& sum) -> awaitable<void>
        {
            auto ex = co_await asio::this_coro::executor;
            for (std::size_t i = 0; i < n; ++i)
            {
                auto s = floor_c::oneshot<int>::create(ex);
                s.set(1);
                sum += co_await s.async_wait(use_awaitable);
            }
        });
}

// Floor C with a plain callback: each completion starts the next op.
template <class MakeStep>
double callback_chain(std::size_t n, MakeStep make_step)
{
    asio::io_context ctx;
    long sum = 0;
    std::function<void()> step;
    std::size_t left = n;
    step = make_step(ctx.get_executor(), left, sum, step);
    asio::post(ctx, [&] { step(); });
    const auto t0 = clock_type::now();
    ctx.run();
    const auto t1 = clock_type::now();
    check(sum == static_cast<long>(n), "callback chain delivered every value");
    return std::chrono::duration<double, std::nano>(t1 - t0).count();
}

double floor_c_callback(std::size_t n)
{
    return callback_chain(
        n,
        [](asio::any_io_executor ex, std::size_t& left, long& sum, std::function<void()>& step)
        {
            return [ex, &left, &sum, &step]
            {
                auto s = floor_c::oneshot<int>::create(ex);
                asio::post(ex, [s]() mutable { s.set(1); });
                s.async_wait(
                    [&](std::exception_ptr, int v)
                    {
                        sum += v;
                        if (--left)
                            step();
                    });
            };
        });
}

// --- async_future, manual resolution -----------------------------------------------------------

double af_posted(std::size_t n)
{
    return run_coro(
        n,
        [](std::size_t n, long& sum) -> awaitable<void>
        {
            auto ex = co_await asio::this_coro::executor;
            for (std::size_t i = 0; i < n; ++i)
            {
                auto f = af::make_future<int>(ex);
                asio::post(ex, [f]() { f.set_result(1); });
                sum += co_await f.async_wait(use_awaitable);
            }
        });
}

double af_ready(std::size_t n)
{
    return run_coro(
        n,
        [](std::size_t n, long& sum) -> awaitable<void>
        {
            auto ex = co_await asio::this_coro::executor;
            for (std::size_t i = 0; i < n; ++i)
            {
                auto f = af::make_future<int>(ex);
                f.set_result(1);
                sum += co_await f.async_wait(use_awaitable);
            }
        });
}

double af_callback(std::size_t n)
{
    return callback_chain(
        n,
        [](asio::any_io_executor ex, std::size_t& left, long& sum, std::function<void()>& step)
        {
            return [ex, &left, &sum, &step]
            {
                auto f = af::make_future<int>(ex);
                asio::post(ex, [f]() { f.set_result(1); });
                f.async_wait(
                    [&](std::exception_ptr e, int v)
                    {
                        check(!e, "no exception");
                        sum += v;
                        if (--left)
                            step();
                    });
            };
        });
}

// --- token path: an operation's result as a future ----------------------------------------------

double af_token(std::size_t n)
{
    return run_coro(
        n,
        [](std::size_t n, long& sum) -> awaitable<void>
        {
            auto ex = co_await asio::this_coro::executor;
            for (std::size_t i = 0; i < n; ++i)
            {
                co_await asio::post(ex, af::use_async_future);
                ++sum;
            }
        });
}

double promise_token(std::size_t n)
{
    return run_coro(
        n,
        [](std::size_t n, long& sum) -> awaitable<void>
        {
            auto ex = co_await asio::this_coro::executor;
            for (std::size_t i = 0; i < n; ++i)
            {
                auto p = asio::post(ex, asio::experimental::use_promise);
                co_await p(use_awaitable);
                ++sum;
            }
        });
}

template <class Channel>
double channel_oneshot(std::size_t n)
{
    return run_coro(
        n,
        [](std::size_t n, long& sum) -> awaitable<void>
        {
            auto ex = co_await asio::this_coro::executor;
            for (std::size_t i = 0; i < n; ++i)
            {
                Channel ch(ex, 1);
                asio::post(ex, [&ch] { ch.try_send(error_code(), 1); });
                sum += co_await ch.async_receive(use_awaitable);
            }
        });
}

using channel_t = asio::experimental::channel<void(error_code, int)>;
using concurrent_channel_t = asio::experimental::concurrent_channel<void(error_code, int)>;

// use_future and std::future cannot be awaited on the thread that runs the context: the loop
// runs the context by hand, one handler at a time.
double use_future_oneshot(std::size_t n)
{
    asio::io_context ctx;
    auto guard = asio::make_work_guard(ctx);
    long sum = 0;
    const auto t0 = clock_type::now();
    for (std::size_t i = 0; i < n; ++i)
    {
        std::future<int> f = asio::post(ctx, asio::use_future([] { return 1; }));
        ctx.run_one();
        sum += f.get();
    }
    const auto t1 = clock_type::now();
    check(sum == static_cast<long>(n), "use_future delivered every value");
    return std::chrono::duration<double, std::nano>(t1 - t0).count();
}

double std_future_oneshot(std::size_t n)
{
    asio::io_context ctx;
    auto guard = asio::make_work_guard(ctx);
    long sum = 0;
    const auto t0 = clock_type::now();
    for (std::size_t i = 0; i < n; ++i)
    {
        std::promise<int> p;
        std::future<int> f = p.get_future();
        asio::post(ctx, [&p] { p.set_value(1); });
        ctx.run_one();
        sum += f.get();
    }
    const auto t1 = clock_type::now();
    check(sum == static_cast<long>(n), "std::future delivered every value");
    return std::chrono::duration<double, std::nano>(t1 - t0).count();
}

// --- deadlines where the result wins ------------------------------------------------------------

double af_timeout(std::size_t n)
{
    return run_coro(
        n,
        [](std::size_t n, long& sum) -> awaitable<void>
        {
            auto ex = co_await asio::this_coro::executor;
            for (std::size_t i = 0; i < n; ++i)
            {
                auto f = af::make_future<int>(ex);
                asio::post(ex, [f]() { f.set_result(1); });
                sum += co_await f.async_wait(af::timeout(1h, use_awaitable));
            }
        });
}

double timer_and_signal(std::size_t n)
{
    return run_coro(
        n,
        [](std::size_t n, long& sum) -> awaitable<void>
        {
            auto ex = co_await asio::this_coro::executor;
            for (std::size_t i = 0; i < n; ++i)
            {
                auto f = af::make_future<int>(ex);
                asio::post(ex, [f]() { f.set_result(1); });
                asio::cancellation_signal sig;
                asio::steady_timer timer(ex, 1h);
                timer.async_wait(
                    [&sig](error_code ec)
                    {
                        if (!ec)
                            sig.emit(asio::cancellation_type::terminal);
                    });
                sum +=
                    co_await f.async_wait(asio::bind_cancellation_slot(sig.slot(), use_awaitable));
                timer.cancel();
            }
        });
}

#if BOOST_ASIO_VERSION >= 103100
// Asio's own deadline (Asio 1.31+) on the same wait.
double asio_cancel_after(std::size_t n)
{
    return run_coro(
        n,
        [](std::size_t n, long& sum) -> awaitable<void>
        {
            auto ex = co_await asio::this_coro::executor;
            for (std::size_t i = 0; i < n; ++i)
            {
                auto f = af::make_future<int>(ex);
                asio::post(ex, [f]() { f.set_result(1); });
                sum += co_await f.async_wait(asio::cancel_after(1h, use_awaitable));
            }
        });
}
#endif

double awaitable_or(std::size_t n)
{
    using namespace asio::experimental::awaitable_operators;
    return run_coro(
        n,
        [](std::size_t n, long& sum) -> awaitable<void>
        {
            auto ex = co_await asio::this_coro::executor;
            for (std::size_t i = 0; i < n; ++i)
            {
                auto f = af::make_future<int>(ex);
                asio::post(ex, [f]() { f.set_result(1); });
                asio::steady_timer timer(ex, 1h);
                auto r = co_await (f.async_wait(use_awaitable) || timer.async_wait(use_awaitable));
                check(r.index() == 0, "the result wins");
                sum += std::get<0>(r);
            }
        });
}

// --- bridge over a same-thread callback client
// ----------------------------------------------------

double af_bridge(std::size_t n)
{
    return run_coro(
        n,
        [](std::size_t n, long& sum) -> awaitable<void>
        {
            auto ex = co_await asio::this_coro::executor;
            for (std::size_t i = 0; i < n; ++i)
            {
                // The client answers later on the caller's thread, as the guide's callback SDK.
                sum += co_await af::async_bridge<int>(
                    ex,
                    [&](auto on_done) { asio::post(ex, [on_done]() mutable { on_done(1); }); },
                    use_awaitable);
            }
        });
}

// --- combinators: one op is one child ------------------------------------------------------

// n/K rounds of: K pending futures, gathered (af::gather of the range, or the ranged
// experimental::make_parallel_group of their waits with wait_for_all), resolved by one posted
// handler, then the whole awaited. The same children and resolution for both.
template <std::size_t K>
double af_gather(std::size_t n)
{
    return run_coro(
        n,
        [](std::size_t n, long& sum) -> awaitable<void>
        {
            auto ex = co_await asio::this_coro::executor;
            std::vector<af::async_future<int>> fs;
            fs.reserve(K);
            for (std::size_t r = 0; r < n / K; ++r)
            {
                fs.clear();
                for (std::size_t i = 0; i < K; ++i)
                    fs.push_back(af::make_future<int>(ex));
                auto g = af::gather(fs);
                asio::post(
                    ex,
                    [&fs]
                    {
                        for (auto& f : fs)
                            f.set_result(1);
                    });
                for (int v : co_await g.async_take(use_awaitable))
                    sum += v;
            }
        });
}

template <std::size_t K>
double parallel_group_all(std::size_t n)
{
    return run_coro(
        n,
        [](std::size_t n, long& sum) -> awaitable<void>
        {
            auto ex = co_await asio::this_coro::executor;
            std::vector<af::async_future<int>> fs;
            fs.reserve(K);
            using op_type = decltype(fs.front().async_wait(asio::deferred));
            std::vector<op_type> ops;
            ops.reserve(K);
            for (std::size_t r = 0; r < n / K; ++r)
            {
                fs.clear();
                ops.clear();
                for (std::size_t i = 0; i < K; ++i)
                {
                    fs.push_back(af::make_future<int>(ex));
                    ops.push_back(fs.back().async_wait(asio::deferred));
                }
                auto group = asio::experimental::make_parallel_group(std::move(ops));
                asio::post(
                    ex,
                    [&fs]
                    {
                        for (auto& f : fs)
                            f.set_result(1);
                    });
                auto [order, errors, values] =
                    co_await group.async_wait(asio::experimental::wait_for_all(), use_awaitable);
                for (int v : values)
                    sum += v;
                ops = {};
                ops.reserve(K);
            }
        });
}

// as_completed over K futures resolved by one posted handler, each handed out by async_next.
template <std::size_t K>
double af_as_completed(std::size_t n)
{
    return run_coro(
        n,
        [](std::size_t n, long& sum) -> awaitable<void>
        {
            auto ex = co_await asio::this_coro::executor;
            std::vector<af::async_future<int>> fs;
            fs.reserve(K);
            for (std::size_t r = 0; r < n / K; ++r)
            {
                fs.clear();
                for (std::size_t i = 0; i < K; ++i)
                    fs.push_back(af::make_future<int>(ex));
                auto q = af::as_completed(fs);
                asio::post(
                    ex,
                    [&fs]
                    {
                        for (auto& f : fs)
                            f.set_result(1);
                    });
                while (q.remaining())
                {
                    auto f = co_await q.async_next(use_awaitable);
                    sum += f.result();
                }
            }
        });
}

// --- the table of single-thread variants
// --- to_thread against a hand-written post(ex) + post(back)
// ----------------------------------------------------------------------------------
// Both run fn on ex and resume the coroutine through a post back to its executor. ex is the
// coroutine's own io_context, so that callgrind counts the same single thread for both (with a
// thread_pool the counts would include its threads' wake-ups); the cross-thread figure is the
// time of the *_pool variants.

int to_thread_fn()
{
    return 1;
}

template <class Executor>
auto hand_written_pair(const Executor& ex)
{
    return asio::async_initiate<const asio::use_awaitable_t<>, void(std::exception_ptr, int)>(
        [ex](auto handler)
        {
            asio::post(
                ex,
                [ex, h = std::move(handler)]() mutable
                {
                    int r = to_thread_fn();
                    auto back = asio::get_associated_executor(h, ex);
                    asio::post(
                        back,
                        [h = std::move(h), r]() mutable { std::move(h)(std::exception_ptr(), r); });
                });
        },
        use_awaitable);
}

double af_to_thread(std::size_t n)
{
    return run_coro(
        n,
        [](std::size_t n, long& sum) -> awaitable<void>
        {
            auto ex = co_await asio::this_coro::executor;
            for (std::size_t i = 0; i < n; ++i)
                sum += co_await af::to_thread(ex, to_thread_fn, use_awaitable);
        });
}

// The same with a cancellation slot on the handler (a coroutine spawned with a cancellable
// token): to_thread then shares one state between the job and the completion.
double af_to_thread_slot(std::size_t n)
{
    return run_coro(
        n,
        [](std::size_t n, long& sum) -> awaitable<void>
        {
            auto ex = co_await asio::this_coro::executor;
            asio::cancellation_signal sig;
            for (std::size_t i = 0; i < n; ++i)
                sum += co_await af::to_thread(
                    ex,
                    to_thread_fn,
                    asio::bind_cancellation_slot(sig.slot(), use_awaitable));
        });
}

double post_and_back(std::size_t n)
{
    return run_coro(
        n,
        [](std::size_t n, long& sum) -> awaitable<void>
        {
            auto ex = co_await asio::this_coro::executor;
            for (std::size_t i = 0; i < n; ++i)
                sum += co_await hand_written_pair(ex);
        });
}

// ----------------------------------------------------------

struct variant
{
    const char* name;
    const char* group;
    double (*run)(std::size_t);
};

const variant variants[] = {
    {"floor_a_post_chain", "floor", floor_a},
    {"floor_b_coro_post", "floor", floor_b},
    {"floor_c_posted", "floor", floor_c_posted<true>},
    {"floor_c_posted_no_error_slot", "floor", floor_c_posted<false>},
    {"floor_c_ready", "floor", floor_c_ready},
    {"floor_c_callback", "floor", floor_c_callback},
    {"af_manual_posted", "manual", af_posted},
    {"af_manual_ready", "manual", af_ready},
    {"af_manual_callback", "manual", af_callback},
    {"af_token_post", "token", af_token},
    {"promise_token_post", "token", promise_token},
    {"channel_oneshot", "token", channel_oneshot<channel_t>},
    {"concurrent_channel_oneshot", "token", channel_oneshot<concurrent_channel_t>},
    {"use_future_oneshot", "token", use_future_oneshot},
    {"std_future_oneshot", "token", std_future_oneshot},
    {"af_timeout_result_wins", "deadline", af_timeout},
    {"timer_and_signal_result_wins", "deadline", timer_and_signal},
#if BOOST_ASIO_VERSION >= 103100
    {"asio_cancel_after_result_wins", "deadline", asio_cancel_after},
#endif
    {"awaitable_or_result_wins", "deadline", awaitable_or},
    {"af_bridge_same_thread", "bridge", af_bridge},
    {"af_gather_1", "combinator", af_gather<1>},
    {"parallel_group_all_1", "combinator", parallel_group_all<1>},
    {"af_gather_10", "combinator", af_gather<10>},
    {"parallel_group_all_10", "combinator", parallel_group_all<10>},
    {"af_gather_1000", "combinator", af_gather<1000>},
    {"parallel_group_all_1000", "combinator", parallel_group_all<1000>},
    {"af_as_completed_1000", "combinator", af_as_completed<1000>},
    {"af_to_thread_same_context", "to_thread", af_to_thread},
    {"af_to_thread_slot_same_context", "to_thread", af_to_thread_slot},
    {"post_and_back_same_context", "to_thread", post_and_back},
};

const variant* find_variant(const std::string& name)
{
    for (const auto& v : variants)
        if (name == v.name)
            return &v;
    return nullptr;
}

// --- cross-thread
// -----------------------------------------------------------------------------------

// A foreign thread resolves n futures that a coroutine on the io_context thread awaits in order.
template <class Make, class Set>
double cross_thread_futures(std::size_t n, Make make, Set set)
{
    asio::io_context ctx;
    using one = decltype(make(ctx.get_executor()));
    std::vector<one> items;
    items.reserve(n);
    for (std::size_t i = 0; i < n; ++i)
        items.push_back(make(ctx.get_executor()));
    long sum = 0;
    asio::co_spawn(
        ctx,
        [&]() -> awaitable<void>
        {
            for (auto& f : items)
                sum += co_await f.async_wait(use_awaitable);
        },
        asio::detached);
    const auto t0 = clock_type::now();
    std::thread producer(
        [&]
        {
            for (auto& f : items)
                set(f);
        });
    ctx.run();
    const auto t1 = clock_type::now();
    producer.join();
    check(sum == static_cast<long>(n), "every foreign resolution arrived");
    return std::chrono::duration<double, std::nano>(t1 - t0).count();
}

// Unwraps the (exception_ptr, int) completion of async_future to match floor C's (int).
double cross_thread_af(std::size_t n)
{
    return cross_thread_futures(
        n,
        [](asio::any_io_executor ex) { return af::make_future<int>(ex); },
        [](af::async_future<int>& f) { f.set_result(1); });
}

double cross_thread_floor_c(std::size_t n)
{
    return cross_thread_futures(
        n,
        [](asio::any_io_executor ex) { return floor_c::oneshot<int>::create(ex); },
        [](floor_c::oneshot<int>& s) { s.set(1); });
}

// Raw asio::post of n handlers from a foreign thread.
double cross_thread_post(std::size_t n)
{
    asio::io_context ctx;
    auto guard = asio::make_work_guard(ctx);
    long sum = 0;
    const auto t0 = clock_type::now();
    std::thread producer(
        [&]
        {
            for (std::size_t i = 0; i < n; ++i)
                asio::post(
                    ctx,
                    [&]
                    {
                        if (++sum == static_cast<long>(n))
                            guard.reset();
                    });
        });
    ctx.run();
    const auto t1 = clock_type::now();
    producer.join();
    check(sum == static_cast<long>(n), "every post ran");
    return std::chrono::duration<double, std::nano>(t1 - t0).count();
}

// Round trip: the io thread hands a fresh one-shot to a spinning foreign thread and awaits it.
// Returns the sorted latencies in ns.
template <class Make, class Set>
std::vector<double> round_trips(std::size_t n, Make make, Set set)
{
    asio::io_context ctx;
    using one = decltype(make(ctx.get_executor()));
    // The foreign thread gets its own handle: the coroutine's is destroyed as soon as it resumes.
    std::atomic<one*> handoff{nullptr};
    std::atomic<bool> stop{false};
    std::vector<double> lat;
    lat.reserve(n);
    std::thread resolver(
        [&]
        {
            while (!stop.load(std::memory_order_acquire))
            {
                if (one* p = handoff.exchange(nullptr, std::memory_order_acq_rel))
                {
                    set(*p);
                    delete p;
                }
            }
        });
    asio::co_spawn(
        ctx,
        [&]() -> awaitable<void>
        {
            auto ex = co_await asio::this_coro::executor;
            for (std::size_t i = 0; i < n; ++i)
            {
                one f = make(ex);
                const auto t0 = clock_type::now();
                handoff.store(new one(f), std::memory_order_release);
                co_await f.async_wait(use_awaitable);
                lat.push_back(
                    std::chrono::duration<double, std::nano>(clock_type::now() - t0).count());
            }
        },
        asio::detached);
    ctx.run();
    stop = true;
    resolver.join();
    check(lat.size() == n, "every round trip completed");
    std::sort(lat.begin(), lat.end());
    return lat;
}

// --- scale: many futures pending at once, each with a deadline ----------------------------------

// Bytes in use on the heap (malloc's count, exact, unlike the resident set, which reuses the
// pages freed by earlier runs).
long heap_bytes_in_use()
{
    return static_cast<long>(mallinfo2().uordblks);
}

struct scale_result
{
    double ns_per_future;
    double heap_per_future;
};

enum class scale_mode
{
    af_timeout,       // fut.async_wait(af::timeout(1h, h))
    timer_and_signal, // the hand-written deadline: a steady_timer and a cancellation_signal
    no_deadline       // fut.async_wait(h)
};

scale_result scale(std::size_t n, scale_mode mode)
{
    struct deadline
    {
        explicit deadline(asio::io_context& ctx) : timer(ctx, 1h) {}
        asio::steady_timer timer;
        asio::cancellation_signal signal;
    };
    asio::io_context ctx;
    std::vector<af::async_future<int>> futs;
    std::vector<std::unique_ptr<deadline>> deadlines;
    futs.reserve(n);
    if (mode == scale_mode::timer_and_signal)
        deadlines.reserve(n);
    long sum = 0;
    auto add = [&sum](std::exception_ptr e, int v)
    {
        if (!e)
            sum += v;
    };
    // Waits that are already pending cost their state, their wait and the deadline's timer.
    const long before = heap_bytes_in_use();
    const auto t0 = clock_type::now();
    for (std::size_t i = 0; i < n; ++i)
    {
        futs.push_back(af::make_future<int>(ctx));
        switch (mode)
        {
        case scale_mode::af_timeout:
            futs.back().async_wait(af::timeout(1h, add));
            break;
        case scale_mode::timer_and_signal:
        {
            deadline* d = deadlines.emplace_back(std::make_unique<deadline>(ctx)).get();
            d->timer.async_wait(
                [d](error_code ec)
                {
                    if (!ec)
                        d->signal.emit(asio::cancellation_type::terminal);
                });
            futs.back().async_wait(asio::bind_cancellation_slot(
                d->signal.slot(),
                [add, d](std::exception_ptr e, int v) mutable
                {
                    d->timer.cancel();
                    add(e, v);
                }));
            break;
        }
        case scale_mode::no_deadline:
            futs.back().async_wait(add);
            break;
        }
    }
    const long pending = heap_bytes_in_use();
    asio::post(
        ctx,
        [&]
        {
            for (auto& f : futs)
                f.set_result(1);
        });
    ctx.run();
    const auto t1 = clock_type::now();
    check(sum == static_cast<long>(n), "every pending future completed");
    return {
        std::chrono::duration<double, std::nano>(t1 - t0).count() / static_cast<double>(n),
        static_cast<double>(pending - before) / static_cast<double>(n)};
}

// --- statistics and output ----------------------------------------------------------------------

double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    const std::size_t m = v.size() / 2;
    return v.size() % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

double allocations_per_op(const variant& v, std::size_t n)
{
    v.run(n); // warm the recycling caches
    allocations = 0;
    counting = true;
    v.run(n);
    counting = false;
    return static_cast<double>(allocations.load()) / static_cast<double>(n);
}

int run_all(std::size_t ops, int rounds)
{
    const std::size_t count = std::size(variants);
    std::vector<std::vector<double>> samples(count);
    for (const auto& v : variants)
        v.run(ops / 10); // warm-up
    for (int r = 0; r < rounds; ++r)
    {
        // Rotate the order each round, so that no variant always follows the same one.
        for (std::size_t k = 0; k < count; ++k)
        {
            const std::size_t i = (k + static_cast<std::size_t>(r)) % count;
            samples[i].push_back(variants[i].run(ops) / static_cast<double>(ops));
        }
    }

    std::printf("{\n  \"ops_per_sample\": %zu,\n  \"rounds\": %d,\n", ops, rounds);
    std::printf(
        "  \"sizeof_state_async_future_int\": %zu,\n",
        sizeof(af::detail::future_state<int, asio::any_io_executor>));
    std::printf("  \"variants\": [\n");
    for (std::size_t i = 0; i < count; ++i)
    {
        const auto& s = samples[i];
        std::printf(
            "    {\"name\": \"%s\", \"group\": \"%s\", \"median_ns\": %.2f, \"min_ns\": %.2f, "
            "\"allocs_per_op\": %.3f}%s\n",
            variants[i].name,
            variants[i].group,
            median(s),
            *std::min_element(s.begin(), s.end()),
            allocations_per_op(variants[i], 10000),
            i + 1 < count ? "," : "");
    }
    std::printf("  ],\n");

    // Cross-thread throughput, interleaved the same way.
    const std::size_t xn = ops * 5;
    std::vector<double> x_af, x_c, x_post;
    for (int r = 0; r < rounds; ++r)
    {
        x_af.push_back(cross_thread_af(xn) / static_cast<double>(xn));
        x_c.push_back(cross_thread_floor_c(xn) / static_cast<double>(xn));
        x_post.push_back(cross_thread_post(xn) / static_cast<double>(xn));
    }
    std::printf(
        "  \"cross_thread\": {\"af_median_ns\": %.2f, \"floor_c_median_ns\": %.2f, "
        "\"post_median_ns\": %.2f, \"af_min_ns\": %.2f, \"floor_c_min_ns\": %.2f, "
        "\"post_min_ns\": %.2f},\n",
        median(x_af),
        median(x_c),
        median(x_post),
        *std::min_element(x_af.begin(), x_af.end()),
        *std::min_element(x_c.begin(), x_c.end()),
        *std::min_element(x_post.begin(), x_post.end()));

    // Round-trip latency, alternating the two in blocks.
    std::vector<double> rt_af, rt_c;
    for (int r = 0; r < 5; ++r)
    {
        auto a = round_trips(
            2000,
            [](asio::any_io_executor ex) { return af::make_future<int>(ex); },
            [](af::async_future<int>& f) { f.set_result(1); });
        auto c = round_trips(
            2000,
            [](asio::any_io_executor ex) { return floor_c::oneshot<int>::create(ex); },
            [](floor_c::oneshot<int>& s) { s.set(1); });
        rt_af.insert(rt_af.end(), a.begin(), a.end());
        rt_c.insert(rt_c.end(), c.begin(), c.end());
    }
    std::sort(rt_af.begin(), rt_af.end());
    std::sort(rt_c.begin(), rt_c.end());
    auto pct = [](const std::vector<double>& v, double p)
    { return v[static_cast<std::size_t>(p * static_cast<double>(v.size() - 1))]; };
    std::printf(
        "  \"round_trip\": {\"af_p50_ns\": %.0f, \"af_p99_ns\": %.0f, \"floor_c_p50_ns\": %.0f, "
        "\"floor_c_p99_ns\": %.0f},\n",
        pct(rt_af, 0.5),
        pct(rt_af, 0.99),
        pct(rt_c, 0.5),
        pct(rt_c, 0.99));

    // Scale: 10^3 .. 10^6 futures pending at once, each with a deadline, against the
    // hand-written deadline and against waits without one (median of 3 each).
    std::printf("  \"scale\": [\n");
    const std::size_t sizes[] = {1000, 10000, 100000, 1000000};
    for (std::size_t k = 0; k < std::size(sizes); ++k)
    {
        std::vector<double> ns, bytes, hand_ns, hand_bytes, plain_ns, plain_bytes;
        for (int r = 0; r < 3; ++r)
        {
            const auto a = scale(sizes[k], scale_mode::af_timeout);
            const auto h = scale(sizes[k], scale_mode::timer_and_signal);
            const auto p = scale(sizes[k], scale_mode::no_deadline);
            ns.push_back(a.ns_per_future);
            bytes.push_back(a.heap_per_future);
            hand_ns.push_back(h.ns_per_future);
            hand_bytes.push_back(h.heap_per_future);
            plain_ns.push_back(p.ns_per_future);
            plain_bytes.push_back(p.heap_per_future);
        }
        std::printf(
            "    {\"pending\": %zu, \"ns_per_future\": %.1f, \"heap_bytes_per_future\": %.0f, "
            "\"timer_and_signal_ns\": %.1f, \"timer_and_signal_heap_bytes\": %.0f, "
            "\"no_deadline_ns\": %.1f, \"no_deadline_heap_bytes\": %.0f}%s\n",
            sizes[k],
            median(ns),
            median(bytes),
            median(hand_ns),
            median(hand_bytes),
            median(plain_ns),
            median(plain_bytes),
            k + 1 < std::size(sizes) ? "," : "");
    }
    std::printf("  ]\n}\n");
    return 0;
}

} // namespace

int main(int argc, char** argv)
{
    std::string variant_name;
    std::string time_name;
    std::string allocs_name;
    std::size_t ops = 20000;
    int rounds = 15;
    for (int i = 1; i < argc; ++i)
    {
        const std::string a = argv[i];
        if (a == "--list")
        {
            for (const auto& v : variants)
                std::printf("%s %s\n", v.name, v.group);
            return 0;
        }
        if (a == "--variant" && i + 1 < argc)
            variant_name = argv[++i];
        else if (a == "--time" && i + 1 < argc)
            time_name = argv[++i];
        else if (a == "--allocs" && i + 1 < argc)
            allocs_name = argv[++i];
        else if (a == "--ops" && i + 1 < argc)
            ops = std::stoul(argv[++i]);
        else if (a == "--rounds" && i + 1 < argc)
            rounds = std::stoi(argv[++i]);
        else
        {
            std::fprintf(
                stderr,
                "usage: %s [--list | --variant NAME --ops N | --time NAME --ops N | --allocs NAME "
                "--ops N | --ops N --rounds R]\n",
                argv[0]);
            return 1;
        }
    }
    if (variant_name == "round_trip")
    {
        // Round trips alone: p50 and p99 of async_future and of floor C, alternating.
        for (int r = 0; r < rounds; ++r)
        {
            auto a = round_trips(
                ops,
                [](asio::any_io_executor ex) { return af::make_future<int>(ex); },
                [](af::async_future<int>& f) { f.set_result(1); });
            auto c = round_trips(
                ops,
                [](asio::any_io_executor ex) { return floor_c::oneshot<int>::create(ex); },
                [](floor_c::oneshot<int>& s) { s.set(1); });
            std::printf(
                "af p50 %.0f p99 %.0f   floor C p50 %.0f p99 %.0f\n",
                a[a.size() / 2],
                a[a.size() * 99 / 100],
                c[c.size() / 2],
                c[c.size() * 99 / 100]);
        }
        return 0;
    }
    if (!allocs_name.empty())
    {
        // Heap allocations per op of one variant (after a warm-up run).
        const variant* v = find_variant(allocs_name);
        if (!v)
            return 1;
        std::printf("%.3f\n", allocations_per_op(*v, ops));
        return 0;
    }
    if (!time_name.empty())
    {
        // One timed sample after a warm-up: ns per op (for comparisons run from outside).
        const variant* v = find_variant(time_name);
        if (!v)
        {
            std::fprintf(stderr, "unknown variant %s\n", time_name.c_str());
            return 1;
        }
        v->run(ops / 10);
        std::printf("%.2f\n", v->run(ops) / static_cast<double>(ops));
        return 0;
    }
    if (!variant_name.empty())
    {
        const variant* v = find_variant(variant_name);
        if (!v)
        {
            std::fprintf(stderr, "unknown variant %s\n", variant_name.c_str());
            return 1;
        }
        v->run(ops);
        return 0;
    }
    return run_all(ops, rounds);
}
