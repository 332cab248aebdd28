//
// Copyright (c) 2026 The asio_future Authors.
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// asyncio.Future parity of basic_async_future. Test that the header is self-contained.
#include <boost/asio_future/async_future.hpp>

#define BOOST_TEST_MODULE async_future
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/test/unit_test.hpp>

#if defined(BOOST_ASIO_FUTURE_HAS_CO_AWAIT)
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>
#endif

#include <chrono>
#include <exception>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <sstream>
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

// A user exception type: rethrown as itself, not sliced to std::exception.
struct my_error : std::runtime_error
{
    explicit my_error(const std::string& what) : std::runtime_error(what) {}
};

// No default constructor: waits deliver std::optional<no_default>.
struct no_default
{
    explicit no_default(int x) : v(x) {}
    int v;
};

struct copy_error : std::runtime_error
{
    copy_error() : std::runtime_error("copy failed") {}
};

// Copying always throws; moving does not.
struct throwing_copy
{
    throwing_copy() = default;
    explicit throwing_copy(int x) : v(x) {}
    throwing_copy(const throwing_copy&) { throw copy_error(); }
    throwing_copy(throwing_copy&& other) noexcept : v(other.v) {}
    int v = 0;
};

template <class Future>
std::string repr(const Future& f)
{
    std::ostringstream os;
    os << f;
    return os.str();
}

bool is_invalid_state(const af::invalid_state_error& e)
{
    return e.code() == af::make_error_code(af::error::invalid_state);
}

bool is_already_taken(const af::invalid_state_error& e)
{
    return is_invalid_state(e) &&
           std::string(e.what()).find("result already taken") != std::string::npos;
}

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

std::string what_of(const std::exception_ptr& e)
{
    try
    {
        std::rethrow_exception(e);
    }
    catch (const std::exception& ex)
    {
        return ex.what();
    }
    catch (...)
    {
        return "<not a std::exception>";
    }
}

} // namespace

// ---------------------------------------------------------------------------------------------
// States
// ---------------------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(new_future_is_pending)
{
    asio::io_context ctx;
    auto f = af::make_future<int>(ctx);
    BOOST_TEST(f.valid());
    BOOST_TEST(!f.done());
    BOOST_TEST(!f.cancelled());
}

// tag::ref_set_result[]
BOOST_AUTO_TEST_CASE(set_result_makes_the_future_done)
{
    asio::io_context ctx;
    auto f = af::make_future<int>(ctx);
    f.set_result(42);
    BOOST_TEST(f.done());
    BOOST_TEST(!f.cancelled());
    BOOST_TEST(f.result() == 42);
    BOOST_TEST(!f.exception()); // asyncio: exception() is None after set_result
}
// end::ref_set_result[]

BOOST_AUTO_TEST_CASE(result_and_exception_on_pending_throw_invalid_state)
{
    asio::io_context ctx;
    auto f = af::make_future<int>(ctx);
    BOOST_CHECK_EXCEPTION(f.result(), af::invalid_state_error, is_invalid_state);
    BOOST_CHECK_EXCEPTION(f.exception(), af::invalid_state_error, is_invalid_state);
    BOOST_TEST(!f.done()); // asking did not change anything
}

// tag::ref_set_exception[]
BOOST_AUTO_TEST_CASE(failed_future_rethrows_the_original_exception)
{
    asio::io_context ctx;
    auto f = af::make_future<int>(ctx);
    const std::exception_ptr original = std::make_exception_ptr(my_error("boom"));
    f.set_exception(original);
    BOOST_TEST(f.done());
    BOOST_TEST(!f.cancelled());
    BOOST_CHECK_EXCEPTION(
        f.result(),
        my_error,
        [](const my_error& e) { return std::string(e.what()) == "boom"; });
    const std::exception_ptr e = f.exception();
    BOOST_TEST(holds<my_error>(e));
    BOOST_TEST((e == original)); // the very exception that was set
    BOOST_TEST(what_of(e) == "boom");
}
// end::ref_set_exception[]

// tag::ref_cancel[]
BOOST_AUTO_TEST_CASE(cancelled_future_throws_cancelled_error_with_message)
{
    asio::io_context ctx;
    auto f = af::make_future<int>(ctx);
    BOOST_TEST(f.cancel("shutting down"));
    BOOST_TEST(f.done());
    BOOST_TEST(f.cancelled());
    const auto has_message = [](const af::cancelled_error& e)
    {
        return e.cancel_message() == "shutting down" &&
               e.code() == af::make_error_code(af::error::cancelled);
    };
    BOOST_CHECK_EXCEPTION(f.result(), af::cancelled_error, has_message);
    BOOST_CHECK_EXCEPTION(f.exception(), af::cancelled_error, has_message);
}
// end::ref_cancel[]

BOOST_AUTO_TEST_CASE(cancel_without_message_has_empty_message)
{
    asio::io_context ctx;
    auto f = af::make_future<int>(ctx);
    BOOST_TEST(f.cancel());
    BOOST_TEST(f.cancelled());
    BOOST_CHECK_EXCEPTION(
        f.result(),
        af::cancelled_error,
        [](const af::cancelled_error& e) { return e.cancel_message().empty(); });
}

// ---------------------------------------------------------------------------------------------
// Double resolution
// ---------------------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(second_set_result_throws_invalid_state)
{
    asio::io_context ctx;
    auto f = af::make_future<int>(ctx);
    f.set_result(1);
    BOOST_CHECK_EXCEPTION(f.set_result(2), af::invalid_state_error, is_invalid_state);
    BOOST_TEST(f.result() == 1);
}

// tag::ref_try_set_result[]
BOOST_AUTO_TEST_CASE(try_set_result_first_wins)
{
    asio::io_context ctx;
    auto f = af::make_future<int>(ctx);
    BOOST_TEST(f.try_set_result(1));
    BOOST_TEST(!f.try_set_result(2));
    BOOST_TEST(f.result() == 1);
    BOOST_TEST(!f.try_set_exception(std::make_exception_ptr(my_error("late"))));
    BOOST_TEST(!f.try_set_exception(my_error("late")));
    BOOST_TEST(f.result() == 1);
    BOOST_TEST(!f.exception());
}
// end::ref_try_set_result[]

BOOST_AUTO_TEST_CASE(set_exception_after_done_throws_invalid_state)
{
    asio::io_context ctx;
    auto f = af::make_future<int>(ctx);
    f.set_result(1);
    BOOST_CHECK_EXCEPTION(
        f.set_exception(std::make_exception_ptr(my_error("late"))),
        af::invalid_state_error,
        is_invalid_state);
    BOOST_CHECK_EXCEPTION(
        f.set_exception(my_error("late")),
        af::invalid_state_error,
        is_invalid_state);
    BOOST_TEST(f.result() == 1);

    auto g = af::make_future<int>(ctx);
    g.cancel("first");
    BOOST_CHECK_EXCEPTION(g.set_result(5), af::invalid_state_error, is_invalid_state);
    BOOST_CHECK_EXCEPTION(
        g.set_exception(my_error("x")),
        af::invalid_state_error,
        is_invalid_state);
    BOOST_TEST(g.cancelled());
}

BOOST_AUTO_TEST_CASE(cancel_on_done_future_returns_false)
{
    asio::io_context ctx;
    auto f = af::make_future<int>(ctx);
    f.set_result(3);
    BOOST_TEST(!f.cancel("too late"));
    BOOST_TEST(!f.cancelled());
    BOOST_TEST(f.result() == 3);

    auto g = af::make_future<int>(ctx);
    g.set_exception(my_error("boom"));
    BOOST_TEST(!g.cancel());
    BOOST_TEST(!g.cancelled());
    BOOST_TEST(holds<my_error>(g.exception()));
}

BOOST_AUTO_TEST_CASE(cancel_twice_keeps_the_first_message)
{
    asio::io_context ctx;
    auto f = af::make_future<int>(ctx);
    BOOST_TEST(f.cancel("first"));
    BOOST_TEST(!f.cancel("second"));
    BOOST_TEST(f.cancelled());
    BOOST_CHECK_EXCEPTION(
        f.result(),
        af::cancelled_error,
        [](const af::cancelled_error& e) { return e.cancel_message() == "first"; });
}

BOOST_AUTO_TEST_CASE(set_exception_cancelled_error_is_not_cancelled)
{
    asio::io_context ctx;
    auto f = af::make_future<int>(ctx);
    f.set_exception(af::cancelled_error{});
    BOOST_TEST(f.done());
    BOOST_TEST(!f.cancelled()); // asyncio: finished with that exception, not cancelled
    std::exception_ptr e;
    BOOST_CHECK_NO_THROW(e = f.exception()); // exception() returns it rather than throwing
    BOOST_TEST(holds<af::cancelled_error>(e));
    BOOST_CHECK_THROW(f.result(), af::cancelled_error);
    BOOST_TEST(repr(f).find("<async_future<int> finished exception=") == 0u);
}

