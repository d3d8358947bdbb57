/* SPDX-License-Identifier: MIT */
/*
 * SDXI descriptor encoders: pure functions that build the 64-byte
 * descriptors of SNIA SDXI 1.0 (and this project's layouts for the
 * operations the specification leaves open, Documentation/hardware.rst)
 * from their operands, checking them first.
 *
 * Freestanding: the fixed-width types of <linux/types.h> (as in a UAPI
 * header, so that one text is kernel and user-space style), no library
 * calls, no state, nothing but the formats (<sdxi/uapi/sdxi_hw.h>,
 * libsdxi's copy of the kernel's <linux/sdxi_hw.h>).  It is the one set
 * of encoders and reason names of the tree: libsdxi installs it, the
 * kernel driver builds its descriptors with it (under __KERNEL__ it takes
 * the kernel's headers and byte-order helpers, sparse clean), and tests
 * encode with it while decoding with their own literal bit positions.
 * Every checked encoder (sdxi_prep_*, sdxi__prep_*) either writes the
 * whole descriptor (reserved fields zero, vl clear) and returns 0, or
 * returns a negative errno and leaves it untouched; the unchecked ones
 * (sdxi__enc_*) always write it, so that tests can build descriptors the
 * function must reject.
 *
 * Naming: sdxi_prep_<op> encodes operation <op> into memory; the same
 * operation is sdxi_batch_<op> when encoded straight into a ring slot
 * (<sdxi/ring.h>), and has a convenience call on CPU addresses in
 * <sdxi.h> (sdxi_memcpy() for COPY, sdxi_fill(), sdxi_write_imm()).
 * <op> is the descriptor's name in the specification, lower case:
 * nop, copy, repcopy, write_imm (WRT_IMM), atomic, intr.  Names with a
 * double underscore after "sdxi" are this header's helpers, not API;
 * among them sdxi__prep_<op> encodes an admin operation (context 0 only:
 * cxt_start, cxt_stop, sync, cxt_upd, fn_upd, adm_intr).
 */
#ifndef LIBSDXI_ENCODE_H
#define LIBSDXI_ENCODE_H

#ifdef __KERNEL__
#include <asm/byteorder.h>
#include <linux/errno.h>
#include <linux/stddef.h>
#include <linux/types.h>
#include <linux/sdxi_hw.h>
#else
#include <errno.h>
#include <stddef.h>
#include <stdint.h>	/* for its users, as before the __u64-style types */
#include <linux/types.h>
#ifndef SDXI_DESC_SIZE	/* else <linux/sdxi_hw.h> is in already (kselftests) */
#include <sdxi/uapi/sdxi_hw.h>
#endif
#endif

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Every inline function of libsdxi's headers is declared with SDXI_INLINE
 * (never a bare "static inline"), so that a build that wants real symbols
 * (a language binding) can define it empty before including them.  The
 * two keywords pass through SDXI__TOKENS() because kernel style wants a
 * macro's value to be one expression or token.
 */
#define SDXI__TOKENS(...)	__VA_ARGS__
#ifndef SDXI_INLINE
#define SDXI_INLINE		SDXI__TOKENS(static inline)
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
SDXI_INLINE __u16 sdxi__le16(__u16 v) { return __builtin_bswap16(v); }
SDXI_INLINE __u32 sdxi__le32(__u32 v) { return __builtin_bswap32(v); }
SDXI_INLINE __u64 sdxi__le64(__u64 v) { return __builtin_bswap64(v); }
#else
SDXI_INLINE __u16 sdxi__le16(__u16 v) { return v; }
SDXI_INLINE __u32 sdxi__le32(__u32 v) { return v; }
SDXI_INLINE __u64 sdxi__le64(__u64 v) { return v; }
#endif

/* Descriptor flags (struct sdxi_desc_attr.flags; the batch helpers' @flags). */
#define SDXI_DESC_SEQ		SDXI_DSC_SE	/* sequential: earlier writes visible first */
#define SDXI_DESC_FENCE		SDXI_DSC_FE	/* fence: earlier descriptors retire first */

/* Largest length one descriptor can encode (size is length - 1, 32 bits). */
#define SDXI_DESC_MAX_LEN	SDXI_DSC_MAX_LEN

