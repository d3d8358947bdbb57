// SPDX-License-Identifier: GPL-2.0
/*
 * SVA user contexts of /dev/sdxiN (Documentation/uapi.rst "Shared virtual
 * addressing"): CREATE_CONTEXT with isolation = SDXI_ISOLATION_SVA, data
 * at the process's virtual addresses through its page tables, nothing
 * pinned, MAP_MEM refused, the page tables' permissions honoured, the
 * context's own regions out of the data path, and teardown on fork, exit
 * and kill -9.
 *
 * Where the kernel or the IOMMU cannot bind (Linux 6.12 on x86, an IOMMU
 * without device-TLB support) the SVA tests skip and the refusal is
 * tested instead.  Tests of memory the page tables do not map yet
 * (never-touched pages, a file mapping not read, copy-on-write after
 * fork) need the function to issue page requests: with SDXI_SVA_PRI=1
 * they must pass; without, a translation error on the untouched page
 * makes them skip with the reason.  SDXI_EXPECT_SVA=1 (the runner, on a
 * 7.x guest with an SVA-capable IOMMU) makes a missing SDXI_INFO_F_SVA a
 * failure.  The "# figure:" lines measure first-touch and steady-state
 * copies of both modes in one run.
 *
 * Windows exported from SVA contexts (uapi.rst "Windows", "SVA
 * exporters"): imported into a pinned and into an SVA context of another
 * process (the fd passed with SCM_RIGHTS), copies both ways, a read-only
 * window refusing writes, one byte past either end, revocation by
 * REVOKE_WINDOW, DESTROY_CONTEXT and the exporter's exit (the importer's
 * error record, no byte moved), rights beyond the exporter's mappings
 * (EACCES) and unmapped ranges (ENOENT), the window's pins charged to the
 * exporter (VmPin, pinned_pages) and given back with it.
 */
#include <signal.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/utsname.h>

#include "../kselftest_harness.h"
#include "sdxi_common.h"
#include "windows_common.h"

#define SVA_MS		10000

static bool env_set(const char *name)
{
	const char *v = getenv(name);

	return v && !strcmp(v, "1");
}

static int kernel_major(void)
{
	struct utsname u;

	return uname(&u) ? 0 : atoi(u.release);
}

static bool sva_offered(int fd)
{
	struct sdxi_info i;

	return !sdxi_get_info(fd, &i) && (i.out_flags & SDXI_INFO_F_SVA);
}

#define REQUIRE_SVA(fd)							\
	do {								\
		if (!sva_offered(fd)) {					\
			ASSERT_FALSE(env_set("SDXI_EXPECT_SVA"));	\
			SKIP(return, "no SVA contexts here (GET_INFO lacks SDXI_INFO_F_SVA: kernel %d, IOMMU without device-TLBs or PRI)", \
			     kernel_major());				\
		}							\
	} while (0)

/* uctx_create() with CREATE_CONTEXT.isolation = @iso. */
static int uctx_create_iso(int fd, uint32_t flags, uint32_t iso, struct uctx *x)
{
	return uctx_create_mode(fd, flags, 0, iso, x);
}

/* VmPin of this process, in kB, or -1. */
static long vm_pin_kb(void)
{
	char line[256];
	long v = -1;
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmPin: %ld", &v) == 1)
			break;
	fclose(f);
	return v;
}

