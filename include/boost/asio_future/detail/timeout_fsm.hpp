//
// Copyright (c) 2026 The asio_future Authors.
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_ASIO_FUTURE_DETAIL_TIMEOUT_FSM_HPP
#define BOOST_ASIO_FUTURE_DETAIL_TIMEOUT_FSM_HPP

#include <boost/asio_future/detail/config.hpp>

#include <atomic>

namespace boost
{
namespace asio_future
{
namespace detail
{

// What the driver of a timeout_fsm must do after an event, as a set of flags. When several are
// set, the driver does them in the order listed.
enum class timeout_action : unsigned
{
    none = 0,
    // Queue the parked expiry on the handler's executor; it reports on_expiry_retry.
    queue_expiry = 1u << 0,
    // Emit the deadline's cancellation type to the operation, then report on_emitted (also
    // when the emit throws).
    emit_deadline = 1u << 1,
    // Emit the outer slot's cancellation type to the operation.
    forward_cancellation = 1u << 2,
    // Cancel the timer (its wait is still pending: the timer keeps the op alive until it
    // reports on_timer).
    cancel_timer = 1u << 3,
    // Invoke the handler (moved out before the event was reported).
    deliver = 1u << 4,
    // ... with the disposition translated to a timeout (the deadline caused the cancellation).
    translate = 1u << 5,
    // Destroy and deallocate the op: nothing else refers to it.
    free = 1u << 6,
};

constexpr timeout_action operator|(timeout_action a, timeout_action b) noexcept
{
    return static_cast<timeout_action>(static_cast<unsigned>(a) | static_cast<unsigned>(b));
}

constexpr bool has(timeout_action set, timeout_action a) noexcept
{
    return (static_cast<unsigned>(set) & static_cast<unsigned>(a)) != 0;
}

// The deadline protocol of af::timeout, without I/O: one atomic word holds the three
// references to the op (the operation's handler, the timer's wait, the initiating call) and
// what has happened. Each event is one atomic read-modify-write; the returned actions tell
// the driver (timeout_op) what to do.
//
// Threading. The timer's and the operation's completions, the outer slot's emission and the
// parked expiry's retry run on the handler's executor, one at a time. The initiating call may
// run on any thread, concurrently with them: until it reports on_initiation_end, the operation
// may not have registered with the deadline's slot yet, so an expiry is parked in the word
// (the timer's reference passes to it) and queued when the initiation ends.
//
// Lifetime. After reporting on_complete or on_abandon, the driver may touch the op only to do
// the returned actions: cancel_timer is returned only while the timer's reference is held, and
// that reference is let go on the executor, after the driver is done.
class timeout_fsm
{
public:
    timeout_fsm() noexcept = default;
    timeout_fsm(const timeout_fsm&) = delete;
    timeout_fsm& operator=(const timeout_fsm&) = delete;

    // The initiating call is done (the operation has registered with the slot, or has thrown
    // and dropped its handler): queue_expiry if an expiry was parked meanwhile, free if it held
    // the last reference.
    timeout_action on_initiation_end() noexcept
    {
        const unsigned w = word_.fetch_sub(initiation_ref, std::memory_order_acq_rel);
        if (w & expiry_parked)
            return timeout_action::queue_expiry; // the retry owns the timer's reference
        return last(w - initiation_ref);
    }

    // The timer's wait completed: `expired` when the deadline passed, false when the wait was
    // cancelled (or its handler destroyed unrun). An expiry emits the deadline, unless the
    // operation completed or was cancelled from outside first; during the initiation it is
    // parked.
    timeout_action on_timer(bool expired) noexcept
    {
        if (!expired)
            return release(timer_ref);
        return expire();
    }

    // The parked expiry queued by on_initiation_end runs (`run`), or is destroyed unrun.
    timeout_action on_expiry_retry(bool run) noexcept
    {
        if (!run)
            return release(timer_ref);
        return expire(); // the initiation has ended: it emits or finds nothing to do
    }

