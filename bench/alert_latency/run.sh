#!/usr/bin/env bash
# bench/alert_latency: time from a check's transition to `fail` until a webhook receiver has the
# request (hale alone, INCIDENTS incidents; target p99 < 100 ms, the SQLite outbox write included),
# then target down -> alert at the receiver, end to end, hale against Prometheus + Alertmanager
# (Debian's prometheus and prometheus-alertmanager), ROUNDS rounds interleaved. See
# alert_latency.py for the setup of both.
#
# Usage: bench/alert_latency/run.sh [INCIDENTS=200] [ROUNDS=30]     (ROUNDS=0: part 1 only)
#   HALE_BIN=path/to/hale   the hale binary (default build/hale, built if missing)
set -euo pipefail
cd "$(dirname "$0")/../.."
INCIDENTS=${1:-200}
ROUNDS=${2:-30}
HALE_BIN=${HALE_BIN:-build/hale}

scripts/install-deps.sh --bench
if [[ $HALE_BIN == build/hale && ! -x build/hale ]]; then
  scripts/build.sh build >/dev/null
fi
exec /usr/bin/python3 bench/alert_latency/alert_latency.py "$HALE_BIN" "$INCIDENTS" "$ROUNDS"
