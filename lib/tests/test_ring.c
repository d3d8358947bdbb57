// SPDX-License-Identifier: MIT
/*
 * The ring protocol and the batch API: slots as the device sees them
 * (vl, per-slot CST_BLK), wrap-around over several laps, batch
 * boundaries, ring full, doorbells per batch, and every operation
 * executed end to end.
 */
#include <endian.h>
#include <stdlib.h>

#include "helpers.h"

struct fx {
	struct sdxi_dev *dev;
	struct sdxi_ctx *ctx;
	uint8_t *src, *dst;
	size_t len;
};

static int fx_up(struct fx *fx, uint32_t entries, uint32_t flags, size_t len)
{
	memset(fx, 0, sizeof(*fx));
	fx->dev = test_dev();
	fx->ctx = test_ctx(fx->dev, entries, flags);
	fx->len = len;
	fx->src = test_buf(len);
	fx->dst = test_buf(len);
	if (!fx->ctx || !fx->src || !fx->dst)
		return 0;
	test_register(fx->ctx, fx->src, len);
	test_register(fx->ctx, fx->dst, len);
	return 1;
}

static void fx_down(struct fx *fx)
{
	sdxi_ctx_destroy(fx->ctx);
	sdxi_dev_close(fx->dev);
	test_buf_free(fx->src, fx->len);
	test_buf_free(fx->dst, fx->len);
}

TEST(ring_copy_completes_and_moves_bytes)
{
	struct sdxi_batch b;
	struct fx fx;
	uint64_t t;

	REQUIRE(fx_up(&fx, 0, 0, 1 << 16));
	test_pattern(fx.src, 4096, 1);
	CHECK_ERR(sdxi_batch_start(fx.ctx, &b, 1, 0), 0);
	CHECK_ERR(sdxi_batch_copy(&b, test_va(fx.dst), test_va(fx.src), 4096, 0), 0);
	CHECK_ERR(sdxi_batch_submit(&b, &t), 0);
	CHECK_ERR(test_wait(fx.ctx, t), 0);
	CHECK_ERR(sdxi_poll(fx.ctx, t), 0);
	CHECK(test_pattern_ok(fx.dst, 4096, 1));
	fx_down(&fx);
}

/*
 * The slots as published: vl set, and the batch's last descriptor (only)
 * with the CST_BLK of its own slot attached.
 */
TEST(ring_slot_has_vl_and_its_own_csb)
{
	struct sdxi_ring *r;
	struct sdxi_batch b;
	struct fx fx;
	uint64_t t, slot;
	const union sdxi_desc *d;

	REQUIRE(fx_up(&fx, 0, 0, 1 << 16));
	r = sdxi__ring(fx.ctx);
	CHECK_ERR(sdxi_batch_start(fx.ctx, &b, 3, 0), 0);
	CHECK_ERR(sdxi_batch_nop(&b, 0), 0);
	CHECK_ERR(sdxi_batch_nop(&b, SDXI_DESC_NO_CSB), 0);
	CHECK_ERR(sdxi_batch_copy(&b, test_va(fx.dst), test_va(fx.src), 64, SDXI_DESC_FENCE), 0);
	CHECK_ERR(sdxi_batch_submit(&b, &t), 0);
	CHECK_ERR(test_wait(fx.ctx, t), 0);
	slot = t & r->mask;
	d = &r->desc[slot];
	CHECK_EQ(desc_bits(d, 0, 0), 1);			/* vl */
	CHECK_EQ(desc_bits(d, 2, 2), 1);			/* fe */
	CHECK_EQ(desc_bits(d, 448, 448), 0);			/* np clear */
	CHECK_EQ(desc_bits(d, 453, 511) << 5, r->csb_iova + slot * 32);
	CHECK_EQ(r->csb[slot].signal, 0);			/* completed */
	CHECK_EQ(r->csb[slot].flags, 0);
	d = &r->desc[(t - 1) & r->mask];			/* SDXI_DESC_NO_CSB */
	CHECK_EQ(desc_bits(d, 448, 448), 1);
	CHECK_EQ(desc_bits(d, 449, 511), 0);
	d = &r->desc[(t - 2) & r->mask];			/* not the last */
	CHECK_EQ(desc_bits(d, 0, 0), 1);
	CHECK_EQ(desc_bits(d, 448, 448), 1);
	CHECK_EQ(desc_bits(d, 449, 511), 0);
	/* The last one added with SDXI_DESC_NO_CSB: no block at all. */
	CHECK_ERR(sdxi_batch_start(fx.ctx, &b, 1, 0), 0);
	CHECK_ERR(sdxi_batch_nop(&b, SDXI_DESC_NO_CSB), 0);
	CHECK_ERR(sdxi_batch_submit(&b, &t), 0);
	CHECK_ERR(test_wait(fx.ctx, t), 0);
	CHECK_EQ(desc_bits(&r->desc[t & r->mask], 448, 448), 1);
	fx_down(&fx);
}

