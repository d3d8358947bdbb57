// SPDX-License-Identifier: MIT
/*
 * DMA base group (type 0x001, SDXI 1.0 6.2): NOP, WRT_IMM, COPY, REPCOPY.
 * WRT_IMM and REPCOPY layouts are our choice (uapi/linux/sdxi_hw.h).
 *
 * Every reserved field must be zero and address attributes must be 0
 * (none are implemented).  Source and destination must not overlap each
 * other or the descriptor's CST_BLK (SDXI 1.0 5.6).  COPY and REPCOPY
 * move at most the run's byte allowance at a time (move_blocks).
 */
#include "internal.h"

/* Does [addr, addr + len) in @as overlap the descriptor's CST_BLK? */
static bool hits_csb(const struct sdxie_cxt *c, const union sdxi_desc *d,
		     struct sdxie_as as, uint64_t addr, uint64_t len)
{
	uint64_t csbq = le64_get(&d->generic.csb_ptr);

	return !(csbq & SDXI_DSC_NP) &&
	       ranges_overlap(as, addr, len, c->as, csbq & SDXI_DSC_CSB_PTR,
			      sizeof(struct sdxi_cst_blk));
}

static bool has_csb(const union sdxi_desc *d)
{
	return !(le64_get(&d->generic.csb_ptr) & SDXI_DSC_NP);
}

static bool size_ok(const struct sdxie_cxt *c, uint64_t len, struct sdxie_err *e)
{
	if (len == 0 || len > c->max_buffer)
		return dsc_invalid(e, SDXI_ERR_SIZE);
	return true;
}

static bool nop(const union sdxi_desc *d, struct sdxie_err *e)
{
	if (!all_zero(d->generic.body, sizeof(d->generic.body)))
		return dsc_invalid(e, SDXI_ERR_RSVD_SET);
	return true;
}

static bool wrt_imm(struct sdxie_fn *fn, const struct sdxie_cxt *c,
		    const union sdxi_desc *d, struct sdxie_err *e)
{
	const struct sdxi_dsc_wrt_imm *p = &d->wrt_imm;
	uint64_t len = (uint64_t)le32_get(&p->size) + 1;
	uint64_t dst = le64_get(&p->addr1);
	struct sdxi_akey_ent k;
	struct sdxie_as das;

	if (p->attr || !all_zero(p->rsvd_0, sizeof(p->rsvd_0)))
		return dsc_invalid(e, SDXI_ERR_RSVD_SET);
	if (len > SDXI_WRT_IMM_MAX || !size_ok(c, len, e))
		return dsc_invalid(e, SDXI_ERR_SIZE);
	/* Immediate bytes past the length are reserved. */
	if (!all_zero(p->data + len, SDXI_WRT_IMM_MAX - len))
		return dsc_invalid(e, SDXI_ERR_RSVD_SET);
	if (!akey_lookup(fn, c, le16_get(&p->akey1), &k, &das, e))
		return false;
	if (hits_csb(c, d, das, dst, len))
		return dsc_invalid(e, SDXI_ERR_OVERLAP);
	/* One host write: single-copy atomic for aligned 1/2/4/8 bytes. */
	return data_write(fn, das, dst, p->data, len, SDXI_BUF_DST, e);
}

/*
 * Write bytes [c->moved, total) of a transfer whose block i (@len bytes
 * from @src) goes to @dst + i * len, front to back, as far as this run's
 * byte allowance (fn->bytes_left) goes; if it runs out first, the context
 * is marked suspended and c->moved says where to resume.  Blocks after the
 * first one of a short block are written from a repeated copy of the
 * block, so a small-block REPCOPY costs per byte, not per block.
 */
static bool move_blocks(struct sdxie_fn *fn, struct sdxie_cxt *c,
			struct sdxie_as das, uint64_t dst, struct sdxie_as sas,
			uint64_t src, uint64_t len, uint64_t total, struct sdxie_err *e)
{
	uint64_t pattern = 0;	/* bytes of fn->pattern holding whole blocks */

	/* A COPY that fits the run, both buffers in view: one move. */
	if (total == len && !c->moved && len <= fn->bytes_left &&
	    data_copy_direct(fn, das, dst, sas, src, len)) {
		c->moved = len;
		fn->bytes_left -= len;
		return true;
	}
	while (c->moved < total) {
		uint64_t off = c->moved < len ? c->moved : c->moved % len, n;
		bool ok;

		if (!fn->bytes_left) {
			c->suspended = true;
			return true;
		}
		if (!pattern && len < SDXIE_PATTERN_BLOCK_MAX && c->moved >= len)
			pattern = data_load_pattern(fn, sas, src, len);
		if (pattern) {
			n = min64(min64(total - c->moved, pattern - off), fn->bytes_left);
			ok = data_copy_from_host(fn, das, dst + c->moved,
						 fn->pattern + off, n, e);
		} else {
			n = min64(len - off, fn->bytes_left);
			ok = data_copy(fn, das, dst + c->moved, sas, src + off, n, e);
		}
		if (!ok)
			return false;
		c->moved += n;
		fn->bytes_left -= n;
	}
	return true;
}

