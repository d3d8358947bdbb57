# SPDX-License-Identifier: GPL-2.0-only
#
# The SR-IOV suite: sdxi.ko on the virtual functions of the model's
# function (tools/qemu/hw/sdxi-sriov.c; Documentation/hardware.rst,
# "Virtual functions"; the guest script kernel/tests/vm/sriov.sh).
#
#   make check-sriov-vm   one PF with total-vfs=2: enabling VFs through
#                         sriov_numvfs, dmatest and an injected fault on a
#                         VF, lib_functional and user_functional on a VF,
#                         disabling VFs and removing the PF with user
#                         contexts open on a VF, unloading with VFs enabled

SRIOV_DEV := sdxi,id=sdxi0,total-vfs=2
SRIOV_FILES := $(KSFT_B)/lib_functional $(KSFT_B)/user_functional $(PERF_BIN)

VM_SUITES += sriov-vm

.PHONY: check-sriov-vm
check-sriov-vm: $(SDXI_KO) $(DMATEST_KO) $(SRIOV_FILES)
	@$(KVM_RUN) sriov-vm $(TOP)/kernel/tests/vm/sriov.sh $(RESULTS) -- \
		--device $(SRIOV_DEV) $(foreach f,$(SRIOV_FILES),--file $(f))
