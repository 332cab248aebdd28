//
// Copyright (c) 2026 The asio_future Authors.
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// af::to_thread: asyncio.to_thread / loop.run_in_executor. Cases ported from CPython's
// Lib/test/test_asyncio/test_threads.py are named in a comment. Test that the header is
// self-contained.
#include <boost/asio_future/to_thread.hpp>

#define BOOST_TEST_MODULE to_thread
#include <boost/asio_future/timeout.hpp>
#include <boost/asio_future/use_async_future.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/test/unit_test.hpp>

#if defined(BOOST_ASIO_FUTURE_HAS_CO_AWAIT)
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#endif

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <future>
#include <memory>
#include <mutex>
#include <numeric>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

namespace af = boost::asio_future;
namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace
{

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

// A one-shot gate a pool thread can block on.
class gate
{
public:
    void open()
    {
        std::lock_guard<std::mutex> l(m_);
        open_ = true;
        cv_.notify_all();
    }
    void wait()
    {
        std::unique_lock<std::mutex> l(m_);
        cv_.wait(l, [this] { return open_; });
    }

private:
    std::mutex m_;
    std::condition_variable cv_;
    bool open_ = false;
};

struct no_default
{
    explicit no_default(int x) : v(x) {}
    int v;
};

// Counts its live instances: a discarded result is destroyed, a dropped handler too.
struct counted
{
    static std::atomic<int>& live()
    {
        static std::atomic<int> n{0};
        return n;
    }
    counted() { ++live(); }
    counted(const counted&) { ++live(); }
    counted(counted&&) noexcept { ++live(); }
    ~counted() { --live(); }
};

} // namespace

// test_to_thread
BOOST_AUTO_TEST_CASE(to_thread_returns_the_result)
{
    asio::io_context ctx;
    asio::thread_pool pool(2);
    int got = 0;
    std::exception_ptr error;
    auto work = asio::make_work_guard(ctx); // the handler runs on ctx, bound below
    af::to_thread(
        pool,
        []
        {
            std::vector<int> v{40, 2};
            return std::accumulate(v.begin(), v.end(), 0);
        },
        asio::bind_executor(
            ctx,
            [&](std::exception_ptr e, int v)
            {
                error = e;
                got = v;
                work.reset();
            }));
    ctx.run();
    BOOST_TEST(!error);
    BOOST_TEST(got == 42);
}

// test_to_thread_exception
BOOST_AUTO_TEST_CASE(to_thread_delivers_the_exception)
{
    asio::io_context ctx;
    asio::thread_pool pool(1);
    std::exception_ptr error;
    int calls = 0;
    af::to_thread(
        pool.get_executor(),
        []() -> int { throw std::runtime_error("test"); },
        asio::bind_executor(
            ctx,
            [&](std::exception_ptr e, int)
            {
                error = e;
                ++calls;
            }));
    ctx.run(); // a pending to_thread is outstanding work on the handler's executor
    BOOST_TEST(calls == 1);
    BOOST_TEST(holds<std::runtime_error>(error));
}

// test_to_thread_once
BOOST_AUTO_TEST_CASE(fn_is_called_once_and_moved_not_copied)
{
    struct fn_type
    {
        std::shared_ptr<std::atomic<int>> calls;
        std::shared_ptr<std::atomic<int>> copies;
        fn_type(std::shared_ptr<std::atomic<int>> c, std::shared_ptr<std::atomic<int>> k)
            : calls(std::move(c)), copies(std::move(k))
        {
        }
        fn_type(const fn_type& o) : calls(o.calls), copies(o.copies) { ++*copies; }
        fn_type(fn_type&&) = default;
        void operator()() && { ++*calls; }
    };
    auto calls = std::make_shared<std::atomic<int>>(0);
    auto copies = std::make_shared<std::atomic<int>>(0);
    asio::io_context ctx;
    asio::thread_pool pool(1);
    int done = 0;
    asio::cancellation_signal sig;
    af::to_thread(
        pool,
        fn_type(calls, copies),
        asio::bind_executor(ctx, [&](std::exception_ptr) { ++done; }));
    af::to_thread(
        pool,
        fn_type(calls, copies),
        asio::bind_cancellation_slot(
            sig.slot(),
            asio::bind_executor(ctx, [&](std::exception_ptr) { ++done; })));
    ctx.run();
    BOOST_TEST(done == 2);
    BOOST_TEST(*calls == 2);
    BOOST_TEST(*copies == 0);
}

