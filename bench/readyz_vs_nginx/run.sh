#!/usr/bin/env bash
# bench/readyz_vs_nginx: /readyz throughput and p99 of hale against nginx serving a fixed 200
# (SPEC §8: hale >= 0.9x nginx's req/s, p99 no worse), the same for /guard/NAME (SPEC §7: a
# guard answers at /readyz speed, a 204 for a usable check), and hale's idle RSS with 10 checks
# (target < 8 MB).
#
# nginx: one worker, `location / { return 200 "ok"; }`.
# hale:  one I/O thread, 1,000 http checks at a 10 s interval, 100 of them against a server
#        that accepts and never answers, so they hang until their 2 s timeout.
# Both are driven by the same wrk settings, interleaved over ROUNDS rounds (the machine is
# shared and noisy); the script prints each round, the medians and their ratios.
#
# Usage: bench/readyz_vs_nginx/run.sh [ROUNDS=5] [DURATION=10s] [CONNECTIONS=32]
#   HALE_BIN=path/to/hale   the hale binary (default build/hale), e.g. an older build to compare
set -euo pipefail
cd "$(dirname "$0")/../.."
ROUNDS=${1:-5}
DURATION=${2:-10s}
CONNS=${3:-32}
HALE_BIN=${HALE_BIN:-build/hale}

scripts/install-deps.sh --bench
scripts/build.sh build >/dev/null

work=$(mktemp -d /tmp/hale-bench-XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  [[ -f $work/nginx.pid ]] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_http() { for _ in $(seq 100); do curl -fs -o /dev/null "$1" && return 0; sleep 0.1; done; echo "no answer from $1" >&2; return 1; }

NGINX_PORT=$(free_port); HALE_PORT=$(free_port); IDLE_PORT=$(free_port)
OK_PORT=$(free_port); HANG_PORT=$(free_port)

python3 bench/common/targets.py http "$OK_PORT" & pids+=($!)
python3 bench/common/targets.py hang "$HANG_PORT" & pids+=($!)

cat > "$work/nginx.conf" <<NGINX
worker_processes 1;
daemon on;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $work/ngx-body;
  proxy_temp_path $work/ngx-proxy;
  fastcgi_temp_path $work/ngx-fcgi;
  uwsgi_temp_path $work/ngx-uwsgi;
  scgi_temp_path $work/ngx-scgi;
  server {
    listen 127.0.0.1:$NGINX_PORT;
    location / { return 200 "ok"; }
  }
}
NGINX
nginx -c "$work/nginx.conf"

