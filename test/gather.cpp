//
// Copyright (c) 2026 The asio_future Authors.
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// af::gather (asyncio.gather): results in argument order, first failure fails it at once
// without cancelling the others, return_exceptions, cancelling it cancels the children, every
// child's exception retrieved, void and move-only children, empty ranges and handles, tokens,
// af::timeout and af::shield, and children resolved and cancelled from several threads.
// Cases ported from CPython's Lib/test/test_asyncio/test_tasks.py name their original.

// The header under test comes first: it must be self-contained.
#include <boost/asio_future/gather.hpp>

#define BOOST_TEST_MODULE gather
#include <boost/asio_future/async_future.hpp>
#include <boost/asio_future/error.hpp>
#include <boost/asio_future/shield.hpp>
#include <boost/asio_future/timeout.hpp>
#include <boost/asio_future/use_async_future.hpp>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/system_executor.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <tuple>
#include <variant>
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

std::vector<af::async_future<int>> make_ints(asio::io_context& ctx, int n)
{
    std::vector<af::async_future<int>> v;
    for (int i = 0; i < n; ++i)
        v.push_back(af::make_future<int>(ctx));
    return v;
}

} // namespace

// CPython: GatherTestsBase.test_success (_check_success): results in argument order, whatever
// the completion order; done only when the last child is.
BOOST_AUTO_TEST_CASE(test_success)
{
    asio::io_context ctx;
    auto a = af::make_future<int>(ctx);
    auto b = af::make_future<int>(ctx);
    auto c = af::make_future<int>(ctx);
    auto fut = af::gather(a, b, c);
    int callbacks = 0;
    fut.add_done_callback([&](const auto&) { ++callbacks; });
    b.set_result(1);
    a.set_result(2);
    ctx.run();
    BOOST_TEST(!fut.done());
    BOOST_TEST(callbacks == 0);
    c.set_result(3);
    ctx.restart();
    ctx.run();
    BOOST_TEST(callbacks == 1);
    BOOST_TEST((fut.result() == std::make_tuple(2, 1, 3)));
    // The children keep their (copied) values.
    BOOST_TEST(a.result() == 2);
}

// CPython: GatherTestsBase.test_result_exception_success
BOOST_AUTO_TEST_CASE(test_result_exception_success)
{
    asio::io_context ctx;
    auto v = make_ints(ctx, 3);
    auto fut = af::gather(af::return_exceptions, v);
    v[2].set_result(3);
    v[0].set_result(1);
    v[1].set_result(2);
    ctx.run();
    const auto& r = fut.result();
    BOOST_TEST_REQUIRE(r.size() == 3u);
    for (int i = 0; i < 3; ++i)
        BOOST_TEST(std::get<0>(r[static_cast<std::size_t>(i)]) == i + 1);
}

// CPython: GatherTestsBase.test_one_exception: the first failure fails the gather at once;
// the others are not cancelled and later outcomes change nothing. No exception is reported as
// never retrieved.
BOOST_AUTO_TEST_CASE(test_one_exception)
{
    asio::io_context ctx;
    report_counter reports(ctx);
    {
        auto v = make_ints(ctx, 5);
        auto fut = af::gather(v);
        int callbacks = 0;
        fut.add_done_callback([&](const auto&) { ++callbacks; });
        v[0].set_result(1);
        v[1].set_exception(std::runtime_error("zde"));
        BOOST_TEST(fut.done()); // at once, with b's exception
        ctx.run();
        BOOST_TEST(callbacks == 1);
        BOOST_CHECK_THROW(fut.result(), std::runtime_error);
        BOOST_TEST(what_of(fut.exception()) == "zde");
        BOOST_TEST(!v[2].done()); // not cancelled
        BOOST_TEST(!v[3].done());
        // Does nothing
        v[2].set_result(3);
        v[3].cancel();
        v[4].set_exception(std::logic_error("rte"));
        ctx.restart();
        ctx.run();
        BOOST_TEST(callbacks == 1);
        BOOST_TEST(what_of(fut.exception()) == "zde");
    }
    BOOST_TEST(reports.never_retrieved == 0); // e's exception was retrieved by the gather
}

