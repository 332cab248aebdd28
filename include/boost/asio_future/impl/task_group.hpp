//
// Copyright (c) 2026 The asio_future Authors.
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_ASIO_FUTURE_IMPL_TASK_GROUP_HPP
#define BOOST_ASIO_FUTURE_IMPL_TASK_GROUP_HPP

#include <boost/asio_future/detail/wait_op.hpp>

#include <boost/asio/associated_allocator.hpp>
#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/cancellation_type.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/asio/system_executor.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/version.hpp>

#include <cstdint>
#include <exception>
#include <memory>
#include <mutex>
#include <new>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

namespace boost
{
namespace asio_future
{
namespace detail
{

// Asio before 1.32 (Boost 1.87) ends co_spawn's coroutine with a co_await outside its own
// try block, which throws "co_await: Operation canceled" once the coroutine was cancelled and
// had not suspended since: the exception escapes the thread of execution and ends the program.
// A group cancels tasks that may not have started, so each task runs inside this frame, which
// turns the check off once the task's own coroutine is over (its outcome is already decided).
#if BOOST_ASIO_VERSION < 103200
#define BOOST_ASIO_FUTURE_TASK_GROUP_GUARD 1

template <class T, class Executor>
boost::asio::awaitable<T, Executor> guarded_task(boost::asio::awaitable<T, Executor> aw)
{
    std::exception_ptr e;
    try
    {
        if constexpr (std::is_void_v<T>)
        {
            co_await std::move(aw);
            co_await boost::asio::this_coro::throw_if_cancelled(false);
            co_return;
        }
        else
        {
            T v = co_await std::move(aw);
            co_await boost::asio::this_coro::throw_if_cancelled(false);
            co_return v;
        }
    }
    catch (...)
    {
        e = std::current_exception();
    }
    co_await boost::asio::this_coro::throw_if_cancelled(false);
    std::rethrow_exception(e);
}

// The callable form: `f` lives in this frame until its coroutine is over.
template <class F>
std::invoke_result_t<F&> guarded_call(F f)
{
    co_return co_await guarded_task(f());
}
#endif

// A running task of a group: a copy of its future, whatever its T, without an allocation
// (every async_future is one counted pointer).
class task_entry
{
public:
    template <class T>
    explicit task_entry(const async_future<T>& f) noexcept : ops_(&ops_for<T>)
    {
        static_assert(
            sizeof(async_future<T>) <= sizeof(storage_) &&
            alignof(async_future<T>) <= alignof(async_future<int>));
        ::new (static_cast<void*>(storage_)) async_future<T>(f);
    }

    task_entry(const task_entry& other) noexcept : ops_(other.ops_)
    {
        ops_->copy(storage_, other.storage_);
    }

    task_entry& operator=(const task_entry&) = delete;

    ~task_entry() { ops_->destroy(storage_); }

    bool done() const { return ops_->done(storage_); }
    void cancel() const { ops_->cancel(storage_); }

private:
    struct ops
    {
        void (*copy)(void*, const void*) noexcept;
        void (*destroy)(void*) noexcept;
        bool (*done)(const void*);
        void (*cancel)(const void*);
    };

    template <class T>
    static const async_future<T>& as(const void* p) noexcept
    {
        return *static_cast<const async_future<T>*>(p);
    }

    template <class T>
    static constexpr ops ops_for = {
        [](void* to, const void* from) noexcept { ::new (to) async_future<T>(as<T>(from)); },
        [](void* p) noexcept { static_cast<async_future<T>*>(p)->~async_future<T>(); },
        [](const void* p) { return as<T>(p).done(); },
        [](const void* p) { as<T>(p).cancel(); }};

    alignas(async_future<int>) unsigned char storage_[sizeof(async_future<int>)];
    const ops* ops_;
};

// A pending async_join, in the group's list. Type-erased over the handler.
struct task_group_join
{
    task_group_join* next = nullptr;
    bool cancelled = false; // a terminal or partial cancellation reached it

