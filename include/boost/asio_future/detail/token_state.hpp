//
// Copyright (c) 2026 The asio_future Authors.
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_ASIO_FUTURE_DETAIL_TOKEN_STATE_HPP
#define BOOST_ASIO_FUTURE_DETAIL_TOKEN_STATE_HPP

#include <boost/asio_future/detail/config.hpp>
#include <boost/asio_future/detail/future_state.hpp>

#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/cancellation_type.hpp>
#include <boost/asio/dispatch.hpp>

#include <memory>
#include <string_view>
#include <utility>

namespace boost
{
namespace asio_future
{
namespace detail
{

// The state of a future made by use_async_future: it owns the cancellation signal whose slot the
// operation sees, and is allocated with the token's allocator. Cancelling the future emits
// terminal cancellation to the operation, on the future's executor (the operation's).
template <class T, class Executor, class Allocator>
class token_state final : public future_state<T, Executor>
{
    using alloc_type =
        typename std::allocator_traits<Allocator>::template rebind_alloc<token_state>;

public:
    static token_state* create(const Executor& ex, const Allocator& a, const source_location& where)
    {
        alloc_type alloc(a);
        token_state* p = std::allocator_traits<alloc_type>::allocate(alloc, 1);
        try
        {
            ::new (static_cast<void*>(p)) token_state(ex, a);
        }
        catch (...)
        {
            std::allocator_traits<alloc_type>::deallocate(alloc, p, 1);
            throw;
        }
        try
        {
            p->attach_registry(where);
        }
        catch (...)
        {
            p->destroy();
            throw;
        }
        return p;
    }

    boost::asio::cancellation_slot slot() noexcept { return signal_.slot(); }

private:
    // The emission is queued ahead of the waiters, or runs inline when cancel() is called on
    // the operation's executor: it reaches the operation before a waiter can destroy the
    // operation's I/O object (whose cancellation handler would then be a dangling one).
    void on_cancel_claimed() override
    {
        if (!this->orphaned())
            boost::asio::dispatch(this->executor(), emit_job(this));
    }

    // Emits on the operation's executor: a cancellation signal is not thread-safe.
    class emit_job
    {
    public:
        explicit emit_job(token_state* s) noexcept : state_(s) { state_->add_ref(); }
        emit_job(emit_job&& other) noexcept : state_(std::exchange(other.state_, nullptr)) {}
        emit_job& operator=(emit_job&&) = delete;
        ~emit_job()
        {
            if (state_)
                state_->release();
        }

        void operator()()
        {
            // Released even if a cancellation handler throws.
            emit_job held(std::move(*this));
            held.state_->signal_.emit(boost::asio::cancellation_type::terminal);
        }

    private:
        token_state* state_;
    };

    token_state(const Executor& ex, const Allocator& a) : future_state<T, Executor>(ex), alloc_(a)
    {
    }

    void destroy() noexcept override
    {
        alloc_type alloc(alloc_);
        this->~token_state();
        std::allocator_traits<alloc_type>::deallocate(alloc, this, 1);
    }

    boost::asio::cancellation_signal signal_;
    Allocator alloc_;
};

} // namespace detail
} // namespace asio_future
} // namespace boost

#endif // BOOST_ASIO_FUTURE_DETAIL_TOKEN_STATE_HPP
