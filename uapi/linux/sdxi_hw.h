/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * SDXI 1.0 formats user space builds and reads: descriptors, the
 * completion status block, context status (CXT_STS), error-log records and
 * their reason codes, and the operation groups descriptors belong to.
 * The function's registers and the tables only its owner builds are not
 * ABI; they are private to the stack (Documentation/hardware.rst).
 *
 * Names follow the SNIA SDXI 1.0 specification; section and table numbers
 * are those quoted by AMD's driver.  Layouts the public sources leave open
 * (WRT_IMM, REPCOPY, atomics, CXT_UPD, AKEY_UPD, FN_UPD, ADM_INTR, the
 * error-log err_class and vendor words) are this project's choice and are
 * marked "our choice"; Documentation/hardware.rst is the contract that
 * describes them.
 *
 * Everything is little endian.  Pointer fields keep the address in place:
 * the low bits implied by the alignment hold flags, so a pointer word is
 * "address | flags".  Fields are masks (in place) and are read and written
 * with SDXI_FIELD_GET()/SDXI_FIELD_PREP(); no C bit-fields are used.
 * Every reserved field must be zero: the function rejects a descriptor
 * whose reserved bits are set.
 */
#ifndef _UAPI_LINUX_SDXI_HW_H
#define _UAPI_LINUX_SDXI_HW_H

#include <linux/types.h>

/*
 * Field helpers usable in constant expressions, in C and C++ (GCC and
 * Clang, whose __builtin_ctzll() of a constant is one, as in the kernel's
 * <linux/bitfield.h>).  @mask is the field in place (e.g. 0x0000ff00), a
 * non-zero constant; each helper evaluates it once outside __typeof__ and
 * the builtin, and keeps its type.
 */
#define SDXI_FIELD_LSB(mask)		((__typeof__(mask))1 << __builtin_ctzll(mask))
#define SDXI_FIELD_GET(mask, word)	(((word) & (mask)) >> __builtin_ctzll(mask))
#define SDXI_FIELD_PREP(mask, val)	\
	(((val) * ((__typeof__(mask))1 << __builtin_ctzll(mask))) & (mask))

/*
 * Layout assertions.  In C, for every standard and the kernel alike, a
 * redeclaration that only compiles when @cond holds (the compiler names
 * the line; @msg, there, says what failed).
 */
#if defined(__cplusplus)
#define SDXI_HW_ASSERT(cond, msg)	static_assert(cond, msg)
#else
#define SDXI_HW_ASSERT(cond, msg)	extern int sdxi_hw_assert[(cond) && sizeof(msg) ? 1 : -1]
#endif

/*
 * Operation groups: descriptor type values (SDXI 1.0 Table 6-3) and their
 * bit in the opb_000 bitmaps.  Our choice: bit (type - 1).
 */
#define SDXI_DSC_TYPE_DMAB		0x001
#define SDXI_DSC_TYPE_ADMIN		0x002
#define SDXI_DSC_TYPE_ATOMIC		0x003
#define SDXI_DSC_TYPE_INTR		0x004

#define SDXI_OPB(type)			(1u << ((type) - 1))
#define SDXI_OPB_DMAB			SDXI_OPB(SDXI_DSC_TYPE_DMAB)
#define SDXI_OPB_ADMIN			SDXI_OPB(SDXI_DSC_TYPE_ADMIN)
#define SDXI_OPB_ATOMIC			SDXI_OPB(SDXI_DSC_TYPE_ATOMIC)
#define SDXI_OPB_INTR			SDXI_OPB(SDXI_DSC_TYPE_INTR)

/*
 * ---------------------------------------------------------------------
 * Status the function writes to memory (SDXI 1.0 section 3, Tables 3-5,
 * 3-6, 6-4; the error log of 3.4).
 * ---------------------------------------------------------------------
 */

/* CXT_STS, 16 bytes, 16-byte aligned, written by the function (Tables 3-5, 3-6). */
struct sdxi_cxt_sts {
	__u8 state;
#define SDXI_CXT_STS_STATE		0x0f
	__u8 misc0;
	__u8 rsvd_0[6];
	__le64 read_index;
};

SDXI_HW_ASSERT(sizeof(struct sdxi_cxt_sts) == 16, "CXT_STS is 16 bytes");

#define SDXI_CXTV_STOP_SW		0x0
#define SDXI_CXTV_RUN			0x1
#define SDXI_CXTV_STOPG_SW		0x2
#define SDXI_CXTV_STOP_FN		0x4
#define SDXI_CXTV_STOPG_FN		0x6
#define SDXI_CXTV_ERR_FN		0xf

