/* SPDX-License-Identifier: MIT */
/*
 * Log-linear latency histogram (HDR style) of sdxi-perf.  Values (ns) below
 * 128 have a bucket each; above, every power of two is split into 64
 * buckets, so a bucket's width is at most 1/64 of its lower bound and any
 * reported percentile is within 1.6 % of the true sample, whatever the
 * range (up to 2^64 - 1).  One histogram per timer per worker thread;
 * they are merged by adding buckets, which is exact.
 */
#ifndef SDXI_PERF_HIST_H
#define SDXI_PERF_HIST_H

#include <stdint.h>

#define HIST_SUB_BITS	6			/* 64 buckets per power of two */
#define HIST_SUB	(1u << HIST_SUB_BITS)
#define HIST_LINEAR	(2 * HIST_SUB)		/* values 0..127: exact */
#define HIST_BUCKETS	(HIST_LINEAR + (63 - HIST_SUB_BITS) * HIST_SUB)

struct hist {
	uint64_t count;
	uint64_t sum;		/* saturates at UINT64_MAX */
	uint64_t min;		/* UINT64_MAX when empty */
	uint64_t max;
	uint64_t b[HIST_BUCKETS];
};

void hist_init(struct hist *h);
void hist_add(struct hist *h, uint64_t v);
/* Add @src's samples to @dst. */
void hist_merge(struct hist *dst, const struct hist *src);
/*
 * The @q quantile (0 < q <= 1): the highest value of the bucket holding
 * the sample of rank ceil(q * count), clamped to [min, max].  0 when empty.
 */
uint64_t hist_quantile(const struct hist *h, double q);
/* Mean of the samples (exact up to saturation), 0 when empty. */
double hist_mean(const struct hist *h);

/* Bucket of @v, and the range [lower, upper] of bucket @i. */
unsigned int hist_index(uint64_t v);
uint64_t hist_lower(unsigned int i);
uint64_t hist_upper(unsigned int i);

#endif /* SDXI_PERF_HIST_H */
