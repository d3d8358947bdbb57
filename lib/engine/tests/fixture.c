// SPDX-License-Identifier: MIT
/* Engine test fixture; see fixture.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"

static void die(const char *what)
{
	fprintf(stderr, "fixture: %s\n", what);
	abort();
}

static struct fx_space *space_of(struct fx *fx, struct sdxie_as as)
{
	if (!as.has_pasid)
		return &fx->fn_space;
	for (int i = 0; i < FX_SPACES; i++)
		if (fx->pasid[i].used && fx->pasid[i].as.pasid == as.pasid)
			return &fx->pasid[i];
	return NULL;
}

void *fx_ptr(struct fx *fx, struct sdxie_as as, uint64_t addr)
{
	struct fx_space *s = space_of(fx, as);

	if (!s || addr < s->base || addr - s->base >= s->size)
		return NULL;
	return s->mem + (addr - s->base);
}

static int xlate(struct fx *fx, struct sdxie_as as, uint64_t addr, uint64_t len,
		 uint8_t **p)
{
	struct fx_space *s = space_of(fx, as);

	if (!s || addr < s->base || len > s->size || addr - s->base > s->size - len)
		return SDXIE_MEM_XLATE;
	for (unsigned int i = 0; !as.has_pasid && i < fx->nholes; i++)
		if (addr < fx->hole[i].hi && fx->hole[i].lo < addr + len)
			return SDXIE_MEM_XLATE;
	*p = s->mem + (addr - s->base);
	return SDXIE_MEM_OK;
}

static int h_read(void *o, struct sdxie_as as, uint64_t addr, void *buf, uint64_t len)
{
	uint8_t *p;
	int st = xlate(o, as, addr, len, &p);

	((struct fx *)o)->host_ops++;
	if (!st)
		memcpy(buf, p, len);
	return st;
}

/* Is [addr, addr + len) in @as a context's CXT_STS or CST_BLK array? */
static bool is_completion(struct fx *fx, struct sdxie_as as, uint64_t addr, uint64_t len)
{
	for (unsigned int i = 0; i < FX_MAX_CXT; i++) {
		struct fx_cxt *c = &fx->cxt[i];

		if (!c->used || c->as.has_pasid != as.has_pasid ||
		    (as.has_pasid && c->as.pasid != as.pasid))
			continue;
		if ((addr < c->sts + 64 && c->sts < addr + len) ||
		    (addr < c->csb + (uint64_t)c->ring_sz * 32 && c->csb < addr + len))
			return true;
	}
	return false;
}

static int h_write(void *o, struct sdxie_as as, uint64_t addr, const void *buf,
		   uint64_t len)
{
	struct fx *fx = o;
	uint8_t *p;
	int st = xlate(o, as, addr, len, &p);

	fx->host_ops++;
	/* Data written through a mapping must reach memory before completion. */
	if (fx->open_wmaps && is_completion(fx, as, addr, len))
		fx->completion_before_unmap++;
	if (!st)
		memcpy(p, buf, len);
	return st;
}

static void *h_map(void *o, struct sdxie_as as, uint64_t addr, uint64_t *len,
		   bool is_write, int *status)
{
	struct fx *fx = o;
	uint8_t *p;

	fx->host_ops++;
	*status = SDXIE_MEM_OK;
	if (fx->no_map)
		return NULL;
	if (fx->map_chunk) {
		uint64_t room = fx->map_chunk - (addr % fx->map_chunk);

		if (*len > room)
			*len = room;
	}
	*status = xlate(fx, as, addr, 1, &p);
	if (*status)
		return NULL;
	if (is_write)
		fx->open_wmaps++;
	{
		struct fx_space *s = space_of(fx, as);
		uint64_t left = s->size - (addr - s->base);

		if (*len > left)
			*len = left;
	}
	/* Stop short of the next hole. */
	for (unsigned int i = 0; !as.has_pasid && i < fx->nholes; i++)
		if (fx->hole[i].lo > addr && fx->hole[i].lo - addr < *len)
			*len = fx->hole[i].lo - addr;
	return p;
}

static void h_unmap(void *o, void *host, uint64_t len, bool is_write)
{
	struct fx *fx = o;

	(void)host, (void)len;
	if (is_write)
		fx->open_wmaps--;
}

static bool h_pasid_usable(void *o, uint32_t pasid)
{
	return space_of(o, (struct sdxie_as){ .pasid = pasid, .has_pasid = true });
}

