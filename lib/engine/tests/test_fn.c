// SPDX-License-Identifier: MIT
/* Register file, function state machine and error log. */
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "tap.h"

#define RD(off)		sdxie_mmio_read(fx.fn, (off), 8)
#define WR(off, v)	sdxie_mmio_write(fx.fn, (off), (v), 8)

static uint64_t ctl0_with(struct fx *fx, unsigned int gsr)
{
	uint64_t v = sdxie_mmio_read(fx->fn, SDXI_MMIO_CTL0, 8);

	return (v & ~SDXI_CTL0_FN_GSR) | gsr;
}

TEST(config_default_is_valid_and_bad_values_are_named)
{
	struct sdxie_config cfg;
	char why[128];

	sdxie_config_default(&cfg);
	CHECK_EQ(sdxie_config_check(&cfg, why, sizeof(why)), 0);
	cfg.max_buffer = 12;
	CHECK_EQ(sdxie_config_check(&cfg, why, sizeof(why)), -1);
	CHECK(strstr(why, "max-buffer"));
	sdxie_config_default(&cfg);
	cfg.opb_cap = SDXI_OPB_DMAB;
	CHECK_EQ(sdxie_config_check(&cfg, why, sizeof(why)), -1);
	CHECK(strstr(why, "op-groups"));
	sdxie_config_default(&cfg);
	cfg.max_cxt = 0;
	CHECK_EQ(sdxie_config_check(&cfg, why, sizeof(why)), -1);
	CHECK(!sdxie_fn_new(&cfg, &fx_ops, NULL));
}

TEST(caps_and_version_read_as_documented)
{
	struct fx fx;

	fx_init_stopped(&fx, NULL);
	/* Literal positions from hardware.rst, "Bit layouts". */
	CHECK_EQ(RD(SDXI_MMIO_VERSION), 0x00010000);
	CHECK_EQ((RD(SDXI_MMIO_CAP0) >> 20) & 7, SDXIE_DEFAULT_DB_STRIDE);
	CHECK_EQ((RD(SDXI_MMIO_CAP0) >> 24) & 0x1f, SDXIE_DEFAULT_MAX_RING_SZ);
	CHECK_EQ(RD(SDXI_MMIO_CAP1) & 0xf, SDXIE_DEFAULT_MAX_BUFFER);
	CHECK_EQ((RD(SDXI_MMIO_CAP1) >> 8) & 0xf, SDXIE_DEFAULT_MAX_ERRLOG_SZ);
	CHECK_EQ((RD(SDXI_MMIO_CAP1) >> 12) & 0xf, SDXIE_DEFAULT_MAX_AKEY_SZ);
	CHECK_EQ((RD(SDXI_MMIO_CAP1) >> 16) & 0xffff, SDXIE_DEFAULT_MAX_CXT);
	CHECK_EQ(RD(SDXI_MMIO_CAP1) >> 32, SDXIE_DEFAULT_OPB_CAP);
	CHECK_EQ(RD(SDXI_MMIO_STS0), SDXI_GSV_STOP);
	/* 32-bit reads return the matching half. */
	CHECK_EQ(sdxie_mmio_read(fx.fn, SDXI_MMIO_CAP1 + 4, 4), SDXIE_DEFAULT_OPB_CAP);
	CHECK_EQ(sdxie_mmio_read(fx.fn, SDXI_MMIO_VERSION, 4), 0x00010000);
	/* Reserved offsets read 0; misaligned reads return 0. */
	CHECK_EQ(RD(0x18), 0);
	CHECK_EQ(RD(0x3f000), 0);
	CHECK_EQ(sdxie_mmio_read(fx.fn, SDXI_MMIO_CAP1 + 2, 4), 0);
	fx_fini(&fx);
}

