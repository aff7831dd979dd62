source "$(dirname "$0")/../lib.sh"
sleep 30 &
victim=$!
cat > "$WORK/inject.py" <<'PY'
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
pid = int(sys.argv[1])
PTRACE_ATTACH, PTRACE_DETACH = 16, 17
if libc.ptrace(PTRACE_ATTACH, pid, None, None) != 0:
    raise OSError(ctypes.get_errno(), "ptrace")
os.waitpid(pid, 0)
libc.ptrace(PTRACE_DETACH, pid, None, None)
PY
from_server "python3 '$WORK/inject.py' $victim"
mark_end
kill "$victim"
