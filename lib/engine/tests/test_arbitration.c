// SPDX-License-Identifier: MIT
/*
 * Arbitration between contexts (Documentation/hardware.rst,
 * "Arbitration"): the admin context first, client contexts round robin in
 * turns of at most cfg.burst descriptors, at most SDXIE_TURN_BYTES data
 * bytes per run, long transfers suspended at that limit and resumed, or
 * abandoned by a stop.
 */
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "tap.h"

static const struct sdxie_as FN = { 0 };

#define LAST_CXT	SDXIE_DEFAULT_MAX_CXT	/* every client context */
/*
 * Host calls one turn may make: a few per 4 KiB page it writes (source
 * and destination mappings, split where they cross pages) plus the
 * descriptor's own accesses, whatever the block size.
 */
#define TURN_HOST_OPS	(8 * SDXIE_TURN_BYTES / 4096 + 32)

static void fill(uint8_t *p, uint64_t len, unsigned int seed)
{
	for (uint64_t i = 0; i < len; i++)
		p[i] = (uint8_t)(i * 131 + seed);
}

static void start_log(struct fx *fx, size_t cap)
{
	free(fx->retired);
	fx->retired = calloc(cap, sizeof(*fx->retired));
	if (!fx->retired)
		abort();
	fx->retired_cap = cap;
	fx->nretired = 0;
}

static void end_log(struct fx *fx)
{
	free(fx->retired);
	fx->retired = NULL;
	fx->retired_cap = fx->nretired = 0;
}

static uint64_t bytes_moved(struct fx *fx)
{
	struct sdxie_stats st;

	sdxie_get_stats(fx->fn, &st);
	return st.bytes;
}

static int admin_range(struct fx *fx, unsigned int subtype, uint16_t id)
{
	union sdxi_desc d = d_range(subtype, id, id);

	return fx_admin(fx, &d);
}

/*
 * Start client contexts 1..@last with 1024-slot rings (each start runs
 * the engine until idle, so they are all started before any is fed).
 */
static bool start_clients(struct fx *fx, uint32_t last)
{
	for (uint32_t id = 1; id <= last; id++)
		if (fx_cxt_new(fx, id, 1024, FN) != 0)
			return false;
	return true;
}

/* Queue @count copies of @d on context @id and ring its doorbell. */
static void feed(struct fx *fx, uint32_t id, const union sdxi_desc *d, int count)
{
	for (int k = 0; k < count; k++)
		fx_put(fx, id, d, false);
	fx_doorbell(fx, id);
}

TEST(burst_must_be_at_least_one)
{
	struct sdxie_config cfg;
	char why[128];

	sdxie_config_default(&cfg);
	CHECK_EQ(cfg.burst, SDXIE_DEFAULT_BURST);
	cfg.burst = 0;
	CHECK_EQ(sdxie_config_check(&cfg, why, sizeof(why)), -1);
	CHECK(strstr(why, "burst"));
	CHECK(!sdxie_fn_new(&cfg, &fx_ops, NULL));
}

TEST(admin_is_served_first_behind_every_full_client_context)
{
	struct fx fx;
	union sdxi_desc n = d_nop();
	uint64_t r_before = 0, r_after = 0, i;

	fx_init(&fx, NULL);
	REQUIRE(start_clients(&fx, LAST_CXT));
	for (uint32_t id = 1; id <= LAST_CXT; id++)
		feed(&fx, id, &n, 1024);
	/* Mid-flood: a few bounded runs, as the QEMU glue makes them. */
	for (int k = 0; k < 10; k++)
		REQUIRE(sdxie_run(fx.fn, fx.cfg.burst));
	for (uint32_t id = 1; id <= LAST_CXT; id++)
		r_before += fx_r(&fx, id);
	CHECK_EQ(r_before, 10 * fx.cfg.burst);

	/* The admin doorbell arrives between two runs, behind 127 contexts. */
	start_log(&fx, 4096);
	i = fx_submit(&fx, 0, &n, true);
	CHECK(sdxie_run(fx.fn, fx.cfg.burst));
	CHECK_EQ(fx_csb(&fx, 0, i), 0);
	REQUIRE(fx.nretired > 0);
	CHECK_EQ(fx.retired[0], 0);	/* no client descriptor before it */
	for (uint32_t id = 1; id <= LAST_CXT; id++)
		r_after += fx_r(&fx, id);
	CHECK_EQ(r_after - r_before, fx.cfg.burst - 1);
	end_log(&fx);

	/* Everything else still completes. */
	fx_run(&fx);
	for (uint32_t id = 1; id <= LAST_CXT; id++)
		CHECK_EQ(fx_r(&fx, id), 1024);
	fx_fini(&fx);
}

