// SPDX-License-Identifier: MIT
/*
 * The out-of-line half of the ring protocol (the inline half is in
 * sdxi.h): reservation when the ring is full or shared, publication on
 * shared contexts, completion of tickets whose context is not running,
 * and the wait strategies.
 *
 * Hardware facts this relies on (Documentation/hardware.rst):
 *   - the function reads W from memory on a doorbell and takes slots
 *     R mod N while R < W; a slot with vl = 0 stops it until the next
 *     doorbell; W - R > N is a context error;
 *   - the function never clears vl, so a slot keeps its previous lap's
 *     valid descriptor until rewritten;
 *   - R > k means only that descriptor k was taken (its slot is not read
 *     again); k completed when its CST_BLK says so, and a context's
 *     descriptors complete in order, so a signalled CST_BLK of k means
 *     every earlier descriptor completed too;
 *   - a failing descriptor k: CXT_STS.state = ERR_FN, R = k + 1, its
 *     CST_BLK gets ER, an error-log entry; later descriptors do not run.
 *
 * Hence W only ever covers slots rewritten in the current lap: a single
 * producer stores W after filling; shared producers publish through
 * per-slot marks (__sdxi_publish()).  A slot, its CST_BLK and its fill
 * pattern are reused only below the completed index (ring_done()), not
 * below R.
 */
#include <poll.h>
#include <sched.h>
#include <time.h>
#include <unistd.h>

#include <sdxi/uapi/sdxi.h>

#include "internal.h"

uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* Back off while something else (the device, another producer) progresses. */
static void backoff(unsigned int *spins)
{
	if (++*spins < 256)
		cpu_relax();
	else
		sched_yield();
}

/*
 * The completed index: every hardware index below it completed.  Scans
 * the batch ends from the last value up to the tail (not R: by default
 * the function writes a CST_BLK before R; a reserved batch not yet
 * submitted still has the previous lap's mark, which is not taken for
 * its own) until the first one still pending, and moves past each one
 * whose CST_BLK of the library's
 * is signalled without ER; a batch without one (SDXI__BMARK_BARE) is
 * passed over, covered by the next signalled block (in-order
 * completion).  The block is loaded with acquire, so whoever sees the
 * new value sees the device's writes of everything below it.  Stored as
 * a running maximum (release) for sdxi_poll()'s fast path.
 */
uint64_t ring_done(struct sdxi_ctx *ctx)
{
	struct sdxi_ring *r = &ctx->ring;
	uint64_t done = __atomic_load_n(&r->done, __ATOMIC_ACQUIRE), cur = done;
	uint64_t end = ctx_tail(ctx);

	for (uint64_t h = done; h < end; h++) {
		uint64_t m = __atomic_load_n(&r->bmark[h & r->mask], __ATOMIC_RELAXED);
		uint64_t first = (m & ~SDXI__BMARK_BARE) - 1;
		const struct sdxi_cst_blk *c = &r->csb[h & r->mask];

		/* Not the end of a batch of this lap, or one without a block. */
		if (!m || first > h || h - first > r->mask || (m & SDXI__BMARK_BARE))
			continue;
		if (__atomic_load_n(&c->signal, __ATOMIC_ACQUIRE) ||
		    (c->flags & htole32(SDXI_CST_BLK_ER)))
			break;
		done = h + 1;
	}
	/*
	 * After the function's removal the CST_BLKs read as the kernel's
	 * zeroed page (uapi.rst "Device removal"): a signal of 0 there says
	 * nothing, so nothing completes past what was seen before.
	 */
	if (done > cur && ctx_removed(ctx))
		return cur;
	while (cur < done && !__atomic_compare_exchange_n(&r->done, &cur, done, false,
							   __ATOMIC_RELEASE, __ATOMIC_ACQUIRE))
		;
	return done > cur ? done : cur;
}

/* Does hardware index @hw end a batch of its lap with the library's CST_BLK? */
static bool ring_has_csb(const struct sdxi_ring *r, uint64_t hw)
{
	uint64_t m = __atomic_load_n(&r->bmark[hw & r->mask], __ATOMIC_RELAXED);
	uint64_t first = (m & ~SDXI__BMARK_BARE) - 1;

	return m && !(m & SDXI__BMARK_BARE) && first <= hw && hw - first <= r->mask;
}

/*
 * Queue a NOP with the library's CST_BLK, so that the completed index can
 * pass batches that have none.  0, or what sdxi_batch_start() returns.
 */
