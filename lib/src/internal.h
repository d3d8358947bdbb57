/* SPDX-License-Identifier: MIT */
/*
 * libsdxi internals: the objects behind the opaque handles and the
 * backend interface.  A device is either the kernel's /dev/sdxiN
 * (kdev.c) or the software device (soft.c); everything above the backend
 * (rings, registration, waiting, convenience) is shared.
 */
#ifndef LIBSDXI_INTERNAL_H
#define LIBSDXI_INTERNAL_H

#include <endian.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "sdxi.h"

#define SDXI_EXPORT	__attribute__((visibility("default")))

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define ALIGN_DOWN(x, a)	((x) & ~((uint64_t)(a) - 1))
#define ALIGN_UP(x, a)	(((x) + (uint64_t)(a) - 1) & ~((uint64_t)(a) - 1))

/* Busy-wait hint. */
#if defined(__x86_64__) || defined(__i386__)
#define cpu_relax()	__builtin_ia32_pause()
#elif defined(__aarch64__)
#define cpu_relax()	__asm__ __volatile__("yield" ::: "memory")
#else
#define cpu_relax()	__asm__ __volatile__("" ::: "memory")
#endif

/*
 * Index of the last of @n entries of @size bytes at @base, sorted by the
 * uint64_t at offset @off of each, whose key is <= @key; -1 if none.
 */
static inline long find_last_le(const void *base, size_t n, size_t size, size_t off,
				uint64_t key)
{
	long lo = 0, hi = (long)n - 1, best = -1;

	while (lo <= hi) {
		long mid = (lo + hi) / 2;
		uint64_t k;

		memcpy(&k, (const char *)base + (size_t)mid * size + off, sizeof(k));
		if (k <= key) {
			best = mid;
			lo = mid + 1;
		} else {
			hi = mid - 1;
		}
	}
	return best;
}

#define container_of(ptr, type, member) \
	((type *)(void *)((char *)(ptr) - offsetof(type, member)))

/*
 * What a backend returns when it creates a context: the mapped regions,
 * their device addresses and the keys.  Indexes in here are hardware
 * indexes (they restart at 0 on reset); the library adds ring.base.
 */
struct sdxi_hwctx {
	uint32_t id;			/* context ID */
	uint32_t pasid;
	uint32_t entries;		/* ring size in descriptors */
	uint16_t akey_data;
	uint16_t akey_intr;		/* 0xffff: no interrupts */
	union sdxi_desc *ring;
	uint64_t *wi;
	const struct sdxi_cxt_sts *sts;
	volatile uint64_t *db;		/* NULL for the software device */
	struct sdxi_cst_blk *csb;
	uint64_t csb_iova;
	bool identity;			/* registrations map IOVA == VA */
	bool sva;			/* SVA: every VA reachable, no registration */
	void *priv;			/* backend state of the context */
};

/* One decoded failure, with a hardware descriptor index. */
struct sdxi_hwerr {
	uint32_t count;			/* failures since create or reset */
	struct sdxi_error last;		/* valid if count > 0 */
};

struct sdxi_backend_ops {
	int (*info)(struct sdxi_dev *dev, struct sdxi_dev_info *info);
	int (*ctx_create)(struct sdxi_dev *dev, uint32_t entries, bool intr,
			  uint32_t mode, struct sdxi_hwctx *hw);
	void (*ctx_destroy)(struct sdxi_dev *dev, struct sdxi_hwctx *hw);
	int (*ctx_reset)(struct sdxi_dev *dev, struct sdxi_hwctx *hw);
	int (*ctx_errors)(struct sdxi_dev *dev, struct sdxi_hwctx *hw, struct sdxi_hwerr *e);
	int (*map)(struct sdxi_dev *dev, struct sdxi_hwctx *hw, uint64_t va, uint64_t len,
		   unsigned int access, uint64_t *iova);
	int (*unmap)(struct sdxi_dev *dev, struct sdxi_hwctx *hw, uint64_t va, uint64_t len);
	int (*set_eventfd)(struct sdxi_dev *dev, struct sdxi_hwctx *hw, int fd);
	void (*close)(struct sdxi_dev *dev);
	/* Windows (window.c): set the fields marked "backend" of @w or @r. */
	int (*win_export)(struct sdxi_dev *dev, struct sdxi_hwctx *hw, struct sdxi_window *w);
	int (*win_revoke)(struct sdxi_dev *dev, struct sdxi_hwctx *hw, struct sdxi_window *w);
	int (*win_import)(struct sdxi_dev *dev, struct sdxi_hwctx *hw, int fd,
			  struct sdxi_remote *r);
	void (*win_unimport)(struct sdxi_dev *dev, struct sdxi_hwctx *hw, struct sdxi_remote *r);
};

