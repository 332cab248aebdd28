//
// Copyright (c) 2026 The asio_future Authors.
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// Test that header file is self-contained.
#include <boost/asio_future/future_service.hpp>

#define BOOST_TEST_MODULE future_service
#include <boost/asio_future/async_bridge.hpp>
#include <boost/asio_future/async_future.hpp>
#include <boost/asio_future/resolver.hpp>
#include <boost/asio_future/use_async_future.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <chrono>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace af = boost::asio_future;
namespace asio = boost::asio;

namespace
{

// Collects what the exception handler receives.
struct recorder
{
    std::shared_ptr<std::vector<af::exception_context>> seen =
        std::make_shared<std::vector<af::exception_context>>();

    void install(asio::io_context& ctx) const
    {
        auto s = seen;
        asio::use_service<af::future_service>(ctx).set_exception_handler(
            [s](const af::exception_context& c) { s->push_back(c); });
    }

    std::size_t count(const std::string& message) const
    {
        std::size_t n = 0;
        for (const auto& c : *seen)
            n += c.message == message;
        return n;
    }
};

const std::string never_retrieved = "exception was never retrieved";

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
}

} // namespace

// tag::ref_service_defaults[]
BOOST_AUTO_TEST_CASE(defaults)
{
    asio::io_context ctx;
    auto& svc = asio::use_service<af::future_service>(ctx);
    BOOST_TEST(!svc.get_exception_handler());
    BOOST_TEST(!svc.get_debug());
    BOOST_TEST((svc.slow_callback_duration() == std::chrono::milliseconds(100)));
    svc.set_debug(true);
    BOOST_TEST(svc.get_debug());
    svc.set_slow_callback_duration(std::chrono::milliseconds(5));
    BOOST_TEST((svc.slow_callback_duration() == std::chrono::milliseconds(5)));
    // The default handler prints and never throws.
    BOOST_CHECK_NO_THROW(svc.call_exception_handler({"test message", nullptr, "<future>"}));
}
// end::ref_service_defaults[]

// tag::ref_call_exception_handler[]
BOOST_AUTO_TEST_CASE(call_exception_handler_reaches_the_handler)
{
    asio::io_context ctx;
    recorder r;
    r.install(ctx);
    auto& svc = asio::use_service<af::future_service>(ctx);
    svc.call_exception_handler({"custom", std::make_exception_ptr(std::runtime_error("x")), "f"});
    BOOST_TEST(r.count("custom") == 1u);
    BOOST_TEST(r.seen->at(0).future == "f");
    BOOST_TEST(static_cast<bool>(r.seen->at(0).exception));

    svc.set_exception_handler({}); // back to the default
    BOOST_TEST(!svc.get_exception_handler());
    svc.call_exception_handler({"after reset", nullptr, ""});
    BOOST_TEST(r.count("after reset") == 0u);
}
// end::ref_call_exception_handler[]

BOOST_AUTO_TEST_CASE(exception_escaping_a_done_callback_goes_to_the_handler)
{
    asio::io_context ctx;
    recorder r;
    r.install(ctx);
    auto f = af::make_future<int>(ctx);
    bool later_ran = false;
    f.add_done_callback([](const af::async_future<int>&) { throw std::logic_error("callback"); });
    f.add_done_callback([&](const af::async_future<int>&) { later_ran = true; });
    f.set_result(7);
    BOOST_CHECK_NO_THROW(ctx.run());
    BOOST_TEST(later_ran);
    BOOST_TEST_REQUIRE(r.count("exception in done callback") == 1u);
    const auto& c = r.seen->at(0);
    BOOST_TEST(c.future == "<async_future<int> finished result=7>");
    BOOST_CHECK_THROW(std::rethrow_exception(c.exception), std::logic_error);
}

BOOST_AUTO_TEST_CASE(a_throwing_handler_does_not_escape)
{
    asio::io_context ctx;
    asio::use_service<af::future_service>(ctx).set_exception_handler(
        [](const af::exception_context&) { throw std::runtime_error("handler"); });
    auto f = af::make_future<int>(ctx);
    f.add_done_callback([](const af::async_future<int>&) { throw std::logic_error("callback"); });
    f.set_result(1);
    BOOST_CHECK_NO_THROW(ctx.run());
}

BOOST_AUTO_TEST_CASE(never_retrieved_exception_is_reported_once)
{
    asio::io_context ctx;
    recorder r;
    r.install(ctx);
    {
        auto f = af::make_future<int>(ctx);
        auto copy = f;
        f.set_exception(std::runtime_error("lost"));
    }
    BOOST_TEST_REQUIRE(r.count(never_retrieved) == 1u);
    const auto& c = r.seen->at(0);
    BOOST_TEST(c.future == "<async_future<int> finished exception=std::runtime_error('lost')>");
    BOOST_CHECK_THROW(std::rethrow_exception(c.exception), std::runtime_error);
}

