// SPDX-License-Identifier: GPL-2.0
/* Loopback connection workload of the filter benchmark: TCP connections to a listener of its own
 * on 127.0.0.1, each connected, accepted and closed from both ends, for the given seconds; then
 * prints "OPS CPU_SECONDS": connections made and its own user + system time, which includes the
 * BPF programs run in its context. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>
#include "workload.h"

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: connect_loop SECONDS\n");
		return 2;
	}
	double seconds = atof(argv[1]);
	struct sockaddr_in addr = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(addr);
	struct linger rst = { .l_onoff = 1, .l_linger = 0 };
	unsigned long ops = 0;
	int listener = socket(AF_INET, SOCK_STREAM, 0);

	if (listener < 0 || bind(listener, (struct sockaddr *)&addr, sizeof(addr)) || listen(listener, 128) ||
	    getsockname(listener, (struct sockaddr *)&addr, &len)) {
		perror("listener");
		return 1;
	}
	double start = wall_seconds();
	do {
		for (int i = 0; i < 64; i++, ops++) {
			int c = socket(AF_INET, SOCK_STREAM, 0);
			if (c < 0 || connect(c, (struct sockaddr *)&addr, sizeof(addr))) {
				perror("connect");
				return 1;
			}
			int s = accept(listener, NULL, NULL);
			if (s < 0) {
				perror("accept");
				return 1;
			}
			/* RST on close: no TIME_WAIT pile-up. */
			setsockopt(c, SOL_SOCKET, SO_LINGER, &rst, sizeof(rst));
			close(c);
			close(s);
		}
	} while (wall_seconds() - start < seconds);

	report(ops);
	return 0;
}
