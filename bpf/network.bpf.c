// SPDX-License-Identifier: GPL-2.0
/* Network sensor: TCP connect, accept and close from the socket state machine; packets and bytes
 * per flow and process counted in the kernel; events judged by the policy filter in the kernel;
 * connects refused by deny rules where the connect hooks are attached. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_endian.h>
#include "vigil/network.h"
#include "vigil/ringbuf.h"
#include "vigil/task.h"

char LICENSE[] SEC("license") = "GPL";

#define AF_INET 2
#define AF_INET6 10
#define EPERM 1
#define ECONNABORTED 103

VIGIL_EXPORT_RECORD(vigil_conn_record);
VIGIL_EXPORT_RECORD(vigil_sock_owner);
VIGIL_EXPORT_RECORD(vigil_flow_key);
VIGIL_EXPORT_RECORD(vigil_flow_counters);
VIGIL_EXPORT_RECORD(vigil_net_state);
VIGIL_EXPORT_RECORD(vigil_net_config);
VIGIL_EXPORT_RECORD(vigil_net_key_v4);
VIGIL_EXPORT_RECORD(vigil_net_key_v6);
VIGIL_EXPORT_RECORD(vigil_net_key_port);

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 22);
} network_events SEC(".maps");

/* Freed with the socket: nothing to clean up, nothing to leak. */
struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC | BPF_F_CLONE);
	__type(key, int);
	__type(value, struct vigil_sock_owner);
} sock_owners SEC(".maps");

/* Sized by the loader. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct vigil_flow_key);
	__type(value, struct vigil_flow_counters);
} flows SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct vigil_net_state);
} net_state SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, struct vigil_net_config);
} net_config SEC(".maps");

#define VIGIL_NET_TRIE(name, key_type)					\
	struct {							\
		__uint(type, BPF_MAP_TYPE_LPM_TRIE);			\
		__uint(map_flags, BPF_F_NO_PREALLOC);			\
		__uint(max_entries, 65536);				\
		__type(key, struct key_type);				\
		__type(value, __u64);					\
	} name SEC(".maps")

VIGIL_NET_TRIE(net_destinations_v4, vigil_net_key_v4);
VIGIL_NET_TRIE(net_destinations_v6, vigil_net_key_v6);
VIGIL_NET_TRIE(net_sources_v4, vigil_net_key_v4);
VIGIL_NET_TRIE(net_sources_v6, vigil_net_key_v6);
VIGIL_NET_TRIE(net_ports, vigil_net_key_port);

/* Where a socket listens: an accepted socket has its listener's netns and port, and its local
 * address is the listener's or the listener is bound to the wildcard. */
struct listen_key {
	__u8 addr[16];
	__u32 netns;
	__u16 port;
	__u8 family;
	__u8 pad;
};

/* Owners of listening sockets when flows are not counted: looked up once per accept, so nothing is
 * cloned into accepted sockets a rule does not select. Sockets sharing a port (SO_REUSEPORT) share
 * the entry of the last one to listen. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, struct listen_key);
	__type(value, struct vigil_process);
} listen_owners SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, VIGIL_NET_SLOTS);
	__type(key, __u32);
	__type(value, __u64);
} net_counters SEC(".maps");

static __always_inline void count(__u32 slot)
{
	__u64 *n = bpf_map_lookup_elem(&net_counters, &slot);

	if (n)
		*n += 1;
}

/* ---- the filter ---- */

struct verdict {
	__u64 matched;		/* rules whose every selector matches */
	__u32 generation;
	bool enabled;
};

static __always_inline __u64 address_rules(void *trie_v4, void *trie_v6, __u32 generation,
					   __u8 family, const __u8 *addr)
{
	__u64 *rules;

	if (family == 4) {
		struct vigil_net_key_v4 key = { .prefixlen = 64, .generation = generation };
		__builtin_memcpy(key.addr, addr, 4);
		rules = bpf_map_lookup_elem(trie_v4, &key);
	} else {
		struct vigil_net_key_v6 key = { .prefixlen = 160, .generation = generation };
		__builtin_memcpy(key.addr, addr, 16);
		rules = bpf_map_lookup_elem(trie_v6, &key);
	}
	return rules ? *rules : 0;
}

