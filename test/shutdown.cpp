//
// Copyright (c) 2026 The asio_future Authors.
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// Shutdown: io_context::stop() and restart() with pending waits, deadlines and bridges; the
// context destroyed with all of them pending; resolvers and bridge callbacks firing after the
// destruction, and racing it, from foreign threads. Every waiting handler runs exactly once or
// is destroyed unrun, none runs after the destruction began, and no shared state leaks.

// The leak check counts live shared states (this test is built without the shared
// precompiled header, which does not define the hook).
#define BOOST_ASIO_FUTURE_COUNT_LIVE_STATES 1

#include <boost/asio_future.hpp>

#define BOOST_TEST_MODULE shutdown
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/test/unit_test.hpp>

#if defined(BOOST_ASIO_FUTURE_HAS_CO_AWAIT)
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#endif

#include <atomic>
#include <chrono>
#include <exception>
#include <memory>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

namespace af = boost::asio_future;
namespace asio = boost::asio;
using namespace std::chrono_literals;

#if defined(__SANITIZE_THREAD__)
#define AF_SHUTDOWN_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define AF_SHUTDOWN_TSAN 1
#endif
#endif

namespace
{

#if defined(AF_SHUTDOWN_TSAN)
constexpr int race_rounds = 200;
#else
constexpr int race_rounds = 400;
#endif

long live_states()
{
    return af::detail::live_state_count().load();
}

// What happened to the waiting handlers of one scenario.
struct tally
{
    std::atomic<int> invoked{0};
    std::atomic<int> destroyed_unrun{0};
    std::atomic<int> invoked_after_destruction{0};
    std::atomic<bool> destroying{false};
};

// A move-only waiting handler that records whether it ran, or was destroyed without running.
class probe
{
public:
    explicit probe(tally& t) noexcept : tally_(&t) {}
    probe(probe&& other) noexcept : tally_(std::exchange(other.tally_, nullptr)) {}
    probe& operator=(probe&&) = delete;
    ~probe()
    {
        if (tally_)
            ++tally_->destroyed_unrun;
    }

    template <class... Args>
    void operator()(Args&&...)
    {
        BOOST_ASSERT(tally_);
        if (tally_->destroying.load())
            ++tally_->invoked_after_destruction;
        ++tally_->invoked;
        tally_ = nullptr;
    }

private:
    tally* tally_;
};

// A register function for async_bridge that hands its callback to the test.
template <class T>
struct keep_callback
{
    std::vector<af::bridge_callback<T>>* kept;
    void operator()(af::bridge_callback<T> on_done) const { kept->push_back(std::move(on_done)); }
};

} // namespace

// ---------------------------------------------------------------------------------------------
// stop() and restart()
// ---------------------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(stop_then_restart_delivers_a_pending_wait)
{
    asio::io_context ctx;
    auto f = af::make_future<int>(ctx);
    int calls = 0;
    int got = 0;
    f.async_wait(
        [&](std::exception_ptr e, int v)
        {
            BOOST_TEST(!e);
            got = v;
            ++calls;
        });
    ctx.stop();
    f.set_result(7);
    BOOST_TEST(ctx.run() == 0u); // stopped: nothing runs
    BOOST_TEST(calls == 0);
    ctx.restart();
    ctx.run();
    BOOST_TEST(calls == 1);
    BOOST_TEST(got == 7);
}

BOOST_AUTO_TEST_CASE(stop_from_a_handler_keeps_the_deadline_for_after_restart)
{
    asio::io_context ctx;
    auto f = af::make_future<int>(ctx);
    int calls = 0;
    std::exception_ptr error;
    f.async_wait(af::timeout(
        20ms,
        [&](std::exception_ptr e, int)
        {
            error = e;
            ++calls;
        }));
    asio::post(ctx, [&] { ctx.stop(); });
    ctx.run();
    BOOST_TEST(calls == 0);
    BOOST_TEST(!f.done());
    ctx.restart();
    ctx.run();
    BOOST_TEST(calls == 1);
    BOOST_TEST(f.cancelled()); // wait_for semantics: the deadline cancelled the future
    BOOST_CHECK_THROW(std::rethrow_exception(error), af::timeout_error);
}

