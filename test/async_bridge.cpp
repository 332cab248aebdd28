//
// Copyright (c) 2026 The asio_future Authors.
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// af::async_bridge and af::bridge_callback: every pitfall of the bridging guide (a callback
// that fires inline, from another thread, twice, late, never, or is dropped; a register that
// throws; deregistration), the accepted on_done forms, the completion tokens, and a stress
// of callbacks racing deadlines and cancellations.

// The header under test comes first: it must be self-contained.
#include <boost/asio_future/async_bridge.hpp>

#define BOOST_TEST_MODULE async_bridge
#include <boost/asio_future/error.hpp>
#include <boost/asio_future/timeout.hpp>
#include <boost/asio_future/use_async_future.hpp>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/system/error_code.hpp>
#include <boost/system/system_error.hpp>
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "support/cancel_after.hpp"

#if defined(BOOST_ASIO_FUTURE_HAS_CO_AWAIT)
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/this_coro.hpp>
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

namespace
{

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

// What a wait delivered, and where.
template <class T>
struct outcome
{
    int calls = 0;
    std::exception_ptr error;
    std::optional<T> value;
    std::thread::id thread;
};

template <>
struct outcome<void>
{
    int calls = 0;
    std::exception_ptr error;
    std::thread::id thread;
};

// A completion handler (bound to `ctx`: see plain_callback_handler_completes_on_io_context for
// the unbound case) that records the outcome.
template <class T>
auto record(asio::io_context& ctx, outcome<T>& out)
{
    if constexpr (std::is_void_v<T>)
        return asio::bind_executor(
            ctx,
            [&out](std::exception_ptr e)
            {
                ++out.calls;
                out.error = std::move(e);
                out.thread = std::this_thread::get_id();
            });
    else
        return asio::bind_executor(
            ctx,
            [&out](std::exception_ptr e, T v)
            {
                ++out.calls;
                out.error = std::move(e);
                if (!out.error)
                    out.value = std::move(v);
                out.thread = std::this_thread::get_id();
            });
}

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

// The code of a system_error held by `e` (a default error_code otherwise).
boost::system::error_code code_of(const std::exception_ptr& e)
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

std::string what_of(const std::exception_ptr& e)
{
    try
    {
        std::rethrow_exception(e);
    }
    catch (const std::exception& x)
    {
        return x.what();
    }
    catch (...)
    {
        return "<unknown>";
    }
}

// Runs `ctx` until it has no work left, without ever blocking: a lingering timer (or any
// leftover work) shows as `!ctx.stopped()` instead of a hang.
bool poll_until_stopped(asio::io_context& ctx)
{
    for (int i = 0; i < 1000 && !ctx.stopped(); ++i)
        ctx.poll();
    return ctx.stopped();
}

// A deadline that has already passed: the timer fires at the first run of the context.
std::chrono::steady_clock::time_point past()
{
    return std::chrono::steady_clock::now() - 1h;
}

// A register that keeps on_done (never calls it) and returns a counting deregistration.
template <class T>
struct keeping_register
{
    std::optional<af::bridge_callback<T>>* keep;
    int* deregistered;

    auto operator()(af::bridge_callback<T> on_done) const
    {
        keep->emplace(std::move(on_done));
        return [d = deregistered] { ++*d; };
    }
};

} // namespace

// ---------------------------------------------------------------------------------------------
// bridge_callback: the type
// ---------------------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(bridge_callback_is_a_copyable_callable)
{
    using cb = af::bridge_callback<int>;
    static_assert(std::is_copy_constructible_v<cb>);
    static_assert(std::is_nothrow_move_constructible_v<cb>);
    static_assert(std::is_invocable_r_v<bool, const cb&, int>);
    static_assert(std::is_invocable_r_v<bool, const cb&, std::exception_ptr>);
    static_assert(std::is_invocable_r_v<bool, const cb&, boost::system::error_code>);
    static_assert(std::is_convertible_v<cb, std::function<void(int)>>);
    static_assert(std::is_invocable_r_v<bool, const af::bridge_callback<void>&>);
    static_assert(
        std::is_invocable_r_v<bool, const af::bridge_callback<std::string>&, const char*>);

    asio::io_context ctx;
    af::async_future<int> fut(ctx.get_executor());
    const cb a(fut.get_resolver());
    const cb b = a; // NOLINT(performance-unnecessary-copy-initialization): a second copy
    BOOST_TEST(b(3) == true);
    BOOST_TEST(a(4) == false);
    BOOST_TEST(fut.result() == 3);
}

// ---------------------------------------------------------------------------------------------
// Pitfall: the callback fires on the same thread, inside register
// ---------------------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(callback_inside_register_completes_after_return)
{
    asio::io_context ctx;
    outcome<int> out;
    bool first = false;
    bool second = true;
    bool registered = false;
    af::async_bridge<int>(
        ctx.get_executor(),
        [&](auto on_done)
        {
            first = on_done(42);
            second = on_done(43);
            registered = true;
        },
        record(ctx, out));
    BOOST_TEST(registered);
    BOOST_TEST(first == true);
    BOOST_TEST(second == false);
    BOOST_TEST(out.calls == 0); // never inline, even when resolved during the initiation
    ctx.run();
    BOOST_TEST(out.calls == 1);
    BOOST_TEST(!out.error);
    BOOST_TEST((out.value == std::optional<int>(42)));
    BOOST_TEST((out.thread == std::this_thread::get_id()));
}

// A completion handler without an associated executor completes on the io_context the bridge
// was started on (the executor of its future), like async_future::async_wait does: the
// io_context's run() must see it.
BOOST_AUTO_TEST_CASE(plain_callback_handler_completes_on_io_context)
{
    asio::io_context ctx;
    auto calls = std::make_shared<std::atomic<int>>(0);
    auto on_io_thread = std::make_shared<std::atomic<bool>>(false);
    const auto io_thread = std::this_thread::get_id();
    af::async_bridge<int>(
        ctx.get_executor(),
        [](auto on_done) { on_done(1); },
        [calls, on_io_thread, io_thread](std::exception_ptr e, int v)
        {
            if (!e && v == 1)
                calls->fetch_add(1);
            on_io_thread->store(std::this_thread::get_id() == io_thread);
        });
    ctx.run();
    BOOST_TEST(calls->load() == 1); // completed within run()
    BOOST_TEST(on_io_thread->load());

    // The same with a pending wait resolved later.
    calls->store(0);
    on_io_thread->store(false);
    std::optional<af::bridge_callback<int>> keep;
    af::async_bridge<int>(
        ctx.get_executor(),
        [&keep](auto on_done) { keep.emplace(std::move(on_done)); },
        [calls, on_io_thread, io_thread](std::exception_ptr e, int v)
        {
            if (!e && v == 1)
                calls->fetch_add(1);
            on_io_thread->store(std::this_thread::get_id() == io_thread);
        });
    BOOST_TEST_REQUIRE(keep.has_value());
    asio::post(ctx, [&keep] { (*keep)(1); });
    ctx.restart();
    ctx.run();
    BOOST_TEST(calls->load() == 1);
    BOOST_TEST(on_io_thread->load());
}