static void *anon(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

static void fill(void *p, size_t len, unsigned int seed)
{
	unsigned char *b = p;
	size_t i;

	for (i = 0; i < len; i++)
		b[i] = (unsigned char)(i * 31 + seed * 7 + (i >> 12));
}

static bool filled(const void *p, size_t len, unsigned int seed)
{
	const unsigned char *b = p;
	size_t i;

	for (i = 0; i < len; i++)
		if (b[i] != (unsigned char)(i * 31 + seed * 7 + (i >> 12)))
			return false;
	return true;
}

/*
 * Copy @len bytes (in descriptors of at most 256 KiB) from @src to @dst
 * at their virtual addresses (SVA) or registered IOVAs (pinned: IOVA ==
 * VA); 0, -EIO (error state) or -ETIMEDOUT.
 */
static int copy(struct uctx *x, const void *src, void *dst, size_t len)
{
	size_t off, n, chunk = 256 * 1024;
	union sdxi_desc d;
	uint64_t end;

	for (off = 0; off < len; off += n) {
		n = len - off < chunk ? len - off : chunk;
		dsc_copy(&d, (uintptr_t)src + off, (uintptr_t)dst + off, n,
			 x->c.out_akey_data);
		uctx_submit(x, &d, 1);
	}
	end = x->w;
	return uctx_wait(x, end, SVA_MS);
}

/* The context's most recent error record, after it reported one. */
static int last_error(struct uctx *x, struct sdxi_error_record *rec)
{
	struct sdxi_error_record recs[4];
	struct sdxi_context_status s;
	int err = ctx_status_wait_error(x->fd, x->c.out_context_id, &s, recs, 4,
					SVA_MS);

	if (err)
		return err;
	if (!s.nr_records)
		return -ENOENT;
	*rec = recs[s.nr_records - 1];
	return 0;
}

static int reset(struct uctx *x)
{
	x->w = 0;
	return ctx_cmd(x->fd, SDXI_IOC_RESET_CONTEXT, x->c.out_context_id);
}

/*
 * A copy that needs a page request failed with a translation error on
 * @addr: skip unless page requests are expected (SDXI_SVA_PRI=1).
 */
#define PRI_OR_SKIP(x, ret, what)					\
	do {								\
		struct sdxi_error_record __r;				\
		if ((ret) == -EIO && !env_set("SDXI_SVA_PRI") &&	\
		    !last_error((x), &__r) &&				\
		    __r.reason == SDXI_ERR_XLATE) {			\
			uctx_destroy(x);				\
			SKIP(return, "%s needs page requests; this function resolved none (translation error at %#llx)", \
			     what, (unsigned long long)__r.addr);	\
		}							\
	} while (0)

/* GET_INFO offers SVA on a binding kernel with the SVA IOMMU, never on 6.x. */
TEST(info_reports_sva_where_the_kernel_binds)
{
	struct sdxi_info i;
	int fd;

	OPEN_OR_SKIP(&fd);
	REQUIRE_ISOLATION(fd);
	ASSERT_EQ(0, sdxi_get_info(fd, &i));
	if (kernel_major() < 7)
		EXPECT_EQ(0, i.out_flags & SDXI_INFO_F_SVA);
	if (env_set("SDXI_EXPECT_SVA"))
		EXPECT_NE(0, i.out_flags & SDXI_INFO_F_SVA);
	EXPECT_EQ(SDXI_ISOLATION_PASID, i.out_isolation);
	close(fd);
}

/* Asking for SVA where it is not offered is EOPNOTSUPP; nothing is left. */
TEST(sva_where_unavailable_is_eopnotsupp)
{
	struct sdxi_info before, after;
	struct uctx x;
	int fd;

	OPEN_OR_SKIP(&fd);
	REQUIRE_ISOLATION(fd);
	if (sva_offered(fd)) {
		close(fd);
		SKIP(return, "SVA is available here");
	}
	ASSERT_EQ(0, sdxi_get_info(fd, &before));
	EXPECT_EQ(-EOPNOTSUPP, uctx_create_iso(fd, 0, SDXI_ISOLATION_SVA, &x));
	ASSERT_EQ(0, sdxi_get_info(fd, &after));
	EXPECT_EQ(before.out_free_contexts, after.out_free_contexts);
	close(fd);
}

/* Unknown isolation values, and NONE on an isolated function, are refused. */
TEST(unknown_isolation_is_refused)
{
	struct uctx x;
	int fd;

	OPEN_OR_SKIP(&fd);
	REQUIRE_ISOLATION(fd);
	EXPECT_EQ(-EINVAL, uctx_create_iso(fd, 0, 4, &x));
	EXPECT_EQ(-EINVAL, uctx_create_iso(fd, 0, 0xffffffff, &x));
	EXPECT_EQ(-EINVAL, uctx_create_iso(fd, 0, SDXI_ISOLATION_NONE, &x));
	close(fd);
}

/*
 * A binary built against the first version of the struct (144 bytes)
 * keeps working: its context is the pinned default, and nothing is
 * written past the size it passed.
 */
TEST(create_at_the_first_version_size_is_the_pinned_default)
{
	struct {
		struct sdxi_create_context c;
		unsigned char guard[64];
	} a;
	struct sdxi_context_cmd d;
	void *buf;
	int fd;

	OPEN_OR_SKIP(&fd);
	REQUIRE_ISOLATION(fd);
	memset(&a, 0xa5, sizeof(a));
	memset(&a.c, 0, offsetof(struct sdxi_create_context, isolation));
	a.c.size = offsetof(struct sdxi_create_context, isolation);
	ASSERT_EQ(0, sdxi_ioc(fd, SDXI_IOC_CREATE_CONTEXT, &a.c));
	EXPECT_EQ(0xa5a5a5a5, a.c.isolation);
	EXPECT_EQ(0xa5a5a5a5, a.c.out_isolation);
	/* Pinned: MAP_MEM works (an SVA context refuses it). */
	buf = alloc_pages_filled(1, 0);
	ASSERT_TRUE(buf != NULL);
	EXPECT_EQ(0, map_mem(fd, a.c.out_context_id, buf, SDXI_PG, SDXI_MAP_READ));
	memset(&d, 0, sizeof(d));
	d.size = sizeof(d);
	d.context_id = a.c.out_context_id;
	EXPECT_EQ(0, sdxi_ioc(fd, SDXI_IOC_DESTROY_CONTEXT, &d));
	close(fd);
}

/* isolation 0 and PASID keep the pinned mode: MAP_MEM, copy, out_isolation. */
TEST(default_and_pasid_are_the_pinned_mode)
{
	uint32_t iso[2] = { 0, SDXI_ISOLATION_PASID };
	void *src = alloc_pages_filled(4, 0x21), *dst = alloc_pages_filled(4, 0);
	struct uctx x;
	int fd, k;

	OPEN_OR_SKIP(&fd);
	REQUIRE_ISOLATION(fd);
	ASSERT_TRUE(src && dst);
	for (k = 0; k < 2; k++) {
		memset(dst, 0, 4 * SDXI_PG);
		ASSERT_EQ(0, uctx_create_iso(fd, 0, iso[k], &x));
		EXPECT_EQ(SDXI_ISOLATION_PASID, x.c.out_isolation);
		/* Unregistered memory is out of reach. */
		EXPECT_EQ(-EIO, copy(&x, src, dst, 4 * SDXI_PG));
		EXPECT_EQ(0, reset(&x));
		ASSERT_EQ(0, map_mem(fd, x.c.out_context_id, src, 4 * SDXI_PG, SDXI_MAP_READ));
		ASSERT_EQ(0, map_mem(fd, x.c.out_context_id, dst, 4 * SDXI_PG, SDXI_MAP_WRITE));
		EXPECT_GT(vm_pin_kb(), 0);
		EXPECT_EQ(0, copy(&x, src, dst, 4 * SDXI_PG));
		EXPECT_TRUE(all_bytes(dst, 4 * SDXI_PG, 0x21));
		EXPECT_EQ(0, uctx_destroy(&x));
	}
	EXPECT_EQ(0, vm_pin_kb());
	close(fd);
}

/* Touched memory copies at its virtual addresses; nothing is pinned. */
TEST(sva_copies_touched_memory_with_nothing_pinned)
{
	size_t len = 64 * SDXI_PG;
	void *src = anon(len), *dst = anon(len);
	long long pasids;
	struct uctx x;
	int fd;

	OPEN_OR_SKIP(&fd);
	REQUIRE_ISOLATION(fd);
	REQUIRE_SVA(fd);
	ASSERT_TRUE(src && dst);
	fill(src, len, 1);
	memset(dst, 0, len);
	ASSERT_EQ(0, uctx_create_iso(fd, 0, SDXI_ISOLATION_SVA, &x));
	EXPECT_EQ(SDXI_ISOLATION_SVA, x.c.out_isolation);
	pasids = sdxi_counter("pasids");
	EXPECT_EQ(0, copy(&x, src, dst, len));
	EXPECT_TRUE(filled(dst, len, 1));
	EXPECT_EQ(0, vm_pin_kb());
	EXPECT_EQ(0, uctx_destroy(&x));
	EXPECT_EQ(pasids - 1, sdxi_counter("pasids"));
	EXPECT_EQ(0, vm_pin_kb());
	close(fd);
}

/* MAP_MEM and MAP_DMABUF are refused on an SVA context; nothing pinned. */
TEST(sva_map_mem_is_refused_and_pins_nothing)
{
	void *buf = alloc_pages_filled(8, 1);
	struct uctx x;
	int fd;

	OPEN_OR_SKIP(&fd);
	REQUIRE_ISOLATION(fd);
	REQUIRE_SVA(fd);
	ASSERT_TRUE(buf != NULL);
	ASSERT_EQ(0, uctx_create_iso(fd, 0, SDXI_ISOLATION_SVA, &x));
	EXPECT_EQ(-EOPNOTSUPP, map_mem(fd, x.c.out_context_id, buf, 8 * SDXI_PG,
				       SDXI_MAP_READ | SDXI_MAP_WRITE));
	EXPECT_EQ(-ENOENT, unmap_mem(fd, x.c.out_context_id, buf, 8 * SDXI_PG));
	EXPECT_EQ(-EOPNOTSUPP, map_dmabuf(fd, x.c.out_context_id, -1, 0x10000000,
					  SDXI_PG));
	EXPECT_EQ(0, vm_pin_kb());
	EXPECT_EQ(0, sdxi_counter("pinned_pages"));
	EXPECT_EQ(0, uctx_destroy(&x));
	close(fd);
}

/* Never-touched anonymous memory as source (reads zero) and destination. */
TEST(sva_copies_never_touched_anonymous_memory)
{
	size_t len = 32 * SDXI_PG;
	void *src = anon(len), *dst = anon(len), *src2 = anon(len);
	struct uctx x;
	int fd, ret;

	OPEN_OR_SKIP(&fd);
	REQUIRE_ISOLATION(fd);
	REQUIRE_SVA(fd);
	ASSERT_TRUE(src && dst && src2);
	ASSERT_EQ(0, uctx_create_iso(fd, 0, SDXI_ISOLATION_SVA, &x));
	/* Touched source, untouched destination. */
	fill(src, len, 2);
	ret = copy(&x, src, dst, len);
	PRI_OR_SKIP(&x, ret, "an untouched destination");
	EXPECT_EQ(0, ret);
	EXPECT_TRUE(filled(dst, len, 2));
	/* Untouched source over a written destination: zeroes. */
	ret = copy(&x, src2, dst, len);
	EXPECT_EQ(0, ret);
	EXPECT_TRUE(all_bytes(dst, len, 0));
	EXPECT_EQ(0, vm_pin_kb());
	EXPECT_EQ(0, uctx_destroy(&x));
	close(fd);
}

/* The source is a file mapping whose pages this process never read. */
TEST(sva_source_in_a_file_mapping_not_yet_read)
{
	char path[] = "/tmp/sdxi-sva-XXXXXX";
	size_t len = 16 * SDXI_PG;
	void *buf = anon(len), *dst = anon(len), *map;
	struct uctx x;
	int fd, ffd, ret;

	OPEN_OR_SKIP(&fd);
	REQUIRE_ISOLATION(fd);
	REQUIRE_SVA(fd);
	ASSERT_TRUE(buf && dst);
	ffd = mkstemp(path);
	ASSERT_GE(ffd, 0);
	unlink(path);
	fill(buf, len, 3);
	ASSERT_EQ((ssize_t)len, write(ffd, buf, len));
	map = mmap(NULL, len, PROT_READ, MAP_SHARED, ffd, 0);
	ASSERT_NE(MAP_FAILED, map);
	memset(dst, 0, len);
	ASSERT_EQ(0, uctx_create_iso(fd, 0, SDXI_ISOLATION_SVA, &x));
	ret = copy(&x, map, dst, len);
	PRI_OR_SKIP(&x, ret, "a file mapping not yet read");
	EXPECT_EQ(0, ret);
	EXPECT_TRUE(filled(dst, len, 3));
	EXPECT_EQ(0, uctx_destroy(&x));
	munmap(map, len);
	close(ffd);
	close(fd);
}

/*
 * A MAP_PRIVATE destination after fork(): the device's write breaks
 * copy-on-write in the parent as a CPU store would; the child keeps the
 * old bytes.
 */
TEST(sva_cow_destination_after_fork)
{
	size_t len = 8 * SDXI_PG;
	void *src = anon(len), *dst = anon(len);
	int p2c[2], c2p[2];
	struct uctx x;
	int fd, ret;
	char c = 0;
	pid_t pid;

	OPEN_OR_SKIP(&fd);
	REQUIRE_ISOLATION(fd);
	REQUIRE_SVA(fd);
	ASSERT_TRUE(src && dst);
	fill(src, len, 4);
	memset(dst, 0x11, len);
	ASSERT_EQ(0, uctx_create_iso(fd, 0, SDXI_ISOLATION_SVA, &x));
	ASSERT_EQ(0, pipe(p2c));
	ASSERT_EQ(0, pipe(c2p));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		/* Ready, wait for the parent's copy, then check our view. */
		if (write(c2p[1], "r", 1) != 1 || read(p2c[0], &c, 1) != 1)
			_exit(2);
		_exit(all_bytes(dst, len, 0x11) ? 0 : 1);
	}
	ASSERT_EQ(1, read(c2p[0], &c, 1));
	ret = copy(&x, src, dst, len);
	if (ret) {
		ASSERT_EQ(1, write(p2c[1], "g", 1));
		child_status(pid);
	}
	PRI_OR_SKIP(&x, ret, "a copy-on-write destination");
	EXPECT_EQ(0, ret);
	EXPECT_TRUE(filled(dst, len, 4));
	if (!ret) {
		ASSERT_EQ(1, write(p2c[1], "g", 1));
		EXPECT_EQ(0, child_status(pid));
	}
	EXPECT_EQ(0, uctx_destroy(&x));
	close(fd);
}

