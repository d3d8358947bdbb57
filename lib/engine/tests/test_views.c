// SPDX-License-Identifier: MIT
/*
 * Views (lib/engine/view.c): a client context's turn reads its ring and
 * AKey entries and moves data through host mappings it holds, and writes
 * R once.  What the contract says must still hold: every access happens
 * when the descriptor makes it, R > k means k has completed, an interrupt
 * or an error finds R up to date, and short host mappings change nothing.
 */
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "tap.h"

static const struct sdxie_as FN = { 0 };

static void fill(uint8_t *p, uint64_t len, unsigned int seed)
{
	for (uint64_t i = 0; i < len; i++)
		p[i] = (uint8_t)(i * 131 + seed);
}

/* A function with client context 1 (ring of @ring slots) running. */
static void setup(struct fx *fx, uint32_t ring)
{
	fx_init(fx, NULL);
	if (fx_cxt_new(fx, 1, ring, FN) != 0)
		abort();
}

/* Host mappings of @chunk bytes at most: the views are remapped often. */
static void in_order_through_short_mappings(uint64_t chunk)
{
	uint64_t src, dst, last = 0;
	struct fx fx;
	uint32_t n = 1031;	/* not a power of two: slots wrap anywhere */

	setup(&fx, n);
	fx.map_chunk = chunk;
	src = fx_alloc(&fx, FN, 3 * n + 64, 64);
	dst = fx_alloc(&fx, FN, 3 * n + 64, 64);
	fill(fx_ptr(&fx, FN, src), 3 * n + 64, 5);
	/* Three ring laps of small copies, each one byte further on. */
	for (uint32_t k = 0; k < 3 * n; k++) {
		union sdxi_desc c = d_copy(src + k, dst + k, 37);

		last = fx_put(&fx, 1, &c, k % 97 == 0);
		if (k % 500 == 499 || k == 3 * n - 1) {
			fx_doorbell(&fx, 1);
			fx_run(&fx);
			CHECK_EQ(fx_r(&fx, 1), last + 1);
		}
	}
	CHECK_EQ(fx_state(&fx, 1), SDXI_CXTV_RUN);
	CHECK(!memcmp(fx_ptr(&fx, FN, src), fx_ptr(&fx, FN, dst), 3 * n - 1 + 37));
	fx_fini(&fx);
}

TEST(descriptors_run_in_order_through_short_host_mappings)
{
	in_order_through_short_mappings(192);
	in_order_through_short_mappings(100);
	in_order_through_short_mappings(4096);
}

TEST(an_akey_entry_changed_earlier_in_the_turn_is_read_again)
{
	uint64_t src, dst, key, i, j;
	uint16_t off = SDXI_AKEY_VL;
	struct fx fx;
	union sdxi_desc w, c;

	setup(&fx, 1024);
	src = fx_alloc(&fx, FN, 4096, 64);
	dst = fx_alloc(&fx, FN, 4096, 64);
	fill(fx_ptr(&fx, FN, src), 4096, 9);
	/* AKey 2 starts invalid; a descriptor validates it, the next uses it. */
	key = fx.cxt[1].akey + 2 * 16;
	w = d_wrt_imm(key, &off, sizeof(off));
	c = d_copy(src, dst, 4096);
	c.copy.akey0 = c.copy.akey1 = 2;
	fx_put(&fx, 1, &w, false);
	i = fx_put(&fx, 1, &c, true);
	/* ... then invalidates it again, and the same copy fails. */
	off = 0;
	w = d_wrt_imm(key, &off, sizeof(off));
	fx_put(&fx, 1, &w, false);
	j = fx_submit(&fx, 1, &c, true);
	fx_run(&fx);
	CHECK_EQ(fx_csb(&fx, 1, i), 0);
	CHECK(!memcmp(fx_ptr(&fx, FN, src), fx_ptr(&fx, FN, dst), 4096));
	CHECK_EQ(fx_csb(&fx, 1, j), 1);
	CHECK_EQ(fx_last_err(&fx).reason, SDXI_ERR_AKEY_INVALID);
	CHECK_EQ(fx_r(&fx, 1), j + 1);
	fx_fini(&fx);
}