// ---------------------------------------------------------------------------------------------
// Pitfall: the callback fires on a foreign thread
// ---------------------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(callback_from_foreign_thread_resumes_on_io_context)
{
    asio::io_context ctx;
    outcome<std::string> out;
    std::thread worker;
    std::thread::id callback_thread;
    std::atomic<bool> resolved{false};
    af::async_bridge<std::string>(
        ctx.get_executor(),
        [&](auto on_done)
        {
            worker = std::thread(
                [&, on_done]
                {
                    callback_thread = std::this_thread::get_id();
                    resolved = on_done("value-for-orders");
                });
        },
        record(ctx, out));
    ctx.run(); // the pending wait is work: run() waits for the foreign thread's call
    worker.join();
    BOOST_TEST(resolved.load());
    BOOST_TEST(out.calls == 1);
    BOOST_TEST(!out.error);
    BOOST_TEST((out.value == std::optional<std::string>("value-for-orders")));
    BOOST_TEST((out.thread == std::this_thread::get_id()));
    BOOST_TEST((callback_thread != std::this_thread::get_id()));
}

// ---------------------------------------------------------------------------------------------
// Pitfall: the callback fires twice
// ---------------------------------------------------------------------------------------------

// tag::ref_bridge_twice[]
BOOST_AUTO_TEST_CASE(callback_twice_second_is_ignored)
{
    asio::io_context ctx;
    outcome<int> out;
    std::optional<af::bridge_callback<int>> keep;
    af::async_bridge<int>(
        ctx.get_executor(),
        [&](auto on_done) { keep.emplace(on_done); },
        record(ctx, out));
    BOOST_TEST_REQUIRE(keep.has_value());
    const auto& on_done = *keep;
    BOOST_TEST(on_done(1) == true);
    BOOST_TEST(on_done(2) == false);
    // Success-then-late-error: ignored too.
    BOOST_TEST(on_done(std::make_exception_ptr(std::runtime_error("late"))) == false);
    BOOST_TEST(on_done(make_error_code(asio::error::connection_reset)) == false);
    ctx.run();
    BOOST_TEST(out.calls == 1);
    BOOST_TEST((out.value == std::optional<int>(1)));
    BOOST_TEST(on_done(3) == false); // and after the wait completed
}
// end::ref_bridge_twice[]

BOOST_AUTO_TEST_CASE(callback_twice_concurrently_exactly_one_wins)
{
#if defined(ASIO_FUTURE_TEST_TSAN)
    constexpr int rounds = 50;
#else
    constexpr int rounds = 300;
#endif
    for (int round = 0; round < rounds; ++round)
    {
        asio::io_context ctx;
        outcome<int> out;
        std::optional<af::bridge_callback<int>> keep;
        af::async_bridge<int>(
            ctx.get_executor(),
            [&](auto on_done) { keep.emplace(std::move(on_done)); },
            record(ctx, out));
        BOOST_TEST_REQUIRE(keep.has_value());

        std::atomic<int> ready{0};
        bool won[2] = {false, false};
        auto fire = [&](int who)
        {
            af::bridge_callback<int> mine = *keep; // each thread calls its own copy
            ready.fetch_add(1);
            while (ready.load() < 2)
                std::this_thread::yield(); // (a bare spin starves the other thread under valgrind)
            won[who] = mine(who + 10);
        };
        std::thread a(fire, 0);
        std::thread b(fire, 1);
        ctx.run();
        a.join();
        b.join();
        BOOST_TEST(won[0] + won[1] == 1);
        BOOST_TEST(out.calls == 1);
        BOOST_TEST_REQUIRE(out.value.has_value());
        BOOST_TEST(*out.value == (won[0] ? 10 : 11));
    }
}

// ---------------------------------------------------------------------------------------------
// Pitfall: the callback fires after the deadline, or never
// ---------------------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(callback_after_deadline_is_a_harmless_no_op)
{
    asio::io_context ctx;
    outcome<int> out;
    std::optional<af::bridge_callback<int>> keep;
    int deregistered = 0;
    af::async_bridge<int>(
        ctx.get_executor(),
        keeping_register<int>{&keep, &deregistered},
        af::deadline(past(), record(ctx, out)));
    ctx.run();
    BOOST_TEST(out.calls == 1);
    BOOST_TEST(holds<af::timeout_error>(out.error));
    BOOST_TEST(code_of(out.error) == make_error_code(af::error::timeout));
    BOOST_TEST(deregistered == 1);

    // The late callback: false, nothing runs, nothing crashes.
    BOOST_TEST_REQUIRE(keep.has_value());
    BOOST_TEST((*keep)(5) == false);
    BOOST_TEST((*keep)(std::make_exception_ptr(std::runtime_error("late"))) == false);
    ctx.restart();
    ctx.run();
    BOOST_TEST(out.calls == 1);
    BOOST_TEST(deregistered == 1);
}

BOOST_AUTO_TEST_CASE(callback_after_deadline_from_foreign_thread)
{
    asio::io_context ctx;
    outcome<int> out;
    std::optional<af::bridge_callback<int>> keep;
    int deregistered = 0;
    af::async_bridge<int>(
        ctx.get_executor(),
        keeping_register<int>{&keep, &deregistered},
        af::timeout(1ms, record(ctx, out)));
    ctx.run();
    BOOST_TEST(holds<af::timeout_error>(out.error));
    bool late = true;
    std::thread t([&] { late = (*keep)(5); });
    t.join();
    BOOST_TEST(late == false);
    BOOST_TEST(ctx.poll() == 0u);
    BOOST_TEST(out.calls == 1);
}

