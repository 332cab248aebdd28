//
// Copyright (c) 2026 The asio_future Authors.
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_ASIO_FUTURE_DETAIL_AS_COMPLETED_STATE_HPP
#define BOOST_ASIO_FUTURE_DETAIL_AS_COMPLETED_STATE_HPP

#include <boost/asio_future/async_future.hpp>
#include <boost/asio_future/error.hpp>

#include <boost/asio_future/detail/combinator.hpp>
#include <boost/asio_future/detail/config.hpp>
#include <boost/asio_future/detail/future_state.hpp>
#include <boost/asio_future/detail/source_location.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/associated_cancellation_slot.hpp>

#include <atomic>
#include <cstddef>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <ostream>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace boost
{
namespace asio_future
{
namespace detail
{

template <class F>
class as_completed_state;

// The private future one async_next waits on: resolved with the next child in completion
// order, or cancelled (by the user's slot, any type) to end only that call.
template <class F>
class next_state final : public future_state<F, boost::asio::any_io_executor>
{
    using base = future_state<F, boost::asio::any_io_executor>;
    friend class as_completed_state<F>;

public:
    static next_state* create(
        as_completed_state<F>* owner,
        const boost::asio::any_io_executor& ex,
        const source_location& where)
    {
        auto* s = new next_state(owner, ex);
        try
        {
            s->attach_registry(where);
        }
        catch (...)
        {
            delete s;
            throw;
        }
        return s;
    }

    void describe(std::ostream& os) const override
    {
        os << "<as_completed async_next " << (this->is_done() ? "done>" : "pending>");
    }

    bool cancel(std::string_view msg) override
    {
        if (!base::cancel(msg))
            return false;
        owner_->next_cancelled(this);
        return true;
    }

private:
    next_state(as_completed_state<F>* owner, const boost::asio::any_io_executor& ex)
        : base(ex), owner_(owner)
    {
        owner_->add_ref();
    }

    ~next_state() override { owner_->release(); }

    as_completed_state<F>* owner_;
    // Guarded by the owner's mutex.
    next_state* prev_ = nullptr;
    next_state* next_ = nullptr;
    bool linked_ = false;  // in the owner's queue of waiting calls (which holds a reference)
    bool counted_ = false; // counted in the owner's reserved_
};

// The state of an as_completed object: one node per child, the children done but not handed
// out (in completion order), and the async_next calls waiting for one (in call order).
//
// State machine, under one mutex held for a few instructions: a child's node hands its child
// to the first waiting call, else appends it to the ready queue; a call takes the first ready
// child, else waits in line. At most one of the two queues is non-empty. `reserved_` counts
// the calls that got or will get a child: remaining() is size - reserved_, and a call beyond
// the size completes with invalid_state_error. The private future of a call is resolved
// outside the lock; if that fails (the call was cancelled meanwhile), its child goes to the
// next waiting call or back to the front of the ready queue: a child is never lost.
//
// Memory: the state, and one array of nodes and a ring buffer for the ready queue, whatever
// the number of children; each async_next allocates its private future and its wait.
template <class F>
class as_completed_state
{
    friend class child_node<as_completed_state>;
    friend class next_state<F>;

public:
    // Returns the state with one reference for the caller, its nodes linked.
    static as_completed_state* create(const std::vector<F>& fs, const source_location& where)
    {
        auto* s = new as_completed_state(fs, where);
        s->link_all();
        return s;
    }

    void add_ref() noexcept { refs_.fetch_add(1, std::memory_order_relaxed); }

    void release() noexcept
    {
        if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1)
            delete this;
    }

    std::size_t size() const noexcept { return size_; }

    std::size_t remaining() const
    {
        std::lock_guard<std::mutex> lock(mutex_);
        return size_ - reserved_;
    }

    const boost::asio::any_io_executor& executor() const noexcept { return executor_; }

    const source_location& where() const noexcept { return where_; }

    // The second half of async_next's initiation, once its wait is set up: reserves a child
    // for `n` (or fails it: nothing remains) and resolves it at once when one is ready.
    void start_next(next_state<F>* n) noexcept
    {
        std::optional<std::size_t> ready;
        bool exhausted = false;
        {
            std::lock_guard<std::mutex> lock(mutex_);
            if (n->is_claimed())
                return; // cancelled before it could start
            if (reserved_ == size_)
                exhausted = true;
            else
            {
                ++reserved_;
                n->counted_ = true;
                if (ready_count_)
                    ready = pop_ready();
                else
                    enqueue(n);
            }
        }
        if (exhausted)
            n->try_set_exception(std::make_exception_ptr(invalid_state_error(
                "asio_future: as_completed: async_next with nothing remaining")));
        else if (ready && !n->try_set_value(F::from_state(entries_[*ready].child.get())))
            hand_out(*ready, true); // cancelled meanwhile: the child goes to the next call
    }

private:
    struct entry
    {
        child_ref<F> child;
        child_node<as_completed_state> node;
    };

    as_completed_state(const std::vector<F>& fs, const source_location& where)
        : executor_(
              fs.empty() ? boost::asio::any_io_executor(boost::asio::system_executor())
                         : boost::asio::any_io_executor(fs.front().get_executor())),
          where_(where),
          size_(fs.size()),
          entries_(new entry[fs.size()]),
          ready_(new std::size_t[fs.size() ? fs.size() : 1])
    {
        for (std::size_t i = 0; i < size_; ++i)
            entries_[i].child = child_ref<F>::share(&checked_child(fs[i]));
    }

    ~as_completed_state() = default;

    void link_all() noexcept
    {
        for (std::size_t i = 0; i < size_; ++i)
        {
            entry& e = entries_[i];
            e.node.owner = this;
            e.node.index = i;
            add_ref();
            if (!e.child->push(&e.node))
                e.node.run(node_action::complete);
        }
    }

    void on_child_done(std::size_t i) noexcept
    {
        hand_out(i, false);
        release(); // the node's reference
    }

    // Child `i` is done: to the first waiting call, else into the ready queue (at its front
    // when it comes back from a call cancelled while it was being handed over).
    void hand_out(std::size_t i, bool front) noexcept
    {
        for (;;)
        {
            next_state<F>* w = nullptr;
            {
                std::lock_guard<std::mutex> lock(mutex_);
                if (!waiters_head_)
                    return push_ready(i, front);
                w = dequeue();
            }
            const bool delivered = w->try_set_value(F::from_state(entries_[i].child.get()));
            w->release(); // the queue's reference
            if (delivered)
                return;
            front = true;
        }
    }

    // A call was cancelled (before it got a child).
    void next_cancelled(next_state<F>* n) noexcept
    {
        bool unlinked = false;
        {
            std::lock_guard<std::mutex> lock(mutex_);
            if (n->linked_)
            {
                unlink(n);
                unlinked = true;
            }
            if (n->counted_)
            {
                n->counted_ = false;
                --reserved_;
            }
        }
        if (unlinked)
            n->release();
    }

    // --- the two queues, under mutex_ -----------------------------------------------------

    void push_ready(std::size_t i, bool front) noexcept
    {
        if (front)
        {
            ready_head_ = (ready_head_ + size_ - 1) % size_;
            ready_[ready_head_] = i;
        }
        else
            ready_[(ready_head_ + ready_count_) % size_] = i;
        ++ready_count_;
    }

    std::size_t pop_ready() noexcept
    {
        const std::size_t i = ready_[ready_head_];
        ready_head_ = (ready_head_ + 1) % size_;
        --ready_count_;
        return i;
    }

    void enqueue(next_state<F>* n) noexcept
    {
        n->add_ref();
        n->linked_ = true;
        n->prev_ = waiters_tail_;
        n->next_ = nullptr;
        if (waiters_tail_)
            waiters_tail_->next_ = n;
        else
            waiters_head_ = n;
        waiters_tail_ = n;
    }

    // Unlinks the first waiting call; its reference goes to the caller.
    next_state<F>* dequeue() noexcept
    {
        next_state<F>* n = waiters_head_;
        unlink(n);
        return n;
    }

    void unlink(next_state<F>* n) noexcept
    {
        (n->prev_ ? n->prev_->next_ : waiters_head_) = n->next_;
        (n->next_ ? n->next_->prev_ : waiters_tail_) = n->prev_;
        n->prev_ = n->next_ = nullptr;
        n->linked_ = false;
    }

    std::atomic<std::size_t> refs_{1};
    boost::asio::any_io_executor executor_;
    source_location where_;
    std::size_t size_;
    std::unique_ptr<entry[]> entries_;
    mutable std::mutex mutex_;
    std::unique_ptr<std::size_t[]> ready_;
    std::size_t ready_head_ = 0;
    std::size_t ready_count_ = 0;
    std::size_t reserved_ = 0;
    next_state<F>* waiters_head_ = nullptr;
    next_state<F>* waiters_tail_ = nullptr;
};

// Turns the private future's value into the user's completion.
struct next_unpack
{
    template <class Handler, class Future, class F>
    void operator()(Handler&& h, Future fut, std::exception_ptr e, F f) const
    {
        fut = Future();
        std::move(h)(std::move(e), std::move(f));
    }
};

template <class F>
class initiate_async_next
{
public:
    using executor_type = boost::asio::any_io_executor;

    explicit initiate_async_next(as_completed_state<F>* s) noexcept : state_(s) { s->add_ref(); }
    initiate_async_next(const initiate_async_next& other) noexcept : state_(other.state_)
    {
        state_->add_ref();
    }
    initiate_async_next& operator=(const initiate_async_next&) = delete;
    ~initiate_async_next() { state_->release(); }

    executor_type get_executor() const noexcept { return state_->executor(); }

    template <class Handler>
    void operator()(Handler&& handler) const
    {
        using handler_type = std::decay_t<Handler>;
        using next_future = async_future<F>;
        handler_type h(std::forward<Handler>(handler));
        next_state<F>* n = next_state<F>::create(state_, state_->executor(), state_->where());
        next_future fut = next_future::adopt_state(n);
        boost::asio::cancellation_slot slot;
        try
        {
            slot = connect_user_slot(boost::asio::get_associated_cancellation_slot(h), n);
            fut.async_take(private_wait_handler<handler_type, next_future, next_unpack>(
                std::move(h),
                fut,
                slot,
                next_unpack()));
        }
        catch (...)
        {
            if (slot.is_connected())
                slot.clear();
            throw;
        }
        state_->start_next(n);
    }

private:
    as_completed_state<F>* state_;
};

} // namespace detail
} // namespace asio_future
} // namespace boost

#endif // BOOST_ASIO_FUTURE_DETAIL_AS_COMPLETED_STATE_HPP
