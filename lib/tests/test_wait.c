// SPDX-License-Identifier: MIT
/*
 * Waiting: the context fd (eventfd) woken by interrupt descriptors,
 * spin-then-block waits that queue their own interrupt, timeouts, and
 * the argument checks of sdxi_wait().
 */
#include <endian.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "helpers.h"

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

TEST(ctx_fd_needs_interrupts)
{
	struct sdxi_dev *dev = test_dev();
	struct sdxi_wait_opts o = { .mode = SDXI_WAIT_BLOCK };
	struct sdxi_ctx *plain, *intr;

	if (dev && !test_has_interrupts(dev)) {
		sdxi_dev_close(dev);
		SKIP("device without completion interrupts");
	}
	plain = test_ctx(dev, 0, 0);
	intr = test_ctx(dev, 0, SDXI_CTX_INTERRUPTS);
	REQUIRE(plain && intr);
	CHECK_ERR(sdxi_ctx_fd(plain), -EOPNOTSUPP);
	CHECK(sdxi_ctx_fd(intr) >= 0);
	CHECK_ERR(sdxi_wait(plain, 0, &o, NULL), -EOPNOTSUPP);
	sdxi_ctx_destroy(plain);
	sdxi_ctx_destroy(intr);
	sdxi_dev_close(dev);
}

TEST(wait_options_are_checked)
{
	struct sdxi_dev *dev = test_dev();
	struct sdxi_ctx *ctx = test_ctx(dev, 0, SDXI_CTX_INTERRUPTS);
	struct sdxi_wait_opts o;

	if (dev && !test_has_interrupts(dev)) {
		sdxi_dev_close(dev);
		SKIP("device without completion interrupts");
	}
	REQUIRE(ctx);
	o = (struct sdxi_wait_opts){ .mode = SDXI_WAIT_BLOCK + 1 };
	CHECK_ERR(sdxi_wait(ctx, 0, &o, NULL), -EINVAL);
	o = (struct sdxi_wait_opts){ .flags = 1 };
	CHECK_ERR(sdxi_wait(ctx, 0, &o, NULL), -EINVAL);
	o = (struct sdxi_wait_opts){ .reserved = { 0, 1 } };
	CHECK_ERR(sdxi_wait(ctx, 0, &o, NULL), -EINVAL);
	/* A ticket that was never issued. */
	CHECK_ERR(sdxi_wait(ctx, 5, NULL, NULL), -EINVAL);
	sdxi_ctx_destroy(ctx);
	sdxi_dev_close(dev);
}

/* SDXI_BATCH_INTR: the batch ends with DSC_INTR; the eventfd becomes readable. */
TEST(interrupt_descriptor_makes_fd_readable)
{
	struct sdxi_dev *dev = test_dev();
	struct sdxi_ctx *ctx = test_ctx(dev, 0, SDXI_CTX_INTERRUPTS);
	struct sdxi_batch b;
	struct pollfd pfd;
	uint64_t t, cnt = 0;
	const union sdxi_desc *d;

	if (dev && !test_has_interrupts(dev)) {
		sdxi_dev_close(dev);
		SKIP("device without completion interrupts");
	}
	REQUIRE(ctx);
	pfd = (struct pollfd){ .fd = sdxi_ctx_fd(ctx), .events = POLLIN };
	CHECK_EQ(poll(&pfd, 1, 0), 0);
	CHECK_ERR(sdxi_batch_start(ctx, &b, 2, SDXI_BATCH_INTR), 0);
	CHECK_ERR(sdxi_batch_nop(&b, 0), 0);
	CHECK_ERR(sdxi_batch_nop(&b, 0), 0);
	CHECK_ERR(sdxi_batch_submit(&b, &t), 0);
	CHECK_EQ(t, 2);					/* 2 NOPs + the interrupt */
	d = &sdxi__ring(ctx)->desc[t & sdxi__ring(ctx)->mask];
	CHECK_EQ(desc_bits(d, 16, 26), 0x004);		/* DSC_INTR */
	CHECK_EQ(desc_bits(d, 2, 2), 1);		/* fenced */
	CHECK_EQ(desc_bits(d, 96, 111), sdxi__ring(ctx)->akey_intr);
	CHECK_EQ(poll(&pfd, 1, 5000), 1);
	CHECK_EQ(read(pfd.fd, &cnt, 8), 8);
	CHECK_EQ(cnt, 1);
	CHECK_ERR(sdxi_poll(ctx, t), 0);
	/* The helper flag does the same after one descriptor. */
	CHECK_ERR(sdxi_batch_start(ctx, &b, 2, 0), 0);
	CHECK_ERR(sdxi_batch_nop(&b, SDXI_DESC_INTR), 0);
	CHECK_ERR(sdxi_batch_submit(&b, &t), 0);
	CHECK_EQ(poll(&pfd, 1, 5000), 1);
	CHECK_EQ(read(pfd.fd, &cnt, 8), 8);
	sdxi_ctx_destroy(ctx);
	sdxi_dev_close(dev);
}

