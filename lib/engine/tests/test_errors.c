// SPDX-License-Identifier: MIT
/*
 * Malformed descriptors and faults: each class produces the documented
 * error-log entry, CST_BLK error and context state (hardware.rst, "Errors").
 */
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "tap.h"

static const struct sdxie_as FN = { 0 };

static void setup(struct fx *fx)
{
	fx_init(fx, NULL);
	if (fx_cxt_new(fx, 1, 1024, FN) != 0)
		abort();
}

/*
 * Submit @d to context 1 and check the outcome: CST_BLK with ER, context
 * in ERR_FN with R past the descriptor, one new log entry with @step,
 * @sub_step, @reason, reaction 1, context 1, the descriptor's index.
 */
static void expect_failure(struct fx *fx, const union sdxi_desc *d,
			   unsigned int step, unsigned int sub_step,
			   unsigned int reason)
{
	uint64_t before = fx_errlog_count(fx), i;
	struct fx_err e;

	i = fx_submit(fx, 1, d, true);
	fx_run(fx);
	CHECK_EQ(fx_csb(fx, 1, i), 1);
	CHECK_EQ(fx_state(fx, 1), SDXI_CXTV_ERR_FN);
	CHECK_EQ(sdxie_cxt_state(fx->fn, 1), SDXI_CXTV_ERR_FN);
	CHECK_EQ(fx_r(fx, 1), i + 1);
	CHECK_EQ(fx_errlog_count(fx), before + 1);
	e = fx_last_err(fx);
	CHECK_EQ(e.step, step);
	CHECK_EQ(e.sub_step, sub_step);
	CHECK_EQ(e.reason, reason);
	CHECK_EQ(e.re, SDXI_RE_CXT_STOPPED);
	CHECK(e.cv && e.div);
	CHECK_EQ(e.cxt, 1);
	CHECK_EQ(e.index, i);
	CHECK_EQ(sdxie_fn_state(fx->fn), SDXI_GSV_ACTIVE);
}

/* A stopped-by-error context stays stopped until restarted. */
static void expect_restartable(struct fx *fx)
{
	union sdxi_desc n = d_nop();
	uint64_t i = fx_submit(fx, 1, &n, true);

	fx_run(fx);
	CHECK_EQ(fx_csb(fx, 1, i), -1);
	CHECK_EQ(fx_admin(fx, &(union sdxi_desc){ .cxt_stop =
		d_range(SDXI_DSC_CXT_STOP, 1, 1).cxt_stop }), 0);
	CHECK_EQ(fx_state(fx, 1), SDXI_CXTV_STOP_SW);
	CHECK_EQ(fx_admin(fx, &(union sdxi_desc){ .cxt_start =
		d_range(SDXI_DSC_CXT_START_RS, 1, 1).cxt_start }), 0);
	fx_doorbell(fx, 1);
	fx_run(fx);
	CHECK_EQ(fx_csb(fx, 1, i), 0);
}

TEST(unknown_type_is_rejected)
{
	struct fx fx;

	setup(&fx);
	expect_failure(&fx, &(union sdxi_desc){ .generic = d_op(0x7ff, 1).generic },
		       SDXI_STEP_DSC, SDXI_SUB_STEP_VALIDATION, SDXI_ERR_BAD_TYPE);
	expect_restartable(&fx);
	fx_fini(&fx);
}

TEST(unknown_subtypes_are_rejected)
{
	static const unsigned int bad[][2] = {
		{ SDXI_DSC_TYPE_DMAB, 0 }, { SDXI_DSC_TYPE_DMAB, 5 },
		{ SDXI_DSC_TYPE_ATOMIC, 0 }, { SDXI_DSC_TYPE_ATOMIC, 4 },
		{ SDXI_DSC_TYPE_ATOMIC, 0x0f }, { SDXI_DSC_TYPE_INTR, 1 },
	};

	for (unsigned int k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
		struct fx fx;

		setup(&fx);
		expect_failure(&fx, &(union sdxi_desc){ .generic =
			d_op(bad[k][0], bad[k][1]).generic },
			SDXI_STEP_DSC, SDXI_SUB_STEP_VALIDATION, SDXI_ERR_BAD_TYPE);
		fx_fini(&fx);
	}
}

TEST(admin_op_outside_context_0_is_rejected)
{
	struct fx fx;

	setup(&fx);
	expect_failure(&fx, &(union sdxi_desc){ .cxt_stop =
		d_range(SDXI_DSC_CXT_STOP, 1, 1).cxt_stop },
		SDXI_STEP_DSC, SDXI_SUB_STEP_VALIDATION, SDXI_ERR_ADMIN_NOT_CXT0);
	expect_restartable(&fx);
	fx_fini(&fx);
}

