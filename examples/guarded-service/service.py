#!/usr/bin/env python3
"""A small HTTP service, not written in C++, that guards a route on a dependency hale watches.

    python3 examples/guarded-service/service.py --hale http://127.0.0.1:8099 \
        --dependency docker-runner --port 8090

- GET /run   needs the dependency: before serving it asks hale's GET /guard/NAME; while the
             dependency is not usable it answers hale's 503 JSON
             {"error":{"code":"docker_runner_not_ready","message":"docker-runner not ready"}}
             with its Retry-After, and works again as soon as the dependency is back: no restart.
- GET /health this service's own view: the dependency's status as hale's event stream
             (GET /api/v1/events) keeps it up to date, without polling; the stream is resumed
             with Last-Event-ID after a disconnect, and re-read whole after a `reset`.

Python's standard library only (http.server, urllib, threading), no framework.
"""
import argparse
import json
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Dependencies:
    """The statuses of the checks hale reports, kept current by the event stream."""

    def __init__(self, hale):
        self.hale = hale
        self.lock = threading.Lock()
        self.status = {}  # name -> {"status", "since", "reason"}

    def load(self):
        try:
            with urllib.request.urlopen(self.hale + "/health", timeout=5) as r:
                doc = json.load(r)
        except urllib.error.HTTPError as e:
            if e.code != 503:
                raise
            doc = json.load(e)  # 503: something critical fails; the document is the same
        with self.lock:
            self.status = {name: {"status": c["status"], "reason": c.get("error", ""), "since": c.get("since")}
                           for name, c in doc.get("checks", {}).items()}

    def apply(self, data):
        if data.get("kind") != "check":
            return
        with self.lock:
            self.status[data["name"]] = {"status": data["to"], "reason": data["reason"], "since": data["at"]}

    def follow(self):
        """Reads GET /api/v1/events for ever, resuming where it stopped."""
        last_id = None
        while True:
            try:
                req = urllib.request.Request(self.hale + "/api/v1/events")
                if last_id:
                    req.add_header("Last-Event-ID", last_id)
                with urllib.request.urlopen(req, timeout=60) as stream:
                    # Subscribed first, then the whole state: a transition between the two is in
                    # the stream, so nothing is missed (an event older than the state only
                    # repeats what the state says, and later ones follow it).
                    if last_id is None:
                        self.load()
                    event, data = None, None
                    for raw in stream:
                        line = raw.decode("utf-8").rstrip("\n")
                        if line.startswith("id: "):
                            last_id = line[4:]
                        elif line.startswith("event: "):
                            event = line[7:]
                        elif line.startswith("data: "):
                            data = line[6:]
                        elif line == "":
                            if event == "reset":
                                self.load()  # hale cannot resume: read the whole state again
                            elif data:
                                self.apply(json.loads(data))
                            event, data = None, None
            except (OSError, ValueError):
                time.sleep(1)  # hale restarting, or not up yet: try again

    def snapshot(self):
        with self.lock:
            return dict(self.status)


def make_handler(hale, dependency, deps):
    class Handler(BaseHTTPRequestHandler):
        def reply(self, status, body, headers=()):
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for k, v in headers:
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            if self.path == "/run":
                try:
                    with urllib.request.urlopen(hale + "/guard/" + dependency, timeout=2):
                        pass  # 204: usable
                except urllib.error.HTTPError as e:
                    # hale's answer, passed on as it is: the caller gets the JSON it expects.
                    self.reply(e.code, json.load(e), [("Retry-After", e.headers.get("Retry-After", "5"))])
                    return
                except OSError:
                    self.reply(503, {"error": {"code": "hale_unreachable", "message": "hale not reachable"}})
                    return
                self.reply(200, {"ran": True})
            elif self.path == "/health":
                self.reply(200, {"dependencies": deps.snapshot()})
            else:
                self.reply(404, {"error": {"code": "not_found", "message": self.path}})

        def log_message(self, *args):
            pass

    return Handler


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--hale", default="http://127.0.0.1:8099")
    p.add_argument("--dependency", required=True)
    p.add_argument("--port", type=int, default=8090)
    args = p.parse_args()
    deps = Dependencies(args.hale)
    threading.Thread(target=deps.follow, daemon=True).start()
    server = ThreadingHTTPServer(("127.0.0.1", args.port), make_handler(args.hale, args.dependency, deps))
    print(f"guarded service on 127.0.0.1:{args.port}, /run needs {args.dependency}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
