#!/usr/bin/env bash
# Builds hale and runs every test. Installs what is missing first (Debian 12, as root).
# Usage: scripts/test.sh             build/ and the whole suite
#        scripts/test.sh --sanitize  the same under AddressSanitizer + UndefinedBehaviorSanitizer
#                                    in build-asan/
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh

if [[ "${1:-}" == "--sanitize" ]]; then
  dir=build-asan
  args=(-DCMAKE_BUILD_TYPE=Debug -DHALE_SANITIZE=ON -DHALE_BUILD_BENCH=OFF)
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0
  export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
else
  dir=build
  args=()
fi
scripts/build.sh "$dir" "${args[@]}"
cd "$dir"
ctest --output-on-failure -j2 --timeout 300
