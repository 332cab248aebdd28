//
// Copyright (c) 2026 The asio_future Authors.
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// The completion token af::use_async_future (SPEC section 3): every completion signature shape
// through the archetypes, real Asio operations (timers, post, TCP, co_spawn), the executor the
// future is bound to, cancellation in both directions, allocators, as_default_on, context
// shutdown and broken promises.

// The header under test comes first: it must be self-contained.
#include <boost/asio_future/use_async_future.hpp>

#define BOOST_TEST_MODULE use_async_future
#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address_v4.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/system_executor.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/asio/write.hpp>
#include <boost/test/unit_test.hpp>

#include <array>
#include <chrono>
#include <cstddef>
#include <exception>
#include <future>
#include <memory>
#include <new>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "archetypes/async_ops.hpp"
#include "support/cancel_after.hpp"

#if defined(BOOST_ASIO_FUTURE_HAS_CO_AWAIT)
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#endif

namespace af = boost::asio_future;
namespace asio = boost::asio;
using boost::asio::ip::tcp;
using namespace std::chrono_literals;

namespace
{

// A duration no correct test waits for: an operation given it must be cancelled to finish.
constexpr std::chrono::steady_clock::duration forever = std::chrono::seconds(30);

using io_executor = asio::io_context::executor_type;

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

void run(asio::io_context& ctx)
{
    ctx.restart();
    ctx.run();
}

enum class expect
{
    success,
    system_error, // archetypes::failure_code()
    runtime_error // archetypes::failure_message, not a system_error
};

// Checks that `e` is the failure an archetype reports.
void check_failure(std::exception_ptr e, expect what)
{
    BOOST_TEST_REQUIRE(static_cast<bool>(e));
    try
    {
        std::rethrow_exception(e);
    }
    catch (const boost::system::system_error& ex)
    {
        BOOST_TEST((what == expect::system_error));
        BOOST_TEST(ex.code() == archetypes::failure_code());
    }
    catch (const std::runtime_error& ex)
    {
        BOOST_TEST((what == expect::runtime_error));
        BOOST_TEST(std::string(ex.what()) == archetypes::failure_message);
    }
    catch (...)
    {
        BOOST_FAIL("unexpected exception type");
    }
}

// The outcome one async_wait delivered.
template <class T>
struct wait_outcome
{
    int calls = 0;
    std::exception_ptr error;
    std::optional<T> value;
};

template <>
struct wait_outcome<void>
{
    int calls = 0;
    std::exception_ptr error;
};

// A wait handler recording into a shared outcome.
template <class T>
auto recorder(const std::shared_ptr<wait_outcome<T>>& out)
{
    if constexpr (std::is_void_v<T>)
        return [out](std::exception_ptr e)
        {
            ++out->calls;
            out->error = e;
        };
    else
        return [out](std::exception_ptr e, T v)
        {
            ++out->calls;
            out->error = e;
            if (!e)
                out->value.emplace(std::move(v));
        };
}

template <class T>
void check_outcome(const af::async_future<T>& fut, expect what, const T* expected)
{
    BOOST_TEST(fut.done());
    BOOST_TEST(!fut.cancelled());
    if (what == expect::success)
    {
        BOOST_TEST(!fut.exception());
        if constexpr (std::is_void_v<T>)
        {
            (void)expected;
            BOOST_CHECK_NO_THROW(fut.result());
        }
        else
            BOOST_TEST((fut.result() == *expected));
        return;
    }
    std::exception_ptr stored = fut.exception();
    check_failure(stored, what);
    // result() rethrows the stored exception object itself.
    try
    {
        (void)fut.result();
        BOOST_FAIL("result() did not throw");
    }
    catch (...)
    {
        BOOST_TEST((std::current_exception() == stored));
    }
}

// Runs one shape twice: read with result() after run(), and through async_wait.
template <class T, class Make>
void check_shape(Make make, expect what, const T* expected = nullptr)
{
    {
        asio::io_context ctx;
        af::async_future<T> fut = make(ctx.get_executor());
        BOOST_TEST(fut.valid());
        BOOST_TEST(!fut.done()); // never completes inside the initiating call
        BOOST_TEST((fut.get_executor() == asio::any_io_executor(ctx.get_executor())));
        ctx.run();
        check_outcome<T>(fut, what, expected);
    }
    {
        asio::io_context ctx;
        af::async_future<T> fut = make(ctx.get_executor());
        auto out = std::make_shared<wait_outcome<T>>();
        fut.async_wait(recorder<T>(out));
        BOOST_TEST(out->calls == 0);
        ctx.run();
        BOOST_TEST(out->calls == 1);
        if (what == expect::success)
        {
            BOOST_TEST(!out->error);
            if constexpr (!std::is_void_v<T>)
            {
                BOOST_TEST_REQUIRE(out->value.has_value());
                BOOST_TEST((*out->value == *expected));
            }
        }
        else
            check_failure(out->error, what);
        check_outcome<T>(fut, what, expected);
    }
}

template <class T>
void check_cancelled(const af::async_future<T>& fut, const std::string& msg = {})
{
    BOOST_TEST(fut.done());
    BOOST_TEST(fut.cancelled());
    BOOST_CHECK_THROW((void)fut.exception(), af::cancelled_error);
    try
    {
        (void)fut.result();
        BOOST_FAIL("result() did not throw");
    }
    catch (const af::cancelled_error& e)
    {
        BOOST_TEST(e.code() == af::make_error_code(af::error::cancelled));
        BOOST_TEST(e.cancel_message() == msg);
    }
}

void check_is_cancelled_error(std::exception_ptr e)
{
    BOOST_TEST_REQUIRE(static_cast<bool>(e));
    BOOST_CHECK_THROW(std::rethrow_exception(e), af::cancelled_error);
}

void check_is_broken_promise(std::exception_ptr e)
{
    BOOST_TEST_REQUIRE(static_cast<bool>(e));
    try
    {
        std::rethrow_exception(e);
    }
    catch (const af::broken_promise_error& ex)
    {
        BOOST_TEST(ex.code() == af::make_error_code(af::error::broken_promise));
    }
    catch (...)
    {
        BOOST_FAIL("not a broken_promise_error");
    }
}

// A future whose operation's context shut down: cancelled by the shutdown, or failed with
// broken_promise_error if the operation's handler was destroyed first.
template <class T>
void check_shutdown_outcome(const af::async_future<T>& fut)
{
    BOOST_TEST_REQUIRE(fut.done());
    if (fut.cancelled())
        BOOST_CHECK_THROW((void)fut.result(), af::cancelled_error);
    else
        check_is_broken_promise(fut.exception());
}

// ---------------------------------------------------------------------------------------------
// A counting allocator
// ---------------------------------------------------------------------------------------------

struct alloc_stats
{
    std::size_t allocs = 0;
    std::size_t deallocs = 0;
    std::size_t state_allocs = 0; // allocations of the future's shared state
    std::size_t state_deallocs = 0;
};

template <class T>
class counting_allocator
{
public:
    using value_type = T;

    explicit counting_allocator(alloc_stats* s) noexcept : stats_(s) {}

    template <class U>
    counting_allocator(const counting_allocator<U>& other) noexcept : stats_(other.stats())
    {
    }

    T* allocate(std::size_t n)
    {
        ++stats_->allocs;
        if constexpr (is_state)
            ++stats_->state_allocs;
        return static_cast<T*>(::operator new(n * sizeof(T)));
    }

    void deallocate(T* p, std::size_t) noexcept
    {
        ++stats_->deallocs;
        if constexpr (is_state)
            ++stats_->state_deallocs;
        ::operator delete(p);
    }

    alloc_stats* stats() const noexcept { return stats_; }

    friend bool operator==(const counting_allocator& a, const counting_allocator& b) noexcept
    {
        return a.stats_ == b.stats_;
    }
    friend bool operator!=(const counting_allocator& a, const counting_allocator& b) noexcept
    {
        return a.stats_ != b.stats_;
    }

private:
    // The future's shared state is the only allocation whose type derives from the library's
    // state base; everything else is an operation's own storage.
    static constexpr bool is_state = std::is_base_of_v<af::detail::state_base, T>;

