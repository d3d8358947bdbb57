/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the /dev/sdxiN kselftests: raw UAPI only (no libsdxi).
 * Each helper returns 0 or -errno; descriptors are encoded here with the
 * layouts of <linux/sdxi_hw.h>.
 */
#ifndef _SDXI_SELFTEST_COMMON_H
#define _SDXI_SELFTEST_COMMON_H

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <linux/sdxi.h>
#include <linux/sdxi_hw.h>

#define SDXI_DEV	"/dev/sdxi0"
#define SDXI_SYSFS	"/sys/class/sdxi/sdxi0/"
#define SDXI_DEBUGFS	"/sys/kernel/debug/sdxi/sdxi0/"

static inline int sdxi_ioc(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) ? -errno : 0;
}

/* A device counter from sysfs, or -1. */
static inline long long sdxi_counter(const char *name)
{
	char path[128];
	long long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), SDXI_SYSFS "%s", name);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fscanf(f, "%lld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
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

static inline int uctx_create(int fd, uint32_t flags, uint32_t entries,
			      struct uctx *x)
{
	int ret;

	memset(x, 0, sizeof(*x));
	x->fd = fd;
	x->c.size = sizeof(x->c);
	x->c.flags = flags;
	x->c.ring_entries = entries;
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

static inline uint32_t dsc_op(uint32_t type, uint32_t subtype)
{
	return SDXI_FIELD_PREP(SDXI_DSC_TYPE, type) |
	       SDXI_FIELD_PREP(SDXI_DSC_SUBTYPE, subtype);
}

static inline void dsc_nop(union sdxi_desc *d)
{
	memset(d, 0, sizeof(*d));
	d->generic.opcode = dsc_op(SDXI_DSC_TYPE_DMAB, SDXI_DSC_DMAB_NOP);
	d->generic.csb_ptr = SDXI_DSC_NP;
}

static inline void dsc_copy(union sdxi_desc *d, uint64_t src, uint64_t dst,
			    uint32_t len, uint16_t akey)
{
	memset(d, 0, sizeof(*d));
	d->copy.opcode = dsc_op(SDXI_DSC_TYPE_DMAB, SDXI_DSC_DMAB_COPY);
	d->copy.size = len - 1;
	d->copy.akey0 = akey;
	d->copy.akey1 = akey;
	d->copy.addr0 = src;
	d->copy.addr1 = dst;
	d->copy.csb_ptr = SDXI_DSC_NP;
}

static inline void dsc_intr(union sdxi_desc *d, uint16_t akey)
{
	memset(d, 0, sizeof(*d));
	d->intr.opcode = dsc_op(SDXI_DSC_TYPE_INTR, SDXI_DSC_INTR);
	d->intr.akey = akey;
	d->intr.csb_ptr = SDXI_DSC_NP;
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
 * Wait until the read index passes @end - 1 (all done), or the context
 * is in error.  Returns 0, -EIO (error state) or -ETIMEDOUT.
 */
static inline int uctx_wait(struct uctx *x, uint64_t end, unsigned int ms)
{
	uint64_t t0 = now_ms();

	for (;;) {
		if ((x->sts->state & SDXI_CXT_STS_STATE) == SDXI_CXTV_ERR_FN)
			return -EIO;
		/* The function writes ERR_FN before R: check it again after. */
		if (__atomic_load_n(&x->sts->read_index, __ATOMIC_ACQUIRE) >= end)
			return (x->sts->state & SDXI_CXT_STS_STATE) ==
			       SDXI_CXTV_ERR_FN ? -EIO : 0;
		if (now_ms() - t0 > ms)
			return -ETIMEDOUT;
		usleep(100);
	}
}

/* Ask the VM runner to set a QOM property of the function (stall ...). */
static inline int qom_set(const char *prop, const char *val)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "sdxi-qom-set sdxi0 %s %s >/dev/null 2>&1",
		 prop, val);
	return system(cmd) == 0 ? 0 : -1;
}

#endif /* _SDXI_SELFTEST_COMMON_H */
