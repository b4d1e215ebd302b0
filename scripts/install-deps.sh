#!/usr/bin/env bash
# Installs every Debian 12 package hale needs to build, test and run its demo, if missing.
# Usage: scripts/install-deps.sh [--bench] [--fuzz]
#   --bench adds the peers of bench/: nginx, wrk, supervisor, blackbox_exporter, monit
#   --fuzz  adds Debian's clang and its compiler-rt (libFuzzer, ASan, UBSan), for scripts/fuzz.sh
#        scripts/install-deps.sh --build
#           only what building the hale executable needs (deploy/Dockerfile's builder stage)
set -euo pipefail

# What `cmake -DHALE_BUILD_TESTS=OFF -DHALE_BUILD_BENCH=OFF` needs (debian/control's
# Build-Depends name the same libraries).
packages=(
  build-essential cmake ninja-build ccache pkg-config git
  libboost-dev libcurl4-openssl-dev libssl-dev libtomlplusplus-dev nlohmann-json3-dev
  libspdlog-dev libfmt-dev libcli11-dev
  libsqlite3-dev libpcre2-dev libc-ares-dev
  libcctz-dev tzdata         # time zones of cron schedules
  libgrpc++-dev              # grpc checks: grpc.health.v1 through gRPC's C++ library (no protoc needed)
)
# The dashboard is bundled at build time by esbuild under node (web/, docs/dashboard.md). A node
# that is already there is kept (NodeSource's nodejs, for one, conflicts with Debian's npm).
command -v npm >/dev/null || packages+=(nodejs npm)
if [[ "${1:-}" != "--build" ]]; then
packages+=(
  libgtest-dev libgmock-dev libbenchmark-dev
  libsystemd-dev             # sd_notify() in tests/helpers/svc_child.cpp only; hale itself never links it
  monitoring-plugins-basic   # check_tcp, check_dummy, check_disk, check_load for exec checks
  prometheus                 # promtool, which checks /metrics in the tests
  openssl curl python3 procps
  python3-croniter           # reference for the cron differential test (tests/tools/croniter_next.py)
  prometheus-alertmanager    # the real Alertmanager that tests/integration/alerts_alertmanager_test.cpp delivers to
  python3-aiosmtpd           # the SMTP sink with STARTTLS and AUTH of the email alert tests (tests/tools/smtp_sink.py)
  # deploy/ and debian/ (tests/deploy): the Debian package, its lint, the manifests' parser
  dpkg-dev debhelper lintian python3-yaml
  chromium chromium-driver fonts-liberation fonts-dejavu-core  # the dashboard's browser tests (tests/browser)
)
fi
for arg in "$@"; do
  case "$arg" in
    --build) ;;
    --bench) packages+=(nginx-light wrk supervisor prometheus-blackbox-exporter monit) ;;
    # libFuzzer ships with clang, not gcc: clang (14, as clang and clang++) compiles the fuzz
    # build; libclang-rt-14-dev holds libclang_rt.fuzzer and the sanitizer runtimes it links
    # (tests/fuzz, docs/fuzzing.md).
    --fuzz) packages+=(clang libclang-rt-14-dev) ;;
    *) echo "usage: scripts/install-deps.sh [--bench] [--fuzz] | --build" >&2; exit 2 ;;
  esac
done

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "hale: installing ${missing[*]}" >&2
  SUDO=""
  [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  # Keep packaged daemons (prometheus, nginx, supervisord) from starting: hale's tests start their own.
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
    $SUDO chmod +x /usr/sbin/policy-rc.d
    trap '$SUDO rm -f /usr/sbin/policy-rc.d' EXIT
  fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
