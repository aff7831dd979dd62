/* Paths resolved in the kernel (bpf_d_path is not allowed in tracepoints): a task's working
 * directory, an open file, an executable. Dentries are walked up to the task's root, crossing mount
 * points. The walk runs under bpf_loop so the verifier checks one step, not every unrolled iteration. */
#ifndef VIGIL_CWD_H
#define VIGIL_CWD_H

#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

/* Steps walked at most (a mount crossing is a step); deeper paths keep their last components. */
#define VIGIL_CWD_STEPS 64
#define VIGIL_NAME_MAX 255

struct vigil_cwd_walk {
	char *buf;            /* VIGIL_CWD_MAX bytes plus VIGIL_NAME_MAX + 1 of slack */
	struct dentry *d;
	struct vfsmount *vfs;
	struct mount *mnt;
	struct dentry *root_d;
	struct vfsmount *root_vfs;
	__u32 pos;            /* the path so far starts at buf[pos] and ends at buf[VIGIL_CWD_MAX - 1] */
};

static long vigil_cwd_step(__u32 index, struct vigil_cwd_walk *w)
{
	/* Locals, not w->field, inside BPF_CORE_READ: the macro would relocate our own struct too. */
	struct dentry *d = w->d;
	struct vfsmount *vfs = w->vfs;
	struct mount *mnt = w->mnt;

	if (d == w->root_d && vfs == w->root_vfs)
		return 1;
	if (d == BPF_CORE_READ(vfs, mnt_root)) {
		struct mount *parent = BPF_CORE_READ(mnt, mnt_parent);
		if (parent == mnt)
			return 1;
		w->d = BPF_CORE_READ(mnt, mnt_mountpoint);
		w->mnt = parent;
		w->vfs = (struct vfsmount *)((void *)parent + bpf_core_field_offset(struct mount, mnt));
		return 0;
	}
	struct dentry *up = BPF_CORE_READ(d, d_parent);
	if (up == d)
		return 1;
	__u32 len = BPF_CORE_READ(d, d_name.len);
	const unsigned char *name = BPF_CORE_READ(d, d_name.name);
	if (len > VIGIL_NAME_MAX || len + 1 >= w->pos)
		return 1;
	__u32 pos = w->pos - len;
	bpf_probe_read_kernel(w->buf + (pos & (VIGIL_CWD_MAX - 1)), len & VIGIL_NAME_MAX, name);
	pos -= 1;
	w->buf[pos & (VIGIL_CWD_MAX - 1)] = '/';
	w->pos = pos;
	w->d = up;
	return 0;
}

/* Builds the path of start backwards into buf, ending at buf[VIGIL_CWD_MAX - 1], up to the task's
 * root; returns its start offset. */
static __always_inline __u32 vigil_path_reversed(struct task_struct *task, struct path *start, char *buf)
{
	struct path root = BPF_CORE_READ(task, fs, root);
	struct vigil_cwd_walk w = {
		.buf = buf,
		.d = start->dentry,
		.vfs = start->mnt,
		.mnt = (struct mount *)((void *)start->mnt - bpf_core_field_offset(struct mount, mnt)),
		.root_d = root.dentry,
		.root_vfs = root.mnt,
		.pos = VIGIL_CWD_MAX,
	};
	bpf_loop(VIGIL_CWD_STEPS, vigil_cwd_step, &w, 0);
	if (w.pos == VIGIL_CWD_MAX) {
		w.pos -= 1;
		buf[w.pos & (VIGIL_CWD_MAX - 1)] = '/';
	}
	return w.pos;
}

/* The task's working directory, built as vigil_path_reversed does. */
static __always_inline __u32 vigil_cwd_reversed(struct task_struct *task, char *buf)
{
	struct path pwd = BPF_CORE_READ(task, fs, pwd);

	return vigil_path_reversed(task, &pwd, buf);
}

/* The path of the task's open file descriptor fd; false when fd is not open. */
static __always_inline bool vigil_fd_path(struct task_struct *task, int fd, struct path *out)
{
	struct file **fds = BPF_CORE_READ(task, files, fdt, fd);
	unsigned int max = BPF_CORE_READ(task, files, fdt, max_fds);
	struct file *file = NULL;

	if (fd < 0 || (unsigned int)fd >= max || bpf_probe_read_kernel(&file, sizeof(file), &fds[fd]) < 0 || !file)
		return false;
	*out = BPF_CORE_READ(file, f_path);
	return true;
}

#endif
