// SPDX-License-Identifier: GPL-2.0
/*
 * What an operator does to a machine whose SDXI function user space is
 * using (Documentation/uapi.rst "Device removal", "Process rules";
 * Documentation/driver.rst "Teardown"):
 *
 * - unloading sdxi.ko is refused (delete_module(2): EAGAIN, i.e.
 *   EWOULDBLOCK) while any /dev/sdxiN file is open, including a file kept
 *   alive only by a mapping after close(); it succeeds, cleanly, once the
 *   last one is gone, and the reloaded module works;
 * - unbinding the function with user contexts busy in three processes:
 *   every process sees the device go (ENODEV, POLLHUP) instead of
 *   hanging or reading wrong data, and a rebind gives a working device
 *   with nothing left over;
 * - processes creating contexts until the function runs out (of context
 *   IDs, PASIDs or, with interrupts, vectors: ENOSPC), then exiting
 *   (killed or not): every ID and PASID is free again and the same number
 *   can be created again;
 * - kill -9 of a process in the middle of heavy traffic, 100 times: the
 *   context, PASID, pinned-page, dma-buf and open-file counters go back to
 *   zero every time and the device keeps working.
 *
 * These tests unload the module and unbind the function: they need root
 * and SKIP when sdxi is built in or something else holds it.  SDXI_KILL9
 * sets the number of kill -9 rounds (default 100).
 */
#include <setjmp.h>
#include <signal.h>

#include "../kselftest_harness.h"
#include "sdxi_common.h"
#include "traffic.h"

#define PG		SDXI_PG
#define WAIT_MS		5000

/*
 * Preconditions of the destructive tests: root, a device, isolation,
 * sdxi a loadable module that nothing else holds.
 */
#define REQUIRE_OPERATOR()						\
	do {								\
		int __fd;						\
									\
		REQUIRE_ROOT();						\
		OPEN_OR_SKIP(&__fd);					\
		if (!isolated(__fd)) {					\
			close(__fd);					\
			SKIP(return, "no PASID-capable IOMMU: user contexts refused"); \
		}							\
		close(__fd);						\
		if (module_refcnt() < 0)				\
			SKIP(return, "sdxi is built in (no /sys/module/sdxi/refcnt)"); \
		if (module_refcnt() != 0)				\
			SKIP(return, "sdxi is in use (refcnt %lld)", module_refcnt()); \
	} while (0)

/* ---- module unload ------------------------------------------------------ */
/*
 * Our choice: unload is refused while user space holds the device (each
 * open file holds a module reference through its file operations, and a
 * mapping holds its file), never forced under it.
 */
TEST(unload_refused_while_a_file_or_a_mapping_is_open_then_clean)
{
	long long one, two;
	struct uctx x;
	int fd, fd2;

	REQUIRE_OPERATOR();
	fd = open(SDXI_DEV, O_RDWR);
	ASSERT_GE(fd, 0);
	fd2 = open(SDXI_DEV, O_RDWR);
	ASSERT_GE(fd2, 0);
	two = module_refcnt();
	EXPECT_GT(two, 0);
	/* Refused, and nothing changed. */
	EXPECT_EQ(-EAGAIN, delete_module("sdxi"));
	EXPECT_EQ(0, access(SDXI_DEV, F_OK));
	EXPECT_EQ(two, module_refcnt());
	close(fd2);
	one = module_refcnt();
	EXPECT_GT(one, 0);
	EXPECT_LT(one, two);
	ASSERT_EQ(0, uctx_create(fd, SDXI_CTX_F_INTERRUPT, 0, &x));
	EXPECT_EQ(-EAGAIN, delete_module("sdxi"));
	/* close() after mmap(): the mappings keep the file, and the module. */
	close(fd);
	EXPECT_EQ(one, module_refcnt());
	EXPECT_EQ(1, sdxi_counter("user_contexts"));
	EXPECT_EQ(1, sdxi_counter("open_files"));
	EXPECT_EQ(-EAGAIN, delete_module("sdxi"));
	/* The context still works through its mappings. */
	EXPECT_EQ(SDXI_CXTV_RUN, x.sts->state & SDXI_CXT_STS_STATE);
	/* The last munmap() releases file, context and module reference. */
	uctx_unmap(&x);
	EXPECT_EQ(0, module_refcnt());
	EXPECT_EQ(0, sdxi_counter("user_contexts"));
	ASSERT_EQ(0, delete_module("sdxi"));
	EXPECT_TRUE(wait_node(false, WAIT_MS));
	EXPECT_NE(0, access("/sys/module/sdxi", F_OK));
	/* Reloaded, it works. */
	ASSERT_EQ(0, system("modprobe sdxi"));
	ASSERT_TRUE(wait_node(true, WAIT_MS));
	EXPECT_EQ(0, device_copies());
	EXPECT_USER_COUNTERS_ZERO(0);
}