/*
 * Handle checks.  Every public call checks the magic of the handles it is
 * given; a handle that was closed or destroyed keeps a dead magic.  With
 * SDXI_DEBUG=1 in the environment when the device was opened, freed
 * handles are kept (never reused), so the check always catches the
 * misuse; otherwise using a freed handle is undefined, and the check a
 * best effort.  A misuse prints what happened and aborts.
 */
#define DEV_MAGIC	0x53445844u	/* "SDXD" */
#define CTX_MAGIC	0x53445843u	/* "SDXC" */
#define WIN_MAGIC	0x53445857u	/* "SDXW" */
#define REM_MAGIC	0x53445852u	/* "SDXR" */
#define DEAD_MAGIC	0xdeadd1e5u

/*
 * struct sdxi_dev - an open device
 * @magic: DEV_MAGIC, DEAD_MAGIC once freed
 * @ops: its backend
 * @lock: guards @refs, @closed and @pol
 * @refs: the opener's reference plus one per context
 * @closed: the opener called sdxi_dev_close()
 * @debug: SDXI_DEBUG=1: keep freed handles for the checks
 * @info: what sdxi_dev_info() reports
 * @pol: the device's offload policy, once decided (struct sdxi_policy)
 * @priv: backend state (struct soft_dev, struct kdev)
 */
struct sdxi_dev {
	uint32_t magic;
	const struct sdxi_backend_ops *ops;
	pthread_mutex_t lock;
	unsigned int refs;
	bool closed;
	bool debug;
	struct sdxi_dev_info info;
	struct sdxi_policy pol;
	void *priv;
};

/*
 * One device mapping of a context (a MAP_MEM range): [start, end) page
 * aligned, reachable at iova with access.  @holds counts the
 * registrations of the application (struct reg_hold) that use it; a
 * mapping no registration holds belongs to the cache.
 */
struct reg_map {
	uint64_t start;
	uint64_t end;
	uint64_t iova;
	uint32_t access;		/* SDXI_MEM_* */
	uint32_t holds;
};

/*
 * A registration the application holds, made by sdxi_mem_register() or
 * sdxi_mem_iova(): the exact bytes [start, end) it asked for.
 */
struct reg_hold {
	uint64_t start;
	uint64_t end;
	uint32_t access;		/* SDXI_MEM_* asked for */
	uint32_t flags;			/* HOLD_* */
};
#define HOLD_IOVA	(1u << 0)	/* made by sdxi_mem_iova() */

/*
 * Immutable snapshot of a context's registrations (RCU): the mappings,
 * sorted and disjoint, and the holds, sorted by start, with reach[k][i]
 * the largest end among holds 0..i that allow access k + 1 (so that
 * "is [a, b) inside one hold" is one binary search).
 */
struct reg_table {
	uint32_t nmap;
	uint32_t nhold;
	struct reg_map *map;
	struct reg_hold *hold;
	uint64_t *reach[3];
};

/* How tickets older than the last reset resolve. */
struct sdxi_reset_hist {
	uint64_t base;			/* tickets below this predate the reset */
	uint64_t ok_end;		/* tickets below this completed */
	uint64_t fail;			/* ticket that failed, or UINT64_MAX */
	uint64_t fail_batch;		/* ticket of the batch it was in, or UINT64_MAX */
	int fail_err;			/* its error */
};

/*
 * struct sdxi_ctx - a context
 * @ring: the fast-path view; first, so that sdxi__ring() is a cast
 * @dev: its device (holds a reference)
 * @hw: what the backend set up
 * @flags: SDXI_CTX_* it was created with
 * @efd: eventfd for completion interrupts, or -1
 * @reg_lock: serializes registration changes (readers use RCU)
 * @regs: current registration table (rcu_dereference it)
 * @chunk: registration-cache chunk size
 * @hits: lookups served (not counted on shared contexts)
 * @misses: lookups that registered memory (under @reg_lock)
 * @pat_mem/@pat_bytes: fill pattern blocks (mapped READ for the device)
 * @err_lock: guards @fail and @hist
 * @fail_known: @fail holds the failure of the current run
 * @fail: that failure (hardware index)
 * @hist: resolution of tickets before the last reset
 * @intr_hw: hardware index + 1 of the newest interrupt descriptor
 * @magic: CTX_MAGIC, DEAD_MAGIC once destroyed
 * @pol_lock: serializes deciding @pol
 * @pol: the offload policy (ring.cpu_below is its fast-path copy)
 * @win_lock: guards @windows and @remotes
 * @windows: windows exported from this context, not closed yet
 * @remotes: imports into this context, not closed yet
 */
