// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/sdxiN: ABI shape, user-mapped contexts, completion, interrupts,
 * dma-buf import, teardown, and attacks on isolation (Documentation/uapi.rst).
 *
 * Raw UAPI only.  Every test SKIPs without an SDXI device, without
 * permission to open it, or (where isolation matters) without a
 * PASID-capable IOMMU.  Attack tests check three things: the access was
 * blocked, it was reported as a context error with a decoded record, and
 * canary memory next to the target did not change.
 */
#include <limits.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stddef.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/capability.h>
#include <linux/dma-heap.h>
#include <linux/udmabuf.h>

#include "../kselftest_harness.h"
#include "sdxi_common.h"

#define PG		4096UL
#define BUF_PAGES	16

/* ---- ABI shape (Documentation/uapi.rst, "ioctl format") ------------- */
FIXTURE(dev) {
	int fd;
};

FIXTURE_SETUP(dev)
{
	OPEN_OR_SKIP(&self->fd);
}

FIXTURE_TEARDOWN(dev)
{
	if (self->fd >= 0)
		close(self->fd);
}

/* Setup and teardown alone neither crash nor leak. */
TEST_F(dev, open_close)
{
}

TEST_F(dev, info_reports_abi_and_limits)
{
	struct sdxi_info i;

	ASSERT_EQ(0, sdxi_get_info(self->fd, &i));
	EXPECT_EQ(SDXI_ABI_VERSION, i.out_abi_version);
	EXPECT_EQ(0x10000, i.out_sdxi_version);
	EXPECT_EQ(1024, i.out_min_ring_entries);
	EXPECT_LE(i.out_min_ring_entries, i.out_max_ring_entries);
	EXPECT_EQ(0, i.out_op_groups & SDXI_OPB_ADMIN);
	EXPECT_NE(0, i.out_op_groups & SDXI_OPB_DMAB);
	EXPECT_GE(i.out_db_stride, 4096);
	EXPECT_LE(i.out_free_contexts, i.out_max_contexts);
	if (i.out_isolation == SDXI_ISOLATION_PASID) {
		EXPECT_EQ(0x200000000000ULL, i.out_kernel_iova);
		EXPECT_NE(0, i.out_kernel_iova_size);
		EXPECT_NE(0, i.out_flags & SDXI_INFO_F_DMABUF);
	}
}

/* One ioctl's argument, as big as any of them, for the shape tests. */
struct any_arg {
	union {
		struct sdxi_info info;
		struct sdxi_create_context create;
		struct sdxi_context_cmd cmd;
		struct sdxi_context_status status;
		struct sdxi_map_mem map;
		struct sdxi_map_dmabuf dmabuf;
		struct sdxi_unmap_dmabuf unmap_dmabuf;
		struct sdxi_set_eventfd eventfd;
	};
	unsigned char tail[64];
};

/* Each ioctl with the size of its struct's first version (the minimum). */
static const struct {
	unsigned long cmd;
	uint32_t size;
	const char *name;
} ioctls[] = {
	{ SDXI_IOC_GET_INFO, sizeof(struct sdxi_info), "GET_INFO" },
	/* Its first version: isolation and out_isolation came later. */
	{ SDXI_IOC_CREATE_CONTEXT, offsetof(struct sdxi_create_context, isolation), "CREATE" },
	{ SDXI_IOC_DESTROY_CONTEXT, sizeof(struct sdxi_context_cmd), "DESTROY" },
	{ SDXI_IOC_RESET_CONTEXT, sizeof(struct sdxi_context_cmd), "RESET" },
	{ SDXI_IOC_CONTEXT_STATUS, sizeof(struct sdxi_context_status), "STATUS" },
	{ SDXI_IOC_MAP_MEM, sizeof(struct sdxi_map_mem), "MAP_MEM" },
	{ SDXI_IOC_UNMAP_MEM, sizeof(struct sdxi_map_mem), "UNMAP_MEM" },
	{ SDXI_IOC_MAP_DMABUF, sizeof(struct sdxi_map_dmabuf), "MAP_DMABUF" },
	{ SDXI_IOC_UNMAP_DMABUF, sizeof(struct sdxi_unmap_dmabuf), "UNMAP_DMABUF" },
	{ SDXI_IOC_SET_EVENTFD, sizeof(struct sdxi_set_eventfd), "SET_EVENTFD" },
};

TEST_F(dev, size_one_byte_short_is_einval)
{
	struct any_arg a;
	unsigned int i;

	for (i = 0; i < sizeof(ioctls) / sizeof(ioctls[0]); i++) {
		memset(&a, 0, sizeof(a));
		a.cmd.size = ioctls[i].size - 1;
		EXPECT_EQ(-EINVAL, sdxi_ioc(self->fd, ioctls[i].cmd, &a))
			TH_LOG("%s", ioctls[i].name);
	}
}

/* The tail lies past what any kernel (the test configuration too) knows. */
TEST_F(dev, longer_with_nonzero_tail_is_e2big)
{
	struct any_arg a;
	unsigned int i;

	for (i = 0; i < sizeof(ioctls) / sizeof(ioctls[0]); i++) {
		memset(&a, 0, sizeof(a));
		a.cmd.size = ioctls[i].size + 32;
		((unsigned char *)&a)[ioctls[i].size + 27] = 1;
		EXPECT_EQ(-E2BIG, sdxi_ioc(self->fd, ioctls[i].cmd, &a))
			TH_LOG("%s", ioctls[i].name);
	}
}

/*
 * Longer with a zero tail behaves as the exact size: GET_INFO succeeds,
 * the context ioctls find no context 0xfffe (ENOENT), and nothing is
 * written past the declared size.
 */
TEST_F(dev, longer_with_zero_tail_is_accepted_and_not_overwritten)
{
	struct any_arg a;
	unsigned int i, k;

	for (i = 0; i < sizeof(ioctls) / sizeof(ioctls[0]); i++) {
		unsigned long cmd = ioctls[i].cmd;
		int ret;

		if (cmd == SDXI_IOC_CREATE_CONTEXT)
			continue;
		memset(&a, 0, sizeof(a));
		a.cmd.size = ioctls[i].size + 8;
		a.cmd.context_id = 0xfffe;
		if (cmd == SDXI_IOC_MAP_MEM || cmd == SDXI_IOC_UNMAP_MEM) {
			a.map.vaddr = 0x10000;
			a.map.length = PG;
			a.map.flags = cmd == SDXI_IOC_MAP_MEM ? SDXI_MAP_READ : 0;
		}
		if (cmd == SDXI_IOC_SET_EVENTFD)
			a.eventfd.fd = -1;
		if (cmd == SDXI_IOC_MAP_DMABUF) {
			a.dmabuf.iova = 0x10000;
			a.dmabuf.length = PG;
			a.dmabuf.flags = SDXI_MAP_READ;
		}
		/* Poison past the declared size (which ends 8 bytes later). */
		memset((char *)&a + ioctls[i].size + 8, 0xaa,
		       sizeof(a) - ioctls[i].size - 8);
		ret = sdxi_ioc(self->fd, cmd, &a);
		if (cmd == SDXI_IOC_GET_INFO) {
			EXPECT_EQ(0, ret);
		} else {
			EXPECT_EQ(-ENOENT, ret) TH_LOG("%s", ioctls[i].name);
		}
		for (k = ioctls[i].size + 8; k < sizeof(a); k++)
			if (((unsigned char *)&a)[k] != 0xaa)
				break;
		EXPECT_EQ(sizeof(a), k) TH_LOG("%s wrote past the size", ioctls[i].name);
	}
}

/* GET_INFO with the exact size writes nothing past it. */
TEST_F(dev, get_info_writes_only_declared_size)
{
	struct any_arg a;
	unsigned int k;

	memset(&a, 0xaa, sizeof(a));
	memset(&a.info, 0, sizeof(a.info));
	a.info.size = sizeof(a.info);
	ASSERT_EQ(0, sdxi_ioc(self->fd, SDXI_IOC_GET_INFO, &a));
	for (k = sizeof(a.info); k < sizeof(a); k++)
		ASSERT_EQ(0xaa, ((unsigned char *)&a)[k]);
}

/*
 * The ABI extension test.  The kernel's test configuration (Kbuild
 * SDXI_TEST=1, the module the test VM loads; SDXI_TEST_BUILD=1 in the
 * environment says so) appends one member to GET_INFO's struct, as a later
 * ABI version would, and answers it with its value + 1.  A binary built
 * against the first version passes the old size: accepted, with nothing
 * written past it.  The new size reads and writes the new member; a larger
 * size needs a zero tail (E2BIG otherwise); below the first version's size
 * is EINVAL.  Against the plain module the new member is an unknown
 * non-zero tail: E2BIG, and the test skips unless the test build is
 * required.
 */
struct sdxi_info_extended {
	struct sdxi_info v1;
	uint64_t test_echo;
};

