// SPDX-License-Identifier: GPL-2.0
/*
 * libsdxi (Documentation/library.rst) on the software device ("soft")
 * and on the kernel device (/dev/sdxi0), the same tests on both:
 * every operation with its data checked, ring sizes from the minimum to
 * the maximum, batches, every completion mode (poll, spin and blocking
 * waits, the context's eventfd), several contexts and threads, a failed
 * descriptor and the reset after it.
 *
 * soft_and_kernel_agree_byte_for_byte runs one deterministic workload
 * (copies, fills, REPCOPY, WRT_IMM, every atomic, and a series of failing
 * descriptors, then, when both devices have fault injection, a fault-after
 * and a function error with work queued) on the software device and on
 * /dev/sdxi0 in this process, over the same memory at the same addresses,
 * and compares the memory, every ticket's result, every decoded error
 * record and the context status byte for byte.
 *
 * Built against libsdxi (pkg-config sdxi, or the tree's build/lib/libsdxi.a
 * with the test hooks of lib/src/sdxi_test.h).  The kernel variants SKIP
 * without an SDXI device, without permission or without a PASID-capable
 * IOMMU.
 */
#include <pthread.h>

#include "../kselftest_harness.h"
#include "sdxi_common.h"
#include <sdxi.h>
#if __has_include("sdxi_test.h")
#include "sdxi_test.h"
#define HAVE_SOFT_HOOKS 1
#else
#define HAVE_SOFT_HOOKS 0
#endif

#define PG		SDXI_PG
#define BUF		(256 * 1024)
#define GUARD		0xee
#define TIMEOUT_NS	(10ULL * 1000 * 1000 * 1000)

/* Open @name or say why not: 0, or a SKIP reason in *why. */
static int open_dev(const char *name, struct sdxi_dev **dev, const char **why)
{
	struct sdxi_dev_info info;
	int ret = sdxi_dev_open(name, dev);

	if (ret == -ENODEV || ret == -ENOENT || ret == -ENXIO) {
		*why = "no SDXI device (/dev/sdxi0)";
		return ret;
	}
	if (ret == -EACCES || ret == -EPERM) {
		*why = "no permission to open /dev/sdxi0";
		return ret;
	}
	if (ret) {
		*why = "sdxi_dev_open failed";
		return ret;
	}
	if (!sdxi_dev_info(*dev, &info) && !(info.flags & SDXI_DEV_SOFT) &&
	    info.isolation != SDXI_ISOLATE_PASID) {
		sdxi_dev_close(*dev);
		*dev = NULL;
		*why = "no PASID-capable IOMMU: user contexts refused";
		return -EOPNOTSUPP;
	}
	return 0;
}

static void fill_pattern(void *p, size_t n, unsigned int seed)
{
	unsigned char *b = p;
	size_t i;

	for (i = 0; i < n; i++)
		b[i] = (unsigned char)(i * 13 + seed * 29 + (i >> 9) + 5);
}

static void *map_buf(size_t n, int c)
{
	void *p = mmap(NULL, n, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	memset(p, c, n);
	return p;
}

static uint64_t iova_of(struct sdxi_ctx *ctx, const void *p, size_t len, unsigned int acc)
{
	uint64_t iova = 0;

	if (sdxi_mem_iova(ctx, p, len, acc, &iova))
		return 0;
	return iova;
}

/*
 * A context whose synchronous calls always use the device (offload
 * threshold 0): these tests are about the device, and the library's
 * default runs small copies, and on the software device every one, on
 * the CPU.
 */
static int device_ctx(struct sdxi_dev *dev, const struct sdxi_ctx_opts *o, struct sdxi_ctx **c)
{
	struct sdxi_policy device_always = { .offload_min = 0 };
	int ret = sdxi_ctx_create(dev, o, c);

	if (!ret) {
		ret = sdxi_ctx_set_policy(*c, &device_always);
		if (ret)
			sdxi_ctx_destroy(*c);
	}
	return ret;
}

static int wait_spin(struct sdxi_ctx *ctx, uint64_t t, struct sdxi_error *err)
{
	struct sdxi_wait_opts o = { .mode = SDXI_WAIT_SPIN, .timeout_ns = TIMEOUT_NS };

	return sdxi_wait(ctx, t, &o, err);
}

/* ---- the same tests on both devices ------------------------------------ */
FIXTURE(lib) {
	struct sdxi_dev *dev;
	struct sdxi_ctx *ctx;
	struct sdxi_dev_info info;
	unsigned char *src, *dst;
	uint64_t *atom;
	bool intr;
};

FIXTURE_VARIANT(lib) {
	const char *dev;
};

FIXTURE_VARIANT_ADD(lib, soft) { .dev = "soft" };
FIXTURE_VARIANT_ADD(lib, kernel) { .dev = SDXI_DEV };

FIXTURE_SETUP(lib)
{
	struct sdxi_ctx_opts o = { 0 };
	const char *why = NULL;

	if (open_dev(variant->dev, &self->dev, &why))
		SKIP(return, "%s", why);
	ASSERT_EQ(0, sdxi_dev_info(self->dev, &self->info));
	self->intr = self->info.flags & SDXI_DEV_INTERRUPTS;
	o.flags = self->intr ? SDXI_CTX_INTERRUPTS : 0;
	ASSERT_EQ(0, device_ctx(self->dev, &o, &self->ctx));
	self->src = map_buf(BUF, 0);
	self->dst = map_buf(BUF, GUARD);
	self->atom = map_buf(PG, 0);
	ASSERT_NE(NULL, self->src);
	ASSERT_NE(NULL, self->dst);
	ASSERT_NE(NULL, self->atom);
	fill_pattern(self->src, BUF, 1);
}

FIXTURE_TEARDOWN(lib)
{
	if (self->ctx)
		sdxi_ctx_destroy(self->ctx);
	if (self->dev)
		sdxi_dev_close(self->dev);
}

TEST_F(lib, memcpy_sizes_and_alignments)
{
	static const size_t sizes[] = { 1, 3, 64, 4095, 4096, 4097, 65536 + 13, BUF - 8192 };
	unsigned int i;

	/* n 0 is a no-op. */
	EXPECT_EQ(0, sdxi_memcpy(self->ctx, self->dst, self->src, 0));
	EXPECT_TRUE(all_bytes(self->dst, BUF, GUARD));
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		size_t so = i * 7 % 4096, doff = i * 13 % 4096;

		memset(self->dst, GUARD, BUF);
		ASSERT_EQ(0, sdxi_memcpy(self->ctx, self->dst + doff, self->src + so, sizes[i]))
			TH_LOG("size %zu", sizes[i]);
		ASSERT_EQ(0, memcmp(self->dst + doff, self->src + so, sizes[i]));
		ASSERT_TRUE(all_bytes(self->dst, doff, GUARD));
		ASSERT_TRUE(all_bytes(self->dst + doff + sizes[i], BUF - doff - sizes[i], GUARD));
	}
	/* Overlapping buffers are refused before anything is queued. */
	EXPECT_EQ(-EINVAL, sdxi_memcpy(self->ctx, self->dst + 10, self->dst, 100));
}

