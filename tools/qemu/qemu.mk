# SPDX-License-Identifier: GPL-2.0-only
#
# QEMU with the sdxi device model (tools/qemu/build).
#
#   make qemu        build or update qemu-system-x86_64 (cold: a few
#                    minutes; after a device or engine edit: seconds)
#   make check-qemu-glue
#                    TAP: the device glue end to end in the VM, driven by
#                    a test module instead of sdxi.ko (tools/qemu/tests):
#                    requester-ID DMA, MSI-X, IOMMU faults, PASID-tagged
#                    DMA through a private domain and its isolation, FLR
#   make check-qemu-glue-switch
#                    the same in a VM booted with iommu.passthrough=1,
#                    after switching the function's IOMMU group from the
#                    identity domain to a DMA domain at run time: the
#                    IOMMU model must start translating its requests
#   make check-qemu-glue-sva
#                    the same with the IOMMU offering device-TLBs
#                    (VM_IOMMU_SVA): PASID, ATS and PRI enabled on the
#                    function, the loading process's mm bound with
#                    iommu_sva_bind_device() and copies through its page
#                    tables, never-touched pages brought in by ATS/PRI page
#                    requests (a kernel that refuses SVA skips the bind)
#
# QEMU_BIN is the binary's path; expanding it builds QEMU when needed, so
# use it in recipes, not in make-time conditionals.

QEMU_BUILD := $(TOP)/tools/qemu/build
QEMU_BIN = $(shell $(QEMU_BUILD) --print-binary)

.PHONY: qemu
qemu:
	@$(QEMU_BUILD)

QEMU_GLUE_B := $(B)/qemu-glue$(KSUFFIX)
QEMU_GLUE_KO := $(QEMU_GLUE_B)/sdxi_glue_test.ko

VM_SUITES += qemu-glue qemu-glue-switch qemu-glue-sva

# The IOMMU for shared virtual addressing: tools/vm/run's default plus
# device-TLB support (ECAP.DT), without which Linux enables no ATS.
VM_IOMMU_SVA := intel-iommu,intremap=off,x-scalable-mode=on,x-flts=on,x-pasid-mode=on,aw-bits=48,device-iotlb=on

# Kbuild writes its objects next to the sources: build from a copy.
$(QEMU_GLUE_KO): $(TOP)/tools/qemu/tests/sdxi_glue_test.c $(TOP)/tools/qemu/tests/Kbuild \
		$(TOP)/uapi/linux/sdxi_hw.h $(TOP)/include/sdxi/function.h $(TOP)/include/sdxi/encode.h \
		$(KDIR)/Module.symvers
	@mkdir -p $(QEMU_GLUE_B)
	@cp $(TOP)/tools/qemu/tests/sdxi_glue_test.c $(TOP)/tools/qemu/tests/Kbuild $(QEMU_GLUE_B)/
	@$(MAKE) --no-print-directory -C $(KDIR) \
		M=$(QEMU_GLUE_B) SDXI_UAPI=$(TOP)/uapi SDXI_INCLUDE=$(TOP)/include W=1 modules >$(QEMU_GLUE_B)/build.log 2>&1 || \
		{ cat $(QEMU_GLUE_B)/build.log; exit 1; }

.PHONY: check-qemu-glue
check-qemu-glue: $(QEMU_GLUE_KO)
	@$(VM_TAP) $(RESULTS)/qemu-glue.tap --timeout 300 --file $(QEMU_GLUE_KO) \
		--script $(TOP)/tools/qemu/tests/glue-guest.sh

.PHONY: check-qemu-glue-switch
check-qemu-glue-switch: $(QEMU_GLUE_KO)
	@$(VM_TAP) $(RESULTS)/qemu-glue-switch.tap --timeout 300 --append iommu.passthrough=1 \
		--file $(QEMU_GLUE_KO) --script $(TOP)/tools/qemu/tests/glue-guest.sh

.PHONY: check-qemu-glue-sva
check-qemu-glue-sva: $(QEMU_GLUE_KO)
	@$(VM_TAP) $(RESULTS)/qemu-glue-sva.tap --timeout 300 --iommu $(VM_IOMMU_SVA) \
		--append sdxi_glue_test.sva=1 \
		--file $(QEMU_GLUE_KO) --script $(TOP)/tools/qemu/tests/glue-guest.sh
