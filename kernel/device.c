// SPDX-License-Identifier: GPL-2.0
/*
 * SDXI function bring-up, state machine, recovery and teardown
 * (SDXI 1.0 4.1.8; Documentation/hardware.rst, "Function state machine";
 * driver.rst, "Bring-up" and "Rules the driver keeps").
 *
 * Function state transitions complete asynchronously, so every request is
 * followed by a bounded poll of MMIO_STS0.  CTL0 is always written
 * read-modify-write with an explicit fn_gsr, preserving fn_grp_id: a zero
 * fn_gsr requests a reset, and a reset is only ever requested from a state
 * other than STOP, because its completion cannot be observed from STOP.
 *
 * Recovery (function error, wedged admin ring, or a request through sysfs)
 * runs in one work item under adm_lock: the function is stopped (reset if
 * in ERROR), owners are told (they fail what was in flight), every ring is
 * emptied, the function re-activated exactly as at probe, wanted contexts
 * restarted, owners told again.  A failed attempt leaves the function stopped and is retried with
 * exponential backoff.
 */
#include <linux/bitfield.h>
#include <linux/cleanup.h>
#include <linux/dma-mapping.h>
#include <linux/fault-inject.h>
#include <linux/iopoll.h>

#include "context.h"
#include "hwstruct.h"
#include "sdxi.h"
#include "trace.h"

#define SDXI_RECOVER_DELAY_MIN_MS	100
#define SDXI_RECOVER_DELAY_MAX_MS	5000

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
u8 sdxi_fn_state(struct sdxi_dev *sdxi)
{
	return FIELD_GET(SDXI_STS0_FN_GSV, sdxi_read64(sdxi, SDXI_MMIO_STS0));
}

/*
 * Read-modify-write CTL0.  fn_gsr is always given explicitly so no caller
 * can request a reset by accident; fn_grp_id is preserved.
 */
static void sdxi_ctl0_write(struct sdxi_dev *sdxi, u64 clear, u64 set, u8 gsr)
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
static u8 sdxi_wait_settled(struct sdxi_dev *sdxi, u64 timeout_us)
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

static u8 sdxi_wait_active(struct sdxi_dev *sdxi, u64 timeout_us)
{
	u64 v;

	readq_poll_timeout(sdxi->ctl_regs + SDXI_MMIO_STS0, v,
			   sdxi_gsv_activated(v), SDXI_FN_POLL_US, timeout_us);
	return FIELD_GET(SDXI_STS0_FN_GSV, v);
}

static bool sdxi_reset_done(struct sdxi_dev *sdxi, bool check_regs)
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
static int sdxi_fn_reset(struct sdxi_dev *sdxi)
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
	sdxi_ctl0_write(sdxi, 0, 0, SDXI_GSR_RESET);
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
 * sdxi_dev_debugfs_init() - the function layer's debugfs files
 * @root: the driver's debugfs directory
 *
 * "fail_fn_stop": the kernel's fault injection, making function stops
 * fail, in a kernel with CONFIG_FAULT_INJECTION_DEBUG_FS (nothing
 * otherwise).
 */
void sdxi_dev_debugfs_init(struct dentry *root)
{
#ifdef CONFIG_FAULT_INJECTION_DEBUG_FS
	fault_create_debugfs_attr("fail_fn_stop", root, &sdxi_fail_stop);
#endif
}

/*
 * Bring the function to GSV_STOP from any state (hardware.rst): soft
 * stop, escalated to a hard stop when it does not complete (it stays
 * soft-stopping while the engine is stalled), escalated to a reset when
 * even that fails; ERROR and undefined states are reset.
 *
 * The emulated function always stops; debugfs "fail_fn_stop" (the
 * kernel's fault injection, only in a kernel built with it) makes it
 * "not stop" to exercise what depends on that: contexts held until the
 * function stops.
 */
