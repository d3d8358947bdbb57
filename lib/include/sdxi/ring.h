/* SPDX-License-Identifier: MIT */
/*
 * libsdxi's inline fast path: batches (reserve ring slots, encode into
 * them, publish them with one doorbell), polling for completion, and the
 * synchronous convenience calls' decision to run on the calling CPU.
 * Included by <sdxi.h>; not meant to be included on its own.
 *
 * struct sdxi_ring is the first member of every struct sdxi_ctx; it is
 * public only so that these functions can be inline.  Applications never
 * allocate it nor write its fields.  The padding keeps the layout stable
 * as fields are added.  Documentation/library.rst, "Submission and memory
 * ordering", describes the protocol; each ordering point is commented
 * where it happens.
 */
#ifndef LIBSDXI_RING_H
#define LIBSDXI_RING_H

#ifndef LIBSDXI_H
#error "include <sdxi.h>, not <sdxi/ring.h>"
#endif

#include <string.h>

#ifdef __cplusplus
extern "C" {
#endif

/* struct sdxi_ring.flags (internal) */
#define SDXI__RING_SHARED	(1u << 0)	/* SDXI_CTX_SHARED: atomic reservation */

struct sdxi_ring {
	/* Read-only after creation. */
	union sdxi_desc *desc;			/* slots */
	struct sdxi_cst_blk *csb;		/* per-slot CST_BLK (CPU view) */
	uint64_t csb_iova;			/* device address of csb[0] */
	uint64_t *wi;				/* Write_Index, read by the device */
	const struct sdxi_cxt_sts *sts;		/* CXT_STS, written by the device */
	volatile uint64_t *db;			/* doorbell; NULL: software device */
	uint64_t *pub;				/* SHARED: per-slot publication marks */
	uint64_t *pat;				/* per-slot 64-byte fill patterns */
	uint64_t pat_iova;			/* their device address */
	uint64_t max_buffer;			/* bytes per descriptor */
	uint32_t mask;				/* entries - 1 (a power of two) */
	uint32_t flags;				/* SDXI__RING_* */
	uint16_t akey;				/* data AKey */
	uint16_t akey_intr;			/* interrupt AKey, 0xffff if none */
	uint32_t fast_room;			/* entries; 0 for a shared ring */
	uint64_t base;				/* ticket of hardware index 0 (reset) */
	uint64_t *bmark;			/* per-slot: first index + 1 of the
						 * batch that ends there */
	uint64_t cpu_below;			/* synchronous calls shorter than
						 * this run on the CPU */
	uint64_t pad1;
	/* Producer state, on its own cache line. */
	uint64_t tail;				/* next index to reserve */
	uint64_t cached_r;			/* last completed index seen */
	uint64_t done;				/* indexes below it completed */
	uint64_t pad2[5];
};

/*
 * bmark bit: the batch ending at that slot has no completion block of the
 * library's (SDXI_DESC_NO_CSB, or its own CST_BLK).
 */
#define SDXI__BMARK_BARE	(1ULL << 63)

/*
 * A batch under construction: reserved slots [first, end) of one context
 * (hardware indexes), and a cursor over them.  It lives on the caller's
 * stack and holds what the fast path needs, so that the compiler keeps it
 * in registers while descriptors are written (stores to the ring cannot
 * alias it).  The cursor runs from @slot to @stop, where it either ends
 * (the batch is full) or turns to the ring's first slot for @after more.
 */
struct sdxi_batch {
	union sdxi_desc *slot;		/* next slot to fill */
	union sdxi_desc *stop;		/* end of the run @slot is in */
	struct sdxi_ring *ring;
	uint64_t max_buffer;
	uint64_t first;
	uint64_t end;			/* one past the last slot of the batch */
	uint32_t after;			/* slots after the turn to the ring's start */
	uint16_t akey;
	uint16_t flags;			/* SDXI_BATCH_* */
	union sdxi_desc *bare;		/* the last slot written that takes no
					 * completion block of the library's */
	uint64_t reserved[3];
};

/* sdxi_batch_start() flags */
#define SDXI_BATCH_WAIT		(1u << 0)	/* wait for ring space instead of -EAGAIN */
#define SDXI_BATCH_INTR		(1u << 1)	/* end with a completion interrupt */

/* Batch helpers' @flags, besides SDXI_DESC_SEQ and SDXI_DESC_FENCE: */
#define SDXI_DESC_NO_CSB	(1u << 8)	/* no completion block for this descriptor */
#define SDXI_DESC_INTR		(1u << 9)	/* follow it with a completion interrupt */

/* Every context accepts at least this much (max_buffer is 2^(n+21) bytes). */
#define SDXI_DESC_MIN_MAX_BUFFER (1ULL << 21)

/*
 * A ticket that is always complete: what the asynchronous calls return
 * for a length of 0.  sdxi_poll() and sdxi_wait() return 0 for it.
 */
#define SDXI_TICKET_DONE	UINT64_MAX

/* Exported internals used by the inline functions below. */
int __sdxi_batch_start(struct sdxi_ctx *ctx, struct sdxi_batch *b, unsigned int n,
		       unsigned int flags);
void __sdxi_publish(struct sdxi_ring *r, uint64_t first, uint64_t end);
void __sdxi_doorbell(struct sdxi_ring *r, uint64_t w);
int __sdxi_poll_slow(struct sdxi_ctx *ctx, uint64_t ticket);
int __sdxi_memcpy(struct sdxi_ctx *ctx, void *dst, const void *src, size_t n);

SDXI_INLINE struct sdxi_ring *sdxi__ring(struct sdxi_ctx *ctx)
{
	return (struct sdxi_ring *)(void *)ctx;
}

/*
 * Is @len outside 1..@max?  Lengths up to the smallest possible max
 * buffer skip the comparison with @max (it folds away for a constant).
 */
SDXI_INLINE int sdxi__len_bad(uint64_t len, uint64_t max)
{
	return len - 1 >= SDXI_DESC_MIN_MAX_BUFFER && len - 1 >= max;
}

/*
 * Ring the doorbell with write index @w.  Ordering: the caller stored W
 * (release) before; the doorbell store must reach the device after it.
 * On x86 an uncached store is not reordered with earlier stores; arm64
 * needs a store barrier towards the outer domain (what writeq does).
 */
SDXI_INLINE void sdxi__doorbell(struct sdxi_ring *r, uint64_t w)
{
	if (r->db) {
#if defined(__aarch64__)
		__asm__ __volatile__("dmb oshst" ::: "memory");
#else
		__atomic_signal_fence(__ATOMIC_SEQ_CST);
#endif
		*r->db = sdxi__le64(w);
	} else {
		__sdxi_doorbell(r, w);
	}
}

/*
 * A batch whose start failed: helpers say -ENOSPC and submit -EINVAL.
 * Every field is set (only on this path, so that the successful one keeps
 * the batch in registers).  Returns @err.
 */
SDXI_INLINE int sdxi__batch_inert(struct sdxi_batch *b, int err)
{
	b->slot = b->stop = b->bare = NULL;
	b->ring = NULL;
	b->max_buffer = b->first = b->end = 0;
	b->after = 0;
	b->akey = 0;
	b->flags = 0;
	return err;
}

/*
 * Reserve @n descriptor slots of @ctx (plus one for the interrupt with
 * SDXI_BATCH_INTR) into @b.  Returns 0, -EAGAIN when the ring is full
 * (without SDXI_BATCH_WAIT), -EINVAL (n 0, more than the ring, unknown
 * flags), -EOPNOTSUPP (SDXI_BATCH_INTR without interrupts), or -EPIPE
 * when the context has stopped (a descriptor or the function failed:
 * sdxi_ctx_error() has the record, sdxi_ctx_reset() restarts it).
 * A started batch must be submitted; on a context without SDXI_CTX_SHARED
 * it must be submitted before the next batch is started.
 *
 * Inline is the common case only: a private ring with room for the whole
 * batch before its end, on a running context, and valid arguments.
 * Everything else (argument errors, a shared ring, a full ring, a batch
 * that wraps, a stopped context) is __sdxi_batch_start().
 */
SDXI_INLINE int sdxi_batch_start(struct sdxi_ctx *ctx, struct sdxi_batch *b,
				 unsigned int n, unsigned int flags)
{
	struct sdxi_ring *r = sdxi__ring(ctx);
	uint64_t intr = (flags & SDXI_BATCH_INTR) ? 1 : 0, need = (uint64_t)n + intr;
	uint64_t mask = r->mask, t = r->tail, s0 = t & mask;

	/*
	 * n - 1 wraps for n 0; otherwise this is "the batch would run past
	 * the ring's end".  Room: slot reuse needs R > index - entries, i.e.
	 * the descriptor that last used the slot has retired (data, CST_BLK
	 * and R written); cached_r is a read index seen earlier (acquire, in
	 * __sdxi_reserve()), which orders our rewrite of the slot after the
	 * device's last access to it.  fast_room is 0 on a shared ring.  The
	 * state byte is only a hint (relaxed: the device may stop the
	 * context at any time), and is compared whole: reserved bits set
	 * would merely send us out of line, where the field is read properly.
	 */
	if ((flags & ~(uint32_t)(SDXI_BATCH_WAIT | SDXI_BATCH_INTR)) ||
	    (uint64_t)n - 1 >= mask + 1 - s0 - intr ||
	    (intr && r->akey_intr == 0xffff) ||
	    __atomic_load_n(&r->sts->state, __ATOMIC_RELAXED) != SDXI_CXTV_RUN ||
	    t + need - r->cached_r > r->fast_room) {
		/*
		 * Through a copy, so that @b itself never escapes (it stays
		 * in registers); the fields the slow path sets to what is
		 * known here are set again, so that they stay constants.
		 */
		struct sdxi_batch nb;
		int ret = __sdxi_batch_start(ctx, &nb, n, flags);

		*b = nb;
		b->flags = ret ? 0 : (uint16_t)flags;
		b->bare = NULL;
		return ret;
	}
	r->tail = t + need;
	b->slot = r->desc + s0;
	b->stop = b->slot + n;
	b->after = 0;
	b->ring = r;
	b->max_buffer = r->max_buffer;
	b->akey = r->akey;
	b->flags = (uint16_t)flags;
	b->bare = NULL;
	b->first = t;
	b->end = t + n;
	return 0;
}

/* Slots of @b not filled yet. */
SDXI_INLINE unsigned int sdxi_batch_space(const struct sdxi_batch *b)
{
	return (unsigned int)(b->stop - b->slot) + b->after;
}

/* The ticket the next descriptor added to @b will have. */
SDXI_INLINE uint64_t sdxi_batch_ticket(const struct sdxi_batch *b)
{
	return b->ring ? b->ring->base + b->end - sdxi_batch_space(b) : SDXI_TICKET_DONE;
}

/*
 * Make the cursor point at a free slot, turning it to the ring's first
 * slot at the end of the ring.  0, or -ENOSPC when the batch is full.
 */
SDXI_INLINE int sdxi__batch_next(struct sdxi_batch *b)
{
	if (b->slot != b->stop)
		return 0;
	if (!b->after)
		return -ENOSPC;
	b->slot = b->ring->desc;
	b->stop = b->slot + b->after;
	b->after = 0;
	return 0;
}

/*
 * Write a descriptor, given as its eight little-endian quadwords, into the
 * next slot of @b (there is one: the caller checked).  Ordering:
 * quadwords 1-7 are plain stores, quadword 0 with vl is stored last with
 * release, so whoever sees vl = 1 sees the whole descriptor.  The device
 * only reads a slot below the published W, which is stored after this
 * (sdxi_batch_submit()).  Whether it may take its slot's completion block
 * when it ends the batch: not with SDXI_DESC_NO_CSB or its own CST_BLK
 * (q7 is not just np).
 */
SDXI_INLINE void sdxi__batch_put8(struct sdxi_batch *b, uint32_t flags, uint64_t q0,
				  uint64_t q1, uint64_t q2, uint64_t q3, uint64_t q4,
				  uint64_t q5, uint64_t q6, uint64_t q7)
{
	union sdxi_desc *s;

	sdxi__batch_next(b);
	s = b->slot;
	s->qw[1] = q1;
	s->qw[2] = q2;
	s->qw[3] = q3;
	s->qw[4] = q4;
	s->qw[5] = q5;
	s->qw[6] = q6;
	s->qw[7] = q7;
	__atomic_store_n(&s->qw[0], q0 | sdxi__le64(SDXI_DSC_VL), __ATOMIC_RELEASE);
	b->slot = s + 1;
	if ((flags & SDXI_DESC_NO_CSB) || q7 != sdxi__le64((uint64_t)SDXI_DSC_NP))
		b->bare = s;
}

/* The same for a descriptor in memory. */
SDXI_INLINE void sdxi__batch_put(struct sdxi_batch *b, const union sdxi_desc *d,
				 uint32_t flags)
{
	sdxi__batch_put8(b, flags, d->qw[0], d->qw[1], d->qw[2], d->qw[3], d->qw[4],
			 d->qw[5], d->qw[6], d->qw[7]);
}

/* Slots a helper with @flags needs, checked against what @b has left. */
SDXI_INLINE int sdxi__batch_room(struct sdxi_batch *b, uint32_t flags, uint64_t descs)
{
	uint64_t need = descs + ((flags & SDXI_DESC_INTR) ? 1 : 0);

	if (flags & ~(uint32_t)(SDXI_DESC_SEQ | SDXI_DESC_FENCE | SDXI_DESC_NO_CSB |
				SDXI_DESC_INTR))
		return -EINVAL;
	if (need == 1 ? sdxi__batch_next(b) != 0 : sdxi_batch_space(b) < need)
		return -ENOSPC;
	if ((flags & SDXI_DESC_INTR) && b->ring->akey_intr == 0xffff)
		return -EOPNOTSUPP;
	return 0;
}

/* The interrupt descriptor a helper with SDXI_DESC_INTR appends. */
SDXI_INLINE void sdxi__batch_intr(struct sdxi_batch *b, uint32_t flags)
{
	union sdxi_desc d;

	if (!(flags & SDXI_DESC_INTR))
		return;
	sdxi__enc_simple(&d, 0, SDXI_DSC_FE, SDXI_DSC_TYPE_INTR, SDXI_DSC_INTR,
			 b->ring->akey_intr);
	sdxi__batch_put(b, &d, 0);
}

/*
 * For helpers that encode with a sdxi_prep_* function: check room for one
 * descriptor and fill *a with the batch's AKey and the descriptor flags of
 * @flags.  0, or what sdxi__batch_room() returns.
 */
SDXI_INLINE int sdxi__batch_attr(struct sdxi_batch *b, uint32_t flags, struct sdxi_desc_attr *a)
{
	int ret = sdxi__batch_room(b, flags, 1);

	a->csb = 0;
	a->akey0 = a->akey1 = b->akey;
	a->flags = flags & (SDXI_DESC_SEQ | SDXI_DESC_FENCE);
	return ret;
}

/* Put the encoded @d, then the interrupt of SDXI_DESC_INTR.  0. */
SDXI_INLINE int sdxi__batch_add_encoded(struct sdxi_batch *b, const union sdxi_desc *d,
					uint32_t flags)
{
	sdxi__batch_put(b, d, flags);
	sdxi__batch_intr(b, flags);
	return 0;
}

/*
 * Add descriptor @d (encoded by a sdxi_prep_* function; vl is set here)
 * to @b.  @flags may hold SDXI_DESC_NO_CSB and SDXI_DESC_INTR.  Returns 0,
 * -ENOSPC when the batch is full, -EINVAL (admin descriptor), -E2BIG
 * (length above the context's max buffer) or -EOPNOTSUPP.
 */
SDXI_INLINE int sdxi_batch_add(struct sdxi_batch *b, const union sdxi_desc *d,
			       unsigned int flags)
{
	uint32_t op = sdxi__le32(d->generic.opcode);
	unsigned int type = (unsigned int)SDXI_FIELD_GET(SDXI_DSC_TYPE, op);
	unsigned int sub = (unsigned int)SDXI_FIELD_GET(SDXI_DSC_SUBTYPE, op);
	int ret = sdxi__batch_room(b, flags & (SDXI_DESC_NO_CSB | SDXI_DESC_INTR), 1);

	if (ret)
		return ret;
	if (type == SDXI_DSC_TYPE_ADMIN)
		return -EINVAL;
	if (type == SDXI_DSC_TYPE_DMAB &&
	    (sub == SDXI_DSC_DMAB_COPY || sub == SDXI_DSC_DMAB_REPCOPY)) {
		uint64_t len = (uint64_t)sdxi__le32(d->copy.size) + 1;
		uint64_t reps = sub == SDXI_DSC_DMAB_REPCOPY ?
				(uint64_t)sdxi__le32(d->repcopy.count) + 1 : 1;

		if (len > b->max_buffer || reps > b->max_buffer / len)
			return -E2BIG;
	}
	return sdxi__batch_add_encoded(b, d, flags);
}

/* NOP in the next slot.  0, -EINVAL (flags), -ENOSPC or -EOPNOTSUPP. */
SDXI_INLINE int sdxi_batch_nop(struct sdxi_batch *b, unsigned int flags)
{
	union sdxi_desc d;
	int ret = sdxi__batch_room(b, flags, 1);

	if (ret)
		return ret;
	sdxi__enc_simple(&d, 0, flags, SDXI_DSC_TYPE_DMAB, SDXI_DSC_DMAB_NOP, 0);
	return sdxi__batch_add_encoded(b, &d, flags);
}

/*
 * COPY of @len bytes from @src to @dst (device addresses, e.g. from
 * sdxi_mem_iova()) in the next slot of @b.  Returns 0, -EINVAL (len 0,
 * overlap, flags), -E2BIG (len above the context's max buffer), -ENOSPC
 * or -EOPNOTSUPP; on error nothing is written.  (A range that wraps the
 * address space is not checked here: the device reports a translation
 * fault for it, as for any address it cannot reach.)
 */
SDXI_INLINE int sdxi_batch_copy(struct sdxi_batch *b, uint64_t dst, uint64_t src,
				uint64_t len, unsigned int flags)
{
	uint32_t op = sdxi__opcode(SDXI_DSC_TYPE_DMAB, SDXI_DSC_DMAB_COPY, flags);
	uint64_t w = SDXI_DSC_NP;
	int ret = sdxi__batch_room(b, flags, 1);
	uint16_t k;

	if (ret)
		return ret;
	k = b->akey;
	if (sdxi__len_bad(len, b->max_buffer))
		return len ? -E2BIG : -EINVAL;
	/* A range that wraps faults on the device (translation): not checked. */
	if (sdxi__overlap_eq(src, dst, len))
		return -EINVAL;
	sdxi__batch_put8(b, flags,
			 sdxi__copy_q(0, op, k, k, dst, src, len, w),
			 sdxi__copy_q(1, op, k, k, dst, src, len, w),
			 sdxi__copy_q(2, op, k, k, dst, src, len, w),
			 sdxi__copy_q(3, op, k, k, dst, src, len, w),
			 sdxi__copy_q(4, op, k, k, dst, src, len, w),
			 sdxi__copy_q(5, op, k, k, dst, src, len, w),
			 sdxi__copy_q(6, op, k, k, dst, src, len, w),
			 sdxi__copy_q(7, op, k, k, dst, src, len, w));
	sdxi__batch_intr(b, flags);
	return 0;
}

/*
 * REPCOPY: the @len bytes at @src copied to @count consecutive blocks
 * starting at @dst (block i at @dst + i * @len).  Returns 0, -EINVAL (len
 * or count 0, source overlapping the destination, flags), -E2BIG (a
 * block, or len * count, above the context's max buffer), -ENOSPC or
 * -EOPNOTSUPP; on error nothing is written.
 */
SDXI_INLINE int sdxi_batch_repcopy(struct sdxi_batch *b, uint64_t dst, uint64_t src,
				   uint64_t len, uint64_t count, unsigned int flags)
{
	union sdxi_desc d;
	int ret = sdxi__batch_room(b, flags, 1);

	if (ret)
		return ret;
	if (len == 0 || count == 0)
		return -EINVAL;
	if (len > b->max_buffer || count > b->max_buffer / len)
		return -E2BIG;
	if (sdxi__overlap(src, len, dst, len * count))
		return -EINVAL;
	sdxi__enc_repcopy(&d, 0, b->akey, b->akey, flags & (SDXI_DESC_SEQ | SDXI_DESC_FENCE),
			  dst, src, len, count);
	return sdxi__batch_add_encoded(b, &d, flags);
}

/*
 * WRT_IMM of the @len (1..32) bytes at @data to @dst.  Returns 0, -EINVAL,
 * -E2BIG (len above 32), -ENOSPC or -EOPNOTSUPP.
 */
SDXI_INLINE int sdxi_batch_write_imm(struct sdxi_batch *b, uint64_t dst,
				     const void *data, uint32_t len, unsigned int flags)
{
	struct sdxi_desc_attr a;
	union sdxi_desc d;
	int ret = sdxi__batch_attr(b, flags, &a);

	if (!ret)
		ret = sdxi_prep_write_imm(&d, &a, dst, data, len);
	return ret ? ret : sdxi__batch_add_encoded(b, &d, flags);
}

/*
 * Atomic @op on the @size-byte target (see sdxi_prep_atomic()).  Returns 0,
 * -EINVAL, -ENOSPC or -EOPNOTSUPP.
 */
SDXI_INLINE int sdxi_batch_atomic(struct sdxi_batch *b, unsigned int op, unsigned int size,
				  uint64_t target, uint64_t ret_addr, uint64_t operand1,
				  uint64_t operand2, unsigned int flags)
{
	struct sdxi_desc_attr a;
	union sdxi_desc d;
	int ret = sdxi__batch_attr(b, flags, &a);

	if (!ret)
		ret = sdxi_prep_atomic(&d, &a, op, size, target, ret_addr, operand1, operand2);
	return ret ? ret : sdxi__batch_add_encoded(b, &d, flags);
}

/* sdxi_batch_fill() with the destination in AKey @dkey's address space. */
SDXI_INLINE int sdxi__batch_fill_to(struct sdxi_batch *b, uint64_t dst, uint16_t dkey,
				    uint64_t pattern, uint64_t len, unsigned int flags)
{
	uint64_t blocks = len / 64, tail = len % 64;
	uint64_t descs = (uint64_t)(blocks != 0) + (uint64_t)(tail != 0);
	uint32_t f = flags & (SDXI_DESC_SEQ | SDXI_DESC_FENCE);
	union sdxi_desc d;
	struct sdxi_ring *r;
	int ret = sdxi__batch_room(b, flags, descs);

	if (ret)
		return ret;
	if (sdxi__len_bad(len, b->max_buffer))
		return len ? -E2BIG : -EINVAL;
	r = b->ring;
	/*
	 * Each descriptor reads the pattern block of its own slot, which is
	 * rewritten only when that slot is reused (after it retired).
	 */
	for (uint64_t i = 0; i < descs; i++) {
		uint64_t slot, *p, src;

		sdxi__batch_next(b);
		slot = (uint64_t)(b->slot - r->desc);
		p = r->pat + slot * 8;
		src = r->pat_iova + slot * 64;
		for (int k = 0; k < 8; k++)
			p[k] = sdxi__le64(pattern);
		if (i == 0 && blocks)
			sdxi__enc_repcopy(&d, 0, b->akey, dkey, f, dst, src, 64, blocks);
		else
			sdxi__enc_copy(&d, 0, b->akey, dkey, f, dst + blocks * 64, src, tail);
		sdxi__batch_put(b, &d, flags);
	}
	sdxi__batch_intr(b, flags);
	return 0;
}

/*
 * Fill [dst, dst + len) with the 8-byte @pattern (little endian: byte i
 * of the destination is byte i % 8 of the pattern).  REPCOPY of a 64-byte
 * block holding the pattern, kept by the library for this slot, plus a
 * COPY for a tail shorter than 64 bytes: 1 or 2 slots.  Returns 0,
 * -EINVAL (len 0), -E2BIG (len above the max buffer), -ENOSPC or
 * -EOPNOTSUPP.
 */
SDXI_INLINE int sdxi_batch_fill(struct sdxi_batch *b, uint64_t dst, uint64_t pattern,
				uint64_t len, unsigned int flags)
{
	return sdxi__batch_fill_to(b, dst, b->akey, pattern, len, flags);
}

/*
 * Publish @b: unfilled slots become NOPs, the interrupt descriptor is
 * appended with SDXI_BATCH_INTR, the last descriptor gets its slot's
 * completion block (unless it was added with SDXI_DESC_NO_CSB or names
 * its own), then W is stored and the doorbell rung once.  *ticket (if not
 * NULL) is the batch's ticket, that of its last descriptor: when it
 * completes, the whole batch has, and if a descriptor of the batch fails,
 * it reports that failure.  Returns 0, or -EINVAL for a batch whose
 * sdxi_batch_start() failed or that was submitted already.
 *
 * Ordering: every slot's vl was stored with release before; the last
 * slot's CST_BLK and quadword 7 are written after its vl, which is safe
 * because the device reads no slot at or above W, and W is stored with
 * release after all of them, so the device, which reads W and then the
 * slots below it, never sees a stale slot of the previous lap nor an
 * unarmed completion block.  With SDXI_CTX_SHARED, __sdxi_publish()
 * advances W only over slots whose producers have finished (a slower
 * producer holds W back; it rings the doorbell for everyone when it
 * publishes).
 */
SDXI_INLINE int sdxi_batch_submit(struct sdxi_batch *b, uint64_t *ticket)
{
	struct sdxi_ring *r = b->ring;
	union sdxi_desc d, *ls;
	uint64_t end = b->end, last;

	if (!r)
		return -EINVAL;
	if (b->slot != b->stop || b->after) {
		sdxi__enc_simple(&d, 0, 0, SDXI_DSC_TYPE_DMAB, SDXI_DSC_DMAB_NOP, 0);
		while (sdxi_batch_space(b))
			sdxi__batch_put(b, &d, 0);
	}
	if (b->flags & SDXI_BATCH_INTR) {
		/* The slot reserved past the batch's end. */
		b->slot = r->desc + (end & r->mask);
		b->stop = b->slot + 1;
		sdxi__batch_intr(b, SDXI_DESC_INTR);
		end++;
	}
	/* The cursor is just past the last slot written. */
	ls = b->slot - 1;
	last = (uint64_t)(ls - r->desc);
	if (ls != b->bare) {
		r->csb[last].signal = sdxi__le64(1);
		r->csb[last].flags = 0;
		ls->qw[7] = sdxi__le64(r->csb_iova + last * sizeof(struct sdxi_cst_blk));
	}
	/* For sdxi_poll(): which batch the slot of its ticket ends, and how. */
	r->bmark[last] = (b->first + 1) | (ls == b->bare ? SDXI__BMARK_BARE : 0);
	if (r->flags & SDXI__RING_SHARED) {
		__sdxi_publish(r, b->first, end);
	} else {
		__atomic_store_n(r->wi, sdxi__le64(end), __ATOMIC_RELEASE);
		sdxi__doorbell(r, end);
	}
	if (ticket)
		*ticket = r->base + end - 1;
	sdxi__batch_inert(b, 0);
	return 0;
}

/*
 * Has the descriptor with @ticket completed?  Returns 0 when it completed
 * successfully, -EAGAIN while it is pending, the error of the descriptor
 * when it failed (-EFAULT, -EINVAL, -EIO, see sdxi_ctx_error()) - for a
 * batch's ticket, that of any descriptor of the batch -, -ECANCELED when
 * an earlier descriptor failed so it will never run, or -EINVAL for a
 * ticket that was never issued.  Non-blocking.
 *
 * Ordering: only a CST_BLK says that a descriptor completed (R counts
 * descriptors the device has taken).  The fast path answers for a
 * ticket below the completed index (done, advanced by the slow path) or
 * one that ends a batch with the library's CST_BLK, loaded with acquire:
 * the device writes the data before the block, and completes a context's
 * descriptors in order.  Anything else is __sdxi_poll_slow().  The state
 * byte is only a hint here (relaxed).
 */
SDXI_INLINE int sdxi_poll(struct sdxi_ctx *ctx, uint64_t ticket)
{
	struct sdxi_ring *r = sdxi__ring(ctx);
	uint64_t hw = ticket - r->base, m, first, sig;
	const struct sdxi_cst_blk *c;
	uint8_t state;

	if (ticket < r->base)
		return __sdxi_poll_slow(ctx, ticket);
	if (hw < __atomic_load_n(&r->done, __ATOMIC_ACQUIRE))
		return 0;
	state = __atomic_load_n(&r->sts->state, __ATOMIC_RELAXED) & SDXI_CXT_STS_STATE;
	if (state == SDXI_CXTV_RUN && hw < __atomic_load_n(&r->tail, __ATOMIC_RELAXED)) {
		/*
		 * Its own block, if the batch of this lap that ends at its
		 * slot has one: the block first, then the mark (a block seen
		 * signalled was armed before the mark of its lap was stored).
		 */
		c = &r->csb[hw & r->mask];
		sig = __atomic_load_n(&c->signal, __ATOMIC_ACQUIRE);
		m = __atomic_load_n(&r->bmark[hw & r->mask], __ATOMIC_RELAXED);
		first = (m & ~SDXI__BMARK_BARE) - 1;
		if (m && !(m & SDXI__BMARK_BARE) && first <= hw && hw - first <= r->mask) {
			if (sig)
				return -EAGAIN;
			if (!(c->flags & sdxi__le32(SDXI_CST_BLK_ER)))
				return 0;
		}
	}
	return __sdxi_poll_slow(ctx, ticket);
}

/*
 * Copy @n (at most 64) bytes between ranges that do not overlap, inline:
 * at most four 16-byte moves, the first and the last ones overlapping
 * within the range when @n is not a multiple of their size.  Small copies
 * are cheaper without the call.
 */
SDXI_INLINE void sdxi__copy_small(unsigned char *d, const unsigned char *s, size_t n)
{
	if (n >= 16) {
		if (n > 32) {
			__builtin_memcpy(d, s, 16);
			__builtin_memcpy(d + 16, s + 16, 16);
			__builtin_memcpy(d + n - 32, s + n - 32, 16);
			__builtin_memcpy(d + n - 16, s + n - 16, 16);
		} else {
			__builtin_memcpy(d, s, 16);
			__builtin_memcpy(d + n - 16, s + n - 16, 16);
		}
	} else if (n >= 4) {
		if (n >= 8) {
			__builtin_memcpy(d, s, 8);
			__builtin_memcpy(d + n - 8, s + n - 8, 8);
		} else {
			__builtin_memcpy(d, s, 4);
			__builtin_memcpy(d + n - 4, s + n - 4, 4);
		}
	} else if (n) {
		d[0] = s[0];
		d[n - 1] = s[n - 1];
		d[n / 2] = s[n / 2];
	}
}

/*
 * The synchronous copy (see sdxi.h): below the context's offload
 * threshold (sdxi_ctx_policy()) the calling CPU copies at once, else the
 * library's device path.  Both check the arguments the same way.
 */
SDXI_INLINE int sdxi_memcpy(struct sdxi_ctx *ctx, void *dst, const void *src, size_t n)
{
	uint64_t d = (uintptr_t)dst, s = (uintptr_t)src;
	int cpu;

	if (!ctx)
		return __sdxi_memcpy(ctx, dst, src, n);
	/*
	 * This runs before every small copy, whose own cost is a few cycles,
	 * so the conditions are combined with & into one test: below the
	 * threshold; the ranges do not overlap (|d - s| >= n, i.e.
	 * d - s + n - 1 >= 2n - 1 mod 2^64, as sdxi__overlap_eq(); always
	 * true for n 0); neither pointer is NULL.  Up to 64 bytes the copy
	 * is inline.
	 */
	cpu = (n < sdxi__ring(ctx)->cpu_below) & (d - s + (n - 1) >= 2 * (uint64_t)n - 1) &
	      (d != 0 && s != 0);
	if (cpu & (n > 64)) {
		memcpy(dst, src, n);
		return 0;
	}
	if (cpu) {
		sdxi__copy_small((unsigned char *)dst, (const unsigned char *)src, n);
		return 0;
	}
	return __sdxi_memcpy(ctx, dst, src, n);
}

#ifdef __cplusplus
}
#endif

#endif /* LIBSDXI_RING_H */
