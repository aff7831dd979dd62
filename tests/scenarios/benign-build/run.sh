source "$(dirname "$0")/../lib.sh"
cd "$WORK"
printf '#include <stdio.h>\nint main(void) { puts("hello"); return 0; }\n' > hello.c
printf 'hello: hello.c\n\tcc -O2 -o hello hello.c\n' > Makefile
make -s
./hello >/dev/null