TEST(bad_register_writes_are_ignored)
{
	struct fx fx;
	uint64_t l2;

	fx_init_stopped(&fx, NULL);
	l2 = RD(SDXI_MMIO_CXT_L2);
	/* Wrong width, misaligned, read-only, reserved offset. */
	CHECK(!sdxie_mmio_write(fx.fn, SDXI_MMIO_CXT_L2, 0x5000, 4));
	CHECK(!sdxie_mmio_write(fx.fn, SDXI_MMIO_CXT_L2 + 4, 0x5000, 8));
	CHECK(!WR(SDXI_MMIO_CAP0, ~0ULL));
	CHECK(!WR(SDXI_MMIO_STS0, SDXI_GSV_ACTIVE));
	CHECK(!WR(0x18, 1));
	CHECK_EQ(RD(SDXI_MMIO_CXT_L2), l2);
	CHECK_EQ(RD(SDXI_MMIO_STS0), SDXI_GSV_STOP);
	/* CXT_L2 must be 4 KiB aligned; CTL2 within CAP1; RKey absent. */
	CHECK(!WR(SDXI_MMIO_CXT_L2, l2 | 0x800));
	CHECK(!WR(SDXI_MMIO_CTL2, SDXI_FIELD_PREP(SDXI_CTL2_MAX_CXT, 1000ULL)));
	CHECK(!WR(SDXI_MMIO_CTL2, SDXI_FIELD_PREP(SDXI_CTL2_OPB_000_AVL, 0x10ULL)));
	CHECK(!WR(SDXI_MMIO_RKEY, SDXI_RKEY_EN));
	CHECK_EQ(RD(SDXI_MMIO_CXT_L2), l2);
	/* CTL0 reserved bits refuse the whole write. */
	CHECK(!WR(SDXI_MMIO_CTL0, 0x8 | SDXI_GSR_ACTIVE));
	CHECK_EQ(RD(SDXI_MMIO_STS0), SDXI_GSV_STOP);
	/* ERR_CFG: sz 0 or above CAP1's limit is refused. */
	CHECK(!WR(SDXI_MMIO_ERR_CFG, SDXI_ERR_CFG_EN));
	CHECK(!WR(SDXI_MMIO_ERR_CFG, SDXI_ERR_CFG_EN | SDXI_FIELD_PREP(SDXI_ERR_CFG_SZ, 17ULL)));
	fx_fini(&fx);
}

TEST(activation_goes_through_init_and_admin_runs)
{
	struct fx fx;

	fx_init_stopped(&fx, NULL);
	CHECK(WR(SDXI_MMIO_CTL0, SDXI_GSR_ACTIVE));
	/* The transition completes asynchronously: INIT until the engine runs. */
	CHECK_EQ(RD(SDXI_MMIO_STS0), SDXI_GSV_INIT);
	CHECK(fx.kicks > 0);
	fx_run(&fx);
	CHECK_EQ(RD(SDXI_MMIO_STS0), SDXI_GSV_ACTIVE);
	CHECK_EQ(sdxie_cxt_state(fx.fn, 0), SDXI_CXTV_RUN);
	/* The admin context runs: a NOP completes. */
	CHECK_EQ(fx_admin(&fx, &(union sdxi_desc){ .generic = d_nop().generic }), 0);
	CHECK_EQ(fx_r(&fx, 0), 1);
	/* While active, the tables cannot be moved. */
	CHECK(!WR(SDXI_MMIO_CXT_L2, 0x200000));
	CHECK(!WR(SDXI_MMIO_CTL2, 0));
	fx_fini(&fx);
}

TEST(admin_context_left_stopped_by_software_does_not_run)
{
	struct fx fx;

	fx_init_stopped(&fx, NULL);
	*(uint8_t *)fx_ptr(&fx, fx.cxt[0].as, fx.cxt[0].sts) = SDXI_CXTV_STOP_SW;
	fx_activate(&fx);
	CHECK_EQ(RD(SDXI_MMIO_STS0), SDXI_GSV_ACTIVE);
	CHECK_EQ(fx_admin(&fx, &(union sdxi_desc){ .generic = d_nop().generic }), -1);
	CHECK_EQ(fx_r(&fx, 0), 0);
	fx_fini(&fx);
}

TEST(activation_with_invalid_admin_tables_enters_error)
{
	struct fx fx;
	struct fx_err e;

	fx_init_stopped(&fx, NULL);
	fx_l1(&fx, 0)->cxt_ctl_ptr &= ~SDXI_L1_ENT_VL;
	fx_activate(&fx);
	CHECK_EQ(RD(SDXI_MMIO_STS0), SDXI_GSV_ERROR);
	REQUIRE(fx_errlog_count(&fx) == 1);
	e = fx_last_err(&fx);
	CHECK_EQ(e.step, SDXI_STEP_CXT_L1);
	CHECK_EQ(e.sub_step, SDXI_SUB_STEP_VALIDATION);
	CHECK_EQ(e.re, SDXI_RE_FN_STOPPED);
	CHECK_EQ(e.reason, SDXI_ERR_NOT_VALID);
	CHECK(e.cv);
	CHECK_EQ(e.cxt, 0);
	CHECK_EQ(fx.irq[0], 1);
	/* Only a reset leaves ERROR; writing ACTIVE does nothing. */
	CHECK(WR(SDXI_MMIO_CTL0, SDXI_GSR_ACTIVE));
	fx_run(&fx);
	CHECK_EQ(RD(SDXI_MMIO_STS0), SDXI_GSV_ERROR);
	fx_fini(&fx);
}

