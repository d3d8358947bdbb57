# SPDX-License-Identifier: GPL-2.0-only
#
# The test VM (tools/vm): q35 + intel-iommu (scalable mode, PASID) + our
# SDXI function, the guest kernel (Debian's 6.12, or the debug 7.3 build
# under make check-debug), a busybox initramfs.
#
#   make check-vm-smoke  TAP: the guest sees one class 0x120100 function
#                        with the expected BARs, MSI-X and PASID, and the
#                        IOMMU is in scalable mode
#
# For other fragments:
#   $(VM_RUN) [options] -- 'guest commands'   exit status = the guest's;
#                        124 timeout, 125 VM failure (tools/vm/run --help)
#   $(VM_TAP) OUT.tap [run options] -- 'guest commands'   run a guest
#                        program that prints TAP and write OUT.tap, with a
#                        "not ok" added when the VM itself fails; guest
#                        shell tests print it with /usr/share/sdxi/tap.sh
#                        (tools/tap.sh)
#   $(VM_MKINITRAMFS) -o OUT [--file HOST[:GUEST]]... [--kmod NAME]...
#   $(QEMU_BIN)          the QEMU binary (tools/qemu/qemu.mk)
#   VM_TIMEOUT           default timeout in seconds for the targets here
#   VM_SMOKE_ARGS        extra tools/vm/run options for check-vm-smoke, e.g.
#                        VM_SMOKE_ARGS="--device sdxi,id=a --device sdxi,id=b"

VM_RUN := $(TOP)/tools/vm/run
VM_TAP := $(TOP)/tools/vm/tap-run
VM_MKINITRAMFS := $(TOP)/tools/vm/mkinitramfs
VM_TIMEOUT ?= 300
VM_SMOKE_ARGS ?=

VM_SUITES += vm-smoke

.PHONY: check-vm-smoke
check-vm-smoke:
	@$(SUITE_TAP) $(RESULTS)/vm-smoke.tap -- $(TOP)/tools/vm/smoke $(VM_SMOKE_ARGS)
