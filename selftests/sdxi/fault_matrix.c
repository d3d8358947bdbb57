// SPDX-License-Identifier: GPL-2.0
/*
 * Fault matrix: every fault-injection knob of the function
 * (Documentation/hardware.rst "Fault injection") crossed with every
 * operation class and every completion mode of a user context
 * (Documentation/uapi.rst "Submitting", "poll() and read()").
 *
 *   knobs        fault_addr   a data access covering the address fails
 *                fault_after  N more data bytes move, then one fault
 *                stall        nothing executes (the caller's wait times out)
 *                fn_error     forced function error with the work queued
 *   op classes   copy, repcopy, wimm (WRT_IMM), atomic (UADD with return
 *                data), nop_intr (a NOP and a DSC_INTR: no data access)
 *   modes        csb    poll the CST_BLK (signal, then ER)
 *                ri     poll the read index and CXT_STS.state
 *                block  sleep in poll() on the context's eventfd and the
 *                       device file (POLLIN: interrupt, POLLPRI: error)
 *
 * Each case asserts the documented outcome (the exact decoded error
 * record, the bytes moved before the fault, the timeout, the function
 * recovery with the context left STOP_FN: uapi.rst "Function errors"),
 * then that the context, reset when it needs to be, runs the next
 * workload correctly.  destroy_during_a_stall_past_the_admin_timeout_recovers
 * adds the kernel's side of a stall: an admin operation that times out.
 *
 * The knobs exist only on the emulated function; without sdxi-qom-set
 * (tools/vm) every case SKIPs.
 */
#include "../kselftest_harness.h"
#include "sdxi_common.h"

#define PG		SDXI_PG
#define BUF_PAGES	8
#define STALL_MS	300	/* how long a stalled wait is given */
#define WAIT_MS		5000

enum knob { K_fault_addr, K_fault_after, K_stall, K_fn_error };
enum opc { O_copy, O_repcopy, O_wimm, O_atomic, O_nop_intr };
enum mode { M_csb, M_ri, M_block };

/* Copy: 4096 bytes; the fault lands 1000 bytes in. */
#define COPY_LEN	4096
#define COPY_FAULT	1000
/* REPCOPY: 16 blocks of 256 bytes; the fault lands 10 bytes into block 3. */
#define REP_LEN		256
#define REP_COUNT	16
#define REP_FAULT	(3 * REP_LEN + 10)
/* WRT_IMM: 16 bytes at dst + 64; a single access, so nothing is written. */
#define WIMM_OFF	64
#define WIMM_LEN	16
/* UADD: target (8 bytes) and return data in their own page. */
#define TGT_OFF		64
#define RET_OFF		128
#define TGT_INIT	1000ULL
#define UADD_BY		5ULL

static const char wimm_data[WIMM_LEN] = "0123456789abcdef";

FIXTURE(fm) {
	int fd;
	int efd;
	struct uctx x;
	unsigned char *src, *dst;
	uint64_t *atom;		/* target at TGT_OFF, return data at RET_OFF */
	bool stalled;
};

FIXTURE_VARIANT(fm) {
	enum knob knob;
	enum opc op;
	enum mode mode;
};

#define FM(k, o, m)							\
	FIXTURE_VARIANT_ADD(fm, k##_##o##_##m) {			\
		.knob = K_##k, .op = O_##o, .mode = M_##m,		\
	}
#define FM_MODES(k, o)	FM(k, o, csb); FM(k, o, ri); FM(k, o, block)
#define FM_OPS(k)							\
	FM_MODES(k, copy); FM_MODES(k, repcopy); FM_MODES(k, wimm);	\
	FM_MODES(k, atomic); FM_MODES(k, nop_intr)

FM_OPS(fault_addr);
FM_OPS(fault_after);
FM_OPS(stall);
FM_OPS(fn_error);

static uint64_t *tgt(FIXTURE_DATA(fm) *self)
{
	return &self->atom[TGT_OFF / 8];
}

static uint64_t *retp(FIXTURE_DATA(fm) *self)
{
	return &self->atom[RET_OFF / 8];
}

static uint32_t id_of(FIXTURE_DATA(fm) *self)
{
	return self->x.c.out_context_id;
}

