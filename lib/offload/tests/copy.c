// SPDX-License-Identifier: MIT
/*
 * Every interposed function gives the result glibc's would: sizes around
 * the threshold and up to 16 MiB, unaligned ends, memmove() overlapping
 * either way (the CPU's) and not overlapping (the device's; also with
 * the destination right after the source, in the same page), memset() of
 * every byte value class, the _chk and BSD forms.
 *
 *   copy [MAX]   sizes up to MAX bytes (default 16 MiB)
 */
#include <strings.h>

#include "check.h"

void *__memcpy_chk(void *dst, const void *src, size_t n, size_t dstlen);
void *__memmove_chk(void *dst, const void *src, size_t n, size_t dstlen);
void *__memset_chk(void *dst, int c, size_t n, size_t dstlen);
void *__mempcpy_chk(void *dst, const void *src, size_t n, size_t dstlen);

int main(int argc, char **argv)
{
	static const size_t sizes[] = { 0, 1, 63, 4095, 4096, 4097, 65535, 65536, 65537,
					1 << 20, (1 << 20) + 13, 16 << 20 };
	size_t max = (16 << 20) + 64;
	unsigned char *a = xmalloc(max), *b = xmalloc(max);

	size_t limit = argc > 1 ? strtoul(argv[1], NULL, 0) : max;

	for (unsigned int k = 0; k < sizeof(sizes) / sizeof(sizes[0]) && sizes[k] <= limit; k++) {
		size_t n = sizes[k];

		for (size_t off = 0; off < 8; off += 7) {
			fill_pat(a, n + off, k);
			memset(b, 0xee, n + 16);
			if (memcpy(b + off, a, n) != b + off || !is_pat(b + off, n, k, 0))
				FAIL("memcpy %zu at +%zu", n, off);
			if (b[off + n] != 0xee)
				FAIL("memcpy %zu wrote past the end", n);
			memset(b, 0, n + off);
			if (mempcpy(b, a + off, n) != b + n || !is_pat(b, n, k, off))
				FAIL("mempcpy %zu +%zu", n, off);
			memset(b, 0, n);
			if (__memcpy_chk(b, a, n, n) != b || !is_pat(b, n, k, 0))
				FAIL("__memcpy_chk %zu", n);
			memset(b, 0, n);
			if ((unsigned char *)__mempcpy_chk(b, a, n, n) != b + n || !is_pat(b, n, k, 0))
				FAIL("__mempcpy_chk %zu", n);
			memset(b, 0, n);
			bcopy(a, b, n);
			if (!is_pat(b, n, k, 0))
				FAIL("bcopy %zu", n);
			memset(b, 0, n);
			if (memmove(b, a, n) != b || !is_pat(b, n, k, 0) ||
			    __memmove_chk(b, a, n, n) != b)
				FAIL("memmove (apart) %zu", n);
			/* Adjacent, not overlapping: the two share a page. */
			if (2 * n + 64 <= max) {
				fill_pat(a, n, k);
				memmove(a + n + off, a, n);
				if (!is_pat(a + n + off, n, k, 0))
					FAIL("memmove adjacent %zu +%zu", n, off);
			}
			/* Overlapping, forwards and backwards. */
			fill_pat(a, n + 64, k);
			memmove(a + 64, a, n);
			if (!is_pat(a + 64, n, k, 0))
				FAIL("memmove up %zu", n);
			fill_pat(a, n + 64, k);
			memmove(a, a + 33, n);
			if (!is_pat(a, n, k, 33))
				FAIL("memmove down %zu", n);
			for (int c = 0; c < 256; c += 85) {
				b[n + off] = 0x11;
				if (memset(b + off, c, n) != b + off || __memset_chk(b, c, n, n) != b)
					FAIL("memset return %zu", n);
				for (size_t i = 0; i < n; i++)
					if (b[off + i] != c)
						FAIL("memset %d %zu at %zu", c, n, i);
				if (b[n + off] != 0x11)
					FAIL("memset %zu wrote past the end", n);
			}
			bzero(b, n);
			for (size_t i = 0; i < n; i++)
				if (b[i])
					FAIL("bzero %zu", n);
		}
	}
	free(a);
	free(b);
	return 0;
}
