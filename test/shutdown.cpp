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
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/test/unit_test.hpp>

#if defined(BOOST_ASIO_FUTURE_HAS_CO_AWAIT)
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#endif

#include <atomic>
#include <chrono>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <tuple>
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

// ---------------------------------------------------------------------------------------------
// Handles outliving their context, whatever its executor: a strand must not outlive it
// ---------------------------------------------------------------------------------------------

namespace
{

// The executors a future may be bound to, each with the context it belongs to.
struct io_executor_kind
{
    using context_type = asio::io_context;
    static auto make(context_type& c) { return c.get_executor(); }
};

struct io_strand_kind
{
    using context_type = asio::io_context;
    static auto make(context_type& c) { return asio::make_strand(c); }
};

struct any_io_strand_kind
{
    using context_type = asio::io_context;
    static auto make(context_type& c) { return asio::any_io_executor(asio::make_strand(c)); }
};

struct strand_of_strand_kind
{
    using context_type = asio::io_context;
    static auto make(context_type& c)
    {
        return asio::strand<asio::strand<asio::io_context::executor_type>>(asio::make_strand(c));
    }
};

struct pool_executor_kind
{
    using context_type = asio::thread_pool;
    static auto make(context_type& c) { return c.get_executor(); }
};

struct pool_strand_kind
{
    using context_type = asio::thread_pool;
    static auto make(context_type& c) { return asio::make_strand(c); }
};

using executor_kinds = std::tuple<
    io_executor_kind,
    io_strand_kind,
    any_io_strand_kind,
    strand_of_strand_kind,
    pool_executor_kind,
    pool_strand_kind>;

// Bridge callbacks kept by a callback API, which may call them from any thread.
class keeper
{
public:
    void keep(af::bridge_callback<int> on_done)
    {
        std::lock_guard<std::mutex> lock(mutex_);
        kept_.push_back(std::move(on_done));
    }

    std::size_t size()
    {
        std::lock_guard<std::mutex> lock(mutex_);
        return kept_.size();
    }

    std::vector<af::bridge_callback<int>> take()
    {
        std::lock_guard<std::mutex> lock(mutex_);
        return std::move(kept_);
    }

private:
    std::mutex mutex_;
    std::vector<af::bridge_callback<int>> kept_;
};

// A waiting handler that, when destroyed unrun, creates futures for its executor: run at the
// context's shutdown, it makes futures born after the shutdown.
template <class Executor>
class create_on_destruction
{
public:
    using future_type = af::basic_async_future<int, Executor>;

    create_on_destruction(
        Executor ex,
        std::optional<future_type>& typed,
        std::optional<af::async_future<int>>& erased)
        : ex_(std::move(ex)), typed_(&typed), erased_(&erased)
    {
    }

    create_on_destruction(create_on_destruction&& other) noexcept
        : ex_(other.ex_),
          typed_(std::exchange(other.typed_, nullptr)),
          erased_(std::exchange(other.erased_, nullptr))
    {
    }
    create_on_destruction& operator=(create_on_destruction&&) = delete;

    ~create_on_destruction()
    {
        if (typed_)
        {
            typed_->emplace(ex_);
            erased_->emplace(af::make_future<int>(ex_));
        }
    }

    void operator()(std::exception_ptr, int) { typed_ = nullptr; }

private:
    Executor ex_;
    std::optional<future_type>* typed_;
    std::optional<af::async_future<int>>* erased_;
};

#if defined(BOOST_ASIO_FUTURE_HAS_CO_AWAIT)
asio::awaitable<void> bridge_and_probe(keeper& k, probe p)
{
    auto ex = co_await asio::this_coro::executor;
    try
    {
        co_await af::async_bridge<int>(
            ex,
            [&k](af::bridge_callback<int> on_done) { k.keep(std::move(on_done)); },
            asio::use_awaitable);
    }
    catch (const std::exception&)
    {
    }
    p();
}

// Waits on a future nobody resolves: ends only with the context.
asio::awaitable<void> wait_forever()
{
    const auto f = af::make_future<void>(co_await asio::this_coro::executor);
    co_await f.async_wait(asio::use_awaitable);
}
#endif

// Lets the context start what was posted to it, until `k` holds `n` callbacks.
void settle(asio::io_context& ctx, keeper& k, std::size_t n)
{
    ctx.poll();
    BOOST_TEST_REQUIRE(k.size() == n);
}

void settle(asio::thread_pool&, keeper& k, std::size_t n)
{
    while (k.size() < n)
        std::this_thread::yield();
}

} // namespace

