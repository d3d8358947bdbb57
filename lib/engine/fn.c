// SPDX-License-Identifier: MIT
/*
 * The SDXI function: configuration, register file (SDXI 1.0 section 9),
 * function state machine (SDXI 1.0 4.1; hardware.rst), doorbells and the
 * run loop that schedules contexts.
 */
#include <stdio.h>
#include <stdlib.h>

#include "internal.h"

void sdxie_config_default(struct sdxie_config *cfg)
{
	*cfg = (struct sdxie_config){
		.max_cxt = SDXIE_DEFAULT_MAX_CXT,
		.max_ring_sz = SDXIE_DEFAULT_MAX_RING_SZ,
		.db_stride = SDXIE_DEFAULT_DB_STRIDE,
		.max_buffer = SDXIE_DEFAULT_MAX_BUFFER,
		.max_akey_sz = SDXIE_DEFAULT_MAX_AKEY_SZ,
		.max_errlog_sz = SDXIE_DEFAULT_MAX_ERRLOG_SZ,
		.opb_cap = SDXIE_DEFAULT_OPB_CAP,
		.nr_vectors = SDXIE_DEFAULT_NR_VECTORS,
		.burst = SDXIE_DEFAULT_BURST,
	};
}

#define CHECK(cond, ...)					\
	do {							\
		if (!(cond)) {					\
			snprintf(why, len, __VA_ARGS__);	\
			return -1;				\
		}						\
	} while (0)

int sdxie_config_check(const struct sdxie_config *cfg, char *why, size_t len)
{
	uint64_t known = SDXI_OPB_DMAB | SDXI_OPB_ADMIN | SDXI_OPB_ATOMIC |
			 SDXI_OPB_INTR;

	CHECK(cfg->max_cxt >= 1, "max-cxt must be 1..65535 (context 0 is the admin context)");
	/* ds_ring_sz is a 32-bit count of descriptors. */
	CHECK(cfg->max_ring_sz <= 21, "max-ring-sz must be 0..21 (1024 << n descriptors)");
	CHECK(cfg->db_stride <= 7, "db-stride must be 0..7 (4 KiB << n)");
	CHECK(((uint64_t)cfg->max_cxt + 1) * SDXI_DB_STRIDE_BYTES(cfg->db_stride) <= (1ULL << 30),
	      "(max-cxt + 1) * doorbell stride must not exceed 1 GiB");
	/* COPY's size field is 32 bits: 4 GiB at most. */
	CHECK(cfg->max_buffer <= 11, "max-buffer must be 0..11 (2^(n+21) bytes)");
	CHECK(cfg->max_akey_sz <= 8, "max-akey-sz must be 0..8 (256 << n entries)");
	/* ERR_CFG.sz is 5 bits of 64-entry units: 1984 entries at most. */
	CHECK(cfg->max_errlog_sz <= 4, "max-errlog-sz must be 0..4 (64 << n entries)");
	CHECK((cfg->opb_cap & (SDXI_OPB_DMAB | SDXI_OPB_ADMIN)) ==
	      (SDXI_OPB_DMAB | SDXI_OPB_ADMIN),
	      "op-groups must include DMA base (0x1) and admin (0x2)");
	CHECK(!(cfg->opb_cap & ~known), "op-groups may only contain 0x1|0x2|0x4|0x8");
	CHECK(cfg->nr_vectors >= 1 && cfg->nr_vectors <= 2048, "vectors must be 1..2048");
	CHECK(cfg->burst >= 1, "burst must be 1..65535 (descriptors per context turn)");
	return 0;
}

static uint64_t cap0(const struct sdxie_fn *fn)
{
	return SDXI_FIELD_PREP(SDXI_CAP0_SFUNC, (uint64_t)fn->cfg.sfunc) |
	       SDXI_FIELD_PREP(SDXI_CAP0_DB_STRIDE, (uint64_t)fn->cfg.db_stride) |
	       SDXI_FIELD_PREP(SDXI_CAP0_MAX_DS_RING_SZ, (uint64_t)fn->cfg.max_ring_sz);
}

