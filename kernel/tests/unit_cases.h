/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The driver's unit test cases, written once and compiled twice: as a host
 * program (unit.c, TAP) and as the KUnit suite sdxi_unit (kunit.c, in the
 * debug kernel).  They cover the pure code: descriptor encoders
 * (descriptor.c), control-structure encoders and error-log decoding
 * (hwstruct.c), ring index arithmetic (ring.h) and context-ID math.
 *
 * Encoded structures are decoded with literal absolute bit positions taken
 * from Documentation/hardware.rst ("Bit layouts", "Descriptors"), never
 * with the masks of
 * uapi/linux/sdxi_hw.h, so a wrong shared mask cannot pass on both sides.
 * Outputs are poisoned (0xff) before each encode, which proves every field
 * is written, and error cases check the output is left unchanged.
 *
 * The includer provides CHECK(cond) and CHECK_EQ(a, b) (both compared as
 * unsigned long long), memset/memcmp/strcmp and -E* error numbers, and
 * runs the table sdxi_unit_cases[] at the end.
 */
#ifndef _SDXI_UNIT_CASES_H
#define _SDXI_UNIT_CASES_H

#include <linux/sdxi.h>

#include "../descriptor.h"
#include "../hwstruct.h"
#include "../ring.h"

/*
 * Absolute bits [hi:lo] (hi - lo < 64) of a little-endian structure, the
 * way the spec tables number them: bit 0 is bit 0 of byte 0.
 */
static unsigned long long bits(const void *buf, unsigned int hi,
			       unsigned int lo)
{
	const unsigned char *p = buf;
	unsigned long long v = 0;
	unsigned int i;

	for (i = lo; i <= hi; i++)
		if (p[i / 8] & (1u << (i % 8)))
			v |= 1ULL << (i - lo);
	return v;
}

/* Every bit in [hi:lo] is zero; hi - lo may exceed 64. */
static int zero_bits(const void *buf, unsigned int hi, unsigned int lo)
{
	unsigned int i;

	for (i = lo; i <= hi; i++)
		if (bits(buf, i, i))
			return 0;
	return 1;
}

static void poison(void *p, size_t len)
{
	memset(p, 0xff, len);
}

static int untouched(const void *p, size_t len)
{
	const unsigned char *c = p;

	while (len--)
		if (*c++ != 0xff)
			return 0;
	return 1;
}

/*
 * DSC_GENERIC header and footer (hardware.rst): vl 0, se 1, fe 2, ch 3,
 * csr 4, rb 5, rsvd 7:6, subtype 15:8, type 26:16, rsvd 31:27; np 448,
 * rsvd 452:449, csb_ptr 511:453.
 */
static void check_header(const union sdxi_desc *d, unsigned int type,
			 unsigned int subtype, int fe)
{
	CHECK_EQ(bits(d, 0, 0), 0);		/* vl set only at publish */
	CHECK_EQ(bits(d, 1, 1), 0);		/* se */
	CHECK_EQ(bits(d, 2, 2), fe);		/* fe */
	CHECK_EQ(bits(d, 3, 3), 0);		/* ch must be 0 */
	CHECK_EQ(bits(d, 4, 4), 0);		/* csr */
	CHECK_EQ(bits(d, 5, 5), 0);		/* rb must be 0 */
	CHECK_EQ(bits(d, 7, 6), 0);
	CHECK_EQ(bits(d, 15, 8), subtype);
	CHECK_EQ(bits(d, 26, 16), type);
	CHECK_EQ(bits(d, 31, 27), 0);
}

static void check_no_csb(const union sdxi_desc *d)
{
	CHECK_EQ(bits(d, 448, 448), 1);		/* np */
	CHECK_EQ(bits(d, 452, 449), 0);
	CHECK_EQ(bits(d, 511, 453), 0);
}

static void t_nop(void)
{
	union sdxi_desc d;

	poison(&d, sizeof(d));
	CHECK_EQ(sdxi_encode_nop(&d), 0);
	check_header(&d, 0x001, 0x01, 0);
	CHECK(zero_bits(&d, 447, 32));
	check_no_csb(&d);
}

