// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/sdxiN functional coverage through the raw UAPI
 * (Documentation/uapi.rst, Documentation/hardware.rst "Descriptors"):
 *
 * - every operation of the hardware contract with its data checked (and
 *   the bytes around it untouched): NOP, COPY at many sizes and
 *   alignments, REPCOPY, WRT_IMM at every length, all thirteen atomics at
 *   both widths against a reference model, DSC_INTR;
 * - ring sizes from the minimum to the maximum (powers of two or not),
 *   each wrapped twice in batches with every slot's CST_BLK checked, a
 *   full ring behind one doorbell, and one descriptor too many;
 * - every completion mode: a CST_BLK per slot, one shared by a batch, one
 *   in registered memory, the read index, eventfd, poll() and read();
 * - several contexts per file, several files per process, several
 *   processes at once (sharing one atomic counter);
 * - dma-bufs (udmabuf and the system heap) as sources and targets of
 *   every data operation, at an offset and read-only.
 *
 * Every test SKIPs without an SDXI device, without permission to open it
 * or without a PASID-capable IOMMU.
 */
#include "../kselftest_harness.h"
#include "sdxi_common.h"

#define PG		SDXI_PG
#define WAIT_MS		10000

static uint32_t id_of(struct uctx *x)
{
	return x->c.out_context_id;
}

/* Submit @n descriptors behind one doorbell and wait for all of them. */
static int run(struct uctx *x, union sdxi_desc *d, unsigned int n)
{
	/*
	 * The read index says only that a descriptor was taken
	 * (hardware.rst, read-index): completion is the last descriptor's
	 * CST_BLK, its slot's own when it names none.
	 */
	if (n && !d[n - 1].generic.csb_ptr)
		uctx_use_slot_csb(x, &d[n - 1], x->w + n - 1);
	uctx_submit(x, d, n);
	return uctx_wait(x, x->w, WAIT_MS);
}

/* Bytes that depend on their position and a seed. */
static void fill_pattern(void *p, size_t n, unsigned int seed)
{
	unsigned char *b = p;
	size_t i;

	for (i = 0; i < n; i++)
		b[i] = (unsigned char)(i * 31 + seed * 17 + (i >> 8) + 1);
}

/* ---- ring sizes --------------------------------------------------------- */
#define RING_MAX	0xffffffffu

FIXTURE(ring) {
	int fd;
	struct uctx x;
	unsigned char *src, *dst;
	uint32_t n;
};

FIXTURE_VARIANT(ring) {
	uint32_t entries;	/* RING_MAX: the function's largest ring */
};

FIXTURE_VARIANT_ADD(ring, min_1024) { .entries = 1024 };
FIXTURE_VARIANT_ADD(ring, odd_1025) { .entries = 1025 };
FIXTURE_VARIANT_ADD(ring, odd_1500) { .entries = 1500 };
FIXTURE_VARIANT_ADD(ring, pow2_4096) { .entries = 4096 };
FIXTURE_VARIANT_ADD(ring, prime_10007) { .entries = 10007 };
FIXTURE_VARIANT_ADD(ring, max) { .entries = RING_MAX };

#define RING_BUF_PAGES	16

FIXTURE_SETUP(ring)
{
	struct sdxi_info info;

	OPEN_OR_SKIP(&self->fd);
	REQUIRE_ISOLATION(self->fd);
	ASSERT_EQ(0, sdxi_get_info(self->fd, &info));
	self->n = variant->entries == RING_MAX ? info.out_max_ring_entries :
		  variant->entries;
	if (self->n > info.out_max_ring_entries)
		SKIP(return, "the function's largest ring is %u entries",
		     info.out_max_ring_entries);
	ASSERT_EQ(0, uctx_create(self->fd, 0, self->n, &self->x));
	self->src = alloc_pages_filled(RING_BUF_PAGES, 0);
	self->dst = alloc_pages_filled(RING_BUF_PAGES, 0);
	ASSERT_NE(NULL, self->src);
	ASSERT_NE(NULL, self->dst);
	fill_pattern(self->src, RING_BUF_PAGES * PG, self->n);
	ASSERT_EQ(0, map_mem(self->fd, id_of(&self->x), self->src,
			     RING_BUF_PAGES * PG, SDXI_MAP_READ));
	ASSERT_EQ(0, map_mem(self->fd, id_of(&self->x), self->dst,
			     RING_BUF_PAGES * PG, SDXI_MAP_READ | SDXI_MAP_WRITE));
}

FIXTURE_TEARDOWN(ring)
{
	if (self->fd >= 0)
		close(self->fd);
}

TEST_F(ring, create_reports_the_size_and_its_regions)
{
	struct sdxi_create_context *c = &self->x.c;

	EXPECT_EQ(self->n, c->out_ring_entries);
	EXPECT_EQ((self->n * 64ULL + PG - 1) / PG * PG, c->out_ring_size);
	EXPECT_EQ((self->n * 32ULL + PG - 1) / PG * PG, c->out_csb_size);
	EXPECT_EQ(SDXI_CXTV_RUN, self->x.sts->state & SDXI_CXT_STS_STATE);
	/* The last slot and the last CST_BLK are mapped and writable. */
	self->x.ring[self->n - 1].qw[1] = 0;
	self->x.csb[self->n - 1].flags = 0;
}