/* ---- unbind / bind with live contexts ------------------------------------------ */
#define NTRAFFIC	3

TEST(unbind_bind_with_live_traffic_in_three_processes)
{
	char bdf[64];
	pid_t pid[NTRAFFIC];
	int ready[2], i;
	uint64_t t0;
	char c;

	REQUIRE_OPERATOR();
	ASSERT_EQ(0, function_bdf(bdf, sizeof(bdf)));
	ASSERT_EQ(0, pipe(ready));
	for (i = 0; i < NTRAFFIC; i++) {
		pid[i] = fork();
		ASSERT_GE(pid[i], 0);
		if (pid[i] == 0) {
			close(ready[0]);
			traffic_run(ready[1], 0);
		}
	}
	close(ready[1]);
	/* Every process has done two rounds and is in the middle of more. */
	for (i = 0; i < NTRAFFIC; i++)
		ASSERT_EQ(1, read(ready[0], &c, 1)) TH_LOG("a traffic process failed early");
	EXPECT_EQ(NTRAFFIC * 2, sdxi_counter("user_contexts"));
	EXPECT_EQ(NTRAFFIC, sdxi_counter("open_files"));
	t0 = now_ms();
	ASSERT_EQ(0, write_file("/sys/bus/pci/drivers/sdxi/unbind", bdf));
	TH_LOG("unbind with %d busy processes took %llu ms", NTRAFFIC,
	       (unsigned long long)(now_ms() - t0));
	EXPECT_TRUE(wait_node(false, WAIT_MS));
	/* Each process saw the device go and exits cleanly. */
	for (i = 0; i < NTRAFFIC; i++)
		EXPECT_EQ(0, child_status(pid[i])) TH_LOG("process %d", i);
	ASSERT_EQ(0, write_file("/sys/bus/pci/drivers/sdxi/bind", bdf));
	ASSERT_TRUE(wait_node(true, WAIT_MS));
	EXPECT_USER_COUNTERS_ZERO(0);
	EXPECT_EQ(0, sdxi_fn_counter("active_contexts"));
	EXPECT_EQ(0, device_copies());
}

/* ---- exhaustion ------------------------------------------------------------ */
#define NEXH		4

/* Limits lifted for the exhaustion tests, and restored after. */
static const char *const exhaust_limits[] = {
	"max_contexts_per_file", "max_contexts_per_user",
	"max_vectors_per_file", "max_vectors_per_user",
};
#define NLIMITS	(sizeof(exhaust_limits) / sizeof(exhaust_limits[0]))

FIXTURE(exhaust) {
	int fd;
	long long saved[NLIMITS];
};

FIXTURE_VARIANT(exhaust) {
	uint32_t flags;
};

FIXTURE_VARIANT_ADD(exhaust, plain) { .flags = 0 };
FIXTURE_VARIANT_ADD(exhaust, interrupt) { .flags = SDXI_CTX_F_INTERRUPT };

/*
 * The function's capacity, not the per-user limits (user_contexts and
 * user_hostile test those): root lifts them for the test.
 */
FIXTURE_SETUP(exhaust)
{
	unsigned int i;

	for (i = 0; i < NLIMITS; i++)
		self->saved[i] = -1;
	OPEN_OR_SKIP(&self->fd);
	REQUIRE_ISOLATION(self->fd);
	REQUIRE_ROOT();
	for (i = 0; i < NLIMITS; i++) {
		self->saved[i] = sdxi_param(exhaust_limits[i]);
		ASSERT_LE(0, self->saved[i]);
		ASSERT_EQ(0, sdxi_param_set(exhaust_limits[i], 1000000));
	}
}

FIXTURE_TEARDOWN(exhaust)
{
	unsigned int i;

	if (self->fd >= 0)
		close(self->fd);
	for (i = 0; i < NLIMITS; i++)
		if (self->saved[i] >= 0)
			sdxi_param_set(exhaust_limits[i], self->saved[i]);
}