TEST_F(lib, fill_with_an_8_byte_pattern)
{
	static const size_t lens[] = { 1, 7, 8, 63, 64, 65, 4096 + 13, 100000 };
	const uint64_t pat = 0x0123456789abcdefULL;
	unsigned int i;
	size_t k;

	for (i = 0; i < ARRAY_SIZE(lens); i++) {
		memset(self->dst, GUARD, BUF);
		ASSERT_EQ(0, sdxi_fill(self->ctx, self->dst + 3, pat, lens[i]));
		for (k = 0; k < lens[i]; k++)
			ASSERT_EQ((unsigned char)(pat >> (8 * (k % 8))), self->dst[3 + k])
				TH_LOG("len %zu byte %zu", lens[i], k);
		ASSERT_TRUE(all_bytes(self->dst, 3, GUARD));
		ASSERT_TRUE(all_bytes(self->dst + 3 + lens[i], 256, GUARD));
	}
}

TEST_F(lib, write_imm_every_length)
{
	unsigned char data[32];
	unsigned int len;

	for (len = 1; len <= 32; len++) {
		fill_pattern(data, sizeof(data), len);
		memset(self->dst, GUARD, 256);
		ASSERT_EQ(0, sdxi_write_imm(self->ctx, self->dst + 64 + len % 8, data, len));
		EXPECT_EQ(0, memcmp(self->dst + 64 + len % 8, data, len));
		EXPECT_TRUE(all_bytes(self->dst, 64 + len % 8, GUARD));
		EXPECT_TRUE(all_bytes(self->dst + 64 + len % 8 + len, 64, GUARD));
	}
	EXPECT_EQ(-E2BIG, sdxi_write_imm(self->ctx, self->dst, data, 33));
}

TEST_F(lib, repcopy_through_batch_add)
{
	struct sdxi_batch b;
	union sdxi_desc d;
	uint64_t s = iova_of(self->ctx, self->src, BUF, SDXI_MEM_READ);
	uint64_t t = iova_of(self->ctx, self->dst, BUF, SDXI_MEM_WRITE), tk;
	unsigned int i;

	ASSERT_NE(0, s);
	ASSERT_NE(0, t);
	ASSERT_EQ(0, sdxi_prep_repcopy(&d, NULL, t + 5, s + 100, 300, 9));
	ASSERT_EQ(0, sdxi_batch_start(self->ctx, &b, 1, SDXI_BATCH_WAIT));
	ASSERT_EQ(0, sdxi_batch_add(&b, &d, 0));
	ASSERT_EQ(0, sdxi_batch_submit(&b, &tk));
	ASSERT_EQ(0, wait_spin(self->ctx, tk, NULL));
	for (i = 0; i < 9; i++)
		EXPECT_EQ(0, memcmp(self->dst + 5 + i * 300, self->src + 100, 300));
	EXPECT_TRUE(all_bytes(self->dst, 5, GUARD));
	EXPECT_TRUE(all_bytes(self->dst + 5 + 9 * 300, 4096, GUARD));
}

static const struct { uint64_t old, op1, op2; } vecs[] = {
	{ 1000, 5, 2000 },
	{ 0xfffffff0ULL, 0x20, 0xfffffff8ULL },
	{ 0x80000000ULL, 0x7fffffffULL, 0x80000000ULL },
	{ 0xfffffffffffffff0ULL, 0x20, 0xfffffffffffffff8ULL },
	{ 3, 7, 1 },
	{ 42, 9, 42 },
};

