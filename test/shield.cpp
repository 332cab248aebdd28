//
// Copyright (c) 2026 The asio_future Authors.
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// af::shield(fut) (asyncio.shield): a wait on the shielded handle that is cancelled (any type) or
// timed out only detaches; the future goes on and can be waited for again. Cancellation by
// someone else is still seen; async_take and operator() through the shield; empty handles;
// copies; never inline; co_await (C++20).
//
// Timing: real timers only under af::timeout, with a deadline of 50ms; tests assert order and
// outcome, and every run is bounded by a watchdog (run_for(10s)).

// The header under test comes first: it must be self-contained.
#include <boost/asio_future/shield.hpp>

#define BOOST_TEST_MODULE shield
#include <boost/asio_future/async_future.hpp>
#include <boost/asio_future/error.hpp>
#include <boost/asio_future/timeout.hpp>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/system/system_error.hpp>
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <exception>
#include <memory>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>

#if defined(BOOST_ASIO_FUTURE_HAS_CO_AWAIT)
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#endif

namespace af = boost::asio_future;
namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace
{

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

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

bool is_cancelled(const std::exception_ptr& e)
{
    return holds<af::cancelled_error>(e) && !holds<af::timeout_error>(e) &&
           code_of(e) == af::make_error_code(af::error::cancelled);
}

bool is_timeout(const std::exception_ptr& e)
{
    return holds<af::timeout_error>(e) && !holds<af::cancelled_error>(e) &&
           code_of(e) == af::make_error_code(af::error::timeout);
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

// What one wait of signature void(std::exception_ptr, std::unique_ptr<int>) saw.
struct taker
{
    int calls = 0;
    std::exception_ptr error;
    std::unique_ptr<int> value;

    auto handler()
    {
        return [this](std::exception_ptr e, std::unique_ptr<int> v)
        {
            ++calls;
            error = std::move(e);
            value = std::move(v);
        };
    }
};

void bounded_run(asio::io_context& ctx)
{
    ctx.restart();
    ctx.run_for(10s); // watchdog: every test asserts its work completed
}

// Runs ctx until `done()` (another wait is left pending on purpose), at most 10 s.
template <class Pred>
void run_until(asio::io_context& ctx, Pred done)
{
    ctx.restart();
    const auto stop = std::chrono::steady_clock::now() + 10s;
    while (!done() && std::chrono::steady_clock::now() < stop)
        ctx.run_one_for(10ms);
}

const asio::cancellation_type_t all_types[] = {
    asio::cancellation_type::terminal,
    asio::cancellation_type::partial,
    asio::cancellation_type::total};

} // namespace

// =============================================================================================
// 1. The type
// =============================================================================================

// tag::ref_shield_members[]
BOOST_AUTO_TEST_CASE(member_types_follow_the_future)
{
    using sh = af::shielded_future<int>;
    static_assert(std::is_same_v<sh::value_type, int>);
    static_assert(std::is_same_v<sh::executor_type, asio::any_io_executor>);
    static_assert(
        std::is_same_v<sh::completion_signature, af::async_future<int>::completion_signature>);
    static_assert(std::is_same_v<decltype(af::shield(std::declval<af::async_future<int>>())), sh>);
    static_assert(std::is_copy_constructible_v<sh> && std::is_nothrow_move_constructible_v<sh>);
    static_assert(std::is_same_v<
                  af::shielded_future<std::unique_ptr<int>>::completion_signature,
                  void(std::exception_ptr, std::unique_ptr<int>)>);

    asio::io_context ctx;
    auto fut = af::make_future<int>(ctx);
    const auto s = af::shield(fut);
    BOOST_TEST(s.valid());
    BOOST_TEST(!s.done());
    BOOST_TEST(!s.cancelled());
    BOOST_TEST((s.get_executor() == fut.get_executor()));
    fut.set_result(3);
    BOOST_TEST(s.done());
    BOOST_TEST(s.future().result() == 3); // the same shared state
}
// end::ref_shield_members[]

BOOST_AUTO_TEST_CASE(empty_shielded_future_throws_invalid_state)
{
    af::shielded_future<int> s;
    BOOST_TEST(!s.valid());
    BOOST_TEST(!s.future().valid());
    int calls = 0;
    auto h = [&](std::exception_ptr, int) { ++calls; };
    BOOST_CHECK_THROW(s.done(), af::invalid_state_error);
    BOOST_CHECK_THROW(s.cancelled(), af::invalid_state_error);
    BOOST_CHECK_THROW(s.get_executor(), af::invalid_state_error);
    BOOST_CHECK_THROW(s.async_wait(h), af::invalid_state_error);
    BOOST_CHECK_THROW(s.async_take(h), af::invalid_state_error);
    BOOST_TEST(calls == 0);
    // As an operation (co_await af::shield(...) may start it after suspending the coroutine):
    // the handler receives the error, on its executor, never inline.
    asio::io_context ctx;
    std::exception_ptr got;
    s(asio::bind_executor(
        ctx,
        [&](std::exception_ptr e, int)
        {
            ++calls;
            got = e;
        }));
    BOOST_TEST(calls == 0);
    ctx.run();
    BOOST_TEST(calls == 1);
    BOOST_TEST(holds<af::invalid_state_error>(got));

    af::shielded_future<void> v;
    BOOST_TEST(!v.valid());
    BOOST_CHECK_THROW(v.done(), af::invalid_state_error);
    BOOST_CHECK_THROW(v.async_wait([](std::exception_ptr) {}), af::invalid_state_error);

    // A shield of an empty future is empty too.
    const auto e = af::shield(af::async_future<int>());
    BOOST_TEST(!e.valid());
    BOOST_CHECK_THROW(e.async_wait(h), af::invalid_state_error);
}

BOOST_AUTO_TEST_CASE(copies_share_the_future_moves_empty_the_source)
{
    asio::io_context ctx;
    auto fut = af::make_future<int>(ctx);
    af::shielded_future<int> a = af::shield(fut);
    af::shielded_future<int> b = a; // copy
    af::shielded_future<int> c;
    c = b; // copy assignment
    BOOST_TEST(a.valid());
    BOOST_TEST(b.valid());
    BOOST_TEST(c.valid());
    waiter wa, wb, wc;
    a.async_wait(wa.handler());
    b.async_wait(wb.handler());
    c.async_wait(wc.handler());
    asio::post(ctx, [fut]() { fut.set_result(5); });
    bounded_run(ctx);
    for (waiter* w : {&wa, &wb, &wc})
    {
        BOOST_TEST(w->calls == 1);
        BOOST_TEST(!w->error);
        BOOST_TEST(w->value == 5);
    }
    BOOST_TEST(c.done());

    af::shielded_future<int> d = std::move(c);
    BOOST_TEST(d.valid());
    BOOST_TEST(!c.valid()); // NOLINT(bugprone-use-after-move): moved-from is empty
    BOOST_TEST(d.future().result() == 5);
}

// =============================================================================================
// 2. Cancellation of a shielded wait only detaches it
// =============================================================================================

// tag::ref_shield[]
BOOST_AUTO_TEST_CASE(each_cancellation_type_only_detaches_the_wait)
{
    for (auto type : all_types)
    {
        asio::io_context ctx;
        auto fut = af::make_future<int>(ctx);
        asio::cancellation_signal sig;
        waiter shielded, plain;
        fut.async_wait(plain.handler());
        af::shield(fut).async_wait(asio::bind_cancellation_slot(sig.slot(), shielded.handler()));
        asio::post(ctx, [&sig, type] { sig.emit(type); });
        run_until(ctx, [&] { return shielded.calls == 1; });
        BOOST_TEST(shielded.calls == 1);
        BOOST_TEST(is_cancelled(shielded.error));
        BOOST_TEST(!fut.done()); // not cancelled: it goes on
        BOOST_TEST(!fut.cancelled());
        BOOST_TEST(plain.calls == 0);

        // The future can still be resolved and waited for: the other waiter, and a new
        // shielded wait, get the value.
        waiter again;
        af::shield(fut).async_wait(again.handler());
        asio::post(ctx, [fut]() { fut.set_result(7); });
        bounded_run(ctx);
        BOOST_TEST(plain.calls == 1);
        BOOST_TEST(!plain.error);
        BOOST_TEST(plain.value == 7);
        BOOST_TEST(again.calls == 1);
        BOOST_TEST(!again.error);
        BOOST_TEST(again.value == 7);
        BOOST_TEST(shielded.calls == 1);
        sig.emit(asio::cancellation_type::terminal); // after completion: harmless
        BOOST_TEST(fut.result() == 7);
    }
}
// end::ref_shield[]

BOOST_AUTO_TEST_CASE(handler_not_called_inside_emit)
{
    for (auto type : all_types)
    {
        asio::io_context ctx;
        auto fut = af::make_future<int>(ctx);
        asio::cancellation_signal sig;
        waiter w;
        af::shield(fut).async_wait(asio::bind_cancellation_slot(sig.slot(), w.handler()));
        int during_emit = -1;
        asio::post(
            ctx,
            [&, type]
            {
                sig.emit(type);
                during_emit = w.calls;
            });
        bounded_run(ctx);
        BOOST_TEST(during_emit == 0); // never inline inside emit()
        BOOST_TEST(w.calls == 1);
        BOOST_TEST(is_cancelled(w.error));
        BOOST_TEST(!fut.done());
    }
}

BOOST_AUTO_TEST_CASE(result_before_the_cancellation_is_delivered)
{
    // Resolved, then cancelled in the same handler: the result is never lost.
    asio::io_context ctx;
    auto fut = af::make_future<int>(ctx);
    asio::cancellation_signal sig;
    waiter w;
    af::shield(fut).async_wait(asio::bind_cancellation_slot(sig.slot(), w.handler()));
    asio::post(
        ctx,
        [&]
        {
            fut.set_result(4);
            sig.emit(asio::cancellation_type::terminal);
        });
    bounded_run(ctx);
    BOOST_TEST(w.calls == 1);
    BOOST_TEST(!w.error);
    BOOST_TEST(w.value == 4);
    BOOST_TEST(fut.result() == 4);
}

BOOST_AUTO_TEST_CASE(pending_shielded_wait_is_outstanding_work)
{
    asio::io_context ctx;
    auto fut = af::make_future<int>(ctx);
    waiter w;
    af::shield(fut).async_wait(w.handler());
    ctx.poll();
    BOOST_TEST(!ctx.stopped()); // run() would wait for it
    BOOST_TEST(w.calls == 0);
    fut.set_result(1);
    bounded_run(ctx);
    BOOST_TEST(w.calls == 1);
    BOOST_TEST(w.value == 1);
}

BOOST_AUTO_TEST_CASE(done_future_is_delivered_not_inline)
{
    asio::io_context ctx;
    auto fut = af::make_future<int>(ctx);
    fut.set_result(8);
    waiter w;
    af::shield(fut).async_wait(w.handler());
    BOOST_TEST(w.calls == 0);
    bounded_run(ctx);
    BOOST_TEST(w.calls == 1);
    BOOST_TEST(w.value == 8);
}

BOOST_AUTO_TEST_CASE(void_future)
{
    asio::io_context ctx;
    auto fut = af::make_future<void>(ctx);
    asio::cancellation_signal sig;
    int calls = 0;
    std::exception_ptr first;
    af::shield(fut).async_wait(asio::bind_cancellation_slot(
        sig.slot(),
        [&](std::exception_ptr e)
        {
            ++calls;
            first = std::move(e);
        }));
    asio::post(ctx, [&] { sig.emit(asio::cancellation_type::terminal); });
    bounded_run(ctx);
    BOOST_TEST(calls == 1);
    BOOST_TEST(is_cancelled(first));
    BOOST_TEST(!fut.done());
    std::exception_ptr second = std::make_exception_ptr(std::runtime_error("unset"));
    af::shield(fut).async_wait([&](std::exception_ptr e) { second = std::move(e); });
    fut.set_result();
    bounded_run(ctx);
    BOOST_TEST(!second);
}

BOOST_AUTO_TEST_CASE(handler_executor_is_kept)
{
    asio::io_context ctx;
    auto strand = asio::make_strand(ctx);
    auto fut = af::make_future<int>(ctx);
    asio::cancellation_signal sig;
    bool cancelled_on_strand = false, value_on_strand = false;
    af::shield(fut).async_wait(asio::bind_cancellation_slot(
        sig.slot(),
        asio::bind_executor(
            strand,
            [&](std::exception_ptr e, int)
            { cancelled_on_strand = e && strand.running_in_this_thread(); })));
    asio::post(ctx, [&] { sig.emit(asio::cancellation_type::total); });
    bounded_run(ctx);
    af::shield(fut).async_wait(asio::bind_executor(
        strand,
        [&](std::exception_ptr e, int v)
        { value_on_strand = !e && v == 2 && strand.running_in_this_thread(); }));
    asio::post(ctx, [fut]() { fut.set_result(2); });
    bounded_run(ctx);
    BOOST_TEST(cancelled_on_strand);
    BOOST_TEST(value_on_strand);
}

// =============================================================================================
// 3. Someone else's cancellation is seen through the shield
// =============================================================================================

BOOST_AUTO_TEST_CASE(future_cancelled_by_someone_else_is_seen_as_cancelled)
{
    asio::io_context ctx;
    auto fut = af::make_future<int>(ctx);
    const auto s = af::shield(fut);
    waiter pending, later;
    s.async_wait(pending.handler());
    asio::post(ctx, [fut]() { fut.cancel("shutting down"); });
    bounded_run(ctx);
    BOOST_TEST(pending.calls == 1);
    BOOST_TEST(is_cancelled(pending.error));
    BOOST_TEST(cancel_message_of(pending.error) == "shutting down");
    BOOST_TEST(s.done());
    BOOST_TEST(s.cancelled());
    s.async_wait(later.handler()); // on the done future
    bounded_run(ctx);
    BOOST_TEST(later.calls == 1);
    BOOST_TEST(is_cancelled(later.error));
    BOOST_TEST(cancel_message_of(later.error) == "shutting down");
}

BOOST_AUTO_TEST_CASE(exception_is_seen_through_the_shield)
{
    asio::io_context ctx;
    auto fut = af::make_future<int>(ctx);
    waiter w;
    af::shield(fut).async_wait(w.handler());
    asio::post(ctx, [fut]() { fut.set_exception(std::runtime_error("boom")); });
    bounded_run(ctx);
    BOOST_TEST(w.calls == 1);
    BOOST_TEST(holds<std::runtime_error>(w.error));
    BOOST_TEST(what_of(w.error) == "boom");
}

// =============================================================================================
// 4. Under af::timeout (asyncio.wait_for(asyncio.shield(fut)))
// =============================================================================================

BOOST_AUTO_TEST_CASE(deadline_gives_timeout_error_and_the_future_survives)
{
    for (auto type : all_types)
    {
        asio::io_context ctx;
        auto fut = af::make_future<int>(ctx);
        waiter timed, plain;
        fut.async_wait(plain.handler());
        af::shield(fut).async_wait(af::timeout(50ms, timed.handler(), type));
        run_until(ctx, [&] { return timed.calls == 1; });
        BOOST_TEST(timed.calls == 1);
        BOOST_TEST(is_timeout(timed.error));
        BOOST_TEST(!fut.done()); // the future survives the deadline
        BOOST_TEST(plain.calls == 0);

        waiter again;
        af::shield(fut).async_wait(again.handler());
        asio::post(ctx, [fut]() { fut.set_result(12); });
        bounded_run(ctx);
        BOOST_TEST(plain.calls == 1);
        BOOST_TEST(plain.value == 12);
        BOOST_TEST(again.calls == 1);
        BOOST_TEST(!again.error);
        BOOST_TEST(again.value == 12);
    }
}

BOOST_AUTO_TEST_CASE(result_first_under_timeout)
{
    asio::io_context ctx;
    auto fut = af::make_future<int>(ctx);
    waiter w;
    af::shield(fut).async_wait(af::timeout(5s, w.handler()));
    asio::post(ctx, [fut]() { fut.set_result(13); });
    const auto start = std::chrono::steady_clock::now();
    bounded_run(ctx);
    BOOST_TEST((std::chrono::steady_clock::now() - start < 4s)); // did not linger
    BOOST_TEST(w.calls == 1);
    BOOST_TEST(!w.error);
    BOOST_TEST(w.value == 13);
}

BOOST_AUTO_TEST_CASE(someone_elses_cancellation_under_timeout_is_not_a_timeout)
{
    asio::io_context ctx;
    auto fut = af::make_future<int>(ctx);
    waiter w;
    af::shield(fut).async_wait(af::timeout(5s, w.handler()));
    asio::post(ctx, [fut]() { fut.cancel("other"); });
    bounded_run(ctx);
    BOOST_TEST(w.calls == 1);
    BOOST_TEST(is_cancelled(w.error));
    BOOST_TEST(cancel_message_of(w.error) == "other");
}

BOOST_AUTO_TEST_CASE(take_under_timeout_leaves_the_value)
{
    asio::io_context ctx;
    auto fut = af::make_future<std::unique_ptr<int>>(ctx);
    taker timed, later;
    af::shield(fut).async_take(af::timeout(50ms, timed.handler()));
    bounded_run(ctx);
    BOOST_TEST(timed.calls == 1);
    BOOST_TEST(is_timeout(timed.error));
    BOOST_TEST((timed.value == nullptr));
    BOOST_TEST(!fut.done());
    fut.set_result(std::make_unique<int>(21));
    af::shield(fut).async_take(later.handler());
    bounded_run(ctx);
    BOOST_TEST(later.calls == 1);
    BOOST_TEST(!later.error);
    BOOST_TEST_REQUIRE((later.value != nullptr));
    BOOST_TEST(*later.value == 21);
}

// =============================================================================================
// 5. async_take and operator() through the shield (move-only values)
// =============================================================================================

BOOST_AUTO_TEST_CASE(async_take_moves_the_value_once)
{
    asio::io_context ctx;
    auto fut = af::make_future<std::unique_ptr<int>>(ctx);
    const auto s = af::shield(fut);
    taker first, second;
    s.async_take(first.handler());
    asio::post(ctx, [fut]() { fut.set_result(std::make_unique<int>(5)); });
    bounded_run(ctx);
    BOOST_TEST(first.calls == 1);
    BOOST_TEST(!first.error);
    BOOST_TEST_REQUIRE((first.value != nullptr));
    BOOST_TEST(*first.value == 5);

    s.async_take(second.handler());
    bounded_run(ctx);
    BOOST_TEST(second.calls == 1);
    BOOST_TEST(holds<af::invalid_state_error>(second.error));
    BOOST_TEST(what_of(second.error).find("result already taken") != std::string::npos);
    BOOST_CHECK_THROW(fut.result(), af::invalid_state_error);
}

BOOST_AUTO_TEST_CASE(cancelled_take_leaves_the_value)
{
    for (auto type : all_types)
    {
        asio::io_context ctx;
        auto fut = af::make_future<std::unique_ptr<int>>(ctx);
        asio::cancellation_signal sig;
        taker cancelled, later;
        af::shield(fut).async_take(asio::bind_cancellation_slot(sig.slot(), cancelled.handler()));
        asio::post(ctx, [&sig, type] { sig.emit(type); });
        bounded_run(ctx);
        BOOST_TEST(cancelled.calls == 1);
        BOOST_TEST(is_cancelled(cancelled.error));
        BOOST_TEST(!fut.done());
        fut.set_result(std::make_unique<int>(6));
        af::shield(fut)(later.handler()); // operator(): takes a move-only value
        bounded_run(ctx);
        BOOST_TEST(later.calls == 1);
        BOOST_TEST_REQUIRE((later.value != nullptr));
        BOOST_TEST(*later.value == 6);
    }
}

BOOST_AUTO_TEST_CASE(operator_call_copies_a_copyable_value)
{
    asio::io_context ctx;
    auto fut = af::make_future<int>(ctx);
    const auto s = af::shield(fut);
    waiter a, b;
    s(a.handler());
    s(b.handler());
    fut.set_result(3);
    bounded_run(ctx);
    BOOST_TEST(a.value == 3);
    BOOST_TEST(b.value == 3);
    BOOST_TEST(fut.result() == 3); // copied, not taken
}

// =============================================================================================
// 6. Context shutdown
// =============================================================================================

BOOST_AUTO_TEST_CASE(context_destroyed_with_a_pending_shielded_wait)
{
    int calls = 0;
    af::async_future<int> fut;
    {
        asio::io_context ctx;
        fut = af::make_future<int>(ctx);
        af::shield(fut).async_wait([&](std::exception_ptr, int) { ++calls; });
        af::shield(fut).async_wait(af::timeout(5s, [&](std::exception_ptr, int) { ++calls; }));
        ctx.poll();
    } // no leak (ASan), no crash; handlers destroyed uninvoked
    BOOST_TEST(calls == 0);
    BOOST_TEST(fut.cancelled());
}

// =============================================================================================
// 7. Coroutines
// =============================================================================================

#if defined(BOOST_ASIO_FUTURE_HAS_CO_AWAIT)

BOOST_AUTO_TEST_CASE(co_await_shield_value)
{
    asio::io_context ctx;
    auto fut = af::make_future<int>(ctx);
    auto owned = af::make_future<std::unique_ptr<int>>(ctx);
    int value = -1;
    int taken = -1;
    asio::co_spawn(
        ctx,
        [&]() -> asio::awaitable<void>
        {
            asio::post(
                ctx,
                [&]
                {
                    fut.set_result(42);
                    owned.set_result(std::make_unique<int>(43));
                });
            value = co_await af::shield(fut);
            std::unique_ptr<int> p = co_await af::shield(owned);
            taken = p ? *p : -2;
        },
        asio::detached);
    bounded_run(ctx);
    BOOST_TEST(value == 42);
    BOOST_TEST(taken == 43);
    BOOST_TEST(fut.result() == 42);
}

BOOST_AUTO_TEST_CASE(co_spawn_cancellation_only_detaches)
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
                co_await af::shield(fut);
                outcome = 1;
            }
            catch (const af::cancelled_error&)
            {
                outcome = 2;
            }
            catch (...)
            {
                outcome = 3;
            }
        },
        asio::bind_cancellation_slot(sig.slot(), asio::detached));
    bounded_run(ctx);
    BOOST_TEST(outcome == 2);
    BOOST_TEST(!fut.done()); // the shielded future goes on
    BOOST_TEST(fut.try_set_result(1));
}

BOOST_AUTO_TEST_CASE(wait_for_shield_in_a_coroutine)
{
    asio::io_context ctx;
    auto fut = af::make_future<int>(ctx);
    int outcome = 0;
    int value = -1;
    asio::co_spawn(
        ctx,
        [&]() -> asio::awaitable<void>
        {
            try
            {
                co_await af::shield(fut).async_wait(af::timeout(50ms, asio::use_awaitable));
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
            // The future survived: resolve it and wait again.
            asio::post(ctx, [&] { fut.set_result(9); });
            value = co_await af::shield(fut);
        },
        asio::detached);
    bounded_run(ctx);
    BOOST_TEST(outcome == 2);
    BOOST_TEST(value == 9);
}

#endif // BOOST_ASIO_FUTURE_HAS_CO_AWAIT