// test_to_thread_concurrent
BOOST_AUTO_TEST_CASE(concurrent_calls)
{
    asio::io_context ctx;
    asio::thread_pool pool(4);
    std::atomic<int> calls{0};
    std::vector<af::async_future<void>> futs;
    for (int i = 0; i < 10; ++i)
        futs.push_back(af::to_thread(
            pool,
            [&] { ++calls; },
            af::use_async_future));
    for (auto& f : futs)
        f.get();
    BOOST_TEST(calls == 10);
}

// test_to_thread_args_kwargs: to_thread takes a nullary callable; arguments are bound into it.
BOOST_AUTO_TEST_CASE(arguments_are_bound_into_the_callable)
{
    asio::thread_pool pool(1);
    auto f = af::to_thread(
        pool,
        [s = std::string("test"), something = true] { return something ? s + "!" : s; },
        af::use_async_future);
    BOOST_TEST(f.get() == "test!");
}

// test_to_thread_contextvars has no counterpart: C++ has no context variables; fn carries what
// it needs by value (the test above).

BOOST_AUTO_TEST_CASE(fn_runs_on_ex_and_the_handler_on_its_own_executor)
{
    asio::io_context ctx;
    asio::thread_pool pool(2);
    bool fn_on_pool = false, handler_on_ctx = false, handler_on_pool = true;
    af::to_thread(
        pool,
        [&] { fn_on_pool = pool.get_executor().running_in_this_thread(); },
        asio::bind_executor(
            ctx,
            [&](std::exception_ptr)
            {
                handler_on_ctx = ctx.get_executor().running_in_this_thread();
                handler_on_pool = pool.get_executor().running_in_this_thread();
            }));
    ctx.run();
    BOOST_TEST(fn_on_pool);
    BOOST_TEST(handler_on_ctx);
    BOOST_TEST(!handler_on_pool);
}

BOOST_AUTO_TEST_CASE(a_handler_without_executor_runs_on_ex)
{
    asio::thread_pool pool(1);
    std::promise<bool> on_pool;
    af::to_thread(
        pool,
        [] { return 1; },
        [&](std::exception_ptr, int)
        { on_pool.set_value(pool.get_executor().running_in_this_thread()); });
    BOOST_TEST(on_pool.get_future().get());
    // The future of use_async_future is bound to ex likewise.
    auto f = af::to_thread(
        pool,
        [] { return 2; },
        af::use_async_future);
    BOOST_TEST((f.get_executor() == asio::any_io_executor(pool.get_executor())));
    BOOST_TEST(f.get() == 2);
}

BOOST_AUTO_TEST_CASE(never_completes_inside_the_initiation)
{
    // ex and the handler's executor are the same io_context, running this very handler.
    asio::io_context ctx;
    bool initiating = false, inline_call = false;
    int calls = 0;
    asio::post(
        ctx,
        [&]
        {
            initiating = true;
            af::to_thread(
                ctx.get_executor(),
                [] { return 3; },
                [&](std::exception_ptr, int v)
                {
                    inline_call = initiating;
                    calls += v;
                });
            initiating = false;
        });
    ctx.run();
    BOOST_TEST(calls == 3);
    BOOST_TEST(!inline_call);
}

BOOST_AUTO_TEST_CASE(result_types)
{
    asio::thread_pool pool(2);
    // void, move-only, without default constructor (as waits deliver it: an optional), and a
    // reference result (delivered as a copy).
    af::to_thread(
        pool,
        [] {},
        af::use_async_future)
        .get();
    auto p = af::to_thread(
        pool,
        [] { return std::make_unique<int>(5); },
        af::use_async_future);
    BOOST_TEST(*p.get() == 5);
    std::promise<int> nd;
    af::to_thread(
        pool,
        [] { return no_default(6); },
        [&](std::exception_ptr, std::optional<no_default> v) { nd.set_value(v ? v->v : -1); });
    BOOST_TEST(nd.get_future().get() == 6);
    static int global = 7;
    std::promise<int> ref;
    af::to_thread(
        pool,
        []() -> int& { return global; },
        [&](std::exception_ptr, int v) { ref.set_value(v); });
    BOOST_TEST(ref.get_future().get() == 7);
    // A failing fn without default-constructible result: an empty optional beside the error.
    std::promise<bool> empty;
    af::to_thread(
        pool,
        []() -> no_default { throw std::runtime_error("x"); },
        [&](std::exception_ptr e, std::optional<no_default> v) { empty.set_value(e && !v); });
    BOOST_TEST(empty.get_future().get());
}

