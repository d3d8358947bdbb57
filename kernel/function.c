// SPDX-License-Identifier: GPL-2.0
/*
 * The function layer, the bottom of the driver (Documentation/driver.rst,
 * "Layers"): register access, the function state machine (SDXI 1.0 4.1;
 * hardware.rst, "Function state machine"), the context L2/L1 tables
 * (SDXI 1.0 3.2), the interrupt-vector allocator and the one entry point
 * through which the layers above request function recovery.
 *
 * Function state transitions complete asynchronously, so every request is
 * followed by a bounded poll of MMIO_STS0.  CTL0 is always written
 * read-modify-write with an explicit fn_gsr, preserving fn_grp_id: a zero
 * fn_gsr requests a reset, and a reset is only ever requested from a state
 * other than STOP, because its completion cannot be observed from STOP.
 *
 * Nothing here calls into the layers above: recovery is requested by
 * queueing the work item the recovery layer installed.
 */
#include <linux/bitfield.h>
#include <linux/bitmap.h>
#include <linux/cleanup.h>
#include <linux/dma-mapping.h>
#include <linux/fault-inject.h>
#include <linux/iopoll.h>

#include "hwstruct.h"
#include "sdxi.h"

static const char *const sdxi_dev_state_names[] = {
	[SDXI_DEV_DOWN] = "down",
	[SDXI_DEV_ACTIVE] = "active",
	[SDXI_DEV_RECOVERING] = "recovering",
	[SDXI_DEV_FAILED] = "failed",
	[SDXI_DEV_REMOVED] = "removed",
};

/**
 * sdxi_dev_state_name() - name of a driver function state
 * @state: enum sdxi_dev_state value
 *
 * Return: a constant string.
 */
const char *sdxi_dev_state_name(enum sdxi_dev_state state)
{
	if (state < ARRAY_SIZE(sdxi_dev_state_names))
		return sdxi_dev_state_names[state];
	return "unknown";
}

/**
 * sdxi_fn_state() - current function state (MMIO_STS0.fn_gsv)
 * @sdxi: function
 *
 * Return: SDXI_GSV_* value.
 */
u8 sdxi_fn_state(struct sdxi_fn *sdxi)
{
	return FIELD_GET(SDXI_STS0_FN_GSV, sdxi_read64(sdxi, SDXI_MMIO_STS0));
}

/**
 * sdxi_fn_ctl0_write() - read-modify-write MMIO_CTL0
 * @sdxi: function
 * @clear: bits to clear
 * @set: bits to set
 * @gsr: fn_gsr to request
 *
 * fn_gsr is always given explicitly so no caller can request a reset by
 * accident (a zero fn_gsr is a reset request); fn_grp_id is preserved.
 */
void sdxi_fn_ctl0_write(struct sdxi_fn *sdxi, u64 clear, u64 set, u8 gsr)
{
	u64 v = sdxi_read64(sdxi, SDXI_MMIO_CTL0);

	v &= ~(clear | SDXI_CTL0_FN_GSR | SDXI_CTL0_RSVD);
	v |= set | FIELD_PREP(SDXI_CTL0_FN_GSR, gsr);
	sdxi_write64(sdxi, SDXI_MMIO_CTL0, v);
}

/* States a stop request moves the function out of. */
static bool sdxi_gsv_moving(u8 gsv)
{
	return gsv == SDXI_GSV_INIT || gsv == SDXI_GSV_ACTIVE ||
	       gsv == SDXI_GSV_STOPG_SF || gsv == SDXI_GSV_STOPG_HD;
}

/* Poll until a stop request settled (STOP, ERROR, ...); return the state. */
static u8 sdxi_wait_settled(struct sdxi_fn *sdxi, u64 timeout_us)
{
	u64 v;

	readq_poll_timeout(sdxi->ctl_regs + SDXI_MMIO_STS0, v,
			   !sdxi_gsv_moving(FIELD_GET(SDXI_STS0_FN_GSV, v)),
			   SDXI_FN_POLL_US, timeout_us);
	return FIELD_GET(SDXI_STS0_FN_GSV, v);
}

