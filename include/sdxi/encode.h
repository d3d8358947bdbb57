/* SPDX-License-Identifier: MIT */
/*
 * SDXI descriptor encoders: pure functions that build the 64-byte
 * descriptors of SNIA SDXI 1.0 (and this project's layouts for the
 * operations the specification leaves open, Documentation/hardware.rst)
 * from their operands, checking them first.
 *
 * Freestanding: fixed-width types, no library calls, no state, nothing
 * but the formats (<sdxi/uapi/sdxi_hw.h>, libsdxi's copy of the kernel's
 * <linux/sdxi_hw.h>).  It is the one set of encoders and reason names of
 * the tree: libsdxi installs it, the kernel driver builds its descriptors
 * with it (under __KERNEL__ it takes the kernel's headers and byte-order
 * helpers, sparse clean), and tests encode with it while decoding with
 * their own literal bit positions.  Every encoder either writes the whole
 * descriptor (reserved fields zero, vl clear) and returns 0, or returns a
 * negative errno and leaves it untouched.
 *
 * Naming: sdxi_prep_<op> encodes operation <op> into memory; the same
 * operation is sdxi_batch_<op> when encoded straight into a ring slot
 * (<sdxi/ring.h>), and has a convenience call on CPU addresses in
 * <sdxi.h> (sdxi_memcpy() for COPY, sdxi_fill(), sdxi_write_imm()).
 * <op> is the descriptor's name in the specification, lower case:
 * nop, copy, repcopy, write_imm (WRT_IMM), atomic, intr.  Names with a
 * double underscore after "sdxi" are this header's helpers, not API.
 */
#ifndef LIBSDXI_ENCODE_H
#define LIBSDXI_ENCODE_H

#ifdef __KERNEL__
#include <linux/errno.h>
#include <linux/stddef.h>
#include <linux/types.h>
#include <linux/sdxi_hw.h>
#else
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <sdxi/uapi/sdxi_hw.h>
#endif

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Every inline function of libsdxi's headers is declared with SDXI_INLINE
 * (never a bare "static inline"), so that a build that wants real symbols
 * (a language binding) can define it empty before including them.
 */
#ifndef SDXI_INLINE
#define SDXI_INLINE static inline
#endif

/*
 * Byte order of the hardware formats (little endian), without <endian.h>
 * (whose htole*() strict C99 does not declare); the kernel's own helpers
 * under __KERNEL__, so that sparse checks the __le types.
 */
#if defined(__KERNEL__)
#define sdxi__le16(v)	cpu_to_le16(v)
#define sdxi__le32(v)	cpu_to_le32(v)
#define sdxi__le64(v)	cpu_to_le64(v)
#elif defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
SDXI_INLINE uint16_t sdxi__le16(uint16_t v) { return __builtin_bswap16(v); }
SDXI_INLINE uint32_t sdxi__le32(uint32_t v) { return __builtin_bswap32(v); }
SDXI_INLINE uint64_t sdxi__le64(uint64_t v) { return __builtin_bswap64(v); }
#else
SDXI_INLINE uint16_t sdxi__le16(uint16_t v) { return v; }
SDXI_INLINE uint32_t sdxi__le32(uint32_t v) { return v; }
SDXI_INLINE uint64_t sdxi__le64(uint64_t v) { return v; }
#endif

/* Descriptor flags (struct sdxi_desc_attr.flags; the batch helpers' @flags). */
#define SDXI_DESC_SEQ		SDXI_DSC_SE	/* sequential: earlier writes visible first */
#define SDXI_DESC_FENCE		SDXI_DSC_FE	/* fence: earlier descriptors retire first */

/* Largest length one descriptor can encode (size is length - 1, 32 bits). */
#define SDXI_DESC_MAX_LEN	SDXI_DSC_MAX_LEN

/* Fields every descriptor carries besides its operation. */
struct sdxi_desc_attr {
	uint64_t csb;		/* CST_BLK device address, 32-byte aligned; 0: none */
	uint16_t akey0;		/* AKey of the source (atomic: target) */
	uint16_t akey1;		/* AKey of the destination (atomic: return data) */
	uint32_t flags;		/* SDXI_DESC_SEQ | SDXI_DESC_FENCE */
};

SDXI_INLINE int sdxi__wraps(uint64_t addr, uint64_t len)
{
	return addr > ~(uint64_t)0 - len;
}

SDXI_INLINE int sdxi__overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

/*
 * Two ranges of the same length 1..2^32 overlap iff |b - a| < len, i.e.
 * (b - a + len - 1) mod 2^64 < 2 len - 1: one comparison.
 */
