// SPDX-License-Identifier: GPL-2.0
/* XDP guard: allow/deny lists, bans, protocol/port/flag rules and per-source
 * rate limits, judged in the driver. Every map is pinned by user space and the
 * program reads all policy from maps, so the agent can restart freely. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "vigil/xdp.h"
#include "vigil/ringbuf.h"
#include "vigil/task.h"

char LICENSE[] SEC("license") = "GPL";

VIGIL_EXPORT_RECORD(vigil_xdp_sample);
VIGIL_EXPORT_RECORD(vigil_xdp_rule);
VIGIL_EXPORT_RECORD(vigil_xdp_config);
VIGIL_EXPORT_RECORD(vigil_xdp_state);
VIGIL_EXPORT_RECORD(vigil_xdp_ban);
VIGIL_EXPORT_RECORD(vigil_xdp_counter);
VIGIL_EXPORT_RECORD(vigil_xdp_key_v6);
VIGIL_EXPORT_RECORD(vigil_xdp_list_entry);

#define ETH_P_IP 0x0800
#define ETH_P_IPV6 0x86DD
#define ETH_P_ARP 0x0806
#define ETH_P_8021Q 0x8100
#define ETH_P_8021AD 0x88A8
#define IPPROTO_ICMPV6_ 58
#define IPV6_HOPOPTS 0
#define IPV6_ROUTING 43
#define IPV6_FRAGMENT 44
#define IPV6_DSTOPTS 60
#define IPV6_EXT_MAX 4

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct vigil_xdp_state);
} xdp_state SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, struct vigil_xdp_config);
} xdp_config SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2 * VIGIL_XDP_MAX_RULES);
	__type(key, __u32);
	__type(value, struct vigil_xdp_rule);
} xdp_rules SEC(".maps");

/* Room for two generations of 131072 prefixes each, allocated on insert. */
struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 262144);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct vigil_xdp_key_v4);
	__type(value, struct vigil_xdp_list_entry);
} xdp_list_v4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 262144);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct vigil_xdp_key_v6);
	__type(value, struct vigil_xdp_list_entry);
} xdp_list_v6 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 65536);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct vigil_xdp_key_v4);
	__type(value, struct vigil_xdp_ban);
} xdp_bans_v4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 65536);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct vigil_xdp_key_v6);
	__type(value, struct vigil_xdp_ban);
} xdp_bans_v6 SEC(".maps");

/* 1 while any ban may exist: an empty trie still costs ~12 ns a lookup. User
 * space sets it after inserting a ban and clears it only when both tries are
 * empty (then checks again), so a ban is never skipped once installed. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} xdp_bans_present SEC(".maps");

/* Buckets are shared by all CPUs (updated by compare-and-swap), so a limit holds for
 * the sum over CPUs; LRU bounds the state a spoofed flood can create. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, struct vigil_xdp_limit_key);
	__type(value, struct vigil_xdp_limit);
} xdp_limits SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, VIGIL_XDP_SLOTS);
	__type(key, __u32);
	__type(value, struct vigil_xdp_counter);
} xdp_counters SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20);
} xdp_samples SEC(".maps");

/* Packets left until the next sample, per CPU: every Nth judged packet of a
 * CPU is sampled, which costs a decrement where a random draw costs ~20 ns. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} xdp_sample_clock SEC(".maps");

struct packet {
	__u64 saddr[2];
	__u32 family;
	__u16 dport;
	__u8 protocol;
	__u8 has_l4;		/* 0 for non-first fragments and unknown extension chains */
	__u8 tcp_flags;
	__u8 icmp_type;
};

struct vlan_hdr_ {
	__be16 tci;
	__be16 proto;
};

/* Fills ports, TCP flags or ICMP type from the transport header at l4. */
static __always_inline int parse_l4(struct packet *p, void *l4, void *end)
{
	if (p->protocol == IPPROTO_TCP) {
		struct tcphdr *tcp = l4;

		if ((void *)(tcp + 1) > end)
			return -1;
		p->dport = bpf_ntohs(tcp->dest);
		p->tcp_flags = ((__u8 *)tcp)[13];
	} else if (p->protocol == IPPROTO_UDP) {
		struct udphdr *udp = l4;

		if ((void *)(udp + 1) > end)
			return -1;
		p->dport = bpf_ntohs(udp->dest);
	} else if (p->protocol == IPPROTO_ICMP || p->protocol == IPPROTO_ICMPV6_) {
		if (l4 + 1 > end)
			return -1;
		p->icmp_type = *(__u8 *)l4;
	} else {
		return 0;
	}
	p->has_l4 = 1;
	return 0;
}

