// SPDX-License-Identifier: MIT
/* Operations, completion, ring protocol and address spaces. */
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "tap.h"

static const struct sdxie_as FN = { 0 };

/* A function with client context 1 (ring of @ring entries) running. */
static void setup(struct fx *fx, uint32_t ring)
{
	fx_init(fx, NULL);
	if (fx_cxt_new(fx, 1, ring, FN) != 0)
		abort();
}

static void fill(uint8_t *p, uint64_t len, unsigned int seed)
{
	for (uint64_t i = 0; i < len; i++)
		p[i] = (uint8_t)(i * 131 + seed);
}

TEST(nop_completes_with_csb_and_read_index)
{
	struct fx fx;
	uint64_t i;

	setup(&fx, 1024);
	i = fx_submit(&fx, 1, &(union sdxi_desc){ .generic = d_nop().generic }, true);
	CHECK_EQ(fx_csb(&fx, 1, i), -1);	/* nothing runs before sdxie_run */
	fx_run(&fx);
	CHECK_EQ(fx_csb(&fx, 1, i), 0);
	CHECK_EQ(fx_r(&fx, 1), 1);
	CHECK_EQ(fx_state(&fx, 1), SDXI_CXTV_RUN);
	fx_fini(&fx);
}

TEST(copy_moves_exact_bytes_at_many_sizes)
{
	static const uint64_t sizes[] = { 1, 2, 63, 64, 4095, 4096, 4097, 65536, 1 << 20 };
	struct fx fx;

	setup(&fx, 1024);
	fx.map_chunk = 4096;	/* like an IOMMU: one page per mapping */
	for (unsigned int k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		uint64_t n = sizes[k];
		uint64_t src = fx_alloc(&fx, FN, n + 64, 64) + 7;
		uint64_t dst = fx_alloc(&fx, FN, n + 64, 64) + 3;
		uint8_t *s = fx_ptr(&fx, FN, src), *d = fx_ptr(&fx, FN, dst);
		union sdxi_desc c = d_copy(src, dst, n);
		uint64_t i;

		fill(s, n, k);
		memset(d - 3, 0xee, n + 64);
		i = fx_submit(&fx, 1, &c, true);
		fx_run(&fx);
		CHECK_EQ(fx_csb(&fx, 1, i), 0);
		CHECK(!memcmp(s, d, n));
		CHECK_EQ(d[n], 0xee);		/* not one byte more */
		CHECK_EQ(d[-1], 0xee);
	}
	fx_fini(&fx);
}

TEST(copy_through_bounce_path_without_map)
{
	struct fx fx;
	uint64_t n = 200000, src, dst, i;
	union sdxi_desc c;

	setup(&fx, 1024);
	fx.no_map = true;
	src = fx_alloc(&fx, FN, n, 64);
	dst = fx_alloc(&fx, FN, n, 64);
	fill(fx_ptr(&fx, FN, src), n, 3);
	c = d_copy(src, dst, n);
	i = fx_submit(&fx, 1, &c, true);
	fx_run(&fx);
	CHECK_EQ(fx_csb(&fx, 1, i), 0);
	CHECK(!memcmp(fx_ptr(&fx, FN, src), fx_ptr(&fx, FN, dst), n));
	fx_fini(&fx);
}

TEST(copy_size_field_zero_is_one_byte)
{
	struct fx fx;
	uint64_t src, dst;
	union sdxi_desc c;

	/* Length 0 cannot be encoded (size = length - 1); size 0 is 1 byte. */
	setup(&fx, 1024);
	src = fx_alloc(&fx, FN, 64, 64);
	dst = fx_alloc(&fx, FN, 64, 64);
	memset(fx_ptr(&fx, FN, src), 0x5a, 2);
	c = d_copy(src, dst, 1);
	CHECK_EQ(c.copy.size, 0);
	fx_submit(&fx, 1, &c, true);
	fx_run(&fx);
	CHECK_EQ(((uint8_t *)fx_ptr(&fx, FN, dst))[0], 0x5a);
	CHECK_EQ(((uint8_t *)fx_ptr(&fx, FN, dst))[1], 0);
	fx_fini(&fx);
}