// CPython: GatherTestsBase.test_return_exceptions
BOOST_AUTO_TEST_CASE(test_return_exceptions)
{
    asio::io_context ctx;
    report_counter reports(ctx);
    {
        auto a = af::make_future<int>(ctx);
        auto b = af::make_future<int>(ctx);
        auto c = af::make_future<int>(ctx);
        auto d = af::make_future<int>(ctx);
        auto fut = af::gather(af::return_exceptions, a, b, c, d);
        b.set_result(1);
        c.set_exception(std::runtime_error("exc"));
        a.set_result(3);
        ctx.run();
        BOOST_TEST(!fut.done());
        d.set_exception(std::logic_error("exc2"));
        ctx.restart();
        ctx.run();
        BOOST_TEST_REQUIRE(fut.done());
        const auto& [ra, rb, rc, rd] = fut.result();
        BOOST_TEST(std::get<0>(ra) == 3);
        BOOST_TEST(std::get<0>(rb) == 1);
        BOOST_TEST(what_of(std::get<1>(rc)) == "exc");
        BOOST_TEST(holds<std::logic_error>(std::get<1>(rd)));
    }
    BOOST_TEST(reports.never_retrieved == 0);
}

// CPython: FutureGatherTests.test_one_cancellation: a cancelled child fails the gather with
// cancelled_error; the gather itself is not cancelled.
BOOST_AUTO_TEST_CASE(test_one_cancellation)
{
    asio::io_context ctx;
    auto v = make_ints(ctx, 5);
    auto fut = af::gather(v);
    v[0].set_result(1);
    v[1].cancel("b");
    ctx.run();
    BOOST_TEST(fut.done());
    BOOST_TEST(!fut.cancelled());
    BOOST_TEST(holds<af::cancelled_error>(fut.exception()));
    // Does nothing
    v[2].set_result(3);
    v[3].cancel();
    v[4].set_exception(std::runtime_error("rte"));
    BOOST_TEST(holds<af::cancelled_error>(fut.exception()));
}

// CPython: FutureGatherTests.test_result_exception_one_cancellation
BOOST_AUTO_TEST_CASE(test_result_exception_one_cancellation)
{
    asio::io_context ctx;
    auto v = make_ints(ctx, 6);
    auto fut = af::gather(af::return_exceptions, v);
    v[0].set_result(1);
    v[1].set_exception(std::runtime_error("zde"));
    v[2].cancel();
    ctx.run();
    BOOST_TEST(!fut.done());
    v[3].set_result(3);
    v[4].cancel();
    v[5].set_exception(std::logic_error("rte"));
    ctx.restart();
    ctx.run();
    const auto& r = fut.result();
    BOOST_TEST(std::get<0>(r[0]) == 1);
    BOOST_TEST(what_of(std::get<1>(r[1])) == "zde");
    BOOST_TEST(holds<af::cancelled_error>(std::get<1>(r[2])));
    BOOST_TEST(std::get<0>(r[3]) == 3);
    BOOST_TEST(holds<af::cancelled_error>(std::get<1>(r[4])));
    BOOST_TEST(holds<std::logic_error>(std::get<1>(r[5])));
}

// CPython: FutureGatherTests.test_constructor_empty_sequence_use_running_loop: done at once
// with an empty vector, bound to asio::system_executor.
BOOST_AUTO_TEST_CASE(test_constructor_empty_sequence)
{
    std::vector<af::async_future<int>> none;
    auto fut = af::gather(none);
    BOOST_TEST(fut.done());
    BOOST_TEST(fut.result().empty());
    BOOST_TEST((fut.get_executor() == asio::any_io_executor(asio::system_executor())));
    auto fut2 = af::gather(af::return_exceptions, none);
    BOOST_TEST(fut2.result().empty());
}

