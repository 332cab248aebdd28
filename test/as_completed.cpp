//
// Copyright (c) 2026 The asio_future Authors.
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// af::as_completed (asyncio.as_completed): children handed out in completion order (those
// already done in input order), remaining(), async_next past the end, concurrent calls,
// cancelling one call ends only that call and loses no child, af::timeout, tokens, never
// inline, and children resolved from several threads while calls are cancelled. Cases ported
// from CPython's Lib/test/test_asyncio/test_tasks.py name their original.

// The header under test comes first: it must be self-contained.
#include <boost/asio_future/as_completed.hpp>

#define BOOST_TEST_MODULE as_completed
#include <boost/asio_future/async_future.hpp>
#include <boost/asio_future/error.hpp>
#include <boost/asio_future/timeout.hpp>
#include <boost/asio_future/use_async_future.hpp>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
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

using str_future = af::async_future<std::string>;

std::vector<str_future> make_strs(asio::io_context& ctx, int n)
{
    std::vector<str_future> v;
    for (int i = 0; i < n; ++i)
        v.push_back(af::make_future<std::string>(ctx));
    return v;
}

void resolve_after(asio::io_context& ctx, str_future f, std::string v, std::chrono::milliseconds d)
{
    auto t = std::make_shared<asio::steady_timer>(ctx, d);
    t->async_wait([t, f, v](boost::system::error_code) { f.try_set_result(v); });
}

// Collects what async_next calls deliver.
struct collector
{
    std::vector<std::string> values;
    std::vector<std::exception_ptr> errors;

    auto handler()
    {
        return [this](std::exception_ptr e, str_future f)
        {
            if (e)
                errors.push_back(e);
            else
                values.push_back(f.result());
        };
    }
};

} // namespace

// CPython: BaseTaskTests.test_as_completed: completion order, a and b (0.01) before c (0.15).
BOOST_AUTO_TEST_CASE(test_as_completed)
{
    asio::io_context ctx;
    auto v = make_strs(ctx, 3); // b, c, a
    resolve_after(ctx, v[0], "b", 10ms);
    resolve_after(ctx, v[1], "c", 60ms);
    resolve_after(ctx, v[2], "a", 10ms);
    auto q = af::as_completed(v);
    BOOST_TEST(q.size() == 3u);
    BOOST_TEST(q.remaining() == 3u);
    collector c;
    for (int i = 0; i < 3; ++i)
        q.async_next(c.handler());
    BOOST_TEST(q.remaining() == 0u);
    ctx.run();
    BOOST_TEST_REQUIRE(c.values.size() == 3u);
    BOOST_TEST(
        (std::set<std::string>{c.values[0], c.values[1]} == std::set<std::string>{"a", "b"}));
    BOOST_TEST(c.values[2] == "c");
}

// CPython: BaseTaskTests.test_as_completed_same_tasks_in_as_out: the futures handed out are the
// children themselves (the same shared states), done.
BOOST_AUTO_TEST_CASE(test_as_completed_same_tasks_in_as_out)
{
    asio::io_context ctx;
    auto v = make_strs(ctx, 2);
    auto q = af::as_completed(v);
    std::vector<str_future> out;
    auto h = [&](std::exception_ptr, str_future f)
    {
        BOOST_TEST(f.done());
        out.push_back(f);
    };
    q.async_next(h);
    q.async_next(h);
    v[1].set_result("1");
    v[0].set_result("0");
    ctx.run();
    BOOST_TEST_REQUIRE(out.size() == 2u);
    // Resolving through one handle is seen by the other: the same state.
    BOOST_TEST(out[0].result() == "1");
    BOOST_TEST(out[1].result() == "0");
    BOOST_TEST(&out[0].result() == &v[1].result());
}

