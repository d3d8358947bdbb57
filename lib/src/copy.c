// SPDX-License-Identifier: MIT
/*
 * Convenience layer on CPU addresses: the argument rules shared by every
 * call, the offload policy's CPU side for the synchronous calls,
 * registration-cache lookups (RCU, lock free), splitting at the max
 * buffer and the ring size, and the synchronous variants, which wait with
 * the default strategy.
 *
 * Lookups and the submission that uses them happen inside one RCU
 * read-side section, so a mapping dropped by sdxi_mem_unregister() is only
 * unmapped after every descriptor that was given its addresses has been
 * submitted (and then retired: see drop_maps() in mem.c).
 */
#include "internal.h"

/* Look up (and on a miss register) both ranges; leaves the RCU lock held on success. */
static int lookup2(struct sdxi_ctx *ctx, uint64_t dst, uint64_t dlen, uint64_t src,
		   uint64_t slen, uint64_t *diova, uint64_t *siova)
{
	int ret;

	for (int tries = 0;; tries++) {
		reg_rcu_lock();
		ret = reg_lookup(ctx, dst, dlen, SDXI_MEM_WRITE, diova);
		if (!ret && slen)
			ret = reg_lookup(ctx, src, slen, SDXI_MEM_READ, siova);
		if (!ret)
			return 0;
		reg_rcu_unlock();
		if (ret != -ENOENT || tries == 2)
			return -EFAULT;
		ret = reg_fill(ctx, dst, dlen, SDXI_MEM_WRITE);
		if (!ret && slen)
			ret = reg_fill(ctx, src, slen, SDXI_MEM_READ);
		if (ret)
			return ret == -ENOMEM ? ret : -EFAULT;
	}
}

/* Largest piece one descriptor (or fill) may take. */
static uint64_t piece(const struct sdxi_ring *r, uint64_t align)
{
	return r->max_buffer & ~(align - 1);
}

static int copy_async(struct sdxi_ctx *ctx, uint64_t dst, uint64_t src, uint64_t n,
		      uint64_t *ticket)
{
	struct sdxi_ring *r = &ctx->ring;
	uint64_t max = piece(r, 1), entries = (uint64_t)r->mask + 1;
	uint64_t pieces = (n + max - 1) / max, done = 0;
	int ret = 0;

	while (pieces && !ret) {
		uint64_t k = pieces < entries ? pieces : entries;
		struct sdxi_batch b;

		ret = sdxi_batch_start(ctx, &b, (unsigned int)k, SDXI_BATCH_WAIT);
		if (ret)
			break;
		for (uint64_t i = 0; i < k && !ret; i++) {
			uint64_t len = n - done < max ? n - done : max;

			ret = sdxi_batch_copy(&b, dst + done, src + done, len, 0);
			done += len;
		}
		sdxi_batch_submit(&b, ticket);	/* a started batch is always published */
		pieces -= k;
	}
	return ret;
}

static bool overlap(uint64_t a, uint64_t b, uint64_t n)
{
	return a < b + n && b < a + n;
}

/*
 * The rules every convenience call applies to a buffer of @n bytes at
 * @p: NULL or wrapping around the end of the address space is memory that
 * cannot be registered.  0 or -EFAULT.
 */
static int buf_check(const void *p, uint64_t n)
{
	uint64_t a = (uint64_t)(uintptr_t)p;

	return !a || a + n < a ? -EFAULT : 0;
}

SDXI_EXPORT int sdxi_memcpy_async(struct sdxi_ctx *ctx, void *dst, const void *src, size_t n,
				  uint64_t *ticket)
{
	uint64_t d = (uint64_t)(uintptr_t)dst, s = (uint64_t)(uintptr_t)src, di, si;
	int ret;

	if (!ctx || !ticket)
		return -EINVAL;
	ctx_check(ctx, "sdxi_memcpy_async()");
	if (!n) {
		*ticket = SDXI_TICKET_DONE;
		return 0;
	}
	if (buf_check(dst, n) || buf_check(src, n))
		return -EFAULT;
	if (overlap(d, s, n))
		return -EINVAL;
	ret = lookup2(ctx, d, n, s, n, &di, &si);
	if (ret)
		return ret;
	ret = copy_async(ctx, di, si, n, ticket);
	reg_rcu_unlock();
	return ret;
}

