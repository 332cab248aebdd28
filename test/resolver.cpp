//
// Copyright (c) 2026 The asio_future Authors.
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// resolver<T>: the producer's handle, first resolution wins, broken promises. Test that the
// header is self-contained.
#include <boost/asio_future/async_future.hpp>
#include <boost/asio_future/resolver.hpp>

#define BOOST_TEST_MODULE resolver
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/test/unit_test.hpp>

#if defined(BOOST_ASIO_FUTURE_HAS_CO_AWAIT)
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#endif

#include <exception>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

namespace af = boost::asio_future;
namespace asio = boost::asio;

namespace
{

struct my_error : std::runtime_error
{
    explicit my_error(const std::string& what) : std::runtime_error(what) {}
};

// Records every completion of an `async_future<int>` wait.
struct record
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

// Rethrows `e` and reports whether it holds an exception of type E.
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

bool is_broken_promise(const std::exception_ptr& e)
{
    if (!e)
        return false;
    try
    {
        std::rethrow_exception(e);
    }
    catch (const af::broken_promise_error& err)
    {
        return err.code() == af::error::broken_promise &&
               err.code() == af::make_error_code(af::error::broken_promise);
    }
    catch (...)
    {
        return false;
    }
}

bool is_invalid_state(const af::invalid_state_error& e)
{
    return e.code() == af::error::invalid_state;
}

// The cancellation message of a cancelled future (result() throws cancelled_error).
std::string cancel_message_of(const af::async_future<int>& f)
{
    try
    {
        f.result();
        return "<not cancelled>";
    }
    catch (const af::cancelled_error& err)
    {
        return err.cancel_message();
    }
    catch (...)
    {
        return "<not a cancelled_error>";
    }
}

// A "library" with a callback API that calls back twice (a classic bug).
void buggy_library_calls_back_twice(const std::function<bool(int)>& callback, std::vector<bool>& ok)
{
    ok.push_back(callback(1));
    ok.push_back(callback(2));
}

// A "library" that drops its callback without ever calling it.
void buggy_library_drops_the_callback(std::function<bool(int)> callback)
{
    callback = nullptr;
}

} // namespace

static_assert(std::is_same_v<af::async_future<int>::resolver_type, af::resolver<int>>);
static_assert(std::is_copy_constructible_v<af::resolver<int>>);
static_assert(std::is_nothrow_move_constructible_v<af::resolver<int>>);
static_assert(std::is_same_v<af::resolver<int>::value_type, int>);
static_assert(std::is_same_v<af::resolver<int>::executor_type, asio::any_io_executor>);
static_assert(std::is_same_v<decltype(std::declval<af::resolver<int>&>().set_result(1)), bool>);
static_assert(std::is_same_v<decltype(std::declval<af::resolver<int>&>().cancel()), bool>);
static_assert(std::is_same_v<
              decltype(std::declval<af::resolver<int>&>().set_exception(std::exception_ptr())),
              bool>);

// ---------------------------------------------------------------------------------------------
// Resolving members: the first wins
// ---------------------------------------------------------------------------------------------

// tag::ref_resolver[]
// The resolver is shallow-const: a callback that captures it by value needs no `mutable`, and
// a const resolver resolves.
BOOST_AUTO_TEST_CASE(const_resolver_resolves)
{
    asio::io_context ctx;
    auto fut = af::make_future<std::string>(ctx);
    const af::resolver<std::string> r = fut.get_resolver();
    const auto on_value = [r](const std::string& v) { return r.set_result(v); };
    const auto on_error = [r](std::exception_ptr e) { return r.set_exception(e); };
    BOOST_TEST(on_value("first"));
    BOOST_TEST(!on_value("second"));
    BOOST_TEST(!on_error(std::make_exception_ptr(std::runtime_error("late"))));
    BOOST_TEST(!r.set_exception(std::runtime_error("late")));
    BOOST_TEST(!r.cancel());
    BOOST_TEST(fut.result() == "first");

    auto other = af::make_future<void>(ctx);
    std::thread t([r = other.get_resolver()] { r.cancel("from a thread"); });
    t.join();
    BOOST_TEST(other.cancelled());
}

