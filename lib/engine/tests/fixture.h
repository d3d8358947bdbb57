/* SPDX-License-Identifier: MIT */
/*
 * Test fixture for the engine: a fake host (flat memory per address space,
 * recorded interrupts) and a function brought up the way a driver does it
 * (driver.rst, "Bring-up"): L2/L1 tables, admin context, error log,
 * activation.
 */
#ifndef SDXIE_FIXTURE_H
#define SDXIE_FIXTURE_H

#include "../sdxie.h"

#define FX_SPACES	4		/* PASID address spaces */
#define FX_SPACE_SIZE	(48ULL << 20)
#define FX_FN_BASE	0x100000ULL	/* function space: addresses below fault */
#define FX_PASID_BASE	0x7f0000000000ULL
#define FX_MAX_IRQ	64
#define FX_MAX_CXT	256
#define FX_ERRLOG_N	64

struct fx_space {
	bool used;
	struct sdxie_as as;
	uint64_t base, size, brk;
	uint8_t *mem;
};

struct fx_cxt {
	bool used;
	struct sdxie_as as;
	uint64_t ring, wi, sts, csb, ctl, akey;	/* device addresses */
	uint32_t ring_sz;
	uint64_t w;
};

struct fx {
	struct fx_space fn_space;
	struct fx_space pasid[FX_SPACES];
	uint64_t map_chunk;	/* map() stops at this granularity (0: none) */
	bool no_map;		/* force the read/write bounce path */
	struct { uint64_t lo, hi; } hole[4];	/* unmapped ranges of the function space */
	unsigned int nholes;
	unsigned int irq[FX_MAX_IRQ];	/* raised count per vector */
	/* Read index of context v - 1 when vector v was last raised. */
	uint64_t irq_r[FX_MAX_IRQ];
	/* Read index of context 1 when vector 0 (error log) was last raised. */
	uint64_t err_irq_r1;
	unsigned int nr_vectors;
	unsigned int kicks, events;
	uint64_t host_ops;	/* read, write and map calls */
	unsigned int open_wmaps;	/* writable mappings not yet unmapped */
	/* Writes of a CXT_STS or CST_BLK made while a writable map was open. */
	unsigned int completion_before_unmap;
	/* Contexts of retired descriptors in order, when @retired is set. */
	uint16_t *retired;
	size_t nretired, retired_cap;
	struct sdxie_config cfg;
	struct sdxie_fn *fn;
	uint64_t l2, l1, errlog;
	struct fx_cxt cxt[FX_MAX_CXT];
};

extern const struct sdxie_host_ops fx_ops;

/* Function plus admin context, ACTIVE; @cfg NULL means defaults. */
void fx_init(struct fx *fx, const struct sdxie_config *cfg);
/* The same with a host that has no trace hook, as libsdxi's software device. */
void fx_init_untraced(struct fx *fx, const struct sdxie_config *cfg);
/* The same with host callbacks @ops (opaque: @fx) wrapping fx_ops. */
void fx_init_ops(struct fx *fx, const struct sdxie_config *cfg,
		 const struct sdxie_host_ops *ops);
/* Function created and configured, not yet activated. */
void fx_init_stopped(struct fx *fx, const struct sdxie_config *cfg);
void fx_activate(struct fx *fx);
void fx_fini(struct fx *fx);

/* Add a PASID address space; returns it. */
struct sdxie_as fx_add_pasid(struct fx *fx, uint32_t pasid);

/* Host pointer of @addr in @as (NULL if outside). */
void *fx_ptr(struct fx *fx, struct sdxie_as as, uint64_t addr);
/* Zeroed allocation in @as. */
uint64_t fx_alloc(struct fx *fx, struct sdxie_as as, uint64_t size, uint64_t align);

uint64_t fx_rd64(struct fx *fx, struct sdxie_as as, uint64_t addr);
void fx_wr64(struct fx *fx, struct sdxie_as as, uint64_t addr, uint64_t v);

/* Run the engine until idle. */
void fx_run(struct fx *fx);

/*
 * Write @d into context @id's next slot (with a per-slot CST_BLK armed
 * when @csb), advance and store W and ring the doorbell.  Does not run.
 * Returns the descriptor index.
 */
uint64_t fx_submit(struct fx *fx, uint32_t id, const union sdxi_desc *d, bool csb);
/* Like fx_submit but W is stored without a doorbell and vl left as given. */
uint64_t fx_put(struct fx *fx, uint32_t id, const union sdxi_desc *d, bool csb);
void fx_doorbell(struct fx *fx, uint32_t id);

/* CST_BLK of slot @index: 0 complete, 1 complete with ER, -1 pending. */
int fx_csb(struct fx *fx, uint32_t id, uint64_t index);

/* Submit to the admin context with a CST_BLK, run; 0, 1 (ER) or -1. */
int fx_admin(struct fx *fx, const union sdxi_desc *d);

/* Build context @id (ring of @ring_sz in @as) and start it (NM). */
void fx_cxt_build(struct fx *fx, uint32_t id, uint32_t ring_sz, struct sdxie_as as);
int fx_cxt_new(struct fx *fx, uint32_t id, uint32_t ring_sz, struct sdxie_as as);
struct sdxi_cxt_l1_ent *fx_l1(struct fx *fx, uint32_t id);
struct sdxi_cxt_ctl *fx_ctl(struct fx *fx, uint32_t id);
struct sdxi_akey_ent *fx_akey(struct fx *fx, uint32_t id, uint16_t idx);
uint8_t fx_state(struct fx *fx, uint32_t id);	/* CXT_STS.state in memory */
uint64_t fx_r(struct fx *fx, uint32_t id);	/* CXT_STS.read_index */

/* Error log: entries written so far, and entry @i. */
uint64_t fx_errlog_count(struct fx *fx);
const struct sdxi_errlog_ent *fx_errlog(struct fx *fx, uint64_t i);
/* Fields of the newest entry (asserted to exist by the caller). */
struct fx_err {
	unsigned int step, sub_step, re, reason, buf;
	bool cv, div, bv;
	unsigned int cxt;
	uint64_t index, addr;
};
struct fx_err fx_last_err(struct fx *fx);

/* Descriptor builders (fields as in uapi/linux/sdxi_hw.h). */
union sdxi_desc d_op(unsigned int type, unsigned int subtype);
union sdxi_desc d_nop(void);
union sdxi_desc d_copy(uint64_t src, uint64_t dst, uint64_t len);
union sdxi_desc d_wrt_imm(uint64_t dst, const void *data, unsigned int len);
union sdxi_desc d_repcopy(uint64_t src, uint64_t dst, uint64_t len, uint64_t reps);
union sdxi_desc d_atomic(unsigned int subtype, unsigned int size, uint64_t tgt,
			 uint64_t ret, uint64_t op1, uint64_t op2);
union sdxi_desc d_intr(uint16_t akey);
union sdxi_desc d_range(unsigned int subtype, uint16_t start, uint16_t end);
union sdxi_desc d_sync(unsigned int flt, uint16_t start, uint16_t end);

#endif /* SDXIE_FIXTURE_H */
