//
// Copyright (c) 2026 The asio_future Authors.
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_ASIO_FUTURE_TASK_GROUP_HPP
#define BOOST_ASIO_FUTURE_TASK_GROUP_HPP

#include <boost/asio_future/async_future.hpp>
#include <boost/asio_future/error.hpp>
#include <boost/asio_future/use_async_future.hpp>

#include <boost/asio_future/detail/config.hpp>

#if defined(BOOST_ASIO_FUTURE_HAS_CO_AWAIT)

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/execution_context.hpp>

#include <cstddef>
#include <exception>
#include <memory>
#include <type_traits>
#include <utility>
#include <vector>

namespace boost
{
namespace asio_future
{

namespace detail
{
class task_group_state;

template <class T>
struct is_awaitable : std::false_type
{
};

template <class T, class Executor>
struct is_awaitable<boost::asio::awaitable<T, Executor>> : std::true_type
{
};
} // namespace detail

/// A dynamic group of coroutine tasks with structured cancellation: `asyncio.TaskGroup`.
/**
 * `spawn` starts a coroutine on the group's executor, as `co_spawn(ex, aw,
 * af::use_async_future)` (`asyncio.create_task`), and returns its future. `async_join` waits
 * until every task is done (the end of `async with TaskGroup()`).
 *
 * The first task to fail (with an exception; a task that was cancelled, or whose coroutine
 * ended with `cancelled_error`, did not fail) cancels every other task, and the join, once
 * every task is done, completes with that first exception. `exceptions()` holds every failure,
 * the first included. The group retrieves them: none is reported as "exception was never
 * retrieved". To cancel one task, cancel its future: it ends cancelled and the group goes on.
 *
 * @par Thread safety
 * Every member may be called from any thread, concurrently, and tasks may spawn into their own
 * group. The group's bookkeeping runs in done callbacks of the tasks, on the group's executor.
 * A coroutine's cancellation is emitted on its executor, as Asio requires: for tasks on an
 * `io_context` run by several threads, give the group a strand.
 *
 * @par Lifetime
 * Destroying the group cancels the tasks still running; they finish on their own, and nothing
 * they use of the group outlives it unsafely. A join still pending then completes, once they
 * are done, with `cancelled_error` (or the first failure). A group is outstanding work only
 * while a join waits on it.
 */
class task_group
{
public:
    /// The executor the tasks run on.
    using executor_type = boost::asio::any_io_executor;

    /// A group whose tasks run on `ex`.
    explicit task_group(const executor_type& ex);

    /// A group whose tasks run on the executor of `ctx`.
    template <
        class ExecutionContext,
        class = std::enable_if_t<
            std::is_convertible_v<ExecutionContext&, boost::asio::execution_context&>>>
    explicit task_group(ExecutionContext& ctx) : task_group(executor_type(ctx.get_executor()))
    {
    }

    task_group(const task_group&) = delete;
    task_group& operator=(const task_group&) = delete;

    /// The moved-from group is empty: every member but destruction throws
    /// `invalid_state_error` on it.
    task_group(task_group&&) noexcept = default;
    task_group& operator=(task_group&& other) noexcept;

    /// Cancels the tasks still running.
    ~task_group();

    /// The executor the tasks run on.
    executor_type get_executor() const;

    /// Starts `aw` as a task of the group and returns its future: `TaskGroup.create_task`.
    /**
     * @returns `async_future<T>` for an `awaitable<T>`, as `co_spawn(ex, aw,
     * af::use_async_future)`.
     * @throws invalid_state_error when the group failed, a join was cancelled or completed, or
     * the group is being destroyed (asyncio: "TaskGroup is shutting down"). A spawn while a
     * join is pending is allowed.
     */
    template <class T, class AwaitableExecutor>
    async_future<T> spawn(boost::asio::awaitable<T, AwaitableExecutor> aw);

    /// Starts the coroutine `f()` as a task; `f` is kept alive until it completes (the form for
    /// a coroutine lambda with captures).
    template <
        class F,
        class = std::enable_if_t<!detail::is_awaitable<std::decay_t<F>>::value>,
        class = decltype(boost::asio::co_spawn(
            std::declval<const executor_type&>(),
            std::declval<F>(),
            use_async_future))>
    auto spawn(F&& f);

    /// Waits until every task is done.
    /**
     * Completes at once (queued, never inline) when no task is running. Several joins may wait
     * together; each completes when the last task is done. The first join to complete closes
     * the group: later `spawn` calls throw.
     *
     * @par Completion Signature
     * @code void(std::exception_ptr) @endcode
     * The first failure of a task; else `cancelled_error` when this join was cancelled or the
     * group destroyed; else null.
     *
     * @par Per-Operation Cancellation
     * @li `terminal`, `partial`: every task is cancelled; the join completes with
     * `cancelled_error` once all are done (the first failure if one failed meanwhile).
     * @li `total`: only this join ends, at once, with `cancelled_error`; the tasks go on and the
     * group may be joined again.
     */
    template <
        BOOST_ASIO_COMPLETION_TOKEN_FOR(void(std::exception_ptr))
            CompletionToken = boost::asio::default_completion_token_t<executor_type>>
    auto async_join(
        CompletionToken&& token = boost::asio::default_completion_token_t<executor_type>());

    /// Every failure of a task so far, in the order they were seen; the first one first.
    std::vector<std::exception_ptr> exceptions() const;

    /// The number of tasks not yet done.
    std::size_t size() const;

private:
    class initiate_async_join;

    detail::task_group_state& state() const;

    std::shared_ptr<detail::task_group_state> state_;
};

} // namespace asio_future
} // namespace boost

#include <boost/asio_future/impl/task_group.hpp>

#endif // BOOST_ASIO_FUTURE_HAS_CO_AWAIT

#endif // BOOST_ASIO_FUTURE_TASK_GROUP_HPP