struct sdxi_ctx {
	struct sdxi_ring ring;
	uint32_t magic;
	struct sdxi_dev *dev;
	struct sdxi_hwctx hw;
	uint32_t flags;
	int efd;

	pthread_mutex_t reg_lock;
	struct reg_table *regs;
	uint64_t chunk;
	uint64_t hits;
	uint64_t misses;

	void *pat_mem;
	size_t pat_bytes;

	pthread_mutex_t err_lock;
	bool fail_known;
	struct sdxi_error fail;
	struct sdxi_reset_hist hist;

	_Atomic uint64_t intr_hw;

	pthread_mutex_t pol_lock;
	struct sdxi_policy pol;

	pthread_mutex_t win_lock;
	struct sdxi_window *windows;
	struct sdxi_remote *remotes;
};

/*
 * struct sdxi_window - an exported range (window.c)
 * @va/@len/@rights: what importers reach
 * @fd: the window descriptor (backend)
 * @id: the device's window ID (backend)
 * @priv: backend state
 * @revoked: revoked already (by sdxi_mem_unregister())
 */
struct sdxi_window {
	uint32_t magic;
	bool revoked;
	struct sdxi_ctx *ctx;
	struct sdxi_window *next;
	uint64_t va;
	uint64_t len;
	uint32_t rights;
	int fd;
	uint32_t id;
	void *priv;
};

/*
 * struct sdxi_remote - an import (window.c); @base, @length, @rights,
 * @akey and @priv are set by the backend.
 */
struct sdxi_remote {
	uint32_t magic;
	struct sdxi_ctx *ctx;
	struct sdxi_remote *next;
	uint64_t base;
	uint64_t length;
	uint32_t rights;
	uint16_t akey;
	void *priv;
};

/* window.c */
void window_ctx_init(struct sdxi_ctx *ctx);
void window_ctx_fini(struct sdxi_ctx *ctx);
void window_revoke_range(struct sdxi_ctx *ctx, uint64_t va, uint64_t end);

static inline struct sdxi_ctx *ring_ctx(struct sdxi_ring *r)
{
	return (struct sdxi_ctx *)(void *)r;
}

static inline uint64_t ctx_tail(struct sdxi_ctx *ctx)
{
	return __atomic_load_n(&ctx->ring.tail, __ATOMIC_RELAXED);
}

static inline uint64_t ctx_read_index(struct sdxi_ctx *ctx)
{
	return le64toh(__atomic_load_n(&ctx->ring.sts->read_index, __ATOMIC_ACQUIRE));
}

static inline uint8_t ctx_state(struct sdxi_ctx *ctx)
{
	return __atomic_load_n(&ctx->ring.sts->state, __ATOMIC_RELAXED) & SDXI_CXT_STS_STATE;
}

/* memops.c: the software device's memcpy(), memmove(), memset() (lib.mk) */
void *sdxi__memcpy(void *dst, const void *src, size_t n);
void *sdxi__memmove(void *dst, const void *src, size_t n);
void *sdxi__memset(void *dst, int c, size_t n);

/* handle.c */
void dev_misuse(const struct sdxi_dev *dev, const char *call) __attribute__((noreturn, cold));
void ctx_misuse(const struct sdxi_ctx *ctx, const char *call) __attribute__((noreturn, cold));
/* A window or import handle (@what) that is not live. */
void handle_misuse(const void *h, const char *what, const char *call)
	__attribute__((noreturn, cold));

/* Abort with a message unless @dev is an open device (the opener's handle). */
static inline void dev_check(const struct sdxi_dev *dev, const char *call)
{
	if (__builtin_expect(dev->magic != DEV_MAGIC || dev->closed, 0))
		dev_misuse(dev, call);
}

/* Abort with a message unless @ctx is a live context. */
static inline void ctx_check(const struct sdxi_ctx *ctx, const char *call)
{
	if (__builtin_expect(ctx->magic != CTX_MAGIC, 0))
		ctx_misuse(ctx, call);
}