{
  printf '[server]\nlisten = "127.0.0.1:%s"\nmax_connections = 4096\n\n' "$HALE_PORT"
  printf '[defaults]\ninterval = "10s"\ntimeout = "2s"\n\n'
  for i in $(seq 1 900); do
    printf '[checks.ok-%04d]\ntype = "http"\nurl = "http://127.0.0.1:%s/%d"\n\n' "$i" "$OK_PORT" "$i"
  done
  for i in $(seq 1 100); do
    # Non-critical: they fail (timeout), yet /readyz keeps answering 200 at full speed.
    printf '[checks.hang-%04d]\ntype = "http"\nurl = "http://127.0.0.1:%s/%d"\ncritical = false\n\n' "$i" "$HANG_PORT" "$i"
  done
} > "$work/hale.toml"
"$HALE_BIN" run -c "$work/hale.toml" --log-level error 2>"$work/hale.log" & pids+=($!)
hale_pid=$!
wait_http "http://127.0.0.1:$NGINX_PORT/"
wait_http "http://127.0.0.1:$HALE_PORT/livez"
# Wait until every critical check has a result (bounded), and the hung ones reached their timeout.
for _ in $(seq 300); do
  [[ $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$HALE_PORT/readyz") == 200 ]] && break
  sleep 0.1
done
sleep 3
echo "hale /readyz before the load: $(curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:$HALE_PORT/readyz)"

# wrk prints "Requests/sec: N" and, with --latency, "99% X" with a unit (us, ms, s).
run_wrk() {
  local out rps p99
  out=$(wrk -t1 -c"$CONNS" -d"$DURATION" --latency "$1")
  rps=$(awk '/Requests\/sec:/ {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {v=$2; if (v ~ /us$/) {sub(/us$/,"",v); v=v/1000} else if (v ~ /ms$/) {sub(/ms$/,"",v)} else if (v ~ /s$/) {sub(/s$/,"",v); v=v*1000}; print v}' <<<"$out")
  echo "$rps $p99"
}

echo "hale /guard/ok-0500 before the load: $(curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:$HALE_PORT/guard/ok-0500)"
nginx_rps=(); nginx_p99=(); hale_rps=(); hale_p99=(); guard_rps=(); guard_p99=()
for r in $(seq 1 "$ROUNDS"); do
  read -r a b < <(run_wrk "http://127.0.0.1:$NGINX_PORT/readyz")
  read -r c d < <(run_wrk "http://127.0.0.1:$HALE_PORT/readyz")
  read -r e f < <(run_wrk "http://127.0.0.1:$HALE_PORT/guard/ok-0500")
  nginx_rps+=("$a"); nginx_p99+=("$b"); hale_rps+=("$c"); hale_p99+=("$d"); guard_rps+=("$e"); guard_p99+=("$f")
  printf 'round %d: nginx %10.0f req/s p99 %7.3f ms | hale /readyz %10.0f req/s p99 %7.3f ms | hale /guard %10.0f req/s p99 %7.3f ms\n' \
    "$r" "$a" "$b" "$c" "$d" "$e" "$f"
done
median() { printf '%s\n' "$@" | sort -g | awk '{v[NR]=$1} END {if (NR%2) print v[(NR+1)/2]; else print (v[NR/2]+v[NR/2+1])/2}'; }
n_rps=$(median "${nginx_rps[@]}"); n_p99=$(median "${nginx_p99[@]}")
h_rps=$(median "${hale_rps[@]}"); h_p99=$(median "${hale_p99[@]}")
g_rps=$(median "${guard_rps[@]}"); g_p99=$(median "${guard_p99[@]}")
echo "hale /readyz after the load: $(curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:$HALE_PORT/readyz)"
hung=$(curl -s "http://127.0.0.1:$HALE_PORT/metrics" | awk '/^hale_check_probe_errors_total\{check="hang-.*code="timeout"/ {n+=$2} END {print n+0}')
echo "timeouts recorded by the 100 hung checks during the run: $hung"

# Idle RSS: 10 checks, nothing else going on.
{
  printf '[server]\nlisten = "127.0.0.1:%s"\n\n[defaults]\ninterval = "10s"\n\n' "$IDLE_PORT"
  for i in $(seq 1 10); do
    printf '[checks.idle-%02d]\ntype = "http"\nurl = "http://127.0.0.1:%s/%d"\n\n' "$i" "$OK_PORT" "$i"
  done
} > "$work/idle.toml"
"$HALE_BIN" run -c "$work/idle.toml" --log-level error 2>"$work/idle.log" & pids+=($!)
idle_pid=$!
wait_http "http://127.0.0.1:$IDLE_PORT/livez"
sleep 12   # at least one full interval of probes
rss_kb=$(awk '/VmRSS/ {print $2}' "/proc/$idle_pid/status")
anon_kb=$(awk '/RssAnon/ {print $2}' "/proc/$idle_pid/status")
file_kb=$(awk '/RssFile/ {print $2}' "/proc/$idle_pid/status")
pss_kb=$(awk '/^Pss:/ {print $2}' "/proc/$idle_pid/smaps_rollup")
nginx_rss_kb=$(for p in $(pgrep -f "nginx: (master|worker)"); do awk '/VmRSS/ {print $2}' "/proc/$p/status"; done | awk '{s+=$1} END {print s+0}')
hale_busy_rss_kb=$(awk '/VmRSS/ {print $2}' "/proc/$hale_pid/status")

echo
echo "== readyz_vs_nginx: medians of $ROUNDS rounds, wrk -t1 -c$CONNS -d$DURATION"
printf 'nginx: %10.0f req/s  p99 %7.3f ms\n' "$n_rps" "$n_p99"
printf 'hale:  %10.0f req/s  p99 %7.3f ms   (1,000 checks, 100 hung)\n' "$h_rps" "$h_p99"
printf 'hale /guard/NAME: %10.0f req/s  p99 %7.3f ms   (204 for a usable check)\n' "$g_rps" "$g_p99"
awk -v h="$h_rps" -v n="$n_rps" -v hp="$h_p99" -v np="$n_p99" 'BEGIN {
  printf "ratio hale/nginx: throughput %.2fx (target >= 0.90), p99 %.2fx (target <= 1.00)\n", h/n, hp/np }'
awk -v h="$g_rps" -v n="$n_rps" -v hp="$g_p99" -v np="$n_p99" 'BEGIN {
  printf "ratio hale /guard/nginx: throughput %.2fx (target >= 0.90), p99 %.2fx (target <= 1.00)\n", h/n, hp/np }'
awk -v k="$rss_kb" -v a="$anon_kb" -v f="$file_kb" -v p="$pss_kb" 'BEGIN {
  printf "hale idle RSS with 10 checks: %.1f MB (target < 8 MB): %.1f MB private (heap, stacks), %.1f MB shared library pages; PSS %.1f MB\n", k/1024, a/1024, f/1024, p/1024 }'
awk -v k="$nginx_rss_kb" 'BEGIN { printf "nginx RSS (master + worker), for scale: %.1f MB\n", k/1024 }'
awk -v k="$hale_busy_rss_kb" 'BEGIN { printf "hale RSS with 1,000 checks after the load: %.1f MB\n", k/1024 }'