static void t_copy(void)
{
	struct sdxi_copy p = {
		.src = 0x1122334455667700ULL, .dst = 0x0000000abcdef000ULL,
		.len = 0x12345, .src_akey = 0x1234, .dst_akey = 0xfedc,
	};
	union sdxi_desc d;

	poison(&d, sizeof(d));
	CHECK_EQ(sdxi_encode_copy(&d, &p), 0);
	check_header(&d, 0x001, 0x03, 0);
	CHECK_EQ(bits(&d, 63, 32), 0x12344);	/* size = length - 1 */
	CHECK_EQ(bits(&d, 67, 64), 0);		/* attr_src */
	CHECK_EQ(bits(&d, 71, 68), 0);		/* attr_dst */
	CHECK_EQ(bits(&d, 95, 72), 0);
	CHECK_EQ(bits(&d, 111, 96), 0x1234);	/* akey0: source */
	CHECK_EQ(bits(&d, 127, 112), 0xfedc);	/* akey1: destination */
	CHECK_EQ(bits(&d, 191, 128), 0x1122334455667700ULL);
	CHECK_EQ(bits(&d, 255, 192), 0x0000000abcdef000ULL);
	CHECK(zero_bits(&d, 447, 256));
	check_no_csb(&d);
}

static void t_copy_sizes(void)
{
	struct sdxi_copy p = { .src = 0x1000, .dst = 0x1000000000ULL, .len = 1 };
	union sdxi_desc d;

	poison(&d, sizeof(d));
	CHECK_EQ(sdxi_encode_copy(&d, &p), 0);
	CHECK_EQ(bits(&d, 63, 32), 0);
	p.len = 1ULL << 32;			/* 4 GiB encodes 0xffffffff */
	poison(&d, sizeof(d));
	CHECK_EQ(sdxi_encode_copy(&d, &p), 0);
	CHECK_EQ(bits(&d, 63, 32), 0xffffffffULL);
}

static void t_copy_invalid(void)
{
	struct sdxi_copy p = { .src = 0x10000, .dst = 0x20000, .len = 0 };
	union sdxi_desc d;

	poison(&d, sizeof(d));
	CHECK_EQ(sdxi_encode_copy(&d, &p), -EINVAL);	/* zero length */
	p.len = (1ULL << 32) + 1;
	CHECK_EQ(sdxi_encode_copy(&d, &p), -EINVAL);	/* > 4 GiB */
	p.len = 0x10001;				/* overlaps dst by 1 */
	CHECK_EQ(sdxi_encode_copy(&d, &p), -EINVAL);
	p.src = 0x20008;
	p.len = 0x10;					/* src inside dst */
	p.dst = 0x20000;
	CHECK_EQ(sdxi_encode_copy(&d, &p), -EINVAL);
	p.src = ~0ULL - 4;				/* wraps 2^64 */
	p.dst = 0;
	CHECK_EQ(sdxi_encode_copy(&d, &p), -EINVAL);
	CHECK(untouched(&d, sizeof(d)));
	p.src = 0x10000;				/* adjacent: legal */
	p.dst = 0x20000;
	p.len = 0x10000;
	CHECK_EQ(sdxi_encode_copy(&d, &p), 0);
}

static void t_csb(void)
{
	struct sdxi_copy p = { .src = 0x1000, .dst = 0x2000, .len = 64 };
	union sdxi_desc d, before;

	poison(&d, sizeof(d));
	CHECK_EQ(sdxi_encode_copy(&d, &p), 0);
	CHECK_EQ(sdxi_desc_set_csb(&d, 0x123456789a0ULL), 0);
	CHECK_EQ(bits(&d, 448, 448), 0);		/* np = 0 */
	CHECK_EQ(bits(&d, 452, 449), 0);
	CHECK_EQ(bits(&d, 511, 453), 0x123456789a0ULL >> 5);
	before = d;
	CHECK_EQ(sdxi_desc_set_csb(&d, 0x123456789b0ULL), -EINVAL); /* 16 B */
	CHECK_EQ(sdxi_desc_set_csb(&d, 0), -EINVAL);
	CHECK(!memcmp(&d, &before, sizeof(d)));
}

static void t_fence(void)
{
	struct sdxi_copy p = { .src = 0x1000, .dst = 0x2000, .len = 64 };
	union sdxi_desc d;

	poison(&d, sizeof(d));
	CHECK_EQ(sdxi_encode_copy(&d, &p), 0);
	sdxi_desc_set_fence(&d);
	check_header(&d, 0x001, 0x03, 1);
}

static void t_intr(void)
{
	union sdxi_desc d;

	poison(&d, sizeof(d));
	CHECK_EQ(sdxi_encode_intr(&d, 0xbeef), 0);
	check_header(&d, 0x004, 0x00, 1);
	CHECK(zero_bits(&d, 95, 32));
	CHECK_EQ(bits(&d, 111, 96), 0xbeef);		/* akey */
	CHECK(zero_bits(&d, 447, 112));
	check_no_csb(&d);
}

/*
 * Admin descriptors (hardware.rst): vflags byte 5 = bits 47:40 with
 * vf 47, dv 46, hs 45; vf_num 63:48; cxt_start 79:64; cxt_end 95:80.
 */
