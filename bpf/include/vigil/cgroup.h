/* Cgroup record of the process sensor: a cgroup of the v2 hierarchy was created. */
#ifndef VIGIL_CGROUP_H
#define VIGIL_CGROUP_H

#include "common.h"

/* The kernel's own bound on the paths of its cgroup trace events (TRACE_CGROUP_PATH_LEN). */
#define VIGIL_CGROUP_PATH_MAX 1024

/* The v2 (default) hierarchy always has hierarchy id 0, as /proc/PID/cgroup's "0::" shows;
 * v1 hierarchies count from 1. */
#define VIGIL_CGROUP2_HIERARCHY 0

/* Sent when the cgroup is created, before any process can enter it: user space knows its path
 * from then on, so events it handles after the cgroup's rmdir still find their container. */
struct vigil_cgroup_record {
	struct vigil_header hdr;
	__u64 cgroup_id;                   /* its inode: what bpf_get_current_cgroup_id returns inside it */
	char path[VIGIL_CGROUP_PATH_MAX];  /* from the hierarchy root, NUL-terminated */
};

#endif
