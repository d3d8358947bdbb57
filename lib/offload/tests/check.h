/* SPDX-License-Identifier: MIT */
/*
 * Shared by the offload test programs: each checks one case and exits 0,
 * or prints why and exits 1.  They are built with -fno-builtin, so that
 * every memcpy() below is a call the preloaded library sees.
 */
#ifndef OFLO_CHECK_H
#define OFLO_CHECK_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FAIL(...) do { \
	fprintf(stderr, "%s:%d: ", __FILE__, __LINE__); \
	fprintf(stderr, __VA_ARGS__); \
	fputc('\n', stderr); \
	exit(1); \
} while (0)

/* Byte @i of pattern @seed. */
static inline unsigned char pat(size_t i, unsigned int seed)
{
	return (unsigned char)((i * 131u + seed * 7u + (i >> 9)) & 0xff);
}

static inline void fill_pat(unsigned char *p, size_t n, unsigned int seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = pat(i, seed);
}

/* Whether @p holds pattern @seed shifted by @off. */
static inline int is_pat(const unsigned char *p, size_t n, unsigned int seed, size_t off)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != pat(i + off, seed))
			return 0;
	return 1;
}

static inline void *xmalloc(size_t n)
{
	void *p = malloc(n);

	if (!p)
		FAIL("malloc(%zu)", n);
	return p;
}

/* Copy @n bytes of pattern @seed between new buffers and check them. */
static inline void check_copy(size_t n, unsigned int seed)
{
	unsigned char *a = xmalloc(n), *b = xmalloc(n);

	fill_pat(a, n, seed);
	memcpy(b, a, n);
	if (!is_pat(b, n, seed, 0))
		FAIL("copy of %zu, pattern %u", n, seed);
	free(a);
	free(b);
}

#endif