// A deadline that expires on the io thread while another thread is still in a slow register
// function: the expiry is parked until the initiation ends, then delivered (no thread spins
// meanwhile, the cancellation is not lost).
BOOST_AUTO_TEST_CASE(deadline_expiring_during_a_slow_bridge_registration)
{
    asio::io_context ctx;
    auto guard = asio::make_work_guard(ctx);
    std::thread runner([&] { ctx.run(); });
    constexpr int waits = 20;
    std::atomic<int> timeouts{0};
    std::atomic<int> others{0};
    std::atomic<int> deregistered{0};
    std::vector<af::bridge_callback<int>> kept;
    for (int i = 0; i < waits; ++i)
    {
        af::async_bridge<int>(
            ctx.get_executor(),
            [&](af::bridge_callback<int> on_done)
            {
                kept.push_back(std::move(on_done));
                std::this_thread::sleep_for(2ms); // the deadline expires meanwhile
                return [&] { ++deregistered; };
            },
            af::deadline(
                std::chrono::steady_clock::now(),
                [&](std::exception_ptr e, int)
                { ++(holds<af::timeout_error>(e) ? timeouts : others); }));
    }
    const auto limit = std::chrono::steady_clock::now() + 20s;
    while (timeouts.load() + others.load() < waits && std::chrono::steady_clock::now() < limit)
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
    BOOST_TEST(deregistered.load() == waits);
    for (auto& on_done : kept)
        BOOST_TEST(!on_done(1)); // late: a no-op
}

// The silent client: on_done is kept alive and never called. The deadline ends the wait; no
// hang (run() returns).
BOOST_AUTO_TEST_CASE(callback_never_called_times_out)
{
    asio::io_context ctx;
    outcome<std::string> out;
    std::optional<af::bridge_callback<std::string>> keep;
    af::async_bridge<std::string>(
        ctx.get_executor(),
        [&](auto on_done) { keep.emplace(std::move(on_done)); },
        af::timeout(20ms, record(ctx, out)));
    ctx.run();
    BOOST_TEST(out.calls == 1);
    BOOST_TEST(holds<af::timeout_error>(out.error));
    BOOST_TEST(!holds<af::cancelled_error>(out.error));
    BOOST_TEST(code_of(out.error) == make_error_code(af::error::timeout));
}

// A result that arrives before the deadline is delivered unchanged, and the deadline's timer
// does not linger.
BOOST_AUTO_TEST_CASE(callback_before_deadline_delivers_value_and_timer_does_not_linger)
{
    asio::io_context ctx;
    outcome<int> out;
    int deregistered = 0;
    af::async_bridge<int>(
        ctx.get_executor(),
        [&](auto on_done)
        {
            asio::post(ctx, [on_done] { on_done(8); });
            return [&deregistered] { ++deregistered; };
        },
        af::timeout(1h, record(ctx, out)));
    BOOST_TEST(poll_until_stopped(ctx)); // an hour-long timer left behind would keep it busy
    BOOST_TEST(out.calls == 1);
    BOOST_TEST((out.value == std::optional<int>(8)));
    BOOST_TEST(deregistered == 0);
}

// ---------------------------------------------------------------------------------------------
// Pitfall: on_done dropped without a call
// ---------------------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(callback_dropped_uncalled_is_broken_promise)
{
    asio::io_context ctx;
    outcome<int> out;
    af::async_bridge<int>(
        ctx.get_executor(),
        [](auto) {}, // the library loses the callback
        record(ctx, out));
    ctx.run();
    BOOST_TEST(out.calls == 1);
    BOOST_TEST(holds<af::broken_promise_error>(out.error));
    BOOST_TEST(code_of(out.error) == make_error_code(af::error::broken_promise));
}

BOOST_AUTO_TEST_CASE(callback_copies_dropped_later_is_broken_promise)
{
    asio::io_context ctx;
    outcome<int> out;
    std::vector<std::function<void(int)>> stored;
    af::async_bridge<int>(
        ctx.get_executor(),
        [&](auto on_done)
        {
            stored.emplace_back(on_done);
            stored.emplace_back(on_done);
        },
        record(ctx, out));
    BOOST_TEST(ctx.poll() == 0u);
    BOOST_TEST(out.calls == 0); // copies alive: still pending
    stored.pop_back();
    BOOST_TEST(ctx.poll() == 0u);
    BOOST_TEST(out.calls == 0);
    stored.clear(); // the last copy
    ctx.run();
    BOOST_TEST(out.calls == 1);
    BOOST_TEST(holds<af::broken_promise_error>(out.error));
}

BOOST_AUTO_TEST_CASE(callback_dropped_on_foreign_thread_is_broken_promise)
{
    asio::io_context ctx;
    outcome<void> out;
    std::thread worker;
    af::async_bridge<void>(
        ctx.get_executor(),
        [&](auto on_done) { worker = std::thread([cb = std::move(on_done)] { (void)cb; }); },
        record(ctx, out));
    ctx.run();
    worker.join();
    BOOST_TEST(out.calls == 1);
    BOOST_TEST(holds<af::broken_promise_error>(out.error));
}

// ---------------------------------------------------------------------------------------------
// Pitfall: register throws
// ---------------------------------------------------------------------------------------------

// register taking on_done by value: the parameter is destroyed by the unwinding, before the
// bridge sees the exception. The wait must still get the exception register threw, not
// broken_promise_error.
BOOST_AUTO_TEST_CASE(register_throwing_by_value_completes_with_its_exception)
{
    asio::io_context ctx;
    outcome<int> out;
    af::async_bridge<int>(
        ctx.get_executor(),
        [](af::bridge_callback<int>) -> void { throw std::logic_error("register failed"); },
        record(ctx, out));
    ctx.run();
    BOOST_TEST(out.calls == 1);
    BOOST_TEST(holds<std::logic_error>(out.error));
    BOOST_TEST(!holds<af::broken_promise_error>(out.error));
    BOOST_TEST(what_of(out.error) == "register failed");
}