static int ring_submit_nop(struct sdxi_ctx *ctx)
{
	struct sdxi_batch b;
	int ret = sdxi_batch_start(ctx, &b, 1, 0);

	if (ret)
		return ret;
	sdxi_batch_nop(&b, 0);
	return sdxi_batch_submit(&b, NULL);
}

/*
 * Reserve @need slots: the shared case (atomic tail), the full case of
 * either, and a context that is not running.  The first index, -EAGAIN
 * (full, no SDXI_BATCH_WAIT) or -EPIPE (the context has stopped: new work
 * would never run; also when it stops while waiting for room).
 */
static int64_t reserve(struct sdxi_ring *r, uint64_t need, uint32_t flags)
{
	struct sdxi_ctx *ctx = ring_ctx(r);
	uint64_t entries = (uint64_t)r->mask + 1;
	unsigned int spins = 0;

	for (;;) {
		uint64_t t = __atomic_load_n(&r->tail, __ATOMIC_RELAXED), rd;

		if (ctx_state(ctx) != SDXI_CXTV_RUN)
			return ctx_removed(ctx) ? -ENODEV : -EPIPE;
		if (r->flags & SDXI__RING_SHARED) {
			for (;;) {
				/*
				 * The completed index handed between producers:
				 * whoever computed it (acquire of a CST_BLK)
				 * stores it with release, and we load it with
				 * acquire, so our rewrite of a slot still
				 * happens after the device's last access to it.
				 */
				rd = __atomic_load_n(&r->cached_r, __ATOMIC_ACQUIRE);
				if (t + need - rd > entries) {
					rd = ring_done(ctx);
					__atomic_store_n(&r->cached_r, rd, __ATOMIC_RELEASE);
					if (t + need - rd > entries)
						break;
				}
				if (__atomic_compare_exchange_n(&r->tail, &t, t + need, false,
								__ATOMIC_RELAXED, __ATOMIC_RELAXED))
					return (int64_t)t;
			}
		} else {
			rd = ring_done(ctx);
			r->cached_r = rd;
			if (t + need - rd <= entries) {
				r->tail = t + need;
				return (int64_t)t;
			}
		}
		if (!(flags & SDXI_BATCH_WAIT))
			return -EAGAIN;
		backoff(&spins);
	}
}

/*
 * sdxi_batch_start() for what its inline part leaves: checks every
 * argument, reserves (reserve()) and sets the cursor up, turning it at the
 * ring's end.  On an error @b is left inert (helpers -ENOSPC, submit
 * -EINVAL).
 */
SDXI_EXPORT int __sdxi_batch_start(struct sdxi_ctx *ctx, struct sdxi_batch *b, unsigned int n,
				   unsigned int flags)
{
	struct sdxi_ring *r = &ctx->ring;
	uint64_t need = (uint64_t)n + ((flags & SDXI_BATCH_INTR) ? 1 : 0), entries, s0;
	int64_t t;

	ctx_check(ctx, "sdxi_batch_start()");
	entries = (uint64_t)r->mask + 1;
	if ((flags & ~(uint32_t)(SDXI_BATCH_WAIT | SDXI_BATCH_INTR)) || n == 0 || need > entries)
		return sdxi__batch_inert(b, -EINVAL);
	if ((flags & SDXI_BATCH_INTR) && r->akey_intr == 0xffff)
		return sdxi__batch_inert(b, -EOPNOTSUPP);
	t = reserve(r, need, flags);
	if (t < 0)
		return sdxi__batch_inert(b, (int)t);
	s0 = (uint64_t)t & r->mask;
	b->slot = r->desc + s0;
	if (n <= entries - s0) {
		b->stop = b->slot + n;
		b->after = 0;
	} else {
		b->stop = r->desc + entries;
		b->after = (uint32_t)(n - (entries - s0));
	}
	b->ring = r;
	b->max_buffer = r->max_buffer;
	b->akey = r->akey;
	b->flags = (uint16_t)flags;
	b->bare = NULL;
	b->first = (uint64_t)t;
	b->end = (uint64_t)t + n;
	return 0;
}

/*
 * Shared contexts: publish slots [first, end) once every earlier slot is
 * published too.  Each producer marks the start of its batch with its end
 * (pub[first mod N] = end), then advances W over every run of marked
 * batches it finds from the current W, and rings the doorbell for what it
 * published.  A producer that finds an earlier batch still unmarked leaves
 * W alone: that batch's producer will carry W over ours when it publishes.
 *
 * Ordering: the slot's vl stores (release) come before the mark (release);
 * whoever reads the mark (acquire) and stores W (seq_cst CAS) therefore
 * publishes complete slots.  The seq_cst fence between our mark and our
 * load of W/the marks pairs with the same fence in every other publisher:
 * of two producers racing, at least one sees the other's mark, so no
 * batch is left below an unpublished W.  A mark from an earlier lap is
 * never larger than the index it sits at, so it cannot be taken for a
 * current one.
 */
