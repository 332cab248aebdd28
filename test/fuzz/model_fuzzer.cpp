//
// Copyright (c) 2026 The asio_future Authors.
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// Model-based fuzzer: decodes bytes into operations on futures, resolvers, waiters and one
// io_context, applies each to the library and to the reference model of model.hpp, and aborts
// on the first divergence in state, outcome, return value, callback order or waiter completion.
//
// Built with BOOST_ASIO_FUTURE_LIBFUZZER and -fsanitize=fuzzer it is a libFuzzer target;
// otherwise main() replays every file of the seed corpus (test/fuzz/corpus, or the directories
// and files given as arguments), which is how the regular test runs it.
// Leak check: the number of live shared states is back to zero after each input.
#define BOOST_ASIO_FUTURE_COUNT_LIVE_STATES 1

#include <boost/asio_future/async_future.hpp>
#include <boost/asio_future/future_service.hpp>
#include <boost/asio_future/resolver.hpp>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/io_context.hpp>

#include "model.hpp"

#if defined(BOOST_ASIO_FUTURE_HAS_CO_AWAIT)
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#endif

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#if !defined(BOOST_ASIO_FUTURE_LIBFUZZER)
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#endif

namespace af = boost::asio_future;
namespace asio = boost::asio;

namespace
{

// What the library did, recorded by handlers and compared with the model's queue.
struct event
{
    model::item::kind_t kind;
    std::size_t id;
    model::outcome out;    // waiters: what the handler received
    bool done_seen = true; // callbacks: fut.done() inside the callback
};

model::outcome classify(std::exception_ptr e)
{
    try
    {
        std::rethrow_exception(e);
    }
    catch (const af::cancelled_error& c)
    {
        return model::cancelled_outcome(c.cancel_message());
    }
    catch (const af::broken_promise_error&)
    {
        return model::broken_outcome();
    }
    catch (const af::invalid_state_error& x)
    {
        return {model::outcome::other, 0, x.what()};
    }
    catch (const std::runtime_error& x)
    {
        return model::error_outcome(x.what());
    }
    catch (...)
    {
        return {model::outcome::other, 0, "unknown exception"};
    }
}

const char* const messages[] = {"", "m1", "stop"};

// Reads operations from the input: two bytes each, an opcode and an argument.
class reader
{
public:
    reader(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}

    bool next(std::uint8_t& op, std::uint8_t& arg)
    {
        if (pos_ + 2 > size_)
            return false;
        op = data_[pos_];
        arg = data_[pos_ + 1];
        pos_ += 2;
        return true;
    }

private:
    const std::uint8_t* data_;
    std::size_t size_;
    std::size_t pos_ = 0;
};

class harness
{
public:
    static constexpr std::size_t slots = 4;
    static constexpr std::size_t max_ops = 400;
    static constexpr int max_resolvers = 3;

    harness()
    {
        // Exceptions escaping done callbacks are counted; "never retrieved" reports are noise
        // for the model (they depend on which observers the driver called).
        asio::use_service<af::future_service>(ctx_).set_exception_handler(
            [this](const af::exception_context& c)
            {
                if (c.message == "exception in done callback")
                    ++callback_reports_;
            });
    }

    void run(const std::uint8_t* data, std::size_t size)
    {
        reader in(data, size);
        std::uint8_t op = 0, arg = 0;
        for (std::size_t n = 0; n < max_ops && in.next(op, arg); ++n)
        {
            step_ = n;
            apply(op, arg);
            if (!log_.empty() && !polling_)
                fail("a handler ran inside an operation (never inline)");
            compare_states();
        }
        finish();
    }

private:
    // --- library side -----------------------------------------------------------------------

    struct lib_future
    {
        std::optional<af::async_future<int>> handle;
        std::vector<af::resolver<int>> resolvers;
        std::vector<af::callback_id> callback_ids; // index: model callback id
    };

    struct slot_ref
    {
        bool used = false;
        std::size_t future = 0;
    };

    [[noreturn]] void fail(const std::string& what)
    {
        std::fprintf(
            stderr,
            "model_fuzzer: divergence at operation %zu: %s\n",
            step_,
            what.c_str());
        std::abort();
    }

    void expect(bool ok, const char* what)
    {
        if (!ok)
            fail(what);
    }

    static std::string describe(const model::outcome& o)
    {
        return std::to_string(int(o.kind)) + "/" + std::to_string(o.number) + "/" + o.text;
    }