/*
 * Two laps and a bit, in batches that do not divide the ring: every slot
 * carries its CST_BLK, checked after each batch; one COPY per batch moves
 * a distinct 64-byte chunk.
 */
TEST_F(ring, wraps_twice_in_batches_with_every_csb_checked)
{
	uint32_t n = self->n, b = n / 2 < 509 ? n / 2 - 1 : 509;
	uint64_t total = 2ULL * n + 13, done = 0, copies = 0, i;
	union sdxi_desc *d = calloc(b, sizeof(*d));

	ASSERT_NE(NULL, d);
	while (done < total) {
		uint32_t k = total - done < b ? total - done : b;
		uint64_t chunk = copies % (RING_BUF_PAGES * PG / 64);

		for (i = 0; i < k - 1; i++)
			dsc_nop(&d[i]);
		dsc_copy(&d[k - 1], (uintptr_t)self->src + chunk * 64,
			 (uintptr_t)self->dst + chunk * 64, 64, 0);
		for (i = 0; i < k; i++)
			uctx_use_slot_csb(&self->x, &d[i], self->x.w + i);
		ASSERT_EQ(0, run(&self->x, d, k)) TH_LOG("at %llu", (unsigned long long)done);
		for (i = 0; i < k; i++) {
			uint32_t s = (self->x.w - k + i) % n;

			ASSERT_EQ(0, self->x.csb[s].signal) TH_LOG("slot %u", s);
			ASSERT_EQ(0, self->x.csb[s].flags & SDXI_CST_BLK_ER);
		}
		done += k;
		copies++;
	}
	EXPECT_EQ(total, self->x.sts->read_index);
	EXPECT_EQ(total, *self->x.wi);
	EXPECT_EQ(0, memcmp(self->dst, self->src, (copies < 1024 ? copies : 1024) * 64));
	free(d);
}

/* W - R may be the whole ring (every slot filled behind one doorbell). */
TEST_F(ring, whole_ring_behind_one_doorbell_twice)
{
	uint32_t n = self->n, lap, i;
	union sdxi_desc *d = calloc(n, sizeof(*d));

	ASSERT_NE(NULL, d);
	for (lap = 0; lap < 2; lap++) {
		for (i = 0; i < n; i++)
			dsc_nop(&d[i]);
		dsc_copy(&d[n - 1], (uintptr_t)self->src + lap * PG,
			 (uintptr_t)self->dst + lap * PG, PG, 0);
		ASSERT_EQ(0, run(&self->x, d, n)) TH_LOG("lap %u", lap);
	}
	EXPECT_EQ(2ULL * n, self->x.sts->read_index);
	EXPECT_EQ(0, memcmp(self->dst, self->src, 2 * PG));
	free(d);
}

/* W more than a ring ahead of R: a context error on the write index. */
TEST_F(ring, write_index_past_a_whole_ring_is_an_index_error)
{
	struct sdxi_error_record rec;
	struct sdxi_context_status s;
	uint32_t i;

	for (i = 0; i < self->n; i++) {
		dsc_nop((union sdxi_desc *)&self->x.ring[i]);
		self->x.ring[i].qw[0] |= SDXI_DSC_VL;
	}
	self->x.w = self->n + 1ULL;
	__atomic_store_n(self->x.wi, self->x.w, __ATOMIC_RELEASE);
	*self->x.db = self->x.w;
	ASSERT_EQ(-EIO, uctx_wait(&self->x, self->x.w, WAIT_MS));
	ASSERT_EQ(0, ctx_status_wait_error(self->fd, id_of(&self->x), &s, &rec, 1, 2000));
	ASSERT_EQ(1, s.nr_records);
	EXPECT_EQ(SDXI_STEP_WRITE_INDEX, rec.step);
	EXPECT_EQ(SDXI_ERR_INDEX, rec.reason);
	EXPECT_EQ(SDXI_RE_CXT_STOPPED, rec.reaction);
	/* No descriptor was involved. */
	EXPECT_EQ(0, rec.flags & SDXI_ERR_F_DIV);
	EXPECT_EQ(0, s.out_read_index);
	/* A reset makes the ring usable again. */
	ASSERT_EQ(0, ctx_cmd(self->fd, SDXI_IOC_RESET_CONTEXT, id_of(&self->x)));
	self->x.w = 0;
	{
		union sdxi_desc c;

		dsc_copy(&c, (uintptr_t)self->src, (uintptr_t)self->dst, 100, 0);
		ASSERT_EQ(0, run(&self->x, &c, 1));
		EXPECT_EQ(0, memcmp(self->dst, self->src, 100));
	}
}

/* ---- every operation, data checked ---------------------------------------- */
#define OPS_PAGES	16
#define GUARD		0xee

FIXTURE(ops) {
	int fd;
	int efd;
	struct uctx x;
	unsigned char *src, *dst;
	uint64_t *atom;
};

