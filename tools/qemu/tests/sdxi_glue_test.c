// SPDX-License-Identifier: GPL-2.0-only
/*
 * End-to-end test of the QEMU sdxi device glue (tools/qemu/hw/sdxi-pci.c),
 * independent of sdxi.ko: binds to the function by class, drives it by
 * hand as Documentation/hardware.rst describes, and prints TAP lines
 * ("sdxi_glue: ok N - name") to the kernel log.  It checks what the glue
 * adds to the engine: DMA through the requester-ID domain, MSI-X delivery,
 * an IOMMU fault turned into a translation error with an error-log
 * interrupt, and PASID-tagged DMA through a private paging domain (as
 * sdxi.ko's user contexts use, uapi.rst) that cannot reach the DMA domain's
 * mappings.  With sva=1 it also binds the loading process's address space
 * (iommu_sva_bind_device) and copies between its pages through the mm's
 * PASID: the IOMMU walks the CPU's page tables.
 * The test runs once, at probe; it is never unloaded (the VM powers off).
 */
#include <linux/delay.h>
#include <linux/interrupt.h>
#include <linux/io-64-nonatomic-lo-hi.h>
#include <linux/iommu.h>
#include <linux/mman.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/sched/mm.h>
#include <linux/sdxi_hw.h>
#include <sdxi/function.h>
#include <sdxi/encode.h>
#include <linux/uaccess.h>
#include <linux/version.h>

#define RING_ENTRIES	1024
#define PASID_IOVA	0x40000000UL
#define PASID_ORDER	6		/* 64 pages mapped under the PASID */
#define UNMAPPED_IOVA	0x7ff00000000ULL
#define MSI_WINDOW	0xfee00000ULL
#define SVA_PAGES	32		/* the process's buffer: ring, status, data */

static bool sva;
module_param(sva, bool, 0444);
MODULE_PARM_DESC(sva, "also test shared virtual addressing on the loading process's mm");

struct glue {
	struct pci_dev *pdev;
	void __iomem *mmio;
	void __iomem *db;
	void *buf;
	dma_addr_t dma;
	atomic_t irqs[2];
	int tests;
	u64 index0;			/* admin context write index */
	__le64 *l2;
	struct sdxi_cxt_l1_ent *l1;
	struct sdxi_errlog_ent *log;
	struct sdxi_cxt_ctl *ctl0, *ctl1, *ctl2, *ctl3;
	struct sdxi_cxt_sts *sts0;
	__le64 *wi0;
	struct sdxi_cst_blk *cst;
	struct sdxi_akey_ent *akey;
	u8 *src, *dst;
	union sdxi_desc *ring0;
};

static void tap(struct glue *g, bool ok, const char *name)
{
	pr_info("sdxi_glue: %sok %d - %s\n", ok ? "" : "not ", ++g->tests, name);
}

/* Bus address of a pointer into the coherent buffer. */
static u64 bus(struct glue *g, const void *p)
{
	return g->dma + ((const u8 *)p - (const u8 *)g->buf);
}

static irqreturn_t glue_irq(int irq, void *counter)
{
	atomic_inc(counter);
	return IRQ_HANDLED;
}

/* The function decrements signal when the descriptor retires. */
static bool wait_signal(struct sdxi_cst_blk *cst)
{
	int i;

	for (i = 0; i < 2000; i++) {
		if (!READ_ONCE(cst->signal))
			return true;
		usleep_range(500, 1000);
	}
	return false;
}

static bool failed(const struct sdxi_cst_blk *cst)
{
	return le32_to_cpu(READ_ONCE(cst->flags)) & SDXI_CST_BLK_ER;
}