FIXTURE_SETUP(fm)
{
	unsigned int i;

	self->efd = -1;
	OPEN_OR_SKIP(&self->fd);
	REQUIRE_ISOLATION(self->fd);
	REQUIRE_QOM();
	ASSERT_EQ(0, uctx_create(self->fd, SDXI_CTX_F_INTERRUPT, 0, &self->x));
	self->src = alloc_pages_filled(BUF_PAGES, 0);
	self->dst = alloc_pages_filled(BUF_PAGES, 0);
	self->atom = alloc_pages_filled(1, 0);
	ASSERT_NE(NULL, self->src);
	ASSERT_NE(NULL, self->dst);
	ASSERT_NE(NULL, self->atom);
	for (i = 0; i < BUF_PAGES * PG; i++)
		self->src[i] = (unsigned char)(i * 7 + 3);
	*tgt(self) = TGT_INIT;
	*retp(self) = 0x5a5a5a5a5a5a5a5aULL;
	ASSERT_EQ(0, map_mem(self->fd, id_of(self), self->src, BUF_PAGES * PG,
			     SDXI_MAP_READ));
	ASSERT_EQ(0, map_mem(self->fd, id_of(self), self->dst, BUF_PAGES * PG,
			     SDXI_MAP_READ | SDXI_MAP_WRITE));
	ASSERT_EQ(0, map_mem(self->fd, id_of(self), self->atom, PG,
			     SDXI_MAP_READ | SDXI_MAP_WRITE));
	self->efd = eventfd(0, EFD_NONBLOCK);
	ASSERT_GE(self->efd, 0);
	ASSERT_EQ(0, set_eventfd(self->fd, id_of(self), self->efd));
}

FIXTURE_TEARDOWN(fm)
{
	/* Never leave a knob armed for the next test. */
	if (variant->knob == K_fault_addr)
		qom_set("fault-addr", "0");
	if (variant->knob == K_fault_after)
		qom_set("fault-after", "0");
	if (self->stalled)
		qom_set("stall", "false");
	if (self->efd >= 0)
		close(self->efd);
	if (self->fd >= 0)
		close(self->fd);
}

/* The descriptors of @op (1 or 2) into @d; returns how many. */
static unsigned int build_op(FIXTURE_DATA(fm) *self, enum opc op, union sdxi_desc *d)
{
	uint16_t k = self->x.c.out_akey_data;

	switch (op) {
	case O_copy:
		dsc_copy(&d[0], (uintptr_t)self->src, (uintptr_t)self->dst, COPY_LEN, k);
		return 1;
	case O_repcopy:
		dsc_repcopy(&d[0], (uintptr_t)self->src, (uintptr_t)self->dst,
			    REP_LEN, REP_COUNT, k);
		return 1;
	case O_wimm:
		dsc_wrt_imm(&d[0], (uintptr_t)self->dst + WIMM_OFF, wimm_data,
			    WIMM_LEN, k);
		return 1;
	case O_atomic:
		dsc_atomic(&d[0], SDXI_DSC_ATOMIC_UADD, 8, (uintptr_t)tgt(self),
			   (uintptr_t)retp(self), UADD_BY, 0, k);
		return 1;
	case O_nop_intr:
		dsc_nop(&d[0]);
		dsc_intr(&d[1], self->x.c.out_akey_intr);
		return 2;
	}
	return 0;
}

/* The address the knob names, and the error record's (addr, buffer). */
static uint64_t fault_addr_of(FIXTURE_DATA(fm) *self, enum opc op)
{
	switch (op) {
	case O_copy:
		return (uintptr_t)self->dst + COPY_FAULT;
	case O_repcopy:
		return (uintptr_t)self->dst + REP_FAULT;
	case O_wimm:
		return (uintptr_t)self->dst + WIMM_OFF + 8;
	case O_atomic:
		return (uintptr_t)tgt(self);
	case O_nop_intr:
		/* Anything: a NOP and an interrupt make no data access. */
		return (uintptr_t)self->dst;
	}
	return 0;
}

static uint64_t fault_after_of(enum opc op)
{
	switch (op) {
	case O_copy:
		return COPY_FAULT;
	case O_repcopy:
		return REP_FAULT;
	case O_wimm:
		return 8;
	case O_atomic:
		return 4;
	case O_nop_intr:
		return 1;
	}
	return 0;
}