    // Queues the completion with `e` on the handler's executor; `keep` holds the group's state
    // until the completion has cleared the slot (an emit may still reach the cancel handler).
    virtual void post(std::shared_ptr<task_group_state> keep, std::exception_ptr e) = 0;
    // Destroys the handler uninvoked (the group's state is destroyed with the join pending:
    // its context shut down).
    virtual void destroy() noexcept = 0;

protected:
    ~task_group_join() = default;
};

class task_group_state : public std::enable_shared_from_this<task_group_state>
{
public:
    explicit task_group_state(const boost::asio::any_io_executor& ex) : executor_(ex) {}

    task_group_state(const task_group_state&) = delete;
    task_group_state& operator=(const task_group_state&) = delete;

    ~task_group_state()
    {
        while (task_group_join* j = joins_)
        {
            joins_ = j->next;
            j->destroy();
        }
    }

    const boost::asio::any_io_executor& executor() const noexcept { return executor_; }

    // Reserves a task: throws when the group no longer accepts any.
    std::uint64_t begin_spawn()
    {
        std::lock_guard<std::mutex> lock(mutex_);
        if (failed_)
            throw invalid_state_error("asio_future: spawn into a task_group whose task failed");
        if (aborting_)
            throw invalid_state_error("asio_future: spawn into a task_group that is shutting down");
        if (closed_)
            throw invalid_state_error("asio_future: spawn into a task_group already joined");
        ++pending_;
        return ++next_id_;
    }

    // Registers the task's future (for cancellation) and its done callback.
    template <class T>
    void add_task(std::uint64_t id, const async_future<T>& fut)
    {
        bool cancel_now = false;
        try
        {
            {
                std::lock_guard<std::mutex> lock(mutex_);
                running_.emplace(id, task_entry(fut));
                cancel_now = aborting_;
            }
            fut.add_done_callback([self = shared_from_this(), id](const async_future<T>& f)
                                  { self->on_task_done(id, outcome_error(f)); });
        }
        catch (...)
        {
            fut.cancel();
            end_task(id, nullptr);
            throw;
        }
        if (cancel_now)
            fut.cancel();
    }

    // The task reserved by begin_spawn() never started.
    void abort_spawn(std::uint64_t id) noexcept { end_task(id, nullptr); }

    void start_join(task_group_join* j)
    {
        std::unique_lock<std::mutex> lock(mutex_);
        if (pending_ == 0)
        {
            closed_ = true;
            std::exception_ptr e = result_for(*j);
            lock.unlock();
            return j->post(shared_from_this(), std::move(e));
        }
        j->next = joins_;
        joins_ = j;
    }

    // A join's cancellation (its slot's emit, on the emitting thread).
    void cancel_join(task_group_join* j, boost::asio::cancellation_type_t type)
    {
        using ct = boost::asio::cancellation_type;
        std::unique_lock<std::mutex> lock(mutex_);
        if (!linked(j))
            return; // already completing
        if ((type & (ct::terminal | ct::partial)) != ct::none)
        {
            j->cancelled = true;
            aborting_ = true;
            std::vector<task_entry> cancels = running_cancels();
            lock.unlock();
            cancel_all(cancels);
        }
        else if ((type & ct::total) != ct::none)
        {
            std::shared_ptr<task_group_state> keep = weak_from_this().lock();
            if (!keep)
                return; // being destroyed
            unlink(j);
            lock.unlock();
            j->post(std::move(keep), std::make_exception_ptr(cancelled_error()));
        }
    }

    // The group object is destroyed: cancel what runs, accept nothing more.
    void shut_down() noexcept
    {
        std::vector<task_entry> cancels;
        {
            std::lock_guard<std::mutex> lock(mutex_);
            aborting_ = true;
            destroyed_ = true;
            try
            {
                cancels = running_cancels();
            }
            catch (...)
            {
                // Out of memory: cancel under the lock instead (a cancel runs no user code).
                for (auto& r : running_)
                    cancel_one(r.second);
                return;
            }
        }
        cancel_all(cancels);
    }

    std::vector<std::exception_ptr> exceptions() const
    {
        std::lock_guard<std::mutex> lock(mutex_);
        return errors_;
    }

