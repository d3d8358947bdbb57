// SPDX-License-Identifier: MIT
/*
 * Threads: four started before the first offloaded call (each makes its
 * context on its own first call), copying concurrently; then 40 short
 * threads one after another, each offloading once and exiting (their
 * contexts are destroyed with them: the stats report's context count
 * and the device keep up).
 */
#include <pthread.h>

#include "check.h"

static pthread_barrier_t start;

static void *worker(void *arg)
{
	unsigned int seed = (unsigned int)(uintptr_t)arg;
	size_t n = (1 << 20) + seed;
	unsigned char *a = xmalloc(n), *b = xmalloc(n);

	pthread_barrier_wait(&start);
	for (int i = 0; i < 20; i++) {
		fill_pat(a, n, seed + i);
		memcpy(b, a, n);
		if (!is_pat(b, n, seed + i, 0))
			FAIL("thread %u copy %d", seed, i);
	}
	free(a);
	free(b);
	return NULL;
}

static void *once(void *arg)
{
	check_copy(256 << 10, (unsigned int)(uintptr_t)arg);
	return NULL;
}

int main(void)
{
	pthread_t t[4];

	/*
	 * The workers exist before the first offloaded call (main's, which
	 * opens the device) and start copying together after it, so that
	 * none of them can finish while the device is still being opened.
	 */
	pthread_barrier_init(&start, NULL, 5);
	for (uintptr_t i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, worker, (void *)i);
	check_copy(1 << 20, 77);
	pthread_barrier_wait(&start);
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	for (uintptr_t i = 0; i < 40; i++) {
		pthread_create(&t[0], NULL, once, (void *)i);
		pthread_join(t[0], NULL);
	}
	return 0;
}