/* CST_BLK: completion status block, 32 bytes, 32-byte aligned (Table 6-4). */
struct sdxi_cst_blk {
	__le64 signal;		/* decremented by the function on completion */
	__le32 flags;
#define SDXI_CST_BLK_ER			0x80000000U	/* error recorded */
	__le32 rsvd_0;
	__le64 rsvd_1[2];
};

SDXI_HW_ASSERT(sizeof(struct sdxi_cst_blk) == 32, "CST_BLK is 32 bytes");

/*
 * ERRLOG_HD_ENT, 64 bytes (SDXI 1.0 3.4).  err_class and the vendor words
 * carry our choice of detail: a reason code and the address involved.
 */
struct sdxi_errlog_ent {
	__le64 hd;
#define SDXI_ERRLOG_VL			0x0000000000000001ULL
#define SDXI_ERRLOG_STEP		0x0000000000003f00ULL
#define SDXI_ERRLOG_TYPE		0x0000000007ff0000ULL
#define SDXI_ERRLOG_CV			0x0000000100000000ULL
#define SDXI_ERRLOG_DIV			0x0000000200000000ULL
#define SDXI_ERRLOG_BV			0x0000000400000000ULL
#define SDXI_ERRLOG_BUF			0x0000007000000000ULL
#define SDXI_ERRLOG_SUB_STEP		0x00000f0000000000ULL
#define SDXI_ERRLOG_RE			0x0000700000000000ULL
#define SDXI_ERRLOG_CXT_NUM		0xffff000000000000ULL
	__le64 dsc_index;
	__u8 rsvd_0[28];
	__le16 err_class;	/* our choice: enum sdxi_err_reason */
	__u8 rsvd_1[2];
	__le64 vendor_addr;	/* our choice: address involved, or 0 */
	__le64 vendor_rsvd;
};

SDXI_HW_ASSERT(sizeof(struct sdxi_errlog_ent) == 64, "ERRLOG_HD_ENT is 64 bytes");

#define SDXI_ERRLOG_HD_TYPE		0x7f7

/* Error-log step: which processing step failed (SDXI 1.0 3.4). */
#define SDXI_STEP_INTERNAL		1
#define SDXI_STEP_CXT_L2		2
#define SDXI_STEP_CXT_L1		3
#define SDXI_STEP_CXT_CTL		4
#define SDXI_STEP_CXT_STS		5
#define SDXI_STEP_WRITE_INDEX		6
#define SDXI_STEP_DSC			7
#define SDXI_STEP_CST_BLK		8
#define SDXI_STEP_ATOMIC_RET		9
#define SDXI_STEP_DATA			10
#define SDXI_STEP_AKEY			11
#define SDXI_STEP_RKEY			12

/* Error-log sub_step. */
#define SDXI_SUB_STEP_OTHER		0
#define SDXI_SUB_STEP_XLATE		1	/* address translation failure */
#define SDXI_SUB_STEP_ACCESS		2	/* data access failure */
#define SDXI_SUB_STEP_VALIDATION	3	/* data validation failure */

/* Error-log reaction (re). */
#define SDXI_RE_INFO			0	/* nothing was stopped */
#define SDXI_RE_CXT_STOPPED		1	/* the context entered ERR_FN */
#define SDXI_RE_FN_STOPPED		2	/* the function entered ERROR */

/* Error-log buf: which descriptor buffer the error concerns (bv = 1). */
#define SDXI_BUF_SRC			0	/* addr0 */
#define SDXI_BUF_DST			1	/* addr1 */