    lib_future* live(std::uint8_t arg)
    {
        slot_ref& s = slots_[arg % slots];
        if (!s.used)
            return nullptr;
        return &lib_[s.future];
    }

    std::size_t model_index(std::uint8_t arg) const { return slots_[arg % slots].future; }

    void apply(std::uint8_t op, std::uint8_t arg)
    {
        const std::uint8_t sub = arg / slots;
        switch (op % 20)
        {
        case 0:
            return create(arg);
        case 1:
            return get_resolver(arg);
        case 2:
            return drop_resolver(arg, sub);
        case 3:
            return drop_handle(arg);
        case 4:
            return handle_from_resolver(arg);
        case 5:
            return add_callback(arg, sub % 4 == 3);
        case 6:
            return remove_callback(arg, sub);
        case 7:
            return wait(arg, model::wait_kind::callback, sub % 2 == 1);
        case 8:
            return wait(arg, model::wait_kind::deferred, sub % 2 == 1);
        case 9:
            return wait(arg, model::wait_kind::coroutine, false);
        case 10:
            return emit(arg);
        case 11:
            return set_value(arg, sub, false);
        case 12:
            return set_value(arg, sub, true);
        case 13:
            return set_exception(arg, sub);
        case 14:
            return cancel(arg, sub);
        case 15:
            return resolver_resolve(arg, sub);
        case 16:
        case 17:
            return poll_one();
        case 18:
            return poll_all();
        default:
            return observe(arg);
        }
    }

    void create(std::uint8_t arg)
    {
        release_slot(arg % slots);
        const std::size_t f = world_.create();
        lib_.push_back({});
        lib_.back().handle.emplace(af::make_future<int>(ctx_));
        slots_[arg % slots] = {true, f};
    }

    // Drops what the driver holds in a slot: the handle first, then each resolver.
    void release_slot(std::size_t s)
    {
        if (!slots_[s].used)
            return;
        const std::size_t f = slots_[s].future;
        lib_future& l = lib_[f];
        if (l.handle)
        {
            l.handle.reset();
            world_.drop(f, model::world::owner::handle);
        }
        while (!l.resolvers.empty())
        {
            l.resolvers.pop_back();
            world_.drop(f, model::world::owner::resolver);
        }
        slots_[s].used = false;
    }

    void get_resolver(std::uint8_t arg)
    {
        lib_future* l = live(arg);
        if (!l || !l->handle || l->resolvers.size() >= max_resolvers)
            return;
        l->resolvers.push_back(l->handle->get_resolver());
        ++world_.futures[model_index(arg)].resolvers;
    }

    void drop_resolver(std::uint8_t arg, std::uint8_t sub)
    {
        lib_future* l = live(arg);
        if (!l || l->resolvers.empty())
            return;
        l->resolvers.erase(l->resolvers.begin() + sub % l->resolvers.size());
        world_.drop(model_index(arg), model::world::owner::resolver);
        forget_if_empty(arg);
    }

    void drop_handle(std::uint8_t arg)
    {
        lib_future* l = live(arg);
        if (!l || !l->handle)
            return;
        l->handle.reset();
        world_.drop(model_index(arg), model::world::owner::handle);
        forget_if_empty(arg);
    }

    void forget_if_empty(std::uint8_t arg)
    {
        lib_future* l = live(arg);
        if (l && !l->handle && l->resolvers.empty())
            slots_[arg % slots].used = false;
    }

    void handle_from_resolver(std::uint8_t arg)
    {
        lib_future* l = live(arg);
        if (!l || l->handle || l->resolvers.empty())
            return;
        l->handle.emplace(l->resolvers.front().get_future());
        ++world_.futures[model_index(arg)].handles;
    }

    void add_callback(std::uint8_t arg, bool throws)
    {
        lib_future* l = live(arg);
        if (!l || !l->handle)
            return;
        const std::size_t id = world_.callbacks.size();
        const af::callback_id cid = l->handle->add_done_callback(
            [this, id, throws](const af::async_future<int>& f)
            {
                log_.push_back({model::item::callback, id, {}, f.done()});
                if (throws)
                    throw std::runtime_error("callback");
            });
        expect(world_.add_callback(model_index(arg), throws) == id, "callback ids");
        callback_ids_.push_back(cid);
    }