static bool h_irq(void *o, unsigned int vector)
{
	struct fx *fx = o;

	if (vector >= fx->nr_vectors)
		return false;
	if (vector < FX_MAX_IRQ)
		fx->irq[vector]++;
	/* AKey 1 of context id names vector id + 1 (fx_cxt_build). */
	if (vector >= 1 && vector < FX_MAX_IRQ && fx->cxt[vector - 1].used)
		fx->irq_r[vector] = fx_r(fx, vector - 1);
	if (vector == SDXI_ERRLOG_VECTOR && fx->cxt[1].used)
		fx->err_irq_r1 = fx_r(fx, 1);
	return true;
}

static void h_kick(void *o)
{
	((struct fx *)o)->kicks++;
}

static void h_event(void *o, const struct sdxie_event *ev)
{
	struct fx *fx = o;

	fx->events++;
	if (ev->kind == SDXIE_EV_DESC && fx->retired && fx->nretired < fx->retired_cap)
		fx->retired[fx->nretired++] = ev->cxt;
}

const struct sdxie_host_ops fx_ops = {
	.read = h_read, .write = h_write, .map = h_map, .unmap = h_unmap,
	.pasid_usable = h_pasid_usable, .irq = h_irq, .kick = h_kick,
	.event = h_event,
};

/* The same host without the trace hook (fx.events stays 0). */
static const struct sdxie_host_ops fx_ops_untraced = {
	.read = h_read, .write = h_write, .map = h_map, .unmap = h_unmap,
	.pasid_usable = h_pasid_usable, .irq = h_irq, .kick = h_kick,
};

static void space_init(struct fx_space *s, struct sdxie_as as, uint64_t base)
{
	s->used = true;
	s->as = as;
	s->base = base;
	s->size = FX_SPACE_SIZE;
	s->brk = base + 4096;
	s->mem = calloc(1, FX_SPACE_SIZE);
	if (!s->mem)
		die("out of memory");
}

struct sdxie_as fx_add_pasid(struct fx *fx, uint32_t pasid)
{
	struct sdxie_as as = { .pasid = pasid, .has_pasid = true };

	for (int i = 0; i < FX_SPACES; i++) {
		if (!fx->pasid[i].used) {
			space_init(&fx->pasid[i], as, FX_PASID_BASE);
			return as;
		}
	}
	die("too many PASID spaces");
	return as;
}

uint64_t fx_alloc(struct fx *fx, struct sdxie_as as, uint64_t size, uint64_t align)
{
	struct fx_space *s = space_of(fx, as);
	uint64_t a;

	if (!s)
		die("alloc in unknown space");
	a = (s->brk + align - 1) & ~(align - 1);
	if (a + size > s->base + s->size)
		die("space exhausted");
	s->brk = a + size;
	memset(fx_ptr(fx, as, a), 0, size);
	return a;
}

uint64_t fx_rd64(struct fx *fx, struct sdxie_as as, uint64_t addr)
{
	uint64_t v;

	memcpy(&v, fx_ptr(fx, as, addr), 8);
	return v;
}

void fx_wr64(struct fx *fx, struct sdxie_as as, uint64_t addr, uint64_t v)
{
	memcpy(fx_ptr(fx, as, addr), &v, 8);
}

static const struct sdxie_as FN_AS = { 0 };

void fx_run(struct fx *fx)
{
	for (int i = 0; i < 1000000 && sdxie_run(fx->fn, 256); i++)
		;
}

struct sdxi_cxt_l1_ent *fx_l1(struct fx *fx, uint32_t id)
{
	return fx_ptr(fx, FN_AS, fx->l1 + SDXI_CXT_ID_L1(id) * 32);
}

struct sdxi_cxt_ctl *fx_ctl(struct fx *fx, uint32_t id)
{
	return fx_ptr(fx, FN_AS, fx->cxt[id].ctl);
}

struct sdxi_akey_ent *fx_akey(struct fx *fx, uint32_t id, uint16_t idx)
{
	return fx_ptr(fx, FN_AS, fx->cxt[id].akey + idx * 16ULL);
}

uint8_t fx_state(struct fx *fx, uint32_t id)
{
	return *(uint8_t *)fx_ptr(fx, fx->cxt[id].as, fx->cxt[id].sts);
}

uint64_t fx_r(struct fx *fx, uint32_t id)
{
	return fx_rd64(fx, fx->cxt[id].as, fx->cxt[id].sts + 8);
}

