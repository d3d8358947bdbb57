// SPDX-License-Identifier: MIT
/*
 * What the device must have written: the deterministic source pattern,
 * the checks of copies, fills and REPCOPYs, and the value an atomic
 * target holds after n operations.
 */
#include <errno.h>
#include <string.h>

#include "worker.h"

/* Deterministic bytes (xorshift64*) so that a copy of stale data is caught. */
void perf_pattern(uint8_t *p, uint64_t len, uint64_t seed)
{
	uint64_t x = seed * 0x9e3779b97f4a7c15ULL + 0x2545f4914f6cdd1dULL;

	for (uint64_t i = 0; i < len; i += 8) {
		uint64_t v;

		x ^= x >> 12;
		x ^= x << 25;
		x ^= x >> 27;
		v = x * 0x2545f4914f6cdd1dULL;
		memcpy(p + i, &v, len - i < 8 ? len - i : 8);
	}
}

int perf_verify_copy(const uint8_t *dst, const uint8_t *src, uint64_t len)
{
	return memcmp(dst, src, len) ? -EIO : 0;
}

int perf_verify_fill(const uint8_t *dst, uint64_t pattern, uint64_t len)
{
	for (uint64_t i = 0; i < len; i++)
		if (dst[i] != (uint8_t)(pattern >> (8 * (i % 8))))
			return -EIO;
	return 0;
}

int perf_verify_repcopy(const uint8_t *dst, const uint8_t *block, uint64_t blen, uint64_t len)
{
	for (uint64_t off = 0; off < len; off += blen)
		if (memcmp(dst + off, block, len - off < blen ? len - off : blen))
			return -EIO;
	return 0;
}

/* Operands of each atomic, and the target's value after @n of them from 0. */
void perf_atomic_operands(unsigned int op, uint64_t *op1, uint64_t *op2)
{
	*op2 = 0;
	*op1 = op == SDXI_DSC_ATOMIC_SWAP ? 0x5a5a5a5aULL : 1;
	if (op == SDXI_DSC_ATOMIC_CMPSWAP)
		*op2 = 0;		/* compare with 0: only the first one swaps */
}

int perf_atomic_expected(unsigned int op, unsigned int size, uint64_t n, uint64_t *v)
{
	uint64_t mask = size == 4 ? 0xffffffffULL : ~0ULL, op1, op2;

	perf_atomic_operands(op, &op1, &op2);
	switch (op) {
	case SDXI_DSC_ATOMIC_UADD: *v = n; break;
	case SDXI_DSC_ATOMIC_USUB: *v = 0 - n; break;
	case SDXI_DSC_ATOMIC_SWAP: *v = n ? op1 : 0; break;
	case SDXI_DSC_ATOMIC_CMPSWAP:
	case SDXI_DSC_ATOMIC_OR:
	case SDXI_DSC_ATOMIC_SMAX:
	case SDXI_DSC_ATOMIC_UMAX: *v = n ? 1 : 0; break;
	case SDXI_DSC_ATOMIC_XOR: *v = n & 1; break;
	case SDXI_DSC_ATOMIC_AND:
	case SDXI_DSC_ATOMIC_SMIN:
	case SDXI_DSC_ATOMIC_UMIN: *v = 0; break;
	default: return -EINVAL;
	}
	*v &= mask;
	return 0;
}