    void remove_callback(std::uint8_t arg, std::uint8_t sub)
    {
        lib_future* l = live(arg);
        if (!l || !l->handle || callback_ids_.empty())
            return;
        // Any callback, also one of another future: then nothing is removed.
        const std::size_t c = sub % callback_ids_.size();
        const std::size_t got = l->handle->remove_done_callback(callback_ids_[c]);
        const std::size_t want =
            world_.callbacks[c].future == model_index(arg) ? world_.remove_callback(c) : 0;
        if (got != want)
            fail("remove_done_callback returned " + std::to_string(got));
    }

    auto waiter_handler(std::size_t id)
    {
        return [this, id](std::exception_ptr e, int v) {
            log_.push_back({model::item::wait, id, e ? classify(e) : model::value_outcome(v)});
        };
    }

#if defined(BOOST_ASIO_FUTURE_HAS_CO_AWAIT)
    static asio::awaitable<void>
    waiting_coroutine(af::async_future<int> f, std::vector<event>* log, std::size_t id)
    {
        model::outcome out;
        try
        {
            out = model::value_outcome(co_await f.async_wait(asio::use_awaitable));
        }
        catch (...)
        {
            out = classify(std::current_exception());
        }
        log->push_back({model::item::wait, id, out});
    }
#endif

    void wait(std::uint8_t arg, model::wait_kind kind, bool cancellable)
    {
        lib_future* l = live(arg);
        if (!l || !l->handle)
            return;
#if !defined(BOOST_ASIO_FUTURE_HAS_CO_AWAIT)
        if (kind == model::wait_kind::coroutine)
            kind = model::wait_kind::callback; // C++17: the same inputs still mean something
#endif
        const std::size_t id = world_.waiters.size();
        signals_.push_back(std::make_unique<asio::cancellation_signal>());
        asio::cancellation_slot slot =
            cancellable ? signals_.back()->slot() : asio::cancellation_slot();
        switch (kind)
        {
        case model::wait_kind::callback:
            l->handle->async_wait(asio::bind_cancellation_slot(slot, waiter_handler(id)));
            break;
        case model::wait_kind::deferred:
        {
            auto op = l->handle->async_wait(asio::deferred);
            std::move(op)(asio::bind_cancellation_slot(slot, waiter_handler(id)));
            break;
        }
        case model::wait_kind::coroutine:
#if defined(BOOST_ASIO_FUTURE_HAS_CO_AWAIT)
            asio::co_spawn(ctx_, waiting_coroutine(*l->handle, &log_, id), asio::detached);
#endif
            break;
        }
        expect(world_.add_waiter(model_index(arg), kind, cancellable) == id, "waiter ids");
    }

    void emit(std::uint8_t arg)
    {
        if (signals_.empty())
            return;
        static constexpr unsigned types[] = {1, 2, 4, 7};
        const std::size_t w = (arg / 4u) % signals_.size();
        const unsigned type = types[arg % 4u];
        signals_[w]->emit(asio::cancellation_type(type));
        world_.emit(w, type);
    }

    void set_value(std::uint8_t arg, std::uint8_t sub, bool try_form)
    {
        lib_future* l = live(arg);
        if (!l || !l->handle)
            return;
        const int v = int(sub);
        const std::size_t f = model_index(arg);
        if (try_form)
        {
            const bool got = l->handle->try_set_result(v);
            if (got != world_.resolve(f, model::value_outcome(v)))
                fail("try_set_result returned " + std::to_string(got));
            return;
        }
        bool threw = false;
        try
        {
            l->handle->set_result(v);
        }
        catch (const af::invalid_state_error&)
        {
            threw = true;
        }
        expect(threw != world_.resolve(f, model::value_outcome(v)), "set_result vs done");
    }

    void set_exception(std::uint8_t arg, std::uint8_t sub)
    {
        lib_future* l = live(arg);
        if (!l || !l->handle)
            return;
        const std::string text = "error" + std::to_string(sub % 8);
        const std::size_t f = model_index(arg);
        if (sub & 8)
        {
            const bool got = l->handle->try_set_exception(std::runtime_error(text));
            expect(got == world_.resolve(f, model::error_outcome(text)), "try_set_exception");
            return;
        }
        bool threw = false;
        try
        {
            l->handle->set_exception(std::make_exception_ptr(std::runtime_error(text)));
        }
        catch (const af::invalid_state_error&)
        {
            threw = true;
        }
        expect(threw != world_.resolve(f, model::error_outcome(text)), "set_exception vs done");
    }

