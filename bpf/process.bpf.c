// SPDX-License-Identifier: GPL-2.0
/* Process sensor: exec, fork and exit of whole processes (not threads), and the
 * creation of the cgroups they run in. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include "vigil/process.h"
#include "vigil/cgroup.h"
#include "vigil/cwd.h"
#include "vigil/ringbuf.h"
#include "vigil/task.h"

char LICENSE[] SEC("license") = "GPL";

VIGIL_EXPORT_RECORD(vigil_exec_record);
VIGIL_EXPORT_RECORD(vigil_fork_record);
VIGIL_EXPORT_RECORD(vigil_exit_record);
VIGIL_EXPORT_RECORD(vigil_cgroup_record);

/* Bytes of argv copied per exec; set by the loader, capped at VIGIL_ARGS_MAX. */
const volatile __u32 vigil_args_budget = 1024;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 22);
} process_events SEC(".maps");

struct exec_scratch {
	struct vigil_exec_record rec;
	char data[VIGIL_PATH_MAX + VIGIL_ARGS_MAX + VIGIL_CWD_MAX];
	char cwd_build[VIGIL_CWD_MAX + VIGIL_NAME_MAX + 1]; /* slack: a name is copied before its bounds are known */
};

/* Exec records are variable-length: built here, then copied at their real size. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct exec_scratch);
} exec_scratch SEC(".maps");

/* Controlling terminal in the encoding of /proc/PID/stat's tty_nr (new_encode_dev); 0 without one. */
static __always_inline __u32 tty_nr(struct task_struct *task)
{
	struct tty_struct *tty = BPF_CORE_READ(task, signal, tty);
	if (!tty)
		return 0;
	__u32 major = BPF_CORE_READ(tty, driver, major);
	__u32 minor = BPF_CORE_READ(tty, driver, minor_start) + BPF_CORE_READ(tty, index);
	return (minor & 0xff) | (major << 8) | ((minor & ~0xffu) << 12);
}

/* memfd files are named "memfd:NAME" by the kernel: an image with that name came from no file system. */
static __always_inline __u8 exe_flags(struct task_struct *task)
{
	const unsigned char *name = BPF_CORE_READ(task, mm, exe_file, f_path.dentry, d_name.name);
	char prefix[6] = {};
	if (!name || bpf_probe_read_kernel(prefix, sizeof(prefix), name) < 0)
		return 0;
	return prefix[0] == 'm' && prefix[1] == 'e' && prefix[2] == 'm' && prefix[3] == 'f' &&
	       prefix[4] == 'd' && prefix[5] == ':' ? VIGIL_EXE_FROM_MEMFD : 0;
}

static __always_inline __u64 cap_bits(const kernel_cap_t *cap)
{
	__u64 bits = 0;
	bpf_core_read(&bits, sizeof(bits), cap);
	return bits;
}

SEC("tp/sched/sched_process_exec")
int handle_exec(struct trace_event_raw_sched_process_exec *ctx)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct exec_scratch *s;
	unsigned long arg_start, arg_end;
	__u32 zero = 0, budget;
	long path_len, args_len;

	if (vigil_is_agent())
		return 0;
	s = bpf_map_lookup_elem(&exec_scratch, &zero);
	if (!s)
		return 0;

	vigil_fill_current(&s->rec.proc);
	s->rec.old_pid = ctx->old_pid;

	path_len = bpf_probe_read_kernel_str(s->data, VIGIL_PATH_MAX,
					     (void *)ctx + (ctx->__data_loc_filename & 0xFFFF));
	if (path_len < 0)
		path_len = 0;
	path_len &= VIGIL_PATH_MAX - 1;

	arg_start = BPF_CORE_READ(task, mm, arg_start);
	arg_end = BPF_CORE_READ(task, mm, arg_end);
	budget = vigil_args_budget < VIGIL_ARGS_MAX ? vigil_args_budget : VIGIL_ARGS_MAX;
	args_len = arg_end - arg_start;
	s->rec.args_truncated = args_len > budget;
	if (args_len > budget)
		args_len = budget;
	if (args_len < 0)
		args_len = 0;
	args_len &= VIGIL_ARGS_MAX - 1;
	if (args_len > 0 &&
	    bpf_probe_read_user(s->data + path_len, args_len, (void *)arg_start) < 0)
		args_len = 0;

	__u32 cwd_start = vigil_cwd_reversed(task, s->cwd_build) & (VIGIL_CWD_MAX - 1);
	long cwd_len = (VIGIL_CWD_MAX - cwd_start) & (VIGIL_CWD_MAX - 1);
	long cwd_at = (path_len + args_len) & (VIGIL_PATH_MAX + VIGIL_ARGS_MAX - 1);
	if (cwd_len > 0 && bpf_probe_read_kernel(s->data + cwd_at, cwd_len, s->cwd_build + cwd_start) < 0)
		cwd_len = 0;

	const struct cred *cred = BPF_CORE_READ(task, cred);
	s->rec.cap_effective = cap_bits(&cred->cap_effective);
	s->rec.cap_permitted = cap_bits(&cred->cap_permitted);
	s->rec.tty_nr = tty_nr(task);
	s->rec.loginuid = bpf_core_field_exists(task->loginuid) ? BPF_CORE_READ(task, loginuid.val) : (__u32)-1;
	s->rec.exe_flags = exe_flags(task);
	__builtin_memset(s->rec.pad, 0, sizeof(s->rec.pad));
	s->rec.path_len = path_len;
	s->rec.args_len = args_len;
	s->rec.cwd_len = cwd_len;
	__u64 size = sizeof(s->rec) + path_len + args_len + cwd_len;
	vigil_fill_header(&s->rec.hdr, VIGIL_RECORD_EXEC, size);
	if (size > sizeof(*s))
		return 0;
	vigil_output(&process_events, s, size);
	return 0;
}

