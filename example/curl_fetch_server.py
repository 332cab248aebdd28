#!/usr/bin/env python3
# Distributed under the Boost Software License, Version 1.0. (See accompanying
# file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
"""The HTTP server of the curl_fetch example's test, on 127.0.0.1 only.

Binds a free port, prints "port N" on stdout, and serves until it is stopped or for at most
60 seconds:
  /hello     200, body "hello"
  /slow      sleeps 8 s, then 200 (the client's deadline is earlier)
  anything   404
"""
import http.server
import sys
import threading
import time

LIFETIME = 60
SLOW = 8


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        try:
            if self.path == "/hello":
                self.reply(200, b"hello")
            elif self.path == "/slow":
                time.sleep(SLOW)
                self.reply(200, b"slow")
            else:
                self.reply(404, b"not found")
        except OSError:
            pass  # the client aborted the transfer

    def reply(self, status, body):
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass


def main():
    server = Server(("127.0.0.1", 0), Handler)
    print("port", server.server_address[1], flush=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    time.sleep(LIFETIME)
    return 0


if __name__ == "__main__":
    sys.exit(main())