/*
 * Poll until an activation request settled: ACTIVE or ERROR.  STOP may
 * still be read right after the request (transitions are asynchronous),
 * and INIT is transient.
 */
static bool sdxi_gsv_activated(u64 sts0)
{
	u8 gsv = FIELD_GET(SDXI_STS0_FN_GSV, sts0);

	return gsv == SDXI_GSV_ACTIVE || gsv == SDXI_GSV_ERROR;
}

/**
 * sdxi_fn_wait_active() - wait for an activation request to settle
 * @sdxi: function
 * @timeout_us: bound of the poll
 *
 * Return: the SDXI_GSV_* state read last (ACTIVE or ERROR once settled).
 */
u8 sdxi_fn_wait_active(struct sdxi_fn *sdxi, u64 timeout_us)
{
	u64 v;

	readq_poll_timeout(sdxi->ctl_regs + SDXI_MMIO_STS0, v,
			   sdxi_gsv_activated(v), SDXI_FN_POLL_US, timeout_us);
	return FIELD_GET(SDXI_STS0_FN_GSV, v);
}

static bool sdxi_reset_done(struct sdxi_fn *sdxi, bool check_regs)
{
	if (sdxi_fn_state(sdxi) != SDXI_GSV_STOP)
		return false;
	return !check_regs || (!sdxi_read64(sdxi, SDXI_MMIO_CTL2) &&
			       !sdxi_read64(sdxi, SDXI_MMIO_CXT_L2));
}

/*
 * Function reset, from a state other than STOP.  It ends in STOP, but a
 * STOP read back right after the request may predate the reset (driver.rst,
 * "Function state machine"):
 * when CTL2 or CXT_L2 held a value, also wait for the reset to clear them.
 */
static int sdxi_fn_reset(struct sdxi_fn *sdxi)
{
	u8 gsv = sdxi_fn_state(sdxi);
	bool check_regs;
	bool done;
	int err;

	if (gsv == SDXI_GSV_STOP)
		return 0;
	dev_warn(sdxi->dev, "resetting function (state %s)\n", sdxi_gsv_name(gsv));
	check_regs = sdxi_read64(sdxi, SDXI_MMIO_CTL2) ||
		     sdxi_read64(sdxi, SDXI_MMIO_CXT_L2);
	sdxi_fn_ctl0_write(sdxi, 0, 0, SDXI_GSR_RESET);
	err = read_poll_timeout(sdxi_reset_done, done, done, SDXI_FN_POLL_US,
				SDXI_FN_TIMEOUT_US, false, sdxi, check_regs);
	if (err)
		dev_err(sdxi->dev, "function reset did not complete (state %s)\n",
			sdxi_gsv_name(sdxi_fn_state(sdxi)));
	return err;
}

#ifdef CONFIG_FAULT_INJECTION_DEBUG_FS
static DECLARE_FAULT_ATTR(sdxi_fail_stop);
#endif

/*
 * Inert until armed: should_fail() would also count this point for a
 * task's fail-nth, which is for the allocations of a probe.
 */
static bool sdxi_fail_fn_stop(void)
{
#ifdef CONFIG_FAULT_INJECTION_DEBUG_FS
	return READ_ONCE(sdxi_fail_stop.probability) &&
	       should_fail(&sdxi_fail_stop, 1);
#else
	return false;
#endif
}

/**
 * sdxi_fn_debugfs_init() - the function layer's debugfs files
 * @root: the driver's debugfs directory
 *
 * "fail_fn_stop": the kernel's fault injection, making function stops
 * fail, in a kernel with CONFIG_FAULT_INJECTION_DEBUG_FS (nothing
 * otherwise).
 */
void sdxi_fn_debugfs_init(struct dentry *root)
{
#ifdef CONFIG_FAULT_INJECTION_DEBUG_FS
	fault_create_debugfs_attr("fail_fn_stop", root, &sdxi_fail_stop);
#endif
}