// CPython: FutureGatherTests.test_constructor_homogenous_futures: bound to the first child's
// executor (any executor: a strand here), and not done while the children are pending.
BOOST_AUTO_TEST_CASE(test_constructor_homogenous_futures)
{
    asio::io_context ctx;
    using strand_future =
        af::basic_async_future<int, asio::strand<asio::io_context::executor_type>>;
    auto st = asio::make_strand(ctx);
    std::vector<strand_future> children{strand_future(st), strand_future(st), strand_future(st)};
    auto fut = af::gather(children);
    BOOST_TEST((fut.get_executor() == asio::any_io_executor(st)));
    ctx.run();
    BOOST_TEST(!fut.done());
    auto other = af::make_future<int>(ctx);
    auto fut2 = af::gather(other, children[0]);
    BOOST_TEST((fut2.get_executor() == asio::any_io_executor(ctx.get_executor())));
    for (auto& c : children)
        c.set_result(1);
    other.set_result(2);
    ctx.restart();
    ctx.run();
    BOOST_TEST(fut.result().size() == 3u);
    BOOST_TEST((fut2.result() == std::make_tuple(2, 1)));
}

// CPython: CoroutineGatherTests.test_cancellation_broadcast, BaseTaskTests.test_cancel_gather_2:
// cancelling the gather cancels every child not yet done (with the message).
BOOST_AUTO_TEST_CASE(test_cancellation_broadcast)
{
    asio::io_context ctx;
    auto v = make_ints(ctx, 3);
    v[0].set_result(7);
    auto fut = af::gather(v);
    BOOST_TEST(fut.cancel("stop"));
    BOOST_TEST(fut.cancelled());
    BOOST_TEST(!v[0].cancelled());
    BOOST_TEST(v[1].cancelled());
    BOOST_TEST(v[2].cancelled());
    BOOST_CHECK_THROW(v[1].result(), af::cancelled_error);
    try
    {
        v[2].result();
    }
    catch (const af::cancelled_error& e)
    {
        BOOST_TEST(e.cancel_message() == "stop");
    }
    BOOST_TEST(!fut.cancel()); // already done
    ctx.run();
}

// BaseTaskTests.test_cancel_gather_1: a gather whose children are all done cannot be cancelled.
BOOST_AUTO_TEST_CASE(test_cancel_gather_1)
{
    asio::io_context ctx;
    auto a = af::make_future<int>(ctx);
    auto fut = af::gather(a);
    a.set_result(1);
    BOOST_TEST(fut.done());
    BOOST_TEST(!fut.cancel());
    BOOST_TEST(std::get<0>(fut.result()) == 1);
}

// A waiter's terminal cancellation, and af::timeout on a wait (asyncio.wait_for(gather(...)))
// cancel the gather and so the children; af::shield only detaches the wait.
BOOST_AUTO_TEST_CASE(wait_cancellation_and_timeout_and_shield)
{
    asio::io_context ctx;
    {
        auto v = make_ints(ctx, 2);
        auto fut = af::gather(v);
        asio::cancellation_signal sig;
        std::exception_ptr got;
        fut.async_wait(asio::bind_cancellation_slot(
            sig.slot(),
            [&](std::exception_ptr e, std::vector<int>) { got = e; }));
        sig.emit(asio::cancellation_type::terminal);
        ctx.run();
        BOOST_TEST(holds<af::cancelled_error>(got));
        BOOST_TEST(v[0].cancelled());
        BOOST_TEST(v[1].cancelled());
    }
    {
        auto v = make_ints(ctx, 2);
        std::exception_ptr got;
        af::gather(v).async_wait(
            af::timeout(20ms, [&](std::exception_ptr e, std::vector<int>) { got = e; }));
        ctx.restart();
        ctx.run();
        BOOST_TEST(holds<af::timeout_error>(got));
        BOOST_TEST(v[0].cancelled());
    }
    {
        auto v = make_ints(ctx, 2);
        auto fut = af::gather(v);
        std::exception_ptr got;
        af::shield(fut).async_wait(
            af::timeout(20ms, [&](std::exception_ptr e, std::vector<int>) { got = e; }));
        ctx.restart();
        ctx.run();
        BOOST_TEST(holds<af::timeout_error>(got));
        BOOST_TEST(!fut.done());
        BOOST_TEST(!v[0].done());
        v[0].set_result(1);
        v[1].set_result(2);
        BOOST_TEST((fut.result() == std::vector<int>{1, 2}));
    }
}