static int sdxi_fn_stop(struct sdxi_dev *sdxi)
{
	u8 gsv = sdxi_fn_state(sdxi);

	if (sdxi_fail_fn_stop())
		return -EIO;

	if (gsv == SDXI_GSV_INIT || gsv == SDXI_GSV_ACTIVE) {
		sdxi_ctl0_write(sdxi, 0, 0, SDXI_GSR_STOP_SF);
		gsv = sdxi_wait_settled(sdxi, SDXI_SOFT_STOP_TIMEOUT_US);
	}
	if (sdxi_gsv_moving(gsv) && gsv != SDXI_GSV_STOPG_HD) {
		dev_warn(sdxi->dev, "soft stop did not complete (state %s), hard stop\n",
			 sdxi_gsv_name(gsv));
		sdxi_ctl0_write(sdxi, 0, 0, SDXI_GSR_STOP_HD);
		gsv = sdxi_wait_settled(sdxi, SDXI_FN_TIMEOUT_US);
	}
	if (gsv == SDXI_GSV_STOPG_HD)
		gsv = sdxi_wait_settled(sdxi, SDXI_FN_TIMEOUT_US);
	if (gsv == SDXI_GSV_STOP)
		return 0;
	return sdxi_fn_reset(sdxi);
}

/**
 * sdxi_l1_entry() - L1 entry of a context ID, allocating its L1 table
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
int sdxi_l1_entry(struct sdxi_dev *sdxi, u16 id, struct sdxi_cxt_l1_ent **ent)
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

/* 1.a: read and check the capabilities once, at probe. */
static int sdxi_read_caps(struct sdxi_dev *sdxi)
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

/*
 * Activation of the function by software, SDXI 1.0 4.1.8 (driver.rst,
 * "Bring-up").
 * Used at probe and by recovery; the tables live in memory across resets
 * and are re-published.  Caller holds adm_lock.
 */
static int sdxi_fn_activate(struct sdxi_dev *sdxi)
{
	u64 ctl2;
	u8 gsv;
	int err;

	lockdep_assert_held(&sdxi->adm_lock);

	/*
	 * 0. The function is in GSV_STOP (sdxi_fn_stop()).  Clear
	 * fn_err_intr_en, fn_pasid_vl and fn_pasid, keeping fn_grp_id.
	 */
	gsv = sdxi_fn_state(sdxi);
	if (gsv != SDXI_GSV_STOP) {
		dev_err(sdxi->dev, "cannot activate from state %s\n",
			sdxi_gsv_name(gsv));
		return -EIO;
	}
	sdxi->fn_stopped = false;
	sdxi_ctl0_write(sdxi, SDXI_CTL0_FN_ERR_INTR_EN | SDXI_CTL0_FN_PASID_VL |
			SDXI_CTL0_FN_PASID, 0, SDXI_GSR_STOP_SF);

	/* 1.a Capabilities were read at probe.  1.b Apply our limits. */
	ctl2 = FIELD_PREP(SDXI_CTL2_MAX_BUFFER, sdxi->max_buffer_enc) |
	       FIELD_PREP(SDXI_CTL2_MAX_AKEY_SZ, sdxi->max_akey_enc) |
	       FIELD_PREP(SDXI_CTL2_MAX_CXT, sdxi->max_cxt) |
	       FIELD_PREP(SDXI_CTL2_OPB_000_AVL, sdxi->opb);
	sdxi_write64(sdxi, SDXI_MMIO_CTL2, ctl2);

	/*
	 * 2.a-b The zeroed, 4 KiB aligned L2 table was allocated at probe.
	 * 2.c Point the function at it.  2.c.i fn_pasid stays invalid: the
	 * function reaches its own structures by requester ID.
	 */
	sdxi_write64(sdxi, SDXI_MMIO_CXT_L2, sdxi->l2_dma);

	/*
	 * 3. L1 table for IDs 0-127 behind L2 entry 0, and
	 * 4.a the admin context: ring, write index, CXT_STS, CXT_CTL, AKey
	 * table and L1 entry 0 (sdxi_l1_entry() provides the L1 table).
	 * 4.b Its CXT_STS.state = RUN, written by software.
	 */
	err = sdxi_admin_cxt_prepare(sdxi);
	if (err)
		return err;

	/* 5. Mailbox: not used.  6. Saved state: none; recovery restarts
	 * client contexts after step 10.
	 */

	/* 7. Error log (driver.rst); its interrupt handler is installed. */
	sdxi_errlog_hw_init(sdxi);

	/* 8. Interrupts: vectors are allocated; also signal function errors. */
	sdxi_ctl0_write(sdxi, 0, SDXI_CTL0_FN_ERR_INTR_EN, SDXI_GSR_STOP_SF);

	/* 9. Request ACTIVE and wait for ACTIVE or ERROR. */
	sdxi_ctl0_write(sdxi, 0, 0, SDXI_GSR_ACTIVE);
	gsv = sdxi_wait_active(sdxi, SDXI_FN_TIMEOUT_US);
	if (gsv != SDXI_GSV_ACTIVE) {
		dev_err(sdxi->dev, "activation failed: state %s\n",
			sdxi_gsv_name(gsv));
		return -EIO;
	}

	/*
	 * 10. Jump start the admin context (SDXI 1.0 4.3.4, method 3):
	 * ring its doorbell with the current write index, then prove it
	 * runs with a round trip.
	 */
	sdxi->admin_up = true;
	sdxi_ring_doorbell(sdxi->admin);
	return sdxi_admin_nop(sdxi);
}

