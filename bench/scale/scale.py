#!/usr/bin/env python3
"""bench/scale: hale at production scale against its peers, every row of SPEC §8 in one run.

  * N http checks (default 10,000) at a 10 s interval against one nginx worker: hale's CPU
    (% of a core), RSS, CPU per probe, scheduler lateness p99 (hale's own summary), and the size
    and render time of /metrics and /health.
  * Prometheus' blackbox_exporter driven at the same probe rate (N / 10 probes a second through
    /probe?module=http_2xx, by this script over keep-alive connections): its CPU per probe.
  * hale and monit idle with 10 checks: RSS.
  * With --big K (say 100000): K checks, the time until /livez answers and until every check
    has its first result, lateness p99 and RSS.

hale and blackbox_exporter are interleaved over ROUNDS rounds (the machine is shared and
noisy); the medians and their ratio are printed. Usage: see bench/scale/run.sh.
"""
import argparse
import http.client
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

TICK = os.sysconf("SC_CLK_TCK")


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK  # utime + stime


def rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def get(url, timeout=30):
    start = time.perf_counter()
    with urllib.request.urlopen(url, timeout=timeout) as r:
        body = r.read()
    return body, time.perf_counter() - start


def wait_for(url, limit=60):
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        try:
            get(url, timeout=2)
            return True
        except Exception:
            time.sleep(0.05)
    raise RuntimeError(f"no answer from {url}")


def metric_sum(text, name):
    total = 0.0
    for line in text.splitlines():
        if line.startswith(name + "{") or line.startswith(name + " "):
            total += float(line.rsplit(" ", 1)[1])
    return total


def metric_value(text, pattern):
    m = re.search(r"^" + re.escape(pattern) + r" (\S+)$", text, re.M)
    return float(m.group(1)) if m else float("nan")


def start_nginx(work, port):
    conf = os.path.join(work, "nginx.conf")
    with open(conf, "w") as f:
        f.write(f"""worker_processes 1;
daemon on;
pid {work}/nginx.pid;
error_log {work}/nginx-error.log;
worker_rlimit_nofile 65536;
events {{ worker_connections 65536; }}
http {{
  access_log off;
  keepalive_requests 1000000;
  client_body_temp_path {work}/b; proxy_temp_path {work}/p; fastcgi_temp_path {work}/f;
  uwsgi_temp_path {work}/u; scgi_temp_path {work}/s;
  server {{ listen 127.0.0.1:{port} backlog=65535; location / {{ return 200 "ok"; }} }}
}}
""")
    subprocess.run(["nginx", "-c", conf], check=True)
    wait_for(f"http://127.0.0.1:{port}/")


def hale_config(path, n, port, target_port, state):
    with open(path, "w") as f:
        f.write(f'[server]\nlisten = "127.0.0.1:{port}"\nstate_dir = "{state}"\n\n')
        f.write('[defaults]\ninterval = "10s"\ntimeout = "2s"\n\n')
        for i in range(n):
            f.write(f'[checks.c{i:06d}]\ntype = "http"\nurl = "http://127.0.0.1:{target_port}/c{i}"\n\n')


class Hale:
    def __init__(self, binary, config, port, log):
        self.port = port
        self.started = time.monotonic()
        self.proc = subprocess.Popen([binary, "run", "-c", config], stdout=log, stderr=subprocess.STDOUT)

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"

    def metrics(self):
        return get(self.url("/metrics"))[0].decode()

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def render_times(url, times=5):
    sizes, secs = [], []
    for _ in range(times):
        body, t = get(url)
        sizes.append(len(body))
        secs.append(t)
    return statistics.median(sizes), statistics.median(secs)


def measure_hale(args, work, target_port, rnd):
    port = free_port()
    conf = os.path.join(work, f"hale-{rnd}.toml")
    hale_config(conf, args.checks, port, target_port, os.path.join(work, f"state-{rnd}"))
    with open(os.path.join(work, f"hale-{rnd}.log"), "w") as log:
        h = Hale(args.hale, conf, port, log)
        try:
            wait_for(h.url("/livez"))
            time.sleep(args.warmup)
            m0 = h.metrics()
            c0, t0 = cpu_seconds(h.proc.pid), time.monotonic()
            time.sleep(args.window)
            c1, t1 = cpu_seconds(h.proc.pid), time.monotonic()
            m1 = h.metrics()
            probes = metric_sum(m1, "hale_check_probes_total") - metric_sum(m0, "hale_check_probes_total")
            metrics_size, metrics_time = render_times(h.url("/metrics"))
            health_size, health_time = render_times(h.url("/health"))
            return {
                "cpu_pct": 100 * (c1 - c0) / (t1 - t0),
                "rss_mb": rss_mb(h.proc.pid),
                "probes_per_s": probes / (t1 - t0),
                "us_per_probe": 1e6 * (c1 - c0) / max(probes, 1),
                "lateness_p99_ms": 1e3 * metric_value(m1, 'hale_scheduler_lateness_seconds{quantile="0.99"}'),
                "metrics_mb": metrics_size / 1e6,
                "metrics_ms": metrics_time * 1e3,
                "health_kb": health_size / 1e3,
                "health_ms": health_time * 1e3,
            }
        finally:
            h.stop()


