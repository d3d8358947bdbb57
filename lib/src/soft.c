// SPDX-License-Identifier: MIT
/*
 * The software device: an SDXI function made of the engine core
 * (lib/engine) driven by a library thread, on the process's own memory.
 * It plays both the hardware and the kernel driver, with the same rules as
 * the real stack, so that code tested on it behaves the same on a device:
 *
 *   - The function's own structures (L2/L1 tables, CXT_CTL, AKey tables,
 *     error log, admin context) live in a private arena; the function
 *     address space is that arena and nothing else.
 *   - Each context gets its own PASID.  A PASID access is translated only
 *     if it lies in the context's own regions (ring, write index, CXT_STS,
 *     CST_BLK array) or in a range registered with it, with the READ/WRITE
 *     rights of the registration; anything else is SDXIE_MEM_XLATE, which
 *     the engine reports exactly as the device does (step 10, sub-step 1
 *     for data).  IOVA == VA, as with PASID isolation in the kernel.
 *   - Registration checks what the kernel's pin would: the range must be
 *     mapped with the requested access (/proc/self/maps); overlapping
 *     registrations are refused (EEXIST); unregistration is exact.
 *   - Contexts are started and stopped through admin descriptors on
 *     context 0, error-log entries are routed to their context as records,
 *     interrupts (AKey entries) signal the context's eventfd.
 *
 * Threading: the engine is not thread safe, so every call into it happens
 * under sd->lock, either in the engine thread or (admin operations) in the
 * caller.  Doorbells do not take the lock: they set the context's bit in a
 * mailbox and wake the engine thread if it sleeps.
 *
 * What the software device cannot do: pin.  It reads and writes the
 * application's live mappings, so memory unmapped while registered must not
 * be used (the real device keeps writing the pinned pages instead).
 */
#include <fcntl.h>
#include <linux/futex.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "sdxie.h"

#include "internal.h"
#include "sdxi_test.h"

#define SOFT_MAX_CXT		SDXIE_DEFAULT_MAX_CXT
#define SOFT_PASID_BASE		0x100
#define SOFT_ADMIN_ENTRIES	1024
#define SOFT_ERRLOG_ENTRIES	256
#define SOFT_AKEY_BYTES		4096		/* 256 entries: akey_sz 0 */
#define SOFT_ARENA_SIZE		(2u << 20)
#define SOFT_SPIN_NS		20000		/* engine polls this long before sleeping */
#define PAGE			4096u

/* A registered range of a context's address space. */
struct soft_map {
	uint64_t start;
	uint64_t end;
	uint32_t access;
};

/*
 * struct soft_cxt - one context of the software device
 * @own: the context's own regions, reachable through its PASID
 * @maps: registered ranges, sorted, non-overlapping
 * @efd: eventfd signalled by its interrupt AKey, or -1
 * @nerr/@last: error records since start or reset
 * @doorbells: doorbells rung by the library (test counter)
 */
struct soft_cxt {
	bool used;
	struct soft_dev *sd;
	uint32_t id;
	uint32_t pasid;
	uint32_t entries;
	void *ring;
	size_t ring_bytes;
	void *regs;			/* write index page, then CXT_STS page */
	void *csb;
	size_t csb_bytes;
	struct { uint64_t start, end; } own[3];
	struct soft_map *maps;
	uint32_t nmaps, cap;
	int efd;
	uint32_t nerr;
	struct sdxi_error last;
	_Atomic uint64_t doorbells;
};

/*
 * struct soft_dev - the software function
 * @lock: serializes every engine call and all fields below it
 * @db_bits: doorbell mailbox, one bit per context (lock free)
 * @wake: futex word of the engine thread
 * @sleeping: the engine thread is (about to be) asleep on @wake
 * @kicked: the engine asked to be run (state change, unstall)
 * @ctl_wait: callers waiting for @lock; the engine thread yields to them
 */
struct soft_dev {
	_Atomic uint64_t db_bits[(SOFT_MAX_CXT + 64) / 64];
	_Atomic uint32_t wake;
	_Atomic int sleeping;
	_Atomic int kicked;
	_Atomic int stop;
	_Atomic int ctl_wait;

	pthread_mutex_t lock;
	pthread_t thread;
	bool thread_started;
	struct sdxie_config cfg;
	struct sdxie_fn *fn;
	uint8_t *arena;
	uint64_t brk;
	uint64_t *l2;
	struct sdxi_cxt_l1_ent *l1;
	struct sdxi_errlog_ent *errlog;
	uint64_t errlog_rd;
	union sdxi_desc *admin_ring;
	struct sdxi_cst_blk *admin_csb;
	uint64_t *admin_wi;
	struct sdxi_cxt_sts *admin_sts;
	uint64_t admin_w;
	bool dead;			/* the function entered ERROR */
	struct sdxi_cxt_ctl *ctl[SOFT_MAX_CXT + 1];
	struct sdxi_akey_ent *akey[SOFT_MAX_CXT + 1];
	struct soft_cxt cxt[SOFT_MAX_CXT + 1];
};

