#!/usr/bin/env bash
# The standard mixed workload of the fleet benchmark, for DURATION seconds: a steady background of
# what a busy node does (short-lived processes, file reads and writes, loopback connections), with
# every scenario of tests/scenarios (attacks and benign ones) run in turn through it.
# Usage: workload.sh DURATION SCENARIOS_DIR. Stays on this machine: files under a fresh temporary
# directory, network only to loopback, only processes it starts.
set -euo pipefail
duration=$1 scenarios=$2
work=$(mktemp -d /tmp/vigil-bench-workload-XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT
end=$((SECONDS + duration))

python3 -u -c '
import socket, sys
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(64)
open(sys.argv[1], "w").write(str(s.getsockname()[1]))
while True:
    c, _ = s.accept(); c.recv(4096); c.close()' "$work/port" >/dev/null 2>&1 &
until [ -s "$work/port" ]; do sleep 0.05; done
port=$(cat "$work/port")

background() {
  local i=0
  while [ $SECONDS -lt $end ]; do
    i=$((i + 1))
    for f in /etc/os-release /etc/hostname /etc/passwd /usr/share/common-licenses/GPL-3; do cat "$f" >/dev/null; done
    ls -l /usr/bin >/dev/null
    echo "line $i" >> "$work/app.log"
    sort "$work/app.log" > "$work/sorted" && mv "$work/sorted" "$work/app.sorted"
    grep -c line "$work/app.log" >/dev/null
    date +%s > "$work/last"
    bash -c "exec 3<>/dev/tcp/127.0.0.1/$port; echo ping >&3" 2>/dev/null || true
    sleep 0.05
  done
}
background &

# Listeners a scenario left behind (started in command substitutions, they are no job of its shell):
# found by the scenario's own scratch directory in their arguments, stopped by pid.
stop_leftovers() {
  local pid
  for pid in $(grep -lsF "$1" /proc/[0-9]*/cmdline | cut -d/ -f3); do kill "$pid" 2>/dev/null || true; done
}

mapfile -t dirs < <(find "$scenarios" -mindepth 1 -maxdepth 1 -type d | sort)
pause=$(( duration / (${#dirs[@]} + 1) ))
for dir in "${dirs[@]}"; do
  sleep "$pause"
  scratch=$(mktemp -d "$work/scenario-XXXXXX")
  WORK=$scratch setsid --fork --wait bash "$dir/run.sh" >/dev/null 2>"$work/$(basename "$dir").err" \
    || echo "workload: scenario $(basename "$dir") failed: $(tail -1 "$work/$(basename "$dir").err")" >&2
  stop_leftovers "$scratch"
  echo "workload: ran $(basename "$dir")" >&2
done
while [ $SECONDS -lt $end ]; do sleep 1; done
