//
// Copyright (c) 2026 The asio_future Authors.
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// Threads, races and lifetimes of async_future and resolver. Meant to run under ThreadSanitizer
// and AddressSanitizer/LeakSanitizer: every loop is bounded in count, nothing sleeps, and a
// watchdog turns a hang into a failed test. Test that the header is self-contained.
#include <boost/asio_future/async_future.hpp>

#define BOOST_TEST_MODULE stress_async_future
#include <boost/asio_future/future_service.hpp>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/test/unit_test.hpp>

#if defined(BOOST_ASIO_FUTURE_HAS_CO_AWAIT)
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#endif

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

// Iteration counts are scaled down under ThreadSanitizer, which is 5-15 times slower.
#if defined(__SANITIZE_THREAD__)
#define AF_STRESS_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define AF_STRESS_TSAN 1
#endif
#endif

#if defined(AF_STRESS_TSAN)
// libstdc++ is not instrumented: TSan does not see the atomic reference count of
// std::exception_ptr, so a waiter that reads the exception it received on one thread while the
// last copy is released on another is reported as a race on the exception object's memory.
// Only that release is suppressed.
extern "C" const char* __tsan_default_suppressions()
{
    return "race:std::__exception_ptr::exception_ptr::_M_release\n";
}
#endif

namespace af = boost::asio_future;
namespace asio = boost::asio;

namespace
{

#if defined(AF_STRESS_TSAN)
constexpr bool under_tsan = true;
#else
constexpr bool under_tsan = false;
#endif

constexpr int scaled(int normal, int tsan)
{
    return under_tsan ? tsan : normal;
}

// A bound on waiting for completions: only reached when the library hangs.
constexpr std::chrono::seconds watchdog_limit{120};

using io_strand = asio::strand<asio::io_context::executor_type>;

// Rethrows `e` and reports whether it holds an exception of type E.
template <class E>
bool holds(const std::exception_ptr& e)
{
    if (!e)
        return false;
    try
    {
        std::rethrow_exception(e);
    }
    catch (const E&)
    {
        return true;
    }
    catch (...)
    {
        return false;
    }
}

bool is_broken_promise(const std::exception_ptr& e)
{
    if (!e)
        return false;
    try
    {
        std::rethrow_exception(e);
    }
    catch (const af::broken_promise_error& err)
    {
        return err.code() == af::error::broken_promise;
    }
    catch (...)
    {
        return false;
    }
}

std::string what_of(const std::exception_ptr& e)
{
    try
    {
        std::rethrow_exception(e);
    }
    catch (const std::exception& ex)
    {
        return ex.what();
    }
    catch (...)
    {
        return "<not a std::exception>";
    }
}

// The message of a cancelled future, or a marker when it is not cancelled.
template <class Future>
std::string cancel_message_of(const Future& f)
{
    try
    {
        f.result();
        return "<has a result>";
    }
    catch (const af::cancelled_error& e)
    {
        return e.cancel_message();
    }
    catch (...)
    {
        return "<failed>";
    }
}

// Counts up to a target from any thread; the waiting side has a bound so that a lost
// completion fails the test instead of hanging it.
class completion_counter
{
public:
    explicit completion_counter(long target) : target_(target) {}

    void arrive()
    {
        if (count_.fetch_add(1, std::memory_order_acq_rel) + 1 == target_)
        {
            std::lock_guard<std::mutex> lock(mutex_);
            reached_ = true;
            cv_.notify_all();
        }
    }

    // True when the target was reached before the watchdog limit.
    bool wait()
    {
        std::unique_lock<std::mutex> lock(mutex_);
        return cv_.wait_for(lock, watchdog_limit, [this] { return reached_; });
    }

    long count() const { return count_.load(std::memory_order_acquire); }

private:
    const long target_;
    std::atomic<long> count_{0};
    std::mutex mutex_;
    std::condition_variable cv_;
    bool reached_ = false;
};

// N worker threads that run `body(worker, round)` once per round, all together: each round
// starts when run_round() is called and ends when every worker finished its body. Within a
// round the workers meet at a spinning start line so that their bodies really overlap; the
// bodies themselves are not ordered by any lock.
class worker_pool
{
public:
    worker_pool(int n, std::function<void(int, int)> body) : n_(n), body_(std::move(body))
    {
        for (int i = 0; i < n_; ++i)
            threads_.emplace_back([this, i] { loop(i); });
    }

    worker_pool(const worker_pool&) = delete;
    worker_pool& operator=(const worker_pool&) = delete;

    ~worker_pool()
    {
        {
            std::lock_guard<std::mutex> lock(mutex_);
            stop_ = true;
        }
        start_cv_.notify_all();
        for (auto& t : threads_)
            t.join();
    }

    void run_round(int round)
    {
        std::unique_lock<std::mutex> lock(mutex_);
        round_ = round;
        finished_ = 0;
        at_start_line_.store(0, std::memory_order_relaxed);
        ++generation_;
        start_cv_.notify_all();
        done_cv_.wait(lock, [this] { return finished_ == n_; });
    }

private:
    void loop(int id)
    {
        unsigned long seen = 0;
        for (;;)
        {
            int round;
            {
                std::unique_lock<std::mutex> lock(mutex_);
                start_cv_.wait(lock, [&] { return stop_ || generation_ != seen; });
                if (stop_)
                    return;
                seen = generation_;
                round = round_;
            }
            at_start_line_.fetch_add(1, std::memory_order_relaxed);
            while (at_start_line_.load(std::memory_order_relaxed) < n_)
                std::this_thread::yield();
            body_(id, round);
            {
                std::lock_guard<std::mutex> lock(mutex_);
                if (++finished_ == n_)
                    done_cv_.notify_one();
            }
        }
    }