static void t_cxt_start(void)
{
	struct sdxi_cxt_range r = { .start = 0x0102, .end = 0x0304 };
	union sdxi_desc d;

	poison(&d, sizeof(d));
	CHECK_EQ(sdxi_encode_cxt_start(&d, &r, false, false, 0), 0);
	check_header(&d, 0x002, 0x03, 1);
	CHECK_EQ(bits(&d, 39, 32), 0);
	CHECK_EQ(bits(&d, 47, 40), 0);
	CHECK_EQ(bits(&d, 63, 48), 0);
	CHECK_EQ(bits(&d, 79, 64), 0x0102);
	CHECK_EQ(bits(&d, 95, 80), 0x0304);
	CHECK(zero_bits(&d, 447, 96));
	check_no_csb(&d);

	poison(&d, sizeof(d));
	CHECK_EQ(sdxi_encode_cxt_start(&d, &r, true, true, 0xabcdef0123ULL), 0);
	check_header(&d, 0x002, 0x08, 1);
	CHECK_EQ(bits(&d, 46, 46), 1);			/* dv */
	CHECK_EQ(bits(&d, 47, 47), 0);			/* vf */
	CHECK_EQ(bits(&d, 45, 40), 0);
	CHECK_EQ(bits(&d, 127, 96), 0);
	CHECK_EQ(bits(&d, 191, 128), 0xabcdef0123ULL);	/* db_value */
	CHECK(zero_bits(&d, 447, 192));
}

static void t_cxt_stop(void)
{
	struct sdxi_cxt_range r = { .start = 7, .end = 7 };
	union sdxi_desc d;

	poison(&d, sizeof(d));
	CHECK_EQ(sdxi_encode_cxt_stop(&d, &r, false), 0);
	check_header(&d, 0x002, 0x04, 1);
	CHECK_EQ(bits(&d, 63, 32), 0);
	CHECK_EQ(bits(&d, 79, 64), 7);
	CHECK_EQ(bits(&d, 95, 80), 7);
	CHECK(zero_bits(&d, 447, 96));
	check_no_csb(&d);

	poison(&d, sizeof(d));
	CHECK_EQ(sdxi_encode_cxt_stop(&d, &r, true), 0);
	CHECK_EQ(bits(&d, 45, 45), 1);			/* hs */
	CHECK_EQ(bits(&d, 44, 40), 0);
	CHECK_EQ(bits(&d, 47, 46), 0);
}

static void t_sync(void)
{
	struct sdxi_cxt_range r = { .start = 1, .end = 127 };
	union sdxi_desc d;

	poison(&d, sizeof(d));
	CHECK_EQ(sdxi_encode_sync(&d, 4, &r), 0);
	check_header(&d, 0x002, 0x06, 1);
	CHECK_EQ(bits(&d, 34, 32), 4);			/* cflags.flt */
	CHECK_EQ(bits(&d, 39, 35), 0);
	CHECK_EQ(bits(&d, 63, 40), 0);
	CHECK_EQ(bits(&d, 79, 64), 1);
	CHECK_EQ(bits(&d, 95, 80), 127);
	CHECK_EQ(bits(&d, 127, 96), 0);			/* key range */
	CHECK(zero_bits(&d, 447, 128));
	check_no_csb(&d);
}

static void t_cxt_upd(void)
{
	struct sdxi_cxt_range r = { .start = 200, .end = 300 };
	union sdxi_desc d;

	poison(&d, sizeof(d));
	CHECK_EQ(sdxi_encode_cxt_upd(&d, &r), 0);
	check_header(&d, 0x002, 0x01, 1);
	CHECK_EQ(bits(&d, 63, 32), 0);
	CHECK_EQ(bits(&d, 79, 64), 200);
	CHECK_EQ(bits(&d, 95, 80), 300);
	CHECK(zero_bits(&d, 447, 96));
	check_no_csb(&d);
}

static void t_fn_upd_adm_intr(void)
{
	union sdxi_desc d;

	poison(&d, sizeof(d));
	CHECK_EQ(sdxi_encode_fn_upd(&d), 0);
	check_header(&d, 0x002, 0x00, 1);
	CHECK(zero_bits(&d, 447, 32));
	check_no_csb(&d);

	poison(&d, sizeof(d));
	CHECK_EQ(sdxi_encode_adm_intr(&d, 0x7ff), 0);
	check_header(&d, 0x002, 0x05, 1);
	CHECK_EQ(bits(&d, 63, 32), 0);
	CHECK_EQ(bits(&d, 79, 64), 0x7ff);		/* intr_num, bytes 8-9 */
	CHECK(zero_bits(&d, 447, 80));
	check_no_csb(&d);
}