SDXI_INLINE int sdxi__overlap_eq(uint64_t a, uint64_t b, uint64_t len)
{
	return b - a + (len - 1) < 2 * len - 1;
}

/* Common checks of @a against data range [addr, addr + len); 0 or -EINVAL. */
SDXI_INLINE int sdxi__attr_check(const struct sdxi_desc_attr *a, uint64_t addr, uint64_t len)
{
	if (a->flags & ~(uint32_t)(SDXI_DESC_SEQ | SDXI_DESC_FENCE))
		return -EINVAL;
	/* CST_BLK: 32-byte aligned, not overlapping the data (SDXI 1.0 5.6). */
	if (a->csb && ((a->csb & ~SDXI_DSC_CSB_PTR) || sdxi__wraps(a->csb, 32) ||
		       (len && sdxi__overlap(a->csb, 32, addr, len))))
		return -EINVAL;
	return 0;
}

/* Opcode word (vl clear) and CST_BLK word of a descriptor. */
SDXI_INLINE uint32_t sdxi__opcode(unsigned int type, unsigned int subtype, uint32_t flags)
{
	return (uint32_t)(SDXI_FIELD_PREP(SDXI_DSC_TYPE, type) |
			  SDXI_FIELD_PREP(SDXI_DSC_SUBTYPE, subtype)) |
	       (flags & (SDXI_DSC_SE | SDXI_DSC_FE));
}

SDXI_INLINE uint64_t sdxi__csb_word(uint64_t csb)
{
	return csb ? csb : SDXI_DSC_NP;
}

/*
 * Field placement inside the quadwords of a descriptor, taken from the
 * layouts of <sdxi/uapi/sdxi_hw.h> (offsetof).  Encoders compute each
 * quadword as one integer, so that the compiler keeps a descriptor in
 * registers and writes it to the ring with eight stores, instead of
 * assembling it in memory from narrow field stores.
 */
#define SDXI__QW(type, member)		(offsetof(struct type, member) / 8)
#define SDXI__PUT(type, member, v)	\
	((uint64_t)(v) << (offsetof(struct type, member) % 8 * 8))
/* Field @member's bits in quadword @i (0 when it lives elsewhere). */
#define SDXI__FQ(type, member, i, v)	\
	(SDXI__QW(type, member) == (i) ? SDXI__PUT(type, member, v) : 0)

/* Quadword @i (little endian) of a COPY; @csbw is the CST_BLK word. */
SDXI_INLINE __le64 sdxi__copy_q(unsigned int i, uint32_t op, uint16_t akey0, uint16_t akey1,
				  uint64_t dst, uint64_t src, uint64_t len, uint64_t csbw)
{
	return sdxi__le64((i == 0 ? (uint64_t)op : 0) |
			  SDXI__FQ(sdxi_dsc_copy, size, i, (uint32_t)(len - 1)) |
			  SDXI__FQ(sdxi_dsc_copy, akey0, i, akey0) |
			  SDXI__FQ(sdxi_dsc_copy, akey1, i, akey1) |
			  SDXI__FQ(sdxi_dsc_copy, addr0, i, src) |
			  SDXI__FQ(sdxi_dsc_copy, addr1, i, dst) |
			  SDXI__FQ(sdxi_dsc_copy, csb_ptr, i, csbw));
}

/* Quadword @i of a REPCOPY. */
SDXI_INLINE __le64 sdxi__repcopy_q(unsigned int i, uint32_t op, uint16_t akey0,
				     uint16_t akey1, uint64_t dst, uint64_t src, uint64_t len,
				     uint64_t count, uint64_t csbw)
{
	return sdxi__le64((i == 0 ? (uint64_t)op : 0) |
			  SDXI__FQ(sdxi_dsc_repcopy, size, i, (uint32_t)(len - 1)) |
			  SDXI__FQ(sdxi_dsc_repcopy, akey0, i, akey0) |
			  SDXI__FQ(sdxi_dsc_repcopy, akey1, i, akey1) |
			  SDXI__FQ(sdxi_dsc_repcopy, addr0, i, src) |
			  SDXI__FQ(sdxi_dsc_repcopy, addr1, i, dst) |
			  SDXI__FQ(sdxi_dsc_repcopy, count, i, (uint32_t)(count - 1)) |
			  SDXI__FQ(sdxi_dsc_repcopy, csb_ptr, i, csbw));
}

