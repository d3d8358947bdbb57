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

static void *loop(void *arg)
{
	for (unsigned int i = 0;; i++)
		check_copy(N, (unsigned int)(uintptr_t)arg + i);
	return NULL;
}

static void at_exit(void)
{
	check_copy(N, 100);
}

__attribute__((destructor)) static void dtor(void)
{
	check_copy(N, 200);
}

int main(void)
{
	pthread_t t;

	atexit(at_exit);
	check_copy(N, 1);
	for (uintptr_t i = 0; i < 2; i++)
		pthread_create(&t, NULL, loop, (void *)(i * 1000));
	usleep(50000);
	return 0;
}