static void t_admin_invalid(void)
{
	struct sdxi_cxt_range bad = { .start = 5, .end = 4 };
	struct sdxi_cxt_range ok = { .start = 5, .end = 5 };
	union sdxi_desc d;

	poison(&d, sizeof(d));
	CHECK_EQ(sdxi_encode_cxt_start(&d, &bad, false, false, 0), -EINVAL);
	CHECK_EQ(sdxi_encode_cxt_start(&d, &ok, false, false, 1), -EINVAL);
	CHECK_EQ(sdxi_encode_cxt_stop(&d, &bad, false), -EINVAL);
	CHECK_EQ(sdxi_encode_sync(&d, 0, &bad), -EINVAL);
	CHECK_EQ(sdxi_encode_sync(&d, 5, &ok), -EINVAL);
	CHECK_EQ(sdxi_encode_cxt_upd(&d, &bad), -EINVAL);
	CHECK_EQ(sdxi_encode_adm_intr(&d, 0x800), -EINVAL);
	CHECK(untouched(&d, sizeof(d)));
}

/* CXT_L2_ENT (hardware.rst): vl 0, rsvd 11:1, lv01_ptr 63:12. */
static void t_l2_ent(void)
{
	__le64 e;

	poison(&e, sizeof(e));
	CHECK_EQ(sdxi_encode_l2_ent(&e, 0xfedcba9876543000ULL), 0);
	CHECK_EQ(bits(&e, 0, 0), 1);
	CHECK_EQ(bits(&e, 11, 1), 0);
	CHECK_EQ(bits(&e, 63, 12), 0xfedcba9876543ULL);
	poison(&e, sizeof(e));
	CHECK_EQ(sdxi_encode_l2_ent(&e, 0x1000800), -EINVAL);
	CHECK_EQ(sdxi_encode_l2_ent(&e, 0), -EINVAL);
	CHECK(untouched(&e, sizeof(e)));
}

/*
 * CXT_L1_ENT (hardware.rst): vl 0, ka 1, pv 2, rsvd 4:3, pr 5,
 * cxt_ctl_ptr 63:6; akey_sz 67:64, rsvd 75:68, akey_ptr 127:76;
 * cxt_pasid 147:128, max_buffer 151:148, rsvd 159:152; opb_000_enb
 * 191:160; rsvd 255:192.
 */
static void t_l1_ent(void)
{
	struct sdxi_l1_params p = {
		.cxt_ctl = 0x123456789abcdec0ULL, .akey_table = 0x7654321000ULL,
		.akey_entries = 1024, .pv = true, .pasid = 0xabcde,
		.max_buffer = 11, .opb = 0xf,
	};
	struct sdxi_cxt_l1_ent e;

	poison(&e, sizeof(e));
	CHECK_EQ(sdxi_encode_l1_ent(&e, &p), 0);
	CHECK_EQ(bits(&e, 0, 0), 1);
	CHECK_EQ(bits(&e, 1, 1), 0);
	CHECK_EQ(bits(&e, 2, 2), 1);
	CHECK_EQ(bits(&e, 5, 3), 0);
	CHECK_EQ(bits(&e, 63, 6), 0x123456789abcdec0ULL >> 6);
	CHECK_EQ(bits(&e, 67, 64), 2);		/* 1024 = 256 << 2 */
	CHECK_EQ(bits(&e, 75, 68), 0);
	CHECK_EQ(bits(&e, 127, 76), 0x7654321000ULL >> 12);
	CHECK_EQ(bits(&e, 147, 128), 0xabcde);
	CHECK_EQ(bits(&e, 151, 148), 11);
	CHECK_EQ(bits(&e, 159, 152), 0);
	CHECK_EQ(bits(&e, 191, 160), 0xf);
	CHECK_EQ(bits(&e, 255, 192), 0);

	p.pv = false;
	p.pasid = 0;
	poison(&e, sizeof(e));
	CHECK_EQ(sdxi_encode_l1_ent(&e, &p), 0);
	CHECK_EQ(bits(&e, 2, 2), 0);
	CHECK_EQ(bits(&e, 147, 128), 0);
}

static void t_l1_ent_invalid(void)
{
	struct sdxi_l1_params good = {
		.cxt_ctl = 0x10040, .akey_table = 0x20000, .akey_entries = 256,
		.max_buffer = 11, .opb = 1,
	};
	struct sdxi_l1_params p;
	struct sdxi_cxt_l1_ent e;

	poison(&e, sizeof(e));
	p = good;
	p.cxt_ctl = 0x10020;			/* not 64 B aligned */
	CHECK_EQ(sdxi_encode_l1_ent(&e, &p), -EINVAL);
	p = good;
	p.akey_table = 0x20800;			/* not 4 KiB aligned */
	CHECK_EQ(sdxi_encode_l1_ent(&e, &p), -EINVAL);
	p = good;
	p.akey_entries = 300;
	CHECK_EQ(sdxi_encode_l1_ent(&e, &p), -EINVAL);
	p = good;
	p.pasid = 5;				/* PASID without pv */
	CHECK_EQ(sdxi_encode_l1_ent(&e, &p), -EINVAL);
	p = good;
	p.pv = true;
	p.pasid = 0x100000;			/* 21 bits */
	CHECK_EQ(sdxi_encode_l1_ent(&e, &p), -EINVAL);
	p = good;
	p.max_buffer = 16;
	CHECK_EQ(sdxi_encode_l1_ent(&e, &p), -EINVAL);
	CHECK(untouched(&e, sizeof(e)));
}

