// SPDX-License-Identifier: MIT
/*
 * The measurement loop of one worker thread: its contexts, buffers and
 * registration, submission in batches, completion, the CPU baseline and
 * verification.  (spawn.c starts the workers: processes, threads.)
 *
 * Every worker thread goes through the same steps, kept in lock step by a
 * barrier shared by all threads of all processes (process-shared, in a
 * MAP_SHARED page created before fork):
 *
 *   setup (contexts, buffers, registration)  | barrier 1
 *   warm-up, not measured                    | barrier 2
 *   measured phase, then drain               | barrier 3
 *   verification, teardown
 *
 * so that no worker measures while another sets up or verifies.  A worker
 * whose setup fails raises the shared abort flag and still passes the
 * barriers.
 *
 * The loop keeps up to qd descriptors outstanding per context, submitted
 * in batches (one reservation, one write-index update, one doorbell per
 * batch).  Three timers per batch, all from the submitting thread's TSC:
 *   t_call  before sdxi_batch_start()
 *   t_db    after sdxi_batch_submit() returned (doorbell rung)
 *   t_done  when this thread observed the completion
 * submit = t_db - t_call, device = t_done - t_db, e2e = t_done - t_call.
 * At qd > 1 device and e2e include queueing behind earlier batches, and a
 * completion is observed only when the thread looks (poll mode looks all
 * the time; csb and block modes wait for the oldest batch when the queue
 * is full): latency figures to quote are those at qd 1.
 */
#include <errno.h>
#include <sched.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "worker.h"

static void setup_fail(struct worker *w, int err, const char *what)
{
	if (!w->res.setup_err) {
		w->res.setup_err = err < 0 ? err : -EIO;
		snprintf(w->res.setup_msg, sizeof(w->res.setup_msg), "%s: %s", what,
			 strerror(err < 0 ? -err : EIO));
	}
	__atomic_store_n(&w->sh->abort, 1, __ATOMIC_RELAXED);
}

static int aborted(struct worker *w)
{
	return __atomic_load_n(&w->sh->abort, __ATOMIC_RELAXED);
}

