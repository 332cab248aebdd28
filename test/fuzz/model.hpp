//
// Copyright (c) 2026 The asio_future Authors.
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// The reference model of SPEC sections 1 and 2 that the model fuzzer checks the library
// against: single-threaded and deliberately plain. A future is a state enum, an outcome, the
// list of its pending nodes (done callbacks and waiters, in registration order) and its owner
// counts; the executor is one FIFO queue. Nothing here knows about Asio.
#ifndef BOOST_ASIO_FUTURE_TEST_FUZZ_MODEL_HPP
#define BOOST_ASIO_FUTURE_TEST_FUZZ_MODEL_HPP

#include <cstddef>
#include <deque>
#include <string>
#include <vector>

namespace model
{

enum class state
{
    pending,
    value,
    error,
    cancelled
};

// What a waiter receives or a future holds.
struct outcome
{
    enum kind_t
    {
        none,           // pending
        value,          // an int
        runtime_error,  // std::runtime_error(text), set by set_exception
        cancelled,      // cancelled_error(text)
        broken_promise, // broken_promise_error
        other           // anything else: always a divergence
    };
    kind_t kind = none;
    int number = 0;
    std::string text;

    friend bool operator==(const outcome& a, const outcome& b)
    {
        return a.kind == b.kind && a.number == b.number && a.text == b.text;
    }
    friend bool operator!=(const outcome& a, const outcome& b) { return !(a == b); }
};

inline outcome value_outcome(int v)
{
    return {outcome::value, v, {}};
}
inline outcome error_outcome(std::string t)
{
    return {outcome::runtime_error, 0, std::move(t)};
}
inline outcome cancelled_outcome(std::string t)
{
    return {outcome::cancelled, 0, std::move(t)};
}
inline outcome broken_outcome()
{
    return {outcome::broken_promise, 0, {}};
}

enum class wait_kind
{
    callback,  // async_wait(handler), with or without a bound cancellation slot
    deferred,  // async_wait(asio::deferred), launched with a handler
    coroutine, // co_spawn of a coroutine doing co_await fut.async_wait(use_awaitable)
};

// One item of the executor's queue.
struct item
{
    enum kind_t
    {
        callback,        // a done callback runs
        wait,            // a waiter's handler runs
        coroutine_start, // a spawned coroutine starts and begins its wait
    };
    kind_t kind;
    std::size_t id; // index into callbacks or waiters
};

struct callback
{
    std::size_t future = 0;
    bool throws = false;
    bool scheduled = false;
    bool removed = false;
    int runs = 0;
};

struct waiter
{
    std::size_t future = 0;
    wait_kind kind = wait_kind::callback;
    bool cancellable = false; // has a bound cancellation slot
    bool in_list = false;     // registered as a node of a pending future
    bool scheduled = false;
    outcome expected;
    int completions = 0;
};

struct future
{
    state st = state::pending;
    outcome out;
    int handles = 0;    // futures held by the driver (0 or 1)
    int resolvers = 0;  // resolvers held by the driver
    int coroutines = 0; // futures held by coroutine frames
    std::vector<item> nodes;

    int owners() const { return handles + resolvers + coroutines; }
    bool done() const { return st != state::pending; }
};

// The whole system: futures, their callbacks and waiters, and the executor's queue.
class world
{
public:
    std::vector<future> futures;
    std::vector<callback> callbacks;
    std::vector<waiter> waiters;
    std::deque<item> queue;
    int callback_reports = 0; // exceptions escaping done callbacks, sent to the handler

    std::size_t create()
    {
        futures.emplace_back();
        futures.back().handles = 1;
        return futures.size() - 1;
    }

