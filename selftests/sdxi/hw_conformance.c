// SPDX-License-Identifier: GPL-2.0
/*
 * Conformance of an SDXI function to Documentation/hardware.rst, with no
 * driver: BAR0 and BAR2 are mapped through sysfs resource files and the
 * function is driven directly.  Tests that need the function to DMA build
 * the admin context in a 2 MiB hugepage (physically contiguous, found in
 * /proc/self/pagemap), so they need the function's DMA untranslated
 * (no IOMMU, or iommu.passthrough=1); otherwise they SKIP.
 *
 * The device is $SDXI_PCI (e.g. 0000:00:03.0) or the first function of
 * class 0x120100 without a driver.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <linux/sdxi_hw.h>
#include <sdxi/function.h>
#include <sdxi/encode.h>

#include "../kselftest_harness.h"

#define HUGE_SZ		(2UL << 20)
#define POLL_MS		1000

/* Layout of the admin context inside the hugepage. */
#define OFF_L2		0x0000
#define OFF_L1		0x1000
#define OFF_CTL		0x2000
#define OFF_WI		0x2040	/* own cache line */
#define OFF_STS		0x2080	/* own cache line */
#define OFF_AKEY	0x3000
#define OFF_ERRLOG	0x4000	/* 64 entries */
#define OFF_CSB		0x5000	/* one per slot, 32 slots used */
#define OFF_RING	0x10000	/* 1024 descriptors */
#define RING_N		1024

static char dev_path[512];

/* CAP1.max_cxt expected: 127 by default, $SDXI_EXPECT_MAX_CXT if set. */
static unsigned long expected_max_cxt(void)
{
	const char *v = getenv("SDXI_EXPECT_MAX_CXT");

	return v ? strtoul(v, NULL, 0) : 127;
}

/*
 * The model's setting of a behaviour SDXI 1.0 leaves open
 * (hardware.rst, "Behaviours the specification leaves open"): $NAME = 1
 * when the VM was started with the non-default setting, else the default.
 */
static bool expect_prop(const char *name)
{
	const char *v = getenv(name);

	return v && strcmp(v, "1") == 0;
}

static int read_sysfs(const char *dir, const char *attr, char *buf, size_t len)
{
	char path[512];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, attr);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = 0;
	return 0;
}

/* Find the function: $SDXI_PCI, else the first unbound class 0x120100. */
static const char *find_function(void)
{
	const char *env = getenv("SDXI_PCI");
	char buf[600], path[512];
	struct dirent *de;
	DIR *d;

	if (env) {
		snprintf(dev_path, sizeof(dev_path), "/sys/bus/pci/devices/%s", env);
		return dev_path;
	}
	d = opendir("/sys/bus/pci/devices");
	if (!d)
		return NULL;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s", de->d_name);
		if (read_sysfs(path, "class", buf, sizeof(buf)) ||
		    strtoul(buf, NULL, 16) != SDXI_PCI_CLASS)
			continue;
		snprintf(buf, sizeof(buf), "%s/driver", path);
		if (access(buf, F_OK) == 0)
			continue;
		snprintf(dev_path, sizeof(dev_path), "%s", path);
		closedir(d);
		return dev_path;
	}
	closedir(d);
	return NULL;
}

