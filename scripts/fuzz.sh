#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz (clang, ASan + UBSan, in build-fuzz/) and runs one
# or all of them, each for SECONDS, on a copy of its seed corpus (tests/fuzz/corpus/TARGET), so
# that nothing the fuzzer finds is written into the repository. Fails on any crash, leak,
# timeout or out-of-memory, after replaying the inputs of past crashes (tests/fuzz/regressions).
#
# Usage: scripts/fuzz.sh [TARGET|all] [SECONDS]     (default: all, 60 s each)
#        TARGET: config http_request ping cron expiry sd_notify nagios dns_answers
# Environment:
#   HALE_FUZZ_RUNS=N        stop each target after N executions instead (SECONDS still bounds it)
#   HALE_FUZZ_OUT=DIR       where the working corpora, logs and crash artifacts go (default: a new
#                           directory under $TMPDIR, kept when something failed)
#   HALE_FUZZ_BUILD_ONLY=1  build, replay the regressions, do not fuzz
# See docs/fuzzing.md.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

all_targets=(config http_request ping cron expiry sd_notify nagios dns_answers)
# Inputs longer than a target's parser ever meets are wasted executions: a config file, an HTTP
# request past the 8 KiB header limit (431), a ping body, a datagram, a plugin's first lines,
# a DNS response over UDP with EDNS.
declare -A max_len=([config]=16384 [http_request]=16384 [ping]=8192 [cron]=256 [expiry]=4096
                    [sd_notify]=4096 [nagios]=4096 [dns_answers]=1500)

target=${1:-all}
seconds=${2:-60}
if [[ "$target" == all ]]; then
  targets=("${all_targets[@]}")
elif [[ -n "${max_len[$target]:-}" ]]; then
  targets=("$target")
else
  echo "fuzz.sh: no target \"$target\" (${all_targets[*]})" >&2
  exit 2
fi
[[ "$seconds" =~ ^[0-9]+$ ]] || { echo "fuzz.sh: SECONDS must be a number" >&2; exit 2; }

scripts/install-deps.sh --fuzz
build=build-fuzz
if [[ ! -f "$build/build.ninja" ]]; then
  # -O1 and line tables only: what libFuzzer's docs and OSS-Fuzz use; asserts stay on (Debug).
  cmake -S . -B "$build" -G Ninja -DHALE_FUZZ=ON -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
    -DHALE_BUILD_TESTS=OFF -DHALE_BUILD_BENCH=OFF -DCMAKE_BUILD_TYPE=Debug \
    "-DCMAKE_CXX_FLAGS_DEBUG=-O1 -gline-tables-only" >/dev/null
fi
ninja -C "$build" fuzz_targets

out=${HALE_FUZZ_OUT:-$(mktemp -d "${TMPDIR:-/tmp}/hale-fuzz.XXXXXX")}
mkdir -p "$out"
# Leaks fail a run too (LeakSanitizer at the end of each input batch); UBSan stops at the first
# report (-fno-sanitize-recover in CMakeLists.txt) with a stack.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

failed=()
printf '%-13s %12s %9s %8s %8s %8s  %s\n' TARGET EXECS EXEC/S COV FT CORPUS RESULT
for t in "${targets[@]}"; do
  bin="$build/fuzz/${t}_fuzz"
  log="$out/$t.log"
  # Every input that once crashed hale, run once each: a fixed bug stays fixed.
  if compgen -G "tests/fuzz/regressions/$t/*" >/dev/null; then
    if ! "$bin" -runs=1 tests/fuzz/regressions/"$t"/* >"$out/$t.regressions.log" 2>&1; then
      echo "$t: a regression input fails again: $out/$t.regressions.log" >&2
      failed+=("$t")
      continue
    fi
  fi
  [[ "${HALE_FUZZ_BUILD_ONLY:-0}" == 1 ]] && continue
  corpus="$out/corpus/$t"
  mkdir -p "$corpus" "$out/artifacts"
  cp -r "tests/fuzz/corpus/$t/." "$corpus/"
  args=(-max_total_time="$seconds" -max_len="${max_len[$t]}" -timeout=10 -rss_limit_mb=2048
        -print_final_stats=1 -artifact_prefix="$out/artifacts/$t-")
  [[ -n "${HALE_FUZZ_RUNS:-}" ]] && args+=(-runs="$HALE_FUZZ_RUNS")
  [[ -f "tests/fuzz/$t.dict" ]] && args+=(-dict="tests/fuzz/$t.dict")
  result=ok
  "$bin" "${args[@]}" "$corpus" >"$log" 2>&1 || result="FAILED ($log)"
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
  # The last status line: "#N DONE cov: C ft: F corp: U/S ..." (or the last one before a crash).
  last=$(grep -E '^#[0-9]+[[:space:]]+(DONE|pulse|NEW|REDUCE|INITED)' "$log" | tail -1 || true)
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
  corp=$(sed -n 's/.* corp: \([0-9]*\/[0-9]*[a-zA-Z]*\).*/\1/p' <<<"$last")
  printf '%-13s %12s %9s %8s %8s %8s  %s\n' "$t" "${execs:-?}" "${rate:-?}" "${cov:-?}" "${ft:-?}" "${corp:-?}" "$result"
  [[ "$result" == ok ]] || failed+=("$t")
done

if ((${#failed[@]})); then
  echo "fuzz.sh: failed: ${failed[*]}; logs and crash inputs in $out (artifacts/)" >&2
  grep -h -A3 -E '^==[0-9]+==ERROR|^SUMMARY|runtime error' "$out"/*.log >&2 || true
  exit 1
fi
# Nothing to keep: the grown corpora are scratch (seeds live in tests/fuzz/corpus).
[[ -z "${HALE_FUZZ_OUT:-}" ]] && rm -rf "$out"
exit 0
