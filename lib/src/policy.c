// SPDX-License-Identifier: MIT
/*
 * The offload policy: which synchronous calls (sdxi_memcpy(), sdxi_fill())
 * the calling CPU runs instead of the device.  A synchronous device copy
 * pays a fixed cost (encode, doorbell, the device's start, the wait) that
 * a small memcpy() does not, so below some size the CPU is faster; the
 * threshold is a property of the device and the machine:
 *
 *   - the software device is a thread on the same CPUs doing the same
 *     copy after a hand-off, and it moves application memory through the
 *     kernel (soft_iommu.c): it is never faster, so the CPU always runs
 *     synchronous calls there;
 *   - a device is measured the first time a context needs the threshold,
 *     once per open device: the calling CPU's memcpy() bandwidth against
 *     the device's fixed cost and bandwidth for a synchronous copy, which
 *     give the size where they cross;
 *   - $SDXI_OFFLOAD_MIN (read when a context is created) and
 *     sdxi_ctx_set_policy() override it.
 *
 * The inline sdxi_memcpy() compares with ring.cpu_below, the threshold's
 * copy in the ring (0 until it is decided, which sends every call out of
 * line to policy_cpu()).
 */
#include <stdlib.h>

#include "internal.h"

#define PROBE_SMALL	4096u
#define PROBE_LARGE	(256u << 10)
#define PROBE_ROUNDS	3

/*
 * $SDXI_OFFLOAD_MIN: a byte count (k, m, g suffixes), "never", or "auto".
 * 0 with *v set; -ENOENT when unset, "auto" or malformed (the measured
 * default applies).
 */
static int env_offload_min(uint64_t *v)
{
	const char *s = secure_getenv("SDXI_OFFLOAD_MIN");
	unsigned long long n;
	char *end;

	if (!s || !*s || !strcmp(s, "auto"))
		return -ENOENT;
	if (!strcmp(s, "never")) {
		*v = SDXI_OFFLOAD_NEVER;
		return 0;
	}
	if (*s < '0' || *s > '9')
		return -ENOENT;
	n = strtoull(s, &end, 10);
	switch (*end) {
	case 'k': case 'K': n <<= 10; end++; break;
	case 'm': case 'M': n <<= 20; end++; break;
	case 'g': case 'G': n <<= 30; end++; break;
	}
	if (*end)
		return -ENOENT;
	*v = n;
	return 0;
}

/*
 * Install @p on @ctx (pol_lock held, or the context not yet shared).
 * Lock-free readers look at pol.source, stored last with release, and
 * ring.cpu_below.
 */
static void policy_apply(struct sdxi_ctx *ctx, const struct sdxi_policy *p)
{
	ctx->pol.offload_min = p->offload_min;
	ctx->pol.flags = 0;
	ctx->pol.cpu_bps = p->cpu_bps;
	ctx->pol.dev_bps = p->dev_bps;
	ctx->pol.dev_fixed_ns = p->dev_fixed_ns;
	__atomic_store_n(&ctx->ring.cpu_below, p->offload_min, __ATOMIC_RELAXED);
	__atomic_store_n(&ctx->pol.source, p->source, __ATOMIC_RELEASE);
}

/* A new context: the environment's threshold, or the device's if known. */
void policy_init(struct sdxi_ctx *ctx)
{
	struct sdxi_dev *dev = ctx->dev;
	struct sdxi_policy p = { 0 };

	if (!env_offload_min(&p.offload_min)) {
		p.source = SDXI_POLICY_ENV;
	} else if (dev->info.flags & SDXI_DEV_SOFT) {
		p.offload_min = SDXI_OFFLOAD_NEVER;
		p.source = SDXI_POLICY_SOFT;
	} else {
		pthread_mutex_lock(&dev->lock);
		p = dev->pol;		/* source UNSET until measured */
		pthread_mutex_unlock(&dev->lock);
	}
	policy_apply(ctx, &p);
}

/* One synchronous device copy of @n bytes; its duration, or 0 on failure. */
static uint64_t time_dev(struct sdxi_ctx *ctx, uint64_t dst, uint64_t src, uint64_t n)
{
	struct sdxi_wait_opts o = { .mode = SDXI_WAIT_SPIN };
	struct sdxi_batch b;
	uint64_t t0 = now_ns(), t;

	if (sdxi_batch_start(ctx, &b, 1, SDXI_BATCH_WAIT))
		return 0;
	if (sdxi_batch_copy(&b, dst, src, n, 0)) {
		sdxi_batch_submit(&b, &t);
		return 0;
	}
	sdxi_batch_submit(&b, &t);
	if (sdxi_wait(ctx, t, &o, NULL))
		return 0;
	return now_ns() - t0;
}

/*
 * The policy from a probe: device copies of @small and @large bytes took
 * @ts and @tl ns at best, a CPU copy of @large bytes @tc ns, with
 * t_dev(n) = fixed + n / devbw and t_cpu(n) = n / cpu.  A probe that
 * failed (no time) leaves the figures 0 and the device used always.  When
 * the large copy was not slower than the small one, the device's cost per
 * byte is below the noise of the machine (a loaded host, an emulated
 * device); the figures are then bounds, device bandwidth at least
 * @large / @tl and fixed cost at most @tl, both of which move the
 * threshold towards the CPU.
 */
void policy_fit(uint64_t small, uint64_t ts, uint64_t large, uint64_t tl, uint64_t tc,
		struct sdxi_policy *p)
{
	double cpu, devbw, fixed;

