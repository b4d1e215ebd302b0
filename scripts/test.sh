#!/usr/bin/env bash
# Builds hale and runs every test. Installs what is missing first (Debian 12, as root).
# Usage: scripts/test.sh             build/ and the whole suite
#        scripts/test.sh --sanitize  the same under AddressSanitizer + UndefinedBehaviorSanitizer
#                                    in build-asan/
#        scripts/test.sh --tsan      the same under ThreadSanitizer in build-tsan/, but for the
#                                    grpc tests (see below)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh

exclude=()
case "${1:-}" in
  --sanitize)
    dir=build-asan
    args=(-DCMAKE_BUILD_TYPE=Debug -DHALE_SANITIZE=ON -DHALE_BUILD_BENCH=OFF)
    export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0
    export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
    ;;
  --tsan)
    dir=build-tsan
    args=(-DCMAKE_BUILD_TYPE=Debug -DHALE_TSAN=ON -DHALE_BUILD_BENCH=OFF)
    # Every process the tests start (the hale daemon, hale exec, ...) writes its reports here,
    # not only the test programs: a race inside the daemon fails the run too.
    reports=$(mktemp -d /tmp/hale-tsan.XXXXXX)
    export TSAN_OPTIONS="halt_on_error=0 second_deadlock_stack=1 log_path=$reports/report"
    # Debian's gRPC and abseil are not built with ThreadSanitizer: it cannot see their atomics
    # and reports their internals as races. The grpc tests run in the other two builds.
    exclude=(-E 'Grpc')
    ;;
  *)
    dir=build
    args=()
    ;;
esac
scripts/build.sh "$dir" "${args[@]}"
cd "$dir"
status=0
ctest --output-on-failure -j2 --timeout 300 "${exclude[@]}" || status=$?
# ctest lists skipped tests without their reason; the tests of tests/deploy print theirs as
# "SKIPPED: ..." (the docker image where no docker engine answers): show it.
grep -h '^SKIPPED: ' Testing/Temporary/LastTest.log 2>/dev/null | sort -u >&2 || true
if [[ "${1:-}" == "--tsan" ]]; then
  if compgen -G "$reports/report*" >/dev/null; then
    echo "ThreadSanitizer reports (in $reports):" >&2
    grep -h '^SUMMARY' "$reports"/report* | sort | uniq -c >&2
    status=1
  else
    rm -rf "$reports"
  fi
fi
exit "$status"
