/* Network sensor: connection records, socket owners, flow counters and the policy filter's maps.
 * Addresses are in network order (an IPv4 address in the first 4 bytes), ports in host order. */
#ifndef VIGIL_NETWORK_H
#define VIGIL_NETWORK_H

#include "common.h"

#define VIGIL_NET_OUTBOUND 0
#define VIGIL_NET_INBOUND 1

/* Rules per filter generation: a rule is one bit of the masks the lookups return. */
#define VIGIL_NET_MAX_RULES 64

/* Slots of the per-CPU net_counters array; rule i counts its matches at VIGIL_NET_SLOT_RULES + i. */
enum vigil_net_slot {
	VIGIL_NET_SLOT_SHIPPED = 0,	/* connection events put in the ring */
	VIGIL_NET_SLOT_FILTERED = 1,	/* judged and not selected by any posting rule: counted, not shipped */
	VIGIL_NET_SLOT_DENIED = 2,	/* connects refused by a deny rule */
	VIGIL_NET_SLOT_FLOWS_FULL = 3,	/* packets not counted because the flow table was full */
	VIGIL_NET_SLOT_RULES = 8,
};

#define VIGIL_NET_SLOTS (VIGIL_NET_SLOT_RULES + VIGIL_NET_MAX_RULES)

/* Source is the side that connected (the client), destination the side that accepted. */
struct vigil_net_tuple {
	__u8 saddr[16];
	__u8 daddr[16];
	__u16 sport;
	__u16 dport;
	__u8 family;		/* 4 or 6; IPv4-mapped IPv6 addresses are reported as IPv4 */
	__u8 protocol;		/* IPPROTO_TCP or IPPROTO_UDP */
	__u8 direction;		/* VIGIL_NET_OUTBOUND: this host connected; INBOUND: it accepted */
	__u8 pad;
};

/* connect (result 0 or -errno), accept and close (with the bytes this side sent and received). */
struct vigil_conn_record {
	struct vigil_header hdr;
	struct vigil_process proc;
	struct vigil_net_tuple tuple;
	__u64 bytes_sent;	/* payload bytes, retransmissions not counted twice */
	__u64 bytes_received;
	__s32 result;
	__u32 generation;	/* the filter generation that judged the event; 0 = no filter */
};

/* Socket-local storage: who owns a socket, remembered in process context (connect, listen,
 * socket creation) for the state changes and packets handled later in softirq context. Accepted
 * sockets inherit their listener's owner (the map is cloned with the socket). */
struct vigil_sock_owner {
	struct vigil_process proc;
	struct vigil_net_tuple tuple;	/* as reported at connect or accept: the local port is gone at close */
	__u8 direction;
	__u8 reported;		/* a rule matched the connect or accept (or no filter was in force), so close is judged too */
	__u8 pad[6];
};

/* A flow of one process: local and remote end as the packets show them (direction unused). */
struct vigil_flow_key {
	struct vigil_net_tuple tuple;
	__u32 pid;
	__u32 pad;
	__u64 start_boottime_ns;	/* with pid: the process's exec id */
};

/* Per CPU. Packets and payload bytes since the flow was last read out (reading deletes it). */
struct vigil_flow_counters {
	struct vigil_process proc;
	__u64 bytes_sent;
	__u64 bytes_received;
	__u64 packets_sent;
	__u64 packets_received;
	__u64 first_sent_ns;		/* boot clock; 0 = none on this CPU */
	__u64 first_received_ns;
	__u64 last_ns;
	__u32 generation;		/* the filter generation of the verdict below */
	__u8 selected;			/* a posting rule selects it (always 1 with no filter) */
	__u8 pad[3];
};

/* The filter generation in force; a new one is written beside it and swapped in with one word. */
struct vigil_net_state {
	__u32 generation;
	__u32 pad;
};

/* One per generation (slot generation & 1). Each mask has a bit per rule. A rule matches when
 * every selector it has matches: the lookups give the rules a value satisfies, the any_* masks the
 * rules without that selector. */
struct vigil_net_config {
	__u64 rules;		/* all rules of the generation */
	__u64 post;		/* rules whose events are shipped */
	__u64 deny;		/* rules that refuse the connect (where the connect hooks are attached) */
	__u64 any_destination;
	__u64 any_source;
	__u64 any_port;
	__u64 tcp;		/* rules that apply to TCP / to UDP */
	__u64 udp;
	__u64 outbound;		/* rules that apply to outbound / inbound events */
	__u64 inbound;
	__u32 enabled;		/* 0: no filter, everything is shipped */
	__u32 pad;
};

/* LPM keys: the generation first, so a new generation's entries sit beside the old ones. */
struct vigil_net_key_v4 {
	__u32 prefixlen;	/* 32 + address bits */
	__u32 generation;
	__u8 addr[4];
};

struct vigil_net_key_v6 {
	__u32 prefixlen;
	__u32 generation;
	__u8 addr[16];
};

/* Port ranges are stored as prefixes of the 16-bit port (network order). */
struct vigil_net_key_port {
	__u32 prefixlen;	/* 32 + port bits */
	__u32 generation;
	__u8 port[2];
};

#endif