/* Where the failing access is reported: a small access at its start. */
static uint64_t reported_addr(FIXTURE_DATA(fm) *self, enum opc op)
{
	switch (op) {
	case O_copy:
		return (uintptr_t)self->dst + COPY_FAULT;
	case O_repcopy:
		return (uintptr_t)self->dst + REP_FAULT;
	case O_wimm:
		return (uintptr_t)self->dst + WIMM_OFF;
	case O_atomic:
		return (uintptr_t)tgt(self);
	default:
		return 0;
	}
}

/* The atomic's target is buffer 0 (source) in the error log. */
static uint8_t reported_buf(enum opc op)
{
	return op == O_atomic ? SDXI_BUF_SRC : SDXI_BUF_DST;
}

/* Bytes of dst the operation writes completely. */
static void expect_full_effect(struct __test_metadata *_metadata,
			       FIXTURE_DATA(fm) *self, enum opc op)
{
	unsigned int i;

	switch (op) {
	case O_copy:
		EXPECT_EQ(0, memcmp(self->dst, self->src, COPY_LEN));
		EXPECT_TRUE(all_bytes(self->dst + COPY_LEN, PG, 0));
		break;
	case O_repcopy:
		for (i = 0; i < REP_COUNT; i++)
			EXPECT_EQ(0, memcmp(self->dst + i * REP_LEN, self->src, REP_LEN))
				TH_LOG("block %u", i);
		EXPECT_TRUE(all_bytes(self->dst + REP_COUNT * REP_LEN, PG, 0));
		break;
	case O_wimm:
		EXPECT_TRUE(all_bytes(self->dst, WIMM_OFF, 0));
		EXPECT_EQ(0, memcmp(self->dst + WIMM_OFF, wimm_data, WIMM_LEN));
		EXPECT_TRUE(all_bytes(self->dst + WIMM_OFF + WIMM_LEN, PG, 0));
		break;
	case O_atomic:
		EXPECT_EQ(TGT_INIT + UADD_BY, *tgt(self));
		EXPECT_EQ(TGT_INIT, *retp(self));
		break;
	case O_nop_intr:
		EXPECT_TRUE(all_bytes(self->dst, BUF_PAGES * PG, 0));
		break;
	}
}

/* What a data fault leaves: the bytes before the faulting access, no more. */
static void expect_partial_effect(struct __test_metadata *_metadata,
				  FIXTURE_DATA(fm) *self, enum opc op)
{
	switch (op) {
	case O_copy:
		EXPECT_EQ(0, memcmp(self->dst, self->src, COPY_FAULT));
		EXPECT_TRUE(all_bytes(self->dst + COPY_FAULT, BUF_PAGES * PG - COPY_FAULT, 0));
		break;
	case O_repcopy:
		EXPECT_EQ(0, memcmp(self->dst, self->src, REP_LEN));
		EXPECT_EQ(0, memcmp(self->dst + REP_LEN, self->src, REP_LEN));
		EXPECT_EQ(0, memcmp(self->dst + 2 * REP_LEN, self->src, REP_LEN));
		EXPECT_EQ(0, memcmp(self->dst + 3 * REP_LEN, self->src, 10));
		EXPECT_TRUE(all_bytes(self->dst + REP_FAULT, BUF_PAGES * PG - REP_FAULT, 0));
		break;
	case O_wimm:
		/* One access: all or nothing. */
		EXPECT_TRUE(all_bytes(self->dst, BUF_PAGES * PG, 0));
		break;
	case O_atomic:
		EXPECT_EQ(TGT_INIT, *tgt(self));
		EXPECT_EQ(0x5a5a5a5a5a5a5a5aULL, *retp(self));
		break;
	case O_nop_intr:
		break;
	}
}

static void expect_nothing_done(struct __test_metadata *_metadata,
				FIXTURE_DATA(fm) *self)
{
	EXPECT_TRUE(all_bytes(self->dst, BUF_PAGES * PG, 0));
	EXPECT_EQ(TGT_INIT, *tgt(self));
	EXPECT_EQ(0x5a5a5a5a5a5a5a5aULL, *retp(self));
}

