//
// Copyright (c) 2026 The asio_future Authors.
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_ASIO_FUTURE_DETAIL_GATHER_STATE_HPP
#define BOOST_ASIO_FUTURE_DETAIL_GATHER_STATE_HPP

#include <boost/asio_future/async_future.hpp>

#include <boost/asio_future/detail/combinator.hpp>
#include <boost/asio_future/detail/config.hpp>
#include <boost/asio_future/detail/future_state.hpp>
#include <boost/asio_future/detail/source_location.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/mp11/algorithm.hpp>

#include <atomic>
#include <cstddef>
#include <exception>
#include <memory>
#include <optional>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

namespace boost
{
namespace asio_future
{
namespace detail
{

// R: the child's T, std::monostate for void.
template <class T>
using gather_value_t = std::conditional_t<std::is_void_v<T>, std::monostate, T>;

// An element of the result: R, or std::variant<R, std::exception_ptr> with return_exceptions.
template <class T, bool ReturnExceptions>
using gather_element_t = std::conditional_t<
    ReturnExceptions,
    std::variant<gather_value_t<T>, std::exception_ptr>,
    gather_value_t<T>>;

// The value of a child that completed with one: a copy, or for a move-only T the value itself
// (taken once; a second take throws invalid_state_error).
template <class T, class Executor>
gather_value_t<T> gather_value(future_state<T, Executor>& s)
{
    if constexpr (std::is_void_v<T>)
        return std::monostate();
    else
    {
        std::optional<T> v;
        if (std::exception_ptr e = s.template extract<!std::is_copy_constructible_v<T>>(v))
            std::rethrow_exception(e);
        return std::move(*v);
    }
}

template <bool ReturnExceptions, class T, class Executor>
gather_element_t<T, ReturnExceptions> gather_element(future_state<T, Executor>& s)
{
    if constexpr (ReturnExceptions)
    {
        using element = gather_element_t<T, true>;
        if (s.kind() != outcome_kind::value)
            return element(std::in_place_index<1>, s.retrieve_error());
        try
        {
            return element(std::in_place_index<0>, gather_value(s));
        }
        catch (...)
        {
            return element(std::in_place_index<1>, std::current_exception());
        }
    }
    else
        return gather_value(s);
}

// The state of a gather's future: a future of the results with one node in each child's list.
//
// State machine (one atomic counter beside the future's own word): `remaining_` counts the
// children whose node has not run. A child's node retrieves the child's exception (so it is
// never reported as never retrieved); without return_exceptions the first failure resolves the
// gather with it at once (try_set_exception: first resolution wins). The node that brings
// `remaining_` to zero builds the results from the children and resolves the gather, unless
// it is already done. Cancelling the gather (cancel(), or a waiter's terminal or partial
// cancellation) cancels every child not yet done; their nodes then find the gather done.
//
// Memory: the state, the children's references and the nodes are one allocation (the range
// form: two, the state and one array), whatever the number of children.
template <class Derived, class Result, bool ReturnExceptions>
class gather_state : public future_state<Result, boost::asio::any_io_executor>
{
    using base = future_state<Result, boost::asio::any_io_executor>;

public:
    bool cancel(std::string_view msg) override
    {
        if (!base::cancel(msg))
            return false;
        static_cast<Derived*>(this)->cancel_children(msg);
        let_go();
        return true;
    }

protected:
    // The children may still resolve the gather: while it is pending they hold an owner
    // reference of it (like a resolver), so that a gather whose handles were all dropped while
    // it is awaited (a temporary: `af::gather(a, b).async_wait(...)`) is not a broken promise.
    gather_state(const boost::asio::any_io_executor& ex, std::size_t n) : base(ex), remaining_(n)
    {
        this->add_owner(state_base::one_owner);
    }

    // The gather is done, or no child can resolve it any more: the children's owner
    // reference goes (once).
    void let_go() noexcept
    {
        if (resolvable_.exchange(false, std::memory_order_acq_rel))
            this->release_owner(state_base::one_owner);
    }

    template <class Child>
    static void cancel_child(Child& c, std::string_view msg)
    {
        if (!c.is_done())
            c.cancel(msg);
    }

    // A child's node ran; `c` is the child, done.
    template <class T, class Executor>
    void child_finished(future_state<T, Executor>& c) noexcept
    {
        if (c.kind() != outcome_kind::value)
        {
            std::exception_ptr e = c.retrieve_error();
            if (!ReturnExceptions && !this->is_claimed())
                this->try_set_exception(std::move(e));
        }
        const bool last = remaining_.fetch_sub(1, std::memory_order_acq_rel) == 1;
        if (last && !this->is_claimed())
        {
            try
            {
                this->try_set_value(static_cast<Derived*>(this)->assemble());
            }
            catch (...)
            {
                // A copy of a value (or the results' storage) failed: the gather fails with it.
                this->try_set_exception(std::current_exception());
            }
        }
        if (last || this->is_claimed())
            let_go();
        this->release(); // the node's reference
    }

