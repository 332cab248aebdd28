//
// Copyright (c) 2026 The asio_future Authors.
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_ASIO_FUTURE_IMPL_TIMEOUT_HPP
#define BOOST_ASIO_FUTURE_IMPL_TIMEOUT_HPP

#include <boost/asio_future/error.hpp>

#include <boost/asio_future/detail/timeout_op.hpp>

#include <boost/asio/async_result.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/bind_executor.hpp>

#include <type_traits>
#include <utility>

namespace boost
{
namespace asio_future
{
namespace detail
{

// Wraps an initiation: starts the timer, then the operation with the timeout handler.
template <class Initiation>
class initiate_timeout
{
public:
    initiate_timeout(
        Initiation init,
        std::chrono::steady_clock::time_point expiry,
        boost::asio::cancellation_type_t type)
        : init_(std::move(init)), expiry_(expiry), type_(type)
    {
    }

    // Exposes the operation's executor, so that tokens below see it.
    template <class I = Initiation>
    auto get_executor() const -> decltype(std::declval<const I&>().get_executor())
    {
        return init_.get_executor();
    }

    template <class Handler, class... Args>
    void operator()(Handler&& handler, Args&&... args)
    {
        using op_type = timeout_op<std::decay_t<Handler>>;
        auto timer_ex = initiation_timer_executor(init_, handler);
        op_type* op = op_type::create(std::forward<Handler>(handler), timer_ex, expiry_, type_);
        typename op_type::initiation_scope scope(op);
        try
        {
            op->start_timer();
        }
        catch (...)
        {
            op->abandon(); // the operation was not started: nothing else will let go of it
            throw;
        }
        // If the initiation throws, the handler it was given is destroyed while unwinding and
        // that lets go of the timeout: nothing more to do here.
        std::move(init_)(typename op_type::handler(op), std::forward<Args>(args)...);
    }

