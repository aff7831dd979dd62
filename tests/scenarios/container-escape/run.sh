source "$(dirname "$0")/../lib.sh"
# A cgroup named as docker names a container's, under a top directory of this scenario's own.
mount=/sys/fs/cgroup/unified
top="$mount/vigil-eval-$RANDOM"
id=$(head -c 32 /dev/urandom | sha256sum | cut -c1-64)
mkdir -p "$top/system.slice/docker-$id.scope"
cleanup() {
  rmdir "$top/system.slice/docker-$id.scope" "$top/system.slice" "$top" 2>/dev/null || true
  kill $(jobs -p) 2>/dev/null || true
}
trap cleanup EXIT
mkdir -p "$WORK/cgroup" "$WORK/mnt"
bash -c "echo \$\$ > '$top/system.slice/docker-$id.scope/cgroup.procs'
  echo '/tmp/x' > '$WORK/cgroup/release_agent'
  unshare --mount --propagation private mount -t tmpfs none '$WORK/mnt'"
mark_end
