//
// Copyright (c) 2026 The asio_future Authors.
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// Helpers shared by the tests of gather, wait and as_completed.

#ifndef BOOST_ASIO_FUTURE_TEST_COMBINATOR_HELPERS_HPP
#define BOOST_ASIO_FUTURE_TEST_COMBINATOR_HELPERS_HPP

#include <boost/asio_future/async_future.hpp>
#include <boost/asio_future/error.hpp>
#include <boost/asio_future/future_service.hpp>

#include <boost/asio/io_context.hpp>

#include <atomic>
#include <chrono>
#include <exception>
#include <string>

#if defined(__SANITIZE_THREAD__)
#define AF_COMBINATOR_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define AF_COMBINATOR_TSAN 1
#endif
#endif

#if defined(AF_COMBINATOR_TSAN)
// libstdc++ is not instrumented: the atomic reference count of std::exception_ptr is invisible
// to TSan (see test/stress_async_future.cpp).
extern "C" const char* __tsan_default_suppressions()
{
    return "race:std::__exception_ptr::exception_ptr::_M_release\n";
}
#endif

namespace combinator_test
{

namespace af = boost::asio_future;
namespace asio = boost::asio;

#if defined(AF_COMBINATOR_TSAN)
constexpr bool under_tsan = true;
#else
constexpr bool under_tsan = false;
#endif

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

inline std::string what_of(const std::exception_ptr& e)
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

// Counts the "exception was never retrieved" reports of a context.
struct report_counter
{
    std::atomic<int> never_retrieved{0};
    std::atomic<int> other{0};

    explicit report_counter(asio::io_context& ctx)
    {
        asio::use_service<af::future_service>(ctx).set_exception_handler(
            [this](const af::exception_context& c)
            {
                if (c.message == "exception was never retrieved")
                    ++never_retrieved;
                else
                    ++other;
            });
    }
};

// Runs `ctx` until `pred()` or a watchdog limit (only reached when something hangs).
template <class Pred>
bool run_until(
    asio::io_context& ctx,
    Pred pred,
    std::chrono::seconds limit = std::chrono::seconds(20))
{
    const auto end = std::chrono::steady_clock::now() + limit;
    ctx.restart();
    while (!pred() && std::chrono::steady_clock::now() < end)
    {
        if (ctx.run_one_for(std::chrono::milliseconds(10)) == 0 && ctx.stopped())
            ctx.restart();
    }
    return pred();
}

} // namespace combinator_test

#endif // BOOST_ASIO_FUTURE_TEST_COMBINATOR_HELPERS_HPP