TEST(client_contexts_take_turns_of_burst_descriptors)
{
	struct sdxie_config cfg;
	union sdxi_desc n = d_nop();
	struct fx fx;
	size_t k = 0;

	sdxie_config_default(&cfg);
	cfg.burst = 5;
	fx_init(&fx, &cfg);
	REQUIRE(start_clients(&fx, 3));
	for (uint32_t id = 1; id <= 3; id++)
		feed(&fx, id, &n, 12);
	/* Rung last, run first. */
	fx_submit(&fx, 0, &n, true);
	start_log(&fx, 64);
	fx_run(&fx);
	REQUIRE(fx.nretired == 37);
	CHECK_EQ(fx.retired[k++], 0);
	/* 5 + 5 + 2 of each, in turn: 1 2 3 1 2 3 1 2 3. */
	for (int round = 0; round < 3; round++)
		for (uint16_t id = 1; id <= 3; id++)
			for (int j = 0; j < (round < 2 ? 5 : 2); j++)
				CHECK_EQ(fx.retired[k++], id);
	end_log(&fx);
	fx_fini(&fx);
}

TEST(a_turn_is_cut_short_by_the_run_budget)
{
	union sdxi_desc n = d_nop();
	struct fx fx;

	fx_init(&fx, NULL);
	REQUIRE(start_clients(&fx, 2));
	feed(&fx, 1, &n, 100);
	feed(&fx, 2, &n, 100);
	CHECK(sdxie_run(fx.fn, 3));
	CHECK_EQ(fx_r(&fx, 1), 3);
	CHECK_EQ(fx_r(&fx, 2), 0);
	/* The cut turn went to the back of the queue. */
	CHECK(sdxie_run(fx.fn, 3));
	CHECK_EQ(fx_r(&fx, 1), 3);
	CHECK_EQ(fx_r(&fx, 2), 3);
	fx_run(&fx);
	CHECK_EQ(fx_r(&fx, 1), 100);
	CHECK_EQ(fx_r(&fx, 2), 100);
	fx_fini(&fx);
}

/* A 4 MiB COPY in context 1 and a NOP in context 2, queued in that order. */
struct big_copy {
	uint64_t src, dst, len, index;
	uint8_t *s, *t;
};

static void big_copy_setup(struct fx *fx, struct big_copy *b, uint64_t len)
{
	union sdxi_desc c, n = d_nop();

	fx_init(fx, NULL);
	REQUIRE(start_clients(fx, 2));
	b->len = len;
	b->src = fx_alloc(fx, FN, len, 4096);
	b->dst = fx_alloc(fx, FN, len, 4096);
	b->s = fx_ptr(fx, FN, b->src);
	b->t = fx_ptr(fx, FN, b->dst);
	fill(b->s, len, 7);
	c = d_copy(b->src, b->dst, len);
	b->index = fx_submit(fx, 1, &c, true);
	fx_submit(fx, 2, &n, true);
}

TEST(a_long_copy_is_suspended_at_the_turn_limit_and_resumed)
{
	struct big_copy b;
	struct fx fx;
	uint64_t before, calls = 0;

	big_copy_setup(&fx, &b, 4 << 20);
	before = bytes_moved(&fx);
	/* One step: the copy's first turn moves exactly the turn's bytes. */
	CHECK(sdxie_run(fx.fn, 1));
	CHECK_EQ(bytes_moved(&fx) - before, SDXIE_TURN_BYTES);
	CHECK(!memcmp(b.s, b.t, SDXIE_TURN_BYTES));
	CHECK_EQ(b.t[SDXIE_TURN_BYTES], 0);
	CHECK_EQ(fx_r(&fx, 1), 0);		/* not retired */
	CHECK_EQ(fx_csb(&fx, 1, b.index), -1);
	CHECK_EQ(fx_state(&fx, 1), SDXI_CXTV_RUN);
	/* Context 2 is not held up behind it. */
	CHECK(sdxie_run(fx.fn, 1));
	CHECK_EQ(fx_r(&fx, 2), 1);
	CHECK_EQ(fx_r(&fx, 1), 0);
	while (sdxie_run(fx.fn, 1))
		calls++;
	CHECK_EQ(calls, (4 << 20) / SDXIE_TURN_BYTES - 2);
	CHECK_EQ(bytes_moved(&fx) - before, 4 << 20);
	CHECK(!memcmp(b.s, b.t, b.len));
	CHECK_EQ(fx_r(&fx, 1), 1);
	CHECK_EQ(fx_csb(&fx, 1, b.index), 0);
	fx_fini(&fx);
}

