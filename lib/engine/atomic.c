// SPDX-License-Identifier: MIT
/*
 * Atomic group (type 0x003).  Subtype numbers follow the old AMD driver
 * (hardware.rst, "Atomic group"); the descriptor layout and each
 * operation's exact definition are our choice (uapi/linux/sdxi_hw.h).
 *
 * The target is updated with a host compare-and-swap when the host can map
 * it, so the update is atomic against CPUs; the old value optionally goes
 * to the return-data address.
 */
#include "internal.h"

struct atomic_args {
	uint8_t subtype;
	unsigned int bits;
	uint64_t op1, op2;
};

static uint64_t mask_of(unsigned int bits)
{
	return bits == 64 ? ~0ULL : (1ULL << bits) - 1;
}

static int64_t as_signed(uint64_t v, unsigned int bits)
{
	return bits == 64 ? (int64_t)v : (int64_t)(int32_t)(uint32_t)v;
}

/* New value of the target given its old value (both width-masked). */
static uint64_t atomic_op(uint64_t old, const void *arg)
{
	const struct atomic_args *a = arg;
	uint64_t m = mask_of(a->bits), op1 = a->op1, op2 = a->op2, sum;

	switch (a->subtype) {
	case SDXI_DSC_ATOMIC_SWAP:
		return op1;
	case SDXI_DSC_ATOMIC_UADD:
		return (old + op1) & m;
	case SDXI_DSC_ATOMIC_USUB:
		return (old - op1) & m;
	case SDXI_DSC_ATOMIC_AND:
		return old & op1;
	case SDXI_DSC_ATOMIC_OR:
		return old | op1;
	case SDXI_DSC_ATOMIC_XOR:
		return old ^ op1;
	case SDXI_DSC_ATOMIC_SMIN:
		return as_signed(op1, a->bits) < as_signed(old, a->bits) ? op1 : old;
	case SDXI_DSC_ATOMIC_SMAX:
		return as_signed(op1, a->bits) > as_signed(old, a->bits) ? op1 : old;
	case SDXI_DSC_ATOMIC_UMIN:
		return op1 < old ? op1 : old;
	case SDXI_DSC_ATOMIC_UMAX:
		return op1 > old ? op1 : old;
	case SDXI_DSC_ATOMIC_UCLAMPI:
		/* Saturating add of op1, clamped at op2. */
		sum = (old + op1) & m;
		return sum < old || sum > op2 ? op2 : sum;
	case SDXI_DSC_ATOMIC_UCLAMPD:
		/* Saturating subtract of op1, clamped at op2. */
		return old < op1 || old - op1 < op2 ? op2 : old - op1;
	default:	/* CMPSWAP: op2 is the compare value */
		return old == op2 ? op1 : old;
	}
}

static bool valid_subtype(uint8_t s)
{
	return s >= SDXI_DSC_ATOMIC_SWAP && s <= SDXI_DSC_ATOMIC_CMPSWAP && s != 0x04;
}

/* Does this operation read operand 2? */
static bool uses_op2(uint8_t s)
{
	return s == SDXI_DSC_ATOMIC_UCLAMPI || s == SDXI_DSC_ATOMIC_UCLAMPD ||
	       s == SDXI_DSC_ATOMIC_CMPSWAP;
}

bool exec_atomic(struct sdxie_fn *fn, uint32_t id, const union sdxi_desc *d,
		 uint8_t subtype, struct sdxie_err *e)
{
	const struct sdxie_cxt *c = &fn->cxt[id];
	const struct sdxi_dsc_atomic *p = &d->atomic;
	uint8_t sz = p->flags & SDXI_ATOMIC_SZ;
	bool rv = p->flags & SDXI_ATOMIC_RV;
	unsigned int size = sz == SDXI_ATOMIC_SZ_4 ? 4 : 8;
	struct atomic_args a = {
		.subtype = subtype, .bits = size * 8,
		.op1 = le64_get(&p->operand1), .op2 = le64_get(&p->operand2),
	};
	uint64_t tgt = le64_get(&p->addr0), ret = le64_get(&p->addr1), old;
	struct sdxie_as tas, ras = { 0 };
	struct sdxi_akey_ent k;
	uint8_t raw[8];

	if (!valid_subtype(subtype))
		return dsc_invalid(e, SDXI_ERR_BAD_TYPE);
	if ((p->flags & ~(SDXI_ATOMIC_SZ | SDXI_ATOMIC_RV)) ||
	    (sz != SDXI_ATOMIC_SZ_4 && sz != SDXI_ATOMIC_SZ_8) ||
	    !all_zero(p->rsvd_0, sizeof(p->rsvd_0)) || !all_zero(p->rsvd_1, sizeof(p->rsvd_1)) ||
	    (a.op1 & ~mask_of(a.bits)) || (a.op2 & ~mask_of(a.bits)) ||
	    (!uses_op2(subtype) && a.op2) || (!rv && (ret || le16_get(&p->akey1))))
		return dsc_invalid(e, SDXI_ERR_RSVD_SET);
	if (tgt & (size - 1))
		return err_set(e, SDXI_STEP_DATA, SDXI_SUB_STEP_VALIDATION,
			       SDXI_ERR_ALIGN, tgt);
	if (rv && (ret & (size - 1)))
		return err_set(e, SDXI_STEP_ATOMIC_RET, SDXI_SUB_STEP_VALIDATION,
			       SDXI_ERR_ALIGN, ret);
	if (!akey_lookup(fn, c, le16_get(&p->akey0), &k, &tas, e) ||
	    (rv && !akey_lookup(fn, c, le16_get(&p->akey1), &k, &ras, e)))
		return false;
	if (rv && ranges_overlap(tas, tgt, size, ras, ret, size))
		return dsc_invalid(e, SDXI_ERR_OVERLAP);

	/* The return data is written after the target: translate it first. */
	if (rv && mem_probe(fn, ras, ret, size, true) == SDXIE_MEM_PENDING) {
		e->pending = true;
		return false;
	}
	if (!data_rmw(fn, tas, tgt, size, atomic_op, &a, &old, e))
		return false;
	if (!rv)
		return true;
	if (size == 4)
		le32_put(raw, (uint32_t)old);
	else
		le64_put(raw, old);
	if (!data_write(fn, ras, ret, raw, size, SDXI_BUF_DST, e)) {
		e->step = SDXI_STEP_ATOMIC_RET;
		return false;
	}
	return true;
}