/* Returns a slot for frames judged without rules (ARP, ND, non-IP, malformed), else -1. */
static __always_inline int parse(struct xdp_md *ctx, struct packet *p)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	void *cursor = eth + 1;
	__u16 proto;

	if (cursor > end)
		return VIGIL_XDP_SLOT_MALFORMED;
	proto = bpf_ntohs(eth->h_proto);
#pragma unroll
	for (int i = 0; i < 2; i++) {
		if (proto != ETH_P_8021Q && proto != ETH_P_8021AD)
			break;
		struct vlan_hdr_ *vlan = cursor;

		if ((void *)(vlan + 1) > end)
			return VIGIL_XDP_SLOT_MALFORMED;
		proto = bpf_ntohs(vlan->proto);
		cursor = vlan + 1;
	}

	if (proto == ETH_P_ARP)
		return VIGIL_XDP_SLOT_NEIGHBOUR;

	if (proto == ETH_P_IP) {
		struct iphdr *ip = cursor;

		if ((void *)(ip + 1) > end || ip->ihl < 5)
			return VIGIL_XDP_SLOT_MALFORMED;
		p->family = 4;
		__builtin_memcpy(&p->saddr[0], &ip->saddr, 4);
		p->protocol = ip->protocol;
		/* Only the first fragment carries the transport header. */
		if (ip->frag_off & bpf_htons(0x1FFF))
			return -1;
		if (parse_l4(p, cursor + ip->ihl * 4, end) < 0)
			return VIGIL_XDP_SLOT_MALFORMED;
		return -1;
	}

	if (proto == ETH_P_IPV6) {
		struct ipv6hdr *ip6 = cursor;
		__u8 next;

		if ((void *)(ip6 + 1) > end)
			return VIGIL_XDP_SLOT_MALFORMED;
		p->family = 6;
		__builtin_memcpy(p->saddr, &ip6->saddr, 16);
		next = ip6->nexthdr;
		cursor = ip6 + 1;
#pragma unroll
		for (int i = 0; i < IPV6_EXT_MAX; i++) {
			if (next == IPV6_HOPOPTS || next == IPV6_ROUTING || next == IPV6_DSTOPTS) {
				struct ipv6_opt_hdr *opt = cursor;

				if ((void *)(opt + 1) > end)
					return VIGIL_XDP_SLOT_MALFORMED;
				next = opt->nexthdr;
				cursor += (opt->hdrlen + 1) * 8;
			} else if (next == IPV6_FRAGMENT) {
				struct frag_hdr *frag = cursor;

				if ((void *)(frag + 1) > end)
					return VIGIL_XDP_SLOT_MALFORMED;
				p->protocol = frag->nexthdr;
				if (frag->frag_off & bpf_htons(0xFFF8))
					return -1;
				next = frag->nexthdr;
				cursor = frag + 1;
			} else {
				break;
			}
		}
		p->protocol = next;
		if (parse_l4(p, cursor, end) < 0)
			return VIGIL_XDP_SLOT_MALFORMED;
		/* Router/neighbour solicitation and advertisement, redirect. */
		if (next == IPPROTO_ICMPV6_ && p->has_l4 && p->icmp_type >= 133 && p->icmp_type <= 137)
			return VIGIL_XDP_SLOT_NEIGHBOUR;
		return -1;
	}
	return VIGIL_XDP_SLOT_NON_IP;
}

static __always_inline struct vigil_xdp_list_entry *list_lookup(struct packet *p, __u32 generation)
{
	if (p->family == 4) {
		struct vigil_xdp_key_v4 key = { .prefixlen = 64, .generation = generation };

		__builtin_memcpy(key.addr, p->saddr, 4);
		return bpf_map_lookup_elem(&xdp_list_v4, &key);
	}
	struct vigil_xdp_key_v6 key = { .prefixlen = 160, .generation = generation };

	__builtin_memcpy(key.addr, p->saddr, 16);
	return bpf_map_lookup_elem(&xdp_list_v6, &key);
}

