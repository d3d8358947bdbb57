/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The function layer (function.c; Documentation/driver.rst, "Layers"): the
 * bus-agnostic function object, its register access, state machine,
 * tables, interrupt-vector allocator and the recovery request.
 *
 * Bus glue (pci.c) fills in struct sdxi_bus_ops and calls sdxi_register()
 * (device.h); everything else is reached through struct sdxi_fn.
 */
#ifndef _SDXI_H
#define _SDXI_H

#include <linux/atomic.h>
#include <linux/device.h>
#include <linux/io.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>
#include <linux/sdxi_hw.h>
#include <sdxi/function.h>

#define SDXI_DRV_NAME			"sdxi"

/*
 * Bounded waits (driver.rst, "Bounded waits").  Function state transitions and
 * admin descriptors complete asynchronously; AMD polls for up to 1 s on
 * silicon.  Our function is emulated (TCG, on a possibly loaded host), so
 * we allow 2 s before declaring it wedged.  A soft stop only waits for the
 * descriptor in flight, so it gets a shorter budget before escalating to
 * a hard stop.
 */
#define SDXI_FN_TIMEOUT_US		(2000 * USEC_PER_MSEC)
#define SDXI_SOFT_STOP_TIMEOUT_US	(250 * USEC_PER_MSEC)
#define SDXI_FN_POLL_US			100
#define SDXI_ADMIN_TIMEOUT_MS		2000

/* Error-log entries we ask for (64 per ERR_CFG.sz unit), capped by CAP1. */
#define SDXI_ERRLOG_ENTRIES		256

/* Ring size of the admin context: the architectural minimum. */
#define SDXI_ADMIN_RING_ENTRIES		SDXI_RING_MIN_ENTRIES

struct sdxi_fn;
struct sdxi_cxt;
struct sdxi_dma;
struct sdxi_udev;
struct dentry;

/**
 * struct sdxi_bus_ops - what the core needs from the bus glue
 * @init: map the register and doorbell regions, set the DMA mask and
 *	  allocate interrupt vectors (vector 0 is the error log), filling in
 *	  the corresponding &struct sdxi_fn fields.  Resources are managed
 *	  (devres) and outlive the core's own teardown.
 * @get_irq: Linux IRQ number of an interrupt vector, or a negative errno
 */
struct sdxi_bus_ops {
	int (*init)(struct sdxi_fn *sdxi);
	int (*get_irq)(struct sdxi_fn *sdxi, unsigned int vector);
};

/**
 * enum sdxi_dev_state - driver view of the function (Documentation/driver.rst)
 * @SDXI_DEV_DOWN: not activated yet
 * @SDXI_DEV_ACTIVE: function active, admin context usable
 * @SDXI_DEV_RECOVERING: function being stopped/reset and re-activated
 * @SDXI_DEV_FAILED: the last recovery failed; retried with backoff
 * @SDXI_DEV_REMOVED: torn down; nothing touches the function any more
 */
enum sdxi_dev_state {
	SDXI_DEV_DOWN,
	SDXI_DEV_ACTIVE,
	SDXI_DEV_RECOVERING,
	SDXI_DEV_FAILED,
	SDXI_DEV_REMOVED,
};

/**
 * struct sdxi_l1_table - one context L1 table (SDXI 1.0 3.2, Table 3-3)
 * @ents: 128 entries, 4 KiB, coherent
 * @dma: its address in the function address space
 */
struct sdxi_l1_table {
	struct sdxi_cxt_l1_ent *ents;
	dma_addr_t dma;
};

/**
 * struct sdxi_stats - event counters exported through sysfs
 * @errlog_entries: error-log entries decoded
 * @cxt_errors: entries with reaction "context stopped"
 * @fn_errors: function errors (log reaction 2 or STS0 in ERROR)
 * @errlog_overflows: times ERR_STS.ovf reported lost entries
 * @errlog_failures: times ERR_STS.err reported a failed log write
 * @admin_timeouts: admin descriptors that did not complete in time
 * @dsc_errors: dmaengine copies whose CST_BLK reported an error
 * @dma_aborted: dmaengine copies aborted (terminate, reset, recovery)
 * @recoveries: successful function recoveries
 * @recovery_failures: failed recovery attempts
 */
struct sdxi_stats {
	atomic64_t errlog_entries;
	atomic64_t cxt_errors;
	atomic64_t fn_errors;
	atomic64_t errlog_overflows;
	atomic64_t errlog_failures;
	atomic64_t admin_timeouts;
	atomic64_t dsc_errors;
	atomic64_t dma_aborted;
	atomic64_t recoveries;
	atomic64_t recovery_failures;
};