    const int n_;
    std::function<void(int, int)> body_;
    std::mutex mutex_;
    std::condition_variable start_cv_, done_cv_;
    unsigned long generation_ = 0;
    int round_ = 0;
    int finished_ = 0;
    bool stop_ = false;
    std::atomic<int> at_start_line_{0};
    std::vector<std::thread> threads_;
};

// Runs `ctx` on `n` threads until stopped or out of work; joins on destruction.
class io_threads
{
public:
    io_threads(asio::io_context& ctx, int n)
    {
        for (int i = 0; i < n; ++i)
            threads_.emplace_back([&ctx] { ctx.run(); });
    }
    io_threads(const io_threads&) = delete;
    io_threads& operator=(const io_threads&) = delete;
    ~io_threads() { join(); }

    void join()
    {
        for (auto& t : threads_)
            if (t.joinable())
                t.join();
    }

private:
    std::vector<std::thread> threads_;
};

} // namespace

// ---------------------------------------------------------------------------------------------
// 1. Racing resolutions: exactly one wins
// ---------------------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(racing_try_set_result_exactly_one_wins)
{
    constexpr int threads = 8;
    const int rounds = scaled(1000, 200);
    asio::io_context ctx;
    af::async_future<int> fut;
    std::vector<af::resolver<int>> resolvers(threads);
    std::atomic<int> wins{0};
    std::atomic<int> winner{-1};

    // Even workers race on the future, odd ones on their own resolver copy.
    worker_pool pool(
        threads,
        [&](int id, int round)
        {
            const int value = round * 100 + id;
            const bool won =
                id % 2 == 0 ? fut.try_set_result(value) : resolvers[id].set_result(value);
            if (won)
            {
                wins.fetch_add(1, std::memory_order_relaxed);
                winner.store(id, std::memory_order_relaxed);
            }
            resolvers[id] = af::resolver<int>(); // a drop after the race never breaks anything
        });

    int bad_rounds = 0;
    for (int round = 0; round < rounds; ++round)
    {
        fut = af::make_future<int>(ctx);
        for (auto& r : resolvers)
            r = fut.get_resolver();
        wins = 0;
        winner = -1;
        int calls = 0;
        int got = -1;
        std::exception_ptr err;
        fut.async_wait(
            [&](std::exception_ptr e, int v)
            {
                ++calls;
                err = e;
                got = v;
            });
        pool.run_round(round);
        ctx.restart();
        ctx.run();
        const int expected = round * 100 + winner.load();
        const bool ok = wins.load() == 1 && winner.load() >= 0 && fut.done() && !fut.cancelled() &&
                        fut.result() == expected && calls == 1 && !err && got == expected;
        if (!ok)
            ++bad_rounds;
    }
    BOOST_TEST(bad_rounds == 0);
}

BOOST_AUTO_TEST_CASE(racing_mixed_resolutions_exactly_one_wins)
{
    constexpr int threads = 8;
    const int rounds = scaled(1000, 200);
    asio::io_context ctx;
    af::async_future<int> fut;
    std::vector<af::resolver<int>> resolvers(threads);
    std::atomic<int> wins{0};
    std::atomic<int> winner{-1};

    // What worker `id` does in `round`: 0 result, 1 exception, 2 cancel.
    auto op_of = [](int id, int round) { return (id + round) % 3; };

    worker_pool pool(
        threads,
        [&](int id, int round)
        {
            const std::string tag = std::to_string(id);
            const bool via_resolver = id % 2 == 1;
            bool won = false;
            switch (op_of(id, round))
            {
            case 0:
                won = via_resolver ? resolvers[id].set_result(id) : fut.try_set_result(id);
                break;
            case 1:
                won = via_resolver ? resolvers[id].set_exception(std::runtime_error(tag))
                                   : fut.try_set_exception(std::runtime_error(tag));
                break;
            default:
                won = via_resolver ? resolvers[id].cancel(tag) : fut.cancel(tag);
                break;
            }
            if (won)
            {
                wins.fetch_add(1, std::memory_order_relaxed);
                winner.store(id, std::memory_order_relaxed);
            }
            resolvers[id] = af::resolver<int>();
        });

    int bad_rounds = 0;
    int by_op[3] = {0, 0, 0};
    for (int round = 0; round < rounds; ++round)
    {
        fut = af::make_future<int>(ctx);
        for (auto& r : resolvers)
            r = fut.get_resolver();
        wins = 0;
        winner = -1;
        int calls = 0;
        int got = -1;
        std::exception_ptr err;
        fut.async_wait(
            [&](std::exception_ptr e, int v)
            {
                ++calls;
                err = e;
                got = v;
            });
        pool.run_round(round);
        ctx.restart();
        ctx.run();

        const int w = winner.load();
        bool ok = wins.load() == 1 && w >= 0 && fut.done() && calls == 1;
        if (ok)
        {
            const std::string tag = std::to_string(w);
            const int op = op_of(w, round);
            ++by_op[op];
            if (op == 0)
                ok = !fut.cancelled() && fut.result() == w && !err && got == w;
            else if (op == 1)
                ok = !fut.cancelled() && holds<std::runtime_error>(fut.exception()) &&
                     what_of(fut.exception()) == tag && holds<std::runtime_error>(err) &&
                     what_of(err) == tag;
            else
                ok = fut.cancelled() && cancel_message_of(fut) == tag &&
                     holds<af::cancelled_error>(err);
        }
        if (!ok)
            ++bad_rounds;
    }
    BOOST_TEST(bad_rounds == 0);
    BOOST_TEST(by_op[0] + by_op[1] + by_op[2] == rounds);
}

