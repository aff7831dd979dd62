// SPDX-License-Identifier: GPL-2.0
/* Ring-buffer ingest benchmark: one 64-byte record per getppid() of the load
 * generator, with the batched wake-ups and drop counting every sensor uses. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "vigil/bench.h"
#include "vigil/ringbuf.h"
#include "vigil/task.h"

char LICENSE[] SEC("license") = "GPL";

VIGIL_EXPORT_RECORD(vigil_bench_record);

/* The load generator's thread-group id, set before load: every other
 * process's getppid() is ignored in the kernel. */
const volatile __u32 generator_tgid = 0;

/* 64 MiB: about half a second of records at 2 M/s, so a reader that is
 * descheduled for a while still loses nothing. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 64 << 20);
} bench_events SEC(".maps");

/* Runs for the generator, per CPU: lets the benchmark tell records lost on
 * the way to the reader from calls the kernel never ran this program for. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} generator_calls SEC(".maps");

SEC("tp/syscalls/sys_enter_getppid")
int on_getppid(void *ctx)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct vigil_bench_record *rec;
	__u32 zero = 0;
	__u64 *calls;

	if (pid_tgid >> 32 != generator_tgid)
		return 0;
	calls = bpf_map_lookup_elem(&generator_calls, &zero);
	if (calls)
		*calls += 1;
	rec = bpf_ringbuf_reserve(&bench_events, sizeof(*rec), 0);
	if (!rec) {
		vigil_count_drop();
		return 0;
	}
	vigil_fill_header(&rec->hdr, VIGIL_RECORD_BENCH, sizeof(*rec));
	rec->pid = pid_tgid >> 32;
	rec->tid = (__u32)pid_tgid;
	__builtin_memset(rec->payload, 0, sizeof(rec->payload));
	vigil_submit(&bench_events, rec);
	return 0;
}
