/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * SNIA SDXI 1.0 data mover: QEMU PCIe function glue.
 *
 * All SDXI semantics (register file, function and context state machines,
 * descriptor execution, completions, the error log) live in the engine core
 * (lib/engine, "engine/sdxie.h").  This file only gives the engine a PCIe
 * body: config space, BARs, MSI-X, the DMA address spaces, and a main-loop
 * bottom half to run in.
 *
 * PCI identity: class 0x120100 (processing accelerator, SNIA SDXI, prog-if
 * 0), the class the SDXI Linux drivers match.  SDXI has no assigned vendor
 * or device ID, so we use QEMU's 0x1234 with device 0x5d01; drivers must
 * match the class, never these IDs.
 *
 * Resources:
 *   BAR0 (64-bit)  SDXI MMIO register file, SDXI_BAR0_SIZE (256 KiB).
 *                  4- and 8-byte little-endian accesses, handed to
 *                  sdxie_mmio_read/write().
 *   BAR2 (64-bit)  Doorbells: context N's doorbell is the 64-bit register
 *                  at N * db_stride bytes (SDXI_DB_STRIDE_BYTES); the BAR
 *                  is (max-cxt + 1) * db_stride rounded up to a power of
 *                  two.  Reads return 0.
 *   BAR4           MSI-X table and PBA, "vectors" entries.  Vector 0
 *                  (SDXI_ERRLOG_VECTOR) signals the error log.
 *   config 0x080   PCI Express capability (endpoint), with FLR.
 *   config 0x100   PASID extended capability: 20-bit PASIDs, no execute
 *                  or privileged mode; only the enable bit is writable.
 *   config 0x108   ATS extended capability (pcie_ats_init): invalidate
 *                  queue depth 0 (32), page-aligned requests.
 *   config 0x110   PRI extended capability (pcie_pri_init): 32 outstanding
 *                  page requests, PRG responses carry the PASID.
 *   (PASID, ATS and PRI on the PF only; VFs use the PF's PASID setting.)
 *
 * DMA: requests without a PASID use the function's requester-ID address
 * space (pci_get_address_space(), gated by Bus Master Enable).  Requests
 * with a PASID need Bus Master Enable, the PASID capability enabled and a
 * PASID in 1..2^20-1, and use intel-iommu's per-PASID address space
 * (hardware.rst, "Address spaces"); without an intel-iommu they fall back
 * to the requester-ID space, so there is no PASID isolation in that
 * configuration.  While ATS is enabled (PF, intel-iommu), requests with a
 * PASID are translated with ATS instead, through a device TLB, and a
 * missing page becomes a PRI page request that the context waits for
 * (sdxi_ats_page(); hardware.rst, "ATS and page requests").
 *
 * Execution: doorbells and register writes only record state; the engine
 * runs in a main-loop bottom half, under the BQL.  The BQL is required:
 * with intel-iommu a translation fault raises the fault interrupt
 * synchronously, and vtd_find_add_as() creates MemoryRegions.  Each call
 * runs about one turn of the engine's arbitration (sdxie_run() with a
 * budget of "burst" descriptors: at most that many, and at most
 * SDXIE_TURN_BYTES of data) and reschedules itself while work remains, so
 * the BQL is released between turns: a doorbell write from a vCPU, the
 * admin context's in particular, gets in within one short call, and the
 * engine serves the admin context first in the next one.
 *
 * Capability and arbitration properties (-device sdxi,NAME=VALUE; fixed
 * after realize, checked by sdxie_config_check()):
 *   max-cxt        uint16  highest context ID (CAP1.max_cxt); default 127
 *   max-ring-sz    uint8   largest ring, 1024 << n descriptors
 *                          (CAP0.max_ds_ring_sz); default 4 (16384)
 *   db-stride      uint8   doorbell stride, 4 KiB << n (CAP0.db_stride);
 *                          default 0 (4 KiB)
 *   max-buffer     uint8   largest data buffer, 2^(n + 21) bytes
 *                          (CAP1.max_buffer); default 11 (4 GiB)
 *   max-akey-sz    uint8   largest AKey table, 256 << n entries
 *                          (CAP1.max_akey_sz); default 2 (1024)
 *   max-errlog-sz  uint8   largest error log, 64 << n entries
 *                          (CAP1.max_errlog_sz); default 4 (1024)
 *   op-groups      uint32  CAP1.opb_000_cap operation-group bits;
 *                          default DMAB | ADMIN | ATOMIC | INTR
 *   vectors        uint16  MSI-X vectors; default 128
 *   burst          uint16  descriptors a context executes per turn of the
 *                          engine's arbitration; default 64
 *   total-vfs      uint16  SR-IOV virtual functions (TotalVFs), 0..7;
 *                          default 0: no SR-IOV capability.  Each VF is an
 *                          SDXI function with these properties
 *                          (sdxi-sriov.c)
 *
 * Behaviours SDXI 1.0 leaves open (struct sdxie_config; hardware.rst,
 * "Behaviours the specification leaves open"); fixed after realize:
 *   reset-immediate bool   a RESET requested in STOP completes at once;
 *                          default false (completes in the engine's run)
 *   clear-valid    bool    the function clears a slot's vl once its
 *                          descriptor executed; default false (never
 *                          writes the ring)
 *   shuffle-seed   uint32  nonzero: the order of context turns in each
 *                          arbitration round is shuffled, deterministically
 *                          from this seed; default 0 (round robin)
 *   read-index     string  "complete" (default): R passes a descriptor once
 *                          it retired; "fetch": once it is fetched, before
 *                          its data and CST_BLK are written
 *
 * Fault-injection properties (settable with -device and at run time, e.g.
 * "qom-set /machine/peripheral/sdxi0 stall true"; they survive device
 * reset and FLR, because they belong to the test, not to the function):
 *   fault-addr     uint64  0 = off; otherwise any data access covering this
 *                          address fails
 *   fault-after    uint64  bytes; 0 = off; otherwise the data access that
 *                          crosses this many further bytes fails, once
 *                          (reads back the bytes still to go)
 *   stall          bool    while true the engine executes nothing;
 *                          clearing it restarts execution
 *   force-fn-error bool    writing true puts the function into the error
 *                          state (sdxie_force_fn_error); reads false; run
 *                          time only
 */

#include "qemu/osdep.h"
#include "qemu/host-utils.h"
#include "qemu/log.h"
#include "qemu/main-loop.h"
#include "qemu/module.h"
#include "qemu/rcu.h"
#include "qapi/error.h"
#include "qapi/visitor.h"
#include "hw/i386/intel_iommu.h"
#include "hw/i386/x86-iommu.h"
#include "hw/pci/msix.h"
#include "hw/pci/pci_device.h"
#include "hw/pci/pcie.h"
#include "hw/qdev-properties.h"
#include "migration/vmstate.h"
#include "system/dma.h"
#include "system/memory.h"
#include "trace.h"

#include "engine/sdxie.h"
#include "sdxi-sriov.h"

#define TYPE_SDXI "sdxi"
OBJECT_DECLARE_SIMPLE_TYPE(SdxiState, SDXI)

/* No PCI vendor ID is assigned to SDXI; drivers match SDXI_PCI_CLASS. */
#define SDXI_PCI_DEVICE_ID      0x5d01

#define SDXI_EXP_OFFSET         0x80
#define SDXI_PASID_OFFSET       0x100
#define SDXI_PASID_WIDTH        20
#define SDXI_ATS_OFFSET         0x108
#define SDXI_PRI_OFFSET         0x110
#define SDXI_PRI_OUTSTANDING    32
#define SDXI_MMIO_BAR           0
#define SDXI_DB_BAR             2
#define SDXI_MSIX_BAR           4

/* The x86 MSI window, which VT-d's per-PASID translation cannot take. */
#define SDXI_MSI_WINDOW_FIRST   0xfee00000ULL
#define SDXI_MSI_WINDOW_LAST    0xfeefffffULL

#define SDXI_PAGE_SIZE          4096ULL
#define SDXI_PAGE_MASK          (~(SDXI_PAGE_SIZE - 1))

/* A device-TLB entry: one 4 KiB page of one PASID. */
typedef struct SdxiTlbEntry {
    AddressSpace *target_as;
    hwaddr xlat;                /* translated address of the page */
    IOMMUAccessFlags perm;
} SdxiTlbEntry;

/* An outstanding page request; its PRGI is its index in SdxiState.prq. */
typedef enum {
    SDXI_PRQ_FREE,
    SDXI_PRQ_WAITING,           /* sent, no response yet */
    SDXI_PRQ_FAILED,            /* failed: the next access faults */
} SdxiPrqState;

typedef struct SdxiPageRequest {
    SdxiPrqState state;
    uint32_t pasid;
    uint64_t page;
} SdxiPageRequest;

/* Invalidation and page-response notifiers of one PASID. */
typedef struct SdxiPasidNotifiers {
    SdxiState *s;
    uint32_t pasid;
    IOMMUNotifier inval;
    bool inval_registered;
    IOMMUPRINotifier pri;
} SdxiPasidNotifiers;

/* User-settable capabilities, mapped onto struct sdxie_config. */
typedef struct SdxiParams {
    uint16_t max_cxt;
    uint8_t max_ring_sz;
    uint8_t db_stride;
    uint8_t max_buffer;
    uint8_t max_akey_sz;
    uint8_t max_errlog_sz;
    uint32_t op_groups;
    uint16_t vectors;
    uint16_t burst;
    bool reset_immediate;
    bool clear_valid;
    uint32_t shuffle_seed;
    bool read_index_fetch;      /* parsed from SdxiState.read_index */
    uint16_t total_vfs;
} SdxiParams;

struct SdxiState {
    PCIDevice parent_obj;

    MemoryRegion mmio;          /* BAR0: register file */
    MemoryRegion db;            /* BAR2: doorbells */
    uint64_t db_stride;         /* bytes between two doorbells */

    struct sdxie_fn *fn;        /* the engine; every call under the BQL */
    QEMUBH *bh;                 /* runs sdxie_run() */
    GHashTable *pasid_as;       /* PASID -> AddressSpace *, intel-iommu */
    struct sdxie_faults faults; /* fault knobs set before realize */

    /* ATS and PRI (hardware.rst, "ATS and page requests"). */
    GHashTable *devtlb;         /* sdxi_tlb_key() -> SdxiTlbEntry */
    GHashTable *pasid_ntf;      /* PASID -> SdxiPasidNotifiers */
    SdxiPageRequest prq[SDXI_PRI_OUTSTANDING]; /* index: the PRGI */

    SdxiParams params;
    char *read_index;           /* "read-index": "complete" or "fetch" */
};

static bool sdxi_pasid_enabled(PCIDevice *pd)
{
    PCIDevice *owner = sdxi_sriov_pasid_owner(pd);

    return pci_get_word(owner->config + SDXI_PASID_OFFSET + PCI_PASID_CTRL) &
           PCI_PASID_CTRL_ENABLE;
}

static bool sdxi_bus_master(PCIDevice *pd)
{
    return pci_get_word(pd->config + PCI_COMMAND) & PCI_COMMAND_MASTER;
}

static IntelIOMMUState *sdxi_intel_iommu(void)
{
    X86IOMMUState *x86 = x86_iommu_get_default();

    if (!x86) {
        return NULL;
    }
    return (IntelIOMMUState *)object_dynamic_cast(OBJECT(x86),
                                                  TYPE_INTEL_IOMMU_DEVICE);
}

/*
 * The only place that turns a PASID into an AddressSpace.  QEMU 10.2 has
 * no PCI-level API for PASID-tagged DMA (its ATS API only translates), so
 * with intel-iommu we take VT-d's per-PASID address space directly
 * (vtd_find_add_as() returns the same one on every call, and we cache the
 * pointer per PASID until reset).
 * Without intel-iommu nothing translates PASIDs: the function's
 * requester-ID address space is used, with no isolation between PASIDs.
 * Needs the BQL: vtd_find_add_as() creates MemoryRegions.
 */
static AddressSpace *sdxi_pasid_address_space(SdxiState *s, uint32_t pasid)
{
    PCIDevice *pd = PCI_DEVICE(s);
    IntelIOMMUState *iommu = sdxi_intel_iommu();
    AddressSpace *as;

    if (!iommu) {
        return pci_get_address_space(pd);
    }
    as = g_hash_table_lookup(s->pasid_as, GUINT_TO_POINTER(pasid));
    if (!as) {
        as = &vtd_find_add_as(iommu, pci_get_bus(pd), pd->devfn, pasid)->as;
        g_hash_table_insert(s->pasid_as, GUINT_TO_POINTER(pasid), as);
        trace_sdxi_pasid_as(pasid, true);
    }
    return as;
}

/*
 * Whether a PASID may be used (Documentation/hardware.rst): the PASID
 * capability is enabled, and the value is non-zero and fits its 20 bits.
 * PASID 0 is refused because scalable-mode VT-d uses it as RID_PASID, the
 * requester-ID domain.  With intel-iommu, its PASID mode (x-pasid-mode)
 * must be on too: without it VT-d has no per-PASID translation to offer.
 */
static bool sdxi_pasid_usable(SdxiState *s, uint32_t pasid)
{
    IntelIOMMUState *iommu = sdxi_intel_iommu();

    return sdxi_pasid_enabled(PCI_DEVICE(s)) && pasid != 0 &&
           pasid < (1U << SDXI_PASID_WIDTH) && (!iommu || iommu->pasid);
}

static int sdxi_mem_status(MemTxResult r)
{
    if (r == MEMTX_OK) {
        return SDXIE_MEM_OK;
    }
    /* IOMMU faults and unbacked addresses both decode to nothing. */
    if (r & MEMTX_DECODE_ERROR) {
        return SDXIE_MEM_XLATE;
    }
    return SDXIE_MEM_ACCESS;
}

/*
 * The address space of one access, or NULL when it must fail with a
 * translation error.  The per-PASID address space bypasses the bus-master
 * alias, so Bus Master Enable is checked here.  VT-d's per-PASID space
 * asserts if asked to translate the MSI window (hw/i386/intel_iommu.c,
 * vtd_do_iommu_translate), so PASID requests there are refused.
 */
static AddressSpace *sdxi_dma_as(SdxiState *s, struct sdxie_as sas,
                                 uint64_t addr, uint64_t len, bool is_write)
{
    PCIDevice *pd = PCI_DEVICE(s);
    uint64_t last = len ? addr + len - 1 : addr;

    if (!sas.has_pasid) {
        return pci_get_address_space(pd);
    }
    if (!sdxi_bus_master(pd) || !sdxi_pasid_usable(s, sas.pasid)) {
        trace_sdxi_pasid_refused(sas.pasid, sdxi_pasid_enabled(pd),
                                 sdxi_bus_master(pd));
        return NULL;
    }
    if (sdxi_intel_iommu() &&
        (last < addr ||
         (addr <= SDXI_MSI_WINDOW_LAST && last >= SDXI_MSI_WINDOW_FIRST))) {
        trace_sdxi_dma_error(true, sas.pasid, addr, len, is_write,
                             MEMTX_DECODE_ERROR);
        return NULL;
    }
    return sdxi_pasid_address_space(s, sas.pasid);
}

/*
 * ATS and PRI (Documentation/hardware.rst, "ATS and page requests").
 * Requests with a PASID go through ATS when the function's ATS Enable bit
 * is set and intel-iommu is the IOMMU: each 4 KiB page is translated with
 * pci_ats_request_translation() and the result kept in the device TLB
 * (s->devtlb, keyed by PASID and page) until an ATS invalidation for it
 * arrives (the PASID's DEVIOTLB_UNMAP notifier), the function resets or
 * ATS is disabled.  A translation without the needed permission is not
 * cached; with PRI enabled it becomes a page request (PRGI = slot in
 * s->prq, last in its group) and the access returns SDXIE_MEM_PENDING:
 * the engine suspends the context until the page response, whose
 * notifier calls sdxie_translation_ready().  A failed response makes the
 * next access of that page a translation fault; without PRI, or when the
 * request cannot be sent, a missing translation is a fault at once.
 * Everything here runs under the BQL.
 */
static uint64_t sdxi_tlb_key(uint32_t pasid, uint64_t addr)
{
    /* 20-bit PASID, 44-bit page number (addresses of up to 56 bits). */
    return ((uint64_t)pasid << 44) | ((addr >> 12) & ((1ULL << 44) - 1));
}

static bool sdxi_ats_active(SdxiState *s)
{
    PCIDevice *pd = PCI_DEVICE(s);

    return !pci_is_vf(pd) && sdxi_intel_iommu() && pcie_ats_enabled(pd);
}

static VTDAddressSpace *sdxi_vtd_as(SdxiState *s, uint32_t pasid)
{
    PCIDevice *pd = PCI_DEVICE(s);

    return vtd_find_add_as(sdxi_intel_iommu(), pci_get_bus(pd), pd->devfn,
                           pasid);
}

typedef struct SdxiInvalRange {
    uint32_t pasid;
    uint64_t first, last;
} SdxiInvalRange;

static gboolean sdxi_tlb_in_range(gpointer key, gpointer value,
                                  gpointer opaque)
{
    const SdxiInvalRange *r = opaque;
    uint64_t k = *(uint64_t *)key;

    return (k >> 44) == r->pasid && (k & ((1ULL << 44) - 1)) >= r->first &&
           (k & ((1ULL << 44) - 1)) <= r->last;
}

/* An ATS invalidation request (device-TLB invalidation) for one PASID. */
static void sdxi_ats_invalidate(IOMMUNotifier *n, IOMMUTLBEntry *entry)
{
    SdxiPasidNotifiers *pn = container_of(n, SdxiPasidNotifiers, inval);
    SdxiInvalRange r = {
        .pasid = pn->pasid,
        .first = entry->iova >> 12,
        .last = (entry->iova | entry->addr_mask) >> 12,
    };
    guint dropped;

    dropped = g_hash_table_foreach_remove(pn->s->devtlb, sdxi_tlb_in_range,
                                          &r);
    trace_sdxi_ats_invalidate(pn->pasid, entry->iova, entry->addr_mask,
                              dropped);
}

/* A page group response: wake the contexts waiting for translations. */
static void sdxi_pri_response(IOMMUPRINotifier *notifier,
                              IOMMUPRIResponse *response)
{
    SdxiPasidNotifiers *pn = container_of(notifier, SdxiPasidNotifiers, pri);
    SdxiState *s = pn->s;
    SdxiPageRequest *rq;

    trace_sdxi_pri_response(pn->pasid, response->prgi,
                            response->response_code);
    if (response->prgi >= SDXI_PRI_OUTSTANDING) {
        return;
    }
    rq = &s->prq[response->prgi];
    if (rq->state != SDXI_PRQ_WAITING || rq->pasid != pn->pasid) {
        return;
    }
    rq->state = response->response_code == IOMMU_PRI_RESP_SUCCESS ?
                SDXI_PRQ_FREE : SDXI_PRQ_FAILED;
    sdxie_translation_ready(s->fn);
}

/* The notifiers of @pasid, registered with the IOMMU on first use. */
static void sdxi_pasid_notifiers(SdxiState *s, uint32_t pasid)
{
    SdxiPasidNotifiers *pn;
    VTDAddressSpace *vas;
    Error *err = NULL;

    if (g_hash_table_contains(s->pasid_ntf, GUINT_TO_POINTER(pasid))) {
        return;
    }
    pn = g_new0(SdxiPasidNotifiers, 1);
    pn->s = s;
    pn->pasid = pasid;
    pn->pri.notify = sdxi_pri_response;
    vas = sdxi_vtd_as(s, pasid);
    iommu_notifier_init(&pn->inval, sdxi_ats_invalidate,
                        IOMMU_NOTIFIER_DEVIOTLB_EVENTS, 0, HWADDR_MAX, 0);
    pn->inval_registered = !memory_region_register_iommu_notifier(
                               MEMORY_REGION(&vas->iommu), &pn->inval, &err);
    if (err) {
        /* Without invalidations nothing may be cached (sdxi_ats_page). */
        error_free(err);
    }
    vas->pri_notifier = &pn->pri;
    g_hash_table_insert(s->pasid_ntf, GUINT_TO_POINTER(pasid), pn);
}

static gboolean sdxi_pasid_notifiers_drop(gpointer key, gpointer value,
                                          gpointer opaque)
{
    SdxiPasidNotifiers *pn = value;
    VTDAddressSpace *vas = sdxi_vtd_as(pn->s, pn->pasid);

    if (pn->inval_registered) {
        memory_region_unregister_iommu_notifier(MEMORY_REGION(&vas->iommu),
                                                &pn->inval);
    }
    if (vas->pri_notifier == &pn->pri) {
        vas->pri_notifier = NULL;
    }
    g_free(pn);
    return TRUE;
}

/* Forget every translation and page request (reset, ATS or PASID off). */
static void sdxi_ats_flush(SdxiState *s)
{
    if (!s->devtlb) {
        return;
    }
    g_hash_table_remove_all(s->devtlb);
    if (sdxi_intel_iommu()) {
        g_hash_table_foreach_remove(s->pasid_ntf, sdxi_pasid_notifiers_drop,
                                    NULL);
    }
    memset(s->prq, 0, sizeof(s->prq));
}

static SdxiPageRequest *sdxi_prq_find(SdxiState *s, uint32_t pasid,
                                      uint64_t page)
{
    unsigned int i;

    for (i = 0; i < SDXI_PRI_OUTSTANDING; i++) {
        if (s->prq[i].state != SDXI_PRQ_FREE && s->prq[i].pasid == pasid &&
            s->prq[i].page == page) {
            return &s->prq[i];
        }
    }
    return NULL;
}

/* Ask for @page; SDXIE_MEM_PENDING when the request is outstanding. */
static int sdxi_page_request(SdxiState *s, uint32_t pasid, uint64_t page,
                             bool is_write)
{
    PCIDevice *pd = PCI_DEVICE(s);
    unsigned int i;
    int r;

    if (!pcie_pri_enabled(pd)) {
        return SDXIE_MEM_XLATE;
    }
    for (i = 0; i < SDXI_PRI_OUTSTANDING; i++) {
        if (s->prq[i].state == SDXI_PRQ_FREE) {
            break;
        }
    }
    if (i == SDXI_PRI_OUTSTANDING) {
        /* All slots wait for responses, each of which retries us. */
        return SDXIE_MEM_PENDING;
    }
    sdxi_pasid_notifiers(s, pasid);
    r = pci_pri_request_page(pd, pasid, false, false, page, true, i, true,
                             is_write);
    trace_sdxi_pri_request(pasid, page, is_write, i, r);
    if (r < 0) {
        return SDXIE_MEM_XLATE;
    }
    s->prq[i] = (SdxiPageRequest){ .state = SDXI_PRQ_WAITING,
                                   .pasid = pasid, .page = page };
    return SDXIE_MEM_PENDING;
}

/*
 * Translate the page of @addr under @pasid for an access of this kind:
 * from the device TLB, else with an ATS translation request, else (with
 * @request) with a page request.  On SDXIE_MEM_OK *@as, *@xlat give the
 * translated address of @addr.
 */
static int sdxi_ats_page(SdxiState *s, uint32_t pasid, uint64_t addr,
                         bool is_write, bool request, AddressSpace **as,
                         hwaddr *xlat)
{
    IOMMUAccessFlags need = is_write ? IOMMU_WO : IOMMU_RO;
    uint64_t page = addr & SDXI_PAGE_MASK;
    uint64_t key = sdxi_tlb_key(pasid, addr);
    SdxiTlbEntry *te = g_hash_table_lookup(s->devtlb, &key);
    SdxiPageRequest *rq;
    IOMMUTLBEntry entry;
    SdxiPasidNotifiers *pn;
    uint32_t err_count;
    ssize_t n;

    if (te && (te->perm & need) == need) {
        *as = te->target_as;
        *xlat = te->xlat + (addr & ~SDXI_PAGE_MASK);
        return SDXIE_MEM_OK;
    }
    rq = sdxi_prq_find(s, pasid, page);
    if (rq && rq->state == SDXI_PRQ_WAITING) {
        return SDXIE_MEM_PENDING;
    }
    if (rq) {
        /* The page request failed: this access faults, the next asks again. */
        rq->state = SDXI_PRQ_FREE;
        return SDXIE_MEM_XLATE;
    }
    n = pci_ats_request_translation(PCI_DEVICE(s), pasid, false, false, page,
                                    SDXI_PAGE_SIZE, !is_write, &entry, 1,
                                    &err_count);
    trace_sdxi_ats_translate(pasid, page, is_write, n,
                             n == 1 ? entry.perm : 0);
    if (n != 1) {
        return SDXIE_MEM_XLATE;
    }
    if ((entry.perm & need) != need) {
        return request ? sdxi_page_request(s, pasid, page, is_write)
                       : SDXIE_MEM_PENDING;
    }
    *as = entry.target_as;
    *xlat = (entry.translated_addr & ~entry.addr_mask) +
            (page & entry.addr_mask) + (addr & ~SDXI_PAGE_MASK);
    sdxi_pasid_notifiers(s, pasid);
    pn = g_hash_table_lookup(s->pasid_ntf, GUINT_TO_POINTER(pasid));
    if (pn && pn->inval_registered) {
        uint64_t *k = g_new(uint64_t, 1);

        te = g_new(SdxiTlbEntry, 1);
        *k = key;
        *te = (SdxiTlbEntry){ .target_as = entry.target_as,
                              .xlat = *xlat - (addr & ~SDXI_PAGE_MASK),
                              .perm = entry.perm & IOMMU_RW };
        g_hash_table_replace(s->devtlb, k, te);
    }
    return SDXIE_MEM_OK;
}

/* dma_memory_rw() through ATS, page by page. */
static int sdxi_ats_rw(SdxiState *s, uint32_t pasid, uint64_t addr,
                       void *buf, uint64_t len, DMADirection dir)
{
    bool is_write = dir == DMA_DIRECTION_FROM_DEVICE;

    while (len) {
        uint64_t n = MIN(len, SDXI_PAGE_SIZE - (addr & ~SDXI_PAGE_MASK));
        AddressSpace *as;
        hwaddr xlat;
        MemTxResult r;
        int st = sdxi_ats_page(s, pasid, addr, is_write, true, &as, &xlat);

        if (st) {
            return st;
        }
        r = dma_memory_rw(as, xlat, buf, n, dir, MEMTXATTRS_UNSPECIFIED);
        if (r != MEMTX_OK) {
            trace_sdxi_dma_error(true, pasid, addr, n, is_write, r);
            return sdxi_mem_status(r);
        }
        addr += n;
        buf = (uint8_t *)buf + n;
        len -= n;
    }
    return SDXIE_MEM_OK;
}

/*
 * Direct mapping through ATS: the pages from @addr on whose translations
 * are contiguous in guest RAM.  Only the first page may cause a page
 * request; the mapping stops before any later page not translated yet.
 */
static void *sdxi_ats_map(SdxiState *s, uint32_t pasid, uint64_t addr,
                          uint64_t *len, bool is_write, int *status)
{
    DMADirection dir = is_write ? DMA_DIRECTION_FROM_DEVICE
                                : DMA_DIRECTION_TO_DEVICE;
    uint64_t want = *len, got;
    AddressSpace *as, *as2;
    hwaddr xlat, xlat2;
    dma_addr_t mlen;
    ram_addr_t offset;
    void *p;

    *status = sdxi_ats_page(s, pasid, addr, is_write, true, &as, &xlat);
    if (*status) {
        return NULL;
    }
    got = MIN(want, SDXI_PAGE_SIZE - (addr & ~SDXI_PAGE_MASK));
    while (got < want &&
           sdxi_ats_page(s, pasid, addr + got, is_write, false, &as2,
                         &xlat2) == SDXIE_MEM_OK &&
           as2 == as && xlat2 == xlat + got) {
        got = MIN(want, got + SDXI_PAGE_SIZE);
    }
    mlen = got;
    p = dma_memory_map(as, xlat, &mlen, dir, MEMTXATTRS_UNSPECIFIED);
    if (!p) {
        return NULL;
    }
    if (!memory_region_from_host(p, &offset)) {
        dma_memory_unmap(as, p, mlen, dir, 0);
        return NULL;
    }
    *len = mlen;
    return p;
}

static int sdxi_host_probe(void *opaque, struct sdxie_as sas, uint64_t addr,
                           uint64_t len, bool is_write)
{
    SdxiState *s = opaque;
    AddressSpace *as;
    hwaddr xlat;
    uint64_t page;
    int st;

    if (!sas.has_pasid || !sdxi_ats_active(s) ||
        !sdxi_dma_as(s, sas, addr, len, is_write)) {
        return SDXIE_MEM_OK;
    }
    for (page = addr & SDXI_PAGE_MASK; page < addr + len;
         page += SDXI_PAGE_SIZE) {
        st = sdxi_ats_page(s, sas.pasid, page, is_write, true, &as, &xlat);
        if (st == SDXIE_MEM_PENDING) {
            return st;
        }
    }
    return SDXIE_MEM_OK;
}

static int sdxi_host_rw(SdxiState *s, struct sdxie_as sas, uint64_t addr,
                        void *buf, uint64_t len, DMADirection dir)
{
    bool is_write = dir == DMA_DIRECTION_FROM_DEVICE;
    AddressSpace *as = sdxi_dma_as(s, sas, addr, len, is_write);
    MemTxResult r;

    if (!as) {
        return SDXIE_MEM_XLATE;
    }
    if (sas.has_pasid && sdxi_ats_active(s)) {
        return sdxi_ats_rw(s, sas.pasid, addr, buf, len, dir);
    }
    r = dma_memory_rw(as, addr, buf, len, dir, MEMTXATTRS_UNSPECIFIED);
    if (r != MEMTX_OK) {
        trace_sdxi_dma_error(sas.has_pasid, sas.pasid, addr, len, is_write, r);
    }
    return sdxi_mem_status(r);
}

static int sdxi_host_read(void *opaque, struct sdxie_as sas, uint64_t addr,
                          void *buf, uint64_t len)
{
    return sdxi_host_rw(opaque, sas, addr, buf, len, DMA_DIRECTION_TO_DEVICE);
}

static int sdxi_host_write(void *opaque, struct sdxie_as sas, uint64_t addr,
                           const void *buf, uint64_t len)
{
    /* dma_memory_rw() takes a non-const buffer; it only reads it here. */
    return sdxi_host_rw(opaque, sas, addr, (void *)buf, len,
                        DMA_DIRECTION_FROM_DEVICE);
}

/*
 * Direct mapping of guest RAM only.  address_space_map() serves anything
 * else (MMIO, unbacked addresses, IOMMU faults) from a bounce buffer, and
 * a bounce read reports no error, so such ranges get NULL with status OK
 * and the engine falls back to read/write, which returns the MemTxResult.
 * A faulting address is translated twice that way, so the guest may see
 * the IOMMU fault reported twice.
 */
static void *sdxi_host_map(void *opaque, struct sdxie_as sas, uint64_t addr,
                           uint64_t *len, bool is_write, int *status)
{
    SdxiState *s = opaque;
    AddressSpace *as = sdxi_dma_as(s, sas, addr, *len, is_write);
    DMADirection dir = is_write ? DMA_DIRECTION_FROM_DEVICE
                                : DMA_DIRECTION_TO_DEVICE;
    MemTxAttrs attrs = MEMTXATTRS_UNSPECIFIED;
    dma_addr_t mlen = *len;
    hwaddr xlat, plen = *len;
    ram_addr_t offset;
    bool direct;
    void *p;

    *status = SDXIE_MEM_OK;
    if (!as) {
        *status = SDXIE_MEM_XLATE;
        return NULL;
    }
    if (!*len) {
        return NULL;
    }
    if (sas.has_pasid && sdxi_ats_active(s)) {
        return sdxi_ats_map(s, sas.pasid, addr, len, is_write, status);
    }
    WITH_RCU_READ_LOCK_GUARD() {
        MemoryRegion *mr = address_space_translate(as, addr, &xlat, &plen,
                                                   is_write, attrs);
        direct = memory_access_is_direct(mr, is_write, attrs);
    }
    if (!direct) {
        return NULL;
    }
    p = dma_memory_map(as, addr, &mlen, dir, attrs);
    if (!p) {
        return NULL;
    }
    if (!memory_region_from_host(p, &offset)) {
        /* A bounce buffer after all: give it back unused. */
        dma_memory_unmap(as, p, mlen, dir, 0);
        return NULL;
    }
    *len = mlen;
    return p;
}

static void sdxi_host_unmap(void *opaque, void *host, uint64_t len,
                            bool is_write)
{
    SdxiState *s = opaque;

    /*
     * Only direct RAM mappings get here (see sdxi_host_map), and
     * address_space_unmap() uses the AddressSpace only for bounce buffers.
     */
    dma_memory_unmap(pci_get_address_space(PCI_DEVICE(s)), host, len,
                     is_write ? DMA_DIRECTION_FROM_DEVICE
                              : DMA_DIRECTION_TO_DEVICE, len);
}

static bool sdxi_host_pasid_usable(void *opaque, uint32_t pasid)
{
    return sdxi_pasid_usable(opaque, pasid);
}

static bool sdxi_host_irq(void *opaque, unsigned int vector)
{
    SdxiState *s = opaque;
    PCIDevice *pd = PCI_DEVICE(s);

    if (vector >= s->params.vectors) {
        trace_sdxi_irq_bad_vector(vector);
        return false;
    }
    trace_sdxi_irq(vector, msix_enabled(pd));
    if (msix_enabled(pd)) {
        msix_notify(pd, vector);
    }
    return true;
}

static void sdxi_host_kick(void *opaque)
{
    SdxiState *s = opaque;

    qemu_bh_schedule(s->bh);
}

static void sdxi_host_event(void *opaque, const struct sdxie_event *ev)
{
    uint64_t hd;

    switch (ev->kind) {
    case SDXIE_EV_DESC:
        trace_sdxi_desc(ev->cxt, ev->index, ev->type, ev->subtype,
                        ev->err != NULL,
                        ev->err ? le16_to_cpu(ev->err->err_class) : 0);
        break;
    case SDXIE_EV_ERROR:
        if (!ev->err) {
            break;
        }
        hd = le64_to_cpu(ev->err->hd);
        trace_sdxi_error(ev->cxt, ev->index,
                         SDXI_FIELD_GET(SDXI_ERRLOG_STEP, hd),
                         SDXI_FIELD_GET(SDXI_ERRLOG_SUB_STEP, hd),
                         SDXI_FIELD_GET(SDXI_ERRLOG_RE, hd),
                         le16_to_cpu(ev->err->err_class),
                         le64_to_cpu(ev->err->vendor_addr));
        break;
    case SDXIE_EV_FN_STATE:
        trace_sdxi_fn_state(ev->state);
        break;
    case SDXIE_EV_CXT_STATE:
        trace_sdxi_cxt_state(ev->cxt, ev->state);
        break;
    }
}

static const struct sdxie_host_ops sdxi_host_ops = {
    .read = sdxi_host_read,
    .write = sdxi_host_write,
    .map = sdxi_host_map,
    .unmap = sdxi_host_unmap,
    .probe = sdxi_host_probe,
    .pasid_usable = sdxi_host_pasid_usable,
    .irq = sdxi_host_irq,
    .kick = sdxi_host_kick,
    .event = sdxi_host_event,
};

static void sdxi_bh(void *opaque)
{
    SdxiState *s = opaque;
    struct sdxie_faults f;
    bool more;

    more = sdxie_run(s->fn, s->params.burst);
    trace_sdxi_run(more);
    /* While stalled, wait for the stall setter to kick instead of spinning. */
    sdxie_get_faults(s->fn, &f);
    if (more && !f.stall) {
        qemu_bh_schedule(s->bh);
    }
}

static uint64_t sdxi_mmio_read(void *opaque, hwaddr addr, unsigned size)
{
    SdxiState *s = opaque;
    uint64_t val = sdxie_mmio_read(s->fn, addr, size);

    trace_sdxi_mmio_read(addr, val, size);
    return val;
}

static void sdxi_mmio_write(void *opaque, hwaddr addr, uint64_t val,
                            unsigned size)
{
    SdxiState *s = opaque;

    trace_sdxi_mmio_write(addr, val, size);
    if (!sdxie_mmio_write(s->fn, addr, val, size)) {
        trace_sdxi_mmio_write_ignored(addr, val, size);
        qemu_log_mask(LOG_GUEST_ERROR,
                      "sdxi: ignored %u-byte BAR0 write of 0x%" PRIx64
                      " at 0x%" HWADDR_PRIx " (read-only, reserved, or not "
                      "an aligned 64-bit store)\n", size, val, addr);
    }
}

static const MemoryRegionOps sdxi_mmio_ops = {
    .read = sdxi_mmio_read,
    .write = sdxi_mmio_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = {
        .min_access_size = 4,
        .max_access_size = 8,
    },
    .impl = {
        .min_access_size = 4,
        .max_access_size = 8,
    },
};

static uint64_t sdxi_db_read(void *opaque, hwaddr addr, unsigned size)
{
    return 0;
}

/*
 * SDXI 1.0: a doorbell is one 64-bit store of the producer's write index
 * at the start of the context's doorbell window.  Anything else is
 * ignored, as is a doorbell the engine refuses (context beyond max_cxt,
 * function not active, context not running).
 */
static void sdxi_db_write(void *opaque, hwaddr addr, uint64_t val,
                          unsigned size)
{
    SdxiState *s = opaque;
    uint32_t cxt;

    if (size != 8 || addr % s->db_stride) {
        trace_sdxi_doorbell_bad_access(addr, size);
        qemu_log_mask(LOG_GUEST_ERROR,
                      "sdxi: ignored %u-byte doorbell write at BAR2 offset "
                      "0x%" HWADDR_PRIx ": a doorbell is a 64-bit store at "
                      "a multiple of %" PRIu64 " bytes\n",
                      size, addr, s->db_stride);
        return;
    }
    cxt = addr / s->db_stride;
    trace_sdxi_doorbell(cxt, val);
    if (!sdxie_doorbell(s->fn, cxt, val)) {
        trace_sdxi_doorbell_ignored(cxt, val);
        qemu_log_mask(LOG_GUEST_ERROR,
                      "sdxi: ignored doorbell of context %u (write index %"
                      PRIu64 "): no such context, function not active, or "
                      "context not running\n", cxt, val);
    }
}

static const MemoryRegionOps sdxi_db_ops = {
    .read = sdxi_db_read,
    .write = sdxi_db_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = {
        .min_access_size = 1,
        .max_access_size = 8,
    },
    .impl = {
        .min_access_size = 1,
        .max_access_size = 8,
    },
};

static void sdxi_pasid_cap_init(PCIDevice *pd)
{
    pcie_add_capability(pd, PCI_EXT_CAP_ID_PASID, 1, SDXI_PASID_OFFSET,
                        PCI_EXT_CAP_PASID_SIZEOF);
    pci_set_word(pd->config + SDXI_PASID_OFFSET + PCI_PASID_CAP,
                 (SDXI_PASID_WIDTH << 8) & PCI_PASID_CAP_WIDTH);
    pci_set_word(pd->wmask + SDXI_PASID_OFFSET + PCI_PASID_CTRL,
                 PCI_PASID_CTRL_ENABLE);
    pd->exp.pasid_cap = SDXI_PASID_OFFSET;
}

/*
 * ATS and PRI (hardware.rst, "Address spaces"): advertised
 * so that an IOMMU with device-TLB support can enable them for shared
 * virtual addressing.
 */
static void sdxi_ats_pri_cap_init(PCIDevice *pd)
{
    pcie_ats_init(pd, SDXI_ATS_OFFSET, true);
    pcie_pri_init(pd, SDXI_PRI_OFFSET, SDXI_PRI_OUTSTANDING, true);
}

/* Function reset: ATS and PRI disabled, PRI stopped, allocation 0. */
static void sdxi_ats_pri_reset(PCIDevice *pd)
{
    pci_set_word(pd->config + SDXI_ATS_OFFSET + PCI_ATS_CTRL, 0);
    pci_set_word(pd->config + SDXI_PRI_OFFSET + PCI_PRI_CTRL, 0);
    pci_set_word(pd->config + SDXI_PRI_OFFSET + PCI_PRI_STATUS,
                 PCI_PRI_STATUS_STOPPED | PCI_PRI_STATUS_PASID);
    pci_set_long(pd->config + SDXI_PRI_OFFSET + PCI_PRI_ALLOC_REQ, 0);
}

static void sdxi_write_config(PCIDevice *pd, uint32_t addr, uint32_t val,
                              int len)
{
    SdxiState *s = SDXI(pd);
    bool ats = pcie_ats_enabled(pd), pasid = pcie_pasid_enabled(pd);
    bool pri = pcie_pri_enabled(pd);

    pci_default_write_config(pd, addr, val, len);
    /*
     * The device TLB is valid while ATS and PASID stay enabled, and page
     * requests are answered while PRI does.
     */
    if ((ats && !pcie_ats_enabled(pd)) || (pasid && !pcie_pasid_enabled(pd)) ||
        (pri && !pcie_pri_enabled(pd))) {
        sdxi_ats_flush(s);
        sdxie_translation_ready(s->fn);
    }
    pcie_cap_flr_write_config(pd, addr, val, len);
    sdxi_sriov_config_write(pd, addr, val, len);
}

static void sdxi_faults_get(SdxiState *s, struct sdxie_faults *f)
{
    if (s->fn) {
        sdxie_get_faults(s->fn, f);
    } else {
        *f = s->faults;
    }
}

static void sdxi_faults_set(SdxiState *s, const struct sdxie_faults *f)
{
    trace_sdxi_faults(f->addr, f->after, f->stall);
    if (!s->fn) {
        s->faults = *f;
        return;
    }
    /* The engine kicks (schedules the BH) itself when stall is cleared. */
    sdxie_set_faults(s->fn, f);
}

/* fault-addr and fault-after: @opaque is the field's offset in the struct. */
static uint64_t *sdxi_trap_field(struct sdxie_faults *f, void *opaque)
{
    return (uint64_t *)((char *)f + (uintptr_t)opaque);
}

static void sdxi_get_trap(Object *obj, Visitor *v, const char *name,
                          void *opaque, Error **errp)
{
    struct sdxie_faults f;

    sdxi_faults_get(SDXI(obj), &f);
    visit_type_uint64(v, name, sdxi_trap_field(&f, opaque), errp);
}

static void sdxi_set_trap(Object *obj, Visitor *v, const char *name,
                          void *opaque, Error **errp)
{
    SdxiState *s = SDXI(obj);
    struct sdxie_faults f;

    sdxi_faults_get(s, &f);
    if (visit_type_uint64(v, name, sdxi_trap_field(&f, opaque), errp)) {
        sdxi_faults_set(s, &f);
    }
}

static bool sdxi_get_stall(Object *obj, Error **errp)
{
    struct sdxie_faults f;

    sdxi_faults_get(SDXI(obj), &f);
    return f.stall;
}

static void sdxi_set_stall(Object *obj, bool value, Error **errp)
{
    SdxiState *s = SDXI(obj);
    struct sdxie_faults f;

    sdxi_faults_get(s, &f);
    f.stall = value;
    sdxi_faults_set(s, &f);
}

static bool sdxi_get_force_fn_error(Object *obj, Error **errp)
{
    return false;
}

static void sdxi_set_force_fn_error(Object *obj, bool value, Error **errp)
{
    SdxiState *s = SDXI(obj);

    if (!value) {
        return;
    }
    if (!s->fn) {
        error_setg(errp, "force-fn-error can only be set at run time "
                   "(qom-set on a realized device)");
        return;
    }
    trace_sdxi_force_fn_error();
    sdxie_force_fn_error(s->fn);
    qemu_bh_schedule(s->bh);
}

static void sdxi_config_from_params(const SdxiParams *p,
                                    struct sdxie_config *cfg)
{
    sdxie_config_default(cfg);
    cfg->max_cxt = p->max_cxt;
    cfg->max_ring_sz = p->max_ring_sz;
    cfg->db_stride = p->db_stride;
    cfg->max_buffer = p->max_buffer;
    cfg->max_akey_sz = p->max_akey_sz;
    cfg->max_errlog_sz = p->max_errlog_sz;
    cfg->opb_cap = p->op_groups;
    cfg->nr_vectors = p->vectors;
    cfg->burst = p->burst;
    cfg->reset_immediate = p->reset_immediate;
    cfg->clear_valid = p->clear_valid;
    cfg->shuffle_seed = p->shuffle_seed;
    cfg->read_index_fetch = p->read_index_fetch;
}

static bool sdxi_check_params(SdxiState *s, struct sdxie_config *cfg,
                              Error **errp)
{
    char why[160];

    sdxi_config_from_params(&s->params, cfg);
    if (sdxie_config_check(cfg, why, sizeof(why)) < 0) {
        error_setg(errp, "invalid capability property: %s", why);
        return false;
    }
    return true;
}

static void sdxi_exit(PCIDevice *pd);

static void sdxi_realize(PCIDevice *pd, Error **errp)
{
    SdxiState *s = SDXI(pd);
    struct sdxie_config cfg;
    uint64_t db_size;
    unsigned int i;

    if (pci_is_vf(pd)) {
        /* A VF has its PF's properties, and no VFs of its own. */
        s->params = SDXI(pcie_sriov_get_pf(pd))->params;
        s->params.total_vfs = 0;
    } else if (!s->read_index || !strcmp(s->read_index, "complete")) {
        s->params.read_index_fetch = false;
    } else if (!strcmp(s->read_index, "fetch")) {
        s->params.read_index_fetch = true;
    } else {
        error_setg(errp, "invalid property read-index=%s: must be complete "
                   "or fetch", s->read_index);
        return;
    }
    if (!sdxi_check_params(s, &cfg, errp)) {
        return;
    }
    s->db_stride = SDXI_DB_STRIDE_BYTES(cfg.db_stride);
    db_size = pow2ceil((uint64_t)(cfg.max_cxt + 1) * s->db_stride);

    pci_config_set_prog_interface(pd->config, SDXI_PCI_CLASS & 0xff);
    if (pcie_endpoint_cap_init(pd, SDXI_EXP_OFFSET) < 0) {
        error_setg(errp, "cannot add the PCI Express capability");
        return;
    }
    pcie_cap_flr_init(pd);
    if (!pci_is_vf(pd)) {
        sdxi_pasid_cap_init(pd);
        sdxi_ats_pri_cap_init(pd);
    }

    memory_region_init_io(&s->mmio, OBJECT(s), &sdxi_mmio_ops, s,
                          "sdxi-mmio", SDXI_BAR0_SIZE);
    pci_register_bar(pd, SDXI_MMIO_BAR, PCI_BASE_ADDRESS_SPACE_MEMORY |
                     PCI_BASE_ADDRESS_MEM_TYPE_64, &s->mmio);
    memory_region_init_io(&s->db, OBJECT(s), &sdxi_db_ops, s,
                          "sdxi-doorbells", db_size);
    pci_register_bar(pd, SDXI_DB_BAR, PCI_BASE_ADDRESS_SPACE_MEMORY |
                     PCI_BASE_ADDRESS_MEM_TYPE_64, &s->db);

    if (msix_init_exclusive_bar(pd, cfg.nr_vectors, SDXI_MSIX_BAR, errp)) {
        pcie_cap_exit(pd);
        return;
    }
    for (i = 0; i < cfg.nr_vectors; i++) {
        msix_vector_use(pd, i);
    }

    s->bh = qemu_bh_new_guarded(sdxi_bh, s, &DEVICE(s)->mem_reentrancy_guard);
    s->pasid_as = g_hash_table_new(NULL, NULL);
    s->devtlb = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free,
                                      g_free);
    s->pasid_ntf = g_hash_table_new(NULL, NULL);
    s->fn = sdxie_fn_new(&cfg, &sdxi_host_ops, s);
    if (!s->fn) {
        error_setg(errp, "cannot allocate the SDXI engine");
        g_hash_table_destroy(s->pasid_ntf);
        g_hash_table_destroy(s->devtlb);
        g_hash_table_destroy(s->pasid_as);
        qemu_bh_delete(s->bh);
        msix_uninit_exclusive_bar(pd);
        pcie_cap_exit(pd);
        return;
    }
    sdxie_set_faults(s->fn, &s->faults);
    if (!sdxi_sriov_pf_init(pd, s->params.total_vfs, errp)) {
        sdxi_exit(pd);
    }
}

