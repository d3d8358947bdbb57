/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * SNIA SDXI 1.0 data mover: SR-IOV (PCIe SR-IOV 1.1, QEMU's pcie_sriov).
 *
 * A physical function realized with total-vfs=N (1..7) carries an SR-IOV
 * extended capability at SDXI_SRIOV_OFFSET with TotalVFs = InitialVFs = N,
 * First VF Offset 1 and VF Stride 1, and QEMU creates its N virtual
 * functions at realize (disabled until the PF's VF Enable is set).  Each VF
 * is a whole SDXI function of the PF's type: its own register file (BAR0),
 * doorbells (BAR2), MSI-X (BAR4), engine, contexts and error log, with the
 * PF's capability properties.  VF BARs are the PF's VF BAR windows of the
 * SR-IOV capability, one PF-sized slice per VF.
 *
 * What differs on a VF (Documentation/hardware.rst, "Virtual functions"):
 *   - no PASID capability: a VF uses the PF's PASID enable (PCIe: VFs
 *     share the PF's PASID configuration);
 *   - no SR-IOV capability of its own;
 *   - clearing VF Enable or resetting the PF resets every VF
 *     (pci_set_enabled), which stops its engine as a function reset does.
 * Each VF's fault-injection properties are set through the PF's link
 * property "vfN" (N = VF number, from 0).
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "hw/pci/pcie.h"
#include "hw/pci/pcie_sriov.h"

#include "sdxi-sriov.h"

/*
 * Call after the PF's BARs are registered: each VF is realized here, as a
 * function of the PF's own type, and the VF BAR windows copy the PF's BAR
 * sizes and types (a VF has the PF's properties, so the same BARs).
 */
bool sdxi_sriov_pf_init(PCIDevice *pd, uint16_t total_vfs, Error **errp)
{
    uint16_t did = pci_get_word(pd->config + PCI_DEVICE_ID);
    int i;

    if (!total_vfs) {
        return true;
    }
    if (PCI_FUNC(pd->devfn) + total_vfs > SDXI_SRIOV_MAX_VFS) {
        error_setg(errp, "total-vfs=%u does not fit after function %u of "
                   "the slot (VFs take functions %u..7)", total_vfs,
                   PCI_FUNC(pd->devfn), PCI_FUNC(pd->devfn) + 1);
        return false;
    }
    if (!pcie_sriov_pf_init(pd, SDXI_SRIOV_OFFSET,
                            object_get_typename(OBJECT(pd)), did,
                            total_vfs, total_vfs, 1, 1, errp)) {
        /* Its VFs are gone: nothing for pcie_sriov_pf_exit() to undo. */
        pd->exp.sriov_cap = 0;
        return false;
    }
    for (i = 0; i < PCI_NUM_REGIONS; i++) {
        if (i != PCI_ROM_SLOT && pd->io_regions[i].size) {
            pcie_sriov_pf_init_vf_bar(pd, i, pd->io_regions[i].type,
                                      pd->io_regions[i].size);
        }
    }
    /*
     * "vfN" names VF N under the PF, so that its run-time properties are
     * reachable: qom-set /machine/peripheral/sdxi0/vf0 stall true.
     */
    for (i = 0; i < total_vfs; i++) {
        g_autofree char *name = g_strdup_printf("vf%d", i);

        object_property_add_const_link(OBJECT(pd), name,
                                       OBJECT(pd->exp.sriov_pf.vf[i]));
    }
    return true;
}

void sdxi_sriov_pf_exit(PCIDevice *pd)
{
    if (!pci_is_vf(pd)) {
        pcie_sriov_pf_exit(pd);
    }
}

/* PF reset and FLR disable the VFs (and so reset them). */
void sdxi_sriov_reset(PCIDevice *pd)
{
    if (!pci_is_vf(pd)) {
        pcie_sriov_pf_reset(pd);
    }
}

void sdxi_sriov_config_write(PCIDevice *pd, uint32_t addr, uint32_t val,
                             int len)
{
    if (!pci_is_vf(pd)) {
        pcie_sriov_config_write(pd, addr, val, len);
    }
}

/* The function whose PASID capability governs @pd's PASID use. */
PCIDevice *sdxi_sriov_pasid_owner(PCIDevice *pd)
{
    return pci_is_vf(pd) ? pcie_sriov_get_pf(pd) : pd;
}