BOOST_AUTO_TEST_CASE(racing_resolver_drops_break_the_promise_exactly_once)
{
    constexpr int threads = 4;
    const int rounds = scaled(500, 100);
    asio::io_context ctx;
    af::async_future<int> fut;
    std::vector<af::resolver<int>> resolvers(threads);
    std::atomic<int> setter{-1}; // worker that resolves before dropping, or -1: nobody does
    std::atomic<int> set_ok{0};

    worker_pool pool(
        threads,
        [&](int id, int)
        {
            if (id == setter.load(std::memory_order_relaxed) && resolvers[id].set_result(id))
                set_ok.fetch_add(1, std::memory_order_relaxed);
            resolvers[id] = af::resolver<int>();
        });

    int bad_rounds = 0;
    for (int round = 0; round < rounds; ++round)
    {
        fut = af::make_future<int>(ctx);
        for (auto& r : resolvers)
            r = fut.get_resolver();
        setter = round % 2 == 0 ? -1 : round % threads;
        set_ok = 0;
        int calls = 0;
        std::exception_ptr err;
        int got = -1;
        fut.async_wait(
            [&](std::exception_ptr e, int v)
            {
                ++calls;
                err = e;
                got = v;
            });
        pool.run_round(round);
        ctx.restart();
        ctx.run();
        bool ok = fut.done() && calls == 1;
        if (setter.load() < 0)
            ok = ok && is_broken_promise(err) && is_broken_promise(fut.exception());
        else // the setter resolved before its own drop: the promise cannot break
            ok = ok && set_ok.load() == 1 && !err && got == setter.load();
        if (!ok)
            ++bad_rounds;
    }
    BOOST_TEST(bad_rounds == 0);
}

// ---------------------------------------------------------------------------------------------
// 2. A foreign thread resolves: every waiter resumes on its own executor
// ---------------------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(foreign_thread_resolution_resumes_each_waiter_on_its_executor)
{
    const int rounds = scaled(100, 25);
    constexpr int per_kind = 20;
    asio::io_context ctx1;
    asio::io_context ctx2;
    const io_strand strand = asio::make_strand(ctx1);
    const std::thread::id ctx1_thread = std::this_thread::get_id(); // ctx1 runs here

    auto ctx2_guard = asio::make_work_guard(ctx2);
    std::thread::id ctx2_thread; // written by the ctx2 thread before it runs any handler
    std::thread ctx2_runner(
        [&]
        {
            ctx2_thread = std::this_thread::get_id();
            ctx2.run();
        });

    // Counted on the executor that runs each handler: strand and plain on ctx1 (this thread),
    // ctx2 handlers on ctx2's single thread.
    int strand_ok = 0, strand_bad = 0, plain_ok = 0, plain_bad = 0;
    int ctx2_ok = 0, ctx2_bad = 0;

    for (int round = 0; round < rounds; ++round)
    {
        auto fut = af::make_future<int>(ctx1);
        for (int i = 0; i < per_kind; ++i)
        {
            fut.async_wait(asio::bind_executor(
                strand,
                [&, round, strand](std::exception_ptr e, int v)
                {
                    if (!e && v == round && strand.running_in_this_thread() &&
                        std::this_thread::get_id() == ctx1_thread)
                        ++strand_ok;
                    else
                        ++strand_bad;
                }));
            fut.async_wait(asio::bind_executor(
                ctx2.get_executor(),
                [&, round](std::exception_ptr e, int v)
                {
                    if (!e && v == round && std::this_thread::get_id() == ctx2_thread &&
                        !strand.running_in_this_thread())
                        ++ctx2_ok;
                    else
                        ++ctx2_bad;
                }));
            fut.async_wait(
                [&, round](std::exception_ptr e, int v)
                {
                    if (!e && v == round && std::this_thread::get_id() == ctx1_thread)
                        ++plain_ok;
                    else
                        ++plain_bad;
                });
        }
        std::thread producer([r = fut.get_resolver(), round]() { r.set_result(round); });
        ctx1.restart();
        ctx1.run(); // returns once every ctx1 waiter (strand and plain) completed
        producer.join();
    }
    ctx2_guard.reset();
    ctx2_runner.join(); // ctx2.run() returns once every ctx2 waiter completed

    const int expected = rounds * per_kind;
    BOOST_TEST(strand_ok == expected);
    BOOST_TEST(strand_bad == 0);
    BOOST_TEST(plain_ok == expected);
    BOOST_TEST(plain_bad == 0);
    BOOST_TEST(ctx2_ok == expected);
    BOOST_TEST(ctx2_bad == 0);
}

