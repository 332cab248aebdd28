//
// Copyright (c) 2026 The asio_future Authors.
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_ASIO_FUTURE_ERROR_HPP
#define BOOST_ASIO_FUTURE_ERROR_HPP

#include <boost/asio_future/detail/config.hpp>

#include <boost/system/error_code.hpp>
#include <boost/system/system_error.hpp>

#include <string>
#include <string_view>
#include <type_traits>

namespace boost
{
namespace asio_future
{

/// Error codes of the library, in the category named `"asio_future"`.
enum class error
{
    /// The future was cancelled (asyncio's `CancelledError`).
    cancelled = 1,

    /// The operation is not valid in the future's current state (asyncio's `InvalidStateError`).
    invalid_state,

    /// Every resolver of the future was destroyed, or every handle to it was dropped, before it
    /// was resolved: nobody is left who could resolve it.
    broken_promise,

    /// A deadline expired before the operation completed (`TimeoutError`).
    timeout
};

/// The error category of `error`; its `name()` is `"asio_future"`.
const boost::system::error_category& asio_future_category() noexcept;

/// Makes an `error_code` from an `error`, for `boost::system::is_error_code_enum`.
boost::system::error_code make_error_code(error e) noexcept;

/// Thrown, or delivered as `std::exception_ptr`, when a future was cancelled.
/**
 * Equivalent to `asyncio.CancelledError`. Carries the message given to `cancel(msg)`
 * (empty when none was given).
 */
class cancelled_error : public boost::system::system_error
{
public:
    /// Constructs the error with the cancellation message `msg`; `what()` is
    /// `"msg: cancelled [asio_future:1]"`, or `"cancelled [asio_future:1]"` without one.
    explicit cancelled_error(std::string_view msg = {});

    /// The message passed to `cancel`, or an empty string.
    const std::string& cancel_message() const noexcept { return message_; }

private:
    std::string message_;
};

/// Thrown when an operation is not valid in the future's state.
/**
 * Equivalent to `asyncio.InvalidStateError`: a second `set_result`, `result()` on a pending
 * future, a result already taken, or any call on an empty handle.
 */
class invalid_state_error : public boost::system::system_error
{
public:
    /// Constructs the error; `what()` includes `what_arg`.
    explicit invalid_state_error(const std::string& what_arg);
};

/// Delivered when nobody is left who could resolve a pending future.
class broken_promise_error : public boost::system::system_error
{
public:
    /// Constructs the error; `what()` includes `what_arg`, which says what happened.
    explicit broken_promise_error(std::string_view what_arg = {});
};

/// Delivered when a deadline expired first (Python's `TimeoutError`).
class timeout_error : public boost::system::system_error
{
public:
    timeout_error();
};

} // namespace asio_future

#if !defined(BOOST_ASIO_FUTURE_DOXYGEN)
namespace system
{
template <>
struct is_error_code_enum<::boost::asio_future::error> : std::true_type
{
};
} // namespace system
#endif

} // namespace boost

#include <boost/asio_future/impl/error.hpp>

#endif // BOOST_ASIO_FUTURE_ERROR_HPP
