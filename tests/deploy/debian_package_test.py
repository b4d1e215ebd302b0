"""debian/: the Debian packages, built with dpkg-buildpackage, linted, and run from a temporary
root.

Usage: debian_package_test.py SOURCE_DIR WORK_DIR

1. Copies the sources (git's tracked and untracked-but-not-ignored files) to
   WORK_DIR/debian-package/hale-VERSION, so that dpkg-buildpackage, which writes its packages
   to the parent directory, writes nothing outside the build tree, and builds there
   (`dpkg-buildpackage -b -us -uc`). debian/rules compiles with the default build's flags, so
   ccache hands it that build's objects (the time and ccache's hits are printed).
2. lintian on the .debs: no error (warnings and infos are printed).
3. The packages hold what docs/deploy.md says: /usr/bin/hale, the unit (ExecStart=/usr/bin/hale,
   Type=notify) with its run-as-hale drop-in, /etc/hale/hale.toml as a conffile, the hale
   system user (sysusers.d, created by the postinst) and /var/lib/hale (tmpfiles.d), and
   hale-grpc the module at the path the hale executable looks for it.
4. Installs them into a temporary root with `dpkg -x` (the files only: the maintainer scripts
   are not run), does there what the postinst does (`systemd-sysusers --root`, `systemd-tmpfiles
   --root --create`: the hale user, /var/lib/hale) and runs that root's `hale version` and
   `hale validate` on its packaged config.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from deploy_common import fail, free_port, hale_daemon, run, wait_for_check_error

SOURCE, WORK = Path(sys.argv[1]).resolve(), Path(sys.argv[2]).resolve() / "debian-package"
problems = []


def check(cond, message):
    if not cond:
        problems.append(message)
    return cond


def copy_sources(dest):
    if (SOURCE / ".git").exists():
        listed = run(["git", "-C", str(SOURCE), "ls-files", "-z", "--cached", "--others", "--exclude-standard"])
        if listed.returncode != 0:
            fail(f"git ls-files: {listed.stderr}")
        for rel in filter(None, listed.stdout.split("\0")):
            src = SOURCE / rel
            if src.is_file() or src.is_symlink():  # a file deleted in the work tree is still listed
                (dest / rel).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(src, dest / rel, follow_symlinks=False)
    else:
        shutil.copytree(SOURCE, dest, symlinks=True,
                        ignore=shutil.ignore_patterns("build*", ".hale", ".cache", ".git"))


def build(src):
    # noautodbgsym: no -dbgsym package, whose xz compression of the executable's debug
    # information would be most of the test's time (docs/deploy.md, "Build time").
    env = dict(os.environ,
               DEB_BUILD_OPTIONS=f"parallel={os.cpu_count() or 1} nocheck noautodbgsym",
               CCACHE_STATSLOG=str(WORK / "ccache-stats.log"))
    log = WORK / "dpkg-buildpackage.log"
    started = time.monotonic()
    # Each line of the log with the seconds since the start, and the time of each debhelper
    # command (the lines dh prints as "   dh_..."), to show where the time goes.
    steps, step, step_at = [], "dpkg-buildpackage", 0.0
    with open(log, "w") as out:
        p = subprocess.Popen(["dpkg-buildpackage", "-b", "-us", "-uc"], cwd=src, env=env, text=True,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        for line in p.stdout:
            now = time.monotonic() - started
            out.write(f"{now:7.1f} {line}")
            m = re.match(r"^   (dh_\S+|debian/rules \S+)", line)
            if m:
                steps.append((now - step_at, step))
                step, step_at = m.group(1), now
        r = p.wait()
    took = time.monotonic() - started
    steps.append((took - step_at, step))
    if r != 0:
        fail(f"dpkg-buildpackage exited {r}; the end of {log}:\n" + "".join(open(log).readlines()[-60:]))
    slow = ", ".join(f"{name} {secs:.0f} s" for secs, name in sorted(steps, reverse=True)[:5])
    stats = run(["ccache", "--show-log-stats", "-v"], env=env).stdout if shutil.which("ccache") else ""
    hits = re.search(r"Hits:\s+(\d+)\s*/\s*(\d+)", stats)
    print(f"dpkg-buildpackage took {took:.0f} s (longest steps: {slow}); ccache: "
          + (f"{hits.group(1)} hits of {hits.group(2)} compilations" if hits else "no statistics"), flush=True)


def lint(debs):
    r = run(["lintian", "--fail-on", "error", "--display-info", *map(str, debs)], timeout=900)
    print("lintian:\n" + (r.stdout + r.stderr).strip() if (r.stdout + r.stderr).strip() else "lintian: no tags")
    tags = re.findall(r"^E: .*", r.stdout, re.M)
    check(r.returncode == 0 and not tags, f"lintian reports errors (exit {r.returncode}):\n" + "\n".join(tags))


def contents(deb, root):
    """Unpacks the data of `deb` into root (dpkg -x) and its control files into a temp dir."""
    x = run(["dpkg", "-x", str(deb), str(root)])
    check(x.returncode == 0, f"dpkg -x {deb.name}: {x.stderr}")
    control = Path(tempfile.mkdtemp(dir=WORK))
    e = run(["dpkg-deb", "-e", str(deb), str(control)])
    check(e.returncode == 0, f"dpkg-deb -e {deb.name}: {e.stderr}")
    return control


def text(path):
    return path.read_text() if path.is_file() else ""


def check_grpc_module(hale, module, installed_path):
    """The packaged hale looks for the module where hale-grpc installs it, and loads hale-grpc's
    module: a grpc check against a closed port fails for want of the module without it (naming
    the path it tried, unless this machine has the package installed) and with a connection
    error once $HALE_GRPC_MODULE points at the unpacked module."""
    config = f"""