TEST(unmapped_l2_table_is_a_translation_error)
{
	struct fx fx;
	struct fx_err e;

	fx_init_stopped(&fx, NULL);
	CHECK(WR(SDXI_MMIO_CXT_L2, 0x1000));	/* below the function space */
	fx_activate(&fx);
	CHECK_EQ(RD(SDXI_MMIO_STS0), SDXI_GSV_ERROR);
	e = fx_last_err(&fx);
	CHECK_EQ(e.step, SDXI_STEP_CXT_L2);
	CHECK_EQ(e.sub_step, SDXI_SUB_STEP_XLATE);
	CHECK_EQ(e.addr, 0x1000);
	fx_fini(&fx);
}

TEST(soft_stop_reports_stop_fn_and_reactivation_works)
{
	struct fx fx;

	fx_init(&fx, NULL);
	REQUIRE(fx_cxt_new(&fx, 1, 1024, (struct sdxie_as){ 0 }) == 0);
	CHECK(WR(SDXI_MMIO_CTL0, ctl0_with(&fx, SDXI_GSR_STOP_SF)));
	CHECK_EQ(RD(SDXI_MMIO_STS0), SDXI_GSV_STOPG_SF);
	fx_run(&fx);
	CHECK_EQ(RD(SDXI_MMIO_STS0), SDXI_GSV_STOP);
	CHECK_EQ(fx_state(&fx, 1), SDXI_CXTV_STOP_FN);
	CHECK_EQ(fx_state(&fx, 0), SDXI_CXTV_STOP_FN);
	/* Doorbells are ignored while stopped. */
	CHECK(!sdxie_doorbell(fx.fn, 0, 1));
	/* Software makes the admin context RUN again and reactivates. */
	*(uint8_t *)fx_ptr(&fx, fx.cxt[0].as, fx.cxt[0].sts) = SDXI_CXTV_RUN;
	fx_activate(&fx);
	CHECK_EQ(RD(SDXI_MMIO_STS0), SDXI_GSV_ACTIVE);
	CHECK_EQ(fx_admin(&fx, &(union sdxi_desc){ .generic = d_nop().generic }), 0);
	fx_fini(&fx);
}

TEST(stalled_soft_stop_waits_and_hard_stop_completes)
{
	struct fx fx;
	struct sdxie_faults f;

	fx_init(&fx, NULL);
	sdxie_get_faults(fx.fn, &f);
	f.stall = true;
	sdxie_set_faults(fx.fn, &f);
	CHECK(WR(SDXI_MMIO_CTL0, ctl0_with(&fx, SDXI_GSR_STOP_SF)));
	fx_run(&fx);
	CHECK_EQ(RD(SDXI_MMIO_STS0), SDXI_GSV_STOPG_SF);
	CHECK(WR(SDXI_MMIO_CTL0, ctl0_with(&fx, SDXI_GSR_STOP_HD)));
	CHECK_EQ(RD(SDXI_MMIO_STS0), SDXI_GSV_STOPG_HD);
	fx_run(&fx);
	CHECK_EQ(RD(SDXI_MMIO_STS0), SDXI_GSV_STOP);
	fx_fini(&fx);
}

TEST(reset_from_error_clears_registers_and_ends_stopped)
{
	struct fx fx;

	fx_init(&fx, NULL);
	sdxie_force_fn_error(fx.fn);
	CHECK_EQ(RD(SDXI_MMIO_STS0), SDXI_GSV_ERROR);
	CHECK(WR(SDXI_MMIO_CTL0, ctl0_with(&fx, SDXI_GSR_RESET)));
	/* Asynchronous: still ERROR until the engine runs. */
	CHECK_EQ(RD(SDXI_MMIO_STS0), SDXI_GSV_ERROR);
	fx_run(&fx);
	CHECK_EQ(RD(SDXI_MMIO_STS0), SDXI_GSV_STOP);
	CHECK_EQ(RD(SDXI_MMIO_CXT_L2), 0);
	CHECK_EQ(RD(SDXI_MMIO_CTL2), 0);
	CHECK_EQ(RD(SDXI_MMIO_ERR_CFG), 0);
	CHECK_EQ(RD(SDXI_MMIO_ERR_STS), 0);
	CHECK_EQ(RD(SDXI_MMIO_CTL0), 0);
	fx_fini(&fx);
}