// CPython: CoroutineGatherTests.test_exception_marking: every child's exception is retrieved
// by the gather, also those that fail after it already failed.
BOOST_AUTO_TEST_CASE(test_exception_marking)
{
    asio::io_context ctx;
    report_counter reports(ctx);
    {
        auto a = af::make_future<int>(ctx);
        auto b = af::make_future<void>(ctx);
        auto fut = af::gather(a, b);
        a.set_exception(std::runtime_error("should not be ignored"));
        b.set_exception(std::runtime_error("should not be ignored either"));
        ctx.run();
        BOOST_TEST(holds<std::runtime_error>(fut.exception()));
    }
    ctx.restart();
    ctx.run();
    BOOST_TEST(reports.never_retrieved == 0);
}

// CPython: CoroutineGatherTests.test_duplicate_coroutines: one child given several times.
BOOST_AUTO_TEST_CASE(test_duplicate_coroutines)
{
    asio::io_context ctx;
    auto c = af::make_future<std::string>(ctx);
    auto d = af::make_future<std::string>(ctx);
    auto fut = af::gather(std::vector<af::async_future<std::string>>{c, c, d, c});
    c.set_result("abc");
    d.set_result("def");
    ctx.run();
    BOOST_TEST((fut.result() == std::vector<std::string>{"abc", "abc", "def", "abc"}));
}

// void children give std::monostate; move-only values are taken from the children.
BOOST_AUTO_TEST_CASE(void_and_move_only_children)
{
    asio::io_context ctx;
    auto v = af::make_future<void>(ctx);
    auto p = af::make_future<std::unique_ptr<int>>(ctx);
    auto fut = af::gather(v, p);
    static_assert(std::is_same_v<
                  decltype(fut),
                  af::async_future<std::tuple<std::monostate, std::unique_ptr<int>>>>);
    v.set_result();
    p.set_result(std::make_unique<int>(42));
    std::unique_ptr<int> got;
    fut.async_take(
        [&](std::exception_ptr e, std::tuple<std::monostate, std::unique_ptr<int>> t)
        {
            BOOST_TEST(!e);
            got = std::move(std::get<1>(t));
        });
    ctx.run();
    BOOST_TEST_REQUIRE(static_cast<bool>(got));
    BOOST_TEST(*got == 42);
    BOOST_CHECK_THROW(p.result(), af::invalid_state_error); // taken by the gather

    std::vector<af::async_future<std::unique_ptr<int>>> ps{
        af::make_future<std::unique_ptr<int>>(ctx),
        af::make_future<std::unique_ptr<int>>(ctx)};
    auto all = af::gather(af::return_exceptions, ps);
    ps[0].set_result(std::make_unique<int>(1));
    ps[1].set_exception(std::runtime_error("x"));
    BOOST_TEST(*std::get<0>(all.result()[0]) == 1);
    BOOST_TEST(holds<std::runtime_error>(std::get<1>(all.result()[1])));
}

// A default-constructed or moved-from handle is refused at once, nothing started.
BOOST_AUTO_TEST_CASE(empty_child_handle_throws)
{
    asio::io_context ctx;
    auto a = af::make_future<int>(ctx);
    af::async_future<int> empty;
    BOOST_CHECK_THROW(af::gather(a, empty), af::invalid_state_error);
    BOOST_CHECK_THROW(af::gather(empty, a), af::invalid_state_error);
    BOOST_CHECK_THROW(
        af::gather(std::vector<af::async_future<int>>{a, empty}),
        af::invalid_state_error);
    BOOST_CHECK_THROW(af::gather(af::return_exceptions, a, empty), af::invalid_state_error);
    a.set_result(1); // still usable; no node was left behind
    auto fut = af::gather(a);
    BOOST_TEST(std::get<0>(fut.result()) == 1);
}

