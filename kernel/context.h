/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SDXI context layer (SDXI 1.0 3.2-3.7; Documentation/driver.rst, "Contexts").
 *
 * A context is an ID from the function's xarray, a published L1 entry and
 * CXT_CTL, an AKey table, and four regions the function reaches in the
 * context's own address space: the descriptor ring, CXT_STS, the write
 * index and a per-slot CST_BLK array.  Where those regions come from is
 * the creator's choice (struct sdxi_cxt_mem_ops): kernel users get
 * coherent DMA memory; a user-space context can supply pages it maps to
 * the process, with addresses in its PASID address space.  The kernel-side
 * submission API (struct sdxi_cxt_ring, ring.c) is only used on kernel-owned
 * rings.  This header declares the context layer's API (context.c); the
 * ring's is in ring.h, the admin context's operations in admin.h.
 */
#ifndef _SDXI_CONTEXT_H
#define _SDXI_CONTEXT_H

#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <linux/sdxi_hw.h>

#include "hwstruct.h"

struct sdxi_fn;
struct sdxi_cxt;

/* Default ring size of a kernel context. */
#define SDXI_CXT_DEFAULT_ENTRIES	SDXI_RING_MIN_ENTRIES

/* AKey table of a kernel context: one 4 KiB page (akey_sz = 0). */
#define SDXI_CXT_AKEY_ENTRIES		256

/* AKey entries a creator may install through &sdxi_cxt_params.akeys. */
#define SDXI_CXT_INIT_AKEYS		4

/**
 * enum sdxi_cxt_region - memory the function reaches in the context's
 * address space
 * @SDXI_CXT_RING: descriptor ring, entries x 64 bytes, 64-byte aligned
 * @SDXI_CXT_STS: CXT_STS, 16 bytes, written by the function
 * @SDXI_CXT_WRITE_INDEX: Write_Index, 8 bytes, written by the producer
 * @SDXI_CXT_CSB: per-slot CST_BLK array, entries x 32 bytes
 * @SDXI_CXT_NR_REGIONS: count
 *
 * CXT_STS and the write index must not share a cache line (hardware.rst,
 * "Bit layouts"); the kernel allocator gives each region its own pages.
 */
enum sdxi_cxt_region {
	SDXI_CXT_RING,
	SDXI_CXT_STS,
	SDXI_CXT_WRITE_INDEX,
	SDXI_CXT_CSB,
	SDXI_CXT_NR_REGIONS,
};

/**
 * struct sdxi_cxt_buf - one region of a context
 * @va: kernel mapping
 * @addr: address the function uses, in the context's address space
 * @size: bytes
 * @priv: allocator's cookie (e.g. the pages to map to user space)
 */
struct sdxi_cxt_buf {
	void *va;
	u64 addr;
	size_t size;
	void *priv;
};

/**
 * struct sdxi_cxt_mem_ops - where a context's regions come from
 * @alloc: allocate @size zeroed bytes for @region, suitably aligned, and
 *	   fill in @buf; return 0 or a negative errno
 * @free: release a region @alloc returned; only called once the function
 *	  can no longer reach it
 * @release: optional; called exactly once for every sdxi_cxt_create() given
 *	     these ops, with its &sdxi_cxt_params.mem_priv, once the context
 *	     layer is done with the memory source: when creation fails, or
 *	     when the context's regions have been freed (after a confirmed
 *	     stop, or, for a context that could not be quiesced, after the
 *	     function was stopped).  Tears down what the regions lived in
 *	     (PASID, domain, pinned memory).  Process context, no lock held.
 */
struct sdxi_cxt_mem_ops {
	int (*alloc)(struct sdxi_cxt *cxt, enum sdxi_cxt_region region,
		     size_t size, struct sdxi_cxt_buf *buf);
	void (*free)(struct sdxi_cxt *cxt, enum sdxi_cxt_region region,
		     struct sdxi_cxt_buf *buf);
	void (*release)(void *priv);
};