static void t_akey_sz(void)
{
	CHECK_EQ(sdxi_akey_sz_encode(256), 0);
	CHECK_EQ(sdxi_akey_sz_encode(512), 1);
	CHECK_EQ(sdxi_akey_sz_encode(1024), 2);
	CHECK_EQ(sdxi_akey_sz_encode(256u << 15), 15);
	CHECK_EQ(sdxi_akey_sz_encode(0), (unsigned long long)-EINVAL);
	CHECK_EQ(sdxi_akey_sz_encode(768), (unsigned long long)-EINVAL);
	CHECK_EQ(sdxi_akey_sz_encode(128), (unsigned long long)-EINVAL);
}

/*
 * CXT_CTL (hardware.rst): vl 0, rsvd 1, qos 3:2, se 4, csa 5,
 * ds_ring_ptr 63:6; ds_ring_sz 95:64; rsvd 127:96; rsvd 131:128,
 * cxt_sts_ptr 191:132; rsvd 194:192, write_index_ptr 255:195; rsvd 511:256.
 */
static void t_cxt_ctl(void)
{
	struct sdxi_cxt_ctl_params p = {
		.ring = 0xabcdef000040ULL, .entries = 1500,
		.sts = 0x1234567890ULL, .write_index = 0x99999998ULL,
	};
	struct sdxi_cxt_ctl c;

	poison(&c, sizeof(c));
	CHECK_EQ(sdxi_encode_cxt_ctl(&c, &p), 0);
	CHECK_EQ(bits(&c, 0, 0), 1);
	CHECK_EQ(bits(&c, 5, 1), 0);
	CHECK_EQ(bits(&c, 63, 6), 0xabcdef000040ULL >> 6);
	CHECK_EQ(bits(&c, 95, 64), 1500);
	CHECK_EQ(bits(&c, 127, 96), 0);
	CHECK_EQ(bits(&c, 131, 128), 0);
	CHECK_EQ(bits(&c, 191, 132), 0x1234567890ULL >> 4);
	CHECK_EQ(bits(&c, 194, 192), 0);
	CHECK_EQ(bits(&c, 255, 195), 0x99999998ULL >> 3);
	CHECK(zero_bits(&c, 511, 256));
}

static void t_cxt_ctl_invalid(void)
{
	struct sdxi_cxt_ctl_params good = {
		.ring = 0x10000, .entries = 1024, .sts = 0x20000,
		.write_index = 0x30000,
	};
	struct sdxi_cxt_ctl_params p;
	struct sdxi_cxt_ctl c;

	poison(&c, sizeof(c));
	p = good;
	p.ring = 0x10020;
	CHECK_EQ(sdxi_encode_cxt_ctl(&c, &p), -EINVAL);
	p = good;
	p.sts = 0x20008;
	CHECK_EQ(sdxi_encode_cxt_ctl(&c, &p), -EINVAL);
	p = good;
	p.write_index = 0x30004;
	CHECK_EQ(sdxi_encode_cxt_ctl(&c, &p), -EINVAL);
	p = good;
	p.entries = 1023;
	CHECK_EQ(sdxi_encode_cxt_ctl(&c, &p), -EINVAL);
	CHECK(untouched(&c, sizeof(c)));
}

/*
 * AKEY_ENT (hardware.rst): vl 0, iv 1, pv 2, ste 3, intr_num 14:4,
 * rsvd 15, tgt_sfunc 31:16, pasid 51:32, rsvd 60:52, pr 61, ph 63:62,
 * stag 79:64, rsvd 95:80, rkey 111:96, rsvd 127:112.
 */