/* Fields every descriptor carries besides its operation. */
struct sdxi_desc_attr {
	__u64 csb;		/* CST_BLK device address, 32-byte aligned; 0: none */
	__u16 akey0;		/* AKey of the source (atomic: target) */
	__u16 akey1;		/* AKey of the destination (atomic: return data) */
	__u32 flags;		/* SDXI_DESC_SEQ | SDXI_DESC_FENCE */
};

SDXI_INLINE int sdxi__wraps(__u64 addr, __u64 len)
{
	return addr > ~(__u64)0 - len;
}

SDXI_INLINE int sdxi__overlap(__u64 a, __u64 alen, __u64 b, __u64 blen)
{
	return a < b + blen && b < a + alen;
}

/*
 * Two ranges of the same length 1..2^32 overlap iff |b - a| < len, i.e.
 * (b - a + len - 1) mod 2^64 < 2 len - 1: one comparison.
 */
SDXI_INLINE int sdxi__overlap_eq(__u64 a, __u64 b, __u64 len)
{
	return b - a + (len - 1) < 2 * len - 1;
}

/* Common checks of @a against data range [addr, addr + len); 0 or -EINVAL. */
SDXI_INLINE int sdxi__attr_check(const struct sdxi_desc_attr *a, __u64 addr, __u64 len)
{
	if (a->flags & ~(__u32)(SDXI_DESC_SEQ | SDXI_DESC_FENCE))
		return -EINVAL;
	/* CST_BLK: 32-byte aligned, not overlapping the data (SDXI 1.0 5.6). */
	if (a->csb && ((a->csb & ~SDXI_DSC_CSB_PTR) || sdxi__wraps(a->csb, 32) ||
		       (len && sdxi__overlap(a->csb, 32, addr, len))))
		return -EINVAL;
	return 0;
}

/* Opcode word (vl clear) and CST_BLK word of a descriptor. */
SDXI_INLINE __u32 sdxi__opcode(unsigned int type, unsigned int subtype, __u32 flags)
{
	return (__u32)(SDXI_FIELD_PREP(SDXI_DSC_TYPE, type) |
			  SDXI_FIELD_PREP(SDXI_DSC_SUBTYPE, subtype)) |
	       (flags & (SDXI_DSC_SE | SDXI_DSC_FE));
}

SDXI_INLINE __u64 sdxi__csb_word(__u64 csb)
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
SDXI_INLINE __u64 sdxi__fq(size_t off, unsigned int i, __u64 v)
{
	return off / 8 == i ? v << (off % 8 * 8) : 0;
}

/* Field @member's bits in quadword @i (0 when it lives elsewhere). */
#define SDXI__FQ(type, member, i, v)	sdxi__fq(offsetof(struct type, member), i, v)

/* Quadword @i (little endian) of a COPY; @csbw is the CST_BLK word. */
SDXI_INLINE __le64 sdxi__copy_q(unsigned int i, __u32 op, __u16 akey0, __u16 akey1,
				__u64 dst, __u64 src, __u64 len, __u64 csbw)
{
	return sdxi__le64((i == 0 ? (__u64)op : 0) |
			  SDXI__FQ(sdxi_dsc_copy, size, i, (__u32)(len - 1)) |
			  SDXI__FQ(sdxi_dsc_copy, akey0, i, akey0) |
			  SDXI__FQ(sdxi_dsc_copy, akey1, i, akey1) |
			  SDXI__FQ(sdxi_dsc_copy, addr0, i, src) |
			  SDXI__FQ(sdxi_dsc_copy, addr1, i, dst) |
			  SDXI__FQ(sdxi_dsc_copy, csb_ptr, i, csbw));
}

