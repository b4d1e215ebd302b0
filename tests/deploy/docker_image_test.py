"""deploy/Dockerfile, built and run: where a docker engine answers. Elsewhere it is SKIPPED
(exit 77, ctest's SKIP_RETURN_CODE) with the reason, never passed silently.

Usage: docker_image_test.py SOURCE_DIR

Builds the image, then proves: `hale version` runs in it; there is no curl (nor wget) in it;
it runs as a non-root user; a container of it turns healthy through its HEALTHCHECK
(`hale probe`), and its /readyz answers 200 from the host.
"""
import shutil
import subprocess
import sys
import time
from pathlib import Path

from deploy_common import fail, free_port, http_get, run, skip

SOURCE = Path(sys.argv[1])
TAG = "hale-test:deploy"
BASES = ("debian:12", "debian:12-slim")


def docker(*args, timeout=60):
    return run(["docker", *args], timeout=timeout)


def main():
    if not shutil.which("docker"):
        skip("no docker CLI on this machine: the image is not built (tests/deploy/dockerfile_test.py still checks the Dockerfile)")
    info = docker("info", "--format", "{{.ServerVersion}}")
    if info.returncode != 0:
        reason = (info.stderr.strip().splitlines() or ["docker info failed"])[-1]
        skip(f"no docker engine answers ({reason}): the image is not built "
             "(tests/deploy/dockerfile_test.py still checks the Dockerfile)")
    for base in BASES:
        if docker("image", "inspect", base).returncode != 0 and docker("pull", base, timeout=600).returncode != 0:
            skip(f"the engine has no {base} and cannot pull it: the image is not built")

    sha = run(["git", "-C", str(SOURCE), "rev-parse", "--short", "HEAD"]).stdout.strip() or "unknown"
    print(f"building {TAG} (docker engine {info.stdout.strip()})", flush=True)
    b = subprocess.run(["docker", "build", "-f", str(SOURCE / "deploy/Dockerfile"), "--build-arg",
                        f"HALE_GIT_SHA={sha}", "-t", TAG, str(SOURCE)], timeout=3000)
    if b.returncode != 0:
        fail("docker build failed")

    problems = []
    v = docker("run", "--rm", TAG, "version")
    if v.returncode != 0 or not v.stdout.startswith("hale "):
        problems.append(f"hale version in the image: {v.returncode} {v.stdout}{v.stderr}")
    tools = docker("run", "--rm", "--entrypoint", "sh", TAG, "-c", "command -v curl wget; true")
    if tools.stdout.strip():
        problems.append(f"the image has {tools.stdout.strip()}")
    uid = docker("run", "--rm", "--entrypoint", "id", TAG, "-u")
    if uid.returncode != 0 or uid.stdout.strip() in ("", "0"):
        problems.append(f"the image runs as uid {uid.stdout.strip()!r}")

    port = free_port()
    name = f"hale-test-{port}"
    c = docker("run", "-d", "--name", name, "-p", f"127.0.0.1:{port}:8099", TAG)
    if c.returncode != 0:
        fail(f"docker run: {c.stderr}")
    try:
        health = ""
        for _ in range(90):  # the first HEALTHCHECK runs 10 s after the start; 90 s at most
            health = docker("inspect", "-f", "{{.State.Health.Status}}", name).stdout.strip()
            if health in ("healthy", "unhealthy"):
                break
            time.sleep(1)
        if health != "healthy":
            logs = docker("logs", name)
            problems.append(f"the container is {health!r}, not healthy:\n{logs.stdout}{logs.stderr}")
        status, body = http_get(f"http://127.0.0.1:{port}/readyz")
        if status != 200:
            problems.append(f"/readyz from the host answered {status}: {body}")
    finally:
        docker("rm", "-f", name)
        docker("rmi", TAG)
    if problems:
        fail("\n".join(problems))
    print("ok: built, healthy through hale probe, no curl, non-root")


main()