// CPython: BaseTaskTests.test_as_completed_with_timeout: a call bounded with af::timeout; the
// first gets 'a', the second times out; the child it waited for is not lost and comes later.
BOOST_AUTO_TEST_CASE(test_as_completed_with_timeout)
{
    asio::io_context ctx;
    auto v = make_strs(ctx, 2);
    resolve_after(ctx, v[0], "a", 5ms);
    auto q = af::as_completed(v);
    collector c;
    q.async_next(af::timeout(2s, c.handler()));
    q.async_next(af::timeout(40ms, c.handler()));
    ctx.run();
    BOOST_TEST_REQUIRE(c.values.size() == 1u);
    BOOST_TEST(c.values[0] == "a");
    BOOST_TEST_REQUIRE(c.errors.size() == 1u);
    BOOST_TEST(holds<af::timeout_error>(c.errors[0]));
    BOOST_TEST(!v[1].done()); // never cancelled
    BOOST_TEST(q.remaining() == 1u);
    v[1].set_result("b");
    q.async_next(c.handler());
    ctx.restart();
    ctx.run();
    BOOST_TEST(c.values.back() == "b");
}

// CPython: BaseTaskTests.test_as_completed_with_unused_timeout
BOOST_AUTO_TEST_CASE(test_as_completed_with_unused_timeout)
{
    asio::io_context ctx;
    auto v = make_strs(ctx, 1);
    resolve_after(ctx, v[0], "a", 1ms);
    auto q = af::as_completed(v);
    collector c;
    q.async_next(af::timeout(1h, c.handler()));
    ctx.run(); // returns at once: the unused deadline is cancelled
    BOOST_TEST(c.values == std::vector<std::string>{"a"});
}

// CPython: BaseTaskTests.test_as_completed_resume_iterator: stop after two, resume later.
BOOST_AUTO_TEST_CASE(test_as_completed_resume_iterator)
{
    asio::io_context ctx;
    auto v = make_strs(ctx, 4);
    for (int i = 0; i < 4; ++i)
        v[static_cast<std::size_t>(i)].set_result(std::to_string(i));
    auto q = af::as_completed(v);
    collector c;
    q.async_next(c.handler());
    q.async_next(c.handler());
    ctx.run();
    BOOST_TEST(q.remaining() == 2u);
    auto copy = q; // a copy hands out from the same children
    copy.async_next(c.handler());
    q.async_next(c.handler());
    ctx.restart();
    ctx.run();
    // Already done: input order (ties in input order).
    BOOST_TEST((c.values == std::vector<std::string>{"0", "1", "2", "3"}));
    BOOST_TEST(q.remaining() == 0u);
}

// CPython: BaseTaskTests.test_as_completed_reverse_wait and test_as_completed_concurrent:
// several calls pending at once; each gets a different child, in call order.
BOOST_AUTO_TEST_CASE(test_as_completed_concurrent)
{
    asio::io_context ctx;
    auto v = make_strs(ctx, 2);
    auto q = af::as_completed(v);
    std::string first, second;
    q.async_next([&](std::exception_ptr, str_future f) { first = f.result(); });
    q.async_next([&](std::exception_ptr, str_future f) { second = f.result(); });
    resolve_after(ctx, v[1], "b", 5ms);
    resolve_after(ctx, v[0], "a", 30ms);
    ctx.run();
    BOOST_TEST(first == "b");
    BOOST_TEST(second == "a");
}

// CPython: BaseTaskTests.test_as_completed_duplicate_coroutines: a child given twice is handed
// out twice (futures, unlike coroutines, may be awaited again).
BOOST_AUTO_TEST_CASE(test_as_completed_duplicate_coroutines)
{
    asio::io_context ctx;
    auto c = af::make_future<std::string>(ctx);
    auto s = af::make_future<std::string>(ctx);
    auto q = af::as_completed(std::vector<str_future>{c, c, s});
    collector got;
    for (int i = 0; i < 3; ++i)
        q.async_next(got.handler());
    c.set_result("ham");
    s.set_result("spam");
    ctx.run();
    BOOST_TEST((got.values == std::vector<std::string>{"ham", "ham", "spam"}));
}