    // First resolution wins; every node is queued in registration order.
    bool resolve(std::size_t f, outcome o)
    {
        future& fu = futures[f];
        if (fu.done())
            return false;
        switch (o.kind)
        {
        case outcome::value:
            fu.st = state::value;
            break;
        case outcome::cancelled:
            fu.st = state::cancelled;
            break;
        default:
            fu.st = state::error;
            break;
        }
        fu.out = o;
        std::vector<item> nodes;
        nodes.swap(fu.nodes);
        for (const item& n : nodes)
            schedule(n, o);
        return true;
    }

    std::size_t add_callback(std::size_t f, bool throws)
    {
        callback c;
        c.future = f;
        c.throws = throws;
        callbacks.push_back(c);
        const item n{item::callback, callbacks.size() - 1};
        if (futures[f].done())
            schedule(n, {});
        else
            futures[f].nodes.push_back(n);
        return n.id;
    }

    std::size_t remove_callback(std::size_t c)
    {
        std::vector<item>& nodes = futures[callbacks[c].future].nodes;
        for (auto it = nodes.begin(); it != nodes.end(); ++it)
        {
            if (it->kind == item::callback && it->id == c)
            {
                nodes.erase(it);
                callbacks[c].removed = true;
                return 1;
            }
        }
        return 0;
    }

    std::size_t add_waiter(std::size_t f, wait_kind k, bool cancellable)
    {
        waiter wa;
        wa.future = f;
        wa.kind = k;
        wa.cancellable = cancellable;
        waiters.push_back(wa);
        const std::size_t w = waiters.size() - 1;
        if (k == wait_kind::coroutine)
        {
            // The coroutine frame holds a copy of the future until it finishes.
            ++futures[f].coroutines;
            queue.push_back({item::coroutine_start, w});
        }
        else
            begin_wait(w);
        return w;
    }

    // The waiter's operation starts: a done future queues the completion at once.
    void begin_wait(std::size_t w)
    {
        future& fu = futures[waiters[w].future];
        const item n{item::wait, w};
        if (fu.done())
            schedule(n, fu.out);
        else
        {
            fu.nodes.push_back(n);
            waiters[w].in_list = true;
        }
    }

    // Cancellation emitted on a waiter's slot (bits: 1 terminal, 2 partial, 4 total).
    void emit(std::size_t w, unsigned type)
    {
        waiter& wa = waiters[w];
        if (!wa.cancellable || !wa.in_list)
            return; // no slot handler, or the wait is already completing: the result wins
        if (type & 3u)
            resolve(wa.future, cancelled_outcome({}));
        else if (type & 4u)
        {
            std::vector<item>& nodes = futures[wa.future].nodes;
            for (auto it = nodes.begin(); it != nodes.end(); ++it)
            {
                if (it->kind == item::wait && it->id == w)
                {
                    nodes.erase(it);
                    break;
                }
            }
            schedule({item::wait, w}, cancelled_outcome({}));
        }
    }

    // A driver-held handle or resolver goes away (or a coroutine frame ends).
    enum class owner
    {
        handle,
        resolver,
        coroutine
    };

    void drop(std::size_t f, owner o)
    {
        future& fu = futures[f];
        if (o == owner::handle)
            --fu.handles;
        else if (o == owner::resolver)
            --fu.resolvers;
        else
            --fu.coroutines;
        // The last resolver of a pending future: broken promise.
        if (o == owner::resolver && fu.resolvers == 0)
            resolve(f, broken_outcome());
        // Nobody can resolve it any more while someone waits: broken promise.
        if (fu.owners() == 0 && !fu.nodes.empty())
            resolve(f, broken_outcome());
    }

private:
    void schedule(const item& n, const outcome& o)
    {
        if (n.kind == item::wait)
        {
            waiters[n.id].in_list = false;
            waiters[n.id].scheduled = true;
            waiters[n.id].expected = o;
        }
        else if (n.kind == item::callback)
            callbacks[n.id].scheduled = true;
        queue.push_back(n);
    }
};

} // namespace model

#endif // BOOST_ASIO_FUTURE_TEST_FUZZ_MODEL_HPP