// ---------------------------------------------------------------------------------------------
// 3. Many futures, producers, io threads and concurrent cancellations
// ---------------------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(many_futures_with_producers_io_threads_and_cancellations)
{
    const int futures = scaled(20000, 2000);
    const int waiters = 2 * futures;
    constexpr int producers = 3;

    // Waiter 2*i and 2*i+1 wait for future i. Cancellation plan by i % 4:
    //   0: none; 1: waiter 0 terminal; 2: waiter 1 total; 3: waiter 0 terminal + waiter 1 total.
    // i % 8 >= 4 uses partial instead of terminal (same contract: cancels the future).
    auto terminal_on_first = [](int i) { return i % 4 == 1 || i % 4 == 3; };
    auto total_on_second = [](int i) { return i % 4 == 2 || i % 4 == 3; };

    asio::io_context ctx;
    auto guard = asio::make_work_guard(ctx);
    std::vector<af::async_future<int>> futs;
    std::vector<af::resolver<int>> resolvers;
    futs.reserve(futures);
    resolvers.reserve(futures);
    for (int i = 0; i < futures; ++i)
    {
        futs.push_back(af::make_future<int>(ctx));
        resolvers.push_back(futs.back().get_resolver());
    }
    std::vector<io_strand> strands;
    strands.reserve(waiters);
    for (int w = 0; w < waiters; ++w)
        strands.push_back(asio::make_strand(ctx));
    std::vector<asio::cancellation_signal> signals(waiters);

    std::vector<std::atomic<int>> calls(waiters);
    std::vector<std::atomic<int>> outcome(waiters); // 1 value, 2 cancelled, 3 other
    std::vector<std::atomic<bool>> set_ok(futures);
    std::atomic<long> values{0}, cancelled{0}, others{0}, wrong_value{0}, off_strand{0};
    completion_counter completed(waiters);

    io_threads io(ctx, 2);

    // Future i is resolved once its waits were initiated and its emits posted, so that the
    // resolution races with the cancellations running on the io threads.
    std::atomic<int> initiated{0};
    std::vector<std::thread> producer_threads;
    for (int p = 0; p < producers; ++p)
        producer_threads.emplace_back(
            [&, p]
            {
                for (int i = p; i < futures; i += producers)
                {
                    while (initiated.load(std::memory_order_acquire) <= i)
                        std::this_thread::yield();
                    if (resolvers[i].set_result(i))
                        set_ok[i].store(true, std::memory_order_relaxed);
                    resolvers[i] = af::resolver<int>();
                }
            });

    // This thread initiates the waits while the producers resolve.
    for (int i = 0; i < futures; ++i)
    {
        for (int k = 0; k < 2; ++k)
        {
            const int w = 2 * i + k;
            const io_strand& strand = strands[w];
            futs[i].async_wait(asio::bind_cancellation_slot(
                signals[w].slot(),
                asio::bind_executor(
                    strand,
                    [&, w, i, strand](std::exception_ptr e, int v)
                    {
                        calls[w].fetch_add(1, std::memory_order_relaxed);
                        if (!strand.running_in_this_thread())
                            off_strand.fetch_add(1, std::memory_order_relaxed);
                        if (!e)
                        {
                            outcome[w].store(1, std::memory_order_relaxed);
                            values.fetch_add(1, std::memory_order_relaxed);
                            if (v != i)
                                wrong_value.fetch_add(1, std::memory_order_relaxed);
                        }
                        else if (holds<af::cancelled_error>(e))
                        {
                            outcome[w].store(2, std::memory_order_relaxed);
                            cancelled.fetch_add(1, std::memory_order_relaxed);
                        }
                        else
                        {
                            outcome[w].store(3, std::memory_order_relaxed);
                            others.fetch_add(1, std::memory_order_relaxed);
                        }
                        completed.arrive();
                    })));
        }
        // The emits run on the strand that owns the waiter, from an io thread.
        if (terminal_on_first(i))
        {
            const auto type =
                i % 8 >= 4 ? asio::cancellation_type::partial : asio::cancellation_type::terminal;
            asio::post(strands[2 * i], [&sig = signals[2 * i], type] { sig.emit(type); });
        }
        if (total_on_second(i))
            asio::post(
                strands[2 * i + 1],
                [&sig = signals[2 * i + 1]] { sig.emit(asio::cancellation_type::total); });
        initiated.store(i + 1, std::memory_order_release);
    }

    for (auto& t : producer_threads)
        t.join();
    const bool finished = completed.wait();
    BOOST_TEST(finished, "only " << completed.count() << " of " << waiters << " completed");
    guard.reset();
    if (!finished)
        ctx.stop();
    io.join(); // the remaining emits (after completion: harmless) run before run() returns

    int bad_calls = 0, inconsistent = 0, slot_left = 0, unresolved = 0;
    long resolved_with_value = 0;
    for (int w = 0; w < waiters; ++w)
    {
        if (calls[w].load() != 1)
            ++bad_calls;
        if (signals[w].slot().has_handler())
            ++slot_left;
    }
    for (int i = 0; i < futures; ++i)
    {
        const auto& f = futs[i];
        if (!f.done())
        {
            ++unresolved;
            continue;
        }
        const bool value = set_ok[i].load();
        resolved_with_value += value ? 1 : 0;
        // Exactly one of: the producer's value, or a cancellation by waiter 0.
        if (value == f.cancelled())
            ++inconsistent;
        if (!value && !terminal_on_first(i))
            ++inconsistent;
        if (value && f.result() != i)
            ++inconsistent;
        const int o0 = outcome[2 * i].load();
        const int o1 = outcome[2 * i + 1].load();
        if (f.cancelled() && (o0 != 2 || o1 != 2))
            ++inconsistent; // a cancelled future delivers cancelled_error to every waiter
        if (value && !terminal_on_first(i) && o0 != 1)
            ++inconsistent; // waiter 0 had no cancellation: it sees the value
        if (value && !total_on_second(i) && o1 != 1)
            ++inconsistent; // waiter 1 had no cancellation: it sees the value
    }
    BOOST_TEST(bad_calls == 0);
    BOOST_TEST(slot_left == 0);
    BOOST_TEST(unresolved == 0);
    BOOST_TEST(inconsistent == 0);
    BOOST_TEST(others.load() == 0);
    BOOST_TEST(wrong_value.load() == 0);
    BOOST_TEST(off_strand.load() == 0);
    BOOST_TEST(values.load() + cancelled.load() == waiters);
    BOOST_TEST(values.load() <= 2 * resolved_with_value);
}