/* Quadword @i of a NOP (akey 0: bytes 12-13 are reserved) or DSC_INTR. */
SDXI_INLINE __le64 sdxi__simple_q(unsigned int i, uint32_t op, uint16_t akey, uint64_t csbw)
{
	return sdxi__le64((i == 0 ? (uint64_t)op : 0) |
			  SDXI__FQ(sdxi_dsc_intr, akey, i, akey) |
			  SDXI__FQ(sdxi_dsc_intr, csb_ptr, i, csbw));
}

/* Encoders without checks (the sdxi_prep_* and batch helpers check). */
SDXI_INLINE void sdxi__enc_copy(union sdxi_desc *d, uint64_t csb, uint16_t akey0,
				uint16_t akey1, uint32_t flags, uint64_t dst,
				uint64_t src, uint64_t len)
{
	uint32_t op = sdxi__opcode(SDXI_DSC_TYPE_DMAB, SDXI_DSC_DMAB_COPY, flags);
	uint64_t w = sdxi__csb_word(csb);

	d->qw[0] = sdxi__copy_q(0, op, akey0, akey1, dst, src, len, w);
	d->qw[1] = sdxi__copy_q(1, op, akey0, akey1, dst, src, len, w);
	d->qw[2] = sdxi__copy_q(2, op, akey0, akey1, dst, src, len, w);
	d->qw[3] = sdxi__copy_q(3, op, akey0, akey1, dst, src, len, w);
	d->qw[4] = sdxi__copy_q(4, op, akey0, akey1, dst, src, len, w);
	d->qw[5] = sdxi__copy_q(5, op, akey0, akey1, dst, src, len, w);
	d->qw[6] = sdxi__copy_q(6, op, akey0, akey1, dst, src, len, w);
	d->qw[7] = sdxi__copy_q(7, op, akey0, akey1, dst, src, len, w);
}

SDXI_INLINE void sdxi__enc_repcopy(union sdxi_desc *d, uint64_t csb, uint16_t akey0,
				   uint16_t akey1, uint32_t flags, uint64_t dst,
				   uint64_t src, uint64_t len, uint64_t count)
{
	uint32_t op = sdxi__opcode(SDXI_DSC_TYPE_DMAB, SDXI_DSC_DMAB_REPCOPY, flags);
	uint64_t w = sdxi__csb_word(csb);

	for (unsigned int i = 0; i < 8; i++)
		d->qw[i] = sdxi__repcopy_q(i, op, akey0, akey1, dst, src, len, count, w);
}

SDXI_INLINE void sdxi__enc_simple(union sdxi_desc *d, uint64_t csb, uint32_t flags,
				  unsigned int type, unsigned int subtype, uint16_t akey)
{
	uint32_t op = sdxi__opcode(type, subtype, flags);
	uint64_t w = sdxi__csb_word(csb);

	for (unsigned int i = 0; i < 8; i++)
		d->qw[i] = sdxi__simple_q(i, op, akey, w);
}

/* DSC_DMAB_NOP.  0, or -EINVAL (flags, CST_BLK alignment). */
SDXI_INLINE int sdxi_prep_nop(union sdxi_desc *d, const struct sdxi_desc_attr *a)
{
	static const struct sdxi_desc_attr none = { 0, 0, 0, 0 };

	if (!a)
		a = &none;
	if (sdxi__attr_check(a, 0, 0))
		return -EINVAL;
	sdxi__enc_simple(d, a->csb, a->flags, SDXI_DSC_TYPE_DMAB, SDXI_DSC_DMAB_NOP, 0);
	return 0;
}

/*
 * DSC_DMAB_COPY of @len bytes from @src to @dst (device addresses).
 * Returns 0, -EINVAL (len 0, ranges that wrap, source and destination
 * overlapping when both use the same AKey, CST_BLK misaligned or
 * overlapping the data, unknown flags) or -E2BIG (len above 4 GiB).
 */
SDXI_INLINE int sdxi_prep_copy(union sdxi_desc *d, const struct sdxi_desc_attr *a,
			       uint64_t dst, uint64_t src, uint64_t len)
{
	static const struct sdxi_desc_attr none = { 0, 0, 0, 0 };

	if (!a)
		a = &none;
	if (len == 0 || sdxi__wraps(src, len) || sdxi__wraps(dst, len))
		return -EINVAL;
	if (len > SDXI_DESC_MAX_LEN)
		return -E2BIG;
	if ((a->akey0 == a->akey1 && sdxi__overlap(src, len, dst, len)) ||
	    sdxi__attr_check(a, src, len) || sdxi__attr_check(a, dst, len))
		return -EINVAL;
	sdxi__enc_copy(d, a->csb, a->akey0, a->akey1, a->flags, dst, src, len);
	return 0;
}

