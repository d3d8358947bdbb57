// SPDX-License-Identifier: MIT
/*
 * memcpy(), memmove() and memset() for the software device (its engine
 * thread and the engine core it runs), under names of the library's own:
 * lib.mk renames those objects' references (objcopy --redefine-sym), so
 * that the engine thread never calls through the symbol table into a
 * program's interposed memcpy() (a memcpy offload library loaded with
 * LD_PRELOAD that calls libsdxi would be entered from a thread it does
 * not know, and could call back into the device it is running on).
 * The engine moves bulk data through the kernel (soft_iommu.c); these
 * serve descriptors, completion blocks and its own structures, so they
 * are simple: 8 bytes at a time, then bytes.  This file is compiled with
 * -fno-tree-loop-distribute-patterns, so that the loops do not become
 * calls to memcpy() again.
 */
#include "internal.h"

void *sdxi__memcpy(void *dst, const void *src, size_t n)
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

void *sdxi__memmove(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if ((uintptr_t)d - (uintptr_t)s >= n)	/* no overlap, or dst below src */
		return sdxi__memcpy(dst, src, n);
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

void *sdxi__memset(void *dst, int c, size_t n)
{
	unsigned char *d = dst;
	uint64_t v = 0x0101010101010101ULL * (unsigned char)c;

	for (; n >= 8; n -= 8, d += 8)
		__builtin_memcpy(d, &v, 8);
	while (n--)
		*d++ = (unsigned char)c;
	return dst;
}
