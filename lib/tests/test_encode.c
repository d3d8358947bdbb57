// SPDX-License-Identifier: MIT
/*
 * Descriptor encoders, decoded independently of <linux/sdxi_hw.h>: every
 * field is read back at the literal absolute bit positions of
 * Documentation/hardware.rst ("Descriptors", "Bit layouts")
 * (word 0: vl 0, se 1, fe 2, ch 3, csr 4, rb 5, subtype 15:8, type 26:16;
 * np bit 448, CST_BLK address bits 511:453 in place), never with the
 * header's masks, so a wrong mask cannot pass both sides.  The output is
 * poisoned with 0xff before each encode, which proves every reserved bit
 * is written (as zero); failing encodes must leave it untouched.
 */
#include "helpers.h"

#define POISON(d)	memset(&(d), 0xff, sizeof(d))

static int untouched(const union sdxi_desc *d)
{
	const uint8_t *b = (const uint8_t *)d;

	for (size_t i = 0; i < sizeof(*d); i++)
		if (b[i] != 0xff)
			return 0;
	return 1;
}

/* Common header: type/subtype, every flag bit, np/CST_BLK footer. */
static void check_header(const union sdxi_desc *d, unsigned int type, unsigned int sub,
			 unsigned int se, unsigned int fe, uint64_t csb)
{
	CHECK_EQ(desc_bits(d, 0, 0), 0);	/* vl: set only when published */
	CHECK_EQ(desc_bits(d, 1, 1), se);
	CHECK_EQ(desc_bits(d, 2, 2), fe);
	CHECK_EQ(desc_bits(d, 3, 5), 0);	/* ch, csr, rb */
	CHECK_EQ(desc_bits(d, 6, 7), 0);
	CHECK_EQ(desc_bits(d, 8, 15), sub);
	CHECK_EQ(desc_bits(d, 16, 26), type);
	CHECK_EQ(desc_bits(d, 27, 31), 0);
	if (csb) {
		CHECK_EQ(desc_bits(d, 448, 448), 0);
		CHECK_EQ(desc_bits(d, 449, 452), 0);
		CHECK_EQ(desc_bits(d, 453, 511) << 5, csb);
	} else {
		CHECK_EQ(desc_bits(d, 448, 448), 1);
		CHECK_EQ(desc_bits(d, 449, 511), 0);
	}
}

TEST(encode_nop_has_type_1_subtype_1_and_zero_body)
{
	union sdxi_desc d;

	POISON(d);
	CHECK_ERR(sdxi_prep_nop(&d, NULL), 0);
	check_header(&d, 0x001, 0x01, 0, 0, 0);
	CHECK(bytes_zero(&d, 4, 56));
}

TEST(encode_copy_fields_at_spec_positions)
{
	struct sdxi_desc_attr a = { .csb = 0x123456789a40ULL, .akey0 = 0x1234, .akey1 = 0xbeef,
				    .flags = SDXI_DESC_FENCE };
	union sdxi_desc d;

	POISON(d);
	CHECK_ERR(sdxi_prep_copy(&d, &a, 0x7000deadbeefULL, 0x1000cafe0000ULL, 4096), 0);
	check_header(&d, 0x001, 0x03, 0, 1, 0x123456789a40ULL);
	CHECK_EQ(desc_bits(&d, 32, 63), 4095);			/* size = len - 1 */
	CHECK_EQ(desc_bits(&d, 64, 71), 0);			/* attr */
	CHECK_EQ(desc_bits(&d, 72, 95), 0);
	CHECK_EQ(desc_bits(&d, 96, 111), 0x1234);		/* akey0 */
	CHECK_EQ(desc_bits(&d, 112, 127), 0xbeef);		/* akey1 */
	CHECK_EQ(desc_bits(&d, 128, 191), 0x1000cafe0000ULL);	/* addr0: source */
	CHECK_EQ(desc_bits(&d, 192, 255), 0x7000deadbeefULL);	/* addr1: destination */
	CHECK(bytes_zero(&d, 32, 56));
}