    alloc_stats* stats_;
};

} // namespace

// =============================================================================================
// Signature shapes through the archetypes
// =============================================================================================

BOOST_AUTO_TEST_SUITE(shapes)

BOOST_AUTO_TEST_CASE(value_types)
{
    using ex_t = asio::any_io_executor;
    const auto tok = af::use_async_future;
    BOOST_TEST((std::is_same_v<
                decltype(archetypes::async_op_0(std::declval<ex_t>(), tok)),
                af::async_future<void>>));
    BOOST_TEST((std::is_same_v<
                decltype(archetypes::async_op_ec_0(std::declval<ex_t>(), true, tok)),
                af::async_future<void>>));
    BOOST_TEST((std::is_same_v<
                decltype(archetypes::async_op_ex_0(std::declval<ex_t>(), true, tok)),
                af::async_future<void>>));
    BOOST_TEST((std::is_same_v<
                decltype(archetypes::async_op_1(std::declval<ex_t>(), tok)),
                af::async_future<int>>));
    BOOST_TEST((std::is_same_v<
                decltype(archetypes::async_op_ec_1(std::declval<ex_t>(), true, tok)),
                af::async_future<int>>));
    BOOST_TEST((std::is_same_v<
                decltype(archetypes::async_op_ex_1(std::declval<ex_t>(), true, tok)),
                af::async_future<int>>));
    BOOST_TEST((std::is_same_v<
                decltype(archetypes::async_op_2(std::declval<ex_t>(), tok)),
                af::async_future<std::tuple<int, double>>>));
    BOOST_TEST((std::is_same_v<
                decltype(archetypes::async_op_ec_2(std::declval<ex_t>(), true, tok)),
                af::async_future<std::tuple<int, double>>>));
    BOOST_TEST((std::is_same_v<
                decltype(archetypes::async_op_ex_2(std::declval<ex_t>(), true, tok)),
                af::async_future<std::tuple<int, double>>>));
    BOOST_TEST((std::is_same_v<
                decltype(archetypes::async_op_1_no_executor(std::declval<ex_t>(), tok)),
                af::async_future<int>>));
    // The operation's own executor type does not leak into the future's type.
    BOOST_TEST((std::is_same_v<
                decltype(archetypes::async_op_1(std::declval<io_executor>(), tok)),
                af::async_future<int>>));
}

BOOST_AUTO_TEST_CASE(void_no_args)
{
    check_shape<void>(
        [](const io_executor& ex) { return archetypes::async_op_0(ex, af::use_async_future); },
        expect::success);
}

BOOST_AUTO_TEST_CASE(error_code_success)
{
    check_shape<void>(
        [](const io_executor& ex)
        { return archetypes::async_op_ec_0(ex, true, af::use_async_future); },
        expect::success);
}

BOOST_AUTO_TEST_CASE(error_code_failure_is_system_error)
{
    check_shape<void>(
        [](const io_executor& ex)
        { return archetypes::async_op_ec_0(ex, false, af::use_async_future); },
        expect::system_error);
}

BOOST_AUTO_TEST_CASE(exception_ptr_success)
{
    check_shape<void>(
        [](const io_executor& ex)
        { return archetypes::async_op_ex_0(ex, true, af::use_async_future); },
        expect::success);
}

BOOST_AUTO_TEST_CASE(exception_ptr_failure_stored_as_is)
{
    check_shape<void>(
        [](const io_executor& ex)
        { return archetypes::async_op_ex_0(ex, false, af::use_async_future); },
        expect::runtime_error);
}

BOOST_AUTO_TEST_CASE(one_value)
{
    const int v = archetypes::int_value;
    check_shape<int>(
        [](const io_executor& ex) { return archetypes::async_op_1(ex, af::use_async_future); },
        expect::success,
        &v);
}

BOOST_AUTO_TEST_CASE(error_code_and_value)
{
    const int v = archetypes::int_value;
    check_shape<int>(
        [](const io_executor& ex)
        { return archetypes::async_op_ec_1(ex, true, af::use_async_future); },
        expect::success,
        &v);
    check_shape<int>(
        [](const io_executor& ex)
        { return archetypes::async_op_ec_1(ex, false, af::use_async_future); },
        expect::system_error,
        &v);
}

BOOST_AUTO_TEST_CASE(exception_ptr_and_value)
{
    const int v = archetypes::int_value;
    check_shape<int>(
        [](const io_executor& ex)
        { return archetypes::async_op_ex_1(ex, true, af::use_async_future); },
        expect::success,
        &v);
    check_shape<int>(
        [](const io_executor& ex)
        { return archetypes::async_op_ex_1(ex, false, af::use_async_future); },
        expect::runtime_error,
        &v);
}

BOOST_AUTO_TEST_CASE(two_values_make_a_tuple)
{
    const std::tuple<int, double> v(archetypes::int_value, archetypes::double_value);
    check_shape<std::tuple<int, double>>(
        [](const io_executor& ex) { return archetypes::async_op_2(ex, af::use_async_future); },
        expect::success,
        &v);
}

BOOST_AUTO_TEST_CASE(error_code_and_two_values)
{
    const std::tuple<int, double> v(archetypes::int_value, archetypes::double_value);
    check_shape<std::tuple<int, double>>(
        [](const io_executor& ex)
        { return archetypes::async_op_ec_2(ex, true, af::use_async_future); },
        expect::success,
        &v);
    check_shape<std::tuple<int, double>>(
        [](const io_executor& ex)
        { return archetypes::async_op_ec_2(ex, false, af::use_async_future); },
        expect::system_error,
        &v);
}

BOOST_AUTO_TEST_CASE(exception_ptr_and_two_values)
{
    const std::tuple<int, double> v(archetypes::int_value, archetypes::double_value);
    check_shape<std::tuple<int, double>>(
        [](const io_executor& ex)
        { return archetypes::async_op_ex_2(ex, true, af::use_async_future); },
        expect::success,
        &v);
    check_shape<std::tuple<int, double>>(
        [](const io_executor& ex)
        { return archetypes::async_op_ex_2(ex, false, af::use_async_future); },
        expect::runtime_error,
        &v);
}

// An operation that completes with operation_aborted leaves the future cancelled, whoever
// aborted it, and a cancelled future is never reported as "exception was never retrieved".
BOOST_AUTO_TEST_CASE(operation_aborted_leaves_the_future_cancelled)
{
    asio::io_context ctx;
    int reports = 0;
    asio::use_service<af::future_service>(ctx).set_exception_handler(
        [&](const af::exception_context&) { ++reports; });
    {
        af::async_future<void> fut = archetypes::async_op_ec_0_with(
            ctx.get_executor(),
            asio::error::operation_aborted,
            af::use_async_future);
        ctx.run();
        BOOST_TEST(fut.done());
        BOOST_TEST(fut.cancelled());
        BOOST_CHECK_THROW(fut.result(), af::cancelled_error);
    }
    {
        // Not retrieved at all: still no report.
        af::async_future<void> fut = archetypes::async_op_ec_0_with(
            ctx.get_executor(),
            asio::error::operation_aborted,
            af::use_async_future);
        ctx.restart();
        ctx.run();
        BOOST_TEST(fut.cancelled());
    }
    // Another error is still a failure, and reported when nobody retrieves it.
    {
        af::async_future<void> fut = archetypes::async_op_ec_0_with(
            ctx.get_executor(),
            asio::error::connection_reset,
            af::use_async_future);
        ctx.restart();
        ctx.run();
        BOOST_TEST(!fut.cancelled());
    }
    BOOST_TEST(reports == 1);
}

BOOST_AUTO_TEST_SUITE_END()

// =============================================================================================
// Real Asio operations
// =============================================================================================

BOOST_AUTO_TEST_SUITE(asio_operations)

