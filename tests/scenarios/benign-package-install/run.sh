source "$(dirname "$0")/../lib.sh"
mkdir -p "$WORK/pkg/usr/bin" "$WORK/mirror" "$WORK/root"
cp /usr/bin/true "$WORK/pkg/usr/bin/hello-tool"
tar -C "$WORK/pkg" -czf "$WORK/mirror/hello-tool.tar.gz" .
mirror=$(serve_http "$WORK/mirror")
python3 -c 'import sys, urllib.request; urllib.request.urlretrieve(sys.argv[1], sys.argv[2])' "http://127.0.0.1:$mirror/hello-tool.tar.gz" "$WORK/hello-tool.tar.gz"
tar -C "$WORK/root" -xzf "$WORK/hello-tool.tar.gz"
chmod 755 "$WORK/root/usr/bin/hello-tool"
"$WORK/root/usr/bin/hello-tool"