BOOST_AUTO_TEST_CASE(set_result_returns_true_first_then_false)
{
    asio::io_context ctx;
    auto fut = af::make_future<int>(ctx);
    auto r = fut.get_resolver();
    BOOST_TEST(r.valid());
    BOOST_TEST(!r.done());
    BOOST_TEST(r.set_result(1));
    BOOST_TEST(r.done());
    BOOST_TEST(fut.done());
    BOOST_TEST(!r.set_result(2));
    BOOST_TEST(!r.set_exception(my_error("late")));
    BOOST_TEST(!r.set_exception(std::make_exception_ptr(my_error("late"))));
    BOOST_TEST(!r.cancel("late"));
    BOOST_TEST(!fut.cancelled());
    BOOST_TEST(fut.result() == 1);
}
// end::ref_resolver[]

BOOST_AUTO_TEST_CASE(set_exception_returns_true_first_then_false)
{
    asio::io_context ctx;
    auto fut = af::make_future<int>(ctx);
    auto r = fut.get_resolver();
    BOOST_TEST(r.set_exception(my_error("first")));
    BOOST_TEST(!r.set_exception(my_error("second")));
    BOOST_TEST(!r.set_exception(std::make_exception_ptr(my_error("third"))));
    BOOST_TEST(!r.set_result(3));
    BOOST_TEST(!r.cancel());
    BOOST_TEST(fut.done());
    BOOST_TEST(!fut.cancelled());
    try
    {
        fut.result();
        BOOST_TEST(false, "result() should have thrown");
    }
    catch (const my_error& e)
    {
        BOOST_TEST(std::string(e.what()) == "first");
    }
}

BOOST_AUTO_TEST_CASE(set_exception_with_exception_ptr)
{
    asio::io_context ctx;
    auto fut = af::make_future<int>(ctx);
    auto r = fut.get_resolver();
    BOOST_TEST(r.set_exception(std::make_exception_ptr(my_error("ptr"))));
    BOOST_TEST(holds<my_error>(fut.exception()));
    BOOST_CHECK_THROW(fut.result(), my_error);
}

BOOST_AUTO_TEST_CASE(set_exception_null_pointer_is_rejected)
{
    asio::io_context ctx;
    auto fut = af::make_future<int>(ctx);
    auto r = fut.get_resolver();
    BOOST_CHECK_THROW(r.set_exception(std::exception_ptr()), std::invalid_argument);
    BOOST_TEST(!fut.done());
    BOOST_TEST(r.set_result(4));
    BOOST_TEST(fut.result() == 4);
}

BOOST_AUTO_TEST_CASE(cancel_returns_true_first_then_false_and_keeps_first_message)
{
    asio::io_context ctx;
    auto fut = af::make_future<int>(ctx);
    auto r = fut.get_resolver();
    BOOST_TEST(r.cancel("first"));
    BOOST_TEST(!r.cancel("second"));
    BOOST_TEST(!r.set_result(5));
    BOOST_TEST(!r.set_exception(my_error("late")));
    BOOST_TEST(fut.cancelled());
    try
    {
        fut.result();
        BOOST_TEST(false, "result() should have thrown");
    }
    catch (const af::cancelled_error& e)
    {
        BOOST_TEST(e.cancel_message() == "first");
        BOOST_TEST((e.code() == af::error::cancelled));
    }
}

BOOST_AUTO_TEST_CASE(resolver_loses_to_the_future_itself)
{
    asio::io_context ctx;
    auto fut = af::make_future<int>(ctx);
    auto r = fut.get_resolver();
    fut.set_result(6);
    BOOST_TEST(r.done());
    BOOST_TEST(!r.set_result(7));
    BOOST_TEST(!r.cancel());
    BOOST_TEST(fut.result() == 6);
}

BOOST_AUTO_TEST_CASE(set_result_constructs_from_several_arguments)
{
    asio::io_context ctx;
    auto fut = af::make_future<std::string>(ctx);
    auto r = fut.get_resolver();
    BOOST_TEST(r.set_result(std::size_t(3), 'x'));
    BOOST_TEST(!r.set_result("other"));
    BOOST_TEST(fut.result() == "xxx");
}

