source "$(dirname "$0")/../lib.sh"
log=$(mktemp /var/log/vigil-eval-XXXXXX.log)
trap 'rm -f "$log"; kill $(jobs -p) 2>/dev/null || true' EXIT
echo "evidence of the intrusion" >> "$log"   # appended, as a logger writes: only the attacker truncates
from_server "python3 -c 'import sys; open(sys.argv[1], \"w\").close()' '$log'"
mark_end