// Children that are done already: the gather is done when it is returned, and a wait on it
// still completes through the queue (never inline).
BOOST_AUTO_TEST_CASE(done_children_and_never_inline)
{
    asio::io_context ctx;
    auto a = af::make_future<int>(ctx);
    a.set_result(5);
    auto fut = af::gather(a, a);
    BOOST_TEST(fut.done());
    bool called = false;
    fut.async_wait([&](std::exception_ptr, std::tuple<int, int>) { called = true; });
    BOOST_TEST(!called);
    ctx.run();
    BOOST_TEST(called);
}

// Tokens: deferred, use_future (from another thread), use_async_future.
BOOST_AUTO_TEST_CASE(tokens)
{
    asio::io_context ctx;
    auto v = make_ints(ctx, 2);
    auto fut = af::gather(v);
    auto op = fut.async_wait(asio::deferred);
    int sum = 0;
    std::move(op)([&](std::exception_ptr, std::vector<int> r) { sum = r[0] + r[1]; });
    auto again = fut.async_wait(af::use_async_future);
    v[0].set_result(1);
    v[1].set_result(2);
    ctx.run();
    BOOST_TEST(sum == 3);
    BOOST_TEST((again.result() == std::vector<int>{1, 2}));

    auto w = make_ints(ctx, 2);
    auto g = af::gather(w);
    auto work = asio::make_work_guard(ctx);
    std::thread runner([&] { ctx.restart(), ctx.run(); });
    std::future<std::vector<int>> sf = g.async_wait(asio::use_future);
    w[0].set_result(3);
    w[1].set_result(4);
    BOOST_TEST((sf.get() == std::vector<int>{3, 4}));
    work.reset();
    runner.join();
}

// Children made by af::use_async_future: the operation's completion may run the gather's node
// as the first "waiter" (state_base::publish's dispatch); cancelling the gather cancels the
// operations through their futures.
BOOST_AUTO_TEST_CASE(use_async_future_children)
{
    asio::io_context ctx;
    asio::steady_timer fast(ctx, 1ms);
    asio::steady_timer slow(ctx, 1h);
    auto a = fast.async_wait(af::use_async_future);
    auto g = af::gather(a);
    ctx.run();
    BOOST_TEST(g.done());
    BOOST_TEST(!g.exception());

    auto b = slow.async_wait(af::use_async_future);
    auto c = fast.async_wait(af::use_async_future); // already expired: completes at once
    auto both = af::gather(b, c);
    asio::post(ctx, [both] { both.cancel(); });
    ctx.restart();
    ctx.run(); // returns: the hour-long wait was cancelled through its future
    BOOST_TEST(both.cancelled());
    BOOST_TEST(b.cancelled());
}

// A gather of gathers: the inner gather is an ordinary child.
BOOST_AUTO_TEST_CASE(nested_gathers)
{
    asio::io_context ctx;
    auto a = af::make_future<int>(ctx);
    auto b = af::make_future<int>(ctx);
    auto outer = af::gather(af::gather(a, b), b);
    a.set_result(1);
    b.set_result(2);
    ctx.run();
    const auto& [inner, second] = outer.result();
    BOOST_TEST((inner == std::make_tuple(1, 2)));
    BOOST_TEST(second == 2);
}

// Once done, the gather no longer keeps the children's context running: a pending child left
// behind is not outstanding work. A child nobody can resolve fails the gather (broken promise).
BOOST_AUTO_TEST_CASE(not_work_once_done_and_broken_promise)
{
    asio::io_context ctx;
    auto a = af::make_future<int>(ctx);
    auto b = af::make_future<int>(ctx);
    auto fut = af::gather(a, b);
    a.set_exception(std::runtime_error("x"));
    std::exception_ptr got;
    fut.async_wait([&](std::exception_ptr e, std::tuple<int, int>) { got = e; });
    ctx.run(); // returns although b is pending
    BOOST_TEST(holds<std::runtime_error>(got));
    BOOST_TEST(!b.done());

    auto r = af::make_future<int>(ctx);
    auto g = af::gather(r);
    {
        auto res = r.get_resolver();
        r = af::async_future<int>();
    } // the only resolver is dropped: broken promise
    BOOST_TEST(holds<af::broken_promise_error>(g.exception()));
}

#if defined(BOOST_ASIO_FUTURE_HAS_CO_AWAIT)