BOOST_AUTO_TEST_CASE(void_resolver)
{
    asio::io_context ctx;
    auto fut = af::make_future<void>(ctx);
    auto r = fut.get_resolver();
    int calls = 0;
    std::exception_ptr err = std::make_exception_ptr(my_error("not called"));
    fut.async_wait(
        [&](std::exception_ptr e)
        {
            ++calls;
            err = e;
        });
    BOOST_TEST(r.set_result());
    BOOST_TEST(!r.set_result());
    BOOST_TEST(!r.cancel());
    BOOST_TEST(calls == 0); // never inside set_result
    ctx.run();
    BOOST_TEST(calls == 1);
    BOOST_TEST(!err);
}

BOOST_AUTO_TEST_CASE(move_only_resolver)
{
    asio::io_context ctx;
    auto fut = af::make_future<std::unique_ptr<int>>(ctx);
    auto r = fut.get_resolver();
    BOOST_TEST(r.set_result(std::make_unique<int>(8)));
    BOOST_TEST(!r.set_result(std::make_unique<int>(9)));
    std::unique_ptr<int> got;
    fut.async_take([&](std::exception_ptr, std::unique_ptr<int> p) { got = std::move(p); });
    ctx.run();
    BOOST_TEST_REQUIRE(static_cast<bool>(got));
    BOOST_TEST(*got == 8);
}

BOOST_AUTO_TEST_CASE(resolution_through_resolver_reaches_waiters_after_run)
{
    asio::io_context ctx;
    auto fut = af::make_future<int>(ctx);
    auto r = fut.get_resolver();
    record a, b;
    fut.async_wait(a.handler());
    fut.async_wait(b.handler());
    BOOST_TEST(r.set_result(10));
    BOOST_TEST(a.calls == 0); // never inline inside set_result
    BOOST_TEST(b.calls == 0);
    ctx.run();
    BOOST_TEST(a.calls == 1);
    BOOST_TEST(!a.error);
    BOOST_TEST(a.value == 10);
    BOOST_TEST(b.calls == 1);
    BOOST_TEST(b.value == 10);
}

BOOST_AUTO_TEST_CASE(get_executor_is_the_futures_executor)
{
    asio::io_context ctx;
    auto fut = af::make_future<int>(ctx);
    auto r = fut.get_resolver();
    BOOST_TEST((r.get_executor() == fut.get_executor()));
    BOOST_TEST((r.get_executor() == asio::any_io_executor(ctx.get_executor())));
    BOOST_TEST(r.set_result(0)); // no broken promise ("never retrieved") when the handles go
}

// ---------------------------------------------------------------------------------------------
// Copies, moves, empty resolvers, get_future
// ---------------------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(copies_share_the_state)
{
    asio::io_context ctx;
    auto fut = af::make_future<int>(ctx);
    auto r1 = fut.get_resolver();
    af::resolver<int> r2 = r1;
    af::resolver<int> r3;
    r3 = r2;
    BOOST_TEST(r3.valid());
    BOOST_TEST(!r2.done());
    BOOST_TEST(r2.set_result(11));
    BOOST_TEST(r1.done());
    BOOST_TEST(r3.done());
    BOOST_TEST(!r1.set_result(12));
    BOOST_TEST(!r3.cancel());
    BOOST_TEST(fut.result() == 11);
    BOOST_TEST(r1.get_future().result() == 11);
}

BOOST_AUTO_TEST_CASE(two_get_resolver_calls_share_the_state)
{
    asio::io_context ctx;
    auto fut = af::make_future<int>(ctx);
    auto r1 = fut.get_resolver();
    auto r2 = fut.get_resolver();
    BOOST_TEST(r1.cancel("via r1"));
    BOOST_TEST(r2.done());
    BOOST_TEST(!r2.set_result(1));
    BOOST_TEST(fut.cancelled());
}

