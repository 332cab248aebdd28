//
// Copyright (c) 2026 The asio_future Authors.
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// af::wait (asyncio.wait): (done, pending) in input order for first_completed,
// first_exception and all_completed; the duration form; never cancels a child; cancelling the
// wait (any type) ends only the wait; an empty range; never inline; outstanding work only
// while pending; tokens, af::timeout; children resolved from several threads while waits are
// cancelled. Cases ported from CPython's Lib/test/test_asyncio/test_tasks.py name their
// original.

// The header under test comes first: it must be self-contained.
#include <boost/asio_future/wait.hpp>

#define BOOST_TEST_MODULE wait
#include <boost/asio_future/async_future.hpp>
#include <boost/asio_future/error.hpp>
#include <boost/asio_future/timeout.hpp>
#include <boost/asio_future/use_async_future.hpp>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <chrono>
#include <future>
#include <list>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#if defined(BOOST_ASIO_FUTURE_HAS_CO_AWAIT)
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#endif

#include "combinator_helpers.hpp"

namespace af = boost::asio_future;
namespace asio = boost::asio;
using namespace std::chrono_literals;
using namespace combinator_test;

namespace
{

using int_future = af::async_future<int>;
using int_futures = std::vector<int_future>;

int_futures make_ints(asio::io_context& ctx, int n)
{
    int_futures v;
    for (int i = 0; i < n; ++i)
        v.push_back(af::make_future<int>(ctx));
    return v;
}

// What one wait received.
struct outcome
{
    int calls = 0;
    std::exception_ptr error;
    int_futures done;
    int_futures pending;

    auto handler()
    {
        return [this](std::exception_ptr e, int_futures d, int_futures p)
        {
            ++calls;
            error = std::move(e);
            done = std::move(d);
            pending = std::move(p);
        };
    }
};

// Resolves `f` with `v` after `d`, from a timer on `ctx`.
void resolve_after(asio::io_context& ctx, int_future f, int v, std::chrono::milliseconds d)
{
    auto t = std::make_shared<asio::steady_timer>(ctx, d);
    t->async_wait([t, f, v](boost::system::error_code) { f.try_set_result(v); });
}

} // namespace

// CPython: BaseTaskTests.test_wait: all_completed gives every child in done; doing it again on
// done children exercises the ready path.
BOOST_AUTO_TEST_CASE(test_wait)
{
    asio::io_context ctx;
    auto v = make_ints(ctx, 2);
    resolve_after(ctx, v[0], 1, 10ms);
    resolve_after(ctx, v[1], 2, 15ms);
    outcome o;
    af::wait(int_futures{v[1], v[0]}, af::return_when::all_completed, o.handler());
    ctx.run();
    BOOST_TEST(o.calls == 1);
    BOOST_TEST(!o.error);
    BOOST_TEST(o.done.size() == 2u);
    BOOST_TEST(o.pending.empty());
    // Input order: v[1] first.
    BOOST_TEST(o.done[0].result() == 2);
    BOOST_TEST(o.done[1].result() == 1);

    outcome again;
    af::wait(v, af::return_when::all_completed, again.handler());
    BOOST_TEST(again.calls == 0); // never inline
    ctx.restart();
    ctx.run();
    BOOST_TEST(again.calls == 1);
    BOOST_TEST(again.done.size() == 2u);
}

// CPython: BaseTaskTests.test_wait_duplicate_coroutines: a child given twice is in done twice.
BOOST_AUTO_TEST_CASE(test_wait_duplicate_coroutines)
{
    asio::io_context ctx;
    auto c = af::make_future<int>(ctx);
    auto s = af::make_future<int>(ctx);
    outcome o;
    af::wait(int_futures{c, c, s}, af::return_when::all_completed, o.handler());
    c.set_result(1);
    s.set_result(2);
    ctx.run();
    BOOST_TEST(o.pending.empty());
    BOOST_TEST(o.done.size() == 3u);
}

