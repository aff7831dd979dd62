source "$(dirname "$0")/../lib.sh"
mkdir -p "$WORK/data" "$WORK/backups"
for i in $(seq 1 50); do head -c 4096 /dev/urandom > "$WORK/data/file$i"; done
tar -C "$WORK" -czf "$WORK/backups/data-new.tar.gz" data
sha256sum "$WORK/backups/data-new.tar.gz" > "$WORK/backups/data-new.sha256"
cp "$WORK/backups/data-new.tar.gz" "$WORK/backups/data-old.tar.gz"
rm -f "$WORK/backups/data-old.tar.gz"