SEC("raw_tp/sched_process_fork")
int BPF_PROG(handle_fork, struct task_struct *parent, struct task_struct *child)
{
	struct vigil_fork_record *rec;

	/* Thread creation is not a new process. */
	if (BPF_CORE_READ(child, pid) != BPF_CORE_READ(child, tgid))
		return 0;
	if (vigil_is_agent())
		return 0;
	rec = vigil_reserve(&process_events, sizeof(*rec));
	if (!rec)
		return 0;
	vigil_fill_header(&rec->hdr, VIGIL_RECORD_FORK, sizeof(*rec));
	vigil_fill_current(&rec->parent);
	rec->child_pid = BPF_CORE_READ(child, tgid);
	rec->pad = 0;
	rec->child_start_boottime_ns = BPF_CORE_READ(child, start_boottime);
	vigil_submit(&process_events, rec);
	return 0;
}

SEC("tp/sched/sched_process_exit")
int handle_exit(void *ctx)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct vigil_exit_record *rec;
	__u32 code;

	/* Only the last thread of a process reports its exit. */
	if (BPF_CORE_READ(task, signal, live.counter) != 0)
		return 0;
	if (vigil_is_agent())
		return 0;
	rec = vigil_reserve(&process_events, sizeof(*rec));
	if (!rec)
		return 0;
	code = BPF_CORE_READ(task, exit_code);
	vigil_fill_header(&rec->hdr, VIGIL_RECORD_EXIT, sizeof(*rec));
	vigil_fill_current(&rec->proc);
	rec->exit_code = (code >> 8) & 0xff;
	rec->signal = code & 0x7f;
	rec->core_dumped = (code & 0x80) != 0;
	__builtin_memset(rec->pad, 0, sizeof(rec->pad));
	vigil_submit(&process_events, rec);
	return 0;
}

/* In the process ring, a cgroup's record comes before the exec and fork records of every process
 * started after its creation, so user space knows the path when it handles their events. */
SEC("tp/cgroup/cgroup_mkdir")
int handle_cgroup_mkdir(struct trace_event_raw_cgroup *ctx)
{
	struct vigil_cgroup_record *rec;

	/* Only v2 cgroup ids are what the other records carry. */
	if (ctx->root != VIGIL_CGROUP2_HIERARCHY)
		return 0;
	rec = vigil_reserve(&process_events, sizeof(*rec));
	if (!rec)
		return 0;
	if (bpf_probe_read_kernel_str(rec->path, sizeof(rec->path),
				      (void *)ctx + (ctx->__data_loc_path & 0xFFFF)) < 0) {
		bpf_ringbuf_discard(rec, 0);
		return 0;
	}
	vigil_fill_header(&rec->hdr, VIGIL_RECORD_CGROUP_MKDIR, sizeof(*rec));
	rec->cgroup_id = ctx->id;
	vigil_submit(&process_events, rec);
	return 0;
}