/*
 * COPY and REPCOPY: COPY is one repetition, and the two layouts agree up
 * to byte 31 (size, attr, akey0/akey1, addr0/addr1).  @rsvd_zero: the
 * rest of the body, reserved, is zero.  A resumed transfer passes every
 * check again (AKey entries are read on every use) before it goes on.
 */
static bool copy_blocks(struct sdxie_fn *fn, struct sdxie_cxt *c,
			const union sdxi_desc *d, uint64_t reps, bool rsvd_zero,
			struct sdxie_err *e)
{
	const struct sdxi_dsc_copy *p = &d->copy;
	uint64_t len = (uint64_t)le32_get(&p->size) + 1;
	uint64_t src = le64_get(&p->addr0), dst = le64_get(&p->addr1);
	struct sdxi_akey_ent k;
	struct sdxie_as sas, das;

	if (p->attr || !all_zero(p->rsvd_0, sizeof(p->rsvd_0)) || !rsvd_zero)
		return dsc_invalid(e, SDXI_ERR_RSVD_SET);
	if (!size_ok(c, len, e))
		return false;
	if (reps > 1 && reps > c->max_buffer / len)
		return dsc_invalid(e, SDXI_ERR_SIZE);
	/* One read of the entry when both buffers name the same key. */
	if (!akey_plain(fn, c, le16_get(&p->akey0), &sas) &&
	    !akey_lookup(fn, c, le16_get(&p->akey0), &k, &sas, e))
		return false;
	if (le16_get(&p->akey1) == le16_get(&p->akey0))
		das = sas;
	else if (!akey_plain(fn, c, le16_get(&p->akey1), &das) &&
		 !akey_lookup(fn, c, le16_get(&p->akey1), &k, &das, e))
		return false;
	if (ranges_overlap(sas, src, len, das, dst, len * reps) ||
	    (has_csb(d) && (hits_csb(c, d, sas, src, len) ||
			    hits_csb(c, d, das, dst, len * reps))))
		return dsc_invalid(e, SDXI_ERR_OVERLAP);
	return move_blocks(fn, c, das, dst, sas, src, len, len * reps, e);
}

/*
 * The commonest COPY, checked and done in one pass: reserved fields zero,
 * one plain AKey for both buffers (akey_plain()), no overlap between the
 * buffers or with the CST_BLK, the whole copy within the run's allowance
 * and both buffers in the turn's views (data_copy_direct()).  False: not
 * that case (nothing was written), take the general path.
 */
static bool copy_fast(struct sdxie_fn *fn, struct sdxie_cxt *c,
		      const union sdxi_desc *d)
{
	const struct sdxi_dsc_copy *p = &d->copy;
	uint64_t len = (uint64_t)le32_get(&p->size) + 1;
	uint64_t src = le64_get(&p->addr0), dst = le64_get(&p->addr1);
	uint64_t csbq = le64_get(&d->generic.csb_ptr), csb = csbq & SDXI_DSC_CSB_PTR;
	uint16_t key = le16_get(&p->akey0);
	struct sdxie_as as;

	/* attr and rsvd_0 (bytes 8..11), rsvd_1 (bytes 32..55). */
	if (le32_get(&p->attr) | d->qw[4] | d->qw[5] | d->qw[6])
		return false;
	if (len > c->max_buffer || len > fn->bytes_left || c->moved ||
	    le16_get(&p->akey1) != key || !akey_plain(fn, c, key, &as))
		return false;
	if ((src < dst + len && dst < src + len) ||
	    (!(csbq & SDXI_DSC_NP) &&
	     ((src < csb + 32 && csb < src + len) || (dst < csb + 32 && csb < dst + len))))
		return false;
	if (!data_copy_direct(fn, as, dst, as, src, len))
		return false;
	fn->bytes_left -= len;
	return true;
}

bool exec_dmab(struct sdxie_fn *fn, uint32_t id, const union sdxi_desc *d,
	       uint8_t subtype, struct sdxie_err *e)
{
	struct sdxie_cxt *c = &fn->cxt[id];
	uint64_t reps = 1;
	bool rsvd_zero;

	switch (subtype) {
	case SDXI_DSC_DMAB_NOP:
		return nop(d, e);
	case SDXI_DSC_DMAB_WRT_IMM:
		return wrt_imm(fn, c, d, e);
	case SDXI_DSC_DMAB_COPY:
		if (copy_fast(fn, c, d))
			return true;
		rsvd_zero = all_zero(d->copy.rsvd_1, sizeof(d->copy.rsvd_1));
		break;
	case SDXI_DSC_DMAB_REPCOPY:
		reps = (uint64_t)le32_get(&d->repcopy.count) + 1;
		rsvd_zero = all_zero(d->repcopy.rsvd_1, sizeof(d->repcopy.rsvd_1));
		break;
	default:
		return dsc_invalid(e, SDXI_ERR_BAD_TYPE);
	}
	return copy_blocks(fn, c, d, reps, rsvd_zero, e);
}