TEST(a_context_stop_abandons_a_suspended_copy)
{
	struct big_copy b;
	struct fx fx;
	uint64_t before;

	big_copy_setup(&fx, &b, 1 << 20);
	CHECK(sdxie_run(fx.fn, 1));
	/* The stop is admin work: it runs before the copy's next turn. */
	CHECK_EQ(admin_range(&fx, SDXI_DSC_CXT_STOP, 1), 0);
	CHECK_EQ(fx_state(&fx, 1), SDXI_CXTV_STOP_SW);
	CHECK_EQ(fx_r(&fx, 1), 0);
	CHECK_EQ(fx_csb(&fx, 1, b.index), -1);
	CHECK(!memcmp(b.s, b.t, SDXIE_TURN_BYTES));	/* bytes moved stay */
	CHECK_EQ(b.t[SDXIE_TURN_BYTES], 0);
	CHECK_EQ(fx_r(&fx, 2), 1);		/* others went on */

	/* Restarted at R, the descriptor runs again from its start. */
	memset(b.t, 0, b.len);
	before = bytes_moved(&fx);
	CHECK_EQ(admin_range(&fx, SDXI_DSC_CXT_START_RS, 1), 0);
	fx_doorbell(&fx, 1);
	fx_run(&fx);
	CHECK_EQ(bytes_moved(&fx) - before, b.len);
	CHECK(!memcmp(b.s, b.t, b.len));
	CHECK_EQ(fx_r(&fx, 1), 1);
	CHECK_EQ(fx_csb(&fx, 1, b.index), 0);
	fx_fini(&fx);
}

TEST(a_function_stop_abandons_a_suspended_copy)
{
	struct big_copy b;
	struct fx fx;
	uint64_t ctl0;

	big_copy_setup(&fx, &b, 1 << 20);
	CHECK(sdxie_run(fx.fn, 1));
	ctl0 = sdxie_mmio_read(fx.fn, SDXI_MMIO_CTL0, 8);
	sdxie_mmio_write(fx.fn, SDXI_MMIO_CTL0,
			 (ctl0 & ~SDXI_CTL0_FN_GSR) | SDXI_GSR_STOP_SF, 8);
	fx_run(&fx);
	CHECK_EQ(sdxie_fn_state(fx.fn), SDXI_GSV_STOP);
	CHECK_EQ(fx_state(&fx, 1), SDXI_CXTV_STOP_FN);
	CHECK_EQ(fx_r(&fx, 1), 0);
	CHECK_EQ(fx_csb(&fx, 1, b.index), -1);
	CHECK_EQ(b.t[SDXIE_TURN_BYTES], 0);
	fx_fini(&fx);
}

TEST(an_akey_invalidated_while_suspended_fails_the_copy)
{
	struct big_copy b;
	struct fx fx;
	struct fx_err e;

	big_copy_setup(&fx, &b, 1 << 20);
	CHECK(sdxie_run(fx.fn, 1));
	fx_akey(&fx, 1, 0)->intr = 0;
	fx_run(&fx);
	CHECK_EQ(fx_csb(&fx, 1, b.index), 1);
	CHECK_EQ(fx_state(&fx, 1), SDXI_CXTV_ERR_FN);
	CHECK_EQ(fx_r(&fx, 1), 1);
	e = fx_last_err(&fx);
	CHECK_EQ(e.step, SDXI_STEP_AKEY);
	CHECK_EQ(e.reason, SDXI_ERR_AKEY_INVALID);
	CHECK_EQ(b.t[SDXIE_TURN_BYTES], 0);
	fx_fini(&fx);
}

/*
 * REPCOPY of @len-byte blocks over @total bytes, one bounded step at a
 * time with IOMMU-like 4 KiB mappings: each step moves at most a turn's
 * bytes with a host-call count that does not depend on the block size.
 */
static void repcopy_bounded(uint64_t len, uint64_t total, uint64_t dst_off)
{
	uint64_t src, dst, i, before, ops, max_ops = 0, steps = 0;
	struct fx fx;
	union sdxi_desc r;
	uint8_t *s, *t;

	fx_init(&fx, NULL);
	fx.map_chunk = 4096;
	REQUIRE(fx_cxt_new(&fx, 1, 1024, FN) == 0);
	src = fx_alloc(&fx, FN, len, 64);
	dst = fx_alloc(&fx, FN, total + 8192, 4096) + dst_off;
	s = fx_ptr(&fx, FN, src);
	t = fx_ptr(&fx, FN, dst);
	fill(s, len, (unsigned int)len);
	r = d_repcopy(src, dst, len, total / len);
	i = fx_submit(&fx, 1, &r, true);
	for (bool more = true; more; steps++) {
		before = bytes_moved(&fx);
		ops = fx.host_ops;
		more = sdxie_run(fx.fn, 1);
		CHECK(bytes_moved(&fx) - before <= SDXIE_TURN_BYTES);
		if (fx.host_ops - ops > max_ops)
			max_ops = fx.host_ops - ops;
	}
	CHECK_EQ(fx_csb(&fx, 1, i), 0);
	CHECK_EQ(steps, (total + SDXIE_TURN_BYTES - 1) / SDXIE_TURN_BYTES);
	if (max_ops > TURN_HOST_OPS)
		printf("# block %llu: %llu host calls in one step\n",
		       (unsigned long long)len, (unsigned long long)max_ops);
	CHECK(max_ops <= TURN_HOST_OPS);
	for (uint64_t k = 0; k < total; k++)
		if (t[k] != s[k % len]) {
			printf("# block %llu: byte %llu differs\n",
			       (unsigned long long)len, (unsigned long long)k);
			CHECK(0);
			break;
		}
	CHECK_EQ(t[total], 0);
	fx_fini(&fx);
}

