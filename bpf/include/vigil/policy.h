/* Policy tables every judging sensor shares (file, privilege). User space compiles the policies in
 * force into these maps; the programs judge each event against them before anything crosses the
 * ring. Everything a generation needs lives under its slot (generation & 1): the next generation is
 * written beside the one in force and switched in with one word, so an event is judged by exactly
 * one generation. */
#ifndef VIGIL_POLICY_H
#define VIGIL_POLICY_H

#include "common.h"

#define VIGIL_POLICY_RULES 64           /* rules per sensor and generation: one bit each in a mask */
#define VIGIL_POLICY_SLOTS 2
#define VIGIL_POLICY_OPS 32             /* event types a sensor can tell apart */
#define VIGIL_POLICY_PATH_BYTES 248     /* path bytes an LPM key holds (the kernel caps LPM data at 256) */
#define VIGIL_POLICY_SUFFIX_BYTES 64
#define VIGIL_POLICY_SUFFIX_LENGTHS 8   /* distinct suffix lengths per generation */
#define VIGIL_POLICY_CGROUP_DEPTH 16    /* cgroup ancestors checked against cgroup selectors */

enum vigil_policy_action {
	VIGIL_ACTION_POST = 0,          /* ship every matching event */
	VIGIL_ACTION_COUNT = 1,         /* count only */
	VIGIL_ACTION_SAMPLE = 2,        /* ship one in sample_every (per CPU) */
	VIGIL_ACTION_RATE_LIMIT = 3,    /* ship rate_limit per rate_interval_ns per process */
	VIGIL_ACTION_SIGKILL = 4,       /* enforce: kill the process; monitor: ship as post */
};

/* Index of the mask of rules that carry a selector (vigil_policy_config.has). */
enum vigil_policy_selector {
	VIGIL_SEL_PATH = 0,
	VIGIL_SEL_BINARY = 1,
	VIGIL_SEL_PARENT = 2,
	VIGIL_SEL_UID = 3,
	VIGIL_SEL_COMM = 4,
	VIGIL_SEL_CGROUP = 5,
	VIGIL_SEL_PIDNS = 6,
	VIGIL_SEL_INTENT = 7,
	VIGIL_SEL_HOST = 8,             /* only processes in the initial pid namespace */
	VIGIL_SEL_CONTAINER = 9,        /* only processes in another pid namespace */
	VIGIL_SEL_TO_ROOT = 10,         /* setuid family: only calls of a non-root process asking for id 0 */
	VIGIL_SELECTORS = 11,
};

/* Kinds of vigil_id_key. */
enum vigil_policy_id_kind {
	VIGIL_ID_UID = 1,
	VIGIL_ID_CGROUP = 2,
	VIGIL_ID_PIDNS = 3,
};

/* One per slot: which rules exist and which selectors each carries. A selector a rule does not
 * carry accepts everything, so each stage keeps (rules without it) | (rules it matched). */
struct vigil_policy_config {
	__u64 op_rules[VIGIL_POLICY_OPS];   /* rules that judge each event type */
	__u64 has[VIGIL_SELECTORS];
	__u64 uid_negated;                  /* rules whose uid selector is "not one of" */
	__u64 comm_negated;                 /* rules whose comm selector is "not one of" */
	__u64 intent_rules[4];              /* rules accepting each intent bit (read, write, create, truncate) */
	__u64 critical;                     /* rules whose events overload sampling never thins */
	__u8 suffix_lengths[VIGIL_POLICY_SUFFIX_LENGTHS]; /* distinct path suffix lengths, 0 ends the list */
};

/* Array index slot * VIGIL_POLICY_RULES + rule. */
struct vigil_policy_rule {
	__u64 rate_interval_ns;
	__u32 sample_every;
	__u32 rate_limit;
	__u8 action;
	__u8 enforce;                       /* 0: monitor mode, sigkill is only reported */
	__u8 pad[6];
};

/* LPM key over path bytes: prefixlen counts the slot's 32 bits plus 8 per path byte. An exact path
 * is its bytes and the terminating NUL, so one lookup answers prefixes and exact paths. */
struct vigil_path_key {
	__u32 prefixlen;
	__u32 slot;
	__u8 path[VIGIL_POLICY_PATH_BYTES];
};

/* Rules whose selector of each role matches the key or a shorter prefix of it (user space ORs
 * every shorter entry into a longer one, as the trie returns only the longest). */
struct vigil_path_masks {
	__u64 path;
	__u64 binary;
	__u64 parent;
};

struct vigil_suffix_key {
	__u32 slot;
	__u32 len;
	__u8 bytes[VIGIL_POLICY_SUFFIX_BYTES];
};

struct vigil_comm_key {
	__u32 slot;
	__u32 pad;
	char comm[VIGIL_COMM_LEN];
};

struct vigil_id_key {
	__u32 slot;
	__u32 kind;
	__u64 id;
};

/* Rate-limit state of one rule and process. */
struct vigil_rate_key {
	__u32 rule;                         /* slot * VIGIL_POLICY_RULES + rule */
	__u32 tgid;
};

struct vigil_rate_state {
	__u64 window_start_ns;
	__u32 shipped;
	__u32 suppressed;                   /* in the current window, reported by the next shipped event */
};

/* Per CPU, per slot * VIGIL_POLICY_RULES + rule. Index VIGIL_POLICY_UNMATCHED counts in matched the
 * events no rule matched (judged and dropped in the kernel), in suppressed those overload sampling
 * held back. */
#define VIGIL_POLICY_UNMATCHED (VIGIL_POLICY_SLOTS * VIGIL_POLICY_RULES)
struct vigil_rule_counters {
	__u64 matched;
	__u64 shipped;
	__u64 suppressed;                   /* held back by count, sample or rate limit */
	__u64 killed;
};

/* What judging decided, carried by every shipped record. */
struct vigil_verdict {
	__u64 rules;                        /* rules that matched */
	__u32 generation;
	__u32 suppressed;                   /* rate limit: events held back since the last one shipped */
	__u8 ship;
	__u8 killed;                        /* SIGKILL sent (enforce mode) */
	__u8 pad[6];
};

#endif