BOOST_AUTO_TEST_CASE(other_tokens)
{
    asio::io_context ctx;
    asio::thread_pool pool(1);
    auto op = af::to_thread(
        pool,
        [] { return 8; },
        asio::deferred);
    std::tuple<std::exception_ptr, int> got;
    std::move(op)(asio::as_tuple(
        asio::bind_executor(ctx, [&](std::tuple<std::exception_ptr, int> t) { got = t; })));
    ctx.run();
    BOOST_TEST(std::get<1>(got) == 8);
    BOOST_TEST(!std::get<0>(got));
}

// --- cancellation -------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(cancelled_before_fn_started_fn_never_runs)
{
    for (auto type :
         {asio::cancellation_type::terminal,
          asio::cancellation_type::partial,
          asio::cancellation_type::total})
    {
        asio::io_context ctx;
        asio::thread_pool pool(1);
        gate busy;
        asio::post(pool, [&] { busy.wait(); }); // the only pool thread is held
        std::atomic<bool> ran{false};
        asio::cancellation_signal sig;
        std::exception_ptr error;
        int calls = 0;
        af::to_thread(
            pool,
            [&]
            {
                ran = true;
                return 1;
            },
            asio::bind_cancellation_slot(
                sig.slot(),
                asio::bind_executor(
                    ctx,
                    [&](std::exception_ptr e, int)
                    {
                        error = e;
                        ++calls;
                    })));
        asio::post(ctx, [&] { sig.emit(type); });
        ctx.run(); // completes while the pool is still held
        BOOST_TEST(calls == 1);
        BOOST_TEST(holds<af::cancelled_error>(error));
        BOOST_TEST(!sig.slot().has_handler()); // cleared by the completion
        busy.open();
        pool.join();
        BOOST_TEST(!ran);
    }
}

BOOST_AUTO_TEST_CASE(cancelled_while_fn_runs_completes_at_once_and_discards_the_result)
{
    for (auto type : {asio::cancellation_type::terminal, asio::cancellation_type::partial})
    {
        asio::io_context ctx;
        asio::thread_pool pool(1);
        gate started, release;
        asio::cancellation_signal sig;
        std::exception_ptr error;
        int calls = 0;
        BOOST_TEST(counted::live() == 0);
        af::to_thread(
            pool,
            [&]
            {
                started.open();
                release.wait();
                return counted();
            },
            asio::bind_cancellation_slot(
                sig.slot(),
                asio::bind_executor(
                    ctx,
                    [&](std::exception_ptr e, counted)
                    {
                        error = e;
                        ++calls;
                    })));
        started.wait();
        asio::post(ctx, [&] { sig.emit(type); });
        ctx.run(); // fn is still blocked: the wait ended without it
        BOOST_TEST(calls == 1);
        BOOST_TEST(holds<af::cancelled_error>(error));
        release.open();
        pool.join();
        BOOST_TEST(counted::live() == 0); // the result was made and discarded
    }
}

BOOST_AUTO_TEST_CASE(total_cancellation_while_fn_runs_is_ignored)
{
    asio::io_context ctx;
    asio::thread_pool pool(1);
    gate started, release;
    asio::cancellation_signal sig;
    std::exception_ptr error;
    int got = 0;
    af::to_thread(
        pool,
        [&]
        {
            started.open();
            release.wait();
            return 9;
        },
        asio::bind_cancellation_slot(
            sig.slot(),
            asio::bind_executor(
                ctx,
                [&](std::exception_ptr e, int v)
                {
                    error = e;
                    got = v;
                })));
    started.wait();
    asio::post(
        ctx,
        [&]
        {
            sig.emit(asio::cancellation_type::total);
            release.open();
        });
    ctx.run();
    BOOST_TEST(!error);
    BOOST_TEST(got == 9);
    pool.join();
}