FIXTURE_SETUP(ops)
{
	self->efd = -1;
	OPEN_OR_SKIP(&self->fd);
	REQUIRE_ISOLATION(self->fd);
	ASSERT_EQ(0, uctx_create(self->fd, SDXI_CTX_F_INTERRUPT, 0, &self->x));
	self->src = alloc_pages_filled(OPS_PAGES, 0);
	self->dst = alloc_pages_filled(OPS_PAGES, GUARD);
	self->atom = alloc_pages_filled(1, 0);
	ASSERT_NE(NULL, self->src);
	ASSERT_NE(NULL, self->dst);
	ASSERT_NE(NULL, self->atom);
	fill_pattern(self->src, OPS_PAGES * PG, 7);
	ASSERT_EQ(0, map_mem(self->fd, id_of(&self->x), self->src, OPS_PAGES * PG,
			     SDXI_MAP_READ));
	ASSERT_EQ(0, map_mem(self->fd, id_of(&self->x), self->dst, OPS_PAGES * PG,
			     SDXI_MAP_READ | SDXI_MAP_WRITE));
	ASSERT_EQ(0, map_mem(self->fd, id_of(&self->x), self->atom, PG,
			     SDXI_MAP_READ | SDXI_MAP_WRITE));
	self->efd = eventfd(0, EFD_NONBLOCK);
	ASSERT_GE(self->efd, 0);
	ASSERT_EQ(0, set_eventfd(self->fd, id_of(&self->x), self->efd));
}

FIXTURE_TEARDOWN(ops)
{
	if (self->efd >= 0)
		close(self->efd);
	if (self->fd >= 0)
		close(self->fd);
}

TEST_F(ops, nop_retires_and_writes_nothing)
{
	union sdxi_desc d[4];
	unsigned int i;

	for (i = 0; i < 4; i++)
		dsc_nop(&d[i]);
	uctx_use_slot_csb(&self->x, &d[3], self->x.w + 3);
	ASSERT_EQ(0, run(&self->x, d, 4));
	EXPECT_EQ(0, uctx_wait_csb(&self->x, 3, 0));
	EXPECT_TRUE(all_bytes(self->dst, OPS_PAGES * PG, GUARD));
}

TEST_F(ops, copy_every_size_and_alignment)
{
	static const uint32_t sizes[] = {
		1, 2, 7, 63, 64, 65, 511, 4095, 4096, 4097, 8191, 3 * 4096 + 100,
		8 * 4096, 15 * 4096 - 1,
	};
	static const uint32_t offs[] = { 0, 1, 63, 4095 };
	unsigned int i, k;
	union sdxi_desc d;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		for (k = 0; k < ARRAY_SIZE(offs); k++) {
			uint32_t so = offs[k], doff = offs[(k + 1) % 4];

			memset(self->dst, GUARD, OPS_PAGES * PG);
			dsc_copy(&d, (uintptr_t)self->src + so,
				 (uintptr_t)self->dst + doff, sizes[i], 0);
			ASSERT_EQ(0, run(&self->x, &d, 1));
			ASSERT_EQ(0, memcmp(self->dst + doff, self->src + so, sizes[i]))
				TH_LOG("size %u src+%u dst+%u", sizes[i], so, doff);
			ASSERT_TRUE(all_bytes(self->dst, doff, GUARD));
			ASSERT_TRUE(all_bytes(self->dst + doff + sizes[i],
					      OPS_PAGES * PG - doff - sizes[i], GUARD));
		}
	}
}

TEST_F(ops, repcopy_blocks_and_an_8_byte_fill)
{
	static const struct { uint32_t len, count, off; } r[] = {
		{ 8, 512, 0 },		/* a fill of one page */
		{ 100, 7, 3 },
		{ 4096, 3, 4096 },
		{ 1, 300, 17 },
		{ 64, 1, 100 },
	};
	union sdxi_desc d;
	unsigned int i, k;

	for (i = 0; i < ARRAY_SIZE(r); i++) {
		uint64_t whole = (uint64_t)r[i].len * r[i].count;

		memset(self->dst, GUARD, OPS_PAGES * PG);
		dsc_repcopy(&d, (uintptr_t)self->src + 5, (uintptr_t)self->dst + r[i].off,
			    r[i].len, r[i].count, 0);
		ASSERT_EQ(0, run(&self->x, &d, 1));
		for (k = 0; k < r[i].count; k++)
			ASSERT_EQ(0, memcmp(self->dst + r[i].off + k * r[i].len,
					    self->src + 5, r[i].len))
				TH_LOG("len %u block %u", r[i].len, k);
		ASSERT_TRUE(all_bytes(self->dst, r[i].off, GUARD));
		ASSERT_TRUE(all_bytes(self->dst + r[i].off + whole,
				      OPS_PAGES * PG - r[i].off - whole, GUARD));
	}
}