/**
 * sdxi_dev_schedule_recovery() - request function recovery
 * @sdxi: function
 *
 * Any context; the work runs soon.  A no-op once the device is removed.
 */
void sdxi_dev_schedule_recovery(struct sdxi_dev *sdxi)
{
	if (READ_ONCE(sdxi->state) == SDXI_DEV_REMOVED)
		return;
	atomic_set(&sdxi->recover_pending, 1);
	mod_delayed_work(system_wq, &sdxi->recover_work, 0);
}

/**
 * sdxi_dev_fn_error() - the function reported a function-level error
 * @sdxi: function
 *
 * Counts the error once per episode and schedules recovery.  Any context.
 */
void sdxi_dev_fn_error(struct sdxi_dev *sdxi)
{
	if (READ_ONCE(sdxi->state) == SDXI_DEV_ACTIVE &&
	    !atomic_read(&sdxi->recover_pending))
		atomic64_inc(&sdxi->stats.fn_errors);
	sdxi_dev_schedule_recovery(sdxi);
}

/**
 * sdxi_dev_recover_sync() - recover the function and wait for the result
 * @sdxi: function; the caller must not hold &sdxi_dev.adm_lock
 *
 * Return: 0 if the function is active afterwards, else -EIO.
 */
int sdxi_dev_recover_sync(struct sdxi_dev *sdxi)
{
	sdxi_dev_schedule_recovery(sdxi);
	flush_delayed_work(&sdxi->recover_work);
	return READ_ONCE(sdxi->state) == SDXI_DEV_ACTIVE ? 0 : -EIO;
}

/*
 * Stop the function for recovery; on success nothing runs any more, so
 * contexts that could not be quiesced before are handed to @leaked for
 * freeing.  adm_lock held.
 */
static int sdxi_recover_stop(struct sdxi_dev *sdxi, struct list_head *leaked)
{
	int err;

	lockdep_assert_held(&sdxi->adm_lock);
	err = sdxi_fn_stop(sdxi);
	if (err)
		return err;
	sdxi->fn_stopped = true;
	sdxi->reset_epoch++;
	sdxi_cxts_take_leaked(sdxi, leaked);
	return 0;
}

