// SPDX-License-Identifier: MIT
/*
 * Log-linear histogram (hist.h).  Bucket of v >= 128 with e = floor(log2 v):
 * the 6 bits below the leading one select one of 64 sub-buckets of
 * [2^e, 2^(e+1)), each 2^(e-6) wide.
 */
#include <string.h>

#include "hist.h"

void hist_init(struct hist *h)
{
	memset(h, 0, sizeof(*h));
	h->min = UINT64_MAX;
}

unsigned int hist_index(uint64_t v)
{
	unsigned int e, shift;

	if (v < HIST_LINEAR)
		return (unsigned int)v;
	e = 63u - (unsigned int)__builtin_clzll(v);
	shift = e - HIST_SUB_BITS;
	return HIST_LINEAR + (e - HIST_SUB_BITS - 1) * HIST_SUB +
	       (unsigned int)((v >> shift) - HIST_SUB);
}

uint64_t hist_lower(unsigned int i)
{
	unsigned int k, e;

	if (i < HIST_LINEAR)
		return i;
	k = i - HIST_LINEAR;
	e = HIST_SUB_BITS + 1 + k / HIST_SUB;
	return (uint64_t)(HIST_SUB + k % HIST_SUB) << (e - HIST_SUB_BITS);
}

uint64_t hist_upper(unsigned int i)
{
	unsigned int e;

	if (i < HIST_LINEAR)
		return i;
	e = HIST_SUB_BITS + 1 + (i - HIST_LINEAR) / HIST_SUB;
	/* lower + width - 1; the last bucket ends at UINT64_MAX exactly. */
	return hist_lower(i) + ((1ULL << (e - HIST_SUB_BITS)) - 1);
}

void hist_add(struct hist *h, uint64_t v)
{
	h->b[hist_index(v)]++;
	h->count++;
	h->sum = h->sum > UINT64_MAX - v ? UINT64_MAX : h->sum + v;
	if (v < h->min)
		h->min = v;
	if (v > h->max)
		h->max = v;
}

void hist_merge(struct hist *dst, const struct hist *src)
{
	if (!src->count)
		return;
	for (unsigned int i = 0; i < HIST_BUCKETS; i++)
		dst->b[i] += src->b[i];
	dst->count += src->count;
	dst->sum = dst->sum > UINT64_MAX - src->sum ? UINT64_MAX : dst->sum + src->sum;
	if (src->min < dst->min)
		dst->min = src->min;
	if (src->max > dst->max)
		dst->max = src->max;
}

uint64_t hist_quantile(const struct hist *h, double q)
{
	uint64_t rank, seen = 0, v;

	if (!h->count)
		return 0;
	if (q >= 1.0)
		return h->max;
	/* ceil(q * count) without trusting the float product's last digit. */
	rank = (uint64_t)(q * (double)h->count);
	if ((double)rank < q * (double)h->count)
		rank++;
	if (rank < 1)
		rank = 1;
	for (unsigned int i = 0; i < HIST_BUCKETS; i++) {
		seen += h->b[i];
		if (seen >= rank) {
			v = hist_upper(i);
			if (v > h->max)
				v = h->max;
			if (v < h->min)
				v = h->min;
			return v;
		}
	}
	return h->max;
}

double hist_mean(const struct hist *h)
{
	return h->count ? (double)h->sum / (double)h->count : 0.0;
}
