//
// Copyright (c) 2026 The asio_future Authors.
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_ASIO_FUTURE_DETAIL_STATE_BASE_HPP
#define BOOST_ASIO_FUTURE_DETAIL_STATE_BASE_HPP

#include <boost/asio_future/detail/config.hpp>
#include <boost/asio_future/detail/outcome.hpp>

#include <atomic>
#include <cstdint>
#include <iosfwd>
#include <string_view>
#include <thread>

namespace boost
{
namespace asio_future
{
namespace detail
{

class state_base;
class state_registry_core;

// What a node is asked to do when it leaves the list.
enum class node_action
{
    complete, // the future is done: deliver its outcome
    dispatch, // the same, inline if the handler's executor is the running one (see publish)
    detach,   // a waiter left early (total cancellation): deliver cancelled_error
    destroy   // the context is gone: destroy the handler without invoking it
};

// An entry in a future's list of waiters and done callbacks. Nodes are aligned to 8 so that the
// three low bits of a node pointer are free for the state word's flags.
struct alignas(8) list_node
{
    // Not noexcept: a dispatched waiter (node_action::dispatch) may run its handler inline,
    // and an exception from it must reach the caller. Every other action never throws.
    using action_fn = void (*)(list_node*, node_action);

    explicit list_node(action_fn fn, std::uint64_t callback_id = 0) noexcept
        : act(fn), id(callback_id)
    {
    }

    list_node* next = nullptr;
    action_fn act;
    std::uint64_t id; // non-zero for done callbacks

    void run(node_action a) { act(this, a); }
};

// Test hook: with BOOST_ASIO_FUTURE_COUNT_LIVE_STATES defined, live_state_count() is the
// number of shared states alive in the process (leak checks of the stress and fault-injection
// tests). Otherwise the tracker is an empty base and costs nothing.
#if defined(BOOST_ASIO_FUTURE_COUNT_LIVE_STATES)
inline std::atomic<long>& live_state_count() noexcept
{
    static std::atomic<long> n{0};
    return n;
}

struct live_state_tracker
{
    live_state_tracker() noexcept { live_state_count().fetch_add(1, std::memory_order_relaxed); }
    ~live_state_tracker() { live_state_count().fetch_sub(1, std::memory_order_relaxed); }
};
#else
struct live_state_tracker
{
};
#endif

// Spin briefly, then yield: the only waits are on list removals, which hold the list for the
// length of one scan.
inline void backoff(unsigned& spins) noexcept
{
    if (++spins > 16)
        std::this_thread::yield();
}

// The type-independent part of a future's shared state.
//
// One atomic word holds the state and the head of an intrusive LIFO list of nodes:
//   bit 0 `locked_bit`:  a removal holds the list exclusively (rare path);
//   bit 1 `claimed_bit`: a resolution won the race and is writing the outcome;
//   bit 2 `done_bit`:    the outcome is published; the list has been taken by the publisher.
// Adding a node is one CAS, claiming is one fetch_or, publishing is one CAS: the path
// "create, wait, resolve, resume" never blocks. Only removing a node (remove_done_callback, a
// waiter detached by total cancellation) takes the list exclusively, and pushes and the publish
// wait for that scan to finish.
class state_base : live_state_tracker
{
public:
    static constexpr std::uintptr_t locked_bit = 1;
    static constexpr std::uintptr_t claimed_bit = 2;
    static constexpr std::uintptr_t done_bit = 4;
    static constexpr std::uintptr_t flag_mask = 7;

    state_base() noexcept = default;
    state_base(const state_base&) = delete;
    state_base& operator=(const state_base&) = delete;

    // --- state queries ------------------------------------------------------------------------

    bool is_done() const noexcept
    {
        return (word_.load(std::memory_order_acquire) & done_bit) != 0;
    }

    bool is_claimed() const noexcept
    {
        return (word_.load(std::memory_order_acquire) & (claimed_bit | done_bit)) != 0;
    }