/* Quadword @i of a REPCOPY. */
SDXI_INLINE __le64 sdxi__repcopy_q(unsigned int i, __u32 op, __u16 akey0,
				   __u16 akey1, __u64 dst, __u64 src, __u64 len,
				   __u64 count, __u64 csbw)
{
	return sdxi__le64((i == 0 ? (__u64)op : 0) |
			  SDXI__FQ(sdxi_dsc_repcopy, size, i, (__u32)(len - 1)) |
			  SDXI__FQ(sdxi_dsc_repcopy, akey0, i, akey0) |
			  SDXI__FQ(sdxi_dsc_repcopy, akey1, i, akey1) |
			  SDXI__FQ(sdxi_dsc_repcopy, addr0, i, src) |
			  SDXI__FQ(sdxi_dsc_repcopy, addr1, i, dst) |
			  SDXI__FQ(sdxi_dsc_repcopy, count, i, (__u32)(count - 1)) |
			  SDXI__FQ(sdxi_dsc_repcopy, csb_ptr, i, csbw));
}

/* Quadword @i of a NOP (akey 0: bytes 12-13 are reserved) or DSC_INTR. */
SDXI_INLINE __le64 sdxi__simple_q(unsigned int i, __u32 op, __u16 akey, __u64 csbw)
{
	return sdxi__le64((i == 0 ? (__u64)op : 0) |
			  SDXI__FQ(sdxi_dsc_intr, akey, i, akey) |
			  SDXI__FQ(sdxi_dsc_intr, csb_ptr, i, csbw));
}

/* Encoders without checks (the sdxi_prep_* and batch helpers check). */
SDXI_INLINE void sdxi__enc_copy(union sdxi_desc *d, __u64 csb, __u16 akey0,
				__u16 akey1, __u32 flags, __u64 dst,
				__u64 src, __u64 len)
{
	__u32 op = sdxi__opcode(SDXI_DSC_TYPE_DMAB, SDXI_DSC_DMAB_COPY, flags);
	__u64 w = sdxi__csb_word(csb);

	d->qw[0] = sdxi__copy_q(0, op, akey0, akey1, dst, src, len, w);
	d->qw[1] = sdxi__copy_q(1, op, akey0, akey1, dst, src, len, w);
	d->qw[2] = sdxi__copy_q(2, op, akey0, akey1, dst, src, len, w);
	d->qw[3] = sdxi__copy_q(3, op, akey0, akey1, dst, src, len, w);
	d->qw[4] = sdxi__copy_q(4, op, akey0, akey1, dst, src, len, w);
	d->qw[5] = sdxi__copy_q(5, op, akey0, akey1, dst, src, len, w);
	d->qw[6] = sdxi__copy_q(6, op, akey0, akey1, dst, src, len, w);
	d->qw[7] = sdxi__copy_q(7, op, akey0, akey1, dst, src, len, w);
}

SDXI_INLINE void sdxi__enc_repcopy(union sdxi_desc *d, __u64 csb, __u16 akey0,
				   __u16 akey1, __u32 flags, __u64 dst,
				   __u64 src, __u64 len, __u64 count)
{
	__u32 op = sdxi__opcode(SDXI_DSC_TYPE_DMAB, SDXI_DSC_DMAB_REPCOPY, flags);
	__u64 w = sdxi__csb_word(csb);

	for (unsigned int i = 0; i < 8; i++)
		d->qw[i] = sdxi__repcopy_q(i, op, akey0, akey1, dst, src, len, count, w);
}

SDXI_INLINE void sdxi__enc_simple(union sdxi_desc *d, __u64 csb, __u32 flags,
				  unsigned int type, unsigned int subtype, __u16 akey)
{
	__u32 op = sdxi__opcode(type, subtype, flags);
	__u64 w = sdxi__csb_word(csb);

	for (unsigned int i = 0; i < 8; i++)
		d->qw[i] = sdxi__simple_q(i, op, akey, w);
}

/* WRT_IMM of the first @len (at most 32) bytes at @data. */
SDXI_INLINE void sdxi__enc_write_imm(union sdxi_desc *d, __u64 csb, __u16 akey1, __u32 flags,
				     __u64 dst, const void *data, __u32 len)
{
	union sdxi_desc t = { { 0 } };

	t.wrt_imm.opcode = sdxi__le32(sdxi__opcode(SDXI_DSC_TYPE_DMAB,
						   SDXI_DSC_DMAB_WRT_IMM, flags));
	t.wrt_imm.size = sdxi__le32(len - 1);
	t.wrt_imm.akey1 = sdxi__le16(akey1);
	t.wrt_imm.addr1 = sdxi__le64(dst);
	for (__u32 i = 0; i < len && i < sizeof(t.wrt_imm.data); i++)
		t.wrt_imm.data[i] = ((const __u8 *)data)[i];
	t.wrt_imm.csb_ptr = sdxi__le64(sdxi__csb_word(csb));
	*d = t;
}

