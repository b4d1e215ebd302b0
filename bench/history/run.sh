#!/usr/bin/env bash
# bench/history: the history's bars (SPEC §8, §10) on the real daemon with 10,000 checks and a
# year of history: disk, the dashboard's overview read, one check's 90 days, write transactions
# a second (bench/history/run.py says what each row measures). About 2 minutes.
#
# Usage: bench/history/run.sh [ROUNDS=15] [--checks N]
set -euo pipefail
cd "$(dirname "$0")/../.."
ROUNDS=${1:-15}
shift || true
scripts/install-deps.sh --bench
scripts/build.sh build >/dev/null
ninja -C build hale_history_fill >/dev/null
exec python3 bench/history/run.py --hale build/hale --fill build/hale_history_fill --rounds "$ROUNDS" "$@"
