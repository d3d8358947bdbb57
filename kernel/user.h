/* SPDX-License-Identifier: GPL-2.0 */
/*
 * /dev/sdxiN: user-mapped contexts (Documentation/uapi.rst).
 *
 * cdev.c owns the character device, user_file.c the open files,
 * user_context.c the contexts, user_ioctl.c the ioctls, user_mmap.c the
 * mappings, user_events.c poll() and read(), user_debugfs.c debugfs;
 * mem.c owns what the function reaches on a user context's behalf:
 * the context's PASID and private IOMMU domain, the context's own regions
 * (ring, CXT_STS, write index, CST_BLK array) mapped into that domain at
 * kernel-chosen IOVAs, pinned user memory at IOVA == VA and imported
 * dma-bufs.
 *
 * quota.c owns the limits: what each open file and each user (uid) may
 * hold on a function, charged before anything is allocated.
 *
 * window.c owns windows: ranges of one context's registrations that
 * contexts of other processes reach through an AKey, with a PASID and
 * domain of the window's own (Documentation/uapi.rst "Windows").
 *
 * Object lifetimes:
 *   sdxi_udev   one per function; a struct device (refcounted): the
 *		 function's teardown drops its reference, every open file
 *		 and every user context holds one, so both outlive the
 *		 function safely.
 *   sdxi_ufile  one per open(); refcounted: by the open file until its
 *		 final close (mappings hold the file, so that is after the
 *		 last munmap), and briefly by an administrator's reset of
 *		 one of its contexts (the reset_context attribute).
 *   sdxi_uctx   one per CREATE_CONTEXT, refcounted (kref): by the file's
 *		 xarray until DESTROY or close, by each VMA, and by the
 *		 context layer until it releases the context's memory
 *		 source (sdxi_uctx_release()), which for a context that could
 *		 not be quiesced is only after the function stopped.  So
 *		 everything the function may still reach for the context
 *		 (PASID, domain, pins, dma-buf imports, vector, charges) goes
 *		 at one time, and nothing reachable is freed before.
 *   sdxi_uacct  what a file or a user holds (quota.c), refcounted by its
 *		 file or files and by every context charged to it.
 */
#ifndef _SDXI_USER_H
#define _SDXI_USER_H

#include <linux/cdev.h>
#include <linux/cleanup.h>
#include <linux/device.h>
#include <linux/err.h>
#include <linux/interval_tree.h>
#include <linux/kref.h>
#include <linux/refcount.h>
#include <linux/rwsem.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/uidgid.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>

#include "context.h"
#include "hwstruct.h"

struct sdxi_fn;
struct sdxi_cxt;
struct sdxi_uctx;
struct sdxi_usva;

/*
 * IOVA window where the kernel maps a user context's own regions, the same
 * in every context's private domain: far above the user VAs a process
 * normally has (x86-64 user space ends below 2^47) yet within a 48-bit
 * IOVA space.  Ring at +0 (<= 1 GiB), CST_BLK array at +1 GiB (<= 512
 * MiB), CXT_STS at +2 GiB, write index at +2 GiB + 64 KiB; the unmapped
 * gaps fault.
 */
#define SDXI_UIOVA_BASE		0x200000000000ULL
#define SDXI_UIOVA_SIZE		SZ_4G

/* mmap offset of region @r of context @id: id << 36 | r << 32. */
#define SDXI_UOFF_ID_SHIFT	36
#define SDXI_UOFF_REGION_SHIFT	32
#define SDXI_UOFF(id, r)	(((u64)(id) << SDXI_UOFF_ID_SHIFT) | \
				 ((u64)(r) << SDXI_UOFF_REGION_SHIFT))
/* The doorbell follows the four enum sdxi_cxt_region regions. */
#define SDXI_UREGION_DB		4
#define SDXI_UREGIONS		5

/* Error records a user context keeps for CONTEXT_STATUS. */
#define SDXI_UCTX_ERR_RECORDS	16

/* AKey indexes of a user context (CREATE_CONTEXT out_akey_*). */
#define SDXI_UAKEY_DATA		0
#define SDXI_UAKEY_INTR		1
#define SDXI_UAKEY_NONE		0xffff