static uint64_t cap1(const struct sdxie_fn *fn)
{
	return SDXI_FIELD_PREP(SDXI_CAP1_MAX_BUFFER, (uint64_t)fn->cfg.max_buffer) |
	       SDXI_FIELD_PREP(SDXI_CAP1_MAX_ERRLOG_SZ, (uint64_t)fn->cfg.max_errlog_sz) |
	       SDXI_FIELD_PREP(SDXI_CAP1_MAX_AKEY_SZ, (uint64_t)fn->cfg.max_akey_sz) |
	       SDXI_FIELD_PREP(SDXI_CAP1_MAX_CXT, (uint64_t)fn->cfg.max_cxt) |
	       SDXI_FIELD_PREP(SDXI_CAP1_OPB_000_CAP, (uint64_t)fn->cfg.opb_cap);
}

struct sdxie_as fn_as(const struct sdxie_fn *fn)
{
	if (fn->ctl0 & SDXI_CTL0_FN_PASID_VL)
		return (struct sdxie_as){
			.pasid = (uint32_t)SDXI_FIELD_GET(SDXI_CTL0_FN_PASID, fn->ctl0),
			.has_pasid = true,
		};
	return (struct sdxie_as){ 0 };
}

/* Highest context ID in use: CTL2.max_cxt, itself <= CAP1.max_cxt. */
uint32_t fn_max_cxt(const struct sdxie_fn *fn)
{
	return (uint32_t)SDXI_FIELD_GET(SDXI_CTL2_MAX_CXT, fn->ctl2);
}

uint64_t fn_max_buffer(const struct sdxie_fn *fn)
{
	return SDXI_MAX_BUFFER_BYTES(SDXI_FIELD_GET(SDXI_CTL2_MAX_BUFFER, fn->ctl2));
}

void fn_event(struct sdxie_fn *fn, const struct sdxie_event *ev)
{
	if (fn->ops->event)
		fn->ops->event(fn->opaque, ev);
}

static void set_gsv(struct sdxie_fn *fn, uint8_t gsv)
{
	if (fn->gsv == gsv)
		return;
	fn->gsv = gsv;
	fn_event(fn, &(struct sdxie_event){ .kind = SDXIE_EV_FN_STATE, .state = gsv });
}

static void kick(struct sdxie_fn *fn)
{
	if (fn->ops->kick)
		fn->ops->kick(fn->opaque);
}

/* Mark context @id as having work; client contexts join the round robin. */
void queue_push(struct sdxie_fn *fn, uint32_t id)
{
	struct sdxie_cxt *c = &fn->cxt[id];

	if (c->queued)
		return;
	c->queued = true;
	if (id == SDXI_ADMIN_CXT_ID)
		return;
	fn->queue[(fn->q_head + fn->q_len) % fn->nr_cxt] = id;
	fn->q_len++;
}

static bool queue_empty(const struct sdxie_fn *fn)
{
	return !fn->q_len && !fn->cxt[SDXI_ADMIN_CXT_ID].queued;
}

/* xorshift64: the shuffle's deterministic generator. */
static uint64_t rng_next(struct sdxie_fn *fn)
{
	uint64_t x = fn->rng;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	fn->rng = x;
	return x;
}

/*
 * A round begins (shuffle_seed set): permute the queued client contexts
 * (Fisher-Yates), so each is still served once in the round but the order
 * of their turns, and so of their completions, is shuffled.
 */
static void queue_shuffle(struct sdxie_fn *fn)
{
	for (uint32_t i = fn->q_len; i > 1; i--) {
		uint32_t j = (uint32_t)(rng_next(fn) % i);
		uint32_t *a = &fn->queue[(fn->q_head + i - 1) % fn->nr_cxt];
		uint32_t *b = &fn->queue[(fn->q_head + j) % fn->nr_cxt];
		uint32_t t = *a;

		*a = *b;
		*b = t;
	}
	fn->round_left = fn->q_len;
}