// For every kind of executor: a future, a resolver, a shielded future, a use_async_future
// future, bridge callbacks (one from a coroutine on the executor) and futures created during
// the shutdown all outlive the context. Every pending handler is destroyed unrun; afterwards
// resolutions return false, get_executor() throws, new waits and callbacks that would run on the
// dead context are destroyed unrun, one bound to a live context gets the outcome there; the
// handles are dropped last (under ASan: no use of the destroyed strand service) and no state
// leaks.
BOOST_AUTO_TEST_CASE_TEMPLATE(every_handle_outlives_the_context, Kind, executor_kinds)
{
    using context_type = typename Kind::context_type;
    using executor_type = decltype(Kind::make(std::declval<context_type&>()));
    using future_type = af::basic_async_future<int, executor_type>;

    const long before = live_states();
    // A live context, made first: it cannot be at the address of the dead one (a context made
    // there later is taken for the dead one).
    asio::io_context other;
    tally t;
    keeper k;
    std::optional<future_type> pending;
    std::optional<af::resolver<int, executor_type>> resolver;
    std::optional<af::async_future<int>> erased;
    std::optional<af::shielded_future<int, executor_type>> shielded;
    std::optional<af::async_future<void>> timed;
    int handlers = 6;
    {
        context_type ctx;
        const executor_type ex = Kind::make(ctx);
        pending.emplace(ex);
        resolver.emplace(pending->get_resolver());
        pending->async_wait(probe(t));
        pending->async_wait(asio::bind_executor(ex, probe(t)));
        pending->add_done_callback(probe(t));
        erased.emplace(af::make_future<int>(ex));
        erased->async_wait(probe(t));
        shielded.emplace(af::shield(future_type(ex)));
        shielded->async_wait(asio::bind_executor(ex, probe(t)));
        af::async_bridge<int>(
            ex,
            [&k](af::bridge_callback<int> on_done) { k.keep(std::move(on_done)); },
            asio::bind_executor(ex, probe(t)));
#if defined(BOOST_ASIO_FUTURE_HAS_CO_AWAIT)
        // An operation on the executor started with use_async_future, and a coroutine there
        // bridging a callback API.
        timed.emplace(asio::co_spawn(ex, wait_forever(), af::use_async_future));
        timed->async_wait(asio::bind_executor(ex, probe(t)));
        asio::co_spawn(ex, bridge_and_probe(k, probe(t)), asio::detached);
        handlers += 2;
        settle(ctx, k, 2);
#else
        settle(ctx, k, 1);
#endif
        BOOST_TEST(t.invoked.load() == 0);
        BOOST_TEST(t.destroyed_unrun.load() == 0);
        t.destroying = true;
    } // `ex` goes, then the context
    BOOST_TEST(t.invoked.load() == 0);
    BOOST_TEST(t.destroyed_unrun.load() == handlers);

    // Everything pending was cancelled by the shutdown; late resolutions are no-ops.
    BOOST_TEST(pending->cancelled());
    BOOST_TEST(erased->cancelled());
    BOOST_TEST(shielded->done());
#if defined(BOOST_ASIO_FUTURE_HAS_CO_AWAIT)
    BOOST_TEST(timed->done());
#endif
    BOOST_TEST(!resolver->set_result(1));
    BOOST_TEST(!resolver->cancel());
    std::vector<af::bridge_callback<int>> kept = k.take();
    for (auto& on_done : kept)
        BOOST_TEST(!on_done(2));

    // The executor was let go of at the shutdown.
    BOOST_CHECK_THROW(pending->get_executor(), af::invalid_state_error);
    BOOST_CHECK_THROW(resolver->get_executor(), af::invalid_state_error);
    BOOST_CHECK_THROW(erased->get_executor(), af::invalid_state_error);
    BOOST_CHECK_THROW(shielded->get_executor(), af::invalid_state_error);

    // Waits and callbacks that would run on the dead context are destroyed unrun; one bound to
    // a live context completes there, with the outcome.
    tally late;
    pending->async_wait(probe(late));
    pending->add_done_callback(probe(late));
    shielded->async_wait(probe(late));
    erased->async_take(probe(late));
    BOOST_TEST(late.invoked.load() == 0);
    BOOST_TEST(late.destroyed_unrun.load() == 4);
    // A deadline's timer would need the dead context: such a wait cannot start.
    BOOST_CHECK_THROW(pending->async_wait(af::timeout(1h, probe(late))), af::invalid_state_error);
    BOOST_TEST(late.destroyed_unrun.load() == 5);
    bool cancelled = false;
    pending->async_wait(asio::bind_executor(
        other,
        [&](std::exception_ptr e, int)
        {
            BOOST_CHECK_THROW(std::rethrow_exception(e), af::cancelled_error);
            cancelled = true;
        }));
    other.run();
    BOOST_TEST(cancelled);

    // The handles go last, long after the context.
    kept.clear();
    pending.reset();
    resolver.reset();
    erased.reset();
    shielded.reset();
    timed.reset();
    BOOST_TEST(live_states() == before);
}

