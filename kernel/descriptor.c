// SPDX-License-Identifier: GPL-2.0
/*
 * SDXI descriptor encoders (SDXI 1.0 section 6; Documentation/hardware.rst,
 * "Descriptors").
 *
 * The driver's argument rules over the shared encoders of <sdxi/encode.h>:
 * each validates, then writes the whole descriptor (reserved bytes zero)
 * or leaves it untouched on -EINVAL.  Descriptors leave here with vl = 0
 * and np = 1 (no completion block); sdxi_desc_set_csb() attaches a CST_BLK
 * and ring.c sets vl when it publishes the slot.
 */
#include <asm/byteorder.h>
#include <linux/errno.h>
#include <linux/export.h>
#include <linux/types.h>
#include <kunit/visibility.h>

#include "descriptor.h"

/**
 * sdxi_encode_nop() - encode a DSC_DMAB_NOP (Table 6-6)
 * @out: descriptor to write
 *
 * A NOP fills a reserved slot that will not carry an operation, so the
 * function never stops at a slot whose valid bit stays clear.
 *
 * Return: 0.
 */
int sdxi_encode_nop(union sdxi_desc *out)
{
	return sdxi_prep_nop(out, NULL);
}
EXPORT_SYMBOL_IF_KUNIT(sdxi_encode_nop);

/**
 * sdxi_encode_copy() - encode a DSC_DMAB_COPY (Table 6-8)
 * @out: descriptor to write
 * @p: copy parameters
 *
 * The size field holds length - 1, so a 1-byte copy encodes 0 and a 4 GiB
 * copy 0xffffffff; a length of 0 cannot be expressed.  "The source and
 * destination buffers shall not overlap" (SDXI 1.0 5.6), so overlapping
 * ranges are rejected here rather than failing on the function.
 *
 * Return: 0, or -EINVAL for a zero or too large length, a range that wraps
 * the 64-bit address space, or overlapping buffers.
 */
int sdxi_encode_copy(union sdxi_desc *out, const struct sdxi_copy *p)
{
	const struct sdxi_desc_attr attr = {
		.akey0 = p->src_akey,
		.akey1 = p->dst_akey,
	};

	if (!p->len || p->len > SDXI_DSC_MAX_LEN)
		return -EINVAL;
	if (p->src + (p->len - 1) < p->src || p->dst + (p->len - 1) < p->dst)
		return -EINVAL;
	if (p->src < p->dst + p->len && p->dst < p->src + p->len)
		return -EINVAL;

	return sdxi_prep_copy(out, &attr, p->dst, p->src, p->len);
}
EXPORT_SYMBOL_IF_KUNIT(sdxi_encode_copy);

/**
 * sdxi_encode_intr() - encode a DSC_INTR (Table 6-12)
 * @out: descriptor to write
 * @akey: AKey table index whose entry (vl = 1, iv = 1) names the vector
 *
 * The fence makes the interrupt fire only after every earlier descriptor of
 * the context has retired, which is what a completion interrupt means.
 *
 * Return: 0.
 */
int sdxi_encode_intr(union sdxi_desc *out, u16 akey)
{
	const struct sdxi_desc_attr attr = { .flags = SDXI_DESC_FENCE };

	return sdxi_prep_intr(out, &attr, akey);
}
EXPORT_SYMBOL_IF_KUNIT(sdxi_encode_intr);

/**
 * sdxi_encode_cxt_start() - encode DSC_CXT_START_NM or _RS (Table 6-14)
 * @out: descriptor to write
 * @r: contexts to start
 * @resume: false: start normally (read index := 0, START_NM);
 *	    true: resume from CXT_STS.read_index in memory (START_RS)
 * @dv: act as if the doorbell had been written after the start
 * @db_value: doorbell value, meaningful with @dv
 *
 * fe = 1 is mandatory for context start.
 *
 * Return: 0, or -EINVAL for an empty range or a @db_value without @dv.
 */
int sdxi_encode_cxt_start(union sdxi_desc *out, const struct sdxi_cxt_range *r,
			  bool resume, bool dv, u64 db_value)
{
	return sdxi__prep_cxt_start(out, r->start, r->end, resume, dv, db_value);
}
EXPORT_SYMBOL_IF_KUNIT(sdxi_encode_cxt_start);

