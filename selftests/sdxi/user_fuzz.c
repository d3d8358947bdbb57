// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz /dev/sdxiN's ioctls: random command numbers, sizes, flags, fields
 * and pointers (NULL, kernel addresses, unmapped, misaligned, valid),
 * mixed with real context creation, registration and destruction.  Then
 * check that nothing leaked (the device's user counters read 0 once the
 * files are closed) and that the device still copies.  The guest log is
 * checked for oopses and WARNs by the runner.
 *
 * The same calls also run from two threads hammering one file at once
 * (each with its own random stream and contexts, all on the same file).
 *
 * SDXI_FUZZ_CALLS sets the number of calls (default 10000; per thread in
 * the two-thread test).
 */
#include <pthread.h>

#include "../kselftest_harness.h"
#include "sdxi_common.h"

#define PG	4096UL

static __thread uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static const unsigned long cmds[] = {
	SDXI_IOC_GET_INFO, SDXI_IOC_CREATE_CONTEXT, SDXI_IOC_DESTROY_CONTEXT,
	SDXI_IOC_RESET_CONTEXT, SDXI_IOC_CONTEXT_STATUS, SDXI_IOC_MAP_MEM,
	SDXI_IOC_UNMAP_MEM, SDXI_IOC_MAP_DMABUF, SDXI_IOC_UNMAP_DMABUF,
	SDXI_IOC_SET_EVENTFD,
};

static const uint32_t sizes[] = {
	0, 1, 4, 8, 15, 16, 24, 32, 40, 47, 48, 56, 63, 64, 72, 120, 128, 136,
	4096, 4097, 0xffffffff,
};

struct fuzz {
	int fd;
	char *bufs;		/* 64 pages of real memory */
	char *none;		/* PROT_NONE pages */
	uint32_t ids[8];
	unsigned int nids;
	uint64_t calls, ok;
};

static uint64_t pick_addr(struct fuzz *f)
{
	switch (rnd() % 8) {
	case 0:
		return 0;
	case 1:
		return 0xffffffff81000000ULL + (rnd() % 4096);
	case 2:
		return (uintptr_t)f->none + (rnd() % 4) * PG;
	case 3:
		return (uintptr_t)f->bufs + (rnd() % (64 * PG));
	case 4:
		return 0x200000000000ULL + (rnd() % 16) * PG;
	case 5:
		return rnd();
	default:
		return (uintptr_t)f->bufs + (rnd() % 64) * PG;
	}
}

static uint64_t pick_len(void)
{
	switch (rnd() % 6) {
	case 0:
		return 0;
	case 1:
		return rnd();
	case 2:
		return rnd() % 8192;
	default:
		return (1 + rnd() % 8) * PG;
	}
}

static uint32_t pick_id(struct fuzz *f)
{
	if (f->nids && rnd() % 4)
		return f->ids[rnd() % f->nids];
	return rnd() % 4 ? rnd() % 140 : (uint32_t)rnd();
}

static uint32_t pick_flags(void)
{
	switch (rnd() % 4) {
	case 0:
		return 0;
	case 1:
		return 1 + rnd() % 3;
	case 2:
		return 1u << (rnd() % 32);
	default:
		return (uint32_t)rnd();
	}
}

/* Build a plausible (often valid) argument for @cmd in @a. */
static void fill(struct fuzz *f, unsigned long cmd, uint64_t *a)
{
	memset(a, 0, 256);
	if (rnd() % 8 == 0) {
		unsigned int i;

		for (i = 0; i < 32; i++)
			a[i] = rnd() % 3 ? 0 : rnd();
	}
	switch (cmd) {
	case SDXI_IOC_CREATE_CONTEXT: {
		struct sdxi_create_context *c = (void *)a;

		c->flags = rnd() % 3 ? (rnd() & 1) : pick_flags();
		c->ring_entries = rnd() % 2 ? 0 : rnd() % 3 ? 1024 + rnd() % 2000 :
				  (uint32_t)rnd();
		break;
	}
	case SDXI_IOC_DESTROY_CONTEXT:
	case SDXI_IOC_RESET_CONTEXT:
		((struct sdxi_context_cmd *)a)->context_id = pick_id(f);
		break;
	case SDXI_IOC_CONTEXT_STATUS: {
		struct sdxi_context_status *s = (void *)a;

		s->context_id = pick_id(f);
		s->nr_records = rnd() % 20;
		s->records = pick_addr(f);
		break;
	}
	case SDXI_IOC_MAP_MEM:
	case SDXI_IOC_UNMAP_MEM: {
		struct sdxi_map_mem *m = (void *)a;

		m->context_id = pick_id(f);
		m->flags = cmd == SDXI_IOC_MAP_MEM ? pick_flags() : rnd() % 4 ? 0 : pick_flags();
		m->vaddr = pick_addr(f);
		m->length = pick_len();
		break;
	}
	case SDXI_IOC_MAP_DMABUF: {
		struct sdxi_map_dmabuf *m = (void *)a;

		m->context_id = pick_id(f);
		m->flags = pick_flags();
		m->fd = rnd() % 2 ? f->fd : (int)(rnd() % 64) - 2;
		m->offset = pick_len();
		m->length = pick_len();
		m->iova = pick_addr(f);
		break;
	}
	case SDXI_IOC_UNMAP_DMABUF:
		((struct sdxi_unmap_dmabuf *)a)->context_id = pick_id(f);
		((struct sdxi_unmap_dmabuf *)a)->iova = pick_addr(f);
		break;
	case SDXI_IOC_SET_EVENTFD:
		((struct sdxi_set_eventfd *)a)->context_id = pick_id(f);
		((struct sdxi_set_eventfd *)a)->fd = (int)(rnd() % 64) - 2;
		break;
	}
}

