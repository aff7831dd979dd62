// SPDX-License-Identifier: GPL-2.0
/* I/O workload of the filter benchmark: opens, reads to the end and closes the given (unwatched)
 * files in turn for the given seconds, then prints "OPS CPU_SECONDS": opens done and its own user +
 * system time, which includes the BPF programs run in its syscalls. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "workload.h"

static char buf[64 << 10];

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: openloop SECONDS FILE...\n");
		return 2;
	}
	double seconds = atof(argv[1]);
	int files = argc - 2;
	unsigned long ops = 0;

	double start = wall_seconds();
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
	} while (wall_seconds() - start < seconds);

	report(ops);
	return 0;
}