static void *map_resource(const char *dir, int bar, size_t *size)
{
	char path[512];
	struct stat st;
	void *p;
	int fd;

	snprintf(path, sizeof(path), "%s/resource%d", dir, bar);
	fd = open(path, O_RDWR | O_SYNC);
	if (fd < 0)
		return NULL;
	if (fstat(fd, &st)) {
		close(fd);
		return NULL;
	}
	*size = st.st_size;
	p = mmap(NULL, st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	return p == MAP_FAILED ? NULL : p;
}

/* Memory decoding and bus mastering on, through the command register. */
static int enable_function(const char *dir)
{
	char path[512];
	uint16_t cmd;
	int fd, ok;

	snprintf(path, sizeof(path), "%s/config", dir);
	fd = open(path, O_RDWR);
	if (fd < 0)
		return -errno;
	ok = pread(fd, &cmd, 2, 4) == 2;
	cmd |= 0x6;
	ok = ok && pwrite(fd, &cmd, 2, 4) == 2;
	close(fd);
	return ok ? 0 : -EIO;
}

static uint64_t virt_to_phys(void *p)
{
	uint64_t ent = 0;
	int fd = open("/proc/self/pagemap", O_RDONLY);
	off_t off = (uintptr_t)p / getpagesize() * 8;

	if (fd < 0)
		return 0;
	if (pread(fd, &ent, 8, off) != 8)
		ent = 0;
	close(fd);
	if (!(ent >> 63) || !(ent & ((1ULL << 55) - 1)))
		return 0;
	return (ent & ((1ULL << 55) - 1)) * getpagesize() +
	       (uintptr_t)p % getpagesize();
}

/* Is the function's DMA untranslated (no IOMMU or an identity domain)? */
static bool dma_is_physical(const char *dir)
{
	char buf[64];

	if (read_sysfs(dir, "iommu_group/type", buf, sizeof(buf)))
		return true;	/* no IOMMU group: no IOMMU */
	return strncmp(buf, "identity", 8) == 0;
}

FIXTURE(hw) {
	volatile uint64_t *bar0;
	volatile uint8_t *bar2;
	size_t bar0_size, bar2_size;
	uint8_t *mem;		/* hugepage, or NULL when DMA is translated */
	uint64_t phys;
	uint64_t w;		/* admin write index */
	const char *why_no_dma;
};

static uint64_t rd(FIXTURE_DATA(hw) *self, uint64_t off)
{
	return self->bar0[off / 8];
}

static void wr(FIXTURE_DATA(hw) *self, uint64_t off, uint64_t v)
{
	self->bar0[off / 8] = v;
}

static uint64_t gsv(FIXTURE_DATA(hw) *self)
{
	return rd(self, SDXI_MMIO_STS0) & SDXI_STS0_FN_GSV;
}

/* Poll STS0 until it reads @want; true on success. */
static bool wait_gsv(FIXTURE_DATA(hw) *self, uint64_t want)
{
	for (int i = 0; i < POLL_MS; i++) {
		if (gsv(self) == want)
			return true;
		usleep(1000);
	}
	return gsv(self) == want;
}

/* Request @gsr keeping the rest of CTL0 (never an accidental RESET). */
static void request(FIXTURE_DATA(hw) *self, uint64_t gsr)
{
	uint64_t v = rd(self, SDXI_MMIO_CTL0) & ~SDXI_CTL0_FN_GSR;

	wr(self, SDXI_MMIO_CTL0, v | gsr);
}

/* Bring the function to STOP from wherever it is. */
static bool to_stop(FIXTURE_DATA(hw) *self)
{
	switch (gsv(self)) {
	case SDXI_GSV_STOP:
		return true;
	case SDXI_GSV_ERROR:
		request(self, SDXI_GSR_RESET);
		return wait_gsv(self, SDXI_GSV_STOP);
	default:
		request(self, SDXI_GSR_STOP_HD);
		return wait_gsv(self, SDXI_GSV_STOP);
	}
}

static uint64_t pa(FIXTURE_DATA(hw) *self, uint64_t off)
{
	return self->phys + off;
}

/*
 * Program an admin context as SDXI 1.0 4.1.8 (Documentation/driver.rst,
 * "Bring-up") does: CTL2 from CAP1, L2 and L1 tables, CXT_CTL, AKey table,
 * CXT_STS.state = RUN (4.b), error log.
 */
static void build_admin(FIXTURE_DATA(hw) *self)
{
	uint64_t cap1 = rd(self, SDXI_MMIO_CAP1);
	struct sdxi_cxt_l1_ent *l1 = (void *)(self->mem + OFF_L1);
	struct sdxi_cxt_ctl *ctl = (void *)(self->mem + OFF_CTL);
	struct sdxi_cxt_sts *sts = (void *)(self->mem + OFF_STS);
	uint64_t *l2 = (void *)(self->mem + OFF_L2);

	memset(self->mem, 0, HUGE_SZ);
	self->w = 0;
	wr(self, SDXI_MMIO_CTL2,
	   SDXI_FIELD_PREP(SDXI_CTL2_MAX_BUFFER, SDXI_FIELD_GET(SDXI_CAP1_MAX_BUFFER, cap1)) |
	   SDXI_FIELD_PREP(SDXI_CTL2_MAX_AKEY_SZ, SDXI_FIELD_GET(SDXI_CAP1_MAX_AKEY_SZ, cap1)) |
	   SDXI_FIELD_PREP(SDXI_CTL2_MAX_CXT, SDXI_FIELD_GET(SDXI_CAP1_MAX_CXT, cap1)) |
	   SDXI_FIELD_PREP(SDXI_CTL2_OPB_000_AVL, SDXI_FIELD_GET(SDXI_CAP1_OPB_000_CAP, cap1)));
	wr(self, SDXI_MMIO_CXT_L2, pa(self, OFF_L2));
	ctl->ds_ring_sz = RING_N;
	ctl->cxt_sts_ptr = pa(self, OFF_STS);
	ctl->write_index_ptr = pa(self, OFF_WI);
	ctl->ds_ring_ptr = pa(self, OFF_RING) | SDXI_CXT_CTL_VL;
	l1->akey_ptr = pa(self, OFF_AKEY);
	l1->misc = SDXI_FIELD_PREP(SDXI_L1_ENT_MAX_BUFFER, 11U);
	l1->opb_000_enb = SDXI_OPB_DMAB | SDXI_OPB_ADMIN;
	__sync_synchronize();
	l1->cxt_ctl_ptr = pa(self, OFF_CTL) | SDXI_L1_ENT_VL;
	l2[0] = pa(self, OFF_L1) | SDXI_L2_ENT_VL;
	sts->state = SDXI_CXTV_RUN;
	wr(self, SDXI_MMIO_ERR_CFG, 0);
	wr(self, SDXI_MMIO_ERR_STS, SDXI_ERR_STS_STS | SDXI_ERR_STS_OVF | SDXI_ERR_STS_ERR);
	wr(self, SDXI_MMIO_ERR_WRT, 0);
	wr(self, SDXI_MMIO_ERR_RD, 0);
	wr(self, SDXI_MMIO_ERR_CFG, pa(self, OFF_ERRLOG) |
	   SDXI_FIELD_PREP(SDXI_ERR_CFG_SZ, 1ULL) | SDXI_ERR_CFG_EN);
	__sync_synchronize();
}

/* Write descriptor @e into ring slot @d: body first, then qword 0 with vl. */
static void put_desc(union sdxi_desc *d, const union sdxi_desc *e)
{
	for (int i = 1; i < 8; i++)
		d->qw[i] = e->qw[i];
	__sync_synchronize();
	*(volatile __le64 *)&d->qw[0] = e->qw[0] | SDXI_DSC_VL;
}

/* Put a NOP with a CST_BLK in the admin ring and publish W; no doorbell. */
static uint64_t admin_put_nop(FIXTURE_DATA(hw) *self)
{
	uint64_t index = self->w, slot = index % RING_N;
	union sdxi_desc *d = (void *)(self->mem + OFF_RING + slot * 64), e;
	struct sdxi_cst_blk *csb = (void *)(self->mem + OFF_CSB + (slot % 32) * 32);

	csb->signal = 1;
	csb->flags = 0;
	sdxi__enc_simple(&e, pa(self, OFF_CSB + (slot % 32) * 32), 0, SDXI_DSC_TYPE_DMAB,
			 SDXI_DSC_DMAB_NOP, 0);
	put_desc(d, &e);
	self->w = index + 1;
	*(volatile uint64_t *)(self->mem + OFF_WI) = self->w;
	__sync_synchronize();
	return index;
}

/* Submit a NOP with a CST_BLK to the admin ring; returns its index. */
static uint64_t admin_nop(FIXTURE_DATA(hw) *self)
{
	uint64_t index = admin_put_nop(self);

	*(volatile uint64_t *)self->bar2 = self->w;	/* context 0 doorbell */
	return index;
}

static bool wait_signal(FIXTURE_DATA(hw) *self, uint64_t index)
{
	volatile struct sdxi_cst_blk *csb =
		(void *)(self->mem + OFF_CSB + (index % RING_N % 32) * 32);

	for (int i = 0; i < POLL_MS; i++) {
		if (csb->signal == 0)
			return true;
		usleep(1000);
	}
	return false;
}

FIXTURE_SETUP(hw)
{
	const char *dir = find_function();
	int nr;

	if (!dir)
		SKIP(return, "no SDXI function without a driver");
	if (geteuid())
		SKIP(return, "needs root to map BARs");
	ASSERT_EQ(0, enable_function(dir));
	self->bar0 = map_resource(dir, 0, &self->bar0_size);
	ASSERT_NE(NULL, self->bar0);
	self->bar2 = map_resource(dir, 2, &self->bar2_size);
	ASSERT_NE(NULL, self->bar2);
	ASSERT_TRUE(to_stop(self));

	self->why_no_dma = NULL;
	if (!dma_is_physical(dir)) {
		self->why_no_dma = "IOMMU translates the function's DMA (boot with iommu.passthrough=1)";
		return;
	}
	nr = open("/proc/sys/vm/nr_hugepages", O_WRONLY);
	if (nr >= 0) {
		if (write(nr, "4", 1) != 1)
			self->why_no_dma = "cannot reserve hugepages";
		close(nr);
	}
	self->mem = mmap(NULL, HUGE_SZ, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | MAP_POPULATE, -1, 0);
	if (self->mem == MAP_FAILED) {
		self->mem = NULL;
		self->why_no_dma = "no 2 MiB hugepage";
		return;
	}
	mlock(self->mem, HUGE_SZ);
	self->phys = virt_to_phys(self->mem);
	if (!self->phys)
		self->why_no_dma = "no physical address in /proc/self/pagemap";
}

FIXTURE_TEARDOWN(hw)
{
	if (self->bar0) {
		to_stop(self);
		munmap((void *)self->bar0, self->bar0_size);
	}
	if (self->bar2)
		munmap((void *)self->bar2, self->bar2_size);
	if (self->mem)
		munmap(self->mem, HUGE_SZ);
}

#define NEED_DMA()							\
	do {								\
		if (self->why_no_dma)					\
			SKIP(return, "%s", self->why_no_dma);		\
	} while (0)

TEST_F(hw, identity_capabilities_and_version)
{
	uint64_t cap0 = rd(self, SDXI_MMIO_CAP0), cap1 = rd(self, SDXI_MMIO_CAP1);
	char buf[64];

	ASSERT_EQ(0, read_sysfs(dev_path, "class", buf, sizeof(buf)));
	EXPECT_EQ(0x120100, strtoul(buf, NULL, 16));
	/* BAR0 is 256 KiB; BAR2 holds one stride per context. */
	EXPECT_EQ(0x40000, self->bar0_size);
	EXPECT_LE(((cap1 >> 16 & 0xffff) + 1) * (4096UL << (cap0 >> 20 & 7)), self->bar2_size);
	/* Literal bit positions and defaults of hardware.rst. */
	EXPECT_EQ(0x00010000, rd(self, SDXI_MMIO_VERSION));
	EXPECT_EQ(4, cap0 >> 24 & 0x1f);		/* 16384-descriptor rings */
	EXPECT_EQ(11, cap1 & 0xf);			/* 4 GiB buffers */
	EXPECT_EQ(expected_max_cxt(), cap1 >> 16 & 0xffff);
	EXPECT_EQ(0xf, cap1 >> 32);			/* DMAB|ADMIN|ATOMIC|INTR */
	EXPECT_EQ(0, cap1 >> 4 & 1);			/* no RKeys */
	EXPECT_EQ(SDXI_GSV_STOP, gsv(self));
}

TEST_F(hw, reserved_offsets_read_zero_and_halves_read_back)
{
	volatile uint32_t *r32 = (volatile uint32_t *)self->bar0;

	EXPECT_EQ(0, rd(self, 0x18));
	EXPECT_EQ(0, rd(self, 0x300));
	EXPECT_EQ(0, rd(self, 0x3fff8));
	EXPECT_EQ(0x00010000, r32[SDXI_MMIO_VERSION / 4]);
	EXPECT_EQ(rd(self, SDXI_MMIO_CAP1) >> 32, r32[SDXI_MMIO_CAP1 / 4 + 1]);
}

TEST_F(hw, bad_writes_are_ignored)
{
	volatile uint32_t *r32 = (volatile uint32_t *)self->bar0;
	uint64_t cap0 = rd(self, SDXI_MMIO_CAP0), ctl2;

	wr(self, SDXI_MMIO_CXT_L2, 0x123000);
	EXPECT_EQ(0x123000, rd(self, SDXI_MMIO_CXT_L2));
	/* 32-bit write: ignored. */
	r32[SDXI_MMIO_CXT_L2 / 4] = 0x456000;
	EXPECT_EQ(0x123000, rd(self, SDXI_MMIO_CXT_L2));
	/* Unaligned L2 pointer: ignored. */
	wr(self, SDXI_MMIO_CXT_L2, 0x789800);
	EXPECT_EQ(0x123000, rd(self, SDXI_MMIO_CXT_L2));
	/* Read-only and reserved registers keep their value. */
	wr(self, SDXI_MMIO_CAP0, ~0ULL);
	EXPECT_EQ(cap0, rd(self, SDXI_MMIO_CAP0));
	wr(self, SDXI_MMIO_STS0, SDXI_GSV_ACTIVE);
	EXPECT_EQ(SDXI_GSV_STOP, gsv(self));
	wr(self, 0x18, ~0ULL);
	EXPECT_EQ(0, rd(self, 0x18));
	/* CTL2 above CAP1 is refused whole. */
	ctl2 = rd(self, SDXI_MMIO_CTL2);
	wr(self, SDXI_MMIO_CTL2, SDXI_FIELD_PREP(SDXI_CTL2_MAX_CXT, 0xffffULL));
	EXPECT_EQ(ctl2, rd(self, SDXI_MMIO_CTL2));
	wr(self, SDXI_MMIO_CXT_L2, 0);
}

TEST_F(hw, activate_run_admin_nop_then_soft_stop)
{
	volatile struct sdxi_cxt_sts *sts;
	uint64_t i;

	NEED_DMA();
	sts = (void *)(self->mem + OFF_STS);
	build_admin(self);
	request(self, SDXI_GSR_ACTIVE);
	ASSERT_TRUE(wait_gsv(self, SDXI_GSV_ACTIVE));
	i = admin_nop(self);
	ASSERT_TRUE(wait_signal(self, i));
	EXPECT_EQ(1, sts->read_index);
	i = admin_nop(self);
	ASSERT_TRUE(wait_signal(self, i));
	EXPECT_EQ(2, sts->read_index);
	/* A doorbell for a context that was never started is ignored. */
	*(volatile uint64_t *)(self->bar2 + 5 * 4096) = 1;
	EXPECT_EQ(SDXI_GSV_ACTIVE, gsv(self));
	/* Tables cannot move while active. */
	wr(self, SDXI_MMIO_CXT_L2, 0x200000);
	EXPECT_EQ(pa(self, OFF_L2), rd(self, SDXI_MMIO_CXT_L2));

	request(self, SDXI_GSR_STOP_SF);
	ASSERT_TRUE(wait_gsv(self, SDXI_GSV_STOP));
	EXPECT_EQ(SDXI_CXTV_STOP_FN, sts->state & 0xf);
	EXPECT_EQ(0, rd(self, SDXI_MMIO_ERR_WRT));
}

TEST_F(hw, hard_stop_from_active)
{
	NEED_DMA();
	build_admin(self);
	request(self, SDXI_GSR_ACTIVE);
	ASSERT_TRUE(wait_gsv(self, SDXI_GSV_ACTIVE));
	request(self, SDXI_GSR_STOP_HD);
	ASSERT_TRUE(wait_gsv(self, SDXI_GSV_STOP));
}

TEST_F(hw, failed_activation_logs_error_then_reset_recovers)
{
	struct sdxi_cxt_l1_ent *l1;
	const struct sdxi_errlog_ent *e;
	uint64_t hd, sts;

	NEED_DMA();
	build_admin(self);
	l1 = (void *)(self->mem + OFF_L1);
	l1->cxt_ctl_ptr &= ~SDXI_L1_ENT_VL;	/* admin L1 entry invalid */
	__sync_synchronize();
	request(self, SDXI_GSR_ACTIVE);
	ASSERT_TRUE(wait_gsv(self, SDXI_GSV_ERROR));

	/* One entry: step 3 (L1), validation, reaction 2, context 0. */
	ASSERT_EQ(1, rd(self, SDXI_MMIO_ERR_WRT));
	e = (void *)(self->mem + OFF_ERRLOG);
	hd = e->hd;
	EXPECT_EQ(1, hd & 1);
	EXPECT_EQ(0x7f7, hd >> 16 & 0x7ff);
	EXPECT_EQ(SDXI_STEP_CXT_L1, hd >> 8 & 0x3f);
	EXPECT_EQ(SDXI_SUB_STEP_VALIDATION, hd >> 40 & 0xf);
	EXPECT_EQ(SDXI_RE_FN_STOPPED, hd >> 44 & 7);
	EXPECT_EQ(1, hd >> 32 & 1);		/* cv */
	EXPECT_EQ(0, hd >> 48);			/* context 0 */
	EXPECT_EQ(SDXI_ERR_NOT_VALID, e->err_class);

	/* ERR_STS is write-1-to-clear: 0 leaves it, 1 clears it. */
	sts = rd(self, SDXI_MMIO_ERR_STS);
	EXPECT_EQ(SDXI_ERR_STS_STS, sts);
	wr(self, SDXI_MMIO_ERR_STS, 0);
	EXPECT_EQ(sts, rd(self, SDXI_MMIO_ERR_STS));
	wr(self, SDXI_MMIO_ERR_STS, SDXI_ERR_STS_STS);
	EXPECT_EQ(0, rd(self, SDXI_MMIO_ERR_STS));

	/* ERROR ignores ACTIVE; RESET brings STOP with registers cleared. */
	request(self, SDXI_GSR_ACTIVE);
	usleep(10000);
	EXPECT_EQ(SDXI_GSV_ERROR, gsv(self));
	request(self, SDXI_GSR_RESET);
	ASSERT_TRUE(wait_gsv(self, SDXI_GSV_STOP));
	EXPECT_EQ(0, rd(self, SDXI_MMIO_CXT_L2));
	EXPECT_EQ(0, rd(self, SDXI_MMIO_CTL2));
	EXPECT_EQ(0, rd(self, SDXI_MMIO_ERR_CFG));

	/* And the function works again. */
	build_admin(self);
	request(self, SDXI_GSR_ACTIVE);
	ASSERT_TRUE(wait_gsv(self, SDXI_GSV_ACTIVE));
	ASSERT_TRUE(wait_signal(self, admin_nop(self)));
}

TEST_F(hw, doorbell_misuse_is_ignored)
{
	uint64_t cap0 = rd(self, SDXI_MMIO_CAP0), cap1 = rd(self, SDXI_MMIO_CAP1);
	uint64_t stride = 4096UL << (cap0 >> 20 & 7), contexts = (cap1 >> 16 & 0xffff) + 1;
	volatile struct sdxi_cst_blk *csb;
	uint64_t i;

	NEED_DMA();
	build_admin(self);
	request(self, SDXI_GSR_ACTIVE);
	ASSERT_TRUE(wait_gsv(self, SDXI_GSV_ACTIVE));
	i = admin_put_nop(self);
	csb = (void *)(self->mem + OFF_CSB + (i % 32) * 32);

	/* Wrong width and not at the start of the window: nothing runs. */
	*(volatile uint32_t *)self->bar2 = (uint32_t)self->w;
	*(volatile uint64_t *)(self->bar2 + 8) = self->w;
	/* Beyond the last context (BAR2 is rounded up to a power of two). */
	if (contexts * stride < self->bar2_size)
		*(volatile uint64_t *)(self->bar2 + contexts * stride) = self->w;
	else
		TH_LOG("no doorbell window beyond max_cxt with this configuration");
	*(volatile uint64_t *)(self->bar2 + self->bar2_size - 8) = self->w;
	usleep(20000);
	EXPECT_EQ(1, csb->signal);
	EXPECT_EQ(SDXI_GSV_ACTIVE, gsv(self));

	/* The proper doorbell still works. */
	*(volatile uint64_t *)self->bar2 = self->w;
	EXPECT_TRUE(wait_signal(self, i));
	EXPECT_EQ(0, csb->flags);
}

/*
 * For a run where the function's DMA is translated and nothing is mapped for it
 * (an IOMMU and no driver): every DMA faults in the IOMMU.  Activation
 * must end in ERROR with the failed log write recorded (ERR_STS.err),
 * never a crash.
 */
TEST_F(hw, iommu_fault_on_tables_is_a_function_error)
{
	uint64_t sts;

	if (!self->why_no_dma)
		SKIP(return, "the function's DMA is untranslated here");
	wr(self, SDXI_MMIO_CTL2, SDXI_FIELD_PREP(SDXI_CTL2_MAX_CXT, 1ULL) |
	   SDXI_FIELD_PREP(SDXI_CTL2_OPB_000_AVL, 3ULL));
	wr(self, SDXI_MMIO_CXT_L2, 0x10000000);
	wr(self, SDXI_MMIO_ERR_STS, ~0ULL);
	wr(self, SDXI_MMIO_ERR_WRT, 0);
	wr(self, SDXI_MMIO_ERR_RD, 0);
	wr(self, SDXI_MMIO_ERR_CFG, 0x20000000 | SDXI_FIELD_PREP(SDXI_ERR_CFG_SZ, 1ULL) |
	   SDXI_ERR_CFG_EN);
	request(self, SDXI_GSR_ACTIVE);
	EXPECT_TRUE(wait_gsv(self, SDXI_GSV_ERROR));
	sts = rd(self, SDXI_MMIO_ERR_STS);
	EXPECT_EQ(SDXI_ERR_STS_STS | SDXI_ERR_STS_ERR, sts);
	EXPECT_EQ(0, rd(self, SDXI_MMIO_ERR_WRT));
	request(self, SDXI_GSR_RESET);
	EXPECT_TRUE(wait_gsv(self, SDXI_GSV_STOP));
	EXPECT_EQ(0, rd(self, SDXI_MMIO_CXT_L2));
}

/*
 * reset-immediate: a RESET requested in STOP.  Immediate: done within the
 * CTL0 write (CTL2 reads 0 at once, a write right after it is kept).
 * Default: completes shortly after; STS0 reads STOP throughout.  Either
 * way the function is then usable.
 */
TEST_F(hw, reset_from_stop_follows_reset_immediate)
{
	bool immediate = expect_prop("SDXI_EXPECT_RESET_IMMEDIATE");
	uint64_t ctl2 = SDXI_FIELD_PREP(SDXI_CTL2_MAX_CXT, 1ULL);
	int i;

	TH_LOG("reset-immediate=%s", immediate ? "on" : "off");
	ASSERT_EQ(SDXI_GSV_STOP, gsv(self));
	wr(self, SDXI_MMIO_CTL2, ctl2);
	ASSERT_EQ(ctl2, rd(self, SDXI_MMIO_CTL2));
	request(self, SDXI_GSR_RESET);
	if (immediate) {
		EXPECT_EQ(0, rd(self, SDXI_MMIO_CTL2));
		EXPECT_EQ(0, rd(self, SDXI_MMIO_CTL0));
		EXPECT_EQ(SDXI_GSV_STOP, gsv(self));
		wr(self, SDXI_MMIO_CTL2, ctl2);
		usleep(10000);
		EXPECT_EQ(ctl2, rd(self, SDXI_MMIO_CTL2));
		wr(self, SDXI_MMIO_CTL2, 0);
	} else {
		for (i = 0; i < POLL_MS && rd(self, SDXI_MMIO_CTL2); i++) {
			EXPECT_EQ(SDXI_GSV_STOP, gsv(self));
			usleep(1000);
		}
		EXPECT_EQ(0, rd(self, SDXI_MMIO_CTL2));
		EXPECT_EQ(SDXI_GSV_STOP, gsv(self));
	}
	/* Usable after the reset, whichever way it completed. */
	if (self->why_no_dma)
		return;
	build_admin(self);
	request(self, SDXI_GSR_ACTIVE);
	ASSERT_TRUE(wait_gsv(self, SDXI_GSV_ACTIVE));
	ASSERT_TRUE(wait_signal(self, admin_nop(self)));
}

/*
 * clear-valid: once a descriptor's CST_BLK is signalled, its slot's vl is
 * 0 (clear-valid) or still 1 (default); the rest of word 0 is unchanged
 * either way.
 */
TEST_F(hw, valid_bit_after_execution_follows_clear_valid)
{
	bool clear = expect_prop("SDXI_EXPECT_CLEAR_VALID");
	volatile union sdxi_desc *d;
	uint32_t want;
	uint64_t i;

	NEED_DMA();
	TH_LOG("clear-valid=%s", clear ? "on" : "off");
	build_admin(self);
	request(self, SDXI_GSR_ACTIVE);
	ASSERT_TRUE(wait_gsv(self, SDXI_GSV_ACTIVE));
	for (int k = 0; k < 3; k++) {
		i = admin_nop(self);
		ASSERT_TRUE(wait_signal(self, i));
		d = (void *)(self->mem + OFF_RING + i % RING_N * 64);
		/* type 26:16 = 1 (DMAB), subtype 15:8 = 1 (NOP), vl bit 0. */
		want = 1u << 16 | 1u << 8 | (clear ? 0 : 1u);
		EXPECT_EQ(want, d->generic.opcode);
	}
	EXPECT_EQ(3, ((volatile struct sdxi_cxt_sts *)(self->mem + OFF_STS))->read_index);
}

/*
 * read-index (hardware.rst, "Behaviours the specification leaves open"):
 * when R is written relative to a descriptor's own writes.  A COPY in the
 * admin ring writes a marker over CXT_STS.read_index itself (8 bytes),
 * with a CST_BLK.  complete (default): R = index + 1 is written after the
 * copy retired, so once the CST_BLK is signalled R reads index + 1.
 * fetch: R = index + 1 was written when the copy was taken, before it
 * executed, so the copy's marker is what R reads.  A NOP after it then
 * puts R back to index + 2 either way (the function counts on from its
 * own index).
 */
#define OFF_RI_SRC	0xa000
#define RI_MARK		0x5244494e4458ULL

TEST_F(hw, read_index_timing_follows_read_index)
{
	bool fetch = expect_prop("SDXI_EXPECT_READ_INDEX_FETCH");
	volatile struct sdxi_cxt_sts *sts = (void *)(self->mem + OFF_STS);
	struct sdxi_cst_blk *csb;
	uint64_t index, slot, nop;
	union sdxi_desc *d;

	NEED_DMA();
	TH_LOG("read-index=%s", fetch ? "fetch" : "complete");
	build_admin(self);
	request(self, SDXI_GSR_ACTIVE);
	ASSERT_TRUE(wait_gsv(self, SDXI_GSV_ACTIVE));
	/* AKey 0: the context's own address space, for both buffers. */
	((struct sdxi_akey_ent *)(self->mem + OFF_AKEY))->intr = SDXI_AKEY_VL;
	*(uint64_t *)(self->mem + OFF_RI_SRC) = RI_MARK;

	index = self->w;
	slot = index % RING_N;
	d = (void *)(self->mem + OFF_RING + slot * 64);
	csb = (void *)(self->mem + OFF_CSB + (slot % 32) * 32);
	csb->signal = 1;
	csb->flags = 0;
	memset(d, 0, sizeof(*d));
	d->copy.size = 8 - 1;
	d->copy.addr0 = pa(self, OFF_RI_SRC);
	d->copy.addr1 = pa(self, OFF_STS + 8);		/* CXT_STS.read_index */
	d->generic.csb_ptr = pa(self, OFF_CSB + (slot % 32) * 32);
	__sync_synchronize();
	d->generic.opcode = SDXI_DSC_VL |
		SDXI_FIELD_PREP(SDXI_DSC_TYPE, SDXI_DSC_TYPE_DMAB) |
		SDXI_FIELD_PREP(SDXI_DSC_SUBTYPE, SDXI_DSC_DMAB_COPY);
	self->w = index + 1;
	*(volatile uint64_t *)(self->mem + OFF_WI) = self->w;
	__sync_synchronize();
	*(volatile uint64_t *)self->bar2 = self->w;
	ASSERT_TRUE(wait_signal(self, index));
	EXPECT_EQ(0, csb->flags);
	/* The turn has ended once R is written after it (complete) or not. */
	usleep(100000);
	if (fetch) {
		EXPECT_EQ(RI_MARK, sts->read_index);
	} else {
		EXPECT_EQ(index + 1, sts->read_index);
	}

	nop = admin_nop(self);
	ASSERT_TRUE(wait_signal(self, nop));
	usleep(100000);
	EXPECT_EQ(nop + 1, sts->read_index);
}

/*
 * Arbitration (hardware.rst, "Arbitration"; burst and shuffle-seed):
 * ARB_CXT client contexts, each with ARB_TURNS turns' worth of atomic
 * UADDs on one counter, are started together (one CXT_START with dv = 1,
 * so they queue in ID order).  The value each UADD returns is its place
 * in the function's global order, from which the test rebuilds the
 * sequence of runs (consecutive descriptors of one context).
 */
#define ARB_CXT		4
#define ARB_TURNS	3
#define ARB_RING	1024
#define OFF_ARB_CTL	0x6000		/* + id * 64 */
#define OFF_ARB_WI	0x7000		/* + id * 64 */
#define OFF_ARB_STS	0x7800		/* + id * 64 */
#define OFF_ARB_CNT	0x8000
#define OFF_ARB_RET	0x100000	/* + id * 0x2000 + i * 8 */
#define OFF_ARB_RING	0x20000		/* + id * 0x10000 */

static unsigned long expect_num(const char *name, unsigned long def)
{
	const char *v = getenv(name);

	return v ? strtoul(v, NULL, 0) : def;
}

/* Client context @id: tables, ring of @n UADDs, W published. */
static void arb_build(FIXTURE_DATA(hw) *self, unsigned int id, unsigned int n)
{
	struct sdxi_cxt_l1_ent *l1 = (void *)(self->mem + OFF_L1 + id * 32);
	struct sdxi_cxt_ctl *ctl = (void *)(self->mem + OFF_ARB_CTL + id * 64);
	union sdxi_desc *ring = (void *)(self->mem + OFF_ARB_RING + id * 0x10000);

	for (unsigned int i = 0; i < n; i++) {
		union sdxi_desc *d = &ring[i];

		sdxi__enc_atomic(d, 0, 0, 0, 0, SDXI_DSC_ATOMIC_UADD, 8, pa(self, OFF_ARB_CNT),
				 pa(self, OFF_ARB_RET + id * 0x2000 + i * 8), 1, 0);
		d->qw[0] |= SDXI_DSC_VL;
	}
	*(uint64_t *)(self->mem + OFF_ARB_WI + id * 64) = n;
	ctl->ds_ring_sz = ARB_RING;
	ctl->cxt_sts_ptr = pa(self, OFF_ARB_STS + id * 64);
	ctl->write_index_ptr = pa(self, OFF_ARB_WI + id * 64);
	ctl->ds_ring_ptr = pa(self, OFF_ARB_RING + id * 0x10000) | SDXI_CXT_CTL_VL;
	l1->akey_ptr = pa(self, OFF_AKEY);
	l1->misc = SDXI_FIELD_PREP(SDXI_L1_ENT_MAX_BUFFER, 11U);
	l1->opb_000_enb = SDXI_OPB_DMAB | SDXI_OPB_ATOMIC;
	l1->cxt_ctl_ptr = pa(self, OFF_ARB_CTL + id * 64) | SDXI_L1_ENT_VL;
}

struct arb_result {
	unsigned int runs, longest, full, acyclic;
	bool ok;		/* every place of the order taken exactly once */
};

/* Runs of the global order: lengths, and whether each hands over cyclically. */
static struct arb_result arb_analyze(FIXTURE_DATA(hw) *self, unsigned int n,
				     unsigned long burst)
{
	static unsigned int owner[ARB_CXT * 1024];
	unsigned int left[ARB_CXT + 1], total = n * ARB_CXT, len = 0, prev = 0;
	struct arb_result r = { .ok = true };

	memset(owner, 0, sizeof(owner));
	for (unsigned int id = 1; id <= ARB_CXT; id++) {
		left[id] = n;
		for (unsigned int k = 0; k < n; k++) {
			uint64_t seq = *(volatile uint64_t *)(self->mem + OFF_ARB_RET +
							      id * 0x2000 + k * 8);

			if (seq >= total || owner[seq]) {
				r.ok = false;
				return r;
			}
			owner[seq] = id;
		}
	}
	for (unsigned int i = 0; i <= total; i++) {
		unsigned int c = i < total ? owner[i] : 0, next;

		if (c == prev) {
			len++;
			continue;
		}
		if (prev) {
			r.runs++;
			r.longest = len > r.longest ? len : r.longest;
			r.full += len == burst;
			left[prev] -= len;
			/* The next context with work after @prev, in ID order. */
			next = prev;
			do
				next = next % ARB_CXT + 1;
			while (next != prev && !left[next]);
			if (c && c != next)
				r.acyclic++;
		}
		prev = c;
		len = 1;
	}
	return r;
}

/* One CXT_START_NM of contexts 1..ARB_CXT with dv = 1; its index. */
static uint64_t arb_start(FIXTURE_DATA(hw) *self)
{
	uint64_t index = admin_put_nop(self);
	union sdxi_desc *d = (void *)(self->mem + OFF_RING + index % RING_N * 64), e;

	/* The NOP's slot (and CST_BLK) turned into the start: not yet valid. */
	*(volatile __le64 *)&d->qw[0] = 0;
	__sync_synchronize();
	sdxi__prep_cxt_start(&e, 1, ARB_CXT, 0, 1, 0);
	e.generic.csb_ptr = d->generic.csb_ptr;
	put_desc(d, &e);
	__sync_synchronize();
	*(volatile uint64_t *)self->bar2 = self->w;
	return index;
}

TEST_F(hw, arbitration_follows_burst_and_shuffle_seed)
{
	unsigned long burst = expect_num("SDXI_EXPECT_BURST", 64);
	bool shuffle = expect_prop("SDXI_EXPECT_SHUFFLE");
	volatile uint64_t *count;
	struct arb_result r;
	unsigned int n;

	NEED_DMA();
	TH_LOG("burst=%lu shuffle=%s", burst, shuffle ? "on" : "off");
	ASSERT_TRUE(burst >= 1 && burst * ARB_TURNS <= ARB_RING);
	n = burst * ARB_TURNS;
	build_admin(self);
	((struct sdxi_akey_ent *)(self->mem + OFF_AKEY))->intr = SDXI_AKEY_VL;
	for (unsigned int id = 1; id <= ARB_CXT; id++)
		arb_build(self, id, n);
	__sync_synchronize();
	request(self, SDXI_GSR_ACTIVE);
	ASSERT_TRUE(wait_gsv(self, SDXI_GSV_ACTIVE));
	ASSERT_TRUE(wait_signal(self, arb_start(self)));
	count = (void *)(self->mem + OFF_ARB_CNT);
	for (int t = 0; t < 10 * POLL_MS && *count < n * ARB_CXT; t++)
		usleep(1000);
	ASSERT_EQ(n * ARB_CXT, *count);

	r = arb_analyze(self, n, burst);
	ASSERT_TRUE(r.ok);
	TH_LOG("%u runs, longest %u, %u of exactly burst, %u out of round-robin order",
	       r.runs, r.longest, r.full, r.acyclic);
	EXPECT_GT(r.full, 0);
	if (shuffle) {
		/* A context may end one round and start the next. */
		EXPECT_LE(r.longest, 2 * burst);
		EXPECT_GT(r.acyclic, 0);
	} else {
		EXPECT_LE(r.longest, burst);
		EXPECT_EQ(0, r.acyclic);
	}
}

TEST_HARNESS_MAIN