/* Judges a connection by the generation in force. Without a source (a connect not yet bound),
 * rules with a source selector do not match. */
static __always_inline struct verdict judge(const struct vigil_net_tuple *t, bool has_source)
{
	struct verdict v = {};
	__u32 zero = 0, slot;
	struct vigil_net_state *state = bpf_map_lookup_elem(&net_state, &zero);
	struct vigil_net_config *config;

	if (!state)
		return v;
	v.generation = state->generation;
	slot = v.generation & 1;
	config = bpf_map_lookup_elem(&net_config, &slot);
	if (!config || !config->enabled)
		return v;
	v.enabled = true;

	__u64 m = config->rules;
	m &= t->protocol == IPPROTO_TCP ? config->tcp : config->udp;
	m &= t->direction == VIGIL_NET_OUTBOUND ? config->outbound : config->inbound;
	if (m)
		m &= config->any_destination |
		     address_rules(&net_destinations_v4, &net_destinations_v6, v.generation, t->family, t->daddr);
	if (m)
		m &= config->any_source |
		     (has_source ? address_rules(&net_sources_v4, &net_sources_v6, v.generation, t->family, t->saddr) : 0);
	if (m) {
		struct vigil_net_key_port key = { .prefixlen = 48, .generation = v.generation };
		key.port[0] = t->dport >> 8;
		key.port[1] = t->dport & 0xff;
		__u64 *ports = bpf_map_lookup_elem(&net_ports, &key);
		m &= config->any_port | (ports ? *ports : 0);
	}
	v.matched = m;
	return v;
}

/* Counts every matching rule; true when the event is to be shipped. */
static __always_inline bool selected(const struct verdict *v)
{
	if (!v->enabled)
		return true;
	__u32 slot = v->generation & 1;
	struct vigil_net_config *config = bpf_map_lookup_elem(&net_config, &slot);
	if (!config)
		return true;
	/* Up to the highest matching rule only: usually a few steps, not 64. */
	__u64 m = v->matched;
	for (__u32 i = 0; i < VIGIL_NET_MAX_RULES && m; i++, m >>= 1) {
		if (m & 1)
			count(VIGIL_NET_SLOT_RULES + i);
	}
	return (v->matched & config->post) != 0;
}

/* ---- addresses ---- */

static __always_inline bool is_v4_mapped(const __u8 *a)
{
	__u64 head;
	__u16 ffff;

	__builtin_memcpy(&head, a, 8);
	__builtin_memcpy(&ffff, a + 10, 2);
	return head == 0 && a[8] == 0 && a[9] == 0 && ffff == 0xffff;
}

/* An IPv4 connection on an IPv6 socket is reported as IPv4: policies name it that way. */
static __always_inline void unmap_v4(struct vigil_net_tuple *t)
{
	if (t->family != 6 || !is_v4_mapped(t->daddr))
		return;
	t->family = 4;
	__builtin_memmove(t->saddr, t->saddr + 12, 4);
	__builtin_memset(t->saddr + 4, 0, 12);
	__builtin_memmove(t->daddr, t->daddr + 12, 4);
	__builtin_memset(t->daddr + 4, 0, 12);
}