TEST(writes_after_a_pending_reset_are_wiped_by_it)
{
	struct fx fx;

	fx_init_stopped(&fx, NULL);
	CHECK(WR(SDXI_MMIO_CTL0, SDXI_GSR_RESET));
	CHECK(WR(SDXI_MMIO_CXT_L2, fx.l2));
	CHECK(WR(SDXI_MMIO_CTL0, SDXI_GSR_ACTIVE));	/* lost: reset pending */
	fx_run(&fx);
	CHECK_EQ(RD(SDXI_MMIO_STS0), SDXI_GSV_STOP);
	CHECK_EQ(RD(SDXI_MMIO_CXT_L2), 0);
	fx_fini(&fx);
}

TEST(forced_function_error_logs_and_interrupts)
{
	struct fx fx;
	struct fx_err e;

	fx_init(&fx, NULL);
	sdxie_force_fn_error(fx.fn);
	CHECK_EQ(RD(SDXI_MMIO_STS0), SDXI_GSV_ERROR);
	REQUIRE(fx_errlog_count(&fx) == 1);
	e = fx_last_err(&fx);
	CHECK_EQ(e.step, SDXI_STEP_INTERNAL);
	CHECK_EQ(e.re, SDXI_RE_FN_STOPPED);
	CHECK_EQ(e.reason, SDXI_ERR_FN_FORCED);
	CHECK(!e.cv);
	CHECK_EQ(fx.irq[0], 1);
	CHECK(!sdxie_doorbell(fx.fn, 0, 1));
	fx_fini(&fx);
}

TEST(fn_pasid_changes_only_while_stopped)
{
	struct fx fx;

	fx_init(&fx, NULL);
	CHECK(!WR(SDXI_MMIO_CTL0, ctl0_with(&fx, SDXI_GSR_ACTIVE) | SDXI_CTL0_FN_PASID_VL));
	CHECK_EQ(RD(SDXI_MMIO_CTL0) & SDXI_CTL0_FN_PASID_VL, 0);
	/* fn_grp_id is kept as written. */
	CHECK(WR(SDXI_MMIO_CTL0, ctl0_with(&fx, SDXI_GSR_ACTIVE) | (7ULL << 32)));
	CHECK_EQ(RD(SDXI_MMIO_CTL0) >> 32, 7);
	CHECK_EQ(RD(SDXI_MMIO_STS0), SDXI_GSV_ACTIVE);
	fx_fini(&fx);
}

TEST(function_pasid_translates_tables)
{
	struct fx fx;
	struct sdxie_as p;

	/* Build everything in a PASID space and point CTL0.fn_pasid at it. */
	fx_init_stopped(&fx, NULL);
	p = fx_add_pasid(&fx, 9);
	memcpy(fx.pasid[0].mem, fx.fn_space.mem, FX_SPACE_SIZE);
	/* Tables hold function-space addresses: give the PASID space that base. */
	fx.pasid[0].base = FX_FN_BASE;
	memset(fx.fn_space.mem, 0, FX_SPACE_SIZE);
	CHECK(WR(SDXI_MMIO_CTL0, SDXI_CTL0_FN_PASID_VL |
		 SDXI_FIELD_PREP(SDXI_CTL0_FN_PASID, (uint64_t)p.pasid) | SDXI_GSR_STOP_SF));
	CHECK(WR(SDXI_MMIO_CTL0, ctl0_with(&fx, SDXI_GSR_ACTIVE)));
	fx_run(&fx);
	CHECK_EQ(RD(SDXI_MMIO_STS0), SDXI_GSV_ACTIVE);
	fx_fini(&fx);
}