/* Publish @d in ring @ring, then write index @wi and ring doorbell @cxt. */
static void submit(struct glue *g, union sdxi_desc *ring, __le64 *wi,
		   u64 *index, unsigned int cxt, const union sdxi_desc *d)
{
	union sdxi_desc *slot = &ring[*index % RING_ENTRIES];

	memcpy(&slot->qw[1], &d->qw[1], sizeof(*d) - sizeof(d->qw[0]));
	/* The function reads the body only after it sees vl in qword 0. */
	dma_wmb();
	WRITE_ONCE(slot->qw[0], d->qw[0]);
	(*index)++;
	/* The slot before the write index that publishes it. */
	dma_wmb();
	WRITE_ONCE(*wi, cpu_to_le64(*index));
	/* writeq() is ordered after earlier writes to DMA memory. */
	writeq(*index, g->db + cxt * SDXI_DB_STRIDE_BYTES(0));
}

static __le32 opcode(u32 type, u32 subtype)
{
	return cpu_to_le32(SDXI_DSC_VL | SDXI_FIELD_PREP(SDXI_DSC_SUBTYPE, subtype) |
			   SDXI_FIELD_PREP(SDXI_DSC_TYPE, type));
}

/* A valid COPY through AKey 0, built by the shared encoder. */
static void copy_desc(union sdxi_desc *d, u64 src, u64 dst, u32 len, u64 csb)
{
	const struct sdxi_desc_attr a = { .csb = csb };

	WARN_ON(sdxi_prep_copy(d, &a, dst, src, len));
	d->qw[0] |= cpu_to_le64(SDXI_DSC_VL);
}

/* Carve the coherent buffer (page aligned) and build the admin context. */
static int setup(struct glue *g)
{
	u8 *p;
	u64 v;
	int i;

	g->buf = dmam_alloc_coherent(&g->pdev->dev, 128 * 1024, &g->dma, GFP_KERNEL);
	if (!g->buf)
		return -ENOMEM;
	p = g->buf;
	g->l2 = (void *)p;
	g->l1 = (void *)(p + 4096);
	g->log = (void *)(p + 2 * 4096);
	g->akey = (void *)(p + 3 * 4096);
	g->ctl0 = (void *)(p + 4 * 4096);
	g->ctl1 = (void *)(p + 4 * 4096 + 64);
	g->ctl2 = (void *)(p + 4 * 4096 + 128);
	g->sts0 = (void *)(p + 4 * 4096 + 192);
	g->wi0 = (void *)(p + 4 * 4096 + 256);
	g->cst = (void *)(p + 4 * 4096 + 320);
	g->src = p + 5 * 4096;
	g->dst = p + 6 * 4096;
	g->ctl3 = (void *)(p + 7 * 4096);
	g->ring0 = (void *)(p + 8 * 4096);

	g->l2[0] = cpu_to_le64(bus(g, g->l1) | SDXI_L2_ENT_VL);
	g->akey[0].intr = cpu_to_le16(SDXI_AKEY_VL);
	g->l1[0].cxt_ctl_ptr = cpu_to_le64(bus(g, g->ctl0) | SDXI_L1_ENT_VL);
	g->l1[0].akey_ptr = cpu_to_le64(bus(g, g->akey));
	g->l1[0].misc = cpu_to_le32(SDXI_FIELD_PREP(SDXI_L1_ENT_MAX_BUFFER, 11U));
	g->l1[0].opb_000_enb = cpu_to_le32(SDXI_OPB_DMAB | SDXI_OPB_ADMIN);
	g->ctl0->ds_ring_ptr = cpu_to_le64(bus(g, g->ring0) | SDXI_CXT_CTL_VL);
	g->ctl0->ds_ring_sz = cpu_to_le32(RING_ENTRIES);
	g->ctl0->cxt_sts_ptr = cpu_to_le64(bus(g, g->sts0));
	g->ctl0->write_index_ptr = cpu_to_le64(bus(g, g->wi0));
	g->sts0->state = SDXI_CXTV_RUN;

	writeq(bus(g, g->log) | SDXI_FIELD_PREP(SDXI_ERR_CFG_SZ, 1ULL) | SDXI_ERR_CFG_EN,
	       g->mmio + SDXI_MMIO_ERR_CFG);
	writeq(SDXI_ERR_CTL_EN, g->mmio + SDXI_MMIO_ERR_CTL);
	writeq(bus(g, g->l2), g->mmio + SDXI_MMIO_CXT_L2);
	writeq(SDXI_FIELD_PREP(SDXI_CTL2_MAX_BUFFER, 11ULL) |
	       SDXI_FIELD_PREP(SDXI_CTL2_MAX_CXT, 127ULL) |
	       SDXI_FIELD_PREP(SDXI_CTL2_OPB_000_AVL, 0xfULL), g->mmio + SDXI_MMIO_CTL2);
	writeq(SDXI_GSR_ACTIVE, g->mmio + SDXI_MMIO_CTL0);
	for (i = 0; i < 1000; i++) {
		v = readq(g->mmio + SDXI_MMIO_STS0) & SDXI_STS0_FN_GSV;
		if (v == SDXI_GSV_ACTIVE || v == SDXI_GSV_ERROR)
			break;
		usleep_range(500, 1000);
	}
	return v == SDXI_GSV_ACTIVE ? 0 : -EIO;
}