/* One recovery attempt; adm_lock held.  Return: 0 once active again. */
static int sdxi_recover(struct sdxi_dev *sdxi, struct list_head *leaked)
{
	unsigned int delay;
	int err;

	lockdep_assert_held(&sdxi->adm_lock);
	dev_warn(sdxi->dev, "recovering function (state %s)\n",
		 sdxi_gsv_name(sdxi_fn_state(sdxi)));
	trace_sdxi_recovery(sdxi->dev, "begin", sdxi_fn_state(sdxi), 0);
	WRITE_ONCE(sdxi->state, SDXI_DEV_RECOVERING);
	sdxi->admin_up = false;

	err = sdxi_recover_stop(sdxi, leaked);
	if (!err) {
		/*
		 * Nothing runs now, so owners may fail what was in flight (the
		 * buffers are no longer written) and rings may be emptied.  If
		 * the function does not stop, nothing is completed: clients
		 * time out instead of reusing buffers it may still write.
		 */
		sdxi_cxts_reset_begin(sdxi);
		err = sdxi_fn_activate(sdxi) ?: sdxi_cxts_restart(sdxi);
	}
	if (err) {
		atomic64_inc(&sdxi->stats.recovery_failures);
		WRITE_ONCE(sdxi->state, SDXI_DEV_FAILED);
		sdxi->admin_up = false;
		/* Leave nothing running until the next attempt. */
		sdxi_recover_stop(sdxi, leaked);
		delay = sdxi->recover_delay_ms;
		sdxi->recover_delay_ms = min(delay * 2, SDXI_RECOVER_DELAY_MAX_MS);
		dev_err(sdxi->dev, "recovery failed (%d), retrying in %u ms\n",
			err, delay);
		trace_sdxi_recovery(sdxi->dev, "failed", sdxi_fn_state(sdxi), err);
		mod_delayed_work(system_wq, &sdxi->recover_work,
				 msecs_to_jiffies(delay));
		return err;
	}
	sdxi->recover_delay_ms = SDXI_RECOVER_DELAY_MIN_MS;
	atomic64_inc(&sdxi->stats.recoveries);
	WRITE_ONCE(sdxi->state, SDXI_DEV_ACTIVE);
	dev_info(sdxi->dev, "function recovered\n");
	trace_sdxi_recovery(sdxi->dev, "done", sdxi_fn_state(sdxi), 0);
	sdxi_cxts_reset_done(sdxi);
	return 0;
}

static void sdxi_recover_work(struct work_struct *work)
{
	struct sdxi_dev *sdxi = container_of(to_delayed_work(work),
					     struct sdxi_dev, recover_work);
	LIST_HEAD(leaked);

	scoped_guard(mutex, &sdxi->adm_lock) {
		atomic_set(&sdxi->recover_pending, 0);
		if (sdxi->state == SDXI_DEV_REMOVED)
			return;
		sdxi_recover(sdxi, &leaked);
	}
	/* Their owners' teardown may take locks ordered before adm_lock. */
	sdxi_cxts_free_leaked(sdxi, &leaked);
}

/*
 * Device teardown (devres action, registered before anything the function
 * can reach is allocated, so it runs after the dmaengine provider is gone
 * and before the bus resources are released).  Stop the function, then
 * free; if it does not stop, leak rather than free memory it may write
 * (driver.rst, "Quiesce before freeing").
 */
static void sdxi_teardown(void *data)
{
	struct sdxi_dev *sdxi = data;
	unsigned int i;
	int err;

	scoped_guard(mutex, &sdxi->adm_lock) {
		WRITE_ONCE(sdxi->state, SDXI_DEV_REMOVED);
		sdxi->admin_up = false;
	}
	disable_delayed_work_sync(&sdxi->recover_work);

	err = sdxi_fn_stop(sdxi);
	if (err) {
		dev_err(sdxi->dev, "function did not stop, leaking its memory\n");
		return;
	}
	sdxi_errlog_hw_disable(sdxi);
	sdxi_ctl0_write(sdxi, SDXI_CTL0_FN_ERR_INTR_EN, 0, SDXI_GSR_STOP_SF);

	sdxi_cxt_free_all(sdxi);
	for (i = 0; i < ARRAY_SIZE(sdxi->l1); i++)
		if (sdxi->l1[i].ents)
			dma_free_coherent(sdxi->dev, SZ_4K, sdxi->l1[i].ents,
					  sdxi->l1[i].dma);
	if (sdxi->l2_table)
		dma_free_coherent(sdxi->dev, SZ_4K, sdxi->l2_table,
				  sdxi->l2_dma);
	sdxi_errlog_free(sdxi);
	xa_destroy(&sdxi->cxts);
}

/**
 * sdxi_register() - bring up an SDXI function found by bus glue
 * @dev: the bus device
 * @ops: bus glue
 *
 * Everything is device-managed: on failure, and on unbind, the function is
 * stopped before any memory it can reach is freed.
 *
 * Return: 0 or a negative errno.
 */