// co_await of a gather; cancelling the awaiting coroutine (its terminal cancellation) cancels
// the gather and the children: CoroutineGatherTests.test_cancellation_broadcast.
BOOST_AUTO_TEST_CASE(coroutine_gather_and_cancellation)
{
    asio::io_context ctx;
    auto a = af::make_future<int>(ctx);
    auto b = af::make_future<std::string>(ctx);
    std::string out;
    asio::co_spawn(
        ctx,
        [&]() -> asio::awaitable<void>
        {
            auto [x, y] = co_await af::gather(a, b).async_wait(asio::use_awaitable);
            out = std::to_string(x) + y;
        },
        asio::detached);
    asio::post(ctx, [&] { a.set_result(1), b.set_result("b"); });
    ctx.run();
    BOOST_TEST(out == "1b");

    auto c = af::make_future<int>(ctx);
    auto d = af::make_future<int>(ctx);
    asio::cancellation_signal sig;
    std::exception_ptr ended;
    asio::co_spawn(
        ctx,
        [&]() -> asio::awaitable<void>
        { co_await af::gather(c, d).async_wait(asio::use_awaitable); },
        asio::bind_cancellation_slot(sig.slot(), [&](std::exception_ptr e) { ended = e; }));
    ctx.restart();
    ctx.poll();
    sig.emit(asio::cancellation_type::terminal);
    ctx.run();
    BOOST_TEST(holds<af::cancelled_error>(ended));
    BOOST_TEST(c.cancelled());
    BOOST_TEST(d.cancelled());
}

#endif

// The context destroyed with a gather pending and awaited: nothing leaks, nothing is invoked.
BOOST_AUTO_TEST_CASE(context_destroyed_with_a_pending_gather)
{
    auto ctx = std::make_unique<asio::io_context>();
    auto v = make_ints(*ctx, 2);
    auto g = af::gather(v);
    int calls = 0;
    g.async_wait([&](std::exception_ptr, std::vector<int>) { ++calls; });
    ctx->poll();
    ctx.reset();
    BOOST_TEST(calls == 0);
    BOOST_TEST(g.done());
    BOOST_TEST(v[1].cancelled());
}

// Children resolved and cancelled from several threads while the gather is cancelled from
// another: every gather completes exactly once, consistently, and nothing is reported.
BOOST_AUTO_TEST_CASE(cross_thread_stress)
{
    const int rounds = under_tsan ? 150 : 1500;
    const int children = 8;
    asio::io_context ctx;
    report_counter reports(ctx);
    auto work = asio::make_work_guard(ctx);
    std::thread io([&] { ctx.run(); });
    std::atomic<int> completed{0};
    const auto deadline = std::chrono::steady_clock::now() + 3s;
    int r = 0;
    for (; r < rounds && std::chrono::steady_clock::now() < deadline; ++r)
    {
        auto v = make_ints(ctx, children);
        auto fut = af::gather(v);
        auto re = af::gather(af::return_exceptions, v);
        fut.async_wait([&](std::exception_ptr, auto) { ++completed; });
        re.async_wait([&](std::exception_ptr, auto) { ++completed; });
        std::vector<std::thread> ts;
        for (int t = 0; t < 3; ++t)
            ts.emplace_back(
                [&, t]
                {
                    for (int i = t; i < children; i += 3)
                    {
                        auto& c = v[static_cast<std::size_t>(i)];
                        if ((i + r) % 5 == 0)
                            c.cancel();
                        else if ((i + r) % 7 == 0)
                            c.try_set_exception(std::make_exception_ptr(std::runtime_error("x")));
                        else
                            c.try_set_result(i);
                    }
                });
        if (r % 3 == 0)
            fut.cancel();
        for (auto& t : ts)
            t.join();
        BOOST_TEST_REQUIRE(re.done());
        BOOST_TEST(re.result().size() == static_cast<std::size_t>(children));
        BOOST_TEST_REQUIRE(fut.done());
    }
    work.reset();
    io.join();
    BOOST_TEST(completed.load() == 2 * r);
    BOOST_TEST(reports.never_retrieved == 0);
    BOOST_TEST_MESSAGE("rounds: " << r);
}
