//
// Copyright (c) 2026 The asio_future Authors.
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_ASIO_FUTURE_DETAIL_AWAITABLE_FIX_HPP
#define BOOST_ASIO_FUTURE_DETAIL_AWAITABLE_FIX_HPP

#include <boost/asio_future/detail/config.hpp>

// Asio 1.26 (Boost 1.81) cannot `co_await` an async operation whose completion signature is
// void(std::exception_ptr, T): awaitable_async_op_handler<R(std::exception_ptr, T)>::resume
// dereferences its result struct (chriskohlhoff/asio#1172, #1190). Every such instantiation
// fails to compile, so a more specialised, correct handler for the void-returning signature
// changes no program that compiled before. Later Asio versions are left alone.
#if defined(BOOST_ASIO_FUTURE_HAS_CO_AWAIT) && (BOOST_ASIO_VERSION < 102800) && \
    !defined(BOOST_ASIO_FUTURE_NO_AWAITABLE_FIX)

#include <boost/asio/awaitable.hpp>

#include <exception>
#include <utility>

namespace boost
{
namespace asio
{
namespace detail
{

template <typename T, typename Executor>
class awaitable_async_op_handler<void(std::exception_ptr, T), Executor>
    : public awaitable_thread<Executor>
{
public:
    struct result_type
    {
        std::exception_ptr* ex_;
        T* value_;
    };

    awaitable_async_op_handler(awaitable_thread<Executor>* h, result_type& result)
        : awaitable_thread<Executor>(std::move(*h)), result_(result)
    {
    }

    void operator()(std::exception_ptr ex, T value)
    {
        result_.ex_ = &ex;
        result_.value_ = &value;
        this->entry_point()->top_of_stack_->attach_thread(this);
        this->entry_point()->top_of_stack_->clear_cancellation_slot();
        this->pump();
    }

    static T resume(result_type& result)
    {
        if (*result.ex_)
            std::rethrow_exception(std::exchange(*result.ex_, nullptr));
        return std::move(*result.value_);
    }

private:
    result_type& result_;
};

} // namespace detail
} // namespace asio
} // namespace boost

#define BOOST_ASIO_FUTURE_HAS_AWAITABLE_FIX 1

#endif

#endif // BOOST_ASIO_FUTURE_DETAIL_AWAITABLE_FIX_HPP
