/* Ring-buffer output with batched wake-ups and counted drops, for every sensor. */
#ifndef VIGIL_RINGBUF_H
#define VIGIL_RINGBUF_H

#include <bpf/bpf_helpers.h>

/* Wake the reader only when this many bytes are waiting; the reader also
 * polls on a short timer, so quiet periods still deliver promptly.
 * Set by the loader before load; 0 means wake on every record. */
const volatile __u64 vigil_wakeup_bytes = 0;

/* Failed reserves, per CPU: user space sums and reports them. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} vigil_drops SEC(".maps");

static __always_inline void vigil_count_drop(void)
{
	__u32 zero = 0;
	__u64 *drops = bpf_map_lookup_elem(&vigil_drops, &zero);

	if (drops)
		*drops += 1;
}

static __always_inline __u64 vigil_wakeup_flags(void *ring)
{
	if (vigil_wakeup_bytes == 0)
		return 0;
	return bpf_ringbuf_query(ring, BPF_RB_AVAIL_DATA) >= vigil_wakeup_bytes
		? BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP;
}

/* Reserves a fixed-size record; a full ring is counted as a drop. */
static __always_inline void *vigil_reserve(void *ring, __u64 size)
{
	void *record = bpf_ringbuf_reserve(ring, size, 0);

	if (!record)
		vigil_count_drop();
	return record;
}

static __always_inline void vigil_submit(void *ring, void *record)
{
	bpf_ringbuf_submit(record, vigil_wakeup_flags(ring));
}

/* Copies size bytes (bounded by the caller) into the ring; counts failure. */
static __always_inline void vigil_output(void *ring, void *record, __u64 size)
{
	if (bpf_ringbuf_output(ring, record, size, vigil_wakeup_flags(ring)))
		vigil_count_drop();
}

#endif
