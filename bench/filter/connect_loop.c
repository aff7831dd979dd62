// Loopback connect/accept workload for bench/filter: N TCP connections to a listener of its own on
// 127.0.0.1, each connected, accepted, and closed from both ends. Prints connections/s and its own
// CPU seconds (user + system, which includes the BPF programs that run in its context).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 20000;
	struct sockaddr_in addr = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(addr);
	int one = 1;
	int listener = socket(AF_INET, SOCK_STREAM, 0);

	if (listener < 0 || bind(listener, (struct sockaddr *)&addr, sizeof(addr)) || listen(listener, 128) ||
	    getsockname(listener, (struct sockaddr *)&addr, &len)) {
		perror("listener");
		return 1;
	}
	double start = now();
	for (long i = 0; i < n; i++) {
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
		/* RST on close: no TIME_WAIT pile-up across 10^5 connections. */
		struct linger lg = { .l_onoff = 1, .l_linger = 0 };
		setsockopt(c, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		close(c);
		close(s);
	}
	double elapsed = now() - start;
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	printf("connections=%ld seconds=%.3f rate=%.0f cpu=%.3f\n", n, elapsed, n / elapsed,
	       ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6);
	return 0;
}
