// SPDX-License-Identifier: MIT
/*
 * Error propagation with the engine's fault injection (software device
 * only; SKIP elsewhere): decoded records, errno mapping, cancellation of
 * later descriptors, partial copies, reset, function errors, and errors
 * the device finds in descriptors the library cannot check.
 */
#include <stdlib.h>

#include "helpers.h"

struct efx {
	struct sdxi_dev *dev;
	struct sdxi_ctx *ctx;
	uint8_t *buf;
};

#define EBUF	(1u << 20)

static int efx_up(struct efx *f, uint32_t flags)
{
	f->dev = test_dev();
	f->ctx = test_ctx(f->dev, 0, flags);
	f->buf = test_buf(EBUF);
	if (!f->ctx || !f->buf)
		return 0;
	test_register(f->ctx, f->buf, EBUF);
	return 1;
}

static void efx_down(struct efx *f)
{
	sdxi_ctx_destroy(f->ctx);
	sdxi_dev_close(f->dev);
	test_buf_free(f->buf, EBUF);
}

static uint64_t submit_copy(struct sdxi_ctx *ctx, uint64_t dst, uint64_t src, uint64_t len)
{
	struct sdxi_batch b;
	uint64_t t = UINT64_MAX;

	if (!sdxi_batch_start(ctx, &b, 1, SDXI_BATCH_WAIT)) {
		sdxi_batch_copy(&b, dst, src, len, 0);
		sdxi_batch_submit(&b, &t);
	}
	return t;
}

TEST(fault_addr_fails_copy_with_decoded_record)
{
	struct sdxi_soft_faults sf;
	struct sdxi_error err;
	struct efx f;
	uint64_t src, dst, t;

	REQUIRE(efx_up(&f, 0));
	src = test_va(f.buf);
	dst = test_va(f.buf) + EBUF / 2;
	sf = (struct sdxi_soft_faults){ .fault_addr = dst + 1000 };
	if (test_inject(f.dev, &sf)) {
		efx_down(&f);
		SKIP("no fault injection on this device");
	}
	test_pattern(f.buf, 4096, 3);
	memset(f.buf + EBUF / 2, 0, 4096);
	t = submit_copy(f.ctx, dst, src, 4096);
	CHECK_ERR(sdxi_wait(f.ctx, t, NULL, &err), -EFAULT);
	CHECK_EQ(err.step, SDXI_STEP_DATA);
	CHECK_EQ(err.sub_step, SDXI_SUB_STEP_XLATE);
	CHECK_EQ(err.reason, SDXI_ERR_INJECTED);
	CHECK_EQ(err.buf, SDXI_BUF_DST);
	CHECK_EQ(err.addr, dst + 1000);
	CHECK_EQ(err.index, t);
	/* Front to back: the bytes before the fault were written. */
	CHECK(test_pattern_ok(f.buf + EBUF / 2, 1000, 3));
	CHECK_EQ(f.buf[EBUF / 2 + 1000], 0);
	/* Still armed until cleared. */
	CHECK_ERR(test_faults(f.dev, &sf), 0);
	CHECK_EQ(sf.fault_addr, dst + 1000);
	sf = (struct sdxi_soft_faults){ 0 };
	CHECK_ERR(test_inject(f.dev, &sf), 0);
	CHECK_ERR(sdxi_ctx_reset(f.ctx), 0);
	t = submit_copy(f.ctx, dst, src, 4096);
	CHECK_ERR(test_wait(f.ctx, t), 0);
	CHECK(test_pattern_ok(f.buf + EBUF / 2, 4096, 3));
	efx_down(&f);
}

TEST(fault_after_is_one_shot_mid_copy)
{
	struct sdxi_soft_faults sf = { .fault_after = 3000 };
	struct sdxi_error err;
	struct efx f;
	uint64_t t;

	REQUIRE(efx_up(&f, 0));
	if (test_inject(f.dev, &sf)) {
		efx_down(&f);
		SKIP("no fault injection on this device");
	}
	test_pattern(f.buf, 8192, 6);
	t = submit_copy(f.ctx, test_va(f.buf) + 65536, test_va(f.buf), 8192);
	CHECK_ERR(sdxi_wait(f.ctx, t, NULL, &err), -EFAULT);
	CHECK_EQ(err.reason, SDXI_ERR_INJECTED);
	CHECK_EQ(err.step, SDXI_STEP_DATA);
	CHECK(test_pattern_ok(f.buf + 65536, 3000, 6));
	CHECK_ERR(test_faults(f.dev, &sf), 0);
	CHECK_EQ(sf.fault_after, 0);		/* disarmed */
	CHECK_ERR(sdxi_ctx_reset(f.ctx), 0);
	t = submit_copy(f.ctx, test_va(f.buf) + 65536, test_va(f.buf), 8192);
	CHECK_ERR(test_wait(f.ctx, t), 0);
	efx_down(&f);
}