static void fuzz_one(struct fuzz *f)
{
	uint64_t a[32 + 512];
	unsigned long cmd;
	void *arg;
	int ret;

	cmd = cmds[rnd() % (sizeof(cmds) / sizeof(cmds[0]))];
	if (rnd() % 16 == 0)
		cmd = rnd() % 2 ? (uint32_t)rnd() : _IO(SDXI_TYPE, rnd() % 256);
	fill(f, cmd, a);
	/* The size field: mostly right, sometimes anything. */
	switch (rnd() % 4) {
	case 0:
		((uint32_t *)a)[0] = sizes[rnd() % (sizeof(sizes) / sizeof(sizes[0]))];
		break;
	default:
		((uint32_t *)a)[0] = cmd == SDXI_IOC_GET_INFO ? sizeof(struct sdxi_info) :
			cmd == SDXI_IOC_CREATE_CONTEXT ? sizeof(struct sdxi_create_context) :
			cmd == SDXI_IOC_CONTEXT_STATUS ? sizeof(struct sdxi_context_status) :
			cmd == SDXI_IOC_MAP_MEM || cmd == SDXI_IOC_UNMAP_MEM ?
			sizeof(struct sdxi_map_mem) :
			cmd == SDXI_IOC_MAP_DMABUF ? sizeof(struct sdxi_map_dmabuf) : 16;
	}
	if (rnd() % 8 == 0)
		((uint32_t *)a)[1] = pick_flags();
	/* The argument pointer. */
	switch (rnd() % 10) {
	case 0:
		arg = NULL;
		break;
	case 1:
		arg = (void *)(0xffffffff81000000UL + rnd() % 4096);
		break;
	case 2:
		arg = f->none;
		break;
	case 3:
		arg = (char *)a + 1 + rnd() % 7;
		memmove(arg, a, 248);
		break;
	case 4:
		/* The struct ends at a PROT_NONE page. */
		arg = f->none - 8;
		break;
	default:
		arg = a;
	}
	ret = ioctl(f->fd, cmd, arg);
	f->calls++;
	if (!ret) {
		f->ok++;
		if (cmd == SDXI_IOC_CREATE_CONTEXT && arg == a) {
			uint32_t id = ((struct sdxi_create_context *)a)->out_context_id;

			if (f->nids < 8)
				f->ids[f->nids++] = id;
			else
				ctx_cmd(f->fd, SDXI_IOC_DESTROY_CONTEXT, id);
		}
	}
	/* Keep the number of live contexts and pins in check. */
	if (f->nids && rnd() % 64 == 0) {
		unsigned int k = rnd() % f->nids;

		ctx_cmd(f->fd, SDXI_IOC_DESTROY_CONTEXT, f->ids[k]);
		f->ids[k] = f->ids[--f->nids];
	}
}

static uint64_t fuzz_calls(void)
{
	const char *env = getenv("SDXI_FUZZ_CALLS");

	return env ? strtoull(env, NULL, 0) : 10000;
}

