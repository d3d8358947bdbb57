/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the /dev/sdxiN kselftests: raw UAPI only (no libsdxi).
 * Each helper returns 0 or -errno; descriptors are encoded with the
 * header-only encoders of <sdxi/encode.h> (the driver's directory, as
 * hw_conformance's <sdxi/function.h>).  The macros that SKIP or ASSERT (OPEN_OR_SKIP,
 * REQUIRE_*) need "../kselftest_harness.h" included first.
 */
#ifndef _SDXI_SELFTEST_COMMON_H
#define _SDXI_SELFTEST_COMMON_H

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/dma-heap.h>
#include <linux/sdxi.h>
#include <linux/sdxi_hw.h>
#include <linux/udmabuf.h>
#include <sdxi/encode.h>

#define SDXI_DEV	"/dev/sdxi0"
#define SDXI_SYSFS	"/sys/class/sdxi/sdxi0/"
/* The PCI function's attribute group (Documentation/driver.rst "sysfs"). */
#define SDXI_FN_SYSFS	SDXI_SYSFS "device/sdxi/"
#define SDXI_DEBUGFS_ROOT "/sys/kernel/debug/sdxi/"
#define SDXI_DEBUGFS	SDXI_DEBUGFS_ROOT "sdxi0/"
#define SDXI_PG		4096UL

static inline int sdxi_ioc(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) ? -errno : 0;
}

