// SPDX-License-Identifier: MIT
/* Admin group: context lifecycle, updates, sync, interrupts. */
#include <string.h>

#include "fixture.h"
#include "tap.h"

static const struct sdxie_as FN = { 0 };

static union sdxi_desc nop(void)
{
	return d_nop();
}

TEST(start_nm_resets_read_index_and_sets_run)
{
	struct fx fx;

	fx_init(&fx, NULL);
	fx_cxt_build(&fx, 3, 1024, FN);
	fx_wr64(&fx, FN, fx.cxt[3].sts + 8, 77);	/* garbage R */
	CHECK_EQ(fx_state(&fx, 3), SDXI_CXTV_STOP_SW);
	CHECK_EQ(fx_admin(&fx, &(union sdxi_desc){ .cxt_start =
		d_range(SDXI_DSC_CXT_START_NM, 3, 3).cxt_start }), 0);
	CHECK_EQ(fx_state(&fx, 3), SDXI_CXTV_RUN);
	CHECK_EQ(fx_r(&fx, 3), 0);
	CHECK_EQ(sdxie_cxt_state(fx.fn, 3), SDXI_CXTV_RUN);
	fx_fini(&fx);
}

TEST(stop_then_start_rs_resumes_where_it_stopped)
{
	struct fx fx;
	union sdxi_desc d = nop();
	uint64_t i;

	fx_init(&fx, NULL);
	REQUIRE(fx_cxt_new(&fx, 1, 1024, FN) == 0);
	for (int k = 0; k < 5; k++)
		fx_submit(&fx, 1, &d, true);
	fx_run(&fx);
	CHECK_EQ(fx_admin(&fx, &(union sdxi_desc){ .cxt_stop =
		d_range(SDXI_DSC_CXT_STOP, 1, 1).cxt_stop }), 0);
	CHECK_EQ(fx_admin(&fx, &(union sdxi_desc){ .sync =
		d_sync(SDXI_SYNC_FLT_STOP, 1, 1).sync }), 0);
	CHECK_EQ(fx_state(&fx, 1), SDXI_CXTV_STOP_SW);
	/* Stopped: doorbells are ignored, work stays queued in the ring. */
	i = fx_submit(&fx, 1, &d, true);
	fx_run(&fx);
	CHECK_EQ(fx_csb(&fx, 1, i), -1);
	CHECK_EQ(fx_admin(&fx, &(union sdxi_desc){ .cxt_start =
		d_range(SDXI_DSC_CXT_START_RS, 1, 1).cxt_start }), 0);
	CHECK_EQ(fx_r(&fx, 1), 5);
	fx_doorbell(&fx, 1);
	fx_run(&fx);
	CHECK_EQ(fx_csb(&fx, 1, i), 0);
	CHECK_EQ(fx_r(&fx, 1), 6);
	fx_fini(&fx);
}

TEST(start_with_doorbell_value_runs_pending_work)
{
	struct fx fx;
	union sdxi_desc s = d_range(SDXI_DSC_CXT_START_NM, 1, 1), d = nop();
	uint64_t i;

	fx_init(&fx, NULL);
	fx_cxt_build(&fx, 1, 1024, FN);
	i = fx_put(&fx, 1, &d, true);
	s.cxt_start.vflags = SDXI_DSC_VFLAGS_DV;
	s.cxt_start.db_value = 1;
	CHECK_EQ(fx_admin(&fx, &s), 0);
	CHECK_EQ(fx_csb(&fx, 1, i), 0);
	fx_fini(&fx);
}

TEST(start_of_range_walks_each_context)
{
	struct fx fx;

	fx_init(&fx, NULL);
	for (uint32_t id = 4; id <= 6; id++)
		fx_cxt_build(&fx, id, 1024, FN);
	CHECK_EQ(fx_admin(&fx, &(union sdxi_desc){ .cxt_start =
		d_range(SDXI_DSC_CXT_START_NM, 4, 6).cxt_start }), 0);
	for (uint32_t id = 4; id <= 6; id++)
		CHECK_EQ(fx_state(&fx, id), SDXI_CXTV_RUN);
	fx_fini(&fx);
}