	*p = (struct sdxi_policy){ .offload_min = 0, .source = SDXI_POLICY_MEASURED };
	if (ts == UINT64_MAX || tl == UINT64_MAX || tc == UINT64_MAX || !tl || !tc ||
	    large <= small)
		return;
	cpu = (double)large / (double)tc * 1e9;
	if (tl > ts) {
		devbw = (double)(large - small) / (double)(tl - ts) * 1e9;
		fixed = (double)ts - (double)small / devbw * 1e9;
		if (fixed < 0)
			fixed = 0;
	} else {
		devbw = (double)large / (double)tl * 1e9;
		fixed = (double)tl;
	}
	p->cpu_bps = (uint64_t)cpu;
	p->dev_bps = (uint64_t)devbw;
	p->dev_fixed_ns = (uint64_t)fixed;
	if (devbw <= cpu) {
		p->offload_min = SDXI_OFFLOAD_NEVER;
	} else {
		/* n / cpu = fixed + n / devbw, rounded up to a power of two. */
		double cross = fixed * 1e-9 * cpu * devbw / (devbw - cpu);
		uint64_t t = 64;

		while ((double)t < cross && t < (1ULL << 40))
			t <<= 1;
		p->offload_min = t;
	}
}

/*
 * Measure on @ctx: best of PROBE_ROUNDS device copies of PROBE_SMALL and
 * PROBE_LARGE bytes and CPU copies of PROBE_LARGE, on a scratch buffer
 * the library maps for the purpose; policy_fit() turns them into @p.
 */
static void measure(struct sdxi_ctx *ctx, struct sdxi_policy *p)
{
	struct sdxi_dev *dev = ctx->dev;
	size_t bytes = 2 * PROBE_LARGE;
	uint8_t *buf = map_guarded(bytes);
	uint64_t iova, ts = UINT64_MAX, tl = UINT64_MAX, tc = UINT64_MAX;

	*p = (struct sdxi_policy){ .offload_min = 0, .source = SDXI_POLICY_MEASURED };
	if (!buf)
		return;
	memset(buf, 0x5a, bytes);
	if (dev->ops->map(dev, &ctx->hw, (uint64_t)(uintptr_t)buf, bytes,
			  SDXI_MEM_READ | SDXI_MEM_WRITE, &iova)) {
		unmap_guarded(buf, bytes);
		return;
	}
	for (int i = 0; i < PROBE_ROUNDS; i++) {
		uint64_t a = time_dev(ctx, iova + PROBE_LARGE, iova, PROBE_SMALL);
		uint64_t b = time_dev(ctx, iova + PROBE_LARGE, iova, PROBE_LARGE);
		uint64_t t0 = now_ns(), c;

		memcpy(buf + PROBE_LARGE, buf, PROBE_LARGE);
		__asm__ __volatile__("" : : "r"(buf) : "memory");
		c = now_ns() - t0;
		if (!a || !b)
			break;
		ts = a < ts ? a : ts;
		tl = b < tl ? b : tl;
		tc = c < tc ? c : tc;
	}
	ctx_quiesce(ctx);
	dev->ops->unmap(dev, &ctx->hw, (uint64_t)(uintptr_t)buf, bytes);
	unmap_guarded(buf, bytes);
	policy_fit(PROBE_SMALL, ts, PROBE_LARGE, tl, tc, p);
}

/* Decide the policy of @ctx if it is not decided yet. */
static void policy_resolve(struct sdxi_ctx *ctx)
{
	struct sdxi_dev *dev = ctx->dev;
	struct sdxi_policy p;

	pthread_mutex_lock(&ctx->pol_lock);
	if (ctx->pol.source == SDXI_POLICY_UNSET) {
		pthread_mutex_lock(&dev->lock);
		p = dev->pol;
		pthread_mutex_unlock(&dev->lock);
		if (p.source == SDXI_POLICY_UNSET) {
			measure(ctx, &p);
			pthread_mutex_lock(&dev->lock);
			if (dev->pol.source == SDXI_POLICY_UNSET)
				dev->pol = p;
			p = dev->pol;
			pthread_mutex_unlock(&dev->lock);
		}
		policy_apply(ctx, &p);
	}
	pthread_mutex_unlock(&ctx->pol_lock);
}

/* Should the CPU run a synchronous call of @n bytes on @ctx? */
bool policy_cpu(struct sdxi_ctx *ctx, uint64_t n)
{
	if (__atomic_load_n(&ctx->pol.source, __ATOMIC_ACQUIRE) == SDXI_POLICY_UNSET)
		policy_resolve(ctx);
	return n < __atomic_load_n(&ctx->ring.cpu_below, __ATOMIC_RELAXED);
}

SDXI_EXPORT int sdxi_ctx_policy(struct sdxi_ctx *ctx, struct sdxi_policy *pol)
{
	if (!ctx || !pol)
		return -EINVAL;
	ctx_check(ctx, "sdxi_ctx_policy()");
	policy_cpu(ctx, 0);
	pthread_mutex_lock(&ctx->pol_lock);
	*pol = ctx->pol;
	pthread_mutex_unlock(&ctx->pol_lock);
	return 0;
}

SDXI_EXPORT int sdxi_ctx_set_policy(struct sdxi_ctx *ctx, const struct sdxi_policy *pol)
{
	struct sdxi_policy p = { 0 };

	if (!ctx || !pol || pol->flags)
		return -EINVAL;
	ctx_check(ctx, "sdxi_ctx_set_policy()");
	p.offload_min = pol->offload_min;
	p.source = SDXI_POLICY_APP;
	pthread_mutex_lock(&ctx->pol_lock);
	policy_apply(ctx, &p);
	pthread_mutex_unlock(&ctx->pol_lock);
	return 0;
}