BOOST_AUTO_TEST_CASE(steady_timer_async_wait)
{
    asio::io_context ctx;
    asio::steady_timer timer(ctx, 1ms);
    auto fut = timer.async_wait(af::use_async_future);
    static_assert(std::is_same_v<decltype(fut), af::async_future<void>>);
    BOOST_TEST((fut.get_executor() == asio::any_io_executor(ctx.get_executor())));
    BOOST_TEST(!fut.done());
    ctx.run();
    BOOST_TEST(fut.done());
    BOOST_CHECK_NO_THROW(fut.result());
}

// timer.cancel() aborts the operation: the future ends cancelled, and no "never retrieved"
// report is written when it is dropped unread (it used to print one on stderr).
BOOST_AUTO_TEST_CASE(steady_timer_cancelled_through_the_timer)
{
    asio::io_context ctx;
    int reports = 0;
    asio::use_service<af::future_service>(ctx).set_exception_handler(
        [&](const af::exception_context&) { ++reports; });
    asio::steady_timer timer(ctx, forever);
    {
        auto fut = timer.async_wait(af::use_async_future);
        timer.cancel();
        ctx.run();
        BOOST_TEST(fut.cancelled());
        try
        {
            fut.result();
            BOOST_FAIL("result() did not throw");
        }
        catch (const af::cancelled_error& e)
        {
            BOOST_TEST((e.code() == af::make_error_code(af::error::cancelled)));
        }
    }
    {
        auto unread = timer.async_wait(af::use_async_future);
        timer.cancel();
        ctx.restart();
        ctx.run();
        BOOST_TEST(unread.cancelled());
    }
    BOOST_TEST(reports == 0);
}

// socket.close() aborts a pending read: the future ends cancelled.
BOOST_AUTO_TEST_CASE(socket_closed_under_a_pending_read)
{
    asio::io_context ctx;
    int reports = 0;
    asio::use_service<af::future_service>(ctx).set_exception_handler(
        [&](const af::exception_context&) { ++reports; });
    tcp::acceptor acceptor(ctx, tcp::endpoint(asio::ip::address_v4::loopback(), 0));
    tcp::socket client(ctx);
    client.connect(acceptor.local_endpoint());
    tcp::socket server = acceptor.accept();
    std::array<char, 16> buf{};
    auto read = server.async_read_some(asio::buffer(buf), af::use_async_future);
    static_assert(std::is_same_v<decltype(read), af::async_future<std::size_t>>);
    asio::post(ctx, [&] { server.close(); });
    ctx.run();
    BOOST_TEST(read.cancelled());
    BOOST_TEST(reports == 0);
}

BOOST_AUTO_TEST_CASE(post_with_executor)
{
    asio::io_context ctx;
    auto fut = asio::post(ctx.get_executor(), af::use_async_future);
    static_assert(std::is_same_v<decltype(fut), af::async_future<void>>);
    BOOST_TEST((fut.get_executor() == asio::any_io_executor(ctx.get_executor())));
    BOOST_TEST(!fut.done());
    ctx.run();
    BOOST_TEST(fut.done());
    BOOST_CHECK_NO_THROW(fut.result());

    // Posting through the context itself.
    auto fut2 = asio::post(ctx, af::use_async_future);
    BOOST_TEST((fut2.get_executor() == asio::any_io_executor(ctx.get_executor())));
    run(ctx);
    BOOST_CHECK_NO_THROW(fut2.result());
}

// tag::ref_token_system_executor[]
BOOST_AUTO_TEST_CASE(post_without_executor_binds_system_executor)
{
    auto fut = asio::post(af::use_async_future);
    static_assert(std::is_same_v<decltype(fut), af::async_future<void>>);
    BOOST_TEST((fut.get_executor() == asio::any_io_executor(asio::system_executor())));
    std::future<void> waited = fut.async_wait(asio::use_future);
    BOOST_TEST_REQUIRE((waited.wait_for(std::chrono::seconds(60)) == std::future_status::ready));
    BOOST_CHECK_NO_THROW(waited.get());
    BOOST_TEST(fut.done());
    BOOST_CHECK_NO_THROW(fut.result());

    // A done callback of a system-executor future runs on the system executor.
    std::promise<bool> called;
    fut.add_done_callback([&](const af::async_future<void>& f) { called.set_value(f.done()); });
    std::future<bool> cb = called.get_future();
    BOOST_TEST_REQUIRE((cb.wait_for(std::chrono::seconds(60)) == std::future_status::ready));
    BOOST_TEST(cb.get());
}
// end::ref_token_system_executor[]

BOOST_AUTO_TEST_CASE(future_bound_to_timer_executor)
{
    asio::io_context ctx;
    auto strand = asio::make_strand(ctx);
    asio::steady_timer timer(strand, 1ms);
    auto fut = timer.async_wait(af::use_async_future);
    BOOST_TEST((fut.get_executor() == asio::any_io_executor(strand)));
    BOOST_TEST((fut.get_executor() != asio::any_io_executor(ctx.get_executor())));
    bool in_strand = false;
    fut.add_done_callback([&](const af::async_future<void>&)
                          { in_strand = strand.running_in_this_thread(); });
    ctx.run();
    BOOST_TEST(fut.done());
    BOOST_TEST(in_strand);

    // A post to a strand binds the future to the strand as well.
    auto posted = asio::post(strand, af::use_async_future);
    BOOST_TEST((posted.get_executor() == asio::any_io_executor(strand)));
    run(ctx);
    BOOST_CHECK_NO_THROW(posted.result());
}

// tag::ref_as_default_on[]
BOOST_AUTO_TEST_CASE(as_default_on_steady_timer)
{
    using timer_type = af::use_async_future_t<>::as_default_on_t<asio::steady_timer>;
    static_assert(std::is_same_v<
                  timer_type::executor_type::default_completion_token_type,
                  af::use_async_future_t<>>);

    asio::io_context ctx;
    auto timer = af::use_async_future_t<>::as_default_on(asio::steady_timer(ctx));
    static_assert(std::is_same_v<decltype(timer), timer_type>);
    timer.expires_after(1ms);
    auto fut = timer.async_wait();
    static_assert(std::is_same_v<decltype(fut), af::async_future<void>>);
    BOOST_TEST((fut.get_executor() == asio::any_io_executor(ctx.get_executor())));
    BOOST_TEST(!fut.done());
    ctx.run();
    BOOST_CHECK_NO_THROW(fut.result());

    // An executor_with_default wrapping another executor works the same way.
    using strand_default =
        af::use_async_future_t<>::executor_with_default<asio::strand<io_executor>>;
    asio::basic_waitable_timer<
        std::chrono::steady_clock,
        asio::wait_traits<std::chrono::steady_clock>,
        strand_default>
        strand_timer(strand_default(asio::make_strand(ctx)), 1ms);
    auto fut2 = strand_timer.async_wait();
    static_assert(std::is_same_v<decltype(fut2), af::async_future<void>>);
    run(ctx);
    BOOST_CHECK_NO_THROW(fut2.result());
}
// end::ref_as_default_on[]