/* The single decoded record of a data fault (hardware.rst "Errors"). */
static void expect_injected_record(struct __test_metadata *_metadata,
				   FIXTURE_DATA(fm) *self, enum opc op)
{
	struct sdxi_error_record rec[2];
	struct sdxi_context_status s;

	ASSERT_EQ(0, ctx_status_wait_error(self->fd, id_of(self), &s, rec, 2, 5000));
	EXPECT_EQ(SDXI_CXTV_ERR_FN, s.out_state);
	EXPECT_EQ(1, s.out_errors);
	ASSERT_EQ(1, s.nr_records);
	EXPECT_EQ(SDXI_STEP_DATA, rec[0].step);
	EXPECT_EQ(SDXI_SUB_STEP_XLATE, rec[0].sub_step);
	EXPECT_EQ(SDXI_RE_CXT_STOPPED, rec[0].reaction);
	EXPECT_EQ(SDXI_ERR_INJECTED, rec[0].reason);
	EXPECT_EQ(SDXI_ERR_F_DIV | SDXI_ERR_F_BV, rec[0].flags);
	EXPECT_EQ(0, rec[0].dsc_index);
	EXPECT_EQ(reported_buf(op), rec[0].buf);
	EXPECT_EQ(reported_addr(self, op), rec[0].addr);
	/* The failed descriptor retired, nothing after it. */
	EXPECT_EQ(1, s.out_read_index);
}

/* poll() on the eventfd and the device file; returns the device's revents. */
static short block_wait(FIXTURE_DATA(fm) *self, int ms, bool *intr)
{
	struct pollfd p[2] = {
		{ .fd = self->efd, .events = POLLIN },
		{ .fd = self->fd, .events = POLLIN | POLLPRI },
	};
	uint64_t v;

	*intr = false;
	if (poll(p, 2, ms) <= 0)
		return 0;
	/*
	 * A completion interrupt shows on the file (POLLIN) and signals the
	 * eventfd, one after the other, and poll() looks at the two one
	 * after the other: whichever woke us, wait for the eventfd itself.
	 */
	if ((p[0].revents | p[1].revents) & POLLIN) {
		struct pollfd e = { .fd = self->efd, .events = POLLIN };

		if (poll(&e, 1, ms) == 1)
			*intr = read(self->efd, &v, 8) == 8 && v >= 1;
	}
	return p[1].revents;
}

/* Drain the file's interrupt count so POLLIN means a new one. */
static void drain_events(FIXTURE_DATA(fm) *self)
{
	uint64_t v;
	int fl = fcntl(self->fd, F_GETFL);

	fcntl(self->fd, F_SETFL, fl | O_NONBLOCK);
	while (read(self->fd, &v, 8) == 8)
		;
	fcntl(self->fd, F_SETFL, fl);
	while (read(self->efd, &v, 8) == 8)
		;
}

/*
 * After the case: knob off, context reset when it needs it, then copy the
 * whole source, add to the target and write immediates, and check it all.
 */
static void next_workload_succeeds(struct __test_metadata *_metadata,
				   FIXTURE_DATA(fm) *self, bool reset)
{
	struct pollfd p = { .fd = self->fd, .events = POLLPRI };
	union sdxi_desc d[3];
	uint32_t slot;

	if (reset) {
		ASSERT_EQ(0, ctx_cmd(self->fd, SDXI_IOC_RESET_CONTEXT, id_of(self)));
		self->x.w = 0;
		/* RESET_CONTEXT clears the error poll() reported. */
		EXPECT_EQ(0, poll(&p, 1, 0));
	}
	memset(self->dst, 0, BUF_PAGES * PG);
	*tgt(self) = 40;
	*retp(self) = 0;
	dsc_copy(&d[0], (uintptr_t)self->src, (uintptr_t)self->dst, BUF_PAGES * PG - 64,
		 self->x.c.out_akey_data);
	dsc_atomic(&d[1], SDXI_DSC_ATOMIC_UADD, 8, (uintptr_t)tgt(self),
		   (uintptr_t)retp(self), 2, 0, self->x.c.out_akey_data);
	dsc_wrt_imm(&d[2], (uintptr_t)self->dst + BUF_PAGES * PG - 32, wimm_data,
		    WIMM_LEN, self->x.c.out_akey_data);
	slot = (self->x.w + 2) % self->x.c.out_ring_entries;
	uctx_use_slot_csb(&self->x, &d[2], self->x.w + 2);
	uctx_submit(&self->x, d, 3);
	ASSERT_EQ(0, uctx_wait(&self->x, self->x.w, WAIT_MS));
	EXPECT_EQ(0, uctx_wait_csb(&self->x, slot, WAIT_MS));
	EXPECT_EQ(0, memcmp(self->dst, self->src, BUF_PAGES * PG - 64));
	EXPECT_EQ(0, memcmp(self->dst + BUF_PAGES * PG - 32, wimm_data, WIMM_LEN));
	EXPECT_EQ(42, *tgt(self));
	EXPECT_EQ(40, *retp(self));
}