    std::size_t size() const
    {
        std::lock_guard<std::mutex> lock(mutex_);
        return pending_;
    }

private:
    // The failure of a done task, retrieved (so never reported); null for a result, a
    // cancellation, or a coroutine that ended with cancelled_error (asyncio: a task whose
    // coroutine raised CancelledError is cancelled).
    template <class T>
    static std::exception_ptr outcome_error(const async_future<T>& f) noexcept
    {
        try
        {
            if (f.cancelled())
                return nullptr;
            std::exception_ptr e = f.exception();
            if (!e)
                return nullptr;
            try
            {
                std::rethrow_exception(e);
            }
            catch (const cancelled_error&)
            {
                return nullptr;
            }
            catch (...)
            {
            }
            return e;
        }
        catch (...)
        {
            return nullptr;
        }
    }

    void on_task_done(std::uint64_t id, std::exception_ptr e) noexcept
    {
        try
        {
            end_task(id, std::move(e));
        }
        catch (...)
        {
        }
    }

    // A task is done (or never started): record its failure, cancel the others on the first
    // one, complete the joins after the last.
    void end_task(std::uint64_t id, std::exception_ptr e) noexcept
    {
        std::vector<task_entry> cancels;
        task_group_join* done_joins = nullptr;
        std::vector<std::exception_ptr> results;
        {
            std::lock_guard<std::mutex> lock(mutex_);
            running_.erase(id);
            if (e)
            {
                try
                {
                    errors_.push_back(e);
                }
                catch (...)
                {
                }
                if (!failed_)
                {
                    failed_ = true;
                    aborting_ = true;
                    try
                    {
                        cancels = running_cancels();
                    }
                    catch (...)
                    {
                        for (auto& r : running_)
                            cancel_one(r.second);
                    }
                }
            }
            if (--pending_ == 0 && joins_)
            {
                closed_ = true;
                done_joins = std::exchange(joins_, nullptr);
            }
        }
        cancel_all(cancels);
        if (!done_joins)
            return;
        std::shared_ptr<task_group_state> keep = shared_from_this();
        while (task_group_join* j = done_joins)
        {
            done_joins = j->next;
            std::exception_ptr r;
            {
                std::lock_guard<std::mutex> lock(mutex_);
                r = result_for(*j);
            }
            try
            {
                j->post(keep, std::move(r));
            }
            catch (...)
            {
                // Queuing failed: the join cannot complete; its handler is destroyed.
            }
        }
    }

    // Under the lock.
    std::exception_ptr result_for(const task_group_join& j) const
    {
        if (!errors_.empty())
            return errors_.front();
        if (j.cancelled || destroyed_)
            return std::make_exception_ptr(cancelled_error());
        return nullptr;
    }

    // The cancellation of a task is queued on the group's executor, never run inline: a task
    // spawned from another thread may not have started yet (its coroutine's start is queued
    // there), and Asio's co_spawn must not see a cancellation before its coroutine has run. If
    // queuing fails to allocate, the task is cancelled here.
    void cancel_one(const task_entry& t) const noexcept
    {
        try
        {
            // A done task needs nothing, and its context may be gone (it shut down and
            // cancelled every future): nothing may be queued there then.
            if (t.done())
                return;
            boost::asio::post(executor_, [t] { t.cancel(); });
        }
        catch (...)
        {
            try
            {
                t.cancel();
            }
            catch (...)
            {
            }
        }
    }

    void cancel_all(const std::vector<task_entry>& cancels) const noexcept
    {
        for (const auto& c : cancels)
            cancel_one(c);
    }

    std::vector<task_entry> running_cancels() const
    {
        std::vector<task_entry> v;
        v.reserve(running_.size());
        for (const auto& r : running_)
            v.push_back(r.second);
        return v;
    }

    bool linked(task_group_join* j) const noexcept
    {
        for (task_group_join* p = joins_; p; p = p->next)
            if (p == j)
                return true;
        return false;
    }

    void unlink(task_group_join* j) noexcept
    {
        for (task_group_join** p = &joins_; *p; p = &(*p)->next)
            if (*p == j)
            {
                *p = j->next;
                return;
            }
    }