/*
 * Structures of context @id: ring, write index and CXT_STS on separate
 * cache lines and a CST_BLK per slot in @as; CXT_CTL and a 256-entry AKey
 * table in the function space.  AKey 0: data in the context's space;
 * AKey 1: interrupt vector id + 1.  Published in the L1 entry, vl last.
 */
void fx_cxt_build(struct fx *fx, uint32_t id, uint32_t ring_sz, struct sdxie_as as)
{
	struct fx_cxt *c = &fx->cxt[id];
	struct sdxi_cxt_l1_ent *l1 = fx_l1(fx, id);
	struct sdxi_cxt_ctl *ctl;

	*c = (struct fx_cxt){ .used = true, .as = as, .ring_sz = ring_sz };
	c->ring = fx_alloc(fx, as, (uint64_t)ring_sz * 64, 4096);
	c->wi = fx_alloc(fx, as, 64, 64);
	c->sts = fx_alloc(fx, as, 64, 64);
	c->csb = fx_alloc(fx, as, (uint64_t)ring_sz * 32, 4096);
	c->ctl = fx_alloc(fx, FN_AS, 64, 64);
	c->akey = fx_alloc(fx, FN_AS, 4096, 4096);

	fx_akey(fx, id, 0)->intr = SDXI_AKEY_VL;
	fx_akey(fx, id, 1)->intr = (uint16_t)(SDXI_AKEY_VL | SDXI_AKEY_IV |
		SDXI_FIELD_PREP(SDXI_AKEY_INTR_NUM, id + 1));

	ctl = fx_ctl(fx, id);
	ctl->ds_ring_sz = ring_sz;
	ctl->cxt_sts_ptr = c->sts;
	ctl->write_index_ptr = c->wi;
	ctl->ds_ring_ptr = c->ring | SDXI_CXT_CTL_VL;

	l1->akey_ptr = c->akey;
	l1->misc = SDXI_FIELD_PREP(SDXI_L1_ENT_MAX_BUFFER, 11) |
		   (as.has_pasid ? as.pasid : 0);
	l1->opb_000_enb = fx->cfg.opb_cap;
	l1->cxt_ctl_ptr = c->ctl | SDXI_L1_ENT_VL | (as.has_pasid ? SDXI_L1_ENT_PV : 0);
}

int fx_cxt_new(struct fx *fx, uint32_t id, uint32_t ring_sz, struct sdxie_as as)
{
	union sdxi_desc d = d_range(SDXI_DSC_CXT_START_NM, (uint16_t)id, (uint16_t)id);

	fx_cxt_build(fx, id, ring_sz, as);
	return fx_admin(fx, &d);
}

static void init_stopped(struct fx *fx, const struct sdxie_config *cfg,
			 const struct sdxie_host_ops *ops)
{
	memset(fx, 0, sizeof(*fx));
	if (cfg)
		fx->cfg = *cfg;
	else
		sdxie_config_default(&fx->cfg);
	fx->nr_vectors = fx->cfg.nr_vectors;
	space_init(&fx->fn_space, FN_AS, FX_FN_BASE);
	fx->fn = sdxie_fn_new(&fx->cfg, ops, fx);
	if (!fx->fn)
		die("sdxie_fn_new");

	/* 1.b, 2, 3: CTL2 from CAP1, L2 table, L1 table for IDs 0..127. */
	fx->l2 = fx_alloc(fx, FN_AS, 4096, 4096);
	fx->l1 = fx_alloc(fx, FN_AS, 4096, 4096);
	fx_wr64(fx, FN_AS, fx->l2, fx->l1 | SDXI_L2_ENT_VL);
	sdxie_mmio_write(fx->fn, SDXI_MMIO_CTL2,
			 SDXI_FIELD_PREP(SDXI_CTL2_MAX_BUFFER, (uint64_t)fx->cfg.max_buffer) |
			 SDXI_FIELD_PREP(SDXI_CTL2_MAX_AKEY_SZ, (uint64_t)fx->cfg.max_akey_sz) |
			 SDXI_FIELD_PREP(SDXI_CTL2_MAX_CXT, (uint64_t)fx->cfg.max_cxt) |
			 SDXI_FIELD_PREP(SDXI_CTL2_OPB_000_AVL, (uint64_t)fx->cfg.opb_cap), 8);
	sdxie_mmio_write(fx->fn, SDXI_MMIO_CXT_L2, fx->l2, 8);

	/* 4: admin context, CXT_STS.state = RUN set by software (4.b). */
	fx_cxt_build(fx, 0, 1024, FN_AS);
	*(uint8_t *)fx_ptr(fx, FN_AS, fx->cxt[0].sts) = SDXI_CXTV_RUN;

	/* 7: error log of 64 entries with its interrupt. */
	fx->errlog = fx_alloc(fx, FN_AS, FX_ERRLOG_N * 64, 4096);
	sdxie_mmio_write(fx->fn, SDXI_MMIO_ERR_CTL, SDXI_ERR_CTL_EN, 8);
	sdxie_mmio_write(fx->fn, SDXI_MMIO_ERR_CFG, fx->errlog |
			 SDXI_FIELD_PREP(SDXI_ERR_CFG_SZ, (uint64_t)(FX_ERRLOG_N / 64)) |
			 SDXI_ERR_CFG_EN, 8);
}