BOOST_AUTO_TEST_CASE(empty_resolver_members_throw_invalid_state)
{
    af::resolver<int> r;
    BOOST_TEST(!r.valid());
    BOOST_CHECK_EXCEPTION(r.done(), af::invalid_state_error, is_invalid_state);
    BOOST_CHECK_EXCEPTION(r.set_result(1), af::invalid_state_error, is_invalid_state);
    BOOST_CHECK_EXCEPTION(
        r.set_exception(std::make_exception_ptr(my_error("x"))),
        af::invalid_state_error,
        is_invalid_state);
    BOOST_CHECK_EXCEPTION(
        r.set_exception(my_error("x")),
        af::invalid_state_error,
        is_invalid_state);
    BOOST_CHECK_EXCEPTION(r.cancel(), af::invalid_state_error, is_invalid_state);
    BOOST_CHECK_EXCEPTION(r.get_executor(), af::invalid_state_error, is_invalid_state);
    BOOST_CHECK_EXCEPTION(r.get_future(), af::invalid_state_error, is_invalid_state);

    af::resolver<void> v;
    BOOST_TEST(!v.valid());
    BOOST_CHECK_EXCEPTION(v.set_result(), af::invalid_state_error, is_invalid_state);
}

BOOST_AUTO_TEST_CASE(moved_from_resolver_is_empty_and_does_not_break_the_promise)
{
    asio::io_context ctx;
    auto fut = af::make_future<int>(ctx);
    auto r1 = fut.get_resolver();
    af::resolver<int> r2 = std::move(r1);
    BOOST_TEST(!r1.valid()); // NOLINT(bugprone-use-after-move): the documented moved-from state
    BOOST_CHECK_EXCEPTION(r1.set_result(1), af::invalid_state_error, is_invalid_state);
    r1 = af::resolver<int>(); // destroying / resetting an empty resolver breaks nothing
    BOOST_TEST(!fut.done());
    af::resolver<int> r3;
    r3 = std::move(r2);
    BOOST_TEST(!fut.done());
    BOOST_TEST(r3.set_result(13));
    BOOST_TEST(fut.result() == 13);
}

// tag::ref_get_future[]
BOOST_AUTO_TEST_CASE(get_future_shares_the_state)
{
    asio::io_context ctx;
    auto fut = af::make_future<int>(ctx);
    auto r = fut.get_resolver();
    auto f2 = r.get_future();
    BOOST_TEST(f2.valid());
    BOOST_TEST(!f2.done());
    BOOST_TEST((f2.get_executor() == fut.get_executor()));
    BOOST_TEST(f2.try_set_result(14));
    BOOST_TEST(r.done());
    BOOST_TEST(fut.result() == 14);
    BOOST_TEST(!r.set_result(15));
}
// end::ref_get_future[]

BOOST_AUTO_TEST_CASE(get_future_after_every_future_handle_dropped)
{
    asio::io_context ctx;
    af::resolver<int> r;
    {
        auto fut = af::make_future<int>(ctx);
        r = fut.get_resolver();
    }
    auto f = r.get_future();
    BOOST_TEST(!f.done());
    record rec;
    f.async_wait(rec.handler());
    BOOST_TEST(r.set_result(16));
    ctx.run();
    BOOST_TEST(rec.calls == 1);
    BOOST_TEST(!rec.error);
    BOOST_TEST(rec.value == 16);
}

// ---------------------------------------------------------------------------------------------
// Broken promises
// ---------------------------------------------------------------------------------------------

// tag::ref_broken_promise[]
BOOST_AUTO_TEST_CASE(last_resolver_destroyed_while_pending_breaks_the_promise)
{
    asio::io_context ctx;
    auto fut = af::make_future<int>(ctx);
    record rec;
    fut.async_wait(rec.handler());
    {
        auto r = fut.get_resolver();
        BOOST_TEST(!fut.done());
    }
    BOOST_TEST(fut.done());
    BOOST_TEST(!fut.cancelled());
    BOOST_TEST(rec.calls == 0); // delivered through the executor, not inside the destructor
    ctx.run();
    BOOST_TEST(rec.calls == 1);
    BOOST_TEST(is_broken_promise(rec.error));
    BOOST_TEST(is_broken_promise(fut.exception()));
    try
    {
        fut.result();
        BOOST_TEST(false, "result() should have thrown");
    }
    catch (const af::broken_promise_error& e)
    {
        BOOST_TEST((e.code() == af::error::broken_promise));
        BOOST_TEST(std::string(e.code().category().name()) == "asio_future");
    }
    BOOST_TEST(!fut.try_set_result(1));
}
// end::ref_broken_promise[]