/* The context whose turn is next: the admin context first, if it has work. */
static uint32_t queue_pop(struct sdxie_fn *fn)
{
	uint32_t id = SDXI_ADMIN_CXT_ID;

	if (!fn->cxt[id].queued) {
		if (fn->cfg.shuffle_seed) {
			if (!fn->round_left || fn->round_left > fn->q_len)
				queue_shuffle(fn);
			fn->round_left--;
		}
		id = fn->queue[fn->q_head];
		fn->q_head = (fn->q_head + 1) % fn->nr_cxt;
		fn->q_len--;
	}
	fn->cxt[id].queued = false;
	return id;
}

/* Registers back to their reset values; context state forgotten. */
static void regs_reset(struct sdxie_fn *fn)
{
	fn->ctl0 = 0;
	fn->ctl2 = 0;
	fn->cxt_l2 = 0;
	fn->err_ctl = 0;
	fn->err_sts = 0;
	fn->err_cfg = 0;
	fn->err_wrt = 0;
	fn->err_rd = 0;
	fn->pending = PEND_NONE;
	cxt_forget_all(fn);
	fn->rng = fn->cfg.shuffle_seed;
}

struct sdxie_fn *sdxie_fn_new(const struct sdxie_config *cfg,
			      const struct sdxie_host_ops *ops, void *opaque)
{
	struct sdxie_fn *fn = calloc(1, sizeof(*fn));
	char why[128];

	if (!fn || sdxie_config_check(cfg, why, sizeof(why)))
		goto fail;
	fn->cfg = *cfg;
	fn->ops = ops;
	fn->opaque = opaque;
	fn->nr_cxt = (uint32_t)cfg->max_cxt + 1;
	fn->cxt = calloc(fn->nr_cxt, sizeof(*fn->cxt));
	fn->queue = calloc(fn->nr_cxt, sizeof(*fn->queue));
	fn->bounce = malloc(SDXIE_BOUNCE_SIZE);
	fn->pattern = malloc(SDXIE_PATTERN_SIZE);
	if (!fn->cxt || !fn->queue || !fn->bounce || !fn->pattern)
		goto fail;
	regs_reset(fn);
	fn->gsv = SDXI_GSV_STOP;
	return fn;
fail:
	sdxie_fn_free(fn);
	return NULL;
}

void sdxie_fn_free(struct sdxie_fn *fn)
{
	if (!fn)
		return;
	free(fn->cxt);
	free(fn->queue);
	free(fn->bounce);
	free(fn->pattern);
	free(fn);
}

void sdxie_fn_reset(struct sdxie_fn *fn)
{
	regs_reset(fn);
	set_gsv(fn, SDXI_GSV_STOP);
}

/* Enter GSV_ERROR: log (reaction 2), interrupt, forget every context. */
void fn_enter_error(struct sdxie_fn *fn, const struct sdxie_err *e, int cxt)
{
	bool irq_sent = errlog_report(fn, e, cxt, false, 0, SDXI_RE_FN_STOPPED);

	cxt_forget_all(fn);
	fn->pending = PEND_NONE;
	set_gsv(fn, SDXI_GSV_ERROR);
	if ((fn->ctl0 & SDXI_CTL0_FN_ERR_INTR_EN) && !irq_sent)
		fn->ops->irq(fn->opaque, SDXI_ERRLOG_VECTOR);
}

void sdxie_force_fn_error(struct sdxie_fn *fn)
{
	struct sdxie_err e = { .step = SDXI_STEP_INTERNAL,
			       .sub_step = SDXI_SUB_STEP_OTHER,
			       .reason = SDXI_ERR_FN_FORCED };

	if (fn->gsv == SDXI_GSV_ERROR)
		return;
	fn_enter_error(fn, &e, -1);
}