TEST(wrt_imm_writes_1_to_32_bytes)
{
	struct fx fx;
	uint8_t data[32];

	setup(&fx, 1024);
	fill(data, 32, 9);
	for (unsigned int n = 1; n <= 32; n++) {
		uint64_t dst = fx_alloc(&fx, FN, 64, 64);
		uint8_t *d = fx_ptr(&fx, FN, dst);
		union sdxi_desc w = d_wrt_imm(dst, data, n);
		uint64_t i;

		memset(d, 0xee, 64);
		i = fx_submit(&fx, 1, &w, true);
		fx_run(&fx);
		CHECK_EQ(fx_csb(&fx, 1, i), 0);
		CHECK(!memcmp(d, data, n));
		CHECK_EQ(d[n], 0xee);
	}
	fx_fini(&fx);
}

TEST(repcopy_replicates_block)
{
	struct fx fx;
	uint64_t src, dst, i;
	uint8_t *d;
	union sdxi_desc r;

	setup(&fx, 1024);
	src = fx_alloc(&fx, FN, 4096, 64);
	dst = fx_alloc(&fx, FN, 4096 * 9, 64);
	fill(fx_ptr(&fx, FN, src), 4096, 5);
	d = fx_ptr(&fx, FN, dst);
	memset(d, 0xee, 4096 * 9);
	r = d_repcopy(src, dst, 4096, 8);
	i = fx_submit(&fx, 1, &r, true);
	fx_run(&fx);
	CHECK_EQ(fx_csb(&fx, 1, i), 0);
	for (int k = 0; k < 8; k++)
		CHECK(!memcmp(d + k * 4096, fx_ptr(&fx, FN, src), 4096));
	CHECK_EQ(d[8 * 4096], 0xee);
	/* An 8-byte pattern fills a buffer (the library's fill). */
	r = d_repcopy(src, dst, 8, 1000);
	fx_submit(&fx, 1, &r, true);
	fx_run(&fx);
	CHECK(!memcmp(d + 8 * 999, fx_ptr(&fx, FN, src), 8));
	fx_fini(&fx);
}

struct atomic_case {
	unsigned int subtype, size;
	uint64_t old, op1, op2, want;
};