def drive_blackbox(bb_port, target_port, n, rate, seconds, counter):
    """Calls /probe at `rate` a second for `seconds`, over keep-alive connections."""
    threads = 8
    stop_at = time.monotonic() + seconds

    def worker(w):
        conn = http.client.HTTPConnection("127.0.0.1", bb_port, timeout=10)
        period = threads / rate
        next_at = time.monotonic() + w * period / threads
        i = w
        while True:
            now = time.monotonic()
            if now >= stop_at:
                break
            if next_at > now:
                time.sleep(next_at - now)
            next_at += period
            conn.request("GET", f"/probe?module=http_2xx&target=http://127.0.0.1:{target_port}/c{i % n}")
            body = conn.getresponse().read()
            if b"probe_success 1" in body:
                counter[w] += 1
            i += threads

    ts = [threading.Thread(target=worker, args=(w,)) for w in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()


def measure_blackbox(args, work, target_port):
    port = free_port()
    conf = os.path.join(work, "blackbox.yml")
    with open(conf, "w") as f:
        f.write("modules:\n  http_2xx:\n    prober: http\n    timeout: 2s\n    http:\n"
                "      preferred_ip_protocol: ip4\n")
    log = open(os.path.join(work, "blackbox.log"), "w")
    p = subprocess.Popen([args.blackbox, f"--config.file={conf}", f"--web.listen-address=127.0.0.1:{port}"],
                         stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_for(f"http://127.0.0.1:{port}/metrics")
        rate = args.checks / 10.0
        counter = [0] * 8
        warm = [0] * 8
        drive_blackbox(port, target_port, args.checks, rate, min(args.warmup, 5), warm)
        c0, t0 = cpu_seconds(p.pid), time.monotonic()
        drive_blackbox(port, target_port, args.checks, rate, args.window, counter)
        c1, t1 = cpu_seconds(p.pid), time.monotonic()
        probes = sum(counter)
        return {"cpu_pct": 100 * (c1 - c0) / (t1 - t0), "rss_mb": rss_mb(p.pid),
                "probes_per_s": probes / (t1 - t0), "us_per_probe": 1e6 * (c1 - c0) / max(probes, 1)}
    finally:
        p.terminate()
        p.wait()
        log.close()


def idle_hale(args, work, target_port):
    port = free_port()
    conf = os.path.join(work, "idle.toml")
    hale_config(conf, 10, port, target_port, os.path.join(work, "state-idle"))
    with open(os.path.join(work, "idle.log"), "w") as log:
        h = Hale(args.hale, conf, port, log)
        try:
            wait_for(h.url("/livez"))
            time.sleep(args.idle)
            return rss_mb(h.proc.pid)
        finally:
            h.stop()


def idle_monit(args, work, target_port):
    conf = os.path.join(work, "monitrc")
    with open(conf, "w") as f:
        f.write(f"set daemon 10\nset pidfile {work}/monit.pid\nset idfile {work}/monit.id\n"
                f"set statefile {work}/monit.state\nset logfile {work}/monit.log\n")
        for i in range(10):
            f.write(f"check host c{i} with address 127.0.0.1\n"
                    f"  if failed port {target_port} protocol http request \"/c{i}\" then alert\n")
    os.chmod(conf, 0o600)
    p = subprocess.Popen([args.monit, "-I", "-c", conf], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        time.sleep(args.idle)
        return rss_mb(p.pid)
    finally:
        p.terminate()
        p.wait()


def big_run(args, work, target_port):
    port = free_port()
    conf = os.path.join(work, "big.toml")
    hale_config(conf, args.big, port, target_port, os.path.join(work, "state-big"))
    with open(os.path.join(work, "big.log"), "w") as log:
        h = Hale(args.hale, conf, port, log)
        try:
            wait_for(h.url("/livez"), limit=120)
            listening = time.monotonic() - h.started
            while True:
                m = h.metrics()
                unknown = len(re.findall(r'^hale_check_status\{[^}]*status="unknown"\} 1$', m, re.M))
                if unknown == 0:
                    break
                if time.monotonic() - h.started > 120:
                    break
                time.sleep(0.2)
            first_results = time.monotonic() - h.started
            time.sleep(args.warmup)
            m0 = h.metrics()
            c0, t0 = cpu_seconds(h.proc.pid), time.monotonic()
            time.sleep(args.window)
            c1, t1 = cpu_seconds(h.proc.pid), time.monotonic()
            m = h.metrics()
            # What one loop thread gets through, against the checks / interval the config asks for.
            probes_per_s = (metric_sum(m, "hale_check_probes_total") - metric_sum(m0, "hale_check_probes_total")) / (t1 - t0)
            return {"checks": args.big, "listening_s": listening, "first_results_s": first_results,
                    "probes_per_s": probes_per_s,
                    "unknown_left": unknown,
                    "lateness_p99_ms": 1e3 * metric_value(m, 'hale_scheduler_lateness_seconds{quantile="0.99"}'),
                    "cpu_pct": 100 * (c1 - c0) / (t1 - t0), "rss_mb": rss_mb(h.proc.pid)}
        finally:
            h.stop()


def med(rows, key):
    return statistics.median(r[key] for r in rows)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--hale", default="build/hale")
    ap.add_argument("--blackbox", default=shutil.which("prometheus-blackbox-exporter") or "blackbox_exporter")
    ap.add_argument("--monit", default=shutil.which("monit") or "monit")
    ap.add_argument("--checks", type=int, default=10000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--warmup", type=float, default=25, help="seconds before measuring (checks spread out)")
    ap.add_argument("--window", type=float, default=30, help="seconds of measurement per run")
    ap.add_argument("--idle", type=float, default=15, help="seconds idle before reading RSS")
    ap.add_argument("--big", type=int, default=0, help="also try this many checks (e.g. 100000)")
    args = ap.parse_args()

    work = tempfile.mkdtemp(prefix="hale-scale-")
    target_port = free_port()
    start_nginx(work, target_port)
    try:
        hale_rows, bb_rows, idle_rows = [], [], []
        for rnd in range(1, args.rounds + 1):
            hr = measure_hale(args, work, target_port, rnd)
            br = measure_blackbox(args, work, target_port)
            ih, im = idle_hale(args, work, target_port), idle_monit(args, work, target_port)
            hale_rows.append(hr)
            bb_rows.append(br)
            idle_rows.append((ih, im))
            print(f"round {rnd}: hale {hr['cpu_pct']:.1f}% cpu, {hr['rss_mb']:.1f} MB, "
                  f"{hr['probes_per_s']:.0f} probes/s, {hr['us_per_probe']:.0f} us/probe, "
                  f"lateness p99 {hr['lateness_p99_ms']:.1f} ms, /metrics {hr['metrics_mb']:.2f} MB "
                  f"{hr['metrics_ms']:.0f} ms, /health {hr['health_kb']:.0f} KB {hr['health_ms']:.0f} ms | "
                  f"blackbox {br['cpu_pct']:.1f}% cpu, {br['probes_per_s']:.0f} probes/s, "
                  f"{br['us_per_probe']:.0f} us/probe | idle RSS hale {ih:.1f} MB, monit {im:.1f} MB",
                  flush=True)
        n = args.checks
        ih = statistics.median(r[0] for r in idle_rows)
        im = statistics.median(r[1] for r in idle_rows)
        ratio = med(hale_rows, "us_per_probe") / med(bb_rows, "us_per_probe")
        print(f"\nmedians of {args.rounds} rounds, {n:,} http checks at 10 s against one nginx worker:\n")
        print("| what | hale | peer | target (SPEC §8) |")
        print("| --- | --- | --- | --- |")
        print(f"| {n:,} checks: CPU | {med(hale_rows, 'cpu_pct'):.1f} % of a core | | <= 30 % |")
        print(f"| {n:,} checks: RSS | {med(hale_rows, 'rss_mb'):.1f} MB | | <= 64 MB |")
        print(f"| {n:,} checks: scheduler lateness p99 | {med(hale_rows, 'lateness_p99_ms'):.1f} ms | | < 10 ms |")
        print(f"| {n:,} checks: /metrics | {med(hale_rows, 'metrics_mb'):.2f} MB, {med(hale_rows, 'metrics_ms'):.0f} ms | "
              f"| < 3 MB, < 50 ms |")
        print(f"| {n:,} checks: /health | {med(hale_rows, 'health_kb'):.0f} KB, {med(hale_rows, 'health_ms'):.0f} ms | "
              f"| < 1 MB, < 50 ms |")
        print(f"| CPU per HTTP probe | {med(hale_rows, 'us_per_probe'):.0f} us | blackbox_exporter "
              f"{med(bb_rows, 'us_per_probe'):.0f} us | <= 0.25x: **{ratio:.2f}x** |")
        print(f"| idle RSS, 10 checks | {ih:.1f} MB | monit {im:.1f} MB | < 8 MB: **{ih / im:.2f}x** monit |")
        if args.big:
            b = big_run(args, work, target_port)
            print(f"| {b['checks']:,} checks | /livez after {b['listening_s']:.1f} s, every first result after "
                  f"{b['first_results_s']:.1f} s ({b['unknown_left']} left), lateness p99 "
                  f"{b['lateness_p99_ms']:.1f} ms, {b['probes_per_s']:.0f} probes/s of {b['checks'] / 10:.0f} due, "
                  f"{b['cpu_pct']:.0f} % CPU, {b['rss_mb']:.0f} MB | | "
                  f"start < 5 s, lateness p99 < 50 ms |")
    finally:
        pid = os.path.join(work, "nginx.pid")
        if os.path.exists(pid):
            with open(pid) as f:
                os.kill(int(f.read().strip()), signal.SIGTERM)
        time.sleep(0.2)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