uint64_t sdxie_mmio_read(struct sdxie_fn *fn, uint64_t off, unsigned int size)
{
	uint64_t base = off & ~7ULL, v;

	if ((size != 4 && size != 8) || (off & (size - 1)))
		return 0;
	switch (base) {
	case SDXI_MMIO_CTL0:	v = fn->ctl0; break;
	case SDXI_MMIO_CTL2:	v = fn->ctl2; break;
	case SDXI_MMIO_STS0:	v = fn->gsv; break;
	case SDXI_MMIO_CAP0:	v = cap0(fn); break;
	case SDXI_MMIO_CAP1:	v = cap1(fn); break;
	case SDXI_MMIO_VERSION:
		v = SDXI_FIELD_PREP(SDXI_VERSION_MAJOR_MASK, (uint64_t)SDXI_VERSION_MAJOR) |
		    SDXI_FIELD_PREP(SDXI_VERSION_MINOR_MASK, (uint64_t)SDXI_VERSION_MINOR);
		break;
	case SDXI_MMIO_CXT_L2:	v = fn->cxt_l2; break;
	case SDXI_MMIO_RKEY:	v = 0; break;
	case SDXI_MMIO_ERR_CTL:	v = fn->err_ctl; break;
	case SDXI_MMIO_ERR_STS:	v = fn->err_sts; break;
	case SDXI_MMIO_ERR_CFG:	v = fn->err_cfg; break;
	case SDXI_MMIO_ERR_WRT:	v = fn->err_wrt; break;
	case SDXI_MMIO_ERR_RD:	v = fn->err_rd; break;
	default:		v = 0; break;
	}
	if (size == 4)
		v = (off & 4) ? v >> 32 : v & 0xffffffffULL;
	return v;
}

/* CTL0: fn_gsr requests a state transition (hardware.rst). */
static bool write_ctl0(struct sdxie_fn *fn, uint64_t val)
{
	uint64_t pasid_bits = SDXI_CTL0_FN_PASID | SDXI_CTL0_FN_PASID_VL;
	uint8_t gsr = (uint8_t)SDXI_FIELD_GET(SDXI_CTL0_FN_GSR, val);

	if (val & SDXI_CTL0_RSVD)
		return false;
	/* The function's own address space changes only while stopped. */
	if (fn->gsv != SDXI_GSV_STOP && ((val ^ fn->ctl0) & pasid_bits))
		return false;
	fn->ctl0 = val;
	/* A pending reset wipes whatever else was requested meanwhile. */
	if (fn->pending == PEND_RESET)
		return true;

	switch (gsr) {
	case SDXI_GSR_RESET:
		/* reset_immediate: from STOP there is nothing to wait for. */
		if (fn->cfg.reset_immediate && fn->gsv == SDXI_GSV_STOP) {
			sdxie_fn_reset(fn);
			return true;
		}
		fn->pending = PEND_RESET;
		break;
	case SDXI_GSR_ACTIVE:
		if (fn->gsv != SDXI_GSV_STOP)
			return true;
		set_gsv(fn, SDXI_GSV_INIT);
		fn->pending = PEND_ACTIVATE;
		break;
	case SDXI_GSR_STOP_SF:
		if (fn->gsv != SDXI_GSV_INIT && fn->gsv != SDXI_GSV_ACTIVE)
			return true;
		set_gsv(fn, SDXI_GSV_STOPG_SF);
		fn->pending = PEND_STOP_SF;
		break;
	case SDXI_GSR_STOP_HD:
		if (fn->gsv != SDXI_GSV_INIT && fn->gsv != SDXI_GSV_ACTIVE &&
		    fn->gsv != SDXI_GSV_STOPG_SF)
			return true;
		set_gsv(fn, SDXI_GSV_STOPG_HD);
		fn->pending = PEND_STOP_HD;
		break;
	}
	kick(fn);
	return true;
}

/* CTL2 is programmed while stopped, each limit within CAP1. */
static bool write_ctl2(struct sdxie_fn *fn, uint64_t val)
{
	if (fn->gsv != SDXI_GSV_STOP || (val & SDXI_CTL2_RSVD))
		return false;
	if (SDXI_FIELD_GET(SDXI_CTL2_MAX_BUFFER, val) > fn->cfg.max_buffer ||
	    SDXI_FIELD_GET(SDXI_CTL2_MAX_AKEY_SZ, val) > fn->cfg.max_akey_sz ||
	    SDXI_FIELD_GET(SDXI_CTL2_MAX_CXT, val) > fn->cfg.max_cxt ||
	    (SDXI_FIELD_GET(SDXI_CTL2_OPB_000_AVL, val) & ~(uint64_t)fn->cfg.opb_cap))
		return false;
	fn->ctl2 = val;
	return true;
}