TEST(each_atomic_computes_and_returns_old_value)
{
	static const struct atomic_case cases[] = {
		{ SDXI_DSC_ATOMIC_SWAP, 8, 5, 9, 0, 9 },
		{ SDXI_DSC_ATOMIC_UADD, 8, ~0ULL, 2, 0, 1 },
		{ SDXI_DSC_ATOMIC_UADD, 4, 0xffffffff, 2, 0, 1 },
		{ SDXI_DSC_ATOMIC_USUB, 4, 1, 2, 0, 0xffffffff },
		{ SDXI_DSC_ATOMIC_AND, 8, 0xf0f0, 0xff00, 0, 0xf000 },
		{ SDXI_DSC_ATOMIC_OR, 8, 0xf0f0, 0x0f00, 0, 0xfff0 },
		{ SDXI_DSC_ATOMIC_XOR, 8, 0xff, 0x0f, 0, 0xf0 },
		{ SDXI_DSC_ATOMIC_SMIN, 4, 5, 0xfffffffe, 0, 0xfffffffe },
		{ SDXI_DSC_ATOMIC_SMAX, 4, 5, 0xfffffffe, 0, 5 },
		{ SDXI_DSC_ATOMIC_SMIN, 8, 5, 3, 0, 3 },
		{ SDXI_DSC_ATOMIC_UMIN, 4, 5, 0xfffffffe, 0, 5 },
		{ SDXI_DSC_ATOMIC_UMAX, 4, 5, 0xfffffffe, 0, 0xfffffffe },
		{ SDXI_DSC_ATOMIC_UCLAMPI, 8, 10, 5, 12, 12 },
		{ SDXI_DSC_ATOMIC_UCLAMPI, 8, 10, 1, 12, 11 },
		{ SDXI_DSC_ATOMIC_UCLAMPI, 4, 0xfffffff0, 0x20, 0xffffffff, 0xffffffff },
		{ SDXI_DSC_ATOMIC_UCLAMPD, 8, 10, 5, 6, 6 },
		{ SDXI_DSC_ATOMIC_UCLAMPD, 8, 10, 3, 6, 7 },
		{ SDXI_DSC_ATOMIC_UCLAMPD, 8, 2, 3, 0, 0 },
		{ SDXI_DSC_ATOMIC_CMPSWAP, 8, 7, 9, 7, 9 },
		{ SDXI_DSC_ATOMIC_CMPSWAP, 8, 7, 9, 8, 7 },
	};
	struct fx fx;

	setup(&fx, 1024);
	for (unsigned int k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		const struct atomic_case *t = &cases[k];
		uint64_t tgt = fx_alloc(&fx, FN, 16, 16), ret = fx_alloc(&fx, FN, 16, 16);
		uint64_t got = 0, back = 0, i;
		union sdxi_desc a = d_atomic(t->subtype, t->size, tgt, ret, t->op1, t->op2);

		memcpy(fx_ptr(&fx, FN, tgt), &t->old, t->size);
		memset(fx_ptr(&fx, FN, ret), 0xee, 16);
		i = fx_submit(&fx, 1, &a, true);
		fx_run(&fx);
		CHECK_EQ(fx_csb(&fx, 1, i), 0);
		memcpy(&got, fx_ptr(&fx, FN, tgt), t->size);
		memcpy(&back, fx_ptr(&fx, FN, ret), t->size);
		if (got != t->want || back != t->old)
			printf("# case %u: subtype %u got 0x%llx ret 0x%llx\n", k, t->subtype,
			       (unsigned long long)got, (unsigned long long)back);
		CHECK_EQ(got, t->want);
		CHECK_EQ(back, t->old);
		CHECK_EQ(((uint8_t *)fx_ptr(&fx, FN, tgt))[t->size], 0);	/* width kept */
		CHECK_EQ(((uint8_t *)fx_ptr(&fx, FN, ret))[t->size], 0xee);
	}
	fx_fini(&fx);
}

TEST(atomic_without_return_data)
{
	struct fx fx;
	uint64_t tgt, v = 40;
	union sdxi_desc a;

	setup(&fx, 1024);
	fx.map_chunk = 0;
	tgt = fx_alloc(&fx, FN, 8, 8);
	memcpy(fx_ptr(&fx, FN, tgt), &v, 8);
	a = d_atomic(SDXI_DSC_ATOMIC_UADD, 8, tgt, 0, 2, 0);
	fx.no_map = true;	/* read-modify-write fallback */
	fx_submit(&fx, 1, &a, true);
	fx.no_map = false;
	fx_submit(&fx, 1, &a, true);
	fx_run(&fx);
	memcpy(&v, fx_ptr(&fx, FN, tgt), 8);
	CHECK_EQ(v, 44);
	fx_fini(&fx);
}

TEST(interrupt_descriptor_raises_akey_vector)
{
	struct fx fx;
	uint64_t i;

	setup(&fx, 1024);
	i = fx_submit(&fx, 1, &(union sdxi_desc){ .intr = d_intr(1).intr }, true);
	fx_run(&fx);
	CHECK_EQ(fx_csb(&fx, 1, i), 0);
	CHECK_EQ(fx.irq[2], 1);		/* AKey 1 of context 1 -> vector 2 */
	/* Raised after the descriptor retired: the woken side sees it done. */
	CHECK_EQ(fx.irq_r[2], i + 1);
	fx_fini(&fx);
}

