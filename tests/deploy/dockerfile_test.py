"""deploy/Dockerfile without a docker engine: what can be proven from the file, the built hale
and the real `hale probe`. (docker_image_test.py builds and runs the image where an engine is.)

Usage: dockerfile_test.py HALE_BINARY SOURCE_DIR

- the runtime stage is debian:12-slim and installs the Debian package of every shared library
  the hale executable links (objdump NEEDED -> ldd path -> dpkg -S), and neither curl nor wget;
- it runs as a numeric, non-root USER, copies deploy/docker/hale.toml to where HALE_CONFIG
  points, and `hale validate` accepts that config and the Debian package's deploy/hale.toml;
- its HEALTHCHECK is `hale probe` (exec form) on /livez or /readyz at the port of that config's
  listen, and that very command exits 0 against a hale running that config and 1 once it is gone;
- .dockerignore keeps .git and build trees out, and nothing the Dockerfile copies.
"""
import fnmatch
import json
import os
import re
import shlex
import sys
import tomllib
from pathlib import Path
from urllib.parse import urlsplit

from deploy_common import fail, hale_daemon, hale_validate, run

HALE, SOURCE = sys.argv[1], Path(sys.argv[2])
DOCKERFILE = SOURCE / "deploy/Dockerfile"
problems = []


def check(cond, message):
    if not cond:
        problems.append(message)
    return cond


def instructions(text):
    """(INSTRUCTION, arguments) of each instruction, continuation lines joined, comments dropped."""
    lines, cur = [], ""
    for raw in text.splitlines():
        if raw.lstrip().startswith("#"):
            continue
        if raw.rstrip().endswith("\\"):
            cur += raw.rstrip()[:-1] + " "
            continue
        cur += raw
        if cur.strip():
            word, _, rest = cur.strip().partition(" ")
            lines.append((word.upper(), rest.strip()))
        cur = ""
    return lines


def needed_packages(binary):
    """The Debian packages of the shared libraries `binary` links directly."""
    needed = re.findall(r"NEEDED\s+(\S+)", run(["objdump", "-p", binary]).stdout)
    paths = dict(re.findall(r"^\s*(\S+) => (\S+)", run(["ldd", binary]).stdout, re.M))
    # dpkg knows a file by the path its package ships, /lib/... or /usr/lib/... (merged /usr):
    # ask for every spelling at once (one read of dpkg's database), keep what it answers.
    candidates = {}
    for lib in needed:
        path = paths.get(lib)
        if check(path, f"ldd does not resolve {lib}"):
            for p in {path, os.path.realpath(path), re.sub(r"^/lib/", "/usr/lib/", path)}:
                candidates[p] = lib
    answer = run(["dpkg", "-S", *candidates]).stdout
    owner = {f: pkg for pkg, f in re.findall(r"^([^:\s]+)(?::\S+)?: (\S+)$", answer, re.M)}
    packages = {lib: owner[p] for p, lib in candidates.items() if p in owner}
    for lib in needed:
        check(lib in packages or not paths.get(lib), f"no Debian package owns {lib} ({paths.get(lib)})")
    return packages


def main():
    ins = instructions(DOCKERFILE.read_text())
    froms = [i for i, (w, _) in enumerate(ins) if w == "FROM"]
    check(len(froms) >= 2, "not a multi-stage Dockerfile")
    check(ins[froms[0]][1].startswith("debian:12 "), f"builder stage is {ins[froms[0]][1]}")
    check(ins[froms[-1]][1] == "debian:12-slim", f"runtime stage is {ins[froms[-1]][1]}")
    runtime = ins[froms[-1]:]

    # Runtime libraries.
    installed = set()
    for w, args in runtime:
        if w == "RUN" and "apt-get install" in args:
            # Without the optional $(...) packages (HALE_GRPC=yes).
            m = re.search(r"apt-get install (.*?)(&&|$)", re.sub(r"\$\(.*?\)", "", args))
            installed |= {t for t in shlex.split(m.group(1)) if not t.startswith("-")}
    for lib, pkg in sorted(needed_packages(HALE).items()):
        check(pkg in installed, f"the runtime stage does not install {pkg} (for {lib}); it installs {sorted(installed)}")
    for tool in ("curl", "wget"):
        check(tool not in installed, f"the runtime stage installs {tool}")

    # User, config, healthcheck.
    users = [a for w, a in runtime if w == "USER"]
    check(users and re.fullmatch(r"[1-9]\d*(:\d+)?", users[-1]), f"USER is {users}: want a numeric non-root uid")
    env = " ".join(a for w, a in runtime if w == "ENV")
    m = re.search(r"HALE_CONFIG=(\S+)", env)
    config_path = m.group(1) if m else None
    check(f"deploy/docker/hale.toml {config_path}" in [a for w, a in runtime if w == "COPY"],
          f"the runtime stage does not COPY deploy/docker/hale.toml to HALE_CONFIG ({config_path})")
    docker_config = (SOURCE / "deploy/docker/hale.toml").read_text()
    for name, text in (("deploy/docker/hale.toml", docker_config), ("deploy/hale.toml", (SOURCE / "deploy/hale.toml").read_text())):
        code, out = hale_validate(HALE, text)
        check(code == 0, f"hale validate refuses {name}:\n{out}")
    port = int(tomllib.loads(docker_config)["server"]["listen"].rsplit(":", 1)[1])

    hc = [a for w, a in runtime if w == "HEALTHCHECK"]
    if not check(len(hc) == 1 and " CMD [" in hc[0], f"want one exec-form HEALTHCHECK, found {hc}"):
        fail("\n".join(problems))
    argv = json.loads(hc[0].split(" CMD ", 1)[1])
    url = next((a for a in argv if a.startswith("http")), "")
    check(argv[:2] == ["hale", "probe"], f"HEALTHCHECK runs {argv}, not hale probe")
    check(urlsplit(url).port == port and urlsplit(url).path in ("/livez", "/readyz"),
          f"HEALTHCHECK probes {url}; the image's config listens on port {port}")

    # The HEALTHCHECK's own command line, against a hale running the image's config.
    local = re.sub(r'(?m)^listen = ".*"$', 'listen = "127.0.0.1:{PORT}"', docker_config)
    local = re.sub(r'(?m)^state_dir = ".*"$', 'state_dir = "{STATE_DIR}"', local)
    with hale_daemon(HALE, local) as base:
        probe = [HALE] + [a.replace(f"http://127.0.0.1:{port}", base) for a in argv[1:]]
        r = run(probe, timeout=30)
        check(r.returncode == 0 and r.stdout.startswith("ok "), f"{probe} against a running hale: {r.returncode} {r.stdout}{r.stderr}")
    r = run(probe, timeout=30)
    check(r.returncode == 1 and r.stdout.startswith("fail "), f"{probe} with hale stopped: {r.returncode} {r.stdout}{r.stderr}")

    # .dockerignore
    ignore = [l.strip() for l in (SOURCE / ".dockerignore").read_text().splitlines() if l.strip() and not l.startswith("#")]
    for must in (".git", "build*/"):
        check(must in ignore, f".dockerignore does not leave out {must}")
    copied = [a.split()[0] for w, a in ins if w == "COPY" and not a.startswith("--from")]
    for src in copied:
        for pat in ignore:
            check(not fnmatch.fnmatch(src, pat.rstrip("/")) and not src.startswith(pat.rstrip("/") + "/"),
                  f".dockerignore pattern {pat} leaves out {src}, which the Dockerfile copies")

    if problems:
        fail("\n".join(problems))
    print(f"ok: runtime installs {sorted(installed)}; HEALTHCHECK {argv} works against hale")


main()