TEST_F(dev, extended_struct_old_size_new_size_and_unknown_tail)
{
	struct {
		struct sdxi_info_extended x;
		unsigned char tail[16];
	} a;
	unsigned int k;
	int ret;

	memset(&a, 0, sizeof(a));
	a.x.v1.size = sizeof(a.x);
	a.x.test_echo = 41;
	ret = sdxi_ioc(self->fd, SDXI_IOC_GET_INFO, &a);
	if (ret == -E2BIG && !getenv("SDXI_TEST_BUILD"))
		SKIP(return, "not the test configuration of sdxi.ko");
	/* The new size: the appended member is known both ways. */
	ASSERT_EQ(0, ret);
	EXPECT_EQ(42, a.x.test_echo);
	EXPECT_EQ(SDXI_ABI_VERSION, a.x.v1.out_abi_version);

	/* The old size, as every binary built before the extension passes. */
	memset(&a, 0xaa, sizeof(a));
	memset(&a.x.v1, 0, sizeof(a.x.v1));
	a.x.v1.size = sizeof(a.x.v1);
	ASSERT_EQ(0, sdxi_ioc(self->fd, SDXI_IOC_GET_INFO, &a));
	EXPECT_EQ(SDXI_ABI_VERSION, a.x.v1.out_abi_version);
	for (k = sizeof(a.x.v1); k < sizeof(a); k++)
		if (((unsigned char *)&a)[k] != 0xaa)
			break;
	EXPECT_EQ(sizeof(a), k) TH_LOG("byte %u past the old size written", k);

	/* Larger than the new size with a zero tail: as the new size. */
	memset(&a, 0, sizeof(a));
	a.x.v1.size = sizeof(a);
	a.x.test_echo = 41;
	ASSERT_EQ(0, sdxi_ioc(self->fd, SDXI_IOC_GET_INFO, &a));
	EXPECT_EQ(42, a.x.test_echo);
	for (k = 0; k < sizeof(a.tail); k++)
		EXPECT_EQ(0, a.tail[k]);

	/* A non-zero byte past the new member: E2BIG, nothing written. */
	memset(&a, 0, sizeof(a));
	a.x.v1.size = sizeof(a);
	a.x.test_echo = 41;
	a.tail[5] = 1;
	EXPECT_EQ(-E2BIG, sdxi_ioc(self->fd, SDXI_IOC_GET_INFO, &a));
	EXPECT_EQ(41, a.x.test_echo);
	EXPECT_EQ(0, a.x.v1.out_abi_version);

	/* Below the first version: EINVAL. */
	memset(&a, 0, sizeof(a));
	a.x.v1.size = sizeof(a.x.v1) - 8;
	EXPECT_EQ(-EINVAL, sdxi_ioc(self->fd, SDXI_IOC_GET_INFO, &a));
	a.x.v1.size = 8;
	EXPECT_EQ(-EINVAL, sdxi_ioc(self->fd, SDXI_IOC_GET_INFO, &a));
}

TEST_F(dev, unknown_ioctl_is_enotty)
{
	struct any_arg a = {};
	unsigned long cmds[] = {
		_IO(SDXI_TYPE, 0x0a), _IO(SDXI_TYPE, 0xff), _IO('X', 1),
		_IOWR(SDXI_TYPE, SDXI_CMD_GET_INFO, struct sdxi_info),
		0, 0xffffffff,
	};
	unsigned int i;

	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		EXPECT_EQ(-ENOTTY, sdxi_ioc(self->fd, cmds[i], &a));
}

TEST_F(dev, null_argument_is_efault)
{
	void *volatile null = NULL;
	unsigned int i;

	for (i = 0; i < sizeof(ioctls) / sizeof(ioctls[0]); i++) {
		int ret = sdxi_ioc(self->fd, ioctls[i].cmd, null);

		EXPECT_EQ(-EFAULT, ret) TH_LOG("%s", ioctls[i].name);
	}
}

TEST_F(dev, flags_and_reserved_must_be_zero)
{
	struct sdxi_info info = { .size = sizeof(info), .flags = 1 };
	struct sdxi_create_context c = { .size = sizeof(c), .flags = 0x80 };
	struct sdxi_context_cmd cmd = { .size = sizeof(cmd), .__reserved = 1 };

	/* Unknown flag bits. */
	EXPECT_EQ(-EINVAL, sdxi_ioc(self->fd, SDXI_IOC_GET_INFO, &info));
	EXPECT_EQ(-EINVAL, sdxi_ioc(self->fd, SDXI_IOC_CREATE_CONTEXT, &c));
	/* Reserved fields. */
	c.flags = 0;
	c.__reserved = 1;
	EXPECT_EQ(-EINVAL, sdxi_ioc(self->fd, SDXI_IOC_CREATE_CONTEXT, &c));
	EXPECT_EQ(-EINVAL, sdxi_ioc(self->fd, SDXI_IOC_DESTROY_CONTEXT, &cmd));
	EXPECT_EQ(-EINVAL, sdxi_ioc(self->fd, SDXI_IOC_RESET_CONTEXT, &cmd));
}

TEST_F(dev, ring_sizes_out_of_range_are_einval)
{
	struct sdxi_info i;
	struct uctx x;

	ASSERT_EQ(0, sdxi_get_info(self->fd, &i));
	EXPECT_EQ(-EINVAL, uctx_create(self->fd, 0, 1023, &x));
	EXPECT_EQ(-EINVAL, uctx_create(self->fd, 0, i.out_max_ring_entries + 1, &x));
}

TEST_F(dev, unknown_context_is_enoent)
{
	struct sdxi_context_status s;
	struct sdxi_set_eventfd e = { .size = sizeof(e), .context_id = 77, .fd = -1 };
	char buf[PG] __attribute__((aligned(4096)));

	EXPECT_EQ(-ENOENT, ctx_cmd(self->fd, SDXI_IOC_DESTROY_CONTEXT, 77));
	EXPECT_EQ(-ENOENT, ctx_cmd(self->fd, SDXI_IOC_RESET_CONTEXT, 77));
	EXPECT_EQ(-ENOENT, ctx_status(self->fd, 77, &s, NULL, 0));
	EXPECT_EQ(-ENOENT, map_mem(self->fd, 77, buf, PG, SDXI_MAP_READ));
	EXPECT_EQ(-ENOENT, unmap_mem(self->fd, 77, buf, PG));
	EXPECT_EQ(-ENOENT, sdxi_ioc(self->fd, SDXI_IOC_SET_EVENTFD, &e));
}

/* Without a PASID-capable IOMMU user contexts are refused (tools/vm/run --iommu none). */
TEST_F(dev, create_refused_without_iommu)
{
	struct sdxi_info i;
	struct uctx x;

	ASSERT_EQ(0, sdxi_get_info(self->fd, &i));
	if (i.out_isolation == SDXI_ISOLATION_PASID)
		SKIP(return, "the IOMMU isolates user contexts here");
	if (i.out_isolation == SDXI_ISOLATION_NONE)
		SKIP(return, "allow_unsafe_noiommu is set");
	EXPECT_EQ(0, i.out_isolation);
	EXPECT_EQ(-EOPNOTSUPP, uctx_create(self->fd, 0, 0, &x));
	EXPECT_EQ(0, sdxi_counter("user_contexts"));
}

/*
 * Unsafe no-IOMMU mode (allow_unsafe_noiommu=1, CAP_SYS_RAWIO): contexts
 * work with bus addresses and the kernel is tainted.
 */
TEST_F(dev, unsafe_noiommu_mode_copies_with_bus_addresses)
{
	char *a = alloc_pages_filled(1, 0x21), *b = alloc_pages_filled(1, 0);
	struct sdxi_map_mem m = { .size = sizeof(m), .flags = SDXI_MAP_READ };
	uint64_t src, dst;
	unsigned long tainted = 0;
	struct sdxi_info i;
	union sdxi_desc d;
	struct uctx x;
	FILE *f;

	ASSERT_EQ(0, sdxi_get_info(self->fd, &i));
	if (i.out_isolation != SDXI_ISOLATION_NONE)
		SKIP(return, "not in unsafe no-IOMMU mode");
	ASSERT_EQ(0, uctx_create(self->fd, 0, 0, &x));
	EXPECT_EQ(0, x.c.out_pasid);
	m.context_id = x.c.out_context_id;
	m.vaddr = (uintptr_t)a;
	m.length = PG;
	ASSERT_EQ(0, sdxi_ioc(self->fd, SDXI_IOC_MAP_MEM, &m));
	src = m.out_iova;
	m.vaddr = (uintptr_t)b;
	m.flags = SDXI_MAP_WRITE;
	ASSERT_EQ(0, sdxi_ioc(self->fd, SDXI_IOC_MAP_MEM, &m));
	dst = m.out_iova;
	EXPECT_NE((uintptr_t)a, src);
	dsc_copy(&d, src, dst, PG, 0);
	uctx_submit(&x, &d, 1);
	ASSERT_EQ(0, uctx_wait(&x, 1, 5000));
	EXPECT_TRUE(all_bytes(b, PG, 0x21));
	f = fopen("/proc/sys/kernel/tainted", "r");
	ASSERT_NE(NULL, f);
	ASSERT_EQ(1, fscanf(f, "%lu", &tainted));
	fclose(f);
	/* TAINT_USER */
	EXPECT_NE(0, tainted & (1UL << 6));
	uctx_destroy(&x);
}

/* ---- contexts: create, limits, lifetime ------------------------------ */
/*
 * One file cannot take the function: a file stops at its limit, the
 * opener's user (uid) at its own across files and processes (EDQUOT), and
 * GET_INFO says what is left; everything comes back at close and exit.
 */