// ---------------------------------------------------------------------------------------------
// set_exception arguments
// ---------------------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(null_exception_ptr_is_rejected)
{
    asio::io_context ctx;
    auto f = af::make_future<int>(ctx);
    BOOST_CHECK_THROW(f.set_exception(std::exception_ptr()), std::invalid_argument);
    BOOST_TEST(!f.done());
    BOOST_CHECK_THROW(f.try_set_exception(std::exception_ptr()), std::invalid_argument);
    BOOST_TEST(!f.done());
    BOOST_CHECK_THROW(f.set_exception(nullptr), std::invalid_argument);
    BOOST_TEST(!f.done());
    BOOST_TEST(!f.cancelled());
    // Still pending and resolvable.
    f.set_result(8);
    BOOST_TEST(f.result() == 8);
}

BOOST_AUTO_TEST_CASE(set_exception_with_an_exception_object)
{
    asio::io_context ctx;
    auto f = af::make_future<int>(ctx);
    f.set_exception(std::runtime_error("boom"));
    BOOST_TEST(f.done());
    BOOST_TEST(!f.cancelled());
    BOOST_CHECK_EXCEPTION(
        f.result(),
        std::runtime_error,
        [](const std::runtime_error& e) { return std::string(e.what()) == "boom"; });
    BOOST_TEST(holds<std::runtime_error>(f.exception()));
    BOOST_TEST(what_of(f.exception()) == "boom");

    auto g = af::make_future<int>(ctx);
    BOOST_TEST(g.try_set_exception(my_error("derived")));
    BOOST_CHECK_THROW(g.result(), my_error); // the object's dynamic type is kept
}

