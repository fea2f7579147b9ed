#!/usr/bin/env bash
# Artillery (pinned in package.json) against the reference jobber server: 100 users in lock-step
# emitting `send_job` and waiting for each ack (jobber-send-job.yml). Prints acks/s and the CPU
# time Artillery's process tree spends per 1000 acks, over a measured window after a warm-up.
#
#   cd benches/artillery && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci   # once (no browser needed)
#   cargo build --release -p harness      # the server: target/release/wsconform
#   benches/artillery/run.sh [SECONDS]    # the measured window, default 10
#
# Artillery is pinned to 2.0.21, the last release that runs on Node 20 (2.0.22 and later declare
# node >= 22.13). Its Playwright engine wants a browser download at install time; this script
# does not use it, hence PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD.
#
# Jobs are sent with no worker registered, so they stay queued: at about 2 500 acks/s the
# server's default limit of 100 000 unfinished jobs per customer is reached after ~40 s, and
# later acks are rejections (counted and printed as such).
#
# Environment (every limit named):
#   BENCH_WARMUP_SECONDS   acks not counted once every user has had its first, default 2
#   ARTILLERY_START_LIMIT  seconds Artillery may take to start and connect every user, default 120
#   WSCONFORM              the server binary, default <repo>/target/release/wsconform
#
# Artillery waits for an ack forever, so the whole run is bounded by `timeout` (start limit +
# warm-up + window + 30 s to finish); a run that hits it is reported as failed.
# Exit status: 0 figures printed, 1 the run failed (reason on stderr).

set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
seconds=${1:-10}
warm_up=${BENCH_WARMUP_SECONDS:-2}
start_limit=${ARTILLERY_START_LIMIT:-120}
finish_limit=30
users=100  # the arrivalCount of jobber-send-job.yml
wsconform=${WSCONFORM:-$repo/target/release/wsconform}
artillery=$here/node_modules/.bin/artillery

fail() { echo "run.sh: $*" >&2; exit 1; }
[[ $seconds =~ ^[0-9]+$ && $seconds -gt 0 ]] || fail "SECONDS must be a whole number above 0"
[[ -x $artillery ]] || fail "Artillery is not installed: cd $here && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci"
[[ -x $wsconform ]] || fail "no server at $wsconform: cargo build --release -p harness"

state=$(mktemp -d)
server_pid=''
artillery_pid=''
cleanup() {
  stop "$artillery_pid"
  stop "$server_pid"
  wait 2>/dev/null || true
  rm -rf "$state"
}
# Asks a process to stop, and kills it and its descendants if it has not within 5 s (a stopped
# or stuck process would otherwise keep `wait` and this script waiting forever; killing only
# `timeout` would leave Artillery's node running).
stop() {
  local polls=50 tree
  [[ -n $1 ]] || return 0
  tree=$(descendants "$1")
  kill "$1" 2>/dev/null || return 0
  while alive "$1" && ((polls-- > 0)); do sleep 0.1; done
  # shellcheck disable=SC2086 # one pid a word
  if alive "$1"; then kill -KILL $tree 2>/dev/null || true; fi
}
alive() {  # running, stopped or stuck; not exited (a zombie waiting to be reaped)
  local stat
  stat=$(ps -o stat= -p "$1" 2>/dev/null) && [[ $stat != Z* ]]
}
trap cleanup EXIT