/**
 * struct sdxi_ustats - device-wide user-context counters (sysfs)
 * @contexts: user contexts whose resources are held (created and not yet
 *	      released, including contexts that could not be quiesced)
 * @pasids: PASIDs allocated for them
 * @pinned_pages: user pages pinned by MAP_MEM
 * @dmabufs: dma-buf imports (MAP_DMABUF)
 * @files: open files
 * @windows: windows exported and not yet revoked (window.c)
 * @imports: window imports held by contexts (window.c)
 */
struct sdxi_ustats {
	atomic_t contexts;
	atomic_t pasids;
	atomic64_t pinned_pages;
	atomic_t dmabufs;
	atomic_t files;
	atomic_t windows;
	atomic_t imports;
};

/**
 * enum sdxi_ures - what user contexts are limited in (quota.c)
 * @SDXI_URES_CONTEXTS: contexts (each also holds a PASID)
 * @SDXI_URES_VECTORS: MSI-X vectors (contexts with SDXI_CTX_F_INTERRUPT)
 * @SDXI_URES_PINNED: bytes pinned by MAP_MEM
 * @SDXI_URES_IMPORTED: bytes imported by MAP_DMABUF
 * @SDXI_URES_NR: count
 */
enum sdxi_ures {
	SDXI_URES_CONTEXTS,
	SDXI_URES_VECTORS,
	SDXI_URES_PINNED,
	SDXI_URES_IMPORTED,
	SDXI_URES_NR,
};

/**
 * struct sdxi_uacct - what one open file, or one user, holds on a function
 * @ref: the file (or the user's open files) and each context charged to it
 * @uid: the user, for a user's account
 * @user: a user's account (in &sdxi_udev.users), not a file's
 * @use: amounts held, by enum sdxi_ures; &sdxi_udev.acct_lock
 */
struct sdxi_uacct {
	refcount_t ref;
	kuid_t uid;
	bool user;
	u64 use[SDXI_URES_NR];
};

/**
 * struct sdxi_udev - the /dev/sdxiN of one function
 * @dev: the class device; its release frees this structure
 * @cdev: the character device
 * @rwsem: guards @sdxi: held for reading while a file works on the
 *	   function (never across a user-memory access or a page pin),
 *	   for writing by device removal
 * @sdxi: the function, NULL once it was removed
 * @inode: shared address space of every open file, so that revocation
 *	   (unmap_mapping_range()) reaches every mapping whatever node the
 *	   file was opened through
 * @files: open files (&sdxi_ufile.node); @files_lock, or @rwsem held
 *	   for writing
 * @files_lock: guards @files for open() and release(), which hold @rwsem
 *		for reading
 * @isolated: the function sits behind a PASID-capable IOMMU
 * @stats: counters
 * @debugfs: debugfs directory
 * @attach_lock: guards @attachments and their user counts
 * @attachments: dma-buf attachments (&sdxi_uattach.node)
 * @acct_lock: guards the amounts of every account of this function and
 *	       @use
 * @use: amounts held by all user contexts, by enum sdxi_ures
 * @users: per-user accounts (&struct sdxi_uacct), by uid; the xarray's
 *	   lock guards lookups and the last put
 * @win_lock: guards every window's exporter and import list and every
 *	      context's imports (window.c); taken under a file's lock
 */
struct sdxi_udev {
	struct device dev;
	struct cdev cdev;
	struct rw_semaphore rwsem;	/* guards sdxi, files */
	struct sdxi_fn *sdxi;
	struct inode *inode;
	struct list_head files;
	struct mutex files_lock;	/* guards files for open/release */
	bool isolated;
	struct sdxi_ustats stats;
	struct dentry *debugfs;
	struct mutex attach_lock;	/* guards attachments */
	struct list_head attachments;
	spinlock_t acct_lock;		/* guards account amounts, use */
	u64 use[SDXI_URES_NR];
	struct xarray users;
	struct mutex win_lock;		/* guards windows and imports */
};