static void test_rid(struct glue *g)
{
	union sdxi_desc d;
	u64 hd;
	int i;

	for (i = 0; i < 4096; i++)
		g->src[i] = i * 7 + 3;
	g->cst[0].signal = cpu_to_le64(1);
	copy_desc(&d, bus(g, g->src), bus(g, g->dst), 4096, bus(g, &g->cst[0]));
	submit(g, g->ring0, g->wi0, &g->index0, 0, &d);
	tap(g, wait_signal(&g->cst[0]) && !failed(&g->cst[0]) &&
	    !memcmp(g->src, g->dst, 4096), "copy_through_the_requester_id_domain");

	g->cst[1].signal = cpu_to_le64(1);
	memset(&d, 0, sizeof(d));
	d.adm_intr.opcode = opcode(SDXI_DSC_TYPE_ADMIN, SDXI_DSC_ADM_INTR);
	d.adm_intr.intr_num = cpu_to_le16(1);
	d.adm_intr.csb_ptr = cpu_to_le64(bus(g, &g->cst[1]));
	submit(g, g->ring0, g->wi0, &g->index0, 0, &d);
	wait_signal(&g->cst[1]);
	msleep(20);
	tap(g, atomic_read(&g->irqs[1]) == 1, "msix_vector_1_delivered");

	g->cst[2].signal = cpu_to_le64(1);
	copy_desc(&d, UNMAPPED_IOVA, bus(g, g->dst), 4096, bus(g, &g->cst[2]));
	submit(g, g->ring0, g->wi0, &g->index0, 0, &d);
	wait_signal(&g->cst[2]);
	msleep(20);
	hd = le64_to_cpu(g->log[0].hd);
	tap(g, failed(&g->cst[2]) &&
	    SDXI_FIELD_GET(SDXI_ERRLOG_STEP, hd) == SDXI_STEP_DATA &&
	    SDXI_FIELD_GET(SDXI_ERRLOG_SUB_STEP, hd) == SDXI_SUB_STEP_XLATE &&
	    le16_to_cpu(g->log[0].err_class) == SDXI_ERR_XLATE &&
	    le64_to_cpu(g->log[0].vendor_addr) == UNMAPPED_IOVA,
	    "iommu_fault_is_a_translation_error");
	tap(g, atomic_read(&g->irqs[0]) >= 1, "error_log_vector_0_delivered");
}

/*
 * Point context @id (L1 entry @id, CXT_CTL @ctl) at a ring at @iova under
 * @pasid, with its status 16 pages later, and start it through the admin
 * context (completion in g->cst[@csb]).
 */
