//
// Copyright (c) 2026 The asio_future Authors.
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// detail::timeout_fsm, the deadline protocol of af::timeout without I/O. Every ordering of its
// events (initiation ends, timer completes, operation completes or drops its handler, outer
// cancellation, parked expiry runs), each event completing normally or destroyed unrun, is
// driven through the state machine; the actions it returns are checked against what the
// protocol promises: one delivery, translated exactly when the deadline's cancellation was
// emitted before the completion, never an emit during the initiation, the timer cancelled
// exactly when its wait is still pending, the op freed exactly once and touched by nothing
// after. Then the one cross-thread race (initiation end against an expiry) on real threads.

// The header under test comes first: it must be self-contained.
#include <boost/asio_future/detail/timeout_fsm.hpp>

#define BOOST_TEST_MODULE detail_timeout_fsm
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <atomic>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace
{

using boost::asio_future::detail::has;
using boost::asio_future::detail::timeout_action;
using boost::asio_future::detail::timeout_fsm;

// The events, one letter each.
//   I  the initiating call ends
//   T  the timer's wait completes: expired, unless its cancellation was asked for before (or
//      its handler is destroyed unrun, per the scenario)
//   O  the operation completes (or destroys its handler unrun, per the scenario)
//   C  the outer slot emits (only in scenarios with an outer cancellation)
//   R  the parked expiry runs (or is destroyed unrun), if it was queued by then; else it runs
//      after the last event, as the executor would
struct scenario
{
    bool abandon;     // O destroys the handler unrun instead of completing
    bool timer_unrun; // T is the timer's handler destroyed unrun (context shut down)
    bool retry_unrun; // R is the parked expiry destroyed unrun
    bool outer;       // C is among the events
    std::string describe() const
    {
        std::ostringstream os;
        os << (abandon ? "abandon" : "complete") << (timer_unrun ? ", timer unrun" : "")
           << (retry_unrun ? ", retry unrun" : "") << (outer ? ", outer cancellation" : "");
        return os.str();
    }
};

// What the driver did, following the returned actions like timeout_op does.
struct driver
{
    timeout_fsm fsm;
    int delivered = 0;
    int translated = 0;
    int emits = 0;
    int forwards = 0;
    int cancels = 0;
    int queued = 0;
    int frees = 0;
    int events_after_free = 0;
    int emits_during_initiation = 0;
    bool initiation_ended = false;
    bool cancel_asked = false;
    bool retry_queued = false;
    bool retry_done = false;
    bool completed = false;

    void act(timeout_action a)
    {
        if (frees > 0)
            ++events_after_free;
        if (has(a, timeout_action::queue_expiry))
        {
            ++queued;
            retry_queued = true;
        }
        if (has(a, timeout_action::emit_deadline))
        {
            ++emits;
            if (!initiation_ended)
                ++emits_during_initiation;
            act(fsm.on_emitted());
        }
        if (has(a, timeout_action::forward_cancellation))
            ++forwards;
        if (has(a, timeout_action::cancel_timer))
        {
            ++cancels;
            cancel_asked = true;
        }
        if (has(a, timeout_action::deliver))
            ++delivered;
        if (has(a, timeout_action::translate))
        {
            ++translated;
            if (!has(a, timeout_action::deliver))
                ++events_after_free; // a translation without a delivery is meaningless
        }
        if (has(a, timeout_action::free))
            ++frees;
    }

    void check_alive()
    {
        if (frees > 0)
            ++events_after_free;
    }

    void run_retry(const scenario& s)
    {
        check_alive();
        retry_done = true;
        act(fsm.on_expiry_retry(!s.retry_unrun));
    }

    void event(char e, const scenario& s)
    {
        switch (e)
        {
        case 'I':
            check_alive();
            initiation_ended = true;
            act(fsm.on_initiation_end());
            break;
        case 'T':
            check_alive();
            act(fsm.on_timer(!s.timer_unrun && !cancel_asked));
            break;
        case 'O':
            check_alive();
            completed = true;
            act(s.abandon ? fsm.on_abandon() : fsm.on_complete());
            break;
        case 'C':
            // The driver clears the outer slot when the operation completes: no emission then.
            if (!completed)
            {
                check_alive();
                act(fsm.on_outer_cancellation());
            }
            break;
        case 'R':
            if (retry_queued && !retry_done)
                run_retry(s);
            break;
        }
    }
};

// What the protocol promises for one ordering, computed from the ordering alone.
struct expected
{
    bool emitted = false; // the deadline's cancellation was emitted (before the completion)
    bool parked = false;
    bool forwarded = false;
    bool timer_pending_at_completion = false;
};

expected expect(const std::string& order, const scenario& s)
{
    expected x;
    bool initiation_ended = false, completed = false, outer = false, timer_done = false;
    bool retry_pending = false;
    auto expire = [&]
    {
        if (!completed && !outer)
            x.emitted = true;
    };
    for (char e : order)
    {
        switch (e)
        {
        case 'I':
            initiation_ended = true;
            retry_pending = x.parked;
            break;
        case 'T':
            timer_done = true;
            // Expired only if it ran and its cancellation was not asked for first.
            if (s.timer_unrun || completed || outer)
                break;
            if (!initiation_ended)
                x.parked = true;
            else
                expire();
            break;
        case 'O':
            completed = true;
            x.timer_pending_at_completion = !timer_done;
            break;
        case 'C':
            if (!completed)
                outer = x.forwarded = true;
            break;
        case 'R':
            if (retry_pending)
            {
                retry_pending = false;
                if (!s.retry_unrun)
                    expire();
            }
            break;
        }
    }
    if (retry_pending && !s.retry_unrun)
        expire(); // the retry runs last
    return x;
}

// Drives every permutation of the scenario's events; returns how many were checked.
int check_every_ordering(const scenario& s)
{
    std::string order = s.outer ? "CIORT" : "IORT";
    std::sort(order.begin(), order.end());
    int count = 0;
    do
    {
        driver d;
        for (char e : order)
            d.event(e, s);
        if (d.retry_queued && !d.retry_done)
            d.run_retry(s); // queued after its place in the ordering: it runs last
        const expected x = expect(order, s);
        const std::string what = s.describe() + ", order " + order;

        BOOST_TEST(d.delivered == (s.abandon ? 0 : 1), what);
        BOOST_TEST(d.translated == (!s.abandon && x.emitted ? 1 : 0), what);
        BOOST_TEST(d.emits == (x.emitted ? 1 : 0), what);
        BOOST_TEST(d.emits_during_initiation == 0, what);
        BOOST_TEST(d.queued == (x.parked ? 1 : 0), what);
        BOOST_TEST(d.forwards == (x.forwarded ? 1 : 0), what);
        BOOST_TEST(d.cancels == (x.timer_pending_at_completion ? 1 : 0), what);
        BOOST_TEST(d.frees == 1, what);
        BOOST_TEST(d.events_after_free == 0, what);
        ++count;
    } while (std::next_permutation(order.begin(), order.end()));
    return count;
}

} // namespace