    // --- the list -----------------------------------------------------------------------------

    // Adds `n`; false when the future is already done (the caller then completes `n` itself).
    bool push(list_node* n) noexcept
    {
        std::uintptr_t w = word_.load(std::memory_order_acquire);
        unsigned spins = 0;
        for (;;)
        {
            if (w & done_bit)
                return false;
            if (w & locked_bit)
            {
                backoff(spins);
                w = word_.load(std::memory_order_acquire);
                continue;
            }
            n->next = head_of(w);
            if (word_.compare_exchange_weak(
                    w,
                    reinterpret_cast<std::uintptr_t>(n) | (w & claimed_bit),
                    std::memory_order_acq_rel,
                    std::memory_order_acquire))
                return true;
        }
    }

    // Wins the right to resolve: true for exactly one caller over the state's lifetime.
    bool claim() noexcept
    {
        return (word_.fetch_or(claimed_bit, std::memory_order_acquire) &
                (claimed_bit | done_bit)) == 0;
    }

    // Publishes the outcome written after a successful claim() and runs every node with
    // `action` in the order the nodes were added. While the nodes are queued the word keeps
    // locked_bit, so that a context shutting down can wait for them (wait_for_publish).
    //
    // `dispatch_first`: the resolution runs inside an operation's completion handler (the
    // use_async_future token), so the first waiter may be resumed inline when that handler runs
    // on the waiter's executor, as Asio's own composed operations complete. Only a waiter that
    // is first in line qualifies (a done callback added before it must run first). It is
    // returned, unlinked, for the caller to run with node_action::dispatch once the list is
    // released (never inside a user's set_result()), outside this noexcept function.
    list_node* publish(
        node_action action = node_action::complete,
        bool dispatch_first = false) noexcept
    {
        std::uintptr_t w = word_.load(std::memory_order_relaxed);
        unsigned spins = 0;
        for (;;)
        {
            if (w & locked_bit)
            {
                backoff(spins);
                w = word_.load(std::memory_order_relaxed);
                continue;
            }
            const std::uintptr_t next = head_of(w) ? (done_bit | locked_bit) : done_bit;
            if (word_.compare_exchange_weak(
                    w,
                    next,
                    std::memory_order_acq_rel,
                    std::memory_order_relaxed))
                break;
        }
        if (list_node* nodes = head_of(w))
        {
            list_node* first = reverse(nodes);
            list_node* inline_waiter = nullptr;
            if (dispatch_first && action == node_action::complete && first->id == 0)
            {
                inline_waiter = first;
                first = first->next;
            }
            run_all(first, action);
            word_.fetch_and(~locked_bit, std::memory_order_release);
            return inline_waiter;
        }
        return nullptr;
    }

    // Waits until a resolution in progress on another thread has queued its completions.
    void wait_for_publish() const noexcept
    {
        unsigned spins = 0;
        for (;;)
        {
            const std::uintptr_t w = word_.load(std::memory_order_acquire);
            if ((w & done_bit) && !(w & locked_bit))
                return;
            backoff(spins);
        }
    }

    // Unlinks `target`; false when it is no longer in the list (the publisher owns it).
    bool remove(list_node* target) noexcept
    {
        std::uintptr_t w;
        if (!lock_list(w))
            return false;
        list_node* head = head_of(w);
        bool found = false;
        for (list_node** link = &head; *link; link = &(*link)->next)
        {
            if (*link == target)
            {
                *link = target->next;
                found = true;
                break;
            }
        }
        unlock_list(head);
        return found;
    }