/* All thirteen atomics at both widths, one batch per vector, checked. */
TEST_F(lib, atomics_every_op_both_sizes)
{
	unsigned int size, v, i;

	for (size = 4; size <= 8; size += 4) {
		uint64_t m = size == 4 ? 0xffffffffULL : ~0ULL;

		for (v = 0; v < ARRAY_SIZE(vecs); v++) {
			unsigned char *base = (unsigned char *)self->atom;
			uint64_t io = iova_of(self->ctx, base, PG, SDXI_MEM_READ | SDXI_MEM_WRITE);
			struct sdxi_batch b;
			uint64_t tk;

			ASSERT_NE(0, io);
			memset(base, GUARD, PG);
			ASSERT_EQ(0, sdxi_batch_start(self->ctx, &b, SDXI_NR_ATOMIC_OPS,
						      SDXI_BATCH_WAIT));
			for (i = 0; i < SDXI_NR_ATOMIC_OPS; i++) {
				uint32_t op = sdxi_atomic_ops[i];
				uint64_t old = vecs[v].old & m, op1 = vecs[v].op1 & m;
				uint64_t op2 = atomic_uses_op2(op) ? vecs[v].op2 & m : 0;

				memcpy(base + i * 32, &old, size);
				ASSERT_EQ(0, sdxi_batch_atomic(&b, op, size, io + i * 32,
							       io + 2048 + i * 32, op1, op2, 0));
			}
			ASSERT_EQ(0, sdxi_batch_submit(&b, &tk));
			ASSERT_EQ(0, wait_spin(self->ctx, tk, NULL));
			for (i = 0; i < SDXI_NR_ATOMIC_OPS; i++) {
				uint32_t op = sdxi_atomic_ops[i];
				uint64_t old = vecs[v].old & m, op1 = vecs[v].op1 & m;
				uint64_t op2 = atomic_uses_op2(op) ? vecs[v].op2 & m : 0;
				uint64_t got = 0, ret = 0;

				memcpy(&got, base + i * 32, size);
				memcpy(&ret, base + 2048 + i * 32, size);
				EXPECT_EQ(atomic_ref(op, size, old, op1, op2), got)
					TH_LOG("op %#x size %u vector %u", op, size, v);
				EXPECT_EQ(old, ret) TH_LOG("op %#x size %u vector %u", op, size, v);
				EXPECT_TRUE(all_bytes(base + i * 32 + size, 32 - size, GUARD));
			}
		}
	}
}

/* NOPs and an interrupt: the context's fd becomes readable. */
TEST_F(lib, nop_and_interrupt_through_the_context_fd)
{
	struct pollfd p;
	struct sdxi_batch b;
	uint64_t tk, v;
	unsigned int i;
	int fd;

	if (!self->intr)
		SKIP(return, "the device has no completion interrupts");
	fd = sdxi_ctx_fd(self->ctx);
	ASSERT_GE(fd, 0);
	p = (struct pollfd){ .fd = fd, .events = POLLIN };
	while (read(fd, &v, 8) == 8)
		;
	ASSERT_EQ(0, sdxi_batch_start(self->ctx, &b, 8, SDXI_BATCH_WAIT | SDXI_BATCH_INTR));
	for (i = 0; i < 8; i++)
		ASSERT_EQ(0, sdxi_batch_nop(&b, 0));
	ASSERT_EQ(-ENOSPC, sdxi_batch_nop(&b, 0));
	ASSERT_EQ(0, sdxi_batch_submit(&b, &tk));
	ASSERT_EQ(1, poll(&p, 1, 10000));
	EXPECT_EQ(0, sdxi_poll(self->ctx, tk));
	EXPECT_TRUE(all_bytes(self->dst, BUF, GUARD));
}

/* Without interrupts an interrupt cannot be asked for. */
TEST_F(lib, interrupts_need_an_interrupt_context)
{
	struct sdxi_ctx *c;
	struct sdxi_batch b;

	ASSERT_EQ(0, device_ctx(self->dev, NULL, &c));
	EXPECT_EQ(-EOPNOTSUPP, sdxi_ctx_fd(c));
	EXPECT_EQ(-EOPNOTSUPP, sdxi_batch_start(c, &b, 1, SDXI_BATCH_INTR));
	sdxi_ctx_destroy(c);
}

/*
 * Batches of 16 copies behind one doorbell, three laps of the ring, and
 * every ticket polled: each completes, in order.  Some 200 batches, each
 * a wake-up of the software device's thread: a few seconds in an emulated
 * guest, more than the harness's default 30 s on a loaded host under a
 * debug kernel.
 */
TEST_F_TIMEOUT(lib, batches_of_16_wrap_the_ring_three_times, 180)
{
	struct sdxi_ctx_status st;
	uint64_t s = iova_of(self->ctx, self->src, BUF, SDXI_MEM_READ);
	uint64_t t = iova_of(self->ctx, self->dst, BUF, SDXI_MEM_WRITE);
	unsigned int n, i, k;

	ASSERT_EQ(0, sdxi_ctx_status(self->ctx, &st));
	n = st.ring_entries;
	for (i = 0; i < 3 * n / 16 + 1; i++) {
		struct sdxi_batch b;
		uint64_t tk, off = (i * 16 % (BUF / 256)) * 256;

		ASSERT_EQ(0, sdxi_batch_start(self->ctx, &b, 16, SDXI_BATCH_WAIT));
		for (k = 0; k < 16; k++)
			ASSERT_EQ(0, sdxi_batch_copy(&b, t + off + k * 256, s + off + k * 256,
						     256, 0));
		ASSERT_EQ(0, sdxi_batch_submit(&b, &tk));
		ASSERT_EQ(0, wait_spin(self->ctx, tk, NULL)) TH_LOG("batch %u", i);
		for (k = 0; k < 16; k++)
			ASSERT_EQ(0, sdxi_poll(self->ctx, tk - 15 + k));
	}
	ASSERT_EQ(0, sdxi_ctx_status(self->ctx, &st));
	EXPECT_EQ(SDXI_CXTV_RUN, st.state);
	EXPECT_EQ(0, st.errors);
	EXPECT_EQ(st.write_index, st.read_index);
	EXPECT_EQ(0, memcmp(self->dst, self->src, BUF));
}

