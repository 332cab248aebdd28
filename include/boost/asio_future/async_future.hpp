//
// Copyright (c) 2026 The asio_future Authors.
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_ASIO_FUTURE_ASYNC_FUTURE_HPP
#define BOOST_ASIO_FUTURE_ASYNC_FUTURE_HPP

#include <boost/asio_future/error.hpp>

#include <boost/asio_future/detail/awaitable_fix.hpp>
#include <boost/asio_future/detail/config.hpp>
#include <boost/asio_future/detail/future_state.hpp>
#include <boost/asio_future/detail/outcome.hpp>
#include <boost/asio_future/detail/source_location.hpp>
#include <boost/asio_future/detail/state_ref.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/execution_context.hpp>
#include <boost/asio/is_executor.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <iosfwd>
#include <string_view>
#include <type_traits>

namespace boost
{
namespace asio_future
{

template <class T, class Executor>
class resolver;

template <class T, class Executor>
class shielded_future;

namespace detail
{
template <class Future, class F>
class callback_node;
struct combinator_access;
} // namespace detail

/// Identifies a done callback added with `add_done_callback`.
class callback_id
{
public:
    /// An id that names no callback.
    constexpr callback_id() noexcept = default;

    /// The numeric value; 0 for an id that names no callback.
    constexpr std::uint64_t value() const noexcept { return value_; }

    friend constexpr bool operator==(callback_id a, callback_id b) noexcept
    {
        return a.value_ == b.value_;
    }
    friend constexpr bool operator!=(callback_id a, callback_id b) noexcept
    {
        return a.value_ != b.value_;
    }

private:
    template <class, class>
    friend class basic_async_future;
    constexpr explicit callback_id(std::uint64_t v) noexcept : value_(v) {}
    std::uint64_t value_ = 0;
};

/// A one-shot result bound to an executor: Python's `asyncio.Future` for Asio.
/**
 * A future is a copyable handle to one shared state. It is resolved exactly once, by
 * `set_result`, `set_exception` or `cancel` (on the future or on a `resolver`), from any thread.
 * Any number of parties may wait for it with any completion token; each receives the outcome.
 *
 * @tparam T The result type: `void`, copyable, move-only, or without default constructor.
 * @tparam Executor The executor the future is bound to: done callbacks run there, and waits
 * whose handler has no associated executor complete there (asyncio's "loop").
 *
 * @par Thread safety
 * Every member may be called from any thread, concurrently. Nothing a resolution triggers runs
 * on the resolving caller's stack: waiters and done callbacks are queued with `asio::defer`.
 *
 * @par Completion signature of a wait
 * `void(std::exception_ptr, T)`; `void(std::exception_ptr)` for `T = void`. A handler is
 * always passed a value beside the exception; on the error path it is a placeholder: `T()`, or
 * for a `T` without default constructor that is constructible from the future's executor (every
 * Asio I/O object: `tcp::socket`, `tcp::acceptor`, `steady_timer`, ...) a `T` constructed from
 * that executor (a closed socket, a timer without expiry). Any other `T` without a default
 * constructor is delivered as `std::optional<T>`: `void(std::exception_ptr, std::optional<T>)`,
 * empty on the error path.
 *
 * @par Outliving the execution context
 * Every handle (future, resolver, shielded future, `async_bridge`'s `on_done`) may outlive the
 * execution context, whatever the executor: a strand, a strand of a strand, a `thread_pool`'s,
 * an `any_io_executor` holding one. When the context shuts down, pending futures are cancelled
 * ("execution context shut down"), their waiting handlers and done callbacks are destroyed
 * without being invoked, and every future lets go of its executor (a strand must not be
 * destroyed after its context). A future made while the context shuts down (in a handler's
 * destructor, say) has none from the start; it stays pending until resolved. From then on,
 * resolutions of a cancelled future return false, `get_executor()` throws
 * `invalid_state_error`, and a wait or done callback that would run on the dead context is
 * destroyed unrun (a wait under `af::timeout` throws `invalid_state_error`: its timer would
 * need the dead context); a wait whose handler is bound to another, live, context completes
 * there with the outcome. Resolvers and `on_done` may be used on any thread while the context is
 * being destroyed; starting a wait or adding a done callback that completes on the context may
 * not race its destruction (as for any Asio object of the context), but may follow it.
 */
template <class T, class Executor = boost::asio::any_io_executor>
class basic_async_future
{
    using handle_type =
        detail::state_ref<detail::future_state<T, Executor>, detail::state_base::one_owner>;
    static constexpr bool copyable_value = std::is_void_v<T> || std::is_copy_constructible_v<T>;

public:
    /// The result type.
    using value_type = T;

