//
// Copyright (c) 2026 The asio_future Authors.
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_ASIO_FUTURE_DETAIL_CALLBACK_NODE_HPP
#define BOOST_ASIO_FUTURE_DETAIL_CALLBACK_NODE_HPP

#include <boost/asio_future/detail/config.hpp>
#include <boost/asio_future/detail/report.hpp>
#include <boost/asio_future/detail/state_base.hpp>
#include <boost/asio_future/detail/state_ref.hpp>
#include <boost/asio_future/detail/state_registry.hpp>

#include <boost/asio/defer.hpp>
#include <boost/asio/post.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <sstream>
#include <string>
#include <utility>

namespace boost
{
namespace asio_future
{
namespace detail
{

// Ids of done callbacks: unique per process, never 0.
inline std::uint64_t next_callback_id() noexcept
{
    static std::atomic<std::uint64_t> next{1};
    return next.fetch_add(1, std::memory_order_relaxed);
}

// A done callback waiting in the list. `Future` is the handle type passed to the callback.
template <class Future, class F>
class callback_node final : public list_node
{
public:
    using state_type = typename Future::state_type;

    callback_node(state_type& st, F&& fn, std::uint64_t id)
        : list_node(&callback_node::act, id),
          fn_(std::move(fn)),
          state_(state_ref<state_type>::share(&st))
    {
    }

    // Queues the callback on the future's executor (also used for a future already done).
    static void schedule(callback_node* self) noexcept
    {
        if (self->state_->orphaned())
            return delete self; // the context is gone: destroyed unrun, per Asio's rule
        boost::asio::defer(self->state_->executor(), job{self});
    }

private:
    class job
    {
    public:
        explicit job(callback_node* n) noexcept : node_(n) {}
        job(job&& other) noexcept : node_(std::exchange(other.node_, nullptr)) {}
        job& operator=(job&&) = delete;
        ~job() { delete node_; }

        void operator()()
        {
            callback_node* n = std::exchange(node_, nullptr);
            std::unique_ptr<callback_node> guard(n);
            const Future fut = Future::from_state(n->state_.get());
            state_registry_core* registry = n->state_->registry();
            const bool timed = registry && registry->debug();
            const auto start =
                timed ? std::chrono::steady_clock::now() : std::chrono::steady_clock::time_point();
            try
            {
                n->fn_(fut);
            }
            catch (...)
            {
                // Like asyncio's loop.call_exception_handler: never out of run().
                report(registry, "exception in done callback", std::current_exception(), fut);
            }
            if (timed)
            {
                const auto took = std::chrono::steady_clock::now() - start;
                if (took > registry->slow_callback_duration())
                    report(
                        registry,
                        "slow done callback took " +
                            std::to_string(
                                std::chrono::duration_cast<std::chrono::milliseconds>(took)
                                    .count()) +
                            " ms",
                        nullptr,
                        fut);
            }
        }

    private:
        callback_node* node_;
    };

    static void report(
        state_registry_core* registry,
        std::string message,
        std::exception_ptr e,
        const Future& fut) noexcept
    {
        try
        {
            std::ostringstream repr;
            repr << fut;
            exception_context c{std::move(message), std::move(e), repr.str()};
            if (registry)
                registry->report(c);
            else
                print_exception_context(c);
        }
        catch (...)
        {
            std::fputs("asio_future: an error could not be reported\n", stderr);
        }
    }

    static void act(list_node* n, node_action a) noexcept
    {
        auto* self = static_cast<callback_node*>(n);
        if (a == node_action::complete)
            schedule(self);
        else
            delete self;
    }

    F fn_;
    state_ref<state_type> state_;
};

} // namespace detail
} // namespace asio_future
} // namespace boost

#endif // BOOST_ASIO_FUTURE_DETAIL_CALLBACK_NODE_HPP