struct waiter {
	struct sdxi_ctx *ctx;
	uint64_t ticket;
	int ret;
	uint64_t ms;
};

static void *block_wait(void *arg)
{
	struct sdxi_wait_opts o = { .mode = SDXI_WAIT_BLOCK, .spin_ns = 1000,
				    .timeout_ns = 10000000000ULL };
	struct waiter *w = arg;
	uint64_t t0 = now_ms();

	w->ret = sdxi_wait(w->ctx, w->ticket, &o, NULL);
	w->ms = now_ms() - t0;
	return NULL;
}

/*
 * Spin-then-block: with the engine stalled the waiter queues an interrupt
 * descriptor behind its ticket and sleeps in poll(); unstalling completes
 * the ticket and the interrupt wakes it.
 */
TEST(blocking_wait_wakes_on_interrupt)
{
	struct sdxi_dev *dev = test_dev();
	struct sdxi_ctx *ctx = test_ctx(dev, 0, SDXI_CTX_INTERRUPTS);
	struct sdxi_ring *r;
	struct sdxi_batch b;
	struct waiter w;
	pthread_t th;
	uint64_t wi;

	if (dev && !test_has_interrupts(dev)) {
		sdxi_dev_close(dev);
		SKIP("device without completion interrupts");
	}
	REQUIRE(ctx);
	r = sdxi__ring(ctx);
	if (test_stall(dev, 1)) {
		sdxi_ctx_destroy(ctx);
		sdxi_dev_close(dev);
		SKIP("no fault injection on this device");
	}
	CHECK_ERR(sdxi_batch_start(ctx, &b, 1, 0), 0);
	CHECK_ERR(sdxi_batch_nop(&b, 0), 0);
	CHECK_ERR(sdxi_batch_submit(&b, &w.ticket), 0);
	w.ctx = ctx;
	REQUIRE(!pthread_create(&th, NULL, block_wait, &w));
	/* The waiter appended its interrupt: W moves past the ticket. */
	for (int i = 0; i < 500 && le64toh(*r->wi) < 2; i++)
		usleep(1000);
	wi = le64toh(*r->wi);
	CHECK_EQ(wi, 2);
	CHECK_EQ(desc_bits(&r->desc[1], 16, 26), 0x004);
	usleep(50000);
	CHECK_ERR(test_stall(dev, 0), 0);
	pthread_join(th, NULL);
	CHECK_ERR(w.ret, 0);
	CHECK(w.ms >= 40 && w.ms < 5000);
	sdxi_ctx_destroy(ctx);
	sdxi_dev_close(dev);
}

/*
 * Write index after one NOP on a stalled device and a wait of @o (30 ms
 * timeout) for it: a blocking wait queues its interrupt descriptor behind
 * the ticket (one more), a spinning one does not.
 */
static uint64_t writes_after_wait(struct sdxi_dev *dev, uint32_t flags, struct sdxi_wait_opts o)
{
	struct sdxi_ctx *ctx = test_ctx(dev, 0, flags);
	struct sdxi_ctx_status st;
	struct sdxi_batch b;
	uint64_t t, w = 0;

	if (!ctx)
		return 0;
	o.timeout_ns = 30000000;
	test_stall(dev, 1);
	CHECK_ERR(sdxi_batch_start(ctx, &b, 1, 0), 0);
	CHECK_ERR(sdxi_batch_submit(&b, &t), 0);
	CHECK_ERR(sdxi_wait(ctx, t, &o, NULL), -ETIMEDOUT);
	CHECK_ERR(sdxi_ctx_status(ctx, &st), 0);
	w = st.write_index - t;
	test_stall(dev, 0);
	CHECK_ERR(sdxi_wait(ctx, t, NULL, NULL), 0);
	sdxi_ctx_destroy(ctx);
	return w;
}