    // Unlinks every done callback with `id`; returns them as a chain for the caller to destroy
    // outside the list.
    list_node* remove_callbacks(std::uint64_t id, std::size_t& count) noexcept
    {
        count = 0;
        std::uintptr_t w;
        if (id == 0 || !lock_list(w))
            return nullptr;
        list_node* head = head_of(w);
        list_node* removed = nullptr;
        for (list_node** link = &head; *link;)
        {
            list_node* n = *link;
            if (n->id == id)
            {
                *link = n->next;
                n->next = removed;
                removed = n;
                ++count;
            }
            else
                link = &n->next;
        }
        unlock_list(head);
        return removed;
    }

    static void run_all(list_node* n, node_action action) noexcept
    {
        while (n)
        {
            list_node* next = n->next;
            n->run(action);
            n = next;
        }
    }

    // --- reference counts ---------------------------------------------------------------------

    // Memory references: one held collectively by all owners while there is any, plus one for
    // every node or queued completion that needs the state.
    void add_ref() noexcept { refs_.fetch_add(1, std::memory_order_relaxed); }

    // Takes a reference unless the state is already being destroyed.
    bool try_add_ref() noexcept
    {
        std::uint32_t r = refs_.load(std::memory_order_relaxed);
        do
        {
            if (r == 0)
                return false;
        } while (!refs_.compare_exchange_weak(r, r + 1, std::memory_order_relaxed));
        return true;
    }

    void release() noexcept
    {
        if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1)
            destroy();
    }

    // Owners are handles that may still resolve the future: futures and resolvers. The low 32
    // bits count all owners, the high 32 bits the resolvers among them.
    static constexpr std::uint64_t one_owner = 1;
    static constexpr std::uint64_t one_resolver = (std::uint64_t(1) << 32) | 1;

    void add_owner(std::uint64_t kind) noexcept
    {
        if ((counts_.fetch_add(kind, std::memory_order_relaxed) & 0xffffffffu) == 0)
            add_ref(); // a handle made again from a completion's reference
    }

    void release_owner(std::uint64_t kind) noexcept
    {
        // A resolver still looks at the state after its decrement (broken promise) while the
        // last future may be dropped on another thread: it holds the memory meanwhile.
        if (kind == one_resolver)
            add_ref();
        std::uint64_t before = counts_.fetch_sub(kind, std::memory_order_acq_rel);
        if (kind == one_resolver && (before >> 32) == 1 && !is_claimed())
            abandon(true); // the last resolver is gone: broken promise
        if ((before & 0xffffffffu) == 1)
        {
            // Nobody can resolve the future any more: complete those still waiting.
            if (has_nodes())
                abandon(false);
            release();
        }
        if (kind == one_resolver)
            release();
    }

    // --- hooks of the typed state -------------------------------------------------------------

    // Cancels the future (a waiter's terminal or partial cancellation).
    virtual bool cancel(std::string_view msg) = 0;

    // The execution context shuts down: resolve as cancelled and destroy every node unrun.
    virtual void on_context_shutdown() noexcept = 0;

    // Writes the future's repr.
    virtual void describe(std::ostream& os) const = 0;

    // The registry of the future's context (with the exception handler and debug mode).
    state_registry_core* registry() const noexcept { return registry_; }

protected:
    virtual ~state_base() = default;

    // Frees the state; called when the last memory reference goes.
    virtual void destroy() noexcept = 0;

    // Resolves with broken_promise_error if still pending.
    virtual void abandon(bool resolver_dropped) noexcept = 0;

    bool has_nodes() const noexcept
    {
        return (word_.load(std::memory_order_acquire) & ~flag_mask) != 0;
    }

private:
    static list_node* head_of(std::uintptr_t w) noexcept
    {
        return reinterpret_cast<list_node*>(w & ~flag_mask);
    }

    static list_node* reverse(list_node* n) noexcept
    {
        list_node* r = nullptr;
        while (n)
        {
            list_node* next = n->next;
            n->next = r;
            r = n;
            n = next;
        }
        return r;
    }