    void cancel(std::uint8_t arg, std::uint8_t sub)
    {
        lib_future* l = live(arg);
        if (!l || !l->handle)
            return;
        const char* msg = messages[sub % 3];
        const bool got = l->handle->cancel(msg);
        expect(got == world_.resolve(model_index(arg), model::cancelled_outcome(msg)), "cancel");
    }

    void resolver_resolve(std::uint8_t arg, std::uint8_t sub)
    {
        lib_future* l = live(arg);
        if (!l || l->resolvers.empty())
            return;
        af::resolver<int>& r = l->resolvers[sub % l->resolvers.size()];
        const std::size_t f = model_index(arg);
        bool got = false, want = false;
        switch ((sub / 4) % 3)
        {
        case 0:
            got = r.set_result(int(sub));
            want = world_.resolve(f, model::value_outcome(int(sub)));
            break;
        case 1:
            got = r.set_exception(std::runtime_error("resolver"));
            want = world_.resolve(f, model::error_outcome("resolver"));
            break;
        default:
            got = r.cancel(messages[sub % 3]);
            want = world_.resolve(f, model::cancelled_outcome(messages[sub % 3]));
            break;
        }
        expect(got == want, "resolver resolution");
        expect(r.done(), "resolver done()");
    }

    void observe(std::uint8_t arg)
    {
        lib_future* l = live(arg);
        if (!l || !l->handle)
            return;
        const model::future& m = world_.futures[model_index(arg)];
        try
        {
            const int v = l->handle->result();
            expect(m.out == model::value_outcome(v), "result()");
        }
        catch (const af::invalid_state_error&)
        {
            expect(!m.done(), "result() threw invalid_state_error on a done future");
        }
        catch (...)
        {
            expect(m.done() && m.out == classify(std::current_exception()), "result() threw");
        }
    }

    // Runs one handler and checks it against the front of the model's queue.
    void poll_one()
    {
        ctx_.restart();
        polling_ = true;
        const std::size_t ran = ctx_.poll_one();
        polling_ = false;
        if (world_.queue.empty())
        {
            if (ran != 0 || !log_.empty())
                fail("a handler ran that the model did not queue");
            return;
        }
        if (ran != 1)
            fail("the model queued a handler the library did not run");
        const model::item it = world_.queue.front();
        world_.queue.pop_front();
        switch (it.kind)
        {
        case model::item::coroutine_start:
            expect(log_.empty(), "coroutine start logged an event");
            world_.begin_wait(it.id);
            return;
        case model::item::callback:
        {
            expect(log_.size() == 1, "one done callback per handler");
            const event e = log_.front();
            log_.clear();
            if (e.kind != model::item::callback || e.id != it.id)
                fail(
                    "callback order: ran " + std::to_string(e.id) + ", model " +
                    std::to_string(it.id));
            model::callback& c = world_.callbacks[it.id];
            expect(e.done_seen, "a done callback saw a pending future");
            expect(!c.removed && ++c.runs == 1, "callback ran twice or after removal");
            if (c.throws)
                ++world_.callback_reports;
            expect(callback_reports_ == world_.callback_reports, "exception handler reports");
            return;
        }
        case model::item::wait:
        {
            expect(log_.size() == 1, "one completion per handler");
            const event e = log_.front();
            log_.clear();
            if (e.kind != model::item::wait || e.id != it.id)
                fail(
                    "waiter order: ran " + std::to_string(e.id) + ", model " +
                    std::to_string(it.id));
            model::waiter& w = world_.waiters[it.id];
            expect(++w.completions == 1, "a waiter completed twice");
            if (e.out != w.expected)
                fail(
                    "waiter " + std::to_string(it.id) + " got " + describe(e.out) + ", model " +
                    describe(w.expected));
            // The coroutine's frame, and its copy of the future, ends with this handler.
            if (w.kind == model::wait_kind::coroutine)
                world_.drop(w.future, model::world::owner::coroutine);
            return;
        }
        }
    }

    void poll_all()
    {
        while (!world_.queue.empty())
            poll_one();
        poll_one(); // and nothing else is left
    }