BOOST_AUTO_TEST_SUITE(orderings)

BOOST_AUTO_TEST_CASE(every_ordering_of_every_scenario)
{
    int total = 0;
    for (int bits = 0; bits < 16; ++bits)
    {
        const scenario s{(bits & 1) != 0, (bits & 2) != 0, (bits & 4) != 0, (bits & 8) != 0};
        total += check_every_ordering(s);
    }
    BOOST_TEST_MESSAGE(total << " orderings checked");
    BOOST_TEST(total == 8 * 24 + 8 * 120);
}

// The orderings the adapter meets every day, spelled out.
BOOST_AUTO_TEST_CASE(result_first)
{
    timeout_fsm fsm;
    BOOST_TEST((fsm.on_initiation_end() == timeout_action::none));
    const timeout_action a = fsm.on_complete();
    BOOST_TEST(has(a, timeout_action::deliver));
    BOOST_TEST(!has(a, timeout_action::translate));
    BOOST_TEST(has(a, timeout_action::cancel_timer));
    BOOST_TEST(!has(a, timeout_action::free));
    BOOST_TEST((fsm.on_timer(false) == timeout_action::free));
}

BOOST_AUTO_TEST_CASE(deadline_first)
{
    timeout_fsm fsm;
    BOOST_TEST((fsm.on_initiation_end() == timeout_action::none));
    BOOST_TEST((fsm.on_timer(true) == timeout_action::emit_deadline));
    BOOST_TEST(fsm.timed_out_for_test());
    BOOST_TEST((fsm.on_emitted() == timeout_action::none));
    const timeout_action a = fsm.on_complete();
    BOOST_TEST(has(a, timeout_action::deliver));
    BOOST_TEST(has(a, timeout_action::translate));
    BOOST_TEST(!has(a, timeout_action::cancel_timer)); // it already ran
    BOOST_TEST(has(a, timeout_action::free));
}