// ---- TCP over loopback ----------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(tcp_callback_style)
{
    asio::io_context ctx;
    tcp::acceptor acceptor(ctx, tcp::endpoint(asio::ip::address_v4::loopback(), 0));
    const tcp::endpoint ep = acceptor.local_endpoint();

    auto accepted = acceptor.async_accept(af::use_async_future);
    static_assert(std::is_same_v<decltype(accepted), af::async_future<tcp::socket>>);

    tcp::socket client(ctx);
    const std::array<tcp::endpoint, 1> endpoints{{ep}};
    auto connected = asio::async_connect(client, endpoints, af::use_async_future);
    static_assert(std::is_same_v<decltype(connected), af::async_future<tcp::endpoint>>);

    const std::string msg = "hello over a future";
    std::array<char, 64> buf{};
    std::optional<tcp::socket> server;
    af::async_future<std::size_t> written;
    af::async_future<std::size_t> read;

    // A move-only result is taken once.
    accepted.async_take(
        [&](std::exception_ptr e, tcp::socket s)
        {
            BOOST_TEST(!e);
            BOOST_TEST_REQUIRE(s.is_open());
            server.emplace(std::move(s));
            written = asio::async_write(*server, asio::buffer(msg), af::use_async_future);
        });
    connected.add_done_callback(
        [&](const af::async_future<tcp::endpoint>& f)
        {
            BOOST_TEST((f.result() == ep));
            read = asio::async_read(
                client,
                asio::buffer(buf.data(), msg.size()),
                af::use_async_future);
        });
    ctx.run();

    BOOST_TEST_REQUIRE(written.valid());
    BOOST_TEST_REQUIRE(read.valid());
    BOOST_TEST(written.result() == msg.size());
    BOOST_TEST(read.result() == msg.size());
    BOOST_TEST(std::string(buf.data(), msg.size()) == msg);
    BOOST_TEST(accepted.done());
    BOOST_CHECK_THROW((void)accepted.result(), af::invalid_state_error); // taken

    // async_read_some: a single read completes with the bytes available.
    auto more = asio::async_write(client, asio::buffer(msg), af::use_async_future);
    std::array<char, 64> buf2{};
    auto some = server->async_read_some(asio::buffer(buf2), af::use_async_future);
    static_assert(std::is_same_v<decltype(some), af::async_future<std::size_t>>);
    run(ctx);
    BOOST_TEST(more.result() == msg.size());
    BOOST_TEST(some.result() >= 1u);
    BOOST_TEST(std::string(buf2.data(), some.result()) == msg.substr(0, some.result()));
}

BOOST_AUTO_TEST_CASE(tcp_connect_refused_is_system_error)
{
    asio::io_context ctx;
    tcp::endpoint ep;
    {
        tcp::acceptor closed(ctx, tcp::endpoint(asio::ip::address_v4::loopback(), 0));
        ep = closed.local_endpoint();
    }
    tcp::socket s(ctx);
    auto fut = s.async_connect(ep, af::use_async_future);
    static_assert(std::is_same_v<decltype(fut), af::async_future<void>>);
    ctx.run();
    BOOST_TEST(!fut.cancelled());
    try
    {
        fut.result();
        BOOST_FAIL("connect succeeded on a closed port");
    }
    catch (const boost::system::system_error& e)
    {
        BOOST_TEST(e.code() == asio::error::connection_refused);
    }
}

BOOST_AUTO_TEST_SUITE_END()

// =============================================================================================
// Cancellation
// =============================================================================================

BOOST_AUTO_TEST_SUITE(cancellation)

// fut.cancel(): cancelled at once, terminal emitted (not inline) on the future's executor, the
// operation observes operation_aborted and its completion is ignored.
// tag::ref_token_cancel[]
BOOST_AUTO_TEST_CASE(future_cancel_aborts_the_operation)
{
    asio::io_context ctx;
    auto strand = asio::make_strand(ctx);
    archetypes::cancel_probe probe;
    bool emitted_on_strand = false;
    probe.on_emit = [&](asio::cancellation_type)
    { emitted_on_strand = strand.running_in_this_thread(); };

    auto fut = archetypes::async_op_cancellable(strand, forever, &probe, af::use_async_future);
    static_assert(std::is_same_v<decltype(fut), af::async_future<int>>);
    BOOST_TEST(probe.started);
    BOOST_TEST((fut.get_executor() == asio::any_io_executor(strand)));

    BOOST_TEST(fut.cancel("stop it"));
    check_cancelled(fut, "stop it"); // at once
    BOOST_TEST(probe.emits == 0);    // not inside cancel()
    BOOST_TEST(!fut.cancel("again"));

    ctx.run(); // returns: the operation was aborted
    BOOST_TEST(probe.emits == 1);
    BOOST_TEST((probe.last_emit == asio::cancellation_type::terminal));
    BOOST_TEST(emitted_on_strand);
    BOOST_TEST(probe.aborted);
    BOOST_TEST(!probe.completed);
    check_cancelled(fut, "stop it"); // the operation_aborted completion was ignored
}
// end::ref_token_cancel[]

// A waiter of a cancelled token future sees cancelled_error.
BOOST_AUTO_TEST_CASE(future_cancel_completes_waiters)
{
    asio::io_context ctx;
    archetypes::cancel_probe probe;
    auto fut =
        archetypes::async_op_cancellable(ctx.get_executor(), forever, &probe, af::use_async_future);
    auto out = std::make_shared<wait_outcome<int>>();
    fut.async_wait(recorder<int>(out));
    ctx.poll();
    BOOST_TEST(out->calls == 0);
    BOOST_TEST(fut.cancel());
    run(ctx);
    BOOST_TEST(out->calls == 1);
    check_is_cancelled_error(out->error);
    BOOST_TEST(probe.aborted);
}

// The emission is queued ahead of the waiters: a waiter that destroys the operation's I/O
// object runs after the operation saw the cancellation (ASan: no dangling cancellation handler).
BOOST_AUTO_TEST_CASE(cancel_reaches_the_operation_before_any_waiter_runs)
{
    asio::io_context ctx;
    auto timer = std::make_unique<asio::steady_timer>(ctx, forever);
    auto fut = timer->async_wait(af::use_async_future);
    std::exception_ptr seen;
    int calls = 0;
    fut.async_wait(
        [&](std::exception_ptr e)
        {
            seen = e;
            ++calls;
            timer.reset(); // the operation is aborted and its slot handler must be done with
        });
    ctx.poll();
    BOOST_TEST(fut.cancel("stop"));
    run(ctx);
    BOOST_TEST(calls == 1);
    check_is_cancelled_error(seen);
    BOOST_TEST(!timer);

    // Observed through a probe: the emission came first.
    archetypes::cancel_probe probe;
    auto probed =
        archetypes::async_op_cancellable(ctx.get_executor(), forever, &probe, af::use_async_future);
    int emits_seen_by_waiter = -1;
    probed.async_wait([&](std::exception_ptr, int) { emits_seen_by_waiter = probe.emits; });
    BOOST_TEST(probed.cancel());
    ctx.restart();
    run(ctx);
    BOOST_TEST(emits_seen_by_waiter == 1);
}

// cancel() on the operation's executor emits inline: the I/O object may go right after it.
BOOST_AUTO_TEST_CASE(cancel_on_the_operations_executor_emits_inline)
{
    asio::io_context ctx;
    archetypes::cancel_probe probe;
    auto fut =
        archetypes::async_op_cancellable(ctx.get_executor(), forever, &probe, af::use_async_future);
    auto timer = std::make_unique<asio::steady_timer>(ctx, forever);
    auto timed = timer->async_wait(af::use_async_future);
    int emits_after_cancel = -1;
    asio::post(
        ctx,
        [&]
        {
            BOOST_TEST(fut.cancel());
            emits_after_cancel = probe.emits;
            BOOST_TEST(timed.cancel());
            timer.reset();
        });
    run(ctx);
    BOOST_TEST(emits_after_cancel == 1);
    BOOST_TEST(probe.aborted);
    BOOST_TEST(fut.cancelled());
    BOOST_TEST(timed.cancelled());
}

// Terminal cancellation of a wait cancels the future and the operation.
BOOST_AUTO_TEST_CASE(terminal_wait_cancellation_cancels_future_and_operation)
{
    asio::io_context ctx;
    archetypes::cancel_probe probe;
    auto fut =
        archetypes::async_op_cancellable(ctx.get_executor(), forever, &probe, af::use_async_future);
    asio::cancellation_signal sig;
    auto out = std::make_shared<wait_outcome<int>>();
    auto other = std::make_shared<wait_outcome<int>>();
    fut.async_wait(asio::bind_cancellation_slot(sig.slot(), recorder<int>(out)));
    fut.async_wait(recorder<int>(other));

    sig.emit(asio::cancellation_type::terminal);
    BOOST_TEST(fut.cancelled());
    BOOST_TEST(out->calls == 0); // never inside emit()
    ctx.run();
    BOOST_TEST(out->calls == 1);
    check_is_cancelled_error(out->error);
    BOOST_TEST(other->calls == 1);
    check_is_cancelled_error(other->error);
    BOOST_TEST(probe.aborted);
    BOOST_TEST(probe.emits == 1);
    BOOST_TEST((probe.last_emit == asio::cancellation_type::terminal));
    check_cancelled(fut);
}