/* Copies through three and a half laps, each verified. */
static void wrap(uint32_t batch, uint32_t flags)
{
	struct fx fx;
	uint32_t entries = 1024, total = entries * 7 / 2;
	uint64_t t = 0;

	REQUIRE(fx_up(&fx, entries, flags, 1 << 20));
	test_pattern(fx.src, 1 << 20, 9);
	for (uint32_t done = 0; done < total;) {
		struct sdxi_batch b;
		uint32_t n = total - done < batch ? total - done : batch;

		CHECK_ERR(sdxi_batch_start(fx.ctx, &b, n, SDXI_BATCH_WAIT), 0);
		for (uint32_t i = 0; i < n; i++, done++) {
			uint64_t off = (done % 256) * 4096;

			CHECK_ERR(sdxi_batch_copy(&b, test_va(fx.dst) + off, test_va(fx.src) + off,
						  4096, 0), 0);
		}
		CHECK_ERR(sdxi_batch_submit(&b, &t), 0);
	}
	CHECK_ERR(test_wait(fx.ctx, t), 0);
	CHECK_EQ(t, total - 1);
	CHECK(!memcmp(fx.src, fx.dst, 1 << 20));
	fx_down(&fx);
}

TEST(ring_wraps_three_times_batch_1)
{
	wrap(1, 0);
}

TEST(ring_wraps_three_times_batch_7)
{
	wrap(7, 0);
}

TEST(ring_wraps_three_times_batch_of_whole_ring)
{
	wrap(1024, 0);
}

TEST(ring_wraps_three_times_shared_context)
{
	wrap(16, SDXI_CTX_SHARED);
}

/*
 * The function never clears vl: a stale descriptor of the previous lap
 * must never execute again.  UADD 1 on a counter for 3 laps: the counter
 * must equal the number submitted exactly.
 */
TEST(ring_never_reexecutes_previous_lap)
{
	struct fx fx;
	uint64_t *ctr, t = 0;
	uint32_t total = 1024 * 3 + 100;

	REQUIRE(fx_up(&fx, 1024, 0, 4096));
	ctr = (uint64_t *)(void *)fx.dst;
	for (uint32_t done = 0; done < total; done += 50) {
		struct sdxi_batch b;

		CHECK_ERR(sdxi_batch_start(fx.ctx, &b, 50, SDXI_BATCH_WAIT), 0);
		for (int i = 0; i < 50; i++)
			CHECK_ERR(sdxi_batch_atomic(&b, SDXI_DSC_ATOMIC_UADD, 8, test_va(ctr), 0, 1,
						    0, 0), 0);
		CHECK_ERR(sdxi_batch_submit(&b, &t), 0);
		/* Let the device run some batches before the next lap. */
		if (done % 500 == 0)
			CHECK_ERR(test_wait(fx.ctx, t), 0);
	}
	CHECK_ERR(test_wait(fx.ctx, t), 0);
	CHECK_EQ(*ctr, (total + 49) / 50 * 50);
	fx_down(&fx);
}