/*
 * munmap() of a destination whose copy is queued (in the ring, before the
 * doorbell): that context's error record names the address; another
 * context of the process copies on.
 */
TEST(sva_munmap_under_a_queued_copy_is_that_contexts_error)
{
	size_t len = 4 * SDXI_PG;
	void *src = anon(len), *dst = anon(len), *dst2 = anon(len);
	struct sdxi_error_record rec;
	struct sdxi_context_status s;
	struct uctx a, b;
	union sdxi_desc d;
	int fd;

	OPEN_OR_SKIP(&fd);
	REQUIRE_ISOLATION(fd);
	REQUIRE_SVA(fd);
	ASSERT_TRUE(src && dst && dst2);
	fill(src, len, 5);
	memset(dst, 0, len);
	memset(dst2, 0, len);
	ASSERT_EQ(0, uctx_create_iso(fd, 0, SDXI_ISOLATION_SVA, &a));
	ASSERT_EQ(0, uctx_create_iso(fd, 0, SDXI_ISOLATION_SVA, &b));
	/* The descriptor in the ring, W not yet published. */
	dsc_copy(&d, (uintptr_t)src, (uintptr_t)dst, len, a.c.out_akey_data);
	d.qw[0] |= SDXI_DSC_VL;
	memcpy(&a.ring[0], &d, sizeof(d));
	ASSERT_EQ(0, munmap(dst, len));
	a.w = 1;
	__atomic_store_n(a.wi, a.w, __ATOMIC_RELEASE);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	*a.db = a.w;
	EXPECT_EQ(-EIO, uctx_wait(&a, 1, SVA_MS));
	ASSERT_EQ(0, last_error(&a, &rec));
	EXPECT_EQ(SDXI_ERR_XLATE, rec.reason);
	EXPECT_EQ((uintptr_t)dst, rec.addr);
	EXPECT_EQ(SDXI_STEP_DATA, rec.step);
	/* Nothing else affected. */
	EXPECT_EQ(0, copy(&b, src, dst2, len));
	EXPECT_TRUE(filled(dst2, len, 5));
	ASSERT_EQ(0, ctx_status(fd, b.c.out_context_id, &s, NULL, 0));
	EXPECT_EQ(0, s.out_errors);
	EXPECT_EQ(0, uctx_destroy(&a));
	EXPECT_EQ(0, uctx_destroy(&b));
	close(fd);
}