TEST(an_interrupt_finds_r_past_everything_before_it)
{
	union sdxi_desc n = d_nop(), in = d_intr(1);
	struct fx fx;
	uint64_t i;

	setup(&fx, 1024);
	for (int k = 0; k < 10; k++)
		fx_put(&fx, 1, &n, false);
	i = fx_put(&fx, 1, &in, false);
	for (int k = 0; k < 10; k++)
		fx_put(&fx, 1, &n, false);
	fx_doorbell(&fx, 1);
	fx_run(&fx);
	CHECK_EQ(fx.irq[2], 1);
	CHECK_EQ(fx.irq_r[2], i + 1);
	CHECK_EQ(fx_r(&fx, 1), i + 11);
	fx_fini(&fx);
}

TEST(a_failure_finds_r_past_what_the_turn_retired)
{
	union sdxi_desc n = d_nop();
	struct fx fx;
	struct fx_err e;
	uint64_t slot2;

	setup(&fx, 1024);
	for (int k = 0; k < 3; k++)
		fx_put(&fx, 1, &n, false);
	/* Slot 2 cannot be fetched: the context fails there, after two NOPs. */
	slot2 = fx.cxt[1].ring + 2 * SDXI_DESC_SIZE;
	fx.hole[0].lo = slot2;
	fx.hole[0].hi = slot2 + SDXI_DESC_SIZE;
	fx.nholes = 1;
	fx_doorbell(&fx, 1);
	fx_run(&fx);
	CHECK_EQ(sdxie_cxt_state(fx.fn, 1), SDXI_CXTV_ERR_FN);
	e = fx_last_err(&fx);
	CHECK_EQ(e.step, SDXI_STEP_DSC);
	CHECK_EQ(e.index, 2);
	CHECK_EQ(fx.err_irq_r1, 2);	/* R was written before the entry */
	CHECK_EQ(fx_r(&fx, 1), 2);
	fx_fini(&fx);
}

TEST(an_unwritable_cxt_sts_fails_the_context_when_r_is_written)
{
	union sdxi_desc n = d_nop();
	struct fx fx;

	setup(&fx, 1024);
	fx.hole[0].lo = fx.cxt[1].sts;
	fx.hole[0].hi = fx.cxt[1].sts + 16;
	fx.nholes = 1;
	fx_submit(&fx, 1, &n, false);
	fx_run(&fx);
	CHECK_EQ(sdxie_cxt_state(fx.fn, 1), SDXI_CXTV_ERR_FN);
	CHECK_EQ(fx_last_err(&fx).step, SDXI_STEP_CXT_STS);
	CHECK_EQ(fx_last_err(&fx).cxt, 1);
	fx_fini(&fx);
}

TEST(data_reaches_memory_before_completion_and_every_mapping_is_released)
{
	union sdxi_desc c, r, in = d_intr(1);
	uint64_t src, dst;
	struct fx fx;

	setup(&fx, 1024);
	src = fx_alloc(&fx, FN, 1 << 20, 4096);
	dst = fx_alloc(&fx, FN, 1 << 20, 4096);
	c = d_copy(src, dst, 4096);
	r = d_repcopy(src, dst, 8, 4096);
	/* Completions of every kind mid-turn: CST_BLKs, an interrupt, R. */
	for (int k = 0; k < 200; k++)
		fx_put(&fx, 1, k % 3 ? &c : &r, k % 5 == 0);
	fx_put(&fx, 1, &in, true);
	fx_put(&fx, 1, &c, false);
	fx_doorbell(&fx, 1);
	fx_run(&fx);
	CHECK_EQ(fx_r(&fx, 1), 202);
	CHECK_EQ(fx.completion_before_unmap, 0);
	CHECK_EQ(fx.open_wmaps, 0);
	fx_fini(&fx);
}