/*
 * After a function error a user context stays stopped until RESET_CONTEXT:
 * CXT_STS says STOP_FN (a read-index waiter sees it without a system call)
 * and the context's record is the function's error-log entry (step 1,
 * reaction 2, FN_FORCED).
 */
static void expect_fn_error_status(struct __test_metadata *_metadata,
				   FIXTURE_DATA(fm) *self)
{
	struct sdxi_error_record rec[2];
	struct sdxi_context_status s;

	EXPECT_EQ(SDXI_CXTV_STOP_FN, self->x.sts->state & SDXI_CXT_STS_STATE);
	ASSERT_EQ(0, ctx_status(self->fd, id_of(self), &s, rec, 2));
	EXPECT_EQ(SDXI_CXTV_STOP_FN, s.out_state);
	EXPECT_EQ(0, s.out_read_index);
	EXPECT_EQ(1, s.out_errors);
	ASSERT_EQ(1, s.nr_records);
	EXPECT_EQ(SDXI_ERR_FN_FORCED, rec[0].reason);
	EXPECT_EQ(SDXI_RE_FN_STOPPED, rec[0].reaction);
	EXPECT_EQ(SDXI_STEP_INTERNAL, rec[0].step);
	EXPECT_EQ(0, rec[0].flags & SDXI_ERR_F_DIV);
}