/* ctx.c */
void *map_guarded(size_t bytes);
void unmap_guarded(void *p, size_t bytes);

/* dev.c */
struct sdxi_dev *dev_alloc(const struct sdxi_backend_ops *ops, void *priv);
void dev_get(struct sdxi_dev *dev);
void dev_put(struct sdxi_dev *dev);
int dev_list_at(const char *sysfs, struct sdxi_dev_info *infos, unsigned int max);

/* policy.c */
void policy_init(struct sdxi_ctx *ctx);
bool policy_cpu(struct sdxi_ctx *ctx, uint64_t n);
void policy_fit(uint64_t small, uint64_t ts, uint64_t large, uint64_t tl, uint64_t tc,
		struct sdxi_policy *p);

/* error.c */
int error_errno(unsigned int reason);
void error_decode(const struct sdxi_errlog_ent *ent, struct sdxi_error *out);

/* ring.c */
bool ctx_removed(struct sdxi_ctx *ctx);
int ctx_failure(struct sdxi_ctx *ctx, struct sdxi_error *out);
int ctx_quiesce(struct sdxi_ctx *ctx);
int ring_submit_intr(struct sdxi_ctx *ctx);
uint64_t ring_done(struct sdxi_ctx *ctx);
uint64_t batch_ticket_of(struct sdxi_ctx *ctx, uint64_t ticket);
uint64_t now_ns(void);

/* regtable.c: the RCU snapshot and lookups in it */
void rcu_reader(void);
void reg_rcu_lock(void);
void reg_rcu_unlock(void);
long reg_map_find(const struct reg_table *t, uint64_t va);
int reg_lookup(struct sdxi_ctx *ctx, uint64_t va, uint64_t len, unsigned int access,
	       uint64_t *iova);
int hold_lookup(struct sdxi_ctx *ctx, const struct reg_table *t, uint64_t va, uint64_t len,
		unsigned int access, uint64_t *iova);
int hold_lookup_rcu(struct sdxi_ctx *ctx, uint64_t va, uint64_t len, unsigned int access,
		    uint64_t *iova);
int reg_init(struct sdxi_ctx *ctx, uint32_t cache_shift);
void reg_fini(struct sdxi_ctx *ctx);

/*
 * A table being changed under reg_lock: growable copies of the arrays,
 * published as a new snapshot by draft_publish().
 */
struct reg_draft {
	struct reg_map *map;
	uint32_t nmap, cap_map;
	struct reg_hold *hold;
	uint32_t nhold, cap_hold;
};
int draft_init(struct reg_draft *d, const struct reg_table *t);
void draft_free(struct reg_draft *d);
int draft_add_map(struct reg_draft *d, const struct reg_map *m);
int draft_add_hold(struct reg_draft *d, const struct reg_hold *h);
int draft_publish(struct sdxi_ctx *ctx, struct reg_draft *d);
int map_device(struct sdxi_ctx *ctx, uint64_t va, uint64_t len, unsigned int access,
	       struct reg_map *out);
void unmap_device(struct sdxi_ctx *ctx, const struct reg_map *m, uint32_t n);

/* vma.c: what the process has mapped at an address */
struct vma {
	uint64_t start, end;
	bool read, write, shared;
};
/* A descriptor for vma_find() (-1 is fine: then the text is scanned). */
int vma_open(void);
/* The mapping covering @addr: 0, -ENOENT, or -errno. */
int vma_find(int fd, uint64_t addr, struct vma *v);
/*
 * The run of contiguous private mappings with the same access around
 * @addr, followed until it reaches @floor and @ceil (or 64 mappings each
 * way): 0 with [*lo, *hi) and *writable, or -EFAULT when @addr is not
 * mapped readable.
 */
int vma_run(uint64_t addr, uint64_t floor, uint64_t ceil, uint64_t *lo, uint64_t *hi,
	    bool *writable);

/* cache.c: the registration cache (mappings for the convenience layer) */
int reg_fill(struct sdxi_ctx *ctx, uint64_t va, uint64_t len, unsigned int access);

/* soft.c */
extern const struct sdxi_backend_ops soft_ops;
int soft_open(struct sdxi_dev **devp, const char *props);
void soft_doorbell(struct sdxi_hwctx *hw);

/* kdev.c */
extern const struct sdxi_backend_ops kdev_ops;
int kdev_open(const char *path, struct sdxi_dev **devp);
int kdev_probe(const char *path, struct sdxi_dev_info *info);

#endif /* LIBSDXI_INTERNAL_H */
