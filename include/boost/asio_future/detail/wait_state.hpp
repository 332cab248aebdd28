//
// Copyright (c) 2026 The asio_future Authors.
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_ASIO_FUTURE_DETAIL_WAIT_STATE_HPP
#define BOOST_ASIO_FUTURE_DETAIL_WAIT_STATE_HPP

// Included by <boost/asio_future/wait.hpp>, after the declaration of af::return_when.

#include <boost/asio_future/async_future.hpp>
#include <boost/asio_future/error.hpp>

#include <boost/asio_future/detail/combinator.hpp>
#include <boost/asio_future/detail/config.hpp>
#include <boost/asio_future/detail/future_state.hpp>
#include <boost/asio_future/detail/source_location.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/system_executor.hpp>
#include <boost/system/error_code.hpp>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <exception>
#include <memory>
#include <optional>
#include <ostream>
#include <stdexcept>
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
using wait_sets_t = std::pair<std::vector<F>, std::vector<F>>;

// The private future an af::wait waits on: resolved with the (done, pending) sets when the
// condition is met or the duration expires; cancelled (by the user's slot) to end the wait.
//
// State machine: the future's own word decides, exactly once, between "condition met" (a
// child's node), "expired" (the timer) and "cancelled" (the user's slot, any type). A node
// only reads its child's outcome and, for all_completed and first_exception, counts down
// `remaining_`. Once the future is done every node still linked is removed from its child
// (asyncio removes its done callbacks likewise), so a wait that completed holds on to nothing
// and keeps no context running. The timer is cancelled by the completion, on the handler's
// executor.
template <class F>
class wait_state final : public future_state<wait_sets_t<F>, boost::asio::any_io_executor>
{
    using base = future_state<wait_sets_t<F>, boost::asio::any_io_executor>;
    friend class child_node<wait_state>;

public:
    using sets_type = wait_sets_t<F>;

    // Returns the state with one owner reference; the children are not linked yet.
    static wait_state*
    create(const std::vector<F>& fs, return_when when, const source_location& where)
    {
        auto* s = new wait_state(fs, when);
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
        os << "<af::wait of " << size_ << " futures " << (this->is_done() ? "done>" : "pending>");
    }

    // Arms the deadline of the duration form; allocates (the timer's wait).
    void start_timer(std::chrono::steady_clock::duration d)
    {
        timer_.emplace(this->executor(), d);
        this->add_ref();
        timer_->async_wait(expiry(state_ref<wait_state>::adopt(this)));
    }

    // On the completion: a running timer is no longer needed.
    void stop_timer() noexcept
    {
        if (timer_)
            timer_->cancel();
    }

    // Links a node into every child's list (no allocation); a done child's node runs at once.
    // Stops at a completion (a done child, or a deadline or cancellation on another thread),
    // and then removes what it linked: a completed wait leaves no node behind, which would
    // hold on to its child (and make a child nobody can resolve a broken promise).
    void link_all() noexcept
    {
        for (std::size_t i = 0; i < size_; ++i)
        {
            entry& e = entries_[i];
            e.node.owner = this;
            e.node.index = i;
            this->add_ref();
            if (!e.child->push(&e.node))
                e.node.run(node_action::complete);
            // Pairs with the fence in detach(): either this sees the completion, or the
            // completion's detach() sees this node.
            std::atomic_thread_fence(std::memory_order_seq_cst);
            if (this->is_claimed())
            {
                detach();
                return;
            }
        }
    }

    bool cancel(std::string_view msg) override
    {
        if (!base::cancel(msg))
            return false;
        detach();
        return true;
    }

private:
    struct entry
    {
        child_ref<F> child;
        child_node<wait_state> node;
    };

    class expiry
    {
    public:
        explicit expiry(state_ref<wait_state> s) noexcept : state_(std::move(s)) {}

        void operator()(boost::system::error_code ec)
        {
            if (!ec)
                state_->fire();
        }

    private:
        state_ref<wait_state> state_;
    };

    wait_state(const std::vector<F>& fs, return_when when)
        : base(boost::asio::any_io_executor(fs.front().get_executor())),
          size_(fs.size()),
          when_(when),
          remaining_(fs.size()),
          entries_(new entry[fs.size()])
    {
        for (std::size_t i = 0; i < size_; ++i)
            entries_[i].child = child_ref<F>::share(&checked_child(fs[i]));
    }

    ~wait_state() override = default;

    void on_child_done(std::size_t i) noexcept
    {
        bool met = when_ == return_when::first_completed;
        if (!met)
        {
            const bool last = remaining_.fetch_sub(1, std::memory_order_acq_rel) == 1;
            met = last || (when_ == return_when::first_exception &&
                           entries_[i].child->kind() == outcome_kind::error);
        }
        if (met)
            fire();
        this->release(); // the node's reference
    }