TEST(batch_unfilled_slots_become_nops)
{
	struct sdxi_ring *r;
	struct sdxi_batch b;
	struct fx fx;
	uint64_t t;

	REQUIRE(fx_up(&fx, 0, 0, 4096));
	r = sdxi__ring(fx.ctx);
	CHECK_ERR(sdxi_batch_start(fx.ctx, &b, 8, 0), 0);
	CHECK_EQ(sdxi_batch_space(&b), 8);
	CHECK_ERR(sdxi_batch_write_imm(&b, test_va(fx.dst), "abc", 3, 0), 0);
	CHECK_EQ(sdxi_batch_space(&b), 7);
	CHECK_ERR(sdxi_batch_submit(&b, &t), 0);
	CHECK_EQ(t, 7);			/* the last of 8 slots */
	CHECK_ERR(test_wait(fx.ctx, t), 0);
	for (uint64_t i = 1; i < 8; i++) {
		CHECK_EQ(desc_bits(&r->desc[i], 8, 15), 0x01);	/* NOP */
		CHECK_EQ(desc_bits(&r->desc[i], 16, 26), 0x001);
	}
	CHECK(!memcmp(fx.dst, "abc", 3));
	fx_down(&fx);
}

TEST(batch_boundaries_and_space)
{
	struct sdxi_batch b;
	struct fx fx;
	uint64_t t;

	REQUIRE(fx_up(&fx, 1024, 0, 4096));
	/* 0 slots, more than the ring, unknown flags. */
	CHECK_ERR(sdxi_batch_start(fx.ctx, &b, 0, 0), -EINVAL);
	CHECK_ERR(sdxi_batch_start(fx.ctx, &b, 1025, 0), -EINVAL);
	CHECK_ERR(sdxi_batch_start(fx.ctx, &b, 1024, SDXI_BATCH_INTR), -EINVAL);
	CHECK_ERR(sdxi_batch_start(fx.ctx, &b, 1, 1u << 7), -EINVAL);
	/* An interrupt needs a context with interrupts. */
	CHECK_ERR(sdxi_batch_start(fx.ctx, &b, 1, SDXI_BATCH_INTR), -EOPNOTSUPP);
	/* The whole ring in one batch. */
	CHECK_ERR(sdxi_batch_start(fx.ctx, &b, 1024, 0), 0);
	for (int i = 0; i < 1024; i++)
		CHECK_ERR(sdxi_batch_nop(&b, 0), 0);
	/* Full batch: -ENOSPC, and a 2-slot fill does not fit a 1-slot rest. */
	CHECK_ERR(sdxi_batch_nop(&b, 0), -ENOSPC);
	CHECK_ERR(sdxi_batch_submit(&b, &t), 0);
	CHECK_EQ(t, 1023);
	CHECK_ERR(test_wait(fx.ctx, t), 0);
	CHECK_ERR(sdxi_batch_start(fx.ctx, &b, 1, 0), 0);
	CHECK_ERR(sdxi_batch_fill(&b, test_va(fx.dst), 0x55, 65, 0), -ENOSPC);
	CHECK_ERR(sdxi_batch_nop(&b, SDXI_DESC_INTR), -ENOSPC);
	CHECK_ERR(sdxi_batch_submit(&b, &t), 0);
	CHECK_EQ(t, 1024);
	/* The interrupt of a helper needs a context with interrupts. */
	CHECK_ERR(sdxi_batch_start(fx.ctx, &b, 2, 0), 0);
	CHECK_ERR(sdxi_batch_nop(&b, SDXI_DESC_INTR), -EOPNOTSUPP);
	CHECK_ERR(sdxi_batch_submit(&b, &t), 0);
	CHECK_EQ(t, 1026);
	/* A batch whose start failed is inert. */
	CHECK_ERR(sdxi_batch_start(fx.ctx, &b, 0, 0), -EINVAL);
	CHECK_ERR(sdxi_batch_nop(&b, 0), -ENOSPC);
	CHECK_ERR(sdxi_batch_submit(&b, NULL), -EINVAL);
	CHECK_ERR(test_wait(fx.ctx, t), 0);
	fx_down(&fx);
}

