// SPDX-License-Identifier: GPL-2.0
/* Privilege sensor: the setuid family, capset, ptrace attach and memory writes, memfd_create,
 * module loading, bpf program loads and attaches, mount, unshare and setns, judged against the
 * policy tables at syscall entry and shipped at exit with the result. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include "vigil/privilege.h"
#include "vigil/judge.h"
#include "vigil/ringbuf.h"
#include "vigil/tail_judge.h"
#include "vigil/task.h"

char LICENSE[] SEC("license") = "GPL";

VIGIL_EXPORT_RECORD(vigil_privilege_record);

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20);
} privilege_events SEC(".maps");

struct privilege_pending {
	struct vigil_privilege_record rec;
	char name[VIGIL_PRIVILEGE_NAME_MAX];
};

/* Wanted events between syscall entry and exit, by thread id. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, struct privilege_pending);
} privilege_pending SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct privilege_pending);
} privilege_scratch SEC(".maps");

struct privilege_call {
	__s64 target;
	__u64 flags;
	const char *name;     /* user string, or NULL */
	__u8 syscall;
	__u8 to_root;
};

/* Calls whose syscall (and, for the setuid family, whether it asks for root) some rule wants go on
 * to privilege_judge, the only program that judges the acting process. */
VIGIL_TAIL_JUDGE(privilege, struct privilege_call)

static __always_inline int privilege_enter(void *ctx, struct privilege_call *call)
{
	struct vigil_policy_config *cfg;
	__u32 generation;
	__u64 rules;

	if (vigil_is_agent())
		return 0;
	cfg = vigil_policy_begin(&generation);
	if (!cfg)
		return 0;
	rules = cfg->op_rules[call->syscall & (VIGIL_POLICY_OPS - 1)];
	rules = vigil_keep(cfg, rules, VIGIL_SEL_TO_ROOT, call->to_root ? ~0ULL : 0);
	if (!rules) {
		vigil_count_unmatched();
		return 0;
	}
	return privilege_judge_call(ctx, call, rules, generation);
}

/* Not attached to a hook of its own (a bare "tp" section): reached only by tail call. */
SEC("tp")
int privilege_judge(void *ctx)
{
	struct vigil_policy_config *cfg;
	struct vigil_judge_scratch *s;
	struct privilege_judging *j;
	struct privilege_pending *p;
	struct privilege_call *call;
	__u32 zero = 0, generation, slot;
	__u64 rules;

	j = privilege_judging();
	if (!j)
		return 0;
	call = &j->call;
	generation = j->generation;
	slot = generation & 1;
	cfg = bpf_map_lookup_elem(&policy_config, &slot);
	s = vigil_judge_scratch();
	p = bpf_map_lookup_elem(&privilege_scratch, &zero);
	if (!cfg || !s || !p)
		return 0;
	rules = vigil_judge_process(cfg, s, slot, j->rules);
	if (!rules) {
		vigil_count_unmatched();
		return 0;
	}
	if (!vigil_decide(cfg, s, generation, rules, &p->rec.verdict))
		return 0;
	vigil_fill_current(&p->rec.proc);
	p->rec.result = 0;
	p->rec.target = call->target;
	p->rec.flags = call->flags;
	p->rec.syscall = call->syscall;
	p->rec.to_root = call->to_root;
	__builtin_memset(p->rec.pad, 0, sizeof(p->rec.pad));
	long n = call->name ? bpf_probe_read_user_str(p->name, sizeof(p->name), call->name) : 0;
	p->rec.name_len = n > 0 ? n - 1 : 0;
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	if (bpf_map_update_elem(&privilege_pending, &tid, p, BPF_ANY) < 0)
		vigil_count_drop();
	return 0;
}

static __always_inline int privilege_exit(long ret)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct privilege_pending *p = bpf_map_lookup_elem(&privilege_pending, &tid);

	if (!p)
		return 0;
	__u64 size = sizeof(p->rec) + (p->rec.name_len & (VIGIL_PRIVILEGE_NAME_MAX - 1));
	p->rec.result = ret;
	vigil_fill_header(&p->rec.hdr, VIGIL_RECORD_PRIVILEGE, size);
	if (size <= sizeof(*p))
		vigil_output(&privilege_events, p, size);
	bpf_map_delete_elem(&privilege_pending, &tid);
	return 0;
}

/* Whether the current task is fully root for the uid (or gid) family: real and effective ids both 0. */
static __always_inline bool current_is_root(bool gid)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	const struct cred *cred = BPF_CORE_READ(task, cred);

	if (gid)
		return BPF_CORE_READ(cred, gid.val) == 0 && BPF_CORE_READ(cred, egid.val) == 0;
	return BPF_CORE_READ(cred, uid.val) == 0 && BPF_CORE_READ(cred, euid.val) == 0;
}

/* The id a setuid-family call asks for: the effective one when given, else the real, else the saved. */
static __always_inline __s64 asked_id(__u32 real, __u32 effective, __u32 saved)
{
	return effective != (__u32)-1 ? effective : real != (__u32)-1 ? real : saved;
}

/* A process not fully root asks for id 0. A setuid-root program run by a user is root only in its
 * effective id: its setuid(0) makes the user root for good, the classic escalation. */
static __always_inline __u8 to_root(bool gid, __u32 real, __u32 effective, __u32 saved)
{
	return (real == 0 || effective == 0 || saved == 0) && !current_is_root(gid);
}