void fx_init_stopped(struct fx *fx, const struct sdxie_config *cfg)
{
	init_stopped(fx, cfg, &fx_ops);
}

void fx_activate(struct fx *fx)
{
	/* 9: fn_gsr = ACTIVE, then poll (here: run) until it settles. */
	sdxie_mmio_write(fx->fn, SDXI_MMIO_CTL0,
			 SDXI_CTL0_FN_ERR_INTR_EN | SDXI_GSR_ACTIVE, 8);
	fx_run(fx);
}

static void init_active(struct fx *fx, const struct sdxie_config *cfg,
			const struct sdxie_host_ops *ops)
{
	init_stopped(fx, cfg, ops);
	fx_activate(fx);
	if (sdxie_fn_state(fx->fn) != SDXI_GSV_ACTIVE)
		die("activation failed");
}

void fx_init(struct fx *fx, const struct sdxie_config *cfg)
{
	init_active(fx, cfg, &fx_ops);
}

void fx_init_ops(struct fx *fx, const struct sdxie_config *cfg,
		 const struct sdxie_host_ops *ops)
{
	init_active(fx, cfg, ops);
}

void fx_init_untraced(struct fx *fx, const struct sdxie_config *cfg)
{
	init_active(fx, cfg, &fx_ops_untraced);
}

void fx_fini(struct fx *fx)
{
	sdxie_fn_free(fx->fn);
	free(fx->fn_space.mem);
	for (int i = 0; i < FX_SPACES; i++)
		free(fx->pasid[i].mem);
	free(fx->retired);
	memset(fx, 0, sizeof(*fx));
}

uint64_t fx_put(struct fx *fx, uint32_t id, const union sdxi_desc *d, bool csb)
{
	struct fx_cxt *c = &fx->cxt[id];
	uint64_t index = c->w, slot = index % c->ring_sz;
	union sdxi_desc *ring = fx_ptr(fx, c->as, c->ring + slot * 64);
	union sdxi_desc x = *d;

	if (csb) {
		struct sdxi_cst_blk *b = fx_ptr(fx, c->as, c->csb + slot * 32);

		*b = (struct sdxi_cst_blk){ .signal = 1 };
		x.generic.csb_ptr = c->csb + slot * 32;
	} else if (!x.generic.csb_ptr) {
		x.generic.csb_ptr = SDXI_DSC_NP;
	}
	*ring = x;
	c->w = index + 1;
	fx_wr64(fx, c->as, c->wi, c->w);
	return index;
}

void fx_doorbell(struct fx *fx, uint32_t id)
{
	sdxie_doorbell(fx->fn, id, fx->cxt[id].w);
}

uint64_t fx_submit(struct fx *fx, uint32_t id, const union sdxi_desc *d, bool csb)
{
	uint64_t index = fx_put(fx, id, d, csb);

	fx_doorbell(fx, id);
	return index;
}

int fx_csb(struct fx *fx, uint32_t id, uint64_t index)
{
	struct fx_cxt *c = &fx->cxt[id];
	struct sdxi_cst_blk *b = fx_ptr(fx, c->as, c->csb + (index % c->ring_sz) * 32);

	if (b->signal)
		return -1;
	return (b->flags & SDXI_CST_BLK_ER) ? 1 : 0;
}

int fx_admin(struct fx *fx, const union sdxi_desc *d)
{
	uint64_t index = fx_submit(fx, 0, d, true);

	fx_run(fx);
	return fx_csb(fx, 0, index);
}

uint64_t fx_errlog_count(struct fx *fx)
{
	return sdxie_mmio_read(fx->fn, SDXI_MMIO_ERR_WRT, 8);
}

const struct sdxi_errlog_ent *fx_errlog(struct fx *fx, uint64_t i)
{
	return fx_ptr(fx, FN_AS, fx->errlog + (i % FX_ERRLOG_N) * 64);
}

