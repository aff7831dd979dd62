/* Judging an event against the policy tables of bpf/include/vigil/policy.h, for every sensor that
 * filters in the kernel. A sensor narrows the candidate rules with its own selectors (path, intent),
 * then vigil_judge_process applies the selectors about the acting process and vigil_decide the
 * actions. Each stage keeps (rules without the selector) | (rules the selector matched). */
#ifndef VIGIL_JUDGE_H
#define VIGIL_JUDGE_H

#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "policy.h"
#include "process.h" /* VIGIL_PATH_MAX, VIGIL_CWD_MAX */
#include "cwd.h"

/* The generation in force; its slot is generation & 1. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} policy_generation SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, VIGIL_POLICY_SLOTS);
	__type(key, __u32);
	__type(value, struct vigil_policy_config);
} policy_config SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, VIGIL_POLICY_SLOTS * VIGIL_POLICY_RULES);
	__type(key, __u32);
	__type(value, struct vigil_policy_rule);
} policy_rules SEC(".maps");

/* Path, binary and parent-binary prefixes and exact paths. Sizes are set by the loader. */
struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 65536);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct vigil_path_key);
	__type(value, struct vigil_path_masks);
} policy_paths SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, struct vigil_suffix_key);
	__type(value, __u64);
} policy_suffixes SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, struct vigil_comm_key);
	__type(value, __u64);
} policy_comms SEC(".maps");

/* uids, cgroup ids and pid namespaces. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, struct vigil_id_key);
	__type(value, __u64);
} policy_ids SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, struct vigil_rate_key);
	__type(value, struct vigil_rate_state);
} policy_rates SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, VIGIL_POLICY_UNMATCHED + 1);
	__type(key, __u32);
	__type(value, struct vigil_rule_counters);
} policy_counters SEC(".maps");

/* Overload sampling, set by user space while a ring stays full: events of rules not marked critical
 * ship one in overload_every (per CPU); 0 or 1 ships all. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} policy_overload SEC(".maps");

struct vigil_judge_scratch {
	struct vigil_path_key key;
	struct vigil_suffix_key suffix;
	char walk[VIGIL_CWD_MAX + VIGIL_NAME_MAX + 1];
	__u64 overload_seen;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct vigil_judge_scratch);
} judge_scratch SEC(".maps");

static __always_inline struct vigil_judge_scratch *vigil_judge_scratch(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&judge_scratch, &zero);
}

/* The configuration of the generation in force, or NULL before any policy was applied. */
static __always_inline struct vigil_policy_config *vigil_policy_begin(__u32 *generation)
{
	__u32 zero = 0, slot;
	__u32 *gen = bpf_map_lookup_elem(&policy_generation, &zero);

	if (!gen)
		return NULL;
	*generation = *gen;
	slot = *gen & 1;
	return bpf_map_lookup_elem(&policy_config, &slot);
}

static __always_inline __u64 vigil_keep(struct vigil_policy_config *cfg, __u64 rules, int selector, __u64 matched)
{
	return rules & (~cfg->has[selector] | matched);
}

/* Counts an event no rule wanted: judged and dropped in the kernel. */
static __always_inline void vigil_count_unmatched(void)
{
	__u32 index = VIGIL_POLICY_UNMATCHED;
	struct vigil_rule_counters *c = bpf_map_lookup_elem(&policy_counters, &index);

	if (c)
		c->matched += 1;
}

static __always_inline __u64 vigil_id_rules(__u32 slot, __u32 kind, __u64 id)
{
	struct vigil_id_key key = { .slot = slot, .kind = kind, .id = id };
	__u64 *rules = bpf_map_lookup_elem(&policy_ids, &key);

	return rules ? *rules : 0;
}

/* Masks of the longest entry matching the path that starts at path (VIGIL_POLICY_PATH_BYTES of it
 * readable; bytes after its NUL never match, as no prefix holds a NUL and exact paths end in one). */
static __always_inline struct vigil_path_masks *vigil_path_lookup(struct vigil_judge_scratch *s, __u32 slot, const char *path)
{
	s->key.prefixlen = 32 + 8 * VIGIL_POLICY_PATH_BYTES;
	s->key.slot = slot;
	if (bpf_probe_read_kernel(s->key.path, sizeof(s->key.path), path) < 0)
		return NULL;
	return bpf_map_lookup_elem(&policy_paths, &s->key);
}