TEST(group_not_enabled_for_context_is_rejected)
{
	struct fx fx;
	uint64_t tgt;

	setup(&fx);
	tgt = fx_alloc(&fx, FN, 8, 8);
	fx_l1(&fx, 1)->opb_000_enb = SDXI_OPB_DMAB;
	CHECK_EQ(fx_admin(&fx, &(union sdxi_desc){ .cxt_upd =
		d_range(SDXI_DSC_CXT_UPD, 1, 1).cxt_upd }), 0);
	expect_failure(&fx, &(union sdxi_desc){ .atomic =
		d_atomic(SDXI_DSC_ATOMIC_UADD, 8, tgt, 0, 1, 0).atomic },
		SDXI_STEP_DSC, SDXI_SUB_STEP_VALIDATION, SDXI_ERR_OPB_DISABLED);
	fx_fini(&fx);
}

TEST(reserved_bits_are_rejected)
{
	struct fx fx;
	union sdxi_desc d;
	uint64_t a;

	setup(&fx);
	a = fx_alloc(&fx, FN, 4096, 64);
	d = d_nop();
	d.generic.body[20] = 1;
	expect_failure(&fx, &d, SDXI_STEP_DSC, SDXI_SUB_STEP_VALIDATION, SDXI_ERR_RSVD_SET);
	expect_restartable(&fx);
	d = d_nop();
	d.generic.opcode |= SDXI_DSC_CH;
	expect_failure(&fx, &d, SDXI_STEP_DSC, SDXI_SUB_STEP_VALIDATION, SDXI_ERR_RSVD_SET);
	expect_restartable(&fx);
	d = d_copy(a, a + 2048, 64);
	d.copy.attr = 1;
	expect_failure(&fx, &d, SDXI_STEP_DSC, SDXI_SUB_STEP_VALIDATION, SDXI_ERR_RSVD_SET);
	expect_restartable(&fx);
	d = d_wrt_imm(a, "abc", 3);
	d.wrt_imm.data[3] = 'd';	/* past the length */
	expect_failure(&fx, &d, SDXI_STEP_DSC, SDXI_SUB_STEP_VALIDATION, SDXI_ERR_RSVD_SET);
	fx_fini(&fx);
}

TEST(size_above_max_buffer_is_rejected)
{
	struct fx fx;
	uint64_t a, b;
	union sdxi_desc d;

	setup(&fx);
	/* Context limit 2 MiB (L1.max_buffer 0), taken at the next CXT_UPD. */
	fx_l1(&fx, 1)->misc &= ~SDXI_L1_ENT_MAX_BUFFER;
	CHECK_EQ(fx_admin(&fx, &(union sdxi_desc){ .cxt_upd =
		d_range(SDXI_DSC_CXT_UPD, 1, 1).cxt_upd }), 0);
	a = fx_alloc(&fx, FN, (2 << 20) + 64, 64);
	b = fx_alloc(&fx, FN, (2 << 20) + 64, 64);
	d = d_copy(a, b, (2 << 20) + 1);
	expect_failure(&fx, &d, SDXI_STEP_DSC, SDXI_SUB_STEP_VALIDATION, SDXI_ERR_SIZE);
	expect_restartable(&fx);
	d = d_copy(a, b, 2 << 20);	/* exactly the limit is fine */
	CHECK_EQ(fx_csb(&fx, 1, fx_submit(&fx, 1, &d, true)), -1);
	fx_run(&fx);
	CHECK_EQ(fx_state(&fx, 1), SDXI_CXTV_RUN);
	d = d_repcopy(a, b, 4096, 513);	/* destination total above 2 MiB */
	expect_failure(&fx, &d, SDXI_STEP_DSC, SDXI_SUB_STEP_VALIDATION, SDXI_ERR_SIZE);
	expect_restartable(&fx);
	d = d_wrt_imm(a, "x", 1);
	d.wrt_imm.size = 32;		/* 33 bytes */
	expect_failure(&fx, &d, SDXI_STEP_DSC, SDXI_SUB_STEP_VALIDATION, SDXI_ERR_SIZE);
	fx_fini(&fx);
}