TEST(cxt_upd_rereads_cached_tables)
{
	struct fx fx;
	union sdxi_desc d = nop();
	uint64_t ring2, i;

	fx_init(&fx, NULL);
	REQUIRE(fx_cxt_new(&fx, 1, 1024, FN) == 0);
	/* Move the ring: without CXT_UPD the function keeps the old one. */
	ring2 = fx_alloc(&fx, FN, 2048 * 64, 4096);
	fx_ctl(&fx, 1)->ds_ring_ptr = ring2 | SDXI_CXT_CTL_VL;
	fx_ctl(&fx, 1)->ds_ring_sz = 2048;
	i = fx_submit(&fx, 1, &d, true);	/* written to the old ring */
	fx_run(&fx);
	CHECK_EQ(fx_csb(&fx, 1, i), 0);
	CHECK_EQ(fx_admin(&fx, &(union sdxi_desc){ .cxt_upd =
		d_range(SDXI_DSC_CXT_UPD, 1, 1).cxt_upd }), 0);
	CHECK_EQ(fx_admin(&fx, &(union sdxi_desc){ .sync =
		d_sync(SDXI_SYNC_FLT_CXT, 1, 1).sync }), 0);
	/* Now slot 1 is read from the new ring. */
	fx.cxt[1].ring = ring2;
	fx.cxt[1].ring_sz = 2048;
	i = fx_submit(&fx, 1, &d, true);
	fx_run(&fx);
	CHECK_EQ(fx_csb(&fx, 1, i), 0);
	CHECK_EQ(fx_r(&fx, 1), 2);
	fx_fini(&fx);
}

TEST(cxt_upd_of_broken_tables_fails_the_context)
{
	struct fx fx;
	struct fx_err e;

	fx_init(&fx, NULL);
	REQUIRE(fx_cxt_new(&fx, 1, 1024, FN) == 0);
	fx_ctl(&fx, 1)->ds_ring_sz = 100;
	CHECK_EQ(fx_admin(&fx, &(union sdxi_desc){ .cxt_upd =
		d_range(SDXI_DSC_CXT_UPD, 1, 1).cxt_upd }), 0);
	CHECK_EQ(fx_state(&fx, 1), SDXI_CXTV_ERR_FN);
	e = fx_last_err(&fx);
	CHECK_EQ(e.step, SDXI_STEP_CXT_CTL);
	CHECK_EQ(e.reason, SDXI_ERR_RING_SIZE);
	CHECK_EQ(e.cxt, 1);
	CHECK_EQ(e.re, SDXI_RE_CXT_STOPPED);
	fx_fini(&fx);
}

TEST(fn_upd_and_akey_upd_are_accepted)
{
	struct fx fx;
	union sdxi_desc a = d_range(SDXI_DSC_AKEY_UPD, 1, 1);

	fx_init(&fx, NULL);
	REQUIRE(fx_cxt_new(&fx, 1, 1024, FN) == 0);
	a.cxt_upd.key_start = 0;
	a.cxt_upd.key_end = 255;
	CHECK_EQ(fx_admin(&fx, &a), 0);
	CHECK_EQ(fx_admin(&fx, &(union sdxi_desc){ .generic =
		d_op(SDXI_DSC_TYPE_ADMIN, SDXI_DSC_FN_UPD).generic }), 0);
	CHECK_EQ(fx_state(&fx, 1), SDXI_CXTV_RUN);
	fx_fini(&fx);
}