/* Our choice: err_class reason codes. */
enum sdxi_err_reason {
	SDXI_ERR_NONE = 0,
	SDXI_ERR_BAD_TYPE = 1,		/* unknown type or subtype */
	SDXI_ERR_OPB_DISABLED = 2,	/* group not available/enabled */
	SDXI_ERR_ADMIN_NOT_CXT0 = 3,	/* admin op outside context 0 */
	SDXI_ERR_RSVD_SET = 4,		/* a reserved field is non-zero */
	SDXI_ERR_SIZE = 5,		/* length or count out of range */
	SDXI_ERR_OVERLAP = 6,		/* buffers overlap */
	SDXI_ERR_ALIGN = 7,		/* misaligned address */
	SDXI_ERR_AKEY_INVALID = 8,	/* AKey index or entry invalid */
	SDXI_ERR_PASID_INVALID = 9,	/* PASID unusable */
	SDXI_ERR_NOT_VALID = 10,	/* structure's valid bit clear */
	SDXI_ERR_RING_SIZE = 11,	/* ds_ring_sz out of range */
	SDXI_ERR_INDEX = 12,		/* write index behind read or ring overrun */
	SDXI_ERR_XLATE = 13,		/* translation fault */
	SDXI_ERR_ACCESS = 14,		/* access fault */
	SDXI_ERR_INJECTED = 15,		/* fault injection (test) */
	SDXI_ERR_INTR = 16,		/* interrupt not deliverable */
	SDXI_ERR_CXT_RANGE = 17,	/* admin context range invalid */
	SDXI_ERR_FN_FORCED = 18,	/* forced function error (test) */
	SDXI_ERR_ERRLOG = 19,		/* error log unusable */
};

/*
 * ---------------------------------------------------------------------
 * Descriptors: 64 bytes (SDXI 1.0 section 6).
 * ---------------------------------------------------------------------
 */

/* Word 0 (Table 6-3): flags, subtype, type. */
#define SDXI_DSC_VL			0x00000001U
#define SDXI_DSC_SE			0x00000002U
#define SDXI_DSC_FE			0x00000004U
#define SDXI_DSC_CH			0x00000008U
#define SDXI_DSC_CSR			0x00000010U
#define SDXI_DSC_RB			0x00000020U
#define SDXI_DSC_SUBTYPE		0x0000ff00U
#define SDXI_DSC_TYPE			0x07ff0000U
#define SDXI_DSC_OPCODE_RSVD		0xf80000c0U

/* Last qword: np in bit 0, 32-byte aligned CST_BLK address in place. */
#define SDXI_DSC_NP			0x0000000000000001ULL
#define SDXI_DSC_CSB_PTR		0xffffffffffffffe0ULL
#define SDXI_DSC_CSB_RSVD		0x000000000000001eULL

/* Subtypes of SDXI_DSC_TYPE_DMAB. */
#define SDXI_DSC_DMAB_NOP		0x01
#define SDXI_DSC_DMAB_WRT_IMM		0x02
#define SDXI_DSC_DMAB_COPY		0x03
#define SDXI_DSC_DMAB_REPCOPY		0x04

/* Subtypes of SDXI_DSC_TYPE_ADMIN (legal only in context 0). */
#define SDXI_DSC_FN_UPD			0x00
#define SDXI_DSC_CXT_UPD		0x01
#define SDXI_DSC_AKEY_UPD		0x02
#define SDXI_DSC_CXT_START_NM		0x03
#define SDXI_DSC_CXT_STOP		0x04
#define SDXI_DSC_ADM_INTR		0x05
#define SDXI_DSC_SYNC			0x06
#define SDXI_DSC_RKEY_UPD		0x07
#define SDXI_DSC_CXT_START_RS		0x08

/* Subtypes of SDXI_DSC_TYPE_ATOMIC. 0x04 is undefined. */
#define SDXI_DSC_ATOMIC_SWAP		0x01
#define SDXI_DSC_ATOMIC_UADD		0x02
#define SDXI_DSC_ATOMIC_USUB		0x03
#define SDXI_DSC_ATOMIC_AND		0x05
#define SDXI_DSC_ATOMIC_OR		0x06
#define SDXI_DSC_ATOMIC_XOR		0x07
#define SDXI_DSC_ATOMIC_SMIN		0x08
#define SDXI_DSC_ATOMIC_SMAX		0x09
#define SDXI_DSC_ATOMIC_UMIN		0x0a
#define SDXI_DSC_ATOMIC_UMAX		0x0b
#define SDXI_DSC_ATOMIC_UCLAMPI		0x0c
#define SDXI_DSC_ATOMIC_UCLAMPD		0x0d
#define SDXI_DSC_ATOMIC_CMPSWAP		0x0e

/* Subtype of SDXI_DSC_TYPE_INTR. */
#define SDXI_DSC_INTR			0x00

/* Generic view (Table 6-3). */
struct sdxi_dsc_generic {
	__le32 opcode;
	__u8 body[52];
	__le64 csb_ptr;
};

/* DSC_DMAB_NOP (Table 6-6): body reserved. */