TEST(overlapping_buffers_are_rejected)
{
	struct fx fx;
	uint64_t a, csb;
	union sdxi_desc d;

	setup(&fx);
	a = fx_alloc(&fx, FN, 8192, 64);
	d = d_copy(a, a + 100, 200);
	expect_failure(&fx, &d, SDXI_STEP_DSC, SDXI_SUB_STEP_VALIDATION, SDXI_ERR_OVERLAP);
	expect_restartable(&fx);
	d = d_repcopy(a, a + 64, 64, 4);	/* block 0 abuts, fine; overlap? no */
	d.repcopy.addr1 = a + 32;
	expect_failure(&fx, &d, SDXI_STEP_DSC, SDXI_SUB_STEP_VALIDATION, SDXI_ERR_OVERLAP);
	expect_restartable(&fx);
	/* Destination over the descriptor's own CST_BLK. */
	csb = fx.cxt[1].csb + (fx.cxt[1].w % 1024) * 32;
	d = d_copy(a, csb - 8, 16);
	expect_failure(&fx, &d, SDXI_STEP_DSC, SDXI_SUB_STEP_VALIDATION, SDXI_ERR_OVERLAP);
	fx_fini(&fx);
}

TEST(invalid_akey_is_rejected)
{
	struct fx fx;
	uint64_t a;
	union sdxi_desc d;

	setup(&fx);
	a = fx_alloc(&fx, FN, 8192, 64);
	d = d_copy(a, a + 4096, 64);
	d.copy.akey1 = 300;		/* table holds 256 entries */
	expect_failure(&fx, &d, SDXI_STEP_AKEY, SDXI_SUB_STEP_VALIDATION, SDXI_ERR_AKEY_INVALID);
	expect_restartable(&fx);
	d.copy.akey1 = 17;		/* entry not valid */
	expect_failure(&fx, &d, SDXI_STEP_AKEY, SDXI_SUB_STEP_VALIDATION, SDXI_ERR_AKEY_INVALID);
	expect_restartable(&fx);
	fx_akey(&fx, 1, 17)->intr = SDXI_AKEY_VL | SDXI_AKEY_STE;	/* unsupported */
	expect_failure(&fx, &d, SDXI_STEP_AKEY, SDXI_SUB_STEP_VALIDATION, SDXI_ERR_AKEY_INVALID);
	expect_restartable(&fx);
	/* Another function (no RKey path), plain and with a PASID. */
	fx_akey(&fx, 1, 17)->intr = SDXI_AKEY_VL;
	fx_akey(&fx, 1, 17)->tgt_sfunc = 1;
	expect_failure(&fx, &d, SDXI_STEP_AKEY, SDXI_SUB_STEP_VALIDATION, SDXI_ERR_AKEY_INVALID);
	expect_restartable(&fx);
	d.copy.akey0 = 17;
	expect_failure(&fx, &d, SDXI_STEP_AKEY, SDXI_SUB_STEP_VALIDATION, SDXI_ERR_AKEY_INVALID);
	fx_fini(&fx);
}

TEST(akey_with_bad_pasid_is_rejected)
{
	struct fx fx;
	uint64_t a;
	union sdxi_desc d;

	setup(&fx);
	a = fx_alloc(&fx, FN, 8192, 64);
	fx_akey(&fx, 1, 5)->intr = SDXI_AKEY_VL | SDXI_AKEY_PV;
	fx_akey(&fx, 1, 5)->pasid = 4242;
	d = d_copy(a, a + 4096, 64);
	d.copy.akey0 = 5;
	expect_failure(&fx, &d, SDXI_STEP_AKEY, SDXI_SUB_STEP_VALIDATION,
		       SDXI_ERR_PASID_INVALID);
	fx_fini(&fx);
}

TEST(unaligned_csb_is_rejected)
{
	struct fx fx;
	union sdxi_desc d = d_nop();
	uint64_t before, i;

	setup(&fx);
	before = fx_errlog_count(&fx);
	d.generic.csb_ptr = fx.cxt[1].csb + 8;
	i = fx_put(&fx, 1, &d, false);
	fx_doorbell(&fx, 1);
	fx_run(&fx);
	CHECK_EQ(fx_state(&fx, 1), SDXI_CXTV_ERR_FN);
	CHECK_EQ(fx_r(&fx, 1), i + 1);
	CHECK_EQ(fx_errlog_count(&fx), before + 1);
	CHECK_EQ(fx_last_err(&fx).step, SDXI_STEP_CST_BLK);
	CHECK_EQ(fx_last_err(&fx).reason, SDXI_ERR_ALIGN);
	fx_fini(&fx);
}

