/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * SDXI 1.0 function interface private to the stack: the MMIO registers of
 * BAR0 and the in-memory tables only the function's owner builds (context
 * L2/L1 tables, CXT_CTL, AKey tables), with the size encodings they use.
 *
 * Shared by the kernel driver, the engine (lib/engine: the QEMU model and
 * libsdxi's software device) and the tests that drive the function
 * directly.  It is not part of any ABI and is never installed for user
 * space: user space sees descriptors, completion blocks, context status
 * and error records (<linux/sdxi_hw.h>) and the ioctls (<linux/sdxi.h>).
 * Values marked "our choice" are Documentation/hardware.rst's.
 */
#ifndef _SDXI_FUNCTION_H
#define _SDXI_FUNCTION_H

#include <linux/sdxi_hw.h>

/* SDXI 1.0 PCI class code: processing accelerator, SNIA SDXI, prog-if 0. */
#define SDXI_PCI_CLASS			0x120100

/* Version the function reports in MMIO_VERSION. */
#define SDXI_VERSION_MAJOR		1
#define SDXI_VERSION_MINOR		0

/* MSI-X vector 0 always signals the error log (SDXI 1.0 3.4). */
#define SDXI_ERRLOG_VECTOR		0

/*
 * ---------------------------------------------------------------------
 * MMIO registers in BAR0 (SDXI 1.0 section 9, Tables 9-2 .. 9-13).
 * All registers are 64 bits wide and are written with 64-bit stores.
 * ---------------------------------------------------------------------
 */
#define SDXI_BAR0_SIZE			0x40000		/* our choice: 256 KiB */

#define SDXI_MMIO_CTL0			0x00000		/* Table 9-2 */
#define SDXI_MMIO_CTL2			0x00010		/* Table 9-4 */
#define SDXI_MMIO_STS0			0x00100		/* Table 9-5 */
#define SDXI_MMIO_CAP0			0x00200		/* Table 9-6 */
#define SDXI_MMIO_CAP1			0x00208		/* Table 9-7 */
#define SDXI_MMIO_VERSION		0x00210		/* Table 9-8 */
#define SDXI_MMIO_CXT_L2		0x10000		/* Table 9-9 */
#define SDXI_MMIO_RKEY			0x10100		/* Table 9-10 */
#define SDXI_MMIO_ERR_CTL		0x20000		/* Table 9-11 */
#define SDXI_MMIO_ERR_STS		0x20008		/* Table 9-12 */
#define SDXI_MMIO_ERR_CFG		0x20010		/* Table 9-13 */
#define SDXI_MMIO_ERR_WRT		0x20020
#define SDXI_MMIO_ERR_RD		0x20028

/* MMIO_CTL0: writing it always writes fn_gsr, and 0 requests RESET. */
#define SDXI_CTL0_FN_GSR		0x0000000000000003ULL
#define SDXI_CTL0_FN_PASID_VL		0x0000000000000004ULL
#define SDXI_CTL0_FN_ERR_INTR_EN	0x0000000000000010ULL
#define SDXI_CTL0_FN_PASID		0x000000000fffff00ULL
#define SDXI_CTL0_FN_GRP_ID		0xffffffff00000000ULL
#define SDXI_CTL0_RSVD			0x00000000f00000e8ULL

/* Requested function state (CTL0.fn_gsr). */
#define SDXI_GSR_RESET			0
#define SDXI_GSR_STOP_SF		1
#define SDXI_GSR_STOP_HD		2
#define SDXI_GSR_ACTIVE			3

/* MMIO_CTL2: software-chosen limits, each <= the matching CAP1 field. */
#define SDXI_CTL2_MAX_BUFFER		0x000000000000000fULL
#define SDXI_CTL2_MAX_AKEY_SZ		0x000000000000f000ULL
#define SDXI_CTL2_MAX_CXT		0x00000000ffff0000ULL
#define SDXI_CTL2_OPB_000_AVL		0xffffffff00000000ULL
#define SDXI_CTL2_RSVD			0x0000000000000ff0ULL

/* MMIO_STS0: current function state (fn_gsv). */
#define SDXI_STS0_FN_GSV		0x0000000000000007ULL

#define SDXI_GSV_STOP			0
#define SDXI_GSV_INIT			1
#define SDXI_GSV_ACTIVE			2
#define SDXI_GSV_STOPG_SF		3
#define SDXI_GSV_STOPG_HD		4
#define SDXI_GSV_ERROR			5

/* MMIO_CAP0 */
#define SDXI_CAP0_SFUNC			0x000000000000ffffULL
#define SDXI_CAP0_VF			0x0000000000010000ULL
#define SDXI_CAP0_CS_CAP		0x0000000000060000ULL
#define SDXI_CAP0_DB_STRIDE		0x0000000000700000ULL	/* 4 KiB << n */
#define SDXI_CAP0_MAX_DS_RING_SZ	0x000000001f000000ULL	/* 1024 << n */
#define SDXI_CAP0_MAX_RKEY_SZ		0x0000000f00000000ULL

/* MMIO_CAP1 */
#define SDXI_CAP1_MAX_BUFFER		0x000000000000000fULL	/* 2^(n+21) B */
#define SDXI_CAP1_RKEY_CAP		0x0000000000000010ULL
#define SDXI_CAP1_RM			0x0000000000000020ULL
#define SDXI_CAP1_MMIO64		0x0000000000000040ULL
#define SDXI_CAP1_MAX_ERRLOG_SZ		0x0000000000000f00ULL	/* our choice: 64 << n entries */
#define SDXI_CAP1_MAX_AKEY_SZ		0x000000000000f000ULL	/* 256 << n entries */
#define SDXI_CAP1_MAX_CXT		0x00000000ffff0000ULL	/* highest context ID */
#define SDXI_CAP1_OPB_000_CAP		0xffffffff00000000ULL

/* MMIO_VERSION */
#define SDXI_VERSION_MINOR_MASK		0x00000000000000ffULL
#define SDXI_VERSION_MAJOR_MASK		0x0000000000ff0000ULL

/* MMIO_CXT_L2: 4 KiB aligned L2 table address, no valid bit. */
#define SDXI_CXT_L2_PTR			0xfffffffffffff000ULL

/* MMIO_RKEY (RKeys are not implemented: CAP1.rkey_cap = 0). */
#define SDXI_RKEY_EN			0x0000000000000001ULL
#define SDXI_RKEY_SZ			0x000000000000001eULL
#define SDXI_RKEY_PTR			0xfffffffffffff000ULL

/* MMIO_ERR_CTL */
#define SDXI_ERR_CTL_EN			0x0000000000000001ULL

/* MMIO_ERR_STS, write 1 to clear */
#define SDXI_ERR_STS_STS		0x0000000000000001ULL
#define SDXI_ERR_STS_OVF		0x0000000000000002ULL
#define SDXI_ERR_STS_ERR		0x0000000000000008ULL

/* MMIO_ERR_CFG: log of sz * 64 entries at a 4 KiB aligned address. */
#define SDXI_ERR_CFG_EN			0x0000000000000001ULL
#define SDXI_ERR_CFG_SZ			0x000000000000003eULL
#define SDXI_ERR_CFG_PTR		0xfffffffffffff000ULL
#define SDXI_ERR_CFG_RSVD		0x0000000000000fc0ULL
#define SDXI_ERRLOG_SZ_UNIT		64		/* entries per sz unit */

/*
 * ---------------------------------------------------------------------
 * Tables the function's owner builds (SDXI 1.0 section 3, Tables 3-1 ..
 * 3-4 and 3-7).
 * ---------------------------------------------------------------------
 */

/* Context number: L2 index = id[15:7], L1 index = id[6:0] (SDXI 1.0 3.2). */
#define SDXI_L2_ENTRIES			512
#define SDXI_L1_ENTRIES			128
#define SDXI_CXT_ID_L2(id)		(((id) >> 7) & 0x1ff)
#define SDXI_CXT_ID_L1(id)		((id) & 0x7f)
#define SDXI_ADMIN_CXT_ID		0

/* CXT_L2_ENT, 8 bytes (Table 3-2). */
#define SDXI_L2_ENT_VL			0x0000000000000001ULL
#define SDXI_L2_ENT_LV01_PTR		0xfffffffffffff000ULL
#define SDXI_L2_ENT_RSVD		0x0000000000000ffeULL

/* CXT_L1_ENT, 32 bytes (Table 3-3). */
struct sdxi_cxt_l1_ent {
	__le64 cxt_ctl_ptr;
#define SDXI_L1_ENT_VL			0x0000000000000001ULL
#define SDXI_L1_ENT_KA			0x0000000000000002ULL
#define SDXI_L1_ENT_PV			0x0000000000000004ULL
#define SDXI_L1_ENT_CXT_CTL_PTR		0xffffffffffffffc0ULL
#define SDXI_L1_ENT_CTL_RSVD		0x0000000000000038ULL
	__le64 akey_ptr;
#define SDXI_L1_ENT_AKEY_SZ		0x000000000000000fULL	/* 256 << n entries */
#define SDXI_L1_ENT_AKEY_PTR		0xfffffffffffff000ULL
#define SDXI_L1_ENT_AKEY_RSVD		0x0000000000000ff0ULL
	__le32 misc;
#define SDXI_L1_ENT_CXT_PASID		0x000fffffU
#define SDXI_L1_ENT_MAX_BUFFER		0x00f00000U	/* 2^(n+21) bytes */
#define SDXI_L1_ENT_MISC_RSVD		0xff000000U
	__le32 opb_000_enb;
	__le64 rsvd_0;
};

SDXI_HW_ASSERT(sizeof(struct sdxi_cxt_l1_ent) == 32, "CXT_L1_ENT is 32 bytes");

/* CXT_CTL, 64 bytes, 64-byte aligned (Table 3-4). */
struct sdxi_cxt_ctl {
	__le64 ds_ring_ptr;
#define SDXI_CXT_CTL_VL			0x0000000000000001ULL
#define SDXI_CXT_CTL_QOS		0x000000000000000cULL
#define SDXI_CXT_CTL_SE			0x0000000000000010ULL
#define SDXI_CXT_CTL_CSA		0x0000000000000020ULL
#define SDXI_CXT_CTL_DS_RING_PTR	0xffffffffffffffc0ULL
#define SDXI_CXT_CTL_RING_RSVD		0x0000000000000002ULL
	__le32 ds_ring_sz;		/* ring size in descriptors */
	__le32 rsvd_0;
	__le64 cxt_sts_ptr;
#define SDXI_CXT_CTL_CXT_STS_PTR	0xfffffffffffffff0ULL
	__le64 write_index_ptr;
#define SDXI_CXT_CTL_WRITE_INDEX_PTR	0xfffffffffffffff8ULL
	__le64 rsvd_1[4];
};

SDXI_HW_ASSERT(sizeof(struct sdxi_cxt_ctl) == 64, "CXT_CTL is 64 bytes");

/* Smallest ring the function accepts, in descriptors (SDXI 1.0 3.1). */
#define SDXI_RING_MIN_ENTRIES		1024

/* AKEY_ENT, 16 bytes (Table 3-7). */
struct sdxi_akey_ent {
	__le16 intr;
#define SDXI_AKEY_VL			0x0001
#define SDXI_AKEY_IV			0x0002
#define SDXI_AKEY_PV			0x0004
#define SDXI_AKEY_STE			0x0008
#define SDXI_AKEY_INTR_NUM		0x7ff0
#define SDXI_AKEY_INTR_RSVD		0x8000
	__le16 tgt_sfunc;
	__le32 pasid;
#define SDXI_AKEY_PASID			0x000fffffU
#define SDXI_AKEY_PR			0x20000000U
#define SDXI_AKEY_PH			0xc0000000U
#define SDXI_AKEY_PASID_RSVD		0x1ff00000U
	__le16 stag;
	__le16 rsvd_0;
	__le16 rkey;
	__le16 rsvd_1;
};

SDXI_HW_ASSERT(sizeof(struct sdxi_akey_ent) == 16, "AKEY_ENT is 16 bytes");

/* Encodings of sizes used in several structures. */
#define SDXI_MAX_BUFFER_BYTES(n)	(1ULL << ((n) + 21))
#define SDXI_RING_MAX_ENTRIES(n)	(1024ULL << (n))
#define SDXI_AKEY_ENTRIES(n)		(256ULL << (n))
#define SDXI_DB_STRIDE_BYTES(n)		(4096ULL << (n))
#define SDXI_ERRLOG_MAX_ENTRIES(n)	(64ULL << (n))

#endif /* _SDXI_FUNCTION_H */