/* DSC_DMAB_COPY (Table 6-8). size is length - 1. */
struct sdxi_dsc_copy {
	__le32 opcode;
	__le32 size;
	__u8 attr;
#define SDXI_DSC_ATTR_SRC		0x0f
#define SDXI_DSC_ATTR_DST		0xf0
	__u8 rsvd_0[3];
	__le16 akey0;		/* source */
	__le16 akey1;		/* destination */
	__le64 addr0;		/* source */
	__le64 addr1;		/* destination */
	__u8 rsvd_1[24];
	__le64 csb_ptr;
};

/*
 * DSC_DMAB_WRT_IMM, our choice: write 1..32 immediate bytes at addr1.
 * size is length - 1; the bytes come from data[0..size].  A write of
 * 1, 2, 4 or 8 bytes to a naturally aligned address is single-copy atomic.
 */
#define SDXI_WRT_IMM_MAX		32
struct sdxi_dsc_wrt_imm {
	__le32 opcode;
	__le32 size;
	__u8 attr;		/* destination attributes in 7:4 */
	__u8 rsvd_0[5];
	__le16 akey1;		/* destination */
	__le64 addr1;		/* destination */
	__u8 data[SDXI_WRT_IMM_MAX];
	__le64 csb_ptr;
};

/*
 * DSC_DMAB_REPCOPY, our choice: copy the size + 1 bytes at addr0 to
 * count + 1 consecutive blocks starting at addr1 (block i at
 * addr1 + i * (size + 1)).  The whole destination must fit max_buffer.
 */
struct sdxi_dsc_repcopy {
	__le32 opcode;
	__le32 size;
	__u8 attr;
	__u8 rsvd_0[3];
	__le16 akey0;		/* source */
	__le16 akey1;		/* destination */
	__le64 addr0;		/* source block */
	__le64 addr1;		/* first destination block */
	__le32 count;		/* repetitions - 1 */
	__u8 rsvd_1[20];
	__le64 csb_ptr;
};

/*
 * Atomic group, our choice (one layout for every subtype):
 *   target at addr0 through akey0, naturally aligned to the operand size;
 *   when rv is set the old value is written to addr1 through akey1
 *   (atomic return data, same size and alignment);
 *   operand1 is the value, operand2 the compare value (CMPSWAP) or the
 *   clamp bound (UCLAMPI/UCLAMPD).
 */
struct sdxi_dsc_atomic {
	__le32 opcode;
	__u8 flags;
#define SDXI_ATOMIC_SZ			0x03	/* 2: 4 bytes, 3: 8 bytes */
#define SDXI_ATOMIC_RV			0x04	/* write the old value to addr1 */
	__u8 rsvd_0[7];
	__le16 akey0;		/* target */
	__le16 akey1;		/* return data */
	__le64 addr0;		/* target */
	__le64 addr1;		/* return data */
	__le64 operand1;
	__le64 operand2;
	__u8 rsvd_1[8];
	__le64 csb_ptr;
};

#define SDXI_ATOMIC_SZ_4		2
#define SDXI_ATOMIC_SZ_8		3

/* DSC_INTR (Table 6-12): raise the interrupt AKey entry akey names. */
struct sdxi_dsc_intr {
	__le32 opcode;
	__u8 rsvd_0[8];
	__le16 akey;
	__u8 rsvd_1[42];
	__le64 csb_ptr;
};

/*
 * Admin descriptors (SDXI 1.0 Tables 6-14, 6-15, 6-22).  Byte 5 (vflags)
 * is shared; the context range [cxt_start, cxt_end] is inclusive.
 */
#define SDXI_DSC_VFLAGS_VF		0x80
#define SDXI_DSC_VFLAGS_DV		0x40	/* CXT_START: db_value valid */
#define SDXI_DSC_VFLAGS_HS		0x20	/* CXT_STOP: hard stop */

/* DSC_CXT_START_NM / DSC_CXT_START_RS */
struct sdxi_dsc_cxt_start {
	__le32 opcode;
	__u8 rsvd_0;
	__u8 vflags;
	__le16 vf_num;
	__le16 cxt_start;
	__le16 cxt_end;
	__u8 rsvd_1[4];
	__le64 db_value;
	__u8 rsvd_2[32];
	__le64 csb_ptr;
};

/* DSC_CXT_STOP */
struct sdxi_dsc_cxt_stop {
	__le32 opcode;
	__u8 rsvd_0;
	__u8 vflags;
	__le16 vf_num;
	__le16 cxt_start;
	__le16 cxt_end;
	__u8 rsvd_1[44];
	__le64 csb_ptr;
};