BOOST_AUTO_TEST_CASE(register_throwing_by_reference_completes_with_its_exception)
{
    asio::io_context ctx;
    outcome<void> out;
    af::async_bridge<void>(
        ctx.get_executor(),
        [](const auto&) -> void { throw std::out_of_range("no such key"); },
        record(ctx, out));
    ctx.run();
    BOOST_TEST(out.calls == 1);
    BOOST_TEST(holds<std::out_of_range>(out.error));
    BOOST_TEST(what_of(out.error) == "no such key");
}

// register stored a copy of on_done, then threw: the exception wins; the stored copy's later
// call is ignored.
BOOST_AUTO_TEST_CASE(register_throwing_after_storing_callback)
{
    asio::io_context ctx;
    outcome<int> out;
    std::optional<af::bridge_callback<int>> keep;
    int deregistered = 0;
    af::async_bridge<int>(
        ctx.get_executor(),
        [&](auto on_done)
        {
            keep.emplace(on_done);
            if (keep)
                throw std::runtime_error("subscribe failed");
            return [&deregistered] { ++deregistered; };
        },
        record(ctx, out));
    ctx.run();
    BOOST_TEST(out.calls == 1);
    BOOST_TEST(holds<std::runtime_error>(out.error));
    BOOST_TEST(what_of(out.error) == "subscribe failed");
    BOOST_TEST((*keep)(1) == false);
    BOOST_TEST(deregistered == 0); // nothing was registered: nothing to deregister
}

// ---------------------------------------------------------------------------------------------
// Pitfall: leaking registrations (the deregistration callable)
// ---------------------------------------------------------------------------------------------

// tag::ref_bridge_deregistration[]
BOOST_AUTO_TEST_CASE(deregistration_runs_on_timeout)
{
    asio::io_context ctx;
    outcome<int> out;
    std::optional<af::bridge_callback<int>> keep;
    int deregistered = 0;
    af::async_bridge<int>(
        ctx.get_executor(),
        keeping_register<int>{&keep, &deregistered},
        af::timeout(1ms, record(ctx, out)));
    BOOST_TEST(deregistered == 0);
    ctx.run();
    BOOST_TEST(holds<af::timeout_error>(out.error));
    BOOST_TEST(deregistered == 1);
}
// end::ref_bridge_deregistration[]

BOOST_AUTO_TEST_CASE(deregistration_runs_on_each_cancellation_type)
{
    const asio::cancellation_type_t types[] = {
        asio::cancellation_type::terminal,
        asio::cancellation_type::partial,
        asio::cancellation_type::total,
        asio::cancellation_type::all};
    for (auto type : types)
    {
        BOOST_TEST_CONTEXT("cancellation type " << static_cast<unsigned>(type))
        {
            asio::io_context ctx;
            outcome<int> out;
            std::optional<af::bridge_callback<int>> keep;
            int deregistered = 0;
            asio::cancellation_signal sig;
            af::async_bridge<int>(
                ctx.get_executor(),
                keeping_register<int>{&keep, &deregistered},
                asio::bind_cancellation_slot(sig.slot(), record(ctx, out)));
            asio::post(ctx, [&] { sig.emit(type); });
            ctx.run();
            BOOST_TEST(out.calls == 1);
            BOOST_TEST(holds<af::cancelled_error>(out.error));
            BOOST_TEST(deregistered == 1);
            const bool only_detached = type == asio::cancellation_type::total;
            // terminal / partial cancel the bridge's future: the late callback is refused. A
            // total cancellation only detached the wait: the future still takes it (nobody
            // waits any more).
            BOOST_TEST((*keep)(1) == only_detached);
            sig.emit(type); // after completion: harmless
            ctx.restart();
            ctx.run();
            BOOST_TEST(out.calls == 1);
            BOOST_TEST(deregistered == 1);
        }
    }
}

// A total cancellation detaches the wait; the library's callback then fires before the
// detached handler ran. The wait still completed cancelled, so the registration must still be
// released.
BOOST_AUTO_TEST_CASE(deregistration_runs_on_total_cancellation_racing_the_callback)
{
    asio::io_context ctx;
    outcome<int> out;
    std::optional<af::bridge_callback<int>> keep;
    int deregistered = 0;
    asio::cancellation_signal sig;
    af::async_bridge<int>(
        ctx.get_executor(),
        keeping_register<int>{&keep, &deregistered},
        asio::bind_cancellation_slot(sig.slot(), record(ctx, out)));
    sig.emit(asio::cancellation_type::total); // detaches; its completion is queued
    BOOST_TEST((*keep)(7) == true);           // the future was not cancelled: it takes it
    ctx.run();
    BOOST_TEST(out.calls == 1);
    BOOST_TEST(holds<af::cancelled_error>(out.error));
    BOOST_TEST(deregistered == 1);
}

// An outer cancellation through af::timeout is forwarded (not translated to a timeout), and
// deregisters.
BOOST_AUTO_TEST_CASE(deregistration_runs_on_outer_cancellation_under_timeout)
{
    for (auto type : {asio::cancellation_type::terminal, asio::cancellation_type::total})
    {
        asio::io_context ctx;
        outcome<int> out;
        std::optional<af::bridge_callback<int>> keep;
        int deregistered = 0;
        asio::cancellation_signal sig;
        af::async_bridge<int>(
            ctx.get_executor(),
            keeping_register<int>{&keep, &deregistered},
            af::timeout(1h, asio::bind_cancellation_slot(sig.slot(), record(ctx, out))));
        asio::post(ctx, [&sig, type] { sig.emit(type); });
        BOOST_TEST(poll_until_stopped(ctx));
        BOOST_TEST(out.calls == 1);
        BOOST_TEST(holds<af::cancelled_error>(out.error));
        BOOST_TEST(!holds<af::timeout_error>(out.error));
        BOOST_TEST(deregistered == 1);
        // Only a total cancellation leaves the bridge's future open to a late callback.
        BOOST_TEST((*keep)(1) == (type == asio::cancellation_type::total));
    }
}