BOOST_AUTO_TEST_CASE(never_retrieved_is_not_reported_where_asyncio_does_not)
{
    asio::io_context ctx;
    recorder r;
    r.install(ctx);
    {
        auto f = af::make_future<int>(ctx); // result left unread
        f.set_result(1);
    }
    {
        auto f = af::make_future<int>(ctx); // dropped while pending
    }
    {
        auto f = af::make_future<int>(ctx); // cancelled
        f.cancel("bye");
    }
    {
        auto f = af::make_future<int>(ctx); // exception read
        f.set_exception(std::runtime_error("read"));
        BOOST_TEST(static_cast<bool>(f.exception()));
    }
    {
        auto f = af::make_future<int>(ctx); // result() rethrew it
        f.set_exception(std::runtime_error("rethrown"));
        BOOST_CHECK_THROW(f.result(), std::runtime_error);
    }
    {
        auto f = af::make_future<int>(ctx); // cancel() after the exception was set
        f.set_exception(std::runtime_error("silenced"));
        BOOST_TEST(!f.cancel());
    }
    {
        auto f = af::make_future<void>(ctx); // a waiter received it
        std::exception_ptr got;
        f.async_wait([&](std::exception_ptr e) { got = e; });
        f.set_exception(std::runtime_error("delivered"));
        ctx.run();
        ctx.restart();
        BOOST_TEST(static_cast<bool>(got));
    }
    BOOST_TEST(r.count(never_retrieved) == 0u);
}

BOOST_AUTO_TEST_CASE(broken_promise_nobody_saw_is_reported)
{
    asio::io_context ctx;
    recorder r;
    r.install(ctx);
    {
        auto f = af::make_future<int>(ctx);
        {
            auto dropped = f.get_resolver();
        }
        BOOST_TEST(f.done());
    }
    BOOST_TEST(r.count(never_retrieved) == 1u);
}

BOOST_AUTO_TEST_CASE(debug_mode_lists_pending_futures_with_their_creation_site)
{
    asio::io_context ctx;
    auto& svc = asio::use_service<af::future_service>(ctx);
    auto untracked = af::make_future<int>(ctx); // created before debug mode
    svc.set_debug(true);
    const unsigned line = __LINE__ + 1;
    auto tracked = af::make_future<std::string>(ctx);
    af::async_future<int> constructed{ctx.get_executor()};
    auto resolved = af::make_future<int>(ctx);
    resolved.set_result(1);

    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    const auto pending = svc.pending_futures();
    BOOST_TEST_REQUIRE(pending.size() == 3u);
    const af::pending_future_info* t = nullptr;
    const af::pending_future_info* u = nullptr;
    for (const auto& p : pending)
    {
        if (p.future == "<async_future<std::string> pending>")
            t = &p;
        if (p.file.empty())
            u = &p;
    }
    BOOST_TEST_REQUIRE(t != nullptr);
    BOOST_TEST(t->file.find("future_service.cpp") != std::string::npos);
    BOOST_TEST(t->line == line);
    BOOST_TEST((t->age >= std::chrono::milliseconds(2)));
    BOOST_TEST_REQUIRE(u != nullptr); // created while debug mode was off: no site, no age
    BOOST_TEST(u->line == 0u);
    BOOST_TEST((u->age == std::chrono::steady_clock::duration::zero()));

    tracked.set_result("done");
    constructed.cancel();
    untracked.set_result(2);
    BOOST_TEST(svc.pending_futures().empty());
}

// Every future made by a function the user calls records the user's line, not the library's.
BOOST_AUTO_TEST_CASE(debug_mode_records_the_callers_line_for_every_future_it_makes)
{
    using namespace std::chrono_literals;
    asio::io_context ctx;
    auto& svc = asio::use_service<af::future_service>(ctx);
    svc.set_debug(true);
    std::optional<af::bridge_callback<double>> keep;
    std::exception_ptr bridge_error;

    const unsigned bridge_line = __LINE__ + 1;
    af::async_bridge<double>(
        ctx.get_executor(),
        [&](auto on_done) { keep.emplace(on_done); },
        [&](std::exception_ptr e, double) { bridge_error = e; });
    asio::steady_timer timer(ctx, 1h);
    const unsigned token_line = __LINE__ + 1;
    auto by_token = timer.async_wait(af::use_async_future_t<>());
    auto default_timer = af::use_async_future_t<>::as_default_on(asio::steady_timer(ctx, 1h));
    const unsigned default_line = __LINE__ + 1;
    auto by_default = default_timer.async_wait();
    asio::steady_timer other(ctx, 1h);
    auto by_object = other.async_wait(af::use_async_future); // cannot know its user's line

    std::vector<unsigned> void_lines;
    unsigned double_line = 0;
    for (const auto& p : svc.pending_futures())
    {
        if (p.line != 0)
            BOOST_TEST(p.file.find("future_service.cpp") != std::string::npos);
        if (p.future == "<async_future<void> pending>")
            void_lines.push_back(p.line);
        if (p.future == "<async_future<double> pending>")
            double_line = p.line;
    }
    std::sort(void_lines.begin(), void_lines.end());
    BOOST_TEST(double_line == bridge_line);
    BOOST_TEST((void_lines == std::vector<unsigned>{0u, token_line, default_line}));

    (*keep)(2.5);
    timer.cancel();
    default_timer.cancel();
    other.cancel();
    ctx.run();
    BOOST_TEST(!bridge_error);
    BOOST_TEST(by_token.cancelled());
    BOOST_TEST(by_default.cancelled());
    BOOST_TEST(by_object.cancelled());
}