static bool write_err_cfg(struct sdxie_fn *fn, uint64_t val)
{
	uint64_t sz = SDXI_FIELD_GET(SDXI_ERR_CFG_SZ, val);

	if (val & SDXI_ERR_CFG_RSVD)
		return false;
	if ((val & SDXI_ERR_CFG_EN) &&
	    (sz == 0 || sz * SDXI_ERRLOG_SZ_UNIT > SDXI_ERRLOG_MAX_ENTRIES(fn->cfg.max_errlog_sz)))
		return false;
	fn->err_cfg = val;
	return true;
}

bool sdxie_mmio_write(struct sdxie_fn *fn, uint64_t off, uint64_t val,
		      unsigned int size)
{
	if (size != 8 || (off & 7))
		return false;
	switch (off) {
	case SDXI_MMIO_CTL0:
		return write_ctl0(fn, val);
	case SDXI_MMIO_CTL2:
		return write_ctl2(fn, val);
	case SDXI_MMIO_CXT_L2:
		if (fn->gsv != SDXI_GSV_STOP || (val & ~SDXI_CXT_L2_PTR))
			return false;
		fn->cxt_l2 = val;
		return true;
	case SDXI_MMIO_RKEY:
		/* RKeys are not implemented (CAP1.rkey_cap = 0). */
		return val == 0;
	case SDXI_MMIO_ERR_CTL:
		if (val & ~SDXI_ERR_CTL_EN)
			return false;
		fn->err_ctl = val;
		return true;
	case SDXI_MMIO_ERR_STS:
		fn->err_sts &= ~(val & (SDXI_ERR_STS_STS | SDXI_ERR_STS_OVF |
					SDXI_ERR_STS_ERR));
		return true;
	case SDXI_MMIO_ERR_CFG:
		return write_err_cfg(fn, val);
	case SDXI_MMIO_ERR_WRT:
		fn->err_wrt = val;
		return true;
	case SDXI_MMIO_ERR_RD:
		fn->err_rd = val;
		return true;
	default:
		return false;
	}
}

bool sdxie_doorbell(struct sdxie_fn *fn, uint32_t cxt, uint64_t value)
{
	(void)value;	/* the function reads Write_Index from memory */
	fn->stats.doorbells++;
	if (cxt >= fn->nr_cxt || cxt > fn_max_cxt(fn) || fn->gsv != SDXI_GSV_ACTIVE ||
	    fn->cxt[cxt].state != SDXI_CXTV_RUN)
		return false;
	queue_push(fn, cxt);
	kick(fn);
	return true;
}

/*
 * Activation (SDXI 1.0 4.1.8 step 9): walk the admin context; it runs if
 * software set its CXT_STS.state to RUN (step 4.b; hardware.rst,
 * "Function state machine").
 */
static void activate(struct sdxie_fn *fn)
{
	struct sdxie_cxt *c = &fn->cxt[SDXI_ADMIN_CXT_ID];
	struct sdxie_err e;
	uint8_t sts[16];
	int st;

	if (!cxt_walk(fn, SDXI_ADMIN_CXT_ID, c, &e)) {
		fn_enter_error(fn, &e, SDXI_ADMIN_CXT_ID);
		return;
	}
	st = mem_read(fn, c->as, c->sts_ptr, sts, sizeof(sts));
	if (st) {
		err_set(&e, SDXI_STEP_CXT_STS, mem_sub_step(st),
			st == SDXIE_MEM_XLATE ? SDXI_ERR_XLATE : SDXI_ERR_ACCESS,
			c->sts_ptr);
		fn_enter_error(fn, &e, SDXI_ADMIN_CXT_ID);
		return;
	}
	c->r = le64_get(sts + 8);
	c->state = (sts[0] & SDXI_CXT_STS_STATE) == SDXI_CXTV_RUN ?
		   SDXI_CXTV_RUN : SDXI_CXTV_STOP_SW;
	c->cached = c->state == SDXI_CXTV_RUN;
	set_gsv(fn, SDXI_GSV_ACTIVE);
}