    // Takes on the deadline of an adapter nested directly inside this one
    // (af::timeout(a, af::timeout(b, token))): the earlier of the two applies, with its
    // cancellation type; this one's when they are equal. One timer then bounds the operation.
    void nest(std::chrono::steady_clock::time_point expiry, boost::asio::cancellation_type_t type)
    {
        if (expiry < expiry_)
        {
            expiry_ = expiry;
            type_ = type;
        }
    }

private:
    Initiation init_;
    std::chrono::steady_clock::time_point expiry_;
    boost::asio::cancellation_type_t type_;
};

template <class Initiation>
struct is_initiate_timeout : std::false_type
{
};

template <class Initiation>
struct is_initiate_timeout<initiate_timeout<Initiation>> : std::true_type
{
};

// The initiation an adapter hands its token: the operation's wrapped in the deadline, or,
// when the operation is already an adapter's (the adapter is nested directly inside another),
// that one with the earlier of the two deadlines.
template <class Initiation>
using timeout_initiation_t = std::conditional_t<
    is_initiate_timeout<std::decay_t<Initiation>>::value,
    std::decay_t<Initiation>,
    initiate_timeout<std::decay_t<Initiation>>>;

template <class Initiation>
timeout_initiation_t<Initiation> make_timeout_initiation(
    Initiation&& init,
    std::chrono::steady_clock::time_point expiry,
    boost::asio::cancellation_type_t type)
{
    if constexpr (is_initiate_timeout<std::decay_t<Initiation>>::value)
    {
        timeout_initiation_t<Initiation> merged(std::forward<Initiation>(init));
        merged.nest(expiry, type);
        return merged;
    }
    else
        return timeout_initiation_t<Initiation>(std::forward<Initiation>(init), expiry, type);
}

// Asio 1.26's binders (bind_cancellation_slot, ...) read `return_type` from the async_result
// of the token they wrap: expose the adapted token's where it has one.
template <class InnerResult, class = void>
struct timeout_return_type
{
};

template <class InnerResult>
struct timeout_return_type<InnerResult, std::void_t<typename InnerResult::return_type>>
{
    using return_type = typename InnerResult::return_type;
};

// `member` moved when `Owner` is an rvalue, copied when an lvalue (the caller keeps its token).
template <class Owner, class Member>
decltype(auto) forward_like(Member& member) noexcept
{
    if constexpr (std::is_lvalue_reference<Owner>::value)
        return static_cast<const Member&>(member);
    else
        return static_cast<Member&&>(member);
}

} // namespace detail
} // namespace asio_future

#if !defined(BOOST_ASIO_FUTURE_DOXYGEN)
namespace asio
{

template <class CompletionToken, class... Signatures>
struct async_result<asio_future::timeout_t<CompletionToken>, Signatures...>
    : asio_future::detail::timeout_return_type<async_result<CompletionToken, Signatures...>>
{
    template <class Initiation, class RawCompletionToken, class... Args>
    static auto initiate(Initiation&& initiation, RawCompletionToken&& token, Args&&... args)
        -> decltype(async_initiate<CompletionToken, Signatures...>(
            std::declval<asio_future::detail::timeout_initiation_t<Initiation>>(),
            std::declval<CompletionToken&>(),
            std::forward<Args>(args)...))
    {
        return async_initiate<CompletionToken, Signatures...>(
            asio_future::detail::make_timeout_initiation(
                std::forward<Initiation>(initiation),
                token.expiry_,
                token.type_),
            token.token_,
            std::forward<Args>(args)...);
    }
};

// A binder around the adapter (bind_executor(ex, af::timeout(d, h)),
// bind_cancellation_slot(slot, af::timeout(d, h))) would attach its executor or slot to the
// handler the adapter hands the operation: the operation would then complete on another
// executor than the deadline's timer, or the outer slot would replace the deadline's. Rewrite
// it as the adapter around the bound token, which the adapter already handles. (One signature,
// as Asio's own specialisations for these binders.)
template <class CompletionToken, class Executor, class Signature>
struct async_result<executor_binder<asio_future::timeout_t<CompletionToken>, Executor>, Signature>
    : async_result<asio_future::timeout_t<executor_binder<CompletionToken, Executor>>, Signature>
{
    template <class Initiation, class RawCompletionToken, class... Args>
    static auto initiate(Initiation&& initiation, RawCompletionToken&& token, Args&&... args)
    {
        using inner_token = executor_binder<CompletionToken, Executor>;
        auto& adapter = token.get();
        asio_future::timeout_t<inner_token> rewritten(
            adapter.expiry_,
            inner_token(
                executor_arg_t(),
                token.get_executor(),
                asio_future::detail::forward_like<RawCompletionToken>(adapter.token_)),
            adapter.type_);
        return async_initiate<asio_future::timeout_t<inner_token>, Signature>(
            std::forward<Initiation>(initiation),
            rewritten,
            std::forward<Args>(args)...);
    }
};

template <class CompletionToken, class CancellationSlot, class Signature>
struct async_result<
    cancellation_slot_binder<asio_future::timeout_t<CompletionToken>, CancellationSlot>,
    Signature>
    : async_result<
          asio_future::timeout_t<cancellation_slot_binder<CompletionToken, CancellationSlot>>,
          Signature>
{
    template <class Initiation, class RawCompletionToken, class... Args>
    static auto initiate(Initiation&& initiation, RawCompletionToken&& token, Args&&... args)
    {
        using inner_token = cancellation_slot_binder<CompletionToken, CancellationSlot>;
        auto& adapter = token.get();
        asio_future::timeout_t<inner_token> rewritten(
            adapter.expiry_,
            inner_token(
                token.get_cancellation_slot(),
                asio_future::detail::forward_like<RawCompletionToken>(adapter.token_)),
            adapter.type_);
        return async_initiate<asio_future::timeout_t<inner_token>, Signature>(
            std::forward<Initiation>(initiation),
            rewritten,
            std::forward<Args>(args)...);
    }
};

} // namespace asio
#endif

} // namespace boost

#endif // BOOST_ASIO_FUTURE_IMPL_TIMEOUT_HPP