TEST_F(dev, create_until_the_file_and_user_limits_across_fds_and_processes)
{
	struct sdxi_create_context c = { .size = sizeof(c) };
	long long pasids0 = sdxi_counter("pasids");
	long long per_file = sdxi_param("max_contexts_per_file");
	long long per_user = sdxi_param("max_contexts_per_user");
	int fds[3], n[3], err[3], i, st;
	int pipefd[2];
	struct sdxi_info info;
	pid_t pid;
	char got;

	REQUIRE_ISOLATION(self->fd);
	if (per_file < 0 || per_user < 0)
		SKIP(return, "no limit parameters in /sys/module/sdxi/parameters");
	ASSERT_EQ(0, sdxi_get_info(self->fd, &info));
	/* The defaults leave other users room on a function of ours. */
	EXPECT_LT(per_user, info.out_max_contexts);
	EXPECT_LE(per_file, per_user);
	EXPECT_EQ(per_file, info.out_free_contexts);
	ASSERT_EQ(0, pipe(pipefd));

	/* Another process of the same user holds a few contexts meanwhile. */
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		int cfd = open(SDXI_DEV, O_RDWR);
		int k;

		for (k = 0; k < 5; k++)
			if (sdxi_ioc(cfd, SDXI_IOC_CREATE_CONTEXT, &c))
				_exit(1);
		if (write(pipefd[1], "x", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	ASSERT_EQ(1, read(pipefd[0], &got, 1));
	EXPECT_EQ(5, sdxi_counter("user_contexts"));

	for (i = 0; i < 3; i++) {
		fds[i] = open(SDXI_DEV, O_RDWR);
		ASSERT_GE(fds[i], 0);
		n[i] = create_until_failure(fds[i], 0, &err[i]);
		EXPECT_EQ(-EDQUOT, err[i]);
	}
	/* The first file stops at its own limit... */
	EXPECT_EQ(per_file, n[0]);
	/* ...the user at its limit, the other process's five included. */
	EXPECT_EQ(per_user - 5, n[0] + n[1] + n[2]);
	EXPECT_EQ(per_user, sdxi_counter("user_contexts"));
	EXPECT_EQ(pasids0 + per_user, sdxi_counter("pasids"));
	ASSERT_EQ(0, sdxi_get_info(fds[2], &info));
	EXPECT_EQ(0, info.out_free_contexts);
	TH_LOG("per file %lld, per user %lld: files got %d, %d, %d (+5 elsewhere)",
	       per_file, per_user, n[0], n[1], n[2]);

	for (i = 0; i < 3; i++)
		close(fds[i]);
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	/* Everything came back after close and exit. */
	EXPECT_EQ(0, sdxi_counter("user_contexts"));
	EXPECT_EQ(pasids0, sdxi_counter("pasids"));
	ASSERT_EQ(0, sdxi_get_info(self->fd, &info));
	EXPECT_EQ(per_file, info.out_free_contexts);
}

/* A context with buffers registered: src (read), dst (write), canaries. */
FIXTURE(ctx) {
	int fd;
	struct uctx x;
	char *src, *dst;
	bool stalled;
};

FIXTURE_VARIANT(ctx) {
	uint32_t flags;
	uint32_t entries;
};

FIXTURE_VARIANT_ADD(ctx, polled) { .flags = 0, .entries = 0 };
FIXTURE_VARIANT_ADD(ctx, interrupt_1500) {
	.flags = SDXI_CTX_F_INTERRUPT, .entries = 1500
};

FIXTURE_SETUP(ctx)
{
	OPEN_OR_SKIP(&self->fd);
	REQUIRE_ISOLATION(self->fd);
	ASSERT_EQ(0, uctx_create(self->fd, variant->flags, variant->entries, &self->x));
	self->src = alloc_pages_filled(BUF_PAGES, 0x5a);
	self->dst = alloc_pages_filled(BUF_PAGES, 0);
	ASSERT_NE(NULL, self->src);
	ASSERT_NE(NULL, self->dst);
	ASSERT_EQ(0, map_mem(self->fd, self->x.c.out_context_id, self->src,
			     BUF_PAGES * PG, SDXI_MAP_READ));
	ASSERT_EQ(0, map_mem(self->fd, self->x.c.out_context_id, self->dst,
			     BUF_PAGES * PG, SDXI_MAP_READ | SDXI_MAP_WRITE));
}

FIXTURE_TEARDOWN(ctx)
{
	/* Never leave the engine stalled for the next test. */
	if (self->stalled)
		qom_set("stall", "false");
	if (self->fd >= 0)
		close(self->fd);
}

static uint32_t id_of(struct uctx *x)
{
	return x->c.out_context_id;
}

TEST_F(ctx, create_reports_regions)
{
	struct sdxi_create_context *c = &self->x.c;
	uint32_t n = variant->entries ?: 1024;

	EXPECT_EQ(n, c->out_ring_entries);
	EXPECT_EQ((n * 64 + PG - 1) / PG * PG, c->out_ring_size);
	EXPECT_EQ((n * 32 + PG - 1) / PG * PG, c->out_csb_size);
	EXPECT_EQ(PG, c->out_wi_size);
	EXPECT_EQ(PG, c->out_sts_size);
	EXPECT_NE(0, c->out_pasid);
	EXPECT_EQ(0, c->out_akey_data);
	EXPECT_EQ(variant->flags ? 1 : 0xffff, c->out_akey_intr);
	EXPECT_GE(c->out_ring_iova, 0x200000000000ULL);
	/* Started and ready when CREATE returns. */
	EXPECT_EQ(SDXI_CXTV_RUN, self->x.sts->state & SDXI_CXT_STS_STATE);
	EXPECT_EQ(0, self->x.sts->read_index);
}

/* Per-context debugfs entry: owner, PASID, ring, pinned bytes. */
TEST_F(ctx, debugfs_shows_the_context)
{
	char path[128], text[512], want[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), SDXI_DEBUGFS "cxt%u", id_of(&self->x));
	fd = open(path, O_RDONLY);
	if (fd < 0)
		SKIP(return, "no debugfs");
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	ASSERT_GT(n, 0);
	text[n] = 0;
	snprintf(want, sizeof(want), "pid=%d\n", getpid());
	EXPECT_NE(NULL, strstr(text, want)) TH_LOG("%s", text);
	snprintf(want, sizeof(want), "pasid=%u\n", self->x.c.out_pasid);
	EXPECT_NE(NULL, strstr(text, want));
	snprintf(want, sizeof(want), "ring_entries=%u\n", self->x.c.out_ring_entries);
	EXPECT_NE(NULL, strstr(text, want));
	snprintf(want, sizeof(want), "pinned_bytes=%lu\n", 2 * BUF_PAGES * PG);
	EXPECT_NE(NULL, strstr(text, want));
	EXPECT_NE(NULL, strstr(text, "completed=0\n"));
}

TEST_F(ctx, nop_through_the_mapped_ring)
{
	union sdxi_desc d;

	dsc_nop(&d);
	uctx_submit(&self->x, &d, 1);
	ASSERT_EQ(0, uctx_wait(&self->x, 1, 5000));
}

TEST_F(ctx, copy_completes_with_csb_and_read_index)
{
	struct sdxi_context_status s;
	union sdxi_desc d;
	uint32_t slot;

	dsc_copy(&d, (uintptr_t)self->src, (uintptr_t)self->dst, 3 * PG + 100, 0);
	uctx_use_slot_csb(&self->x, &d, self->x.w);
	slot = self->x.w % self->x.c.out_ring_entries;
	uctx_submit(&self->x, &d, 1);
	ASSERT_EQ(0, uctx_wait(&self->x, 1, 5000));
	EXPECT_EQ(0, self->x.csb[slot].signal);
	EXPECT_EQ(0, self->x.csb[slot].flags & SDXI_CST_BLK_ER);
	EXPECT_TRUE(all_bytes(self->dst, 3 * PG + 100, 0x5a));
	EXPECT_TRUE(all_bytes(self->dst + 3 * PG + 100, PG - 100, 0));
	ASSERT_EQ(0, ctx_status(self->fd, id_of(&self->x), &s, NULL, 0));
	EXPECT_EQ(SDXI_CXTV_RUN, s.out_state);
	EXPECT_EQ(1, s.out_read_index);
	EXPECT_EQ(0, s.out_errors);
}

/* Three laps of the ring, batches of 64 behind one doorbell, every slot's CST_BLK. */
TEST_F(ctx, copy_wraps_ring_three_times)
{
	uint32_t n = self->x.c.out_ring_entries, total = 3 * n + 7, i, k;
	union sdxi_desc d[64];

	for (i = 0; i < total; i += k) {
		for (k = 0; k < 64 && i + k < total; k++) {
			uint32_t off = ((i + k) % (BUF_PAGES * 16)) * 256;

			self->src[off] = (char)(i + k);
			dsc_copy(&d[k], (uintptr_t)self->src + off,
				 (uintptr_t)self->dst + off, 256, 0);
			uctx_use_slot_csb(&self->x, &d[k], self->x.w + k);
		}
		uctx_submit(&self->x, d, k);
		ASSERT_EQ(0, uctx_wait(&self->x, self->x.w, 10000)) TH_LOG("at %u", i);
	}
	EXPECT_EQ(total, self->x.sts->read_index);
	for (i = 0; i < n; i++)
		ASSERT_EQ(0, self->x.csb[i].flags & SDXI_CST_BLK_ER);
	EXPECT_EQ(0, memcmp(self->src, self->dst, BUF_PAGES * PG));
}

TEST_F(ctx, eventfd_and_poll_report_completion_interrupts)
{
	struct sdxi_set_eventfd e = { .size = sizeof(e), .context_id = id_of(&self->x) };
	struct pollfd p[2];
	union sdxi_desc d[2];
	uint64_t v;
	int efd;

	if (!variant->flags) {
		/* No interrupt AKey: an eventfd cannot be attached. */
		e.fd = -1;
		EXPECT_EQ(-EINVAL, sdxi_ioc(self->fd, SDXI_IOC_SET_EVENTFD, &e));
		return;
	}
	efd = eventfd(0, EFD_NONBLOCK);
	ASSERT_GE(efd, 0);
	e.fd = efd;
	ASSERT_EQ(0, sdxi_ioc(self->fd, SDXI_IOC_SET_EVENTFD, &e));
	p[0] = (struct pollfd){ .fd = efd, .events = POLLIN };
	p[1] = (struct pollfd){ .fd = self->fd, .events = POLLIN };
	/* Nothing yet: poll says so, a non-blocking read too. */
	EXPECT_EQ(0, poll(p, 2, 0));
	fcntl(self->fd, F_SETFL, O_NONBLOCK);
	EXPECT_EQ(-1, read(self->fd, &v, 8));
	EXPECT_EQ(EAGAIN, errno);

	dsc_copy(&d[0], (uintptr_t)self->src, (uintptr_t)self->dst, PG, 0);
	dsc_intr(&d[1], self->x.c.out_akey_intr);
	uctx_submit(&self->x, d, 2);
	ASSERT_EQ(1, poll(&p[0], 1, 5000));
	ASSERT_EQ(8, read(efd, &v, 8));
	EXPECT_GE(v, 1);
	ASSERT_EQ(1, poll(&p[1], 1, 5000));
	EXPECT_TRUE(p[1].revents & POLLIN);
	EXPECT_EQ(0, p[1].revents & (POLLERR | POLLPRI));
	ASSERT_EQ(8, read(self->fd, &v, 8));
	EXPECT_GE(v, 1);
	EXPECT_TRUE(all_bytes(self->dst, PG, 0x5a));
	/* Removing the eventfd. */
	e.fd = -1;
	EXPECT_EQ(0, sdxi_ioc(self->fd, SDXI_IOC_SET_EVENTFD, &e));
	close(efd);
}

TEST_F(ctx, poll_reports_context_error_until_reset)
{
	struct pollfd p = { .fd = self->fd, .events = POLLIN | POLLPRI };
	union sdxi_desc d;
	int i;

	/* A copy from an unregistered address fails the context. */
	dsc_copy(&d, 0x10000, (uintptr_t)self->dst, 64, 0);
	uctx_submit(&self->x, &d, 1);
	EXPECT_EQ(-EIO, uctx_wait(&self->x, 1, 5000));
	for (i = 0; i < 50 && !(p.revents & POLLPRI); i++)
		poll(&p, 1, 100);
	EXPECT_TRUE(p.revents & POLLPRI);
	EXPECT_TRUE(p.revents & POLLERR);
	ASSERT_EQ(0, ctx_cmd(self->fd, SDXI_IOC_RESET_CONTEXT, id_of(&self->x)));
	self->x.w = 0;
	EXPECT_EQ(0, poll(&p, 1, 0));
	EXPECT_EQ(0, self->x.sts->read_index);
	EXPECT_EQ(0, *self->x.wi);
	/* The same mappings work after the reset. */
	dsc_copy(&d, (uintptr_t)self->src, (uintptr_t)self->dst, 64, 0);
	uctx_submit(&self->x, &d, 1);
	EXPECT_EQ(0, uctx_wait(&self->x, 1, 5000));
}

/* ---- an administrator's reset (reset_context, Documentation/driver.rst) - */
/*
 * Root writes @id to reset_context: 0 or -errno.  With SDXI_RESET_CMD set
 * (e.g. "sdxictl reset sdxi0"), that command is run with the ID instead;
 * its exit status 3 (no such context) reads as -ENOENT, 4 (needs root) as
 * -EPERM.
 */
static int admin_reset(uint32_t id)
{
	const char *cmd = getenv("SDXI_RESET_CMD");
	char s[256];
	int st;

	if (!cmd) {
		snprintf(s, sizeof(s), "%u", id);
		return write_file(SDXI_SYSFS "reset_context", s);
	}
	snprintf(s, sizeof(s), "%s %u >/dev/null 2>&1", cmd, id);
	st = system(s);
	if (st < 0 || !WIFEXITED(st))
		return -EIO;
	switch (WEXITSTATUS(st)) {
	case 0:
		return 0;
	case 3:
		return -ENOENT;
	case 4:
		return -EPERM;
	default:
		return -EIO;
	}
}

/* Fail the context with a copy from an unregistered address; wait for it. */
static void fail_context(struct __test_metadata *_metadata, FIXTURE_DATA(ctx) *self)
{
	struct sdxi_context_status s;
	union sdxi_desc d;

	dsc_copy(&d, 0x10000, (uintptr_t)self->dst, 64, 0);
	uctx_submit(&self->x, &d, 1);
	ASSERT_EQ(-EIO, uctx_wait(&self->x, 1, 5000));
	ASSERT_EQ(0, ctx_status_wait_error(self->fd, id_of(&self->x), &s, NULL, 0, 5000));
}

/* errno of a write of @s to reset_context by uid 1000, or -EIO. */
static int admin_reset_as_user(const char *s)
{
	int st[2], err = -EIO;
	pid_t pid;

	if (pipe(st))
		return -errno;
	pid = fork();
	if (pid == 0) {
		if (setresgid(1000, 1000, 1000) || setresuid(1000, 1000, 1000))
			_exit(1);
		err = write_file(SDXI_SYSFS "reset_context", s);
		_exit(write(st[1], &err, sizeof(err)) == sizeof(err) ? 0 : 1);
	}
	close(st[1]);
	if (pid < 0 || read(st[0], &err, sizeof(err)) != sizeof(err))
		err = -EIO;
	close(st[0]);
	if (pid > 0)
		waitpid(pid, NULL, 0);
	return err;
}

TEST_F(ctx, admin_reset_restarts_a_context_stopped_by_an_error)
{
	struct pollfd p = { .fd = self->fd, .events = POLLIN | POLLPRI };
	struct sdxi_context_status s;
	union sdxi_desc d;

	fail_context(_metadata, self);
	EXPECT_EQ(1, poll(&p, 1, 0));
	EXPECT_TRUE(p.revents & POLLPRI);
	ASSERT_EQ(0, admin_reset(id_of(&self->x)));
	/* The owner sees what its own RESET_CONTEXT leaves. */
	self->x.w = 0;
	EXPECT_EQ(0, poll(&p, 1, 0));
	EXPECT_EQ(0, self->x.sts->read_index);
	EXPECT_EQ(0, *self->x.wi);
	ASSERT_EQ(0, ctx_status(self->fd, id_of(&self->x), &s, NULL, 0));
	EXPECT_EQ(SDXI_CXTV_RUN, s.out_state);
	EXPECT_EQ(0, s.out_errors);
	dsc_copy(&d, (uintptr_t)self->src, (uintptr_t)self->dst, 64, 0);
	uctx_submit(&self->x, &d, 1);
	EXPECT_EQ(0, uctx_wait(&self->x, 1, 5000));
	EXPECT_TRUE(all_bytes(self->dst, 64, 0x5a));
}

TEST_F(ctx, admin_reset_refuses_users_and_what_is_no_user_context)
{
	struct sdxi_context_status s;
	char id[16];

	fail_context(_metadata, self);
	snprintf(id, sizeof(id), "%u", id_of(&self->x));
	/* Another user: refused (the file is 0200 and needs CAP_SYS_ADMIN). */
	ASSERT_EQ(0, chmod(SDXI_SYSFS "reset_context", 0222));
	EXPECT_EQ(-EPERM, admin_reset_as_user(id));
	ASSERT_EQ(0, chmod(SDXI_SYSFS "reset_context", 0200));
	EXPECT_EQ(-EACCES, admin_reset_as_user(id));
	/* ...and the context is still stopped by its error. */
	ASSERT_EQ(0, ctx_status(self->fd, id_of(&self->x), &s, NULL, 0));
	EXPECT_NE(SDXI_CXTV_RUN, s.out_state);
	EXPECT_NE(0, s.out_errors);
	/* The admin context, free IDs and IDs past the function's. */
	EXPECT_EQ(-ENOENT, admin_reset(0));
	EXPECT_EQ(-ENOENT, admin_reset(65535));
	EXPECT_EQ(-ENOENT, admin_reset(70000));
	EXPECT_EQ(-EINVAL, write_file(SDXI_SYSFS "reset_context", "1x"));
	EXPECT_EQ(-EINVAL, write_file(SDXI_SYSFS "reset_context", "-1"));
	EXPECT_EQ(-EINVAL, write_file(SDXI_SYSFS "reset_context", "\n"));
	ASSERT_EQ(0, ctx_status(self->fd, id_of(&self->x), &s, NULL, 0));
	EXPECT_NE(SDXI_CXTV_RUN, s.out_state);
}

/*
 * A child creates, resets, destroys and closes contexts in a loop, and
 * now and then a process of its exits holding some, while root resets
 * every ID in reach: each write succeeds or finds no context, nothing
 * warns, and every counter is back to zero.
 */
TEST(admin_resets_race_create_destroy_and_close)
{
	long long tainted = read_ll("/proc/sys/kernel/tainted");
	uint64_t end;
	unsigned int ok = 0, gone = 0, other = 0, id;
	int fd, st;
	pid_t pid;

	OPEN_OR_SKIP(&fd);
	REQUIRE_ISOLATION(fd);
	close(fd);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		struct uctx x[4];
		unsigned int i, n;

		end = now_ms() + 4000;
		while (now_ms() < end) {
			fd = open(SDXI_DEV, O_RDWR);
			if (fd < 0)
				_exit(1);
			for (n = 0; n < 4 && !uctx_create(fd, 0, 0, &x[n]); n++)
				;
			for (i = 0; i < n; i++) {
				if (i % 2)
					uctx_unmap(&x[i]);
				if (i == 1 && uctx_destroy(&x[i]))
					_exit(2);
			}
			if (n > 2)
				ctx_cmd(fd, SDXI_IOC_RESET_CONTEXT, x[2].c.out_context_id);
			for (i = 0; i < n; i++)
				if (i % 2 == 0)
					uctx_unmap(&x[i]);
			/* Every other round, a process exits holding them. */
			if (n && !(x[0].c.out_context_id & 1)) {
				pid_t g = fork();

				if (g == 0) {
					int gfd = open(SDXI_DEV, O_RDWR);

					if (gfd < 0 || uctx_create(gfd, 0, 0, &x[0]) ||
					    uctx_create(gfd, 0, 0, &x[1]))
						_exit(1);
					_exit(0);
				}
				if (g < 0 || child_status(g))
					_exit(3);
			}
			close(fd);
		}
		_exit(0);
	}
	end = now_ms() + 4000;
	while (now_ms() < end) {
		for (id = 1; id <= 16; id++) {
			int err = admin_reset(id);

			if (!err)
				ok++;
			else if (err == -ENOENT)
				gone++;
			else
				other++;
		}
	}
	EXPECT_EQ(0, child_status(pid));
	TH_LOG("resets: %u done, %u no context, %u other", ok, gone, other);
	EXPECT_EQ(0, other);
	EXPECT_NE(0, ok);
	EXPECT_EQ(0, sdxi_counter("user_contexts"));
	EXPECT_EQ(0, sdxi_counter("pasids"));
	EXPECT_EQ(0, sdxi_counter("open_files"));
	EXPECT_EQ(0, sdxi_counter("pinned_pages"));
	st = (int)(read_ll("/proc/sys/kernel/tainted") & ~tainted);
	EXPECT_EQ(0, st & (1 << 9));	/* TAINT_WARN: no new kernel warning */
}