/* The completion modes: poll loop, spin wait, blocking wait, async copies. */
TEST_F(lib, completion_by_poll_spin_and_blocking_wait)
{
	struct sdxi_wait_opts blk = { .mode = SDXI_WAIT_BLOCK, .timeout_ns = TIMEOUT_NS };
	uint64_t tk[8];
	unsigned int i;
	int ret;

	for (i = 0; i < 8; i++)
		ASSERT_EQ(0, sdxi_memcpy_async(self->ctx, self->dst + i * 8192,
					       self->src + i * 8192, 8192, &tk[i]));
	/* sdxi_poll() until done. */
	do {
		ret = sdxi_poll(self->ctx, tk[3]);
	} while (ret == -EAGAIN);
	EXPECT_EQ(0, ret);
	EXPECT_EQ(0, wait_spin(self->ctx, tk[5], NULL));
	if (self->intr) {
		EXPECT_EQ(0, sdxi_wait(self->ctx, tk[7], &blk, NULL));
	} else {
		EXPECT_EQ(-EOPNOTSUPP, sdxi_wait(self->ctx, tk[7], &blk, NULL));
		EXPECT_EQ(0, wait_spin(self->ctx, tk[7], NULL));
	}
	for (i = 0; i < 8; i++)
		EXPECT_EQ(0, sdxi_poll(self->ctx, tk[i]));
	EXPECT_EQ(0, memcmp(self->dst, self->src, 8 * 8192));
	/* A ticket never issued. */
	EXPECT_EQ(-EINVAL, sdxi_poll(self->ctx, tk[7] + 1000));
}

/* Ring sizes from the device minimum to its maximum, each wrapped. */
TEST_F(lib, ring_sizes_min_to_max_each_wrapped)
{
	uint32_t sizes[4] = { 0, self->info.min_ring_entries, 2048,
			      self->info.max_ring_entries };
	unsigned int i, k;

	for (i = 0; i < 4; i++) {
		struct sdxi_ctx_opts o = { .ring_entries = sizes[i] };
		struct sdxi_ctx_status st;
		struct sdxi_ctx *c;
		uint64_t done = 0;

		ASSERT_EQ(0, device_ctx(self->dev, &o, &c)) TH_LOG("entries %u", sizes[i]);
		ASSERT_EQ(0, sdxi_ctx_status(c, &st));
		EXPECT_EQ(sizes[i] ? sizes[i] : self->info.min_ring_entries, st.ring_entries);
		while (done < st.ring_entries + 100ULL) {
			struct sdxi_batch b;
			uint64_t tk;

			ASSERT_EQ(0, sdxi_batch_start(c, &b, 256, SDXI_BATCH_WAIT));
			for (k = 0; k < 256; k++)
				sdxi_batch_nop(&b, SDXI_DESC_NO_CSB);
			ASSERT_EQ(0, sdxi_batch_submit(&b, &tk));
			ASSERT_EQ(0, wait_spin(c, tk, NULL));
			done += 256;
		}
		ASSERT_EQ(0, sdxi_memcpy(c, self->dst, self->src, 4096));
		EXPECT_EQ(0, memcmp(self->dst, self->src, 4096));
		sdxi_ctx_destroy(c);
	}
	/* Beyond the maximum. */
	{
		struct sdxi_ctx_opts o = { .ring_entries = self->info.max_ring_entries + 1 };
		struct sdxi_ctx *c = NULL;

		EXPECT_NE(0, sdxi_ctx_create(self->dev, &o, &c));
	}
}

/*
 * A copy from memory the context cannot reach fails with the decoded
 * record; the descriptor after it in the batch never runs, the batch's
 * ticket reports the failure, new work is refused (-EPIPE), and after
 * sdxi_ctx_reset() the context works again.
 */
TEST_F(lib, failed_descriptor_record_cancel_and_reset)
{
	struct sdxi_ctx_opts o = { .flags = SDXI_CTX_NO_CACHE };
	unsigned char *unreg = map_buf(PG, 0x42);
	struct sdxi_error err, last;
	struct sdxi_ctx_status st;
	struct sdxi_batch b;
	struct sdxi_ctx *c;
	uint64_t t, tk;

	ASSERT_EQ(0, device_ctx(self->dev, &o, &c));
	ASSERT_EQ(0, sdxi_mem_register(c, self->dst, BUF, SDXI_MEM_READ | SDXI_MEM_WRITE));
	ASSERT_EQ(0, sdxi_mem_iova(c, self->dst, BUF, SDXI_MEM_WRITE, &t));
	ASSERT_EQ(0, sdxi_batch_start(c, &b, 2, SDXI_BATCH_WAIT));
	ASSERT_EQ(0, sdxi_batch_copy(&b, t, (uintptr_t)unreg, 64, 0));
	ASSERT_EQ(0, sdxi_batch_copy(&b, t + 4096, t + 8192, 64, 0));
	ASSERT_EQ(0, sdxi_batch_submit(&b, &tk));
	EXPECT_EQ(-EFAULT, wait_spin(c, tk - 1, &err));
	EXPECT_EQ(-EFAULT, wait_spin(c, tk, NULL));
	EXPECT_EQ(-EPIPE, sdxi_batch_start(c, &b, 1, 0));
	EXPECT_EQ(tk - 1, err.index);
	EXPECT_EQ(SDXI_ERROR_INDEX | SDXI_ERROR_BUF, err.flags);
	EXPECT_EQ(SDXI_STEP_DATA, err.step);
	EXPECT_EQ(SDXI_SUB_STEP_XLATE, err.sub_step);
	EXPECT_EQ(SDXI_ERR_XLATE, err.reason);
	EXPECT_EQ(SDXI_BUF_SRC, err.buf);
	EXPECT_EQ((uintptr_t)unreg, err.addr);
	EXPECT_EQ(SDXI_RE_CXT_STOPPED, err.reaction);
	EXPECT_EQ(-EFAULT, err.err);
	ASSERT_EQ(0, sdxi_ctx_error(c, &last));
	EXPECT_EQ(0, memcmp(&err, &last, sizeof(err)));
	ASSERT_EQ(0, sdxi_ctx_status(c, &st));
	EXPECT_EQ(SDXI_CXTV_ERR_FN, st.state);
	EXPECT_EQ(1, st.errors);
	EXPECT_STREQ("XLATE", sdxi_reason_name(err.reason));
	EXPECT_TRUE(all_bytes(self->dst, 64, GUARD));
	ASSERT_EQ(0, sdxi_ctx_reset(c));
	EXPECT_EQ(-ENOENT, sdxi_ctx_error(c, &last));
	sdxi_ctx_destroy(c);
	/*
	 * A blocking wait on a failed context returns the error; it does not
	 * sleep for the interrupt that will never come.
	 */
	if (self->intr) {
		struct sdxi_wait_opts blk = { .mode = SDXI_WAIT_BLOCK,
					      .timeout_ns = TIMEOUT_NS };
		uint64_t w0 = now_ms();

		o.flags |= SDXI_CTX_INTERRUPTS;
		ASSERT_EQ(0, device_ctx(self->dev, &o, &c));
		ASSERT_EQ(0, sdxi_mem_register(c, self->dst, BUF,
					       SDXI_MEM_READ | SDXI_MEM_WRITE));
		ASSERT_EQ(0, sdxi_batch_start(c, &b, 2, SDXI_BATCH_WAIT));
		ASSERT_EQ(0, sdxi_batch_copy(&b, t, (uintptr_t)unreg, 64, 0));
		ASSERT_EQ(0, sdxi_batch_copy(&b, t + 4096, t + 8192, 64, 0));
		ASSERT_EQ(0, sdxi_batch_submit(&b, &tk));
		EXPECT_EQ(-EFAULT, sdxi_wait(c, tk, &blk, NULL));
		EXPECT_EQ(-EFAULT, sdxi_wait(c, tk - 1, &blk, &err));
		EXPECT_EQ(SDXI_ERR_XLATE, err.reason);
		EXPECT_LT(now_ms() - w0, 5000);
		ASSERT_EQ(0, sdxi_ctx_reset(c));
	} else {
		ASSERT_EQ(0, device_ctx(self->dev, &o, &c));
		ASSERT_EQ(0, sdxi_mem_register(c, self->dst, BUF,
					       SDXI_MEM_READ | SDXI_MEM_WRITE));
	}
	ASSERT_EQ(0, sdxi_batch_start(c, &b, 1, SDXI_BATCH_WAIT));
	ASSERT_EQ(0, sdxi_batch_copy(&b, t, t + 8192, 64, 0));
	ASSERT_EQ(0, sdxi_batch_submit(&b, &tk));
	EXPECT_EQ(0, wait_spin(c, tk, NULL));
	sdxi_ctx_destroy(c);
}