/* The integer at the start of a file (sysfs, procfs), or -1. */
static inline long long read_ll(const char *path)
{
	long long v = -1;
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	if (fscanf(f, "%lli", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

/* A device counter from sysfs (/sys/class/sdxi/sdxi0/NAME), or -1. */
static inline long long sdxi_counter(const char *name)
{
	char path[128];

	snprintf(path, sizeof(path), SDXI_SYSFS "%s", name);
	return read_ll(path);
}

/* A counter of the PCI function (.../device/sdxi/NAME), or -1. */
static inline long long sdxi_fn_counter(const char *name)
{
	char path[128];

	snprintf(path, sizeof(path), SDXI_FN_SYSFS "%s", name);
	return read_ll(path);
}

static inline int write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY);
	int ret;

	if (fd < 0)
		return -errno;
	ret = write(fd, s, strlen(s)) < 0 ? -errno : 0;
	close(fd);
	return ret;
}

/* ---- module parameters (Documentation/driver.rst "Module parameters") --- */
#define SDXI_PARAMS	"/sys/module/sdxi/parameters/"

/* A module parameter, or -1. */
static inline long long sdxi_param(const char *name)
{
	char path[128];

	snprintf(path, sizeof(path), SDXI_PARAMS "%s", name);
	return read_ll(path);
}

static inline int sdxi_param_set(const char *name, long long v)
{
	char path[128], val[32];

	snprintf(path, sizeof(path), SDXI_PARAMS "%s", name);
	snprintf(val, sizeof(val), "%lld", v);
	return write_file(path, val);
}

/* ---- the function, the module ------------------------------------------- */
/* The function's PCI address, from /sys/class/sdxi/sdxi0/device. */
static inline int function_bdf(char *bdf, size_t n)
{
	char link[256], *p;
	ssize_t len = readlink(SDXI_SYSFS "device", link, sizeof(link) - 1);

	if (len <= 0)
		return -errno;
	link[len] = 0;
	p = strrchr(link, '/');
	p = p ? p + 1 : link;
	if (strlen(p) >= n)
		return -ENAMETOOLONG;
	memcpy(bdf, p, strlen(p) + 1);
	return 0;
}

static inline long long module_refcnt(void)
{
	return read_ll("/sys/module/sdxi/refcnt");
}

static inline int delete_module(const char *name)
{
	return syscall(SYS_delete_module, name, O_NONBLOCK) ? -errno : 0;
}

static inline uint64_t now_ms(void);

/* Wait for /dev/sdxi0 to (dis)appear. */
static inline bool wait_node(bool present, unsigned int ms)
{
	uint64_t t0 = now_ms();

	while ((access(SDXI_DEV, F_OK) == 0) != present) {
		if (now_ms() - t0 > ms)
			return false;
		usleep(20000);
	}
	return true;
}

/* The driver recovered the function: "recoveries" passed @r0, state active. */
static inline bool wait_recovered(long long r0)
{
	char st[32] = "";
	int i;

	for (i = 0; i < 200; i++) {
		FILE *f = fopen(SDXI_FN_SYSFS "driver_state", "r");

		if (f) {
			if (!fgets(st, sizeof(st), f))
				st[0] = 0;
			fclose(f);
		}
		if (sdxi_fn_counter("recoveries") > r0 && !strncmp(st, "active", 6))
			return true;
		usleep(50000);
	}
	return false;
}

/* ---- skipping: no device, no permission, no IOMMU ---------------------- */
static inline int sdxi_open_errno(int *fd)
{
	*fd = open(SDXI_DEV, O_RDWR | O_CLOEXEC);
	if (*fd < 0)
		return errno;
	return 0;
}

#define OPEN_OR_SKIP(fdp)						\
	do {								\
		int __e = sdxi_open_errno(fdp);				\
		if (__e == ENOENT || __e == ENXIO || __e == ENODEV)	\
			SKIP(return, "no SDXI device (%s)", SDXI_DEV);	\
		if (__e == EACCES || __e == EPERM)			\
			SKIP(return, "no permission to open %s", SDXI_DEV); \
		ASSERT_EQ(0, __e);					\
	} while (0)

static inline bool isolated(int fd)
{
	struct sdxi_info i;

	memset(&i, 0, sizeof(i));
	i.size = sizeof(i);
	return !ioctl(fd, SDXI_IOC_GET_INFO, &i) &&
	       i.out_isolation == SDXI_ISOLATION_PASID;
}

#define REQUIRE_ISOLATION(fd)						\
	do {								\
		if (!isolated(fd))					\
			SKIP(return, "no PASID-capable IOMMU: user contexts refused"); \
	} while (0)

/* Tests that load modules, unbind functions or read debugfs. */
#define REQUIRE_ROOT()							\
	do {								\
		if (geteuid() != 0)					\
			SKIP(return, "needs root (modules, sysfs bind/unbind)"); \
	} while (0)

/* ---- memory ------------------------------------------------------------ */
static inline void *alloc_pages_filled(size_t n, int c)
{
	void *p = mmap(NULL, n * SDXI_PG, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	memset(p, c, n * SDXI_PG);
	return p;
}

/* Exit status of a child, or 1000 + the signal that killed it. */
static inline int child_status(pid_t pid)
{
	int st;

	if (waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFSIGNALED(st) ? 1000 + WTERMSIG(st) : WEXITSTATUS(st);
}

static inline bool all_bytes(const void *p, size_t n, int c)
{
	const unsigned char *b = p;
	size_t i;

	for (i = 0; i < n; i++)
		if (b[i] != (unsigned char)c)
			return false;
	return true;
}

/* ---- dma-buf exporters -------------------------------------------------- */
/* A udmabuf of @size bytes (fd, or -errno) and its CPU mapping in *cpu. */
static inline int udmabuf_new(size_t size, void **cpu)
{
	struct udmabuf_create c = { .flags = UDMABUF_FLAGS_CLOEXEC, .size = size };
	int dev, memfd, buf;

	dev = open("/dev/udmabuf", O_RDWR);
	if (dev < 0)
		return -errno;
	memfd = memfd_create("sdxi", MFD_ALLOW_SEALING);
	if (memfd < 0 || ftruncate(memfd, size) ||
	    fcntl(memfd, F_ADD_SEALS, F_SEAL_SHRINK) < 0)
		return -errno;
	c.memfd = memfd;
	buf = ioctl(dev, UDMABUF_CREATE, &c);
	close(dev);
	if (buf < 0)
		return -errno;
	*cpu = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
	close(memfd);
	return *cpu == MAP_FAILED ? -errno : buf;
}

/* A buffer from the system dma-heap opened with @fd_flags: fd, or -errno. */
static inline int heap_alloc(size_t size, uint32_t fd_flags)
{
	struct dma_heap_allocation_data a = { .len = size, .fd_flags = fd_flags };
	int heap = open("/dev/dma_heap/system", O_RDONLY);

	if (heap < 0)
		return -errno;
	if (ioctl(heap, DMA_HEAP_IOCTL_ALLOC, &a)) {
		close(heap);
		return -errno;
	}
	close(heap);
	return a.fd;
}

/* A buffer from the system dma-heap (fd, or -errno), mapped in *cpu. */
static inline int heap_new(size_t size, void **cpu)
{
	int fd = heap_alloc(size, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return fd;
	*cpu = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	return *cpu == MAP_FAILED ? -errno : fd;
}

static inline int map_dmabuf_flags(int fd, uint32_t id, int buf, uint64_t iova,
				   uint64_t len, uint32_t flags)
{
	struct sdxi_map_dmabuf m = {
		.size = sizeof(m), .flags = flags,
		.context_id = id, .fd = buf, .length = len, .iova = iova,
	};

	return sdxi_ioc(fd, SDXI_IOC_MAP_DMABUF, &m);
}

static inline int map_dmabuf(int fd, uint32_t id, int buf, uint64_t iova, uint64_t len)
{
	return map_dmabuf_flags(fd, id, buf, iova, len, SDXI_MAP_READ | SDXI_MAP_WRITE);
}

static inline int unmap_dmabuf(int fd, uint32_t id, uint64_t iova)
{
	struct sdxi_unmap_dmabuf m = {
		.size = sizeof(m), .context_id = id, .iova = iova,
	};

	return sdxi_ioc(fd, SDXI_IOC_UNMAP_DMABUF, &m);
}

static inline int sdxi_get_info(int fd, struct sdxi_info *info)
{
	memset(info, 0, sizeof(*info));
	info->size = sizeof(*info);
	return sdxi_ioc(fd, SDXI_IOC_GET_INFO, info);
}

/* One user context with its five regions mapped. */
struct uctx {
	int fd;
	struct sdxi_create_context c;
	union sdxi_desc *ring;
	volatile uint64_t *wi;
	volatile struct sdxi_cxt_sts *sts;
	volatile uint64_t *db;
	volatile struct sdxi_cst_blk *csb;
	uint64_t w;
};

static inline void *sdxi_map(int fd, uint64_t off, uint64_t size, int prot)
{
	void *p = mmap(NULL, size, prot, MAP_SHARED, fd, (off_t)off);

	return p == MAP_FAILED ? NULL : p;
}

/*
 * CREATE_CONTEXT with @flags, a ring of @entries (0: the smallest) and
 * isolation mode @iso (0: the default), then map its five regions.
 */
static inline int uctx_create_mode(int fd, uint32_t flags, uint32_t entries,
				   uint32_t iso, struct uctx *x)
{
	int ret;

	memset(x, 0, sizeof(*x));
	x->fd = fd;
	x->c.size = sizeof(x->c);
	x->c.flags = flags;
	x->c.ring_entries = entries;
	x->c.isolation = iso;
	ret = sdxi_ioc(fd, SDXI_IOC_CREATE_CONTEXT, &x->c);
	if (ret)
		return ret;
	x->ring = sdxi_map(fd, x->c.out_ring_offset, x->c.out_ring_size,
			   PROT_READ | PROT_WRITE);
	x->wi = sdxi_map(fd, x->c.out_wi_offset, x->c.out_wi_size,
			 PROT_READ | PROT_WRITE);
	x->sts = sdxi_map(fd, x->c.out_sts_offset, x->c.out_sts_size, PROT_READ);
	x->db = sdxi_map(fd, x->c.out_db_offset, x->c.out_db_size, PROT_WRITE);
	x->csb = sdxi_map(fd, x->c.out_csb_offset, x->c.out_csb_size,
			  PROT_READ | PROT_WRITE);
	if (!x->ring || !x->wi || !x->sts || !x->db || !x->csb)
		return -errno;
	return 0;
}

static inline int uctx_create(int fd, uint32_t flags, uint32_t entries,
			      struct uctx *x)
{
	return uctx_create_mode(fd, flags, entries, 0, x);
}

static inline void uctx_unmap(struct uctx *x)
{
	if (x->ring)
		munmap(x->ring, x->c.out_ring_size);
	if (x->wi)
		munmap((void *)x->wi, x->c.out_wi_size);
	if (x->sts)
		munmap((void *)x->sts, x->c.out_sts_size);
	if (x->db)
		munmap((void *)x->db, x->c.out_db_size);
	if (x->csb)
		munmap((void *)x->csb, x->c.out_csb_size);
	x->ring = NULL;
	x->wi = NULL;
	x->sts = NULL;
	x->db = NULL;
	x->csb = NULL;
}

/* Create contexts on @fd until one fails: the count, the error in *err. */
static inline int create_until_failure(int fd, uint32_t flags, int *err)
{
	struct sdxi_create_context c;
	int n = 0;

	for (;;) {
		memset(&c, 0, sizeof(c));
		c.size = sizeof(c);
		c.flags = flags;
		*err = sdxi_ioc(fd, SDXI_IOC_CREATE_CONTEXT, &c);
		if (*err)
			return n;
		n++;
	}
}

static inline int ctx_cmd(int fd, unsigned long cmd, uint32_t id)
{
	struct sdxi_context_cmd c = { .size = sizeof(c), .context_id = id };

	return sdxi_ioc(fd, cmd, &c);
}

static inline int uctx_destroy(struct uctx *x)
{
	uctx_unmap(x);
	return ctx_cmd(x->fd, SDXI_IOC_DESTROY_CONTEXT, x->c.out_context_id);
}

static inline int map_mem(int fd, uint32_t id, void *va, uint64_t len,
			  uint32_t flags)
{
	struct sdxi_map_mem m = {
		.size = sizeof(m), .flags = flags, .context_id = id,
		.vaddr = (uintptr_t)va, .length = len,
	};

	return sdxi_ioc(fd, SDXI_IOC_MAP_MEM, &m);
}

static inline int unmap_mem(int fd, uint32_t id, void *va, uint64_t len)
{
	struct sdxi_map_mem m = {
		.size = sizeof(m), .context_id = id,
		.vaddr = (uintptr_t)va, .length = len,
	};

	return sdxi_ioc(fd, SDXI_IOC_UNMAP_MEM, &m);
}

static inline int ctx_status(int fd, uint32_t id, struct sdxi_context_status *s,
			     struct sdxi_error_record *recs, uint32_t n)
{
	memset(s, 0, sizeof(*s));
	s->size = sizeof(*s);
	s->context_id = id;
	s->nr_records = n;
	s->records = (uintptr_t)recs;
	return sdxi_ioc(fd, SDXI_IOC_CONTEXT_STATUS, s);
}

/*
 * CONTEXT_STATUS, repeated every 20 ms until the context reports an error
 * (its error-log entry arrives through the log interrupt): 0 once
 * out_errors is set, -ETIMEDOUT after @ms, or the ioctl's error.
 */
static inline int ctx_status_wait_error(int fd, uint32_t id,
					struct sdxi_context_status *s,
					struct sdxi_error_record *recs,
					uint32_t n, unsigned int ms)
{
	unsigned int waited;
	int err;

	for (waited = 0;; waited += 20) {
		err = ctx_status(fd, id, s, recs, n);
		if (err || s->out_errors)
			return err;
		if (waited >= ms)
			return -ETIMEDOUT;
		usleep(20000);
	}
}

/*
 * Descriptor builders: the shared encoders of <sdxi/encode.h>, unchecked
 * (tests build descriptors the function must reject too), without a
 * CST_BLK and with vl clear.  Tests decode with their own bit positions.
 */
static inline void dsc_nop(union sdxi_desc *d)
{
	sdxi__enc_simple(d, 0, 0, SDXI_DSC_TYPE_DMAB, SDXI_DSC_DMAB_NOP, 0);
}

static inline void dsc_copy(union sdxi_desc *d, uint64_t src, uint64_t dst,
			    uint32_t len, uint16_t akey)
{
	sdxi__enc_copy(d, 0, akey, akey, 0, dst, src, len);
}

static inline void dsc_intr(union sdxi_desc *d, uint16_t akey)
{
	sdxi__enc_simple(d, 0, 0, SDXI_DSC_TYPE_INTR, SDXI_DSC_INTR, akey);
}

/* DSC_DMAB_REPCOPY: @count blocks of @len bytes from @src to @dst, @dst + len, ... */
static inline void dsc_repcopy(union sdxi_desc *d, uint64_t src, uint64_t dst,
			       uint32_t len, uint32_t count, uint16_t akey)
{
	sdxi__enc_repcopy(d, 0, akey, akey, 0, dst, src, len, count);
}

/* DSC_DMAB_WRT_IMM of the @len (1..32) bytes at @data to @dst. */
static inline void dsc_wrt_imm(union sdxi_desc *d, uint64_t dst, const void *data,
			       uint32_t len, uint16_t akey)
{
	sdxi__enc_write_imm(d, 0, akey, 0, dst, data, len);
}

/* Atomic @op on the @size-byte target; old value to @ret unless it is 0. */
static inline void dsc_atomic(union sdxi_desc *d, uint32_t op, unsigned int size,
			      uint64_t target, uint64_t ret, uint64_t op1,
			      uint64_t op2, uint16_t akey)
{
	sdxi__enc_atomic(d, 0, akey, akey, 0, op, size, target, ret, op1, op2);
}

/* Attach the CST_BLK of the slot the next descriptor lands in, armed. */
static inline void uctx_use_slot_csb(struct uctx *x, union sdxi_desc *d,
				     uint64_t index)
{
	uint32_t slot = index % x->c.out_ring_entries;

	x->csb[slot].flags = 0;
	x->csb[slot].signal = 1;
	d->generic.csb_ptr = x->c.out_csb_iova + 32ULL * slot;
}

/* Write descriptors (body, release, qword 0 with vl), W, then doorbell. */
static inline void uctx_submit(struct uctx *x, union sdxi_desc *d, unsigned int n)
{
	unsigned int i, k;

	for (i = 0; i < n; i++) {
		union sdxi_desc *s = &x->ring[x->w % x->c.out_ring_entries];

		for (k = 1; k < 8; k++)
			__atomic_store_n(&s->qw[k], d[i].qw[k], __ATOMIC_RELAXED);
		__atomic_store_n(&s->qw[0], d[i].qw[0] | SDXI_DSC_VL,
				 __ATOMIC_RELEASE);
		x->w++;
	}
	__atomic_store_n(x->wi, x->w, __ATOMIC_RELEASE);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	*x->db = x->w;
}

static inline uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ULL + ts.tv_nsec / 1000000;
}

/*
 * Wait until descriptors below @end are done, or the context is in error.
 * R passing them only says they were taken (hardware.rst, "Descriptor
 * processing": with read-index=fetch R passes a descriptor before it
 * executes), so when descriptor @end - 1 names its slot's CST_BLK
 * (uctx_use_slot_csb()) that block decides, and in-order completion
 * covers the ones before it.  Returns 0, -EIO (error state, or ER) or
 * -ETIMEDOUT.
 */
static inline int uctx_wait(struct uctx *x, uint64_t end, unsigned int ms)
{
	uint32_t slot = end ? (end - 1) % x->c.out_ring_entries : 0;
	volatile struct sdxi_cst_blk *c = &x->csb[slot];
	uint64_t t0 = now_ms();
	bool own = end && x->ring[slot].generic.csb_ptr ==
			  x->c.out_csb_iova + 32ULL * slot;

	for (;;) {
		if ((x->sts->state & SDXI_CXT_STS_STATE) == SDXI_CXTV_ERR_FN)
			return -EIO;
		/* The function writes ERR_FN before R: check it again after. */
		if (__atomic_load_n(&x->sts->read_index, __ATOMIC_ACQUIRE) >= end &&
		    (!own || __atomic_load_n(&c->signal, __ATOMIC_ACQUIRE) == 0)) {
			if ((x->sts->state & SDXI_CXT_STS_STATE) == SDXI_CXTV_ERR_FN ||
			    (own && (c->flags & SDXI_CST_BLK_ER)))
				return -EIO;
			return 0;
		}
		if (now_ms() - t0 > ms)
			return -ETIMEDOUT;
		usleep(100);
	}
}

/*
 * Wait until the CST_BLK of ring slot @slot is signalled (signal reaches
 * 0).  Returns 0 (done), -EIO (done with ER set) or -ETIMEDOUT.
 */
static inline int uctx_wait_csb(struct uctx *x, uint32_t slot, unsigned int ms)
{
	volatile struct sdxi_cst_blk *c = &x->csb[slot];
	uint64_t t0 = now_ms();

	for (;;) {
		if (__atomic_load_n(&c->signal, __ATOMIC_ACQUIRE) == 0)
			return c->flags & SDXI_CST_BLK_ER ? -EIO : 0;
		if (now_ms() - t0 > ms)
			return -ETIMEDOUT;
		usleep(100);
	}
}

static inline int set_eventfd(int fd, uint32_t id, int efd)
{
	struct sdxi_set_eventfd e = { .size = sizeof(e), .context_id = id, .fd = efd };

	return sdxi_ioc(fd, SDXI_IOC_SET_EVENTFD, &e);
}

/* One copy through a fresh context: the device works. */
static inline int device_copies(void)
{
	unsigned char *a = alloc_pages_filled(2, 0x3c), *b = alloc_pages_filled(2, 0);
	union sdxi_desc d;
	struct uctx x;
	int fd, ret;

	if (!a || !b)
		return -ENOMEM;
	fd = open(SDXI_DEV, O_RDWR);
	if (fd < 0)
		return -errno;
	ret = uctx_create(fd, 0, 0, &x);
	if (!ret)
		ret = map_mem(fd, x.c.out_context_id, a, 2 * SDXI_PG, SDXI_MAP_READ);
	if (!ret)
		ret = map_mem(fd, x.c.out_context_id, b, 2 * SDXI_PG, SDXI_MAP_WRITE);
	if (!ret) {
		dsc_copy(&d, (uintptr_t)a, (uintptr_t)b, 2 * SDXI_PG, 0);
		uctx_submit(&x, &d, 1);
		ret = uctx_wait(&x, 1, 5000);
	}
	if (!ret && !all_bytes(b, 2 * SDXI_PG, 0x3c))
		ret = -EILSEQ;
	uctx_unmap(&x);
	close(fd);
	munmap(a, 2 * SDXI_PG);
	munmap(b, 2 * SDXI_PG);
	return ret;
}

/*
 * The user-side counters all at zero (uapi.rst "Observability");
 * "../kselftest_harness.h" must be included first.
 */
#define EXPECT_USER_COUNTERS_ZERO(open_files)				\
	do {								\
		EXPECT_EQ(0, sdxi_counter("user_contexts"));		\
		EXPECT_EQ(0, sdxi_counter("pasids"));			\
		EXPECT_EQ(0, sdxi_counter("pinned_pages"));		\
		EXPECT_EQ(0, sdxi_counter("pinned_bytes"));		\
		EXPECT_EQ(0, sdxi_counter("dmabufs"));			\
		EXPECT_EQ(0, sdxi_counter("imported_bytes"));		\
		EXPECT_EQ(0, sdxi_counter("user_vectors"));		\
		EXPECT_EQ(0, sdxi_fn_counter("leaked_contexts"));	\
		EXPECT_EQ(open_files, sdxi_counter("open_files"));	\
	} while (0)

/*
 * Reference model of the atomic group (hardware.rst "Atomic group"): the
 * new target value for @op on @old with operands @op1/@op2 at @size bytes.
 */
static inline uint64_t atomic_ref(uint32_t op, unsigned int size, uint64_t old,
				  uint64_t op1, uint64_t op2)
{
	uint64_t m = size == 4 ? 0xffffffffULL : ~0ULL;
	int64_t so = size == 4 ? (int64_t)(int32_t)(uint32_t)old : (int64_t)old;
	int64_t s1 = size == 4 ? (int64_t)(int32_t)(uint32_t)op1 : (int64_t)op1;
	uint64_t sum = (old + op1) & m;

	switch (op) {
	case SDXI_DSC_ATOMIC_SWAP:	return op1;
	case SDXI_DSC_ATOMIC_UADD:	return sum;
	case SDXI_DSC_ATOMIC_USUB:	return (old - op1) & m;
	case SDXI_DSC_ATOMIC_AND:	return old & op1;
	case SDXI_DSC_ATOMIC_OR:	return old | op1;
	case SDXI_DSC_ATOMIC_XOR:	return old ^ op1;
	case SDXI_DSC_ATOMIC_SMIN:	return s1 < so ? op1 : old;
	case SDXI_DSC_ATOMIC_SMAX:	return s1 > so ? op1 : old;
	case SDXI_DSC_ATOMIC_UMIN:	return op1 < old ? op1 : old;
	case SDXI_DSC_ATOMIC_UMAX:	return op1 > old ? op1 : old;
	/* old + op1, or op2 when that overflows or exceeds op2. */
	case SDXI_DSC_ATOMIC_UCLAMPI:	return sum < old || sum > op2 ? op2 : sum;
	/* old - op1, or op2 when that underflows or is below op2. */
	case SDXI_DSC_ATOMIC_UCLAMPD:	return old < op1 || old - op1 < op2 ? op2 : old - op1;
	case SDXI_DSC_ATOMIC_CMPSWAP:	return old == op2 ? op1 : old;
	}
	return old;
}

static const uint32_t sdxi_atomic_ops[] = {
	SDXI_DSC_ATOMIC_SWAP, SDXI_DSC_ATOMIC_UADD, SDXI_DSC_ATOMIC_USUB,
	SDXI_DSC_ATOMIC_AND, SDXI_DSC_ATOMIC_OR, SDXI_DSC_ATOMIC_XOR,
	SDXI_DSC_ATOMIC_SMIN, SDXI_DSC_ATOMIC_SMAX, SDXI_DSC_ATOMIC_UMIN,
	SDXI_DSC_ATOMIC_UMAX, SDXI_DSC_ATOMIC_UCLAMPI, SDXI_DSC_ATOMIC_UCLAMPD,
	SDXI_DSC_ATOMIC_CMPSWAP,
};
#define SDXI_NR_ATOMIC_OPS (sizeof(sdxi_atomic_ops) / sizeof(sdxi_atomic_ops[0]))

static inline bool atomic_uses_op2(uint32_t op)
{
	return op == SDXI_DSC_ATOMIC_UCLAMPI || op == SDXI_DSC_ATOMIC_UCLAMPD ||
	       op == SDXI_DSC_ATOMIC_CMPSWAP;
}

/* ---- fault injection through the VM runner (tools/vm/README.md) -------- */
/*
 * The knobs exist only on the emulated function (hardware.rst "Fault
 * injection"): the guest helper sdxi-qom-set asks the runner on the host.
 */
static inline bool qom_available(void)
{
	return system("command -v sdxi-qom-set >/dev/null 2>&1") == 0;
}

#define REQUIRE_QOM()							\
	do {								\
		if (!qom_available())					\
			SKIP(return, "no fault injection (sdxi-qom-set): emulated function only"); \
	} while (0)

/* Ask the VM runner to set a QOM property of the function (stall ...). */
static inline int qom_set(const char *prop, const char *val)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "sdxi-qom-set sdxi0 %s %s >/dev/null 2>&1",
		 prop, val);
	return system(cmd) == 0 ? 0 : -1;
}

static inline int qom_set_u64(const char *prop, uint64_t v)
{
	char val[32];

	snprintf(val, sizeof(val), "%llu", (unsigned long long)v);
	return qom_set(prop, val);
}

/* Read a QOM property back (integers; true/false as 1/0); -1 on error. */
static inline long long qom_get(const char *prop)
{
	char cmd[128], out[64] = "";
	long long v = -1;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "sdxi-qom-get sdxi0 %s 2>/dev/null", prop);
	p = popen(cmd, "r");
	if (!p)
		return -1;
	if (fgets(out, sizeof(out), p)) {
		if (!strncmp(out, "true", 4))
			v = 1;
		else if (!strncmp(out, "false", 5))
			v = 0;
		else
			v = strtoll(out, NULL, 0);
	}
	pclose(p);
	return v;
}

#endif /* _SDXI_SELFTEST_COMMON_H */