TEST_F(ops, write_imm_every_length_in_one_batch)
{
	union sdxi_desc d[SDXI_WRT_IMM_MAX];
	unsigned char data[SDXI_WRT_IMM_MAX];
	unsigned int len;

	for (len = 1; len <= SDXI_WRT_IMM_MAX; len++) {
		fill_pattern(data, sizeof(data), len);
		dsc_wrt_imm(&d[len - 1], (uintptr_t)self->dst + len * 64 + len % 8,
			    data, len, 0);
	}
	ASSERT_EQ(0, run(&self->x, d, SDXI_WRT_IMM_MAX));
	for (len = 1; len <= SDXI_WRT_IMM_MAX; len++) {
		unsigned char *p = self->dst + len * 64 + len % 8;

		fill_pattern(data, sizeof(data), len);
		EXPECT_EQ(0, memcmp(p, data, len)) TH_LOG("length %u", len);
		EXPECT_TRUE(all_bytes(p + len, 64 - len % 8 - len, GUARD));
		EXPECT_TRUE(all_bytes(self->dst + len * 64, len % 8, GUARD));
	}
}

/* Operands per op (old, operand1, operand2) including the edge cases. */
struct atomic_vec {
	uint64_t old, op1, op2;
};

static const struct atomic_vec atomic_vecs[] = {
	{ 1000, 5, 2000 },
	{ 0xfffffff0ULL, 0x20, 0xfffffff8ULL },	/* 4-byte wrap, clamp */
	{ 0x80000000ULL, 0x7fffffffULL, 0x80000000ULL },	/* signed 4-byte */
	{ 0xfffffffffffffff0ULL, 0x20, 0xfffffffffffffff8ULL },
	{ 0x8000000000000000ULL, 0x7fffffffffffffffULL, 0x8000000000000000ULL },
	{ 3, 7, 1 },				/* underflow for USUB/UCLAMPD */
	{ 42, 9, 42 },				/* CMPSWAP hit */
};

/*
 * All thirteen atomic operations at both widths with return data, each
 * against the reference model: the new target value, the old value
 * returned, and the neighbouring bytes untouched.
 */
TEST_F(ops, atomics_every_op_both_sizes_with_return_data)
{
	union sdxi_desc d;
	unsigned int i, v, size;

	for (size = 4; size <= 8; size += 4) {
		uint64_t m = size == 4 ? 0xffffffffULL : ~0ULL;

		for (i = 0; i < SDXI_NR_ATOMIC_OPS; i++) {
			uint32_t op = sdxi_atomic_ops[i];

			for (v = 0; v < ARRAY_SIZE(atomic_vecs); v++) {
				uint64_t old = atomic_vecs[v].old & m;
				uint64_t op1 = atomic_vecs[v].op1 & m;
				uint64_t op2 = atomic_uses_op2(op) ? atomic_vecs[v].op2 & m : 0;
				uint64_t want = atomic_ref(op, size, old, op1, op2);
				unsigned char *t = (unsigned char *)self->atom + 64;
				unsigned char *r = (unsigned char *)self->atom + 256;
				uint64_t got = 0, ret = 0;

				memset(self->atom, GUARD, 512);
				memcpy(t, &old, size);
				dsc_atomic(&d, op, size, (uintptr_t)t, (uintptr_t)r, op1, op2, 0);
				ASSERT_EQ(0, run(&self->x, &d, 1))
					TH_LOG("op %#x size %u vector %u", op, size, v);
				memcpy(&got, t, size);
				memcpy(&ret, r, size);
				EXPECT_EQ(want, got)
					TH_LOG("op %#x size %u old %#llx op1 %#llx op2 %#llx",
					       op, size, (unsigned long long)old,
					       (unsigned long long)op1, (unsigned long long)op2);
				EXPECT_EQ(old, ret) TH_LOG("op %#x size %u", op, size);
				EXPECT_TRUE(all_bytes(t + size, 16, GUARD));
				EXPECT_TRUE(all_bytes(t - 16, 16, GUARD));
				EXPECT_TRUE(all_bytes(r + size, 16, GUARD));
			}
		}
	}
	/* Without return data nothing but the target is written. */
	memset(self->atom, GUARD, 512);
	self->atom[8] = 10;
	dsc_atomic(&d, SDXI_DSC_ATOMIC_UADD, 8, (uintptr_t)&self->atom[8], 0, 3, 0, 0);
	ASSERT_EQ(0, run(&self->x, &d, 1));
	EXPECT_EQ(13, self->atom[8]);
	EXPECT_TRUE(all_bytes((unsigned char *)self->atom + 72, 512 - 72, GUARD));
}