struct worker {
	struct sdxi_dev *dev;
	int id;
	int ret;
};

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct sdxi_ctx *c;
	unsigned char *s = map_buf(64 * 1024, 0), *d = map_buf(64 * 1024, 0);
	int i;

	w->ret = -ENOMEM;
	if (!s || !d)
		return NULL;
	w->ret = device_ctx(w->dev, NULL, &c);
	if (w->ret)
		return NULL;
	for (i = 0; i < 20 && !w->ret; i++) {
		fill_pattern(s, 64 * 1024, w->id * 100 + i);
		w->ret = sdxi_memcpy(c, d, s, 64 * 1024 - i);
		if (!w->ret && memcmp(d, s, 64 * 1024 - i))
			w->ret = -EILSEQ;
	}
	sdxi_ctx_destroy(c);
	return NULL;
}

/* Four threads, one context each, on one device, plus a second device handle. */
TEST_F(lib, several_contexts_and_threads_at_once)
{
	struct worker w[5];
	pthread_t th[5];
	struct sdxi_dev *dev2;
	const char *why;
	int i;

	ASSERT_EQ(0, open_dev(variant->dev, &dev2, &why));
	for (i = 0; i < 5; i++) {
		w[i] = (struct worker){ .dev = i == 4 ? dev2 : self->dev, .id = i };
		ASSERT_EQ(0, pthread_create(&th[i], NULL, worker_main, &w[i]));
	}
	for (i = 0; i < 5; i++) {
		pthread_join(th[i], NULL);
		EXPECT_EQ(0, w[i].ret) TH_LOG("thread %d", i);
	}
	sdxi_dev_close(dev2);
}

/* ---- soft and kernel agree ----------------------------------------------- */
#define ARENA_VA	0x5d5d00000000UL
#define ARENA		(1024 * 1024)
#define RO_END		(256 * 1024)	/* [0, RO_END): registered read-only */
#define RW_END		(768 * 1024)	/* [RO_END, RW_END): read-write; rest: unregistered */
#define NOPS		240
#define MAX_TICKETS	(NOPS * 2 + 64)
#define NERR		16

struct outcome {
	int rc[MAX_TICKETS];			/* every ticket's sdxi_poll() */
	unsigned int tickets;
	struct sdxi_error err[NERR];		/* from sdxi_wait() of the failed ticket */
	struct sdxi_error last[NERR];		/* sdxi_ctx_error() */
	struct sdxi_ctx_status st[NERR];	/* with id cleared */
	int wait_rc[NERR];
	unsigned int nerr;
	bool injected;
};

