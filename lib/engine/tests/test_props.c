// SPDX-License-Identifier: MIT
/*
 * Behaviours SDXI 1.0 leaves open, each selectable in struct sdxie_config
 * (Documentation/hardware.rst, "Behaviours the specification leaves
 * open"): reset timing, the valid bit after execution, the order of
 * turns across contexts and when the read index passes a descriptor.  Each is checked in its default and its other
 * setting.
 */
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "tap.h"

#define RD(off)		sdxie_mmio_read(fx.fn, (off), 8)
#define WR(off, v)	sdxie_mmio_write(fx.fn, (off), (v), 8)

static const struct sdxie_as FN = { 0 };

static struct sdxie_config props(bool reset_immediate, bool clear_valid,
				 uint32_t shuffle_seed)
{
	struct sdxie_config cfg;

	sdxie_config_default(&cfg);
	cfg.reset_immediate = reset_immediate;
	cfg.clear_valid = clear_valid;
	cfg.shuffle_seed = shuffle_seed;
	return cfg;
}

TEST(open_behaviours_default_to_the_original_model)
{
	struct sdxie_config cfg;

	sdxie_config_default(&cfg);
	CHECK(!cfg.reset_immediate);
	CHECK(!cfg.clear_valid);
	CHECK_EQ(cfg.shuffle_seed, 0);
	CHECK(!cfg.read_index_fetch);
}

/* Reset requested in STOP, with CTL2 and CXT_L2 programmed. */
static void reset_from_stop(bool immediate)
{
	struct sdxie_config cfg = props(immediate, false, 0);
	struct fx fx;

	fx_init_stopped(&fx, &cfg);
	REQUIRE(RD(SDXI_MMIO_CTL2) != 0 && RD(SDXI_MMIO_CXT_L2) != 0);
	CHECK(WR(SDXI_MMIO_CTL0, SDXI_GSR_RESET));
	CHECK_EQ(RD(SDXI_MMIO_STS0), SDXI_GSV_STOP);
	if (immediate) {
		/* Done at once: registers cleared, later writes kept. */
		CHECK_EQ(RD(SDXI_MMIO_CTL2), 0);
		CHECK_EQ(RD(SDXI_MMIO_CXT_L2), 0);
		CHECK(WR(SDXI_MMIO_CXT_L2, fx.l2));
		fx_run(&fx);
		CHECK_EQ(RD(SDXI_MMIO_CXT_L2), fx.l2);
	} else {
		/* Pending until the engine runs: a write meanwhile is wiped. */
		CHECK(RD(SDXI_MMIO_CTL2) != 0);
		CHECK(WR(SDXI_MMIO_CXT_L2, fx.l2));
		fx_run(&fx);
		CHECK_EQ(RD(SDXI_MMIO_CTL2), 0);
		CHECK_EQ(RD(SDXI_MMIO_CXT_L2), 0);
	}
	CHECK_EQ(RD(SDXI_MMIO_STS0), SDXI_GSV_STOP);
	fx_fini(&fx);
}

TEST(reset_from_stop_is_asynchronous_by_default)
{
	reset_from_stop(false);
}

TEST(reset_immediate_completes_a_reset_from_stop_at_once)
{
	reset_from_stop(true);
}

/* reset_immediate changes nothing outside STOP: from ERROR it still waits. */
TEST(reset_immediate_leaves_other_states_asynchronous)
{
	struct sdxie_config cfg = props(true, false, 0);
	struct fx fx;

	fx_init(&fx, &cfg);
	sdxie_force_fn_error(fx.fn);
	CHECK(WR(SDXI_MMIO_CTL0, SDXI_GSR_RESET));
	CHECK_EQ(RD(SDXI_MMIO_STS0), SDXI_GSV_ERROR);
	fx_run(&fx);
	CHECK_EQ(RD(SDXI_MMIO_STS0), SDXI_GSV_STOP);
	CHECK_EQ(RD(SDXI_MMIO_CTL2), 0);
	fx_fini(&fx);
}

static uint32_t slot_opcode(struct fx *fx, uint32_t id, uint64_t index)
{
	const struct fx_cxt *c = &fx->cxt[id];
	const union sdxi_desc *d = fx_ptr(fx, c->as, c->ring + index % c->ring_sz * 64);

	return d->generic.opcode;
}

/*
 * A NOP that succeeds and a COPY that fails (source outside the function
 * space) in context 1; then the ring wraps over both slots.
 */