/*
 * PASIDs the IOMMU gives devices: 2^(ECAP.PSS + 1), less PASID 0 (VT-d;
 * -1 when unknown).
 */
static long long iommu_pasids(void)
{
	unsigned long long ecap;
	char buf[64];
	FILE *f = fopen("/sys/class/iommu/dmar0/intel-iommu/ecap", "r");

	if (!f)
		return -1;
	if (!fgets(buf, sizeof(buf), f)) {
		fclose(f);
		return -1;
	}
	fclose(f);
	/* Hexadecimal, without a 0x prefix. */
	ecap = strtoull(buf, NULL, 16);
	if (!(ecap & (1ULL << 40)))	/* ECAP.PASID */
		return -1;
	return (1LL << (((ecap >> 35) & 0x1f) + 1)) - 1;
}

TEST_F(exhaust, processes_until_enospc_then_exit_and_all_ids_pasids_free)
{
	struct sdxi_info info;
	long long active0 = sdxi_fn_counter("active_contexts");
	long long pasids = iommu_pasids(), expect;
	int go[2], res[2], quit[NEXH][2], i, total = 0, again, err;
	pid_t pid[NEXH];

	ASSERT_EQ(0, sdxi_get_info(self->fd, &info));
	EXPECT_EQ(info.out_max_contexts, info.out_free_contexts);
	EXPECT_EQ(0, sdxi_counter("pasids"));
	ASSERT_EQ(0, pipe(go));
	ASSERT_EQ(0, pipe(res));
	for (i = 0; i < NEXH; i++) {
		ASSERT_EQ(0, pipe(quit[i]));
		pid[i] = fork();
		ASSERT_GE(pid[i], 0);
		if (pid[i] == 0) {
			int fd = open(SDXI_DEV, O_RDWR), out[2];
			char c;

			if (fd < 0 || read(go[0], &c, 1) != 1)
				_exit(1);
			/* All four race for the same IDs and PASIDs. */
			out[0] = create_until_failure(fd, variant->flags, &out[1]);
			if (write(res[1], out, sizeof(out)) != sizeof(out))
				_exit(2);
			/* Hold them until told to go (or killed). */
			close(quit[i][1]);
			if (read(quit[i][0], &c, 1) < 0)
				_exit(3);
			close(fd);
			_exit(0);
		}
		close(quit[i][0]);
	}
	for (i = 0; i < NEXH; i++)
		ASSERT_EQ(1, write(go[1], "g", 1));
	for (i = 0; i < NEXH; i++) {
		int out[2];

		ASSERT_EQ(sizeof(out), read(res[0], out, sizeof(out)));
		/* The function ran out: ENOSPC, never anything else. */
		EXPECT_EQ(-ENOSPC, out[1]);
		total += out[0];
	}
	/* Contexts, or PASIDs when the IOMMU has fewer. */
	expect = info.out_free_contexts;
	if (pasids > 0 && pasids < expect)
		expect = pasids;
	TH_LOG("%d contexts (%s) across %d processes: %u IDs free before, IOMMU PASIDs %lld",
	       total, variant->flags ? "with interrupts" : "plain", NEXH,
	       info.out_free_contexts, pasids);
	if (variant->flags) {
		/* Vectors may run out first. */
		EXPECT_LE(total, expect);
	} else {
		EXPECT_EQ(expect, total);
	}
	EXPECT_GT(total, 0);
	EXPECT_EQ(total, sdxi_counter("user_contexts"));
	EXPECT_EQ(total, sdxi_counter("pasids"));
	EXPECT_EQ(active0 + total, sdxi_fn_counter("active_contexts"));
	ASSERT_EQ(0, sdxi_get_info(self->fd, &info));
	EXPECT_EQ(info.out_max_contexts - total, info.out_free_contexts);
	if (variant->flags && total < expect) {
		/* Vectors ran out, IDs did not: a plain context still fits. */
		struct uctx x;

		EXPECT_EQ(-ENOSPC, uctx_create(self->fd, SDXI_CTX_F_INTERRUPT, 0, &x));
		ASSERT_EQ(0, uctx_create(self->fd, 0, 0, &x));
		EXPECT_EQ(0, uctx_destroy(&x));
	}
	/* Two are killed, two exit on their own. */
	for (i = 0; i < NEXH; i++) {
		if (i < 2)
			kill(pid[i], SIGKILL);
		else
			close(quit[i][1]);
	}
	for (i = 0; i < NEXH; i++)
		EXPECT_EQ(i < 2 ? 1000 + SIGKILL : 0, child_status(pid[i]));
	for (i = 0; i < 2; i++)
		close(quit[i][1]);
	/* Everything came back. */
	EXPECT_USER_COUNTERS_ZERO(1);
	EXPECT_EQ(active0, sdxi_fn_counter("active_contexts"));
	ASSERT_EQ(0, sdxi_get_info(self->fd, &info));
	EXPECT_EQ(info.out_max_contexts, info.out_free_contexts);
	/* And the same number can be had again, by one process. */
	again = create_until_failure(self->fd, variant->flags, &err);
	EXPECT_EQ(-ENOSPC, err);
	EXPECT_EQ(total, again);
	close(self->fd);
	self->fd = -1;
	EXPECT_USER_COUNTERS_ZERO(0);
	EXPECT_EQ(active0, sdxi_fn_counter("active_contexts"));
}

