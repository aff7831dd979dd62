source "$(dirname "$0")/../lib.sh"
cp /usr/bin/python3 "$WORK/loader"
"$WORK/loader" -c 'import os
fd = os.memfd_create("payload")
os.write(fd, open("/usr/bin/true", "rb").read())
os.execv(f"/proc/self/fd/{fd}", ["payload"])'
mark_end