// Partial cancellation of a wait cancels the future too; the operation gets terminal.
BOOST_AUTO_TEST_CASE(partial_wait_cancellation_cancels_future_and_operation)
{
    asio::io_context ctx;
    archetypes::cancel_probe probe;
    auto fut =
        archetypes::async_op_cancellable(ctx.get_executor(), forever, &probe, af::use_async_future);
    asio::cancellation_signal sig;
    auto out = std::make_shared<wait_outcome<int>>();
    fut.async_wait(asio::bind_cancellation_slot(sig.slot(), recorder<int>(out)));
    sig.emit(asio::cancellation_type::partial);
    BOOST_TEST(fut.cancelled());
    ctx.run();
    check_is_cancelled_error(out->error);
    BOOST_TEST(probe.aborted);
    BOOST_TEST((probe.last_emit == asio::cancellation_type::terminal));
}

// Total cancellation of a wait detaches that waiter only: the operation goes on.
BOOST_AUTO_TEST_CASE(total_wait_cancellation_leaves_the_operation_running)
{
    asio::io_context ctx;
    archetypes::cancel_probe probe;
    auto fut =
        archetypes::async_op_cancellable(ctx.get_executor(), 1ms, &probe, af::use_async_future);
    asio::cancellation_signal sig;
    auto out = std::make_shared<wait_outcome<int>>();
    fut.async_wait(asio::bind_cancellation_slot(sig.slot(), recorder<int>(out)));
    sig.emit(asio::cancellation_type::total);
    BOOST_TEST(!fut.done());
    BOOST_TEST(out->calls == 0);
    ctx.run();
    BOOST_TEST(out->calls == 1);
    check_is_cancelled_error(out->error);
    BOOST_TEST(probe.emits == 0);
    BOOST_TEST(!probe.aborted);
    BOOST_TEST(probe.completed);
    BOOST_TEST(!fut.cancelled());
    BOOST_TEST(fut.result() == archetypes::int_value);
}

// cancel() after the operation completed returns false and keeps the result.
BOOST_AUTO_TEST_CASE(cancel_after_completion_is_a_no_op)
{
    asio::io_context ctx;
    archetypes::cancel_probe probe;
    auto fut =
        archetypes::async_op_cancellable(ctx.get_executor(), 1ms, &probe, af::use_async_future);
    ctx.run();
    BOOST_TEST(probe.completed);
    BOOST_TEST(!fut.cancel());
    run(ctx);
    BOOST_TEST(probe.emits == 0);
    BOOST_TEST(fut.result() == archetypes::int_value);
}

// cancel() while the operation's completion is already queued: the future stays cancelled.
BOOST_AUTO_TEST_CASE(cancel_with_completion_queued_ignores_the_completion)
{
    asio::io_context ctx;
    auto fut = archetypes::async_op_1(ctx.get_executor(), af::use_async_future);
    BOOST_TEST(fut.cancel());
    ctx.run();
    check_cancelled(fut);
}

// An operation that ignores cancellation and completes later: the completion is ignored.
BOOST_AUTO_TEST_CASE(late_completion_after_cancel_is_ignored)
{
    asio::io_context ctx;
    asio::any_completion_handler<void(int)> stash;
    auto fut = archetypes::async_op_stash(ctx.get_executor(), stash, af::use_async_future);
    BOOST_TEST(static_cast<bool>(stash));
    BOOST_TEST(fut.cancel());
    ctx.run();
    std::move(stash)(7);
    run(ctx);
    check_cancelled(fut);
}

// The operation's completion being queued when cancel() is called, and the I/O object destroyed
// once its operation completed, is legitimate: the terminal emit posted by cancel() must not
// reach the (stale) cancellation handler the timer left in the slot.
BOOST_AUTO_TEST_CASE(cancel_racing_a_queued_completion_then_io_object_destroyed)
{
    asio::io_context ctx;
    auto timer = std::make_unique<asio::steady_timer>(ctx, forever);
    af::async_future<void> fut = timer->async_wait(af::use_async_future);
    timer->cancel(); // the wait's completion is queued
    BOOST_TEST(fut.cancel());
    BOOST_TEST(ctx.run_one() == 1u); // the wait completes (ignored)
    timer.reset();                   // its operation is finished: destroying it is allowed
    ctx.run();                       // runs the emit posted by cancel()
    check_cancelled(fut);
}

// Cancellation from a foreign thread while the operations run on a multi-threaded context, each
// on its strand. Some operations finish before their cancellation: either outcome is consistent.
BOOST_AUTO_TEST_CASE(cancel_from_foreign_thread)
{
    constexpr int n = 32;
    asio::io_context ctx;
    auto work = asio::make_work_guard(ctx);
    std::vector<std::unique_ptr<archetypes::cancel_probe>> probes;
    std::vector<af::async_future<int>> futs;
    for (int i = 0; i < n; ++i)
    {
        probes.push_back(std::make_unique<archetypes::cancel_probe>());
        futs.push_back(archetypes::async_op_cancellable(
            asio::make_strand(ctx),
            i % 2 ? forever : std::chrono::steady_clock::duration(0),
            probes.back().get(),
            af::use_async_future));
    }
    std::thread t1([&] { ctx.run(); });
    std::thread t2([&] { ctx.run(); });
    std::vector<bool> cancelled;
    for (auto& f : futs)
        cancelled.push_back(f.cancel());
    work.reset();
    t1.join();
    t2.join();
    for (int i = 0; i < n; ++i)
    {
        BOOST_TEST(futs[i].done());
        BOOST_TEST(probes[i]->aborted != probes[i]->completed);
        if (cancelled[i])
            BOOST_TEST(futs[i].cancelled());
        else
            BOOST_TEST(futs[i].result() == archetypes::int_value);
        if (i % 2)
        {
            BOOST_TEST(cancelled[i]); // a 30 s wait cannot have finished
            BOOST_TEST(probes[i]->aborted);
        }
    }
}

BOOST_AUTO_TEST_SUITE_END()

// =============================================================================================
// Allocator
// =============================================================================================

BOOST_AUTO_TEST_SUITE(allocator)

// tag::ref_token_allocator[]
BOOST_AUTO_TEST_CASE(token_allocator_members)
{
    alloc_stats stats;
    af::use_async_future_t<counting_allocator<void>> token{counting_allocator<void>(&stats)};
    static_assert(std::is_same_v<decltype(token)::allocator_type, counting_allocator<void>>);
    BOOST_TEST((token.get_allocator() == counting_allocator<void>(&stats)));

    auto rebound = af::use_async_future.rebind(counting_allocator<char>(&stats));
    static_assert(
        std::is_same_v<decltype(rebound), af::use_async_future_t<counting_allocator<char>>>);
    BOOST_TEST((rebound.get_allocator() == counting_allocator<char>(&stats)));
    static_assert(std::is_same_v<af::use_async_future_t<>::allocator_type, std::allocator<void>>);
    BOOST_TEST(stats.allocs == 0u);
}
// end::ref_token_allocator[]