TEST(encode_copy_one_byte_and_4_gib)
{
	union sdxi_desc d;

	POISON(d);
	CHECK_ERR(sdxi_prep_copy(&d, NULL, 0x2000, 0x1000, 1), 0);
	CHECK_EQ(desc_bits(&d, 32, 63), 0);
	POISON(d);
	CHECK_ERR(sdxi_prep_copy(&d, NULL, 1ULL << 40, 0, 1ULL << 32), 0);
	CHECK_EQ(desc_bits(&d, 32, 63), 0xffffffffULL);
}

TEST(encode_flags_sequential_and_fence)
{
	struct sdxi_desc_attr a = { .flags = SDXI_DESC_SEQ };
	union sdxi_desc d;

	POISON(d);
	CHECK_ERR(sdxi_prep_nop(&d, &a), 0);
	check_header(&d, 1, 1, 1, 0, 0);
	a.flags = SDXI_DESC_SEQ | SDXI_DESC_FENCE;
	POISON(d);
	CHECK_ERR(sdxi_prep_copy(&d, &a, 0x2000, 0x1000, 8), 0);
	check_header(&d, 1, 3, 1, 1, 0);
}

TEST(encode_write_imm_layout)
{
	struct sdxi_desc_attr a = { .akey1 = 0x0102 };
	uint8_t data[32];
	union sdxi_desc d;

	for (int i = 0; i < 32; i++)
		data[i] = (uint8_t)(0xa0 + i);
	POISON(d);
	CHECK_ERR(sdxi_prep_write_imm(&d, &a, 0x5000, data, 5), 0);
	check_header(&d, 0x001, 0x02, 0, 0, 0);
	CHECK_EQ(desc_bits(&d, 32, 63), 4);		/* size: bytes 4-7 */
	CHECK_EQ(desc_bits(&d, 64, 71), 0);		/* attr: byte 8 */
	CHECK_EQ(desc_bits(&d, 72, 111), 0);		/* bytes 9-13 reserved */
	CHECK_EQ(desc_bits(&d, 112, 127), 0x0102);	/* akey1: bytes 14-15 */
	CHECK_EQ(desc_bits(&d, 128, 191), 0x5000);	/* addr1: bytes 16-23 */
	for (int i = 0; i < 5; i++)			/* data: bytes 24.. */
		CHECK_EQ(desc_bits(&d, (24u + (unsigned)i) * 8, (24u + (unsigned)i) * 8 + 7),
			 0xa0 + i);
	CHECK(bytes_zero(&d, 29, 56));			/* past the length */
	POISON(d);
	CHECK_ERR(sdxi_prep_write_imm(&d, NULL, 0x5000, data, 32), 0);
	CHECK_EQ(desc_bits(&d, 32, 63), 31);
	CHECK_EQ(desc_bits(&d, 55 * 8, 55 * 8 + 7), 0xa0 + 31);
}

TEST(encode_repcopy_layout)
{
	struct sdxi_desc_attr a = { .akey0 = 3, .akey1 = 4 };
	union sdxi_desc d;

	POISON(d);
	CHECK_ERR(sdxi_prep_repcopy(&d, &a, 0x100000, 0x2000, 64, 1000), 0);
	check_header(&d, 0x001, 0x04, 0, 0, 0);
	CHECK_EQ(desc_bits(&d, 32, 63), 63);		/* block size - 1 */
	CHECK_EQ(desc_bits(&d, 64, 95), 0);		/* attr + reserved */
	CHECK_EQ(desc_bits(&d, 96, 111), 3);		/* akey0 */
	CHECK_EQ(desc_bits(&d, 112, 127), 4);		/* akey1 */
	CHECK_EQ(desc_bits(&d, 128, 191), 0x2000);	/* addr0: source block */
	CHECK_EQ(desc_bits(&d, 192, 255), 0x100000);	/* addr1: first destination */
	CHECK_EQ(desc_bits(&d, 256, 287), 999);		/* count: bytes 32-35 */
	CHECK(bytes_zero(&d, 36, 56));
}