TEST(error_log_wraps_overflows_and_sets_sts_once)
{
	struct fx fx;
	union sdxi_desc bad = d_op(SDXI_DSC_TYPE_DMAB, 0x7f);

	fx_init(&fx, NULL);
	/* Admin-context errors keep the admin context running (reaction 0). */
	for (int i = 0; i < FX_ERRLOG_N; i++)
		CHECK_EQ(fx_admin(&fx, &bad), 1);
	CHECK_EQ(fx_errlog_count(&fx), FX_ERRLOG_N);
	CHECK_EQ(RD(SDXI_MMIO_ERR_STS), SDXI_ERR_STS_STS);
	CHECK_EQ(fx.irq[0], 1);		/* sts went 0 -> 1 once */
	CHECK_EQ(fx_last_err(&fx).re, SDXI_RE_INFO);
	CHECK_EQ(fx_last_err(&fx).index, FX_ERRLOG_N - 1);
	/* Full: the next entry is lost and ovf is set. */
	CHECK_EQ(fx_admin(&fx, &bad), 1);
	CHECK_EQ(fx_errlog_count(&fx), FX_ERRLOG_N);
	CHECK_EQ(RD(SDXI_MMIO_ERR_STS), SDXI_ERR_STS_STS | SDXI_ERR_STS_OVF);
	/* Software consumes, clears (W1C), and the next error interrupts. */
	CHECK(WR(SDXI_MMIO_ERR_RD, FX_ERRLOG_N));
	CHECK(WR(SDXI_MMIO_ERR_STS, SDXI_ERR_STS_STS | SDXI_ERR_STS_OVF));
	CHECK_EQ(RD(SDXI_MMIO_ERR_STS), 0);
	CHECK_EQ(fx_admin(&fx, &bad), 1);
	CHECK_EQ(fx_errlog_count(&fx), FX_ERRLOG_N + 1);
	CHECK_EQ(fx.irq[0], 2);
	CHECK_EQ(fx_last_err(&fx).index, FX_ERRLOG_N + 1);
	fx_fini(&fx);
}

TEST(error_log_write_failure_sets_err)
{
	struct fx fx;
	union sdxi_desc bad = d_op(SDXI_DSC_TYPE_DMAB, 0x7f);
	struct sdxie_stats st;

	fx_init(&fx, NULL);
	CHECK(WR(SDXI_MMIO_ERR_CFG, 0x1000 | SDXI_FIELD_PREP(SDXI_ERR_CFG_SZ, 1ULL) |
		 SDXI_ERR_CFG_EN));
	CHECK_EQ(fx_admin(&fx, &bad), 1);
	CHECK_EQ(RD(SDXI_MMIO_ERR_STS) & SDXI_ERR_STS_ERR, SDXI_ERR_STS_ERR);
	CHECK_EQ(RD(SDXI_MMIO_ERR_WRT), 0);
	sdxie_get_stats(fx.fn, &st);
	CHECK_EQ(st.errlog_lost, 1);
	fx_fini(&fx);
}

TEST(disabled_error_log_records_nothing)
{
	struct fx fx;
	union sdxi_desc bad = d_op(SDXI_DSC_TYPE_DMAB, 0x7f);

	fx_init(&fx, NULL);
	CHECK(WR(SDXI_MMIO_ERR_CFG, 0));
	CHECK_EQ(fx_admin(&fx, &bad), 1);
	CHECK_EQ(RD(SDXI_MMIO_ERR_STS), 0);
	CHECK_EQ(RD(SDXI_MMIO_ERR_WRT), 0);
	CHECK_EQ(fx.irq[0], 0);
	fx_fini(&fx);
}

TEST(doorbells_beyond_max_cxt_or_to_stopped_contexts_are_ignored)
{
	struct fx fx;

	fx_init(&fx, NULL);
	CHECK(!sdxie_doorbell(fx.fn, SDXIE_DEFAULT_MAX_CXT + 1, 1));
	CHECK(!sdxie_doorbell(fx.fn, 0xffffffff, 1));
	CHECK(!sdxie_doorbell(fx.fn, 5, 1));		/* never started */
	CHECK(sdxie_doorbell(fx.fn, 0, 0));
	fx_run(&fx);
	CHECK_EQ(sdxie_fn_state(fx.fn), SDXI_GSV_ACTIVE);
	fx_fini(&fx);
}

TEST(device_reset_is_synchronous_and_touches_no_memory)
{
	struct fx fx;
	uint8_t *copy = malloc(FX_SPACE_SIZE);

	REQUIRE(copy);
	fx_init(&fx, NULL);
	REQUIRE(fx_cxt_new(&fx, 1, 1024, (struct sdxie_as){ 0 }) == 0);
	memcpy(copy, fx.fn_space.mem, FX_SPACE_SIZE);
	sdxie_fn_reset(fx.fn);
	CHECK_EQ(RD(SDXI_MMIO_STS0), SDXI_GSV_STOP);
	CHECK_EQ(sdxie_cxt_state(fx.fn, 1), SDXI_CXTV_STOP_SW);
	CHECK(!memcmp(copy, fx.fn_space.mem, FX_SPACE_SIZE));
	free(copy);
	fx_fini(&fx);
}