/* DSC_INTR: the eventfd, poll() POLLIN and read() all see it. */
TEST_F(ops, interrupts_reach_eventfd_poll_and_read)
{
	struct pollfd p[2] = {
		{ .fd = self->efd, .events = POLLIN },
		{ .fd = self->fd, .events = POLLIN },
	};
	union sdxi_desc d[3];
	uint64_t v = 0, total = 0;
	int i;

	EXPECT_EQ(0, poll(p, 2, 0));
	dsc_copy(&d[0], (uintptr_t)self->src, (uintptr_t)self->dst, PG, 0);
	dsc_intr(&d[1], self->x.c.out_akey_intr);
	dsc_intr(&d[2], self->x.c.out_akey_intr);
	uctx_submit(&self->x, d, 3);
	ASSERT_EQ(1, poll(&p[0], 1, WAIT_MS));
	ASSERT_EQ(0, uctx_wait(&self->x, 3, WAIT_MS));
	/*
	 * Two back-to-back interrupts may arrive as one MSI (the vector is
	 * edge-triggered), so the count is at least 1 and at most 2.
	 */
	usleep(50000);
	ASSERT_EQ(8, read(self->efd, &v, 8));
	total = v;
	EXPECT_GE(total, 1);
	EXPECT_LE(total, 2);
	ASSERT_EQ(1, poll(&p[1], 1, WAIT_MS));
	EXPECT_TRUE(p[1].revents & POLLIN);
	/* read() returns the file's count and clears it. */
	ASSERT_EQ(8, read(self->fd, &v, 8));
	EXPECT_EQ(total, v);
	EXPECT_EQ(0, poll(p, 2, 0));
	EXPECT_EQ(0, memcmp(self->dst, self->src, PG));
	/* No lost wake-up: each later interrupt is seen again. */
	for (i = 0; i < 5; i++) {
		dsc_intr(&d[0], self->x.c.out_akey_intr);
		uctx_submit(&self->x, d, 1);
		ASSERT_EQ(1, poll(&p[0], 1, WAIT_MS)) TH_LOG("interrupt %d", i);
		ASSERT_EQ(8, read(self->efd, &v, 8));
		EXPECT_EQ(1, v);
		/* read() blocks until the count is non-zero. */
		ASSERT_EQ(8, read(self->fd, &v, 8));
		EXPECT_EQ(1, v);
	}
}

/* One CST_BLK armed with signal = N and named by N descriptors. */
TEST_F(ops, csb_shared_by_a_batch_counts_down)
{
	volatile struct sdxi_cst_blk *c = &self->x.csb[1000];
	union sdxi_desc d[8];
	unsigned int i;

	c->flags = 0;
	c->signal = 8;
	for (i = 0; i < 8; i++) {
		dsc_copy(&d[i], (uintptr_t)self->src + i * PG,
			 (uintptr_t)self->dst + i * PG, PG, 0);
		d[i].generic.csb_ptr = self->x.c.out_csb_iova + 32ULL * 1000;
	}
	uctx_submit(&self->x, d, 8);
	ASSERT_EQ(0, uctx_wait_csb(&self->x, 1000, WAIT_MS));
	EXPECT_EQ(8, self->x.sts->read_index);
	EXPECT_EQ(0, memcmp(self->dst, self->src, 8 * PG));
	/* A signal already at 0 stays 0 (it saturates). */
	dsc_nop(&d[0]);
	d[0].generic.csb_ptr = self->x.c.out_csb_iova + 32ULL * 1000;
	ASSERT_EQ(0, run(&self->x, d, 1));
	EXPECT_EQ(0, c->signal);
	EXPECT_EQ(0, c->flags);
}

/* A CST_BLK in the process's own registered memory. */
TEST_F(ops, csb_in_registered_user_memory)
{
	volatile struct sdxi_cst_blk *c = (void *)((char *)self->atom + 1024);
	union sdxi_desc d;
	uint64_t t0 = now_ms();

	c->flags = 0;
	c->signal = 1;
	dsc_copy(&d, (uintptr_t)self->src, (uintptr_t)self->dst, 3 * PG, 0);
	d.generic.csb_ptr = (uintptr_t)c;
	uctx_submit(&self->x, &d, 1);
	while (__atomic_load_n(&c->signal, __ATOMIC_ACQUIRE) && now_ms() - t0 < WAIT_MS)
		usleep(100);
	EXPECT_EQ(0, c->signal);
	EXPECT_EQ(0, c->flags & SDXI_CST_BLK_ER);
	EXPECT_EQ(0, memcmp(self->dst, self->src, 3 * PG));
}

/* The read index counts retired descriptors, one by one. */
TEST_F(ops, read_index_counts_retired_descriptors)
{
	union sdxi_desc d;
	unsigned int i;

	for (i = 0; i < 20; i++) {
		dsc_copy(&d, (uintptr_t)self->src + i * 64, (uintptr_t)self->dst + i * 64,
			 64, 0);
		ASSERT_EQ(0, run(&self->x, &d, 1));
		EXPECT_EQ(i + 1, self->x.sts->read_index);
		/* R > k: descriptor k's data is there. */
		EXPECT_EQ(0, memcmp(self->dst + i * 64, self->src + i * 64, 64));
	}
}

/* ---- contexts, files, processes ---------------------------------------- */
#define NFILES		3
#define NCTX		4

