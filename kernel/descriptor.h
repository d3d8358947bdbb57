/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SDXI descriptor encoders (SDXI 1.0 section 6).
 *
 * Pure functions: each takes a const parameter block and writes one whole
 * 64-byte descriptor with the valid bit clear, so every reserved field is
 * zero by construction.  On invalid input they return -EINVAL and leave the
 * output untouched.  The valid bit is set later, when the descriptor is
 * published into a ring slot (ring.c).  The operations user contexts also
 * use (NOP, COPY, INTR) are encoded by the shared encoders of
 * <sdxi/encode.h>; this unit adds the driver's argument rules and the
 * admin descriptors.  It also builds in the host unit tests
 * (kernel/tests/), so it uses only the compat-shimmed subset of the kernel
 * API.
 */
#ifndef _SDXI_DESCRIPTOR_H
#define _SDXI_DESCRIPTOR_H

#include <linux/types.h>
#include <linux/sdxi_hw.h>
#include <sdxi/function.h>
#include <sdxi/encode.h>

/**
 * struct sdxi_copy - parameters of a DSC_DMAB_COPY
 * @src: source address in the address space named by @src_akey
 * @dst: destination address in the address space named by @dst_akey
 * @len: bytes to copy, 1 .. SDXI_DSC_MAX_LEN
 * @src_akey: AKey table index used for the source
 * @dst_akey: AKey table index used for the destination
 */
struct sdxi_copy {
	u64 src;
	u64 dst;
	u64 len;
	u16 src_akey;
	u16 dst_akey;
};

/**
 * struct sdxi_cxt_range - inclusive context range of an admin descriptor
 * @start: first context ID
 * @end: last context ID, >= @start
 */
struct sdxi_cxt_range {
	u16 start;
	u16 end;
};

int sdxi_encode_nop(union sdxi_desc *out);
int sdxi_encode_copy(union sdxi_desc *out, const struct sdxi_copy *p);
int sdxi_encode_intr(union sdxi_desc *out, u16 akey);
int sdxi_encode_cxt_start(union sdxi_desc *out, const struct sdxi_cxt_range *r,
			  bool resume, bool dv, u64 db_value);
int sdxi_encode_cxt_stop(union sdxi_desc *out, const struct sdxi_cxt_range *r,
			 bool hard);
int sdxi_encode_sync(union sdxi_desc *out, u8 flt,
		     const struct sdxi_cxt_range *r);
int sdxi_encode_cxt_upd(union sdxi_desc *out, const struct sdxi_cxt_range *r);
int sdxi_encode_fn_upd(union sdxi_desc *out);
int sdxi_encode_adm_intr(union sdxi_desc *out, u16 vector);
int sdxi_desc_set_csb(union sdxi_desc *d, u64 csb_addr);
void sdxi_desc_set_fence(union sdxi_desc *d);

#endif /* _SDXI_DESCRIPTOR_H */