/*
 * The documented default is what a zero-initialised struct sdxi_wait_opts
 * gives: block on a context with interrupts, spin (then yield) without.
 */
TEST(zero_wait_options_are_the_default)
{
	struct sdxi_wait_opts zero, spin = { .mode = SDXI_WAIT_SPIN };
	struct sdxi_dev *dev = test_dev();
	struct sdxi_soft_faults f;

	memset(&zero, 0, sizeof(zero));
	REQUIRE(dev);
	if (!test_has_interrupts(dev) || test_faults(dev, &f)) {
		sdxi_dev_close(dev);
		SKIP("needs completion interrupts and fault injection");
	}
	CHECK_EQ(writes_after_wait(dev, SDXI_CTX_INTERRUPTS, zero), 2);	/* blocked */
	CHECK_EQ(writes_after_wait(dev, SDXI_CTX_INTERRUPTS, spin), 1);
	CHECK_EQ(writes_after_wait(dev, 0, zero), 1);			/* spun */
	sdxi_dev_close(dev);
}

TEST(blocking_wait_times_out)
{
	struct sdxi_wait_opts o = { .mode = SDXI_WAIT_BLOCK, .timeout_ns = 30000000 };
	struct sdxi_dev *dev = test_dev();
	struct sdxi_ctx *ctx = test_ctx(dev, 0, SDXI_CTX_INTERRUPTS);
	struct sdxi_batch b;
	uint64_t t, t0;

	if (dev && !test_has_interrupts(dev)) {
		sdxi_dev_close(dev);
		SKIP("device without completion interrupts");
	}
	REQUIRE(ctx);
	if (test_stall(dev, 1)) {
		sdxi_ctx_destroy(ctx);
		sdxi_dev_close(dev);
		SKIP("no fault injection on this device");
	}
	CHECK_ERR(sdxi_batch_start(ctx, &b, 1, 0), 0);
	CHECK_ERR(sdxi_batch_submit(&b, &t), 0);
	t0 = now_ms();
	CHECK_ERR(sdxi_wait(ctx, t, &o, NULL), -ETIMEDOUT);
	CHECK(now_ms() - t0 >= 25);
	CHECK_ERR(test_stall(dev, 0), 0);
	CHECK_ERR(sdxi_wait(ctx, t, NULL, NULL), 0);
	sdxi_ctx_destroy(ctx);
	sdxi_dev_close(dev);
}

/* Several threads blocked on one shared context all wake. */
TEST(blocking_waiters_on_shared_context_all_wake)
{
	struct sdxi_dev *dev = test_dev();
	struct sdxi_ctx *ctx = test_ctx(dev, 0, SDXI_CTX_INTERRUPTS | SDXI_CTX_SHARED);
	struct waiter w[4];
	pthread_t th[4];
	int stalled;

	if (dev && !test_has_interrupts(dev)) {
		sdxi_dev_close(dev);
		SKIP("device without completion interrupts");
	}
	REQUIRE(ctx);
	stalled = !test_stall(dev, 1);
	for (int i = 0; i < 4; i++) {
		struct sdxi_batch b;

		CHECK_ERR(sdxi_batch_start(ctx, &b, 1, 0), 0);
		CHECK_ERR(sdxi_batch_submit(&b, &w[i].ticket), 0);
		w[i].ctx = ctx;
		REQUIRE(!pthread_create(&th[i], NULL, block_wait, &w[i]));
	}
	usleep(20000);
	if (stalled)
		CHECK_ERR(test_stall(dev, 0), 0);
	for (int i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		CHECK_ERR(w[i].ret, 0);
	}
	sdxi_ctx_destroy(ctx);
	sdxi_dev_close(dev);
}
