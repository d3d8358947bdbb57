# SPDX-License-Identifier: GPL-2.0-only
#
# sdxi.ko built by dkms from the tree make install puts in /usr/src, for
# the kernel of the Makefile's KVER/KDIR (6.12, or 7.3 under make
# check-debug), into $(B)/dkms$(KSUFFIX) (dist/dkms-build).
#
#   make check-dkms     TAP: the module dkms built (kernel, modalias, only
#                       sdxi.ko, dkms status, AUTOINSTALL)
#   make check-dkms-vm  TAP: that module in the VM, loaded through the
#                       function's modalias, passes user_functional and
#                       sdxictl sees the function active
#                       (tests/dkms-vm-guest.sh)

DKMS_B := $(B)/dkms$(KSUFFIX)
DKMS_KO := $(DKMS_B)/sdxi.ko

CHECK_SUITES += dkms
DEBUG_SUITES += dkms
VM_SUITES += dkms-vm

.PHONY: check-dkms check-dkms-vm
$(DKMS_KO): $(DKMS_KSRC) $(DKMS_KSCRIPTS) uapi/linux/sdxi_hw.h uapi/linux/sdxi.h include/sdxi/function.h include/sdxi/encode.h \
		dist/dkms.conf.in VERSION \
		dist/dkms-build $(KDIR)/Module.symvers
	@$(TOP)/dist/dkms-build $(KVER) $(KDIR) $(DKMS_B)

check-dkms: $(DKMS_KO)
	@$(SUITE_TAP) $(RESULTS)/dkms.tap -- $(TOP)/dist/tests/dkms-check.sh $(DKMS_B) $(KVER)

check-dkms-vm: $(DKMS_KO) $(KSFT_B)/user_functional $(SDXICTL_BIN)
	@$(VM_TAP) $(RESULTS)/dkms-vm.tap --timeout 900 --file $(DKMS_KO) \
		--file $(KSFT_B)/user_functional --file $(SDXICTL_BIN) \
		--script $(TOP)/dist/tests/dkms-vm-guest.sh