static uint64_t rng;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* One random, valid operation into @b (1 or 2 slots). */
static int random_op(struct sdxi_batch *b, uint64_t base)
{
	uint64_t rw = base + RO_END, rwlen = RW_END - RO_END;
	union sdxi_desc d;
	unsigned char imm[32];
	unsigned int i;

	switch (rnd() % 6) {
	case 0: {	/* copy: source anywhere registered, destination read-write */
		uint64_t len = 1 + rnd() % 8192;
		uint64_t src = base + rnd() % (RW_END - len);
		uint64_t dst = rw + rnd() % (rwlen - len);

		if (src < dst + len && dst < src + len)
			return sdxi_batch_nop(b, 0);
		return sdxi_batch_copy(b, dst, src, len, 0);
	}
	case 1:		/* fill: REPCOPY of the library's pattern block (+ tail) */
		return sdxi_batch_fill(b, rw + rnd() % (rwlen - 5000), rnd(),
				       1 + rnd() % 4096, 0);
	case 2:
		for (i = 0; i < sizeof(imm); i++)
			imm[i] = (unsigned char)rnd();
		return sdxi_batch_write_imm(b, rw + rnd() % (rwlen - 32), imm,
					    1 + rnd() % 32, 0);
	case 3: {	/* every atomic at both sizes, return data in read-write memory */
		uint32_t op = sdxi_atomic_ops[rnd() % SDXI_NR_ATOMIC_OPS];
		unsigned int size = rnd() % 2 ? 8 : 4;
		uint64_t m = size == 4 ? 0xffffffffULL : ~0ULL;
		uint64_t tgt = rw + (rnd() % (rwlen / 16)) * 8 / size * size;
		uint64_t ret = rw + rwlen / 2 + (rnd() % (rwlen / 16)) * 8 / size * size;

		return sdxi_batch_atomic(b, op, size, tgt, rnd() % 4 ? ret : 0, rnd() & m,
					 atomic_uses_op2(op) ? rnd() & m : 0, 0);
	}
	case 4: {
		uint64_t len = 1 + rnd() % 300, count = 1 + rnd() % 16;
		uint64_t src = base + rnd() % (RO_END - len);

		if (sdxi_prep_repcopy(&d, NULL, rw + rnd() % (rwlen - len * count), src,
				      len, count))
			return -EINVAL;
		return sdxi_batch_add(b, &d, 0);
	}
	default:
		return sdxi_batch_nop(b, 0);
	}
}

/* The failing-descriptor cases, in the order they run (E_FN_ERROR last). */
enum {
	E_SRC_UNREG, E_DST_RO, E_AKEY, E_RSVD, E_SUBTYPE, E_ATOMIC_SUBTYPE,
	E_ATOMIC_ALIGN, E_RET_ALIGN, E_OVERLAP, E_WIMM_SIZE, E_WIMM_TAIL,
	E_CSB_ALIGN, E_INTR_KEY, E_LOW_ADDR, E_INJECT, E_FN_ERROR, E_COUNT
};

/* The failing descriptor of case @e (arena at @base). */
static void bad_desc(union sdxi_desc *d, int e, uint64_t base)
{
	uint64_t rw = base + RO_END;
	struct sdxi_desc_attr a = { 0 };
	unsigned char imm[8] = "12345678";

	switch (e) {
	case E_SRC_UNREG:
		sdxi_prep_copy(d, NULL, rw, base + RW_END + 4096 + 64, 128);
		break;
	case E_DST_RO:
		sdxi_prep_copy(d, NULL, base + 4096 + 8, rw, 128);
		break;
	case E_AKEY:
		a.akey0 = a.akey1 = 7;
		sdxi_prep_copy(d, &a, rw + 4096, rw, 64);
		break;
	case E_RSVD:
		sdxi_prep_copy(d, NULL, rw + 4096, rw, 64);
		d->copy.attr = 1;
		break;
	case E_SUBTYPE:
		sdxi_prep_nop(d, NULL);
		d->generic.opcode = sdxi__le32(SDXI_FIELD_PREP(SDXI_DSC_TYPE, SDXI_DSC_TYPE_DMAB) |
					       SDXI_FIELD_PREP(SDXI_DSC_SUBTYPE, 0x09));
		break;
	case E_ATOMIC_SUBTYPE:
		sdxi_prep_atomic(d, NULL, SDXI_DSC_ATOMIC_UADD, 8, rw, 0, 1, 0);
		d->atomic.opcode = sdxi__le32(SDXI_FIELD_PREP(SDXI_DSC_TYPE, SDXI_DSC_TYPE_ATOMIC) |
					      SDXI_FIELD_PREP(SDXI_DSC_SUBTYPE, 0x04));
		break;
	case E_ATOMIC_ALIGN:
		sdxi_prep_atomic(d, NULL, SDXI_DSC_ATOMIC_UADD, 8, rw + 64, 0, 1, 0);
		d->atomic.addr0 = sdxi__le64(rw + 66);
		break;
	case E_RET_ALIGN:
		sdxi_prep_atomic(d, NULL, SDXI_DSC_ATOMIC_SWAP, 8, rw + 64, rw + 128, 1, 0);
		d->atomic.addr1 = sdxi__le64(rw + 132);
		break;
	case E_OVERLAP:
		sdxi_prep_copy(d, NULL, rw + 1000, rw, 64);
		d->copy.addr1 = sdxi__le64(rw + 32);
		break;
	case E_WIMM_SIZE:
		sdxi_prep_write_imm(d, NULL, rw + 256, imm, 8);
		d->wrt_imm.size = sdxi__le32(39);
		break;
	case E_WIMM_TAIL:
		sdxi_prep_write_imm(d, NULL, rw + 256, imm, 4);
		d->wrt_imm.data[6] = 1;
		break;
	case E_CSB_ALIGN:
		sdxi_prep_copy(d, NULL, rw + 4096, rw, 64);
		d->copy.csb_ptr = sdxi__le64(rw + 8192 + 16);
		break;
	case E_INTR_KEY:
		/* AKey 0 is the data key: not an interrupt key. */
		sdxi_prep_intr(d, NULL, 0);
		break;
	case E_LOW_ADDR:
		sdxi_prep_copy(d, NULL, rw, 0x10000, 64);
		break;
	case E_INJECT:
		/* Copies 300 bytes; fault-after 100 fails it 100 bytes in. */
		sdxi_prep_copy(d, NULL, rw + 20000, base + 50000, 300);
		break;
	case E_FN_ERROR:
		/* A valid copy, queued when the function fails. */
		sdxi_prep_copy(d, NULL, rw + 30000, base + 60000, 300);
		break;
	}
}

/*
 * Set the fault knobs of either device (fault-after, stall, force a
 * function error); 0, or -EOPNOTSUPP when it has none.
 */