static void sdxi_exit(PCIDevice *pd)
{
    SdxiState *s = SDXI(pd);

    sdxi_sriov_pf_exit(pd);
    sdxie_fn_free(s->fn);
    s->fn = NULL;
    sdxi_ats_flush(s);
    g_hash_table_destroy(s->pasid_ntf);
    g_hash_table_destroy(s->devtlb);
    s->devtlb = NULL;
    g_hash_table_destroy(s->pasid_as);
    qemu_bh_delete(s->bh);
    msix_uninit_exclusive_bar(pd);
    pcie_cap_exit(pd);
}

/*
 * Device reset and FLR (pcie_cap_flr_write_config -> pci_device_reset).
 * The PCI core then clears the command register and MSI-X state; the
 * PASID control register is ours to clear.  Fault knobs are kept.
 */
static void sdxi_reset_hold(Object *obj, ResetType type)
{
    SdxiState *s = SDXI(obj);
    PCIDevice *pd = PCI_DEVICE(obj);
    struct sdxie_faults f;

    trace_sdxi_reset();
    if (!s->fn) {
        return;
    }
    qemu_bh_cancel(s->bh);
    sdxie_get_faults(s->fn, &f);
    sdxie_fn_reset(s->fn);
    sdxie_set_faults(s->fn, &f);
    g_hash_table_remove_all(s->pasid_as);
    sdxi_ats_flush(s);
    if (!pci_is_vf(pd)) {
        pci_set_word(pd->config + SDXI_PASID_OFFSET + PCI_PASID_CTRL, 0);
        sdxi_ats_pri_reset(pd);
    }
    msix_reset(pd);
    sdxi_sriov_reset(pd);
}