TEST(repcopy_of_any_block_size_is_exact_and_bounded_per_turn)
{
	static const uint64_t blocks[] = { 1, 3, 8, 61, 4095, 4096, 5000, 65536 };

	for (unsigned int k = 0; k < sizeof(blocks) / sizeof(blocks[0]); k++) {
		uint64_t total = (1 << 20) / blocks[k] * blocks[k];

		repcopy_bounded(blocks[k], total, 0);
		repcopy_bounded(blocks[k], total, 4093);
	}
}

TEST(fault_after_stops_a_small_block_repcopy_at_the_same_byte)
{
	uint64_t src, dst, i;
	struct sdxie_faults f;
	struct fx fx;
	union sdxi_desc r;
	uint8_t *t;

	fx_init(&fx, NULL);
	REQUIRE(fx_cxt_new(&fx, 1, 1024, FN) == 0);
	src = fx_alloc(&fx, FN, 64, 64);
	dst = fx_alloc(&fx, FN, 1 << 20, 4096);
	memset(fx_ptr(&fx, FN, src), 0x5a, 3);
	t = fx_ptr(&fx, FN, dst);
	sdxie_get_faults(fx.fn, &f);
	f.after = 700001;
	sdxie_set_faults(fx.fn, &f);
	r = d_repcopy(src, dst, 3, 300000);
	i = fx_submit(&fx, 1, &r, true);
	fx_run(&fx);
	CHECK_EQ(fx_csb(&fx, 1, i), 1);
	CHECK_EQ(fx_last_err(&fx).reason, SDXI_ERR_INJECTED);
	CHECK_EQ(fx_last_err(&fx).addr, dst + 700001);
	CHECK_EQ(t[700000], 0x5a);
	CHECK_EQ(t[700001], 0);
	fx_fini(&fx);
}

/*
 * Every client context holds long transfers (4 MiB COPYs and 1-byte
 * REPCOPYs over 4 MiB) when the admin doorbell rings: each run stays
 * within a turn's bytes and host calls, and the admin descriptor
 * completes in the first run after its doorbell.
 */
TEST(admin_is_not_delayed_by_long_client_transfers)
{
	uint64_t src, dst, before, ops, i;
	union sdxi_desc c, r, n = d_nop();
	struct fx fx;

	fx_init(&fx, NULL);
	fx.map_chunk = 4096;
	src = fx_alloc(&fx, FN, 4 << 20, 4096);
	dst = fx_alloc(&fx, FN, 4 << 20, 4096);
	c = d_copy(src, dst, 4 << 20);
	r = d_repcopy(src, dst, 1, 4 << 20);
	REQUIRE(start_clients(&fx, LAST_CXT));
	for (uint32_t id = 1; id <= LAST_CXT; id++)
		for (int k = 0; k < 4; k++)
			feed(&fx, id, (id + k) & 1 ? &r : &c, 1);
	for (int k = 0; k < 40; k++) {
		before = bytes_moved(&fx);
		ops = fx.host_ops;
		REQUIRE(sdxie_run(fx.fn, fx.cfg.burst));
		CHECK_EQ(bytes_moved(&fx) - before, SDXIE_TURN_BYTES);
		CHECK(fx.host_ops - ops <= TURN_HOST_OPS);
	}
	i = fx_submit(&fx, 0, &n, true);
	before = bytes_moved(&fx);
	start_log(&fx, 64);
	REQUIRE(sdxie_run(fx.fn, fx.cfg.burst));
	CHECK_EQ(fx_csb(&fx, 0, i), 0);
	REQUIRE(fx.nretired > 0);
	CHECK_EQ(fx.retired[0], 0);
	CHECK(bytes_moved(&fx) - before <= SDXIE_TURN_BYTES);
	end_log(&fx);
	fx_fini(&fx);
}