/* Invalid arguments of the batch helpers never reach the ring. */
TEST(batch_invalid_arguments_leave_ring_untouched)
{
	struct sdxi_ring *r;
	struct sdxi_batch b;
	union sdxi_desc adm, before;
	struct fx fx;
	uint64_t t, tail;

	REQUIRE(fx_up(&fx, 0, 0, 8192));
	r = sdxi__ring(fx.ctx);
	CHECK_ERR(sdxi_batch_start(fx.ctx, &b, 4, 0), 0);
	before = r->desc[0];
	tail = r->tail;
	CHECK_ERR(sdxi_batch_copy(&b, test_va(fx.dst), test_va(fx.src), 0, 0), -EINVAL);
	CHECK_ERR(sdxi_batch_copy(&b, test_va(fx.dst), test_va(fx.src), r->max_buffer + 1, 0),
		  -E2BIG);
	CHECK_ERR(sdxi_batch_copy(&b, test_va(fx.src) + 8, test_va(fx.src), 64, 0), -EINVAL);
	CHECK_ERR(sdxi_batch_copy(&b, test_va(fx.dst), test_va(fx.src), 64, 1u << 12), -EINVAL);
	CHECK_ERR(sdxi_batch_write_imm(&b, test_va(fx.dst), "x", 33, 0), -E2BIG);
	CHECK_ERR(sdxi_batch_write_imm(&b, test_va(fx.dst), "x", 0, 0), -EINVAL);
	CHECK_ERR(sdxi_batch_repcopy(&b, test_va(fx.dst), test_va(fx.src), 0, 4, 0), -EINVAL);
	CHECK_ERR(sdxi_batch_repcopy(&b, test_va(fx.dst), test_va(fx.src), 64, 0, 0), -EINVAL);
	CHECK_ERR(sdxi_batch_repcopy(&b, test_va(fx.dst), test_va(fx.src), 64,
				     r->max_buffer / 64 + 1, 0), -E2BIG);
	CHECK_ERR(sdxi_batch_repcopy(&b, test_va(fx.src) + 128, test_va(fx.src) + 200, 64, 4, 0),
		  -EINVAL);		/* source inside the destination */
	CHECK_ERR(sdxi_batch_fill(&b, test_va(fx.dst), 1, 0, 0), -EINVAL);
	CHECK_ERR(sdxi_batch_fill(&b, test_va(fx.dst), 1, r->max_buffer + 1, 0), -E2BIG);
	CHECK_ERR(sdxi_batch_atomic(&b, 0x04, 8, test_va(fx.dst), 0, 1, 0, 0), -EINVAL);
	CHECK_ERR(sdxi_batch_atomic(&b, SDXI_DSC_ATOMIC_SWAP, 8, test_va(fx.dst) + 1, 0, 1, 0, 0),
		  -EINVAL);
	/* Admin descriptors are the kernel's. */
	memset(&adm, 0, sizeof(adm));
	adm.generic.opcode = 0x00020300;	/* type 2, subtype 3: CXT_START_NM */
	adm.generic.csb_ptr = 1;
	CHECK_ERR(sdxi_batch_add(&b, &adm, 0), -EINVAL);
	/* A raw COPY above the context's max buffer. */
	if (r->max_buffer < SDXI_DESC_MAX_LEN) {
		REQUIRE(sdxi_prep_copy(&adm, NULL, 1ULL << 40, 0, r->max_buffer + 1) == 0);
		CHECK_ERR(sdxi_batch_add(&b, &adm, 0), -E2BIG);
	}
	CHECK(!memcmp(&before, &r->desc[0], sizeof(before)));
	CHECK_EQ(sdxi_batch_ticket(&b), r->base + b.first);
	CHECK_EQ(r->tail, tail);
	CHECK_ERR(sdxi_batch_submit(&b, &t), 0);
	CHECK_ERR(test_wait(fx.ctx, t), 0);
	fx_down(&fx);
}

/*
 * sdxi_batch_repcopy(): the descriptor decodes with literal bit positions
 * (hardware.rst: size 63:32, akeys 111:96/127:112, addr0 191:128, addr1
 * 255:192, count 287:256) and the device replicates the block.
 */