TEST(encode_intr_layout)
{
	struct sdxi_desc_attr a = { .csb = 0x4000, .flags = SDXI_DESC_FENCE };
	union sdxi_desc d;

	POISON(d);
	CHECK_ERR(sdxi_prep_intr(&d, &a, 0x0777), 0);
	check_header(&d, 0x004, 0x00, 0, 1, 0x4000);
	CHECK(bytes_zero(&d, 4, 12));
	CHECK_EQ(desc_bits(&d, 96, 111), 0x0777);	/* akey: bytes 12-13 */
	CHECK(bytes_zero(&d, 14, 56));
}

/* Every atomic subtype of hardware.rst with the one atomic layout. */
TEST(encode_atomic_every_subtype)
{
	static const unsigned int ops[] = { 0x01, 0x02, 0x03, 0x05, 0x06, 0x07, 0x08, 0x09,
					    0x0a, 0x0b, 0x0c, 0x0d, 0x0e };
	struct sdxi_desc_attr a = { .akey0 = 7, .akey1 = 9 };

	for (unsigned int k = 0; k < sizeof(ops) / sizeof(ops[0]); k++) {
		unsigned int op = ops[k];
		int op2 = op == 0x0c || op == 0x0d || op == 0x0e;
		union sdxi_desc d;

		POISON(d);
		CHECK_ERR(sdxi_prep_atomic(&d, &a, op, 8, 0x10008, 0x20010, 0x1122334455667788ULL,
					   op2 ? 0x99 : 0), 0);
		check_header(&d, 0x003, op, 0, 0, 0);
		CHECK_EQ(desc_bits(&d, 32, 33), 3);		/* sz: 8 bytes */
		CHECK_EQ(desc_bits(&d, 34, 34), 1);		/* rv */
		CHECK_EQ(desc_bits(&d, 35, 95), 0);
		CHECK_EQ(desc_bits(&d, 96, 111), 7);		/* akey0: target */
		CHECK_EQ(desc_bits(&d, 112, 127), 9);		/* akey1: return */
		CHECK_EQ(desc_bits(&d, 128, 191), 0x10008);	/* addr0 */
		CHECK_EQ(desc_bits(&d, 192, 255), 0x20010);	/* addr1 */
		CHECK_EQ(desc_bits(&d, 256, 319), 0x1122334455667788ULL);
		CHECK_EQ(desc_bits(&d, 320, 383), op2 ? 0x99 : 0);
		CHECK(bytes_zero(&d, 48, 56));
	}
}

TEST(encode_atomic_4_byte_without_return)
{
	struct sdxi_desc_attr a = { .akey0 = 2, .akey1 = 5 };
	union sdxi_desc d;

	POISON(d);
	CHECK_ERR(sdxi_prep_atomic(&d, &a, SDXI_DSC_ATOMIC_UADD, 4, 0x3004, 0, 0xffffffff, 0), 0);
	CHECK_EQ(desc_bits(&d, 32, 33), 2);	/* sz: 4 bytes */
	CHECK_EQ(desc_bits(&d, 34, 34), 0);	/* no rv */
	CHECK_EQ(desc_bits(&d, 112, 127), 0);	/* akey1 unused: 0 */
	CHECK_EQ(desc_bits(&d, 192, 255), 0);
	CHECK_EQ(desc_bits(&d, 256, 319), 0xffffffff);
}