/* ---- dma-buf import --------------------------------------------------- */
/* dst <- dma-buf <- src, through the device, data checked. */
static void dmabuf_round_trip(struct __test_metadata *_metadata,
			      FIXTURE_DATA(ctx) *self, int buf, char *cpu)
{
	size_t len = 4 * PG;
	void *resv = mmap(NULL, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint64_t iova = (uintptr_t)resv;
	union sdxi_desc d[2];

	ASSERT_NE(MAP_FAILED, resv);
	memset(cpu, 0, len);
	ASSERT_EQ(0, map_dmabuf(self->fd, id_of(&self->x), buf, iova, len));
	EXPECT_EQ(1, sdxi_counter("dmabufs"));
	/* Overlapping an import is refused. */
	EXPECT_EQ(-EEXIST, map_dmabuf(self->fd, id_of(&self->x), buf, iova + PG, PG));
	dsc_copy(&d[0], (uintptr_t)self->src, iova, len, 0);
	dsc_copy(&d[1], iova, (uintptr_t)self->dst, len, 0);
	uctx_submit(&self->x, d, 2);
	ASSERT_EQ(0, uctx_wait(&self->x, self->x.w, 5000));
	EXPECT_TRUE(all_bytes(cpu, len, 0x5a));
	EXPECT_TRUE(all_bytes(self->dst, len, 0x5a));
	EXPECT_EQ(0, unmap_dmabuf(self->fd, id_of(&self->x), iova));
	EXPECT_EQ(-ENOENT, unmap_dmabuf(self->fd, id_of(&self->x), iova));
	EXPECT_EQ(0, sdxi_counter("dmabufs"));
	munmap(resv, len);
}

TEST_F(ctx, dmabuf_from_udmabuf_as_copy_source_and_target)
{
	void *cpu = NULL;
	int buf = udmabuf_new(4 * PG, &cpu);

	if (buf == -ENOENT)
		SKIP(return, "no /dev/udmabuf");
	ASSERT_GE(buf, 0);
	dmabuf_round_trip(_metadata, self, buf, cpu);
	close(buf);
}

TEST_F(ctx, dmabuf_from_system_heap_as_copy_source_and_target)
{
	void *cpu = NULL;
	int buf = heap_new(4 * PG, &cpu);

	if (buf == -ENOENT)
		SKIP(return, "no /dev/dma_heap/system");
	ASSERT_GE(buf, 0);
	dmabuf_round_trip(_metadata, self, buf, cpu);
	close(buf);
}

/* move_notify revokes the mapping (copies fault), a re-map restores it. */
TEST_F(ctx, dmabuf_move_revokes_then_remaps)
{
	struct sdxi_error_record rec;
	struct sdxi_context_status s;
	size_t len = 4 * PG;
	void *resv = mmap(NULL, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint64_t iova = (uintptr_t)resv;
	union sdxi_desc d;
	char *cpu;
	int buf = udmabuf_new(len, (void **)&cpu);

	if (buf == -ENOENT)
		SKIP(return, "no /dev/udmabuf");
	if (access(SDXI_DEBUGFS "dmabuf_move", W_OK)) {
		/* The test configuration of sdxi.ko has the hook. */
		ASSERT_EQ(NULL, getenv("SDXI_TEST_BUILD"));
		SKIP(return, "no debugfs dmabuf_move hook (not the test build)");
	}
	ASSERT_GE(buf, 0);
	memset(cpu, 0x11, len);
	ASSERT_EQ(0, map_dmabuf(self->fd, id_of(&self->x), buf, iova, len));
	/* As if the exporter moved it and the new place is not mapped yet. */
	ASSERT_EQ(0, write_file(SDXI_DEBUGFS "dmabuf_move", "0"));
	dsc_copy(&d, (uintptr_t)self->src, iova, len, 0);
	uctx_submit(&self->x, &d, 1);
	EXPECT_EQ(-EIO, uctx_wait(&self->x, 1, 5000));
	usleep(100000);
	ASSERT_EQ(0, ctx_status(self->fd, id_of(&self->x), &s, &rec, 1));
	EXPECT_EQ(1, s.nr_records);
	EXPECT_EQ(SDXI_ERR_XLATE, rec.reason);
	EXPECT_EQ(iova, rec.addr);
	EXPECT_TRUE(all_bytes(cpu, len, 0x11));
	/* Re-established: the same copy works. */
	ASSERT_EQ(0, write_file(SDXI_DEBUGFS "dmabuf_move", "1"));
	ASSERT_EQ(0, ctx_cmd(self->fd, SDXI_IOC_RESET_CONTEXT, id_of(&self->x)));
	self->x.w = 0;
	uctx_submit(&self->x, &d, 1);
	EXPECT_EQ(0, uctx_wait(&self->x, 1, 5000));
	EXPECT_TRUE(all_bytes(cpu, len, 0x5a));
	close(buf);
}

/* ---- mappings ----------------------------------------------------------- */
TEST_F(ctx, status_mapping_cannot_be_written)
{
	struct sdxi_create_context *c = &self->x.c;
	void *p;
	int st;
	pid_t pid;

	/* A writable mapping is refused. */
	p = mmap(NULL, c->out_sts_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		 self->fd, c->out_sts_offset);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EACCES, errno);
	/* Nor can a read-only one be made writable. */
	EXPECT_EQ(-1, mprotect((void *)self->x.sts, c->out_sts_size,
			       PROT_READ | PROT_WRITE));
	EXPECT_EQ(EACCES, errno);
	/* A store through the read-only mapping faults. */
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		int fd = open(SDXI_DEV, O_RDWR);
		struct uctx y;

		if (uctx_create(fd, 0, 0, &y))
			_exit(2);
		((volatile struct sdxi_cxt_sts *)y.sts)->state = SDXI_CXTV_STOP_SW;
		_exit(0);
	}
	waitpid(pid, &st, 0);
	EXPECT_TRUE(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV);
	EXPECT_EQ(SDXI_CXTV_RUN, self->x.sts->state & SDXI_CXT_STS_STATE);
}