    // The deadline's emission (emit_deadline) is over: the timer lets go.
    timeout_action on_emitted() noexcept { return release(timer_ref); }

    // The outer slot emits: forwarded to the operation. From now on an expiry neither emits nor
    // translates: the deadline did not cause the cancellation.
    timeout_action on_outer_cancellation() noexcept
    {
        const unsigned w = word_.fetch_or(outer_cancelled, std::memory_order_acq_rel);
        if (w & completed)
            return timeout_action::none;
        return timeout_action::forward_cancellation;
    }

    // The operation completed (the driver has cleared the outer slot and moved the handler
    // out): deliver, translated if the deadline's cancellation was emitted first.
    timeout_action on_complete() noexcept
    {
        const unsigned w = finish();
        timeout_action a = timeout_action::deliver | cancel_if_waiting(w);
        if (w & timed_out)
            a = a | timeout_action::translate;
        return a | last(w & ~op_ref);
    }

    // The operation destroyed its handler unrun (it failed to start, dropped it, or its context
    // shut down).
    timeout_action on_abandon() noexcept
    {
        const unsigned w = finish();
        return cancel_if_waiting(w) | last(w & ~op_ref);
    }

    // For tests: whether the deadline's emission has happened.
    bool timed_out_for_test() const noexcept
    {
        return (word_.load(std::memory_order_acquire) & timed_out) != 0;
    }

private:
    // References (one bit each: each is held once).
    static constexpr unsigned op_ref = 1u << 0;
    static constexpr unsigned timer_ref = 1u << 1;
    static constexpr unsigned initiation_ref = 1u << 2;
    static constexpr unsigned refs = op_ref | timer_ref | initiation_ref;
    // What happened. expiry_parked stays set once the parked expiry is queued: the timer's
    // reference is then the expiry's, and the timer's wait is over.
    static constexpr unsigned expiry_parked = 1u << 3;
    static constexpr unsigned completed = 1u << 4;
    static constexpr unsigned timed_out = 1u << 5;
    static constexpr unsigned outer_cancelled = 1u << 6;

    static timeout_action last(unsigned after) noexcept
    {
        return (after & refs) == 0 ? timeout_action::free : timeout_action::none;
    }

    // The timer's wait is still pending (not run, not parked).
    static timeout_action cancel_if_waiting(unsigned w) noexcept
    {
        return (w & (timer_ref | expiry_parked)) == timer_ref ? timeout_action::cancel_timer
                                                              : timeout_action::none;
    }

    timeout_action release(unsigned ref) noexcept
    {
        return last(word_.fetch_sub(ref, std::memory_order_acq_rel) - ref);
    }

    // Sets `completed` and lets go of the operation's reference in one step: the bit is clear
    // and the reference held, so adding the difference is exact. Returns the word before.
    unsigned finish() noexcept
    {
        return word_.fetch_add(completed - op_ref, std::memory_order_acq_rel);
    }

    timeout_action expire() noexcept
    {
        unsigned w = word_.load(std::memory_order_acquire);
        for (;;)
        {
            unsigned next;
            timeout_action a;
            if (w & (completed | outer_cancelled))
            {
                next = w - timer_ref;
                a = last(next);
            }
            else if (w & initiation_ref)
            {
                // The operation may not have registered with the slot yet (an emit now would
                // race with that, and be lost): park; the timer's reference passes to the
                // parked expiry.
                next = w | expiry_parked;
                a = timeout_action::none;
            }
            else
            {
                next = w | timed_out;
                a = timeout_action::emit_deadline;
            }
            if (word_.compare_exchange_weak(
                    w,
                    next,
                    std::memory_order_acq_rel,
                    std::memory_order_acquire))
                return a;
        }
    }

    std::atomic<unsigned> word_{op_ref | timer_ref | initiation_ref};
};

} // namespace detail
} // namespace asio_future
} // namespace boost

#endif // BOOST_ASIO_FUTURE_DETAIL_TIMEOUT_FSM_HPP