static bool start_pasid_context(struct glue *g, unsigned int id, struct sdxi_cxt_ctl *ctl,
				ioasid_t pasid, u64 iova, unsigned int csb)
{
	union sdxi_desc d;

	g->l1[id].cxt_ctl_ptr = cpu_to_le64(bus(g, ctl) | SDXI_L1_ENT_VL | SDXI_L1_ENT_PV);
	g->l1[id].akey_ptr = cpu_to_le64(bus(g, g->akey));
	g->l1[id].misc = cpu_to_le32(SDXI_FIELD_PREP(SDXI_L1_ENT_CXT_PASID, pasid) |
				     SDXI_FIELD_PREP(SDXI_L1_ENT_MAX_BUFFER, 11U));
	g->l1[id].opb_000_enb = cpu_to_le32(SDXI_OPB_DMAB);
	ctl->ds_ring_ptr = cpu_to_le64(iova | SDXI_CXT_CTL_VL);
	ctl->ds_ring_sz = cpu_to_le32(RING_ENTRIES);
	ctl->cxt_sts_ptr = cpu_to_le64(iova + 16 * PAGE_SIZE);
	ctl->write_index_ptr = cpu_to_le64(iova + 16 * PAGE_SIZE + 64);

	g->cst[csb].signal = cpu_to_le64(1);
	memset(&d, 0, sizeof(d));
	d.cxt_start.opcode = opcode(SDXI_DSC_TYPE_ADMIN, SDXI_DSC_CXT_START_NM);
	d.cxt_start.cxt_start = cpu_to_le16(id);
	d.cxt_start.cxt_end = cpu_to_le16(id);
	d.cxt_start.csb_ptr = cpu_to_le64(bus(g, &g->cst[csb]));
	submit(g, g->ring0, g->wi0, &g->index0, 0, &d);
	return wait_signal(&g->cst[csb]) && !failed(&g->cst[csb]);
}

static void test_pasid(struct glue *g)
{
	struct device *dev = &g->pdev->dev;
	struct sdxi_cst_blk *cst1, *cst2;
	struct sdxi_cxt_sts *sts1, *sts2;
	union sdxi_desc *ring1, d;
	struct iommu_domain *dom;
	u64 index1 = 0, index2 = 0;
	__le64 *wi1;
	struct page *pg;
	ioasid_t pasid;
	u8 *va;
	int i, ret;

	if (!dev->iommu) {	/* iommu_alloc_global_pasid() needs one */
		tap(g, false, "private_domain_attached_to_a_pasid");
		return;
	}
	pasid = iommu_alloc_global_pasid(dev);
	dom = iommu_paging_domain_alloc(dev);
	pg = alloc_pages(GFP_KERNEL | __GFP_ZERO, PASID_ORDER);
	ret = pasid == IOMMU_PASID_INVALID || IS_ERR(dom) || !pg;
	if (!ret)
		ret = iommu_map(dom, PASID_IOVA, page_to_phys(pg), PAGE_SIZE << PASID_ORDER,
				IOMMU_READ | IOMMU_WRITE, GFP_KERNEL);
	if (!ret)
		ret = iommu_attach_device_pasid(dom, dev, pasid, NULL);
	pr_info("sdxi_glue: # pasid %u, max_pasids %u, attach %d\n", pasid,
		dev->iommu ? dev->iommu->max_pasids : 0, ret);
	tap(g, !ret, "private_domain_attached_to_a_pasid");
	if (ret)
		return;
	tap(g, dev->iommu->max_pasids == 256, "iommu_offers_256_pasids");

	/* Context 1's ring, status, write index and buffers live under the PASID. */
	va = page_address(pg);
	ring1 = (void *)va;
	sts1 = (void *)(va + 16 * PAGE_SIZE);
	wi1 = (void *)(va + 16 * PAGE_SIZE + 64);
	cst1 = (void *)(va + 16 * PAGE_SIZE + 128);
	for (i = 0; i < 4096; i++)
		va[17 * PAGE_SIZE + i] = i * 13 + 1;

	/* Context 2: ring at page 32, status page 48, same PASID. */
	sts2 = (void *)(va + 48 * PAGE_SIZE);
	tap(g, start_pasid_context(g, 1, g->ctl1, pasid, PASID_IOVA, 3) &&
	    READ_ONCE(sts1->state) == SDXI_CXTV_RUN, "context_started_under_the_pasid");

	cst1[0].signal = cpu_to_le64(1);
	copy_desc(&d, PASID_IOVA + 17 * PAGE_SIZE, PASID_IOVA + 18 * PAGE_SIZE, 4096,
		  PASID_IOVA + 16 * PAGE_SIZE + 128);
	submit(g, ring1, wi1, &index1, 1, &d);
	tap(g, wait_signal(&cst1[0]) && !failed(&cst1[0]) &&
	    !memcmp(va + 17 * PAGE_SIZE, va + 18 * PAGE_SIZE, 4096),
	    "copy_through_the_pasid_domain");

	/* A bus address of the DMA domain means nothing under the PASID. */
	cst1[1].signal = cpu_to_le64(1);
	copy_desc(&d, bus(g, g->src), PASID_IOVA + 18 * PAGE_SIZE, 4096,
		  PASID_IOVA + 16 * PAGE_SIZE + 160);
	submit(g, ring1, wi1, &index1, 1, &d);
	wait_signal(&cst1[1]);
	msleep(20);
	tap(g, failed(&cst1[1]) && READ_ONCE(sts1->state) == SDXI_CXTV_ERR_FN &&
	    le16_to_cpu(g->log[1].err_class) == SDXI_ERR_XLATE &&
	    le64_to_cpu(g->log[1].vendor_addr) == bus(g, g->src),
	    "pasid_domain_cannot_reach_the_dma_domain");

	/*
	 * VT-d's per-PASID address space cannot translate the MSI window
	 * (QEMU 10.2's VT-d model asserts); the glue must refuse it, not crash.
	 */
	if (!start_pasid_context(g, 2, g->ctl2, pasid, PASID_IOVA + 32 * PAGE_SIZE, 4)) {
		tap(g, false, "pasid_write_to_the_msi_window_faults");
		return;
	}
	cst2 = (void *)(va + 48 * PAGE_SIZE + 128);
	cst2->signal = cpu_to_le64(1);
	copy_desc(&d, PASID_IOVA + 17 * PAGE_SIZE, MSI_WINDOW, 64,
		  PASID_IOVA + 48 * PAGE_SIZE + 128);
	submit(g, (void *)(va + 32 * PAGE_SIZE), (void *)(va + 48 * PAGE_SIZE + 64),
	       &index2, 2, &d);
	wait_signal(cst2);
	tap(g, failed(cst2) && READ_ONCE(sts2->state) == SDXI_CXTV_ERR_FN &&
	    le16_to_cpu(g->log[2].err_class) == SDXI_ERR_XLATE,
	    "pasid_write_to_the_msi_window_faults");
}