int sdxi_register(struct device *dev, const struct sdxi_bus_ops *ops)
{
	struct sdxi_dev *sdxi;
	int err;

	sdxi = devm_kzalloc(dev, sizeof(*sdxi), GFP_KERNEL);
	if (!sdxi)
		return -ENOMEM;
	sdxi->dev = dev;
	sdxi->bus_ops = ops;
	sdxi->recover_delay_ms = SDXI_RECOVER_DELAY_MIN_MS;
	xa_init_flags(&sdxi->cxts, XA_FLAGS_ALLOC);
	INIT_LIST_HEAD(&sdxi->leaked);
	INIT_DELAYED_WORK(&sdxi->recover_work, sdxi_recover_work);
	err = devm_mutex_init(dev, &sdxi->tbl_lock) ?:
	      devm_mutex_init(dev, &sdxi->adm_lock) ?:
	      devm_mutex_init(dev, &sdxi->errlog_lock);
	if (err)
		return err;
	dev_set_drvdata(dev, sdxi);

	err = ops->init(sdxi);
	if (err)
		return err;

	/*
	 * 0. Whatever state kexec or a crashed driver left behind: stop
	 * (reset only from ERROR or a stop that fails).
	 */
	err = sdxi_fn_stop(sdxi);
	if (err)
		return dev_err_probe(dev, err, "function does not stop\n");
	err = sdxi_read_caps(sdxi);
	if (err)
		return err;

	err = devm_add_action_or_reset(dev, sdxi_teardown, sdxi);
	if (err)
		return err;

	/* 2.a-b Zeroed, 4 KiB aligned L2 table (coherent: page aligned). */
	sdxi->l2_table = dma_alloc_coherent(dev, SZ_4K, &sdxi->l2_dma,
					    GFP_KERNEL);
	if (!sdxi->l2_table)
		return -ENOMEM;
	err = sdxi_errlog_alloc(sdxi) ?: sdxi_admin_cxt_create(sdxi);
	if (err)
		return dev_err_probe(dev, err, "allocating admin structures\n");
	err = sdxi_errlog_request_irq(sdxi);
	if (err)
		return err;

	scoped_guard(mutex, &sdxi->adm_lock) {
		err = sdxi_fn_activate(sdxi);
		if (!err)
			WRITE_ONCE(sdxi->state, SDXI_DEV_ACTIVE);
	}
	if (err)
		return dev_err_probe(dev, err, "activation failed\n");

	dev_info(dev, "SDXI %u.%u function active: %u contexts, ring <= %u, doorbell stride %u, op groups %#x\n",
		 sdxi->ver_major, sdxi->ver_minor, sdxi->max_cxt,
		 sdxi->max_ring_entries, sdxi->db_stride, sdxi->opb);

	/* Registered last: devres removes /dev/sdxiN first. */
	return sdxi_dma_register(sdxi) ?: sdxi_cdev_register(sdxi);
}

/**
 * sdxi_remove() - first step of unbinding, from the bus driver's remove()
 * @dev: the bus device
 *
 * Destroys every user context (they hold PASIDs the driver core wants
 * detached before devres runs), and frees those that could not be
 * quiesced by stopping the function; devres then does the rest.
 */
void sdxi_remove(struct device *dev)
{
	struct sdxi_dev *sdxi = dev_get_drvdata(dev);

	if (!sdxi)
		return;
	sdxi_cdev_remove(sdxi);
	/*
	 * A user context that could not be quiesced still holds its PASID:
	 * stop the function (a recovery) so that it is freed before the
	 * driver core takes the device's DMA ownership back.
	 */
	if (atomic_read(&sdxi->nr_leaked))
		sdxi_dev_recover_sync(sdxi);
}

/**
 * sdxi_shutdown() - quiesce the function at system shutdown or kexec
 * @dev: the bus device
 *
 * Stops the function so it does not write memory the next kernel owns;
 * frees nothing.
 */
void sdxi_shutdown(struct device *dev)
{
	struct sdxi_dev *sdxi = dev_get_drvdata(dev);

	if (!sdxi)
		return;
	disable_delayed_work_sync(&sdxi->recover_work);
	guard(mutex)(&sdxi->adm_lock);
	sdxi->admin_up = false;
	WRITE_ONCE(sdxi->state, SDXI_DEV_REMOVED);
	sdxi_fn_stop(sdxi);
}