/* A read-only destination is an error and is not written. */
TEST(sva_mprotect_read_only_destination_faults_without_writing)
{
	size_t len = 4 * SDXI_PG;
	void *src = anon(len), *dst = anon(len);
	struct sdxi_error_record rec;
	struct uctx x;
	int fd;

	OPEN_OR_SKIP(&fd);
	REQUIRE_ISOLATION(fd);
	REQUIRE_SVA(fd);
	ASSERT_TRUE(src && dst);
	fill(src, len, 6);
	memset(dst, 0x5a, len);
	ASSERT_EQ(0, mprotect(dst, len, PROT_READ));
	ASSERT_EQ(0, uctx_create_iso(fd, 0, SDXI_ISOLATION_SVA, &x));
	EXPECT_EQ(-EIO, copy(&x, src, dst, len));
	ASSERT_EQ(0, last_error(&x, &rec));
	EXPECT_EQ((uintptr_t)dst, rec.addr);
	EXPECT_EQ(SDXI_STEP_DATA, rec.step);
	EXPECT_TRUE(all_bytes(dst, len, 0x5a));
	EXPECT_EQ(0, uctx_destroy(&x));
	close(fd);
}

/*
 * Descriptors naming kernel addresses (the direct map, kernel text) or
 * the context's own region IOVAs reach nothing through the process's
 * page tables: errors, and the destination keeps its bytes.
 */
TEST(sva_kernel_and_region_addresses_are_unreachable)
{
	uint64_t bad[] = { 0xffff888000100000ULL, 0xffffffff81000000ULL, 0, 0 };
	size_t len = SDXI_PG;
	void *buf = anon(len);
	struct sdxi_error_record rec;
	union sdxi_desc d;
	struct uctx x;
	unsigned int k;
	int fd;

	OPEN_OR_SKIP(&fd);
	REQUIRE_ISOLATION(fd);
	REQUIRE_SVA(fd);
	ASSERT_TRUE(buf != NULL);
	ASSERT_EQ(0, uctx_create_iso(fd, 0, SDXI_ISOLATION_SVA, &x));
	bad[2] = x.c.out_ring_iova;
	bad[3] = x.c.out_sts_iova;
	for (k = 0; k < 4; k++) {
		/* Read from it. */
		memset(buf, 0x77, len);
		dsc_copy(&d, bad[k], (uintptr_t)buf, len, x.c.out_akey_data);
		uctx_submit(&x, &d, 1);
		EXPECT_EQ(-EIO, uctx_wait(&x, x.w, SVA_MS));
		ASSERT_EQ(0, last_error(&x, &rec));
		EXPECT_EQ(bad[k], rec.addr);
		EXPECT_TRUE(all_bytes(buf, len, 0x77));
		ASSERT_EQ(0, reset(&x));
		/* Write to it. */
		dsc_copy(&d, (uintptr_t)buf, bad[k], len, x.c.out_akey_data);
		uctx_submit(&x, &d, 1);
		EXPECT_EQ(-EIO, uctx_wait(&x, x.w, SVA_MS));
		ASSERT_EQ(0, last_error(&x, &rec));
		EXPECT_EQ(bad[k], rec.addr);
		ASSERT_EQ(0, reset(&x));
	}
	/* The ring is intact: a copy still works after the resets. */
	memset(buf, 0, len);
	{
		void *src = anon(len);

		ASSERT_TRUE(src != NULL);
		fill(src, len, 8);
		EXPECT_EQ(0, copy(&x, src, buf, len));
		EXPECT_TRUE(filled(buf, len, 8));
	}
	EXPECT_EQ(0, uctx_destroy(&x));
	close(fd);
}

/* After fork the child can neither call the parent's file nor map it. */
TEST(sva_parent_context_is_unusable_in_the_child)
{
	size_t len = 2 * SDXI_PG;
	void *src = anon(len), *dst = anon(len);
	struct uctx x;
	pid_t pid;
	int fd;

	OPEN_OR_SKIP(&fd);
	REQUIRE_ISOLATION(fd);
	REQUIRE_SVA(fd);
	ASSERT_TRUE(src && dst);
	ASSERT_EQ(0, uctx_create_iso(fd, 0, SDXI_ISOLATION_SVA, &x));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		struct sdxi_context_status s;

		if (ctx_status(fd, x.c.out_context_id, &s, NULL, 0) != -EPERM)
			_exit(1);
		if (sdxi_map(fd, x.c.out_db_offset, x.c.out_db_size, PROT_WRITE))
			_exit(2);
		/* The parent's doorbell mapping was not inherited. */
		*x.db = 1;
		_exit(3);
	}
	EXPECT_EQ(1000 + SIGSEGV, child_status(pid));
	fill(src, len, 9);
	memset(dst, 0, len);
	EXPECT_EQ(0, copy(&x, src, dst, len));
	EXPECT_TRUE(filled(dst, len, 9));
	EXPECT_EQ(0, uctx_destroy(&x));
	close(fd);
}

/*
 * Wait up to 5 s for the user_contexts counter to read @want: a process's
 * contexts go with its file, after its exit.
 */