SDXI_EXPORT void __sdxi_publish(struct sdxi_ring *r, uint64_t first, uint64_t end)
{
	uint64_t entries = (uint64_t)r->mask + 1, w;

	__atomic_store_n(&r->pub[first & r->mask], end, __ATOMIC_RELEASE);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	w = le64toh(__atomic_load_n(r->wi, __ATOMIC_ACQUIRE));
	for (;;) {
		uint64_t nw = w, e, lw = htole64(w);

		while ((e = __atomic_load_n(&r->pub[nw & r->mask], __ATOMIC_ACQUIRE)) > nw &&
		       e - nw <= entries)
			nw = e;
		if (nw == w)
			return;
		if (__atomic_compare_exchange_n(r->wi, &lw, htole64(nw), false,
						__ATOMIC_SEQ_CST, __ATOMIC_ACQUIRE)) {
			sdxi__doorbell(r, nw);
			w = nw;
		} else {
			w = le64toh(lw);
		}
	}
}

SDXI_EXPORT void __sdxi_doorbell(struct sdxi_ring *r, uint64_t w)
{
	(void)w;	/* the function reads W from memory */
	soft_doorbell(&ring_ctx(r)->hw);
}

/*
 * Whether the function of @ctx was removed: the kernel then shows a
 * CXT_STS page that says so (<linux/sdxi.h>, SDXI_STS_REMOVED), where the
 * page of a live context, and the software device's, read 0.  Read only
 * once the state is no longer RUN (the removed page reads STOP_FN).
 */
bool ctx_removed(struct sdxi_ctx *ctx)
{
	const uint32_t *mark = (const uint32_t *)(const void *)
		((const uint8_t *)ctx->ring.sts + SDXI_STS_REMOVED_OFFSET);

	return le32toh(__atomic_load_n(mark, __ATOMIC_RELAXED)) == SDXI_STS_REMOVED;
}

/*
 * The failure of the current run of @ctx (ticket numbering).  0 with *out
 * set, or -ENOENT when the device has not reported one (yet).
 */
int ctx_failure(struct sdxi_ctx *ctx, struct sdxi_error *out)
{
	struct sdxi_hwerr e;
	int ret = 0;

	pthread_mutex_lock(&ctx->err_lock);
	if (!ctx->fail_known) {
		ret = ctx->dev->ops->ctx_errors(ctx->dev, &ctx->hw, &e);
		if (!ret && !e.count)
			ret = -ENOENT;
		if (!ret) {
			ctx->fail = e.last;
			if (ctx->fail.flags & SDXI_ERROR_INDEX)
				ctx->fail.index += ctx->ring.base;
			ctx->fail_known = true;
		}
	}
	if (!ret)
		*out = ctx->fail;
	pthread_mutex_unlock(&ctx->err_lock);
	return ret;
}

/*
 * The ticket of the batch that descriptor @ticket (current run) belongs
 * to, from the marks sdxi_batch_submit() leaves on each batch's last
 * slot, or UINT64_MAX when no submitted batch holds it.
 */
uint64_t batch_ticket_of(struct sdxi_ctx *ctx, uint64_t ticket)
{
	const struct sdxi_ring *r = &ctx->ring;
	uint64_t hw = ticket - r->base, tail = ctx_tail(ctx);

	for (uint64_t h = hw; h < tail && h - hw <= r->mask; h++) {
		uint64_t m = __atomic_load_n(&r->bmark[h & r->mask], __ATOMIC_RELAXED) &
			     ~SDXI__BMARK_BARE;

		/* A mark is first + 1 of a batch ending at h, in this lap. */
		if (m && m - 1 <= h && h - (m - 1) <= r->mask)
			return m - 1 <= hw ? r->base + h : UINT64_MAX;
	}
	return UINT64_MAX;
}

/* Does @ticket end the batch that holds the failed descriptor @fail? */
static bool same_batch(struct sdxi_ctx *ctx, uint64_t ticket, uint64_t fail)
{
	return batch_ticket_of(ctx, fail) == ticket;
}

/*
 * Completion of a ticket when the fast path cannot tell: the ticket
 * predates the last reset, the context is not running, or it is
 * SDXI_TICKET_DONE.  A batch's ticket (its last descriptor) reports the
 * failure of any descriptor of the batch; later ones are canceled.
 */