static void valid_bit(bool clear)
{
	struct sdxie_config cfg = props(false, clear, 0);
	union sdxi_desc n = d_nop(), bad = d_copy(0x1000, 0x2000, 64);
	uint64_t ok_i, bad_i;
	struct fx fx;

	fx_init(&fx, &cfg);
	REQUIRE(fx_cxt_new(&fx, 1, 1024, FN) == 0);
	ok_i = fx_submit(&fx, 1, &n, true);
	fx_run(&fx);
	CHECK_EQ(fx_csb(&fx, 1, ok_i), 0);
	CHECK_EQ(fx_r(&fx, 1), 1);
	CHECK_EQ(!(slot_opcode(&fx, 1, ok_i) & SDXI_DSC_VL), clear);
	/* The rest of word 0 is left as it was. */
	CHECK_EQ(slot_opcode(&fx, 1, ok_i) & ~(uint32_t)SDXI_DSC_VL,
		 n.generic.opcode & ~(uint32_t)SDXI_DSC_VL);

	bad_i = fx_submit(&fx, 1, &bad, true);
	fx_run(&fx);
	CHECK_EQ(fx_csb(&fx, 1, bad_i), 1);
	CHECK_EQ(fx_state(&fx, 1), SDXI_CXTV_ERR_FN);
	CHECK_EQ(!(slot_opcode(&fx, 1, bad_i) & SDXI_DSC_VL), clear);

	/* Restart and wrap the ring: producers rewrite slots either way. */
	{
		union sdxi_desc st = d_range(SDXI_DSC_CXT_START_RS, 1, 1);

		REQUIRE(fx_admin(&fx, &st) == 0);
	}
	for (int k = 0; k < 1024; k++)
		fx_put(&fx, 1, &n, false);
	fx_doorbell(&fx, 1);
	fx_run(&fx);
	CHECK_EQ(fx_r(&fx, 1), 2 + 1024);
	CHECK_EQ(fx_state(&fx, 1), SDXI_CXTV_RUN);
	for (uint64_t i = 2; i < 2 + 1024; i++)
		if (!(slot_opcode(&fx, 1, i) & SDXI_DSC_VL) != clear) {
			CHECK_EQ(i, 0);
			break;
		}
	fx_fini(&fx);
}

TEST(the_valid_bit_is_never_written_by_default)
{
	valid_bit(false);
}

TEST(clear_valid_clears_vl_of_every_executed_slot)
{
	valid_bit(true);
}

/* A stale slot (vl cleared) at R stops the context until it is rewritten. */
TEST(clear_valid_a_cleared_slot_below_w_waits_for_the_producer)
{
	struct sdxie_config cfg = props(false, true, 0);
	union sdxi_desc n = d_nop();
	struct fx fx;

	fx_init(&fx, &cfg);
	REQUIRE(fx_cxt_new(&fx, 1, 1024, FN) == 0);
	for (int k = 0; k < 1024; k++)
		fx_put(&fx, 1, &n, false);
	fx_doorbell(&fx, 1);
	fx_run(&fx);
	REQUIRE(fx_r(&fx, 1) == 1024);
	/* W moves on without the slot being rewritten: nothing runs. */
	fx.cxt[1].w++;
	fx_wr64(&fx, FN, fx.cxt[1].wi, fx.cxt[1].w);
	fx_doorbell(&fx, 1);
	fx_run(&fx);
	CHECK_EQ(fx_r(&fx, 1), 1024);
	CHECK_EQ(fx_state(&fx, 1), SDXI_CXTV_RUN);
	fx_fini(&fx);
}

/*
 * @nctx client contexts with @turns turns of work each (burst 2); the
 * retired log as context IDs, one entry per turn.
 */
static size_t turn_order(uint32_t seed, uint32_t nctx, int turns, uint16_t *order,
			 size_t cap)
{
	struct sdxie_config cfg = props(false, false, seed);
	union sdxi_desc n = d_nop();
	size_t k = 0;
	struct fx fx;

	cfg.burst = 2;
	fx_init(&fx, &cfg);
	for (uint32_t id = 1; id <= nctx; id++)
		if (fx_cxt_new(&fx, id, 1024, FN) != 0)
			return 0;
	for (uint32_t id = 1; id <= nctx; id++) {
		for (int j = 0; j < 2 * turns; j++)
			fx_put(&fx, id, &n, false);
		fx_doorbell(&fx, id);
	}
	fx.retired = calloc(nctx * turns * 2, sizeof(*fx.retired));
	fx.retired_cap = nctx * turns * 2;
	fx.nretired = 0;
	fx_run(&fx);
	for (size_t i = 0; i < fx.nretired && k < cap; i += 2) {
		if (fx.retired[i] != fx.retired[i + 1])
			return 0;	/* a turn of 2 split up */
		order[k++] = fx.retired[i];
	}
	for (uint32_t id = 1; id <= nctx; id++)
		if (fx_r(&fx, id) != (uint64_t)(2 * turns))
			return 0;
	free(fx.retired);
	fx.retired = NULL;
	fx_fini(&fx);
	return k;
}