/**
 * struct sdxi_cxt_ops - notifications to a context's owner
 * @error: the function reported an error on this context (error-log
 *	   reaction "context stopped": it is in ERR_FN).  Atomic context.
 * @reset_begin: the context (or the whole function) was stopped for a
 *		 reset: the function no longer executes it, descriptors in
 *		 the ring are lost and the ring is about to be emptied.  Stop
 *		 submitting and fail what was in flight.  Process context,
 *		 with the context layer's lock held: must not call back.
 * @reset_done: the context runs again with an empty ring; the owner may
 *		submit again.  Same rules.
 */
struct sdxi_cxt_ops {
	void (*error)(struct sdxi_cxt *cxt, const struct sdxi_err_rec *rec);
	void (*reset_begin)(struct sdxi_cxt *cxt);
	void (*reset_done)(struct sdxi_cxt *cxt);
};

/**
 * struct sdxi_cxt_params - how to build a context
 * @ring_entries: ring size, >= 1024 and <= the CAP0 maximum; need not be
 *		  a power of two; 0 means SDXI_CXT_DEFAULT_ENTRIES
 * @pv: the ring, CXT_STS, write index and CST_BLKs are reached through
 *	@pasid (L1 pv = 1); their addresses come from @mem_ops
 * @pasid: PASID of the context's address space, with @pv
 * @mem_ops: region allocator; NULL for coherent kernel memory
 * @mem_priv: allocator's data, available as &sdxi_cxt.mem_priv
 * @akeys: AKey entries to install at indexes 0.. before publication
 * @nr_akeys: number of @akeys, <= SDXI_CXT_INIT_AKEYS
 * @ops: owner notifications, may be NULL
 * @owner: owner's data, available as &sdxi_cxt.owner
 * @owner_restarts: function recovery leaves the context stopped, ring
 *		    untouched, until the owner resets it (a ring that user
 *		    space fills cannot be emptied behind its back)
 * @user: created for user space: the context's own descriptors can write
 *	  its regions (CXT_STS, CST_BLKs), so nothing read from them decides
 *	  anything beyond the context; a failure on its behalf never
 *	  escalates to function recovery; the context structure is charged
 *	  to the caller's memory cgroup
 * @max_buffer: largest transfer of one descriptor in bytes (rounded down
 *		to a power of two, at least 2 MiB), 0 for the function's
 */
struct sdxi_cxt_params {
	u32 ring_entries;
	bool pv;
	bool owner_restarts;
	bool user;
	u64 max_buffer;
	u32 pasid;
	const struct sdxi_cxt_mem_ops *mem_ops;
	void *mem_priv;
	const struct sdxi_akey *akeys;
	unsigned int nr_akeys;
	const struct sdxi_cxt_ops *ops;
	void *owner;
};

/**
 * struct sdxi_cxt_ring - kernel-side producer state of a context's ring
 * @lock: guards @next and @tail (the index arithmetic only)
 * @next: next descriptor index to hand out; also the W last published
 * @tail: oldest index not yet retired by the owner (CST_BLK unread)
 * @entries: ring size N
 * @slots: the descriptor ring
 * @csbs: per-slot CST_BLKs, slot k mod N for descriptor k
 * @csbs_addr: address of @csbs in the context's address space
 * @write_index: Write_Index, read by the function
 * @sts: CXT_STS, written by the function
 * @wq: reservers waiting for space
 */
struct sdxi_cxt_ring {
	spinlock_t lock;		/* guards next, tail */
	u64 next;
	u64 tail;
	u32 entries;
	union sdxi_desc *slots;
	struct sdxi_cst_blk *csbs;
	u64 csbs_addr;
	__le64 *write_index;
	struct sdxi_cxt_sts *sts;
	wait_queue_head_t wq;
};

