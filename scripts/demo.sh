#!/usr/bin/env bash
# hale's demo: installs what is missing, builds hale, starts a small local web server and runs
# hale on examples/hale.toml in the foreground. Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh build

python3 -m http.server 8081 --bind 127.0.0.1 --directory examples/demo-site >/dev/null 2>&1 &
web_pid=$!
trap 'kill $web_pid 2>/dev/null || true' EXIT
for _ in $(seq 50); do  # let the web server come up before its checks run
  build/hale probe 127.0.0.1:8081 --timeout 200ms >/dev/null 2>&1 && break
  sleep 0.1
done

export HALE_TOKEN=${HALE_TOKEN:-demo-token-$RANDOM$RANDOM}
cat <<MSG

  hale demo: probing hale itself, a web server on 127.0.0.1:8081, a closed port (the
  non-critical "cache"), and Debian's check_disk / check_load. In another terminal:

    curl -s localhost:8099/readyz?verbose       # kube-apiserver style, 200 or 503
    curl -s localhost:8099/health | python3 -m json.tool
    curl -s localhost:8099/metrics | grep hale_check_status
    build/hale probe http://127.0.0.1:8099/readyz && echo ready
    curl -s -X POST -H "Authorization: Bearer \$HALE_TOKEN" localhost:8099/api/v1/reload
         (HALE_TOKEN=$HALE_TOKEN)

  Stop the web server to watch readiness turn 503:   kill $web_pid
  Ctrl-C stops the demo.

MSG
build/hale validate -c examples/hale.toml
build/hale run -c examples/hale.toml
