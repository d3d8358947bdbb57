// SPDX-License-Identifier: MIT
/*
 * Exit with copies in flight: two threads offload in a loop while the
 * main thread returns from main(); an atexit() handler and a destructor
 * of the program copy too.  The process must exit 0 (no crash, no hang)
 * and the stats report must still be printed.
 */
#include <pthread.h>
#include <unistd.h>

#include "check.h"

#define N (1 << 20)

static void copy_check(unsigned int seed)
{
	unsigned char *a = xmalloc(N), *b = xmalloc(N);

	fill_pat(a, N, seed);
	memcpy(b, a, N);
	if (!is_pat(b, N, seed, 0))
		FAIL("copy %u", seed);
	free(a);
	free(b);
}

static void *loop(void *arg)
{
	for (unsigned int i = 0;; i++)
		copy_check((unsigned int)(uintptr_t)arg + i);
	return NULL;
}

static void at_exit(void)
{
	copy_check(100);
}

__attribute__((destructor)) static void dtor(void)
{
	copy_check(200);
}

int main(void)
{
	pthread_t t;

	atexit(at_exit);
	copy_check(1);
	for (uintptr_t i = 0; i < 2; i++)
		pthread_create(&t, NULL, loop, (void *)(i * 1000));
	usleep(50000);
	return 0;
}
