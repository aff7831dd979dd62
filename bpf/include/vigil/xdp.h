/* XDP guard: map keys, values and sample records. All of it is pinned under
 * /sys/fs/bpf/vigil/xdp/ and outlives the agent, so a layout change bumps
 * VIGIL_XDP_SCHEMA and the agent refuses to adopt state of another schema. */
#ifndef VIGIL_XDP_H
#define VIGIL_XDP_H

#include "common.h"

#define VIGIL_XDP_SCHEMA 1
#define VIGIL_XDP_MAX_RULES 64
#define VIGIL_XDP_SAMPLE_BYTES 128

/* What a rule, a list entry or the default does with a packet. */
enum vigil_xdp_action {
	VIGIL_XDP_ACTION_PASS = 0,
	VIGIL_XDP_ACTION_DROP = 1,
	VIGIL_XDP_ACTION_LIMIT = 2,	/* token bucket per source prefix */
};

/* Counter slots. Rule i of generation g counts at VIGIL_XDP_SLOT_RULES + g * MAX_RULES + i. */
enum vigil_xdp_slot {
	VIGIL_XDP_SLOT_DEFAULT = 0,	/* no list entry or rule matched */
	VIGIL_XDP_SLOT_ALLOW = 1,
	VIGIL_XDP_SLOT_DENY = 2,
	VIGIL_XDP_SLOT_BAN = 3,
	VIGIL_XDP_SLOT_NEIGHBOUR = 4,	/* ARP and IPv6 neighbour discovery: always passed */
	VIGIL_XDP_SLOT_NON_IP = 5,	/* other ethertypes: passed, the guard filters IP */
	VIGIL_XDP_SLOT_MALFORMED = 6,	/* headers cut short: dropped in enforce mode */
	VIGIL_XDP_SLOT_RULES = 8,
};

#define VIGIL_XDP_SLOTS (VIGIL_XDP_SLOT_RULES + 2 * VIGIL_XDP_MAX_RULES)

/* Per CPU, per slot. dropped counts what was (enforce) or would have been (monitor) dropped. */
struct vigil_xdp_counter {
	__u64 packets;
	__u64 bytes;
	__u64 dropped;
};

/* LPM keys. The allow/deny list carries the rule-set generation before the
 * address, so a new list is written beside the one in force and the swap is
 * one word; bans use generation 0 and are never swapped. */
struct vigil_xdp_key_v4 {
	__u32 prefixlen;	/* 32 (generation) + address bits */
	__u32 generation;
	__u8 addr[4];
};

struct vigil_xdp_key_v6 {
	__u32 prefixlen;
	__u32 generation;
	__u8 addr[16];
};

/* Allow and deny lists are one trie: user space resolves "allow wins" when
 * compiling (a deny inside an allow is left out; an allow inside a deny is a
 * longer prefix), so the data plane needs a single lookup. */
struct vigil_xdp_list_entry {
	__u32 action;		/* PASS = allow, DROP = deny */
	__u32 pad;
};

struct vigil_xdp_ban {
	__u64 expires_ns;	/* boot clock; 0 = until unblocked */
	__u32 origin;		/* 1 = operator, 2 = auto-mitigation */
	__u32 pad;
};

struct vigil_xdp_rule {
	__u64 src_addr[2];	/* masked source, network order; v4 in the first 4 bytes */
	__u64 src_mask[2];
	__u64 interval_ns;	/* LIMIT: 1e9 / rate */
	__u64 tolerance_ns;	/* LIMIT: burst * interval, at least a coarse-clock tick */
	__u32 rate_pps;
	__u32 burst;
	__u16 dport_lo;		/* host order */
	__u16 dport_hi;
	__u8 action;
	__u8 protocol;		/* IPPROTO_*, 0 = any */
	__u8 family;		/* 0 = any, 4, 6: source match family */
	__u8 src_prefixlen;
	__u8 tcp_flags_mask;
	__u8 tcp_flags_value;
	__u8 icmp_type;		/* 255 = any */
	__u8 limit_prefix_v4;	/* the limiter keys on the source cut to this prefix */
	__u8 limit_prefix_v6;
	__u8 pad[7];
	char name[24];		/* for rules and stats output */
};

/* One per generation. */
struct vigil_xdp_config {
	__u32 rule_count;
	__u32 default_action;	/* PASS, or DROP for deny-all */
	__u32 enforce;		/* 0 = monitor: count, judge, pass */
	__u32 sample_every;	/* every Nth judged packet (per CPU) sampled to user space; 0 = off */
};

/* The schema/version record and the generation in force. */
struct vigil_xdp_state {
	__u32 schema;
	__u32 generation;
	__u64 applied_ns;	/* boot clock of the last swap */
};

/* The source cut to the rule's per-prefix length (8..32 for v4, 16..128 for v6). */
struct vigil_xdp_limit_key {
	__u32 slot;
	__u32 family;
	__u64 addr[2];
};

/* GCRA token bucket: the theoretical arrival time of the next packet (coarse monotonic clock). */
struct vigil_xdp_limit {
	__u64 tat_ns;
};

struct vigil_xdp_sample {
	struct vigil_header hdr;
	__u32 ifindex;
	__u16 slot;
	__u8 dropped;
	__u8 family;		/* 4 or 6 */
	__u8 saddr[16];
	__u16 packet_len;
	__u16 captured;
	__u8 pad[4];
	__u8 data[VIGIL_XDP_SAMPLE_BYTES];
};

#endif
