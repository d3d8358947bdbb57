// SPDX-License-Identifier: MIT
/*
 * The offload benchmark's workload: memcpy() of one size in a loop, for
 * each size from 4 KiB to 16 MiB, on THREADS threads at once, printing
 * "SIZE MB/s" (the sum over threads; per size the best of 11 trials of at
 * least 10 ms each).  Built with -fno-builtin: every copy is a call the
 * preloaded library sees.  The data is checked after each trial.
 * Time is the process's CPU time (every thread's, a software device's
 * engine thread included: immune to other processes taking the CPU) or,
 * with "wall", elapsed time.
 *
 *   copyloop [THREADS [wall]]
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static pthread_barrier_t bar;
static clockid_t clock_id = CLOCK_PROCESS_CPUTIME_ID;
static int threads = 1;
/* Per thread and trial: seconds and bytes. */
static double res[16][2];

static double now(void)
{
	struct timespec ts;

	clock_gettime(clock_id, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* One trial of >= 10 ms copying @size bytes at a time: res[@id]. */
static void trial(int id, size_t size, unsigned char *a, unsigned char *b)
{
	double t0, t;
	long reps = 0;

	pthread_barrier_wait(&bar);
	t0 = now();
	do {
		for (int i = 0; i < 8; i++)
			memcpy(b, a, size);
		reps += 8;
		t = now();
	} while (t - t0 < 0.01);
	if (memcmp(a, b, size)) {
		fprintf(stderr, "copyloop: wrong data at %zu\n", size);
		exit(1);
	}
	res[id][0] = t - t0;
	res[id][1] = (double)reps * (double)size;
	pthread_barrier_wait(&bar);
}

/*
 * Each thread lives through the whole run (its context, if any, is made
 * once), with buffers of its own per size; thread 0 prints.
 */
static void *worker(void *arg)
{
	int id = (int)(intptr_t)arg;

	for (size_t size = 4096; size <= (16 << 20); size *= 4) {
		unsigned char *a = malloc(size), *b = malloc(size);
		double best = 0;

		if (!a || !b)
			exit(2);
		for (size_t i = 0; i < size; i++)
			a[i] = (unsigned char)(i * 7 + 1);
		memset(b, 0, size);
		for (int k = 0; k < 11; k++) {
			double mbs = 0;

			trial(id, size, a, b);
			for (int i = 0; i < threads; i++)
				mbs += res[i][1] / res[i][0] / 1e6;
			if (mbs > best)
				best = mbs;
			pthread_barrier_wait(&bar);	/* res read by all before the next trial */
		}
		if (!id)
			printf("%zu %.0f\n", size, best);
		free(a);
		free(b);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t t[16];

	threads = argc > 1 ? atoi(argv[1]) : 1;
	if (threads < 1 || threads > 16)
		return 2;
	if (argc > 2 && !strcmp(argv[2], "wall"))
		clock_id = CLOCK_MONOTONIC;
	pthread_barrier_init(&bar, NULL, (unsigned int)threads);
	for (int i = 1; i < threads; i++)
		pthread_create(&t[i], NULL, worker, (void *)(intptr_t)i);
	worker(0);
	for (int i = 1; i < threads; i++)
		pthread_join(t[i], NULL);
	return 0;
}