TEST(batch_repcopy_encodes_and_replicates)
{
	struct sdxi_ring *r;
	struct sdxi_batch b;
	union sdxi_desc *d;
	struct fx fx;
	uint64_t t;

	REQUIRE(fx_up(&fx, 0, 0, 8192));
	r = sdxi__ring(fx.ctx);
	test_pattern(fx.src, 100, 9);
	memset(fx.dst, 0xee, 8192);
	CHECK_ERR(sdxi_batch_start(fx.ctx, &b, 1, 0), 0);
	d = &r->desc[sdxi_batch_ticket(&b) & r->mask];
	CHECK_ERR(sdxi_batch_repcopy(&b, test_va(fx.dst), test_va(fx.src), 100, 7, 0), 0);
	CHECK_EQ(desc_bits(d, 16, 26), 0x001);
	CHECK_EQ(desc_bits(d, 8, 15), 0x04);
	CHECK_EQ(desc_bits(d, 32, 63), 99);
	CHECK_EQ(desc_bits(d, 96, 111), r->akey);
	CHECK_EQ(desc_bits(d, 112, 127), r->akey);
	CHECK_EQ(desc_bits(d, 128, 191), test_va(fx.src));
	CHECK_EQ(desc_bits(d, 192, 255), test_va(fx.dst));
	CHECK_EQ(desc_bits(d, 256, 287), 6);
	CHECK(bytes_zero(d, 36, 56));
	CHECK_ERR(sdxi_batch_submit(&b, &t), 0);
	CHECK_ERR(test_wait(fx.ctx, t), 0);
	for (int i = 0; i < 7; i++)
		CHECK(test_pattern_ok(fx.dst + i * 100, 100, 9));
	CHECK_EQ(fx.dst[700], 0xee);
	fx_down(&fx);
}

/* One doorbell per batch, however many descriptors it carries. */
TEST(batch_rings_one_doorbell)
{
	struct sdxi_batch b;
	struct fx fx;
	uint64_t t, before, after;

	REQUIRE(fx_up(&fx, 0, 0, 4096));
	if (sdxi_soft_ctx_doorbells(fx.ctx, &before)) {
		fx_down(&fx);
		SKIP("doorbell counter of the software device");
	}
	CHECK_ERR(sdxi_batch_start(fx.ctx, &b, 16, 0), 0);
	for (int i = 0; i < 16; i++)
		CHECK_ERR(sdxi_batch_nop(&b, 0), 0);
	CHECK_ERR(sdxi_batch_submit(&b, &t), 0);
	CHECK_ERR(sdxi_soft_ctx_doorbells(fx.ctx, &after), 0);
	CHECK_EQ(after - before, 1);
	CHECK_ERR(test_wait(fx.ctx, t), 0);
	CHECK_EQ(le64toh(*sdxi__ring(fx.ctx)->wi), 16);
	fx_down(&fx);
}

TEST(ring_full_returns_eagain_then_drains)
{
	struct sdxi_batch b;
	struct fx fx;
	uint64_t t = 0;

	REQUIRE(fx_up(&fx, 1024, 0, 4096));
	if (test_stall(fx.dev, 1)) {
		fx_down(&fx);
		SKIP("stalls the software device");
	}
	CHECK_ERR(sdxi_batch_start(fx.ctx, &b, 1000, 0), 0);
	CHECK_ERR(sdxi_batch_submit(&b, &t), 0);
	CHECK_ERR(sdxi_batch_start(fx.ctx, &b, 24, 0), 0);
	CHECK_ERR(sdxi_batch_submit(&b, &t), 0);
	/* 1024 outstanding: full. */
	CHECK_ERR(sdxi_batch_start(fx.ctx, &b, 1, 0), -EAGAIN);
	CHECK_ERR(sdxi_poll(fx.ctx, t), -EAGAIN);
	CHECK_ERR(test_stall(fx.dev, 0), 0);
	CHECK_ERR(sdxi_batch_start(fx.ctx, &b, 1, SDXI_BATCH_WAIT), 0);
	CHECK_ERR(sdxi_batch_submit(&b, &t), 0);
	CHECK_EQ(t, 1024);
	CHECK_ERR(test_wait(fx.ctx, t), 0);
	fx_down(&fx);
}

