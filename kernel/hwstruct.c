// SPDX-License-Identifier: GPL-2.0
/*
 * SDXI control-structure encoders and error-log decoding (SDXI 1.0
 * section 3; Documentation/hardware.rst, "Bit layouts" and "Error log").
 * Each encoder validates its
 * parameters, then writes the whole structure with one assignment; on
 * -EINVAL the output is untouched.
 */
#include <linux/array_size.h>
#include <linux/bitfield.h>
#include <linux/errno.h>
#include <linux/export.h>
#include <linux/types.h>
#include <kunit/visibility.h>
#include <linux/sdxi.h>
#include <sdxi/encode.h>

#include "hwstruct.h"

/**
 * sdxi_encode_l2_ent() - encode a CXT_L2_ENT (Table 3-2)
 * @out: entry to write
 * @l1_table: L1 table address, 4 KiB aligned, non-zero
 *
 * Return: 0, or -EINVAL for a bad address.
 */
int sdxi_encode_l2_ent(__le64 *out, u64 l1_table)
{
	if (!l1_table || (l1_table & ~SDXI_L2_ENT_LV01_PTR))
		return -EINVAL;

	*out = cpu_to_le64(l1_table | SDXI_L2_ENT_VL);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(sdxi_encode_l2_ent);

/**
 * sdxi_akey_sz_encode() - akey_sz field for an AKey table size
 * @entries: table entries; the encoding holds 256 << n, n = 0..15
 *
 * A linear "pages - 1" encoding is a known bug of the 2022 driver; the
 * field is a power-of-two exponent (hardware.rst, "Bit layouts").
 *
 * Return: n, or -EINVAL if @entries is not 256 << n.
 */
int sdxi_akey_sz_encode(u32 entries)
{
	int n;

	for (n = 0; n <= 15; n++)
		if (entries == (256U << n))
			return n;
	return -EINVAL;
}
EXPORT_SYMBOL_IF_KUNIT(sdxi_akey_sz_encode);

/**
 * sdxi_encode_l1_ent() - encode a CXT_L1_ENT (Table 3-3)
 * @out: entry to write (with vl = 1)
 * @p: entry contents
 *
 * Return: 0, or -EINVAL for misaligned addresses, an AKey table size that
 * is not 256 << n, or fields that do not fit.
 */
int sdxi_encode_l1_ent(struct sdxi_cxt_l1_ent *out,
		       const struct sdxi_l1_params *p)
{
	int akey_sz = sdxi_akey_sz_encode(p->akey_entries);
	u32 misc;

	if (!p->cxt_ctl || (p->cxt_ctl & ~SDXI_L1_ENT_CXT_CTL_PTR))
		return -EINVAL;
	if (!p->akey_table || (p->akey_table & ~SDXI_L1_ENT_AKEY_PTR))
		return -EINVAL;
	if (akey_sz < 0 || p->max_buffer > FIELD_MAX(SDXI_L1_ENT_MAX_BUFFER))
		return -EINVAL;
	if (p->pasid > FIELD_MAX(SDXI_L1_ENT_CXT_PASID) || (p->pasid && !p->pv))
		return -EINVAL;

	misc = FIELD_PREP(SDXI_L1_ENT_CXT_PASID, p->pasid) |
	       FIELD_PREP(SDXI_L1_ENT_MAX_BUFFER, p->max_buffer);
	*out = (struct sdxi_cxt_l1_ent) {
		.cxt_ctl_ptr = cpu_to_le64(p->cxt_ctl | SDXI_L1_ENT_VL |
					   (p->pv ? SDXI_L1_ENT_PV : 0)),
		.akey_ptr = cpu_to_le64(p->akey_table |
					FIELD_PREP(SDXI_L1_ENT_AKEY_SZ, akey_sz)),
		.misc = cpu_to_le32(misc),
		.opb_000_enb = cpu_to_le32(p->opb),
	};
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(sdxi_encode_l1_ent);

/**
 * sdxi_encode_cxt_ctl() - encode a CXT_CTL (Table 3-4)
 * @out: structure to write (with vl = 1)
 * @p: structure contents
 *
 * qos, se and csa stay 0: the function's engine is in order, so the
 * sequential hint adds nothing (Documentation/hardware.rst).
 *
 * Return: 0, or -EINVAL for misaligned addresses or a ring smaller than
 * SDXI_RING_MIN_ENTRIES.  The upper bound (CAP0.max_ds_ring_sz) is the
 * caller's to check.
 */
int sdxi_encode_cxt_ctl(struct sdxi_cxt_ctl *out,
			const struct sdxi_cxt_ctl_params *p)
{
	if (!p->ring || (p->ring & ~SDXI_CXT_CTL_DS_RING_PTR))
		return -EINVAL;
	if (!p->sts || (p->sts & ~SDXI_CXT_CTL_CXT_STS_PTR))
		return -EINVAL;
	if (!p->write_index || (p->write_index & ~SDXI_CXT_CTL_WRITE_INDEX_PTR))
		return -EINVAL;
	if (p->entries < SDXI_RING_MIN_ENTRIES)
		return -EINVAL;

	*out = (struct sdxi_cxt_ctl) {
		.ds_ring_ptr = cpu_to_le64(p->ring | SDXI_CXT_CTL_VL),
		.ds_ring_sz = cpu_to_le32(p->entries),
		.cxt_sts_ptr = cpu_to_le64(p->sts),
		.write_index_ptr = cpu_to_le64(p->write_index),
	};
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(sdxi_encode_cxt_ctl);

/**
 * sdxi_encode_akey() - encode an AKEY_ENT (Table 3-7)
 * @out: entry to write (with vl = 1)
 * @p: entry contents
 *
 * Interrupts always target the local function (tgt_sfunc = 0): intr_num
 * is only meaningful there (hardware.rst, "Bit layouts").
 *
 * Return: 0, or -EINVAL for a vector or PASID that does not fit.
 */
int sdxi_encode_akey(struct sdxi_akey_ent *out, const struct sdxi_akey *p)
{
	u16 intr = SDXI_AKEY_VL;

	if (p->vector > FIELD_MAX(SDXI_AKEY_INTR_NUM) || (p->vector && !p->intr))
		return -EINVAL;
	if (p->pasid > FIELD_MAX(SDXI_AKEY_PASID) || (p->pasid && !p->pv))
		return -EINVAL;

	if (p->intr)
		intr |= SDXI_AKEY_IV | FIELD_PREP(SDXI_AKEY_INTR_NUM, p->vector);
	if (p->pv)
		intr |= SDXI_AKEY_PV;
	*out = (struct sdxi_akey_ent) {
		.intr = cpu_to_le16(intr),
		.pasid = cpu_to_le32(FIELD_PREP(SDXI_AKEY_PASID, p->pasid)),
	};
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(sdxi_encode_akey);

/**
 * sdxi_errlog_decode() - decode an ERRLOG_HD_ENT (SDXI 1.0 3.4)
 * @ent: log entry, already read from the log after the write index
 * @rec: decoded record
 *
 * Return: 0, or -EINVAL (and @rec untouched) if the entry is not valid or
 * is not an error-log header (type 0x7F7); the processing sequence skips
 * such entries.
 */
int sdxi_errlog_decode(const struct sdxi_errlog_ent *ent,
		       struct sdxi_err_rec *rec)
{
	u64 hd = le64_to_cpu(ent->hd);

	if (!(hd & SDXI_ERRLOG_VL) ||
	    FIELD_GET(SDXI_ERRLOG_TYPE, hd) != SDXI_ERRLOG_HD_TYPE)
		return -EINVAL;

	*rec = (struct sdxi_err_rec) {
		.step = FIELD_GET(SDXI_ERRLOG_STEP, hd),
		.sub_step = FIELD_GET(SDXI_ERRLOG_SUB_STEP, hd),
		.re = FIELD_GET(SDXI_ERRLOG_RE, hd),
		.cv = !!(hd & SDXI_ERRLOG_CV),
		.div = !!(hd & SDXI_ERRLOG_DIV),
		.bv = !!(hd & SDXI_ERRLOG_BV),
		.buf = FIELD_GET(SDXI_ERRLOG_BUF, hd),
		.cxt = FIELD_GET(SDXI_ERRLOG_CXT_NUM, hd),
		.dsc_index = le64_to_cpu(ent->dsc_index),
		.reason = le16_to_cpu(ent->err_class),
		.addr = le64_to_cpu(ent->vendor_addr),
	};
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(sdxi_errlog_decode);

static const char *const sdxi_step_names[] = {
	[SDXI_STEP_INTERNAL] = "internal",
	[SDXI_STEP_CXT_L2] = "CXT_L2",
	[SDXI_STEP_CXT_L1] = "CXT_L1",
	[SDXI_STEP_CXT_CTL] = "CXT_CTL",
	[SDXI_STEP_CXT_STS] = "CXT_STS",
	[SDXI_STEP_WRITE_INDEX] = "write index",
	[SDXI_STEP_DSC] = "descriptor",
	[SDXI_STEP_CST_BLK] = "CST_BLK",
	[SDXI_STEP_ATOMIC_RET] = "atomic return",
	[SDXI_STEP_DATA] = "data buffer",
	[SDXI_STEP_AKEY] = "AKey",
	[SDXI_STEP_RKEY] = "RKey",
};

static const char *const sdxi_sub_step_names[] = {
	[SDXI_SUB_STEP_OTHER] = "other",
	[SDXI_SUB_STEP_XLATE] = "translation",
	[SDXI_SUB_STEP_ACCESS] = "access",
	[SDXI_SUB_STEP_VALIDATION] = "validation",
};

static const char *const sdxi_re_names[] = {
	[SDXI_RE_INFO] = "informative",
	[SDXI_RE_CXT_STOPPED] = "context stopped",
	[SDXI_RE_FN_STOPPED] = "function stopped",
};

static const char *const sdxi_gsv_names[] = {
	[SDXI_GSV_STOP] = "stop",
	[SDXI_GSV_INIT] = "init",
	[SDXI_GSV_ACTIVE] = "active",
	[SDXI_GSV_STOPG_SF] = "stopping-soft",
	[SDXI_GSV_STOPG_HD] = "stopping-hard",
	[SDXI_GSV_ERROR] = "error",
};

static const char *const sdxi_cxtv_names[] = {
	[SDXI_CXTV_STOP_SW] = "stop-sw",
	[SDXI_CXTV_RUN] = "run",
	[SDXI_CXTV_STOPG_SW] = "stopping-sw",
	[SDXI_CXTV_STOP_FN] = "stop-fn",
	[SDXI_CXTV_STOPG_FN] = "stopping-fn",
	[SDXI_CXTV_ERR_FN] = "error",
};

static const char *sdxi_name(const char *const *names, size_t n,
			     unsigned int v)
{
	return v < n && names[v] ? names[v] : "unknown";
}

/**
 * sdxi_err_rec_to_user() - an error record as the owner of a context sees it
 * @rec: decoded error-log entry, reported to context @own
 * @own: the user context whose records these are
 * @out: the record for CONTEXT_STATUS
 *
 * A record of another context, or of the function (a function error is
 * reported to every context), keeps only what happened (step, sub-step,
 * reaction, reason): its descriptor index, buffer and address belong to
 * someone else (an admin-ring fault address is a kernel DMA address,
 * physical under iommu=pt).  In a record of @own itself, addresses in the
 * function address space (L2/L1 tables, CXT_CTL, AKey and RKey entries)
 * are the kernel's and are not reported either.
 */
void sdxi_err_rec_to_user(const struct sdxi_err_rec *rec, u16 own,
			  struct sdxi_error_record *out)
{
	bool mine = rec->cv && rec->cxt == own;
	bool kernel_addr = rec->step == SDXI_STEP_CXT_L2 ||
			   rec->step == SDXI_STEP_CXT_L1 ||
			   rec->step == SDXI_STEP_CXT_CTL ||
			   rec->step == SDXI_STEP_AKEY ||
			   rec->step == SDXI_STEP_RKEY;

	*out = (struct sdxi_error_record){
		.dsc_index = mine && rec->div ? rec->dsc_index : 0,
		.addr = mine && !kernel_addr ? rec->addr : 0,
		.step = rec->step,
		.sub_step = rec->sub_step,
		.reaction = rec->re,
		.buf = mine && rec->bv ? rec->buf : 0,
		.reason = rec->reason,
		.flags = (mine && rec->div ? SDXI_ERR_F_DIV : 0) |
			 (mine && rec->bv ? SDXI_ERR_F_BV : 0),
	};
}
EXPORT_SYMBOL_IF_KUNIT(sdxi_err_rec_to_user);

/**
 * sdxi_step_name() - name of an error-log step
 * @step: SDXI_STEP_* value
 *
 * Return: a constant string, "unknown" for undefined values.
 */
const char *sdxi_step_name(u8 step)
{
	return sdxi_name(sdxi_step_names, ARRAY_SIZE(sdxi_step_names), step);
}
EXPORT_SYMBOL_IF_KUNIT(sdxi_step_name);

/**
 * sdxi_sub_step_name() - name of an error-log sub-step
 * @sub_step: SDXI_SUB_STEP_* value
 *
 * Return: a constant string, "unknown" for undefined values.
 */
const char *sdxi_sub_step_name(u8 sub_step)
{
	return sdxi_name(sdxi_sub_step_names, ARRAY_SIZE(sdxi_sub_step_names),
			 sub_step);
}
EXPORT_SYMBOL_IF_KUNIT(sdxi_sub_step_name);

/**
 * sdxi_re_name() - name of an error-log reaction
 * @re: SDXI_RE_* value
 *
 * Return: a constant string, "unknown" for undefined values.
 */
const char *sdxi_re_name(u8 re)
{
	return sdxi_name(sdxi_re_names, ARRAY_SIZE(sdxi_re_names), re);
}
EXPORT_SYMBOL_IF_KUNIT(sdxi_re_name);

/**
 * sdxi_reason_name() - name of an err_class reason code (our choice)
 * @reason: enum sdxi_err_reason value
 *
 * Return: a constant string, the name shared with libsdxi and the tools
 * (<sdxi/encode.h>), "UNKNOWN" for undefined values.
 */
const char *sdxi_reason_name(u16 reason)
{
	return sdxi_err_reason_name(reason);
}
EXPORT_SYMBOL_IF_KUNIT(sdxi_reason_name);

/**
 * sdxi_gsv_name() - name of a function state (MMIO_STS0.fn_gsv)
 * @gsv: SDXI_GSV_* value
 *
 * Return: a constant string, "unknown" for values 6 and 7.
 */
const char *sdxi_gsv_name(u8 gsv)
{
	return sdxi_name(sdxi_gsv_names, ARRAY_SIZE(sdxi_gsv_names), gsv);
}
EXPORT_SYMBOL_IF_KUNIT(sdxi_gsv_name);

/**
 * sdxi_cxtv_name() - name of a context state (CXT_STS.state)
 * @state: SDXI_CXTV_* value
 *
 * Return: a constant string, "unknown" for undefined values.
 */
const char *sdxi_cxtv_name(u8 state)
{
	return sdxi_name(sdxi_cxtv_names, ARRAY_SIZE(sdxi_cxtv_names), state);
}
EXPORT_SYMBOL_IF_KUNIT(sdxi_cxtv_name);
