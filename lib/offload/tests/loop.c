// SPDX-License-Identifier: MIT
/*
 * THREADS threads each copy 1 MiB COUNT times, checking every copy, then
 * print "loop: ok".  On the host: more threads than the pool has
 * contexts (busy calls take the CPU); in the VM: the device is unbound
 * while it runs.
 *
 *   loop THREADS COUNT
 */
#include <pthread.h>

#include "check.h"

#define N (1 << 20)

static int count;

static void *worker(void *arg)
{
	unsigned int seed = (unsigned int)(uintptr_t)arg;
	unsigned char *a = xmalloc(N), *b = xmalloc(N);

	for (int i = 0; i < count; i++) {
		fill_pat(a, N, seed + (unsigned int)i);
		memcpy(b, a, N);
		if (!is_pat(b, N, seed + (unsigned int)i, 0))
			FAIL("thread %u copy %d", seed, i);
	}
	free(a);
	free(b);
	return NULL;
}

int main(int argc, char **argv)
{
	int threads = argc > 2 ? atoi(argv[1]) : 1;
	pthread_t t[64];

	count = argc > 2 ? atoi(argv[2]) : 10;
	if (threads < 1 || threads > 64 || count < 1)
		FAIL("usage: loop THREADS COUNT");
	for (int i = 0; i < threads; i++)
		pthread_create(&t[i], NULL, worker, (void *)(uintptr_t)(i * 1000));
	for (int i = 0; i < threads; i++)
		pthread_join(t[i], NULL);
	puts("loop: ok");
	return 0;
}