static void *map_buf(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

/* Buffers (and for the device: context, registration) of context @c. */
static int setup_ctx(struct worker *w, struct wctx *c, unsigned int k)
{
	const struct perf_point *pt = w->pt;
	const struct perf_cfg *cfg = w->cfg;
	int has_bufs = pt->op != OP_NOP && pt->op != OP_ATOMIC;
	int ret;

	c->cap = pt->qd + 1;
	c->fifo = calloc(c->cap, sizeof(*c->fifo));
	if (!c->fifo)
		return setup_fail(w, -ENOMEM, "fifo"), -ENOMEM;
	if (has_bufs) {
		uint64_t sz = pt->size ? pt->size : 1;

		c->stride = sz < 4096 ? (sz + 63) & ~63ULL : (sz + 4095) & ~4095ULL;
		c->nbufs = cfg->bufs ? cfg->bufs : pt->qd;
		while (c->nbufs > 1 && c->nbufs * c->stride > MAX_BUF_BYTES)
			c->nbufs--;
		c->map_len = (c->nbufs * c->stride + 4095) & ~4095ULL;
		c->src = map_buf(c->map_len);
		c->dst = map_buf(c->map_len);
		if (!c->src || !c->dst)
			return setup_fail(w, -ENOMEM, "buffers"), -ENOMEM;
		for (unsigned int i = 0; i < c->nbufs; i++)
			perf_pattern(c->src + i * c->stride, c->stride,
				     ((uint64_t)w->index << 40) ^ ((uint64_t)k << 32) ^ i ^
				     (pt->size << 8));
	}
	if (pt->cpu)
		return 0;

	{
		struct sdxi_ctx_opts o = { .ring_entries = cfg->ring, .mode = cfg->mode };

		if (pt->wait == WAIT_BLOCK)
			o.flags |= SDXI_CTX_INTERRUPTS;
		ret = sdxi_ctx_create(w->dev, &o, &c->ctx);
		if (ret)
			return setup_fail(w, ret, "sdxi_ctx_create"), ret;
	}
	if (pt->op == OP_ATOMIC) {
		c->atom = map_buf(4096);
		if (!c->atom)
			return setup_fail(w, -ENOMEM, "atomic target"), -ENOMEM;
		if (cfg->reg == REG_PRE) {
			ret = sdxi_mem_register(c->ctx, c->atom, 4096,
						SDXI_MEM_READ | SDXI_MEM_WRITE);
			if (!ret)
				ret = sdxi_mem_iova(c->ctx, c->atom, 8, SDXI_MEM_READ | SDXI_MEM_WRITE,
						    &c->atom_iova);
			if (ret)
				return setup_fail(w, ret, "registration"), ret;
		}
	}
	if (has_bufs && cfg->reg == REG_PRE) {
		ret = sdxi_mem_register(c->ctx, c->src, c->map_len, SDXI_MEM_READ);
		if (!ret)
			ret = sdxi_mem_register(c->ctx, c->dst, c->map_len, SDXI_MEM_WRITE);
		if (!ret)
			ret = sdxi_mem_iova(c->ctx, c->src, c->map_len, SDXI_MEM_READ, &c->src_iova);
		if (!ret)
			ret = sdxi_mem_iova(c->ctx, c->dst, c->map_len, SDXI_MEM_WRITE, &c->dst_iova);
		if (ret)
			return setup_fail(w, ret, "registration"), ret;
	}
	return 0;
}

static void teardown_ctx(struct wctx *c)
{
	if (c->ctx)
		sdxi_ctx_destroy(c->ctx);	/* drops the registrations first */
	if (c->src)
		munmap(c->src, c->map_len);
	if (c->dst)
		munmap(c->dst, c->map_len);
	if (c->atom)
		munmap(c->atom, 4096);
	free(c->fifo);
}

/* Device addresses of buffer pair @off (cache mode: a lookup each). */
static int addrs(struct worker *w, struct wctx *c, uint64_t off, uint64_t slen,
		 uint64_t *s, uint64_t *d)
{
	int ret;

	if (w->cfg->reg == REG_PRE) {
		*s = c->src_iova + off;
		*d = c->dst_iova + off;
		return 0;
	}
	ret = slen ? sdxi_mem_iova(c->ctx, c->src + off, slen, SDXI_MEM_READ, s) : 0;
	if (!ret)
		ret = sdxi_mem_iova(c->ctx, c->dst + off, w->pt->size, SDXI_MEM_WRITE, d);
	return ret;
}

/* Encode one operation into the next slot(s) of @b. */
static int encode(struct worker *w, struct wctx *c, struct sdxi_batch *b, unsigned int fl)
{
	const struct perf_point *pt = w->pt;
	uint64_t off = c->nbufs ? (c->next_buf++ % c->nbufs) * c->stride : 0, s = 0, d = 0;
	int ret;

	switch (pt->op) {
	case OP_NOP:
		return sdxi_batch_nop(b, fl);
	case OP_COPY:
		ret = addrs(w, c, off, pt->size, &s, &d);
		return ret ? ret : sdxi_batch_copy(b, d, s, pt->size, fl);
	case OP_WRITE_IMM:
		ret = addrs(w, c, off, 0, &s, &d);
		return ret ? ret : sdxi_batch_write_imm(b, d, w->imm, (uint32_t)pt->size, fl);
	case OP_FILL:
		ret = addrs(w, c, off, 0, &s, &d);
		return ret ? ret : sdxi_batch_fill(b, d, FILL_PATTERN, pt->size, fl);
	case OP_REPCOPY:
		ret = addrs(w, c, off, w->cfg->block, &s, &d);
		return ret ? ret : sdxi_batch_repcopy(b, d, s, w->cfg->block,
						      pt->size / w->cfg->block, fl);
	case OP_ATOMIC: {
		uint64_t op1, op2, t = c->atom_iova;

		perf_atomic_operands(pt->atomic_op, &op1, &op2);
		if (pt->size == 4)
			op1 &= 0xffffffffULL;
		if (w->cfg->reg == REG_CACHE) {
			ret = sdxi_mem_iova(c->ctx, c->atom, pt->size,
					    SDXI_MEM_READ | SDXI_MEM_WRITE, &t);
			if (ret)
				return ret;
		}
		return sdxi_batch_atomic(b, pt->atomic_op, (unsigned int)pt->size, t, 0, op1, op2,
					 fl);
	}
	}
	return -EINVAL;
}

/*
 * Submit @n operations as one batch.  Only the last descriptor of a batch
 * gets a completion block (SDXI_DESC_NO_CSB on the others): completion is
 * tracked per batch, as a tuned application would.
 */
static int submit(struct worker *w, struct wctx *c, unsigned int n, int record)
{
	struct sdxi_batch b;
	uint64_t t_call = perf_ticks(), t_db, ticket = 0;
	int ret = sdxi_batch_start(c->ctx, &b, n * w->slots_per_op, 0);

	if (ret)
		return ret;
	for (unsigned int k = 0; k < n && !ret; k++)
		ret = encode(w, c, &b, k + 1 < n ? SDXI_DESC_NO_CSB : 0);
	/* A started batch must be submitted (slots left unfilled become NOPs). */
	sdxi_batch_submit(&b, &ticket);
	t_db = perf_ticks();
	if (ret)
		return ret;	/* an encoding error: the point cannot run */
	c->fifo[(c->head + c->n++) % c->cap] = (struct inflight){ ticket, t_call, t_db, n };
	c->out += n;
	c->submitted += n;
	c->used += n;
	if (record)
		w->res.ticks_submit += t_db - t_call;
	return 0;
}

/* The oldest batch of @c completed with @r, observed at @t_done. */
static void complete(struct worker *w, struct wctx *c, int r, uint64_t t_done, int record,
		     const struct sdxi_error *err)
{
	struct inflight e = c->fifo[c->head];

	c->head = (c->head + 1) % c->cap;
	c->n--;
	c->out -= e.n;
	if (r == 0) {
		if (w->pt->op == OP_ATOMIC)
			c->atomics_ok += e.n;
		if (!record)
			return;
		w->res.descs += e.n;
		w->res.batches++;
		w->res.bytes += e.n * w->bytes_per_op;
		hist_add(&w->res.submit, perf_ticks_to_ns(e.t_db - e.t_call));
		hist_add(&w->res.device, perf_ticks_to_ns(t_done - e.t_db));
		hist_add(&w->res.e2e, perf_ticks_to_ns(t_done - e.t_call));
		return;
	}
	w->res.errors++;
	if (!w->res.fail.have) {
		w->res.fail.have = 1;
		w->res.fail.err = r;
		if (err)
			w->res.fail.rec = *err;
		else if (sdxi_ctx_error(c->ctx, &w->res.fail.rec))
			memset(&w->res.fail.rec, 0, sizeof(w->res.fail.rec));
	}
	/*
	 * A failed context stops; reset it so the run goes on.  Tickets
	 * still outstanding resolve (completed, failed or canceled) and are
	 * reaped as usual.
	 */
	{
		struct sdxi_ctx_status st;

		if (!sdxi_ctx_status(c->ctx, &st) && st.state != SDXI_CXTV_RUN)
			sdxi_ctx_reset(c->ctx);
	}
}

/* Poll mode: retire every completed batch of @c in order; how many. */
static int reap(struct worker *w, struct wctx *c, int record)
{
	int got = 0;

	while (c->n) {
		int r = sdxi_poll(c->ctx, c->fifo[c->head].ticket);

		if (r == -EAGAIN)
			break;
		complete(w, c, r, perf_ticks(), record, NULL);
		got++;
	}
	return got;
}

/* Nothing to submit: wait for a completion in the configured way. */
static int wait_one(struct worker *w, int record)
{
	uint64_t t0 = perf_ticks(), t;
	struct wctx *old = NULL;
	unsigned int spins = 0;
	int ret = 0;

	if (w->pt->wait == WAIT_POLL) {
		for (;; spins++) {
			int got = 0, pending = 0;

			for (unsigned int i = 0; i < w->nctx; i++) {
				got += reap(w, &w->c[i], record);
				pending += w->c[i].n;
			}
			if (got)
				break;
			t = perf_ticks();
			if (!pending) {
				sched_yield();	/* ring full with nothing of ours in it */
				break;
			}
			if (t - t0 > w->timeout_ticks) {
				ret = -ETIMEDOUT;
				break;
			}
			/*
			 * The software device's engine is a thread that needs a
			 * CPU: yield every 64 polls, as sdxi_wait() does, or a
			 * spinner sharing its CPU delays it by a scheduler tick.
			 */
			if (w->soft && spins % 64 == 63)
				sched_yield();
#if defined(__x86_64__) || defined(__i386__)
			else
				__builtin_ia32_pause();
#endif
		}
	} else {
		struct sdxi_wait_opts o = {
			.mode = w->pt->wait == WAIT_CSB ? SDXI_WAIT_SPIN : SDXI_WAIT_BLOCK,
			/* csb: spin on the CST_BLK throughout; block: sleep at once. */
			.spin_ns = w->pt->wait == WAIT_CSB ? 1000000000ULL : 1,
			.timeout_ns = WAIT_TIMEOUT_S * 1000000000ULL,
		};
		struct sdxi_error err;
		int r;

		for (unsigned int i = 0; i < w->nctx; i++)
			if (w->c[i].n && (!old || w->c[i].fifo[w->c[i].head].t_db <
					  old->fifo[old->head].t_db))
				old = &w->c[i];
		if (!old) {
			sched_yield();
		} else {
			memset(&err, 0, sizeof(err));
			r = sdxi_wait(old->ctx, old->fifo[old->head].ticket, &o, &err);
			if (r == -ETIMEDOUT)
				ret = r;
			else
				complete(w, old, r, perf_ticks(), record, r ? &err : NULL);
		}
	}
	if (record)
		w->res.ticks_wait += perf_ticks() - t0;
	return ret;
}

/*
 * One phase on the device: @quota operations per context (UINT64_MAX with
 * a deadline), then drain.  0, or a negative errno that ends the point.
 */
static int dev_phase(struct worker *w, uint64_t quota, int record)
{
	const struct perf_point *pt = w->pt;

	w->stop = 0;
	for (unsigned int i = 0; i < w->nctx; i++) {
		w->c[i].submitted = 0;
		w->c[i].full = 0;
	}
	for (;;) {
		int progress = 0, active = 0, ret;

		for (unsigned int i = 0; i < w->nctx; i++) {
			struct wctx *c = &w->c[i];

			if (pt->wait == WAIT_POLL)
				progress += reap(w, c, record);
			while (!w->stop && c->submitted < quota) {
				uint64_t left = quota - c->submitted;
				unsigned int n = left < pt->batch ? (unsigned int)left : pt->batch;

				if (c->out + n > pt->qd)
					break;
				ret = submit(w, c, n, record);
				if (ret == -EAGAIN) {
					/* Ring full: count the stall once, wait, retry. */
					if (!c->full && record)
						w->res.ring_full++;
					c->full = 1;
					break;
				}
				if (ret == -EIO && c->n) {
					break;	/* failed context, ring full: reaping resets it */
				} else if (ret == -EIO) {
					sdxi_ctx_reset(c->ctx);
					break;
				}
				if (ret)
					return ret;
				c->full = 0;
				progress++;
			}
			if (c->n || (!w->stop && c->submitted < quota))
				active++;
		}
		if (!active)
			return 0;
		if (w->deadline && !w->stop && perf_ticks() >= w->deadline)
			w->stop = 1;
		if (!progress) {
			ret = wait_one(w, record);
			if (ret)
				return ret;
		}
	}
}

#if defined(__x86_64__) || defined(__i386__)
static void movsb(void *d, const void *s, size_t n)
{
	__asm__ __volatile__("rep movsb" : "+D"(d), "+S"(s), "+c"(n) : : "memory");
}

static void stosb(void *d, int v, size_t n)
{
	__asm__ __volatile__("rep stosb" : "+D"(d), "+c"(n) : "a"(v) : "memory");
}
#else
#define movsb memcpy
#define stosb memset
#endif

static inline void cpu_op(struct worker *w, struct wctx *c)
{
	uint64_t off = (c->next_buf++ % c->nbufs) * c->stride;
	int fill = w->pt->op == OP_FILL, rep = w->cfg->baseline == BASE_MOVSB;

	c->used++;

	if (fill && rep)
		stosb(c->dst + off, (int)(FILL_PATTERN & 0xff), w->pt->size);
	else if (fill)
		memset(c->dst + off, (int)(FILL_PATTERN & 0xff), w->pt->size);
	else if (rep)
		movsb(c->dst + off, c->src + off, w->pt->size);
	else
		memcpy(c->dst + off, c->src + off, w->pt->size);
}

/*
 * One phase of the CPU baseline: the same buffers, round robin over the
 * worker's buffer sets.  One operation in CPU_SAMPLE is timed on its own
 * (a timestamp pair would otherwise cost more than a 64-byte copy).
 */
static void cpu_phase(struct worker *w, uint64_t quota, int record)
{
	uint64_t total = quota == UINT64_MAX ? UINT64_MAX : quota * w->nctx, k;

	for (k = 0; k < total; k++) {
		struct wctx *c = &w->c[k % w->nctx];

		if (k % CPU_SAMPLE == 0) {
			uint64_t t0 = perf_ticks(), t1;

			cpu_op(w, c);
			t1 = perf_ticks();
			if (record)
				hist_add(&w->res.e2e, perf_ticks_to_ns(t1 - t0));
			if (w->deadline && t1 >= w->deadline) {
				k++;
				break;
			}
		} else {
			cpu_op(w, c);
		}
	}
	if (record) {
		w->res.descs += k;
		w->res.bytes += k * w->bytes_per_op;
	}
}

static void verify_ctx(struct worker *w, struct wctx *c)
{
	const struct perf_point *pt = w->pt;
	uint64_t n = c->used < c->nbufs ? c->used : c->nbufs;

	if (pt->op == OP_ATOMIC) {
		uint64_t want, got = 0;

		if (perf_atomic_expected(pt->atomic_op, (unsigned int)pt->size, c->atomics_ok, &want))
			return;
		memcpy(&got, c->atom, pt->size);	/* little endian */
		w->res.verify_checked++;
		if (got != want)
			w->res.verify_failed++;
		return;
	}
	if (pt->op == OP_NOP)
		return;
	for (uint64_t i = 0; i < n; i++) {
		const uint8_t *d = c->dst + i * c->stride, *s = c->src + i * c->stride;
		int r;

		if (pt->op == OP_COPY)
			r = perf_verify_copy(d, s, pt->size);
		else if (pt->op == OP_WRITE_IMM)
			r = perf_verify_copy(d, w->imm, pt->size);
		else if (pt->op == OP_FILL)
			r = perf_verify_fill(d, FILL_PATTERN, pt->size);
		else
			r = perf_verify_repcopy(d, s, w->cfg->block, pt->size);
		w->res.verify_checked++;
		if (r)
			w->res.verify_failed++;
	}
}

static void barrier(struct worker *w)
{
	pthread_barrier_wait(&w->sh->bar);
}

void *perf_worker_main(void *arg)
{
	struct worker *w = arg;
	const struct perf_cfg *cfg = w->cfg;
	const struct perf_point *pt = w->pt;
	uint64_t quota = cfg->iterations ? cfg->iterations : UINT64_MAX;
	int ret = 0;

	w->res.workers = 1;
	w->nctx = cfg->contexts;
	w->slots_per_op = pt->op == OP_FILL && pt->size > 64 && pt->size % 64 ? 2 : 1;
	w->bytes_per_op = perf_op_bytes(pt->op, pt->size);
	w->timeout_ticks = (uint64_t)(WAIT_TIMEOUT_S * perf_tick_hz);
	for (unsigned int i = 0; i < sizeof(w->imm); i++)
		w->imm[i] = (uint8_t)(0xa5 ^ (i * 7) ^ w->index);
	if (cfg->ncpus) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(cfg->cpus[w->index % cfg->ncpus], &set);
		ret = pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
		if (ret)
			setup_fail(w, -ret, "sched_setaffinity");
		ret = 0;
	}
	if (w->dev) {
		struct sdxi_dev_info in;

		w->soft = !sdxi_dev_info(w->dev, &in) && (in.flags & SDXI_DEV_SOFT);
	}
	w->c = calloc(w->nctx, sizeof(*w->c));
	if (!w->c)
		setup_fail(w, -ENOMEM, "contexts");
	for (unsigned int i = 0; w->c && i < w->nctx && !w->res.setup_err; i++)
		setup_ctx(w, &w->c[i], i);

	barrier(w);
	if (!aborted(w) && cfg->warmup) {
		if (pt->cpu)
			cpu_phase(w, cfg->warmup, 0);
		else
			ret = dev_phase(w, cfg->warmup, 0);
		if (ret)
			setup_fail(w, ret, "warm-up");
	}

	barrier(w);
	if (!aborted(w)) {
		uint64_t t0;

		w->res.start_ns = perf_now_ns();
		t0 = perf_ticks();
		if (!cfg->iterations)
			w->deadline = t0 + (uint64_t)(cfg->duration * perf_tick_hz);
		if (pt->cpu)
			cpu_phase(w, quota, 1);
		else
			ret = dev_phase(w, quota, 1);
		w->res.ticks_total = perf_ticks() - t0;
		w->res.end_ns = perf_now_ns();
		if (ret)
			setup_fail(w, ret, "measurement");
	}

	barrier(w);
	for (unsigned int i = 0; w->c && i < w->nctx; i++) {
		if (cfg->verify && !aborted(w))
			verify_ctx(w, &w->c[i]);
		teardown_ctx(&w->c[i]);
	}
	free(w->c);
	return NULL;
}