#define SH_CTX		8
#define SH_TURNS	6

/* Every round serves each context once; count rounds not in ID order. */
static int rounds_out_of_order(const uint16_t *order, size_t n)
{
	int shuffled = 0;

	for (size_t r = 0; r < n / SH_CTX; r++) {
		bool seen[SH_CTX + 1] = { false }, sorted = true;

		for (size_t i = 0; i < SH_CTX; i++) {
			uint16_t id = order[r * SH_CTX + i];

			if (id < 1 || id > SH_CTX || seen[id])
				return -1;
			seen[id] = true;
			if (id != i + 1)
				sorted = false;
		}
		shuffled += !sorted;
	}
	return shuffled;
}

TEST(turns_are_round_robin_by_default)
{
	uint16_t order[SH_CTX * SH_TURNS];
	size_t n = turn_order(0, SH_CTX, SH_TURNS, order, SH_CTX * SH_TURNS);

	REQUIRE(n == SH_CTX * SH_TURNS);
	CHECK_EQ(rounds_out_of_order(order, n), 0);
}

TEST(shuffle_seed_permutes_every_round_deterministically)
{
	uint16_t a[SH_CTX * SH_TURNS], b[SH_CTX * SH_TURNS], c[SH_CTX * SH_TURNS];
	size_t n = turn_order(42, SH_CTX, SH_TURNS, a, SH_CTX * SH_TURNS);

	REQUIRE(n == SH_CTX * SH_TURNS);
	/* Each round still serves every context exactly once... */
	CHECK(rounds_out_of_order(a, n) >= SH_TURNS - 1);
	/* ...the same seed gives the same order, another seed another. */
	REQUIRE(turn_order(42, SH_CTX, SH_TURNS, b, SH_CTX * SH_TURNS) == n);
	CHECK(!memcmp(a, b, sizeof(a)));
	REQUIRE(turn_order(7, SH_CTX, SH_TURNS, c, SH_CTX * SH_TURNS) == n);
	CHECK(memcmp(a, c, sizeof(a)) != 0);
}

/* The admin context still goes first under a shuffle. */
TEST(shuffle_seed_keeps_the_admin_context_first)
{
	struct sdxie_config cfg = props(false, false, 3);
	union sdxi_desc n = d_nop();
	struct fx fx;
	uint64_t i;

	fx_init(&fx, &cfg);
	for (uint32_t id = 1; id <= 4; id++) {
		REQUIRE(fx_cxt_new(&fx, id, 1024, FN) == 0);
		for (int j = 0; j < 200; j++)
			fx_put(&fx, id, &n, false);
		fx_doorbell(&fx, id);
	}
	REQUIRE(sdxie_run(fx.fn, fx.cfg.burst));
	i = fx_submit(&fx, 0, &n, true);
	fx.retired = calloc(64, sizeof(*fx.retired));
	fx.retired_cap = 64;
	CHECK(sdxie_run(fx.fn, fx.cfg.burst));
	CHECK_EQ(fx_csb(&fx, 0, i), 0);
	REQUIRE(fx.nretired > 0);
	CHECK_EQ(fx.retired[0], 0);
	free(fx.retired);
	fx.retired = NULL;
	fx.retired_cap = fx.nretired = 0;
	fx_run(&fx);
	for (uint32_t id = 1; id <= 4; id++)
		CHECK_EQ(fx_r(&fx, id), 200);
	fx_fini(&fx);
}

/*
 * read_index_fetch: a 1 MiB COPY with a CST_BLK in context 1, after one
 * turn (suspended at the byte limit) and at the end.
 */
struct taken {
	struct fx fx;
	uint64_t src, dst, len, index;
	uint8_t *s, *t;
};

static void taken_setup(struct taken *k, bool fetch, bool clear)
{
	struct sdxie_config cfg = props(false, clear, 0);
	union sdxi_desc c;

	cfg.read_index_fetch = fetch;
	fx_init(&k->fx, &cfg);
	REQUIRE(fx_cxt_new(&k->fx, 1, 1024, FN) == 0);
	k->len = 1 << 20;
	k->src = fx_alloc(&k->fx, FN, k->len, 4096);
	k->dst = fx_alloc(&k->fx, FN, k->len, 4096);
	k->s = fx_ptr(&k->fx, FN, k->src);
	k->t = fx_ptr(&k->fx, FN, k->dst);
	for (uint64_t i = 0; i < k->len; i++)
		k->s[i] = (uint8_t)(i * 7 + 1);
	c = d_copy(k->src, k->dst, k->len);
	k->index = fx_submit(&k->fx, 1, &c, true);
	/* One turn: the copy moves its first bytes and is suspended. */
	CHECK(sdxie_run(k->fx.fn, 1));
	CHECK_EQ(fx_csb(&k->fx, 1, k->index), -1);
	CHECK_EQ(k->t[k->len - 1], 0);
}