static __always_inline bool banned(struct packet *p)
{
	struct vigil_xdp_ban *ban;

	if (p->family == 4) {
		struct vigil_xdp_key_v4 key = { .prefixlen = 64 };

		__builtin_memcpy(key.addr, p->saddr, 4);
		ban = bpf_map_lookup_elem(&xdp_bans_v4, &key);
	} else {
		struct vigil_xdp_key_v6 key = { .prefixlen = 160 };

		__builtin_memcpy(key.addr, p->saddr, 16);
		ban = bpf_map_lookup_elem(&xdp_bans_v6, &key);
	}
	/* Expired bans stop matching at once; user space reaps them later. */
	return ban && (ban->expires_ns == 0 || ban->expires_ns > bpf_ktime_get_boot_ns());
}

static __always_inline bool rule_matches(struct vigil_xdp_rule *r, struct packet *p)
{
	if (r->protocol && r->protocol != p->protocol)
		return false;
	if (r->family) {
		if (r->family != p->family)
			return false;
		if ((p->saddr[0] & r->src_mask[0]) != r->src_addr[0] ||
		    (p->saddr[1] & r->src_mask[1]) != r->src_addr[1])
			return false;
	}
	if (r->dport_lo != 0 || r->dport_hi != 0xFFFF) {
		if (!p->has_l4 || (p->protocol != IPPROTO_TCP && p->protocol != IPPROTO_UDP) ||
		    p->dport < r->dport_lo || p->dport > r->dport_hi)
			return false;
	}
	if (r->tcp_flags_mask &&
	    (!p->has_l4 || p->protocol != IPPROTO_TCP || (p->tcp_flags & r->tcp_flags_mask) != r->tcp_flags_value))
		return false;
	if (r->icmp_type != 255 && (!p->has_l4 || p->icmp_type != r->icmp_type))
		return false;
	return true;
}

/* True when the packet is over the rule's rate for its source prefix. */
/* The coarse clock (one tick resolution) costs a load where the precise one
 * costs ~25 ns here; user space keeps the tolerance at least a tick, so the
 * long-run rate stays exact and bursts stay within one tick of packets. */
static __always_inline bool over_limit(struct vigil_xdp_rule *r, struct packet *p, __u32 slot)
{
	__u64 now = bpf_ktime_get_coarse_ns();
	struct vigil_xdp_limit_key key = { .slot = slot, .family = p->family };
	struct vigil_xdp_limit *bucket;
	__u64 tat, old;
	__u32 bits = p->family == 4 ? r->limit_prefix_v4 : r->limit_prefix_v6;

	if (p->family == 4) {
		key.addr[0] = p->saddr[0] & bpf_htonl(0xFFFFFFFFu << (32 - bits));
	} else if (bits <= 64) {
		key.addr[0] = p->saddr[0] & bpf_cpu_to_be64(~0ULL << (64 - bits));
	} else {
		key.addr[0] = p->saddr[0];
		key.addr[1] = p->saddr[1] & bpf_cpu_to_be64(~0ULL << (128 - bits));
	}
	bucket = bpf_map_lookup_elem(&xdp_limits, &key);
	if (!bucket) {
		struct vigil_xdp_limit fresh = { .tat_ns = now + r->interval_ns };

		bpf_map_update_elem(&xdp_limits, &key, &fresh, BPF_NOEXIST);
		return false;
	}
	/* Compare-and-swap instead of a lock (LRU maps cannot hold one); a packet
	 * that keeps losing the race to other CPUs counts as over the limit. */
#pragma unroll
	for (int attempt = 0; attempt < 4; attempt++) {
		old = bucket->tat_ns;
		tat = old > now ? old : now;
		if (tat - now + r->interval_ns > r->tolerance_ns)
			return true;
		if (__sync_val_compare_and_swap(&bucket->tat_ns, old, tat + r->interval_ns) == old)
			return false;
	}
	return true;
}

static __always_inline void count(__u32 slot, __u64 bytes, bool drop)
{
	struct vigil_xdp_counter *c = bpf_map_lookup_elem(&xdp_counters, &slot);

	if (!c)
		return;
	c->packets += 1;
	c->bytes += bytes;
	c->dropped += drop;
}

