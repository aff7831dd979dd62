// SPDX-License-Identifier: GPL-2.0
/* Loads fine but cannot attach: the tracepoint does not exist. One working program comes
 * first, so the test proves a half-attached sensor is rolled back. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "vigil/common.h"
#include "vigil/ringbuf.h"
#include "vigil/task.h"

char LICENSE[] SEC("license") = "GPL";

SEC("tp/sched/sched_process_exec")
int attaches(void *ctx)
{
	return vigil_agent_tgid + vigil_wakeup_bytes > 0;
}

SEC("tp/vigil_test/no_such_tracepoint")
int does_not_attach(void *ctx)
{
	return 0;
}
