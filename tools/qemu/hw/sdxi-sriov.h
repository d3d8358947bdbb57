/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * SNIA SDXI 1.0 data mover: SR-IOV for the QEMU PCIe function
 * (sdxi-sriov.c; Documentation/hardware.rst, "Virtual functions").
 */
#ifndef HW_MISC_SDXI_SRIOV_H
#define HW_MISC_SDXI_SRIOV_H

#include "hw/pci/pci_device.h"

/* After the PASID capability (0x100, 8 bytes). */
#define SDXI_SRIOV_OFFSET       0x120

/*
 * VFs take the functions after the PF's in its slot (First VF Offset 1,
 * VF Stride 1, no ARI): at most 7 behind a PF at function 0.
 */
#define SDXI_SRIOV_MAX_VFS      7

bool sdxi_sriov_pf_init(PCIDevice *pd, uint16_t total_vfs, Error **errp);
void sdxi_sriov_pf_exit(PCIDevice *pd);
void sdxi_sriov_reset(PCIDevice *pd);
void sdxi_sriov_config_write(PCIDevice *pd, uint32_t addr, uint32_t val,
                             int len);
PCIDevice *sdxi_sriov_pasid_owner(PCIDevice *pd);

#endif