BOOST_AUTO_TEST_CASE(lvalue_completion_handler_is_copied_for_each_wait)
{
    // Asio's own operations accept an lvalue completion handler and copy it
    // (`timer.async_wait(h)`); so must async_wait. One handler object serves many waits on
    // futures resolved from a foreign thread.
    const int futures = scaled(1000, 200);
    asio::io_context ctx;
    std::atomic<long> sum{0};
    std::atomic<int> calls{0};
    const auto handler = [&sum, &calls](std::exception_ptr e, int v)
    {
        if (!e)
            sum.fetch_add(v, std::memory_order_relaxed);
        calls.fetch_add(1, std::memory_order_relaxed);
    };
    auto mutable_handler = handler;
    std::vector<af::resolver<int>> resolvers;
    for (int i = 0; i < futures; ++i)
    {
        auto f = af::make_future<int>(ctx);
        f.async_wait(handler);         // const lvalue
        f.async_wait(mutable_handler); // non-const lvalue
        resolvers.push_back(f.get_resolver());
    }
    std::thread producer(
        [&resolvers]
        {
            int i = 0;
            for (auto& r : resolvers)
                r.set_result(++i);
            resolvers.clear();
        });
    ctx.run();
    producer.join();
    BOOST_TEST(calls.load() == 2 * futures);
    BOOST_TEST(sum.load() == static_cast<long>(futures) * (futures + 1));
}

// ---------------------------------------------------------------------------------------------
// 4. Dropped handles, destroyed contexts
// ---------------------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(futures_dropped_with_pending_waits_break_the_promise)
{
    const int futures = scaled(10000, 1000);
    constexpr int droppers = 3;
    asio::io_context ctx;
    const io_strand strand = asio::make_strand(ctx);
    std::vector<af::async_future<int>> futs;
    std::vector<af::resolver<int>> resolvers(futures);
    futs.reserve(futures);
    std::vector<std::atomic<int>> calls(2 * futures);
    std::atomic<long> broken{0}, other{0};
    completion_counter completed(2 * futures);

    for (int i = 0; i < futures; ++i)
    {
        futs.push_back(af::make_future<int>(ctx));
        if (i % 2 == 1)
            resolvers[i] = futs.back().get_resolver(); // dropped along with the future
        auto handler = [&, w = 2 * i](std::exception_ptr e, int)
        {
            calls[w].fetch_add(1, std::memory_order_relaxed);
            (is_broken_promise(e) ? broken : other).fetch_add(1, std::memory_order_relaxed);
            completed.arrive();
        };
        futs.back().async_wait(std::move(handler));
        futs.back().async_wait(asio::bind_executor(
            strand,
            [&, w = 2 * i + 1, strand](std::exception_ptr e, int)
            {
                calls[w].fetch_add(1, std::memory_order_relaxed);
                (is_broken_promise(e) && strand.running_in_this_thread() ? broken : other)
                    .fetch_add(1, std::memory_order_relaxed);
                completed.arrive();
            }));
    }
    ctx.poll();
    BOOST_TEST(completed.count() == 0); // still pending: the handles are alive
    ctx.restart();

    io_threads io(ctx, 2); // the pending waits are outstanding work: run() waits for them
    std::vector<std::thread> threads;
    for (int d = 0; d < droppers; ++d)
        threads.emplace_back(
            [&, d]
            {
                for (int i = d; i < futures; i += droppers)
                {
                    // Future first, then the resolver, or the other way round.
                    if (i % 4 == 1)
                        resolvers[i] = af::resolver<int>();
                    futs[i] = af::async_future<int>();
                    resolvers[i] = af::resolver<int>();
                }
            });
    for (auto& t : threads)
        t.join();
    const bool finished = completed.wait();
    BOOST_TEST(finished, "only " << completed.count() << " of " << 2 * futures << " completed");
    if (!finished)
        ctx.stop();
    io.join();

    int bad_calls = 0;
    for (auto& c : calls)
        if (c.load() != 1)
            ++bad_calls;
    BOOST_TEST(bad_calls == 0);
    BOOST_TEST(broken.load() == 2 * futures);
    BOOST_TEST(other.load() == 0);
}