/* Rules whose suffix selector matches the last bytes of a path of len bytes at path. */
static __always_inline __u64 vigil_suffix_rules(struct vigil_policy_config *cfg, struct vigil_judge_scratch *s,
						 __u32 slot, const char *path, __u32 len)
{
	__u64 rules = 0;

#pragma unroll
	for (int i = 0; i < VIGIL_POLICY_SUFFIX_LENGTHS; i++) {
		__u32 n = cfg->suffix_lengths[i];
		if (n == 0 || n > VIGIL_POLICY_SUFFIX_BYTES)
			break;
		if (n > len)
			continue;
		__builtin_memset(&s->suffix, 0, sizeof(s->suffix));
		s->suffix.slot = slot;
		s->suffix.len = n;
		if (bpf_probe_read_kernel(s->suffix.bytes, n, path + ((len - n) & (VIGIL_PATH_MAX - 1))) < 0)
			continue;
		__u64 *found = bpf_map_lookup_elem(&policy_suffixes, &s->suffix);
		if (found)
			rules |= *found;
	}
	return rules;
}

/* Rules whose binary (or, with parent set, parent-binary) selector matches the current task's
 * executable (or its parent's), resolved into s->walk. Global: verified once, not per caller. */
__noinline __u64 vigil_exe_rules(struct vigil_judge_scratch *s, __u32 slot, int parent)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();

	if (!s)
		return 0;
	if (parent)
		task = BPF_CORE_READ(task, real_parent);
	struct path exe = BPF_CORE_READ(task, mm, exe_file, f_path);
	if (!exe.dentry)
		return 0;
	__u32 pos = vigil_path_reversed(task, &exe, s->walk) & (VIGIL_CWD_MAX - 1);
	s->walk[VIGIL_CWD_MAX] = 0;
	struct vigil_path_masks *found = vigil_path_lookup(s, slot, s->walk + pos);
	if (!found)
		return 0;
	return parent ? found->parent : found->binary;
}

static long vigil_cgroup_step(__u32 level, __u64 *ctx)
{
	/* ctx[0]: slot, ctx[1]: rules found so far */
	__u64 id = bpf_get_current_ancestor_cgroup_id(level);

	if (id == 0)
		return 1;
	ctx[1] |= vigil_id_rules(ctx[0], VIGIL_ID_CGROUP, id);
	return 0;
}

/* Applies the selectors about the acting process: uid, comm, cgroup, pid namespace, host or
 * container, binary and parent binary (the two paths walked only when a remaining rule asks).
 * Global functions here are verified once, whatever calls them. */
__noinline __u64 vigil_judge_process(struct vigil_policy_config *cfg, struct vigil_judge_scratch *s, __u32 slot, __u64 rules)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();

	if (!cfg || !s)
		return 0;

	if (rules & cfg->has[VIGIL_SEL_UID]) {
		__u32 euid = BPF_CORE_READ(task, cred, euid.val);
		rules = vigil_keep(cfg, rules, VIGIL_SEL_UID, vigil_id_rules(slot, VIGIL_ID_UID, euid) ^ cfg->uid_negated);
	}
	if (rules & cfg->has[VIGIL_SEL_COMM]) {
		struct vigil_comm_key key = { .slot = slot };
		bpf_get_current_comm(key.comm, sizeof(key.comm));
		__u64 *found = bpf_map_lookup_elem(&policy_comms, &key);
		rules = vigil_keep(cfg, rules, VIGIL_SEL_COMM, (found ? *found : 0) ^ cfg->comm_negated);
	}
	if (rules & cfg->has[VIGIL_SEL_CGROUP]) {
		__u64 walk[2] = { slot, 0 };
		bpf_loop(VIGIL_POLICY_CGROUP_DEPTH, vigil_cgroup_step, walk, 0);
		rules = vigil_keep(cfg, rules, VIGIL_SEL_CGROUP, walk[1]);
	}
	if (rules & (cfg->has[VIGIL_SEL_PIDNS] | cfg->has[VIGIL_SEL_HOST] | cfg->has[VIGIL_SEL_CONTAINER])) {
		struct pid *pid = BPF_CORE_READ(task, thread_pid);
		unsigned int level = BPF_CORE_READ(pid, level);
		struct upid up = {};
		bpf_core_read(&up, sizeof(up), &pid->numbers[level & 31]);
		__u64 inum = BPF_CORE_READ(up.ns, ns.inum);
		rules = vigil_keep(cfg, rules, VIGIL_SEL_PIDNS, vigil_id_rules(slot, VIGIL_ID_PIDNS, inum));
		rules = vigil_keep(cfg, rules, VIGIL_SEL_HOST, level == 0 ? ~0ULL : 0);
		rules = vigil_keep(cfg, rules, VIGIL_SEL_CONTAINER, level > 0 ? ~0ULL : 0);
	}
	if (rules & cfg->has[VIGIL_SEL_BINARY])
		rules = vigil_keep(cfg, rules, VIGIL_SEL_BINARY, vigil_exe_rules(s, slot, 0));
	if (rules & cfg->has[VIGIL_SEL_PARENT])
		rules = vigil_keep(cfg, rules, VIGIL_SEL_PARENT, vigil_exe_rules(s, slot, 1));
	return rules;
}

