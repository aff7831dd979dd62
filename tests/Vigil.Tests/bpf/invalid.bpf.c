// SPDX-License-Identifier: GPL-2.0
/* Deliberately rejected by the verifier: dereferences a map lookup without a NULL check.
 * Used to prove a rejected sensor is reported (with the verifier log) and not fatal. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "vigil/common.h"
#include "vigil/ringbuf.h"
#include "vigil/task.h"

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

SEC("tp/sched/sched_process_exec")
int count_exec(void *ctx)
{
	__u32 zero = 0;
	__u64 *count = bpf_map_lookup_elem(&counters, &zero);

	*count += 1 + vigil_agent_tgid + vigil_wakeup_bytes;
	return 0;
}