// The outer total cancellation detaches the wait first; the (already passed) deadline fires
// before the detached completion ran. The wait was cancelled by the outer cancellation, not by
// the deadline: it is not a timeout, and the deadline no longer cancels the bridge's future
// (nobody waits on it any more, the late callback is accepted).
BOOST_AUTO_TEST_CASE(outer_total_cancellation_then_deadline_is_not_a_timeout)
{
    asio::io_context ctx;
    outcome<int> out;
    std::optional<af::bridge_callback<int>> keep;
    int deregistered = 0;
    asio::cancellation_signal sig;
    af::async_bridge<int>(
        ctx.get_executor(),
        keeping_register<int>{&keep, &deregistered},
        af::deadline(past(), asio::bind_cancellation_slot(sig.slot(), record(ctx, out))));
    // Runs after the scheduler has queued the expired timer's completion.
    asio::post(ctx, [&sig] { sig.emit(asio::cancellation_type::total); });
    ctx.run();
    BOOST_TEST(out.calls == 1);
    BOOST_TEST(holds<af::cancelled_error>(out.error));
    BOOST_TEST(!holds<af::timeout_error>(out.error));
    BOOST_TEST(deregistered == 1);
    BOOST_TEST((*keep)(7) == true);
}

BOOST_AUTO_TEST_CASE(no_deregistration_after_value)
{
    asio::io_context ctx;
    int deregistered = 0;
    std::weak_ptr<int> closure;
    {
        outcome<int> out;
        auto captured = std::make_shared<int>(0);
        closure = captured;
        af::async_bridge<int>(
            ctx.get_executor(),
            [&, captured](auto on_done)
            {
                on_done(5);
                return [&deregistered, captured] { ++deregistered; };
            },
            record(ctx, out));
        captured.reset();
        ctx.run();
        BOOST_TEST((out.value == std::optional<int>(5)));
    }
    BOOST_TEST(deregistered == 0);
    BOOST_TEST(closure.expired()); // the deregistration (and what it captured) is released

    // The same, resolved later from another thread, under a deadline.
    ctx.restart();
    outcome<int> out;
    std::thread worker;
    af::async_bridge<int>(
        ctx.get_executor(),
        [&](auto on_done)
        {
            worker = std::thread([on_done] { on_done(6); });
            return [&deregistered] { ++deregistered; };
        },
        af::timeout(1h, record(ctx, out)));
    ctx.run();
    worker.join();
    BOOST_TEST((out.value == std::optional<int>(6)));
    BOOST_TEST(deregistered == 0);
}

BOOST_AUTO_TEST_CASE(no_deregistration_after_exception)
{
    // An exception_ptr, an error_code, and even a cancelled_error the library reports itself:
    // each is a normal completion of the callback API.
    std::vector<std::function<void(const af::bridge_callback<int>&)>> reports = {
        [](const af::bridge_callback<int>& cb)
        { cb(std::make_exception_ptr(std::runtime_error("upstream failure"))); },
        [](const af::bridge_callback<int>& cb)
        { cb(make_error_code(asio::error::host_not_found)); },
        [](const af::bridge_callback<int>& cb)
        { cb(std::make_exception_ptr(af::cancelled_error())); },
        [](const af::bridge_callback<int>& cb) { cb(boost::system::error_code()); },
    };
    for (std::size_t i = 0; i < reports.size(); ++i)
    {
        BOOST_TEST_CONTEXT("report #" << i)
        {
            asio::io_context ctx;
            outcome<int> out;
            int deregistered = 0;
            af::async_bridge<int>(
                ctx.get_executor(),
                [&](auto on_done)
                {
                    asio::post(ctx, [on_done, &reports, i] { reports[i](on_done); });
                    return [&deregistered] { ++deregistered; };
                },
                record(ctx, out));
            ctx.run();
            BOOST_TEST(out.calls == 1);
            BOOST_TEST(static_cast<bool>(out.error));
            BOOST_TEST(deregistered == 0);
        }
    }
}

BOOST_AUTO_TEST_CASE(deregistration_runs_once)
{
    asio::io_context ctx;
    outcome<int> out;
    std::optional<af::bridge_callback<int>> keep;
    int deregistered = 0;
    asio::cancellation_signal sig;
    af::async_bridge<int>(
        ctx.get_executor(),
        keeping_register<int>{&keep, &deregistered},
        af::deadline(
            past(),
            asio::bind_cancellation_slot(sig.slot(), record(ctx, out)),
            asio::cancellation_type::total));
    asio::post(ctx, [&] { sig.emit(asio::cancellation_type::terminal); });
    ctx.run();
    BOOST_TEST(out.calls == 1);
    BOOST_TEST(deregistered == 1);
}

// ---------------------------------------------------------------------------------------------
// The forms of on_done
// ---------------------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(on_done_with_exception_ptr)
{
    asio::io_context ctx;
    outcome<std::string> out;
    bool resolved = false;
    af::async_bridge<std::string>(
        ctx.get_executor(),
        [&](auto on_done)
        { resolved = on_done(std::make_exception_ptr(std::runtime_error("upstream failure"))); },
        record(ctx, out));
    ctx.run();
    BOOST_TEST(resolved);
    BOOST_TEST(holds<std::runtime_error>(out.error));
    BOOST_TEST(what_of(out.error) == "upstream failure");
}

// tag::ref_bridge_error_code[]
BOOST_AUTO_TEST_CASE(on_done_with_error_code)
{
    asio::io_context ctx;
    outcome<int> out;
    af::async_bridge<int>(
        ctx.get_executor(),
        [](auto on_done) { on_done(make_error_code(asio::error::connection_refused)); },
        record(ctx, out));
    ctx.run();
    BOOST_TEST(holds<boost::system::system_error>(out.error));
    BOOST_TEST(code_of(out.error) == make_error_code(asio::error::connection_refused));

    // A const lvalue error_code.
    ctx.restart();
    outcome<void> vout;
    af::async_bridge<void>(
        ctx.get_executor(),
        [](auto on_done)
        {
            const boost::system::error_code ec = asio::error::eof;
            on_done(ec);
        },
        record(ctx, vout));
    ctx.run();
    BOOST_TEST(code_of(vout.error) == make_error_code(asio::error::eof));
}
// end::ref_bridge_error_code[]

