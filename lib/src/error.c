// SPDX-License-Identifier: MIT
/*
 * The error model: error-log entries (SDXI 1.0 3.4, hardware.rst
 * "Errors") decoded into struct sdxi_error, and the errno each reason
 * code maps to.
 */
#include "internal.h"

SDXI_EXPORT const char *sdxi_reason_name(unsigned int reason)
{
	return sdxi_err_reason_name(reason);
}

/*
 * errno of a failed descriptor: faults on memory (translation, access,
 * injected) are -EFAULT, malformed descriptors -EINVAL, anything else
 * (interrupts, function failures, ...) -EIO.
 */
int error_errno(unsigned int reason)
{
	switch (reason) {
	case SDXI_ERR_XLATE:
	case SDXI_ERR_ACCESS:
	case SDXI_ERR_INJECTED:
		return -EFAULT;
	case SDXI_ERR_BAD_TYPE:
	case SDXI_ERR_OPB_DISABLED:
	case SDXI_ERR_ADMIN_NOT_CXT0:
	case SDXI_ERR_RSVD_SET:
	case SDXI_ERR_SIZE:
	case SDXI_ERR_OVERLAP:
	case SDXI_ERR_ALIGN:
	case SDXI_ERR_AKEY_INVALID:
		return -EINVAL;
	default:
		return -EIO;
	}
}

/* Decode an ERRLOG_HD_ENT (index is the hardware descriptor index). */
void error_decode(const struct sdxi_errlog_ent *ent, struct sdxi_error *out)
{
	uint64_t hd = le64toh(ent->hd);
	unsigned int reason = le16toh(ent->err_class);

	*out = (struct sdxi_error){
		.index = le64toh(ent->dsc_index),
		.addr = le64toh(ent->vendor_addr),
		.step = (uint8_t)SDXI_FIELD_GET(SDXI_ERRLOG_STEP, hd),
		.sub_step = (uint8_t)SDXI_FIELD_GET(SDXI_ERRLOG_SUB_STEP, hd),
		.reaction = (uint8_t)SDXI_FIELD_GET(SDXI_ERRLOG_RE, hd),
		.buf = (uint8_t)SDXI_FIELD_GET(SDXI_ERRLOG_BUF, hd),
		.reason = (uint16_t)reason,
		.flags = (uint16_t)(((hd & SDXI_ERRLOG_DIV) ? SDXI_ERROR_INDEX : 0) |
				    ((hd & SDXI_ERRLOG_BV) ? SDXI_ERROR_BUF : 0)),
		.err = error_errno(reason),
	};
}