/*
 * After a failure nothing later runs: the batch's ticket reports the
 * failed descriptor's error, every later ticket is -ECANCELED, and new
 * work is refused at once with -EPIPE until the reset.
 */
TEST(failure_cancels_later_tickets_until_reset)
{
	struct sdxi_soft_faults sf;
	struct sdxi_ctx_status st;
	struct sdxi_error err;
	struct sdxi_batch b;
	struct efx f;
	uint64_t t[6], batch, later, tt;

	REQUIRE(efx_up(&f, 0));
	sf = (struct sdxi_soft_faults){ .fault_addr = test_va(f.buf) + 3 * 4096 + 8 };
	if (test_inject(f.dev, &sf)) {
		efx_down(&f);
		SKIP("no fault injection on this device");
	}
	/* Stalled while both batches go in: the later one is queued before the failure. */
	sf.stall = 1;
	CHECK_ERR(test_inject(f.dev, &sf), 0);
	CHECK_ERR(sdxi_batch_start(f.ctx, &b, 6, 0), 0);
	for (int i = 0; i < 6; i++) {
		t[i] = sdxi_batch_ticket(&b);
		CHECK_ERR(sdxi_batch_copy(&b, test_va(f.buf) + (uint64_t)i * 4096,
					  test_va(f.buf) + 65536, 64, 0), 0);
	}
	CHECK_ERR(sdxi_batch_submit(&b, &batch), 0);
	CHECK_EQ(batch, t[5]);
	later = submit_copy(f.ctx, test_va(f.buf) + 8 * 4096, test_va(f.buf) + 65536, 64);
	sf.stall = 0;
	CHECK_ERR(test_inject(f.dev, &sf), 0);
	/* The batch's ticket: the failed descriptor's error and record. */
	memset(&err, 0, sizeof(err));
	CHECK_ERR(sdxi_wait(f.ctx, batch, NULL, &err), -EFAULT);
	CHECK_EQ(err.index, t[3]);
	CHECK_EQ(err.reason, SDXI_ERR_INJECTED);
	for (int i = 0; i < 3; i++)
		CHECK_ERR(sdxi_poll(f.ctx, t[i]), 0);
	CHECK_ERR(sdxi_poll(f.ctx, t[3]), -EFAULT);
	CHECK_ERR(sdxi_poll(f.ctx, t[4]), -ECANCELED);	/* a descriptor, not a ticket */
	CHECK_ERR(sdxi_poll(f.ctx, later), -ECANCELED);	/* a later batch */
	CHECK_ERR(sdxi_ctx_status(f.ctx, &st), 0);
	CHECK_EQ(st.state, SDXI_CXTV_ERR_FN);
	CHECK_EQ(st.read_index, t[3] + 1);
	CHECK_EQ(st.errors, 1);
	CHECK_EQ(st.last.index, t[3]);
	/* New work is refused at once, whatever its size. */
	sf = (struct sdxi_soft_faults){ 0 };
	CHECK_ERR(test_inject(f.dev, &sf), 0);
	CHECK_ERR(sdxi_batch_start(f.ctx, &b, 1, 0), -EPIPE);
	CHECK_ERR(sdxi_batch_submit(&b, NULL), -EINVAL);
	CHECK_ERR(sdxi_batch_start(f.ctx, &b, sdxi__ring(f.ctx)->mask + 1, SDXI_BATCH_WAIT),
		  -EPIPE);
	CHECK_ERR(sdxi_memcpy_async(f.ctx, f.buf + 4096, f.buf, 64, &tt), -EPIPE);
	CHECK_ERR(sdxi_memcpy(f.ctx, f.buf + 4096, f.buf, 64), -EPIPE);
	CHECK_ERR(sdxi_fill(f.ctx, f.buf, 7, 100), -EPIPE);
	CHECK_ERR(sdxi_ctx_error(f.ctx, &err), 0);
	CHECK_EQ(err.index, t[3]);
	/* After the reset, the old tickets resolve as before. */
	CHECK_ERR(sdxi_ctx_reset(f.ctx), 0);
	CHECK_ERR(sdxi_poll(f.ctx, t[2]), 0);
	CHECK_ERR(sdxi_poll(f.ctx, t[3]), -EFAULT);
	CHECK_ERR(sdxi_poll(f.ctx, t[4]), -ECANCELED);
	CHECK_ERR(sdxi_poll(f.ctx, batch), -EFAULT);
	CHECK_ERR(sdxi_poll(f.ctx, later), -ECANCELED);
	CHECK_ERR(test_wait(f.ctx, submit_copy(f.ctx, test_va(f.buf), test_va(f.buf) + 8192, 64)),
		  0);
	efx_down(&f);
}

/*
 * Errors the library cannot see coming: a descriptor naming an AKey the
 * context does not have.  The device rejects it (step 11, AKEY_INVALID)
 * and the ticket fails with -EINVAL.
 */