    // Links `node` into the list of child `c`; a done child's node runs at once.
    template <class Child>
    void link(Child& c, child_node<Derived>& node, std::size_t index) noexcept
    {
        node.owner = static_cast<Derived*>(this);
        node.index = index;
        this->add_ref();
        if (!c.push(&node))
            node.run(node_action::complete);
    }

    template <class Self>
    static Self* attach(Self* s, const source_location& where)
    {
        try
        {
            s->attach_registry(where);
        }
        catch (...)
        {
            delete s;
            throw;
        }
        return s;
    }

private:
    std::atomic<std::size_t> remaining_;
    std::atomic<bool> resolvable_{true};
};

// gather(f1, f2, ...): the children are of different types.
template <bool ReturnExceptions, class... Fs>
class tuple_gather_state final
    : public gather_state<
          tuple_gather_state<ReturnExceptions, Fs...>,
          std::tuple<gather_element_t<typename Fs::value_type, ReturnExceptions>...>,
          ReturnExceptions>
{
    using base = gather_state<
        tuple_gather_state,
        std::tuple<gather_element_t<typename Fs::value_type, ReturnExceptions>...>,
        ReturnExceptions>;
    friend base;
    friend class child_node<tuple_gather_state>;

public:
    using result_type = std::tuple<gather_element_t<typename Fs::value_type, ReturnExceptions>...>;
    static constexpr std::size_t size = sizeof...(Fs);

    // Returns the state with one owner reference, its nodes linked.
    static tuple_gather_state* create(const source_location& where, const Fs&... fs)
    {
        auto* s = base::attach(
            new tuple_gather_state(
                boost::asio::any_io_executor(std::get<0>(std::tie(fs...)).get_executor()),
                checked_child(fs)...),
            where);
        s->link_all(std::index_sequence_for<Fs...>());
        return s;
    }

private:
    template <class... States>
    explicit tuple_gather_state(const boost::asio::any_io_executor& ex, States&... cs)
        : base(ex, size), children_(child_ref<Fs>::share(&cs)...)
    {
    }

    ~tuple_gather_state() override = default;

    template <std::size_t... I>
    void link_all(std::index_sequence<I...>) noexcept
    {
        (this->link(*std::get<I>(children_), nodes_[I], I), ...);
    }

    void on_child_done(std::size_t i) noexcept
    {
        boost::mp11::mp_with_index<size>(
            i,
            [this](auto I) { this->child_finished(*std::get<I>(children_)); });
    }

    result_type assemble() { return assemble(std::index_sequence_for<Fs...>()); }

    template <std::size_t... I>
    result_type assemble(std::index_sequence<I...>)
    {
        return result_type{gather_element<ReturnExceptions>(*std::get<I>(children_))...};
    }

    void cancel_children(std::string_view msg)
    {
        std::apply([msg](auto&... c) { (base::cancel_child(*c, msg), ...); }, children_);
    }

    std::tuple<child_ref<Fs>...> children_;
    child_node<tuple_gather_state> nodes_[size];
};

// gather(range): children of one type.
template <bool ReturnExceptions, class F>
class range_gather_state final
    : public gather_state<
          range_gather_state<ReturnExceptions, F>,
          std::vector<gather_element_t<typename F::value_type, ReturnExceptions>>,
          ReturnExceptions>
{
    using base = gather_state<
        range_gather_state,
        std::vector<gather_element_t<typename F::value_type, ReturnExceptions>>,
        ReturnExceptions>;
    friend base;
    friend class child_node<range_gather_state>;

public:
    using result_type = std::vector<gather_element_t<typename F::value_type, ReturnExceptions>>;

    // `fs` is not empty.
    static range_gather_state* create(const source_location& where, const std::vector<F>& fs)
    {
        auto* s = base::attach(new range_gather_state(fs), where);
        for (std::size_t i = 0; i < s->size_; ++i)
            s->link(*s->entries_[i].child, s->entries_[i].node, i);
        return s;
    }

private:
    struct entry
    {
        child_ref<F> child;
        child_node<range_gather_state> node;
    };

    explicit range_gather_state(const std::vector<F>& fs)
        : base(boost::asio::any_io_executor(fs.front().get_executor()), fs.size()),
          size_(fs.size()),
          entries_(new entry[fs.size()])
    {
        for (std::size_t i = 0; i < size_; ++i)
            entries_[i].child = child_ref<F>::share(&checked_child(fs[i]));
    }

    ~range_gather_state() override = default;

    void on_child_done(std::size_t i) noexcept { this->child_finished(*entries_[i].child); }

    result_type assemble()
    {
        result_type out;
        out.reserve(size_);
        for (std::size_t i = 0; i < size_; ++i)
            out.push_back(gather_element<ReturnExceptions>(*entries_[i].child));
        return out;
    }

    void cancel_children(std::string_view msg)
    {
        for (std::size_t i = 0; i < size_; ++i)
            base::cancel_child(*entries_[i].child, msg);
    }

    std::size_t size_;
    std::unique_ptr<entry[]> entries_;
};

} // namespace detail
} // namespace asio_future
} // namespace boost

#endif // BOOST_ASIO_FUTURE_DETAIL_GATHER_STATE_HPP