/* Open the device for fuzzing: NULL, or the reason to skip. */
static const char *fuzz_open(struct fuzz *f)
{
	struct sdxi_info info;

	f->fd = open(SDXI_DEV, O_RDWR);
	if (f->fd < 0 && (errno == ENOENT || errno == ENXIO || errno == ENODEV))
		return "no SDXI device";
	if (f->fd < 0 && (errno == EACCES || errno == EPERM))
		return "no permission to open " SDXI_DEV;
	if (f->fd >= 0 && !sdxi_get_info(f->fd, &info) &&
	    info.out_isolation != SDXI_ISOLATION_PASID)
		return "no PASID-capable IOMMU: user contexts refused";
	f->bufs = mmap(NULL, 64 * PG, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	f->none = mmap(NULL, 4 * PG, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	return NULL;
}

static void fuzz_run(struct fuzz *f, uint64_t n, uint64_t seed)
{
	uint64_t i;

	rng_state ^= seed;
	for (i = 0; i < n; i++)
		fuzz_one(f);
}

/* Nothing leaked once the file is closed, and a copy still works. */
static void no_leak_and_device_works(struct __test_metadata *_metadata, char *bufs)
{
	struct uctx x;
	char *a, *b;
	int fd;

	EXPECT_EQ(0, sdxi_counter("user_contexts"));
	EXPECT_EQ(0, sdxi_counter("pasids"));
	EXPECT_EQ(0, sdxi_counter("pinned_pages"));
	EXPECT_EQ(0, sdxi_counter("dmabufs"));
	EXPECT_EQ(0, sdxi_counter("open_files"));

	fd = open(SDXI_DEV, O_RDWR);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, uctx_create(fd, 0, 0, &x));
	a = bufs;
	b = bufs + 8 * PG;
	memset(a, 0x6b, PG);
	memset(b, 0, PG);
	ASSERT_EQ(0, map_mem(fd, x.c.out_context_id, a, PG, SDXI_MAP_READ));
	ASSERT_EQ(0, map_mem(fd, x.c.out_context_id, b, PG, SDXI_MAP_WRITE));
	{
		union sdxi_desc d;

		dsc_copy(&d, (uintptr_t)a, (uintptr_t)b, PG, 0);
		uctx_submit(&x, &d, 1);
	}
	ASSERT_EQ(0, uctx_wait(&x, 1, 5000));
	EXPECT_EQ(0, memcmp(a, b, PG));
	close(fd);
}

/* Fuzzing takes its time on a debug kernel: ten minutes per test. */
FIXTURE(fuzz) {
};

FIXTURE_SETUP(fuzz)
{
}

FIXTURE_TEARDOWN(fuzz)
{
}

TEST_F_TIMEOUT(fuzz, every_ioctl_then_no_leak_and_device_works, 600)
{
	uint64_t n = fuzz_calls();
	struct fuzz f = {};
	const char *why = fuzz_open(&f);

	if (why)
		SKIP(return, "%s", why);
	ASSERT_LE(0, f.fd);
	ASSERT_NE(MAP_FAILED, f.bufs);
	ASSERT_NE(MAP_FAILED, f.none);
	fuzz_run(&f, n, (uint64_t)getpid() << 20);
	TH_LOG("%llu calls, %llu succeeded", (unsigned long long)f.calls,
	       (unsigned long long)f.ok);
	ksft_print_msg("fuzz: %llu calls, %llu succeeded\n",
		       (unsigned long long)f.calls, (unsigned long long)f.ok);
	close(f.fd);
	no_leak_and_device_works(_metadata, f.bufs);
}

struct fuzz_thread {
	pthread_t thread;
	struct fuzz f;
	uint64_t n, seed;
};

static void *fuzz_thread_run(void *data)
{
	struct fuzz_thread *t = data;

	fuzz_run(&t->f, t->n, t->seed);
	return NULL;
}

TEST_F_TIMEOUT(fuzz, two_threads_on_one_file_then_no_leak_and_device_works, 600)
{
	uint64_t n = fuzz_calls();
	struct fuzz_thread t[2] = {};
	const char *why = fuzz_open(&t[0].f);
	int i;

	if (why)
		SKIP(return, "%s", why);
	ASSERT_LE(0, t[0].f.fd);
	ASSERT_NE(MAP_FAILED, t[0].f.bufs);
	ASSERT_NE(MAP_FAILED, t[0].f.none);
	/* The second thread shares the file, not the memory or the IDs. */
	t[1].f.fd = t[0].f.fd;
	t[1].f.bufs = mmap(NULL, 64 * PG, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	t[1].f.none = mmap(NULL, 4 * PG, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, t[1].f.bufs);
	ASSERT_NE(MAP_FAILED, t[1].f.none);
	for (i = 0; i < 2; i++) {
		t[i].n = n;
		t[i].seed = ((uint64_t)getpid() << 20) + 7919 * (i + 1);
		ASSERT_EQ(0, pthread_create(&t[i].thread, NULL, fuzz_thread_run, &t[i]));
	}
	for (i = 0; i < 2; i++)
		pthread_join(t[i].thread, NULL);
	ksft_print_msg("fuzz, two threads on one file: %llu + %llu calls, %llu + %llu succeeded\n",
		       (unsigned long long)t[0].f.calls, (unsigned long long)t[1].f.calls,
		       (unsigned long long)t[0].f.ok, (unsigned long long)t[1].f.ok);
	close(t[0].f.fd);
	no_leak_and_device_works(_metadata, t[0].f.bufs);
}

TEST_HARNESS_MAIN
