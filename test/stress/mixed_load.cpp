//
// Copyright (c) 2026 The asio_future Authors.
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// The long-form concurrency stress: producer threads create futures and bridges, wait on them
// in every way (plain, under a deadline, shielded, with terminal/partial/total cancellation
// emitted on a strand, done callbacks, coroutines) and resolve, cancel, abandon or leave them
// to their deadlines, while several threads run the io_context and an echo thread fires a
// second copy of every bridge callback at the same moment as the producer fires the first.
//
// Checks: every waiting handler completes exactly once; the outcomes the done callbacks saw
// add up to the futures made and to the resolutions that reported success; no bridge callback
// wins twice; every shared state is freed at the end. Run under ThreadSanitizer and
// AddressSanitizer by the test command (the short form, a few seconds). The long form:
//
//   test_stress_mixed_load -- --long                 five minutes
//   test_stress_mixed_load -- --seconds 60 --producers 3 --io-threads 3
#define BOOST_ASIO_FUTURE_COUNT_LIVE_STATES 1

#include <boost/asio_future.hpp>

#define BOOST_TEST_MODULE stress_mixed_load
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
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
#include <cstdlib>
#include <cstring>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#if defined(__SANITIZE_THREAD__)
#define AF_MIXED_LOAD_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define AF_MIXED_LOAD_TSAN 1
#endif
#endif

#if defined(AF_MIXED_LOAD_TSAN)
// libstdc++ is not instrumented: TSan does not see the atomic reference count of
// std::exception_ptr (see stress_async_future.cpp). Only that release is suppressed.
extern "C" const char* __tsan_default_suppressions()
{
    return "race:std::__exception_ptr::exception_ptr::_M_release\n";
}
#endif

