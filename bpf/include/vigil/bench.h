/* Benchmark records: not sensor output, but the same header and ring path,
 * so a benchmark measures what a sensor's reader would pay. */
#ifndef VIGIL_BENCH_H
#define VIGIL_BENCH_H

#include "common.h"

/* 64 bytes, the size of a small real event (e.g. a fork without context). */
struct vigil_bench_record {
	struct vigil_header hdr;
	__u32 pid;
	__u32 tid;
	__u8 payload[40];    /* stands in for event fields; zeroed */
};

#endif
