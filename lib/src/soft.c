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
 *   - Each context gets its own PASID, and reaches its own regions and
 *     the memory registered with it (soft_iommu.c).
 *   - Contexts are started and stopped through admin descriptors on
 *     context 0, error-log entries are routed to their context as records
 *     (soft_errlog.c), interrupts (AKey entries) signal the context's
 *     eventfd (soft_thread.c).
 *
 * This file brings the function up, runs admin descriptors, manages
 * contexts and implements the backend operations libsdxi calls.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "soft.h"

static const struct sdxie_host_ops soft_host_ops = {
	.read = soft_read,
	.write = soft_write,
	.map = soft_map_host,
	.unmap = soft_unmap_host,
	.pasid_usable = soft_pasid_usable,
	.irq = soft_irq,
	.kick = soft_kick,
};

/* Zeroed, @align-aligned memory from the function's private arena. */
static void *arena_alloc(struct soft_dev *sd, uint64_t size, uint64_t align)
{
	uint64_t a = ALIGN_UP(sd->brk, align);

	if (a + size > SOFT_ARENA_SIZE)
		return NULL;
	sd->brk = a + size;
	return sd->arena + a;
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
	sd->l2 = arena_alloc(sd, SOFT_PAGE, SOFT_PAGE);
	sd->l1 = arena_alloc(sd, SOFT_PAGE, SOFT_PAGE);
	sd->errlog = arena_alloc(sd, SOFT_ERRLOG_ENTRIES * sizeof(struct sdxi_errlog_ent), SOFT_PAGE);
	sd->admin_ring = arena_alloc(sd, SOFT_ADMIN_ENTRIES * SDXI_DESC_SIZE, SOFT_PAGE);
	sd->admin_csb = arena_alloc(sd, SOFT_ADMIN_ENTRIES * sizeof(struct sdxi_cst_blk), SOFT_PAGE);
	sd->admin_wi = arena_alloc(sd, 64, 64);
	sd->admin_sts = arena_alloc(sd, 64, 64);
	for (uint32_t id = 0; id <= SOFT_MAX_CXT; id++) {
		sd->ctl[id] = arena_alloc(sd, sizeof(struct sdxi_cxt_ctl), 64);
		sd->akey[id] = arena_alloc(sd, SOFT_AKEY_BYTES, SOFT_PAGE);
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
	soft_thread_stop(sd);
	sdxie_fn_free(sd->fn);
	unmap_guarded(sd->arena, SOFT_ARENA_SIZE);
	soft_mem_fini(sd);
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
	in->flags = SDXI_DEV_SOFT | SDXI_DEV_INTERRUPTS | SDXI_DEV_SVA;
	in->min_ring_entries = SDXI_RING_MIN_ENTRIES;
	in->max_ring_entries = (uint32_t)SDXI_RING_MAX_ENTRIES(sd->cfg.max_ring_sz);
	in->max_buffer = SDXI_MAX_BUFFER_BYTES(sd->cfg.max_buffer);
	in->max_contexts = SOFT_MAX_CXT;
	in->free_contexts = sd->dead ? 0 : SOFT_MAX_CXT - used;
	in->numa_node = -1;
	in->isolation = SDXI_ISOLATE_PASID;
}

/*
 * The model properties of a software device name "soft:P=V,...": the
 * behaviours SDXI 1.0 leaves open, named and valued as the QEMU device's
 * (Documentation/hardware.rst, "Behaviours the specification leaves
 * open"); NULL for none.  0, or -EINVAL for anything else.
 */
static int soft_props(struct sdxie_config *cfg, const char *props)
{
	char buf[256], *save = NULL, *p;
	size_t len = props ? strlen(props) : 0;
	char why[160];

	if (!props)
		return 0;
	/* Every item is P=V: no empty list, no empty item. */
	if (!len || len >= sizeof(buf) || props[0] == ',' || props[len - 1] == ',' ||
	    strstr(props, ",,"))
		return -EINVAL;
	strcpy(buf, props);
	for (p = strtok_r(buf, ",", &save); p; p = strtok_r(NULL, ",", &save)) {
		char *v = strchr(p, '='), *end;
		unsigned long n;

		if (!v)
			return -EINVAL;
		*v++ = 0;
		n = strtoul(v, &end, 0);
		if (!strcmp(p, "read-index") && (!strcmp(v, "fetch") || !strcmp(v, "complete")))
			cfg->read_index_fetch = !strcmp(v, "fetch");
		else if (!strcmp(p, "clear-valid") && (!strcmp(v, "on") || !strcmp(v, "off")))
			cfg->clear_valid = !strcmp(v, "on");
		else if (!strcmp(p, "reset-immediate") && (!strcmp(v, "on") || !strcmp(v, "off")))
			cfg->reset_immediate = !strcmp(v, "on");
		else if (!strcmp(p, "shuffle-seed") && *v && !*end && n <= UINT32_MAX)
			cfg->shuffle_seed = (uint32_t)n;
		else if (!strcmp(p, "burst") && *v && !*end && n <= UINT16_MAX)
			cfg->burst = (uint16_t)n;
		else
			return -EINVAL;
	}
	return sdxie_config_check(cfg, why, sizeof(why)) ? -EINVAL : 0;
}

int soft_open(struct sdxi_dev **devp, const char *props)
{
	struct soft_dev *sd = calloc(1, sizeof(*sd));
	int ret = -ENOMEM;

	if (!sd)
		return -ENOMEM;
	sdxie_config_default(&sd->cfg);
	if (soft_props(&sd->cfg, props)) {
		free(sd);
		return -EINVAL;
	}
	pthread_mutex_init(&sd->lock, NULL);
	sd->mem_fd = -1;
	ret = soft_mem_init(sd);
	if (ret)
		goto fail;
	ret = -ENOMEM;
	sd->arena = map_guarded(SOFT_ARENA_SIZE);
	if (!sd->arena)
		goto fail;
	sd->brk = SOFT_PAGE;		/* keep address arena+0 unused */
	sd->fn = sdxie_fn_new(&sd->cfg, &soft_host_ops, sd);
	if (!sd->fn)
		goto fail;
	ret = fn_init(sd);
	if (ret)
		goto fail;
	ret = soft_thread_start(sd);
	if (ret)
		goto fail;
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

struct soft_dev *soft_of(struct sdxi_dev *dev)
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
	unmap_guarded(sc->regs, 2 * SOFT_PAGE);
	unmap_guarded(sc->csb, sc->csb_bytes);
	free(sc->maps);
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
		.cxt_sts_ptr = htole64(addr_of(sc->regs) + SOFT_PAGE),
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

static int s_ctx_create(struct sdxi_dev *dev, uint32_t entries, bool intr, uint32_t mode,
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
		.sva = mode == SDXI_CTX_MODE_SVA,
	};
	sc->pasid = SOFT_PASID_BASE + sc->id;
	sc->ring_bytes = ALIGN_UP((uint64_t)entries * SDXI_DESC_SIZE, SOFT_PAGE);
	sc->csb_bytes = ALIGN_UP((uint64_t)entries * sizeof(struct sdxi_cst_blk), SOFT_PAGE);
	sc->ring = map_guarded(sc->ring_bytes);
	sc->regs = map_guarded(2 * SOFT_PAGE);
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
	sc->own[1].end = sc->own[1].start + 2 * SOFT_PAGE;
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
		.sts = cxt_sts(sc),
		.db = NULL,
		.csb = sc->csb,
		.csb_iova = addr_of(sc->csb),
		.identity = true,
		.sva = sc->sva,
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
	soft_clear_doorbell(sd, sc->id);
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
		memset(sc->regs, 0, SOFT_PAGE);
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
	.map = soft_map,
	.unmap = soft_unmap,
	.set_eventfd = s_set_eventfd,
	.close = s_close,
	.win_export = soft_win_export,
	.win_revoke = soft_win_revoke,
	.win_import = soft_win_import,
	.win_unimport = soft_win_unimport,
};