static int inject(struct sdxi_dev *dev, bool soft, uint64_t after, bool stall, bool fn_error)
{
#if HAVE_SOFT_HOOKS
	if (soft) {
		struct sdxi_soft_faults f = {
			.fault_after = after, .stall = stall, .force_fn_error = fn_error,
		};

		return sdxi_soft_inject(dev, &f);
	}
#else
	if (soft)
		return -EOPNOTSUPP;
#endif
	if (!qom_available())
		return -EOPNOTSUPP;
	if (qom_set_u64("fault-after", after) ||
	    (fn_error && qom_set("force-fn-error", "true")) ||
	    qom_set("stall", stall ? "true" : "false"))
		return -EIO;
	return 0;
}

static void arena_init(unsigned char *a)
{
	uint64_t save = rng;
	size_t i;

	rng = 0x5d1f00d5eedULL;
	for (i = 0; i < ARENA; i += 8) {
		uint64_t v = rnd();

		memcpy(a + i, &v, 8);
	}
	rng = save;
}

/*
 * The workload on @devname over the arena; its outcome in @o.  Both runs
 * use the same memory at the same address (IOVA == VA on both devices).
 */
static int run_workload(struct __test_metadata *_metadata, const char *devname,
			bool soft, bool faults, unsigned char *arena, struct outcome *o)
{
	struct sdxi_ctx_opts opts = { .flags = SDXI_CTX_NO_CACHE };
	uint64_t base = (uintptr_t)arena, first = 0, tk = 0, t;
	struct sdxi_dev *dev;
	struct sdxi_ctx *ctx;
	const char *why;
	int i, e, ret;

	memset(o, 0, sizeof(*o));
	arena_init(arena);
	ret = open_dev(devname, &dev, &why);
	if (ret)
		return ret;
	ret = device_ctx(dev, &opts, &ctx);
	if (ret)
		goto out_dev;
	ret = sdxi_mem_register(ctx, arena, RO_END, SDXI_MEM_READ) ?:
	      sdxi_mem_register(ctx, arena + RO_END, RW_END - RO_END,
				SDXI_MEM_READ | SDXI_MEM_WRITE);
	if (ret)
		goto out_ctx;

	/* Valid work: NOPS random operations in batches of 1..16. */
	rng = 0xc0ffee123ULL;
	for (i = 0; i < NOPS;) {
		unsigned int n = 1 + rnd() % 16, k;
		struct sdxi_batch b;

		if (n > NOPS - i)
			n = NOPS - i;
		ret = sdxi_batch_start(ctx, &b, 2 * n, SDXI_BATCH_WAIT);
		if (ret)
			goto out_ctx;
		for (k = 0; k < n; k++) {
			ret = random_op(&b, base);
			if (ret)
				goto out_ctx;
		}
		/* Unfilled slots become NOPs at submission. */
		sdxi_batch_submit(&b, &tk);
		ret = wait_spin(ctx, tk, NULL);
		if (ret)
			goto out_ctx;
		i += n;
	}
	for (t = first; t <= tk && o->tickets < MAX_TICKETS; t++)
		o->rc[o->tickets++] = sdxi_poll(ctx, t);

	/* Failures: [write-imm, the bad one, write-imm], then a reset. */
	for (e = 0; e < E_COUNT && o->nerr < NERR; e++) {
		union sdxi_desc d;
		struct sdxi_batch b;
		uint64_t mark = 0x1111111111111111ULL * (e + 1);

		if (e == E_INJECT || e == E_FN_ERROR) {
			if (!faults)
				continue;
			/* fault-after 100; or the work held back by a stall. */
			ret = e == E_INJECT ? inject(dev, soft, 100, false, false) :
					      inject(dev, soft, 0, true, false);
			if (ret)
				goto out_ctx;
			o->injected = true;
		}
		bad_desc(&d, e, base);
		ret = sdxi_batch_start(ctx, &b, 3, SDXI_BATCH_WAIT);
		if (ret)
			goto out_ctx;
		sdxi_batch_write_imm(&b, base + RO_END + 40000 + e * 64, &mark, 8, 0);
		ret = sdxi_batch_add(&b, &d, 0);
		if (ret) {
			TH_LOG("case %d: sdxi_batch_add %d", e, ret);
			goto out_ctx;
		}
		sdxi_batch_write_imm(&b, base + RO_END + 40000 + e * 64 + 8, &mark, 8, 0);
		sdxi_batch_submit(&b, &tk);
		if (e == E_FN_ERROR) {
			/* The function fails with the batch queued, then runs again. */
			usleep(20000);
			ret = inject(dev, soft, 0, false, true);
			if (ret) {
				TH_LOG("%s: forcing a function error: %d", devname, ret);
				goto out_ctx;
			}
		}
		o->wait_rc[o->nerr] = wait_spin(ctx, tk - 1, &o->err[o->nerr]);
		for (t = tk - 2; t <= tk && o->tickets < MAX_TICKETS; t++)
			o->rc[o->tickets++] = sdxi_poll(ctx, t);
		sdxi_ctx_error(ctx, &o->last[o->nerr]);
		sdxi_ctx_status(ctx, &o->st[o->nerr]);
		o->st[o->nerr].id = 0;
		o->nerr++;
		if (e == E_INJECT)
			inject(dev, soft, 0, false, false);
		/*
		 * The last case: after a function error the software device
		 * stays down while the kernel recovers (library.rst), so the
		 * failure is compared, not the recovery.
		 */
		if (e == E_FN_ERROR)
			break;
		ret = sdxi_ctx_reset(ctx);
		if (ret) {
			TH_LOG("%s: case %d: sdxi_ctx_reset %d", devname, e, ret);
			goto out_ctx;
		}
	}
	ret = 0;
out_ctx:
	sdxi_ctx_destroy(ctx);
out_dev:
	sdxi_dev_close(dev);
	return ret;
}

