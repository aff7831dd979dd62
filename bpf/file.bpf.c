// SPDX-License-Identifier: GPL-2.0
/* File sensor: the open family, unlink, rename, chmod, chown, link and symlink, judged against the
 * policy tables at syscall entry. Only events a rule wants cross the ring; the rest are counted. A
 * wanted event waits in file_pending until the syscall returns, to carry its result. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include "vigil/file.h"
#include "vigil/judge.h"
#include "vigil/ringbuf.h"
#include "vigil/tail_judge.h"
#include "vigil/task.h"

char LICENSE[] SEC("license") = "GPL";

VIGIL_EXPORT_RECORD(vigil_file_record);

#define AT_FDCWD -100
#define O_CREAT 0100
#define O_TRUNC 01000
#define O_WRONLY 01

/* A path is built in FILE_BUILD bytes: the directory it is relative to ends at VIGIL_CWD_MAX - 1,
 * a '/' follows, and the caller's string is read at FILE_ARG; the slack lets the verifier see every
 * bounded read of a trie key or suffix stay inside. */
#define FILE_ARG (VIGIL_CWD_MAX + 1)
#define FILE_BUILD (2 * VIGIL_PATH_MAX + 256)

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 22);
} file_events SEC(".maps");

struct file_pending {
	struct vigil_file_record rec;
	char data[2 * VIGIL_PATH_MAX];
};

/* Wanted events between syscall entry and exit, by thread id. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, struct file_pending);
} file_pending SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct file_pending);
} pending_scratch SEC(".maps");

struct file_path_buf {
	char bytes[FILE_BUILD];
};

struct file_build {
	struct file_path_buf path[2];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct file_build);
} build_scratch SEC(".maps");

/* One syscall's arguments, as the handlers decode them. */
struct file_call {
	const char *path;
	const char *target;   /* second path, or NULL */
	int dfd;
	int target_dfd;
	__u32 flags;
	__u32 mode;
	__u8 syscall;
	__u8 op;
	__u8 intent;
	bool path_raw;        /* symlink target: kept as written, never joined to a directory */
};

/* Reads a path argument into b at FILE_ARG and makes it absolute; returns where it starts in the
 * upper 32 bits and its length (without the NUL) in the lower. */
__noinline __u64 file_path(struct file_path_buf *buf, int dfd, __u64 arg, int raw)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	__u32 start = FILE_ARG;

	if (!buf)
		return 0;
	char *b = buf->bytes;
	long n = bpf_probe_read_user_str(b + FILE_ARG, VIGIL_PATH_MAX - 1, (const void *)arg);
	if (n <= 0) {
		b[FILE_ARG] = 0;
		n = 1;
	}
	if (!raw && b[FILE_ARG] != '/') {
		struct path dir;
		bool known = true;
		if (dfd == AT_FDCWD)
			dir = BPF_CORE_READ(task, fs, pwd);
		else
			known = vigil_fd_path(task, dfd, &dir);
		if (known) {
			__u32 pos = vigil_path_reversed(task, &dir, b);
			b[VIGIL_CWD_MAX] = '/';
			/* The root is "/" already: no second slash. */
			start = pos >= VIGIL_CWD_MAX - 1 ? VIGIL_CWD_MAX : pos;
		}
	}
	__u32 length = FILE_ARG + (__u32)n - 1 - start;
	if (length >= VIGIL_PATH_MAX)
		length = VIGIL_PATH_MAX - 1;
	return ((__u64)start << 32) | length;
}

/* Rules whose path selector (prefix, exact or suffix) matches the path at start_len in buf. */
__noinline __u64 file_path_rules(struct vigil_policy_config *cfg, struct vigil_judge_scratch *s,
				 struct file_path_buf *buf, __u32 slot, __u64 start_len)
{
	if (!cfg || !s || !buf)
		return 0;
	const char *path = buf->bytes + ((start_len >> 32) & (2 * VIGIL_PATH_MAX - 1));
	__u32 len = start_len & (VIGIL_PATH_MAX - 1);
	struct vigil_path_masks *found = vigil_path_lookup(s, slot, path);
	__u64 rules = found ? found->path : 0;

