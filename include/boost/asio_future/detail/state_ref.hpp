//
// Copyright (c) 2026 The asio_future Authors.
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_ASIO_FUTURE_DETAIL_STATE_REF_HPP
#define BOOST_ASIO_FUTURE_DETAIL_STATE_REF_HPP

#include <boost/asio_future/detail/config.hpp>
#include <boost/asio_future/detail/state_base.hpp>

#include <cstdint>
#include <utility>

namespace boost
{
namespace asio_future
{
namespace detail
{

// A counted pointer to a state. `Owner` is 0 for a plain memory reference (held by nodes and
// queued completions) or one of state_base::one_owner / one_resolver for a handle that may
// resolve the future.
template <class State, std::uint64_t Owner = 0>
class state_ref
{
public:
    state_ref() noexcept = default;

    // Adopts a reference the caller already holds.
    static state_ref adopt(State* s) noexcept
    {
        state_ref r;
        r.state_ = s;
        return r;
    }

    // Takes a new reference.
    static state_ref share(State* s) noexcept
    {
        if (s)
            acquire(s);
        return adopt(s);
    }

    state_ref(const state_ref& other) noexcept : state_(other.state_)
    {
        if (state_)
            acquire(state_);
    }

    state_ref(state_ref&& other) noexcept : state_(std::exchange(other.state_, nullptr)) {}

    state_ref& operator=(state_ref other) noexcept
    {
        std::swap(state_, other.state_);
        return *this;
    }

    ~state_ref() { reset(); }

    void reset() noexcept
    {
        if (State* s = std::exchange(state_, nullptr))
        {
            if constexpr (Owner == 0)
                s->release();
            else
                s->release_owner(Owner);
        }
    }

    State* get() const noexcept { return state_; }
    State* release() noexcept { return std::exchange(state_, nullptr); }
    State* operator->() const noexcept { return state_; }
    State& operator*() const noexcept { return *state_; }
    explicit operator bool() const noexcept { return state_ != nullptr; }

private:
    static void acquire(State* s) noexcept
    {
        if constexpr (Owner == 0)
            s->add_ref();
        else
            s->add_owner(Owner);
    }

    State* state_ = nullptr;
};

} // namespace detail
} // namespace asio_future
} // namespace boost

#endif // BOOST_ASIO_FUTURE_DETAIL_STATE_REF_HPP