// A completion handler passed as an lvalue (const or not) is copied, as Asio's own operations
// do; the caller's handler is left intact and reusable.
BOOST_AUTO_TEST_CASE(lvalue_completion_handler_is_copied)
{
    asio::io_context ctx;
    auto seen = std::make_shared<std::vector<int>>();
    auto handler = [seen](std::exception_ptr e, int v)
    {
        BOOST_TEST(!e);
        seen->push_back(v);
    };
    const auto& const_handler = handler;
    af::async_bridge<int>(
        ctx.get_executor(),
        [](auto on_done) { on_done(1); },
        handler);
    af::async_bridge<int>(
        ctx.get_executor(),
        [](auto on_done) { on_done(2); },
        const_handler);
    af::async_bridge<int>(
        ctx.get_executor(),
        [](auto on_done) { on_done(3); },
        af::timeout(std::chrono::seconds(5), handler));
    BOOST_TEST(seen.use_count() == 2 + 3); // `seen`, the caller's handler, three copies
    ctx.run();
    BOOST_TEST((*seen == std::vector<int>{1, 2, 3}));
    BOOST_TEST(seen.use_count() == 2); // the copies are gone, the caller's handler is intact
}

BOOST_AUTO_TEST_CASE(void_success_forms)
{
    std::vector<std::function<bool(const af::bridge_callback<void>&)>> successes = {
        [](const af::bridge_callback<void>& cb) { return cb(); },
        [](const af::bridge_callback<void>& cb) { return cb(boost::system::error_code()); },
        [](const af::bridge_callback<void>& cb) { return cb(std::exception_ptr()); },
    };
    for (std::size_t i = 0; i < successes.size(); ++i)
    {
        BOOST_TEST_CONTEXT("success #" << i)
        {
            asio::io_context ctx;
            outcome<void> out;
            bool resolved = false;
            af::async_bridge<void>(
                ctx.get_executor(),
                [&](auto on_done) { resolved = successes[i](on_done); },
                record(ctx, out));
            ctx.run();
            BOOST_TEST(resolved);
            BOOST_TEST(out.calls == 1);
            BOOST_TEST(!out.error);
        }
    }
}

BOOST_AUTO_TEST_CASE(non_void_success_without_value_is_invalid_argument)
{
    std::vector<std::function<bool(const af::bridge_callback<int>&)>> empties = {
        [](const af::bridge_callback<int>& cb) { return cb(boost::system::error_code()); },
        [](const af::bridge_callback<int>& cb) { return cb(std::exception_ptr()); },
    };
    for (std::size_t i = 0; i < empties.size(); ++i)
    {
        BOOST_TEST_CONTEXT("empty success #" << i)
        {
            asio::io_context ctx;
            outcome<int> out;
            bool resolved = false;
            af::async_bridge<int>(
                ctx.get_executor(),
                [&](auto on_done)
                {
                    resolved = empties[i](on_done);
                    BOOST_TEST(on_done(1) == false); // the failure was the first resolution
                },
                record(ctx, out));
            ctx.run();
            BOOST_TEST(resolved);
            BOOST_TEST(out.calls == 1);
            BOOST_TEST(holds<std::invalid_argument>(out.error));
        }
    }
}

BOOST_AUTO_TEST_CASE(on_done_constructs_the_value_from_arguments)
{
    asio::io_context ctx;
    outcome<std::string> out;
    af::async_bridge<std::string>(
        ctx.get_executor(),
        [](auto on_done) { on_done(3u, 'x'); }, // std::string(3, 'x')
        record(ctx, out));
    ctx.run();
    BOOST_TEST((out.value == std::optional<std::string>("xxx")));
}

// The guide's callback_client: its (value, error) shape adapted in the register lambda, and
// on_done stored in a std::function<void(int)> by a library that wants one.
BOOST_AUTO_TEST_CASE(bridge_callback_stored_in_std_function)
{
    asio::io_context ctx;
    outcome<int> out;
    std::function<void(int)> library_slot;
    af::async_bridge<int>(
        ctx.get_executor(),
        [&](af::bridge_callback<int> on_done) { library_slot = std::move(on_done); },
        record(ctx, out));
    BOOST_TEST_REQUIRE(static_cast<bool>(library_slot));
    asio::post(ctx, [&] { library_slot(17); });
    ctx.run();
    BOOST_TEST((out.value == std::optional<int>(17)));

    // The (value, error) convention of the guide's clients.
    struct callback_client
    {
        void fetch(
            const std::string& key,
            const std::function<void(std::optional<std::string>, std::exception_ptr)>& on_done)
        {
            if (key == "boom")
                on_done(
                    std::nullopt,
                    std::make_exception_ptr(std::runtime_error("upstream failure")));
            else
                on_done("value-for-" + key, nullptr);
        }
    } client;
    auto fetch_register = [&client](std::string key)
    {
        return [&client, key](af::bridge_callback<std::string> on_done)
        {
            client.fetch(
                key,
                [on_done](std::optional<std::string> value, std::exception_ptr error)
                {
                    if (error)
                        on_done(error);
                    else
                        on_done(std::move(*value));
                });
        };
    };
    outcome<std::string> a;
    outcome<std::string> boom;
    af::async_bridge<std::string>(ctx.get_executor(), fetch_register("a"), record(ctx, a));
    af::async_bridge<std::string>(ctx.get_executor(), fetch_register("boom"), record(ctx, boom));
    ctx.restart();
    ctx.run();
    BOOST_TEST((a.value == std::optional<std::string>("value-for-a")));
    BOOST_TEST(what_of(boom.error) == "upstream failure");
}

// ---------------------------------------------------------------------------------------------
// Completion tokens
// ---------------------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(token_deferred)
{
    asio::io_context ctx;
    outcome<int> out;
    int registered = 0;
    auto op = af::async_bridge<int>(
        ctx.get_executor(),
        [&](auto on_done)
        {
            ++registered;
            on_done(21);
        },
        asio::deferred);
    BOOST_TEST(registered == 0); // nothing starts until the deferred operation is launched
    std::move(op)(record(ctx, out));
    BOOST_TEST(registered == 1);
    ctx.run();
    BOOST_TEST((out.value == std::optional<int>(21)));

    // Composed: deferred then af::timeout on the launch.
    ctx.restart();
    outcome<int> late;
    std::optional<af::bridge_callback<int>> keep;
    int deregistered = 0;
    auto silent = af::async_bridge<int>(
        ctx.get_executor(),
        keeping_register<int>{&keep, &deregistered},
        asio::deferred);
    std::move(silent)(af::timeout(1ms, record(ctx, late)));
    ctx.run();
    BOOST_TEST(holds<af::timeout_error>(late.error));
    BOOST_TEST(deregistered == 1);
}

