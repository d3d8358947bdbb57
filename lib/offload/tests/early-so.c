// SPDX-License-Identifier: MIT
/*
 * A library whose constructor copies (1 MiB memcpy, memmove, memset)
 * before or after libsdxi-offload's, depending on the order of
 * LD_PRELOAD, and whose malloc() wrapper copies too: the interposer's
 * first call may come from here, before its constructor and during its
 * own dlsym().  Its constructor also starts a thread that copies while
 * the other constructors (the interposer's among them) run: a thread
 * created before the interposer's initialisation.  Prints "early: ok"
 * when every copy was right; early_thread_wait() joins the thread.
 */
#include <dlfcn.h>
#include <pthread.h>
#include <unistd.h>

#include "check.h"

static unsigned char a[1 << 20], b[1 << 20];
static pthread_t early_thread;

static void *copier(void *arg)
{
	(void)arg;
	for (unsigned int i = 0; i < 64; i++)
		check_copy(256 << 10, i);
	return NULL;
}

/* Called by the program (found with dlsym()): 0 once the thread is done. */
int early_thread_wait(void)
{
	return pthread_join(early_thread, NULL);
}

__attribute__((constructor)) static void early(void)
{
	fill_pat(a, sizeof(a), 3);
	memcpy(b, a, sizeof(a));
	if (!is_pat(b, sizeof(b), 3, 0))
		FAIL("early memcpy");
	memmove(b + 1, b, sizeof(b) - 1);
	if (!is_pat(b + 1, sizeof(b) - 1, 3, 0))
		FAIL("early memmove");
	memset(b, 9, sizeof(b));
	for (size_t i = 0; i < sizeof(b); i++)
		if (b[i] != 9)
			FAIL("early memset");
	if (write(1, "early: ok\n", 10) != 10)
		exit(1);
	if (pthread_create(&early_thread, NULL, copier, NULL))
		FAIL("early thread");
}