/* Invalid arguments: exact errno, output untouched. */
TEST(encode_copy_invalid_arguments)
{
	struct sdxi_desc_attr a = { 0 };
	union sdxi_desc d;

	POISON(d);
	/* Zero length cannot be encoded (size is length - 1). */
	CHECK_ERR(sdxi_prep_copy(&d, NULL, 0x2000, 0x1000, 0), -EINVAL);
	/* Above the encodable 4 GiB. */
	CHECK_ERR(sdxi_prep_copy(&d, NULL, 1ULL << 40, 0, (1ULL << 32) + 1), -E2BIG);
	/* Overlapping source and destination, every shape. */
	CHECK_ERR(sdxi_prep_copy(&d, NULL, 0x1000, 0x1000, 16), -EINVAL);
	CHECK_ERR(sdxi_prep_copy(&d, NULL, 0x1008, 0x1000, 16), -EINVAL);
	CHECK_ERR(sdxi_prep_copy(&d, NULL, 0x1000, 0x1008, 16), -EINVAL);
	CHECK_ERR(sdxi_prep_copy(&d, NULL, 0x1004, 0x1000, 64), -EINVAL);
	/* Ranges that wrap the address space. */
	CHECK_ERR(sdxi_prep_copy(&d, NULL, 0x1000, UINT64_MAX - 4, 16), -EINVAL);
	CHECK_ERR(sdxi_prep_copy(&d, NULL, UINT64_MAX - 4, 0x1000, 16), -EINVAL);
	/* Misaligned CST_BLK (32-byte alignment). */
	a.csb = 0x4008;
	CHECK_ERR(sdxi_prep_copy(&d, &a, 0x2000, 0x1000, 16), -EINVAL);
	a.csb = 0x4001;
	CHECK_ERR(sdxi_prep_copy(&d, &a, 0x2000, 0x1000, 16), -EINVAL);
	/* CST_BLK overlapping the source or destination. */
	a.csb = 0x1000;
	CHECK_ERR(sdxi_prep_copy(&d, &a, 0x2000, 0x1000, 16), -EINVAL);
	a.csb = 0x2020;
	CHECK_ERR(sdxi_prep_copy(&d, &a, 0x2000, 0x1000, 64), -EINVAL);
	/* Unknown flags, including batch-only ones. */
	a = (struct sdxi_desc_attr){ .flags = SDXI_DESC_NO_CSB };
	CHECK_ERR(sdxi_prep_copy(&d, &a, 0x2000, 0x1000, 16), -EINVAL);
	a.flags = 1u << 20;
	CHECK_ERR(sdxi_prep_copy(&d, &a, 0x2000, 0x1000, 16), -EINVAL);
	a.flags = SDXI_DSC_VL;
	CHECK_ERR(sdxi_prep_copy(&d, &a, 0x2000, 0x1000, 16), -EINVAL);
	CHECK(untouched(&d));
}

TEST(encode_copy_overlap_allowed_across_akeys)
{
	struct sdxi_desc_attr a = { .akey0 = 1, .akey1 = 2 };
	union sdxi_desc d;

	/* Different AKeys may be different address spaces. */
	CHECK_ERR(sdxi_prep_copy(&d, &a, 0x1000, 0x1000, 16), 0);
}

TEST(encode_write_imm_invalid_arguments)
{
	struct sdxi_desc_attr a = { .csb = 0x5010 };
	uint8_t data[40] = { 0 };
	union sdxi_desc d;

	POISON(d);
	CHECK_ERR(sdxi_prep_write_imm(&d, NULL, 0x5000, data, 0), -EINVAL);
	CHECK_ERR(sdxi_prep_write_imm(&d, NULL, 0x5000, data, 33), -E2BIG);
	CHECK_ERR(sdxi_prep_write_imm(&d, NULL, UINT64_MAX - 2, data, 8), -EINVAL);
	CHECK_ERR(sdxi_prep_write_imm(&d, &a, 0x5000, data, 8), -EINVAL);	/* misaligned */
	a.csb = 0x5000;
	CHECK_ERR(sdxi_prep_write_imm(&d, &a, 0x5010, data, 8), -EINVAL);	/* overlap */
	CHECK(untouched(&d));
}

TEST(encode_repcopy_invalid_arguments)
{
	union sdxi_desc d;

	POISON(d);
	CHECK_ERR(sdxi_prep_repcopy(&d, NULL, 0x100000, 0x2000, 0, 4), -EINVAL);
	CHECK_ERR(sdxi_prep_repcopy(&d, NULL, 0x100000, 0x2000, 64, 0), -EINVAL);
	/* The whole destination must fit 4 GiB. */
	CHECK_ERR(sdxi_prep_repcopy(&d, NULL, 1ULL << 40, 0x2000, 4096, (1ULL << 20) + 1), -E2BIG);
	CHECK_ERR(sdxi_prep_repcopy(&d, NULL, 1ULL << 40, 0x2000, (1ULL << 32) + 1, 1), -E2BIG);
	/* The source block inside the destination. */
	CHECK_ERR(sdxi_prep_repcopy(&d, NULL, 0x100000, 0x100000 + 64 * 5, 64, 10), -EINVAL);
	CHECK(untouched(&d));
	/* Exactly 4 GiB is fine. */
	CHECK_ERR(sdxi_prep_repcopy(&d, NULL, 1ULL << 40, 0x2000, 4096, 1ULL << 20), 0);
}

