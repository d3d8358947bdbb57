// SPDX-License-Identifier: MIT
/*
 * An LD_PRELOAD interposer of memcpy(), memmove() and memset() for the
 * packaging check: it aborts when called from the software device's engine
 * thread (named "sdxi-soft"), which must never enter a program's
 * interposed memcpy() (lib/src/memops.c).  The copies are plain loops
 * (built with -fno-builtin -fno-tree-loop-distribute-patterns).
 */
#include <stddef.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

static void check_thread(void)
{
	static const char msg[] = "memcpy-guard: mem* called from the engine thread\n";
	char name[16] = { 0 };

	prctl(PR_GET_NAME, name, 0, 0, 0);
	if (name[0] == 's' && name[1] == 'd' && name[2] == 'x' && name[3] == 'i' &&
	    name[4] == '-' && name[5] == 's' && name[6] == 'o' && name[7] == 'f' &&
	    name[8] == 't' && !name[9]) {
		if (write(2, msg, sizeof(msg) - 1) < 0)
			_exit(3);
		_exit(3);
	}
}

void *memcpy(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	check_thread();
	while (n--)
		*d++ = *s++;
	return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	check_thread();
	if (d <= s) {
		while (n--)
			*d++ = *s++;
	} else {
		while (n--)
			d[n] = s[n];
	}
	return dst;
}

void *memset(void *dst, int c, size_t n)
{
	unsigned char *d = dst;

	check_thread();
	while (n--)
		*d++ = (unsigned char)c;
	return dst;
}