static void wait_user_contexts(long long want)
{
	int i;

	for (i = 0; i < 500 && sdxi_counter("user_contexts") != want; i++)
		usleep(10000);
}

/*
 * Processes that destroy their SVA context (or close its file) and exit
 * at once, several at a time: each unbind races with its process's exit,
 * which tears the mm's PASID down, and the two must not overlap
 * (uapi.rst "Lifetime"; the guest log's check catches the IOMMU driver's
 * WARNING when they do).  Many rounds, every counter back.
 */
static void exit_right_after_the_context_goes(unsigned int seed)
{
	size_t len = 4 * SDXI_PG;
	void *src = anon(len), *dst = anon(len);
	int fd = open(SDXI_DEV, O_RDWR);
	struct uctx x;

	if (fd < 0 || !src || !dst || uctx_create_iso(fd, 0, SDXI_ISOLATION_SVA, &x))
		_exit(1);
	fill(src, len, seed);
	memset(dst, 0, len);
	if (copy(&x, src, dst, len) || !filled(dst, len, seed))
		_exit(2);
	if (seed & 1)
		uctx_unmap(&x);
	else if (uctx_destroy(&x))
		_exit(3);
	close(fd);
	_exit(0);
}

FIXTURE(sva_exit) {};
FIXTURE_SETUP(sva_exit) {}
FIXTURE_TEARDOWN(sva_exit) {}

TEST_F_TIMEOUT(sva_exit, right_after_the_context_goes, 300)
{
	long long contexts = sdxi_counter("user_contexts"), pasids = sdxi_counter("pasids");
	enum { ROUNDS = 12, AT_ONCE = 4, HOGS = 2 };
	pid_t pid[AT_ONCE], hog[HOGS];
	int fd, round, i;

	OPEN_OR_SKIP(&fd);
	REQUIRE_ISOLATION(fd);
	REQUIRE_SVA(fd);
	close(fd);
	/* Busy CPUs: the unbinds run late, some while their process exits. */
	for (i = 0; i < HOGS; i++) {
		hog[i] = fork();
		ASSERT_GE(hog[i], 0);
		if (!hog[i]) {
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			for (;;)
				;
		}
	}
	for (round = 0; round < ROUNDS; round++) {
		for (i = 0; i < AT_ONCE; i++) {
			pid[i] = fork();
			ASSERT_GE(pid[i], 0);
			if (!pid[i])
				exit_right_after_the_context_goes(round * AT_ONCE + i);
		}
		for (i = 0; i < AT_ONCE; i++)
			EXPECT_EQ(0, child_status(pid[i])) TH_LOG("round %d, child %d", round, i);
	}
	for (i = 0; i < HOGS; i++) {
		kill(hog[i], SIGKILL);
		EXPECT_EQ(1000 + SIGKILL, child_status(hog[i]));
	}
	wait_user_contexts(contexts);
	EXPECT_EQ(contexts, sdxi_counter("user_contexts"));
	EXPECT_EQ(pasids, sdxi_counter("pasids"));
}

/*
 * kill -9 of a process whose SVA context has faulting copies queued: the
 * exit tears it down (every counter back), and the function serves the
 * next process.
 */