// What the error messages say: no stray ": " before a missing cancel message, and a broken
// promise says which handles were dropped.
BOOST_AUTO_TEST_CASE(error_messages_say_what_happened)
{
    BOOST_TEST(std::string(af::cancelled_error().what()) == "cancelled [asio_future:1]");
    BOOST_TEST(
        std::string(af::cancelled_error("stop").what()) == "stop: cancelled [asio_future:1]");

    asio::io_context ctx;
    std::string dropped_resolver, dropped_handles;
    {
        auto fut = af::make_future<int>(ctx);
        fut.async_wait([&](std::exception_ptr e, int) { dropped_resolver = what_of(e); });
        (void)fut.get_resolver(); // the only resolver, dropped at once
    }
    {
        auto fut = af::make_future<int>(ctx); // no resolver is ever taken
        fut.async_wait([&](std::exception_ptr e, int) { dropped_handles = what_of(e); });
    }
    ctx.run();
    BOOST_TEST(dropped_resolver.find("the last resolver was destroyed") != std::string::npos);
    BOOST_TEST(
        dropped_handles.find("every handle to the pending future was dropped") !=
        std::string::npos);
    BOOST_TEST(dropped_handles.find("no resolver is left") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(slow_callbacks_are_reported_in_debug_mode_only)
{
    asio::io_context ctx;
    recorder r;
    r.install(ctx);
    auto& svc = asio::use_service<af::future_service>(ctx);
    svc.set_slow_callback_duration(std::chrono::milliseconds(1));
    auto slow = [](const af::async_future<int>&)
    { std::this_thread::sleep_for(std::chrono::milliseconds(20)); };

    auto quiet = af::make_future<int>(ctx);
    quiet.add_done_callback(slow);
    quiet.set_result(1);
    ctx.run();
    ctx.restart();
    std::size_t slow_reports = 0;
    for (const auto& c : *r.seen)
        slow_reports += c.message.rfind("slow done callback took", 0) == 0;
    BOOST_TEST(slow_reports == 0u);

    svc.set_debug(true);
    auto loud = af::make_future<int>(ctx);
    loud.add_done_callback(slow);
    loud.set_result(2);
    ctx.run();
    for (const auto& c : *r.seen)
        slow_reports += c.message.rfind("slow done callback took", 0) == 0;
    BOOST_TEST(slow_reports == 1u);
    BOOST_TEST(r.seen->back().future == "<async_future<int> finished result=2>");
    BOOST_TEST(!r.seen->back().exception);
}

// tag::ref_shutdown[]
BOOST_AUTO_TEST_CASE(context_shutdown_cancels_pending_futures_and_destroys_handlers)
{
    auto token = std::make_shared<int>(0);
    bool invoked = false;
    af::async_future<int> f;
    af::resolver<int> r;
    {
        asio::io_context ctx;
        f = af::make_future<int>(ctx);
        r = f.get_resolver();
        f.async_wait([&invoked, token](std::exception_ptr, int) { invoked = true; });
        f.add_done_callback([&invoked, token](const af::async_future<int>&) { invoked = true; });
        BOOST_TEST(token.use_count() == 3);
    }
    BOOST_TEST(!invoked);
    BOOST_TEST(token.use_count() == 1); // both handlers destroyed unrun
    BOOST_TEST(f.cancelled());
    try
    {
        f.result();
        BOOST_FAIL("result() must throw");
    }
    catch (const af::cancelled_error& e)
    {
        BOOST_TEST(e.cancel_message() == "execution context shut down");
    }
    BOOST_TEST(!r.set_result(1)); // a harmless no-op
    BOOST_TEST(!r.cancel());
}
// end::ref_shutdown[]

BOOST_AUTO_TEST_CASE(done_future_outliving_its_context_posts_nothing)
{
    af::async_future<int> f;
    {
        asio::io_context ctx;
        f = af::make_future<int>(ctx);
        f.set_result(3);
        ctx.run();
    }
    auto token = std::make_shared<int>(0);
    // The context is gone: the callback is destroyed, never posted to a dead context.
    f.add_done_callback([token](const af::async_future<int>&) {});
    BOOST_TEST(token.use_count() == 1);
    BOOST_TEST(f.result() == 3);
}
