/* Reading process identity from a task, shared by the sensors. */
#ifndef VIGIL_TASK_H
#define VIGIL_TASK_H

#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "common.h"

/* The agent's own thread-group id, set before load: its activity is dropped
 * in the kernel instead of being shipped and filtered afterwards. */
const volatile __u32 vigil_agent_tgid = 0;

static __always_inline bool vigil_is_agent(void)
{
	return vigil_agent_tgid != 0 && (bpf_get_current_pid_tgid() >> 32) == vigil_agent_tgid;
}

static __always_inline void vigil_fill_header(struct vigil_header *hdr, __u16 kind, __u16 size)
{
	hdr->kind = kind;
	hdr->size = size;
	hdr->cpu = bpf_get_smp_processor_id();
	hdr->ktime_ns = bpf_ktime_get_boot_ns();
}

/* Fills identity from the current task, which every process hook runs in. */
static __always_inline void vigil_fill_current(struct vigil_process *p)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct task_struct *parent = BPF_CORE_READ(task, real_parent);

	p->pid = BPF_CORE_READ(task, tgid);
	p->tid = BPF_CORE_READ(task, pid);
	p->ppid = BPF_CORE_READ(parent, tgid);
	p->uid = BPF_CORE_READ(task, cred, uid.val);
	p->gid = BPF_CORE_READ(task, cred, gid.val);
	p->euid = BPF_CORE_READ(task, cred, euid.val);
	p->egid = BPF_CORE_READ(task, cred, egid.val);
	p->pad = 0;
	p->start_boottime_ns = BPF_CORE_READ(task, group_leader, start_boottime);
	p->parent_start_boottime_ns = BPF_CORE_READ(parent, group_leader, start_boottime);
	p->cgroup_id = bpf_get_current_cgroup_id();
	bpf_get_current_comm(p->comm, sizeof(p->comm));
}

#endif