/* Local and remote end of a socket, oriented client -> server by direction. */
static __always_inline void socket_tuple(const struct sock *sk, __u8 direction, struct vigil_net_tuple *t)
{
	__u8 local[16] = {}, remote[16] = {};
	__u16 lport = sk->__sk_common.skc_num;
	__u16 rport = bpf_ntohs(sk->__sk_common.skc_dport);

	__builtin_memset(t, 0, sizeof(*t));
	if (sk->__sk_common.skc_family == AF_INET) {
		t->family = 4;
		__builtin_memcpy(local, &sk->__sk_common.skc_rcv_saddr, 4);
		__builtin_memcpy(remote, &sk->__sk_common.skc_daddr, 4);
	} else {
		t->family = 6;
		BPF_CORE_READ_INTO(&local, sk, __sk_common.skc_v6_rcv_saddr.in6_u.u6_addr8);
		BPF_CORE_READ_INTO(&remote, sk, __sk_common.skc_v6_daddr.in6_u.u6_addr8);
	}
	t->protocol = sk->sk_protocol;
	t->direction = direction;
	if (direction == VIGIL_NET_OUTBOUND) {
		__builtin_memcpy(t->saddr, local, 16);
		__builtin_memcpy(t->daddr, remote, 16);
		t->sport = lport;
		t->dport = rport;
	} else {
		__builtin_memcpy(t->saddr, remote, 16);
		__builtin_memcpy(t->daddr, local, 16);
		t->sport = rport;
		t->dport = lport;
	}
	unmap_v4(t);
}

/* ---- connection events ---- */

/* Judges and ships (or counts) one event; true when a rule matched it (or no filter is in force). */
static __always_inline bool emit(__u16 kind, const struct vigil_process *proc, const struct vigil_net_tuple *t,
				 __u64 sent, __u64 received, __s32 result, bool has_source, bool always)
{
	struct verdict v = judge(t, has_source);
	struct vigil_conn_record *rec;
	bool judged = !v.enabled || v.matched;

	if (!selected(&v) && !always) {
		count(VIGIL_NET_SLOT_FILTERED);
		return judged;
	}
	rec = vigil_reserve(&network_events, sizeof(*rec));
	if (!rec)
		return judged;
	vigil_fill_header(&rec->hdr, kind, sizeof(*rec));
	rec->proc = *proc;
	rec->tuple = *t;
	rec->bytes_sent = sent;
	rec->bytes_received = received;
	rec->result = result;
	rec->generation = v.generation;
	vigil_submit(&network_events, rec);
	count(VIGIL_NET_SLOT_SHIPPED);
	return judged;
}

/* Set before load when flows are counted: packets are attributed through socket owners, so every
 * socket needs one. Without flows, a connect no rule in force selects gets none, and its later
 * state changes cost one failed lookup. */
const volatile __u8 vigil_count_flows = 0;

/* Whether a connect starting now (destination and source address known, source port not yet)
 * needs an owner: flows are counted, no filter is in force, or a rule matches it. */
static __always_inline bool connect_needs_owner(const struct sock *sk)
{
	struct vigil_net_tuple t;

	if (vigil_count_flows)
		return true;
	socket_tuple(sk, VIGIL_NET_OUTBOUND, &t);
	struct verdict v = judge(&t, true);
	if (!v.enabled || v.matched)
		return true;
	count(VIGIL_NET_SLOT_FILTERED);
	return false;
}

/* The owner is remembered in process context (connect, listen); later changes run in softirq. */
static __always_inline void remember_owner(const struct sock *sk, __u8 direction)
{
	struct vigil_sock_owner *owner;

	if (vigil_is_agent())
		return;
	owner = bpf_sk_storage_get(&sock_owners, (struct sock *)sk, 0, BPF_SK_STORAGE_GET_F_CREATE);
	if (!owner)
		return;
	vigil_fill_current(&owner->proc);
	owner->direction = direction;
	owner->reported = 0;
}

/* The listening end of sk (local address, or the wildcard with wildcard set). */
static __always_inline void listen_key(const struct sock *sk, bool wildcard, struct listen_key *key)
{
	__builtin_memset(key, 0, sizeof(*key));
	key->netns = BPF_CORE_READ(sk, __sk_common.skc_net.net, ns.inum);
	key->port = sk->__sk_common.skc_num;
	key->family = sk->__sk_common.skc_family;
	if (wildcard)
		return;
	if (key->family == AF_INET)
		__builtin_memcpy(key->addr, &sk->__sk_common.skc_rcv_saddr, 4);
	else
		BPF_CORE_READ_INTO(&key->addr, sk, __sk_common.skc_v6_rcv_saddr.in6_u.u6_addr8);
}