TEST_F(ctx, mmap_needs_an_own_offset_and_the_exact_size)
{
	struct sdxi_create_context *c = &self->x.c;
	struct uctx other;
	int fd2;

	/* Wrong size. */
	EXPECT_EQ(MAP_FAILED, mmap(NULL, c->out_ring_size + PG, PROT_READ,
				   MAP_SHARED, self->fd, c->out_ring_offset));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, PG, PROT_READ, MAP_SHARED, self->fd,
				   c->out_ring_offset));
	/* Not at an offset CREATE returned. */
	EXPECT_EQ(MAP_FAILED, mmap(NULL, PG, PROT_READ, MAP_SHARED, self->fd,
				   c->out_wi_offset + PG));
	EXPECT_EQ(MAP_FAILED, mmap(NULL, PG, PROT_READ, MAP_SHARED, self->fd, 0));
	/* Private mappings are refused. */
	EXPECT_EQ(MAP_FAILED, mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE,
				   self->fd, c->out_wi_offset));
	/* Another file's context. */
	fd2 = open(SDXI_DEV, O_RDWR);
	ASSERT_GE(fd2, 0);
	ASSERT_EQ(0, uctx_create(fd2, 0, 0, &other));
	EXPECT_EQ(MAP_FAILED, mmap(NULL, other.c.out_wi_size, PROT_READ | PROT_WRITE,
				   MAP_SHARED, self->fd, other.c.out_wi_offset));
	EXPECT_EQ(EINVAL, errno);
	/* Splitting a mapping is refused: sizes stay exact. */
	EXPECT_EQ(-1, munmap(self->x.ring, PG));
	uctx_destroy(&other);
	close(fd2);
}