static const char *const err_case[E_COUNT] = {
	"source unregistered", "destination read-only", "AKey 7", "reserved attr",
	"DMAB subtype 9", "atomic subtype 4", "atomic target misaligned",
	"atomic return misaligned", "copy overlap", "WRT_IMM size 40",
	"WRT_IMM byte past length", "CST_BLK misaligned", "DSC_INTR on the data key",
	"source at 0x10000", "fault-after 100", "function error with work queued",
};

/*
 * Under the model's read-index=fetch (tools/vm/props.mk passes the model's
 * properties as $SDXI_VM_PROPS), libsdxi's spinning waits may queue NOPs
 * that have no ticket of the workload's, as many as the timing asks for
 * (library.rst "Submission and memory ordering"): ticket numbers then
 * differ between the two devices, so they are left out of the comparison;
 * everything else is still compared byte for byte.
 */
static void forget_ticket_numbers(struct outcome *o)
{
	unsigned int i;

	for (i = 0; i < o->nerr; i++) {
		o->err[i].index = 0;
		o->last[i].index = 0;
		o->st[i].read_index = 0;
		o->st[i].write_index = 0;
		o->st[i].last.index = 0;
	}
}

static void log_err(struct __test_metadata *_metadata, const char *who, int wait_rc,
		    const struct sdxi_error *e)
{
	TH_LOG("  %s: wait %d index %llu addr %#llx step %u sub %u re %u buf %u reason %u (%s) flags %#x err %d",
	       who, wait_rc, (unsigned long long)e->index, (unsigned long long)e->addr,
	       e->step, e->sub_step, e->reaction, e->buf, e->reason,
	       sdxi_reason_name(e->reason), e->flags, e->err);
}

TEST(soft_and_kernel_agree_byte_for_byte)
{
	unsigned char *arena, *soft_mem;
	struct outcome *so, *ko;
	struct sdxi_dev *dev;
	const char *why;
	bool faults;
	unsigned int i;
	int ret;

	if (open_dev(SDXI_DEV, &dev, &why))
		SKIP(return, "%s", why);
	sdxi_dev_close(dev);
	arena = mmap((void *)ARENA_VA, ARENA, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE | MAP_POPULATE, -1, 0);
	ASSERT_EQ((void *)ARENA_VA, arena);
	soft_mem = malloc(ARENA);
	so = calloc(1, sizeof(*so));
	ko = calloc(1, sizeof(*ko));
	ASSERT_NE(NULL, soft_mem);
	ASSERT_NE(NULL, so);
	ASSERT_NE(NULL, ko);
	/* Fault injection takes part when both devices have it. */
	faults = HAVE_SOFT_HOOKS && qom_available();
	if (!faults)
		TH_LOG("no fault injection on one of the devices: that case is left out");

	ret = run_workload(_metadata, "soft", true, faults, arena, so);
	ASSERT_EQ(0, ret) TH_LOG("software device run");
	memcpy(soft_mem, arena, ARENA);
	ret = run_workload(_metadata, SDXI_DEV, false, faults, arena, ko);
	ASSERT_EQ(0, ret) TH_LOG("kernel device run");

	if (getenv("SDXI_VM_PROPS") && strstr(getenv("SDXI_VM_PROPS"), "read-index=fetch")) {
		TH_LOG("read-index=fetch: ticket numbers are not compared");
		forget_ticket_numbers(so);
		forget_ticket_numbers(ko);
	}

	/* The workload did something, and failed where it should. */
	EXPECT_GT(so->tickets, NOPS);
	EXPECT_EQ(faults ? E_COUNT : E_COUNT - 2, so->nerr);
	for (i = 0; i < so->nerr; i++)
		EXPECT_NE(0, so->wait_rc[i]) TH_LOG("case %u did not fail", i);

	/* Memory, byte for byte. */
	for (i = 0; i < ARENA; i++)
		if (soft_mem[i] != arena[i])
			break;
	EXPECT_EQ(ARENA, i) TH_LOG("memory differs at +%#x: soft %#x kernel %#x",
				   i, i < ARENA ? soft_mem[i] : 0, i < ARENA ? arena[i] : 0);
	/* Every ticket's result. */
	EXPECT_EQ(so->tickets, ko->tickets);
	for (i = 0; i < so->tickets; i++)
		EXPECT_EQ(so->rc[i], ko->rc[i]) TH_LOG("result %u", i);
	/* Every failure: wait's return, record, sdxi_ctx_error(), status. */
	EXPECT_EQ(so->nerr, ko->nerr);
	for (i = 0; i < so->nerr && i < ko->nerr; i++) {
		const char *name = err_case[i];

		EXPECT_EQ(so->wait_rc[i], ko->wait_rc[i]) TH_LOG("%s", name);
		EXPECT_EQ(0, memcmp(&so->err[i], &ko->err[i], sizeof(so->err[i])))
			TH_LOG("%s: decoded records differ", name);
		EXPECT_EQ(0, memcmp(&so->last[i], &ko->last[i], sizeof(so->last[i])))
			TH_LOG("%s: sdxi_ctx_error() differs", name);
		EXPECT_EQ(0, memcmp(&so->st[i], &ko->st[i], sizeof(so->st[i])))
			TH_LOG("%s: sdxi_ctx_status() differs", name);
		if (memcmp(&so->err[i], &ko->err[i], sizeof(so->err[i])) ||
		    so->wait_rc[i] != ko->wait_rc[i]) {
			log_err(_metadata, "soft  ", so->wait_rc[i], &so->err[i]);
			log_err(_metadata, "kernel", ko->wait_rc[i], &ko->err[i]);
		}
	}
	free(so);
	free(ko);
	free(soft_mem);
	munmap(arena, ARENA);
}

TEST_HARNESS_MAIN