/**
 * sdxi_fn_stop() - bring the function to GSV_STOP
 * @sdxi: function
 *
 * From any state (hardware.rst): soft
 * stop, escalated to a hard stop when it does not complete (it stays
 * soft-stopping while the engine is stalled), escalated to a reset when
 * even that fails; ERROR and undefined states are reset.
 *
 * The emulated function always stops; debugfs "fail_fn_stop" (the
 * kernel's fault injection, only in a kernel built with it) makes it
 * "not stop" to exercise what depends on that: contexts held until the
 * function stops.
 *
 * Return: 0 once the function is in STOP, else a negative errno.
 */
int sdxi_fn_stop(struct sdxi_fn *sdxi)
{
	u8 gsv = sdxi_fn_state(sdxi);

	if (sdxi_fail_fn_stop())
		return -EIO;

	if (gsv == SDXI_GSV_INIT || gsv == SDXI_GSV_ACTIVE) {
		sdxi_fn_ctl0_write(sdxi, 0, 0, SDXI_GSR_STOP_SF);
		gsv = sdxi_wait_settled(sdxi, SDXI_SOFT_STOP_TIMEOUT_US);
	}
	if (sdxi_gsv_moving(gsv) && gsv != SDXI_GSV_STOPG_HD) {
		dev_warn(sdxi->dev, "soft stop did not complete (state %s), hard stop\n",
			 sdxi_gsv_name(gsv));
		sdxi_fn_ctl0_write(sdxi, 0, 0, SDXI_GSR_STOP_HD);
		gsv = sdxi_wait_settled(sdxi, SDXI_FN_TIMEOUT_US);
	}
	if (gsv == SDXI_GSV_STOPG_HD)
		gsv = sdxi_wait_settled(sdxi, SDXI_FN_TIMEOUT_US);
	if (gsv == SDXI_GSV_STOP)
		return 0;
	return sdxi_fn_reset(sdxi);
}

/**
 * sdxi_fn_l1_entry() - L1 entry of a context ID, allocating its L1 table
 * @sdxi: function
 * @id: context ID
 * @ent: the entry, on success
 *
 * L1 tables are allocated on demand, one per L2 index (SDXI 1.0 3.2), and
 * live until teardown.  The L2 entry is (re)written each time: idempotent,
 * and it restores the entry after a function reset.
 *
 * Return: 0 or -ENOMEM.
 */
int sdxi_fn_l1_entry(struct sdxi_fn *sdxi, u16 id,
		     struct sdxi_cxt_l1_ent **ent)
{
	unsigned int l2 = sdxi_cxt_l2_index(id);
	struct sdxi_l1_table *t = &sdxi->l1[l2];
	__le64 l2e;

	guard(mutex)(&sdxi->tbl_lock);
	if (!t->ents) {
		t->ents = dma_alloc_coherent(sdxi->dev, SZ_4K, &t->dma,
					     GFP_KERNEL);
		if (!t->ents)
			return -ENOMEM;
	}
	if (sdxi_encode_l2_ent(&l2e, t->dma))
		return -EINVAL;
	/* The L1 table's contents are visible before the entry naming it. */
	dma_wmb();
	WRITE_ONCE(sdxi->l2_table[l2], l2e);
	*ent = &t->ents[sdxi_cxt_l1_index(id)];
	return 0;
}

/**
 * sdxi_fn_read_caps() - read and check the capabilities, once, at probe
 * @sdxi: function, stopped
 *
 * Step 1.a of the activation sequence (SDXI 1.0 4.1.8).
 *
 * Return: 0, or -ENODEV for a function the driver cannot use.
 */