static __always_inline void remember_listener(const struct sock *sk)
{
	struct listen_key key;
	struct vigil_process owner;

	if (vigil_is_agent())
		return;
	listen_key(sk, false, &key);
	vigil_fill_current(&owner);
	bpf_map_update_elem(&listen_owners, &key, &owner, BPF_ANY);
}

static __always_inline void forget_listener(const struct sock *sk)
{
	struct listen_key key;

	listen_key(sk, false, &key);
	bpf_map_delete_elem(&listen_owners, &key);
}

/* An accepted socket without an owner (flows not counted): judged with its listener's owner, and
 * given an owner only when a rule matched it, for its close. */
static __always_inline void accepted(const struct sock *sk)
{
	struct vigil_sock_owner *owner;
	struct vigil_process *listener;
	struct listen_key key;
	struct vigil_net_tuple t;

	listen_key(sk, false, &key);
	listener = bpf_map_lookup_elem(&listen_owners, &key);
	if (!listener) {
		listen_key(sk, true, &key);
		listener = bpf_map_lookup_elem(&listen_owners, &key);
	}
	if (!listener)
		return;
	socket_tuple(sk, VIGIL_NET_INBOUND, &t);
	if (!emit(VIGIL_RECORD_ACCEPT, listener, &t, 0, 0, 0, true, false))
		return;
	owner = bpf_sk_storage_get(&sock_owners, (struct sock *)sk, 0, BPF_SK_STORAGE_GET_F_CREATE);
	if (!owner)
		return;
	owner->proc = *listener;
	owner->tuple = t;
	owner->direction = VIGIL_NET_INBOUND;
	owner->reported = 1;
}

/* Payload bytes: retransmissions once; the peer's FIN, counted in the sequence space, left out. */
static __always_inline void tcp_bytes(const struct sock *sk, __u64 *sent, __u64 *received)
{
	struct tcp_sock *tp = bpf_skc_to_tcp_sock((void *)sk);

	*sent = 0;
	*received = 0;
	if (!tp)
		return;
	*sent = tp->bytes_sent - tp->bytes_retrans;
	*received = tp->bytes_received;
	if (*received > 0 && (sk->__sk_common.skc_flags & (1UL << bpf_core_enum_value(enum sock_flags, SOCK_DONE))))
		*received -= 1;
}

SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(handle_set_state, const struct sock *sk, const int oldstate, const int newstate)
{
	struct vigil_sock_owner *owner;

	if (sk->sk_protocol != IPPROTO_TCP)
		return 0;
	if (newstate == TCP_SYN_SENT) {
		if (connect_needs_owner(sk))
			remember_owner(sk, VIGIL_NET_OUTBOUND);
		return 0;
	}
	if (newstate == TCP_LISTEN) {
		/* With flows counted, every accepted socket needs an owner: cloned from the listener's. */
		if (vigil_count_flows)
			remember_owner(sk, VIGIL_NET_INBOUND);
		else
			remember_listener(sk);
		return 0;
	}
	owner = bpf_sk_storage_get(&sock_owners, (struct sock *)sk, 0, 0);
	if (!owner) {
		if (oldstate == TCP_SYN_RECV && newstate == TCP_ESTABLISHED)
			accepted(sk);
		else if (oldstate == TCP_LISTEN && newstate == TCP_CLOSE)
			forget_listener(sk);
		return 0;
	}
	if (oldstate == TCP_SYN_SENT) {
		/* The connect resolved: established, or refused, timed out or abandoned. */
		__s32 err = newstate == TCP_ESTABLISHED ? 0 : (sk->sk_err ? sk->sk_err : ECONNABORTED);
		socket_tuple(sk, VIGIL_NET_OUTBOUND, &owner->tuple);
		owner->reported = emit(VIGIL_RECORD_CONNECT, &owner->proc, &owner->tuple, 0, 0, -err, true, false) && err == 0;
		return 0;
	}
	if (oldstate == TCP_SYN_RECV && newstate == TCP_ESTABLISHED && owner->direction == VIGIL_NET_INBOUND) {
		socket_tuple(sk, VIGIL_NET_INBOUND, &owner->tuple);
		owner->reported = emit(VIGIL_RECORD_ACCEPT, &owner->proc, &owner->tuple, 0, 0, 0, true, false);
		return 0;
	}
	if (newstate == TCP_CLOSE && owner->reported) {
		__u64 sent, received;
		tcp_bytes(sk, &sent, &received);
		emit(VIGIL_RECORD_CLOSE, &owner->proc, &owner->tuple, sent, received, 0, true, false);
		owner->reported = 0;
	}
	return 0;
}

