/* Record layouts shared by every Vigil sensor. The C# mirrors in
 * src/Vigil.Sensors are checked against these through the object's BTF when
 * a sensor loads, so a change here that C# does not follow fails loudly. */
#ifndef VIGIL_COMMON_H
#define VIGIL_COMMON_H

#define VIGIL_COMM_LEN 16

enum vigil_record_kind {
	VIGIL_RECORD_EXEC = 1,
	VIGIL_RECORD_FORK = 2,
	VIGIL_RECORD_EXIT = 3,
	VIGIL_RECORD_CGROUP_MKDIR = 4,
	VIGIL_RECORD_FILE = 10,
	VIGIL_RECORD_PRIVILEGE = 20,
	VIGIL_RECORD_CONNECT = 30,
	VIGIL_RECORD_ACCEPT = 31,
	VIGIL_RECORD_CLOSE = 32,
	VIGIL_RECORD_XDP_SAMPLE = 40,
	VIGIL_RECORD_BENCH = 100,
};

/* First bytes of every ring-buffer record: the decoder dispatches on kind. */
struct vigil_header {
	__u16 kind;
	__u16 size;          /* total record size in bytes */
	__u32 cpu;
	__u64 ktime_ns;      /* bpf_ktime_get_boot_ns(): boot clock, includes suspend */
};

/* The process an event is about. start_boottime_ns with pid identifies a
 * process across pid reuse; user space turns it into the exec id. */
struct vigil_process {
	__u32 pid;           /* thread-group id */
	__u32 tid;
	__u32 ppid;
	__u32 uid;           /* real ids */
	__u32 gid;
	__u32 euid;          /* effective ids: what privilege checks use */
	__u32 egid;
	__u32 pad;
	__u64 start_boottime_ns;
	__u64 parent_start_boottime_ns;
	__u64 cgroup_id;
	char comm[VIGIL_COMM_LEN];
};

/* Emits BTF for a record type even when the program only uses it through a
 * pointer cast, so user space can check its mirror against the object. */
#define VIGIL_EXPORT_RECORD(name) struct name *vigil_btf_##name __attribute__((unused))

#endif