namespace af = boost::asio_future;
namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace
{

// ---------------------------------------------------------------------------------------------
// Options: -- [--long] [--seconds S] [--producers N] [--io-threads M] [--batches B]
// ---------------------------------------------------------------------------------------------

struct options
{
    double seconds = 3;
    int producers = 2;
    int io_threads = 2;
    long batches = 20000; // per producer; the run ends at whichever bound comes first
};

options parse_options()
{
    options o;
    auto& suite = boost::unit_test::framework::master_test_suite();
    for (int i = 1; i < suite.argc; ++i)
    {
        const char* a = suite.argv[i];
        const bool has_value = i + 1 < suite.argc;
        if (std::strcmp(a, "--long") == 0)
        {
            o.seconds = 300;
            o.batches = 1L << 40;
        }
        else if (std::strcmp(a, "--seconds") == 0 && has_value)
        {
            o.seconds = std::atof(suite.argv[++i]);
            o.batches = 1L << 40;
        }
        else if (std::strcmp(a, "--producers") == 0 && has_value)
            o.producers = std::atoi(suite.argv[++i]);
        else if (std::strcmp(a, "--io-threads") == 0 && has_value)
            o.io_threads = std::atoi(suite.argv[++i]);
        else if (std::strcmp(a, "--batches") == 0 && has_value)
            o.batches = std::atol(suite.argv[++i]);
        else
            throw std::invalid_argument(std::string("mixed_load: unknown option ") + a);
    }
    if (o.producers < 1 || o.io_threads < 1 || o.seconds <= 0 || o.batches < 1)
        throw std::invalid_argument("mixed_load: counts and time must be positive");
    return o;
}

// ---------------------------------------------------------------------------------------------
// Counters
// ---------------------------------------------------------------------------------------------

struct counters
{
    // Waiting handlers (waits, done callbacks, bridges, coroutines).
    std::atomic<long> waiters{0};
    std::atomic<long> completions{0};
    std::atomic<long> double_completions{0};
    std::atomic<long> destroyed_unrun{0};

    // Futures, and the outcome each one's done callback saw.
    std::atomic<long> futures{0};
    std::atomic<long> seen_value{0};
    std::atomic<long> seen_exception{0};
    std::atomic<long> seen_cancelled{0};
    std::atomic<long> seen_broken{0};
    std::atomic<long> seen_other{0};

    // Resolutions that reported success, by kind.
    std::atomic<long> won_value{0};
    std::atomic<long> won_exception{0};
    std::atomic<long> won_cancel{0};
    std::atomic<long> abandoned{0};

    // Bridges: callbacks fired, and bridges where both copies won.
    std::atomic<long> bridges{0};
    std::atomic<long> bridge_fires{0};
    std::atomic<long> bridge_double_wins{0};

    // What waiters received.
    std::atomic<long> got_value{0};
    std::atomic<long> got_timeout{0};
    std::atomic<long> got_cancelled{0};
    std::atomic<long> got_error{0};
};

// A waiting handler's record: completed exactly once, checked when the last copy goes.
class waiter_record
{
public:
    explicit waiter_record(counters& c) noexcept : c_(c) { ++c_.waiters; }
    waiter_record(const waiter_record&) = delete;
    waiter_record& operator=(const waiter_record&) = delete;
    ~waiter_record()
    {
        if (calls_.load() == 0)
            ++c_.destroyed_unrun;
    }

    void complete(std::exception_ptr e) noexcept
    {
        if (calls_.fetch_add(1) != 0)
        {
            ++c_.double_completions;
            return;
        }
        ++c_.completions;
        if (!e)
            ++c_.got_value;
        else
            classify(e);
    }

private:
    void classify(std::exception_ptr e) noexcept
    {
        try
        {
            std::rethrow_exception(e);
        }
        catch (const af::timeout_error&)
        {
            ++c_.got_timeout;
        }
        catch (const af::cancelled_error&)
        {
            ++c_.got_cancelled;
        }
        catch (...)
        {
            ++c_.got_error;
        }
    }

    counters& c_;
    std::atomic<int> calls_{0};
};

// The handler given to waits and bridges: completes its record.
struct waiter
{
    std::shared_ptr<waiter_record> record;

    void operator()(std::exception_ptr e, int = 0) const { record->complete(e); }
};

waiter make_waiter(counters& c)
{
    return waiter{std::make_shared<waiter_record>(c)};
}

// The done callback every future gets: classifies the future's outcome once.
struct outcome_callback
{
    std::shared_ptr<waiter_record> record;
    counters* c;

    void operator()(const af::async_future<int>& f) const
    {
        std::exception_ptr e;
        if (f.cancelled())
        {
            ++c->seen_cancelled;
            e = std::make_exception_ptr(af::cancelled_error());
        }
        else if (!(e = f.exception()))
            ++c->seen_value;
        else
            classify(e);
        record->complete(e);
    }

    void classify(std::exception_ptr e) const
    {
        try
        {
            std::rethrow_exception(e);
        }
        catch (const af::broken_promise_error&)
        {
            ++c->seen_broken;
        }
        catch (const std::runtime_error&)
        {
            ++c->seen_exception;
        }
        catch (...)
        {
            ++c->seen_other;
        }
    }
};

// ---------------------------------------------------------------------------------------------
// The echo thread: runs jobs that the producers hand it, at the same time as their own
// ---------------------------------------------------------------------------------------------

class echo_thread
{
public:
    echo_thread() : thread_([this] { loop(); }) {}
    ~echo_thread()
    {
        {
            std::lock_guard<std::mutex> lock(mutex_);
            stopping_ = true;
        }
        ready_.notify_one();
        thread_.join();
    }

    // Blocks while the backlog is full: the producers must not outrun the echo thread.
    void push(std::function<void()> job)
    {
        {
            std::unique_lock<std::mutex> lock(mutex_);
            space_.wait(lock, [this] { return jobs_.size() < max_backlog; });
            jobs_.push_back(std::move(job));
        }
        ready_.notify_one();
    }

private:
    void loop()
    {
        std::unique_lock<std::mutex> lock(mutex_);
        for (;;)
        {
            ready_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
            if (jobs_.empty())
                return;
            auto job = std::move(jobs_.front());
            jobs_.pop_front();
            lock.unlock();
            space_.notify_all();
            job();
            lock.lock();
        }
    }

    static constexpr std::size_t max_backlog = 256;

    std::mutex mutex_;
    std::condition_variable ready_;
    std::condition_variable space_;
    std::deque<std::function<void()>> jobs_;
    bool stopping_ = false;
    std::thread thread_;
};

#if defined(BOOST_ASIO_FUTURE_HAS_CO_AWAIT)
asio::awaitable<void> await_in_coroutine(af::async_future<int> f, waiter w)
{
    std::exception_ptr e;
    try
    {
        co_await std::move(f);
    }
    catch (...)
    {
        e = std::current_exception();
    }
    w(e);
}
#endif

// ---------------------------------------------------------------------------------------------
// One producer's batch: a future waited on in several ways and resolved one way, and a bridge
// ---------------------------------------------------------------------------------------------

class producer
{
public:
    producer(asio::io_context& ctx, counters& c, echo_thread& echo, unsigned seed)
        : ctx_(ctx), c_(c), echo_(echo), rng_(seed)
    {
    }

    void batch()
    {
        one_future();
        one_bridge();
    }

private:
    int pick(int n) { return static_cast<int>(rng_() % static_cast<unsigned>(n)); }

    std::chrono::microseconds short_deadline() { return std::chrono::microseconds(pick(400)); }

    // A deadline's timer and the operation it bounds must complete one at a time (as for any
    // per-operation cancellation): with several io threads, the handler is bound to a strand.
    template <class Handler>
    auto on_strand(Handler h)
    {
        return asio::bind_executor(asio::make_strand(ctx_), std::move(h));
    }

    void one_future()
    {
        auto f = af::make_future<int>(ctx_);
        ++c_.futures;
        f.add_done_callback(outcome_callback{std::make_shared<waiter_record>(c_), &c_});
        std::optional<af::resolver<int>> r(f.get_resolver());

        const int waits = 1 + pick(3);
        for (int i = 0; i < waits; ++i)
            start_wait(f);

        switch (pick(6))
        {
        case 0:
            c_.won_value += r->set_result(1);
            break;
        case 1:
            c_.won_exception += r->set_exception(std::runtime_error("failed"));
            break;
        case 2:
            c_.won_cancel += f.cancel("producer");
            break;
        case 3:
            // Abandoned: the last resolver goes, and the future is broken unless done already.
            ++c_.abandoned;
            r.reset();
            break;
        case 4:
        {
            // Two threads resolve at once: exactly one may win.
            auto race = std::make_shared<std::atomic<int>>(0);
            // (The echo thread may outlive this producer: its jobs capture no `this`.)
            echo_.push([r2 = *r, race, c = &c_]() mutable
                       { count_race(*c, *race, r2.set_result(2)); });
            count_race(c_, *race, r->set_result(3));
            break;
        }
        default:
        {
            // Left to the deadlines and cancellations of its waits: the resolver is parked
            // for a few hundred batches, then resolves late or is dropped (a broken promise).
            auto& slot = parked_[next_parked_++ % parked_.size()];
            if (slot && pick(2))
                c_.won_value += slot->set_result(5);
            slot = std::move(r);
            return;
        }
        }
        if (r && pick(2))
        {
            // A second resolution after the first: a harmless no-op.
            c_.won_value += r->set_result(4);
        }
    }

    static void count_race(counters& c, std::atomic<int>& race, bool won)
    {
        if (!won)
            return;
        ++c.won_value;
        if (race.fetch_add(1) != 0)
            ++c.double_completions; // both won: a broken first-wins guarantee
    }

    void start_wait(af::async_future<int>& f)
    {
        switch (pick(7))
        {
        case 0:
            f.async_wait(make_waiter(c_));
            break;
        case 1:
            f.async_wait(af::timeout(short_deadline(), on_strand(make_waiter(c_))));
            break;
        case 2:
            af::shield(f).async_wait(af::timeout(short_deadline(), on_strand(make_waiter(c_))));
            break;
        case 3:
        case 4:
        {
            // Per-operation cancellation, emitted on the strand the handler is bound to (a
            // cancellation signal is not thread-safe).
            static constexpr asio::cancellation_type types[] = {
                asio::cancellation_type::terminal,
                asio::cancellation_type::partial,
                asio::cancellation_type::total,
            };
            auto strand = asio::make_strand(ctx_);
            auto signal = std::make_shared<asio::cancellation_signal>();
            auto w = make_waiter(c_);
            f.async_wait(asio::bind_cancellation_slot(
                signal->slot(),
                asio::bind_executor(
                    strand,
                    [w, signal](std::exception_ptr e, int v) { w(e, v); })));
            const auto type = types[pick(3)];
            asio::post(strand, [signal, type] { signal->emit(type); });
            break;
        }
        case 5:
        {
            // use_async_future over a short timer, awaited and sometimes cancelled.
            // On a strand: the future (bound to the timer's executor) emits its cancellation
            // there, one at a time with the timer's completion.
            auto timer =
                std::make_shared<asio::steady_timer>(asio::make_strand(ctx_), short_deadline());
            auto timed = timer->async_wait(af::use_async_future);
            timed.async_wait([w = make_waiter(c_), timer](std::exception_ptr e) { w(e); });
            if (pick(2))
                timed.cancel();
            f.async_wait(make_waiter(c_));
            break;
        }
        default:
#if defined(BOOST_ASIO_FUTURE_HAS_CO_AWAIT)
            asio::co_spawn(ctx_, await_in_coroutine(f, make_waiter(c_)), asio::detached);
#else
            f.async_wait(make_waiter(c_));
#endif
            break;
        }
    }

    void one_bridge()
    {
        ++c_.bridges;
        auto wins = std::make_shared<std::atomic<int>>(0);
        auto fire = [c = &c_, wins](const af::bridge_callback<int>& on_done, int v)
        {
            ++c->bridge_fires;
            if (on_done(v) && wins->fetch_add(1) != 0)
                ++c->bridge_double_wins;
        };
        auto reg = [&](af::bridge_callback<int> on_done)
        {
            switch (pick(3))
            {
            case 0:
                break; // never called: dropped, so the wait is a broken promise
            case 1:
                fire(on_done, 5); // inside register
                break;
            default:
                // The same callback from the echo thread and this one at once.
                echo_.push([fire, on_done] { fire(on_done, 6); });
                fire(on_done, 7);
                break;
            }
        };
        if (pick(2))
            af::async_bridge<int>(ctx_.get_executor(), reg, make_waiter(c_));
        else
            af::async_bridge<int>(
                ctx_.get_executor(),
                reg,
                af::timeout(short_deadline(), on_strand(make_waiter(c_))));
    }

    asio::io_context& ctx_;
    counters& c_;
    echo_thread& echo_;
    std::minstd_rand rng_;
    std::vector<std::optional<af::resolver<int>>> parked_{512};
    std::size_t next_parked_ = 0;
};

// Waiting handlers not completed yet, above which the producers pause.
constexpr long max_outstanding = 20000;

long live_states()
{
    return af::detail::live_state_count().load();
}

} // namespace