    /// The executor the future is bound to.
    using executor_type = Executor;

    /// The completion signature of `async_wait`, `async_take` and `operator()`.
    using completion_signature = typename detail::wait_signature<T, Executor>::type;

    /// The producer handle returned by `get_resolver`.
    using resolver_type = resolver<T, Executor>;

    /// Rebinds the future type to another executor.
    template <class OtherExecutor>
    struct rebind_executor
    {
        using other = basic_async_future<T, OtherExecutor>;
    };

    /// Constructs an empty handle; every member but assignment, `valid()` and `operator<<`
    /// throws `invalid_state_error` on it.
    basic_async_future() noexcept = default;

    /// Creates a pending future bound to `ex` (asyncio's `loop.create_future()`).
    /** `where` records the creation site for `future_service` debug mode. */
    explicit basic_async_future(
        const executor_type& ex,
        const detail::source_location& where = detail::source_location::current())
        : state_(handle_type::adopt(state_type::create(ex, where)))
    {
    }

    /// Creates a pending future bound to the executor of `ctx`.
    template <
        class ExecutionContext,
        class = std::enable_if_t<
            std::is_convertible_v<ExecutionContext&, boost::asio::execution_context&> &&
            std::is_constructible_v<executor_type, typename ExecutionContext::executor_type>>>
    explicit basic_async_future(
        ExecutionContext& ctx,
        const detail::source_location& where = detail::source_location::current())
        : basic_async_future(executor_type(ctx.get_executor()), where)
    {
    }

    /// Copies share the state. Destroying the last future and resolver of a pending future that
    /// still has waiters completes them with `broken_promise_error`: nobody could resolve it.
    basic_async_future(const basic_async_future&) noexcept = default;
    basic_async_future(basic_async_future&&) noexcept = default;
    basic_async_future& operator=(const basic_async_future&) noexcept = default;
    basic_async_future& operator=(basic_async_future&&) noexcept = default;
    ~basic_async_future() = default;

    /// True unless the handle is empty (default-constructed or moved-from).
    bool valid() const noexcept { return static_cast<bool>(state_); }

    /// True when the future is done: it has a result, an exception, or was cancelled.
    /** Equivalent to `asyncio.Future.done`. */
    bool done() const { return state().is_done(); }

    /// True when the future was cancelled. Equivalent to `asyncio.Future.cancelled`.
    bool cancelled() const
    {
        const state_type& s = state();
        return s.is_done() && s.kind() == detail::outcome_kind::cancelled;
    }

    /// Sets the result, constructing `T` from `args`.
    /**
     * Equivalent to `asyncio.Future.set_result`.
     * @throws invalid_state_error when the future is already done.
     */
    template <class... Args>
    void set_result(Args&&... args) const
    {
        if (!try_set_result(std::forward<Args>(args)...))
            throw invalid_state_error("asio_future: set_result on a future that is already done");
    }