BOOST_AUTO_TEST_CASE(state_allocated_with_token_allocator)
{
    alloc_stats stats;
    {
        asio::io_context ctx;
        af::use_async_future_t<counting_allocator<void>> token{counting_allocator<void>(&stats)};
        af::async_future<int> fut = archetypes::async_op_1(ctx.get_executor(), token);
        BOOST_TEST(stats.state_allocs == 1u);
        BOOST_TEST(stats.state_deallocs == 0u);
        ctx.run();
        BOOST_TEST(fut.result() == archetypes::int_value);
        BOOST_TEST(stats.state_deallocs == 0u); // the future still holds its state
    }
    BOOST_TEST(stats.state_allocs == 1u);
    BOOST_TEST(stats.state_deallocs == 1u);
    BOOST_TEST(stats.allocs >= 1u);
    BOOST_TEST(stats.allocs == stats.deallocs);
}

BOOST_AUTO_TEST_CASE(rebind_allocator_with_real_operations)
{
    alloc_stats stats;
    {
        asio::io_context ctx;
        auto token = af::use_async_future.rebind(counting_allocator<char>(&stats));
        auto posted = asio::post(ctx, token);
        asio::steady_timer timer(ctx, 1ms);
        auto waited = timer.async_wait(token);
        BOOST_TEST(stats.state_allocs == 2u);
        ctx.run();
        BOOST_CHECK_NO_THROW(posted.result());
        BOOST_CHECK_NO_THROW(waited.result());
    }
    BOOST_TEST(stats.state_allocs == 2u);
    BOOST_TEST(stats.state_deallocs == 2u);
    BOOST_TEST(stats.allocs == stats.deallocs);
}

// A future dropped while its operation is pending: the state is freed when the context goes.
BOOST_AUTO_TEST_CASE(dropped_future_pending_at_shutdown_is_freed)
{
    alloc_stats stats;
    {
        asio::io_context ctx;
        af::use_async_future_t<counting_allocator<void>> token{counting_allocator<void>(&stats)};
        asio::steady_timer timer(ctx, forever);
        (void)timer.async_wait(token);
        archetypes::cancel_probe probe;
        (void)archetypes::async_op_cancellable(ctx.get_executor(), forever, &probe, token);
        (void)archetypes::async_op_hang(ctx.get_executor(), token);
        ctx.poll();
        BOOST_TEST(stats.state_allocs == 3u);
        BOOST_TEST(stats.state_deallocs == 0u);
    }
    BOOST_TEST(stats.state_deallocs == 3u);
    BOOST_TEST(stats.allocs == stats.deallocs);
}

BOOST_AUTO_TEST_SUITE_END()

// =============================================================================================
// Context shutdown and broken promises
// =============================================================================================

BOOST_AUTO_TEST_SUITE(shutdown_and_broken_promise)

BOOST_AUTO_TEST_CASE(context_destroyed_with_timer_pending)
{
    af::async_future<void> fut;
    auto out = std::make_shared<wait_outcome<void>>();
    {
        asio::io_context ctx;
        asio::steady_timer timer(ctx, forever);
        fut = timer.async_wait(af::use_async_future);
        fut.async_wait(recorder<void>(out));
        ctx.poll();
        BOOST_TEST(!fut.done());
    }
    check_shutdown_outcome(fut);
    BOOST_TEST(out->calls == 0); // pending handlers are destroyed, not invoked
    BOOST_TEST(out.use_count() == 1);
    BOOST_TEST(!fut.cancel()); // harmless afterwards
}

BOOST_AUTO_TEST_CASE(context_destroyed_with_cancellable_op_pending)
{
    af::async_future<int> fut;
    archetypes::cancel_probe probe;
    {
        asio::io_context ctx;
        fut = archetypes::async_op_cancellable(
            ctx.get_executor(),
            forever,
            &probe,
            af::use_async_future);
        ctx.poll();
    }
    check_shutdown_outcome(fut);
    BOOST_TEST(!probe.aborted);
    BOOST_TEST(!probe.completed);
    BOOST_TEST(!fut.cancel());
    BOOST_TEST(probe.emits == 0);
}

BOOST_AUTO_TEST_CASE(context_destroyed_with_hanging_op)
{
    af::async_future<int> fut;
    {
        asio::io_context ctx;
        fut = archetypes::async_op_hang(ctx.get_executor(), af::use_async_future);
        ctx.run(); // the hanging operation holds no work
        BOOST_TEST(asio::use_service<archetypes::hang_service>(ctx).size() == 1u);
        BOOST_TEST(!fut.done());
    }
    check_shutdown_outcome(fut);
}

// The handler outlives the context (held by the test): invoking or destroying it afterwards is
// harmless and the future keeps its shutdown outcome.
BOOST_AUTO_TEST_CASE(handler_outliving_the_context_is_harmless)
{
    asio::any_completion_handler<void(int)> stash;
    asio::any_completion_handler<void(int)> stash2;
    af::async_future<int> fut;
    af::async_future<int> fut2;
    {
        asio::io_context ctx;
        fut = archetypes::async_op_stash(ctx.get_executor(), stash, af::use_async_future);
        fut2 = archetypes::async_op_stash(ctx.get_executor(), stash2, af::use_async_future);
        ctx.run();
        BOOST_TEST(!fut.done());
    }
    BOOST_TEST(fut.done());
    BOOST_TEST(fut.cancelled()); // its context shut down while the handler was alive
    std::move(stash)(5);
    BOOST_TEST(fut.cancelled());
    stash2 = nullptr; // destroyed unrun after the shutdown
    BOOST_TEST(fut2.cancelled());
}

BOOST_AUTO_TEST_CASE(handler_dropped_is_broken_promise)
{
    asio::io_context ctx;
    auto fut = archetypes::async_op_drop(ctx.get_executor(), af::use_async_future);
    auto out = std::make_shared<wait_outcome<int>>();
    fut.async_wait(recorder<int>(out));
    BOOST_TEST(!fut.done());
    ctx.run();
    BOOST_TEST(fut.done());
    BOOST_TEST(!fut.cancelled());
    check_is_broken_promise(fut.exception());
    BOOST_CHECK_THROW((void)fut.result(), af::broken_promise_error);
    BOOST_TEST(out->calls == 1);
    check_is_broken_promise(out->error);
}

BOOST_AUTO_TEST_CASE(stashed_handler_destroyed_is_broken_promise)
{
    asio::io_context ctx;
    asio::any_completion_handler<void(int)> stash;
    auto fut = archetypes::async_op_stash(ctx.get_executor(), stash, af::use_async_future);
    ctx.run();
    BOOST_TEST(!fut.done());
    stash = nullptr;
    BOOST_TEST(fut.done());
    check_is_broken_promise(fut.exception());

    // Completing the stashed handler works as usual.
    asio::any_completion_handler<void(int)> stash2;
    auto fut2 = archetypes::async_op_stash(ctx.get_executor(), stash2, af::use_async_future);
    std::move(stash2)(9);
    BOOST_TEST(fut2.result() == 9);
}

// The operation's handler released on another thread (destroyed unrun, or invoked) while the
// last future handle is dropped: whichever goes last frees the state, nobody touches it after.
BOOST_AUTO_TEST_CASE(handler_released_on_another_thread_while_future_dropped)
{
    asio::io_context ctx;
    for (int i = 0; i < 500; ++i)
    {
        asio::any_completion_handler<void(int)> stash;
        auto fut = archetypes::async_op_stash(ctx.get_executor(), stash, af::use_async_future);
        const bool invoke = (i % 25) != 0; // few broken promises: each prints "never retrieved"
        std::thread t(
            [&]
            {
                if (invoke)
                    std::move(stash)(i);
                else
                    stash = nullptr; // broken promise
            });
        fut = af::async_future<int>();
        t.join();
        BOOST_TEST(!stash);
    }
}

BOOST_AUTO_TEST_SUITE_END()

// =============================================================================================
// co_spawn: asyncio.create_task
// =============================================================================================

#if defined(BOOST_ASIO_FUTURE_HAS_CO_AWAIT)