/*
 * DSC_DMAB_REPCOPY: the @len bytes at @src copied @count times to
 * consecutive blocks from @dst.  Returns 0, -EINVAL (len or count 0,
 * ranges that wrap, the source block overlapping the destination, CST_BLK
 * misaligned or overlapping) or -E2BIG (block or whole destination above
 * 4 GiB).
 */
SDXI_INLINE int sdxi_prep_repcopy(union sdxi_desc *d, const struct sdxi_desc_attr *a,
				  uint64_t dst, uint64_t src, uint64_t len, uint64_t count)
{
	static const struct sdxi_desc_attr none = { 0, 0, 0, 0 };

	if (!a)
		a = &none;
	if (len == 0 || count == 0 || sdxi__wraps(src, len))
		return -EINVAL;
	if (len > SDXI_DESC_MAX_LEN || count > SDXI_DESC_MAX_LEN / len)
		return -E2BIG;
	if (sdxi__wraps(dst, len * count) ||
	    (a->akey0 == a->akey1 && sdxi__overlap(src, len, dst, len * count)) ||
	    sdxi__attr_check(a, src, len) || sdxi__attr_check(a, dst, len * count))
		return -EINVAL;
	sdxi__enc_repcopy(d, a->csb, a->akey0, a->akey1, a->flags, dst, src, len, count);
	return 0;
}

/*
 * DSC_DMAB_WRT_IMM: write the @len bytes at @data (1..32) to @dst; an
 * aligned write of 1, 2, 4 or 8 bytes is single-copy atomic.  Uses
 * a->akey1.  Returns 0, -EINVAL (len 0, range wraps, CST_BLK) or -E2BIG
 * (len above 32).
 */
SDXI_INLINE int sdxi_prep_write_imm(union sdxi_desc *d, const struct sdxi_desc_attr *a,
				    uint64_t dst, const void *data, uint32_t len)
{
	static const struct sdxi_desc_attr none = { 0, 0, 0, 0 };
	union sdxi_desc t = { { 0 } };

	if (!a)
		a = &none;
	if (len == 0 || sdxi__wraps(dst, len))
		return -EINVAL;
	if (len > SDXI_WRT_IMM_MAX)
		return -E2BIG;
	if (sdxi__attr_check(a, dst, len))
		return -EINVAL;
	t.wrt_imm.opcode = sdxi__le32(sdxi__opcode(SDXI_DSC_TYPE_DMAB, SDXI_DSC_DMAB_WRT_IMM,
						a->flags));
	t.wrt_imm.size = sdxi__le32(len - 1);
	t.wrt_imm.akey1 = sdxi__le16(a->akey1);
	t.wrt_imm.addr1 = sdxi__le64(dst);
	for (uint32_t i = 0; i < len; i++)
		t.wrt_imm.data[i] = ((const uint8_t *)data)[i];
	t.wrt_imm.csb_ptr = sdxi__le64(sdxi__csb_word(a->csb));
	*d = t;
	return 0;
}

/* Does atomic subtype @op exist, and does it read operand 2? */
SDXI_INLINE int sdxi__atomic_op_valid(unsigned int op)
{
	return op >= SDXI_DSC_ATOMIC_SWAP && op <= SDXI_DSC_ATOMIC_CMPSWAP && op != 0x04;
}

SDXI_INLINE int sdxi__atomic_uses_op2(unsigned int op)
{
	return op == SDXI_DSC_ATOMIC_UCLAMPI || op == SDXI_DSC_ATOMIC_UCLAMPD ||
	       op == SDXI_DSC_ATOMIC_CMPSWAP;
}

/*
 * Atomic group: apply @op (SDXI_DSC_ATOMIC_SWAP .. _CMPSWAP) with
 * @operand1/@operand2 to the @size-byte (4 or 8) target at @target
 * (through a->akey0); when @ret is not 0 the old value is written there
 * (through a->akey1).  @operand2 is the compare value of CMPSWAP and the
 * bound of UCLAMPI/UCLAMPD, and must be 0 for the others.  Returns 0 or
 * -EINVAL (unknown op, size, misaligned target or return address,
 * operands wider than @size, target and return overlapping, CST_BLK).
 */