/* ---- flows ---- */

/* UDP sockets have no state changes: their owner is whoever created them. */
SEC("cgroup/sock_create")
int handle_sock_create(struct bpf_sock *sk)
{
	struct vigil_sock_owner *owner;

	if (sk->protocol != IPPROTO_UDP || vigil_is_agent())
		return 1;
	owner = bpf_sk_storage_get(&sock_owners, sk, 0, BPF_SK_STORAGE_GET_F_CREATE);
	if (owner) {
		vigil_fill_current(&owner->proc);
		owner->direction = VIGIL_NET_OUTBOUND;
		owner->reported = 0;
	}
	return 1;
}

/* Parses the packet (the context starts at the network header): local/remote end and payload size. */
static __always_inline bool packet_tuple(struct __sk_buff *skb, bool egress, struct vigil_net_tuple *t, __u32 *payload)
{
	__u8 src[16] = {}, dst[16] = {};
	__u32 l4_offset;
	__u16 ports[2];

	__builtin_memset(t, 0, sizeof(*t));
	if (skb->protocol == bpf_htons(0x0800)) {
		struct iphdr ip;
		if (bpf_skb_load_bytes(skb, 0, &ip, sizeof(ip)) < 0 || ip.frag_off & bpf_htons(0x1fff))
			return false;
		t->family = 4;
		t->protocol = ip.protocol;
		__builtin_memcpy(src, &ip.saddr, 4);
		__builtin_memcpy(dst, &ip.daddr, 4);
		l4_offset = ip.ihl * 4;
	} else if (skb->protocol == bpf_htons(0x86DD)) {
		struct ipv6hdr ip6;
		if (bpf_skb_load_bytes(skb, 0, &ip6, sizeof(ip6)) < 0)
			return false;
		t->family = 6;
		t->protocol = ip6.nexthdr;
		__builtin_memcpy(src, &ip6.saddr, 16);
		__builtin_memcpy(dst, &ip6.daddr, 16);
		l4_offset = sizeof(ip6);
	} else {
		return false;
	}
	if (t->protocol == IPPROTO_UDP) {
		if (bpf_skb_load_bytes(skb, l4_offset, ports, sizeof(ports)) < 0)
			return false;
		l4_offset += sizeof(struct udphdr);
	} else if (t->protocol == IPPROTO_TCP) {
		struct tcphdr tcp;
		if (bpf_skb_load_bytes(skb, l4_offset, &tcp, sizeof(tcp)) < 0)
			return false;
		ports[0] = tcp.source;
		ports[1] = tcp.dest;
		l4_offset += tcp.doff * 4;
	} else {
		return false;
	}
	*payload = skb->len > l4_offset ? skb->len - l4_offset : 0;
	if (egress) {
		__builtin_memcpy(t->saddr, src, 16);
		__builtin_memcpy(t->daddr, dst, 16);
		t->sport = bpf_ntohs(ports[0]);
		t->dport = bpf_ntohs(ports[1]);
	} else {
		__builtin_memcpy(t->saddr, dst, 16);
		__builtin_memcpy(t->daddr, src, 16);
		t->sport = bpf_ntohs(ports[1]);
		t->dport = bpf_ntohs(ports[0]);
	}
	return true;
}

/* Judges a UDP flow once per generation per CPU, as if it were outbound to its remote end. */
static __always_inline void judge_flow(struct vigil_flow_counters *c, const struct vigil_net_tuple *t)
{
	__u32 zero = 0;
	struct vigil_net_state *state = bpf_map_lookup_elem(&net_state, &zero);

	if (!state || (c->last_ns != 0 && c->generation == state->generation))
		return;
	struct verdict v = judge(t, true);
	c->generation = v.generation;
	c->selected = selected(&v);
}