BOOST_AUTO_TEST_CASE(bridge_callback_from_a_foreign_thread_while_stopped)
{
    asio::io_context ctx;
    std::vector<af::bridge_callback<int>> kept;
    int calls = 0;
    int got = 0;
    af::async_bridge<int>(
        ctx.get_executor(),
        keep_callback<int>{&kept},
        [&](std::exception_ptr e, int v)
        {
            BOOST_TEST(!e);
            got = v;
            ++calls;
        });
    BOOST_TEST_REQUIRE(kept.size() == 1u);
    ctx.stop();
    bool first = false;
    bool second = true;
    std::thread t(
        [&]
        {
            first = kept[0](5);
            second = kept[0](6);
        });
    t.join();
    BOOST_TEST(first);
    BOOST_TEST(!second);
    BOOST_TEST(ctx.run() == 0u);
    BOOST_TEST(calls == 0);
    ctx.restart();
    ctx.run();
    BOOST_TEST(calls == 1);
    BOOST_TEST(got == 5);
}

// ---------------------------------------------------------------------------------------------
// Destruction with everything pending
// ---------------------------------------------------------------------------------------------

#if defined(BOOST_ASIO_FUTURE_HAS_CO_AWAIT)
namespace
{
asio::awaitable<void> await_forever(af::async_future<int> f, probe p)
{
    int v = co_await std::move(f);
    p(v);
}
} // namespace
#endif

BOOST_AUTO_TEST_CASE(destroyed_with_waits_deadlines_bridges_and_callbacks_pending)
{
    const long before = live_states();
    tally t;
    std::optional<af::resolver<int>> resolver;
    std::vector<af::bridge_callback<int>> kept;
    {
        asio::io_context ctx;
        auto f = af::make_future<int>(ctx);
        resolver.emplace(f.get_resolver());
        f.async_wait(probe(t));
        f.async_wait(af::timeout(1h, probe(t)));
        f.add_done_callback(probe(t));
        af::shield(f).async_wait(af::timeout(1h, probe(t)));
        af::async_bridge<int>(ctx.get_executor(), keep_callback<int>{&kept}, probe(t));
        af::async_bridge<int>(
            ctx.get_executor(),
            keep_callback<int>{&kept},
            af::timeout(1h, probe(t)));
        asio::steady_timer timer(ctx, 1h);
        auto timed = timer.async_wait(af::use_async_future);
        timed.async_wait(probe(t));
#if defined(BOOST_ASIO_FUTURE_HAS_CO_AWAIT)
        asio::co_spawn(ctx, await_forever(f, probe(t)), asio::detached);
#endif
        ctx.poll();
        BOOST_TEST(t.invoked.load() == 0);
        t.destroying = true;
    }
    BOOST_TEST(t.invoked.load() == 0);
#if defined(BOOST_ASIO_FUTURE_HAS_CO_AWAIT)
    BOOST_TEST(t.destroyed_unrun.load() == 8);
#else
    BOOST_TEST(t.destroyed_unrun.load() == 7);
#endif

    // Late resolutions from a foreign thread: harmless no-ops.
    BOOST_TEST_REQUIRE(kept.size() == 2u);
    std::vector<bool> results;
    std::thread late(
        [&]
        {
            results.push_back(resolver->set_result(1));
            results.push_back(resolver->cancel());
            results.push_back(kept[0](2));
            results.push_back(kept[1](std::make_exception_ptr(std::runtime_error("late"))));
        });
    late.join();
    for (bool r : results)
        BOOST_TEST(!r);
    BOOST_TEST(t.invoked.load() == 0);

    resolver.reset();
    kept.clear();
    BOOST_TEST(live_states() == before);
}