BOOST_AUTO_TEST_CASE(mixed_load)
{
    const options opt = parse_options();
    const long before = live_states();
    counters c;
    const auto start = std::chrono::steady_clock::now();
    const auto end = start + std::chrono::duration<double>(opt.seconds);
    long batches = 0;
    {
        asio::io_context ctx(opt.io_threads);
        auto guard = asio::make_work_guard(ctx);
        std::vector<std::thread> io;
        for (int i = 0; i < opt.io_threads; ++i)
            io.emplace_back([&] { ctx.run(); });
        {
            echo_thread echo;
            std::atomic<long> done_batches{0};
            std::vector<std::thread> producers;
            for (int p = 0; p < opt.producers; ++p)
                producers.emplace_back(
                    [&, p]
                    {
                        producer prod(ctx, c, echo, 12345u + static_cast<unsigned>(p));
                        long n = 0;
                        while (n < opt.batches &&
                               ((n & 63) != 0 || std::chrono::steady_clock::now() < end))
                        {
                            // The io threads must keep up, or the queue grows without bound.
                            while (c.waiters.load() - c.completions.load() > max_outstanding)
                                std::this_thread::yield();
                            prod.batch();
                            ++n;
                        }
                        done_batches += n;
                    });
            for (auto& t : producers)
                t.join();
            batches = done_batches.load();
        } // the echo thread drains its jobs and stops
        guard.reset();
        for (auto& t : io)
            t.join(); // run() returns: every wait completed, nothing is left pending
        BOOST_TEST(ctx.stopped());
    }
    const double minutes =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() / 60;

    BOOST_TEST_MESSAGE(
        "mixed_load: " << batches << " batches, " << c.futures << " futures, " << c.bridges
                       << " bridges, " << c.waiters << " waiting handlers, " << opt.producers
                       << " producers + 1 echo thread, " << opt.io_threads << " io threads, "
                       << minutes << " minutes");
    BOOST_TEST_MESSAGE(
        "  waiters got: value " << c.got_value << ", timeout " << c.got_timeout << ", cancelled "
                                << c.got_cancelled << ", other error " << c.got_error);
    BOOST_TEST_MESSAGE(
        "  futures ended: value " << c.seen_value << ", exception " << c.seen_exception
                                  << ", cancelled " << c.seen_cancelled << ", broken "
                                  << c.seen_broken);

    // Every waiting handler completed exactly once; none was destroyed unrun.
    BOOST_TEST(c.double_completions.load() == 0);
    BOOST_TEST(c.destroyed_unrun.load() == 0);
    BOOST_TEST(c.completions.load() == c.waiters.load());
    BOOST_TEST(c.got_value + c.got_timeout + c.got_cancelled + c.got_error == c.completions);

    // Every future ended once, in the way the winning resolution says.
    BOOST_TEST(
        c.seen_value + c.seen_exception + c.seen_cancelled + c.seen_broken + c.seen_other ==
        c.futures);
    BOOST_TEST(c.seen_other.load() == 0);
    BOOST_TEST(c.seen_value.load() == c.won_value.load());
    BOOST_TEST(c.seen_exception.load() == c.won_exception.load());
    BOOST_TEST(c.seen_cancelled.load() >= c.won_cancel.load());

    // Bridge callbacks: the first call wins, never two.
    BOOST_TEST(c.bridge_double_wins.load() == 0);

    // Every shared state is freed.
    BOOST_TEST(live_states() == before);
    BOOST_TEST(batches > 0);
}