static __always_inline int account(struct __sk_buff *skb, bool egress)
{
	struct vigil_flow_key key = {};
	struct vigil_flow_counters *c;
	struct vigil_sock_owner *owner = NULL;
	struct bpf_sock *sk = skb->sk;
	__u32 payload;
	__u64 now;

	if (!packet_tuple(skb, egress, &key.tuple, &payload))
		return 1;
	if (sk) {
		sk = bpf_sk_fullsock(sk);
		if (sk)
			owner = bpf_sk_storage_get(&sock_owners, sk, 0, 0);
	}
	if (owner) {
		key.pid = owner->proc.pid;
		key.start_boottime_ns = owner->proc.start_boottime_ns;
	}
	c = bpf_map_lookup_elem(&flows, &key);
	if (!c) {
		struct vigil_flow_counters fresh = {};
		if (owner)
			fresh.proc = owner->proc;
		bpf_map_update_elem(&flows, &key, &fresh, BPF_NOEXIST);
		c = bpf_map_lookup_elem(&flows, &key);
		if (!c) {
			count(VIGIL_NET_SLOT_FLOWS_FULL);
			return 1;
		}
	}
	if (c->proc.pid == 0 && owner)
		c->proc = owner->proc;
	now = bpf_ktime_get_boot_ns();
	if (key.tuple.protocol == IPPROTO_UDP) {
		key.tuple.direction = VIGIL_NET_OUTBOUND;
		judge_flow(c, &key.tuple);
	}
	__u64 packets = skb->gso_segs > 1 ? skb->gso_segs : 1;
	if (egress) {
		c->bytes_sent += payload;
		c->packets_sent += packets;
		if (!c->first_sent_ns)
			c->first_sent_ns = now;
	} else {
		c->bytes_received += payload;
		c->packets_received += packets;
		if (!c->first_received_ns)
			c->first_received_ns = now;
	}
	c->last_ns = now;
	return 1;
}

SEC("cgroup_skb/egress")
int handle_egress(struct __sk_buff *skb)
{
	return account(skb, true);
}

SEC("cgroup_skb/ingress")
int handle_ingress(struct __sk_buff *skb)
{
	return account(skb, false);
}

/* ---- deny connect (attached only in enforce mode, to the cgroup a policy names) ---- */

static __always_inline int judge_connect(struct bpf_sock_addr *ctx, struct vigil_net_tuple *t)
{
	struct vigil_process proc;
	struct verdict v;
	__u32 slot;

	t->protocol = ctx->protocol;
	t->dport = bpf_ntohs(ctx->user_port);
	t->direction = VIGIL_NET_OUTBOUND;
	unmap_v4(t);
	v = judge(t, false);
	if (!v.enabled)
		return 1;
	slot = v.generation & 1;
	struct vigil_net_config *config = bpf_map_lookup_elem(&net_config, &slot);
	if (!config || !(v.matched & config->deny))
		return 1;
	count(VIGIL_NET_SLOT_DENIED);
	vigil_fill_current(&proc);
	emit(VIGIL_RECORD_CONNECT, &proc, t, 0, 0, -EPERM, false, true);
	return 0;
}

SEC("cgroup/connect4")
int handle_connect4(struct bpf_sock_addr *ctx)
{
	struct vigil_net_tuple t = { .family = 4 };
	__u32 addr = ctx->user_ip4;

	__builtin_memcpy(t.daddr, &addr, 4);
	return judge_connect(ctx, &t);
}

SEC("cgroup/connect6")
int handle_connect6(struct bpf_sock_addr *ctx)
{
	struct vigil_net_tuple t = { .family = 6 };
	__u32 addr[4];

	addr[0] = ctx->user_ip6[0];
	addr[1] = ctx->user_ip6[1];
	addr[2] = ctx->user_ip6[2];
	addr[3] = ctx->user_ip6[3];
	__builtin_memcpy(t.daddr, addr, 16);
	return judge_connect(ctx, &t);
}
