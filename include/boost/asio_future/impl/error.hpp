//
// Copyright (c) 2026 The asio_future Authors.
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_ASIO_FUTURE_IMPL_ERROR_HPP
#define BOOST_ASIO_FUTURE_IMPL_ERROR_HPP

namespace boost
{
namespace asio_future
{
namespace detail
{

class error_category_impl final : public boost::system::error_category
{
public:
    // A fixed id makes categories from different shared objects compare equal.
    constexpr error_category_impl() noexcept : error_category(0x9a5c93904748906full) {}

    const char* name() const noexcept override { return "asio_future"; }

    std::string message(int ev) const override { return message(ev, nullptr, 0); }

    const char* message(int ev, char*, std::size_t) const noexcept override
    {
        switch (static_cast<error>(ev))
        {
        case error::cancelled:
            return "cancelled";
        case error::invalid_state:
            return "invalid state";
        case error::broken_promise:
            return "broken promise";
        case error::timeout:
            return "timeout";
        }
        return "unknown asio_future error";
    }
};

} // namespace detail

inline const boost::system::error_category& asio_future_category() noexcept
{
    static const detail::error_category_impl instance;
    return instance;
}

inline boost::system::error_code make_error_code(error e) noexcept
{
    return {static_cast<int>(e), asio_future_category()};
}

namespace detail
{
// system_error(ec, "") would write what() as ": <message>".
inline boost::system::system_error make_system_error(error e, std::string_view what_arg)
{
    if (what_arg.empty())
        return boost::system::system_error(make_error_code(e));
    return boost::system::system_error(make_error_code(e), std::string(what_arg));
}
} // namespace detail

inline cancelled_error::cancelled_error(std::string_view msg)
    : system_error(detail::make_system_error(error::cancelled, msg)), message_(msg)
{
}

inline invalid_state_error::invalid_state_error(const std::string& what_arg)
    : system_error(make_error_code(error::invalid_state), what_arg)
{
}

inline broken_promise_error::broken_promise_error(std::string_view what_arg)
    : system_error(detail::make_system_error(error::broken_promise, what_arg))
{
}

inline timeout_error::timeout_error() : system_error(make_error_code(error::timeout)) {}

} // namespace asio_future
} // namespace boost

#endif // BOOST_ASIO_FUTURE_IMPL_ERROR_HPP
