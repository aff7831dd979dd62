source "$(dirname "$0")/../lib.sh"
python3 -u -c '
import socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 3333)); s.listen(4)
print("ready", flush=True)
while True:
    c, _ = s.accept(); c.recv(4096); c.close()' > "$WORK/pool.ready" &
until [ -s "$WORK/pool.ready" ]; do sleep 0.05; done
cp /usr/bin/python3 "$WORK/xmrig"
"$WORK/xmrig" -c 'import hashlib, socket, time
end = time.time() + 1
while time.time() < end:
    hashlib.sha256(b"nonce").digest()
socket.create_connection(("127.0.0.1", 3333)).sendall(b"{\"method\": \"login\"}\n")'
mark_end