TEST(adm_intr_raises_vector)
{
	struct fx fx;
	union sdxi_desc d = d_op(SDXI_DSC_TYPE_ADMIN, SDXI_DSC_ADM_INTR);

	fx_init(&fx, NULL);
	d.adm_intr.intr_num = 9;
	CHECK_EQ(fx_admin(&fx, &d), 0);
	CHECK_EQ(fx.irq[9], 1);
	d.adm_intr.intr_num = SDXIE_DEFAULT_NR_VECTORS;
	CHECK_EQ(fx_admin(&fx, &d), 1);
	CHECK_EQ(fx_last_err(&fx).reason, SDXI_ERR_INTR);
	fx_fini(&fx);
}

TEST(bad_admin_ranges_fail_and_admin_keeps_running)
{
	struct fx fx;
	union sdxi_desc d;

	fx_init(&fx, NULL);
	/* Context 0 cannot be started or stopped by descriptor. */
	d = d_range(SDXI_DSC_CXT_STOP, 0, 0);
	CHECK_EQ(fx_admin(&fx, &d), 1);
	CHECK_EQ(fx_last_err(&fx).reason, SDXI_ERR_CXT_RANGE);
	CHECK_EQ(fx_last_err(&fx).re, SDXI_RE_INFO);
	d = d_range(SDXI_DSC_CXT_START_NM, 5, 4);	/* start > end */
	CHECK_EQ(fx_admin(&fx, &d), 1);
	d = d_range(SDXI_DSC_CXT_START_NM, 1, SDXIE_DEFAULT_MAX_CXT + 1);
	CHECK_EQ(fx_admin(&fx, &d), 1);
	d = d_range(SDXI_DSC_CXT_STOP, 1, 1);
	d.cxt_stop.vflags = SDXI_DSC_VFLAGS_VF;		/* no VFs here */
	CHECK_EQ(fx_admin(&fx, &d), 1);
	d = d_sync(5, 1, 1);				/* unknown filter */
	CHECK_EQ(fx_admin(&fx, &d), 1);
	d = d_op(SDXI_DSC_TYPE_ADMIN, SDXI_DSC_RKEY_UPD);
	CHECK_EQ(fx_admin(&fx, &d), 1);
	CHECK_EQ(fx_last_err(&fx).reason, SDXI_ERR_BAD_TYPE);
	CHECK_EQ(sdxie_cxt_state(fx.fn, 0), SDXI_CXTV_RUN);
	CHECK_EQ(fx_admin(&fx, &(union sdxi_desc){ .generic = nop().generic }), 0);
	fx_fini(&fx);
}