static void t_akey(void)
{
	struct sdxi_akey p = { .intr = true, .vector = 0x7ff };
	struct sdxi_akey_ent e;

	poison(&e, sizeof(e));
	CHECK_EQ(sdxi_encode_akey(&e, &p), 0);
	CHECK_EQ(bits(&e, 0, 0), 1);
	CHECK_EQ(bits(&e, 1, 1), 1);
	CHECK_EQ(bits(&e, 2, 2), 0);
	CHECK_EQ(bits(&e, 3, 3), 0);
	CHECK_EQ(bits(&e, 14, 4), 0x7ff);
	CHECK_EQ(bits(&e, 15, 15), 0);
	CHECK_EQ(bits(&e, 31, 16), 0);
	CHECK_EQ(bits(&e, 63, 32), 0);
	CHECK_EQ(bits(&e, 127, 64), 0);

	p = (struct sdxi_akey){ .pv = true, .pasid = 0xfffff };
	poison(&e, sizeof(e));
	CHECK_EQ(sdxi_encode_akey(&e, &p), 0);
	CHECK_EQ(bits(&e, 3, 0), 0x5);			/* vl, pv */
	CHECK_EQ(bits(&e, 14, 4), 0);
	CHECK_EQ(bits(&e, 51, 32), 0xfffff);
	CHECK_EQ(bits(&e, 63, 52), 0);

	poison(&e, sizeof(e));
	p = (struct sdxi_akey){ .intr = true, .vector = 0x800 };
	CHECK_EQ(sdxi_encode_akey(&e, &p), -EINVAL);
	p = (struct sdxi_akey){ .pasid = 1 };
	CHECK_EQ(sdxi_encode_akey(&e, &p), -EINVAL);
	CHECK(untouched(&e, sizeof(e)));
}

/* Set absolute bits [hi:lo] of a little-endian structure. */
static void set_bits(void *buf, unsigned int hi, unsigned int lo,
		     unsigned long long v)
{
	unsigned char *p = buf;
	unsigned int i;

	for (i = lo; i <= hi; i++) {
		if ((v >> (i - lo)) & 1)
			p[i / 8] |= 1u << (i % 8);
		else
			p[i / 8] &= ~(1u << (i % 8));
	}
}

/*
 * ERRLOG_HD_ENT (hardware.rst): vl 0, step 13:8, type 26:16, cv 32,
 * div 33, bv 34, buf 38:36, sub_step 43:40, re 46:44, cxt_num 63:48,
 * dsc_index 127:64, err_class 367:352; vendor words from byte 48 (our
 * choice: the address involved at bytes 48-55).
 */
static void t_errlog_decode(void)
{
	struct sdxi_errlog_ent e;
	struct sdxi_err_rec r, before;

	memset(&e, 0, sizeof(e));
	set_bits(&e, 0, 0, 1);
	set_bits(&e, 13, 8, 10);
	set_bits(&e, 26, 16, 0x7f7);
	set_bits(&e, 32, 32, 1);
	set_bits(&e, 33, 33, 1);
	set_bits(&e, 34, 34, 1);
	set_bits(&e, 38, 36, 1);
	set_bits(&e, 43, 40, 2);
	set_bits(&e, 46, 44, 1);
	set_bits(&e, 63, 48, 0x1234);
	set_bits(&e, 127, 64, 0x123456789ULL);
	set_bits(&e, 367, 352, 15);
	set_bits(&e, 447, 384, 0xdead0000beefULL);

	poison(&r, sizeof(r));
	CHECK_EQ(sdxi_errlog_decode(&e, &r), 0);
	CHECK_EQ(r.step, 10);
	CHECK_EQ(r.sub_step, 2);
	CHECK_EQ(r.re, 1);
	CHECK(r.cv && r.div && r.bv);
	CHECK_EQ(r.buf, 1);
	CHECK_EQ(r.cxt, 0x1234);
	CHECK_EQ(r.dsc_index, 0x123456789ULL);
	CHECK_EQ(r.reason, 15);
	CHECK_EQ(r.addr, 0xdead0000beefULL);

	set_bits(&e, 26, 16, 0x001);			/* not a header entry */
	poison(&r, sizeof(r));
	before = r;
	CHECK_EQ(sdxi_errlog_decode(&e, &r), -EINVAL);
	set_bits(&e, 26, 16, 0x7f7);
	set_bits(&e, 0, 0, 0);				/* not valid */
	CHECK_EQ(sdxi_errlog_decode(&e, &r), -EINVAL);
	CHECK(!memcmp(&r, &before, sizeof(r)));
}