/*
 * Not migratable: the engine's state (register file, per-context cached
 * indices, a descriptor in flight) has no VMState description yet, and
 * migrating without it would silently lose work.  Declaring it makes
 * migration fail cleanly instead.
 */
static const VMStateDescription sdxi_vmstate = {
    .name = "sdxi",
    .unmigratable = 1,
};

static const Property sdxi_props[] = {
    DEFINE_PROP_UINT16("max-cxt", SdxiState, params.max_cxt,
                       SDXIE_DEFAULT_MAX_CXT),
    DEFINE_PROP_UINT8("max-ring-sz", SdxiState, params.max_ring_sz,
                      SDXIE_DEFAULT_MAX_RING_SZ),
    DEFINE_PROP_UINT8("db-stride", SdxiState, params.db_stride,
                      SDXIE_DEFAULT_DB_STRIDE),
    DEFINE_PROP_UINT8("max-buffer", SdxiState, params.max_buffer,
                      SDXIE_DEFAULT_MAX_BUFFER),
    DEFINE_PROP_UINT8("max-akey-sz", SdxiState, params.max_akey_sz,
                      SDXIE_DEFAULT_MAX_AKEY_SZ),
    DEFINE_PROP_UINT8("max-errlog-sz", SdxiState, params.max_errlog_sz,
                      SDXIE_DEFAULT_MAX_ERRLOG_SZ),
    DEFINE_PROP_UINT32("op-groups", SdxiState, params.op_groups,
                       SDXIE_DEFAULT_OPB_CAP),
    DEFINE_PROP_UINT16("vectors", SdxiState, params.vectors,
                       SDXIE_DEFAULT_NR_VECTORS),
    DEFINE_PROP_UINT16("burst", SdxiState, params.burst,
                       SDXIE_DEFAULT_BURST),
    DEFINE_PROP_BOOL("reset-immediate", SdxiState, params.reset_immediate,
                     false),
    DEFINE_PROP_BOOL("clear-valid", SdxiState, params.clear_valid, false),
    DEFINE_PROP_UINT32("shuffle-seed", SdxiState, params.shuffle_seed, 0),
    DEFINE_PROP_STRING("read-index", SdxiState, read_index),
    DEFINE_PROP_UINT16("total-vfs", SdxiState, params.total_vfs, 0),
};

