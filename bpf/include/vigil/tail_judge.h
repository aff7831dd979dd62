/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VIGIL_TAIL_JUDGE_H
#define VIGIL_TAIL_JUDGE_H

/* A sensor with one enter program per syscall does the cheap checks in each, then hands the call to
 * one judging program by tail call, so the kernel verifies the judging once when the sensor loads,
 * not once per syscall. VIGIL_TAIL_JUDGE(name, call_type) declares name##_judge (to be defined in
 * a bare "tp" section), the hand-off name##_judge_call(ctx, call, rules, generation) and, for the
 * judge, name##_judging() with what was handed over (per CPU: a tail call runs on its caller's). */
#define VIGIL_TAIL_JUDGE(name, call_type) \
	struct name##_judging { \
		call_type call; \
		__u64 rules; \
		__u32 generation; \
	}; \
	struct { \
		__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY); \
		__uint(max_entries, 1); \
		__type(key, __u32); \
		__type(value, struct name##_judging); \
	} judging_scratch SEC(".maps"); \
	int name##_judge(void *ctx); \
	struct { \
		__uint(type, BPF_MAP_TYPE_PROG_ARRAY); \
		__uint(max_entries, 1); \
		__uint(key_size, sizeof(__u32)); \
		__array(values, int(void *)); \
	} name##_judges SEC(".maps") = { \
		.values = { [0] = (void *)&name##_judge }, \
	}; \
	static __always_inline struct name##_judging *name##_judging(void) \
	{ \
		__u32 zero = 0; \
		return bpf_map_lookup_elem(&judging_scratch, &zero); \
	} \
	static __always_inline int name##_judge_call(void *ctx, call_type *call, __u64 rules, __u32 generation) \
	{ \
		struct name##_judging *j = name##_judging(); \
		if (!j) \
			return 0; \
		j->call = *call; \
		j->rules = rules; \
		j->generation = generation; \
		bpf_tail_call(ctx, &name##_judges, 0); \
		vigil_count_drop(); /* reached only when the tail call failed: the event is lost, and counted */ \
		return 0; \
	}

#endif