namespace
{

// Counts live instances: a handler that owns one shows up in `live` until it is destroyed.
constexpr int round_value = 7;

struct tracked
{
    static std::atomic<int> live;
    tracked() { live.fetch_add(1); }
    tracked(const tracked&) { live.fetch_add(1); }
    tracked& operator=(const tracked&) = delete;
    ~tracked() { live.fetch_sub(1); }
};
std::atomic<int> tracked::live{0};

} // namespace

BOOST_AUTO_TEST_CASE(io_context_destroyed_with_pending_waits_leaks_nothing)
{
    const int live_before = tracked::live.load(); // other tests may have leaked some
    const int rounds = scaled(200, 40);
    constexpr int per_round = 8;
    auto owned = std::make_shared<int>(0);
    std::atomic<int> invoked{0};
    int not_cancelled = 0, wrong_message = 0;
    // A future whose every handle is dropped fails with broken_promise_error; as nobody ever
    // retrieves it here, each is reported once ("exception was never retrieved").
    std::atomic<int> never_retrieved{0}, other_reports{0};

    for (int round = 0; round < rounds; ++round)
    {
        std::vector<af::async_future<int>> kept; // outlive the context
        std::vector<af::resolver<int>> kept_resolvers;
        {
            asio::io_context other; // outlives ctx: it holds completions bound to it
            asio::io_context ctx;   // the same address every round: the registry cache is reset
            const io_strand strand = asio::make_strand(ctx);
            asio::use_service<af::future_service>(ctx).set_exception_handler(
                [&](const af::exception_context& c)
                {
                    (c.message == "exception was never retrieved" && is_broken_promise(c.exception)
                         ? never_retrieved
                         : other_reports)
                        .fetch_add(1);
                });
            for (int j = 0; j < per_round; ++j)
            {
                auto f = af::make_future<int>(ctx);
                // Handlers that own heap memory: LeakSanitizer sees any that are not destroyed.
                f.async_wait([owned, &invoked](std::exception_ptr, int) { ++invoked; });
                f.async_wait([p = std::make_unique<tracked>(), &invoked](std::exception_ptr, int)
                             { ++invoked; });
                f.async_wait(asio::bind_executor(
                    strand,
                    [owned, p = std::make_unique<int>(j), &invoked](std::exception_ptr, int)
                    { ++invoked; }));
                f.async_wait(asio::bind_executor(
                    other.get_executor(),
                    [owned, &invoked](std::exception_ptr, int) { ++invoked; }));
                f.add_done_callback([owned, p = std::make_shared<tracked>(), &invoked](
                                        const af::async_future<int>&) { ++invoked; });
                switch (j % 4)
                {
                case 0: // pending, the future outlives the context
                    kept.push_back(f);
                    break;
                case 1: // pending, future and resolver outlive the context
                    kept.push_back(f);
                    kept_resolvers.push_back(f.get_resolver());
                    break;
                case 2: // resolved: completions queued, never run
                    f.set_result(j);
                    break;
                default: // every handle dropped: broken promise queued, never run
                    break;
                }
            }
            BOOST_TEST(invoked.load() == 0);
        } // ctx destroyed first, then other: no handler runs, every handler is destroyed

        for (const auto& f : kept)
        {
            if (!f.cancelled())
                ++not_cancelled;
            else if (cancel_message_of(f) != "execution context shut down")
                ++wrong_message;
        }
        for (auto& r : kept_resolvers)
        {
            if (r.set_result(1) || r.cancel() || r.set_exception(std::runtime_error("late")))
                ++not_cancelled;
        }
    }
    BOOST_TEST(invoked.load() == 0);
    BOOST_TEST(owned.use_count() == 1);
    BOOST_TEST(tracked::live.load() == live_before);
    BOOST_TEST(not_cancelled == 0);
    BOOST_TEST(wrong_message == 0);
    BOOST_TEST(never_retrieved.load() == rounds * (per_round / 4));
    BOOST_TEST(other_reports.load() == 0);
}

BOOST_AUTO_TEST_CASE(future_and_resolver_outliving_the_context)
{
    auto owned = std::make_shared<int>(0);
    int invoked = 0;
    af::async_future<int> fut;
    af::resolver<int> res;
    {
        asio::io_context ctx;
        fut = af::make_future<int>(ctx);
        res = fut.get_resolver();
        fut.async_wait([owned, &invoked](std::exception_ptr, int) { ++invoked; });
        fut.add_done_callback([owned, &invoked](const af::async_future<int>&) { ++invoked; });
        ctx.poll();
        BOOST_TEST(owned.use_count() == 3);
    }
    BOOST_TEST(owned.use_count() == 1);
    BOOST_TEST(invoked == 0);
    BOOST_TEST(fut.done());
    BOOST_TEST(fut.cancelled());
    BOOST_TEST(cancel_message_of(fut) == "execution context shut down");
    BOOST_CHECK_THROW(fut.exception(), af::cancelled_error);
    BOOST_TEST(!res.set_result(1));
    BOOST_TEST(!res.set_exception(std::runtime_error("late")));
    BOOST_TEST(!res.cancel());
    BOOST_TEST(!fut.try_set_result(1));
    BOOST_TEST(!fut.cancel());

    // A wait or a callback started after the context is gone is destroyed, never run.
    fut.async_wait([owned, &invoked](std::exception_ptr, int) { ++invoked; });
    fut.add_done_callback([owned, &invoked](const af::async_future<int>&) { ++invoked; });
    BOOST_TEST(owned.use_count() == 1);
    BOOST_TEST(invoked == 0);

    res = af::resolver<int>();
    fut = af::async_future<int>();
    BOOST_TEST(invoked == 0);
}