/**
 * struct sdxi_uattach - the function's attachment to one dma-buf, shared
 *			 by every import of that buffer (mem.c)
 * @node: in &sdxi_udev.attachments
 * @users: imports using it; &sdxi_udev.attach_lock
 * @dmabuf: the buffer (a reference)
 * @attach: the dynamic attachment; its importer_priv is this structure
 * @maps: the imports (&sdxi_umap.ua_node); the buffer's reservation lock
 * @sgt: the attachment's mapping while any import is mapped; an exporter
 *	 may hand out one table per attachment (the system heap does), so
 *	 the attachment is mapped once and its imports share it;
 *	 reservation lock
 * @nmapped: imports mapped from @sgt; reservation lock
 */
struct sdxi_uattach {
	struct list_head node;
	unsigned int users;
	struct dma_buf *dmabuf;
	struct dma_buf_attachment *attach;
	struct list_head maps;
	struct sg_table *sgt;
	unsigned int nmapped;
};

/**
 * struct sdxi_ufile - one open file
 * @ref: the open file, and an administrator's reset in progress
 * @udev: its device
 * @mm: the opener's address space; ioctls, mmap and faults from another
 *	are refused
 * @pid: the opener's thread group
 * @facct: the file's account
 * @uacct: the opener's (real uid) account
 * @node: in &sdxi_udev.files
 * @lock: guards @cxts and the contexts' registrations and state; never
 *	  held across a user-memory access or a page pin, nor taken under
 *	  mmap_lock (PASID attach and detach under it drain page requests,
 *	  whose handlers take mmap_lock): mmap() looks contexts up under the
 *	  xarray's lock
 * @cxts: context ID -> &struct sdxi_uctx
 * @wq: poll() and read() waiters
 * @events: completion interrupts not yet read()
 * @nr_in_error: contexts with &sdxi_uctx.in_error set
 */
struct sdxi_ufile {
	refcount_t ref;
	struct sdxi_udev *udev;
	struct mm_struct *mm;
	pid_t pid;
	struct sdxi_uacct *facct;
	struct sdxi_uacct *uacct;
	struct list_head node;
	struct mutex lock;		/* guards cxts, registrations */
	struct xarray cxts;
	wait_queue_head_t wq;
	atomic64_t events;
	atomic_t nr_in_error;
};

/**
 * enum sdxi_umap_kind - what a registration maps
 * @SDXI_UMAP_MEM: pinned user pages (MAP_MEM)
 * @SDXI_UMAP_DMABUF: an imported dma-buf (MAP_DMABUF)
 */
enum sdxi_umap_kind {
	SDXI_UMAP_MEM,
	SDXI_UMAP_DMABUF,
};

/**
 * struct sdxi_umap - one registration in a context's address space
 * @it: IOVA range [start, last], in &sdxi_uctx.maps
 * @kind: enum sdxi_umap_kind
 * @prot: IOMMU_READ / IOMMU_WRITE
 * @u: its context
 * @len: bytes charged (MAP_MEM pinned, MAP_DMABUF imported)
 * @pages: MAP_MEM: the pinned pages
 * @npages: MAP_MEM: their number
 * @ua: MAP_DMABUF: the shared attachment (one user)
 * @ua_node: MAP_DMABUF: in &sdxi_uattach.maps
 * @dmabuf: MAP_DMABUF: @ua's buffer
 * @attach: MAP_DMABUF: @ua's dynamic attachment
 * @offset: MAP_DMABUF: offset into the buffer
 * @mapped: MAP_DMABUF: the range is mapped in the domain; dma-buf
 *	    reservation lock
 * @dead: MAP_DMABUF: being unmapped, never map again; reservation lock
 * @remap: MAP_DMABUF: re-establishes the mapping after a move
 */
struct sdxi_umap {
	struct interval_tree_node it;
	enum sdxi_umap_kind kind;
	int prot;
	struct sdxi_uctx *u;
	u64 len;
	struct page **pages;
	unsigned long npages;
	struct sdxi_uattach *ua;
	struct list_head ua_node;
	struct dma_buf *dmabuf;
	struct dma_buf_attachment *attach;
	u64 offset;
	bool mapped;
	bool dead;
	struct work_struct remap;
};