// async_next with nothing remaining: invalid_state_error, through the handler, never inline.
// An empty range: nothing remaining. An empty handle: refused at once.
BOOST_AUTO_TEST_CASE(past_the_end_and_misuse)
{
    asio::io_context ctx;
    auto v = make_strs(ctx, 1);
    v[0].set_result("x");
    auto q = af::as_completed(v);
    collector c;
    q.async_next(c.handler());
    q.async_next(c.handler());
    BOOST_TEST(c.values.empty());
    BOOST_TEST(c.errors.empty());
    ctx.run();
    BOOST_TEST(c.values.size() == 1u);
    BOOST_TEST_REQUIRE(c.errors.size() == 1u);
    BOOST_TEST(holds<af::invalid_state_error>(c.errors[0]));

    auto none = af::as_completed(std::vector<str_future>{});
    BOOST_TEST(none.remaining() == 0u);
    std::promise<bool> p;
    none.async_next([&](std::exception_ptr e, str_future)
                    { p.set_value(holds<af::invalid_state_error>(e)); });
    BOOST_TEST(p.get_future().get());

    BOOST_CHECK_THROW(
        af::as_completed(std::vector<str_future>{v[0], str_future()}),
        af::invalid_state_error);
}

// Cancelling one call (any type) ends only that call; the child goes to the next call.
BOOST_AUTO_TEST_CASE(cancelling_one_call)
{
    for (auto type :
         {asio::cancellation_type::terminal,
          asio::cancellation_type::partial,
          asio::cancellation_type::total})
    {
        asio::io_context ctx;
        auto v = make_strs(ctx, 2);
        auto q = af::as_completed(v);
        asio::cancellation_signal sig;
        collector c;
        q.async_next(asio::bind_cancellation_slot(sig.slot(), c.handler()));
        collector later;
        q.async_next(later.handler());
        BOOST_TEST(q.remaining() == 0u);
        sig.emit(type);
        BOOST_TEST(c.errors.empty()); // never inline
        BOOST_TEST(q.remaining() == 1u);
        ctx.poll();
        BOOST_TEST_REQUIRE(c.errors.size() == 1u);
        BOOST_TEST(holds<af::cancelled_error>(c.errors[0]));
        BOOST_TEST(!v[0].done());
        v[0].set_result("first");
        ctx.poll();
        BOOST_TEST(later.values == std::vector<std::string>{"first"});
        q.async_next(later.handler());
        v[1].set_result("second");
        ctx.restart();
        ctx.run();
        BOOST_TEST((later.values == std::vector<std::string>{"first", "second"}));
    }
    {
        // A child handed over before the cancellation took effect is delivered.
        asio::io_context ctx;
        auto v = make_strs(ctx, 1);
        auto q = af::as_completed(v);
        asio::cancellation_signal sig;
        collector c;
        q.async_next(asio::bind_cancellation_slot(sig.slot(), c.handler()));
        v[0].set_result("kept");
        sig.emit(asio::cancellation_type::terminal);
        ctx.run();
        BOOST_TEST(c.values == std::vector<std::string>{"kept"});
        BOOST_TEST(!sig.slot().has_handler());
    }
}

// Tokens: deferred, use_async_future, use_future from another thread.
BOOST_AUTO_TEST_CASE(tokens)
{
    asio::io_context ctx;
    auto v = make_strs(ctx, 3);
    auto q = af::as_completed(v);
    collector c;
    auto op = q.async_next(asio::deferred);
    auto f = q.async_next(af::use_async_future);
    v[2].set_result("2");
    v[0].set_result("0");
    std::move(op)(c.handler());
    ctx.run();
    // The deferred call starts only when invoked: after the use_async_future one, which
    // waited and got the first child to complete.
    BOOST_TEST(f.result().result() == "2");
    BOOST_TEST(c.values == std::vector<std::string>{"0"});

    auto work = asio::make_work_guard(ctx);
    std::thread runner([&] { ctx.restart(), ctx.run(); });
    auto sf = q.async_next(asio::use_future);
    v[1].set_result("1");
    BOOST_TEST(sf.get().result() == "1");
    work.reset();
    runner.join();
}

#if defined(BOOST_ASIO_FUTURE_HAS_CO_AWAIT)