static void read_index_timing(bool fetch)
{
	struct taken k;

	taken_setup(&k, fetch, false);
	/* Taken but not complete: R passed it only under fetch. */
	CHECK_EQ(fx_r(&k.fx, 1), fetch ? 1 : 0);
	fx_run(&k.fx);
	CHECK_EQ(fx_csb(&k.fx, 1, k.index), 0);
	CHECK(!memcmp(k.s, k.t, k.len));
	CHECK_EQ(fx_r(&k.fx, 1), 1);
	CHECK_EQ(fx_state(&k.fx, 1), SDXI_CXTV_RUN);
	fx_fini(&k.fx);
}

TEST(read_index_passes_a_descriptor_when_it_retires_by_default)
{
	read_index_timing(false);
}

TEST(read_index_fetch_passes_a_descriptor_before_its_completion)
{
	read_index_timing(true);
}

/* Once R passed it the slot is the producer's: rewriting it changes nothing. */
TEST(read_index_fetch_a_taken_slot_may_be_rewritten_at_once)
{
	struct taken k;
	union sdxi_desc *slot;

	taken_setup(&k, true, false);
	REQUIRE(fx_r(&k.fx, 1) == 1);
	slot = fx_ptr(&k.fx, FN, k.fx.cxt[1].ring + k.index % k.fx.cxt[1].ring_sz * 64);
	memset(slot, 0xa5, sizeof(*slot));
	fx_run(&k.fx);
	CHECK_EQ(fx_csb(&k.fx, 1, k.index), 0);
	CHECK(!memcmp(k.s, k.t, k.len));
	CHECK_EQ(fx_state(&k.fx, 1), SDXI_CXTV_RUN);
	CHECK_EQ(fx_errlog_count(&k.fx), 0);
	fx_fini(&k.fx);
}

/* With clear_valid too, vl is cleared when the slot is taken. */
TEST(read_index_fetch_with_clear_valid_clears_vl_when_taken)
{
	struct taken k;

	taken_setup(&k, true, true);
	CHECK_EQ(slot_opcode(&k.fx, 1, k.index) & SDXI_DSC_VL, 0);
	CHECK_EQ(fx_r(&k.fx, 1), 1);
	fx_run(&k.fx);
	CHECK_EQ(fx_csb(&k.fx, 1, k.index), 0);
	CHECK(!memcmp(k.s, k.t, k.len));
	fx_fini(&k.fx);
}

/*
 * A stop abandons the taken transfer: R stays past it, its CST_BLK is
 * never written, so only the CST_BLK tells that it did not complete.
 */
TEST(read_index_fetch_a_stop_leaves_an_abandoned_descriptor_behind_r)
{
	struct taken k;
	union sdxi_desc st;

	taken_setup(&k, true, false);
	st = d_range(SDXI_DSC_CXT_STOP, 1, 1);
	CHECK_EQ(fx_admin(&k.fx, &st), 0);
	CHECK_EQ(fx_state(&k.fx, 1), SDXI_CXTV_STOP_SW);
	CHECK_EQ(fx_r(&k.fx, 1), 1);
	CHECK_EQ(fx_csb(&k.fx, 1, k.index), -1);
	CHECK_EQ(k.t[k.len - 1], 0);
	fx_fini(&k.fx);
}

/* A failing descriptor: R past it (as by default), CST_BLK with ER, a log entry. */
TEST(read_index_fetch_a_failure_is_reported_by_the_cst_blk_and_the_log)
{
	struct sdxie_config cfg = props(false, false, 0);
	union sdxi_desc n = d_nop(), bad = d_copy(0x1000, 0x2000, 64);
	uint64_t ok_i, bad_i;
	struct fx fx;

	cfg.read_index_fetch = true;
	fx_init(&fx, &cfg);
	REQUIRE(fx_cxt_new(&fx, 1, 1024, FN) == 0);
	ok_i = fx_submit(&fx, 1, &n, true);
	bad_i = fx_submit(&fx, 1, &bad, true);
	fx_submit(&fx, 1, &n, true);
	fx_run(&fx);
	CHECK_EQ(fx_csb(&fx, 1, ok_i), 0);
	CHECK_EQ(fx_csb(&fx, 1, bad_i), 1);
	CHECK_EQ(fx_csb(&fx, 1, bad_i + 1), -1);
	CHECK_EQ(fx_r(&fx, 1), bad_i + 1);
	CHECK_EQ(fx_state(&fx, 1), SDXI_CXTV_ERR_FN);
	REQUIRE(fx_errlog_count(&fx) == 1);
	CHECK_EQ(fx_last_err(&fx).index, bad_i);
	fx_fini(&fx);
}