/* Four contexts on each of three files, interleaved, each with its own data. */
TEST(several_contexts_per_file_and_files_per_process)
{
	int fds[NFILES], f, c, round;
	struct uctx x[NFILES][NCTX];
	unsigned char *src[NFILES][NCTX], *dst[NFILES][NCTX];
	struct pollfd p[NFILES];
	long long base_ctx, base_files;
	union sdxi_desc d[2];

	OPEN_OR_SKIP(&fds[0]);
	REQUIRE_ISOLATION(fds[0]);
	base_ctx = sdxi_counter("user_contexts");
	base_files = sdxi_counter("open_files") - 1;
	for (f = 1; f < NFILES; f++) {
		fds[f] = open(SDXI_DEV, O_RDWR);
		ASSERT_GE(fds[f], 0);
	}
	for (f = 0; f < NFILES; f++) {
		for (c = 0; c < NCTX; c++) {
			/* Context 0 of each file raises interrupts. */
			ASSERT_EQ(0, uctx_create(fds[f], c ? 0 : SDXI_CTX_F_INTERRUPT,
						 1024 + 7 * c, &x[f][c]));
			src[f][c] = alloc_pages_filled(2, 0);
			dst[f][c] = alloc_pages_filled(2, 0);
			ASSERT_NE(NULL, src[f][c]);
			ASSERT_NE(NULL, dst[f][c]);
			ASSERT_EQ(0, map_mem(fds[f], id_of(&x[f][c]), src[f][c], 2 * PG,
					     SDXI_MAP_READ));
			ASSERT_EQ(0, map_mem(fds[f], id_of(&x[f][c]), dst[f][c], 2 * PG,
					     SDXI_MAP_WRITE));
		}
	}
	EXPECT_EQ(base_ctx + NFILES * NCTX, sdxi_counter("user_contexts"));
	EXPECT_EQ(base_files + NFILES, sdxi_counter("open_files"));
	for (round = 0; round < 3; round++) {
		/* Submit on all twelve, then wait on all twelve. */
		for (f = 0; f < NFILES; f++) {
			for (c = 0; c < NCTX; c++) {
				fill_pattern(src[f][c], 2 * PG, round * 100 + f * 10 + c);
				dsc_copy(&d[0], (uintptr_t)src[f][c], (uintptr_t)dst[f][c],
					 2 * PG - round, 0);
				/* Only file 1's interrupt context raises one. */
				if (!c && f == 1) {
					dsc_intr(&d[1], x[f][c].c.out_akey_intr);
					uctx_submit(&x[f][c], d, 2);
				} else {
					uctx_submit(&x[f][c], d, 1);
				}
			}
		}
		for (f = 0; f < NFILES; f++) {
			for (c = 0; c < NCTX; c++) {
				ASSERT_EQ(0, uctx_wait(&x[f][c], x[f][c].w, WAIT_MS));
				ASSERT_EQ(0, memcmp(dst[f][c], src[f][c], 2 * PG - round))
					TH_LOG("file %d context %d round %d", f, c, round);
			}
		}
	}
	/* poll(): only file 1 had interrupts. */
	for (f = 0; f < NFILES; f++)
		p[f] = (struct pollfd){ .fd = fds[f], .events = POLLIN };
	ASSERT_EQ(1, poll(p, NFILES, WAIT_MS));
	EXPECT_TRUE(p[1].revents & POLLIN);
	EXPECT_EQ(0, p[0].revents);
	EXPECT_EQ(0, p[2].revents);
	/* Another file cannot name this file's contexts. */
	EXPECT_EQ(-ENOENT, ctx_cmd(fds[0], SDXI_IOC_RESET_CONTEXT, id_of(&x[1][0])));
	/* Mappings keep a file alive: unmap, then close. */
	for (f = 0; f < NFILES; f++) {
		for (c = 0; c < NCTX; c++)
			uctx_unmap(&x[f][c]);
		close(fds[f]);
	}
	EXPECT_EQ(base_ctx, sdxi_counter("user_contexts"));
	EXPECT_EQ(base_files, sdxi_counter("open_files"));
}

#define NPROC		4
#define PCTX		2
#define ADDS		250
#define ADD_BATCH	50

/*
 * Four processes, two contexts each, all at once: each context adds 1 to
 * one shared counter ADDS times (with return data) while copying its own
 * data.  The counter ends exact and the old values returned are all the
 * integers below the total, each once: the adds were atomic across
 * contexts and processes.
 */
