// SPDX-License-Identifier: GPL-2.0
/* I/O workload of the filter benchmark: opens, reads to the end and closes the given (unwatched)
 * files in turn for the given seconds, then prints "OPS CPU_SECONDS": opens done and its own user +
 * system time, which includes the BPF programs run in its syscalls. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

static char buf[64 << 10];

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: openloop SECONDS FILE...\n");
		return 2;
	}
	double seconds = atof(argv[1]);
	int files = argc - 2;
	struct timespec start, now;
	unsigned long ops = 0;

	clock_gettime(CLOCK_MONOTONIC, &start);
	do {
		for (int i = 0; i < 256; i++, ops++) {
			const char *path = argv[2 + ops % files];
			int fd = open(path, O_RDONLY);
			ssize_t n;
			if (fd < 0) {
				perror(path);
				return 1;
			}
			while ((n = read(fd, buf, sizeof(buf))) > 0)
				;
			if (n < 0) {
				perror(path);
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