TEST(poll_pending_done_and_unissued_ticket)
{
	struct sdxi_batch b;
	struct fx fx;
	uint64_t t;

	REQUIRE(fx_up(&fx, 0, 0, 4096));
	CHECK_ERR(sdxi_poll(fx.ctx, 0), -EINVAL);	/* nothing issued yet */
	if (!test_stall(fx.dev, 1)) {
		CHECK_ERR(sdxi_batch_start(fx.ctx, &b, 1, 0), 0);
		CHECK_ERR(sdxi_batch_submit(&b, &t), 0);
		CHECK_ERR(sdxi_poll(fx.ctx, t), -EAGAIN);
		CHECK_ERR(test_stall(fx.dev, 0), 0);
	} else {
		CHECK_ERR(sdxi_batch_start(fx.ctx, &b, 1, 0), 0);
		CHECK_ERR(sdxi_batch_submit(&b, &t), 0);
	}
	CHECK_ERR(test_wait(fx.ctx, t), 0);
	CHECK_ERR(sdxi_poll(fx.ctx, t), 0);
	CHECK_ERR(sdxi_poll(fx.ctx, t + 1), -EINVAL);
	fx_down(&fx);
}

TEST(op_write_imm_writes_exact_bytes)
{
	static const uint8_t data[32] = "0123456789abcdefghijklmnopqrstu";
	struct sdxi_batch b;
	struct fx fx;
	uint64_t t;

	REQUIRE(fx_up(&fx, 0, 0, 4096));
	memset(fx.dst, 0xee, 128);
	CHECK_ERR(sdxi_batch_start(fx.ctx, &b, 2, 0), 0);
	CHECK_ERR(sdxi_batch_write_imm(&b, test_va(fx.dst) + 3, data, 5, 0), 0);
	CHECK_ERR(sdxi_batch_write_imm(&b, test_va(fx.dst) + 64, data, 32, 0), 0);
	CHECK_ERR(sdxi_batch_submit(&b, &t), 0);
	CHECK_ERR(test_wait(fx.ctx, t), 0);
	CHECK(!memcmp(fx.dst + 3, data, 5));
	CHECK_EQ(fx.dst[2], 0xee);
	CHECK_EQ(fx.dst[8], 0xee);
	CHECK(!memcmp(fx.dst + 64, data, 32));
	CHECK_EQ(fx.dst[96], 0xee);
	fx_down(&fx);
}

static int fill_ok(const uint8_t *p, size_t n, uint64_t pat)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != (uint8_t)(pat >> (8 * (i % 8))))
			return 0;
	return 1;
}

TEST(op_fill_repeats_pattern_at_any_length)
{
	static const size_t lens[] = { 1, 7, 8, 63, 64, 65, 127, 4096 + 13, 1 << 20 };
	const uint64_t pat = 0x0807060504030201ULL;
	struct fx fx;

	REQUIRE(fx_up(&fx, 0, 0, (1 << 20) + 256));
	for (unsigned int k = 0; k < sizeof(lens) / sizeof(lens[0]); k++) {
		struct sdxi_batch b;
		uint64_t t;

		memset(fx.dst, 0xee, (1 << 20) + 256);
		CHECK_ERR(sdxi_batch_start(fx.ctx, &b, 2, 0), 0);
		CHECK_ERR(sdxi_batch_fill(&b, test_va(fx.dst) + 5, pat, lens[k], 0), 0);
		CHECK_ERR(sdxi_batch_submit(&b, &t), 0);
		CHECK_ERR(test_wait(fx.ctx, t), 0);
		CHECK(fill_ok(fx.dst + 5, lens[k], pat));
		CHECK_EQ(fx.dst[4], 0xee);
		CHECK_EQ(fx.dst[5 + lens[k]], 0xee);
	}
	fx_down(&fx);
}