BOOST_AUTO_TEST_CASE(broken_promise_runs_done_callbacks)
{
    asio::io_context ctx;
    auto fut = af::make_future<int>(ctx);
    int calls = 0;
    bool broken = false;
    fut.add_done_callback(
        [&](const af::async_future<int>& f)
        {
            ++calls;
            broken = is_broken_promise(f.exception());
        });
    fut.get_resolver(); // a temporary resolver, destroyed at once
    BOOST_TEST(fut.done());
    BOOST_TEST(calls == 0);
    ctx.run();
    BOOST_TEST(calls == 1);
    BOOST_TEST(broken);
}

BOOST_AUTO_TEST_CASE(broken_promise_for_void)
{
    asio::io_context ctx;
    auto fut = af::make_future<void>(ctx);
    int calls = 0;
    std::exception_ptr err;
    fut.async_wait(
        [&](std::exception_ptr e)
        {
            ++calls;
            err = e;
        });
    {
        af::resolver<void> r = fut.get_resolver();
    }
    ctx.run();
    BOOST_TEST(calls == 1);
    BOOST_TEST(is_broken_promise(err));
}

BOOST_AUTO_TEST_CASE(resolver_held_only_by_a_dropped_callback_breaks_the_promise)
{
    asio::io_context ctx;
    af::async_future<int> fut = af::make_future<int>(ctx);
    record rec;
    fut.async_wait(rec.handler());
    buggy_library_drops_the_callback([r = fut.get_resolver()](int v) { return r.set_result(v); });
    BOOST_TEST(fut.done());
    ctx.run(); // returns: the wait completed with broken_promise_error instead of hanging
    BOOST_TEST(rec.calls == 1);
    BOOST_TEST(is_broken_promise(rec.error));
}

BOOST_AUTO_TEST_CASE(last_resolver_dropped_after_every_future_handle_breaks_the_promise)
{
    asio::io_context ctx;
    record rec;
    af::resolver<int> r;
    {
        auto fut = af::make_future<int>(ctx);
        r = fut.get_resolver();
        fut.async_wait(rec.handler());
    }
    ctx.poll();
    BOOST_TEST(rec.calls == 0); // the resolver can still resolve
    r = af::resolver<int>();
    ctx.run();
    BOOST_TEST(rec.calls == 1);
    BOOST_TEST(is_broken_promise(rec.error));
}

BOOST_AUTO_TEST_CASE(future_whose_resolver_was_never_taken_stays_pending)
{
    asio::io_context ctx;
    auto fut = af::make_future<int>(ctx);
    record rec;
    fut.async_wait(rec.handler());
    {
        af::async_future<int> copy1 = fut;
        af::async_future<int> copy2 = copy1;
        BOOST_TEST(!copy2.done());
    } // copies dropped; `fut` still holds the state, no resolver was ever taken
    ctx.poll();
    BOOST_TEST(!fut.done());
    BOOST_TEST(rec.calls == 0);
    BOOST_TEST(fut.try_set_result(17));
    ctx.run();
    BOOST_TEST(rec.calls == 1);
    BOOST_TEST(!rec.error);
    BOOST_TEST(rec.value == 17);
}

BOOST_AUTO_TEST_CASE(future_without_resolver_and_without_waiters_stays_pending)
{
    asio::io_context ctx;
    auto fut = af::make_future<int>(ctx);
    ctx.run();
    BOOST_TEST(!fut.done());
    BOOST_CHECK_THROW(fut.result(), af::invalid_state_error);
}

BOOST_AUTO_TEST_CASE(destroying_one_of_two_resolver_copies_does_not_break)
{
    asio::io_context ctx;
    auto fut = af::make_future<int>(ctx);
    record rec;
    fut.async_wait(rec.handler());
    auto r2 = fut.get_resolver();
    {
        af::resolver<int> r1 = r2;
    }
    BOOST_TEST(!fut.done());
    ctx.poll();
    BOOST_TEST(rec.calls == 0);
    BOOST_TEST(r2.set_result(18));
    ctx.run();
    BOOST_TEST(rec.calls == 1);
    BOOST_TEST(!rec.error);
    BOOST_TEST(rec.value == 18);
}

