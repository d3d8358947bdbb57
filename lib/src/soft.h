/* SPDX-License-Identifier: MIT */
/*
 * The software device's internals, shared by its parts:
 *
 *   soft.c          the function (bring-up, admin context, contexts) and
 *                   the backend operations libsdxi calls
 *   soft_iommu.c    the IOMMU: what each context's PASID may reach, and
 *                   the engine's memory accesses, which never fault
 *   soft_thread.c   the engine thread, the doorbell mailbox, interrupts
 *   soft_errlog.c   the error-log consumer (the driver's role)
 *   soft_window.c   windows between processes (exports, imports, and the
 *                   engine's accesses to another process's memory)
 *   soft_test.c     test hooks (fault injection, counters), built into
 *                   the test archive only
 *
 * Locking: the engine is not thread safe, so every call into it happens
 * under sd->lock, either in the engine thread or (admin operations) in the
 * caller.  Doorbells do not take the lock: they set the context's bit in a
 * mailbox and wake the engine thread if it sleeps.
 */
#ifndef LIBSDXI_SOFT_H
#define LIBSDXI_SOFT_H

#include "sdxie.h"

#include "internal.h"

#define SOFT_MAX_CXT		SDXIE_DEFAULT_MAX_CXT
#define SOFT_PASID_BASE		0x100
#define SOFT_ADMIN_ENTRIES	1024
#define SOFT_ERRLOG_ENTRIES	256
#define SOFT_AKEY_BYTES		4096		/* 256 entries: akey_sz 0 */
#define SOFT_ARENA_SIZE		(2u << 20)
#define SOFT_PAGE		4096u
#define SOFT_MAX_IMPORTS	64		/* window imports per device */
#define SOFT_WIN_PASID_BASE	0x1000		/* PASID of import i: base + i */
#define SOFT_WIN_AKEY_FIRST	4		/* first AKey index for imports */

struct soft_win_page;

/*
 * An import of a window (soft_window.c): the exporter's shared page, its
 * process, what is reachable, and where the context names it.
 * @slot: this import's entry in the page's importer table
 * @dead: revoked or the exporter is gone; the AKey entry was cleared
 */
struct soft_import {
	bool used;
	bool dead;
	uint32_t cxt_id;
	uint16_t akey;
	uint32_t slot;
	struct soft_win_page *page;
	int pidfd;
	pid_t pid;
	uint64_t base;
	uint64_t length;
	uint32_t rights;
};

/* A registered range of a context's address space. */
struct soft_map {
	uint64_t start;
	uint64_t end;
	uint32_t access;
};

/*
 * struct soft_cxt - one context of the software device
 * @own: the context's own regions (library memory), reachable through its PASID
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
	bool sva;			/* SVA: any application address, no maps */
	int efd;
	uint32_t nerr;
	struct sdxi_error last;
	_Atomic uint64_t doorbells;
};

/*
 * struct soft_dev - the software function
 * @db_bits: doorbell mailbox, one bit per context (lock free)
 * @wake: futex word of the engine thread
 * @sleeping: the engine thread is (about to be) asleep on @wake
 * @kicked: the engine asked to be run (state change, unstall)
 * @ctl_wait: callers waiting for @lock; the engine thread yields to them
 * @lock: serializes every engine call and all fields below it
 * @pid: this process, for the fault-free accesses to its memory
 * @mem_fd: /proc/self/mem when process_vm_readv() is not allowed, else -1
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
	pid_t pid;
	int mem_fd;
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
	uint32_t nimports;
	struct soft_import imp[SOFT_MAX_IMPORTS];
};

static inline uint64_t addr_of(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

static inline void *ptr_of(uint64_t a)
{
	return (void *)(uintptr_t)a;
}

static inline struct sdxi_cxt_sts *cxt_sts(const struct soft_cxt *sc)
{
	return (struct sdxi_cxt_sts *)((uint8_t *)sc->regs + SOFT_PAGE);
}

/* soft.c */
struct soft_dev *soft_of(struct sdxi_dev *dev);

/* soft_iommu.c */
struct soft_cxt *pasid_cxt(struct soft_dev *sd, uint32_t pasid);
int soft_mem_init(struct soft_dev *sd);
void soft_mem_fini(struct soft_dev *sd);
int soft_read(void *o, struct sdxie_as as, uint64_t addr, void *buf, uint64_t len);
int soft_write(void *o, struct sdxie_as as, uint64_t addr, const void *buf, uint64_t len);
void *soft_map_host(void *o, struct sdxie_as as, uint64_t addr, uint64_t *len, bool is_write,
		    int *status);
void soft_unmap_host(void *o, void *host, uint64_t len, bool is_write);
bool soft_pasid_usable(void *o, uint32_t pasid);
int soft_map(struct sdxi_dev *dev, struct sdxi_hwctx *hw, uint64_t va, uint64_t len,
	     unsigned int access, uint64_t *iova);
int soft_unmap(struct sdxi_dev *dev, struct sdxi_hwctx *hw, uint64_t va, uint64_t len);

/* soft_thread.c */
void ctl_lock(struct soft_dev *sd);
void ctl_unlock(struct soft_dev *sd);
int soft_thread_start(struct soft_dev *sd);
void soft_thread_stop(struct soft_dev *sd);
void soft_clear_doorbell(struct soft_dev *sd, uint32_t id);
bool soft_irq(void *o, unsigned int vector);
void soft_kick(void *o);

/* soft_window.c */
struct soft_import *soft_import_of(struct soft_dev *sd, uint32_t pasid);
int soft_remote_access(struct soft_dev *sd, struct soft_import *im, uint64_t addr, void *buf,
		       uint64_t len, bool write);
void soft_win_sweep(struct soft_dev *sd);
int soft_win_export(struct sdxi_dev *dev, struct sdxi_hwctx *hw, struct sdxi_window *w);
int soft_win_revoke(struct sdxi_dev *dev, struct sdxi_hwctx *hw, struct sdxi_window *w);
int soft_win_import(struct sdxi_dev *dev, struct sdxi_hwctx *hw, int fd, struct sdxi_remote *r);
void soft_win_unimport(struct sdxi_dev *dev, struct sdxi_hwctx *hw, struct sdxi_remote *r);

/* soft_errlog.c */
void errlog_process(struct soft_dev *sd);

#endif /* LIBSDXI_SOFT_H */