/* Each atomic subtype against its definition (hardware.rst table). */
TEST(op_atomics_follow_their_definitions)
{
	static const struct {
		unsigned int op;
		uint64_t old, op1, op2, want;
	} cases[] = {
		{ SDXI_DSC_ATOMIC_SWAP, 5, 9, 0, 9 },
		{ SDXI_DSC_ATOMIC_UADD, ~0ULL, 2, 0, 1 },
		{ SDXI_DSC_ATOMIC_USUB, 1, 2, 0, ~0ULL },
		{ SDXI_DSC_ATOMIC_AND, 0xff0f, 0x0ff0, 0, 0x0f00 },
		{ SDXI_DSC_ATOMIC_OR, 0xf000, 0x000f, 0, 0xf00f },
		{ SDXI_DSC_ATOMIC_XOR, 0xff, 0x0f, 0, 0xf0 },
		{ SDXI_DSC_ATOMIC_SMIN, 5, (uint64_t)-3, 0, (uint64_t)-3 },
		{ SDXI_DSC_ATOMIC_SMAX, (uint64_t)-5, 3, 0, 3 },
		{ SDXI_DSC_ATOMIC_UMIN, 5, (uint64_t)-3, 0, 5 },
		{ SDXI_DSC_ATOMIC_UMAX, 5, 3, 0, 5 },
		{ SDXI_DSC_ATOMIC_UCLAMPI, 90, 20, 100, 100 },
		{ SDXI_DSC_ATOMIC_UCLAMPI, 50, 20, 100, 70 },
		{ SDXI_DSC_ATOMIC_UCLAMPD, 30, 20, 15, 15 },
		{ SDXI_DSC_ATOMIC_UCLAMPD, 50, 20, 15, 30 },
		{ SDXI_DSC_ATOMIC_CMPSWAP, 7, 42, 7, 42 },
		{ SDXI_DSC_ATOMIC_CMPSWAP, 8, 42, 7, 8 },
	};
	struct fx fx;

	REQUIRE(fx_up(&fx, 0, 0, 4096));
	for (unsigned int k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		uint64_t *tgt = (uint64_t *)(void *)fx.dst, *ret = tgt + 1;
		uint32_t *t32 = (uint32_t *)(void *)(fx.dst + 64), *r32 = t32 + 1;
		struct sdxi_batch b;
		uint64_t t;

		*tgt = cases[k].old;
		*ret = 0xdead;
		*t32 = (uint32_t)cases[k].old;
		CHECK_ERR(sdxi_batch_start(fx.ctx, &b, 2, 0), 0);
		CHECK_ERR(sdxi_batch_atomic(&b, cases[k].op, 8, test_va(tgt), test_va(ret),
					    cases[k].op1, cases[k].op2, 0), 0);
		CHECK_ERR(sdxi_batch_atomic(&b, cases[k].op, 4, test_va(t32), test_va(r32),
					    cases[k].op1 & 0xffffffff, cases[k].op2 & 0xffffffff,
					    0), 0);
		CHECK_ERR(sdxi_batch_submit(&b, &t), 0);
		CHECK_ERR(test_wait(fx.ctx, t), 0);
		if (*tgt != cases[k].want || *ret != cases[k].old)
			printf("# case %u: op %#x -> %#" PRIx64 " (ret %#" PRIx64 ")\n", k,
			       cases[k].op, *tgt, *ret);
		CHECK_EQ(*tgt, cases[k].want);
		CHECK_EQ(*ret, cases[k].old);
		CHECK_EQ(*r32, (uint32_t)cases[k].old);
	}
	fx_down(&fx);
}

TEST(op_copy_sizes_from_1_byte_to_4_mib)
{
	static const size_t sizes[] = { 1, 2, 63, 64, 4095, 4096, 4097, 65536, 4 << 20 };
	struct fx fx;

	REQUIRE(fx_up(&fx, 0, 0, (4 << 20) + 8192));
	for (unsigned int k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		struct sdxi_batch b;
		uint64_t t;

		test_pattern(fx.src + 7, sizes[k], k);
		memset(fx.dst, 0, sizes[k] + 16);
		CHECK_ERR(sdxi_batch_start(fx.ctx, &b, 1, 0), 0);
		CHECK_ERR(sdxi_batch_copy(&b, test_va(fx.dst) + 3, test_va(fx.src) + 7, sizes[k], 0),
			  0);
		CHECK_ERR(sdxi_batch_submit(&b, &t), 0);
		CHECK_ERR(test_wait(fx.ctx, t), 0);
		CHECK(test_pattern_ok(fx.dst + 3, sizes[k], k));
		CHECK_EQ(fx.dst[3 + sizes[k]], 0);
	}
	fx_down(&fx);
}

