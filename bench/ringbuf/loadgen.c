/* Load generator for the ring-buffer benchmark: getppid() in a tight loop.
 * It waits for one byte on stdin before looping, so the consumer can be
 * loaded with this pid first; the loop is the same whichever consumer runs.
 * Usage: loadgen SECONDS < start-pipe. Prints "calls=N seconds=S". */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* Calls between clock reads: keeps the clock out of the measured loop. */
#define CALLS_PER_CHECK 1024

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	double duration = argc > 1 ? atof(argv[1]) : 5.0;
	unsigned long calls = 0;
	double start, elapsed;
	char go;

	if (duration <= 0) {
		fprintf(stderr, "usage: loadgen SECONDS < start-pipe\n");
		return 2;
	}
	if (read(STDIN_FILENO, &go, 1) != 1) {
		fprintf(stderr, "loadgen: stdin closed before the start byte\n");
		return 1;
	}
	start = now_seconds();
	do {
		for (int i = 0; i < CALLS_PER_CHECK; i++)
			syscall(SYS_getppid);
		calls += CALLS_PER_CHECK;
		elapsed = now_seconds() - start;
	} while (elapsed < duration);
	printf("calls=%lu seconds=%.6f\n", calls, elapsed);
	return 0;
}