BOOST_AUTO_TEST_CASE(token_use_async_future)
{
    asio::io_context ctx;
    std::thread worker;
    af::async_future<std::string> fut = af::async_bridge<std::string>(
        ctx.get_executor(),
        [&](auto on_done) { worker = std::thread([on_done] { on_done("from a thread"); }); },
        af::use_async_future);
    BOOST_TEST(fut.valid());
    ctx.run();
    worker.join();
    BOOST_TEST_REQUIRE(fut.done());
    BOOST_TEST(fut.result() == "from a thread");

    // Failures, and a void bridge.
    ctx.restart();
    auto failed = af::async_bridge<int>(
        ctx.get_executor(),
        [](auto on_done) { on_done(make_error_code(asio::error::timed_out)); },
        af::use_async_future);
    auto ok = af::async_bridge<void>(
        ctx.get_executor(),
        [](auto on_done) { on_done(); },
        af::use_async_future);
    static_assert(std::is_same_v<decltype(failed), af::async_future<int>>);
    static_assert(std::is_same_v<decltype(ok), af::async_future<void>>);
    ctx.run();
    BOOST_TEST_REQUIRE(failed.done());
    BOOST_TEST(code_of(failed.exception()) == make_error_code(asio::error::timed_out));
    BOOST_TEST_REQUIRE(ok.done());
    BOOST_TEST(!ok.exception());
}

// Cancelling the future returned by use_async_future cancels the bridge's wait, which
// deregisters.
BOOST_AUTO_TEST_CASE(token_use_async_future_cancel_deregisters)
{
    asio::io_context ctx;
    std::optional<af::bridge_callback<int>> keep;
    int deregistered = 0;
    auto fut = af::async_bridge<int>(
        ctx.get_executor(),
        keeping_register<int>{&keep, &deregistered},
        af::use_async_future);
    BOOST_TEST(fut.cancel("not needed"));
    ctx.run();
    BOOST_TEST(fut.cancelled());
    BOOST_TEST(deregistered == 1);
    BOOST_TEST((*keep)(1) == false);
}

#if defined(BOOST_ASIO_FUTURE_HAS_CO_AWAIT)

BOOST_AUTO_TEST_CASE(token_use_awaitable)
{
    asio::io_context ctx;
    std::vector<std::string> log;
    std::thread worker;
    const auto io_thread = std::this_thread::get_id();
    asio::co_spawn(
        ctx,
        [&]() -> asio::awaitable<void>
        {
            auto ex = co_await asio::this_coro::executor;
            // Same thread, inside register.
            log.push_back(co_await af::async_bridge<std::string>(
                ex,
                [](auto on_done) { on_done("inline"); },
                asio::use_awaitable));
            // A foreign thread: resumed on the io_context thread.
            log.push_back(co_await af::async_bridge<std::string>(
                ex,
                [&](auto on_done) { worker = std::thread([on_done] { on_done("threaded"); }); },
                asio::use_awaitable));
            log.push_back(std::this_thread::get_id() == io_thread ? "on io thread" : "elsewhere");
            // An error.
            try
            {
                co_await af::async_bridge<int>(
                    ex,
                    [](auto on_done)
                    { on_done(std::make_exception_ptr(std::runtime_error("upstream failure"))); },
                    asio::use_awaitable);
            }
            catch (const std::runtime_error& e)
            {
                log.push_back(e.what());
            }
            // Never called, under a deadline.
            std::optional<af::bridge_callback<int>> keep;
            int deregistered = 0;
            try
            {
                co_await af::async_bridge<int>(
                    ex,
                    keeping_register<int>{&keep, &deregistered},
                    af::timeout(5ms, asio::use_awaitable));
            }
            catch (const af::timeout_error&)
            {
                log.push_back("timed out, deregistered " + std::to_string(deregistered));
            }
            // void.
            co_await af::async_bridge<void>(
                ex,
                [](auto on_done) { on_done(); },
                asio::use_awaitable);
            log.push_back("void done");
        },
        asio::detached);
    ctx.run();
    worker.join();
    const std::vector<std::string> expected = {
        "inline",
        "threaded",
        "on io thread",
        "upstream failure",
        "timed out, deregistered 1",
        "void done"};
    BOOST_TEST(log == expected, boost::test_tools::per_element());
}

// co_spawn's own cancellation reaches the bridge: the coroutine stops, the registration is
// released.
BOOST_AUTO_TEST_CASE(token_use_awaitable_cancelled_by_co_spawn)
{
    asio::io_context ctx;
    std::optional<af::bridge_callback<int>> keep;
    int deregistered = 0;
    std::exception_ptr ended;
    asio::cancellation_signal sig;
    asio::co_spawn(
        ctx,
        [&]() -> asio::awaitable<void>
        {
            co_await af::async_bridge<int>(
                co_await asio::this_coro::executor,
                keeping_register<int>{&keep, &deregistered},
                asio::use_awaitable);
        },
        asio::bind_cancellation_slot(sig.slot(), [&](std::exception_ptr e) { ended = e; }));
    asio::post(ctx, [&] { sig.emit(asio::cancellation_type::terminal); });
    ctx.run();
    BOOST_TEST(static_cast<bool>(ended));
    BOOST_TEST(deregistered == 1);
    BOOST_TEST((*keep)(1) == false);
}

#endif // BOOST_ASIO_FUTURE_HAS_CO_AWAIT

// ---------------------------------------------------------------------------------------------
// Lifetime: on_done outliving the context
// ---------------------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(callback_outliving_the_context_is_harmless)
{
    std::optional<af::bridge_callback<int>> keep;
    int deregistered = 0;
    int calls = 0;
    {
        asio::io_context ctx;
        af::async_bridge<int>(
            ctx.get_executor(),
            keeping_register<int>{&keep, &deregistered},
            asio::bind_executor(ctx, [&calls](std::exception_ptr, int) { ++calls; }));
        ctx.poll();
    } // the pending wait's handler is destroyed, not invoked
    BOOST_TEST(calls == 0);
    BOOST_TEST_REQUIRE(keep.has_value());
    BOOST_TEST((*keep)(1) == false);
    std::thread t([&] { (void)(*keep)(2); });
    t.join();
    keep.reset();
}