    void compare_states()
    {
        for (std::size_t s = 0; s < slots; ++s)
        {
            if (!slots_[s].used || !lib_[slots_[s].future].handle)
                continue;
            const af::async_future<int>& f = *lib_[slots_[s].future].handle;
            const model::future& m = world_.futures[slots_[s].future];
            if (f.done() != m.done())
                fail("done() of slot " + std::to_string(s) + " is " + std::to_string(f.done()));
            if (f.cancelled() != (m.st == model::state::cancelled))
                fail("cancelled() of slot " + std::to_string(s));
            if (!m.done())
                continue;
            try
            {
                const std::exception_ptr e = f.exception();
                const model::outcome got = e ? classify(e) : model::value_outcome(f.result());
                if (got != m.out)
                    fail(
                        "outcome of slot " + std::to_string(s) + ": " + describe(got) + ", model " +
                        describe(m.out));
            }
            catch (const af::cancelled_error& c)
            {
                expect(m.out == model::cancelled_outcome(c.cancel_message()), "cancel message");
            }
        }
    }

    // Drops everything, runs what is left, checks every waiter, then destroys the context.
    void finish()
    {
        step_ = max_ops;
        for (std::size_t s = 0; s < slots; ++s)
            release_slot(s);
        poll_all();
        for (std::size_t w = 0; w < world_.waiters.size(); ++w)
        {
            const model::waiter& m = world_.waiters[w];
            if (m.scheduled != (m.completions == 1))
                fail(
                    "waiter " + std::to_string(w) + " completions " +
                    std::to_string(m.completions));
            // Only coroutines holding the last copies of a pending future may still wait.
            if (!m.scheduled && world_.futures[m.future].owners() == 0)
                fail("waiter " + std::to_string(w) + " hangs");
        }
        for (std::size_t c = 0; c < world_.callbacks.size(); ++c)
        {
            const model::callback& m = world_.callbacks[c];
            expect(m.runs == (m.scheduled ? 1 : 0), "a done callback did not run exactly once");
        }
    }

    // Declared first, destroyed last: a handler destroyed with the context clears its slot.
    std::vector<std::unique_ptr<asio::cancellation_signal>> signals_;
    model::world world_;
    std::vector<lib_future> lib_;
    std::array<slot_ref, slots> slots_{};
    std::vector<af::callback_id> callback_ids_;
    std::vector<event> log_;
    int callback_reports_ = 0;
    bool polling_ = false;
    std::size_t step_ = 0;
    // Declared last, destroyed first: nothing it destroys may touch the members above but the
    // signals (handlers are destroyed unrun).
    asio::io_context ctx_{1};
};

void run_one(const std::uint8_t* data, std::size_t size)
{
    {
        harness h;
        h.run(data, size);
    }
    if (const long n = af::detail::live_state_count().load())
    {
        std::fprintf(stderr, "model_fuzzer: %ld shared states leaked\n", n);
        std::abort();
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    run_one(data, size);
    return 0;
}

#if !defined(BOOST_ASIO_FUTURE_LIBFUZZER)
namespace
{

std::vector<std::filesystem::path> inputs(int argc, char** argv)
{
    namespace fs = std::filesystem;
    std::vector<fs::path> roots;
    for (int i = 1; i < argc; ++i)
        roots.emplace_back(argv[i]);
    if (roots.empty())
        roots.push_back(fs::path(__FILE__).parent_path() / "corpus");
    std::vector<fs::path> files;
    for (const fs::path& r : roots)
    {
        if (fs::is_directory(r))
        {
            for (const auto& e : fs::directory_iterator(r))
                if (e.is_regular_file())
                    files.push_back(e.path());
        }
        else if (fs::is_regular_file(r))
            files.push_back(r);
    }
    std::sort(files.begin(), files.end());
    return files;
}

} // namespace

// Replays the seed corpus: a divergence aborts with the operation that diverged.
int main(int argc, char** argv)
{
    const auto files = inputs(argc, argv);
    if (files.empty())
    {
        std::fprintf(stderr, "model_fuzzer: no corpus files found\n");
        return 1;
    }
    for (const auto& p : files)
    {
        std::ifstream in(p, std::ios::binary);
        const std::vector<char> bytes{std::istreambuf_iterator<char>(in), {}};
        std::fprintf(stderr, "%s\n", p.filename().string().c_str());
        run_one(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
    }
    std::printf("model_fuzzer: %zu corpus files replayed without divergence\n", files.size());
    return 0;
}
#endif
