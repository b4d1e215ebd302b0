"""Shared by the tests of deploy/ and debian/ (tests/deploy/*_test.py, run by ctest).

A test exits 0 when it passes, 1 when it fails (with what it saw), and SKIP (77, ctest's
SKIP_RETURN_CODE) when what it needs is not on this machine, saying why on stdout.
"""
import contextlib
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

SKIP = 77


def fail(message):
    print(f"FAIL: {message}")
    sys.exit(1)


def skip(reason):
    print(f"SKIPPED: {reason}")
    sys.exit(SKIP)


def free_port():
    """A loopback TCP port that was free a moment ago (bound by us with port 0, then closed)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_get(url, timeout=5):
    """(status, body) of a GET; an HTTP error status is an answer too."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def run(argv, **kw):
    return subprocess.run(argv, capture_output=True, text=True, **kw)


def hale_validate(hale, config_text, name="hale.toml"):
    """`hale validate` on a config given as text: (exit code, stdout + stderr)."""
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / name
        path.write_text(config_text)
        r = run([hale, "validate", "-c", str(path)], timeout=60)
        return r.returncode, r.stdout + r.stderr


@contextlib.contextmanager
def hale_daemon(hale, config_text, env=None):
    """`hale run` on `config_text` with "{PORT}" and "{STATE_DIR}" filled in (and `env` added to
    its environment); yields the base URL once /livez answers (bounded wait), and stops hale
    afterwards."""
    with tempfile.TemporaryDirectory() as d:
        port = free_port()
        state = Path(d) / "state"
        config = Path(d) / "hale.toml"
        config.write_text(config_text.replace("{PORT}", str(port)).replace("{STATE_DIR}", str(state)))
        log = open(Path(d) / "hale.log", "w+")
        proc = subprocess.Popen([hale, "run", "-c", str(config)], stdout=log, stderr=subprocess.STDOUT, cwd=d,
                                env=dict(os.environ, **(env or {})))
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(200):  # 20 s at most
                if proc.poll() is not None:
                    log.seek(0)
                    fail(f"hale exited with {proc.returncode}:\n{log.read()}")
                try:
                    if http_get(base + "/livez", timeout=1)[0] in (200, 503):
                        break
                except OSError:
                    pass
                time.sleep(0.1)
            else:
                log.seek(0)
                fail(f"hale did not answer /livez on {base}:\n{log.read()}")
            yield base
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            log.close()


# --- PromQL: the metric names an expression reads ---------------------------------------------

_KEYWORDS = {"and", "or", "unless", "bool", "offset", "by", "without", "on", "ignoring",
             "group_left", "group_right", "inf", "nan", "atan2"}


def promql_metric_names(expr):
    """Every metric name that a PromQL expression (or a Grafana query) selects. Strings, label
    matchers, ranges, grouping lists and function names are left out; what remains are the
    selectors' names. Grafana's label_values(METRIC, LABEL) yields METRIC."""
    e = re.sub(r"label_values\(([^,()]*(?:\{[^}]*\})?)\s*,\s*\w+\s*\)", r"\1", expr)
    e = re.sub(r'"(?:[^"\\]|\\.)*"', '""', e)          # strings (label values, $variables)
    e = re.sub(r"'(?:[^'\\]|\\.)*'", "''", e)
    e = re.sub(r"\{[^}]*\}", " ", e)                    # label matchers
    e = re.sub(r"\[[^\]]*\]", " ", e)                   # ranges, subqueries
    e = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", e)
    e = re.sub(r"\boffset\s+\S+", " ", e)
    names = set()
    for m in re.finditer(r"(?<![\w.$])([a-zA-Z_:][a-zA-Z0-9_:]*)(\s*\()?", e):
        name, call = m.group(1), m.group(2)
        if call or name.lower() in _KEYWORDS:
            continue
        names.add(name)
    return names


def exposition_names(page):
    """The metric names a /metrics page exports: every sample's name, and every family that a
    # TYPE line declares (a family with no series yet, such as the p50 of a latency budget before
    its 20th result, is still exported), histograms and summaries with their _bucket, _sum, _count."""
    names = set()
    for line in page.splitlines():
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split(None, 3)
            names.add(name)
            if kind in ("histogram", "summary"):
                names.update({name + "_bucket", name + "_sum", name + "_count"})
        elif line and not line.startswith("#"):
            names.add(re.match(r"[a-zA-Z_:][a-zA-Z0-9_:]*", line).group(0))
    return names


def wait_for_check_error(base, check, within_s=20):
    """The `error` of GET /health/CHECK once it has one (bounded wait), else ""."""
    for _ in range(within_s * 10):
        status, body = http_get(f"{base}/health/{check}")
        if status in (200, 503) and json.loads(body).get("error"):
            return json.loads(body)["error"]
        time.sleep(0.1)
    return ""
