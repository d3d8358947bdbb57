/* SPDX-License-Identifier: MIT */
/*
 * sdxie internals shared between the engine's source files.  Not part of
 * the engine's API (sdxie.h).
 */
#ifndef SDXIE_INTERNAL_H
#define SDXIE_INTERNAL_H

#include <string.h>

#include "sdxie.h"

/* Little-endian loads and stores of the formats in sdxi_hw.h. */
static inline uint16_t le16_get(const void *p)
{
	const uint8_t *b = p;

	return (uint16_t)(b[0] | b[1] << 8);
}

static inline uint32_t le32_get(const void *p)
{
	const uint8_t *b = p;

	return (uint32_t)b[0] | (uint32_t)b[1] << 8 |
	       (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static inline uint64_t le64_get(const void *p)
{
	return (uint64_t)le32_get(p) | (uint64_t)le32_get((const uint8_t *)p + 4) << 32;
}

static inline void le16_put(void *p, uint16_t v)
{
	uint8_t *b = p;

	b[0] = (uint8_t)v;
	b[1] = (uint8_t)(v >> 8);
}

static inline void le32_put(void *p, uint32_t v)
{
	uint8_t *b = p;

	b[0] = (uint8_t)v;
	b[1] = (uint8_t)(v >> 8);
	b[2] = (uint8_t)(v >> 16);
	b[3] = (uint8_t)(v >> 24);
}

static inline void le64_put(void *p, uint64_t v)
{
	le32_put(p, (uint32_t)v);
	le32_put((uint8_t *)p + 4, (uint32_t)(v >> 32));
}

static inline uint64_t min64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

/* True if all @len bytes at @p are zero (32, 8, 4, then 1 at a time). */
static inline bool all_zero(const void *p, size_t len)
{
	const uint8_t *b = p;
	uint64_t acc = 0, w[4];
	uint32_t h;
	size_t i = 0;

	for (; i + 32 <= len; i += 32) {
		memcpy(w, b + i, 32);
		acc |= w[0] | w[1] | w[2] | w[3];
	}
	for (; i + 8 <= len; i += 8) {
		memcpy(w, b + i, 8);
		acc |= w[0];
	}
	if (i + 4 <= len) {
		memcpy(&h, b + i, 4);
		acc |= h;
		i += 4;
	}
	for (; i < len; i++)
		acc |= b[i];
	return !acc;
}

/* Why a step failed: becomes an error-log entry (Documentation/hardware.rst). */
struct sdxie_err {
	uint8_t step;		/* SDXI_STEP_* */
	uint8_t sub_step;	/* SDXI_SUB_STEP_* */
	uint16_t reason;	/* enum sdxi_err_reason */
	bool bv;		/* buf is valid */
	uint8_t buf;		/* SDXI_BUF_* */
	uint64_t addr;		/* address involved, or 0 */
	/* Not an error: an access is waiting for a page request. */
	bool pending;
};

/*
 * What the function caches about a context between CXT_START (or
 * CXT_UPD) and the context leaving RUN/ERR_FN: the walked L1 entry and
 * CXT_CTL (SDXI 1.0 4.3.1.1 allows caching until DSC_CXT_UPD).
 */
struct sdxie_cxt {
	uint8_t state;		/* SDXI_CXTV_* as the function sees it */
	bool cached;		/* fields below are valid */
	bool queued;		/* on the run queue */
	struct sdxie_as as;	/* ring, write index, CXT_STS, CST_BLK */
	uint64_t ring;
	uint32_t ring_sz;	/* descriptors */
	uint64_t sts_ptr;
	uint64_t wi_ptr;
	uint64_t akey_ptr;
	uint32_t akey_entries;
	uint64_t max_buffer;	/* bytes */
	uint32_t opb;		/* groups usable by this context */
	uint64_t r;		/* read index */
	/*
	 * A transfer suspended at the end of a turn: descriptor R as fetched
	 * and the data bytes it has moved.  Dropped when the context leaves
	 * RUN (cxt_set_state), so a stop abandons it.
	 */
	bool suspended;
	uint64_t moved;
	union sdxi_desc desc;
	/*
	 * An access of the context returned SDXIE_MEM_PENDING: it is not
	 * served until sdxie_translation_ready().  Cleared when the context
	 * leaves RUN.
	 */
	bool waiting;
};

/* A host mapping held for one turn (view.c). */
struct sdxie_view {
	void *host;		/* NULL (and len 0): none */
	struct sdxie_as as;
	uint64_t addr, len;
	bool is_write;
};

/*
 * Host pointer to [addr, addr + len) (len > 0) in view @v, or NULL
 * (view.c).  An address below the view wraps to a huge offset.
 */
static inline void *view_ptr(const struct sdxie_view *v, uint64_t addr, uint64_t len)
{
	if (len <= v->len && addr - v->addr <= v->len - len)
		return (uint8_t *)v->host + (addr - v->addr);
	return NULL;
}

static inline bool same_as(struct sdxie_as a, struct sdxie_as b)
{
	return a.has_pasid == b.has_pasid && (!a.has_pasid || a.pasid == b.pasid);
}

/* The same for [addr, addr + len) in address space @as. */
static inline void *view_ptr_as(const struct sdxie_view *v, struct sdxie_as as,
				uint64_t addr, uint64_t len)
{
	return same_as(v->as, as) ? view_ptr(v, addr, len) : NULL;
}

/* Pending function state transition, completed by sdxie_run(). */
enum sdxie_pending {
	PEND_NONE,
	PEND_ACTIVATE,
	PEND_STOP_SF,
	PEND_STOP_HD,
	PEND_RESET,
};

struct sdxie_fn {
	struct sdxie_config cfg;
	const struct sdxie_host_ops *ops;
	void *opaque;

	/* Register file (SDXI 1.0 section 9). */
	uint64_t ctl0, ctl2, cxt_l2, err_ctl, err_sts, err_cfg, err_wrt, err_rd;
	uint8_t gsv;
	enum sdxie_pending pending;

	uint32_t nr_cxt;		/* cfg.max_cxt + 1 */
	struct sdxie_cxt *cxt;		/* [nr_cxt] */
	/*
	 * Client contexts with work, in round-robin order, [nr_cxt].  The
	 * admin context is never in it: cxt[0].queued alone says it has work
	 * and it is served before the queue.
	 */
	uint32_t *queue;
	uint32_t q_head, q_len;
	/*
	 * Turns left in the current round (shuffle_seed set: the queue is
	 * shuffled when a round begins) and the generator's state.
	 */
	uint32_t round_left;
	uint64_t rng;
	uint64_t bytes_left;		/* data bytes this sdxie_run() may still move */
	struct {			/* the current turn's views (view.c) */
		bool on;
		bool r_dirty;		/* cxt[id].r not yet written */
		uint32_t id;
		struct sdxie_view ring, akey, src, dst;
		/*
		 * The ring view from descriptor next_index on: its host
		 * pointer and how many slots follow contiguously (0: none).
		 */
		uint64_t next_index, run;
		const uint8_t *next_host;
	} view;

	struct {			/* fault injection */
		uint64_t addr;		/* 0: off */
		bool after_armed;
		uint64_t after_left;	/* bytes before the one-shot trap */
		bool stall;
	} faults;
	struct sdxie_stats stats;
	/*
	 * Vector + 1 an interrupt descriptor asked for, raised once that
	 * descriptor has retired (retire(), which clears it); 0: none.
	 */
	uint32_t irq_after_retire;
	uint8_t *bounce;		/* for hosts without map() */
	uint8_t *pattern;		/* a REPCOPY block, repeated */
};

#define SDXIE_BOUNCE_SIZE	65536
/* REPCOPY blocks shorter than this are written from a repeated pattern. */
#define SDXIE_PATTERN_BLOCK_MAX	4096
#define SDXIE_PATTERN_SIZE	65536

/* fn.c */
struct sdxie_as fn_as(const struct sdxie_fn *fn);
uint32_t fn_max_cxt(const struct sdxie_fn *fn);
uint64_t fn_max_buffer(const struct sdxie_fn *fn);
void fn_enter_error(struct sdxie_fn *fn, const struct sdxie_err *e, int cxt);
void fn_event(struct sdxie_fn *fn, const struct sdxie_event *ev);
void queue_push(struct sdxie_fn *fn, uint32_t id);

/* mem.c: control-structure accesses (no fault injection) */
int mem_read(struct sdxie_fn *fn, struct sdxie_as as, uint64_t addr,
	     void *buf, uint64_t len);
int mem_write(struct sdxie_fn *fn, struct sdxie_as as, uint64_t addr,
	      const void *buf, uint64_t len);
uint8_t mem_sub_step(int status);
uint16_t mem_reason(int status);
int mem_probe(struct sdxie_fn *fn, struct sdxie_as as, uint64_t addr,
	      uint64_t len, bool is_write);

/*
 * The common case of akey_lookup(), inline: AKey @idx of @c is in the
 * turn's view, valid, with pv = 0 and every field a data access must not
 * use zero (the checks of akey_lookup() for such an entry); @as is then
 * the context's address space.  False: not that case, use akey_lookup().
 */
static inline bool akey_plain(const struct sdxie_fn *fn, const struct sdxie_cxt *c,
			      uint16_t idx, struct sdxie_as *as)
{
	const uint8_t *p;

	if (idx >= c->akey_entries)
		return false;
	p = view_ptr(&fn->view.akey, c->akey_ptr + (uint64_t)idx * 16, 16);
	if (!p || (le16_get(p) & (SDXI_AKEY_VL | SDXI_AKEY_PV | SDXI_AKEY_STE |
				  SDXI_AKEY_INTR_RSVD)) != SDXI_AKEY_VL ||
	    le16_get(p + 2) ||
	    (le32_get(p + 4) & ~SDXI_AKEY_PASID) || le64_get(p + 8))
		return false;
	*as = c->as;
	return true;
}

/*
 * The common case of data_copy(), inline: no fault trap armed and both
 * buffers inside the turn's views.  False: not done, use data_copy().
 */
static inline bool data_copy_direct(struct sdxie_fn *fn, struct sdxie_as das,
				    uint64_t dst, struct sdxie_as sas, uint64_t src,
				    uint64_t len)
{
	void *s, *d;

	if (!fn->view.on || fn->faults.addr || fn->faults.after_armed)
		return false;
	s = view_ptr_as(&fn->view.src, sas, src, len);
	d = s ? view_ptr_as(&fn->view.dst, das, dst, len) : NULL;
	if (!d)
		return false;
	memmove(d, s, len);
	fn->stats.bytes += len;
	return true;
}

/* mem.c: data accesses (fault injection applies) */
bool data_copy(struct sdxie_fn *fn, struct sdxie_as das, uint64_t dst,
	       struct sdxie_as sas, uint64_t src, uint64_t len,
	       struct sdxie_err *e);
bool data_copy_from_host(struct sdxie_fn *fn, struct sdxie_as das, uint64_t dst,
			 const void *src, uint64_t len, struct sdxie_err *e);
uint64_t data_load_pattern(struct sdxie_fn *fn, struct sdxie_as sas, uint64_t src,
			   uint64_t len);
bool data_write(struct sdxie_fn *fn, struct sdxie_as as, uint64_t addr,
		const void *buf, uint64_t len, uint8_t buf_id,
		struct sdxie_err *e);
bool data_rmw(struct sdxie_fn *fn, struct sdxie_as as, uint64_t addr,
	      unsigned int size, uint64_t (*op)(uint64_t old, const void *arg),
	      const void *arg, uint64_t *old, struct sdxie_err *e);

/* view.c: a client context's structures and data mapped for its turn */
void view_begin(struct sdxie_fn *fn, uint32_t id);
void view_end(struct sdxie_fn *fn);
void *view_data(struct sdxie_fn *fn, struct sdxie_as as, uint64_t addr,
		uint64_t *len, bool is_write, int *status);
void view_release_writes(struct sdxie_fn *fn);
int view_fetch_slow(struct sdxie_fn *fn, const struct sdxie_cxt *c, uint64_t index,
		    union sdxi_desc *d);

/*
 * Copy a descriptor out of the ring: qword 0 (with vl) first, then the
 * body after an acquire fence, pairing with a producer that writes the
 * body before qword 0 (release).
 */
static inline void view_load_desc(union sdxi_desc *d, const void *slot)
{
	memcpy(d, slot, 8);
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	memcpy((uint8_t *)d + 8, (const uint8_t *)slot + 8, sizeof(*d) - 8);
}

/* Read descriptor @index of @c: the turn's next slot inline, else view.c. */
static inline int view_fetch(struct sdxie_fn *fn, const struct sdxie_cxt *c,
			     uint64_t index, union sdxi_desc *d)
{
	const uint8_t *p = fn->view.next_host;

	if (index != fn->view.next_index || !fn->view.run)
		return view_fetch_slow(fn, c, index, d);
	fn->view.next_index = index + 1;
	fn->view.next_host = p + SDXI_DESC_SIZE;
	fn->view.run--;
	view_load_desc(d, p);
	return SDXIE_MEM_OK;
}
int view_read_akey(struct sdxie_fn *fn, const struct sdxie_cxt *c, uint64_t addr,
		   struct sdxi_akey_ent *ent);

/* errlog.c */
bool errlog_report(struct sdxie_fn *fn, const struct sdxie_err *e, int cxt,
		   bool div, uint64_t index, uint8_t re);

/* cxt.c */
bool cxt_walk(struct sdxie_fn *fn, uint32_t id, struct sdxie_cxt *out,
	      struct sdxie_err *e);
void cxt_set_state(struct sdxie_fn *fn, uint32_t id, uint8_t state);
bool cxt_write_r(struct sdxie_fn *fn, uint32_t id, uint64_t r);
bool cxt_retire_r(struct sdxie_fn *fn, uint32_t id, uint64_t r);
void cxt_fail(struct sdxie_fn *fn, uint32_t id, const struct sdxie_err *e,
	      bool div, uint64_t index);
void cxt_forget_all(struct sdxie_fn *fn);
bool akey_lookup(struct sdxie_fn *fn, const struct sdxie_cxt *c, uint16_t idx,
		 struct sdxi_akey_ent *ent, struct sdxie_as *as,
		 struct sdxie_err *e);

/* completion.c */
bool retire(struct sdxie_fn *fn, uint32_t id, uint64_t index,
	    const union sdxi_desc *d, const struct sdxie_err *e);
/* The host's SDXIE_EV_DESC event for a retiring descriptor, if it wants one. */
void retire_event(struct sdxie_fn *fn, uint32_t id, uint64_t index,
		  const union sdxi_desc *d, const struct sdxie_err *e);

/*
 * retire() of a descriptor that succeeded, inline for its commonest case:
 * in a client turn, without a CST_BLK or an interrupt (R is written when
 * the turn ends, view.c).  False: not that case, call retire().
 */
static inline bool retire_plain(struct sdxie_fn *fn, uint32_t id, uint64_t index,
				const union sdxi_desc *d)
{
	if (!fn->view.on || fn->irq_after_retire ||
	    !(le64_get(&d->generic.csb_ptr) & SDXI_DSC_NP))
		return false;
	fn->stats.descriptors++;
	if (fn->ops->event)
		retire_event(fn, id, index, d, NULL);
	fn->cxt[id].r = index + 1;
	fn->view.r_dirty = true;
	return true;
}

/* exec.c */
unsigned int cxt_process(struct sdxie_fn *fn, uint32_t id, unsigned int quantum,
			 bool *more);

/* dmab.c, atomic.c, intr.c, admin.c: execute one descriptor (validated header) */
bool exec_dmab(struct sdxie_fn *fn, uint32_t id, const union sdxi_desc *d,
	       uint8_t subtype, struct sdxie_err *e);
bool exec_atomic(struct sdxie_fn *fn, uint32_t id, const union sdxi_desc *d,
		 uint8_t subtype, struct sdxie_err *e);
bool exec_intr(struct sdxie_fn *fn, uint32_t id, const union sdxi_desc *d,
	       uint8_t subtype, struct sdxie_err *e);
bool exec_admin(struct sdxie_fn *fn, const union sdxi_desc *d, uint8_t subtype,
		struct sdxie_err *e);

/* Fill @e for a failed validation and return false. */
static inline bool err_set(struct sdxie_err *e, uint8_t step, uint8_t sub_step,
			   uint16_t reason, uint64_t addr)
{
	*e = (struct sdxie_err){ .step = step, .sub_step = sub_step,
				 .reason = reason, .addr = addr };
	return false;
}

static inline bool dsc_invalid(struct sdxie_err *e, uint16_t reason)
{
	return err_set(e, SDXI_STEP_DSC, SDXI_SUB_STEP_VALIDATION, reason, 0);
}

/* Do [a, a+alen) and [b, b+blen) overlap in the same address space? */
static inline bool ranges_overlap(struct sdxie_as aas, uint64_t a, uint64_t alen,
				  struct sdxie_as bas, uint64_t b, uint64_t blen)
{
	return same_as(aas, bas) && a < b + blen && b < a + alen;
}

#endif /* SDXIE_INTERNAL_H */