struct vigil_decide_ctx {
	struct vigil_verdict *verdict;
	__u64 now_ns;
	__u32 slot;
	__u32 tgid;
};

static __always_inline bool vigil_rate_allows(struct vigil_policy_rule *rule, __u32 index, __u32 tgid, __u64 now,
					      struct vigil_verdict *v)
{
	struct vigil_rate_key key = { .rule = index, .tgid = tgid };
	struct vigil_rate_state *state = bpf_map_lookup_elem(&policy_rates, &key);

	if (!state) {
		struct vigil_rate_state fresh = { .window_start_ns = now, .shipped = 1 };
		bpf_map_update_elem(&policy_rates, &key, &fresh, BPF_ANY);
		return true;
	}
	if (now - state->window_start_ns >= rule->rate_interval_ns) {
		v->suppressed += state->suppressed;
		state->window_start_ns = now;
		state->shipped = 1;
		state->suppressed = 0;
		return true;
	}
	if (state->shipped < rule->rate_limit) {
		state->shipped += 1;
		return true;
	}
	state->suppressed += 1;
	return false;
}

static long vigil_decide_rule(__u32 i, struct vigil_decide_ctx *c)
{
	struct vigil_verdict *v = c->verdict;
	__u32 index = c->slot * VIGIL_POLICY_RULES + (i & (VIGIL_POLICY_RULES - 1));
	bool ship = false;

	if ((v->rules >> (i & 63)) == 0)
		return 1;
	if (!(v->rules & (1ULL << (i & 63))))
		return 0;
	struct vigil_policy_rule *rule = bpf_map_lookup_elem(&policy_rules, &index);
	struct vigil_rule_counters *count = bpf_map_lookup_elem(&policy_counters, &index);
	if (!rule || !count)
		return 0;
	count->matched += 1;
	switch (rule->action) {
	case VIGIL_ACTION_POST:
		ship = true;
		break;
	case VIGIL_ACTION_SAMPLE:
		ship = rule->sample_every <= 1 || count->matched % rule->sample_every == 0;
		break;
	case VIGIL_ACTION_RATE_LIMIT:
		ship = vigil_rate_allows(rule, index, c->tgid, c->now_ns, v);
		break;
	case VIGIL_ACTION_SIGKILL:
		ship = true;
		if (rule->enforce) {
			v->killed = 1;
			count->killed += 1;
		}
		break;
	default:
		break;
	}
	if (ship) {
		v->ship = 1;
		count->shipped += 1;
	} else {
		count->suppressed += 1;
	}
	return 0;
}

/* Thins events of rules not marked critical while user space reports the ring overloaded. */
static __always_inline void vigil_overload_thin(struct vigil_policy_config *cfg, struct vigil_judge_scratch *s,
						struct vigil_verdict *v)
{
	__u32 zero = 0;
	__u32 *every = bpf_map_lookup_elem(&policy_overload, &zero);

	if (!every || *every <= 1 || !v->ship || v->killed || (v->rules & cfg->critical))
		return;
	s->overload_seen += 1;
	if (s->overload_seen % *every == 0)
		return;
	v->ship = 0;
	__u32 index = VIGIL_POLICY_UNMATCHED;
	struct vigil_rule_counters *c = bpf_map_lookup_elem(&policy_counters, &index);
	if (c)
		c->suppressed += 1;
}

/* Applies the actions of every matched rule: counts, samples, rate limits, kills. The event ships
 * when one of them wants it. */
__noinline int vigil_decide(struct vigil_policy_config *cfg, struct vigil_judge_scratch *s, __u32 generation,
			    __u64 rules, struct vigil_verdict *v)
{
	if (!cfg || !s || !v)
		return 0;
	struct vigil_decide_ctx c = {
		.verdict = v,
		.now_ns = bpf_ktime_get_boot_ns(),
		.slot = generation & 1,
		.tgid = bpf_get_current_pid_tgid() >> 32,
	};

	__builtin_memset(v, 0, sizeof(*v));
	v->rules = rules;
	v->generation = generation;
	bpf_loop(VIGIL_POLICY_RULES, vigil_decide_rule, &c, 0);
	vigil_overload_thin(cfg, s, v);
	if (v->killed)
		bpf_send_signal(9 /* SIGKILL */);
	return v->ship;
}

#endif