// CPython: BaseTaskTests.test_wait_errors: an empty range is std::invalid_argument (ValueError),
// through the handler, never inline. An empty handle in the range: invalid_state_error.
BOOST_AUTO_TEST_CASE(test_wait_errors)
{
    asio::io_context ctx;
    outcome o;
    af::wait(
        int_futures{},
        af::return_when::first_completed,
        asio::bind_executor(ctx, o.handler()));
    BOOST_TEST(o.calls == 0);
    ctx.run();
    BOOST_TEST(o.calls == 1);
    BOOST_TEST(holds<std::invalid_argument>(o.error));

    outcome e2;
    af::wait(
        int_futures{af::make_future<int>(ctx), int_future()},
        af::return_when::all_completed,
        asio::bind_executor(ctx, e2.handler()));
    ctx.restart();
    ctx.run();
    BOOST_TEST(holds<af::invalid_state_error>(e2.error));

    // Without an associated executor the error is queued on asio::system_executor.
    std::promise<bool> p;
    af::wait(
        int_futures{},
        af::return_when::all_completed,
        [&](std::exception_ptr e, int_futures, int_futures)
        { p.set_value(holds<std::invalid_argument>(e)); });
    BOOST_TEST(p.get_future().get());
}

// CPython: BaseTaskTests.test_wait_first_completed: done = {b}, pending = {a}; a not cancelled.
BOOST_AUTO_TEST_CASE(test_wait_first_completed)
{
    asio::io_context ctx;
    auto a = af::make_future<int>(ctx);
    auto b = af::make_future<int>(ctx);
    resolve_after(ctx, b, 2, 10ms);
    outcome o;
    af::wait(int_futures{b, a}, af::return_when::first_completed, o.handler());
    ctx.run(); // returns: the pending a is not outstanding work once the wait completed
    BOOST_TEST(o.calls == 1);
    BOOST_TEST_REQUIRE(o.done.size() == 1u);
    BOOST_TEST(o.done[0].result() == 2);
    BOOST_TEST_REQUIRE(o.pending.size() == 1u);
    BOOST_TEST(!a.done());
    a.set_result(1);
    BOOST_TEST(o.pending[0].result() == 1); // the same future
}

// CPython: BaseTaskTests.test_wait_really_done: children done by the time the wait completes
// are all in done.
BOOST_AUTO_TEST_CASE(test_wait_really_done)
{
    asio::io_context ctx;
    auto a = af::make_future<int>(ctx);
    auto b = af::make_future<int>(ctx);
    outcome o;
    af::wait(int_futures{b, a}, af::return_when::first_completed, o.handler());
    a.set_result(1);
    b.set_result(2); // before the completion runs, but after the wait's condition was met
    ctx.run();
    BOOST_TEST(o.done.size() + o.pending.size() == 2u);
    BOOST_TEST(o.done.size() >= 1u);
    BOOST_TEST(o.done.back().result() == 1);
    // Both done already when the wait starts: both in done.
    outcome both;
    af::wait(int_futures{b, a}, af::return_when::first_completed, both.handler());
    ctx.restart();
    ctx.run();
    BOOST_TEST(both.done.size() == 2u);
}

// CPython: BaseTaskTests.test_wait_first_exception (the child already failed) and
// test_wait_first_exception_in_wait (it fails while waiting). A cancelled child does not count.
BOOST_AUTO_TEST_CASE(test_wait_first_exception)
{
    asio::io_context ctx;
    {
        auto a = af::make_future<int>(ctx);
        auto b = af::make_future<int>(ctx);
        b.set_exception(std::runtime_error("err"));
        outcome o;
        af::wait(int_futures{b, a}, af::return_when::first_exception, o.handler());
        ctx.run();
        BOOST_TEST(o.done.size() == 1u);
        BOOST_TEST(o.pending.size() == 1u);
        BOOST_TEST(holds<std::runtime_error>(o.done[0].exception()));
    }
    {
        auto a = af::make_future<int>(ctx);
        auto b = af::make_future<int>(ctx);
        auto c = af::make_future<int>(ctx);
        outcome o;
        af::wait(int_futures{b, a, c}, af::return_when::first_exception, o.handler());
        c.cancel(); // does not count
        a.set_result(1);
        ctx.restart();
        ctx.poll(); // run() would not return: the pending wait is outstanding work
        BOOST_TEST(o.calls == 0);
        b.set_exception(std::runtime_error("err"));
        ctx.restart();
        ctx.run();
        BOOST_TEST(o.calls == 1);
        BOOST_TEST(o.done.size() == 3u);
        BOOST_TEST(holds<std::runtime_error>(b.exception()));
    }
    {
        // No child fails: as all_completed.
        auto v = make_ints(ctx, 2);
        outcome o;
        af::wait(v, af::return_when::first_exception, o.handler());
        v[0].set_result(1);
        ctx.restart();
        ctx.poll();
        BOOST_TEST(o.calls == 0);
        v[1].cancel();
        ctx.restart();
        ctx.run();
        BOOST_TEST(o.calls == 1);
        BOOST_TEST(o.done.size() == 2u);
    }
}

