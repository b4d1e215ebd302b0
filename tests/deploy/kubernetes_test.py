"""deploy/kubernetes/*.yaml: parsed (there is no kubectl here), held to the hale.toml each one
embeds, and their probe paths asked of a real hale running that config.

Usage: kubernetes_test.py HALE_BINARY SOURCE_DIR

For every pod template that runs hale (a container whose args are `run -c /etc/hale/hale.toml`):
- the ConfigMap mounted at /etc/hale holds a hale.toml that `hale validate` accepts;
- the hale container has startup, liveness and readiness probes, and every httpGet probe of the
  pod on hale's port (by number or by name) goes to the port of that config's `listen`;
- each probe path is one of hale's health endpoints (/livez, /readyz, /livez/NAME, /readyz/NAME,
  ?exclude=NAME) and every NAME is a check of the config; a hale started on that config (on a
  loopback port) answers each path with 200 or 503, never 404, and `?exclude=NAME&verbose`
  lists NAME as excluded;
- every container has resource requests and limits and runs as non-root without privilege
  escalation.
"""
import re
import sys
import tomllib
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import yaml

from deploy_common import fail, hale_daemon, hale_validate, http_get

HALE, SOURCE = sys.argv[1], Path(sys.argv[2])
MANIFESTS = sorted((SOURCE / "deploy/kubernetes").glob("*.yaml"))
CONFIG_DIR = "/etc/hale"
problems = []


def check(cond, message):
    if not cond:
        problems.append(message)
    return cond


def pod_templates(docs):
    for d in docs:
        if d.get("kind") in ("Deployment", "DaemonSet", "StatefulSet"):
            yield f"{d['kind']}/{d['metadata']['name']}", d["spec"]["template"]["spec"]


def hale_config_of(where, pod, configmaps, container):
    mount = next((m for m in container.get("volumeMounts", []) if m["mountPath"] == CONFIG_DIR), None)
    if not check(mount, f"{where}: the hale container mounts nothing at {CONFIG_DIR}"):
        return None
    volume = next(v for v in pod["volumes"] if v["name"] == mount["name"])
    cm = configmaps.get(volume.get("configMap", {}).get("name"))
    if not check(cm and "hale.toml" in cm["data"], f"{where}: volume {mount['name']} is no ConfigMap with a hale.toml"):
        return None
    return cm["data"]["hale.toml"]


def probes_on(pod, port, port_names):
    """(container, kind, path) of every httpGet probe of the pod aimed at hale's port."""
    for c in pod["containers"]:
        for kind in ("startupProbe", "livenessProbe", "readinessProbe"):
            get = c.get(kind, {}).get("httpGet")
            if get and (get["port"] == port or get["port"] in port_names):
                yield c["name"], kind, get["path"]


def endpoint_names(path):
    """The check names a probe path refers to, or None when it is not a health endpoint."""
    parts = urlsplit(path)
    m = re.fullmatch(r"/(livez|readyz)(?:/([^/]+))?", parts.path)
    if not m:
        return None
    names = [m.group(2)] if m.group(2) else []
    return names + parse_qs(parts.query).get("exclude", [])


def check_pod(where, pod, configmaps):
    for c in pod["containers"]:
        res = c.get("resources", {})
        check(res.get("requests") and res.get("limits"), f"{where}/{c['name']}: no resource requests and limits")
        sec = {**pod.get("securityContext", {}), **c.get("securityContext", {})}
        check(sec.get("runAsNonRoot") is True, f"{where}/{c['name']}: runAsNonRoot is not true")
        check(sec.get("runAsUser", 0) != 0, f"{where}/{c['name']}: no non-zero runAsUser")
        check(sec.get("allowPrivilegeEscalation") is False, f"{where}/{c['name']}: allowPrivilegeEscalation is not false")

    hale = [c for c in pod["containers"] if c.get("args", [])[:1] == ["run"]]
    if not check(len(hale) == 1, f"{where}: want one hale container (args run -c ...), found {len(hale)}"):
        return
    hc = hale[0]
    check(hc["args"] == ["run", "-c", f"{CONFIG_DIR}/hale.toml"], f"{where}: hale's args are {hc['args']}")
    text = hale_config_of(where, pod, configmaps, hc)
    if text is None:
        return
    code, out = hale_validate(HALE, text)
    if not check(code == 0, f"{where}: hale validate refused the embedded hale.toml:\n{out}"):
        return
    config = tomllib.loads(text)
    port = int(config["server"]["listen"].rsplit(":", 1)[1])
    port_names = {p["name"] for p in hc.get("ports", []) if p.get("containerPort") == port and "name" in p}
    check(any(p.get("containerPort") == port for p in hc.get("ports", [])),
          f"{where}: the hale container does not declare containerPort {port} (its listen)")
    for kind in ("startupProbe", "livenessProbe", "readinessProbe"):
        get = hc.get(kind, {}).get("httpGet")
        check(get and (get["port"] == port or get["port"] in port_names),
              f"{where}: the hale container's {kind} is not an httpGet on port {port} ({get})")

    probes = list(probes_on(pod, port, port_names))
    checks = set(config.get("checks", {}))
    for container, kind, path in probes:
        names = endpoint_names(path)
        if check(names is not None, f"{where}/{container} {kind}: {path} is not one of hale's health endpoints"):
            for n in names:
                check(n in checks, f"{where}/{container} {kind}: {path} names {n!r}, not a check of the config")

    # The same config on a loopback port: each path is a real endpoint of hale.
    local = re.sub(r'(?m)^listen = ".*"$', 'listen = "127.0.0.1:{PORT}"', text)
    local = re.sub(r'(?m)^state_dir = ".*"$', 'state_dir = "{STATE_DIR}"', local)
    with hale_daemon(HALE, local) as base:
        for container, kind, path in probes:
            status, body = http_get(base + path)
            check(status in (200, 503), f"{where}/{container} {kind}: GET {path} answered {status}: {body}")
            for n in parse_qs(urlsplit(path).query).get("exclude", []):
                _, verbose = http_get(base + path + "&verbose")
                check(f"[+]{n} excluded" in verbose and "cannot be excluded" not in verbose,
                      f"{where}/{container} {kind}: {path}&verbose does not exclude {n}:\n{verbose}")
    print(f"{where}: {len(probes)} probes on port {port} checked against its hale.toml ({len(checks)} checks)")


def main():
    if not check(len(MANIFESTS) >= 2, f"expected the DaemonSet and the sidecar under deploy/kubernetes, found {MANIFESTS}"):
        fail("\n".join(problems))
    kinds = set()
    for path in MANIFESTS:
        docs = [d for d in yaml.safe_load_all(path.read_text()) if d]
        configmaps = {d["metadata"]["name"]: d for d in docs if d["kind"] == "ConfigMap"}
        for where, pod in pod_templates(docs):
            kinds.add(where.split("/")[0])
            check_pod(f"{path.name}: {where}", pod, configmaps)
    check({"DaemonSet", "Deployment"} <= kinds, f"want a DaemonSet and a Deployment (the sidecar), found {kinds}")
    if problems:
        fail("\n".join(problems))
    print("ok")


main()
