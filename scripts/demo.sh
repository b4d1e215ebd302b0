#!/usr/bin/env bash
# hale's demo: installs what is missing, builds hale and runs it on examples/hale.toml. hale
# probes itself, a web server it supervises, a closed port, a certificate near expiry and
# Debian's monitoring-plugins;
# the demo then SIGKILLs the supervised web server to show hale restarting it, and runs a
# "backup" job under `hale exec` three times (good, silent, good) to show the heartbeat catching
# the silent one. Every problem (and its end) is alerted to a local webhook receiver
# (examples/demo-receiver.py), whose lines the demo shows as they arrive. Ctrl-C stops all.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh build

export HALE_TOKEN=${HALE_TOKEN:-demo-token-$RANDOM$RANDOM}
config=examples/hale.toml
mkdir -p .hale
log=.hale/demo.log
# A certificate 10 days from expiry, for the `demo-cert` tls check (degraded under warn_before).
openssl req -x509 -newkey rsa:2048 -nodes -days 10 -subj /CN=demo.internal \
  -keyout .hale/demo-key.pem -out .hale/demo-cert.pem 2>/dev/null
build/hale validate -c "$config"
# The alert receiver of [notifiers.demo-receiver]: one line per alert in .hale/alerts.log.
alerts=.hale/alerts.log
: >"$alerts"
python3 examples/demo-receiver.py 8082 >>"$alerts" 2>&1 &
receiver_pid=$!
build/hale run -c "$config" >"$log" 2>&1 &
hale_pid=$!
trap 'kill -TERM $hale_pid 2>/dev/null || true; wait $hale_pid 2>/dev/null || true; kill $receiver_pid 2>/dev/null || true' EXIT

shown=0
show_alerts() {  # the receiver's lines that arrived since the last call
  local total
  total=$(wc -l <"$alerts")
  if ((total > shown)); then
    echo "== alerts the local receiver got ($alerts):"
    sed -n "$((shown + 1)),${total}p" "$alerts" | sed 's/^/   /'
    shown=$total
  fi
}

service_pid() {  # the supervised web server's pid, from hale's API
  curl -s localhost:8099/api/v1/services/web | python3 -c 'import json,sys; print(json.load(sys.stdin)["pid"] or "")'
}

for _ in $(seq 100); do  # hale starts the web server, probes it and turns ready
  curl -sf localhost:8099/readyz >/dev/null 2>&1 && break
  sleep 0.1
done
echo
echo "== hale is up. Its dashboard: http://127.0.0.1:8099/   its public status page: http://127.0.0.1:8099/status"
echo
echo "== every check and service:"
build/hale status -c "$config" || true
sleep 3  # the closed "cache" port fails its three probes; the certificate is near expiry
show_alerts
echo
echo "== guards (SPEC §7): a service asks before a route that needs a dependency:"
echo "   GET /guard/web   -> $(curl -s -o /dev/null -w '%{http_code}' localhost:8099/guard/web)"
echo "   GET /guard/cache -> $(curl -s -D - localhost:8099/guard/cache | tr -d '\r' | grep -E '^HTTP|^Retry-After|^\{' | tr '\n' ' ')"

echo
echo "== a drill (SPEC §7): force the web check to fail for 5s, check the plan, restore everything:"
HALE_TOKEN=$HALE_TOKEN build/hale drill run web-down -c "$config" | sed 's/^/   /' || true
sleep 1.5  # the restored web check's recovery, and the drill's resolution alert
show_alerts
for _ in $(seq 100); do  # the held report-worker starts again by itself
  curl -sf localhost:8099/readyz >/dev/null 2>&1 && break
  sleep 0.1
done

old=$(service_pid)
echo
echo "== SIGKILL the supervised web server (pid $old); hale restarts it after its 500ms backoff:"
kill -9 "$old"
for _ in $(seq 100); do
  new=$(service_pid)
  [[ -n "$new" && "$new" != "$old" ]] && break
  sleep 0.05
done
grep '"event":"service_transition"' "$log" | grep '"service":"web"' | tail -n 3 || true
echo "   new pid: $new"
sleep 1
build/hale status -c "$config" || true
show_alerts
sleep 1  # the history writes once a second
echo
echo "== the story of that crash, from the history (hale why web):"
build/hale why web --kind service -c "$config" | sed 's/^/   /' || true

echo
echo "== a scheduled job under hale exec: /start, its output passed through, then its exit code:"
build/hale exec --heartbeat demo-backup -- sh -c 'echo "backed up 3 files to .hale/backup"'
echo "== the same job 'succeeding' without doing anything (exit 0, no output):"
build/hale exec --heartbeat demo-backup -- true && echo "   (exit code $?)"
build/hale status -c "$config" | sed -n '/^HEARTBEAT/,$p' || true
sleep 0.5
show_alerts
echo "== and a good run again:"
build/hale exec --heartbeat demo-backup -- sh -c 'echo "backed up 3 files to .hale/backup"'
build/hale status -c "$config" | sed -n '/^HEARTBEAT/,$p' || true
sleep 0.5
show_alerts

cat <<MSG

  hale keeps watching (its JSON log: $log). In another terminal:

    curl -s localhost:8099/readyz?verbose       # kube-apiserver style, 200 or 503
    curl -si localhost:8099/guard/cache         # 503 + JSON while the cache is down; 204 when usable
    curl -s localhost:8099/health | python3 -m json.tool
    curl -s localhost:8099/metrics | grep -E 'hale_check_status|hale_service_|hale_heartbeat_state'
    curl -s localhost:8099/api/v1/heartbeats/demo-backup | python3 -m json.tool   # its last runs
    tail -f $alerts                           # the alerts the local receiver gets
    build/hale alerts -c $config               # notifiers and deliveries (also GET /api/v1/alerts)
    HALE_TOKEN=$HALE_TOKEN build/hale silence add -c $config --match subject=cache --for 1h --comment "known"
    build/hale exec --heartbeat demo-backup -- sh -c 'echo ERROR: disk full'      # caught: output matched
    build/hale status -c $config
    build/hale logs web -c $config -n 5        # the web server's output
    HALE_TOKEN=$HALE_TOKEN build/hale drill run web-down -c $config   # rehearse web failing; exit 0 if the plan held
    build/hale drill list -c $config           # the drills and their last runs
    HALE_TOKEN=$HALE_TOKEN build/hale stop web -c $config     # /readyz turns 503, stays stopped
    HALE_TOKEN=$HALE_TOKEN build/hale start web -c $config
    build/hale probe http://127.0.0.1:8099/readyz && echo ready
    build/hale why web --kind service -c $config   # the last incident of the web service, in order
    curl -s 'localhost:8099/api/v1/uptime/web?window=24h'   # uptime; maintenance and unknown time apart
    open http://127.0.0.1:8099/ (the dashboard) and http://127.0.0.1:8099/status (the public page)

  Ctrl-C stops hale, the web server and the alert receiver.

MSG
wait $hale_pid