BOOST_AUTO_TEST_CASE(resolver_outliving_the_context_on_another_thread)
{
    const int live_before = tracked::live.load(); // other tests may have leaked some
    const int rounds = scaled(200, 40);
    int harmless = 0;
    for (int round = 0; round < rounds; ++round)
    {
        af::resolver<int> res;
        {
            asio::io_context ctx;
            auto fut = af::make_future<int>(ctx);
            res = fut.get_resolver();
            fut.async_wait([p = std::make_unique<tracked>()](std::exception_ptr, int) {});
        }
        bool ok = true;
        std::thread t(
            [&ok, r = std::move(res)]()
            {
                ok = !r.set_result(1) && !r.cancel() && r.done();
                // the last resolver goes on this thread, after the context
            });
        t.join();
        if (ok)
            ++harmless;
    }
    BOOST_TEST(harmless == rounds);
    BOOST_TEST(tracked::live.load() == live_before);
}

BOOST_AUTO_TEST_CASE(resolver_racing_the_context_destruction_is_harmless)
{
    const int live_before = tracked::live.load(); // other tests may have leaked some
    // A foreign library fires its callback while the application destroys the io_context. The
    // resolution either wins (the queued completion is destroyed with the context, never run)
    // or finds the future cancelled by the shutdown; it never touches the dying scheduler.
    const int rounds = scaled(2000, 1000);
    int inconsistent = 0;
    int won_count = 0;
    for (int round = 0; round < rounds; ++round)
    {
        std::atomic<bool> ready{false};
        std::atomic<bool> go{false};
        std::atomic<int> head_start{0};
        bool won = false;
        af::async_future<int> survivor;
        std::thread library;
        {
            asio::io_context ctx;
            auto fut = af::make_future<int>(ctx);
            survivor = fut;
            fut.async_wait([p = std::make_unique<tracked>()](std::exception_ptr, int) {});
            fut.add_done_callback(
                [p = std::make_shared<tracked>()](const af::async_future<int>&) {});
            library = std::thread(
                [&ready, &go, &won, r = fut.get_resolver()]()
                {
                    ready.store(true);
                    // Spin (main sets `go` at once), yielding only if this core is shared.
                    for (int spins = 0; !go.load(std::memory_order_acquire); ++spins)
                        if (spins > 4096)
                            std::this_thread::yield();
                    won = r.set_result(round_value);
                });
            while (!ready.load())
                std::this_thread::yield();
            go.store(true, std::memory_order_release);
            // A varying head start for the library, so that its resolution lands anywhere in
            // the context's destruction.
            for (int k = 0; k < (round % 64) * 4; ++k)
                head_start.fetch_add(1, std::memory_order_relaxed);
        } // destroyed while the library thread resolves
        library.join();
        won_count += won ? 1 : 0;
        if (!survivor.done() || won == survivor.cancelled() ||
            (won && survivor.result() != round_value))
            ++inconsistent;
    }
    BOOST_TEST(inconsistent == 0);
    BOOST_TEST(tracked::live.load() == live_before);
    BOOST_TEST_MESSAGE("resolver won " << won_count << " of " << rounds << " races");
}

#if defined(BOOST_ASIO_FUTURE_HAS_CO_AWAIT)

namespace
{

asio::awaitable<void>
await_forever(af::async_future<int> f, std::shared_ptr<int> owned, int& resumed)
{
    auto p = std::make_unique<tracked>();
    (void)owned;
    try
    {
        co_await std::move(f);
    }
    catch (...)
    {
    }
    ++resumed; // never: the frame is destroyed with the context
}

asio::awaitable<void>
await_nested(af::async_future<int> f, std::shared_ptr<int> owned, int& resumed)
{
    co_await await_forever(std::move(f), owned, resumed);
    ++resumed;
}

asio::awaitable<void> await_with_async_wait(af::async_future<int> f, int& resumed)
{
    auto p = std::make_unique<tracked>();
    try
    {
        co_await f.async_wait(asio::use_awaitable);
    }
    catch (...)
    {
    }
    ++resumed;
}

} // namespace

BOOST_AUTO_TEST_CASE(pending_coroutine_destroyed_with_its_context)
{
    const int live_before = tracked::live.load(); // other tests may have leaked some
    const int rounds = scaled(100, 20);
    auto owned = std::make_shared<int>(0);
    int resumed = 0;
    int not_cancelled = 0;
    for (int round = 0; round < rounds; ++round)
    {
        // Outlive the context, each with a coroutine waiting on it: still pending at shutdown.
        std::vector<af::async_future<int>> survivors;
        {
            asio::io_context ctx;
            auto f1 = af::make_future<int>(ctx);
            auto f2 = af::make_future<int>(ctx);
            auto f3 = af::make_future<int>(ctx);
            survivors = {f1, f2, f3};
            asio::co_spawn(ctx, await_forever(f1, owned, resumed), asio::detached);
            asio::co_spawn(ctx, await_nested(f2, owned, resumed), asio::detached);
            asio::co_spawn(ctx, await_with_async_wait(f3, resumed), asio::detached);
            ctx.poll(); // every coroutine is suspended on its future
            // This scope's copy, one in await_forever's frame, two in await_nested's frames.
            BOOST_TEST(owned.use_count() == 4);
            BOOST_TEST(tracked::live.load() == live_before + 3);
        }
        for (const auto& f : survivors)
            if (!f.cancelled() || cancel_message_of(f) != "execution context shut down")
                ++not_cancelled;
    }
    BOOST_TEST(resumed == 0);
    BOOST_TEST(owned.use_count() == 1);
    BOOST_TEST(tracked::live.load() == live_before);
    BOOST_TEST(not_cancelled == 0);
}