TEST(ring_wraps_three_times_with_exact_read_index)
{
	struct fx fx;
	uint32_t n = 1024;

	setup(&fx, n);
	for (uint32_t k = 0; k < 3 * n + 5; k++) {
		uint64_t i = fx_submit(&fx, 1, &(union sdxi_desc){ .generic = d_nop().generic },
				       true);

		if (k % 7 == 0 || k == 3 * n + 4) {
			fx_run(&fx);
			CHECK_EQ(fx_csb(&fx, 1, i), 0);
			CHECK_EQ(fx_r(&fx, 1), i + 1);
		}
	}
	CHECK_EQ(fx_state(&fx, 1), SDXI_CXTV_RUN);
	fx_fini(&fx);
}

TEST(ring_of_odd_size_wraps)
{
	struct fx fx;
	uint64_t src, dst, i = 0;
	union sdxi_desc c;

	setup(&fx, 1000 + 24 + 13);	/* 1037: not a power of two */
	src = fx_alloc(&fx, FN, 64, 64);
	dst = fx_alloc(&fx, FN, 64, 64);
	for (uint32_t k = 0; k < 3 * 1037; k++) {
		uint64_t v = k;

		memcpy(fx_ptr(&fx, FN, src), &v, 8);
		c = d_copy(src, dst, 8);
		i = fx_submit(&fx, 1, &c, true);
		fx_run(&fx);
		CHECK_EQ(fx_rd64(&fx, FN, dst), k);
	}
	CHECK_EQ(fx_csb(&fx, 1, i), 0);
	CHECK_EQ(fx_r(&fx, 1), 3 * 1037);
	fx_fini(&fx);
}

TEST(write_index_ahead_of_valid_slot_waits_for_doorbell)
{
	struct fx fx;
	union sdxi_desc hole = d_nop();
	uint64_t a, b;

	setup(&fx, 1024);
	fx_submit(&fx, 1, &(union sdxi_desc){ .generic = d_nop().generic }, true);
	hole.generic.opcode &= ~SDXI_DSC_VL;
	a = fx_put(&fx, 1, &hole, true);	/* reserved, not yet valid */
	b = fx_submit(&fx, 1, &(union sdxi_desc){ .generic = d_nop().generic }, true);
	fx_run(&fx);
	CHECK_EQ(fx_r(&fx, 1), a);		/* stopped at the invalid slot */
	CHECK_EQ(fx_csb(&fx, 1, b), -1);
	/* The producer fills the slot (vl last) and rings again. */
	hole.generic.opcode |= SDXI_DSC_VL;
	{
		struct fx_cxt *c = &fx.cxt[1];
		union sdxi_desc *slot = fx_ptr(&fx, c->as, c->ring + (a % c->ring_sz) * 64);

		slot->generic.opcode = hole.generic.opcode;
	}
	fx_doorbell(&fx, 1);
	fx_run(&fx);
	CHECK_EQ(fx_r(&fx, 1), b + 1);
	CHECK_EQ(fx_csb(&fx, 1, a), 0);
	CHECK_EQ(fx_csb(&fx, 1, b), 0);
	fx_fini(&fx);
}

TEST(in_order_execution_satisfies_fence)
{
	struct fx fx;
	uint64_t a, b, c;
	union sdxi_desc x, y;

	/* COPY a->b then, fenced, COPY b->c in the same batch: c == a. */
	setup(&fx, 1024);
	a = fx_alloc(&fx, FN, 4096, 64);
	b = fx_alloc(&fx, FN, 4096, 64);
	c = fx_alloc(&fx, FN, 4096, 64);
	fill(fx_ptr(&fx, FN, a), 4096, 1);
	x = d_copy(a, b, 4096);
	y = d_copy(b, c, 4096);
	y.generic.opcode |= SDXI_DSC_FE;
	fx_put(&fx, 1, &x, false);
	fx_submit(&fx, 1, &y, true);
	fx_run(&fx);
	CHECK(!memcmp(fx_ptr(&fx, FN, a), fx_ptr(&fx, FN, c), 4096));
	fx_fini(&fx);
}

