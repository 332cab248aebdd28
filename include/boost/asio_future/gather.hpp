//
// Copyright (c) 2026 The asio_future Authors.
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_ASIO_FUTURE_GATHER_HPP
#define BOOST_ASIO_FUTURE_GATHER_HPP

#include <boost/asio_future/async_future.hpp>

#include <boost/asio_future/detail/config.hpp>
#include <boost/asio_future/detail/gather_state.hpp>
#include <boost/asio_future/detail/source_location.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/system_executor.hpp>

#include <exception>
#include <iterator>
#include <tuple>
#include <type_traits>
#include <variant>
#include <vector>

namespace boost
{
namespace asio_future
{

/// The tag type of `return_exceptions`.
struct return_exceptions_t
{
    explicit constexpr return_exceptions_t() = default;
};

/// Makes `gather` deliver each child's failure as an element instead of failing:
/// `asyncio.gather(..., return_exceptions=True)`.
inline constexpr return_exceptions_t return_exceptions{};

/// The element type `gather` gives a child of type `T`: `T`, `std::monostate` for `void`, or
/// with `return_exceptions` `std::variant<R, std::exception_ptr>`.
template <class T, bool ReturnExceptions = false>
using gather_element_t = detail::gather_element_t<T, ReturnExceptions>;

#if !defined(BOOST_ASIO_FUTURE_DOXYGEN)
namespace detail
{
template <class Range>
inline constexpr bool is_future_range_v = !is_async_future_v<std::decay_t<Range>> &&
                                          !std::is_same_v<std::decay_t<Range>, return_exceptions_t>;

template <bool ReturnExceptions, class... Ts, class... Es>
auto gather_futures(const basic_async_future<Ts, Es>&... fs)
{
    using state_type = tuple_gather_state<ReturnExceptions, basic_async_future<Ts, Es>...>;
    using result_type = typename state_type::result_type;
    return async_future<result_type>::adopt_state(state_type::create(source_location(), fs...));
}

template <bool ReturnExceptions, class Range>
auto gather_range(Range&& range, const source_location& where)
{
    using F = std::decay_t<decltype(*std::begin(range))>;
    static_assert(
        is_async_future_v<F>,
        "gather(range): the range holds basic_async_future handles");
    using state_type = range_gather_state<ReturnExceptions, F>;
    using result_type = typename state_type::result_type;
    std::vector<F> fs = collect_range(std::forward<Range>(range));
    for (const F& f : fs)
        checked_child(f);
    if (fs.empty())
    {
        // asyncio: gather() of nothing is done at once with an empty list.
        async_future<result_type> out(
            boost::asio::any_io_executor(boost::asio::system_executor()),
            where);
        out.set_result();
        return out;
    }
    return async_future<result_type>::adopt_state(state_type::create(where, fs));
}
} // namespace detail
#endif

/// Runs futures concurrently and collects their results: `asyncio.gather(f1, f2, ...)`.
/**
 * Returns a future of `std::tuple<R1, R2, ...>`, bound to `f1`'s executor, where `R` is the
 * child's `T` (`std::monostate` for `void`). The results keep argument order. A copyable value
 * is copied (the child keeps it); a move-only value is taken from the child.
 *
 * @li The first child to fail (with an exception, or cancelled: `cancelled_error`) fails the
 * gather at once with that exception; the other children are not cancelled (asyncio).
 * @li Cancelling the returned future (`cancel()`, or a waiter's terminal or partial
 * cancellation, or an `af::timeout` on a wait) cancels every child not yet done.
 * `af::shield` on it only detaches the wait.
 * @li The gather retrieves every child's exception: none is reported as never retrieved.
 * @li Never completes a wait inline, as any future; children may be resolved from any thread.
 * @li O(1) allocations: the returned future's state holds one node per child (no allocation
 * and no posted handler per child).
 *
 * @throws invalid_state_error at once when a handle is empty (default-constructed or
 * moved-from); nothing is started then.
 *
 * @par Example
 * @code
 * auto [user, orders] = co_await af::gather(fetch_user(id), fetch_orders(id))
 *                           .async_wait(asio::use_awaitable);
 * @endcode
 */
template <class... Ts, class... Es>
auto gather(const basic_async_future<Ts, Es>&... fs)
#if defined(BOOST_ASIO_FUTURE_DOXYGEN)
    -> async_future<std::tuple<gather_element_t<Ts>...>>
#endif
{
    static_assert(sizeof...(Ts) > 0, "gather(f1, ...) needs at least one future");
    return detail::gather_futures<false>(fs...);
}

/// `gather` that never fails because of a child: each element is
/// `std::variant<R, std::exception_ptr>`, the child's value or its exception
/// (`asyncio.gather(..., return_exceptions=True)`). A cancelled child gives its
/// `cancelled_error`. Cancelling the returned future still cancels the children.
template <class... Ts, class... Es>
auto gather(return_exceptions_t, const basic_async_future<Ts, Es>&... fs)
#if defined(BOOST_ASIO_FUTURE_DOXYGEN)
    -> async_future<std::tuple<gather_element_t<Ts, true>...>>
#endif
{
    static_assert(
        sizeof...(Ts) > 0,
        "gather(return_exceptions, f1, ...) needs at least one future");
    return detail::gather_futures<true>(fs...);
}

/// Gathers a forward range of futures of one type: a future of `std::vector<R>` in range order.
/**
 * As the variadic form, bound to the first child's executor. An empty range gives a future
 * that is already done with an empty vector, bound to `asio::system_executor` (asyncio:
 * `gather()` is done with `[]`).
 *
 * @throws invalid_state_error at once when a handle in the range is empty.
 */
template <
    class Range
#if !defined(BOOST_ASIO_FUTURE_DOXYGEN)
    ,
    class = std::enable_if_t<detail::is_future_range_v<Range>>
#endif
    >
auto gather(
    Range&& range,
    const detail::source_location& where = detail::source_location::current())
{
    return detail::gather_range<false>(std::forward<Range>(range), where);
}

/// Gathers a range; each element is `std::variant<R, std::exception_ptr>`.
template <
    class Range
#if !defined(BOOST_ASIO_FUTURE_DOXYGEN)
    ,
    class = std::enable_if_t<detail::is_future_range_v<Range>>
#endif
    >
auto gather(
    return_exceptions_t,
    Range&& range,
    const detail::source_location& where = detail::source_location::current())
{
    return detail::gather_range<true>(std::forward<Range>(range), where);
}

} // namespace asio_future
} // namespace boost

#endif // BOOST_ASIO_FUTURE_GATHER_HPP