/**
 * struct sdxi_uctx - one user context
 * @ref: the file's xarray, each VMA and the context layer (until
 *	 sdxi_uctx_release()) hold a reference
 * @uf: its file; only used while the context is in the file's xarray
 * @ud: its device (a reference)
 * @dev: the function's bus device
 * @mm: the opener's address space (mmgrab()ed), charged for pins
 * @facct: the file's account (a reference)
 * @uacct: the user's account (a reference)
 * @cxt: the context-layer context
 * @id: context ID
 * @entries: ring size
 * @isolated: PASID + private domain (else no IOMMU, unsafe mode)
 * @pasid: its PASID, with @isolated
 * @dom: its private domain, NULL once detached
 * @maps: registrations (struct sdxi_umap), &sdxi_ufile.lock
 * @pinned_pages: pages pinned by its registrations
 * @imported: bytes of dma-buf imported by its registrations
 * @vector: its MSI-X vector, or 0
 * @irq: Linux IRQ of @vector
 * @ev_lock: guards @ev
 * @ev: eventfd signalled on completion interrupts, or NULL
 * @map_rwsem: guards @dead and @removed against the mmap fault handler
 * @dead: revoked: faults get SIGBUS, unless @removed
 * @removed: revoked because the function is going away: faults map
 *	     @scratch
 * @scratch: per region, the page shown after removal (allocated on the
 *	     first such fault, freed with the structure)
 * @db_pfn: first page frame of the context's doorbell window
 * @err_lock: guards the error fields below
 * @errs: the most recent error records, a ring
 * @nr_errs: records since creation or the last reset
 * @in_error: an error (or a function recovery) stopped the context;
 *	      cleared by RESET_CONTEXT
 * @intrs: completion interrupts
 * @completed_base: descriptors taken (read index) before the last reset
 * @debugfs: its debugfs file
 * @windows: windows it exports (&struct sdxi_window); &sdxi_ufile.lock
 *	     and &sdxi_udev.win_lock
 * @next_window_id: ID of its next window; &sdxi_ufile.lock
 * @imports: windows imported into it (&struct sdxi_wimport);
 *	     &sdxi_udev.win_lock
 * @import_akeys: AKey indexes taken by @imports (also revoked ones not yet
 *		  unimported); &sdxi_udev.win_lock
 * @sva: SVA context (SDXI_ISOLATION_SVA): the bond of @mm with the
 *	 function, whose PASID the data AKey carries; NULL otherwise.  The
 *	 regions stay in @dom under @pasid.  Given back with the rest, once
 *	 the function can no longer reach the context (sdxi_user_as_release())
 * @sva_pasid: the PASID of @mm, with @sva
 */
struct sdxi_uctx {
	struct kref ref;
	struct sdxi_ufile *uf;
	struct sdxi_udev *ud;
	struct device *dev;
	struct mm_struct *mm;
	struct sdxi_uacct *facct;
	struct sdxi_uacct *uacct;
	struct sdxi_cxt *cxt;
	u16 id;
	u32 entries;
	bool isolated;
	u32 pasid;
	struct iommu_domain *dom;
	struct rb_root_cached maps;
	unsigned long pinned_pages;
	u64 imported;
	unsigned int vector;
	int irq;
	spinlock_t ev_lock;		/* guards ev */
	struct eventfd_ctx *ev;
	struct rw_semaphore map_rwsem;	/* guards dead, removed */
	bool dead;
	bool removed;
	struct page *scratch[SDXI_UREGIONS];
	unsigned long db_pfn;
	spinlock_t err_lock;		/* guards errs, nr_errs, in_error */
	struct sdxi_err_rec errs[SDXI_UCTX_ERR_RECORDS];
	u32 nr_errs;
	bool in_error;
	atomic64_t intrs;
	u64 completed_base;
	struct dentry *debugfs;
	struct list_head windows;
	u32 next_window_id;
	struct list_head imports;
	DECLARE_BITMAP(import_akeys, SDXI_CXT_AKEY_ENTRIES);
	struct sdxi_usva *sva;
	u32 sva_pasid;
};

#endif /* _SDXI_USER_H */