/**
 * struct sdxi_fn - one SDXI function
 * @dev: the bus device; devres and DMA mappings hang off it
 * @bus_ops: bus glue
 * @ctl_regs: BAR0 control registers
 * @dbs: BAR2 doorbell region
 * @dbs_len: length of @dbs
 * @dbs_phys: bus address of @dbs (user doorbell mappings)
 * @nr_vectors: interrupt vectors allocated by the bus glue
 * @vec_lock: guards @vec_used
 * @vec_used: vectors handed out, bit n = vector n (bit 0: the error log)
 * @kernel_cxts: contexts kept for the kernel's own users (the dmaengine
 *		 channels): user contexts get at most @max_cxt minus these
 * @cap0: MMIO_CAP0 as read at probe
 * @cap1: MMIO_CAP1 as read at probe
 * @ver_major: MMIO_VERSION major
 * @ver_minor: MMIO_VERSION minor
 * @db_stride: doorbell stride in bytes
 * @max_ring_entries: largest ring the function accepts
 * @max_buffer_enc: CTL2.max_buffer we program (2^(n+21) bytes)
 * @max_buffer: the same in bytes
 * @max_akey_enc: CTL2.max_akey_sz we program
 * @max_cxt: CTL2.max_cxt we program: highest context ID in use
 * @opb: CTL2.opb_000_avl we program
 * @l2_table: context L2 table, 4 KiB, coherent
 * @l2_dma: its address
 * @l1: L1 tables by L2 index, allocated on demand
 * @tbl_lock: guards @l1 allocation and L2 entry publication
 * @cxts: context ID -> &struct sdxi_cxt (admin context at 0); IDs of
 *	  client contexts are allocated here; stores and erases of
 *	  contexts happen under @adm_lock
 * @nr_client_ids: client context IDs allocated (reserved ones included)
 * @admin: the admin context (ID 0)
 * @adm_lock: serializes the admin ring, every context state change and
 *	      function recovery
 * @admin_up: the admin context is running (function ACTIVE); @adm_lock
 * @state: enum sdxi_dev_state; written under @adm_lock, read locklessly
 * @reset_epoch: bumped each time recovery has brought the function to
 *		 STOP; lets a caller tell that a wedged context was quiesced
 * @fn_stopped: the function is known to be in STOP (a stop succeeded and
 *		no activation followed); @adm_lock
 * @leaked: contexts that could not be quiesced, held whole until the
 *	    function is next stopped (&sdxi_cxt.leak_node); @adm_lock
 * @nr_leaked: their number (sysfs)
 * @errlog: error log, coherent
 * @errlog_dma: its address
 * @errlog_entries: its size in entries
 * @errlog_rd: software read index (ERR_RD)
 * @errlog_lock: serializes error-log processing and (re)initialization
 * @recover_work: function recovery; its work function is the recovery
 *		  layer's (device.c), queued through sdxi_fn_request_recovery()
 * @recover_pending: a recovery has been requested and has not started
 * @recover_delay_ms: backoff before the next retry after a failure
 * @stats: counters
 * @dma: dmaengine provider, NULL until registered
 * @udev: /dev/sdxiN, NULL until registered
 */
struct sdxi_fn {
	struct device *dev;
	const struct sdxi_bus_ops *bus_ops;
	void __iomem *ctl_regs;
	void __iomem *dbs;
	resource_size_t dbs_len;
	phys_addr_t dbs_phys;
	unsigned int nr_vectors;
	spinlock_t vec_lock;		/* guards vec_used */
	unsigned long *vec_used;
	unsigned int kernel_cxts;

	u64 cap0;
	u64 cap1;
	u8 ver_major;
	u8 ver_minor;
	u32 db_stride;
	u32 max_ring_entries;
	u8 max_buffer_enc;
	u64 max_buffer;
	u8 max_akey_enc;
	u16 max_cxt;
	u32 opb;

	__le64 *l2_table;
	dma_addr_t l2_dma;
	struct sdxi_l1_table l1[SDXI_L2_ENTRIES];
	struct mutex tbl_lock;		/* guards l1[], L2 entries */

	struct xarray cxts;
	atomic_t nr_client_ids;
	struct sdxi_cxt *admin;
	struct mutex adm_lock;		/* admin ring, context states */
	bool admin_up;
	enum sdxi_dev_state state;
	unsigned long reset_epoch;
	bool fn_stopped;
	struct list_head leaked;
	atomic_t nr_leaked;

	struct sdxi_errlog_ent *errlog;
	dma_addr_t errlog_dma;
	u32 errlog_entries;
	u64 errlog_rd;
	struct mutex errlog_lock;	/* error-log processing */

	struct delayed_work recover_work;
	atomic_t recover_pending;
	unsigned int recover_delay_ms;

	struct sdxi_stats stats;
	struct sdxi_dma *dma;
	struct sdxi_udev *udev;
};

static inline u64 sdxi_read64(struct sdxi_fn *sdxi, u32 off)
{
	return readq(sdxi->ctl_regs + off);
}

/* BAR0 takes 64-bit, 8-byte aligned writes only (SDXI 1.0 9). */
static inline void sdxi_write64(struct sdxi_fn *sdxi, u32 off, u64 val)
{
	writeq(val, sdxi->ctl_regs + off);
}

/* function.c */
const char *sdxi_dev_state_name(enum sdxi_dev_state state);
u8 sdxi_fn_state(struct sdxi_fn *sdxi);
void sdxi_fn_ctl0_write(struct sdxi_fn *sdxi, u64 clear, u64 set, u8 gsr);
u8 sdxi_fn_wait_active(struct sdxi_fn *sdxi, u64 timeout_us);
int sdxi_fn_stop(struct sdxi_fn *sdxi);
int sdxi_fn_read_caps(struct sdxi_fn *sdxi);
void sdxi_fn_debugfs_init(struct dentry *root);
int sdxi_fn_tables_alloc(struct sdxi_fn *sdxi);
void sdxi_fn_tables_free(struct sdxi_fn *sdxi);
int sdxi_fn_l1_entry(struct sdxi_fn *sdxi, u16 id,
		     struct sdxi_cxt_l1_ent **ent);
int sdxi_fn_vectors_init(struct sdxi_fn *sdxi);
int sdxi_fn_vector_get(struct sdxi_fn *sdxi);
void sdxi_fn_vector_put(struct sdxi_fn *sdxi, unsigned int vector);
unsigned int sdxi_fn_vectors_free(struct sdxi_fn *sdxi);
int sdxi_fn_vector_irq(struct sdxi_fn *sdxi, unsigned int vector);
void sdxi_fn_request_recovery(struct sdxi_fn *sdxi);
void sdxi_fn_error(struct sdxi_fn *sdxi);
int sdxi_fn_recover_sync(struct sdxi_fn *sdxi);

#endif /* _SDXI_H */