TEST_F(ctx, destroy_revokes_every_mapping)
{
	pid_t pid = fork();

	ASSERT_GE(pid, 0);
	if (pid == 0) {
		int fd = open(SDXI_DEV, O_RDWR);
		struct uctx y;
		volatile uint64_t v;

		if (uctx_create(fd, 0, 0, &y))
			_exit(2);
		y.ring[0].qw[1] = 1;
		if (ctx_cmd(fd, SDXI_IOC_DESTROY_CONTEXT, y.c.out_context_id))
			_exit(3);
		v = y.ring[0].qw[1];
		(void)v;
		_exit(0);
	}
	EXPECT_EQ(1000 + SIGBUS, child_status(pid));
}

TEST_F(ctx, fork_child_gets_no_mapping_and_cannot_use_the_fd)
{
	struct sdxi_info info;
	pid_t pid;

	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		struct sdxi_info i = { .size = sizeof(i) };

		/* The parent's file is refused in the child ... */
		if (ioctl(self->fd, SDXI_IOC_GET_INFO, &i) != -1 || errno != EPERM)
			_exit(1);
		if (mmap(NULL, PG, PROT_READ, MAP_SHARED, self->fd,
			 self->x.c.out_wi_offset) != MAP_FAILED || errno != EPERM)
			_exit(2);
		if (map_mem(self->fd, id_of(&self->x), self->src, PG,
			    SDXI_MAP_READ) != -EPERM)
			_exit(3);
		/* ... and the mappings were not inherited (VM_DONTCOPY). */
		*(volatile uint64_t *)self->x.wi = 5;
		_exit(4);
	}
	EXPECT_EQ(1000 + SIGSEGV, child_status(pid));
	/* The parent still can. */
	EXPECT_EQ(0, sdxi_get_info(self->fd, &info));
	EXPECT_EQ(0, *self->x.wi);
}

/* ---- registration ------------------------------------------------------- */
TEST_F(ctx, map_mem_rules)
{
	uint32_t id = id_of(&self->x);
	long long pinned = sdxi_counter("pinned_pages");
	char *b = alloc_pages_filled(4, 1);
	struct sdxi_info info;

	ASSERT_NE(NULL, b);
	ASSERT_EQ(0, sdxi_get_info(self->fd, &info));
	/* Overlaps with an existing registration. */
	EXPECT_EQ(-EEXIST, map_mem(self->fd, id, self->src + PG, PG, SDXI_MAP_READ));
	/* The kernel's IOVA window. */
	EXPECT_EQ(-EEXIST, map_mem(self->fd, id, (void *)info.out_kernel_iova,
				   PG, SDXI_MAP_READ));
	/* Alignment, length, flags. */
	EXPECT_EQ(-EINVAL, map_mem(self->fd, id, b + 1, PG, SDXI_MAP_READ));
	EXPECT_EQ(-EINVAL, map_mem(self->fd, id, b, 100, SDXI_MAP_READ));
	EXPECT_EQ(-EINVAL, map_mem(self->fd, id, b, 0, SDXI_MAP_READ));
	EXPECT_EQ(-EINVAL, map_mem(self->fd, id, b, PG, 0));
	EXPECT_EQ(-EINVAL, map_mem(self->fd, id, b, PG, 4));
	/* Kernel addresses and unmapped memory. */
	EXPECT_EQ(-EINVAL, map_mem(self->fd, id, (void *)0xffffffff81000000UL,
				   PG, SDXI_MAP_READ));
	EXPECT_EQ(-EFAULT, map_mem(self->fd, id, (void *)0x1000, PG, SDXI_MAP_READ));
	EXPECT_EQ(pinned, sdxi_counter("pinned_pages"));
	/* Pinned pages are counted and given back. */
	ASSERT_EQ(0, map_mem(self->fd, id, b, 4 * PG, SDXI_MAP_READ | SDXI_MAP_WRITE));
	EXPECT_EQ(pinned + 4, sdxi_counter("pinned_pages"));
	/* UNMAP takes exactly a mapped range. */
	EXPECT_EQ(-ENOENT, unmap_mem(self->fd, id, b, PG));
	EXPECT_EQ(-ENOENT, unmap_mem(self->fd, id, b + PG, 3 * PG));
	EXPECT_EQ(0, unmap_mem(self->fd, id, b, 4 * PG));
	EXPECT_EQ(pinned, sdxi_counter("pinned_pages"));
	munmap(b, 4 * PG);
}

/* Drop CAP_IPC_LOCK from the effective set (RLIMIT_MEMLOCK applies again). */
static int drop_ipc_lock(void)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d))
		return -1;
	d[CAP_IPC_LOCK / 32].effective &= ~(1u << (CAP_IPC_LOCK % 32));
	return syscall(SYS_capset, &h, d) ? -1 : 0;
}

TEST_F(ctx, map_mem_is_charged_to_rlimit_memlock)
{
	pid_t pid = fork();

	ASSERT_GE(pid, 0);
	if (pid == 0) {
		struct rlimit rl = { 16 * PG, 16 * PG };
		int fd = open(SDXI_DEV, O_RDWR);
		char *b = alloc_pages_filled(32, 1);
		struct uctx y;

		if (fd < 0 || !b || uctx_create(fd, 0, 0, &y))
			_exit(2);
		if (setrlimit(RLIMIT_MEMLOCK, &rl) || drop_ipc_lock())
			_exit(3);
		/* Over the limit: refused; within it: fine; then full. */
		if (map_mem(fd, id_of(&y), b, 32 * PG, SDXI_MAP_READ) != -ENOMEM)
			_exit(4);
		if (map_mem(fd, id_of(&y), b, 12 * PG, SDXI_MAP_READ))
			_exit(5);
		if (map_mem(fd, id_of(&y), b + 12 * PG, 8 * PG, SDXI_MAP_READ) != -ENOMEM)
			_exit(6);
		if (unmap_mem(fd, id_of(&y), b, 12 * PG) ||
		    map_mem(fd, id_of(&y), b + 12 * PG, 8 * PG, SDXI_MAP_READ))
			_exit(7);
		_exit(0);
	}
	EXPECT_EQ(0, child_status(pid));
}

/* ---- attacks: each blocked, reported, canaries intact -------------------- */
/* The one error record of a failed context, after its error log entry arrived. */
static void expect_error(struct __test_metadata *_metadata, int fd, uint32_t id,
			 uint16_t reason, uint8_t step, uint64_t addr)
{
	struct sdxi_error_record rec;
	struct sdxi_context_status s;

	ASSERT_EQ(0, ctx_status_wait_error(fd, id, &s, &rec, 1, 2000));
	EXPECT_EQ(SDXI_CXTV_ERR_FN, s.out_state);
	ASSERT_EQ(1, s.nr_records);
	EXPECT_EQ(reason, rec.reason);
	EXPECT_EQ(step, rec.step);
	EXPECT_EQ(SDXI_RE_CXT_STOPPED, rec.reaction);
	EXPECT_TRUE(rec.flags & SDXI_ERR_F_DIV);
	if (addr != (uint64_t)-1) {
		EXPECT_EQ(addr, rec.addr);
	}
	TH_LOG("blocked: step %u sub-step %u reason %u address %#llx descriptor %llu",
	       rec.step, rec.sub_step, rec.reason, (unsigned long long)rec.addr,
	       (unsigned long long)rec.dsc_index);
}

/* Submit @d with a CST_BLK, expect it to fail the context with ER set. */
static void submit_expect_fail(struct __test_metadata *_metadata, struct uctx *x,
			       union sdxi_desc *d, bool csb)
{
	uint32_t slot = x->w % x->c.out_ring_entries;

	if (csb)
		uctx_use_slot_csb(x, d, x->w);
	uctx_submit(x, d, 1);
	ASSERT_EQ(-EIO, uctx_wait(x, x->w, 5000));
	if (csb) {
		uint64_t t0 = now_ms();

		/* ERR_FN is written first, then R, then the CST_BLK. */
		while (x->csb[slot].signal && now_ms() - t0 < 2000)
			usleep(100);
		EXPECT_EQ(0, x->csb[slot].signal);
		EXPECT_NE(0, x->csb[slot].flags & SDXI_CST_BLK_ER);
	}
}