    boost::asio::any_io_executor executor_;
    mutable std::mutex mutex_;
    std::size_t pending_ = 0;
    std::uint64_t next_id_ = 0;
    // Each running task's future (a copy of it, whatever its T), to cancel it.
    std::unordered_map<std::uint64_t, task_entry> running_;
    std::vector<std::exception_ptr> errors_;
    task_group_join* joins_ = nullptr;
    bool failed_ = false;    // a task failed
    bool aborting_ = false;  // failed, a join was cancelled, or the group destroyed
    bool closed_ = false;    // a join completed
    bool destroyed_ = false; // the task_group object is gone
};

// An async_join with its handler, outstanding work on the handler's executor, and its slot.
template <class Handler>
class task_group_join_op final : public task_group_join
{
    using work_executor = std::decay_t<decltype(boost::asio::prefer(
        std::declval<
            const boost::asio::associated_executor_t<Handler, boost::asio::any_io_executor>&>(),
        boost::asio::execution::outstanding_work.tracked))>;
    using op_allocator = typename std::allocator_traits<decltype(wait_allocator(
        std::declval<const Handler&>()))>::template rebind_alloc<task_group_join_op>;

public:
    static void start(task_group_state& st, Handler&& h)
    {
        op_allocator alloc(wait_allocator(h));
        task_group_join_op* op = std::allocator_traits<op_allocator>::allocate(alloc, 1);
        try
        {
            ::new (static_cast<void*>(op)) task_group_join_op(st, std::move(h));
        }
        catch (...)
        {
            std::allocator_traits<op_allocator>::deallocate(alloc, op, 1);
            throw;
        }
        auto slot = boost::asio::get_associated_cancellation_slot(op->handler_);
        if (slot.is_connected())
        {
            try
            {
                slot.template emplace<cancel_handler>(&st, op);
            }
            catch (...)
            {
                op->destroy();
                throw;
            }
            op->slot_ = slot;
        }
        // Links the join, or queues its completion when no task runs. If queuing fails, the
        // completion object has destroyed the join (and cleared its slot) before this throws.
        st.start_join(op);
    }

    void post(std::shared_ptr<task_group_state> keep, std::exception_ptr e) override
    {
        boost::asio::post(work_, completion(this, std::move(keep), std::move(e)));
    }

    void destroy() noexcept override
    {
        if (slot_.is_connected())
            slot_.clear();
        free_self();
    }

private:
    struct cancel_handler
    {
        cancel_handler(task_group_state* s, task_group_join* j) noexcept : state(s), join(j) {}
        task_group_state* state;
        task_group_join* join;

        void operator()(boost::asio::cancellation_type_t type) { state->cancel_join(join, type); }
    };

    class completion
    {
    public:
        using allocator_type = boost::asio::associated_allocator_t<Handler>;

        completion(
            task_group_join_op* op,
            std::shared_ptr<task_group_state> keep,
            std::exception_ptr e) noexcept
            : op_(op), keep_(std::move(keep)), error_(std::move(e))
        {
        }
        completion(completion&& other) noexcept
            : op_(std::exchange(other.op_, nullptr)),
              keep_(std::move(other.keep_)),
              error_(std::move(other.error_))
        {
        }
        completion& operator=(completion&&) = delete;

        ~completion()
        {
            if (op_)
                op_->destroy();
        }

        allocator_type get_allocator() const noexcept
        {
            return boost::asio::get_associated_allocator(op_->handler_);
        }

        void operator()()
        {
            task_group_join_op* op = std::exchange(op_, nullptr);
            if (op->slot_.is_connected())
                op->slot_.clear();
            op_allocator alloc(wait_allocator(op->handler_));
            Handler h(std::move(op->handler_));
            op->free_self(alloc);
            keep_.reset();
            std::move(h)(std::move(error_));
        }

    private:
        task_group_join_op* op_;
        std::shared_ptr<task_group_state> keep_;
        std::exception_ptr error_;
    };

    task_group_join_op(task_group_state& st, Handler&& h)
        : handler_(std::move(h)),
          work_(boost::asio::prefer(
              boost::asio::get_associated_executor(handler_, st.executor()),
              boost::asio::execution::outstanding_work.tracked))
    {
    }