namespace
{

asio::awaitable<int> produce(int value, int hops)
{
    auto ex = co_await asio::this_coro::executor;
    for (int i = 0; i < hops; ++i)
        co_await asio::post(ex, asio::use_awaitable);
    co_return value;
}

asio::awaitable<void> consume(af::async_future<int> task, std::vector<int>* out)
{
    int v = co_await std::move(task);
    out->push_back(v);
}

asio::awaitable<void> consume_with_wait(af::async_future<int> task, std::vector<int>* out)
{
    out->push_back(co_await task.async_wait(asio::use_awaitable));
}

asio::awaitable<void> fail_after_hop()
{
    co_await asio::post(co_await asio::this_coro::executor, asio::use_awaitable);
    throw std::runtime_error("coroutine failure");
}

asio::awaitable<std::unique_ptr<int>> make_box(int v)
{
    co_await asio::post(co_await asio::this_coro::executor, asio::use_awaitable);
    co_return std::make_unique<int>(v);
}

asio::awaitable<void> unbox(af::async_future<std::unique_ptr<int>> task, int* out)
{
    std::unique_ptr<int> p = co_await std::move(task);
    *out = p ? *p : -1;
}

// Suspends on a timer; `resumed` is set only if the code after the suspension runs.
asio::awaitable<int>
sleeper(std::shared_ptr<int> life, bool* resumed, std::chrono::steady_clock::duration d)
{
    asio::steady_timer t(co_await asio::this_coro::executor, d);
    co_await t.async_wait(asio::use_awaitable);
    *resumed = true;
    co_return *life;
}

// Suspends on many posts; stops at the first suspension after a cancellation.
asio::awaitable<void> spinner(std::shared_ptr<int> life, int* iterations, bool* finished)
{
    auto ex = co_await asio::this_coro::executor;
    for (int i = 0; i < 100000; ++i)
    {
        co_await asio::post(ex, asio::use_awaitable);
        ++*iterations;
    }
    *finished = true;
    (void)life;
}

asio::awaitable<int> on_strand(asio::strand<io_executor> strand, bool* in_strand)
{
    co_await asio::post(co_await asio::this_coro::executor, asio::use_awaitable);
    *in_strand = strand.running_in_this_thread();
    co_return 3;
}

// Awaits a token future of a cancellable operation.
asio::awaitable<void> await_cancellable(archetypes::cancel_probe* probe, bool* resumed)
{
    auto ex = co_await asio::this_coro::executor;
    int v = co_await archetypes::async_op_cancellable(ex, forever, probe, af::use_async_future);
    (void)v;
    *resumed = true;
}

// Waits for `task` or for one post, whichever comes first (asyncio.wait_for-like).
asio::awaitable<void> race_task(af::async_future<int> task, int* winner)
{
    using namespace asio::experimental::awaitable_operators;
    auto ex = co_await asio::this_coro::executor;
    auto r = co_await (task.async_wait(asio::use_awaitable) || asio::post(ex, asio::use_awaitable));
    *winner = static_cast<int>(r.index());
}

// The TCP server side: accept, read, reply.
asio::awaitable<std::string> tcp_server(tcp::acceptor& acceptor)
{
    // A socket is a socket: the accepted one itself, no optional.
    tcp::socket s = co_await acceptor.async_accept(af::use_async_future);
    if (!s.is_open())
        co_return "no socket";
    std::array<char, 64> buf{};
    std::size_t n = co_await s.async_read_some(asio::buffer(buf), af::use_async_future);
    std::string got(buf.data(), n);
    const std::string reply = "pong:" + got;
    std::size_t w = co_await asio::async_write(s, asio::buffer(reply), af::use_async_future);
    if (w != reply.size())
        co_return "short write";
    co_return got;
}

asio::awaitable<std::string> tcp_client(tcp::endpoint ep)
{
    tcp::socket s(co_await asio::this_coro::executor);
    co_await s.async_connect(ep, af::use_async_future);
    const std::string msg = "ping";
    co_await asio::async_write(s, asio::buffer(msg), af::use_async_future);
    std::array<char, 64> buf{};
    std::size_t n = co_await asio::async_read(
        s,
        asio::buffer(buf.data(), 9), // "pong:ping"
        af::use_async_future);
    co_return std::string(buf.data(), n);
}

} // namespace

BOOST_AUTO_TEST_SUITE(coroutines)

BOOST_AUTO_TEST_CASE(co_spawn_value_awaited_from_three_coroutines)
{
    asio::io_context ctx;
    auto task = asio::co_spawn(ctx, produce(7, 3), af::use_async_future);
    static_assert(std::is_same_v<decltype(task), af::async_future<int>>);
    BOOST_TEST((task.get_executor() == asio::any_io_executor(ctx.get_executor())));
    BOOST_TEST(!task.done());
    std::vector<int> got;
    asio::co_spawn(ctx, consume(task, &got), asio::detached);
    asio::co_spawn(ctx, consume(task, &got), asio::detached);
    asio::co_spawn(ctx, consume_with_wait(task, &got), asio::detached);
    ctx.run();
    BOOST_TEST(got == (std::vector<int>{7, 7, 7}));
    BOOST_TEST(task.result() == 7);
}

BOOST_AUTO_TEST_CASE(co_spawn_void_and_exception)
{
    asio::io_context ctx;
    auto ok = asio::co_spawn(ctx, produce(1, 1), af::use_async_future);
    auto failed = asio::co_spawn(ctx, fail_after_hop(), af::use_async_future);
    static_assert(std::is_same_v<decltype(failed), af::async_future<void>>);
    ctx.run();
    BOOST_TEST(ok.result() == 1);
    BOOST_TEST(failed.done());
    BOOST_TEST(!failed.cancelled());
    try
    {
        failed.result();
        BOOST_FAIL("result() did not throw");
    }
    catch (const boost::system::system_error&)
    {
        BOOST_FAIL("the coroutine's exception was replaced");
    }
    catch (const std::runtime_error& e)
    {
        BOOST_TEST(std::string(e.what()) == "coroutine failure");
    }
}

BOOST_AUTO_TEST_CASE(co_spawn_move_only_result)
{
    asio::io_context ctx;
    auto task = asio::co_spawn(ctx, make_box(11), af::use_async_future);
    static_assert(std::is_same_v<decltype(task), af::async_future<std::unique_ptr<int>>>);
    int got = 0;
    asio::co_spawn(ctx, unbox(task, &got), asio::detached);
    ctx.run();
    BOOST_TEST(got == 11);
    BOOST_CHECK_THROW((void)task.result(), af::invalid_state_error); // taken
}

// The future discarded at once: the task still runs and its done callback fires.
BOOST_AUTO_TEST_CASE(co_spawn_fire_and_forget)
{
    asio::io_context ctx;
    int seen = 0;
    asio::co_spawn(ctx, produce(5, 2), af::use_async_future)
        .add_done_callback([&](const af::async_future<int>& f) { seen = f.result(); });
    (void)asio::co_spawn(ctx, produce(6, 2), af::use_async_future);
    ctx.run();
    BOOST_TEST(seen == 5);
}

BOOST_AUTO_TEST_CASE(co_spawn_on_strand_binds_the_strand)
{
    asio::io_context ctx;
    auto strand = asio::make_strand(ctx);
    bool coro_in_strand = false;
    auto task = asio::co_spawn(strand, on_strand(strand, &coro_in_strand), af::use_async_future);
    BOOST_TEST((task.get_executor() == asio::any_io_executor(strand)));
    bool cb_in_strand = false;
    task.add_done_callback([&](const af::async_future<int>&)
                           { cb_in_strand = strand.running_in_this_thread(); });
    ctx.run();
    BOOST_TEST(task.result() == 3);
    BOOST_TEST(coro_in_strand);
    BOOST_TEST(cb_in_strand);
}