// CPython: BaseTaskTests.test_wait_with_exception: the wait delivers the failed child in done
// and does not retrieve its exception.
BOOST_AUTO_TEST_CASE(test_wait_with_exception)
{
    asio::io_context ctx;
    report_counter reports(ctx);
    {
        auto a = af::make_future<int>(ctx);
        auto b = af::make_future<int>(ctx);
        outcome o;
        af::wait(int_futures{b, a}, af::return_when::all_completed, o.handler());
        a.set_result(1);
        b.set_exception(std::runtime_error("really"));
        ctx.run();
        BOOST_TEST(o.done.size() == 2u);
        int errors = 0;
        for (auto& f : o.done)
            errors += f.exception() ? 1 : 0;
        BOOST_TEST(errors == 1);
    }
    BOOST_TEST(reports.never_retrieved == 0); // retrieved above, by the test
}

// CPython: BaseTaskTests.test_wait_with_timeout and test_wait_concurrent_complete: the duration
// form completes normally with the sets as they are at expiry.
BOOST_AUTO_TEST_CASE(test_wait_with_timeout)
{
    asio::io_context ctx;
    auto a = af::make_future<int>(ctx);
    auto b = af::make_future<int>(ctx);
    resolve_after(ctx, a, 1, 5ms);
    outcome o;
    af::wait(int_futures{b, a}, af::return_when::all_completed, 50ms, o.handler());
    const auto start = std::chrono::steady_clock::now();
    ctx.run_for(5s);
    BOOST_TEST((std::chrono::steady_clock::now() - start >= 50ms));
    BOOST_TEST(o.calls == 1);
    BOOST_TEST(!o.error);
    BOOST_TEST_REQUIRE(o.done.size() == 1u);
    BOOST_TEST(o.done[0].result() == 1);
    BOOST_TEST(o.pending.size() == 1u);
    BOOST_TEST(!b.done()); // never cancelled

    // A condition met before the deadline: the timer is cancelled and run() returns at once.
    outcome early;
    af::wait(int_futures{b}, af::return_when::first_completed, 1h, early.handler());
    b.set_result(2);
    ctx.restart();
    const auto t0 = std::chrono::steady_clock::now();
    ctx.run();
    BOOST_TEST((std::chrono::steady_clock::now() - t0 < 30s));
    BOOST_TEST(early.done.size() == 1u);
}

// CPython: BaseTaskTests.test_wait_with_iterator_of_tasks / test_wait_generator: any forward
// range (a std::list here).
BOOST_AUTO_TEST_CASE(test_wait_with_iterator_of_tasks)
{
    asio::io_context ctx;
    std::list<int_future> l;
    for (int i = 0; i < 10; ++i)
    {
        l.push_back(af::make_future<int>(ctx));
        l.back().set_result(i);
    }
    outcome o;
    af::wait(l, af::return_when::all_completed, o.handler());
    ctx.run();
    BOOST_TEST(o.done.size() == 10u);
    BOOST_TEST(o.pending.empty());
    BOOST_TEST(o.done[3].result() == 3);
}

