//
// Copyright (c) 2026 The asio_future Authors.
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_ASIO_FUTURE_FUTURE_SERVICE_HPP
#define BOOST_ASIO_FUTURE_FUTURE_SERVICE_HPP

#include <boost/asio_future/detail/config.hpp>
#include <boost/asio_future/detail/state_registry.hpp>

#include <boost/asio/detail/strand_executor_service.hpp>
#include <boost/asio/execution_context.hpp>

#include <chrono>
#include <functional>
#include <vector>

namespace boost
{
namespace asio_future
{

/// What an exception handler receives: `message`, `exception` (null for a warning) and the
/// `future`'s repr. The counterpart of the context dict of asyncio's exception handlers.
using exception_context = detail::exception_context;

/// One entry of `future_service::pending_futures()`: the `future`'s repr, and, for a future
/// created while debug mode was on, its creation site (`file`, `line`, `function`) and `age`.
using pending_future_info = detail::pending_future_info;

/// The loop-level knobs of the futures bound to one execution context.
/**
 * `asio::use_service<af::future_service>(ctx)`; the counterpart of the asyncio event loop's
 * `set_exception_handler`, `set_debug` and `slow_callback_duration`. Every member is
 * thread-safe.
 *
 * The service also owns the registry of the context's live futures: when the context shuts
 * down, pending futures are cancelled ("execution context shut down") and their waiting
 * handlers and done callbacks are destroyed without being invoked, per Asio's rule. Every
 * future of the context lets go of its executor then, before the services its executor needs
 * (a strand's) shut down, so that any handle may outlive the context whatever its executor;
 * `get_executor()` throws `invalid_state_error` afterwards. (The service makes the strand
 * service of the context before itself, so that strands shut down after the futures.)
 *
 * Nothing on the hot path pays for it while debug mode is off.
 */
class future_service : public boost::asio::execution_context::service
{
public:
    /// The handler type: called with what went wrong.
    using exception_handler = std::function<void(const exception_context&)>;

    /// The service id.
    static inline boost::asio::execution_context::id id;

    /// Constructs the service of `ctx` (done by `use_service`).
    explicit future_service(boost::asio::execution_context& ctx)
        : service(ctx), core_(make_core(ctx))
    {
    }

    ~future_service() override { core_->release(); }

    /// Sets the handler of what goes wrong outside any caller's reach: an exception escaping a
    /// done callback, a failed future destroyed without anyone retrieving its exception
    /// ("exception was never retrieved"), and slow callbacks in debug mode.
    /**
     * Equivalent to `loop.set_exception_handler`. An empty function restores the default,
     * which prints one line on stderr. The handler runs on the thread where the event
     * happened: the future's executor for callbacks, the thread that dropped the last
     * reference for a never-retrieved exception. An exception escaping it is printed.
     */
    void set_exception_handler(exception_handler handler)
    {
        core_->set_handler(std::move(handler));
    }

    /// The current handler (empty for the default). Equivalent to `loop.get_exception_handler`.
    exception_handler get_exception_handler() const { return core_->handler(); }

    /// Reports `context` through the current handler. Equivalent to
    /// `loop.call_exception_handler`.
    void call_exception_handler(const exception_context& context) const noexcept
    {
        core_->report(context);
    }

    /// The default handler: one line on stderr.
    static void default_exception_handler(const exception_context& context) noexcept
    {
        detail::print_exception_context(context);
    }

    /// Turns debug mode on or off (`loop.set_debug`). While on, futures created record where and
    /// when (`pending_futures()`), and done callbacks slower than `slow_callback_duration()` are
    /// reported as warnings.
    void set_debug(bool enabled) noexcept { core_->set_debug(enabled); }

    /// Whether debug mode is on (`loop.get_debug`).
    bool get_debug() const noexcept { return core_->debug(); }

    /// The duration above which a done callback is reported in debug mode (default 100 ms).
    std::chrono::steady_clock::duration slow_callback_duration() const noexcept
    {
        return core_->slow_callback_duration();
    }

    /// Sets the slow-callback threshold (`loop.slow_callback_duration`).
    void set_slow_callback_duration(std::chrono::steady_clock::duration d) noexcept
    {
        core_->set_slow_callback_duration(d);
    }

    /// The futures bound to this context that are still pending, newest first. Futures created
    /// in debug mode carry their creation site and age: the audit of the guide's diagnostics.
    std::vector<pending_future_info> pending_futures() const { return core_->pending(); }

#if !defined(BOOST_ASIO_FUTURE_DOXYGEN)
    detail::state_registry_core* core() const noexcept
    {
        return core_;
    }
#endif

private:
    // Asio shuts services down newest first. The strands of the context must outlive the
    // futures' shutdown: until it, a resolution on another thread may still queue a waiter on
    // a strand, and a strand whose service has shut down cannot take it (Asio's strand races
    // its own shutdown then). Their service is made first, so that it is the older one.
    static detail::state_registry_core* make_core(boost::asio::execution_context& ctx)
    {
        boost::asio::use_service<boost::asio::detail::strand_executor_service>(ctx);
        return new detail::state_registry_core(ctx);
    }

    // Cancels the pending futures, destroys their handlers unrun and makes every future let go
    // of its executor, before any service a waiter's executor needs (the scheduler, strands)
    // shuts down.
    void shutdown() override
    {
        core_->shutdown();
    }

    detail::state_registry_core* core_;
};

namespace detail
{

inline state_registry_core* registry_of(boost::asio::execution_context& ctx)
{
    return boost::asio::use_service<future_service>(ctx).core();
}

} // namespace detail
} // namespace asio_future
} // namespace boost

#endif // BOOST_ASIO_FUTURE_FUTURE_SERVICE_HPP
