//
// Copyright (c) 2026 The asio_future Authors.
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_ASIO_FUTURE_DETAIL_BLOCKING_WAIT_HPP
#define BOOST_ASIO_FUTURE_DETAIL_BLOCKING_WAIT_HPP

#include <boost/asio_future/detail/config.hpp>
#include <boost/asio_future/detail/state_base.hpp>

#include <boost/asio/detail/scheduler.hpp>
#include <boost/asio/execution/context.hpp>
#include <boost/asio/execution_context.hpp>
#include <boost/asio/query.hpp>
#if defined(BOOST_ASIO_HAS_IOCP)
#include <boost/asio/detail/win_iocp_io_context.hpp>
#endif

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <type_traits>
#include <utility>

namespace boost
{
namespace asio_future
{
namespace detail
{

template <class Executor, class = void>
struct has_running_in_this_thread : std::false_type
{
};

template <class Executor>
struct has_running_in_this_thread<
    Executor,
    std::void_t<decltype(bool(std::declval<const Executor&>().running_in_this_thread()))>>
    : std::true_type
{
};

// True when the calling thread is running `ex`'s execution context: inside its run(), poll() or
// run_one(), in a handler of a strand on it, or on a thread of a thread_pool. Asio's io_context
// and thread_pool both run a scheduler service, which pushes itself onto a thread-local call
// stack for as long as a thread runs it; the test looks it up through the context, so it sees
// through any_io_executor, strands and other executor adapters. An executor that reports
// running_in_this_thread() itself (a strand of a foreign executor) is asked too.
template <class Executor>
bool running_in_this_thread(const Executor& ex) noexcept
{
    if constexpr (has_running_in_this_thread<Executor>::value)
    {
        if (ex.running_in_this_thread())
            return true;
    }
    if constexpr (
        std::is_default_constructible_v<Executor> && std::is_constructible_v<bool, const Executor&>)
    {
        if (!static_cast<bool>(ex))
            return false; // an empty polymorphic executor has no context
    }
    try
    {
        boost::asio::execution_context& ctx =
            boost::asio::query(ex, boost::asio::execution::context);
        if (boost::asio::has_service<boost::asio::detail::scheduler>(ctx) &&
            boost::asio::use_service<boost::asio::detail::scheduler>(ctx).can_dispatch())
            return true;
#if defined(BOOST_ASIO_HAS_IOCP)
        // On Windows an io_context runs handlers with its I/O completion port.
        if (boost::asio::has_service<boost::asio::detail::win_iocp_io_context>(ctx) &&
            boost::asio::use_service<boost::asio::detail::win_iocp_io_context>(ctx).can_dispatch())
            return true;
#endif
    }
    catch (...)
    {
    }
    return false;
}

// The node a blocking get() puts into the future's list. It lives on the blocked thread's stack
// and is completed on the resolving thread: signalling a condition variable is all that runs
// there, no user code (the "never inline" rule is about handlers and callbacks).
class blocking_waiter final : public list_node
{
public:
    blocking_waiter() noexcept : list_node(&blocking_waiter::act) {}

    void wait()
    {
        std::unique_lock<std::mutex> lock(mutex_);
        cv_.wait(lock, [this] { return done_; });
    }

    // False on expiry.
    template <class Clock, class Duration>
    bool wait_until(const std::chrono::time_point<Clock, Duration>& t)
    {
        std::unique_lock<std::mutex> lock(mutex_);
        return cv_.wait_until(lock, t, [this] { return done_; });
    }

private:
    // complete, dispatch (first in line of an operation's completion), or destroy (the
    // context shut down: the outcome is already the shutdown's cancellation). The waiter is
    // notified under the lock: once it sees done_ it may return and destroy this node.
    static void act(list_node* n, node_action) noexcept
    {
        auto* self = static_cast<blocking_waiter*>(n);
        std::lock_guard<std::mutex> lock(self->mutex_);
        self->done_ = true;
        self->cv_.notify_one();
    }

    std::mutex mutex_;
    std::condition_variable cv_;
    bool done_ = false;
};

} // namespace detail
} // namespace asio_future
} // namespace boost

#endif // BOOST_ASIO_FUTURE_DETAIL_BLOCKING_WAIT_HPP