    bool lock_list(std::uintptr_t& w) noexcept
    {
        w = word_.load(std::memory_order_acquire);
        unsigned spins = 0;
        for (;;)
        {
            if (w & done_bit)
                return false;
            if (w & locked_bit)
            {
                backoff(spins);
                w = word_.load(std::memory_order_acquire);
                continue;
            }
            if (word_.compare_exchange_weak(
                    w,
                    w | locked_bit,
                    std::memory_order_acquire,
                    std::memory_order_acquire))
                return true;
        }
    }

    // While the list is locked only claimed_bit may change (a claim does not wait).
    void unlock_list(list_node* head) noexcept
    {
        std::uintptr_t w = word_.load(std::memory_order_relaxed);
        while (!word_.compare_exchange_weak(
            w,
            reinterpret_cast<std::uintptr_t>(head) | (w & claimed_bit),
            std::memory_order_release,
            std::memory_order_relaxed))
        {
        }
    }

    friend class state_registry_core;

    // The members are ordered so that small ones share one word: a state for
    // async_future<int> is 128 bytes.
    std::atomic<std::uintptr_t> word_{0};
    std::atomic<std::uint64_t> counts_{one_owner};
    std::atomic<std::uint32_t> refs_{1};

protected:
    // --- the execution context's shutdown -----------------------------------------------------

    // orphaned_bit: the execution context shut down (or had shut down when the state was
    // made). Nothing may be posted to it any more, and the typed state lets go of its executor
    // (it is then destroyed, or being destroyed by the shutdown, which holds a reference).
    // reading_bit: get_executor() is copying the executor; the shutdown waits for it.
    static constexpr std::uint8_t orphaned_bit = 1;
    static constexpr std::uint8_t reading_bit = 2;

    bool is_orphaned() const noexcept
    {
        return (orphan_.load(std::memory_order_acquire) & orphaned_bit) != 0;
    }

    // Sets orphaned_bit, then waits for a copy of the executor in progress: once this returns,
    // nobody reads the executor unless already inside a resolution (see wait_for_publish).
    void mark_orphaned() noexcept
    {
        orphan_.fetch_or(orphaned_bit, std::memory_order_acq_rel);
        unsigned spins = 0;
        while (orphan_.load(std::memory_order_acquire) & reading_bit)
            backoff(spins);
    }

    // Takes the right to read the executor; false once orphaned. Readers take turns: only
    // get_executor() reads this way, never a wait.
    bool begin_executor_read() const noexcept
    {
        std::uint8_t v = orphan_.load(std::memory_order_relaxed);
        unsigned spins = 0;
        for (;;)
        {
            if (v & orphaned_bit)
                return false;
            if (v & reading_bit)
            {
                backoff(spins);
                v = orphan_.load(std::memory_order_relaxed);
                continue;
            }
            if (orphan_.compare_exchange_weak(
                    v,
                    v | reading_bit,
                    std::memory_order_acquire,
                    std::memory_order_relaxed))
                return true;
        }
    }

    void end_executor_read() const noexcept
    {
        orphan_.fetch_and(static_cast<std::uint8_t>(~reading_bit), std::memory_order_release);
    }

    mutable std::atomic<std::uint8_t> orphan_{0};
    // Guarded by the registry's mutex.
    bool registered_ = false;
    // Which part of the outcome is live; written by the claimer before the publish.
    outcome_kind kind_ = outcome_kind::none;
    // taken_flag: async_take moved the value out; retrieved_flag: someone saw the exception.
    static constexpr std::uint8_t taken_flag = 1;
    static constexpr std::uint8_t retrieved_flag = 2;
    std::atomic<std::uint8_t> flags_{0};
    // Registration with the execution context's registry (guarded by the registry's mutex).
    state_base* reg_prev_ = nullptr;
    state_base* reg_next_ = nullptr;
    state_registry_core* registry_ = nullptr;
};

} // namespace detail
} // namespace asio_future
} // namespace boost

#endif // BOOST_ASIO_FUTURE_DETAIL_STATE_BASE_HPP