TEST(start_of_invalid_context_fails_descriptor_not_function)
{
	struct fx fx;
	struct fx_err e;
	union sdxi_desc s = d_range(SDXI_DSC_CXT_START_NM, 8, 8);

	fx_init(&fx, NULL);
	CHECK_EQ(fx_admin(&fx, &s), 1);			/* no L1 entry */
	e = fx_last_err(&fx);
	CHECK_EQ(e.step, SDXI_STEP_CXT_L1);
	CHECK_EQ(e.reason, SDXI_ERR_NOT_VALID);
	CHECK_EQ(e.cxt, 0);
	CHECK(e.div);
	CHECK_EQ(sdxie_fn_state(fx.fn), SDXI_GSV_ACTIVE);
	/* Each table validity rule in turn. */
	fx_cxt_build(&fx, 8, 1024, FN);
	fx_ctl(&fx, 8)->ds_ring_sz = 1023;
	CHECK_EQ(fx_admin(&fx, &s), 1);
	CHECK_EQ(fx_last_err(&fx).reason, SDXI_ERR_RING_SIZE);
	fx_ctl(&fx, 8)->ds_ring_sz = (uint32_t)SDXI_RING_MAX_ENTRIES(SDXIE_DEFAULT_MAX_RING_SZ) + 1;
	CHECK_EQ(fx_admin(&fx, &s), 1);
	CHECK_EQ(fx_last_err(&fx).reason, SDXI_ERR_RING_SIZE);
	fx_ctl(&fx, 8)->ds_ring_sz = 1024;
	fx_ctl(&fx, 8)->write_index_ptr |= 4;
	CHECK_EQ(fx_admin(&fx, &s), 1);
	CHECK_EQ(fx_last_err(&fx).reason, SDXI_ERR_ALIGN);
	fx_ctl(&fx, 8)->write_index_ptr &= ~7ULL;
	fx_ctl(&fx, 8)->ds_ring_ptr &= ~SDXI_CXT_CTL_VL;
	CHECK_EQ(fx_admin(&fx, &s), 1);
	CHECK_EQ(fx_last_err(&fx).step, SDXI_STEP_CXT_CTL);
	fx_ctl(&fx, 8)->ds_ring_ptr |= SDXI_CXT_CTL_VL;
	fx_l1(&fx, 8)->akey_ptr |= SDXI_FIELD_PREP(SDXI_L1_ENT_AKEY_SZ, 7ULL);
	CHECK_EQ(fx_admin(&fx, &s), 1);
	CHECK_EQ(fx_last_err(&fx).reason, SDXI_ERR_SIZE);
	fx_l1(&fx, 8)->akey_ptr &= SDXI_L1_ENT_AKEY_PTR;
	fx_l1(&fx, 8)->cxt_ctl_ptr |= SDXI_L1_ENT_PV;
	fx_l1(&fx, 8)->misc |= 12345;			/* no such PASID */
	CHECK_EQ(fx_admin(&fx, &s), 1);
	CHECK_EQ(fx_last_err(&fx).reason, SDXI_ERR_PASID_INVALID);
	fx_l1(&fx, 8)->cxt_ctl_ptr &= ~SDXI_L1_ENT_PV;
	fx_l1(&fx, 8)->misc &= ~SDXI_L1_ENT_CXT_PASID;
	fx_ctl(&fx, 8)->rsvd_1[2] = 1;
	CHECK_EQ(fx_admin(&fx, &s), 1);
	CHECK_EQ(fx_last_err(&fx).reason, SDXI_ERR_RSVD_SET);
	fx_ctl(&fx, 8)->rsvd_1[2] = 0;
	CHECK_EQ(fx_admin(&fx, &s), 0);
	CHECK_EQ(fx_state(&fx, 8), SDXI_CXTV_RUN);
	fx_fini(&fx);
}

TEST(context_in_l1_table_of_second_l2_entry)
{
	struct fx fx;
	uint64_t l1b;
	union sdxi_desc d = nop();
	uint64_t i;

	/* ID 130: L2 index 1, L1 index 2 (hardware.rst, "Contexts"). */
	struct sdxie_config cfg;

	sdxie_config_default(&cfg);
	cfg.max_cxt = 255;
	fx_init(&fx, &cfg);
	l1b = fx_alloc(&fx, FN, 4096, 4096);
	fx_wr64(&fx, FN, fx.l2 + 8, l1b | SDXI_L2_ENT_VL);
	/* fx_l1 indexes the first table; build in it and move the entry. */
	fx_cxt_build(&fx, 2, 1024, FN);
	memcpy(fx_ptr(&fx, FN, l1b + 2 * 32), fx_l1(&fx, 2), 32);
	memset(fx_l1(&fx, 2), 0, 32);
	fx.cxt[130] = fx.cxt[2];
	CHECK_EQ(fx_admin(&fx, &(union sdxi_desc){ .cxt_start =
		d_range(SDXI_DSC_CXT_START_NM, 130, 130).cxt_start }), 0);
	CHECK_EQ(fx_state(&fx, 130), SDXI_CXTV_RUN);
	i = fx_submit(&fx, 130, &d, true);
	fx_run(&fx);
	CHECK_EQ(fx_csb(&fx, 130, i), 0);
	/* ID 2 itself has no L1 entry now. */
	CHECK_EQ(fx_admin(&fx, &(union sdxi_desc){ .cxt_start =
		d_range(SDXI_DSC_CXT_START_NM, 2, 2).cxt_start }), 1);
	fx_fini(&fx);
}