/* ---- kill -9 during heavy traffic ------------------------------------------------ */
/*
 * 100 rounds of fork, two contexts of traffic and SIGKILL.  A round takes
 * ~60 ms on the stock kernel and ~300 ms on the debug kernel (KASAN,
 * lockdep, kmemleak) under TCG, so the harness's 30 s default would be a
 * speed limit rather than a hang detector.
 */
FIXTURE(kill9) {};
FIXTURE_SETUP(kill9) {}
FIXTURE_TEARDOWN(kill9) {}

TEST_F_TIMEOUT(kill9, during_heavy_traffic_repeated, 300)
{
	const char *env = getenv("SDXI_KILL9");
	unsigned int rounds = env ? strtoul(env, NULL, 0) : 100, i, bad = 0;
	long long rec0 = sdxi_fn_counter("recovery_failures");
	uint64_t rng = 0x9e3779b97f4a7c15ULL, t0 = now_ms();
	int fd;

	OPEN_OR_SKIP(&fd);
	REQUIRE_ISOLATION(fd);
	close(fd);
	for (i = 0; i < rounds; i++) {
		int ready[2], st;
		pid_t pid;
		char c;

		ASSERT_EQ(0, pipe(ready));
		pid = fork();
		ASSERT_GE(pid, 0);
		if (pid == 0) {
			close(ready[0]);
			traffic_run(ready[1], 0);
		}
		close(ready[1]);
		if (read(ready[0], &c, 1) != 1) {
			/* The child died before its first rounds completed. */
			waitpid(pid, &st, 0);
			ASSERT_TRUE(false) TH_LOG("round %u: traffic failed, status %#x", i, st);
		}
		close(ready[0]);
		if (i == 0) {
			/* The counters do count what the process holds. */
			EXPECT_EQ(2, sdxi_counter("user_contexts"));
			EXPECT_EQ(2, sdxi_counter("pasids"));
			EXPECT_LE(4 * TR_BYTES / PG, sdxi_counter("pinned_pages"));
			EXPECT_EQ(access("/dev/udmabuf", F_OK) ? 0 : 1,
				  sdxi_counter("dmabufs"));
			EXPECT_EQ(1, sdxi_counter("open_files"));
		}
		/* Somewhere in the middle of the next rounds. */
		rng ^= rng << 13;
		rng ^= rng >> 7;
		rng ^= rng << 17;
		usleep(rng % 20000);
		kill(pid, SIGKILL);
		EXPECT_EQ(1000 + SIGKILL, child_status(pid)) TH_LOG("round %u", i);
		if (sdxi_counter("user_contexts") || sdxi_counter("pasids") ||
		    sdxi_counter("pinned_pages") || sdxi_counter("dmabufs") ||
		    sdxi_counter("open_files")) {
			TH_LOG("round %u: contexts %lld pasids %lld pinned %lld dmabufs %lld files %lld",
			       i, sdxi_counter("user_contexts"), sdxi_counter("pasids"),
			       sdxi_counter("pinned_pages"), sdxi_counter("dmabufs"),
			       sdxi_counter("open_files"));
			bad++;
		}
	}
	ksft_print_msg("kill -9 during traffic: %u rounds in %llu ms, %u with counters left\n",
		       rounds, (unsigned long long)(now_ms() - t0), bad);
	EXPECT_EQ(0, bad);
	EXPECT_USER_COUNTERS_ZERO(0);
	EXPECT_EQ(rec0, sdxi_fn_counter("recovery_failures"));
	EXPECT_EQ(0, device_copies());
}

TEST_HARNESS_MAIN
