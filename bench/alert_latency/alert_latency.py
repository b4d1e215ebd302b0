#!/usr/bin/env python3
"""bench/alert_latency: how fast an alert reaches its receiver (SPEC §6, §8: "an alert leaves
within 100 ms"; issue 6: p99 under 100 ms, the outbox write included).

Part 1, hale alone: INCIDENTS times, a tcp check (interval 100ms, failure_threshold 1) loses its
target (the port is closed); hale turns the check `fail`, writes the alert to its SQLite outbox
(WAL, synchronous=FULL) and POSTs it to a webhook receiver. Latency = the receiver's clock when the
request's headers are in, minus the transition's `at` in hale's JSON log (both the same host's wall
clock, milliseconds). The port is then opened again and the resolution awaited, so every incident is
a new key. Flap detection is off (max_changes = 0): 200 incidents in a minute are flapping otherwise.

Part 2, side by side with the usual peer stack: ROUNDS times, interleaved, a target HTTP server is
stopped and the time until a webhook receiver has the alert is measured end to end for
  hale:                 an http check, interval 1s, failure_threshold 1, webhook notifier
  Prometheus+Alertmanager: scrape_interval 1s, evaluation_interval 1s, rule `up == 0` for 0s,
                        Alertmanager group_wait 0s, webhook receiver
Both poll once a second, so both detect within a second; the rest is the pipeline.

Usage: alert_latency.py HALE_BIN INCIDENTS ROUNDS    (run.sh calls it)
"""
import calendar
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Receiver:
    """A webhook receiver: records (arrival time, JSON body) of every POST."""

    def __init__(self):
        self.port = free_port()
        self.lock = threading.Lock()
        self.got = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                arrived = time.time()  # the request line and headers are in
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()
                try:
                    payload = json.loads(body)
                except ValueError:
                    payload = None
                with receiver.lock:
                    receiver.got.append((arrived, payload))

            def log_message(self, *args):
                pass

        ThreadingHTTPServer.daemon_threads = True
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def count(self):
        with self.lock:
            return len(self.got)

    def wait_for(self, n, within):
        deadline = time.time() + within
        while time.time() < deadline:
            if self.count() >= n:
                return True
            time.sleep(0.001)
        return False

    def items(self):
        with self.lock:
            return list(self.got)


class Target:
    """A port that answers HTTP 200 with a metric while open and refuses connections once closed:
    close() closes the listening socket at once, so "down" is a precise instant."""

    def __init__(self):
        self.port = free_port()
        self.sock = None

    def open(self):
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", self.port))
        s.listen(128)
        self.sock = s
        threading.Thread(target=self._accept, args=(s,), daemon=True).start()

    def _accept(self, s):
        while True:
            try:
                conn, _ = s.accept()
            except OSError:
                return  # closed
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    @staticmethod
    def _answer(conn):
        try:
            conn.settimeout(2)
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = conn.recv(4096)
                if not chunk:
                    return
                data += chunk
            body = b"target_up 1\n"
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\n"
                         b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
        except OSError:
            pass
        finally:
            conn.close()

    def close(self):
        """Closes the port; returns the instant it stopped accepting."""
        down = time.time()
        if self.sock:
            try:
                self.sock.shutdown(socket.SHUT_RDWR)  # wakes the accept() in its thread
            except OSError:
                pass
            self.sock.close()
            self.sock = None
        return down


def wait_http(url, within=15):
    import urllib.request

    deadline = time.time() + within
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1) as r:
                if r.status == 200:
                    return True
        except Exception:
            time.sleep(0.05)
    return False


def pct(values, p):
    s = sorted(values)
    return s[min(len(s) - 1, max(0, int(round(p / 100 * len(s) + 0.5)) - 1))]


def start_hale(hale_bin, work, config, name):
    path = os.path.join(work, name + ".toml")
    with open(path, "w") as f:
        f.write(config)
    log = open(os.path.join(work, name + ".log"), "w")
    proc = subprocess.Popen([hale_bin, "run", "-c", path], stdout=log, stderr=log)
    return proc, os.path.join(work, name + ".log")


def fail_transitions(log_path, check):
    """The `at` (epoch seconds) of every transition of `check` to fail, in order."""
    out = []
    with open(log_path) as f:
        for line in f:
            if '"event":"transition"' not in line:
                continue
            e = json.loads(line)
            if e.get("check") == check and e.get("to") == "fail":
                at = e["at"]  # 2026-12-02T13:47:23.602Z
                t = time.strptime(at[:19], "%Y-%m-%dT%H:%M:%S")
                out.append(calendar.timegm(t) + float("0." + at[20:23]))
    return out


def part1(hale_bin, work, incidents):
    receiver = Receiver()
    target = Target()
    hale_port = free_port()
    config = f"""
[server]
listen = "127.0.0.1:{hale_port}"
state_dir = "{work}/state1"
[checks.db]
type = "tcp"
target = "127.0.0.1:{target.port}"
interval = "100ms"
timeout = "200ms"
failure_threshold = 1
jitter = "0ms"
[notifiers.hook]
type = "webhook"
url = "http://127.0.0.1:{receiver.port}/alerts"
[[alerts]]
match = ["db"]
notify = ["hook"]
on = ["fail"]
repeat = "0s"
flapping = {{ max_changes = 0 }}
"""
    target.open()
    proc, log = start_hale(hale_bin, work, config, "part1")
    try:
        if not wait_http(f"http://127.0.0.1:{hale_port}/readyz"):
            sys.exit("hale did not become ready")
        expected = 0
        for i in range(incidents):
            target.close()
            expected += 1
            if not receiver.wait_for(expected, 10):
                sys.exit(f"incident {i}: no alert within 10s")
            target.open()
            expected += 1
            if not receiver.wait_for(expected, 10):
                sys.exit(f"incident {i}: no resolution within 10s")
    finally:
        proc.terminate()
        proc.wait(10)
        target.close()
    fired = [t for t, p in receiver.items() if p and not p.get("resolved")]
    transitions = fail_transitions(log, "db")
    if len(fired) != len(transitions):
        sys.exit(f"{len(fired)} alerts for {len(transitions)} transitions")
    return [(a - t) * 1000 for a, t in zip(fired, transitions)]