    void free_self() noexcept { free_self(op_allocator(wait_allocator(handler_))); }

    // `alloc` is taken before the handler is moved out: a moved-from handler has no associators.
    void free_self(op_allocator alloc) noexcept
    {
        this->~task_group_join_op();
        std::allocator_traits<op_allocator>::deallocate(alloc, this, 1);
    }

    Handler handler_;
    work_executor work_;
    boost::asio::cancellation_slot slot_;
};

} // namespace detail

class task_group::initiate_async_join
{
public:
    using executor_type = boost::asio::any_io_executor;

    explicit initiate_async_join(std::shared_ptr<detail::task_group_state> s) noexcept
        : state_(std::move(s))
    {
    }

    executor_type get_executor() const { return state_ ? state_->executor() : executor_type(); }

    template <class Handler>
    void operator()(Handler&& handler) const
    {
        using handler_type = std::decay_t<Handler>;
        if (!state_)
            return detail::complete_empty<void, executor_type>(
                handler_type(std::forward<Handler>(handler)));
        detail::task_group_join_op<handler_type>::start(
            *state_,
            handler_type(std::forward<Handler>(handler)));
    }

private:
    std::shared_ptr<detail::task_group_state> state_;
};

inline task_group::task_group(const executor_type& ex)
    : state_(std::make_shared<detail::task_group_state>(ex))
{
}

inline task_group& task_group::operator=(task_group&& other) noexcept
{
    if (this != &other)
    {
        if (state_)
            state_->shut_down();
        state_ = std::move(other.state_);
    }
    return *this;
}

inline task_group::~task_group()
{
    if (state_)
        state_->shut_down();
}

inline detail::task_group_state& task_group::state() const
{
    if (!state_)
        throw invalid_state_error("asio_future: empty task_group (moved-from)");
    return *state_;
}

inline task_group::executor_type task_group::get_executor() const
{
    return state().executor();
}

template <class T, class AwaitableExecutor>
async_future<T> task_group::spawn(boost::asio::awaitable<T, AwaitableExecutor> aw)
{
    detail::task_group_state& st = state();
    const std::uint64_t id = st.begin_spawn();
    async_future<T> fut;
    try
    {
#if defined(BOOST_ASIO_FUTURE_TASK_GROUP_GUARD)
        fut = boost::asio::co_spawn(
            st.executor(),
            detail::guarded_task(std::move(aw)),
            use_async_future);
#else
        fut = boost::asio::co_spawn(st.executor(), std::move(aw), use_async_future);
#endif
    }
    catch (...)
    {
        st.abort_spawn(id);
        throw;
    }
    st.add_task(id, fut);
    return fut;
}

template <class F, class, class>
auto task_group::spawn(F&& f)
{
    detail::task_group_state& st = state();
    const std::uint64_t id = st.begin_spawn();
    using future_type = decltype(boost::asio::co_spawn(
        std::declval<const executor_type&>(),
        std::declval<F>(),
        use_async_future));
    future_type fut;
    try
    {
#if defined(BOOST_ASIO_FUTURE_TASK_GROUP_GUARD)
        fut = boost::asio::co_spawn(
            st.executor(),
            detail::guarded_call(std::decay_t<F>(std::forward<F>(f))),
            use_async_future);
#else
        fut = boost::asio::co_spawn(st.executor(), std::forward<F>(f), use_async_future);
#endif
    }
    catch (...)
    {
        st.abort_spawn(id);
        throw;
    }
    st.add_task(id, fut);
    return fut;
}

template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(std::exception_ptr)) CompletionToken>
auto task_group::async_join(CompletionToken&& token)
{
    return boost::asio::async_initiate<CompletionToken, void(std::exception_ptr)>(
        initiate_async_join(state_),
        token);
}

inline std::vector<std::exception_ptr> task_group::exceptions() const
{
    return state().exceptions();
}

inline std::size_t task_group::size() const
{
    return state().size();
}

} // namespace asio_future
} // namespace boost

#endif // BOOST_ASIO_FUTURE_IMPL_TASK_GROUP_HPP