// Cancelling the wait ends only the wait, for every cancellation type; the children go on.
// A wait whose condition was met before the cancellation delivers the sets.
BOOST_AUTO_TEST_CASE(cancelling_the_wait)
{
    for (auto type :
         {asio::cancellation_type::terminal,
          asio::cancellation_type::partial,
          asio::cancellation_type::total})
    {
        asio::io_context ctx;
        auto v = make_ints(ctx, 2);
        asio::cancellation_signal sig;
        outcome o;
        af::wait(
            v,
            af::return_when::all_completed,
            asio::bind_cancellation_slot(sig.slot(), o.handler()));
        sig.emit(type);
        BOOST_TEST(o.calls == 0); // never inline in emit()
        ctx.run();
        BOOST_TEST(o.calls == 1);
        BOOST_TEST(holds<af::cancelled_error>(o.error));
        BOOST_TEST(!v[0].done());
        BOOST_TEST(!v[1].done());
        BOOST_TEST(!sig.slot().has_handler()); // cleared before the upcall
    }
    {
        asio::io_context ctx;
        auto v = make_ints(ctx, 1);
        asio::cancellation_signal sig;
        outcome o;
        af::wait(
            v,
            af::return_when::all_completed,
            asio::bind_cancellation_slot(sig.slot(), o.handler()));
        v[0].set_result(1);
        sig.emit(asio::cancellation_type::terminal); // too late: the result is not lost
        ctx.run();
        BOOST_TEST(!o.error);
        BOOST_TEST(o.done.size() == 1u);
    }
}

// af::timeout on a wait: expiry ends the wait with timeout_error; the children go on.
BOOST_AUTO_TEST_CASE(timeout_adapter_on_a_wait)
{
    asio::io_context ctx;
    auto v = make_ints(ctx, 2);
    outcome o;
    af::wait(v, af::return_when::all_completed, af::timeout(20ms, o.handler()));
    ctx.run();
    BOOST_TEST(holds<af::timeout_error>(o.error));
    BOOST_TEST(!v[0].done());
}

// A pending wait is outstanding work: run() does not return until it completes.
BOOST_AUTO_TEST_CASE(pending_wait_is_work)
{
    asio::io_context ctx;
    auto v = make_ints(ctx, 1);
    outcome o;
    af::wait(v, af::return_when::all_completed, o.handler());
    std::thread t(
        [&]
        {
            std::this_thread::sleep_for(30ms);
            v[0].set_result(1);
        });
    ctx.run(); // returns only after the foreign thread resolved the child
    t.join();
    BOOST_TEST(o.calls == 1);
}

// The handler's associated executor is used; without one, the first child's.
BOOST_AUTO_TEST_CASE(completion_executor)
{
    asio::io_context ctx;
    auto st = asio::make_strand(ctx);
    using strand_future =
        af::basic_async_future<int, asio::strand<asio::io_context::executor_type>>;
    std::vector<strand_future> v{strand_future(st)};
    bool in_strand = false;
    af::wait(
        v,
        af::return_when::all_completed,
        [&](std::exception_ptr, std::vector<strand_future>, std::vector<strand_future>)
        { in_strand = st.running_in_this_thread(); });
    v[0].set_result(1);
    ctx.run();
    BOOST_TEST(in_strand);
}

// Tokens: deferred, use_future, use_async_future.
BOOST_AUTO_TEST_CASE(tokens)
{
    asio::io_context ctx;
    auto v = make_ints(ctx, 2);
    auto op = af::wait(v, af::return_when::first_completed, asio::deferred);
    outcome o;
    std::move(op)(o.handler());
    auto as_future = af::wait(v, af::return_when::all_completed, af::use_async_future);
    v[0].set_result(1);
    v[1].set_result(2);
    ctx.run();
    BOOST_TEST(o.done.size() >= 1u);
    BOOST_TEST(std::get<0>(as_future.result()).size() == 2u);

    auto w = make_ints(ctx, 2);
    auto work = asio::make_work_guard(ctx);
    std::thread runner([&] { ctx.restart(), ctx.run(); });
    auto sf = af::wait(w, af::return_when::first_completed, asio::use_future);
    w[1].set_result(3);
    auto [done, pending] = sf.get();
    BOOST_TEST(done.size() == 1u);
    BOOST_TEST(pending.size() == 1u);
    work.reset();
    runner.join();
}

#if defined(BOOST_ASIO_FUTURE_HAS_CO_AWAIT)