def part2(hale_bin, work, rounds):
    hale_recv, prom_recv = Receiver(), Receiver()
    hale_target, prom_target = Target(), Target()
    hale_port, prom_port, am_port = free_port(), free_port(), free_port()
    hale_config = f"""
[server]
listen = "127.0.0.1:{hale_port}"
state_dir = "{work}/state2"
[checks.target]
type = "http"
url = "http://127.0.0.1:{hale_target.port}/metrics"
interval = "1s"
timeout = "500ms"
failure_threshold = 1
[notifiers.hook]
type = "webhook"
url = "http://127.0.0.1:{hale_recv.port}/alerts"
[[alerts]]
match = ["target"]
notify = ["hook"]
on = ["fail"]
repeat = "0s"
flapping = {{ max_changes = 0 }}
"""
    with open(f"{work}/prometheus.yml", "w") as f:
        f.write(f"""
global:
  scrape_interval: 1s
  evaluation_interval: 1s
  scrape_timeout: 500ms
rule_files: ["{work}/rules.yml"]
alerting:
  alertmanagers: [{{static_configs: [{{targets: ["127.0.0.1:{am_port}"]}}]}}]
scrape_configs:
  - job_name: target
    static_configs: [{{targets: ["127.0.0.1:{prom_target.port}"]}}]
""")
    with open(f"{work}/rules.yml", "w") as f:
        f.write("""
groups:
  - name: bench
    rules:
      - alert: TargetDown
        expr: up{job="target"} == 0
        for: 0s
""")
    with open(f"{work}/alertmanager.yml", "w") as f:
        f.write(f"""
route:
  receiver: hook
  group_by: [alertname]
  group_wait: 0s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: hook
    webhook_configs: [{{url: "http://127.0.0.1:{prom_recv.port}/alerts", send_resolved: true}}]
""")
    hale_target.open()
    prom_target.open()
    procs = []
    devnull = open(os.devnull, "w")
    procs.append(subprocess.Popen(
        ["prometheus-alertmanager", f"--config.file={work}/alertmanager.yml", f"--storage.path={work}/am",
         f"--web.listen-address=127.0.0.1:{am_port}", "--cluster.listen-address="],
        stdout=devnull, stderr=devnull))
    procs.append(subprocess.Popen(
        ["prometheus", f"--config.file={work}/prometheus.yml", f"--storage.tsdb.path={work}/prom",
         f"--web.listen-address=127.0.0.1:{free_port()}"], stdout=devnull, stderr=devnull))
    hale_proc, _ = start_hale(hale_bin, work, hale_config, "part2")
    procs.append(hale_proc)
    results = {"hale": [], "prometheus+alertmanager": []}
    try:
        wait_http(f"http://127.0.0.1:{hale_port}/readyz")
        wait_http(f"http://127.0.0.1:{am_port}/-/ready")
        time.sleep(3)  # Prometheus has scraped the target a few times: up == 1
        sides = [("hale", hale_target, hale_recv), ("prometheus+alertmanager", prom_target, prom_recv)]
        for r in range(rounds):
            for name, target, recv in sides:
                fired_before = sum(1 for _, p in recv.items() if is_firing(name, p))
                down = target.close()
                deadline = down + 30
                while time.time() < deadline:
                    fired = [t for t, p in recv.items() if is_firing(name, p)]
                    if len(fired) > fired_before:
                        results[name].append((fired[-1] - down) * 1000)
                        break
                    time.sleep(0.002)
                else:
                    sys.exit(f"{name}: no alert within 30s in round {r}")
                target.open()
                time.sleep(3.5)  # resolved on both sides before the next round
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            p.wait(10)
        hale_target.close()
        prom_target.close()
    return results


def is_firing(side, payload):
    if not payload:
        return False
    if side == "hale":
        return not payload.get("resolved")
    return payload.get("status") == "firing"


def main():
    hale_bin, incidents, rounds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    work = tempfile.mkdtemp(prefix="hale-bench-alert-")
    lat = part1(hale_bin, work, incidents)
    print(f"part 1: hale, check transition to fail -> webhook receiver has the request, "
          f"{len(lat)} incidents (outbox in SQLite, synchronous=FULL):")
    print(f"  median {statistics.median(lat):7.2f} ms   p99 {pct(lat, 99):7.2f} ms   max {max(lat):7.2f} ms"
          f"   (target p99 < 100 ms)")
    if rounds <= 0:
        return
    res = part2(hale_bin, work, rounds)
    print(f"part 2: target down -> webhook receiver has the alert, end to end, {rounds} rounds interleaved, "
          f"both polling every 1s:")
    for name, values in res.items():
        print(f"  {name:24s} median {statistics.median(values):8.1f} ms   p95 {pct(values, 95):8.1f} ms")
    h, p = statistics.median(res["hale"]), statistics.median(res["prometheus+alertmanager"])
    print(f"  ratio hale / prometheus+alertmanager: median {h / p:.2f}x")


if __name__ == "__main__":
    main()