# User + system clock ticks of a process and its descendants (children's reaped time included).
tree_ticks() {
  local total=0 pid stat fields
  for pid in $(descendants "$1"); do
    stat=$(cat "/proc/$pid/stat" 2>/dev/null) || continue
    read -r -a fields <<<"${stat##*) }"
    # Index 0 is stat field 3 (after the command name): utime, stime, cutime, cstime (fields
    # 14-17) are indexes 11-14.
    total=$((total + fields[11] + fields[12] + fields[13] + fields[14]))
  done
  echo "$total"
}
descendants() {
  local child
  echo "$1"
  for child in $(cat /proc/"$1"/task/*/children 2>/dev/null); do descendants "$child"; done
}

# Waits for a marker file of processor.js, at most $2 seconds (polled every 20 ms).
await_marker() {
  local polls=$(($2 * 50))
  while [[ ! -e $state/$1 ]]; do
    ((polls-- > 0)) || fail "no '$1' from Artillery within $2 s (see its log below)"$'\n'"$(tail -20 "$state/artillery.log")"
    kill -0 "$artillery_pid" 2>/dev/null || fail "Artillery exited early:"$'\n'"$(tail -20 "$state/artillery.log")"
    sleep 0.02
  done
}

# The server prints `listening jobber <url>` once it is bound; read it from a pipe, bounded.
mkfifo "$state/server.out"
"$wsconform" serve --jobber-port 0 --ark-port 0 --jobber-token tok-a --jobber-token tok-b \
  >"$state/server.out" 2>"$state/server.err" &
server_pid=$!
exec 3<"$state/server.out"
url=''
while IFS= read -r -t 10 line <&3; do
  if [[ $line == "listening jobber "* ]]; then url=${line#listening jobber }; break; fi
done
[[ -n $url ]] || fail "the server did not print 'listening jobber <url>' within 10 s: $(cat "$state/server.err")"
cat <&3 >/dev/null &  # keep draining its stdout so it never blocks on a full pipe

cd "$here"
BENCH_STATE_DIR=$state BENCH_USERS=$users BENCH_SECONDS=$seconds BENCH_WARMUP_SECONDS=$warm_up \
  ARTILLERY_DISABLE_TELEMETRY=true \
  timeout --kill-after=5 $((start_limit + warm_up + seconds + finish_limit)) \
  "$artillery" run --target "$url" --output "$state/report.json" jobber-send-job.yml \
  >"$state/artillery.log" 2>&1 &
artillery_pid=$!

await_marker window-start $((start_limit + warm_up))
artillery_before=$(tree_ticks "$artillery_pid")
server_before=$(tree_ticks "$server_pid")
await_marker window-end $((seconds + finish_limit))
artillery_after=$(tree_ticks "$artillery_pid")
server_after=$(tree_ticks "$server_pid")

status=0
wait "$artillery_pid" || status=$?
artillery_pid=''
((status == 0)) || fail "Artillery exited with status $status (124: killed by the timeout)"$'\n'"$(tail -20 "$state/artillery.log")"

compgen -G "$state/acks-*.json" >/dev/null || fail "Artillery left no ack count"
read -r acks rejected < <(jq -s -r '[(map(.acks) | add), (map(.rejected) | add)] | @tsv' "$state"/acks-*.json)
errors=$(jq -r '[.aggregate.counters // {} | to_entries[] | select(.key | startswith("errors.")) | .value] | add // 0' "$state/report.json")
tick_ms=$((1000 / $(getconf CLK_TCK)))
artillery_ms=$(((artillery_after - artillery_before) * tick_ms))
server_ms=$(((server_after - server_before) * tick_ms))
((acks > 0)) || fail "no ack inside the window"

echo "artillery $("$artillery" --version 2>/dev/null | sed -n 's/^Artillery: *//p'), node $(node --version), target $url"
echo "$users users in lock-step, send_job + ack, ${seconds} s window after ${warm_up} s warm-up"
awk -v a="$acks" -v r="$rejected" -v e="$errors" -v s="$seconds" -v cm="$artillery_ms" -v sm="$server_ms" 'BEGIN {
  printf "acks              %d (%d rejected by the server, %d Artillery errors)\n", a, r, e
  printf "acks/s            %.0f\n", a / s
  printf "Artillery CPU     %d ms in the window, %.1f ms per 1000 acks\n", cm, cm * 1000 / a
  printf "server CPU        %d ms in the window, %.1f ms per 1000 acks\n", sm, sm * 1000 / a
}'