int sdxi_fn_read_caps(struct sdxi_fn *sdxi)
{
	u64 ver = sdxi_read64(sdxi, SDXI_MMIO_VERSION);
	u64 max_ring;
	u32 hw_max_cxt;

	sdxi->cap0 = sdxi_read64(sdxi, SDXI_MMIO_CAP0);
	sdxi->cap1 = sdxi_read64(sdxi, SDXI_MMIO_CAP1);
	sdxi->ver_major = FIELD_GET(SDXI_VERSION_MAJOR_MASK, ver);
	sdxi->ver_minor = FIELD_GET(SDXI_VERSION_MINOR_MASK, ver);
	if (sdxi->ver_major != SDXI_VERSION_MAJOR)
		return dev_err_probe(sdxi->dev, -ENODEV,
				     "unsupported SDXI version %u.%u\n",
				     sdxi->ver_major, sdxi->ver_minor);

	sdxi->db_stride = SDXI_DB_STRIDE_BYTES(FIELD_GET(SDXI_CAP0_DB_STRIDE,
							 sdxi->cap0));
	max_ring = SDXI_RING_MAX_ENTRIES(FIELD_GET(SDXI_CAP0_MAX_DS_RING_SZ,
						   sdxi->cap0));
	sdxi->max_ring_entries = min_t(u64, max_ring, SZ_1G / SDXI_DESC_SIZE);
	sdxi->max_buffer_enc = FIELD_GET(SDXI_CAP1_MAX_BUFFER, sdxi->cap1);
	sdxi->max_buffer = SDXI_MAX_BUFFER_BYTES(sdxi->max_buffer_enc);
	sdxi->max_akey_enc = FIELD_GET(SDXI_CAP1_MAX_AKEY_SZ, sdxi->cap1);
	sdxi->opb = FIELD_GET(SDXI_CAP1_OPB_000_CAP, sdxi->cap1);
	if ((sdxi->opb & (SDXI_OPB_DMAB | SDXI_OPB_ADMIN)) !=
	    (SDXI_OPB_DMAB | SDXI_OPB_ADMIN))
		return dev_err_probe(sdxi->dev, -ENODEV,
				     "mandatory operation groups missing (%#x)\n",
				     sdxi->opb);

	/* Every context in use needs its own doorbell page in BAR2. */
	hw_max_cxt = FIELD_GET(SDXI_CAP1_MAX_CXT, sdxi->cap1);
	sdxi->max_cxt = min_t(u64, hw_max_cxt, sdxi->dbs_len / sdxi->db_stride - 1);
	if (!sdxi->max_cxt)
		return dev_err_probe(sdxi->dev, -ENODEV,
				     "no client contexts (max_cxt %u, doorbells %pa)\n",
				     hw_max_cxt, &sdxi->dbs_len);
	sdxi->errlog_entries =
		min_t(u64, SDXI_ERRLOG_ENTRIES,
		      SDXI_ERRLOG_MAX_ENTRIES(FIELD_GET(SDXI_CAP1_MAX_ERRLOG_SZ,
							sdxi->cap1)));
	return 0;
}

/**
 * sdxi_fn_request_recovery() - request function recovery
 * @sdxi: function
 *
 * The one entry point through which every layer asks for recovery; the
 * recovery layer installed the work it runs (sdxi_register()).  Any
 * context; the work runs soon.  A no-op once the device is removed.
 */
void sdxi_fn_request_recovery(struct sdxi_fn *sdxi)
{
	if (READ_ONCE(sdxi->state) == SDXI_DEV_REMOVED)
		return;
	atomic_set(&sdxi->recover_pending, 1);
	mod_delayed_work(system_wq, &sdxi->recover_work, 0);
}

/**
 * sdxi_fn_error() - the function reported a function-level error
 * @sdxi: function
 *
 * Counts the error once per episode and schedules recovery.  Any context.
 */
void sdxi_fn_error(struct sdxi_fn *sdxi)
{
	if (READ_ONCE(sdxi->state) == SDXI_DEV_ACTIVE &&
	    !atomic_read(&sdxi->recover_pending))
		atomic64_inc(&sdxi->stats.fn_errors);
	sdxi_fn_request_recovery(sdxi);
}

/**
 * sdxi_fn_recover_sync() - recover the function and wait for the result
 * @sdxi: function; the caller must not hold &sdxi_dev.adm_lock
 *
 * Return: 0 if the function is active afterwards, else -EIO.
 */
int sdxi_fn_recover_sync(struct sdxi_fn *sdxi)
{
	sdxi_fn_request_recovery(sdxi);
	flush_delayed_work(&sdxi->recover_work);
	return READ_ONCE(sdxi->state) == SDXI_DEV_ACTIVE ? 0 : -EIO;
}

/**
 * sdxi_fn_tables_alloc() - allocate the context L2 table
 * @sdxi: function
 *
 * Step 2.a-b of the activation sequence: zeroed and 4 KiB aligned
 * (coherent memory is page aligned).  L1 tables come on demand
 * (sdxi_fn_l1_entry()).  Freed by sdxi_fn_tables_free() only.
 *
 * Return: 0 or -ENOMEM.
 */
