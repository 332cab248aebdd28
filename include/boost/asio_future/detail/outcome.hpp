//
// Copyright (c) 2026 The asio_future Authors.
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_ASIO_FUTURE_DETAIL_OUTCOME_HPP
#define BOOST_ASIO_FUTURE_DETAIL_OUTCOME_HPP

#include <boost/asio_future/error.hpp>

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

// The value a waiter's handler receives: T itself, or std::optional<T> when T has no default
// constructor (a handler must be passed some value together with an exception).
template <class T>
using completion_value_t =
    std::conditional_t<std::is_default_constructible_v<T>, T, std::optional<T>>;

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

template <class T>
struct wait_signature
{
    using type = void(std::exception_ptr, completion_value_t<T>);
};

template <>
struct wait_signature<void>
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

// Written once by the resolver that won the claim, read by everyone after the publish.
class outcome_base
{
public:
    outcome_kind kind() const noexcept { return kind_; }
    const std::exception_ptr& error() const noexcept { return error_; }

    void set_error(std::exception_ptr e) noexcept
    {
        error_ = std::move(e);
        kind_ = outcome_kind::error;
    }

    void set_cancelled(std::exception_ptr e) noexcept
    {
        error_ = std::move(e);
        kind_ = outcome_kind::cancelled;
    }

    bool taken() const noexcept { return taken_.load(std::memory_order_acquire); }

protected:
    static std::exception_ptr already_taken()
    {
        return std::make_exception_ptr(invalid_state_error("asio_future: result already taken"));
    }

    outcome_kind kind_ = outcome_kind::none;
    std::atomic<bool> taken_{false};
    std::exception_ptr error_;
};

template <class T>
class outcome : public outcome_base
{
public:
    outcome() noexcept {}
    outcome(const outcome&) = delete;
    outcome& operator=(const outcome&) = delete;

    ~outcome()
    {
        if (kind_ == outcome_kind::value)
            value_.~T();
    }

    void set_value(T&& v)
    {
        ::new (static_cast<void*>(std::addressof(value_))) T(std::move(v));
        kind_ = outcome_kind::value;
    }

    const T& value() const noexcept { return value_; }

    // Fills `out` with a copy (Take: the moved value) or returns the error to deliver.
    template <bool Take, class V>
    std::exception_ptr extract(std::optional<V>& out) noexcept
    {
        if (kind_ != outcome_kind::value)
            return error_;
        if constexpr (Take)
        {
            if (taken_.exchange(true, std::memory_order_acq_rel))
                return already_taken_noexcept();
            try
            {
                out.emplace(std::move(value_));
            }
            catch (...)
            {
                return std::current_exception();
            }
        }
        else
        {
            if (taken())
                return already_taken_noexcept();
            try
            {
                out.emplace(value_);
            }
            catch (...)
            {
                return std::current_exception();
            }
        }
        return {};
    }

private:
    static std::exception_ptr already_taken_noexcept() noexcept
    {
        try
        {
            return already_taken();
        }
        catch (...)
        {
            return std::current_exception();
        }
    }

    union
    {
        T value_;
    };
};

template <>
class outcome<void> : public outcome_base
{
public:
    void set_value() noexcept { kind_ = outcome_kind::value; }
};

} // namespace detail
} // namespace asio_future
} // namespace boost

#endif // BOOST_ASIO_FUTURE_DETAIL_OUTCOME_HPP