/* Wait until the completion signal at @p, in the current process, reads 0. */
static bool wait_user_signal(u64 __user *p)
{
	u64 v;
	int i;

	for (i = 0; i < 2000; i++) {
		if (get_user(v, p))
			return false;
		if (!v)
			return true;
		usleep_range(500, 1000);
	}
	return false;
}

/* submit() for a ring and write index in the current process's memory. */
static bool submit_user(struct glue *g, union sdxi_desc __user *ring, u64 __user *wi,
			u64 *index, unsigned int cxt, const union sdxi_desc *d)
{
	union sdxi_desc __user *slot = &ring[*index % RING_ENTRIES];

	if (copy_to_user(&slot->qw[1], &d->qw[1], sizeof(*d) - sizeof(d->qw[0])))
		return false;
	/* The function reads the body only after it sees vl in qword 0. */
	dma_wmb();
	if (put_user(d->qw[0], &slot->qw[0]))
		return false;
	(*index)++;
	/* The slot before the write index that publishes it. */
	dma_wmb();
	if (put_user(cpu_to_le64(*index), wi))
		return false;
	writeq(*index, g->db + cxt * SDXI_DB_STRIDE_BYTES(0));
	return true;
}

/*
 * COPY @len bytes @src -> @dst on SVA context @cxt (ring at @ring, status
 * and write index at @sts), completion @slot of its CST_BLK array; true when
 * it completed without ER.
 */
static bool sva_copy(struct glue *g, u8 __user *sts, union sdxi_desc __user *ring,
		     u64 *index, unsigned int cxt, u64 src, u64 dst, u32 len,
		     unsigned int slot)
{
	u64 __user *csb = (u64 __user *)(sts + 128 + 32 * slot);
	u32 flags = 0;
	union sdxi_desc d;

	copy_desc(&d, src, dst, len, (u64)(uintptr_t)csb);
	if (put_user(cpu_to_le64(1), csb) ||
	    !submit_user(g, ring, (u64 __user *)(sts + 64), index, cxt, &d) ||
	    !wait_user_signal(csb))
		return false;
	return !get_user(flags, (u32 __user *)(csb + 1)) && !(flags & SDXI_CST_BLK_ER);
}

