source "$(dirname "$0")/../lib.sh"
mkdir -p "$WORK/home/.ssh"
echo "not a key" > "$WORK/home/.ssh/id_rsa"
from_server "find '$WORK' -name id_rsa >/dev/null"
mark_end
