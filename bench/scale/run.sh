#!/usr/bin/env bash
# bench/scale: hale at 10,000 checks against blackbox_exporter (CPU per probe) and monit (idle
# RSS), every row of SPEC §8's scale bars in one run; see bench/scale/scale.py for what each
# row measures. Takes about 4 minutes a round (plus 3 with --big).
#
# Usage: bench/scale/run.sh [ROUNDS=3] [--checks N] [--big 100000] [--window SECONDS]
#   HALE_BIN=path/to/hale   the hale binary (default build/hale), e.g. an older build to compare
set -euo pipefail
cd "$(dirname "$0")/../.."
ROUNDS=${1:-3}
shift || true
HALE_BIN=${HALE_BIN:-build/hale}
scripts/install-deps.sh --bench
scripts/build.sh build >/dev/null
exec python3 bench/scale/scale.py --hale "$HALE_BIN" --rounds "$ROUNDS" "$@"
