// SPDX-License-Identifier: GPL-2.0
/* What the syscall tracepoints themselves cost the filter benchmark's file workload, before any
 * filter runs: the same open/read/close loop as openloop.c, in 100 ms slices that alternate (ABBA
 * within each cycle, so drift cancels) between
 *   none      nothing attached
 *   tif       a tracepoint on a syscall the loop never makes (sys_enter_getppid): every syscall of
 *             every task now takes the kernel's slow path, the price of any syscall tracepoint
 *   enter     an empty BPF program on sys_enter_openat (what a one-probe bpftrace filter sits on)
 *   enter+exit  empty BPF programs on sys_enter_openat and sys_exit_openat (what a sensor that
 *             reports an open's result sits on)
 *   raw, raw+exit  empty raw tracepoint programs on sys_enter (and sys_exit): one program for every
 *             syscall, the alternative to one tracepoint per syscall
 * One process toggles the hooks itself, so slices are 100 ms apart instead of agent start-ups.
 * Prints per mode the median over cycles of its CPU per operation against the cycle's none slices:
 *   hookfloor: tif_pct=... enter_pct=... enter_exit_pct=... raw_pct=... raw_exit_pct=... none_ns=... cycles=...
 */
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include "workload.h"

enum { NONE, TIF, ENTER, ENTER_EXIT, RAW, RAW_EXIT, MODES };
static const int order[] = { NONE, TIF, ENTER, ENTER_EXIT, RAW, RAW_EXIT, RAW_EXIT, RAW, ENTER_EXIT, ENTER, TIF, NONE };
#define SLOTS (sizeof(order) / sizeof(order[0]))
#define MAX_CYCLES 4096

static char buf[64 << 10];

static double cpu_now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

static int tracepoint_id(const char *name)
{
	char path[256];
	snprintf(path, sizeof(path), "/sys/kernel/tracing/events/syscalls/%s/id", name);
	FILE *f = fopen(path, "r");
	int id = -1;
	if (!f || fscanf(f, "%d", &id) != 1) {
		fprintf(stderr, "hookfloor: cannot read %s (is tracefs mounted?)\n", path);
		exit(1);
	}
	fclose(f);
	return id;
}

/* An empty tracepoint program: r0 = 0; exit. */
static int empty_program(int type)
{
	struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	union bpf_attr attr;
	memset(&attr, 0, sizeof(attr));
	attr.prog_type = type;
	attr.insns = (unsigned long)insns;
	attr.insn_cnt = 2;
	attr.license = (unsigned long)"GPL";
	int fd = syscall(SYS_bpf, BPF_PROG_LOAD, &attr, sizeof(attr));
	if (fd < 0) {
		perror("hookfloor: BPF_PROG_LOAD");
		exit(1);
	}
	return fd;
}

/* Attaches to a syscall tracepoint (program -1: none); the kernel's registration sets the slow-path
 * flag on every task at once. */
static int attach(int id, int program)
{
	struct perf_event_attr attr;
	memset(&attr, 0, sizeof(attr));
	attr.type = PERF_TYPE_TRACEPOINT;
	attr.size = sizeof(attr);
	attr.config = id;
	attr.sample_period = 1;
	int fd = syscall(SYS_perf_event_open, &attr, -1, 0, -1, PERF_FLAG_FD_CLOEXEC);
	if (fd < 0) {
		perror("hookfloor: perf_event_open");
		exit(1);
	}
	if (program >= 0 && ioctl(fd, PERF_EVENT_IOC_SET_BPF, program) < 0) {
		perror("hookfloor: PERF_EVENT_IOC_SET_BPF");
		exit(1);
	}
	ioctl(fd, PERF_EVENT_IOC_ENABLE, 0);
	return fd;
}

static int attach_raw(const char *name, int program)
{
	union bpf_attr attr;
	memset(&attr, 0, sizeof(attr));
	attr.raw_tracepoint.name = (unsigned long)name;
	attr.raw_tracepoint.prog_fd = program;
	int fd = syscall(SYS_bpf, BPF_RAW_TRACEPOINT_OPEN, &attr, sizeof(attr));
	if (fd < 0) {
		perror("hookfloor: BPF_RAW_TRACEPOINT_OPEN");
		exit(1);
	}
	return fd;
}

/* CPU seconds per open/read/close over one slice. */
static double slice(double seconds, char **files, int count)
{
	unsigned long ops = 0;
	double start = wall_seconds(), cpu = cpu_now();
	do {
		for (int i = 0; i < 64; i++, ops++) {
			int fd = open(files[ops % count], O_RDONLY);
			if (fd < 0) {
				perror(files[ops % count]);
				exit(1);
			}
			while (read(fd, buf, sizeof(buf)) > 0)
				;
			close(fd);
		}
	} while (wall_seconds() - start < seconds);
	return (cpu_now() - cpu) / ops;
}

static int compare(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), compare);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: hookfloor SECONDS FILE...\n");
		return 2;
	}
	double seconds = atof(argv[1]);
	int getppid = tracepoint_id("sys_enter_getppid");
	int enter = tracepoint_id("sys_enter_openat"), exit_ = tracepoint_id("sys_exit_openat");
	int program = empty_program(BPF_PROG_TYPE_TRACEPOINT), raw = empty_program(BPF_PROG_TYPE_RAW_TRACEPOINT);
	static double pct[MODES][MAX_CYCLES], none_ns[MAX_CYCLES];
	int cycles = 0;
	double until = wall_seconds() + seconds;

	while (wall_seconds() < until && cycles < MAX_CYCLES) {
		double per[MODES] = { 0 };
		for (unsigned s = 0; s < SLOTS; s++) {
			int fds[2] = { -1, -1 };
			switch (order[s]) {
			case TIF:
				fds[0] = attach(getppid, -1);
				break;
			case ENTER_EXIT:
				fds[1] = attach(exit_, program);
				/* fall through */
			case ENTER:
				fds[0] = attach(enter, program);
				break;
			case RAW_EXIT:
				fds[1] = attach_raw("sys_exit", raw);
				/* fall through */
			case RAW:
				fds[0] = attach_raw("sys_enter", raw);
				break;
			}
			per[order[s]] += slice(0.1, argv + 2, argc - 2) / 2;
			for (int i = 0; i < 2; i++)
				if (fds[i] >= 0)
					close(fds[i]);
		}
		for (int m = TIF; m < MODES; m++)
			pct[m][cycles] = (per[m] / per[NONE] - 1) * 100;
		none_ns[cycles++] = per[NONE] * 1e9;
	}
	printf("hookfloor: tif_pct=%.2f enter_pct=%.2f enter_exit_pct=%.2f raw_pct=%.2f raw_exit_pct=%.2f none_ns=%.0f cycles=%d\n",
	       median(pct[TIF], cycles), median(pct[ENTER], cycles), median(pct[ENTER_EXIT], cycles), median(pct[RAW], cycles), median(pct[RAW_EXIT], cycles),
	       median(none_ns, cycles), cycles);
	return 0;
}
