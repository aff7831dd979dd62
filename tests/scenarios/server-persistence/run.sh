source "$(dirname "$0")/../lib.sh"
# A unit file of this scenario's own, removed on exit; systemd is never reloaded, so it never runs.
unit=$(mktemp /etc/systemd/system/vigil-eval-XXXXXX.service)
trap 'rm -f "$unit"; kill $(jobs -p) 2>/dev/null || true' EXIT
from_server "printf '[Service]\nExecStart=/bin/true\n' > '$unit'"
mark_end