/* Atomic @op on a @size-byte target (4, else 8); akey1 only with @ret. */
SDXI_INLINE void sdxi__enc_atomic(union sdxi_desc *d, __u64 csb, __u16 akey0, __u16 akey1,
				  __u32 flags, unsigned int op, unsigned int size,
				  __u64 target, __u64 ret, __u64 operand1, __u64 operand2)
{
	union sdxi_desc t = { { 0 } };

	t.atomic.opcode = sdxi__le32(sdxi__opcode(SDXI_DSC_TYPE_ATOMIC, op, flags));
	t.atomic.flags = (__u8)((size == 4 ? SDXI_ATOMIC_SZ_4 : SDXI_ATOMIC_SZ_8) |
				(ret ? SDXI_ATOMIC_RV : 0));
	t.atomic.akey0 = sdxi__le16(akey0);
	t.atomic.akey1 = sdxi__le16(ret ? akey1 : 0);
	t.atomic.addr0 = sdxi__le64(target);
	t.atomic.addr1 = sdxi__le64(ret);
	t.atomic.operand1 = sdxi__le64(operand1);
	t.atomic.operand2 = sdxi__le64(operand2);
	t.atomic.csb_ptr = sdxi__le64(sdxi__csb_word(csb));
	*d = t;
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
			       __u64 dst, __u64 src, __u64 len)
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
				  __u64 dst, __u64 src, __u64 len, __u64 count)
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
				    __u64 dst, const void *data, __u32 len)
{
	static const struct sdxi_desc_attr none = { 0, 0, 0, 0 };

	if (!a)
		a = &none;
	if (len == 0 || sdxi__wraps(dst, len))
		return -EINVAL;
	if (len > SDXI_WRT_IMM_MAX)
		return -E2BIG;
	if (sdxi__attr_check(a, dst, len))
		return -EINVAL;
	sdxi__enc_write_imm(d, a->csb, a->akey1, a->flags, dst, data, len);
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
				 unsigned int op, unsigned int size, __u64 target,
				 __u64 ret, __u64 operand1, __u64 operand2)
{
	static const struct sdxi_desc_attr none = { 0, 0, 0, 0 };
	__u64 mask = size == 4 ? 0xffffffffULL : ~0ULL;

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
	sdxi__enc_atomic(d, a->csb, a->akey0, a->akey1, a->flags, op, size, target, ret,
			 operand1, operand2);
	return 0;
}

/*
 * DSC_INTR: raise the interrupt that AKey @akey names (a context's
 * interrupt AKey).  a->akey0/akey1 are not used.  Returns 0 or -EINVAL
 * (flags, CST_BLK alignment).
 */
SDXI_INLINE int sdxi_prep_intr(union sdxi_desc *d, const struct sdxi_desc_attr *a,
			       __u16 akey)
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
 * Admin descriptors (SDXI 1.0 Tables 6-14, 6-15, 6-22; the layouts of
 * CXT_UPD, FN_UPD and ADM_INTR are our choice, Documentation/hardware.rst
 * "Admin descriptors").  They run only in context 0, so they are encoded
 * for the kernel driver and for tests that own a function, and are not
 * libsdxi API (hence sdxi__prep_<op>).  Each sets fe (mandatory for
 * context start and stop; the driver fences every admin operation), acts
 * on the inclusive context range [@start, @end] where it has one, and
 * returns 0, or -EINVAL (@start > @end, or as noted) leaving @d untouched.
 */
#define SDXI__ADM_INTR_MAX	0x7ff	/* MSI-X vectors: 11 bits, as intr_num of an AKey */

SDXI_INLINE __u32 sdxi__adm_opcode(unsigned int subtype)
{
	return sdxi__opcode(SDXI_DSC_TYPE_ADMIN, subtype, SDXI_DSC_FE);
}