BOOST_AUTO_TEST_CASE(emit_after_completion_is_harmless)
{
    asio::io_context ctx;
    asio::thread_pool pool(1);
    asio::cancellation_signal sig;
    int calls = 0;
    af::to_thread(
        pool,
        [] { return 1; },
        asio::bind_cancellation_slot(
            sig.slot(),
            asio::bind_executor(ctx, [&](std::exception_ptr e, int) { calls += e ? 10 : 1; })));
    ctx.run();
    sig.emit(asio::cancellation_type::terminal);
    ctx.restart();
    ctx.run();
    BOOST_TEST(calls == 1);
}

BOOST_AUTO_TEST_CASE(cancelling_the_use_async_future_future)
{
    // The future is bound to ex, and cancel() emits to the operation on ex, queued behind what
    // ex already has: on this busy one-thread pool the job starts first. The future is
    // cancelled at once all the same, and fn's result is discarded.
    asio::thread_pool pool(1);
    gate busy;
    asio::post(pool, [&] { busy.wait(); });
    std::atomic<int> ran{0};
    auto f = af::to_thread(
        pool,
        [&] { return ++ran; },
        af::use_async_future);
    BOOST_TEST(f.cancel());
    BOOST_TEST(f.cancelled());
    busy.open();
    BOOST_CHECK_THROW(f.get(), af::cancelled_error);
    pool.join();
}

#if defined(BOOST_ASIO_FUTURE_HAS_CO_AWAIT)

BOOST_AUTO_TEST_CASE(a_coroutine_resumes_on_its_own_executor)
{
    asio::io_context ctx;
    auto strand = asio::make_strand(ctx);
    asio::thread_pool pool(2);
    bool on_strand = false, fn_on_pool = false;
    int got = 0;
    asio::co_spawn(
        strand,
        [&]() -> asio::awaitable<void>
        {
            got = co_await af::to_thread(
                pool,
                [&]
                {
                    fn_on_pool = pool.get_executor().running_in_this_thread();
                    return 11;
                },
                asio::use_awaitable);
            on_strand = strand.running_in_this_thread();
        },
        asio::detached);
    ctx.run();
    BOOST_TEST(got == 11);
    BOOST_TEST(fn_on_pool);
    BOOST_TEST(on_strand);
}

BOOST_AUTO_TEST_CASE(timeout_on_a_blocking_fn)
{
    asio::io_context ctx;
    asio::thread_pool pool(1);
    gate release;
    bool timed_out = false;
    asio::co_spawn(
        ctx,
        [&]() -> asio::awaitable<void>
        {
            try
            {
                co_await af::to_thread(
                    pool,
                    [&] { release.wait(); },
                    af::timeout(20ms, asio::use_awaitable));
            }
            catch (const af::timeout_error&)
            {
                timed_out = true;
            }
        },
        asio::detached);
    const auto start = std::chrono::steady_clock::now();
    ctx.run();
    BOOST_TEST((std::chrono::steady_clock::now() - start < 5s));
    BOOST_TEST(timed_out);
    release.open();
    pool.join();
}

BOOST_AUTO_TEST_CASE(cancelling_the_coroutine_cancels_to_thread)
{
    asio::io_context ctx;
    asio::thread_pool pool(1);
    gate release;
    bool cancelled = false;
    auto task = asio::co_spawn(
        ctx,
        [&]() -> asio::awaitable<void>
        {
            try
            {
                co_await af::to_thread(
                    pool,
                    [&] { release.wait(); },
                    asio::use_awaitable);
            }
            catch (const af::cancelled_error&)
            {
                cancelled = true;
            }
        },
        af::use_async_future);
    asio::steady_timer t(ctx, 10ms);
    t.async_wait([task](boost::system::error_code) { task.cancel(); });
    ctx.run();
    BOOST_TEST(task.cancelled());
    release.open();
    pool.join();
    BOOST_TEST(cancelled); // the coroutine saw the cancellation at its co_await
}

#endif // BOOST_ASIO_FUTURE_HAS_CO_AWAIT