TEST(unmapped_buffer_is_a_translation_fault)
{
	struct fx fx;
	uint64_t a;
	union sdxi_desc d;
	struct fx_err e;

	setup(&fx);
	a = fx_alloc(&fx, FN, 4096, 64);
	d = d_copy(a, 0x2000, 64);	/* below the function space */
	expect_failure(&fx, &d, SDXI_STEP_DATA, SDXI_SUB_STEP_XLATE, SDXI_ERR_XLATE);
	e = fx_last_err(&fx);
	CHECK(e.bv);
	CHECK_EQ(e.buf, SDXI_BUF_DST);
	CHECK_EQ(e.addr, 0x2000);
	expect_restartable(&fx);
	d = d_copy(0x3000, a, 64);
	expect_failure(&fx, &d, SDXI_STEP_DATA, SDXI_SUB_STEP_XLATE, SDXI_ERR_XLATE);
	CHECK_EQ(fx_last_err(&fx).buf, SDXI_BUF_SRC);
	expect_restartable(&fx);
	d = d_atomic(SDXI_DSC_ATOMIC_UADD, 8, a, 0x3000, 1, 0);
	expect_failure(&fx, &d, SDXI_STEP_ATOMIC_RET, SDXI_SUB_STEP_XLATE, SDXI_ERR_XLATE);
	expect_restartable(&fx);
	d = d_atomic(SDXI_DSC_ATOMIC_UADD, 8, a + 4, 0, 1, 0);
	expect_failure(&fx, &d, SDXI_STEP_DATA, SDXI_SUB_STEP_VALIDATION, SDXI_ERR_ALIGN);
	fx_fini(&fx);
}

TEST(csb_in_unmapped_memory_fails_the_descriptor)
{
	struct fx fx;
	union sdxi_desc d = d_nop();

	setup(&fx);
	d.generic.csb_ptr = 0x4000;
	fx_put(&fx, 1, &d, false);
	fx_doorbell(&fx, 1);
	fx_run(&fx);
	CHECK_EQ(fx_state(&fx, 1), SDXI_CXTV_ERR_FN);
	CHECK_EQ(fx_last_err(&fx).step, SDXI_STEP_CST_BLK);
	CHECK_EQ(fx_last_err(&fx).sub_step, SDXI_SUB_STEP_XLATE);
	fx_fini(&fx);
}

TEST(interrupt_through_non_interrupt_akey_fails)
{
	struct fx fx;

	setup(&fx);
	expect_failure(&fx, &(union sdxi_desc){ .intr = d_intr(0).intr },
		       SDXI_STEP_AKEY, SDXI_SUB_STEP_VALIDATION, SDXI_ERR_INTR);
	expect_restartable(&fx);
	fx_akey(&fx, 1, 1)->intr = SDXI_AKEY_VL | SDXI_AKEY_IV |
		SDXI_FIELD_PREP(SDXI_AKEY_INTR_NUM, 2000);	/* no such vector */
	expect_failure(&fx, &(union sdxi_desc){ .intr = d_intr(1).intr },
		       SDXI_STEP_AKEY, SDXI_SUB_STEP_VALIDATION, SDXI_ERR_INTR);
	fx_fini(&fx);
}

TEST(write_index_behind_or_past_ring_fails_context)
{
	struct fx fx;
	struct fx_err e;

	setup(&fx);
	fx_wr64(&fx, FN, fx.cxt[1].wi, 2000);	/* R = 0, ring 1024 */
	fx_doorbell(&fx, 1);
	fx_run(&fx);
	CHECK_EQ(fx_state(&fx, 1), SDXI_CXTV_ERR_FN);
	e = fx_last_err(&fx);
	CHECK_EQ(e.step, SDXI_STEP_WRITE_INDEX);
	CHECK_EQ(e.reason, SDXI_ERR_INDEX);
	CHECK(!e.div);
	fx_fini(&fx);

	setup(&fx);
	fx_submit(&fx, 1, &(union sdxi_desc){ .generic = d_nop().generic }, true);
	fx_run(&fx);
	fx_wr64(&fx, FN, fx.cxt[1].wi, 0);	/* behind R = 1 */
	fx_doorbell(&fx, 1);
	fx_run(&fx);
	CHECK_EQ(fx_state(&fx, 1), SDXI_CXTV_ERR_FN);
	CHECK_EQ(fx_last_err(&fx).reason, SDXI_ERR_INDEX);
	fx_fini(&fx);
}

