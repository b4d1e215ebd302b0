#!/usr/bin/env bash
# bench/restart_vs_supervisord: how fast a crashed service runs again, hale against supervisord
# (SPEC §8; target: hale p95 <= 10 ms and faster than supervisord).
#
# Both supervise one `sleep 1000` that restarts at once, forever:
#   supervisord: autorestart=true, startsecs=0, startretries=1000000
#   hale:        restart = "always", backoff 0s, restart_budget 1000 per minute, stability_period 0s
# Each round SIGKILLs the current child and times kill -> a new child has exec'd `sleep 1000`, with
# the same poller for both (restart_poll.c, compiled here: /proc polled every 50 us). Rounds are
# interleaved (hale, supervisord, hale, ...) ~0.3 s apart; the script prints each round, then
# median and p95 per supervisor and their ratios.
#
# Usage: bench/restart_vs_supervisord/run.sh [ROUNDS=20]
#   HALE_BIN=path/to/hale   the hale binary (default build/hale, built if missing)
#   ONLY=supervisord|hale   measure one side only (the other is not started)
set -euo pipefail
cd "$(dirname "$0")/../.."
ROUNDS=${1:-20}
ONLY=${ONLY:-}
HALE_BIN=${HALE_BIN:-build/hale}

scripts/install-deps.sh --bench
if [[ $HALE_BIN == build/hale && $ONLY != supervisord && ! -x build/hale ]]; then
  scripts/build.sh build >/dev/null
fi

work=$(mktemp -d /tmp/hale-bench-restart-XXXXXX)
sup_pids=()
cleanup() {
  local kids=()
  for p in "${sup_pids[@]}"; do
    kids+=($(cat /proc/"$p"/task/*/children 2>/dev/null || true))
    kill "$p" 2>/dev/null || true
  done
  wait 2>/dev/null || true
  # Children that outlived their supervisor (should be none): by pid, never by name.
  for k in "${kids[@]}"; do kill -9 "$k" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

cc -O2 -o "$work/restart_poll" bench/restart_vs_supervisord/restart_poll.c
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

sides=()
if [[ $ONLY != hale ]]; then
  cat > "$work/supervisord.conf" <<CONF
[supervisord]
nodaemon=true
logfile=$work/supervisord.log
pidfile=$work/supervisord.pid
childlogdir=$work
loglevel=warn

[program:sleeper]
command=sleep 1000
autostart=true
autorestart=true
startsecs=0
startretries=1000000
stdout_logfile=$work/sleeper.out
stderr_logfile=$work/sleeper.err
CONF
  supervisord -n -c "$work/supervisord.conf" >"$work/supervisord.out" 2>&1 & sup_pids+=($!)
  supervisord_pid=$!
  sides+=(supervisord)
fi
if [[ $ONLY != supervisord ]]; then
  [[ -x $HALE_BIN ]] || { echo "no hale binary at $HALE_BIN (set HALE_BIN)" >&2; exit 1; }
  HALE_PORT=$(free_port)
  cat > "$work/hale.toml" <<TOML
[server]
listen = "127.0.0.1:$HALE_PORT"
state_dir = "$work/hale-state"

[services.sleeper]
command = ["sleep", "1000"]
restart = "always"
backoff = { base = "0s", max = "0s", jitter = "0ms" }
restart_budget = { max = 1000, window = "1m" }
stability_period = "0s"
TOML
  "$HALE_BIN" run -c "$work/hale.toml" --log-level warn 2>"$work/hale.log" & sup_pids+=($!)
  hale_pid=$!
  for _ in $(seq 100); do
    curl -fs -o /dev/null "http://127.0.0.1:$HALE_PORT/livez" && break
    kill -0 "$hale_pid" 2>/dev/null || break
    sleep 0.1
  done
  if ! kill -0 "$hale_pid" 2>/dev/null; then
    echo "FAIL: $HALE_BIN exited at start (a build without the supervisor rejects [services]):" >&2
    tail -n 20 "$work/hale.log" >&2
    exit 1
  fi
  sides=(hale "${sides[@]}")
fi

pid_of() { if [[ $1 == hale ]]; then echo "$hale_pid"; else echo "$supervisord_pid"; fi; }

declare -A times
for r in $(seq 1 "$ROUNDS"); do
  line="round $r:"
  for side in "${sides[@]}"; do
    if ! ms=$("$work/restart_poll" "$(pid_of "$side")" 5000); then
      echo "FAIL: $side did not (re)start \`sleep 1000\` within 5 s in round $r" >&2
      if [[ $side == hale ]]; then
        echo "  (hale's supervisor must run [services.sleeper]; its log:)" >&2
        tail -n 20 "$work/hale.log" >&2 || true
      fi
      exit 1
    fi
    times[$side]+="$ms "
    line+=$(printf ' %s %8.3f ms' "$side" "$ms")
    sleep 0.3
  done
  echo "$line"
done

stats() {  # median p95 (nearest rank) of the numbers given
  printf '%s\n' "$@" | sort -g | awk '{v[NR]=$1} END {
    m = (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2
    r = int(0.95 * NR); if (r < 0.95 * NR) r++; if (r < 1) r = 1
    printf "%.3f %.3f\n", m, v[r] }'
}

echo
echo "== restart_vs_supervisord: SIGKILL of the child -> new child running, $ROUNDS rounds each"
declare -A med p95
for side in "${sides[@]}"; do
  read -r med[$side] p95[$side] < <(stats ${times[$side]})
  printf '%-12s median %8.3f ms   p95 %8.3f ms\n' "$side:" "${med[$side]}" "${p95[$side]}"
done
if [[ -n ${med[hale]:-} && -n ${med[supervisord]:-} ]]; then
  awk -v hm="${med[hale]}" -v sm="${med[supervisord]}" -v hp="${p95[hale]}" -v sp="${p95[supervisord]}" 'BEGIN {
    printf "ratio hale/supervisord: median %.4fx, p95 %.4fx\n", hm/sm, hp/sp }'
fi
echo "target: hale p95 <= 10 ms and faster than supervisord"
