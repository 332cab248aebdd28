//
// Copyright (c) 2026 The asio_future Authors.
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_ASIO_FUTURE_IMPL_USE_ASYNC_FUTURE_HPP
#define BOOST_ASIO_FUTURE_IMPL_USE_ASYNC_FUTURE_HPP

#include <boost/asio_future/detail/initiation_executor.hpp>
#include <boost/asio_future/detail/state_ref.hpp>
#include <boost/asio_future/detail/token_state.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/system_executor.hpp>
#include <boost/system/error_code.hpp>
#include <boost/system/system_error.hpp>

#include <exception>
#include <tuple>
#include <type_traits>
#include <utility>

namespace boost
{
namespace asio_future
{
namespace detail
{

// How a completion's arguments become the future's outcome, by the decayed argument types.
template <class... Args>
struct token_completion
{
    // Several values: a tuple.
    using value_type = std::tuple<Args...>;

    template <class State, class... A>
    static void complete(State& s, A&&... a)
    {
        s.template try_set_value<true>(value_type(std::forward<A>(a)...));
    }
};

template <>
struct token_completion<>
{
    using value_type = void;

    template <class State>
    static void complete(State& s)
    {
        s.template try_set_value<true>();
    }
};

template <class T>
struct token_completion<T>
{
    using value_type = T;

    template <class State, class A>
    static void complete(State& s, A&& a)
    {
        s.template try_set_value<true>(std::forward<A>(a));
    }
};

// Stores a failure; false when the disposition says success. An aborted operation (its timer
// or socket was cancelled or closed, or the future itself was) leaves the future cancelled.
template <class State>
bool fail_with(State& s, const boost::system::error_code& ec)
{
    if (!ec)
        return false;
    if (s.is_claimed())
        return true;
    if (ec == boost::asio::error::operation_aborted)
        s.cancel_from_handler(ec.message());
    else
        s.template try_set_exception<true>(
            std::make_exception_ptr(boost::system::system_error(ec)));
    return true;
}

template <class State>
bool fail_with(State& s, std::exception_ptr e)
{
    if (!e)
        return false;
    s.template try_set_exception<true>(std::move(e));
    return true;
}

template <class Disposition>
struct disposition_completion
{
    template <class State>
    static void complete(State& s, Disposition d)
    {
        if (!fail_with(s, std::move(d)))
            s.template try_set_value<true>();
    }
};

template <>
struct token_completion<boost::system::error_code>
    : disposition_completion<boost::system::error_code>
{
    using value_type = void;
};

template <>
struct token_completion<std::exception_ptr> : disposition_completion<std::exception_ptr>
{
    using value_type = void;
};

template <class Disposition, class... Ts>
struct disposition_value_completion
{
    using value_type = typename token_completion<Ts...>::value_type;

    template <class State, class... A>
    static void complete(State& s, Disposition d, A&&... a)
    {
        if (!fail_with(s, std::move(d)))
            token_completion<Ts...>::complete(s, std::forward<A>(a)...);
    }
};

template <class T, class... Ts>
struct token_completion<boost::system::error_code, T, Ts...>
    : disposition_value_completion<boost::system::error_code, T, Ts...>
{
};

template <class T, class... Ts>
struct token_completion<std::exception_ptr, T, Ts...>
    : disposition_value_completion<std::exception_ptr, T, Ts...>
{
};

template <class Signature>
struct token_signature;

template <class R, class... Args>
struct token_signature<R(Args...)>
{
    using completion = token_completion<std::decay_t<Args>...>;
    using value_type = typename completion::value_type;
};

// The completion handler an operation started with use_async_future receives. It holds a
// resolver reference: destroyed uninvoked, it breaks the promise.
template <class Signature, class Allocator>
class token_handler
{
    using value_type = typename token_signature<Signature>::value_type;
    using state_type = token_state<value_type, boost::asio::any_io_executor, Allocator>;
    using base_state = future_state<value_type, boost::asio::any_io_executor>;

public:
    using allocator_type = Allocator;
    using cancellation_slot_type = boost::asio::cancellation_slot;

    token_handler(state_type* s, const Allocator& a) noexcept
        : state_(state_ref<base_state, state_base::one_resolver>::share(s)),
          slot_(s->slot()),
          allocator_(a)
    {
    }

    allocator_type get_allocator() const noexcept { return allocator_; }
    cancellation_slot_type get_cancellation_slot() const noexcept { return slot_; }

    template <class... Args>
    void operator()(Args&&... args)
    {
        // Some Asio operations leave their cancellation handler in the slot when they complete:
        // a later fut.cancel() must not reach an I/O object that may be gone by then. This runs
        // on the operation's executor, where the cancellation is emitted too.
        if (slot_.is_connected())
            slot_.clear();
        auto s = std::move(state_);
        token_signature<Signature>::completion::complete(*s, std::forward<Args>(args)...);
    }

private:
    state_ref<base_state, state_base::one_resolver> state_;
    cancellation_slot_type slot_;
    Allocator allocator_;
};

// The handler of an operation whose initiation has no executor (`asio::post(token)`): it
// completes on asio::system_executor, the future's executor then. Asio 1.37 made
// inline_executor the default of a handler without one, which cannot post. A handler of an
// operation that has an executor gets none of its own, so that it never overrides the I/O
// executor of an async_compose.
template <class Signature, class Allocator>
class token_handler_on_system_executor : public token_handler<Signature, Allocator>
{
public:
    using token_handler<Signature, Allocator>::token_handler;

    using executor_type = boost::asio::system_executor;
    executor_type get_executor() const noexcept { return {}; }
};

template <class Initiation, class Signature, class Allocator>
using token_handler_for = std::conditional_t<
    has_executor<std::decay_t<Initiation>>::value,
    token_handler<Signature, Allocator>,
    token_handler_on_system_executor<Signature, Allocator>>;

} // namespace detail
} // namespace asio_future

#if !defined(BOOST_ASIO_FUTURE_DOXYGEN)
namespace asio
{

template <class Allocator, class R, class... Args>
class async_result<asio_future::use_async_future_t<Allocator>, R(Args...)>
{
    using value_type = typename asio_future::detail::token_signature<R(Args...)>::value_type;
    using state_type =
        asio_future::detail::token_state<value_type, boost::asio::any_io_executor, Allocator>;

public:
    using return_type = asio_future::async_future<value_type>;

    template <class Initiation, class... InitArgs>
    static return_type initiate(
        Initiation&& initiation,
        asio_future::use_async_future_t<Allocator> token,
        InitArgs&&... args)
    {
        state_type* s = state_type::create(
            asio_future::detail::initiation_executor(initiation, boost::asio::system_executor()),
            token.get_allocator(),
            token.where());
        return_type fut = return_type::adopt_state(s);
        try
        {
            std::forward<Initiation>(initiation)(
                asio_future::detail::token_handler_for<Initiation, R(Args...), Allocator>(
                    s,
                    token.get_allocator()),
                std::forward<InitArgs>(args)...);
        }
        catch (...)
        {
            // Nobody will see this future: no "exception was never retrieved" report for the
            // broken promise of its dropped handler (cancel() on a done future silences it).
            fut.cancel();
            throw;
        }
        return fut;
    }
};

} // namespace asio
#endif

} // namespace boost

#endif // BOOST_ASIO_FUTURE_IMPL_USE_ASYNC_FUTURE_HPP