TEST(encode_atomic_invalid_arguments)
{
	struct sdxi_desc_attr a = { 0 };
	union sdxi_desc d;

	POISON(d);
	/* Subtype 0x00, the undefined 0x04, and past CMPSWAP. */
	CHECK_ERR(sdxi_prep_atomic(&d, NULL, 0x00, 8, 0x1000, 0, 1, 0), -EINVAL);
	CHECK_ERR(sdxi_prep_atomic(&d, NULL, 0x04, 8, 0x1000, 0, 1, 0), -EINVAL);
	CHECK_ERR(sdxi_prep_atomic(&d, NULL, 0x0f, 8, 0x1000, 0, 1, 0), -EINVAL);
	/* Operand size 4 or 8 only. */
	CHECK_ERR(sdxi_prep_atomic(&d, NULL, SDXI_DSC_ATOMIC_SWAP, 2, 0x1000, 0, 1, 0), -EINVAL);
	CHECK_ERR(sdxi_prep_atomic(&d, NULL, SDXI_DSC_ATOMIC_SWAP, 16, 0x1000, 0, 1, 0), -EINVAL);
	/* Natural alignment of target and return address. */
	CHECK_ERR(sdxi_prep_atomic(&d, NULL, SDXI_DSC_ATOMIC_SWAP, 8, 0x1004, 0, 1, 0), -EINVAL);
	CHECK_ERR(sdxi_prep_atomic(&d, NULL, SDXI_DSC_ATOMIC_SWAP, 4, 0x1002, 0, 1, 0), -EINVAL);
	CHECK_ERR(sdxi_prep_atomic(&d, NULL, SDXI_DSC_ATOMIC_SWAP, 8, 0x1000, 0x2004, 1, 0), -EINVAL);
	/* Operands wider than the operand size. */
	CHECK_ERR(sdxi_prep_atomic(&d, NULL, SDXI_DSC_ATOMIC_UADD, 4, 0x1000, 0, 1ULL << 32, 0),
		  -EINVAL);
	CHECK_ERR(sdxi_prep_atomic(&d, NULL, SDXI_DSC_ATOMIC_CMPSWAP, 4, 0x1000, 0, 1,
				   1ULL << 32), -EINVAL);
	/* operand2 only for UCLAMPI, UCLAMPD, CMPSWAP. */
	CHECK_ERR(sdxi_prep_atomic(&d, NULL, SDXI_DSC_ATOMIC_UADD, 8, 0x1000, 0, 1, 5), -EINVAL);
	/* Target and return data overlapping. */
	CHECK_ERR(sdxi_prep_atomic(&d, NULL, SDXI_DSC_ATOMIC_SWAP, 8, 0x1000, 0x1000, 1, 0),
		  -EINVAL);
	/* CST_BLK misaligned or on the target. */
	a.csb = 0x3010;
	CHECK_ERR(sdxi_prep_atomic(&d, &a, SDXI_DSC_ATOMIC_SWAP, 8, 0x1000, 0, 1, 0), -EINVAL);
	a.csb = 0x1000;
	CHECK_ERR(sdxi_prep_atomic(&d, &a, SDXI_DSC_ATOMIC_SWAP, 8, 0x1000, 0, 1, 0), -EINVAL);
	CHECK(untouched(&d));
}

TEST(encode_nop_and_intr_invalid_arguments)
{
	struct sdxi_desc_attr a = { .csb = 0x10 };
	union sdxi_desc d;

	POISON(d);
	CHECK_ERR(sdxi_prep_nop(&d, &a), -EINVAL);
	CHECK_ERR(sdxi_prep_intr(&d, &a, 1), -EINVAL);
	a = (struct sdxi_desc_attr){ .flags = SDXI_DESC_INTR };
	CHECK_ERR(sdxi_prep_nop(&d, &a), -EINVAL);
	CHECK(untouched(&d));
}