static void sdxi_class_init(ObjectClass *oc, const void *data)
{
    DeviceClass *dc = DEVICE_CLASS(oc);
    PCIDeviceClass *pc = PCI_DEVICE_CLASS(oc);
    ResettableClass *rc = RESETTABLE_CLASS(oc);

    pc->realize = sdxi_realize;
    pc->exit = sdxi_exit;
    pc->config_write = sdxi_write_config;
    pc->vendor_id = PCI_VENDOR_ID_QEMU;
    pc->device_id = SDXI_PCI_DEVICE_ID;
    pc->revision = 0;
    pc->class_id = SDXI_PCI_CLASS >> 8;

    rc->phases.hold = sdxi_reset_hold;

    dc->desc = "SNIA SDXI 1.0 data mover";
    dc->vmsd = &sdxi_vmstate;
    set_bit(DEVICE_CATEGORY_MISC, dc->categories);
    device_class_set_props(dc, sdxi_props);
    object_class_property_set_description(oc, "max-cxt",
        "Highest context ID (CAP1.max_cxt)");
    object_class_property_set_description(oc, "max-ring-sz",
        "Largest ring: 1024 << n descriptors (CAP0.max_ds_ring_sz)");
    object_class_property_set_description(oc, "db-stride",
        "Doorbell stride: 4 KiB << n (CAP0.db_stride)");
    object_class_property_set_description(oc, "max-buffer",
        "Largest data buffer: 2^(n + 21) bytes (CAP1.max_buffer)");
    object_class_property_set_description(oc, "max-akey-sz",
        "Largest AKey table: 256 << n entries (CAP1.max_akey_sz)");
    object_class_property_set_description(oc, "max-errlog-sz",
        "Largest error log: 64 << n entries (CAP1.max_errlog_sz)");
    object_class_property_set_description(oc, "op-groups",
        "Supported operation groups (CAP1.opb_000_cap bits)");
    object_class_property_set_description(oc, "vectors",
        "MSI-X vectors (1..2048); vector 0 signals the error log");
    object_class_property_set_description(oc, "burst",
        "Descriptors a context executes per arbitration turn (1..65535)");
    object_class_property_set_description(oc, "reset-immediate",
        "A reset requested in STOP completes at once");
    object_class_property_set_description(oc, "clear-valid",
        "Clear a ring slot's valid bit once its descriptor executed");
    object_class_property_set_description(oc, "shuffle-seed",
        "Nonzero: shuffle the order of context turns in each round");
    object_class_property_set_description(oc, "read-index",
        "When CXT_STS.read_index passes a descriptor: complete (default), "
        "or fetch (before its completion is written)");
    object_class_property_set_description(oc, "total-vfs",
        "SR-IOV virtual functions (TotalVFs, 0..7); 0 = no SR-IOV");

    object_class_property_add(oc, "fault-addr", "uint64",
                              sdxi_get_trap, sdxi_set_trap, NULL,
                              (void *)offsetof(struct sdxie_faults, addr));
    object_class_property_set_description(oc, "fault-addr",
        "Fail any data access covering this address (0 = off)");
    object_class_property_add(oc, "fault-after", "uint64",
                              sdxi_get_trap, sdxi_set_trap, NULL,
                              (void *)offsetof(struct sdxie_faults, after));
    object_class_property_set_description(oc, "fault-after",
        "Fail the data access crossing this many more bytes, once (0 = off)");
    object_class_property_add_bool(oc, "stall", sdxi_get_stall,
                                   sdxi_set_stall);
    object_class_property_set_description(oc, "stall",
        "Execute nothing while true");
    object_class_property_add_bool(oc, "force-fn-error",
                                   sdxi_get_force_fn_error,
                                   sdxi_set_force_fn_error);
    object_class_property_set_description(oc, "force-fn-error",
        "Writing true puts the function into the error state");
}

static const TypeInfo sdxi_types[] = {
    {
        .name = TYPE_SDXI,
        .parent = TYPE_PCI_DEVICE,
        .instance_size = sizeof(SdxiState),
        .class_init = sdxi_class_init,
        .interfaces = (InterfaceInfo[]) {
            { INTERFACE_PCIE_DEVICE },
            { }
        },
    },
};

DEFINE_TYPES(sdxi_types)