/**
 * sdxi_encode_cxt_stop() - encode a DSC_CXT_STOP (Table 6-15)
 * @out: descriptor to write
 * @r: contexts to stop
 * @hard: hard stop (hs = 1) instead of a soft stop
 *
 * fe = 1 is mandatory for context stop.  Follow it with a DSC_SYNC
 * (flt = STOP) over the same range to learn when the stop took effect.
 *
 * Return: 0, or -EINVAL for an empty range.
 */
int sdxi_encode_cxt_stop(union sdxi_desc *out, const struct sdxi_cxt_range *r,
			 bool hard)
{
	return sdxi__prep_cxt_stop(out, r->start, r->end, hard);
}
EXPORT_SYMBOL_IF_KUNIT(sdxi_encode_cxt_stop);

/**
 * sdxi_encode_sync() - encode a DSC_SYNC (Table 6-22)
 * @out: descriptor to write
 * @flt: filter, SDXI_SYNC_FLT_CXT .. SDXI_SYNC_FLT_FN
 * @r: contexts the filter applies to
 *
 * Key ranges (AKEY/RKEY filters) are not used by this driver and stay 0.
 *
 * Return: 0, or -EINVAL for an unknown filter or an empty range.
 */
int sdxi_encode_sync(union sdxi_desc *out, u8 flt,
		     const struct sdxi_cxt_range *r)
{
	return sdxi__prep_sync(out, flt, r->start, r->end);
}
EXPORT_SYMBOL_IF_KUNIT(sdxi_encode_sync);

/**
 * sdxi_encode_cxt_upd() - encode a DSC_CXT_UPD
 * @out: descriptor to write
 * @r: contexts whose L1 entry and CXT_CTL the function must re-read
 *
 * Layout (our choice, Documentation/hardware.rst): DSC_SYNC without cflags.
 * Send it, followed by a DSC_SYNC (flt = CXT), after changing an L1 entry
 * or CXT_CTL the function may have cached (SDXI 1.0 4.3.1.1).
 *
 * Return: 0, or -EINVAL for an empty range.
 */
int sdxi_encode_cxt_upd(union sdxi_desc *out, const struct sdxi_cxt_range *r)
{
	return sdxi__prep_cxt_upd(out, r->start, r->end);
}
EXPORT_SYMBOL_IF_KUNIT(sdxi_encode_cxt_upd);

/**
 * sdxi_encode_fn_upd() - encode a DSC_FN_UPD (body reserved, our choice)
 * @out: descriptor to write
 *
 * Makes the function drop every cached context structure.
 *
 * Return: 0.
 */
int sdxi_encode_fn_upd(union sdxi_desc *out)
{
	return sdxi__prep_fn_upd(out);
}
EXPORT_SYMBOL_IF_KUNIT(sdxi_encode_fn_upd);

/**
 * sdxi_encode_adm_intr() - encode a DSC_ADM_INTR (our choice)
 * @out: descriptor to write
 * @vector: MSI-X vector the function raises directly
 *
 * Return: 0, or -EINVAL for a vector that does not fit intr_num (11 bits).
 */
int sdxi_encode_adm_intr(union sdxi_desc *out, u16 vector)
{
	return sdxi__prep_adm_intr(out, vector);
}
EXPORT_SYMBOL_IF_KUNIT(sdxi_encode_adm_intr);

/**
 * sdxi_desc_set_csb() - attach a completion status block to a descriptor
 * @d: encoded descriptor (not yet published)
 * @csb_addr: CST_BLK address in the context's address space, 32-byte
 *	      aligned and non-zero
 *
 * The last qword holds the address in place with np = 0 (Table 6-3).
 *
 * Return: 0, or -EINVAL (descriptor untouched) for a bad address.
 */
int sdxi_desc_set_csb(union sdxi_desc *d, u64 csb_addr)
{
	if (!csb_addr || (csb_addr & ~SDXI_DSC_CSB_PTR))
		return -EINVAL;

	d->generic.csb_ptr = cpu_to_le64(csb_addr);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(sdxi_desc_set_csb);

/**
 * sdxi_desc_set_fence() - make a descriptor wait for all earlier ones
 * @d: encoded descriptor (not yet published)
 */
void sdxi_desc_set_fence(union sdxi_desc *d)
{
	d->generic.opcode |= cpu_to_le32(SDXI_DSC_FE);
}
EXPORT_SYMBOL_IF_KUNIT(sdxi_desc_set_fence);