TEST(shared_csb_counts_down_across_descriptors)
{
	struct fx fx;
	uint64_t csb;
	struct sdxi_cst_blk *b;

	setup(&fx, 1024);
	csb = fx_alloc(&fx, FN, 32, 32);
	b = fx_ptr(&fx, FN, csb);
	b->signal = 3;
	for (int k = 0; k < 3; k++) {
		union sdxi_desc n = d_nop();

		n.generic.csb_ptr = csb;
		fx_put(&fx, 1, &n, false);
	}
	fx_doorbell(&fx, 1);
	fx_run(&fx);
	CHECK_EQ(b->signal, 0);
	CHECK_EQ(b->flags, 0);
	fx_fini(&fx);
}

TEST(pasid_context_uses_its_own_address_space)
{
	struct fx fx;
	struct sdxie_as p;
	uint64_t src, dst, i;
	union sdxi_desc c;

	fx_init(&fx, NULL);
	p = fx_add_pasid(&fx, 7);
	REQUIRE(fx_cxt_new(&fx, 2, 1024, p) == 0);
	src = fx_alloc(&fx, p, 4096, 64);
	dst = fx_alloc(&fx, p, 4096, 64);
	fill(fx_ptr(&fx, p, src), 4096, 2);
	c = d_copy(src, dst, 4096);
	i = fx_submit(&fx, 2, &c, true);
	fx_run(&fx);
	CHECK_EQ(fx_csb(&fx, 2, i), 0);
	CHECK(!memcmp(fx_ptr(&fx, p, src), fx_ptr(&fx, p, dst), 4096));
	/* The same addresses mean nothing in the function space. */
	CHECK(!fx_ptr(&fx, FN, src));
	fx_fini(&fx);
}

TEST(akey_pasid_selects_data_space)
{
	struct fx fx;
	struct sdxie_as p;
	uint64_t src, dst, i;
	union sdxi_desc c;
	struct sdxi_akey_ent *k;

	/* Kernel-style context (function space) copying out of PASID 3 data. */
	setup(&fx, 1024);
	p = fx_add_pasid(&fx, 3);
	k = fx_akey(&fx, 1, 4);
	k->intr = SDXI_AKEY_VL | SDXI_AKEY_PV;
	k->pasid = 3;
	src = fx_alloc(&fx, p, 4096, 64);
	dst = fx_alloc(&fx, FN, 4096, 64);
	fill(fx_ptr(&fx, p, src), 4096, 4);
	c = d_copy(src, dst, 4096);
	c.copy.akey0 = 4;
	i = fx_submit(&fx, 1, &c, true);
	fx_run(&fx);
	CHECK_EQ(fx_csb(&fx, 1, i), 0);
	CHECK(!memcmp(fx_ptr(&fx, p, src), fx_ptr(&fx, FN, dst), 4096));
	fx_fini(&fx);
}

TEST(contexts_are_scheduled_fairly)
{
	struct fx fx;
	uint64_t last1 = 0, last2 = 0;

	fx_init(&fx, NULL);
	REQUIRE(fx_cxt_new(&fx, 1, 4096, FN) == 0);
	REQUIRE(fx_cxt_new(&fx, 2, 4096, FN) == 0);
	for (int k = 0; k < 3000; k++) {
		last1 = fx_put(&fx, 1, &(union sdxi_desc){ .generic = d_nop().generic }, false);
		last2 = fx_put(&fx, 2, &(union sdxi_desc){ .generic = d_nop().generic }, false);
	}
	fx_doorbell(&fx, 1);
	fx_doorbell(&fx, 2);
	/* One bounded run touches both contexts. */
	sdxie_run(fx.fn, 256);
	CHECK(fx_r(&fx, 1) > 0 && fx_r(&fx, 1) < 256);
	CHECK(fx_r(&fx, 2) > 0 && fx_r(&fx, 2) < 256);
	fx_run(&fx);
	CHECK_EQ(fx_r(&fx, 1), last1 + 1);
	CHECK_EQ(fx_r(&fx, 2), last2 + 1);
	fx_fini(&fx);
}