// The loop of the docs: `while (q.remaining()) co_await q.async_next(...)`.
BOOST_AUTO_TEST_CASE(coroutine_loop)
{
    asio::io_context ctx;
    auto v = make_strs(ctx, 3);
    resolve_after(ctx, v[0], "slow", 30ms);
    resolve_after(ctx, v[1], "fast", 1ms);
    resolve_after(ctx, v[2], "mid", 10ms);
    std::vector<std::string> order;
    asio::co_spawn(
        ctx,
        [&]() -> asio::awaitable<void>
        {
            auto q = af::as_completed(v);
            while (q.remaining())
            {
                auto f = co_await q.async_next(asio::use_awaitable);
                order.push_back(f.result());
            }
        },
        asio::detached);
    ctx.run();
    BOOST_TEST((order == std::vector<std::string>{"fast", "mid", "slow"}));
}

#endif

// The context destroyed with a call pending: its handler is destroyed unrun, nothing leaks.
BOOST_AUTO_TEST_CASE(context_destroyed_with_a_pending_call)
{
    auto ctx = std::make_unique<asio::io_context>();
    auto v = make_strs(*ctx, 2);
    auto q = af::as_completed(v);
    int calls = 0;
    q.async_next([&](std::exception_ptr, str_future) { ++calls; });
    ctx->poll();
    ctx.reset();
    BOOST_TEST(calls == 0);
    BOOST_TEST(v[0].cancelled());
}

// Children resolved from several threads while calls are cancelled from the io thread: every
// child is handed out exactly once over the calls that were not cancelled.
BOOST_AUTO_TEST_CASE(cross_thread_stress)
{
    const int rounds = under_tsan ? 100 : 800;
    const int children = 8;
    asio::io_context ctx;
    auto work = asio::make_work_guard(ctx);
    std::thread io([&] { ctx.run(); });
    const auto deadline = std::chrono::steady_clock::now() + 3s;
    int r = 0;
    std::atomic<int> lost{0};
    for (; r < rounds && std::chrono::steady_clock::now() < deadline; ++r)
    {
        auto v = make_strs(ctx, children);
        auto q = af::as_completed(v);
        auto mtx = std::make_shared<std::mutex>();
        auto seen = std::make_shared<std::multiset<std::string>>();
        std::promise<void> all;
        auto pending = std::make_shared<std::atomic<int>>(children);
        std::function<void(std::exception_ptr, str_future)> next;
        // Each delivery or cancellation starts another call until every child was seen.
        next = [&, q, mtx, seen, pending](std::exception_ptr e, str_future f)
        {
            if (!e)
            {
                {
                    std::lock_guard<std::mutex> lock(*mtx);
                    seen->insert(f.result());
                }
                if (--*pending == 0)
                    return all.set_value();
            }
            if (q.remaining())
            {
                auto sig = std::make_shared<asio::cancellation_signal>();
                q.async_next(asio::bind_cancellation_slot(
                    sig->slot(),
                    [sig, &next](std::exception_ptr e2, str_future f2) { next(e2, f2); }));
                if ((r + *pending) % 3 == 0)
                    asio::post(ctx, [sig] { sig->emit(asio::cancellation_type::total); });
            }
        };
        asio::post(ctx, [&] { next(std::make_exception_ptr(af::cancelled_error()), {}); });
        std::vector<std::thread> ts;
        for (int t = 0; t < 3; ++t)
            ts.emplace_back(
                [&, t]
                {
                    for (int i = t; i < children; i += 3)
                        v[static_cast<std::size_t>(i)].set_result(std::to_string(i));
                });
        for (auto& t : ts)
            t.join();
        if (all.get_future().wait_for(20s) != std::future_status::ready)
        {
            ++lost;
            break;
        }
        // The io thread is single: once this runs, the handler that saw the last child has
        // returned and `next` may go.
        std::promise<void> idle;
        asio::post(ctx, [&] { idle.set_value(); });
        idle.get_future().wait();
        std::lock_guard<std::mutex> lock(*mtx);
        BOOST_TEST(seen->size() == static_cast<std::size_t>(children));
        for (int i = 0; i < children; ++i)
            BOOST_TEST(seen->count(std::to_string(i)) == 1u);
    }
    work.reset();
    io.join();
    BOOST_TEST(lost.load() == 0);
    BOOST_TEST_MESSAGE("rounds: " << r);
}
