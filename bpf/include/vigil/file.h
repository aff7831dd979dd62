/* File sensor records: the open family, unlink, rename, chmod, chown, link, symlink. */
#ifndef VIGIL_FILE_H
#define VIGIL_FILE_H

#include "common.h"
#include "policy.h"

/* The syscall a record comes from. */
enum vigil_file_syscall {
	VIGIL_FILE_OPEN = 1,
	VIGIL_FILE_OPENAT = 2,
	VIGIL_FILE_OPENAT2 = 3,
	VIGIL_FILE_CREAT = 4,
	VIGIL_FILE_UNLINK = 5,
	VIGIL_FILE_UNLINKAT = 6,
	VIGIL_FILE_RENAME = 7,
	VIGIL_FILE_RENAMEAT = 8,
	VIGIL_FILE_RENAMEAT2 = 9,
	VIGIL_FILE_CHMOD = 10,
	VIGIL_FILE_FCHMODAT = 11,
	VIGIL_FILE_FCHMODAT2 = 12,
	VIGIL_FILE_CHOWN = 13,
	VIGIL_FILE_LCHOWN = 14,
	VIGIL_FILE_FCHOWNAT = 15,
	VIGIL_FILE_LINK = 16,
	VIGIL_FILE_LINKAT = 17,
	VIGIL_FILE_SYMLINK = 18,
	VIGIL_FILE_SYMLINKAT = 19,
};

/* The event types policies name (vigil_policy_config.op_rules index). */
enum vigil_file_op {
	VIGIL_FILE_OP_OPEN = 0,
	VIGIL_FILE_OP_UNLINK = 1,
	VIGIL_FILE_OP_RENAME = 2,
	VIGIL_FILE_OP_CHMOD = 3,
	VIGIL_FILE_OP_CHOWN = 4,
	VIGIL_FILE_OP_LINK = 5,
	VIGIL_FILE_OP_SYMLINK = 6,
};

/* intent: what the call asks of the file (FileIntent in C#). Calls other than open write. */
#define VIGIL_INTENT_READ 1
#define VIGIL_INTENT_WRITE 2
#define VIGIL_INTENT_CREATE 4
#define VIGIL_INTENT_TRUNCATE 8

/* Followed by path_len bytes of path, then target_len bytes of the second path (rename and link:
 * the new name; symlink: the link created, while path is the target as written). Paths are made
 * absolute in the kernel against the working directory or the directory fd they are relative to;
 * "..", "." and symlinks in them are left as the caller wrote them. */
struct vigil_file_record {
	struct vigil_header hdr;
	struct vigil_process proc;
	struct vigil_verdict verdict;
	__s64 result;         /* the syscall's return value: fd or 0, -errno */
	__u32 flags;          /* open flags (O_*), or the *at flags */
	__u32 mode;           /* open and chmod mode */
	__u16 path_len;
	__u16 target_len;
	__u8 syscall;
	__u8 intent;
	__u8 pad[2];
};

#endif