int sdxi_fn_tables_alloc(struct sdxi_fn *sdxi)
{
	sdxi->l2_table = dma_alloc_coherent(sdxi->dev, SZ_4K, &sdxi->l2_dma,
					    GFP_KERNEL);
	return sdxi->l2_table ? 0 : -ENOMEM;
}

/**
 * sdxi_fn_tables_free() - free the L2 and L1 tables
 * @sdxi: function, stopped (driver.rst, "Quiesce before freeing")
 */
void sdxi_fn_tables_free(struct sdxi_fn *sdxi)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(sdxi->l1); i++)
		if (sdxi->l1[i].ents)
			dma_free_coherent(sdxi->dev, SZ_4K, sdxi->l1[i].ents,
					  sdxi->l1[i].dma);
	if (sdxi->l2_table)
		dma_free_coherent(sdxi->dev, SZ_4K, sdxi->l2_table,
				  sdxi->l2_dma);
}

/**
 * sdxi_fn_vectors_init() - set up the interrupt-vector allocator
 * @sdxi: function whose bus glue allocated &sdxi_dev.nr_vectors vectors
 *
 * Vector 0 is the error log's (hardware.rst); every other vector is
 * handed out by sdxi_fn_vector_get() to whichever client asks first.
 *
 * Return: 0 or -ENOMEM.
 */
int sdxi_fn_vectors_init(struct sdxi_fn *sdxi)
{
	spin_lock_init(&sdxi->vec_lock);
	sdxi->vec_used = devm_bitmap_zalloc(sdxi->dev, sdxi->nr_vectors,
					    GFP_KERNEL);
	if (!sdxi->vec_used)
		return -ENOMEM;
	__set_bit(SDXI_ERRLOG_VECTOR, sdxi->vec_used);
	return 0;
}

/**
 * sdxi_fn_vector_get() - allocate a completion interrupt vector
 * @sdxi: function
 *
 * Any context.
 *
 * Return: a vector number (never the error log's), or -ENOSPC.
 */
int sdxi_fn_vector_get(struct sdxi_fn *sdxi)
{
	unsigned int v;

	spin_lock(&sdxi->vec_lock);
	v = find_first_zero_bit(sdxi->vec_used, sdxi->nr_vectors);
	if (v < sdxi->nr_vectors)
		__set_bit(v, sdxi->vec_used);
	spin_unlock(&sdxi->vec_lock);
	return v < sdxi->nr_vectors ? v : -ENOSPC;
}

/**
 * sdxi_fn_vector_put() - give back a vector from sdxi_fn_vector_get()
 * @sdxi: function
 * @vector: the vector; its IRQ handler must already be freed
 */
void sdxi_fn_vector_put(struct sdxi_fn *sdxi, unsigned int vector)
{
	if (WARN_ON_ONCE(vector == SDXI_ERRLOG_VECTOR ||
			 vector >= sdxi->nr_vectors))
		return;
	spin_lock(&sdxi->vec_lock);
	__clear_bit(vector, sdxi->vec_used);
	spin_unlock(&sdxi->vec_lock);
}

/**
 * sdxi_fn_vectors_free() - completion vectors not allocated
 * @sdxi: function
 *
 * Return: how many further sdxi_fn_vector_get() calls would succeed now.
 */
unsigned int sdxi_fn_vectors_free(struct sdxi_fn *sdxi)
{
	unsigned int used;

	spin_lock(&sdxi->vec_lock);
	used = bitmap_weight(sdxi->vec_used, sdxi->nr_vectors);
	spin_unlock(&sdxi->vec_lock);
	return sdxi->nr_vectors - used;
}

/**
 * sdxi_fn_vector_irq() - Linux IRQ number of a vector
 * @sdxi: function
 * @vector: vector number
 *
 * Return: the IRQ number, or a negative errno.
 */
int sdxi_fn_vector_irq(struct sdxi_fn *sdxi, unsigned int vector)
{
	return sdxi->bus_ops->get_irq(sdxi, vector);
}