SDXI_INLINE int sdxi_prep_atomic(union sdxi_desc *d, const struct sdxi_desc_attr *a,
				 unsigned int op, unsigned int size, uint64_t target,
				 uint64_t ret, uint64_t operand1, uint64_t operand2)
{
	static const struct sdxi_desc_attr none = { 0, 0, 0, 0 };
	union sdxi_desc t = { { 0 } };
	uint64_t mask = size == 4 ? 0xffffffffULL : ~0ULL;

	if (!a)
		a = &none;
	if (!sdxi__atomic_op_valid(op) || (size != 4 && size != 8) ||
	    (target & (size - 1)) || (ret & (size - 1)) ||
	    (operand1 & ~mask) || (operand2 & ~mask) ||
	    (operand2 && !sdxi__atomic_uses_op2(op)) ||
	    sdxi__wraps(target, size) || (ret && sdxi__wraps(ret, size)) ||
	    (ret && a->akey0 == a->akey1 && sdxi__overlap(target, size, ret, size)) ||
	    sdxi__attr_check(a, target, size) || (ret && sdxi__attr_check(a, ret, size)))
		return -EINVAL;
	t.atomic.opcode = sdxi__le32(sdxi__opcode(SDXI_DSC_TYPE_ATOMIC, op, a->flags));
	t.atomic.flags = (uint8_t)((size == 4 ? SDXI_ATOMIC_SZ_4 : SDXI_ATOMIC_SZ_8) |
				   (ret ? SDXI_ATOMIC_RV : 0));
	t.atomic.akey0 = sdxi__le16(a->akey0);
	t.atomic.akey1 = sdxi__le16(ret ? a->akey1 : 0);
	t.atomic.addr0 = sdxi__le64(target);
	t.atomic.addr1 = sdxi__le64(ret);
	t.atomic.operand1 = sdxi__le64(operand1);
	t.atomic.operand2 = sdxi__le64(operand2);
	t.atomic.csb_ptr = sdxi__le64(sdxi__csb_word(a->csb));
	*d = t;
	return 0;
}

/*
 * DSC_INTR: raise the interrupt that AKey @akey names (a context's
 * interrupt AKey).  a->akey0/akey1 are not used.  Returns 0 or -EINVAL
 * (flags, CST_BLK alignment).
 */
SDXI_INLINE int sdxi_prep_intr(union sdxi_desc *d, const struct sdxi_desc_attr *a,
			       uint16_t akey)
{
	static const struct sdxi_desc_attr none = { 0, 0, 0, 0 };

	if (!a)
		a = &none;
	if (sdxi__attr_check(a, 0, 0))
		return -EINVAL;
	sdxi__enc_simple(d, a->csb, a->flags, SDXI_DSC_TYPE_INTR, SDXI_DSC_INTR, akey);
	return 0;
}

/*
 * Name of an error-log reason code (enum sdxi_err_reason, err_class, our
 * choice): the enumerator without SDXI_ERR_, e.g. "XLATE"; "UNKNOWN" for
 * values the enum does not define.  The kernel's log, libsdxi's
 * sdxi_reason_name() and the tools all print these.
 */
SDXI_INLINE const char *sdxi_err_reason_name(unsigned int reason)
{
	switch (reason) {
	case SDXI_ERR_NONE:		return "NONE";
	case SDXI_ERR_BAD_TYPE:		return "BAD_TYPE";
	case SDXI_ERR_OPB_DISABLED:	return "OPB_DISABLED";
	case SDXI_ERR_ADMIN_NOT_CXT0:	return "ADMIN_NOT_CXT0";
	case SDXI_ERR_RSVD_SET:		return "RSVD_SET";
	case SDXI_ERR_SIZE:		return "SIZE";
	case SDXI_ERR_OVERLAP:		return "OVERLAP";
	case SDXI_ERR_ALIGN:		return "ALIGN";
	case SDXI_ERR_AKEY_INVALID:	return "AKEY_INVALID";
	case SDXI_ERR_PASID_INVALID:	return "PASID_INVALID";
	case SDXI_ERR_NOT_VALID:	return "NOT_VALID";
	case SDXI_ERR_RING_SIZE:	return "RING_SIZE";
	case SDXI_ERR_INDEX:		return "INDEX";
	case SDXI_ERR_XLATE:		return "XLATE";
	case SDXI_ERR_ACCESS:		return "ACCESS";
	case SDXI_ERR_INJECTED:		return "INJECTED";
	case SDXI_ERR_INTR:		return "INTR";
	case SDXI_ERR_CXT_RANGE:	return "CXT_RANGE";
	case SDXI_ERR_FN_FORCED:	return "FN_FORCED";
	case SDXI_ERR_ERRLOG:		return "ERRLOG";
	}
	return "UNKNOWN";
}

#ifdef __cplusplus
}
#endif

#endif /* LIBSDXI_ENCODE_H */