// ---------------------------------------------------------------------------------------------
// Done callbacks
// ---------------------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(done_callbacks_run_in_fifo_order)
{
    asio::io_context ctx;
    auto f = af::make_future<int>(ctx);
    std::vector<int> order;
    for (int i = 0; i < 5; ++i)
        f.add_done_callback([&order, i](const af::async_future<int>&) { order.push_back(i); });
    f.set_result(1);
    ctx.run();
    const std::vector<int> expected{0, 1, 2, 3, 4};
    BOOST_TEST(order == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(done_callback_not_run_inside_set_result)
{
    asio::io_context ctx;
    auto f = af::make_future<int>(ctx);
    bool called = false;
    f.add_done_callback([&](const af::async_future<int>&) { called = true; });
    f.set_result(1);
    BOOST_TEST(!called);
    ctx.run();
    BOOST_TEST(called);
}

BOOST_AUTO_TEST_CASE(done_callback_not_run_inside_set_result_on_the_executor)
{
    // Resolving from a handler already running on the future's executor is no exception.
    asio::io_context ctx;
    auto f = af::make_future<int>(ctx);
    bool called = false;
    bool called_inside = true;
    f.add_done_callback([&](const af::async_future<int>&) { called = true; });
    asio::post(
        ctx,
        [&]
        {
            f.set_result(1);
            called_inside = called;
        });
    ctx.run();
    BOOST_TEST(!called_inside);
    BOOST_TEST(called);
}

BOOST_AUTO_TEST_CASE(done_callback_added_to_done_future_is_posted)
{
    asio::io_context ctx;
    auto f = af::make_future<int>(ctx);
    f.set_result(1);
    bool called = false;
    f.add_done_callback([&](const af::async_future<int>&) { called = true; });
    BOOST_TEST(!called);
    ctx.run();
    BOOST_TEST(called);
}

BOOST_AUTO_TEST_CASE(done_callback_receives_the_future)
{
    asio::io_context ctx;
    auto f = af::make_future<int>(ctx);
    int seen = 0;
    bool was_done = false;
    f.add_done_callback(
        [&](const af::async_future<int>& g)
        {
            was_done = g.done();
            seen = g.result();
        });
    f.set_result(42);
    ctx.run();
    BOOST_TEST(was_done);
    BOOST_TEST(seen == 42);

    // On a failed future the callback sees the exception.
    auto h = af::make_future<int>(ctx);
    bool saw_error = false;
    h.add_done_callback([&](const af::async_future<int>& g)
                        { saw_error = holds<my_error>(g.exception()); });
    h.set_exception(my_error("boom"));
    ctx.restart();
    ctx.run();
    BOOST_TEST(saw_error);
}

// tag::ref_remove_done_callback[]
BOOST_AUTO_TEST_CASE(remove_done_callback_counts)
{
    asio::io_context ctx;
    auto f = af::make_future<int>(ctx);
    const af::callback_id id = f.add_done_callback([](const af::async_future<int>&) {});
    BOOST_TEST(id.value() != 0u);
    BOOST_TEST((id != af::callback_id()));
    BOOST_TEST(f.remove_done_callback(af::callback_id()) == 0u); // default id names nothing
    BOOST_TEST(f.remove_done_callback(id) == 1u);
    BOOST_TEST(f.remove_done_callback(id) == 0u); // already removed

    // An id from another future is unknown here.
    auto other = af::make_future<int>(ctx);
    const af::callback_id foreign = other.add_done_callback([](const af::async_future<int>&) {});
    BOOST_TEST(f.remove_done_callback(foreign) == 0u);
    BOOST_TEST(other.remove_done_callback(foreign) == 1u);
}
// end::ref_remove_done_callback[]

BOOST_AUTO_TEST_CASE(remove_done_callback_after_done_returns_zero)
{
    asio::io_context ctx;
    auto f = af::make_future<int>(ctx);
    bool called = false;
    const af::callback_id id =
        f.add_done_callback([&](const af::async_future<int>&) { called = true; });
    f.set_result(1);
    BOOST_TEST(f.remove_done_callback(id) == 0u);
    ctx.run();
    BOOST_TEST(called); // an already-scheduled callback is not stopped
}

BOOST_AUTO_TEST_CASE(removed_callback_never_runs)
{
    asio::io_context ctx;
    auto f = af::make_future<int>(ctx);
    bool removed_called = false;
    bool kept_called = false;
    const af::callback_id id =
        f.add_done_callback([&](const af::async_future<int>&) { removed_called = true; });
    f.add_done_callback([&](const af::async_future<int>&) { kept_called = true; });
    BOOST_TEST(f.remove_done_callback(id) == 1u);
    f.set_result(1);
    ctx.run();
    BOOST_TEST(!removed_called);
    BOOST_TEST(kept_called);
}

BOOST_AUTO_TEST_CASE(same_callable_registered_twice_gets_two_ids)
{
    asio::io_context ctx;
    auto f = af::make_future<int>(ctx);
    int count = 0;
    const auto cb = [&count](const af::async_future<int>&) { ++count; };
    const af::callback_id a = f.add_done_callback(cb);
    const af::callback_id b = f.add_done_callback(cb);
    BOOST_TEST((a != b));
    BOOST_TEST(f.remove_done_callback(a) == 1u); // removes one registration only
    f.set_result(1);
    ctx.run();
    BOOST_TEST(count == 1);

    // Both registrations run when none is removed.
    auto g = af::make_future<int>(ctx);
    count = 0;
    g.add_done_callback(cb);
    g.add_done_callback(cb);
    g.set_result(1);
    ctx.restart();
    ctx.run();
    BOOST_TEST(count == 2);
}

BOOST_AUTO_TEST_CASE(throwing_callback_does_not_escape_run)
{
    asio::io_context ctx;
    auto f = af::make_future<int>(ctx);
    std::vector<int> order;
    f.add_done_callback(
        [&](const af::async_future<int>&)
        {
            order.push_back(1);
            throw std::runtime_error("callback failure (expected by the test)");
        });
    f.add_done_callback([&](const af::async_future<int>&) { order.push_back(2); });
    f.set_result(1);
    BOOST_CHECK_NO_THROW(ctx.run());
    const std::vector<int> expected{1, 2};
    BOOST_TEST(order == expected, boost::test_tools::per_element());
    BOOST_TEST(f.result() == 1); // the future is unaffected
}

// ---------------------------------------------------------------------------------------------
// repr
// ---------------------------------------------------------------------------------------------

// tag::ref_repr[]
BOOST_AUTO_TEST_CASE(repr_strings)
{
    asio::io_context ctx;
    auto pending = af::make_future<int>(ctx);
    BOOST_TEST(repr(pending) == "<async_future<int> pending>");

    auto with_result = af::make_future<int>(ctx);
    with_result.set_result(42);
    BOOST_TEST(repr(with_result) == "<async_future<int> finished result=42>");

    auto failed = af::make_future<int>(ctx);
    failed.set_exception(std::runtime_error("boom"));
    BOOST_TEST(repr(failed) == "<async_future<int> finished exception=std::runtime_error('boom')>");

    auto cancelled = af::make_future<int>(ctx);
    cancelled.cancel("msg");
    BOOST_TEST(repr(cancelled) == "<async_future<int> cancelled>");

    const af::async_future<int> empty;
    BOOST_TEST(repr(empty) == "<async_future<int> empty>");
}
// end::ref_repr[]

BOOST_AUTO_TEST_CASE(repr_strings_void)
{
    asio::io_context ctx;
    auto f = af::make_future<void>(ctx);
    BOOST_TEST(repr(f) == "<async_future<void> pending>");
    f.set_result();
    BOOST_TEST(repr(f) == "<async_future<void> finished>");
}

// ---------------------------------------------------------------------------------------------
// Waiting
// ---------------------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(many_waiters_each_get_the_value)
{
    asio::io_context ctx;
    auto f = af::make_future<std::string>(ctx);
    constexpr int n = 10;
    std::vector<std::string> got(n);
    std::vector<bool> error(n, true);
    int completions = 0;
    for (int i = 0; i < n; ++i)
    {
        f.async_wait(
            [&, i](std::exception_ptr e, std::string v)
            {
                ++completions;
                error[static_cast<std::size_t>(i)] = static_cast<bool>(e);
                got[static_cast<std::size_t>(i)] = std::move(v);
            });
    }
    f.set_result("hello");
    BOOST_TEST(completions == 0);
    ctx.run();
    BOOST_TEST(completions == n);
    for (std::size_t i = 0; i < got.size(); ++i)
    {
        BOOST_TEST(!error[i]);
        BOOST_TEST(got[i] == "hello");
    }
    BOOST_TEST(f.result() == "hello"); // waiters got copies
}

BOOST_AUTO_TEST_CASE(many_waiters_each_get_the_exception)
{
    asio::io_context ctx;
    auto f = af::make_future<int>(ctx);
    const std::exception_ptr original = std::make_exception_ptr(my_error("boom"));
    int matching = 0;
    for (int i = 0; i < 10; ++i)
    {
        f.async_wait(
            [&](std::exception_ptr e, int)
            {
                if (e == original)
                    ++matching;
            });
    }
    f.set_exception(original);
    ctx.run();
    BOOST_TEST(matching == 10);
}

BOOST_AUTO_TEST_CASE(wait_on_done_future_completes_only_after_run)
{
    asio::io_context ctx;
    auto f = af::make_future<int>(ctx);
    f.set_result(5);
    bool called = false;
    int value = 0;
    f.async_wait(
        [&](std::exception_ptr e, int v)
        {
            called = !e;
            value = v;
        });
    BOOST_TEST(!called); // not inside async_wait
    ctx.run();
    BOOST_TEST(called);
    BOOST_TEST(value == 5);
}

// tag::ref_never_inline[]
BOOST_AUTO_TEST_CASE(wait_never_completes_inline)
{
    asio::io_context ctx;
    auto f = af::make_future<int>(ctx);
    bool called = false;
    f.async_wait([&](std::exception_ptr, int) { called = true; });
    BOOST_TEST(!called); // right after async_wait
    f.set_result(1);
    BOOST_TEST(!called); // nor inside set_result
    ctx.run();
    BOOST_TEST(called);

    // Also when the wait starts on a done future from a handler of the same executor.
    bool called_inside = true;
    bool called2 = false;
    asio::post(
        ctx,
        [&]
        {
            f.async_wait([&](std::exception_ptr, int) { called2 = true; });
            called_inside = called2;
        });
    ctx.restart();
    ctx.run();
    BOOST_TEST(!called_inside);
    BOOST_TEST(called2);
}
// end::ref_never_inline[]

BOOST_AUTO_TEST_CASE(wait_on_cancelled_future_gets_cancelled_error)
{
    asio::io_context ctx;
    auto f = af::make_future<int>(ctx);
    std::exception_ptr got;
    f.async_wait([&](std::exception_ptr e, int) { got = e; });
    f.cancel("bye");
    ctx.run();
    BOOST_TEST(holds<af::cancelled_error>(got));
    BOOST_TEST(what_of(got).find("cancel") != std::string::npos);
}

// ---------------------------------------------------------------------------------------------
// Value types
// ---------------------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(void_future)
{
    static_assert(
        std::is_same_v<af::async_future<void>::completion_signature, void(std::exception_ptr)>);
    asio::io_context ctx;
    auto f = af::make_future<void>(ctx);
    int waits = 0;
    bool null_error = false;
    f.async_wait(
        [&](std::exception_ptr e)
        {
            ++waits;
            null_error = !e;
        });
    f.set_result();
    BOOST_TEST(f.done());
    BOOST_TEST(!f.cancelled());
    BOOST_CHECK_NO_THROW(f.result());
    BOOST_TEST(!f.exception());
    BOOST_TEST(!f.try_set_result());
    BOOST_CHECK_EXCEPTION(f.set_result(), af::invalid_state_error, is_invalid_state);
    ctx.run();
    BOOST_TEST(waits == 1);
    BOOST_TEST(null_error);

    // A wait on the done void future, and async_take on void, behave the same.
    bool late_null = false;
    bool take_null = false;
    f.async_wait([&](std::exception_ptr e) { late_null = !e; });
    f.async_take([&](std::exception_ptr e) { take_null = !e; });
    ctx.restart();
    ctx.run();
    BOOST_TEST(late_null);
    BOOST_TEST(take_null);
    BOOST_CHECK_NO_THROW(f.result()); // nothing to take from a void future

    // A failed void future delivers its exception.
    auto g = af::make_future<void>(ctx);
    std::exception_ptr got;
    g.async_wait([&](std::exception_ptr e) { got = e; });
    g.set_exception(my_error("boom"));
    ctx.restart();
    ctx.run();
    BOOST_TEST(holds<my_error>(got));
    BOOST_CHECK_THROW(g.result(), my_error);
}

// tag::ref_async_take[]
BOOST_AUTO_TEST_CASE(move_only_async_take)
{
    using ptr = std::unique_ptr<int>;
    static_assert(
        std::is_same_v<af::async_future<ptr>::completion_signature, void(std::exception_ptr, ptr)>);
    asio::io_context ctx;
    auto f = af::make_future<ptr>(ctx);
    ptr first;
    std::exception_ptr first_error = std::make_exception_ptr(std::logic_error("not called"));
    f.async_take(
        [&](std::exception_ptr e, ptr p)
        {
            first_error = e;
            first = std::move(p);
        });
    f.set_result(std::make_unique<int>(5));
    BOOST_TEST(*f.result() == 5); // not taken until the wait runs
    ctx.run();
    BOOST_TEST(!first_error);
    BOOST_TEST(static_cast<bool>(first));
    BOOST_TEST((first && *first == 5));

    // Second take and result(): "result already taken".
    std::exception_ptr second_error;
    bool second_null = false;
    f.async_take(
        [&](std::exception_ptr e, ptr p)
        {
            second_error = e;
            second_null = !p;
        });
    ctx.restart();
    ctx.run();
    BOOST_TEST(holds<af::invalid_state_error>(second_error));
    BOOST_TEST(what_of(second_error).find("result already taken") != std::string::npos);
    BOOST_TEST(second_null);
    BOOST_CHECK_EXCEPTION(f.result(), af::invalid_state_error, is_already_taken);
    BOOST_TEST(f.done());
    BOOST_TEST(!f.cancelled());
    BOOST_TEST(!f.exception()); // it finished with a result, which is now gone
}
// end::ref_async_take[]

BOOST_AUTO_TEST_CASE(move_only_take_on_done_future)
{
    using ptr = std::unique_ptr<int>;
    asio::io_context ctx;
    auto f = af::make_future<ptr>(ctx);
    f.set_result(std::make_unique<int>(9));
    ptr got;
    f.async_take([&](std::exception_ptr, ptr p) { got = std::move(p); });
    BOOST_TEST(!got); // not inline
    ctx.run();
    BOOST_TEST((got && *got == 9));
    BOOST_CHECK_EXCEPTION(f.result(), af::invalid_state_error, is_already_taken);
}

// tag::ref_optional[]
BOOST_AUTO_TEST_CASE(non_default_constructible_delivers_optional)
{
    static_assert(!std::is_default_constructible_v<no_default>);
    static_assert(std::is_same_v<
                  af::async_future<no_default>::completion_signature,
                  void(std::exception_ptr, std::optional<no_default>)>);
    asio::io_context ctx;
    auto f = af::make_future<no_default>(ctx);
    std::optional<no_default> got;
    std::exception_ptr got_error = std::make_exception_ptr(std::logic_error("not called"));
    f.async_wait(
        [&](std::exception_ptr e, std::optional<no_default> v)
        {
            got_error = e;
            got = std::move(v);
        });
    f.set_result(3);
    BOOST_TEST(f.result().v == 3);
    ctx.run();
    BOOST_TEST(!got_error);
    BOOST_TEST(got.has_value());
    BOOST_TEST((got && got->v == 3));

    // The exception case delivers an empty optional.
    auto g = af::make_future<no_default>(ctx);
    bool empty = false;
    std::exception_ptr err;
    g.async_wait(
        [&](std::exception_ptr e, std::optional<no_default> v)
        {
            err = e;
            empty = !v.has_value();
        });
    g.set_exception(my_error("boom"));
    ctx.restart();
    ctx.run();
    BOOST_TEST(empty);
    BOOST_TEST(holds<my_error>(err));
}
// end::ref_optional[]

// An I/O object has no default constructor but is delivered as itself: the error path passes a
// placeholder constructed from the future's executor.
template <class IoObject>
void check_io_object_delivery(const std::function<IoObject(asio::io_context&)>& make_open)
{
    static_assert(!std::is_default_constructible_v<IoObject>);
    static_assert(std::is_same_v<
                  typename af::async_future<IoObject>::completion_signature,
                  void(std::exception_ptr, IoObject)>);
    asio::io_context ctx;
    std::vector<std::pair<bool, bool>> got; // (error, open) per completion, in order
    auto handler = [&](std::exception_ptr e, IoObject obj)
    { got.emplace_back(static_cast<bool>(e), obj.is_open()); };

    auto pending = af::make_future<IoObject>(ctx);
    pending.async_take(handler);
    pending.set_result(make_open(ctx));

    auto ready = af::make_future<IoObject>(ctx);
    ready.set_result(make_open(ctx));
    ready.async_take(handler);

    auto failed = af::make_future<IoObject>(ctx);
    failed.async_take(handler);
    failed.set_exception(my_error("boom"));

    auto failed_ready = af::make_future<IoObject>(ctx);
    failed_ready.set_exception(my_error("boom"));
    failed_ready.async_take(handler);

    ctx.run();
    BOOST_TEST_REQUIRE(got.size() == 4u);
    BOOST_TEST((got[0] == std::pair<bool, bool>(false, true)));
    BOOST_TEST((got[1] == std::pair<bool, bool>(false, true)));
    BOOST_TEST((got[2] == std::pair<bool, bool>(true, false)));
    BOOST_TEST((got[3] == std::pair<bool, bool>(true, false)));
}

BOOST_AUTO_TEST_CASE(io_objects_are_delivered_as_themselves)
{
    using asio::ip::tcp;
    check_io_object_delivery<tcp::socket>(
        [](asio::io_context& ctx)
        {
            tcp::socket s(ctx);
            s.open(tcp::v4());
            return s;
        });
    check_io_object_delivery<tcp::acceptor>(
        [](asio::io_context& ctx)
        {
            tcp::acceptor a(ctx);
            a.open(tcp::v4());
            return a;
        });
}

// A timer has no is_open(): check that the placeholder is a timer of the future's executor.
// tag::ref_io_object[]
BOOST_AUTO_TEST_CASE(steady_timer_is_delivered_as_itself)
{
    static_assert(std::is_same_v<
                  af::async_future<asio::steady_timer>::completion_signature,
                  void(std::exception_ptr, asio::steady_timer)>);
    asio::io_context ctx;
    const auto expiry = asio::steady_timer::clock_type::now() + std::chrono::hours(1);
    std::optional<asio::steady_timer::time_point> got_expiry;
    bool placeholder_on_ctx = false;
    std::exception_ptr error;
    auto ok = af::make_future<asio::steady_timer>(ctx);
    ok.async_take([&](std::exception_ptr, asio::steady_timer t) { got_expiry = t.expiry(); });
    ok.set_result(asio::steady_timer(ctx, expiry));
    auto failed = af::make_future<asio::steady_timer>(ctx);
    failed.async_take(
        [&](std::exception_ptr e, asio::steady_timer t)
        {
            error = e;
            placeholder_on_ctx = t.get_executor() == asio::any_io_executor(ctx.get_executor());
        });
    failed.cancel();
    ctx.run();
    BOOST_TEST((got_expiry == expiry));
    BOOST_TEST(holds<af::cancelled_error>(error));
    BOOST_TEST(placeholder_on_ctx);
}
// end::ref_io_object[]

BOOST_AUTO_TEST_CASE(throwing_copy_constructor_fails_only_the_waiter)
{
    asio::io_context ctx;
    auto f = af::make_future<throwing_copy>(ctx);
    std::vector<std::exception_ptr> errors;
    // One waiter before the result, one after.
    f.async_wait([&](std::exception_ptr e, throwing_copy) { errors.push_back(e); });
    f.set_result(7);
    f.async_wait([&](std::exception_ptr e, throwing_copy) { errors.push_back(e); });
    BOOST_CHECK_NO_THROW(ctx.run());
    BOOST_TEST(errors.size() == 2u);
    for (const auto& e : errors)
        BOOST_TEST(holds<copy_error>(e));
    // The future itself stays finished with its result.
    BOOST_TEST(f.done());
    BOOST_TEST(!f.cancelled());
    BOOST_TEST(!f.exception());
    BOOST_TEST(f.result().v == 7);

    // Taking moves, which does not throw.
    int taken = 0;
    f.async_take(
        [&](std::exception_ptr e, throwing_copy v)
        {
            if (!e)
                taken = v.v;
        });
    ctx.restart();
    ctx.run();
    BOOST_TEST(taken == 7);
}

// ---------------------------------------------------------------------------------------------
// Handles are shallow-const: the code users write first, without `mutable`
// ---------------------------------------------------------------------------------------------

// Every member that acts on the shared state is callable on a const handle.
struct ignore_future
{
    template <class F>
    void operator()(const F&) const
    {
    }
};

template <class F>
using const_members_t = decltype(
    std::declval<const F&>().set_result(1),
    std::declval<const F&>().try_set_result(1),
    std::declval<const F&>().set_exception(std::exception_ptr()),
    std::declval<const F&>().set_exception(my_error("x")),
    std::declval<const F&>().try_set_exception(std::exception_ptr()),
    std::declval<const F&>().try_set_exception(my_error("x")),
    std::declval<const F&>().cancel(),
    std::declval<const F&>().add_done_callback(ignore_future()),
    std::declval<const F&>().remove_done_callback(af::callback_id()),
    std::declval<const F&>().get_resolver(),
    std::declval<const F&>().async_wait(asio::deferred),
    std::declval<const F&>().async_take(asio::deferred),
    std::declval<const F&>()(asio::deferred));
template <class F, class = void>
struct has_const_members : std::false_type
{
};
template <class F>
struct has_const_members<F, std::void_t<const_members_t<F>>> : std::true_type
{
};
static_assert(has_const_members<af::async_future<int>>::value);
static_assert(
    has_const_members<af::basic_async_future<int, asio::io_context::executor_type>>::value);

// tag::ref_shallow_const[]
// The guide's step 4: a plain lambda captures the future by value and resolves it on a thread.
BOOST_AUTO_TEST_CASE(thread_lambda_captures_the_future_by_value)
{
    asio::io_context ctx;
    auto fut = af::make_future<std::string>(ctx);
    std::string got;
    fut.async_wait([&](std::exception_ptr, std::string v) { got = std::move(v); });
    std::thread worker([fut] { fut.set_result("x"); });
    ctx.run();
    worker.join();
    BOOST_TEST(got == "x");
}
// end::ref_shallow_const[]

// A callback SDK's `(value, error)` shape, adapted in a lambda that captures the resolver.
template <class Callback>
void fetch(const std::string& key, Callback cb)
{
    std::thread([key, cb] { cb(std::optional<std::string>("value-for-" + key), nullptr); })
        .detach();
}

BOOST_AUTO_TEST_CASE(sdk_callback_captures_the_resolver_by_value)
{
    asio::io_context ctx;
    auto fut = af::make_future<std::string>(ctx);
    std::string got;
    fut.async_wait([&](std::exception_ptr, std::string v) { got = std::move(v); });
    fetch(
        "a",
        [r = fut.get_resolver()](std::optional<std::string> v, std::exception_ptr e)
        {
            if (e)
                r.set_exception(e);
            else
                r.set_result(*v);
        });
    ctx.run();
    BOOST_TEST(got == "value-for-a");
}

// A done callback can do with the future it receives what asyncio's can: add callbacks, read
// it, cancel it (false: it is done), start a wait.
BOOST_AUTO_TEST_CASE(done_callback_uses_the_future_it_receives)
{
    asio::io_context ctx;
    auto fut = af::make_future<int>(ctx);
    std::vector<std::string> order;
    bool cancelled = true;
    int waited = 0;
    auto next = [&](const af::async_future<int>& f)
    { order.push_back("next " + std::to_string(f.result())); };
    fut.add_done_callback(
        [&](const auto& f)
        {
            order.push_back("first " + std::to_string(f.result()));
            f.add_done_callback(next);
            cancelled = f.cancel();
            f.async_wait([&](std::exception_ptr, int v) { waited = v; });
        });
    fut.set_result(7);
    ctx.run();
    BOOST_TEST((order == std::vector<std::string>{"first 7", "next 7"}));
    BOOST_TEST(!cancelled);
    BOOST_TEST(waited == 7);
    BOOST_TEST(!fut.cancelled());
}

// ---------------------------------------------------------------------------------------------
// Empty handle
// ---------------------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(empty_handle_members_throw_invalid_state)
{
    af::async_future<int> f;
    BOOST_TEST(!f.valid());
    BOOST_CHECK_EXCEPTION(f.done(), af::invalid_state_error, is_invalid_state);
    BOOST_CHECK_EXCEPTION(f.cancelled(), af::invalid_state_error, is_invalid_state);
    BOOST_CHECK_EXCEPTION(f.set_result(1), af::invalid_state_error, is_invalid_state);
    BOOST_CHECK_EXCEPTION(f.try_set_result(1), af::invalid_state_error, is_invalid_state);
    BOOST_CHECK_EXCEPTION(
        f.set_exception(my_error("x")),
        af::invalid_state_error,
        is_invalid_state);
    BOOST_CHECK_EXCEPTION(
        f.try_set_exception(std::make_exception_ptr(my_error("x"))),
        af::invalid_state_error,
        is_invalid_state);
    BOOST_CHECK_EXCEPTION(f.cancel(), af::invalid_state_error, is_invalid_state);
    BOOST_CHECK_EXCEPTION(f.result(), af::invalid_state_error, is_invalid_state);
    BOOST_CHECK_EXCEPTION(f.exception(), af::invalid_state_error, is_invalid_state);
    bool called = false;
    BOOST_CHECK_EXCEPTION(
        f.async_wait([&](std::exception_ptr, int) { called = true; }),
        af::invalid_state_error,
        is_invalid_state);
    BOOST_CHECK_EXCEPTION(
        f.async_take([&](std::exception_ptr, int) { called = true; }),
        af::invalid_state_error,
        is_invalid_state);
    BOOST_CHECK_EXCEPTION(
        f.add_done_callback([&](const af::async_future<int>&) { called = true; }),
        af::invalid_state_error,
        is_invalid_state);
    BOOST_CHECK_EXCEPTION(
        f.remove_done_callback(af::callback_id()),
        af::invalid_state_error,
        is_invalid_state);
    BOOST_CHECK_EXCEPTION(f.get_executor(), af::invalid_state_error, is_invalid_state);
    BOOST_CHECK_EXCEPTION(f.get_resolver(), af::invalid_state_error, is_invalid_state);
    BOOST_TEST(!called);
    BOOST_TEST(repr(f) == "<async_future<int> empty>");

    af::async_future<void> v;
    BOOST_TEST(!v.valid());
    BOOST_CHECK_EXCEPTION(v.set_result(), af::invalid_state_error, is_invalid_state);
    BOOST_CHECK_EXCEPTION(v.result(), af::invalid_state_error, is_invalid_state);
}

// The future as an operation on an empty handle: Asio may start it after suspending a
// coroutine, so the handler receives the error (posted to its executor), nothing is thrown.
BOOST_AUTO_TEST_CASE(operation_on_an_empty_handle_completes_with_invalid_state)
{
    asio::io_context ctx;
    int completions = 0;
    std::exception_ptr as_lvalue, as_rvalue, as_void;
    int value = -1;
    af::async_future<int> f;
    f(asio::bind_executor(
        ctx,
        [&](std::exception_ptr e, int v)
        {
            ++completions;
            as_lvalue = e;
            value = v;
        }));
    af::async_future<int>()(asio::bind_executor(
        ctx,
        [&](std::exception_ptr e, int)
        {
            ++completions;
            as_rvalue = e;
        }));
    af::async_future<void>()(asio::bind_executor(
        ctx,
        [&](std::exception_ptr e)
        {
            ++completions;
            as_void = e;
        }));
    BOOST_TEST(completions == 0); // never inline
    ctx.run();
    BOOST_TEST(completions == 3);
    BOOST_TEST(holds<af::invalid_state_error>(as_lvalue));
    BOOST_TEST(holds<af::invalid_state_error>(as_rvalue));
    BOOST_TEST(holds<af::invalid_state_error>(as_void));
    BOOST_TEST(what_of(as_rvalue).find("empty future") != std::string::npos);
    BOOST_TEST(value == 0);

    // A handler without an associated executor completes on asio::system_executor.
    std::promise<std::exception_ptr> got;
    af::async_future<int>()([&](std::exception_ptr e, int) { got.set_value(e); });
    auto done = got.get_future();
    BOOST_TEST_REQUIRE((done.wait_for(std::chrono::seconds(10)) == std::future_status::ready));
    BOOST_TEST(holds<af::invalid_state_error>(done.get()));
}

// tag::ref_valid[]
BOOST_AUTO_TEST_CASE(moved_from_future_is_empty)
{
    asio::io_context ctx;
    auto f = af::make_future<int>(ctx);
    af::async_future<int> g = std::move(f);
    BOOST_TEST(!f.valid()); // NOLINT(bugprone-use-after-move): moved-from is specified empty
    BOOST_TEST(g.valid());
    BOOST_CHECK_EXCEPTION(f.done(), af::invalid_state_error, is_invalid_state);
    BOOST_TEST(repr(f) == "<async_future<int> empty>");

    af::async_future<int> h;
    h = std::move(g);
    BOOST_TEST(!g.valid());
    BOOST_TEST(h.valid());
    BOOST_CHECK_EXCEPTION(g.set_result(1), af::invalid_state_error, is_invalid_state);

    // A copy of an empty handle is empty; assigning a valid future makes it valid again.
    af::async_future<int> copy = f;
    BOOST_TEST(!copy.valid());
    f = h;
    BOOST_TEST(f.valid());
    f.set_result(4);
    BOOST_TEST(h.result() == 4); // copies share one state
}
// end::ref_valid[]

// ---------------------------------------------------------------------------------------------
// Executors
// ---------------------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(get_executor_is_the_executor_passed)
{
    asio::io_context ctx;
    const asio::any_io_executor ex = ctx.get_executor();
    af::async_future<int> f{ex};
    BOOST_TEST((f.get_executor() == ex));
    const asio::any_io_executor got = f.get_executor(); // target() points into it
    const auto* target = got.target<asio::io_context::executor_type>();
    BOOST_TEST(target != nullptr);
    BOOST_TEST((target && *target == ctx.get_executor()));

    af::async_future<int> from_ctx{ctx};
    BOOST_TEST((from_ctx.get_executor() == ex));

    asio::io_context other;
    af::async_future<int> elsewhere{other};
    BOOST_TEST((elsewhere.get_executor() != ex));
}

// tag::ref_make_future[]
BOOST_AUTO_TEST_CASE(make_future_from_context_and_executor)
{
    asio::io_context ctx;
    auto a = af::make_future<int>(ctx);
    auto b = af::make_future<int>(ctx.get_executor());
    static_assert(std::is_same_v<decltype(a), af::async_future<int>>);
    static_assert(std::is_same_v<decltype(b), af::async_future<int>>);
    BOOST_TEST((a.get_executor() == asio::any_io_executor(ctx.get_executor())));
    BOOST_TEST((b.get_executor() == asio::any_io_executor(ctx.get_executor())));
    BOOST_TEST(!a.done());
    BOOST_TEST(!b.done());

    // Both are independent states.
    a.set_result(1);
    BOOST_TEST(!b.done());
}
// end::ref_make_future[]

BOOST_AUTO_TEST_CASE(strand_executor)
{
    asio::io_context ctx;
    auto s = asio::make_strand(ctx);
    auto f = af::make_future<int>(s);
    const asio::any_io_executor got = f.get_executor(); // target() points into it
    const auto* target = got.target<decltype(s)>();
    BOOST_TEST(target != nullptr);
    BOOST_TEST((target && *target == s));

    bool callback_in_strand = false;
    bool waiter_in_strand = false;
    bool bound_in_other_strand = false;
    auto s2 = asio::make_strand(ctx);
    f.add_done_callback([&](const af::async_future<int>&)
                        { callback_in_strand = s.running_in_this_thread(); });
    // No associated executor: falls back to the future's (the strand).
    f.async_wait([&](std::exception_ptr, int) { waiter_in_strand = s.running_in_this_thread(); });
    // An associated executor wins.
    f.async_wait(asio::bind_executor(
        s2,
        [&](std::exception_ptr, int)
        { bound_in_other_strand = s2.running_in_this_thread() && !s.running_in_this_thread(); }));
    f.set_result(1);
    ctx.run();
    BOOST_TEST(callback_in_strand);
    BOOST_TEST(waiter_in_strand);
    BOOST_TEST(bound_in_other_strand);
}

// ---------------------------------------------------------------------------------------------
// Outstanding work
// ---------------------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(pending_wait_is_outstanding_work)
{
    asio::io_context ctx;
    auto f = af::make_future<int>(ctx);
    bool called = false;
    int value = 0;
    f.async_wait(
        [&](std::exception_ptr e, int v)
        {
            called = !e;
            value = v;
        });
    BOOST_TEST(ctx.poll() == 0u);
    BOOST_TEST(!ctx.stopped());
    ctx.run_for(std::chrono::milliseconds(50));
    BOOST_TEST(!called);
    BOOST_TEST(!ctx.stopped()); // run_for timed out; it did not run out of work

    std::thread resolver_thread([f]() { f.set_result(9); });
    ctx.run(); // blocks until the waiter has completed
    resolver_thread.join();
    BOOST_TEST(called);
    BOOST_TEST(value == 9);
    BOOST_TEST(ctx.stopped());
}

// ---------------------------------------------------------------------------------------------
// Coroutines
// ---------------------------------------------------------------------------------------------

#if defined(BOOST_ASIO_FUTURE_HAS_CO_AWAIT)

namespace
{

struct spawn_result
{
    bool completed = false;
    std::exception_ptr error;
};

auto record(spawn_result& r)
{
    return [&r](std::exception_ptr e)
    {
        r.completed = true;
        r.error = e;
    };
}

asio::awaitable<void> await_int(af::async_future<int> f, int& via_wait, int& via_move)
{
    via_wait = co_await f.async_wait(asio::use_awaitable);
    af::async_future<int> copy = f;
    via_move = co_await std::move(copy);
}

asio::awaitable<void> await_void(af::async_future<void> f, int& steps)
{
    co_await f.async_wait(asio::use_awaitable);
    ++steps;
    af::async_future<void> copy = f;
    co_await std::move(copy);
    ++steps;
}

asio::awaitable<void>
await_unique(af::async_future<std::unique_ptr<int>> f, int& value, bool& second_take_failed)
{
    af::async_future<std::unique_ptr<int>> copy = f;
    std::unique_ptr<int> p = co_await std::move(copy); // takes
    value = p ? *p : -1;
    try
    {
        std::unique_ptr<int> q = co_await f.async_take(asio::use_awaitable);
        (void)q;
    }
    catch (const af::invalid_state_error& e)
    {
        second_take_failed = is_already_taken(e);
    }
}

asio::awaitable<void> await_no_default(af::async_future<no_default> f, int& via_wait, int& via_move)
{
    std::optional<no_default> a = co_await f.async_wait(asio::use_awaitable);
    via_wait = a ? a->v : -1;
    af::async_future<no_default> copy = f;
    std::optional<no_default> b = co_await std::move(copy);
    via_move = b ? b->v : -1;
}

template <class T>
asio::awaitable<void> await_expect_my_error(af::async_future<T> f, int& caught)
{
    try
    {
        co_await f.async_wait(asio::use_awaitable);
    }
    catch (const my_error& e)
    {
        if (std::string(e.what()) == "boom")
            ++caught;
    }
    try
    {
        af::async_future<T> copy = f;
        co_await std::move(copy);
    }
    catch (const my_error& e)
    {
        if (std::string(e.what()) == "boom")
            ++caught;
    }
}

asio::awaitable<void> await_expect_cancelled(af::async_future<int> f, int& caught)
{
    try
    {
        co_await f.async_wait(asio::use_awaitable);
    }
    catch (const af::cancelled_error& e)
    {
        if (e.cancel_message() == "stop")
            ++caught;
    }
    try
    {
        co_await af::async_future<int>(f);
    }
    catch (const af::cancelled_error& e)
    {
        if (e.cancel_message() == "stop")
            ++caught;
    }
}

} // namespace

BOOST_AUTO_TEST_CASE(co_await_int)
{
    asio::io_context ctx;
    auto f = af::make_future<int>(ctx);
    int via_wait = 0;
    int via_move = 0;
    spawn_result r;
    asio::co_spawn(ctx, await_int(f, via_wait, via_move), record(r));
    asio::post(ctx, [f]() { f.set_result(42); });
    ctx.run();
    BOOST_TEST(r.completed);
    BOOST_TEST(!r.error);
    BOOST_TEST(via_wait == 42);
    BOOST_TEST(via_move == 42);
    BOOST_TEST(f.result() == 42); // copies, not takes
}

BOOST_AUTO_TEST_CASE(co_await_void)
{
    asio::io_context ctx;
    auto f = af::make_future<void>(ctx);
    int steps = 0;
    spawn_result r;
    asio::co_spawn(ctx, await_void(f, steps), record(r));
    asio::post(ctx, [f]() { f.set_result(); });
    ctx.run();
    BOOST_TEST(r.completed);
    BOOST_TEST(!r.error);
    BOOST_TEST(steps == 2);
}

BOOST_AUTO_TEST_CASE(co_await_move_only_takes)
{
    asio::io_context ctx;
    auto f = af::make_future<std::unique_ptr<int>>(ctx);
    int value = 0;
    bool second_take_failed = false;
    spawn_result r;
    asio::co_spawn(ctx, await_unique(f, value, second_take_failed), record(r));
    asio::post(ctx, [f]() { f.set_result(std::make_unique<int>(17)); });
    ctx.run();
    BOOST_TEST(r.completed);
    BOOST_TEST(!r.error);
    BOOST_TEST(value == 17);
    BOOST_TEST(second_take_failed);
    BOOST_CHECK_EXCEPTION(f.result(), af::invalid_state_error, is_already_taken);
}

BOOST_AUTO_TEST_CASE(co_await_non_default_constructible)
{
    asio::io_context ctx;
    auto f = af::make_future<no_default>(ctx);
    int via_wait = 0;
    int via_move = 0;
    spawn_result r;
    asio::co_spawn(ctx, await_no_default(f, via_wait, via_move), record(r));
    asio::post(ctx, [f]() { f.set_result(5); });
    ctx.run();
    BOOST_TEST(r.completed);
    BOOST_TEST(!r.error);
    BOOST_TEST(via_wait == 5);
    BOOST_TEST(via_move == 5);
}

// The tutorial's "await it again with std::move": the second await finds an empty handle and
// throws invalid_state_error into the coroutine (it used to end the program).
asio::awaitable<void>
await_the_same_variable_twice(af::async_future<int> f, int& value, int& caught)
{
    value = co_await std::move(f);
    try
    {
        co_await std::move(f); // NOLINT(bugprone-use-after-move): the misuse under test
    }
    catch (const af::invalid_state_error& e)
    {
        if (is_invalid_state(e))
            ++caught;
    }
    try
    {
        co_await af::async_future<void>();
    }
    catch (const af::invalid_state_error&)
    {
        ++caught;
    }
}

BOOST_AUTO_TEST_CASE(co_await_an_empty_future_throws_into_the_coroutine)
{
    asio::io_context ctx;
    auto f = af::make_future<int>(ctx);
    int value = 0, caught = 0;
    spawn_result r;
    asio::co_spawn(ctx, await_the_same_variable_twice(f, value, caught), record(r));
    asio::post(ctx, [f] { f.set_result(8); });
    ctx.run();
    BOOST_TEST(r.completed);
    BOOST_TEST(!r.error);
    BOOST_TEST(value == 8);
    BOOST_TEST(caught == 2);
}

// A socket is a socket: no optional, both as the operation and through async_take.
asio::awaitable<void>
await_sockets(af::async_future<asio::ip::tcp::socket> f, bool& first_open, bool& second_failed)
{
    af::async_future<asio::ip::tcp::socket> copy = f;
    asio::ip::tcp::socket s = co_await std::move(copy);
    first_open = s.is_open();
    try
    {
        asio::ip::tcp::socket again = co_await f.async_take(asio::use_awaitable);
    }
    catch (const af::invalid_state_error& e)
    {
        second_failed = is_already_taken(e);
    }
}

BOOST_AUTO_TEST_CASE(co_await_a_socket_future_gives_the_socket)
{
    asio::io_context ctx;
    auto f = af::make_future<asio::ip::tcp::socket>(ctx);
    bool first_open = false, second_failed = false;
    spawn_result r;
    asio::co_spawn(ctx, await_sockets(f, first_open, second_failed), record(r));
    asio::post(
        ctx,
        [f, &ctx]
        {
            asio::ip::tcp::socket s(ctx);
            s.open(asio::ip::tcp::v4());
            f.set_result(std::move(s));
        });
    ctx.run();
    BOOST_TEST(r.completed);
    BOOST_TEST(!r.error);
    BOOST_TEST(first_open);
    BOOST_TEST(second_failed);
}

BOOST_AUTO_TEST_CASE(co_await_propagates_the_original_exception)
{
    asio::io_context ctx;
    auto fi = af::make_future<int>(ctx);
    auto fv = af::make_future<void>(ctx);
    auto fu = af::make_future<std::unique_ptr<int>>(ctx);
    auto fn = af::make_future<no_default>(ctx);
    int caught_i = 0;
    int caught_v = 0;
    int caught_u = 0;
    int caught_n = 0;
    spawn_result ri;
    spawn_result rv;
    spawn_result ru;
    spawn_result rn;
    asio::co_spawn(ctx, await_expect_my_error(fi, caught_i), record(ri));
    asio::co_spawn(ctx, await_expect_my_error(fv, caught_v), record(rv));
    // unique_ptr: async_wait is not available (move-only), co_await the future directly, twice.
    asio::co_spawn(
        ctx,
        [](af::async_future<std::unique_ptr<int>> f, int& caught) -> asio::awaitable<void>
        {
            for (int i = 0; i < 2; ++i)
            {
                try
                {
                    af::async_future<std::unique_ptr<int>> copy = f;
                    co_await std::move(copy);
                }
                catch (const my_error& e)
                {
                    if (std::string(e.what()) == "boom")
                        ++caught;
                }
            }
        }(fu, caught_u),
        record(ru));
    asio::co_spawn(ctx, await_expect_my_error(fn, caught_n), record(rn));
    asio::post(
        ctx,
        [=]()
        {
            fi.set_exception(my_error("boom"));
            fv.set_exception(my_error("boom"));
            fu.set_exception(my_error("boom"));
            fn.set_exception(my_error("boom"));
        });
    ctx.run();
    for (const spawn_result* r : {&ri, &rv, &ru, &rn})
    {
        BOOST_TEST(r->completed);
        BOOST_TEST(!r->error);
    }
    BOOST_TEST(caught_i == 2);
    BOOST_TEST(caught_v == 2);
    BOOST_TEST(caught_u == 2);
    BOOST_TEST(caught_n == 2);
}

BOOST_AUTO_TEST_CASE(co_await_cancelled_future_throws_cancelled_error)
{
    asio::io_context ctx;
    auto f = af::make_future<int>(ctx);
    int caught = 0;
    spawn_result r;
    asio::co_spawn(ctx, await_expect_cancelled(f, caught), record(r));
    asio::post(ctx, [f]() { f.cancel("stop"); });
    ctx.run();
    BOOST_TEST(r.completed);
    BOOST_TEST(!r.error);
    BOOST_TEST(caught == 2);
    BOOST_TEST(f.cancelled());
}

BOOST_AUTO_TEST_CASE(co_await_escaping_exception_reaches_co_spawn)
{
    // Uncaught in the coroutine, the original exception type reaches co_spawn's handler.
    asio::io_context ctx;
    auto f = af::make_future<int>(ctx);
    spawn_result r;
    int unused = 0;
    asio::co_spawn(ctx, await_int(f, unused, unused), record(r));
    f.set_exception(my_error("boom"));
    ctx.run();
    BOOST_TEST(r.completed);
    BOOST_TEST(holds<my_error>(r.error));
}

#endif // BOOST_ASIO_FUTURE_HAS_CO_AWAIT

// ---------------------------------------------------------------------------------------------
// Blocking get() and get(duration): concurrent.futures.Future.result(timeout) for a thread
// outside the future's context, refused at once on a thread running that context.
// ---------------------------------------------------------------------------------------------

#include <boost/asio_future/shield.hpp>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/thread_pool.hpp>

#include <atomic>

namespace
{

bool is_would_deadlock(const af::invalid_state_error& e)
{
    return is_invalid_state(e) && std::string(e.what()).find("deadlock") != std::string::npos;
}

// Runs `ctx` on `n` threads until `stop` (the work guard keeps them in run()).
class runner
{
public:
    runner(asio::io_context& ctx, int n) : ctx_(ctx), work_(asio::make_work_guard(ctx))
    {
        for (int i = 0; i < n; ++i)
            threads_.emplace_back([this] { ctx_.run(); });
    }
    ~runner() { stop(); }
    void stop()
    {
        work_.reset();
        for (auto& t : threads_)
            if (t.joinable())
                t.join();
    }

private:
    asio::io_context& ctx_;
    asio::executor_work_guard<asio::io_context::executor_type> work_;
    std::vector<std::thread> threads_;
};

// Runs `fn` as a handler on `ex` and waits for it.
template <class Executor, class F>
void run_on(const Executor& ex, F fn)
{
    std::promise<void> p;
    asio::post(
        ex,
        [&]
        {
            fn();
            p.set_value();
        });
    p.get_future().get();
}

} // namespace

BOOST_AUTO_TEST_CASE(get_blocks_until_set_from_another_thread)
{
    asio::io_context ctx; // nobody runs it: the resolution itself wakes the blocked thread
    auto f = af::make_future<int>(ctx);
    std::thread t(
        [f]
        {
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
            f.set_result(42);
        });
    BOOST_TEST(f.get() == 42);
    t.join();
    BOOST_TEST(f.get() == 42); // a copy each time
    BOOST_TEST(f.result() == 42);
}

BOOST_AUTO_TEST_CASE(get_on_done_future_returns_at_once)
{
    asio::io_context ctx;
    auto f = af::make_future<std::string>(ctx);
    f.set_result("x");
    BOOST_TEST(f.get() == "x");
    BOOST_TEST(f.get(std::chrono::seconds(0)) == "x");
    BOOST_TEST(f.get(std::chrono::milliseconds(-5)) == "x");
}

BOOST_AUTO_TEST_CASE(get_rethrows_the_stored_exception_and_retrieves_it)
{
    asio::io_context ctx;
    int reports = 0;
    asio::use_service<af::future_service>(ctx).set_exception_handler(
        [&](const af::exception_context&) { ++reports; });
    {
        auto f = af::make_future<int>(ctx);
        std::thread t([f] { f.set_exception(my_error("boom")); });
        BOOST_CHECK_THROW(f.get(), my_error);
        t.join();
        BOOST_CHECK_THROW(f.get(std::chrono::seconds(1)), my_error);
    }
    BOOST_TEST(reports == 0); // get() retrieved it: no "exception was never retrieved"
}

BOOST_AUTO_TEST_CASE(get_on_cancelled_future_throws_cancelled_error)
{
    asio::io_context ctx;
    auto f = af::make_future<int>(ctx);
    std::thread t([f] { f.cancel("stop"); });
    try
    {
        f.get();
        BOOST_ERROR("get() returned");
    }
    catch (const af::cancelled_error& e)
    {
        BOOST_TEST(e.cancel_message() == "stop");
    }
    t.join();
}

BOOST_AUTO_TEST_CASE(get_void_move_only_and_no_default)
{
    asio::io_context ctx;
    auto v = af::make_future<void>(ctx);
    std::thread t1([v] { v.set_result(); });
    v.get();
    t1.join();

    auto m = af::make_future<std::unique_ptr<int>>(ctx);
    std::thread t2([m] { m.set_result(std::make_unique<int>(7)); });
    std::unique_ptr<int> p = m.get(); // taken
    t2.join();
    BOOST_TEST(*p == 7);
    BOOST_CHECK_EXCEPTION(m.get(), af::invalid_state_error, is_already_taken);

    auto n = af::make_future<no_default>(ctx);
    n.set_result(5);
    no_default got = n.get(); // T itself, not an optional
    BOOST_TEST(got.v == 5);
}

BOOST_AUTO_TEST_CASE(get_on_empty_handle_throws_invalid_state)
{
    af::async_future<int> f;
    BOOST_CHECK_EXCEPTION(f.get(), af::invalid_state_error, is_invalid_state);
    BOOST_CHECK_EXCEPTION(
        f.get(std::chrono::seconds(1)),
        af::invalid_state_error,
        is_invalid_state);
}

// tag::ref_get[]
BOOST_AUTO_TEST_CASE(get_duration_expires_and_leaves_the_future_pending)
{
    asio::io_context ctx;
    auto f = af::make_future<int>(ctx);
    const auto start = std::chrono::steady_clock::now();
    BOOST_CHECK_THROW(f.get(std::chrono::milliseconds(30)), af::timeout_error);
    BOOST_TEST((std::chrono::steady_clock::now() - start >= std::chrono::milliseconds(30)));
    BOOST_TEST(!f.done());
    BOOST_CHECK_THROW(f.get(std::chrono::seconds(0)), af::timeout_error);
    BOOST_CHECK_THROW(f.get(std::chrono::milliseconds(-1)), af::timeout_error);
    // The expired node left the list: a later resolution and a later get() are unaffected.
    f.set_result(3);
    BOOST_TEST(f.get(std::chrono::milliseconds(1)) == 3);
    ctx.run();
}
// end::ref_get[]

BOOST_AUTO_TEST_CASE(get_duration_returns_when_resolved_in_time)
{
    asio::io_context ctx;
    auto f = af::make_future<int>(ctx);
    std::thread t(
        [f]
        {
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
            f.set_result(1);
        });
    BOOST_TEST(f.get(std::chrono::seconds(30)) == 1);
    t.join();
    auto g = af::make_future<int>(ctx);
    std::thread t2(
        [g]
        {
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
            g.set_result(2);
        });
    // Durations too long to add to now() mean "no timeout".
    BOOST_TEST(g.get(std::chrono::hours::max()) == 2);
    t2.join();
}

BOOST_AUTO_TEST_CASE(get_with_other_waiters_and_callbacks)
{
    // A blocked get() is one more node in the list: waits and done callbacks still run.
    asio::io_context ctx;
    runner r(ctx, 1);
    auto f = af::make_future<int>(ctx);
    std::atomic<int> seen{0};
    f.add_done_callback([&](const af::async_future<int>& d) { seen += d.result(); });
    f.async_wait([&](std::exception_ptr, int v) { seen += v; });
    std::thread t(
        [f]
        {
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
            asio::post(f.get_executor(), [f] { f.set_result(10); });
        });
    BOOST_TEST(f.get() == 10);
    t.join();
    r.stop();
    BOOST_TEST(seen == 20);
}

BOOST_AUTO_TEST_CASE(get_from_outside_a_context_run_by_one_and_by_two_threads)
{
    for (int n : {1, 2})
    {
        asio::io_context ctx;
        runner r(ctx, n);
        auto f = af::make_future<int>(ctx);
        asio::post(ctx, [f] { f.set_result(5); });
        BOOST_TEST(f.get() == 5);
        auto g = af::make_future<int>(ctx);
        asio::steady_timer timer(ctx, std::chrono::milliseconds(10));
        timer.async_wait([g](boost::system::error_code) { g.set_result(6); });
        BOOST_TEST(g.get(std::chrono::seconds(30)) == 6);
    }
}

BOOST_AUTO_TEST_CASE(get_inside_run_throws_at_once_done_or_not)
{
    for (int n : {1, 2})
    {
        asio::io_context ctx;
        runner r(ctx, n);
        auto pending = af::make_future<int>(ctx);
        auto done = af::make_future<int>(ctx);
        done.set_result(1);
        run_on(
            ctx.get_executor(),
            [&]
            {
                BOOST_CHECK_EXCEPTION(pending.get(), af::invalid_state_error, is_would_deadlock);
                BOOST_CHECK_EXCEPTION(
                    pending.get(std::chrono::seconds(10)),
                    af::invalid_state_error,
                    is_would_deadlock);
                BOOST_CHECK_EXCEPTION(done.get(), af::invalid_state_error, is_would_deadlock);
                BOOST_CHECK_EXCEPTION(
                    af::shield(done).get(),
                    af::invalid_state_error,
                    is_would_deadlock);
            });
        BOOST_TEST(!pending.done());
        BOOST_TEST(done.get() == 1); // from outside it works
    }
}

BOOST_AUTO_TEST_CASE(get_inside_poll_and_run_one_throws)
{
    asio::io_context ctx;
    auto f = af::make_future<int>(ctx);
    int refused = 0;
    asio::post(
        ctx,
        [&]
        {
            try
            {
                f.get();
            }
            catch (const af::invalid_state_error& e)
            {
                refused += is_would_deadlock(e);
            }
        });
    ctx.run_one();
    asio::post(
        ctx,
        [&]
        {
            try
            {
                f.get(std::chrono::seconds(1));
            }
            catch (const af::invalid_state_error& e)
            {
                refused += is_would_deadlock(e);
            }
        });
    ctx.restart(); // run_one() ran out of work
    ctx.poll();
    BOOST_TEST(refused == 2);
}

BOOST_AUTO_TEST_CASE(get_with_concrete_io_context_executor)
{
    asio::io_context ctx;
    runner r(ctx, 1);
    af::basic_async_future<int, asio::io_context::executor_type> f(ctx.get_executor());
    run_on(
        ctx.get_executor(),
        [&] { BOOST_CHECK_EXCEPTION(f.get(), af::invalid_state_error, is_would_deadlock); });
    asio::post(ctx, [f] { f.set_result(2); });
    BOOST_TEST(f.get() == 2);
}

BOOST_AUTO_TEST_CASE(get_inside_a_strand_handler_throws)
{
    asio::io_context ctx;
    runner r(ctx, 2);
    auto strand = asio::make_strand(ctx);
    // Bound to the strand (any_io_executor wrapping it), and to the strand itself.
    auto f = af::make_future<int>(strand);
    af::basic_async_future<int, asio::strand<asio::io_context::executor_type>> g(strand);
    // Bound to the io_context, while a strand handler on it runs.
    auto h = af::make_future<int>(ctx);
    run_on(
        strand,
        [&]
        {
            BOOST_CHECK_EXCEPTION(f.get(), af::invalid_state_error, is_would_deadlock);
            BOOST_CHECK_EXCEPTION(g.get(), af::invalid_state_error, is_would_deadlock);
            BOOST_CHECK_EXCEPTION(h.get(), af::invalid_state_error, is_would_deadlock);
        });
    // A plain handler of the io_context, outside the strand: still a thread running it.
    run_on(
        ctx.get_executor(),
        [&]
        {
            BOOST_CHECK_EXCEPTION(f.get(), af::invalid_state_error, is_would_deadlock);
            BOOST_CHECK_EXCEPTION(g.get(), af::invalid_state_error, is_would_deadlock);
        });
    asio::post(
        strand,
        [f, g]
        {
            f.set_result(1);
            g.set_result(2);
        });
    BOOST_TEST(f.get() == 1);
    BOOST_TEST(g.get() == 2);
}

BOOST_AUTO_TEST_CASE(get_on_a_thread_pool_thread_throws)
{
    asio::thread_pool pool(2);
    auto f = af::make_future<int>(pool);
    af::basic_async_future<int, asio::thread_pool::executor_type> g(pool.get_executor());
    auto s = asio::make_strand(pool);
    auto h = af::make_future<int>(s);
    run_on(
        pool.get_executor(),
        [&]
        {
            BOOST_CHECK_EXCEPTION(f.get(), af::invalid_state_error, is_would_deadlock);
            BOOST_CHECK_EXCEPTION(g.get(), af::invalid_state_error, is_would_deadlock);
            BOOST_CHECK_EXCEPTION(h.get(), af::invalid_state_error, is_would_deadlock);
        });
    run_on(
        s,
        [&]
        {
            BOOST_CHECK_EXCEPTION(h.get(), af::invalid_state_error, is_would_deadlock);
            BOOST_CHECK_EXCEPTION(f.get(), af::invalid_state_error, is_would_deadlock);
        });
    asio::post(
        pool,
        [f, g, h]
        {
            f.set_result(1);
            g.set_result(2);
            h.set_result(3);
        });
    BOOST_TEST(f.get() == 1);
    BOOST_TEST(g.get() == 2);
    BOOST_TEST(h.get() == 3);
    pool.join();
}

BOOST_AUTO_TEST_CASE(get_on_a_thread_running_another_context_blocks)
{
    // Only the future's own context is refused: a thread running ctx2 may wait for ctx1.
    asio::io_context ctx1;
    asio::io_context ctx2;
    runner r(ctx1, 1);
    auto f = af::make_future<int>(ctx1);
    int got = 0;
    asio::post(ctx2, [&] { got = f.get(std::chrono::seconds(30)); });
    asio::post(ctx1, [f] { f.set_result(9); });
    ctx2.run();
    BOOST_TEST(got == 9);
}

BOOST_AUTO_TEST_CASE(get_blocked_when_the_context_is_destroyed)
{
    // The context's shutdown cancels the future: the blocked thread wakes with cancelled_error.
    auto ctx = std::make_unique<asio::io_context>();
    auto f = af::make_future<int>(*ctx);
    std::atomic<bool> cancelled{false};
    std::promise<void> entered;
    std::thread t(
        [f, &cancelled, &entered]
        {
            entered.set_value();
            try
            {
                f.get();
            }
            catch (const af::cancelled_error&)
            {
                cancelled = true;
            }
        });
    entered.get_future().get();
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    ctx.reset();
    t.join();
    BOOST_TEST(cancelled);
}

BOOST_AUTO_TEST_CASE(get_duration_racing_the_resolution_never_loses_it)
{
    // Bounded cross-thread stress: each get(timeout) either times out with the future still
    // pending, or returns the value; a value set meanwhile is seen by the next get().
    asio::io_context ctx;
    const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(500);
    int rounds = 0, timeouts = 0;
    while (std::chrono::steady_clock::now() < until)
    {
        auto f = af::make_future<int>(ctx);
        std::thread t(
            [f, rounds]
            {
                if (rounds % 3 == 0)
                    std::this_thread::yield();
                f.set_result(rounds);
            });
        int got = -1;
        for (;;)
        {
            try
            {
                got = f.get(std::chrono::microseconds(rounds % 50));
                break;
            }
            catch (const af::timeout_error&)
            {
                ++timeouts;
            }
        }
        t.join();
        BOOST_REQUIRE(got == rounds);
        ++rounds;
    }
    BOOST_TEST(rounds > 0);
    BOOST_TEST_MESSAGE(rounds << " rounds, " << timeouts << " timeouts");
}