BOOST_AUTO_TEST_CASE(expiry_during_the_initiation_is_parked)
{
    timeout_fsm fsm;
    BOOST_TEST((fsm.on_timer(true) == timeout_action::none)); // parked, not emitted
    BOOST_TEST(!fsm.timed_out_for_test());
    BOOST_TEST((fsm.on_initiation_end() == timeout_action::queue_expiry));
    BOOST_TEST((fsm.on_expiry_retry(true) == timeout_action::emit_deadline));
    BOOST_TEST((fsm.on_emitted() == timeout_action::none));
    const timeout_action a = fsm.on_complete();
    BOOST_TEST(has(a, timeout_action::translate));
    BOOST_TEST(has(a, timeout_action::free));
}

BOOST_AUTO_TEST_CASE(outer_cancellation_first_disarms_the_deadline)
{
    timeout_fsm fsm;
    BOOST_TEST((fsm.on_initiation_end() == timeout_action::none));
    BOOST_TEST((fsm.on_outer_cancellation() == timeout_action::forward_cancellation));
    BOOST_TEST((fsm.on_timer(true) == timeout_action::none)); // no emit of its own
    const timeout_action a = fsm.on_complete();
    BOOST_TEST(has(a, timeout_action::deliver));
    BOOST_TEST(!has(a, timeout_action::translate));
    BOOST_TEST(has(a, timeout_action::free));
}

BOOST_AUTO_TEST_CASE(initiation_throwing_before_the_operation_took_the_handler)
{
    timeout_fsm fsm;
    const timeout_action a = fsm.on_abandon();
    BOOST_TEST((a == timeout_action::cancel_timer));
    BOOST_TEST((fsm.on_initiation_end() == timeout_action::none));
    BOOST_TEST((fsm.on_timer(false) == timeout_action::free));
}

BOOST_AUTO_TEST_SUITE_END()

// The initiating call ends on one thread while the timer expires and the operation completes
// on the executor's thread: whichever wins, the expiry is emitted after the initiation or
// parked and queued, the op is freed once (ThreadSanitizer checks the word's ordering).
BOOST_AUTO_TEST_CASE(initiation_end_races_an_expiry)
{
    constexpr int iterations = 2000;
    int emitted = 0, parked = 0, bad = 0;
    for (int i = 0; i < iterations; ++i)
    {
        timeout_fsm fsm;
        std::atomic<int> frees{0};
        std::atomic<bool> go{false};
        std::atomic<bool> queued{false};
        std::atomic<bool> translated{false};
        std::atomic<bool> emit_seen{false};
        auto count = [&](timeout_action a)
        {
            if (has(a, timeout_action::free))
                ++frees;
        };
        std::thread initiator(
            [&]
            {
                while (!go.load())
                {
                }
                const timeout_action a = fsm.on_initiation_end();
                if (has(a, timeout_action::queue_expiry))
                    queued = true;
                count(a);
            });
        std::thread executor(
            [&]
            {
                while (!go.load())
                {
                }
                const timeout_action e = fsm.on_timer(true);
                if (has(e, timeout_action::emit_deadline))
                {
                    emit_seen = true;
                    count(fsm.on_emitted());
                }
                else
                    count(e);
                const timeout_action c = fsm.on_complete();
                translated = has(c, timeout_action::translate);
                count(c);
            });
        go = true;
        initiator.join();
        executor.join();
        if (queued.load())
        {
            // The retry runs after the completion here: it finds nothing to do.
            const timeout_action r = fsm.on_expiry_retry(true);
            if (has(r, timeout_action::emit_deadline))
                ++bad;
            count(r);
            ++parked;
        }
        else
            emitted += emit_seen.load() ? 1 : 0;
        if (frees.load() != 1 || translated.load() != emit_seen.load() ||
            queued.load() == emit_seen.load())
            ++bad;
    }
    BOOST_TEST_MESSAGE("emitted " << emitted << ", parked " << parked);
    BOOST_TEST(bad == 0);
    BOOST_TEST(emitted + parked == iterations);
}