// cancel() stops the coroutine at its suspension: the code after it never runs, the frame is
// destroyed and run() returns.
BOOST_AUTO_TEST_CASE(cancel_stops_a_suspended_coroutine)
{
    asio::io_context ctx;
    auto life = std::make_shared<int>(1);
    bool resumed = false;
    auto task = asio::co_spawn(ctx, sleeper(life, &resumed, forever), af::use_async_future);
    ctx.poll(); // starts and suspends on the timer
    BOOST_TEST(life.use_count() == 2);
    BOOST_TEST(!task.done());
    BOOST_TEST(task.cancel("task cancelled"));
    check_cancelled(task, "task cancelled");
    run(ctx);
    BOOST_TEST(!resumed);
    BOOST_TEST(life.use_count() == 1); // the coroutine frame is gone
    check_cancelled(task, "task cancelled");
}

BOOST_AUTO_TEST_CASE(cancel_before_the_coroutine_started)
{
    asio::io_context ctx;
    auto life = std::make_shared<int>(1);
    bool resumed = false;
    auto task = asio::co_spawn(ctx, sleeper(life, &resumed, forever), af::use_async_future);
    BOOST_TEST(task.cancel());
    ctx.run();
    BOOST_TEST(!resumed);
    BOOST_TEST(life.use_count() == 1);
    check_cancelled(task);
}

BOOST_AUTO_TEST_CASE(cancel_stops_a_busy_coroutine_at_its_next_suspension)
{
    asio::io_context ctx;
    auto life = std::make_shared<int>(1);
    int iterations = 0;
    bool finished = false;
    auto task = asio::co_spawn(ctx, spinner(life, &iterations, &finished), af::use_async_future);
    for (int i = 0; i < 10; ++i)
        ctx.run_one();
    BOOST_TEST(iterations > 0);
    BOOST_TEST(task.cancel());
    run(ctx);
    BOOST_TEST(!finished);
    BOOST_TEST(iterations < 100000);
    BOOST_TEST(life.use_count() == 1);
    check_cancelled(task);
}

BOOST_AUTO_TEST_CASE(cancel_after_the_coroutine_finished_returns_false)
{
    asio::io_context ctx;
    auto task = asio::co_spawn(ctx, produce(4, 1), af::use_async_future);
    ctx.run();
    BOOST_TEST(!task.cancel());
    run(ctx);
    BOOST_TEST(task.result() == 4);
}

// A coroutine awaiting a token future is cancelled through its co_spawn slot: the wait's
// terminal cancellation cancels the future, which cancels the operation.
BOOST_AUTO_TEST_CASE(cancelling_the_awaiting_coroutine_cancels_the_operation)
{
    asio::io_context ctx;
    archetypes::cancel_probe probe;
    bool resumed = false;
    asio::cancellation_signal sig;
    std::exception_ptr coro_error;
    bool done = false;
    asio::co_spawn(
        ctx,
        await_cancellable(&probe, &resumed),
        asio::bind_cancellation_slot(
            sig.slot(),
            [&](std::exception_ptr e)
            {
                done = true;
                coro_error = e;
            }));
    ctx.poll();
    BOOST_TEST(probe.started);
    sig.emit(asio::cancellation_type::terminal);
    run(ctx);
    BOOST_TEST(done);
    BOOST_TEST(!resumed);
    BOOST_TEST(static_cast<bool>(coro_error));
    BOOST_TEST(probe.aborted);
    BOOST_TEST((probe.last_emit == asio::cancellation_type::terminal));
}

// Awaiting a task with || and losing the race cancels the task (asyncio.wait_for).
BOOST_AUTO_TEST_CASE(losing_a_race_cancels_the_task)
{
    asio::io_context ctx;
    auto life = std::make_shared<int>(1);
    bool resumed = false;
    auto task = asio::co_spawn(ctx, sleeper(life, &resumed, forever), af::use_async_future);
    int winner = -1;
    auto racer = asio::co_spawn(ctx, race_task(task, &winner), af::use_async_future);
    ctx.run();
    BOOST_CHECK_NO_THROW(racer.result());
    BOOST_TEST(winner == 1);
    BOOST_TEST(task.cancelled());
    BOOST_TEST(!resumed);
    BOOST_TEST(life.use_count() == 1);
}

BOOST_AUTO_TEST_CASE(context_destroyed_with_task_pending)
{
    auto life = std::make_shared<int>(1);
    bool resumed = false;
    af::async_future<int> task;
    {
        asio::io_context ctx;
        task = asio::co_spawn(ctx, sleeper(life, &resumed, forever), af::use_async_future);
        ctx.poll();
        BOOST_TEST(life.use_count() == 2);
    }
    BOOST_TEST(life.use_count() == 1);
    BOOST_TEST(!resumed);
    check_shutdown_outcome(task);
}

BOOST_AUTO_TEST_CASE(tcp_coroutines)
{
    asio::io_context ctx;
    tcp::acceptor acceptor(ctx, tcp::endpoint(asio::ip::address_v4::loopback(), 0));
    auto server = asio::co_spawn(ctx, tcp_server(acceptor), af::use_async_future);
    auto client = asio::co_spawn(ctx, tcp_client(acceptor.local_endpoint()), af::use_async_future);
    static_assert(std::is_same_v<decltype(server), af::async_future<std::string>>);
    ctx.run();
    BOOST_TEST(server.result() == "ping");
    BOOST_TEST(client.result() == "pong:ping");
}

BOOST_AUTO_TEST_CASE(await_token_futures_in_a_coroutine)
{
    asio::io_context ctx;
    auto task = asio::co_spawn(
        ctx,
        []() -> asio::awaitable<int>
        {
            auto ex = co_await asio::this_coro::executor;
            co_await archetypes::async_op_0(ex, af::use_async_future);
            int a = co_await archetypes::async_op_ec_1(ex, true, af::use_async_future);
            auto [b, c] = co_await archetypes::async_op_ex_2(ex, true, af::use_async_future);
            asio::steady_timer t(ex, 1ms);
            co_await t.async_wait(af::use_async_future);
            try
            {
                co_await archetypes::async_op_ec_0(ex, false, af::use_async_future);
                co_return -1;
            }
            catch (const boost::system::system_error& e)
            {
                if (e.code() != archetypes::failure_code())
                    co_return -2;
            }
            co_return a + b + static_cast<int>(c * 2);
        }(),
        af::use_async_future);
    ctx.run();
    BOOST_TEST(task.result() == 42 + 42 + 5);
}

BOOST_AUTO_TEST_SUITE_END()

#endif // BOOST_ASIO_FUTURE_HAS_CO_AWAIT

// =============================================================================================
// asio::cancel_after (Asio 1.31+) around the token
// =============================================================================================

BOOST_AUTO_TEST_SUITE(
    cancel_after,
    *boost::unit_test::precondition(asio_future_test::has_cancel_after))

#if defined(ASIO_FUTURE_TEST_HAS_CANCEL_AFTER)

// The expiry aborts the timer's wait: the future ends cancelled (operation_aborted).
BOOST_AUTO_TEST_CASE(expiry_aborts_the_operation)
{
    asio::io_context ctx;
    asio::steady_timer timer(ctx, std::chrono::hours(1));
    auto fut =
        timer.async_wait(asio::cancel_after(std::chrono::milliseconds(20), af::use_async_future));
    static_assert(std::is_same_v<decltype(fut), af::async_future<void>>);
    ctx.run_for(std::chrono::seconds(10));
    BOOST_TEST(ctx.stopped());
    BOOST_TEST(fut.cancelled());
}

// The operation first: its result, and nothing lingers.
BOOST_AUTO_TEST_CASE(operation_first)
{
    asio::io_context ctx;
    asio::steady_timer timer(ctx, std::chrono::milliseconds(1));
    auto fut = timer.async_wait(asio::cancel_after(std::chrono::hours(1), af::use_async_future));
    ctx.run_for(std::chrono::seconds(10));
    BOOST_TEST(ctx.stopped());
    BOOST_TEST(fut.done());
    BOOST_TEST(!fut.cancelled());
}

#else

BOOST_AUTO_TEST_CASE(not_available)
{
    BOOST_FAIL("runs only where the precondition holds");
}

#endif // ASIO_FUTURE_TEST_HAS_CANCEL_AFTER

BOOST_AUTO_TEST_SUITE_END()
