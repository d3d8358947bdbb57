// SPDX-License-Identifier: MIT
/*
 * THREADS threads each copy 1 MiB COUNT times, checking every copy, then
 * print "loop: ok".  On the host: more threads than the pool has
 * contexts (busy calls take the CPU).  With SYNC (in the VM, where the
 * device is unbound while it runs): the first thread creates the file
 * SYNC after its first copy, and every thread keeps copying until SYNC
 * is removed, then copies COUNT more times.
 *
 *   loop THREADS COUNT [SYNC]
 */
#include <fcntl.h>
#include <pthread.h>
#include <unistd.h>

#include "check.h"

#define N (1 << 20)

static int count;
static const char *sync_path;

static void *worker(void *arg)
{
	unsigned int seed = (unsigned int)(uintptr_t)arg;
	unsigned char *a = xmalloc(N), *b = xmalloc(N);
	int waiting = sync_path != NULL;

	for (int i = 0; i < count || waiting; i++) {
		fill_pat(a, N, seed + (unsigned int)i);
		memcpy(b, a, N);
		if (!is_pat(b, N, seed + (unsigned int)i, 0))
			FAIL("thread %u copy %d", seed, i);
		if (!waiting)
			continue;
		if (i == 0 && seed == 0)
			close(open(sync_path, O_CREAT | O_WRONLY, 0644));
		if (i > 0 && access(sync_path, F_OK)) {
			waiting = 0;
			i = 0;
		}
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
	sync_path = argc > 3 ? argv[3] : NULL;
	if (threads < 1 || threads > 64 || count < 1)
		FAIL("usage: loop THREADS COUNT");
	for (int i = 0; i < threads; i++)
		pthread_create(&t[i], NULL, worker, (void *)(uintptr_t)(i * 1000));
	for (int i = 0; i < threads; i++)
		pthread_join(t[i], NULL);
	puts("loop: ok");
	return 0;
}