static void t_names(void)
{
	CHECK(!strcmp(sdxi_step_name(10), "data buffer"));
	CHECK(!strcmp(sdxi_step_name(0), "unknown"));
	CHECK(!strcmp(sdxi_step_name(200), "unknown"));
	CHECK(!strcmp(sdxi_re_name(2), "function stopped"));
	CHECK(!strcmp(sdxi_gsv_name(5), "error"));
	CHECK(!strcmp(sdxi_gsv_name(6), "unknown"));
	CHECK(!strcmp(sdxi_cxtv_name(0xf), "error"));
	CHECK(!strcmp(sdxi_cxtv_name(3), "unknown"));
	/* Reason codes: the enumerators' names, as libsdxi spells them. */
	CHECK(!strcmp(sdxi_reason_name(0), "NONE"));
	CHECK(!strcmp(sdxi_reason_name(1), "BAD_TYPE"));
	CHECK(!strcmp(sdxi_reason_name(13), "XLATE"));
	CHECK(!strcmp(sdxi_reason_name(15), "INJECTED"));
	CHECK(!strcmp(sdxi_reason_name(19), "ERRLOG"));
	CHECK(!strcmp(sdxi_reason_name(20), "UNKNOWN"));
	CHECK(!strcmp(sdxi_reason_name(0xffff), "UNKNOWN"));
}

static void t_cxt_id(void)
{
	unsigned int id;

	CHECK_EQ(sdxi_cxt_l2_index(0), 0);
	CHECK_EQ(sdxi_cxt_l1_index(0), 0);
	CHECK_EQ(sdxi_cxt_l2_index(127), 0);
	CHECK_EQ(sdxi_cxt_l1_index(127), 127);
	CHECK_EQ(sdxi_cxt_l2_index(128), 1);		/* shift is 7, not 9 */
	CHECK_EQ(sdxi_cxt_l1_index(128), 0);
	CHECK_EQ(sdxi_cxt_l2_index(0x2a5), 5);
	CHECK_EQ(sdxi_cxt_l1_index(0x2a5), 0x25);
	CHECK_EQ(sdxi_cxt_l2_index(0xffff), 511);
	CHECK_EQ(sdxi_cxt_l1_index(0xffff), 127);
	CHECK_EQ(SDXI_CXT_ID_MAX, 0xffff);
	for (id = 0; id <= 0xffff; id++) {
		if (sdxi_cxt_id(sdxi_cxt_l2_index(id),
				sdxi_cxt_l1_index(id)) != id) {
			CHECK_EQ(id, ~0u);
			break;
		}
	}
}

static void t_ring_slot(void)
{
	CHECK_EQ(sdxi_ring_slot(0, 1024), 0);
	CHECK_EQ(sdxi_ring_slot(1023, 1024), 1023);
	CHECK_EQ(sdxi_ring_slot(1024, 1024), 0);
	CHECK_EQ(sdxi_ring_slot(1500, 1500), 0);	/* not a power of two */
	CHECK_EQ(sdxi_ring_slot(3001, 1500), 1);
	CHECK_EQ(sdxi_ring_slot((1ULL << 40) + 5, 1500),
		 ((1ULL << 40) + 5) % 1500);
	CHECK_EQ(sdxi_ring_slot(~0ULL, 16384), 16383);
}

static void t_ring_entries(void)
{
	CHECK(!sdxi_ring_entries_valid(0, 16384));
	CHECK(!sdxi_ring_entries_valid(1023, 16384));
	CHECK(sdxi_ring_entries_valid(1024, 16384));
	CHECK(sdxi_ring_entries_valid(1500, 16384));
	CHECK(sdxi_ring_entries_valid(16384, 16384));
	CHECK(!sdxi_ring_entries_valid(16385, 16384));
	CHECK(!sdxi_ring_entries_valid(2048, 1024));
}

static void t_ring_space(void)
{
	CHECK_EQ(sdxi_ring_space(0, 0, 0, 1024), 1024);		/* empty */
	CHECK_EQ(sdxi_ring_space(0, 0, 1024, 1024), 0);		/* full */
	CHECK_EQ(sdxi_ring_space(10, 10, 1034, 1024), 0);
	CHECK_EQ(sdxi_ring_space(10, 10, 1033, 1024), 1);
	/* R passed slots whose CSB was not read yet: tail limits. */
	CHECK_EQ(sdxi_ring_space(100, 40, 100, 1024), 1024 - 60);
	/* Retired ahead of R (slots without CSB): R limits. */
	CHECK_EQ(sdxi_ring_space(40, 100, 100, 1024), 1024 - 60);
	/* Third lap of a 1500-entry ring. */
	CHECK_EQ(sdxi_ring_space(3000, 3000, 4000, 1500), 500);
	/* Large free-running indexes. */
	CHECK_EQ(sdxi_ring_space(1ULL << 50, 1ULL << 50, (1ULL << 50) + 3,
				 1024), 1021);
	/* Inconsistent indexes. */
	CHECK_EQ(sdxi_ring_space(11, 10, 10, 1024), (unsigned long long)-EIO);
	CHECK_EQ(sdxi_ring_space(0, 11, 10, 1024), (unsigned long long)-EIO);
	CHECK_EQ(sdxi_ring_space(0, 0, 1025, 1024), (unsigned long long)-EIO);
}