TEST(several_processes_at_once_share_an_atomic_counter)
{
	const size_t olds_sz = ((NPROC * PCTX * ADDS * 8) + PG - 1) / PG * PG;
	uint64_t *counter, *olds;
	unsigned char *seen;
	pid_t pid[NPROC];
	int fd, i, go[2];
	char c;

	OPEN_OR_SKIP(&fd);
	REQUIRE_ISOLATION(fd);
	close(fd);
	counter = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	olds = mmap(NULL, olds_sz, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, counter);
	ASSERT_NE(MAP_FAILED, olds);
	memset(olds, 0xff, olds_sz);
	ASSERT_EQ(0, pipe(go));
	for (i = 0; i < NPROC; i++) {
		pid[i] = fork();
		ASSERT_GE(pid[i], 0);
		if (pid[i] == 0) {
			int pfd = open(SDXI_DEV, O_RDWR), k, j, n;
			struct uctx x[PCTX];
			unsigned char *s = alloc_pages_filled(4, i + 1), *t = alloc_pages_filled(4, 0);
			union sdxi_desc d[ADD_BATCH + 1];

			if (pfd < 0 || !s || !t)
				_exit(2);
			for (k = 0; k < PCTX; k++) {
				if (uctx_create(pfd, 0, 0, &x[k]) ||
				    map_mem(pfd, id_of(&x[k]), counter, PG,
					    SDXI_MAP_READ | SDXI_MAP_WRITE) ||
				    map_mem(pfd, id_of(&x[k]), olds, olds_sz, SDXI_MAP_WRITE) ||
				    map_mem(pfd, id_of(&x[k]), s + 2 * k * PG, 2 * PG, SDXI_MAP_READ) ||
				    map_mem(pfd, id_of(&x[k]), t + 2 * k * PG, 2 * PG, SDXI_MAP_WRITE))
					_exit(3);
			}
			/* Everyone starts together. */
			if (read(go[0], &c, 1) != 1)
				_exit(4);
			for (n = 0; n < ADDS; n += ADD_BATCH) {
				for (k = 0; k < PCTX; k++) {
					uint64_t *o = olds + ((i * PCTX + k) * ADDS + n);

					for (j = 0; j < ADD_BATCH; j++)
						dsc_atomic(&d[j], SDXI_DSC_ATOMIC_UADD, 8,
							   (uintptr_t)counter, (uintptr_t)(o + j),
							   1, 0, 0);
					dsc_copy(&d[ADD_BATCH], (uintptr_t)s + 2 * k * PG,
						 (uintptr_t)t + 2 * k * PG, 2 * PG, 0);
					uctx_submit(&x[k], d, ADD_BATCH + 1);
				}
				for (k = 0; k < PCTX; k++)
					if (uctx_wait(&x[k], x[k].w, WAIT_MS))
						_exit(5);
			}
			for (k = 0; k < PCTX; k++)
				if (memcmp(s + 2 * k * PG, t + 2 * k * PG, 2 * PG))
					_exit(6);
			_exit(0);
		}
	}
	close(go[0]);
	for (i = 0; i < NPROC; i++)
		ASSERT_EQ(1, write(go[1], "g", 1));
	for (i = 0; i < NPROC; i++)
		EXPECT_EQ(0, child_status(pid[i])) TH_LOG("process %d", i);
	EXPECT_EQ(NPROC * PCTX * ADDS, counter[0]);
	seen = calloc(NPROC * PCTX * ADDS, 1);
	ASSERT_NE(NULL, seen);
	for (i = 0; i < NPROC * PCTX * ADDS; i++) {
		ASSERT_LT(olds[i], NPROC * PCTX * ADDS) TH_LOG("entry %d", i);
		ASSERT_EQ(0, seen[olds[i]]) TH_LOG("old value %llu returned twice",
						   (unsigned long long)olds[i]);
		seen[olds[i]] = 1;
	}
	free(seen);
	EXPECT_EQ(0, sdxi_counter("user_contexts"));
}

/* ---- dma-buf sources and targets -------------------------------------------- */
#define DB_PAGES	8

FIXTURE(dmabuf) {
	int fd;
	int buf;
	struct uctx x;
	unsigned char *src, *dst, *cpu;
	uint64_t iova;
	void *resv;
};

FIXTURE_VARIANT(dmabuf) {
	bool heap;
};

FIXTURE_VARIANT_ADD(dmabuf, udmabuf) { .heap = false };
FIXTURE_VARIANT_ADD(dmabuf, system_heap) { .heap = true };

FIXTURE_SETUP(dmabuf)
{
	void *cpu = NULL;

	self->buf = -1;
	OPEN_OR_SKIP(&self->fd);
	REQUIRE_ISOLATION(self->fd);
	self->buf = variant->heap ? heap_new(DB_PAGES * PG, &cpu) :
				    udmabuf_new(DB_PAGES * PG, &cpu);
	if (self->buf == -ENOENT)
		SKIP(return, "no %s", variant->heap ? "/dev/dma_heap/system" : "/dev/udmabuf");
	ASSERT_GE(self->buf, 0);
	self->cpu = cpu;
	memset(self->cpu, 0, DB_PAGES * PG);
	ASSERT_EQ(0, uctx_create(self->fd, 0, 0, &self->x));
	self->src = alloc_pages_filled(DB_PAGES, 0);
	self->dst = alloc_pages_filled(DB_PAGES, GUARD);
	ASSERT_NE(NULL, self->src);
	ASSERT_NE(NULL, self->dst);
	fill_pattern(self->src, DB_PAGES * PG, 3);
	ASSERT_EQ(0, map_mem(self->fd, id_of(&self->x), self->src, DB_PAGES * PG,
			     SDXI_MAP_READ));
	ASSERT_EQ(0, map_mem(self->fd, id_of(&self->x), self->dst, DB_PAGES * PG,
			     SDXI_MAP_READ | SDXI_MAP_WRITE));
	/* An IOVA range the process reserved, so MAP_MEM cannot collide. */
	self->resv = mmap(NULL, 2 * DB_PAGES * PG, PROT_NONE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->resv);
	self->iova = (uintptr_t)self->resv;
	ASSERT_EQ(0, map_dmabuf(self->fd, id_of(&self->x), self->buf, self->iova,
				DB_PAGES * PG));
}