static uint64_t addr_of(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

static void *ptr_of(uint64_t a)
{
	return (void *)(uintptr_t)a;
}

static void futex_wake(_Atomic uint32_t *w)
{
	syscall(SYS_futex, w, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

static void futex_wait(_Atomic uint32_t *w, uint32_t val)
{
	syscall(SYS_futex, w, FUTEX_WAIT_PRIVATE, val, NULL, NULL, 0);
}

/* Wake the engine thread if it sleeps (pairs with engine_idle()). */
static void engine_wake(struct soft_dev *sd)
{
	if (atomic_load(&sd->sleeping)) {
		atomic_fetch_add(&sd->wake, 1);
		futex_wake(&sd->wake);
	}
}

static void ctl_lock(struct soft_dev *sd)
{
	atomic_fetch_add(&sd->ctl_wait, 1);
	pthread_mutex_lock(&sd->lock);
	atomic_fetch_sub(&sd->ctl_wait, 1);
}

static void ctl_unlock(struct soft_dev *sd)
{
	pthread_mutex_unlock(&sd->lock);
}

/* Zeroed, @align-aligned memory from the function's private arena. */
static void *arena_alloc(struct soft_dev *sd, uint64_t size, uint64_t align)
{
	uint64_t a = ALIGN_UP(sd->brk, align);

	if (a + size > SOFT_ARENA_SIZE)
		return NULL;
	sd->brk = a + size;
	return sd->arena + a;
}

static struct soft_cxt *pasid_cxt(struct soft_dev *sd, uint32_t pasid)
{
	uint32_t id = pasid - SOFT_PASID_BASE;

	if (pasid < SOFT_PASID_BASE || id > SOFT_MAX_CXT || !id || !sd->cxt[id].used)
		return NULL;
	return &sd->cxt[id];
}

/* Index of the last map with start <= addr, or -1. */
static long map_find(const struct soft_cxt *sc, uint64_t addr)
{
	long lo = 0, hi = (long)sc->nmaps - 1, best = -1;

	while (lo <= hi) {
		long mid = (lo + hi) / 2;

		if (sc->maps[mid].start <= addr) {
			best = mid;
			lo = mid + 1;
		} else {
			hi = mid - 1;
		}
	}
	return best;
}

/*
 * Translate an access of up to *len bytes at @addr in @as: returns
 * SDXIE_MEM_OK with *len clipped to the bytes reachable contiguously from
 * @addr with the needed right, or SDXIE_MEM_XLATE (what an IOMMU fault is
 * for the device) when @addr itself is not reachable.
 */
static int xlate(struct soft_dev *sd, struct sdxie_as as, uint64_t addr, uint64_t *len,
		 bool is_write)
{
	uint64_t want = *len, reach = 0;
	struct soft_cxt *sc;
	long i;

	if (!as.has_pasid) {
		uint64_t lo = addr_of(sd->arena), hi = lo + SOFT_ARENA_SIZE;

		if (addr < lo || addr >= hi)
			return SDXIE_MEM_XLATE;
		*len = want < hi - addr ? want : hi - addr;
		return SDXIE_MEM_OK;
	}
	sc = pasid_cxt(sd, as.pasid);
	if (!sc)
		return SDXIE_MEM_XLATE;
	for (unsigned int k = 0; k < ARRAY_SIZE(sc->own); k++) {
		if (addr >= sc->own[k].start && addr < sc->own[k].end) {
			reach = sc->own[k].end - addr;
			*len = want < reach ? want : reach;
			return SDXIE_MEM_OK;
		}
	}
	i = map_find(sc, addr);
	if (i < 0 || addr >= sc->maps[i].end)
		return SDXIE_MEM_XLATE;
	/* Adjacent registrations are one contiguous range for the device. */
	for (uint64_t at = addr; i < (long)sc->nmaps && reach < want; i++) {
		const struct soft_map *m = &sc->maps[i];

		if (m->start != at && at != addr)
			break;
		if (!(m->access & (is_write ? SDXI_MEM_WRITE : SDXI_MEM_READ)))
			break;
		reach += m->end - at;
		at = m->end;
	}
	if (!reach)
		return SDXIE_MEM_XLATE;
	*len = want < reach ? want : reach;
	return SDXIE_MEM_OK;
}

/*
 * Host callbacks of the engine.  Ordering with the application threads:
 * the engine thread learns of work through the doorbell mailbox (an
 * acquire exchange that pairs with the producer's RMW after its W store),
 * so it sees W and the slots.  Every function write (CST_BLK, R, CXT_STS)
 * is preceded by a release fence, so data written before it is visible to
 * a consumer that reads R or a CST_BLK with acquire.
 */
static int h_read(void *o, struct sdxie_as as, uint64_t addr, void *buf, uint64_t len)
{
	uint64_t n = len;
	int st = xlate(o, as, addr, &n, false);

	if (st || n < len)
		return SDXIE_MEM_XLATE;
	memcpy(buf, ptr_of(addr), len);
	atomic_thread_fence(memory_order_acquire);
	return SDXIE_MEM_OK;
}

static int h_write(void *o, struct sdxie_as as, uint64_t addr, const void *buf, uint64_t len)
{
	uint64_t n = len;
	int st = xlate(o, as, addr, &n, true);

	if (st || n < len)
		return SDXIE_MEM_XLATE;
	atomic_thread_fence(memory_order_release);
	memcpy(ptr_of(addr), buf, len);
	return SDXIE_MEM_OK;
}

static void *h_map(void *o, struct sdxie_as as, uint64_t addr, uint64_t *len,
		   bool is_write, int *status)
{
	*status = xlate(o, as, addr, len, is_write);
	return *status ? NULL : ptr_of(addr);
}

static void h_unmap(void *o, void *host, uint64_t len, bool is_write)
{
	(void)o, (void)host, (void)len, (void)is_write;
}

static bool h_pasid_usable(void *o, uint32_t pasid)
{
	return pasid_cxt(o, pasid) != NULL;
}

/* Vector 0: error log (processed after the run); vector id: context id. */
static bool h_irq(void *o, unsigned int vector)
{
	struct soft_dev *sd = o;
	uint64_t one = 1;

	if (vector >= sd->cfg.nr_vectors)
		return false;
	if (vector && vector <= SOFT_MAX_CXT && sd->cxt[vector].used &&
	    sd->cxt[vector].efd >= 0) {
		ssize_t n = write(sd->cxt[vector].efd, &one, sizeof(one));

		(void)n;	/* a saturated eventfd is still readable */
	}
	return true;
}

static void h_kick(void *o)
{
	struct soft_dev *sd = o;

	atomic_store(&sd->kicked, 1);
	engine_wake(sd);
}

static const struct sdxie_host_ops soft_host_ops = {
	.read = h_read,
	.write = h_write,
	.map = h_map,
	.unmap = h_unmap,
	.pasid_usable = h_pasid_usable,
	.irq = h_irq,
	.kick = h_kick,
};

/*
 * The function entered ERROR: it forgot every context.  As the driver
 * would, mark each context stopped by the function and give it the
 * function's error record, so that its waiters fail with -EIO.
 */
static void fn_dead(struct soft_dev *sd, const struct sdxi_error *rec)
{
	sd->dead = true;
	for (uint32_t id = 1; id <= SOFT_MAX_CXT; id++) {
		struct soft_cxt *sc = &sd->cxt[id];
		struct sdxi_cxt_sts *sts;

		if (!sc->used)
			continue;
		sts = (struct sdxi_cxt_sts *)((uint8_t *)sc->regs + PAGE);
		__atomic_store_n(&sts->state, SDXI_CXTV_STOP_FN, __ATOMIC_RELEASE);
		sc->nerr++;
		sc->last = *rec;
		sc->last.flags &= (uint16_t)~SDXI_ERROR_INDEX;
		if (sc->efd >= 0) {
			uint64_t one = 1;
			ssize_t n = write(sc->efd, &one, sizeof(one));

			(void)n;
		}
	}
}

/*
 * Error-log processing, as the spec's sequence has it: clear ERR_STS
 * before reading ERR_WRT, consume entries up to it, write ERR_RD.  Each
 * entry naming a client context becomes that context's latest record.
 */
static void errlog_process(struct soft_dev *sd)
{
	uint64_t sts = sdxie_mmio_read(sd->fn, SDXI_MMIO_ERR_STS, 8), wrt;

	if (!(sts & SDXI_ERR_STS_STS))
		return;
	sdxie_mmio_write(sd->fn, SDXI_MMIO_ERR_STS, sts, 8);
	wrt = sdxie_mmio_read(sd->fn, SDXI_MMIO_ERR_WRT, 8);
	for (; sd->errlog_rd < wrt; sd->errlog_rd++) {
		const struct sdxi_errlog_ent *ent = &sd->errlog[sd->errlog_rd % SOFT_ERRLOG_ENTRIES];
		uint64_t hd = le64toh(ent->hd);
		struct sdxi_error rec;

		if (!(hd & SDXI_ERRLOG_VL) ||
		    SDXI_FIELD_GET(SDXI_ERRLOG_TYPE, hd) != SDXI_ERRLOG_HD_TYPE)
			continue;
		error_decode(ent, &rec);
		/*
		 * As the kernel does (Documentation/uapi.rst): faults on the
		 * structures only the device's owner writes (L2, L1, CXT_CTL,
		 * AKey and RKey tables) report no address.
		 */
		switch (rec.step) {
		case SDXI_STEP_CXT_L2:
		case SDXI_STEP_CXT_L1:
		case SDXI_STEP_CXT_CTL:
		case SDXI_STEP_AKEY:
		case SDXI_STEP_RKEY:
			rec.addr = 0;
			break;
		}
		if (rec.reaction == SDXI_RE_FN_STOPPED) {
			fn_dead(sd, &rec);
			continue;
		}
		if (hd & SDXI_ERRLOG_CV) {
			uint32_t id = (uint32_t)SDXI_FIELD_GET(SDXI_ERRLOG_CXT_NUM, hd);

			if (id && id <= SOFT_MAX_CXT && sd->cxt[id].used) {
				sd->cxt[id].nerr++;
				sd->cxt[id].last = rec;
			}
		}
	}
	sdxie_mmio_write(sd->fn, SDXI_MMIO_ERR_RD, sd->errlog_rd, 8);
}

static bool work_pending(struct soft_dev *sd)
{
	for (unsigned int w = 0; w < ARRAY_SIZE(sd->db_bits); w++)
		if (atomic_load_explicit(&sd->db_bits[w], memory_order_relaxed))
			return true;
	return atomic_load_explicit(&sd->kicked, memory_order_relaxed) != 0;
}

/* One engine step under the lock; true when more work is queued. */
static bool pump(struct soft_dev *sd)
{
	bool more;

	atomic_store(&sd->kicked, 0);
	for (unsigned int w = 0; w < ARRAY_SIZE(sd->db_bits); w++) {
		/* Acquire: pairs with the producer's RMW after its W store. */
		uint64_t bits = atomic_exchange_explicit(&sd->db_bits[w], 0,
							 memory_order_acquire);

		while (bits) {
			uint32_t id = w * 64 + (uint32_t)__builtin_ctzll(bits);

			bits &= bits - 1;
			sdxie_doorbell(sd->fn, id, 0);
		}
	}
	more = sdxie_run(sd->fn, 64);
	errlog_process(sd);
	return more;
}

/* Wait for a doorbell or a kick: spin a little, then sleep on the futex. */
static void engine_idle(struct soft_dev *sd)
{
	struct timespec t0, t;
	uint32_t seq;

	/*
	 * Poll for a while, yielding often: this "hardware" shares the CPUs
	 * with the threads that feed it, and on a busy machine a producer
	 * may be waiting for this very CPU.
	 */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (unsigned int i = 0;; i++) {
		if (work_pending(sd) || atomic_load(&sd->stop))
			return;
		cpu_relax();
		if (i % 64 == 63) {
			clock_gettime(CLOCK_MONOTONIC, &t);
			if ((t.tv_sec - t0.tv_sec) * 1000000000L + (t.tv_nsec - t0.tv_nsec) >
			    SOFT_SPIN_NS)
				break;
			sched_yield();
		}
	}
	/*
	 * Sleep protocol: announce sleeping (seq_cst), then look for work.
	 * A producer sets its doorbell bit (seq_cst RMW) and then reads
	 * sleeping; one of the two sees the other's store.  @seq was read
	 * before announcing, so a wake-up after that makes futex_wait return.
	 */
	seq = atomic_load(&sd->wake);
	atomic_store(&sd->sleeping, 1);
	if (!work_pending(sd) && !atomic_load(&sd->stop))
		futex_wait(&sd->wake, seq);
	atomic_store(&sd->sleeping, 0);
}

static void *engine_thread(void *arg)
{
	struct soft_dev *sd = arg;

	pthread_mutex_lock(&sd->lock);
	while (!atomic_load(&sd->stop)) {
		if (pump(sd) || work_pending(sd)) {
			if (atomic_load(&sd->ctl_wait)) {
				pthread_mutex_unlock(&sd->lock);
				sched_yield();
				pthread_mutex_lock(&sd->lock);
			}
			continue;
		}
		pthread_mutex_unlock(&sd->lock);
		engine_idle(sd);
		pthread_mutex_lock(&sd->lock);
	}
	pthread_mutex_unlock(&sd->lock);
	return NULL;
}

void soft_doorbell(struct sdxi_hwctx *hw)
{
	struct soft_cxt *sc = hw->priv;
	struct soft_dev *sd = sc->sd;

	/* Test counter: plain increment, approximate when shared. */
	atomic_store_explicit(&sc->doorbells,
			      atomic_load_explicit(&sc->doorbells, memory_order_relaxed) + 1,
			      memory_order_relaxed);
	/* seq_cst RMW: orders the caller's W store before the bit (mailbox). */
	atomic_fetch_or(&sd->db_bits[sc->id / 64], 1ULL << (sc->id % 64));
	engine_wake(sd);
}

/*
 * Run one admin descriptor on context 0 and wait for its CST_BLK, running
 * the engine in this thread.  0, -EIO (the descriptor failed or the
 * function is dead) or -EBUSY (the engine is stalled).
 */
static int admin_locked(struct soft_dev *sd, union sdxi_desc *d)
{
	uint64_t idx = sd->admin_w;
	uint32_t slot = (uint32_t)(idx % SOFT_ADMIN_ENTRIES);
	struct sdxi_cst_blk *csb = &sd->admin_csb[slot];
	union sdxi_desc *s = &sd->admin_ring[slot];

	if (sd->dead)
		return -EIO;
	csb->signal = htole64(1);
	csb->flags = 0;
	d->generic.csb_ptr = htole64(addr_of(csb));
	for (int q = 1; q < 8; q++)
		s->qw[q] = d->qw[q];
	__atomic_store_n(&s->qw[0], d->qw[0] | htole64(SDXI_DSC_VL), __ATOMIC_RELEASE);
	sd->admin_w = idx + 1;
	__atomic_store_n(sd->admin_wi, htole64(sd->admin_w), __ATOMIC_RELEASE);
	sdxie_doorbell(sd->fn, SDXI_ADMIN_CXT_ID, sd->admin_w);
	while (__atomic_load_n(&csb->signal, __ATOMIC_ACQUIRE)) {
		bool more = sdxie_run(sd->fn, 256);

		errlog_process(sd);
		if (sd->dead)
			return -EIO;
		if (!more && __atomic_load_n(&csb->signal, __ATOMIC_ACQUIRE))
			return -EBUSY;
	}
	return (le32toh(csb->flags) & SDXI_CST_BLK_ER) ? -EIO : 0;
}

static int admin_range(struct soft_dev *sd, unsigned int subtype, uint32_t id, unsigned int flt)
{
	union sdxi_desc d = { { 0 } };

	d.cxt_stop.opcode = htole32((uint32_t)(SDXI_FIELD_PREP(SDXI_DSC_TYPE, SDXI_DSC_TYPE_ADMIN) |
					       SDXI_FIELD_PREP(SDXI_DSC_SUBTYPE, subtype)) |
				    SDXI_DSC_FE);
	d.cxt_stop.cxt_start = htole16((uint16_t)id);
	d.cxt_stop.cxt_end = htole16((uint16_t)id);
	if (subtype == SDXI_DSC_SYNC)
		d.sync.cflags = (uint8_t)flt;
	return admin_locked(sd, &d);
}

/* Stop context @id and wait until the stop has taken effect (CXT_STOP + SYNC). */
static int stop_locked(struct soft_dev *sd, uint32_t id)
{
	int ret = admin_range(sd, SDXI_DSC_CXT_STOP, id, 0);

	return ret ? ret : admin_range(sd, SDXI_DSC_SYNC, id, SDXI_SYNC_FLT_STOP);
}

/* Bring the function up the way a driver does (driver.rst, "Bring-up"). */
static int fn_init(struct soft_dev *sd)
{
	struct sdxi_cxt_l1_ent *l1;
	struct sdxi_cxt_ctl *ctl;
	void *akey;

	/* 1.b, 2, 3: CTL2 from CAP1, L2 table, one L1 table for IDs 0..127. */
	sd->l2 = arena_alloc(sd, PAGE, PAGE);
	sd->l1 = arena_alloc(sd, PAGE, PAGE);
	sd->errlog = arena_alloc(sd, SOFT_ERRLOG_ENTRIES * sizeof(struct sdxi_errlog_ent), PAGE);
	sd->admin_ring = arena_alloc(sd, SOFT_ADMIN_ENTRIES * SDXI_DESC_SIZE, PAGE);
	sd->admin_csb = arena_alloc(sd, SOFT_ADMIN_ENTRIES * sizeof(struct sdxi_cst_blk), PAGE);
	sd->admin_wi = arena_alloc(sd, 64, 64);
	sd->admin_sts = arena_alloc(sd, 64, 64);
	for (uint32_t id = 0; id <= SOFT_MAX_CXT; id++) {
		sd->ctl[id] = arena_alloc(sd, sizeof(struct sdxi_cxt_ctl), 64);
		sd->akey[id] = arena_alloc(sd, SOFT_AKEY_BYTES, PAGE);
	}
	if (!sd->akey[SOFT_MAX_CXT])
		return -ENOMEM;
	sd->l2[0] = htole64(addr_of(sd->l1) | SDXI_L2_ENT_VL);
	sdxie_mmio_write(sd->fn, SDXI_MMIO_CTL2,
			 SDXI_FIELD_PREP(SDXI_CTL2_MAX_BUFFER, (uint64_t)sd->cfg.max_buffer) |
			 SDXI_FIELD_PREP(SDXI_CTL2_MAX_AKEY_SZ, (uint64_t)sd->cfg.max_akey_sz) |
			 SDXI_FIELD_PREP(SDXI_CTL2_MAX_CXT, (uint64_t)SOFT_MAX_CXT) |
			 SDXI_FIELD_PREP(SDXI_CTL2_OPB_000_AVL, (uint64_t)sd->cfg.opb_cap), 8);
	sdxie_mmio_write(sd->fn, SDXI_MMIO_CXT_L2, addr_of(sd->l2), 8);

	/* 4: the admin context in the function address space, state RUN (4.b). */
	ctl = sd->ctl[0];
	akey = sd->akey[0];
	ctl->ds_ring_sz = htole32(SOFT_ADMIN_ENTRIES);
	ctl->cxt_sts_ptr = htole64(addr_of(sd->admin_sts));
	ctl->write_index_ptr = htole64(addr_of(sd->admin_wi));
	ctl->ds_ring_ptr = htole64(addr_of(sd->admin_ring) | SDXI_CXT_CTL_VL);
	l1 = &sd->l1[0];
	l1->akey_ptr = htole64(addr_of(akey));
	l1->misc = htole32((uint32_t)SDXI_FIELD_PREP(SDXI_L1_ENT_MAX_BUFFER, 11u));
	l1->opb_000_enb = htole32(sd->cfg.opb_cap);
	l1->cxt_ctl_ptr = htole64(addr_of(ctl) | SDXI_L1_ENT_VL);
	sd->admin_sts->state = SDXI_CXTV_RUN;

	/* 7: error log with its interrupt (vector 0). */
	sdxie_mmio_write(sd->fn, SDXI_MMIO_ERR_CTL, SDXI_ERR_CTL_EN, 8);
	sdxie_mmio_write(sd->fn, SDXI_MMIO_ERR_CFG, addr_of(sd->errlog) |
			 SDXI_FIELD_PREP(SDXI_ERR_CFG_SZ,
					 (uint64_t)(SOFT_ERRLOG_ENTRIES / SDXI_ERRLOG_SZ_UNIT)) |
			 SDXI_ERR_CFG_EN, 8);

	/* 9: activate; the engine completes the transition in its next run. */
	sdxie_mmio_write(sd->fn, SDXI_MMIO_CTL0, SDXI_CTL0_FN_ERR_INTR_EN | SDXI_GSR_ACTIVE, 8);
	sdxie_run(sd->fn, 0);
	return sdxie_fn_state(sd->fn) == SDXI_GSV_ACTIVE ? 0 : -EIO;
}

static void soft_free(struct soft_dev *sd)
{
	if (sd->thread_started) {
		atomic_store(&sd->stop, 1);
		atomic_fetch_add(&sd->wake, 1);
		futex_wake(&sd->wake);
		pthread_join(sd->thread, NULL);
	}
	sdxie_fn_free(sd->fn);
	unmap_guarded(sd->arena, SOFT_ARENA_SIZE);
	pthread_mutex_destroy(&sd->lock);
	free(sd);
}

static void fill_info(struct soft_dev *sd, struct sdxi_dev_info *in)
{
	uint32_t used = 0;

	for (uint32_t id = 1; id <= SOFT_MAX_CXT; id++)
		used += sd->cxt[id].used;
	memset(in, 0, sizeof(*in));
	strcpy(in->path, "soft");
	in->sdxi_version = SDXI_VERSION_MAJOR << 16 | SDXI_VERSION_MINOR;
	in->abi_version = 1;
	in->op_groups = sd->cfg.opb_cap & ~(uint32_t)SDXI_OPB_ADMIN;
	in->flags = SDXI_DEV_SOFT | SDXI_DEV_INTERRUPTS;
	in->min_ring_entries = SDXI_RING_MIN_ENTRIES;
	in->max_ring_entries = (uint32_t)SDXI_RING_MAX_ENTRIES(sd->cfg.max_ring_sz);
	in->max_buffer = SDXI_MAX_BUFFER_BYTES(sd->cfg.max_buffer);
	in->max_contexts = SOFT_MAX_CXT;
	in->free_contexts = sd->dead ? 0 : SOFT_MAX_CXT - used;
	in->numa_node = -1;
	in->isolation = SDXI_ISOLATE_PASID;
}

int soft_open(struct sdxi_dev **devp)
{
	struct soft_dev *sd = calloc(1, sizeof(*sd));
	int ret = -ENOMEM;

	if (!sd)
		return -ENOMEM;
	pthread_mutex_init(&sd->lock, NULL);
	sdxie_config_default(&sd->cfg);
	sd->arena = map_guarded(SOFT_ARENA_SIZE);
	if (!sd->arena)
		goto fail;
	sd->brk = PAGE;		/* keep address arena+0 unused */
	sd->fn = sdxie_fn_new(&sd->cfg, &soft_host_ops, sd);
	if (!sd->fn)
		goto fail;
	ret = fn_init(sd);
	if (ret)
		goto fail;
	ret = -pthread_create(&sd->thread, NULL, engine_thread, sd);
	if (ret)
		goto fail;
	sd->thread_started = true;
	*devp = dev_alloc(&soft_ops, sd);
	if (!*devp) {
		ret = -ENOMEM;
		goto fail;
	}
	fill_info(sd, &(*devp)->info);
	return 0;
fail:
	soft_free(sd);
	return ret;
}

static struct soft_dev *soft_of(struct sdxi_dev *dev)
{
	return dev->ops == &soft_ops ? dev->priv : NULL;
}

static int s_info(struct sdxi_dev *dev, struct sdxi_dev_info *info)
{
	struct soft_dev *sd = dev->priv;

	ctl_lock(sd);
	fill_info(sd, info);
	ctl_unlock(sd);
	return 0;
}

static void cxt_free_regions(struct soft_cxt *sc)
{
	unmap_guarded(sc->ring, sc->ring_bytes);
	unmap_guarded(sc->regs, 2 * PAGE);
	unmap_guarded(sc->csb, sc->csb_bytes);
	free(sc->maps);
}

/*
 * Is [va, va + len) private to the function: its arena or the regions of
 * a context?  On the real device those are kernel memory or device
 * mappings, which cannot be pinned, so registering them fails (EFAULT).
 */
static bool private_overlap(struct soft_dev *sd, uint64_t va, uint64_t len)
{
	uint64_t a = addr_of(sd->arena);

	if (va < a + SOFT_ARENA_SIZE && a < va + len)
		return true;
	for (uint32_t id = 1; id <= SOFT_MAX_CXT; id++) {
		const struct soft_cxt *sc = &sd->cxt[id];

		if (!sc->used)
			continue;
		for (unsigned int k = 0; k < ARRAY_SIZE(sc->own); k++)
			if (va < sc->own[k].end && sc->own[k].start < va + len)
				return true;
	}
	return false;
}

/*
 * Publish context @id's tables: AKey table, CXT_CTL, then the L1 entry
 * with vl written last (release), as SDXI 1.0 3.3 asks.
 */
static void cxt_tables(struct soft_dev *sd, struct soft_cxt *sc, bool intr)
{
	struct sdxi_akey_ent *ak = sd->akey[sc->id];
	struct sdxi_cxt_ctl *ctl = sd->ctl[sc->id];
	struct sdxi_cxt_l1_ent *l1 = &sd->l1[sc->id];

	memset(ak, 0, SOFT_AKEY_BYTES);
	/* AKey 0: data, in the context's own address space (pv = 0). */
	ak[0].intr = htole16(SDXI_AKEY_VL);
	/* AKey 1: completion interrupt, vector = context ID. */
	if (intr)
		ak[1].intr = htole16((uint16_t)(SDXI_AKEY_VL | SDXI_AKEY_IV |
						 SDXI_FIELD_PREP(SDXI_AKEY_INTR_NUM, sc->id)));
	*ctl = (struct sdxi_cxt_ctl){
		.ds_ring_sz = htole32(sc->entries),
		.cxt_sts_ptr = htole64(addr_of(sc->regs) + PAGE),
		.write_index_ptr = htole64(addr_of(sc->regs)),
	};
	__atomic_store_n(&ctl->ds_ring_ptr, htole64(addr_of(sc->ring) | SDXI_CXT_CTL_VL),
			 __ATOMIC_RELEASE);
	*l1 = (struct sdxi_cxt_l1_ent){
		.akey_ptr = htole64(addr_of(ak)),
		.misc = htole32(sc->pasid |
				(uint32_t)SDXI_FIELD_PREP(SDXI_L1_ENT_MAX_BUFFER,
							  (uint32_t)sd->cfg.max_buffer)),
		.opb_000_enb = htole32(sd->cfg.opb_cap & ~(uint32_t)SDXI_OPB_ADMIN),
	};
	__atomic_store_n(&l1->cxt_ctl_ptr, htole64(addr_of(ctl) | SDXI_L1_ENT_VL | SDXI_L1_ENT_PV),
			 __ATOMIC_RELEASE);
}

/* Rescind the tables: clear vl first, then the rest (SDXI 1.0 5.5). */
static void cxt_untables(struct soft_dev *sd, uint32_t id)
{
	__atomic_store_n(&sd->l1[id].cxt_ctl_ptr, 0, __ATOMIC_RELEASE);
	memset(&sd->l1[id], 0, sizeof(sd->l1[id]));
	__atomic_store_n(&sd->ctl[id]->ds_ring_ptr, 0, __ATOMIC_RELEASE);
	memset(sd->ctl[id], 0, sizeof(*sd->ctl[id]));
}

static int s_ctx_create(struct sdxi_dev *dev, uint32_t entries, bool intr,
			struct sdxi_hwctx *hw)
{
	struct soft_dev *sd = dev->priv;
	struct soft_cxt *sc = NULL;
	int ret;

	if (entries < SDXI_RING_MIN_ENTRIES ||
	    entries > SDXI_RING_MAX_ENTRIES(sd->cfg.max_ring_sz))
		return -EINVAL;
	ctl_lock(sd);
	ret = -EIO;
	if (sd->dead)
		goto out;
	ret = -EBUSY;
	for (uint32_t id = 1; id <= SOFT_MAX_CXT && !sc; id++)
		if (!sd->cxt[id].used)
			sc = &sd->cxt[id];
	if (!sc)
		goto out;
	*sc = (struct soft_cxt){
		.sd = sd,
		.id = (uint32_t)(sc - sd->cxt),
		.entries = entries,
		.efd = -1,
	};
	sc->pasid = SOFT_PASID_BASE + sc->id;
	sc->ring_bytes = ALIGN_UP((uint64_t)entries * SDXI_DESC_SIZE, PAGE);
	sc->csb_bytes = ALIGN_UP((uint64_t)entries * sizeof(struct sdxi_cst_blk), PAGE);
	sc->ring = map_guarded(sc->ring_bytes);
	sc->regs = map_guarded(2 * PAGE);
	sc->csb = map_guarded(sc->csb_bytes);
	ret = -ENOMEM;
	if (!sc->ring || !sc->regs || !sc->csb) {
		cxt_free_regions(sc);
		memset(sc, 0, sizeof(*sc));
		goto out;
	}
	sc->own[0].start = addr_of(sc->ring);
	sc->own[0].end = sc->own[0].start + sc->ring_bytes;
	sc->own[1].start = addr_of(sc->regs);
	sc->own[1].end = sc->own[1].start + 2 * PAGE;
	sc->own[2].start = addr_of(sc->csb);
	sc->own[2].end = sc->own[2].start + sc->csb_bytes;
	cxt_tables(sd, sc, intr);
	sc->used = true;
	ret = admin_range(sd, SDXI_DSC_CXT_START_NM, sc->id, 0);
	if (ret) {
		sc->used = false;
		cxt_untables(sd, sc->id);
		cxt_free_regions(sc);
		memset(sc, 0, sizeof(*sc));
		goto out;
	}
	*hw = (struct sdxi_hwctx){
		.id = sc->id,
		.pasid = sc->pasid,
		.entries = entries,
		.akey_data = 0,
		.akey_intr = intr ? 1 : 0xffff,
		.ring = sc->ring,
		.wi = sc->regs,
		.sts = (const struct sdxi_cxt_sts *)((uint8_t *)sc->regs + PAGE),
		.db = NULL,
		.csb = sc->csb,
		.csb_iova = addr_of(sc->csb),
		.identity = true,
		.priv = sc,
	};
out:
	ctl_unlock(sd);
	return ret;
}

static void s_ctx_destroy(struct sdxi_dev *dev, struct sdxi_hwctx *hw)
{
	struct soft_dev *sd = dev->priv;
	struct soft_cxt *sc = hw->priv;
	struct sdxie_faults f, unstalled;

	ctl_lock(sd);
	/* A stalled engine must still stop the context before its memory goes. */
	sdxie_get_faults(sd->fn, &f);
	unstalled = f;
	unstalled.stall = false;
	sdxie_set_faults(sd->fn, &unstalled);
	stop_locked(sd, sc->id);
	sdxie_set_faults(sd->fn, &f);
	sc->used = false;
	cxt_untables(sd, sc->id);
	atomic_fetch_and(&sd->db_bits[sc->id / 64], ~(1ULL << (sc->id % 64)));
	cxt_free_regions(sc);
	memset(sc, 0, sizeof(*sc));
	ctl_unlock(sd);
}

/* RESET_CONTEXT semantics: stop, zero ring/W/CST_BLKs, restart at R = 0. */
static int s_ctx_reset(struct sdxi_dev *dev, struct sdxi_hwctx *hw)
{
	struct soft_dev *sd = dev->priv;
	struct soft_cxt *sc = hw->priv;
	int ret;

	ctl_lock(sd);
	ret = stop_locked(sd, sc->id);
	if (!ret) {
		memset(sc->ring, 0, sc->ring_bytes);
		memset(sc->regs, 0, PAGE);
		memset(sc->csb, 0, sc->csb_bytes);
		sc->nerr = 0;
		memset(&sc->last, 0, sizeof(sc->last));
		ret = admin_range(sd, SDXI_DSC_CXT_START_NM, sc->id, 0);
	}
	ctl_unlock(sd);
	return ret;
}

static int s_ctx_errors(struct sdxi_dev *dev, struct sdxi_hwctx *hw, struct sdxi_hwerr *e)
{
	struct soft_dev *sd = dev->priv;
	struct soft_cxt *sc = hw->priv;

	ctl_lock(sd);
	/* Entries the engine logged but the thread has not routed yet. */
	errlog_process(sd);
	e->count = sc->nerr;
	e->last = sc->last;
	ctl_unlock(sd);
	return 0;
}

/*
 * What pinning would check: [va, va + len) is mapped, readable, and
 * writable when @access asks for WRITE.  0 or -EFAULT.
 */
static int check_mapped(uint64_t va, uint64_t len, unsigned int access)
{
	FILE *f = fopen("/proc/self/maps", "re");
	uint64_t at = va, end = va + len;
	char line[512];

	if (!f)
		return -errno;
	while (at < end && fgets(line, sizeof(line), f)) {
		unsigned long long lo, hi;
		char perm[5];

		if (sscanf(line, "%llx-%llx %4s", &lo, &hi, perm) != 3)
			continue;
		if (hi <= at)
			continue;
		if (lo > at)
			break;		/* a hole */
		if (perm[0] != 'r' || ((access & SDXI_MEM_WRITE) && perm[1] != 'w'))
			break;
		at = hi;
	}
	fclose(f);
	return at >= end ? 0 : -EFAULT;
}

static int s_map(struct sdxi_dev *dev, struct sdxi_hwctx *hw, uint64_t va, uint64_t len,
		 unsigned int access, uint64_t *iova)
{
	struct soft_dev *sd = dev->priv;
	struct soft_cxt *sc = hw->priv;
	long i;
	int ret;

	if (!len || (va | len) % PAGE || va + len < va || !access ||
	    (access & ~(SDXI_MEM_READ | SDXI_MEM_WRITE)))
		return -EINVAL;
	ret = check_mapped(va, len, access);
	if (ret)
		return ret;
	ctl_lock(sd);
	i = map_find(sc, va + len - 1);
	if (private_overlap(sd, va, len)) {
		ret = -EFAULT;
	} else if (i >= 0 && sc->maps[i].end > va) {
		ret = -EEXIST;
	} else if (sc->nmaps == sc->cap) {
		struct soft_map *m = realloc(sc->maps, (sc->cap ? sc->cap * 2 : 16) * sizeof(*m));

		if (m) {
			sc->maps = m;
			sc->cap = sc->cap ? sc->cap * 2 : 16;
		} else {
			ret = -ENOMEM;
		}
	}
	if (!ret) {
		i++;
		memmove(&sc->maps[i + 1], &sc->maps[i], (sc->nmaps - (size_t)i) * sizeof(*sc->maps));
		sc->maps[i] = (struct soft_map){ va, va + len, access };
		sc->nmaps++;
		*iova = va;
	}
	ctl_unlock(sd);
	return ret;
}

/*
 * Exact unmap.  After the lock is released the engine can no longer reach
 * the range (every access is translated under the lock), like the kernel's
 * IOTLB flush before unpinning.
 */
static int s_unmap(struct sdxi_dev *dev, struct sdxi_hwctx *hw, uint64_t va, uint64_t len)
{
	struct soft_dev *sd = dev->priv;
	struct soft_cxt *sc = hw->priv;
	int ret = -ENOENT;
	long i;

	ctl_lock(sd);
	i = map_find(sc, va);
	if (i >= 0 && sc->maps[i].start == va && sc->maps[i].end == va + len) {
		memmove(&sc->maps[i], &sc->maps[i + 1],
			(sc->nmaps - (size_t)i - 1) * sizeof(*sc->maps));
		sc->nmaps--;
		ret = 0;
	}
	ctl_unlock(sd);
	return ret;
}

static int s_set_eventfd(struct sdxi_dev *dev, struct sdxi_hwctx *hw, int fd)
{
	struct soft_dev *sd = dev->priv;
	struct soft_cxt *sc = hw->priv;

	ctl_lock(sd);
	sc->efd = fd;
	ctl_unlock(sd);
	return 0;
}

static void s_close(struct sdxi_dev *dev)
{
	soft_free(dev->priv);
}

const struct sdxi_backend_ops soft_ops = {
	.info = s_info,
	.ctx_create = s_ctx_create,
	.ctx_destroy = s_ctx_destroy,
	.ctx_reset = s_ctx_reset,
	.ctx_errors = s_ctx_errors,
	.map = s_map,
	.unmap = s_unmap,
	.set_eventfd = s_set_eventfd,
	.close = s_close,
};

SDXI_EXPORT int sdxi_soft_inject(struct sdxi_dev *dev, const struct sdxi_soft_faults *f)
{
	struct soft_dev *sd = dev ? soft_of(dev) : NULL;
	struct sdxie_faults ef = {
		.addr = f->fault_addr, .after = f->fault_after, .stall = f->stall != 0,
	};

	if (!sd)
		return -EOPNOTSUPP;
	ctl_lock(sd);
	sdxie_set_faults(sd->fn, &ef);
	if (f->force_fn_error) {
		sdxie_force_fn_error(sd->fn);
		errlog_process(sd);
	}
	ctl_unlock(sd);
	return 0;
}

SDXI_EXPORT int sdxi_soft_faults(struct sdxi_dev *dev, struct sdxi_soft_faults *f)
{
	struct soft_dev *sd = dev ? soft_of(dev) : NULL;
	struct sdxie_faults ef;

	if (!sd)
		return -EOPNOTSUPP;
	ctl_lock(sd);
	sdxie_get_faults(sd->fn, &ef);
	ctl_unlock(sd);
	*f = (struct sdxi_soft_faults){
		.fault_addr = ef.addr,
		.fault_after = ef.after,
		.stall = ef.stall,
	};
	return 0;
}

SDXI_EXPORT int sdxi_soft_stats(struct sdxi_dev *dev, struct sdxi_soft_stats *st)
{
	struct soft_dev *sd = dev ? soft_of(dev) : NULL;
	struct sdxie_stats es;

	if (!sd)
		return -EOPNOTSUPP;
	ctl_lock(sd);
	sdxie_get_stats(sd->fn, &es);
	ctl_unlock(sd);
	*st = (struct sdxi_soft_stats){
		.descriptors = es.descriptors,
		.errors = es.errors,
		.engine_doorbells = es.doorbells,
		.bytes = es.bytes,
	};
	return 0;
}

SDXI_EXPORT int sdxi_soft_ctx_doorbells(struct sdxi_ctx *ctx, uint64_t *n)
{
	struct soft_cxt *sc;

	if (!soft_of(ctx->dev))
		return -EOPNOTSUPP;
	sc = ctx->hw.priv;
	*n = atomic_load(&sc->doorbells);
	return 0;
}

SDXI_EXPORT int sdxi_test_dev_list(const char *class_dir, struct sdxi_dev_info *infos, unsigned int max)
{
	return dev_list_at(class_dir, infos, max);
}