TEST(fault_after_stops_a_copy_midway)
{
	struct fx fx;
	struct sdxie_faults f;
	uint64_t a, b;
	union sdxi_desc d;
	uint8_t *s, *t;

	setup(&fx);
	a = fx_alloc(&fx, FN, 16384, 4096);
	b = fx_alloc(&fx, FN, 16384, 4096);
	s = fx_ptr(&fx, FN, a);
	t = fx_ptr(&fx, FN, b);
	memset(s, 0xab, 16384);
	sdxie_get_faults(fx.fn, &f);
	f.after = 5000;
	sdxie_set_faults(fx.fn, &f);
	d = d_copy(a, b, 16384);
	expect_failure(&fx, &d, SDXI_STEP_DATA, SDXI_SUB_STEP_XLATE, SDXI_ERR_INJECTED);
	CHECK_EQ(fx_last_err(&fx).addr, b + 5000);
	CHECK_EQ(t[4999], 0xab);	/* exactly 5000 bytes moved */
	CHECK_EQ(t[5000], 0);
	sdxie_get_faults(fx.fn, &f);
	CHECK_EQ(f.after, 0);		/* one-shot */
	expect_restartable(&fx);
	memset(t, 0, 16384);
	CHECK_EQ(fx_csb(&fx, 1, fx_submit(&fx, 1, &d, true)), -1);
	fx_run(&fx);
	CHECK(!memcmp(s, t, 16384));
	fx_fini(&fx);
}

TEST(fault_after_survives_a_read_modify_write_of_the_knobs)
{
	struct fx fx;
	struct sdxie_faults f;
	uint64_t a, b;
	union sdxi_desc d;

	setup(&fx);
	a = fx_alloc(&fx, FN, 8192, 4096);
	b = fx_alloc(&fx, FN, 8192, 4096);
	sdxie_get_faults(fx.fn, &f);
	f.after = 64;
	sdxie_set_faults(fx.fn, &f);
	/* Exactly 64 bytes move; the trap stays armed at the boundary. */
	d = d_copy(a, b, 64);
	CHECK_EQ(fx_csb(&fx, 1, fx_submit(&fx, 1, &d, true)), -1);
	fx_run(&fx);
	CHECK_EQ(fx_state(&fx, 1), SDXI_CXTV_RUN);
	/* A host changes another knob by reading and writing the struct back. */
	sdxie_get_faults(fx.fn, &f);
	f.stall = true;
	sdxie_set_faults(fx.fn, &f);
	f.stall = false;
	sdxie_set_faults(fx.fn, &f);
	d = d_copy(a, b, 8);
	expect_failure(&fx, &d, SDXI_STEP_DATA, SDXI_SUB_STEP_XLATE, SDXI_ERR_INJECTED);
	fx_fini(&fx);
}

TEST(fault_addr_traps_every_access_covering_it)
{
	struct fx fx;
	struct sdxie_faults f = { 0 };
	uint64_t a, b;
	union sdxi_desc d;

	setup(&fx);
	a = fx_alloc(&fx, FN, 8192, 4096);
	b = fx_alloc(&fx, FN, 8192, 4096);
	f.addr = a + 100;
	sdxie_set_faults(fx.fn, &f);
	d = d_copy(a, b, 4096);
	expect_failure(&fx, &d, SDXI_STEP_DATA, SDXI_SUB_STEP_XLATE, SDXI_ERR_INJECTED);
	CHECK_EQ(fx_last_err(&fx).buf, SDXI_BUF_SRC);
	CHECK_EQ(fx_last_err(&fx).addr, a + 100);
	expect_restartable(&fx);
	d = d_wrt_imm(a + 96, "12345678", 8);
	expect_failure(&fx, &d, SDXI_STEP_DATA, SDXI_SUB_STEP_XLATE, SDXI_ERR_INJECTED);
	expect_restartable(&fx);
	d = d_copy(a + 200, b, 64);	/* not covering: fine */
	CHECK_EQ(fx_csb(&fx, 1, fx_submit(&fx, 1, &d, true)), -1);
	fx_run(&fx);
	CHECK_EQ(fx_state(&fx, 1), SDXI_CXTV_RUN);
	fx_fini(&fx);
}

