/* Reference consumer for the ring-buffer benchmark, on libbpf's ring_buffer
 * API: what the C# reader is measured against.
 * The BPF object is embedded through its bpftool skeleton, generated from
 * the same bench_ringbuf.bpf.o the C# consumer loads.
 * Usage: consumer GENERATOR_PID WAKEUP_BYTES. Prints "ready" once
 * attached; on SIGINT or SIGTERM drains the ring and prints
 * "events=N drops=N missed=N seen=N cpu_s=X unexpected=N" (CPU time since
 * ready; missed: program runs the kernel skipped because another BPF program
 * was active on that CPU; seen: generator calls the program ran for). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <linux/types.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "vigil/bench.h"
#include "bench_ringbuf.skel.h"

/* Same as the C# reader's default: bounds the delay of records submitted without a wake-up. */
#define POLL_TIMEOUT_MS 10

static volatile sig_atomic_t stopping;

struct tally {
	unsigned long events;
	unsigned long unexpected;
};

static void on_stop_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

static int on_record(void *ctx, void *data, size_t size)
{
	const struct vigil_bench_record *rec = data;
	struct tally *tally = ctx;

	(void)size;
	if (rec->hdr.kind == VIGIL_RECORD_BENCH)
		tally->events++;
	else
		tally->unexpected++;
	return 0;
}

static double cpu_seconds(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	       ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

/* Sums a per-CPU u64 counter; 0 if it cannot be read (the run script's
 * accounting then fails loudly). */
static unsigned long sum_per_cpu(const struct bpf_map *map)
{
	int cpus = libbpf_num_possible_cpus();
	__u64 values[cpus];
	__u32 zero = 0;
	unsigned long sum = 0;

	if (bpf_map_lookup_elem(bpf_map__fd(map), &zero, values))
		return 0;
	for (int i = 0; i < cpus; i++)
		sum += values[i];
	return sum;
}

static unsigned long recursion_misses(struct bench_ringbuf_bpf *skel)
{
	struct bpf_prog_info info = { 0 };
	__u32 length = sizeof(info);

	if (bpf_obj_get_info_by_fd(bpf_program__fd(skel->progs.on_getppid), &info, &length))
		return 0;
	return info.recursion_misses;
}

static int consume(struct bench_ringbuf_bpf *skel)
{
	struct tally tally = { 0 };
	struct ring_buffer *rb;
	double cpu_start, cpu;
	int rc = 0;

	rb = ring_buffer__new(bpf_map__fd(skel->maps.bench_events), on_record, &tally, NULL);
	if (!rb) {
		fprintf(stderr, "consumer: ring_buffer__new: %d\n", -errno);
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	cpu_start = cpu_seconds();
	while (!stopping && rc >= 0) {
		rc = ring_buffer__poll(rb, POLL_TIMEOUT_MS);
		/* Producers skip the wake-up under the threshold: drain on timeout too. */
		if (rc == 0)
			rc = ring_buffer__consume(rb);
		if (rc == -EINTR)
			rc = 0;
	}
	if (rc >= 0)
		rc = ring_buffer__consume(rb);
	cpu = cpu_seconds() - cpu_start;
	if (rc < 0)
		fprintf(stderr, "consumer: reading the ring: %d\n", rc);
	else
		printf("events=%lu drops=%lu missed=%lu seen=%lu cpu_s=%.3f unexpected=%lu\n",
		       tally.events, sum_per_cpu(skel->maps.vigil_drops), recursion_misses(skel),
		       sum_per_cpu(skel->maps.generator_calls), cpu, tally.unexpected);
	ring_buffer__free(rb);
	return rc < 0;
}

int main(int argc, char **argv)
{
	struct sigaction stop = { .sa_handler = on_stop_signal };
	struct bench_ringbuf_bpf *skel;
	int rc;

	if (argc != 3) {
		fprintf(stderr, "usage: consumer GENERATOR_PID WAKEUP_BYTES\n");
		return 2;
	}
	sigaction(SIGINT, &stop, NULL);
	sigaction(SIGTERM, &stop, NULL);

	skel = bench_ringbuf_bpf__open();
	if (!skel) {
		fprintf(stderr, "consumer: open: %d\n", -errno);
		return 1;
	}
	skel->rodata->generator_tgid = (__u32)atoi(argv[1]);
	skel->rodata->vigil_wakeup_bytes = strtoull(argv[2], NULL, 10);
	rc = bench_ringbuf_bpf__load(skel);
	if (!rc)
		rc = bench_ringbuf_bpf__attach(skel);
	if (rc)
		fprintf(stderr, "consumer: load and attach: %d\n", rc);
	else
		rc = consume(skel);
	bench_ringbuf_bpf__destroy(skel);
	return rc != 0;
}
