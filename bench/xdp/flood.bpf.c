// SPDX-License-Identifier: GPL-2.0
/* Benchmark helpers. xdp_tx: the flood generator test-runs it on live frames,
 * so every frame leaves the client veth as an XDP frame (no socket, no skb).
 * bare_drop: the floor of the per-packet cost harness. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

SEC("xdp")
int xdp_tx(struct xdp_md *ctx)
{
	return XDP_TX;
}

SEC("xdp")
int bare_drop(struct xdp_md *ctx)
{
	return XDP_DROP;
}
