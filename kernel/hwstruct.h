/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Encoders and decoders for SDXI control structures (SDXI 1.0 section 3):
 * context-ID math, L2/L1 entries, CXT_CTL, AKey entries, size fields and
 * error-log entries.  Pure functions like descriptor.c, and built into the
 * host unit tests the same way.  Encoders produce entries with vl = 1; the
 * context layer publishes them word by word with vl stored last.
 */
#ifndef _SDXI_HWSTRUCT_H
#define _SDXI_HWSTRUCT_H

#include <linux/types.h>
#include <linux/sdxi_hw.h>
#include <sdxi/function.h>

/* Highest context ID expressible: 512 L2 entries x 128 L1 entries - 1. */
#define SDXI_CXT_ID_MAX		(SDXI_L2_ENTRIES * SDXI_L1_ENTRIES - 1)

/**
 * sdxi_cxt_l2_index() - L2 table index of a context ID (SDXI 1.0 3.2)
 * @id: context ID
 *
 * Return: id[15:7].
 */
static inline unsigned int sdxi_cxt_l2_index(u16 id)
{
	return SDXI_CXT_ID_L2(id);
}

/**
 * sdxi_cxt_l1_index() - L1 table index of a context ID (SDXI 1.0 3.2)
 * @id: context ID
 *
 * Return: id[6:0].
 */
static inline unsigned int sdxi_cxt_l1_index(u16 id)
{
	return SDXI_CXT_ID_L1(id);
}

/**
 * sdxi_cxt_id() - context ID from its table indexes
 * @l2: L2 index, < SDXI_L2_ENTRIES
 * @l1: L1 index, < SDXI_L1_ENTRIES
 *
 * Return: the context ID.
 */
static inline u16 sdxi_cxt_id(unsigned int l2, unsigned int l1)
{
	return (u16)(l2 * SDXI_L1_ENTRIES + l1);
}

/**
 * struct sdxi_l1_params - contents of a CXT_L1_ENT (Table 3-3)
 * @cxt_ctl: CXT_CTL address (function address space), 64-byte aligned
 * @akey_table: AKey table address (function address space), 4 KiB aligned
 * @akey_entries: AKey table entries, 256 << n
 * @pv: @pasid is valid: ring, CXT_STS, write index and CST_BLKs of the
 *	context are reached through it
 * @pasid: 20-bit PASID, with @pv
 * @max_buffer: per-context largest buffer, 2^(n + 21) bytes encoding
 * @opb: operation groups enabled for the context (opb_000_enb)
 */
struct sdxi_l1_params {
	u64 cxt_ctl;
	u64 akey_table;
	u32 akey_entries;
	bool pv;
	u32 pasid;
	u8 max_buffer;
	u32 opb;
};

/**
 * struct sdxi_cxt_ctl_params - contents of a CXT_CTL (Table 3-4)
 * @ring: descriptor ring address, 64-byte aligned
 * @entries: ring size in descriptors
 * @sts: CXT_STS address, 16-byte aligned
 * @write_index: Write_Index address, 8-byte aligned
 *
 * Addresses are in the context's address space (its PASID when the L1
 * entry has pv = 1).
 */
struct sdxi_cxt_ctl_params {
	u64 ring;
	u32 entries;
	u64 sts;
	u64 write_index;
};

/**
 * struct sdxi_akey - contents of an AKEY_ENT (Table 3-7)
 * @intr: @vector is valid (iv = 1)
 * @vector: MSI-X vector of the local function (tgt_sfunc 0), with @intr
 * @pv: @pasid is valid: data accesses through this key use it
 * @pasid: 20-bit PASID, with @pv
 */
struct sdxi_akey {
	bool intr;
	u16 vector;
	bool pv;
	u32 pasid;
};

struct sdxi_error_record;

/**
 * struct sdxi_err_rec - a decoded ERRLOG_HD_ENT (SDXI 1.0 3.4)
 * @step: processing step that failed (SDXI_STEP_*)
 * @sub_step: SDXI_SUB_STEP_*
 * @re: reaction, SDXI_RE_*
 * @cv: @cxt is valid
 * @div: @dsc_index is valid
 * @bv: @buf is valid
 * @buf: which descriptor buffer (SDXI_BUF_*), with @bv
 * @cxt: context number, with @cv
 * @dsc_index: descriptor index, with @div
 * @reason: enum sdxi_err_reason (err_class, our choice)
 * @addr: address involved, or 0 (vendor word, our choice)
 */
struct sdxi_err_rec {
	u8 step;
	u8 sub_step;
	u8 re;
	bool cv;
	bool div;
	bool bv;
	u8 buf;
	u16 cxt;
	u64 dsc_index;
	u16 reason;
	u64 addr;
};

int sdxi_encode_l2_ent(__le64 *out, u64 l1_table);
int sdxi_encode_l1_ent(struct sdxi_cxt_l1_ent *out,
		       const struct sdxi_l1_params *p);
int sdxi_encode_cxt_ctl(struct sdxi_cxt_ctl *out,
			const struct sdxi_cxt_ctl_params *p);
int sdxi_encode_akey(struct sdxi_akey_ent *out, const struct sdxi_akey *p);
int sdxi_akey_sz_encode(u32 entries);
int sdxi_errlog_decode(const struct sdxi_errlog_ent *ent,
		       struct sdxi_err_rec *rec);
void sdxi_err_rec_to_user(const struct sdxi_err_rec *rec, u16 own,
			  struct sdxi_error_record *out);
const char *sdxi_step_name(u8 step);
const char *sdxi_sub_step_name(u8 sub_step);
const char *sdxi_re_name(u8 re);
const char *sdxi_reason_name(u16 reason);
const char *sdxi_gsv_name(u8 gsv);
const char *sdxi_cxtv_name(u8 state);

#endif /* _SDXI_HWSTRUCT_H */