/*
 * What a user context's owner sees of error records: its own records whole
 * (but no function-address-space address), anything else (a function error,
 * another context's record) without index, buffer or address.
 */
static void t_err_rec_to_user(void)
{
	const struct sdxi_err_rec admin_fault = {
		.step = 7, .sub_step = 1, .re = 2, .cv = true, .cxt = 0,
		.div = true, .dsc_index = 7, .reason = 13,
		.addr = 0x12345000ULL,
	};
	const struct sdxi_err_rec own_data = {
		.step = 10, .sub_step = 1, .re = 1, .cv = true, .cxt = 5,
		.div = true, .dsc_index = 3, .bv = true, .buf = 1,
		.reason = 13, .addr = 0x7f0000001000ULL,
	};
	struct sdxi_err_rec r;
	struct sdxi_error_record u;

	poison(&u, sizeof(u));
	sdxi_err_rec_to_user(&admin_fault, 5, &u);
	CHECK_EQ(u.addr, 0);
	CHECK_EQ(u.dsc_index, 0);
	CHECK_EQ(u.flags, 0);
	CHECK_EQ(u.buf, 0);
	CHECK_EQ(u.step, 7);
	CHECK_EQ(u.sub_step, 1);
	CHECK_EQ(u.reaction, 2);
	CHECK_EQ(u.reason, 13);
	CHECK(zero_bits(u.__reserved, 63, 0));

	/* The admin context's owner is not a user context: 0 is no match. */
	r = admin_fault;
	r.cv = false;
	poison(&u, sizeof(u));
	sdxi_err_rec_to_user(&r, 0, &u);
	CHECK_EQ(u.addr, 0);
	CHECK_EQ(u.dsc_index, 0);

	poison(&u, sizeof(u));
	sdxi_err_rec_to_user(&own_data, 5, &u);
	CHECK_EQ(u.addr, 0x7f0000001000ULL);
	CHECK_EQ(u.dsc_index, 3);
	CHECK_EQ(u.buf, 1);
	CHECK_EQ(u.flags, SDXI_ERR_F_DIV | SDXI_ERR_F_BV);
	CHECK_EQ(u.step, 10);
	CHECK_EQ(u.reaction, 1);

	/* The same record reported to another context says nothing of it. */
	poison(&u, sizeof(u));
	sdxi_err_rec_to_user(&own_data, 6, &u);
	CHECK_EQ(u.addr, 0);
	CHECK_EQ(u.dsc_index, 0);
	CHECK_EQ(u.flags, 0);

	/* Own record, kernel structure: the step, not the address. */
	r = own_data;
	r.step = 11;
	r.addr = 0xfee00000ULL;
	poison(&u, sizeof(u));
	sdxi_err_rec_to_user(&r, 5, &u);
	CHECK_EQ(u.addr, 0);
	CHECK_EQ(u.step, 11);
	CHECK_EQ(u.dsc_index, 3);
}

struct sdxi_unit_case {
	const char *name;
	void (*fn)(void);
};

static const struct sdxi_unit_case sdxi_unit_cases[] = {
	{ "descriptor_nop", t_nop },
	{ "descriptor_copy", t_copy },
	{ "descriptor_copy_size_minus_one", t_copy_sizes },
	{ "descriptor_copy_invalid_untouched", t_copy_invalid },
	{ "descriptor_csb", t_csb },
	{ "descriptor_fence", t_fence },
	{ "descriptor_intr", t_intr },
	{ "descriptor_cxt_start", t_cxt_start },
	{ "descriptor_cxt_stop", t_cxt_stop },
	{ "descriptor_sync", t_sync },
	{ "descriptor_cxt_upd", t_cxt_upd },
	{ "descriptor_fn_upd_adm_intr", t_fn_upd_adm_intr },
	{ "descriptor_admin_invalid_untouched", t_admin_invalid },
	{ "struct_l2_ent", t_l2_ent },
	{ "struct_l1_ent", t_l1_ent },
	{ "struct_l1_ent_invalid_untouched", t_l1_ent_invalid },
	{ "struct_akey_sz_log2", t_akey_sz },
	{ "struct_cxt_ctl", t_cxt_ctl },
	{ "struct_cxt_ctl_invalid_untouched", t_cxt_ctl_invalid },
	{ "struct_akey", t_akey },
	{ "errlog_decode", t_errlog_decode },
	{ "errlog_record_for_user", t_err_rec_to_user },
	{ "state_and_step_names", t_names },
	{ "cxt_id_l2_l1_math", t_cxt_id },
	{ "ring_slot_modulo", t_ring_slot },
	{ "ring_entries_bounds", t_ring_entries },
	{ "ring_space", t_ring_space },
};

#endif /* _SDXI_UNIT_CASES_H */