// Futures created while the context shuts down (here by a handler destroyed then) are born
// orphaned: pending, resolvable, but without an executor (they do not keep a strand past the
// context either); only a wait bound to a live context sees their outcome.
BOOST_AUTO_TEST_CASE_TEMPLATE(
    futures_born_during_the_shutdown_keep_no_executor,
    Kind,
    executor_kinds)
{
    using context_type = typename Kind::context_type;
    using executor_type = decltype(Kind::make(std::declval<context_type&>()));
    using future_type = af::basic_async_future<int, executor_type>;

    const long before = live_states();
    asio::io_context other; // made first, as above
    std::optional<future_type> born_typed;
    std::optional<af::async_future<int>> born_erased;
    std::optional<future_type> f;
    {
        context_type ctx;
        const executor_type ex = Kind::make(ctx);
        f.emplace(ex);
        f->async_wait(create_on_destruction<executor_type>(ex, born_typed, born_erased));
    }
    BOOST_TEST(f->cancelled());
    BOOST_TEST_REQUIRE(born_typed.has_value());
    BOOST_TEST_REQUIRE(born_erased.has_value());
    BOOST_TEST(!born_typed->done());
    BOOST_TEST(!born_erased->done());
    BOOST_CHECK_THROW(born_typed->get_executor(), af::invalid_state_error);
    BOOST_CHECK_THROW(born_erased->get_executor(), af::invalid_state_error);
    af::resolver<int, executor_type> r = born_typed->get_resolver();
    BOOST_CHECK_THROW(r.get_executor(), af::invalid_state_error);

    tally late;
    born_typed->async_wait(probe(late));
    born_typed->add_done_callback(probe(late));
    af::shield(*born_erased).async_wait(probe(late));
    BOOST_TEST(late.destroyed_unrun.load() == 2); // the callback goes when the future completes
    int got = 0;
    born_typed->async_wait(asio::bind_executor(
        other,
        [&](std::exception_ptr e, int v)
        {
            BOOST_TEST(!e);
            got = v;
        }));
    bool cancelled = false;
    born_erased->async_wait(asio::bind_executor(
        other,
        [&](std::exception_ptr e, int)
        {
            BOOST_CHECK_THROW(std::rethrow_exception(e), af::cancelled_error);
            cancelled = true;
        }));
    BOOST_TEST(r.set_result(9));
    BOOST_TEST(born_erased->cancel());
    BOOST_TEST(!born_erased->cancel());
    other.run();
    BOOST_TEST(got == 9);
    BOOST_TEST(cancelled);
    BOOST_TEST(late.invoked.load() == 0);
    BOOST_TEST(late.destroyed_unrun.load() == 3);
    r = {};
    f.reset();
    born_typed.reset();
    born_erased.reset();
    BOOST_TEST(live_states() == before);
}

namespace
{
// A value whose destructor takes a while: the state holding it is being destroyed for that long.
struct slow_to_destroy
{
    explicit slow_to_destroy(std::atomic<bool>* e) noexcept : entered(e) {}
    slow_to_destroy(slow_to_destroy&& other) noexcept
        : entered(std::exchange(other.entered, nullptr))
    {
    }
    slow_to_destroy& operator=(slow_to_destroy&&) = delete;

    std::atomic<bool>* entered;

    ~slow_to_destroy()
    {
        if (entered)
        {
            *entered = true;
            std::this_thread::sleep_for(50ms);
        }
    }
};
} // namespace

