/* SPDX-License-Identifier: GPL-2.0 */
/* What the filter benchmark's workloads share: the clock their runs are timed by, and the line
 * openloop and connect_loop end with. */
#ifndef FILTER_WORKLOAD_H
#define FILTER_WORKLOAD_H

#include <stdio.h>
#include <sys/resource.h>
#include <time.h>

static inline double wall_seconds(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

/* Prints "OPS CPU_SECONDS": operations done and the process's own user + system time, which
 * includes the BPF programs run in its syscalls. */
static inline void report(unsigned long ops)
{
	struct rusage usage;
	getrusage(RUSAGE_SELF, &usage);
	printf("%lu %.6f\n", ops,
	       usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6 + usage.ru_stime.tv_sec + usage.ru_stime.tv_usec / 1e6);
}

#endif