TEST(stall_holds_work_until_cleared)
{
	struct fx fx;
	struct sdxie_faults f = { .stall = true };
	uint64_t i;
	unsigned int kicks;

	setup(&fx);
	sdxie_set_faults(fx.fn, &f);
	i = fx_submit(&fx, 1, &(union sdxi_desc){ .generic = d_nop().generic }, true);
	fx_run(&fx);
	CHECK_EQ(fx_csb(&fx, 1, i), -1);
	kicks = fx.kicks;
	f.stall = false;
	sdxie_set_faults(fx.fn, &f);
	CHECK(fx.kicks > kicks);
	fx_run(&fx);
	CHECK_EQ(fx_csb(&fx, 1, i), 0);
	fx_fini(&fx);
}

TEST(other_contexts_keep_running_when_one_fails)
{
	struct fx fx;
	uint64_t i;

	setup(&fx);
	REQUIRE(fx_cxt_new(&fx, 2, 1024, FN) == 0);
	expect_failure(&fx, &(union sdxi_desc){ .generic = d_op(0x7ff, 1).generic },
		       SDXI_STEP_DSC, SDXI_SUB_STEP_VALIDATION, SDXI_ERR_BAD_TYPE);
	i = fx_submit(&fx, 2, &(union sdxi_desc){ .generic = d_nop().generic }, true);
	fx_run(&fx);
	CHECK_EQ(fx_csb(&fx, 2, i), 0);
	fx_fini(&fx);
}

/*
 * The same checks for a COPY whose buffers are already in the turn's
 * views (good COPYs queued first in the same turn map them, each view
 * exactly the range it asked for), where the engine takes its
 * single-pass COPY path.  @good: @ngood COPYs without a CST_BLK.
 */
static void expect_failure_in_view(struct fx *fx, const union sdxi_desc *good,
				   int ngood, const union sdxi_desc *d,
				   unsigned int reason)
{
	uint64_t i;

	for (int k = 0; k < ngood; k++)
		fx_put(fx, 1, &good[k], false);
	i = fx_put(fx, 1, d, true);
	fx_doorbell(fx, 1);
	fx_run(fx);
	CHECK_EQ(fx_r(fx, 1), i + 1);
	CHECK_EQ(fx_state(fx, 1), SDXI_CXTV_ERR_FN);
	CHECK_EQ(fx_last_err(fx).reason, reason);
	CHECK_EQ(fx_last_err(fx).index, i);
	expect_restartable(fx);
}

TEST(copy_checks_hold_with_buffers_in_view)
{
	struct fx fx;
	union sdxi_desc d, g[2];
	uint64_t a, csb;

	setup(&fx);
	a = fx_alloc(&fx, FN, 65536, 4096);
	g[0] = d_copy(a, a + 16384, 8192);	/* views [a, +8K) and [a+16K, +8K) */
	d = d_copy(a + 4096, a + 16384, 64);
	d.copy.attr = 0x11;
	expect_failure_in_view(&fx, g, 1, &d, SDXI_ERR_RSVD_SET);
	d = d_copy(a + 4096, a + 16384, 64);
	d.copy.rsvd_0[1] = 1;
	expect_failure_in_view(&fx, g, 1, &d, SDXI_ERR_RSVD_SET);
	d = d_copy(a + 4096, a + 16384, 64);
	d.copy.rsvd_1[23] = 1;
	expect_failure_in_view(&fx, g, 1, &d, SDXI_ERR_RSVD_SET);
	d = d_copy(a + 4096, a + 16384, 64);
	d.copy.akey1 = 9999;
	expect_failure_in_view(&fx, g, 1, &d, SDXI_ERR_AKEY_INVALID);
	/* Source view [a, +8K), then destination view [a+4K, +100). */
	g[1] = d_copy(a, a + 4096, 100);
	d = d_copy(a + 4096 + 20, a + 4096 + 50, 50);
	expect_failure_in_view(&fx, g, 2, &d, SDXI_ERR_OVERLAP);
	/* Views over the CST_BLK array: source, then destination, over it. */
	csb = fx.cxt[1].csb + ((fx.cxt[1].w + 1) % 1024) * 32;
	g[0] = d_copy(fx.cxt[1].csb, a + 16384, 32 * 1024);
	d = d_copy(csb + 16, a + 16384, 32);
	expect_failure_in_view(&fx, g, 1, &d, SDXI_ERR_OVERLAP);
	csb = fx.cxt[1].csb + ((fx.cxt[1].w + 1) % 1024) * 32;
	g[0] = d_copy(a, fx.cxt[1].csb, 32 * 1024);
	d = d_copy(a, csb - 8, 16);
	expect_failure_in_view(&fx, g, 1, &d, SDXI_ERR_OVERLAP);
	fx_fini(&fx);
}