TEST_F(ctx, attack_copy_from_unregistered_va)
{
	char *secret = alloc_pages_filled(1, 0x77);
	union sdxi_desc d;

	dsc_copy(&d, (uintptr_t)secret, (uintptr_t)self->dst, 64, 0);
	submit_expect_fail(_metadata, &self->x, &d, true);
	expect_error(_metadata, self->fd, id_of(&self->x), SDXI_ERR_XLATE,
		     SDXI_STEP_DATA, (uintptr_t)secret);
	EXPECT_TRUE(all_bytes(self->dst, BUF_PAGES * PG, 0));
}

TEST_F(ctx, attack_copy_to_unregistered_va)
{
	char *canary = alloc_pages_filled(3, 0xc3);
	union sdxi_desc d;

	dsc_copy(&d, (uintptr_t)self->src, (uintptr_t)canary + PG, 64, 0);
	submit_expect_fail(_metadata, &self->x, &d, true);
	expect_error(_metadata, self->fd, id_of(&self->x), SDXI_ERR_XLATE,
		     SDXI_STEP_DATA, (uintptr_t)canary + PG);
	EXPECT_TRUE(all_bytes(canary, 3 * PG, 0xc3));
}

TEST_F(ctx, attack_copy_to_read_only_registration)
{
	union sdxi_desc d;

	/* src is registered device-read-only. */
	dsc_copy(&d, (uintptr_t)self->dst, (uintptr_t)self->src + PG, 64, 0);
	submit_expect_fail(_metadata, &self->x, &d, true);
	expect_error(_metadata, self->fd, id_of(&self->x), SDXI_ERR_XLATE,
		     SDXI_STEP_DATA, (uintptr_t)self->src + PG);
	EXPECT_TRUE(all_bytes(self->src, BUF_PAGES * PG, 0x5a));
}

/*
 * The ring is device-writable in the context's domain (a function may
 * clear vl after execution): a copy into it through the kernel window
 * reaches that context's own ring and nothing else.
 */
TEST_F(ctx, attack_copy_into_own_ring_through_kernel_window)
{
	struct sdxi_context_status s;
	union sdxi_desc d;

	dsc_copy(&d, (uintptr_t)self->src, self->x.c.out_ring_iova + 5 * 64, 64, 0);
	uctx_submit(&self->x, &d, 1);
	ASSERT_EQ(0, uctx_wait(&self->x, self->x.w, 5000));
	EXPECT_TRUE(all_bytes((void *)&self->x.ring[5], 64, 0x5a));
	ASSERT_EQ(0, ctx_status(self->fd, id_of(&self->x), &s, NULL, 0));
	EXPECT_EQ(SDXI_CXTV_RUN, s.out_state);
	EXPECT_EQ(0, s.out_errors);
}

TEST_F(ctx, attack_csb_at_unregistered_va)
{
	char *canary = alloc_pages_filled(1, 0xc5);
	union sdxi_desc d;

	dsc_nop(&d);
	d.generic.csb_ptr = (uintptr_t)canary + 64;
	submit_expect_fail(_metadata, &self->x, &d, false);
	expect_error(_metadata, self->fd, id_of(&self->x), SDXI_ERR_XLATE,
		     SDXI_STEP_CST_BLK, (uintptr_t)canary + 64);
	EXPECT_TRUE(all_bytes(canary, PG, 0xc5));
}

TEST_F(ctx, attack_other_contexts_registered_va)
{
	struct uctx victim;
	char *vbuf = alloc_pages_filled(2, 0x99);
	union sdxi_desc d;

	/* Another context of the same file registers vbuf ... */
	ASSERT_EQ(0, uctx_create(self->fd, 0, 0, &victim));
	ASSERT_EQ(0, map_mem(self->fd, id_of(&victim), vbuf, 2 * PG,
			     SDXI_MAP_READ | SDXI_MAP_WRITE));
	/* ... which this context cannot reach, reading or writing. */
	dsc_copy(&d, (uintptr_t)self->src, (uintptr_t)vbuf, 64, 0);
	submit_expect_fail(_metadata, &self->x, &d, true);
	expect_error(_metadata, self->fd, id_of(&self->x), SDXI_ERR_XLATE,
		     SDXI_STEP_DATA, (uintptr_t)vbuf);
	EXPECT_TRUE(all_bytes(vbuf, 2 * PG, 0x99));
	EXPECT_EQ(SDXI_CXTV_RUN, victim.sts->state & SDXI_CXT_STS_STATE);
	uctx_destroy(&victim);
}

/* A page another process registered, named at the same VA from here. */
TEST_F(ctx, attack_other_process_registered_va)
{
	void *fixed = (void *)0x3e0000000000UL;
	int to_parent[2], to_child[2];
	union sdxi_desc d;
	char r = 0;
	pid_t pid;

	ASSERT_EQ(0, pipe(to_parent));
	ASSERT_EQ(0, pipe(to_child));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		int fd = open(SDXI_DEV, O_RDWR);
		struct uctx y;
		char *p = mmap(fixed, 2 * PG, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
			       -1, 0);

		if (p != fixed || uctx_create(fd, 0, 0, &y))
			_exit(2);
		memset(p, 0x42, 2 * PG);
		if (map_mem(fd, y.c.out_context_id, p, 2 * PG,
			    SDXI_MAP_READ | SDXI_MAP_WRITE))
			_exit(3);
		if (write(to_parent[1], "r", 1) != 1 || read(to_child[0], &r, 1) != 1)
			_exit(4);
		_exit(all_bytes(p, 2 * PG, 0x42) ? 0 : 5);
	}
	ASSERT_EQ(1, read(to_parent[0], &r, 1));
	dsc_copy(&d, (uintptr_t)self->src, (uintptr_t)fixed, 128, 0);
	submit_expect_fail(_metadata, &self->x, &d, true);
	expect_error(_metadata, self->fd, id_of(&self->x), SDXI_ERR_XLATE,
		     SDXI_STEP_DATA, (uintptr_t)fixed);
	ASSERT_EQ(1, write(to_child[1], "g", 1));
	/* The child's page is intact. */
	EXPECT_EQ(0, child_status(pid));
}

TEST_F(ctx, attack_akey_the_kernel_did_not_set_up)
{
	uint16_t keys[] = { 2, 5, 255, 4000 };
	union sdxi_desc d;
	unsigned int i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		dsc_copy(&d, (uintptr_t)self->src, (uintptr_t)self->dst, 64, 0);
		d.copy.akey1 = keys[i];
		submit_expect_fail(_metadata, &self->x, &d, true);
		expect_error(_metadata, self->fd, id_of(&self->x),
			     SDXI_ERR_AKEY_INVALID, SDXI_STEP_AKEY, (uint64_t)-1);
		ASSERT_EQ(0, ctx_cmd(self->fd, SDXI_IOC_RESET_CONTEXT, id_of(&self->x)));
		self->x.w = 0;
	}
	/* An interrupt through a key that is not an interrupt key. */
	if (!variant->flags) {
		dsc_intr(&d, 1);
		submit_expect_fail(_metadata, &self->x, &d, true);
		expect_error(_metadata, self->fd, id_of(&self->x),
			     SDXI_ERR_AKEY_INVALID, SDXI_STEP_AKEY, (uint64_t)-1);
	}
	EXPECT_TRUE(all_bytes(self->dst, BUF_PAGES * PG, 0));
}

TEST_F(ctx, attack_admin_opcode_in_user_ring)
{
	struct uctx victim;
	union sdxi_desc d;

	ASSERT_EQ(0, uctx_create(self->fd, 0, 0, &victim));
	/* CXT_STOP of the victim from a user ring. */
	ASSERT_EQ(0, sdxi__prep_cxt_stop(&d, id_of(&victim), id_of(&victim), 0));
	submit_expect_fail(_metadata, &self->x, &d, true);
	expect_error(_metadata, self->fd, id_of(&self->x),
		     SDXI_ERR_ADMIN_NOT_CXT0, SDXI_STEP_DSC, (uint64_t)-1);
	EXPECT_EQ(SDXI_CXTV_RUN, victim.sts->state & SDXI_CXT_STS_STATE);
	uctx_destroy(&victim);
}

/* UNMAP_MEM while a copy into the range is queued: the copy faults. */
TEST_F(ctx, attack_use_after_unmap_mem_while_queued)
{
	long long pinned = sdxi_counter("pinned_pages");
	char *b = alloc_pages_filled(2, 0xee);
	union sdxi_desc d;

	ASSERT_EQ(0, map_mem(self->fd, id_of(&self->x), b, 2 * PG,
			     SDXI_MAP_READ | SDXI_MAP_WRITE));
	self->stalled = true;
	ASSERT_EQ(0, qom_set("stall", "true")) TH_LOG("sdxi-qom-set unavailable");
	dsc_copy(&d, (uintptr_t)self->src, (uintptr_t)b, 2 * PG, 0);
	uctx_use_slot_csb(&self->x, &d, self->x.w);
	uctx_submit(&self->x, &d, 1);
	usleep(50000);
	EXPECT_EQ(0, self->x.sts->read_index);
	/* The device loses access before the pages are unpinned. */
	EXPECT_EQ(0, unmap_mem(self->fd, id_of(&self->x), b, 2 * PG));
	EXPECT_EQ(pinned, sdxi_counter("pinned_pages"));
	ASSERT_EQ(0, qom_set("stall", "false"));
	self->stalled = false;
	ASSERT_EQ(-EIO, uctx_wait(&self->x, 1, 5000));
	expect_error(_metadata, self->fd, id_of(&self->x), SDXI_ERR_XLATE,
		     SDXI_STEP_DATA, (uintptr_t)b);
	EXPECT_TRUE(all_bytes(b, 2 * PG, 0xee));
}