TEST(sva_kill_9_with_faults_outstanding)
{
	long long contexts = sdxi_counter("user_contexts"), pasids = sdxi_counter("pasids");
	size_t len = 4 * SDXI_PG;
	void *src = anon(len), *dst = anon(len);
	int fd, sync[2], i;
	struct uctx x;
	char c;
	pid_t pid;

	OPEN_OR_SKIP(&fd);
	REQUIRE_ISOLATION(fd);
	REQUIRE_SVA(fd);
	ASSERT_TRUE(src && dst);
	ASSERT_EQ(0, pipe(sync));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		size_t big = 256 * SDXI_PG;
		char *u = anon(big), *v = anon(big);
		struct uctx y;
		union sdxi_desc d;
		int cfd = open(SDXI_DEV, O_RDWR);

		if (cfd < 0 || !u || !v || uctx_create_iso(cfd, 0, SDXI_ISOLATION_SVA, &y))
			_exit(1);
		/* Untouched pages: page requests or translation faults. */
		for (i = 0; i < 32; i++) {
			dsc_copy(&d, (uintptr_t)u + i * 8 * SDXI_PG,
				 (uintptr_t)v + i * 8 * SDXI_PG, 8 * SDXI_PG,
				 y.c.out_akey_data);
			uctx_submit(&y, &d, 1);
		}
		if (write(sync[1], "q", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	ASSERT_EQ(1, read(sync[0], &c, 1));
	kill(pid, SIGKILL);
	EXPECT_EQ(1000 + SIGKILL, child_status(pid));
	wait_user_contexts(contexts);
	EXPECT_EQ(contexts, sdxi_counter("user_contexts"));
	EXPECT_EQ(pasids, sdxi_counter("pasids"));
	fill(src, len, 10);
	memset(dst, 0, len);
	ASSERT_EQ(0, uctx_create_iso(fd, 0, SDXI_ISOLATION_SVA, &x));
	EXPECT_EQ(0, copy(&x, src, dst, len));
	EXPECT_TRUE(filled(dst, len, 10));
	EXPECT_EQ(0, uctx_destroy(&x));
	close(fd);
}

static double secs(const struct timespec *a, const struct timespec *b)
{
	return (b->tv_sec - a->tv_sec) + (b->tv_nsec - a->tv_nsec) / 1e9;
}

/*
 * One run, both modes: the first copy of fresh memory (SVA: the process
 * touches or, with page requests, the device faults the pages in;
 * pinned: MAP_MEM of both buffers, then the copy) and the steady state
 * (the same buffers copied again).  Figures only; the data is checked.
 */
TEST(figures_first_touch_and_steady_state_sva_vs_pinned)
{
	const size_t len = 4 << 20;
	const int reps = 8;
	double first[2], steady[2];
	struct timespec t0, t1, t2;
	int fd, mode, r;

	OPEN_OR_SKIP(&fd);
	REQUIRE_ISOLATION(fd);
	REQUIRE_SVA(fd);
	for (mode = 0; mode < 2; mode++) {
		void *src = anon(len), *dst = anon(len);
		struct uctx x;

		ASSERT_TRUE(src && dst);
		fill(src, len, 11);
		ASSERT_EQ(0, uctx_create_iso(fd, 0, mode ? SDXI_ISOLATION_PASID :
							  SDXI_ISOLATION_SVA, &x));
		clock_gettime(CLOCK_MONOTONIC, &t0);
		if (mode) {
			ASSERT_EQ(0, map_mem(fd, x.c.out_context_id, src, len, SDXI_MAP_READ));
			ASSERT_EQ(0, map_mem(fd, x.c.out_context_id, dst, len, SDXI_MAP_WRITE));
		} else if (!env_set("SDXI_SVA_PRI")) {
			/* No page requests: the process faults the destination in. */
			ASSERT_EQ(0, madvise(dst, len, MADV_POPULATE_WRITE));
		}
		ASSERT_EQ(0, copy(&x, src, dst, len));
		clock_gettime(CLOCK_MONOTONIC, &t1);
		for (r = 0; r < reps; r++)
			ASSERT_EQ(0, copy(&x, src, dst, len));
		clock_gettime(CLOCK_MONOTONIC, &t2);
		EXPECT_TRUE(filled(dst, len, 11));
		first[mode] = secs(&t0, &t1);
		steady[mode] = reps * (double)len / secs(&t1, &t2) / 1e6;
		EXPECT_EQ(0, uctx_destroy(&x));
		munmap(src, len);
		munmap(dst, len);
	}
	printf("# figure: first copy of 4 MiB fresh memory: sva %.2f ms (%s) vs pinned %.2f ms (MAP_MEM + copy); pinned/sva %.2f\n",
	       first[0] * 1e3, env_set("SDXI_SVA_PRI") ? "device page requests" :
	       "MADV_POPULATE_WRITE + copy", first[1] * 1e3, first[1] / first[0]);
	printf("# figure: steady 4 MiB copies: sva %.1f MB/s vs pinned %.1f MB/s; sva/pinned %.2f\n",
	       steady[0], steady[1], steady[0] / steady[1]);
	close(fd);
}

/* The window tests open their own files: skip unless SVA is offered. */
#define REQUIRE_SVA_WINDOWS()						\
	do {								\
		int __fd;						\
									\
		OPEN_OR_SKIP(&__fd);					\
		REQUIRE_ISOLATION(__fd);				\
		REQUIRE_SVA(__fd);					\
		close(__fd);						\
	} while (0)

/*
 * Window tests: the importer's last error record, then RESET_CONTEXT so
 * that it can go on.
 */
static int side_error(struct side *s, struct sdxi_error_record *rec)
{
	int ret = last_error(&s->x, rec);

	return ret ?: reset(&s->x);
}

/* Exporting from an SVA context: only what its mappings allow, pinned. */
TEST(sva_window_rights_beyond_the_mappings_are_refused)
{
	size_t len = 4 * SDXI_PG;
	unsigned char *ro, *none, *hole;
	struct side e;
	uint32_t wid;
	int wfd;

	REQUIRE_SVA_WINDOWS();
	ro = mmap(NULL, len, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	none = mmap(NULL, SDXI_PG, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	/* The context's regions first: none of them may land in the hole. */
	ASSERT_EQ(0, side_open_iso(&e, SDXI_ISOLATION_SVA));
	hole = anon(3 * SDXI_PG);
	ASSERT_TRUE(ro != MAP_FAILED && none != MAP_FAILED && hole);
	ASSERT_EQ(0, munmap(hole + SDXI_PG, SDXI_PG));
	/* Write access to read-only memory; any access to PROT_NONE. */
	EXPECT_EQ(-EACCES, export_window(&e, ro, len, SDXI_MAP_WRITE, &wfd, NULL));
	EXPECT_EQ(-EACCES, export_window(&e, ro, len,
					 SDXI_MAP_READ | SDXI_MAP_WRITE, &wfd, NULL));
	EXPECT_EQ(-EACCES, export_window(&e, none, SDXI_PG, SDXI_MAP_READ, &wfd, NULL));
	/* A range with a hole, the hole itself. */
	EXPECT_EQ(-ENOENT, export_window(&e, hole, 3 * SDXI_PG, SDXI_MAP_READ,
					 &wfd, NULL));
	EXPECT_EQ(-ENOENT, export_window(&e, hole + SDXI_PG, SDXI_PG,
					 SDXI_MAP_READ | SDXI_MAP_WRITE, &wfd, NULL));
	/* The context's own regions (VM_IO | VM_PFNMAP) cannot be pinned. */
	EXPECT_EQ(-EFAULT, export_window(&e, e.x.ring, SDXI_PG, SDXI_MAP_READ,
					 &wfd, NULL));
	EXPECT_EQ(-EFAULT, export_window(&e, (void *)e.x.sts, SDXI_PG,
					 SDXI_MAP_READ, &wfd, NULL));
	/* Nothing was pinned or created by the refusals. */
	EXPECT_EQ(0, vm_pin_kb());
	EXPECT_EQ(0, sdxi_counter("pinned_pages"));
	EXPECT_EQ(0, sdxi_counter("windows"));
	/* What the mappings allow: pinned and charged while the window lives. */
	ASSERT_EQ(0, export_window(&e, ro, len, SDXI_MAP_READ, &wfd, &wid));
	EXPECT_EQ(1, sdxi_counter("windows"));
	EXPECT_EQ(4, sdxi_counter("pinned_pages"));
	EXPECT_EQ((long)(len >> 10), vm_pin_kb());
	EXPECT_EQ(0, revoke_window(&e, wid));
	EXPECT_EQ(0, sdxi_counter("windows"));
	EXPECT_EQ(0, sdxi_counter("pinned_pages"));
	EXPECT_EQ(0, vm_pin_kb());
	close(wfd);
	side_close(&e);
	munmap(ro, len);
	munmap(none, SDXI_PG);
	munmap(hole, SDXI_PG);
	munmap(hole + 2 * SDXI_PG, SDXI_PG);
}

/*
 * Pass @fd to the parent: over a Unix socket, or (a guest without
 * AF_UNIX) its number through a pipe, for pidfd_getfd().
 */
static int pass_fd(int sock, bool unix_sock, int fd)
{
	if (unix_sock)
		return send_fd(sock, fd);
	return write(sock, &fd, sizeof(fd)) == sizeof(fd) ? 0 : -EIO;
}

/* The parent's side of pass_fd(): the descriptor, or -errno. */
static int take_fd(int sock, bool unix_sock, pid_t pid)
{
	int cfd, pidfd, fd;

	if (unix_sock)
		return recv_fd(sock);
	if (read(sock, &cfd, sizeof(cfd)) != sizeof(cfd))
		return -EIO;
	pidfd = syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0)
		return -errno;
	fd = syscall(SYS_pidfd_getfd, pidfd, cfd, 0);
	if (fd < 0)
		fd = -errno;
	close(pidfd);
	return fd;
}

/*
 * The exporter's process: an SVA context exporting pages 0-1 of its
 * buffer read/write and pages 2-3 read-only, the two window fds passed
 * over @sock; once the importer says so, it checks what the importers
 * wrote and exits (its exit revokes both windows).
 */
static int sva_exporter(int sock, bool unix_sock, int go)
{
	unsigned char *buf = anon(4 * SDXI_PG);
	struct side e;
	int rw, ro;
	char b;

	if (!buf || side_open_iso(&e, SDXI_ISOLATION_SVA))
		return 1;
	memset(buf, 0x77, 2 * SDXI_PG);
	memset(buf + 2 * SDXI_PG, 0x33, 2 * SDXI_PG);
	if (export_window(&e, buf, 2 * SDXI_PG, SDXI_MAP_READ | SDXI_MAP_WRITE,
			  &rw, NULL) ||
	    export_window(&e, buf + 2 * SDXI_PG, 2 * SDXI_PG, SDXI_MAP_READ,
			  &ro, NULL))
		return 2;
	if (vm_pin_kb() != (long)(4 * SDXI_PG >> 10))
		return 3;
	if (pass_fd(sock, unix_sock, rw) || pass_fd(sock, unix_sock, ro))
		return 4;
	if (read(go, &b, 1) != 1)
		return 5;
	/* Page 0 from the SVA importer, page 1 from the pinned one. */
	if (!all_bytes(buf, SDXI_PG, 0x99) ||
	    !all_bytes(buf + SDXI_PG, SDXI_PG, 0x88) ||
	    !all_bytes(buf + 2 * SDXI_PG, 2 * SDXI_PG, 0x33))
		return 6;
	return 0;
}

/*
 * @s imports the exporter's windows @rw and @ro and works through them:
 * reads both, writes page @page of @rw with @c, and fails (its own error
 * record, nothing written) one byte before and after @rw and on a write
 * to @ro.  @local: 2 pages @s reaches under AKey 0.
 */
static void sva_window_use(struct __test_metadata *_metadata, struct side *s,
			   int rw, int ro, unsigned char *local, int page,
			   int c, struct sdxi_import_window *w)
{
	struct sdxi_import_window r;
	struct sdxi_error_record rec;
	uint64_t lb = (uintptr_t)local;

	ASSERT_EQ(0, import_window(s, rw, w));
	ASSERT_EQ(0, import_window(s, ro, &r));
	EXPECT_EQ(SDXI_MAP_READ | SDXI_MAP_WRITE, w->out_flags);
	EXPECT_EQ(2 * SDXI_PG, w->out_length);
	EXPECT_EQ(SDXI_MAP_READ, r.out_flags);
	EXPECT_EQ(w->out_base + 2 * SDXI_PG, r.out_base);
	/* Remote -> local. */
	memset(local, 0, 2 * SDXI_PG);
	ASSERT_EQ(0, copy2(s, r.out_base, r.out_akey, lb, 0, 2 * SDXI_PG));
	EXPECT_TRUE(all_bytes(local, 2 * SDXI_PG, 0x33));
	ASSERT_EQ(0, copy2(s, w->out_base, w->out_akey, lb, 0, SDXI_PG));
	EXPECT_TRUE(all_bytes(local, SDXI_PG, 0x77));
	/* One byte before and after the window, read and written. */
	EXPECT_EQ(-EIO, copy2(s, w->out_base - 1, w->out_akey, lb, 0, 1));
	ASSERT_EQ(0, side_error(s, &rec));
	EXPECT_EQ(SDXI_ERR_XLATE, rec.reason);
	EXPECT_EQ(w->out_base - 1, rec.addr);
	EXPECT_EQ(-EIO, copy2(s, w->out_base + w->out_length, w->out_akey, lb, 0, 1));
	ASSERT_EQ(0, side_error(s, &rec));
	EXPECT_EQ(w->out_base + w->out_length, rec.addr);
	EXPECT_EQ(-EIO, copy2(s, lb, 0, w->out_base - 1, w->out_akey, 1));
	ASSERT_EQ(0, side_error(s, &rec));
	EXPECT_EQ(w->out_base - 1, rec.addr);
	EXPECT_EQ(-EIO, copy2(s, lb, 0, w->out_base + w->out_length, w->out_akey, 1));
	ASSERT_EQ(0, side_error(s, &rec));
	EXPECT_EQ(w->out_base + w->out_length, rec.addr);
	/* The read-only window refuses a write. */
	memset(local + SDXI_PG, 0xee, SDXI_PG);
	EXPECT_EQ(-EIO, copy2(s, lb + SDXI_PG, 0, r.out_base, r.out_akey, SDXI_PG));
	ASSERT_EQ(0, side_error(s, &rec));
	EXPECT_EQ(SDXI_ERR_XLATE, rec.reason);
	EXPECT_EQ(SDXI_STEP_DATA, rec.step);
	EXPECT_EQ(r.out_base, rec.addr);
	/* Local -> remote: page @page of the read/write window. */
	memset(local, c, SDXI_PG);
	ASSERT_EQ(0, copy2(s, lb, 0, w->out_base + page * SDXI_PG, w->out_akey,
			   SDXI_PG));
}

/* After the exporter died: @w fails in @s, nothing written to @local. */
static void sva_window_revoked(struct __test_metadata *_metadata,
			       struct side *s, struct sdxi_import_window *w,
			       int rw, unsigned char *local)
{
	struct sdxi_import_window w2;
	struct sdxi_error_record rec;

	memset(local, 0x5a, SDXI_PG);
	EXPECT_EQ(-EIO, copy2(s, w->out_base, w->out_akey, (uintptr_t)local, 0,
			      SDXI_PG));
	ASSERT_EQ(0, side_error(s, &rec));
	EXPECT_EQ(SDXI_ERR_AKEY_INVALID, rec.reason);
	EXPECT_TRUE(all_bytes(local, SDXI_PG, 0x5a));
	EXPECT_EQ(-EKEYREVOKED, import_window(s, rw, &w2));
}

/*
 * An SVA context of another process exports; a pinned and an SVA context
 * of this one import and copy both ways; the exporter's exit revokes.
 */
TEST(sva_window_into_pinned_and_sva_importers_until_the_exporter_exits)
{
	struct sdxi_import_window wp, ws;
	unsigned char *pl = anon(2 * SDXI_PG), *sl = anon(2 * SDXI_PG);
	long long pasids;
	struct side p, v;
	int sv[2], go[2], rw, ro;
	bool unix_sock = true;
	pid_t pid;

	REQUIRE_SVA_WINDOWS();
	ASSERT_TRUE(pl && sl);
	pasids = sdxi_counter("pasids");
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv)) {
		ASSERT_TRUE(errno == EAFNOSUPPORT || errno == ENOSYS);
		TH_LOG("no AF_UNIX: the fds go through pidfd_getfd()");
		unix_sock = false;
		ASSERT_EQ(0, pipe2(sv, O_CLOEXEC));
	}
	ASSERT_EQ(0, pipe2(go, O_CLOEXEC));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		_exit(sva_exporter(sv[1], unix_sock, go[0]));
	close(sv[1]);
	close(go[0]);
	rw = take_fd(sv[0], unix_sock, pid);
	ro = take_fd(sv[0], unix_sock, pid);
	ASSERT_LE(0, rw);
	ASSERT_LE(0, ro);
	EXPECT_EQ(2, sdxi_counter("windows"));
	EXPECT_EQ(4, sdxi_counter("pinned_pages"));
	ASSERT_EQ(0, side_open(&p, 0));
	ASSERT_EQ(0, map_mem(p.fd, cid(&p), pl, 2 * SDXI_PG,
			     SDXI_MAP_READ | SDXI_MAP_WRITE));
	ASSERT_EQ(0, side_open_iso(&v, SDXI_ISOLATION_SVA));
	/* The pinned importer writes page 1, then the SVA one page 0. */
	sva_window_use(_metadata, &p, rw, ro, pl, 1, 0x88, &wp);
	sva_window_use(_metadata, &v, rw, ro, sl, 0, 0x99, &ws);
	/* Each sees the other's write: the same pages. */
	ASSERT_EQ(0, copy2(&v, ws.out_base + SDXI_PG, ws.out_akey,
			   (uintptr_t)sl + SDXI_PG, 0, SDXI_PG));
	EXPECT_TRUE(all_bytes(sl + SDXI_PG, SDXI_PG, 0x88));
	EXPECT_EQ(4, sdxi_counter("window_imports"));
	ASSERT_EQ(1, write(go[1], "g", 1));
	EXPECT_EQ(0, child_status(pid));
	close(go[1]);
	close(sv[0]);
	/* The exporter exited: both windows revoked, their pins given back. */
	EXPECT_EQ(0, sdxi_counter("windows"));
	sva_window_revoked(_metadata, &p, &wp, rw, pl);
	sva_window_revoked(_metadata, &v, &ws, rw, sl);
	EXPECT_EQ(0, unimport_window(&p, wp.out_akey));
	close(rw);
	close(ro);
	side_close(&v);
	side_close(&p);
	EXPECT_EQ(0, sdxi_counter("window_imports"));
	EXPECT_EQ(0, sdxi_counter("pinned_pages"));
	EXPECT_EQ(pasids, sdxi_counter("pasids"));
}

/*
 * REVOKE_WINDOW and DESTROY_CONTEXT of an SVA exporter revoke; until
 * then the window keeps its pages, even after the exporter's munmap().
 */
TEST(sva_window_revoke_destroy_and_munmap)
{
	unsigned char *buf = anon(2 * SDXI_PG), *buf2 = anon(SDXI_PG);
	unsigned char *local = anon(2 * SDXI_PG);
	struct sdxi_import_window w;
	long long pasids;
	struct side e, i;
	uint32_t wid;
	int wfd;

	REQUIRE_SVA_WINDOWS();
	ASSERT_TRUE(buf && buf2 && local);
	pasids = sdxi_counter("pasids");
	ASSERT_EQ(0, side_open_iso(&e, SDXI_ISOLATION_SVA));
	ASSERT_EQ(0, side_open_iso(&i, SDXI_ISOLATION_SVA));
	memset(buf, 0x44, 2 * SDXI_PG);
	memset(local, 0, 2 * SDXI_PG);
	ASSERT_EQ(0, export_window(&e, buf, 2 * SDXI_PG,
				   SDXI_MAP_READ | SDXI_MAP_WRITE, &wfd, &wid));
	ASSERT_EQ(0, import_window(&i, wfd, &w));
	/* The exporter unmaps: the window still holds the pages it pinned. */
	ASSERT_EQ(0, munmap(buf, 2 * SDXI_PG));
	EXPECT_EQ((long)(2 * SDXI_PG >> 10), vm_pin_kb());
	ASSERT_EQ(0, copy2(&i, w.out_base, w.out_akey, (uintptr_t)local, 0,
			   2 * SDXI_PG));
	EXPECT_TRUE(all_bytes(local, 2 * SDXI_PG, 0x44));
	ASSERT_EQ(0, copy2(&i, (uintptr_t)local, 0, w.out_base, w.out_akey,
			   SDXI_PG));
	/* REVOKE_WINDOW: the pins go with it, the import fails. */
	ASSERT_EQ(0, revoke_window(&e, wid));
	EXPECT_EQ(0, vm_pin_kb());
	EXPECT_EQ(0, sdxi_counter("pinned_pages"));
	sva_window_revoked(_metadata, &i, &w, wfd, local);
	close(wfd);
	/* DESTROY_CONTEXT of the exporter. */
	memset(buf2, 0x45, SDXI_PG);
	ASSERT_EQ(0, export_window(&e, buf2, SDXI_PG, SDXI_MAP_READ, &wfd, NULL));
	ASSERT_EQ(0, import_window(&i, wfd, &w));
	ASSERT_EQ(0, copy2(&i, w.out_base, w.out_akey, (uintptr_t)local, 0,
			   SDXI_PG));
	EXPECT_TRUE(all_bytes(local, SDXI_PG, 0x45));
	EXPECT_EQ(1, sdxi_counter("pinned_pages"));
	ASSERT_EQ(0, uctx_destroy(&e.x));
	EXPECT_EQ(0, sdxi_counter("windows"));
	EXPECT_EQ(0, sdxi_counter("pinned_pages"));
	EXPECT_EQ(0, vm_pin_kb());
	sva_window_revoked(_metadata, &i, &w, wfd, local);
	close(wfd);
	close(e.fd);
	side_close(&i);
	EXPECT_EQ(0, sdxi_counter("window_imports"));
	EXPECT_EQ(pasids, sdxi_counter("pasids"));
	munmap(buf2, SDXI_PG);
	munmap(local, 2 * SDXI_PG);
}

TEST_HARNESS_MAIN