[server]
listen = "127.0.0.1:{{PORT}}"
state_dir = "{{STATE_DIR}}"
[checks.g]
type = "grpc"
target = "127.0.0.1:{free_port()}"
interval = "200ms"
"""
    with hale_daemon(str(hale), config, env={"HALE_GRPC_MODULE": ""}) as base:
        without = wait_for_check_error(base, "g")
    check(installed_path in without or Path(installed_path).exists(),
          f"without the module the packaged hale says {without!r}, not naming {installed_path}")
    with hale_daemon(str(hale), config, env={"HALE_GRPC_MODULE": str(module)}) as base:
        loaded = wait_for_check_error(base, "g")
    check(loaded and "grpc support is not available" not in loaded,
          f"with hale-grpc's module the packaged hale says {loaded!r}")
    print(f"grpc: without the module: {without!r}; with it: {loaded!r}")


def check_user_and_state_dir(root):
    """What the postinst does, done to the temporary root instead of this machine: the
    package's sysusers.d entry makes the hale user (home /var/lib/hale, no login shell) and its
    tmpfiles.d entry makes /var/lib/hale, 0750, owned by it."""
    if not (shutil.which("systemd-sysusers") and shutil.which("systemd-tmpfiles")):
        print("the hale user and /var/lib/hale: not checked (no systemd-sysusers or systemd-tmpfiles here)")
        return
    r = run(["systemd-sysusers", f"--root={root}", str(root / "usr/lib/sysusers.d/hale.conf")])
    check(r.returncode == 0, f"systemd-sysusers --root: {r.stdout}{r.stderr}")
    user = re.search(r"(?m)^hale:x:(\d+):(\d+):[^:]*:/var/lib/hale:/usr/sbin/nologin$", text(root / "etc/passwd"))
    if not check(user, f"no hale user in the root's /etc/passwd:\n{text(root / 'etc/passwd')}"):
        return
    r = run(["systemd-tmpfiles", f"--root={root}", "--create", str(root / "usr/lib/tmpfiles.d/hale.conf")])
    state = root / "var/lib/hale"
    check(r.returncode == 0 and state.is_dir(), f"systemd-tmpfiles --root --create: {r.stdout}{r.stderr}")
    if state.is_dir():
        st = state.stat()
        check((st.st_mode & 0o777, st.st_uid) == (0o750, int(user.group(1))),
              f"/var/lib/hale is {oct(st.st_mode & 0o777)} uid {st.st_uid}, not 0750 hale ({user.group(1)})")
    print(f"hale user (uid {user.group(1)}) and /var/lib/hale made in {root} by systemd-sysusers and systemd-tmpfiles")


def main():
    if WORK.exists():
        shutil.rmtree(WORK)
    WORK.mkdir(parents=True)
    version = re.match(r"hale \(([^)]+)\)", (SOURCE / "debian/changelog").read_text()).group(1)
    src = WORK / f"hale-{version}"
    copy_sources(src)
    build(src)

    arch = run(["dpkg", "--print-architecture"]).stdout.strip()
    multiarch = run(["dpkg-architecture", "-qDEB_HOST_MULTIARCH"]).stdout.strip()
    hale_deb = WORK / f"hale_{version}_{arch}.deb"
    grpc_deb = WORK / f"hale-grpc_{version}_{arch}.deb"
    for deb in (hale_deb, grpc_deb):
        if not deb.is_file():
            fail(f"dpkg-buildpackage made no {deb.name}; {WORK} holds {sorted(p.name for p in WORK.iterdir())}")
    lint([hale_deb, grpc_deb])

    root = WORK / "root"
    hale_control = contents(hale_deb, root)
    contents(grpc_deb, root)
    hale = root / "usr/bin/hale"
    config = root / "etc/hale/hale.toml"
    unit = text(root / "lib/systemd/system/hale.service")
    dropin = text(root / "lib/systemd/system/hale.service.d/run-as-hale.conf")
    sysusers = text(root / "usr/lib/sysusers.d/hale.conf")
    tmpfiles = text(root / "usr/lib/tmpfiles.d/hale.conf")
    module = root / f"usr/lib/{multiarch}/hale/libhale_grpc.so"

    check(re.search(r"(?m)^ExecStart=/usr/bin/hale run -c /etc/hale/hale.toml$", unit), f"the unit's ExecStart:\n{unit}")
    check(re.search(r"(?m)^Type=notify$", unit) and re.search(r"(?m)^StateDirectory=hale$", unit), "the unit is not deploy/hale.service")
    check(re.search(r"(?m)^User=hale$", dropin) and re.search(r"(?m)^Group=hale$", dropin), f"the drop-in does not run hale as hale:\n{dropin}")
    check(re.search(r"(?m)^u hale\b", sysusers), f"sysusers.d/hale.conf does not make the hale user:\n{sysusers}")
    check(re.search(r"(?m)^d /var/lib/hale 0750 hale hale", tmpfiles), f"tmpfiles.d/hale.conf:\n{tmpfiles}")
    check("/etc/hale/hale.toml" in text(hale_control / "conffiles").split(), "/etc/hale/hale.toml is not a conffile")
    check("systemd-sysusers" in text(hale_control / "postinst"), "the postinst does not create the hale user")
    check(re.search(r'(?m)^state_dir = "/var/lib/hale"', text(config)), "the packaged config's state_dir is not /var/lib/hale")
    check(module.is_file(), f"hale-grpc has no {module.relative_to(root)}")
    check_grpc_module(hale, module, f"/usr/lib/{multiarch}/hale/libhale_grpc.so")

    check_user_and_state_dir(root)
    v = run([str(hale), "version"], timeout=60)
    check(v.returncode == 0 and v.stdout.startswith(f"hale {version}"), f"hale version: {v.returncode} {v.stdout}{v.stderr}")
    val = run([str(hale), "validate", "-c", str(config)], timeout=60)
    check(val.returncode == 0 and ": ok: " in val.stdout, f"hale validate of the packaged config: {val.returncode} {val.stdout}{val.stderr}")
    print(f"from {root} (dpkg -x): {v.stdout.strip()}; {val.stdout.strip()}")

    if problems:
        fail("\n".join(problems))
    print("ok")


main()