	if (cfg->suffix_lengths[0])
		rules |= vigil_suffix_rules(cfg, s, slot, path, len);
	return rules;
}

static __always_inline __u8 open_intent(__u32 flags)
{
	__u8 intent = (flags & 3) == 0 ? VIGIL_INTENT_READ
		    : (flags & 3) == 1 ? VIGIL_INTENT_WRITE
		    : VIGIL_INTENT_READ | VIGIL_INTENT_WRITE;

	if (flags & O_CREAT)
		intent |= VIGIL_INTENT_CREATE;
	if (flags & O_TRUNC)
		intent |= VIGIL_INTENT_TRUNCATE;
	return intent;
}

/* Rules of the call's op and intent: known from the arguments alone, so an unwatched call is
 * dropped before any path is read. */
static __always_inline __u64 file_cheap_rules(struct vigil_policy_config *cfg, struct file_call *call)
{
	__u64 rules = cfg->op_rules[call->op & (VIGIL_POLICY_OPS - 1)];

	if (rules & cfg->has[VIGIL_SEL_INTENT]) {
		__u64 matched = 0;
#pragma unroll
		for (int bit = 0; bit < 4; bit++)
			if (call->intent & (1 << bit))
				matched |= cfg->intent_rules[bit];
		rules = vigil_keep(cfg, rules, VIGIL_SEL_INTENT, matched);
	}
	return rules;
}

/* Wanted events in file_pending: while there are none, exit programs return at once. */
__u64 file_pending_count = 0;

/* Calls whose op and intent some rule wants go on to file_judge, the only program that reads paths. */
VIGIL_TAIL_JUDGE(file, struct file_call)

static __always_inline int file_enter(void *ctx, struct file_call *call)
{
	struct vigil_policy_config *cfg;
	__u32 generation;
	__u64 rules;

	if (vigil_is_agent())
		return 0;
	cfg = vigil_policy_begin(&generation);
	if (!cfg)
		return 0;
	rules = file_cheap_rules(cfg, call);
	if (!rules) {
		vigil_count_unmatched();
		return 0;
	}
	return file_judge_call(ctx, call, rules, generation);
}

/* Not attached to a hook of its own (a bare "tp" section): reached only by tail call. */
SEC("tp")
int file_judge(void *ctx)
{
	struct vigil_policy_config *cfg;
	struct vigil_judge_scratch *s;
	struct file_judging *j;
	struct file_build *b;
	struct file_pending *p;
	struct file_call *call;
	__u32 zero = 0, generation, slot;
	__u64 rules;

	j = file_judging();
	if (!j)
		return 0;
	call = &j->call;
	rules = j->rules;
	generation = j->generation;
	slot = generation & 1;
	cfg = bpf_map_lookup_elem(&policy_config, &slot);
	s = vigil_judge_scratch();
	b = bpf_map_lookup_elem(&build_scratch, &zero);
	p = bpf_map_lookup_elem(&pending_scratch, &zero);
	if (!cfg || !s || !b || !p)
		return 0;

	__u64 path = file_path(&b->path[0], call->dfd, (__u64)call->path, call->path_raw);
	__u64 target = call->target ? file_path(&b->path[1], call->target_dfd, (__u64)call->target, 0) : 0;
	if (rules & cfg->has[VIGIL_SEL_PATH]) {
		__u64 matched = file_path_rules(cfg, s, &b->path[0], slot, path);
		if (call->target)
			matched |= file_path_rules(cfg, s, &b->path[1], slot, target);
		rules = vigil_keep(cfg, rules, VIGIL_SEL_PATH, matched);
	}
	if (rules)
		rules = vigil_judge_process(cfg, s, slot, rules);
	if (!rules) {
		vigil_count_unmatched();
		return 0;
	}

	if (!vigil_decide(cfg, s, generation, rules, &p->rec.verdict))
		return 0;
	vigil_fill_current(&p->rec.proc);
	p->rec.result = 0;
	p->rec.flags = call->flags;
	p->rec.mode = call->mode;
	p->rec.syscall = call->syscall;
	p->rec.intent = call->intent;
	p->rec.pad[0] = 0;
	p->rec.pad[1] = 0;
	__u32 len = path & (VIGIL_PATH_MAX - 1), target_len = target & (VIGIL_PATH_MAX - 1);
	__u32 start = (path >> 32) & (2 * VIGIL_PATH_MAX - 1), target_start = (target >> 32) & (2 * VIGIL_PATH_MAX - 1);
	if (bpf_probe_read_kernel(p->data, len, b->path[0].bytes + start) < 0)
		len = 0;
	if (target_len && bpf_probe_read_kernel(p->data + len, target_len, b->path[1].bytes + target_start) < 0)
		target_len = 0;
	p->rec.path_len = len;
	p->rec.target_len = target_len;
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	if (bpf_map_update_elem(&file_pending, &tid, p, BPF_ANY) < 0)
		vigil_count_drop();
	else
		__sync_fetch_and_add(&file_pending_count, 1);
	return 0;
}