struct fx_err fx_last_err(struct fx *fx)
{
	uint64_t n = fx_errlog_count(fx);
	const struct sdxi_errlog_ent *e;
	struct fx_err r = { 0 };
	uint64_t hd;

	if (!n)
		return r;
	e = fx_errlog(fx, n - 1);
	hd = e->hd;
	/* Decoded with literal bit positions (hardware.rst), not the masks. */
	r.step = (hd >> 8) & 0x3f;
	r.cv = (hd >> 32) & 1;
	r.div = (hd >> 33) & 1;
	r.bv = (hd >> 34) & 1;
	r.buf = (hd >> 36) & 7;
	r.sub_step = (hd >> 40) & 0xf;
	r.re = (hd >> 44) & 7;
	r.cxt = (unsigned int)(hd >> 48);
	r.index = e->dsc_index;
	r.reason = e->err_class;
	r.addr = e->vendor_addr;
	if ((hd & 1) != 1 || ((hd >> 16) & 0x7ff) != 0x7f7)
		r.step = 0xff;	/* not a valid header entry */
	return r;
}

union sdxi_desc d_op(unsigned int type, unsigned int subtype)
{
	union sdxi_desc d = { 0 };

	d.generic.opcode = SDXI_DSC_VL | SDXI_FIELD_PREP(SDXI_DSC_TYPE, type) |
			   SDXI_FIELD_PREP(SDXI_DSC_SUBTYPE, subtype);
	return d;
}

union sdxi_desc d_nop(void)
{
	return d_op(SDXI_DSC_TYPE_DMAB, SDXI_DSC_DMAB_NOP);
}

union sdxi_desc d_copy(uint64_t src, uint64_t dst, uint64_t len)
{
	union sdxi_desc d = d_op(SDXI_DSC_TYPE_DMAB, SDXI_DSC_DMAB_COPY);

	d.copy.size = (uint32_t)(len - 1);
	d.copy.addr0 = src;
	d.copy.addr1 = dst;
	return d;
}

union sdxi_desc d_wrt_imm(uint64_t dst, const void *data, unsigned int len)
{
	union sdxi_desc d = d_op(SDXI_DSC_TYPE_DMAB, SDXI_DSC_DMAB_WRT_IMM);

	d.wrt_imm.size = len - 1;
	d.wrt_imm.addr1 = dst;
	memcpy(d.wrt_imm.data, data, len);
	return d;
}

union sdxi_desc d_repcopy(uint64_t src, uint64_t dst, uint64_t len, uint64_t reps)
{
	union sdxi_desc d = d_op(SDXI_DSC_TYPE_DMAB, SDXI_DSC_DMAB_REPCOPY);

	d.repcopy.size = (uint32_t)(len - 1);
	d.repcopy.count = (uint32_t)(reps - 1);
	d.repcopy.addr0 = src;
	d.repcopy.addr1 = dst;
	return d;
}

union sdxi_desc d_atomic(unsigned int subtype, unsigned int size, uint64_t tgt,
			 uint64_t ret, uint64_t op1, uint64_t op2)
{
	union sdxi_desc d = d_op(SDXI_DSC_TYPE_ATOMIC, subtype);

	d.atomic.flags = size == 4 ? SDXI_ATOMIC_SZ_4 : SDXI_ATOMIC_SZ_8;
	if (ret)
		d.atomic.flags |= SDXI_ATOMIC_RV;
	d.atomic.addr0 = tgt;
	d.atomic.addr1 = ret;
	d.atomic.operand1 = op1;
	d.atomic.operand2 = op2;
	return d;
}

union sdxi_desc d_intr(uint16_t akey)
{
	union sdxi_desc d = d_op(SDXI_DSC_TYPE_INTR, SDXI_DSC_INTR);

	d.intr.akey = akey;
	return d;
}

union sdxi_desc d_range(unsigned int subtype, uint16_t start, uint16_t end)
{
	union sdxi_desc d = d_op(SDXI_DSC_TYPE_ADMIN, subtype);

	d.generic.opcode |= SDXI_DSC_FE;
	d.cxt_stop.cxt_start = start;
	d.cxt_stop.cxt_end = end;
	return d;
}

union sdxi_desc d_sync(unsigned int flt, uint16_t start, uint16_t end)
{
	union sdxi_desc d = d_range(SDXI_DSC_SYNC, start, end);

	d.sync.cflags = (uint8_t)flt;
	return d;
}