/*
 * Stop: running contexts report STOP_FN, abandoning suspended transfers;
 * nothing stays cached.
 */
static void stop(struct sdxie_fn *fn)
{
	for (uint32_t id = 0; id < fn->nr_cxt; id++)
		if (fn->cxt[id].cached && fn->cxt[id].state == SDXI_CXTV_RUN)
			cxt_set_state(fn, id, SDXI_CXTV_STOP_FN);
	cxt_forget_all(fn);
	set_gsv(fn, SDXI_GSV_STOP);
}

/* Complete a pending transition; false if it must wait (stalled soft stop). */
static bool transition(struct sdxie_fn *fn)
{
	enum sdxie_pending p = fn->pending;

	fn->pending = PEND_NONE;
	switch (p) {
	case PEND_NONE:
		break;
	case PEND_RESET:
		sdxie_fn_reset(fn);
		break;
	case PEND_ACTIVATE:
		activate(fn);
		break;
	case PEND_STOP_SF:
		if (fn->faults.stall) {
			fn->pending = PEND_STOP_SF;
			return false;
		}
		stop(fn);
		break;
	case PEND_STOP_HD:
		stop(fn);
		break;
	}
	return true;
}

bool sdxie_run(struct sdxie_fn *fn, unsigned int budget)
{
	if (!transition(fn) || fn->gsv != SDXI_GSV_ACTIVE || fn->faults.stall)
		return false;

	fn->bytes_left = SDXIE_TURN_BYTES;
	while (budget && fn->bytes_left && !queue_empty(fn) &&
	       fn->gsv == SDXI_GSV_ACTIVE && !fn->pending) {
		uint32_t id = queue_pop(fn);
		unsigned int q = budget < fn->cfg.burst ? budget : fn->cfg.burst;
		bool more = false;

		budget -= cxt_process(fn, id, q, &more);
		if (more)
			queue_push(fn, id);
	}
	return fn->pending || (fn->gsv == SDXI_GSV_ACTIVE && !queue_empty(fn));
}

void sdxie_translation_ready(struct sdxie_fn *fn)
{
	bool any = false;
	uint32_t id;

	for (id = 0; id < fn->nr_cxt; id++) {
		if (!fn->cxt[id].waiting)
			continue;
		fn->cxt[id].waiting = false;
		queue_push(fn, id);
		any = true;
	}
	if (any && fn->ops->kick)
		fn->ops->kick(fn->opaque);
}

void sdxie_set_faults(struct sdxie_fn *fn, const struct sdxie_faults *f)
{
	struct sdxie_faults now;
	bool unstall = fn->faults.stall && !f->stall;

	sdxie_get_faults(fn, &now);
	fn->faults.addr = f->addr;
	if (f->after != now.after) {
		fn->faults.after_armed = f->after != 0;
		fn->faults.after_left = f->after;
	}
	fn->faults.stall = f->stall;
	if (unstall)
		kick(fn);
}

void sdxie_get_faults(const struct sdxie_fn *fn, struct sdxie_faults *f)
{
	*f = (struct sdxie_faults){
		.addr = fn->faults.addr,
		.after = fn->faults.after_armed ? fn->faults.after_left : 0,
		.stall = fn->faults.stall,
	};
}

void sdxie_get_stats(const struct sdxie_fn *fn, struct sdxie_stats *st)
{
	*st = fn->stats;
}

uint8_t sdxie_fn_state(const struct sdxie_fn *fn)
{
	return fn->gsv;
}

uint8_t sdxie_cxt_state(const struct sdxie_fn *fn, uint32_t cxt)
{
	return cxt < fn->nr_cxt ? fn->cxt[cxt].state : SDXI_CXTV_STOP_SW;
}