/*
 * CXT_START, CXT_STOP, SYNC and CXT_UPD share their first 12 bytes (byte 4
 * is SYNC's cflags, reserved in the others; vflags; vf_num 0; the range)
 * and the CST_BLK word; CXT_START alone has db_value.
 */
SDXI_INLINE int sdxi__adm_range(union sdxi_desc *d, unsigned int subtype, __u8 cflags,
				__u8 vflags, __u16 start, __u16 end, __u64 db_value)
{
	union sdxi_desc t = { { 0 } };

	if (start > end)
		return -EINVAL;
	t.sync.opcode = sdxi__le32(sdxi__adm_opcode(subtype));
	t.sync.cflags = cflags;
	t.sync.vflags = vflags;
	t.sync.cxt_start = sdxi__le16(start);
	t.sync.cxt_end = sdxi__le16(end);
	t.sync.csb_ptr = sdxi__le64(SDXI_DSC_NP);
	t.cxt_start.db_value = sdxi__le64(db_value);
	*d = t;
	return 0;
}

/*
 * DSC_CXT_START_NM, or DSC_CXT_START_RS when @resume (read index from
 * CXT_STS).  @dv: as if the doorbell had been written after the start,
 * with @db_value, which must be 0 without @dv (-EINVAL).
 */
SDXI_INLINE int sdxi__prep_cxt_start(union sdxi_desc *d, __u16 start, __u16 end,
				     int resume, int dv, __u64 db_value)
{
	if (!dv && db_value)
		return -EINVAL;
	return sdxi__adm_range(d, resume ? SDXI_DSC_CXT_START_RS : SDXI_DSC_CXT_START_NM, 0,
			       dv ? SDXI_DSC_VFLAGS_DV : 0, start, end, db_value);
}

/* DSC_CXT_STOP; @hard: hard stop (hs). */
SDXI_INLINE int sdxi__prep_cxt_stop(union sdxi_desc *d, __u16 start, __u16 end, int hard)
{
	return sdxi__adm_range(d, SDXI_DSC_CXT_STOP, 0, hard ? SDXI_DSC_VFLAGS_HS : 0,
			       start, end, 0);
}

/* DSC_SYNC with filter @flt (SDXI_SYNC_FLT_CXT .. _FN, else -EINVAL); key range 0. */
SDXI_INLINE int sdxi__prep_sync(union sdxi_desc *d, unsigned int flt, __u16 start, __u16 end)
{
	if (flt > SDXI_SYNC_FLT_FN)
		return -EINVAL;
	return sdxi__adm_range(d, SDXI_DSC_SYNC, (__u8)SDXI_FIELD_PREP(SDXI_SYNC_FLT, flt), 0,
			       start, end, 0);
}

/* DSC_CXT_UPD: the function re-reads the L1 entry and CXT_CTL of the range. */
SDXI_INLINE int sdxi__prep_cxt_upd(union sdxi_desc *d, __u16 start, __u16 end)
{
	return sdxi__adm_range(d, SDXI_DSC_CXT_UPD, 0, 0, start, end, 0);
}

/* DSC_FN_UPD (body reserved): the function drops every cached context. */
SDXI_INLINE int sdxi__prep_fn_upd(union sdxi_desc *d)
{
	sdxi__enc_simple(d, 0, SDXI_DSC_FE, SDXI_DSC_TYPE_ADMIN, SDXI_DSC_FN_UPD, 0);
	return 0;
}

/* DSC_ADM_INTR: raise MSI-X vector @vector (at most SDXI__ADM_INTR_MAX). */
SDXI_INLINE int sdxi__prep_adm_intr(union sdxi_desc *d, __u16 vector)
{
	union sdxi_desc t = { { 0 } };

	if (vector > SDXI__ADM_INTR_MAX)
		return -EINVAL;
	t.adm_intr.opcode = sdxi__le32(sdxi__adm_opcode(SDXI_DSC_ADM_INTR));
	t.adm_intr.intr_num = sdxi__le16(vector);
	t.adm_intr.csb_ptr = sdxi__le64(SDXI_DSC_NP);
	*d = t;
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
