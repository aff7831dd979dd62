/* Process sensor records: exec, fork, exit. */
#ifndef VIGIL_PROCESS_H
#define VIGIL_PROCESS_H

#include "common.h"

#define VIGIL_PATH_MAX 4096
#define VIGIL_ARGS_MAX 4096
#define VIGIL_CWD_MAX 4096

/* exe_flags */
#define VIGIL_EXE_FROM_MEMFD 1   /* the image is an anonymous memfd file: fileless execution */

/* Followed by path_len bytes of binary path, then args_len bytes of argv
 * (NUL-separated, as in /proc/PID/cmdline), then cwd_len bytes of working directory. */
struct vigil_exec_record {
	struct vigil_header hdr;
	struct vigil_process proc;
	__u64 cap_effective;  /* capability sets after the exec (bit N = capability N) */
	__u64 cap_permitted;
	__u32 old_pid;        /* differs from proc.pid when a non-leader thread exec'd */
	__u32 tty_nr;         /* controlling terminal as in /proc/PID/stat, 0 without one */
	__u32 loginuid;       /* audit login uid, (u32)-1 when unset */
	__u16 path_len;
	__u16 args_len;
	__u16 cwd_len;
	__u8 args_truncated;
	__u8 exe_flags;
	__u8 pad[4];
};

struct vigil_fork_record {
	struct vigil_header hdr;
	struct vigil_process parent;
	__u32 child_pid;
	__u32 pad;
	__u64 child_start_boottime_ns;
};

struct vigil_exit_record {
	struct vigil_header hdr;
	struct vigil_process proc;
	__u32 exit_code;     /* status passed to exit(), 0..255 */
	__u32 signal;        /* terminating signal, 0 when it exited normally */
	__u8 core_dumped;
	__u8 pad[7];
};

#endif