/**
 * struct sdxi_cxt - one SDXI context
 * @sdxi: its function
 * @id: context ID (0 is the admin context)
 * @pv: context address space is a PASID
 * @pasid: that PASID
 * @mem_ops: region allocator
 * @mem_priv: allocator's data
 * @ops: owner notifications
 * @owner: owner's data
 * @bufs: regions, by enum sdxi_cxt_region
 * @ctl: CXT_CTL (function address space)
 * @ctl_dma: its address
 * @akeys: AKey table (function address space)
 * @akeys_dma: its address
 * @db: doorbell register
 * @ring: producer state (kernel-owned rings)
 * @published: L1 entry written (must be rescinded before freeing)
 * @owner_restarts: see &sdxi_cxt_params.owner_restarts
 * @user: see &sdxi_cxt_params.user
 * @max_buffer_enc: L1 max_buffer of the context
 * @leak_node: in &sdxi_dev.leaked while the context could not be quiesced
 * @run: software wants the context running; recovery restarts it unless
 *	 @owner_restarts; &sdxi_dev.adm_lock
 * @dying: being destroyed; never restarted; &sdxi_dev.adm_lock
 * @in_reset: @ops->reset_begin was called and reset_done not yet
 * @err_lock: guards @last_err and @nr_errors
 * @last_err: last error the function logged for this context
 * @nr_errors: errors the function logged for this context
 */
struct sdxi_cxt {
	struct sdxi_fn *sdxi;
	u16 id;
	bool pv;
	bool owner_restarts;
	bool user;
	u8 max_buffer_enc;
	u32 pasid;
	const struct sdxi_cxt_mem_ops *mem_ops;
	void *mem_priv;
	const struct sdxi_cxt_ops *ops;
	void *owner;

	struct sdxi_cxt_buf bufs[SDXI_CXT_NR_REGIONS];
	struct sdxi_cxt_ctl *ctl;
	dma_addr_t ctl_dma;
	struct sdxi_akey_ent *akeys;
	dma_addr_t akeys_dma;
	void __iomem *db;
	struct sdxi_cxt_ring ring;

	struct list_head leak_node;
	bool published;
	bool run;
	bool dying;
	bool in_reset;

	spinlock_t err_lock;		/* guards last_err, nr_errors */
	struct sdxi_err_rec last_err;
	u64 nr_errors;
};

struct sdxi_cxt *sdxi_cxt_create(struct sdxi_fn *sdxi,
				 const struct sdxi_cxt_params *p);
void sdxi_cxt_destroy(struct sdxi_cxt *cxt);
int sdxi_cxt_start(struct sdxi_cxt *cxt);
int sdxi_cxt_reset(struct sdxi_cxt *cxt);
int sdxi_cxt_resume(struct sdxi_cxt *cxt);
u8 sdxi_cxt_hw_state(struct sdxi_cxt *cxt);
u64 sdxi_cxt_max_buffer(struct sdxi_fn *sdxi, u64 limit);
void sdxi_cxt_report_error(struct sdxi_cxt *cxt,
			   const struct sdxi_err_rec *rec);
void sdxi_cxts_report_fn_error(struct sdxi_fn *sdxi,
			       const struct sdxi_err_rec *rec);
bool sdxi_cxt_last_error(struct sdxi_cxt *cxt, struct sdxi_err_rec *rec);
unsigned int sdxi_cxt_count(struct sdxi_fn *sdxi);
int sdxi_admin_cxt_create(struct sdxi_fn *sdxi);
int sdxi_admin_cxt_prepare(struct sdxi_fn *sdxi);
void sdxi_cxts_reset_begin(struct sdxi_fn *sdxi);
int sdxi_cxts_restart(struct sdxi_fn *sdxi);
void sdxi_cxts_reset_done(struct sdxi_fn *sdxi);
void sdxi_cxts_take_leaked(struct sdxi_fn *sdxi, struct list_head *list);
void sdxi_cxts_free_leaked(struct sdxi_fn *sdxi, struct list_head *list);
void sdxi_cxt_free_all(struct sdxi_fn *sdxi);
int sdxi_cxt_set_akey(struct sdxi_cxt *cxt, u16 idx, const struct sdxi_akey *k);

#endif /* _SDXI_CONTEXT_H */