SDXI_EXPORT int __sdxi_poll_slow(struct sdxi_ctx *ctx, uint64_t ticket)
{
	struct sdxi_ring *r = &ctx->ring;
	struct sdxi_error e;
	uint64_t hw, rd;
	uint8_t state;

	ctx_check(ctx, "sdxi_poll()");
	if (ticket == SDXI_TICKET_DONE)
		return 0;
	if (ticket < r->base) {
		const struct sdxi_reset_hist *h = &ctx->hist;

		if (ticket < h->ok_end)
			return 0;
		return ticket == h->fail || ticket == h->fail_batch ? h->fail_err : -ECANCELED;
	}
	hw = ticket - r->base;
	if (hw >= ctx_tail(ctx))
		return -EINVAL;
	if (hw < ring_done(ctx))
		return 0;
	rd = ctx_read_index(ctx);
	state = ctx_state(ctx);
	if (state == SDXI_CXTV_RUN)
		return -EAGAIN;
	/* Whether it ran before the function went away is unknown. */
	if (ctx_removed(ctx))
		return -ENODEV;
	if (state == SDXI_CXTV_ERR_FN) {
		/* R = failed index + 1: anything below that index completed. */
		if (hw + 1 < rd)
			return 0;
		if (ctx_failure(ctx, &e))
			return -EAGAIN;		/* the record is on its way */
		if (e.flags & SDXI_ERROR_INDEX) {
			if (ticket < e.index)
				return 0;
			if (ticket == e.index || same_batch(ctx, ticket, e.index))
				return e.err;
			return -ECANCELED;
		}
		/* Failed outside a descriptor (write index): what completed did. */
		return e.err;
	}
	/*
	 * Stopped by the function (function error) or by software: what did
	 * not complete never will (R may have passed it: a transfer taken
	 * and abandoned by the stop).
	 */
	return ctx_failure(ctx, &e) ? -EIO : e.err;
}

/* Append an interrupt descriptor; 0, or -EAGAIN when the ring is full. */
int ring_submit_intr(struct sdxi_ctx *ctx)
{
	struct sdxi_batch b;
	union sdxi_desc d;
	uint64_t t = 0, mine, cur;
	int ret = sdxi_batch_start(ctx, &b, 1, 0);

	if (ret)
		return ret;
	/* Fenced, so that it fires only after everything before it retired. */
	sdxi__enc_simple(&d, 0, SDXI_DSC_FE, SDXI_DSC_TYPE_INTR, SDXI_DSC_INTR,
			 ctx->ring.akey_intr);
	sdxi__batch_put(&b, &d, 0);
	sdxi_batch_submit(&b, &t);
	/* Newest interrupt: its hardware index + 1 (monotonic per run). */
	mine = t - ctx->ring.base + 1;
	cur = atomic_load(&ctx->intr_hw);
	while (cur < mine && !atomic_compare_exchange_weak(&ctx->intr_hw, &cur, mine))
		;
	return 0;
}

static int wait_opts(struct sdxi_ctx *ctx, const struct sdxi_wait_opts *in,
		     struct sdxi_wait_opts *o)
{
	bool intr = ctx->efd >= 0;

	*o = (struct sdxi_wait_opts){
		.mode = intr ? SDXI_WAIT_BLOCK : SDXI_WAIT_SPIN,
		.spin_ns = 20000,
	};
	if (!in)
		return 0;
	if (in->flags || in->reserved[0] || in->reserved[1] || in->mode > SDXI_WAIT_BLOCK)
		return -EINVAL;
	if (in->mode == SDXI_WAIT_BLOCK && !intr)
		return -EOPNOTSUPP;
	if (in->mode != SDXI_WAIT_DEFAULT)
		o->mode = in->mode;
	o->spin_ns = in->spin_ns ? in->spin_ns : o->spin_ns;
	o->timeout_ns = in->timeout_ns;
	return 0;
}

/*
 * Spin on the ticket's own CST_BLK (the slot's completion block, armed for
 * it at submission) and confirm with sdxi_poll(), which also notices
 * failures; then yield or block on the context's eventfd, with an
 * interrupt descriptor queued behind the ticket so that one fires when it
 * completes.  A blocked waiter re-checks at least every 10 ms, in case
 * another waiter consumed the eventfd count it was woken for.
 */