    // The condition is met or the deadline passed: the sets as they are now.
    void fire() noexcept
    {
        if (this->is_claimed())
            return;
        try
        {
            this->try_set_value(snapshot());
        }
        catch (...)
        {
            this->try_set_exception(std::current_exception()); // the sets could not be built
        }
        detach();
    }

    sets_type snapshot() const
    {
        sets_type sets;
        std::size_t done = 0;
        for (std::size_t i = 0; i < size_; ++i)
            done += entries_[i].child->is_done() ? 1 : 0;
        // One allocation per set (a child completing meanwhile may cost one more).
        sets.first.reserve(done);
        sets.second.reserve(size_ - done);
        for (std::size_t i = 0; i < size_; ++i)
        {
            child_state_t<F>* c = entries_[i].child.get();
            (c->is_done() ? sets.first : sets.second).push_back(F::from_state(c));
        }
        return sets;
    }

    // Removes the nodes still linked (their children are pending).
    void detach() noexcept
    {
        std::atomic_thread_fence(std::memory_order_seq_cst);
        for (std::size_t i = 0; i < size_; ++i)
        {
            if (entries_[i].child->remove(&entries_[i].node))
                this->release();
        }
    }

    std::size_t size_;
    return_when when_;
    std::atomic<std::size_t> remaining_;
    std::unique_ptr<entry[]> entries_;
    std::optional<boost::asio::steady_timer> timer_;
};

// Turns the private future's value into the user's completion.
struct wait_unpack
{
    template <class Handler, class Future, class Sets>
    void operator()(Handler&& h, Future fut, std::exception_ptr e, Sets sets) const
    {
        using F = typename Sets::first_type::value_type;
        static_cast<wait_state<F>*>(combinator_access::state(fut))->stop_timer();
        fut = Future();
        std::move(h)(std::move(e), std::move(sets.first), std::move(sets.second));
    }
};

// A wait that cannot start: its error, through a post to the handler's associated executor
// (asio::system_executor when it has none), never inline.
template <class F, class Handler>
void post_wait_error(Handler&& h, std::exception_ptr e)
{
    auto ex = boost::asio::get_associated_executor(h, boost::asio::system_executor());
    boost::asio::post(
        ex,
        [h = std::move(h), e = std::move(e)]() mutable
        { std::move(h)(std::move(e), std::vector<F>(), std::vector<F>()); });
}

template <class F>
class initiate_wait_sets
{
public:
    // The first child's executor (asio::system_executor without one): adapters such as
    // af::timeout run their timer there for a handler without an associated executor, so that
    // the wait's slot is emitted where the wait completes.
    using executor_type = boost::asio::any_io_executor;

    explicit initiate_wait_sets(const std::vector<F>& fs)
        : executor_(
              !fs.empty() && fs.front().valid()
                  ? boost::asio::any_io_executor(fs.front().get_executor())
                  : boost::asio::any_io_executor(boost::asio::system_executor()))
    {
    }

    executor_type get_executor() const noexcept { return executor_; }

    template <class Handler>
    void operator()(
        Handler&& handler,
        std::vector<F> fs,
        return_when when,
        std::optional<std::chrono::steady_clock::duration> duration,
        const source_location& where) const
    {
        using handler_type = std::decay_t<Handler>;
        using sets_future = async_future<wait_sets_t<F>>;
        handler_type h(std::forward<Handler>(handler));
        if (fs.empty())
            return post_wait_error<F>(
                std::move(h),
                std::make_exception_ptr(
                    std::invalid_argument("asio_future: wait() of an empty range")));
        for (const F& f : fs)
        {
            if (!f.valid())
                return post_wait_error<F>(
                    std::move(h),
                    std::make_exception_ptr(invalid_state_error(
                        "asio_future: wait() was given an empty future (default-constructed "
                        "or moved-from)")));
        }

        wait_state<F>* s = wait_state<F>::create(fs, when, where);
        sets_future fut = sets_future::adopt_state(s);
        if (duration)
            s->start_timer(*duration);
        boost::asio::cancellation_slot slot;
        try
        {
            slot = connect_user_slot(boost::asio::get_associated_cancellation_slot(h), s);
            fut.async_take(private_wait_handler<handler_type, sets_future, wait_unpack>(
                std::move(h),
                fut,
                slot,
                wait_unpack()));
        }
        catch (...)
        {
            if (slot.is_connected())
                slot.clear();
            s->stop_timer();
            throw;
        }
        s->link_all();
    }

private:
    executor_type executor_;
};

} // namespace detail
} // namespace asio_future
} // namespace boost

#endif // BOOST_ASIO_FUTURE_DETAIL_WAIT_STATE_HPP
