#!/usr/bin/env python3
"""Probe targets for hale's benchmarks, on 127.0.0.1.

  targets.py http PORT   a threaded HTTP server answering 200 "ok" to every GET
  targets.py hang PORT   accepts connections and never answers (a hung dependency);
                         each connection is dropped after 30 s so fds stay bounded
"""
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Ok(BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


def hang(port):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", port))
    s.listen(4096)
    held = []
    while True:
        conn, _ = s.accept()
        now = time.monotonic()
        held.append((now, conn))
        while held and now - held[0][0] > 30:
            held.pop(0)[1].close()


if __name__ == "__main__":
    mode, port = sys.argv[1], int(sys.argv[2])
    if mode == "http":
        ThreadingHTTPServer.daemon_threads = True
        # 900 checks start within one second: the default backlog of 5 would refuse most.
        ThreadingHTTPServer.request_queue_size = 4096
        ThreadingHTTPServer(("127.0.0.1", port), Ok).serve_forever()
    else:
        hang(port)