#endif // BOOST_ASIO_FUTURE_HAS_CO_AWAIT

// ---------------------------------------------------------------------------------------------
// 5. Done callbacks added and removed while another thread resolves
// ---------------------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(concurrent_add_and_remove_done_callback_while_resolving)
{
    const int rounds = scaled(300, 60);
    constexpr int adders = 3;
    constexpr int per_adder = 64;
    constexpr int total = adders * per_adder;

    asio::io_context ctx;
    auto guard = asio::make_work_guard(ctx);
    io_threads io(ctx, 1); // callbacks run while others are still being added and removed

    af::async_future<int> fut;
    af::resolver<int> res;
    std::vector<std::atomic<int>> ran(total);
    std::vector<std::size_t> removed(total);       // each slot written by one adder
    std::vector<std::size_t> removed_again(total); // a second remove of the same id
    std::atomic<long> ran_total{0};
    std::atomic<long> wrong_result{0};
    std::mutex ran_mutex;
    std::condition_variable ran_cv;

    // Worker `adders` resolves after a round-dependent number of yields; the others add
    // callbacks and remove some of them: at once, or after adding the rest.
    worker_pool pool(
        adders + 1,
        [&](int id, int round)
        {
            if (id == adders)
            {
                for (int y = 0; y < round % 32; ++y)
                    std::this_thread::yield();
                res.set_result(round);
                res = af::resolver<int>();
                return;
            }
            std::vector<af::callback_id> ids(per_adder);
            for (int k = 0; k < per_adder; ++k)
            {
                const int idx = id * per_adder + k;
                ids[k] = fut.add_done_callback(
                    [&, idx, round](const af::async_future<int>& f)
                    {
                        ran[idx].fetch_add(1, std::memory_order_relaxed);
                        if (f.result() != round)
                            wrong_result.fetch_add(1, std::memory_order_relaxed);
                        ran_total.fetch_add(1, std::memory_order_acq_rel);
                        std::lock_guard<std::mutex> lock(ran_mutex);
                        ran_cv.notify_all();
                    });
                if (k % 3 == 0)
                {
                    removed[idx] = fut.remove_done_callback(ids[k]);
                    removed_again[idx] = fut.remove_done_callback(ids[k]);
                }
            }
            for (int k = 0; k < per_adder; ++k)
            {
                if (k % 3 == 1)
                {
                    const int idx = id * per_adder + k;
                    removed[idx] = fut.remove_done_callback(ids[k]);
                    removed_again[idx] = fut.remove_done_callback(ids[k]);
                }
            }
        });

    int bad_rounds = 0;
    long total_removed = 0;
    for (int round = 0; round < rounds; ++round)
    {
        fut = af::make_future<int>(ctx);
        res = fut.get_resolver();
        for (int i = 0; i < total; ++i)
        {
            ran[i].store(0, std::memory_order_relaxed);
            removed[i] = 0;
            removed_again[i] = 0;
        }
        ran_total = 0;
        pool.run_round(round);

        long expected_runs = 0;
        for (int i = 0; i < total; ++i)
            expected_runs += removed[i] == 1 ? 0 : 1;
        {
            std::unique_lock<std::mutex> lock(ran_mutex);
            ran_cv.wait_for(
                lock,
                watchdog_limit,
                [&] { return ran_total.load(std::memory_order_acquire) >= expected_runs; });
        }
        // Make sure nothing more is queued for this round before checking "never both".
        {
            auto flushed = std::make_shared<bool>(false); // guarded by ran_mutex
            asio::post(
                ctx,
                [&, flushed]
                {
                    std::lock_guard<std::mutex> lock(ran_mutex);
                    *flushed = true;
                    ran_cv.notify_all();
                });
            std::unique_lock<std::mutex> lock(ran_mutex);
            ran_cv.wait_for(lock, watchdog_limit, [&] { return *flushed; });
        }

        bool ok = fut.done() && fut.result() == round;
        for (int i = 0; i < total; ++i)
        {
            const int r = ran[i].load();
            // Runs exactly once, or was removed (remove returned 1): never both, never neither.
            if (r + static_cast<int>(removed[i]) != 1 || removed_again[i] != 0)
                ok = false;
            total_removed += static_cast<long>(removed[i]);
        }
        if (ran_total.load() != expected_runs)
            ok = false;
        if (!ok)
            ++bad_rounds;
    }
    guard.reset();
    io.join();
    BOOST_TEST(bad_rounds == 0);
    BOOST_TEST(wrong_result.load() == 0);
    // Sanity: with 2/3 of the callbacks removed at some point, some removals won the race.
    BOOST_TEST(total_removed > 0);
}
