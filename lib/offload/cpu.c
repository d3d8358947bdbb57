// SPDX-License-Identifier: MIT
/*
 * The CPU path: glibc's own memcpy(), memmove() and memset(), found with
 * dlsym(RTLD_NEXT) (which resolves their IFUNCs to this CPU's variants),
 * and the bootstrap loops used until then.
 *
 * dlsym() itself may call malloc() and memcpy(), and an interposed call
 * can come before the library's constructor (from ld.so, libc's own
 * start-up, other constructors): the first call resolves the three under
 * the guard, and every call made meanwhile, on any thread, runs the
 * bootstrap loops below.  This file is built with -fno-builtin and
 * -fno-tree-loop-distribute-patterns, so that the loops never become
 * calls to memcpy() or memset() again.
 */
#include <dlfcn.h>

#include "offload.h"

struct oflo_cpu oflo_cpu;

void *oflo_boot_memcpy(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	for (; n >= 8; n -= 8, d += 8, s += 8) {
		uint64_t v;

		__builtin_memcpy(&v, s, 8);
		__builtin_memcpy(d, &v, 8);
	}
	while (n--)
		*d++ = *s++;
	return dst;
}

void *oflo_boot_memmove(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if ((uintptr_t)d - (uintptr_t)s >= n)	/* no overlap, or dst below src */
		return oflo_boot_memcpy(dst, src, n);
	while (n >= 8) {
		uint64_t v;

		n -= 8;
		__builtin_memcpy(&v, s + n, 8);
		__builtin_memcpy(d + n, &v, 8);
	}
	while (n--)
		d[n] = s[n];
	return dst;
}

void *oflo_boot_memset(void *dst, int c, size_t n)
{
	unsigned char *d = dst;
	uint64_t v = 0x0101010101010101ULL * (unsigned char)c;

	for (; n >= 8; n -= 8, d += 8)
		__builtin_memcpy(d, &v, 8);
	while (n--)
		*d++ = (unsigned char)c;
	return dst;
}

/* 0 not started, 1 resolving (some thread is in dlsym()), 2 done. */
static int resolve_state;

void oflo_cpu_resolve(void)
{
	int expect = 0;
	void *c, *m, *s;

	if (!__atomic_compare_exchange_n(&resolve_state, &expect, 1, 0, __ATOMIC_ACQUIRE,
					 __ATOMIC_RELAXED))
		return;
	oflo_guard_enter();
	c = dlsym(RTLD_NEXT, "memcpy");
	m = dlsym(RTLD_NEXT, "memmove");
	s = dlsym(RTLD_NEXT, "memset");
	/* Without them (a libc without RTLD_NEXT), the loops stay. */
	__atomic_store_n((void **)&oflo_cpu.memcpy, c ? c : (void *)oflo_boot_memcpy,
			 __ATOMIC_RELEASE);
	__atomic_store_n((void **)&oflo_cpu.memmove, m ? m : (void *)oflo_boot_memmove,
			 __ATOMIC_RELEASE);
	__atomic_store_n((void **)&oflo_cpu.memset, s ? s : (void *)oflo_boot_memset,
			 __ATOMIC_RELEASE);
	__atomic_store_n(&resolve_state, 2, __ATOMIC_RELEASE);
	oflo_guard_exit();
}
