/* Privilege sensor records: the setuid family, capset, ptrace, memfd_create, module loading, bpf,
 * mount, unshare and setns. */
#ifndef VIGIL_PRIVILEGE_H
#define VIGIL_PRIVILEGE_H

#include "common.h"
#include "policy.h"

#define VIGIL_PRIVILEGE_NAME_MAX 256

/* The syscall a record comes from; also the event type policies name (op_rules index). */
enum vigil_privilege_syscall {
	VIGIL_PRIV_SETUID = 0,
	VIGIL_PRIV_SETREUID = 1,
	VIGIL_PRIV_SETRESUID = 2,
	VIGIL_PRIV_SETGID = 3,
	VIGIL_PRIV_SETREGID = 4,
	VIGIL_PRIV_SETRESGID = 5,
	VIGIL_PRIV_CAPSET = 6,
	VIGIL_PRIV_PTRACE = 7,
	VIGIL_PRIV_MEMFD_CREATE = 8,
	VIGIL_PRIV_INIT_MODULE = 9,
	VIGIL_PRIV_FINIT_MODULE = 10,
	VIGIL_PRIV_BPF = 11,
	VIGIL_PRIV_MOUNT = 12,
	VIGIL_PRIV_UNSHARE = 13,
	VIGIL_PRIV_SETNS = 14,
};

/* Followed by name_len bytes of name: the memfd name, the mount target as written, the module
 * parameters of init_module and finit_module. */
struct vigil_privilege_record {
	struct vigil_header hdr;
	struct vigil_process proc;
	struct vigil_verdict verdict;
	__s64 result;
	__s64 target;         /* setuid family: the id asked for; ptrace: target pid; capset: pid; setns and finit_module: fd */
	__u64 flags;          /* ptrace request, memfd/mount/unshare flags, setns nstype, bpf command, capset: new effective set */
	__u16 name_len;
	__u8 syscall;
	__u8 to_root;         /* setuid family: a process not fully root (real or effective id not 0) asked for id 0 */
	__u8 pad[4];
};

#endif
