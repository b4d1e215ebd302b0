#!/usr/bin/env python3
"""The demo's alert receiver: a webhook endpoint on 127.0.0.1 that prints one line per alert hale
POSTs to it (the JSON object of docs/alerts.md) and answers 200, so hale marks the delivery sent.

    python3 examples/demo-receiver.py 8082      # then [notifiers.x] url = "http://127.0.0.1:8082/alerts"
"""
import json
import sys
import time
from http.server import BaseHTTPRequestHandler, HTTPServer


class Receiver(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()
        try:
            a = json.loads(body)
        except ValueError:
            print(f"{time.strftime('%H:%M:%S')} (not JSON) {body[:200]!r}", flush=True)
            return
        if a.get("flapping"):
            what = "FLAPPING"
        elif a.get("resolved"):
            what = f"RESOLVED (was {a.get('previous')}, now {a.get('status')})"
        else:
            what = f"{a.get('severity', '').upper()} {a.get('state')}"
        reminder = f" (reminder {a['sequence']})" if a.get("sequence") else ""
        drill = f" [drill {a['drill']}]" if a.get("drill") else ""  # caused by a drill (SPEC §7)
        print(f"{time.strftime('%H:%M:%S')} alert{drill} {a.get('key')}: {what}{reminder}: {a.get('message')}"
              f"   [id {a.get('id', '')[:8]}]", flush=True)

    def log_message(self, *args):
        pass


if __name__ == "__main__":
    HTTPServer(("127.0.0.1", int(sys.argv[1]) if len(sys.argv) > 1 else 8082), Receiver).serve_forever()