TEST_F(fm, inject)
{
	enum opc op = variant->op;
	enum mode mode = variant->mode;
	enum knob knob = variant->knob;
	uint32_t csb_slot = self->x.w % self->x.c.out_ring_entries;
	bool data_op = op != O_nop_intr, intr = false;
	long long r0 = sdxi_fn_counter("recoveries");
	union sdxi_desc d[3];
	unsigned int n, i;
	short rev = 0;
	int ret = 0;

	n = build_op(self, op, d);
	if (mode == M_csb) {
		/* One CST_BLK for the whole operation (signal counts them). */
		for (i = 0; i < n; i++)
			d[i].generic.csb_ptr = self->x.c.out_csb_iova + 32ULL * csb_slot;
		self->x.csb[csb_slot].flags = 0;
		self->x.csb[csb_slot].signal = n;
	}
	if (mode == M_block && op != O_nop_intr)
		dsc_intr(&d[n++], self->x.c.out_akey_intr);
	drain_events(self);

	/* Arm the knob. */
	switch (knob) {
	case K_fault_addr:
		ASSERT_EQ(0, qom_set_u64("fault-addr", fault_addr_of(self, op)));
		break;
	case K_fault_after:
		ASSERT_EQ(0, qom_set_u64("fault-after", fault_after_of(op)));
		break;
	case K_stall:
	case K_fn_error:
		self->stalled = true;
		ASSERT_EQ(0, qom_set("stall", "true"));
		break;
	}
	uctx_submit(&self->x, d, n);

	/* ---- fault_addr / fault_after: a data fault, or nothing to fault ---- */
	if (knob == K_fault_addr || knob == K_fault_after) {
		switch (mode) {
		case M_csb:
			ret = uctx_wait_csb(&self->x, csb_slot, WAIT_MS);
			/* Failed: ER then signal; fine: signal alone. */
			EXPECT_EQ(data_op ? -EIO : 0, ret);
			break;
		case M_ri:
			ret = uctx_wait(&self->x, n, WAIT_MS);
			EXPECT_EQ(data_op ? -EIO : 0, ret);
			break;
		case M_block:
			rev = block_wait(self, WAIT_MS, &intr);
			if (data_op) {
				/* The context stopped before its DSC_INTR. */
				EXPECT_EQ(POLLPRI | POLLERR, rev & (POLLPRI | POLLERR));
				EXPECT_FALSE(intr);
			} else {
				EXPECT_TRUE(intr);
				EXPECT_EQ(0, rev & (POLLPRI | POLLERR));
			}
			break;
		}
		if (data_op) {
			expect_injected_record(_metadata, self, op);
			expect_partial_effect(_metadata, self, op);
			/* fault_after is one-shot: it disarmed when it fired. */
			if (knob == K_fault_after)
				EXPECT_EQ(0, qom_get("fault-after"));
		} else {
			/* Control accesses and interrupts are not data accesses. */
			ASSERT_EQ(0, uctx_wait(&self->x, n, WAIT_MS));
			EXPECT_EQ(SDXI_CXTV_RUN, self->x.sts->state & SDXI_CXT_STS_STATE);
			expect_full_effect(_metadata, self, op);
			if (knob == K_fault_after)
				EXPECT_EQ((long long)fault_after_of(op), qom_get("fault-after"));
		}
		qom_set(knob == K_fault_addr ? "fault-addr" : "fault-after", "0");
		next_workload_succeeds(_metadata, self, data_op);
		return;
	}

	/* ---- stall: the wait times out, nothing ran; lifted, all of it runs -- */
	if (knob == K_stall) {
		switch (mode) {
		case M_csb:
			EXPECT_EQ(-ETIMEDOUT, uctx_wait_csb(&self->x, csb_slot, STALL_MS));
			EXPECT_EQ(n, self->x.csb[csb_slot].signal);
			break;
		case M_ri:
			EXPECT_EQ(-ETIMEDOUT, uctx_wait(&self->x, n, STALL_MS));
			break;
		case M_block:
			EXPECT_EQ(0, block_wait(self, STALL_MS, &intr));
			EXPECT_FALSE(intr);
			break;
		}
		EXPECT_EQ(0, self->x.sts->read_index);
		expect_nothing_done(_metadata, self);
		ASSERT_EQ(0, qom_set("stall", "false"));
		self->stalled = false;
		switch (mode) {
		case M_csb:
			EXPECT_EQ(0, uctx_wait_csb(&self->x, csb_slot, WAIT_MS));
			break;
		case M_ri:
			EXPECT_EQ(0, uctx_wait(&self->x, n, WAIT_MS));
			break;
		case M_block:
			rev = block_wait(self, WAIT_MS, &intr);
			EXPECT_TRUE(intr);
			EXPECT_EQ(0, rev & (POLLPRI | POLLERR));
			break;
		}
		ASSERT_EQ(0, uctx_wait(&self->x, n, WAIT_MS));
		expect_full_effect(_metadata, self, op);
		next_workload_succeeds(_metadata, self, false);
		return;
	}

	/*
	 * ---- fn_error: the function fails with the work queued -------------
	 * The function writes nothing for its contexts and forgets them
	 * (hardware.rst "Function state machine"); the driver recovers it and
	 * tells the file through poll(): POLLPRI | POLLERR until RESET_CONTEXT
	 * (uapi.rst "poll() and read()").  The queued work never ran, and no
	 * completion mode may report it as done.
	 */
	usleep(20000);
	EXPECT_EQ(0, self->x.sts->read_index);
	ASSERT_EQ(0, qom_set("force-fn-error", "true"));
	ASSERT_EQ(0, qom_set("stall", "false"));
	self->stalled = false;
	rev = block_wait(self, WAIT_MS, &intr);
	EXPECT_EQ(POLLPRI | POLLERR, rev & (POLLPRI | POLLERR));
	EXPECT_FALSE(intr);
	EXPECT_TRUE(wait_recovered(r0)) TH_LOG("no function recovery after the forced error");
	/* Give a (wrong) late completion the chance to show. */
	usleep(50000);
	expect_nothing_done(_metadata, self);
	switch (mode) {
	case M_csb:
		/*
		 * The block was armed with signal n and its descriptors never
		 * executed: it must not read as "completed without error"
		 * (signal 0, ER clear).
		 */
		EXPECT_FALSE(self->x.csb[csb_slot].signal == 0 &&
			     !(self->x.csb[csb_slot].flags & SDXI_CST_BLK_ER))
			TH_LOG("CST_BLK of a descriptor that never ran reads as completed "
			       "without error after function recovery (signal %llu flags %#x)",
			       (unsigned long long)self->x.csb[csb_slot].signal,
			       self->x.csb[csb_slot].flags);
		break;
	case M_ri:
		/* The read index never passes work that did not run. */
		EXPECT_EQ(-ETIMEDOUT, uctx_wait(&self->x, n, STALL_MS));
		break;
	case M_block:
		EXPECT_EQ(0, block_wait(self, STALL_MS, &intr) & POLLIN);
		EXPECT_FALSE(intr);
		break;
	}
	expect_fn_error_status(_metadata, self);
	/* Still reported until the reset. */
	{
		struct pollfd p = { .fd = self->fd, .events = POLLPRI };

		EXPECT_EQ(1, poll(&p, 1, 0));
	}
	next_workload_succeeds(_metadata, self, true);
}