BOOST_AUTO_TEST_CASE(destroying_one_of_two_separately_taken_resolvers_does_not_break)
{
    asio::io_context ctx;
    auto fut = af::make_future<int>(ctx);
    auto r2 = fut.get_resolver();
    {
        auto r1 = fut.get_resolver();
    }
    BOOST_TEST(!fut.done());
    BOOST_TEST(r2.set_result(19));
    BOOST_TEST(fut.result() == 19);
}

BOOST_AUTO_TEST_CASE(resolver_destroyed_after_resolution_does_nothing)
{
    asio::io_context ctx;
    {
        auto fut = af::make_future<int>(ctx);
        record rec;
        fut.async_wait(rec.handler());
        {
            auto r = fut.get_resolver();
            BOOST_TEST(r.set_result(20));
        }
        ctx.run();
        BOOST_TEST(rec.calls == 1);
        BOOST_TEST(!rec.error);
        BOOST_TEST(rec.value == 20);
        BOOST_TEST(fut.result() == 20);
    }
    {
        auto fut = af::make_future<int>(ctx);
        {
            auto r = fut.get_resolver();
            BOOST_TEST(r.cancel("bye"));
        }
        BOOST_TEST(fut.cancelled());
        BOOST_TEST(cancel_message_of(fut) == "bye");
    }
}

BOOST_AUTO_TEST_CASE(resolver_destroyed_after_the_future_resolved_itself_does_nothing)
{
    asio::io_context ctx;
    auto fut = af::make_future<int>(ctx);
    {
        auto r = fut.get_resolver();
        fut.set_exception(my_error("own"));
    }
    BOOST_CHECK_THROW(fut.result(), my_error);
    BOOST_TEST(!is_broken_promise(std::make_exception_ptr(my_error("own"))));
    BOOST_TEST(holds<my_error>(fut.exception()));
}

// ---------------------------------------------------------------------------------------------
// A resolver outliving its execution context
// ---------------------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(resolver_outliving_the_io_context_is_harmless)
{
    auto owned = std::make_shared<int>(21);
    int invoked = 0;
    af::resolver<int> r;
    {
        asio::io_context ctx;
        auto fut = af::make_future<int>(ctx);
        fut.async_wait([owned, &invoked](std::exception_ptr, int) { ++invoked; });
        r = fut.get_resolver();
        BOOST_TEST(owned.use_count() == 2);
        ctx.poll();
        BOOST_TEST(invoked == 0);
    } // the context is destroyed with the wait pending
    BOOST_TEST(invoked == 0);
    BOOST_TEST(owned.use_count() == 1); // the handler was destroyed, not invoked
    BOOST_TEST(r.valid());
    BOOST_TEST(r.done());
    BOOST_TEST(!r.set_result(1));
    BOOST_TEST(!r.set_exception(my_error("late")));
    BOOST_TEST(!r.cancel("late"));
    auto f = r.get_future();
    BOOST_TEST(f.cancelled());
    BOOST_TEST(cancel_message_of(f) == "execution context shut down");
    f = af::async_future<int>();
    r = af::resolver<int>(); // the last handle goes after the context: no crash, no leak
    BOOST_TEST(invoked == 0);
}