BOOST_AUTO_TEST_CASE(handles_dropped_after_the_context_leak_nothing)
{
    const long before = live_states();
    std::vector<af::async_future<int>> futures;
    std::vector<af::resolver<int>> resolvers;
    {
        asio::io_context ctx;
        for (int i = 0; i < 8; ++i)
        {
            futures.push_back(af::make_future<int>(ctx));
            resolvers.push_back(futures.back().get_resolver());
        }
        futures[0].set_result(1); // done, its callback queued: destroyed with the context
        futures[1].add_done_callback([](const af::async_future<int>&) {});
    }
    for (auto& f : futures)
        BOOST_TEST(f.done());
    BOOST_TEST(futures[0].result() == 1);
    BOOST_TEST(futures[2].cancelled());
    // Futures made for a destroyed context's executor cannot exist; resolutions, callbacks
    // and waits on the orphaned ones are no-ops or destroyed unrun.
    tally t;
    futures[3].add_done_callback(probe(t));
    futures[4].async_wait(probe(t));
    BOOST_TEST(t.invoked.load() == 0);
    BOOST_TEST(t.destroyed_unrun.load() == 2);
    futures.clear();
    resolvers.clear();
    BOOST_TEST(live_states() == before);
}

// ---------------------------------------------------------------------------------------------
// Foreign threads racing stop() and the destruction
// ---------------------------------------------------------------------------------------------

// One round: an io thread runs the context; futures are waited on (some under a deadline),
// bridges are pending; two foreign threads resolve every future and fire every bridge
// callback twice while the main thread stops the context, joins the io thread and destroys
// the context (every third round lets the context run out of work first: all handlers run). Every
// handler runs once or is destroyed unrun, never after the destruction began, and every state is
// freed once the foreign threads let go.
BOOST_AUTO_TEST_CASE(foreign_threads_race_stop_and_destruction)
{
    const long before = live_states();
    constexpr int futures_per_round = 16;
    long invoked = 0;
    long destroyed_unrun = 0;
    for (int round = 0; round < race_rounds; ++round)
    {
        tally t;
        std::vector<af::resolver<int>> resolvers;
        std::vector<af::bridge_callback<int>> kept;
        std::atomic<bool> go{false};
        std::atomic<int> fired{0};
        std::vector<std::thread> foreign;
        {
            asio::io_context ctx;
            auto guard = asio::make_work_guard(ctx);
            for (int i = 0; i < futures_per_round; ++i)
            {
                auto f = af::make_future<int>(ctx);
                resolvers.push_back(f.get_resolver());
                if (i % 2)
                    f.async_wait(af::timeout(std::chrono::microseconds(50 * i), probe(t)));
                else
                    f.async_wait(probe(t));
                f.add_done_callback(probe(t));
                af::async_bridge<int>(ctx.get_executor(), keep_callback<int>{&kept}, probe(t));
            }
            std::thread io([&] { ctx.run(); });
            for (int k = 0; k < 2; ++k)
                foreign.emplace_back(
                    [&, k]
                    {
                        while (!go.load())
                            std::this_thread::yield();
                        for (int i = 0; i < futures_per_round; ++i)
                        {
                            const int j = k ? futures_per_round - 1 - i : i;
                            resolvers[j].set_result(j);
                            kept[j](j);
                            kept[j](std::make_exception_ptr(std::runtime_error("twice")));
                        }
                        ++fired;
                    });
            go = true;
            if (round % 3 == 2)
            {
                // Every resolution is in: the context runs out of work and returns.
                while (fired.load() < 2)
                    std::this_thread::yield();
                guard.reset();
                io.join();
                BOOST_TEST_REQUIRE(t.invoked.load() == 3 * futures_per_round);
            }
            else
            {
                if (round % 3 == 1)
                    std::this_thread::yield();
                guard.reset();
                ctx.stop();
                io.join();
            }
            t.destroying = true;
        }
        for (auto& th : foreign)
            th.join();
        const int handlers = 3 * futures_per_round;
        BOOST_TEST_REQUIRE(t.invoked.load() + t.destroyed_unrun.load() == handlers);
        BOOST_TEST_REQUIRE(t.invoked_after_destruction.load() == 0);
        invoked += t.invoked.load();
        destroyed_unrun += t.destroyed_unrun.load();
        resolvers.clear();
        kept.clear();
        BOOST_TEST_REQUIRE(live_states() == before);
    }
    BOOST_TEST_MESSAGE(
        "handlers run: " << invoked << ", destroyed unrun: " << destroyed_unrun << " over "
                         << race_rounds << " rounds");
}
