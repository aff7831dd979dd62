// SPDX-License-Identifier: GPL-2.0
/* I/O-heavy workload of the filter benchmark: open, read and close an unwatched file in a loop for
 * the given seconds, then print "OPS CPU_SECONDS" (its own user + system time, which includes the
 * BPF programs that run in its syscalls). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: openloop SECONDS FILE\n");
		return 2;
	}
	double seconds = atof(argv[1]);
	struct timespec start, now;
	char buf[256];
	unsigned long ops = 0;

	clock_gettime(CLOCK_MONOTONIC, &start);
	do {
		for (int i = 0; i < 1000; i++, ops++) {
			int fd = open(argv[2], O_RDONLY);
			if (fd < 0 || read(fd, buf, sizeof(buf)) < 0) {
				perror(argv[2]);
				return 1;
			}
			close(fd);
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
	} while ((now.tv_sec - start.tv_sec) + (now.tv_nsec - start.tv_nsec) / 1e9 < seconds);

	struct rusage usage;
	getrusage(RUSAGE_SELF, &usage);
	printf("%lu %.6f\n", ops,
	       usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6 + usage.ru_stime.tv_sec + usage.ru_stime.tv_usec / 1e6);
	return 0;
}
