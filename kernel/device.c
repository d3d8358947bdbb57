// SPDX-License-Identifier: GPL-2.0
/*
 * SDXI function bring-up, recovery and teardown (SDXI 1.0 4.1.8;
 * Documentation/driver.rst, "Bring-up", "Recovery" and "Layers").  This is
 * the recovery layer: it drives the function layer (function.c), the
 * contexts and the error log; the clients above are registered by the bus
 * glue once sdxi_register() returned.
 *
 * Recovery (function error, wedged admin ring, or a request through sysfs)
 * runs in one work item under adm_lock: the function is stopped (reset if
 * in ERROR), owners are told (they fail what was in flight), every ring is
 * emptied, the function re-activated exactly as at probe, wanted contexts
 * restarted, owners told again.  A failed attempt leaves the function
 * stopped and is retried with exponential backoff.  Lower layers ask for
 * it through sdxi_fn_request_recovery(), which queues this layer's work.
 */
#include <linux/bitfield.h>
#include <linux/cleanup.h>

#include "admin.h"
#include "context.h"
#include "device.h"
#include "errlog.h"
#include "hwstruct.h"
#include "ring.h"
#include "sdxi.h"
#include "trace.h"

#define SDXI_RECOVER_DELAY_MIN_MS	100
#define SDXI_RECOVER_DELAY_MAX_MS	5000

/*
 * Activation of the function by software, SDXI 1.0 4.1.8 (driver.rst,
 * "Bring-up").
 * Used at probe and by recovery; the tables live in memory across resets
 * and are re-published.  Caller holds adm_lock.
 */
static int sdxi_fn_activate(struct sdxi_fn *sdxi)
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
	sdxi_fn_ctl0_write(sdxi, SDXI_CTL0_FN_ERR_INTR_EN | SDXI_CTL0_FN_PASID_VL |
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
	 * table and L1 entry 0 (sdxi_fn_l1_entry() provides the L1 table).
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
	sdxi_fn_ctl0_write(sdxi, 0, SDXI_CTL0_FN_ERR_INTR_EN, SDXI_GSR_STOP_SF);

	/* 9. Request ACTIVE and wait for ACTIVE or ERROR. */
	sdxi_fn_ctl0_write(sdxi, 0, 0, SDXI_GSR_ACTIVE);
	gsv = sdxi_fn_wait_active(sdxi, SDXI_FN_TIMEOUT_US);
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

/*
 * Stop the function for recovery; on success nothing runs any more, so
 * contexts that could not be quiesced before are handed to @leaked for
 * freeing.  adm_lock held.
 */
static int sdxi_recover_stop(struct sdxi_fn *sdxi, struct list_head *leaked)
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
static int sdxi_recover(struct sdxi_fn *sdxi, struct list_head *leaked)
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
	struct sdxi_fn *sdxi = container_of(to_delayed_work(work),
					     struct sdxi_fn, recover_work);
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
	struct sdxi_fn *sdxi = data;
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
	sdxi_fn_ctl0_write(sdxi, SDXI_CTL0_FN_ERR_INTR_EN, 0, SDXI_GSR_STOP_SF);

	sdxi_cxt_free_all(sdxi);
	sdxi_fn_tables_free(sdxi);
	sdxi_errlog_free(sdxi);
	xa_destroy(&sdxi->cxts);
}

/**
 * sdxi_register() - bring up an SDXI function found by bus glue
 * @dev: the bus device
 * @ops: bus glue
 *
 * Everything is device-managed: on failure, and on unbind, the function is
 * stopped before any memory it can reach is freed.  The bus glue registers
 * the clients (dmaengine provider, /dev/sdxiN) afterwards.
 *
 * Return: the active function, or an ERR_PTR().
 */
struct sdxi_fn *sdxi_register(struct device *dev, const struct sdxi_bus_ops *ops)
{
	struct sdxi_fn *sdxi;
	int err;

	sdxi = devm_kzalloc(dev, sizeof(*sdxi), GFP_KERNEL);
	if (!sdxi)
		return ERR_PTR(-ENOMEM);
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
		return ERR_PTR(err);
	dev_set_drvdata(dev, sdxi);

	err = ops->init(sdxi) ?: sdxi_fn_vectors_init(sdxi);
	if (err)
		return ERR_PTR(err);

	/*
	 * 0. Whatever state kexec or a crashed driver left behind: stop
	 * (reset only from ERROR or a stop that fails).
	 */
	err = sdxi_fn_stop(sdxi);
	if (err)
		return ERR_PTR(dev_err_probe(dev, err, "function does not stop\n"));
	err = sdxi_fn_read_caps(sdxi) ?:
	      devm_add_action_or_reset(dev, sdxi_teardown, sdxi);
	if (err)
		return ERR_PTR(err);

	/* 2.a-b The L2 table; then the admin context and the error log. */
	err = sdxi_fn_tables_alloc(sdxi) ?: sdxi_errlog_alloc(sdxi) ?:
	      sdxi_admin_cxt_create(sdxi);
	if (err)
		return ERR_PTR(dev_err_probe(dev, err, "allocating admin structures\n"));
	err = sdxi_errlog_request_irq(sdxi);
	if (err)
		return ERR_PTR(err);

	scoped_guard(mutex, &sdxi->adm_lock) {
		err = sdxi_fn_activate(sdxi);
		if (!err)
			WRITE_ONCE(sdxi->state, SDXI_DEV_ACTIVE);
	}
	if (err)
		return ERR_PTR(dev_err_probe(dev, err, "activation failed\n"));

	dev_info(dev, "SDXI %u.%u function active: %u contexts, ring <= %u, doorbell stride %u, op groups %#x\n",
		 sdxi->ver_major, sdxi->ver_minor, sdxi->max_cxt,
		 sdxi->max_ring_entries, sdxi->db_stride, sdxi->opb);
	return sdxi;
}

/**
 * sdxi_remove() - unbinding, from the bus driver's remove()
 * @dev: the bus device
 *
 * Called once the bus glue has removed /dev/sdxiN, whose user contexts
 * hold PASIDs the driver core wants detached before devres runs: frees
 * those that could not be quiesced by stopping the function; devres then
 * does the rest.
 */
void sdxi_remove(struct device *dev)
{
	struct sdxi_fn *sdxi = dev_get_drvdata(dev);

	if (!sdxi)
		return;
	/*
	 * A user context that could not be quiesced still holds its PASID:
	 * stop the function (a recovery) so that it is freed before the
	 * driver core takes the device's DMA ownership back.
	 */
	if (atomic_read(&sdxi->nr_leaked))
		sdxi_fn_recover_sync(sdxi);
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
	struct sdxi_fn *sdxi = dev_get_drvdata(dev);

	if (!sdxi)
		return;
	disable_delayed_work_sync(&sdxi->recover_work);
	guard(mutex)(&sdxi->adm_lock);
	sdxi->admin_up = false;
	WRITE_ONCE(sdxi->state, SDXI_DEV_REMOVED);
	sdxi_fn_stop(sdxi);
}
