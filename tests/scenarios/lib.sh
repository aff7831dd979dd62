# Shared by the scenario scripts (bench/run eval). Everything a scenario does stays on this machine:
# files under $WORK (a fresh directory the runner deletes afterwards), network only to loopback,
# processes it starts and stops itself.
set -euo pipefail
# The system's programs, whatever the caller's PATH: a user's shims (pyenv, ...) would add shell
# scripts to every python3 call and make the runs differ from machine to machine.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
: "${WORK:?WORK must name the scratch directory of this scenario}"
# Servers are started inside $(...), a subshell whose jobs this shell does not see: their pids are kept in a file.
trap 'kill $(jobs -p) $(cat "$WORK/.servers" 2>/dev/null) 2>/dev/null || true; wait 2>/dev/null || true' EXIT

# Printed right after the scenario's last malicious action: time to detect counts from here.
mark_end() { echo "VIGIL-MARK end"; }

# A loopback TCP listener that reads and discards; prints its port.
start_listener() {
  local portfile="$WORK/.listener.$RANDOM"
  python3 -u -c '
import socket, sys
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(16)
open(sys.argv[1], "w").write(str(s.getsockname()[1]))
while True:
    c, _ = s.accept(); c.recv(65536); c.close()' "$portfile" >/dev/null 2>&1 &
  echo $! >>"$WORK/.servers"
  until [ -s "$portfile" ]; do sleep 0.05; done
  cat "$portfile"
}

# A loopback HTTP server over directory $1; prints its port.
serve_http() {
  local portfile="$WORK/.http.$RANDOM"
  python3 -u -c '
import functools, http.server, sys
h = functools.partial(http.server.SimpleHTTPRequestHandler, directory=sys.argv[2])
s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), h)
open(sys.argv[1], "w").write(str(s.server_address[1]))
s.serve_forever()' "$portfile" "$1" >/dev/null 2>&1 &
  echo $! >>"$WORK/.servers"
  until [ -s "$portfile" ]; do sleep 0.05; done
  cat "$portfile"
}

# Connects to 127.0.0.1:$1 and sends a line, from a python3 process.
call_out() { python3 -c 'import socket, sys; socket.create_connection(("127.0.0.1", int(sys.argv[1]))).sendall(b"hello\n")' "$1"; }

# Runs shell command $1 the way a compromised web server would: bash spawned by a process named nginx.
from_server() {
  [ -x "$WORK/nginx" ] || cp /usr/bin/python3 "$WORK/nginx"
  "$WORK/nginx" -c 'import subprocess, sys; sys.exit(subprocess.run(["/bin/bash", "-c", sys.argv[1]]).returncode)' "$1"
}