SDXI_EXPORT int sdxi_wait(struct sdxi_ctx *ctx, uint64_t ticket,
			  const struct sdxi_wait_opts *opts, struct sdxi_error *err)
{
	const struct sdxi_cst_blk *csb = NULL;
	struct sdxi_wait_opts o;
	uint64_t t0 = 0, now = 0, hw;
	struct sdxi_ring *r;
	bool nudged = false;
	int ret;

	if (!ctx)
		return -EINVAL;
	ctx_check(ctx, "sdxi_wait()");
	r = &ctx->ring;
	hw = ticket - r->base;
	ret = wait_opts(ctx, opts, &o);
	if (ret)
		return ret;
	if (ticket >= r->base && ticket != SDXI_TICKET_DONE)
		csb = &r->csb[hw & r->mask];
	for (unsigned int i = 0;; i++) {
		if (!csb || !__atomic_load_n(&csb->signal, __ATOMIC_ACQUIRE) || i % 16 == 0) {
			ret = sdxi_poll(ctx, ticket);
			if (ret != -EAGAIN)
				break;
		}
		if (i % 64)
			continue;
		now = now_ns();
		if (!t0)
			t0 = now;
		if (o.timeout_ns && now - t0 >= o.timeout_ns) {
			ret = -ETIMEDOUT;
			break;
		}
		if (now - t0 < o.spin_ns) {
			/* The software device needs a CPU to make progress. */
			if (ctx->dev->info.flags & SDXI_DEV_SOFT)
				sched_yield();
			continue;
		}
		if (o.mode == SDXI_WAIT_SPIN) {
			/*
			 * Taken, but no block of its own says when it
			 * completes: a NOP behind it will (once; a full ring
			 * means later work will).
			 */
			if (csb && !nudged && ctx_read_index(ctx) > hw && !ring_has_csb(r, hw)) {
				nudged = true;
				ring_submit_nop(ctx);
			}
			sched_yield();
			continue;
		}
		if (atomic_load(&ctx->intr_hw) <= hw + 1 && ring_submit_intr(ctx)) {
			sched_yield();	/* ring full: the device is busy, retry */
			continue;
		}
		ret = sdxi_poll(ctx, ticket);
		if (ret != -EAGAIN)
			break;
		{
			struct pollfd pfd = { .fd = ctx->efd, .events = POLLIN };
			uint64_t slice = 10000000, cnt;

			if (o.timeout_ns && o.timeout_ns - (now - t0) < slice)
				slice = o.timeout_ns - (now - t0);
			if (poll(&pfd, 1, (int)((slice + 999999) / 1000000)) > 0) {
				ssize_t n = read(ctx->efd, &cnt, sizeof(cnt));

				(void)n;	/* EAGAIN: another waiter took it */
			}
		}
		i = ~0u;	/* next iteration polls at once */
	}
	if (ret && err && (ret == -ETIMEDOUT || ctx_failure(ctx, err)))
		memset(err, 0, sizeof(*err));
	return ret;
}

/*
 * Wait until nothing submitted before the call can still run: every
 * descriptor below the target below completed (ring_done(): R passing
 * them is not enough, a taken descriptor may still access its buffers),
 * or the context stopped (a failed context never resumes the old ring: a
 * reset clears it).
 *
 * The target on a private ring is the published W: its one producer may
 * be the caller, inside a batch it has not submitted (waiting for the
 * tail would wait for itself), and every descriptor that could use a
 * mapping being dropped was published before (the convenience layer
 * publishes within its RCU read-side section; a batch built with an
 * address the application is unregistering meanwhile is its own error).
 * On a shared ring it is the tail: a batch published behind another
 * producer's open batch is not below W yet but may use the mapping, so
 * registration calls must not be made while holding an open batch there
 * (Documentation/library.rst, "Threading").
 *
 * When the last batch below the target has no CST_BLK of the library's,
 * only a later block can show it completed: once R has passed the target
 * a NOP is queued behind it, unless the caller holds an open batch on a
 * private ring (tail beyond W), where that batch's own block will.
 */
int ctx_quiesce(struct sdxi_ctx *ctx)
{
	struct sdxi_ring *r = &ctx->ring;
	bool shared = r->flags & SDXI__RING_SHARED, nudged = false;
	uint64_t target = shared ? ctx_tail(ctx) :
			  le64toh(__atomic_load_n(r->wi, __ATOMIC_ACQUIRE));
	unsigned int spins = 0;

	while (ring_done(ctx) < target && ctx_state(ctx) == SDXI_CXTV_RUN) {
		if (!nudged && spins >= 256 && ctx_read_index(ctx) >= target &&
		    (shared || ctx_tail(ctx) == target)) {
			nudged = true;
			ring_submit_nop(ctx);
		}
		backoff(&spins);
	}
	return 0;
}