TEST(device_rejects_unknown_akey)
{
	struct sdxi_desc_attr a = { .akey0 = 200, .akey1 = 200 };
	struct sdxi_error err;
	struct sdxi_batch b;
	union sdxi_desc d;
	struct efx f;
	uint64_t t;

	REQUIRE(efx_up(&f, 0));
	REQUIRE(sdxi_prep_copy(&d, &a, test_va(f.buf) + 4096, test_va(f.buf), 64) == 0);
	CHECK_ERR(sdxi_batch_start(f.ctx, &b, 1, 0), 0);
	CHECK_ERR(sdxi_batch_add(&b, &d, 0), 0);
	CHECK_ERR(sdxi_batch_submit(&b, &t), 0);
	CHECK_ERR(sdxi_wait(f.ctx, t, NULL, &err), -EINVAL);
	CHECK_EQ(err.step, SDXI_STEP_AKEY);
	CHECK_EQ(err.reason, SDXI_ERR_AKEY_INVALID);
	CHECK_EQ(err.index, t);
	efx_down(&f);
}

TEST(stalled_device_wait_times_out)
{
	struct sdxi_wait_opts o = { .mode = SDXI_WAIT_SPIN, .timeout_ns = 20000000 };
	struct sdxi_batch b;
	struct efx f;
	uint64_t t;

	REQUIRE(efx_up(&f, 0));
	if (test_stall(f.dev, 1)) {
		efx_down(&f);
		SKIP("no fault injection on this device");
	}
	CHECK_ERR(sdxi_batch_start(f.ctx, &b, 1, 0), 0);
	CHECK_ERR(sdxi_batch_submit(&b, &t), 0);
	CHECK_ERR(sdxi_wait(f.ctx, t, &o, NULL), -ETIMEDOUT);
	CHECK_ERR(sdxi_poll(f.ctx, t), -EAGAIN);
	CHECK_ERR(test_stall(f.dev, 0), 0);
	CHECK_ERR(test_wait(f.ctx, t), 0);
	efx_down(&f);
}

/*
 * A function error stops every context; waiters get -EIO, not a hang.  The
 * software device stays down; the kernel recovers the function, and the
 * context (left stopped by the function) comes back through a reset.
 */
TEST(function_error_fails_waiters_with_eio)
{
	struct sdxi_soft_faults sf = { .stall = 1, .force_fn_error = 1 };
	struct sdxi_ctx_status st;
	struct sdxi_dev_info in;
	struct sdxi_ctx *other;
	struct sdxi_error err;
	struct sdxi_batch b;
	struct efx f;
	uint64_t t;

	REQUIRE(efx_up(&f, 0));
	if (test_stall(f.dev, 1)) {
		efx_down(&f);
		SKIP("no fault injection on this device");
	}
	CHECK_ERR(sdxi_batch_start(f.ctx, &b, 1, 0), 0);
	CHECK_ERR(sdxi_batch_submit(&b, &t), 0);
	/* Still stalled when the function fails: the NOP never runs. */
	CHECK_ERR(test_inject(f.dev, &sf), 0);
	CHECK_ERR(sdxi_wait(f.ctx, t, NULL, &err), -EIO);
	CHECK_EQ(err.reason, SDXI_ERR_FN_FORCED);
	CHECK_EQ(err.reaction, SDXI_RE_FN_STOPPED);
	CHECK_ERR(sdxi_ctx_status(f.ctx, &st), 0);
	CHECK_EQ(st.state, SDXI_CXTV_STOP_FN);
	CHECK_ERR(test_stall(f.dev, 0), 0);
	if (test_is_soft(f.dev)) {
		/* No recovery here: the function is gone, no new contexts. */
		CHECK_ERR(sdxi_dev_info(f.dev, &in), 0);
		CHECK_EQ(in.free_contexts, 0);
		CHECK_ERR(_test_ctx(f.dev, 0, 0, &other), -EIO);
		CHECK_ERR(sdxi_ctx_reset(f.ctx), -EIO);
	} else {
		/* Recovered: the context stays stopped until it is reset. */
		CHECK_ERR(sdxi_ctx_reset(f.ctx), 0);
		t = submit_copy(f.ctx, test_va(f.buf) + 4096, test_va(f.buf), 64);
		CHECK_ERR(test_wait(f.ctx, t), 0);
	}
	efx_down(&f);
}

TEST(reason_names_and_errno_mapping)
{
	CHECK(!strcmp(sdxi_reason_name(SDXI_ERR_XLATE), "XLATE"));
	CHECK(!strcmp(sdxi_reason_name(SDXI_ERR_OVERLAP), "OVERLAP"));
	CHECK(!strcmp(sdxi_reason_name(SDXI_ERR_FN_FORCED), "FN_FORCED"));
	CHECK(!strcmp(sdxi_reason_name(999), "UNKNOWN"));
}