/* The context failed with a translation error at @addr, logged as entry @n. */
static bool sva_xlate_error(struct glue *g, u8 __user *sts, unsigned int n, u64 addr)
{
	struct sdxi_cxt_sts st;
	u64 hd = le64_to_cpu(g->log[n].hd);

	msleep(20);
	if (copy_from_user(&st, sts, sizeof(st)))
		return false;
	pr_info("sdxi_glue: # state %u, log %u: step %llu sub-step %llu class %u at %#llx (want %#llx)\n",
		st.state, n, SDXI_FIELD_GET(SDXI_ERRLOG_STEP, hd),
		SDXI_FIELD_GET(SDXI_ERRLOG_SUB_STEP, hd), le16_to_cpu(g->log[n].err_class),
		le64_to_cpu(g->log[n].vendor_addr), addr);
	return st.state == SDXI_CXTV_ERR_FN &&
	       SDXI_FIELD_GET(SDXI_ERRLOG_STEP, hd) == SDXI_STEP_DATA &&
	       SDXI_FIELD_GET(SDXI_ERRLOG_SUB_STEP, hd) == SDXI_SUB_STEP_XLATE &&
	       le16_to_cpu(g->log[n].err_class) == SDXI_ERR_XLATE &&
	       le64_to_cpu(g->log[n].vendor_addr) == addr;
}

/* @len bytes at @u read back as @val + i * @mul. */
static bool user_pattern(u8 *k, const u8 __user *u, size_t len, u8 val, u8 mul)
{
	size_t i;

	if (copy_from_user(k, u, len))
		return false;
	for (i = 0; i < len; i++)
		if (k[i] != (u8)(val + i * mul))
			return false;
	return true;
}

static bool user_fill(u8 *k, u8 __user *u, size_t len, u8 val, u8 mul)
{
	size_t i;

	for (i = 0; i < len; i++)
		k[i] = val + i * mul;
	return !copy_to_user(u, k, len);
}

/*
 * Shared virtual addressing: bind the loading process's mm (probe runs in
 * insmod's context) and run context 3 under the mm's PASID with its ring,
 * status, completion and data all at the process's virtual addresses.
 * The ring and status pages are touched by the CPU first (the admin
 * context writes CXT_STS when it starts a context); data pages are not
 * always: a page never touched is translated through ATS and brought in
 * with a PRI page request (hardware.rst, "ATS and page requests").
 * Page map of the 32-page buffer: ring 0-15, status 16, source 17, copies
 * 18-20, never touched 24-26, remapped 28, unmapped 30.
 */
