// SPDX-License-Identifier: GPL-2.0
/* Packet flood for the XDP benchmark. A prebuilt Ethernet/IPv4/UDP frame is
 * test-run through an XDP_TX program in live-frame mode (BPF_PROG_TEST_RUN
 * with BPF_F_TEST_XDP_LIVE_FRAMES), which transmits it out of IFACE: a veth
 * in the client namespace the benchmark creates, so frames reach only its peer.
 * Usage: flood OBJECT IFACE DST_MAC SRC_IP DST_IP PORT SECONDS   (prints frames sent) */
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_ether.h>
#include <net/if.h>
#include <netinet/ip.h>
#include <netinet/udp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PAYLOAD 18
#define REPEAT 100000

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static unsigned short checksum(const void *data, int len)
{
	const unsigned short *w = data;
	unsigned int sum = 0;

	for (; len > 1; len -= 2)
		sum += *w++;
	sum = (sum >> 16) + (sum & 0xffff);
	sum += sum >> 16;
	return ~sum;
}

int main(int argc, char **argv)
{
	unsigned char frame[sizeof(struct ethhdr) + sizeof(struct iphdr) + sizeof(struct udphdr) + PAYLOAD] = { 0 };
	struct ethhdr *eth = (void *)frame;
	struct iphdr *ip = (void *)(eth + 1);
	struct udphdr *udp = (void *)(ip + 1);
	unsigned long long sent = 0;
	struct bpf_object *obj;
	struct bpf_program *prog;
	struct xdp_md ctx = { 0 };
	double end;

	if (argc != 8 || sscanf(argv[3], "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &eth->h_dest[0], &eth->h_dest[1],
				&eth->h_dest[2], &eth->h_dest[3], &eth->h_dest[4], &eth->h_dest[5]) != 6 ||
	    inet_pton(AF_INET, argv[4], &ip->saddr) != 1 || inet_pton(AF_INET, argv[5], &ip->daddr) != 1) {
		fprintf(stderr, "usage: flood OBJECT IFACE DST_MAC SRC_IP DST_IP PORT SECONDS\n");
		return 64;
	}
	ctx.ingress_ifindex = if_nametoindex(argv[2]);
	if (ctx.ingress_ifindex == 0) {
		perror("flood: interface");
		return 1;
	}
	obj = bpf_object__open_file(argv[1], NULL);
	if (!obj || bpf_object__load(obj)) {
		fprintf(stderr, "flood: cannot load %s\n", argv[1]);
		return 1;
	}
	prog = bpf_object__find_program_by_name(obj, "xdp_tx");

	eth->h_proto = htons(ETH_P_IP);
	eth->h_source[0] = 0x02; /* locally administered */
	ip->version = 4;
	ip->ihl = 5;
	ip->ttl = 64;
	ip->protocol = IPPROTO_UDP;
	ip->tot_len = htons(sizeof(frame) - sizeof(*eth));
	ip->check = checksum(ip, sizeof(*ip));
	udp->source = htons(40000);
	udp->dest = htons(atoi(argv[6]));
	udp->len = htons(sizeof(*udp) + PAYLOAD);
	ctx.data_end = sizeof(frame);

	end = now() + atof(argv[7]);
	while (now() < end) {
		LIBBPF_OPTS(bpf_test_run_opts, opts,
			    .data_in = frame, .data_size_in = sizeof(frame),
			    .ctx_in = &ctx, .ctx_size_in = sizeof(ctx),
			    .repeat = REPEAT, .flags = BPF_F_TEST_XDP_LIVE_FRAMES, .batch_size = 64);

		if (bpf_prog_test_run_opts(bpf_program__fd(prog), &opts)) {
			perror("flood: test run");
			return 1;
		}
		sent += REPEAT;
	}
	printf("%llu\n", sent);
	bpf_object__close(obj);
	return 0;
}