/* Descriptors encoded by hand with sdxi_prep_*() go through sdxi_batch_add(). */
TEST(batch_add_takes_prepared_descriptors)
{
	struct sdxi_ring *r;
	struct sdxi_desc_attr a;
	struct sdxi_batch b;
	union sdxi_desc d;
	struct fx fx;
	uint64_t t;
	uint32_t us;

	REQUIRE(fx_up(&fx, 0, 0, 8192));
	r = sdxi__ring(fx.ctx);
	a = (struct sdxi_desc_attr){ .akey0 = r->akey, .akey1 = r->akey };
	test_pattern(fx.src, 100, 3);
	REQUIRE(sdxi_prep_copy(&d, &a, test_va(fx.dst), test_va(fx.src), 100) == 0);
	CHECK_ERR(sdxi_batch_start(fx.ctx, &b, 2, 0), 0);
	CHECK_ERR(sdxi_batch_add(&b, &d, 0), 0);
	/* Its own CST_BLK (borrowed from a slot beyond the batch). */
	us = (uint32_t)(sdxi_batch_ticket(&b) + 1) & r->mask;
	a.csb = r->csb_iova + 32 * us;
	r->csb[us].signal = 1;
	REQUIRE(sdxi_prep_nop(&d, &a) == 0);
	CHECK_ERR(sdxi_batch_add(&b, &d, 0), 0);
	CHECK_EQ(desc_bits(&r->desc[(sdxi_batch_ticket(&b) - 1) & r->mask], 453, 511) << 5,
		 a.csb);
	CHECK_ERR(sdxi_batch_submit(&b, &t), 0);
	CHECK_ERR(test_wait(fx.ctx, t), 0);
	CHECK(test_pattern_ok(fx.dst, 100, 3));
	CHECK_EQ(r->csb[us].signal, 0);
	fx_down(&fx);
}

/* Batch helpers leave wrapping ranges to the device: a translation fault. */
TEST(batch_wrapping_range_faults_on_device)
{
	struct sdxi_error err;
	struct sdxi_batch b;
	struct fx fx;
	uint64_t t;

	REQUIRE(fx_up(&fx, 0, 0, 4096));
	CHECK_ERR(sdxi_batch_start(fx.ctx, &b, 1, 0), 0);
	CHECK_ERR(sdxi_batch_copy(&b, UINT64_MAX - 8, test_va(fx.src), 64, 0), 0);
	CHECK_ERR(sdxi_batch_submit(&b, &t), 0);
	CHECK_ERR(sdxi_wait(fx.ctx, t, NULL, &err), -EFAULT);
	CHECK_EQ(err.step, 10);
	CHECK_EQ(err.sub_step, 1);
	CHECK_EQ(err.buf, 1);
	fx_down(&fx);
}

/* The one-comparison overlap test of the batch helpers, at its edges. */
TEST(batch_copy_overlap_edges)
{
	static const struct { int64_t delta; uint64_t len; int overlap; } c[] = {
		{ 0, 1, 1 }, { 1, 1, 0 }, { -1, 1, 0 },
		{ 63, 64, 1 }, { 64, 64, 0 }, { -63, 64, 1 }, { -64, 64, 0 },
		{ 4096, 4096, 0 }, { 4095, 4096, 1 }, { -4095, 4096, 1 },
	};
	struct sdxi_batch b;
	struct fx fx;
	uint64_t base;

	REQUIRE(fx_up(&fx, 0, 0, 4 * 4096));
	base = test_va(fx.src) + 8192;
	CHECK_ERR(sdxi_batch_start(fx.ctx, &b, 16, 0), 0);
	for (unsigned int i = 0; i < sizeof(c) / sizeof(c[0]); i++)
		CHECK_ERR(sdxi_batch_copy(&b, base + (uint64_t)c[i].delta, base, c[i].len, 0),
			  c[i].overlap ? -EINVAL : 0);
	/* Around the top and bottom of the address space (not submitted). */
	CHECK(sdxi__overlap_eq(UINT64_MAX - 10, 5, 32));
	CHECK(!sdxi__overlap_eq(UINT64_MAX - 10, 50, 32));
	CHECK(sdxi__overlap_eq(0, UINT64_MAX, 2));
	CHECK(!sdxi__overlap_eq(0, 1ULL << 32, 1ULL << 32));
	CHECK(sdxi__overlap_eq(0, (1ULL << 32) - 1, 1ULL << 32));
	CHECK_ERR(sdxi_batch_submit(&b, NULL), 0);
	fx_down(&fx);
}