static __always_inline int file_exit(long ret)
{
	if (!file_pending_count)
		return 0;
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct file_pending *p = bpf_map_lookup_elem(&file_pending, &tid);

	if (!p)
		return 0;
	__u64 size = sizeof(p->rec) + (p->rec.path_len & (VIGIL_PATH_MAX - 1)) + (p->rec.target_len & (VIGIL_PATH_MAX - 1));
	p->rec.result = ret;
	vigil_fill_header(&p->rec.hdr, VIGIL_RECORD_FILE, size);
	if (size <= sizeof(*p))
		vigil_output(&file_events, p, size);
	if (bpf_map_delete_elem(&file_pending, &tid) == 0)
		__sync_fetch_and_add(&file_pending_count, -1);
	return 0;
}

#define ARG(i) ((void *)ctx->args[i])

#define FILE_ENTER(name, ...) \
	SEC("tp/syscalls/sys_enter_" #name) \
	int enter_##name(struct trace_event_raw_sys_enter *ctx) \
	{ \
		struct file_call call = { __VA_ARGS__ }; \
		return file_enter(ctx, &call); \
	} \
	SEC("tp/syscalls/sys_exit_" #name) \
	int exit_##name(struct trace_event_raw_sys_exit *ctx) \
	{ \
		return file_exit(ctx->ret); \
	}

FILE_ENTER(open, .syscall = VIGIL_FILE_OPEN, .op = VIGIL_FILE_OP_OPEN, .dfd = AT_FDCWD, .path = ARG(0),
	   .flags = ctx->args[1], .mode = ctx->args[2], .intent = open_intent(ctx->args[1]))
FILE_ENTER(openat, .syscall = VIGIL_FILE_OPENAT, .op = VIGIL_FILE_OP_OPEN, .dfd = ctx->args[0], .path = ARG(1),
	   .flags = ctx->args[2], .mode = ctx->args[3], .intent = open_intent(ctx->args[2]))
FILE_ENTER(creat, .syscall = VIGIL_FILE_CREAT, .op = VIGIL_FILE_OP_OPEN, .dfd = AT_FDCWD, .path = ARG(0),
	   .flags = O_CREAT | O_WRONLY | O_TRUNC, .mode = ctx->args[1], .intent = open_intent(O_CREAT | O_WRONLY | O_TRUNC))
FILE_ENTER(unlink, .syscall = VIGIL_FILE_UNLINK, .op = VIGIL_FILE_OP_UNLINK, .dfd = AT_FDCWD, .path = ARG(0),
	   .intent = VIGIL_INTENT_WRITE)
FILE_ENTER(unlinkat, .syscall = VIGIL_FILE_UNLINKAT, .op = VIGIL_FILE_OP_UNLINK, .dfd = ctx->args[0], .path = ARG(1),
	   .flags = ctx->args[2], .intent = VIGIL_INTENT_WRITE)
FILE_ENTER(rename, .syscall = VIGIL_FILE_RENAME, .op = VIGIL_FILE_OP_RENAME, .dfd = AT_FDCWD, .path = ARG(0),
	   .target_dfd = AT_FDCWD, .target = ARG(1), .intent = VIGIL_INTENT_WRITE)
FILE_ENTER(renameat, .syscall = VIGIL_FILE_RENAMEAT, .op = VIGIL_FILE_OP_RENAME, .dfd = ctx->args[0], .path = ARG(1),
	   .target_dfd = ctx->args[2], .target = ARG(3), .intent = VIGIL_INTENT_WRITE)
FILE_ENTER(renameat2, .syscall = VIGIL_FILE_RENAMEAT2, .op = VIGIL_FILE_OP_RENAME, .dfd = ctx->args[0], .path = ARG(1),
	   .target_dfd = ctx->args[2], .target = ARG(3), .flags = ctx->args[4], .intent = VIGIL_INTENT_WRITE)
FILE_ENTER(chmod, .syscall = VIGIL_FILE_CHMOD, .op = VIGIL_FILE_OP_CHMOD, .dfd = AT_FDCWD, .path = ARG(0),
	   .mode = ctx->args[1], .intent = VIGIL_INTENT_WRITE)
FILE_ENTER(fchmodat, .syscall = VIGIL_FILE_FCHMODAT, .op = VIGIL_FILE_OP_CHMOD, .dfd = ctx->args[0], .path = ARG(1),
	   .mode = ctx->args[2], .intent = VIGIL_INTENT_WRITE)
FILE_ENTER(fchmodat2, .syscall = VIGIL_FILE_FCHMODAT2, .op = VIGIL_FILE_OP_CHMOD, .dfd = ctx->args[0], .path = ARG(1),
	   .mode = ctx->args[2], .flags = ctx->args[3], .intent = VIGIL_INTENT_WRITE)
FILE_ENTER(chown, .syscall = VIGIL_FILE_CHOWN, .op = VIGIL_FILE_OP_CHOWN, .dfd = AT_FDCWD, .path = ARG(0),
	   .intent = VIGIL_INTENT_WRITE)
FILE_ENTER(lchown, .syscall = VIGIL_FILE_LCHOWN, .op = VIGIL_FILE_OP_CHOWN, .dfd = AT_FDCWD, .path = ARG(0),
	   .intent = VIGIL_INTENT_WRITE)
FILE_ENTER(fchownat, .syscall = VIGIL_FILE_FCHOWNAT, .op = VIGIL_FILE_OP_CHOWN, .dfd = ctx->args[0], .path = ARG(1),
	   .flags = ctx->args[4], .intent = VIGIL_INTENT_WRITE)
FILE_ENTER(link, .syscall = VIGIL_FILE_LINK, .op = VIGIL_FILE_OP_LINK, .dfd = AT_FDCWD, .path = ARG(0),
	   .target_dfd = AT_FDCWD, .target = ARG(1), .intent = VIGIL_INTENT_WRITE)
FILE_ENTER(linkat, .syscall = VIGIL_FILE_LINKAT, .op = VIGIL_FILE_OP_LINK, .dfd = ctx->args[0], .path = ARG(1),
	   .target_dfd = ctx->args[2], .target = ARG(3), .flags = ctx->args[4], .intent = VIGIL_INTENT_WRITE)
FILE_ENTER(symlink, .syscall = VIGIL_FILE_SYMLINK, .op = VIGIL_FILE_OP_SYMLINK, .path_raw = true, .path = ARG(0),
	   .target_dfd = AT_FDCWD, .target = ARG(1), .intent = VIGIL_INTENT_WRITE)
FILE_ENTER(symlinkat, .syscall = VIGIL_FILE_SYMLINKAT, .op = VIGIL_FILE_OP_SYMLINK, .path_raw = true, .path = ARG(0),
	   .target_dfd = ctx->args[1], .target = ARG(2), .intent = VIGIL_INTENT_WRITE)

/* openat2 takes its flags in a struct open_how in user memory. */
SEC("tp/syscalls/sys_enter_openat2")
int enter_openat2(struct trace_event_raw_sys_enter *ctx)
{
	struct open_how how = {};

	bpf_probe_read_user(&how, sizeof(how), ARG(2));
	struct file_call call = {
		.syscall = VIGIL_FILE_OPENAT2, .op = VIGIL_FILE_OP_OPEN, .dfd = ctx->args[0], .path = ARG(1),
		.flags = how.flags, .mode = how.mode, .intent = open_intent(how.flags),
	};
	return file_enter(ctx, &call);
}

SEC("tp/syscalls/sys_exit_openat2")
int exit_openat2(struct trace_event_raw_sys_exit *ctx)
{
	return file_exit(ctx->ret);
}