FIXTURE_TEARDOWN(dmabuf)
{
	if (self->fd >= 0)
		close(self->fd);
	if (self->buf >= 0)
		close(self->buf);
}

/* COPY in, COPY out, COPY inside, REPCOPY, WRT_IMM and an atomic, all on it. */
TEST_F(dmabuf, every_data_op_on_the_buffer)
{
	static const char imm[13] = "dma-buf imm!";
	uint64_t io = self->iova;
	union sdxi_desc d[8];
	uint64_t *t;
	unsigned int i;

	dsc_copy(&d[0], (uintptr_t)self->src, io, 2 * PG, 0);		/* in */
	dsc_copy(&d[1], io, (uintptr_t)self->dst, 2 * PG, 0);		/* out */
	dsc_copy(&d[2], io, io + 2 * PG, PG, 0);			/* inside */
	dsc_repcopy(&d[3], (uintptr_t)self->src + 100, io + 3 * PG, 128, 16, 0);
	dsc_wrt_imm(&d[4], io + 5 * PG + 3, imm, sizeof(imm), 0);
	t = (uint64_t *)(self->cpu + 6 * PG);
	t[0] = 77;
	/* Target in the buffer, old value into the buffer and into memory. */
	dsc_atomic(&d[5], SDXI_DSC_ATOMIC_UADD, 8, io + 6 * PG, io + 6 * PG + 8, 23, 0, 0);
	dsc_atomic(&d[6], SDXI_DSC_ATOMIC_CMPSWAP, 4, io + 6 * PG + 16,
		   (uintptr_t)self->dst + 7 * PG, 9, 0, 0);
	((uint32_t *)t)[4] = 0;
	ASSERT_EQ(0, run(&self->x, d, 7));
	EXPECT_EQ(0, memcmp(self->cpu, self->src, 2 * PG));
	EXPECT_EQ(0, memcmp(self->dst, self->src, 2 * PG));
	EXPECT_EQ(0, memcmp(self->cpu + 2 * PG, self->src, PG));
	for (i = 0; i < 16; i++)
		EXPECT_EQ(0, memcmp(self->cpu + 3 * PG + i * 128, self->src + 100, 128));
	EXPECT_EQ(0, memcmp(self->cpu + 5 * PG + 3, imm, sizeof(imm)));
	EXPECT_TRUE(all_bytes(self->cpu + 5 * PG, 3, 0));
	EXPECT_EQ(100, t[0]);
	EXPECT_EQ(77, t[1]);
	EXPECT_EQ(9, ((uint32_t *)t)[4]);
	EXPECT_EQ(0, *(uint32_t *)(self->dst + 7 * PG));
}

/* A read-only import at an offset: readable, and device writes fault. */
TEST_F(dmabuf, read_only_import_at_an_offset)
{
	struct sdxi_error_record rec;
	struct sdxi_context_status s;
	uint64_t ro = self->iova + DB_PAGES * PG;
	struct sdxi_map_dmabuf m = {
		.size = sizeof(m), .flags = SDXI_MAP_READ,
		.context_id = id_of(&self->x), .fd = self->buf,
		.offset = 4 * PG, .length = 2 * PG, .iova = ro,
	};
	unsigned char before[128];
	union sdxi_desc d;

	fill_pattern(self->cpu, DB_PAGES * PG, 9);
	ASSERT_EQ(0, sdxi_ioc(self->fd, SDXI_IOC_MAP_DMABUF, &m));
	/* Page 4 of the buffer is at ro. */
	dsc_copy(&d, ro, (uintptr_t)self->dst, 2 * PG, 0);
	ASSERT_EQ(0, run(&self->x, &d, 1));
	EXPECT_EQ(0, memcmp(self->dst, self->cpu + 4 * PG, 2 * PG));
	/* Writing through the read-only import faults, nothing changes. */
	memcpy(before, self->cpu + 5 * PG, sizeof(before));
	dsc_copy(&d, (uintptr_t)self->src, ro + PG, 64, 0);
	uctx_submit(&self->x, &d, 1);
	ASSERT_EQ(-EIO, uctx_wait(&self->x, self->x.w, WAIT_MS));
	ASSERT_EQ(0, ctx_status_wait_error(self->fd, id_of(&self->x), &s, &rec, 1, 2000));
	ASSERT_EQ(1, s.nr_records);
	EXPECT_EQ(SDXI_ERR_XLATE, rec.reason);
	EXPECT_EQ(SDXI_STEP_DATA, rec.step);
	EXPECT_EQ(SDXI_BUF_DST, rec.buf);
	EXPECT_EQ(ro + PG, rec.addr);
	EXPECT_EQ(0, memcmp(self->cpu + 5 * PG, before, sizeof(before)));
	EXPECT_EQ(0, unmap_dmabuf(self->fd, id_of(&self->x), ro));
	EXPECT_EQ(0, unmap_dmabuf(self->fd, id_of(&self->x), self->iova));
	EXPECT_EQ(0, sdxi_counter("dmabufs"));
}

TEST_HARNESS_MAIN