// --- misuse and shutdown ------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(an_empty_executor_is_a_clear_error)
{
    asio::io_context ctx;
    std::exception_ptr error;
    af::to_thread(
        asio::any_io_executor(),
        [] { return 1; },
        asio::bind_executor(ctx, [&](std::exception_ptr e, int) { error = e; }));
    ctx.run();
    BOOST_TEST(holds<af::invalid_state_error>(error));
}

BOOST_AUTO_TEST_CASE(a_pool_shut_down_before_fn_ran_destroys_the_handler)
{
    for (bool with_slot : {false, true})
    {
        std::atomic<bool> ran{false};
        int calls = 0;
        asio::io_context ctx;
        asio::cancellation_signal sig;
        {
            asio::thread_pool pool(1);
            pool.stop(); // queued jobs are never run, and destroyed with the pool
            auto h =
                asio::bind_executor(ctx, [&calls, c = counted()](std::exception_ptr) { ++calls; });
            if (with_slot)
                af::to_thread(
                    pool,
                    [&] { ran = true; },
                    asio::bind_cancellation_slot(sig.slot(), std::move(h)));
            else
                af::to_thread(
                    pool,
                    [&] { ran = true; },
                    std::move(h));
            pool.join();
        }
        ctx.run(); // no work left behind: the handler is gone
        BOOST_TEST(!ran);
        BOOST_TEST(calls == 0);
        BOOST_TEST(counted::live() == 0);
        BOOST_TEST(!sig.slot().has_handler());
    }
    // With use_async_future: the dropped handler breaks the promise.
    af::async_future<void> f;
    {
        asio::thread_pool pool(1);
        pool.stop();
        f = af::to_thread(
            pool,
            [] {},
            af::use_async_future);
        pool.join();
    }
    BOOST_TEST(f.done());
}

// --- cross-thread stress (run under TSan) -------------------------------------------------

BOOST_AUTO_TEST_CASE(stress_cancellation_racing_completion)
{
    // Two io threads, a pool of two: each round starts to_thread calls with a slot and emits
    // terminal, partial or total cancellation on the handler's strand at a varying moment.
    // Every handler runs exactly once; a cancelled one saw cancelled_error.
    asio::io_context ctx;
    auto work = asio::make_work_guard(ctx);
    std::vector<std::thread> io;
    for (int i = 0; i < 2; ++i)
        io.emplace_back([&] { ctx.run(); });
    asio::thread_pool pool(2);
    std::atomic<long> handlers{0}, cancelled{0}, ran{0}, started{0}, wrong{0};
    const auto until = std::chrono::steady_clock::now() + 1s;
    long rounds = 0;
    while (std::chrono::steady_clock::now() < until)
    {
        constexpr int n = 32;
        std::promise<void> all;
        auto left = std::make_shared<std::atomic<int>>(n);
        for (int i = 0; i < n; ++i)
        {
            auto strand = asio::make_strand(ctx);
            auto sig = std::make_shared<asio::cancellation_signal>();
            ++started;
            asio::post(
                strand,
                [&, strand, sig, i, left]
                {
                    af::to_thread(
                        pool,
                        [&ran, i]
                        {
                            ++ran;
                            return i;
                        },
                        asio::bind_cancellation_slot(
                            sig->slot(),
                            asio::bind_executor(
                                strand,
                                [&, sig, left, i](std::exception_ptr e, int v)
                                {
                                    ++handlers;
                                    if (e)
                                        ++cancelled;
                                    else if (v != i)
                                        ++wrong;
                                    if (--*left == 0)
                                        all.set_value();
                                })));
                    const auto type = i % 3 == 0   ? asio::cancellation_type::terminal
                                      : i % 3 == 1 ? asio::cancellation_type::partial
                                                   : asio::cancellation_type::total;
                    if (i % 4 == 0)
                        sig->emit(type);
                    else
                        asio::post(strand, [sig, type] { sig->emit(type); });
                });
        }
        all.get_future().get();
        ++rounds;
    }
    work.reset();
    for (auto& t : io)
        t.join();
    pool.join();
    BOOST_TEST(handlers == started);
    BOOST_TEST(ran <= started);
    BOOST_TEST(wrong == 0);
    BOOST_TEST_MESSAGE(
        rounds << " rounds, " << handlers << " calls, " << cancelled << " cancelled, " << ran
               << " ran");
}