/* ---- teardown with work in flight --------------------------------------- */
#define INFLIGHT	512
#define BIG		(4UL << 20)

/* Queue INFLIGHT copies of @len bytes behind one doorbell: ~2 GiB of copying. */
static void queue_copies(struct uctx *x, char *src, char *dst, uint32_t len)
{
	static union sdxi_desc d[INFLIGHT];
	int i;

	for (i = 0; i < INFLIGHT; i++) {
		dsc_copy(&d[i], (uintptr_t)src, (uintptr_t)dst, len, 0);
		uctx_use_slot_csb(x, &d[i], x->w + i);
	}
	uctx_submit(x, d, INFLIGHT);
}

static void device_still_copies(struct __test_metadata *_metadata)
{
	int fd = open(SDXI_DEV, O_RDWR);
	char *a = alloc_pages_filled(1, 0x3c), *b = alloc_pages_filled(1, 0);
	union sdxi_desc d;
	struct uctx x;

	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, uctx_create(fd, 0, 0, &x));
	ASSERT_EQ(0, map_mem(fd, id_of(&x), a, PG, SDXI_MAP_READ));
	ASSERT_EQ(0, map_mem(fd, id_of(&x), b, PG, SDXI_MAP_WRITE));
	dsc_copy(&d, (uintptr_t)a, (uintptr_t)b, PG, 0);
	uctx_submit(&x, &d, 1);
	ASSERT_EQ(0, uctx_wait(&x, 1, 5000));
	EXPECT_TRUE(all_bytes(b, PG, 0x3c));
	close(fd);
}

/*
 * Lift the engine stall after @ms from another process, so that the
 * caller can block in a teardown that needs the admin context while
 * descriptors of the context being torn down are still queued.
 */
static pid_t unstall_later(unsigned int ms)
{
	pid_t pid = fork();

	if (pid == 0) {
		usleep(ms * 1000);
		_exit(qom_set("stall", "false") ? 1 : 0);
	}
	return pid;
}

TEST_F(ctx, close_with_descriptors_in_flight_frees_everything)
{
	char *a = alloc_pages_filled(BIG / PG, 1), *b = alloc_pages_filled(BIG / PG, 0);
	pid_t helper;
	uint64_t r;

	ASSERT_EQ(0, map_mem(self->fd, id_of(&self->x), a, BIG, SDXI_MAP_READ));
	ASSERT_EQ(0, map_mem(self->fd, id_of(&self->x), b, BIG, SDXI_MAP_WRITE));
	self->stalled = true;
	ASSERT_EQ(0, qom_set("stall", "true"));
	queue_copies(&self->x, a, b, BIG);
	usleep(20000);
	r = self->x.sts->read_index;
	EXPECT_EQ(0, r);
	uctx_unmap(&self->x);
	/* The stop waits for the engine; it resumes within the admin timeout. */
	helper = unstall_later(300);
	close(self->fd);
	self->fd = -1;
	EXPECT_EQ(0, child_status(helper));
	self->stalled = false;
	EXPECT_EQ(0, sdxi_counter("user_contexts"));
	EXPECT_EQ(0, sdxi_counter("pasids"));
	EXPECT_EQ(0, sdxi_counter("pinned_pages"));
	EXPECT_EQ(0, sdxi_counter("open_files"));
	device_still_copies(_metadata);
}

TEST_F(ctx, kill9_with_descriptors_in_flight_frees_everything)
{
	int up[2], down[2];
	pid_t pid, helper;
	char r;

	ASSERT_EQ(0, pipe(up));
	ASSERT_EQ(0, pipe(down));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		int fd = open(SDXI_DEV, O_RDWR);
		char *a = alloc_pages_filled(BIG / PG, 1);
		char *b = alloc_pages_filled(BIG / PG, 0);
		struct uctx y;

		if (uctx_create(fd, SDXI_CTX_F_INTERRUPT, 0, &y) ||
		    map_mem(fd, id_of(&y), a, BIG, SDXI_MAP_READ) ||
		    map_mem(fd, id_of(&y), b, BIG, SDXI_MAP_WRITE))
			_exit(2);
		/* Ready; queue once the engine is stalled. */
		if (write(up[1], "r", 1) != 1 || read(down[0], &r, 1) != 1)
			_exit(3);
		queue_copies(&y, a, b, BIG);
		if (write(up[1], "q", 1) != 1)
			_exit(4);
		pause();
		_exit(0);
	}
	close(up[1]);
	ASSERT_EQ(1, read(up[0], &r, 1));
	self->stalled = true;
	ASSERT_EQ(0, qom_set("stall", "true"));
	ASSERT_EQ(1, write(down[1], "g", 1));
	ASSERT_EQ(1, read(up[0], &r, 1));
	kill(pid, SIGKILL);
	helper = unstall_later(300);
	EXPECT_EQ(1000 + SIGKILL, child_status(pid));
	EXPECT_EQ(0, child_status(helper));
	self->stalled = false;
	/* Only this fixture's context is left. */
	EXPECT_EQ(1, sdxi_counter("user_contexts"));
	EXPECT_EQ(1, sdxi_counter("pasids"));
	EXPECT_EQ(2 * BUF_PAGES, sdxi_counter("pinned_pages"));
	device_still_copies(_metadata);
}

static sigjmp_buf bus_jmp;

static void on_sigbus(int sig)
{
	siglongjmp(bus_jmp, 1);
}

static int sysfs_write(const char *path, const char *s)
{
	return write_file(path, s);
}

/*
 * Unbind the function with a context open and mapped: mappings are
 * revoked and fault in private pages instead of SIGBUS (what was stored
 * in the ring before is gone, stores land, CXT_STS reads STOP_FN and the
 * removed mark), calls fail with ENODEV, poll() reports POLLHUP, and
 * after the last close a rebind gives a working /dev/sdxi0.  Destructive,
 * so only with SDXI_TEST_UNBIND=1.
 */
TEST(unbind_with_open_contexts_revokes_and_fails_enodev)
{
	char link[PATH_MAX], *bdf;
	struct pollfd p;
	struct sdxi_info info;
	volatile int bus = 0;
	struct uctx x;
	char *buf;
	ssize_t n;
	int fd, i;

	if (!getenv("SDXI_TEST_UNBIND"))
		SKIP(return, "set SDXI_TEST_UNBIND=1 to allow unbinding the function");
	OPEN_OR_SKIP(&fd);
	REQUIRE_ISOLATION(fd);
	n = readlink(SDXI_SYSFS "device", link, sizeof(link) - 1);
	ASSERT_GT(n, 0);
	link[n] = 0;
	bdf = strrchr(link, '/') + 1;
	ASSERT_EQ(0, uctx_create(fd, SDXI_CTX_F_INTERRUPT, 0, &x));
	buf = alloc_pages_filled(4, 1);
	ASSERT_EQ(0, map_mem(fd, id_of(&x), buf, 4 * PG, SDXI_MAP_READ));
	x.ring[0].qw[1] = 7;

	ASSERT_EQ(0, sysfs_write("/sys/bus/pci/drivers/sdxi/unbind", bdf));
	/* Every call fails, poll says the device is gone. */
	EXPECT_EQ(-ENODEV, sdxi_get_info(fd, &info));
	EXPECT_EQ(-ENODEV, map_mem(fd, id_of(&x), buf, 4 * PG, SDXI_MAP_READ));
	p = (struct pollfd){ .fd = fd, .events = POLLIN };
	EXPECT_EQ(1, poll(&p, 1, 0));
	EXPECT_TRUE(p.revents & POLLHUP);
	/* The mappings were revoked, and show the removed pages. */
	signal(SIGBUS, on_sigbus);
	if (!sigsetjmp(bus_jmp, 1)) {
		EXPECT_EQ(0, *(volatile uint64_t *)&x.ring[0].qw[1]);
		*(volatile uint64_t *)&x.ring[1].qw[1] = 9;
		EXPECT_EQ(9, *(volatile uint64_t *)&x.ring[1].qw[1]);
		*x.wi = 1;
		*x.db = 1;
		EXPECT_EQ(0, x.csb[0].signal);
		EXPECT_EQ(SDXI_CXTV_STOP_FN, x.sts->state & SDXI_CXT_STS_STATE);
		EXPECT_EQ(0, x.sts->read_index);
		EXPECT_EQ(SDXI_STS_REMOVED,
			  *(volatile uint32_t *)((volatile char *)x.sts + SDXI_STS_REMOVED_OFFSET));
	} else {
		bus = 1;
	}
	signal(SIGBUS, SIG_DFL);
	EXPECT_EQ(0, bus);
	uctx_unmap(&x);
	close(fd);

	ASSERT_EQ(0, sysfs_write("/sys/bus/pci/drivers/sdxi/bind", bdf));
	for (i = 0; i < 100 && access(SDXI_DEV, F_OK); i++)
		usleep(50000);
	ASSERT_EQ(0, access(SDXI_DEV, F_OK));
	EXPECT_EQ(0, sdxi_counter("user_contexts"));
	EXPECT_EQ(0, sdxi_counter("pinned_pages"));
	device_still_copies(_metadata);
}

TEST_HARNESS_MAIN