// ---------------------------------------------------------------------------------------------
// Threads and callback APIs
// ---------------------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(resolver_on_another_thread_resumes_the_waiter_on_the_io_thread)
{
    asio::io_context ctx;
    auto fut = af::make_future<int>(ctx);
    const std::thread::id io_thread = std::this_thread::get_id();
    std::thread::id wait_thread, callback_thread;
    record rec;
    fut.add_done_callback([&](const af::async_future<int>&)
                          { callback_thread = std::this_thread::get_id(); });
    fut.async_wait(
        [&, h = rec.handler()](std::exception_ptr e, int v) mutable
        {
            wait_thread = std::this_thread::get_id();
            h(std::move(e), v);
        });
    bool first = false, second = true;
    std::thread::id producer_id;
    std::thread producer(
        [r = fut.get_resolver(), &first, &second]()
        {
            first = r.set_result(22);
            second = r.set_result(23);
        });
    producer_id = producer.get_id();
    ctx.run(); // the pending wait keeps run() going until the producer resolved
    producer.join();
    ctx.restart();
    ctx.run();
    BOOST_TEST(first);
    BOOST_TEST(!second);
    BOOST_TEST(rec.calls == 1);
    BOOST_TEST(!rec.error);
    BOOST_TEST(rec.value == 22);
    BOOST_TEST((wait_thread == io_thread));
    BOOST_TEST((callback_thread == io_thread));
    BOOST_TEST((wait_thread != producer_id));
}

BOOST_AUTO_TEST_CASE(library_calling_back_twice_is_harmless)
{
    asio::io_context ctx;
    auto fut = af::make_future<int>(ctx);
    record rec;
    fut.async_wait(rec.handler());
    std::vector<bool> ok;
    buggy_library_calls_back_twice([r = fut.get_resolver()](int v) { return r.set_result(v); }, ok);
    BOOST_TEST_REQUIRE(ok.size() == 2u);
    BOOST_TEST(ok[0]);
    BOOST_TEST(!ok[1]);
    ctx.run();
    BOOST_TEST(rec.calls == 1);
    BOOST_TEST(!rec.error);
    BOOST_TEST(rec.value == 1);
    BOOST_TEST(fut.result() == 1);
}

BOOST_AUTO_TEST_CASE(library_calling_back_twice_from_its_own_thread)
{
    asio::io_context ctx;
    auto fut = af::make_future<int>(ctx);
    record rec;
    fut.async_wait(rec.handler());
    std::vector<bool> ok;
    std::thread library(
        [r = fut.get_resolver(), &ok]()
        { buggy_library_calls_back_twice([&r](int v) { return r.set_result(v); }, ok); });
    ctx.run();
    library.join();
    BOOST_TEST_REQUIRE(ok.size() == 2u);
    BOOST_TEST(ok[0]);
    BOOST_TEST(!ok[1]);
    BOOST_TEST(rec.calls == 1);
    BOOST_TEST(rec.value == 1);
}

#if defined(BOOST_ASIO_FUTURE_HAS_CO_AWAIT)

namespace
{

asio::awaitable<void> await_expect_broken(af::async_future<int> f, int& caught)
{
    try
    {
        co_await std::move(f);
    }
    catch (const af::broken_promise_error& e)
    {
        if (e.code() == af::error::broken_promise)
            ++caught;
    }
}

asio::awaitable<int> await_value(af::async_future<int> f)
{
    co_return co_await std::move(f);
}

} // namespace

BOOST_AUTO_TEST_CASE(coroutine_waiting_on_a_dropped_callback_gets_broken_promise)
{
    asio::io_context ctx;
    auto fut = af::make_future<int>(ctx);
    int caught = 0;
    asio::co_spawn(ctx, await_expect_broken(fut, caught), asio::detached);
    ctx.poll(); // the coroutine is suspended on the future
    BOOST_TEST(caught == 0);
    asio::post(
        ctx,
        [r = fut.get_resolver()]()
        {
            buggy_library_drops_the_callback([r](int v) { return r.set_result(v); });
            // `r` itself goes with this handler
        });
    ctx.run();
    BOOST_TEST(caught == 1);
}

BOOST_AUTO_TEST_CASE(coroutine_resumed_by_a_resolver_on_another_thread)
{
    asio::io_context ctx;
    auto fut = af::make_future<int>(ctx);
    int got = 0;
    std::exception_ptr err;
    asio::co_spawn(
        ctx,
        await_value(fut),
        [&](std::exception_ptr e, int v)
        {
            err = e;
            got = v;
        });
    ctx.poll();
    std::thread producer([r = fut.get_resolver()]() { r.set_result(24); });
    ctx.run();
    producer.join();
    BOOST_TEST(!err);
    BOOST_TEST(got == 24);
}

#endif // BOOST_ASIO_FUTURE_HAS_CO_AWAIT