    /// Sets the result unless the future is already done; the first resolution wins atomically.
    /** @returns true when this call resolved the future. */
    template <class... Args>
    bool try_set_result(Args&&... args) const
    {
        static_assert(
            std::is_void_v<T> ? sizeof...(Args) == 0 : std::is_constructible_v<T, Args&&...>,
            "set_result: T must be constructible from the arguments (none for void)");
        return state().try_set_value(std::forward<Args>(args)...);
    }

    /// Fails the future with `e`. Equivalent to `asyncio.Future.set_exception`.
    /**
     * @throws std::invalid_argument when `e` is null; invalid_state_error when already done.
     */
    void set_exception(std::exception_ptr e) const
    {
        if (!try_set_exception(std::move(e)))
            throw invalid_state_error(
                "asio_future: set_exception on a future that is already done");
    }

    /// Fails the future with a copy of the exception object `e`.
    template <class E, class = std::enable_if_t<detail::is_exception_object_v<E>>>
    void set_exception(E&& e) const
    {
        set_exception(std::make_exception_ptr(std::forward<E>(e)));
    }

    /// Fails the future unless it is already done. @throws std::invalid_argument on null `e`.
    bool try_set_exception(std::exception_ptr e) const
    {
        return state().try_set_exception(std::move(e));
    }

    /// Fails the future with a copy of `e` unless it is already done.
    template <class E, class = std::enable_if_t<detail::is_exception_object_v<E>>>
    bool try_set_exception(E&& e) const
    {
        if (state().is_claimed())
            return false;
        return try_set_exception(std::make_exception_ptr(std::forward<E>(e)));
    }

    /// Cancels the future: every waiter receives `cancelled_error` carrying `msg`.
    /**
     * Equivalent to `asyncio.Future.cancel`. @returns false when the future is already done
     * (the first message is kept).
     */
    bool cancel(std::string_view msg = {}) const { return state().cancel(msg); }

    /// The result.
    /**
     * Equivalent to `asyncio.Future.result`.
     * @throws invalid_state_error while pending or after `async_take` took the value;
     * `cancelled_error` when cancelled; the stored exception when failed.
     */
    detail::result_reference_t<T> result() const;

    /// The stored exception, or null when the future has a result.
    /**
     * Equivalent to `asyncio.Future.exception`.
     * @throws invalid_state_error while pending; `cancelled_error` when cancelled.
     */
    std::exception_ptr exception() const;

    /// Blocks the calling thread until the future is done, and returns a copy of its result
    /// (for a move-only `T`, the result itself: it is taken, as by `async_take`).
    /**
     * For a thread outside the future's execution context, such as `main` handing work to an
     * `io_context` run by other threads: `concurrent.futures.Future.result()`. The blocked thread
     * is woken by the resolution itself, so it needs no thread running the context to wake it;
     * it does not spin.
     *
     * @throws invalid_state_error at once, done or not, when the calling thread is running the
     * future's execution context (inside its `run()`, `poll()` or `run_one()`, in a handler of a
     * strand on it, or on a `thread_pool` thread of a pool the future is bound to): blocking
     * there could deadlock. The test sees through `any_io_executor` and strands; it covers
     * `io_context` and `thread_pool`, and any executor with `running_in_this_thread()`.
     * @throws cancelled_error when the future was cancelled; the stored exception when it
     * failed; invalid_state_error when the result was already taken.
     */
    T get() const;

    /// As `get()`, waiting at most `timeout`.
    /**
     * `concurrent.futures.Future.result(timeout)`.
     * @throws timeout_error when `timeout` expires first; the future is left pending.
     */
    template <class Rep, class Period>
    T get(const std::chrono::duration<Rep, Period>& timeout) const;

    /// Schedules `fn(const basic_async_future&)` to run on the future's executor once it is done.
    /**
     * Equivalent to `asyncio.Future.add_done_callback`. Callbacks run one posted handler each,
     * in registration order; on a done future the callback is posted at once. An exception
     * escaping a callback is reported (one line on stderr) and never leaves `run()`.
     */
    template <class F>
    callback_id add_done_callback(F&& fn) const;

