// SPDX-License-Identifier: GPL-2.0
/*
 * CPU memcpy loop for make bench-dmatest: copies SIZE bytes between two
 * page-aligned buffers ITERATIONS times (the dmatest performance-mode
 * pattern: same size, no verification) and prints one line:
 *   memcpy SIZE bytes x N: T us, X iops, Y KB/s
 * in dmatest's units, so both are comparable.  Built static on the host,
 * run in the guest, where TCG emulates this CPU loop.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

int main(int argc, char **argv)
{
	size_t size = argc > 1 ? strtoul(argv[1], NULL, 0) : 16384;
	unsigned long n = argc > 2 ? strtoul(argv[2], NULL, 0) : 1000;
	unsigned char *src = aligned_alloc(4096, size + 4096);
	unsigned char *dst = aligned_alloc(4096, size + 4096);
	volatile unsigned char sink;
	uint64_t t0, us;
	unsigned long i;

	if (!src || !dst || !size || !n) {
		fprintf(stderr, "usage: memcpy-bench SIZE ITERATIONS\n");
		return 1;
	}
	memset(src, 0x5a, size);
	memset(dst, 0, size);
	t0 = now_us();
	for (i = 0; i < n; i++) {
		memcpy(dst, src, size);
		/* Keep the copy from being optimized away. */
		sink = dst[i % size];
		src[i % size] ^= 1;
	}
	us = now_us() - t0;
	(void)sink;
	if (!us)
		us = 1;
	printf("memcpy %zu bytes x %lu: %llu us, %.2f iops, %llu KB/s\n", size, n,
	       (unsigned long long)us, n * 1e6 / us,
	       (unsigned long long)((double)n * size / 1024 * 1e6 / us));
	return 0;
}