#define ARG(i) ((__u32)ctx->args[i])

#define PRIVILEGE_EXIT(name) \
	SEC("tp/syscalls/sys_exit_" #name) \
	int exit_##name(struct trace_event_raw_sys_exit *ctx) \
	{ \
		return privilege_exit(ctx->ret); \
	}

#define PRIVILEGE(name, ...) \
	SEC("tp/syscalls/sys_enter_" #name) \
	int enter_##name(struct trace_event_raw_sys_enter *ctx) \
	{ \
		struct privilege_call call = { __VA_ARGS__ }; \
		return privilege_enter(ctx, &call); \
	} \
	PRIVILEGE_EXIT(name)

PRIVILEGE(setuid, .syscall = VIGIL_PRIV_SETUID, .target = ARG(0),
	  .to_root = to_root(false, ARG(0), -1, -1))
PRIVILEGE(setreuid, .syscall = VIGIL_PRIV_SETREUID, .target = asked_id(ARG(0), ARG(1), -1),
	  .to_root = to_root(false, ARG(0), ARG(1), -1))
PRIVILEGE(setresuid, .syscall = VIGIL_PRIV_SETRESUID, .target = asked_id(ARG(0), ARG(1), ARG(2)),
	  .to_root = to_root(false, ARG(0), ARG(1), ARG(2)))
PRIVILEGE(setgid, .syscall = VIGIL_PRIV_SETGID, .target = ARG(0),
	  .to_root = to_root(true, ARG(0), -1, -1))
PRIVILEGE(setregid, .syscall = VIGIL_PRIV_SETREGID, .target = asked_id(ARG(0), ARG(1), -1),
	  .to_root = to_root(true, ARG(0), ARG(1), -1))
PRIVILEGE(setresgid, .syscall = VIGIL_PRIV_SETRESGID, .target = asked_id(ARG(0), ARG(1), ARG(2)),
	  .to_root = to_root(true, ARG(0), ARG(1), ARG(2)))
PRIVILEGE(memfd_create, .syscall = VIGIL_PRIV_MEMFD_CREATE, .name = (const char *)ctx->args[0], .flags = ARG(1))
PRIVILEGE(init_module, .syscall = VIGIL_PRIV_INIT_MODULE, .name = (const char *)ctx->args[2], .flags = ctx->args[1])
PRIVILEGE(finit_module, .syscall = VIGIL_PRIV_FINIT_MODULE, .target = (int)ARG(0), .name = (const char *)ctx->args[1],
	  .flags = ARG(2))
PRIVILEGE(mount, .syscall = VIGIL_PRIV_MOUNT, .name = (const char *)ctx->args[1], .flags = ctx->args[3])
PRIVILEGE(unshare, .syscall = VIGIL_PRIV_UNSHARE, .flags = ctx->args[0])
PRIVILEGE(setns, .syscall = VIGIL_PRIV_SETNS, .target = (int)ARG(0), .flags = ARG(1))

/* capset's new sets are in user memory: the effective set of both 32-bit halves. */
SEC("tp/syscalls/sys_enter_capset")
int enter_capset(struct trace_event_raw_sys_enter *ctx)
{
	struct { __u32 version; int pid; } header = {};
	struct { __u32 effective, permitted, inheritable; } data[2] = {};

	bpf_probe_read_user(&header, sizeof(header), (void *)ctx->args[0]);
	bpf_probe_read_user(&data, sizeof(data), (void *)ctx->args[1]);
	struct privilege_call call = {
		.syscall = VIGIL_PRIV_CAPSET,
		.target = header.pid,
		.flags = data[0].effective | ((__u64)data[1].effective << 32),
	};
	return privilege_enter(ctx, &call);
}
PRIVILEGE_EXIT(capset)

/* Only the requests that attach to a process or write into it; reads (PEEK*, GETREGS) are a debugger at work. */
SEC("tp/syscalls/sys_enter_ptrace")
int enter_ptrace(struct trace_event_raw_sys_enter *ctx)
{
	long request = ctx->args[0];

	switch (request) {
	case 0:      /* PTRACE_TRACEME */
	case 4:      /* PTRACE_POKETEXT */
	case 5:      /* PTRACE_POKEDATA */
	case 6:      /* PTRACE_POKEUSR */
	case 13:     /* PTRACE_SETREGS */
	case 16:     /* PTRACE_ATTACH */
	case 0x4206: /* PTRACE_SEIZE */
		break;
	default:
		return 0;
	}
	struct privilege_call call = { .syscall = VIGIL_PRIV_PTRACE, .target = (int)ARG(1), .flags = request };
	return privilege_enter(ctx, &call);
}
PRIVILEGE_EXIT(ptrace)

/* Program loads and attaches; map operations are what every BPF user does all day. */
SEC("tp/syscalls/sys_enter_bpf")
int enter_bpf(struct trace_event_raw_sys_enter *ctx)
{
	long cmd = ctx->args[0];

	switch (cmd) {
	case 5:      /* BPF_PROG_LOAD */
	case 8:      /* BPF_PROG_ATTACH */
	case 17:     /* BPF_RAW_TRACEPOINT_OPEN */
	case 28:     /* BPF_LINK_CREATE */
		break;
	default:
		return 0;
	}
	struct privilege_call call = { .syscall = VIGIL_PRIV_BPF, .flags = cmd };
	return privilege_enter(ctx, &call);
}
PRIVILEGE_EXIT(bpf)