    /// Removes every pending callback registered under `id`; returns how many were removed.
    /**
     * Equivalent to `asyncio.Future.remove_done_callback`. After the future is done this returns
     * 0 and does not stop a callback already scheduled.
     */
    std::size_t remove_done_callback(callback_id id) const;

    /// The executor the future is bound to. Equivalent to `asyncio.Future.get_loop`.
    /**
     * @throws invalid_state_error once the execution context has shut down: the future lets go
     * of its executor then (see the class notes).
     */
    executor_type get_executor() const { return state().executor_copy(); }

    /// A producer handle: thread-safe, first resolution wins, broken promise on the last drop.
    resolver_type get_resolver() const;

    /// Waits for the future; each waiter receives a copy of the result (`await fut`).
    /**
     * @param token A completion token for `completion_signature`.
     *
     * The wait never completes inside this call, even on a done future: the handler is queued on
     * its associated executor (falling back to the future's). If the future completed before a
     * cancellation took effect, the wait delivers the outcome.
     *
     * @par Per-Operation Cancellation
     * @li `terminal`, `partial`: cancel the future itself; every waiter gets `cancelled_error`.
     * @li `total`: only this wait ends, with `cancelled_error`; the future goes on.
     */
    template <
        BOOST_ASIO_COMPLETION_TOKEN_FOR(completion_signature)
            CompletionToken = boost::asio::default_completion_token_t<executor_type>>
    auto async_wait(
        CompletionToken&& token = boost::asio::default_completion_token_t<executor_type>()) const
    {
        static_assert(
            copyable_value,
            "async_wait copies the result to each waiter: use async_take for a move-only T");
        return boost::asio::async_initiate<CompletionToken, completion_signature>(
            initiate_wait<false>(handle()),
            token);
    }

    /// Waits for the future and moves the value out; a later retrieval throws
    /// `invalid_state_error` ("result already taken"). Cancellation as for `async_wait`.
    /**
     * Exactly one take succeeds, decided atomically. The value is moved on the taker's
     * executor, so a reference obtained from `result()` must not be used concurrently with a
     * take: take from one consumer, or read with `async_wait` copies.
     */
    template <
        BOOST_ASIO_COMPLETION_TOKEN_FOR(completion_signature)
            CompletionToken = boost::asio::default_completion_token_t<executor_type>>
    auto async_take(
        CompletionToken&& token = boost::asio::default_completion_token_t<executor_type>()) const
    {
        return boost::asio::async_initiate<CompletionToken, completion_signature>(
            initiate_wait<!std::is_void_v<T>>(handle()),
            token);
    }

    /// The future as an Asio asynchronous operation: `co_await std::move(fut)`, or a member of
    /// `experimental::make_parallel_group`.
    /**
     * Copies the result for a copyable `T`, takes it otherwise (as `async_take`). Asio's
     * `await_transform` binds asynchronous operations only as rvalues (Asio 1.26 to 1.38), so
     * `co_await fut` on an lvalue does not compile: write `co_await std::move(fut)`, or
     * `co_await af::async_future<T>(fut)` to keep `fut`.
     *
     * @param token A completion token for `completion_signature`.
     *
     * On an empty handle (default-constructed or moved-from: awaiting the same variable twice
     * with `std::move`), the handler completes with `invalid_state_error`, posted to its
     * associated executor: a coroutine catches it at the `co_await`.
     *
     * @par Completion Signature
     * `completion_signature`: `void(std::exception_ptr, T)`, `void(std::exception_ptr)` for
     * `void`.
     *
     * @par Per-Operation Cancellation
     * As `async_wait`.
     */
    template <
        BOOST_ASIO_COMPLETION_TOKEN_FOR(completion_signature)
            CompletionToken = boost::asio::default_completion_token_t<executor_type>>
    auto operator()(
        CompletionToken&& token = boost::asio::default_completion_token_t<executor_type>()) const&
    {
        return boost::asio::async_initiate<CompletionToken, completion_signature>(
            initiate_wait<!copyable_value>(state_),
            token);
    }