// The last handle of a strand-bound future is dropped on another thread just before the context
// is destroyed: the state is still being destroyed (it is still registered) when the shutdown
// reaches it. The shutdown waits for it to let go of its strand, so the strand is not destroyed
// after the context (ASan: no use of the destroyed strand service).
BOOST_AUTO_TEST_CASE(a_state_destroyed_during_the_shutdown_lets_go_of_its_strand_first)
{
    const long before = live_states();
    std::atomic<bool> entered{false};
    std::thread dropper;
    {
        asio::io_context ctx;
        using strand_type = asio::strand<asio::io_context::executor_type>;
        af::basic_async_future<slow_to_destroy, strand_type> f(asio::make_strand(ctx));
        f.set_result(&entered);
        dropper = std::thread([fut = std::move(f)]() mutable { fut = {}; });
        while (!entered.load())
            std::this_thread::yield();
    }
    dropper.join();
    BOOST_TEST(live_states() == before);
}

// The guide's layout under load: two io threads, a strand per coroutine, each coroutine
// bridging an SDK whose own thread keeps `on_done`. The SDK calls some callbacks while the
// context runs, calls or drops others while the main thread stops and destroys the context, and
// calls the rest after the destruction (they return false). Every coroutine resumes once or is
// destroyed unrun, none after the destruction began, and every state is freed.
#if defined(BOOST_ASIO_FUTURE_HAS_CO_AWAIT)
BOOST_AUTO_TEST_CASE(strand_coroutines_bridge_an_sdk_that_outlives_the_context)
{
    const long before = live_states();
    constexpr int coroutines = 16;
    long invoked = 0;
    long destroyed_unrun = 0;
    for (int round = 0; round < race_rounds / 2; ++round)
    {
        tally t;
        keeper k;
        std::atomic<bool> go{false};
        std::atomic<bool> stopping{false};
        std::atomic<bool> destroyed{false};
        std::atomic<int> late_true{0};
        std::thread sdk;
        {
            asio::io_context ctx;
            // A failure the shutdown leaves unretrieved (a dropped on_done) is no news here.
            asio::use_service<af::future_service>(ctx).set_exception_handler(
                [](const af::exception_context&) {});
            for (int i = 0; i < coroutines; ++i)
                asio::co_spawn(
                    asio::make_strand(ctx),
                    bridge_and_probe(k, probe(t)),
                    asio::detached);
            std::thread io1([&] { ctx.run(); });
            std::thread io2([&] { ctx.run(); });
            sdk = std::thread(
                [&]
                {
                    while (!go.load())
                        std::this_thread::yield();
                    std::vector<af::bridge_callback<int>> kept = k.take();
                    // Mode of callback i: 0 now, 1 racing the destruction, 2 dropped racing it,
                    // 3 after the destruction.
                    auto mode = [&](int i) { return (i + round) % 4; };
                    for (int i = 0; i < coroutines; ++i)
                        if (mode(i) == 0)
                            kept[i](i);
                    while (!stopping.load())
                        std::this_thread::yield();
                    for (int i = 0; i < coroutines; ++i)
                    {
                        if (mode(i) == 1)
                            kept[i](i);
                        else if (mode(i) == 2)
                        {
                            const af::bridge_callback<int> dropped = std::move(kept[i]);
                        }
                    }
                    while (!destroyed.load())
                        std::this_thread::yield();
                    for (int i = 0; i < coroutines; ++i)
                        if (mode(i) == 3 && kept[i](i))
                            ++late_true;
                });
            while (k.size() < coroutines)
                std::this_thread::yield();
            go = true;
            if (round % 3 == 0)
            {
                // The callbacks called at once resume their coroutines first.
                while (t.invoked.load() < coroutines / 4)
                    std::this_thread::yield();
            }
            else if (round % 3 == 1)
                std::this_thread::yield();
            stopping = true;
            ctx.stop();
            io1.join();
            io2.join();
            t.destroying = true;
        }
        destroyed = true;
        sdk.join();
        BOOST_TEST_REQUIRE(t.invoked.load() + t.destroyed_unrun.load() == coroutines);
        BOOST_TEST_REQUIRE(t.invoked_after_destruction.load() == 0);
        BOOST_TEST_REQUIRE(late_true.load() == 0);
        BOOST_TEST_REQUIRE(live_states() == before);
        invoked += t.invoked.load();
        destroyed_unrun += t.destroyed_unrun.load();
    }
    BOOST_TEST_MESSAGE(
        "coroutines resumed: " << invoked << ", destroyed unrun: " << destroyed_unrun);
}
#endif