/* sdxi_memcpy() past its inline CPU path (<sdxi/ring.h>). */
SDXI_EXPORT int __sdxi_memcpy(struct sdxi_ctx *ctx, void *dst, const void *src, size_t n)
{
	uint64_t t;
	int ret;

	if (!ctx)
		return -EINVAL;
	ctx_check(ctx, "sdxi_memcpy()");
	if (!n)
		return 0;
	if (buf_check(dst, n) || buf_check(src, n))
		return -EFAULT;
	if (overlap((uint64_t)(uintptr_t)dst, (uint64_t)(uintptr_t)src, n))
		return -EINVAL;
	if (policy_cpu(ctx, n)) {
		memcpy(dst, src, n);
		return 0;
	}
	ret = sdxi_memcpy_async(ctx, dst, src, n, &t);
	return ret ? ret : sdxi_wait(ctx, t, NULL, NULL);
}

SDXI_EXPORT int sdxi_fill_async(struct sdxi_ctx *ctx, void *dst, uint64_t pattern, size_t n,
				uint64_t *ticket)
{
	uint64_t d = (uint64_t)(uintptr_t)dst, di, done = 0;
	struct sdxi_ring *r;
	int ret;

	if (!ctx || !ticket)
		return -EINVAL;
	ctx_check(ctx, "sdxi_fill_async()");
	if (!n) {
		*ticket = SDXI_TICKET_DONE;
		return 0;
	}
	if (buf_check(dst, n))
		return -EFAULT;
	r = &ctx->ring;
	ret = lookup2(ctx, d, n, 0, 0, &di, NULL);
	if (ret)
		return ret;
	/* Pieces of a multiple of 64 bytes keep the pattern's phase. */
	while (done < n && !ret) {
		uint64_t len = n - done < piece(r, 64) ? n - done : piece(r, 64);
		struct sdxi_batch b;

		ret = sdxi_batch_start(ctx, &b, 2, SDXI_BATCH_WAIT);
		if (ret)
			break;
		ret = sdxi_batch_fill(&b, di + done, pattern, len, 0);
		sdxi_batch_submit(&b, ticket);
		done += len;
	}
	reg_rcu_unlock();
	return ret;
}

/*
 * The CPU's fill: byte i is byte i % 8 of @pattern (little endian), as on
 * the device.  The first 8 bytes, then copies of what is written, doubling.
 */
static void cpu_fill(uint8_t *p, uint64_t pattern, size_t n)
{
	size_t done = n < 8 ? n : 8;

	for (size_t i = 0; i < done; i++)
		p[i] = (uint8_t)(pattern >> (8 * i));
	while (done < n) {
		size_t k = done < n - done ? done : n - done;

		memcpy(p + done, p, k);
		done += k;
	}
}

SDXI_EXPORT int sdxi_fill(struct sdxi_ctx *ctx, void *dst, uint64_t pattern, size_t n)
{
	uint64_t t;
	int ret;

	if (!ctx)
		return -EINVAL;
	ctx_check(ctx, "sdxi_fill()");
	if (!n)
		return 0;
	if (buf_check(dst, n))
		return -EFAULT;
	if (policy_cpu(ctx, n)) {
		cpu_fill(dst, pattern, n);
		return 0;
	}
	ret = sdxi_fill_async(ctx, dst, pattern, n, &t);
	return ret ? ret : sdxi_wait(ctx, t, NULL, NULL);
}

SDXI_EXPORT int sdxi_write_imm(struct sdxi_ctx *ctx, void *dst, const void *data, size_t n)
{
	uint64_t d = (uint64_t)(uintptr_t)dst, di, t;
	struct sdxi_batch b;
	int ret;

	if (!ctx)
		return -EINVAL;
	ctx_check(ctx, "sdxi_write_imm()");
	if (!n)
		return 0;
	if (buf_check(dst, n) || buf_check(data, n))
		return -EFAULT;
	if (n > SDXI_WRT_IMM_MAX)
		return -E2BIG;
	ret = lookup2(ctx, d, n, 0, 0, &di, NULL);
	if (ret)
		return ret;
	ret = sdxi_batch_start(ctx, &b, 1, SDXI_BATCH_WAIT);
	if (!ret) {
		ret = sdxi_batch_write_imm(&b, di, data, (uint32_t)n, 0);
		sdxi_batch_submit(&b, &t);
	}
	reg_rcu_unlock();
	return ret ? ret : sdxi_wait(ctx, t, NULL, NULL);
}