static void test_sva(struct glue *g)
{
	struct pci_dev *pdev = g->pdev;
	struct iommu_sva *handle;
	union sdxi_desc __user *ring;
	struct sdxi_cxt_sts sts;
	unsigned long uva, uva2 = -ENOMEM, ro = -ENOMEM, v;
	u64 index = 0, index2 = 0;
	u8 __user *u, *st;
	u8 __user *u2;
	u32 pasid;
	u8 *k;
	int ret;
	bool ok;

	pr_info("sdxi_glue: # pasid %d ats %d pri %d enabled by the IOMMU driver\n",
		pdev->pasid_enabled, pdev->ats_enabled, pdev->pri_enabled);
	tap(g, pdev->pasid_enabled && pdev->ats_enabled, "iommu_enabled_pasid_and_ats");
	handle = iommu_sva_bind_device(&pdev->dev, current->mm);
	ret = PTR_ERR_OR_ZERO(handle);
	pr_info("sdxi_glue: # iommu_sva_bind_device: %d\n", ret);
	if (ret == -EOPNOTSUPP && LINUX_VERSION_CODE < KERNEL_VERSION(7, 0, 0)) {
		/* 6.12: drivers/iommu/iommu-sva.c refuses every bind on x86. */
		pr_info("sdxi_glue: ok %d - sva_bind_on_the_loading_process_mm # SKIP this kernel refuses SVA on x86 (-EOPNOTSUPP)\n",
			++g->tests);
		return;
	}
	tap(g, !ret, "sva_bind_on_the_loading_process_mm");
	if (ret)
		return;
	tap(g, pdev->pri_enabled, "iommu_enabled_pri");
	pasid = iommu_sva_get_pasid(handle);
	pr_info("sdxi_glue: # mm pasid %u\n", pasid);

	uva = vm_mmap(NULL, 0, SVA_PAGES * PAGE_SIZE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, 0);
	k = kmalloc(PAGE_SIZE, GFP_KERNEL);
	ok = !IS_ERR_VALUE(uva) && k;
	u = (u8 __user *)uva;
	st = u + 16 * PAGE_SIZE;
	ok = ok && !clear_user(u, 21 * PAGE_SIZE) &&
	     user_fill(k, u + 17 * PAGE_SIZE, PAGE_SIZE, 5, 11);
	ok = ok && start_pasid_context(g, 3, g->ctl3, pasid, uva, 5) &&
	     !copy_from_user(&sts, st, sizeof(sts)) && sts.state == SDXI_CXTV_RUN;
	tap(g, ok, "context_started_under_the_mm_pasid");
	if (!ok)
		goto out;

	ring = (union sdxi_desc __user *)u;
	tap(g, sva_copy(g, st, ring, &index, 3, uva + 17 * PAGE_SIZE, uva + 18 * PAGE_SIZE,
			PAGE_SIZE, 0) &&
	    user_pattern(k, u + 18 * PAGE_SIZE, PAGE_SIZE, 5, 11),
	    "copy_through_the_process_page_tables");

	/* Pages 24 and 25 were never touched: page requests bring them in. */
	tap(g, sva_copy(g, st, ring, &index, 3, uva + 17 * PAGE_SIZE + 100,
			uva + 24 * PAGE_SIZE + 100, 2 * PAGE_SIZE - 200, 1) &&
	    user_pattern(k, u + 24 * PAGE_SIZE + 100, PAGE_SIZE - 100, (u8)(5 + 100 * 11), 11),
	    "copy_to_never_touched_pages_through_page_requests");
	/* Page 26 was never touched: it reads as zeros. */
	ok = user_fill(k, u + 19 * PAGE_SIZE, PAGE_SIZE, 0xee, 0) &&
	     sva_copy(g, st, ring, &index, 3, uva + 26 * PAGE_SIZE, uva + 19 * PAGE_SIZE,
		      PAGE_SIZE, 2) &&
	     user_pattern(k, u + 19 * PAGE_SIZE, PAGE_SIZE, 0, 0);
	tap(g, ok, "copy_from_a_never_touched_page_reads_zeros");

	/*
	 * Page 28 is read once (its translation is now in the device TLB),
	 * then unmapped and replaced by a new page at the same address: the
	 * next read must see the new page, not the stale translation.
	 */
	v = uva + 28 * PAGE_SIZE;
	ok = user_fill(k, (u8 __user *)v, PAGE_SIZE, 1, 3) &&
	     sva_copy(g, st, ring, &index, 3, v, uva + 20 * PAGE_SIZE, PAGE_SIZE, 3) &&
	     user_pattern(k, u + 20 * PAGE_SIZE, PAGE_SIZE, 1, 3);
	ok = ok && !vm_munmap(v, PAGE_SIZE) &&
	     vm_mmap(NULL, v, PAGE_SIZE, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, 0) == v &&
	     user_fill(k, (u8 __user *)v, PAGE_SIZE, 7, 5) &&
	     sva_copy(g, st, ring, &index, 3, v, uva + 20 * PAGE_SIZE, PAGE_SIZE, 4) &&
	     user_pattern(k, u + 20 * PAGE_SIZE, PAGE_SIZE, 7, 5);
	tap(g, ok, "remapped_page_is_never_read_through_a_stale_translation");

	/* An unmapped destination: the page request fails. */
	v = uva + 30 * PAGE_SIZE;
	ok = !vm_munmap(v, PAGE_SIZE);
	sva_copy(g, st, ring, &index, 3, uva + 17 * PAGE_SIZE, v, PAGE_SIZE, 5);
	tap(g, ok && sva_xlate_error(g, st, 3, v),
	    "unmapped_destination_is_the_contexts_translation_error");

	/* A read-only destination, on context 4: an error and no write. */
	uva2 = vm_mmap(NULL, 0, 17 * PAGE_SIZE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, 0);
	ro = vm_mmap(NULL, 0, PAGE_SIZE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, 0);
	u2 = (u8 __user *)uva2;
	ok = !IS_ERR_VALUE(uva2) && !IS_ERR_VALUE(ro) && !clear_user(u2, 17 * PAGE_SIZE) &&
	     start_pasid_context(g, 4, (struct sdxi_cxt_ctl *)((u8 *)g->ctl3 + 64), pasid,
				 uva2, 6) &&
	     !copy_from_user(&sts, u2 + 16 * PAGE_SIZE, sizeof(sts)) &&
	     sts.state == SDXI_CXTV_RUN;
	if (ok)
		sva_copy(g, u2 + 16 * PAGE_SIZE, (union sdxi_desc __user *)u2, &index2, 4,
			 uva + 17 * PAGE_SIZE, ro, PAGE_SIZE, 0);
	tap(g, ok && sva_xlate_error(g, u2 + 16 * PAGE_SIZE, 4, ro) &&
	    user_pattern(k, (u8 __user *)ro, PAGE_SIZE, 0, 0),
	    "read_only_destination_is_the_contexts_translation_error_and_unwritten");
out:
	kfree(k);
	if (!IS_ERR_VALUE(ro))
		vm_munmap(ro, PAGE_SIZE);
	if (!IS_ERR_VALUE(uva2))
		vm_munmap(uva2, 17 * PAGE_SIZE);
	if (!IS_ERR_VALUE(uva))
		vm_munmap(uva, SVA_PAGES * PAGE_SIZE);
	iommu_sva_unbind_device(handle);
}