// ---------------------------------------------------------------------------------------------
// Stress: callbacks from two threads at once (twice each) racing deadlines and outer
// cancellations. Every wait completes exactly once; the counts add up.
// ---------------------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(stress_callbacks_deadlines_and_cancellations)
{
    constexpr int n = 2000; // thousands of bridges, under ThreadSanitizer as well
    enum kind : int
    {
        none = 0,
        got_value,
        got_timeout,
        got_cancelled,
        got_other
    };

    asio::io_context ctx;
    const auto io_thread = std::this_thread::get_id();
    std::vector<std::optional<af::bridge_callback<int>>> callbacks(n);
    std::vector<asio::cancellation_signal> signals(n);
    std::vector<int> completions(n, 0);
    std::vector<int> kinds(n, none);
    std::vector<int> values(n, -1);
    std::vector<int> deregistrations(n, 0);
    std::vector<asio::cancellation_type_t> outer(n, asio::cancellation_type::none);
    std::vector<std::atomic<int>> wins(n);
    int off_thread_completions = 0;

    for (int i = 0; i < n; ++i)
    {
        auto reg = [&callbacks, &deregistrations, i](af::bridge_callback<int> on_done)
        {
            callbacks[i].emplace(std::move(on_done));
            return [&deregistrations, i] { ++deregistrations[i]; };
        };
        auto handler = asio::bind_cancellation_slot(
            signals[i].slot(),
            asio::bind_executor(
                ctx,
                [&, i](std::exception_ptr e, int v)
                {
                    ++completions[i];
                    if (std::this_thread::get_id() != io_thread)
                        ++off_thread_completions;
                    if (!e)
                    {
                        kinds[i] = got_value;
                        values[i] = v;
                    }
                    else if (holds<af::timeout_error>(e))
                        kinds[i] = got_timeout;
                    else if (holds<af::cancelled_error>(e))
                        kinds[i] = got_cancelled;
                    else
                        kinds[i] = got_other;
                    // A completion cancels a later wait from inside a handler.
                    const int j = i + n / 2;
                    if (i % 5 == 0 && j < n)
                    {
                        outer[j] = asio::cancellation_type::total;
                        signals[j].emit(asio::cancellation_type::total);
                    }
                }));
        // A third of the deadlines have already passed, the rest are far away.
        const auto when = i % 3 == 0 ? past() : std::chrono::steady_clock::now() + 1h;
        af::async_bridge<int>(ctx.get_executor(), reg, af::deadline(when, std::move(handler)));
        if (i % 7 == 0)
        {
            outer[i] = i % 2 ? asio::cancellation_type::terminal : asio::cancellation_type::total;
            asio::post(ctx, [&signals, &outer, i] { signals[i].emit(outer[i]); });
        }
    }

    std::atomic<int> started{0};
    auto fire = [&](int who)
    {
        started.fetch_add(1);
        while (started.load() < 2)
            std::this_thread::yield();
        for (int round = 0; round < 2; ++round)
            for (int k = 0; k < n; ++k)
            {
                const int i = who == 0 ? k : n - 1 - k;
                if ((*callbacks[i])(i))
                    wins[i].fetch_add(1);
            }
    };
    std::thread a(fire, 0);
    std::thread b(fire, 1);
    ctx.run();
    a.join();
    b.join();

    int n_value = 0, n_timeout = 0, n_cancelled = 0, n_other = 0, n_wins = 0;
    int bad_completions = 0, bad_values = 0, bad_deregistrations = 0, bad_wins = 0;
    for (int i = 0; i < n; ++i)
    {
        bad_completions += completions[i] != 1;
        n_wins += wins[i].load();
        bad_wins += wins[i].load() > 1;
        switch (kinds[i])
        {
        case got_value:
            ++n_value;
            bad_values += values[i] != i || wins[i].load() != 1;
            bad_deregistrations += deregistrations[i] != 0;
            break;
        case got_timeout:
            ++n_timeout;
            // The deadline cancelled the future: no callback can have won; only passed
            // deadlines fire.
            bad_wins += wins[i].load() != 0 || i % 3 != 0;
            bad_deregistrations += deregistrations[i] != 1;
            break;
        case got_cancelled:
            ++n_cancelled;
            bad_values += outer[i] == asio::cancellation_type::none;
            if (outer[i] == asio::cancellation_type::terminal)
                bad_wins += wins[i].load() != 0;
            bad_deregistrations += deregistrations[i] != 1;
            break;
        default:
            ++n_other;
            break;
        }
    }
    BOOST_TEST(bad_completions == 0);
    BOOST_TEST(off_thread_completions == 0);
    BOOST_TEST(n_other == 0);
    BOOST_TEST(n_value + n_timeout + n_cancelled == n);
    BOOST_TEST(bad_values == 0);
    BOOST_TEST(bad_wins == 0);
    BOOST_TEST(bad_deregistrations == 0);
    BOOST_TEST(n_wins >= n_value);
    BOOST_TEST(n_wins <= n);
    BOOST_TEST_MESSAGE(
        "values " << n_value << ", timeouts " << n_timeout << ", cancelled " << n_cancelled
                  << ", winning callbacks " << n_wins);
}

// ---------------------------------------------------------------------------------------------
// asio::cancel_after (Asio 1.31+) around the bridge's token: the deregistration runs
// ---------------------------------------------------------------------------------------------

BOOST_AUTO_TEST_SUITE(
    cancel_after,
    *boost::unit_test::precondition(asio_future_test::has_cancel_after))

#if defined(ASIO_FUTURE_TEST_HAS_CANCEL_AFTER)

BOOST_AUTO_TEST_CASE(expiry_deregisters)
{
    asio::io_context ctx;
    int deregistered = 0;
    std::exception_ptr error;
    std::optional<af::bridge_callback<int>> kept;
    af::async_bridge<int>(
        ctx.get_executor(),
        [&](af::bridge_callback<int> on_done)
        {
            kept.emplace(on_done);
            return [&] { ++deregistered; };
        },
        asio::cancel_after(
            std::chrono::milliseconds(20),
            [&](std::exception_ptr e, int) { error = e; }));
    ctx.run();
    BOOST_TEST(deregistered == 1);
    BOOST_TEST(holds<af::cancelled_error>(error));
    BOOST_TEST(!(*kept)(1)); // the late callback is harmless
}

#else

BOOST_AUTO_TEST_CASE(not_available)
{
    BOOST_FAIL("runs only where the precondition holds");
}

#endif // ASIO_FUTURE_TEST_HAS_CANCEL_AFTER

BOOST_AUTO_TEST_SUITE_END()