// `auto [done, pending] = co_await af::wait(...)`, and the asyncio loop
// `while pending: done, pending = wait(pending, FIRST_COMPLETED)`.
BOOST_AUTO_TEST_CASE(coroutine_wait_loop)
{
    asio::io_context ctx;
    auto v = make_ints(ctx, 4);
    for (int i = 0; i < 4; ++i)
        resolve_after(
            ctx,
            v[static_cast<std::size_t>(i)],
            i,
            std::chrono::milliseconds(5 * (4 - i)));
    std::vector<int> order;
    asio::co_spawn(
        ctx,
        [&]() -> asio::awaitable<void>
        {
            int_futures pending = v;
            while (!pending.empty())
            {
                auto [done, rest] = co_await af::wait(
                    pending,
                    af::return_when::first_completed,
                    asio::use_awaitable);
                for (auto& f : done)
                    order.push_back(f.result());
                pending = std::move(rest);
            }
        },
        asio::detached);
    ctx.run();
    BOOST_TEST(order.size() == 4u);
    BOOST_TEST(order.front() == 3);
}

#endif

// The context destroyed with waits pending (one with a deadline, one with a slot): the handlers
// are destroyed unrun, nothing leaks (ASan), and the children may still be touched.
BOOST_AUTO_TEST_CASE(context_destroyed_with_pending_waits)
{
    auto ctx = std::make_unique<asio::io_context>();
    auto v = make_ints(*ctx, 2);
    asio::cancellation_signal sig;
    int calls = 0;
    auto h = [&](std::exception_ptr, int_futures, int_futures) { ++calls; };
    af::wait(v, af::return_when::all_completed, 1h, h);
    af::wait(v, af::return_when::first_completed, asio::bind_cancellation_slot(sig.slot(), h));
    ctx->poll();
    ctx.reset();
    BOOST_TEST(calls == 0);
    BOOST_TEST(!v[0].try_set_result(1));         // cancelled by the shutdown
    sig.emit(asio::cancellation_type::terminal); // harmless
}

// Children resolved and cancelled from several threads while waits are cancelled from another:
// every wait completes exactly once with consistent sets; no child is cancelled by a wait.
BOOST_AUTO_TEST_CASE(cross_thread_stress)
{
    const int rounds = under_tsan ? 150 : 1500;
    const int children = 6;
    asio::io_context ctx;
    report_counter reports(ctx); // the waits do not retrieve the children's exceptions
    auto work = asio::make_work_guard(ctx);
    std::thread io([&] { ctx.run(); });
    std::atomic<int> completed{0};
    std::atomic<int> bad{0};
    const auto deadline = std::chrono::steady_clock::now() + 3s;
    int r = 0;
    for (; r < rounds && std::chrono::steady_clock::now() < deadline; ++r)
    {
        auto v = make_ints(ctx, children);
        auto sig = std::make_shared<asio::cancellation_signal>();
        auto check = [&](std::exception_ptr e, int_futures d, int_futures p)
        {
            if (!e && d.size() + p.size() != static_cast<std::size_t>(children))
                ++bad;
            ++completed;
        };
        af::wait(v, af::return_when::first_completed, check);
        af::wait(v, af::return_when::all_completed, check);
        af::wait(v, af::return_when::first_exception, 1ms, check);
        // The signal is emitted on the io thread (a signal is not thread-safe).
        asio::post(
            ctx,
            [&, v, sig, check]
            {
                // The handler keeps the signal alive until it has run (the slot is cleared
                // by the completion, before the upcall).
                af::wait(
                    v,
                    af::return_when::all_completed,
                    asio::bind_cancellation_slot(
                        sig->slot(),
                        [check, sig](std::exception_ptr e, int_futures d, int_futures p)
                        { check(std::move(e), std::move(d), std::move(p)); }));
                sig->emit(asio::cancellation_type::terminal);
            });
        std::vector<std::thread> ts;
        for (int t = 0; t < 3; ++t)
            ts.emplace_back(
                [&, t]
                {
                    for (int i = t; i < children; i += 3)
                    {
                        auto& c = v[static_cast<std::size_t>(i)];
                        if ((i + r) % 4 == 0)
                            c.cancel();
                        else if ((i + r) % 5 == 0)
                            c.try_set_exception(std::make_exception_ptr(std::runtime_error("x")));
                        else
                            c.try_set_result(i);
                    }
                });
        for (auto& t : ts)
            t.join();
    }
    work.reset();
    io.join();
    BOOST_TEST(completed.load() == 4 * r);
    BOOST_TEST(bad.load() == 0);
    BOOST_TEST_MESSAGE("rounds: " << r);
}
