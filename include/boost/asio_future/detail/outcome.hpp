//
// Copyright (c) 2026 The asio_future Authors.
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_ASIO_FUTURE_DETAIL_OUTCOME_HPP
#define BOOST_ASIO_FUTURE_DETAIL_OUTCOME_HPP

#include <boost/asio_future/detail/config.hpp>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <new>
#include <optional>
#include <type_traits>
#include <utility>

namespace boost
{
namespace asio_future
{
namespace detail
{

// The value a waiter's handler receives beside the exception: T itself when the error path can
// build a placeholder T (a default-constructed one, or, for an I/O object such as a socket, one
// constructed from the future's executor); std::optional<T> for any other T.
template <class T, class Executor>
inline constexpr bool has_placeholder_v =
    std::is_default_constructible_v<T> || std::is_constructible_v<T, const Executor&>;

template <class T, class Executor>
using completion_value_t = std::conditional_t<has_placeholder_v<T, Executor>, T, std::optional<T>>;

// What result() returns: a reference to the stored value, or nothing.
template <class T>
struct result_reference
{
    using type = const T&;
};

template <>
struct result_reference<void>
{
    using type = void;
};

template <class T>
using result_reference_t = typename result_reference<T>::type;

template <class T, class Executor>
struct wait_signature
{
    using type = void(std::exception_ptr, completion_value_t<T, Executor>);
};

template <class Executor>
struct wait_signature<void, Executor>
{
    using type = void(std::exception_ptr);
};

// What set_exception(E) accepts: an exception object, not an exception_ptr or a null pointer.
template <class E>
inline constexpr bool is_exception_object_v =
    !std::is_same_v<std::decay_t<E>, std::exception_ptr> &&
    !std::is_same_v<std::decay_t<E>, std::nullptr_t> && std::is_class_v<std::decay_t<E>>;

enum class outcome_kind : std::uint8_t
{
    none,
    value,
    error,
    cancelled
};

// The outcome's payload: the value or the exception, never both. Which one is live is kept in
// the state (state_base::kind_) so that the state packs into as few bytes as possible.
template <class T>
class outcome_storage
{
public:
    outcome_storage() noexcept {}
    outcome_storage(const outcome_storage&) = delete;
    outcome_storage& operator=(const outcome_storage&) = delete;
    ~outcome_storage() {}

    void destroy(outcome_kind kind) noexcept
    {
        if (kind == outcome_kind::value)
            value_.~T();
        else if (kind != outcome_kind::none)
            error_.~exception_ptr();
    }

    void set_value(T&& v) { ::new (static_cast<void*>(std::addressof(value_))) T(std::move(v)); }

    void set_error(std::exception_ptr&& e) noexcept
    {
        ::new (static_cast<void*>(std::addressof(error_))) std::exception_ptr(std::move(e));
    }

    T& value() noexcept { return value_; }
    const T& value() const noexcept { return value_; }
    const std::exception_ptr& error() const noexcept { return error_; }

private:
    union
    {
        T value_;
        std::exception_ptr error_;
    };
};

template <>
class outcome_storage<void>
{
public:
    void destroy(outcome_kind kind) noexcept
    {
        if (kind != outcome_kind::value && kind != outcome_kind::none)
            error_.~exception_ptr();
    }

    void set_error(std::exception_ptr&& e) noexcept
    {
        ::new (static_cast<void*>(std::addressof(error_))) std::exception_ptr(std::move(e));
    }

    const std::exception_ptr& error() const noexcept { return error_; }

    outcome_storage() noexcept {}
    outcome_storage(const outcome_storage&) = delete;
    outcome_storage& operator=(const outcome_storage&) = delete;
    ~outcome_storage() {}

private:
    union
    {
        std::exception_ptr error_;
    };
};

} // namespace detail
} // namespace asio_future
} // namespace boost

#endif // BOOST_ASIO_FUTURE_DETAIL_OUTCOME_HPP