    /// @copydoc operator()()
    template <
        BOOST_ASIO_COMPLETION_TOKEN_FOR(completion_signature)
            CompletionToken = boost::asio::default_completion_token_t<executor_type>>
    auto operator()(
        CompletionToken&& token = boost::asio::default_completion_token_t<executor_type>()) &&
    {
        return boost::asio::async_initiate<CompletionToken, completion_signature>(
            initiate_wait<!copyable_value>(std::move(state_)),
            token);
    }

    /// Writes asyncio's repr: `<async_future<int> pending>`, `<async_future<int> finished
    /// result=42>`, `<... finished exception=std::runtime_error('boom')>`, `<... cancelled>`.
    template <class U, class E>
    friend std::ostream& operator<<(std::ostream& os, const basic_async_future<U, E>& f);

#if !defined(BOOST_ASIO_FUTURE_DOXYGEN)
    using state_type = detail::future_state<T, Executor>;

    // Used by the library's own nodes to hand a callback its future.
    static basic_async_future from_state(state_type* s) noexcept
    {
        basic_async_future f;
        f.state_ = handle_type::share(s);
        return f;
    }

    // Takes over the owner reference a newly created state holds.
    static basic_async_future adopt_state(state_type* s) noexcept
    {
        basic_async_future f;
        f.state_ = handle_type::adopt(s);
        return f;
    }
#endif

private:
    template <class, class>
    friend class resolver;
    template <class, class>
    friend class detail::callback_node;

    template <class, class>
    friend class shielded_future;

    friend struct detail::combinator_access;

    template <bool Take, bool Shielded = false>
    class initiate_wait;

    state_type& blocking_state() const;
    T blocking_outcome(state_type& s) const;

    state_type& state() const
    {
        if (!state_)
            throw invalid_state_error(
                "asio_future: empty future (default-constructed or moved-from)");
        return *state_;
    }

    const handle_type& handle() const
    {
        state();
        return state_;
    }

    handle_type state_;
};

#if !defined(BOOST_ASIO_FUTURE_DOXYGEN)
namespace detail
{
// How the combinators (gather, wait, as_completed) reach a child's shared state.
struct combinator_access
{
    template <class T, class Executor>
    static future_state<T, Executor>* state(const basic_async_future<T, Executor>& f) noexcept
    {
        return f.state_.get();
    }
};
} // namespace detail
#endif

/// A future bound to `asio::any_io_executor`.
template <class T>
using async_future = basic_async_future<T, boost::asio::any_io_executor>;

/// Creates a pending `async_future<T>` bound to an executor or to an execution context's
/// executor. Equivalent to asyncio's `loop.create_future()`.
template <class T, class ExecutorOrContext>
async_future<T> make_future(
    ExecutorOrContext&& ex_or_ctx,
    const detail::source_location& where = detail::source_location::current())
{
    if constexpr (std::is_convertible_v<
                      std::remove_reference_t<ExecutorOrContext>&,
                      boost::asio::execution_context&>)
        return async_future<T>(boost::asio::any_io_executor(ex_or_ctx.get_executor()), where);
    else
        return async_future<T>(boost::asio::any_io_executor(ex_or_ctx), where);
}

/// True for `basic_async_future` specialisations.
template <class T>
struct is_async_future : std::false_type
{
};

template <class T, class Executor>
struct is_async_future<basic_async_future<T, Executor>> : std::true_type
{
};

/// `is_async_future<T>::value`.
template <class T>
inline constexpr bool is_async_future_v = is_async_future<T>::value;

} // namespace asio_future
} // namespace boost

#include <boost/asio_future/impl/async_future.hpp>

#endif // BOOST_ASIO_FUTURE_ASYNC_FUTURE_HPP