static int glue_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct glue *g;
	int i, ret;

	g = devm_kzalloc(&pdev->dev, sizeof(*g), GFP_KERNEL);
	if (!g)
		return -ENOMEM;
	g->pdev = pdev;
	ret = pcim_enable_device(pdev);
	if (ret)
		return ret;
	pci_set_master(pdev);
	ret = dma_set_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(64));
	if (ret)
		return ret;
	g->mmio = pcim_iomap(pdev, 0, 0);
	g->db = pcim_iomap(pdev, 2, 0);
	if (!g->mmio || !g->db)
		return -ENOMEM;
	ret = pci_alloc_irq_vectors(pdev, 2, 2, PCI_IRQ_MSIX);
	tap(g, ret == 2, "two_msix_vectors_allocated");
	if (ret != 2)
		return ret < 0 ? ret : -ENOSPC;
	for (i = 0; i < 2; i++) {
		ret = devm_request_irq(&pdev->dev, pci_irq_vector(pdev, i), glue_irq, 0,
				       "sdxi_glue", &g->irqs[i]);
		if (ret)
			return ret;
	}
	ret = setup(g);
	tap(g, !ret, "function_active");
	if (ret)
		return ret;
	test_rid(g);
	test_pasid(g);
	if (sva)
		test_sva(g);
	pr_info("sdxi_glue: done\n");
	return 0;
}

static const struct pci_device_id glue_ids[] = {
	{ PCI_DEVICE_CLASS(SDXI_PCI_CLASS, 0xffffff) },
	{ }
};
MODULE_DEVICE_TABLE(pci, glue_ids);

static struct pci_driver glue_driver = {
	.name = "sdxi_glue_test",
	.id_table = glue_ids,
	.probe = glue_probe,
};
module_pci_driver(glue_driver);

MODULE_DESCRIPTION("End-to-end test of the QEMU sdxi device glue");
MODULE_LICENSE("GPL");
