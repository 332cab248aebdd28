//
// Copyright (c) 2026 The asio_future Authors.
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// Bridging a real SDK: libcurl. Each transfer runs curl_easy_perform on a worker thread of
// its own and reports from there; a coroutine per URL (each on its own strand, two io
// threads) awaits it through af::async_bridge under a deadline. A transfer that misses its
// deadline is aborted through the deregistration callable: it sets a flag that curl's
// progress callback reads, and curl stops the transfer.
//
//   example_curl_fetch http://127.0.0.1:PORT     (the test starts curl_fetch_server.py)

#include <boost/asio_future.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <curl/curl.h>
#include <exception>
#include <functional>
#include <iostream>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace af = boost::asio_future;
namespace asio = boost::asio;
using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

// tag::example_curl_client[]
// A minimal libcurl client: one easy handle and one worker thread per transfer. `done` is
// called on that worker thread, once, when curl_easy_perform returns: with the result, or
// with CURLE_ABORTED_BY_CALLBACK once `abort` was set.
class curl_client
{
public:
    using done_type = std::function<void(CURLcode, long status, std::string body)>;

    curl_client() = default;
    curl_client(const curl_client&) = delete;
    curl_client& operator=(const curl_client&) = delete;

    ~curl_client()
    {
        std::lock_guard lock(mutex_);
        for (auto& t : workers_)
            t.join();
    }

    void perform(std::string url, std::shared_ptr<const std::atomic<bool>> abort, done_type done)
    {
        std::lock_guard lock(mutex_);
        workers_.emplace_back(
            [url = std::move(url), abort = std::move(abort), done = std::move(done)]
            {
                std::string body;
                CURL* h = curl_easy_init();
                curl_easy_setopt(h, CURLOPT_URL, url.c_str());
                curl_easy_setopt(h, CURLOPT_PROXY, "");    // never a proxy from the environment
                curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L); // required with threads
                curl_easy_setopt(h, CURLOPT_TIMEOUT, 30L); // a backstop, not the deadline
                curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &write_body);
                curl_easy_setopt(h, CURLOPT_WRITEDATA, &body);
                // The abort: curl calls this about once a second even when no data flows,
                // and stops the transfer when it returns non-zero.
                curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
                curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, &check_abort);
                curl_easy_setopt(h, CURLOPT_XFERINFODATA, abort.get());
                const CURLcode rc = curl_easy_perform(h);
                long status = 0;
                curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
                curl_easy_cleanup(h);
                done(rc, status, std::move(body));
            });
    }

private:
    static std::size_t write_body(char* data, std::size_t size, std::size_t n, void* body)
    {
        static_cast<std::string*>(body)->append(data, size * n);
        return size * n;
    }

    static int check_abort(void* abort, curl_off_t, curl_off_t, curl_off_t, curl_off_t)
    {
        return static_cast<const std::atomic<bool>*>(abort)->load() ? 1 : 0;
    }

    std::mutex mutex_;
    std::vector<std::thread> workers_;
};
// end::example_curl_client[]

// tag::example_curl_fetch[]
// The body of a 2xx response; an HTTP error or a curl error is thrown. `stopped` is resolved
// with the time curl_easy_perform returned, late or not.
asio::awaitable<std::string> fetch(
    curl_client& client,
    std::string url,
    clock_type::time_point deadline,
    af::resolver<clock_type::time_point> stopped)
{
    co_return co_await af::async_bridge<std::string>(
        co_await asio::this_coro::executor,
        [&](auto on_done)
        {
            auto abort = std::make_shared<std::atomic<bool>>(false);
            client.perform(
                url,
                abort,
                [on_done, stopped](CURLcode rc, long status, std::string body)
                {
                    // On curl's worker thread. After the deadline on_done is a no-op.
                    stopped.set_result(clock_type::now());
                    if (rc != CURLE_OK)
                        on_done(
                            std::make_exception_ptr(std::runtime_error(curl_easy_strerror(rc))));
                    else if (status >= 400)
                        on_done(std::make_exception_ptr(
                            std::runtime_error("HTTP status " + std::to_string(status))));
                    else
                        on_done(std::move(body));
                });
            // The deregistration: runs on the io thread when the deadline expires.
            return [abort] { abort->store(true); };
        },
        af::deadline(deadline, asio::use_awaitable));
}

asio::awaitable<void>
fetch_one(curl_client& client, std::string base, std::string path, std::string& line)
{
    const auto deadline = clock_type::now() + 2s;
    auto stopped = af::make_future<clock_type::time_point>(co_await asio::this_coro::executor);
    bool timed_out = false;
    try
    {
        line = path + ": " + co_await fetch(client, base + path, deadline, stopped.get_resolver());
    }
    catch (const af::timeout_error&)
    {
        timed_out = true; // no co_await in a handler: wait for curl below
    }
    catch (const std::exception& e)
    {
        line = path + ": error: " + e.what();
    }
    if (timed_out)
    {
        const auto curl_stopped =
            co_await stopped.async_wait(af::timeout(10s, asio::use_awaitable));
        line = path + ": timed out; curl stopped within 2 s of the deadline: " +
               (curl_stopped - deadline < 2s ? "yes" : "no");
    }
}
// end::example_curl_fetch[]

int main(int argc, char** argv)
{
    if (argc != 2)
    {
        std::cerr << "usage: " << argv[0] << " http://127.0.0.1:PORT\n";
        return 2;
    }
    const std::string base = argv[1];
    curl_global_init(CURL_GLOBAL_DEFAULT); // once, before any thread uses curl
    {
        // tag::example_curl_main[]
        const std::vector<std::string> paths{"/hello", "/slow", "/missing"};
        std::vector<std::string> lines(paths.size());
        asio::io_context ctx;
        curl_client client; // joins its workers before the context goes
        for (std::size_t i = 0; i < paths.size(); ++i)
            asio::co_spawn(
                asio::make_strand(ctx),
                fetch_one(client, base, paths[i], lines[i]),
                [](std::exception_ptr e)
                {
                    if (e)
                        std::rethrow_exception(e);
                });
        std::thread second_io_thread([&] { ctx.run(); });
        ctx.run();
        second_io_thread.join();
        for (const auto& line : lines)
            std::cout << line << '\n';
        // end::example_curl_main[]
    }
    curl_global_cleanup();
}
