//
// Copyright (c) 2026 The asio_future Authors.
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// Bridging a real SDK: c-ares. A channel runs c-ares's event loop on a thread of its own and
// calls back from there; a coroutine awaits each lookup through af::async_bridge. Three
// lookups, all offline: `localhost` from the hosts file, a name the hosts file does not have
// (the error path), and a query to a DNS server that never answers (a UDP socket this
// program binds and never reads), ended by its deadline with ares_cancel as the
// deregistration.

#include <boost/asio_future.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <ares.h>
#include <arpa/inet.h>
#include <atomic>
#include <chrono>
#include <exception>
#include <functional>
#include <iostream>
#include <memory>
#include <mutex>
#include <netdb.h>
#include <stdexcept>
#include <string>
#include <sys/select.h>
#include <thread>

namespace af = boost::asio_future;
namespace asio = boost::asio;
using namespace std::chrono_literals;

// tag::example_ares_resolver[]
// One c-ares channel and the thread that runs its event loop (ares_fds, select,
// ares_process). A c-ares 1.18 channel is not thread-safe: every call on it holds mutex_, so
// a callback runs with mutex_ held, on the loop's thread or on the thread calling cancel().
class ares_resolver
{
public:
    using done_type = std::function<void(int status, std::string address)>;

    // lookups: "f" the hosts file only, "b" DNS only; servers: "" (resolv.conf) or "IP:PORT".
    ares_resolver(std::string lookups, const std::string& servers) : lookups_(std::move(lookups))
    {
        ares_options options{};
        options.lookups = lookups_.data();
        if (ares_init_options(&channel_, &options, ARES_OPT_LOOKUPS) != ARES_SUCCESS)
            throw std::runtime_error("ares_init_options failed");
        if (!servers.empty() &&
            ares_set_servers_ports_csv(channel_, servers.c_str()) != ARES_SUCCESS)
        {
            ares_destroy(channel_);
            throw std::runtime_error("ares_set_servers_ports_csv failed");
        }
        thread_ = std::thread([this] { run(); });
    }

    ares_resolver(const ares_resolver&) = delete;
    ares_resolver& operator=(const ares_resolver&) = delete;

    ~ares_resolver()
    {
        stop_ = true;
        thread_.join();
        ares_destroy(channel_); // calls back what is still pending, with ARES_EDESTRUCTION
    }

    // The IPv4 address of `name`. `done` is called exactly once: from the loop's thread, from
    // inside this call (a hosts-file hit), or from inside cancel().
    void resolve(const std::string& name, done_type done)
    {
        std::lock_guard lock(mutex_);
        ares_gethostbyname(
            channel_,
            name.c_str(),
            AF_INET,
            &on_host,
            new done_type(std::move(done)));
    }

    // Ends every pending query of the channel with ARES_ECANCELLED (not only one).
    void cancel()
    {
        std::lock_guard lock(mutex_);
        ares_cancel(channel_);
    }

private:
    static void on_host(void* arg, int status, int, hostent* host)
    {
        const std::unique_ptr<done_type> done(static_cast<done_type*>(arg));
        char text[INET_ADDRSTRLEN] = {};
        if (status == ARES_SUCCESS)
            inet_ntop(AF_INET, host->h_addr_list[0], text, sizeof text);
        (*done)(status, text);
    }

    void run()
    {
        std::unique_lock lock(mutex_);
        while (!stop_)
        {
            fd_set read_fds, write_fds;
            FD_ZERO(&read_fds);
            FD_ZERO(&write_fds);
            const int nfds = ares_fds(channel_, &read_fds, &write_fds);
            // At most 20 ms, to see the sockets of queries started meanwhile.
            timeval cap{0, 20000}, tv{};
            timeval* wait = ares_timeout(channel_, &cap, &tv);
            lock.unlock();
            if (select(nfds, &read_fds, &write_fds, nullptr, wait) < 0)
            {
                FD_ZERO(&read_fds);
                FD_ZERO(&write_fds);
            }
            lock.lock();
            ares_process(channel_, &read_fds, &write_fds);
        }
    }

    std::string lookups_;
    std::mutex mutex_;
    ares_channel channel_ = nullptr;
    std::atomic<bool> stop_{false};
    std::thread thread_;
};
// end::example_ares_resolver[]

// tag::example_dns_lookup[]
// `late_status` receives the status of a callback that comes after the wait ended.
asio::awaitable<std::string> lookup(
    ares_resolver& resolver,
    std::string name,
    std::chrono::milliseconds timeout,
    std::atomic<int>& late_status)
{
    co_return co_await af::async_bridge<std::string>(
        co_await asio::this_coro::executor,
        [&](auto on_done)
        {
            resolver.resolve(
                name,
                [on_done, &late_status](int status, std::string address)
                {
                    bool first = false;
                    if (status == ARES_SUCCESS)
                        first = on_done(std::move(address));
                    else
                        first = on_done(
                            std::make_exception_ptr(std::runtime_error(ares_strerror(status))));
                    if (!first)
                        late_status = status; // the wait already ended: on_done did nothing
                });
            return [&resolver] { resolver.cancel(); }; // on the io thread, on timeout
        },
        af::timeout(timeout, asio::use_awaitable));
}

asio::awaitable<void> lookups(ares_resolver& hosts, ares_resolver& silent_dns)
{
    std::atomic<int> late_status{ARES_SUCCESS};
    for (const char* name : {"localhost", "no-such-host.invalid"})
    {
        try
        {
            const std::string address = co_await lookup(hosts, name, 2s, late_status);
            std::cout << name << ": " << address << '\n';
        }
        catch (const std::exception& e)
        {
            std::cout << name << ": error: " << e.what() << '\n';
        }
    }
    const auto start = std::chrono::steady_clock::now();
    try
    {
        const std::string address = co_await lookup(silent_dns, "example.com", 500ms, late_status);
        std::cout << "example.com: " << address << '\n';
    }
    catch (const af::timeout_error&)
    {
        const bool on_time = std::chrono::steady_clock::now() - start >= 500ms;
        std::cout << "example.com from a silent server: timed out after the deadline: "
                  << (on_time ? "yes" : "no") << '\n';
    }
    std::cout << "late callback: " << ares_strerror(late_status) << " (ignored)\n";
}
// end::example_dns_lookup[]

int main()
{
    ares_library_init(ARES_LIB_INIT_ALL);
    {
        asio::io_context ctx;
        // A DNS server that never answers: bound, never read.
        asio::ip::udp::socket silent(ctx, {asio::ip::make_address_v4("127.0.0.1"), 0});
        ares_resolver hosts("f", "");
        ares_resolver silent_dns(
            "b",
            "127.0.0.1:" + std::to_string(silent.local_endpoint().port()));
        asio::co_spawn(
            ctx,
            lookups(hosts, silent_dns),
            [](std::exception_ptr e)
            {
                if (e)
                    std::rethrow_exception(e);
            });
        ctx.run();
    }
    ares_library_cleanup();
}