static __always_inline void sample(struct xdp_md *ctx, struct packet *p, __u32 slot, bool drop)
{
	__u64 len = ctx->data_end - ctx->data;
	struct vigil_xdp_sample *s = bpf_ringbuf_reserve(&xdp_samples, sizeof(*s), 0);
	__u64 captured;

	if (!s) {
		vigil_count_drop();
		return;
	}
	vigil_fill_header(&s->hdr, VIGIL_RECORD_XDP_SAMPLE, sizeof(*s));
	s->ifindex = ctx->ingress_ifindex;
	s->slot = slot;
	s->dropped = drop;
	s->family = p->family;
	__builtin_memcpy(s->saddr, p->saddr, 16);
	s->packet_len = len;
	__builtin_memset(s->pad, 0, sizeof(s->pad));
	captured = len < VIGIL_XDP_SAMPLE_BYTES ? len : VIGIL_XDP_SAMPLE_BYTES;
	if (captured > 0) {
		/* 1..128 in the very register the helper gets, so the verifier sees the bound. */
		captured -= 1;
		asm volatile("%0 &= 0x7f; %0 += 1" : "+r"(captured));
		if (bpf_xdp_load_bytes(ctx, 0, s->data, captured) < 0)
			captured = 0;
	}
	s->captured = captured;
	vigil_submit(&xdp_samples, s);
}

SEC("xdp")
int vigil_xdp_guard(struct xdp_md *ctx)
{
	__u64 bytes = ctx->data_end - ctx->data;
	struct packet p = {};
	struct vigil_xdp_state *state;
	struct vigil_xdp_config *cfg;
	struct vigil_xdp_list_entry *listed;
	__u32 *bans;
	__u32 zero = 0, generation, slot, action;
	bool drop;
	int fixed;

	state = bpf_map_lookup_elem(&xdp_state, &zero);
	if (!state)
		return XDP_PASS;
	generation = state->generation & 1;
	cfg = bpf_map_lookup_elem(&xdp_config, &generation);
	if (!cfg)
		return XDP_PASS;

	fixed = parse(ctx, &p);
	if (fixed >= 0) {
		drop = fixed == VIGIL_XDP_SLOT_MALFORMED;
		count(fixed, bytes, drop);
		return drop && cfg->enforce ? XDP_DROP : XDP_PASS;
	}

	/* A deny drops whether or not a ban also matches, so bans are looked up only after both lists. */
	listed = list_lookup(&p, generation);
	if (listed) {
		drop = listed->action != VIGIL_XDP_ACTION_PASS;
		slot = drop ? VIGIL_XDP_SLOT_DENY : VIGIL_XDP_SLOT_ALLOW;
		goto judged;
	}
	bans = bpf_map_lookup_elem(&xdp_bans_present, &zero);
	if (bans && *bans && banned(&p)) {
		slot = VIGIL_XDP_SLOT_BAN;
		drop = true;
		goto judged;
	}

	slot = VIGIL_XDP_SLOT_DEFAULT;
	drop = cfg->default_action == VIGIL_XDP_ACTION_DROP;
	for (__u32 i = 0; i < VIGIL_XDP_MAX_RULES; i++) {
		if (i >= cfg->rule_count)
			break;
		__u32 index = generation * VIGIL_XDP_MAX_RULES + i;
		struct vigil_xdp_rule *r = bpf_map_lookup_elem(&xdp_rules, &index);

		if (!r || !rule_matches(r, &p))
			continue;
		slot = VIGIL_XDP_SLOT_RULES + index;
		action = r->action;
		if (action == VIGIL_XDP_ACTION_LIMIT)
			drop = over_limit(r, &p, slot);
		else
			drop = action == VIGIL_XDP_ACTION_DROP;
		break;
	}

judged:
	count(slot, bytes, drop);
	if (cfg->sample_every) {
		__u32 *left = bpf_map_lookup_elem(&xdp_sample_clock, &zero);

		if (left && (*left == 0 || --*left == 0)) {
			*left = cfg->sample_every;
			sample(ctx, &p, slot, drop);
		}
	}
	return drop && cfg->enforce ? XDP_DROP : XDP_PASS;
}