/*
 * stall + timeout on the kernel side: DESTROY_CONTEXT while the engine
 * is stalled longer than an admin operation may take (2 s).  The stop
 * times out, the driver recovers the function (a hard stop completes even
 * while stalled), the context is freed anyway and DESTROY succeeds;
 * recovery cannot finish (its admin round trip stalls too) until the
 * stall is lifted, then it does.  The file's other context is left
 * stopped (STOP_FN, POLLPRI) until RESET_CONTEXT, after which it works.
 */
TEST(destroy_during_a_stall_past_the_admin_timeout_recovers)
{
	long long t0_admin = sdxi_fn_counter("admin_timeouts");
	long long r0 = sdxi_fn_counter("recoveries");
	unsigned char *a = alloc_pages_filled(2, 0x61), *b = alloc_pages_filled(2, 0);
	struct pollfd p;
	union sdxi_desc d;
	struct uctx x, y;
	uint64_t t0, ms;
	int fd, ret;

	OPEN_OR_SKIP(&fd);
	REQUIRE_ISOLATION(fd);
	REQUIRE_QOM();
	ASSERT_NE(NULL, a);
	ASSERT_NE(NULL, b);
	ASSERT_EQ(0, uctx_create(fd, 0, 0, &x));
	ASSERT_EQ(0, uctx_create(fd, 0, 0, &y));
	ASSERT_EQ(0, map_mem(fd, x.c.out_context_id, a, 2 * PG, SDXI_MAP_READ));
	ASSERT_EQ(0, map_mem(fd, x.c.out_context_id, b, 2 * PG, SDXI_MAP_WRITE));
	ASSERT_EQ(0, qom_set("stall", "true"));
	dsc_copy(&d, (uintptr_t)a, (uintptr_t)b, 2 * PG, 0);
	uctx_submit(&x, &d, 1);
	uctx_unmap(&x);
	t0 = now_ms();
	ret = ctx_cmd(fd, SDXI_IOC_DESTROY_CONTEXT, x.c.out_context_id);
	ms = now_ms() - t0;
	EXPECT_EQ(0, ret);
	TH_LOG("DESTROY_CONTEXT under the stall took %llu ms", (unsigned long long)ms);
	/* Bounded: the 2 s admin timeout and a hard stop, not forever. */
	EXPECT_GE(ms, 1000);
	EXPECT_LT(ms, 15000);
	EXPECT_GT(sdxi_fn_counter("admin_timeouts"), t0_admin);
	/* Freed although the function never confirmed the stop. */
	EXPECT_EQ(1, sdxi_counter("user_contexts"));
	EXPECT_EQ(1, sdxi_counter("pasids"));
	EXPECT_EQ(0, sdxi_counter("pinned_pages"));
	/* Nothing ran. */
	EXPECT_TRUE(all_bytes(b, 2 * PG, 0));
	ASSERT_EQ(0, qom_set("stall", "false"));
	EXPECT_TRUE(wait_recovered(r0));
	/* The other context: stopped by the recovery, reported, reset, fine. */
	p = (struct pollfd){ .fd = fd, .events = POLLPRI };
	EXPECT_EQ(1, poll(&p, 1, WAIT_MS));
	EXPECT_TRUE(p.revents & POLLPRI);
	EXPECT_EQ(SDXI_CXTV_STOP_FN, y.sts->state & SDXI_CXT_STS_STATE);
	ASSERT_EQ(0, ctx_cmd(fd, SDXI_IOC_RESET_CONTEXT, y.c.out_context_id));
	y.w = 0;
	ASSERT_EQ(0, map_mem(fd, y.c.out_context_id, a, 2 * PG, SDXI_MAP_READ));
	ASSERT_EQ(0, map_mem(fd, y.c.out_context_id, b, 2 * PG, SDXI_MAP_WRITE));
	uctx_submit(&y, &d, 1);
	ASSERT_EQ(0, uctx_wait(&y, 1, WAIT_MS));
	EXPECT_TRUE(all_bytes(b, 2 * PG, 0x61));
	uctx_unmap(&y);
	close(fd);
	EXPECT_EQ(0, sdxi_counter("user_contexts"));
	EXPECT_EQ(0, sdxi_counter("pasids"));
}

TEST_HARNESS_MAIN