/* DSC_SYNC */
struct sdxi_dsc_sync {
	__le32 opcode;
	__u8 cflags;
#define SDXI_SYNC_FLT			0x07
	__u8 vflags;
	__le16 vf_num;
	__le16 cxt_start;
	__le16 cxt_end;
	__le16 key_start;
	__le16 key_end;
	__u8 rsvd_1[40];
	__le64 csb_ptr;
};

#define SDXI_SYNC_FLT_CXT		0
#define SDXI_SYNC_FLT_STOP		1
#define SDXI_SYNC_FLT_AKEY		2
#define SDXI_SYNC_FLT_RKEY		3
#define SDXI_SYNC_FLT_FN		4

/*
 * DSC_CXT_UPD and DSC_AKEY_UPD, our choice: the same shape as DSC_SYNC
 * without cflags.  CXT_UPD makes the function re-read the L1 entry and
 * CXT_CTL of every context in range; AKEY_UPD names an AKey range.
 */
struct sdxi_dsc_cxt_upd {
	__le32 opcode;
	__u8 rsvd_0;
	__u8 vflags;
	__le16 vf_num;
	__le16 cxt_start;
	__le16 cxt_end;
	__le16 key_start;	/* AKEY_UPD only; 0 for CXT_UPD */
	__le16 key_end;		/* AKEY_UPD only; 0 for CXT_UPD */
	__u8 rsvd_1[40];
	__le64 csb_ptr;
};

/* DSC_ADM_INTR, our choice: raise MSI-X vector intr_num directly. */
struct sdxi_dsc_adm_intr {
	__le32 opcode;
	__u8 rsvd_0[4];
	__le16 intr_num;
	__u8 rsvd_1[46];
	__le64 csb_ptr;
};

/* DSC_FN_UPD, our choice: drop every cached context; body reserved. */

/* One ring slot. */
union sdxi_desc {
	__le64 qw[8];
	struct sdxi_dsc_generic generic;
	struct sdxi_dsc_copy copy;
	struct sdxi_dsc_wrt_imm wrt_imm;
	struct sdxi_dsc_repcopy repcopy;
	struct sdxi_dsc_atomic atomic;
	struct sdxi_dsc_intr intr;
	struct sdxi_dsc_cxt_start cxt_start;
	struct sdxi_dsc_cxt_stop cxt_stop;
	struct sdxi_dsc_sync sync;
	struct sdxi_dsc_cxt_upd cxt_upd;
	struct sdxi_dsc_adm_intr adm_intr;
};

#define SDXI_DESC_SIZE			64
SDXI_HW_ASSERT(sizeof(union sdxi_desc) == SDXI_DESC_SIZE, "descriptor is 64 bytes");
SDXI_HW_ASSERT(sizeof(struct sdxi_dsc_generic) == 64, "generic is 64 bytes");
SDXI_HW_ASSERT(sizeof(struct sdxi_dsc_copy) == 64, "copy is 64 bytes");
SDXI_HW_ASSERT(sizeof(struct sdxi_dsc_wrt_imm) == 64, "wrt_imm is 64 bytes");
SDXI_HW_ASSERT(sizeof(struct sdxi_dsc_repcopy) == 64, "repcopy is 64 bytes");
SDXI_HW_ASSERT(sizeof(struct sdxi_dsc_atomic) == 64, "atomic is 64 bytes");
SDXI_HW_ASSERT(sizeof(struct sdxi_dsc_intr) == 64, "intr is 64 bytes");
SDXI_HW_ASSERT(sizeof(struct sdxi_dsc_cxt_start) == 64, "cxt_start is 64 bytes");
SDXI_HW_ASSERT(sizeof(struct sdxi_dsc_cxt_stop) == 64, "cxt_stop is 64 bytes");
SDXI_HW_ASSERT(sizeof(struct sdxi_dsc_sync) == 64, "sync is 64 bytes");
SDXI_HW_ASSERT(sizeof(struct sdxi_dsc_cxt_upd) == 64, "cxt_upd is 64 bytes");
SDXI_HW_ASSERT(sizeof(struct sdxi_dsc_adm_intr) == 64, "adm_intr is 64 bytes");

/* Largest length a descriptor can encode: size is length - 1 in 32 bits (Table 6-8). */
#define SDXI_DSC_MAX_LEN		(1ULL << 32)

#endif /* _UAPI_LINUX_SDXI_HW_H */
